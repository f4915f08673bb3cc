"""Credit records (行政处罚, 不良信用记录), credit ratings (安全生产诚信等级) and annual statistics."""

from __future__ import annotations

import datetime as dt

from . import codes, names, phrases
from .world import CreditRecord, Rating, Serials, World, authority_for, rng_for


def build_records(world: World) -> None:
    """行政处罚 after accidents, routine 行政处罚, and 不良信用记录 (瞒报, listings)."""
    rng = rng_for(world.seed, "records")
    serials = Serials(rng_for(world.seed, "serials", "records"))
    target, as_of = world.profile.credit_records, world.profile.as_of

    def add(ent, record_type, facts, basis, category, penalty, fine, level, decided):
        authority, prefix = authority_for(level, ent.city, ent.county)
        decision = f"{prefix}〔{decided.year}〕{serials.take(prefix, decided.year)}号"
        start = decided + dt.timedelta(days=rng.randint(3, 10))
        years = 3 if record_type == "行政处罚" else 1
        world.records.append(
            CreditRecord(
                key=f"XY{len(world.records) + 1:05d}",
                enterprise=ent,
                record_type=record_type,
                decision_no=decision,
                facts=facts,
                basis=basis,
                category=category,
                penalty=penalty,
                fine_yuan=fine,
                authority=authority,
                decided_on=decided,
                publicity_start=start,
                publicity_end=codes.add_years(start, years),
            )
        )

    accident_share = target * 45 // 100
    for acc in world.accidents:
        if len(world.records) >= accident_share:
            break
        fine = next(
            (
                m.fine_yuan
                for m in acc.measures
                if m.subject == acc.enterprise_name and m.measure_type == "行政处罚"
            ),
            None,
        )
        decided = acc.approved_on + dt.timedelta(days=rng.randint(20, 60))
        if fine is None or acc.approved_on.year < 2021 or decided > as_of:
            continue
        level = (
            "province" if acc.grade in ("特别重大", "重大") else "city" if acc.grade == "较大" else "county"
        )
        add(
            acc.enterprise,
            "行政处罚",
            f"对{acc.short}的发生负有责任",
            "《中华人民共和国安全生产法》第一百一十四条",
            "罚款",
            f"罚款人民币{fine / 10000:g}万元",
            fine,
            level,
            decided,
        )
        if acc.concealment in ("瞒报", "谎报"):
            add(
                acc.enterprise,
                "不良信用记录",
                f"{acc.concealment}生产安全事故，纳入安全生产不良记录",
                "《生产安全事故报告和调查处理条例》第三十六条",
                "不良记录",
                "纳入安全生产不良记录",
                None,
                level,
                decided,
            )
    for entry in world.blacklist:
        if len(world.records) >= target * 60 // 100:
            break
        if entry.subject_type == "unit" and entry.enterprise and entry.listed_on <= as_of:
            add(
                entry.enterprise,
                "不良信用记录",
                f"{entry.reason}，列入安全生产严重失信主体名单",
                entry.basis,
                "不良记录",
                "列入严重失信主体名单",
                None,
                "province",
                entry.listed_on,
            )
    while len(world.records) < target:
        ent = rng.choice(world.enterprises)
        facts, basis = rng.choice(phrases.VIOLATIONS)
        fine = float(rng.randint(1, 10) * 10000 + rng.choice((0, 0, 5000)))
        decided = dt.date(rng.randint(2021, 2026), rng.randint(1, 12), rng.randint(1, 28))
        if decided > as_of:
            decided = decided.replace(year=2025)
        add(
            ent,
            "行政处罚",
            facts,
            basis,
            rng.choice(("罚款", "警告,罚款")),
            f"罚款人民币{fine:g}元",
            fine,
            rng.choice(("city", "county", "county")),
            decided,
        )
    world.records.sort(key=lambda r: (r.decided_on, r.key), reverse=True)


RATING_SOURCES = {  # source id: (rater, year, cities; None = the cities without their own list)
    "lz-credit-ratings": ("兰州市应急管理局", 2024, ("620100",)),
    "jq-credit-ratings": ("酒泉市应急管理局", 2025, ("620900",)),
    "gs-yjt-credit-ratings": ("甘肃省应急管理厅", 2024, None),
}


def build_ratings(world: World) -> None:
    """安全生产诚信等级: enterprises with accidents or listings rate C/D."""
    rng = rng_for(world.seed, "ratings")
    bad: set[str] = {a.enterprise.key for a in world.accidents}
    bad |= {e.enterprise.key for e in world.blacklist if e.enterprise}
    for source_id, rows in world.profile.ratings.items():
        rater, year, cities = RATING_SOURCES[source_id]
        pool = [
            e
            for e in world.enterprises
            if (e.city in cities if cities else e.city not in ("620100", "620900"))
        ]
        # accident enterprises are always rated, and so are those a story needs in the register
        pool.sort(key=lambda e: (e.key not in bad and e.key not in world.featured, e.key))
        chosen = sorted(pool[:rows], key=lambda e: e.key)
        for ent in chosen:
            rating = rng.choice("CCD") if ent.key in bad else rng.choices("ABCD", (25, 55, 17, 3))[0]
            rated_on = dt.date(year + 1, rng.randint(1, 4), rng.randint(1, 28))
            world.ratings.append(
                Rating(
                    source_id,
                    ent,
                    rating,
                    year,
                    rated_on,
                    codes.add_years(rated_on, 1) - dt.timedelta(days=1),
                    rater,
                )
            )


# --- annual statistics -------------------------------------------------------------

PROVINCE_TOTALS = {  # year: (accidents, deaths, GDP 亿元); fictional, falling most years
    2019: (812, 512, 8718.3),
    2020: (735, 468, 9016.7),
    2021: (701, 455, 10243.3),
    2022: (718, 472, 11201.6),
    2023: (650, 431, 11863.8),
    2024: (602, 401, 12480.5),
    2025: (571, 385, 13105.2),
}
CITY_SHARES = {  # rough weights of each 市州 in accidents and in GDP
    "620100": (18, 30),
    "620200": (3, 3),
    "620300": (4, 4),
    "620400": (8, 6),
    "620500": (9, 8),
    "620600": (7, 6),
    "620700": (6, 5),
    "620800": (8, 5),
    "620900": (7, 8),
    "621000": (9, 9),
    "621100": (6, 5),
    "621200": (6, 5),
    "622900": (5, 3),
    "623000": (4, 2),
}


def _split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of an integer total."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


def build_stats(world: World) -> None:
    rng = rng_for(world.seed, "stats")
    cities = list(CITY_SHARES)
    for year in world.profile.years:
        accidents, deaths, gdp = PROVINCE_TOTALS[year]
        jitter = [CITY_SHARES[c][0] * rng.uniform(0.85, 1.15) for c in cities]
        acc_split, death_split = _split(accidents, jitter), _split(deaths, jitter)
        gdp_weights = [CITY_SHARES[c][1] * rng.uniform(0.95, 1.05) for c in cities]
        gdp_split = [round(x / 10, 2) for x in _split(round(gdp * 10), gdp_weights)]
        world.stats.append(
            {
                "year": year,
                "region_code": "620000",
                "region_name": "甘肃省",
                "accidents": accidents,
                "deaths": deaths,
                "gdp_yi": gdp,
            }
        )
        for c, a, d, g in zip(cities, acc_split, death_split, gdp_split):
            world.stats.append(
                {
                    "year": year,
                    "region_code": c,
                    "region_name": names.city_name(c),
                    "accidents": a,
                    "deaths": d,
                    "gdp_yi": g,
                }
            )
