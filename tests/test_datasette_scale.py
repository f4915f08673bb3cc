"""What keeps Datasette fast at national size (docs/scaling.md, "Datasette"), checked on the
samples' public database: the summary tables agree with the records they sum, every default
order and the canned queries' orders are served by an index, large tables open without
default facets, the page cache and the SQLite settings are active on the served database.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys

import pytest
import yaml
from datasette.app import Datasette
from datasette.database import Database

from etl import public_serving, schema
from publish import datasette_serve


@pytest.fixture(scope="module")
def conn(public_db):
    c = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    yield c
    c.close()


def rows(conn, sql, params=()):
    return conn.execute(sql, params).fetchall()


def test_enterprise_accidents_sum_the_accidents(conn):
    expected = rows(
        conn,
        """
        select e.id, e.name, e.uscc, count(*), sum(coalesce(a.deaths, 0)), min(a.occurred_on),
               max(a.occurred_on)
        from accidents a join enterprises e on e.id = a.enterprise_id group by e.id order by e.id""",
    )
    summary = rows(
        conn,
        """
        select enterprise_id, enterprise_name, uscc, accident_count, deaths, first_occurred_on,
               last_occurred_on from enterprise_accidents order by enterprise_id""",
    )
    assert len(expected) > 20
    assert summary == expected
    titles = dict(rows(conn, "select enterprise_id, titles from enterprise_accidents"))
    for enterprise_id, title in rows(
        conn, "select enterprise_id, title from accidents" " where enterprise_id is not null"
    ):
        assert title in titles[enterprise_id].split("；")


def test_accidents_by_year_city_sum_the_accidents(conn):
    expected = rows(
        conn,
        """
        select year, city_code, count(*), sum(coalesce(deaths, 0)),
               sum(coalesce(grade_stated, grade_computed) in ('较大', '重大', '特别重大'))
        from accidents where year is not null group by year, city_code order by year, city_code""",
    )
    summary = rows(
        conn,
        "select year, city_code, accidents, deaths, major_or_worse"
        " from accidents_by_year_city order by year, city_code",
    )
    assert summary == expected
    assert (
        sum(r[2] for r in summary)
        == rows(conn, "select count(*) from accidents where year is not null")[0][0]
    )


def test_summaries_are_described_and_rebuilt_by_the_national_bench():
    tables = schema.for_database("public")
    for name in public_serving.SUMMARIES:
        assert name in tables and tables[name]["scope"] == "public"


def _plan(conn, sql, params=None) -> list[str]:
    return [r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params or {})]


def test_every_default_order_is_served_by_an_index(conn):
    """Datasette pages a table `order by <sort> [desc], <primary key>`: no sort of the table."""
    checked = 0
    for table, spec in schema.for_database("public").items():
        column = spec.get("sort_desc") or spec.get("sort")
        if not column or spec.get("view") or table.endswith(schema.FTS_SUFFIX):
            continue
        pk = [r[1] for r in sorted(conn.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5]) if r[5]]
        order = [column + (" desc" if spec.get("sort_desc") else "")] + [p for p in pk if p != column]
        plan = _plan(conn, f"select * from {table} order by {', '.join(order or ['rowid'])} limit 51")
        assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan), (table, plan)
        checked += 1
    assert checked >= 10


def test_a_page_filtered_on_a_facet_is_read_in_order_from_an_index(conn):
    """A click on a facet value opens `?<facet>=<value>` in the default order: served by the
    facet's index (etl/public_serving.py _facet_index), not by sorting every matching row; the count
    Datasette shows, and the facets of the other columns at 市州 level, read that index alone."""
    checked = 0
    for table, spec in schema.for_database("public").items():
        column = spec.get("sort_desc") or spec.get("sort")
        if not column or spec.get("view") or table.endswith(schema.FTS_SUFFIX) or not spec.get("facets"):
            continue
        pk = [r[1] for r in sorted(conn.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5]) if r[5]]
        order = ", ".join(
            [column + (" desc" if spec.get("sort_desc") else "")] + [p for p in pk if p != column]
        )
        for facet in spec["facets"]:
            plan = _plan(
                conn, f"select * from {table} where {facet} = :v order by {order} limit 51", {"v": "x"}
            )
            assert not any("TEMP B-TREE" in step for step in plan), (table, facet, plan)
            if facet != column:
                assert any(f"INDEX idx_{table}_{facet}_" in step for step in plan), (table, facet, plan)
            count = _plan(conn, f"select count(*) from {table} where {facet} = :v", {"v": "x"})
            assert any("COVERING INDEX" in step for step in count), (table, facet, count)
            checked += 1
    assert checked >= 15


def test_a_page_filtered_on_two_facets_reads_one_index_alone(conn):
    """Tables with `facet_pairs` (accidents): `?city_name=兰州市&year=2019` is counted and read in
    order from the pair's index without visiting the table; with the one-facet indexes alone
    SQLite read every accident of 兰州市 (35,700 at national size) twice. A facet on any other
    facet column over one or two such filters groups from an index alone too."""
    checked = 0
    for table, spec in schema.for_database("public").items():
        if not spec.get("facet_pairs"):
            continue
        column = spec.get("sort_desc") or spec.get("sort")
        order = f"{column} desc, id" if spec.get("sort_desc") else f"{column}, id"
        facets = spec["facets"]
        for a in facets:
            for b in facets:
                if a == b:
                    continue
                where = f"{a} = :a and {b} = :b"
                count = _plan(conn, f"select count(*) from {table} where {where}", {"a": "x", "b": "y"})
                assert any(
                    "COVERING INDEX" in s and (f"{a}=? AND {b}=?" in s or f"{b}=? AND {a}=?" in s)
                    for s in count
                ), (a, b, count)
                page = _plan(
                    conn,
                    f"select id from {table} where {where} order by {order} limit 21",
                    {"a": "x", "b": "y"},
                )
                assert not any("TEMP B-TREE FOR ORDER BY" in s for s in page), (a, b, page)
                for c in facets:  # a facet over the two filters (Datasette's facet SQL)
                    if c in (a, b):
                        continue
                    facet = _plan(
                        conn,
                        f"select {c} as value, count(*) as count from (select * from"
                        f" {table} where {where}) where value is not null group by value"
                        f" order by count desc, value limit 21",
                        {"a": "x", "b": "y"},
                    )
                    assert any("COVERING INDEX" in s for s in facet), (a, b, c, facet)
                    one = _plan(
                        conn, f"select {c}, count(*) from {table} where {a} = :a group by {c}", {"a": "x"}
                    )
                    assert any("COVERING INDEX" in s for s in one), (a, c, one)
                checked += 1
    assert checked == 30  # accidents: 6 facets, every ordered pair


def test_the_city_facet_of_one_industry_reads_an_index_alone(conn):
    """`/public/enterprises?industry=工贸&_facet=city_code`, the facet journalists open most on
    the largest table, groups from the (industry, city_code) index, not from 1.4 million rows."""
    plan = _plan(
        conn,
        "select city_code as value, count(*) as count from"
        " (select * from enterprises where industry = :i)"
        " where value is not null group by value order by count desc, value limit 21",
        {"i": "工贸"},
    )
    assert any("COVERING INDEX idx_enterprises_industry_city_code" in s for s in plan), plan


@pytest.mark.parametrize(
    "name",
    [
        "repeated_accidents",
        "feed_new_reports",
        "rectification_overdue",
        "assessments_not_in_place",
        "concealed_accidents",
        "grade_mismatch",
        "uscc_check_failed",
    ],
)
def test_canned_query_reads_rows_in_index_order(conn, name):
    """These return the first rows of a long ordered list: an index gives them in order, so
    Datasette stops after max_returned_rows instead of sorting every accident or enterprise."""
    from etl.fts_text import match_expression

    conn.create_function("cjk_match", 1, match_expression)
    conn.create_function("site_url", 1, lambda path: path)
    queries = yaml.safe_load(datasette_serve.METADATA.read_text(encoding="utf-8"))
    query = queries["databases"]["public"]["queries"][name]
    params = {p: "" for p in query.get("params") or []}
    if ":_html_rows" in query["sql"]:
        params["_html_rows"] = 201  # the HTML page's magic parameter (plugins/disclosure_ui.py)
    plan = _plan(conn, query["sql"], params)
    if name == "repeated_accidents":  # only the summary branch runs without since_year
        plan = plan[: plan.index("RIGHT")]
    sorted_steps = [step for step in plan if "TEMP B-TREE FOR ORDER BY" in step]
    assert not sorted_steps, plan
    if name == "assessments_not_in_place":  # its LIKE filter is tested in the index, not the rows
        assert any("SCAN r USING INDEX" in step and step.endswith("_result") for step in plan), plan


def test_blacklist_feed_takes_the_latest_of_each_list_from_an_index(conn):
    """Each branch reads its 50 latest rows in index order; only those 100 rows are sorted."""
    conn.create_function("site_url", 1, lambda path: path)
    queries = yaml.safe_load(datasette_serve.METADATA.read_text(encoding="utf-8"))
    plan = " | ".join(_plan(conn, queries["databases"]["public"]["queries"]["feed_blacklist_changes"]["sql"]))
    # the in_force facet's index is (in_force, listed_on DESC, id): the branch's filter and order
    assert "blacklist USING INDEX idx_blacklist_in_force_listed_on_DESC_id (in_force=?" in plan, plan
    assert "blacklist_removals USING INDEX idx_blacklist_removals_removed_on_DESC_id" in plan, plan


def test_repeated_accidents_all_years_matches_the_records(public_db):
    """The summary branch (all years) and the live branch (since a year) agree."""
    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())

    def run(params):
        response = asyncio.run(ds.client.get(f"/public/repeated_accidents.json?{params}&_shape=array"))
        assert response.status_code == 200, response.text
        return [(r["enterprise_id"], r["事故起数"], r["死亡人数"]) for r in response.json()]

    c = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    earliest = c.execute("select min(year) from accidents").fetchone()[0]
    undated = c.execute(
        "select count(*) from accidents where year is null and enterprise_id is not null"
    ).fetchone()[0]
    c.close()
    all_years = run("min_count=1&since_year=")
    assert len(all_years) > 20
    if not undated:
        assert sorted(all_years) == sorted(run(f"min_count=1&since_year={earliest}"))
    later = run(f"min_count=1&since_year={earliest + 3}")
    assert 0 < len(later) < len(all_years)


def test_large_tables_open_without_default_facets():
    big = datasette_serve.DEFAULT_FACETS_MAX_ROWS + 1
    inspect = {"public": {"tables": {"enterprises": {"count": big}, "accidents": {"count": 500}}}}
    tables = datasette_serve.metadata(inspect)["databases"]["public"]["tables"]
    assert "facets" not in tables["enterprises"]
    assert tables["accidents"]["facets"] == schema.load()["tables"]["accidents"]["facets"]
    assert datasette_serve.metadata()["databases"]["public"]["tables"]["enterprises"]["facets"]


def test_metadata_file_is_written_only_when_facets_are_dropped(tmp_path):
    inspect = tmp_path / "public.inspect.json"
    inspect.write_text(json.dumps({"public": {"tables": {"enterprises": {"count": 10}}}}))
    assert datasette_serve.metadata_file(inspect) == datasette_serve.METADATA
    inspect.write_text(
        json.dumps(
            {"public": {"tables": {"enterprises": {"count": datasette_serve.DEFAULT_FACETS_MAX_ROWS + 1}}}}
        )
    )
    written = datasette_serve.metadata_file(inspect)
    assert written == tmp_path / "public.metadata.json"
    assert "facets" not in json.loads(written.read_text())["databases"]["public"]["tables"]["enterprises"]


@pytest.mark.parametrize("enabled", [True, False])
def test_response_cache_on_the_immutable_database(public_db, monkeypatch, enabled):
    """plugins/response_cache.py: a repeated GET is answered with the same bytes without running
    the view (random() would differ); requests with a cookie, other URLs, Datasette's /-/ pages
    and error responses are not cached; a mutable database turns it off."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "1" if enabled else "0")
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE_ENTRY_KB", "8")
    kwargs = datasette_serve.datasette_kwargs()
    kwargs["metadata"]["databases"]["public"]["queries"]["random_probe"] = {
        "sql": "select random() as r, :n as n"
    }
    ds = Datasette(immutables=[str(public_db)], **kwargs)

    def get(path, **headers):
        response = asyncio.run(ds.client.get(path, headers=headers))
        return response.status_code, response.headers.get("x-disclosure-cache"), response.text

    status, first_state, first = get("/public/random_probe.json?n=1")
    _, second_state, second = get("/public/random_probe.json?n=1")
    assert status == 200
    assert (first == second) is enabled
    assert (first_state, second_state) == (("miss", "hit") if enabled else (None, None))
    if not enabled:
        return
    assert get("/public/random_probe.json?n=2")[1] == "miss"  # the query string is the key
    assert get("/public/random_probe.json?n=1", cookie="ds_actor=x")[1] is None
    assert get("/-/versions.json")[1] is None
    assert get("/public/no_such_table")[0] == 404
    assert get("/public/no_such_table")[1] == "miss"
    # a response larger than an entry may be is passed through whole and not kept
    big = [get("/public/enterprises") for _ in range(2)]
    assert big[0][0] == 200 and len(big[0][2].encode()) > 8 * 1024
    assert [b[1] for b in big] == ["miss", "miss"]
    ds.add_database(Database(ds, is_mutable=True, is_memory=False, path=str(public_db)), name="scratch")
    assert get("/public/random_probe.json?n=3")[1] is None


