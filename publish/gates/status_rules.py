"""The statuses gate: every blacklist, rectification, hazard, project, penalty and agency status
recomputed with etl/rules for the as-of date must agree with what the public database shows."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from etl.rules.blacklist import blacklist_status
from etl.rules.hazards import hazard_status
from etl.rules.projects import comment_status
from etl.rules.rectification import assessment_status
from publish.gates.result import GateResult, limit


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
    result.problems = limit(result.problems)
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
