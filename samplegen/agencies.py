"""Sample sources for the safety technical-service agencies (安全评价机构、安全生产检测检验机构):
their register, the actions taken against them and the reports they publish (示例数据).

- gs-yjt-agencies (json_api): the provincial register of 安全评价机构, paged;
- gs-yjt-testing-agencies (xlsx): the province's list of 检测检验机构, other column names;
- gs-yjt-agency-actions (html_table): yearly 通报 of 资质 decisions (暂停资质, 撤销资质, 失信名单);
- gs-yjt-agency-penalties (html_list): one 行政处罚 detail page per fine or warning;
- gs-yjt-agency-reports (xlsx): the reports 安全评价机构 must publish;
- gs-yjt-agency-test-reports (html_table): the same for 检测检验机构.

《安全评价检测检验机构管理办法》(应急管理部令第1号) decides the facts: a certificate is valid for five
years; the province (资质认可机关) suspends and revokes it; 市、县 authorities fine and warn; an
agency publishes every report it issues. The agencies are world.agencies; each gets a role (what
happened to its qualification), so the statuses are interesting on as_of and months later.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import codes, files, names
from .announcements import _table_html
from .reports import SAMPLE_NOTE
from .sites import gs_detail, gs_list, gs_path, pages_of
from .world import Enterprise, World, authority_for, rng_for

REGISTER = "gs-yjt-agencies"
TESTING_LIST = "gs-yjt-testing-agencies"
ACTIONS = "gs-yjt-agency-actions"
PENALTIES = "gs-yjt-agency-penalties"
REPORTS = "gs-yjt-agency-reports"
TEST_REPORTS = "gs-yjt-agency-test-reports"
SOURCES: dict[str, tuple[str, str]] = {
    REGISTER: ("agencies", "json_api"),
    TESTING_LIST: ("agencies", "xlsx"),
    ACTIONS: ("agency_actions", "html_table"),
    PENALTIES: ("agency_actions", "html_list"),
    REPORTS: ("agency_reports", "xlsx"),
    TEST_REPORTS: ("agency_reports", "html_table"),
}
PROVINCE = "甘肃省应急管理厅"
REGISTER_PAGE_SIZE = 5
PENALTY_PAGE_SIZE = 4
REPORT_WINDOW_DAYS = 900  # regular reports fall in the last ~2.5 years before as_of

# What happened to each agency's qualification, by its place in world.agencies (cycled). The first
# ten carry the planted cases; agencies of the world's bans and blacklist keep those facts.
ROLES = (
    "revoked_early",  # revoked years ago (行业禁入 on the bans list)
    "revoked_early",
    "revoked_early",
    "expired",  # certificate ran out before as_of, the register still prints 正常; issued on
    "fined",  # suspended and fined years ago, valid now
    "expiring",  # valid on as_of, expired by December
    "suspended",  # suspended on as_of (暂停资质 six months), valid again by December
    "revoked",  # revoked a few months before as_of; issued on
    "valid",
    "warned",
)

EVALUATION_SCOPES = (
    "煤炭开采业",
    "金属、非金属矿及其他矿采选业",
    "陆地石油和天然气开采业",
    "陆上油气管道运输业",
    "石油加工业，化学原料、化学品及医药制造业",
    "烟花爆竹制造业",
    "金属冶炼",
)
TESTING_SCOPES = (
    "煤矿在用安全设备检测检验",
    "金属非金属矿山在用设备检测检验",
    "危险化学品生产企业在用设备检测检验",
    "矿用产品安全性能检测检验",
)
EVALUATION_TYPES = {"安全预评价": "YP", "安全验收评价": "YS", "安全现状评价": "XZ"}
TESTING_TYPES = ("在用设备检测检验", "安全设施检测检验")
CLIENT_INDUSTRIES = ("煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "冶金", "有色", "燃气", "工贸")
TESTING_CLIENT_INDUSTRIES = ("煤矿", "非煤矿山", "危险化学品", "燃气")

# The rule the truth states for every status (etl/rules/agencies.py computes the same).
QUALIFICATION_RULE = (
    "Status of an agency's qualification on a day D (as_of for the register, the 出具日期 for a "
    "report): revoked from the date of its first revocation decision on (decided_on <= D; the "
    "decision day itself counts as revoked), qualification_end = that date; else revoked with an "
    "unknown end when the register prints 撤销 and no revocation is known; else cancelled when it "
    "prints 注销; else expired when valid_until < D (valid_until itself is still valid), "
    "qualification_end = valid_until, a suspension then running or not; else suspended when a "
    "suspension covers D (start_on <= D <= end_on, both inclusive); else valid "
    "(qualification_end null). A report is "
    "issued_after_qualification_end = 1 when the status on its 出具日期 is expired, revoked or "
    "cancelled, 0 otherwise (a report issued while suspended is 0, status suspended). Only actions "
    "decided on or before as_of count."
)


@dataclass
class Qualification:
    """One agency's 资质证书 as the register knows it."""

    agency: Enterprise
    serial: int
    role: str
    agency_type: str  # evaluation | testing
    certificate_no: str
    scope: str
    issued_on: dt.date
    valid_until: dt.date
    status_stated: str
    source_id: str
    revoked_on: dt.date | None = None
    certificate_shown: str = ""  # as printed, when not the normalized form
    valid_until_shown: str = ""
    planted: list[str] = field(default_factory=list)

    @property
    def type_word(self) -> str:
        return "安全评价" if self.agency_type == "evaluation" else "检测检验"


