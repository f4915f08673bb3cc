"""Site benchmark (docs/scaling.md): our build measured against Pelican's own Markdown pipeline on the same
records, rebuilds with nothing and with 1% changed, the Pagefind index, and the bytes a browser
downloads for one search.

``run(public_db, workdir, records=None) -> dict`` (bench/site_runner.py calls it in a child
process). Every build is the real CLI (`python -m pelican … --fatal warnings`, as `make site`
runs it), measured by bench/measure.py (wall time; peak memory of the whole process tree, so the
render workers count). The search index is built separately (DISCLOSURE_SEARCH_INDEX=0 for the
builds) so each figure is one step.

The speed comparison uses the same records on both sides: every accident and enterprise page of
the database (or, with ``records=N``, a sample of about N of them cut from it, for a quicker run:
Pelican's pipeline needs ~6 minutes for a province's 51,000 records here). Our build renders the
database (every page type, feeds, downloads); Pelican renders one Markdown article per accident
and per enterprise page, with its default theme. ``site_speedup`` = their time / our time, ours being
the median of three full builds (FULL_BUILDS; each into an empty folder): a 20-35 s build swings
with the disk's write-back of earlier steps, which Pelican's ~5-minute run averages out.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import sys
from pathlib import Path

from bench import measure

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from plugins.disclosure.data import PublicData, segment  # noqa: E402
from tests._browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 (the browser tests' Chromium settings)
from tests.httpd import serve  # noqa: E402 (the tests' static server: standard library only)

CHANGE_SHARE = 0.01
FULL_TEXT_QUERY = "爆炸"
_SEARCH = re.compile(r"search index of (\d+) pages: (\d+) files, ([\d.]+) s, peak (\d+) MB")
_SUMMARY = re.compile(
    r"disclosure: (\d+) files written, (\d+) unchanged after rendering, (\d+) unchanged and not "
    r"re-rendered, (\d+) stale files removed"
)


def run(public_db: Path, workdir: Path, records: int | None = None) -> dict:
    public_db, workdir = Path(public_db).resolve(), Path(workdir).resolve()
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    out: dict = {}
    site = workdir / "ours"
    out.update(_full_and_rebuilds(public_db, site, workdir))
    out.update(_compare(public_db, workdir, records, out))
    out["figures"] = _figures(out)
    return out


# ---------------------------------------------------------------- our build


def build(db: Path, site: Path, name: str, search_index: bool = False) -> dict:
    """One `make site`-style build of ``db`` into site/output (cache in site/cache), measured."""
    env = {"DISCLOSURE_PUBLIC_DB": str(db), "DISCLOSURE_SEARCH_INDEX": "1" if search_index else "0"}
    argv = measure.python(
        "pelican",
        ROOT / "content",
        "-s",
        ROOT / "pelicanconf.py",
        "-o",
        site / "output",
        "--cache-path",
        site / "cache",
        "--fatal",
        "warnings",
    )
    step = measure.run(name, argv, site / f"{name}.log", env=env)
    log = Path(step.log).read_text(encoding="utf-8", errors="replace")
    found = _SUMMARY.search(log)
    if not found or "WARNING" in log:
        raise RuntimeError(f"{name}: no clean build summary in {step.log}:\n{measure.tail(Path(step.log))}")
    written, compared, skipped, removed = map(int, found.groups())
    out = {
        "seconds": step.seconds,
        "peak_mb": step.peak_mib,
        "written": written,
        "compared": compared,
        "skipped": skipped,
        "removed": removed,
    }
    searched = _SEARCH.search(log)
    if searched:
        out["search"] = dict(zip(("pages", "files", "seconds", "peak_mb"), map(float, searched.groups())))
    return out


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """(size, mtime) of every file: what a web cache sees."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            st = os.stat(os.path.join(dirpath, name))
            out[os.path.join(dirpath, name)] = (st.st_size, st.st_mtime_ns)
    return out


def changed_files(before: dict, after: dict) -> int:
    return sum(1 for path in before.keys() | after.keys() if before.get(path) != after.get(path))


# A 20-35 s build swings with the disk's write-back of earlier steps: sync before each, each into
# a new folder, median of 3
FULL_BUILDS = 3


