"""Actions against 安全评价/检测检验机构: one row per decision and measure.

The province (资质认可机关) suspends (暂停资质, 责令停业整顿) and revokes (撤销资质) a qualification,
and lists an agency as 失信; 市、县 authorities fine and warn (《安全评价检测检验机构管理办法》,
应急管理部令第1号; 《中华人民共和国安全生产法》 for 租借资质、挂靠 and false reports). The action and
the violation are read from the printed words into codes; a suspension's or listing's period is
read from its two dates (处理期限 2026年3月1日至2026年8月31日, both days inclusive) or from a start
and a length in months.
"""

from __future__ import annotations

import re

from etl.datasets.agencies import certificate_no
from etl.datasets.common import (
    Context,
    Reject,
    checked_date,
    doc_number,
    free_text,
    optional_uscc,
    required,
    stable_id,
    text,
    yuan,
)
from etl.normalize.dates import find_dates, parse_date
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.text import to_halfwidth
from etl.rules.periods import last_day

TABLE = "agency_actions"

# Printed measure → code, the gravest first: "暂停资质6个月，罚款3万元" is a suspension.
ACTION_WORDS = (
    ("revoked", ("撤销", "吊销")),
    ("suspended", ("暂停", "停业整顿", "停产停业")),
    ("dishonest", ("失信", "黑名单")),
    ("fined", ("罚款",)),
    ("warning", ("警告",)),
)
ACTION_CODES = tuple(code for code, _ in ACTION_WORDS)
# Printed violation → code, in this order: "租借资质、挂靠，出具虚假报告" is lending.
VIOLATION_WORDS = (
    ("lending", ("租借", "出租", "出借", "借用", "转让资质")),
    ("affiliation", ("挂靠",)),
    ("false_report", ("虚假", "弄虚作假", "伪造", "编造")),
)
VIOLATION_CODES = ("lending", "affiliation", "false_report", "other")
_MONTHS = re.compile(r"(\d{1,2})\s*个月")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    name = normalize_enterprise_name(required(fields, "agency_name", "机构名称"))
    action = action_code(text(fields, "action")) or action_code(text(fields, "measure"))
    if action is None:
        shown = text(fields, "action") or text(fields, "measure")
        raise Reject(f"无法识别的处理类型：「{shown}」" if shown else "缺少必填字段：处理类型（action）")
    decided_on = checked_date(fields, "decided_on", "决定日期")
    if decided_on is None:
        raise Reject("缺少必填字段：决定日期（decided_on）")
    start_on, end_on = period(fields)
    decision_no = doc_number(text(fields, "decision_no"))
    measure = free_text(fields, "measure")
    row = {
        "id": stable_id("agency-action", ctx.spec.id, decision_no or "", name, action, decided_on),
        "agency_name": name,
        "uscc": optional_uscc(fields),
        "certificate_no": certificate_no(text(fields, "certificate_no")),
        "action": action,
        "violation": violation_code(text(fields, "violation"), text(fields, "facts")),
        "facts": free_text(fields, "facts"),
        "decided_on": decided_on,
        "start_on": start_on,
        "end_on": end_on,
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "decision_no": decision_no,
        "measure": measure,  # as printed: 罚款人民币3万元, 暂停资质6个月…
        "fine_yuan": yuan(fields, "measure") if action == "fined" and measure else None,
    }
    return {TABLE: [row]}


def action_code(value: str | None) -> str | None:
    if not value:
        return None
    if value in ACTION_CODES:
        return value
    return next((code for code, words in ACTION_WORDS if any(w in value for w in words)), None)


def violation_code(*texts: str | None) -> str | None:
    """The first text that says anything decides: a named violation, else other (None when the
    source states nothing)."""
    for value in texts:
        if not value:
            continue
        if value in VIOLATION_CODES:
            return value
        return next((code for code, words in VIOLATION_WORDS if any(w in value for w in words)), "other")
    return None


def period(fields: dict) -> tuple[str | None, str | None]:
    """(start_on, end_on) of a suspension or listing: the stated columns, else the `period` text
    (two dates; or one date and a length in months, ended as etl/rules/periods.py counts)."""
    start = checked_date(fields, "start_on", "起始日期")
    end = checked_date(fields, "end_on", "截止日期", last=True)
    value = text(fields, "period")
    if value and not (start and end):
        found = find_dates(value)
        if found:
            start = start or found[0].value.isoformat()
            if len(found) > 1:
                end = end or found[-1].value.isoformat()
            elif months := _MONTHS.search(to_halfwidth(value)):
                end = end or last_day(parse_date(start), int(months.group(1))).isoformat()
    return start, end
