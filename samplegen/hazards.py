"""Sample sources for 重大事故隐患挂牌督办 and what follows a listing (示例数据).

- gs-yjt-hazards (html_table): the province's yearly notices 关于对…重大事故隐患挂牌督办的通知,
  each a table (序号, 企业名称, 统一社会信用代码, 隐患所在地, 行业领域, 重大事故隐患内容, 督办单位,
  责任单位, 挂牌时间, 整改期限); the notice's 文号 is printed after the title.
- lz-yjj-hazards (xlsx): 兰州市's list with its own column names; it states removals (销号时间).
- gs-yjt-hazard-events-removals (html_table): the province's 销号 notices, several hazards each.
- gs-yjt-hazard-events (html_list): 约谈 and 公开曝光 announcements, one enterprise each, with the
  facts as labelled lines (被约谈单位：…, 涉及隐患：…, 督办文号：…).

Statuses in the truth are given for world.profile.as_of and for LATER (the site's "today").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import codes, files, names
from .announcements import _table_html
from .reports import SAMPLE_NOTE
from .sites import gs_list, gs_page, gs_path, pages_of
from .world import Enterprise, World, rng_for

LATER = dt.date(2026, 12, 7)  # the second day statuses are worked out for

SOURCES: dict[str, tuple[str, str]] = {
    "gs-yjt-hazards": ("hazards", "html_table"),
    "lz-yjj-hazards": ("hazards", "xlsx"),
    "gs-yjt-hazard-events": ("hazard_events", "html_list"),
    "gs-yjt-hazard-events-removals": ("hazard_events", "html_table"),
}

PROVINCE_OFFICE = "甘肃省安全生产委员会办公室"
LZ_OFFICE = "兰州市安全生产委员会办公室"

# What listings say, per industry of the world (the wording of the 重大事故隐患判定标准 of each
# sector, paraphrased), and the 行业 word each list prints.
HAZARD_TEXTS: dict[str, tuple[str, ...]] = {
    "煤矿": (
        "井下采掘工作面未按规定形成独立通风系统，存在串联通风",
        "采掘工作面未按规定进行探放水即组织掘进作业",
        "瓦斯抽采不达标即组织采掘作业",
    ),
    "非煤矿山": (
        "地下矿山未按设计形成两个独立的直达地面的安全出口",
        "露天采场未按设计进行台阶开采，台阶高度超过设计高度",
        "尾矿库排洪设施排洪能力不满足设计要求",
    ),
    "危险化学品": (
        "涉及重点监管危险化工工艺的装置未实现自动化控制，未按要求设置安全仪表系统",
        "构成一级重大危险源的危险化学品罐区未实现紧急切断功能",
        "控制室面向具有火灾、爆炸危险性装置一侧的外墙不满足防火防爆要求",
        "液化烃储罐未按规定设置注水措施",
    ),
    "冶金": (
        "会议室、休息室等人员聚集场所设置在熔融金属吊运跨的地坪区域内",
        "煤气区域未按规定设置固定式一氧化碳浓度监测报警装置",
    ),
    "有色": (
        "铝加工深井铸造系统未设置紧急排放和应急储存设施",
        "熔炼炉循环冷却系统未设置温度、流量监测报警装置",
    ),
    "工贸": (
        "粉尘爆炸危险场所的除尘系统未按规定设置锁气卸灰装置",
        "有限空间作业未落实作业审批，未配备气体检测报警仪器",
        "可燃性粉尘与可燃气体等易加剧爆炸危险的介质共用一套除尘系统",
    ),
    "烟花爆竹": (
        "仓库实际存药量超过设计核定存药量",
        "防范静电危害的措施不符合相关国家标准",
    ),
    "燃气": (
        "燃气管道被建筑物违规占压",
        "液化石油气储配站未按规定设置可燃气体泄漏报警装置",
    ),
    "建筑施工": (
        "深基坑工程未按规定编制专项施工方案并组织专家论证",
        "高大模板支撑体系未按专项施工方案搭设",
    ),
}
PROVINCE_SECTOR_WORDS = {  # the 行业领域 column of the provincial notices
    "煤矿": "煤矿",
    "非煤矿山": "非煤矿山",
    "危险化学品": "化工和危险化学品",
    "冶金": "冶金",
    "有色": "有色",
    "工贸": "工贸",
    "烟花爆竹": "烟花爆竹",
    "燃气": "城镇燃气",
    "建筑施工": "建筑施工",
}
LZ_SECTOR_WORDS = {  # 兰州's 行业类别: GB/T 4754 wording
    "煤矿": "烟煤和无烟煤开采洗选业",
    "非煤矿山": "非金属矿采选业",
    "危险化学品": "化学原料和化学制品制造业",
    "冶金": "黑色金属冶炼和压延加工业",
    "有色": "有色金属冶炼和压延加工业",
    "工贸": "金属制品业",
    "烟花爆竹": "烟花爆竹批发",
    "燃气": "燃气生产和供应业",
    "建筑施工": "房屋建筑业",
}
SUPERVISING = {"建筑施工": "甘肃省住房和城乡建设厅", "燃气": "甘肃省住房和城乡建设厅"}


@dataclass
class Hazard:
    key: str
    source_id: str
    enterprise: Enterprise | None  # None: the row printed without a name (rejected)
    industry: str  # the world's industry (names.INDUSTRIES key)
    hazard: str
    location: str
    county: str
    supervising: str
    responsible: str
    listed_on: dt.date
    notice_no: str  # normalized (〔〕, half-width)
    deadline: dt.date | None
    deadline_shown: str
    removed_on: dt.date | None = None  # the effective removal
    removal_stated: bool = False  # the listing source itself prints the removal
    uscc_shown: str | None = None  # as printed; None: the row has no code
    planted: list[str] = field(default_factory=list)

    @property
    def sector(self) -> str:
        return names.INDUSTRIES[self.industry].sector


@dataclass
class HazardEvent:
    key: str
    source_id: str
    event: str  # removed | interview | exposure
    event_on: dt.date
    enterprise: Enterprise
    hazard: Hazard | None  # None: the enterprise has no listing
    hazard_shown: str
    notice_shown: str | None  # the listing's 文号 as printed; None: not referred to
    uscc_shown: str | None
    title: str = ""
    detail: str = ""
    authority: str = ""
    published_on: dt.date | None = None
    page: int | None = None  # removals: which 销号 notice
    planted: list[str] = field(default_factory=list)


# --- the facts ------------------------------------------------------------------------

D = dt.date
# (notice, deadline or None, how the deadline is printed, removal day or None, follow-ups, note)
# Deadlines and removals put statuses on both sides of as_of and LATER; see the truth.
PROVINCE_PLAN = (
    (0, D(2024, 10, 31), "cn", D(2024, 10, 15), (), "removed before its deadline"),
    (0, D(2024, 12, 31), "iso", D(2025, 5, 20), (("interview", D(2025, 1, 16)),), "overdue, then removed"),
    (
        0,
        D(2025, 6, 30),
        "before",
        None,
        (("interview", D(2025, 8, 12)), ("exposure", D(2025, 9, 24))),
        "deadline printed 2025年6月30日前; never removed",
    ),
    (0, D(2024, 12, 31), "cn", D(2024, 12, 20), (), ""),
    (0, D(2025, 3, 31), "cn", D(2025, 3, 10), (), ""),
    (1, "as_of", "cn", None, (), "deadline exactly on as_of"),
    (1, None, "immediate", D(2025, 6, 10), (("interview", D(2025, 4, 22)),), "立即整改: no deadline"),
    (1, D(2025, 12, 31), "cn", D(2025, 11, 20), (), ""),
    (1, D(2026, 3, 31), "cn", None, (("exposure", D(2026, 5, 14)),), "overdue on both days"),
    (1, D(2025, 12, 31), "dot", D(2026, 2, 10), (), "overdue, then removed"),
    (2, D(2026, 12, 31), "cn", None, (), "supervised on both days"),
    (2, D(2026, 10, 31), "cn", None, (), "supervised on as_of, overdue later"),
    (2, D(2026, 9, 30), "cn", D(2026, 9, 18), (), "removed after as_of"),
    (2, D(2026, 5, 31), "cn", D(2026, 6, 12), (), "overdue, removed before as_of"),
    (2, D(2027, 3, 31), "cn", None, (), "second listing of an enterprise listed in 2024"),
    (2, D(2026, 11, 30), "cn", None, (("interview", D(2026, 12, 3)),), "overdue by LATER"),
)
NOTICE_DATES = (D(2024, 4, 12), D(2025, 3, 28), D(2026, 3, 20))
NOTICE_NOS = ("甘安办发〔2024〕9号", "甘安办发〔2025〕11号", "甘安办发〔2026〕7号")
# 兰州's batches: listing day → 文号 as printed
LZ_BATCHES = {
    D(2025, 5, 10): "兰安办发〔2025〕21号",
    D(2025, 8, 1): "兰安办发[2025]38号",
    D(2026, 2, 15): "兰安办发〔2026〕5号",
    D(2026, 9, 8): "兰安办发〔2026〕29号",
}
# 兰州's list: (listed, deadline, removal the list states or None, follow-ups, note)
LZ_PLAN = (
    (D(2025, 5, 10), D(2025, 10, 31), D(2025, 10, 20), (), "removal stated, before the deadline"),
    (D(2025, 5, 10), D(2025, 12, 31), D(2026, 1, 15), (), "removal stated, after the deadline"),
    (D(2025, 8, 1), D(2026, 8, 31), None, (), "supervised on as_of, overdue later"),
    (D(2026, 2, 15), D(2026, 5, 15), None, (("exposure", D(2026, 6, 18)),), "overdue on both days"),
    (D(2026, 9, 8), D(2027, 3, 31), None, (), "listed after as_of"),
    (D(2026, 2, 15), D(2026, 12, 31), None, (), "no 统一社会信用代码 printed"),
    (D(2025, 8, 1), D(2026, 6, 30), None, (), "row without 单位名称 (rejected)"),
)


def _normalized_no(text: str) -> str:
    """A 文号 as the truth gives it: half-width digits, 〔〕 around the year."""
    digits = "".join(chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in text)
    return digits.replace("[", "〔").replace("]", "〕")


def _location(rng, ent: Enterprise) -> str:
    city = names.city_name(ent.city)
    county = "" if ent.county == ent.city else names.county_name(ent.county)
    place = rng.choice(("示例工业园区", "示例经济开发区", "示例路", "示例镇"))
    return f"{city}{county}{place}{rng.randint(1, 99)}号"


def _make(world, rng, key, source_id, ent, listed, notice_no, deadline, shown, responsible, supervising):
    texts = HAZARD_TEXTS[ent.industry]
    used = {h.hazard for h in world.extra["hazards"] if h.enterprise is ent}
    hazard = next((t for t in rng.sample(texts, len(texts)) if t not in used), texts[0])
    return Hazard(
        key=key,
        source_id=source_id,
        enterprise=ent,
        industry=ent.industry,
        hazard=hazard,
        location=_location(rng, ent),
        county=ent.county,
        supervising=supervising,
        responsible=responsible,
        listed_on=listed,
        notice_no=notice_no,
        deadline=deadline,
        deadline_shown=shown,
        uscc_shown=ent.uscc,
    )


def _deadline_text(deadline: dt.date | None, style: str) -> str:
    if deadline is None:
        return "立即整改"
    if style == "before":
        return f"{codes.date_text(deadline, 'cn')}前"
    return codes.date_text(deadline, style)


def build(world: World) -> None:
    rng = rng_for(world.seed, "hazards")
    as_of = world.profile.as_of
    n = world.profile.extra_counts.get("hazards", len(PROVINCE_PLAN) + len(LZ_PLAN) + 1)
    world.extra["hazards"], world.extra["hazard_events"] = [], []
    hazards: list[Hazard] = world.extra["hazards"]
    pool = [e for e in world.enterprises if e.industry in HAZARD_TEXTS]
    rng.shuffle(pool)
    lz_pool = [e for e in pool if e.city == "620100"]
    other = [e for e in pool if e.city != "620100"]
    follow: list[tuple[Hazard, str, dt.date]] = []

    for i, (notice, deadline, style, removed, events, note) in enumerate(PROVINCE_PLAN):
        deadline = as_of if deadline == "as_of" else deadline
        # the 2027 listing is a second hazard of the enterprise listed with "never removed" in 2024
        ent = hazards[2].enterprise if "second listing" in note else (other if i % 3 else lz_pool).pop()
        h = _make(
            world,
            rng,
            f"HZ{len(hazards) + 1:04d}",
            "gs-yjt-hazards",
            ent,
            NOTICE_DATES[notice],
            NOTICE_NOS[notice],
            deadline,
            _deadline_text(deadline, style),
            f"{names.city_name(ent.city)}人民政府",
            SUPERVISING.get(ent.industry, "甘肃省应急管理厅"),
        )
        h.removed_on = removed
        if i == 12:  # the 2026 notice prints one row without its code
            h.uscc_shown = None
            h.planted.append("统一社会信用代码 left blank")
        if note:
            h.planted.append(note)
        hazards.append(h)
        follow += [(h, kind, day) for kind, day in events]
    for listed, deadline, removed, events, note in LZ_PLAN:
        ent = lz_pool.pop()
        h = _make(
            world,
            rng,
            f"HZ{len(hazards) + 1:04d}",
            "lz-yjj-hazards",
            ent,
            listed,
            _normalized_no(LZ_BATCHES[listed]),
            deadline,
            codes.date_text(deadline, "cn"),
            f"{names.county_name(ent.county)}人民政府",
            LZ_OFFICE,
        )
        h.removed_on, h.removal_stated = removed, removed is not None
        h.planted.append(note)
        if "without 单位名称" in note:
            h.enterprise = None
        if "no 统一社会信用代码" in note:
            h.uscc_shown = None
        hazards.append(h)
        follow += [(h, kind, day) for kind, day in events]
    # Larger profiles: more listings of the same shapes, alternately the province's and 兰州's.
    for i in range(max(0, n - len(hazards))):
        province = i % 2 == 0 or not lz_pool
        ent = (other if province and other else lz_pool or other).pop()
        listed = NOTICE_DATES[i % 3] if province else sorted(LZ_BATCHES)[i % 3]
        deadline = codes.add_months(listed, rng.randint(4, 14))
        removed = None
        if rng.random() < 0.6:
            removed = deadline - dt.timedelta(days=rng.randint(-60, 45))
            removed = removed if listed < removed <= LATER else None
        h = _make(
            world,
            rng,
            f"HZ{len(hazards) + 1:04d}",
            "gs-yjt-hazards" if province else "lz-yjj-hazards",
            ent,
            listed,
            NOTICE_NOS[i % 3] if province else _normalized_no(LZ_BATCHES[listed]),
            deadline,
            codes.date_text(deadline, "cn"),
            f"{names.city_name(ent.city)}人民政府"
            if province
            else f"{names.county_name(ent.county)}人民政府",
            SUPERVISING.get(ent.industry, "甘肃省应急管理厅") if province else LZ_OFFICE,
        )
        h.removed_on, h.removal_stated = removed, removed is not None and not province
        hazards.append(h)
    _build_events(world, rng, follow, other)
    for h in hazards:
        if h.enterprise is not None:
            world.extra.setdefault("appearances", []).append((h.enterprise, h.source_id))
    for e in world.extra["hazard_events"]:
        world.extra.setdefault("appearances", []).append((e.enterprise, e.source_id))


def _build_events(world: World, rng, follow, spare: list[Enterprise]) -> None:
    events: list[HazardEvent] = world.extra["hazard_events"]
    removed = sorted(
        (h for h in world.extra["hazards"] if h.removed_on and not h.removal_stated),
        key=lambda h: h.removed_on,
    )
    # 销号 notices: removals approved within two months of each other are announced together.
    groups: list[list[Hazard]] = []
    for h in removed:
        if groups and (h.removed_on - groups[-1][0].removed_on).days <= 75:
            groups[-1].append(h)
        else:
            groups.append([h])
    for page, group in enumerate(groups):
        published = max(h.removed_on for h in group) + dt.timedelta(days=rng.randint(6, 15))
        for j, h in enumerate(group):
            ev = _event(world, h, "removed", h.removed_on, "gs-yjt-hazard-events-removals")
            ev.page, ev.published_on = page, published
            ev.hazard_shown = h.hazard.split("，")[0] if j == 1 else h.hazard
            if j == 1:
                ev.planted.append("hazard text shortened to its first clause")
            events.append(ev)
    # The 文号 the removal rows refer to: most print it; two rows leave it out (matched by code
    # and hazard text), one prints its digits full-width.
    rows = [e for e in events if e.event == "removed"]
    for i, ev in enumerate(rows):
        if i in (3, len(rows) - 1):
            ev.notice_shown = None
            ev.planted.append("no 挂牌督办文号: linked by code/name and hazard text")
        elif i == 5:
            ev.notice_shown = codes.fullwidth(ev.notice_shown)
            ev.planted.append("挂牌督办文号 with full-width digits")
    for h, kind, day in sorted(follow, key=lambda f: (f[2], f[0].key)):
        ev = _event(world, h, kind, day, "gs-yjt-hazard-events")
        ev.published_on = day + dt.timedelta(days=rng.randint(0, 3) if kind == "interview" else 0)
        events.append(ev)
    # One exposure of the "never removed" 2024 listing names no 文号: the enterprise has a second
    # listing, so only the hazard text tells which one it means.
    exposure = next(
        e for e in events if e.event == "exposure" and e.hazard and e.hazard.listed_on.year == 2024
    )
    exposure.notice_shown = None
    exposure.planted.append("no 督办文号; the enterprise has two listings: linked by hazard text")
    # An exposure of an enterprise found with a 重大事故隐患 in an inspection, never listed.
    listed = {h.enterprise.key for h in world.extra["hazards"] if h.enterprise}
    ent = next(e for e in spare if e.key not in listed)
    texts = HAZARD_TEXTS[ent.industry]
    ev = HazardEvent(
        key=f"HE{len(events) + 1:04d}",
        source_id="gs-yjt-hazard-events",
        event="exposure",
        event_on=D(2026, 4, 22),
        enterprise=ent,
        hazard=None,
        hazard_shown=texts[0],
        notice_shown=None,
        uscc_shown=ent.uscc,
        published_on=D(2026, 4, 22),
        planted=["enterprise with no listing: stays unlinked"],
    )
    _words(ev)
    events.append(ev)
    events.sort(key=lambda e: (e.event_on, e.key))
    for i, e in enumerate(events, 1):
        e.key = f"HE{i:04d}"


def _event(world: World, h: Hazard, kind: str, day: dt.date, source_id: str) -> HazardEvent:
    ev = HazardEvent(
        key="",
        source_id=source_id,
        event=kind,
        event_on=day,
        enterprise=h.enterprise,
        hazard=h,
        hazard_shown=h.hazard,
        notice_shown=NOTICE_NOS[NOTICE_DATES.index(h.listed_on)]
        if h.source_id == "gs-yjt-hazards" and h.listed_on in NOTICE_DATES
        else LZ_BATCHES.get(h.listed_on, h.notice_no),
        uscc_shown=h.enterprise.uscc,
    )
    _words(ev)
    return ev


def _words(ev: HazardEvent) -> None:
    name = ev.enterprise.name
    if ev.event == "removed":
        ev.authority = PROVINCE_OFFICE
        ev.detail = "经验收，整改措施落实到位，予以销号"
        return
    if ev.event == "interview":
        ev.authority = "甘肃省应急管理厅"
        ev.title = f"甘肃省应急管理厅对{name}进行警示约谈"
        ev.detail = (
            "要求企业主要负责人切实履行安全生产第一责任人职责，立即制定整改方案，落实整改责任、措施、资金、时限和应急预案，"
            "整改期间停止相关区域作业。"
        )
        return
    ev.authority = "甘肃省应急管理厅"
    ev.title = f"甘肃省应急管理厅关于{name}重大事故隐患问题的公开曝光"
    if ev.hazard is None:
        ev.detail = "执法检查中发现该问题，已依法责令停产整改，并立案调查。"
    else:
        ev.detail = (
            "该隐患挂牌督办后逾期未完成整改，已责令停止相关区域作业，依法实施行政处罚，并约谈企业主要负责人。"
        )


# --- status ---------------------------------------------------------------------------


def status(h: Hazard, day: dt.date) -> str:
    """supervised | overdue | removed | future (listed after the day), the deadline inclusive."""
    if h.listed_on > day:
        return "future"
    if h.removed_on and h.removed_on <= day:
        return "removed"
    if h.deadline and h.deadline < day:
        return "overdue"
    return "supervised"


# --- the documents ----------------------------------------------------------------------


def write(world: World, out: Path) -> dict:
    hazards: list[Hazard] = world.extra["hazards"]
    events: list[HazardEvent] = world.extra["hazard_events"]
    _write_province(world, out / "gs-yjt-hazards", [h for h in hazards if h.source_id == "gs-yjt-hazards"])
    _write_lanzhou(world, out / "lz-yjj-hazards", [h for h in hazards if h.source_id == "lz-yjj-hazards"])
    _write_removals(world, out / "gs-yjt-hazard-events-removals", [e for e in events if e.event == "removed"])
    _write_announcements(world, out / "gs-yjt-hazard-events", [e for e in events if e.event != "removed"])
    as_of = world.profile.as_of
    rows = []
    for h in hazards:
        rows.append(
            {
                "key": h.key,
                "source_id": h.source_id,
                "enterprise": h.enterprise.name if h.enterprise else None,
                "uscc": h.uscc_shown,
                "notice_no": h.notice_no,
                "hazard": h.hazard,
                "location": h.location,
                "region_code": h.county,
                "industry": h.sector,
                "supervising_authority": h.supervising,
                "responsible_authority": h.responsible,
                "listed_on": h.listed_on.isoformat(),
                "deadline": h.deadline.isoformat() if h.deadline else None,
                "deadline_shown": h.deadline_shown,
                "removed_on_stated": h.removed_on.isoformat() if h.removal_stated else None,
                "removed_on": h.removed_on.isoformat() if h.removed_on else None,
                "status": status(h, as_of),
                "status_later": status(h, LATER),
                "rejected": "缺少必填字段：企业名称" if h.enterprise is None else None,
                "planted": h.planted,
            }
        )
    event_rows = [
        {
            "key": e.key,
            "source_id": e.source_id,
            "event": e.event,
            "event_on": e.event_on.isoformat(),
            "enterprise": e.enterprise.name,
            "uscc": e.uscc_shown,
            "notice_no": _normalized_no(e.notice_shown) if e.notice_shown else None,
            "notice_shown": e.notice_shown,
            "hazard": e.hazard_shown,
            "hazard_key": e.hazard.key if e.hazard else None,
            "title": e.title,
            "authority": e.authority,
            "planted": e.planted,
        }
        for e in events
    ]
    return {
        "counts": {
            "hazards": sum(h.enterprise is not None for h in hazards),
            "hazards_rejected": sum(h.enterprise is None for h in hazards),
            "hazard_events": len(events),
        },
        "truth": {
            "hazard_status_days": [as_of.isoformat(), LATER.isoformat()],
            "hazards": rows,
            "hazard_events": event_rows,
        },
    }


def _detail(
    title: str, crumb: str, meta: list[tuple[str, str]], body: str, site: str = "甘肃省应急管理厅"
) -> str:
    """A detail page of the provincial site; the metadata block and the article in one
    div.detail (the specs of the labelled announcements read labels from both)."""
    cells = [f"<th>{escape(label)}：</th><td>{escape(value)}</td>" for label, value in meta]
    rows = "\n".join("<tr>" + "".join(cells[i : i + 2]) + "</tr>" for i in range(0, len(cells), 2))
    main = f"""<div class="detail">
