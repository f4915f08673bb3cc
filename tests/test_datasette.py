"""Datasette as journalists meet it: the configuration in publish/datasette/ on the public
database built by the real ETL from the bundled samples (`public_db`, tests/conftest.py),
through Datasette's own test client and through a real `datasette` server process on
127.0.0.1 (started by publish/datasette_serve.py, the entry `make datasette` uses).
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
import yaml
from datasette.app import Datasette

from etl import fts_text, schema
from publish import datasette_serve
from publish.datasette import metadata as metadata_gen
from tests._datasette_server import serving

ROOT = Path(__file__).resolve().parent.parent
QUERIES = yaml.safe_load((ROOT / "publish" / "datasette" / "queries.yml").read_text(encoding="utf-8"))
SLOW_SQL = "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c"


# Searchable text of accidents (schema.yaml `search`), to check search results against.
ACCIDENT_TEXT = schema.load()["tables"]["accidents"]["search"]


@pytest.fixture(scope="module")
def public_path(public_db):
    """The samples' public.db (Datasette names a database by its file stem: it must be public)."""
    assert public_db.name == "public.db"
    return public_db


@pytest.fixture(scope="module")
def ds(public_path):
    # Several tests change DISCLOSURE_* between requests of one process (a served process reads
    # them once): without the page cache (tests/test_datasette_scale.py tests it; the real
    # servers below run with it).
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
        return Datasette(immutables=[str(public_path)], **datasette_serve.datasette_kwargs())


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def query_params(ds) -> dict[str, str]:
    """Parameters that make each canned query return rows, read from the data itself."""
    db = ds.get_database("public")

    async def first(sql):
        row = (await db.execute(sql)).first()
        return row[0] if row else ""

    async def collect():
        return {
            "search_all": "q=事故",
            "enterprise_profile": "q="
            + await first(
                "select e.name from enterprises e join accidents a on a.enterprise_id = e.id limit 1"
            ),
            "blacklist_removable_in_month": "month="
            + (
                await first(
                    "select substr(early_removal_from, 1, 7) from blacklist where in_force = 1 limit 1"
                )
            ),
            # The samples have no enterprise with two reports (each enterprise is in one
            # accident), so ask for one; the rule tests' fixture has a repeated enterprise.
            "repeated_accidents": "min_count=1",
        }

    return asyncio.run(collect())


def accident_text(row: dict) -> str:
    return fts_text.normalise(" ".join(str(row.get(c) or "") for c in ACCIDENT_TEXT))


# ------------------------------------------------------------------ configuration


def test_metadata_yml_is_generated_from_the_dictionary():
    assert metadata_gen.main(["--check"]) == 0, "run: python -m publish.datasette.metadata"


def test_metadata_describes_every_table_and_column(ds, public_path):
    import sqlite3

    tables = ds.metadata("tables", database="public")
    with sqlite3.connect(public_path) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'"
            )
        ]
        fts = [n for n in names if n.endswith(schema.FTS_SUFFIX)]
        for table in names:
            if any(table.startswith(f + "_") for f in fts):
                continue  # FTS5's own shadow tables, hidden by Datasette
            meta = tables.get(table) or {}
            assert meta.get("description") and meta.get("title"), table
            for column in [r[1] for r in conn.execute(f"pragma table_info({table})")]:
                assert meta["columns"].get(column), f"{table}.{column}"
                assert meta["column_labels"].get(column), f"{table}.{column}"
    assert ds.metadata("title") and ds.metadata("license") and ds.metadata("source")


def test_there_are_at_least_ten_documented_canned_queries():
    plain = {n: q for n, q in QUERIES.items() if not n.startswith("feed_")}
    assert len(plain) >= 10
    for name, query in QUERIES.items():
        assert query["title"] and query["description"], name
        for param in query.get("params") or []:
            assert query["param_labels"][param], f"{name}: {param}"


# ------------------------------------------------------------------ test client


def test_every_canned_query_returns_rows(ds):
    params = query_params(ds)
    for name in QUERIES:
        response = get(ds, f"/public/{name}.json?_shape=array&{params.get(name, '')}")
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json(), f"{name} returned no rows"
        page = get(ds, f"/public/{name}?{params.get(name, '')}")
        assert page.status_code == 200 and QUERIES[name]["title"] in page.text


def test_atom_feeds(ds):
    for name in ("feed_new_reports", "feed_blacklist_changes"):
        response = get(ds, f"/public/{name}.atom")
        assert response.status_code == 200, response.text[:300]
        assert "<feed" in response.text and "<entry>" in response.text
        assert QUERIES[name]["title"] in response.text


