"""Preparing a source's raw records for the load step: map → normalize → mask → hash, in worker
processes when a source has many records. The stage between the readers (etl/readers/) and
etl/load.py; the dataset kinds (etl/datasets/) do the normalizing, with etl/normalize/.

Each raw record becomes its rows per table (masked, with their document and URL) and each row's
record_hash, or a reason to reject it. That is a pure function of the record, the spec and the
database's columns, so a source with PARALLEL_RECORDS records or more (PARALLEL_REPORTS for the
report kinds) is normalized by forked workers (DISCLOSURE_ETL_WORKERS, default the machine's
cores, at most 4) while this process takes their results in order: the rows, rejects and hashes
are the same as in one process (tests/test_etl.py), and the load step is left only writing. A
worker that dies fails its source; it never hangs the run. Province size on 2 cores: see
docs/scaling.md "ETL load step" and "ETL full load".
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Iterator

from etl import cache, settings
from etl.datasets.common import Context, Reject
from etl.load import Hasher
from etl.readers import RawRecord

# Bumped when normalization changes, so unchanged sources are re-normalized once.
# 2: names opening an enumerated item in the middle of a line are masked, and accountability
#    items end where the next one starts (etl/normalize/mask.py, etl/extract/accountability.py).
# 3: no part of an ID number stays in text (the marker replaces whole numbers and fragments a
#    source printed masked), and persons on the blacklist and bans lists get their `unit`; a
#    blacklist entry keeps only the term end its announcement states (etl/datasets/blacklist.py),
#    and removal reasons tell a restored listing (恢复列入) from a revoked one (撤销列入).
# 4: persons' names are recognized beyond role words (jieba's tagger, particulars, more roles),
#    and ID and phone numbers printed in groups or with dots are masked (etl/normalize/mask.py).
# 5: evidence for every extracted fact, the GB 6441-86 type with its subtype, the sector, and the
#    extraction rules measured on tests/corpus/reports (etl/extract/).
# 6: PDF text comes as paragraphs, a line broken where it was full running on (etl/readers/pdf.py),
#    so a name or an ID number split over two lines is masked like any other.
#    More names and phones are masked, fewer words taken for names (etl/normalize/mask.py, names.py).
PIPELINE_VERSION = "6"

# Fewer records than this are normalized in this process: forking and passing results back
# would cost more than the other cores save. A table source normalizes ~15,000 records a
# second; a report source (a kind with CACHE = True: facts extracted from the text) ~150.
PARALLEL_RECORDS = 2_000
PARALLEL_REPORTS = 100
_CHUNK = 32  # records per task: report records are ~7 ms each, table records ~70 µs


@dataclass
class Normalized:
    """One raw record's outcome: rows and hashes per table, or why it was rejected."""

    rows: dict[str, list[dict]] | None = None
    hashes: dict[str, list[str]] | None = None
    reject: str | None = None


def normalize_all(module, spec, raws: list[RawRecord], hashers: dict[str, Hasher]) -> Iterator[Normalized]:
    """Normalized of each raw record, in order. `hashers`: table → Hasher for the tables the
    kind writes (a table without one is hashed by the loader)."""
    workers = settings.int_env("DISCLOSURE_ETL_WORKERS") or min(os.cpu_count() or 1, 4)
    enough = PARALLEL_REPORTS if getattr(module, "CACHE", False) else PARALLEL_RECORDS
    if len(raws) < enough or workers < 2:
        for raw in raws:
            yield normalize_one(module, spec, raw, hashers)
        return
    global _JOB
    # A process pool that notices a worker dying (killed for memory, a crash in a C library):
    # the source then fails with BrokenProcessPool instead of waiting for ever, as
    # multiprocessing.Pool would for the lost task.
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    chunks = [(start, min(start + _CHUNK, len(raws))) for start in range(0, len(raws), _CHUNK)]
    _JOB = (module, spec, raws, hashers)  # the forked workers inherit it: nothing is pickled in
    gc.freeze()  # the workers' garbage collector then leaves the inherited objects alone
    try:
        results = executor.map(_normalize_chunk, chunks)  # forks the workers, submits every chunk
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        gc.unfreeze()
        _JOB = None
    try:
        for outcomes in results:
            yield from outcomes
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


_JOB: tuple | None = None


def _normalize_chunk(bounds: tuple[int, int]) -> list[Normalized]:
    module, spec, raws, hashers = _JOB
    return [normalize_one(module, spec, raws[i], hashers) for i in range(*bounds)]


def normalize_one(module, spec, raw: RawRecord, hashers: dict[str, Hasher]) -> Normalized:
    try:
        if raw.extra.get("error"):
            raise Reject(raw.extra["error"])
        rows = normalize(module, spec, raw)
    except Reject as exc:
        return Normalized(reject=str(exc))
    for table_rows in rows.values():
        for row in table_rows:
            row.setdefault("document_id", raw.document_id)
            row.setdefault("source_url", raw.url)
            mask_row(row)
    hashes = {table: hashers[table](table_rows) for table, table_rows in rows.items() if table in hashers}
    return Normalized(rows=rows, hashes=hashes)


def normalize(module, spec, raw: RawRecord) -> dict[str, list[dict]]:
    """The kind's normalize(); for kinds that extract facts from report text (CACHE = True),
    the result is cached by the exact input, so an unchanged report is not re-extracted."""
    mapped, context = map_fields(spec, raw), _context(spec, raw)
    if not getattr(module, "CACHE", False):
        return module.normalize(mapped, context)
    key = "normalized|" + json.dumps(
        [mapped, context.url, context.extra.get("attachments_json"), spec.sha256, PIPELINE_VERSION],
        ensure_ascii=False,
        sort_keys=True,
    )
    rows = cache.get(key)
    if rows is None:
        rows = module.normalize(mapped, context)
        cache.put(key, rows)
    return rows


def map_fields(spec, raw: RawRecord) -> dict[str, str]:
    """Target column → source string: the first non-empty alternative, corrected by lookups."""
    mapped = {}
    for target in spec.fields:
        value = next((raw.fields[n] for n in spec.source_names(target) if raw.fields.get(n, "").strip()), "")
        corrections = spec.lookups.get(target)
        if corrections and value.strip() in corrections:
            value = corrections[value.strip()]
            value = "" if value is None else str(value)
        mapped[target] = value
    for key in ("_attachments_text", "_page_title", "_list_date", "_url"):
        mapped.setdefault(key, raw.fields.get(key, ""))
    return mapped


def _context(spec, raw) -> Context:
    extra = dict(raw.extra)
    if "attachments" in extra:
        extra["attachments_json"] = json.dumps(extra["attachments"], ensure_ascii=False, sort_keys=True)
    return Context(spec=spec, url=raw.url, document_id=raw.document_id, extra=extra)


# Columns that hold codes, ids and URLs, which the PII safety net must leave alone.
_NOT_TEXT = {
    "id",
    "source_id",
    "source_url",
    "uscc",
    "enterprise_uscc",
    "agency_uscc",
    "client_uscc",
    "attachments",
    "accident_id",
    "enterprise_id",
    "hazard_id",
    "agency_id",
    "record_hash",
    "region_code",
    "city_code",
}


def mask_row(row: dict) -> dict:
    """Safety net: no unmasked ID or phone number leaves the ETL, whatever the column."""
    from etl.normalize.mask import mask_id_numbers, mask_phones

    for key, value in row.items():
        if isinstance(value, str) and key not in _NOT_TEXT:
            # the id_number column keeps its masked form (internal only: etl/public.py drops it)
            row[key] = mask_phones(mask_id_numbers(value, fragments=key != "id_number"))
    return row
