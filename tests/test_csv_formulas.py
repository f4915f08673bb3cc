"""CSV exports a spreadsheet will not run as formulas (OWASP, "CSV Injection"): a text cell that
starts with = + - @, a tab or a carriage return gets a single quote in front, in the site's
downloads (plugins/disclosure/opendata.py) and in every CSV Datasette serves
(publish/datasette/plugins/csv_guard.py); JSON keeps the exact values and numbers stay numbers.

The database is the fixture's public.db (real public filter, tests/_fixture_db.py) with
enterprises whose names and problems are hostile text, and a negative INTEGER and REAL.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import shutil
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests import _fixture_db as cases
from tests import _site_fixture as fx
from tests._datasette_server import serving

ROOT = Path(__file__).resolve().parent.parent
PLAIN = "兰州示例化工有限公司"
# id -> hostile text (names and uscc_problem of added enterprises)
HOSTILE = {
    "ent-h01": '=HYPERLINK("http://x")',
    "ent-h02": "+1",
    "ent-h03": "-2+3",
    "ent-h04": "@SUM(A1)",
    "ent-h05": "\t=1",
    "ent-h06": "\r=1",
    "ent-h07": '=1+2,"引号"\n第二行，含逗号',  # a quoted newline, a comma and quotes
    "ent-h08": "-示例企业",
    "ent-h09": "-5",  # text that looks like a number
    "ent-h10": PLAIN,  # harmless: unchanged
    "ent-h11": '第一行,"甲"\n=第二行',  # a formula character after a newline only: unchanged
}
NEG_INT, NEG_REAL = -7, -2.5
FILLER = 2_500  # more rows than max_returned_rows (1,000): _stream=on goes through pages


def site_csv(value):
    """What the site's download holds for a stored value (it sees the types)."""
    if isinstance(value, str) and value[:1] and value[0] in "=+-@\t\r":
        return "'" + value
    return "" if value is None else str(value)


def datasette_csv(value):
    """What Datasette's CSV holds: the same, except a text that is exactly a negative number,
    which cannot be told from the number in the CSV text (docs/datasette.md)."""
    if value == "-5":
        return "-5"
    return site_csv(value)


def _add_enterprises(db: Path, hostile: bool = True, filler: int = 0) -> None:
    """Add HOSTILE (uscc_valid 0: the canned query uscc_check_failed lists them) and ``filler``
    more rows cycling through the same texts."""
    conn = sqlite3.connect(db)
    with conn:
        rows = [
            (eid, text, text, None, 0, text, "620100", PLAIN, "危险化学品", NEG_INT, NEG_REAL)
            for eid, text in HOSTILE.items()
            if hostile
        ]
        texts = list(HOSTILE.values())
        rows += [
            (
                f"ent-z{i:05d}",
                texts[i % len(texts)],
                texts[i % len(texts)],
                None,
                1,
                texts[(i + 1) % len(texts)],
                "620200",
                PLAIN,
                "冶金",
                -i,
                -i - 0.25,
            )
            for i in range(filler)
        ]
        conn.executemany(
            "INSERT INTO enterprises (id, name, name_norm, uscc, uscc_valid, uscc_problem, city_code,"
            " region_name, industry, first_seen_run, last_seen_run) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    conn.close()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv-formulas")
    db = cases.make_public_db(folder / "public.db")
    _add_enterprises(db)
    return db


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def by_id(rows: list[list[str]], key: str = "id") -> dict[str, dict[str, str]]:
    header = rows[0]
    return {r[header.index(key)]: dict(zip(header, r)) for r in rows[1:]}


def assert_no_live_formula(rows: list[list[str]]) -> None:
    """No cell starts a formula: each one starting with a formula character is a plain number."""
    for row in rows:
        for cell in row:
            if cell[:1] and cell[0] in "=+-@\t\r":
                float(cell)  # a number literal, e.g. -7 or -2.5, else ValueError


# ------------------------------------------------------------------ the site's downloads


def test_csv_chunks_quote_text_and_keep_numbers():
    from plugins.disclosure import opendata

    conn = sqlite3.connect(":memory:")
    conn.execute('CREATE TABLE t (id INTEGER, "=col" TEXT, amount REAL, n INTEGER)')
    values = list(HOSTILE.values())
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(i, v, NEG_REAL, NEG_INT) for i, v in enumerate(values)] + [(99, None, -0.5, "-1")],
    )
    rows = parse(b"".join(opendata.csv_chunks(conn, "t")).decode("utf-8-sig"))
    assert rows[0] == ["id", "'=col", "amount", "n"]
    assert [r[1] for r in rows[1:-1]] == [site_csv(v) for v in values]
    assert all(r[2:4] == ["-2.5", "-7"] for r in rows[1:-1])
    assert rows[-1] == ["99", "", "-0.5", "-1"]  # "-1" into an INTEGER column is stored as -1
    assert rows[1 + values.index("-5")][1] == "'-5"  # text, though it looks like a number
    # the JSON download keeps every value and type
    data = json.loads(b"".join(opendata.json_chunks(conn, "t")))
    assert (
        [d["=col"] for d in data[:-1]] == values and data[0]["amount"] == NEG_REAL and data[0]["n"] == NEG_INT
    )


