"""The site gate: the required pages exist, internal links resolve, and nothing is loaded from
another host (a page's link attributes, a stylesheet's url()).

It reads every page of a province-size site (50,000 pages): one walk of the folder, link targets
looked up in the walked tree instead of a stat each, one process per core, and lxml reading each
page into a parser target that keeps only the link attributes (no tree is built)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from publish.gates.result import GateResult, limit
from publish.gates.tree import walk
from publish.gates.workers import chunks, in_workers

REQUIRED_PAGES = (
    "index.html",
    "accidents/index.html",
    "blacklist/index.html",
    "rectification/index.html",
    "credit/index.html",
    "bans/index.html",
    "hazards/index.html",
    "enforcement/index.html",
    "enforcement/inspections/index.html",
    "agencies/index.html",
    "projects/index.html",
    "statistics/index.html",
    "12350/index.html",
    "data/index.html",
    "about/index.html",
    "search/index.html",
)
LINK_NAMES = ("href", "src", "action", "poster", "data", "srcset")


def site(
    site_dir: Path,
    external_ok: tuple[str, ...] = (),
    workers: int | None = None,
    passed: frozenset[str] | set[str] = frozenset(),
) -> GateResult:
    """Required pages, internal links and no resource from another host. `passed`: pages this
    gate already passed with these bytes and the same links to resolve (carried over from the
    current release with no file removed since, publish/carry.py); they are not parsed again."""
    result = GateResult("site")
    for page in REQUIRED_PAGES:
        if not (site_dir / page).is_file():
            result.problems.append(f"missing required page /{page}")
    tree = walk(site_dir)
    skip = "pagefind" in site_dir.parts
    pages = [
        rel
        for rel, _ in tree.entries
        if rel.endswith(".html") and not skip and "pagefind" not in rel.split("/")
    ]
    if passed:
        result.counts["carried"] = sum(1 for rel in pages if rel in passed)
        pages = [rel for rel in pages if rel not in passed]
    result.counts["pages"] = len(pages)
    tasks = [(site_dir, chunk, external_ok) for chunk in chunks(pages, 400)]
    for problems in in_workers(_check_pages, tasks, workers, _set_site_tree, (tree.files, tree.dirs)):
        result.problems += problems
    for rel in (rel for rel, _ in tree.entries if rel.endswith(".css")):
        css = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"url\(\s*['\"]?(https?:)?//", css):
            result.problems.append(f"/{rel}: loads a resource from another host")
    result.problems = limit(result.problems, 40)
    return result


_site_tree: tuple[set[str], set[str]] = (set(), set())  # files and folders, set in each worker


def _set_site_tree(files: set[str], dirs: set[str]) -> None:
    global _site_tree
    _site_tree = (files, dirs)


def _check_pages(task: tuple[Path, list[str], tuple[str, ...]]) -> list[str]:
    site_dir, pages, external_ok = task
    found, checked = [], {}
    for rel in pages:
        path = site_dir / rel
        folder = rel.rpartition("/")[0]
        for tag, attr, value in _links(path.read_bytes()):
            # every page repeats the navigation: a link starting with '/' means the same anywhere
            key = (tag == "a", value, "" if value.strip().startswith("/") else folder)
            if key not in checked:
                checked[key] = _check_ref(site_dir, path, tag, attr, value, external_ok, rel)
            if checked[key]:
                found.append(f"/{rel}: {checked[key]}")
    return found


def _check_ref(site_dir, page, tag, attr, value, external_ok, page_rel=None) -> str | None:
    parts = urlsplit(value.strip())
    if parts.scheme in ("mailto", "tel", "data", "javascript"):
        return None
    if parts.scheme or parts.netloc:
        if value.startswith(external_ok):
            return None
        if tag == "a":
            return None  # a link the reader may follow (e.g. the source document), not a load
        return f"loads {value} from another host"
    if not parts.path:
        return None
    known = _known_target(parts.path, page_rel) if page_rel is not None else None
    if known is None:
        target = (
            (site_dir / unquote(parts.path).lstrip("/"))
            if parts.path.startswith("/")
            else (page.parent / unquote(parts.path))
        )
        if target.is_dir() or parts.path.endswith("/"):
            target = target / "index.html"
        known = target.exists()
    return None if known else f"broken link {value}"


def _known_target(url_path: str, page_rel: str) -> bool | None:
    """True when the link's target is in the walked tree, as _check_ref resolves it on disk;
    None (look on disk) when it is not, or when the path has '..' (the file system, not the
    string, decides where that leads) or leaves the site."""
    path = unquote(url_path)
    if url_path.startswith("/"):
        path = path.lstrip("/")
    elif path.startswith("/"):
        return None
    else:
        path = page_rel.rpartition("/")[0] + "/" + path
    segments = [s for s in path.split("/") if s not in ("", ".")]  # as pathlib joins them
    if ".." in segments:
        return None
    files, dirs = _site_tree
    key = "/".join(segments)
    if key in dirs or url_path.endswith("/"):
        key = f"{key}/index.html" if key else "index.html"
    elif key not in files:
        return None
    return True if key in files else None


class _Links:
    """An lxml parser target: (tag, attribute, value) of every link attribute, in document order.
    lxml reads a page as a browser does (the HTML5 tokenizer of libxml2 2.14): names lower-cased,
    values unescaped, nothing inside a comment, <script> or <style>, the first of a repeated attribute."""

    def __init__(self):
        self.links: list[tuple[str, str, str]] = []

    def start(self, tag, attrib):
        if attrib:
            self.links += [
                (tag, name, value) for name, value in attrib.items() if value and name in LINK_NAMES
            ]

    def close(self):
        return self.links


def _links(page: bytes) -> list[tuple[str, str, str]]:
    """The link attributes of a page (UTF-8, undecodable bytes as U+FFFD)."""
    # huge_tree: without it libxml2 stops, silently, at a text or attribute over 10 MB
    parser = etree.HTMLParser(target=_Links(), encoding="utf-8", huge_tree=True)
    return etree.fromstring(page, parser)
