"""The stories users come to the site for, planted in the fictional world so that the pages,
the canned queries and the review queue show real cases from `make demo`:

- repeated accidents: an enterprise with three reports in three years, and one with two 较大
  accidents within twelve months;
- an accident while its enterprise is on the 严重失信主体名单 (after the listing, within its
  term, 应急管理部令第11号);
- figures that disagree inside one report: a title with the toll first reported while the body
  counts one more death, and a report that states 一般 although its direct loss reaches 较大
  (条例 第三条);
- an enterprise only a person can link: the report names it with a place prefix, and without
  the prefix the name matches two registered enterprises of the same 市州.

Each story adds a report under the next key of its source (or changes one report), so the
rest of the world keeps its facts; each is listed under "planted" in _truth.json.
"""

from __future__ import annotations

import datetime as dt

from . import accidents, codes, names
from .enterprises import EnterprisePool
from .world import Accident, Enterprise, World, grade_of, rng_for

# Cities with their own accident site; the provincial site publishes the others' reports.
CITY_SITES = {"620100": "lz-yjj-accidents", "620500": "ts-yjj-accidents"}


def plant_stories(world: World, pool: EnterprisePool) -> None:
    """The stories told by reports alone (before titles and accountability are written)."""
    _repeated(world, pool)
    _two_major(world, pool)
    _disagreeing_figures(world)
    _needs_review(world, pool)


def _site(ent: Enterprise) -> str:
    return CITY_SITES.get(ent.city, "gs-yjt-accidents")


def _report(
    world: World, pool: EnterprisePool, ent: Enterprise, grade: str, day: dt.date, case: str, avoid: str = ""
) -> Accident:
    """A new report on `ent`'s accident of `day`, under the next key of the enterprise's site."""
    source_id = _site(ent)
    key = f"{source_id.split('-')[0].upper()}{sum(a.source_id == source_id for a in world.accidents) + 1:04d}"
    rng = rng_for(world.seed, "accident", key)
    types = [t for t in names.INDUSTRIES[ent.industry].accident_types if t != avoid] or [avoid]
    if grade == "一般":
        types = [t for t in types if t not in ("瓦斯爆炸", "火药爆炸")] or ["机械伤害"]
    acc = accidents._make_accident(
        world,
        pool,
        world.serials,
        rng,
        key,
        source_id,
        grade,
        ent.city,
        day.year,
        ent.industry,
        rng.choice(types),
        ent=ent,
        day=day,
    )
    acc.planted.append(case)
    world.accidents.append(acc)
    return acc


def _unplanted(world: World, test) -> Accident | None:
    """The first report fitting `test` whose enterprise is in no planted case yet (one story each)."""
    storied = {a.enterprise.key for a in world.accidents if a.planted}
    return next((a for a in world.accidents if a.enterprise.key not in storied and test(a)), None)


def _repeated(world: World, pool: EnterprisePool) -> None:
    """Three reports on one 工贸 enterprise, a year apart."""
    first = _unplanted(
        world,
        lambda a: a.source_id == "gs-yjt-accidents"
        and a.grade == "一般"
        and a.industry == "工贸"
        and a.occurred.year <= 2023,
    ) or _unplanted(world, lambda a: a.grade == "一般" and a.occurred.year <= 2023)
    rng = rng_for(world.seed, "story", "repeated")
    for years in (1, 2):
        day = dt.date(first.occurred.year + years, rng.randint(1, 12), rng.randint(1, 28))
        _report(world, pool, first.enterprise, "一般", day, "repeated_accident", first.accident_type)


def _two_major(world: World, pool: EnterprisePool) -> None:
    """A second 较大 accident seven months after the first (two within twelve months)."""
    first = _unplanted(
        world,
        lambda a: a.grade == "较大"
        and a.source_id == "lz-yjj-accidents"
        and a.occurred < dt.datetime(2025, 3, 1)
        and a.industry != "道路运输",
    ) or _unplanted(world, lambda a: a.grade == "较大" and a.occurred < dt.datetime(2025, 3, 1))
    day = first.occurred.date() + dt.timedelta(days=212)
    _report(world, pool, first.enterprise, "较大", day, "two_major_in_12_months", first.accident_type)


def _disagreeing_figures(world: World) -> None:
    titled = _unplanted(
        world,
        lambda a: a.source_id == "gs-yjt-accidents"
        and a.grade == "较大"
        and 3 <= a.deaths < 9
        and a.industry != "道路运输",
    )
    titled.deaths_in_title, titled.deaths = titled.deaths, titled.deaths + 1
    titled.planted.append("deaths_title_differs")
    lossy = _unplanted(
        world,
        lambda a: a.source_id == "gs-yjt-accidents"
        and a.grade == "一般"
        and a.deaths == 1
        and a.industry != "道路运输",
    )
    lossy.loss_yuan, lossy.loss_style = 11_536_000.0, "wan1"  # 1153.6万元: 较大 by the loss alone
    lossy.grade = grade_of(lossy.deaths, lossy.serious, lossy.loss_yuan)
    assert lossy.grade == "较大", lossy.key
    lossy.planted.append("grade_mismatch_loss")


def _needs_review(world: World, pool: EnterprisePool) -> None:
    """兰州示例X化工有限公司 and 示例X化工有限公司, both registered in 兰州; the report writes the
    short form 示例X化工公司 throughout, which is neither registered name: both are candidates,
    and only a person can say which (linking never guesses)."""
    rng = rng_for(world.seed, "story", "review")
    brands = {name.split("示例", 1)[1][:3] for name in pool.names if "示例" in name}
    brand = rng.choice(names.BRAND_HEAD) + rng.choice(names.BRAND_TAIL)
    while any(b.startswith(brand) for b in brands):  # larger profiles use every two-character brand
        brand += rng.choice(names.BRAND_HEAD)
    pair = []
    for name in (f"兰州示例{brand}化工有限公司", f"示例{brand}化工有限公司"):
        ent = pool.create("620100", "危险化学品")
        pool.by_city_industry[("620100", "危险化学品")].remove(ent)  # no other report draws it
        pool.names.add(name)
        ent.name = name
        world.featured.add(ent.key)
        pair.append(ent)
    day = dt.date(2024, rng.randint(3, 10), rng.randint(1, 28))
    acc = _report(world, pool, pair[0], "一般", day, "enterprise_needs_review")
    acc.enterprise_shown = f"示例{brand}化工公司"
    acc.uscc_in_text = None


def plant_listed_accident(world: World, pool: EnterprisePool) -> None:
    """An accident about four months after its enterprise was listed for a 第七条 reason (not an
    accident), while the listing is in force; written in full like every other report."""
    as_of = world.profile.as_of
    entry = next(
        e
        for e in sorted(world.blacklist, key=lambda e: (e.listed_on, e.key))
        if e.subject_type == "unit"
        and e.enterprise
        and e.removed_on is None
        and "事故" not in e.reason
        and e.term_end > as_of
        and dt.date(2024, 1, 1) <= e.listed_on <= as_of - dt.timedelta(days=400)
    )
    day = entry.listed_on + dt.timedelta(days=125)
    acc = _report(world, pool, entry.enterprise, "一般", day, "accident_while_listed")
    acc.facts_note = (
        f"该公司因{entry.reason}，于{codes.date_text(entry.listed_on, 'cn')}被{entry.authority}"
        f"列入安全生产严重失信主体名单（{entry.decision_no}），事故发生时仍在管理期内。"
    )
    taken = {a.title for a in world.accidents if a.title}
    index = sum(a.source_id == acc.source_id for a in world.accidents) - 1
    accidents.finish_accident(world, acc, taken, index)