@dataclass
class AgencyAction:
    key: str
    qual: Qualification
    action: str  # suspended | revoked | dishonest | fined | warning
    violation: str  # lending | affiliation | false_report | other
    violation_text: str  # 违法违规行为 as printed
    facts: str
    measure: str  # 处理措施 / 处罚内容 as printed
    decided_on: dt.date
    authority: str
    decision_no: str
    source_id: str
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    fine_yuan: int | None = None
    show_uscc: bool = True
    planted: list[str] = field(default_factory=list)


@dataclass
class AgencyReport:
    key: str
    qual: Qualification
    report_no: str
    report_type: str
    project: str
    client: Enterprise
    issued_on: dt.date
    conclusion: str
    source_id: str
    show_client_code: bool = True
    project_blank: bool = False
    date_style: str = "iso"
    planted: list[str] = field(default_factory=list)


# --- the facts ---------------------------------------------------------------------------


def build(world: World) -> None:
    quals = [_qualification(world, i, agency) for i, agency in enumerate(world.agencies)]
    actions = _actions(world, quals)
    world.extra["agencies"] = quals
    world.extra["agency_actions"] = actions
    world.extra["agency_reports"] = _reports(world, quals, actions)


def _last_of_month(year: int, month: int) -> dt.date:
    return codes.add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)


def _qualification(world: World, i: int, agency: Enterprise) -> Qualification:
    rng = rng_for(world.seed, "agency", agency.key)
    as_of = world.profile.as_of
    role = ROLES[i % len(ROLES)]
    testing = "检测" in agency.name
    pool = TESTING_SCOPES if testing else EVALUATION_SCOPES
    scope = "；".join(sorted(rng.sample(pool, rng.randint(2, min(4, len(pool)))), key=pool.index))
    # Five years of validity (《安全评价检测检验机构管理办法》): valid_until is the eve of the fifth
    # anniversary. Roles pin the end where its status must fall; others draw the issue day.
    if role == "expired":
        valid_until = dt.date(as_of.year - 1, 12, 19)
    elif role == "expiring":
        valid_until = _last_of_month(*_month_after(as_of, 4))
    elif role == "valid":
        valid_until = _last_of_month(as_of.year + 1, 3)
    else:
        first_year = {"revoked_early": 2019, "fined": 2021, "suspended": 2023, "revoked": 2022}.get(
            role, 2024
        )
        issued = dt.date(first_year, rng.randint(1, 12), rng.randint(1, 28))
        valid_until = codes.add_years(issued, 5) - dt.timedelta(days=1)
    issued_on = codes.add_years(valid_until + dt.timedelta(days=1), -5)
    status = {"revoked_early": "撤销", "revoked": "撤销", "suspended": "暂停"}.get(role, "正常")
    if testing:
        status = {"正常": "有效"}.get(status, status)
    qual = Qualification(
        agency=agency,
        serial=i + 1,
        role=role,
        agency_type="testing" if testing else "evaluation",
        certificate_no=f"APJ-（甘）-{i + 1:03d}",
        scope=scope,
        issued_on=issued_on,
        valid_until=valid_until,
        status_stated=status,
        source_id=TESTING_LIST if testing else REGISTER,
    )
    if i < len(ROLES):
        if role == "expired":
            qual.planted.append("stale_status")
        if role == "suspended":  # 资质证书编号 in full-width letters, digits and dashes
            qual.certificate_shown = codes.fullwidth(qual.certificate_no).replace("-", "－")
            qual.planted.append("fullwidth_certificate_no")
        if role == "valid":
            qual.valid_until_shown = f"{valid_until.year}年{valid_until.month}月"
            qual.planted.append("validity_month_only")
    return qual


def _month_after(day: dt.date, months: int) -> tuple[int, int]:
    """(year, month) `months` after day's month."""
    moved = codes.add_months(day.replace(day=1), months)
    return moved.year, moved.month


class _Numbers:
    """Decision numbers per (prefix, year), as an office numbers its 文号."""

    def __init__(self, world: World):
        self.rng, self.next = rng_for(world.seed, "agency-decisions"), {}

    def take(self, prefix: str, year: int) -> str:
        value = self.next.get((prefix, year)) or self.rng.randint(2, 30)
        self.next[(prefix, year)] = value + self.rng.randint(1, 6)
        return f"{prefix}〔{year}〕{value}号"


VIOLATION_WORDS = {
    "lending": ("出租、出借资质证书", "允许他人以本机构名义承揽{work}项目并出具报告"),
    "affiliation": ("违法挂靠", "接受无资质人员挂靠，以本机构名义从事{work}活动"),
    "false_report": ("出具虚假报告", "在为{client}出具的{work}报告中编造现场检查记录，出具虚假报告"),
    "other": ("未按规定告知", "在开展现场技术服务前未按规定书面告知项目实施地资质认可机关"),
}


def _violation(reason: str | None, default: str) -> str:
    """The code for a reason the world's blacklist or bans state."""
    if not reason:
        return default
    if "租借" in reason or "出借" in reason:
        return "lending"
    if "挂靠" in reason:
        return "affiliation"
    if "虚假" in reason:
        return "false_report"
    return default


