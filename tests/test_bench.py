"""The benchmark harness (bench/): it runs, writes the figures it promises, and its parts measure
what they say. Values are checked for sanity only: timings on a shared machine are not tests."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench import measure, national
from etl.normalize.codes import uscc_check_char

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """`python -m bench --size small --only etl` into a temporary scratch folder."""
    base = tmp_path_factory.mktemp("bench")
    out = base / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--size",
            "small",
            "--only",
            "etl",
            "--scratch",
            str(base / "scratch"),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return base, json.loads(out.read_text(encoding="utf-8")), proc.stdout


def test_small_etl_run_writes_the_expected_figures(small_run):
    _, doc, stdout = small_run
    for key in ("size", "inputs", "machine", "figures", "etl", "steps", "notes", "errors"):
        assert key in doc
    assert doc["size"] == "small" and doc["errors"] == {}
    assert doc["inputs"]["seed"] == 20261129
    assert doc["machine"]["nproc"] >= 1 and doc["machine"]["memory_gib"] > 0
    figures = doc["figures"]
    for key in (
        "etl.load_records_per_s",
        "etl.sqlite_utils_records_per_s",
        "etl.load_vs_sqlite_utils",
        "etl.overall_records_per_s",
        "etl.full_seconds",
        "etl.nochange_seconds",
        "etl.nochange_parsed_documents",
        "etl.change1pct_seconds",
        "etl.change1pct_parsed_documents",
        "etl.change1pct_updated_records",
    ):
        assert key in figures, key
    assert figures["etl.load_records_per_s"]["value"] > 0
    assert figures["etl.sqlite_utils_records_per_s"]["value"] > 0
    assert figures["etl.load_records_per_s"]["target"] == "≥ 100,000"
    assert figures["etl.load_records_per_s"]["met"] in (True, False)
    # the ratio is computed from the two rates of the same run
    ratio = figures["etl.load_records_per_s"]["value"] / figures["etl.sqlite_utils_records_per_s"]["value"]
    assert figures["etl.load_vs_sqlite_utils"]["value"] == pytest.approx(ratio, rel=0.02)
    assert "ETL full load: records/s on the load step" in stdout  # the one table


def test_small_etl_run_reparses_nothing_unchanged_and_only_what_changed(small_run):
    _, doc, _ = small_run
    etl = doc["etl"]
    assert etl["nochange"]["totals"]["parsed"] == 0
    assert etl["nochange"]["totals"]["fetched"] == 0
    assert doc["figures"]["etl.nochange_parsed_documents"]["met"] is True
    changed = etl["change"]["changed"]
    assert 1 <= changed <= etl["change"]["of"]
    assert etl["onepct"]["totals"]["fetched"] == changed  # exactly the changed pages are new
    assert etl["onepct"]["totals"]["parsed"] == changed
    assert etl["onepct"]["totals"]["updated"] >= 1
    assert etl["full"]["load"]["records"] == etl["baseline"]["rows"]


def test_every_step_has_time_and_memory_and_nothing_touched_the_samples(small_run):
    base, doc, _ = small_run
    assert {s["name"] for s in doc["steps"]} >= {
        "ETL: full load",
        "ETL: no change",
        "ETL: sqlite-utils baseline",
    }
    for step in doc["steps"]:
        assert step["returncode"] == 0 and step["seconds"] > 0
        assert 10 < step["peak_mib"] < 4096  # a Python process, not zero, not absurd
    assert any(k.startswith("peak_mib.") for k in doc["figures"])
    # the 1% change wrote into the scratch copy, never into data/samples/
    status = subprocess.run(
        ["git", "status", "--porcelain", "data/samples"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert status.strip() == ""
    assert (base / "scratch" / "bench-small" / "etl" / "sources").is_dir()


def test_measured_step_reports_peak_memory_of_the_child(tmp_path):
    touch_200_mib = "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    step = measure.run("allocate", [sys.executable, "-c", touch_200_mib], tmp_path / "log")
    assert step.ok and step.peak_process_mib >= 200
    failed = measure.run(
        "fail", [sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "log2", check=False
    )
    assert failed.returncode == 3


def test_national_copies_keep_links_codes_and_search(public_db, tmp_path):
    out = tmp_path / "public.db"
    summary = national.build(public_db, out, factor=3)
    src = sqlite3.connect(public_db)
    dst = sqlite3.connect(out)
    for table, count in summary["tables"].items():
        original = src.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        assert count == original * (1 if table in national.ONCE else 3) + (table == "build_info"), table
    # ids stay unique and every link still resolves
    for table in ("enterprises", "accidents"):
        assert dst.execute(f"SELECT count(DISTINCT id) = count(*) FROM {table}").fetchone()[0] == 1
    dangling = dst.execute(
        "SELECT count(*) FROM accidents WHERE enterprise_id IS NOT NULL AND "
        "enterprise_id NOT IN (SELECT id FROM enterprises)"
    ).fetchone()[0]
    assert (
        dangling
        == src.execute(
            "SELECT count(*) FROM accidents WHERE enterprise_id IS NOT NULL AND "
            "enterprise_id NOT IN (SELECT id FROM enterprises)"
        ).fetchone()[0]
        * 3
    )
    # a valid 统一社会信用代码 stays valid in every copy, an invalid one stays invalid
    for uscc, valid in dst.execute("SELECT uscc, uscc_valid FROM enterprises WHERE length(uscc) = 18"):
        if uscc[2:4] in national.PROVINCES:
            assert (uscc_check_char(uscc[:17]) == uscc[17]) == bool(valid), uscc
    # names are marked per copy, and the rebuilt bigram index finds every copy
    names = [r[0] for r in dst.execute("SELECT name FROM enterprises WHERE name LIKE '%示例甲%' LIMIT 1")]
    assert names
    explosions = "SELECT count(*) FROM accidents_fts WHERE accidents_fts MATCH '\"爆炸\"'"
    assert dst.execute(explosions).fetchone()[0] == 3 * src.execute(explosions).fetchone()[0] > 0
    indexes = {r[0] for r in dst.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    # the national copy has the public database's indexes (etl/public.py), e.g. 市州's facet index
    assert any(name.startswith("idx_accidents_city_name_occurred_on_DESC_id") for name in indexes), indexes
    src_indexes = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert src_indexes <= indexes


def test_load_bench_replays_the_full_load_it_reads(internal_db, tmp_path):
    """bench/load_bench.py loads the same rows, in the same order, with the same change log."""
    from bench import load_bench
    from etl.load import Loader

    batches = load_bench.read_batches(internal_db)
    conn = load_bench.fresh(tmp_path / "replay.db")
    apply, with_commit = load_bench.time_loader(Loader, conn, batches, 1)
    conn.close()
    assert 0 < apply.wall <= with_commit.wall and apply.cpu > 0
    original, replay = sqlite3.connect(internal_db), sqlite3.connect(tmp_path / "replay.db")
    added = (
        "SELECT source_id, table_name, record_id FROM changes"
        " WHERE run_id = 1 AND action = 'added' AND source_id != 'derive' ORDER BY id"
    )
    assert len(original.execute(added).fetchall()) > 100
    assert original.execute(added).fetchall() == replay.execute(added).fetchall()
    for table in sorted({table for _, loaded in batches for table, _ in loaded}):
        assert _record_rows(original, table) == _record_rows(replay, table), table


def _record_rows(conn, table):
    """Rows in rowid order without the run's history, the columns derive fills (a replay loads
    only), nor record_hash: values read back from SQLite can differ in type from the normalized
    ones (an int in a REAL column comes back a float), so the replay's hashes differ."""
    from bench.load_bench import filled_by_derive

    skip = {"first_seen_run", "last_seen_run", "updated_run", "removed_run", "removed_at", "record_hash"}
    columns = [
        r[1]
        for r in conn.execute(f"PRAGMA table_info({table})")
        if r[1] not in skip and not filled_by_derive(conn, table, r[1])
    ]
    return conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()


