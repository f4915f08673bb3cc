"""The personal-data gate: no unmasked ID or phone number, and no fragment of an ID number a
source printed masked (620102********1234), in the site, the downloads or the databases.

It reads every file of a province-size site (50,000 pages): one walk of the folder, one process
per core, and scan_unmasked_pii, which finds what find_unmasked_pii finds, faster
(tests/test_gates.py compares them)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from etl.normalize.mask import scan_unmasked_pii, scan_unmasked_pii_spans
from publish.gates.result import GateResult, limit
from publish.gates.tree import suffix, walk
from publish.gates.workers import in_workers

TEXT_SUFFIXES = {".html", ".xml", ".json", ".csv", ".txt", ".js", ".md", ".atom", ".svg"}


def personal_data(
    folder: Path | None,
    databases: list[Path],
    workers: int | None = None,
    passed: frozenset[str] | set[str] = frozenset(),
) -> GateResult:
    """Scan every text file under `folder` (site pages, feeds, downloads) and every text
    column of the databases. scan_unmasked_pii gives what find_unmasked_pii gives, faster.
    `passed`: files (relative to `folder`) this gate already passed with these bytes, carried
    over from the current release (publish/carry.py); they are not read again."""
    result = GateResult("personal data")
    if folder and "pagefind" not in folder.parts:
        texts = [
            rel
            for rel, is_file in walk(folder).entries
            if is_file and suffix(rel) in TEXT_SUFFIXES and "pagefind" not in rel.split("/")
        ]
        if passed:
            result.counts["carried"] = sum(1 for rel in texts if rel in passed)
            texts = [rel for rel in texts if rel not in passed]
        result.counts["files"] = len(texts)
        for problems in in_workers(_scan_files, _file_tasks(folder, texts), workers):
            result.problems += problems
    tasks = [(db_path, table) for db_path in databases for table in _tables(db_path)]
    for (db_path, _), problems in zip(tasks, in_workers(_scan_table, tasks, workers)):
        result.problems += [f"{db_path.name}: {p}" for p in problems]
    result.problems = limit(result.problems)
    return result


# A download at national size is one JSON or CSV file of up to 1.3 GB: read whole, it took one
# worker minutes (and gigabytes) while the other cores idled. Files over PIECE_BYTES are scanned
# as pieces, each with CONTEXT_BYTES of the file either side so the detectors see what they see
# in the whole file (a label before a number, a character after it); a hit belongs to the piece
# its first character is in, so the findings are those of the whole file, in order.
PIECE_BYTES = 32 << 20
CONTEXT_BYTES = 4096


def _file_tasks(folder: Path, texts: list[str]) -> list[tuple[Path, list]]:
    """Small files 400 to a task, a large one a task per piece (rel, start, end), in file order."""
    tasks, small = [], []
    for rel in texts:
        size = os.stat(os.path.join(folder, rel)).st_size
        if size <= PIECE_BYTES:
            small.append(rel)
            if len(small) == 400:
                tasks.append((folder, small))
                small = []
            continue
        if small:
            tasks.append((folder, small))
            small = []
        tasks += [
            (folder, [(rel, start, min(start + PIECE_BYTES, size))]) for start in range(0, size, PIECE_BYTES)
        ]
    if small:
        tasks.append((folder, small))
    return tasks


def _scan_files(task: tuple[Path, list]) -> list[str]:
    folder, items = task
    found = []
    for item in items:
        if isinstance(item, str):
            rel = item
            hits = scan_unmasked_pii((folder / rel).read_text(encoding="utf-8", errors="replace"))
        else:
            rel, start, end = item
            hits = _scan_piece(folder / rel, start, end)
        found += [f"{rel}: unmasked {kind} {match[:6]}…" for kind, match in hits]
    return found


def _scan_piece(path: Path, start: int, end: int) -> list[tuple[str, str]]:
    """The hits of the whole file that begin in bytes [start, end) (moved to character starts)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        left = max(0, start - CONTEXT_BYTES)
        f.seek(left)
        data = f.read(min(size, end + CONTEXT_BYTES) - left)

    def char_start(i: int) -> int:  # the first byte at or after i that begins a UTF-8 character
        while i < len(data) and data[i] & 0xC0 == 0x80:
            i += 1
        return i

    # the core's ends are character starts (the neighbouring piece finds the same ones); the
    # context's outer ends may cut a character, which only turns into U+FFFD 4 KB away
    core_lo, core_hi = char_start(start - left), char_start(end - left)
    decode = lambda a, b: data[a:b].decode("utf-8", errors="replace")  # noqa: E731
    text = decode(0, len(data))
    first = len(decode(0, core_lo))
    last = first + len(decode(core_lo, core_hi))
    return [(kind, text[a:b]) for kind, a, b in scan_unmasked_pii_spans(text) if first <= a < last]


def _tables(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%_fts%'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
    finally:
        conn.close()


_INTERNAL_HISTORY = {("changes", "fields"), ("rejects", "raw")}


def _scan_table(task: tuple[Path, str]) -> list[str]:
    path, table = task
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = []
    try:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")]
        skip = [column in ("uscc", "enterprise_uscc", "sha256") for column in columns]
        # The internal database (the one with _migrations, which public.db never has) keeps the
        # id_number column's masked form (620102********1234) for staff, and its history and raw
        # rows (changes.fields, rejects.raw: old values from before the masking policy hid
        # fragments) as they were; etl/public.py never copies those as they are. Anywhere else,
        # and in public.db at all, a fragment of an ID number is a finding (行政处罚结果信息网上公开
        # 暂行办法 第七条: no part of the number is published).
        # The raw rows and history also keep the names a source printed (a rejected row is shown
        # to staff as the source had it); only masked numbers are stored there.
        internal = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone())
        tolerated = [
            (
                ("id_fragment", "name")
                if (table, column) in _INTERNAL_HISTORY
                else ("id_fragment",)
                if column == "id_number"
                else ()
            )
            if internal
            else ()
            for column in columns
        ]
        for row in conn.execute(f"SELECT * FROM [{table}]"):
            for column, skipped, allowed, value in zip(columns, skip, tolerated, row):
                if isinstance(value, str) and not skipped:
                    for kind, match in scan_unmasked_pii(value):
                        if kind not in allowed:
                            found.append(f"{table}.{column}: unmasked {kind} {match[:6]}…")
    finally:
        conn.close()
    return found
