"""Pelican settings for the public disclosure site (development build: `make site`).

Paths are built from this file's location (Pelican resolves relative paths against whichever
settings file it reads). The site reads only the public database, read-only:
DISCLOSURE_PUBLIC_DB (environment) or data/public.db. The as-of date every page shows comes from
that database's build_info table, not from the clock.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# the plugin imports freshness.py from the project root
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SITENAME = "甘肃省安全生产信息公开平台"
SITEURL = ""  # root-relative links; publishconf.py sets the public origin
AUTHOR = "甘肃省应急管理厅"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
LOCALE = ("C.UTF-8", "C")

PATH = str(ROOT / "content")
OUTPUT_PATH = str(ROOT / "output")
THEME = str(ROOT / "theme")
CACHE_PATH = str(ROOT / ".cache" / "pelican")
PLUGIN_PATHS = [str(ROOT / "plugins")]
PLUGINS = ["disclosure"]

# Only hand-written pages come from content/ (12350 guide, about, data terms); every record page
# comes from the database through plugins/disclosure. No blog machinery.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []
THEME_STATIC_PATHS: list[str] = []  # the plugin copies theme/static itself, only when changed
DIRECT_TEMPLATES: list[str] = []
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
ARTICLE_SAVE_AS = ""
TAG_SAVE_AS = TAGS_SAVE_AS = CATEGORY_SAVE_AS = CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
DELETE_OUTPUT_DIRECTORY = False  # the plugin deletes stale files itself (output.OutputTree.prune)

# Feeds are the plugin's own (reports, blacklist, rectification, per enterprise, per 市州).
FEED_ALL_ATOM = FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = CATEGORY_FEED_RSS = None
TAG_FEED_ATOM = TAG_FEED_RSS = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = TRANSLATION_FEED_RSS = None
FEED_ATOM = FEED_RSS = None

# autoescape: every value from a source is escaped unless a filter marks it safe
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []}
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.meta": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}
SLUGIFY_SOURCE = "basename"

# --- the disclosure plugin (defaults in plugins/disclosure/generator.py)
DISCLOSURE_PUBLIC_DB = os.environ.get("DISCLOSURE_PUBLIC_DB", str(ROOT / "data" / "public.db"))
DISCLOSURE_SCHEMA = str(ROOT / "etl" / "schema.yaml")
# Where the build keeps its record of the output files (default: in CACHE_PATH); publish release
# keeps it in the release folder (publish/carry.py).
DISCLOSURE_OUTPUT_STATE = os.environ.get("DISCLOSURE_OUTPUT_STATE") or None
DISCLOSURE_DATASETTE_URL = os.environ.get("DISCLOSURE_DATASETTE_URL", "http://127.0.0.1:8001")
DISCLOSURE_DATASETTE_DB = "public"
DISCLOSURE_CANONICAL_URL = os.environ.get("DISCLOSURE_CANONICAL_URL", "http://127.0.0.1:8000")
DISCLOSURE_SEARCH_INDEX = os.environ.get("DISCLOSURE_SEARCH_INDEX", "1") != "0"
# Accident reports in the Pagefind full-text index, newest first: Pagefind's memory grows ~0.1 MB a
# page, so past this many the older reports are searched in Datasette (docs/scaling.md).
DISCLOSURE_SEARCH_MAX_PAGES = int(os.environ.get("DISCLOSURE_SEARCH_MAX_PAGES", "12000"))
DISCLOSURE_PER_PAGE = 100
DISCLOSURE_PROVINCE = "甘肃省"
DISCLOSURE_PROVINCE_CODE = "620000"
# 《关于推进安全生产领域改革发展的实施意见》(甘肃, 2018) 目标任务: 到2020年亿元生产总值生产安全事故死亡率下降30%.
# The text names no base year; 2015 (the end of the previous plan period) is this site's assumption,
# stated on /statistics/ and /about/.
DISCLOSURE_GDP_BASE_YEAR = 2015
DISCLOSURE_GDP_TARGET_YEAR = 2020
DISCLOSURE_GDP_TARGET_CHANGE = -0.30
# Archived source documents (data/archive/<archive_path>) may contain personal data that the public
# filter masks in the database; they are linked only when the operator decides to publish them:
# DISCLOSURE_ARCHIVE_COPY=1 copies the cited ones into output/archive/ (the address Datasette links
# to by default), or DISCLOSURE_ARCHIVE_URL points at where they are served.
DISCLOSURE_ARCHIVE_URL = os.environ.get("DISCLOSURE_ARCHIVE_URL") or None
DISCLOSURE_ARCHIVE_COPY = os.environ.get("DISCLOSURE_ARCHIVE_COPY", "0") == "1"
DISCLOSURE_ARCHIVE_DIR = os.environ.get("DISCLOSURE_ARCHIVE", str(ROOT / "data" / "archive"))
DISCLOSURE_FEED_AUTHORITY = "aqxxgk.gansu.invalid,2026"
# Render processes: 0 = one per core (serial for a small site), 1 = serial (the parallel build is
# byte-identical to it; tests/test_site_parallel.py).
DISCLOSURE_WORKERS = int(os.environ.get("DISCLOSURE_WORKERS", "0"))
# Which enterprises get a static page (docs/scaling.md, "Static pages at national size"): "all" =
# every enterprise with any public record; "with_records" = not those with only a credit rating
# (they are served by Datasette, and the search index points at their row there); "auto" = "all"
# up to DISCLOSURE_ENTERPRISE_PAGES_LIMIT pages, else "with_records".
DISCLOSURE_ENTERPRISE_PAGES = os.environ.get("DISCLOSURE_ENTERPRISE_PAGES", "auto")
DISCLOSURE_ENTERPRISE_PAGES_LIMIT = int(os.environ.get("DISCLOSURE_ENTERPRISE_PAGES_LIMIT", "100000"))
# Local 12350 contacts (letter address, e-mail, fax, visiting address) shown on /12350/ when set;
# no verified Gansu values are known, so none are invented here.
DISCLOSURE_REPORT_CONTACTS: dict[str, str] = {}
