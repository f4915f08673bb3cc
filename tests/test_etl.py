"""The whole ETL end to end against a real HTTP server on 127.0.0.1 serving the bundled sample
sources: what is in the database afterwards, re-runs, failures that must not lose data."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from etl import settings
from etl.spec import load_specs
from tests.conftest import run_etl
from tests.httpd import FaultyServer

SAMPLES = settings.SAMPLES_DIR
TRUTH = json.loads((SAMPLES / "_truth.json").read_text(encoding="utf-8"))
ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class Env:
    """A scratch database and archive, with the samples served over HTTP."""

    def __init__(self, tmp_path: Path, server: FaultyServer):
        self.db_path = tmp_path / "disclosure.db"
        self.archive = tmp_path / "archive"
        self.server = server

    def run(self, **kwargs):
        run_id, results = run_etl(self.db_path, self.archive, self.server.url, **kwargs)
        return run_id, {r.source_id: r for r in results}

    def query(self, sql: str, params=()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def scalar(self, sql: str, params=()):
        return self.query(sql, params)[0][0]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """One full run over HTTP, shared by the read-only assertions below."""
    with FaultyServer(SAMPLES) as server:
        env = Env(tmp_path_factory.mktemp("etl"), server)
        run_id, results = env.run()
        yield env, run_id, results


@pytest.fixture
def env(tmp_path):
    with FaultyServer(SAMPLES) as server:
        yield Env(tmp_path, server)


def source_of_kind(kind: str, fmt: str | None = None) -> str:
    return next(s.id for s in load_specs() if s.kind == kind and (fmt is None or s.format == fmt))


def test_every_source_loads_over_http(loaded):
    env, _, results = loaded
    assert {k: r.error for k, r in results.items() if r.status != "ok"} == {}
    counts = {
        t: env.scalar(f"SELECT count(*) FROM {t} WHERE removed_run IS NULL")
        for t in (
            "accidents",
            "rectification_assessments",
            "credit_ratings",
            "credit_records",
            "blacklist",
            "blacklist_removals",
            "bans",
            "annual_statistics",
        )
    }
    assert counts["accidents"] >= 60 and counts["credit_records"] >= 80 and counts["blacklist"] >= 40
    assert counts["rectification_assessments"] >= 30 and counts["bans"] >= 10
    assert counts["annual_statistics"] >= 6 * 15
    assert env.scalar("SELECT count(*) FROM enterprises") >= 300
    # every record points at the exact document it came from, archived by sha256
    for table in ("accidents", "credit_ratings", "credit_records", "blacklist", "bans"):
        assert env.scalar(f"SELECT count(*) FROM {table} WHERE document_id IS NULL") == 0
    doc = env.query("SELECT * FROM documents LIMIT 1")[0]
    assert (env.archive / doc["archive_path"]).exists()


def test_accident_facts_match_the_ground_truth(loaded):
    env, _, _ = loaded
    rows = {r["title"]: r for r in env.query("SELECT * FROM accidents")}
    truth = TRUTH["accidents"]
    assert len(truth) >= 60
    right = {"deaths": 0, "occurred_on": 0, "city_code": 0}
    for item in truth:
        row = rows.get(item["title"])
        assert row is not None, f"accident not loaded: {item['title']}"
        right["deaths"] += row["deaths"] == item["deaths"]
        right["occurred_on"] += row["occurred_on"] == item["occurred_on"]
        right["city_code"] += row["city_code"] == item["city_code"]
    shares = {k: v / len(truth) for k, v in right.items()}
    print("sample accident accuracy:", shares)
    assert shares["deaths"] >= 0.95 and shares["occurred_on"] >= 0.9 and shares["city_code"] >= 0.9


def test_no_unmasked_personal_data_anywhere_in_the_database(loaded):
    env, _, _ = loaded
    conn = sqlite3.connect(env.db_path)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    leaks = []
    for table in tables:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        for row in conn.execute(f"SELECT * FROM {table}"):
            for column, value in zip(columns, row):
                if isinstance(value, str) and column not in (
                    "uscc",
                    "enterprise_uscc",
                    "sha256",
                    "id",
                    "record_hash",
                    "archive_path",
                    "etag",
                ):
                    for match in ID_NUMBER.findall(value) + MOBILE.findall(value):
                        leaks.append((table, column, match))
    conn.close()
    assert leaks == []
    # the planted ID number and phone were in the sources, so masking did something
    assert env.scalar("SELECT count(*) FROM accidents WHERE body_text LIKE '%[身份证号码已隐去]%'") >= 1
    # no part of an ID number stays in text: not even a fragment a source printed masked
    from etl.normalize.mask import find_unmasked_pii

    conn = sqlite3.connect(env.db_path)
    text_columns = {
        "accidents": "body_text",
        "blacklist": "reason",
        "bans": "reason",
        "credit_records": "facts",
        "accountability": "measure",
    }
    texts = [
        r[0]
        for table, column in text_columns.items()
        for r in conn.execute(f"SELECT {column} FROM {table}")
        if r[0]
    ]
    conn.close()
    assert texts and not [f for t in texts for f in find_unmasked_pii(t) if f[0] == "id_fragment"]


def test_messy_rows_are_flagged_or_rejected_never_dropped(loaded):
    env, run_id, results = loaded
    assert env.scalar("SELECT count(*) FROM enterprises WHERE uscc_valid = 0") >= 1
    reasons = [r["reason"] for r in env.query("SELECT reason FROM rejects WHERE run_id = ?", (run_id,))]
    assert any("重复" in reason for reason in reasons)
    unmapped = {sid: r.unmapped for sid, r in results.items() if r.unmapped}
    assert unmapped, "the extra column and the extra JSON field must be reported"
    stored = env.query(
        "SELECT source_id, unmapped_fields FROM source_runs WHERE run_id = ? AND unmapped_fields IS NOT NULL",
        (run_id,),
    )
    assert {r["source_id"] for r in stored} == set(unmapped)


def test_links_between_records(loaded):
    env, _, _ = loaded
    assert (
        env.scalar(
            "SELECT count(*) FROM blacklist WHERE removed_on IS NOT NULL AND removal_reason = '信用修复'"
        )
        >= 1
    )
    linked = env.scalar("SELECT count(*) FROM rectification_assessments WHERE accident_id IS NOT NULL")
    assert linked >= 0.9 * env.scalar("SELECT count(*) FROM rectification_assessments")
    assert env.scalar("SELECT count(*) FROM accidents WHERE enterprise_id IS NOT NULL") >= 50
    assert env.scalar("SELECT count(*) FROM accidents WHERE approved_on IS NOT NULL") >= 50
    # the same enterprise's rating, records and accidents join on one hub row
    assert (
        env.scalar(
            "SELECT count(*) FROM enterprises e WHERE EXISTS (SELECT 1 FROM credit_ratings c WHERE c.enterprise_id = e.id)"
            " AND EXISTS (SELECT 1 FROM accidents a WHERE a.enterprise_id = e.id)"
        )
        >= 5
    )


def test_rerun_with_no_change_changes_nothing_and_uses_304(env):
    env.run()
    requests_before = len(env.server.log)
    run_id, results = env.run()
    assert {r.status for r in results.values()} == {"unchanged"}
    assert sum(r.parsed_documents for r in results.values()) == 0  # nothing re-parsed
    assert all(r.counts.added == r.counts.updated == r.counts.removed == 0 for r in results.values())
    assert env.scalar("SELECT count(*) FROM changes WHERE run_id = ?", (run_id,)) == 0
    second = [status for _, status in env.server.log[requests_before:]]
    assert second and set(second) == {304}


def test_server_error_is_retried_and_timeout_fails_only_that_source(env):
    json_source = source_of_kind("credit_records", "json_api")
    env.run()
    before = env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL")
    first_page = f"/{json_source}/page-1.json"
    env.server.faults[first_page] = ["500"]
    _, results = env.run()
    assert results[json_source].status in ("ok", "unchanged")
    env.server.slow_seconds = 1.5
    env.server.faults[first_page] = ["slow"] * 10
    _, results = env.run()
    assert results[json_source].status == "failed" and "timed out" in results[json_source].error
    assert {r.status for sid, r in results.items() if sid != json_source} <= {"ok", "unchanged"}
    assert env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL") == before
    status = env.query("SELECT last_status, last_error FROM sources WHERE id = ?", (json_source,))[0]
    assert status["last_status"] == "failed" and "timed out" in status["last_error"]


def test_truncated_response_is_retried(env):
    source = source_of_kind("credit_ratings", "csv")
    spec = next(s for s in load_specs() if s.id == source)
    path = spec.all_urls()[0].replace(settings.SAMPLES_URL, "")
    env.server.faults[path] = ["truncate"]
    _, results = env.run()
    assert results[source].status == "ok"
    assert env.server.requests_for(path)[:2] == [200, 200]


def test_empty_source_keeps_previous_data_until_the_operator_allows_it(env):
    source = source_of_kind("credit_records", "json_api")
    env.run()
    before = env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL")
    empty = json.dumps({"code": 0, "data": {"total": 0, "page": 1, "size": 20, "records": []}}).encode()
    env.server.content[f"/{source}/page-1.json"] = empty
    _, results = env.run()
    assert results[source].status == "failed" and f"--allow-shrink {source}=0" in results[source].error
    assert env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL") == before
    # the bare id is not enough to remove records, nor a count that is not the source's
    for allowed in ({source}, {source: 5}):
        _, results = env.run(allow_shrink=allowed)
        assert results[source].status == "failed", allowed
        assert env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL") == before
    assert "names 5 records but the source now has 0" in results[source].error
    run_id, results = env.run(allow_shrink={source: 0})
    assert results[source].status == "ok" and results[source].counts.removed == before
    assert env.scalar("SELECT count(*) FROM credit_records") == before  # marked removed, not deleted
    assert (
        env.scalar(
            "SELECT count(*) FROM changes WHERE run_id = ? AND action = 'removed' AND table_name = 'credit_records'",
            (run_id,),
        )
        == before
    )


def test_changed_and_vanished_records_are_logged(env):
    source = source_of_kind("credit_ratings", "csv")
    spec = next(s for s in load_specs() if s.id == source)
    path = spec.all_urls()[0].replace(settings.SAMPLES_URL, "")
    env.run()
    original = (SAMPLES / path.lstrip("/")).read_bytes()
    lines = original.split(b"\n")
    header, rest = lines[0], lines[2:]
    env.server.content[path] = b"\n".join([header] + rest)  # the first row vanished
    run_id, results = env.run()
    assert results[source].counts.removed >= 1
    assert sum(r.parsed_documents for r in results.values()) == 1  # only the changed file
    removed = env.query("SELECT record_id FROM changes WHERE run_id = ? AND action = 'removed'", (run_id,))
    row = env.query(
        "SELECT removed_run, removed_at FROM credit_ratings WHERE id = ?", (removed[0]["record_id"],)
    )[0]
    assert row["removed_run"] == run_id and row["removed_at"]
    env.server.content[path] = original  # it came back
    run_id, results = env.run()
    assert env.scalar("SELECT count(*) FROM changes WHERE run_id = ? AND action = 'restored'", (run_id,)) >= 1


def test_run_twice_never_duplicates(internal_db, tmp_path):
    db_path = tmp_path / "d.db"
    run_etl(db_path, tmp_path / "archive")
    conn = sqlite3.connect(db_path)
    counts = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("accidents", "blacklist", "enterprises")
    }
    conn.close()
    run_etl(db_path, tmp_path / "archive", force=True)  # re-normalize everything
    conn = sqlite3.connect(db_path)
    again = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in counts}
    updated = conn.execute("SELECT count(*) FROM changes WHERE run_id = 2 AND action != 'added'").fetchone()[
        0
    ]
    conn.close()
    assert again == counts and updated == 0


def test_withdrawn_report_is_marked_removed_and_stays_provable(env):
    spec = next(s for s in load_specs() if s.kind == "accidents" and s.format == "html_list")
    list_path = spec.all_urls()[0].replace(settings.SAMPLES_URL, "")
    env.run()
    page = (SAMPLES / list_path.lstrip("/")).read_text(encoding="utf-8")
    first_item = re.search(r'<li><a href="([^"#]+\.html?)".*?</li>', page)
    assert first_item, "list page without items"
    env.server.content[list_path] = page.replace(first_item.group(0), "", 1).encode("utf-8")
    run_id, results = env.run()
    assert results[spec.id].counts.removed >= 1
    row = env.query(
        "SELECT a.id, a.removed_run, d.gone_since, d.archive_path, d.sha256 FROM accidents a"
        " JOIN documents d ON d.id = a.document_id WHERE a.removed_run = ?",
        (run_id,),
    )[0]
    assert row["gone_since"], "the detail page is recorded as gone from the source"
    assert (env.archive / row["archive_path"]).exists()  # the archived copy still proves it


def test_accountability_is_extracted_from_the_reports(loaded):
    env, _, _ = loaded
    ids = {r["title"]: r["id"] for r in env.query("SELECT title, id FROM accidents")}
    found = {
        (r["accident_id"], r["subject"], r["measure_type"])
        for r in env.query("SELECT accident_id, subject, measure_type FROM accountability")
    }
    expected = [
        (ids[a["title"]], x["subject"], x["measure_type"])
        for a in TRUTH["accidents"]
        for x in a["accountability"]
    ]
    share = sum(e in found for e in expected) / len(expected)
    print(f"accountability entries found: {share:.0%} of {len(expected)}")
    assert share >= 0.65  # measured 71% on the samples; persons are masked (张某昌) as published
    assert all(
        "某" in r["subject"]
        for r in env.query("SELECT subject FROM accountability WHERE subject_type = 'person'")
    )


def _loaded_content(db_path: Path) -> dict[str, list[tuple]]:
    """Every record row, reject and change of a database, without the times of the run."""
    conn = sqlite3.connect(db_path)
    try:
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if "record_hash" in [c[1] for c in conn.execute(f"PRAGMA table_info({name})")]
        ]
        content = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
        content["rejects"] = conn.execute(
            "SELECT source_id, row_ref, reason, raw FROM rejects ORDER BY id"
        ).fetchall()
        content["changes"] = conn.execute(
            "SELECT source_id, table_name, record_id, action, fields FROM changes ORDER BY id"
        ).fetchall()
        return content
    finally:
        conn.close()


def test_worker_processes_normalize_exactly_as_one_process(tmp_path, monkeypatch):
    """etl/prepare.py: records normalized, masked and hashed in forked workers load the same
    rows, hashes, rejects and change log, in the same order, as in the ETL's own process."""
    from etl import prepare

    pids = tmp_path / "pids"
    normalize_one = prepare.normalize_one

    def recording(*args):
        with open(pids, "a") as f:
            f.write(f"{os.getpid()}\n")
        return normalize_one(*args)

    monkeypatch.setattr(prepare, "normalize_one", recording)
    for threshold in ("PARALLEL_RECORDS", "PARALLEL_REPORTS"):  # every source, however small
        monkeypatch.setattr(prepare, threshold, 1)
    loaded = {}
    for workers in ("1", "2"):
        monkeypatch.setenv("DISCLOSURE_ETL_WORKERS", workers)
        pids.unlink(missing_ok=True)
        _, results = run_etl(tmp_path / f"w{workers}.db", tmp_path / f"archive{workers}")
        assert all(r.status == "ok" for r in results), [r.error for r in results if r.error]
        loaded[workers] = _loaded_content(tmp_path / f"w{workers}.db")
        used = set(pids.read_text().split())
        assert (used == {str(os.getpid())}) == (workers == "1"), used
    assert loaded["1"]["rejects"] and loaded["1"]["accountability"]
    for table, rows in loaded["1"].items():
        assert loaded["2"][table] == rows, table


