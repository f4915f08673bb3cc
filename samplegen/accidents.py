"""Accidents: which grades, places and industries; casualties that reach exactly the grade;
the planted messy cases; titles, accountability (责任认定及处理建议) and prevention measures.
"""

from __future__ import annotations

import datetime as dt
import random

from . import codes, names, phrases
from .enterprises import COAL_CITIES, EnterprisePool
from .world import Accident, Measure, Serials, World, grade_of, rng_for

# The few big accidents (fictional): grade, industry, GB 6441 class, city, year.
BIG_ACCIDENTS = (
    ("特别重大", "煤矿", "瓦斯爆炸", "620800", 2021),
    ("重大", "危险化学品", "其他爆炸", "621000", 2020),
    ("重大", "道路运输", "车辆伤害", "621100", 2022),
    ("重大", "非煤矿山", "透水", "620900", 2024),
)
SOURCE_CITIES = {"lz-yjj-accidents": ("620100",), "ts-yjj-accidents": ("620500",)}


def _grade_plan(source_id: str, n: int, share_jiaoda: float) -> list[str]:
    """Grades for one source: the big ones on the provincial site only."""
    big: list[str] = []
    if source_id == "gs-yjt-accidents":
        big = ["特别重大"] * max(1, round(n * 0.002)) + ["重大"] * max(3, round(n * 0.012))
    rest = n - len(big)
    jiaoda = round(rest * share_jiaoda)
    return big + ["较大"] * jiaoda + ["一般"] * (rest - jiaoda)


def _casualties(rng: random.Random, grade: str, accident_type: str) -> dict:
    """Deaths, injuries and loss that reach exactly `grade` (checked by the caller)."""
    c = {"deaths": 0, "missing": 0, "injuries": 0, "serious": 0}
    if grade == "特别重大":
        c.update(deaths=rng.randint(31, 34), injuries=rng.randint(10, 20))
        c["serious"] = rng.randint(3, c["injuries"])
        loss, style = rng.randint(11, 19) * 1e7, "yi"
    elif grade == "重大":
        c.update(deaths=rng.randint(10, 14), injuries=rng.randint(0, 20))
        c["serious"] = rng.randint(0, min(8, c["injuries"]))
        loss, style = rng.randint(2000, 4800) * 1e4 + rng.randint(0, 9) * 1e3, "wan1"
    elif grade == "较大":
        mode = rng.choices(("deaths", "loss", "serious"), (8, 1, 1))[0]
        if mode == "deaths":
            c.update(
                deaths=rng.choices(range(3, 10), (30, 20, 12, 8, 5, 3, 2))[0],
                injuries=rng.choice((0, 0, 1, 2, 3, 5)),
            )
            c["serious"] = rng.randint(0, c["injuries"])
            loss, style = rng.randint(300, 2500) * 1e4 + rng.randint(0, 99) * 1e2, "wan2"
        elif mode == "loss":
            c.update(deaths=rng.choice((0, 1)), injuries=rng.randint(0, 3))
            loss, style = rng.randint(1000, 3500) * 1e4 + rng.randint(0, 9) * 1e3, "wan1"
        else:
            c.update(deaths=rng.choice((0, 1, 2)), serious=rng.randint(10, 16))
            c["injuries"] = c["serious"] + rng.randint(0, 12)
            loss, style = rng.randint(200, 900) * 1e4, "wan0"
    else:
        c["deaths"] = rng.choices((0, 1, 2), (2, 6, 2))[0]
        c["injuries"] = rng.choice((0, 0, 1, 1, 2, 3)) if c["deaths"] else rng.randint(1, 4)
        c["serious"] = rng.randint(0, min(c["injuries"], 3))
        if c["deaths"] == 1 and accident_type in ("透水", "淹溺", "坍塌") and rng.random() < 0.3:
            c["missing"] = 1
        if c["deaths"] == 0:
            style = rng.choice(("yuan2", "yuan0", "wan1"))
            low, high = (50000, 900000)
        else:
            style = rng.choice(("wan1", "wan2", "yuan2", "wan0"))
            low, high = (800000, 2500000) if c["deaths"] == 1 else (1500000, 4500000)
        loss = float(rng.randint(low, high))
        if style == "yuan2":
            loss += rng.randint(1, 99) / 100
        elif style == "wan1":
            loss = round(loss, -3)
        elif style == "wan2":
            loss = round(loss, -2)
        elif style == "wan0":
            loss = round(loss, -4)
    c["loss_yuan"], c["loss_style"] = round(loss, 2), style
    return c


