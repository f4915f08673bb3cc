"""Running sources: fetch → read → map → normalize → guard → load, one transaction per source.

A source that fails (fetch, parse, assertions, shrink guard) leaves its previous data
untouched, and the run records which source failed and why. Bad rows go to `rejects` and never
abort the run. A source whose documents and spec are all unchanged is not re-normalized.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from etl import corrections, derive, settings
from etl.datasets import kind_module
from etl.http import Fetcher, FetchError, new_session
from etl.load import Counts, Loader
from etl.prepare import PIPELINE_VERSION, mask_row, normalize_all
from etl.readers import ParseError, read
from etl.spec import SourceSpec


class SourceFailed(RuntimeError):
    """The source is not applied; the message says why (shown in the summary)."""


class Interrupted(KeyboardInterrupt):
    """The run was stopped (Ctrl-C or SIGTERM); the run and the source being read are marked
    'interrupted' in etl_runs and source_runs, and the source's transaction rolled back."""

    def __init__(self, how: str, run_id: int):
        super().__init__(how)
        self.how, self.run_id = how, run_id


# Document failures. A report document whose text cannot be read is not applied: its record
# keeps the values of the last version that loaded (no 'updated' change) and the document goes
# to `rejects` with the reason; a first-ever document that fails is not loaded at all. A document
# fails when
#   - an attachment cannot be parsed (a corrupt or truncated PDF): 附件无法解析;
#   - the detail page has no element where the spec's `detail.body` selector points and no
#     attachment text: 正文未找到;
#   - its report text is much less than the stored version's: under MIN_TEXT_SHARE of it, where
#     the stored version had at least REPORT_MIN_CHARS characters (a report, not a stub); no text
#     at all counts too: 文本比上一版本少很多 (`--allow-shrink ID` applies such documents).
# The report text is the column below of each kind that has one (accidents: body and attachment
# text; assessments: the opening of the body). Also documented in docs/sources.md.
REPORT_TEXT = {"accidents": "body_text", "rectification_assessments": "summary"}
MIN_TEXT_SHARE = 0.3
REPORT_MIN_CHARS = 200
# The reasons that mark a document failure in `rejects` (their first words); `etl sources`
# counts them.
DOCUMENT_FAILURES = ("附件无法解析", "正文未找到", "文本比上一版本少很多")


@dataclass
class SourceResult:
    source_id: str
    status: str = "ok"  # ok | unchanged | failed
    error: str | None = None
    fetched: int = 0
    unchanged_documents: int = 0
    records: int = 0
    rejected: int = 0
    counts: Counts = field(default_factory=Counts)
    unmapped: dict[str, int] = field(default_factory=dict)
    parsed_documents: int = 0  # documents actually parsed (0 when nothing changed)
    seconds: dict[str, float] = field(default_factory=dict)  # read / normalize / load
    document_failures: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason)
    # rows for `rejects`, written after the source's transaction, whether it committed or not
    reject_rows: list[tuple] = field(default_factory=list, repr=False)
    lost_documents: set[int] = field(default_factory=set, repr=False)  # rolled-back documents rows


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def run(
    conn: sqlite3.Connection,
    specs: list[SourceSpec],
    allow_shrink: Mapping[str, int | None] | Iterable[str] = frozenset(),
    force: bool = False,
    session=None,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, list[SourceResult]]:
    """Run the given sources; return (run id, one result per source). `allow_shrink`: source id
    -> the record count the operator checked (see guard), or bare ids (shorter reports only)."""
    allowed = {
        k: Allowance(v)
        for k, v in (
            allow_shrink.items() if isinstance(allow_shrink, Mapping) else ((i, None) for i in allow_shrink)
        )
    }
    now = utc_now()
    # Callers hold the database's lock (etl/locks.py), so no other run is live: a run still
    # 'running' was killed (kill -9, power loss) before it could record how it ended.
    conn.execute(
        "UPDATE etl_runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?)"
        " WHERE status = 'running'",
        (now,),
    )
    run_id = conn.execute(
        "INSERT INTO etl_runs (started_at, status, args) VALUES (?, 'running', ?)",
        (
            now,
            json.dumps(
                {
                    "sources": [s.id for s in specs],
                    "allow_shrink": {k: a.count for k, a in sorted(allowed.items())},
                    "force": force,
                },
                ensure_ascii=False,
            ),
        ),
    ).lastrowid
    session = session or new_session()
    results: list[SourceResult] = []
    current = None
    try:
        with _sigterm_interrupts():
            for spec in specs:
                current = spec
                if progress:
                    progress(spec.id)
                results.append(run_source(conn, spec, run_id, session, allowed.get(spec.id), force))
            current = None
            conn.execute("BEGIN")
            # staff decisions after extraction, before links are derived from the names
            corrections.apply(conn, run_id, utc_now())
            derive.refresh(conn, run_id, utc_now())
            failed = sum(r.status == "failed" for r in results)
            conn.execute(
                "UPDATE etl_runs SET finished_at = ?, status = ?, sources_ok = ?, sources_failed = ? WHERE id = ?",
                (utc_now(), "failed" if failed else "ok", len(results) - failed, failed, run_id),
            )
            conn.execute("COMMIT")
    except KeyboardInterrupt as exc:
        how = getattr(exc, "how", "SIGINT")
        _mark_interrupted(conn, run_id, current, results, how)
        raise Interrupted(how, run_id) from exc
    return run_id, results


