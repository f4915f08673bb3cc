"""Accident investigation reports (事故调查报告) and their summaries.

Fields the source maps explicitly win; everything else comes from the report text (body plus
the text of PDF attachments) through etl/extract/report.py. A field the text does not state
stays empty (never guessed).
"""
from __future__ import annotations

import re
from datetime import date

from etl.datasets.common import (
    Context, count, document_key, enterprise_name, paragraphs, iso_date, region_code, required, stable_id, text,
    uscc, yuan,
)
from etl.extract.report import extract_report
from etl.normalize.dates import find_first_date
from etl.normalize.mask import mask_text
from etl.normalize.text import to_halfwidth, to_simplified
from etl.normalize.regions import city_of
from etl.rules.grades import compute_grade, grade_mismatch, normalize_grade

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
    deaths = _first(count(fields, "deaths"), facts.get("deaths"))
    serious = _first(count(fields, "serious_injuries"), facts.get("serious_injuries"))
    loss = _first(yuan(fields, "direct_loss"), facts.get("direct_loss_yuan"))
    stated = normalize_grade(text(fields, "grade_stated") or "") or facts.get("grade")
    computed = compute_grade(deaths, serious, loss)
    region = _region(fields, ctx, facts)
    name = enterprise_name(fields, "enterprise_name") if text(fields, "enterprise_name") else facts.get("enterprise")
    doc_no = text(fields, "doc_no")
    occurred_on = iso_date(fields, "occurred_on", anchor) or facts.get("occurred_on")
    publisher = text(fields, "publisher") or ctx.spec.publisher
    published = published_on or iso_date(fields, "_list_date")
    # The id is in the report's page URL, so it must not change while the report stays the same:
    # its 文号, else its 索引号, else who published it, the title and the accident date (else the
    # publication date). Never the address it was read from, which changes when a site moves.
    accident_id = stable_id("acc", ctx.spec.id, doc_no or text(fields, "index_no")
                            or document_key(publisher, title, occurred_on or published))
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
        "industry": text(fields, "industry"),
        "accident_type": text(fields, "accident_type") or facts.get("accident_type"),
        "deaths": deaths,
        "missing": _first(count(fields, "missing"), facts.get("missing")),
        "serious_injuries": serious,
        "injuries": _first(count(fields, "injuries"), facts.get("injuries")),
        "direct_loss_yuan": loss,
        "direct_loss_note": facts.get("direct_loss_note"),
        "grade_stated": stated,
        "grade_computed": computed,
        "grade_mismatch": _flag(grade_mismatch(stated, computed)),
        "concealed": _flag(facts.get("concealed")),
        "concealment": facts.get("concealment"),
        "summary": mask_text(text(fields, "summary") or summarize(body)) if (body or text(fields, "summary")) else None,
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
    return {TABLE: [row], "accountability": children}


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
