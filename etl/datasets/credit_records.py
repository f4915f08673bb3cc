"""不良信用记录 / 行政处罚 with their publicity period."""

from __future__ import annotations

from etl.datasets.common import (
    Context,
    checked_date,
    enterprise_name,
    free_text,
    region_code,
    required,
    stable_id,
    text,
    uscc,
    yuan,
)

TABLE = "credit_records"


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    name = enterprise_name(fields, "enterprise_name")
    code = uscc(fields, "uscc")
    decision_no = text(fields, "decision_no")
    decided_on = checked_date(fields, "decided_on", "决定日期")
    facts = free_text(fields, "facts")
    row = {
        "id": stable_id(
            "cd", ctx.spec.id, decision_no or "", code or name, decided_on, "" if decision_no else facts
        ),
        "enterprise_name": name,
        "uscc": code,
        "record_type": required(fields, "record_type", "记录类型"),
        "decision_no": decision_no,
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "facts": facts,
        "basis": free_text(fields, "basis"),
        "penalty": free_text(fields, "penalty"),
        "fine_yuan": yuan(fields, "fine", unit_hint="元"),
        "decided_on": decided_on,
        "publicity_start": checked_date(fields, "publicity_start", "公示起始日期") or decided_on,
        "publicity_end": checked_date(fields, "publicity_end", "公示截止日期"),
        "region_code": region_code(fields, "region", ctx),
    }
    return {TABLE: [row]}