def test_distinct_pages_are_different_pages_with_rows_and_miss_the_cache(public_db, tmp_path):
    """The bench's cache-cold Datasette figures (bench/datasette_bench.py distinct_pages and
    load_distinct): the same seed gives the same URLs; every URL is its own page, answers 200 with
    rows, and is never answered by the page cache (each is requested once)."""
    import shutil

    import httpx

    from bench import datasette_bench

    pages = datasette_bench.distinct_pages(public_db, 7, 16)
    assert pages == datasette_bench.distinct_pages(public_db, 7, 16)
    assert set(pages) == {"table", "search", "facet", "row"}
    every = [path for paths in pages.values() for path in paths]
    assert len(every) == len(set(every)) and all(0 < len(p) <= 16 for p in pages.values())
    assert any("_search=" in p for p in pages["search"]) and any("_facet=" in p for p in pages["facet"])

    db = tmp_path / "public.db"  # the server writes its inspect file next to the database
    shutil.copy(public_db, db)
    port = datasette_bench._free_port()
    server = measure.Process(
        "datasette",
        measure.python("publish.datasette_serve", "--db", db, "--port", port, "--workers", 1),
        tmp_path / "server.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        datasette_bench._wait_ready(base, server, timeout=60)
        found = datasette_bench.load_distinct(
            base, pages["search"] + pages["row"], clients=3, cap=60, server=server.pid
        )
        assert found["requests"] == found["urls"] == len(pages["search"]) + len(pages["row"])
        assert found["errors"] == 0 and found["cache_hits"] == 0 and found["p95_ms"] > 0
        # the server's CPU per page is counted (pages render in its process) and is of the
        # order of a page's latency alone, not of the whole run
        assert 0 < found["server_cpu_ms_per_page"] < found["p50_ms"] * 3, found
        assert found["client_cpu_ms_per_page"] > 0
        for path in pages["table"][:3] + pages["facet"][:3] + pages["row"][:3]:
            page, _, query = path.partition("?")
            data = httpx.get(f"{base}{page}.json?{query}").json()
            assert data["rows"], path
        again = datasette_bench.load_distinct(base, pages["row"], clients=2, cap=60)
        assert again["cache_hits"] == len(pages["row"])  # the same URLs a second time: cached
    finally:
        server.stop()


def test_datasette_notes_state_the_cpu_bound_of_distinct_pages():
    """bench/datasette_bench.py: the CPU each distinct page cost the server and the clients is
    printed with the rate it bounds on this machine's cores, and is in the figures' JSON."""
    import os
    from types import SimpleNamespace

    from bench import datasette_bench

    found = {
        "p50_ms": 40.0,
        "p95_ms": 90.0,
        "max_ms": 120.0,
        "requests": 200,
        "requests_per_s": 150.0,
        "errors": 0,
        "cache_hits": 0,
        "sample": [],
        "server_cpu_ms_per_page": 10.0,
        "client_cpu_ms_per_page": 2.5,
    }
    detail = {
        "factor": 30,
        "national": {"mib": 7490.0, "tables": {}},
        "clients": 8,
        "workers": 2,
        "requests_per_url": 200,
        "time_cap_per_url_s": 30,
        "urls": [],
        "server": {"peak_mib": 680.0},
        "distinct": {"table": found, "row": {**found, "server_cpu_ms_per_page": None}},
    }
    notes: list[str] = []
    datasette_bench._notes(SimpleNamespace(note=notes.append), detail)
    cpu = [n for n in notes if "CPU per page" in n]
    assert len(cpu) == 1 and "table 10.0 + 2.5 ms" in cpu[0] and "row" not in cpu[0].split(".")[0]
    assert f"table {(os.cpu_count() or 1) * 1000 / 12.5:.0f}" in cpu[0]
    figures = {f.key: f for f in datasette_bench.figures(detail)}
    assert figures["datasette.distinct_table_p95_ms"].extra["server_cpu_ms_per_page"] == 10.0
    assert "server CPU 10.0 ms/page" in figures["datasette.distinct_table_p95_ms"].aside


def test_load_clients_count_statuses_and_cache_hits_and_survive_closed_connections():
    """bench/datasette_bench.py's load clients (plain http.client, one connection each): an
    HTTP/1.0 server closes every connection, so each request must open a new one; errors and
    page-cache hits are counted, every path is requested once."""
    import http.server
    import threading

    from bench import datasette_bench

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            if self.path.startswith("/drop"):  # no response: the client sees the connection close
                self.close_connection = True
                return
            status = 404 if self.path.startswith("/missing") else 200
            self.send_response(status)
            if self.path.startswith("/hit"):
                self.send_header("x-disclosure-cache", "hit")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        paths = [f"/page/{i}" for i in range(20)] + ["/hit/1", "/drop/1", "/hit/2", "/missing/1"]
        found = datasette_bench.load_distinct(
            f"http://127.0.0.1:{server.server_port}", paths, clients=3, cap=60
        )
    finally:
        server.shutdown()
    assert sorted(seen) == sorted(paths)
    assert found["requests"] == 24 and found["cache_hits"] == 2
    assert found["errors"] == 2
    assert found["statuses"] == {"200": 22, "404": 1, "RemoteDisconnected": 1}


def test_the_national_profile_serves_its_own_public_database(public_db, tmp_path):
    """At national size the sources are generated 30 × province (samplegen/profile.py), so
    Datasette serves their public database itself (factor 1): no copy is made."""
    import sqlite3

    from bench import datasette_bench
    from samplegen.profile import PROFILES

    assert PROFILES["national"].enterprises == 30 * PROFILES["province"].enterprises
    assert PROFILES["national"].accidents == {k: 30 * v for k, v in PROFILES["province"].accidents.items()}
    db, summary = datasette_bench._national_db(None, public_db, tmp_path / "national", 1)
    assert db == public_db and not (tmp_path / "national").exists()
    conn = sqlite3.connect(public_db)
    assert summary["tables"]["accidents"] == conn.execute("select count(*) from accidents").fetchone()[0] > 0
    assert summary["generated"] and summary["mib"] > 0


@pytest.mark.parametrize("size", ["province", "national"])
def test_release_figures_carry_the_targets_of_their_size(size):
    """bench/release_bench.py: at province size both releases have the 5-minute and 2 GB
    targets; at national size the routine release ("again") has the 30-minute one (docs/scaling.md),
    and the first release (whole site built once) and memory are shown without a target."""
    from bench import release_bench

    def step(seconds, mib):
        return {"seconds": seconds, "peak_mib": mib}

    detail = {
        "step": step(2344.0, 23280.0),
        "html_validation": "config",
        "gates_failed": [],
        "log": [{"step": "site", "seconds": 508.0}],
        "again": {
            "step": step(1674.0, 19093.0),
            "log": [{"step": "site", "seconds": 348.0, "counts": {"carried": 5}}],
        },
    }
    figures = {f.key: f for f in release_bench.figures(detail, None, size)}
    first, again = figures["release.seconds"], figures["release.again_seconds"]
    memory = figures["release.again_peak_mib"]
    if size == "province":
        assert (first.target, first.met, again.met, memory.target, memory.met) == (
            "< 300 s",
            False,
            False,
            "< 2,048 MiB",
            False,
        )
    else:
        assert (first.target, first.met) == (None, None)
        assert (again.target, again.met) == ("< 1,800 s", True)
        assert (memory.target, memory.met) == (None, None)
    assert figures["release.again_carried_files"].value == 5


def test_hostile_sql_scenario_produces_its_two_figures(public_db, tmp_path):
    """bench/datasette_bench.py hostile_load: hostile clients send SQL (each request a new query,
    so no cache answers it) while ordinary clients request table, search and row pages once each;
    the scenario yields the ordinary pages' p95 and the server's peak memory, with their targets."""
    import shutil

    from bench import datasette_bench

    pages = datasette_bench.distinct_pages(public_db, 3, 6)
    paths = pages["table"] + pages["search"] + pages["row"]
    queries = datasette_bench.hostile_queries()
    assert all("{n}" in path for path in queries.values())
    # two of them, quick on the samples: the test checks the plumbing, not the server
    queries = {name: queries[name] for name in ("printf 9 MB", "cross join count")}
    db = tmp_path / "public.db"
    shutil.copy(public_db, db)
    port = datasette_bench._free_port()
    server = measure.Process(
        "datasette",
        measure.python("publish.datasette_serve", "--db", db, "--port", port, "--workers", 1),
        tmp_path / "server.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        datasette_bench._wait_ready(base, server, timeout=60)
        found = datasette_bench.hostile_load(
            base, paths, server.pid, clients=2, cap=60, hostile_clients=2, warmup=0.5, queries=queries
        )
    finally:
        server.stop()
    assert found["ordinary"]["requests"] == len(paths) and found["ordinary"]["errors"] == 0
    assert found["hostile_requests"] >= 2
    assert sum(f["requests"] for f in found["hostile"].values()) == found["hostile_requests"]
    assert found["peak_rss_mib"] > 10  # a Python process, sampled while it served
    figures = {f.key: f for f in datasette_bench.hostile_figures(found)}
    p95, rss = figures["datasette.hostile_ordinary_p95_ms"], figures["datasette.hostile_peak_rss_mb"]
    assert p95.value == found["ordinary"]["p95_ms"] > 0 and p95.target == "p95 < 300 ms"
    assert rss.value == found["peak_rss_mib"] and rss.target == "< 1,024 MiB"
    assert p95.met in (True, False) and rss.met in (True, False)
    assert datasette_bench.hostile_figures(None) == []
