"""Staff decisions (`etl correct`, etl/corrections.py) end to end through the real command line:
recorded in the plain YAML file, applied after extraction on every run (a forced re-run never
undoes them), written to `changes`, reported when the source's text changes, and refused —
with nothing written — when the value, record or field is wrong."""

from __future__ import annotations

import json
import sqlite3

import pytest
import yaml

from etl.public import build_public_db
from tests._reports_source import DISAGREES, GRADE_LOW, PLAIN, TABLE_DIFFERS, Workspace
from tests.conftest import AS_OF


@pytest.fixture()
def ws(tmp_path):
    workspace = Workspace(tmp_path)
    workspace.etl("run")
    return workspace


@pytest.fixture(scope="module")
def untouched(tmp_path_factory):
    """One workspace for the refusals, which must leave it as it is."""
    workspace = Workspace(tmp_path_factory.mktemp("refused"))
    workspace.etl("run")
    return workspace


def _changes(ws, record: str, action: str) -> list[dict]:
    return [
        dict(c, fields=json.loads(c["fields"] or "null"))
        for c in ws.query(
            "SELECT * FROM changes WHERE table_name = 'accidents' AND record_id = ? AND action = ? ORDER BY id",
            (record, action),
        )
    ]


def test_a_correction_survives_a_forced_rerun_and_is_in_changes(ws):
    acc = ws.accident(DISAGREES["标题"])
    read, other = ws.disagreement(DISAGREES["标题"])
    assert acc["deaths"] == read
    done = ws.etl(
        "correct", acc["id"], "deaths", str(other), "--reason", "核对附件伤亡名单", "--by", "王建国"
    )
    assert "已记录" in done.stdout
    assert ws.accident(DISAGREES["标题"])["deaths"] == read  # applied by the next run, not before
    ws.etl("run")  # the source did not change: the decision is applied all the same
    assert ws.accident(DISAGREES["标题"])["deaths"] == other
    [change] = _changes(ws, acc["id"], "corrected")
    assert change["fields"] == {"deaths": [read, other]}
    for _ in range(2):
        ws.etl("run", "--force")  # re-extracts the text's value; the decision still holds
        assert ws.accident(DISAGREES["标题"])["deaths"] == other
    assert len(_changes(ws, acc["id"], "corrected")) == 1  # applied again, not changed again
    [mirror] = ws.query("SELECT * FROM corrections")
    assert (mirror["applied"], mirror["stale"], mirror["decided_by"]) == (1, 0, "王某国")  # masked in the db
    # the file says who, when, why, the value it replaced and the sentence it was about
    [entry] = yaml.safe_load(ws.decisions_text())
    assert entry["by"] == "王建国" and entry["value"] == other and entry["previous"] == read
    assert entry["reason"] == "核对附件伤亡名单" and f"{read}人死亡" in entry["quote"] and entry["date"]
    # nothing in the review queue for it any more
    assert not [i for i in ws.review()["items"] if i["record"] == acc["id"] and i["field"] == "deaths"]


def test_a_corrected_figure_recomputes_the_grade(ws):
    acc = ws.accident(PLAIN["标题"])
    assert (acc["deaths"], acc["grade_computed"], acc["grade_mismatch"]) == (1, "一般", 0)
    ws.etl("correct", acc["id"], "deaths", "3", "--reason", "附件名单为3人", "--by", "李四")
    ws.etl("run")
    acc = ws.accident(PLAIN["标题"])
    # 条例第三条: 3 deaths is 较大, which the stated 一般 now contradicts
    assert (acc["deaths"], acc["grade_computed"], acc["grade_mismatch"]) == (3, "较大", 1)
    [change] = _changes(ws, acc["id"], "corrected")
    assert change["fields"] == {
        "deaths": [1, 3],
        "grade_computed": ["一般", "较大"],
        "grade_mismatch": [0, 1],
    }


