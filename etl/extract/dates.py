"""The day (and time) the accident happened, from report text.

A report names many dates: when it was written, published and approved, when meetings were
held, when the enterprise was licensed, when the news was told. The accident date is the one
the text ties to the event (a time after it, 发生/事故 in its sentence, an 发生时间 label),
never a publication, dateline or approval date.
"""

from __future__ import annotations

import re
from datetime import date

from etl.normalize.dates import DATELINE_AFTER, DateMatch, find_dates, parse_time

# A table or form label: 发生时间：, 事发时间, 事故发生日期 | (a cell boundary).
_EVENT_LABEL = re.compile(r"(发生|事发|事故)(时间|日期)\s*[:：|｜]?\s*$")
# The event verb before the date: 事故发生于12日, 事发在3月5日晚.
_EVENT_BEFORE = re.compile(r"(发生|事发)(于|在)\s*$")
_OTHER_LABEL = re.compile(r"(发布|印发|批复|成文|生成|公布|更新|截至|截止|报告|日期|时间)\s*[:：于]?\s*$")
_HOUR = r"(\d{1,2}|[零〇一二两三四五六七八九十]{1,3})\s*[时点]"
_TIME_AFTER = re.compile(rf"^\s*({_HOUR}|凌晨|清晨|晨|早|上午|中午|下午|傍晚|晚|夜|许|左右)")
# A date that says when something was told or decided, not when the accident happened:
# 记者14日从…获悉, 18日表示, 6日通报, 22日凌晨通报, 7日上午，有网友发布视频称, 5日，市政府成立
# 事故调查组 (a meeting, an approval, a founding or licensing date is not the event). The subject
# between the date and the verb is a short phrase (bounded: no backtracking on long text).
_TOLD_AFTER = re.compile(
    rf"\s*(?:{_HOUR}(?:\s*\d{{1,2}}\s*分)?|凌晨|清晨|早上|上午|中午|下午|傍晚|晚上|晚间)?\s*(?:许|左右)?"
    r"\s*[，,]?\s*(?:[^，,。；\n]{0,10}?)"
    r"(?P<verb>从[^，,。；\n]{0,20}(获悉|了解|得知)|在[^，,。；\n]{0,10}(获悉|了解|表示)|获悉|了解到|"
    r"记者|召开|发布|通报|表示|介绍|证实|宣布|透露|公布|批复|印发|签发|审议|成立|组建|约谈)"
)
# The accident's name by its day: “7·24”事故, "8.14"较大道路交通事故, 3·21爆炸. A date with that
# month and day is the accident's (the name holds no year; other dates still compete).
# A plain dot only between quotes (“8.14”), else 2.5万元 … 事故 would read as a name.
_NICKNAME = re.compile(
    r"(?:(?<![\d.])(\d{1,2})\s*[·•・]\s*(\d{1,2})(?![\d.])|[“\"「'‘](\d{1,2})[.．](\d{1,2})[”\"」'’])"
    r"[”\"」'’]?(?=[^，,。；\n]{0,12}(事故|矿难|爆炸|火灾|坍塌|透水|冒顶|中毒|泄漏))"
)
# The clause after the date says when the accident was reported, not when it happened:
# 于当日17时10分向镇人民政府报告事故, 次日8时许接到报警.
_REPORTED_AFTER = re.compile(
    r"^[^，,。；\n]{0,30}?(向[^，,。；\n]{0,20}(报告|上报|报送)|接到[^，,。；\n]{0,8}(报告|报警|电话|举报)"
    r"|接报|报警|上报)"
)
# The words after the date tell what came after the accident: a victim found or dead in
# hospital, a fire put out (8日上午在下游找到1名遇难者遗体, 于7日凌晨3时许死亡, 当晚23时扑灭).
_AFTERMATH = re.compile(r"抢救无效|医治无效|不治|救出|获救|找到|扑灭|升井|出院|脱离危险")
_DIED = re.compile(r"死亡|身亡|去世|遇难")
_TEXT_RELATIVE = ("次日", "翌日", "第二天", "次晨", "翌晨")
_ANCHOR_RELATIVE = (
    "今天",
    "今日",
    "今晨",
    "今早",
    "昨天",
    "昨日",
    "昨晚",
    "昨夜",
    "昨晨",
    "前天",
    "前日",
    "前晚",
    "前夜",
)


def _date_score(text: str, d: DateMatch) -> int:
    before = re.split(r"[。\n]", text[max(0, d.start - 12) : d.start])[-1]
    after = re.split(r"[。\n]", text[d.end : d.end + 80], maxsplit=1)[0]
    word = text[d.start : d.end]
    score = 0
    if _EVENT_LABEL.search(before):
        score += 6
    elif _OTHER_LABEL.search(before):
        score -= 6
    elif _EVENT_BEFORE.search(before):
        score += 3
    if _TIME_AFTER.search(after):
        score += 3
    if re.search(r"发生|事故", after):
        score += 2
    if word in _ANCHOR_RELATIVE:
        score -= 1
    if word in _TEXT_RELATIVE:
        score -= 2  # 次日 after the event date narrates the rescue, a death, a report
    if _REPORTED_AFTER.match(after):
        score -= 4
    lead = after[:20]
    if not re.search(r"发生|事故|造成", lead) and (
        _AFTERMATH.search(lead) or (before.endswith("于") and _DIED.search(lead))
    ):
        score -= 2
    if re.search(r"(至|到)\s*$", before):
        score -= 3  # 搜救至22日4时结束: the end of something else
    if DATELINE_AFTER.match(after):
        score -= 8  # a news dateline: the day the story was filed
    elif "记者" in before[-4:] or _told(after):
        score -= 6  # 记者昨天从…获悉: when the news was told, not when the accident happened
    return score


def _told(after: str) -> bool:
    m = _TOLD_AFTER.match(after)
    # 3日，该矿发生透水后未及时通报: the event comes first, the date is the event's
    return bool(m) and "发生" not in after[: m.start("verb")]


def _named_days(text: str) -> set[tuple[int, int]]:
    return {(int(m.group(1) or m.group(3)), int(m.group(2) or m.group(4))) for m in _NICKNAME.finditer(text)}


def _scored(text: str, anchor: date | None) -> list[tuple[int, int, DateMatch]]:
    """(score, -start, date) of every date that may be the event's, best first."""
    named = _named_days(text)
    scored = [
        (_date_score(text, d) + (3 if (d.value.month, d.value.day) in named else 0), -d.start, d)
        for d in find_dates(text, anchor)
    ]
    return sorted((s for s in scored if s[0] >= 0), key=lambda s: (s[0], s[1]), reverse=True)


def rivals(text: str, anchor: date | None) -> list[DateMatch]:
    """Other days scored as high as the chosen one: the text does not settle the date."""
    scored = _scored(text, anchor)
    if not scored:
        return []
    top, best = scored[0][0], scored[0][2].value
    return [d for score, _, d in scored[1:] if score == top and d.value != best]


def occurred(text: str, anchor: date | None) -> tuple[DateMatch | None, str | None]:
    """The accident date: the date the text ties to the event (a time after it, 发生/事故 in
    its sentence, an 发生时间 label, the day in its name “7·24”事故), never a publication or
    approval date."""
    scored = _scored(text, anchor)
    if not scored:
        return None, None
    best = scored[0][2]
    after = text[best.end : best.end + 16]
    word = text[best.start : best.end]
    # 昨晚8时许 is 20:00: the day word carries the part of the day.
    period = "晚" if word[-1] in "晚夜" else ""
    when = parse_time(period + after) if _TIME_AFTER.search(after) else None
    return best, when
