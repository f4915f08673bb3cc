"""The review queue: what needs a person before a release (`etl review`, the publish gate `review`).

- facts extracted with low confidence (etl/extract/evidence.py: ambiguous, weak), and
  disagreements inside one report (title 3 deaths, body 4; the source's table against its
  text; two enterprise names), each with its candidates and their quotes;
- a stated grade that differs from the grade the figures give (accidents.grade_mismatch,
  《生产安全事故报告和调查处理条例》第三条);
- enterprises not linked by 统一社会信用代码 or exact registered name (accidents
  .enterprise_link_method empty or review, etl/enterprise_links.py);
- staff decisions whose source text has changed since (etl/corrections.py), and entries of the
  decision file that cannot be used;
- reports first seen after the current release was built (its release.json names the ETL run).

A fact with a decision in the file is settled and not listed (unless the decision is stale).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from dataclasses import field as default
from pathlib import Path

import click

from etl import corrections, settings

KINDS = {
    "disagreement": "前后不一致",
    "low_confidence": "低置信度",
    "grade_mismatch": "等级不一致",
    "enterprise_link": "企业未关联",
    "decision_stale": "决定待复核",
    "decision_problem": "决定无法应用",
    "new_report": "新报告",
}
REASONS = {"ambiguous": "有多个可能的值", "disagreement": "报告中前后说法不一", "weak": "仅由间接表述推断"}
LABELS = {name: f.label for name, f in corrections.FIELDS.items()}


@dataclass
class Item:
    kind: str
    record: str
    title: str
    field: str | None = None
    value: object = None
    reason: str | None = None
    quote: str | None = None
    candidates: list[dict] = default(default_factory=list)  # [{"value", "quote"}]
    note: str | None = None


# ------------------------------------------------------------------ since the last release


def release_run(releases: Path | None = None) -> tuple[str | None, int | None]:
    """(name, ETL run id) of the current release under a publish destination (its `current`
    link, publish/releases.py), or of the release folder given; (None, None) when none."""
    path = Path(releases or settings.RELEASES_DIR)
    folder = path if (path / "release.json").exists() else path / "current"
    info_path = folder / "release.json"
    if not info_path.exists():
        return None, None
    info = json.loads(info_path.read_text(encoding="utf-8"))
    return Path(os.path.realpath(folder)).name, info.get("etl_run")


def new_records(conn, since_run: int | None) -> set[str]:
    """Accidents first seen after the run a release was built from (all when there is none)."""
    rows = conn.execute(
        "SELECT id FROM accidents WHERE removed_run IS NULL AND first_seen_run > ?",
        (since_run if since_run is not None else -1,),
    )
    return {r[0] for r in rows}


# ------------------------------------------------------------------ the queue


def queue(conn, since_run: int | None, folder: Path | None = None) -> list[Item]:
    """Every item needing a person, grouped by record (new reports first), then by field."""
    try:
        decisions, problems = corrections.load(folder)
    except corrections.CorrectionError as exc:
        decisions, problems = [], [str(exc)]
    decided = corrections.latest(decisions)
    titles = {r[0]: r[1] for r in conn.execute("SELECT id, title FROM accidents")}
    items = [
        i
        for i in _low_confidence(conn) + _grade_mismatches(conn) + _unlinked(conn)
        if not _settled(i, decided)
    ]
    items += _stale(conn, decided, titles)
    items += [Item("decision_problem", "", "", note=p) for p in problems]
    new = new_records(conn, since_run)
    items += [Item("new_report", r, titles[r]) for r in new]
    order = list(KINDS)
    return sorted(items, key=lambda i: (i.record not in new, i.record, order.index(i.kind), i.field or ""))


def blocking(conn, since_run: int | None) -> list[Item]:
    """Low-confidence facts of reports new since the release, with no decision the last run
    applied: what the publish gate `review` stops a release for (or marks 待核实)."""
    new = new_records(conn, since_run)
    applied = {
        (r[0], r[1]) for r in conn.execute("SELECT accident_id, field FROM corrections WHERE applied = 1")
    }
    return [i for i in _low_confidence(conn) if i.record in new and (i.record, i.field) not in applied]


def _low_confidence(conn) -> list[Item]:
    try:
        rows = conn.execute(
            "SELECT e.*, a.title FROM evidence e JOIN accidents a ON a.id = e.accident_id"
            " WHERE e.confidence = 'low' AND e.removed_run IS NULL AND a.removed_run IS NULL"
            " ORDER BY e.accident_id, e.field, e.id"
        ).fetchall()
    except sqlite3.OperationalError:  # a database from before evidence was kept
        return []
    return [
        Item(
            "disagreement" if r["reason"] == "disagreement" else "low_confidence",
            r["accident_id"],
            r["title"],
            r["field"],
            r["value"],
            r["reason"],
            r["quote"],
            [{"value": c.get("value"), "quote": c.get("quote")} for c in corrections._candidates(dict(r))],
        )
        for r in rows
    ]


def _grade_mismatches(conn) -> list[Item]:
    rows = conn.execute(
        "SELECT id, title, grade_stated, grade_computed FROM accidents"
        " WHERE grade_mismatch = 1 AND removed_run IS NULL ORDER BY id"
    )
    return [
        Item(
            "grade_mismatch",
            r["id"],
            r["title"],
            "grade_stated",
            r["grade_stated"],
            "disagreement",
            _quote(conn, r["id"], "grade_stated"),
            [{"value": r["grade_computed"], "quote": "按伤亡和损失计算（条例第三条）"}],
        )
        for r in rows
    ]


def _unlinked(conn) -> list[Item]:
    columns = {r[1] for r in conn.execute("PRAGMA table_info(accidents)")}
    if "enterprise_link_method" in columns:
        rows = conn.execute(
            "SELECT id, title, enterprise_name, enterprise_link_method AS method, enterprise_link_candidates AS found"
            " FROM accidents WHERE removed_run IS NULL AND enterprise_name IS NOT NULL"
            " AND (enterprise_link_method IS NULL OR enterprise_link_method = 'review') ORDER BY id"
        )
    else:  # before link evidence: an enterprise known only by its name ('n-' ids, etl/enterprise_links.py)
        rows = conn.execute(
            "SELECT id, title, enterprise_name, NULL AS method, NULL AS found FROM accidents"
            " WHERE removed_run IS NULL AND enterprise_name IS NOT NULL"
            " AND (enterprise_id IS NULL OR enterprise_id LIKE 'n-%') ORDER BY id"
        )
    items = []
    for r in rows:
        try:
            found = json.loads(r["found"] or "[]")
        except ValueError:
            found = []
        candidates = [
            {
                "value": c.get("name"),
                "quote": " ".join(str(c[k]) for k in ("id", "city_code", "reason") if c.get(k)),
            }
            for c in found
            if isinstance(c, dict)
        ]
        items.append(
            Item(
                "enterprise_link",
                r["id"],
                r["title"],
                "enterprise_name",
                r["enterprise_name"],
                r["method"],
                _quote(conn, r["id"], "enterprise_name"),
                candidates,
                "未能按统一社会信用代码或登记名称关联到企业",
            )
        )
    return items


def _stale(conn, decided: dict, titles: dict) -> list[Item]:
    """Decisions whose text changed, checked against the database as it is now."""
    items = []
    for (record, field_name), d in decided.items():
        row = conn.execute("SELECT * FROM accidents WHERE id = ?", (record,)).fetchone()
        if row is None:
            items.append(Item("decision_problem", record, "", field_name, note="没有这条记录，决定无法应用"))
            continue
        evidence = corrections._evidence(conn, record).get(field_name)
        if corrections.is_stale(d, evidence, dict(row), corrections._document(conn, row["document_id"])):
            decided = d.value if d.action == "correct" else d.previous
            items.append(
                Item(
                    "decision_stale",
                    record,
                    titles.get(record, ""),
                    field_name,
                    row[field_name] if field_name in row.keys() else None,
                    None,
                    (evidence or {}).get("quote"),
                    [
                        {
                            "value": decided,
                            "quote": f"决定时的原文：{d.quote}" if d.quote else "决定时的文件已更换",
                        }
                    ],
                    f"{d.decided_on} {d.by}{'更正' if d.action == 'correct' else '确认'}所依据的原文已不在报告中",
                )
            )
    return items


def _settled(item: Item, decided: dict) -> bool:
    keys = {(item.record, item.field)}
    if item.kind == "grade_mismatch":
        keys.add((item.record, "grade_computed"))
    if item.kind == "enterprise_link":
        keys.add((item.record, "enterprise_uscc"))
    return any(k in decided for k in keys)


def _quote(conn, record: str, field_name: str) -> str | None:
    return (corrections._evidence(conn, record).get(field_name) or {}).get("quote")


# ------------------------------------------------------------------ output


def lines(items: list[Item], release: str | None, since_run: int | None) -> list[str]:
    """The queue as plain text, one block per record."""
    since = f"版本 {release}（ETL 运行 {since_run}）以来" if release else "尚无发布版本，全部"
    out = [
        f"待人工核对 {sum(i.kind != 'new_report' for i in items)} 项；"
        f"{since}的新报告 {sum(i.kind == 'new_report' for i in items)} 份"
    ]
    current = None
    for item in items:
        if item.record != current:
            current = item.record
            out.append("")
            out.append(f"{item.record}  {item.title}".rstrip() if item.record else "决定文件")
        if item.kind == "new_report":
            out.append("  [新报告] 发布前请通读")
            continue
        label = f"{LABELS.get(item.field, item.field)}（{item.field}）" if item.field else ""
        value = "" if item.field is None else f" = {'空' if item.value is None else item.value}"
        why = REASONS.get(item.reason, "") if item.kind in ("low_confidence", "disagreement") else ""
        out.append(
            f"  [{KINDS[item.kind]}] {label}{value}{'：' + why if why else ''}{'：' + item.note if item.note else ''}"
        )
        if item.quote:
            out.append(f"    依据：「{item.quote}」")
        for c in item.candidates:
            out.append(f"    候选：{c.get('value')}" + (f"「{c['quote']}」" if c.get("quote") else ""))
    return out


@click.command("review")
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Internal database (default {settings.DB_PATH}).",
)
@click.option(
    "--since-release",
    "releases",
    type=click.Path(path_type=Path),
    default=None,
    help=f"A publish destination (its current release) or a release folder (default {settings.RELEASES_DIR}).",
)
@click.option(
    "--corrections",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=f"Folder of the decision files (default {settings.CORRECTIONS_DIR}).",
)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def COMMAND(db_path, releases, folder, as_json):  # noqa: N802 - the name the CLI registers
    """列出发布前需要人工核对的事项：低置信度和前后不一致的事实、等级不一致、未关联的企业、
    原文已变化的决定，以及上一次发布以来的新报告（每项含记录、字段、现值、候选值及其原文）。

    决定用 `etl correct` 记录（docs/review.md）。退出码总是 0。
    """
    from etl import db as database

    if not Path(db_path or settings.DB_PATH).exists():
        raise click.ClickException(f"数据库不存在：{db_path or settings.DB_PATH}")
    release, since_run = release_run(releases)
    conn = database.connect_readonly(db_path)
    try:
        items = queue(conn, since_run, folder)
    finally:
        conn.close()
    if as_json:
        click.echo(
            json.dumps(
                {"release": release, "since_run": since_run, "items": [asdict(i) for i in items]},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
    else:
        click.echo("\n".join(lines(items, release, since_run)))
