"""The site at scale (docs/scaling.md): the parallel build writes exactly the bytes of a serial build, an
incremental parallel rebuild ends where a fresh build of the changed database would, and the
enterprise-pages policy decides which enterprises get a static page. No timing here: speed is
measured by `make bench` (bench/site_bench.py), as ratios."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from plugins.disclosure import pages
from tests import _fixture_db as cases
from tests import _site_fixture as fx

NO_SEARCH = {"DISCLOSURE_SEARCH_INDEX": "0"}  # Pagefind's own bundle is not ours to compare


def build(db: Path, output: Path, **env) -> str:
    result = fx.run_pelican(db, output, env={**NO_SEARCH, **env})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "WARNING" not in result.stdout + result.stderr
    return result.stdout


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def summary(stdout: str) -> dict:
    m = re.search(
        r"disclosure: (\d+) files written, (\d+) unchanged after rendering, (\d+) unchanged and not "
        r"re-rendered, (\d+) stale files removed, [\d.]+ s, (\d+) render process",
        stdout,
    )
    assert m, stdout[-500:]
    return dict(zip(("written", "compared", "skipped", "removed", "processes"), map(int, m.groups())))


@pytest.fixture(scope="module")
def db(request, tmp_path_factory) -> Path:
    """The sample database (the real ETL on the bundled samples), else the planted fixture."""
    try:
        sample = Path(request.getfixturevalue("public_db"))
    except pytest.FixtureLookupError:
        sample = None
    if sample is not None and fx._has_records(sample):
        return sample
    return cases.make_public_db(tmp_path_factory.mktemp("parallel") / "public.db")


@pytest.fixture(scope="module")
def serial(db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "output"
    assert summary(build(db, out, DISCLOSURE_WORKERS="1"))["processes"] == 1
    return out


def test_parallel_build_is_byte_identical_to_serial(db, serial, tmp_path):
    out = tmp_path / "output"
    assert summary(build(db, out, DISCLOSURE_WORKERS="3"))["processes"] == 3
    want, got = tree(serial), tree(out)
    assert got.keys() == want.keys(), sorted(got.keys() ^ want.keys())[:20]
    differ = [rel for rel in want if want[rel] != got[rel]]
    assert differ == [], differ[:20]
    assert len(want) > 100


def test_parallel_rebuilds_keep_files_and_match_a_fresh_build(db, serial, tmp_path):
    out = tmp_path / "output"
    build(db, out, DISCLOSURE_WORKERS="2")
    stamp = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*") if p.is_file()}
    again = summary(build(db, out, DISCLOSURE_WORKERS="2"))
    assert again["written"] == 0 and again["removed"] == 0
    assert {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*") if p.is_file()} == stamp

    changed = tmp_path / "changed.db"
    shutil.copy(db, changed)
    conn = sqlite3.connect(changed)
    with conn:
        acc_id = conn.execute("SELECT id FROM accidents ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(
            "UPDATE accidents SET summary = summary || '（更正：补充事故经过。）' WHERE id = ?", (acc_id,)
        )
    conn.close()
    result = summary(build(changed, out, DISCLOSURE_WORKERS="2"))
    fresh = tmp_path / "fresh"
    build(changed, fresh, DISCLOSURE_WORKERS="1")
    assert tree(out) == tree(fresh)
    # the changed report's page, the downloads made from the database, and little else
    assert 0 < result["written"] < 40, result
    assert result["skipped"] > result["written"]


def test_a_failing_worker_fails_the_build(db, tmp_path):
    """An error inside a forked render worker stops the build with the worker's traceback."""
    broken = tmp_path / "theme"
    shutil.copytree(fx.ROOT / "theme", broken)
    enterprise = broken / "templates" / "enterprise.html"
    enterprise.write_text(
        enterprise.read_text(encoding="utf-8").replace("{{ ent.name }}", "{{ ent.name.nope() }}", 1),
        encoding="utf-8",
    )
    conf = tmp_path / "conf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(fx.ROOT)!r})\nfrom pelicanconf import *\n"
        f"THEME = {str(broken)!r}\n",
        encoding="utf-8",
    )
    result = fx.run_pelican(
        db, tmp_path / "output", settings=str(conf), env={**NO_SEARCH, "DISCLOSURE_WORKERS": "2"}
    )
    assert result.returncode != 0
    assert "nope" in result.stdout + result.stderr


