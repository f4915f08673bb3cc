"""publish/gates: the personal-data and site gates, on folders and databases built here.

Each gate takes shortcuts at province size (scan_unmasked_pii, links read by lxml into a parser
target, one walk of the folder instead of a stat per link, worker processes). Every test
compares the gate with the plain way of doing the same thing, written out below, and checks
that what must be found is found."""

from __future__ import annotations

import json
import os
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pytest

from etl.normalize.mask import find_unmasked_pii
from publish import gates
from publish.gates import links, pii
from tests import _site_fixture as fx

ID = "620102199001011239"
PAGE = (
    '<!DOCTYPE html>\n<html lang="zh"><head><link rel="stylesheet" href="/theme/site.css"></head>\n'
    '<body><nav><a href="/">首页</a> <a href="/accidents/">事故</a></nav>\n{body}\n</body></html>\n'
)


@pytest.fixture(autouse=True)
def full_reports(monkeypatch):
    for module in (pii, links):
        monkeypatch.setattr(module, "limit", lambda items, n=20: items)


# --- personal data ---------------------------------------------------------------------------


def _plain_personal_data(folder: Path) -> list[str]:
    """The gate as first written: every text file, whole, through find_unmasked_pii."""
    problems = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in gates.TEXT_SUFFIXES and "pagefind" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            problems += [
                f"{path.relative_to(folder)}: unmasked {kind} {match[:6]}…"
                for kind, match in find_unmasked_pii(text)
            ]
    return problems


@pytest.fixture
def downloads(tmp_path) -> Path:
    site = tmp_path / "site"
    filler = '<li><a href="/enterprises/916200000002426247/">示例公司（916200000002426247）</a></li>\n' * 300
    files = {
        "index.html": PAGE.format(body=filler),
        "accidents/acc-1/index.html": PAGE.format(body=filler + f"<p>死者身份证号：{ID}</p>" + filler),
        "accidents/acc-2/index.html": PAGE.format(
            body="<p>联系电话：\n  0931-8465596，手机 +86 139 1234 5678</p>"
        ),
        "accidents/acc-3/index.html": PAGE.format(
            body="<p>举报电话：0931-8465596；信用代码 91620000000024328C</p>"
        ),
        "feeds/accidents.xml": "<feed><entry><summary>身份证号６２０１０２１９９００１０１１２３９</summary></entry></feed>",
        "data/csv/accidents.csv": "id,summary\nacc-036438215901,直接经济损失1102535元\nacc-2,电话 8465596\n",
        "data/json/accidents.json": '[{"id": "acc-1", "note": "13912345678"}]',
        "data/public.db": "13912345678",  # not a text suffix: the database gate reads it
        "pagefind/fragment/a.json": '{"content": "13912345678"}',  # the index repeats the pages
        "12350/index.html": PAGE.format(body="<p>全国安全生产举报投诉电话 12350</p>"),
        ".hidden.txt": f"{ID}",
        "theme/site.css": "body { color: #333 }",
    }
    for name, content in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(content, encoding="utf-8")
    return site


@pytest.mark.parametrize("workers", [1, 2])
def test_personal_data_in_files_is_found_as_by_the_plain_scan(downloads, workers):
    result = gates.personal_data(downloads, [], workers=workers)
    assert result.problems == _plain_personal_data(downloads)
    assert result.problems == [
        ".hidden.txt: unmasked id_number 620102…",
        "accidents/acc-1/index.html: unmasked id_number 620102…",
        "accidents/acc-2/index.html: unmasked landline 0931-8…",
        "accidents/acc-2/index.html: unmasked mobile +86 13…",
        "data/csv/accidents.csv: unmasked landline 846559…",
        "data/json/accidents.json: unmasked mobile 139123…",
        "feeds/accidents.xml: unmasked id_number ６２０１０２…",
    ]


