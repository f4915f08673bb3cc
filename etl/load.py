"""Loading normalized records: insert, update in place, mark removed, and log every change.

Stable ids make a re-run update rows in place, never duplicate them. A record that disappears
from its source is marked removed (removed_run, removed_at), never deleted. Every added,
updated, removed or restored record gets a row in `changes` with the fields that differ.
Statements are batched with executemany inside the caller's transaction (sqlite-utils'
per-batch commits cost 2–5x here; `make bench` times both, docs/scaling.md).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from functools import partial
from operator import itemgetter, methodcaller
from typing import Iterable, Iterator

from etl.db import columns

PROVENANCE = (
    "source_id",
    "document_id",
    "source_url",
    "record_hash",
    "first_seen_run",
    "last_seen_run",
    "updated_run",
    "removed_run",
    "removed_at",
)
# Filled after loading by etl/derive.py from other tables; not part of a record's content.
DERIVED = {
    "enterprise_id",
    "accident_id",
    "hazard_id",
    "agency_id",
    ("hazards", "removal_doc"),
    ("hazards", "events"),
    ("blacklist", "removed_on"),
    ("blacklist", "removal_reason"),
    ("blacklist", "removal_doc"),
    ("blacklist", "events"),
    ("accidents", "enterprise_link_method"),
    ("accidents", "enterprise_link_candidates"),
}


# Tables whose rows belong to a parent row: (child table, the column naming the parent). Their
# ids are the parent's id + a suffix, so a renamed parent renames them (Loader._rename).
CHILDREN = {"accidents": (("accountability", "accident_id"), ("evidence", "accident_id"))}


def bind_none_directly() -> None:
    """Make sqlite3 bind None without its adapter search (process-wide; None still binds NULL).

    CPython's sqlite3 binds int, float, str and bytes directly but passes every other value,
    None included, through `microprotocols_adapt`: a failed lookup in the adapter registry and
    then `__adapt__`/`__conform__` attribute probes, about 0.2 µs per None (executemany of
    200,000 rows with 7 NULLs each: 0.55 s → 0.29 s). A load binds millions of None: the derived
    links (enterprise_id, accident_id) and every column a source leaves empty. With an adapter
    registered for NoneType the registry lookup succeeds at once; `{}.get` is a C callable that
    returns None for any key, so the value bound is still None, i.e. NULL."""
    sqlite3.register_adapter(type(None), {}.get)


bind_none_directly()


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    kept: int = 0  # rows of failed documents left exactly as they were (neither updated nor removed)

    def __iadd__(self, other: "Counts") -> "Counts":
        self.added += other.added
        self.updated += other.updated
        self.removed += other.removed
        self.unchanged += other.unchanged
        self.kept += other.kept
        return self


def content_columns(table: str, all_columns: list[str]) -> list[str]:
    return [
        c
        for c in all_columns
        if c != "id" and c not in PROVENANCE and c not in DERIVED and (table, c) not in DERIVED
    ]


def record_hash(values: tuple) -> str:
    """A digest of a record's content values (str, int, float, None: repr is exact and fast)."""
    return hashlib.blake2b(repr(values).encode("utf-8"), digest_size=16).hexdigest()


def record_hashes(values: Iterable[tuple]) -> Iterator[str]:
    """record_hash of each values tuple (the same digests) without a Python statement per record.
    Hashing is over a quarter of a full load's time, most of it repr() of the text; the digest
    itself must never change, or the next run would log every stored record as updated."""
    digests = map(_blake2b_16, map(str.encode, map(repr, values)))
    return map(_hexdigest, digests)


_blake2b_16 = partial(hashlib.blake2b, digest_size=16)
_hexdigest = methodcaller("hexdigest")


class Hasher:
    """record_hash of a table's records as the loader completes them (every column, None where
    absent), callable wherever the records are made: etl/prepare.py hashes them in its
    worker processes, so the load step only writes."""

    def __init__(self, all_columns: list[str], content: list[str]):
        self.template = dict.fromkeys(all_columns)
        self.values = itemgetter(*content)

    def __call__(self, records: Iterable[dict]) -> list[str]:
        template = self.template
        return self.of_complete({**template, **record} for record in records)

    def of_complete(self, records: Iterable[dict]) -> list[str]:
        """The hashes of records that already have every column."""
        return list(record_hashes(map(self.values, records)))


