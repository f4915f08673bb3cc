"""The change report between two releases, for the approving officer: new, changed and removed
records by table; blacklist entries added, expired and removed; assessments that became
overdue or were completed; listed major hazards that became overdue or were removed (销号);
sources that failed or went stale; rejects added."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import markdown

from publish import releases

PUBLIC_DB = Path("data") / "public.db"
# Columns that change with every run without the record changing.
VOLATILE = {"first_seen_run", "last_seen_run", "updated_run", "document_id", "built_at"}
TABLES = (
    "accidents",
    "accountability",
    "rectification_assessments",
    "credit_ratings",
    "credit_records",
    "blacklist",
    "blacklist_removals",
    "bans",
    "hazards",
    "hazard_events",
    "penalties",
    "inspections",
    "agencies",
    "agency_actions",
    "agency_reports",
    "projects",
    "annual_statistics",
    "enterprises",
)
TABLE_ZH = {
    "accidents": "事故调查报告",
    "accountability": "责任追究",
    "rectification_assessments": "整改评估",
    "credit_ratings": "信用等级",
    "credit_records": "不良信用记录",
    "blacklist": "严重失信主体名单",
    "blacklist_removals": "移出名单公告",
    "bans": "行业/职业禁入",
    "hazards": "重大事故隐患挂牌督办",
    "hazard_events": "隐患销号、约谈与曝光",
    "penalties": "行政处罚决定",
    "inspections": "双随机抽查结果",
    "agencies": "安全生产技术服务机构",
    "agency_actions": "技术服务机构处理情况",
    "agency_reports": "技术服务报告公开",
    "projects": "重大建设项目立项前公示",
    "annual_statistics": "年度统计",
    "enterprises": "企业",
}


@dataclass
class Report:
    old: str | None
    new: str
    tables: dict[str, dict[str, list[str]]] = field(
        default_factory=dict
    )  # table -> added/changed/removed ids
    blacklist: dict[str, list[str]] = field(default_factory=dict)  # added/expired/removed -> names
    rectification: dict[str, list[str]] = field(default_factory=dict)  # overdue/completed -> titles
    hazards: dict[str, list[str]] = field(default_factory=dict)  # overdue/removed -> enterprise：hazard
    sources: list[str] = field(default_factory=list)
    rejects: dict[str, int] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            any(any(v.values()) for v in self.tables.values())
            or any(self.blacklist.values())
            or any(self.rectification.values())
            or any(self.hazards.values())
            or self.sources
            or any(self.rejects.values())
        )


def compare(old: Path | None, new: Path) -> Report:
    report = Report(old.name if old else None, new.name)
    reported: dict[str, tuple[dict, dict]] = {}
    with _Snapshot(old / PUBLIC_DB if old else None) as before_db, _Snapshot(new / PUBLIC_DB) as after_db:
        # one table at a time: at national size (4.3 million rows a release) holding both
        # releases' rows at once took 10 GB of the release process and 3 minutes
        for table in TABLES:
            before, after = before_db.rows(table), after_db.rows(table)
            report.tables[table] = {  # key views: no set built per comparison
                "added": sorted(after.keys() - before.keys()),
                "changed": sorted(i for i in after.keys() & before.keys() if after[i][0] != before[i][0]),
                "removed": sorted(before.keys() - after.keys()),
            }
            if table in REPORTED_TABLES:
                reported[table] = (before, after)
    report.blacklist = _blacklist(*reported.get("blacklist", ({}, {})))
    report.rectification = _rectification(*reported.get("accidents", ({}, {})))
    report.hazards = _hazards(*reported.get("hazards", ({}, {})))
    new_info, old_info = releases.info(new), releases.info(old) if old else {}
    was = {s["id"]: s for s in old_info.get("sources", [])}
    for source in new_info.get("sources", []):
        before = was.get(source["id"], {})
        if source.get("last_status") == "failed" and before.get("last_status") != "failed":
            report.sources.append(
                f"{source['id']}: 抓取失败，沿用上次数据（{(source.get('last_error') or '')[:120]}）"
            )
        if source.get("stale") and not before.get("stale"):
            report.sources.append(f"{source['id']}: 数据已超过更新期限")
    report.rejects = {k: v for k, v in (new_info.get("rejects_added") or {}).items() if v}
    return report


# The tables whose rows the report names (blacklist entries, accidents' rectification, hazards'
# supervision), and the fields it names or classifies them by; of every other row only its
# digest is kept.
REPORTED_TABLES = ("blacklist", "accidents", "hazards")
REPORTED_FIELDS = (
    "id",
    "subject_name",
    "title",
    "name",
    "enterprise_name",
    "hazard",
    "in_force",
    "status",
    "status_zh",
    "rect_status",
    "assessment_result",
)


class _Snapshot:
    """A release's public database, read table by table: id -> (digest of the row's
    non-volatile columns, the reported fields for REPORTED_TABLES, else {})."""

    def __init__(self, db_path: Path | None):
        self.conn = None
        if db_path is not None and db_path.exists():
            self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.conn is not None:
            self.conn.close()

    def rows(self, table: str) -> dict[str, tuple[bytes, dict]]:
        if self.conn is None:
            return {}
        # sorted names: the same digest for the same values whatever the column order
        columns = sorted(
            r[1] for r in self.conn.execute(f"PRAGMA table_info({table})") if r[1] not in VOLATILE
        )
        if "id" not in columns:  # no such table in this release
            return {}
        at_id = columns.index("id")
        fields = [(name, columns.index(name)) for name in REPORTED_FIELDS if name in columns]
        keep = table in REPORTED_TABLES
        out = {}
        listed = ", ".join(f'"{c}"' for c in columns)
        for values in self.conn.execute(f'SELECT {listed} FROM "{table}"'):
            digest = hashlib.sha256(repr(values).encode()).digest()
            out[str(values[at_id])] = (digest, {n: values[i] for n, i in fields} if keep else {})
        return out


def _label(row: dict) -> str:
    return row.get("subject_name") or row.get("title") or row.get("name") or str(row.get("id"))


def _blacklist(before: dict, after: dict) -> dict[str, list[str]]:
    added = [_label(after[i][1]) for i in sorted(set(after) - set(before)) if after[i][1].get("in_force")]
    expired, removed = [], []
    for i in sorted(set(after) & set(before)):
        was, now = before[i][1], after[i][1]
        if was.get("in_force") and not now.get("in_force"):
            label = f"{_label(was)}（{now.get('status_zh') or now.get('status')}）"
            (expired if now.get("status") == "expired" else removed).append(label)
    return {"added": added, "expired": expired, "removed": removed}


def _rectification(before: dict, after: dict) -> dict[str, list[str]]:
    overdue, completed = [], []
    for i, (_, row) in sorted(after.items()):
        old = before.get(i, (None, {}))[1]
        if row.get("rect_status") == "overdue" and old.get("rect_status") != "overdue":
            overdue.append(row.get("title") or i)
        if row.get("rect_status") == "assessed" and old.get("rect_status") != "assessed":
            completed.append(f"{row.get('title') or i}（{row.get('assessment_result') or '已评估'}）")
    return {"overdue": overdue, "completed": completed}


def _hazards(before: dict, after: dict) -> dict[str, list[str]]:
    """Hazards whose status became overdue (逾期未见销号公告) or removed (已销号) since the old release,
    new hazards included."""
    overdue, removed = [], []
    for i, (_, row) in sorted(after.items()):
        old = before.get(i, (None, {}))[1]
        label = f"{row.get('enterprise_name') or i}：{(row.get('hazard') or '')[:40]}"
        if row.get("status") == "overdue" and old.get("status") != "overdue":
            overdue.append(label)
        if row.get("status") == "removed" and old.get("status") != "removed":
            removed.append(label)
    return {"overdue": overdue, "removed": removed}


def to_markdown(report: Report) -> str:
    lines = [f"# 发布变更报告：{report.new}", "", f"对比基准：{report.old or '（无，首次发布）'}", ""]
    if report.empty:
        lines += ["**无变化**（no changes）：与上一版本相比，没有记录新增、变更或删除。", ""]
        return "\n".join(lines)
    lines += ["## 各表记录变化", "", "| 表 | 新增 | 变更 | 删除 |", "|---|---:|---:|---:|"]
    for table, change in report.tables.items():
        if any(change.values()):
            lines.append(
                f"| {TABLE_ZH.get(table, table)} | {len(change['added'])} | "
                f"{len(change['changed'])} | {len(change['removed'])} |"
            )
    sections = (
        (
            "## 严重失信主体名单",
            report.blacklist,
            {"added": "新列入", "expired": "期满移出", "removed": "提前移出/撤销"},
        ),
        ("## 整改评估", report.rectification, {"overdue": "新逾期未评估", "completed": "新完成评估"}),
        (
            "## 重大事故隐患挂牌督办",
            report.hazards,
            {"overdue": "新逾期未见销号公告", "removed": "新销号（摘牌）"},
        ),
    )
    for heading, groups, names in sections:
        if any(groups.values()):
            lines += ["", heading, ""]
            for key, items in groups.items():
                if items:
                    lines.append(
                        f"- {names[key]}（{len(items)}）："
                        + "；".join(items[:30])
                        + ("…" if len(items) > 30 else "")
                    )
    if report.sources:
        lines += ["", "## 数据来源", ""] + [f"- {s}" for s in report.sources]
    if report.rejects:
        lines += ["", "## 新增被拒记录", ""] + [f"- {k}：{v} 条" for k, v in sorted(report.rejects.items())]
    return "\n".join(lines) + "\n"


def write(report: Report, release: Path) -> None:
    text = to_markdown(report)
    (release / "changes.md").write_text(text, encoding="utf-8")
    body = markdown.markdown(text, extensions=["tables"])
    (release / "changes.html").write_text(
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>发布变更报告 {report.new}</title>'
        f"</head><body>{body}</body></html>\n",
        encoding="utf-8",
    )