def test_served_connections_use_mmap(public_db):
    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())

    async def pragma():
        await ds.invoke_startup()
        return (await ds.get_database("public").execute("pragma mmap_size")).first()[0]

    assert asyncio.run(pragma()) > 0


def test_rows_are_rendered_as_datasette_would_and_escaped():
    from datasette.utils import to_css_class
    from markupsafe import Markup

    from publish.datasette.plugins import disclosure_ui

    columns = [{"name": n} for n in ("title", "事故 单位", "loss", "code", "hidden")]
    long = "<b>" + "长" * 70
    html = disclosure_ui.rows_html(
        [
            [
                {"column": "title", "raw": long, "value": long, "value_type": "str"},
                {
                    "column": "事故 单位",
                    "raw": "e1",
                    "value": Markup('<a href="/e">企业</a>'),
                    "value_type": "str",
                },
                {"column": "loss", "raw": 2335000.0, "value": "2335000.0", "value_type": "float"},
                {"column": "code", "raw": "620100", "value": "620100", "value_type": "str"},
                {"column": "hidden", "raw": "x", "value": "x", "value_type": "str"},
            ]
        ],
        columns,
        [0, 1, 2, 3],
        {"title": '标题"<'},
        {"loss": "元"},
    )
    assert html == (
        '<tr><td class="col-title type-str" data-label="标题&#34;&lt;">&lt;b&gt;' + "长" * 57 + "…</td>"
        f'<td class="col-{to_css_class("事故 单位")} type-str" data-label="事故 单位"><a href="/e">企业</a></td>'
        '<td class="col-loss type-float" data-label="loss">2,335,000</td>'
        '<td class="col-code type-str short" data-label="code">620100</td></tr>'
    )
    query = disclosure_ui.query_rows_html(["标题"], [["a & b"], [Markup("<b>c</b>")]])
    assert query == (
        f'<tr><td class="col-{to_css_class("标题")}" data-label="标题">a &amp; b</td></tr>'
        f'<tr><td class="col-{to_css_class("标题")}" data-label="标题"><b>c</b></td></tr>'
    )


