"""执法信息公开 end to end: the enforcement sample sources (samplegen/enforcement.py) are
generated into a temporary folder, read by the real ETL into a real SQLite file, and every loaded
row is compared with the facts the documents were written from; the planted messy rows are
rejected with their reasons, and a broken document or source fails loudly while what was loaded
before stays (served over HTTP on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

import samplegen
from etl.datasets.common import Reject, doc_number
from etl.datasets.inspections import problem_count, result_code
from etl.datasets.penalties import accident_ref, decision_text
from etl.spec import load_specs
from samplegen import enforcement
from tests._disclosure_etl import rows, run_sources
from tests.httpd import FaultyServer

SEED = 20261129
SPECS = {spec.id: spec for spec in load_specs() if spec.id in enforcement.SOURCES}
PENALTY_FIELDS = (
    "facts",
    "party_type",
    "party_name",
    "uscc",
    "unit",
    "basis",
    "penalty",
    "fine_yuan",
    "decided_on",
    "authority",
    "region_code",
    "accident_ref",
)
INSPECTION_FIELDS = (
    "task",
    "uscc",
    "region_code",
    "authority",
    "result",
    "result_text",
    "problems",
    "problem_count",
    "rectification",
)


def _generate(out: Path):
    """The world and this module's sources only (the other disclosure modules are not run)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(samplegen, "DISCLOSURES", (enforcement,))
        world = samplegen.build_world(SEED, samplegen.SAMPLE)
    return world, enforcement.write(world, out)


def _run(db_path: Path, archive: Path, samples_url: str, *source_ids: str):
    return run_sources(db_path, archive, samples_url, [SPECS[i] for i in source_ids or SPECS])[1]


_query = rows


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    out = tmp_path_factory.mktemp("enforcement-samples")
    world, written = _generate(out)
    return out, world, written


@pytest.fixture(scope="module")
def loaded(samples, tmp_path_factory):
    out, world, written = samples
    folder = tmp_path_factory.mktemp("enforcement-db")
    results = _run(folder / "disclosure.db", folder / "archive", out.as_uri())
    return folder / "disclosure.db", results, written["truth"]


# --- generator -------------------------------------------------------------------------------


def test_the_specs_describe_sample_sources():
    assert set(SPECS) == set(enforcement.SOURCES)
    for source_id, (kind, fmt) in enforcement.SOURCES.items():
        spec = SPECS[source_id]
        assert (spec.kind, spec.format, spec.sample) == (kind, fmt, True)
        assert spec.title.endswith("（示例数据）") and spec.publisher and spec.licence


def test_samples_are_deterministic_and_marked(samples, tmp_path):
    out, world, written = samples
    _, again = _generate(tmp_path)

    def digests(root: Path) -> dict[str, str]:
        return {
            str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file()
        }

    assert digests(out) == digests(tmp_path) and again["truth"] == written["truth"]
    for penalty in written["truth"]["penalties"]:
        assert "示例" in (penalty["unit"] or penalty["party_name"])
    assert all("示例" in i["object_name"] for i in written["truth"]["inspections"])
    for path in out.rglob("*.html"):
        assert "示例数据" in path.read_text("utf-8")
    csv = (out / "lz-yjj-penalties" / "lz-yjj-penalties.csv").read_bytes().decode("gbk")
    assert "示例数据" in csv.splitlines()[0]
    counts = written["counts"]
    assert counts == {"penalties": 40, "inspections": 60}
    keys = {e.key for e, source_id in world.extra["appearances"] if source_id in enforcement.SOURCES}
    assert {p["enterprise_key"] for p in written["truth"]["penalties"]} <= keys


def test_accident_decisions_name_real_accidents(samples):
    _, world, written = samples
    accidents = {a.key: a for a in world.accidents}
    linked = [p for p in written["truth"]["penalties"] if p["accident_key"]]
    assert len(linked) >= 10
    styles = set()
    for p in linked:
        acc = accidents[p["accident_key"]]
        assert p["enterprise_key"] == acc.enterprise.key
        ref = p["accident_ref"]
        if ref == acc.doc_no:
            styles.add("doc_no")
        elif ref == acc.short:
            styles.add("short")
        else:
            day = acc.occurred
            assert ref.startswith(f"“{day.year}·{day.month}·{day.day}”") and ref.endswith("事故"), ref
            styles.add("year")
    assert styles == {"doc_no", "short", "year"}
    assert {p["party_type"] for p in linked} == {"enterprise", "person"}
    # The enterprise's decision is the one the credit records already publish, where they do.
    records = {r.decision_no: r for r in world.records}
    shared = [p for p in linked if p["decision_no"] in records]
    assert shared
    for p in shared:
        record = records[p["decision_no"]]
        assert record.fine_yuan == p["fine_yuan"] and record.decided_on.isoformat() == p["decided_on"]


