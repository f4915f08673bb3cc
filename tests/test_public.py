"""The public filter (etl/public.py), the data dictionary (etl/schema.yaml) and the Chinese
search text form (etl/fts_text.py).

Rule tests run on tests/_fixture_db.py (one row per case, including a withdrawn report and a
record removed from its source, which one ETL run on the samples cannot produce); coverage
tests also run on the `public_db` built by the real ETL from the samples (tests/conftest.py).
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from click.testing import CliRunner

from etl import fts_text, migrations, public, public_search, schema
from etl.cli import cli as etl_cli
from tests import _fixture_db as fx

AS_OF = date(2026, 6, 30)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("public-fixture")
    internal = fx.make_internal_db(folder / "internal.db")
    result = public.build_public_db(internal, folder / "public.db", AS_OF)
    return folder / "public.db", result


@pytest.fixture(scope="module")
def db(built):
    conn = sqlite3.connect(built[0])
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


def one(db, sql, *params):
    row = db.execute(sql, params).fetchone()
    return dict(row) if row else None


# ------------------------------------------------------------------ the rules


def test_expired_blacklist_entry_is_not_in_force_and_not_identifying(built, db):
    rows = [dict(r) for r in db.execute("SELECT * FROM blacklist WHERE status = 'expired'")]
    assert len(rows) == 1
    entry = rows[0]
    assert entry["in_force"] == 0 and entry["status_zh"]
    assert entry["subject_name"] == public.STOPPED
    assert "id_number" not in entry.keys()  # no part of an ID number is public, in force or not
    for column in (
        "uscc",
        "unit",
        "responsible_person",
        "enterprise_id",
        "reason",
        "decision_no",
        "removal_doc",
        "region_code",
        "document_id",
        "record_hash",
    ):
        assert entry[column] is None, column
    # listed in 2022: the 1-year term of 安监总办〔2017〕49号, not Order No. 11's 3 years
    assert entry["listed_on"] == "2022-03-01" and entry["term_end"] == "2023-03-01"
    assert entry["rule"] == "ajzb-2017-49" and "49号" in entry["rule_zh"]
    assert entry["id"].startswith("blacklist-stopped-")
    # Nothing identifying survives anywhere in the file: not the hub row, not the change log,
    # not the de-identified credit record, not the search index.
    content = built[0].read_bytes()
    for secret in (fx.EXPIRED_NAME, fx.EXPIRED_USCC, "嘉应急失信", "李某军"):
        assert secret.encode() not in content, secret
    assert db.execute("SELECT count(*) FROM blacklist_in_force").fetchone()[0] == 1


def test_active_entry_keeps_its_details_and_early_removal_date(db):
    entry = one(db, "SELECT * FROM blacklist WHERE id = 'bl-1'")
    assert entry["in_force"] == 1 and entry["status"] == "active"
    assert entry["subject_name"] == fx.E1_NAME and entry["uscc"] == fx.E1_USCC
    assert entry["early_removal_from"] == "2026-06-11"  # 满12个月 after 2025-06-10: the day after


def test_credit_record_after_publicity_is_de_identified(db):
    stopped = one(db, "SELECT * FROM credit_records WHERE publicity_active = 0")
    assert stopped["enterprise_name"] == public.STOPPED
    assert stopped["uscc"] is None and stopped["decision_no"] is None and stopped["facts"] is None
    assert one(db, "SELECT publicity_active FROM credit_records WHERE id = 'rec-1'") == {
        "publicity_active": 1
    }


def test_overdue_rectification_as_of_a_fixed_date(db, tmp_path):
    acc = one(db, "SELECT * FROM accidents WHERE id = 'acc-1'")
    assert acc["rect_status"] == "overdue" and acc["rect_status_zh"]
    assert (acc["rect_window_start"], acc["rect_window_end"]) == ("2025-01-01", "2025-03-01")
    assert [r[0] for r in db.execute("SELECT id FROM rectification_overdue")] == ["acc-1"]
    assessed = one(db, "SELECT * FROM accidents WHERE id = 'acc-2'")
    assert (assessed["rect_status"], assessed["assessment_id"], assessed["assessment_result"]) == (
        "assessed",
        "ra-1",
        "不到位",
    )
    # The same data as of an earlier date: inside the window, and the later assessment unknown.
    internal = fx.make_internal_db(tmp_path / "internal.db")
    public.build_public_db(internal, tmp_path / "public.db", date(2025, 2, 1))
    with sqlite3.connect(tmp_path / "public.db") as earlier:
        status = dict(earlier.execute("SELECT id, rect_status FROM accidents").fetchall())
        linked = earlier.execute("SELECT assessment_id FROM accidents WHERE id = 'acc-2'").fetchone()
    assert status["acc-1"] == "due" and status["acc-2"] == "not_due" and linked == (None,)


def test_withdrawn_accident_stays_with_withdrawn_flag(db):
    acc = one(db, "SELECT withdrawn, removed_run, title FROM accidents WHERE id = 'acc-3'")
    assert acc["withdrawn"] == 1 and acc["removed_run"] == 2
    assert one(db, "SELECT count(*) AS n FROM accidents WHERE withdrawn = 0")["n"] == 3
    # Other records removed from their source are dropped (rule 2).
    assert one(db, "SELECT * FROM accountability WHERE id = 'acc-3-1'") is None
    assert one(db, "SELECT count(*) AS n FROM blacklist WHERE listed_on = '2025-01-01'")["n"] == 0
    removal = one(db, "SELECT action FROM changes WHERE record_id = 'acc-3' AND run_id = 2")
    assert removal == {"action": "removed"}


def test_internal_only_data_is_not_published(built, db):
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & {"rejects", "etl_runs", "source_runs", "_migrations"}
    content = built[0].read_bytes()
    for secret in (fx.SECRET_ERROR, fx.SECRET_RAW, "secret-etag"):
        assert secret.encode() not in content, secret
    assert {r[0] for r in db.execute("SELECT record_id FROM changes WHERE table_name = 'enterprises'")} == {
        "ent-1"
    }
    assert {r[0] for r in db.execute("SELECT id FROM enterprises")} == {"ent-1", "ent-2"}
    # sources lists only the sources of public records (ent-2's listing never existed publicly)
    assert one(db, "SELECT sources FROM enterprises WHERE id = 'ent-2'")["sources"] == (
        '["sample-accidents", "sample-credit"]'
    )


def test_bans_active_as_of(db):
    assert dict(db.execute("SELECT id, active FROM bans").fetchall()) == {"ban-1": 1, "ban-2": 0}


def test_build_info_and_counts(built, db):
    info = dict(db.execute("SELECT key, value FROM build_info").fetchall())
    assert info["as_of"] == "2026-06-30" and info["last_run_id"] == "2"
    assert info["fts_tokenizer"] == fts_text.VERSION and len(info["internal_sha256"]) == 64
    assert info["source:sample-accidents:last_success_at"] == "2026-06-01T00:05:00Z"
    result = built[1]
    assert result["tables"]["accidents"] == 4 and result["hidden"] == {"blacklist": 1, "credit_records": 1}


def test_same_input_and_date_give_the_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    internal = fx.make_internal_db(tmp_path / "internal.db")
    a = public.build_public_db(internal, tmp_path / "a.db", AS_OF)["path"]
    b = public.build_public_db(internal, tmp_path / "b.db", AS_OF)["path"]
    assert (tmp_path / "a.db").read_bytes() == (tmp_path / "b.db").read_bytes(), (a, b)


def test_command_builds_with_as_of(tmp_path):
    internal = fx.make_internal_db(tmp_path / "internal.db")
    out = tmp_path / "out" / "public.db"
    result = CliRunner().invoke(
        etl_cli, ["public", "--as-of", "2026-06-30", "--db", str(internal), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "已停止公示" in result.output and out.exists()
    assert etl_cli.commands["public"].help


# ------------------------------------------------------------------ the data dictionary


def _columns(conn, table):
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _described_tables(conn):
    """Tables and views a reader sees: not SQLite's own, not FTS5's shadow tables."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
        )
    ]
    fts = {n for n in names if n.endswith(schema.FTS_SUFFIX)}
    return [n for n in names if not any(n.startswith(f + "_") for f in fts)]


