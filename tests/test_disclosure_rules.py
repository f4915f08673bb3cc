"""The status rules of the further disclosures at their boundary days (etl/rules/hazards.py,
agencies.py, projects.py) and the public filter applying them to a real internal database."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from etl import db as database
from etl.public import build_public_db
from etl.rules.agencies import qualification_status
from etl.rules.hazards import hazard_status
from etl.rules.projects import comment_status

D = date.fromisoformat


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2025-03-31", "future"),  # the day before the listing
        ("2025-04-01", "supervised"),  # the listing day
        ("2025-06-30", "supervised"),  # the deadline day is still within the deadline
        ("2025-07-01", "overdue"),  # the day after
        ("2025-08-14", "overdue"),  # the day before the removal
        ("2025-08-15", "removed"),  # the removal day
    ],
)
def test_hazard_status_boundaries(day, expected):
    assert hazard_status(D("2025-04-01"), D("2025-06-30"), D("2025-08-15"), D(day)) == expected


def test_hazard_without_deadline_stays_supervised_until_removed():
    assert hazard_status(D("2020-01-01"), None, None, D("2026-12-07")) == "supervised"


def test_hazard_removed_before_deadline_is_never_overdue():
    assert hazard_status(D("2025-04-01"), D("2025-12-31"), D("2025-05-01"), D("2026-01-05")) == "removed"


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2027-03-31", ("valid", None)),  # last day of validity
        ("2027-04-01", ("expired", D("2027-03-31"))),
    ],
)
def test_qualification_validity_inclusive(day, expected):
    assert qualification_status(D("2027-03-31"), "正常", [], D(day)) == expected


def test_qualification_revoked_from_the_decision_day():
    actions = [("revoked", D("2026-02-10"), None, None)]
    assert qualification_status(D("2028-01-01"), "正常", actions, D("2026-02-09"))[0] == "valid"
    assert qualification_status(D("2028-01-01"), "正常", actions, D("2026-02-10")) == (
        "revoked",
        D("2026-02-10"),
    )


def test_qualification_suspension_days_inclusive():
    actions = [("suspended", D("2026-03-01"), D("2026-03-05"), D("2026-06-04"))]
    status = [
        qualification_status(D("2028-01-01"), None, actions, D(d))[0]
        for d in ("2026-03-04", "2026-03-05", "2026-06-04", "2026-06-05")
    ]
    assert status == ["valid", "suspended", "suspended", "valid"]


def test_register_saying_revoked_or_cancelled():
    assert qualification_status(D("2028-01-01"), "已撤销", [], D("2026-01-01"))[0] == "revoked"
    assert qualification_status(D("2028-01-01"), "注销", [], D("2026-01-01"))[0] == "cancelled"


@pytest.mark.parametrize(
    "day, expected",
    [
        ("2026-11-19", ("upcoming", None)),
        ("2026-11-20", ("open", 14)),
        ("2026-12-04", ("open", 0)),  # comments are still taken on the last day
        ("2026-12-05", ("closed", None)),
    ],
)
def test_comment_period_inclusive(day, expected):
    assert comment_status(D("2026-11-20"), D("2026-12-04"), None, False, D(day)) == expected


def test_outcome_decides_and_unstated_end():
    assert (
        comment_status(D("2026-01-01"), D("2026-01-10"), D("2026-02-01"), True, D("2026-01-31"))[0]
        == "closed"
    )
    assert (
        comment_status(D("2026-01-01"), D("2026-01-10"), D("2026-02-01"), True, D("2026-02-01"))[0]
        == "decided"
    )
    assert comment_status(D("2026-01-01"), None, None, False, D("2026-01-05")) == ("unstated", None)


# --------------------------------------------------------------------------- the public filter

PROV = dict(source_id="t", first_seen_run=1, last_seen_run=1, record_hash="x")


def _internal(tmp_path):
    path = tmp_path / "disclosure.db"
    conn = database.connect(path)
    rows = {
        "hazards": [
            dict(
                id="h1",
                enterprise_name="示例甲化工有限公司",
                hazard="储罐区未设置紧急切断",
                listed_on="2025-04-01",
                deadline="2025-06-30",
                region_code="620102",
                events=json.dumps(
                    [{"on": "2025-05-10", "kind": "interview"}, {"on": "2025-08-15", "kind": "removed"}]
                ),
            ),
            dict(
                id="h2",
                enterprise_name="示例乙煤业有限公司",
                hazard="瓦斯抽采不达标",
                listed_on="2026-07-01",
                deadline="2026-09-30",
                region_code="620902",
            ),
        ],
        "penalties": [
            dict(
                id="p1",
                decision_no="（甘）应急罚〔2026〕3号",
                party_type="enterprise",
                party_name="示例丙公司",
                penalty="罚款人民币5万元",
                fine_yuan=50000,
                decided_on="2026-05-01",
                region_code="620102",
            ),
            dict(
                id="p2",
                decision_no="（甘）应急罚〔2019〕9号",
                party_type="enterprise",
                party_name="示例丁公司",
                penalty="罚款人民币1万元",
                fine_yuan=10000,
                decided_on="2019-05-01",
            ),
        ],
        "agencies": [
            dict(
                id="a1",
                name="示例安全评价有限公司",
                agency_type="evaluation",
                valid_until="2026-03-31",
                status_stated="正常",
            ),
        ],
        "agency_reports": [
            dict(
                id="r1",
                agency_name="示例安全评价有限公司",
                agency_id="a1",
                project="示例项目一",
                issued_on="2026-03-31",
            ),
            dict(
                id="r2",
                agency_name="示例安全评价有限公司",
                agency_id="a1",
                project="示例项目二",
                issued_on="2026-04-01",
            ),
        ],
        "projects": [
            dict(
                id="j1",
                project_name="示例输气管道工程",
                builder="示例戊能源公司",
                comment_start="2026-06-20",
                comment_end="2026-06-30",
            ),
        ],
    }
    conn.execute(
        "INSERT INTO sources (id, kind, title, publisher, licence, format, url) VALUES ('t', 'hazards', 't', 't', 't', 'csv', 'x')"
    )
    for table, items in rows.items():
        for item in items:
            item = {**item, **PROV}
            conn.execute(
                f"INSERT INTO {table} ({', '.join(item)}) VALUES ({', '.join('?' * len(item))})",
                list(item.values()),
            )
    conn.commit()
    conn.close()
    return path


def test_public_filter_applies_the_rules_as_of_the_date(tmp_path):
    out = tmp_path / "public.db"
    build_public_db(_internal(tmp_path), out, D("2026-06-30"))
    conn = sqlite3.connect(out)
    conn.row_factory = sqlite3.Row
    hazards = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM hazards")}
    assert set(hazards) == {"h1"}  # h2 is listed after the date: not known yet
    assert hazards["h1"]["status"] == "removed" and hazards["h1"]["removed_on"] == "2025-08-15"
    assert hazards["h1"]["status_zh"] == "已销号（摘牌）" and hazards["h1"]["exposure_count"] == 1
    assert hazards["h1"]["city_name"] == "兰州市"
    penalties = {r["decision_no"]: dict(r) for r in conn.execute("SELECT * FROM penalties")}
    assert penalties["（甘）应急罚〔2026〕3号"]["publicity_active"] == 1
    # an ordinary 2019 penalty: at most one year of publicity (发改办财金〔2019〕527号), long over
    assert None in penalties and penalties[None]["party_name"] == "（已停止公示）"
    agency = conn.execute("SELECT * FROM agencies").fetchone()
    assert (agency["qualification_status"], agency["qualification_end"]) == ("expired", "2026-03-31")
    reports = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM agency_reports")}
    assert reports["r1"]["issued_after_qualification_end"] == 0  # the last day of validity
    assert reports["r2"]["issued_after_qualification_end"] == 1
    assert reports["r2"]["agency_status_at_issue_zh"] == "资质已过有效期"
    project = conn.execute("SELECT * FROM projects").fetchone()
    assert (project["comment_status"], project["days_left"]) == ("open", 0)
    conn.close()


def test_status_gate_catches_a_stale_status(tmp_path):
    from publish import gates

    out = tmp_path / "public.db"
    build_public_db(_internal(tmp_path), out, D("2026-06-30"))
    assert gates.statuses(out, D("2026-06-30")).ok
    late = gates.statuses(out, D("2026-07-01"))  # the project's period is over the next day
    assert any("project j1" in p for p in late.problems)