@pytest.mark.parametrize("term", ["爆炸", "瞒报", "中毒", "化工有限公司", "烟花爆竹有限公司"])
def test_table_search_finds_exactly_the_records_containing_the_term(ds, public_path, term):
    """`_search=` on a table returns every row whose searchable text contains the term (the
    LIKE answer) and no other (after NFKC and traditional→simplified, as the index does)."""
    import sqlite3

    response = get(ds, f"/public/accidents.json?_search={term}&_shape=array&_size=max")
    assert response.status_code == 200
    found = {row["id"]: row for row in response.json()}
    assert found, term
    assert all(term in accident_text(row) for row in found.values()), term
    like = " or ".join(f"{c} like :t" for c in ACCIDENT_TEXT)
    with sqlite3.connect(public_path) as conn:
        expected = {r[0] for r in conn.execute(f"select id from accidents where {like}", {"t": f"%{term}%"})}
    assert expected <= set(found), term


def test_search_box_and_search_everything(ds):
    page = get(ds, "/public/accidents?_search=化工有限公司")
    assert 'id="_search"' in page.text and "搜索：" in page.text and "化工有限公司" in page.text
    enterprises = get(ds, "/public/enterprises.json?_search=矿业&_shape=array").json()
    assert enterprises and all("矿业" in e["name"] for e in enterprises)
    hits = get(ds, "/public/search_all.json?q=瞒报&_shape=array").json()
    assert {h["table_name"] for h in hits} >= {"accidents"}
    assert get(ds, "/public/search_all.json?q=不存在的词语组合&_shape=array").json() == []


def test_chinese_templates_are_the_ones_used(ds):
    home = get(ds, "/").text
    assert '<html lang="zh-CN">' in home and "数据查询首页" in home and "数据截至 2026-06-30" in home
    database = get(ds, "/public").text
    assert "常用查询" in database and "多次发生事故的企业" in database and "Custom SQL query" not in database
    table = get(ds, "/public/accidents?_facet=year").text
    assert "条记录" in table and "字段说明" in table and "高级导出" in table
    assert '<span class="col-label">发生日期' in table and "This data as" not in table
    assert 'class="facet-info-name"' in table and "<strong>年份" in table
    query = get(ds, "/public/repeated_accidents").text
    assert "最少起数（默认 2）" in query and "Query parameters" not in query
    missing = get(ds, "/public/nonexistent")
    assert missing.status_code == 404 and "返回数据查询首页" in missing.text


def test_rows_link_to_archive_and_public_site(ds, monkeypatch):
    db = ds.get_database("public")
    acc = asyncio.run(
        db.execute(
            "select a.id, a.enterprise_id, d.archive_path, e.name from accidents a"
            " join documents d on d.id = a.document_id join enterprises e on e.id = a.enterprise_id"
            " limit 1"
        )
    ).first()
    row = get(ds, f"/public/accidents/{acc['id']}").text
    assert "存档副本" not in row  # archived originals are published only when configured
    monkeypatch.setenv("DISCLOSURE_ARCHIVE_URL", "http://127.0.0.1:8000/archive/")
    row = get(ds, f"/public/accidents/{acc['id']}").text
    assert f"http://127.0.0.1:8000/archive/{acc['archive_path']}" in row and "存档副本" in row
    assert f'href="http://127.0.0.1:8000/accidents/{acc["id"]}/"' in row and "在公开网站查看此记录" in row
    assert f"/public/enterprises/{acc['enterprise_id']}" in row and acc["name"] in row
    code = asyncio.run(
        db.execute(
            "select uscc from enterprises where uscc_valid = 1 group by uscc having count(*) = 1 limit 1"
        )
    ).first()[0]
    enterprise = get(
        ds,
        "/public/enterprises/"
        + asyncio.run(db.execute("select id from enterprises where uscc = ?", [code])).first()[0],
    ).text
    assert f"http://127.0.0.1:8000/enterprises/{code}/" in enterprise


def test_slow_query_is_stopped_with_a_clear_message(ds):
    started = time.monotonic()
    page = get(ds, "/public?sql=" + quote(SLOW_SQL))
    assert page.status_code == 400
    assert "查询超时" in page.text and "1500 毫秒" in page.text
    assert time.monotonic() - started < 10
    as_json = get(ds, "/public.json?sql=" + quote(SLOW_SQL))
    assert as_json.status_code == 400 and "too long" in as_json.text


def test_arbitrary_sql_switch(ds, public_path, monkeypatch):
    assert get(ds, "/public.json?sql=select+1").status_code == 200
    # the switch is configuration (allow_sql: false, default_allow_sql off), read when Datasette
    # is built, as a served process does
    monkeypatch.setenv("DISCLOSURE_ALLOW_SQL", "0")
    kwargs = datasette_serve.datasette_kwargs()
    assert kwargs["metadata"]["allow_sql"] is False and kwargs["settings"]["default_allow_sql"] is False
    off = Datasette(immutables=[str(public_path)], **kwargs)
    asyncio.run(datasette_serve.check_startup(off))
    for path in (
        "/public?sql=select+1",
        "/public.json?sql=select+1",
        "/public.csv?sql=select+1",
        "/public/accidents?_where=1%3D1",
        "/public/accidents.json?_where=1%3D1",
    ):
        assert get(off, path).status_code == 403, path
    assert get(off, "/public/repeated_accidents.json").status_code == 200  # canned queries still work
    params = query_params(off)
    for name in QUERIES:
        response = get(off, f"/public/{name}.json?_shape=array&{params.get(name, '')}")
        assert response.status_code == 200 and response.json(), name
    assert get(off, "/public/accidents.json?_search=爆炸").status_code == 200
    assert get(off, "/public/accidents?_facet=city_name").status_code == 200
    assert "自定义 SQL 查询" not in get(off, "/public").text