def _actions(world: World, quals: list[Qualification]) -> list[AgencyAction]:
    as_of = world.profile.as_of
    numbers = _Numbers(world)
    listed = {e.enterprise.key: e for e in world.blacklist if e.enterprise and e.subject_type == "agency"}
    banned = {b.enterprise.key: b for b in world.bans if b.enterprise and b.subject_type == "agency"}
    clients = [e for e in world.enterprises if e.industry in CLIENT_INDUSTRIES]
    out: list[AgencyAction] = []

    def add(qual, action, violation, decided, authority, decision_no, source_id, **more) -> AgencyAction:
        rng = rng_for(world.seed, "agency-action", qual.agency.key, action, decided)
        work = "安全评价" if qual.agency_type == "evaluation" else "安全生产检测检验"
        label, fact = VIOLATION_WORDS[violation]
        client = rng.choice(clients)
        item = AgencyAction(
            key=f"AA{len(out) + 1:04d}",
            qual=qual,
            action=action,
            violation=violation,
            violation_text=more.pop("violation_text", label),
            facts=f"{qual.agency.name}{fact.format(work=work, client=client.name)}。",
            measure=more.pop("measure"),
            decided_on=decided,
            authority=authority,
            decision_no=decision_no,
            source_id=source_id,
            **more,
        )
        out.append(item)
        if source_id == PENALTIES and "{client}" in fact:  # the detail page names the client
            world.extra.setdefault("appearances", []).append((client, source_id))
        return item

    def dishonest(qual, entry) -> None:
        new = entry.listed_on >= dt.date(2023, 10, 1)  # 部令第11号 replaced the 联合惩戒 list
        add(
            qual,
            "dishonest",
            _violation(entry.reason, "false_report"),
            entry.listed_on,
            entry.authority,
            entry.decision_no,
            ACTIONS,
            violation_text=entry.reason,
            measure="列入安全生产严重失信主体名单" if new else "列入安全生产失信联合惩戒名单",
            start_on=entry.listed_on,
            end_on=entry.term_end,
        )

    def fine(qual, violation, decided, level, amount, decision_no=None, authority=None, text=None) -> None:
        ent = qual.agency
        office, prefix = authority_for(level, ent.city, ent.county)
        add(
            qual,
            "fined",
            violation,
            decided,
            authority or office,
            decision_no or numbers.take(prefix, decided.year),
            PENALTIES,
            violation_text=text or VIOLATION_WORDS[violation][0],
            measure=f"罚款人民币{amount // 10000}万元",
            fine_yuan=amount,
        )

    def punish(qual, entry, violation, level, amount, fallback: dt.date) -> None:
        """A fine; when the agency is on the world's blacklist, the decision that listed it
        (same 文号, office and day) and the listing itself."""
        if entry is None:
            fine(qual, violation, fallback, level, amount)
            return
        fine(
            qual,
            _violation(entry.reason, violation),
            entry.listed_on,
            level,
            amount,
            entry.decision_no,
            entry.authority,
            entry.reason,
        )
        dishonest(qual, entry)

    def suspend(qual, violation, start, months) -> AgencyAction:
        end = codes.add_months(start, months) - dt.timedelta(days=1)
        return add(
            qual,
            "suspended",
            violation,
            start - dt.timedelta(days=3),
            PROVINCE,
            numbers.take("甘应急评检", start.year),
            ACTIONS,
            measure=f"暂停{qual.type_word}资质{months}个月，责令停业整顿",
            start_on=start,
            end_on=end,
        )

    for i, qual in enumerate(quals):
        rng = rng_for(world.seed, "agency-actions", qual.agency.key)
        key = qual.agency.key
        entry, ban = listed.get(key), banned.get(key)
        role = qual.role
        if role == "revoked_early":
            if ban:
                decided, reason, number = ban.start_on, ban.reason, ban.decision_no
            else:
                decided = qual.issued_on + dt.timedelta(days=rng.randint(500, 900))
                reason, number = None, numbers.take("甘应急评检", decided.year)
            violation = _violation(reason or (entry.reason if entry else None), "false_report")
            qual.revoked_on = decided
            add(
                qual,
                "revoked",
                violation,
                decided,
                PROVINCE,
                number,
                ACTIONS,
                violation_text=reason or VIOLATION_WORDS[violation][0],
                measure=f"撤销{qual.type_word}资质",
            )
            if entry:
                dishonest(qual, entry)
        elif role == "expired":
            punish(qual, entry, "lending", "city", 30000, qual.issued_on + dt.timedelta(days=700))
        elif role == "fined":
            decided = entry.listed_on if entry else qual.issued_on + dt.timedelta(days=300)
            punish(qual, entry, "false_report", "province", 50000, decided)
            suspend(
                qual,
                _violation(entry.reason if entry else None, "false_report"),
                decided + dt.timedelta(days=10),
                6,
            )
        elif role == "expiring":
            punish(qual, entry, "false_report", "province", 30000, as_of - dt.timedelta(days=500))
        elif role == "suspended":
            start = dt.date(*_month_after(as_of, -3), 1)
            punish(
                qual,
                entry if entry and entry.listed_on < start else None,
                "false_report",
                "city",
                50000,
                start - dt.timedelta(days=12),
            )
            item = suspend(qual, "false_report", start, 6)
            if i < len(ROLES):
                item.planted.append("suspended_on_as_of")
        elif role == "revoked":
            fine(qual, "affiliation", dt.date(as_of.year - 1, 6, rng.randint(3, 27)), "city", 20000)
            decided = dt.date(as_of.year, 3, 11)
            qual.revoked_on = decided
            item = add(
                qual,
                "revoked",
                "lending",
                decided,
                PROVINCE,
                numbers.take("甘应急评检", decided.year),
                ACTIONS,
                violation_text="出租资质证书",
                measure=f"撤销{qual.type_word}资质",
            )
            if i < len(ROLES):
                item.show_uscc = False  # the 通报 row names it by 资质证书编号 only
                item.planted.append("uscc_missing")
            if entry and entry.listed_on <= as_of:
                dishonest(qual, entry)
        elif role == "warned":
            ent = qual.agency
            office, prefix = authority_for("city", ent.city, ent.county)
            decided = dt.date(as_of.year - 1, 9, rng.randint(1, 28))
            add(
                qual,
                "warning",
                "other",
                decided,
                office,
                numbers.take(prefix, decided.year),
                PENALTIES,
                measure="警告，责令限期改正",
            )
    return out