@pytest.mark.parametrize("piece", [5, 37, 256, 1000])
def test_a_large_download_is_scanned_in_pieces_with_the_whole_files_findings(downloads, monkeypatch, piece):
    """pii.PIECE_BYTES: a file over it is scanned as pieces with context either side; the
    findings are those of the whole file, each once, in order, wherever a piece boundary falls
    (inside a number, inside a multi-byte character, between a label and its number)."""
    monkeypatch.setattr(pii, "PIECE_BYTES", piece)
    monkeypatch.setattr(pii, "CONTEXT_BYTES", 64)
    rows = []
    for i in range(60):
        rows.append(
            {
                "id": f"acc-{i}",
                "summary": "示例事故经过说明，" * (i % 5),
                "contact": ["无", "电话13912345678", f"身份证号：{ID}", "0931-8465596", "13912345678"][i % 5],
            }
        )
    import json

    big = downloads / "data" / "json" / "big.json"
    big.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")  # one line, as the downloads
    assert big.stat().st_size > 4 * piece
    for workers in (1, 2):
        result = gates.personal_data(downloads, [], workers=workers)
        assert result.problems == _plain_personal_data(downloads)
    assert sum("data/json/big.json" in p for p in result.problems) == 48


def test_the_search_summary_is_checked_for_its_shape_not_read_as_text(tmp_path):
    # At province size the bigrams of 有限责任公司 and 建设 are in hundreds of names: 任公, 华建 and
    # 康建 read as text look like names; as the bigram table they are, they are not personal data.
    exact = tmp_path / "search" / "exact.json"
    exact.parent.mkdir()
    index = {"names": 3, "codes": 1, "common": {"任公": 4418, "华建": 331, "有限": 9000}, "t2s": "業业責责"}
    exact.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    assert find_unmasked_pii(exact.read_text(encoding="utf-8"))  # what the plain scan would say
    assert gates.personal_data(tmp_path, []).problems == []
    for broken in (
        dict(index, people=["王大明"]),
        dict(index, common={"王大明在现场": 1}),
        dict(index, t2s="王大明"),
        dict(index, names="王大明"),
    ):
        exact.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
        [problem] = gates.personal_data(tmp_path, []).problems
        assert problem.startswith("search/exact.json: "), problem
    exact.write_text('{"names": 3, "common": ', encoding="utf-8")
    assert gates.personal_data(tmp_path, []).problems[0].startswith("search/exact.json: not JSON")


def test_personal_data_gate_stops_on_one_file_among_many(downloads):
    for i in range(1200):  # several chunks, so several workers
        page = downloads / "enterprises" / f"e-{i:04d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(body=f"<p>示例企业 {i}</p>"), encoding="utf-8")
    (downloads / "enterprises" / "e-0917" / "index.html").write_text(
        PAGE.format(body="<p>负责人 电话13912345678</p>"), encoding="utf-8"
    )
    result = gates.personal_data(downloads, [], workers=2)
    assert not result.ok
    assert "enterprises/e-0917/index.html: unmasked mobile 139123…" in result.problems
    assert result.problems == _plain_personal_data(downloads)


def test_personal_data_in_databases(tmp_path):
    db = tmp_path / "public.db"
    conn = sqlite3.connect(db)
    conn.executescript(f"""
        CREATE TABLE accidents (id TEXT PRIMARY KEY, summary TEXT, deaths INTEGER, enterprise_uscc TEXT);
        INSERT INTO accidents VALUES ('acc-1', '死者身份证号{ID}', 1, NULL);
        INSERT INTO accidents VALUES ('acc-2', '无', '电话 0931-8465596', '{ID}');
        INSERT INTO accidents VALUES ('acc-3', '损失1102535元', 2, '916200000002426247');
        CREATE TABLE changes (record_id TEXT, old TEXT);
        INSERT INTO changes VALUES ('acc-036438215901', '{{"phone": "１３９１２３４５６７８"}}');
        CREATE VIRTUAL TABLE accidents_fts USING fts5(summary);
        INSERT INTO accidents_fts VALUES ('{ID}');
    """)
    conn.commit()
    conn.close()
    for workers in (1, 2):
        result = gates.personal_data(None, [db], workers=workers)
        assert result.problems == [
            "public.db: accidents.summary: unmasked id_number 620102…",
            "public.db: accidents.deaths: unmasked landline 0931-8…",  # a string in an INTEGER column
            "public.db: changes.old: unmasked mobile １３９１２３…",
        ]


