"""What follows a report: 整改措施落实情况评估, 严重失信主体名单 (batches and removals) and
行业/职业禁入.
"""

from __future__ import annotations

import datetime as dt

from . import codes, names
from .world import Assessment, Ban, BlacklistEntry, Enterprise, Serials, World, authority_for, rng_for

RESULT_FORMS = {
    "到位": ("到位", "到位", "落实到位"),
    "基本到位": ("基本到位", "基本到位", "基本落实到位"),
    "不到位": ("不到位", "落实不到位", "未落实到位"),
}


def build_assessments(world: World) -> None:
    """整改措施落实情况评估: 10–12 months after the 批复 (甘肃 评估办法 第四条); some overdue."""
    as_of, seed = world.profile.as_of, world.seed
    rng = rng_for(seed, "assessments")
    serials = Serials(rng_for(seed, "serials", "assessments"))
    due = {a.key for a in world.accidents if codes.add_years(a.approved_on, 1) <= as_of}
    recent = [a for a in world.accidents if a.key in due and a.approved_on.year >= 2022]
    overdue = {a.key for a in rng.sample(recent, min(world.profile.overdue_assessments, len(recent)))}
    late_done = False
    for acc in world.accidents:
        if acc.key in overdue:
            continue
        arng = rng_for(seed, "assessment", acc.key)
        published = acc.approved_on + dt.timedelta(days=arng.randint(300, 365))
        late = False
        if (
            not late_done
            and acc.key in due
            and acc.approved_on + dt.timedelta(days=470) <= as_of
            and acc.approved_on.year >= 2023
        ):
            published, late, late_done = (
                acc.approved_on + dt.timedelta(days=arng.randint(430, 470)),
                True,
                True,
            )
        if published > as_of or (acc.key not in due and arng.random() < 0.5):
            continue
        result = arng.choices(("到位", "基本到位", "不到位"), (60, 28, 12))[0]
        if acc.concealment in ("瞒报", "谎报") or acc.grade == "特别重大":
            result = "不到位" if acc.concealment else "基本到位"
        total = len(acc.prevention)
        open_items = {"到位": 0, "基本到位": arng.randint(1, 2), "不到位": arng.randint(2, 3)}[result]
        city = acc.city
        assessor = (
            "甘肃省安全生产委员会办公室"
            if acc.grade in ("特别重大", "重大")
            else f"{names.city_name(city)}安全生产委员会办公室"
            if acc.grade == "较大" or acc.county == city
            else f"{names.county_name(acc.county)}人民政府"
        )
        prefix = (
            "甘安办函"
            if acc.grade in ("特别重大", "重大")
            else f"{names.CITIES[city][2]}安办发"
            if assessor.startswith(names.city_name(city))
            else f"{names.county_abbr(acc.county)}政办函"
        )
        ref_by = arng.choices(("both", "title", "doc_no"), (50, 35, 15))[0]
        if ref_by == "doc_no" and not acc.show_doc_no:
            ref_by = "both"
        title = arng.choice(
            (
                f"{acc.short}防范和整改措施落实情况评估报告",
                f"关于{acc.enterprise_name}{acc.short}整改措施落实情况评估结果的公告",
                f"{names.county_name(acc.county)}{acc.short}整改措施落实情况评估结果公示",
            )
        )
        world.assessments.append(
            Assessment(
                key=f"PG{len(world.assessments) + 1:04d}",
                accident=acc,
                result=result,
                title=title,
                result_shown=arng.choice(RESULT_FORMS[result]),
                assessor=assessor,
                assessed_on=published - dt.timedelta(days=arng.randint(10, 40)),
                published_on=published,
                doc_no=f"{prefix}〔{published.year}〕{serials.take(prefix, published.year)}号",
                ref_by=ref_by,
                measures_total=total,
                measures_open=min(open_items, total),
                late=late,
            )
        )
    # Several 不到位 whatever the draw, so the site has failures to show.
    failing = [a for a in world.assessments if a.result == "不到位"]
    for a in world.assessments[::7]:
        if len(failing) >= 4:
            break
        if a.result != "不到位" and not a.late:
            a.result, a.result_shown = "不到位", RESULT_FORMS["不到位"][len(failing) % 3]
            a.measures_open = min(2, a.measures_total)
            failing.append(a)
    world.assessments.sort(key=lambda a: (a.published_on, a.key), reverse=True)


# --- 严重失信主体名单, removals and bans ----------------------------------------------

BATCH_DATES = (
    dt.date(2021, 6, 30),
    dt.date(2021, 12, 28),
    dt.date(2022, 6, 29),
    dt.date(2022, 12, 27),
    dt.date(2023, 12, 26),
    dt.date(2024, 6, 28),
    dt.date(2025, 6, 27),
    dt.date(2026, 3, 20),
)
REMOVAL_DATES = (dt.date(2024, 12, 20), dt.date(2026, 4, 10))
ORDER_11 = dt.date(2023, 10, 1)  # 应急管理部令第11号 in force

