"""The site as people meet it: served on 127.0.0.1 and opened in headless Chromium (Debian's,
driven by Playwright; never a downloaded browser). One browser launch for the whole module.

Checks: home, search, an enterprise page, an accident page and the 12350 guide load with no
console error and no request to any host but 127.0.0.1; a Chinese company-name query (and a
traditional-script one, and a 统一社会信用代码) reaches the right enterprise; the accident filter
works; axe-core finds no serious or critical violation on the main page types; keyboard and print.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests import _site_fixture as fx
from tests._browser import chromium
from tests.httpd import serve

AXE = fx.ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    return fx.sample_site(request, tmp_path_factory)


@pytest.fixture(scope="module")
def base(site):
    with serve(site.output) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


class Watched:
    """A page that records console errors, page errors, failed loads and foreign requests."""

    def __init__(self, browser, base, **kwargs):
        self.page = browser.new_page(**kwargs)
        self.problems: list[str] = []
        host = urlsplit(base).hostname
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        # ERR_ABORTED: a load cut short by navigation (an exact search match opens its page)
        self.page.on(
            "requestfailed",
            lambda r: "ERR_ABORTED" not in (r.failure or "")
            and self.problems.append(f"failed: {r.url} {r.failure}"),
        )
        self.page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{r.status}: {r.url}"))
        self.page.on(
            "request",
            lambda r: urlsplit(r.url).scheme in ("http", "https")
            and urlsplit(r.url).hostname != host
            and self.problems.append(f"foreign request: {r.url}"),
        )

    def close(self):
        self.page.close()


@pytest.fixture()
def watched(browser, base):
    w = Watched(browser, base)
    yield w
    w.close()


def _subject(site):
    """An enterprise with an accident (the richest page) and an accident (overdue if any)."""
    d = site.data()
    ent = next((e for e in d.enterprise_pages if d.accidents_by_ent.get(e["id"])), d.enterprise_pages[0])
    acc = next((a for a in d.accidents if a.get("rect_status") == "overdue"), d.accidents[0])
    return ent, acc


def test_main_pages_load_cleanly_and_stay_on_127_0_0_1(site, base, watched):
    ent, acc = _subject(site)
    page = watched.page
    for path, must_see in [
        ("/", "最新公开的事故调查报告"),
        ("/" + ent["path"], ent["name"]),
        ("/" + acc["path"], acc["title"]),
        ("/12350/", "12350"),
        ("/search/?q=" + quote("事故"), "全文检索"),
    ]:
        page.goto(base + path)
        if "?q=" in path:
            page.wait_for_selector("#search-status:has-text('全文检索')")
        assert must_see in page.inner_text("main"), path
    assert page.locator("#full-list li").count() > 0
    assert watched.problems == []


def test_chinese_company_name_query_reaches_the_enterprise(site, base, watched):
    ent, _ = _subject(site)
    page = watched.page
    name = ent["name"]
    partial = name[2:-4] if len(name) > 8 else name[:-1]
    page.goto(base + "/search/")
    page.fill("#q", partial)
    page.press("#q", "Enter")
    link = page.locator(f'#exact-list a[href="/{ent["path"]}"], #full-list a[href="/{ent["path"]}"]')
    link.first.wait_for(timeout=15000)
    # the full name, typed on the home page, opens the enterprise page in one step
    page.goto(base + "/")
    page.fill("#q-home", name)
    page.press("#q-home", "Enter")
    page.wait_for_url(base + "/" + ent["path"], timeout=15000)
    assert page.locator("h1").inner_text() == name
    assert watched.problems == []


def test_traditional_script_and_code_queries(site, base, watched):
    ent, _ = _subject(site)
    import opencc

    page = watched.page
    page.goto(base + "/search/?q=" + quote(opencc.OpenCC("s2t").convert(ent["name"])))
    page.wait_for_url(base + "/" + ent["path"], timeout=15000)
    if ent.get("uscc"):
        page.goto(base + "/search/?q=" + quote(ent["uscc"].lower()))
        page.wait_for_url(base + "/" + ent["path"], timeout=15000)
    assert watched.problems == []


def test_accident_list_filters_on_the_client(site, base, watched):
    page = watched.page
    page.goto(base + "/accidents/")
    options = page.locator("#f-grade option").all_inner_texts()[1:]
    assert options, "no grade to filter by"
    grade = options[-1]
    page.select_option("#f-grade", label=grade)
    page.click("#filter button[type=submit]")
    page.wait_for_selector("#filter-status:has-text('筛选结果')")  # (the CSP forbids string evaluation)
    cells = page.locator("#accident-table tbody tr td:nth-child(4)").all_inner_texts()
    d = site.data()
    assert cells and set(cells) == {grade}
    assert len(cells) == min(100, sum(1 for a in d.accidents if a.get("grade") == grade))
    assert "grade=" in page.url
    assert watched.problems == []


def _other_disclosures(site) -> list[str]:
    """The list pages of hazards, enforcement, agencies and projects, and one record page of each
    kind that has one (the first of each, when the database has them)."""
    d = site.data()
    found = ["/hazards/", "/enforcement/", "/enforcement/inspections/", "/agencies/", "/projects/"]
    for records in (d.hazards, d.agencies, d.projects):
        if records:
            found.append("/" + records[0]["path"])
    return found


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (npm ci)")
def test_no_serious_accessibility_violation(site, base, watched):
    ent, acc = _subject(site)
    source = AXE.read_text(encoding="utf-8")
    page = watched.page
    found = []
    for path in [
        "/",
        "/accidents/",
        "/" + acc["path"],
        "/" + ent["path"],
        "/blacklist/",
        "/rectification/",
        "/statistics/",
        "/data/",
        "/12350/",
        "/search/?q=" + quote("事故"),
        *_other_disclosures(site),
    ]:
        page.goto(base + path)
        if "?q=" in path:
            page.wait_for_selector("#search-status:has-text('全文检索')")
        # injected through the DevTools protocol, so the page's CSP does not apply to it
        page.evaluate(source)
        result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']})""")
        for v in result["violations"]:
            if v["impact"] in ("serious", "critical"):
                found.append((path, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]))
    assert found == []


def test_keyboard_skip_link_and_print_stylesheet(base, browser):
    w = Watched(browser, base)
    page = w.page
    page.goto(base + "/12350/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible() and page.locator("main h1").is_visible()
    after = page.evaluate(
        "getComputedStyle(document.querySelector('main a[href^=\"tel:\"]'), '::after').content"
    )
    assert "tel:12350" in after
    w.close()
    assert w.problems == []


def test_phone_width_nothing_overflows_sideways(site, base, browser):
    """At 390 px (a phone) the navigation wraps into rows and no page scrolls sideways (wide
    tables scroll inside their own region)."""
    ent, acc = _subject(site)
    w = Watched(browser, base, viewport={"width": 390, "height": 844})
    page = w.page
    for path in ["/", "/" + ent["path"], "/" + acc["path"], *_other_disclosures(site)]:
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        links = page.locator(".site-nav a")
        assert links.count() >= 10 and all(
            box["x"] >= 0 and box["x"] + box["width"] <= 390
            for box in (links.nth(i).bounding_box() for i in range(links.count()))
        ), path
    w.close()
    assert w.problems == []
