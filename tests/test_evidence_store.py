"""Evidence of every fact, stored and published: the real ETL command on a source of our own
(tests/_reports_source.py) writes `evidence` rows beside the accidents, the public filter
(etl/public.py rule 10) copies them with masked quotes and checked offsets, and Datasette shows
the table with its Chinese labels."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from datasette.app import Datasette

from etl.public import build_public_db
from publish import datasette_serve
from publish.datasette import metadata
from tests._reports_source import DISAGREES, PLAIN, TABLE_DIFFERS, Workspace
from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    workspace = Workspace(tmp_path_factory.mktemp("evidence"))
    workspace.etl("run")
    return workspace


@pytest.fixture(scope="module")
def public(ws):
    out = ws.base / "public" / "public.db"
    build_public_db(ws.db, out, AS_OF)
    return out


def _text(report: dict) -> str:
    """The text the extractor reads, which evidence offsets point into (etl/datasets/accidents.py)."""
    return f"{report['标题']}\n{report['正文']}"


def test_each_fact_of_a_report_has_its_evidence(ws):
    evidence = ws.evidence(PLAIN["标题"])
    assert {
        "occurred_on",
        "enterprise_name",
        "deaths",
        "direct_loss_yuan",
        "grade_stated",
        "grade_computed",
        "accident_type",
    } <= evidence.keys()
    deaths = evidence["deaths"]
    assert (deaths["value"], deaths["method"], deaths["confidence"]) == (1, "stated", "high")
    assert "1人死亡" in deaths["quote"] and "150万元" in evidence["direct_loss_yuan"]["quote"]
    assert "事故等级为一般" in evidence["grade_stated"]["quote"]
    # the grade computed from the figures (条例第三条) quotes nothing: it is labelled computed
    assert evidence["grade_computed"]["method"] == "computed" and evidence["grade_computed"]["quote"] is None
    assert evidence["accident_type"]["value"] == ws.accident(PLAIN["标题"])["accident_type"]
    for row in evidence.values():
        if row["quote_start"] is not None:  # offsets into the archived text: the quote is there
            assert _text(PLAIN)[row["quote_start"] : row["quote_end"]] == row["quote"], row


def test_a_figure_stated_twice_keeps_both_values_and_their_sentences(ws):
    deaths = ws.evidence(DISAGREES["标题"])["deaths"]
    assert (deaths["confidence"], deaths["reason"]) == ("low", "disagreement")
    candidates = json.loads(deaths["candidates"])
    assert {deaths["value"]} | {c["value"] for c in candidates} == {3, 4}
    for candidate in candidates:
        assert candidate["quote"] in _text(DISAGREES)
        assert _text(DISAGREES)[candidate["start"] : candidate["end"]] == candidate["quote"]


def test_a_source_field_that_wins_is_the_evidence_and_a_text_that_differs_goes_to_review(ws):
    assert ws.accident(TABLE_DIFFERS["标题"])["deaths"] == 2  # the source's own column wins
    deaths = ws.evidence(TABLE_DIFFERS["标题"])["deaths"]
    assert (deaths["method"], deaths["quote"], deaths["quote_start"]) == ("source_field", "死亡人数：2", None)
    assert (deaths["confidence"], deaths["reason"]) == ("low", "disagreement")
    [text_says] = json.loads(deaths["candidates"])
    assert text_says["value"] == 1 and "1人死亡" in text_says["quote"]
    # a fact the source has no column for still comes from the text
    assert ws.evidence(TABLE_DIFFERS["标题"])["occurred_on"]["method"] == "stated"


def test_quotes_are_stored_masked_and_accountability_entries_have_theirs(ws):
    stored = json.dumps(ws.query("SELECT quote, candidates, value FROM evidence"), ensure_ascii=False)
    assert "张三昌" not in stored and "张某昌" in stored
    entries = [r for r in ws.evidence(DISAGREES["标题"]).values() if r["field"] == "accountability"]
    assert entries and all(r["accountability_id"] for r in entries)
    ids = {r["id"] for r in ws.query("SELECT id FROM accountability")}
    assert {r["accountability_id"] for r in entries} <= ids
    assert any("张某昌" in r["quote"] and "罚款" in r["quote"] for r in entries)


def test_a_rerun_with_the_same_text_changes_no_evidence(ws):
    before = ws.query("SELECT id, record_hash FROM evidence ORDER BY id")
    ws.etl("run", "--force")
    assert ws.query("SELECT id, record_hash FROM evidence ORDER BY id") == before
    assert not ws.query("SELECT * FROM changes WHERE table_name = 'evidence' AND action != 'added'")


def test_the_public_database_has_the_evidence_of_the_published_accidents(ws, public):
    conn = sqlite3.connect(public)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM evidence")]
    accidents = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM accidents")}
    assert rows and {r["accident_id"] for r in rows} <= accidents.keys()
    assert len(rows) == ws.query("SELECT count(*) AS n FROM evidence WHERE removed_run IS NULL")[0]["n"]
    for row in rows:
        # an offset is published only where it points at the quote in the published text
        if row["quote_start"] is not None:
            acc = accidents[row["accident_id"]]
            assert (
                f"{acc['title']}\n{acc['body_text']}"[row["quote_start"] : row["quote_end"]] == row["quote"]
            )
        assert not (row["source_url"] or "").startswith("file:")  # rule 9
        assert row["needs_review"] == (1 if row["confidence"] == "low" else 0)  # no decision yet
        assert row["review"] is None
    published = json.dumps(rows, ensure_ascii=False)
    assert "张三昌" not in published
    # its history stays internal (only accidents' changes are published)
    assert not conn.execute("SELECT 1 FROM changes WHERE table_name = 'evidence'").fetchone()
    conn.close()


def test_datasette_lists_the_table_with_chinese_labels(public):
    tables = metadata.build()["databases"]["public"]["tables"]
    assert tables["evidence"]["title"] == "事实依据"
    assert tables["evidence"]["column_labels"]["quote"] == "原文"
    assert "corrections" not in tables  # who decided and why stay internal
    ds = Datasette(immutables=[str(public)], **datasette_serve.datasette_kwargs())
    index = asyncio.run(ds.client.get("/public"))
    assert index.status_code == 200 and "事实依据" in index.text
    page = asyncio.run(ds.client.get("/public/evidence?field=deaths&confidence=low"))
    assert page.status_code == 200 and "事实依据" in page.text and "原文" in page.text
    assert "经调查，事故造成4人死亡" in page.text or "造成3人死亡" in page.text


def test_a_withdrawn_report_keeps_its_published_evidence(tmp_path):
    """A report the source took down stays public (rule 2), and so does the evidence of its facts."""
    small = Workspace(tmp_path, [DISAGREES, PLAIN, TABLE_DIFFERS])
    small.etl("run")
    record = small.accident(PLAIN["标题"])["id"]
    small.write([DISAGREES, TABLE_DIFFERS])
    small.etl("run")
    assert small.accident(PLAIN["标题"])["removed_run"] is not None
    out = tmp_path / "public.db"
    build_public_db(small.db, out, AS_OF)
    conn = sqlite3.connect(out)
    assert conn.execute("SELECT withdrawn FROM accidents WHERE id = ?", (record,)).fetchone() == (1,)
    fields = {f for (f,) in conn.execute("SELECT field FROM evidence WHERE accident_id = ?", (record,))}
    conn.close()
    assert {"deaths", "occurred_on", "grade_stated"} <= fields
