"""Accident investigation reports (事故调查报告) and their summaries.

Fields the source maps explicitly win; everything else comes from the report text (body plus
the text of PDF attachments) through etl/extract/report.py. A field the text does not state
stays empty (never guessed). Each fact keeps its evidence (the `evidence` child rows): the
sentence it was read from, or the source field that won, and how sure the extractor is.
"""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache

from etl.datasets.common import (
    Context,
    count,
    document_key,
    enterprise_name,
    iso_date,
    paragraphs,
    region_code,
    required,
    stable_id,
    text,
    uscc,
    yuan,
)
from etl.extract.industry import sector_from_register
from etl.extract.report import extract_report
from etl.normalize.dates import find_first_date
from etl.normalize.mask import mask_text
from etl.normalize.regions import city_of
from etl.normalize.text import to_halfwidth, to_simplified
from etl.rules.grades import compute_grade, grade_mismatch, normalize_grade
from etl.rules.vocabulary import normalize_type

TABLE = "accidents"
CACHE = True  # report-text extraction is the costly part of a run: cache it by input
SUMMARY_CHARS = 240
# "…省政府批复同意…", "批复日期：2023年5月12日": the 批复 date starts the rectification window
# (Gansu counts from the 批复 date: 《甘肃省生产安全事故防范和整改措施落实情况评估办法》第四条).
_SENTENCE = re.compile(r"[^。；]+")
# "统一社会信用代码：91620…" in the 事故单位基本情况 (full-width digits are common)
_USCC_IN_TEXT = re.compile(r"统一社会信用代码\s*(?:为|是)?\s*[:：]?\s*([0-9A-HJ-NPQRTUWXY]{18})")
_BANNER = re.compile(r"^[（(]?示例数据[^）)\n]*[）)]?\s*")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    title = required(fields, "title", "标题")
    published_on = iso_date(fields, "published_on")
    written_on = iso_date(fields, "written_on")
    anchor = _date(published_on) or _date(written_on)
    body = "\n\n".join(t for t in (paragraphs(fields, "body"), paragraphs(fields, "_attachments_text")) if t)
    facts = extract_report(f"{title}\n{body}", anchor=anchor)
    given = _given(fields, anchor)  # what the source states in fields of its own: it wins
    deaths = _first(given["deaths"], facts.get("deaths"))
    serious = _first(given["serious_injuries"], facts.get("serious_injuries"))
    loss = _first(given["direct_loss_yuan"], facts.get("direct_loss_yuan"))
    stated = _first(given["grade_stated"], facts.get("grade"))
    computed = compute_grade(deaths, serious, loss)
    region = _region(fields, ctx, facts)
    name = _first(given["enterprise_name"], facts.get("enterprise"))
    doc_no = text(fields, "doc_no")
    occurred_on = _first(given["occurred_on"], facts.get("occurred_on"))
    publisher = text(fields, "publisher") or ctx.spec.publisher
    published = published_on or iso_date(fields, "_list_date")
    # The id is in the report's page URL, so it must not change while the report stays the same:
    # its 文号, else its 索引号, else who published it, the title and the accident date (else the
    # publication date). Never the address it was read from, which changes when a site moves.
    accident_id = stable_id(
        "acc",
        ctx.spec.id,
        doc_no or text(fields, "index_no") or document_key(publisher, title, occurred_on or published),
    )
    row = {
        "id": accident_id,
        "title": title,
        "occurred_on": occurred_on,
        "occurred_time": facts.get("occurred_time"),
        "region_code": region,
        "city_code": _city(region),
        "region_name": None,
        "enterprise_name": name,
        "enterprise_uscc": uscc(fields, "enterprise_uscc") or uscc_in_text(body),
        "industry": _first(given["industry"], facts.get("industry")),
        "accident_type": _first(given["accident_type"], facts.get("accident_type")),
        "accident_subtype": given["accident_subtype"]
        if given["accident_type"]
        else facts.get("accident_subtype"),
        "deaths": deaths,
        "missing": _first(given["missing"], facts.get("missing")),
        "serious_injuries": serious,
        "injuries": _first(given["injuries"], facts.get("injuries")),
        "direct_loss_yuan": loss,
        "direct_loss_note": facts.get("direct_loss_note"),
        "grade_stated": stated,
        "grade_computed": computed,
        "grade_mismatch": _flag(grade_mismatch(stated, computed)),
        "concealed": _flag(facts.get("concealed")),
        "concealment": facts.get("concealment"),
        "summary": mask_text(text(fields, "summary") or summarize(body))
        if (body or text(fields, "summary"))
        else None,
        "body_text": mask_text(body) if body else None,
        "index_no": text(fields, "index_no"),
        "publisher": publisher,
        "doc_no": doc_no,
        "written_on": written_on,
        "published_on": published,
        "approved_on": iso_date(fields, "approved_on") or approval_date(body, anchor),
        "attachments": ctx.extra.get("attachments_json"),
    }
    children = [
        {
            "id": f"{accident_id}-{i}",
            "accident_id": accident_id,
            "subject_type": item.get("subject_type") or "person",
            "subject": item.get("subject"),
            "position": item.get("position"),
            "measure_type": item.get("measure_type") or "其他",
            "measure": mask_text(item["measure"]) if item.get("measure") else None,
            "fine_yuan": item.get("fine_yuan"),
        }
        for i, item in enumerate(facts.get("accountability") or [], start=1)
    ]
    evidence = evidence_rows(row, facts, _given_quotes(fields, ctx.spec, given))
    evidence += [
        _accountability_evidence(i, child, item["evidence"])
        for i, (child, item) in enumerate(zip(children, facts.get("accountability") or []), start=1)
        if item.get("evidence")
    ]
    return {TABLE: [row], "accountability": children, "evidence": evidence}


