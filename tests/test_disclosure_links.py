"""Links among the further disclosures (etl/derive_disclosures.py), checked on the real ETL run
over the bundled samples against the facts they were written from (data/samples/_truth.json):
no link is wrong, and every link the documents support is made."""

from __future__ import annotations

import json
import sqlite3

import pytest

from etl import settings


@pytest.fixture(scope="module")
def truth():
    return json.loads((settings.SAMPLES_DIR / "_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def conn(internal_db):
    c = sqlite3.connect(f"file:{internal_db}?mode=ro", uri=True)
    c.row_factory = sqlite3.Row
    yield c
    c.close()


def test_every_hazard_announcement_links_to_its_listing(truth, conn):
    d = truth["disclosures"]
    ids = {}
    for h in d["hazards"]:
        if h.get("rejected"):
            continue
        rows = conn.execute(
            "SELECT id FROM hazards WHERE listed_on = ? AND hazard = ? AND (uscc = ? OR enterprise_name = ?)",
            (h["listed_on"], h["hazard"], h["uscc"], h["enterprise"]),
        ).fetchall()
        assert len(rows) == 1, h["key"]
        ids[h["key"]] = rows[0]["id"]
    wrong = []
    for e in d["hazard_events"]:
        got = {
            r["hazard_id"]
            for r in conn.execute(
                "SELECT hazard_id FROM hazard_events WHERE event = ? AND event_on = ? AND enterprise_name = ?",
                (e["event"], e["event_on"], e["enterprise"]),
            )
        }
        if got != {ids.get(e.get("hazard_key"))}:
            wrong.append((e["key"], got))
    assert not wrong
    # an enterprise with no listing stays unlinked, and it is planted in the samples
    assert any(e.get("hazard_key") is None for e in d["hazard_events"])


def test_each_hazard_has_its_events_and_removal(truth, conn):
    for h in truth["disclosures"]["hazards"]:
        if h.get("rejected") or h["removed_on_stated"] or not h["removed_on"]:
            continue
        row = conn.execute(
            "SELECT events, removal_doc FROM hazards WHERE listed_on = ? AND hazard = ? AND uscc IS ?",
            (h["listed_on"], h["hazard"], h["uscc"]),
        ).fetchone()
        events = json.loads(row["events"])
        assert [e["on"] for e in events if e["kind"] == "removed"][:1] == [h["removed_on"]], h["key"]
        assert row["removal_doc"]


def test_penalties_link_to_the_accident_they_follow_and_never_wrongly(truth, conn):
    accidents = {a["key"]: a for a in truth["accidents"]}
    linked = wrong = 0
    for p in truth["disclosures"]["penalties"]:
        if p.get("rejected"):
            continue
        row = conn.execute(
            "SELECT a.title FROM penalties p LEFT JOIN accidents a ON a.id = p.accident_id"
            " WHERE p.decision_no = ?",
            (p["decision_no"],),
        ).fetchone()
        assert row is not None, p["decision_no"]
        want = accidents[p["accident_key"]]["title"] if p.get("accident_key") else None
        if row["title"] is not None:
            linked += 1
            wrong += row["title"] != want
    planted = sum(1 for p in truth["disclosures"]["penalties"] if p.get("accident_key"))
    assert wrong == 0
    # one decision cites only a 批复文号 its report's page never prints: it cannot be linked
    assert linked >= planted - 1 and planted >= 10


def test_agency_actions_and_reports_link_to_the_register(conn):
    assert conn.execute("SELECT count(*) FROM agency_actions WHERE agency_id IS NULL").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM agency_reports WHERE agency_id IS NULL").fetchone()[0] == 0
    # a client with a code is linked to the enterprise hub
    assert (
        conn.execute(
            "SELECT count(*) FROM agency_reports WHERE client_uscc IS NOT NULL AND enterprise_id IS NULL"
        ).fetchone()[0]
        == 0
    )


def test_new_kinds_join_the_enterprise_hub(conn):
    for table, where in (
        ("hazards", "uscc IS NOT NULL"),
        ("penalties", "party_type = 'enterprise' AND uscc IS NOT NULL"),
        ("inspections", "uscc IS NOT NULL"),
        ("projects", "uscc IS NOT NULL"),
        ("agencies", "uscc IS NOT NULL"),
    ):
        unlinked = conn.execute(
            f"SELECT count(*) FROM {table} WHERE {where} AND enterprise_id IS NULL"
        ).fetchone()
        assert unlinked[0] == 0, table
    # a person fined is never an enterprise of the hub
    assert (
        conn.execute(
            "SELECT count(*) FROM penalties WHERE party_type = 'person' AND enterprise_id IS NOT NULL"
        ).fetchone()[0]
        == 0
    )
