"""The safety technical-service agencies end to end: the sample generator (samplegen/agencies.py)
writes the register, the actions and the reports; the real ETL loads them into a real SQLite file;
the rows, the planted cases, the rejects and the qualification statuses of the public database are
compared with the generator's truth. Broken documents of these sources fail loudly and keep what
was loaded (served by the local server on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import openpyxl
import pytest

import samplegen
from etl.datasets import agencies as agency_kind
from etl.datasets import agency_actions, common
from etl.datasets.common import Reject
from etl.public import build_public_db
from etl.rules import agencies as agency_rules
from etl.spec import load_specs
from samplegen import agencies as agency_samples
from tests._disclosure_etl import rows, run_sources
from tests.httpd import FaultyServer

SOURCE_IDS = tuple(agency_samples.SOURCES)
AS_OF = dt.date(2026, 6, 30)
LATER = dt.date(2026, 12, 15)


def _generate(out: Path) -> dict:
    """The bundled samples with only this module among the disclosures (the others are not ours
    to depend on); returns the truth."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(samplegen, "DISCLOSURES", (agency_samples,))
        samplegen.generate(out)
    return json.loads((out / "_truth.json").read_text(encoding="utf-8"))


def _run(db_path: Path, archive: Path, samples_url: str, *source_ids: str):
    return run_sources(db_path, archive, samples_url, load_specs(only=list(source_ids or SOURCE_IDS)))[1]


_rows = rows


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("agency-samples")
    return out, _generate(out)


@pytest.fixture(scope="module")
def truth(samples) -> dict:
    return samples[1]["disclosures"]


