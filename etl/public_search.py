"""The full-text tables of the public database (rule 6 of etl/public.py), and the worker processes
that split their text.

One contentless FTS5 table <table>_fts per table with `search` columns in etl/schema.yaml,
rowid = the table's rowid, holding the CJK-bigram token form of etl/fts_text.py. etl/public.py
decides which rows are indexed; this module only builds the index from them.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path

from etl import fts_text, schema, settings

# A build whose largest searchable table has at least this many rows splits the search text in
# worker processes while this one writes the FTS tables: splitting is most of the search step
# (the largest step of a build; the report tables, a few thousand rows of long text, most of it).
PARALLEL_INDEX_ROWS = 1_000
_INDEX_CHUNK = 500


def add_search(dst: sqlite3.Connection, splitter: Splitter, tables: Iterable[str], where: dict) -> None:
    """One FTS table per searchable table of `tables` in `dst`, over the rows `where[table]`
    selects (an SQL condition; all rows when absent)."""
    specs = schema.load()["tables"]
    for table in tables:
        columns = specs[table].get("search")
        if not columns:
            continue
        fts = table + schema.FTS_SUFFIX
        dst.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, content='',"
            " tokenize='unicode61 remove_diacritics 0')"
        )
        # read in batches, not fetchall(): at national size the reports' text alone is over a GB
        rows = dst.execute(
            f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE {where.get(table, '1')} ORDER BY rowid"
        )
        marks = ", ".join("?" for _ in range(len(columns) + 1))
        dst.executemany(
            f"INSERT INTO {fts} (rowid, {', '.join(columns)}) VALUES ({marks})",
            splitter.indexed(iter(partial(rows.fetchmany, _INDEX_CHUNK), [])),
        )
        dst.execute(f"INSERT INTO {fts} ({fts}) VALUES ('optimize')")


class Splitter:
    """The worker processes that split search text. Forked when the build starts, before this
    process has read any rows (so they share nothing large with it, and the memory figures of a
    process tree do not count those rows three times), and only when a searchable table is large
    enough to use them. At most WINDOW_PER_WORKER chunks per worker are in flight, so results
    never pile up faster than the FTS table takes them (at national size the token text of the
    reports alone is gigabytes)."""

    WINDOW_PER_WORKER = 3

    def __init__(self, rows: int = 0):
        """``rows``: the most searchable rows of any one table (workers only if it is large).
        DISCLOSURE_PUBLIC_WORKERS sets how many (1 = split in this process: slower, uses less
        memory; docs/scaling.md)."""
        self.workers = settings.int_env("DISCLOSURE_PUBLIC_WORKERS") or min(os.cpu_count() or 1, 4)
        self.pool = None
        if rows >= PARALLEL_INDEX_ROWS and self.workers >= 2:
            gc.freeze()  # the workers' garbage collector then leaves the inherited objects alone
            try:
                self.pool = multiprocessing.get_context("fork").Pool(self.workers)
            finally:
                gc.unfreeze()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()  # every result was taken: nothing is left to finish
            self.pool.join()
            self.pool = None

    def indexed(self, batches: Iterable[list[tuple]]) -> Iterator[tuple]:
        """(rowid, token string of each column) for each row of each batch, in order (so the FTS
        table and the file are the same whether or not workers split the text)."""
        if self.pool is None:
            # one row at a time: a whole table's token text at once does not fit at national size
            for batch in batches:
                yield from map(_index_row, batch)
            return
        pending: deque = deque()
        for batch in batches:
            pending.append(self.pool.apply_async(_index_chunk, (batch,)))
            if len(pending) >= self.WINDOW_PER_WORKER * self.workers:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def largest_searchable(internal_path: Path, tables: Iterable[str]) -> int:
    """The row count of the largest of `tables` in the internal database that has search columns."""
    specs = schema.load()["tables"]
    conn = sqlite3.connect(f"file:{internal_path}?mode=ro", uri=True)
    try:
        have = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return max(
            (
                conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in tables
                if specs[t].get("search") and t in have
            ),
            default=0,
        )
    finally:
        conn.close()


def _index_row(row: tuple) -> tuple:
    return (row[0], *map(fts_text.index_text, row[1:]))


def _index_chunk(rows: list[tuple]) -> list[tuple]:
    return list(map(_index_row, rows))
