"""etl/normalize/money.py: amounts in yuan, with bounds kept apart from the value."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize.money import Money, parse_money


@pytest.mark.parametrize(
    "raw, yuan, bound, qualifier",
    [
        ("约456.7万元", 4_567_000, "approx", "约"),
        ("4190.45万元", 41_904_500, None, None),
        ("1.2亿元", 120_000_000, None, None),
        ("62251.89元", 62_251.89, None, None),
        ("123,456元", 123_456, None, None),
        ("1,234,567.8元", 1_234_567.8, None, None),
        ("123，456元", 123_456, None, None),
        ("￥5000", 5000, None, None),
        ("¥5000.50", 5000.5, None, None),
        ("人民币30万元", 300_000, None, None),
        ("超过5100万元", 51_000_000, ">", "超过"),
        ("逾1亿元", 100_000_000, ">", "逾"),
        ("1000余万元", 10_000_000, ">", "余"),
        ("300万余元", 3_000_000, ">", "余"),
        ("5万多元", 50_000, ">", "多"),
        ("近千万元", 10_000_000, "<", "近"),
        ("不足100万元", 1_000_000, "<", "不足"),
        ("不超过50万元", 500_000, "<=", "不超过"),
        ("5000万元以上", 50_000_000, ">=", "以上"),
        ("3.5万元左右", 35_000, "approx", "左右"),
        ("直接经济损失约为1200万元", 12_000_000, "approx", "约"),
        ("直接经济损失为三百二十万元", 3_200_000, None, None),
        ("一千二百万元", 12_000_000, None, None),
        ("罚款人民币贰拾万元", 200_000, None, None),
        ("1亿2000万元", 120_000_000, None, None),
        ("损失1200万", 12_000_000, None, None),
        ("１２３４元", 1234, None, None),
        ("5千元", 5000, None, None),
        ("共计4190.45万元（人民币）", 41_904_500, None, None),
    ],
)
def test_amounts(raw, yuan, bound, qualifier):
    money = parse_money(raw)
    assert money.yuan == pytest.approx(yuan)
    assert money.bound == bound
    assert money.exact is (bound is None)
    assert money.qualifier == qualifier


@pytest.mark.parametrize(
    "raw",
    [
        "直接经济损失正在核定中",
        "3人死亡",
        "2018年4月19日",
        "12350",
        "甘安委办发〔2018〕12号",
        "",
        None,
        "第3条",
    ],
)
def test_no_amount(raw):
    assert parse_money(raw) == Money(None, False, None)


def test_exact_yuan_values_do_not_drift():
    # 456.7 * 10000 in binary floating point is 4566999.999999999; the value is stored exact.
    assert parse_money("456.7万元").yuan == 4_567_000.0
    assert parse_money("0.1万元").yuan == 1000.0


@settings(max_examples=300, deadline=500)
@given(st.text())
def test_never_crash(s):
    money = parse_money(s)
    assert money.bound in (None, "approx", ">", ">=", "<", "<=")
    assert money.yuan is None or money.yuan >= 0


@settings(max_examples=200, deadline=500)
@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_wan_amounts_round_trip(value):
    assert parse_money(f"{value}万元").yuan == pytest.approx(float(value) * 10_000)


def test_a_unit_alone_is_not_an_amount():
    """A table header or label (直接经济损失（万元）) names the unit of the figure after it."""
    from etl.extract.report import direct_loss

    assert parse_money("（万元）").yuan is None
    assert direct_loss("直接经济损失（万元）：145.8").yuan == 1458000
    assert direct_loss("| 直接经济损失（万元） | 事故等级 |").yuan is None
