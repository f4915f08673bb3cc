"""A blacklist entry's history, end to end: announcement rows as the source tables word them →
the dataset normalizers → the internal database → etl/derive.py (events) → etl/public.py (status
as of a date) → the publish gate. Names and codes are fictional (示例数据); the wording follows
the phrasing real 移出 and 撤销提前移出 notices use, written for these tests."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest

from etl import db as database
from etl import derive
from etl.datasets import blacklist, blacklist_removals, credit_records
from etl.datasets.common import Context
from etl.public import build_public_db
from etl.spec import load_specs
from publish import gates

A, B, C, OLD = "陇南示例矿业有限公司", "白银示例化工有限公司", "张掖示例建材有限公司", "庆阳示例石化有限公司"


def _ctx(source_id: str) -> Context:
    return Context(load_specs(only=[source_id])[0], "file://example", 1)


LISTINGS = [  # fields as the listing announcement's table gives them
    {
        "subject_name": A,
        "subject_type": "生产经营单位",
        "decision_no": "陇应急罚〔2023〕41号",
        "reason": "瞒报生产安全事故",
        "listed_on": "2023年10月10日",
        "authority": "陇南市应急管理局",
    },
    {
        "subject_name": B,
        "subject_type": "生产经营单位",
        "decision_no": "白应急罚〔2023〕7号",
        "reason": "未依法取得安全生产许可证擅自从事生产经营活动",
        "listed_on": "2023-11-20",
        "term_end": "2023年11月20日至2026年11月19日",
        "authority": "白银市应急管理局",
    },
    {
        "subject_name": C,
        "subject_type": "生产经营单位",
        "decision_no": "张应急罚〔2024〕3号",
        "reason": "被责令停产整顿期间擅自组织生产",
        "listed_on": "2024-01-15",
        "term_end": "三年",
        "authority": "张掖市应急管理局",
    },
    # listed under 安监总办〔2017〕49号, no end stated: one year, not Order No. 11's three
    {
        "subject_name": OLD,
        "subject_type": "生产经营单位",
        "decision_no": "庆安监罚〔2021〕5号",
        "reason": "发生较大生产安全事故",
        "listed_on": "2021-05-12",
        "authority": "庆阳市应急管理局",
    },
]
REMOVALS = [
    {
        "subject_name": A,
        "decision_no": "陇应急罚〔2023〕41号",
        "removed_on": "2024年11月1日",
        "removal_reason": "列入满12个月，经申请审核符合条件，予以提前移出（信用修复）",
        "authority": "陇南市应急管理局",
    },
    {
        "subject_name": A,
        "decision_no": "陇应急罚〔2023〕41号",
        "removed_on": "2025年2月1日",
        "removal_reason": "经核查，该单位申请提前移出时隐瞒真实情况，撤销提前移出决定，恢复列入严重失信主体名单",
        "authority": "陇南市应急管理局",
    },
    {
        "subject_name": B,
        "decision_no": "白应急罚〔2023〕7号",
        "removed_on": "2024-06-01",
        "removal_reason": "经行政复议，原处罚决定被撤销，撤销列入决定",
        "authority": "白银市应急管理局",
    },
]


@pytest.fixture(scope="module")
def internal(tmp_path_factory):
    path = tmp_path_factory.mktemp("history") / "disclosure.db"
    conn = database.connect(path)
    prov = {"source_id": "s", "record_hash": "h", "first_seen_run": 1, "last_seen_run": 1}
    with conn:
        for module, source, rows in (
            (blacklist, "gs-yjt-blacklist", LISTINGS),
            (blacklist_removals, "gs-yjt-blacklist-removals", REMOVALS),
        ):
            for fields in rows:
                for table, records in module.normalize(dict(fields), _ctx(source)).items():
                    for record in records:
                        row = {**record, **prov}
                        conn.execute(
                            f"INSERT INTO {table} ({', '.join(row)}) VALUES"
                            f" ({', '.join('?' * len(row))})",
                            list(row.values()),
                        )
        derive.link_removals(conn)
    conn.close()
    return path


def _public(internal, tmp_path, as_of: str) -> dict[str, dict]:
    out = tmp_path / f"public-{as_of}.db"
    build_public_db(internal, out, date.fromisoformat(as_of))
    conn = sqlite3.connect(out)
    conn.row_factory = sqlite3.Row
    rows = {r["decision_no"] or r["id"]: dict(r) for r in conn.execute("SELECT * FROM blacklist")}
    conn.close()
    return rows


def test_derive_keeps_every_event_of_an_entry(internal):
    conn = sqlite3.connect(internal)
    events = json.loads(
        conn.execute(
            "SELECT events FROM blacklist WHERE decision_no = ?", ("陇应急罚〔2023〕41号",)
        ).fetchone()[0]
    )
    conn.close()
    assert [(e["on"], e["kind"]) for e in events] == [
        ("2024-11-01", "removed_early"),
        ("2025-02-01", "removal_revoked"),
    ]


@pytest.mark.parametrize(
    "as_of, in_force, status",
    [
        ("2024-10-31", 1, "active"),
        ("2024-11-01", 0, "removed"),  # removed early: publicity stops
        ("2025-01-31", 0, "removed"),
        ("2025-02-01", 1, "restored"),  # 撤销提前移出决定，恢复列入: shown again
        ("2026-10-10", 1, "restored"),  # the last day of the computed 3-year term
        ("2026-10-11", 0, "expired"),
    ],
)
def test_a_revoked_early_removal_puts_the_entry_back_on_the_list(internal, tmp_path, as_of, in_force, status):
    entry = _public(internal, tmp_path, as_of)
    row = next(r for r in entry.values() if r["status"] == status and r["listed_on"] == "2023-10-10")
    assert row["in_force"] == in_force
    if in_force:
        assert row["subject_name"] == A and "应急管理部令第11号" in row["rule_zh"]
        assert row["term_end"] == "2026-10-10" and row["term_stated"] == 0
    if status == "restored":
        assert row["events_zh"] == "2024-11-01 提前移出（信用修复）；2025-02-01 撤销提前移出、恢复列入"
        assert row["removed_on"] is None  # no removal stands on that date


def test_a_revoked_listing_is_not_shown_and_a_stated_last_day_is_in_force(internal, tmp_path):
    before = _public(internal, tmp_path, "2024-05-31")
    assert before["白应急罚〔2023〕7号"]["in_force"] == 1
    assert before["白应急罚〔2023〕7号"]["term_end"] == "2026-11-19"  # as the announcement states it
    after = _public(internal, tmp_path, "2024-06-01")
    revoked = [r for r in after.values() if r["status"] == "revoked"]
    assert len(revoked) == 1 and revoked[0]["subject_name"] != B and revoked[0]["uscc"] is None


def test_a_stated_length_counts_from_the_listing_day(internal, tmp_path):
    rows = _public(internal, tmp_path, "2027-01-15")
    assert rows["张应急罚〔2024〕3号"]["term_end"] == "2027-01-15"
    assert rows["张应急罚〔2024〕3号"]["in_force"] == 1
    assert all(r["subject_name"] != C for r in _public(internal, tmp_path, "2027-01-16").values())


def test_a_pre_2023_listing_follows_the_rule_of_its_day(internal, tmp_path):
    rows = _public(internal, tmp_path, "2022-05-12")
    old = rows["庆安监罚〔2021〕5号"]
    assert old["in_force"] == 1 and old["term_end"] == "2022-05-12" and old["rule"] == "ajzb-2017-49"
    assert "安监总办〔2017〕49号" in old["rule_zh"] and old["early_removal_from"] is None
    later = _public(internal, tmp_path, "2022-05-13")
    assert all(r["subject_name"] != OLD for r in later.values())


def test_the_gate_recomputes_restored_entries_as_in_force(internal, tmp_path):
    out = tmp_path / "public.db"
    build_public_db(internal, out, date(2025, 3, 1))
    assert gates.statuses(out, date(2025, 3, 1)).problems == []
    # a release carried to a later date would show an expired entry: the gate stops it
    assert any("shown in force" in p for p in gates.statuses(out, date(2026, 10, 11)).problems)


# --- credit records without a stated end -----------------------------------------------------


@pytest.mark.parametrize(
    "decided_on, penalty, last_public_day",
    [
        ("2022-03-15", "罚款人民币3万元", "2023-03-15"),  # 527号: 一般, 1 year
        ("2022-03-15", "责令停产停业整顿，罚款人民币50万元", "2025-03-15"),  # 527号: 严重, 3 years
        ("2024-03-15", "罚款人民币3万元", "2027-03-15"),  # 58号令: 3 years at most
        ("2026-05-20", "罚款人民币3万元", "2027-05-20"),  # 36号令: 一般, 1 year
        ("2026-05-20", "警告", "2026-08-20"),  # 36号令: 轻微, 3 months
    ],
)
def test_a_penalty_without_an_end_is_public_for_the_period_its_rule_sets(
    tmp_path, decided_on, penalty, last_public_day
):
    fields = {
        "enterprise_name": "定西示例化工有限公司",
        "record_type": "行政处罚",
        "decision_no": "定应急罚〔2022〕9号",
        "authority": "定西市应急管理局",
        "penalty": penalty,
        "decided_on": decided_on,
        "facts": "未按规定对安全设备进行检测",
    }
    record = credit_records.normalize(fields, _ctx("gs-credit-records"))["credit_records"][0]
    assert record["publicity_end"] is None  # the source states none
    path = tmp_path / "d.db"
    conn = database.connect(path)
    with conn:
        row = {**record, "source_id": "s", "record_hash": "h", "first_seen_run": 1, "last_seen_run": 1}
        conn.execute(
            f"INSERT INTO credit_records ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    conn.close()
    last = date.fromisoformat(last_public_day)
    for as_of, shown in ((last, 1), (date.fromordinal(last.toordinal() + 1), 0)):
        out = tmp_path / f"p-{as_of}.db"
        build_public_db(path, out, as_of)
        pub = sqlite3.connect(out)
        active, end, basis, name = pub.execute(
            "SELECT publicity_active, publicity_end, publicity_basis_zh, enterprise_name FROM credit_records"
        ).fetchone()
        pub.close()
        assert (active, end) == (shown, last_public_day)
        assert "来源未载明公示期限" in basis and "自决定日期起算" in basis
        assert (name == "定西示例化工有限公司") == bool(shown)
