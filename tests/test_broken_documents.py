"""Broken documents and broken sources, end to end against a real HTTP server on 127.0.0.1 and
a real SQLite file: a corrupt, truncated or emptied report fails as that document (the record
keeps its last good version), rejects of a failed source are kept, a source whose encoding or
format changed says so, a JSON API that never stops paging is stopped, and an interrupted run is
recorded as interrupted."""

from __future__ import annotations

import codecs
import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from etl import db as database
from etl import pipeline, settings
from etl.spec import load_specs
from tests.httpd import FaultyServer

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = settings.SAMPLES_DIR
SPECS = {spec.id: spec for spec in load_specs()}
ACCIDENTS = "gs-yjt-accidents"


class Env:
    """A scratch database and archive; the samples served over HTTP, replaced where a test says."""

    def __init__(self, tmp_path: Path, server: FaultyServer):
        self.db_path = tmp_path / "disclosure.db"
        self.archive = tmp_path / "archive"
        self.server = server

    def run(self, *source_ids: str, specs=None, **options):
        """pipeline.run over these sources (or these spec objects); results by source id."""
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(settings, "ARCHIVE_DIR", self.archive)
            patch.setattr(settings, "SAMPLES_URL", self.server.url)
            patch.setattr(settings, "HTTP_BACKOFF", 0.01)
            patch.setattr(settings, "HTTP_TIMEOUT", 2.0)
            conn = database.connect(self.db_path)
            try:
                run_id, results = pipeline.run(conn, specs or [SPECS[i] for i in source_ids], **options)
            finally:
                conn.close()
        return run_id, {r.source_id: r for r in results}

    def cli(self, *args: str, wait: bool = True):
        """`python -m etl ARGS` in a process of its own, on this database, archive and server."""
        env = dict(
            os.environ,
            DISCLOSURE_DB=str(self.db_path),
            DISCLOSURE_ARCHIVE=str(self.archive),
            DISCLOSURE_SAMPLES_URL=self.server.url,
            DISCLOSURE_HTTP_BACKOFF="0.01",
            DISCLOSURE_HTTP_TIMEOUT="30",
            COLUMNS="250",
        )
        command = [sys.executable, "-m", "etl", *args]
        if not wait:
            return subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    def query(self, sql: str, params=()) -> list[dict]:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute(sql, params)]
        finally:
            conn.close()

    def scalar(self, sql: str, params=()):
        return next(iter(self.query(sql, params)[0].values()))

    def path_of(self, url: str) -> str:
        return url.replace(self.server.url, "")


@pytest.fixture
def env(tmp_path):
    with FaultyServer(SAMPLES) as server:
        yield Env(tmp_path, server)


def _report_with_pdf(env) -> dict:
    """An accident whose report is only in its PDF attachment (the page says 详见附件)."""
    rows = env.query(
        "SELECT * FROM accidents WHERE source_id = ? AND attachments LIKE '%.pdf%'"
        " AND deaths IS NOT NULL AND EXISTS (SELECT 1 FROM accountability x WHERE"
        " x.accident_id = accidents.id) ORDER BY id",
        (ACCIDENTS,),
    )
    return next(
        r
        for r in rows
        if "详见附件" in (SAMPLES / env.path_of(r["source_url"]).lstrip("/")).read_text("utf-8")
    )


def _record(env, accident_id: str) -> tuple[dict, list[dict]]:
    row = env.query("SELECT * FROM accidents WHERE id = ?", (accident_id,))[0]
    children = env.query("SELECT * FROM accountability WHERE accident_id = ? ORDER BY id", (accident_id,))
    return row, children


def _corrupt(pdf: bytes) -> bytes:
    return b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