@pytest.mark.parametrize("base_url", ["/", "/datasette/"])
def test_query_result_links_are_datasettes_row_urls(public_db, base_url):
    """Canned-query cells link to rows with a URL built once per table (disclosure_ui._row_base);
    it must equal Datasette's own, also behind a path prefix, and escape what it shows."""
    from publish.datasette.plugins import disclosure_ui

    kwargs = datasette_serve.datasette_kwargs()
    kwargs["settings"] = {**kwargs["settings"], "base_url": base_url}
    ds = Datasette(immutables=[str(public_db)], **kwargs)
    for table, value in [("accidents", "acc-1.2/x y"), ("enterprises", "n<4f>~c")]:
        expected = str(ds.urls.row("public", table, disclosure_ui._tilde(value)))
        assert disclosure_ui._row_base(ds, "public", table) + disclosure_ui._tilde(value) == expected
    cell = disclosure_ui.render_cell({"accident_id": "a<b"}, "a<b", "accident_id", None, "public", ds)
    assert cell == f'<a href="{ds.urls.row("public", "accidents", disclosure_ui._tilde("a<b"))}">a&lt;b</a>'


def test_canned_query_html_shows_the_first_rows_and_exports_all(public_db):
    """`limit :_html_rows` (plugins/disclosure_ui.py): the HTML page renders HTML_ROWS rows and
    says there are more; CSV and JSON carry every row up to max_returned_rows; the edit-SQL link
    stays, with the export limit in place of the magic parameter."""
    from urllib.parse import parse_qs, urlparse

    from publish.datasette.plugins import disclosure_ui

    shown = disclosure_ui.HTML_ROWS
    total = shown + 50
    kwargs = datasette_serve.datasette_kwargs()
    kwargs["metadata"]["databases"]["public"]["queries"]["many_rows"] = {
        "sql": (
            f"with recursive n(i) as (select 1 union all select i + 1 from n where i < {total})"
            " select i as 序号 from n where i >= coalesce(cast(nullif(:start, '') as integer), 1)"
            " order by i limit :_html_rows"
        )
    }
    ds = Datasette(immutables=[str(public_db)], **kwargs)

    def get(path):
        response = asyncio.run(ds.client.get(path))
        assert response.status_code == 200, path
        return response.text

    html = get("/public/many_rows")
    cells = re.findall(r'<td class="col-[^"]*" data-label="[^"]*">(\d+)</td>', html)
    assert cells == [str(i) for i in range(1, shown + 1)]
    assert f"本页只显示前 {shown} 行" in html and "/public/many_rows.csv" in html
    csv_rows = get("/public/many_rows.csv").strip().splitlines()
    assert csv_rows[0] == "序号" and csv_rows[1:] == [str(i) for i in range(1, total + 1)]
    assert len(json.loads(get("/public/many_rows.json?_shape=array"))) == total
    edit = re.search(r'<a href="([^"]+)" class="canned-query-edit-sql">', html)
    sql = parse_qs(urlparse(edit.group(1).replace("&amp;", "&")).query)["sql"][0]
    assert ":_html_rows" not in sql and sql.endswith("limit 1000")
    # fewer rows than the page holds: the count, no note
    few = get(f"/public/many_rows?start={total - 5}")
    assert "结果：6 行" in few and "本页只显示" not in few


def test_table_permissions_are_worked_out_once_and_still_enforced(public_db, monkeypatch):
    """plugins/permission_cache.py: a table closed by metadata stays closed on every request
    (the remembered answer is the rule, not a pass), open tables stay open, and the answers are
    remembered per table."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    kwargs = datasette_serve.datasette_kwargs()
    kwargs["metadata"]["databases"]["public"].setdefault("tables", {}).setdefault("bans", {})["allow"] = {
        "id": "nobody"
    }
    ds = Datasette(immutables=[str(public_db)], **kwargs)

    async def statuses():
        await ds.invoke_startup()
        return [
            (await ds.client.get(path)).status_code
            for path in ["/public/bans", "/public/bans", "/public/accidents", "/public/accidents"]
        ]

    assert asyncio.run(statuses()) == [403, 403, 200, 200]
    memo = ds._table_permission_allows.memo
    assert memo[("public", "bans", id(ds._metadata_local))] == ({"id": "nobody"},)
    assert memo[("public", "accidents", id(ds._metadata_local))] == ()


def test_the_server_reads_the_database_into_the_page_cache_when_it_fits(tmp_path, monkeypatch):
    """publish.datasette_serve.warm_page_cache: the whole file, unless it is larger than half
    of the memory available (then nothing: it would only push other files out of the cache)."""
    db = tmp_path / "public.db"
    db.write_bytes(bytes(range(256)) * 40_000)  # 10 MB, several chunks
    assert datasette_serve.warm_page_cache(db, chunk=1 << 20) == db.stat().st_size
    monkeypatch.setattr(datasette_serve, "_available_memory", lambda: 2 * db.stat().st_size - 2)
    assert datasette_serve.warm_page_cache(db) == 0
    monkeypatch.setattr(datasette_serve, "_available_memory", lambda: 2 * db.stat().st_size)
    assert datasette_serve.warm_page_cache(db) == db.stat().st_size


def test_the_schema_of_the_immutable_database_is_read_once(public_db, conn, tmp_path, monkeypatch):
    """plugins/schema_cache.py: repeated pages work out the immutable public.db's schema once
    (Datasette's introspection functions are not called again), pages stay the same, answers are
    copies, and a mutable database is still asked every time."""
    import collections
    from pathlib import Path

    import datasette.database as database_module

    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    calls: collections.Counter = collections.Counter()

    def counted(name):
        function = getattr(database_module, name)

        def counting(conn, *args):
            calls[Path(conn.execute("pragma database_list").fetchone()[2]).name] += 1
            return function(conn, *args)

        return counting

    for name in ("table_columns", "detect_primary_keys", "detect_fts", "get_all_foreign_keys"):
        monkeypatch.setattr(database_module, name, counted(name))
    mutable = tmp_path / "scratch.db"
    sqlite3.connect(mutable).execute("create table t (id integer primary key, name text)").connection.commit()
    ds = Datasette([str(mutable)], immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
    accident = rows(conn, "select id from accidents limit 1")[0][0]
    paths = ["/public/accidents?city_name=%E5%85%B0%E5%B7%9E%E5%B8%82", f"/public/accidents/{accident}"]

    async def pages():
        texts = []
        for path in paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, path
            texts.append(re.sub(r"查询用时 [\d.]+ 毫秒", "", response.text))
        return texts

    async def run():
        await ds.invoke_startup()
        first = await pages()
        asked = calls["public.db"]
        again = await pages()
        columns = await ds.get_database("public").table_columns("accidents")
        columns.append("changed by a caller")
        scratch = []
        for _ in range(2):
            before = calls["scratch.db"]
            assert (await ds.client.get("/scratch/t")).status_code == 200
            scratch.append(calls["scratch.db"] - before)
        return first, asked, again, columns, scratch

    first, asked, again, columns, scratch = asyncio.run(run())
    assert asked and calls["public.db"] == asked  # asked on the first pages only
    assert first == again
    assert "changed by a caller" not in asyncio.run(ds.get_database("public").table_columns("accidents"))
    assert "changed by a caller" in columns
    assert all(scratch), scratch  # the mutable database: its schema is read on every page


def test_schemas_are_refreshed_once_while_every_database_is_immutable(public_db, tmp_path, monkeypatch):
    """plugins/schema_cache.py `_refreshed_once`: after the first request no request asks the
    `_internal` catalog; attaching a database refreshes it (its tables are served), and with a
    mutable database attached every request refreshes again, as Datasette does."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    from datasette.tracer import capture_traces

    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())

    async def internal_queries(path):
        traces: list = []
        with capture_traces(traces):
            assert (await ds.client.get(path)).status_code == 200, path
        return [t["sql"] for t in traces if t.get("database") == "_internal"]

    async def run():
        first = await internal_queries("/public/accidents")
        again = [await internal_queries(p) for p in ("/public/accidents", "/public/enterprises")]
        mutable = tmp_path / "later.db"
        sqlite3.connect(mutable).execute("create table t (id integer primary key)").connection.commit()
        ds.add_database(Database(ds, path=str(mutable)), name="later")
        added = await internal_queries("/later/t")
        still = await internal_queries("/public/accidents")
        return first, again, added, still

    first, again, added, still = asyncio.run(run())
    assert first and again == [[], []]
    assert added and still, (added, still)