def test_sql_switch_is_refused_by_a_real_server(public_path, tmp_path):
    with serving(
        public_path, tmp_path / "datasette.log", DISCLOSURE_ALLOW_SQL="0", DISCLOSURE_DATASETTE_WARM="0"
    ) as base:
        assert httpx.get(base + "/public?sql=select+1").status_code == 403
        assert httpx.get(base + "/public.json?sql=select+1").status_code == 403
        assert httpx.get(base + "/public/repeated_accidents.json?min_count=1").status_code == 200


def test_robots_policy(ds):
    # datasette-block-robots, configured in metadata.yml (tests/test_datasette_plugins_maintained.py)
    robots = get(ds, "/robots.txt")
    assert robots.status_code == 200 and robots.text == metadata_gen.ROBOTS_TXT
    assert "Allow: /$\nDisallow: /\n" in robots.text  # the home page only


# ------------------------------------------------------------------ a real server


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def server(public_path, request):
    """The server as `make datasette` runs it: Datasette's own CLI (one process) or uvicorn
    workers building the same app (publish/datasette_serve.py asgi_app)."""
    with serving(public_path, public_path.with_name("datasette.log"), workers=request.param) as base:
        yield base


def test_server_runs_immutable_with_the_configuration(server, public_path):
    # the introspection pages (/-/settings, /-/databases, /-/plugins) are not public
    # (plugins/security_headers.py); the configuration shows in what the server does
    slow = httpx.get(server + "/public", params={"sql": SLOW_SQL}, timeout=30)
    assert slow.status_code == 400 and "1500 毫秒" in slow.text  # sql_time_limit_ms
    assert "自定义 SQL 查询" in httpx.get(server + "/public").text  # immutable, SQL on
    assert public_path.with_suffix(".inspect.json").exists()
    assert httpx.get(server + "/-/settings.json").status_code == 404
    assert "Disallow: /" in httpx.get(server + "/robots.txt").text  # plugins loaded
    assert httpx.get(server + "/public/feed_new_reports.atom").status_code == 200  # datasette-atom


def test_server_canned_queries_search_and_chinese_pages(server, ds):
    params = query_params(ds)
    for name in QUERIES:
        response = httpx.get(f"{server}/public/{name}.json?_shape=array&{params.get(name, '')}", timeout=10)
        assert response.status_code == 200 and response.json(), name
    for term in ("瞒报", "化工有限公司"):
        hits = httpx.get(f"{server}/public/accidents.json?_search={term}&_shape=array").json()
        assert hits and all(term in accident_text(h) for h in hits), term
    page = httpx.get(server + "/public/accidents?_search=爆炸").text
    assert "条记录" in page and "搜索“爆炸”" in page and "安全生产信息公开网站" in page
    # the page cache (plugins/response_cache.py): with N workers, N + 1 requests reach one twice
    again = [httpx.get(server + "/public/accidents?_search=爆炸") for _ in range(3)]
    assert "hit" in {r.headers.get("x-disclosure-cache") for r in again}
    assert all(r.text.split("查询用时")[0] == page.split("查询用时")[0] for r in again)
    feed = httpx.get(server + "/public/feed_new_reports.atom")
    assert feed.status_code == 200 and "<feed" in feed.text
    robots = httpx.get(server + "/robots.txt").text
    assert "Disallow: /" in robots


def test_server_json_api_allows_cross_origin_requests(server):
    response = httpx.get(server + "/public/accidents.json?_shape=array")
    assert response.headers.get("access-control-allow-origin") == "*"
    csv = httpx.get(server + "/public/accidents.csv?_labels=on")
    assert csv.status_code == 200 and "title" in csv.text.splitlines()[0]


def test_server_stops_a_slow_query_without_blocking_others(server):
    slow: dict = {}

    def run_slow():
        started = time.monotonic()
        response = httpx.get(server + "/public", params={"sql": SLOW_SQL}, timeout=30)
        slow.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    other = httpx.get(server + "/public/blacklist.json?_shape=array", timeout=30)
    other_seconds = time.monotonic() - started
    thread.join(30)
    assert other.status_code == 200 and other.json()
    assert slow["status"] == 400 and "查询超时" in slow["text"]
    assert other_seconds < slow["seconds"], (other_seconds, slow["seconds"])
    assert slow["seconds"] < 10
