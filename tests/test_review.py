"""The review queue (`etl review`, etl/review.py) and the publish gate `review` end to end: the
real ETL and publish command lines on a source of our own (tests/_reports_source.py), releases
into a scratch destination, and the accident page opened in headless Chromium."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from publish import releases
from publish.release import Options, load_config, release
from tests import _site_fixture as fx
from tests._browser import chromium
from tests._reports_source import DISAGREES, GRADE_LOW, LATER, PLAIN, ROOT, TABLE_DIFFERS, Workspace
from tests.conftest import AS_OF
from tests.httpd import serve

ANOTHER = dict(
    标题="示例己冶金有限公司“4·4”灼烫事故调查报告",
    正文="2025年4月4日11时许，嘉峪关市示例己冶金有限公司发生灼烫事故，造成2人死亡，直接经济损失200万元。"
    "\n经调查，事故造成3人死亡。事故等级为较大。",
    死亡人数="",
    发布日期="2025-06-01",
)
REPORTS = [DISAGREES, PLAIN, TABLE_DIFFERS, GRADE_LOW]


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    workspace = Workspace(tmp_path_factory.mktemp("review"), REPORTS)
    workspace.etl("run")
    return workspace


def _items(ws, *args) -> list[dict]:
    return ws.review(*args)["items"]


def _release(ws, mode: str) -> Path:
    """publish.release.release() as `python -m publish release --no-etl` runs it (HTML
    validation off: tests/test_publish.py covers it)."""
    config = copy.deepcopy(load_config())
    config["gates"].update(html_validation="off", review=mode)
    return release(Options(dest=ws.dest, as_of=AS_OF, db=ws.db, config=config, run_etl=False))


def _cli_release(ws, mode: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "publish",
            "release",
            "--no-etl",
            "--dest",
            str(ws.dest),
            "--db",
            str(ws.db),
            "--as-of",
            AS_OF.isoformat(),
        ],
        cwd=ROOT,
        env=ws.env(DISCLOSURE_REVIEW_GATE=mode),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_queue_lists_each_uncertain_fact_with_its_candidates_and_quotes(ws):
    items = _items(ws)
    disagreeing = {ws.accident(DISAGREES["标题"])["id"], ws.accident(TABLE_DIFFERS["标题"])["id"]}
    found = {(i["record"], i["field"]): i for i in items if i["kind"] == "disagreement"}
    assert {r for r, f in found if f == "deaths"} == disagreeing
    twice = found[(ws.accident(DISAGREES["标题"])["id"], "deaths")]
    read, other = ws.disagreement(DISAGREES["标题"])
    assert {read, other} == {3, 4}
    assert twice["value"] == read and f"{read}人死亡" in twice["quote"]
    assert [(c["value"], f"{other}人死亡" in c["quote"]) for c in twice["candidates"]] == [(other, True)]
    table = found[(ws.accident(TABLE_DIFFERS["标题"])["id"], "deaths")]
    assert table["quote"] == "死亡人数：2" and table["candidates"][0]["value"] == 1
    # the stated grade below the one the figures give (条例第三条)
    [grade] = [i for i in items if i["kind"] == "grade_mismatch"]
    assert grade["record"] == ws.accident(GRADE_LOW["标题"])["id"] and grade["value"] == "一般"
    assert grade["candidates"][0]["value"] == "较大"
    # no release yet: every report is new
    assert {i["record"] for i in items if i["kind"] == "new_report"} == {
        a["id"] for a in ws.query("SELECT id FROM accidents")
    }
    text = ws.etl("review").stdout
    assert DISAGREES["标题"] in text and f"[前后不一致] 死亡（deaths） = {read}" in text
    assert f"候选：{other}「" in text and "[等级不一致]" in text and "[新报告]" in text


def test_enterprises_not_linked_by_code_or_registered_name_are_listed(tmp_path):
    small = Workspace(tmp_path, [PLAIN, GRADE_LOW])
    small.etl("run")
    plain, low = small.accident(PLAIN["标题"])["id"], small.accident(GRADE_LOW["标题"])["id"]
    # as etl/derive.py records a link it cannot prove, and one it proved
    candidates = json.dumps(
        [{"id": "ent-9", "name": "示例乙建材集团有限公司", "city_code": "620500", "reason": "shared_prefix"}],
        ensure_ascii=False,
    )
    import sqlite3

    with sqlite3.connect(small.db) as conn:
        conn.execute(
            "UPDATE accidents SET enterprise_link_method = 'review', enterprise_link_candidates = ?"
            " WHERE id = ?",
            (candidates, plain),
        )
        conn.execute("UPDATE accidents SET enterprise_link_method = 'exact_name' WHERE id = ?", (low,))
    [item] = [i for i in _items(small) if i["kind"] == "enterprise_link"]
    assert (item["record"], item["field"], item["value"]) == (plain, "enterprise_name", "示例乙建材有限公司")
    assert item["candidates"] == [{"value": "示例乙建材集团有限公司", "quote": "ent-9 620500 shared_prefix"}]
    assert "示例乙建材有限公司" in item["quote"]
    # a decision on the name or the code settles it
    small.etl("correct", plain, "enterprise_name", "--accept", "--reason", "营业执照核对", "--by", "王某")
    assert not [i for i in _items(small) if i["kind"] == "enterprise_link"]


def test_the_gate_in_fail_mode_stops_the_release(ws):
    done = _cli_release(ws, "fail")
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout + done.stderr
    for title in (DISAGREES["标题"], TABLE_DIFFERS["标题"]):
        assert ws.accident(title)["id"] in out
    assert "etl correct" in out
    assert releases.current(ws.dest) is None  # nothing was switched
    [failed] = releases.all_releases(ws.dest, complete_only=False)
    assert releases.info(failed)["status"] == "failed" and "gate: review" in releases.info(failed)["error"]


def test_decisions_let_the_release_through(ws):
    read, other = ws.disagreement(DISAGREES["标题"])
    ws.etl(
        "correct",
        ws.accident(DISAGREES["标题"])["id"],
        "deaths",
        str(other),
        "--reason",
        "核对附件伤亡名单",
        "--by",
        "王某",
    )
    ws.etl(
        "correct",
        ws.accident(TABLE_DIFFERS["标题"])["id"],
        "deaths",
        "--accept",
        "--reason",
        "信息公开表与批复一致",
        "--by",
        "李某",
    )
    ws.etl("run")
    assert not [i for i in _items(ws) if i["kind"] in ("disagreement", "low_confidence")]
    folder = _release(ws, "fail")
    assert releases.current(ws.dest) == folder
    gate = [
        json.loads(line)
        for line in (folder / "log.jsonl").read_text(encoding="utf-8").splitlines()
        if '"gate: review"' in line
    ][0]
    assert gate["status"] == "ok" and gate["counts"]["unreviewed"] == 0


def test_the_gate_in_mark_mode_lets_a_new_report_through_marked(ws):
    ws.write(REPORTS + [ANOTHER, LATER])
    ws.etl("run")
    another = ws.accident(ANOTHER["标题"])["id"]
    # new since the release: only the two added reports
    items = _items(ws, "--since-release", str(ws.dest))
    assert {i["record"] for i in items if i["kind"] == "new_report"} == {
        another,
        ws.accident(LATER["标题"])["id"],
    }
    assert [i["field"] for i in items if i["kind"] == "disagreement"] == ["deaths"]
    folder = _release(ws, "mark")
    assert releases.current(ws.dest) == folder
    gate = [
        json.loads(line)
        for line in (folder / "log.jsonl").read_text(encoding="utf-8").splitlines()
        if '"gate: review"' in line
    ][0]
    assert gate["counts"]["unreviewed"] == 1 and another in " ".join(gate["warnings"])
    page = (folder / "site" / "accidents" / another / "index.html").read_text(encoding="utf-8")
    assert "待核实" in page
    corrected = (
        folder / "site" / "accidents" / ws.accident(DISAGREES["标题"])["id"] / "index.html"
    ).read_text(encoding="utf-8")
    assert "经人工核对" in corrected and "待核实" not in corrected and "人工更正" in corrected


def test_the_accident_page_shows_the_evidence_in_a_browser(ws, tmp_path):
    """Open the corrected report's page, find 死亡, see 经人工核对, open 依据, read the quote."""
    public = releases.current(ws.dest) / "data" / "public.db"
    site = fx.build(public, tmp_path / "site")
    record = ws.accident(DISAGREES["标题"])["id"]
    read, other = ws.disagreement(DISAGREES["标题"])  # staff corrected `read` to `other`
    with serve(site.output) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/accidents/{record}/")
        deaths = page.locator("dl.facts dt", has_text="死亡").first.locator("xpath=following-sibling::dd[1]")
        assert f"{other} 人" in deaths.inner_text()
        reviewed = deaths.locator(".tag", has_text="经人工核对")
        assert reviewed.is_visible() and reviewed.inner_text().startswith("经人工核对 20")
        quote = deaths.locator("details blockquote")
        assert not quote.is_visible()  # closed until asked for
        deaths.locator("details summary", has_text="依据").click()
        assert quote.is_visible() and f"{read}人死亡" in quote.inner_text()
        details = deaths.locator("details").inner_text()
        assert "报告原文" in details and f"从报告中读取的值为 {read}" in details
        assert f"{other}人死亡" in details  # the other statement, which staff chose
        grade = page.locator("dl.facts dt", has_text="事故等级").first.locator(
            "xpath=following-sibling::dd[1]"
        )
        grade.locator("summary").click()
        assert "事故等级为较大" in grade.locator("blockquote").inner_text()
        page.goto(f"{base}/accidents/{ws.accident(ANOTHER['标题'])['id']}/")
        pending = page.locator("dl.facts dt", has_text="死亡").first.locator("xpath=following-sibling::dd[1]")
        assert pending.locator(".tag", has_text="待核实").is_visible()
        assert not errors
