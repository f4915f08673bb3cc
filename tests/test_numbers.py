"""etl/normalize/numbers.py: Chinese numerals and counts of people."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize.numbers import Count, cn_to_int, parse_count


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("十二", 12),
        ("二百零三", 203),
        ("十", 10),
        ("一百一十", 110),
        ("三十", 30),
        ("五十六", 56),
        ("两千零五", 2005),
        ("一千零一", 1001),
        ("十万", 100_000),
        ("三万五千", 35_000),
        ("一亿二千万", 120_000_000),
        ("十一万", 110_000),
        ("二〇一八", 2018),
        ("二零二一", 2021),
        ("廿三", 23),
        ("零", 0),
        ("两", 2),
        ("叁拾", 30),
        ("贰拾万", 200_000),
        ("3", 3),
        ("１２", 12),
        ("1万2千", 12_000),
        ("", None),
        ("abc", None),
        ("十二人", None),
        (None, None),
    ],
)
def test_cn_to_int(raw, expected):
    assert cn_to_int(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("3人", Count(3, True)),
        ("三人", Count(3, True)),
        ("1名", Count(1, True)),
        ("两名", Count(2, True)),
        ("十二人", Count(12, True)),
        ("5", Count(5, True)),
        ("30余人", Count(30, False)),
        ("十多人", Count(10, False)),
        ("约30人", Count(30, False)),
        ("近百人", Count(100, False)),
        ("20人以上", Count(20, False)),
        ("超过10人", Count(10, False)),
        ("死亡3人", Count(3, True)),
        ("共计１２名", Count(12, True)),
        ("无", Count(None, False)),
        ("", Count(None, False)),
        (None, Count(None, False)),
    ],
)
def test_parse_count(raw, expected):
    assert parse_count(raw) == expected


@settings(max_examples=300, deadline=500)
@given(st.integers(min_value=0, max_value=99_999))
def test_round_trip_through_chinese_numerals(n):
    assert cn_to_int(_to_cn(n)) == n


def _to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n == 0:
        return "零"
    out, zero = "", False
    for value, unit in ((10_000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, value)
        if d:
            out += ("零" if zero and out else "") + digits[d] + unit
            zero = False
        elif out:
            zero = True
    return out


@settings(max_examples=200, deadline=500)
@given(st.text())
def test_never_crash(s):
    cn_to_int(s)
    result = parse_count(s)
    assert result.value is None or result.value >= 0
