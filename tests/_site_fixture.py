"""The site tests' shared site builds, made once per test run as `make site` makes them.

Two builds at most per test run: the *fixture* site (the site's planted cases of
tests/_fixture_db.py ``make_public_db``, asserted precisely) and the *sample* site from
conftest.py's ``public_db`` (the real ETL on the bundled samples), used for the browser,
validator, accessibility and link checks whenever it has records; while it is empty the fixture
site stands in for it.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._fixture_db import make_public_db

ROOT = Path(__file__).resolve().parent.parent
PY = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)


def run_pelican(
    db: Path, output: Path, *extra: str, settings: str = "pelicanconf.py", env: dict | None = None
) -> subprocess.CompletedProcess:
    """Build the site the way `make site` does: the real CLI, with --fatal warnings."""
    env = dict(os.environ, DISCLOSURE_PUBLIC_DB=str(db), **(env or {}))
    cmd = [
        PY,
        "-m",
        "pelican",
        str(ROOT / "content"),
        "-s",
        str(ROOT / settings),
        "-o",
        str(output),
        "--cache-path",
        str(Path(output).parent / "cache"),
        "--fatal",
        "warnings",
        *extra,
    ]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


class BuiltSite:
    """A built site: its database, output folder, build time and log."""

    def __init__(self, db: Path, output: Path, seconds: float, log: str):
        self.db, self.output, self.seconds, self.log = Path(db), Path(output), seconds, log

    def path(self, url_path: str) -> Path:
        target = self.output / url_path.lstrip("/")
        if url_path.endswith("/") or url_path == "" or target.is_dir():
            target = target / "index.html"
        return target

    def read(self, url_path: str) -> str:
        return self.path(url_path).read_text(encoding="utf-8")

    def html_files(self) -> list[Path]:
        return sorted(p for p in self.output.rglob("*.html") if "pagefind" not in p.parts)

    def data(self):
        """The database as the site reads it (plugins/disclosure/data.py)."""
        from plugins.disclosure.data import PublicData

        return PublicData(self.db)


_SITES: dict[str, BuiltSite] = {}


def build(db: Path, output: Path) -> BuiltSite:
    start = time.monotonic()
    result = run_pelican(db, output)
    if result.returncode != 0:
        raise AssertionError(
            f"pelican failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return BuiltSite(db, output, time.monotonic() - start, result.stdout + result.stderr)


def fixture_site(tmp_path_factory) -> BuiltSite:
    """The site built from this module's planted cases (once per session)."""
    if "fixture" not in _SITES:
        folder = tmp_path_factory.mktemp("site-fixture")
        _SITES["fixture"] = build(make_public_db(folder / "public.db"), folder / "output")
    return _SITES["fixture"]


def sample_site(request, tmp_path_factory) -> BuiltSite:
    """The site built from conftest.py's ``public_db`` (the real ETL on the bundled samples) when
    it has records, else the fixture site."""
    if "sample" not in _SITES:
        site = None
        try:
            db = Path(request.getfixturevalue("public_db"))
        except pytest.FixtureLookupError:
            db = None
        if db is not None and _has_records(db):
            folder = tmp_path_factory.mktemp("site-sample")
            site = build(db, folder / "output")
        _SITES["sample"] = site or fixture_site(tmp_path_factory)
    return _SITES["sample"]


def _has_records(db: Path) -> bool:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return (
            conn.execute("SELECT count(*) FROM accidents").fetchone()[0] > 0
            and conn.execute("SELECT count(*) FROM enterprises").fetchone()[0] > 0
        )
    finally:
        conn.close()
