"""etl/rules: grades (条例第三条), rectification windows (甘肃 评估办法第四条), blacklist status
(应急管理部令第11号). All status functions take the as-of date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.rules import catalogue
from etl.rules.blacklist import (
    REGIMES,
    blacklist_status,
    event_kind,
    normalize_removal_reason,
    publicity_active,
    regime_for,
    term_end_for,
)
from etl.rules.blacklist import STATUS_LABELS as BL_LABELS
from etl.rules.grades import GRADES, compute_grade, grade_mismatch, normalize_grade
from etl.rules.publicity import PERIOD_RULES, penalty_class, rating_status
from etl.rules.rectification import STATUS_LABELS, add_months, assessment_status, assessment_window

WAN = 10_000


# --- grades: inclusive lower bounds, any one criterion, highest wins (条例 第三条) -------------
@pytest.mark.parametrize(
    "deaths, serious, loss, grade",
    [
        (0, 0, 0, "一般"),
        (2, None, None, "一般"),
        (3, None, None, "较大"),
        (9, None, None, "较大"),
        (10, None, None, "重大"),
        (29, None, None, "重大"),
        (30, None, None, "特别重大"),
        (None, 9, None, "一般"),
        (None, 10, None, "较大"),
        (None, 49, None, "较大"),
        (None, 50, None, "重大"),
        (None, 99, None, "重大"),
        (None, 100, None, "特别重大"),
        (None, None, 999.99 * WAN, "一般"),
        (None, None, 1000 * WAN, "较大"),
        (None, None, 4999.99 * WAN, "较大"),
        (None, None, 5000 * WAN, "重大"),
        (None, None, 9999.99 * WAN, "重大"),
        (None, None, 10000 * WAN, "特别重大"),
        (None, None, 4190.45 * WAN, "较大"),
        (2, 9, 999 * WAN, "一般"),
        (2, 10, 0, "较大"),
        (1, 0, 5100 * WAN, "重大"),
        (31, 0, 0, "特别重大"),
        (None, None, None, None),
    ],
)
def test_compute_grade(deaths, serious, loss, grade):
    assert compute_grade(deaths, serious, loss) == grade


@pytest.mark.parametrize(
    "raw, grade",
    [
        ("一般事故", "一般"),
        ("较大生产安全事故", "较大"),
        ("重大", "重大"),
        ("特别重大事故", "特别重大"),
        ("特別重大", "特别重大"),
        ("較大", "较大"),
        (" 一般 ", "一般"),
        ("特大事故", None),
        ("", None),
        (None, None),
        ("Ⅳ级", None),
    ],
)
def test_normalize_grade(raw, grade):
    assert normalize_grade(raw) == grade


def test_grades_are_ordered():
    assert GRADES == ["一般", "较大", "重大", "特别重大"]


@pytest.mark.parametrize(
    "stated, computed, complete, expected",
    [
        ("较大", "较大", True, False),
        ("一般生产安全事故", "一般", True, False),
        ("一般", "较大", True, True),
        ("重大", "较大", True, True),
        ("重大", "较大", False, None),  # a missing figure could explain a higher stated grade
        ("一般", "较大", False, True),  # a lower stated grade is wrong whatever is missing
        (None, "一般", True, None),
        ("一般", None, True, None),
    ],
)
def test_grade_mismatch(stated, computed, complete, expected):
    assert grade_mismatch(stated, computed, inputs_complete=complete) is expected


# --- rectification assessment window (甘肃省…评估办法 第四条: 10 months to 1 year after 批复) ---
@pytest.mark.parametrize(
    "approved, start, end",
    [
        (date(2020, 3, 15), date(2021, 1, 15), date(2021, 3, 15)),
        (date(2020, 1, 31), date(2020, 11, 30), date(2021, 1, 31)),  # month end clamps
        (date(2019, 4, 30), date(2020, 2, 29), date(2020, 4, 30)),  # leap year
        (date(2020, 2, 29), date(2020, 12, 29), date(2021, 2, 28)),
    ],
)
def test_assessment_window(approved, start, end):
    assert assessment_window(approved) == (start, end)


APPROVED = date(2020, 3, 15)


@pytest.mark.parametrize(
    "as_of, assessed_on, status",
    [
        (date(2020, 6, 1), None, "not_due"),
        (date(2021, 1, 14), None, "not_due"),
        (date(2021, 1, 15), None, "due"),
        (date(2021, 3, 15), None, "due"),
        (date(2021, 3, 16), None, "overdue"),
        (date(2021, 2, 1), date(2021, 1, 20), "assessed"),
        (date(2021, 6, 1), date(2021, 5, 1), "assessed"),  # late, but published
        (date(2021, 1, 10), date(2021, 1, 20), "not_due"),  # published after as_of: not yet
    ],
)
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


# --- blacklist: the rule of the listing date, events, inclusive ends ------------------------
LISTED = date(2023, 10, 10)  # under 应急管理部令第11号 (in force 2023-10-01)


def test_term_end_counts_as_the_civil_code_counts_periods():
    # 民法典 第二百零一条/第二百零二条: the listing day is not counted; the last day is the
    # corresponding day, or the month's last day when there is none.
    assert term_end_for(LISTED) == date(2026, 10, 10)
    assert term_end_for("2023-10-10") == "2026-10-10"
    assert term_end_for("2024-02-29") == "2027-02-28"
    assert term_end_for(None) is None


@pytest.mark.parametrize(
    "listed, regime, term_end",
    [
        ("2023-10-01", "mem-order-11", "2026-10-01"),  # the day Order No. 11 took effect
        ("2023-09-30", "ajzb-2017-49", "2024-09-30"),  # the day before: the rule then in force
        ("2021-05-12", "ajzb-2017-49", "2022-05-12"),
        ("2016-06-01", "anweiban-2015", "2017-06-01"),
    ],
)
def test_the_rule_in_force_on_the_listing_date_decides_the_term(listed, regime, term_end):
    assert regime_for(listed).key == regime
    assert term_end_for(listed) == term_end
    result = blacklist_status(listed, None, [], date.fromisoformat(listed))
    assert result["regime"] == regime and result["term_end"] == date.fromisoformat(term_end)
    assert regime_for(listed).name in result["rule_zh"]


def test_a_pre_2023_listing_does_not_get_the_three_year_default():
    as_of = date(2023, 6, 1)  # more than a year after a 2021 listing, less than three
    result = blacklist_status("2021-05-12", None, [], as_of)
    assert result["status"] == "expired" and result["in_force"] is False
    assert result["early_removal_from"] is None  # 49号 sets no 12-month early removal
    assert "安监总办〔2017〕49号" in result["rule_zh"] and "第11号" not in result["rule_zh"]
    # a stated end wins over the rule
    stated = blacklist_status("2021-05-12", "2024-05-11", [], as_of)
    assert stated["status"] == "active" and "公告载明" in stated["rule_zh"]


@pytest.mark.parametrize(
    "as_of, status",
    [
        (date(2023, 10, 9), "unknown"),  # the day before the listing
        (date(2023, 10, 10), "active"),  # the listing day
        (date(2026, 10, 10), "active"),  # the term's last day is in force
        (date(2026, 10, 11), "expired"),  # the day after
    ],
)
def test_boundary_days_of_a_computed_term(as_of, status):
    assert blacklist_status(LISTED, None, [], as_of)["status"] == status


@pytest.mark.parametrize(
    "as_of, status",
    [
        (date(2026, 10, 9), "active"),  # "管理期限至2026年10月9日": in force on that day
        (date(2026, 10, 10), "expired"),
    ],
)
def test_boundary_days_of_a_stated_term(as_of, status):
    assert blacklist_status(LISTED, "2026-10-09", [], as_of)["status"] == status


def test_early_removal_once_twelve_months_are_complete():
    result = blacklist_status(LISTED, None, [], date(2024, 1, 1))
    assert result["early_removal_from"] == date(2024, 10, 11)  # 满12个月: after 2024-10-10


REMOVED, RESTORED = date(2024, 11, 1), date(2025, 2, 1)
HISTORY = [(REMOVED, "removed_early"), (RESTORED, "removal_revoked")]


@pytest.mark.parametrize(
    "as_of, status, in_force",
    [
        (date(2024, 10, 31), "active", True),
        (REMOVED, "removed", False),  # removed early on that day
        (date(2025, 1, 31), "removed", False),
        (RESTORED, "restored", True),  # 撤销提前移出、恢复列入: back in force
        (date(2026, 10, 10), "restored", True),  # to the end of the original term
        (date(2026, 10, 11), "expired", False),
    ],
)
def test_a_revoked_early_removal_restores_the_listing(as_of, status, in_force):
    result = blacklist_status(LISTED, None, HISTORY, as_of)
    assert (result["status"], result["in_force"]) == (status, in_force)


def test_a_revoked_listing_is_never_in_force_again():
    events = [("2024-03-01", "listing_revoked"), ("2024-06-01", "removal_revoked")]
    for as_of in (date(2024, 3, 1), date(2025, 1, 1)):
        assert blacklist_status(LISTED, None, events, as_of)["status"] == "revoked"
    assert blacklist_status(LISTED, None, events, date(2024, 2, 29))["status"] == "active"


def test_events_are_applied_in_date_order_and_only_up_to_the_date():
    events = [(RESTORED, "removal_revoked"), (REMOVED, "removed_early")]  # given out of order
    assert blacklist_status(LISTED, None, events, RESTORED)["status"] == "restored"
    # a restoration without an earlier early removal changes nothing
    assert blacklist_status(LISTED, None, [(REMOVED, "removal_revoked")], RESTORED)["status"] == "active"


# Reasons as announcements word them (written for these tests in the phrasings real notices use).
@pytest.mark.parametrize(
    "raw, reason",
    [
        ("管理期限届满，予以移出", "期满"),
        ("3年管理期满自动移出", "期满"),
        ("联合惩戒期满", "期满"),
        ("经本人申请并审核，符合提前移出条件，予以信用修复", "信用修复"),
        ("申请提前移出", "信用修复"),
        ("该单位申请提前移出时隐瞒真实情况，决定撤销提前移出决定，恢复列入严重失信主体名单", "恢复列入"),
        ("撤销对其作出的提前移出决定，恢复其列入状态", "恢复列入"),
        ("撤销移出决定", "恢复列入"),
        ("经行政复议，原处罚决定被撤销，撤销列入决定", "撤销列入"),
        ("撤销原列入决定，并将其移出名单", "撤销列入"),
        ("撤销列入并移出名单", "撤销列入"),
        ("列入决定有误，依法纠正", "撤销列入"),
        ("人民法院判决撤销", "撤销列入"),
        ("撤销", "撤销列入"),  # the older one-word form: a revoked listing
        ("其他", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_removal_reason(raw, reason):
    assert normalize_removal_reason(raw) == reason


@pytest.mark.parametrize(
    "reason, on, kind",
    [
        ("恢复列入", date(2025, 1, 1), "removal_revoked"),
        ("撤销列入", date(2025, 1, 1), "listing_revoked"),
        ("信用修复", date(2025, 1, 1), "removed_early"),
        ("期满", date(2026, 10, 11), "expired"),
        ("未说明", date(2025, 1, 1), "removed_early"),  # before the term's end: early
        ("未说明", date(2026, 10, 11), "expired"),  # after it: the expiry
    ],
)
def test_event_kind(reason, on, kind):
    assert event_kind(reason, on, date(2026, 10, 10)) == kind


@pytest.mark.parametrize(
    "start, end, as_of, active",
    [
        (date(2024, 1, 1), date(2024, 12, 31), date(2024, 6, 1), True),
        (date(2024, 1, 1), date(2024, 12, 31), date(2024, 12, 31), True),
        (date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1), False),
        (date(2024, 1, 1), date(2024, 12, 31), date(2023, 12, 31), False),
        (date(2024, 1, 1), None, date(2030, 1, 1), True),
        (None, date(2024, 12, 31), date(2024, 1, 1), True),
        ("2024-01-01", "2024-12-31", date(2024, 6, 1), True),
        (None, None, date(2024, 1, 1), None),
    ],
)
def test_publicity_active(start, end, as_of, active):
    assert publicity_active(start, end, as_of) is active


@settings(max_examples=300, deadline=500)
@given(st.dates(), st.dates(), st.none() | st.dates(), st.none() | st.text(max_size=8))
def test_status_functions_never_crash(listed, as_of, removed, reason):
    events = [] if removed is None else [(removed, event_kind(reason, removed, None))]
    assert blacklist_status(listed, None, events, as_of)["status"] in BL_LABELS
    assert assessment_status(listed, removed, reason, as_of)["status"] in STATUS_LABELS


@settings(max_examples=300, deadline=500)
@given(
    st.none() | st.integers(0, 200),
    st.none() | st.integers(0, 300),
    st.none() | st.floats(0, 1e9, allow_nan=False),
)
def test_grade_is_monotonic(deaths, serious, loss):
    grade = compute_grade(deaths, serious, loss)
    more = compute_grade(None if deaths is None else deaths + 1, serious, loss)
    if grade is not None:
        assert GRADES.index(more) >= GRADES.index(grade)


# --- credit ratings: validity (no national period; etl/rules/publicity.py) -------------------
@pytest.mark.parametrize(
    "rated_on, valid_until, newest, as_of, status",
    [
        (date(2024, 1, 1), date(2025, 12, 31), True, date(2025, 12, 31), "current"),  # last day
        (date(2024, 1, 1), date(2025, 12, 31), True, date(2026, 1, 1), "expired"),  # historical
        (date(2024, 1, 1), None, True, date(2030, 1, 1), "unstated"),
        (date(2024, 1, 1), None, False, date(2025, 1, 1), "superseded"),
        (date(2026, 1, 1), None, True, date(2025, 1, 1), "future"),
    ],
)
def test_rating_status(rated_on, valid_until, newest, as_of, status):
    assert rating_status(rated_on, valid_until, newest, as_of) == status


@pytest.mark.parametrize(
    "penalty, klass",
    [
        ("责令停产停业整顿", "严重"),
        ("暂扣安全生产许可证", "严重"),
        ("吊销安全生产许可证", "严重"),
        ("警告", "轻微"),
        ("警告、通报批评", "轻微"),
        ("警告，罚款人民币2万元", "一般"),
        ("罚款人民币3万元", "一般"),
        (None, "一般"),
    ],
)
def test_penalty_class(penalty, klass):
    assert penalty_class("行政处罚", penalty) == klass


# --- the legal_basis table: citations (etl/rules/catalogue.py, docs/rules.md) ----------------
def test_listing_and_publicity_rules_are_cited_with_their_document_numbers():
    rows = {key: (citation, confirmed) for key, _, _, citation, _, confirmed in catalogue.rows()}
    for prefix, rules in (("blacklist", REGIMES), ("publicity", PERIOD_RULES)):
        for r in rules:
            citation, confirmed = rows[f"{prefix}-{r.key}"]
            # an article is marked confirmed only when one is cited (read in a full text)
            assert citation == r.name + r.article and confirmed == int(bool(r.article)), r.key
    numbers = ("安委办〔2015〕14号", "安监总办〔2017〕49号", "应急管理部令第11号", "发改办财金〔2019〕527号")
    numbers += ("国家发展和改革委员会令2023年第58号", "国家发展和改革委员会令第36号")
    cited = " ".join(citation for citation, _ in rows.values())
    assert all(n in cited for n in numbers)
    # Order No. 11 and 发改委令第36号: the dates they took effect are part of the citation
    assert "2023年10月1日起施行" in rows["blacklist-mem-order-11"][0]
    assert "2026年4月1日起施行" in rows["publicity-ndrc-order-36"][0]