def test_publicity_edges_are_planted(samples):
    _, world, written = samples
    by_case = {c: p for p in written["truth"]["penalties"] for c in p["planted"]}
    as_of = world.profile.as_of.isoformat()
    assert by_case["publicity_ends_on_as_of"]["publicity_end"] == as_of
    assert by_case["publicity_ends_on_as_of"]["publicity_active"] is True
    minor = by_case["publicity_minor_3_months"]
    assert (minor["penalty"], minor["fine_yuan"], minor["publicity_class"]) == ("警告", None, "轻微")
    assert minor["publicity_active"] and minor["publicity_end"] < "2026-12-01"  # over by December
    assert by_case["publicity_serious"]["publicity_class"] == "严重"
    assert by_case["publicity_expired_1_year"]["publicity_active"] is False


# --- loaded rows ---------------------------------------------------------------------------


def test_every_source_loads_what_its_documents_hold(loaded):
    db_path, results, truth = loaded
    assert {r.source_id: r.status for r in results.values()} == dict.fromkeys(SPECS, "ok")
    assert all(not r.unmapped for r in results.values()), {k: r.unmapped for k, r in results.items()}
    for kind in ("penalties", "inspections"):
        expected = Counter(row["source_id"] for row in truth[kind])
        assert {sid: results[sid].records for sid in expected} == dict(expected)
        got = Counter(r["source_id"] for r in _query(db_path, f"SELECT source_id FROM {kind}"))
        assert got == expected


def test_penalties_match_the_documents(loaded):
    db_path, _, truth = loaded
    rows = {(r["source_id"], r["decision_no"]): r for r in _query(db_path, "SELECT * FROM penalties")}
    for p in truth["penalties"]:
        row = rows[(p["source_id"], p["decision_no"])]
        assert {f: row[f] for f in PENALTY_FIELDS} == {f: p[f] for f in PENALTY_FIELDS}, p["key"]
        assert row["facts"] == p["facts"], p["key"]
        assert row["source_url"] and row["document_id"]


def test_penalty_messy_cases(loaded):
    db_path, _, truth = loaded
    rows = {r["decision_no"]: r for r in _query(db_path, "SELECT * FROM penalties")}
    planted = {c: p for p in truth["penalties"] for c in p["planted"]}
    # 2025.3.5, a full-width code, a fine in 大写 only with the 万元 column empty
    assert rows[planted["date_dots"]["decision_no"]]["decided_on"] == planted["date_dots"]["decided_on"]
    for case in ("fullwidth_uscc",):
        code = rows[planted[case]["decision_no"]]["uscc"]
        assert code == planted[case]["uscc"] and code.isascii()
    in_words = rows[planted["fine_in_words_only"]["decision_no"]]
    assert re.search("[壹贰叁肆伍陆柒捌玖]", in_words["penalty"]) and in_words["fine_yuan"] > 0
    assert rows[planted["uscc_missing"]["decision_no"]]["uscc"] is None
    # [2025] in the metadata block: the 文号 is stored with 〔〕
    assert planted["decision_no_square_brackets"]["decision_no_shown"].count("[") == 1
    assert "[" not in rows[planted["decision_no_square_brackets"]["decision_no"]]["decision_no"]
    # 大写 amounts stay as printed (陆拾万元 is no person's name)
    upper = [r for r in rows.values() if "元整" in (r["penalty"] or "")]
    assert upper and all("某" not in r["penalty"] for r in upper)


def test_no_personal_data_of_a_party_is_kept(samples, loaded):
    out, _, _ = samples
    db_path, _, truth = loaded
    person = next(p for p in truth["penalties"] if "unmasked_id_number" in p["planted"])
    page = (out / "gs-yjt-penalties" / person["path"]).read_text("utf-8")
    id_number = re.search(r"身份证号码：(\d{17}[\dX])", page).group(1)
    conn = sqlite3.connect(db_path)
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert id_number not in dump
    rows = {r["decision_no"]: r for r in _query(db_path, "SELECT * FROM penalties")}
    for p in truth["penalties"]:
        row = rows[p["decision_no"]]
        values = " ".join(str(v) for v in row.values() if v is not None)
        if p["party_type"] == "enterprise":  # the 法定代表人 is never published
            assert p["legal_representative"] not in values, p["key"]
            assert "****" not in values  # nor the 联系电话 printed beside it
        else:
            assert re.fullmatch(r"[\u4e00-\u9fff]某[\u4e00-\u9fff]?", row["party_name"])
            assert row["uscc"] is None and row["unit"] == p["unit"]


