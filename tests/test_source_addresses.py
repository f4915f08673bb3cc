"""Source addresses: nothing public shows a path of the machine that built it, and a source's
records keep their ids when only the addresses of their documents change.

The bundled samples are read through file:// URLs, so without the public filter's rule every
record would publish `file:///<checkout>/data/samples/…` as its source address. The public
database (every text cell and its bytes) and the built site (pages, feeds, downloads, search
index) are searched for such an address and for the absolute paths of the checkout and of the
test's temporary folder. Ids: the accident and assessment sources are loaded from one local HTTP
server, then from another that serves the same documents under other addresses.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from etl import db as database
from etl import pipeline, settings
from etl.datasets import rectification_assessments
from etl.datasets.common import Context, stable_id
from etl.spec import load_specs
from tests import _site_fixture as fx
from tests.httpd import FaultyServer

# A file URL with a path (file:///…, file:/…); the data dictionary's words "file:// 地址" are none.
FILE_URL = re.compile(rb"file:/+[^/\s\"'<>]", re.IGNORECASE)


def _forbidden_paths(tmp_path_factory) -> list[bytes]:
    """Absolute paths of this machine that a published file could leak."""
    paths = {
        fx.ROOT,
        fx.ROOT.resolve(),
        settings.SAMPLES_DIR,
        settings.SAMPLES_DIR.resolve(),
        settings.DATA.resolve(),
        tmp_path_factory.getbasetemp(),
        tmp_path_factory.getbasetemp().resolve(),
    }
    return sorted({str(p).rstrip("/").encode("utf-8") for p in paths})


def _leaks(data: bytes, paths: list[bytes]) -> list[str]:
    found = [m.group(0).decode() for m in FILE_URL.finditer(data)]
    found += [p.decode() for p in paths if p in data]
    return found


# ---------------------------------------------------------------- 1. no local address is public


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """The site built from the sample ETL's public database (conftest.py, _site_fixture.py)."""
    built = fx.sample_site(request, tmp_path_factory)
    assert built.db == request.getfixturevalue("public_db"), "the sample site must be built from the samples"
    return built


def test_no_cell_of_the_public_database_holds_a_local_address(public_db, tmp_path_factory):
    paths = _forbidden_paths(tmp_path_factory)
    conn = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    try:
        leaks = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
            for column in columns:
                for (value,) in conn.execute(f"SELECT [{column}] FROM [{table}]"):
                    if isinstance(value, (str, bytes)):
                        data = value.encode("utf-8") if isinstance(value, str) else value
                        if _leaks(data, paths):
                            leaks.append(f"{table}.{column}: {str(value)[:120]}")
        assert not leaks, f"{len(leaks)} cells, e.g. {leaks[:5]}"
        # The records still say where they came from: their source, named on the site.
        assert conn.execute("SELECT count(*) FROM accidents WHERE source_id IS NULL").fetchone()[0] == 0
        # Every address left is one the public can open.
        for table, column in [
            ("accidents", "source_url"),
            ("rectification_assessments", "source_url"),
            ("documents", "url"),
            ("sources", "url"),
        ]:
            for (value,) in conn.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"):
                assert value.startswith(("http://", "https://")), (table, column, value)
    finally:
        conn.close()
    assert not _leaks(Path(public_db).read_bytes(), paths)  # nor anywhere in the file's bytes


def test_no_file_of_the_site_holds_a_local_address(site, tmp_path_factory):
    """Pages, feeds, CSV/JSON downloads, the database copy and the search index files (Pagefind
    stores them gzip-compressed)."""
    paths = _forbidden_paths(tmp_path_factory)
    leaks, kinds = {}, set()
    for file in sorted(p for p in site.output.rglob("*") if p.is_file()):
        data = file.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        kinds.add(file.suffix)
        found = _leaks(data, paths)
        if found:
            leaks[str(file.relative_to(site.output))] = found[:2]
    assert {".html", ".xml", ".csv", ".json", ".db", ".pf_fragment"} <= kinds, kinds  # all were searched
    assert not leaks, f"{len(leaks)} files, e.g. {list(leaks.items())[:5]}"