def test_remembered_answers_are_copied_as_deepcopy_would(public_db):
    """plugins/schema_cache.py fresh_copy: equal to copy.deepcopy for generated nested answers
    (lists, dicts, tuples, named tuples, atoms) and for every answer a page remembered, and it
    shares no list or dict with the remembered one (a caller's change stays its own)."""
    import copy
    from collections import namedtuple

    from hypothesis import given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    from publish.datasette.plugins import schema_cache

    Column = namedtuple("Column", "cid name type notnull default_value is_pk hidden")
    atoms = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=5),
        st.binary(max_size=3),
    )
    columns = st.builds(Column, *([atoms] * 7))
    values = st.recursive(
        st.one_of(atoms, columns),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.tuples(inner, inner),
            st.dictionaries(st.text(max_size=3), inner, max_size=4),
            st.builds(Column, *([inner] * 7)),
        ),
        max_leaves=20,
    )

    def containers(value):
        if isinstance(value, (list, tuple)):
            found = [value] if isinstance(value, list) else []
            return found + [c for v in value for c in containers(v)]
        if isinstance(value, dict):
            return [value] + [c for v in value.values() for c in containers(v)]
        return []

    def check(value):
        copied = schema_cache.fresh_copy(value)
        assert copied == copy.deepcopy(value)
        assert type(copied) is type(value)
        assert not {id(c) for c in containers(copied)} & {id(c) for c in containers(value)}

    hsettings(max_examples=400, deadline=None, derandomize=True)(given(values)(check))()

    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())

    async def remembered():
        await ds.invoke_startup()
        for path in ("/public/accidents?_facet=city_name", "/public/enterprises", "/public/blacklist"):
            assert (await ds.client.get(path)).status_code == 200
        db = ds.get_database("public")
        return [a for name in schema_cache.METHODS for a in getattr(db, name).answers.values()]

    answers = asyncio.run(remembered())
    assert len(answers) > 20 and any(containers(a) for a in answers)
    for answer in answers:
        check(answer)


def test_the_page_cache_warm_up_respects_a_container_memory_limit(tmp_path, monkeypatch):
    """In a container /proc/meminfo shows the host: the room under the cgroup limit decides."""
    limit, usage = tmp_path / "memory.max", tmp_path / "memory.current"
    monkeypatch.setattr(datasette_serve, "CGROUP_MEMORY", ((str(limit), str(usage)),))
    limit.write_text("max\n")
    usage.write_text("1000\n")
    host = datasette_serve._available_memory()
    assert host > 0
    limit.write_text(f"{300 * 2**20}\n")
    usage.write_text(f"{100 * 2**20}\n")
    assert datasette_serve._available_memory() == min(host, 200 * 2**20)
    db = tmp_path / "public.db"
    db.write_bytes(b"x" * (2**20))
    usage.write_text(f"{300 * 2**20 - 2**20}\n")  # 1 MiB of room: a 1 MiB file is over half of it
    assert datasette_serve.warm_page_cache(db) == 0


