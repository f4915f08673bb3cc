"""The pages of the other disclosures: 重大事故隐患挂牌督办 (/hazards/), 行政处罚 and 双随机抽查
(/enforcement/), 安全评价/检测检验机构 (/agencies/), 重大建设项目立项前公示 (/projects/), and what the
enterprise and home pages, the feeds and the search index show of them.

The site is the sample site (conftest.py ``public_db``: the real ETL on data/samples); each test
takes its records from that public database and checks that the page says what the row says.
The enterprise-page policy is checked on the planted fixture database with a few rows added.
"""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from plugins.disclosure import dictionary, pages_more
from tests import _fixture_db as cases
from tests import _site_fixture as fx
from tests.test_site_build import ATOM, main_text, parse

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    return fx.sample_site(request, tmp_path_factory)


@pytest.fixture(scope="module")
def d(site):
    return site.data()


@pytest.fixture(scope="module")
def labels():
    return pages_more.Labels(dictionary.load(fx.ROOT / "etl" / "schema.yaml"))


def rows(site, sql: str, *args) -> list[dict]:
    conn = sqlite3.connect(f"file:{site.db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def need(found: list, what: str) -> list:
    """The sample run must have these records (data/samples plants them)."""
    if not found:
        pytest.fail(f"the sample public database has no {what} (data/samples not regenerated?)")
    return found


def e(text) -> str:
    """A source value as the page prints it (escaped)."""
    return html.escape(str(text), quote=False)


def section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0]


def list_pages(site, base: str) -> list[str]:
    """A paginated list: its first page and every /page/N/ after it, in order."""
    found, n = [site.read(base)], 2
    while site.path(f"{base}page/{n}/").is_file():
        found.append(site.read(f"{base}page/{n}/"))
        n += 1
    return found


def table_body(page: str, after: str = "") -> str:
    rest = page.split(after, 1)[1] if after else page
    return rest.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


# ---------------------------------------------------------------- every page type


def test_each_new_page_type_exists(site, d):
    for url in ("/hazards/", "/enforcement/", "/enforcement/inspections/", "/agencies/", "/projects/"):
        assert site.path(url).is_file(), url
    need(d.hazards, "hazards")
    need(d.agencies, "agencies")
    need(d.projects, "projects")
    for record in d.hazards + d.agencies + d.projects:
        assert site.path("/" + record["path"]).is_file(), record["id"]
    for status in pages_more.HAZARD_ORDER:
        assert site.path(f"/hazards/status/{status}/").is_file(), status
    sitemap = site.read("/sitemap.xml")
    assert "/hazards/" in sitemap and d.projects[0]["path"] in sitemap and d.agencies[0]["path"] in sitemap
    home = site.read("/")
    for href in ("/hazards/", "/enforcement/", "/agencies/", "/projects/"):
        assert f'<a href="{href}"' in home.split('class="site-nav"', 1)[1].split("</nav>", 1)[0], href


def test_hazard_page_shows_the_listing_the_status_and_how_to_report(site, d, labels):
    h = need([h for h in d.hazards if h.get("status") == "overdue" and h.get("deadline")], "overdue hazard")[
        0
    ]
    page = site.read("/" + h["path"])
    text = main_text(page)
    for fact in (h["enterprise_name"], h["hazard"], h["listed_on"], h["deadline"]):
        assert e(fact) in page, fact
    for fact in ("notice_no", "supervising_authority", "responsible_authority", "location"):
        if h.get(fact):
            assert e(h[fact]) in page, fact
    # the overdue label of the public database, in red, from the day after the deadline
    assert h["status_zh"] == "逾期未见销号公告"
    assert f'status-overdue">{h["status_zh"]}</span>' in page
    since = (date.fromisoformat(h["deadline"]) + timedelta(days=1)).isoformat()
    assert f"自 {since} 起" in text
    # the call to action: 12350 and the guide
    assert "隐患仍未整改？" in text and 'href="tel:12350"' in page and 'href="/12350/#channels"' in page
    if h.get("enterprise_path"):
        assert f'href="/{h["enterprise_path"]}"' in page


