"""Links among the further disclosures, derived after every load (etl/derive.py calls refresh):

- a hazard announcement (销号/摘牌, 约谈, 曝光) belongs to the listed hazard with its 督办文号, else
  to the only listed hazard of the same enterprise (code, else name), narrowed by the hazard text
  when the enterprise has several; an announcement no rule ties to one hazard stays unlinked.
  Each hazard gets its events (JSON, by date) and the first removal's announcement (removal_doc);
- a penalty decision that names the accident it follows (accident_ref) links to the report with
  that 批复文号 or title, else to the only report of the same enterprise on the day the
  accident's name gives (“2024·3·15”, with the year when stated);
- an agency action or report links to the register entry with the same code, else the same
  certificate number, else the same name.
Nothing is linked on a guess: two candidates link to neither.
"""

from __future__ import annotations

import json
import re
import sqlite3

from etl.datasets.common import find_doc_number
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.text import to_halfwidth, to_simplified

_PUNCT = re.compile(r"[\s\"'“”‘’《》〈〉()（）\[\]【】〔〕、，。,.:：;；·•\-—_]+")
# “2024·3·15” / "3·15" / 2024.3.15 in an accident's common name
_NICKNAME = re.compile(r"(?:(\d{4})\s*[·•.．]\s*)?(\d{1,2})\s*[·•.．]\s*(\d{1,2})")


def refresh(conn: sqlite3.Connection) -> None:
    link_hazard_events(conn)
    link_penalty_accidents(conn)
    link_agencies(conn)


def _key(value: str | None) -> str:
    return _PUNCT.sub("", to_simplified(to_halfwidth(value or "", parens=True, punctuation=True))).upper()


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _only(ids) -> str | None:
    found = set(ids)
    return next(iter(found)) if len(found) == 1 else None


def link_hazard_events(conn) -> None:
    hazards = conn.execute(
        "SELECT id, notice_no, uscc, enterprise_name, hazard, listed_on FROM hazards WHERE removed_run IS NULL"
    ).fetchall()
    by_notice: dict[str, list] = {}
    by_party: dict[str, list] = {}
    for h in hazards:
        if h["notice_no"]:
            by_notice.setdefault(_key(h["notice_no"]), []).append(h)
        for party in (h["uscc"], normalize_enterprise_name(h["enterprise_name"])):
            if party:
                by_party.setdefault(_key(party), []).append(h)
    events: dict[str, list[dict]] = {}
    links = []
    for e in conn.execute(
        "SELECT * FROM hazard_events WHERE removed_run IS NULL ORDER BY event_on, id"
    ).fetchall():
        parties = {_key(p) for p in (e["uscc"], normalize_enterprise_name(e["enterprise_name"])) if p}
        candidates = by_notice.get(_key(e["notice_no"]), []) if e["notice_no"] else []
        if candidates and parties:  # a notice lists several hazards: only this enterprise's
            candidates = [
                h
                for h in candidates
                if parties & {_key(h["uscc"]), _key(normalize_enterprise_name(h["enterprise_name"]))}
            ]
        elif not candidates:
            candidates = [h for p in parties for h in by_party.get(p, [])]
        # an announcement is about a hazard already listed when it was made
        candidates = [h for h in candidates if not h["listed_on"] or h["listed_on"] <= e["event_on"]]
        target = _only(h["id"] for h in candidates)
        if target is None and len({h["id"] for h in candidates}) > 1 and e["hazard"]:
            words = _bigrams(_key(e["hazard"]))
            scored = sorted(
                (
                    (len(words & _bigrams(_key(h["hazard"]))), h["id"])
                    for h in {h["id"]: h for h in candidates}.values()
                ),
                reverse=True,
            )
            if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
                target = scored[0][1]
        links.append((target, e["id"]))
        if target is not None:
            events.setdefault(target, []).append(
                {
                    "on": e["event_on"],
                    "kind": e["event"],
                    "title": e["title"],
                    "detail": e["detail"],
                    "authority": e["authority"],
                    "event_id": e["id"],
                }
            )
    conn.executemany("UPDATE hazard_events SET hazard_id = ? WHERE id = ?", links)
    conn.execute("UPDATE hazards SET events = NULL, removal_doc = NULL")
    updates = []
    for hazard_id, history in events.items():
        removal = next((ev for ev in history if ev["kind"] == "removed"), None)
        updates.append(
            (
                json.dumps(history, ensure_ascii=False),
                (removal["title"] or removal["event_id"]) if removal else None,
                hazard_id,
            )
        )
    conn.executemany("UPDATE hazards SET events = ?, removal_doc = ? WHERE id = ?", updates)


