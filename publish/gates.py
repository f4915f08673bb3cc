"""Release gates. Each returns a list of problems ("what and where"); any problem stops the
release, except those the configuration turns into warnings.

- personal data: no unmasked ID or phone number, and no fragment of an ID number a source
  printed masked (620102********1234), in the site, the downloads or the databases;
- blacklist and rectification: statuses recomputed with etl/rules for the as-of date must
  agree with what the public database shows;
- sources: the shrink guard held (a failed source kept its data) and every source is fresh;
- review: a report new since the current release has no low-confidence fact that nobody has
  corrected or confirmed (etl/review.py), or, in mode `mark`, such facts are shown 待核实;
- site: required pages exist, internal links resolve, nothing is loaded from another host,
  and the HTML validates (W3C Nu checker);
- Datasette: every canned query runs on the candidate database.

The personal-data and site gates read every file of a province-size site (50,000 pages): they
walk the folder once, work in one process per core, and take shortcuts that find exactly what
the plain way finds (scan_unmasked_pii; links read by regular expression from pages in our
generated form; link targets looked up in the walked tree). tests/test_gates.py compares them.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from etl.normalize.mask import scan_unmasked_pii, scan_unmasked_pii_spans
from etl.rules.blacklist import blacklist_status
from etl.rules.hazards import hazard_status
from etl.rules.projects import comment_status
from etl.rules.rectification import assessment_status
from publish.manifest import file_digest, sha256_file

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".js", ".md", ".atom", ".svg"}
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


@dataclass
class GateResult:
    name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)  # what the gate looked at, for the release log

    @property
    def ok(self) -> bool:
        return not self.problems


def _limit(items: list[str], n: int = 20) -> list[str]:
    return items[:n] + ([f"… and {len(items) - n} more"] if len(items) > n else [])


# --- the site folder, walked once --------------------------------------------------------------


@dataclass
class _Tree:
    """What Path.rglob lists under a folder, from one walk: entries as relative POSIX paths in
    sorted(Path) order (folders behind symlinks not entered, as rglob), and the regular files
    and folders that are not symlinks, so a link that resolves needs no stat."""

    entries: list[tuple[str, bool]]  # (path, is a file as Path.is_file says)
    files: set[str]
    dirs: set[str]


def _walk(folder: Path) -> _Tree:
    entries, files, dirs = [], set(), {""}
    if not folder.is_dir():  # as rglob: nothing
        return _Tree(entries, files, set())
    stack = [("", str(folder))]
    while stack:
        prefix, path = stack.pop()
        try:
            with os.scandir(path) as it:
                listing = list(it)
        except PermissionError:  # as rglob
            continue
        for entry in listing:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                dirs.add(rel)
                stack.append((rel + "/", entry.path))
                entries.append((rel, False))
            else:
                is_file = entry.is_file()
                if is_file and not entry.is_symlink():
                    files.add(rel)
                entries.append((rel, is_file))
    entries.sort(key=lambda e: e[0].split("/"))
    return _Tree(entries, files, dirs)


def _suffix(name: str) -> str:
    i = name.rfind(".")  # as PurePath.suffix
    return name[i:] if 0 < i < len(name) - 1 else ""


def _in_workers(fn, tasks: list, workers: int | None, initializer=None, initargs=()) -> list:
    """[fn(task) for task in tasks], in worker processes (one per core by default); results in
    task order, so the report does not depend on timing. Forked, as the site build's workers
    (plugins/disclosure/render.py): nothing to import again, and they only read files."""
    workers = min(workers or os.cpu_count() or 1, len(tasks))
    if workers <= 1:
        if initializer:
            initializer(*initargs)
        return [fn(task) for task in tasks]
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("fork"), initializer=initializer, initargs=initargs
    ) as pool:
        return list(pool.map(fn, tasks))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- personal data ---------------------------------------------------------------------------


def personal_data(
    folder: Path | None,
    databases: list[Path],
    workers: int | None = None,
    passed: frozenset[str] | set[str] = frozenset(),
) -> GateResult:
    """Scan every text file under `folder` (site pages, feeds, downloads) and every text
    column of the databases. scan_unmasked_pii gives what find_unmasked_pii gives, faster.
    `passed`: files (relative to `folder`) this gate already passed with these bytes, carried
    over from the current release (publish/carry.py); they are not read again."""
    result = GateResult("personal data")
    if folder and "pagefind" not in folder.parts:
        texts = [
            rel
            for rel, is_file in _walk(folder).entries
            if is_file and _suffix(rel) in TEXT_SUFFIXES and "pagefind" not in rel.split("/")
        ]
        if passed:
            result.counts["carried"] = sum(1 for rel in texts if rel in passed)
            texts = [rel for rel in texts if rel not in passed]
        result.counts["files"] = len(texts)
        for problems in _in_workers(_scan_files, _file_tasks(folder, texts), workers):
            result.problems += problems
    tasks = [(db_path, table) for db_path in databases for table in _tables(db_path)]
    for (db_path, _), problems in zip(tasks, _in_workers(_scan_table, tasks, workers)):
        result.problems += [f"{db_path.name}: {p}" for p in problems]
    result.problems = _limit(result.problems)
    return result


# A download at national size is one JSON or CSV file of up to 1.3 GB: read whole, it took one
# worker minutes (and gigabytes) while the other cores idled. Files over PIECE_BYTES are scanned
# as pieces, each with CONTEXT_BYTES of the file either side so the detectors see what they see
# in the whole file (a label before a number, a character after it); a hit belongs to the piece
# its first character is in, so the findings are those of the whole file, in order.
PIECE_BYTES = 32 << 20
CONTEXT_BYTES = 4096


def _file_tasks(folder: Path, texts: list[str]) -> list[tuple[Path, list]]:
    """Small files 400 to a task, a large one a task per piece (rel, start, end), in file order."""
    tasks, small = [], []
    for rel in texts:
        size = os.stat(os.path.join(folder, rel)).st_size
        if size <= PIECE_BYTES:
            small.append(rel)
            if len(small) == 400:
                tasks.append((folder, small))
                small = []
            continue
        if small:
            tasks.append((folder, small))
            small = []
        tasks += [
            (folder, [(rel, start, min(start + PIECE_BYTES, size))]) for start in range(0, size, PIECE_BYTES)
        ]
    if small:
        tasks.append((folder, small))
    return tasks


def _scan_files(task: tuple[Path, list]) -> list[str]:
    folder, items = task
    found = []
    for item in items:
        if isinstance(item, str):
            rel = item
            hits = scan_unmasked_pii((folder / rel).read_text(encoding="utf-8", errors="replace"))
        else:
            rel, start, end = item
            hits = _scan_piece(folder / rel, start, end)
        found += [f"{rel}: unmasked {kind} {match[:6]}…" for kind, match in hits]
    return found


def _scan_piece(path: Path, start: int, end: int) -> list[tuple[str, str]]:
    """The hits of the whole file that begin in bytes [start, end) (moved to character starts)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        left = max(0, start - CONTEXT_BYTES)
        f.seek(left)
        data = f.read(min(size, end + CONTEXT_BYTES) - left)

    def char_start(i: int) -> int:  # the first byte at or after i that begins a UTF-8 character
        while i < len(data) and data[i] & 0xC0 == 0x80:
            i += 1
        return i

    # the core's ends are character starts (the neighbouring piece finds the same ones); the
    # context's outer ends may cut a character, which only turns into U+FFFD 4 KB away
    core_lo, core_hi = char_start(start - left), char_start(end - left)
    decode = lambda a, b: data[a:b].decode("utf-8", errors="replace")  # noqa: E731
    text = decode(0, len(data))
    first = len(decode(0, core_lo))
    last = first + len(decode(core_lo, core_hi))
    return [(kind, text[a:b]) for kind, a, b in scan_unmasked_pii_spans(text) if first <= a < last]


