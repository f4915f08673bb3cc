"""The maintained Datasette plugins the configuration uses (docs/datasette.md, "Maintained plugins"):
datasette-block-robots serves /robots.txt as configured in metadata.yml; datasette-copyable's
`.copyable` text of a table and a canned query holds no live spreadsheet formula
(plugins/export_formats.py); datasette-export-notebook's page; both pages in Chinese, without
inline script or style, and, in headless Chromium against a real server, without a request
outside the host or a refusal by the CSP.
"""

from __future__ import annotations

import asyncio
import csv
import html
import importlib.util
import io
import re
from pathlib import Path

import httpx
import pytest
from datasette.app import Datasette

from publish import datasette_serve
from publish.datasette import metadata as metadata_gen
from tests import _fixture_db as cases
from tests._browser import chromium
from tests._datasette_server import serving
from tests.test_csv_formulas import HOSTILE, NEG_INT, NEG_REAL, _add_enterprises, assert_no_live_formula

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "publish" / "datasette" / "plugins"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.S)


def quoted(value):
    """What a copyable cell holds for a stored value: text that would start a formula gets a
    single quote in front (the renderer sees the types, so a text "-5" is quoted too)."""
    if isinstance(value, str) and value[:1] and value[0] in "=+-@\t\r":
        return "'" + value
    return "" if value is None else str(value)


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    db = cases.make_public_db(tmp_path_factory.mktemp("maintained-plugins") / "public.db")
    _add_enterprises(db)
    return db


@pytest.fixture(scope="module")
def ds(hostile_db):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
        return Datasette(immutables=[str(hostile_db)], **datasette_serve.datasette_kwargs())


def get(ds, path, **params):
    response = asyncio.run(ds.client.get(path, params=params or None))
    assert response.status_code == 200, (path, response.text[:500])
    return response


def tsv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))


def by_key(rows: list[list[str]], key: str) -> dict[str, dict[str, str]]:
    return {r[rows[0].index(key)]: dict(zip(rows[0], r)) for r in rows[1:]}


def assert_chinese_page_without_inline_code(page: str) -> None:
    """The plugin's page (base.html's own inline script is allowed by its hash)."""
    assert 'lang="zh-CN"' in page
    head, main = page.split("</head>")[0], page.split('<main id="main"')[1].split("</main>")[0]
    for part in (head, main):
        assert not INLINE_SCRIPT.search(part) and "<style" not in part and " style=" not in part
    assert "/static/copy.js" in head and "/static/copy.css" in head


# ------------------------------------------------------------------ robots.txt


def test_robots_txt_lets_crawlers_read_the_home_page_only(ds):
    assert not (PLUGINS / "robots.py").exists()  # datasette-block-robots serves it
    response = get(ds, "/robots.txt")
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == metadata_gen.ROBOTS_TXT
    rules = [line for line in response.text.splitlines() if line and not line.startswith("#")]
    assert rules == ["User-agent: *", "Allow: /$", "Disallow: /"]
    assert ds.plugin_config("datasette-block-robots") == {"literal": metadata_gen.ROBOTS_TXT}


# ------------------------------------------------------------------ datasette-copyable


def test_copyable_is_the_formula_guarded_renderer(ds):
    render, _ = ds.renderers["copyable"]
    assert render.__name__ == "render_neutralized"  # plugins/export_formats.py, not the plugin's own


def test_copyable_table_quotes_formula_cells_and_keeps_numbers(ds):
    rows = tsv(get(ds, "/public/enterprises.copyable", _raw="1", uscc_valid="0", _size="max").text)
    found = by_key(rows, "id")
    for eid, value in HOSTILE.items():
        assert found[eid]["name"] == quoted(value), eid
        assert found[eid]["uscc_problem"] == quoted(value), eid
        assert found[eid]["first_seen_run"] == str(NEG_INT) and found[eid]["last_seen_run"] == str(NEG_REAL)
    assert found["ent-h09"]["name"] == "'-5"  # text, though it looks like a number
    assert_no_live_formula(rows)


def test_copyable_canned_query_and_sql_quote_formula_cells(ds):
    rows = tsv(get(ds, "/public/uscc_check_failed.copyable", _raw="1", city="").text)
    found = by_key(rows, "enterprise_id")
    assert {eid: found[eid]["企业名称"] for eid in HOSTILE} == {e: quoted(v) for e, v in HOSTILE.items()}
    assert_no_live_formula(rows)
    sql = "select id, name, -3 as neg, '=cmd' as \"=header\" from enterprises where id like 'ent-h%'"
    rows = tsv(get(ds, "/public.copyable", _raw="1", sql=sql).text)
    assert rows[0] == ["id", "name", "neg", "'=header"]
    assert all(r[2:] == ["-3", "'=cmd"] for r in rows[1:])
    assert_no_live_formula(rows)


