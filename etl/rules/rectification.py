"""The rectification assessment (整改措施落实情况评估) due window and status.

Gansu: "评估工作应在事故调查报告批复之日后10个月至1年内组织开展" (甘肃省…评估办法 第四条), i.e.
counted from the 批复 date; nationally 安委办〔2021〕4号 第三条 says 结案后10个月至1年内
(shared/domain.md §2). 安全生产法 第八十六条 requires the result to be published.
"""
from __future__ import annotations

import calendar
from datetime import date

STATUS_LABELS = {"not_due": "未到期", "due": "评估期内", "overdue": "逾期未公开评估",
                 "assessed": "已评估", "unknown": "未知"}


def add_months(d: date, months: int) -> date:
    """Calendar months later; the day is clamped to the month's end (1月31日 + 1 → 2月28/29日)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    if not 1 <= year <= 9999:  # beyond the calendar (bad input): saturate instead of failing
        return date.max if year > 9999 else date.min
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def assessment_window(approved_on: date) -> tuple[date, date]:
    """(start, end) = 批复 + 10 months, 批复 + 12 months, both inclusive."""
    return add_months(approved_on, 10), add_months(approved_on, 12)


def assessment_status(approved_on: date | None, assessed_on: date | None, result: str | None,
                      as_of: date) -> dict:
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
    elif as_of <= end:
        status = "due"
    else:
        status = "overdue"
    return {"status": status, "label_zh": STATUS_LABELS[status], "window_start": start,
            "window_end": end, "result": result if status == "assessed" else None}
