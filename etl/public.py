"""The public filter: the one documented selection that both the site and Datasette publish.

`build_public_db(internal, out, as_of)` copies what may be public *as of one date* from the
internal database (data/disclosure.db: full history, removed rows, rejects) into a new SQLite
file (data/public.db). The same rules are written out for readers in docs/public-filter.md.
`python -m etl public` (etl/cli.py) runs it.

Rules
1.  Tables copied: enterprises, accidents, accountability, rectification_assessments,
    credit_ratings, credit_records, blacklist, blacklist_removals, bans, annual_statistics,
    sources (without last_error: internal error text), documents (id, source_id, url, sha256,
    fetched_at, first_seen, last_seen, gone_since, archive_path), blacklist and bans without
    id_number, and changes. Never copied: rejects (raw source rows), etl_runs, source_runs,
    _migrations.
2.  A record whose source stopped publishing it (removed_run set) is dropped, except accidents:
    a withdrawn report stays, with withdrawn = 1, so that it remains provable ("公开是长期的，
    严禁公开几天后又撤回", 应急管理部 press conference, 2026-02-27).
3.  Computed as of the date (rules in etl/rules/):
    accidents: year, city_name, rect_status(_zh), rect_window_start/end, assessment_id and
    assessment_result (the latest assessment whose accident_id is the accident, dated by
    assessed_on, else published_on, else the day the ETL first saw it; one dated after as_of
    does not count);
    blacklist: status(_zh), in_force, early_removal_from, term_end (stated, else the term of the
    rule in force on the listing date), term_stated, rule(_zh), events_zh (etl/rules/blacklist.py);
    credit_records: publicity_active and the period that applies (stated, else the credit-repair
    rule of the decision date: etl/rules/publicity.py; unknown start and end count as not in
    publicity); credit_ratings: rating_status(_zh), rating_current; bans: active. Ranges include
    both stated days (etl/rules/periods.py).
4.  A blacklist entry not in force (expired, removed, revoked, unknown) and a credit record
    outside its publicity period keep only non-identifying fields: the name becomes
    '（已停止公示）', the id an opaque sequence number, and every other field not listed in
    BLACKLIST_KEEP / CREDIT_RECORD_KEEP is NULL (应急管理部令第11号: at the end of the term the
    entry is removed, "停止公示"; 个人信息保护法 第二十八条). Their change history is not copied.
5.  enterprises: only those referenced by a public, identifying record; `sources` lists only
    the sources of those records (an enterprise known only from an expired listing must not
    appear at all). documents: only those such records cite (document_id or an attachment).
    changes: only for records present and identifying in the public database.
6.  Added: build_info (as_of, built_at, internal_sha256, last ETL run, tokenizer, per source
    last_success_at), legal_basis (every rule applied, with its citation); for Datasette
    (etl/public_serving.py) views blacklist_in_force and rectification_overdue, summary tables
    enterprise_accidents and accidents_by_year_city, facet_counts, an index for each table's
    default sort, per facet column (etl/schema.yaml `facets`), per link column and per entry of
    `indexes`; and a Chinese full-text table <table>_fts per table with `search` columns, of
    identifying rows only (etl/public_search.py, etl/fts_text.py).
7.  Deterministic: rows are written in id order and the file is produced by VACUUM INTO, so the
    same input and as_of give the same bytes apart from built_at (which SOURCE_DATE_EPOCH fixes).
8.  No part of a 居民身份证号码 is published (《行政处罚结果信息网上公开暂行办法》第七条; 法释〔2016〕19号
    第十条; 《个人信息保护法》第二十八条): the id_number columns stay internal (rule 1), a change's
    id_number values are left out, and every text cell passes etl.normalize.mask.hide_id_fragments,
    so text stored under an older masking policy (620102********1234) is published with the marker.
    Persons on the blacklist and bans lists are shown by masked name and `unit`.
9.  Only addresses the public can open are published: a source_url, document or source url or
    attachment url that is not http(s) (a file the ETL read on its own machine) becomes the
    source's public address or NULL, also inside a change's fields (_public_addresses).
10. evidence: the evidence of every published accident's facts (rows its source still gives, or
    gave when the report was withdrawn), with quotes masked as stored. Offsets (quote_start,
    quote_end, and those of the candidates) are published only where they point at the quote
    in the published text (title, a line break, body_text); else NULL. Staff decisions the last
    ETL run applied (table corrections, internal: who and why stay internal) mark a fact
    review = corrected / confirmed with reviewed_on; a corrected fact without evidence gets a
    row of method reviewed. needs_review = 1 (shown 待核实) for a low-confidence fact no decision
    covers (docs/review.md). Their change history is not copied.
11. The further disclosures (etl/public_disclosures.py): hazards with status, effective
    removal and events as of the date (one listed later is left out); penalties with the
    publicity period of credit records (outside it de-identified as in rule 4), and so do
    agency_actions (a 失信 listing's stated end is its own); agencies with
    their qualification status; agency reports with the agency's status on the day of issue;
    projects with where the comment period stands; hazard_events dated on or before the date,
    and inspections, as published.
"""