def _truncated(pdf: bytes) -> bytes:
    return pdf[: len(pdf) * 2 // 3]


# --- 1. a report that fails as a document keeps its record's last good version ----------------


@pytest.mark.parametrize("damage", [_corrupt, _truncated], ids=["corrupt", "truncated"])
def test_a_broken_pdf_attachment_keeps_the_previous_report(env, damage):
    env.run(ACCIDENTS)
    accident = _report_with_pdf(env)
    before, children = _record(env, accident["id"])
    assert before["deaths"] is not None and before["occurred_on"] and children
    live = env.scalar("SELECT count(*) FROM accidents WHERE removed_run IS NULL")
    pdf_url = json.loads(before["attachments"])[0]["url"]
    pdf_path = env.path_of(pdf_url)
    env.server.content[pdf_path] = damage((SAMPLES / pdf_path.lstrip("/")).read_bytes())

    proc = env.cli("run", "--only", ACCIDENTS)  # the staff command: its summary says so
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 个文件未采用" in proc.stdout and "附件无法解析" in proc.stdout
    run_id = env.scalar("SELECT max(id) FROM etl_runs")
    assert env.scalar("SELECT status FROM source_runs WHERE run_id = ?", (run_id,)) == "ok"
    after, children_after = _record(env, accident["id"])
    assert after == before and children_after == children  # deaths, dates, body, accountability
    assert (
        env.query(
            "SELECT * FROM changes WHERE run_id = ? AND (record_id = ? OR record_id LIKE ?)",
            (run_id, accident["id"], accident["id"] + "-%"),
        )
        == []
    )
    assert env.scalar("SELECT count(*) FROM accidents WHERE removed_run IS NULL") == live
    [reject] = env.query("SELECT * FROM rejects WHERE run_id = ?", (run_id,))
    assert reject["reason"].startswith("附件无法解析") and reject["reason"].endswith("（保留上一版本）")
    assert reject["document_id"] == after["document_id"] or reject["row_ref"].startswith(after["source_url"])

    listing = env.cli("sources")
    assert listing.returncode == 0, listing.stderr
    line = next(line for line in listing.stdout.splitlines() if ACCIDENTS in line)
    assert "1 (1)" in line

    del env.server.content[pdf_path]  # the publisher mends the file: it loads again, unchanged
    run_id, results = env.run(ACCIDENTS)
    assert results[ACCIDENTS].status == "ok" and not results[ACCIDENTS].document_failures
    mended, _ = _record(env, accident["id"])
    assert mended["last_seen_run"] == run_id
    assert {**mended, "last_seen_run": None} == {**before, "last_seen_run": None}
    assert env.scalar("SELECT count(*) FROM changes WHERE run_id = ?", (run_id,)) == 0


def test_a_page_with_much_less_text_or_no_body_keeps_the_previous_report(env):
    env.run(ACCIDENTS)
    rows = env.query(
        "SELECT * FROM accidents WHERE source_id = ? AND (attachments IS NULL OR attachments = '[]')"
        " ORDER BY id",
        (ACCIDENTS,),
    )
    shrunk, emptied = rows[0], rows[1]
    for row, replacement in (
        (shrunk, '<div class="content" id="zoom"><p>（示例数据）事故调查报告已批复。</p></div>'),
        (emptied, '<div class="text">页面改版</div>'),
    ):
        path = env.path_of(row["source_url"])
        page = (SAMPLES / path.lstrip("/")).read_text("utf-8")
        changed = re.sub(r'<div class="content".*?</div>', replacement, page, count=1, flags=re.S)
        assert changed != page
        env.server.content[path] = changed.encode("utf-8")
    run_id, results = env.run(ACCIDENTS)
    result = results[ACCIDENTS]
    assert result.status == "ok" and len(result.document_failures) == 2
    reasons = {
        r["row_ref"].split()[0]: r["reason"]
        for r in env.query("SELECT row_ref, reason FROM rejects WHERE run_id = ?", (run_id,))
    }
    assert reasons[shrunk["source_url"]].startswith("文本比上一版本少很多")
    assert reasons[emptied["source_url"]].startswith("正文未找到")
    for row in (shrunk, emptied):
        assert env.query("SELECT * FROM accidents WHERE id = ?", (row["id"],))[0] == row
    assert env.scalar("SELECT count(*) FROM changes WHERE run_id = ?", (run_id,)) == 0
    # the operator checked that the shorter report is meant: --allow-shrink applies it; a page
    # without its body is still no report
    run_id, results = env.run(ACCIDENTS, allow_shrink={ACCIDENTS}, force=True)
    assert [reason for _, reason in results[ACCIDENTS].document_failures] == [reasons[emptied["source_url"]]]
    # (its evidence rows change with it: the sentences they quote are the shorter text's)
    assert env.query(
        "SELECT record_id FROM changes WHERE run_id = ? AND action = 'updated' "
        "AND table_name = 'accidents'",
        (run_id,),
    ) == [{"record_id": shrunk["id"]}]


def test_a_first_ever_document_that_fails_to_parse_is_not_loaded(env):
    env.run(ACCIDENTS)
    accident = _report_with_pdf(env)
    pdf_path = env.path_of(json.loads(accident["attachments"])[0]["url"])
    total = env.scalar("SELECT count(*) FROM accidents")
    with FaultyServer(SAMPLES) as server:  # a fresh database: the report is seen for the first time
        fresh = Env(env.db_path.parent / "fresh", server)
        fresh.db_path.parent.mkdir()
        server.content[pdf_path] = _corrupt(b"")
        run_id, results = fresh.run(ACCIDENTS)
        assert results[ACCIDENTS].status == "ok"
        assert fresh.scalar("SELECT count(*) FROM accidents") == total - 1
        assert fresh.query("SELECT * FROM accidents WHERE title = ?", (accident["title"],)) == []
        [reject] = fresh.query("SELECT reason FROM rejects WHERE run_id = ?", (run_id,))
        assert reject["reason"].startswith("附件无法解析") and reject["reason"].endswith("（未收录）")


# --- 2. rejects of a source that failed are kept ------------------------------------------------


def test_rejects_of_a_failed_source_are_kept_and_listed(env):
    source = "gs-credit-records"
    env.run(source)
    before = env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL")
    for page in range(1, 6):  # the enterprise name key renamed: every record is rejected
        path = f"/{source}/page-{page}.json"
        payload = json.loads((SAMPLES / path.lstrip("/")).read_text("utf-8"))
        for record in payload["data"]["records"]:
            record["dwmc"] = record.pop("qymc")
        env.server.content[path] = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    run_id, results = env.run(source)
    result = results[source]
    assert result.status == "failed" and result.rejected == before
    assert "allow-shrink" not in result.error and "every record was rejected" in result.error
    assert env.scalar("SELECT count(*) FROM credit_records WHERE removed_run IS NULL") == before
    assert env.scalar("SELECT count(*) FROM rejects WHERE run_id = ?", (run_id,)) == before
    # a rolled-back documents row is gone: no reject points at an id another document may take
    assert (
        env.scalar(
            "SELECT count(*) FROM rejects r WHERE run_id = ? AND document_id IS NOT NULL AND NOT"
            " EXISTS (SELECT 1 FROM documents d WHERE d.id = r.document_id)",
            (run_id,),
        )
        == 0
    )
    proc = env.cli("rejects")
    assert proc.returncode == 0, proc.stderr
    assert f"拒收行 {before} 条" in proc.stdout and "缺少必填字段" in proc.stdout


# --- 3. a source whose encoding or format changed says what changed -----------------------------


def _bom_gbk(path: Path) -> bytes:
    return codecs.BOM_UTF8 + path.read_text("utf-8-sig").encode("gbk")


def _renamed_sheet(path: Path) -> bytes:
    book = openpyxl.load_workbook(path)
    book[SPECS["gs-tjj-annual-statistics"].sheet].title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _renamed_header(path: Path) -> bytes:
    text = path.read_text("utf-8-sig")
    header, rest = text.split("\n", 1)
    assert header.count(",") == 8
    return "\n".join(["名称,代码,类别,区域,等级,年份,日期,有效期,说明", rest]).encode("utf-8")


@pytest.mark.parametrize(
    "source, change, expected",
    [
        ("jq-credit-ratings", _bom_gbk, "编码变了"),
        ("gs-tjj-annual-statistics", _renamed_sheet, "工作表不存在"),
        ("jq-credit-ratings", _renamed_header, "格式变了"),
    ],
    ids=["bom-before-gbk", "sheet-renamed", "columns-renamed"],
)
def test_a_source_whose_encoding_or_format_changed_says_what_changed(env, source, change, expected):
    spec = SPECS[source]
    env.run(source)
    table = spec.kind
    before = env.scalar(
        f"SELECT count(*) FROM {table} WHERE removed_run IS NULL AND source_id = ?", (source,)
    )
    path = env.path_of(spec.all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    env.server.content[path] = change(SAMPLES / path.lstrip("/"))
    _, results = env.run(source)
    result = results[source]
    assert result.status == "failed" and expected in result.error, result.error
    assert "allow-shrink" not in result.error
    assert (
        env.scalar(f"SELECT count(*) FROM {table} WHERE removed_run IS NULL AND source_id = ?", (source,))
        == before
    )


def test_a_table_selector_that_finds_nothing_says_so(env):
    source = "gs-yjt-bans"
    spec = SPECS[source]
    env.run(source)
    path = env.path_of(spec.all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    page = (SAMPLES / path.lstrip("/")).read_bytes()
    env.server.content[path] = page.replace(b'class="jrmd"', b'class="list-2026"')
    _, results = env.run(source)
    error = results[source].error
    assert results[source].status == "failed" and "选择器未匹配" in error and "allow-shrink" not in error


def test_a_bom_before_gbk_reads_with_the_encoding_the_spec_declares(env):
    source = "lz-credit-ratings"  # the spec says encoding: gbk
    spec = SPECS[source]
    env.run(source)
    path = env.path_of(spec.all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    env.server.content[path] = codecs.BOM_UTF8 + (SAMPLES / path.lstrip("/")).read_bytes()
    run_id, results = env.run(source)
    assert results[source].status == "ok" and results[source].counts.updated == 0


def test_an_emptied_source_still_offers_allow_shrink(env):
    source = "gs-credit-records"
    env.run(source)
    empty = {"code": 0, "data": {"total": 0, "page": 1, "size": 20, "records": []}}
    env.server.content[f"/{source}/page-1.json"] = json.dumps(empty).encode()
    _, results = env.run(source)
    assert results[source].status == "failed" and f"--allow-shrink {source}" in results[source].error


# --- 4. a JSON API that never stops paging; an interrupted run ----------------------------------


def _page(records: list[dict], total: int | None) -> bytes:
    data = {"records": records} | ({"total": total} if total is not None else {})
    return json.dumps({"code": 0, "data": data}, ensure_ascii=False).encode("utf-8")


def _records(page: int) -> list[dict]:
    path = SAMPLES / "gs-credit-records" / "page-1.json"
    records = json.loads(path.read_text("utf-8"))["data"]["records"]
    return [dict(r, cfjdsh=f"{r['cfjdsh']}-{page}") for r in records]


def test_an_api_that_serves_the_same_page_again_is_stopped(env):
    source = "gs-credit-records"
    first = (SAMPLES / source / "page-1.json").read_bytes()
    for page in range(2, 40):
        env.server.content[f"/{source}/page-{page}.json"] = first
    _, results = env.run(source)
    assert results[source].status == "failed" and "repeats the records of page 1" in results[source].error
    assert len(env.server.log) == 2


def test_an_api_whose_total_keeps_growing_is_stopped(env):
    source = "gs-credit-records"
    for page in range(1, 200):
        env.server.content[f"/{source}/page-{page}.json"] = _page(_records(page), total=20 * page + 1)
    _, results = env.run(source)
    assert results[source].status == "failed" and "total grew from 21" in results[source].error
    assert len(env.server.log) == 3


@pytest.mark.parametrize(
    "bound, expected",
    [
        ({"max_pages": 3}, "more than max_pages 3"),
        ({"max_bytes": 20_000}, "more than max_bytes 20000"),
    ],
)
def test_an_api_past_its_page_or_byte_bound_is_stopped(env, bound, expected):
    source = "gs-credit-records"
    for page in range(1, 200):  # no total, never an empty page
        env.server.content[f"/{source}/page-{page}.json"] = _page(_records(page), total=None)
    spec = SPECS[source]
    bounded = spec.model_copy(update={"pagination": spec.pagination.model_copy(update=bound)})
    _, results = env.run(specs=[bounded])
    assert results[source].status == "failed" and expected in results[source].error
    assert len(env.server.log) <= 3


def test_an_html_list_longer_than_its_bound_fails_loudly(env):
    """A list of 4 pages read with list.max_pages = 2: the source fails and names the bound, and
    nothing of it is loaded (not a silently truncated list)."""
    spec = SPECS[ACCIDENTS]
    bounded = spec.model_copy(update={"list": spec.list.model_copy(update={"max_pages": 2})})
    _, results = env.run(specs=[bounded])
    assert results[ACCIDENTS].status == "failed"
    assert "list.max_pages = 2" in results[ACCIDENTS].error
    assert env.scalar("SELECT count(*) FROM accidents") == 0


def test_paging_bounds_have_defaults_and_are_spec_options():
    from pydantic import ValidationError

    from etl.spec import PaginationSpec

    assert PaginationSpec().max_pages >= 1000 and PaginationSpec().max_bytes >= 100 * 1024 * 1024
    assert SPECS["gs-credit-records"].pagination.max_pages == PaginationSpec().max_pages
    docs = (ROOT / "docs" / "sources.md").read_text("utf-8")
    assert "max_pages" in docs and "max_bytes" in docs
    with pytest.raises(ValidationError):
        PaginationSpec(max_pages=0)


@pytest.mark.parametrize(
    "how, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"]
)
def test_an_interrupted_run_is_recorded_as_interrupted(env, how, code):
    source = "gs-credit-records"
    slow = f"/{source}/page-2.json"
    env.server.slow_seconds = 20
    env.server.faults[slow] = ["slow"]
    proc = env.cli("run", "--only", source, wait=False)
    try:
        deadline = time.monotonic() + 60
        while env.server.faults[slow] and time.monotonic() < deadline:  # the request has arrived
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        assert not env.server.faults[slow]
        time.sleep(0.3)
        proc.send_signal(how)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, out + err
    assert "被中断" in out
    [run] = env.query("SELECT * FROM etl_runs")
    assert run["status"] == "interrupted" and run["finished_at"]
    [source_run] = env.query("SELECT * FROM source_runs")
    assert source_run["source_id"] == source and source_run["status"] == "interrupted"
    assert env.scalar("SELECT count(*) FROM credit_records") == 0
    assert env.scalar("SELECT count(*) FROM documents") == 0  # the source's transaction rolled back


def test_a_pdf_cut_short_is_unreadable_even_where_pdfium_would_open_it():
    from etl.readers.pdf import pdf_text

    pdf = next(SAMPLES.glob("gs-yjt-accidents/*/*.pdf")).read_bytes()
    assert pdf_text(pdf)
    with pytest.raises(ValueError, match="%%EOF"):
        pdf_text(pdf[:-6])  # PDFium opens this one and returns its pages


def test_a_bom_before_other_bytes_is_an_encoding_error_unless_declared():
    from etl.readers import ParseError
    from etl.readers.text import decode

    text = "单位名称,信用代码\n甘肃示例矿业有限公司,91620100MA0000000X\n"
    gbk = codecs.BOM_UTF8 + text.encode("gbk")
    with pytest.raises(ParseError, match="编码变了"):
        decode(gbk, url="http://127.0.0.1/r.csv")
    assert decode(gbk, "gbk") == (text, "gb18030")
    long_text = text * 100  # one stray byte in a long UTF-8 text is read as before
    stray = codecs.BOM_UTF8 + long_text.encode("utf-8") + b"\xff"
    assert decode(stray) == (long_text + "\ufffd", "utf-8-sig")