def test_hazard_events_are_on_the_hazard_page_with_their_dates(site, d, labels):
    events = need(
        [e_ for e_ in d.hazard_events if e_.get("hazard_path") and e_["event_on"] <= d.as_of],
        "hazard event linked to a hazard",
    )
    for event in events[:10]:
        page = site.read("/" + event["hazard_path"])
        steps = page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
        kind = labels.label("hazard_events", "event", event)
        assert re.search(
            rf'<span class="date">{event["event_on"]}</span> <strong>{re.escape(kind)}</strong>', steps
        ), (event["id"], kind)
    removed = [h for h in d.hazards if h.get("status") == "removed"]
    for h in removed[:5]:
        page = site.read("/" + h["path"])
        assert f'status-assessed">{h["status_zh"]}</span>' in page and h["removed_on"] in page


def test_hazards_list_puts_open_ones_first(site, d):
    by_path = {h["path"]: h for h in d.hazards}
    order = []
    for page in list_pages(site, "hazards/"):
        body = table_body(page, 'id="h-rows"')
        order += [by_path[p] for p in re.findall(r'<a href="/(hazards/[^"/]+/)">', body)]
    assert len(order) == len(d.hazards)
    ranks = [pages_more.HAZARD_ORDER.index(h["status"]) for h in order]
    assert ranks == sorted(ranks), [h["status"] for h in order]
    overdue = [h["deadline"] for h in order if h["status"] == "overdue"]
    assert overdue == sorted(overdue)  # the longest overdue on top
    if any(h["status"] == "overdue" for h in d.hazards):
        assert order[0]["status"] == "overdue" and "已逾期" in table_body(
            site.read("/hazards/"), 'id="h-rows"'
        )


def test_hazard_filters_and_city_summary(site, d):
    counts = {}
    for h in d.hazards:
        counts.setdefault(h.get("city_name"), {"supervised": 0, "overdue": 0, "removed": 0})[h["status"]] += 1
    page = site.read("/hazards/")
    summary = page.split('aria-label="各市州挂牌督办情况表"', 1)[1].split("</table>", 1)[0]
    for city, c in counts.items():
        if not city:
            continue
        row = summary.split(f">{city}<", 1)[1].split("</tr>", 1)[0]
        cells = re.findall(r"<td>(?:<strong[^>]*>)?(\d+)", row)
        assert cells == [str(c["supervised"]), str(c["overdue"]), str(c["removed"])], (city, cells)
    for status in pages_more.HAZARD_ORDER:
        listed = re.findall(
            r'<a href="/(hazards/[^"/]+/)">',
            table_body(site.read(f"/hazards/status/{status}/"), 'id="h-rows"'),
        )
        assert sorted(listed) == sorted(h["path"] for h in d.hazards if h["status"] == status)[:100], status
    city = next(h["city_code"] for h in d.hazards if h.get("city_code"))
    listed = re.findall(
        r'<a href="/(hazards/[^"/]+/)">', table_body(site.read(f"/hazards/city/{city}/"), 'id="h-rows"')
    )
    assert listed and {d.hazard_by_id[h["id"]]["city_code"] for h in d.hazards if h["path"] in listed} == {
        city
    }


def test_penalties_in_publicity_with_their_accident(site, d):
    public = need(d.penalties_public, "penalty in its publicity period")
    listed = "".join(table_body(p) for p in list_pages(site, "enforcement/"))
    for p in public:
        assert e(p["decision_no"]) in listed, p["id"]
    linked = [p for p in public if p.get("accident_id") and p.get("accident_path")]
    for p in need(linked, "penalty that follows an accident report")[:5]:
        row = listed.split(e(p["decision_no"]), 1)[1].split("</tr>", 1)[0]
        assert f'href="/{p["accident_path"]}"' in row, p["id"]
    # outside its publicity period a penalty is de-identified and not listed
    hidden = rows(site, "SELECT count(*) AS n FROM penalties WHERE publicity_active = 0")[0]["n"]
    assert listed.count("<tr>") == len(public) and hidden + len(public) == len(d.penalties)
    assert "（已停止公示）" not in listed


