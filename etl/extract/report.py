"""extract_report(): the fields of an accident report or summary, as one dict.

The text is first made comparable: full-width digits to half-width, traditional script to
simplified (many reposts of official texts are in traditional script), whitespace cleaned.
Each field family is read by its own module; a field the text does not state is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from etl.extract.accident_type import classify_type
from etl.extract.accountability import find_accountability
from etl.extract.casualties import count_casualties
from etl.extract.dates import occurred, rivals
from etl.extract.enterprise import contenders, ranked
from etl.extract.evidence import Candidate, Evidence
from etl.extract.facts import concealment_at, stated_grade_at
from etl.extract.industry import classify_industry
from etl.normalize.dates import DateMatch
from etl.normalize.mask import mask_text
from etl.normalize.money import Money, parse_money
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.regions import Region, city_of, resolve_region
from etl.normalize.text import to_halfwidth, to_simplified
from etl.rules.grades import compute_grade, grade_mismatch

FIELDS = (
    "occurred_on",
    "occurred_time",
    "enterprise",
    "region_code",
    "region_name",
    "deaths",
    "missing",
    "serious_injuries",
    "injuries",
    "direct_loss_yuan",
    "direct_loss_note",
    "grade",
    "grade_computed",
    "grade_mismatch",
    "accident_type",
    "accident_subtype",
    "industry",
    "concealed",
    "concealment",
    "accountability",
    "approximate",
    "evidence",
)

_LOSS = re.compile(r"直接经济损失|直接财产损失|经济损失")
_UNIT_LABEL = re.compile(r"\s*[（(]\s*(万元|元|亿元)\s*[)）]\s*[:：]?\s*(?=[\d.]+\s*(?:$|[，,；;|]))")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SENTENCE_END = "。！？!?\n"


def prepare(text: str) -> str:
    """Half-width digits and letters, simplified script, clean whitespace (lines kept)."""
    return Prepared.of(text).text


@dataclass(frozen=True)
class Prepared:
    """The text the extractor reads (half-width, simplified script, whitespace runs collapsed,
    line breaks kept) and, for each of its characters, the offset of the character it came
    from in the original, so evidence can quote the original text."""

    original: str
    text: str
    origin: tuple[int, ...]  # origin[i]: offset in original of text[i]; one more at the end

    @classmethod
    def of(cls, original: str | None) -> "Prepared":
        original = original or ""
        kept = [(i, ch) for i, ch in enumerate(to_halfwidth(original)) if not _ZERO_WIDTH.match(ch)]
        simple = to_simplified("".join(ch for _, ch in kept))
        if len(simple) != len(kept):  # a phrase conversion changed the length: go char by char
            simple = "".join(c if len(c := to_simplified(ch)) == 1 else ch for _, ch in kept)
        chars, origin, pending = [], [], None  # pending: (offset, has newline) of a space run
        for (i, _), ch in zip(kept, simple):
            if ch.isspace():
                start, newline = pending or (i, False)
                pending = (start, newline or ch == "\n")
                continue
            if pending and chars:
                chars.append("\n" if pending[1] else " ")
                origin.append(pending[0])
            pending = None
            chars.append(ch)
            origin.append(i)
        origin.append(len(original))
        return cls(original, "".join(chars), tuple(origin))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the original of text[start:end]."""
        if end <= start:
            return self.origin[start], self.origin[start]
        return self.origin[start], self.origin[end - 1] + 1

    def evidence(self, start: int, end: int, **kw) -> Evidence:
        """Evidence quoting the sentence of the original that holds text[start:end]."""
        s, e = sentence_bounds(self.text, start, max(end, start + 1))
        return self.quote(s, e, **kw)

    def quote(self, start: int, end: int, **kw) -> Evidence:
        """Evidence quoting text[start:end] as the original writes it, personal data masked."""
        a, b = self.span(start, end)
        return Evidence(mask_text(self.original[a:b]) or "", a, b, **kw)

    def candidate(self, value, start: int, end: int) -> Candidate:
        ev = self.evidence(start, end)
        return Candidate(value, ev.quote, ev.start, ev.end)


