"""The status of a 重大事故隐患 under listed supervision (挂牌督办) as of a date.

《中华人民共和国安全生产法》第四十一条 makes the departments build a 重大事故隐患治理督办制度, and
第六十五条 lets production resume only after a 重大事故隐患 is removed and the removal examined and
approved (审查同意): a hazard therefore stays listed until the authority announces its removal
(销号/摘牌), whatever its deadline. The deadline (整改期限) is the last day given for the work,
inclusive (etl/rules/periods.py): on the deadline day a listed hazard is still within its time.

Statuses: supervised (listed, within its deadline or none stated), overdue (the deadline has passed
and no removal has been announced), removed (a removal dated on or before the day), future (listed
after the day: not known yet, not published).
"""

from __future__ import annotations

from datetime import date

LABELS = {
    "supervised": "挂牌督办中",
    "overdue": "逾期未见销号公告",
    "removed": "已销号（摘牌）",
    "future": "尚未挂牌",
}
EVENT_LABELS = {"removed": "销号（摘牌）", "interview": "约谈", "exposure": "公开曝光"}


def hazard_status(listed_on: date | None, deadline: date | None, removed_on: date | None, as_of: date) -> str:
    if listed_on is not None and listed_on > as_of:
        return "future"
    if removed_on is not None and removed_on <= as_of:
        return "removed"
    if deadline is not None and deadline < as_of:
        return "overdue"
    return "supervised"