@pytest.fixture(scope="module")
def site(hostile_db, tmp_path_factory):
    return fx.build(hostile_db, tmp_path_factory.mktemp("csv-formulas-site") / "output")


def test_site_downloads_neutralize_formulas(site):
    text = site.path("/data/csv/enterprises.csv").read_bytes().decode("utf-8-sig")
    rows = by_id(parse(text))
    for eid, value in HOSTILE.items():
        assert rows[eid]["name"] == site_csv(value), eid
        assert rows[eid]["uscc_problem"] == site_csv(value), eid
        assert rows[eid]["first_seen_run"] == "-7" and rows[eid]["last_seen_run"] == "-2.5"
    assert rows["ent-h09"]["name"] == "'-5" and rows["ent-h10"]["name"] == PLAIN
    assert rows["ent-h07"]["name"] == "'" + HOSTILE["ent-h07"]  # the quoted newline survives
    for path in sorted((site.output / "data" / "csv").glob("*.csv")):
        assert_no_live_formula(parse(path.read_bytes().decode("utf-8-sig")))
    records = {
        r["id"]: r for r in json.loads(site.path("/data/json/enterprises.json").read_text(encoding="utf-8"))
    }
    for eid, value in HOSTILE.items():
        assert records[eid]["name"] == value and records[eid]["uscc_problem"] == value
        assert records[eid]["first_seen_run"] == NEG_INT and records[eid]["last_seen_run"] == NEG_REAL


# ------------------------------------------------------------------ the rewriter in pieces


