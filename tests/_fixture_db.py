"""The hand-built fixture databases (etl/migrations.py schema): one row per case a rule or a page
must handle, including what one ETL run on the samples cannot produce (a withdrawn report, a
record removed from its source). The real sample ETL run (the `internal_db` and `public_db`
fixtures in conftest.py) covers realistic data. All names and codes are fictional (示例数据).

A shared base (a new database with the real migrations, the fictional enterprises' names and
codes, the provenance columns, sources, the change log) carries two case sets:

- ``make_internal_db``: the public filter's rule cases (tests/test_public.py), with secrets
  planted in internal-only tables and columns;
- ``make_public_db``: the site's cases (tests/_site_fixture.py builds the site from it), run
  through the real public filter (etl.public.build_public_db) as of AS_OF.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from etl import derive, migrations
from etl.datasets import bans
from etl.datasets.common import Context
from etl.prepare import mask_row
from etl.public import build_public_db

AS_OF = "2026-06-30"
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17: str) -> str:
    """A code whose GB 32100-2015 check character (MOD 31) is right."""
    total = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _USCC_CHARS[(31 - total % 31) % 31]


def wrong_check(code: str) -> str:
    """``code`` with a wrong check character: a 统一社会信用代码 that fails validation."""
    return code[:17] + ("0" if code[-1] != "0" else "1")


# The enterprises both case sets have.
E1_NAME = "甘肃陇原示例化工有限公司"
E1_USCC = uscc("91620102MA71LY001")
E2_NAME = "白银示例矿业有限责任公司"
E2_USCC = uscc("91620402MA71BY002")
EXPIRED_NAME = "嘉峪关示例冶金有限公司"  # only ever on an expired blacklist entry: must not appear anywhere
EXPIRED_USCC = uscc("91620200MA71JY009")


# ---------------------------------------------------------------- the shared base


def _database(path: Path, *parts: Callable[[sqlite3.Connection], None]) -> Path:
    """A new database at ``path`` with the real migrations, filled by ``parts`` in one transaction."""
    path = Path(path)
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        migrations.apply(conn)
        with conn:
            for part in parts:
                part(conn)
    finally:
        conn.close()
    return path


def _insert(conn, table, **row):
    conn.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )


def _provenance(source_id: str, record_hash: str | None = None, **extra) -> dict:
    """The columns etl/load.py keeps on every record: first seen in run 1, still in its source in run 2."""
    return dict(
        source_id=source_id,
        record_hash=record_hash or "h" + source_id,
        first_seen_run=1,
        last_seen_run=2,
        updated_run=1,
        **extra,
    )


def _source(conn, source_id: str, kind: str, **row):
    """A sample source of ``kind`` whose last run loaded three records."""
    _insert(
        conn,
        "sources",
        id=source_id,
        kind=kind,
        format="html_list",
        is_sample=1,
        last_status="ok",
        record_count=3,
        **row,
    )


def _change(conn, run_id, table, record_id, action, at, source_id="sample-accidents", **row):
    """A row of the change log (``row``: the changed fields)."""
    _insert(
        conn,
        "changes",
        run_id=run_id,
        source_id=source_id,
        table_name=table,
        record_id=record_id,
        action=action,
        at=at,
        **row,
    )


# ---------------------------------------------------------------- the public filter's cases

E2_USCC_BAD = wrong_check(E2_USCC)  # ent-2 is listed under a code that fails its check
SECRET_ERROR = "Traceback: password=SECRET-ERROR"
SECRET_RAW = "SECRET-RAW-身份证620102199001011234"
_REMOVED = dict(removed_run=2, removed_at="2026-06-01T00:00:00Z")  # gone from its source in run 2


def make_internal_db(path: Path) -> Path:
    """The public filter's rule cases at ``path``; return ``path``."""
    return _database(
        path,
        _rule_runs_and_sources,
        _rule_enterprises,
        _rule_accidents,
        _rule_lists,
        _rule_credit_and_statistics,
    )


