"""Links between records, derived after every load from everything in the database:

- the `enterprises` hub: records join by 统一社会信用代码, else by normalized name within the
  市州 (etl/enterprise_links.py; ambiguous matches are flagged, never merged); an accident's enterprise
  name, read from the report, may also link without its place prefix or as a unit of its
  company, and records how it was linked (enterprise_link_method) and, when no rule proves a
  link, the enterprises it might be (enterprise_link_candidates) for review;
- an accident whose report states no 行业 takes its enterprise's, from the register (the rating
  lists' 行业 column), when the enterprise is linked with evidence;
- blacklist entries get their events (移出, 恢复列入, 撤销列入) from the removal announcements;
- rectification assessments find the accident report they assess;
- accidents get their region name.

Derived columns are not part of a record's content hash (etl/load.py DERIVED), so a new link
does not look like a change at the source. Changes to the hub itself are logged in `changes`.
"""

from __future__ import annotations

import json
import re
import sqlite3

from etl import derive_disclosures
from etl.enterprise_links import EnterpriseIndex
from etl.extract.industry import sector_from_register
from etl.normalize.codes import check_uscc, normalize_code
from etl.normalize.dates import parse_date
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.regions import city_of, region_name
from etl.normalize.text import to_simplified
from etl.rules.blacklist import event_kind, normalize_removal_reason, term_end_for

# (table, name column, code column, extra filter). Priority order: the first table that names an
# enterprise gives the hub its display name (rating lists carry registry-quality names).
ENTERPRISE_SOURCES = (
    ("credit_ratings", "enterprise_name", "uscc", ""),
    ("credit_records", "enterprise_name", "uscc", ""),
    ("blacklist", "subject_name", "uscc", "AND subject_type != 'person'"),
    ("bans", "subject_name", "uscc", "AND subject_type != 'person'"),
    ("agencies", "name", "uscc", ""),
    ("hazards", "enterprise_name", "uscc", ""),
    ("penalties", "party_name", "uscc", "AND party_type != 'person'"),
    ("inspections", "object_name", "uscc", ""),
    ("projects", "builder", "uscc", ""),
    ("agency_reports", "client_name", "client_uscc", ""),
    ("accidents", "enterprise_name", "enterprise_uscc", ""),
)
HUB_COLUMNS = (
    "name",
    "name_norm",
    "uscc",
    "uscc_valid",
    "uscc_problem",
    "org_code",
    "region_code",
    "city_code",
    "region_name",
    "industry",
    "link_flag",
    "sources",
)
# Tables whose enterprise name is read out of report text (etl/enterprise_links.py rule 3).
EXTRACTED = ("accidents",)
# Methods that link with evidence (etl/enterprise_links.py); 'review' and 'none' do not.
EVIDENCE = ("uscc", "exact_name", "name_without_prefix", "parent")


def refresh(conn: sqlite3.Connection, run_id: int, now: str) -> None:
    register = link_enterprises(conn, run_id, now)
    fill_industry(conn, register)
    link_removals(conn)
    link_assessments(conn)
    derive_disclosures.refresh(conn)
    _name_regions(conn)


def _name_regions(conn) -> None:
    """accidents.region_name from its code, in one pass over the table (an UPDATE per code read
    every report once per code: 10 s at 10 × province size), writing only names that differ."""
    codes = [
        code
        for (code,) in conn.execute(
            "SELECT DISTINCT region_code FROM accidents WHERE region_code IS NOT NULL"
        )
    ]
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _region_names (code TEXT PRIMARY KEY, name TEXT)")
    conn.execute("DELETE FROM _region_names")
    conn.executemany("INSERT INTO _region_names VALUES (?, ?)", [(c, region_name(c)) for c in codes])
    name = "(SELECT name FROM _region_names WHERE code = accidents.region_code)"
    conn.execute(
        f"UPDATE accidents SET region_name = {name}"
        f" WHERE region_code IN (SELECT code FROM _region_names) AND region_name IS NOT {name}"
    )