def test_derive_rewrites_only_the_links_that_differ_and_repairs_them(internal_db, tmp_path):
    """etl/derive.py writes a record's enterprise_id and an accident's region name only when they
    differ from what it derives: wrong or missing values are still repaired, and the hub table
    comes out the same."""
    from etl import db as database
    from etl import derive

    path = tmp_path / "d.db"
    path.write_bytes(internal_db.read_bytes())
    conn = database.connect(path)
    tables = [t for t, *_ in derive.ENTERPRISE_SOURCES]

    def links():
        found = {t: conn.execute(f"SELECT id, enterprise_id FROM {t} ORDER BY id").fetchall() for t in tables}
        found["region_name"] = conn.execute("SELECT id, region_name FROM accidents ORDER BY id").fetchall()
        return found

    def hubs():
        return conn.execute("SELECT * FROM enterprises ORDER BY id").fetchall()

    before, hubs_before = links(), hubs()
    conn.execute("BEGIN")
    conn.execute("UPDATE accidents SET enterprise_id = NULL WHERE rowid % 3 = 0")
    conn.execute("UPDATE credit_ratings SET enterprise_id = 'wrong' WHERE rowid % 5 = 0")
    conn.execute(
        "UPDATE accidents SET region_name = CASE WHEN rowid % 2 THEN NULL ELSE '错' END"
        " WHERE rowid % 3 = 1"
    )
    conn.execute("COMMIT")
    assert links() != before
    conn.execute("BEGIN")
    derive.refresh(conn, 2, "2026-06-30T00:00:00Z")
    conn.execute("COMMIT")
    assert links() == before
    assert [tuple(r) for r in hubs()] == [tuple(r) for r in hubs_before]
    conn.close()


