"""重大建设项目立项前公示: the announcement of a project's safety risks before approval, with the
comment period and how to comment, and the outcome where a later list publishes it.

The comment period is read from start/end columns, or from the period as printed: two days
(2026年11月20日至2026年12月4日; an end without a year takes the start's year), or a start only
(自2026年12月1日起10个工作日). A period given as a length only (公示期为10个工作日) has no end
day: working days depend on the holiday calendar, so comment_end stays NULL and the printed text
is kept. comment_channel is narrative: a phone number in it is masked like everywhere.
"""

from __future__ import annotations

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

TABLE = "projects"

_RANGE_TAIL = re.compile(r"(?:至|到|—|－|-|~|～)\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_FROM_PUBLICATION = re.compile(r"自本?(?:公示|公告)?(?:发布|公布)?之日起")


def comment_period(value: str | None, announced_on: str | None) -> tuple[str | None, str | None]:
    """(start, end) of a comment period as printed; None where the text gives no day."""
    if not value:
        return None, None
    half = to_halfwidth(value)
    days = [d.value for d in find_dates(half)]
    if len(days) >= 2:
        return days[0].isoformat(), days[-1].isoformat()
    if len(days) == 1:
        start = days[0]
        tail = _RANGE_TAIL.search(half, half.find("日") + 1)
        if tail:
            month, day = int(tail.group(1)), int(tail.group(2))
            try:
                end = date(start.year, month, day)
                if end < start:
                    end = date(start.year + 1, month, day)
            except ValueError:
                raise Reject(f"无法识别的日期：公示期「{value}」") from None
            return start.isoformat(), end.isoformat()
        return start.isoformat(), None
    if _FROM_PUBLICATION.search(half) and announced_on:
        return announced_on, None
    return None, None


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    project = required(fields, "project_name", "项目名称")
    builder = enterprise_name(fields, "builder", "建设单位")
    announced_on = checked_date(fields, "announced_on", "发布日期")
    start = checked_date(fields, "comment_start", "公示开始日期")
    end = checked_date(fields, "comment_end", "公示截止日期", last=True)
    period = text(fields, "comment_period")
    if period and not (start or end):
        start, end = comment_period(period, announced_on)
    number = text(fields, "announcement_no")
    number = find_doc_number(number) or (to_halfwidth(number) if number else None)
    row = {
        "id": stable_id("prj", ctx.spec.id, number or "", project, builder),
        "announcement_no": number,
        "project_name": project,
        "builder": builder,
        "uscc": uscc(fields, "uscc"),
        "location": free_text(fields, "location"),
        "region_code": region_of(fields, ctx, "region", "location"),
        "industry": sector_from_register(text(fields, "industry")),
        "main_hazards": free_text(fields, "main_hazards"),
        "safety_measures": free_text(fields, "safety_measures"),
        "announced_on": announced_on,
        "comment_start": start,
        "comment_end": end,
        "comment_channel": free_text(fields, "comment_channel"),
        "outcome": free_text(fields, "outcome"),
        "outcome_on": checked_date(fields, "outcome_on", "结果公布日期"),
        "comment_period": period,  # as printed; the only record of a period given as a length
    }
    return {TABLE: [row]}