# accidents column -> the extractor's key for its value and evidence (etl/extract/report.py)
EVIDENCE_KEYS = {
    "occurred_on": "occurred_on",
    "enterprise_name": "enterprise",
    "deaths": "deaths",
    "missing": "missing",
    "serious_injuries": "serious_injuries",
    "injuries": "injuries",
    "direct_loss_yuan": "direct_loss_yuan",
    "grade_stated": "grade",
    "grade_computed": "grade_computed",
    "accident_type": "accident_type",
    "concealment": "concealment",
    "industry": "industry",
}
# accidents column -> the spec's target field that fills it from a structured source field
_SOURCE_KEYS = {
    "occurred_on": "occurred_on",
    "enterprise_name": "enterprise_name",
    "deaths": "deaths",
    "missing": "missing",
    "serious_injuries": "serious_injuries",
    "injuries": "injuries",
    "direct_loss_yuan": "direct_loss",
    "grade_stated": "grade_stated",
    "accident_type": "accident_type",
    "industry": "industry",
}
# Facts whose source field and text are compared: a report whose table says 3 deaths and whose
# text says 4 goes to review. Type and industry are not: sources word them their own way.
_COMPARED = (
    "occurred_on",
    "enterprise_name",
    "deaths",
    "missing",
    "serious_injuries",
    "injuries",
    "direct_loss_yuan",
    "grade_stated",
)


def _given(fields: dict, anchor: date | None) -> dict:
    """Each fact as the source's own field states it (None where it has no such field); type
    and sector in the vocabulary's words (docs/vocabulary.md), None for wording outside it."""
    kind = normalize_type(text(fields, "accident_type"))
    return {
        "occurred_on": iso_date(fields, "occurred_on", anchor),
        "enterprise_name": enterprise_name(fields, "enterprise_name")
        if text(fields, "enterprise_name")
        else None,
        "deaths": count(fields, "deaths"),
        "missing": count(fields, "missing"),
        "serious_injuries": count(fields, "serious_injuries"),
        "injuries": count(fields, "injuries"),
        "direct_loss_yuan": yuan(fields, "direct_loss"),
        "grade_stated": normalize_grade(text(fields, "grade_stated") or ""),
        "accident_type": kind[0] if kind else None,
        "accident_subtype": kind[1] if kind else None,
        "industry": sector_from_register(text(fields, "industry")),
    }


def _given_quotes(fields: dict, spec, given: dict) -> dict[str, str]:
    """column -> "<source field>：<value as the source wrote it>" for the facts the source gave."""
    quotes = {}
    for column, key in _SOURCE_KEYS.items():
        if given.get(column) is not None:
            label = next((n for n in spec.source_names(key) if not n.startswith("_")), key)
            quotes[column] = f"{label}：{text(fields, key)}"
    return quotes


