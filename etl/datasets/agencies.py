"""安全评价机构 and 安全生产检测检验机构 registers: one row per qualification certificate (资质证书).

The certificate, its 业务范围 and its validity are governed by 《安全评价检测检验机构管理办法》
(应急管理部令第1号); the status the register prints is kept as printed (status_stated), the status
on a date is computed from the validity and the actions (etl/rules/agencies.py). The helpers below
(agency type, certificate number, a code or nothing, a 有效期至 given as a month) are shared with
agency_actions and agency_reports.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from etl.datasets.common import (
    BLANKS,
    Context,
    Reject,
    checked_date,
    clean_text,
    optional_uscc,
    region_code,
    required,
    stable_id,
    text,
)
from etl.normalize.dates import find_dates
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.text import to_halfwidth

TABLE = "agencies"

# Words that tell the two kinds of agency apart (安全评价 vs 安全生产检测检验).
_TESTING_WORDS = ("检测", "检验")
_EVALUATION_WORDS = ("评价",)
AGENCY_TYPE_CODES = ("evaluation", "testing")
# What registers print where a value is absent.
_YEAR_MONTH = re.compile(r"(\d{4})\s*(?:年|[-./])\s*(\d{1,2})\s*月?")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    name = normalize_enterprise_name(required(fields, "name", "机构名称"))
    code = optional_uscc(fields)
    certificate = certificate_no(text(fields, "certificate_no"))
    row = {
        "id": stable_id("agency", ctx.spec.id, certificate or code or name),
        "name": name,
        "uscc": code,
        "agency_type": agency_type(text(fields, "agency_type"), name, text(fields, "scope")),
        "certificate_no": certificate,
        "scope": text(fields, "scope"),
        "issued_on": checked_date(fields, "issued_on", "发证日期"),
        "valid_until": validity_end(fields, "valid_until", "有效期至"),
        "status_stated": text(fields, "status_stated"),
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "region_code": region_code(fields, "region", ctx),
    }
    return {TABLE: [row]}


def agency_type(stated: str | None, name: str | None, scope: str | None) -> str:
    """evaluation or testing: as the source states it, else as the name, else the 业务范围 says.
    A text naming both kinds (安全评价检测检验机构) decides nothing."""
    for value in (stated, name, scope):
        if not value:
            continue
        if value in AGENCY_TYPE_CODES:
            return value
        testing = any(w in value for w in _TESTING_WORDS)
        evaluation = any(w in value for w in _EVALUATION_WORDS)
        if testing != evaluation:
            return "testing" if testing else "evaluation"
    raise Reject(f"无法判断机构类别（安全评价或检测检验）：「{stated or name}」")


def certificate_no(value: str | None) -> str | None:
    """资质证书编号 in one form: half-width letters, digits and dashes, full-width brackets
    around the province (ＡＰＪ－（甘）－００７ and APJ-(甘)-007 → APJ-（甘）-007)."""
    value = clean_text(value or "")
    if not value or value in BLANKS:
        return None
    value = to_halfwidth(value, parens=True)
    return re.sub(r"\s+", "", value).replace("(", "（").replace(")", "）")


def validity_end(fields: dict, key: str, label: str) -> str | None:
    """The last day of validity: a date, the last date of a range (2022年4月1日至2027年3月31日), or
    the last day of a month when only the month is given (有效期至2027年3月: valid through March)."""
    value = text(fields, key)
    if not value:
        return None
    found = find_dates(value)
    if found:
        return found[-1].value.isoformat()
    months = _YEAR_MONTH.findall(to_halfwidth(value))
    if months:
        year, month = map(int, months[-1])
        if 1 <= month <= 12:
            following = date(year + month // 12, month % 12 + 1, 1)
            return (following - timedelta(days=1)).isoformat()
    raise Reject(f"无法识别的日期：{label}「{value}」")