def link_enterprises(conn, run_id: int, now: str) -> dict[str, str]:
    """Every record's enterprise_id, the hub rows, and accidents' link evidence. Returns the
    register's 行业 text per enterprise (the first rating list that states one)."""
    index = EnterpriseIndex()
    rows = []
    for table, name_col, code_col, where in ENTERPRISE_SOURCES:
        industry = "industry" if table in ("credit_ratings", "accidents") else "NULL"
        columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        region = "region_code" if "region_code" in columns else "NULL AS region_code"
        evidence = (
            ", enterprise_link_method AS method, enterprise_link_candidates AS candidates"
            if table in EXTRACTED
            else ""
        )
        for row in conn.execute(
            f"SELECT id, {name_col} AS name, {code_col} AS code, {region}, {industry} AS industry,"
            f" source_id, enterprise_id{evidence} FROM {table} WHERE {name_col} IS NOT NULL {where}"
            " ORDER BY id"
        ):
            rows.append((table, dict(row)))
    # Records with a code first, so a record without one can join the coded enterprise by name.
    rows.sort(key=lambda item: (item[1]["code"] is None, ENTERPRISE_ORDER[item[0]], item[1]["id"]))
    registered = []
    for table, row in rows:
        enterprise_id, _ = index.add(
            row["name"], uscc=row["code"], region_code=row["region_code"], extracted=table in EXTRACTED
        )
        if enterprise_id is not None:
            registered.append((table, row))
    hubs: dict[str, dict] = {}
    links: dict[str, list[tuple[str, str]]] = {}
    evidence: list[tuple] = []
    register: dict[str, str] = {}
    # evidence() is order-independent: a record added before its coded twin is re-pointed to it.
    for (table, row), link in zip(registered, index.evidence()):
        enterprise_id, flag = link.enterprise_id, link.flag
        if row["enterprise_id"] != enterprise_id:  # a routine run changes few links: write those
            links.setdefault(table, []).append((enterprise_id, row["id"]))
        if table in EXTRACTED:
            candidates = json.dumps(list(link.candidates), ensure_ascii=False) if link.candidates else None
            if (row["method"], row["candidates"]) != (link.method, candidates):
                evidence.append((link.method, candidates, row["id"]))
        if table == "credit_ratings" and row["industry"]:
            register.setdefault(enterprise_id, row["industry"])
        hub = hubs.get(enterprise_id)
        if hub is None:
            hub = hubs[enterprise_id] = _new_hub(row, index.check)
        _merge(hub, row, flag)
    for table, pairs in links.items():
        conn.executemany(f"UPDATE {table} SET enterprise_id = ? WHERE id = ?", pairs)
    conn.executemany(
        "UPDATE accidents SET enterprise_link_method = ?, enterprise_link_candidates = ?" " WHERE id = ?",
        evidence,
    )
    _unlink_nameless(conn, {row["id"] for table, row in registered if table == "accidents"})
    _write_hubs(conn, hubs, run_id, now)
    return register


def _unlink_nameless(conn, linked: set[str]) -> None:
    """A report that names no enterprise (or no longer does) links to none: method 'none'."""
    stale = [
        (row["id"],)
        for row in conn.execute(
            "SELECT id FROM accidents WHERE enterprise_id IS NOT NULL OR enterprise_link_candidates IS NOT NULL"
            " OR enterprise_link_method IS NOT 'none'"
        )
        if row["id"] not in linked
    ]
    conn.executemany(
        "UPDATE accidents SET enterprise_id = NULL, enterprise_link_method = 'none',"
        " enterprise_link_candidates = NULL WHERE id = ?",
        stale,
    )


def fill_industry(conn, register: dict[str, str]) -> None:
    """行业 of an accident whose report states none, from its enterprise's register entry,
    classified into the sectors the emergency-management statistics use
    (etl.extract.industry.sector_from_register). Only for links made with evidence."""
    marks = ", ".join("?" * len(EVIDENCE))
    updates = []
    for row in conn.execute(
        "SELECT id, enterprise_id FROM accidents WHERE coalesce(industry, '') = ''"
        f" AND enterprise_link_method IN ({marks})",
        EVIDENCE,
    ):
        text = register.get(row["enterprise_id"])
        sector = sector_from_register(text) if text else None
        if sector:
            updates.append((sector, row["id"]))
    conn.executemany("UPDATE accidents SET industry = ? WHERE id = ?", updates)


