"""A national-size public database, made by replicating a province's public database.

    python -m bench.national SRC/public.db OUT/public.db --factor 30 [--summary OUT.json]

Generating 30 × province source documents and loading them would take ≈ 45 min and ≈ 15 GB of
disk here (`--size national` generates and loads the 10 × profile: 5 + 12 min), so the bench
builds the national database the way a nation is made of provinces:
copy k of every record table (k = 0 … factor-1) is the province's rows with

* new ids: a 统一社会信用代码 gets the province digits of the k-th province (62 → 11, 12, …)
  and a recomputed check character (an invalid code stays invalid); any other text id gets the
  suffix -pNN; integer ids (documents, changes) are offset by a power of ten;
* new names: in every short text value (under 300 characters: enterprise, subject and person
  names, titles, positions) 示例 becomes 示例 + a marker character of copy k (示例数据 is kept);
  long texts (report bodies, summaries, facts) are the province's, byte for byte;
* everything else unchanged: dates, amounts, grades, 市州 names and codes (so a facet on 市州
  has the province's 14 values, each 30 times as large), statuses, links between tables.

sources, build_info and legal_basis are copied once. The full-text tables, views and indexes are then built
by etl/public.py's own functions (_add_search, _add_summaries, _add_views_and_indexes), so the national database
has exactly the structure `python -m etl public` gives; the CJK-bigram text of a value is
computed once per distinct value (a cache), which is what makes the build take minutes.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sqlite3
import time
from pathlib import Path
from types import SimpleNamespace

from etl.normalize.codes import USCC_CHARS, uscc_check_char

# Province-level code prefixes (GB/T 2260) other than 62 甘肃: the province of copy k ≥ 1.
PROVINCES = (
    "62",
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "63",
    "64",
    "65",
)
MARKERS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥东南西北中上下左右前后"
ONCE = ("sources", "build_info", "legal_basis")
SHORT = 300  # characters: longer texts are copied unchanged (see the module docstring)
_SAMPLE = re.compile("示例(?!数据)")
MAX_FACTOR = min(len(PROVINCES), len(MARKERS) + 1)


def build(src: Path, out: Path, factor: int) -> dict:
    """Write `out` as `factor` copies of the public database `src`; return a summary."""
    from etl import fts_text, public

    if not 1 <= factor <= MAX_FACTOR:
        raise ValueError(f"factor must be between 1 and {MAX_FACTOR}")
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.with_name(out.name + ".building")
    work.unlink(missing_ok=True)
    dst = sqlite3.connect(f"file:{work}", uri=True, isolation_level=None)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -262144"):
        dst.execute(f"PRAGMA {pragma}")
    dst.execute("ATTACH DATABASE ? AS province", (f"file:{src}?mode=ro",))
    # ids repeat across tables (an enterprise's code in every table that names it): cache them
    dst.create_function("bench_id", 2, functools.lru_cache(maxsize=1 << 20)(copy_id), deterministic=True)
    dst.create_function("bench_name", 2, copy_name, deterministic=True)
    tables = _base_tables(dst)
    stride = 10 ** len(str(max(_max_int_id(dst, t) for t in tables)))
    counts = {}
    dst.execute("BEGIN")
    for table, sql in tables.items():
        dst.execute(sql)
        counts[table] = _copy_table(dst, table, 1 if table in ONCE else factor, stride)
    dst.execute(
        "INSERT INTO build_info (key, value) VALUES ('bench_replicated', ?)",
        (f"{factor} × {src.name}: ids, codes and names rewritten per copy (bench/national.py)",),
    )
    counts["build_info"] = counts.get("build_info", 0) + 1
    dst.execute("COMMIT")
    copied = time.perf_counter()
    original = fts_text.index_text
    fts_text.index_text = functools.lru_cache(maxsize=1 << 18)(original)
    try:
        dst.execute("BEGIN")
        # one process: the cache above answers the 29 repeated copies of each text (workers would not
        # share it)
        public._add_search(SimpleNamespace(dst=dst, splitter=public._Splitter()))
        public._add_summaries(dst)
        public._add_views_and_indexes(dst)
        dst.execute("COMMIT")
    finally:
        fts_text.index_text = original
    indexed = time.perf_counter()
    dst.execute("DETACH DATABASE province")
    dst.execute("ANALYZE")
    dst.close()
    work.replace(out)
    return {
        "factor": factor,
        "source": str(src),
        "path": str(out),
        "tables": counts,
        "mib": round(out.stat().st_size / 2**20, 1),
        "seconds": {
            "copy": round(copied - started, 1),
            "search_and_indexes": round(indexed - copied, 1),
            "total": round(time.perf_counter() - started, 1),
        },
    }


def _base_tables(conn) -> dict[str, str]:
    """name → CREATE TABLE statement of the tables to copy (not FTS tables, their shadow
    tables, the summaries, facet_counts or sqlite_stat1: those are rebuilt)."""
    rows = conn.execute(
        "SELECT name, sql FROM province.sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).fetchall()
    virtual = [name for name, sql in rows if sql and sql.upper().startswith("CREATE VIRTUAL")]
    from etl import public

    return {
        name: sql
        for name, sql in rows
        if sql
        and name not in virtual
        and not name.startswith("sqlite_")
        and name not in public.SUMMARIES
        and name != public.FACET_COUNTS
        and not any(name.startswith(v + "_") for v in virtual)
    }


def _columns(conn, table: str, schema: str = "main") -> list[tuple[str, str]]:
    return [(r[1], (r[2] or "").upper()) for r in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _max_int_id(conn, table: str) -> int:
    best = 0
    for name, kind in _columns(conn, table, schema="province"):
        if kind == "INTEGER" and name in ("id", "document_id"):
            best = max(
                best, conn.execute(f"SELECT coalesce(max({name}), 0) FROM province.{table}").fetchone()[0]
            )
    return best


def _copy_table(dst, table: str, copies: int, stride: int) -> int:
    """INSERT … SELECT from the attached province database, once per copy; only the columns
    that change go through Python (bench_id, bench_name)."""
    columns = _columns(dst, table, schema="province")
    renamed = _short_sample_columns(dst, table, columns)
    names = ", ".join(name for name, _ in columns)
    for k in range(copies):
        select = ", ".join(_expression(name, kind, name in renamed, k, stride) for name, kind in columns)
        dst.execute(
            f"INSERT INTO main.{table} ({names}) SELECT {select} FROM province.{table} ORDER BY rowid"
        )
    return dst.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0]


def _expression(name: str, kind: str, rename: bool, k: int, stride: int) -> str:
    """The SQL that gives this column's value in copy k."""
    if k == 0:
        return name
    if kind == "INTEGER" and name in ("id", "document_id"):
        return f"{name} + {k * stride}"
    if _is_id(name):
        return f"bench_id({name}, {k})"
    if rename:
        return f"bench_name({name}, {k})"
    return name