def test_table_cells_are_the_ones_datasette_builds(public_db, tmp_path, monkeypatch):
    """plugins/fast_cells.py builds a table page's cells without pluggy per cell: on every table
    and view of the samples (first page, a filtered page, an expanded foreign key, a URL column,
    long text cut at truncate_cells_html), and on a table with a BLOB column (handed back to
    Datasette), its columns and cells equal Datasette's own display_columns_and_rows."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    import datasette.views.table as table_view

    blobs = tmp_path / "blobs.db"
    with sqlite3.connect(blobs) as c:
        c.execute("create table files (id integer primary key, name text, body blob, url text)")
        c.execute(
            "insert into files values (1, 'a', x'00ff', 'https://example.org/a.pdf'),"
            " (2, '', null, 'not a url')"
        )
    ds = Datasette([str(blobs)], immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
    fast = table_view.display_columns_and_rows
    assert fast.__module__ == "fast_cells.py" and fast.__wrapped__ is not fast
    compared = []

    async def both(*args, **kwargs):
        mine_columns, mine_rows = await fast(*args, **kwargs)
        columns, rows = await fast.__wrapped__(*args, **kwargs)
        assert mine_columns == columns
        assert [r.cells for r in mine_rows] == [r.cells for r in rows]
        assert [[type(c["value"]) for c in r.cells] for r in mine_rows] == [
            [type(c["value"]) for c in r.cells] for r in rows
        ]  # Markup stays Markup
        compared.append((args[2], len(rows), sum(len(r.cells) for r in rows)))
        return mine_columns, mine_rows

    monkeypatch.setattr(table_view, "display_columns_and_rows", both)
    with sqlite3.connect(public_db) as c:
        tables = [
            t
            for (t,) in c.execute(
                "select name from sqlite_master where type in ('table', 'view')"
                " and name not like '%fts%' and name not like 'sqlite_%'"
            )
            if c.execute(f"select exists (select 1 from [{t}])").fetchone()[0]
            and t
            not in yaml.safe_load(datasette_serve.METADATA.read_text(encoding="utf-8"))["databases"][
                "public"
            ].get("queries", {})
        ]  # a canned query of that name wins

    async def run():
        await ds.invoke_startup()
        paths = [f"/public/{t}" for t in tables] + [
            "/public/accidents?city_name=%E5%85%B0%E5%B7%9E%E5%B8%82&_sort=deaths",
            "/public/accidents?_search=%E7%88%86%E7%82%B8",
            "/public/documents?_size=100",
            "/public/credit_ratings?_labels=on",
            "/blobs/files",
        ]
        # twice: the second time render_cell is skipped for the columns it never renders
        # (disclosure_ui's rendered_columns, known once a table's foreign keys are read)
        for path in paths + paths:
            response = await ds.client.get(path)
            assert response.status_code == 200, path

    asyncio.run(run())
    assert {t for t, _, _ in compared} >= set(tables) | {"files"}
    assert sum(cells for _, _, cells in compared) > 5_000


def test_every_search_index_row_is_a_row_of_its_table(conn):
    """plugins/search_plan.py counts a search from the FTS table alone: that is the table's
    count only if each FTS row is one of the table's rows, by rowid (rows with no searchable
    text have no FTS row, and match nothing either way)."""
    fts_tables = [
        t
        for (t,) in rows(
            conn,
            "select name from sqlite_master where type = 'table'"
            " and sql like 'CREATE VIRTUAL TABLE%fts5%'",
        )
    ]
    assert len(fts_tables) >= 5
    for fts in fts_tables:
        table = fts.removesuffix("_fts")
        assert rows(conn, f"select count(*) from {fts}")[0][0] > 0
        assert rows(conn, f"select count(*) from {fts} where rowid not in (select rowid from {table})") == [
            (0,)
        ]


def test_search_plan_rewrites_only_where_it_pays():
    from publish.datasette.plugins import search_plan

    sql = (
        "select id, name from enterprises where rowid in (select rowid from enterprises_fts"
        " where enterprises_fts match escape_fts(:search)) order by name, id limit 51"
    )
    walked = sql.replace("where rowid in", "where +rowid in")
    assert search_plan.rewrite(sql, 122_970, 1_358_040) == walked  # 责任 at national size
    assert search_plan.rewrite(sql, 2_000, 1_358_040) == sql  # fewer than 4 × √rows: look up
    assert search_plan.rewrite(sql, 900, 10_000) == sql  # under MIN_MATCHES
    assert search_plan.rewrite(walked, 122_970, 1_358_040) == walked  # never twice
    count = (
        "select count(*) from enterprises where rowid in (select rowid from enterprises_fts"
        " where enterprises_fts match escape_fts(:search))"
    )
    assert search_plan.count_of_search(count) == (
        "select count(*) from enterprises_fts where enterprises_fts match escape_fts(:search)"
    )
    filtered = count.replace("where rowid", "where city_code = :p0 and rowid")
    assert search_plan.count_of_search(filtered) == filtered
    assert search_plan.listing(sql) and not search_plan.listing(count)
    assert not search_plan.listing(
        "select industry, count(*) from (" + sql + ") group by industry" " order by count(*) desc limit 21"
    )
    assert search_plan.walks_an_index(
        [
            "SCAN enterprises USING COVERING INDEX idx_enterprises_name_id",
            "LIST SUBQUERY 1",
            "SCAN enterprises_fts VIRTUAL TABLE INDEX 0:M4",
        ]
    )
    assert not search_plan.walks_an_index(["SCAN accidents", "LIST SUBQUERY 1"])
    assert not search_plan.walks_an_index(
        ["SCAN accidents USING INDEX idx_a_city", "USE TEMP B-TREE FOR ORDER BY"]
    )


def test_searches_answer_the_same_with_the_search_plan(public_db, monkeypatch):
    """plugins/search_plan.py on the samples, made to rewrite every search (fewest matches 0):
    rows, counts and next-page tokens are those of Datasette's own queries, for common and rare
    terms, with a filter, on a second page, and sorted on a column without an index (which keeps
    Datasette's query); the pages did use the index walk and the FTS count."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    monkeypatch.setenv("DISCLOSURE_SEARCH_PLAN_MIN_MATCHES", "0")
    from urllib.parse import quote

    paths = [
        f"/public/enterprises.json?_search={quote('公司')}",
        f"/public/enterprises.json?_search={quote('有限公司')}&_size=5",
        f"/public/accidents.json?_search={quote('事故')}",
        f"/public/accidents.json?_search={quote('爆炸')}&city_name={quote('兰州市')}",
        f"/public/accidents.json?_search={quote('事故')}&_sort_desc=deaths",
        f"/public/enterprises.json?_search={quote('没有这个词')}",
        f"/public/credit_ratings.json?_search={quote('公司')}&_size=3",
    ]
    plain, planned = _served_without_and_with(public_db, monkeypatch, "DISCLOSURE_SEARCH_PLAN", paths)
    token = plain[paths[1]][0]["next"]
    assert token
    second = [f"{paths[1]}&_next={quote(token)}"]  # the second page
    more_plain, more_planned = _served_without_and_with(
        public_db, monkeypatch, "DISCLOSURE_SEARCH_PLAN", second
    )
    plain, planned = {**plain, **more_plain}, {**planned, **more_planned}

    def answer(data):
        return data["rows"], data["filtered_table_rows_count"], data["next"]

    assert {p: answer(d) for p, (d, _) in planned.items()} == {p: answer(d) for p, (d, _) in plain.items()}
    assert all(d["rows"] for d, _ in list(plain.values())[:4]) and plain[second[0]][0]["rows"]
    traced = {p: sqls for p, (_, sqls) in planned.items()}
    walked = [
        p
        for p, sqls in traced.items()
        if any("+rowid in (select rowid" in s and not s.startswith("explain") for s in sqls)
    ]
    assert set(walked) >= {paths[0], paths[1], paths[2]}, walked
    assert paths[4] not in walked  # deaths has no index: Datasette's query stays
    fts_counts = [
        s
        for s in traced[paths[0]]
        if s.startswith("select count(*) from enterprises_fts where enterprises_fts match")
    ]
    assert len(fts_counts) == 1, traced[paths[0]]  # counted once, for the plan and the page


# Serves paths (argv[3], JSON) with the project's configuration and the plugins of argv[1] on
# the database argv[2]; writes the pages' HTML to argv[4] as JSON.
PAGES_SCRIPT = """
import asyncio, json, sys
from pathlib import Path
from datasette.app import Datasette
from publish import datasette_serve

plugins, db, paths, out = sys.argv[1:]
kwargs = datasette_serve.datasette_kwargs()
kwargs["plugins_dir"] = plugins
ds = Datasette(immutables=[db], **kwargs)


async def run():
    return [(await ds.client.get(p)).text for p in json.loads(paths)]


Path(out).write_text(json.dumps(asyncio.run(run())), encoding="utf-8")
"""


def test_table_page_parts_built_in_python_match_the_template_loops(public_db, conn, tmp_path, monkeypatch):
    """disclosure_ui's picked_columns, head_html, rows_html, column_help_html, lookup_options,
    sort_options and fields_html write what the templates' own loops (kept as the fallback)
    write: the same pages, served with and without them, differ only in whitespace between tags.
    The pages cover default columns and all columns, cut text, coded values, numbers with units,
    links, and row pages (folded text, units, codes, empty fields)."""
    import shutil
    from urllib.parse import quote

    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    without = tmp_path / "plugins"
    shutil.copytree(datasette_serve.PLUGINS, without, ignore=shutil.ignore_patterns("__pycache__"))
    source = (without / "disclosure_ui.py").read_text(encoding="utf-8")
    helpers = {
        "picked_columns": "picked_columns",
        "rows_html": "rows_html",
        "head_html": "partial(head_html, datasette)",
        "column_help_html": "column_help_html",
        "lookup_options": "lookup_options",
        "sort_options": "sort_options",
        "fields_html": "fields_html",
    }
    for name, value in helpers.items():
        assert f'            "{name}": {value},\n' in source
        source = source.replace(f'            "{name}": {value},\n', "")
    (without / "disclosure_ui.py").write_text(source, encoding="utf-8")
    paths = [
        "/public/accidents",
        f"/public/accidents?city_name={quote('兰州市')}&deaths__gte=1&_sort=deaths",
        "/public/accidents?_columns=all&_sort_desc=direct_loss_yuan",
        "/public/accidents?_col=title&_col=deaths&_col=rect_status",
        "/public/enterprises?_sort_desc=name",
        "/public/credit_ratings?_facet=rater",
        "/public/rectification_assessments?_columns=all",
        "/public/evidence",
        "/public/documents",
        "/public/bans?_columns=all",
    ]
    for table, order in (
        ("accidents", "length(body_text) desc"),
        ("accidents", "direct_loss_yuan desc"),
        ("enterprises", "uscc_valid, id"),
        ("accountability", "fine_yuan desc"),
        ("evidence", "length(quote) desc"),
        ("documents", "id"),
    ):
        record = rows(conn, f"select id from {table} order by {order} limit 1")[0][0]
        paths.append(f"/public/{table}/{quote(str(record))}")

    def pages(plugins):
        # A process of its own for each plugin folder: Datasette registers a plugin module once
        # per process by its file name, so in this one the copy's disclosure_ui.py would be
        # skipped and both sides would use the helpers.
        out = tmp_path / f"{plugins.name}-{plugins.parent.name}.json"
        subprocess.run(
            [sys.executable, "-c", PAGES_SCRIPT, str(plugins), str(public_db), json.dumps(paths), str(out)],
            cwd=datasette_serve.ROOT,
            check=True,
        )
        return json.loads(out.read_text(encoding="utf-8"))

    def normal(html):
        html = re.sub(r"查询用时 [\d.]+ 毫秒", "", html)
        return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html))

    built, looped = pages(datasette_serve.PLUGINS), pages(without)
    for path, a, b in zip(paths, built, looped):
        if path.count("/") == 2:  # a table page: cells one string, or the loop's, spaced
            assert "<dt>" in a and 'data-label="' in a and 'value="exact"' in a, path
            assert "</td><td" in a and "</td><td" not in b, path
        else:
            assert '<dl class="record"><div class="field' in normal(a), path
            assert '</div><div class="field' in a and '</div><div class="field' not in b, path
        assert normal(a) == normal(b), path
    assert '<option value="deaths" selected>按死亡排序</option>' in built[1]
    every = "".join(built)
    for shown in ('class="coded"', "…</td>", ' short"', 'class="column-choice"', "<a href="):
        assert shown in every, shown
    assert re.search(r'data-label="[^"]+">\d{1,3}(,\d{3})+</td>', every), "thousands"
    for shown in (
        '<details class="long-text">',
        '<span class="approx">',
        'class="code-value"',
        "field-empty",
    ):
        assert shown in every, shown