class _Terminated(KeyboardInterrupt):
    how = "SIGTERM"


@contextmanager
def _sigterm_interrupts():
    """SIGTERM (systemd, kill) stops the run like Ctrl-C, so it is recorded as interrupted
    rather than left 'running'. Only where Python allows handlers (the main thread) and only
    if nobody else installed one."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def terminate(signum, frame):
        raise _Terminated("SIGTERM")

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _mark_interrupted(conn, run_id: int, current, results, how: str) -> None:
    """Roll back the source being read and record the run, and that source, as interrupted."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    failed = sum(r.status == "failed" for r in results)
    now = utc_now()
    conn.execute("BEGIN")
    if current is not None:
        conn.execute(
            "INSERT OR IGNORE INTO source_runs (run_id, source_id, status, error, started_at, finished_at)"
            " VALUES (?, ?, 'interrupted', ?, ?, ?)",
            (run_id, current.id, f"interrupted ({how}); previous data kept", now, now),
        )
    conn.execute(
        "UPDATE etl_runs SET finished_at = ?, status = 'interrupted', sources_ok = ?, sources_failed = ?"
        " WHERE id = ?",
        (now, len(results) - failed, failed, run_id),
    )
    conn.execute("COMMIT")


def run_source(
    conn, spec: SourceSpec, run_id: int, session, allow_shrink: Allowance | None, force: bool
) -> SourceResult:
    result = SourceResult(spec.id)
    started = utc_now()
    _register(conn, spec)
    conn.execute("BEGIN")
    fetcher = Fetcher(conn, spec.id, started, session)
    try:
        clock = time.perf_counter()
        raws = list(read(spec, fetcher))
        result.seconds["read"] = round(time.perf_counter() - clock, 4)
        result.fetched, result.unchanged_documents = fetcher.fetched, fetcher.unchanged
        result.parsed_documents = fetcher.parsed
        if not force and _unchanged(conn, spec, fetcher):
            result.status = "unchanged"
            result.records = _previous_count(conn, spec.id) or 0
        else:
            _apply(conn, spec, raws, run_id, started, allow_shrink, result)
            _mark_gone(conn, spec.id, fetcher, started)
        conn.execute("COMMIT")
    except (FetchError, ParseError, SourceFailed, OSError, ValueError) as exc:
        conn.execute("ROLLBACK")
        result.status, result.error = "failed", f"{exc.__class__.__name__}: {exc}"
        result.lost_documents = fetcher.inserted_ids
    except Exception as exc:  # a bug must not stop the other sources; keep the trace for staff
        conn.execute("ROLLBACK")
        result.status = "failed"
        result.error = f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=5)}"
        result.lost_documents = fetcher.inserted_ids
    _finish(conn, spec, run_id, started, result)
    return result


