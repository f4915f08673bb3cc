"""etl/load.py on its own: content hashes that never change, and the rows and change log that a
first load, a re-run and a changed source leave behind."""

from __future__ import annotations

import pytest

from etl import db
from etl.load import Loader, record_hash, record_hashes

NOW = "2026-06-0{}T00:00:00Z"


@pytest.fixture
def conn(tmp_path):
    conn = db.connect(tmp_path / "load.db")
    conn.executemany(
        "INSERT INTO etl_runs (id, started_at, status) VALUES (?, ?, 'ok')",
        [(run, NOW.format(run)) for run in (1, 2, 3)],
    )
    yield conn
    conn.close()


def stat(id_, year, deaths, region="620100"):
    return {
        "id": id_,
        "year": year,
        "region_code": region,
        "region_name": "兰州市",
        "deaths": deaths,
        "document_id": None,
        "source_url": "file:///stats.csv",
    }


def apply(conn, run, records, source="stats", table="annual_statistics"):
    conn.execute("BEGIN")
    counts = Loader(conn, run, NOW.format(run)).apply(source, table, records)
    conn.execute("COMMIT")
    return counts


def changes(conn, run):
    return conn.execute(
        "SELECT source_id, record_id, action, fields, at FROM changes WHERE run_id = ? ORDER BY id", (run,)
    ).fetchall()


def test_record_hashes_never_change():
    """Stored hashes decide what counts as updated: a new digest would log every record again."""
    values = ("白银示例矿业有限责任公司", 3, 1250000.5, None, "it's \\ \n")
    assert record_hash(values) == "52f09c7ff1bd2626d3d90c4eea7bd335"
    assert record_hash(("x",)) == "3b7757c66746fd519d30642a30700ad4"
    assert list(record_hashes([values, ("x",)])) == [record_hash(values), record_hash(("x",))]


def test_first_load_inserts_every_record_and_logs_it_added_in_order(conn):
    records = [stat("s-b", 2024, 5), stat("s-a", 2023, 7), stat("s-c", 2022, None)]
    counts = apply(conn, 1, records)
    assert (counts.added, counts.updated, counts.removed, counts.unchanged) == (3, 0, 0, 0)
    assert [tuple(r) for r in changes(conn, 1)] == [
        ("stats", i, "added", None, NOW.format(1)) for i in ("s-b", "s-a", "s-c")
    ]
    row = conn.execute("SELECT * FROM annual_statistics WHERE id = 's-a'").fetchone()
    assert (
        row["source_id"],
        row["first_seen_run"],
        row["last_seen_run"],
        row["updated_run"],
        row["removed_run"],
        row["removed_at"],
        row["gdp_yi"],
    ) == ("stats", 1, 1, 1, None, None, None)
    assert row["record_hash"] == record_hash((2023, "620100", "兰州市", None, 7, None, None))


def test_added_changes_cover_only_the_rows_this_source_inserted(conn):
    apply(conn, 1, [stat("o-1", 2020, 1)], source="other")
    apply(conn, 1, [stat("s-1", 2021, 2)])
    apply(conn, 2, [stat("s-1", 2021, 2), stat("s-2", 2022, 3)])
    assert [(r["source_id"], r["record_id"]) for r in changes(conn, 1)] == [
        ("other", "o-1"),
        ("stats", "s-1"),
    ]
    assert [(r["record_id"], r["action"]) for r in changes(conn, 2)] == [("s-2", "added")]


def test_rerun_updates_removes_and_restores_in_place(conn):
    apply(conn, 1, [stat("s-1", 2021, 2), stat("s-2", 2022, 3), stat("s-3", 2023, 4)])
    counts = apply(conn, 2, [stat("s-1", 2021, 2), stat("s-2", 2022, 9)])
    assert (counts.added, counts.updated, counts.removed, counts.unchanged) == (0, 1, 1, 1)
    assert [(r["record_id"], r["action"], r["fields"]) for r in changes(conn, 2)] == [
        ("s-2", "updated", '{"deaths": [3, 9]}'),
        ("s-3", "removed", None),
    ]
    counts = apply(conn, 3, [stat("s-1", 2021, 2), stat("s-2", 2022, 9), stat("s-3", 2023, 4)])
    assert (counts.added, counts.updated, counts.removed, counts.unchanged) == (0, 1, 0, 2)
    assert [(r["record_id"], r["action"]) for r in changes(conn, 3)] == [("s-3", "restored")]
    rows = {r["id"]: tuple(r)[-5:] for r in conn.execute("SELECT * FROM annual_statistics")}
    assert rows == {"s-1": (1, 3, 1, None, None), "s-2": (1, 3, 2, None, None), "s-3": (1, 3, 3, None, None)}
    assert conn.execute("SELECT count(*) FROM annual_statistics").fetchone()[0] == 3


def test_unknown_column_is_an_error(conn):
    with pytest.raises(ValueError, match="no such column"):
        apply(conn, 1, [stat("s-1", 2021, 2) | {"population": 1}])


