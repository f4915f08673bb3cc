"""The further disclosures in Datasette (重大事故隐患挂牌督办, 行政处罚决定, 双随机抽查结果, 安全评价/
检测检验机构 and their actions and reports, 重大建设项目立项前公示), on the public database the real ETL
builds from the bundled samples (`public_db`, tests/conftest.py):

- each of their canned queries (publish/datasette/queries.yml) returns the rows the tables say it
  should: the expectations are worked out here in Python from the rows and the rules' definitions
  (e.g. overdue = deadline before the as-of date and no removal), not with the query's SQL;
- the cross-table queries (企业档案, 全库搜索, 最近一次数据更新的变更) list the new kinds;
- each query reads its rows in index order (no sort of the whole table);
- the table pages show Chinese labels for coded values (HTML), JSON keeps the codes;
- the penalties CSV neutralises formula cells (publish/datasette/plugins/csv_guard.py), through a
  real server as `make datasette` starts it;
- the release diff (publish/diff.py) names the new tables and the hazards that became overdue.
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import sqlite3
from collections import defaultdict
from datetime import date
from pathlib import Path

import httpx
import pytest
import yaml
from datasette.app import Datasette

from etl import schema
from publish import datasette_serve
from tests._datasette_server import serving

ROOT = Path(__file__).resolve().parent.parent
QUERIES = yaml.safe_load((ROOT / "publish" / "datasette" / "queries.yml").read_text(encoding="utf-8"))
TABLES = schema.for_database("public")
NEW_TABLES = (
    "hazards",
    "hazard_events",
    "penalties",
    "inspections",
    "agencies",
    "agency_actions",
    "agency_reports",
    "projects",
)
NEW_QUERIES = (
    "largest_fines",
    "repeated_inspection_problems",
    "penalties_after_accidents",
    "reports_after_qualification_end",
    "hazards_overdue",
    "projects_open_for_comment",
)
ENDED_ZH = {"资质已过有效期", "资质已撤销", "资质已注销"}


@pytest.fixture(scope="module")
def ds(public_db):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCLOSURE_RESPONSE_CACHE", "0")
        return Datasette(immutables=[str(public_db)], **datasette_serve.datasette_kwargs())


@pytest.fixture(scope="module")
def db(public_db):
    conn = sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def as_of(db) -> date:
    return date.fromisoformat(db.execute("select value from build_info where key = 'as_of'").fetchone()[0])


def table(db, name: str) -> list[dict]:
    return [dict(r) for r in db.execute(f"select * from {name}")]


def get(ds, path: str, **params):
    response = asyncio.run(ds.client.get(path, params=params) if params else ds.client.get(path))
    assert response.status_code == 200, (path, params, response.text[:500])
    return response


def run(ds, name: str, **params) -> list[dict]:
    """A canned query's rows as JSON (every row: the HTML page's 200-row limit does not apply)."""
    return get(ds, f"/public/{name}.json", _shape="array", **params).json()


def days(later: str, earlier: str) -> int:
    return (date.fromisoformat(later[:10]) - date.fromisoformat(earlier[:10])).days


# ------------------------------------------------------------------ the queries are there


def test_new_queries_are_documented_and_in_the_generated_metadata():
    generated = yaml.safe_load((ROOT / "publish" / "datasette" / "metadata.yml").read_text(encoding="utf-8"))
    for name in NEW_QUERIES:
        query = QUERIES[name]
        assert query["title"] and query["description"] and "limit :_html_rows" in query["sql"], name
        assert set(query.get("params") or []) == set(query.get("param_labels") or {}), name
        assert generated["databases"]["public"]["queries"][name]["sql"] == query["sql"], name


def test_every_new_query_has_rows_and_a_chinese_page(ds):
    for name in NEW_QUERIES:
        assert run(ds, name), f"{name} returned no rows on the samples"
        page = get(ds, f"/public/{name}").text
        assert QUERIES[name]["title"] in page
        for label in (QUERIES[name].get("param_labels") or {}).values():
            assert label in page, (name, label)


# ------------------------------------------------------------------ each query's rows


def test_largest_fines(ds, db):
    public = [p for p in table(db, "penalties") if p["fine_yuan"] is not None and p["publicity_active"] == 1]
    assert public, "no penalty with a fine in the samples"

    def expected(year="", city=""):
        chosen = [
            p
            for p in public
            if (not year or (p["decided_on"] or "").startswith(year + "-"))
            and (not city or p["city_name"] == city)
        ]
        return [(p["id"], p["fine_yuan"]) for p in sorted(chosen, key=lambda p: (-p["fine_yuan"], p["id"]))]

    rows = run(ds, "largest_fines")
    assert [(r["record_id"], r["罚款（元）"]) for r in rows] == expected()
    assert all(r["table_name"] == "penalties" for r in rows)
    top = max(public, key=lambda p: (p["fine_yuan"], p["id"]))
    year, city = top["decided_on"][:4], top["city_name"] or ""
    for params in ({"year": year}, {"city": city}, {"year": year, "city": city}):
        got = run(ds, "largest_fines", **params)
        assert got and [(r["record_id"], r["罚款（元）"]) for r in got] == expected(**params), params
    assert run(ds, "largest_fines", year="1900") == []
    # de-identified decisions (publicity over) never show
    stopped = {p["id"] for p in table(db, "penalties") if p["publicity_active"] != 1}
    assert not stopped & {r["record_id"] for r in rows}


def test_repeated_inspection_problems(ds, db):
    names = {e["id"]: e["name"] for e in table(db, "enterprises")}
    groups: dict[str, list[dict]] = defaultdict(list)
    for i in table(db, "inspections"):
        if i["result"] == "problems":
            groups[i["enterprise_id"] or i["object_name"]].append(i)

    def expected(minimum: int) -> dict[str, tuple]:
        return {
            key: (
                len(found),
                min(i["inspected_on"] for i in found),
                max(i["inspected_on"] for i in found),
                sum(i["problem_count"] for i in found if i["problem_count"] is not None)
                if any(i["problem_count"] is not None for i in found)
                else None,
            )
            for key, found in groups.items()
            if len(found) >= minimum
        }

    for params, minimum in (({}, 2), ({"min_count": "1"}, 1), ({"min_count": "3"}, 3)):
        rows = run(ds, "repeated_inspection_problems", **params)
        got = {
            r["enterprise_id"] or r["企业名称"]: (
                r["发现问题次数"],
                r["首次发现"],
                r["最近发现"],
                r["问题条数合计"],
            )
            for r in rows
        }
        assert got == expected(minimum), params
        counts = [r["发现问题次数"] for r in rows]
        assert counts == sorted(counts, reverse=True)
        for r in rows:
            if r["enterprise_id"]:
                assert r["企业名称"] == names[r["enterprise_id"]]
    assert expected(2), "the samples have no enterprise found with problems twice"


def test_penalties_after_accidents(ds, db):
    accidents = {a["id"]: a for a in table(db, "accidents")}
    linked = [
        p for p in table(db, "penalties") if p["accident_id"] in accidents and p["publicity_active"] == 1
    ]
    linked.sort(key=lambda p: p["id"])
    linked.sort(key=lambda p: p["decided_on"], reverse=True)
    rows = run(ds, "penalties_after_accidents")
    assert [r["record_id"] for r in rows] == [p["id"] for p in linked] and rows
    for row, p in zip(rows, linked):
        accident = accidents[p["accident_id"]]
        assert row["accident_id"] == accident["id"] and row["事故"] == accident["title"]
        assert row["事故发生日期"] == accident["occurred_on"] and row["决定书所写事故"] == p["accident_ref"]
        if accident["occurred_on"] and p["decided_on"]:
            assert row["事故后天数"] == days(p["decided_on"], accident["occurred_on"])
    city = accidents[linked[0]["accident_id"]]["city_name"]
    assert [r["record_id"] for r in run(ds, "penalties_after_accidents", city=city)] == [
        p["id"] for p in linked if accidents[p["accident_id"]]["city_name"] == city
    ]


def test_reports_after_qualification_end(ds, db):
    agencies = {a["id"]: a for a in table(db, "agencies")}
    flagged = [r for r in table(db, "agency_reports") if r["issued_after_qualification_end"] == 1]
    flagged.sort(key=lambda r: r["id"])
    flagged.sort(key=lambda r: r["issued_on"], reverse=True)
    rows = run(ds, "reports_after_qualification_end")
    assert [r["record_id"] for r in rows] == [r["id"] for r in flagged] and rows
    for row, report in zip(rows, flagged):
        agency = agencies.get(report["agency_id"]) or {}
        assert row["出具时资质状态"] in ENDED_ZH, row
        assert row["目前资质状态"] == agency.get("qualification_status_zh")
        assert row["资质终止日期"] == agency.get("qualification_end")
        if agency.get("qualification_end") and report["issued_on"]:
            assert row["终止后天数"] == days(report["issued_on"], agency["qualification_end"])
    part = flagged[0]["agency_name"][2:6]
    assert [r["record_id"] for r in run(ds, "reports_after_qualification_end", agency=part)] == [
        r["id"] for r in flagged if part in r["agency_name"]
    ]


def test_hazards_overdue(ds, db, as_of):
    # overdue by the rule's definition, not by the status column: the deadline (inclusive) has
    # passed and no removal is published by the as-of date
    hazards = table(db, "hazards")
    overdue = [
        h
        for h in hazards
        if h["deadline"]
        and h["deadline"] < as_of.isoformat()
        and not (h["removed_on"] and h["removed_on"] <= as_of.isoformat())
    ]
    assert {h["id"] for h in overdue} == {h["id"] for h in hazards if h["status"] == "overdue"}
    overdue.sort(key=lambda h: (h["deadline"], h["id"]))
    rows = run(ds, "hazards_overdue")
    assert [r["record_id"] for r in rows] == [h["id"] for h in overdue] and rows
    for row, h in zip(rows, overdue):
        assert row["逾期天数"] == (as_of - date.fromisoformat(h["deadline"])).days > 0
        assert row["市州"] == h["city_name"] and row["企业名称"] == h["enterprise_name"]
    assert [r["逾期天数"] for r in rows] == sorted((r["逾期天数"] for r in rows), reverse=True)
    city = overdue[0]["city_name"]
    assert [r["record_id"] for r in run(ds, "hazards_overdue", city=city)] == [
        h["id"] for h in overdue if h["city_name"] == city
    ]
    # a hazard whose deadline is the as-of date itself is still within its time
    assert not any(h["deadline"] == as_of.isoformat() for h in overdue)


def test_projects_open_for_comment(ds, db, as_of):
    today = as_of.isoformat()

    def is_open(p):
        decided = p["outcome"] and (p["outcome_on"] is None or p["outcome_on"] <= today)
        started = p["comment_start"] is None or p["comment_start"] <= today
        return not decided and started and p["comment_end"] is not None and today <= p["comment_end"]

    projects = [p for p in table(db, "projects") if is_open(p)]
    projects.sort(key=lambda p: (p["comment_end"], p["id"]))
    rows = run(ds, "projects_open_for_comment")
    assert [r["record_id"] for r in rows] == [p["id"] for p in projects] and rows
    for row, p in zip(rows, projects):
        assert row["剩余天数"] == days(p["comment_end"], today) >= 0
        assert row["项目名称"] == p["project_name"] and row["建设单位"] == p["builder"]
    city = projects[0]["city_name"]
    assert [r["record_id"] for r in run(ds, "projects_open_for_comment", city=city)] == [
        p["id"] for p in projects if p["city_name"] == city
    ]


# ------------------------------------------------------------------ cross-table queries


def _profile_expected(db, enterprise_id: str) -> set[tuple[str, str]]:
    wanted = {
        "hazards": lambda r: True,
        "penalties": lambda r: r["publicity_active"] == 1,
        "inspections": lambda r: r["result"] == "problems",
        "projects": lambda r: True,
    }
    return {
        (name, r["id"])
        for name, keep in wanted.items()
        for r in table(db, name)
        if r["enterprise_id"] == enterprise_id and keep(r)
    }


def test_enterprise_profile_lists_the_new_kinds(ds, db):
    found_kinds: set[str] = set()
    for kind in ("hazards", "penalties", "inspections", "projects"):
        candidates = [
            r["enterprise_id"]
            for r in table(db, kind)
            if r["enterprise_id"]
            and (kind != "inspections" or r["result"] == "problems")
            and (kind != "penalties" or r["publicity_active"] == 1)
        ]
        if not candidates:
            continue
        enterprise_id = sorted(candidates)[0]
        name = db.execute("select name from enterprises where id = ?", (enterprise_id,)).fetchone()[0]
        rows = [r for r in run(ds, "enterprise_profile", q=name) if r["enterprise_id"] == enterprise_id]
        got = {(r["table_name"], r["record_id"]) for r in rows if r["table_name"] in NEW_TABLES}
        assert got == _profile_expected(db, enterprise_id), (kind, name)
        found_kinds |= {t for t, _ in got}
        page = get(ds, "/public/enterprise_profile", q=name).text
        for table_name, record_id in got:
            assert f"/public/{table_name}/{record_id}" in page  # record_id links to the row
    assert found_kinds == {"hazards", "penalties", "inspections", "projects"}


def test_search_all_finds_the_new_kinds(ds, db):
    terms = {
        "hazards": "enterprise_name",
        "hazard_events": "enterprise_name",
        "penalties": "party_name",
        "inspections": "object_name",
        "agencies": "name",
        "agency_actions": "agency_name",
        "agency_reports": "project",
        "projects": "project_name",
    }
    for name, column in terms.items():
        row = db.execute(
            f"select id, {column} from {name} where {column} is not null and {column} != '（已停止公示）'"
            f" order by length({column}) desc, id limit 1"
        ).fetchone()
        assert row, f"no {name} in the samples"
        hits = run(ds, "search_all", q=row[1])
        assert (name, row[0]) in {(h["table_name"], h["record_id"]) for h in hits}, (name, row[1])
    # the 类别 of an agency action says what was done, in the dictionary's words
    codes = TABLES["agency_actions"]["columns"]["action"]["codes"]
    for action in table(db, "agency_actions"):
        hits = run(ds, "search_all", q=action["agency_name"])
        mine = [h for h in hits if h["record_id"] == action["id"]]
        assert mine and mine[0]["标题"] == f"{action['agency_name']}：{codes[action['action']]}"


def test_last_run_changes_names_records_of_the_new_tables(ds, db):
    label = {
        "hazards": "enterprise_name",
        "hazard_events": "enterprise_name",
        "penalties": "party_name",
        "inspections": "object_name",
        "agencies": "name",
        "agency_actions": "agency_name",
        "agency_reports": "project",
        "projects": "project_name",
    }
    last = int(db.execute("select value from build_info where key = 'last_run_id'").fetchone()[0])
    seen = 0
    for name, column in label.items():
        changes = [c for c in table(db, "changes") if c["run_id"] == last and c["table_name"] == name]
        rows = run(ds, "last_run_changes", table=name)
        assert [r["record_id"] for r in rows] == [
            c["record_id"] for c in sorted(changes, key=lambda c: c["id"])
        ]
        values = {r["id"]: r[column] for r in table(db, name)}
        for r in rows:
            assert r["记录"] == values.get(r["record_id"]), (name, r)
        seen += bool(rows)
    assert seen >= 4


# ------------------------------------------------------------------ query plans


def _plan(db, sql: str, params: dict) -> list[str]:
    return [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, params)]


@pytest.mark.parametrize("name", [n for n in NEW_QUERIES if n != "repeated_inspection_problems"])
def test_new_queries_read_rows_in_index_order(db, name):
    """Each lists the first rows of an ordered list: an index gives them in order (etl/schema.yaml
    facets and `indexes`), so Datasette stops after max_returned_rows instead of sorting the table.
    (repeated_inspection_problems groups and sorts the groups, like any count.)"""
    query = QUERIES[name]
    params = {p: "" for p in query.get("params") or []}
    params["_html_rows"] = 201
    plan = _plan(db, query["sql"], params)
    assert not [s for s in plan if "TEMP B-TREE" in s and "ORDER BY" in s], plan
    assert not [s for s in plan if s.startswith("SCAN ") and "INDEX" not in s], plan


# ------------------------------------------------------------------ table pages


def test_new_table_pages_show_chinese_labels_for_codes(ds, db):
    shown = 0
    for name in NEW_TABLES:
        spec = TABLES[name]
        page = get(ds, f"/public/{name}").text
        assert spec["label"] in page, name
        headers = [h.split('"')[0] for h in page.split('scope="col" data-column="')[1:]]
        assert headers == spec["default_columns"], name
        for column, col in spec["columns"].items():
            codes = col.get("codes")
            if not codes:
                continue
            assert f'<span class="col-label">{col["label"]}' in get(ds, f"/public/{name}?_columns=all").text
            stored = [
                v
                for (v,) in db.execute(
                    f"select distinct [{column}] from [{name}] where [{column}] is not null"
                )
            ]
            for value in stored:
                zh = codes[value] if value in codes else codes[str(value)]
                filtered = get(ds, f"/public/{name}", **{column: str(value), "_facet": column}).text
                if column in spec["default_columns"]:  # the cells
                    assert f'<span class="coded" title="代码：{value}">{zh}</span>' in filtered, (
                        name,
                        column,
                    )
                assert f"{zh} &middot;" in filtered, (name, column, value)  # the selected facet value
                assert f"{col['label']} 等于 {zh}" in filtered, (name, column, value)  # the filter
                shown += 1
            # JSON keeps the codes
            rows = get(ds, f"/public/{name}.json", _shape="array", _size="max").json()
            assert {r[column] for r in rows if r[column] is not None} == set(stored)
    assert shown >= 10


def test_overdue_hazards_page_says_overdue_in_chinese(ds, db):
    page = get(ds, "/public/hazards", status="overdue", _facet="status").text
    assert '<span class="coded" title="代码：overdue">逾期未见销号公告</span>' in page
    assert "逾期未见销号公告 &middot;" in page  # the selected facet value
    assert "督办状态 等于 逾期未见销号公告" in page
    facets = get(ds, "/public/hazards", _facet="status").text
    assert ">逾期未见销号公告</a>" in facets and ">overdue</a>" not in facets
    hazard = db.execute("select id from hazards where status = 'overdue' order by id limit 1").fetchone()[0]
    row = get(ds, f"/public/hazards/{hazard}").text
    assert "逾期未见销号公告" in row and "督办状态" in row


def test_codes_of_the_new_tables_label_query_results(ds, db):
    """plugins/labels.py labels a query's column when every table that codes a column of that
    name agrees: party_type is coded by penalties alone."""
    from urllib.parse import quote

    party = db.execute("select party_type from penalties where party_type is not null limit 1").fetchone()
    assert party, "no penalty in the samples"
    zh = TABLES["penalties"]["columns"]["party_type"]["codes"][party[0]]
    sql = f"select party_type from penalties where party_type = '{party[0]}'"
    page = get(ds, "/public?sql=" + quote(sql)).text
    assert f'<span class="coded" title="代码：{party[0]}">{zh}</span>' in page


def test_a_status_code_labels_query_results_where_its_meaning_is_shared(ds):
    """status is coded by the blacklist and by hazards: overdue (hazards only) and active
    (blacklist only) are labelled in query results; removed means 提前移出 on the blacklist and
    已销号 for hazards, so it stays a code rather than a wrong label."""
    from urllib.parse import quote

    sql = "select 'overdue' as status union all select 'active' union all select 'removed'"
    page = get(ds, "/public?sql=" + quote(sql)).text
    assert '<span class="coded" title="代码：overdue">逾期未见销号公告</span>' in page
    assert '<span class="coded" title="代码：active">管理期内</span>' in page
    assert 'title="代码：removed"' not in page and ">removed<" in page


# ------------------------------------------------------------------ penalties CSV

HOSTILE = {  # column -> text a spreadsheet would run as a formula
    "party_name": '=HYPERLINK("http://x")',
    "decision_no": "+1",
    "facts": "-2+3",
    "penalty": "@SUM(A1)",
    "unit": "\t=1",
    "basis": '=1+2,"引号"\n第二行',
}


def _guarded(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@pytest.fixture(scope="module")
def hostile_penalties_db(public_db, tmp_path_factory):
    """The samples' public.db with penalties in publicity whose texts start formulas (one with the
    largest fine, so largest_fines lists it) and a negative fine (a number stays a number)."""
    db = tmp_path_factory.mktemp("penalties-csv") / "public.db"
    shutil.copyfile(public_db, db)
    conn = sqlite3.connect(db)
    with conn:
        for number, fine in ((1, 987654321.0), (2, -7.5)):
            row = dict(
                HOSTILE,
                id=f"pen-hostile-{number}",
                party_type="enterprise",
                fine_yuan=fine,
                decided_on="2026-01-05",
                authority="甘肃省应急管理厅",
                publicity_active=1,
            )
            conn.execute(
                f"insert into penalties ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                list(row.values()),
            )
    conn.close()
    return db


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_penalties_csv_neutralises_formula_cells(hostile_penalties_db, tmp_path):
    with serving(hostile_penalties_db, tmp_path / "datasette.log", DISCLOSURE_DATASETTE_WARM="0") as base:
        exports = {
            "table": ("/public/penalties.csv", {"_size": "max"}),
            "streamed": ("/public/penalties.csv", {"_stream": "on", "_dl": "1"}),
            "labels": ("/public/penalties.csv", {"_labels": "on", "publicity_active": "1"}),
        }
        for what, (path, params) in exports.items():
            response = httpx.get(base + path, params=params, timeout=30)
            assert response.status_code == 200, (what, response.text[:300])
            rows = {r["id"]: r for r in _csv(response.content.decode("utf-8"))}
            for number, fine in ((1, "987654321.0"), (2, "-7.5")):
                row = rows[f"pen-hostile-{number}"]
                for column, value in HOSTILE.items():
                    assert row[column] == _guarded(value), (what, column, row[column])
                assert row["fine_yuan"] == fine, what
            for row in rows.values():  # no cell of any penalty starts a formula
                for cell in row.values():
                    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        float(cell)
        # the canned query's CSV (Chinese headings) and the row's CSV
        top = _csv(httpx.get(base + "/public/largest_fines.csv", timeout=30).content.decode("utf-8"))[0]
        assert top["record_id"] == "pen-hostile-1"
        assert top["当事人"] == _guarded(HOSTILE["party_name"]) and top["处罚内容"] == _guarded(
            HOSTILE["penalty"]
        )
        one = _csv(
            httpx.get(base + "/public/penalties/pen-hostile-1.csv", timeout=30).content.decode("utf-8")
        )
        assert one[0]["facts"] == "'-2+3"
        # JSON keeps the exact values
        exact = httpx.get(base + "/public/penalties/pen-hostile-1.json?_shape=array", timeout=30).json()[0]
        assert {c: exact[c] for c in HOSTILE} == HOSTILE and exact["fine_yuan"] == 987654321.0


# ------------------------------------------------------------------ release diff


def test_release_diff_names_the_new_tables(public_db, tmp_path):
    from publish.diff import TABLE_ZH, compare, to_markdown
    from publish.diff import TABLES as DIFF_TABLES

    assert set(NEW_TABLES) <= set(DIFF_TABLES) and all(TABLE_ZH[t] for t in NEW_TABLES)
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        (folder / "data").mkdir(parents=True)
        shutil.copy(public_db, folder / "data" / "public.db")
    with sqlite3.connect(new / "data" / "public.db") as c:
        hazard, enterprise, text = c.execute(
            "select id, enterprise_name, hazard from hazards where status != 'overdue' order by id limit 1"
        ).fetchone()
        c.execute(
            "update hazards set status = 'overdue', status_zh = '逾期未见销号公告' where id = ?", (hazard,)
        )
        c.execute(
            "insert into penalties (id, party_type, party_name, decided_on, publicity_active)"
            " values ('pen-new', 'enterprise', '示例新处罚公司', '2026-06-01', 1)"
        )
        gone = c.execute("select id from inspections order by id limit 1").fetchone()[0]
        c.execute("delete from inspections where id = ?", (gone,))
        project = c.execute("select id from projects order by id limit 1").fetchone()[0]
        c.execute(
            "update projects set last_seen_run = last_seen_run + 1 where id = ?", (project,)
        )  # volatile
    report = compare(old, new)
    assert report.tables["hazards"]["changed"] == [hazard]
    assert report.tables["penalties"] == {"added": ["pen-new"], "changed": [], "removed": []}
    assert report.tables["inspections"] == {"added": [], "changed": [], "removed": [gone]}
    assert not any(report.tables["projects"].values())
    assert report.hazards == {"overdue": [f"{enterprise}：{(text or '')[:40]}"], "removed": []}
    text_md = to_markdown(report)
    assert "| 重大事故隐患挂牌督办 | 0 | 1 | 0 |" in text_md
    assert "| 行政处罚决定 | 1 | 0 | 0 |" in text_md and "| 双随机抽查结果 | 0 | 0 | 1 |" in text_md
    assert "## 重大事故隐患挂牌督办" in text_md and "新逾期未见销号公告（1）" in text_md
    assert compare(old, old).empty
