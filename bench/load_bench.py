"""Microbenchmark of the ETL load step alone (etl.load.Loader.apply), without fetching or parsing.

    python -m bench.load_bench [--db INTERNAL.db] [--work DIR] [--rounds N] [--loader FILE.py]

The records are those a full load of `--db` added (its first run's 'added' changes, in their
order: same sources, tables, rows and insertion order as the pipeline), read back without the
history columns and the columns etl/derive.py fills later, as the pipeline hands them over.
Each round loads them into a fresh database exactly as the pipeline does (one transaction per
source, one apply per table), then a second time with no change, then inserts the same rows
with raw executemany in one transaction into another fresh database, the way
bench/etl_bench.py's baseline does. The figure to watch is the load step ÷ raw executemany in
the same round, and CPU time (thread time: Python and SQLite) beside wall time: the machine is
shared and absolute rates drift. "+commit" adds each source's COMMIT, which the bench's load
step leaves out (the raw baseline includes its one COMMIT).

`--loader` times another copy of etl/load.py too (e.g. `git show HEAD~1:etl/load.py > old.py`),
in the same rounds, so a change is compared with its parent in one process.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from bench import etl_bench
from etl import db as database
from etl import load

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "scratch" / "bench-province" / "etl" / "disclosure.db"
DEFAULT_WORK = ROOT / "data" / "scratch" / "loadexp"
# Filled by the loader, not by the pipeline's records.
_HISTORY = set(load.PROVENANCE) - {"source_id", "document_id", "source_url"}


def read_batches(db: Path) -> list[tuple[str, list[tuple[str, list[dict]]]]]:
    """[(source_id, [(table, records)])] as the first run of `db` loaded them."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    first = conn.execute("SELECT min(id) FROM etl_runs").fetchone()[0]
    order = conn.execute(
        "SELECT source_id, table_name, record_id FROM changes"
        " WHERE run_id = ? AND action = 'added' AND source_id != 'derive' ORDER BY id",
        (first,),
    ).fetchall()
    rows: dict[str, dict[str, dict]] = {}
    for table in sorted({t for _, t, _ in order}):
        keep = [c for c in database.columns(conn, table) if c not in _HISTORY]
        keep = [c for c in keep if not filled_by_derive(conn, table, c)]
        rows[table] = {
            r["id"]: {c: r[c] for c in keep} for r in conn.execute(f"SELECT {', '.join(keep)} FROM {table}")
        }
    conn.close()
    batches: list[tuple[str, list[tuple[str, list[dict]]]]] = []
    for source_id, table, record_id in order:
        record = dict(rows[table][record_id])
        del record["source_id"]
        if not batches or batches[-1][0] != source_id:
            batches.append((source_id, []))
        tables = batches[-1][1]
        if not tables or tables[-1][0] != table:
            tables.append((table, []))
        tables[-1][1].append(record)
    return batches


def filled_by_derive(conn: sqlite3.Connection, table: str, column: str) -> bool:
    """A column etl/derive.py fills after loading, which the pipeline's records lack, unless it
    is NOT NULL (then normalize supplies it, e.g. accountability.accident_id)."""
    if column not in load.DERIVED and (table, column) not in load.DERIVED:
        return False
    not_null = {r[1]: r[3] for r in conn.execute(f"PRAGMA table_info({table})")}
    return not not_null[column]