def test_a_normalizing_worker_that_dies_fails_its_source_and_never_hangs(tmp_path, monkeypatch):
    """A worker killed mid-source (out of memory, a crash in a C library) fails that source
    with a clear error; the run goes on with the other sources instead of waiting for ever."""
    import signal

    from etl import prepare

    parent, target = os.getpid(), source_of_kind("accidents")
    normalize_one = prepare.normalize_one

    def dying(module, spec, raw, hashers):
        if os.getpid() != parent and spec.id == target:
            os._exit(9)
        return normalize_one(module, spec, raw, hashers)

    def too_long(*_):
        raise TimeoutError("the run waited for a dead worker")

    monkeypatch.setattr(prepare, "normalize_one", dying)
    for threshold in ("PARALLEL_RECORDS", "PARALLEL_REPORTS"):
        monkeypatch.setattr(prepare, threshold, 1)
    monkeypatch.setenv("DISCLOSURE_ETL_WORKERS", "2")
    previous = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(120)
    try:
        _, results = run_etl(tmp_path / "d.db", tmp_path / "archive")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    by_id = {r.source_id: r for r in results}
    assert by_id[target].status == "failed" and "BrokenProcessPool" in by_id[target].error
    assert all(r.status == "ok" for r in results if r.source_id != target)