def _short_sample_columns(conn, table: str, columns) -> set[str]:
    """Text columns whose values mention 示例 and are all short (names, titles)."""
    found = set()
    for name, kind in columns:
        if kind == "TEXT" and not _is_id(name):
            mentions, longest = conn.execute(
                f"SELECT max(instr({name}, '示例') > 0), max(length({name})) FROM province.{table}"
            ).fetchone()
            if mentions and (longest or 0) < SHORT:
                found.add(name)
    return found


def _is_id(name: str) -> bool:
    return name in ("id", "uscc", "enterprise_uscc") or (
        name.endswith("_id") and name not in ("source_id", "run_id")
    )


def copy_name(value, k: int):
    """The name of copy k: 示例 + the copy's marker character (示例数据 stays)."""
    if not isinstance(value, str) or k == 0:
        return value
    return _SAMPLE.sub("示例" + MARKERS[k - 1], value)


def copy_id(value, k: int):
    """The id or code of copy k of a record (see the module docstring)."""
    if not isinstance(value, str) or k == 0:
        return value
    if len(value) == 18 and value[2:4] == "62" and all(c in USCC_CHARS for c in value):
        first17 = value[:2] + PROVINCES[k] + value[4:17]
        check = uscc_check_char(first17)
        if uscc_check_char(value[:17]) != value[17]:  # keep an invalid code invalid
            check = USCC_CHARS[(USCC_CHARS.index(check) + 1) % 31]
        return first17 + check
    return f"{value}-p{k:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--factor", type=int, default=30)
    parser.add_argument("--summary", type=Path)
    args = parser.parse_args()
    summary = build(args.src, args.out, args.factor)
    text = json.dumps(summary, ensure_ascii=False, indent=1)
    if args.summary:
        args.summary.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