def test_a_worker_does_not_outlive_a_killed_build(tmp_path):
    """A build killed from outside (the out-of-memory killer, a time limit) must not leave its
    forked workers behind holding a copy of the data (plugins/disclosure/render.py)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "build.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(fx.ROOT)!r})\n"
        "from plugins.disclosure import render\n"
        "class Tree:\n"
        "    def branch(self): return self\n"
        "    def delta(self): return None\n"
        "def work(branch):\n"
        "    print(os.getpid(), flush=True)\n"
        "    time.sleep(3)\n"
        "    return b'x' * (1 << 20)  # more than a pipe holds\n"
        "join = render.in_background(work, Tree())\n"
        "time.sleep(60)\n",
        encoding="utf-8",
    )
    build = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    worker = int(build.stdout.readline())
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{worker}/stat") as stat:  # a zombie has exited; init reaps it
            if stat.read().split(") ")[1].startswith("Z"):
                break
        time.sleep(0.2)
    else:
        os.kill(worker, signal.SIGKILL)
        raise AssertionError("the worker outlived its killed parent")


# ---------------------------------------------------------------- which enterprises get a page


def test_enterprise_pages_policy_choice(tmp_path):
    from plugins.disclosure.data import PublicData

    db = cases.make_public_db(tmp_path / "public.db")
    every = PublicData(db, "all")
    adverse = PublicData(db, "with_records")
    ids = {e["id"] for e in every.enterprise_pages}
    # ent-0004: a credit rating and a blacklist entry removed by credit repair (not in force)
    assert "ent-0004" in ids and "ent-0004" not in {e["id"] for e in adverse.enterprise_pages}
    assert [e["id"] for e in adverse.enterprise_rows] == ["ent-0004"]
    assert {e["id"] for e in adverse.enterprise_pages} == ids - {"ent-0004"}
    assert every.enterprise_policy == "all" and adverse.enterprise_policy == "with_records"
    # auto: today's behaviour up to the limit, with_records above it
    assert PublicData(db).enterprise_policy == "all"
    assert PublicData(db, "auto", limit=len(ids) - 1).enterprise_policy == "with_records"
    # with_records keeps only what pages show: not the ratings of a rating-only enterprise
    # (its row is on Datasette), but every rating is counted on the credit page
    assert not any(r["enterprise_id"] == "ent-0004" for r in adverse.ratings)
    assert any(r["enterprise_id"] == "ent-0004" for r in every.ratings)
    assert adverse.ratings_total == every.ratings_total == len(every.ratings)
    assert adverse.rating_dist == every.rating_dist
    rating = next(
        r for r in PublicData(db, "with_records", slim=False).ratings if r["enterprise_id"] == "ent-0004"
    )
    assert rating["enterprise_path"] is None
    with pytest.raises(ValueError):
        PublicData(db, "some")


def test_with_records_keeps_everything_its_pages_show(tmp_path):
    """The slim load of with_records (national size) gives every page the same data as loading
    every row: the same enterprises with pages and rows, their ratings, the same history."""
    from plugins.disclosure.data import PublicData

    db = cases.make_public_db(tmp_path / "public.db")
    conn = sqlite3.connect(db)  # history of the rating-only enterprise and of its rating too
    rating = conn.execute("SELECT id FROM credit_ratings WHERE enterprise_id = 'ent-0004'").fetchone()[0]
    conn.executemany(
        "INSERT INTO changes (run_id, source_id, table_name, record_id, action, fields, at)"
        " VALUES (1, 's', ?, ?, 'added', NULL, '2026-01-01T00:00:00+08:00')",
        [("enterprises", "ent-0004"), ("credit_ratings", rating), ("enterprises", "ent-0001")],
    )
    conn.commit()
    conn.close()
    slim, full = PublicData(db, "with_records"), PublicData(db, "with_records", slim=False)
    assert [e["id"] for e in slim.enterprise_pages] == [e["id"] for e in full.enterprise_pages]
    assert slim.enterprise_pages == full.enterprise_pages
    assert [(e["id"], e["name"], e["uscc"], e["path"]) for e in slim.enterprise_rows] == [
        (e["id"], e["name"], e["uscc"], e["path"]) for e in full.enterprise_rows
    ]
    for ent in full.enterprise_pages:
        assert slim.ratings_by_ent.get(ent["id"]) == full.ratings_by_ent.get(ent["id"])
    history = conn_rows(db, "SELECT table_name, record_id FROM changes")
    assert ("enterprises", "ent-0001") in history
    for key in history:  # read per page from the database: the same whatever was loaded
        assert slim.changes_of([key]) == full.changes_of([key]), key
    assert slim.accidents == full.accidents and slim.records_public == full.records_public


def conn_rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return {tuple(r) for r in conn.execute(sql)}
    finally:
        conn.close()


def test_record_pages_read_text_accountability_and_history_per_page_as_loaded_before(tmp_path):
    """data.PublicData reads a report's text, its accountability entries and a record's change
    history when the page is made: the same rows, in the same order, as grouping the whole
    tables in memory did (the order the templates show: accountability by id, history newest
    first, at most 50 for a report and 100 for an enterprise), and in a forked worker too."""
    from plugins.disclosure.data import PublicData

    db = cases.make_public_db(tmp_path / "public.db")
    conn = sqlite3.connect(db)
    conn.row_factory = lambda cur, row: {d[0]: v for d, v in zip(cur.description, row)}
    conn.executemany(  # a long history, several entries at one moment (ordered by id then)
        "INSERT INTO changes (run_id, source_id, table_name, record_id, action, fields, at)"
        " VALUES (1, 's', 'accidents', 'acc-0001', 'updated', NULL, ?)",
        [(f"2026-0{1 + i % 5}-01T00:00:00+08:00",) for i in range(60)],
    )
    conn.commit()
    accidents = conn.execute("SELECT * FROM accidents").fetchall()
    every_change = conn.execute("SELECT * FROM changes ORDER BY at DESC, id DESC").fetchall()
    accountability = conn.execute("SELECT * FROM accountability ORDER BY accident_id, id").fetchall()
    conn.close()
    d = PublicData(db, "all")
    assert accidents and accountability and len(every_change) > 60
    assert all("body_text" not in a for a in d.accidents)  # not held
    for acc in accidents:
        assert d.body_text_of(acc["id"]) == acc["body_text"]
        assert d.accountability_of(acc["id"]) == [r for r in accountability if r["accident_id"] == acc["id"]]
        assert (
            d.changes_of([("accidents", acc["id"])], 50)
            == [c for c in every_change if (c["table_name"], c["record_id"]) == ("accidents", acc["id"])][:50]
        )
    assert len(d.changes_of([("accidents", "acc-0001")], 50)) == 50
    for ent in d.enterprise_pages:
        ctx = pages.enterprise_context(d, ent)
        related = {("enterprises", ent["id"])} | {
            (t, r["id"])
            for t, rows in (
                ("accidents", d.accidents_by_ent.get(ent["id"], [])),
                ("credit_ratings", d.ratings_by_ent.get(ent["id"], [])),
                ("credit_records", d.records_by_ent.get(ent["id"], [])),
                ("blacklist", d.blacklist_by_ent.get(ent["id"], [])),
                ("bans", d.bans_by_ent.get(ent["id"], [])),
            )
            for r in rows
        }
        assert (
            ctx["changes"] == [c for c in every_change if (c["table_name"], c["record_id"]) in related][:100]
        )
    assert any(pages.enterprise_context(d, e)["changes"] for e in d.enterprise_pages)
    many = [(c["table_name"], c["record_id"]) for c in every_change] + [
        ("credit_ratings", f"none-{i}") for i in range(900)
    ]
    assert d.changes_of(dict.fromkeys(many)) == every_change  # more keys than one statement takes
    assert d.body_text_of("no-such-report") is None and d.accountability_of("no-such-report") == []
    # a forked worker opens its own connection (a SQLite connection must not cross a fork)
    parent = d._reader
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        ok = d.body_text_of(accidents[0]["id"]) == accidents[0]["body_text"] and d._reader is not parent
        os.write(writer, b"1" if ok else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(reader, 1) == b"1"
    assert d._reader is parent
    d.close()


def test_with_records_policy_serves_rating_only_enterprises_from_datasette(tmp_path):
    db = cases.make_public_db(tmp_path / "public.db")
    out = tmp_path / "output"
    build(db, out, DISCLOSURE_ENTERPRISE_PAGES="with_records")
    row = "http://127.0.0.1:8001/public/enterprises/ent-0004"
    assert not (out / "enterprises" / cases.E4_USCC).exists()
    assert (out / "enterprises" / cases.E1_USCC / "index.html").is_file()  # blacklisted, with accidents
    # the ratings are Datasette's: no static list that grows with the register
    assert not (out / "credit" / "ratings").exists()
    assert 'href="http://127.0.0.1:8001/public/credit_ratings">全部评级' in (
        out / "credit" / "index.html"
    ).read_text("utf-8")
    assert f"enterprises/{cases.E4_USCC}/" not in (out / "sitemap.xml").read_text("utf-8")
    meta = json.loads((out / "search" / "exact.json").read_text("utf-8"))
    names = [
        r
        for i in range(meta["names"])
        for r in json.loads((out / "search" / f"names-{i}.json").read_text("utf-8"))
    ]
    codes = [
        r
        for i in range(meta["codes"])
        for r in json.loads((out / "search" / f"codes-{i}.json").read_text("utf-8"))
    ]
    assert [cases.E4_NAME, cases.E4_NAME, cases.E4_USCC, row, "企业（数据平台）"] in names
    assert [cases.E4_USCC, cases.E4_NAME, cases.E4_USCC, row, "企业（数据平台）"] in codes
    # the list: pages only
    assert cases.E4_NAME not in (out / "enterprises" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("common", [1000, 1])
def test_name_index_finds_any_part_of_a_name_in_one_shard(tmp_path, monkeypatch, common):
    """search.js fetches the shard of the query's rarest bigram; that shard lists every name
    containing the query, whichever part of the name was typed, also when most bigrams are too
    common to be indexed (common=1: every bigram found in two names)."""
    from plugins.disclosure import search
    from plugins.disclosure.data import PublicData

    monkeypatch.setattr(search, "COMMON", common)
    d = PublicData(cases.make_public_db(tmp_path / "public.db"))
    files = search.exact_index(d, {}, lambda table, pk: f"dts/{table}/{pk}")
    meta = json.loads(files["search/exact.json"])
    assert bool(meta["common"]) == (common == 1)
    for ent in d.enterprise_pages:
        name = ent["name"]
        for query in (name, name[2:-4], name[:4], name[-6:]):
            key = search.norm(query)
            gram = min(search.grams(key), key=lambda g: (meta["common"].get(g, 0), g))
            shard = json.loads(files[f"search/names-{search.gram_shard(gram, meta['names'])}.json"])
            found = [row for row in shard if key in row[0]]
            assert any(row[1] == name for row in found), (query, gram)
            if query == name:
                assert any(row[0] == key and row[3] == ent["path"] for row in found)