def _tables(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%_fts%'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
    finally:
        conn.close()


_INTERNAL_HISTORY = {("changes", "fields"), ("rejects", "raw")}


def _scan_table(task: tuple[Path, str]) -> list[str]:
    path, table = task
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = []
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
        skip = [column in ("uscc", "enterprise_uscc", "sha256") for column in columns]
        # The internal database (the one with _migrations, which public.db never has) keeps the
        # id_number column's masked form (620102********1234) for staff, and its history and raw
        # rows (changes.fields, rejects.raw: old values from before the masking policy hid
        # fragments) as they were; etl/public.py never copies those as they are. Anywhere else,
        # and in public.db at all, a fragment of an ID number is a finding (行政处罚结果信息网上公开
        # 暂行办法 第七条: no part of the number is published).
        # The raw rows and history also keep the names a source printed (a rejected row is shown
        # to staff as the source had it); only masked numbers are stored there.
        internal = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone())
        tolerated = [
            (
                ("id_fragment", "name")
                if (table, column) in _INTERNAL_HISTORY
                else ("id_fragment",)
                if column == "id_number"
                else ()
            )
            if internal
            else ()
            for column in columns
        ]
        for row in conn.execute(f"SELECT * FROM [{table}]"):
            for column, skipped, allowed, value in zip(columns, skip, tolerated, row):
                if isinstance(value, str) and not skipped:
                    for kind, match in scan_unmasked_pii(value):
                        if kind not in allowed:
                            found.append(f"{table}.{column}: unmasked {kind} {match[:6]}…")
    finally:
        conn.close()
    return found


