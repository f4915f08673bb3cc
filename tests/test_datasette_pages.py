"""Datasette pages a journalist can read (docs/datasette.md): row pages as a list of labelled fields,
table pages with the data dictionary's default columns, coded values in Chinese on HTML pages
(codes in JSON and CSV), and axe-core in headless Chromium on every page type at desktop and
phone width, against a real server started as `make datasette` starts it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from datasette.app import Datasette

from etl import schema
from publish import datasette_serve
from tests._browser import chromium
from tests._datasette_server import serving

ROOT = Path(__file__).resolve().parent.parent
QUERIES = yaml.safe_load((ROOT / "publish" / "datasette" / "queries.yml").read_text(encoding="utf-8"))
TABLES = schema.for_database("public")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def ds(public_db):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
        return Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())


def get(ds, path):
    return asyncio.run(ds.client.get(path))


def first(public_db, sql, *params):
    conn = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchone()
    finally:
        conn.close()


# ------------------------------------------------------------------ data dictionary


def test_default_columns_and_codes_name_real_columns():
    for name, spec in TABLES.items():
        chosen = spec.get("default_columns") or []
        assert set(chosen) <= set(spec["columns"]), name
        if len(spec["columns"]) > 12 and not spec.get("hidden"):
            assert 7 <= len(chosen) <= 12, f"{name}: {len(chosen)} default columns"
    coded = {(t, c) for t, spec in TABLES.items() for c, col in spec["columns"].items() if col.get("codes")}
    assert {
        ("accidents", "rect_status"),
        ("blacklist", "status"),
        ("evidence", "method"),
        ("evidence", "confidence"),
        ("evidence", "field"),
        ("accountability", "subject_type"),
    } <= coded


def test_every_stored_code_has_a_chinese_label(public_db):
    conn = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    missing = []
    for table, spec in TABLES.items():
        for column, col in spec["columns"].items():
            if col.get("codes"):
                values = {
                    str(v)
                    for (v,) in conn.execute(
                        f"select distinct [{column}] from [{table}] where [{column}] is not null and [{column}] != ''"
                    )
                }
                missing += [(table, column, v) for v in values - {str(k) for k in col["codes"]}]
    conn.close()
    assert missing == []


def test_the_guide_explains_the_data_and_every_link_it_gives_works(ds):
    import re

    page = get(ds, "/guide").text
    for heading in ("浏览和筛选", "搜索", "常用查询", "下载", "自定义 SQL", "理解和引用数据"):
        assert f">{heading}</h2>" in page, heading
    links = sorted(set(re.findall(r'href="(/public[^"#]*)"', page)))
    assert len(links) >= 12
    for link in links:
        assert get(ds, link).status_code == 200, link
    assert 'href="/guide"' in get(ds, "/").text  # linked from the home page and every footer


def test_evidence_names_the_fact_it_supports_in_chinese(ds):
    page = get(ds, "/public/evidence?field=deaths").text
    assert '<span class="coded" title="代码：deaths">死亡人数</span>' in page
    assert get(ds, "/public/evidence.json?field=deaths&_shape=array&_size=1").json()[0]["field"] == "deaths"


# ------------------------------------------------------------------ table pages


def test_table_page_shows_default_columns_and_links_the_others(ds):
    page = get(ds, "/public/accidents").text
    chosen = TABLES["accidents"]["default_columns"]
    headers = [h.split('"')[0] for h in page.split('scope="col" data-column="')[1:]]
    assert headers == chosen
    assert "显示全部字段" in page and "_columns=all" in page
    wide = get(ds, "/public/accidents?_columns=all").text
    assert 'data-column="body_text"' in wide and "只显示常用字段" in wide
    # the JSON keeps every column
    row = get(ds, "/public/accidents.json?_shape=array&_size=1").json()[0]
    assert set(row) == set(TABLES["accidents"]["columns"])


def test_long_text_is_cut_in_cells(ds, public_db):
    page = get(ds, "/public/rectification_assessments").text
    (summary,) = first(
        public_db,
        "select summary from rectification_assessments"
        " where length(summary) > 80 order by assessed_on desc limit 1",
    )
    assert summary[:60] + "…" in page and summary not in page


def test_coded_values_in_chinese_on_html_and_codes_in_json_and_csv(ds, public_db):
    (code,) = first(
        public_db, "select rect_status from accidents group by rect_status order by count(*) desc"
    )
    zh = TABLES["accidents"]["columns"]["rect_status"]["codes"][code]
    page = get(ds, f"/public/accidents?rect_status={code}&_facet=rect_status").text
    assert f'<span class="coded" title="代码：{code}">{zh}</span>' in page  # cells
    assert f"{zh} &middot;" in page  # selected facet value
    assert f"整改评估状态 等于 {zh}" in page  # active filter
    facet = get(ds, "/public/accidents?_facet=rect_status").text
    assert f">{zh}</a>" in facet and f">{code}</a>" not in facet
    rows = get(ds, f"/public/accidents.json?_shape=array&rect_status={code}").json()
    assert rows and {r["rect_status"] for r in rows} == {code}
    table = list(csv.DictReader(io.StringIO(get(ds, f"/public/accidents.csv?rect_status={code}").text)))
    assert {r["rect_status"] for r in table} == {code}
    # a query's column named like a coded column (the same codes in every table that has it)
    query = get(
        ds, "/public?sql=" + quote(f"select rect_status from accidents where rect_status = '{code}'")
    ).text
    assert f'<span class="coded" title="代码：{code}">{zh}</span>' in query


# ------------------------------------------------------------------ row pages


def test_row_page_is_a_list_of_labelled_fields(ds, public_db):
    acc_id, body, enterprise_id, document_id = first(
        public_db,
        "select id, body_text, enterprise_id, document_id from accidents"
        " where enterprise_id is not null order by length(body_text) desc limit 1",
    )
    page = get(ds, f"/public/accidents/{acc_id}").text
    assert (
        '<dl class="record">' in page
        and "<table" not in page.split('<dl class="record">')[1].split("</dl>")[0]
    )
    assert '<span class="field-label">发生日期</span> <code class="field-name">occurred_on</code>' in page
    assert '<details class="long-text">' in page and "展开全文" in page
    assert f"/public/enterprises/{enterprise_id}" in page
    assert f"/public/documents/{document_id}" in page
    assert f"accidents/{acc_id}/" in page  # the public site's page (plugins/disclosure_ui.py)
    deaths = first(public_db, "select deaths from accidents where id = ?", acc_id)[0]
    if deaths is not None:
        assert f"{deaths:,} 人" in page


# ------------------------------------------------------------------ in the browser


def _pages(public_db) -> dict[str, str]:
    acc = first(public_db, "select id from accidents order by length(body_text) desc limit 1")[0]
    ent = first(public_db, "select id from enterprises limit 1")[0]
    pages = {
        "index": "/",
        "database": "/public",
        "table": "/public/accidents",
        "table-all-columns": "/public/accidents?_columns=all",
        "table-enterprises": "/public/enterprises",
        "filtered": "/public/accidents?rect_status=overdue&_facet=rect_status",
        "search": "/public/accidents?_search=" + quote("事故"),
        "facet": "/public/accidents?_facet=rect_status&_facet=industry",
        "row": f"/public/accidents/{acc}",
        "row-enterprise": f"/public/enterprises/{quote(ent)}",
        "sql": "/public?sql=" + quote("select 1"),
        "guide": "/guide",
        "copyable": "/public/accidents.copyable",  # datasette-copyable
        "notebook": "/public/accidents.Notebook",  # datasette-export-notebook
        "error-404": "/public/nonexistent",
        "error-400": "/public/accidents?_sort=nope",
    }
    # the further disclosures' tables (coded values as Chinese labels), one filtered on a code
    for table in (
        "hazards",
        "hazard_events",
        "penalties",
        "inspections",
        "agencies",
        "agency_actions",
        "agency_reports",
        "projects",
    ):
        pages["table-" + table] = f"/public/{table}"
    pages["filtered-hazards"] = "/public/hazards?status=overdue&_facet=status"
    pages.update({"query-" + name: f"/public/{name}" for name in QUERIES})
    return pages


@pytest.fixture(scope="module")
def server(public_db, tmp_path_factory):
    with serving(public_db, tmp_path_factory.mktemp("pages") / "datasette.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (npm ci)")
@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_accessibility_violation_on_any_page_type(server, browser, public_db, width):
    source = AXE.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    found = []
    try:
        for name, path in _pages(public_db).items():
            page.goto(server + path)
            page.evaluate(source)  # through the DevTools protocol: the page's CSP does not apply
            result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations']})""")
            found += [
                (name, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
    finally:
        page.close()
    assert found == []
    # 404/400 pages log their status as a console error; nothing else may (e.g. a CSP refusal)
    assert [e for e in errors if "status of 40" not in e] == []


def test_no_inline_style_is_needed_and_the_sql_editor_keeps_its_look(server, browser, public_db):
    """style-src has no 'unsafe-inline' (plugins/security_headers.py): no page may be refused a
    style, and the SQL editor's fixed style block (allowed by its hash) still applies."""
    import httpx

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(
        "window.__refused = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__refused.push(e.violatedDirective + ' ' + (e.sample || e.blockedURI)))"
    )
    refused = []
    try:
        for name, path in _pages(public_db).items():
            csp = httpx.get(server + path, timeout=30).headers["content-security-policy"]
            assert "unsafe-inline" not in csp and "unsafe-hashes" not in csp, name
            page.goto(server + path)
            refused += [(name, r) for r in page.evaluate("window.__refused")]
            if name == "sql":
                editor = page.wait_for_selector(".CodeMirror")
                assert editor.evaluate("e => getComputedStyle(e).minHeight") == "70px"
    finally:
        page.close()
    assert refused == []


@pytest.mark.parametrize("width", WIDTHS)
def test_accidents_table_and_row_page_fit_the_screen(server, browser, public_db, width):
    acc = first(public_db, "select id from accidents order by length(body_text) desc limit 1")[0]
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for path in ("/public/accidents", f"/public/accidents/{acc}"):
            page.goto(server + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, path
            overflow = page.evaluate("""() => [...document.querySelectorAll('.table-wrapper')]
                .map(e => e.scrollWidth - e.clientWidth)""")
            assert all(o <= 1 for o in overflow), (path, overflow)
    finally:
        page.close()
