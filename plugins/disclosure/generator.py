"""The Pelican generator: read data/public.db, render every record and list page through the
theme's templates (no intermediate Markdown), and write feeds, downloads, the search files and the
sitemap, each only when its bytes changed (see output.py). Pages and feeds are rendered by all
cores (render.py). When the database, the templates, the plugin code and the settings are all
exactly as in the last build, nothing is loaded or rendered: the outputs are kept as they are.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pelican.generators import Generator

from freshness import FRESH, freshness, start_of

from . import choropleth, dictionary, feeds, filters, opendata, pages, pages_more, render, search
from .data import PublicData, SiteMeta, connect_ro
from .output import tree_for
from .regions import Regions, regions_path

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent

DEFAULTS = {
    "DISCLOSURE_PUBLIC_DB": "data/public.db",
    "DISCLOSURE_DATASETTE_URL": "http://127.0.0.1:8001",
    "DISCLOSURE_DATASETTE_DB": "public",
    "DISCLOSURE_SCHEMA": None,
    "DISCLOSURE_SEARCH_INDEX": True,
    "DISCLOSURE_PER_PAGE": 100,
    "DISCLOSURE_CANONICAL_URL": "http://127.0.0.1:8000",
    "DISCLOSURE_ARCHIVE_URL": None,
    "DISCLOSURE_ARCHIVE_COPY": False,
    "DISCLOSURE_ARCHIVE_DIR": "data/archive",
    "DISCLOSURE_PROVINCE": "甘肃省",
    "DISCLOSURE_PROVINCE_CODE": "620000",
    "DISCLOSURE_GDP_BASE_YEAR": 2015,
    "DISCLOSURE_GDP_TARGET_YEAR": 2020,
    "DISCLOSURE_GDP_TARGET_CHANGE": -0.30,
    "DISCLOSURE_FEED_AUTHORITY": "disclosure.invalid,2026",
    "DISCLOSURE_PRUNE_OUTPUT": True,
    "DISCLOSURE_REPORT_CONTACTS": {},
    # render processes: 0 = one per core (serial for a small site), 1 = serial, n = n (render.py)
    "DISCLOSURE_WORKERS": 0,
    # which enterprises get a static page: "auto" | "all" | "with_records" (data.py, docs/scaling.md)
    "DISCLOSURE_ENTERPRISE_PAGES": "auto",
    "DISCLOSURE_ENTERPRISE_PAGES_LIMIT": 100_000,
    # accident reports in the Pagefind full-text index, newest first (search.py, docs/scaling.md)
    "DISCLOSURE_SEARCH_MAX_PAGES": 12_000,
}


# settings that change how the build runs, not what it writes (the database counts by its bytes)
_NOT_IN_OUTPUT = {
    "DISCLOSURE_PUBLIC_DB",
    "DISCLOSURE_WORKERS",
    "DISCLOSURE_SEARCH_INDEX",
    "DISCLOSURE_PRUNE_OUTPUT",
}


def setting(settings, key):
    return settings.get(key, DEFAULTS[key])


def canonical_base(settings) -> str:
    siteurl = settings.get("SITEURL") or ""
    base = (
        siteurl
        if siteurl.startswith(("http://", "https://"))
        else setting(settings, "DISCLOSURE_CANONICAL_URL")
    )
    return base.rstrip("/")


def site_info(d: SiteMeta | PublicData, settings) -> dict:
    """What every page shows about the data: the as-of date, each source's last successful fetch,
    and whether the data is the bundled fictional sample (示例数据)."""
    as_of = d.as_of
    sources = []
    for s in d.sources:
        ok = s.get("last_success_at")
        sources.append(
            {
                "id": s["id"],
                "title": s.get("title") or s["id"],
                "publisher": s.get("publisher"),
                "kind": s.get("kind"),
                "licence": s.get("licence"),
                "url": s.get("url"),
                "last_success": _beijing(ok),
                "last_status": s.get("last_status"),
                # Every page's footer shows the day only, so a re-run of an unchanged source does not
                # rewrite every page (caches keep working); the home page shows the full time.
                "last_success_day": (_beijing(ok) or "")[:10] or None,
                "stale": _stale(ok, s.get("max_age_days"), as_of),
                "max_age_days": s.get("max_age_days"),
                "sample": bool(s.get("is_sample")),
                "record_count": s.get("record_count"),
            }
        )
    return {
        "as_of": as_of,
        "built_at": d.build_info.get("built_at"),
        "sources": sources,
        "sample": any(s["sample"] for s in sources),
        "stale": sum(1 for s in sources if s["stale"]),
        "province": setting(settings, "DISCLOSURE_PROVINCE"),
        "legal_basis": d.legal_basis,
    }


def _stale(last_success_at: str | None, max_age_days, as_of: str) -> bool:
    """Too old as of the database's date (build_info), not the build's clock: a page states
    what held on that date, and a rebuild on a later day must not change it. Never fetched is
    stale; an unreadable date is not."""
    try:
        now = start_of(date.fromisoformat(as_of))
        verdict = freshness(last_success_at, int(max_age_days) if max_age_days else None, now).verdict
    except ValueError:
        return not last_success_at
    return verdict != FRESH


# What site_info holds that only the home page shows (each source's last fetch to the minute)
# or no page shows at all. Left out of every other page's fingerprint: a release re-fetches every
# source and builds a new public.db, and with these in it every page was rendered again.
_HOME_TEMPLATE = "index"
_HOME_ONLY = {"built_at"}
_HOME_ONLY_SOURCE = {"last_success", "last_status", "record_count"}


def shown_on_every_page(site: dict) -> dict:
    """site_info without what only the home page shows (its fingerprint adds the rest)."""
    return {
        **{k: v for k, v in site.items() if k not in _HOME_ONLY},
        "sources": [{k: v for k, v in s.items() if k not in _HOME_ONLY_SOURCE} for s in site["sources"]],
    }


_BEIJING = timezone(timedelta(hours=8))


def _beijing(stamp: str | None) -> str | None:
    """An ISO timestamp (the ETL writes UTC) as 北京时间 to the minute; a bare date stays as is."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp[:16].replace("T", " ")
    if moment.tzinfo is None:
        return stamp[:16].replace("T", " ")
    return moment.astimezone(_BEIJING).strftime("%Y-%m-%d %H:%M")