def test_a_confirmation_marks_the_fact_reviewed_and_the_public_sees_the_date(ws, tmp_path):
    acc = ws.accident(PLAIN["标题"])
    ws.etl("correct", acc["id"], "deaths", "--accept", "--reason", "与批复一致", "--by", "李四")
    ws.etl("run")
    ws.etl("run", "--force")
    [change] = _changes(ws, acc["id"], "confirmed")  # once, not on every run
    assert change["fields"] == {"deaths": [1, 1]}
    out = tmp_path / "public.db"
    build_public_db(ws.db, out, AS_OF)
    conn = sqlite3.connect(out)
    review, reviewed_on = conn.execute(
        "SELECT review, reviewed_on FROM evidence WHERE id = ?", (f"{acc['id']}-ev-deaths",)
    ).fetchone()
    assert review == "confirmed" and reviewed_on == yaml.safe_load(ws.decisions_text())[0]["date"]
    assert "corrections" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert conn.execute(
        "SELECT action FROM changes WHERE record_id = ? AND action = 'confirmed'", (acc["id"],)
    ).fetchone()
    conn.close()


def test_a_changed_source_sentence_is_reported_and_the_correction_still_holds(ws):
    acc = ws.accident(DISAGREES["标题"])
    read, other = ws.disagreement(DISAGREES["标题"])
    ws.etl("correct", acc["id"], "deaths", str(other), "--reason", "核对附件伤亡名单", "--by", "王某")
    ws.etl("run")
    # the publisher rewrites the sentence the decision quoted
    [entry] = yaml.safe_load(ws.decisions_text())
    rewritten = entry["quote"].replace("人死亡", "人当场死亡")
    changed = dict(DISAGREES, 正文=DISAGREES["正文"].replace(entry["quote"], rewritten))
    assert changed != DISAGREES
    ws.write([changed, PLAIN, TABLE_DIFFERS, GRADE_LOW])
    done = ws.etl("run")
    assert acc["id"] in done.stdout and "来源文本已变化" in done.stdout
    assert ws.accident(DISAGREES["标题"])["deaths"] == other
    [mirror] = ws.query("SELECT stale, applied FROM corrections")
    assert mirror == {"stale": 1, "applied": 1}
    [item] = [i for i in ws.review()["items"] if i["kind"] == "decision_stale"]
    assert item["record"] == acc["id"] and item["field"] == "deaths"
    assert entry["quote"] in item["candidates"][0]["quote"]  # what the decision was about


def test_a_source_change_elsewhere_leaves_a_clean_history(ws):
    """The loader rewrites the record (its text changed) and would log the corrected value going
    back; the correction is applied again, so the history shows only what really changed."""
    acc = ws.accident(DISAGREES["标题"])
    read, other = ws.disagreement(DISAGREES["标题"])
    ws.etl("correct", acc["id"], "deaths", str(other), "--reason", "核对附件伤亡名单", "--by", "王某")
    ws.etl("run")
    changed = dict(
        DISAGREES, 正文=DISAGREES["正文"] + "\n四、事故防范和整改措施建议\n（一）严格落实安全生产主体责任。"
    )
    ws.write([changed, PLAIN, TABLE_DIFFERS, GRADE_LOW])
    ws.etl("run")
    assert ws.accident(DISAGREES["标题"])["deaths"] == other
    updated = _changes(ws, acc["id"], "updated")
    assert updated and all("deaths" not in c["fields"] for c in updated)
    assert len(_changes(ws, acc["id"], "corrected")) == 1
    assert ws.query("SELECT stale FROM corrections")[0]["stale"] == 0  # the quoted sentence is unchanged


