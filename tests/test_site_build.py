"""The public site built from the fixture database (real public filter, planted cases): the key
pages exist and say the right thing. Browser, validator and link checks: test_site_browser.py and
test_site_quality.py."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests import _fixture_db as cases
from tests import _site_fixture as fx

ATOM = "{http://www.w3.org/2005/Atom}"
KEY_PAGES = [
    "/",
    "/accidents/",
    "/enterprises/",
    "/blacklist/",
    "/rectification/",
    "/credit/",
    "/bans/",
    "/statistics/",
    "/12350/",
    "/data/",
    "/data/terms/",
    "/about/",
    "/search/",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return fx.fixture_site(tmp_path_factory)


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Tags:
    p = Tags()
    p.feed(html)
    return p


def main_text(html: str) -> str:
    """Visible text of <main> (so the footer and header do not count)."""
    return re.sub(r"<[^>]+>", "", html.split("<main", 1)[1].split("</main>", 1)[0])


def test_key_pages_exist(site):
    for url in KEY_PAGES:
        assert site.path(url).is_file(), url
    d = site.data()
    for acc in d.accidents:
        assert site.path("/" + acc["path"]).is_file(), acc["id"]
    for ent in d.enterprise_pages:
        assert site.path("/" + ent["path"]).is_file(), ent["id"]
        assert (site.output / ent["path"] / "feed.xml").is_file()
    assert site.path("/enterprises/" + cases.E1_USCC + "/").is_file()  # stable URL: the 统一社会信用代码


def test_every_page_says_as_of_and_each_sources_last_fetch(site):
    for path in site.html_files():
        html = path.read_text(encoding="utf-8")
        assert f"数据截至 <strong>{cases.AS_OF}</strong>" in html, path
        # each source's last successful fetch: the day on every page (so an unchanged re-run
        # does not rewrite every page), the full time on the home page
        assert "2026-06-29" in html and "2026-06-27" in html, path
        assert 'lang="zh-CN"' in html and 'class="skip"' in html, path
    home = site.read("/")
    assert "2026-06-29 06:10" in home and "2026-06-27 06:30" in home


def test_sample_data_notice_on_every_page(site):
    for path in site.html_files():
        assert "示例数据</strong>" in path.read_text(encoding="utf-8"), path


def test_overdue_assessment_shows_as_overdue(site):
    html = site.read("/accidents/acc-0001/")
    assert 'status-overdue">逾期未公开评估' in html
    assert "已逾期" in html and "2026-03-15" in html and "2026-05-15" in html
    tracker = site.read("/rectification/")
    row = tracker.split("acc-0001", 1)[1].split("</tr>", 1)[0]
    assert "status-overdue" in row
    assert 'status-due">评估期内' in tracker.split("acc-0004", 1)[1].split("</tr>", 1)[0]
    assert "acc-0003" in site.read("/rectification/not-due/")


def test_assessed_accident_shows_result(site):
    html = site.read("/accidents/acc-0002/")
    assert 'status-assessed">已评估' in html and "基本到位" in html
    assert "acc-0002" in site.read("/rectification/assessed/")


def test_expired_blacklist_entry_is_not_in_force_and_not_named(site):
    page = site.read("/blacklist/")
    assert "在列的严重失信主体共 <strong>1</strong> 个" in page
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert cases.E1_NAME in table and cases.E4_NAME not in table  # removed by credit repair: not in force
    assert "期满移出：1 条" in page and "提前移出（信用修复）：1 条" in page
    assert cases.E4_NAME in page.split('id="h-removals"', 1)[1]  # the removal notice stays public
    e4 = site.read("/enterprises/" + cases.E4_USCC + "/")
    assert "不在严重失信主体名单" in e4 and "status-overdue" not in e4
    # the entry that expired must not be identifiable anywhere on the site
    for path in site.output.rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".html", ".xml", ".json", ".csv")
            and "pagefind" not in path.parts
        ):
            assert cases.EXPIRED_NAME not in path.read_text(encoding="utf-8"), path


def test_in_force_entry_shows_term_and_early_removal_date(site):
    html = site.read("/enterprises/" + cases.E1_USCC + "/")
    assert "严重失信主体名单：在列" in html
    # 满12个月 after the listing on 2025-06-01 is reached once 2026-06-01 has passed
    assert "2028-05-31（含当日；公告载明）" in html and "自 2026-06-02 起" in html
    # the rule of the listing date, cited on the page
    assert "列入日期适用《安全生产严重失信主体名单管理办法》（应急管理部令第11号" in html


def test_about_page_lists_every_rule_applied_with_its_citation(site):
    from etl.rules import catalogue

    html = site.read("/about/")
    rules = html.split('id="h-rules"', 1)[1]
    for key, topic, rule_zh, citation_zh, _, confirmed in catalogue.rows():
        assert f'id="rule-{key}"' in rules and citation_zh in rules, key
    assert "《中华人民共和国民法典》第二百零一条、第二百零二条" in rules
    assert "安监总办〔2017〕49号" in rules and "国家发展和改革委员会令第36号" in rules


def test_credit_record_past_publicity_is_not_shown(site):
    for path in site.html_files():
        assert "公示期已满的旧记录" not in path.read_text(encoding="utf-8"), path
    assert "未按规定对重大危险源进行监测监控" in site.read("/enterprises/" + cases.E1_USCC + "/")


_ID = re.compile(
    r"(?<![0-9A-Z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9X](?![0-9A-Z])"
)


def test_masked_ids_stay_masked(site):
    # no part of an ID number is shown, not even as the source masked it (tests/test_no_id_numbers.py)
    assert cases.MASKED_ID not in site.read("/bans/") and "所在单位：" in site.read("/bans/")
    assert "张某昌" in site.read("/accidents/acc-0001/")
    for path in site.output.rglob("*"):
        if (
            path.is_file()
            and path.suffix in (".html", ".xml", ".json", ".csv")
            and "pagefind" not in path.parts
        ):
            text = path.read_text(encoding="utf-8")
            assert not _ID.findall(text), (path, _ID.findall(text))


def test_mask_ids_filter_masks_a_valid_id_in_free_text():
    from plugins.disclosure.filters import mask_ids, paras

    assert mask_ids("负责人身份证34052419800101001X。") == "负责人身份证[身份证号码已隐去]。"
    # no part of the number: a fragment the source printed masked goes too
    assert mask_ids("负责人（身份证号：620102********1234）") == "负责人（身份证号：[身份证号码已隐去]）"
    assert mask_ids("手机138****5678") == "手机138****5678"
    assert mask_ids("代码" + cases.E1_USCC) == "代码" + cases.E1_USCC  # a 统一社会信用代码 is public data
    assert "19800101" not in paras("a 34052419800101001X b")


def test_source_text_renders_inert(site):
    html = site.read("/accidents/acc-0004/")
    assert "&lt;script&gt;alert(" in html and "onerror=alert(1)&gt;" in html  # shown as text
    for tag, attrs in parse(html).tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (tag, value)
        if tag == "script":
            assert attrs.get("src", "").startswith("/theme/js/") or attrs.get("type") == "application/ld+json"
    assert "<img src=x" not in html


def test_no_resource_from_another_host_and_restrictive_csp(site):
    for path in site.html_files():
        html = path.read_text(encoding="utf-8")
        assert "default-src 'self'" in html and "object-src 'none'" in html and "'unsafe-inline'" not in html
        for tag, attrs in parse(html).tags:
            for name in ("src", "href"):
                value = attrs.get(name) or ""
                if (
                    tag != "a"
                    and name in attrs
                    and not (tag == "link" and attrs.get("rel") in ("canonical",))
                ):
                    assert not urlsplit(value).netloc, (path, tag, value)


def test_canonical_and_open_graph(site):
    html = site.read("/accidents/acc-0001/")
    assert '<link rel="canonical" href="http://127.0.0.1:8000/accidents/acc-0001/">' in html
    assert '<meta property="og:url" content="http://127.0.0.1:8000/accidents/acc-0001/">' in html
    assert 'property="og:title" content="甘肃陇原示例化工有限公司“1·12”较大爆炸事故调查报告' in html
    assert 'og:type" content="article"' in html


def test_sitemap_lists_existing_pages(site):
    root = ET.fromstring(site.path("/sitemap.xml").read_bytes())
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://127.0.0.1:8000/12350/" in locs and "http://127.0.0.1:8000/accidents/acc-0001/" in locs
    for loc in locs:
        assert site.path(urlsplit(loc).path).is_file(), loc


def test_atom_feeds(site):
    feeds = [
        "/feeds/accidents.xml",
        "/feeds/blacklist.xml",
        "/feeds/rectification.xml",
        f"/enterprises/{cases.E1_USCC}/feed.xml",
        "/regions/620100/feed.xml",
    ]
    titles = {}
    for feed in feeds:
        root = ET.fromstring(site.path(feed).read_bytes())
        assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}updated").text
        titles[feed] = [e.find(f"{ATOM}title").text for e in root.iter(f"{ATOM}entry")]
        for entry in root.iter(f"{ATOM}entry"):
            assert entry.find(f"{ATOM}id").text.startswith("tag:")
    assert any("较大爆炸" in t for t in titles["/feeds/accidents.xml"])
    assert any(t.startswith("列入：") for t in titles["/feeds/blacklist.xml"])
    assert any(t.startswith("移出：") for t in titles["/feeds/blacklist.xml"])
    assert any(t.endswith("基本到位") for t in titles["/feeds/rectification.xml"])
    assert len(titles[f"/enterprises/{cases.E1_USCC}/feed.xml"]) >= 4
    assert all("兰州" in t or "甘肃陇原" in t for t in titles["/regions/620100/feed.xml"])


def test_accident_page_contents(site):
    text = main_text(site.read("/accidents/acc-0001/"))
    for expected in [
        "620000001/2025-00101",
        "甘应急调〔2025〕1号",
        "2025-05-20",
        "1,250 万元",
        "3 人",
        "张某昌",
        "总经理",
        "a" * 64,
        "2026-01-05",
        "首次收录",
        "内容更新（死亡）",
    ]:
        assert expected in text, expected
    html = site.read("/accidents/acc-0001/")
    assert f'href="/enterprises/{cases.E1_USCC}/"' in html
    assert 'href="http://127.0.0.1:8001/public/accidents/acc-0001"' in html  # its row in Datasette
    assert "来源已撤下" in site.read("/accidents/acc-0005/")


def test_report_text_is_on_its_page(site, tmp_path):
    """The report's full text is read per page (data.PublicData.body_text_of), not loaded with
    the accidents: it must still be on the report's page, escaped, and on no other report's."""
    import shutil

    from plugins.disclosure.data import segment

    db, out = tmp_path / "public.db", tmp_path / "output"
    shutil.copy(site.db, db)
    conn = sqlite3.connect(db)
    with conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM accidents ORDER BY id LIMIT 2")]
        for n, record_id in enumerate(ids):
            conn.execute(
                "UPDATE accidents SET body_text = ? WHERE id = ?",
                (f"第{n}份报告正文：经调查<b>事故</b>原因如下。\n第二段。", record_id),
            )
    conn.close()
    result = fx.run_pelican(db, out, env={"DISCLOSURE_WORKERS": "2"})
    assert result.returncode == 0, result.stderr[-3000:]
    for n, record_id in enumerate(ids):
        html = (out / "accidents" / segment(record_id) / "index.html").read_text(encoding="utf-8")
        assert f"第{n}份报告正文：经调查&lt;b&gt;事故&lt;/b&gt;原因如下。" in html, record_id
        assert f"第{1 - n}份报告正文" not in html


def test_enterprise_page_contents(site):
    bad = site.read("/enterprises/" + cases.E3_USCC_BAD + "/")
    assert "校验位不符" in bad and cases.MASKED_ID not in bad.split("h-basic")[1].split("</section>")[0]
    html = site.read("/enterprises/" + cases.E1_USCC + "/")
    assert 'href="tel:12350"' in html and 'href="/12350/"' in html  # report a hazard here
    assert "现行信用评级：<strong>C</strong>" in html and 'id="h-timeline"' in html
    assert html.count('href="/accidents/acc-000') >= 2


def test_12350_guide(site):
    html = site.read("/12350/")
    text = main_text(html)
    assert 'href="tel:12350"' in html
    for expected in [
        "安监总财〔2018〕19号",
        "15%",
        "3000 元",
        "30 万元",
        "3 万元",
        "4 万元",
        "5 万元",
        "6 万元",
        "重大事故隐患",
        "瞒报",
        "书信",
        "电子邮件",
        "传真",
        "走访",
        "dctjfx.mem.gov.cn/aqscjb",
        "保密",
        "不予受理",
        "常见问题",
        "举报之后",
    ]:
        assert expected in text, expected
    assert "本页可以直接打印" in html


def test_statistics_charts_have_data_tables(site):
    html = site.read("/statistics/")
    assert html.count('role="img"') >= 5 and html.count("<table>") >= 5
    for svg_id in ("chart-acc", "chart-deaths", "chart-rate", "chart-grade", "chart-industry", "chart-city"):
        assert f'id="{svg_id}"' in html and f'aria-labelledby="{svg_id}-t {svg_id}-d"' in html
    assert "0.064" in html  # 2015 rate 0.0913 × 0.7: the −30% target line
    assert "双下降" in html and "+1.2%" in html  # 2023 deaths rose: not 双下降


def test_open_data_downloads_and_dataset_jsonld(site):
    html = site.read("/data/")
    ld = json.loads(html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert ld["@type"] == "Dataset" and ld["dateModified"] == cases.AS_OF and ld["inLanguage"] == "zh-CN"
    urls = [urlsplit(d["contentUrl"]).path for d in ld["distribution"]]
    for path in urls:
        assert site.path(path).is_file(), path
    rows = list(csv.reader(io.StringIO(site.path("/data/csv/accidents.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "id" and len(rows) == 1 + 5
    assert json.loads(site.path("/data/json/blacklist.json").read_text(encoding="utf-8"))[0]["id"]
    assert not site.path("/data/csv/rejects.csv").exists() and "accidents_fts" not in html
    assert "事故调查报告" in html and "单位：人" in html  # descriptions from etl/schema.yaml


def test_search_files(site):
    meta = json.loads(site.path("/search/exact.json").read_text(encoding="utf-8"))
    t2s = dict(zip(meta["t2s"][0::2], meta["t2s"][1::2]))
    assert t2s["隴"] == "陇" and t2s["肅"] == "肃"
    names = [
        row
        for i in range(meta["names"])
        for row in json.loads(site.path(f"/search/names-{i}.json").read_text(encoding="utf-8"))
    ]
    codes = [
        row
        for i in range(meta["codes"])
        for row in json.loads(site.path(f"/search/codes-{i}.json").read_text(encoding="utf-8"))
    ]
    assert [cases.E1_NAME, cases.E1_NAME, cases.E1_USCC, f"enterprises/{cases.E1_USCC}/", "企业"] in names
    assert any(r[0] == cases.E1_USCC and r[3] == f"enterprises/{cases.E1_USCC}/" for r in codes)
    assert any(r[2] == "甘应急调〔2025〕1号" and r[3] == "accidents/acc-0001/" for r in codes)
    assert (site.output / "pagefind" / "pagefind.js").is_file()


def test_site_opens_the_database_read_only(site):
    from plugins.disclosure.data import connect_ro

    conn = connect_ro(site.db)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("CREATE TABLE nope (x)")
    conn.close()


def test_record_leaving_the_database_loses_its_page(site, tmp_path):
    """A rebuild after a record left public.db deletes its page (no stale disclosure remains).
    The same rebuild publishes the archived copies of cited documents (DISCLOSURE_ARCHIVE_COPY)."""
    import shutil

    archive = tmp_path / "archive"
    (archive / "aa").mkdir(parents=True)
    (archive / "aa" / ("a" * 64 + ".gz")).write_bytes(b"archived copy")
    out = tmp_path / "output"
    shutil.copytree(site.output, out)
    db = tmp_path / "public.db"
    shutil.copy(site.db, db)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DELETE FROM accidents WHERE id = 'acc-0003'")
        conn.execute("DELETE FROM bans")
    conn.close()
    result = fx.run_pelican(db, out, env={"DISCLOSURE_ARCHIVE_COPY": "1", "DISCLOSURE_ARCHIVE": str(archive)})
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / "archive" / "aa" / ("a" * 64 + ".gz")).read_bytes() == b"archived copy"
    assert f'href="/archive/aa/{"a" * 64}.gz"' in (out / "accidents" / "acc-0001" / "index.html").read_text(
        "utf-8"
    )
    assert not (out / "accidents" / "acc-0003").exists()
    assert not (out / "enterprises" / cases.E3_USCC_BAD).exists()  # no public record left
    assert "acc-0003" not in (out / "sitemap.xml").read_text(encoding="utf-8")
    assert (out / "accidents" / "acc-0001" / "index.html").is_file()


def test_database_hash_is_remembered_only_while_the_file_is_untouched(tmp_path):
    """plugins/disclosure/generator.py _db_sha256: the memo is used while inode, size, mtime and
    ctime are the same; rewriting the file, even with the same size and its mtime set back, makes
    it hash again (ctime cannot be set back)."""
    import hashlib
    import os
    import time

    from plugins.disclosure.generator import _db_sha256

    db, cache = tmp_path / "public.db", tmp_path / "cache"
    db.write_bytes(b"A" * 4096)
    first = _db_sha256(db, cache)
    assert first == hashlib.sha256(b"A" * 4096).hexdigest()
    assert (cache / "disclosure-db-sha256.json").exists()
    memo = (cache / "disclosure-db-sha256.json").read_text()
    (cache / "disclosure-db-sha256.json").write_text(memo.replace(first, "f" * 64))
    assert _db_sha256(db, cache) == "f" * 64  # the memo answers: the file was not read
    before = os.stat(db)
    time.sleep(0.01)
    with open(db, "r+b") as f:
        f.write(b"B")
    os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(db).st_size == before.st_size and os.stat(db).st_mtime_ns == before.st_mtime_ns
    assert _db_sha256(db, cache) == hashlib.sha256(b"B" + b"A" * 4095).hexdigest()


def _summary(log: str) -> dict:
    m = re.search(
        r"disclosure: (\d+) files written, (\d+) unchanged after rendering, (\d+) unchanged and not "
        r"re-rendered[^\n]*",
        log,
    )
    assert m, log[-2000:]
    return {
        "written": int(m[1]),
        "rendered_same": int(m[2]),
        "skipped": int(m[3]),
        "pagefind": "search index of" in m[0],
    }


def _change_and_rebuild(db, out, env, sql: str):
    """Run ``sql`` on the site's database, then build again; the build must succeed."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(sql)
    conn.close()
    result = fx.run_pelican(db, out, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_a_new_build_time_or_fetch_time_renders_only_the_home_page_again(site, tmp_path):
    """What a release with no source change brings (a new public.db, every source fetched again
    the same day): only the pages that show those times are rendered again, and the search index
    is kept (generator.shown_on_every_page, search.index_key)."""
    import shutil

    out, db = tmp_path / "output", tmp_path / "public.db"
    shutil.copy(site.db, db)
    env = {"DISCLOSURE_OUTPUT_STATE": str(tmp_path / "state.json")}
    first = fx.run_pelican(db, out, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    # a download is generated again only when its table changed: mark one (same size, same mtime)
    # to see whether the next build regenerates it (it would put the table's bytes back)
    download = out / "data" / "csv" / "accidents.csv"
    st = download.stat()
    data = download.read_bytes()
    download.write_bytes(data[:-3] + b"#!#")
    os.utime(download, ns=(st.st_atime_ns, st.st_mtime_ns))
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE build_info SET value = '2030-01-01T00:00:00Z' WHERE key = 'built_at'")
        source, fetched = conn.execute(
            "SELECT id, last_success_at FROM sources WHERE last_success_at IS NOT NULL" " ORDER BY id"
        ).fetchone()
        # the same day in Beijing (the footer shows the day), another minute (the home page shows it)
        moment = datetime.fromisoformat(fetched.replace("Z", "+00:00")).astimezone(
            timezone(timedelta(hours=8))
        )
        later = moment.replace(minute=(moment.minute + 7) % 60, second=0)
        conn.execute("UPDATE sources SET last_success_at = ? WHERE id = ?", (later.isoformat(), source))
    conn.close()
    again = fx.run_pelican(db, out, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    records = [p for folder in ("accidents", "enterprises") for p in (out / folder).rglob("index.html")]
    summary = _summary(again.stdout + again.stderr)
    kept_index = sum(1 for p in (out / "pagefind").rglob("*") if p.is_file())  # counted as not re-rendered
    assert summary["skipped"] - kept_index >= len(records) > 10, summary
    assert not summary["pagefind"]
    assert later.strftime("%Y-%m-%d %H:%M") in (out / "index.html").read_text(encoding="utf-8")
    assert download.read_bytes().endswith(b"#!#")  # the accidents table did not change: kept
    sources = (out / "data" / "json" / "sources.json").read_text(encoding="utf-8")
    assert later.isoformat() in sources  # the sources table changed: its downloads are new
    # a changed report is a page Pagefind reads: the index is built again; and its table's
    # downloads are generated again
    third = _change_and_rebuild(
        db, out, env, "UPDATE accidents SET title = title || '（更正）' WHERE id = 'acc-0001'"
    )
    assert _summary(third.stdout + third.stderr)["pagefind"]
    assert "（更正）" in download.read_text(encoding="utf-8-sig") and not download.read_bytes().endswith(
        b"#!#"
    )


def test_a_rebuild_that_changes_nothing_reads_and_writes_nothing_and_forgets_nothing(site, tmp_path):
    """The first rebuild after a full build: the database is not hashed again though the build
    hard-linked it into the output (a new link moves its ctime), the state file is not rewritten,
    and the open-data exports' stamps survive, so a later change to one table regenerates that
    table's downloads only (generator._relinked_db_sha256, OutputTree._keep_nested_stamps)."""
    import json
    import shutil

    from plugins.disclosure.generator import _db_stamp

    out, db, state = tmp_path / "output", tmp_path / "public.db", tmp_path / "state.json"
    shutil.copy(site.db, db)
    env = {"DISCLOSURE_OUTPUT_STATE": str(state)}
    first = fx.run_pelican(db, out, env=env)
    assert first.returncode == 0, first.stderr[-3000:]
    assert os.path.samefile(db, out / "data" / "public.db")  # linked, so its ctime moved
    memo = json.loads((tmp_path / "cache" / "disclosure-db-sha256.json").read_text(encoding="utf-8"))
    assert memo["stat"] == _db_stamp(db)[0]  # the next build's lookup hits
    saved = state.read_bytes()
    exports = {k for k in json.loads(saved)["stamps"] if k.startswith("export ")}
    assert "export accidents" in exports and "export sources" in exports

    again = fx.run_pelican(db, out, env=env)
    assert again.returncode == 0, again.stderr[-3000:]
    assert _summary(again.stdout + again.stderr)["written"] == 0
    assert state.read_bytes() == saved  # nothing to record: not rewritten

    download = out / "data" / "csv" / "accidents.csv"
    marked = download.read_bytes()[:-3] + b"#!#"  # same size and mtime: kept unless regenerated
    st = download.stat()
    download.write_bytes(marked)
    os.utime(download, ns=(st.st_atime_ns, st.st_mtime_ns))
    _change_and_rebuild(db, out, env, "UPDATE bans SET scope = coalesce(scope, '') || '（更正）'")
    assert "（更正）" in (out / "data" / "json" / "bans.json").read_text(encoding="utf-8")
    assert download.read_bytes() == marked  # the accidents table did not change: its stamp was kept


def test_table_digest_tells_every_value_and_type_apart():
    """opendata.table_digest decides whether a download is generated again: a different value,
    type (1, 1.0, '1'), NULL against '', a comma inside a text, or order must change it."""
    from plugins.disclosure.opendata import table_digest

    def digest(*rows, columns=("a", "b")):
        conn = sqlite3.connect(":memory:")
        conn.execute(f"CREATE TABLE t ({', '.join(columns)})")
        conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(columns))})", rows)
        return table_digest(conn, "t")[0]

    base = digest((1, "x"), (2, None))
    assert base == digest((1, "x"), (2, None))
    variants = [
        digest((1.0, "x"), (2, None)),
        digest(("1", "x"), (2, None)),
        digest((1, "x"), (2, "")),
        digest((1, "x,2"), (None, None)),
        digest((2, None), (1, "x")),
        digest((1, "x"), (2, "None")),
        digest((1, "x"), (2, None), columns=("a", "c")),
        digest((0.1 + 0.2, "x"), (2, None)),
    ]
    assert digest((0.1 + 0.2, "x"), (2, None)) != digest((0.3, "x"), (2, None))  # exact reals
    assert len({base, *variants}) == len(variants) + 1


