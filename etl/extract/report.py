"""extract_report(): the fields of an accident report or summary, as one dict (issue 3).

The text is first made comparable: full-width digits to half-width, traditional script to
simplified (many reposts of official texts are in traditional script), whitespace cleaned.
Each field family is read by its own module; a field the text does not state is None.
"""
from __future__ import annotations

import re
from datetime import date

from etl.extract.accountability import find_accountability
from etl.extract.casualties import count_casualties
from etl.extract.enterprise import find_enterprise
from etl.extract.facts import accident_type, concealment, stated_grade
from etl.normalize.dates import DateMatch, find_dates, parse_time
from etl.normalize.money import Money, parse_money
from etl.normalize.regions import Region, city_of, resolve_region
from etl.normalize.text import clean_text, to_halfwidth, to_simplified
from etl.rules.grades import compute_grade, grade_mismatch

FIELDS = ("occurred_on", "occurred_time", "enterprise", "region_code", "region_name", "deaths",
          "missing", "serious_injuries", "injuries", "direct_loss_yuan", "direct_loss_note",
          "grade", "grade_computed", "grade_mismatch", "accident_type", "concealed",
          "concealment", "accountability", "approximate")

_EVENT_LABEL = re.compile(r"(发生时间|事故时间|发生日期|事故发生时间)\s*[:：]?\s*$")
_OTHER_LABEL = re.compile(r"(发布|印发|批复|成文|生成|公布|更新|截至|截止|报告|日期|时间)\s*[:：于]?\s*$")
_TIME_AFTER = re.compile(r"^\s*(\d{1,2}\s*[时点:]|凌晨|清晨|早上|上午|中午|下午|傍晚|晚|夜|许)")
_RELATIVE_DAY = ("今天", "今日", "昨天", "昨日", "前天")
_LOSS = re.compile(r"直接经济损失|直接财产损失|经济损失")


def prepare(text: str) -> str:
    """Half-width digits and letters, simplified script, clean whitespace (lines kept)."""
    return clean_text(to_simplified(to_halfwidth(text or "")), keep_newlines=True)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[。！？!?\n]", text) if s.strip()]


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


def direct_loss(text: str) -> Money:
    """The amount stated as 直接经济损失 (after the words, or just before them)."""
    for m in _LOSS.finditer(text):
        after = re.split(r"[。；\n]", text[m.end():m.end() + 40], maxsplit=1)[0]
        money = parse_money(after)
        if money.yuan is None:
            money = parse_money(re.split(r"[，。；\n]", text[max(0, m.start() - 30):m.start()])[-1])
        if money.yuan is not None:
            return money
    return Money(None, False, None)


def _sentence_at(text: str, pos: int) -> str:
    floor = max(0, pos - 300)  # bounded: a sentence, not the whole document
    start = max(max(text.rfind(c, floor, pos) for c in "。\n") + 1, floor)
    ends = [i for i in (text.find(c, pos, pos + 300) for c in "。\n") if i >= 0]
    end = min(ends) if ends else min(len(text), pos + 300)
    return text[start:end]


def region(text: str, event_pos: int | None) -> Region | None:
    """The most specific place of the event: its sentence first; a county named elsewhere in
    the text refines a city (or the province) named there, never contradicts it."""
    local = resolve_region(_sentence_at(text, event_pos)) if event_pos is not None else None
    overall = resolve_region(text)
    if local is None:
        return overall
    if overall is not None and local.level in ("city", "province") and overall.level in (
            "county", "functional"):
        city = city_of(overall.code)
        if local.level == "province" or (city and city.code == local.code):
            return overall
    return local


def _event_position(text: str, when: DateMatch | None) -> int | None:
    if when is not None:
        return when.start
    m = re.search(r"发生", text)
    return m.start() if m else None


def extract_report(text: str, anchor: date | None = None) -> dict:
    """Fields of one report text; see FIELDS. anchor (the publication date) resolves relative
    dates; without it they stay None."""
    body = prepare(text)
    when, clock = occurred(body, anchor)
    casualties = count_casualties(split_sentences(body))
    loss = direct_loss(body)
    place = region(body, _event_position(body, when))
    enterprise = find_enterprise(body)
    grade = stated_grade(body)
    computed = compute_grade(casualties.deaths, casualties.serious_injuries, loss.yuan)
    concealed = concealment(body)
    return {
        "occurred_on": when.value.isoformat() if when else None,
        "occurred_time": clock,
        "enterprise": enterprise,
        "region_code": place.code if place else None,
        "region_name": place.name if place else None,
        "deaths": casualties.deaths,
        "missing": casualties.missing,
        "serious_injuries": casualties.serious_injuries,
        "injuries": casualties.injuries,
        "direct_loss_yuan": loss.yuan,
        "direct_loss_note": loss.qualifier,
        "grade": grade,
        "grade_computed": computed,
        "grade_mismatch": grade_mismatch(grade, computed, inputs_complete=None not in (
            casualties.deaths, casualties.serious_injuries, loss.yuan)),
        "accident_type": accident_type(body),
        "concealed": concealed is not None,
        "concealment": concealed,
        "accountability": find_accountability(body, enterprise),
        "approximate": casualties.approximate,
    }