OTHER_REASONS = (  # (subject type, reason, 第七条 item) for listings without an accident
    ("unit", "未依法取得安全生产许可证擅自从事生产经营活动", "（一）"),
    ("unit", "被责令停产整顿期间擅自组织生产", "（一）"),
    ("agency", "出具虚假安全评价报告", "（二）"),
    ("agency", "租借资质、挂靠，出具虚假检测检验报告", "（二）"),
    ("unit", "对行政处罚决定有履行能力而拒不履行", "（三）"),
)


class BlacklistBuilder:
    def __init__(self, world: World):
        self.world, self.rng = world, rng_for(world.seed, "blacklist")
        self.serials = Serials(rng_for(world.seed, "serials", "penalties"))
        self.quota = list(world.profile.blacklist_batches)
        self.counts = [0] * len(self.quota)

    def batch_after(self, day: dt.date) -> int | None:
        for i, batch_date in enumerate(BATCH_DATES[: len(self.quota)]):
            if batch_date >= day + dt.timedelta(days=30) and self.counts[i] < self.quota[i]:
                return i
        return None

    def add(
        self,
        batch: int,
        subject_type: str,
        name: str,
        ent: Enterprise | None,
        reason: str,
        article: str,
        level: str,
        person_of: Enterprise | None = None,
        listed_after: dt.date | None = None,
    ) -> BlacklistEntry:
        rng, batch_date = self.rng, BATCH_DATES[batch]
        earliest = max(listed_after or batch_date - dt.timedelta(days=60), batch_date - dt.timedelta(days=60))
        span = max(0, (batch_date - earliest).days - 7)
        listed = earliest + dt.timedelta(days=rng.randint(0, span))
        where = ent or person_of
        authority, prefix = authority_for(level, where.city, where.county)
        decision = f"{prefix}〔{listed.year}〕{self.serials.take(prefix, listed.year)}号"
        basis = (
            f"《安全生产严重失信主体名单管理办法》{article}"
            if listed >= ORDER_11
            else "《对安全生产领域失信行为开展联合惩戒的实施办法》（安监总办〔2017〕49号）"
        )
        id_number = None
        if subject_type == "person":
            born = dt.date(rng.randint(1962, 1990), rng.randint(1, 12), rng.randint(1, 28))
            id_number = codes.make_id_number(
                rng, where.county if where.county != "620200" else "620201", born
            )
        entry = BlacklistEntry(
            key=f"HMD{len(self.world.blacklist) + 1:04d}",
            subject_type=subject_type,
            name=name,
            enterprise=ent,
            uscc=ent.uscc if ent else None,
            id_number=id_number,
            responsible_person=ent.principal if ent and subject_type != "person" else None,
            reason=reason,
            basis=basis,
            decision_no=decision,
            authority=authority,
            listed_on=listed,
            term_end=codes.add_years(listed, 3) - dt.timedelta(days=1),
            batch=batch,
            region=where.county,
        )
        self.world.blacklist.append(entry)
        self.counts[batch] += 1
        return entry


def build_blacklist(world: World) -> None:
    """Accident-related listings first (第六条), then other serious 失信 (第七条) to fill each batch."""
    b = BlacklistBuilder(world)
    for acc in world.accidents:
        big = acc.grade in ("特别重大", "重大")
        if not big and acc.concealment not in ("瞒报", "谎报"):
            continue
        batch = b.batch_after(acc.approved_on)
        if batch is None or b.counts[batch] + 2 > b.quota[batch]:
            continue
        reason = (
            f"发生{acc.grade}生产安全事故（{acc.short}），对事故发生负有责任"
            if big
            else f"{acc.concealment}生产安全事故（{acc.short}）"
        )
        level = "province" if big else "city" if acc.grade == "较大" else "county"
        ent = acc.enterprise
        b.add(
            batch,
            "unit",
            ent.name,
            ent,
            reason,
            "第六条第（一）项" if big else "第六条第（四）项",
            level,
            listed_after=acc.approved_on,
        )
        b.add(
            batch,
            "person",
            ent.principal,
            None,
            f"作为{ent.name}主要负责人，{reason}",
            "第六条第（一）项" if big else "第六条第（四）项",
            level,
            person_of=ent,
            listed_after=acc.approved_on,
        )
    rng = b.rng
    candidates = [e for e in world.enterprises if names.INDUSTRIES[e.industry].blacklist_scope]
    used = {e.enterprise.key for e in world.blacklist if e.enterprise}
    agencies = list(world.agencies)
    for batch, quota in enumerate(b.quota):
        turn = 0
        while b.counts[batch] < quota:
            subject_type, reason, item = OTHER_REASONS[(batch + turn) % len(OTHER_REASONS)]
            turn += 1
            if subject_type == "agency":
                if not agencies:
                    continue
                ent = agencies.pop(0)
            else:
                ent = rng.choice(candidates)
                while ent.key in used:
                    ent = rng.choice(candidates)
            used.add(ent.key)
            level = rng.choice(("province", "city", "county"))
            b.add(batch, subject_type, ent.name, ent, reason, f"第七条第{item}项", level)
            if b.counts[batch] < quota:
                person = ent.principal if subject_type == "unit" else names.masked_person(rng)
                role = "主要负责人" if subject_type == "unit" else "直接责任人员（安全评价师）"
                b.add(
                    batch,
                    "person",
                    person,
                    None,
                    f"作为{ent.name}{role}，{reason}",
                    f"第七条第{item}项",
                    level,
                    person_of=ent,
                )
    world.blacklist.sort(key=lambda e: (e.batch, e.listed_on, e.key))
    _plant_unmasked_id(world)
    build_removals(world)


