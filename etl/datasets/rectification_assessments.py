"""整改措施落实情况评估 results (安全生产法 第八十六条; 安委办〔2021〕4号 第三条; 甘肃省…评估办法 第四条)."""

from __future__ import annotations

import re

from etl.datasets.common import (
    Context,
    document_key,
    free_text,
    iso_date,
    paragraphs,
    required,
    stable_id,
    text,
)
from etl.normalize.mask import mask_text
from etl.normalize.text import to_simplified

TABLE = "rectification_assessments"
CACHE = True
# Result words as published; longest first so 基本到位 and 不到位 are not read as 到位.
RESULTS = ("未落实到位", "不到位", "基本到位", "落实到位", "到位")
_CANONICAL = {"未落实到位": "不到位", "落实到位": "到位"}
_REF = re.compile(r"《([^》]{4,100})》")
_NOT_A_REPORT = ("办法", "条例", "规定", "通知", "意见", "法》", "安全生产法")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    title = required(fields, "title", "标题")
    body = paragraphs(fields, "body") or ""
    publisher = text(fields, "publisher") or ctx.spec.publisher
    published_on = iso_date(fields, "published_on") or iso_date(fields, "_list_date")
    assessed_on = iso_date(fields, "assessed_on")
    # Its 文号 (the ids of those stay as they were), else its 索引号, else who published it, the
    # title and the publication date (else the assessment date): never the address it was read
    # from, which changes when a site moves its pages.
    key = (
        text(fields, "doc_no")
        or text(fields, "index_no")
        or document_key(publisher, title, published_on or assessed_on)
    )
    row = {
        "id": stable_id("ra", ctx.spec.id, key),
        "accident_ref": text(fields, "accident_ref") or reference(f"{title}\n{body}"),
        "title": title,
        "result": result(text(fields, "result") or "", body),
        "assessed_on": assessed_on,
        "published_on": published_on,
        "assessor": text(fields, "assessor"),
        "summary": mask_text(body[:400]) if body else free_text(fields, "summary"),
        "index_no": text(fields, "index_no"),
        "publisher": publisher,
        "doc_no": text(fields, "doc_no"),
        "attachments": ctx.extra.get("attachments_json"),
    }
    return {TABLE: [row]}


def result(stated: str, body: str) -> str | None:
    """The assessment's conclusion: the stated result, else the first result word in the
    评估意见 / 结论 part of the text."""
    for source in (stated, _conclusion(to_simplified(body))):
        for word in RESULTS:
            if word in source:
                return _CANONICAL.get(word, word)
    return None


def _conclusion(body: str) -> str:
    for marker in ("评估意见", "评估结论", "总体评价", "综合评定", "评估结果"):
        at = body.find(marker)
        if at >= 0:
            return body[at : at + 200]
    return ""


def reference(text_: str) -> str | None:
    """The accident report an assessment is about, as the text names it (《…调查报告》)."""
    titles = [t for t in _REF.findall(to_simplified(text_)) if not any(w in t for w in _NOT_A_REPORT)]
    return next((t for t in titles if "调查报告" in t), titles[0] if titles else None)
