"""重大事故隐患挂牌督办 listings: one row per listed hazard.

A listing states the enterprise, the hazard, who supervises it and the deadline (整改期限). A
deadline of 立即整改 (or no date at all in words such as 立行立改) is no date: the row keeps a
NULL deadline instead of being rejected. removed_on is only what the listing itself states (a
市州 list's 销号时间 column); removals announced separately come from hazard_events
(etl/derive.py).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from etl.datasets.common import (
    Context,
    Reject,
    checked_date,
    enterprise_name,
    find_doc_number,
    free_text,
    region_of,
    required,
    stable_id,
    text,
    uscc,
)
from etl.extract.industry import sector_from_register
from etl.normalize.dates import find_dates
from etl.normalize.text import to_halfwidth

TABLE = "hazards"

# Deadlines that give no day: rectify at once.
NO_DAY_WORDS = ("立即", "立行立改", "即查即改", "马上", "随查随改")
_MONTH_END = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:底|末)")


def deadline(fields: dict, key: str = "deadline", label: str = "整改期限") -> str | None:
    """整改期限 as a day: a date (2025年6月30日前 is 2025-06-30), the last day of a month for
    2026年6月底前, None for 立即整改; other text that gives no day is rejected."""
    value = text(fields, key)
    if not value:
        return None
    half = to_halfwidth(value)
    if not find_dates(half):
        month_end = _MONTH_END.search(half)
        if month_end:
            year, month = int(month_end.group(1)), int(month_end.group(2))
            if 1 <= month <= 12:
                return date(year, month, calendar.monthrange(year, month)[1]).isoformat()
        if any(word in half for word in NO_DAY_WORDS):
            return None
    return checked_date({key: half}, key, label, last=True)


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    name = enterprise_name(fields, "enterprise_name", "企业名称")
    required(fields, "hazard", "重大事故隐患内容")
    hazard = free_text(fields, "hazard")
    listed_on = checked_date(fields, "listed_on", "挂牌日期")
    if not listed_on:
        raise Reject("缺少必填字段：挂牌日期（listed_on）")
    # The notice's 文号: a column, else the title of the announcement the table is on.
    notice_no = find_doc_number(text(fields, "notice_no")) or text(fields, "notice_no")
    notice_no = notice_no or find_doc_number(fields.get("_page_title"))
    row = {
        "id": stable_id("hz", ctx.spec.id, notice_no or "", name, listed_on, hazard),
        "notice_no": notice_no,
        "enterprise_name": name,
        "uscc": uscc(fields, "uscc"),
        "region_code": region_of(fields, ctx, "region", "location"),
        "location": free_text(fields, "location"),
        "industry": sector_from_register(text(fields, "industry")),
        "hazard": hazard,
        "supervising_authority": text(fields, "supervising_authority"),
        "responsible_authority": text(fields, "responsible_authority"),
        "listed_on": listed_on,
        "deadline": deadline(fields),
        "removed_on": checked_date(fields, "removed_on", "销号日期"),
    }
    return {TABLE: [row]}