def _assert_described(conn, scope):
    described = schema.for_database(scope)
    missing = []
    for table in _described_tables(conn):
        if table not in described:
            missing.append(table)
            continue
        missing += [f"{table}.{c}" for c in _columns(conn, table) if c not in described[table]["columns"]]
    assert not missing, f"not in etl/schema.yaml ({scope}): {missing}"
    # and nothing described that the database does not have (stale entries)
    present = set(_described_tables(conn))
    stale = [t for t in described if t not in present]
    stale += [
        f"{t}.{c}"
        for t in described
        if t in present
        for c in described[t]["columns"]
        if c not in _columns(conn, t)
    ]
    assert not stale, f"described but not in the {scope} database: {stale}"


def test_every_internal_table_and_column_is_described(tmp_path):
    conn = sqlite3.connect(tmp_path / "internal.db")
    migrations.apply(conn)
    _assert_described(conn, "internal")


def test_every_public_table_and_column_is_described(db):
    _assert_described(db, "public")


def test_public_db_from_the_samples_is_described(public_db):
    with sqlite3.connect(public_db) as conn:
        _assert_described(conn, "public")


def test_descriptions_carry_units_and_legal_basis():
    tables = schema.load()["tables"]
    assert "单位：人" in tables["accidents"]["columns"]["deaths"]["description"]
    assert "单位：元" in tables["accidents"]["columns"]["direct_loss_yuan"]["description"]
    assert "亿元" in tables["annual_statistics"]["columns"]["gdp_yi"]["description"]
    assert "第三条" in tables["accidents"]["columns"]["grade_computed"]["description"]
    assert "GB 32100-2015" in tables["enterprises"]["columns"]["uscc"]["description"]
    assert "应急管理部令第11号" in tables["blacklist"]["description"]
    assert all(spec["label"] for spec in tables.values())


