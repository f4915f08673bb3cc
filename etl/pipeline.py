"""Running sources: fetch → read → map → normalize → guard → load, one transaction per source.

A source that fails (fetch, parse, assertions, shrink guard) leaves its previous data
untouched, and the run records which source failed and why. Bad rows go to `rejects` and never
abort the run. A source whose documents and spec are all unchanged is not re-normalized.
"""
from __future__ import annotations

import json
import sqlite3
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from etl import derive, settings
from etl.datasets import kind_module
from etl.http import FetchError, Fetcher, new_session
from etl.load import Counts, Loader
from etl.normalizing import PIPELINE_VERSION, mask_row, normalize_all
from etl.readers import ParseError, read
from etl.spec import SourceSpec

class SourceFailed(RuntimeError):
    """The source is not applied; the message says why (shown in the summary)."""


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


def utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def run(
    conn: sqlite3.Connection,
    specs: list[SourceSpec],
    allow_shrink: set[str] = frozenset(),
    force: bool = False,
    session=None,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, list[SourceResult]]:
    """Run the given sources; return (run id, one result per source)."""
    now = utc_now()
    run_id = conn.execute(
        "INSERT INTO etl_runs (started_at, status, args) VALUES (?, 'running', ?)",
        (now, json.dumps({"sources": [s.id for s in specs], "allow_shrink": sorted(allow_shrink),
                          "force": force}, ensure_ascii=False)),
    ).lastrowid
    session = session or new_session()
    results = []
    for spec in specs:
        if progress:
            progress(spec.id)
        results.append(run_source(conn, spec, run_id, session, spec.id in allow_shrink, force))
    conn.execute("BEGIN")
    derive.refresh(conn, run_id, utc_now())
    failed = sum(r.status == "failed" for r in results)
    conn.execute(
        "UPDATE etl_runs SET finished_at = ?, status = ?, sources_ok = ?, sources_failed = ? WHERE id = ?",
        (utc_now(), "failed" if failed else "ok", len(results) - failed, failed, run_id),
    )
    conn.execute("COMMIT")
    return run_id, results


def run_source(conn, spec: SourceSpec, run_id: int, session, allow_shrink: bool, force: bool) -> SourceResult:
    result = SourceResult(spec.id)
    started = utc_now()
    _register(conn, spec)
    conn.execute("BEGIN")
    try:
        fetcher = Fetcher(conn, spec.id, started, session)
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
    except Exception as exc:  # a bug must not stop the other sources; keep the trace for staff
        conn.execute("ROLLBACK")
        result.status = "failed"
        result.error = f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    _finish(conn, spec, run_id, started, result)
    return result


def _apply(conn, spec, raws, run_id, now, allow_shrink, result) -> None:
    module = kind_module(spec.kind)
    loader = Loader(conn, run_id, now)
    tables: dict[str, list[dict]] = {module.TABLE: []}
    hashes: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    rejects = []
    clock = time.perf_counter()
    for raw, outcome in zip(raws, normalize_all(module, spec, raws, loader.hashers())):
        _audit(spec, raw, result.unmapped)
        if outcome.reject is None:
            primary = outcome.rows[module.TABLE][0]
            if primary["id"] in seen:
                outcome.reject = f"重复记录：与 {seen[primary['id']]} 相同"
            else:
                seen[primary["id"]] = raw.row_ref
        if outcome.reject is not None:
            rejects.append((raw, outcome.reject))
            continue
        for table, table_rows in outcome.rows.items():
            tables.setdefault(table, []).extend(table_rows)
            if table in outcome.hashes:
                hashes.setdefault(table, []).extend(outcome.hashes[table])
    result.records, result.rejected = len(tables[module.TABLE]), len(rejects)
    result.seconds["normalize"] = round(time.perf_counter() - clock, 4)
    guard(conn, spec, result.records, allow_shrink)
    clock = time.perf_counter()
    for table, rows in tables.items():
        result.counts += loader.apply(spec.id, table, rows, hashes.get(table))
    result.seconds["load"] = round(time.perf_counter() - clock, 4)
    conn.executemany(
        "INSERT INTO rejects (run_id, source_id, document_id, row_ref, reason, raw, at) VALUES (?,?,?,?,?,?,?)",
        [(run_id, spec.id, raw.document_id, f"{raw.url} {raw.row_ref}", reason,
          json.dumps(mask_row({k: v for k, v in raw.fields.items() if not k.startswith("_")}),
                     ensure_ascii=False), now)
         for raw, reason in rejects],
    )


