"""etl/normalize/dates.py: dates and times as Chinese documents write them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize.dates import find_dates, find_first_date, parse_date, parse_time

ANCHOR = date(2019, 1, 10)  # a publication date


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2018年4月19日", date(2018, 4, 19)),
        ("2018年04月09日", date(2018, 4, 9)),
        ("2018 年 4 月 19 日", date(2018, 4, 19)),
        ("２０１８年４月１９日", date(2018, 4, 19)),
        ("2018-4-19", date(2018, 4, 19)),
        ("2018-04-19 15:40:33", date(2018, 4, 19)),
        ("2018.04.19", date(2018, 4, 19)),
        ("2018/4/19", date(2018, 4, 19)),
        ("20180419", date(2018, 4, 19)),
        ("二〇一八年四月十九日", date(2018, 4, 19)),
        ("二零一八年十二月三十一日", date(2018, 12, 31)),
        ("2018年4月19日15时30分许", date(2018, 4, 19)),
        ("成文日期：2020年12月12日", date(2020, 12, 12)),
        ("2018-04-19至2018-05-01", date(2018, 4, 19)),
        ("2018年4月19号", date(2018, 4, 19)),
        (date(2020, 1, 2), date(2020, 1, 2)),
    ],
)
def test_absolute_dates(raw, expected):
    assert parse_date(raw) == expected
    assert parse_date(raw, anchor=ANCHOR) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "2018年2月30日",
        "2018年4月",
        "18年4月19日",
        "2018-13-01",
        "19000101x",
        "1234-5-6",
        "20181341",
        "",
        None,
        "索引号620722087/2020-00915",
        "3.14159",
    ],
)
def test_not_dates(raw):
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("当日", date(2019, 1, 10)),
        ("当天下午", date(2019, 1, 10)),
        ("次日", date(2019, 1, 11)),
        ("昨日", date(2019, 1, 9)),
        ("去年12月3日", date(2018, 12, 3)),
        ("今年1月3日", date(2019, 1, 3)),
        ("前年5月1日", date(2017, 5, 1)),
        ("1月5日", date(2019, 1, 5)),
        ("12月25日", date(2018, 12, 25)),  # after the anchor in its year: the year before
        ("十二月二十五日", date(2018, 12, 25)),
    ],
)
def test_relative_dates_need_an_anchor(raw, expected):
    assert parse_date(raw) is None
    assert parse_date(raw, anchor=ANCHOR) == expected


def test_find_dates_in_text_keeps_order_and_skips_parts_of_full_dates():
    text = "2018年4月19日发生事故，4月21日批复，次日公布"
    found = find_dates(text, anchor=date(2018, 6, 1))
    # 次日 is the day after the date named before it, not after the publication date
    assert [d.value for d in found] == [date(2018, 4, 19), date(2018, 4, 21), date(2018, 4, 22)]
    assert [d.relative for d in found] == [False, True, True]
    assert find_first_date("事故于二〇一六年十月三十一日发生") == date(2016, 10, 31)
    assert find_first_date("没有日期") is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("15时30分许", "15:30"),
        ("15时许", "15:00"),
        ("15:30", "15:30"),
        ("15：30", "15:30"),
        ("下午3时", "15:00"),
        ("下午三时三十分", "15:30"),
        ("凌晨2点半", "02:30"),
        ("晚上八时许", "20:00"),
        ("上午10时", "10:00"),
        ("中午12时", "12:00"),
        ("中午1时", "13:00"),
        ("夜间12时", "00:00"),
        ("凌晨0时", "00:00"),
        ("20时40分", "20:40"),
        ("9点05分", "09:05"),
        ("2018年4月19日15时30分许", "15:30"),
        ("２０时４０分", "20:40"),
        ("24小时", None),
        ("3小时后", None),
        ("25时", None),
        ("无", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_time(raw, expected):
    assert parse_time(raw) == expected


@settings(max_examples=300, deadline=500)
@given(st.text(), st.none() | st.dates())
def test_never_crash(s, anchor):
    result = parse_date(s, anchor=anchor)
    assert result is None or isinstance(result, date)
    parse_time(s)
    find_dates(s, anchor)


@settings(max_examples=200, deadline=500)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_every_form_round_trips(d):
    for form in (
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}-{d.month}-{d.day}",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"{d.year}/{d.month}/{d.day}",
        d.strftime("%Y%m%d"),
    ):
        assert parse_date(form) == d
