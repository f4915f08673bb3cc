"""严重失信主体名单 entries (应急管理部令第11号; shared/domain.md §3)."""
from __future__ import annotations

from etl.datasets.common import (
    Context, Reject, checked_date, clean_text, free_text, person, region_code, required, stable_id,
    subject_type, text, uscc,
)
from etl.normalize.mask import mask_id_numbers
from etl.normalize.names import normalize_enterprise_name
from etl.rules.blacklist import term_end_for

TABLE = "blacklist"


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    raw_name = clean_text(required(fields, "subject_name", "主体名称"))
    code = uscc(fields, "uscc")
    kind = subject_type(fields, "subject_type", raw_name, bool(code))
    # Persons are published masked (张某昌); units and agencies by their registered name.
    name = person(raw_name) if kind == "person" else normalize_enterprise_name(raw_name)
    listed_on = checked_date(fields, "listed_on", "列入日期")
    if not listed_on:
        raise Reject("缺少列入日期")
    decision_no = text(fields, "decision_no")
    id_number = text(fields, "id_number")
    row = {
        "id": stable_id("bl", ctx.spec.id, decision_no or "", name, code or "", listed_on),
        "subject_type": kind,
        "subject_name": name,
        "uscc": code if kind != "person" else None,
        "id_number": mask_id_numbers(id_number, force=True) if id_number else None,
        "responsible_person": person(text(fields, "responsible_person")),
        "decision_no": decision_no,
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "reason": free_text(fields, "reason"),
        "basis": free_text(fields, "basis"),
        "listed_on": listed_on,
        # 管理期限 3 years unless the announcement states the end (第十六条 as summarised in §3)
        "term_end": checked_date(fields, "term_end", "管理期限", last=True) or term_end_for(listed_on),
        "batch": text(fields, "batch") or text(fields, "_page_title"),
        "region_code": region_code(fields, "region", ctx),
    }
    return {TABLE: [row]}