from __future__ import annotations

import heapq
import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache, partial
from pathlib import Path
from urllib.parse import urlsplit

from etl import fts_text, public_disclosures, public_search, public_serving, settings
from etl.digest import sha256_file
from etl.normalize.mask import hide_id_fragments
from etl.normalize.regions import region_name
from etl.public_search import Splitter
from etl.public_serving import FACET_COUNTS, SUMMARIES  # noqa: F401 - bench/national.py reads them here
from etl.rules import catalogue
from etl.rules.blacklist import EVENT_LABELS, blacklist_status
from etl.rules.periods import iso_day
from etl.rules.publicity import RATING_LABELS, publicity, rating_status
from etl.rules.rectification import assessment_status

PUBLIC_DB_PATH = settings.DATA / "public.db"
FILTER_VERSION = "5"  # 2: rule 8; 3: rule 9; 4: rule 10; 5: rule 11
STOPPED = "（已停止公示）"

# Internal-only columns (schema.yaml marks the same ones `scope: internal`; a test compares).
DROPPED = {
    "sources": ("last_error",),
    "documents": ("http_status", "content_type", "encoding", "size", "etag", "last_modified"),
    # rule 8: not even the masked number (620102********1234) is public
    "blacklist": ("id_number",),
    "bans": ("id_number",),
    # the companies an accident might belong to: publishing a guess is the wrong link itself
    "accidents": ("enterprise_link_candidates",),
}
COMPUTED = {
    "accidents": (
        ("year", "INTEGER"),
        ("city_name", "TEXT"),
        ("rect_status", "TEXT"),
        ("rect_status_zh", "TEXT"),
        ("rect_window_start", "TEXT"),
        ("rect_window_end", "TEXT"),
        ("assessment_id", "TEXT"),
        ("assessment_result", "TEXT"),
        ("withdrawn", "INTEGER"),
    ),
    "blacklist": (
        ("status", "TEXT"),
        ("status_zh", "TEXT"),
        ("in_force", "INTEGER"),
        ("early_removal_from", "TEXT"),
        ("term_stated", "INTEGER"),
        ("rule", "TEXT"),
        ("rule_zh", "TEXT"),
        ("events_zh", "TEXT"),
    ),
    "credit_records": (
        ("publicity_active", "INTEGER"),
        ("publicity_end_stated", "INTEGER"),
        ("publicity_class", "TEXT"),
        ("publicity_rule", "TEXT"),
        ("publicity_basis_zh", "TEXT"),
    ),
    "credit_ratings": (
        ("rating_status", "TEXT"),
        ("rating_status_zh", "TEXT"),
        ("rating_current", "INTEGER"),
    ),
    "bans": (("active", "INTEGER"),),
    "evidence": (("review", "TEXT"), ("reviewed_on", "TEXT"), ("needs_review", "INTEGER")),
    **public_disclosures.COMPUTED,
}
# Links the internal schema does not declare, so that Datasette shows labels (source titles).
EXTRA_LINKS = {"accidents": {"assessment_id": "rectification_assessments"}}
# Rule 4: what an entry keeps once it may no longer be shown with identifying details.
_RUNS = ("source_id", "first_seen_run", "last_seen_run", "updated_run", "removed_run", "removed_at")
BLACKLIST_KEEP = (
    "subject_type",
    "listed_on",
    "term_end",
    "removed_on",
    "removal_reason",
    "authority",
    "status",
    "status_zh",
    "in_force",
    "term_stated",
    "rule",
    "rule_zh",
    "events_zh",
) + _RUNS
CREDIT_RECORD_KEEP = ("record_type", "authority", "decided_on") + public_disclosures.PUBLICITY_KEEP + _RUNS
# Written first (they decide which enterprises, documents and changes are public), in this order.
RECORD_TABLES = (
    "accidents",
    "accountability",
    "rectification_assessments",
    "credit_ratings",
    "credit_records",
    "blacklist",
    "blacklist_removals",
    "bans",
    *public_disclosures.TABLES,
    "annual_statistics",
)
PUBLIC_TABLES = RECORD_TABLES + ("evidence", "enterprises", "documents", "sources", "changes")
for _table in RECORD_TABLES + ("evidence", "documents"):
    EXTRA_LINKS.setdefault(_table, {})["source_id"] = "sources"