def test_inspections_match_the_documents(loaded):
    db_path, _, truth = loaded
    rows = {
        (r["source_id"], r["object_name"], r["inspected_on"], r["task"]): r
        for r in _query(db_path, "SELECT * FROM inspections")
    }
    for i in truth["inspections"]:
        row = rows[(i["source_id"], i["object_name"], i["inspected_on"], i["task"])]
        assert {f: row[f] for f in INSPECTION_FIELDS} == {f: i[f] for f in INSPECTION_FIELDS}, i["key"]
    results = Counter((r["source_id"], r["result"]) for r in rows.values())
    for source_id in ("gs-yjt-inspections", "jq-yjj-inspections"):
        for code in ("no_problem", "problems", "not_found", "closed"):
            assert results[(source_id, code)] >= 1, (source_id, code)


def test_enterprises_inspected_repeatedly_with_problems(loaded):
    db_path, _, truth = loaded
    found = _query(
        db_path,
        "SELECT object_name, count(*) AS n FROM inspections WHERE result = 'problems'"
        " GROUP BY object_name HAVING n > 1 ORDER BY object_name",
    )
    expected = sorted((e["name"], e["count"]) for e in truth["inspections_repeated_problems"])
    assert [(r["object_name"], r["n"]) for r in found] == expected
    assert len(expected) >= 3
    sources = {
        name: {
            r["source_id"]
            for r in _query(db_path, "SELECT source_id FROM inspections WHERE object_name = ?", (name,))
        }
        for name, _ in expected
    }
    assert any(len(s) == 2 for s in sources.values())  # once by the province, once by Jiuquan


def test_unusable_rows_are_rejected_with_their_reason(loaded):
    db_path, results, truth = loaded
    rejects = _query(db_path, "SELECT source_id, row_ref, reason, raw FROM rejects")
    expected = truth["penalty_rejects"] + truth["inspection_rejects"]
    got = Counter((r["source_id"], r["reason"].split("（")[0].split("：与")[0]) for r in rejects)
    assert got == Counter((e["source_id"], e["reason"]) for e in expected)
    assert sum(r.rejected for r in results.values()) == len(expected)


# --- the readers' bad inputs -----------------------------------------------------------------


@pytest.fixture
def served(samples, tmp_path):
    out, _, _ = samples
    with FaultyServer(out) as server:
        yield server, tmp_path


def _live(db_path: Path, table: str, source_id: str) -> list[dict]:
    return _query(
        db_path,
        f"SELECT * FROM {table} WHERE source_id = ? AND removed_run IS NULL ORDER BY id",
        (source_id,),
    )


