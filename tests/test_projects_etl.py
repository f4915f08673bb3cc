"""重大建设项目立项前公示, end to end: the sample sources generated into a temporary folder, served
on 127.0.0.1, read by their specs into a real SQLite file and compared with the generator's truth
(the comment period as printed, where it stands on two days, the masked phone number, the
outcomes of the summary list), plus the readers' broken inputs for these sources."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from etl import settings
from etl.datasets.projects import comment_period
from etl.rules.projects import comment_status
from etl.rules.vocabulary import SECTORS
from etl.spec import load_specs
from tests._disclosure_etl import Env
from tests.httpd import FaultyServer

DETAILS, SUMMARY = "gs-fgw-projects", "gs-fgw-projects-summary"
SOURCES = (DETAILS, SUMMARY)
SPECS = {spec.id: spec for spec in load_specs(only=list(SOURCES))}


@pytest.fixture(scope="module")
def samples(generated_samples) -> tuple[Path, dict]:
    return generated_samples


@pytest.fixture(scope="module")
def truth(samples) -> list[dict]:
    return samples[1]["disclosures"]["projects"]


@pytest.fixture(scope="module")
def loaded(samples, tmp_path_factory):
    with FaultyServer(samples[0]) as server:
        env = Env(tmp_path_factory.mktemp("loaded"), server, SPECS)
        env.run_id, env.results = env.run()
        yield env


@pytest.fixture
def env(samples, tmp_path):
    with FaultyServer(samples[0]) as server:
        yield Env(tmp_path, server, SPECS)


def _row(loaded, p: dict) -> dict:
    rows = [r for r in loaded.live("projects", p["source_id"]) if r["project_name"] == p["project_name"]]
    assert len(rows) == 1, p
    return rows[0]


def test_both_sources_load_and_the_row_without_builder_is_rejected(loaded, samples, truth):
    assert {sid: r.status for sid, r in loaded.results.items()} == {DETAILS: "ok", SUMMARY: "ok"}
    assert all(not r.unmapped for r in loaded.results.values())
    assert (
        len(loaded.live("projects", DETAILS)) + len(loaded.live("projects", SUMMARY))
        == samples[1]["counts"]["projects"]
    )
    rejects = loaded.query("SELECT source_id, reason, raw FROM rejects WHERE run_id = ?", (loaded.run_id,))
    [bad] = [p for p in truth if p["rejected"]]
    assert [(r["source_id"], r["reason"]) for r in rejects] == [
        (SUMMARY, "缺少必填字段：建设单位（builder）")
    ]
    assert json.loads(rejects[0]["raw"])["项目名称"] == bad["project_name"]


def test_projects_are_loaded_as_the_truth_states_them(loaded, truth):
    keys = ("builder", "uscc", "announcement_no", "comment_start", "comment_end", "industry", "region_code")
    keys += ("location", "outcome", "outcome_on")
    for p in (p for p in truth if p["rejected"] is None):
        row = _row(loaded, p)
        assert {k: row[k] for k in keys} == {k: p[k] for k in keys}, p["key"]
        if p["source_id"] == DETAILS:
            assert row["announced_on"] == p["announced_on"] and row["main_hazards"] == p["main_hazards"]
            assert row["safety_measures"] and row["comment_channel"]
    assert {r["industry"] for s in SOURCES for r in loaded.live("projects", s)} <= set(SECTORS)


def test_comment_periods_as_printed(loaded, truth):
    planted = {case: p for p in truth for case in p["planted"]}
    no_year = _row(loaded, planted["open on as_of; end without a year"])
    assert (no_year["comment_start"], no_year["comment_end"]) == ("2026-06-25", "2026-07-08")
    length = _row(loaded, planted["length only: no end day"])
    assert length["comment_end"] is None and length["comment_start"] == length["announced_on"]
    assert comment_period("公示期为10个工作日", "2026-06-30") == (None, None)  # no day stated at all
    assert comment_period("2026年12月25日至1月7日", None) == ("2026-12-25", "2027-01-07")
    # the summary's 公示编号 printed with [] and the outcome printed — where none is published
    bracketed = _row(loaded, planted["公示编号 with [] for 〔〕"])
    assert re.fullmatch(r"甘发改公示〔\d{4}〕\d+号", bracketed["announcement_no"])
    assert _row(loaded, planted["公示结果 printed —: no outcome yet"])["outcome"] is None


def test_a_phone_number_in_the_comment_channel_is_masked(loaded, truth):
    [p] = [p for p in truth if p["phone_in_channel"]]
    channel = _row(loaded, p)["comment_channel"]
    assert "8765432" not in channel and "****" in channel
    assert "xmgs@" in channel and "示例路99号" in channel  # the office's address and mail stay
    everything = json.dumps(loaded.query("SELECT * FROM projects"), ensure_ascii=False)
    assert "0931-8765432" not in everything


def test_where_each_period_stands_on_as_of_and_later(loaded, truth, samples):
    days = (samples[1]["as_of"], "2026-12-07")
    seen: dict[str, list] = {"status": [], "status_later": []}
    for p in (p for p in truth if p["rejected"] is None):
        row = _row(loaded, p)

        def day(value):
            return dt.date.fromisoformat(value) if value else None

        for column, left, on in zip(("status", "status_later"), ("days_left", "days_left_later"), days):
            got = comment_status(
                day(row["comment_start"]),
                day(row["comment_end"]),
                day(row["outcome_on"]),
                bool(row["outcome"]),
                dt.date.fromisoformat(on),
            )
            assert got == (p[column], p[left]), (p["key"], column)
            seen[column].append(got)
    assert {s for s, _ in seen["status"]} == {"upcoming", "open", "closed", "unstated", "decided"}
    later = set(seen["status_later"])
    assert {("open", 0), ("open", 7), ("upcoming", None), ("closed", None)} <= later


# --- broken inputs -------------------------------------------------------------------------------


def test_a_summary_without_the_builder_column_fails_and_keeps_the_projects(env, samples):
    env.run(SUMMARY)
    before = env.live("projects", SUMMARY)
    path = env.path(SPECS[SUMMARY].all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    text = (samples[0] / path.lstrip("/")).read_bytes().decode("gbk")
    env.server.content[path] = text.replace(",建设单位,", ",项目业主,", 1).encode("gbk")
    _, results = env.run(SUMMARY)
    result = results[SUMMARY]
    assert result.status == "failed" and "格式变了" in result.error, result.error
    assert env.live("projects", SUMMARY) == before


def test_a_summary_cut_to_its_title_line_fails_and_keeps_the_projects(env, samples):
    env.run(SUMMARY)
    before = env.live("projects", SUMMARY)
    path = env.path(SPECS[SUMMARY].all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    data = (samples[0] / path.lstrip("/")).read_bytes()
    env.server.content[path] = data.split(b"\r\n", 1)[0] + b"\r\n"
    _, results = env.run(SUMMARY)
    assert results[SUMMARY].status == "failed"
    assert env.live("projects", SUMMARY) == before


def test_an_announcement_without_its_body_keeps_its_project(env, samples):
    env.run(DETAILS)
    before = env.live("projects", DETAILS)
    row = before[0]
    path = env.path(row["source_url"])
    page = (samples[0] / path.lstrip("/")).read_text("utf-8")
    changed = re.sub(
        r'<div class="content".*?</div>', '<div class="text">页面改版</div>', page, count=1, flags=re.S
    )
    assert changed != page
    env.server.content[path] = changed.encode("utf-8")
    run_id, results = env.run(DETAILS)
    assert results[DETAILS].status == "ok" and len(results[DETAILS].document_failures) == 1
    [reject] = env.query("SELECT reason FROM rejects WHERE run_id = ?", (run_id,))
    assert reject["reason"].startswith("正文未找到")
    after = env.live("projects", DETAILS)
    assert next(r for r in after if r["id"] == row["id"]) == row and len(after) == len(before)


def test_a_list_page_without_items_fails_loudly(env, samples):
    env.run(DETAILS)
    before = env.live("projects", DETAILS)
    path = env.path(SPECS[DETAILS].all_urls()[0].replace(settings.SAMPLES_URL, env.server.url))
    page = (samples[0] / path.lstrip("/")).read_text("utf-8")
    env.server.content[path] = page.replace('class="list"', 'class="news"').encode("utf-8")
    _, results = env.run(DETAILS)
    assert results[DETAILS].status == "failed" and "选择器未匹配" in results[DETAILS].error
    assert env.live("projects", DETAILS) == before


def test_nothing_loaded_holds_personal_data(loaded):
    from etl.normalize.mask import scan_unmasked_pii

    for row in loaded.query("SELECT * FROM projects"):
        for column, value in row.items():
            if isinstance(value, str) and column not in (
                "uscc",
                "enterprise_id",
                "source_url",
                "id",
                "record_hash",
            ):
                assert not scan_unmasked_pii(value), (column, value)
