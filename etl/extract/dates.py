"""The day (and time) the accident happened, from report text.

A report names many dates: when it was written, published and approved, when meetings were
held, when the enterprise was licensed. The accident date is the one the text ties to the
event (a time after it, 发生/事故 in its sentence, an 发生时间 label), never a publication or
approval date.
"""
from __future__ import annotations

import re
from datetime import date

from etl.normalize.dates import DateMatch, find_dates, parse_time

_EVENT_LABEL = re.compile(r"(发生时间|事故时间|发生日期|事故发生时间)\s*[:：]?\s*$")
_OTHER_LABEL = re.compile(r"(发布|印发|批复|成文|生成|公布|更新|截至|截止|报告|日期|时间)\s*[:：于]?\s*$")
_TIME_AFTER = re.compile(r"^\s*(\d{1,2}\s*[时点:]|凌晨|清晨|早上|上午|中午|下午|傍晚|晚|夜|许)")
_RELATIVE_DAY = ("今天", "今日", "昨天", "昨日", "前天")


def _date_score(text: str, d: DateMatch) -> int:
    before = re.split(r"[。\n]", text[max(0, d.start - 12):d.start])[-1]
    after = re.split(r"[。\n]", text[d.end:d.end + 80], maxsplit=1)[0]
    score = 0
    if _EVENT_LABEL.search(before):
        score += 6
    elif _OTHER_LABEL.search(before):
        score -= 6
    if _TIME_AFTER.search(after):
        score += 3
    if re.search(r"发生|事故", after):
        score += 2
    if text[d.start:d.end] in _RELATIVE_DAY:
        score -= 1
    if "记者" in before[-4:] or re.match(r"\s*(从|在[^，。]{0,10}(获悉|了解|表示)|获悉|了解到|召开|发布|通报)", after):
        score -= 6  # 记者昨天从…获悉: when the news was told, not when the accident happened
    return score


def occurred(text: str, anchor: date | None) -> tuple[DateMatch | None, str | None]:
    """The accident date: the date the text ties to the event (a time after it, 发生/事故 in
    its sentence, an 发生时间 label), never a publication or approval date."""
    scored = [(_date_score(text, d), -d.start, d) for d in find_dates(text, anchor)]
    scored = [s for s in scored if s[0] >= 0]
    if not scored:
        return None, None
    best = max(scored, key=lambda s: (s[0], s[1]))[2]
    after = text[best.end:best.end + 16]
    when = parse_time(after) if _TIME_AFTER.search(after) else None
    return best, when
