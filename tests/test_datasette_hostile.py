"""Datasette against hostile or careless requests: SQL functions that build huge values, column
parameters and paths that do not exist, framing and sniffing, introspection pages. A real server
(publish/datasette_serve.py, one process) on 127.0.0.1, and Datasette's test client where an
environment variable must change between requests. docs/datasette.md, "Limits and headers".
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.client
import importlib.util
import re
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from datasette.app import Datasette

from publish import datasette_serve
from publish.datasette.plugins import security_headers
from tests._datasette_server import serving

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "publish" / "datasette" / "plugins"
SLOW_SQL = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"
NESTED_REPLACE = "select length(" + "replace(" * 20 + "'" + "x" * 16 + "'" + ", 'x', 'xx')" * 20 + ")"
EXPENSIVE = {
    "printf": "select length(printf('%.*c', 100000000, 'x'))",
    "zeroblob": "select length(zeroblob(1000000000))",
    "randomblob": "select length(randomblob(500000000))",
    "replace": NESTED_REPLACE,
}
INTROSPECTION = security_headers.INTROSPECTION
CHINESE = re.compile("[\u4e00-\u9fff]")


def plugin(name: str):
    spec = importlib.util.spec_from_file_location(f"hostile_{name}", PLUGINS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def served(public_db, tmp_path_factory):
    """(base URL, log file) of `python -m publish.datasette_serve --workers 1`."""
    log_path = tmp_path_factory.mktemp("hostile") / "datasette.log"
    with serving(public_db, log_path, DISCLOSURE_DATASETTE_WARM="0") as base:
        yield base, log_path


def raw_get(base: str, path: str) -> tuple[int, dict, str]:
    """GET exactly this path (httpx would normalise `..` and escapes)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read().decode("utf-8", "replace"),
        )
    finally:
        conn.close()


def new_log_lines(log_path: Path, before: int) -> list[str]:
    time.sleep(0.3)  # the server flushes its line before answering; leave the file a moment
    text = log_path.read_bytes()[before:].decode("utf-8", "replace")
    # uvicorn's access log ("INFO:     127.0.0.1:… - "GET …" 404") is one line per request anyway
    return [line for line in text.splitlines() if line.strip() and not line.startswith("INFO:")]


# ------------------------------------------------------------------ 1. expensive SQL functions


@pytest.mark.parametrize("name", EXPENSIVE)
def test_expensive_function_fails_fast_with_a_chinese_page(served, name):
    base, log_path = served
    before = log_path.stat().st_size
    started = time.monotonic()
    response = httpx.get(base + "/public", params={"sql": EXPENSIVE[name]}, timeout=30)
    seconds = time.monotonic() - started
    assert response.status_code == 400, response.text[:500]
    assert "查询无法执行" in response.text and "上限" in response.text
    assert seconds < 0.5, seconds
    lines = new_log_lines(log_path, before)
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    as_json = httpx.get(base + "/public.json", params={"sql": EXPENSIVE[name]}, timeout=30)
    assert as_json.status_code == 400 and "too big" in as_json.json()["error"]


@pytest.fixture()
def client(public_db):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
        yield Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())


@pytest.mark.parametrize("budget", ["0", "20", "60000"], ids=["pool", "inline-then-pool", "inline-only"])
def test_limits_and_time_limit_on_every_path(client, monkeypatch, budget):
    """DISCLOSURE_SQL_INLINE_MS: 0 runs every query in Datasette's SQL threads, 60000 keeps it on
    the event loop's connection (plugins/inline_sql.py) for its whole run."""
    monkeypatch.setenv("DISCLOSURE_SQL_INLINE_MS", budget)
    for name, sql in EXPENSIVE.items():
        started = time.monotonic()
        response = asyncio.run(client.client.get("/public?sql=" + quote(sql)))
        assert response.status_code == 400 and "上限" in response.text, name
        assert time.monotonic() - started < 0.5, name
    started = time.monotonic()
    slow = asyncio.run(client.client.get("/public?sql=" + quote(SLOW_SQL)))
    seconds = time.monotonic() - started
    assert slow.status_code == 400 and "查询超时" in slow.text
    assert 1.4 < seconds < 3, seconds  # sql_time_limit_ms = 1500 on this path too
    # the ordinary pages still work under the limits
    assert asyncio.run(client.client.get("/public/accidents?_search=爆炸")).status_code == 200
    assert asyncio.run(client.client.get("/public/search_all?q=爆炸")).status_code == 200


