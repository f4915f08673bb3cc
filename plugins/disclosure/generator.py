"""The Pelican generator: read data/public.db, render every record and list page through the
theme's templates (no intermediate Markdown), and write feeds, downloads, the search files and the
sitemap, each only when its bytes changed (see output.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from pelican.generators import Generator

from . import feeds, filters, opendata, pages, search
from .data import PublicData
from .output import tree_for

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
}


def setting(settings, key):
    return settings.get(key, DEFAULTS[key])


def canonical_base(settings) -> str:
    siteurl = settings.get("SITEURL") or ""
    base = siteurl if siteurl.startswith(("http://", "https://")) else setting(settings, "DISCLOSURE_CANONICAL_URL")
    return base.rstrip("/")


def site_info(d: PublicData, settings) -> dict:
    """What every page shows about the data: the as-of date, each source's last successful fetch,
    and whether the data is the bundled fictional sample (示例数据)."""
    as_of = d.as_of
    try:
        as_of_date = date.fromisoformat(as_of)
    except ValueError:
        as_of_date = None
    sources = []
    for s in d.sources:
        ok = s.get("last_success_at")
        stale = False
        if ok and as_of_date and s.get("max_age_days"):
            try:
                stale = (as_of_date - date.fromisoformat(ok[:10])).days > int(s["max_age_days"])
            except ValueError:
                stale = False
        sources.append({
            "id": s["id"], "title": s.get("title") or s["id"], "publisher": s.get("publisher"),
            "kind": s.get("kind"), "licence": s.get("licence"), "url": s.get("url"),
            "last_success": _beijing(ok), "last_status": s.get("last_status"),
            "stale": stale or not ok, "max_age_days": s.get("max_age_days"),
            "sample": bool(s.get("is_sample")), "record_count": s.get("record_count"),
        })
    return {
        "as_of": as_of, "built_at": d.build_info.get("built_at"), "sources": sources,
        "sample": any(s["sample"] for s in sources), "stale": sum(1 for s in sources if s["stale"]),
        "province": setting(settings, "DISCLOSURE_PROVINCE"),
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


def _fingerprint_files(*folders: Path) -> str:
    h = hashlib.sha1()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


class DisclosureGenerator(Generator):
    """Pages from the public database. Runs after Pelican's own pages (12350, about)."""

    def generate_context(self):
        db_path = Path(setting(self.settings, "DISCLOSURE_PUBLIC_DB"))
        self.data = PublicData(db_path)
        self.site = site_info(self.data, self.settings)
        self.canon = canonical_base(self.settings)
        self.context["DISCLOSURE"] = self.site
        self.context["CANON"] = self.canon
        self.schema = opendata.load_schema(setting(self.settings, "DISCLOSURE_SCHEMA"))
        labels = {t: {c: (m or {}).get("label") for c, m in (spec.get("columns") or {}).items()}
                  for t, spec in self.schema["tables"].items()}
        self.env.globals["field_list"] = lambda value, table: filters.fields(value, labels.get(table, {}))
        self.context["CHROME"] = self.chrome = self._site_chrome()

    def _site_chrome(self) -> dict:
        """Header, navigation (one variant per section) and footer, rendered once per build."""
        module = self.env.get_template("_chrome.html").make_module({
            "DISCLOSURE": self.site, "SITENAME": self.settings.get("SITENAME"), "SITEURL": self.settings.get("SITEURL", "")})
        nav = {"": module.nav("")}
        nav.update({href: module.nav(href) for href, _ in module.NAV})
        return {"top": module.top(), "bottom": module.bottom(), "footer": module.footer(), "nav": nav}

    # ------------------------------------------------------------------ output
    def generate_output(self, writer):
        s = self.settings
        self.tree = tree_for(self.output_path, s)
        self.base_ctx = {
            "SITENAME": s.get("SITENAME"), "SITEURL": s.get("SITEURL", ""), "CANON": self.canon,
            "DISCLOSURE": self.site, "DISCLOSURE_DATASETTE_URL": setting(s, "DISCLOSURE_DATASETTE_URL"),
            "DISCLOSURE_DATASETTE_DB": setting(s, "DISCLOSURE_DATASETTE_DB"),
            "DISCLOSURE_ARCHIVE_URL": setting(s, "DISCLOSURE_ARCHIVE_URL"),
            "DISCLOSURE_REPORT_CONTACTS": setting(s, "DISCLOSURE_REPORT_CONTACTS"), "CHROME": self.chrome,
        }
        theme = Path(self.theme)
        self.global_fp = hashlib.sha1((
            _fingerprint_files(theme / "templates", HERE)
            + json.dumps([self.base_ctx, self.schema], sort_keys=True, ensure_ascii=False, default=_json_default)
        ).encode()).hexdigest()
        self.sitemap: list[str] = [p.url for p in self.context.get("pages", [])]

        self._archive_links()
        for page in self._pages():
            self._render(page)
        self._write_feeds()
        self._write_search()
        self._copy_static(theme / "static")
        self._write_sitemap()

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
        yield pages.home_page(d)
        yield from pages.accident_list_pages(d, per)
        yield from pages.accident_pages(d)
        yield from pages.enterprise_list_pages(d, per)
        yield from pages.enterprise_pages(d)
        yield from pages.region_pages(d)
        yield from pages.blacklist_pages(d, per)
        yield from pages.rectification_pages(d, per)
        yield from pages.credit_pages(d, per)
        yield from pages.bans_pages(d, per)
        yield pages.statistics_page(d, setting(s, "DISCLOSURE_PROVINCE_CODE"), int(setting(s, "DISCLOSURE_GDP_BASE_YEAR")),
                                    int(setting(s, "DISCLOSURE_GDP_TARGET_YEAR")), float(setting(s, "DISCLOSURE_GDP_TARGET_CHANGE")))
        yield self._data_page()
        yield pages.Page("search/", "search", {"title": "搜索", "description": "按企业名称、统一社会信用代码、文号或关键词搜索。",
                                               "noindex": True})
        yield pages.Page("404.html", "404", {"title": "页面不存在", "noindex": True, "nocanonical": True})

    def _fingerprint(self, *parts) -> str:
        """What an output is made from: the templates and plugin code, the site-wide context, and
        this output's own data. Same fingerprint and untouched file = no need to render again."""
        return hashlib.sha1((self.global_fp + json.dumps(
            parts, ensure_ascii=False, default=_json_default)).encode()).hexdigest()

    def _render(self, page: pages.Page) -> None:
        rel = page.path if page.path.endswith(".html") else page.path + "index.html"
        ctx = page.ctx
        fp = self._fingerprint(page.template, ctx)
        if not ctx.get("noindex"):
            self.sitemap.append(page.path)
        if self.tree.fresh(rel, fp):
            return
        html = self.get_template(page.template).render({**self.base_ctx, **ctx, "page_url": page.path})
        self.tree.write(rel, html.encode("utf-8"), fp)

    # ------------------------------------------------------------------ other outputs
    def _write_feeds(self):
        template = self.env.get_template("atom.xml")
        authority = setting(self.settings, "DISCLOSURE_FEED_AUTHORITY")
        for feed in feeds.all_feeds(self.data):
            fp = self._fingerprint("atom", feed, authority)
            if self.tree.fresh(feed["path"], fp):
                continue
            xml = template.render(feed=feed, CANON=self.canon, SITENAME=self.settings.get("SITENAME"),
                                  AUTHORITY=authority)
            self.tree.write(feed["path"], xml.encode("utf-8"), fp)
        self.tree.write("accidents/index.json", json.dumps(
            pages.accident_index_json(self.data), ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def _write_search(self):
        d = self.data
        texts = [e["name"] for e in d.enterprise_pages] + [a["title"] for a in d.accidents] + \
            [a.get("summary") for a in d.accidents] + [a.get("city_name") for a in d.accidents]
        entries = [(e["name"], e.get("uscc"), e["path"]) for e in d.enterprise_pages] + \
            [(a.get("doc_no"), a["path"]) for a in d.accidents]
        fp = self._fingerprint("search", texts, entries)
        if self.tree.all_fresh(search.index_files(d), fp):
            return  # the character table (OpenCC over the CJK block) is the slow part: skip it
        for rel, data in search.exact_index(d, search.t2s_table(texts)).items():
            self.tree.write(rel, data, fp)

    def _copy_static(self, static: Path):
        for path in sorted(static.rglob("*")):
            if path.is_file():
                self.tree.copy(path, f"theme/{path.relative_to(static).as_posix()}")

    def _write_sitemap(self):
        urls = "".join(f"<url><loc>{self.canon}/{_xml(p)}</loc></url>" for p in sorted(set(self.sitemap)))
        self.tree.write("sitemap.xml", (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n').encode("utf-8"))
        self.tree.write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {self.canon}/sitemap.xml\n".encode("utf-8"))

    def _data_page(self) -> pages.Page:
        d, s = self.data, self.settings
        tables = opendata.public_tables(d.tables)
        db_name = "public.db"
        db_file = {"name": db_name, "size": d.path.stat().st_size, "sha256": opendata.file_sha256(d.path)}
        self.tree.copy(d.path, f"data/{db_name}")
        # the downloads are a function of the database file: same bytes, same downloads
        fp = self._fingerprint("exports", db_file["sha256"], tables)
        meta_rel = "data/tables.json"
        rels = [meta_rel] + [f"data/{kind}/{t}.{kind}" for t in tables for kind in ("csv", "json")]
        if self.tree.all_fresh(rels, fp):
            meta = json.loads((self.tree.root / meta_rel).read_text(encoding="utf-8"))
        else:
            meta = []
            for table, count, columns, csv_bytes, json_bytes in opendata.exports(d.path, tables):
                self.tree.write(f"data/csv/{table}.csv", csv_bytes, fp)
                self.tree.write(f"data/json/{table}.json", json_bytes, fp)
                meta.append({"name": table, "rows": count, "columns": columns,
                             "csv_size": len(csv_bytes), "json_size": len(json_bytes)})
            self.tree.write(meta_rel, json.dumps(meta, ensure_ascii=False).encode("utf-8"), fp)
        schema = self.schema
        dictionary = opendata.dictionary(meta, schema["tables"])
        years = sorted({a["year"] for a in d.accidents if a.get("year")} |
                       {r["year"] for r in d.statistics if r.get("year")})
        return pages.Page("data/", "data", {
            "title": "开放数据", "tables": dictionary, "db_file": db_file,
            "jsonld": opendata.dataset_jsonld(self.canon, self.site, meta, db_file, years, schema["database"]),
            "database": schema["database"],
            "description": "下载安全生产信息公开数据：每张表的 CSV 与 JSON、SQLite 数据库文件、数据字典与使用条款。",
        })


def _xml(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/").replace("&", "&amp;")