def _full_builds(public_db: Path, site: Path) -> dict:
    """FULL_BUILDS full builds, each into an empty output and cache; the median time (the last
    build's output stays for the rebuilds). Pelican's Markdown pipeline runs once: at ~5 minutes
    it averages such swings out by itself."""
    runs, extra = [], []
    for k in range(FULL_BUILDS):
        # each build into a folder never used before: builds into the same path after deleting
        # the last one's files got slower each time here (21.6, 39.1, 60.3 s), in new folders not
        last = k == FULL_BUILDS - 1
        folder = site if last else site.with_name(f"{site.name}-full-{k + 1}")
        for sub in ("output", "cache"):
            shutil.rmtree(folder / sub, ignore_errors=True)
        os.sync()  # earlier steps' write-back belongs to no build
        runs.append(build(public_db, folder, "full" if last else f"full-{k + 1}"))
        if not last:
            extra.append(folder)
    for folder in extra:  # after the timed builds
        shutil.rmtree(folder, ignore_errors=True)
    median = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {
        **median,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "runs_s": [round(r["seconds"], 2) for r in runs],
    }


def _full_and_rebuilds(public_db: Path, site: Path, workdir: Path) -> dict:
    full = _full_builds(public_db, site)
    output = site / "output"
    html = sum(1 for p in output.rglob("*.html"))
    files = sum(1 for p in output.rglob("*") if p.is_file())
    before = snapshot(output)
    same = build(public_db, site, "rebuild-nochange")
    nochange_changed = changed_files(before, snapshot(output))
    searched = _pagefind(public_db, site)
    searched.update(_search_download(output))
    changed_db, changed = change_accidents(public_db, workdir / "public-1pct.db", CHANGE_SHARE)
    before = snapshot(output)
    onepct = build(changed_db, site, "rebuild-1pct")
    onepct_changed = changed_files(before, snapshot(output))
    return {
        "site_html_pages": html,
        "site_files": files,
        "site_full_s": full["seconds"],
        "site_full_runs_s": full["runs_s"],
        "site_pages_per_s": round(html / full["seconds"], 1),
        "site_files_per_s": round(files / full["seconds"], 1),
        "peak_memory_mb": full["peak_mb"],
        "rebuild_nochange_files_written": max(same["written"], nochange_changed),
        "rebuild_nochange_s": same["seconds"],
        "rebuild_nochange_ratio": round(same["seconds"] / full["seconds"], 4),
        "rebuild_1pct_accidents_changed": changed,
        "rebuild_1pct_files_written": max(onepct["written"], onepct_changed),
        "rebuild_1pct_s": onepct["seconds"],
        "rebuild_1pct_ratio": round(onepct["seconds"] / full["seconds"], 4),
        **searched,
    }


def change_accidents(public_db: Path, copy: Path, share: float) -> tuple[Path, int]:
    """A copy of the database with ``share`` of the accidents' summaries edited."""
    shutil.copyfile(public_db, copy)
    conn = sqlite3.connect(copy)
    with conn:
        total = conn.execute("SELECT count(*) FROM accidents").fetchone()[0]
        n = max(1, round(total * share))
        conn.execute(
            "UPDATE accidents SET summary = coalesce(summary, '') || '（更正：补充事故经过。）' "
            "WHERE rowid IN (SELECT rowid FROM accidents ORDER BY id LIMIT ?)",
            (n,),
        )
    conn.close()
    return copy, n


# ---------------------------------------------------------------- search


def _pagefind(public_db: Path, site: Path) -> dict:
    """The search index as the plugin builds it: a rebuild with nothing changed but the index
    missing. Its time and the Pagefind process's peak memory come from the plugin's summary."""
    built = build(public_db, site, "search-index", search_index=True)
    stats = built.get("search")
    if not stats:
        raise RuntimeError("the search-index build did not run Pagefind")
    bundle = site / "output" / "pagefind"
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return {
        "pagefind_s": stats["seconds"],
        "pagefind_peak_mb": stats["peak_mb"],
        "pagefind_pages": int(stats["pages"]),
        "pagefind_bytes": sum(p.stat().st_size for p in files),
        "pagefind_files": len(files),
        "search_index_build_s": built["seconds"],
    }


def _search_download(output: Path) -> dict:
    """Bytes the browser fetches for one search, once the search page has loaded: a full-text
    query (Pagefind) and a partial company name (the exact-match index), each in a fresh page."""
    from playwright.sync_api import sync_playwright

    name = _name_query(output)
    out = {}
    with serve(output) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for key, query in (("search_download", FULL_TEXT_QUERY), ("search_name_download", name)):
                size, count, page_bytes = _one_search(browser, base, query)
                out[f"{key}_bytes"], out[f"{key}_requests"] = size, count
            out["search_page_bytes"] = page_bytes
        finally:
            browser.close()
    return out


