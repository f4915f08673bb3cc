"""Sample sources for 重大建设项目立项前公示 (示例数据).

- gs-fgw-projects (html_list): one announcement per project, the facts as labelled lines
  (项目名称：…, 建设单位：…, 主要危险有害因素：…, 公示期：…, 意见反馈方式：…), the 文号 and
  发布日期 in the 政府信息公开 block. Comment periods sit around world.profile.as_of and LATER:
  upcoming, open (one ends exactly on LATER), closed, and one given as a length only.
- gs-fgw-projects-summary (csv, GBK, a title line above the header): the older projects with
  their 公示结果.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from . import codes, files, names
from .hazards import LATER, LZ_SECTOR_WORDS, _detail, _p
from .reports import SAMPLE_NOTE
from .sites import gs_list, gs_path, pages_of
from .world import Enterprise, World, rng_for

SOURCES: dict[str, tuple[str, str]] = {
    "gs-fgw-projects": ("projects", "html_list"),
    "gs-fgw-projects-summary": ("projects", "csv"),
}
SITE = "甘肃省发展和改革委员会"
OFFICE_ADDRESS = "兰州市城关区示例路99号甘肃省发展和改革委员会（示例）固定资产投资处，邮编730000"
OFFICE_MAIL = "xmgs@fgw.gansu.example.cn"
PHONE = "0931-8765432"

# Per industry of the world: what is built, its main hazards, the measures proposed.
PROJECT_KINDS: dict[str, tuple[str, str, str]] = {
    "危险化学品": (
        "年产5万吨精细化学品项目",
        "火灾、爆炸、中毒和窒息、灼烫、高处坠落",
        "涉及危险化工工艺的装置设置自动化控制系统和安全仪表系统；设置可燃和有毒气体检测报警系统；"
        "罐区设置紧急切断装置；总平面布置满足防火间距要求",
    ),
    "非煤矿山": (
        "建筑用石料矿扩建工程",
        "坍塌、放炮、车辆伤害、高处坠落、粉尘",
        "采用自上而下分台阶开采；边坡设置在线监测系统；爆破作业委托具备资质的单位实施；运输道路设置挡车设施",
    ),
    "煤矿": (
        "矿井120万吨/年改扩建项目",
        "瓦斯、煤尘、水害、顶板、火灾",
        "建立瓦斯抽采系统和安全监控系统；坚持有掘必探、先探后掘；采用综合机械化开采和液压支架支护",
    ),
    "冶金": (
        "炼钢系统节能技术改造项目",
        "灼烫、起重伤害、煤气中毒、机械伤害",
        "熔融金属吊运采用冶金铸造起重机；煤气区域设置固定式一氧化碳检测报警装置；人员聚集场所避开吊运区域",
    ),
    "有色": (
        "高性能铝合金板带生产线项目",
        "灼烫、爆炸、起重伤害、机械伤害",
        "深井铸造系统设置紧急排放和应急储存设施；循环冷却系统设置温度、流量监测报警；熔炼区域设置防爆泄压设施",
    ),
    "工贸": (
        "金属制品智能化改造项目",
        "机械伤害、粉尘爆炸、触电、火灾",
        "除尘系统设置锁气卸灰、泄爆和隔爆装置；设备设置安全联锁和防护装置；电气设备按防爆区域选型",
    ),
    "燃气": (
        "液化天然气储配站建设项目",
        "火灾、爆炸、低温冻伤、中毒和窒息",
        "液化天然气储罐设置液位、压力监测和紧急切断；站区设置可燃气体泄漏报警和消防系统；与周边建筑保持规定的防火间距",
    ),
    "烟花爆竹": (
        "烟花爆竹仓储改建项目",
        "火药爆炸、火灾",
        "仓库按核定药量储存；设置防雷、防静电设施；库区设置视频监控和温湿度监测",
    ),
}
SUMMARY_SECTOR_WORDS = {  # the summary list's 行业类别: the short words
    "危险化学品": "化工",
    "非煤矿山": "非煤矿山",
    "煤矿": "煤矿",
    "冶金": "冶金",
    "有色": "有色",
    "工贸": "工贸",
    "燃气": "燃气",
    "烟花爆竹": "烟花爆竹",
}

D = dt.date
# (announced, comment period as printed, start, end, note): statuses on as_of (2026-06-30) and LATER.
DETAIL_PLAN = (
    (D(2026, 6, 15), "2026年6月16日至2026年6月29日", D(2026, 6, 16), D(2026, 6, 29), "closed on as_of"),
    (
        D(2026, 6, 24),
        "2026年6月25日至7月8日",
        D(2026, 6, 25),
        D(2026, 7, 8),
        "open on as_of; end without a year",
    ),
    (D(2026, 6, 29), "2026年7月2日至2026年7月15日", D(2026, 7, 2), D(2026, 7, 15), "upcoming on as_of"),
    (D(2026, 6, 30), "10个工作日（自本公示发布之日起）", D(2026, 6, 30), None, "length only: no end day"),
    (D(2026, 11, 19), "2026年11月20日至2026年12月4日", D(2026, 11, 20), D(2026, 12, 4), "closed on LATER"),
    (
        D(2026, 11, 23),
        "2026年11月24日至2026年12月7日",
        D(2026, 11, 24),
        D(2026, 12, 7),
        "open, ends on LATER",
    ),
    (D(2026, 11, 30), "2026年12月1日至2026年12月14日", D(2026, 12, 1), D(2026, 12, 14), "open on LATER"),
    (D(2026, 12, 4), "2026年12月8日至2026年12月21日", D(2026, 12, 8), D(2026, 12, 21), "upcoming on LATER"),
)
OUTCOMES = (
    "无异议，同意立项",
    "收到意见2条，建设单位已采纳并完善安全措施，同意立项",
    "暂缓立项，待补充安全风险评估后重新公示",
)


@dataclass
class Project:
    key: str
    source_id: str
    enterprise: Enterprise
    builder_shown: str  # "" : the row leaves it blank (rejected)
    name: str
    industry: str
    location: str
    county: str
    hazards: str
    measures: str
    number: str  # normalized 文号
    number_shown: str
    announced_on: dt.date
    period_shown: str
    start: dt.date | None
    end: dt.date | None
    channel: str = ""
    outcome: str | None = None
    outcome_on: dt.date | None = None
    planted: list[str] = field(default_factory=list)


def build(world: World) -> None:
    rng = rng_for(world.seed, "projects")
    n = world.profile.extra_counts.get("projects", len(DETAIL_PLAN))
    pool = [e for e in world.enterprises if e.industry in PROJECT_KINDS]
    rng.shuffle(pool)
    projects: list[Project] = []
    world.extra["projects"] = projects
    serial: dict[int, int] = {}

    def make(source_id: str, announced: dt.date) -> Project:
        ent = pool.pop()
        what, hazards, measures = PROJECT_KINDS[ent.industry]
        serial[announced.year] = serial.get(announced.year, rng.randint(2, 6)) + rng.randint(1, 3)
        number = f"甘发改公示〔{announced.year}〕{serial[announced.year]}号"
        city = names.city_name(ent.city)
        county = "" if ent.county == ent.city else names.county_name(ent.county)
        return Project(
            key=f"PJ{len(projects) + 1:04d}",
            source_id=source_id,
            enterprise=ent,
            builder_shown=ent.name,
            name=f"{ent.name}{what}",
            industry=ent.industry,
            location=f"{city}{county}{rng.choice(('示例工业园区', '示例经济开发区', '示例循环经济产业园'))}",
            county=ent.county,
            hazards=hazards,
            measures=measures,
            number=number,
            number_shown=number,
            announced_on=announced,
            period_shown="",
            start=None,
            end=None,
        )

    for i in range(max(n, len(DETAIL_PLAN))):
        if i < len(DETAIL_PLAN):
            announced, shown, start, end, note = DETAIL_PLAN[i]
        else:  # larger profiles: more closed periods before as_of
            announced = D(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 150))
            start = announced + dt.timedelta(days=1)
            end = start + dt.timedelta(days=13)
            shown, note = f"{codes.date_text(start, 'cn')}至{codes.date_text(end, 'cn')}", ""
        p = make("gs-fgw-projects", announced)
        p.period_shown, p.start, p.end = shown, start, end
        p.channel = f"书面意见请寄{OFFICE_ADDRESS}；电子邮件请发送至{OFFICE_MAIL}"
        if i == 2:
            p.channel += f"；也可致电{PHONE}"
            p.planted.append("phone number in 意见反馈方式: masked on load")
        if note:
            p.planted.append(note)
        projects.append(p)
    # The summary list: older projects, periods of 2024 and 2025, with the outcome.
    for i in range(max(5, n * 3 // 4) + 1):
        announced = D(2024, 3, 1) + dt.timedelta(days=i * 97 + rng.randint(0, 20))
        p = make("gs-fgw-projects-summary", announced)
        p.start = announced + dt.timedelta(days=1)
        p.end = p.start + dt.timedelta(days=rng.choice((9, 13, 14)))
        p.outcome_on = p.end + dt.timedelta(days=rng.randint(10, 40))
        p.outcome = OUTCOMES[i % len(OUTCOMES)]
        if i == 1:
            p.number_shown = p.number.replace("〔", "[").replace("〕", "]")
            p.planted.append("公示编号 with [] for 〔〕")
        if i == 3:
            p.outcome, p.outcome_on = None, None
            p.planted.append("公示结果 printed —: no outcome yet")
        if i == 4:
            p.builder_shown = ""
            p.planted.append("建设单位 blank: rejected with the reason")
        projects.append(p)
    for p in projects:
        if p.builder_shown:
            world.extra.setdefault("appearances", []).append((p.enterprise, p.source_id))


def comment_status(p: Project, day: dt.date) -> tuple[str, int | None]:
    """As etl/rules/projects.py: decided, upcoming, unstated, open (days left) or closed."""
    if p.outcome and (p.outcome_on is None or p.outcome_on <= day):
        return "decided", None
    if p.start is not None and p.start > day:
        return "upcoming", None
    if p.end is None:
        return "unstated", None
    if day <= p.end:
        return "open", (p.end - day).days
    return "closed", None


def write(world: World, out: Path) -> dict:
    projects: list[Project] = world.extra["projects"]
    _write_details(world, out / "gs-fgw-projects", [p for p in projects if p.source_id == "gs-fgw-projects"])
    _write_summary(
        world, out / "gs-fgw-projects-summary", [p for p in projects if p.source_id != "gs-fgw-projects"]
    )
    as_of = world.profile.as_of
    rows = []
    for p in projects:
        status, left = comment_status(p, as_of)
        status_later, left_later = comment_status(p, LATER)
        rows.append(
            {
                "key": p.key,
                "source_id": p.source_id,
                "project_name": p.name,
                "builder": p.enterprise.name if p.builder_shown else None,
                "uscc": p.enterprise.uscc,
                "announcement_no": p.number,
                "announced_on": p.announced_on.isoformat(),
                "comment_period_shown": p.period_shown or None,
                "comment_start": p.start.isoformat() if p.start else None,
                "comment_end": p.end.isoformat() if p.end else None,
                "industry": names.INDUSTRIES[p.industry].sector,
                "region_code": p.county,
                "location": p.location,
                "main_hazards": p.hazards if p.source_id == "gs-fgw-projects" else None,
                "phone_in_channel": PHONE in p.channel,
                "outcome": p.outcome,
                "outcome_on": p.outcome_on.isoformat() if p.outcome_on else None,
                "status": status,
                "days_left": left,
                "status_later": status_later,
                "days_left_later": left_later,
                "rejected": None if p.builder_shown else "缺少必填字段：建设单位",
                "planted": p.planted,
            }
        )
    return {
        "counts": {
            "projects": sum(bool(p.builder_shown) for p in projects),
            "projects_rejected": sum(not p.builder_shown for p in projects),
        },
        "truth": {"projects": rows},
    }


def _write_details(world: World, root: Path, projects: list[Project]) -> None:
    items = []
    for n, p in enumerate(projects):
        title = f"关于{p.name}立项前安全风险情况的公示"
        labelled = [
            ("项目名称", p.name),
            ("建设单位", p.enterprise.name),
            ("统一社会信用代码", p.enterprise.uscc),
            ("建设地点", p.location),
            ("所属行业", LZ_SECTOR_WORDS[p.industry]),
            ("主要危险有害因素", p.hazards),
            ("拟采取的安全措施", p.measures),
            ("公示期", p.period_shown),
            ("意见反馈方式", p.channel),
        ]
        body = "\n".join(
            [_p(SAMPLE_NOTE)]
            + [
                _p(
                    "根据重大建设项目安全风险管理的有关规定，现将以下项目立项前的安全风险情况予以公示，"
                    "欢迎社会各界监督并提出意见。"
                )
            ]
            + [_p(f"{label}：{value}") for label, value in labelled]
            + [
                _p("在此期间，任何单位和个人均可通过上述方式反映意见，反映意见时请说明具体事实和理由。"),
                _p(f"{SITE}　{codes.date_text(p.announced_on, 'cn')}", "text-align:right"),
            ]
        )
        doc_id = 9_100_000 + n * 211
        path = gs_path(p.announced_on, doc_id)
        meta = [
            ("索引号", f"620000-GSFGW-12-003/{p.announced_on.year}-{doc_id % 1000:05d}"),
            ("发布机构", SITE),
            ("文号", p.number_shown),
            ("发布日期", p.announced_on.isoformat()),
        ]
        files.write_text(root / path, _detail(title, "立项前公示", meta, body, SITE))
        items.append((path, title, p.announced_on))
    world.plant("period_end_without_year", "gs-fgw-projects", "2nd project", "公示期 2026年6月25日至7月8日")
    world.plant("period_length_only", "gs-fgw-projects", "4th project", "公示期 10个工作日: comment_end null")
    world.plant("phone_in_channel", "gs-fgw-projects", "3rd project", "意见反馈方式 includes a phone number")
    items.sort(key=lambda item: (item[2], item[0]), reverse=True)
    chunks = pages_of(items, 15)
    for n, chunk in enumerate(chunks):
        html = gs_list(chunk, n, len(chunks), len(items), "立项前公示")
        files.write_text(
            root / ("index.html" if n == 0 else f"index_{n}.html"), html.replace("甘肃省应急管理厅", SITE)
        )


def _write_summary(world: World, root: Path, projects: list[Project]) -> None:
    rng = rng_for(world.seed, "projects-summary")
    rows = [
        [f"甘肃省重大建设项目立项前公示结果汇总（2024—2025年）{SAMPLE_NOTE}"],
        [
            "序号",
            "公示编号",
            "项目名称",
            "建设单位",
            "统一社会信用代码",
            "建设地点",
            "行业类别",
            "公示开始日期",
            "公示截止日期",
            "公示结果",
            "结果公布日期",
        ],
    ]
    for i, p in enumerate(projects, 1):
        style = rng.choice(("iso", "cn", "slash"))
        rows.append(
            [
                str(i),
                p.number_shown,
                p.name,
                p.builder_shown,
                p.enterprise.uscc if p.builder_shown else "",
                p.location,
                SUMMARY_SECTOR_WORDS[p.industry],
                codes.date_text(p.start, style),
                codes.date_text(p.end, style),
                p.outcome or "—",
                codes.date_text(p.outcome_on, style) if p.outcome_on else "",
            ]
        )
    world.plant(
        "title_line", "gs-fgw-projects-summary", "line 1", "a title line above the header (header_row 1)"
    )
    world.plant(
        "blank_required", "gs-fgw-projects-summary", "one row", "建设单位 blank: rejected with the reason"
    )
    world.plant("dash_for_none", "gs-fgw-projects-summary", "公示结果", "— where no outcome is published")
    files.write_text(root / "gs-fgw-projects-summary.csv", files.csv_text(rows), "gbk")