def test_table_page_parts_escape_what_they_show():
    from publish.datasette.plugins import disclosure_ui

    bad = '<script>"x"</script>'
    assert "<script>" not in disclosure_ui.column_help_html({"c": bad}, {"c": bad})
    assert "<script>" not in disclosure_ui.lookup_options([("exact", bad, False)], None, {})
    assert "<script>" not in disclosure_ui.sort_options(
        [{"name": "c", "sortable": True}], {"c": bad}, None, None
    )
    for raw in (bad, bad * 20):  # a coded value, a folded long text
        cells = [{"column": bad, "raw": raw, "value": raw}, {"column": "n", "raw": 12345.5, "value": "x"}]
        html = disclosure_ui.fields_html(cells, [bad], {bad: bad}, {bad: {bad: bad}}, {"n": bad})
        assert "<script>" not in html and "12,345.5 &lt;script&gt;" in html
    assert disclosure_ui.lookup_options(
        [("isnull", "is null", True), ("exact", "=", False)], "exact", {"exact": "等于"}
    ) == ('<option value="isnull__1">is null</option><option value="exact" selected>等于</option>')


def test_facet_counts_are_the_counts_of_the_rows(conn):
    """etl/public_serving.py _add_facet_counts: every stored count is the count of its rows, and every
    value of a counted facet over a counted filter value is stored (tables with `facet_counts`)."""
    counted = {(t, f) for t, f in rows(conn, "select distinct table_name, filter_column from facet_counts")}
    assert ("enterprises", "industry") in counted and ("enterprises", "city_code") in counted
    assert ("enterprises", "uscc_valid") not in counted  # INTEGER: not a filter here
    for table, column in counted:
        totals = rows(
            conn,
            f"select {column}, count(*) from {table} where {column} is not null"
            f" group by {column} order by 1",
        )
        assert (
            rows(
                conn,
                "select filter_value, count from facet_counts where table_name = ? and"
                " filter_column = ? and facet_column = '' order by 1",
                (table, column),
            )
            == totals
        )
        for (other,) in rows(
            conn,
            "select distinct facet_column from facet_counts where table_name = ?"
            " and filter_column = ? and facet_column != ''",
            (table, column),
        ):
            expected = rows(
                conn,
                f"select {column}, {other}, count(*) from {table} where {column} is not"
                f" null and {other} is not null group by 1, 2 order by 1, 2",
            )
            assert (
                rows(
                    conn,
                    "select filter_value, value, count from facet_counts where table_name = ?"
                    " and filter_column = ? and facet_column = ? order by 1, 2",
                    (table, column, other),
                )
                == expected
            )