ENTERPRISE_ORDER = {t[0]: i for i, t in enumerate(ENTERPRISE_SOURCES)}


def _new_hub(row: dict, check_uscc=check_uscc) -> dict:
    check = check_uscc(normalize_code(row["code"])) if row["code"] else None
    region = row["region_code"]
    city = city_of(region) if region else None
    return {
        "name": row["name"],
        "name_norm": normalize_enterprise_name(row["name"]),
        "uscc": row["code"],
        "uscc_valid": None if check is None else int(check.valid),
        "uscc_problem": "；".join(check.problems) if check and check.problems else None,
        "org_code": (check.details or {}).get("org_code") if check else None,
        "region_code": region,
        "city_code": city.code if city else None,
        "region_name": region_name(region) if region else None,
        "industry": row.get("industry"),
        "link_flag": None,
        "sources": set(),
    }


def _merge(hub: dict, row: dict, flag: str | None) -> None:
    hub["sources"].add(row["source_id"])
    if flag and not hub["link_flag"]:
        hub["link_flag"] = flag
    for key, value in (("region_code", row["region_code"]), ("industry", row.get("industry"))):
        if hub[key] is None and value:
            hub[key] = value
            if key == "region_code":
                city = city_of(value)
                hub["city_code"] = city.code if city else None
                hub["region_name"] = region_name(value)


def _write_hubs(conn, hubs: dict[str, dict], run_id: int, now: str) -> None:
    existing = {row["id"]: dict(row) for row in conn.execute("SELECT * FROM enterprises")}
    inserts, updates, log = [], [], []
    for enterprise_id, hub in sorted(hubs.items()):
        hub["sources"] = json.dumps(sorted(hub["sources"]), ensure_ascii=False)
        old = existing.get(enterprise_id)
        if old is None:
            inserts.append([enterprise_id, *[hub[c] for c in HUB_COLUMNS], run_id, run_id])
            log.append((run_id, "derive", "enterprises", enterprise_id, "added", None, now))
            continue
        diff = {c: [old[c], hub[c]] for c in HUB_COLUMNS if old[c] != hub[c]}
        if diff:
            updates.append([*[hub[c] for c in HUB_COLUMNS], run_id, enterprise_id])
            log.append(
                (
                    run_id,
                    "derive",
                    "enterprises",
                    enterprise_id,
                    "updated",
                    json.dumps(diff, ensure_ascii=False, sort_keys=True),
                    now,
                )
            )
    columns = ", ".join(("id",) + HUB_COLUMNS + ("first_seen_run", "last_seen_run"))
    conn.executemany(
        f"INSERT INTO enterprises ({columns}) VALUES ({', '.join('?' * (len(HUB_COLUMNS) + 3))})", inserts
    )
    sets = ", ".join(f"{c} = ?" for c in HUB_COLUMNS)
    conn.executemany(f"UPDATE enterprises SET {sets}, last_seen_run = ? WHERE id = ?", updates)
    conn.executemany(
        "INSERT INTO changes (run_id, source_id, table_name, record_id, action, fields, at)"
        " VALUES (?,?,?,?,?,?,?)",
        log,
    )


