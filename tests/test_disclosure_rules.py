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


def test_a_certificate_that_expires_during_a_suspension_is_expired():
    actions = [("suspended", D("2026-02-18"), D("2026-02-21"), D("2026-08-20"))]
    assert qualification_status(D("2026-05-27"), "正常", actions, D("2026-05-27"))[0] == "suspended"
    assert qualification_status(D("2026-05-27"), "正常", actions, D("2026-05-28")) == (
        "expired",
        D("2026-05-27"),
    )


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


# --------------------------------------------------------------------------- found in review


def test_a_report_of_an_agency_whose_end_has_no_date_is_neither_flagged_nor_cleared():
    from etl.rules.agencies import status_at_issue

    assert status_at_issue(None, "已撤销", [], D("2022-01-01")) is None
    assert status_at_issue(None, "注销", [], D("2022-01-01")) is None
    assert status_at_issue(None, None, [], D("2022-01-01")) is None  # the register states nothing
    assert status_at_issue(D("2027-01-01"), "正常", [], D("2022-01-01")) == "valid"
    assert (
        status_at_issue(None, "正常", [("revoked", D("2024-05-01"), None, None)], D("2024-05-01"))
        == "revoked"
    )


@pytest.mark.parametrize(
    "title", ["关于对示例甲公司重大事故隐患不予销号的通知", "暂缓摘牌的通知", "销号申请未通过"]
)
def test_a_refused_removal_is_no_removal(title):
    from etl.datasets.common import Reject
    from etl.datasets.hazard_events import event_code

    with pytest.raises(Reject, match="不是销号"):
        event_code(None, title)


@pytest.mark.parametrize(
    "stated, code",
    [
        ("不存在问题", "no_problem"),
        ("没发现问题", "no_problem"),
        ("未发现不合格项", "no_problem"),
        ("未立案", "no_problem"),
        ("无需责令整改", "no_problem"),
        ("未发现问题，但发现隐患2项，已责令限期整改", "problems"),
        ("发现问题，已责令限期整改", "problems"),
    ],
)
def test_inspection_results_said_not_to_be_there(stated, code):
    from etl.datasets.inspections import result_code

    assert result_code(stated) == code


def test_a_person_fined_is_recognised_by_the_particulars_and_masked():
    from etl.datasets.common import Context
    from etl.datasets.penalties import normalize

    class Spec:
        id, publisher, region_code = "t", "甘肃省应急管理厅", "620000"

    body = "\n".join(
        [
            "甘应急罚〔2026〕5号",
            "被处罚人：王建军  身份证号码：620102198001011234",
            "经查，当事人作为示例甲公司主要负责人，未履行安全生产管理职责。",
            "依据《中华人民共和国安全生产法》第九十五条的规定，决定给予罚款人民币叁万元整的行政处罚。",
            "甘肃省应急管理厅",
            "2026年5月6日",
        ]
    )
    row = normalize({"body": body}, Context(spec=Spec(), url="http://x", document_id=1))["penalties"][0]
    assert (
        row["party_type"] == "person" and row["party_name"] == "王某军"
    )  # as announcements mask (etl/masking.yaml) and row["uscc"] is None
    assert "1234" not in json.dumps(row, ensure_ascii=False)


def test_hazard_announcements_link_only_to_the_named_enterprise_and_an_earlier_listing(tmp_path):
    from etl import derive_disclosures

    conn = database.connect(tmp_path / "d.db")
    common = dict(PROV, source_id="t")

    def insert(table, **row):
        row = {**common, **row}
        conn.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

    insert(
        "hazards",
        id="h-a",
        notice_no="甘安办发〔2025〕3号",
        enterprise_name="示例甲公司",
        hazard="储罐区无紧急切断",
        listed_on="2025-03-01",
    )
    insert(
        "hazards", id="h-b1", enterprise_name="示例乙公司", hazard="瓦斯抽采不达标", listed_on="2023-03-01"
    )
    insert(
        "hazards", id="h-b2", enterprise_name="示例乙公司", hazard="瓦斯抽采不达标", listed_on="2025-06-01"
    )
    # another enterprise's removal under the same 文号: not 甲's hazard
    insert(
        "hazard_events",
        id="e1",
        notice_no="甘安办发〔2025〕3号",
        enterprise_name="示例丙公司",
        event="removed",
        event_on="2025-05-01",
    )
    # a removal of 乙's 2023 listing, before the 2025 one was listed
    insert(
        "hazard_events",
        id="e2",
        enterprise_name="示例乙公司",
        hazard="瓦斯抽采不达标",
        event="removed",
        event_on="2024-01-10",
    )
    derive_disclosures.link_hazard_events(conn)
    links = dict(conn.execute("SELECT id, hazard_id FROM hazard_events"))
    assert links == {"e1": None, "e2": "h-b1"}
    conn.close()


def test_actions_against_agencies_stop_being_public_after_their_period(tmp_path):
    path = _internal(tmp_path)
    conn = sqlite3.connect(path)
    row = dict(
        id="x1",
        agency_name="示例安全评价有限公司",
        agency_id="a1",
        action="fined",
        measure="罚款人民币3万元",
        decided_on="2019-04-01",
        uscc="91620000MA00000001",
        **PROV,
    )
    conn.execute(
        f"INSERT INTO agency_actions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    listing = dict(
        row,
        id="x2",
        action="dishonest",
        decided_on="2026-01-05",
        start_on="2026-01-05",
        end_on="2026-12-31",
        measure=None,
    )
    conn.execute(
        f"INSERT INTO agency_actions ({', '.join(listing)}) VALUES ({', '.join('?' * len(listing))})",
        list(listing.values()),
    )
    conn.commit()
    conn.close()
    out = tmp_path / "public.db"
    build_public_db(path, out, D("2026-06-30"))
    pub = sqlite3.connect(out)
    pub.row_factory = sqlite3.Row
    rows = {r["action"]: dict(r) for r in pub.execute("SELECT * FROM agency_actions")}
    assert rows["fined"]["agency_name"] == "（已停止公示）" and rows["fined"]["uscc"] is None
    assert rows["fined"]["agency_id"] is None and rows["fined"]["publicity_active"] == 0
    assert rows["dishonest"]["publicity_active"] == 1 and rows["dishonest"]["publicity_end"] == "2026-12-31"
    assert b"91620000MA00000001" in out.read_bytes()  # the listing in force is public
    pub.close()


def test_status_gate_catches_an_agency_shown_qualified_after_its_validity(tmp_path):
    from publish import gates

    out = tmp_path / "public.db"
    build_public_db(_internal(tmp_path), out, D("2026-03-31"))  # the last day of validity
    assert not any(p.startswith("agency ") for p in gates.statuses(out, D("2026-03-31")).problems)
    assert any(p.startswith("agency a1") for p in gates.statuses(out, D("2026-04-01")).problems)
