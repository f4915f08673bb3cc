"""Datasette in the release: the bundle a replica runs, and the gate that every canned query
runs on the candidate database (with the same configuration the server uses)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from publish import datasette_serve

ROOT = Path(__file__).resolve().parent.parent
# Files a replica needs besides the database, laid out as in the repository so the Dockerfile
# (publish/datasette/Dockerfile) builds from the bundle folder as its context.
BUNDLE_FILES = ("etl/__init__.py", "etl/fts_text.py", "publish/__init__.py", "publish/datasette_serve.py")


def run_all(public_db: Path) -> list[str]:
    """Problems: canned queries that do not answer 200 on this database."""
    from datasette.app import Datasette

    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
    database = public_db.stem
    queries = ds.metadata("queries", database=database) or {}

    async def check() -> list[str]:
        problems = []
        for name in sorted(queries):
            response = await ds.client.get(f"/{database}/{name}.json?_shape=objects")
            if response.status_code != 200:
                problems.append(f"canned query {name}: HTTP {response.status_code} {response.text[:200]}")
        return problems

    if not queries:
        return [f"no canned queries configured for database {database!r}"]
    return asyncio.run(check())


def bundle(public_db: Path, out: Path) -> dict:
    """Write everything one read-only replica needs into `out` (see docs/datasette.md)."""
    for rel in BUNDLE_FILES:
        _copy(ROOT / rel, out / rel)
    shutil.copytree(
        datasette_serve.CONFIG,
        out / "publish" / "datasette",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    db_copy = out / "data" / "public.db"
    _copy(public_db, db_copy, link=True)
    inspect = datasette_serve.inspect_file_for(db_copy, out / "data" / "public.inspect.json")
    return {"files": sum(1 for p in out.rglob("*") if p.is_file()), "inspect": inspect.name}


def _copy(src: Path, dst: Path, link: bool = False) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if link:
        try:
            os.link(src, dst)  # the same bytes as data/public.db, without a second copy on disk
            return
        except OSError:
            pass
    shutil.copy2(src, dst)
