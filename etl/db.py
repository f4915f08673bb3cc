"""Opening the database: the ETL is the only writer; everything else opens it read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from etl import migrations, settings

PAGE_SIZE = 16384


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the internal database and apply pending migrations."""
    path = Path(path or settings.DB_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit (BEGIN/COMMIT)
    conn.row_factory = sqlite3.Row
    if new:
        # 16 KB pages (before WAL mode and the first table: an existing database keeps its size).
        # A report row is ~7 KB of UTF-8: on 4 KB pages it is a chain of overflow pages. The
        # province's 99,096 records loaded as bench/load_bench.py does, 4 KB and 16 KB pages
        # alternating in one process, medians of 3: load step 83,830 -> 85,837 rec/s, with each
        # source's COMMIT 61,616 -> 69,970 rec/s.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")  # rows arrive source by source; links are derived
    # 64 MB of page cache instead of SQLite's 2 MB: a full load inserts ~100,000 rows whose ids
    # are hashes, so every index takes them in random order; with 2 MB its pages kept leaving the
    # cache (bench/load_bench.py: load step 74k -> 79k records/s, raw executemany unchanged).
    conn.execute("PRAGMA cache_size = -65536")
    migrations.apply(conn)
    return conn


def connect_readonly(path: Path | None = None) -> sqlite3.Connection:
    path = Path(path or settings.DB_PATH)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