def link_penalty_accidents(conn) -> None:
    by_doc: dict[str, set] = {}
    by_title: dict[str, set] = {}
    by_day: dict[str, list[dict]] = {}  # "-MM-DD" -> the reports of accidents on that day
    undated: list[dict] = []
    for row in conn.execute(
        "SELECT id, title, doc_no, occurred_on, enterprise_id, enterprise_name FROM accidents"
        " WHERE removed_run IS NULL"
    ):
        a = dict(row, key=_key(row["title"]))
        if a["doc_no"]:
            by_doc.setdefault(_key(a["doc_no"]), set()).add(a["id"])
        if a["key"]:
            by_title.setdefault(a["key"], set()).add(a["id"])
        if a["occurred_on"]:
            by_day.setdefault(a["occurred_on"][4:10], []).append(a)
        else:
            undated.append(a)
    updates = []
    for p in conn.execute(
        "SELECT id, accident_ref, enterprise_id, party_name, unit, decided_on FROM penalties"
        " WHERE accident_ref IS NOT NULL OR accident_id IS NOT NULL"
    ).fetchall():
        ref = _key(p["accident_ref"])
        target = None
        if ref:
            target = _only(by_doc.get(ref, ())) or _only(by_title.get(ref, ()))
            doc = find_doc_number(p["accident_ref"])
            if target is None and doc and p["enterprise_id"]:
                target = _by_body_doc(conn, doc, p["enterprise_id"])
            if target is None:
                target = _by_nickname(p, by_day, undated)
        updates.append((target, p["id"]))
    conn.executemany("UPDATE penalties SET accident_id = ? WHERE id = ?", updates)


def _by_body_doc(conn, doc: str, enterprise_id: str) -> str | None:
    """The only report of the enterprise whose text cites the 批复文号 (the ETL reads it into
    doc_no only when the metadata block states it)."""
    issuer, rest = doc.split("〔", 1)
    year, serial = rest.split("〕", 1)
    spellings = [f"{issuer}{o}{year}{c}{serial}" for o, c in ("〔〕", "[]", "（）", "()", "［］")]
    found = {
        r["id"]
        for r in conn.execute(
            "SELECT id, body_text FROM accidents WHERE enterprise_id = ? AND removed_run IS NULL",
            (enterprise_id,),
        )
        if any(s in (r["body_text"] or "") for s in spellings)
    }
    return _only(found)


def _by_nickname(penalty, by_day: dict[str, list[dict]], undated: list[dict]) -> str | None:
    """The only report whose title carries the accident's name “[YYYY·]M·D” (dot forms alike),
    else that happened on that day, before the decision, and is the penalised enterprise's (or
    names the person's unit); without the enterprise or the unit, none."""
    found = _NICKNAME.search(to_halfwidth(penalty["accident_ref"] or ""))
    if not found:
        return None
    year, month, day = found.group(1), int(found.group(2)), int(found.group(3))
    wanted = _key(found.group())
    decided = penalty["decided_on"]
    # reports of that day, and undated ones whose title gives the name (some titles leave it out)
    candidates = [
        a
        for a in by_day.get(f"-{month:02d}-{day:02d}", [])
        if (year is None or a["occurred_on"].startswith(year))
        and (decided is None or a["occurred_on"] <= decided)
    ] + [a for a in undated if wanted in a["key"]]
    own = [
        a for a in candidates if penalty["enterprise_id"] and a["enterprise_id"] == penalty["enterprise_id"]
    ]
    if own:
        return _only(a["id"] for a in own)
    unit = _key(normalize_enterprise_name(penalty["unit"] or "")) if penalty["unit"] else ""
    if unit:
        named = [a for a in candidates if unit in a["key"] or unit == _key(a["enterprise_name"])]
        if named:
            return _only(a["id"] for a in named)
    return None  # a name and a day alone do not say whose accident it was


def link_agencies(conn) -> None:
    register = conn.execute(
        "SELECT id, uscc, certificate_no, name FROM agencies WHERE removed_run IS NULL"
    ).fetchall()
    index: dict[tuple[str, str], list[str]] = {}
    for a in register:
        for kind, value in (
            ("code", a["uscc"]),
            ("cert", a["certificate_no"]),
            ("name", normalize_enterprise_name(a["name"])),
        ):
            if value:
                index.setdefault((kind, _key(value)), []).append(a["id"])

    def find(code, cert, name) -> str | None:
        for kind, value in (("code", code), ("cert", cert), ("name", normalize_enterprise_name(name or ""))):
            if value:
                hit = _only(index.get((kind, _key(value)), []))
                if hit:
                    return hit
        return None

    conn.executemany(
        "UPDATE agency_actions SET agency_id = ? WHERE id = ?",
        [
            (find(r["uscc"], r["certificate_no"], r["agency_name"]), r["id"])
            for r in conn.execute("SELECT id, uscc, certificate_no, agency_name FROM agency_actions")
        ],
    )
    conn.executemany(
        "UPDATE agency_reports SET agency_id = ? WHERE id = ?",
        [
            (find(r["agency_uscc"], None, r["agency_name"]), r["id"])
            for r in conn.execute("SELECT id, agency_uscc, agency_name FROM agency_reports")
        ],
    )