# --- reports -------------------------------------------------------------------------------


def _by_agency(actions: list[AgencyAction]) -> dict[int, list[AgencyAction]]:
    """Each agency's actions, by its serial (one pass: the profiles scale to 40,000 agencies)."""
    out: dict[int, list[AgencyAction]] = {}
    for a in actions:
        out.setdefault(a.qual.serial, []).append(a)
    return out


def _ended(mine: list[AgencyAction]) -> tuple[dt.date | None, list[tuple]]:
    """The first revocation and the suspensions among one agency's actions."""
    revoked = [a.decided_on for a in mine if a.action == "revoked"]
    suspensions = [(a.start_on, a.end_on) for a in mine if a.action == "suspended"]
    return (min(revoked) if revoked else None), suspensions


def _window(world: World, qual: Qualification, mine: list[AgencyAction]) -> list[tuple[dt.date, dt.date]]:
    """The spans in which the agency issues ordinary reports: in force and not suspended, within
    the report window, ending the day before any planted edge day."""
    as_of = world.profile.as_of
    revoked, suspensions = _ended(mine)
    start = max(qual.issued_on, as_of - dt.timedelta(days=REPORT_WINDOW_DAYS))
    end = min(qual.valid_until - dt.timedelta(days=1), as_of)
    if revoked:
        end = min(end, revoked - dt.timedelta(days=1))
    spans = [(start, end)]
    for s, e in suspensions:
        spans = [
            piece
            for a, b in spans
            for piece in ((a, min(b, s - dt.timedelta(days=1))), (max(a, e + dt.timedelta(days=1)), b))
        ]
    return [(a, b) for a, b in spans if a <= b]


def _reports(world: World, quals: list[Qualification], actions: list[AgencyAction]) -> list[AgencyReport]:
    rng = rng_for(world.seed, "agency-reports")
    by_agency = _by_agency(actions)
    target = world.profile.extra_counts.get("agency_reports", 40)
    clients = {
        "evaluation": [e for e in world.enterprises if e.industry in CLIENT_INDUSTRIES],
        "testing": [e for e in world.enterprises if e.industry in TESTING_CLIENT_INDUSTRIES],
    }
    planned: list[tuple[Qualification, dt.date, list[str]]] = []
    for qual in quals[: len(ROLES)]:
        revoked, suspensions = _ended(by_agency.get(qual.serial, []))
        if qual.role == "expired":
            planned.append((qual, qual.valid_until, ["issued_on_valid_until"]))
            planned.append((qual, qual.valid_until + dt.timedelta(days=81), ["issued_after_expiry"]))
        elif qual.role == "suspended" and suspensions:
            planned.append((qual, suspensions[0][0] + dt.timedelta(days=45), ["issued_while_suspended"]))
        elif qual.role == "revoked" and revoked:
            planned.append((qual, revoked, ["issued_on_revocation_day"]))
            for days in (40, 78):
                planned.append((qual, revoked + dt.timedelta(days=days), ["issued_after_revocation"]))
    windows = [(q, w) for q in quals if (w := _window(world, q, by_agency.get(q.serial, [])))]
    for n in range(max(0, target - len(planned)) if windows else 0):
        qual, spans = windows[n % len(windows)]
        a, b = rng.choice(spans)
        planned.append((qual, a + dt.timedelta(days=rng.randint(0, (b - a).days)), []))
    out: list[AgencyReport] = []
    serials: dict[tuple[int, int], int] = {}
    for qual, day, planted in sorted(planned, key=lambda p: (p[0].serial, p[1])):
        r = rng_for(world.seed, "agency-report", qual.agency.key, day, len(out))
        client = r.choice(clients[qual.agency_type])
        serials[(qual.serial, day.year)] = serials.get((qual.serial, day.year), r.randint(1, 20)) + 1
        serial = serials[(qual.serial, day.year)]
        if qual.agency_type == "evaluation":
            kind = r.choice(list(EVALUATION_TYPES))
            number = f"GSAP{qual.serial:03d}-{day.year}-{EVALUATION_TYPES[kind]}-{serial:03d}"
        else:
            kind = r.choice(
                TESTING_TYPES + (("矿用产品检测检验",) if client.industry in ("煤矿", "非煤矿山") else ())
            )
            number = f"GSJC{qual.serial:03d}-{day.year}-{serial:04d}"
        out.append(
            AgencyReport(
                key=f"AR{len(out) + 1:04d}",
                qual=qual,
                report_no=number,
                report_type=kind,
                project=_project(r, client, qual.agency_type),
                client=client,
                issued_on=day,
                conclusion=_conclusion(r, kind),
                source_id=REPORTS if qual.agency_type == "evaluation" else TEST_REPORTS,
                date_style=r.choice(("iso", "iso", "cn", "dot")),
                planted=list(planted),
            )
        )
    _plant_reports(world, out)
    return out