def _audit(spec, raw, unmapped: dict[str, int]) -> None:
    """Pop and audit: count source fields that no mapping uses (never silently dropped)."""
    used = spec.mapped_source_fields()
    for name, value in raw.fields.items():
        if not name.startswith("_") and name not in used:
            unmapped[name] = unmapped.get(name, 0) + 1


def guard(conn, spec: SourceSpec, count: int, allow_shrink: bool) -> None:
    """Assertions and the shrink guard: a source that suddenly yields far fewer records is
    broken more often than it is emptied on purpose."""
    assertions = spec.assertions
    if assertions.max_records is not None and count > assertions.max_records:
        raise SourceFailed(f"{count} records, more than max_records {assertions.max_records}")
    if allow_shrink:
        return
    if count < assertions.min_records:
        raise SourceFailed(
            f"only {count} records, fewer than min_records {assertions.min_records}; "
            f"previous data kept (use --allow-shrink {spec.id} to apply)"
        )
    previous = _previous_count(conn, spec.id)
    if previous and count < previous * settings.SHRINK_RATIO:
        raise SourceFailed(
            f"{count} records, under half of the previous {previous}; previous data kept "
            f"(use --allow-shrink {spec.id} to apply)"
        )


def _previous_count(conn, source_id: str) -> int | None:
    row = conn.execute("SELECT record_count FROM sources WHERE id = ?", (source_id,)).fetchone()
    return row[0] if row else None


def _unchanged(conn, spec, fetcher) -> bool:
    row = conn.execute("SELECT spec_sha256, last_status FROM sources WHERE id = ?", (spec.id,)).fetchone()
    return (
        fetcher.fetched == 0 and row is not None and row["last_status"] in ("ok", "unchanged")
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
        (spec.id, spec.kind, spec.title, spec.publisher, spec.licence, spec.format,
         (spec.url or spec.urls[0]), spec.region_code, int(spec.sample), spec.max_age_days),
    )


def _finish(conn, spec, run_id, started, result: SourceResult) -> None:
    finished = utc_now()
    c = result.counts
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO source_runs (run_id, source_id, status, error, started_at, finished_at,"
        " documents_fetched, documents_unchanged, records, added, updated, removed, rejected,"
        " unmapped_fields) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (run_id, spec.id, result.status, result.error, started, finished, result.fetched,
         result.unchanged_documents, result.records, c.added, c.updated, c.removed, result.rejected,
         json.dumps(result.unmapped, ensure_ascii=False, sort_keys=True) if result.unmapped else None),
    )
    if result.status == "failed":
        conn.execute(
            "UPDATE sources SET last_run_id=?, last_status='failed', last_error=?, last_attempt_at=?"
            " WHERE id=?", (run_id, result.error, started, spec.id),
        )
    else:
        changed = c.added or c.updated or c.removed
        conn.execute(
            "UPDATE sources SET last_run_id=?, last_status=?, last_error=NULL, last_attempt_at=?,"
            " last_success_at=?, record_count=?, spec_sha256=?,"
            " last_changed_at=CASE WHEN ? THEN ? ELSE last_changed_at END WHERE id=?",
            (run_id, result.status, started, finished, result.records, _spec_version(spec),
             1 if changed else 0, finished, spec.id),
        )
    conn.execute("COMMIT")
