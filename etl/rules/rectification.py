"""The rectification assessment (整改措施落实情况评估) due window and status.

Gansu: 《甘肃省生产安全事故防范和整改措施落实情况评估办法》第四条 has the assessment organised
within 10 months to 1 year after the day the investigation report was approved (批复), so the
window is counted from the 批复 date; nationally 《生产安全事故防范和整改措施落实情况评估办法》
(安委办〔2021〕4号) 第三条 counts 10 months to 1 year from 结案. 《中华人民共和国安全生产法》
第八十六条 requires the assessment result to be published.
"""

from __future__ import annotations

from datetime import date

from etl.rules.periods import add_months, covers, last_day

STATUS_LABELS = {
    "not_due": "未到期",
    "due": "评估期内",
    "overdue": "逾期未公开评估",
    "assessed": "已评估",
    "unknown": "未知",
}


def assessment_window(approved_on: date) -> tuple[date, date]:
    """(start, end) = 批复 + 10 months, 批复 + 12 months, both days inclusive (etl/rules/periods.py)."""
    return add_months(approved_on, 10), last_day(approved_on, 12)


def assessment_status(
    approved_on: date | None, assessed_on: date | None, result: str | None, as_of: date
) -> dict:
    """Status as of a date: not_due (before the window), due (inside it), overdue (after it with
    no published assessment), assessed (an assessment published on or before as_of)."""
    start = end = None
    if approved_on is not None:
        start, end = assessment_window(approved_on)
    if assessed_on is not None and assessed_on <= as_of:
        status = "assessed"
    elif approved_on is None:
        status = "unknown"
    elif as_of < start:
        status = "not_due"
    elif covers(start, end, as_of):
        status = "due"
    else:
        status = "overdue"
    return {
        "status": status,
        "label_zh": STATUS_LABELS[status],
        "window_start": start,
        "window_end": end,
        "result": result if status == "assessed" else None,
    }
