"""The HTTP layer against a real local server: conditional GET, retries, timeouts, truncated
bodies, size limits, file:// URLs and the documents table."""

from __future__ import annotations

import pytest

from etl import db as database
from etl import settings
from etl.http import Fetcher, FetchError, read_archived
from tests.httpd import FaultyServer


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "a.html").write_text("<html><body>示例数据 一</body></html>", encoding="utf-8")
    with FaultyServer(root) as server:
        yield server


@pytest.fixture
def fetcher(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "HTTP_BACKOFF", 0.01)
    monkeypatch.setattr(settings, "HTTP_TIMEOUT", 0.5)
    conn = database.connect(tmp_path / "t.db")
    return Fetcher(conn, "test-source", "2026-01-01T00:00:00+00:00", archive_dir=tmp_path / "archive")


def test_document_is_archived_and_recorded(site, fetcher):
    doc = fetcher.get(site.url + "/a.html")
    row = fetcher.conn.execute("SELECT * FROM documents WHERE id = ?", (doc.id,)).fetchone()
    assert row["sha256"] == doc.sha256 and row["http_status"] == 200 and row["size"] == len(doc.content)
    assert row["etag"] and row["first_seen"] == row["last_seen"]
    assert read_archived(doc.sha256, fetcher.archive_dir) == doc.content


def test_second_fetch_is_conditional_and_gets_304(site, fetcher):
    first = fetcher.get(site.url + "/a.html")
    second = fetcher.get(site.url + "/a.html")
    assert site.requests_for("/a.html") == [200, 304]
    assert second.id == first.id and second.content == first.content and not second.changed
    assert fetcher.conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_changed_content_is_a_new_version(site, fetcher):
    first = fetcher.get(site.url + "/a.html")
    site.content["/a.html"] = "<html><body>示例数据 二</body></html>".encode()
    second = fetcher.get(site.url + "/a.html")
    assert second.changed and second.sha256 != first.sha256
    assert (
        fetcher.conn.execute(
            "SELECT count(*) FROM documents WHERE url = ?", (site.url + "/a.html",)
        ).fetchone()[0]
        == 2
    )


def test_server_error_then_success_is_retried(site, fetcher):
    site.faults["/a.html"] = ["500", "500"]
    doc = fetcher.get(site.url + "/a.html")
    assert site.requests_for("/a.html") == [500, 500, 200]
    assert "示例数据".encode() in doc.content


def test_persistent_server_error_fails_with_the_url(site, fetcher):
    site.faults["/a.html"] = ["500"] * 10
    with pytest.raises(FetchError, match=r"a\.html.*HTTP 500"):
        fetcher.get(site.url + "/a.html")


def test_timeout_is_retried_then_reported(site, fetcher):
    site.slow_seconds = 1.0
    site.faults["/a.html"] = ["slow"] * 10
    with pytest.raises(FetchError, match="timed out"):
        fetcher.get(site.url + "/a.html")
    site.faults["/a.html"] = ["slow"]
    assert fetcher.get(site.url + "/a.html").http_status == 200  # one slow answer, then fine


def test_truncated_response_is_retried_then_reported(site, fetcher):
    site.faults["/a.html"] = ["truncate"]
    assert fetcher.get(site.url + "/a.html").content.endswith(b"</html>")
    site.content["/a.html"] = b"x" * 5000
    site.faults["/a.html"] = ["truncate"] * 10
    with pytest.raises(FetchError, match="truncated"):
        fetcher.get(site.url + "/a.html")


def test_not_found_is_not_retried(site, fetcher):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.get(site.url + "/missing.html")
    assert site.requests_for("/missing.html") == [404]


def test_size_limit(site, fetcher, monkeypatch):
    monkeypatch.setattr(settings, "HTTP_MAX_BYTES", 100)
    site.content["/a.html"] = b"y" * 1000
    with pytest.raises(FetchError, match="exceeds the limit"):
        fetcher.get(site.url + "/a.html")


def test_file_urls(tmp_path, fetcher):
    path = tmp_path / "local.csv"
    path.write_bytes("名称\n示例数据\n".encode("gbk"))
    doc = fetcher.get(path.as_uri())
    assert doc.content == path.read_bytes()
    with pytest.raises(FetchError):
        fetcher.get((tmp_path / "nope.csv").as_uri())