def _approver(grade: str, county: str) -> tuple[str, str]:
    """Who approves the report (条例 第十九条) and the prefix of its 批复文号."""
    city = names.city_of(county)
    if grade == "特别重大":
        return "国务院", "国函"
    if grade == "重大":
        return "甘肃省人民政府", "甘政函"
    if grade == "较大" or county == city:
        return f"{names.city_name(city)}人民政府", f"{names.CITIES[city][2]}政函"
    return f"{names.county_name(county)}人民政府", f"{names.county_abbr(county)}政函"


def _type_word(rng: random.Random, accident_type: str) -> str:
    return rng.choice(names.TYPE_TITLE_WORDS.get(accident_type, (accident_type,)))


def _title(rng: random.Random, acc: Accident, taken: set[str]) -> tuple[str, str]:
    """The report title and its short name (“3·12”较大中毒和窒息事故)."""
    dot = "." if acc.source_id == "lz-yjj-accidents" else "·"
    md = f"“{acc.occurred.month}{dot}{acc.occurred.day}”"
    grade_word = (
        acc.grade_stated
        if (acc.grade_stated != "一般" or rng.random() < 0.4 or acc.grade_stated != acc.grade)
        else ""
    )
    short = f"{md}{grade_word}{acc.type_word}事故"
    county = names.county_name(acc.county)
    if acc.grade == "特别重大":
        forms = [f"{county}{acc.enterprise_name}{names.brand_of(acc.enterprise_name)}煤矿{short}调查报告"]
    elif acc.industry == "道路运输":
        forms = [f"{county}{acc.occurred.year}年{short}调查报告", f"{acc.enterprise_name}{short}调查报告"]
    else:
        forms = [
            f"{acc.enterprise_name}{short}调查报告",
            f"{county}{acc.enterprise_name}{short}调查报告",
            f"{acc.enterprise_name}{grade_word}{acc.type_word}事故调查报告",
        ]
    title = rng.choice(forms)
    if acc.enterprise_shown:  # the name as the report writes it already says where
        title = f"{acc.enterprise_name}{short}调查报告"
    if acc.deaths_in_title is not None:  # the toll first reported, written into the title
        title = f"{acc.enterprise_name}{short}（{acc.deaths_in_title}人死亡）调查报告"
    if title in taken:
        title = f"{county}{acc.enterprise_name}{short}调查报告"
    taken.add(title)
    return title, short


def build_accidents(world: World, pool: EnterprisePool) -> None:
    profile, seed = world.profile, world.seed
    serials = world.serials = Serials(rng_for(seed, "serials", "accidents"))
    big = list(BIG_ACCIDENTS)
    for source_id, n in profile.accidents.items():
        rng = rng_for(seed, "plan", source_id)
        grades = _grade_plan(source_id, n, 0.4 if source_id == "gs-yjt-accidents" else 0.36)
        cities = list(
            SOURCE_CITIES.get(source_id) or [c for c in names.CITIES if c not in ("620100", "620500")]
        )
        rng.shuffle(cities)
        years = list(profile.years)
        for i, grade in enumerate(grades):
            key = f"{source_id.split('-')[0].upper()}{i + 1:04d}"
            arng = rng_for(seed, "accident", key)
            spec = next((b for b in big if b[0] == grade), None) if grade in ("特别重大", "重大") else None
            if spec:
                big.remove(spec)
                _, industry, accident_type, city, year = spec
            else:
                city = cities[i % len(cities)]
                year = years[(i * 3 + len(source_id)) % len(years)]
                industry = arng.choices(list(names.INDUSTRY_WEIGHTS), list(names.INDUSTRY_WEIGHTS.values()))[
                    0
                ]
                if industry == "煤矿" and city not in COAL_CITIES:
                    industry = "非煤矿山"
                accident_type = arng.choice(names.INDUSTRIES[industry].accident_types)
                if grade == "一般" and accident_type in ("瓦斯爆炸", "火药爆炸"):
                    accident_type = "机械伤害" if industry == "煤矿" else accident_type
            world.accidents.append(
                _make_accident(
                    world, pool, serials, arng, key, source_id, grade, city, year, industry, accident_type
                )
            )