def _plant_reports(world: World, reports: list[AgencyReport]) -> None:
    """A row without 项目名称 (rejected), a 2025.03.05 date, and a 委托单位 without its code that
    another row of the source names with it (so the name alone can link it)."""
    for source_id in (REPORTS, TEST_REPORTS):
        plain = [r for r in reports if r.source_id == source_id and not r.planted]
        if len(plain) < 4:
            continue
        missing = plain[1]
        missing.client = plain[0].client
        missing.project = _project(
            rng_for(world.seed, "agency-report-project", missing.key),
            missing.client,
            missing.qual.agency_type,
        )
        missing.show_client_code = False
        missing.planted.append("client_code_missing")
        plain[2].date_style = "dot"
        plain[2].planted.append("date_dotted")
        if source_id == REPORTS:
            plain[-2].project_blank = True
            plain[-2].planted.append("project_blank")


PRODUCTS = ("甲醇", "硫酸", "液氨", "聚丙烯", "碳酸二甲酯", "乙炔", "氯碱")
MINERALS = ("铁", "铜", "石灰石", "金", "萤石")


def _project(rng, client: Enterprise, agency_type: str) -> str:
    # as report-disclosure lists name projects: the client's registered name, then the project
    brand = client.name
    if agency_type == "testing":
        thing = {
            "煤矿": "煤矿主提升机、主通风机",
            "非煤矿山": "矿山提升系统",
            "危险化学品": "压力管道及安全附件",
        }.get(client.industry, "在用特种设备及安全附件")
        return f"{brand}{thing}检测检验"
    n = rng.randint(2, 60)
    return {
        "煤矿": f"{brand}煤矿{n * 10}万吨/年改扩建项目",
        "非煤矿山": f"{brand}{rng.choice(MINERALS)}矿{n}万吨/年地下开采工程",
        "危险化学品": f"年产{n}万吨{rng.choice(PRODUCTS)}建设项目",
        "烟花爆竹": f"{brand}烟花爆竹仓储设施改建项目",
        "冶金": f"{brand}{n}万吨/年炼钢技术改造项目",
        "有色": f"{brand}{n}万吨/年电解铝节能改造项目",
        "燃气": f"{brand}天然气储配站建设项目",
    }.get(client.industry, f"{brand}粉尘涉爆车间安全改造项目")


def _conclusion(rng, kind: str) -> str:
    n = rng.randint(2, 9)
    return {
        "安全预评价": "项目选址和总体布局符合要求，落实报告提出的安全对策措施后，能够满足安全生产条件。",
        "安全验收评价": "安全设施与主体工程同时设计、同时施工、同时投入生产和使用，具备安全验收条件。",
        "安全现状评价": f"企业安全生产条件基本符合有关法律法规和标准要求，提出整改建议{n}项。",
    }.get(
        kind,
        rng.choice(
            ("所检项目符合相关标准要求，检测检验结论为合格。", f"发现不符合项{n}项，已出具整改意见。")
        ),
    )


# --- status (the rule stated in QUALIFICATION_RULE) -------------------------------------------


def status_on(qual: Qualification, mine: list[AgencyAction], day: dt.date) -> tuple[str, dt.date | None]:
    """(status, qualification_end) on `day`; `mine` are the agency's actions."""
    revoked = sorted(a.decided_on for a in mine if a.action == "revoked")
    if revoked and revoked[0] <= day:
        return "revoked", revoked[0]
    if "撤销" in qual.status_stated and not revoked:
        return "revoked", None
    if "注销" in qual.status_stated:
        return "cancelled", None
    if qual.valid_until < day:
        return "expired", qual.valid_until
    if any(a.action == "suspended" and a.start_on <= day <= a.end_on for a in mine):
        return "suspended", None
    return "valid", None


# --- the documents -----------------------------------------------------------------------------


def write(world: World, out: Path) -> dict:
    quals: list[Qualification] = world.extra["agencies"]
    actions: list[AgencyAction] = world.extra["agency_actions"]
    reports: list[AgencyReport] = world.extra["agency_reports"]
    appearances = world.extra.setdefault("appearances", [])
    appearances += [(q.agency, q.source_id) for q in quals]
    appearances += [(a.qual.agency, a.source_id) for a in actions]
    appearances += [(r.qual.agency, r.source_id) for r in reports]
    appearances += [(r.client, r.source_id) for r in reports]
    _write_register(world, out, [q for q in quals if q.source_id == REGISTER])
    _write_testing_list(world, out, [q for q in quals if q.source_id == TESTING_LIST])
    _write_announcements(world, out, [a for a in actions if a.source_id == ACTIONS])
    _write_penalties(world, out, [a for a in actions if a.source_id == PENALTIES])
    _write_report_book(world, out, [r for r in reports if r.source_id == REPORTS])
    _write_report_table(world, out, [r for r in reports if r.source_id == TEST_REPORTS])
    return _truth(world, quals, actions, reports)


def _write_register(world: World, out: Path, quals: list[Qualification]) -> None:
    """信息查询系统-style JSON pages: page-1.json … with {code, data:{total, page, size, records}}."""
    rng = rng_for(world.seed, "agency-register")
    pages = pages_of(quals, REGISTER_PAGE_SIZE)
    for page, items in enumerate(pages, 1):
        records = []
        for q in items:
            ent = q.agency
            records.append(
                {
                    "id": f"{q.serial:08d}",
                    "jgmc": ent.name,
                    "tyshxydm": ent.uscc,
                    "zzzsbh": q.certificate_shown or q.certificate_no,
                    "zzlx": "安全评价机构",
                    "ywfw": q.scope,
                    "fzrq": rng.choice((q.issued_on.isoformat(), f"{q.issued_on.isoformat()} 00:00:00")),
                    "yxqz": q.valid_until_shown or q.valid_until.isoformat(),
                    "zzzt": q.status_stated,
                    "fzjg": PROVINCE,
                    "zcdq": ent.county,
                    "fddbr": ent.legal_rep,
                    "gxsj": f"{world.profile.as_of.isoformat()} 08:30:00",
                }
            )
        doc = {
            "code": 0,
            "msg": f"success{SAMPLE_NOTE}",
            "data": {"total": len(quals), "page": page, "size": REGISTER_PAGE_SIZE, "records": records},
        }
        files.write_text(
            out / REGISTER / f"page-{page}.json", json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
        )
    world.plant("dates_several_forms", REGISTER, "fzrq", "2021-11-01 / 2021-11-01 00:00:00")