def test_hashes_made_with_the_tables_hasher_are_the_ones_the_loader_makes(conn):
    """etl/prepare.py hashes records where they are made, with Loader.hashers(): the rows
    must be the ones a load that hashes them itself writes. A wrong count is an error."""
    records = [stat("a", 2023, 7), stat("b", 2024, None, region="620200") | {"region_name": None}]
    hashes = Loader(conn, 1, NOW.format(1)).hashers()["annual_statistics"](records)
    apply(conn, 1, [dict(r) for r in records], source="self")
    conn.execute("BEGIN")
    Loader(conn, 1, NOW.format(1)).apply(
        "given", "annual_statistics", [r | {"id": r["id"] + "2"} for r in records], hashes
    )
    with pytest.raises(ValueError, match="1 hashes for 2 records"):
        Loader(conn, 1, NOW.format(1)).apply("given", "annual_statistics", records, hashes[:1])
    conn.execute("COMMIT")
    by_source = {
        source: [
            h
            for (h,) in conn.execute(
                "SELECT record_hash FROM annual_statistics WHERE source_id = ? ORDER BY id", (source,)
            )
        ]
        for source in ("self", "given")
    }
    assert by_source["self"] == by_source["given"] == hashes
    assert hashes[0] == record_hash((2023, "620100", "兰州市", None, 7, None, None))


def test_a_new_database_gets_16k_pages_and_an_existing_one_keeps_its_own(tmp_path):
    import sqlite3

    fresh = db.connect(tmp_path / "new.db")
    assert fresh.execute("PRAGMA page_size").fetchone()[0] == db.PAGE_SIZE == 16384
    assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    fresh.close()
    old = sqlite3.connect(tmp_path / "old.db")
    old.execute("CREATE TABLE t (x)")
    old.close()
    again = db.connect(tmp_path / "old.db")
    assert again.execute("PRAGMA page_size").fetchone()[0] == 4096  # a page size set needs a VACUUM
    again.close()


def test_none_binds_as_null_through_the_registered_adapter(conn):
    """etl.load registers an adapter for None (sqlite3's adapter search costs ~0.2 µs per None
    otherwise): every None a load binds must still be stored as SQL NULL, never as text."""
    import sqlite3

    adapter = sqlite3.adapters.get((type(None), sqlite3.PrepareProtocol))
    assert adapter is not None and adapter(None) is None
    apply(conn, 1, [stat("s-1", 2024, None)])
    row = conn.execute(
        "SELECT typeof(deaths), typeof(gdp_yi), typeof(document_id), typeof(removed_run)"
        " FROM annual_statistics WHERE id = 's-1'"
    ).fetchone()
    assert tuple(row) == ("null", "null", "null", "null")
    assert conn.execute("SELECT count(*) FROM annual_statistics WHERE deaths IS NULL").fetchone()[0] == 1
    # and a None parameter anywhere else in the process
    assert tuple(conn.execute("SELECT ? IS NULL, typeof(?)", (None, None)).fetchone()) == (1, "null")


def test_internal_changes_have_no_record_index_new_or_migrated(tmp_path):
    """Migration 002 drops changes_record (nothing reads the internal changes by record; each load
    paid for it), on a new database and on one created before the migration existed."""
    import sqlite3

    from etl import migrations

    def indexes(path):
        c = sqlite3.connect(path)
        try:
            return {
                r[0]
                for r in c.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index'" " AND tbl_name = 'changes'"
                )
            }
        finally:
            c.close()

    db.connect(tmp_path / "new.db").close()
    assert indexes(tmp_path / "new.db") == {"changes_run"}

    old = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    first = migrations.MIGRATIONS[0]
    old.executescript(first[1])
    old.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    old.execute("INSERT INTO _migrations VALUES (?, 'then')", (first[0],))
    old.close()
    assert "changes_record" in indexes(tmp_path / "old.db")
    db.connect(tmp_path / "old.db").close()
    assert indexes(tmp_path / "old.db") == {"changes_run"}


def test_a_record_whose_id_changed_but_not_its_content_keeps_its_history_under_the_new_id(conn):
    """An id made from a key that changed (a report without 文号 or 索引号 keyed by its address
    before): the row, its changes and its accountability rows move to the new id; nothing is
    shown withdrawn and added again. The document it now cites is recorded."""

    def report(id_, url, title="示例公司“3·5”事故调查报告"):
        return {
            "id": id_,
            "title": title,
            "occurred_on": "2024-03-05",
            "deaths": 1,
            "document_id": None,
            "source_url": url,
        }

    def person(parent, i):
        return {
            "id": f"{parent}-{i}",
            "accident_id": parent,
            "subject_type": "person",
            "subject": "张某",
            "position": "矿长",
            "measure_type": "党纪政务处分",
            "document_id": None,
            "source_url": "https://example.gov.cn/a.html",
        }

    apply(conn, 1, [report("acc-old", "https://example.gov.cn/a.html")], source="rep", table="accidents")
    apply(conn, 1, [person("acc-old", 1)], source="rep", table="accountability")
    counts = apply(
        conn,
        2,
        [report("acc-new", "https://example.gov.cn/new/a.html"), report("acc-2", "x", "另一份报告")],
        source="rep",
        table="accidents",
    )
    assert (counts.added, counts.removed) == (1, 0)  # only acc-2 is new
    row = conn.execute(
        "SELECT id, source_url, removed_run FROM accidents WHERE title LIKE '示例%'" " AND id != 'acc-2'"
    ).fetchone()
    assert tuple(row) == ("acc-new", "https://example.gov.cn/new/a.html", None)
    assert conn.execute("SELECT count(*) FROM accidents WHERE id = 'acc-old'").fetchone()[0] == 0
    assert [(r["record_id"], r["action"]) for r in changes(conn, 1)] == [
        ("acc-new", "added"),
        ("acc-new-1", "added"),
    ]
    child = apply(conn, 2, [person("acc-new", 1)], source="rep", table="accountability")
    assert (child.added, child.removed) == (0, 0)
    assert conn.execute("SELECT id FROM accountability").fetchall()[0][0] == "acc-new-1"