@pytest.mark.parametrize(
    "fragment",
    [
        "620102********1234",
        "412***********7714",
        "6201**********1234",
        "62010219******1234",
        "６２０１０２＊＊＊＊＊＊＊＊１２３４",
    ],
)
def test_a_masked_id_fragment_is_flagged_in_files_and_databases(downloads, tmp_path, fragment):
    """No part of an ID number may be released (行政处罚结果信息网上公开暂行办法 第七条), not even as
    a source masked it: a fragment planted in a page, a feed, a download or public.db stops the
    release. The internal database may keep it in its id_number column only."""
    (downloads / "bans" / "index.html").parent.mkdir(parents=True)
    (downloads / "bans" / "index.html").write_text(
        PAGE.format(body=f"<td>李某军<br>身份证号码：{fragment}</td>"), encoding="utf-8"
    )
    (downloads / "feeds" / "bans.xml").write_text(
        f"<feed><summary>（{fragment}）</summary></feed>", encoding="utf-8"
    )
    (downloads / "data" / "csv" / "bans.csv").write_text(
        f"id,reason\nban-1,作为示例公司主要负责人{fragment}\n", encoding="utf-8"
    )
    for workers in (1, 2):
        result = gates.personal_data(downloads, [], workers=workers)
        assert result.problems == _plain_personal_data(downloads)
        for rel in ("bans/index.html", "feeds/bans.xml", "data/csv/bans.csv"):
            assert f"{rel}: unmasked id_fragment {fragment[:6]}…" in result.problems
    public, internal = tmp_path / "public.db", tmp_path / "disclosure.db"
    for path in (public, internal):
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE bans (id TEXT PRIMARY KEY, id_number TEXT, reason TEXT)")
        conn.execute("INSERT INTO bans VALUES ('ban-1', ?, '对较大事故负有主要责任')", (fragment,))
        conn.execute("INSERT INTO bans VALUES ('ban-2', NULL, ?)", (f"身份证号：{fragment}",))
        conn.execute("CREATE TABLE changes (record_id TEXT, fields TEXT)")  # an old value, before the policy
        conn.execute(
            "INSERT INTO changes VALUES ('ban-2', ?)", (f'{{"reason": ["身份证号：{fragment}", "…"]}}',)
        )
        if path == internal:
            conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        conn.commit()
        conn.close()
    result = gates.personal_data(None, [public, internal], workers=1)
    assert result.problems == [
        f"public.db: bans.id_number: unmasked id_fragment {fragment[:6]}…",
        f"public.db: bans.reason: unmasked id_fragment {fragment[:6]}…",
        f"public.db: changes.fields: unmasked id_fragment {fragment[:6]}…",
        f"disclosure.db: bans.reason: unmasked id_fragment {fragment[:6]}…",
    ]


# --- site: links and hosts -------------------------------------------------------------------


