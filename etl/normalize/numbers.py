"""Numbers written in Arabic or Chinese numerals, and counts of people (三人死亡, 30余人).

An approximate count (30余人, 十多人, 约30人) keeps its number but is marked not exact, so
callers never present it as a precise figure (an approximate count is not an exact one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.normalize.text import to_halfwidth

DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "貳": 2,
    "兩": 2,
    "三": 3,
    "叁": 3,
    "參": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "陸": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
SPECIAL = {"廿": 20, "卅": 30}
CN_NUM_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + "".join(SPECIAL)
# A run of Chinese numeral characters, for use inside other patterns.
# Bounded: an unbounded run would make every pattern using it quadratic on long text.
CN_NUM = f"[{CN_NUM_CHARS}]{{1,12}}"


def _section(s: str) -> int | None:
    """Value of a numeral below 10000 (no 万/亿), e.g. 二百零三, 十二, 三千."""
    total, digit = 0, None
    for ch in s:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            # A bare 十 at the start means 一十 (十二 = 12).
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        elif ch in SPECIAL:
            total += SPECIAL[ch]
        else:
            return None
    return total + (digit or 0)


def _positional(s: str) -> int | None:
    """Digit-by-digit numerals without units: 二〇一八 = 2018."""
    if all(ch in DIGITS for ch in s):
        return int("".join(str(DIGITS[ch]) for ch in s))
    return None


def cn_to_int(s: str | None) -> int | None:
    """Chinese or Arabic numeral to int: '十二' → 12, '二百零三' → 203, '二〇一八' → 2018,
    '3' → 3, '1万2千' → 12000. None when the string is not a numeral."""
    if not s:
        return None
    s = to_halfwidth(s).strip().replace(",", "")
    if s.isdigit() and s.isascii():
        return int(s)
    if len(s) > 1 and (p := _positional(s)) is not None:
        return p
    total, rest = 0, s
    for unit, value in sorted(BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if unit in rest:
            head, rest = rest.split(unit, 1)
            head_value = _mixed(head) if head else 1
            if head_value is None:
                return None
            total += head_value * value
    if rest:
        tail = _mixed(rest)
        if tail is None:
            return None
        total += tail
    return total


def _mixed(s: str) -> int | None:
    """A section that may be Arabic digits (1万2千 style) or Chinese numerals."""
    if s.isdigit() and s.isascii():
        return int(s)
    m = re.fullmatch(r"(\d+)([千百十])(\d*)", s)
    if m:
        return int(m.group(1)) * SMALL_UNITS[m.group(2)] + (int(m.group(3)) if m.group(3) else 0)
    return _section(s)


@dataclass
class Count:
    value: int | None
    exact: bool


# Qualifiers around a count. 余/多/以上 after the number and 约/近/超过 before it all mean the
# published figure is not exact.
_APPROX_BEFORE = re.compile(r"(约|大约|近|将近|接近|超过|逾|不足|不到)\s*$")
_COUNT = re.compile(rf"(\d{{1,9}}|{CN_NUM})\s*(余|多)?\s*(人|名|位|个|例|具|户|起|次|家|处)?(以上|左右|余)?")


def parse_count(s: str | None) -> Count:
    """First count in s: '3人' → Count(3, True), '三人' → (3, True), '30余人' → (30, False),
    '1名' → (1, True). Count(None, False) when s holds no number."""
    if not s:
        return Count(None, False)
    text = to_halfwidth(str(s)).replace(",", "")
    for m in _COUNT.finditer(text):
        value = cn_to_int(m.group(1))
        if value is None:
            continue
        approx = bool(m.group(2) or m.group(4)) or bool(
            _APPROX_BEFORE.search(text[max(0, m.start() - 6) : m.start()])
        )
        return Count(value, not approx)
    return Count(None, False)