def test_inspection_results_with_their_labels(site, d, labels):
    found = need(d.inspections_problems, "inspection that found problems")
    listed = "".join(table_body(p) for p in list_pages(site, "enforcement/inspections/"))
    assert listed.count("<tr>") == len(d.inspections)
    for i in found[:5]:
        row = listed.split(e(i["object_name"]), 1)[1].split("</tr>", 1)[0]
        assert labels.label("inspections", "result", i) in row


def test_agency_pages_flag_reports_issued_after_the_qualification_ended(site, d):
    flagged = need(
        rows(
            site,
            "SELECT * FROM agency_reports WHERE issued_after_qualification_end = 1 AND agency_id IS NOT NULL",
        ),
        "report issued after its agency's qualification ended",
    )
    for r in flagged[:5]:
        agency = d.agency_by_id[r["agency_id"]]
        page = site.read("/" + agency["path"])
        reports = page.split('id="h-reports"', 1)[1]
        row = reports.split(e(r["project"]), 1)[1].split("</tr>", 1)[0]
        assert pages_more.FLAG_ZH in row and r["agency_status_at_issue_zh"] in row, r["id"]
        assert agency["qualification_status_zh"] in page
    clean = rows(site, "SELECT * FROM agency_reports WHERE issued_after_qualification_end = 0")
    for r in clean[:5]:
        page = site.read("/" + d.agency_by_id[r["agency_id"]]["path"])
        row = page.split('id="h-reports"', 1)[1].split(e(r["project"]), 1)[1].split("</tr>", 1)[0]
        assert pages_more.FLAG_ZH not in row, r["id"]
    listing = site.read("/agencies/")
    assert f"{len(flagged)} 份报告标注" in main_text(listing) or f"<strong>{len(flagged)}</strong>" in listing


def test_projects_open_for_comment_come_first_with_their_deadline(site, d):
    open_ = need([p for p in d.projects if p.get("comment_status") == "open"], "project open for comment")
    page = site.read("/projects/")
    order = re.findall(r'<h2 id="h-p\d+"><a href="/(projects/[^"/]+/)">', page)
    by_path = {p["path"]: p for p in d.projects}
    statuses = [by_path[p]["comment_status"] for p in order]
    assert statuses[: len(open_)] == ["open"] * len(open_)
    first = by_path[order[0]]
    assert first["comment_end"] == min(p["comment_end"] for p in open_)
    block = page.split(f'href="/{first["path"]}"', 1)[1].split("</section>", 1)[0]
    assert f"意见截止 <strong>{first['comment_end']}</strong>" in block
    assert ("今天截止" if first["days_left"] == 0 else f"距截止还有 {first['days_left']} 天") in block
    assert first["comment_status_zh"] in block and "如何提出意见" in block
    own = site.read("/" + first["path"])
    assert "如何提出意见" in own and e(first["builder"]) in own
    if first.get("comment_channel"):
        assert "公示未写明" not in section(own, "h-comment")


def test_enterprise_page_sections(site, d):
    def page_of(eid):
        return site.read("/" + d.enterprise_path(eid))

    ent = need(
        [h for h in d.hazards_open if d.enterprise_path(h.get("enterprise_id"))],
        "open hazard of an enterprise",
    )[0]
    hazards = section(page_of(ent["enterprise_id"]), "h-hazards")
    assert f'href="/{ent["path"]}"' in hazards and ent["status_zh"] in hazards
    penalty = need(
        [p for p in d.penalties_public if d.enterprise_path(p.get("enterprise_id"))],
        "penalty of an enterprise",
    )[0]
    assert e(penalty["decision_no"]) in section(page_of(penalty["enterprise_id"]), "h-penalties")
    inspection = need(
        [i for i in d.inspections if d.enterprise_path(i.get("enterprise_id"))], "inspection of an enterprise"
    )[0]
    assert inspection["inspected_on"] in section(page_of(inspection["enterprise_id"]), "h-inspections")
    report = need(
        [r for r in d.agency_reports if d.enterprise_path(r.get("enterprise_id"))],
        "report an enterprise commissioned",
    )[0]
    assert e(report["project"]) in section(page_of(report["enterprise_id"]), "h-reports")
    for a in [a for a in d.agencies if d.enterprise_path(a.get("enterprise_id"))][:3]:
        assert f'href="/{a["path"]}"' in section(page_of(a["enterprise_id"]), "h-agency")
    # every enterprise with an open hazard, a penalty in publicity or a problem found has a page
    for group in (d.hazards_open, d.penalties_public, d.inspections_problems):
        for r in group:
            if r.get("enterprise_id") in d.enterprises:
                assert d.enterprise_path(r["enterprise_id"]), r["id"]


