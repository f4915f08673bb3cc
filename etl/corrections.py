"""Staff decisions on the facts read from accident reports: `etl correct`, and applying them.

A decision corrects a fact (`etl correct RECORD FIELD VALUE`) or confirms the value extracted
(`--accept`). Decisions live in a plain YAML file kept with the deployment
(settings.CORRECTIONS_DIR / accidents.yaml, docs/review.md), one entry appended per decision,
never in the database alone: the database can be rebuilt from the sources, the decisions cannot.
Every ETL run applies them after extraction (apply(), called by etl/pipeline.py before the links
are derived), so a re-run never undoes one; each entry records the value and the evidence quote
it was about, so a source that later changes that text is reported (stale). The `corrections`
table holds the decisions as the last run applied them; etl/public.py marks the facts 经人工核对.
"""

from __future__ import annotations

import fcntl
import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Callable

import click
import yaml

from etl import settings
from etl.normalize.codes import check_uscc, normalize_code
from etl.normalize.mask import mask_text
from etl.normalize.money import parse_money
from etl.normalize.names import mask_person_name, normalize_enterprise_name
from etl.normalize.text import to_halfwidth
from etl.rules.grades import GRADES, compute_grade, grade_mismatch
from etl.rules.vocabulary import ACCIDENT_TYPES, SECTORS

FILE_NAME = "accidents.yaml"
ACTIONS = ("correct", "accept")
NULL = ("null", "空", "无")  # VALUE that clears a fact the report does not state
_HEADER = (
    "# 人工核对决定：python -m etl correct 逐条追加（docs/review.md）。每次 ETL 运行在提取之后应用。\n"
    "# 同一记录同一字段以最后一条为准；要改变决定请记录新的一条，不要删除或改写已有条目。\n"
)


class CorrectionError(ValueError):
    """A decision that cannot be recorded or applied; the message says why (Chinese)."""


def _count(value: str) -> int:
    text = to_halfwidth(value).strip()
    if not re.fullmatch(r"\d{1,6}", text):
        raise CorrectionError(f"人数须为不小于 0 的整数，而不是「{value}」")
    return int(text)


def _iso_day(value: str) -> str:
    text = to_halfwidth(value).strip()
    try:
        day = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        day = None
    if day is None:
        raise CorrectionError(f"日期须为 YYYY-MM-DD（如 2024-03-12），而不是「{value}」")
    if day > date.today():
        raise CorrectionError(f"日期 {text} 晚于今天")
    return day.isoformat()


def _yuan(value: str) -> float:
    text = to_halfwidth(value).replace(",", "").strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        amount = float(text)
    elif re.search(r"[元万亿]", text):
        amount = parse_money(text).yuan
    else:
        amount = None
    if amount is None or amount < 0:
        raise CorrectionError(
            f"直接经济损失须为不小于 0 的金额（元，或写明单位如“1200万元”），而不是「{value}」"
        )
    return float(amount)


def _grade(value: str) -> str:
    if value.strip() not in GRADES:
        raise CorrectionError(
            f"事故等级须为 {' / '.join(GRADES)} 之一（《生产安全事故报告和调查处理条例》第三条），"
            f"而不是「{value}」"
        )
    return value.strip()


def _name(value: str) -> str:
    name = normalize_enterprise_name(value.strip())
    if not name or len(name) > 100:
        raise CorrectionError(f"单位名称不能为空，也不能超过 100 字：「{value}」")
    return name


def _uscc(value: str) -> str:
    code = normalize_code(value)
    check = check_uscc(code) if code else None
    if not check or check.kind != "uscc" or not check.valid:
        problems = "；".join(check.problems) if check else ""
        raise CorrectionError(
            f"「{value}」不是有效的统一社会信用代码（GB 32100-2015）" + (f"：{problems}" if problems else "")
        )
    return code