def _db_stamp(db: Path) -> tuple[list, int]:
    """What _db_sha256 remembers a digest by, and the file's link count."""
    st = os.stat(db)
    return [os.path.realpath(db), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns], st.st_nlink


def _db_sha256(db: Path, cache_dir: Path) -> str:
    """sha256 of the database file, remembered in the cache folder with the file's inode, size,
    modification and change times (as git's index does): a rebuild that changes nothing does not
    re-read 200 MB (0.2 s at province size). Any write to the file changes its ctime, which no
    tool can set back, so a changed file is always hashed again."""
    stamp, _ = _db_stamp(db)
    memo = cache_dir / "disclosure-db-sha256.json"
    try:
        saved = json.loads(memo.read_text(encoding="utf-8"))
        if saved.get("stat") == stamp and len(saved.get("sha256", "")) == 64:
            return saved["sha256"]
    except (OSError, ValueError, AttributeError):
        pass
    digest = opendata.file_sha256(db)
    _remember_db_sha256(memo, stamp, digest)
    return digest


def _relinked_db_sha256(db: Path, cache_dir: Path, before: tuple[list, int], digest: str) -> None:
    """Remember ``digest`` again after this build hard-linked the database into its output
    (data/public.db). A new link changes the file's ctime, so the next build would hash 200 MB
    again (0.6 s of a 1.2 s rebuild that changes nothing). Only when nothing but the ctime moved
    and the link count went up: a write changes the mtime or size as well."""
    (path, ino, size, mtime, _), links = before
    after, links_now = _db_stamp(db)
    if after[:4] == [path, ino, size, mtime] and after[4] != before[0][4] and links_now > links:
        _remember_db_sha256(cache_dir / "disclosure-db-sha256.json", after, digest)


def _remember_db_sha256(memo: Path, stamp: list, digest: str) -> None:
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        tmp = memo.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stat": stamp, "sha256": digest}), encoding="utf-8")
        os.replace(tmp, memo)
    except OSError:
        pass  # a read-only cache folder: hash every time