def _make_accident(
    world, pool, serials, rng, key, source_id, grade, city, year, industry, accident_type, ent=None, day=None
) -> Accident:
    """One report's facts; `ent` and `day` (else drawn: an unused enterprise, a day of `year`)."""
    ent = ent or pool.take(city, industry)
    county = ent.county
    drawn = dt.date(year, 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    day = day or drawn
    hour = rng.choices(range(24), [1, 1, 2, 1, 1, 1, 2, 3, 5, 7, 8, 7, 4, 4, 7, 8, 8, 6, 4, 3, 2, 2, 1, 1])[0]
    occurred = dt.datetime(day.year, day.month, day.day, hour, rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)))
    c = _casualties(rng, grade, accident_type)
    computed = grade_of(c["deaths"], c["serious"], c["loss_yuan"])
    assert computed == grade == grade_of(c["deaths"] + c["missing"], c["serious"], c["loss_yuan"]), (key, c)
    approver, doc_prefix = _approver(grade, county)
    delay = {"特别重大": (150, 200), "重大": (70, 130)}.get(grade, (40, 100))
    approved = day + dt.timedelta(days=rng.randint(*delay))
    doc_no = f"{doc_prefix}〔{approved.year}〕{serials.take(doc_prefix, approved.year)}号"
    acc = Accident(
        key=key,
        source_id=source_id,
        enterprise=ent,
        county=county,
        industry=industry,
        accident_type=accident_type,
        type_word=_type_word(rng, accident_type),
        occurred=occurred,
        deaths=c["deaths"],
        missing=c["missing"],
        injuries=c["injuries"],
        serious=c["serious"],
        loss_yuan=c["loss_yuan"],
        loss_style=c["loss_style"],
        grade=grade,
        grade_stated=grade,
        concealment=None,
        approver=approver,
        doc_no=doc_no,
        doc_no_shown=doc_no if rng.random() < 0.8 else doc_no.replace("〔", "[").replace("〕", "]"),
        approved_on=approved,
        written_on=approved + dt.timedelta(days=rng.choice((0, 0, 1, 2, 3))),
        published_on=approved + dt.timedelta(days=rng.randint(5, 40)),
    )
    acc.uscc_in_text = ent.uscc if rng.random() < 0.8 else None
    if source_id == "gs-yjt-accidents":
        acc.approval_in_meta = rng.random() < 0.3
        acc.approval_in_body = not acc.approval_in_meta or rng.random() < 0.5
    return acc


