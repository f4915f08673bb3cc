"""移出严重失信主体名单 announcements: 期满, 信用修复 (early removal) or 撤销."""

from __future__ import annotations

from etl.datasets.common import (
    Context,
    Reject,
    checked_date,
    clean_text,
    person,
    required,
    stable_id,
    text,
    uscc,
)
from etl.normalize.names import normalize_enterprise_name
from etl.rules.blacklist import normalize_removal_reason

TABLE = "blacklist_removals"


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    raw_name = clean_text(required(fields, "subject_name", "主体名称"))
    code = uscc(fields, "uscc")
    name = normalize_enterprise_name(raw_name) if (code or len(raw_name) > 4) else person(raw_name)
    removed_on = checked_date(fields, "removed_on", "移出日期")
    if not removed_on:
        raise Reject("缺少移出日期")
    decision_no = text(fields, "decision_no")
    reason_text = text(fields, "removal_reason") or ""
    row = {
        "id": stable_id("br", ctx.spec.id, decision_no or "", name, code or "", removed_on),
        "subject_name": name,
        "uscc": code,
        "decision_no": decision_no,
        "listed_on": checked_date(fields, "listed_on", "列入日期"),
        "removed_on": removed_on,
        "removal_reason": normalize_removal_reason(reason_text) or reason_text or "未说明",
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "batch": text(fields, "batch") or text(fields, "_page_title"),
    }
    return {TABLE: [row]}