def test_home_page_counts_and_links(site, d):
    home = site.read("/")
    status = [h["status"] for h in d.hazards]
    labels = {h["status"]: h["status_zh"] for h in d.hazards}
    for code in ("supervised", "overdue"):
        if code in labels:
            assert f'<span class="big">{status.count(code)}</span> 项重大事故隐患{labels[code]}' in home
    open_ = [p for p in d.projects if p.get("comment_status") == "open"]
    assert f'<span class="big">{len(open_)}</span> 个建设项目' in home
    if open_:
        assert 'id="h-projects"' in home and min(open_, key=lambda p: p["comment_end"])["path"] in home
    assert f'<span class="big">{len(d.penalties_public)}</span> 件行政处罚决定' in home


def test_feeds_of_hazards_and_projects(site, d):
    hazards = ET.fromstring(site.path("/feeds/hazards.xml").read_bytes())
    titles = [x.find(f"{ATOM}title").text for x in hazards.iter(f"{ATOM}entry")]
    assert titles and any(t.startswith("挂牌督办：") for t in titles)
    if any(h.get("removed_on") for h in d.hazards):
        assert any(t.startswith("销号：") for t in titles)
    projects = ET.fromstring(site.path("/feeds/projects.xml").read_bytes())
    titles = [x.find(f"{ATOM}title").text for x in projects.iter(f"{ATOM}entry")]
    newest = max((p for p in d.projects if p.get("announced_on")), key=lambda p: p["announced_on"])
    assert f"项目公示：{newest['project_name']}" in titles
    assert 'href="/feeds/hazards.xml"' in site.read("/hazards/")


def test_search_index_lists_hazards_agencies_and_projects(site, d):
    import json

    meta = json.loads(site.path("/search/exact.json").read_text(encoding="utf-8"))
    names = [r for i in range(meta["names"]) for r in json.loads(site.read(f"/search/names-{i}.json"))]
    codes = [r for i in range(meta["codes"]) for r in json.loads(site.read(f"/search/codes-{i}.json"))]
    assert any(r[1] == d.projects[0]["project_name"] and r[3] == d.projects[0]["path"] for r in names)
    assert any(r[1] == d.agencies[0]["name"] and r[3] == d.agencies[0]["path"] for r in names)
    h = next((h for h in d.hazards if h.get("notice_no")), None)
    if h:
        assert any(r[2] == h["notice_no"] and r[3] == h["path"] for r in codes)


def test_12350_guide_links_to_the_hazards(site):
    text = site.read("/12350/")
    assert "看到挂牌隐患仍未整改，可以举报" in text and '<a href="/hazards/">' in text