def _plant_unmasked_id(world: World) -> None:
    person = next(e for e in world.blacklist if e.subject_type == "person" and e.batch == 3)
    person.id_unmasked = True
    world.plant(
        "unmasked_id_number",
        "gs-yjt-blacklist",
        f"batch {person.batch + 1} page, row of {person.name}",
        f"ID number {person.id_number} printed unmasked; must be masked on load",
    )


def build_removals(world: World) -> None:
    """移出: 期满 after the 3-year term; 信用修复 at least 12 months after listing."""
    rng = rng_for(world.seed, "removals")
    for page, day in enumerate(REMOVAL_DATES):
        expired = [e for e in world.blacklist if e.removed_on is None and e.term_end < day]
        repairable = [
            e
            for e in world.blacklist
            if e.removed_on is None and e.term_end > day and e.listed_on + dt.timedelta(days=395) <= day
        ]
        share = 0.67 if page == 0 else 0.3
        for entry in expired[: max(1, round(len(expired) * share))]:
            entry.removed_on, entry.removal_reason = entry.term_end + dt.timedelta(days=1), "期满"
            entry.removal_page = page
        count = max(3, round(len(world.blacklist) * (0.07 if page == 0 else 0.09)))
        for entry in rng.sample(repairable, min(count, len(repairable))):
            # Announced in the next removal list, a few weeks to three months after the decision.
            earliest = max(entry.listed_on + dt.timedelta(days=366), day - dt.timedelta(days=90))
            latest = day - dt.timedelta(days=7)
            entry.removed_on = earliest + dt.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
            entry.removal_reason, entry.removal_page = "信用修复", page
    world.removal_pages = list(REMOVAL_DATES)


def build_bans(world: World) -> None:
    """行业/职业禁入 (安全生产法 第九十二条 for agencies, 第九十四条 for principals)."""
    rng = rng_for(world.seed, "bans")
    serials = Serials(rng_for(world.seed, "serials", "bans"))
    target = world.profile.bans
    out: list[Ban] = []

    def add(subject_type, name, ent, ban_type, scope, reason, level, start, years, region_ent):
        authority, prefix = authority_for(level, region_ent.city, region_ent.county)
        id_number = None
        if subject_type == "person":
            born = dt.date(rng.randint(1962, 1990), rng.randint(1, 12), rng.randint(1, 28))
            id_number = codes.make_id_number(
                rng, region_ent.county if region_ent.county != "620200" else "620201", born
            )
        out.append(
            Ban(
                key=f"JR{len(out) + 1:04d}",
                subject_type=subject_type,
                name=name,
                enterprise=ent,
                id_number=id_number,
                ban_type=ban_type,
                scope=scope,
                reason=reason,
                authority=authority,
                decision_no=f"{prefix}〔{start.year}〕{serials.take(prefix, start.year)}号",
                start_on=start,
                end_on=None if years is None else codes.add_years(start, years) - dt.timedelta(days=1),
                region=region_ent.county,
            )
        )

    for acc in world.accidents:
        ent = acc.enterprise
        start = acc.approved_on + dt.timedelta(days=rng.randint(20, 60))
        if acc.grade in ("特别重大", "重大"):
            add(
                "person",
                ent.principal,
                None,
                "行业禁入",
                "终身不得担任本行业生产经营单位的主要负责人",
                f"对{acc.short}负有责任",
                "province",
                start,
                None,
                ent,
            )
        elif (
            acc.grade == "较大"
            and acc.measures
            and acc.measures[0].subject == ent.principal
            and len(out) < target * 2 // 3
        ):
            add(
                "person",
                ent.principal,
                None,
                "行业禁入",
                "五年内不得担任任何生产经营单位的主要负责人",
                f"对{acc.short}负有责任，受刑事处罚",
                "city",
                start,
                5,
                ent,
            )
    for entry in world.blacklist:
        if len(out) >= target:
            break
        if entry.subject_type == "agency":
            severe = rng.random() < 0.4
            start = entry.listed_on
            add(
                "agency",
                entry.name,
                entry.enterprise,
                "行业禁入",
                "终身不得从事安全评价、认证、检测、检验工作"
                if severe
                else "五年内不得从事安全评价、认证、检测、检验工作",
                entry.reason,
                "province",
                start,
                None if severe else 5,
                entry.enterprise,
            )
            add(
                "person",
                names.masked_person(rng),
                None,
                "职业禁入",
                "终身不得从事安全评价、认证、检测、检验工作"
                if severe
                else "五年内不得从事安全评价、认证、检测、检验工作",
                f"作为{entry.name}直接责任人员，{entry.reason}",
                "province",
                start,
                None if severe else 5,
                entry.enterprise,
            )
    world.bans = sorted(out[:target], key=lambda b: (b.start_on, b.key))