def test_removal_announcements_remove_the_entry_they_name(tmp_path):
    """etl/derive.py link_removals, case by case: 决定书文号 first, then code or name listed on
    the same date, then the only live entry with that code or name listed before the removal;
    two candidates remove neither; an entry removed by an earlier announcement, or withdrawn
    from its source, is no candidate; a missing code matches nothing."""
    from etl import db as database
    from etl import derive

    conn = database.connect(tmp_path / "d.db")
    entries = [  # id, name, uscc, decision_no, listed_on, removed_run
        ("doc", "甲公司", "U1", "D-1", "2024-01-01", None),
        ("same-day", "乙公司", "U2", None, "2024-02-01", None),
        ("other-day", "乙公司", "U2", None, "2024-03-01", None),
        ("twin-a", "丙公司", None, None, "2024-01-01", None),
        ("twin-b", "丙公司", None, None, "2024-01-05", None),
        ("only", "丁公司", "U4", None, "2024-01-01", None),
        ("withdrawn", "戊公司", "U5", None, "2024-01-01", 3),
        ("by-code", "己公司（旧名）", "U6", None, "2024-01-01", None),
    ]
    conn.executemany(
        "INSERT INTO blacklist (id, subject_type, subject_name, uscc, decision_no, listed_on,"
        " removed_run, source_id, record_hash) VALUES (?, 'enterprise', ?, ?, ?, ?, ?, 's', 'h')",
        entries,
    )
    removals = [  # id, name, uscc, decision_no, listed_on, removed_on
        ("r1", "甲公司（改名）", None, "D-1", None, "2025-01-01"),
        ("r2", "乙公司", "U2", None, "2024-02-01", "2025-01-02"),
        ("r3", "乙公司", "U2", None, None, "2025-01-03"),  # same-day is taken: other-day is left
        ("r4", "丙公司", None, None, None, "2025-01-04"),  # two candidates: neither
        ("r5", "丁公司", "U4", None, None, "2023-12-31"),  # before it was listed: no
        ("r6", "丁公司", "U4", None, None, "2025-01-06"),
        ("r7", "戊公司", "U5", None, None, "2025-01-07"),  # withdrawn entry: no candidate
        ("r8", "己公司", "U6", None, None, "2025-01-08"),  # the code names it
        ("r9", "庚公司", None, None, None, "2025-01-09"),  # nothing by that name
    ]
    conn.executemany(
        "INSERT INTO blacklist_removals (id, subject_name, uscc, decision_no, listed_on, removed_on,"
        " removal_reason, source_id, record_hash) VALUES (?, ?, ?, ?, ?, ?, '信用修复', 's', 'h')",
        removals,
    )
    derive.link_removals(conn)
    linked = dict(conn.execute("SELECT id, removal_doc FROM blacklist WHERE removed_on IS NOT NULL"))
    assert linked == {"doc": "r1", "same-day": "r2", "other-day": "r3", "only": "r6", "by-code": "r8"}
    conn.close()