def link_removals(conn) -> None:
    """Each entry's events from the removal announcements (etl/rules/blacklist.py).

    An announcement applies to the entry with the same 决定书文号, else the same code or name
    listed on the same date, else the only candidate with that code or name listed before it.
    Announcements are applied in date order; a removal's candidates are the entries still
    listed, a restoration's (撤销提前移出、恢复列入) those removed early. `removed_on`,
    `removal_reason` and `removal_doc` keep the latest event that took the entry off the list
    (none after a restoration); `events` keeps them all.

    The candidates are looked up in dictionaries of the entries: one query per announcement
    scanned the whole blacklist (the OR of code and name uses no index)."""
    conn.execute(
        "UPDATE blacklist SET removed_on = NULL, removal_reason = NULL, removal_doc = NULL," " events = NULL"
    )
    entries = conn.execute(
        "SELECT id, decision_no, uscc, subject_name, listed_on, term_end FROM blacklist"
        " WHERE removed_run IS NULL"
    ).fetchall()
    by: dict[str, dict] = {"decision_no": {}, "uscc": {}, "subject_name": {}}
    for entry in entries:
        for column, index in by.items():
            if entry[column] is not None:  # SQL: NULL = anything is never true
                index.setdefault(entry[column], []).append(entry)
    state: dict[str, str] = {}  # entry id -> "removed" (early) | "off" (expired, revoked)
    events: dict[str, list[dict]] = {}

    def one(candidates, restoring: bool) -> str | None:
        wanted = "removed" if restoring else None
        ids = {e["id"] for e in candidates if state.get(e["id"]) == wanted}
        return next(iter(ids)) if len(ids) == 1 else None

    def by_code_or_name(r) -> list:
        return [*by["uscc"].get(r["uscc"], ()), *by["subject_name"].get(r["subject_name"], ())]

    terms = {e["id"]: e["term_end"] or term_end_for(e["listed_on"]) for e in entries}
    for r in conn.execute(
        "SELECT * FROM blacklist_removals WHERE removed_run IS NULL ORDER BY removed_on, id"
    ).fetchall():
        restoring = normalize_removal_reason(r["removal_reason"]) == "恢复列入"
        target = None
        if r["decision_no"]:
            target = one(by["decision_no"].get(r["decision_no"], ()), restoring)
        if target is None and r["listed_on"]:
            target = one((e for e in by_code_or_name(r) if e["listed_on"] == r["listed_on"]), restoring)
        if target is None and r["removed_on"] is not None:
            target = one(
                (
                    e
                    for e in by_code_or_name(r)
                    if e["listed_on"] is not None and e["listed_on"] <= r["removed_on"]
                ),
                restoring,
            )
        if target is None:
            continue
        kind = event_kind(r["removal_reason"], parse_date(r["removed_on"]), parse_date(terms[target]))
        state[target] = {"removal_revoked": None, "removed_early": "removed"}.get(kind, "off")
        events.setdefault(target, []).append(
            {
                "on": r["removed_on"],
                "kind": kind,
                "reason": r["removal_reason"],
                "doc": r["batch"] or r["id"],
                "authority": r["authority"],
            }
        )
    updates = []
    for entry_id, history in events.items():
        last = history[-1]
        off = last["kind"] != "removal_revoked"
        updates.append(
            (
                last["on"] if off else None,
                last["reason"] if off else None,
                last["doc"] if off else None,
                json.dumps(history, ensure_ascii=False),
                entry_id,
            )
        )
    conn.executemany(
        "UPDATE blacklist SET removed_on = ?, removal_reason = ?, removal_doc = ?, events = ?"
        " WHERE id = ?",
        updates,
    )


_PUNCT = re.compile(r"[\s《》〈〉“”\"'（）()〔〕\[\]【】,，。、:：;；-]")


def _key(value: str | None) -> str:
    return _PUNCT.sub("", to_simplified(value or ""))


def link_assessments(conn) -> None:
    """An assessment names its accident report by title or 文号; match after dropping
    punctuation and script differences."""
    accidents = conn.execute("SELECT id, title, doc_no FROM accidents WHERE removed_run IS NULL").fetchall()
    by_doc = {_key(a["doc_no"]): a["id"] for a in accidents if a["doc_no"]}
    by_title = {_key(a["title"]): a["id"] for a in accidents}
    updates = []
    for row in conn.execute("SELECT id, accident_ref, title, doc_no FROM rectification_assessments"):
        ref = _key(row["accident_ref"])
        target = by_doc.get(ref) or by_title.get(ref)
        if target is None and len(ref) >= 6:
            target = next((aid for key, aid in by_title.items() if ref in key or key in ref), None)
        if target is None:
            title = _key(row["title"])
            target = next((aid for key, aid in by_title.items() if key and key in title), None)
        updates.append((target, row["id"]))
    conn.executemany("UPDATE rectification_assessments SET accident_id = ? WHERE id = ?", updates)