def test_facets_over_one_filter_answer_the_same_from_facet_counts(public_db, monkeypatch):
    """plugins/facet_counts.py: a facet over one facet filter and that page's count come from
    facet_counts, with the same values, counts, order and rows as Datasette's own queries; pages
    with two filters or a search are left to Datasette."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    from urllib.parse import quote

    with sqlite3.connect(public_db) as c:
        industries = [
            i
            for (i,) in c.execute(
                "select industry from enterprises where industry is not null"
                " group by industry order by count(*) desc limit 2"
            )
        ]
        city = c.execute(
            "select city_code from enterprises group by city_code order by count(*) desc"
        ).fetchone()[0]
        rating = c.execute(
            "select rating from credit_ratings group by rating order by count(*) desc"
        ).fetchone()[0]
    facets = "&_facet=city_code&_facet=uscc_valid&_facet=industry&_facet=link_flag"
    paths = [f"/public/enterprises.json?industry={quote(i)}{facets}" for i in industries] + [
        f"/public/enterprises.json?city_code={city}{facets}&_facet_size=3",
        f"/public/enterprises.json?industry={quote('没有这个行业')}{facets}",
        f"/public/credit_ratings.json?rating={quote(rating)}&_facet=industry&_facet=rating_year&_facet=region_code",
        f"/public/enterprises.json?industry={quote(industries[0])}&city_code={city}{facets}",
        f"/public/enterprises.json?industry={quote(industries[0])}&_search={quote('公司')}{facets}",
    ]

    plain, counted = _served_without_and_with(public_db, monkeypatch, "DISCLOSURE_FACET_COUNTS", paths)

    def answer(data):
        return (
            data["rows"],
            data["filtered_table_rows_count"],
            {k: (v["results"], v["truncated"]) for k, v in data["facet_results"].items()},
        )

    used = {p: sum("from facet_counts" in sql for sql in sqls) for p, (_, sqls) in counted.items()}
    plain = {p: answer(d) for p, (d, _) in plain.items()}
    counted = {p: answer(d) for p, (d, _) in counted.items()}
    assert counted == plain
    assert plain[paths[0]][1] > 0 and len(plain[paths[0]][2]["city_code"][0]) > 1
    assert plain[paths[3]][1] == 0
    # the count and four facets (the samples' default facets are computed as well: more)
    assert used[paths[0]] >= 5 and used[paths[2]] >= 5
    assert used[paths[4]] >= 4  # the count and three facets (rating_year is INTEGER: not a filter)
    assert used[paths[5]] == 0 and used[paths[6]] == 0  # two filters; a search


def test_a_facet_asked_for_twice_is_computed_and_shown_once(public_db, monkeypatch):
    """plugins/facet_configs.py: `_facet=city_name` on accidents (a metadata facet) or a `_facet`
    given twice runs that facet's SQL once and shows it once, as the metadata facet (not
    hideable); a request facet that is not in the metadata is still added and hideable."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    from datasette.tracer import capture_traces

    metadata_facets = schema.load()["tables"]["accidents"]["facets"]
    assert "city_name" in metadata_facets and "enterprise_name" not in metadata_facets
    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())

    async def served(path):
        traces: list = []
        with capture_traces(traces):
            response = await ds.client.get(path)
        assert response.status_code == 200, path
        facet_sql = [t["sql"] for t in traces if " as value, count(*) as count from" in t["sql"]]
        return response, facet_sql

    async def run():
        await ds.invoke_startup()
        return [
            await served(p)
            for p in (
                "/public/accidents.json?_facet=city_name",
                "/public/accidents.json?_facet=enterprise_name&_facet=enterprise_name",
                "/public/accidents?_facet=city_name&_facet=enterprise_name",
            )
        ]

    (plain, plain_sql), (twice, twice_sql), (page, _) = asyncio.run(run())
    results = plain.json()["facet_results"]
    assert list(results) == metadata_facets
    assert results["city_name"]["hideable"] is False and results["city_name"]["results"]
    assert sum("select city_name as value" in sql for sql in plain_sql) == 1
    assert list(twice.json()["facet_results"]) == metadata_facets + ["enterprise_name"]
    assert twice.json()["facet_results"]["enterprise_name"]["hideable"] is True
    assert sum("select enterprise_name as value" in sql for sql in twice_sql) == 1
    shown = re.findall(r'<div class="facet-info [^"]*" id="facet-(\w+)"', page.text)
    assert sorted(shown) == sorted(metadata_facets + ["enterprise_name"])