def plant_accidents(world: World) -> None:
    """The messy cases real report pages have, each planted once (see _truth.json 'planted')."""
    used: set[str] = set()

    def pick(source_id: str, test) -> Accident:
        for acc in world.accidents:
            if acc.source_id == source_id and acc.key not in used and test(acc):
                used.add(acc.key)
                return acc
        raise LookupError(f"no accident in {source_id} fits a planted case")

    since_2020 = dt.datetime(2020, 6, 1)
    acc = pick("gs-yjt-accidents", lambda a: a.grade == "一般" and a.deaths >= 1)
    acc.planted += ["unmasked_id", "phone"]
    acc = pick("ts-yjj-accidents", lambda a: a.grade == "一般" and a.loss_yuan < 9e6 and a.serious < 10)
    acc.deaths, acc.missing, acc.grade = 3, 0, "较大"  # 3 deaths reach 较大; the report says 一般
    # The county investigated it as 一般 (and approved it); by 条例 第三条 it is 较大.
    acc.planted.append("grade_mismatch")
    for source_id, grade, kind in (
        ("gs-yjt-accidents", "较大", "瞒报"),
        ("gs-yjt-accidents", "较大", "谎报"),
        ("lz-yjj-accidents", "一般", "瞒报"),
        ("ts-yjj-accidents", "一般", "迟报"),
    ):
        acc = pick(source_id, lambda a: a.grade == grade and a.deaths >= 1 and a.occurred >= since_2020)
        acc.concealment = kind
        acc.planted.append(kind)
    pick("ts-yjj-accidents", lambda a: a.grade == "较大").planted.append("traditional")
    acc = pick("gs-yjt-accidents", lambda a: not a.approval_in_meta)
    acc.planted.append("fullwidth_doc_no")
    acc.doc_no_shown = codes.fullwidth(acc.doc_no)
    acc = pick("lz-yjj-accidents", lambda a: a.uscc_in_text is not None)
    acc.planted.append("fullwidth_uscc")
    acc.uscc_in_text = codes.fullwidth(acc.uscc_in_text)
    pick("gs-yjt-accidents", lambda a: a.grade == "较大").planted.append("fine_in_words")


def finish_accidents(world: World) -> None:
    """Titles, accountability and prevention measures, and which reports are PDF only."""
    taken: set[str] = set()
    seen: dict[str, int] = {}
    for acc in world.accidents:
        index = seen[acc.source_id] = seen.get(acc.source_id, -1) + 1
        finish_accident(world, acc, taken, index)


# Planted cases whose report states 一般 although the figures reach 较大 (条例 第三条).
UNDERSTATED = ("grade_mismatch", "grade_mismatch_loss")


def finish_accident(world: World, acc: Accident, taken: set[str], index: int) -> None:
    """One report's title, accountability and prevention measures; `index`: its place in its
    source (every third report is a PDF only, none of the planted ones)."""
    rng = rng_for(world.seed, "report", acc.key)
    acc.grade_stated = "一般" if set(UNDERSTATED) & set(acc.planted) else acc.grade
    acc.title, acc.short = _title(rng, acc, taken)
    acc.measures = _measures(rng, acc)
    fitting = [
        text
        for i, text in enumerate(phrases.PREVENTION)
        if i not in phrases.RELEVANT or {acc.industry, acc.accident_type} & set(phrases.RELEVANT[i])
    ]
    acc.prevention = rng.sample(fitting, rng.randint(3, min(6, len(fitting))))
    acc.show_doc_no = rng.random() < 0.7 or "fullwidth_doc_no" in acc.planted
    acc.pdf_only = index % 3 == 1 and not acc.planted


def _unit_fine(rng: random.Random, acc: Accident) -> int:
    """安全生产法 2014 第一百零九条 / 2021 第一百一十四条 ranges, in 万元."""
    new_law = acc.occurred.date() >= dt.date(2021, 9, 1)
    ranges = (
        {"一般": (30, 100), "较大": (100, 200), "重大": (200, 1000), "特别重大": (1000, 2000)}
        if new_law
        else {"一般": (20, 50), "较大": (50, 100), "重大": (100, 500), "特别重大": (500, 1000)}
    )
    low, high = ranges[acc.grade_stated]
    return rng.randint(low, high) * 10000


def _income_share(acc: Accident) -> int:
    """Fine on the 主要负责人 as a share of last year's income (2014 第九十二条 / 2021 第九十五条)."""
    new_law = acc.occurred.date() >= dt.date(2021, 9, 1)
    shares = (40, 60, 80, 100) if new_law else (30, 40, 60, 80)
    return shares[("一般", "较大", "重大", "特别重大").index(acc.grade_stated)]