@pytest.fixture(scope="module")
def internal(samples, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("agency-db")
    results = _run(folder / "disclosure.db", folder / "archive", samples[0].as_uri())
    failed = {sid: r.error for sid, r in results.items() if r.status != "ok"}
    assert not failed, failed
    assert {sid: r.unmapped for sid, r in results.items() if r.unmapped} == {}
    return folder / "disclosure.db"


@pytest.fixture(scope="module")
def public(internal, tmp_path_factory) -> dict[dt.date, Path]:
    folder = tmp_path_factory.mktemp("agency-public")
    out = {}
    for day in (AS_OF, LATER):
        out[day] = folder / f"public-{day}.db"
        build_public_db(internal, out[day], day)
    return out


# --- the generator ----------------------------------------------------------------------------


def test_generator_is_deterministic_and_marked(samples, tmp_path):
    out, _ = samples
    again = tmp_path / "again"
    _generate(again)
    for source_id in SOURCE_IDS:
        first = {p.relative_to(out): p.read_bytes() for p in (out / source_id).rglob("*") if p.is_file()}
        second = {p.relative_to(again): p.read_bytes() for p in (again / source_id).rglob("*") if p.is_file()}
        assert first and first == second, source_id
        for path, data in first.items():
            if path.suffix == ".xlsx":
                sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
                assert "示例数据" in str(next(sheet.iter_rows(values_only=True))[0]), path
            else:
                assert "示例数据" in data.decode("utf-8"), path


def test_truth_covers_the_cases(samples, truth):
    cases = {(p["case"], p["source_id"]) for p in samples[1]["planted"]}
    for case, source_id in [
        ("fullwidth_certificate_no", agency_samples.TESTING_LIST),
        ("validity_month_only", agency_samples.TESTING_LIST),
        ("stale_status", agency_samples.REGISTER),
        ("uscc_missing", agency_samples.ACTIONS),
        ("issued_on_valid_until", agency_samples.REPORTS),
        ("issued_after_expiry", agency_samples.REPORTS),
        ("issued_on_revocation_day", agency_samples.REPORTS),
        ("issued_after_revocation", agency_samples.REPORTS),
        ("issued_while_suspended", agency_samples.TEST_REPORTS),
        ("client_code_missing", agency_samples.REPORTS),
        ("client_code_missing", agency_samples.TEST_REPORTS),
        ("date_dotted", agency_samples.TEST_REPORTS),
        ("project_blank", agency_samples.REPORTS),
    ]:
        assert (case, source_id) in cases, (case, source_id)
    agencies = truth["agencies"]
    assert {a["qualification_status"] for a in agencies} == {"valid", "expired", "suspended", "revoked"}
    later = {a["qualification_status_on"][LATER.isoformat()] for a in agencies}
    assert later == {"valid", "expired", "revoked"}  # the suspension is over, a certificate ran out
    assert {a["action"] for a in truth["agency_actions"]} == set(agency_actions.ACTION_CODES)
    assert {a["violation"] for a in truth["agency_actions"]} == set(agency_actions.VIOLATION_CODES)
    reports = truth["agency_reports"]
    assert len(reports) == 40 and sum(bool(r["rejected"]) for r in reports) == 1
    assert {r["agency_status_at_issue"] for r in reports} == {"valid", "expired", "suspended", "revoked"}
    rule = truth["agency_qualification_rule"]["rule"]
    assert "valid_until itself is still valid" in rule and "decision day itself counts as revoked" in rule


def test_samples_name_only_fictional_enterprises(samples):
    out, full = samples
    enterprises = {e["name"]: e for e in full["enterprises"]}
    truth = full["disclosures"]
    named = {a["name"] for a in truth["agencies"]} | {r["client_name"] for r in truth["agency_reports"]}
    assert named <= set(enterprises) and all("示例" in name for name in named)
    for a in truth["agencies"]:
        assert a["source_id"] in enterprises[a["name"]]["sources"]


# --- the load -----------------------------------------------------------------------------------


def test_counts_per_table_and_source(internal, samples, truth):
    counts = samples[1]["counts"]
    for table in ("agencies", "agency_actions", "agency_reports"):
        (row,) = _rows(internal, f"SELECT count(*) AS n FROM {table} WHERE removed_run IS NULL")
        assert row["n"] == counts[table] == len([r for r in truth[table] if not r.get("rejected")]), table
    by_source = {
        r["source_id"]: r["n"]
        for table in ("agencies", "agency_actions", "agency_reports")
        for r in _rows(internal, f"SELECT source_id, count(*) AS n FROM {table} GROUP BY source_id")
    }
    expected: dict[str, int] = {}
    for table in ("agencies", "agency_actions", "agency_reports"):
        for r in truth[table]:
            if not r.get("rejected"):
                expected[r["source_id"]] = expected.get(r["source_id"], 0) + 1
    assert by_source == expected


AGENCY_COLUMNS = (
    "name",
    "uscc",
    "agency_type",
    "certificate_no",
    "scope",
    "issued_on",
    "valid_until",
    "status_stated",
    "authority",
    "region_code",
    "source_id",
)


def test_agencies_match_the_truth(internal, truth):
    rows = {r["certificate_no"]: r for r in _rows(internal, "SELECT * FROM agencies")}
    assert len(rows) == len(truth["agencies"])
    for expected in truth["agencies"]:
        row = rows[expected["certificate_no"]]
        assert {c: row[c] for c in AGENCY_COLUMNS} == {c: expected[c] for c in AGENCY_COLUMNS}
    shown = {a["certificate_no_shown"] for a in truth["agencies"]}
    assert any("Ａ" in s and "－" in s for s in shown)  # read back to APJ-（甘）-007
    month = next(a for a in truth["agencies"] if "validity_month_only" in a["planted"])
    assert (
        month["valid_until_shown"] == "2027年3月"
        and rows[month["certificate_no"]]["valid_until"] == "2027-03-31"
    )


ACTION_COLUMNS = (
    "uscc",
    "certificate_no",
    "violation",
    "facts",
    "start_on",
    "end_on",
    "authority",
    "decision_no",
    "source_id",
)


def test_actions_match_the_truth_and_link_to_the_register(internal, truth):
    rows = {
        (r["agency_name"], r["action"], r["decided_on"]): r
        for r in _rows(
            internal,
            "SELECT x.*, a.certificate_no AS linked FROM agency_actions x"
            " LEFT JOIN agencies a ON a.id = x.agency_id",
        )
    }
    assert len(rows) == len(truth["agency_actions"])
    for expected in truth["agency_actions"]:
        row = rows[(expected["agency_name"], expected["action"], expected["decided_on"])]
        assert {c: row[c] for c in ACTION_COLUMNS} == {c: expected[c] for c in ACTION_COLUMNS}
        assert row["linked"] == expected["certificate_no"]  # by code, else certificate, else name
    missing = next(a for a in truth["agency_actions"] if "uscc_missing" in a["planted"])
    assert missing["uscc"] is None and missing["action"] == "revoked"


REPORT_COLUMNS = (
    "agency_name",
    "agency_uscc",
    "report_type",
    "project",
    "client_name",
    "client_uscc",
    "issued_on",
    "conclusion",
    "source_id",
)


def test_reports_match_the_truth(internal, truth):
    rows = {
        r["report_no"]: r
        for r in _rows(
            internal,
            "SELECT x.*, a.certificate_no AS linked FROM agency_reports x LEFT JOIN agencies a ON a.id = x.agency_id",
        )
    }
    loaded = [r for r in truth["agency_reports"] if not r["rejected"]]
    assert len(rows) == len(loaded)
    for expected in loaded:
        row = rows[expected["report_no"]]
        assert {c: row[c] for c in REPORT_COLUMNS} == {c: expected[c] for c in REPORT_COLUMNS}
        assert row["linked"] == expected["agency_certificate_no"]
    dotted = next(
        r for r in loaded if "date_dotted" in r["planted"] and r["source_id"].endswith("test-reports")
    )
    assert "." in dotted["issued_on_shown"] and rows[dotted["report_no"]]["issued_on"] == dotted["issued_on"]


def test_a_client_without_its_code_links_by_name(internal, truth):
    for expected in (r for r in truth["agency_reports"] if "client_code_missing" in r["planted"]):
        rows = _rows(
            internal,
            "SELECT client_uscc, enterprise_id FROM agency_reports WHERE client_name = ? AND source_id = ?",
            (expected["client_name"], expected["source_id"]),
        )
        assert {r["client_uscc"] for r in rows} == {None, expected["client_uscc_registry"]}
        assert len({r["enterprise_id"] for r in rows}) == 1 and rows[0]["enterprise_id"]


def test_the_report_without_a_project_is_rejected_with_its_reason(internal, truth):
    (blank,) = [r for r in truth["agency_reports"] if r["rejected"]]
    rejects = _rows(internal, "SELECT * FROM rejects WHERE source_id = ?", (blank["source_id"],))
    assert [r["reason"] for r in rejects] == ["缺少必填字段：项目名称（project）"] == [blank["rejected"]]
    assert blank["report_no"] in rejects[0]["raw"]
    assert not _rows(internal, "SELECT 1 FROM agency_reports WHERE report_no = ?", (blank["report_no"],))


def test_no_person_column_is_loaded(internal):
    for table in ("agencies", "agency_actions", "agency_reports"):
        for row in _rows(internal, f"SELECT * FROM {table}"):
            for value in row.values():
                assert not (isinstance(value, str) and len(value) == 3 and value[1] == "某"), (table, row)


# --- the statuses the public database computes (etl/rules/agencies.py) against the truth -----------


def test_public_qualification_status_as_of_and_later(public, truth):
    for day, path in public.items():
        rows = {r["certificate_no"]: r for r in _rows(path, "SELECT * FROM agencies")}
        for expected in truth["agencies"]:
            row = rows[expected["certificate_no"]]
            assert row["qualification_status"] == expected["qualification_status_on"][day.isoformat()], (
                day,
                expected["name"],
            )
            if day == AS_OF:
                assert row["qualification_end"] == expected["qualification_end"], expected["name"]


def test_public_reports_issued_after_the_qualification_ended(public, truth):
    rows = {r["report_no"]: r for r in _rows(public[AS_OF], "SELECT * FROM agency_reports")}
    for expected in (r for r in truth["agency_reports"] if not r["rejected"]):
        row = rows[expected["report_no"]]
        got = (row["agency_status_at_issue"], row["issued_after_qualification_end"])
        assert got == (
            expected["agency_status_at_issue"],
            expected["issued_after_qualification_end"],
        ), expected
    flagged = {r["report_no"] for r in rows.values() if r["issued_after_qualification_end"]}
    planted = {
        r["report_no"]
        for r in truth["agency_reports"]
        if set(r["planted"]) & {"issued_after_expiry", "issued_after_revocation", "issued_on_revocation_day"}
    }
    assert flagged == planted and len(planted) == 4


# --- the kind modules on their own ---------------------------------------------------------------


def test_certificate_numbers_and_validity_in_their_printed_forms():
    assert agency_kind.certificate_no("ＡＰＪ－（甘）－００７") == "APJ-（甘）-007"
    assert agency_kind.certificate_no("APJ-(甘)-007 ") == "APJ-（甘）-007"
    assert agency_kind.certificate_no("—") is None
    end = agency_kind.validity_end
    assert end({"v": "2027年3月"}, "v", "有效期至") == "2027-03-31"
    assert end({"v": "2028-02"}, "v", "有效期至") == "2028-02-29"
    assert end({"v": "2022年4月1日至2027年3月31日"}, "v", "有效期至") == "2027-03-31"
    with pytest.raises(Reject, match="无法识别的日期"):
        end({"v": "长期有效"}, "v", "有效期至")


def test_agency_type_action_and_violation_words():
    assert agency_kind.agency_type("安全评价机构", None, None) == "evaluation"
    assert agency_kind.agency_type("安全评价检测检验机构", "甘肃示例X检测技术有限公司", None) == "testing"
    with pytest.raises(Reject, match="机构类别"):
        agency_kind.agency_type(None, "甘肃示例X安全技术咨询有限公司", "安全生产技术服务")
    code = agency_actions.action_code
    assert code("暂停安全评价资质6个月，责令停业整顿") == "suspended"
    assert code("撤销检测检验资质") == "revoked" and code("纳入严重失信主体名单") == "dishonest"
    assert code("警告，并处罚款2万元") == "fined" and code("给予警告") == "warning" and code("约谈") is None
    violation = agency_actions.violation_code
    assert violation("租借资质、挂靠，出具虚假报告") == "lending" and violation("违法挂靠") == "affiliation"
    assert violation(None, "编造现场检查记录") == "false_report" and violation("未按规定告知") == "other"
    assert violation(None, None) is None


def test_a_period_given_as_a_start_and_months():
    fields = {"period": "自2026年3月1日起暂停6个月"}
    assert agency_actions.period(fields) == ("2026-03-01", "2026-09-01")  # etl/rules/periods.py
    assert agency_actions.period({"period": "2026年3月1日至2026年8月31日"}) == ("2026-03-01", "2026-08-31")
    assert common.doc_number("甘应急评检[２０２６]3号") == "甘应急评检〔2026〕3号"


def test_the_rules_module_agrees_with_the_truth_rule(truth):
    """etl/rules/agencies.py, fed the truth's own facts, gives the truth's statuses."""
    actions: dict[str, list] = {}
    for a in truth["agency_actions"]:
        actions.setdefault(a["certificate_no"], []).append(
            tuple(
                [a["action"]]
                + [
                    dt.date.fromisoformat(a[k]) if a[k] else None
                    for k in ("decided_on", "start_on", "end_on")
                ]
            )
        )
    for agency in truth["agencies"]:
        for day, status in agency["qualification_status_on"].items():
            got, _ = agency_rules.qualification_status(
                dt.date.fromisoformat(agency["valid_until"]),
                agency["status_stated"],
                actions.get(agency["certificate_no"], []),
                dt.date.fromisoformat(day),
            )
            assert got == status, (agency["name"], day)


# --- broken documents: the source fails loudly, what was loaded stays ------------------------------


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _without_table(data: bytes) -> bytes:
    return data.replace(b'class="jgcl"', b'class="list-2026"')


def _without_body(data: bytes) -> bytes:
    return data.replace(b'<div class="content" id="zoom">', b'<div class="zw" id="zoom">')


def _renamed_project_column(data: bytes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["报告信息"]
    for cell in sheet[2]:
        if cell.value == "项目名称":
            cell.value = "工程名称"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "source_id, table, pick, damage, expected",
    [
        (
            agency_samples.TESTING_LIST,
            "agencies",
            "gs-testing-agencies.xlsx",
            _truncated,
            "not a readable XLSX",
        ),
        (agency_samples.REGISTER, "agencies", "page-2.json", _truncated, "not valid JSON"),
        (agency_samples.ACTIONS, "agency_actions", "t2026", _without_table, "选择器未匹配"),
        (
            agency_samples.REPORTS,
            "agency_reports",
            "gs-agency-reports.xlsx",
            _renamed_project_column,
            "格式变了",
        ),
    ],
    ids=["truncated-xlsx", "truncated-json", "table-gone", "required-column-renamed"],
)
def test_a_broken_document_fails_its_source_and_keeps_the_data(
    samples, tmp_path, source_id, table, pick, damage, expected
):
    out, _ = samples
    path = next(p for p in sorted((out / source_id).rglob("*")) if p.is_file() and pick in p.name)
    with FaultyServer(out) as server:
        db = tmp_path / "disclosure.db"
        first = _run(db, tmp_path / "archive", server.url, source_id)[source_id]
        assert first.status == "ok", first.error
        before = _rows(db, f"SELECT id, record_hash FROM {table} WHERE removed_run IS NULL ORDER BY id")
        server.content["/" + str(path.relative_to(out))] = damage(path.read_bytes())
        result = _run(db, tmp_path / "archive", server.url, source_id)[source_id]
    assert result.status == "failed" and expected in result.error, result.error
    after = _rows(db, f"SELECT id, record_hash FROM {table} WHERE removed_run IS NULL ORDER BY id")
    assert after == before and len(before) == first.records


def test_a_penalty_page_without_its_body_keeps_its_record(samples, tmp_path):
    out, _ = samples
    source_id = agency_samples.PENALTIES
    pages = sorted(p for p in (out / source_id).rglob("t*.html"))
    with FaultyServer(out) as server:
        db = tmp_path / "disclosure.db"
        assert _run(db, tmp_path / "archive", server.url, source_id)[source_id].status == "ok"
        before = _rows(db, "SELECT * FROM agency_actions ORDER BY id")
        server.content["/" + str(pages[0].relative_to(out))] = _without_body(pages[0].read_bytes())
        result = _run(db, tmp_path / "archive", server.url, source_id)[source_id]
    assert result.status == "ok" and result.rejected == 1
    assert (
        result.document_failures[0][1].startswith("正文未找到")
        and "保留上一版本" in result.document_failures[0][1]
    )
    after = _rows(db, "SELECT * FROM agency_actions ORDER BY id")
    assert [(r["id"], r["record_hash"], r["removed_run"]) for r in after] == [
        (r["id"], r["record_hash"], r["removed_run"]) for r in before
    ]