def evidence_rows(row: dict, facts: dict, given_quotes: dict[str, str]) -> list[dict]:
    """One `evidence` row per fact of the report that has a value or evidence: where it was read
    (etl/extract/evidence.py), or the source's own field when that won over the text."""
    found = facts.get("evidence") or {}  # absent: an extractor without evidence, no rows
    rows = []
    for column, key in EVIDENCE_KEYS.items():
        value, extracted = row.get(column), found.get(key)
        if column in given_quotes:
            text_value = facts.get(key) if column in _COMPARED else None
            evidence = _source_field(given_quotes[column], value, text_value, extracted)
        elif column == "grade_computed":
            # computed here from the published figures (which may be the source's), 条例第三条
            evidence = {"method": "computed", "confidence": "high"} if value is not None else None
        else:
            evidence = _extracted(extracted) if extracted else None
        if evidence:
            rows.append(
                {
                    "id": f"{row['id']}-ev-{column}",
                    "accident_id": row["id"],
                    "field": column,
                    "value": value,
                    **evidence,
                }
            )
    return rows


def _source_field(quote: str, value, text_value, extracted: dict | None) -> dict:
    """A structured source field won; where the text states another value, both go to review."""
    evidence = {"method": "source_field", "confidence": "high", "quote": _masked(quote)}
    if extracted and text_value is not None and text_value != value:
        own = _extracted(extracted)
        evidence.update(
            confidence="low",
            reason="disagreement",
            candidates=json.dumps(
                [
                    {
                        "value": text_value,
                        "quote": own["quote"],
                        "start": own["quote_start"],
                        "end": own["quote_end"],
                    }
                ]
                + json.loads(own["candidates"] or "[]"),
                ensure_ascii=False,
            ),
        )
    return evidence


# Several facts are often read from one sentence: mask each sentence once.
_masked = lru_cache(maxsize=1024)(mask_text)


def _extracted(evidence: dict) -> dict:
    """An Evidence.as_dict() as evidence columns: quotes masked (the original stays in the
    archive), offsets into the extractor's text kept (etl/public.py publishes them only where
    they point at the masked quote)."""
    quote = evidence.get("quote") or None
    candidates = [
        {
            "value": c.get("value"),
            "quote": _masked(c.get("quote") or "") or None,
            "start": c.get("start"),
            "end": c.get("end"),
        }
        for c in evidence.get("candidates") or ()
    ]
    return {
        "method": evidence.get("method") or "stated",
        "confidence": evidence.get("confidence") or "high",
        "reason": evidence.get("reason"),
        "quote": _masked(quote) if quote else None,
        "quote_start": evidence.get("start") if quote else None,
        "quote_end": evidence.get("end") if quote else None,
        "candidates": json.dumps(candidates, ensure_ascii=False) if candidates else None,
    }


def _accountability_evidence(i: int, child: dict, evidence: dict) -> dict:
    return {
        "id": f"{child['accident_id']}-ev-accountability-{i}",
        "accident_id": child["accident_id"],
        "accountability_id": child["id"],
        "field": "accountability",
        "value": child.get("subject"),
        **_extracted(evidence),
    }


def summarize(body: str) -> str:
    """The opening of the report, without the sample banner, cut at a sentence end."""
    text_ = _BANNER.sub("", body.strip())
    if len(text_) <= SUMMARY_CHARS:
        return text_
    cut = text_[:SUMMARY_CHARS]
    end = max(cut.rfind("。"), cut.rfind("；"))
    return cut[: end + 1] if end > 60 else cut + "…"


def approval_date(body: str, anchor: date | None) -> str | None:
    """The date of the sentence that says the report was approved (批复同意 …)."""
    # PDF text breaks lines mid-sentence ("批复日期：\n2024年2月12日"): read it unbroken.
    for sentence in _SENTENCE.findall(to_simplified(body).replace("\n", "")):
        if "批复" in sentence:
            found = find_first_date(sentence, anchor=anchor)
            if found:
                return found.isoformat()
    return None


def uscc_in_text(body: str) -> str | None:
    """The responsible unit's code as the report prints it (masked codes are not codes)."""
    match = _USCC_IN_TEXT.search(to_halfwidth(body).upper())
    return match.group(1) if match else None


def _region(fields, ctx, facts) -> str | None:
    if text(fields, "region"):
        return region_code(fields, "region", ctx)
    return facts.get("region_code") or getattr(ctx.spec, "region_code", None)


def _city(code: str | None) -> str | None:
    region = city_of(code) if code else None
    return region.code if region else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _first(*values):
    return next((v for v in values if v is not None), None)


def _flag(value) -> int | None:
    return None if value is None else int(bool(value))