class Loader:
    def __init__(self, conn: sqlite3.Connection, run_id: int, now: str):
        self.conn = conn
        self.run_id = run_id
        self.now = now
        self._columns: dict[str, list[str]] = {}

    def columns(self, table: str) -> list[str]:
        if table not in self._columns:
            self._columns[table] = columns(self.conn, table)
        return self._columns[table]

    def hashers(self) -> dict[str, Hasher]:
        """A Hasher for every table records are loaded into (those with a record_hash column)."""
        names = [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: self._hasher(name) for name in names if "record_hash" in self.columns(name)}

    def _hasher(self, table: str) -> Hasher:
        all_columns = self.columns(table)
        return Hasher(all_columns, content_columns(table, all_columns))

    def existing(self, table: str, source_id: str) -> dict[str, tuple]:
        """id → (record_hash, removed_run, source_url) of `table`'s rows from `source_id`."""
        return {
            row[0]: (row[1], row[2], row[3])
            for row in self.conn.execute(
                f"SELECT id, record_hash, removed_run, source_url FROM {table} WHERE source_id = ?",
                (source_id,),
            )
        }

    def apply(
        self,
        source_id: str,
        table: str,
        records: list[dict],
        hashes: list[str] | None = None,
        keep_ids: set[str] = frozenset(),
        keep_urls: set[str] = frozenset(),
        existing: dict[str, tuple] | None = None,
    ) -> Counts:
        """Make `table`'s rows from `source_id` equal `records` (by id). `hashes`: each record's
        record_hash, made by this table's hasher() where the records were made; else computed.
        Live rows not in `records` whose id is in `keep_ids` or whose source_url is in
        `keep_urls` (documents that failed this run) stay exactly as they are, not removed.
        `existing`: this table's existing(), when the caller has read it already."""
        all_columns = self.columns(table)
        content = content_columns(table, all_columns)
        records = self._complete(
            table, all_columns, Hasher(all_columns, content), source_id, records, self.run_id, hashes
        )
        if existing is None:
            existing = self.existing(table, source_id)
        if not existing:  # a first load of this source: every record is new
            self._insert(table, all_columns, source_id, records)
            return Counts(added=len(records))
        seen = {r["id"] for r in records}
        missing = [(i, url) for i, (_, removed, url) in existing.items() if i not in seen and removed is None]
        kept = [i for i, url in missing if i in keep_ids or url in keep_urls]
        gone = [i for i, url in missing if not (i in keep_ids or url in keep_urls)]
        renamed = self._rename(table, [r for r in records if r["id"] not in existing], gone, existing)
        if renamed:
            existing = {renamed.get(i, i): v for i, v in existing.items()}
            gone = [i for i in gone if i not in renamed]
        added = [r for r in records if r["id"] not in existing]
        changed = [
            r
            for r in records
            if r["id"] in existing and (existing[r["id"]][0] != r["record_hash"] or existing[r["id"]][1])
        ]
        self._insert(table, all_columns, source_id, added)
        self._update(table, content, changed, existing)
        self._touch(table, [r for r in records if r["id"] in existing], existing)
        self._remove(table, source_id, gone)
        return Counts(
            len(added), len(changed), len(gone), len(records) - len(added) - len(changed), len(kept)
        )

    @staticmethod
    def _complete(table, all_columns, hasher, source_id, records, run_id, hashes=None) -> list[dict]:
        """Every record with every column (None where absent), its source, content hash and the
        history of a new row (only _insert writes those). This runs once per record of a load,
        so it is dict displays and map() rather than statements (bench/load_bench.py)."""
        template = dict.fromkeys(all_columns)
        fixed = {
            "source_id": source_id,
            "first_seen_run": run_id,
            "last_seen_run": run_id,
            "updated_run": run_id,
        }
        complete = [{**template, **record, **fixed} for record in records]
        if max(map(len, complete), default=0) > len(template):
            unknown = sorted(set().union(*complete) - set(template))
            raise ValueError(f"{table}: no such column(s): {', '.join(unknown)}")
        if hashes is None:
            hashes = hasher.of_complete(complete)
        elif len(hashes) != len(complete):
            raise ValueError(f"{table}: {len(hashes)} hashes for {len(complete)} records")
        for full, digest in zip(complete, hashes):
            full["record_hash"] = digest
        return complete

    def _insert(self, table, all_columns, source_id, records) -> None:
        if not records:
            return
        # SQLite gives a new row max(rowid) + 1, so the rows inserted here are the rowids above
        # `last`: the 'added' changes below select them by that range.
        (last,) = self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()
        # A new row is not removed: removed_run and removed_at are left to their NULL default.
        # Binding None is not free: sqlite3 looks for an adapter for every value that is not an
        # int, float or str, which costs more than binding a string (about 0.3 µs each here).
        inserted = [c for c in all_columns if c not in ("removed_run", "removed_at")]
        placeholders = ", ".join("?" for _ in inserted)
        self.conn.executemany(
            f"INSERT INTO {table} ({', '.join(inserted)}) VALUES ({placeholders})",
            map(itemgetter(*inserted), records),
        )
        # One 'added' change per new row, written by SQLite itself. Selecting by rowid reads only
        # the new rows' ids; a filter on source_id/first_seen_run would scan the whole table and,
        # for report tables, follow every row's overflow pages (those columns come after the text).
        self.conn.execute(
            f"INSERT INTO changes (run_id, source_id, table_name, record_id, action, fields, at)"
            f" SELECT ?, ?, ?, id, 'added', NULL, ? FROM {table} WHERE rowid > ? ORDER BY rowid",
            (self.run_id, source_id, table, self.now, last),
        )

    def _update(self, table, content, records, existing) -> None:
        if not records:
            return
        old = self._rows(table, [r["id"] for r in records])
        writable = content + ["source_id", "document_id", "source_url", "record_hash"]
        sets = ", ".join(f"{c} = ?" for c in writable)
        values_of = itemgetter(*writable)
        self.conn.executemany(
            f"UPDATE {table} SET {sets}, last_seen_run = ?, updated_run = ?, removed_run = NULL, "
            f"removed_at = NULL WHERE id = ?",
            [(*values_of(r), self.run_id, self.run_id, r["id"]) for r in records],
        )

        def diff(record):
            before = old.get(record["id"], {})
            return {c: [before.get(c), record.get(c)] for c in content if before.get(c) != record.get(c)}

        restored = [r for r in records if existing[r["id"]][1]]
        self._log(table, [r for r in records if not existing[r["id"]][1]], "updated", diff)
        self._log(table, restored, "restored", diff)

    def _touch(self, table, records, existing) -> None:
        """Seen again: last_seen_run, and the document it was read from when that moved (a record
        whose content did not change still cites the address it is published at now)."""
        self.conn.executemany(
            f"UPDATE {table} SET last_seen_run = ? WHERE id = ?", [(self.run_id, r["id"]) for r in records]
        )
        moved = [
            (r["document_id"], r["source_url"], r["id"])
            for r in records
            if r["source_url"] != existing[r["id"]][2]
        ]
        self.conn.executemany(f"UPDATE {table} SET document_id = ?, source_url = ? WHERE id = ?", moved)

    def _rename(self, table, new, gone, existing) -> dict[str, str]:
        """old id -> new id for records whose id changed while their content did not: a new
        record with the same record_hash as exactly one row that disappeared from the source
        (an id made from a key that changed, e.g. a document's address). The row, its history
        in `changes` and its children (CHILDREN) move to the new id instead of the record being
        shown as withdrawn and added again."""
        olds: dict[str, list[str]] = {}
        for i in gone:
            olds.setdefault(existing[i][0], []).append(i)
        news: dict[str, list[str]] = {}
        for r in new:
            news.setdefault(r["record_hash"], []).append(r["id"])
        pairs = {o[0]: news[h][0] for h, o in olds.items() if len(o) == 1 and len(news.get(h, ())) == 1}
        for old, fresh in pairs.items():
            self.conn.execute(f"UPDATE {table} SET id = ? WHERE id = ?", (fresh, old))
            self.conn.execute(
                "UPDATE changes SET record_id = ? WHERE table_name = ? AND record_id = ?", (fresh, table, old)
            )
            for child, column in CHILDREN.get(table, ()):
                # child ids are the parent's id + a suffix ("acc-…-1")
                self.conn.execute(
                    f"UPDATE changes SET record_id = ? || substr(record_id, ?) WHERE table_name = ?"
                    f" AND record_id IN (SELECT id FROM {child} WHERE {column} = ?)",
                    (fresh, len(old) + 1, child, old),
                )
                self.conn.execute(
                    f"UPDATE {child} SET id = ? || substr(id, ?), {column} = ? WHERE {column} = ?",
                    (fresh, len(old) + 1, fresh, old),
                )
        return pairs

    def _remove(self, table, source_id, ids) -> None:
        if not ids:
            return
        self.conn.executemany(
            f"UPDATE {table} SET removed_run = ?, removed_at = ? WHERE id = ?",
            [(self.run_id, self.now, i) for i in ids],
        )
        self._log(table, [{"id": i, "source_id": source_id} for i in ids], "removed", lambda r: None)

    def _rows(self, table, ids) -> dict[str, dict]:
        found = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for row in self.conn.execute(f"SELECT * FROM {table} WHERE id IN ({marks})", chunk):
                found[row["id"]] = dict(row)
        return found

    def _log(self, table, records, action, fields_of) -> None:
        self.conn.executemany(
            "INSERT INTO changes (run_id, source_id, table_name, record_id, action, fields, at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (self.run_id, r["source_id"], table, r["id"], action, _json(fields_of(r)), self.now)
                for r in records
            ],
        )


def _json(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
