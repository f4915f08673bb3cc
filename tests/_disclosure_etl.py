"""What the tests of the disclosure sources share (tests/test_{hazards,projects,enforcement,
agencies}_etl.py): running some sources into a scratch database over a local server of the
generated samples, and reading rows back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from etl import db as database
from etl import pipeline, settings


def run_sources(db_path: Path, archive: Path, samples_url: str, specs: list, **options) -> tuple[int, dict]:
    """(run id, {source id: result}) of one ETL run of `specs` with {samples} at samples_url."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ARCHIVE_DIR", archive)
        patch.setattr(settings, "SAMPLES_URL", samples_url)
        patch.setattr(settings, "HTTP_BACKOFF", 0.01)
        patch.setattr(settings, "HTTP_TIMEOUT", 5.0)
        conn = database.connect(db_path)
        try:
            run_id, results = pipeline.run(conn, specs, **options)
        finally:
            conn.close()
    return run_id, {r.source_id: r for r in results}


def rows(db_path: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()


class Env:
    """A scratch database and archive over a server (tests/httpd.py) of the generated samples."""

    def __init__(self, folder: Path, server, specs: dict):
        folder.mkdir(parents=True, exist_ok=True)
        self.db_path, self.archive, self.server, self.specs = (
            folder / "disclosure.db",
            folder / "archive",
            server,
            specs,
        )

    def run(self, *source_ids: str, **options):
        chosen = [self.specs[i] for i in source_ids or self.specs]
        return run_sources(self.db_path, self.archive, self.server.url, chosen, **options)

    def query(self, sql: str, params=()) -> list[dict]:
        return rows(self.db_path, sql, params)

    def live(self, table: str, source: str) -> list[dict]:
        return self.query(
            f"SELECT * FROM {table} WHERE source_id = ? AND removed_run IS NULL ORDER BY id", (source,)
        )

    def path(self, url: str) -> str:
        return url.replace(self.server.url, "")