def test_limits_leave_room_for_the_longest_value(public_db):
    limits = plugin("sqlite_limits")
    conn = sqlite3.connect(public_db)
    longest = 0
    for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
        for column in [row[1] for row in conn.execute(f"pragma table_info([{table}])")]:
            value = conn.execute(f"select max(length(cast([{column}] as blob))) from [{table}]").fetchone()[0]
            longest = max(longest, value or 0)
    assert 0 < longest * 100 < limits.MAX_LENGTH, longest
    # error_pages.py quotes the same limits in its Chinese messages
    errors = plugin("error_pages")
    assert errors.LIMITS["max_length"] == limits.LIMITS[sqlite3.SQLITE_LIMIT_LENGTH]
    assert errors.LIMITS["max_sql"] == limits.LIMITS[sqlite3.SQLITE_LIMIT_SQL_LENGTH]
    assert errors.LIMITS["max_depth"] == limits.LIMITS[sqlite3.SQLITE_LIMIT_EXPR_DEPTH]
    assert errors.LIMITS["max_args"] == limits.LIMITS[sqlite3.SQLITE_LIMIT_FUNCTION_ARG]
    # printf within the limits is SQLite's own
    side = sqlite3.connect(":memory:")
    for sql in (
        "printf('%d 起, %5.2f%%, %q, %Q, %w', 3, 2.5, 'it''s', null, 'a\"b')",
        "printf('%,d', 1234567)",
        "format('%s-%s', 1)",
        "printf('%.*c', 5, 'x')",
        "printf('%-8s|', 'ab')",
    ):
        assert asyncio.run(client_sql(public_db, sql)) == side.execute("select " + sql).fetchone()[0], sql


async def client_sql(public_db, expression):
    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
    return (await ds.get_database("public").execute("select " + expression)).first()[0]


# ------------------------------------------------------------------ 2. visitor mistakes

BAD_REQUESTS = {
    "/public/accidents?_facet=nosuchcolumn": 400,
    "/public/accidents?_sort=nosuchcolumn": 400,
    "/public/accidents?_sort_desc=nosuchcolumn": 400,
    "/public/accidents.json?_sort=nosuchcolumn": 400,
    "/public/accidents?_sort=id&_sort_desc=id": 400,
    "/public/accidents?_facet_array=nosuchcolumn": 400,
    "/public/%ff": 404,
    "/public/accidents/../../x": 404,
    "/public/accidents/acc-1/2/3/4": 404,
    "/public/nosuchtable": 404,
}


@pytest.mark.parametrize("path", BAD_REQUESTS)
def test_visitor_mistakes_get_a_chinese_4xx_and_one_log_line(served, path):
    base, log_path = served
    before = log_path.stat().st_size
    status, headers, body = raw_get(base, path)
    if status == 302:  # Datasette's %-escape → ~-escape redirect
        status, headers, body = raw_get(base, headers["location"].removeprefix(base))
    assert status == BAD_REQUESTS[path], (status, body[:300])
    if path.split("?")[0].endswith(".json"):
        assert '"ok": false' in body and f'"status": {status}' in body
    else:
        assert '<html lang="zh-CN"' in body and CHINESE.search(body.split("<main")[-1])
        assert ("未找到" if status == 404 else "请求无效") in body
    lines = new_log_lines(log_path, before)
    assert len(lines) == 1, lines
    assert len(lines[0]) <= 400 and "Traceback" not in lines[0] and str(status) in lines[0]


# ------------------------------------------------------------------ 3. headers, introspection


def test_security_headers_on_every_response(served):
    base, _ = served
    pages = [
        "/",
        "/public",
        "/public/accidents",
        "/public/accidents?_facet=city_name",
        "/public?sql=select+1",
        "/public/repeated_accidents",
        "/public/nosuchtable",
        "/public/accidents.json",
        "/public/accidents.csv",
        "/robots.txt",
        "/static/disclosure.css",
        "/-/static/app.css",
        "/public?sql=" + quote(SLOW_SQL),
    ]
    for path in pages:
        response = httpx.get(base + path, timeout=30)
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        # Datasette's data views set the stricter no-referrer themselves; it is kept
        assert headers["referrer-policy"] in ("strict-origin-when-cross-origin", "no-referrer"), path
        csp = dict(part.strip().split(" ", 1) for part in headers["content-security-policy"].split(";"))
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'", path
        script_src = csp["script-src"].split()
        assert script_src[0] == "'self'" and "'unsafe-inline'" not in script_src, path
        assert csp["style-src"].startswith("'self'"), path
        # every inline script of the page is allowed by its hash, and nothing else is inline
        for script in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.text, re.S):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in script_src, (path, script[:80])
        assert not re.search(r"\son[a-z]+=", response.text), path
        # no script or style from another host
        assert not re.search(r"<script[^>]*src=\"(https?:)?//", response.text), path


@pytest.mark.parametrize("name", INTROSPECTION)
def test_introspection_pages_are_not_public(served, name):
    base, _ = served
    for suffix in ("", ".json"):
        response = httpx.get(f"{base}/-/{name}{suffix}", follow_redirects=True)
        assert response.status_code in (403, 404), (name, suffix, response.status_code)
        assert "python" not in response.text.lower() and "sqlite_version" not in response.text


def test_a_post_to_a_table_page_is_405_in_chinese(served):
    base, log_path = served
    before = log_path.stat().st_size
    response = httpx.post(base + "/public/accidents", data={"x": "1"}, timeout=30)
    assert response.status_code == 405 and "只接受 GET" in response.text
    lines = new_log_lines(log_path, before)
    assert len(lines) == 1 and "Traceback" not in lines[0]
