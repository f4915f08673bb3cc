"""Where a major construction project's pre-approval publicity (重大建设项目立项前公示) stands on a
date. The comment period is inclusive of both stated days (etl/rules/periods.py): comments are
still taken on its last day.

Statuses: upcoming (the period starts later), open (within the period; days_left counts the days
after today still in it, 0 on the last day), closed (the period is over and no outcome is
published), decided (an outcome is published on or before the day), unstated (no end day stated:
the announcement gives a length only, e.g. 10个工作日, which depends on holidays, so no day is
computed).
"""

from __future__ import annotations

from datetime import date

LABELS = {
    "upcoming": "即将公示",
    "open": "正在征求意见",
    "closed": "公示期已结束",
    "decided": "已公布结果",
    "unstated": "公示期未载明截止日",
}


def comment_status(
    start: date | None, end: date | None, outcome_on: date | None, has_outcome: bool, day: date
) -> tuple[str, int | None]:
    """(status, days left in the period after `day`, or None)."""
    if has_outcome and (outcome_on is None or outcome_on <= day):
        return "decided", None
    if start is not None and start > day:
        return "upcoming", None
    if end is None:
        return "unstated", None
    if day <= end:
        return "open", (end - day).days
    return "closed", None
