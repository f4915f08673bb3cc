"""etl/rules: grades (条例第三条), rectification windows (甘肃 评估办法第四条), blacklist status
(应急管理部令第11号). All status functions take the as-of date."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from etl.rules.blacklist import (blacklist_status, normalize_removal_reason, publicity_active,
                                 term_end_for)
from etl.rules.grades import GRADES, compute_grade, grade_mismatch, normalize_grade
from etl.rules.rectification import STATUS_LABELS, add_months, assessment_status, assessment_window

WAN = 10_000


# --- grades: inclusive lower bounds, any one criterion, highest wins (domain.md §1) ---------
@pytest.mark.parametrize("deaths, serious, loss, grade", [
    (0, 0, 0, "一般"), (2, None, None, "一般"), (3, None, None, "较大"), (9, None, None, "较大"),
    (10, None, None, "重大"), (29, None, None, "重大"), (30, None, None, "特别重大"),
    (None, 9, None, "一般"), (None, 10, None, "较大"), (None, 49, None, "较大"),
    (None, 50, None, "重大"), (None, 99, None, "重大"), (None, 100, None, "特别重大"),
    (None, None, 999.99 * WAN, "一般"), (None, None, 1000 * WAN, "较大"),
    (None, None, 4999.99 * WAN, "较大"), (None, None, 5000 * WAN, "重大"),
    (None, None, 9999.99 * WAN, "重大"), (None, None, 10000 * WAN, "特别重大"),
    (None, None, 4190.45 * WAN, "较大"),
    (2, 9, 999 * WAN, "一般"), (2, 10, 0, "较大"), (1, 0, 5100 * WAN, "重大"),
    (31, 0, 0, "特别重大"), (None, None, None, None),
])
def test_compute_grade(deaths, serious, loss, grade):
    assert compute_grade(deaths, serious, loss) == grade


@pytest.mark.parametrize("raw, grade", [
    ("一般事故", "一般"), ("较大生产安全事故", "较大"), ("重大", "重大"), ("特别重大事故", "特别重大"),
    ("特別重大", "特别重大"), ("較大", "较大"), (" 一般 ", "一般"), ("特大事故", None), ("", None),
    (None, None), ("Ⅳ级", None),
])
def test_normalize_grade(raw, grade):
    assert normalize_grade(raw) == grade


def test_grades_are_ordered():
    assert GRADES == ["一般", "较大", "重大", "特别重大"]


@pytest.mark.parametrize("stated, computed, complete, expected", [
    ("较大", "较大", True, False), ("一般生产安全事故", "一般", True, False),
    ("一般", "较大", True, True), ("重大", "较大", True, True),
    ("重大", "较大", False, None),   # a missing figure could explain a higher stated grade
    ("一般", "较大", False, True),   # a lower stated grade is wrong whatever is missing
    (None, "一般", True, None), ("一般", None, True, None),
])
def test_grade_mismatch(stated, computed, complete, expected):
    assert grade_mismatch(stated, computed, inputs_complete=complete) is expected


# --- rectification assessment window (domain.md §2) ----------------------------------------
@pytest.mark.parametrize("approved, start, end", [
    (date(2020, 3, 15), date(2021, 1, 15), date(2021, 3, 15)),
    (date(2020, 1, 31), date(2020, 11, 30), date(2021, 1, 31)),   # month end clamps
    (date(2019, 4, 30), date(2020, 2, 29), date(2020, 4, 30)),    # leap year
    (date(2020, 2, 29), date(2020, 12, 29), date(2021, 2, 28)),
])
def test_assessment_window(approved, start, end):
    assert assessment_window(approved) == (start, end)


APPROVED = date(2020, 3, 15)


@pytest.mark.parametrize("as_of, assessed_on, status", [
    (date(2020, 6, 1), None, "not_due"),
    (date(2021, 1, 14), None, "not_due"),
    (date(2021, 1, 15), None, "due"),
    (date(2021, 3, 15), None, "due"),
    (date(2021, 3, 16), None, "overdue"),
    (date(2021, 2, 1), date(2021, 1, 20), "assessed"),
    (date(2021, 6, 1), date(2021, 5, 1), "assessed"),   # late, but published
    (date(2021, 1, 10), date(2021, 1, 20), "not_due"),  # published after as_of: not yet
])
def test_assessment_status(as_of, assessed_on, status):
    result = assessment_status(APPROVED, assessed_on, "基本落实", as_of)
    assert result["status"] == status
    assert result["label_zh"] == STATUS_LABELS[status]
    assert (result["window_start"], result["window_end"]) == assessment_window(APPROVED)
    assert result["result"] == ("基本落实" if status == "assessed" else None)


def test_assessment_status_unknown_without_approval():
    result = assessment_status(None, None, None, date(2021, 1, 1))
    assert result["status"] == "unknown" and result["window_start"] is None


def test_add_months_saturates_at_the_calendar_end():
    assert add_months(date(9999, 6, 1), 12) == date.max
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)


def test_labels_are_chinese():
    assert STATUS_LABELS["overdue"] == "逾期未公开评估" and STATUS_LABELS["due"] == "评估期内"


# --- blacklist (应急管理部令第11号, domain.md §3) -------------------------------------------
LISTED = date(2023, 10, 1)


def test_term_end_defaults_to_three_years():
    assert term_end_for(LISTED) == date(2026, 10, 1)
    assert term_end_for("2023-10-01") == "2026-10-01"
    assert term_end_for("2024-02-29") == "2027-02-28"
    assert term_end_for(None) is None


@pytest.mark.parametrize("as_of, removed_on, reason, status, in_force", [
    (date(2023, 9, 30), None, None, "unknown", False),   # before listing
    (date(2023, 10, 1), None, None, "active", True),
    (date(2026, 9, 30), None, None, "active", True),
    (date(2026, 10, 1), None, None, "expired", False),
    (date(2025, 1, 1), date(2024, 11, 1), "信用修复", "removed", False),
    (date(2025, 1, 1), date(2024, 11, 1), "申请提前移出", "removed", False),
    (date(2024, 10, 1), date(2024, 11, 1), "信用修复", "active", True),  # removal still ahead
    (date(2025, 1, 1), date(2024, 3, 1), "依法撤销列入决定", "revoked", False),
    (date(2027, 1, 1), date(2026, 10, 1), "管理期限届满", "expired", False),
    (date(2027, 1, 1), date(2026, 10, 1), None, "expired", False),
    (date(2025, 1, 1), date(2024, 12, 1), None, "removed", False),
])
def test_blacklist_status(as_of, removed_on, reason, status, in_force):
    result = blacklist_status(LISTED, None, removed_on, reason, as_of)
    assert result["status"] == status
    assert result["in_force"] is in_force
    assert result["early_removal_from"] == date(2024, 10, 1)   # 12 months after listing
    assert result["term_end"] == date(2026, 10, 1)
    assert result["label_zh"]


def test_blacklist_status_uses_given_term_and_strings():
    result = blacklist_status("2023-10-01", "2024-12-31", None, None, date(2025, 1, 1))
    assert result["status"] == "expired" and result["term_end"] == date(2024, 12, 31)
    assert blacklist_status(None, None, None, None, date(2025, 1, 1))["status"] == "unknown"


@pytest.mark.parametrize("raw, reason", [
    ("期满移出", "期满"), ("管理期限届满", "期满"), ("3年期满自动移出", "期满"),
    ("信用修复", "信用修复"), ("经信用修复提前移出", "信用修复"), ("申请移出", "信用修复"),
    ("撤销列入", "撤销"), ("行政复议撤销", "撤销"), ("错误列入予以纠正", "撤销"),
    ("其他", None), ("", None), (None, None),
])
def test_normalize_removal_reason(raw, reason):
    assert normalize_removal_reason(raw) == reason


@pytest.mark.parametrize("start, end, as_of, active", [
    (date(2024, 1, 1), date(2024, 12, 31), date(2024, 6, 1), True),
    (date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31), True),
    (date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1), False),
    (date(2024, 1, 1), date(2024, 12, 31), date(2023, 12, 31), False),
    (date(2024, 1, 1), None, date(2030, 1, 1), True),
    (None, date(2024, 12, 31), date(2024, 1, 1), True),
    ("2024-01-01", "2024-12-31", date(2024, 6, 1), True),
    (None, None, date(2024, 1, 1), None),
])
def test_publicity_active(start, end, as_of, active):
    assert publicity_active(start, end, as_of) is active


@settings(max_examples=300, deadline=500)
@given(st.dates(), st.dates(), st.none() | st.dates(), st.none() | st.text(max_size=8))
def test_status_functions_never_crash(listed, as_of, removed, reason):
    assert blacklist_status(listed, None, removed, reason, as_of)["status"] in (
        "active", "expired", "removed", "revoked", "unknown")
    assert assessment_status(listed, removed, reason, as_of)["status"] in STATUS_LABELS


@settings(max_examples=300, deadline=500)
@given(st.none() | st.integers(0, 200), st.none() | st.integers(0, 300),
       st.none() | st.floats(0, 1e9, allow_nan=False))
def test_grade_is_monotonic(deaths, serious, loss):
    grade = compute_grade(deaths, serious, loss)
    more = compute_grade(None if deaths is None else deaths + 1, serious, loss)
    if grade is not None:
        assert GRADES.index(more) >= GRADES.index(grade)