def test_a_truncated_workbook_fails_the_source_and_keeps_its_rows(samples, served):
    out, _, _ = samples
    server, tmp = served
    db_path, archive, source_id = tmp / "d.db", tmp / "archive", "gs-yjt-inspections"
    assert _run(db_path, archive, server.url, source_id)[source_id].status == "ok"
    before = _live(db_path, "inspections", source_id)
    path = "/gs-yjt-inspections/gs-yjt-inspections-2025-2026.xlsx"
    data = (out / path.lstrip("/")).read_bytes()
    server.content[path] = data[: len(data) // 2]
    result = _run(db_path, archive, server.url, source_id)[source_id]
    assert result.status == "failed" and "not a readable XLSX" in result.error
    assert _live(db_path, "inspections", source_id) == before


def test_a_csv_without_the_decision_number_column_fails_and_keeps_its_rows(samples, served):
    out, _, _ = samples
    server, tmp = served
    db_path, archive, source_id = tmp / "d.db", tmp / "archive", "lz-yjj-penalties"
    assert _run(db_path, archive, server.url, source_id)[source_id].status == "ok"
    before = _live(db_path, "penalties", source_id)
    path = "/lz-yjj-penalties/lz-yjj-penalties.csv"
    text = (out / path.lstrip("/")).read_bytes().decode("gbk")
    server.content[path] = text.replace("处罚决定书文号", "决定文书号", 1).encode("gbk")
    result = _run(db_path, archive, server.url, source_id)[source_id]
    assert result.status == "failed"
    assert "every record was rejected" in result.error and "决定书文号" in result.error
    assert _live(db_path, "penalties", source_id) == before


def test_an_announcement_without_its_table_fails_and_keeps_its_rows(samples, served):
    out, _, _ = samples
    server, tmp = served
    db_path, archive, source_id = tmp / "d.db", tmp / "archive", "jq-yjj-inspections"
    assert _run(db_path, archive, server.url, source_id)[source_id].status == "ok"
    before = _live(db_path, "inspections", source_id)
    page = next((out / "jq-yjj-inspections" / "art").rglob("*.html"))
    path = "/" + str(page.relative_to(out))
    html = re.sub(r"<table.*?</table>", "<p>附件：抽查结果.xls</p>", page.read_text("utf-8"), flags=re.S)
    server.content[path] = html.encode("utf-8")
    result = _run(db_path, archive, server.url, source_id)[source_id]
    assert result.status == "failed" and "选择器未匹配" in result.error
    assert _live(db_path, "inspections", source_id) == before


def test_a_decision_page_without_its_text_keeps_the_decision(samples, served):
    out, _, _ = samples
    server, tmp = served
    db_path, archive, source_id = tmp / "d.db", tmp / "archive", "gs-yjt-penalties"
    assert _run(db_path, archive, server.url, source_id)[source_id].status == "ok"
    before = _live(db_path, "penalties", source_id)
    row = before[0]
    path = row["source_url"].replace(server.url, "")
    page = (out / path.lstrip("/")).read_text("utf-8")
    server.content[path] = re.sub(
        r'<div class="content".*?</div>', '<div class="text">页面改版</div>', page, count=1, flags=re.S
    ).encode("utf-8")
    result = _run(db_path, archive, server.url, source_id)[source_id]
    assert result.status == "ok" and len(result.document_failures) == 1
    assert result.document_failures[0][1].startswith("正文未找到")
    after = _live(db_path, "penalties", source_id)
    assert [dict(r, last_seen_run=None) for r in after] == [dict(r, last_seen_run=None) for r in before]
    assert next(r for r in after if r["id"] == row["id"])["last_seen_run"] == row["last_seen_run"]


# --- the readings, one by one ----------------------------------------------------------------


def test_result_wordings_read_into_codes():
    cases = {
        "未发现问题": "no_problem",
        "正常": "no_problem",
        "发现问题": "problems",
        "发现问题，已责令限期整改": "problems",
        "存在问题，已下达整改指令书": "problems",
        "不合格": "problems",
        "查无下落": "not_found",
        "未找到检查对象": "not_found",
        "已停产": "closed",
        "已关闭": "closed",
        "责令停产停业整顿": "problems",
    }
    assert {text: result_code(text) for text in cases} == cases
    with pytest.raises(Reject, match="无法识别的检查结果"):
        result_code("待定")


def test_problem_counts():
    assert problem_count("1.安全警示标志设置不规范；2.应急预案未演练", "problems") == 2
    assert problem_count("发现一般事故隐患3项：A、B、C", "problems") == 3
    assert problem_count("共发现问题两处", "problems") == 2
    assert problem_count("消防通道堵塞；配电箱未接地", "problems") == 2
    assert problem_count("安全警示标志设置不规范", "problems") == 1
    assert problem_count(None, "no_problem") == 0
    assert problem_count(None, "not_found") is None


def test_a_decision_text_is_read_by_its_labels():
    body = "\n".join(
        (
            "示例县应急管理局",
            "行政处罚决定书",
            "示应急罚［2025］ ７号",
            "被处罚人：王某明 性别：男 身份证号码：620102198003151234",
            "工作单位：兰州示例恒达化工有限公司 职务：总经理",
            "违法事实及证据：经查，你作为兰州示例恒达化工有限公司总经理，对“2024·3·15”一般物体打击事故"
            "负有责任。以上事实有询问笔录等证据为证。",
            "依据《中华人民共和国安全生产法》第九十五条的规定，本机关决定对你作出如下行政处罚：罚款人民币陆拾万元整。",
            "示例县应急管理局",
            "二〇二五年三月五日",
        )
    )
    found = decision_text(body)
    assert doc_number(found["decision_no"]) == "示应急罚〔2025〕7号"
    assert found["party_name"] == "王某明" and found["unit"] == "兰州示例恒达化工有限公司"
    assert found["basis"] == "《中华人民共和国安全生产法》第九十五条"
    assert found["penalty"] == "罚款人民币陆拾万元整"
    assert (found["authority"], found["decided_on"]) == ("示例县应急管理局", "二〇二五年三月五日")
    assert "1234" not in " ".join(found.values())
    assert accident_ref(found["facts"]) == "“2024·3·15”一般物体打击事故"
    assert accident_ref("根据《示例县人民政府关于…的批复》（示政函[2024]12号）") == "示政函〔2024〕12号"