def _text(limit: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        text = value.strip()
        if not text or len(text) > limit:
            raise CorrectionError(f"不能为空，也不能超过 {limit} 字：「{value}」")
        return text

    return parse


def _accept_only(value: str):
    raise CorrectionError("该项只能确认（--accept），不能直接更正")


@dataclass(frozen=True)
class Field:
    label: str
    parse: Callable[[str], object]
    vocabulary: tuple[str, ...] = ()  # a value must be one of these, when given


FIELDS = {
    "occurred_on": Field("发生日期", _iso_day),
    "enterprise_name": Field("事故单位", _name),
    "enterprise_uscc": Field("事故单位代码", _uscc),
    "deaths": Field("死亡", _count),
    "missing": Field("失踪", _count),
    "serious_injuries": Field("重伤", _count),
    "injuries": Field("受伤", _count),
    "direct_loss_yuan": Field("直接经济损失", _yuan),
    "grade_stated": Field("认定等级", _grade),
    "grade_computed": Field("计算等级", _accept_only),
    "accident_type": Field("事故类型", _text(20), ACCIDENT_TYPES),
    "industry": Field("行业", _text(20), SECTORS),
    "concealment": Field("瞒报情形", _text(200)),
    "accountability": Field("责任追究", _accept_only),
}
# Columns the figures decide (条例第三条) and the flag the concealment text decides.
_GRADE_INPUTS = {"deaths", "serious_injuries", "direct_loss_yuan", "grade_stated"}


@dataclass
class Decision:
    record: str
    field: str
    action: str
    value: object
    previous: object
    decided_on: str  # YYYY-MM-DD; `date` in the file
    by: str
    reason: str
    quote: str | None = None
    document: str | None = None

    def entry(self) -> dict:
        """The entry as written to the file (keys in this order; no value for a confirmation)."""
        entry = {("date" if k == "decided_on" else k): v for k, v in asdict(self).items()}
        if self.action == "accept":
            del entry["value"]
        return {k: v for k, v in entry.items() if v is not None or k in ("value", "previous")}


def path_of(folder: Path | None = None) -> Path:
    return Path(folder or settings.CORRECTIONS_DIR) / FILE_NAME


def parse_value(field: str, raw: str):
    """The typed value of VALUE for `field`, or CorrectionError saying what is wrong."""
    spec = FIELDS[field]
    if raw.strip().lower() in NULL and spec.parse is not _accept_only:
        return None
    value = spec.parse(raw)
    if spec.vocabulary and value not in spec.vocabulary:
        raise CorrectionError(
            f"{spec.label}「{value}」不在词表中（docs/vocabulary.md）：{'、'.join(spec.vocabulary)}"
        )
    return value


# ------------------------------------------------------------------ recording (etl correct)


def decide(
    conn,
    record: str,
    field: str,
    raw: str | None,
    accept: bool,
    reason: str,
    by: str,
    folder: Path | None = None,
    today: date | None = None,
) -> Decision:
    """Check one decision against the database and append it to the file; nothing is written
    when anything is wrong (CorrectionError)."""
    if field not in FIELDS:
        raise CorrectionError(f"不能更正的字段「{field}」；可用：{', '.join(FIELDS)}")
    row = conn.execute("SELECT * FROM accidents WHERE id = ?", (record,)).fetchone()
    if row is None:
        raise CorrectionError(
            f"没有编号为「{record}」的事故调查报告（编号见 etl review 或网址 /accidents/<编号>/）"
        )
    if accept == (raw is not None):
        raise CorrectionError("请给出更正后的值 VALUE，或用 --accept 确认现有的值（二者选一）")
    if not reason.strip() or not by.strip():
        raise CorrectionError("--reason 和 --by 不能为空")
    value = None if accept else parse_value(field, raw)
    evidence = _evidence(conn, record).get(field) or {}
    decision = Decision(
        record,
        field,
        "accept" if accept else "correct",
        value,
        None if field == "accountability" else row[field],
        (today or date.today()).isoformat(),
        by.strip(),
        reason.strip(),
        evidence.get("quote"),
        _document(conn, row["document_id"]),
    )
    append(path_of(folder), decision)
    return decision


def append(path: Path, decision: Decision) -> None:
    """One entry at the end of the file, under an exclusive lock (two staff at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = yaml.safe_dump([decision.entry()], allow_unicode=True, sort_keys=False, width=10_000)
    with open(path, "a", encoding="utf-8") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        if f.tell() == 0:
            f.write(_HEADER)
        f.write(block)


def load(folder: Path | None = None) -> tuple[list[Decision], list[str]]:
    """The decisions in the file, in order, and a problem for each entry that cannot be used.
    Raises CorrectionError when the file is not YAML at all (then no decision is applied)."""
    path = path_of(folder)
    if not path.exists():
        return [], []
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise CorrectionError(f"{path} 无法读取（不是有效的 YAML）：{exc}") from None
    if not isinstance(entries, list):
        raise CorrectionError(f"{path} 应为决定的列表（每条以“- record:”开头）")
    decisions, problems = [], []
    for n, entry in enumerate(entries, start=1):
        try:
            decisions.append(_decision(entry))
        except CorrectionError as exc:
            problems.append(f"{path.name} 第 {n} 条：{exc}（未应用）")
    return decisions, problems


def _decision(entry) -> Decision:
    if not isinstance(entry, dict):
        raise CorrectionError("不是一条决定")
    missing = [k for k in ("record", "field", "action", "date", "by", "reason") if not entry.get(k)]
    if missing:
        raise CorrectionError(f"缺少 {', '.join(missing)}")
    field, action = str(entry["field"]), str(entry["action"])
    if field not in FIELDS or action not in ACTIONS:
        raise CorrectionError(f"未知的字段或决定：{field} {action}")
    value = entry.get("value")
    if action == "correct":
        if field in ("grade_computed", "accountability"):
            raise CorrectionError(f"{field} 只能确认")
        if value is not None:
            value = parse_value(field, str(value))  # typed and checked as `etl correct` does
    return Decision(
        str(entry["record"]),
        field,
        action,
        value,
        entry.get("previous"),
        str(entry["date"]),
        str(entry["by"]),
        str(entry["reason"]),
        entry.get("quote"),
        entry.get("document"),
    )


def latest(decisions: list[Decision]) -> dict[tuple[str, str], Decision]:
    """(record, field) -> the last decision about it (a later entry overrides an earlier one)."""
    return {(d.record, d.field): d for d in decisions}


# ------------------------------------------------------------------ applying (every ETL run)


def apply(conn, run_id: int, now: str, folder: Path | None = None) -> list[str]:
    """Apply the file's decisions to the accidents (inside the caller's transaction); log each
    value that changes in `changes` (action corrected, or confirmed); mirror the decisions in
    the `corrections` table. Returns the problems to report (unusable entries, unknown records,
    stale decisions). An unreadable file changes nothing."""
    try:
        decisions, problems = load(folder)
    except CorrectionError as exc:
        return [f"{exc}；本次运行未应用任何决定，上次应用的结果保持不变"]
    chosen = latest(decisions)
    before = {(r["accident_id"], r["field"]): dict(r) for r in conn.execute("SELECT * FROM corrections")}
    conn.execute("DELETE FROM corrections")
    records = sorted(
        {record for record, _ in chosen} | {r for (r, _), old in before.items() if old["action"] == "correct"}
    )
    for record in records:
        mine = {f: d for (r, f), d in chosen.items() if r == record}
        dropped = [
            f
            for (r, f), old in before.items()
            if r == record and old["action"] == "correct" and f not in mine
        ]
        problems += _apply_record(conn, run_id, now, record, mine, dropped, before)
    return problems


def _apply_record(conn, run_id, now, record, decisions: dict, dropped: list[str], before: dict) -> list[str]:
    row = conn.execute("SELECT * FROM accidents WHERE id = ?", (record,)).fetchone()
    if row is None:
        for d in decisions.values():
            _mirror(conn, d, run_id, applied=False, stale=False, note="没有这条记录")
        return [f"{record}：没有这条记录，{len(decisions)} 条决定未应用"] if decisions else []
    row = dict(row)
    evidence = _evidence(conn, record)
    document = _document(conn, row["document_id"])
    updates, confirmed, problems = {}, {}, []
    for field in dropped:  # a correction taken out of the file: back to the extracted value
        original = (evidence.get(field) or {}).get("value")
        if not _same(row.get(field), original):
            updates[field] = original
    for field, d in decisions.items():
        stale = is_stale(d, evidence.get(field), row, document)
        if d.action == "correct":
            applied = True
            if not _same(row.get(field), d.value):
                updates[field] = d.value
        else:  # a confirmation holds for the value confirmed, not for whatever is read later
            applied = field == "accountability" or _same(row.get(field), d.previous)
            old = before.get((record, field)) or {}
            if applied and not (
                old.get("applied") and old.get("decided_on") == d.decided_on and old.get("action") == "accept"
            ):
                confirmed[field] = [row.get(field), row.get(field)]
        note = None
        if stale:
            note = "来源文本已变化，决定所依据的原文不再出现"
            problems.append(
                f"{record} {field}：{note}（{d.decided_on} {d.by} 的决定；请复核后用 etl correct 重新记录）"
            )
        if not applied:
            note = f"现值 {_show(row.get(field))} 与确认时的 {_show(d.previous)} 不同，确认未应用"
            problems.append(f"{record} {field}：{note}")
        _mirror(conn, d, run_id, applied=applied, stale=stale, note=note)
    if updates:
        updates.update(_dependents(row, updates))
        _write(conn, run_id, now, row, updates)
    if confirmed:
        _log(conn, run_id, now, row, "confirmed", confirmed)
    return problems


def is_stale(d: Decision, evidence: dict | None, row: dict, document: str | None) -> bool:
    """Whether the text the decision was about has changed: its quote is neither the fact's
    evidence now nor a candidate's, nor in the report's text; a decision without a quote is
    about the whole document (its sha256)."""
    if d.quote:
        quotes = (
            {evidence.get("quote")} | {c.get("quote") for c in _candidates(evidence)} if evidence else set()
        )
        text = f"{row.get('title') or ''}\n{row.get('body_text') or ''}"
        return d.quote not in quotes and d.quote not in text
    return bool(d.document and document and d.document != document)


def _dependents(row: dict, updates: dict) -> dict:
    """The computed grade and the mismatch flag when a figure or the stated grade changed
    (条例第三条), the concealed flag when the concealment text did."""
    final = {**row, **updates}
    out = {}
    if _GRADE_INPUTS & updates.keys():
        computed = compute_grade(final["deaths"], final["serious_injuries"], final["direct_loss_yuan"])
        mismatch = grade_mismatch(final["grade_stated"], computed)
        out.update(grade_computed=computed, grade_mismatch=None if mismatch is None else int(mismatch))
    if "concealment" in updates:
        out["concealed"] = int(bool(final["concealment"]))
    return {k: v for k, v in out.items() if not _same(row.get(k), v)}


def _write(conn, run_id, now, row: dict, updates: dict) -> None:
    """Set the values and log the net change. When the loader rewrote the record in this run
    (its source changed), its `updated` change said the corrected value went back to the
    extracted one; the value is corrected again, so that column leaves its change."""
    columns = [c for c in updates if c != "accountability"]
    if not columns:
        return
    conn.execute(
        f"UPDATE accidents SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
        [updates[c] for c in columns] + [row["id"]],
    )
    loaded = conn.execute(
        "SELECT id, action, fields FROM changes WHERE run_id = ? AND table_name = 'accidents' AND record_id = ?"
        " AND action IN ('updated', 'restored') ORDER BY id DESC LIMIT 1",
        (run_id, row["id"]),
    ).fetchone()
    fields = json.loads(loaded["fields"] or "{}") if loaded else {}
    diff, taken = {}, False
    for column in columns:
        if column in fields:
            old, taken = fields.pop(column)[0], True
        else:
            old = row.get(column)
        if not _same(old, updates[column]):
            diff[column] = [old, updates[column]]
    if taken and not fields and loaded["action"] == "updated":  # nothing else changed
        conn.execute("DELETE FROM changes WHERE id = ?", (loaded["id"],))
    elif taken:
        conn.execute("UPDATE changes SET fields = ? WHERE id = ?", (_json(fields), loaded["id"]))
    if diff:
        _log(conn, run_id, now, row, "corrected", diff)


def _log(conn, run_id, now, row, action: str, fields: dict) -> None:
    conn.execute(
        "INSERT INTO changes (run_id, source_id, table_name, record_id, action, fields, at)"
        " VALUES (?, ?, 'accidents', ?, ?, ?, ?)",
        (run_id, row["source_id"], row["id"], action, _json(fields), now),
    )


def _mirror(conn, d: Decision, run_id, applied: bool, stale: bool, note: str | None) -> None:
    """The decision in the `corrections` table. The database holds no unmasked name (the
    release gate scans it): who decided and why are masked there, the file keeps them whole."""
    conn.execute(
        "INSERT INTO corrections (accident_id, field, action, value, previous, decided_on, decided_by, reason,"
        " quote, document_sha256, applied, stale, note, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            d.record,
            d.field,
            d.action,
            _json(d.value) if d.action == "correct" else None,
            _json(d.previous),
            d.decided_on,
            mask_person_name(d.by),
            mask_text(d.reason),
            d.quote,
            d.document,
            int(applied),
            int(stale),
            note,
            run_id,
        ),
    )


def report(conn, folder: Path | None = None) -> list[str]:
    """What the last run could not apply cleanly: the lines `etl run` prints after its summary."""
    try:
        _, problems = load(folder)
    except CorrectionError as exc:
        return [str(exc)]
    for r in conn.execute(
        "SELECT * FROM corrections WHERE stale = 1 OR applied = 0 ORDER BY accident_id, field"
    ):
        problems.append(f"{r['accident_id']} {r['field']}：{r['note']}")
    return problems


# ------------------------------------------------------------------ small helpers


def _evidence(conn, record: str) -> dict[str, dict]:
    try:
        rows = conn.execute(
            "SELECT * FROM evidence WHERE accident_id = ? AND removed_run IS NULL"
            " AND accountability_id IS NULL",
            (record,),
        ).fetchall()
    except sqlite3.OperationalError:  # a database from before evidence was kept
        return {}
    return {r["field"]: dict(r) for r in rows}


def _candidates(evidence: dict | None) -> list[dict]:
    try:
        found = json.loads((evidence or {}).get("candidates") or "[]")
    except ValueError:
        return []
    return [c for c in found if isinstance(c, dict)]


def _document(conn, document_id) -> str | None:
    found = (
        conn.execute("SELECT sha256 FROM documents WHERE id = ?", (document_id,)).fetchone()
        if document_id is not None
        else None
    )
    return found[0] if found else None


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _show(value) -> str:
    return "空" if value is None else str(value)


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


# ------------------------------------------------------------------ command line


@click.command("correct")
@click.argument("record")
@click.argument("field")
@click.argument("value", required=False)
@click.option("--accept", is_flag=True, help="确认现有的值正确（不给 VALUE）。")
@click.option("--reason", required=True, help="理由（如“报告第二部分写明4人死亡”）。")
@click.option("--by", "by", required=True, help="作出决定的人。")
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Internal database (default {settings.DB_PATH}).",
)
@click.option(
    "--corrections",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=f"Folder of the decision files (default {settings.CORRECTIONS_DIR}).",
)
def COMMAND(record, field, value, accept, reason, by, db_path, folder):  # noqa: N802 - the name the CLI registers
    """更正（VALUE）或确认（--accept）一份事故调查报告的一项事实。

    决定追加到 data/corrections/accidents.yaml，下一次 `etl run` 在提取之后应用（来源未变也应用），
    并记入 changes。VALUE 写 null 表示报告未写明（清空）。字段：occurred_on enterprise_name
    enterprise_uscc deaths missing serious_injuries injuries direct_loss_yuan grade_stated
    accident_type industry concealment；grade_computed 和 accountability 只能 --accept。见 docs/review.md。
    """
    from etl import db as database

    if not Path(db_path or settings.DB_PATH).exists():
        raise click.ClickException(f"数据库不存在：{db_path or settings.DB_PATH}")
    conn = database.connect_readonly(db_path)
    try:
        decision = decide(conn, record, field, value, accept, reason, by, folder)
    except CorrectionError as exc:
        raise click.ClickException(f"{exc}；未记录任何内容") from None
    finally:
        conn.close()
    what = "确认" if accept else f"更正为 {_show(decision.value)}"
    click.echo(
        f"已记录：{record} {FIELDS[field].label}（{field}）{what}（原值 {_show(decision.previous)}）"
        f" → {path_of(folder)}"
    )
    click.echo("下一次 ETL 运行（python -m etl run）时应用。")