@pytest.mark.parametrize(
    "args, message",
    [
        (["deaths", "3.5"], "整数"),
        (["deaths", "四"], "整数"),
        (["deaths", "--", "-1"], "整数"),
        (["occurred_on", "2024-02-30"], "YYYY-MM-DD"),
        (["occurred_on", "2024年3月12日"], "YYYY-MM-DD"),
        (["grade_stated", "大"], "一般 / 较大 / 重大 / 特别重大"),
        (["accident_type", "爆炸事件"], "词表"),
        (["direct_loss_yuan", "很多"], "金额"),
        (["enterprise_uscc", "91620102MA71LY0010"], "统一社会信用代码"),
        (["grade_computed", "重大"], "只能确认"),
        (["shoe_size", "42"], "不能更正的字段"),
        (["deaths"], "二者选一"),
        (["deaths", "4", "--accept"], "二者选一"),
    ],
)
def test_a_bad_correction_is_refused_and_nothing_is_written(untouched, args, message):
    record = untouched.accident(DISAGREES["标题"])["id"]
    done = untouched.etl("correct", "--reason", "测试", "--by", "王某", record, *args, check=False)
    assert done.returncode != 0 and message in done.stderr, done.stderr
    assert "未记录任何内容" in done.stderr
    assert untouched.decisions_text() == ""


def test_an_unknown_record_is_refused(untouched):
    done = untouched.etl(
        "correct", "acc-000000000000", "deaths", "4", "--reason", "测试", "--by", "王某", check=False
    )
    assert done.returncode != 0 and "没有编号为「acc-000000000000」" in done.stderr
    assert untouched.decisions_text() == ""


def test_the_file_is_appended_to_and_the_last_decision_wins(ws):
    record = ws.accident(DISAGREES["标题"])["id"]
    ws.etl("correct", record, "deaths", "5", "--reason", "初次核对", "--by", "王某")
    first = ws.decisions_text()
    ws.etl("correct", record, "deaths", "4", "--reason", "再次核对", "--by", "李某")
    assert ws.decisions_text().startswith(first)  # diff-able: earlier entries never rewritten
    assert [e["value"] for e in yaml.safe_load(ws.decisions_text())] == [5, 4]
    ws.etl("run")
    assert ws.accident(DISAGREES["标题"])["deaths"] == 4


def test_unusable_entries_are_reported_and_an_unreadable_file_changes_nothing(ws):
    record = ws.accident(DISAGREES["标题"])["id"]
    ws.etl("correct", record, "deaths", "4", "--reason", "以调查结论为准", "--by", "王某")
    path = ws.corrections / "accidents.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "- record: acc-000000000000\n  field: deaths\n"
        "  action: correct\n  value: 2\n  date: '2026-01-01'\n  by: 王某\n  reason: 错号\n"
        f"- record: {record}\n  field: missing\n  action: correct\n  value: 很多\n"
        "  date: '2026-01-01'\n  by: 王某\n  reason: 坏值\n",
        encoding="utf-8",
    )
    done = ws.etl("run")
    assert "acc-000000000000" in done.stdout and "第 3 条" in done.stdout
    assert ws.accident(DISAGREES["标题"])["deaths"] == 4  # the good entry is applied
    path.write_text(path.read_text(encoding="utf-8") + "- [unclosed\n", encoding="utf-8")
    done = ws.etl("run", "--force")
    assert "无法读取" in done.stdout
    assert ws.accident(DISAGREES["标题"])["deaths"] == 4  # the last applied state is kept


def test_a_decision_taken_out_of_the_file_gives_back_the_extracted_value(ws):
    record = ws.accident(DISAGREES["标题"])["id"]
    read, other = ws.disagreement(DISAGREES["标题"])
    ws.etl("correct", record, "deaths", str(other), "--reason", "核对附件伤亡名单", "--by", "王某")
    ws.etl("run")
    (ws.corrections / "accidents.yaml").write_text("[]\n", encoding="utf-8")
    ws.etl("run")
    assert ws.accident(DISAGREES["标题"])["deaths"] == read
    assert [c["fields"] for c in _changes(ws, record, "corrected")] == [
        {"deaths": [read, other]},
        {"deaths": [other, read]},
    ]