def _rule_runs_and_sources(conn):
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
        _source(
            conn,
            sid,
            kind,
            title=f"{sid}（示例）",
            publisher="甘肃省应急管理厅",
            licence="政府信息主动公开",
            url=f"file:///samples/{sid}/",
            last_error=SECRET_ERROR,
            last_success_at="2026-06-01T00:05:00Z",
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


def _rule_enterprises(conn):
    for eid, name, code, valid, city, industry in [
        ("ent-1", E1_NAME, E1_USCC, 1, "620100", "危险化学品"),
        ("ent-2", E2_NAME, E2_USCC_BAD, 0, "620400", "金属非金属矿山"),
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
    for record in ("ent-1", "ent-x"):
        _change(conn, 1, "enterprises", record, "added", "2026-05-01T00:00:00Z", source_id="derive")


def _rule_accident(conn, id, title, **row):
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
    _change(conn, 1, "accidents", id, "added", "2026-05-01T00:00:00Z", source_id=base["source_id"])


def _rule_accidents(conn):
    # approved 2024-03-01: window 2025-01-01..2025-03-01, no assessment -> overdue on AS_OF
    _rule_accident(
        conn,
        "acc-1",
        f"{E1_NAME}“1·12”较大爆炸事故调查报告",
        occurred_on="2024-01-12",
        enterprise_id="ent-1",
        enterprise_name=E1_NAME,
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
        **_provenance("sample-accidents", document_id=1),
    )
    # assessed 不到位
    _rule_accident(
        conn,
        "acc-2",
        f"{E1_NAME}“8·1”一般中毒窒息事故调查报告",
        occurred_on="2024-08-01",
        accident_type="中毒和窒息",
        enterprise_id="ent-1",
        enterprise_name=E1_NAME,
        deaths=2,
        approved_on="2024-11-20",
        summary="受限空间作业未检测，2人中毒窒息死亡。",
        **_provenance("sample-accidents", document_id=2),
    )
    # withdrawn from the source in run 2: stays public with withdrawn = 1
    _rule_accident(
        conn,
        "acc-3",
        f"{E2_NAME}“6·3”一般冒顶片帮事故调查报告",
        occurred_on="2025-06-03",
        region_code="620402",
        city_code="620400",
        industry="金属非金属矿山",
        accident_type="冒顶片帮",
        enterprise_id="ent-2",
        enterprise_name=E2_NAME,
        deaths=1,
        approved_on="2025-09-01",
        summary="井下采场顶板冒落，造成1人死亡。",
        **_provenance("sample-accidents", document_id=5, **_REMOVED),
    )
    # approved recently: not due
    _rule_accident(
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
        **_provenance("sample-accidents", document_id=1),
    )
    _change(conn, 2, "accidents", "acc-3", "removed", "2026-06-01T00:00:00Z")
    _change(
        conn,
        2,
        "accidents",
        "acc-1",
        "updated",
        "2026-06-01T00:00:00Z",
        fields=json.dumps({"deaths": [2, 3]}),
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
        **_provenance("sample-accidents", document_id=1),
    )
    _insert(
        conn,
        "accountability",
        id="acc-3-1",
        accident_id="acc-3",
        subject_type="unit",
        subject=E2_NAME,
        measure_type="罚款",
        measure="罚款50万元",
        fine_yuan=500000,
        **_provenance("sample-accidents", document_id=5, **_REMOVED),
    )
    _insert(
        conn,
        "rectification_assessments",
        id="ra-1",
        accident_id="acc-2",
        title=f"{E1_NAME}“8·1”事故整改措施落实情况评估报告",
        result="不到位",
        assessed_on="2025-10-30",
        published_on="2025-11-10",
        assessor="兰州市人民政府安全生产委员会办公室",
        summary="防范措施未落实到位。",
        **_provenance("sample-rect"),
    )


def _rule_blacklist_entry(conn, id, **row):
    base = dict(id=id, subject_type="unit", authority="甘肃省应急管理厅", basis="第六条")
    base.update(row)
    _insert(conn, "blacklist", **base)
    _change(conn, 1, "blacklist", id, "added", "2026-05-01T00:00:00Z", source_id="sample-blacklist")


def _rule_lists(conn):
    _rule_blacklist_entry(
        conn,
        "bl-1",
        subject_name=E1_NAME,
        enterprise_id="ent-1",
        uscc=E1_USCC,
        responsible_person="张某昌",
        decision_no="甘应急失信〔2025〕2号",
        reason="发生较大生产安全事故并瞒报",
        listed_on="2025-06-10",
        term_end="2028-06-09",
        region_code="620100",
        **_provenance("sample-blacklist", document_id=3),
    )
    _rule_blacklist_entry(
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
        **_provenance("sample-blacklist", document_id=4),
    )
    _rule_blacklist_entry(
        conn,
        "bl-3",
        subject_name="removed-from-source示例公司",
        listed_on="2025-01-01",
        **_provenance("sample-blacklist", document_id=4, **_REMOVED),
    )
    _insert(
        conn,
        "blacklist_removals",
        id="blr-1",
        subject_name="酒泉示例物流有限公司",
        removed_on="2026-05-10",
        removal_reason="提前移出",
        authority="酒泉市应急管理局",
        **_provenance("sample-blacklist", document_id=4),
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
        **_provenance("sample-blacklist"),
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
        **_provenance("sample-blacklist"),
    )


def _rule_credit_and_statistics(conn):
    _insert(
        conn,
        "credit_ratings",
        id="cr-1",
        enterprise_id="ent-2",
        enterprise_name=E2_NAME,
        uscc=E2_USCC_BAD,
        rating="B",
        rating_year=2025,
        **_provenance("sample-credit"),
    )
    _insert(
        conn,
        "credit_records",
        id="rec-1",
        enterprise_id="ent-1",
        enterprise_name=E1_NAME,
        uscc=E1_USCC,
        record_type="行政处罚",
        decision_no="（甘）应急罚〔2025〕12号",
        facts="未对重大危险源监测。",
        decided_on="2025-10-10",
        publicity_start="2025-10-15",
        publicity_end="2028-10-14",
        **_provenance("sample-credit"),
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
        **_provenance("sample-credit"),
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
            **_provenance("sample-credit"),
        )


# ---------------------------------------------------------------- the site's cases
#
# As of AS_OF: an overdue, a due, a not-yet-due and an assessed rectification, a withdrawn report,
# an in-force, an expired and a removed blacklist entry, a credit record past its publicity
# period, masked personal data, an invalid 统一社会信用代码 and a source text that tries to inject
# markup.

E3_NAME = "天水示例建材有限公司"
E3_USCC_BAD = wrong_check(uscc("91620502MA71TH003"))
E4_NAME = "酒泉示例物流有限公司"
E4_USCC = uscc("91620902MA71JQ004")
MASKED_ID = "620102********1234"
# Persons on the bans list as sources print them (no part of the number may be published): one
# stored under the old masking policy (a fragment in its text), one whose source prints a full
# number, one printing fragments in other masked styles. FULL_ID has a correct check digit.
FULL_ID = "620102199001011239"
FRAGMENT_PRINTED = ("412***********7714", "6201**********1234", "62010219******1234")
PERSON_UNIT = "白银示例矿业有限责任公司"
OLD_RECORD_FACTS = "公示期已满的旧记录：未按规定培训"  # publicity ended 2025-03-04: must not appear
XSS_SUMMARY = (
    "经调查，事故原因是违章作业。<script>alert('xss')</script>"
    '<img src=x onerror=alert(1)> 详见<a href="javascript:alert(2)">链接</a>。'
)


def make_public_db(path: Path) -> Path:
    """Write the site's cases into an internal database next to ``path``, run the real public
    filter on it as of AS_OF into ``path``, and return ``path``."""
    path = Path(path)
    internal = _database(
        path.with_name("internal-" + path.name),
        _site_runs_and_sources,
        _site_enterprises,
        _site_accidents,
        _site_credit,
        _site_blacklist,
        _site_statistics,
        _site_removal_events,
    )
    build_public_db(internal, path, date.fromisoformat(AS_OF))
    return path


def _site_provenance(source_id: str = "sample-accidents") -> dict:
    """The provenance columns of a site record (one record hash for all)."""
    return _provenance(source_id, record_hash="h")


def _site_removal_events(conn):
    """The blacklist entries' events, as every ETL run derives them."""
    conn.row_factory = sqlite3.Row
    derive.link_removals(conn)


def _site_runs_and_sources(conn):
    _insert(conn, "etl_runs", id=1, started_at="2026-05-01T06:00:00+08:00", status="ok")
    _insert(conn, "etl_runs", id=2, started_at="2026-06-29T06:00:00+08:00", status="ok")
    for sid, kind, title, ok in [
        (
            "sample-accidents",
            "accidents",
            "甘肃省应急管理厅 事故调查报告（示例）",
            "2026-06-29T06:10:00+08:00",
        ),
        (
            "sample-rectification",
            "rectification_assessments",
            "整改措施落实情况评估（示例）",
            "2026-06-28T06:12:00+08:00",
        ),
        ("sample-credit", "credit_records", "安全生产信用信息（示例）", "2026-06-29T06:20:00+08:00"),
        ("sample-blacklist", "blacklist", "安全生产严重失信主体名单（示例）", "2026-06-27T06:30:00+08:00"),
        ("sample-statistics", "annual_statistics", "安全生产统计年报（示例）", "2026-03-02T06:30:00+08:00"),
    ]:
        _source(
            conn,
            sid,
            kind,
            title=title,
            publisher="甘肃省应急管理厅（示例）",
            licence="政府信息主动公开，转载请注明来源",
            url=f"https://yjgl.example.invalid/{sid}/",
            region_code="620000",
            max_age_days=60,
            last_success_at=ok,
        )
    _insert(
        conn,
        "documents",
        id=1,
        source_id="sample-accidents",
        url="https://yjgl.example.invalid/sgdc/2025/1.html",
        sha256="a" * 64,
        fetched_at="2026-06-29T06:10:00+08:00",
        http_status=200,
        content_type="text/html",
        archive_path="aa/" + "a" * 64 + ".gz",
        first_seen="2026-01-05T06:00:00+08:00",
        last_seen="2026-06-29T06:10:00+08:00",
        size=12345,
    )
    _change(
        conn,
        2,
        "accidents",
        "acc-0001",
        "updated",
        "2026-03-02T06:00:00+08:00",
        fields=json.dumps({"deaths": [2, 3]}),
    )
    _change(conn, 1, "accidents", "acc-0001", "added", "2026-01-05T06:00:00+08:00")


def _site_enterprises(conn):
    rows = [
        ("ent-0001", E1_NAME, E1_USCC, 1, None, "620102", "620100", "兰州市城关区", "危险化学品"),
        ("ent-0002", E2_NAME, E2_USCC, 1, None, "620402", "620400", "白银市白银区", "金属非金属矿山"),
        ("ent-0003", E3_NAME, E3_USCC_BAD, 0, "校验位不符", "620502", "620500", "天水市秦州区", "建材"),
        ("ent-0004", E4_NAME, E4_USCC, 1, None, "620902", "620900", "酒泉市肃州区", "商贸"),
        ("ent-0009", EXPIRED_NAME, EXPIRED_USCC, 1, None, "620200", "620200", "嘉峪关市", "冶金"),
    ]
    for eid, name, code, valid, problem, region, city, rname, ind in rows:
        _insert(
            conn,
            "enterprises",
            id=eid,
            name=name,
            name_norm=name,
            uscc=code,
            uscc_valid=valid,
            uscc_problem=problem,
            region_code=region,
            city_code=city,
            region_name=rname,
            industry=ind,
        )


def _site_accident(conn, **row):
    base = dict(
        **_site_provenance(),
        occurred_time=None,
        missing=0,
        injuries=0,
        grade_mismatch=0,
        concealed=0,
        publisher="甘肃省应急管理厅（示例）",
    )
    base.update(row)
    _insert(conn, "accidents", **base)


def _site_accidents(conn):
    # approved 2025-05-15: assessment window 2026-03-15..2026-05-15, none published -> overdue
    _site_accident(
        conn,
        id="acc-0001",
        title="甘肃陇原示例化工有限公司“1·12”较大爆炸事故调查报告",
        occurred_on="2025-01-12",
        region_code="620102",
        city_code="620100",
        region_name="兰州市城关区",
        enterprise_id="ent-0001",
        enterprise_name=E1_NAME,
        enterprise_uscc=E1_USCC,
        industry="危险化学品",
        accident_type="爆炸",
        deaths=3,
        injuries=2,
        serious_injuries=2,
        direct_loss_yuan=12500000,
        grade_stated="较大",
        grade_computed="较大",
        summary="2025年1月12日，该公司反应釜超温超压发生爆炸，造成3人死亡、2人重伤。\n直接原因是违规操作。",
        index_no="620000001/2025-00101",
        doc_no="甘应急调〔2025〕1号",
        written_on="2025-05-10",
        published_on="2025-05-20",
        approved_on="2025-05-15",
        document_id=1,
        source_url="https://yjgl.example.invalid/sgdc/2025/1.html",
    )
    # assessed 基本到位
    _site_accident(
        conn,
        id="acc-0002",
        title="白银示例矿业有限责任公司“6·3”一般冒顶片帮事故调查报告",
        occurred_on="2024-06-03",
        region_code="620402",
        city_code="620400",
        region_name="白银市白银区",
        enterprise_id="ent-0002",
        enterprise_name=E2_NAME,
        enterprise_uscc=E2_USCC,
        industry="金属非金属矿山",
        accident_type="冒顶片帮",
        deaths=1,
        serious_injuries=0,
        direct_loss_yuan=1800000,
        grade_stated="一般",
        grade_computed="一般",
        summary="井下采场顶板冒落，造成1人死亡。",
        doc_no="白应急调〔2024〕7号",
        published_on="2024-09-01",
        approved_on="2024-08-20",
        source_url="https://yjgl.example.invalid/sgdc/2024/7.html",
    )
    # approved 2026-04-28: not yet due
    _site_accident(
        conn,
        id="acc-0003",
        title="天水示例建材有限公司“2·8”一般机械伤害事故调查报告",
        occurred_on="2026-02-08",
        region_code="620502",
        city_code="620500",
        region_name="天水市秦州区",
        enterprise_id="ent-0003",
        enterprise_name=E3_NAME,
        enterprise_uscc=E3_USCC_BAD,
        industry="建材",
        accident_type="机械伤害",
        deaths=1,
        direct_loss_yuan=900000,
        grade_stated="一般",
        grade_computed="一般",
        summary="员工清理设备时被卷入，1人死亡。",
        published_on="2026-05-06",
        approved_on="2026-04-28",
        source_url="https://yjgl.example.invalid/sgdc/2026/3.html",
    )
    # approved 2025-08-20: window 2026-06-20..2026-08-20 -> due; its texts try to inject markup
    _site_accident(
        conn,
        id="acc-0004",
        title="某商贸公司“3·15”一般物体打击事故调查报告",
        occurred_on="2025-03-15",
        region_code="620902",
        city_code="620900",
        region_name="酒泉市肃州区",
        enterprise_name="某商贸公司",
        industry="商贸",
        accident_type="物体打击",
        deaths=1,
        grade_stated="一般",
        grade_computed="一般",
        summary=XSS_SUMMARY,
        published_on="2025-08-25",
        approved_on="2025-08-20",
        source_url="javascript:alert(3)",
    )
    # withdrawn by its source in run 2: stays public with withdrawn = 1; no 批复 date -> unknown
    _site_accident(
        conn,
        id="acc-0005",
        title="甘肃陇原示例化工有限公司“8·1”一般中毒窒息事故调查报告",
        occurred_on="2023-08-01",
        region_code="620102",
        city_code="620100",
        region_name="兰州市城关区",
        enterprise_id="ent-0001",
        enterprise_name=E1_NAME,
        enterprise_uscc=E1_USCC,
        industry="危险化学品",
        accident_type="中毒和窒息",
        deaths=2,
        grade_stated="一般",
        grade_computed="一般",
        summary="受限空间作业未检测，2人中毒窒息死亡。",
        published_on="2023-12-01",
        source_url="https://yjgl.example.invalid/sgdc/2023/9.html",
        removed_run=2,
        removed_at="2026-06-29T06:10:00+08:00",
    )
    for i, (acc, stype, subj, pos, mtype, measure, fine) in enumerate(
        [
            ("acc-0001", "unit", E1_NAME, None, "罚款", "处以罚款", 450000),
            ("acc-0001", "person", "张某昌", "总经理", "罚款", "处上一年年收入60%的罚款", 180000),
            ("acc-0001", "person", "王某", "安全员", "移送司法", "涉嫌重大责任事故罪，移送司法机关", None),
        ]
    ):
        _insert(
            conn,
            "accountability",
            id=f"acct-{i}",
            accident_id=acc,
            subject_type=stype,
            subject=subj,
            position=pos,
            measure_type=mtype,
            measure=measure,
            fine_yuan=fine,
            **_site_provenance(),
        )
    _insert(
        conn,
        "rectification_assessments",
        id="ra-0001",
        accident_id="acc-0002",
        title="白银示例矿业“6·3”事故整改措施落实情况评估报告",
        result="基本到位",
        assessed_on="2025-07-30",
        published_on="2025-08-10",
        assessor="白银市人民政府安全生产委员会办公室",
        summary="评估组逐项核查了防范和整改措施，认为基本落实。",
        **_site_provenance("sample-rectification"),
    )


def _site_credit(conn):
    prov = _site_provenance("sample-credit")
    for rid, ent, name, code, rating, year in [
        ("cr-1", "ent-0001", E1_NAME, E1_USCC, "B", 2024),
        ("cr-2", "ent-0001", E1_NAME, E1_USCC, "C", 2025),
        ("cr-3", "ent-0002", E2_NAME, E2_USCC, "A", 2025),
        ("cr-4", "ent-0004", E4_NAME, E4_USCC, "B", 2025),
    ]:
        _insert(
            conn,
            "credit_ratings",
            id=rid,
            enterprise_id=ent,
            enterprise_name=name,
            uscc=code,
            rating=rating,
            rating_year=year,
            rated_on=f"{year}-12-20",
            rater="甘肃省应急管理厅",
            **prov,
        )
    _insert(
        conn,
        "credit_records",
        id="rec-1",
        enterprise_id="ent-0001",
        enterprise_name=E1_NAME,
        uscc=E1_USCC,
        record_type="行政处罚",
        decision_no="（甘）应急罚〔2025〕12号",
        authority="甘肃省应急管理厅",
        facts="未按规定对重大危险源进行监测监控。",
        basis="《安全生产法》第一百零一条",
        penalty="罚款",
        fine_yuan=50000,
        decided_on="2025-10-10",
        publicity_start="2025-10-15",
        publicity_end="2028-10-14",
        **prov,
    )
    _insert(
        conn,
        "credit_records",
        id="rec-2",
        enterprise_id="ent-0002",
        enterprise_name=E2_NAME,
        uscc=E2_USCC,
        record_type="行政处罚",
        decision_no="（白）应急罚〔2022〕3号",
        authority="白银市应急管理局",
        facts=OLD_RECORD_FACTS,
        penalty="警告",
        decided_on="2022-03-01",
        publicity_start="2022-03-05",
        publicity_end="2025-03-04",
        **prov,
    )
    _insert(
        conn,
        "bans",
        id="ban-1",
        subject_type="person",
        subject_name="李某军",
        enterprise_id="ent-0003",
        uscc=None,
        id_number=MASKED_ID,
        ban_type="行业禁入",
        scope="五年内不得担任任何生产经营单位的主要负责人",
        reason=f"对较大事故负有主要责任（身份证号：{MASKED_ID}）",
        unit=E3_NAME,
        authority="天水市应急管理局",
        decision_no="天应急禁〔2026〕1号",
        start_on="2026-03-01",
        end_on="2031-02-28",
        lifetime=0,
        region_code="620500",
        **prov,
    )
    _site_persons_as_printed(conn, prov)


def _site_persons_as_printed(conn, prov):
    """Bans rows made by the real ETL steps (etl/datasets/bans.py, then the masking safety net)
    from source fields that print a full ID number and masked fragments of others."""
    ctx = Context(
        spec=SimpleNamespace(id="sample-bans", publisher="甘肃省应急管理厅（示例）", region_code="620000"),
        url="https://yjgl.example.invalid/jrmd/2026/1.html",
        document_id=None,
    )
    printed = [
        dict(
            subject_name="孙志平",
            subject_type="个人",
            id_number=FULL_ID,
            ban_type="行业禁入",
            scope="终身不得担任本行业生产经营单位的主要负责人",
            reason=f"作为{PERSON_UNIT}主要负责人（身份证号码{FULL_ID}），对“6·3”事故负有责任",
            authority="白银市应急管理局",
            decision_no="白应急禁〔2026〕2号",
            start_on="2026-04-01",
            end_on="终身",
        ),
        dict(
            subject_name="钱国强",
            subject_type="个人",
            id_number=FRAGMENT_PRINTED[0],
            ban_type="职业禁入",
            scope=f"五年内不得从事安全评价工作（身份证号：{FRAGMENT_PRINTED[2]}）",
            reason=f"作为{E4_NAME}法定代表人（证件号码：{FRAGMENT_PRINTED[1]}），出具虚假报告",
            authority="酒泉市应急管理局",
            decision_no="酒应急禁〔2026〕3号",
            start_on="2026-02-01",
            end_on="2031-01-31",
        ),
    ]
    # the second is not linked to ent-0004, which must stay a page without adverse records
    for fields, enterprise in zip(printed, ("ent-0002", None)):
        row = mask_row(bans.normalize(fields, ctx)["bans"][0])
        _insert(conn, "bans", **dict(prov, **row, enterprise_id=enterprise))


def _site_blacklist(conn):
    prov = _site_provenance("sample-blacklist")
    _insert(
        conn,
        "blacklist",
        id="bl-1",
        subject_type="unit",
        subject_name=E1_NAME,
        enterprise_id="ent-0001",
        uscc=E1_USCC,
        responsible_person="张某昌",
        decision_no="甘应急失信〔2025〕2号",
        authority="甘肃省应急管理厅",
        reason="发生较大生产安全事故，12个月内累计2起以上",
        basis="《安全生产严重失信主体名单管理办法》第六条",
        listed_on="2025-06-01",
        term_end="2028-05-31",
        region_code="620100",
        **prov,
    )
    # listed 2022-03-01 with its term's end stated: expired after 2025-02-28, never shown with its name
    _insert(
        conn,
        "blacklist",
        id="bl-2",
        subject_type="unit",
        subject_name=EXPIRED_NAME,
        enterprise_id="ent-0009",
        uscc=EXPIRED_USCC,
        responsible_person="赵某",
        id_number=MASKED_ID,
        decision_no="嘉应急失信〔2022〕1号",
        authority="嘉峪关市应急管理局",
        reason="瞒报事故",
        listed_on="2022-03-01",
        term_end="2025-02-28",
        region_code="620200",
        **prov,
    )
    _insert(
        conn,
        "blacklist",
        id="bl-3",
        subject_type="unit",
        subject_name=E4_NAME,
        enterprise_id="ent-0004",
        uscc=E4_USCC,
        authority="酒泉市应急管理局",
        decision_no="酒应急失信〔2024〕1号",
        reason="无证生产经营",
        listed_on="2024-04-01",
        term_end="2027-03-31",
        region_code="620900",
        **prov,
    )
    _insert(
        conn,
        "blacklist_removals",
        id="blr-1",
        subject_name=E4_NAME,
        uscc=E4_USCC,
        decision_no="酒应急移〔2026〕1号",
        listed_on="2024-04-01",
        removed_on="2026-05-10",
        removal_reason="信用修复提前移出",
        authority="酒泉市应急管理局",
        **prov,
    )


def _site_statistics(conn):
    prov = _site_provenance("sample-statistics")
    rows = [
        (2015, 980, 620, 6790.0),
        (2016, 930, 590, 7200.0),
        (2017, 880, 560, 7460.0),
        (2018, 840, 520, 8246.0),
        (2019, 800, 490, 8718.0),
        (2020, 760, 455, 9017.0),
        (2021, 730, 430, 10243.0),
        (2022, 700, 410, 11201.0),
        (2023, 690, 415, 11864.0),
        (2024, 650, 380, 12500.0),
        (2025, 620, 360, 13100.0),
    ]
    for year, acc, deaths, gdp in rows:
        _insert(
            conn,
            "annual_statistics",
            id=f"st-{year}",
            year=year,
            region_code="620000",
            region_name="甘肃省",
            accidents=acc,
            deaths=deaths,
            gdp_yi=gdp,
            deaths_per_yi_gdp=round(deaths / gdp, 4),
            **prov,
        )
    for year, acc, deaths in [(2024, 120, 70), (2025, 110, 66)]:
        _insert(
            conn,
            "annual_statistics",
            id=f"st-{year}-620100",
            year=year,
            region_code="620100",
            region_name="兰州市",
            accidents=acc,
            deaths=deaths,
            **prov,
        )