def test_accident_page_names_its_source_instead_of_an_address(site):
    conn = sqlite3.connect(f"file:{site.db}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT a.id, s.title, s.publisher FROM accidents a JOIN sources s ON s.id = a.source_id"
            " WHERE a.source_url IS NULL OR a.source_url NOT LIKE 'http%' ORDER BY a.id LIMIT 3"
        ).fetchall()
    finally:
        conn.close()
    assert rows, "the samples are read from local files: their accidents have no public address"
    for accident_id, title, publisher in rows:
        html = site.read(f"/accidents/{accident_id}/")
        section = html.split('id="h-src"', 1)[1].split("</section>", 1)[0]
        text = re.sub(r"<[^>]+>", "", section)
        assert f"来源：{title}（发布机构：{publisher}）" in text, (accident_id, text)
        assert "file:" not in html and "<code>/" not in section


def test_public_addresses_keep_http_and_replace_the_rest():
    from etl.public import _public_addresses

    build = SimpleNamespace(source_addresses={"web": "https://yjt.gansu.gov.cn/sgdc/", "samples": None})
    kept = _public_addresses(
        build, {"source_id": "web", "source_url": "https://yjt.gansu.gov.cn/sgdc/1.html"}
    )
    assert kept["source_url"] == "https://yjt.gansu.gov.cn/sgdc/1.html"
    local = _public_addresses(build, {"source_id": "web", "source_url": "file:///srv/etl/data/1.html"})
    assert local["source_url"] == "https://yjt.gansu.gov.cn/sgdc/"  # the source's public address
    for value in (
        "file:///srv/etl/data/1.html",
        "/srv/etl/data/1.html",
        "{samples}/a/index.html",
        "javascript:alert(1)",
        "C:\\etl\\1.html",
    ):
        assert _public_addresses(build, {"source_id": "samples", "source_url": value})["source_url"] is None
    attachments = json.dumps(
        [
            {"name": "a.pdf", "url": "file:///srv/a.pdf", "document_id": 3},
            {"name": "b.pdf", "url": "https://x.gov.cn/b.pdf"},
        ],
        ensure_ascii=False,
    )
    row = _public_addresses(build, {"source_id": "samples", "attachments": attachments})
    assert [a["url"] for a in json.loads(row["attachments"])] == [None, "https://x.gov.cn/b.pdf"]
    assert json.loads(row["attachments"])[0]["document_id"] == 3
    change = {
        "source_id": "samples",
        "fields": json.dumps({"attachments": [attachments, None], "deaths": [1, 2]}, ensure_ascii=False),
    }
    fields = json.loads(_public_addresses(build, change)["fields"])
    assert "file:" not in json.dumps(fields) and fields["deaths"] == [1, 2]
    document = _public_addresses(build, {"source_id": "web", "url": "file:///srv/etl/data/1.html"})
    assert document["url"] is None  # a document's own address: never its source's list page


# ---------------------------------------------------------------- 2. ids survive a move

KINDS = ("accidents", "rectification_assessments")


def _run(db_path: Path, archive: Path, samples_url: str):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ARCHIVE_DIR", archive)
        patch.setattr(settings, "SAMPLES_URL", samples_url)
        patch.setattr(settings, "HTTP_BACKOFF", 0.01)
        conn = database.connect(db_path)
        try:
            run_id, results = pipeline.run(conn, [s for s in load_specs() if s.kind in KINDS])
        finally:
            conn.close()
    failed = {r.source_id: r.error for r in results if r.status == "failed"}
    assert not failed, failed
    return run_id