def test_hostile_source_values_render_inert(site, tmp_path):
    db, out = tmp_path / "public.db", tmp_path / "output"
    shutil.copy(site.db, db)
    conn = sqlite3.connect(db)
    with conn:
        hazard = conn.execute("SELECT id FROM hazards ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE hazards SET hazard = ?, location = ? WHERE id = ?", (HOSTILE, HOSTILE, hazard))
        project = conn.execute("SELECT id FROM projects ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(
            "UPDATE projects SET project_name = ?, comment_channel = ?, comment_status = 'open' WHERE id = ?",
            (
                "示例" + HOSTILE,
                HOSTILE + ' javascript:alert(2) https://example.invalid/a"onmouseover="alert(3)',
                project,
            ),
        )
        agency = conn.execute("SELECT id FROM agencies ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("UPDATE agencies SET scope = ? WHERE id = ?", (HOSTILE, agency))
        conn.execute("UPDATE penalties SET facts = ? WHERE publicity_active = 1", (HOSTILE,))
    conn.close()
    result = fx.run_pelican(db, out, env={"DISCLOSURE_SEARCH_INDEX": "0"})
    assert result.returncode == 0, result.stderr[-3000:]
    from plugins.disclosure.data import PublicData

    built = PublicData(db)
    pages = [
        built.hazard_by_id[hazard]["path"],
        next(p["path"] for p in built.projects if p["id"] == project),
        built.agency_by_id[agency]["path"],
        "hazards/",
        "projects/",
        "enforcement/",
        "",
    ]
    for rel in pages:
        page = (out / rel / "index.html").read_text(encoding="utf-8")
        assert "&lt;script&gt;alert(" in page or rel == "", rel
        assert "<script>alert" not in page and "<img src=x" not in page, rel
        for tag, attrs in parse(page).tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (rel, tag, name)
                if name in ("href", "src", "action"):
                    assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (
                        rel,
                        value,
                    )
    channel = (out / next(p["path"] for p in built.projects if p["id"] == project) / "index.html").read_text(
        encoding="utf-8"
    )
    assert '<a href="https://example.invalid/a">' in channel  # the address a link, its tail text


# ---------------------------------------------------------------- data: which enterprises get a page


def _planted(tmp_path):
    """The fixture database with one enterprise per case: an open hazard, a removed hazard, a
    penalty in publicity, a clean inspection, an inspection with problems, a project only."""
    db = cases.make_public_db(tmp_path / "public.db")
    conn = sqlite3.connect(db)

    def ins(table, **row):
        conn.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

    with conn:
        for n in range(6):
            name = f"示例企业{n}有限公司"
            ins(
                "enterprises",
                id=f"ent-x{n}",
                name=name,
                name_norm=name,
                uscc=cases.uscc(f"91620102MA71XX{n:03d}"),
                uscc_valid=1,
            )
        base = dict(enterprise_name="示例企业", hazard="示例隐患", listed_on="2026-01-01")
        ins(
            "hazards",
            id="hz-open",
            enterprise_id="ent-x0",
            status="overdue",
            status_zh="逾期未见销号公告",
            deadline="2026-03-01",
            **base,
        )
        ins(
            "hazards",
            id="hz-gone",
            enterprise_id="ent-x1",
            status="removed",
            status_zh="已销号（摘牌）",
            removed_on="2026-02-01",
            **base,
        )
        ins(
            "penalties",
            id="pn-1",
            enterprise_id="ent-x2",
            decision_no="示例罚〔2026〕1号",
            party_type="enterprise",
            party_name="示例企业2有限公司",
            decided_on="2026-02-01",
            publicity_active=1,
        )
        ins(
            "inspections",
            id="in-ok",
            enterprise_id="ent-x3",
            object_name="示例",
            inspected_on="2026-02-01",
            result="no_problem",
        )
        ins(
            "inspections",
            id="in-bad",
            enterprise_id="ent-x4",
            object_name="示例",
            inspected_on="2026-02-01",
            result="problems",
            problem_count=2,
        )
        ins(
            "projects",
            id="pj-1",
            enterprise_id="ent-x5",
            project_name="示例项目",
            builder="示例企业5有限公司",
            comment_status="open",
            comment_status_zh="正在征求意见",
            comment_end="2026-07-03",
            days_left=3,
        )
    conn.close()
    return db


def test_new_kinds_and_the_enterprise_pages_policy(tmp_path):
    from plugins.disclosure.data import PublicData

    db = _planted(tmp_path)
    every = PublicData(db, "all")
    slim, full = PublicData(db, "with_records"), PublicData(db, "with_records", slim=False)
    pages_all = {e["id"] for e in every.enterprise_pages}
    pages_slim = {e["id"] for e in slim.enterprise_pages}
    assert {f"ent-x{n}" for n in range(6)} <= pages_all  # any public record: a page
    # with_records: an open hazard, a penalty in publicity, a problem found
    assert {"ent-x0", "ent-x2", "ent-x4"} <= pages_slim
    assert not {"ent-x1", "ent-x3", "ent-x5"} & pages_slim
    assert {"ent-x1", "ent-x3", "ent-x5"} <= {e["id"] for e in slim.enterprise_rows}
    assert slim.enterprise_pages == full.enterprise_pages
    assert [h["enterprise_path"] for h in slim.hazards] == [h["enterprise_path"] for h in full.hazards]
    assert slim.hazard_by_id["hz-gone"]["enterprise_path"] is None  # served by Datasette
    # the records still have their own pages, whatever the policy
    assert [p.path for p in pages_more.all_pages(slim, 100) if p.template in ("hazard", "project")] == [
        "hazards/hz-open/",
        "hazards/hz-gone/",
        "projects/pj-1/",
    ]
    # an older public database without these tables: empty lists, the list pages still made
    conn = sqlite3.connect(db)
    with conn:
        for table in pages_more_tables():
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    conn.close()
    old = PublicData(db)
    assert old.hazards == old.projects == old.agencies == old.penalties_public == []
    assert [p.path for p in pages_more.all_pages(old, 100)] == [
        "hazards/",
        "hazards/status/overdue/",
        "hazards/status/supervised/",
        "hazards/status/removed/",
        "enforcement/",
        "enforcement/inspections/",
        "agencies/",
        "projects/",
    ]


def pages_more_tables():
    return (
        "hazards",
        "hazard_events",
        "penalties",
        "inspections",
        "agencies",
        "agency_actions",
        "agency_reports",
        "projects",
    )


def test_sort_orders():
    hazards = [
        {"id": "a", "status": "removed", "removed_on": "2026-01-01"},
        {"id": "b", "status": "supervised", "deadline": "2026-09-01"},
        {"id": "c", "status": "overdue", "deadline": "2026-05-01"},
        {"id": "d", "status": "removed", "removed_on": "2026-03-01"},
        {"id": "e", "status": "overdue", "deadline": "2026-02-01"},
        {"id": "f", "status": "supervised", "deadline": None},
    ]
    assert [h["id"] for h in sorted(hazards, key=pages_more.hazard_sort_key)] == [
        "e",
        "c",
        "b",
        "f",
        "d",
        "a",
    ]
    assert pages_more.hazard_status_since({"status": "overdue", "deadline": "2026-05-31"}) == "2026-06-01"
    projects = [
        {"id": "1", "comment_status": "decided", "announced_on": "2026-06-01"},
        {"id": "2", "comment_status": "open", "comment_end": "2026-07-10"},
        {"id": "3", "comment_status": "closed", "announced_on": "2026-06-10"},
        {"id": "4", "comment_status": "open", "comment_end": "2026-07-01"},
        {"id": "5", "comment_status": "upcoming", "comment_start": "2026-07-05"},
    ]
    projects.append({"id": "6", "comment_status": "unstated", "comment_start": "2026-06-30"})
    assert [p["id"] for p in sorted(projects, key=pages_more.project_sort_key)] == [
        "4",
        "2",
        "6",
        "5",
        "3",
        "1",
    ]


def test_a_city_page_shows_its_hazards_and_open_projects(site):
    import sqlite3

    conn = sqlite3.connect(site.db)
    counts = conn.execute(
        "SELECT city_code, sum(status IN ('supervised', 'overdue')), sum(status = 'overdue') FROM hazards"
        " WHERE city_code IS NOT NULL GROUP BY city_code ORDER BY count(*) DESC"
    ).fetchall()
    conn.close()
    # a 市州 page exists only where a report is published: check every one that has a page
    checked = 0
    for code, open_, overdue in counts:
        page = site.path(f"/regions/{code}/")
        if page.exists():
            html = page.read_text(encoding="utf-8")
            assert f"hazards/city/{code}/" in html and f"督办中 {open_} 项" in html, code
            assert ("逾期未见销号公告" in html) == bool(overdue), code
            checked += 1
    assert checked >= 3
