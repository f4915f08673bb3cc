"""Public-filter rules for the disclosures beyond accidents and credit (etl/public.py rule 11):
重大事故隐患挂牌督办, 行政处罚决定 and 双随机抽查结果, 安全评价/检测检验机构 with their actions and
reports, and 重大建设项目立项前公示. Each function takes the build and one internal row and returns
the public row, with the columns of COMPUTED worked out as of the build date.

- hazards: status (etl/rules/hazards.py), the effective removal (stated, else the first removal
  announcement), city, exposure count; a hazard listed after the date is not public yet.
- penalties: the publicity period of credit records (etl/rules/publicity.py; 《中华人民共和国安全
  生产法》第七十八条第二款 makes penalty decisions public, 《中华人民共和国行政处罚法》第四十八条);
  outside it only the non-identifying fields stay, as for credit records (rule 4).
- agency_actions: an action against an agency is an administrative penalty or a 失信 listing:
  the same publicity period (a listing's stated end is its own), de-identified outside it;
- agencies: qualification status and the day it ended (etl/rules/agencies.py); agency_reports:
  the agency's status on the day the report was issued and whether the qualification had ended.
- projects: where the comment period stands (etl/rules/projects.py).
"""

from __future__ import annotations

import json
from functools import lru_cache

from etl.normalize.regions import city_of
from etl.rules import agencies as agency_rules
from etl.rules import hazards as hazard_rules
from etl.rules import projects as project_rules
from etl.rules.periods import iso_day
from etl.rules.publicity import publicity

TABLES = (
    "hazards",
    "hazard_events",
    "penalties",
    "inspections",
    "agencies",
    "agency_actions",
    "agency_reports",
    "projects",
)
COMPUTED = {
    "hazards": (
        ("status", "TEXT"),
        ("status_zh", "TEXT"),
        ("city_code", "TEXT"),
        ("city_name", "TEXT"),
        ("exposure_count", "INTEGER"),
        ("events_zh", "TEXT"),
    ),
    "penalties": (
        ("publicity_start", "TEXT"),
        ("publicity_end", "TEXT"),
        ("publicity_active", "INTEGER"),
        ("publicity_end_stated", "INTEGER"),
        ("publicity_class", "TEXT"),
        ("publicity_rule", "TEXT"),
        ("publicity_basis_zh", "TEXT"),
        ("city_code", "TEXT"),
        ("city_name", "TEXT"),
    ),
    "inspections": (("city_code", "TEXT"), ("city_name", "TEXT")),
    "agency_actions": (
        ("publicity_start", "TEXT"),
        ("publicity_end", "TEXT"),
        ("publicity_active", "INTEGER"),
        ("publicity_end_stated", "INTEGER"),
        ("publicity_class", "TEXT"),
        ("publicity_rule", "TEXT"),
        ("publicity_basis_zh", "TEXT"),
    ),
    "agencies": (
        ("qualification_status", "TEXT"),
        ("qualification_status_zh", "TEXT"),
        ("qualification_end", "TEXT"),
    ),
    "agency_reports": (
        ("agency_status_at_issue", "TEXT"),
        ("agency_status_at_issue_zh", "TEXT"),
        ("issued_after_qualification_end", "INTEGER"),
    ),
    "projects": (
        ("comment_status", "TEXT"),
        ("comment_status_zh", "TEXT"),
        ("days_left", "INTEGER"),
        ("city_code", "TEXT"),
        ("city_name", "TEXT"),
    ),
}
# What a record outside its publicity period keeps (etl/public.py rule 4): its period and basis.
PUBLICITY_KEEP = (
    "publicity_start",
    "publicity_end",
    "publicity_active",
    "publicity_end_stated",
    "publicity_class",
    "publicity_rule",
    "publicity_basis_zh",
)
PENALTY_KEEP = ("party_type", "authority", "decided_on") + PUBLICITY_KEEP
ACTION_KEEP = ("action", "violation", "authority", "decided_on") + PUBLICITY_KEEP
# The words of an action code, for the publicity class when the source prints no measure.
ACTION_WORDS = {
    "suspended": "暂停资质",
    "revoked": "撤销资质",
    "dishonest": "严重失信",
    "fined": "罚款",
    "warning": "警告",
}


def _city(row: dict) -> dict:
    code, name = _city_of(row.get("region_code"))
    return {"city_code": code, "city_name": name}


@lru_cache(maxsize=None)
def _city_of(region_code: str | None) -> tuple[str | None, str | None]:
    """(市州 code, name) of a region code, once per code: every row of a table asks."""
    city = city_of(region_code) if region_code else None
    return (city.code, city.name) if city else (None, None)


def _events(value) -> list[dict]:
    """The events JSON etl/derive_disclosures.py writes; anything else counts as none."""
    try:
        events = json.loads(value) if value else []
    except ValueError:
        return []
    return (
        [e for e in events if isinstance(e, dict) and e.get("on") and e.get("kind")]
        if isinstance(events, list)
        else []
    )