def _guard_module():
    spec = importlib.util.spec_from_file_location(
        "csv_guard_under_test", ROOT / "publish" / "datasette" / "plugins" / "csv_guard.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _datasette_like_csv(rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)  # what Datasette's as_csv writes
    return buf.getvalue().encode("utf-8")


def test_rewriter_gives_the_same_bytes_however_the_body_is_cut():
    guard = _guard_module()
    rows = [["id", "name", "amount"]] + [
        [i, v, NEG_REAL if i % 2 else NEG_INT] for i, v in enumerate(HOSTILE.values())
    ]
    rows += [[100, "\r\n=x", None], [101, "", ""], [102, 'a "b", c', 1e-05]]
    data = _datasette_like_csv(rows)
    whole = guard.CsvRewriter().feed(data, final=True)
    expected = [["id", "name", "amount"]] + [
        [str(i), datasette_csv(v), str(NEG_REAL if i % 2 else NEG_INT)]
        for i, v in enumerate(HOSTILE.values())
    ]
    expected += [["100", "'\r\n=x", ""], ["101", "", ""], ["102", 'a "b", c', "1e-05"]]
    assert parse(whole.decode()) == expected
    for size in (1, 2, 3, 5, 64):  # cuts inside quoted newlines, "" pairs and UTF-8 characters
        rewriter = guard.CsvRewriter()
        out = b"".join(rewriter.feed(data[i : i + size]) for i in range(0, len(data), size))
        assert out + rewriter.feed(b"", final=True) == whole, size
    # rows without a formula keep their bytes; a body without a final line end keeps none
    plain = _datasette_like_csv([["id", "name"], [1, PLAIN], [2, 'x,"y"\nz']])
    assert guard.CsvRewriter().feed(plain, final=True) == plain
    assert guard.CsvRewriter().feed(b"a,=b", final=True) == b"a,'=b"


def test_rewriter_holds_one_batch_and_one_unfinished_record_at_most():
    guard = _guard_module()
    rewriter, held, out = guard.CsvRewriter(), 0, []
    line = _datasette_like_csv([[1, "=1", '第一行\n"第二行"', -3]])
    for _ in range(20_000):  # Datasette sends one message per row
        out.append(len(rewriter.feed(line)))
        held = max(held, rewriter.size)
    out.append(len(rewriter.feed(b"", final=True)))
    assert held <= guard.BATCH + len(line) and sum(out) == 20_000 * (len(line) + 1)
    assert len([n for n in out if n]) > 5  # written as it comes (~64 K characters a time), not at the end
    long_record = _datasette_like_csv([["=" + "长" * 300_000 + '\n"']])
    for byte in range(0, len(long_record), 1000):  # one record in pieces: only it is held
        assert not rewriter.feed(long_record[byte : byte + 1000])
    assert rewriter.feed(b"", final=True).decode() == "\"'=" + "长" * 300_000 + '\n"""\r\n'


# ------------------------------------------------------------------ a real Datasette


@pytest.fixture(scope="module")
def served_db(hostile_db, tmp_path_factory):
    db = tmp_path_factory.mktemp("csv-formulas-datasette") / "public.db"
    shutil.copyfile(hostile_db, db)
    _add_enterprises(db, hostile=False, filler=FILLER)
    return db


@pytest.fixture(scope="module", params=[1, 2], ids=["one-process", "two-workers"])
def server(served_db, request):
    """`python -m publish.datasette_serve` as `make datasette` runs it (with the page cache)."""
    log_path = served_db.with_name(f"datasette-{request.param}.log")
    with serving(served_db, log_path, workers=request.param, DISCLOSURE_DATASETTE_WARM="0") as base:
        yield base


def fetch_csv(server: str, path: str, **params) -> list[list[str]]:
    response = httpx.get(server + path, params=params, timeout=30)
    assert response.status_code == 200, (path, response.text[:500])
    assert response.headers["content-type"].startswith(("text/plain", "text/csv"))
    return parse(response.content.decode("utf-8"))


def assert_hostile_rows(
    rows: list[list[str]],
    name: str = "name",
    problem: str = "uscc_problem",
    key: str = "id",
    numbers: bool = True,
) -> None:
    found = by_id(rows, key)
    for eid, value in HOSTILE.items():
        assert found[eid][name] == datasette_csv(value), (eid, found[eid][name])
        assert found[eid][problem] == datasette_csv(value), (eid, found[eid][problem])
        if numbers:
            assert found[eid]["first_seen_run"] == "-7" and found[eid]["last_seen_run"] == "-2.5"
    assert_no_live_formula(rows)


def test_datasette_table_csv(server):
    rows = fetch_csv(server, "/public/enterprises.csv", uscc_valid="0", _size="max")
    assert_hostile_rows(rows)
    # the same page again (a page-cache hit in one process) and with labels
    assert fetch_csv(server, "/public/enterprises.csv", uscc_valid="0", _size="max") == rows
    assert_hostile_rows(fetch_csv(server, "/public/enterprises.csv", uscc_valid="0", _labels="on"))


def test_datasette_streamed_full_export(server):
    for params in ({"_stream": "on"}, {"_stream": "on", "_dl": "1"}):
        response = httpx.get(server + "/public/enterprises.csv", params=params, timeout=60)
        assert response.status_code == 200
        if "_dl" in params:
            assert response.headers["content-type"].startswith("text/csv")
        rows = parse(response.content.decode("utf-8"))
        assert_hostile_rows(rows)
        filler = [r for r in rows[1:] if r[0].startswith("ent-z")]
        assert len(filler) == FILLER  # past max_returned_rows, every page rewritten
        texts = list(HOSTILE.values())
        header = rows[0]
        for row in filler:
            i = int(row[0][5:])
            assert row[header.index("name")] == datasette_csv(texts[i % len(texts)])
            assert row[header.index("first_seen_run")] == str(-i)
            assert row[header.index("last_seen_run")] == str(-i - 0.25)


def test_datasette_row_csv(server):
    for eid, value in HOSTILE.items():
        rows = fetch_csv(server, f"/public/enterprises/{eid}.csv")
        assert len(rows) == 2, eid
        row = dict(zip(rows[0], rows[1]))
        assert row["name"] == datasette_csv(value) and row["uscc_problem"] == datasette_csv(value), eid
        assert row["first_seen_run"] == "-7" and row["last_seen_run"] == "-2.5"


def test_datasette_canned_query_csv(server):
    rows = fetch_csv(server, "/public/uscc_check_failed.csv", city="")
    assert_hostile_rows(rows, name="企业名称", problem="问题", key="enterprise_id", numbers=False)


def test_datasette_arbitrary_sql_csv(server):
    sql = (
        "select id, name, uscc_problem, first_seen_run, last_seen_run, -3 as neg_int, -0.25 as neg_real,"
        " '=cmd' as \"=header\" from enterprises where id like 'ent-h%' order by id"
    )
    rows = fetch_csv(server, "/public.csv", sql=sql)
    assert rows[0][-1] == "'=header"
    assert_hostile_rows(rows)
    assert all(r[-3:] == ["-3", "-0.25", "'=cmd"] for r in rows[1:])


def test_datasette_json_keeps_exact_values(server):
    table = httpx.get(
        server + "/public/enterprises.json",
        params={"uscc_valid": "0", "_shape": "array", "_size": "max"},
        timeout=30,
    ).json()
    found = {r["id"]: r for r in table}
    sql = "select id, name, first_seen_run, last_seen_run from enterprises where id like 'ent-h%'"
    query = {
        r["id"]: r
        for r in httpx.get(server + "/public.json", params={"sql": sql, "_shape": "array"}, timeout=30).json()
    }
    row = httpx.get(
        server + "/public/enterprises/ent-h01.json", params={"_shape": "array"}, timeout=30
    ).json()
    assert row[0]["name"] == HOSTILE["ent-h01"]
    for eid, value in HOSTILE.items():
        for record in (found[eid], query[eid]):
            assert record["name"] == value
            assert record["first_seen_run"] == NEG_INT and record["last_seen_run"] == NEG_REAL