def sentence_bounds(text: str, start: int, end: int, limit: int = 300) -> tuple[int, int]:
    """The sentence around text[start:end] (ended by 。！？ or a line break), at most `limit`
    characters either side."""
    floor = max(0, start - limit)
    left = max(max(text.rfind(c, floor, start) for c in _SENTENCE_END) + 1, floor)
    ceiling = min(len(text), end + limit)
    rights = [i for i in (text.find(c, end - 1, ceiling) for c in _SENTENCE_END) if i >= 0]
    right = min(rights) if rights else ceiling
    return left, right


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence, stripped."""
    spans = []
    for m in re.finditer(r"[^。！？!?\n]+", text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def direct_loss(text: str) -> Money:
    """The amount stated as 直接经济损失 (after the words, or just before them)."""
    return direct_loss_at(text)[0]


def direct_loss_at(text: str) -> tuple[Money, int | None]:
    """The amount and the offset of the words that state it."""
    for m in _LOSS.finditer(text):
        after = re.split(r"[。；\n]", text[m.end() : m.end() + 40], maxsplit=1)[0]
        unit = _UNIT_LABEL.match(after)  # "直接经济损失（万元）：145.8": the unit is a label's
        money = parse_money(after[unit.end() :] + unit.group(1)) if unit else parse_money(after)
        if money.yuan is None:
            money = parse_money(re.split(r"[，。；\n]", text[max(0, m.start() - 30) : m.start()])[-1])
        if money.yuan is not None:
            return money, m.start()
    return Money(None, False, None), None


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
    if (
        overall is not None
        and local.level in ("city", "province")
        and overall.level in ("county", "functional")
    ):
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
    dates; without it they stay None. result["evidence"] holds an Evidence (as a dict) per
    field read (etl/extract/evidence.py); each accountability item has its own."""
    prep = Prepared.of(text)
    body = prep.text
    spans = sentence_spans(body)
    evidence: dict[str, Evidence] = {}
    when, clock = occurred(body, anchor)
    if when:
        tied = rivals(body, anchor)
        evidence["occurred_on"] = prep.evidence(
            when.start,
            when.end,
            confidence="low" if tied else "high",
            reason="ambiguous" if tied else None,
            candidates=tuple(prep.candidate(d.value.isoformat(), d.start, d.end) for d in tied),
        )
    casualties = count_casualties([body[s:e] for s, e in spans])
    evidence.update(_casualty_evidence(prep, spans, casualties))
    loss, loss_at = direct_loss_at(body)
    if loss_at is not None:
        evidence["direct_loss_yuan"] = prep.evidence(loss_at, loss_at + 1)
    place = region(body, _event_position(body, when))
    enterprise, enterprise_evidence = _enterprise(prep)
    if enterprise_evidence:
        evidence["enterprise"] = enterprise_evidence
    grade_at = stated_grade_at(body)
    grade = grade_at[0] if grade_at else None
    if grade_at:
        evidence["grade"] = prep.evidence(grade_at[1], grade_at[2])
    computed = compute_grade(casualties.deaths, casualties.serious_injuries, loss.yuan)
    if computed:
        evidence["grade_computed"] = Evidence("", 0, 0, method="computed")
    concealed = concealment_at(body)
    if concealed:
        evidence["concealment"] = prep.evidence(concealed[1], concealed[2])
    kind = classify_type(body)
    if kind:
        evidence["accident_type"] = prep.evidence(kind.start, kind.end, method=kind.method)
    sector = classify_industry(body, enterprise, kind and kind.type_class, kind and kind.subtype)
    if sector and sector.start is not None:
        evidence["industry"] = prep.evidence(sector.start, sector.end, method=sector.method)
    elif sector and enterprise and enterprise_evidence:  # decided from the enterprise's name
        evidence["industry"] = replace(
            enterprise_evidence, method="inferred", confidence="high", reason=None, candidates=()
        )
    accountability = [_with_evidence(prep, item) for item in find_accountability(body, enterprise)]
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
        "grade_mismatch": grade_mismatch(
            grade,
            computed,
            inputs_complete=None not in (casualties.deaths, casualties.serious_injuries, loss.yuan),
        ),
        "accident_type": kind.type_class if kind else None,
        "accident_subtype": kind.subtype if kind else None,
        "industry": sector.sector if sector else None,
        "concealed": concealed is not None,
        "concealment": concealed[0] if concealed else None,
        "accountability": accountability,
        "approximate": casualties.approximate,
        "evidence": {f: e.as_dict() for f, e in evidence.items()},
    }


def _casualty_evidence(prep: Prepared, spans: list[tuple[int, int]], found) -> dict[str, Evidence]:
    out = {}
    for field_name, index in found.where.items():
        s, e = spans[index]
        conflicts = found.conflicts.get(field_name, [])
        low = conflicts or field_name in found.inferred
        out[field_name] = prep.evidence(
            s,
            e,
            method="inferred" if field_name in found.inferred else "stated",
            confidence="low" if low else "high",
            reason="disagreement" if conflicts else ("weak" if low else None),
            candidates=tuple(prep.candidate(n, *spans[i]) for n, i in conflicts),
        )
    return out


def _enterprise(prep: Prepared) -> tuple[str | None, Evidence | None]:
    """The unit of the accident, or None with the contenders when the text does not settle it
    (evidence.py: ambiguous); a unit no event, title, label or finding marks is weak."""
    found = ranked(prep.text)
    if not found:
        return None, None
    best, close = found[0], contenders(found)
    if close:
        return None, prep.evidence(
            best.start,
            best.end,
            confidence="low",
            reason="ambiguous",
            candidates=tuple(
                prep.candidate(normalize_enterprise_name(c.name), c.start, c.end) for c in (best, *close)
            ),
        )
    weak = best.score < 4
    return normalize_enterprise_name(best.name), prep.evidence(
        best.start, best.end, confidence="low" if weak else "high", reason="weak" if weak else None
    )


def _with_evidence(prep: Prepared, item: dict) -> dict:
    item = dict(item)
    source = item.pop("item", None) or ""
    at = prep.text.find(source) if source else -1
    if at >= 0:
        item["evidence"] = prep.quote(at, at + len(source)).as_dict()
    return item