def test_copyable_other_formats_get_the_same_cells(ds):
    text = get(ds, "/public/enterprises.copyable", _raw="1", uscc_valid="0", _table_format="github").text
    assert "'=HYPERLINK(" in text and "| =HYPERLINK(" not in text and "| @SUM" not in text


def test_a_foreign_key_label_is_quoted_too():
    spec = importlib.util.spec_from_file_location("export_formats_under_test", PLUGINS / "export_formats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.neutralize({"value": "ent-h01", "label": "=1+2"}) == {"value": "ent-h01", "label": "'=1+2"}
    assert module.neutralize(-5) == -5 and module.neutralize(None) is None


def test_copyable_page_is_chinese_and_holds_the_quoted_text(ds):
    for path, params in (
        ("/public/enterprises.copyable", {"uscc_valid": "0", "_size": "max"}),
        ("/public/uscc_check_failed.copyable", {"city": ""}),
    ):
        page = get(ds, path, **params).text
        assert "复制表格（tsv）" in page and "复制到剪贴板" in page and "纯文本" in page, path
        assert_chinese_page_without_inline_code(page)
        text = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1))
        assert "'=HYPERLINK(" in text
        assert_no_live_formula(tsv(text))


def test_export_links_name_the_new_formats_in_chinese(ds):
    for path in ("/public/enterprises", "/public/uscc_check_failed?city=", "/public/enterprises/ent-h10"):
        links = re.search(r"导出：(.*?)</(?:p|li)>", get(ds, path).text).group(1)
        assert ">复制表格</a>" in links and ">导出到笔记本</a>" in links, path
        assert ">copyable<" not in links and ">Notebook<" not in links, path


# ------------------------------------------------------------------ datasette-export-notebook


def test_notebook_page_gives_pandas_code_for_a_table_and_a_canned_query(ds):
    page = get(ds, "/public/enterprises.Notebook", uscc_valid="0").text
    assert "在笔记本中使用这" in page and "pandas.read_json(" in page
    assert "/public/enterprises.json?uscc_valid=0&amp;_shape=array" in page
    assert_chinese_page_without_inline_code(page)
    page = get(ds, "/public/uscc_check_failed.Notebook", city="").text
    assert "/public/uscc_check_failed.json?city=&amp;_shape=array" in page
    assert_chinese_page_without_inline_code(page)


# ------------------------------------------------------------------ in the browser, a real server


@pytest.fixture(scope="module")
def server(public_db, tmp_path_factory):
    with serving(public_db, tmp_path_factory.mktemp("maintained") / "datasette.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


PAGES = (
    "/public/accidents",
    "/public/accidents.copyable",
    "/public/accidents.copyable?_table_format=github",
    "/public/accidents.Notebook",
    "/public/deaths_by_year_city",
    "/public/deaths_by_year_city.copyable?since_year=&city=",
    "/public/deaths_by_year_city.Notebook?since_year=&city=",
)


def test_real_server_serves_robots_txt(server):
    response = httpx.get(server + "/robots.txt")
    assert response.status_code == 200 and response.text == metadata_gen.ROBOTS_TXT


def test_pages_request_nothing_outside_the_host_and_nothing_is_refused(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.add_init_script(
        "window.__refused = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__refused.push(e.violatedDirective + ' ' + (e.sample || e.blockedURI)))"
    )
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    refused = []
    try:
        for path in PAGES:
            page.goto(server + path, wait_until="networkidle")
            refused += [(path, r) for r in page.evaluate("window.__refused")]
    finally:
        context.close()
    assert [u for u in requests if not u.startswith(server + "/")] == []
    assert refused == [] and errors == []


def test_copy_button_copies_the_table_text(server, browser):
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    try:
        page.goto(server + "/public/deaths_by_year_city.copyable?since_year=&city=")
        text = page.input_value("#copyable-text")
        assert text.startswith("年份\t市州\t")
        page.click("button[data-copy]")
        page.wait_for_function("document.querySelector('button[data-copy]').textContent === '已复制'")
        assert page.evaluate("navigator.clipboard.readText()") == text
    finally:
        context.close()
