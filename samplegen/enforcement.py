"""Sample sources for 执法信息公开: 行政处罚决定 and 双随机抽查结果.

- gs-yjt-penalties: the province's 行政处罚决定书 pages (TRS list + detail pages; every level's
  decisions except Lanzhou's), one page per decision, the text in the national 文书 layout.
- lz-yjj-penalties: Lanzhou's 行政执法公示 export (双公示 columns), CSV in GBK, fines in 万元.
- gs-yjt-inspections: the province's 双随机抽查结果 workbook (XLSX, merged title row).
- jq-yjj-inspections: Jiuquan's 抽查结果公示 announcements (html_table), other result wording.

Decisions that follow an accident are taken from world.accidents (the enterprise's decision is
the one the credit records already hold, where they hold it), so the ETL can link them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import codes, files, names, phrases
from .reports import SAMPLE_NOTE
from .sites import BANNER, gs_detail, gs_list, gs_path, pages_of
from .world import Accident, Enterprise, World, authority_for, rng_for

SOURCES: dict[str, tuple[str, str]] = {
    "gs-yjt-penalties": ("penalties", "html_list"),
    "lz-yjj-penalties": ("penalties", "csv"),
    "gs-yjt-inspections": ("inspections", "xlsx"),
    "jq-yjj-inspections": ("inspections", "html_table"),
}
LANZHOU, JIUQUAN = "620100", "620900"
PENALTIES_LIST_SIZE = 15
JQ_LIST_SIZE = 10


@dataclass
class Penalty:
    key: str
    source_id: str
    decision_no: str
    party_type: str  # enterprise | person
    enterprise: Enterprise  # the party, or the person's unit
    facts: str
    basis: str
    warning: bool
    suspend: bool  # 责令停产停业整顿
    fine_yuan: float | None
    decided_on: dt.date
    authority: str
    authority_region: str
    person: str | None = None  # masked name of a person party
    position: str | None = None  # the person's post in the unit
    accident: Accident | None = None
    accident_ref: str | None = None  # as the decision writes it
    money_style: str = "upper"  # how the amount is written: upper | upper_only | wan | yuan
    shown_no: str | None = None  # the 文号 as printed, when it differs (None: as decision_no)
    uscc_shown: str | None = "registry"  # "registry", a printed form, or None (not printed)
    planted: list[str] = field(default_factory=list)
    path: str = ""


@dataclass
class Inspection:
    key: str
    source_id: str
    task: str
    enterprise: Enterprise
    inspected_on: dt.date
    authority: str
    authority_region: str
    result: str  # no_problem | problems | not_found | closed
    result_text: str
    problems: list[str]
    count_style: str  # enumerated | stated | single
    rectification: str | None
    uscc_shown: str | None = "registry"
    date_style: str = "iso"
    planted: list[str] = field(default_factory=list)


# --- build -------------------------------------------------------------------------------


def build(world: World) -> None:
    penalties = _PenaltyBuilder(world).build()
    inspections = _InspectionBuilder(world).build()
    world.extra["enforcement"] = penalties + inspections
    appearances = world.extra.setdefault("appearances", [])
    appearances += [(p.enterprise, p.source_id) for p in penalties]
    appearances += [(i.enterprise, i.source_id) for i in inspections]


def penalties_of(world: World) -> list[Penalty]:
    return [p for p in world.extra.get("enforcement", []) if isinstance(p, Penalty)]


def inspections_of(world: World) -> list[Inspection]:
    return [i for i in world.extra.get("enforcement", []) if isinstance(i, Inspection)]


class _PenaltyBuilder:
    """Decisions: after accidents (unit and 主要负责人), and routine ones after inspections."""

    def __init__(self, world: World):
        self.world, self.rng = world, rng_for(world.seed, "penalties")
        self.as_of = world.profile.as_of
        self.target = world.profile.extra_counts.get("penalties", 40)
        self.out: list[Penalty] = []
        self.serial: dict[tuple[str, int], int] = {}
        for r in world.records:  # new decisions number on after the credit records' ones
            m = re.match(r"(.+)〔(\d{4})〕(\d+)号", r.decision_no)
            if m:
                k = (m.group(1), int(m.group(2)))
                self.serial[k] = max(self.serial.get(k, 0), int(m.group(3)))

    def build(self) -> list[Penalty]:
        n_accident = max(3, self.target // 4)
        n_person = max(2, self.target // 20)
        self._accidents(n_accident)
        self._persons(n_person)
        self._routine(self.target - len(self.out))
        self._plant()
        self.out.sort(key=lambda p: (p.decided_on, p.key), reverse=True)
        return self.out

    def number(self, prefix: str, year: int) -> str:
        n = self.serial.get((prefix, year), 0) + self.rng.randint(1, 4)
        self.serial[(prefix, year)] = n
        return f"{prefix}〔{year}〕{n}号"

    def add(self, ent: Enterprise, level: str, decided: dt.date, **kw) -> Penalty:
        authority, prefix = authority_for(level, ent.city, ent.county)
        kw.setdefault("decision_no", self.number(prefix, decided.year))
        p = Penalty(
            key=f"CF{len(self.out) + 1:05d}",
            source_id="lz-yjj-penalties" if ent.city == LANZHOU else "gs-yjt-penalties",
            enterprise=ent,
            decided_on=decided,
            authority=kw.pop("authority", authority),
            authority_region=_authority_region(level, ent),
            **kw,
        )
        self.out.append(p)
        return p

    def _candidates(self) -> list[tuple[Accident, float]]:
        found = []
        for acc in self.world.accidents:
            fine = next(
                (
                    m.fine_yuan
                    for m in acc.measures
                    if m.subject == acc.enterprise_name and m.measure_type == "行政处罚"
                ),
                None,
            )
            if fine and acc.approved_on + dt.timedelta(days=60) <= self.as_of:
                found.append((acc, fine))
        return found

    def _accidents(self, n: int) -> None:
        rng, records = self.rng, self.world.records
        pool = self._candidates()
        chosen = sorted(rng.sample(pool, min(n, len(pool))), key=lambda c: c[0].key)
        for i, (acc, fine) in enumerate(chosen):
            record = next(
                (
                    r
                    for r in records
                    if r.enterprise is acc.enterprise and r.record_type == "行政处罚" and acc.short in r.facts
                ),
                None,
            )
            # Lanzhou's export names the accident by its short name only.
            ref_style = "short" if acc.enterprise.city == LANZHOU else ("short", "year", "doc")[i % 3]
            ref, sentence = _accident_sentence(acc, ref_style, "你单位")
            level = _level_of(acc)
            new_law = acc.occurred.date() >= dt.date(2021, 9, 1)
            basis = "《中华人民共和国安全生产法》" + ("第一百一十四条" if new_law else "第一百零九条")
            kw = dict(
                party_type="enterprise",
                facts=f"经查，{codes.date_text(acc.occurred.date(), 'cn')}，你单位发生{acc.short}。{sentence}",
                basis=basis,
                warning=False,
                suspend=False,
                fine_yuan=fine,
                accident=acc,
                accident_ref=ref,
                money_style=rng.choice(("upper", "upper", "wan")),
            )
            if record is not None:  # the same decision the credit records publish
                kw.update(
                    decision_no=record.decision_no,
                    authority=record.authority,
                    basis=record.basis,
                    fine_yuan=record.fine_yuan,
                )
                decided = record.decided_on
            else:
                decided = acc.approved_on + dt.timedelta(days=rng.randint(20, 60))
            p = self.add(acc.enterprise, level, decided, **kw)
            if record is not None:
                p.authority_region = _region_of_authority(record.authority, acc.enterprise)

    def _persons(self, n: int) -> None:
        """主要负责人 fined for the accident (安全生产法 第九十五条 since 2021, before 第九十二条)."""
        rng = self.rng
        pool = []
        for acc in self.world.accidents:
            m = next(
                (
                    m
                    for m in acc.measures
                    if m.subject == acc.enterprise.principal and m.measure_type == "行政处罚" and m.fine_yuan
                ),
                None,
            )
            if m and acc.approved_on + dt.timedelta(days=60) <= self.as_of and not acc.enterprise_shown:
                pool.append((acc, m))
        pool.sort(key=lambda c: c[0].key)
        lanzhou = [c for c in pool if c[0].enterprise.city == LANZHOU]
        others = [c for c in pool if c[0].enterprise.city != LANZHOU]
        chosen = rng.sample(others, 1) + (rng.sample(lanzhou, 1) if lanzhou else [])
        rest = [c for c in pool if c not in chosen]
        chosen += rng.sample(rest, max(0, min(n - len(chosen), len(rest))))
        for acc, m in chosen[:n]:
            ent = acc.enterprise
            new_law = acc.occurred.date() >= dt.date(2021, 9, 1)
            ref, _ = _accident_sentence(acc, "short", "你")
            self.add(
                ent,
                _level_of(acc),
                acc.approved_on + dt.timedelta(days=rng.randint(25, 60)),
                party_type="person",
                person=ent.principal,
                position=ent.principal_title,
                facts=(
                    f"经查，你作为{ent.name}{ent.principal_title}，未履行安全生产管理职责，"
                    f"导致发生{acc.short}。"
                ),
                basis="《中华人民共和国安全生产法》" + ("第九十五条" if new_law else "第九十二条"),
                warning=False,
                suspend=False,
                fine_yuan=m.fine_yuan,
                accident=acc,
                accident_ref=ref,
                money_style="upper",
            )

    def _routine(self, n: int) -> None:
        rng, as_of = self.rng, self.as_of
        reused = [r for r in self.world.records if r.record_type == "行政处罚" and "负有责任" not in r.facts]
        taken = {p.decision_no for p in self.out}
        reused = [r for r in reused if r.decision_no not in taken]
        reuse = rng.sample(reused, min(len(reused), n // 2))
        for r in sorted(reuse, key=lambda r: r.key):
            self.add(
                r.enterprise,
                "city",
                r.decided_on,
                decision_no=r.decision_no,
                authority=r.authority,
                party_type="enterprise",
                facts=_inspection_facts(rng, r.decided_on, r.facts),
                basis=r.basis,
                warning="警告" in r.category,
                suspend=False,
                fine_yuan=r.fine_yuan,
                money_style=rng.choice(("upper", "wan", "yuan")),
            ).authority_region = _region_of_authority(r.authority, r.enterprise)
        producers = [e for e in self.world.enterprises if e.industry not in ("道路运输",)]
        for _ in range(n - len(reuse)):
            ent = rng.choice(producers)
            if ent.city != LANZHOU and rng.random() < 0.3:  # Lanzhou's share of decisions
                ent = rng.choice([e for e in producers if e.city == LANZHOU] or producers)
            violation, basis = rng.choice(phrases.VIOLATIONS)
            decided = dt.date(rng.randint(2022, 2026), rng.randint(1, 12), rng.randint(1, 28))
            if decided > as_of:
                decided = decided.replace(year=2025)
            self.add(
                ent,
                rng.choice(("city", "county", "county")),
                decided,
                party_type="enterprise",
                facts=_inspection_facts(rng, decided, violation),
                basis=basis,
                warning=rng.random() < 0.25,
                suspend=False,
                fine_yuan=float(rng.randint(1, 9) * 10000 + rng.choice((0, 0, 5000))),
                money_style=rng.choice(("upper", "upper", "wan", "yuan")),
            )

    def _plant(self) -> None:
        """Publicity edge cases (etl/rules/publicity.py) and printing quirks on new decisions."""
        new = [p for p in self.out if p.accident is None and p.party_type == "enterprise"]
        html = [p for p in new if p.source_id == "gs-yjt-penalties" and not _reused(self.world, p)]
        csv = [p for p in new if p.source_id == "lz-yjj-penalties"]
        edges = (
            ("publicity_ends_on_as_of", dt.date(2023, 6, 30), False, False),  # 3 years → 2026-06-30
            ("publicity_minor_3_months", dt.date(2026, 5, 8), True, False),  # 警告 only, order 36
            ("publicity_serious", dt.date(2024, 11, 12), False, True),  # 停产停业整顿
            ("publicity_expired_1_year", dt.date(2022, 8, 16), False, False),  # before 2023-05-01
        )
        for p, (case, day, minor, serious) in zip(html, edges):
            prefix = p.decision_no.split("〔")[0]
            p.decided_on, p.decision_no = day, self.number(prefix, day.year)
            p.facts = _inspection_facts(self.rng, day, p.facts.split("你单位", 2)[-1].rstrip("。"))
            if minor:
                p.warning, p.fine_yuan, p.basis = True, None, "《安全生产违法行为行政处罚办法》"
            if serious:
                p.suspend, p.fine_yuan = True, 150000.0
                p.facts = p.facts.rstrip("。") + "，经责令限期改正，逾期未改正。"
                p.basis = "《中华人民共和国安全生产法》第九十七条"
            p.planted.append(case)
        if len(html) > 5:
            html[4].uscc_shown = codes.fullwidth(html[4].enterprise.uscc)
            html[4].planted.append("fullwidth_uscc")
            html[5].uscc_shown = None
            html[5].planted.append("uscc_missing")
        if len(csv) > 4:
            csv[0].uscc_shown = codes.fullwidth(csv[0].enterprise.uscc)
            csv[0].planted.append("fullwidth_uscc")
            csv[1].planted.append("date_dots")
            csv[2].money_style = "upper_only"
            csv[2].planted.append("fine_in_words_only")
            csv[3].planted.append("duplicate_row")


def _reused(world: World, p: Penalty) -> bool:
    return any(r.decision_no == p.decision_no for r in world.records)


def _level_of(acc: Accident) -> str:
    return "province" if acc.grade in ("特别重大", "重大") else "city" if acc.grade == "较大" else "county"


def _authority_region(level: str, ent: Enterprise) -> str:
    if level == "province":
        return "620000"
    return ent.city if level == "city" or ent.county == ent.city else ent.county


def _region_of_authority(authority: str, ent: Enterprise) -> str:
    if authority.startswith("甘肃省"):
        return "620000"
    if authority.startswith(names.city_name(ent.city)) or ent.county == ent.city:
        return ent.city
    return ent.county


def _accident_sentence(acc: Accident, style: str, you: str) -> tuple[str, str]:
    """(the reference as the decision writes it, the sentence that carries it)."""
    if style == "doc":
        return acc.doc_no, (
            f"根据《{acc.approver}关于{acc.title}的批复》（{acc.doc_no}），{you}对该起事故的发生负有责任。"
        )
    if style == "year":
        d = acc.occurred
        ref = f"“{d.year}·{d.month}·{d.day}”{acc.grade_stated}{acc.type_word}事故"
        return ref, f"经调查认定，{you}对{ref}负有责任。"
    return acc.short, f"经调查认定，{you}对{acc.short}的发生负有责任。"


def _inspection_facts(rng, decided: dt.date, violation: str) -> str:
    checked = decided - dt.timedelta(days=rng.randint(20, 70))
    return f"经查，{codes.date_text(checked, 'cn')}，本机关执法人员对你单位进行执法检查时发现，你单位{violation}。"


class _InspectionBuilder:
    """双随机 inspections: the province's workbook (every 市州 but Jiuquan, plus provincial tasks)
    and Jiuquan's announcements; some enterprises are found with problems twice."""

    SECTORS = {  # industry → the task's sector word
        "煤矿": "煤矿",
        "非煤矿山": "非煤矿山",
        "危险化学品": "危险化学品",
        "冶金": "冶金工贸",
        "有色": "冶金工贸",
        "工贸": "工贸",
        "烟花爆竹": "烟花爆竹",
        "燃气": "燃气",
        "技术服务": "安全评价检测检验机构",
    }

    def __init__(self, world: World):
        self.world, self.rng = world, rng_for(world.seed, "inspections")
        self.as_of = world.profile.as_of
        self.target = world.profile.extra_counts.get("inspections", 60)
        self.out: list[Inspection] = []
        pool = [e for e in world.enterprises if e.industry in self.SECTORS]
        self.gs_pool = [e for e in pool if e.city != JIUQUAN]
        self.jq_pool = [e for e in pool if e.city == JIUQUAN]

    def build(self) -> list[Inspection]:
        rng = self.rng
        n_jq = self.target * 2 // 5
        n_gs = self.target - n_jq
        repeats = max(2, self.target // 20)
        # Found with problems twice: within the workbook, and across the workbook and Jiuquan.
        for ent in rng.sample(self.gs_pool, repeats - 1):
            self.add(ent, "gs", dt.date(2025, rng.randint(3, 6), rng.randint(1, 28)), "problems", ["repeat"])
            self.add(ent, "gs", dt.date(2026, rng.randint(3, 6), rng.randint(1, 28)), "problems", ["repeat"])
        ent = rng.choice(self.jq_pool)
        self.add(ent, "gs", dt.date(2025, 4, rng.randint(1, 28)), "problems", ["repeat"], provincial=True)
        self.add(ent, "jq", dt.date(2025, 11, rng.randint(1, 28)), "problems", ["repeat"])
        ent = rng.choice([e for e in self.gs_pool if all(e is not i.enterprise for i in self.out)])
        self.add(ent, "gs", dt.date(2025, 5, rng.randint(1, 28)), "problems", ["recheck_clean"])
        self.add(ent, "gs", dt.date(2026, 5, rng.randint(1, 28)), "no_problem", ["recheck_clean"])
        for agency in self.world.agencies[:2]:
            self.add(agency, "gs", dt.date(2025, 9, rng.randint(1, 28)), self._result(), provincial=True)
        while sum(i.source_id == "gs-yjt-inspections" for i in self.out) < n_gs:
            self.add(
                rng.choice(self.gs_pool), "gs", self._day(), self._result(), provincial=rng.random() < 0.2
            )
        while sum(i.source_id == "jq-yjj-inspections" for i in self.out) < n_jq:
            self.add(rng.choice(self.jq_pool), "jq", self._day(), self._result())
        self._ensure_every_result()
        self._plant()
        self.out.sort(key=lambda i: (i.inspected_on, i.key))
        return self.out

    def _day(self) -> dt.date:
        rng = self.rng
        day = dt.date(rng.choice((2025, 2025, 2026)), rng.randint(3, 11), rng.randint(1, 28))
        return day if day <= self.as_of else day.replace(year=2025)

    def _result(self) -> str:
        return self.rng.choices(("no_problem", "problems", "not_found", "closed"), (35, 50, 7, 8))[0]

    def add(self, ent, where, day, result, planted=(), provincial=False) -> Inspection:
        rng = self.rng
        source_id = "gs-yjt-inspections" if where == "gs" else "jq-yjj-inspections"
        if provincial:
            authority, region = "甘肃省应急管理厅", "620000"
        elif rng.random() < 0.5 or ent.county == ent.city:
            authority, region = f"{names.city_name(ent.city)}应急管理局", ent.city
        else:
            authority, region = f"{names.county_name(ent.county)}应急管理局", ent.county
        sector = self.SECTORS[ent.industry]
        half = "上半年" if day.month <= 6 else "下半年"
        task = (
            f"{day.year}年{half}{sector}企业安全生产“双随机、一公开”抽查"
            if where == "gs"
            else f"{day.year}年{sector}行业安全生产监管执法双随机抽查"
        )
        if sector == "安全评价检测检验机构":
            task = f"{day.year}年安全评价检测检验机构“双随机、一公开”抽查"
        problems = rng.sample(PROBLEMS, rng.choice((1, 2, 2, 3))) if result == "problems" else []
        styles = ("enumerated", "single") if where == "gs" else ("stated", "separated")
        style = "single" if len(problems) == 1 else styles[0] if rng.random() < 0.6 else styles[1]
        if style == "single" and len(problems) > 1:
            style = styles[0]
        i = Inspection(
            key=f"SJ{len(self.out) + 1:05d}",
            source_id=source_id,
            task=task,
            enterprise=ent,
            inspected_on=day,
            authority=authority,
            authority_region=region,
            result=result,
            result_text=rng.choice(RESULT_WORDS[where][result]),
            problems=problems,
            count_style=style,
            rectification=_rectification(rng, result, day, where),
            date_style=rng.choice(
                ("iso", "iso", "cn", "slash") if where == "jq" else ("cell",) * 4 + ("cn",)
            ),
            planted=list(planted),
        )
        self.out.append(i)
        return i

    def _ensure_every_result(self) -> None:
        """Each source shows every result at least once (the wordings differ by source)."""
        for source_id in ("gs-yjt-inspections", "jq-yjj-inspections"):
            where = "gs" if source_id.startswith("gs") else "jq"
            rows = [i for i in self.out if i.source_id == source_id and not i.planted]
            for result, row in zip(("not_found", "closed", "no_problem"), rows[-3:]):
                if not any(i.result == result for i in self.out if i.source_id == source_id):
                    row.result, row.problems = result, []
                    row.result_text = RESULT_WORDS[where][result][0]
                    row.rectification = _rectification(self.rng, result, row.inspected_on, where)

    def _plant(self) -> None:
        gs = [i for i in self.out if i.source_id == "gs-yjt-inspections" and not i.planted]
        jq = [i for i in self.out if i.source_id == "jq-yjj-inspections" and not i.planted]
        gs[0].uscc_shown = codes.fullwidth(gs[0].enterprise.uscc)
        gs[0].planted.append("fullwidth_uscc")
        gs[1].uscc_shown = None
        gs[1].planted.append("uscc_missing")
        gs[2].date_style = "dot"
        gs[2].planted.append("date_dots")
        jq[0].date_style = "dot"
        jq[0].planted.append("date_dots")
        jq[1].uscc_shown = "—"
        jq[1].planted.append("uscc_dash")


# Results as each source words them (the ETL maps them to the contract's codes).
RESULT_WORDS = {
    "gs": {
        "no_problem": ("未发现问题", "未发现问题"),
        "problems": ("发现问题", "发现问题，责令整改"),
        "not_found": ("未找到检查对象",),
        "closed": ("已关闭",),
    },
    "jq": {
        "no_problem": ("未发现问题", "正常"),
        "problems": ("发现问题，已责令限期整改", "存在问题，已下达整改指令书"),
        "not_found": ("查无下落",),
        "closed": ("已停产",),
    },
}
PROBLEMS = (
    "部分从业人员安全生产教育和培训记录不全",
    "生产安全事故应急救援预案未按规定组织演练",
    "安全警示标志设置不规范",
    "有限空间作业审批制度未落实",
    "部分消防器材过期未更换",
    "特种作业人员操作证过期",
    "事故隐患排查治理台账记录不完整",
    "配电箱未安装漏电保护器",
    "危险化学品储存场所通风设施故障",
    "安全设备维护保养记录缺失",
    "劳动防护用品配备不足",
    "安全出口指示标志损坏",
)


def _rectification(rng, result: str, day: dt.date, where: str) -> str | None:
    if result != "problems":
        return "/" if where == "gs" else ""
    due = day + dt.timedelta(days=rng.choice((15, 30, 30, 60)))
    if where == "gs":
        return rng.choice(("已整改完毕", "已整改完毕", f"正在整改，整改期限至{codes.date_text(due, 'cn')}"))
    return rng.choice((f"已下达责令限期整改指令书，限期至{codes.date_text(due, 'cn')}", "已复查，整改完毕"))


def problems_text(i: Inspection) -> str:
    if not i.problems:
        return "无" if i.result == "no_problem" and i.source_id == "gs-yjt-inspections" else ""
    if i.count_style == "enumerated":
        return "；".join(f"{n}.{p}" for n, p in enumerate(i.problems, 1))
    if i.count_style == "stated":
        return f"发现一般事故隐患{len(i.problems)}项：" + "、".join(i.problems)
    return "；".join(i.problems)


# --- write -------------------------------------------------------------------------------


def write(world: World, out: Path) -> dict:
    penalties, inspections = penalties_of(world), inspections_of(world)
    _write_gs_penalties(world, out, [p for p in penalties if p.source_id == "gs-yjt-penalties"])
    lz_rejected = _write_lz_penalties(world, out, [p for p in penalties if p.source_id == "lz-yjj-penalties"])
    gs_rejected = _write_gs_inspections(
        world, out, [i for i in inspections if i.source_id == "gs-yjt-inspections"]
    )
    jq_rejected = _write_jq_inspections(
        world, out, [i for i in inspections if i.source_id == "jq-yjj-inspections"]
    )
    repeated = {}
    for i in inspections:
        if i.result == "problems":
            repeated.setdefault(i.enterprise.key, []).append(i)
    return {
        "counts": {"penalties": len(penalties), "inspections": len(inspections)},
        "truth": {
            "penalties": [_penalty_truth(p, world.profile.as_of) for p in penalties],
            "penalty_rejects": lz_rejected + [_NOTE_REJECT],
            "inspections": [_inspection_truth(i) for i in inspections],
            "inspection_rejects": gs_rejected + jq_rejected,
            "inspections_repeated_problems": [
                {
                    "enterprise_key": key,
                    "name": rows[0].enterprise.name,
                    "uscc": rows[0].enterprise.uscc,
                    "count": len(rows),
                }
                for key, rows in sorted(repeated.items())
                if len(rows) > 1
            ],
        },
    }


_NOTE_TITLE = "关于行政处罚决定信息公开有关事项的说明"
_NOTE_REJECT = {
    "source_id": "gs-yjt-penalties",
    "where": _NOTE_TITLE,
    "reason": "缺少必填字段：决定书文号",
}


def _money(yuan: float, style: str) -> str:
    whole = int(yuan)
    if style == "upper":
        return f"人民币{codes.cn_money_upper(whole)}（￥{whole:,}元）"
    if style == "upper_only":
        return f"人民币{codes.cn_money_upper(whole)}"
    if style == "wan":
        return f"人民币{wan(whole)}万元"
    return f"人民币{whole}元"


def wan(yuan: float) -> str:
    """An amount in 万元 without rounding: 204000 → 20.4, 1690000 → 169."""
    return f"{yuan / 10000:.4f}".rstrip("0").rstrip(".")


def penalty_text(p: Penalty) -> str:
    """处罚内容 as printed: 警告 / 责令停产停业整顿 / 罚款 with the amount."""
    parts = []
    if p.warning:
        parts.append("警告")
    if p.suspend:
        parts.append("责令停产停业整顿")
    if p.fine_yuan:
        parts.append(("并处" if parts else "") + "罚款" + _money(p.fine_yuan, p.money_style))
    return "，".join(parts)


def _write_gs_penalties(world: World, out: Path, items: list[Penalty]) -> None:
    root, seed = out / "gs-yjt-penalties", world.seed
    listed: list[tuple[str, str, dt.date]] = []
    for n, p in enumerate(items):
        rng = rng_for(seed, "penalty-page", p.key)
        published = min(p.decided_on + dt.timedelta(days=rng.randint(2, 9)), world.profile.as_of)
        doc_id = 8_100_000 + int(p.key[2:]) * 149
        p.path = gs_path(published, doc_id)
        party = p.person if p.party_type == "person" else p.enterprise.name
        title = (
            f"{p.authority}行政处罚决定书（{p.decision_no}）"
            if rng.random() < 0.6
            else f"{party if p.party_type == 'enterprise' else p.authority}行政处罚决定书"
        )
        meta = [("索引号", f"620000-GSD0122-16-001/{published.year}-{doc_id % 10000:05d}")]
        meta.append(("发布机构", "甘肃省应急管理厅" if rng.random() < 0.5 else p.authority))
        if n == 1:  # the 文号 only in the text
            p.planted.append("decision_no_only_in_body")
        elif n == 2:
            p.shown_no = p.decision_no.replace("〔", "[").replace("〕", "]")
            p.planted.append("decision_no_square_brackets")
            meta.append(("文号", p.shown_no))
        else:
            meta.append(("文号", p.decision_no))
        if rng.random() < 0.4:
            meta.append(("成文日期", p.decided_on.isoformat()))
        meta.append(("发布日期", published.isoformat()))
        if n == 3:
            p.planted.append("signature_date_upper")
        files.write_text(
            root / p.path, gs_detail(title, "行政处罚决定", meta, _decision_html(p, rng, n == 3), [])
        )
        listed.append((p.path, title, published))
    note_day = world.profile.as_of - dt.timedelta(days=20)
    note_path = gs_path(note_day, 8_099_999)
    note_body = (
        f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">根据《中华人民共和国行政处罚法》'
        "《中华人民共和国政府信息公开条例》等规定，本栏目公开本厅及市州、县区应急管理部门作出的具有一定社会影响的"
        "行政处罚决定。公开内容涉及个人隐私的，已作去标识化处理。</p>"
    )
    files.write_text(
        root / note_path,
        gs_detail(
            _NOTE_TITLE,
            "行政处罚决定",
            [("发布机构", "甘肃省应急管理厅"), ("发布日期", note_day.isoformat())],
            note_body,
            [],
        ),
    )
    world.plant(
        "not_a_decision",
        "gs-yjt-penalties",
        note_path,
        "a notice in the list that is no decision: rejected (缺少必填字段：决定书文号)",
    )
    listed.append((note_path, _NOTE_TITLE, note_day))
    listed.sort(key=lambda item: (item[2], item[0]), reverse=True)
    pages = pages_of(listed, PENALTIES_LIST_SIZE)
    for n, page in enumerate(pages):
        html = gs_list(page, n, len(pages), len(listed), "行政处罚决定")
        files.write_text(root / ("index.html" if n == 0 else f"index_{n}.html"), html)
    for p in items:
        for case in p.planted:
            world.plant(case, "gs-yjt-penalties", p.path, PENALTY_PLANTS[case])
    world.plant(
        "legal_representative",
        "gs-yjt-penalties",
        "every enterprise decision",
        "the 当事人 block prints 法定代表人 and a (masked) phone number; the ETL never maps either",
    )


PENALTY_PLANTS = {
    "publicity_ends_on_as_of": "decided 2023-06-30 (order 58: at most 3 years): publicity ends on 2026-06-30",
    "publicity_minor_3_months": "警告 only, decided after 2026-04-01 (order 36): publicity 3 months",
    "publicity_serious": "责令停产停业整顿 with a fine: a serious penalty (3 years)",
    "publicity_expired_1_year": "decided before 2023-05-01, ordinary: publicity 1 year, long over",
    "fullwidth_uscc": "统一社会信用代码 printed in full-width characters",
    "uscc_missing": "the 当事人 block prints no 统一社会信用代码",
    "decision_no_only_in_body": "no 文号 in the metadata block; the decision text carries it",
    "decision_no_square_brackets": "metadata 文号 printed with [2024] brackets; normalized to 〔〕",
    "signature_date_upper": "decision date in the signature written 二〇二五年三月五日",
    "unmasked_id_number": "the person's block prints a full 身份证号码: hidden on load, never stored",
    "date_dots": "decision date printed 2025.3.5",
    "fine_in_words_only": "处罚内容 gives the fine in 大写 only and the 万元 column is empty",
    "duplicate_row": "the row is repeated with the same 文号: one record, the copy rejected as 重复记录",
}


def _decision_html(p: Penalty, rng, upper_date: bool) -> str:
    you = "你" if p.party_type == "person" else "你单位"
    ent = p.enterprise
    lines = [
        f'<p style="text-align:center"><strong>{escape(p.authority)}</strong></p>',
        '<p style="text-align:center"><strong>行政处罚决定书</strong></p>',
        f'<p style="text-align:right">{escape(p.decision_no)}</p>',
        f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>',
    ]
    if p.party_type == "person":
        born = dt.date(rng.randint(1965, 1988), rng.randint(1, 12), rng.randint(1, 28))
        id_number = codes.make_id_number(rng, ent.county, born)
        p.planted.append("unmasked_id_number")
        lines += [
            f"<p>被处罚人：{escape(p.person)}　　性别：男　　身份证号码：{id_number}</p>",
            f"<p>工作单位：{escape(ent.name)}　　职务：{escape(p.position)}</p>",
        ]
    else:
        label = "当事人" if rng.random() < 0.6 else "被处罚单位"
        county = names.county_name(ent.county)
        place = county if ent.county == ent.city else names.city_name(ent.city) + county
        lines.append(f"<p>{label}：{escape(ent.name)}</p>")
        if p.uscc_shown:
            shown = ent.uscc if p.uscc_shown == "registry" else p.uscc_shown
            lines.append(f"<p>统一社会信用代码：{shown}</p>")
        lines += [
            f"<p>地址：甘肃省{place}示例路{rng.randint(1, 300)}号</p>",
            f"<p>法定代表人：{escape(ent.legal_rep)}　　职务：{rng.choice(('董事长', '执行董事', '总经理'))}"
            f"　　联系电话：1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(1000, 9999)}</p>",
        ]
    lines.append(
        f'<p style="text-indent:2em">违法事实及证据：{escape(p.facts)}以上事实有现场检查记录、询问笔录、'
        "现场照片等证据为证。</p>"
    )
    penalty = penalty_text(p)
    decided = (
        f"决定给予{you}{penalty}的行政处罚。"
        if rng.random() < 0.5
        else f"本机关决定对{you}作出如下行政处罚：{penalty}。"
    )
    lines.append(
        f'<p style="text-indent:2em">{you}的上述行为违反了《中华人民共和国安全生产法》的有关规定，'
        f"依据{escape(p.basis)}的规定，{escape(decided)}</p>"
    )
    if p.fine_yuan:
        lines.append(
            '<p style="text-indent:2em">罚款限于收到本决定书之日起十五日内缴至指定银行。逾期不缴纳罚款的，'
            "本机关可以每日按罚款数额的百分之三加处罚款。</p>"
        )
    review = (
        "甘肃省人民政府"
        if p.authority.startswith("甘肃省")
        else p.authority.replace("应急管理局", "人民政府")
    )
    lines.append(
        f'<p style="text-indent:2em">如不服本行政处罚决定，可以依法在六十日内向{escape(review)}申请行政复议，'
        "或者在六个月内依法向人民法院提起行政诉讼，但本决定不停止执行，法律另有规定的除外。</p>"
    )
    day = codes.date_text(p.decided_on, "upper" if upper_date else "cn")
    lines.append(f'<p style="text-align:right">{escape(p.authority)}<br>{day}</p>')
    return "\n".join(lines)


LZ_HEADER = [
    "序号",
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "处罚决定书文号",
    "违法行为类型",
    "处罚依据",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚机关",
]


def _write_lz_penalties(world: World, out: Path, items: list[Penalty]) -> list[dict]:
    """Lanzhou's 行政执法公示 export: GBK CSV with a title line, fines in 万元; one row lacks its 文号."""
    rng = rng_for(world.seed, "lz-penalties")
    rows, seq = [[f"兰州市应急管理局行政处罚信息公示{SAMPLE_NOTE}"], LZ_HEADER], 0
    for p in sorted(items, key=lambda p: (p.decided_on, p.key)):
        seq += 1
        rows.append(_lz_row(p, seq, rng))
        if "duplicate_row" in p.planted:  # merged exports repeat rows
            rows.append(list(rows[-1]))
    # A decision whose 文号 cell is empty: not loadable (决定书文号 identifies a decision).
    ent = next(e for e in world.enterprises if e.city == LANZHOU)
    violation, basis = phrases.VIOLATIONS[0]
    lost = Penalty(
        key="CF-NO-NUMBER",
        source_id="lz-yjj-penalties",
        decision_no="",
        party_type="enterprise",
        enterprise=ent,
        facts=violation,
        basis=basis,
        warning=False,
        suspend=False,
        fine_yuan=20000.0,
        decided_on=dt.date(2025, 9, 18),
        authority="兰州市应急管理局",
        authority_region=LANZHOU,
        money_style="wan",
    )
    seq += 1
    rows.append(_lz_row(lost, seq, rng))
    world.extra.setdefault("appearances", []).append((ent, "lz-yjj-penalties"))
    world.plant("missing_decision_no", "lz-yjj-penalties", f"序号 {seq}", "处罚决定书文号 empty: rejected")
    world.plant("title_line", "lz-yjj-penalties", "line 1", "a title line above the header (header_row 1)")
    world.plant(
        "amounts_in_wan",
        "lz-yjj-penalties",
        "罚款金额（万元）",
        "fines in 万元 (3 = 30000 元); 处罚内容 in 元, 万元 or 大写; warnings print 0",
    )
    world.plant(
        "legal_representative",
        "lz-yjj-penalties",
        "法定代表人",
        "a 法定代表人 column: deliberately ignored (never mapped, never published)",
    )
    world.plant(
        "person_party",
        "lz-yjj-penalties",
        "行政相对人类别 自然人",
        "a 主要负责人 fined as a person: masked name, unit read from 违法行为类型 (作为…公司矿长)",
    )
    for p in items:
        for case in p.planted:
            world.plant(case, "lz-yjj-penalties", f"文号 {p.decision_no}", PENALTY_PLANTS[case])
    files.write_text(out / "lz-yjj-penalties" / "lz-yjj-penalties.csv", files.csv_text(rows), "gbk")
    return [
        {"source_id": "lz-yjj-penalties", "where": f"序号 {seq}", "reason": "缺少必填字段：决定书文号"}
    ] + [
        {"source_id": "lz-yjj-penalties", "where": f"文号 {p.decision_no}", "reason": "重复记录"}
        for p in items
        if "duplicate_row" in p.planted
    ]


def facts_shown(p: Penalty) -> str:
    """违法事实 as the source prints it: the decision's text, or the export's short 违法行为类型."""
    if p.source_id != "lz-yjj-penalties":
        return p.facts
    if p.party_type == "person":
        return f"作为{p.enterprise.name}{p.position}，未履行安全生产管理职责，导致发生{p.accident.short}"
    if p.accident is not None:
        return f"对{p.accident.short}的发生负有责任"
    return p.facts.split("你单位", 2)[-1].rstrip("。")


def _lz_row(p: Penalty, seq: int, rng) -> list[str]:
    ent = p.enterprise
    person = p.party_type == "person"
    if person:
        name, kind, code, legal = p.person, "自然人", "", ""
    else:
        name, kind, legal = ent.name, rng.choice(("法人及非法人组织", "法人")), ent.legal_rep
        code = ent.uscc if p.uscc_shown == "registry" else (p.uscc_shown or "")
    if p.fine_yuan and p.money_style != "upper_only":
        amount = wan(p.fine_yuan)
    else:
        amount = "" if p.fine_yuan else "0"
    day = p.decided_on
    if "date_dots" in p.planted:
        shown_day = f"{day.year}.{day.month}.{day.day}"
    else:
        shown_day = codes.date_text(day, rng.choice(("iso", "iso", "slash", "cn")))
    return [
        str(seq),
        name,
        kind,
        code,
        legal,
        p.decision_no,
        facts_shown(p),
        p.basis,
        penalty_text(p),
        amount,
        shown_day,
        p.authority,
    ]


GS_INSPECTION_HEADER = [
    "序号",
    "抽查任务名称",
    "检查对象名称",
    "统一社会信用代码",
    "所在地区",
    "抽查时间",
    "检查机关",
    "检查结果",
    "发现问题",
    "整改情况",
]


def _write_gs_inspections(world: World, out: Path, items: list[Inspection]) -> list[dict]:
    """The province's workbook: merged title row, date cells mixed with date strings."""
    wb = Workbook()
    ws = wb.active
    ws.title = "抽查结果"
    ws.append(
        [f"全省应急管理系统“双随机、一公开”抽查结果{SAMPLE_NOTE}"] + [None] * (len(GS_INSPECTION_HEADER) - 1)
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(GS_INSPECTION_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(GS_INSPECTION_HEADER)
    row = 2
    for n, i in enumerate(items, 1):
        ent = i.enterprise
        county = names.county_name(ent.county)
        region = county if ent.county == ent.city else names.city_name(ent.city) + county
        when: object = _date_shown(i.inspected_on, i.date_style)
        ws.append(
            [
                n,
                i.task,
                ent.name,
                _code_shown(i),
                region,
                when,
                i.authority,
                i.result_text,
                problems_text(i),
                i.rectification,
            ]
        )
        row += 1
        if isinstance(when, dt.datetime):
            ws.cell(row=row, column=6).number_format = "yyyy-mm-dd"
    # Rows that cannot be used: an object without a name, an inspection without a date.
    template = items[0]
    ws.append(
        [
            len(items) + 1,
            template.task,
            "",
            "",
            "",
            dt.datetime(2025, 6, 3),
            template.authority,
            "未发现问题",
            "无",
            "/",
        ]
    )
    ws.append(
        [
            len(items) + 2,
            template.task,
            template.enterprise.name,
            template.enterprise.uscc,
            "",
            "",
            template.authority,
            "发现问题",
            "安全警示标志设置不规范",
            "已整改完毕",
        ]
    )
    world.plant(
        "merged_title_row", "gs-yjt-inspections", "sheet 抽查结果 row 1", "merged title row above the header"
    )
    world.plant(
        "missing_object_name", "gs-yjt-inspections", f"序号 {len(items) + 1}", "检查对象名称 empty: rejected"
    )
    world.plant("missing_date", "gs-yjt-inspections", f"序号 {len(items) + 2}", "抽查时间 empty: rejected")
    world.plant(
        "dates_several_forms", "gs-yjt-inspections", "抽查时间", "date cells, 2025年3月5日 and 2025.3.5"
    )
    _plant_inspections(world, items)
    for column, width in zip("ABCDEFGHIJ", (6, 44, 36, 22, 16, 12, 20, 16, 50, 30)):
        ws.column_dimensions[column].width = width
    files.write_bytes(out / "gs-yjt-inspections" / "gs-yjt-inspections-2025-2026.xlsx", files.xlsx_bytes(wb))
    return [
        {
            "source_id": "gs-yjt-inspections",
            "where": f"序号 {len(items) + 1}",
            "reason": "缺少必填字段：检查对象名称",
        },
        {
            "source_id": "gs-yjt-inspections",
            "where": f"序号 {len(items) + 2}",
            "reason": "缺少必填字段：抽查时间",
        },
    ]


def _date_shown(day: dt.date, style: str) -> object:
    if style == "cell":
        return dt.datetime.combine(day, dt.time())
    if style == "dot":
        return f"{day.year}.{day.month}.{day.day}"
    return codes.date_text(day, style)


def _code_shown(i: Inspection) -> str:
    if i.uscc_shown == "registry":
        return i.enterprise.uscc
    return i.uscc_shown or ""


def _plant_inspections(world: World, items: list[Inspection]) -> None:
    notes = {
        "fullwidth_uscc": "统一社会信用代码 in full-width characters",
        "uscc_missing": "统一社会信用代码 empty",
        "uscc_dash": "统一社会信用代码 printed as —",
        "date_dots": "抽查时间 printed 2025.3.5",
        "repeat": "the enterprise is found with problems in two inspections (canned query)",
        "recheck_clean": "problems found, and none at the next inspection: not a repeated-problems case",
    }
    for i in items:
        for case in i.planted:
            world.plant(case, i.source_id, f"{i.enterprise.name} {i.inspected_on.isoformat()}", notes[case])


JQ_HEADER = [
    "序号",
    "抽查事项",
    "被检查单位名称",
    "统一社会信用代码",
    "检查日期",
    "执法检查单位",
    "抽查结果",
    "存在问题",
    "处理情况",
]


def _write_jq_inspections(world: World, out: Path, items: list[Inspection]) -> list[dict]:
    """Jiuquan's 抽查结果公示: one announcement per task batch, each a table; a list page."""
    root = out / "jq-yjj-inspections"
    batches: dict[str, list[Inspection]] = {}
    for i in items:
        batches.setdefault(f"{i.inspected_on.year}-{'上' if i.inspected_on.month <= 6 else '下'}", []).append(
            i
        )
    listed, rejects = [], []
    for b, (batch, rows) in enumerate(sorted(batches.items())):
        year, half = batch.split("-")
        day = max(i.inspected_on for i in rows) + dt.timedelta(days=10)
        title = f"酒泉市应急管理局关于{year}年{half}半年“双随机、一公开”抽查结果的公示"
        cells = [
            [
                str(n),
                i.task,
                i.enterprise.name,
                _code_shown(i),
                _date_shown(i.inspected_on, i.date_style),
                i.authority,
                i.result_text,
                problems_text(i),
                i.rectification or "",
            ]
            for n, i in enumerate(rows, 1)
        ]
        if b == 0:  # a row without its date: rejected
            first = rows[0]
            cells.append(
                [
                    str(len(cells) + 1),
                    first.task,
                    first.enterprise.name,
                    first.enterprise.uscc,
                    "",
                    first.authority,
                    "未发现问题",
                    "",
                    "",
                ]
            )
            world.plant(
                "missing_date", "jq-yjj-inspections", f"{title} 序号 {len(cells)}", "检查日期 empty: rejected"
            )
            rejects.append(
                {
                    "source_id": "jq-yjj-inspections",
                    "where": f"{title} 序号 {len(cells)}",
                    "reason": "缺少必填字段：抽查时间",
                }
            )
        path = f"art/{day.year}/{day.month}/{day.day}/art_2741_{90_000 + b * 37}.html"
        files.write_text(root / path, _jq_page(title, day, cells))
        listed.append((path, title, day))
    world.plant(
        "result_wording",
        "jq-yjj-inspections",
        "抽查结果",
        "正常 / 发现问题，已责令限期整改 / 存在问题，已下达整改指令书 / 查无下落 / 已停产",
    )
    world.plant(
        "problem_count_stated", "jq-yjj-inspections", "存在问题", "发现一般事故隐患3项：… (count stated)"
    )
    _plant_inspections(world, items)
    listed.sort(key=lambda item: item[2], reverse=True)
    pages = pages_of(listed, JQ_LIST_SIZE)
    for n, page in enumerate(pages):
        files.write_text(
            root / ("index.html" if n == 0 else f"index_{n}.html"), _jq_list(page, n, len(pages))
        )
    return rejects


def _jq_head(title: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)} - 酒泉市应急管理局</title>
</head>
<body>
{BANNER}
<div class="head">酒泉市应急管理局</div>
<div class="menu"><a href="#">首页</a> <a href="#">政务公开</a> <a href="#">执法公示</a></div>
"""


def _jq_list(items: list[tuple[str, str, dt.date]], page: int, pages: int) -> str:
    rows = "\n".join(
        f'<li><a href="{href}" target="_blank">{escape(t)}</a><span>{d.isoformat()}</span></li>'
        for href, t, d in items
    )
    nav = []
    if page > 0:
        nav.append(f'<a href="{"index.html" if page == 1 else f"index_{page - 1}.html"}">上一页</a>')
    if page + 1 < pages:
        nav.append(f'<a href="index_{page + 1}.html">下一页</a>')
    return (
        _jq_head("双随机抽查结果")
        + f"""<div class="xxgk_list">
<h2>双随机抽查结果</h2>
<ul>
{rows}
</ul>
<div class="page">{" ".join(nav)}</div>
</div>
</body>
</html>
"""
    )


def _jq_page(title: str, day: dt.date, cells: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in JQ_HEADER)
    body = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in cells)
    return (
        _jq_head(title)
        + f"""<div class="zw-title"><h1>{escape(title)}</h1></div>
<div class="zw-info">发布时间：{day.isoformat()}　来源：酒泉市应急管理局</div>
<div class="zw" id="zoom">
<p>{SAMPLE_NOTE}</p>
<p>根据《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》有关要求，现将抽查结果公示如下：</p>
<table class="sjcc" border="1" cellspacing="0">
<tr>{head}</tr>
{body}
</table>
<p style="text-align:right">酒泉市应急管理局<br>{codes.date_text(day, "cn")}</p>
</div>
</body>
</html>
"""
    )


# --- truth -------------------------------------------------------------------------------

# Publicity of a decision whose source states no end (etl/rules/publicity.py, written again here
# so the truth is computed independently): months by class and the rule in force on its date.
_RULES = (
    (dt.date(2026, 4, 1), {"轻微": 3, "一般": 12, "严重": 36}),
    (dt.date(2023, 5, 1), {"轻微": 36, "一般": 36, "严重": 36}),
    (dt.date.min, {"轻微": 12, "一般": 12, "严重": 36}),
)


def _publicity(p: Penalty, as_of: dt.date) -> tuple[str, dt.date, bool]:
    klass = "严重" if p.suspend else "轻微" if p.warning and not p.fine_yuan else "一般"
    months = next(table for since, table in _RULES if p.decided_on >= since)[klass]
    month0 = p.decided_on.month - 1 + months
    year, month = p.decided_on.year + month0 // 12, month0 % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ]
    end = dt.date(year, month, min(p.decided_on.day, last[month - 1]))
    return klass, end, p.decided_on <= as_of <= end


def _penalty_truth(p: Penalty, as_of: dt.date) -> dict:
    klass, end, active = _publicity(p, as_of)
    person = p.party_type == "person"
    region = p.authority_region
    if p.source_id == "gs-yjt-penalties" and not person:
        region = p.enterprise.county  # the 当事人 block prints the address
    return {
        "key": p.key,
        "source_id": p.source_id,
        "path": p.path or None,
        "decision_no": p.decision_no,
        "decision_no_shown": p.shown_no,
        "party_type": p.party_type,
        "party_name": p.person if person else p.enterprise.name,
        "enterprise_key": p.enterprise.key,
        "uscc": None if person or not p.uscc_shown else p.enterprise.uscc,
        "unit": p.enterprise.name if person else None,
        "legal_representative": None if person else p.enterprise.legal_rep,
        "facts": facts_shown(p),
        "basis": p.basis,
        "penalty": penalty_text(p),
        "fine_yuan": p.fine_yuan,
        "decided_on": p.decided_on.isoformat(),
        "authority": p.authority,
        "region_code": region,
        "accident_key": p.accident.key if p.accident else None,
        "accident_ref": p.accident_ref,
        "publicity_class": klass,
        "publicity_end": end.isoformat(),
        "publicity_active": active,
        "planted": list(p.planted),
    }


def _inspection_truth(i: Inspection) -> dict:
    problems = problems_text(i) or None
    if problems in ("无",):
        problems = None
    count = {"no_problem": 0, "problems": len(i.problems)}.get(i.result)
    return {
        "key": i.key,
        "source_id": i.source_id,
        "task": i.task,
        "object_name": i.enterprise.name,
        "enterprise_key": i.enterprise.key,
        "uscc": i.enterprise.uscc if i.uscc_shown not in (None, "—") else None,
        "region_code": i.enterprise.county if i.source_id == "gs-yjt-inspections" else i.authority_region,
        "inspected_on": i.inspected_on.isoformat(),
        "authority": i.authority,
        "result": i.result,
        "result_text": i.result_text,
        "problems": problems,
        "problem_count": count,
        "rectification": i.rectification if i.rectification not in ("", "/") else None,
        "planted": list(i.planted),
    }