TESTING_HEADER = [
    "序号",
    "机构名称",
    "社会信用代码",
    "证书编号",
    "资质类别",
    "检测检验范围",
    "发证时间",
    "有效期至",
    "状态",
    "所在地",
]


def _write_testing_list(world: World, out: Path, quals: list[Qualification]) -> None:
    """XLSX with a merged title row (header_row 1); dates as cells, one 有效期至 as text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "检测检验机构"
    ws.append([f"甘肃省安全生产检测检验机构名录{SAMPLE_NOTE}"] + [None] * (len(TESTING_HEADER) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TESTING_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(TESTING_HEADER)
    row = 2
    for i, q in enumerate(quals, 1):
        ent = q.agency
        ws.append(
            [
                i,
                ent.name,
                ent.uscc,
                q.certificate_shown or q.certificate_no,
                "安全生产检测检验机构",
                q.scope,
                dt.datetime.combine(q.issued_on, dt.time()),
                q.valid_until_shown or dt.datetime.combine(q.valid_until, dt.time()),
                q.status_stated,
                names.city_name(ent.city),
            ]
        )
        row += 1
        for column in (7, 8):
            if not isinstance(ws.cell(row=row, column=column).value, str):
                ws.cell(row=row, column=column).number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGHIJ", (6, 36, 22, 18, 20, 40, 12, 12, 8, 12)):
        ws.column_dimensions[column].width = width
    files.write_bytes(out / TESTING_LIST / "gs-testing-agencies.xlsx", files.xlsx_bytes(wb))
    world.plant(
        "merged_title_row", TESTING_LIST, "sheet 检测检验机构 row 1", "merged title row above the header"
    )


def _plant_quals(world: World, quals: list[Qualification]) -> None:
    details = {
        "stale_status": "register prints 正常 though 有效期至 has passed (status computed: expired)",
        "fullwidth_certificate_no": "资质证书编号 printed in full-width letters, digits and dashes",
        "validity_month_only": "有效期至 printed as a month (2027年3月): the month's last day",
    }
    for q in quals:
        for case in q.planted:
            world.plant(case, q.source_id, f"record of {q.agency.name}", details[case])


ACTION_HEADER = [
    "序号",
    "机构名称",
    "统一社会信用代码",
    "资质证书编号",
    "违法违规行为",
    "处理措施",
    "决定日期",
    "处理期限",
    "决定文号",
    "作出决定机关",
]


def _write_announcements(world: World, out: Path, actions: list[AgencyAction]) -> None:
    """One 通报 per year of decisions, listed on index.html; a table row per action."""
    root = out / ACTIONS
    by_year: dict[int, list[AgencyAction]] = {}
    for a in sorted(actions, key=lambda a: (a.decided_on, a.key)):
        by_year.setdefault(a.decided_on.year, []).append(a)
    items = []
    for year, group in sorted(by_year.items()):
        day = min(max(a.decided_on for a in group) + dt.timedelta(days=20), world.profile.as_of)
        style = "cn" if year % 2 else "iso"
        rows = []
        for i, a in enumerate(group, 1):
            period = ""
            if a.start_on and a.end_on:
                period = f"{codes.date_text(a.start_on, 'cn')}至{codes.date_text(a.end_on, 'cn')}"
            rows.append(
                [
                    str(i),
                    a.qual.agency.name,
                    a.qual.agency.uscc if a.show_uscc else "",
                    a.qual.certificate_no,
                    a.violation_text,
                    a.measure,
                    codes.date_text(a.decided_on, style),
                    period or "—",
                    a.decision_no,
                    a.authority,
                ]
            )
        title = f"甘肃省应急管理厅关于对{year}年安全评价检测检验机构违法违规行为处理情况的通报"
        body = (
            f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">为规范安全评价、检测检验'
            f"执业行为，依据《中华人民共和国安全生产法》和《安全评价检测检验机构管理办法》（应急管理部令第1号），"
            f"现将{year}年对安全评价检测检验机构违法违规行为的处理情况通报如下。</p>\n"
            f"{_table_html('jgcl', ACTION_HEADER, rows)}\n"
            f'<p style="text-align:right">{PROVINCE}<br>{codes.date_text(day, "cn")}</p>'
        )
        path = gs_path(day, 7_800_000 + year)
        meta = [
            ("索引号", f"620000-GSD0122-15-009/{year}-{year % 100:05d}"),
            ("发布机构", PROVINCE),
            ("发布日期", day.isoformat()),
        ]
        files.write_text(root / path, gs_detail(title, "安全评价检测检验机构监管", meta, body, []))
        items.append((path, title, day))
    items.reverse()
    files.write_text(root / "index.html", gs_list(items, 0, 1, len(items), "安全评价检测检验机构监管"))
    world.plant(
        "dates_several_forms", ACTIONS, "决定日期", "2026-03-11 in even years, 2025年3月11日 in odd years"
    )
    world.plant("period_as_range", ACTIONS, "处理期限", "2026年3月1日至2026年8月31日: start_on and end_on")
    for a in actions:
        if "uscc_missing" in a.planted:
            world.plant(
                "uscc_missing",
                ACTIONS,
                f"row of {a.qual.agency.name}",
                "统一社会信用代码 blank; 资质证书编号 given",
            )


def _write_penalties(world: World, out: Path, actions: list[AgencyAction]) -> None:
    """行政处罚 信息公示: list pages (下一页) and one detail page per decision."""
    root = out / PENALTIES
    listed = []
    for n, a in enumerate(sorted(actions, key=lambda a: (a.decided_on, a.key)), 1):
        day = a.decided_on + dt.timedelta(days=7)
        ent = a.qual.agency
        category = {"fined": "罚款", "warning": "警告"}[a.action]
        title = f"{a.authority}行政处罚信息公示（{a.decision_no}）"
        meta = [
            ("索引号", f"620000-GSD0122-15-010/{day.year}-{n:05d}"),
            ("发布机构", a.authority),
            ("发布日期", day.isoformat()),
            ("行政相对人名称", ent.name),
            ("统一社会信用代码", ent.uscc),
            ("资质证书编号", a.qual.certificate_no),
            ("行政处罚决定书文号", a.decision_no),
            ("违法行为类型", a.violation_text),
            ("违法事实", a.facts),
            ("处罚依据", "《中华人民共和国安全生产法》《安全评价检测检验机构管理办法》"),
            ("处罚类别", category),
            ("处罚内容", a.measure),
            ("处罚决定日期", codes.date_text(a.decided_on, "cn" if n % 2 else "iso")),
            ("处罚机关", a.authority),
        ]
        body = (
            f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">经查，{a.facts}'
            f"上述行为违反了《安全评价检测检验机构管理办法》的有关规定。依据《中华人民共和国安全生产法》和"
            f"《安全评价检测检验机构管理办法》，{a.authority}决定对{ent.name}给予如下行政处罚：{a.measure}。</p>"
        )
        path = gs_path(day, 7_900_000 + n * 37)
        files.write_text(root / path, gs_detail(title, "行政处罚信息公示", meta, body, [], a.authority))
        listed.append((path, title, day))
    listed.reverse()
    pages = pages_of(listed, PENALTY_PAGE_SIZE)
    for n, items in enumerate(pages):
        html = gs_list(items, n, len(pages), len(listed), "行政处罚信息公示（安全评价检测检验机构）")
        files.write_text(root / ("index.html" if n == 0 else f"index_{n}.html"), html)
    world.plant("dates_several_forms", PENALTIES, "处罚决定日期", "2025年9月4日 / 2025-09-04")


REPORT_HEADER = [
    "序号",
    "报告编号",
    "评价机构",
    "机构统一社会信用代码",
    "项目名称",
    "委托单位",
    "委托单位统一社会信用代码",
    "报告类型",
    "项目负责人",
    "报告出具日期",
    "评价结论",
]


def _issued_cell(r: AgencyReport):
    if r.date_style == "iso":
        return dt.datetime.combine(r.issued_on, dt.time())
    return codes.date_text(r.issued_on, r.date_style)


def _write_report_book(world: World, out: Path, reports: list[AgencyReport]) -> None:
    """安全评价报告信息公开汇总表 (XLSX, header_row 1); the 项目负责人 column is not loaded."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报告信息"
    ws.append([f"安全评价报告信息公开汇总表{SAMPLE_NOTE}"] + [None] * (len(REPORT_HEADER) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REPORT_HEADER))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(REPORT_HEADER)
    row = 2
    for i, r in enumerate(reports, 1):
        ent, client = r.qual.agency, r.client
        lead = names.masked_person(rng_for(world.seed, "report-lead", r.key))
        issued = _issued_cell(r)
        ws.append(
            [
                i,
                r.report_no,
                ent.name,
                ent.uscc,
                "" if r.project_blank else r.project,
                client.name,
                client.uscc if r.show_client_code else "",
                r.report_type,
                lead,
                issued,
                r.conclusion,
            ]
        )
        row += 1
        if not isinstance(issued, str):
            ws.cell(row=row, column=10).number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGHIJK", (6, 24, 34, 22, 40, 34, 22, 14, 10, 14, 60)):
        ws.column_dimensions[column].width = width
    files.write_bytes(out / REPORTS / "gs-agency-reports.xlsx", files.xlsx_bytes(wb))
    _plant_report_cases(world, REPORTS, reports)
    world.plant("person_column", REPORTS, "项目负责人", "masked names (姓某X) in a column the spec ignores")


