"""A tiny internal database (etl/migrations.py schema) with one row per case the public filter
must handle, for precise rule tests of etl/public.py and for Datasette tests.

The real sample ETL run (the `internal_db` fixture in conftest.py) covers realistic data but
runs the sources once, so it has no withdrawn report and no record removed from its source;
those cases are here. All names and codes are fictional (示例数据).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from etl import migrations

AS_OF = "2026-06-30"
_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17: str) -> str:
    """A code whose GB 32100-2015 check character (MOD 31) is right."""
    total = sum(_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _CHARS[(31 - total % 31) % 31]


E1_USCC = uscc("91620102MA71LY001")
E2_USCC = uscc("91620402MA71BY002")
BAD_USCC = E2_USCC[:17] + ("0" if E2_USCC[-1] != "0" else "1")
EXPIRED_USCC = uscc("91620200MA71JY009")
E1 = "甘肃陇原示例化工有限公司"
E2 = "白银示例矿业有限责任公司"
EXPIRED_NAME = "嘉峪关示例冶金有限公司"  # only on an expired listing: must not appear in public
SECRET_ERROR = "Traceback: password=SECRET-ERROR"
SECRET_RAW = "SECRET-RAW-身份证620102199001011234"


def _prov(source_id, document_id=None, removed_run=None, **extra):
    row = dict(
        source_id=source_id,
        document_id=document_id,
        record_hash="h" + source_id,
        first_seen_run=1,
        last_seen_run=2,
        updated_run=1,
        removed_run=removed_run,
        removed_at="2026-06-01T00:00:00Z" if removed_run else None,
    )
    row.update(extra)
    return row


def _insert(conn, table, **row):
    conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )


def make_internal_db(path: Path) -> Path:
    path = Path(path)
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    migrations.apply(conn)
    with conn:
        _runs_and_sources(conn)
        _enterprises(conn)
        _accidents(conn)
        _lists(conn)
        _credit_and_statistics(conn)
    conn.close()
    return path


def _runs_and_sources(conn):
    _insert(
        conn,
        "etl_runs",
        id=1,
        started_at="2026-05-01T00:00:00Z",
        finished_at="2026-05-01T00:05:00Z",
        status="ok",
    )
    _insert(
        conn,
        "etl_runs",
        id=2,
        started_at="2026-06-01T00:00:00Z",
        finished_at="2026-06-01T00:05:00Z",
        status="ok",
    )
    for sid, kind in [
        ("sample-accidents", "accidents"),
        ("sample-blacklist", "blacklist"),
        ("sample-credit", "credit_records"),
        ("sample-rect", "rectification_assessments"),
    ]:
        _insert(
            conn,
            "sources",
            id=sid,
            kind=kind,
            title=f"{sid}（示例）",
            publisher="甘肃省应急管理厅",
            licence="政府信息主动公开",
            format="html_list",
            url=f"file:///samples/{sid}/",
            is_sample=1,
            last_status="ok",
            last_error=SECRET_ERROR,
            last_success_at="2026-06-01T00:05:00Z",
            record_count=3,
        )
    for doc_id, sid in [
        (1, "sample-accidents"),
        (2, "sample-accidents"),
        (3, "sample-blacklist"),
        (4, "sample-blacklist"),
        (5, "sample-accidents"),
    ]:
        _insert(
            conn,
            "documents",
            id=doc_id,
            source_id=sid,
            url=f"file:///samples/{sid}/{doc_id}.html",
            sha256=f"{doc_id:064d}",
            fetched_at="2026-06-01T00:00:00Z",
            http_status=200,
            etag="W/secret-etag",
            archive_path=f"00/{doc_id:064d}.gz",
            first_seen="2026-05-01T00:00:00Z",
            last_seen="2026-06-01T00:00:00Z",
        )
    _insert(
        conn,
        "rejects",
        run_id=2,
        source_id="sample-accidents",
        reason="缺少标题",
        raw=SECRET_RAW,
        at="2026-06-01T00:00:00Z",
    )


def _enterprises(conn):
    for eid, name, code, valid, city, industry in [
        ("ent-1", E1, E1_USCC, 1, "620100", "危险化学品"),
        ("ent-2", E2, BAD_USCC, 0, "620400", "金属非金属矿山"),
        ("ent-x", EXPIRED_NAME, EXPIRED_USCC, 1, "620200", "冶金"),
    ]:
        _insert(
            conn,
            "enterprises",
            id=eid,
            name=name,
            name_norm=name,
            uscc=code,
            uscc_valid=valid,
            uscc_problem=None if valid else "校验码不符",
            region_code=city,
            city_code=city,
            industry=industry,
            sources=json.dumps(["sample-accidents", "sample-blacklist"]),
        )
    for record, action in [("ent-1", "added"), ("ent-x", "added")]:
        _insert(
            conn,
            "changes",
            run_id=1,
            source_id="derive",
            table_name="enterprises",
            record_id=record,
            action=action,
            at="2026-05-01T00:00:00Z",
        )


def _accident(conn, id, title, **row):
    base = dict(
        id=id,
        title=title,
        region_code="620102",
        city_code="620100",
        industry="危险化学品",
        accident_type="爆炸",
        deaths=1,
        grade_stated="一般",
        grade_computed="一般",
        grade_mismatch=0,
        concealed=0,
        publisher="兰州市应急管理局",
    )
    base.update(row)
    _insert(conn, "accidents", **base)
    _insert(
        conn,
        "changes",
        run_id=1,
        source_id=base["source_id"],
        table_name="accidents",
        record_id=id,
        action="added",
        at="2026-05-01T00:00:00Z",
    )


def _accidents(conn):
    # approved 2024-03-01: window 2025-01-01..2025-03-01, no assessment -> overdue on AS_OF
    _accident(
        conn,
        "acc-1",
        f"{E1}“1·12”较大爆炸事故调查报告",
        occurred_on="2024-01-12",
        enterprise_id="ent-1",
        enterprise_name=E1,
        enterprise_uscc=E1_USCC,
        deaths=3,
        grade_stated="一般",
        grade_computed="较大",
        grade_mismatch=1,
        concealed=1,
        concealment="事故发生后瞒报死亡人数",
        approved_on="2024-03-01",
        summary="反应釜超温超压发生爆炸，企业瞒报1人死亡。",
        body_text="经调查，该化工有限公司发生爆炸。",
        doc_no="兰应急调〔2024〕1号",
        **_prov("sample-accidents", 1),
    )
    # assessed 不到位
    _accident(
        conn,
        "acc-2",
        f"{E1}“8·1”一般中毒窒息事故调查报告",
        occurred_on="2024-08-01",
        accident_type="中毒和窒息",
        enterprise_id="ent-1",
        enterprise_name=E1,
        deaths=2,
        approved_on="2024-11-20",
        summary="受限空间作业未检测，2人中毒窒息死亡。",
        **_prov("sample-accidents", 2),
    )
    # withdrawn from the source in run 2: stays public with withdrawn = 1
    _accident(
        conn,
        "acc-3",
        f"{E2}“6·3”一般冒顶片帮事故调查报告",
        occurred_on="2025-06-03",
        region_code="620402",
        city_code="620400",
        industry="金属非金属矿山",
        accident_type="冒顶片帮",
        enterprise_id="ent-2",
        enterprise_name=E2,
        deaths=1,
        approved_on="2025-09-01",
        summary="井下采场顶板冒落，造成1人死亡。",
        **_prov("sample-accidents", 5, removed_run=2),
    )
    # approved recently: not due
    _accident(
        conn,
        "acc-4",
        "某商贸公司“3·15”一般物体打击事故调查报告",
        occurred_on="2026-03-15",
        region_code="620902",
        city_code="620900",
        industry="商贸",
        accident_type="物体打击",
        enterprise_name="某商贸公司",
        approved_on="2026-05-20",
        summary="货物倒塌砸伤1人致死。",
        **_prov("sample-accidents", 1),
    )
    _insert(
        conn,
        "changes",
        run_id=2,
        source_id="sample-accidents",
        table_name="accidents",
        record_id="acc-3",
        action="removed",
        at="2026-06-01T00:00:00Z",
    )
    _insert(
        conn,
        "changes",
        run_id=2,
        source_id="sample-accidents",
        table_name="accidents",
        record_id="acc-1",
        action="updated",
        fields=json.dumps({"deaths": [2, 3]}),
        at="2026-06-01T00:00:00Z",
    )
    _insert(
        conn,
        "accountability",
        id="acc-1-1",
        accident_id="acc-1",
        subject_type="person",
        subject="张某昌",
        position="总经理",
        measure_type="罚款",
        measure="处上一年年收入60%的罚款",
        fine_yuan=180000,
        **_prov("sample-accidents", 1),
    )
    _insert(
        conn,
        "accountability",
        id="acc-3-1",
        accident_id="acc-3",
        subject_type="unit",
        subject=E2,
        measure_type="罚款",
        measure="罚款50万元",
        fine_yuan=500000,
        **_prov("sample-accidents", 5, removed_run=2),
    )
    _insert(
        conn,
        "rectification_assessments",
        id="ra-1",
        accident_id="acc-2",
        title=f"{E1}“8·1”事故整改措施落实情况评估报告",
        result="不到位",
        assessed_on="2025-10-30",
        published_on="2025-11-10",
        assessor="兰州市人民政府安全生产委员会办公室",
        summary="防范措施未落实到位。",
        **_prov("sample-rect"),
    )


def _blacklist(conn, id, **row):
    base = dict(id=id, subject_type="unit", authority="甘肃省应急管理厅", basis="第六条")
    base.update(row)
    _insert(conn, "blacklist", **base)
    _insert(
        conn,
        "changes",
        run_id=1,
        source_id="sample-blacklist",
        table_name="blacklist",
        record_id=id,
        action="added",
        at="2026-05-01T00:00:00Z",
    )


def _lists(conn):
    _blacklist(
        conn,
        "bl-1",
        subject_name=E1,
        enterprise_id="ent-1",
        uscc=E1_USCC,
        responsible_person="张某昌",
        decision_no="甘应急失信〔2025〕2号",
        reason="发生较大生产安全事故并瞒报",
        listed_on="2025-06-10",
        term_end="2028-06-09",
        region_code="620100",
        **_prov("sample-blacklist", 3),
    )
    _blacklist(
        conn,
        "bl-2",
        subject_name=EXPIRED_NAME,
        enterprise_id="ent-x",
        uscc=EXPIRED_USCC,
        responsible_person="李某军",
        id_number="620102********1234",
        decision_no="嘉应急失信〔2022〕1号",
        reason="瞒报事故",
        listed_on="2022-03-01",
        region_code="620200",
        removal_doc="嘉应急移〔2025〕1号",
        **_prov("sample-blacklist", 4),
    )
    _blacklist(
        conn,
        "bl-3",
        subject_name="removed-from-source示例公司",
        listed_on="2025-01-01",
        **_prov("sample-blacklist", 4, removed_run=2),
    )
    _insert(
        conn,
        "blacklist_removals",
        id="blr-1",
        subject_name="酒泉示例物流有限公司",
        removed_on="2026-05-10",
        removal_reason="提前移出",
        authority="酒泉市应急管理局",
        **_prov("sample-blacklist", 4),
    )
    _insert(
        conn,
        "bans",
        id="ban-1",
        subject_type="person",
        subject_name="王某",
        ban_type="终身禁入",
        lifetime=1,
        start_on="2024-05-01",
        reason="对重大事故负有责任",
        **_prov("sample-blacklist"),
    )
    _insert(
        conn,
        "bans",
        id="ban-2",
        subject_type="person",
        subject_name="赵某",
        ban_type="行业禁入",
        lifetime=0,
        start_on="2020-01-01",
        end_on="2024-12-31",
        **_prov("sample-blacklist"),
    )


def _credit_and_statistics(conn):
    _insert(
        conn,
        "credit_ratings",
        id="cr-1",
        enterprise_id="ent-2",
        enterprise_name=E2,
        uscc=BAD_USCC,
        rating="B",
        rating_year=2025,
        **_prov("sample-credit"),
    )
    _insert(
        conn,
        "credit_records",
        id="rec-1",
        enterprise_id="ent-1",
        enterprise_name=E1,
        uscc=E1_USCC,
        record_type="行政处罚",
        decision_no="（甘）应急罚〔2025〕12号",
        facts="未对重大危险源监测。",
        decided_on="2025-10-10",
        publicity_start="2025-10-15",
        publicity_end="2028-10-14",
        **_prov("sample-credit"),
    )
    _insert(
        conn,
        "credit_records",
        id="rec-2",
        enterprise_id="ent-x",
        enterprise_name=EXPIRED_NAME,
        uscc=EXPIRED_USCC,
        record_type="行政处罚",
        decision_no="（嘉）应急罚〔2021〕3号",
        facts="旧记录",
        decided_on="2021-03-01",
        publicity_start="2021-03-05",
        publicity_end="2024-03-04",
        **_prov("sample-credit"),
    )
    for year, city, name, deaths in [
        (2024, "620100", "兰州市", 70),
        (2025, "620100", "兰州市", 66),
        (2025, "620000", "甘肃省", 360),
    ]:
        _insert(
            conn,
            "annual_statistics",
            id=f"st-{year}-{city}",
            year=year,
            region_code=city,
            region_name=name,
            accidents=deaths * 2,
            deaths=deaths,
            gdp_yi=10000.0,
            deaths_per_yi_gdp=deaths / 10000,
            **_prov("sample-credit"),
        )