def _apply(conn, spec, raws, run_id, now, allow_shrink, result) -> None:
    module = kind_module(spec.kind)
    loader = Loader(conn, run_id, now)
    existing = loader.existing(module.TABLE, spec.id)
    failures: list[tuple] = []  # (raw, reason, id of the stored record it would replace or None)
    readable = []
    for raw in raws:
        _audit(spec, raw, result.unmapped)
        reason = document_error(raw)
        if reason:
            failures.append((raw, reason, None))
        else:
            readable.append(raw)
    accepted: list[tuple] = []
    seen: dict[str, str] = {}
    rejects = []
    clock = time.perf_counter()
    for raw, outcome in zip(readable, normalize_all(module, spec, readable, loader.hashers())):
        if outcome.reject is None:
            primary = outcome.rows[module.TABLE][0]
            if primary["id"] in seen:
                outcome.reject = f"重复记录：与 {seen[primary['id']]} 相同"
            else:
                seen[primary["id"]] = raw.row_ref
        if outcome.reject is not None:
            rejects.append((raw, outcome.reject))
        else:
            accepted.append((raw, outcome))
    result.seconds["normalize"] = round(time.perf_counter() - clock, 4)
    per_url = Counter(raw.url for raw in raws)
    # --allow-shrink also applies reports the operator has checked are shorter on purpose.
    shrunk = {} if allow_shrink else _shrunk_reports(conn, module.TABLE, existing, accepted, per_url)
    failures += [(accepted[i][0], reason, previous) for i, (reason, previous) in shrunk.items()]
    tables: dict[str, list[dict]] = {module.TABLE: []}
    hashes: dict[str, list[str]] = {}
    for i, (raw, outcome) in enumerate(accepted):
        if i in shrunk:
            continue
        for table, table_rows in outcome.rows.items():
            tables.setdefault(table, []).extend(table_rows)
            if table in outcome.hashes:
                hashes.setdefault(table, []).extend(outcome.hashes[table])
    # A failed document leaves what it loaded before as it is: found by the record it would have
    # replaced, and (when the document holds one record) every row that came from its URL.
    keep_ids = {previous for _, _, previous in failures if previous}
    keep_urls = {raw.url for raw, _, _ in failures if per_url[raw.url] == 1}
    loaded = {row["id"] for row in tables[module.TABLE]}
    kept = {
        i
        for i, (_, removed, url) in existing.items()
        if removed is None and i not in loaded and (i in keep_ids or url in keep_urls)
    }
    for raw, reason, previous in failures:
        held = previous in kept or (raw.url in keep_urls and any(existing[i][2] == raw.url for i in kept))
        reason = f"{reason}（{'保留上一版本' if held else '未收录'}）"
        rejects.append((raw, reason))
        result.document_failures.append((raw.url, reason))
    result.records, result.rejected = len(tables[module.TABLE]) + len(kept), len(rejects)
    result.reject_rows = [
        (
            raw.document_id,
            f"{raw.url} {raw.row_ref}",
            reason,
            json.dumps(
                mask_row({k: v for k, v in raw.fields.items() if not k.startswith("_")}), ensure_ascii=False
            ),
        )
        for raw, reason in rejects
    ]
    if raws and len(failures) == len(raws):
        raise SourceFailed(
            f"格式变了 (format changed): every document failed, e.g. {failures[0][1]}; " f"previous data kept"
        )
    guard(conn, spec, result.records, allow_shrink, lambda: diagnose(spec, raws, rejects))
    clock = time.perf_counter()
    for table, rows in tables.items():
        result.counts += loader.apply(
            spec.id,
            table,
            rows,
            hashes.get(table),
            keep_ids if table == module.TABLE else frozenset(),
            keep_urls,
            existing if table == module.TABLE else None,
        )
    result.seconds["load"] = round(time.perf_counter() - clock, 4)


def document_error(raw) -> str | None:
    """Why a document cannot be used as it is, from what its reader found (None: it can)."""
    broken = [a for a in raw.extra.get("attachments") or [] if a.get("error")]
    if broken:
        return "附件无法解析：" + "；".join(f"{a['name']}（{a['error']}）" for a in broken)
    return raw.extra.get("document_error")


def _shrunk_reports(conn, table, existing, accepted, per_url) -> dict[int, tuple[str, str]]:
    """Index in `accepted` → (reason, id of the stored record) for reports whose text is much
    less than the stored version's (MIN_TEXT_SHARE, REPORT_MIN_CHARS above). The stored version
    is the record with the same id, else the one live record that came from the same URL (a
    broken page may lose the 文号 the id is made of). Only changed records are compared."""
    column = REPORT_TEXT.get(table)
    if column is None or not existing:
        return {}
    by_url: dict[str, list[str]] = {}
    for record_id, (_, removed, url) in existing.items():
        if removed is None:
            by_url.setdefault(url, []).append(record_id)
    candidates: dict[int, str] = {}
    for i, (raw, outcome) in enumerate(accepted):
        row = outcome.rows[table][0]
        stored = existing.get(row["id"])
        if stored is not None:
            digest = (outcome.hashes or {}).get(table)
            if stored[1] is None and not (digest and digest[0] == stored[0]):
                candidates[i] = row["id"]
        elif per_url[raw.url] == 1 and len(by_url.get(raw.url, [])) == 1:
            candidates[i] = by_url[raw.url][0]
    ids = sorted(set(candidates.values()))
    lengths: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        lengths.update(
            conn.execute(
                f"SELECT id, coalesce(length({column}), 0) FROM {table} WHERE id IN ({marks})", chunk
            )
        )
    shrunk = {}
    for i, previous in candidates.items():
        before = lengths.get(previous, 0)
        after = len(accepted[i][1].rows[table][0].get(column) or "")
        if before >= REPORT_MIN_CHARS and after < before * MIN_TEXT_SHARE:
            shrunk[i] = (
                f"文本比上一版本少很多：本版本 {after} 字，上一版本 {before} 字"
                f"（不足 {MIN_TEXT_SHARE:.0%}）",
                previous,
            )
    return shrunk