def _name_query(output: Path) -> str:
    """Part of a company name from the site (the middle of the first enterprise's name, as a
    citizen who half-remembers it would type)."""
    first = next(iter(sorted((output / "enterprises").glob("*/index.html"))), None)
    if first is None:
        return "化工"
    title = re.search(r"<h1[^>]*>([^<]+)</h1>", first.read_text(encoding="utf-8"))
    name = title.group(1) if title else "化工有限公司"
    return name[2:-4] if len(name) > 8 else name[:-1]


def _one_search(browser, base: str, query: str) -> tuple[int, int, int]:
    context = browser.new_context()
    page = context.new_page()
    seen: dict[str, list] = {"load": [], "search": []}
    phase = ["load"]
    context.on("response", lambda response: seen[phase[0]].append(response))
    try:
        page.goto(base + "/search/")
        page.wait_for_load_state("networkidle")
        page_bytes = _body_bytes(seen["load"])
        phase[0] = "search"
        page.fill("#q", query)
        page.press("#q", "Enter")
        page.wait_for_selector(
            "#search-status:has-text('条'), #search-status:has-text('没有找到')", timeout=60000
        )
        page.wait_for_load_state("networkidle")
        return _body_bytes(seen["search"]), len(seen["search"]), page_bytes
    finally:
        context.close()


def _body_bytes(responses) -> int:
    total = 0
    for response in responses:
        try:
            total += len(response.body())
        except Exception:  # noqa: BLE001 - a redirect or aborted load has no body
            pass
    return total


# ---------------------------------------------------------------- Pelican's Markdown pipeline


def _compare(public_db: Path, workdir: Path, records: int | None, full: dict) -> dict:
    """Pelican's Markdown pipeline on the same records as our build: the full database (our full
    build is the other side), or a sample of about ``records`` record pages built both ways."""
    if records:
        db = workdir / "sample" / "public.db"
        n = sample_db(public_db, db, records)
        ours_s = build(db, workdir / "sample-ours", "sample-ours")["seconds"]
    else:
        db, ours_s = public_db, full["site_full_s"]
        d = PublicData(db)
        n = len(d.accidents) + len(d.enterprise_pages)
        del d
    md = workdir / "md"
    count = write_markdown(db, md / "content")
    (md / "pelicanconf.py").write_text(_MD_SETTINGS, encoding="utf-8")
    argv = measure.python("pelican", md / "content", "-s", md / "pelicanconf.py", "-o", md / "output")
    os.sync()  # as before each of our builds: the Markdown files just written are on disk
    step = measure.run("pelican-markdown", argv, md / "pelican.log", env={"PYTHONPATH": ""}, timeout=3600)
    assert count == n, (count, n)
    return {
        "compare_records": n,
        "compare_ours_s": ours_s,
        "compare_pelican_md_s": step.seconds,
        "site_record_pages_per_s": round(n / ours_s, 1),
        "pelican_md_pages_per_s": round(n / step.seconds, 1),
        "site_speedup": round(step.seconds / ours_s, 2),
        "pelican_md_peak_mb": step.peak_mib,
    }


def sample_db(public_db: Path, dest: Path, records: int) -> int:
    """Cut a copy of the public database down to about ``records`` record pages (accidents and
    enterprise pages in their proportions in the whole); return the exact number of record pages."""
    d = PublicData(public_db)
    total_acc, total_ent = len(d.accidents), len(d.enterprise_pages)
    share = min(1.0, records / max(1, total_acc + total_ent))
    keep_acc = sorted(a["id"] for a in d.accidents)[: round(total_acc * share)]
    keep_ent = sorted(e["id"] for e in d.enterprise_pages)[: round(total_ent * share)]
    del d
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    shutil.copyfile(public_db, dest)
    conn = sqlite3.connect(dest)
    with conn:
        conn.execute("CREATE TEMP TABLE keep_acc (id TEXT PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE keep_ent (id TEXT PRIMARY KEY)")
        conn.executemany("INSERT INTO keep_acc VALUES (?)", [(i,) for i in keep_acc])
        conn.executemany("INSERT INTO keep_ent VALUES (?)", [(i,) for i in keep_ent])
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        conn.execute("DELETE FROM accidents WHERE id NOT IN (SELECT id FROM keep_acc)")
        conn.execute("DELETE FROM enterprises WHERE id NOT IN (SELECT id FROM keep_ent)")
        for table in ("credit_ratings", "credit_records", "blacklist", "bans"):
            if table in tables:
                conn.execute(
                    f"DELETE FROM {table} WHERE enterprise_id IS NULL "
                    "OR enterprise_id NOT IN (SELECT id FROM keep_ent)"
                )
        for table in ("accountability", "rectification_assessments"):
            if table in tables:
                conn.execute(
                    f"DELETE FROM {table} WHERE accident_id IS NOT NULL "
                    "AND accident_id NOT IN (SELECT id FROM keep_acc)"
                )
        if "changes" in tables:  # the change history of the records kept, nothing else
            conn.execute("CREATE TEMP TABLE live (t TEXT, id TEXT, PRIMARY KEY (t, id))")
            for table in sorted(
                tables
                & {
                    "accidents",
                    "enterprises",
                    "credit_ratings",
                    "credit_records",
                    "blacklist",
                    "bans",
                    "accountability",
                    "rectification_assessments",
                    "blacklist_removals",
                }
            ):
                conn.execute(f"INSERT OR IGNORE INTO live SELECT '{table}', id FROM [{table}]")
            conn.execute("DELETE FROM changes WHERE (table_name, record_id) NOT IN (SELECT t, id FROM live)")
    conn.execute("VACUUM")
    conn.close()
    d = PublicData(dest)
    return len(d.accidents) + len(d.enterprise_pages)