def hazard(build, row: dict) -> dict | None:
    known = [e for e in _events(row.get("events")) if e["on"] <= build.as_of.isoformat()]
    removals = [e["on"] for e in known if e["kind"] == "removed"]
    removed_on = row["removed_on"] or (removals[0] if removals else None)
    status = hazard_rules.hazard_status(
        iso_day(row["listed_on"]), iso_day(row["deadline"]), iso_day(removed_on), build.as_of
    )
    if status == "future":
        return None
    row.update(
        status=status,
        status_zh=hazard_rules.LABELS[status],
        removed_on=removed_on if status == "removed" else None,
        exposure_count=sum(e["kind"] in ("exposure", "interview") for e in known),
        events=json.dumps(known, ensure_ascii=False) if known else None,
        events_zh="；".join(f"{e['on']} {hazard_rules.EVENT_LABELS.get(e['kind'], e['kind'])}" for e in known)
        or None,
        **_city(row),
    )
    return row


def hazard_event(build, row: dict) -> dict | None:
    """An announcement dated after the date is not known yet."""
    return None if (row["event_on"] or "") > build.as_of.isoformat() else row


def penalty(build, row: dict, stopped) -> dict:
    period = publicity(iso_day(row["decided_on"]), None, None, "行政处罚", row["penalty"], build.as_of)
    row.update(**_publicity_columns(period), **_city(row))
    return row if period["active"] else stopped(row, PENALTY_KEEP, "party_name")


def _publicity_columns(period: dict) -> dict:
    return {
        "publicity_start": period["start"].isoformat() if period["start"] else None,
        "publicity_end": period["end"].isoformat() if period["end"] else None,
        "publicity_end_stated": int(period["end_stated"]),
        "publicity_class": period["class"],
        "publicity_rule": period["rule"],
        "publicity_basis_zh": period["basis_zh"],
        "publicity_active": int(bool(period["active"])),
    }


def agency_action(build, row: dict, stopped) -> dict:
    listing = row["action"] == "dishonest"
    period = publicity(
        iso_day(row["decided_on"]),
        iso_day(row["start_on"]) if listing else None,
        iso_day(row["end_on"]) if listing else None,
        "行政处罚",
        row.get("measure") or ACTION_WORDS.get(row["action"]),
        build.as_of,
    )
    row.update(_publicity_columns(period))
    return row if period["active"] else stopped(row, ACTION_KEEP, "agency_name")


def inspection(build, row: dict) -> dict:
    row.update(_city(row))
    return row


def _actions(build) -> dict[str, list[tuple]]:
    """agency id -> its actions (code, decided_on, start_on, end_on) known on the build date."""
    cached = build.cache.get("agency_actions")
    if cached is None:
        cached = {}
        for r in build.src.execute(
            "SELECT agency_id, action, decided_on, start_on, end_on FROM agency_actions"
            " WHERE agency_id IS NOT NULL AND removed_run IS NULL ORDER BY decided_on, id"
        ):
            decided = iso_day(r["decided_on"])
            if decided is not None and decided <= build.as_of:
                cached.setdefault(r["agency_id"], []).append(
                    (r["action"], decided, iso_day(r["start_on"]), iso_day(r["end_on"]))
                )
        build.cache["agency_actions"] = cached
    return cached


def _agency_rows(build) -> dict[str, dict]:
    cached = build.cache.get("agencies")
    if cached is None:
        cached = {
            r["id"]: dict(r)
            for r in build.src.execute(
                "SELECT id, valid_until, status_stated FROM agencies WHERE removed_run IS NULL"
            )
        }
        build.cache["agencies"] = cached
    return cached


def agency(build, row: dict) -> dict:
    status, ended = agency_rules.qualification_status(
        iso_day(row["valid_until"]), row["status_stated"], _actions(build).get(row["id"], []), build.as_of
    )
    row.update(
        qualification_status=status,
        qualification_status_zh=agency_rules.LABELS[status],
        qualification_end=ended.isoformat() if ended else None,
    )
    return row


def agency_report(build, row: dict) -> dict:
    found = _agency_rows(build).get(row["agency_id"]) if row.get("agency_id") else None
    issued = iso_day(row["issued_on"])
    if found is None or issued is None:
        status = None
    else:
        status = agency_rules.status_at_issue(
            iso_day(found["valid_until"]),
            found["status_stated"],
            _actions(build).get(found["id"], []),
            issued,
        )
    row.update(
        agency_status_at_issue=status,
        agency_status_at_issue_zh=agency_rules.LABELS.get(status),
        issued_after_qualification_end=None if status is None else int(status in agency_rules.ENDED),
    )
    return row


def project(build, row: dict) -> dict:
    status, left = project_rules.comment_status(
        iso_day(row["comment_start"]),
        iso_day(row["comment_end"]),
        iso_day(row["outcome_on"]),
        bool(row.get("outcome")),
        build.as_of,
    )
    row.update(
        comment_status=status,
        comment_status_zh=project_rules.LABELS[status],
        days_left=left,
        **_city(row),
    )
    return row
