"""Announcements on the provincial site (same CMS as its accident list): rectification
assessments (list + details), 严重失信主体名单 batches, 移出 announcements and the bans table.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from . import codes, files
from .followups import BATCH_DATES
from .reports import SAMPLE_NOTE, assessment_text
from .sites import blocks_html, gs_detail, gs_list, gs_path, pages_of
from .world import World, rng_for


def write_assessments(world: World, out: Path) -> dict[str, str]:
    root, seed = out / "gs-yjt-assessments", world.seed
    paths: dict[str, str] = {}
    for a in world.assessments:
        rng = rng_for(seed, "assessment-meta", a.key)
        acc = a.accident
        meta = []
        if rng.random() < 0.8:
            meta.append(("索引号", f"620000-GSD0122-15-003/{a.published_on.year}-{rng.randint(1, 999):05d}"))
        meta.append(("发布机构", a.assessor if rng.random() < 0.5 else "甘肃省应急管理厅"))
        meta.append(("文号", a.doc_no))
        meta.append(("发布日期", a.published_on.isoformat()))
        if a.ref_by in ("title", "both"):
            meta.append(("评估事故", acc.title))
        if a.ref_by in ("doc_no", "both"):
            meta.append(("事故调查报告批复文号", acc.doc_no))
        meta.append(("评估单位", a.assessor))
        meta.append(("评估时间", codes.date_text(a.assessed_on, rng.choice(("iso", "cn")))))
        meta.append(("评估结论", a.result_shown))
        path = gs_path(a.published_on, 5_000_000 + int(a.key[2:]) * 211)
        files.write_text(
            root / path,
            gs_detail(
                a.title, "整改措施落实情况评估", meta, blocks_html(assessment_text(a, seed)), [], a.assessor
            ),
        )
        paths[a.key] = path
    pages = pages_of(world.assessments, world.profile.list_page_size["gs-yjt-assessments"])
    for n, items in enumerate(pages):
        html = gs_list(
            [(paths[a.key], a.title, a.published_on) for a in items],
            n,
            len(pages),
            len(world.assessments),
            "整改措施落实情况评估",
        )
        files.write_text(root / ("index.html" if n == 0 else f"index_{n}.html"), html)
    return paths


# --- 严重失信主体名单 ----------------------------------------------------------------------

BATCH_HEADERS = {  # header variants; batch 5 carries an extra 备注 column nobody maps
    "old": (
        "序号",
        "主体名称",
        "主体类型",
        "统一社会信用代码",
        "身份证号码",
        "主要负责人",
        "失信行为",
        "列入依据",
        "处罚决定书文号",
        "作出决定机关",
        "列入日期",
        "管理期限至",
    ),
    "new": (
        "序号",
        "失信主体名称",
        "主体类别",
        "统一社会信用代码",
        "证件号码",
        "法定代表人（主要负责人）",
        "列入事由",
        "列入依据",
        "行政处罚决定书文号",
        "作出决定部门",
        "列入日期",
        "管理期限截止日期",
    ),
}
SUBJECT_LABELS = {
    "unit": ("生产经营单位", "生产经营单位"),
    "agency": ("技术服务机构", "安全评价机构"),
    "person": ("主要负责人", "自然人"),
}


def _batch_title(batch: int, day: dt.date, count_in_year: int) -> str:
    order = "一二三四"[count_in_year]
    if day < dt.date(2023, 10, 1):
        return f"甘肃省应急管理厅关于公布{day.year}年第{order}批安全生产失信联合惩戒对象（严重失信主体）名单的公告"
    return f"甘肃省应急管理厅关于公布{day.year}年第{order}批安全生产严重失信主体名单的公告"


def write_blacklist(world: World, out: Path) -> dict[int, tuple[str, str]]:
    root = out / "gs-yjt-blacklist"
    pages: dict[int, tuple[str, str]] = {}
    per_year: dict[int, int] = {}
    for batch in range(len(world.profile.blacklist_batches)):
        day = BATCH_DATES[batch]
        rng = rng_for(world.seed, "batch", batch)
        title = _batch_title(batch, day, per_year.get(day.year, 0))
        per_year[day.year] = per_year.get(day.year, 0) + 1
        variant = "old" if day < dt.date(2023, 10, 1) else "new"
        header = list(BATCH_HEADERS[variant]) + (["备注"] if batch == 5 else [])
        date_style = ("iso", "cn", "iso", "dot", "cn", "iso", "iso", "cn")[batch % 8]
        rows = []
        entries = [e for e in world.blacklist if e.batch == batch]
        for i, e in enumerate(entries, 1):
            label = SUBJECT_LABELS[e.subject_type][rng.random() < 0.3]
            id_shown = ""
            if e.id_number:
                id_shown = e.id_number if e.id_unmasked else codes.mask_id(e.id_number)
            uscc = e.uscc or ("—" if rng.random() < 0.5 else "")
            row = [
                str(i),
                e.name,
                label,
                uscc,
                id_shown or "",
                e.responsible_person or "",
                e.reason,
                e.basis,
                e.decision_no,
                e.authority,
                codes.date_text(e.listed_on, date_style),
                codes.date_text(e.term_end, date_style),
            ]
            if batch == 5:
                row.append("已告知" if rng.random() < 0.7 else "")
            rows.append(row)
        if batch == 5:
            world.plant(
                "extra_column",
                "gs-yjt-blacklist",
                f"batch {batch + 1} page",
                "table has an extra 备注 column that no mapping uses",
            )
        intro = (
            f"根据《安全生产严重失信主体名单管理办法》（应急管理部令第11号）有关规定，经研究，决定将以下{len(entries)}个"
            f"主体列入安全生产严重失信主体名单，管理期限为3年。现予以公布。"
            if variant == "new"
            else f"根据《对安全生产领域失信行为开展联合惩戒的实施办法》（安监总办〔2017〕49号）等有关规定，现将{day.year}年"
            f"安全生产失信联合惩戒对象（严重失信主体）名单予以公布，管理期限为3年。"
        )
        table = _table_html("hmd", header, rows)
        body = (
            f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">{intro}</p>\n{table}\n'
            f'<p style="text-align:right">甘肃省应急管理厅<br>{codes.date_text(day, "cn")}</p>'
        )
        doc_id = 6_000_000 + batch * 331
        path = gs_path(day, doc_id)
        meta = [
            ("索引号", f"620000-GSD0122-15-004/{day.year}-{doc_id % 1000:05d}"),
            ("发布机构", "甘肃省应急管理厅"),
            ("发布日期", day.isoformat()),
        ]
        files.write_text(root / path, gs_detail(title, "严重失信主体名单", meta, body, []))
        pages[batch] = (path, title)
    items = [(path, title, BATCH_DATES[b]) for b, (path, title) in sorted(pages.items(), reverse=True)]
    files.write_text(root / "index.html", gs_list(items, 0, 1, len(items), "严重失信主体名单"))
    return pages


def _table_html(css: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="{css}" border="1" cellspacing="0" cellpadding="4">\n<tr>{head}</tr>\n{body}\n</table>'
    )


def write_removals(world: World, out: Path) -> list[tuple[str, str, list[dict]]]:
    """The 移出 announcements; returns (path, title, rows as printed) per page."""
    root = out / "gs-yjt-blacklist-removals"
    header = [
        "序号",
        "主体名称",
        "统一社会信用代码",
        "原处罚决定书文号",
        "列入日期",
        "移出日期",
        "移出原因",
        "移出决定机关",
    ]
    pages = []
    for page, day in enumerate(world.removal_pages):
        rng = rng_for(world.seed, "removal-page", page)
        entries = sorted(
            (e for e in world.blacklist if e.removal_page == page),
            key=lambda e: (e.removal_reason, e.removed_on, e.key),
        )
        rows, printed = [], []
        for i, e in enumerate(entries, 1):
            # Matching keys vary as in real announcements: some rows lack the code, some the 文号.
            keys = rng.choice(("both", "both", "uscc", "decision"))
            uscc = e.uscc if e.uscc and keys in ("both", "uscc") else ""
            decision = e.decision_no if keys in ("both", "decision") or not e.uscc else ""
            rows.append(
                [
                    str(i),
                    e.name,
                    uscc,
                    decision,
                    e.listed_on.isoformat(),
                    codes.date_text(e.removed_on, "iso" if page else "cn"),
                    e.removal_reason,
                    e.authority,
                ]
            )
            printed.append(
                {
                    "blacklist_key": e.key,
                    "subject_name": e.name,
                    "uscc": uscc or None,
                    "decision_no": decision or None,
                    "listed_on": e.listed_on.isoformat(),
                    "removed_on": e.removed_on.isoformat(),
                    "removal_reason": e.removal_reason,
                    "authority": e.authority,
                }
            )
        title = (
            f"甘肃省应急管理厅关于{day.year}年安全生产严重失信主体名单移出情况的公告"
            f"（第{'一二三'[page % 3]}批）"
        )
        body = (
            f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">根据《安全生产严重失信主体名单管理办法》'
            f'有关规定，以下{len(rows)}个主体管理期满或经信用修复，决定移出安全生产严重失信主体名单，停止公示和解除管理措施。'
            f'</p>\n{_table_html("ycmd", header, rows)}'
        )
        path = gs_path(day, 7_000_000 + page * 443)
        meta = [("发布机构", "甘肃省应急管理厅"), ("发布日期", day.isoformat())]
        files.write_text(root / path, gs_detail(title, "严重失信主体名单", meta, body, []))
        pages.append((path, title, printed))
    return pages


def write_bans(world: World, out: Path) -> str:
    root = out / "gs-yjt-bans"
    header = [
        "序号",
        "被禁入对象",
        "对象类别",
        "统一社会信用代码",
        "身份证号码",
        "禁入类型",
        "禁入期限（范围）",
        "禁入事由",
        "作出决定机关",
        "决定书文号",
        "禁入开始日期",
        "禁入截止日期",
    ]
    rows = []
    for i, b in enumerate(world.bans, 1):
        rows.append(
            [
                str(i),
                b.name,
                {"person": "个人", "agency": "机构"}[b.subject_type],
                b.enterprise.uscc if b.enterprise else "",
                codes.mask_id(b.id_number) if b.id_number else "",
                b.ban_type,
                b.scope,
                b.reason,
                b.authority,
                b.decision_no,
                b.start_on.isoformat(),
                "终身" if b.end_on is None else b.end_on.isoformat(),
            ]
        )
    day = dt.date(2026, 5, 15)
    title = "甘肃省应急管理厅关于安全生产行业和职业禁入情况的公告"
    body = (
        f'<p style="text-indent:2em">{SAMPLE_NOTE}</p>\n<p style="text-indent:2em">依据《中华人民共和国安全生产法》'
        f'第九十二条、第九十四条等规定，现将受到行业禁入、职业禁入处理的单位和人员名单公布如下。</p>\n'
        f'{_table_html("jrmd", header, rows)}'
    )
    path = gs_path(day, 7_500_001)
    meta = [
        ("索引号", f"620000-GSD0122-15-005/{day.year}-00031"),
        ("发布机构", "甘肃省应急管理厅"),
        ("发布日期", day.isoformat()),
    ]
    files.write_text(root / path, gs_detail(title, "行业和职业禁入", meta, body, []))
    return path