def test_filter_lists_agree_with_the_dictionary():
    tables = schema.load()["tables"]
    internal_only = {
        t: tuple(c for c, col in spec["columns"].items() if col["scope"] == "internal")
        for t, spec in tables.items()
        if spec["scope"] == "both"
    }
    assert {t: c for t, c in internal_only.items() if c} == public.DROPPED
    computed = {
        t: tuple(c for c, col in spec["columns"].items() if col["scope"] == "public")
        for t, spec in tables.items()
        if spec["scope"] == "both" and not spec.get("view")
    }
    assert {t: c for t, c in computed.items() if c} == {
        t: tuple(name for name, _ in cols) for t, cols in public.COMPUTED.items()
    }
    assert set(public.PUBLIC_TABLES) == {t for t, s in tables.items() if s["scope"] == "both"}


# ------------------------------------------------------------------ the search text form


@pytest.mark.parametrize(
    "query, text, hit",
    [
        ("爆炸", "某化工有限公司发生爆炸事故", True),
        ("瞒报", "企业瞒报1人死亡", True),
        ("化工有限公司", "甘肃某化工有限公司", True),
        ("化工公司", "甘肃某化工有限公司", False),  # a phrase, not a bag of characters
        ("爆", "发生爆炸", True),  # one character: prefix of a bigram
        ("炸", "发生爆炸", True),  # ...or the run's last character
        ("蘭州", "兰州市", True),  # traditional finds simplified (OpenCC t2s on both sides)
        ("A级", "A级企业", True),
        ("91620100MA71234567", "代码91620100MA71234567。", True),
        ("916201", "代码91620100MA71234567。", False),  # ASCII words are whole words...
        ("916201*", "代码91620100MA71234567。", True),  # ...unless the user asks for a prefix
        ("化工 爆炸", "化工厂爆炸", True),  # two terms: both must occur
        ("化工 坍塌", "化工厂爆炸", False),
        ("，。", "任何文字", False),
    ],
)
def test_bigram_index_finds_exactly_the_term(query, text, hit):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, content='')")
    conn.execute("INSERT INTO t (rowid, body) VALUES (1, ?)", (fts_text.index_text(text),))
    found = conn.execute(
        "SELECT rowid FROM t WHERE t MATCH ?", (fts_text.match_expression(query),)
    ).fetchall()
    assert bool(found) is hit


@pytest.mark.parametrize(
    "text",
    [
        "化工有限公司",
        "爆",
        "发生爆炸事故，死亡2人。",
        "A级企业（蘭州）",
        "代码91620100MA71234567",
        "ＡＢＣ１２３化工",
        "",
        "，。",
        "〇一二三",
    ],
)
def test_index_text_is_the_documented_token_form(text):
    """index_text is written with map() for speed; its tokens are still each Han run's bigrams
    and last character (_han_tokens) and every other run lower-cased, in order."""
    expected = []
    for is_han, run in fts_text._runs(text):
        expected += fts_text._han_tokens(run, trailing=True) if is_han else [run.lower()]
    assert fts_text.index_text(text) == " ".join(expected)
    assert fts_text.index_text(text, None, text) == " ".join(expected + expected).strip()