def _fingerprint_files(*folders: Path) -> str:
    h = hashlib.sha1()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _fingerprint_reference(province: str) -> str:
    """The reference data files the pages use: the map outlines (choropleth.py) and the region
    table (regions.py)."""
    h = hashlib.sha1()
    for path in (choropleth.boundaries_path(province), regions_path(province)):
        h.update(hashlib.sha1(path.read_bytes()).digest() if path.is_file() else b"-")
    return h.hexdigest()


def _dict_first(env) -> None:
    """Make ``row.column`` in templates look the key up first. Every record is a dict, and Jinja
    tries an attribute first, so each ``row.column`` (thousands per list page) cost a failed
    getattr and its exception. Dict methods (``.items()``, ``.get()``) still resolve when no key
    has their name; the data's keys are column names, none of them a dict method."""
    default = env.getattr

    def getattr_(obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return default(obj, attribute)

    env.getattr = getattr_


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


class DisclosureGenerator(Generator):
    """Pages from the public database. Runs after Pelican's own pages (12350, about)."""

    def generate_context(self):
        self.db_path = Path(setting(self.settings, "DISCLOSURE_PUBLIC_DB"))
        self.data = None  # loaded in generate_output, unless nothing changed since the last build
        self.meta = SiteMeta(self.db_path)
        self.site = site_info(self.meta, self.settings)
        _dict_first(self.env)
        self.canon = canonical_base(self.settings)
        self.context["DISCLOSURE"] = self.site
        self.context["CANON"] = self.canon
        self.schema = dictionary.load(setting(self.settings, "DISCLOSURE_SCHEMA"))
        self.regions = Regions.load(setting(self.settings, "DISCLOSURE_PROVINCE_CODE"))
        labels = {
            t: {c: (m or {}).get("label") for c, m in (spec.get("columns") or {}).items()}
            for t, spec in self.schema["tables"].items()
        }
        self.env.globals["field_list"] = lambda value, table: filters.fields(value, labels.get(table, {}))
        vocabulary = pages_more.Labels(self.schema)
        self.env.filters.update(
            filters.vocabulary_filters(
                tuple(vocabulary.values("accidents", "accident_type")),
                tuple(vocabulary.values("accidents", "industry")),
            )
        )
        self.context["CHROME"] = self.chrome = self._site_chrome()

    def _site_chrome(self) -> dict:
        """Header, navigation (one variant per section) and footer, rendered once per build."""
        module = self.env.get_template("_chrome.html").make_module(
            {
                "DISCLOSURE": self.site,
                "SITENAME": self.settings.get("SITENAME"),
                "SITEURL": self.settings.get("SITEURL", ""),
            }
        )
        nav = {"": module.nav("")}
        nav.update({href: module.nav(href) for href, _ in module.NAV})
        return {"top": module.top(), "bottom": module.bottom(), "footer": module.footer(), "nav": nav}

    # ------------------------------------------------------------------ output
    def generate_output(self, writer):
        s = self.settings
        self.tree = tree_for(self.output_path, s)
        self.base_ctx = {
            "SITENAME": s.get("SITENAME"),
            "SITEURL": s.get("SITEURL", ""),
            "CANON": self.canon,
            "DISCLOSURE": self.site,
            "DISCLOSURE_DATASETTE_URL": setting(s, "DISCLOSURE_DATASETTE_URL"),
            "DISCLOSURE_DATASETTE_DB": setting(s, "DISCLOSURE_DATASETTE_DB"),
            "DISCLOSURE_ARCHIVE_URL": setting(s, "DISCLOSURE_ARCHIVE_URL"),
            "DISCLOSURE_REPORT_CONTACTS": setting(s, "DISCLOSURE_REPORT_CONTACTS"),
            "CHROME": self.chrome,
        }
        theme = Path(self.theme)
        shown = dict(self.base_ctx, DISCLOSURE=shown_on_every_page(self.site))
        self.global_fp = hashlib.sha1(
            (
                _fingerprint_files(theme / "templates", HERE)
                + json.dumps([shown, self.schema], sort_keys=True, ensure_ascii=False, default=_json_default)
            ).encode()
        ).hexdigest()
        db_stamp = _db_stamp(self.db_path)
        self.db_sha256 = _db_sha256(self.db_path, Path(self.settings["CACHE_PATH"]))
        pelican_pages = [p.url for p in self.context.get("pages", [])]
        self.tree.pelican_pages = [p.save_as for p in self.context.get("pages", [])]  # searchable (finalized)
        key = self._build_key(theme, pelican_pages)
        before = set(self.tree.touched)
        if not setting(s, "DISCLOSURE_ARCHIVE_COPY") and self.tree.reuse("disclosure", key):
            log.info("disclosure: database, templates, code and settings unchanged; outputs kept")
            return

        downloads = self._start_downloads()  # in a background process unless the build is serial
        self.data = PublicData(
            self.db_path,
            setting(s, "DISCLOSURE_ENTERPRISE_PAGES"),
            setting(s, "DISCLOSURE_ENTERPRISE_PAGES_LIMIT"),
        )
        self.authority = setting(s, "DISCLOSURE_FEED_AUTHORITY")
        self.atom = self.env.get_template("atom.xml")
        self._archive_links()
        workers = render.worker_count(
            setting(s, "DISCLOSURE_WORKERS"), 2 * len(self.data.enterprise_pages) + len(self.data.accidents)
        )
        self.tree.processes = workers
        self.sitemap = pelican_pages + render.render_all(self._outputs, self._render, self.tree, workers)
        self.sitemap.append(self._render(self._data_page(downloads()), self.tree))
        _relinked_db_sha256(self.db_path, Path(self.settings["CACHE_PATH"]), db_stamp, self.db_sha256)
        self._write_index_json()
        self._write_search()
        self._copy_static(theme / "static")
        self._write_sitemap()
        self.tree.stamp("disclosure", key, self.tree.touched - before)

    def _build_key(self, theme: Path, pelican_pages: list[str]) -> str:
        """Everything this generator's outputs are made from: the database bytes, the templates and
        plugin code, the site-wide context, the theme's static files, the plugin's settings and
        the list of Pelican's own pages (they are in the sitemap)."""
        knobs = {
            k: v
            for k, v in self.settings.items()
            if (k.startswith("DISCLOSURE_") and k not in _NOT_IN_OUTPUT) or k in ("SITEURL", "SITENAME")
        }
        return hashlib.sha1(
            json.dumps(
                [
                    self.global_fp,
                    self.db_sha256,
                    _fingerprint_files(theme / "static"),
                    _fingerprint_reference(setting(self.settings, "DISCLOSURE_PROVINCE_CODE")),
                    pelican_pages,
                    knobs,
                ],
                sort_keys=True,
                ensure_ascii=False,
                default=_json_default,
            ).encode()
        ).hexdigest()

    def _archive_links(self):
        """Give each cited document the link to its archived copy (documents.archive_path), the
        same address Datasette links to: either copied into output/archive/ (DISCLOSURE_ARCHIVE_COPY)
        or served elsewhere (DISCLOSURE_ARCHIVE_URL). Off by default: an archived original may hold
        personal data that the public database masks, so publishing it is the operator's decision."""
        s = self.settings
        copy = bool(setting(s, "DISCLOSURE_ARCHIVE_COPY"))
        base = setting(s, "DISCLOSURE_ARCHIVE_URL")
        if copy and not base:
            base = (s.get("SITEURL") or "") + "/archive/"
        archive_dir = Path(setting(s, "DISCLOSURE_ARCHIVE_DIR"))
        for doc in self.data.documents.values():
            doc["archive_href"] = None
            path = doc.get("archive_path")
            if not path or not base:
                continue
            if copy:
                src = archive_dir / path
                if not src.is_file():
                    continue
                self.tree.copy(src, f"archive/{path}")
            doc["archive_href"] = base.rstrip("/") + "/" + path

    def _pages(self):
        d, s = self.data, self.settings
        per = int(setting(s, "DISCLOSURE_PER_PAGE"))
        pages_more.use_reference(d, self.schema, self.regions)  # before the enterprise pages are made
        yield pages.home_page(d)
        yield from pages.accident_list_pages(d, per)
        search_limit = int(setting(s, "DISCLOSURE_SEARCH_MAX_PAGES"))
        yield from pages.accident_pages(d, search_limit)
        yield from pages.enterprise_list_pages(d, per)
        yield from pages.enterprise_pages(d)
        yield from pages.region_pages(d)
        yield from pages.blacklist_pages(d, per)
        yield from pages.rectification_pages(d, per)
        yield from pages.credit_pages(d, per)
        yield from pages.bans_pages(d, per)
        yield from pages_more.all_pages(d, per)
        yield pages.statistics_page(
            d,
            setting(s, "DISCLOSURE_PROVINCE_CODE"),
            int(setting(s, "DISCLOSURE_GDP_BASE_YEAR")),
            int(setting(s, "DISCLOSURE_GDP_TARGET_YEAR")),
            float(setting(s, "DISCLOSURE_GDP_TARGET_CHANGE")),
        )
        yield pages.Page(
            "search/",
            "search",
            {
                "title": "搜索",
                "description": "按企业名称、统一社会信用代码、文号或关键词搜索。",
                "noindex": True,
                "reports": len(d.accidents),
                "reports_indexed": min(len(d.accidents), search_limit),
            },
        )
        yield pages.Page("404.html", "404", {"title": "页面不存在", "noindex": True, "nocanonical": True})

    def _outputs(self):
        """Every page and feed, in one fixed order (the render workers share it out by position)."""
        yield from self._pages()
        for path, make in feeds.all_feeds(self.data):
            yield pages.Page(path, "atom.xml", make=make)

    def _fingerprint(self, *parts) -> str:
        """What an output is made from: the templates and plugin code, the site-wide context, and
        this output's own data. Same fingerprint and untouched file = no need to render again.
        Pickled, not JSON: twice as fast, and only ever compared with this site's own last build
        (a different Python may pickle differently; that only costs one re-render and compare)."""
        h = hashlib.sha1(self.global_fp.encode())
        h.update(pickle.dumps(parts, protocol=5))
        return h.hexdigest()

    def _render(self, page: pages.Page, tree) -> str | None:
        """Render one page or feed into ``tree`` unless it is fresh; return its sitemap path."""
        ctx = page.context
        if page.template == "atom.xml":
            fp = self._fingerprint("atom", ctx, self.authority)
            if not tree.fresh(page.path, fp):
                xml = self.atom.render(
                    feed=ctx,
                    CANON=self.canon,
                    SITENAME=self.settings.get("SITENAME"),
                    AUTHORITY=self.authority,
                )
                tree.write(page.path, xml.encode("utf-8"), fp)
            return None
        rel = page.path if page.path.endswith(".html") else page.path + "index.html"
        # the home page alone shows each source's fetch time to the minute (shown_on_every_page)
        fp = self._fingerprint(page.template, ctx, self.site if page.template == _HOME_TEMPLATE else None)
        if not tree.fresh(rel, fp):
            html = self.get_template(page.template).render({**self.base_ctx, **ctx, "page_url": page.path})
            tree.write(rel, html.encode("utf-8"), fp)
        return None if ctx.get("noindex") else page.path

    # ------------------------------------------------------------------ other outputs
    def _write_index_json(self):
        self.tree.write(
            "accidents/index.json",
            json.dumps(
                pages.accident_index_json(self.data), ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8"),
        )

    def _write_search(self):
        d = self.data
        texts, entries = search.inputs(d)
        # the index depends on the texts only through the set of characters the table covers
        fp = self._fingerprint("search", search.cjk_chars(texts), entries)
        if self.tree.all_fresh(search.index_files(d), fp):
            return  # the character table (OpenCC over the CJK block) is the slow part: skip it
        dts, dts_db = (
            setting(self.settings, "DISCLOSURE_DATASETTE_URL"),
            setting(self.settings, "DISCLOSURE_DATASETTE_DB"),
        )
        files = search.exact_index(
            d, search.t2s_table(texts), lambda table, pk: filters.datasette_row(dts, dts_db, table, pk)
        )
        for rel, data in files.items():
            self.tree.write(rel, data, fp)

    def _copy_static(self, static: Path):
        for path in sorted(static.rglob("*")):
            if path.is_file():
                self.tree.copy(path, f"theme/{path.relative_to(static).as_posix()}")

    def _write_sitemap(self):
        urls = "".join(f"<url><loc>{self.canon}/{_xml(p)}</loc></url>" for p in sorted(set(self.sitemap)))
        self.tree.write(
            "sitemap.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
            ).encode("utf-8"),
        )
        self.tree.write(
            "robots.txt", f"User-agent: *\nAllow: /\nSitemap: {self.canon}/sitemap.xml\n".encode("utf-8")
        )

    def _start_downloads(self):
        """Start writing the open-data downloads: the database file, and one CSV and one JSON file
        per public table. They are a function of the database bytes alone (same bytes, same
        downloads), so they are skipped when those are unchanged; otherwise they take seconds at
        province size and are written by a forked process while the pages render. Returns a
        function that waits for them and returns the tables' metadata."""
        tables = opendata.public_tables(self.meta.tables)
        fp = self._fingerprint("exports", self.db_sha256, tables)
        meta_rel = "data/tables.json"
        rels = ["data/public.db", meta_rel] + [
            f"data/{kind}/{t}.{kind}" for t in tables for kind in ("csv", "json")
        ]
        if self.tree.all_fresh(rels, fp):
            meta = json.loads((self.tree.root / meta_rel).read_text(encoding="utf-8"))
            return lambda: meta

        def write(tree):
            tree.copy(self.db_path, "data/public.db", fp, link=True)
            meta = []
            conn = connect_ro(self.db_path)
            conn.row_factory = None
            try:
                for table in tables:
                    meta.append(self._export(tree, conn, table))
            finally:
                conn.close()
            tree.write(meta_rel, json.dumps(meta, ensure_ascii=False).encode("utf-8"), fp)
            return meta

        if int(setting(self.settings, "DISCLOSURE_WORKERS") or 0) == 1:
            meta = write(self.tree)
            return lambda: meta
        return render.in_background(write, self.tree)

    def _export(self, tree, conn, table: str) -> dict:
        """One table's CSV and JSON download, kept from the last build when the table's content
        is the same (opendata.table_digest), else generated; returns its entry for tables.json."""
        digest, count, columns = opendata.table_digest(conn, table)
        key = self._fingerprint("export", table, digest)
        csv_rel, json_rel = f"data/csv/{table}.csv", f"data/json/{table}.json"
        if tree.reuse(f"export {table}", key):
            return {
                "name": table,
                "rows": count,
                "columns": columns,
                "csv_size": os.stat(tree.root / csv_rel).st_size,
                "json_size": os.stat(tree.root / json_rel).st_size,
            }
        tree.write_chunks(csv_rel, opendata.csv_chunks(conn, table), key)
        tree.write_chunks(json_rel, opendata.json_chunks(conn, table), key)
        tree.stamp(f"export {table}", key, [csv_rel, json_rel])
        return {
            "name": table,
            "rows": count,
            "columns": columns,
            "csv_size": tree.new_manifest[csv_rel][1],
            "json_size": tree.new_manifest[json_rel][1],
        }

    def _data_page(self, meta: list[dict]) -> pages.Page:
        d, schema = self.data, self.schema
        db_file = {"name": "public.db", "size": self.db_path.stat().st_size, "sha256": self.db_sha256}
        years = sorted(
            {a["year"] for a in d.accidents if a.get("year")}
            | {r["year"] for r in d.statistics if r.get("year")}
        )
        return pages.Page(
            "data/",
            "data",
            {
                "title": "开放数据",
                "tables": opendata.dictionary(meta, schema["tables"]),
                "db_file": db_file,
                "jsonld": opendata.dataset_jsonld(
                    self.canon, self.site, meta, db_file, years, schema["database"]
                ),
                "database": schema["database"],
                "description": "下载安全生产信息公开数据：每张表的 CSV 与 JSON、SQLite 数据库文件、数据字典与使用条款。",
            },
        )


def _xml(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/").replace("&", "&amp;")