# --- statuses ---------------------------------------------------------------------------------


def statuses(public_db: Path, as_of: date) -> GateResult:
    """Recompute every blacklist and rectification status with the rules and compare."""
    result = GateResult("blacklist, rectification, hazard, project and penalty statuses")
    conn = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute("SELECT id, listed_on, term_end, events, in_force FROM blacklist"):
            # term_end as published: the last day in force (etl/rules/periods.py)
            events = [(e["on"], e["kind"]) for e in json.loads(row["events"] or "[]")]
            expected = blacklist_status(_d(row["listed_on"]), _d(row["term_end"]), events, as_of)
            if row["in_force"] and not expected["in_force"]:
                result.problems.append(
                    f"blacklist {row['id']}: shown in force but {expected['status']} on {as_of}"
                )
        for row in conn.execute("SELECT id, approved_on, rect_status, assessment_id FROM accidents"):
            if not row["approved_on"] or row["assessment_id"]:
                continue
            expected = assessment_status(_d(row["approved_on"]), None, None, as_of)
            if expected["status"] == "overdue" and row["rect_status"] != "overdue":
                result.problems.append(
                    f"accident {row['id']}: rectification shown as {row['rect_status']} but overdue on {as_of}"
                )
        _disclosure_statuses(conn, as_of, result.problems)
    finally:
        conn.close()
    result.problems = _limit(result.problems)
    return result


def _disclosure_statuses(conn, as_of: date, problems: list[str]) -> None:
    """Hazards, projects, penalties and agencies as the rules give them on the release date: a
    hazard shown within its deadline that is overdue, a project shown open whose period is over
    (or with its days left counted from another day), a penalty or an action against an agency
    shown in publicity after its period, an agency shown qualified after its validity (tables
    absent from an older public database are skipped)."""
    have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "hazards" in have:
        for row in conn.execute("SELECT id, listed_on, deadline, removed_on, status FROM hazards"):
            expected = hazard_status(_d(row["listed_on"]), _d(row["deadline"]), _d(row["removed_on"]), as_of)
            if expected != row["status"]:
                problems.append(f"hazard {row['id']}: shown {row['status']} but {expected} on {as_of}")
    if "projects" in have:
        for row in conn.execute(
            "SELECT id, comment_start, comment_end, outcome_on, outcome, comment_status, days_left FROM projects"
        ):
            expected, left = comment_status(
                _d(row["comment_start"]),
                _d(row["comment_end"]),
                _d(row["outcome_on"]),
                bool(row["outcome"]),
                as_of,
            )
            if expected != row["comment_status"] or (expected == "open" and row["days_left"] != left):
                problems.append(
                    f"project {row['id']}: shown {row['comment_status']} but {expected} on {as_of}"
                )
    for table in ("penalties", "agency_actions"):
        if table in have:
            for row in conn.execute(
                f"SELECT id, publicity_end FROM {table} WHERE publicity_active = 1 AND publicity_end < ?",
                (as_of.isoformat(),),
            ):
                problems.append(
                    f"{table} {row['id']}: shown in publicity but its period ended {row['publicity_end']}"
                )
    if "agencies" in have:
        for row in conn.execute(
            "SELECT id, valid_until FROM agencies WHERE qualification_status IN ('valid', 'suspended')"
            " AND valid_until < ?",
            (as_of.isoformat(),),
        ):
            problems.append(
                f"agency {row['id']}: shown qualified but its validity ended {row['valid_until']}"
            )