def test_facets_over_two_filters_answer_the_same_grouped_after_the_filter(public_db, monkeypatch):
    """plugins/facet_plan.py: a facet over two or more equality filters on other columns groups
    by +column, with the same values, counts and order as Datasette's own query; a facet on a
    filtered column, one filter, or a search is left as Datasette wrote it."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    from urllib.parse import urlencode

    facets = schema.load()["tables"]["accidents"]["facets"]
    with sqlite3.connect(public_db) as c:
        pairs = c.execute(
            "select year, accident_type, city_name, count(*) from accidents"
            " where year is not null and accident_type is not null and city_name is not null"
            " group by 1, 2, 3 order by 4 desc limit 3"
        ).fetchall()
    paths = []
    for year, kind, city, _ in pairs:
        paths.append(
            "/public/accidents.json?" + urlencode({"year": year, "accident_type": kind, "_facet_size": 3})
        )
        paths.append(
            "/public/accidents.json?" + urlencode({"year": year, "city_name": city, "accident_type": kind})
        )
    paths.append("/public/accidents.json?" + urlencode({"year": pairs[0][0]}))
    paths.append(
        "/public/accidents.json?"
        + urlencode({"year": pairs[0][0], "accident_type": pairs[0][1], "_search": "事故"})
    )
    paths.append("/public/accidents.json?" + urlencode({"year": pairs[0][0], "accident_type": "没有这一类"}))

    plain, planned = _served_without_and_with(public_db, monkeypatch, "DISCLOSURE_FACET_PLAN", paths)

    def answer(data):
        return data["rows"], {k: (v["results"], v["truncated"]) for k, v in data["facet_results"].items()}

    assert {p: answer(d) for p, (d, _) in planned.items()} == {p: answer(d) for p, (d, _) in plain.items()}
    assert any(len(v["results"]) > 1 for v in plain[paths[0]][0]["facet_results"].values())
    grouped = {p: sorted(re.findall(r"group by \+(\w+)", " ".join(sqls))) for p, (_, sqls) in planned.items()}
    assert grouped[paths[0]] == sorted(set(facets) - {"year", "accident_type"})
    assert grouped[paths[1]] == sorted(set(facets) - {"year", "accident_type", "city_name"})
    assert grouped[paths[-3]] == [] and grouped[paths[-2]] == []  # one filter; a search
    assert not [sql for _, sqls in plain.values() for sql in sqls if "group by +" in sql]


@pytest.mark.parametrize(
    "where, rewritten",
    [
        ('"year" = :p0 and "accident_type" = :p1', True),
        ('"year" = :p0 and "accident_type" = :p1 and "rect_status" = :p2', True),
        ('"year" = :p0', False),
        ('"year" = :p0 and "city_name" = :p1', False),  # the facet's own column is filtered
        ('"year" > :p0 and "accident_type" = :p1', False),
        ('"year" = :p0 or "accident_type" = :p1', False),
        (
            '"year" = :p0 and rowid in (select rowid from accidents_fts where accidents_fts match :search)',
            False,
        ),
    ],
)
def test_the_facet_plan_rewrites_only_facets_over_two_equality_filters(where, rewritten):
    from publish.datasette.plugins import facet_plan

    sql = (
        "select city_name as value, count(*) as count from (\n    select id, title, city_name from accidents"
        f" where {where} \n  )\n  where city_name is not null\n  group by city_name order by count desc, value limit 21"
    )
    out = facet_plan.rewrite(sql)
    assert (out is not None) is rewritten
    if rewritten:
        assert out == " ".join(sql.split()).replace("group by city_name", "group by +city_name")


def _served_without_and_with(public_db, monkeypatch, switch: str, paths: list[str]):
    """The JSON of each of `paths` and the SQL it ran, with the plugin that the environment
    variable `switch` turns off ("0"), then on: ({path: (json, [sql])}, {path: (json, [sql])})."""
    from datasette.tracer import capture_traces

    async def serve(enabled: bool) -> dict:
        monkeypatch.setenv(switch, "1" if enabled else "0")
        ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
        await ds.invoke_startup()
        out = {}
        for path in paths:
            traces: list = []
            with capture_traces(traces):
                response = await ds.client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            out[path] = (response.json(), [" ".join(t["sql"].split()) for t in traces])
        return out

    return asyncio.run(serve(False)), asyncio.run(serve(True))


def test_header_sort_links_are_datasettes_own():
    """disclosure_ui.head_html encodes the kept arguments once per page: each column's sort link
    is still what Datasette's path_with_replaced_args writes (the template's own link)."""
    from datasette.utils import path_with_replaced_args
    from datasette.utils.asgi import Request
    from markupsafe import escape

    from publish.datasette.plugins import disclosure_ui

    class Urls:
        @staticmethod
        def path(p):
            return p

    class FakeDatasette:
        urls = Urls()

    columns = [
        {"name": n, "sortable": True, "type": "TEXT", "notnull": 0, "is_pk": 0}
        for n in ("deaths", "名 称", "a&b")
    ]
    for query in (
        "",
        "?city_name=%E5%85%B0%E5%B7%9E%E5%B8%82&deaths__gte=1&_sort=deaths&_next=5",
        "?_search=%E5%8C%96%E5%B7%A5+%22x%22&_facet=year&_facet=city_name&_sort_desc=year",
    ):
        request = Request.fake("/public/accidents" + query)
        sort = request.args.get("_sort")
        sort_desc = request.args.get("_sort_desc")
        html = disclosure_ui.head_html(FakeDatasette(), columns, {}, request, sort, sort_desc)
        for column in columns:
            name = column["name"]
            key = "_sort_desc" if name == sort else "_sort"
            expected = path_with_replaced_args(
                request, {"_sort": None, "_sort_desc": None, "_next": None, key: name}
            )
            assert f'href="{escape(expected)}"' in html, (query, name)


def _inline_counts(ds) -> dict:
    return dict(
        ds.get_database("public").__dict__.get("_disclosure_inline_counts", {"inline": 0, "moved": 0})
    )


def test_queries_run_on_the_event_loop_and_slow_ones_move_to_the_sql_threads(public_db, monkeypatch):
    """plugins/inline_sql.py: a page's queries run inline (the same page as through the thread
    pool); a query past the budget is interrupted and run again in the pool with Datasette's own
    limit (same result); Datasette's limit below the budget is still Datasette's error."""
    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
    paths = [
        "/public/accidents?_facet=city_name&_sort=deaths",
        "/public/enterprises?_search=%E7%A4%BA%E4%BE%8B",
        "/public/blacklist.json?_shape=array",
    ]
    # about 100 ms of SQLite work: past a 20 ms budget, far inside the 1.5 s limit
    counting = (
        "with recursive c(x) as (select 1 union all select x + 1 from c where x < 400000)"
        " select count(*) as n from c"
    )

    async def pages():
        return [(await ds.client.get(p)).text for p in paths]

    def normal(html):
        return re.sub(r"查询用时 [\d.]+ 毫秒", "", html)

    monkeypatch.setenv("DISCLOSURE_SQL_INLINE_MS", "0")
    pooled = asyncio.run(pages())
    assert _inline_counts(ds) == {"inline": 0, "moved": 0}
    monkeypatch.setenv("DISCLOSURE_SQL_INLINE_MS", "20")
    inline = asyncio.run(pages())
    counts = _inline_counts(ds)
    assert counts["inline"] >= 6 and counts["moved"] == 0, counts
    assert list(map(normal, inline)) == list(map(normal, pooled))

    from urllib.parse import quote

    response = asyncio.run(ds.client.get("/public.json?_shape=array&sql=" + quote(counting)))
    assert response.status_code == 200 and response.json() == [{"n": 400000}]
    assert _inline_counts(ds)["moved"] == counts["moved"] + 1

    limited = asyncio.run(ds.client.get("/public.json?_timelimit=5&sql=" + quote(counting)))
    assert limited.status_code == 400 and "too long" in limited.text
    assert _inline_counts(ds)["moved"] == counts["moved"] + 1  # Datasette's limit: not moved


@pytest.mark.parametrize("archive", ["", "http://127.0.0.1:8000/archive/"])
def test_document_links_are_the_markup_datasette_would_format(public_db, monkeypatch, archive):
    """plugins/disclosure_ui.py _document_links (every row's 来源文件 cell): the markup
    Markup.format with datasette.urls.row gave, for found, missing and hostile documents."""
    from datasette.plugins import pm
    from markupsafe import Markup

    monkeypatch.setenv("DISCLOSURE_ARCHIVE_URL", archive)
    ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
    ui = next(m for m in pm.get_plugins() if (getattr(m, "__file__", "") or "").endswith("disclosure_ui.py"))
    documents = [
        {},
        {"url": None, "archive_path": None},
        {"url": "https://example.org/a?b=1&c=<2>", "archive_path": "ab/cd.gz"},
        {"url": 'http://x.org/"onmouseover="alert(1)', "archive_path": '"><script>'},
        {"url": "ftp://example.org/x", "archive_path": ""},
        {"url": "javascript:alert(1)", "archive_path": None},
    ]

    def expected(document_id, found):
        row_link = ds.urls.row("public", "documents", str(document_id))
        parts = [Markup('<a href="{}">文件 {}</a>').format(row_link, document_id)]
        if found and found["archive_path"] and ui.archive_url(ds):
            parts.append(
                Markup('<a href="{}">存档副本</a>').format(ui.archive_url(ds) + found["archive_path"])
            )
        if found and (found["url"] or "").startswith(("http://", "https://")):
            parts.append(Markup('<a href="{}" rel="nofollow">原网址</a>').format(found["url"]))
        return Markup(" · ").join(parts)

    async def run():
        await ds.invoke_startup()
        out = []
        for number, found in enumerate(documents):

            async def fake(datasette, database, document_id, found=found):
                return found

            monkeypatch.setattr(ui, "_document", fake)
            for document_id in (number, f"d<{number}>"):
                got = await ui._document_links(ds, "public", document_id)()
                out.append((got, expected(document_id, found)))
        return out

    for got, want in asyncio.run(run()):
        assert type(got) is Markup and got == want
    assert any("存档副本" in got for got, _ in asyncio.run(run())) is bool(archive)


def test_templates_are_looked_up_once(public_db, monkeypatch):
    """plugins/template_cache.py: after a page's first request its templates cost no file
    lookups (Jinja's reload check and the names no folder has); the pages are the same, and
    DISCLOSURE_TEMPLATE_RELOAD=1 keeps Jinja's checks."""
    import os

    monkeypatch.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
    paths = [
        "/public/accidents",
        "/public/enterprises?_search=%E7%A4%BA%E4%BE%8B",
        "/public/accidents/1",
        "/public",
        "/-/versions",
    ]

    def served(reload: str):
        monkeypatch.setenv("DISCLOSURE_TEMPLATE_RELOAD", reload)
        ds = Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())
        stat, calls = os.stat, []

        def counting(*args, **kwargs):
            calls.append(args[0])
            return stat(*args, **kwargs)

        async def run():
            first = [(await ds.client.get(p)).text for p in paths]
            monkeypatch.setattr(os, "stat", counting)
            again = [(await ds.client.get(p)).text for p in paths]
            monkeypatch.setattr(os, "stat", stat)
            return first, again

        first, again = asyncio.run(run())
        return first, again, [c for c in calls if str(c).endswith(".html")]

    def normal(pages):
        return [re.sub(r"查询用时 [\d.]+ 毫秒", "", page) for page in pages]

    first, again, lookups = served("0")
    assert normal(first) == normal(again) and lookups == []
    reloaded_first, _, reload_lookups = served("1")
    assert len(reload_lookups) >= len(paths)
    assert normal(reloaded_first) == normal(first)