<table class="xxgk">
{rows}
</table>
<div class="article">
<h1>{escape(title)}</h1>
<div class="content" id="zoom">
{body}
</div>
</div>
</div>"""
    return gs_page(title, crumb, main, site)


def _p(text: str, style: str = "text-indent:2em") -> str:
    return f'<p style="{style}">{escape(text)}</p>'


def _write_province(world: World, root: Path, hazards: list[Hazard]) -> None:
    header = [
        "序号",
        "企业名称",
        "统一社会信用代码",
        "隐患所在地",
        "行业领域",
        "重大事故隐患内容",
        "督办单位",
        "责任单位",
        "挂牌时间",
        "整改期限",
    ]
    items = []
    for n, (day, notice_no) in enumerate(zip(NOTICE_DATES, NOTICE_NOS)):
        listed = [h for h in hazards if h.notice_no == notice_no]
        rows = []
        for i, h in enumerate(listed, 1):
            uscc = h.uscc_shown or ""
            rows.append(
                [
                    str(i),
                    h.enterprise.name,
                    uscc,
                    h.location,
                    PROVINCE_SECTOR_WORDS[h.industry],
                    h.hazard,
                    h.supervising,
                    h.responsible,
                    codes.date_text(h.listed_on, "cn"),
                    h.deadline_shown,
                ]
            )
        first = listed[0].enterprise.name
        title = f"{PROVINCE_OFFICE}关于对{first}等{len(listed)}处重大事故隐患挂牌督办的通知（{notice_no}）"
        body = "\n".join(
            [
                _p(SAMPLE_NOTE),
                _p("各市州安委会，兰州新区安委会，省安委会有关成员单位："),
                _p(
                    f"根据《中华人民共和国安全生产法》和重大事故隐患判定标准，经研究，决定对{first}等{len(listed)}处"
                    "重大事故隐患实行省级挂牌督办。各责任单位要督促企业落实整改责任、措施、资金、时限和应急预案，"
                    "整改完成后按程序申请验收销号。"
                ),
                _table_html("gpdb", header, rows),
                _p(f"{PROVINCE_OFFICE}　{codes.date_text(day, 'cn')}", "text-align:right"),
            ]
        )
        doc_id = 8_100_000 + n * 173
        path = gs_path(day, doc_id)
        meta = [
            ("索引号", f"620000-GSD0122-15-006/{day.year}-{doc_id % 1000:05d}"),
            ("发布机构", PROVINCE_OFFICE),
            ("发布日期", day.isoformat()),
        ]
        files.write_text(root / path, _detail(title, "重大事故隐患挂牌督办", meta, body))
        items.append((path, title, day))
    world.plant("deadline_text", "gs-yjt-hazards", "2024 notice", "整改期限 printed 2025年6月30日前")
    world.plant(
        "deadline_immediate", "gs-yjt-hazards", "2025 notice", "整改期限 立即整改: no date, deadline null"
    )
    world.plant(
        "deadline_on_as_of", "gs-yjt-hazards", "2025 notice", "a deadline exactly on the profile's as_of"
    )
    world.plant("doc_no_in_title", "gs-yjt-hazards", "every notice", "督办文号 only in the title's brackets")
    world.plant("missing_uscc", "gs-yjt-hazards", "2026 notice row 3", "统一社会信用代码 left blank")
    items.reverse()
    files.write_text(root / "index.html", gs_list(items, 0, 1, len(items), "重大事故隐患挂牌督办"))


def _write_lanzhou(world: World, root: Path, hazards: list[Hazard]) -> None:
    rng = rng_for(world.seed, "hazards-lz")
    wb = Workbook()
    ws = wb.active
    ws.title = "挂牌督办清单"
    header = [
        "序号",
        "单位名称",
        "社会信用代码",
        "所在区县",
        "行业类别",
        "隐患描述",
        "挂牌单位",
        "督办文号",
        "督办责任单位",
        "挂牌时间",
        "完成时限",
        "销号时间",
    ]
    ws.append([f"兰州市市级挂牌督办重大事故隐患清单{SAMPLE_NOTE}"] + [None] * (len(header) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    row = 2
    for i, h in enumerate(sorted(hazards, key=lambda h: (h.listed_on, h.key)), 1):
        draw = rng.random()
        listed: object = (
            dt.datetime.combine(h.listed_on, dt.time())
            if draw < 0.5
            else codes.date_text(h.listed_on, "dot" if draw < 0.75 else "cn")
        )
        removed = codes.date_text(h.removed_on, rng.choice(("iso", "cn"))) if h.removal_stated else ""
        ws.append(
            [
                i,
                h.enterprise.name if h.enterprise else "",
                h.uscc_shown or "",
                names.county_name(h.county),
                LZ_SECTOR_WORDS[h.industry],
                h.hazard,
                LZ_OFFICE,
                LZ_BATCHES.get(h.listed_on, h.notice_no),
                h.responsible,
                listed,
                codes.date_text(h.deadline, "cn") if h.deadline else "立即整改",
                removed,
            ]
        )
        row += 1
        if isinstance(listed, dt.datetime):
            ws.cell(row=row, column=10).number_format = "yyyy-mm-dd"
    for column, width in zip("ABCDEFGHIJKL", (6, 36, 22, 12, 22, 48, 26, 20, 18, 14, 16, 14)):
        ws.column_dimensions[column].width = width
    world.plant(
        "merged_title_row", "lz-yjj-hazards", "sheet 挂牌督办清单 row 1", "merged title row above the header"
    )
    world.plant("blank_required", "lz-yjj-hazards", "one row", "单位名称 blank: rejected with the reason")
    world.plant("removal_in_column", "lz-yjj-hazards", "销号时间", "the list itself states removals")
    world.plant("square_brackets", "lz-yjj-hazards", "督办文号", "兰安办发[2025]38号 with [] for 〔〕")
    world.plant(
        "dates_several_forms", "lz-yjj-hazards", "挂牌时间", "date cells, 2025.08.01 and 2025年8月1日"
    )
    files.write_bytes(root / "lz-yjj-hazards.xlsx", files.xlsx_bytes(wb))


def _write_removals(world: World, root: Path, events: list[HazardEvent]) -> None:
    header = ["序号", "企业名称", "统一社会信用代码", "隐患内容", "挂牌督办文号", "销号日期"]
    pages = sorted({e.page for e in events})
    items = []
    for page in pages:
        rows_of = [e for e in events if e.page == page]
        day = rows_of[0].published_on
        rows = [
            [
                str(i),
                e.enterprise.name,
                e.uscc_shown or "",
                e.hazard_shown,
                e.notice_shown or "",
                codes.date_text(e.event_on, "cn" if page % 2 else "iso"),
            ]
            for i, e in enumerate(rows_of, 1)
        ]
        title = f"{PROVINCE_OFFICE}关于{len(rows)}处省级挂牌督办重大事故隐患予以销号的通知"
        for e in rows_of:
            e.title = title
        body = "\n".join(
            [
                _p(SAMPLE_NOTE),
                _p(
                    f"经企业申请、属地验收和省安委办组织复核，以下{len(rows)}处省级挂牌督办重大事故隐患已按要求整改到位，"
                    "现予以销号（摘牌）。"
                ),
                _table_html("xhmd", header, rows),
                _p(f"{PROVINCE_OFFICE}　{codes.date_text(day, 'cn')}", "text-align:right"),
            ]
        )
        doc_id = 8_200_000 + page * 157
        path = gs_path(day, doc_id)
        meta = [("发布机构", PROVINCE_OFFICE), ("发布日期", day.isoformat())]
        files.write_text(root / path, _detail(title, "重大事故隐患销号", meta, body))
        items.append((path, title, day))
    world.plant(
        "doc_no_missing",
        "gs-yjt-hazard-events-removals",
        "two rows",
        "挂牌督办文号 blank: linked by code and text",
    )
    world.plant(
        "fullwidth_doc_no", "gs-yjt-hazard-events-removals", "one row", "挂牌督办文号 with full-width digits"
    )
    items.reverse()
    size = 15
    chunks = pages_of(items, size)
    for n, chunk in enumerate(chunks):
        files.write_text(
            root / ("index.html" if n == 0 else f"index_{n}.html"),
            gs_list(chunk, n, len(chunks), len(items), "重大事故隐患销号"),
        )


def _write_announcements(world: World, root: Path, events: list[HazardEvent]) -> None:
    items = []
    for n, e in enumerate(events):
        name = e.enterprise.name
        day = e.published_on or e.event_on
        lines = [_p(SAMPLE_NOTE)]
        if e.event == "interview":
            lines.append(
                _p(
                    f"{codes.date_text(e.event_on, 'cn')}，甘肃省应急管理厅对挂牌督办的重大事故隐患整改进展缓慢的{name}"
                    "进行警示约谈，通报了隐患整改情况，提出了整改要求。"
                )
            )
            labelled = [("被约谈单位", name)]
            if e.uscc_shown:
                labelled.append(("统一社会信用代码", e.uscc_shown))
            labelled += [
                ("所在地区", _region_words(e.enterprise)),
                ("约谈时间", codes.date_text(e.event_on, "cn")),
                ("涉及隐患", e.hazard_shown),
            ]
            if e.notice_shown:
                labelled.append(("督办文号", e.notice_shown))
            labelled.append(("约谈要求", e.detail))
        else:
            lines.append(
                _p(
                    "为强化警示教育，推动企业落实安全生产主体责任，现将近期发现的一起重大事故隐患问题予以公开曝光。"
                )
            )
            labelled = [("企业名称", name)]
            if e.uscc_shown:
                labelled.append(("统一社会信用代码", e.uscc_shown))
            labelled += [("所在地区", _region_words(e.enterprise)), ("存在隐患", e.hazard_shown)]
            if e.notice_shown:
                labelled.append(("督办文号", e.notice_shown))
            labelled.append(("处理情况", e.detail))
        lines += [_p(f"{label}：{value}") for label, value in labelled]
        lines.append(_p("各地各有关部门要举一反三，督促企业全面排查整治同类问题。"))
        lines.append(_p(f"甘肃省应急管理厅　{codes.date_text(day, 'cn')}", "text-align:right"))
        doc_id = 8_300_000 + n * 131
        path = gs_path(day, doc_id)
        meta = [("发布机构", e.authority), ("发布日期", day.isoformat())]
        files.write_text(root / path, _detail(e.title, "约谈曝光", meta, "\n".join(lines)))
        items.append((path, e.title, day))
    world.plant(
        "labelled_announcement",
        "gs-yjt-hazard-events",
        "every page",
        "facts as labelled lines in the body (被约谈单位：…); no 督办文号 on some",
    )
    items.sort(key=lambda item: (item[2], item[0]), reverse=True)
    chunks = pages_of(items, 15)
    for n, chunk in enumerate(chunks):
        files.write_text(
            root / ("index.html" if n == 0 else f"index_{n}.html"),
            gs_list(chunk, n, len(chunks), len(items), "约谈曝光"),
        )


def _region_words(ent: Enterprise) -> str:
    city = names.city_name(ent.city)
    return city if ent.county == ent.city else city + names.county_name(ent.county)