def _d(value):
    return date.fromisoformat(value[:10]) if value else None


# --- sources ----------------------------------------------------------------------------------


def sources(internal_db: Path, freshness: str = "warn", now: datetime | None = None) -> GateResult:
    result = GateResult("sources")
    now = now or datetime.now(timezone.utc)
    conn = sqlite3.connect(f"file:{internal_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute("SELECT * FROM sources ORDER BY id"):
            if row["last_status"] == "failed":
                # the shrink guard / transaction kept the previous data: say so, don't stop
                result.warnings.append(
                    f"{row['id']}: last run failed ({(row['last_error'] or '').splitlines()[0][:200]}); previous data kept"
                )
                if row["last_success_at"] is None:
                    result.problems.append(f"{row['id']}: never loaded successfully")
            if row["last_success_at"] and row["max_age_days"]:
                age = (now - datetime.fromisoformat(row["last_success_at"])).total_seconds() / 86400
                if age > row["max_age_days"]:
                    message = (
                        f"{row['id']}: stale, last success {age:.0f} days ago (max {row['max_age_days']})"
                    )
                    (result.problems if freshness == "fail" else result.warnings).append(message)
        held = conn.execute(
            "SELECT s.id FROM sources s WHERE s.record_count > 0 AND NOT EXISTS (SELECT 1 FROM source_runs r"
            " WHERE r.source_id = s.id AND r.status IN ('ok', 'unchanged'))"
        ).fetchall()
        result.problems += [f"{r['id']}: has records but no successful run" for r in held]
    finally:
        conn.close()
    return result


# --- review -----------------------------------------------------------------------------------

REVIEW_MODES = ("fail", "mark")


def review_mode(config: dict) -> str:
    """The `review` gate's mode: DISCLOSURE_REVIEW_GATE, else publish/config.toml, else mark."""
    mode = os.environ.get("DISCLOSURE_REVIEW_GATE") or config.get("gates", {}).get("review", "mark")
    if mode not in REVIEW_MODES:
        raise ValueError(f"gates.review must be one of {', '.join(REVIEW_MODES)}, not {mode!r}")
    return mode


def review(internal_db: Path, current: Path | None, mode: str = "mark") -> GateResult:
    """Reports first seen after the ETL run `current` (the release now published; None: none
    yet) with a low-confidence fact no staff decision covers (etl review, docs/review.md). A
    wrong death count or enterprise published by an authority is the worst error this system
    can make: `fail` stops the release until someone decides (etl correct); `mark` lets it
    through, and the pages show those facts as 待核实 (etl/public.py rule 10)."""
    from etl import review as queue

    result = GateResult("review")
    since = (
        json.loads((current / "release.json").read_text(encoding="utf-8")).get("etl_run")
        if current is not None and (current / "release.json").exists()
        else None
    )
    conn = sqlite3.connect(f"file:{internal_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        found = queue.blocking(conn, since)
    finally:
        conn.close()
    listed = [
        f"{i.record} {i.title}：{queue.LABELS.get(i.field, i.field)}（{i.field}）= "
        f"{'空' if i.value is None else i.value}，{queue.REASONS.get(i.reason, '可信程度低')}"
        for i in found
    ]
    result.counts = {
        "since_run": since,
        "unreviewed": len(found),
        "records": len({i.record for i in found}),
        "mode": mode,
    }
    if found and mode == "fail":
        result.problems = _limit(listed) + [
            "用 python -m etl review 查看，python -m etl correct 更正或确认后再发布"
        ]
    elif found:
        result.warnings = [f"{len(found)} 项低置信度事实未经人工核对，网站标为“待核实”："] + _limit(listed)
    return result


# --- site -------------------------------------------------------------------------------------


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs):
        self.links += _refs(tag, attrs)


def _refs(tag: str, attrs) -> list[tuple[str, str, str]]:
    return [(tag, name, value) for name, value in attrs if value and name in _LINK_NAMES]


# The form our generated pages are in: tag and attribute names of ASCII letters, attribute values
# quoted and without '<', no comment, nothing inside <script> or <style>. In such a page every
# '<' starts a tag, and html.parser reports exactly the tags and attributes these expressions
# find (names lower-cased, values unquoted and unescaped); any other page goes through
# html.parser itself (_links).
_SPACE, _NAME, _VALUE = "[ \t\n\r\f]", "[a-zA-Z_:][-a-zA-Z0-9_:.]*", """"[^"<]*"|'[^'<]*'"""
_ELEMENT = "[a-zA-Z][a-zA-Z0-9-]*"
_ATTR = re.compile(f"{_SPACE}+({_NAME})(?:{_SPACE}*={_SPACE}*({_VALUE}))?")
_ATTRS = f"(?:{_SPACE}+{_NAME}(?:{_SPACE}*={_SPACE}*(?:{_VALUE}))?)"
_END_OR_DOCTYPE = f"/{_ELEMENT}{_SPACE}*>|![dD][oO][cC][tT][yY][pP][eE][^>]*>"
_TAG = re.compile(f"<(?:({_ELEMENT})({_ATTRS}*){_SPACE}*(/?)>|{_END_OR_DOCTYPE})")
_LINK_NAMES = ("href", "src", "action", "poster", "data", "srcset")
# Any tag of that form; the name and attributes of a start tag with a link attribute.
_TAGS = re.compile(
    f"<(?:({_ELEMENT})({_ATTRS}*?{_SPACE}+(?ai:{'|'.join(_LINK_NAMES)}){_SPACE}*={_SPACE}*"
    f"(?:{_VALUE}){_ATTRS}*){_SPACE}*/?>|{_ELEMENT}{_ATTRS}*{_SPACE}*/?>|{_END_OR_DOCTYPE})"
)
_CDATA_TAG = re.compile(f"<(?ai:{'|'.join(HTMLParser.CDATA_CONTENT_ELEMENTS)})(?![-a-zA-Z0-9])")


def _links(html: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, value) of every link attribute, as _Refs finds them."""
    links = _links_regular(html)
    if links is None:
        parser = _Refs()
        parser.feed(html)
        links = parser.links
    return links


def _links_regular(html: str) -> list[tuple[str, str, str]] | None:
    """_Refs' links without a parser when the page is in the form above, else None."""
    tags = _TAGS.findall(html)
    if len(tags) != html.count("<"):
        return None  # a '<' that does not start a tag of that form (a tag holds only its own)
    for element in _CDATA_TAG.finditer(html):
        tag = _TAG.match(html, element.start())
        name = tag.group(1).lower()
        if not tag.group(3) and html[tag.end() : tag.end() + len(name) + 3].lower() != f"</{name}>":
            return None  # html.parser would read what follows as the element's text
    links = []
    for tag, attrs in tags:
        if tag:
            # findall gives '' for a missing value, html.parser None: both are no link
            attributes = [(name.lower(), unescape(value[1:-1])) for name, value in _ATTR.findall(attrs)]
            links += _refs(tag.lower(), attributes)
    return links


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
    tree = _walk(site_dir)
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
    tasks = [(site_dir, chunk, external_ok) for chunk in _chunks(pages, 400)]
    for problems in _in_workers(_check_pages, tasks, workers, _set_site_tree, (tree.files, tree.dirs)):
        result.problems += problems
    for rel in (rel for rel, _ in tree.entries if rel.endswith(".css")):
        css = (site_dir / rel).read_text(encoding="utf-8", errors="replace")
        for url in re.findall(r"url\(\s*['\"]?(https?:)?//", css):
            result.problems.append(f"/{rel}: loads a resource from another host")
    result.problems = _limit(result.problems, 40)
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
        for tag, attr, value in _links(path.read_text(encoding="utf-8", errors="replace")):
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


def html_validation(
    site_dir: Path,
    mode: str = "fail",
    cache: Path | None = None,
    max_pages: int = 0,
    workers: int | None = None,
) -> GateResult:
    """The W3C Nu checker on the site's HTML pages (not Pagefind's).

    With `cache` (a file beside the releases), a page whose exact bytes passed the checker
    before, with the same vnu.jar, is not checked again: the result depends only on the bytes.
    With `max_pages`, at most that many unchecked pages are checked in one release: first one
    page of every kind (folder and depth: the home page, each list, each record template), then
    the rest in a fixed order of content hash, so each release checks pages no earlier one did
    until none is left; a warning says how many are left. One JVM per core.
    """
    result = GateResult("HTML validation")
    if mode == "off":
        return result
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        # "fail" promises validated HTML: without the checker that promise cannot be kept
        message = "W3C Nu checker not installed (npm ci; Java); HTML not validated"
        (result.problems if mode == "fail" else result.warnings).append(message)
        return result
    pages = {}
    for rel, is_file in _walk(site_dir).entries:
        if is_file and rel.endswith(".html") and not rel.startswith("pagefind/") and "/pagefind/" not in rel:
            pages[rel] = file_digest(site_dir / rel)  # the manifest reuses these
    stamp = f"vnu {sha256_file(VNU_JAR)}"
    known = _read_valid(cache, stamp)
    todo = [rel for rel, digest in pages.items() if digest not in known]
    chosen = _choose_pages(todo, pages, max_pages)
    batches = [chosen[i : i + VNU_BATCH] for i in range(0, len(chosen), VNU_BATCH)]
    with ThreadPoolExecutor(
        max_workers=max(1, min(workers or os.cpu_count() or 1, len(batches) or 1))
    ) as pool:
        outputs = list(pool.map(lambda batch: _vnu(java, site_dir, batch), batches))
    messages = sorted(line for lines in outputs for line in lines)
    failed = {m[2:].split('"', 1)[0] for m in messages if m.startswith('"/')}
    if messages:
        (result.problems if mode == "fail" else result.warnings).extend(_limit(messages, 30))
    if cache is not None:
        # a message that names no page (vnu itself failed) means nothing of this run counts
        attributed = all(m.startswith('"/') for m in messages)
        passed = {pages[rel] for rel in chosen if rel not in failed} if attributed else set()
        _write_valid(cache, stamp, known | passed)
    left = len(todo) - len(chosen)
    if left:
        result.warnings.append(
            f"checked {len(chosen):,} of {len(todo):,} pages not checked before "
            f"(gates.html_validation_max_pages); {left:,} left for later releases"
        )
    result.counts = {
        "pages": len(pages),
        "checked": len(chosen),
        "already_valid": len(pages) - len(todo),
        "left": left,
    }
    return result


# A JVM's default heap is a quarter of the machine's memory: 2,000 pages took 1.06 GB with it and
# 0.31 GB (and less time) with a 256 MB heap and the serial collector; -Xss for deep documents.
VNU_JVM = ("-Xmx256m", "-XX:+UseSerialGC", "-Xss1m")
VNU_BATCH = 2000  # files per vnu run: one JVM start (~1.5 s) per batch, command line well under ARG_MAX


def _choose_pages(todo: list[str], pages: dict[str, str], max_pages: int) -> list[str]:
    if not max_pages or len(todo) <= max_pages:
        return todo
    ordered = sorted(todo, key=lambda rel: pages[rel])
    first_of_kind: dict[tuple, str] = {}
    for rel in ordered:
        parts = rel.split("/")
        first_of_kind.setdefault((parts[0] if len(parts) > 1 else "", len(parts)), rel)
    chosen = list(dict.fromkeys([*first_of_kind.values(), *ordered]))
    return sorted(chosen[: max(max_pages, len(first_of_kind))])


def _vnu(java: str, site_dir: Path, batch: list[str]) -> list[str]:
    """vnu's error lines for these pages, paths relative to the site ("/accidents/…":1.2-1.5: error: …)."""
    proc = subprocess.run(
        [
            java,
            *VNU_JVM,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "gnu",
            *(str(site_dir / rel) for rel in batch),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = [
        line.replace(f"file:{site_dir}", "").replace(str(site_dir), "")
        for line in (proc.stderr + proc.stdout).splitlines()
        if line.strip()
    ]
    if proc.returncode != 0 and not lines:
        lines = [f"vnu exited with status {proc.returncode}"]
    return lines


def _read_valid(cache: Path | None, stamp: str) -> set[str]:
    if cache is None or not cache.exists():
        return set()
    lines = cache.read_text(encoding="utf-8").splitlines()
    return set(lines[1:]) if lines and lines[0] == stamp else set()


def _write_valid(cache: Path, stamp: str, digests: set[str]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp")
    tmp.write_text("\n".join([stamp, *sorted(digests)]) + "\n", encoding="utf-8")
    tmp.replace(cache)


# --- Datasette --------------------------------------------------------------------------------


def canned_queries(public_db: Path) -> GateResult:
    """Every canned query in the Datasette configuration runs on the candidate database."""
    from publish import datasette_check

    result = GateResult("Datasette canned queries")
    result.problems = datasette_check.run_all(public_db)
    return result
