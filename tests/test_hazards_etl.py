"""重大事故隐患挂牌督办 and its 销号/约谈/曝光 announcements, end to end: the sample sources generated
into a temporary folder, served on 127.0.0.1, read by their specs into a real SQLite file, and
compared with the generator's truth (listings, deadlines as printed, statuses on two days, the
events and what links them), plus each reader's broken inputs for these sources."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from etl import settings
from etl.rules.hazards import hazard_status
from etl.rules.vocabulary import SECTORS
from etl.spec import load_specs
from tests._disclosure_etl import Env
from tests.httpd import FaultyServer

LISTINGS = ("gs-yjt-hazards", "lz-yjj-hazards")
EVENTS = ("gs-yjt-hazard-events", "gs-yjt-hazard-events-removals")
SOURCES = LISTINGS + EVENTS
SPECS = {spec.id: spec for spec in load_specs(only=list(SOURCES))}


@pytest.fixture(scope="module")
def samples(generated_samples) -> tuple[Path, dict]:
    return generated_samples


@pytest.fixture(scope="module")
def truth(samples) -> dict:
    return samples[1]["disclosures"]


@pytest.fixture(scope="module")
def loaded(samples, tmp_path_factory):
    with FaultyServer(samples[0]) as server:
        env = Env(tmp_path_factory.mktemp("loaded"), server, SPECS)
        run_id, results = env.run()
        env.run_id, env.results = run_id, results
        yield env


@pytest.fixture
def env(samples, tmp_path):
    with FaultyServer(samples[0]) as server:
        yield Env(tmp_path, server, SPECS)


def _listing(loaded, h: dict) -> dict:
    rows = [
        r
        for r in loaded.live("hazards", h["source_id"])
        if r["enterprise_name"] == h["enterprise"]
        and r["listed_on"] == h["listed_on"]
        and r["hazard"] == h["hazard"]
    ]
    assert len(rows) == 1, h
    return rows[0]


def _event(loaded, e: dict) -> dict:
    rows = [
        r
        for r in loaded.live("hazard_events", e["source_id"])
        if (r["enterprise_name"], r["event"], r["event_on"]) == (e["enterprise"], e["event"], e["event_on"])
    ]
    assert len(rows) == 1, e
    return rows[0]


# --- the listings ------------------------------------------------------------------------------


def test_every_source_loads_and_only_the_nameless_row_is_rejected(loaded, samples, truth):
    counts = samples[1]["counts"]
    assert {sid: r.status for sid, r in loaded.results.items()} == {sid: "ok" for sid in SOURCES}
    assert all(not r.unmapped for r in loaded.results.values()), {
        s: r.unmapped for s, r in loaded.results.items()
    }
    listed = sum(len(loaded.live("hazards", s)) for s in LISTINGS)
    assert listed == counts["hazards"] == sum(h["rejected"] is None for h in truth["hazards"])
    assert sum(len(loaded.live("hazard_events", s)) for s in EVENTS) == counts["hazard_events"]
    rejects = loaded.query("SELECT source_id, reason, raw FROM rejects WHERE run_id = ?", (loaded.run_id,))
    [bad] = [h for h in truth["hazards"] if h["rejected"]]
    assert [(r["source_id"], r["reason"]) for r in rejects] == [
        ("lz-yjj-hazards", "缺少必填字段：企业名称（enterprise_name）")
    ]
    assert bad["hazard"] in json.loads(rejects[0]["raw"])["隐患描述"]


def test_listings_are_loaded_as_the_truth_states_them(loaded, truth):
    for h in (h for h in truth["hazards"] if h["rejected"] is None):
        row = _listing(loaded, h)
        expected = {
            k: h[k] for k in ("notice_no", "uscc", "region_code", "industry", "deadline", "listed_on")
        }
        expected |= {
            "supervising_authority": h["supervising_authority"],
            "responsible_authority": h["responsible_authority"],
            "removed_on": h["removed_on_stated"],
        }
        assert {k: row[k] for k in expected} == expected, h["key"]
        if h["source_id"] == "gs-yjt-hazards":
            assert row["location"] == h["location"]
    assert {r["industry"] for s in LISTINGS for r in loaded.live("hazards", s)} <= set(SECTORS)


def test_deadlines_and_numbers_as_printed(loaded, truth, samples):
    as_of = samples[1]["as_of"]
    by_shown = {h["deadline_shown"]: _listing(loaded, h) for h in truth["hazards"] if h["rejected"] is None}
    assert by_shown["2025年6月30日前"]["deadline"] == "2025-06-30"
    assert by_shown["立即整改"]["deadline"] is None  # no day: kept, not rejected
    assert any(h["deadline"] == as_of for h in truth["hazards"] if h["rejected"] is None)
    # 文号 in the title's brackets (province) and 兰安办发[2025]38号 (兰州) come out alike
    numbers = {r["notice_no"] for s in LISTINGS for r in loaded.live("hazards", s)}
    assert numbers == {h["notice_no"] for h in truth["hazards"] if h["rejected"] is None}
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+〔\d{4}〕\d+号", n) for n in numbers), numbers
    # the code left blank is NULL; the province states no removals, 兰州's list does
    assert any(h["uscc"] is None and "统一社会信用代码 left blank" in h["planted"] for h in truth["hazards"])
    assert all(r["removed_on"] is None for r in loaded.live("hazards", "gs-yjt-hazards"))
    assert sum(r["removed_on"] is not None for r in loaded.live("hazards", "lz-yjj-hazards")) == 2


def test_statuses_on_as_of_and_later_from_the_loaded_values(loaded, truth):
    """The status rule over what was loaded (a removal stated by the list, else the first 销号
    announcement of the listing) gives the statuses the samples were written for."""
    first_removal: dict[str, str] = {}
    for e in truth["hazard_events"]:
        if e["event"] == "removed" and e["hazard_key"]:
            day = _event(loaded, e)["event_on"]
            first_removal[e["hazard_key"]] = min(day, first_removal.get(e["hazard_key"], day))
    day_of = dt.date.fromisoformat
    seen: dict[str, set[str]] = {"status": set(), "status_later": set()}
    for h in (h for h in truth["hazards"] if h["rejected"] is None):
        row = _listing(loaded, h)
        removed = row["removed_on"] or first_removal.get(h["key"])
        for column, day in zip(("status", "status_later"), truth["hazard_status_days"]):
            got = hazard_status(
                day_of(row["listed_on"]),
                day_of(row["deadline"]) if row["deadline"] else None,
                day_of(removed) if removed else None,
                day_of(day),
            )
            assert got == h[column], (h["key"], column)
            seen[column].add(got)
    assert seen["status"] == {"supervised", "overdue", "removed", "future"}
    assert seen["status_later"] == {"supervised", "overdue", "removed"}


# --- the events --------------------------------------------------------------------------------


def test_events_are_loaded_with_what_links_them_to_their_listing(loaded, truth):
    hazards = {h["key"]: h for h in truth["hazards"]}
    for e in truth["hazard_events"]:
        row = _event(loaded, e)
        assert (row["notice_no"], row["uscc"], row["title"]) == (e["notice_no"], e["uscc"], e["title"]), e[
            "key"
        ]
        assert row["authority"] == e["authority"]
        if e["hazard_key"] is None:
            # named by an announcement, never listed: nothing to link it to
            assert not [r for s in LISTINGS for r in loaded.live("hazards", s) if r["uscc"] == e["uscc"]]
            continue
        listing = _listing(loaded, hazards[e["hazard_key"]])
        assert listing["hazard"].startswith(row["hazard"]), e["key"]
        if row["notice_no"]:
            assert row["notice_no"] == listing["notice_no"], e["key"]
        else:  # the code (or name) and the hazard text pick out the one listing
            same = [
                r
                for s in LISTINGS
                for r in loaded.live("hazards", s)
                if r["enterprise_name"] == row["enterprise_name"] and r["hazard"].startswith(row["hazard"])
            ]
            assert [r["id"] for r in same] == [listing["id"]], e["key"]
    kinds = {r["event"] for s in EVENTS for r in loaded.live("hazard_events", s)}
    assert kinds == {"removed", "interview", "exposure"}


def test_planted_event_cases(loaded, truth):
    planted = {p: e for e in truth["hazard_events"] for p in e["planted"]}
    fullwidth = planted["挂牌督办文号 with full-width digits"]
    assert re.search(r"[０-９]", fullwidth["notice_shown"])
    assert _event(loaded, fullwidth)["notice_no"] == fullwidth["notice_no"] == "甘安办发〔2025〕11号"
    two = planted["no 督办文号; the enterprise has two listings: linked by hazard text"]
    assert _event(loaded, two)["notice_no"] is None
    assert len([h for h in truth["hazards"] if h["enterprise"] == two["enterprise"]]) == 2
    shortened = planted["hazard text shortened to its first clause"]
    assert _event(loaded, shortened)["hazard"] == shortened["hazard"]
    # interviews are dated by the day they took place, exposures by the announcement
    for e in truth["hazard_events"]:
        if e["source_id"] == "gs-yjt-hazard-events":
            assert _event(loaded, e)["detail"]


# --- broken inputs -------------------------------------------------------------------------------


def _first_page(env, source: str) -> str:
    return env.path(env.live("hazards" if source in LISTINGS else "hazard_events", source)[0]["source_url"])


def test_a_notice_without_its_table_fails_the_source_and_keeps_the_listings(env, samples):
    env.run("gs-yjt-hazards")
    before = env.live("hazards", "gs-yjt-hazards")
    path = _first_page(env, "gs-yjt-hazards")
    page = (samples[0] / path.lstrip("/")).read_bytes()
    env.server.content[path] = page.replace(b'class="gpdb"', b'class="table-2026"')
    _, results = env.run("gs-yjt-hazards")
    result = results["gs-yjt-hazards"]
    assert result.status == "failed" and "选择器未匹配" in result.error
    assert env.live("hazards", "gs-yjt-hazards") == before


def test_a_truncated_workbook_fails_the_source_and_keeps_the_listings(env, samples):
    env.run("lz-yjj-hazards")
    before = env.live("hazards", "lz-yjj-hazards")
    path = env.path(SPECS["lz-yjj-hazards"].all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    data = (samples[0] / path.lstrip("/")).read_bytes()
    env.server.content[path] = data[: len(data) // 2]
    _, results = env.run("lz-yjj-hazards")
    result = results["lz-yjj-hazards"]
    assert result.status == "failed" and "XLSX" in result.error, result.error
    assert env.live("hazards", "lz-yjj-hazards") == before


def test_a_workbook_whose_name_column_is_renamed_says_the_format_changed(env, samples):
    env.run("lz-yjj-hazards")
    before = env.live("hazards", "lz-yjj-hazards")
    path = env.path(SPECS["lz-yjj-hazards"].all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    book = openpyxl.load_workbook(samples[0] / path.lstrip("/"))
    sheet = book["挂牌督办清单"]
    for cell in sheet[2]:
        if cell.value in ("单位名称", "隐患描述", "挂牌时间"):
            cell.value = f"{cell.value}（新）"
    out = io.BytesIO()
    book.save(out)
    env.server.content[path] = out.getvalue()
    _, results = env.run("lz-yjj-hazards")
    result = results["lz-yjj-hazards"]
    assert result.status == "failed" and "格式变了" in result.error, result.error
    assert env.live("hazards", "lz-yjj-hazards") == before


def test_an_announcement_without_its_body_keeps_its_event(env, samples):
    env.run("gs-yjt-hazard-events")
    before = env.live("hazard_events", "gs-yjt-hazard-events")
    row = before[0]
    path = env.path(row["source_url"])
    page = (samples[0] / path.lstrip("/")).read_text("utf-8")
    changed = re.sub(
        r'<div class="content".*?</div>', '<div class="text">页面改版</div>', page, count=1, flags=re.S
    )
    assert changed != page
    env.server.content[path] = changed.encode("utf-8")
    run_id, results = env.run("gs-yjt-hazard-events")
    result = results["gs-yjt-hazard-events"]
    assert result.status == "ok" and len(result.document_failures) == 1
    [reject] = env.query("SELECT reason FROM rejects WHERE run_id = ?", (run_id,))
    assert reject["reason"].startswith("正文未找到")
    after = env.live("hazard_events", "gs-yjt-hazard-events")
    assert [r["id"] for r in after] == [r["id"] for r in before]
    assert next(r for r in after if r["id"] == row["id"]) == row  # exactly as it was


def test_an_announcement_that_names_no_enterprise_is_rejected_with_the_reason(env, samples):
    env.run("gs-yjt-hazard-events")
    row = next(r for r in env.live("hazard_events", "gs-yjt-hazard-events") if r["event"] == "interview")
    path = env.path(row["source_url"])
    page = (samples[0] / path.lstrip("/")).read_text("utf-8")
    changed = re.sub(r"<p[^>]*>被约谈单位：[^<]*</p>", "", page)
    assert changed != page
    env.server.content[path] = changed.encode("utf-8")
    run_id, results = env.run("gs-yjt-hazard-events")
    assert results["gs-yjt-hazard-events"].status == "ok"
    [reject] = env.query("SELECT reason FROM rejects WHERE run_id = ?", (run_id,))
    assert reject["reason"] == "缺少必填字段：企业名称（enterprise_name）"


def test_a_removal_notice_with_renamed_columns_fails_and_keeps_the_events(env, samples):
    source = "gs-yjt-hazard-events-removals"
    env.run(source)
    before = env.live("hazard_events", source)
    for url in {r["source_url"] for r in before}:
        path = env.path(url)
        page = (samples[0] / path.lstrip("/")).read_text("utf-8")
        env.server.content[path] = page.replace("<th>企业名称</th>", "<th>被销号单位</th>").encode("utf-8")
    _, results = env.run(source)
    result = results[source]
    assert result.status == "failed" and "every record was rejected" in result.error, result.error
    assert env.live("hazard_events", source) == before


def test_nothing_loaded_holds_personal_data(loaded):
    from etl.normalize.mask import scan_unmasked_pii

    for table in ("hazards", "hazard_events"):
        for row in loaded.query(f"SELECT * FROM {table}"):
            for column, value in row.items():
                if isinstance(value, str) and column not in (
                    "uscc",
                    "enterprise_id",
                    "source_url",
                    "id",
                    "record_hash",
                ):
                    assert not scan_unmasked_pii(value), (table, column, value)
