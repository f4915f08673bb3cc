"""Source staleness (freshness.py) and its four users, each with its own clock: `etl sources`
(now), the site (the database's as-of date), the release's sources gate and its record (the
release's as-of date)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import migrations
from etl.cli import freshness_text
from freshness import FRESH, NEVER, STALE, Freshness, freshness, start_of
from plugins.disclosure.generator import site_info
from publish.gates.source_runs import sources as sources_gate
from publish.release import _sources_snapshot
from tests import _site_fixture as fx

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)


def test_never_fetched():
    assert freshness(None, 30, NOW) == Freshness(NEVER, None)
    assert freshness("", None, NOW).verdict == NEVER


@pytest.mark.parametrize(
    "stamp, max_age, verdict, age",
    [
        ("2026-06-29T12:00:00+00:00", 30, FRESH, 1.0),
        ("2026-05-31T12:00:00Z", 30, FRESH, 30.0),  # exactly the limit is not older than it
        ("2026-05-31T11:59:00+00:00", 30, STALE, 30 + 1 / 1440),
        ("2026-05-31T19:59:00+08:00", 30, STALE, 30 + 1 / 1440),  # an offset counts
        ("2026-05-31T11:59:00", 30, STALE, 30 + 1 / 1440),  # no offset: UTC, as the ETL writes
        ("2025-01-01T00:00:00Z", None, FRESH, None),  # no limit: never stale
        ("2026-07-01T00:00:00Z", 1, FRESH, -0.5),  # fetched after the clock
    ],
)
def test_verdict_and_age(stamp, max_age, verdict, age):
    found = freshness(stamp, max_age, NOW)
    assert found.verdict == verdict
    if age is not None:
        assert found.age_days == pytest.approx(age)


def test_an_unreadable_stamp_is_an_error():
    with pytest.raises(ValueError):
        freshness("yesterday", 30, NOW)


@given(
    st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1)),
    st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    st.integers(1, 400),
)
def test_a_day_clock_counts_whole_days_between_dates(moment, as_of, max_age):
    """start_of(as_of) gives the verdict the site gave before by subtracting dates."""
    stamp = moment.replace(tzinfo=timezone.utc).isoformat()
    stale = (as_of - date.fromisoformat(stamp[:10])).days > max_age
    assert (freshness(stamp, max_age, start_of(as_of)).verdict == STALE) is stale


# ---------------------------------------------------------------- etl sources (now)


def test_etl_sources_wording():
    assert freshness_text(None, 30, NOW) == "stale (never fetched)"
    assert freshness_text("2026-05-01T12:00:00+00:00", 30, NOW) == "stale (60 d > 30 d)"
    assert freshness_text("2026-06-29T00:00:00+00:00", 30, NOW) == "fresh (1.5 d)"
    assert freshness_text("2026-06-29T00:00:00+00:00", None, NOW) == "fresh (1.5 d)"


# ---------------------------------------------------------------- the site (the database's as_of)


class _Meta:
    def __init__(self, as_of, *sources):
        self.as_of, self.build_info, self.legal_basis = as_of, {}, []
        self.sources = [{"id": f"s{i}", **s} for i, s in enumerate(sources)]


def test_site_judges_as_of_the_databases_date():
    meta = _Meta(
        "2026-06-30",
        {"last_success_at": "2026-05-31T23:59:00+00:00", "max_age_days": 30},  # 30 days: fresh
        {"last_success_at": "2026-05-30T23:59:00+00:00", "max_age_days": 30},  # 31 days: stale
        {"last_success_at": None, "max_age_days": 30},  # never fetched: stale
        {"last_success_at": "2020-01-01T00:00:00+00:00", "max_age_days": None},  # no limit
        {"last_success_at": "not a date", "max_age_days": 30},  # unreadable: not stale
    )
    info = site_info(meta, {})
    assert [s["stale"] for s in info["sources"]] == [False, True, True, False, False]
    assert info["stale"] == 2


def test_site_without_a_date_marks_only_sources_never_fetched():
    meta = _Meta(
        "", {"last_success_at": "2020-01-01T00:00:00+00:00", "max_age_days": 1}, {"last_success_at": None}
    )
    assert [s["stale"] for s in site_info(meta, {})["sources"]] == [False, True]


def test_site_says_how_many_sources_are_stale(tmp_path_factory):
    """The fixture's statistics source last loaded 2026-03-02, 120 days before its as-of date."""
    home = fx.fixture_site(tmp_path_factory).read("/")
    assert "（1 个来源超过本站设定的更新周期，见页脚）" in home


# ---------------------------------------------------------------- the release (its as_of)


@pytest.fixture
def internal_db(tmp_path):
    path = tmp_path / "disclosure.db"
    conn = sqlite3.connect(path)
    migrations.apply(conn)
    as_of = start_of(date(2026, 6, 30))
    rows = [
        ("fresh", "ok", None, as_of - timedelta(days=30), 30),
        ("stale", "ok", None, as_of - timedelta(days=30, minutes=1), 30),
        ("unlimited", "ok", None, as_of - timedelta(days=900), None),
        ("never", "failed", "HTTP 500\ntrace", None, 30),
    ]
    with conn:
        for sid, status, error, ok, max_age in rows:
            conn.execute(
                "INSERT INTO sources (id, kind, title, publisher, licence, format, url, max_age_days,"
                " last_status, last_error, last_success_at, record_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,0)",
                (sid, "accidents", sid, "p", "l", "csv", "u", max_age, status, error, ok and ok.isoformat()),
            )
    conn.close()
    return path


def test_the_sources_gate_warns_or_fails_on_a_stale_source(internal_db):
    clock = start_of(date(2026, 6, 30))
    warned = sources_gate(internal_db, "warn", now=clock)
    assert warned.warnings == [
        "never: last run failed (HTTP 500); previous data kept",
        "stale: stale, last success 30 days ago (max 30)",
    ]
    assert warned.problems == ["never: never loaded successfully"]
    failed = sources_gate(internal_db, "fail", now=clock)
    assert "stale: stale, last success 30 days ago (max 30)" in failed.problems
    later = sources_gate(internal_db, "warn", now=clock + timedelta(days=1))
    assert any(w.startswith("fresh: stale") for w in later.warnings)


def test_the_release_record_marks_stale_sources_as_of_its_date(internal_db):
    conn = sqlite3.connect(internal_db)
    conn.row_factory = sqlite3.Row
    try:
        stale = {s["id"]: s["stale"] for s in _sources_snapshot(conn, date(2026, 6, 30))}
        assert stale == {"fresh": False, "stale": True, "unlimited": False, "never": False}
        assert _sources_snapshot(conn, date(2026, 7, 1))[0]["stale"] is True  # ids in order: fresh
    finally:
        conn.close()
