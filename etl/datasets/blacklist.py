"""严重失信主体名单 entries (《安全生产严重失信主体名单管理办法》, 应急管理部令第11号, and the
joint-punishment lists before it)."""

from __future__ import annotations

import re
from datetime import date

from etl.datasets.common import (
    Context,
    Reject,
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
from etl.normalize.numbers import cn_to_int
from etl.rules.periods import last_day

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
        "unit": person_unit(fields, kind),  # a person's unit: shown instead of any ID number
        "decision_no": decision_no,
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "reason": free_text(fields, "reason"),
        "basis": free_text(fields, "basis"),
        "listed_on": listed_on,
        # The last day of the 管理期限 as the announcement states it; when it states none, the
        # public build computes it from the rule in force on the listing date (etl/rules/blacklist.py).
        "term_end": _term_end(fields, listed_on),
        "batch": text(fields, "batch") or text(fields, "_page_title"),
        "region_code": region_code(fields, "region", ctx),
    }
    return {TABLE: [row]}


_DURATION = re.compile(r"^(?:管理期限|期限|为|：|:|\s)*([0-9一二三四五六七八九十两]+)\s*(年|个月)$")


def _term_end(fields: dict, listed_on: str) -> str | None:
    """The term's last day: a stated date (2023年10月1日至2026年9月30日 → its end), or a stated
    length (三年, 36个月) counted from the listing date as etl/rules/periods.py counts periods."""
    value = text(fields, "term_end")
    m = _DURATION.match(value or "")
    if m is None:
        return checked_date(fields, "term_end", "管理期限", last=True)
    count = cn_to_int(m.group(1))
    if count is None:
        raise Reject(f"无法识别的管理期限：「{value}」")
    months = count * 12 if m.group(2) == "年" else count
    return last_day(date.fromisoformat(listed_on), months).isoformat()