def test_splitting_search_text_in_workers_builds_the_same_index(built, tmp_path, monkeypatch):
    """etl/public_search.py Splitter: above PARALLEL_INDEX_ROWS the text is split in forked workers;
    the FTS tables (their shadow tables, row for row) are the same as when split in-process."""
    monkeypatch.setattr(public_search, "PARALLEL_INDEX_ROWS", 1)
    monkeypatch.setattr(public_search, "_INDEX_CHUNK", 2)
    internal = fx.make_internal_db(tmp_path / "internal.db")
    public.build_public_db(internal, tmp_path / "public.db", AS_OF)
    serial, parallel = sqlite3.connect(built[0]), sqlite3.connect(tmp_path / "public.db")
    shadows = [
        r[0]
        for r in serial.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_fts\\_%' ESCAPE '\\'"
        )
    ]
    assert len(shadows) >= 8
    for name in shadows:
        rows = serial.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()
        assert rows == parallel.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall(), name
    assert (
        parallel.execute(
            "SELECT count(*) FROM accidents_fts WHERE accidents_fts MATCH ?",
            (fts_text.match_expression("瞒报"),),
        ).fetchone()[0]
        == 1
    )


def test_public_search_tables_use_the_bigram_form(db):
    rowids = db.execute(
        "SELECT rowid FROM accidents_fts WHERE accidents_fts MATCH ?", (fts_text.match_expression("瞒报"),)
    ).fetchall()
    titles = [db.execute("SELECT id FROM accidents WHERE rowid = ?", r).fetchone()[0] for r in rowids]
    assert titles == ["acc-1"]
    # de-identified rows are not indexed
    assert not db.execute(
        "SELECT rowid FROM blacklist_fts WHERE blacklist_fts MATCH ?",
        (fts_text.match_expression("停止公示"),),
    ).fetchall()


# ------------------------------------------------------------------ on the samples (real ETL)


def _truth():
    import json

    from etl import settings

    return json.loads((settings.SAMPLES_DIR / "_truth.json").read_text(encoding="utf-8"))


def test_samples_blacklist_in_force_is_the_truth_and_the_rest_is_not_identifying(public_db):
    truth = _truth()
    assert truth["as_of"] == "2026-06-30"  # the date conftest builds public_db for
    with sqlite3.connect(public_db) as conn:
        in_force = {r[0] for r in conn.execute("SELECT subject_name FROM blacklist WHERE in_force = 1")}
        stopped = conn.execute(
            "SELECT subject_name, uscc, unit, responsible_person, enterprise_id, reason, decision_no"
            " FROM blacklist WHERE in_force = 0"
        ).fetchall()
    assert in_force == {b["subject_name"] for b in truth["blacklist"] if b["status"] == "active"}
    assert stopped and all(r == (public.STOPPED,) + (None,) * 6 for r in stopped)


def test_samples_overdue_rectifications_are_overdue(public_db):
    with sqlite3.connect(public_db) as conn:
        status = {
            fts_text.normalise(t): s for t, s in conn.execute("SELECT title, rect_status FROM accidents")
        }
    overdue = _truth()["assessments_overdue"]
    assert overdue
    assert {a["accident_title"]: status.get(fts_text.normalise(a["accident_title"])) for a in overdue} == {
        a["accident_title"]: "overdue" for a in overdue
    }


def test_schema_yaml_reads_the_same_with_libyaml():
    """etl/schema.py parses schema.yaml with libyaml's loader: the same document as PyYAML's."""
    import yaml

    from etl import schema

    text = schema.SCHEMA_PATH.read_text(encoding="utf-8")
    assert schema.YAML_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert yaml.load(text, Loader=schema.YAML_LOADER) == yaml.safe_load(text)


def test_the_number_of_search_text_workers_can_be_set(tmp_path, monkeypatch):
    """DISCLOSURE_PUBLIC_WORKERS=1 splits in-process (no pool even for a large table); a value
    that is not a whole number ≥ 1 is refused with the variable's name."""
    monkeypatch.setattr(public_search, "PARALLEL_INDEX_ROWS", 1)
    monkeypatch.setenv("DISCLOSURE_PUBLIC_WORKERS", "1")
    splitter = public_search.Splitter(rows=10)
    assert splitter.pool is None
    assert list(splitter.indexed([[(1, "化工有限", None)]])) == [(1, "化工 工有 有限 限", "")]
    monkeypatch.setenv("DISCLOSURE_PUBLIC_WORKERS", "2")
    splitter = public_search.Splitter(rows=10)
    try:
        assert splitter.pool is not None
        rows = [(i, f"化工{i}号", "爆炸") for i in range(5)]
        assert list(splitter.indexed([rows[:2], rows[2:]])) == [public_search._index_row(r) for r in rows]
    finally:
        splitter.close()
    monkeypatch.setenv("DISCLOSURE_PUBLIC_WORKERS", "zero")
    with pytest.raises(ValueError, match="DISCLOSURE_PUBLIC_WORKERS"):
        public_search.Splitter(rows=10)