TEST_REPORT_HEADER = [
    "序号",
    "检测检验机构",
    "报告编号",
    "检测检验项目",
    "委托单位",
    "统一社会信用代码",
    "报告类别",
    "出具日期",
    "检测检验结论",
]


def _write_report_table(world: World, out: Path, reports: list[AgencyReport]) -> None:
    """One announcement page with every 检测检验 report; agencies named without their code."""
    rows = []
    for i, r in enumerate(reports, 1):
        rows.append(
            [
                str(i),
                r.qual.agency.name,
                r.report_no,
                r.project,
                r.client.name,
                r.client.uscc if r.show_client_code else "",
                r.report_type,
                codes.date_text(r.issued_on, r.date_style),
                r.conclusion,
            ]
        )
    day = world.profile.as_of - dt.timedelta(days=5)
    title = "安全生产检测检验报告信息公开汇总"
    body = (
        f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">根据《安全评价检测检验机构管理办法》'
        f"（应急管理部令第1号）有关规定，现将全省安全生产检测检验机构出具的检测检验报告信息汇总公开如下。</p>\n"
        f"{_table_html('bggk', TEST_REPORT_HEADER, rows)}"
    )
    path = gs_path(day, 7_950_001)
    meta = [("发布机构", PROVINCE), ("发布日期", day.isoformat())]
    files.write_text(out / TEST_REPORTS / path, gs_detail(title, "报告信息公开", meta, body, []))
    _plant_report_cases(world, TEST_REPORTS, reports)


