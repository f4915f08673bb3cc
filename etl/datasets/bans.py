"""行业禁入 / 职业禁入 decisions."""

from __future__ import annotations

from etl.datasets.common import (
    Context,
    checked_date,
    clean_text,
    free_text,
    person,
    person_unit,
    region_code,
    required,
    stable_id,
    subject_type,
    text,
    uscc,
)
from etl.normalize.mask import mask_id_numbers
from etl.normalize.names import normalize_enterprise_name

TABLE = "bans"
LIFETIME_WORDS = ("终身", "永久")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    raw_name = clean_text(required(fields, "subject_name", "主体名称"))
    code = uscc(fields, "uscc")
    kind = subject_type(fields, "subject_type", raw_name, bool(code))
    name = person(raw_name) if kind == "person" else normalize_enterprise_name(raw_name)
    end_text = text(fields, "end_on") or ""
    decision_no = text(fields, "decision_no")
    start_on = checked_date(fields, "start_on", "禁入起始日期")
    id_number = text(fields, "id_number")
    lifetime = any(w in end_text for w in LIFETIME_WORDS) or any(
        w in (text(fields, "scope") or "") for w in LIFETIME_WORDS
    )
    row = {
        "id": stable_id("ban", ctx.spec.id, decision_no or "", name, start_on),
        "subject_type": kind,
        "subject_name": name,
        "uscc": code if kind != "person" else None,
        "id_number": mask_id_numbers(id_number, force=True) if id_number else None,
        "unit": person_unit(fields, kind),  # a person's unit: shown instead of any ID number
        "ban_type": required(fields, "ban_type", "禁入类型"),
        "scope": free_text(fields, "scope"),
        "reason": free_text(fields, "reason"),
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "decision_no": decision_no,
        "start_on": start_on,
        "end_on": None if lifetime else checked_date(fields, "end_on", "禁入截止日期", last=True),
        "lifetime": 1 if lifetime else 0,
        "region_code": region_code(fields, "region", ctx),
    }
    return {TABLE: [row]}
