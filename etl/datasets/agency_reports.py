"""The reports 安全评价/检测检验机构 publish (报告公开, 《安全评价检测检验机构管理办法》, 应急管理部令
第1号): one row per report. The 委托单位 is an enterprise and links to the hub (etl/derive.py);
whether the agency was qualified on the 出具日期 is computed in the public database
(etl/rules/agencies.py). A report without its 项目名称 cannot be told apart and is rejected.
"""

from __future__ import annotations

from etl.datasets.common import Context, checked_date, free_text, optional_uscc, required, stable_id, text
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.text import to_halfwidth

TABLE = "agency_reports"


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    agency = normalize_enterprise_name(required(fields, "agency_name", "出具机构"))
    project = required(fields, "project", "项目名称")
    report_no = to_halfwidth(text(fields, "report_no"))
    client = text(fields, "client_name")
    issued_on = checked_date(fields, "issued_on", "出具日期")
    row = {
        "id": stable_id("agency-report", ctx.spec.id, agency, report_no or project, issued_on),
        "report_no": report_no,
        "agency_name": agency,
        "agency_uscc": optional_uscc(fields, "agency_uscc"),
        "report_type": text(fields, "report_type"),
        "project": project,
        "client_name": normalize_enterprise_name(client) if client else None,
        "client_uscc": optional_uscc(fields, "client_uscc"),
        "issued_on": issued_on,
        "conclusion": free_text(fields, "conclusion"),
    }
    return {TABLE: [row]}