def _audit(spec, raw, unmapped: dict[str, int]) -> None:
    """Pop and audit: count source fields that no mapping uses (never silently dropped)."""
    used = spec.mapped_source_fields()
    for name, value in raw.fields.items():
        if not name.startswith("_") and name not in used:
            unmapped[name] = unmapped.get(name, 0) + 1


@dataclass(frozen=True)
class Allowance:
    """What the operator allowed for one source with --allow-shrink ID[=COUNT]: shorter reports
    (a bare ID), and a source that shrank to exactly `count` records."""

    count: int | None = None


def allowances(values: Iterable[str]) -> dict[str, int | None]:
    """--allow-shrink values: 'ID' or 'ID=COUNT' -> {id: count or None}."""
    found: dict[str, int | None] = {}
    for value in values:
        source, sep, count = value.partition("=")
        if sep and not count.strip().isdigit():
            raise ValueError(f"--allow-shrink {value}: COUNT must be a number of records")
        found[source.strip()] = int(count) if sep else None
    return found


def guard(
    conn,
    spec: SourceSpec,
    count: int,
    allow_shrink: Allowance | None,
    diagnosis: Callable[[], str | None] | None = None,
) -> None:
    """Assertions and the shrink guard: a source that suddenly yields far fewer records is
    broken more often than it is emptied on purpose, so applying it takes the operator naming
    the count they checked (--allow-shrink ID=COUNT). `diagnosis` says what changed when the
    cause is the source's encoding or format: then --allow-shrink is no remedy and not offered."""
    assertions = spec.assertions
    if assertions.max_records is not None and count > assertions.max_records:
        raise SourceFailed(f"{count} records, more than max_records {assertions.max_records}")
    named = allow_shrink.count if allow_shrink else None
    if named is not None and named == count:
        return
    previous = _previous_count(conn, spec.id)
    if count < assertions.min_records:
        shortfall = f"only {count} records, fewer than min_records {assertions.min_records}"
    elif previous and count < previous * settings.SHRINK_RATIO:
        shortfall = f"{count} records, under half of the previous {previous}"
    else:
        return
    why = diagnosis() if diagnosis else None
    if why:
        raise SourceFailed(f"{shortfall}: {why}; previous data kept")
    if named is not None:
        raise SourceFailed(
            f"{shortfall}; --allow-shrink {spec.id}={named} names {named} records but the source"
            f" now has {count}; previous data kept"
        )
    raise SourceFailed(
        f"{shortfall}; previous data kept (check the source, then apply it naming the count:"
        f" --allow-shrink {spec.id}={count})"
    )


def diagnose(spec: SourceSpec, raws, rejects) -> str | None:
    """What changed, when a source yields too few records because of how it is encoded or laid
    out rather than because it holds fewer: undecodable characters in its field names, none of
    the spec's source fields present, or every row rejected. None: the source simply has fewer
    records (an empty list, rows taken down), which the operator may accept."""
    if not raws:
        return None
    present = {name for raw in raws for name in raw.fields if not name.startswith("_")}
    garbled = sorted(name for name in present if "\ufffd" in name)
    if garbled:
        return (
            f"编码变了 (encoding changed): field names with undecodable characters, e.g. "
            f"{garbled[0]!r}; check the documents' encoding and the spec's `encoding`"
        )
    wanted = {
        name for target in spec.fields for name in spec.source_names(target) if not name.startswith("_")
    }
    if wanted and present and not wanted & present:
        return (
            f"格式变了 (format changed): none of the spec's source fields ({', '.join(sorted(wanted)[:6])}) "
            f"is in the documents, which have {', '.join(sorted(present)[:8])}; check the spec's "
            f"selectors, `sheet` and `header_row`"
        )
    if rejects and len(rejects) >= len(raws):
        reason, n = Counter(reason for _, reason in rejects).most_common(1)[0]
        return f"格式变了 (format changed): every record was rejected, {n} of them: {reason}"
    return None


