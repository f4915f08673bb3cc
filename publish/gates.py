"""Release gates. Each returns a list of problems ("what and where"); any problem stops the
release, except those the configuration turns into warnings.

- personal data: no unmasked ID or phone number in the site, the downloads or the databases;
- blacklist and rectification: statuses recomputed with etl/rules for the as-of date must
  agree with what the public database shows;
- sources: the shrink guard held (a failed source kept its data) and every source is fresh;
- site: required pages exist, internal links resolve, nothing is loaded from another host,
  and the HTML validates (W3C Nu checker);
- Datasette: every canned query runs on the candidate database.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from etl.normalize.mask import find_unmasked_pii
from etl.rules.blacklist import blacklist_status
from etl.rules.rectification import assessment_status

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".js", ".md", ".atom", ".svg"}
REQUIRED_PAGES = ("index.html", "accidents/index.html", "blacklist/index.html", "rectification/index.html",
                  "credit/index.html", "bans/index.html", "statistics/index.html", "12350/index.html",
                  "data/index.html", "about/index.html", "search/index.html")


@dataclass
class GateResult:
    name: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _limit(items: list[str], n: int = 20) -> list[str]:
    return items[:n] + ([f"… and {len(items) - n} more"] if len(items) > n else [])


# --- personal data ---------------------------------------------------------------------------

def personal_data(folder: Path | None, databases: list[Path]) -> GateResult:
    """Scan every text file under `folder` (site pages, feeds, downloads) and every text
    column of the databases."""
    result = GateResult("personal data")
    for path in sorted(folder.rglob("*")) if folder else []:
        if path.is_file() and path.suffix in TEXT_SUFFIXES and "pagefind" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            for kind, match in find_unmasked_pii(text):
                result.problems.append(f"{path.relative_to(folder)}: unmasked {kind} {match[:6]}…")
    for db_path in databases:
        result.problems += [f"{db_path.name}: {p}" for p in _scan_database(db_path)]
    result.problems = _limit(result.problems)
    return result


def _scan_database(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = []
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%_fts%'"
            " AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
            for row in conn.execute(f"SELECT * FROM [{table}]"):
                for column, value in zip(columns, row):
                    if isinstance(value, str) and column not in ("uscc", "enterprise_uscc", "sha256"):
                        for kind, match in find_unmasked_pii(value):
                            found.append(f"{table}.{column}: unmasked {kind} {match[:6]}…")
    finally:
        conn.close()
    return found


# --- statuses ---------------------------------------------------------------------------------

def statuses(public_db: Path, as_of: date) -> GateResult:
    """Recompute every blacklist and rectification status with the rules and compare."""
    result = GateResult("blacklist and rectification statuses")
    conn = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute("SELECT id, listed_on, term_end, removed_on, removal_reason, in_force FROM blacklist"):
            expected = blacklist_status(_d(row["listed_on"]), _d(row["term_end"]), _d(row["removed_on"]),
                                        row["removal_reason"], as_of)
            if row["in_force"] and not expected["in_force"]:
                result.problems.append(f"blacklist {row['id']}: shown in force but {expected['status']} on {as_of}")
        for row in conn.execute("SELECT id, approved_on, rect_status, assessment_id FROM accidents"):
            if not row["approved_on"] or row["assessment_id"]:
                continue
            expected = assessment_status(_d(row["approved_on"]), None, None, as_of)
            if expected["status"] == "overdue" and row["rect_status"] != "overdue":
                result.problems.append(
                    f"accident {row['id']}: rectification shown as {row['rect_status']} but overdue on {as_of}")
    finally:
        conn.close()
    result.problems = _limit(result.problems)
    return result


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
                result.warnings.append(f"{row['id']}: last run failed ({(row['last_error'] or '').splitlines()[0][:200]}); previous data kept")
                if row["last_success_at"] is None:
                    result.problems.append(f"{row['id']}: never loaded successfully")
            if row["last_success_at"] and row["max_age_days"]:
                age = (now - datetime.fromisoformat(row["last_success_at"])).total_seconds() / 86400
                if age > row["max_age_days"]:
                    message = f"{row['id']}: stale, last success {age:.0f} days ago (max {row['max_age_days']})"
                    (result.problems if freshness == "fail" else result.warnings).append(message)
        held = conn.execute(
            "SELECT s.id FROM sources s WHERE s.record_count > 0 AND NOT EXISTS (SELECT 1 FROM source_runs r"
            " WHERE r.source_id = s.id AND r.status != 'failed')").fetchall()
        result.problems += [f"{r['id']}: has records but no successful run" for r in held]
    finally:
        conn.close()
    return result


# --- site -------------------------------------------------------------------------------------

class _Refs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and (name in ("href", "src", "action", "poster", "data") or name == "srcset"):
                self.links.append((tag, name, value))


def site(site_dir: Path, external_ok: tuple[str, ...] = ()) -> GateResult:
    """Required pages, internal links and no resource from another host."""
    result = GateResult("site")
    for page in REQUIRED_PAGES:
        if not (site_dir / page).is_file():
            result.problems.append(f"missing required page /{page}")
    for path in sorted(site_dir.rglob("*.html")):
        if "pagefind" in path.parts:
            continue
        parser = _Refs()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        where = "/" + path.relative_to(site_dir).as_posix()
        for tag, attr, value in parser.links:
            problem = _check_ref(site_dir, path, tag, attr, value, external_ok)
            if problem:
                result.problems.append(f"{where}: {problem}")
    for path in sorted(site_dir.rglob("*.css")):
        for url in re.findall(r"url\(\s*['\"]?(https?:)?//", path.read_text(encoding="utf-8", errors="replace")):
            result.problems.append(f"/{path.relative_to(site_dir)}: loads a resource from another host")
    result.problems = _limit(result.problems, 40)
    return result


def _check_ref(site_dir, page, tag, attr, value, external_ok) -> str | None:
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
    target = (site_dir / unquote(parts.path).lstrip("/")) if parts.path.startswith("/") else \
        (page.parent / unquote(parts.path))
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    if not target.exists():
        return f"broken link {value}"
    return None


def html_validation(site_dir: Path, mode: str = "fail") -> GateResult:
    result = GateResult("HTML validation")
    if mode == "off":
        return result
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        result.warnings.append("W3C Nu checker not installed (npm ci; Java); HTML not validated")
        return result
    proc = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--skip-non-html", "--errors-only", "--format", "gnu",
         "--filterpattern", ".*(pagefind).*", str(site_dir)],
        capture_output=True, text=True, timeout=900,
    )
    messages = [line.replace(str(site_dir), "") for line in (proc.stderr + proc.stdout).splitlines()
                if line.strip() and "/pagefind/" not in line]
    if proc.returncode != 0 or messages:
        (result.problems if mode == "fail" else result.warnings).extend(_limit(messages, 30))
    return result


# --- Datasette --------------------------------------------------------------------------------

def canned_queries(public_db: Path) -> GateResult:
    """Every canned query in the Datasette configuration runs on the candidate database."""
    from publish import datasette_check

    result = GateResult("Datasette canned queries")
    result.problems = datasette_check.run_all(public_db)
    return result