REPORT_PLANTS = {
    "issued_on_valid_until": "issued on the last day of validity (有效期至, inclusive): not after the end",
    "issued_after_expiry": "issued after the certificate's 有效期至",
    "issued_while_suspended": "issued while the agency's qualification was suspended (status suspended)",
    "issued_on_revocation_day": "issued on the day of the revocation decision: revoked from that day",
    "issued_after_revocation": "issued after the agency's qualification was revoked",
    "client_code_missing": "委托单位 printed without its 统一社会信用代码; another row of the source names it "
    "with the code (linked by name)",
    "date_dotted": "出具日期 printed 2025.03.05",
    "project_blank": "项目名称 blank: the row is rejected (缺少必填字段：项目名称)",
}


def _plant_report_cases(world: World, source_id: str, reports: list[AgencyReport]) -> None:
    for r in reports:
        for case in r.planted:
            world.plant(case, source_id, f"report {r.report_no}", REPORT_PLANTS[case])


# --- truth -------------------------------------------------------------------------------------


def _truth(world: World, quals, actions, reports) -> dict:
    _plant_quals(world, quals)
    as_of = world.profile.as_of
    later = dt.date(as_of.year, 12, 15)
    by_agency = _by_agency(actions)
    agencies = []
    for q in quals:
        mine = by_agency.get(q.serial, [])
        status, end = status_on(q, mine, as_of)
        agencies.append(
            {
                "name": q.agency.name,
                "uscc": q.agency.uscc,
                "agency_type": q.agency_type,
                "certificate_no": q.certificate_no,
                "certificate_no_shown": q.certificate_shown or q.certificate_no,
                "scope": q.scope,
                "issued_on": q.issued_on.isoformat(),
                "valid_until": q.valid_until.isoformat(),
                "valid_until_shown": q.valid_until_shown or None,
                "status_stated": q.status_stated,
                "authority": PROVINCE,
                "region_code": q.agency.county if q.source_id == REGISTER else q.agency.city,
                "source_id": q.source_id,
                "role": q.role,
                "revoked_on": q.revoked_on.isoformat() if q.revoked_on else None,
                "suspensions": [
                    [a.start_on.isoformat(), a.end_on.isoformat()] for a in mine if a.action == "suspended"
                ],
                "qualification_status": status,
                "qualification_end": end.isoformat() if end else None,
                "qualification_status_on": {d.isoformat(): status_on(q, mine, d)[0] for d in (as_of, later)},
                "planted": q.planted,
            }
        )
    action_rows = [
        {
            "agency_name": a.qual.agency.name,
            "uscc": a.qual.agency.uscc if a.show_uscc else None,
            "agency_uscc_registry": a.qual.agency.uscc,
            "certificate_no": a.qual.certificate_no,
            "action": a.action,
            "violation": a.violation,
            "violation_text": a.violation_text,
            "facts": a.facts if a.source_id == PENALTIES else a.violation_text,
            "measure": a.measure,
            "fine_yuan": a.fine_yuan,
            "decided_on": a.decided_on.isoformat(),
            "start_on": a.start_on.isoformat() if a.start_on else None,
            "end_on": a.end_on.isoformat() if a.end_on else None,
            "authority": a.authority,
            "decision_no": a.decision_no,
            "source_id": a.source_id,
            "planted": a.planted,
        }
        for a in actions
    ]
    report_rows = []
    for r in reports:
        status, _ = status_on(r.qual, by_agency.get(r.qual.serial, []), r.issued_on)
        report_rows.append(
            {
                "report_no": r.report_no,
                "agency_name": r.qual.agency.name,
                "agency_uscc": r.qual.agency.uscc if r.source_id == REPORTS else None,
                "agency_uscc_registry": r.qual.agency.uscc,
                "agency_certificate_no": r.qual.certificate_no,
                "report_type": r.report_type,
                "project": None if r.project_blank else r.project,
                "client_name": r.client.name,
                "client_uscc": r.client.uscc if r.show_client_code else None,
                "client_uscc_registry": r.client.uscc,
                "issued_on": r.issued_on.isoformat(),
                "issued_on_shown": codes.date_text(r.issued_on, r.date_style),
                "conclusion": r.conclusion,
                "source_id": r.source_id,
                "agency_status_at_issue": status,
                "issued_after_qualification_end": int(status in ("expired", "revoked", "cancelled")),
                "rejected": "缺少必填字段：项目名称（project）" if r.project_blank else None,
                "planted": r.planted,
            }
        )
    loaded = [r for r in report_rows if not r["rejected"]]
    return {
        "counts": {
            "agencies": len(agencies),
            "agency_actions": len(action_rows),
            "agency_reports": len(loaded),
            "agency_reports_rejected": len(report_rows) - len(loaded),
        },
        "truth": {
            "agency_qualification_rule": {"as_of": as_of.isoformat(), "rule": QUALIFICATION_RULE},
            "agencies": agencies,
            "agency_actions": action_rows,
            "agency_reports": report_rows,
        },
    }
