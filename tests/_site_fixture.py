"""The site tests' databases and the shared, once-per-session site builds.

``make_public_db`` writes a small internal database (etl/migrations.py schema) with one row per
case the site must show correctly, then runs the real public filter (etl.public.build_public_db)
on it as of 2026-06-30: an overdue, a due, a not-yet-due and an assessed rectification, a
withdrawn report, an in-force, an expired and a removed blacklist entry, a credit record past its
publicity period, masked personal data, an invalid 统一社会信用代码 and a source text that tries to
inject markup. All names are fictional (示例数据).

Two builds at most per session: the *fixture* site (these planted cases, asserted precisely) and
the *sample* site from conftest.py's ``public_db`` (the real ETL on the bundled samples), used for
the browser, validator, accessibility and link checks whenever it has records; while it is empty
the fixture site stands in for it.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from etl import derive, migrations
from etl.public import build_public_db

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"
PY = (
    str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
)

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17: str) -> str:
    """A code with the correct GB 32100 check character (fictional bodies)."""
    s = sum(_USCC_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _USCC_CHARS[(31 - s % 31) % 31]


E1_USCC = uscc("91620102MA71LY001")
E2_USCC = uscc("91620402MA71BY002")
E3_USCC_BAD = "91620502MA71TH003" + ("0" if uscc("91620502MA71TH003")[-1] != "0" else "1")
E4_USCC = uscc("91620902MA71JQ004")
E1_NAME = "甘肃陇原示例化工有限公司"
E2_NAME = "白银示例矿业有限责任公司"
E3_NAME = "天水示例建材有限公司"
E4_NAME = "酒泉示例物流有限公司"
EXPIRED_NAME = "嘉峪关示例冶金有限公司"  # only ever on an expired blacklist entry: must not appear anywhere
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

_PROV = dict(source_id="sample-accidents", record_hash="h", first_seen_run=1, last_seen_run=2, updated_run=1)


def _insert(conn, table, **row):
    cols = ", ".join(row)
    conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _sources(conn):
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
        _insert(
            conn,
            "sources",
            id=sid,
            kind=kind,
            title=title,
            publisher="甘肃省应急管理厅（示例）",
            licence="政府信息主动公开，转载请注明来源",
            format="html_list",
            url=f"https://yjgl.example.invalid/{sid}/",
            region_code="620000",
            is_sample=1,
            max_age_days=60,
            last_status="ok",
            last_success_at=ok,
            record_count=3,
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
    _insert(
        conn,
        "changes",
        run_id=2,
        source_id="sample-accidents",
        table_name="accidents",
        record_id="acc-0001",
        action="updated",
        fields=json.dumps({"deaths": [2, 3]}),
        at="2026-03-02T06:00:00+08:00",
    )
    _insert(
        conn,
        "changes",
        run_id=1,
        source_id="sample-accidents",
        table_name="accidents",
        record_id="acc-0001",
        action="added",
        fields=None,
        at="2026-01-05T06:00:00+08:00",
    )


def _enterprises(conn):
    rows = [
        ("ent-0001", E1_NAME, E1_USCC, 1, None, "620102", "620100", "兰州市城关区", "危险化学品"),
        ("ent-0002", E2_NAME, E2_USCC, 1, None, "620402", "620400", "白银市白银区", "金属非金属矿山"),
        ("ent-0003", E3_NAME, E3_USCC_BAD, 0, "校验位不符", "620502", "620500", "天水市秦州区", "建材"),
        ("ent-0004", E4_NAME, E4_USCC, 1, None, "620902", "620900", "酒泉市肃州区", "商贸"),
        (
            "ent-0009",
            EXPIRED_NAME,
            uscc("91620200MA71JY009"),
            1,
            None,
            "620200",
            "620200",
            "嘉峪关市",
            "冶金",
        ),
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


def _accident(conn, **row):
    base = dict(
        _PROV,
        occurred_time=None,
        missing=0,
        injuries=0,
        grade_mismatch=0,
        concealed=0,
        publisher="甘肃省应急管理厅（示例）",
    )
    base.update(row)
    _insert(conn, "accidents", **base)


def _accidents(conn):
    # approved 2025-05-15: assessment window 2026-03-15..2026-05-15, none published -> overdue
    _accident(
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
    _accident(
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
    _accident(
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
    _accident(
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
    _accident(
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
            **_PROV,
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
        **dict(_PROV, source_id="sample-rectification"),
    )


def _credit(conn):
    prov = dict(_PROV, source_id="sample-credit")
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
    _persons_as_printed(conn, prov)


def _persons_as_printed(conn, prov):
    """Bans rows made by the real ETL steps (etl/datasets/bans.py, then the masking safety net)
    from source fields that print a full ID number and masked fragments of others."""
    from types import SimpleNamespace

    from etl.datasets import bans
    from etl.datasets.common import Context
    from etl.normalizing import mask_row

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


def _blacklist(conn):
    prov = dict(_PROV, source_id="sample-blacklist")
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
        uscc=uscc("91620200MA71JY009"),
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


def _statistics(conn):
    prov = dict(_PROV, source_id="sample-statistics")
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


def make_public_db(path: Path) -> Path:
    """Write the internal fixture database next to ``path``, run the real public filter on it as
    of AS_OF into ``path``, and return ``path``."""
    path = Path(path)
    internal = path.with_name("internal-" + path.name)
    internal.unlink(missing_ok=True)
    conn = sqlite3.connect(internal)
    migrations.apply(conn)
    with conn:
        _sources(conn)
        _enterprises(conn)
        _accidents(conn)
        _credit(conn)
        _blacklist(conn)
        _statistics(conn)
    conn.row_factory = sqlite3.Row
    with conn:
        derive.link_removals(conn)  # the entries' events, as every ETL run derives them
    conn.close()
    build_public_db(internal, path, date.fromisoformat(AS_OF))
    return path


# ---------------------------------------------------------------- the shared builds


def run_pelican(
    db: Path, output: Path, *extra: str, settings: str = "pelicanconf.py", env: dict | None = None
) -> subprocess.CompletedProcess:
    """Build the site the way `make site` does: the real CLI, with --fatal warnings."""
    env = dict(os.environ, DISCLOSURE_PUBLIC_DB=str(db), **(env or {}))
    cmd = [
        PY,
        "-m",
        "pelican",
        str(ROOT / "content"),
        "-s",
        str(ROOT / settings),
        "-o",
        str(output),
        "--cache-path",
        str(Path(output).parent / "cache"),
        "--fatal",
        "warnings",
        *extra,
    ]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


class BuiltSite:
    """A built site: its database, output folder, build time and log."""

    def __init__(self, db: Path, output: Path, seconds: float, log: str):
        self.db, self.output, self.seconds, self.log = Path(db), Path(output), seconds, log

    def path(self, url_path: str) -> Path:
        target = self.output / url_path.lstrip("/")
        if url_path.endswith("/") or url_path == "" or target.is_dir():
            target = target / "index.html"
        return target

    def read(self, url_path: str) -> str:
        return self.path(url_path).read_text(encoding="utf-8")

    def html_files(self) -> list[Path]:
        return sorted(p for p in self.output.rglob("*.html") if "pagefind" not in p.parts)

    def data(self):
        """The database as the site reads it (plugins/disclosure/data.py)."""
        from plugins.disclosure.data import PublicData

        return PublicData(self.db)


_SITES: dict[str, BuiltSite] = {}


def build(db: Path, output: Path) -> BuiltSite:
    start = time.monotonic()
    result = run_pelican(db, output)
    if result.returncode != 0:
        raise AssertionError(
            f"pelican failed ({result.returncode}):\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return BuiltSite(db, output, time.monotonic() - start, result.stdout + result.stderr)


def fixture_site(tmp_path_factory) -> BuiltSite:
    """The site built from this module's planted cases (once per session)."""
    if "fixture" not in _SITES:
        folder = tmp_path_factory.mktemp("site-fixture")
        _SITES["fixture"] = build(make_public_db(folder / "public.db"), folder / "output")
    return _SITES["fixture"]


def sample_site(request, tmp_path_factory) -> BuiltSite:
    """The site built from conftest.py's ``public_db`` (the real ETL on the bundled samples) when
    it has records, else the fixture site."""
    if "sample" not in _SITES:
        site = None
        try:
            db = Path(request.getfixturevalue("public_db"))
        except pytest.FixtureLookupError:
            db = None
        if db is not None and _has_records(db):
            folder = tmp_path_factory.mktemp("site-sample")
            site = build(db, folder / "output")
        _SITES["sample"] = site or fixture_site(tmp_path_factory)
    return _SITES["sample"]


def _has_records(db: Path) -> bool:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return (
            conn.execute("SELECT count(*) FROM accidents").fetchone()[0] > 0
            and conn.execute("SELECT count(*) FROM enterprises").fetchone()[0] > 0
        )
    finally:
        conn.close()


# ---------------------------------------------------------------- serving


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