def fresh(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return database.connect(path)


class Clock:
    """Wall and CPU seconds (this thread: Python and SQLite). CPU time is the steadier figure
    on a shared machine; wall time is what the bench reports."""

    def __init__(self):
        self.wall = self.cpu = 0.0

    def __enter__(self):
        self._wall, self._cpu = time.perf_counter(), time.thread_time()

    def __exit__(self, *exc):
        self.wall += time.perf_counter() - self._wall
        self.cpu += time.thread_time() - self._cpu


def time_loader(loader_class, conn: sqlite3.Connection, batches, run_id: int) -> tuple[Clock, Clock]:
    """Time inside loader.apply for every batch (one transaction per source), and the same
    plus each source's COMMIT (where writing that a large page cache defers is paid)."""
    conn.execute(
        "INSERT OR IGNORE INTO etl_runs (id, started_at, status) VALUES (?, 'now', 'running')", (run_id,)
    )
    apply, commit = Clock(), Clock()
    for source_id, tables in batches:
        conn.execute("BEGIN")
        loader = loader_class(conn, run_id, f"2026-01-0{run_id}T00:00:00Z")
        for table, records in tables:
            records = [dict(r) for r in records]  # the pipeline hands over fresh dicts
            with commit, apply:  # apply nested inside: its span never exceeds commit's
                loader.apply(source_id, table, records)
        with commit:
            conn.execute("COMMIT")
    return apply, commit


def time_executemany(loaded: Path, path: Path) -> Clock:
    """bench/etl_bench.py's raw baseline: the loaded rows into an empty database, one transaction,
    with sqlite3's defaults (that baseline runs in a process that never imports etl.load, so
    without the None adapter etl.load registers)."""
    with default_adapters():
        return _time_executemany(loaded, path)


@contextlib.contextmanager
def default_adapters():
    key = (type(None), sqlite3.PrepareProtocol)
    saved = sqlite3.adapters.pop(key, None)
    try:
        yield
    finally:
        if saved is not None:
            sqlite3.adapters[key] = saved


def _time_executemany(loaded: Path, path: Path) -> Clock:
    src = sqlite3.connect(f"file:{loaded}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    tables = [r[0] for r in src.execute("SELECT DISTINCT table_name FROM changes ORDER BY 1")]
    rows = {t: [dict(r) for r in src.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}
    src.close()
    conn = fresh(path)
    clock = Clock()
    with clock:
        etl_bench.insert_executemany(conn, rows)
    conn.close()
    return clock


def loader_from(path: Path):
    spec = importlib.util.spec_from_file_location(f"loader_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module.Loader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--loader",
        type=Path,
        action="append",
        default=[],
        help="another copy of etl/load.py to time in the same rounds",
    )
    args = parser.parse_args()
    batches = read_batches(args.db)
    total = sum(len(r) for _, tables in batches for _, r in tables)
    args.work.mkdir(parents=True, exist_ok=True)
    loaders = {"etl/load.py": load.Loader} | {str(p): loader_from(p) for p in args.loader}
    figures: dict[str, dict[str, list[float]]] = {}
    for round_no in range(args.rounds):
        for name, loader_class in loaders.items():
            path = args.work / "load.db"
            conn = fresh(path)
            full, full_commit = time_loader(loader_class, conn, batches, 1)
            again, _ = time_loader(loader_class, conn, batches, 2)
            conn.close()
            raw = time_executemany(path, args.work / "executemany.db")
            row = {
                "full": total / full.wall,
                "full cpu": total / full.cpu,
                "+commit": total / full_commit.wall,
                "no change": total / again.wall,
                "raw": total / raw.wall,
                "raw cpu": total / raw.cpu,
                "÷ raw": raw.wall / full.wall,
                "÷ raw cpu": raw.cpu / full.cpu,
            }
            for key, value in row.items():
                figures.setdefault(name, {}).setdefault(key, []).append(value)
            print(f"round {round_no + 1} {name}: " + _line(row), flush=True)
    print(
        f"\n{total:,} records, {len(batches)} sources, {args.rounds} rounds (rec/s; ÷ raw = "
        f"load step ÷ raw executemany in the same round; best = each figure's least disturbed round):"
    )
    for name, values in figures.items():
        print(f"  {name} median: " + _line({k: statistics.median(v) for k, v in values.items()}))
        best = {k: max(v) for k, v in values.items() if "÷" not in k}
        best |= {"÷ raw": best["full"] / best["raw"], "÷ raw cpu": best["full cpu"] / best["raw cpu"]}
        print(f"  {name} best:   " + _line(best))


def _line(row: dict) -> str:
    return ", ".join(f"{k} {v:.2f}" if "÷" in k else f"{k} {v:,.0f}" for k, v in row.items())


if __name__ == "__main__":
    main()
