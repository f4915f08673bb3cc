"""The one date-range convention of the system.

A range is inclusive of both stated days: an entry "管理期限至 2026-10-09" is in force on
2026-10-09 and not on 2026-10-10, and a publicity period "2024-01-01 至 2024-12-31" covers
both days. The site, Datasette (SQL `between`), the publish gates and the canned queries all
compare this way.

A period stated as a length ("管理期限为3年", "公示期6个月") is counted as 《中华人民共和国民法典》
第二百零一条 and 第二百零二条 count periods: the starting day is not counted, and the period's
last day is the corresponding day of the final month, or that month's last day when it has no
such day. So a 3-year period from 2023-10-10 ends on (and includes) 2026-10-10, and
"满12个月" after 2023-10-10 is reached once 2024-10-10 has passed.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    """Calendar months later; the day is clamped to the month's end (1月31日 + 1 → 2月28/29日),
    as 民法典 第二百零二条 does for a final month without a corresponding day."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    if not 1 <= year <= 9999:  # beyond the calendar (bad input): saturate instead of failing
        return date.max if year > 9999 else date.min
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def last_day(start: date, months: int) -> date:
    """The last day (inclusive) of a period of `months` calendar months starting on `start`
    (民法典 第二百零一条、第二百零二条)."""
    return add_months(start, months)


def completed_from(start: date, months: int) -> date:
    """The first day on which a period of `months` months from `start` is complete ("满N个月"):
    the day after its last day."""
    end = last_day(start, months)
    return end if end == date.max else end + timedelta(days=1)


def covers(start: date | None, end: date | None, day: date) -> bool:
    """Whether the range start..end, both days inclusive, contains `day`; an unknown end is
    open, an unknown start too."""
    return (start is None or start <= day) and (end is None or day <= end)


def iso_day(value) -> date | None:
    """A stored date (ISO text, a timestamp's date part, or a date) as a date; None when empty or
    not a date."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