class _Refs(HTMLParser):
    """Link attributes as first read: html.parser."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        self.links += [(tag, name, value) for name, value in attrs if value and name in links.LINK_NAMES]


def _html_parser_links(html: str) -> list[tuple[str, str, str]]:
    parser = _Refs()
    parser.feed(html)
    return parser.links


def _plain_site(site_dir: Path, external_ok: tuple[str, ...]) -> list[str]:
    """Links as first checked: html.parser on every page, a stat per link."""
    problems = []
    for path in sorted(site_dir.rglob("*.html")):
        if "pagefind" in path.parts:
            continue
        for tag, attr, value in _html_parser_links(path.read_text(encoding="utf-8", errors="replace")):
            problem = links._check_ref(site_dir, path, tag, attr, value, external_ok)
            if problem:
                problems.append(f"/{path.relative_to(site_dir).as_posix()}: {problem}")
    return problems


@pytest.fixture
def site_dir(tmp_path) -> Path:
    site = tmp_path / "site"
    for page in gates.REQUIRED_PAGES:
        (site / page).parent.mkdir(parents=True, exist_ok=True)
        (site / page).write_text(PAGE.format(body="<p>示例</p>"), encoding="utf-8")
    links = """
      <link rel="canonical" href="https://safety.example.gov.cn/accidents/acc-1/">
      <a href="../">上一级</a> <a href="./">本页</a> <a href="index.html#top">顶部</a> <a href="#main">正文</a>
      <a href="/missing/">缺页</a> <a HREF="/Accidents/">大小写</a> <a href="/data/x.csv?a=1&amp;b=2">下载</a>
      <a href="/data/%E4%B8%8B%E8%BD%BD.csv">中文文件名</a> <a href="/data/%E7%BC%BA.csv">缺文件</a>
      <a href="/accidents/../data/">上溯</a> <a href="/accidents/../nowhere/">上溯缺</a> <a href="/alias/">链接</a>
      <a href="https://www.mem.gov.cn/doc.html">来源文件</a> <a href="mailto:x@example.com">邮件</a>
      <img src="//cdn.example.com/i.png" alt=""> <img src="/theme/logo.png" alt="">
      <script src="https://cdn.example.com/x.js" defer></script>
      <form action="/search/"><input name="q"></form> <object data="/theme/missing.svg"></object>
    """
    files = {
        "accidents/acc-1/index.html": PAGE.format(body=links),
        # html.parser reads neither the comment nor the script's text as links: no problem there
        "accidents/acc-2/index.html": PAGE.format(
            body='<!-- <a href="/in-comment/"> --><script>var a = \'<a href="/in-script/">\';</script>'
            "<a href=/unquoted-missing/>x</a>"
        ),
        "pagefind/ui.html": '<a href="/not-checked/">x</a>',
        "data/x.csv": "id\n",
        "data/下载.csv": "id\n",
        "theme/logo.png": "",
        "theme/site.css": "body { background: url('/theme/logo.png') }",
        "theme/fonts.css": "@font-face { src: url(https://fonts.example.com/f.woff2) }",
    }
    for name, content in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(content, encoding="utf-8")
    os.symlink(site / "accidents", site / "alias")
    return site


@pytest.mark.parametrize("workers", [1, 2])
def test_site_gate_reports_broken_links_and_resources_from_other_hosts(site_dir, workers):
    result = gates.site(site_dir, ("https://safety.example.gov.cn/",), workers=workers)
    page = "/accidents/acc-1/index.html"
    assert result.problems == [
        f"{page}: broken link /missing/",
        f"{page}: broken link /Accidents/",
        f"{page}: broken link /data/%E7%BC%BA.csv",
        f"{page}: broken link /accidents/../nowhere/",
        f"{page}: loads //cdn.example.com/i.png from another host",
        f"{page}: loads https://cdn.example.com/x.js from another host",
        f"{page}: broken link /theme/missing.svg",
        "/accidents/acc-2/index.html: broken link /unquoted-missing/",
        "/theme/fonts.css: loads a resource from another host",
    ]
    assert result.problems[:-1] == _plain_site(site_dir, ("https://safety.example.gov.cn/",))


def test_site_gate_reports_a_missing_required_page(site_dir):
    (site_dir / "bans" / "index.html").unlink()
    (site_dir / "accidents" / "acc-1" / "index.html").write_text(PAGE.format(body=""), encoding="utf-8")
    (site_dir / "accidents" / "acc-2" / "index.html").unlink()
    (site_dir / "theme" / "fonts.css").unlink()
    assert gates.site(site_dir).problems == ["missing required page /bans/index.html"]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="/a?x=1&amp;y=2">x</a>',
        "<A HREF='/b' Class=nav-x>",
        "<A HREF='/b' Class='nav'>",
        '<img src="/i.png" srcset="/i.png 1x, /i2.png 2x"/>',
        '<!DOCTYPE html><html><br/><br ><p>a &lt;a href="/t"&gt; b</p></html>',
        '<object data="/o.svg"></object><form action="/s/"><video poster="/p.jpg">',
        '<a href="">x</a><a href>y</a><a href="   ">z</a>',
        '<a title="x>y" href="/f">',
        '<a title="<b>" href="/g">',
        '<a href="/h"title="x">',
        "<!-- <a href='/i'> -->",
        '<script src="/s.js" defer></script><style></style><script/>',
        "<script>var a = '<a href=\"/j\">';</script>",
        "<SCRIPT>x</SCRIPT>",
        '<style>a { background: url("/k.png") }</style>',
        "a < b",
        '<a\u3000href="/l">',
        '<a href="/m" / >',
        '<?xml version="1.0"?><a href="/n">',
        '<a href="/o"',
        '<svg><use href="/sprite.svg#i"/></svg>',
        "<img \u017frc=\" data='/z'\">",
        "",
    ],
)
def test_links_read_by_lxml_are_what_html_parser_reports(html):
    assert links._links(html.encode()) == _html_parser_links(html)


def test_a_repeated_attribute_counts_once_as_in_a_browser():
    # html.parser reports both; lxml, as the HTML standard and browsers, keeps the first
    html = '<a href="/c" href="/d" data-href="/e" hreflang="zh">'
    assert links._links(html.encode()) == [("a", "href", "/c")]


def test_links_after_a_text_over_10_mb_are_read():
    page = b"<p>" + b"x" * (11 << 20) + b'</p><a title="' + b"y" * (11 << 20) + b'" href="/after/">'
    assert links._links(page) == [("a", "href", "/after/")]


def test_generated_pages_are_read_as_html_parser_reads_them(tmp_path_factory):
    output = fx.fixture_site(tmp_path_factory).output
    pages = sorted(p for p in output.rglob("*.html") if "pagefind" not in p.parts)
    assert len(pages) > 20
    differ = [
        p.relative_to(output).as_posix()
        for p in pages
        if links._links(p.read_bytes()) != _html_parser_links(p.read_text(encoding="utf-8"))
    ]
    assert differ == []


def test_a_name_is_flagged_except_in_the_internal_raw_rows_and_history(tmp_path):
    """A private person's name the source printed may stay in the internal database's rejected
    rows and change history (staff only, never copied); in a record table, or anywhere in
    public.db, it stops the release."""
    public, internal = tmp_path / "public.db", tmp_path / "disclosure.db"
    text = "目击者王建国称，事发时作业人员未系安全带"
    for path in (public, internal):
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE accidents (id TEXT PRIMARY KEY, summary TEXT)")
        conn.execute("INSERT INTO accidents VALUES ('a-1', ?)", (text,))
        conn.execute("CREATE TABLE rejects (id INTEGER PRIMARY KEY, raw TEXT)")
        conn.execute(
            "INSERT INTO rejects (raw) VALUES (?)", (json.dumps({"wfxw": text}, ensure_ascii=False),)
        )
        if path == internal:
            conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        conn.commit()
        conn.close()
    problems = gates.personal_data(None, [public, internal], workers=1).problems
    assert sorted(p.split(": unmasked")[0] for p in problems) == [
        "disclosure.db: accidents.summary",
        "public.db: accidents.summary",
        "public.db: rejects.raw",
    ]
    assert all("unmasked name" in p for p in problems)
