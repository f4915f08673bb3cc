"""Dates and times in the forms Chinese documents use: 2018年4月19日, 2018-4-19, 2018.04.19,
2018/4/19, 20180419, 二〇一八年四月十九日, 15时30分许, 下午3时.

Relative forms are resolved only against what the text or the caller states, never guessed
(docs/sources.md); nothing here reads the clock:
* 去年X月X日, X月X日 without a year, 昨日/今晨/前日 … : against the anchor (the publication date);
* 当日/当晚/次日 … : against the date the text named last (次日 after 7月24日 is 7月25日), the
  anchor when none precedes;
* a bare day (13日, 三日) as news writes it after a dateline (中新网兰州3月14日电 … 13日8时许):
  against the date named last, the anchor when none precedes.
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
# Days counted from the publication date (news: 昨晚8时许 is the evening before the issue).
_ANCHOR_DAY = {
    "今日": 0,
    "今天": 0,
    "今晨": 0,
    "今早": 0,
    "昨日": -1,
    "昨天": -1,
    "昨晚": -1,
    "昨夜": -1,
    "昨晨": -1,
    "前天": -2,
    "前日": -2,
    "前晚": -2,
    "前夜": -2,
}
# Days counted from the date the text named last (7月24日 … 次日下午 is 7月25日).
_TEXT_DAY = {
    "当日": 0,
    "当天": 0,
    "当晚": 0,
    "当夜": 0,
    "次日": 1,
    "翌日": 1,
    "第二天": 1,
    "次晨": 1,
    "翌晨": 1,
}
# 前日/前天 only as words of their own: not 目前天气, 提前日期, 此前日, 节前夜.
_REL_DAY = re.compile(
    "(?<![目提此之以节])(?:前日|前天|前晚|前夜)|"
    + "|".join(w for w in (*_ANCHOR_DAY, *_TEXT_DAY) if not w.startswith("前"))
)
# A day without month (13日), as news writes it after a dateline. Not a duration (3日内,
# 3日前, 连续3日, 历时三日), not part of a longer number or date, not 号 (3号楼, 1号井).
_BARE_DAY = re.compile(r"(\d{1,2}|[一二三四五六七八九十廿卅]{1,3})日(?![内前后以之来间期左余多])")
_BARE_BEFORE = set(
    "0123456789〇零○一二三四五六七八九十廿卅两年月第每近连续历用耗共计约达满停数几个时这那.-/·:"
)
# What follows a news dateline's day (新华社兰州6月17日电, …7月8日讯, …1月13日消息): the day the
# story was filed. Not 电焊, 电话, 电梯 … (3日电焊作业时).
DATELINE_AFTER = re.compile(r"\s*(电(?![焊话工缆梯气器线路力机动池源站网流压视脑子瓶弧炉])|讯|消息)")
_YEAR_OFFSET = {"去年": -1, "上年": -1, "前年": -2, "今年": 0, "本年": 0, "同年": 0}
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
    return found


def _month_shift(value: date, months: int, day: int) -> date | None:
    y, m = divmod(value.year * 12 + value.month - 1 + months, 12)
    return _make(y, m + 1, day)


def _bare_day(day: int | None, ref: date, publication: bool) -> date | None:
    """Day `day` near `ref`: after a publication date (a dateline, the anchor) the latest such
    day not after it (13日 under a 3月14日 dateline is 3月13日, 28日 under 3月2日 is 2月28日);
    after an event date the nearest one (3月30日 … 2日 is 4月2日)."""
    if day is None:
        return None
    if publication:
        for shift in (0, -1):  # 31日 under a 3月2日 dateline: no such day, no guess
            value = _month_shift(ref, shift, day)
            if value and value <= ref:
                return value
        return None
    near = [v for v in (_month_shift(ref, k, day) for k in (-1, 0, 1)) if v]
    return min(near, key=lambda v: abs((v - ref).days)) if near else None


def _text_relative(text: str, base: list[DateMatch], anchor: date | None) -> list[DateMatch]:
    """当日/次日 and bare days (13日) against the date named last; 昨日/今晨 against the anchor."""
    pending = [(m.start(), m.end(), "word", m.group()) for m in _REL_DAY.finditer(text)]
    for m in _BARE_DAY.finditer(text):
        before = text[max(0, m.start() - 3) : m.start()].rstrip(" ")[-1:]
        if before not in _BARE_BEFORE:
            pending.append((m.start(), m.end(), "day", m.group(1)))
    events = sorted(
        [(d.start, 0, d) for d in base] + [(p[0], 1, p) for p in pending], key=lambda e: (e[0], e[1])
    )
    ref: tuple[date, bool] | None = (anchor, True) if anchor else None
    found: list[DateMatch] = []
    taken_to = 0  # end of the last date kept: in start order, an overlap starts before it
    for start, kind, item in events:
        if kind == 0:
            ref = (item.value, bool(DATELINE_AFTER.match(text, item.end)))
            taken_to = max(taken_to, item.end)
            continue
        s, e, form, word = item
        if s < taken_to:
            continue
        if form == "word" and word in _ANCHOR_DAY:
            value = anchor + timedelta(days=_ANCHOR_DAY[word]) if anchor else None
        elif ref is None:
            value = None
        elif form == "word":
            value = ref[0] + timedelta(days=_TEXT_DAY[word])
        else:
            value = _bare_day(cn_to_int(word), ref[0], ref[1] or ref[0] == anchor)
            if value and anchor and value > anchor:
                value = None  # a report tells past events: a day after publication is misread
        if value is None:
            continue
        match = DateMatch(value, s, e, True)
        found.append(match)
        taken_to = e
        ref = (value, bool(DATELINE_AFTER.match(text, e)))
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
    found = _drop_overlaps(found)
    return sorted(found + _text_relative(text, found, anchor), key=lambda d: d.start)


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
    rf"(?:\s*(半)|\s*(\d{{1,2}}|[{_CN_HOUR}]{{1,3}})\s*分|\s*(\d{{2}})(?![\d人名个]))?"
)
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