def _previous_count(conn, source_id: str) -> int | None:
    row = conn.execute("SELECT record_count FROM sources WHERE id = ?", (source_id,)).fetchone()
    return row[0] if row else None


def _unchanged(conn, spec, fetcher) -> bool:
    row = conn.execute("SELECT spec_sha256, last_status FROM sources WHERE id = ?", (spec.id,)).fetchone()
    return (
        fetcher.fetched == 0
        and row is not None
        and row["last_status"] in ("ok", "unchanged")
        and row["spec_sha256"] == _spec_version(spec)
    )


def _spec_version(spec) -> str:
    return f"{spec.sha256}:{PIPELINE_VERSION}"


def _mark_gone(conn, source_id: str, fetcher: Fetcher, now: str) -> None:
    """Documents of this source not seen in this run disappeared from the source."""
    if not fetcher.seen_ids:
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _seen (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM _seen")
    conn.executemany("INSERT INTO _seen (id) VALUES (?)", [(i,) for i in fetcher.seen_ids])
    conn.execute(
        "UPDATE documents SET gone_since = ? WHERE source_id = ? AND gone_since IS NULL AND url NOT IN "
        "(SELECT url FROM documents WHERE id IN (SELECT id FROM _seen))",
        (now, source_id),
    )


def _register(conn, spec: SourceSpec) -> None:
    conn.execute(
        "INSERT INTO sources (id, kind, title, publisher, licence, format, url, region_code, is_sample,"
        " max_age_days) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind=excluded.kind,"
        " title=excluded.title, publisher=excluded.publisher, licence=excluded.licence,"
        " format=excluded.format, url=excluded.url, region_code=excluded.region_code,"
        " is_sample=excluded.is_sample, max_age_days=excluded.max_age_days",
        (
            spec.id,
            spec.kind,
            spec.title,
            spec.publisher,
            spec.licence,
            spec.format,
            (spec.url or spec.urls[0]),
            spec.region_code,
            int(spec.sample),
            spec.max_age_days,
        ),
    )


def _finish(conn, spec, run_id, started, result: SourceResult) -> None:
    finished = utc_now()
    c = result.counts
    conn.execute("BEGIN")
    # Rejects are kept even when the source failed and its transaction rolled back (the run
    # summary counts them; `etl rejects` shows them). A documents row that rolled back is gone:
    # its id may be reused, so such a reject keeps only the URL in row_ref.
    conn.executemany(
        "INSERT INTO rejects (run_id, source_id, document_id, row_ref, reason, raw, at) VALUES (?,?,?,?,?,?,?)",
        [
            (
                run_id,
                spec.id,
                None if document_id in result.lost_documents else document_id,
                row_ref,
                reason,
                raw,
                finished,
            )
            for document_id, row_ref, reason, raw in result.reject_rows
        ],
    )
    conn.execute(
        "INSERT INTO source_runs (run_id, source_id, status, error, started_at, finished_at,"
        " documents_fetched, documents_unchanged, records, added, updated, removed, rejected,"
        " unmapped_fields) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            run_id,
            spec.id,
            result.status,
            result.error,
            started,
            finished,
            result.fetched,
            result.unchanged_documents,
            result.records,
            c.added,
            c.updated,
            c.removed,
            result.rejected,
            json.dumps(result.unmapped, ensure_ascii=False, sort_keys=True) if result.unmapped else None,
        ),
    )
    if result.status == "failed":
        conn.execute(
            "UPDATE sources SET last_run_id=?, last_status='failed', last_error=?, last_attempt_at=?"
            " WHERE id=?",
            (run_id, result.error, started, spec.id),
        )
    else:
        changed = c.added or c.updated or c.removed
        conn.execute(
            "UPDATE sources SET last_run_id=?, last_status=?, last_error=NULL, last_attempt_at=?,"
            " last_success_at=?, record_count=?, spec_sha256=?,"
            " last_changed_at=CASE WHEN ? THEN ? ELSE last_changed_at END WHERE id=?",
            (
                run_id,
                result.status,
                started,
                finished,
                result.records,
                _spec_version(spec),
                1 if changed else 0,
                finished,
                spec.id,
            ),
        )
    conn.execute("COMMIT")
