"""Dates and times in the forms Chinese documents use: 2018年4月19日, 2018-4-19, 2018.04.19,
2018/4/19, 20180419, 二〇一八年四月十九日, 15时30分许, 下午3时.

Relative forms (当日, 次日, 去年X月X日, X月X日 without a year) are resolved only against an
explicit anchor date (usually the publication date); without one they are left empty rather
than guessed (issue 3). Nothing here reads the clock.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from etl.normalize.numbers import cn_to_int
from etl.normalize.text import to_halfwidth

_CN_DIGITS = "〇零○Ｏ一二三四五六七八九"
_YEAR = rf"(\d{{4}}|[{_CN_DIGITS}]{{4}})"
_MD = r"(\d{1,2}|[一二三四五六七八九十廿卅]{1,3})"
_FULL_CN = re.compile(rf"{_YEAR}\s*年\s*{_MD}\s*月\s*{_MD}\s*[日号]")
_FULL_SEP = re.compile(r"(?<![\d.])(\d{4})\s*([-./])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d.])")
_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})\s*")
_REL_YEAR = re.compile(rf"(去年|今年|前年|上年|本年|同年)\s*{_MD}\s*月\s*{_MD}\s*[日号]")
_MONTH_DAY = re.compile(rf"(?<![\d年])\s*{_MD}\s*月\s*{_MD}\s*[日号]")
_REL_DAY = re.compile(r"当日|当天|次日|翌日|第二天|昨日|昨天|前天|今日|今天")
_YEAR_OFFSET = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "本年": 0, "同年": 0}
_DAY_OFFSET = {"当日": 0, "当天": 0, "今日": 0, "今天": 0, "次日": 1, "翌日": 1, "第二天": 1,
               "昨日": -1, "昨天": -1, "前天": -2}
MIN_YEAR, MAX_YEAR = 1949, 2100


@dataclass(frozen=True)
class DateMatch:
    value: date
    start: int
    end: int
    relative: bool


def _make(y: int | None, m: int | None, d: int | None) -> date | None:
    if y is None or m is None or d is None or not MIN_YEAR <= y <= MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _year(s: str) -> int | None:
    return int(s) if s.isdigit() else cn_to_int(s)


def _absolute(text: str) -> list[DateMatch]:
    found = []
    for m in _FULL_CN.finditer(text):
        value = _make(_year(m.group(1)), cn_to_int(m.group(2)), cn_to_int(m.group(3)))
        if value:
            found.append(DateMatch(value, m.start(), m.end(), False))
    for m in _FULL_SEP.finditer(text):
        value = _make(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if value:
            found.append(DateMatch(value, m.start(), m.end(), False))
    return found


def _month_day(anchor: date, m: int | None, d: int | None) -> date | None:
    """X月X日 without a year: the anchor's year, or the year before if that date would fall
    after the anchor (documents report past events relative to their publication)."""
    value = _make(anchor.year, m, d)
    if value and value > anchor:
        value = _make(anchor.year - 1, m, d)
    return value


def _relative(text: str, anchor: date) -> list[DateMatch]:
    found = []
    for m in _REL_YEAR.finditer(text):
        year = anchor.year + _YEAR_OFFSET[m.group(1)]
        value = _make(year, cn_to_int(m.group(2)), cn_to_int(m.group(3)))
        if value:
            found.append(DateMatch(value, m.start(), m.end(), True))
    for m in _MONTH_DAY.finditer(text):
        value = _month_day(anchor, cn_to_int(m.group(1)), cn_to_int(m.group(2)))
        if value:
            found.append(DateMatch(value, m.start(1), m.end(), True))
    for m in _REL_DAY.finditer(text):
        found.append(DateMatch(anchor + timedelta(days=_DAY_OFFSET[m.group()]), m.start(),
                               m.end(), True))
    return found


def _drop_overlaps(matches: list[DateMatch]) -> list[DateMatch]:
    """Keep the earliest, then longest, match where matches overlap (a 月日 inside a full
    date, 去年4月19日 over 4月19日)."""
    kept: list[DateMatch] = []
    for m in sorted(matches, key=lambda x: (x.start, -(x.end - x.start))):
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
    return kept


def find_dates(text: str | None, anchor: date | None = None) -> list[DateMatch]:
    """All dates in text, in order. Offsets refer to to_halfwidth(text) (same length)."""
    if not text:
        return []
    text = to_halfwidth(str(text))
    found = _absolute(text)
    if anchor is not None:
        found += _relative(text, anchor)
    return _drop_overlaps(found)


def find_first_date(text: str | None, anchor: date | None = None) -> date | None:
    matches = find_dates(text, anchor)
    return matches[0].value if matches else None


def parse_date(s: str | None, anchor: date | None = None) -> date | None:
    """The date in a field value: any form find_dates knows, or a bare 8-digit 20180419.
    Accepts date objects unchanged."""
    if s is None:
        return None
    if isinstance(s, date):
        return s
    s = to_halfwidth(str(s))
    m = _COMPACT.fullmatch(s)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return find_first_date(s, anchor)


# --- times --------------------------------------------------------------------------------
_PERIOD = r"(凌晨|清晨|早晨|早上|上午|中午|午后|下午|傍晚|晚上|晚间|夜间|深夜|半夜|夜里|晚|早)?"
_CN_HOUR = "零〇一二两三四五六七八九十"
_CLOCK = re.compile(
    rf"{_PERIOD}\s*(?<![\d.])(\d{{1,2}}|[{_CN_HOUR}]{{1,3}})\s*[时点]"
    rf"(?:\s*(半)|\s*(\d{{1,2}}|[{_CN_HOUR}]{{1,3}})\s*分|\s*(\d{{2}})(?![\d人名个]))?")
_COLON = re.compile(r"(?<![\d:])([01]?\d|2[0-3])\s*:\s*([0-5]\d)(?![\d:])")
_AFTERNOON = ("下午", "午后", "傍晚")
_NIGHT = ("晚上", "晚间", "夜间", "深夜", "半夜", "夜里", "晚")


def _shift(period: str | None, hour: int) -> int:
    """12-hour phrasing to 24-hour: 下午3时 → 15, 晚上8时 → 20, 凌晨2时 → 2, 夜间12时 → 0."""
    if period in _AFTERNOON and hour < 12:
        return hour + 12
    if period == "中午" and 1 <= hour <= 3:
        return hour + 12
    if period in _NIGHT:
        if 6 <= hour <= 11:
            return hour + 12
        if hour == 12:
            return 0
    return hour


def parse_time(s: str | None) -> str | None:
    """First clock time in s as 'HH:MM': 15时30分许, 15:30, 下午3时, 凌晨2点半, 晚上八时."""
    if not s:
        return None
    text = to_halfwidth(str(s)).replace("：", ":")
    for m in _CLOCK.finditer(text):
        hour = cn_to_int(m.group(2))
        minute = 30 if m.group(3) else cn_to_int(m.group(4) or m.group(5) or "0")
        if hour is None or minute is None or hour > 24 or minute > 59:
            continue
        hour = _shift(m.group(1), hour)
        if hour <= 23:
            return f"{hour:02d}:{minute:02d}"
    m = _COLON.search(text)
    return f"{int(m.group(1)):02d}:{m.group(2)}" if m else None
