"""Shared fixtures: databases built by running the real ETL on the bundled sample sources."""

from __future__ import annotations

from datetime import date

import pytest

from etl import db as database
from etl import pipeline, settings
from etl.spec import load_specs

# Every status in the tests is computed for this date, so results do not drift with the calendar.
AS_OF = date(2026, 6, 30)


def run_etl(db_path, archive_dir, samples_url=None, **options):
    """Run every bundled source into db_path (options go to pipeline.run); return (run id, results)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ARCHIVE_DIR", archive_dir)
        if samples_url:
            patch.setattr(settings, "SAMPLES_URL", samples_url)
            patch.setattr(settings, "HTTP_BACKOFF", 0.01)
            patch.setattr(settings, "HTTP_TIMEOUT", 1.0)
        conn = database.connect(db_path)
        try:
            return pipeline.run(conn, load_specs(), **options)
        finally:
            conn.close()


@pytest.fixture(scope="session")
def internal_db(tmp_path_factory):
    """Path of the internal database the ETL builds from the samples (file:// URLs)."""
    folder = tmp_path_factory.mktemp("internal")
    _, results = run_etl(folder / "disclosure.db", folder / "archive")
    failed = {r.source_id: r.error for r in results if r.status == "failed"}
    assert not failed, failed
    return folder / "disclosure.db"


@pytest.fixture(scope="session")
def internal_archive(internal_db):
    return internal_db.parent / "archive"


@pytest.fixture(scope="session")
def public_db(internal_db, tmp_path_factory):
    """Path of the public database (the one filter the site and Datasette read), as of AS_OF."""
    from etl.public import build_public_db

    out = tmp_path_factory.mktemp("public") / "public.db"
    build_public_db(internal_db, out, AS_OF)
    return out


@pytest.fixture(scope="session")
def generated_samples(tmp_path_factory):
    """(folder, truth) of the bundled samples generated afresh into a temporary folder, for tests
    that serve or break the documents without touching data/samples."""
    import json

    from samplegen import generate

    out = tmp_path_factory.mktemp("samples")
    generate(out)
    return out, json.loads((out / "_truth.json").read_text(encoding="utf-8"))