def _md(text) -> str:
    """Source text as Markdown text (no markup from a source survives, as on our pages)."""
    text = "" if text is None else str(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "｜")


def _rows(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md(v) or "—" for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_markdown(db: Path, folder: Path) -> int:
    """One Markdown article per accident and per enterprise page, with what our pages show."""
    d = PublicData(db)
    for sub in ("accidents", "enterprises"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for a in d.accidents:
        (folder / "accidents" / f"{segment(a['id'])}.md").write_text(_accident_md(d, a), encoding="utf-8")
    for e in d.enterprise_pages:
        (folder / "enterprises" / f"{segment(e['id'])}.md").write_text(_enterprise_md(d, e), encoding="utf-8")
    return len(d.accidents) + len(d.enterprise_pages)


def _meta(title, day, category, tags, slug, summary) -> str:
    return (
        f"Title: {_md(title)}\nDate: {day or '2000-01-01'}\nCategory: {_md(category)}\n"
        f"Tags: {', '.join(_md(t) for t in tags if t)}\nSlug: {slug}\nSummary: {_md(summary)}\n\n"
    )


def _accident_md(d, a) -> str:
    facts = [
        ["发生日期", a.get("occurred_on")],
        ["地点", a.get("region_name")],
        ["事故单位", a.get("enterprise_name")],
        ["行业", a.get("industry")],
        ["事故类型", a.get("accident_type")],
        ["事故等级", a.get("grade")],
        ["死亡", a.get("deaths")],
        ["重伤", a.get("serious_injuries")],
        ["直接经济损失（元）", a.get("direct_loss_yuan")],
        ["文号", a.get("doc_no")],
        ["发布日期", a.get("published_on")],
        ["批复日期", a.get("approved_on")],
    ]
    acct = [
        [r.get("subject"), r.get("position"), r.get("measure_type"), r.get("measure"), r.get("fine_yuan")]
        for r in d.accountability_of(a["id"])
    ]
    text = "\n\n".join(
        _md(line) for line in (a.get("summary") or "来源未提供概要。").splitlines() if line.strip()
    )
    return (
        _meta(
            a["title"],
            (a.get("published_on") or a.get("occurred_on") or "")[:10],
            a.get("city_name") or "未注明",
            [a.get("industry"), a.get("accident_type")],
            segment(a["id"]),
            a.get("summary", "")[:100],
        )
        + "## 基本事实\n\n"
        + _rows(["项目", "内容"], facts)
        + "\n\n## 事故概要\n\n"
        + text
        + "\n\n## 责任追究\n\n"
        + (_rows(["对象", "职务", "处理", "措施", "罚款"], acct) if acct else "未列出。")
        + f"\n\n## 整改措施落实情况评估\n\n状态：{_md(a.get('rect_status_zh'))}；评估时限 "
        f"{_md(a.get('rect_window_start'))} 至 {_md(a.get('rect_window_end'))}。\n"
    )


def _enterprise_md(d, e) -> str:
    eid = e["id"]
    ratings = [
        [r.get("rating_year"), r.get("rating"), r.get("rated_on"), r.get("rater")]
        for r in d.ratings_by_ent.get(eid, [])
    ]
    records = [
        [r.get("record_type"), r.get("decision_no"), r.get("authority"), r.get("facts"), r.get("decided_on")]
        for r in d.records_by_ent.get(eid, [])
    ]
    black = [
        [b.get("listed_on"), b.get("term_end"), b.get("reason"), b.get("decision_no")]
        for b in d.blacklist_by_ent.get(eid, [])
    ]
    accidents = "\n".join(
        f"- [{_md(a['title'])}](/accidents/{segment(a['id'])}.html) {a.get('occurred_on') or ''}"
        for a in d.accidents_by_ent.get(eid, [])
    )
    return (
        _meta(
            e["name"],
            d.as_of,
            "企业",
            [e.get("industry"), e.get("region_name")],
            segment(eid),
            f"{e['name']}（{e.get('uscc') or '无统一社会信用代码'}）",
        )
        + "## 基本信息\n\n"
        + _rows(
            ["项目", "内容"],
            [
                ["统一社会信用代码", e.get("uscc")],
                ["所在地区", e.get("region_name")],
                ["行业", e.get("industry")],
            ],
        )
        + "\n\n## 严重失信主体名单\n\n"
        + (_rows(["列入日期", "期限届满", "事由", "文号"], black) if black else "不在名单。")
        + "\n\n## 信用评级\n\n"
        + (_rows(["年度", "评级", "评定日期", "评定机关"], ratings) if ratings else "暂无。")
        + "\n\n## 信用记录\n\n"
        + (_rows(["类型", "文号", "机关", "事实", "日期"], records) if records else "暂无。")
        + "\n\n## 事故\n\n"
        + (accidents or "没有已公开的事故调查报告。")
        + "\n"
    )


# Pelican's defaults otherwise: the default theme, feeds, tag/category/author/archive pages.
_MD_SETTINGS = """AUTHOR = "甘肃省应急管理厅"
SITENAME = "甘肃省安全生产信息公开平台"
SITEURL = "http://127.0.0.1:8000"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
"""


# ---------------------------------------------------------------- figures


def _figures(r: dict) -> list[dict]:
    def fig(key, label, unit="", target=None, met=None):
        return {"key": key, "label": label, "value": r.get(key), "unit": unit, "target": target, "met": met}

    return [
        fig(
            "site_pages_per_s",
            f"Site: HTML pages per second, full build ({r['site_html_pages']:,} pages)",
            "pages/s",
        ),
        fig("site_full_s", f"Site: full build (no search index), median of {FULL_BUILDS}", "s"),
        fig(
            "pelican_md_pages_per_s",
            f"Site: Pelican Markdown pipeline, same {r['compare_records']:,} records",
            "pages/s",
        ),
        fig("site_record_pages_per_s", f"Site: our build, same {r['compare_records']:,} records", "pages/s"),
        fig(
            "site_speedup",
            "Site: speed-up over Pelican's Markdown pipeline (same records)",
            "×",
            "≥ 10",
            r["site_speedup"] >= 10,
        ),
        fig(
            "rebuild_nochange_files_written",
            "Site: files rewritten by a rebuild with nothing changed",
            "files",
            "= 0",
            r["rebuild_nochange_files_written"] == 0,
        ),
        fig("rebuild_nochange_s", "Site: rebuild with nothing changed", "s"),
        fig(
            "rebuild_nochange_ratio",
            "Site: nothing-changed rebuild ÷ full build",
            "",
            "< 0.1",
            r["rebuild_nochange_ratio"] < 0.1,
        ),
        fig(
            "rebuild_1pct_files_written",
            f"Site: files rewritten, {r['rebuild_1pct_accidents_changed']} accidents (1%) changed",
            "files",
        ),
        fig("rebuild_1pct_s", "Site: rebuild with 1% of accidents changed", "s"),
        fig("pagefind_s", "Search: Pagefind index time", "s"),
        fig("pagefind_bytes", f"Search: Pagefind index size ({r['pagefind_files']:,} files)", "bytes"),
        fig("pagefind_peak_mb", "Search: Pagefind peak memory", "MB", "< 2048", r["pagefind_peak_mb"] < 2048),
        fig(
            "search_download_bytes",
            f"Search: bytes downloaded for one full-text search ({FULL_TEXT_QUERY})",
            "bytes",
        ),
        fig("search_name_download_bytes", "Search: bytes downloaded for one company-name search", "bytes"),
        fig(
            "peak_memory_mb",
            "Site: peak memory of the full build (all processes)",
            "MB",
            "< 2048",
            r["peak_memory_mb"] < 2048,
        ),
    ]


if __name__ == "__main__":  # python -m bench.site_bench PUBLIC_DB WORKDIR [RECORDS]
    import json

    result = run(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else None)
    print(json.dumps({k: v for k, v in result.items() if k != "figures"}, ensure_ascii=False, indent=1))