def test_downloads_are_written_in_pieces_with_the_bytes_of_one_dump(tmp_path, monkeypatch):
    """opendata.csv_chunks/json_chunks give the bytes a whole-table csv.writer and json.dumps
    give (BOM, header, CRLF; one JSON array), across chunk boundaries and for an empty table;
    OutputTree.write_chunks keeps a file that already holds those bytes (same mtime), replaces
    one that differs, and leaves the old file and no temporary file when making it fails."""
    from plugins.disclosure import opendata
    from plugins.disclosure.output import OutputTree

    monkeypatch.setattr(opendata, "EXPORT_BATCH", 2)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER, name TEXT, amount REAL, note TEXT)")
    rows = [
        (1, "兰州示例公司", 1.5, None),
        (2, 'a,"b"\nc', 0.1 + 0.2, ""),
        (3, "x", -0.0, "\u2028"),
        (4, None, 1e20, "é"),
        (5, "末行", None, "\\"),
    ]
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    conn.execute("CREATE TABLE empty (a TEXT, b INTEGER)")
    for table in ("t", "empty"):
        cur = conn.execute(f"SELECT * FROM {table} ORDER BY rowid")  # as stored (-0.0 reads back 0.0)
        columns, expected = [c[0] for c in cur.description], cur.fetchall()
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(expected)
        assert b"".join(opendata.csv_chunks(conn, table)) == ("\ufeff" + buf.getvalue()).encode("utf-8")
        assert b"".join(opendata.json_chunks(conn, table)) == json.dumps(
            [dict(zip(columns, r)) for r in expected], ensure_ascii=False, separators=(",", ":")
        ).encode("utf-8")
    assert len(list(opendata.csv_chunks(conn, "t"))) >= 3  # really in pieces

    def build(chunks):
        tree = OutputTree(tmp_path / "out", tmp_path / "cache")
        return tree, tree.write_chunks("data/csv/t.csv", chunks, "fp")

    target = tmp_path / "out" / "data" / "csv" / "t.csv"
    tree, written = build(opendata.csv_chunks(conn, "t"))
    assert written and tree.new_manifest["data/csv/t.csv"][1] == target.stat().st_size
    before = target.stat().st_mtime_ns
    tree, written = build(opendata.csv_chunks(conn, "t"))
    assert not written and tree.same == 1 and target.stat().st_mtime_ns == before
    tree, written = build([b"new ", b"bytes"])
    assert written and target.read_bytes() == b"new bytes"

    def broken():
        yield b"half"
        raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(sqlite3.OperationalError):
        build(broken())
    assert target.read_bytes() == b"new bytes"
    assert not any(p.name.endswith(".tmp") for p in target.parent.iterdir())


def test_injuries_are_shown_as_the_total_with_the_serious_among_them(site):
    """injuries counts every injured survivor, serious ones included: the page must not call
    the total 轻伤 beside 重伤 (that would read as more people than were hurt)."""
    html = site.read("/accidents/acc-0001/")  # 2 injured, both seriously
    assert "轻伤" not in html
    assert "<dt>受伤（含重伤）</dt><dd>2 人" in html and "<dt>其中重伤</dt><dd>2 人" in html