def test_ids_survive_the_documents_moving_to_other_addresses(tmp_path):
    www = tmp_path / "www"
    shutil.copytree(settings.SAMPLES_DIR, www / "moved" / "2026")
    db_path, archive = tmp_path / "disclosure.db", tmp_path / "archive"
    with FaultyServer(settings.SAMPLES_DIR) as old, FaultyServer(www) as new:
        _run(db_path, archive, old.url)
        conn = sqlite3.connect(db_path)
        conn.row_factory = sqlite3.Row
        tables = KINDS + ("accountability",)
        before = {t: {r["id"] for r in conn.execute(f"SELECT id FROM {t}")} for t in tables}
        conn.close()
        second = _run(db_path, archive, f"{new.url}/moved/2026")
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        after = {t: {r["id"] for r in conn.execute(f"SELECT id FROM {t}")} for t in tables}
        assert all(before[t] for t in tables), {t: len(before[t]) for t in tables}
        assert after == before
        # The documents were really read again, at the new addresses (the loader rewrites a
        # record's source_url only when its content changed, e.g. its attachments' addresses).
        for table in KINDS:
            sources = {r[0] for r in conn.execute(f"SELECT DISTINCT source_id FROM {table}")}
            moved_docs = conn.execute(
                f"SELECT count(DISTINCT source_id) FROM documents WHERE url LIKE ? AND source_id IN"
                f" (SELECT source_id FROM {table})",
                (f"{new.url}/moved/2026/%",),
            ).fetchone()[0]
            assert moved_docs == len(sources), table
            assert (
                conn.execute(f"SELECT count(*) FROM {table} WHERE removed_run IS NOT NULL").fetchone()[0] == 0
            )
        moved = conn.execute(
            "SELECT table_name, action, count(*) FROM changes WHERE run_id = ? AND action IN ('added', 'removed')"
            " GROUP BY table_name, action",
            (second,),
        ).fetchall()
        assert not [tuple(r) for r in moved]
        # Reports without 文号 or 索引号 are among them (their ids were the address before) …
        keyless = conn.execute("SELECT count(*) FROM accidents WHERE doc_no IS NULL AND index_no IS NULL")
        assert keyless.fetchone()[0] > 0
        # … and the ids of those with one are what they always were (they are page URLs).
        for row in conn.execute(
            "SELECT id, source_id, doc_no, index_no FROM accidents"
            " WHERE doc_no IS NOT NULL OR index_no IS NOT NULL"
        ):
            assert row["id"] == stable_id("acc", row["source_id"], row["doc_no"] or row["index_no"])
        for row in conn.execute(
            "SELECT id, source_id, doc_no FROM rectification_assessments WHERE doc_no IS NOT NULL"
        ):
            assert row["id"] == stable_id("ra", row["source_id"], row["doc_no"])
    finally:
        conn.close()


def test_assessment_without_doc_no_keeps_its_id_at_another_address():
    spec = SimpleNamespace(id="gs-yjt-assessments", publisher="甘肃省应急管理厅")
    fields = {
        "title": "白银示例矿业“6·3”事故整改措施落实情况评估报告",
        "published_on": "2025年8月10日",
        "body": "评估意见：基本到位。",
    }

    def id_at(url, **changed):
        rows = rectification_assessments.normalize({**fields, **changed}, Context(spec, url, 1))
        return rows["rectification_assessments"][0]["id"]

    first = id_at("file:///home/staff/disclosure/data/samples/gs-yjt-assessments/202508/t1.html")
    assert id_at("https://yjt.gansu.gov.cn/zgpg/2025/08/t1.html") == first
    # the same title with other spacing and full-width digits is the same document
    assert (
        id_at("https://yjt.gansu.gov.cn/x.html", title="白银示例矿业 “６·３” 事故整改措施落实情况评估报告")
        == first
    )
    assert id_at("https://yjt.gansu.gov.cn/x.html", published_on="2025年9月1日") != first  # another document
    assert id_at("https://yjt.gansu.gov.cn/x.html", doc_no="白安委办〔2025〕9号") == stable_id(
        "ra", spec.id, "白安委办〔2025〕9号"
    )
