"""The personal-data gate: no unmasked ID or phone number, and no fragment of an ID number a
source printed masked (620102********1234), in the site, the downloads or the databases.

It reads every file of a province-size site (50,000 pages): one walk of the folder, one process
per core, and scan_unmasked_pii, which finds what find_unmasked_pii finds, faster
(tests/test_gates.py compares them)."""

from __future__ import annotations

import json
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
    tasks = [task for db_path in databases for task in _columns(db_path)]
    for (db_path, *_), problems in zip(tasks, in_workers(_scan_column, tasks, workers)):
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


# The site search's summary file (plugins/disclosure/search.py exact_index) holds no sentence: the
# character bigrams found in more than COMMON indexed names, with their counts, and the
# traditional→simplified table. Read as text its bigrams look like names (任公 of 有限责任公司), so
# it is checked for that shape instead: anything else in it is a problem.
EXACT_INDEX = "search/exact.json"


def _is_han(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def exact_index_problems(text: str) -> list[str]:
    try:
        index = json.loads(text)
    except ValueError as exc:
        return [f"{EXACT_INDEX}: not JSON ({exc})"]
    if not isinstance(index, dict) or set(index) != {"names", "codes", "common", "t2s"}:
        return [f"{EXACT_INDEX}: unexpected keys {sorted(index) if isinstance(index, dict) else index!r:.60}"]
    problems = [f"{EXACT_INDEX}: {k} is not a count" for k in ("names", "codes") if type(index[k]) is not int]
    common, t2s = index["common"], index["t2s"]
    if not isinstance(common, dict) or not all(
        isinstance(k, str) and len(k) == 2 and _is_han(k) and type(v) is int for k, v in common.items()
    ):
        problems.append(f"{EXACT_INDEX}: common holds something other than bigram counts")
    if not isinstance(t2s, str) or len(t2s) % 2 or not _is_han(t2s):
        problems.append(f"{EXACT_INDEX}: t2s is not a table of character pairs")
    return problems


def _scan_files(task: tuple[Path, list]) -> list[str]:
    folder, items = task
    found = []
    for item in items:
        if item == EXACT_INDEX:
            found += exact_index_problems((folder / item).read_text(encoding="utf-8", errors="replace"))
            continue
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


_SKIPPED_COLUMNS = {"uscc", "enterprise_uscc", "sha256"}
_INTERNAL_HISTORY = {("changes", "fields"), ("rejects", "raw")}


def _columns(path: Path) -> list[tuple[Path, str, str, tuple[str, ...]]]:
    """(database, table, column, finding kinds tolerated there) for every column to scan.

    The internal database (the one with _migrations, which public.db never has) keeps the
    id_number column's masked form (620102********1234) for staff, and its history and raw rows
    (changes.fields, rejects.raw: old values from before the masking policy hid fragments) as
    they were; etl/public.py never copies those as they are. Anywhere else, and in public.db at
    all, a fragment of an ID number is a finding (行政处罚结果信息网上公开暂行办法 第七条: no part
    of the number is published). The raw rows and history also keep the names a source printed
    (a rejected row is shown to staff as the source had it); only masked numbers are stored there.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        internal = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone())
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%_fts%'"
                " AND name NOT LIKE 'sqlite_%'"
            )
        ]
        tasks = []
        for table in tables:
            for column in (r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")):
                if column in _SKIPPED_COLUMNS:
                    continue
                tolerated: tuple[str, ...] = ()
                if internal and (table, column) in _INTERNAL_HISTORY:
                    tolerated = ("id_fragment", "name")
                elif internal and column == "id_number":
                    tolerated = ("id_fragment",)
                tasks.append((path, table, column, tolerated))
        return tasks
    finally:
        conn.close()


def _scan_column(task: tuple[Path, str, str, tuple[str, ...]]) -> list[str]:
    """Findings in one column. Each distinct value is read once: a column repeats its values
    (authorities, statuses, the same sentence in many rows), and what one value holds does not
    depend on its row."""
    path, table, column, tolerated = task
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = []
    try:
        for (value,) in conn.execute(
            f"SELECT DISTINCT [{column}] FROM [{table}] WHERE typeof([{column}]) = 'text'"
        ):
            for kind, match in scan_unmasked_pii(value):
                if kind not in tolerated:
                    found.append(f"{table}.{column}: unmasked {kind} {match[:6]}…")
    finally:
        conn.close()
    return found