def _measures(rng: random.Random, acc: Accident) -> list[Measure]:
    ent, county = acc.enterprise, names.county_name(acc.county)
    taken = {ent.principal}

    def person() -> str:
        name = names.masked_person(rng)
        while name in taken:
            name = names.masked_person(rng)
        taken.add(name)
        return name

    out: list[Measure] = []
    grade = acc.grade_stated  # what the investigators decided, even where it is wrong
    crimes = {"一般": 1 if acc.deaths else 0, "较大": rng.randint(2, 3), "重大": 4, "特别重大": 6}[grade]
    crime = (
        "不报、谎报安全事故罪"
        if acc.concealment in ("瞒报", "谎报")
        else phrases.CRIMES.get(acc.accident_type, "重大责任事故罪")
    )
    staff = rng.sample(
        ("安全管理部部长", "专职安全员", "生产副总经理", "班组长", "技术负责人", "带班负责人"), 6
    )
    for i in range(crimes):
        principal_first = grade != "一般" or acc.concealment in ("瞒报", "谎报")
        subject, position = (
            (ent.principal, f"{acc.enterprise_name}{ent.principal_title}")
            if i == 0 and principal_first
            else (person(), f"{acc.enterprise_name}{staff[i]}")
        )
        if acc.industry == "道路运输" and i == 0:
            subject, position = person(), "肇事车辆驾驶人"
        out.append(
            Measure(subject, position, "移送司法机关", f"涉嫌{crime}，建议由司法机关依法追究其刑事责任")
        )
    officials = {"一般": rng.randint(0, 2), "较大": rng.randint(2, 3), "重大": 4, "特别重大": 6}[grade]
    dept = phrases.DEPARTMENTS.get(acc.industry, "应急管理局")
    level = county if grade in ("一般", "较大") else names.city_name(acc.city)
    posts = (
        f"{level}{dept}副局长",
        f"{level}{dept}安全监管股股长",
        f"{county}某镇人民政府副镇长",
        f"{level}{dept}局长",
        f"{county}某镇安全生产监督管理站站长",
        f"{level}{dept}执法大队大队长",
    )
    for i in range(officials):
        out.append(Measure(person(), posts[i % len(posts)], "党纪政务处分", rng.choice(phrases.DISCIPLINE)))
    if acc.deaths or acc.loss_yuan >= 1e6 or acc.concealment:
        fine = _unit_fine(rng, acc)
        out.append(
            Measure(
                acc.enterprise_name,
                "事故发生单位",
                "行政处罚",
                f"处以罚款{fine // 10000}万元",
                float(fine),
                "upper" if "fine_in_words" in acc.planted else rng.choice(("wan", "wan", "yuan")),
            )
        )
        share = _income_share(acc)
        income = rng.randint(60, 400) * 1000
        out.append(
            Measure(
                ent.principal,
                f"{acc.enterprise_name}{ent.principal_title}",
                "行政处罚",
                f"处上一年年收入{share}%的罚款",
                float(income * share // 100),
                "yuan",
            )
        )
        if acc.concealment == "迟报":  # 条例 第三十五条
            out.append(
                Measure(
                    ent.principal,
                    f"{acc.enterprise_name}{ent.principal_title}",
                    "行政处罚",
                    "对其迟报事故行为处上一年年收入40%的罚款",
                    float(income * 40 // 100),
                    "yuan",
                )
            )
    if acc.concealment in ("瞒报", "谎报"):
        fine = rng.randint(100, 500) * 10000  # 条例 第三十六条
        out.append(
            Measure(
                acc.enterprise_name,
                "事故发生单位",
                "行政处罚",
                f"对其{acc.concealment}事故行为处以罚款",
                float(fine),
                "wan",
            )
        )
    if grade != "一般":
        out.append(
            Measure(
                f"{county}人民政府",
                "属地政府",
                "其他",
                f"责成{county}人民政府向{names.city_name(acc.city)}人民政府作出深刻书面检查",
            )
        )
    return out