# Rule 4: the rows that keep identifying fields, the only ones the search index holds.
IDENTIFYING = {"blacklist": "in_force = 1", "credit_records": "publicity_active = 1"}
_Splitter = Splitter  # the name bench/national.py uses


@dataclass
class _Build:
    src: sqlite3.Connection
    dst: sqlite3.Connection
    as_of: date
    assessments: dict = field(default_factory=dict)  # accident_id -> latest assessment row
    newest_ratings: dict = field(default_factory=dict)  # enterprise id -> id of its newest rating
    public_ids: dict = field(default_factory=dict)  # table -> ids shown with identifying fields
    enterprise_sources: dict = field(default_factory=dict)  # enterprise id -> {source_id}
    documents: set = field(default_factory=set)
    document_urls: set = field(default_factory=set)
    source_addresses: dict = field(default_factory=dict)  # source id -> its public address or None
    hidden: dict = field(default_factory=dict)  # table -> count of de-identified rows
    cache: dict = field(default_factory=dict)  # lookups a rule module builds once per build
    splitter: Splitter = field(default_factory=Splitter)  # workers for the search text


def build_public_db(internal_path, out_path, as_of: date) -> dict:
    """Write the public database for `as_of`; return counts per table and of hidden rows."""
    internal_path, out_path = Path(internal_path), Path(out_path)
    if not internal_path.exists():
        raise FileNotFoundError(f"internal database not found: {internal_path}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    work = out_path.with_name(out_path.name + ".building")
    final = out_path.with_name(out_path.name + ".new")
    for stale in (work, final):
        stale.unlink(missing_ok=True)
    splitter = Splitter(public_search.largest_searchable(internal_path, PUBLIC_TABLES))
    src = sqlite3.connect(f"file:{internal_path}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    dst = sqlite3.connect(work)
    try:
        src.execute("BEGIN")  # one read snapshot even if the ETL writes meanwhile
        build = _Build(src, dst, as_of, splitter=splitter)
        build.assessments = _latest_assessments(src)
        build.newest_ratings = _newest_ratings(src)
        build.source_addresses = _source_addresses(src)
        for table in RECORD_TABLES:
            _copy(build, table, _records(build, table))
        _copy(build, "evidence", map(partial(_public_addresses, build), _evidence(build)))
        _copy(build, "enterprises", _enterprises(build))
        _copy(build, "documents", map(partial(_public_addresses, build), _documents(build)))
        _copy(build, "sources", map(partial(_public_addresses, build), _plain_rows(src, "sources")))
        _copy(build, "changes", map(partial(_public_addresses, build), _changes(build)))
        _add_search(build)
        _add_summaries(dst)
        _add_views_and_indexes(dst)
        _add_build_info(build, internal_path)
        _add_legal_basis(dst)
        dst.commit()
        dst.execute("ANALYZE")
        dst.commit()
        dst.execute("VACUUM INTO ?", (str(final),))
        counts = {t: dst.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in PUBLIC_TABLES}
    finally:
        splitter.close()
        src.close()
        dst.close()
        work.unlink(missing_ok=True)
    os.replace(final, out_path)
    return {"path": str(out_path), "as_of": as_of.isoformat(), "tables": counts, "hidden": dict(build.hidden)}


# ------------------------------------------------------------------ table structure


def _create(build: _Build, table: str) -> list[str]:
    """Create `table` in the public database; return its columns in order.

    Types, primary key and links come from the internal table; NOT NULL is not copied, because
    de-identified rows (rule 4) empty columns the internal schema requires.
    """
    info = build.src.execute(f"PRAGMA table_info({table})").fetchall()
    dropped = DROPPED.get(table, ())
    columns = [(r["name"], r["type"], r["pk"]) for r in info if r["name"] not in dropped]
    columns += [(name, kind, 0) for name, kind in COMPUTED.get(table, ())]
    links = {r["from"]: r["table"] for r in build.src.execute(f"PRAGMA foreign_key_list({table})")}
    links.update(EXTRA_LINKS.get(table, {}))
    pk = [name for name, _, order in sorted(columns, key=lambda c: c[2]) if order]
    lines = []
    for name, kind, _ in columns:
        line = f"  {name} {kind}".rstrip()
        if links.get(name) in PUBLIC_TABLES:
            line += f" REFERENCES {links[name]}(id)"
        lines.append(line)
    if pk:
        lines.append(f"  PRIMARY KEY ({', '.join(pk)})")
    build.dst.execute(f"CREATE TABLE {table} (\n" + ",\n".join(lines) + "\n)")
    return [name for name, _, _ in columns]


def _copy(build: _Build, table: str, rows) -> None:
    columns = _create(build, table)
    marks = ", ".join("?" for _ in columns)
    build.dst.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
        ([_public_value(row.get(c)) for c in columns] for row in rows),
    )


def _public_value(value):
    """Rule 8: a text cell without any ID-number fragment."""
    return hide_id_fragments(value) if isinstance(value, str) else value


# ------------------------------------------------------------------ source addresses


def _public_address(value, fallback=None):
    """An address the public can open (http or https, with a host) as it is; any other — a
    file:// URL or a path on the machine that ran the ETL (the bundled samples are read that way),
    an unexpanded {samples} template, javascript: — is `fallback` instead: no page, download or
    Datasette cell shows where the ETL read a file on its own machine."""
    if not isinstance(value, str):
        return value
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return fallback
    return value if parts.scheme.lower() in ("http", "https") and parts.netloc else fallback


def _source_addresses(src) -> dict:
    """source id -> the source's public address (its spec's `url`, when that is an http(s) page
    without a {page} placeholder), else None (the samples have none): what a record read from a
    local file publishes as its source_url; the site then names the source instead."""
    return {
        r["id"]: (r["url"] if _public_address(r["url"]) and "{" not in r["url"] else None)
        for r in src.execute("SELECT id, url FROM sources")
    }


def _public_addresses(build: _Build, row: dict) -> dict:
    """Every address a public row carries, passed through _public_address: a record's source_url
    (falling back to its source's public address), a document's or source's url, the url of
    each attachment, and the same columns' old and new values in a change's `fields`."""
    if row.get("source_url") is not None:
        row["source_url"] = _public_address(
            row["source_url"], build.source_addresses.get(row.get("source_id"))
        )
    if row.get("url") is not None:  # documents, sources: the address of that file or spec
        row["url"] = _public_address(row["url"])
    if row.get("attachments"):
        row["attachments"] = _public_attachments(row["attachments"])
    if row.get("fields") and any(k in row["fields"] for k in ('"source_url"', '"url"', '"attachments"')):
        fields = json.loads(row["fields"])
        if isinstance(fields, dict):
            for key, values in fields.items():
                if key in ("source_url", "url", "attachments") and isinstance(values, list):
                    fields[key] = [
                        _public_attachments(v) if key == "attachments" else _public_address(v) for v in values
                    ]
            row["fields"] = json.dumps(fields, ensure_ascii=False, default=str, sort_keys=True)
    return row


def _public_attachments(value):
    """An attachments JSON list with each item's non-public url set to null (unchanged text
    when every url is public, so that the published bytes stay as they were)."""
    items = _json_list(value)
    if not any(
        isinstance(i, dict) and i.get("url") is not None and _public_address(i["url"]) is None for i in items
    ):
        return value
    for item in items:
        if isinstance(item, dict) and item.get("url") is not None:
            item["url"] = _public_address(item["url"])
    return json.dumps(items, ensure_ascii=False, sort_keys=True)


def _plain_rows(src, table: str, where: str = "1"):
    for row in src.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY id"):
        yield dict(row)


# ------------------------------------------------------------------ record tables


def _records(build: _Build, table: str):
    """Rows of a record table after rules 2–4, in id order, noting what they make public."""
    where = "1" if table == "accidents" else "removed_run IS NULL"  # rule 2
    transform = _TRANSFORMS.get(table)
    shown = build.public_ids.setdefault(table, set())
    for row in _plain_rows(build.src, table, where):
        if transform:
            row = transform(build, row)
            if row is None:  # not public yet on the date (a hazard listed later)
                continue
        if row.get("_hidden"):
            build.hidden[table] = build.hidden.get(table, 0) + 1
            row["id"] = f"{table}-stopped-{build.hidden[table]:05d}"
            yield row
            continue
        shown.add(row["id"])
        _note_references(build, row)
        yield _public_addresses(build, row)


def _note_references(build: _Build, row: dict) -> None:
    if row.get("enterprise_id"):
        build.enterprise_sources.setdefault(row["enterprise_id"], set()).add(row.get("source_id"))
    if row.get("document_id") is not None:
        build.documents.add(row["document_id"])
    for item in _json_list(row.get("attachments")):
        if isinstance(item, dict) and item.get("document_id") is not None:
            build.documents.add(item["document_id"])
        elif isinstance(item, dict) and item.get("url"):
            build.document_urls.add(item["url"])


def _accident(build: _Build, row: dict) -> dict:
    assessment = build.assessments.get(row["id"]) or {}
    status = assessment_status(
        iso_day(row["approved_on"]),
        iso_day(assessment.get("effective_on")),
        assessment.get("result"),
        build.as_of,
    )
    assessed = status["status"] == "assessed"  # an assessment dated after as_of is not shown
    row.update(
        year=int(row["occurred_on"][:4]) if row.get("occurred_on") else None,
        city_name=_city_name(row.get("city_code")),
        rect_status=status["status"],
        rect_status_zh=status["label_zh"],
        rect_window_start=_iso(status.get("window_start")),
        rect_window_end=_iso(status.get("window_end")),
        assessment_id=assessment.get("id") if assessed else None,
        assessment_result=status.get("result") if assessed else None,
        withdrawn=int(row["removed_run"] is not None),  # rule 2
    )
    return row


def _blacklist(build: _Build, row: dict) -> dict:
    events = json.loads(row["events"]) if row.get("events") else []
    # the history as of the date: an announcement dated later is not known yet
    known = [e for e in events if e["on"] and e["on"] <= build.as_of.isoformat()]
    status = blacklist_status(
        row["listed_on"], row["term_end"], [(e["on"], e["kind"]) for e in events], build.as_of
    )
    in_force = bool(status["in_force"])
    row.update(
        status=status["status"],
        status_zh=status["label_zh"],
        in_force=int(in_force),
        early_removal_from=_iso(status.get("early_removal_from")) if in_force else None,
        term_stated=int(bool(row["term_end"])),
        term_end=_iso(status.get("term_end")) or row["term_end"],
        rule=status["regime"],
        rule_zh=status["rule_zh"],
        events_zh="；".join(f"{e['on']} {EVENT_LABELS[e['kind']]}" for e in known) or None,
    )
    # removed_on / removal_reason: the latest removal known on the date, unless restored since
    last = known[-1] if known else None
    if last is None or last["kind"] == "removal_revoked":
        row.update(removed_on=None, removal_reason=None, removal_doc=None)
    else:
        row.update(removed_on=last["on"], removal_reason=last["reason"], removal_doc=last["doc"])
    if not in_force:
        return _stopped(row, BLACKLIST_KEEP, "subject_name")
    return row


def _credit_record(build: _Build, row: dict) -> dict:
    period = publicity(
        iso_day(row["decided_on"]),
        iso_day(row["publicity_start"]),
        iso_day(row["publicity_end"]),
        row["record_type"],
        row["penalty"],
        build.as_of,
    )
    active = bool(period["active"])
    row.update(
        publicity_start=_iso(period["start"]),
        publicity_end=_iso(period["end"]),
        publicity_end_stated=int(period["end_stated"]),
        publicity_class=period["class"],
        publicity_rule=period["rule"],
        publicity_basis_zh=period["basis_zh"],
        publicity_active=int(active),
    )
    return row if active else _stopped(row, CREDIT_RECORD_KEEP, "enterprise_name")


def _credit_rating(build: _Build, row: dict) -> dict:
    newest = build.newest_ratings.get(row["enterprise_id"] or row["id"]) == row["id"]
    status = rating_status(iso_day(row["rated_on"]), iso_day(row["valid_until"]), newest, build.as_of)
    row.update(
        rating_status=status,
        rating_status_zh=RATING_LABELS[status],
        rating_current=int(status in ("current", "unstated")),
    )
    return row


def _ban(build: _Build, row: dict) -> dict:
    # In force from start_on through end_on inclusive; a lifetime ban (终身禁入) never ends.
    start, end = iso_day(row["start_on"]), iso_day(row["end_on"])
    started = start is None or start <= build.as_of
    ended = not row["lifetime"] and end is not None and end < build.as_of
    row["active"] = int(started and not ended)
    return row


def _stopped(row: dict, keep: tuple[str, ...], name_column: str) -> dict:
    """Rule 4: keep only non-identifying fields."""
    out = {column: (value if column in keep else None) for column, value in row.items()}
    out[name_column] = STOPPED
    out["_hidden"] = True
    return out


def _stopped_record(row: dict, keep: tuple[str, ...], name_column: str) -> dict:
    """Rule 4 for the records of etl/public_disclosures.py, which keep the run bookkeeping too."""
    return _stopped(row, keep + _RUNS, name_column)


_TRANSFORMS = {
    "accidents": _accident,
    "blacklist": _blacklist,
    "credit_records": _credit_record,
    "credit_ratings": _credit_rating,
    "bans": _ban,
    "hazards": public_disclosures.hazard,
    "penalties": partial(public_disclosures.penalty, stopped=_stopped_record),
    "hazard_events": public_disclosures.hazard_event,
    "inspections": public_disclosures.inspection,
    "agency_actions": partial(public_disclosures.agency_action, stopped=_stopped_record),
    "agencies": public_disclosures.agency,
    "agency_reports": public_disclosures.agency_report,
    "projects": public_disclosures.project,
}


def _newest_ratings(src) -> dict[str, str]:
    """enterprise id (or the rating's own id when unlinked) -> the id of its newest rating, by
    rating year, then rating date."""
    newest: dict[str, tuple] = {}
    for row in src.execute(
        "SELECT id, enterprise_id, rating_year, rated_on FROM credit_ratings" " WHERE removed_run IS NULL"
    ):
        key = row["enterprise_id"] or row["id"]
        rank = (row["rating_year"] or 0, row["rated_on"] or "", row["id"])
        if key not in newest or rank > newest[key]:
            newest[key] = rank
    return {key: rank[2] for key, rank in newest.items()}


def _latest_assessments(src) -> dict[str, dict]:
    """accident id -> its most recent assessment, with `effective_on`: the date the assessment
    is known from (assessed_on, else published_on, else the start of the ETL run that first
    saw it), so that an assessment without a stated date still counts once it was published."""
    run_dates = {
        r["id"]: (r["started_at"] or "")[:10] for r in src.execute("SELECT id, started_at FROM etl_runs")
    }
    latest: dict[str, dict] = {}
    rows = src.execute(
        "SELECT * FROM rectification_assessments WHERE accident_id IS NOT NULL AND removed_run IS NULL"
        " ORDER BY accident_id, id"
    )
    for row in map(dict, rows):
        row["effective_on"] = (
            row["assessed_on"] or row["published_on"] or run_dates.get(row["first_seen_run"]) or None
        )
        best = latest.get(row["accident_id"])
        if best is None or (row["effective_on"] or "") >= (best["effective_on"] or ""):
            latest[row["accident_id"]] = row
    return latest


# ------------------------------------------------------------------ evidence (rule 10)

# Whether an evidence row's offsets point at its quote in the published text (title, a line
# break, body_text), without joining the two per row (a report is ~7 KB, with ~12 rows each).
_EVIDENCE = (
    "SELECT e.*, CASE WHEN e.quote_start IS NULL THEN 0"
    " WHEN e.quote_start > length(a.title) THEN substr(a.body_text, e.quote_start - length(a.title),"
    "  e.quote_end - e.quote_start) = e.quote"
    " ELSE substr(a.title || char(10), e.quote_start + 1, e.quote_end - e.quote_start) = e.quote END AS _at_quote"
    " FROM evidence e JOIN accidents a ON a.id = e.accident_id"
    " WHERE e.removed_run IS NULL OR e.removed_run = a.removed_run ORDER BY e.id"
)


def _evidence(build: _Build):
    """Rule 10, in id order: each fact's evidence with the staff decision marks, and a row for
    a corrected fact that had none."""
    reviewed = {
        (r["accident_id"], r["field"]): r
        for r in build.src.execute(
            "SELECT accident_id, field, action, decided_on FROM corrections WHERE applied = 1"
        )
    }
    stored = (_evidence_row(build, dict(r), reviewed) for r in build.src.execute(_EVIDENCE))
    yield from heapq.merge(stored, _reviewed_only(build, reviewed), key=lambda r: r["id"])


def _evidence_row(build: _Build, row: dict, reviewed: dict) -> dict:
    if not row.pop("_at_quote"):
        row["quote_start"] = row["quote_end"] = None
    if row["candidates"]:
        row["candidates"] = _public_candidates(build, row["accident_id"], row["candidates"])
    decision = (
        reviewed.get((row["accident_id"], row["field"]))
        if row["accountability_id"] is None
        else reviewed.get((row["accident_id"], "accountability"))
    )
    row.update(
        review=_REVIEW.get(decision["action"]) if decision else None,
        reviewed_on=decision["decided_on"] if decision else None,
        needs_review=int(row["confidence"] == "low" and decision is None),
    )
    return row


_REVIEW = {"correct": "corrected", "accept": "confirmed"}


def _public_candidates(build: _Build, accident_id: str, value: str) -> str:
    """The candidates JSON with offsets kept only where they point at the quote (rule 10)."""
    found = _json_list(value)
    text = build.src.execute(
        "SELECT title || char(10) || coalesce(body_text, '') FROM accidents WHERE id = ?", (accident_id,)
    ).fetchone()[0]
    for c in found:
        if isinstance(c, dict) and not (
            isinstance(c.get("start"), int)
            and isinstance(c.get("end"), int)
            and text[c["start"] : c["end"]] == c.get("quote")
        ):
            c["start"] = c["end"] = None
    return json.dumps(found, ensure_ascii=False)


def _reviewed_only(build: _Build, reviewed: dict):
    """Rows for corrected facts that have no evidence row (a value the report does not state),
    in id order."""
    for (accident_id, field_name), decision in sorted(reviewed.items(), key=lambda kv: "-ev-".join(kv[0])):
        row_id = f"{accident_id}-ev-{field_name}"
        if (
            decision["action"] != "correct"
            or build.src.execute(
                "SELECT 1 FROM evidence e JOIN accidents a ON a.id = e.accident_id WHERE e.id = ?"
                " AND (e.removed_run IS NULL OR e.removed_run = a.removed_run)",
                (row_id,),
            ).fetchone()
        ):
            continue
        found = build.src.execute("SELECT * FROM accidents WHERE id = ?", (accident_id,)).fetchone()
        if found is None:
            continue
        acc = dict(found)
        yield {
            "id": row_id,
            "accident_id": accident_id,
            "field": field_name,
            "value": None,
            "method": "reviewed",
            "confidence": "high",
            "source_id": acc["source_id"],
            "document_id": acc["document_id"],
            "source_url": acc["source_url"],
            "record_hash": "",
            "first_seen_run": acc["first_seen_run"],
            "last_seen_run": acc["last_seen_run"],
            "updated_run": acc["updated_run"],
            "review": "corrected",
            "reviewed_on": decision["decided_on"],
            "needs_review": 0,
        }


# ------------------------------------------------------------------ hubs and history


def _enterprises(build: _Build):
    for row in _plain_rows(build.src, "enterprises"):
        sources = build.enterprise_sources.get(row["id"])
        if not sources:
            continue  # rule 5: no public, identifying record names it
        row["sources"] = json.dumps(sorted(s for s in sources if s), ensure_ascii=False)
        build.public_ids.setdefault("enterprises", set()).add(row["id"])
        yield row


def _documents(build: _Build):
    for row in _plain_rows(build.src, "documents"):
        if row["id"] in build.documents or row["url"] in build.document_urls:
            yield row


def _changes(build: _Build):
    for row in _plain_rows(build.src, "changes"):
        if row["record_id"] in build.public_ids.get(row["table_name"], ()):
            dropped = DROPPED.get(row["table_name"])
            if dropped and row["fields"]:  # rule 8: an id_number's old and new values stay internal
                fields = json.loads(row["fields"])
                if isinstance(fields, dict) and any(c in fields for c in dropped):
                    row["fields"] = json.dumps(
                        {k: v for k, v in fields.items() if k not in dropped},
                        ensure_ascii=False,
                        default=str,
                        sort_keys=True,
                    )
            yield row


# ------------------------------------------------------------------ serving and build info


def _add_search(build: _Build) -> None:
    """Rule 6: the full-text tables (etl/public_search.py), of identifying rows only: a
    de-identified row has nothing to find."""
    public_search.add_search(build.dst, build.splitter, PUBLIC_TABLES, IDENTIFYING)


def _add_summaries(dst) -> None:
    """Rule 6: summary tables and facet counts (etl/public_serving.py)."""
    public_serving.add_summaries(dst)


def _add_views_and_indexes(dst) -> None:
    """Rule 6: views and the indexes Datasette needs (etl/public_serving.py)."""
    public_serving.add_views_and_indexes(dst, PUBLIC_TABLES)


def _add_build_info(build: _Build, internal_path: Path) -> None:
    run = build.src.execute("SELECT id, finished_at FROM etl_runs ORDER BY id DESC LIMIT 1").fetchone()
    info = [
        ("as_of", build.as_of.isoformat()),
        ("built_at", _built_at()),
        ("internal_sha256", sha256_file(internal_path)),
        ("last_run_id", str(run["id"]) if run else None),
        ("last_run_finished_at", run["finished_at"] if run else None),
        ("public_filter", FILTER_VERSION),
        ("fts_tokenizer", fts_text.VERSION),
    ]
    for row in build.src.execute("SELECT id, last_success_at FROM sources ORDER BY id"):
        info.append((f"source:{row['id']}:last_success_at", row["last_success_at"]))
    build.dst.execute("CREATE TABLE build_info (key TEXT PRIMARY KEY, value TEXT)")
    build.dst.executemany("INSERT INTO build_info (key, value) VALUES (?, ?)", info)


def _add_legal_basis(dst) -> None:
    """Rule 6: every rule applied above, with its citation (etl/rules/catalogue.py)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in catalogue.COLUMNS)
    dst.execute(f"CREATE TABLE legal_basis ({columns}, PRIMARY KEY (key))")
    marks = ", ".join("?" for _ in catalogue.COLUMNS)
    dst.executemany(f"INSERT INTO legal_basis VALUES ({marks})", catalogue.rows())


def _built_at() -> str:
    # SOURCE_DATE_EPOCH (reproducible-builds.org) pins the one field that differs between builds.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# ------------------------------------------------------------------ small helpers


@lru_cache(maxsize=None)
def _city_name(code: str | None) -> str | None:
    return region_name(code) if code else None


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _json_list(value) -> list:
    try:
        parsed = json.loads(value) if value else []
    except (TypeError, ValueError):
        return []
    return parsed if isinstance(parsed, list) else []
