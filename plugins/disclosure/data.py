"""Everything the site shows, read once from data/public.db (read-only).

The public filter (``python -m etl public``) already decided what may be public and computed every
status as of one date; this module does not second-guess it. It only loads the tables into plain
dicts, groups them by the record they belong to, and gives each record its stable URL.

Loading whole tables into memory (a few queries in all instead of several per page) is what makes
a province-size build fast (docs/scaling.md). Under the "with_records" policy (national size) only what
the pages show is kept: rating-only enterprises as (id, name, code) for the search index, the
ratings of enterprises with a page, and the credit ratings' distribution as counts. A national
database (1.4 million enterprises, 1.3 million ratings, 4 million changes) loaded whole took
12.8 GB, and the build's forked processes ran the machine out of memory (docs/scaling.md).

What only one record page shows is read when that page is made, by primary key or index, not
held: a report's full text (``body_text_of``), its accountability entries (``accountability_of``),
the evidence of its facts (``evidence_of``) and a record's change history (``changes_of``). At
national size text, accountability and history were 2.1 of the 7.1 GB loaded (0.63 GB of report
text, 0.82 GB of accountability, 0.64 GB of history), held twice because each render process
ends up with its own copy; read per page they cost about 20 µs a
query. Each process opens its own read-only connection (a connection must not cross a fork).

Which enterprises get a page is a policy (``ENTERPRISE_PAGES``, docs/scaling.md "Static pages at
national size"): every enterprise with any public record, or only those with an accident, an
in-force 严重失信 entry, an active ban, a credit record or 行政处罚 in its publicity period, a 重大事故
隐患 under 挂牌督办 (overdue included) or a 双随机 inspection that found problems. Enterprises with
only other records (a credit rating, a removed hazard, a clean inspection, a project, a report
they commissioned, an agency register entry) are then served by Datasette alone; the search index
points at their Datasette row.

The other disclosures (hazards and their events, penalties, inspections, agencies with their
actions and reports, projects) are small tables: loaded whole, grouped by enterprise and by the
record they belong to. A hazard, an agency and a project each have a page of their own.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
# An enterprise page is /enterprises/<统一社会信用代码>/ when the code is 18 characters, URL-safe and
# unique, else /enterprises/<id>/. publish/datasette/plugins/disclosure_ui.py links rows to the
# site by the same rule: change both together.
_CODE = re.compile(r"[0-9A-Z]{18}")

# newest first; search.py picks the reports for the full-text index in the same order
ACCIDENT_ORDER = "ORDER BY coalesce(published_on, occurred_on) DESC, occurred_on DESC, id"
# DISCLOSURE_ENTERPRISE_PAGES: "all" = every enterprise with any public record (docs/scaling.md);
# "with_records" = not those whose only public record is a credit rating; "auto" = "all" up to
# ENTERPRISE_PAGES_LIMIT enterprise pages, else "with_records".
ENTERPRISE_PAGES = ("auto", "all", "with_records")
ENTERPRISE_PAGES_LIMIT = 100_000
# hazard statuses (etl/public.py) that are still listed: 挂牌督办中, 逾期未见销号公告
HAZARD_OPEN = ("overdue", "supervised")
_CHANGES_OF_ONE = "SELECT * FROM changes WHERE table_name = ? AND record_id = ?"
_COMPOUND = 400  # SQLite allows 500 SELECTs in one compound statement


def segment(record_id: str) -> str:
    """A URL path segment for a record id: the id itself when it is URL-safe ASCII, else a stable
    hash of it (ids come from source + natural key and never change between builds)."""
    record_id = str(record_id)
    if _SAFE_SEGMENT.fullmatch(record_id):
        return record_id
    return "r" + hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:16]


def connect_ro(path: Path) -> sqlite3.Connection:
    """Open the database read-only: the site never writes to it."""
    path = Path(path).resolve()
    if not path.exists():
        raise FileNotFoundError(
            f"public database not found: {path} (build it with `python -m etl public`, "
            "or point DISCLOSURE_PUBLIC_DB at one)"
        )
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    conn.row_factory = lambda cur, row: {d[0]: v for d, v in zip(cur.description, row)}
    return conn


class SiteMeta:
    """What every page says about the data (build_info, each source's last fetch): two small
    tables, read without loading the rest, so a rebuild that finds nothing changed stays cheap."""

    def __init__(self, path: Path):
        self.path = Path(path)
        conn = connect_ro(self.path)
        try:
            _load_meta(
                self,
                conn,
                {r["name"] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")},
            )
        finally:
            conn.close()


def _load_meta(target, conn, have: set) -> None:
    target.tables = sorted(have)
    target.build_info = (
        {r["key"]: r["value"] for r in conn.execute("SELECT * FROM build_info")}
        if "build_info" in have
        else {}
    )
    target.as_of = (target.build_info.get("as_of") or "")[:10]
    target.sources = (
        conn.execute("SELECT * FROM sources ORDER BY kind, id").fetchall() if "sources" in have else []
    )
    # every rule the public database applies, with its citation (the about page lists them)
    target.legal_basis = (
        [dict(r) for r in conn.execute("SELECT * FROM legal_basis ORDER BY rowid")]
        if "legal_basis" in have
        else []
    )


class PublicData:
    """The public database, loaded and grouped for page rendering."""

    def __init__(
        self,
        path: Path,
        enterprise_pages: str = "auto",
        limit: int = ENTERPRISE_PAGES_LIMIT,
        slim: bool = True,
    ):
        """``slim=False`` loads every row whatever the policy (tests compare the two)."""
        if enterprise_pages not in ENTERPRISE_PAGES:
            raise ValueError(
                f"DISCLOSURE_ENTERPRISE_PAGES must be one of {', '.join(ENTERPRISE_PAGES)}: "
                f"{enterprise_pages!r}"
            )
        self.path = Path(path)
        self._reader, self._reader_pid = None, None
        conn = connect_ro(self.path)
        try:
            self._load(conn, enterprise_pages, int(limit), slim)
        finally:
            conn.close()
        self._link()

    # ------------------------------------------------------------------ loading
    def _load(self, conn, policy: str, limit: int, slim: bool):
        have = {r["name"] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        _load_meta(self, conn, have)
        self.columns = {
            t: [r["name"] for r in conn.execute(f"PRAGMA table_info([{t}])")] for t in self.tables
        }

        def stream(table, order="", omit=()):
            """The table's rows as dicts, one at a time (a filter keeps what it needs), without
            the columns in ``omit``."""
            if table not in have:
                return
            wanted = ", ".join(f"[{c}]" for c in self.columns[table] if c not in omit) if omit else "*"
            cur = conn.execute(f"SELECT {wanted} FROM [{table}] {order}")
            cur.row_factory = None  # plain tuples, zipped with the names once (the factory costs ~30%)
            names = [c[0] for c in cur.description]
            while batch := cur.fetchmany(5000):
                for row in batch:
                    yield dict(zip(names, row))

        def rows(table, order="", omit=()):
            return list(stream(table, order, omit))

        self.accidents = rows("accidents", ACCIDENT_ORDER, omit=("body_text",))
        self.assessments = rows(
            "rectification_assessments", "ORDER BY coalesce(published_on, assessed_on) DESC, id"
        )
        self.records = rows("credit_records", "ORDER BY decided_on DESC, id")
        self.blacklist = rows("blacklist", "ORDER BY listed_on DESC, id")
        self.removals = rows("blacklist_removals", "ORDER BY removed_on DESC, id")
        self.bans = rows("bans", "ORDER BY start_on DESC, id")
        self.statistics = rows("annual_statistics", "ORDER BY region_code, year")
        self.documents = {r["id"]: r for r in stream("documents")}
        self.records_public = [r for r in self.records if _true(r.get("publicity_active", 1))]
        self.blacklist_in_force = [b for b in self.blacklist if _true(b.get("in_force"))]
        self.bans_active = [b for b in self.bans if _true(b.get("active", 1))]

        # the other disclosures (a missing table is an empty list, as for the kinds above)
        self.hazards = rows("hazards", "ORDER BY listed_on DESC, id")
        self.hazard_events = rows("hazard_events", "ORDER BY event_on, id")
        self.penalties = rows("penalties", "ORDER BY decided_on DESC, id")
        self.inspections = rows("inspections", "ORDER BY inspected_on DESC, id")
        self.agencies = rows("agencies", "ORDER BY name, id")
        self.agency_actions = rows("agency_actions", "ORDER BY decided_on DESC, id")
        self.agency_reports = rows("agency_reports", "ORDER BY issued_on DESC, id")
        self.projects = rows("projects", "ORDER BY announced_on DESC, id")
        # outside its publicity period a penalty is de-identified (etl/public.py): never listed
        self.penalties_public = [p for p in self.penalties if _true(p.get("publicity_active", 1))]
        self.hazards_open = [h for h in self.hazards if h.get("status") in HAZARD_OPEN]
        self.inspections_problems = [i for i in self.inspections if _found_problems(i)]

        # Which enterprises get a page decides what else is kept (docs/scaling.md).
        adverse = {
            r.get("enterprise_id")
            for rows_ in (
                self.accidents,
                self.records_public,
                self.blacklist_in_force,
                self.bans_active,
                self.hazards_open,
                self.penalties_public,
                self.inspections_problems,
            )
            for r in rows_
        } - {None}
        # enterprises named by another public record (a page of their own under "all")
        self._other = {
            r.get("enterprise_id")
            for rows_ in (self.hazards, self.inspections, self.agencies, self.agency_reports, self.projects)
            for r in rows_
        } - {None}
        self._rated = (
            {
                r["enterprise_id"]
                for r in conn.execute(
                    "SELECT DISTINCT enterprise_id FROM credit_ratings WHERE enterprise_id IS NOT NULL"
                )
            }
            if "credit_ratings" in have
            else set()
        )
        if policy == "auto":
            known = (
                {r["id"] for r in conn.execute("SELECT id FROM enterprises")}
                if "enterprises" in have
                else set()
            )
            policy = "all" if len((self._rated | self._other | adverse) & known) <= limit else "with_records"
        self.enterprise_policy = policy
        keep_all = policy == "all" or not slim

        self.enterprises = {}
        for r in stream("enterprises", "ORDER BY name_norm, id"):
            if keep_all or r["id"] in adverse:
                self.enterprises[r["id"]] = r
            else:  # a Datasette row: what the search index and the URL rule need
                self.enterprises[r["id"]] = {"id": r["id"], "name": r["name"], "uscc": r.get("uscc")}
        self.ratings, self.rating_dist = [], defaultdict(Counter)
        for r in stream("credit_ratings", "ORDER BY rating_year DESC, rated_on DESC, id"):
            self.rating_dist[r.get("rating_year") or "—"][r["rating"]] += 1
            if keep_all or r.get("enterprise_id") in adverse:
                self.ratings.append(r)
        self.ratings_total = sum(sum(c.values()) for c in self.rating_dist.values())

    # ------------------------------------------------------------------ linking
    def _link(self):
        by_uscc = defaultdict(list)
        for ent in self.enterprises.values():
            if ent.get("uscc"):
                by_uscc[ent["uscc"]].append(ent)
        for ent in self.enterprises.values():
            code = ent.get("uscc") or ""
            # the 统一社会信用代码 is the natural URL when it is well-formed and unique
            slug = code if _CODE.fullmatch(code) and len(by_uscc[code]) == 1 else segment(ent["id"])
            ent["path"] = f"enterprises/{slug}/"

        self.assessment_by_id = {a["id"]: a for a in self.assessments}
        self.assessments_by_accident = _group(self.assessments, "accident_id")
        for acc in self.accidents:
            acc["path"] = f"accidents/{segment(acc['id'])}/"
            acc["grade"] = acc.get("grade_stated") or acc.get("grade_computed")
        self.accident_by_id = {a["id"]: a for a in self.accidents}
        for a in self.assessments:
            a["accident"] = self.accident_by_id.get(a.get("accident_id"))

        self.accidents_by_ent = _group(self.accidents, "enterprise_id")
        self.ratings_by_ent = _group(self.ratings, "enterprise_id")
        self.records_by_ent = _group(self.records_public, "enterprise_id")
        self.blacklist_by_ent = _group(self.blacklist_in_force, "enterprise_id")
        self.bans_by_ent = _group(self.bans_active, "enterprise_id")

        self._link_other()

        self.enterprise_pages, self.enterprise_rows = self._enterprise_pages(self.enterprise_policy)
        self.enterprise_paths = {e["id"]: e["path"] for e in self.enterprise_pages}
        for rows in (
            self.accidents,
            self.ratings,
            self.records,
            self.blacklist,
            self.bans,
            self.hazards,
            self.penalties_public,
            self.inspections,
            self.agencies,
            self.agency_reports,
            self.projects,
        ):
            for r in rows:
                r["enterprise_path"] = self.enterprise_paths.get(r.get("enterprise_id"))

    def _link_other(self):
        """Paths and groups of the other disclosures: a page per hazard, agency and project;
        each hazard's events, each agency's actions and reports, each penalty's accident."""
        events = _group(self.hazard_events, "hazard_id")
        for h in self.hazards:
            h["path"] = f"hazards/{segment(h['id'])}/"
            h["event_rows"] = events.get(h["id"], [])
        self.hazard_by_id = {h["id"]: h for h in self.hazards}
        for e in self.hazard_events:
            e["hazard_path"] = (self.hazard_by_id.get(e.get("hazard_id")) or {}).get("path")
        for a in self.agencies:
            a["path"] = f"agencies/{segment(a['id'])}/"
        self.agency_by_id = {a["id"]: a for a in self.agencies}
        self.actions_by_agency = _group(self.agency_actions, "agency_id")
        self.reports_by_agency = _group(self.agency_reports, "agency_id")
        for rows in (self.agency_actions, self.agency_reports):
            for r in rows:
                r["agency_path"] = (self.agency_by_id.get(r.get("agency_id")) or {}).get("path")
        for p in self.projects:
            p["path"] = f"projects/{segment(p['id'])}/"
        for p in self.penalties_public:
            p["accident_path"] = (self.accident_by_id.get(p.get("accident_id")) or {}).get("path")

        self.hazards_by_ent = _group(self.hazards, "enterprise_id")
        self.hazards_open_by_ent = _group(self.hazards_open, "enterprise_id")
        self.penalties_by_ent = _group(self.penalties_public, "enterprise_id")
        self.inspections_by_ent = _group(self.inspections, "enterprise_id")
        self.inspections_problems_by_ent = _group(self.inspections_problems, "enterprise_id")
        self.agencies_by_ent = _group(self.agencies, "enterprise_id")
        self.reports_by_ent = _group(self.agency_reports, "enterprise_id")  # the client's
        self.projects_by_ent = _group(self.projects, "enterprise_id")

    def _enterprise_pages(self, policy: str) -> tuple[list, list]:
        """(enterprises with a page, enterprises served only as a Datasette row). A page for
        every enterprise with any public record (docs/scaling.md), or under "with_records" only for
        those with an adverse record ("auto" was decided in _load: above ``limit`` pages)."""
        adverse = (
            self.accidents_by_ent,
            self.records_by_ent,
            self.blacklist_by_ent,
            self.bans_by_ent,
            self.hazards_open_by_ent,
            self.penalties_by_ent,
            self.inspections_problems_by_ent,
        )
        public = [
            e
            for e in self.enterprises.values()
            if e["id"] in self._rated or e["id"] in self._other or any(e["id"] in g for g in adverse)
        ]
        if policy == "all":
            return public, []
        pages, rows = [], []
        for e in public:
            (pages if any(e["id"] in g for g in adverse) else rows).append(e)
        return pages, rows

    # ------------------------------------------------------------------ read per page
    def _read(self, sql: str, params) -> list[dict]:
        """Rows of one query on this process's own read-only connection (opened on first use in
        each process: the render workers are forked)."""
        if self._reader_pid != os.getpid():
            self._reader, self._reader_pid = connect_ro(self.path), os.getpid()
        return self._reader.execute(sql, params).fetchall()

    def body_text_of(self, accident_id) -> str | None:
        """A report's full text (accidents.body_text), which only its own page shows."""
        found = self._read("SELECT body_text FROM accidents WHERE id = ?", (accident_id,))
        return found[0]["body_text"] if found else None

    def accountability_of(self, accident_id) -> list[dict]:
        """An accident's accountability entries, in id order."""
        if "accountability" not in self.tables:
            return []
        return self._read("SELECT * FROM accountability WHERE accident_id = ? ORDER BY id", (accident_id,))

    def evidence_of(self, accident_id) -> list[dict]:
        """The evidence of an accident's facts (etl/public.py rule 10), in id order."""
        if "evidence" not in self.tables:
            return []
        return self._read("SELECT * FROM evidence WHERE accident_id = ? ORDER BY id", (accident_id,))

    def changes_of(self, keys, limit: int | None = None) -> list[dict]:
        """The change history of the records ``keys`` ((table, record id) pairs), newest first
        (at, then id), at most ``limit`` entries."""
        if "changes" not in self.tables:
            return []
        keys = list(keys)
        found = []
        for start in range(0, len(keys), _COMPOUND):
            # one statement per page: a UNION ALL of index lookups (row values IN a VALUES list
            # scan the table instead; a statement per key or per table costs 2-3 times as much)
            chunk = keys[start : start + _COMPOUND]
            found += self._read(
                " UNION ALL ".join([_CHANGES_OF_ONE] * len(chunk)), [v for key in chunk for v in key]
            )
        found.sort(key=lambda c: (c.get("at") or "", c.get("id") or 0), reverse=True)
        return found[:limit] if limit is not None else found

    def close(self) -> None:
        if self._reader is not None and self._reader_pid == os.getpid():
            self._reader.close()
        self._reader, self._reader_pid = None, None

    def enterprise_path(self, enterprise_id):
        return self.enterprise_paths.get(enterprise_id)

    def cities(self):
        """市州 that have accident reports, as (code, name), in code order."""
        seen = {}
        for acc in self.accidents:
            if acc.get("city_code") and acc["city_code"] not in seen:
                seen[acc["city_code"]] = acc.get("city_name") or acc["city_code"]
        return sorted(seen.items())


def _found_problems(inspection: dict) -> bool:
    """An inspection that found problems (result code, or a problem count the source gave)."""
    return inspection.get("result") == "problems" or (inspection.get("problem_count") or 0) > 0


def _group(rows, key):
    out = defaultdict(list)
    for r in rows:
        if r.get(key) is not None:
            out[r[key]].append(r)
    return out


def _true(value) -> bool:
    return value not in (0, "0", None, False, "")
