"""Opening the database: the ETL is the only writer; everything else opens it read-only."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from etl import migrations, settings


def connect(path: Path | None = None) -> sqlite3.Connection:
    """Open (creating if needed) the internal database and apply pending migrations."""
    path = Path(path or settings.DB_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit (BEGIN/COMMIT)
    conn.row_factory = sqlite3.Row
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
