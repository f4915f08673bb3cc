"""Open data downloads (/data/): one CSV and one JSON file per public table, the SQLite file
itself, and the data dictionary (etl/schema.yaml, read by dictionary.py; the one dictionary that
also feeds Datasette's metadata), published with schema.org Dataset JSON-LD.

The CSV files are made safe to open in a spreadsheet (OWASP, "CSV Injection"): a text cell that
starts with = + - @, a tab or a carriage return would be run as a formula, so it is written with
a single quote in front (``'=HYPERLINK(...)``, ``'-2+3``, also a text ``'-5``). Only text is
changed: an INTEGER or REAL (a negative amount) stays a number, NULL stays empty, and the JSON
files keep every value exactly. Datasette's CSV exports do the same
(publish/datasette/plugins/csv_guard.py).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Iterator

# Internal bookkeeping the public filter never copies (etl/public.py rule 1); skipped here too in
# case a database carries them, because rejects.raw holds unfiltered source rows.
_SKIP_PREFIXES = ("sqlite_", "_")
_INTERNAL = {"rejects", "etl_runs", "source_runs"}
# Derived for Datasette's speed alone (etl/public.py _add_facet_counts), like the FTS tables.
_DERIVED = {"facet_counts"}


def public_tables(tables: list[str]) -> list[str]:
    """Tables offered as CSV/JSON: everything public except the full-text index tables and the
    precomputed facet counts."""
    return [
        t
        for t in tables
        if not t.startswith(_SKIP_PREFIXES) and "_fts" not in t and t not in _INTERNAL and t not in _DERIVED
    ]


_UNIT = re.compile(r"单位[:：]\s*([^。；;）)\s]+)")


EXPORT_BATCH = 5_000  # rows per chunk: a download is written as it is made, never held whole

# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START_SQL = "'=', '+', '-', '@', char(9), char(13)"


def csv_safe(value):
    """A CSV cell as a spreadsheet will not run it: text starting with FORMULA_START gets a
    leading single quote; numbers, NULL and other text are returned as they are."""
    if value.__class__ is str and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_safe_sql(column: str) -> str:
    """``csv_safe`` as an SQL expression: SQLite does it per cell in C (a Python call per cell
    made writing the CSV downloads twice as slow); a CASE keeps each value's type."""
    c = '"' + column.replace('"', '""') + '"'
    return (
        f"CASE WHEN typeof({c}) = 'text' AND substr({c}, 1, 1) IN ({_FORMULA_START_SQL}) "
        f"THEN '''' || {c} ELSE {c} END"
    )


def csv_chunks(conn, table: str) -> Iterator[bytes]:
    """One table's CSV download (UTF-8 with a BOM, CRLF lines, a header row), in chunks, rows in
    rowid order (``conn`` without a row factory), every cell through ``csv_safe``. Held whole,
    the national downloads (7.7 GB) made the export process the build's largest (6 GB)."""
    columns = [c[0] for c in conn.execute(f"SELECT * FROM [{table}] LIMIT 0").description]
    cells = ", ".join(_csv_safe_sql(c) for c in columns)
    cur = conn.execute(f"SELECT {cells} FROM [{table}] ORDER BY rowid")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    # the BOM lets spreadsheet programs open UTF-8 Chinese text correctly
    buf.write("\ufeff")
    w.writerow([csv_safe(c) for c in columns])
    while rows := cur.fetchmany(EXPORT_BATCH):
        w.writerows(rows)
        yield buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
    if buf.tell():
        yield buf.getvalue().encode("utf-8")


def json_chunks(conn, table: str) -> Iterator[bytes]:
    """The same table as a JSON array of objects, in chunks: the bytes of
    ``json.dumps(rows, ensure_ascii=False, separators=(",", ":"))``."""
    cur = conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
    columns = [c[0] for c in cur.description]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    opening = "["
    while rows := cur.fetchmany(EXPORT_BATCH):
        yield (opening + ",".join(dumps(dict(zip(columns, r))) for r in rows)).encode("utf-8")
        opening = ","
    yield b"[]" if opening == "[" else b"]"


def table_digest(conn, table: str) -> tuple[str, int, list[str]]:
    """(sha256 of the table's content, row_count, columns): every value as SQLite's quote() writes
    it (NULL, integers, exact reals, quoted text: no two different rows give the same line), in
    export order. A table's CSV and JSON files are a function of it, so a release whose public.db
    differs elsewhere (every release: build_info) keeps them: at national size generating the
    7.7 GB of downloads took ~150 s, this ~20 s (docs/scaling.md)."""
    columns = [c[0] for c in conn.execute(f"SELECT * FROM [{table}] LIMIT 0").description]
    digest = hashlib.sha256(json.dumps(columns, ensure_ascii=False).encode())
    line = " || ',' || ".join(f"quote([{c.replace(']', ']]')}])" for c in columns) or "''"
    cur = conn.execute(f"SELECT {line} FROM [{table}] ORDER BY rowid")
    count = 0
    while rows := cur.fetchmany(10_000):
        count += len(rows)
        digest.update("\n".join(r[0] for r in rows).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest(), count, columns


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dictionary(tables_meta: list[dict], schema: dict) -> list[dict]:
    """Merge the table list (with columns) and the schema descriptions for the /data/ page."""
    out = []
    for t in tables_meta:
        meta = schema.get(t["name"]) or {}
        cols_meta = meta.get("columns") or {}
        cols = []
        for c in t["columns"]:
            cm = cols_meta.get(c) or {}
            if isinstance(cm, str):
                cm = {"description": cm}
            unit = cm.get("unit")
            if not unit and cm.get("description"):
                m = _UNIT.search(str(cm["description"]))
                unit = m.group(1) if m else None
            cols.append(
                {
                    "name": c,
                    "label": cm.get("label"),
                    "description": cm.get("description"),
                    "unit": unit,
                    "basis": cm.get("basis") or cm.get("legal_basis"),
                }
            )
        out.append(
            dict(
                t,
                title=meta.get("label") or meta.get("title"),
                description=meta.get("description"),
                basis=meta.get("basis") or meta.get("legal_basis"),
                columns=cols,
            )
        )
    return out


def dataset_jsonld(
    canon: str, site: dict, tables: list[dict], db_file: dict, years: list[int], database: dict | None = None
) -> dict:
    publishers = sorted({s.get("publisher") for s in site["sources"] if s.get("publisher")})
    dist = [
        {
            "@type": "DataDownload",
            "name": f"{t['name']}.csv",
            "encodingFormat": "text/csv",
            "contentUrl": f"{canon}/data/csv/{t['name']}.csv",
        }
        for t in tables
    ]
    dist += [
        {
            "@type": "DataDownload",
            "name": f"{t['name']}.json",
            "encodingFormat": "application/json",
            "contentUrl": f"{canon}/data/json/{t['name']}.json",
        }
        for t in tables
    ]
    dist.append(
        {
            "@type": "DataDownload",
            "name": "public.db",
            "encodingFormat": "application/vnd.sqlite3",
            "contentUrl": f"{canon}/data/{db_file['name']}",
            "contentSize": str(db_file["size"]),
        }
    )
    ld = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{site['province']}安全生产信息公开数据",
        "description": "生产安全事故调查报告、责任追究、整改措施落实情况评估、安全生产信用评级与信用记录、"
        "严重失信主体名单、行业禁入和年度统计，按公开规则筛选后的数据。",
        "url": f"{canon}/data/",
        "inLanguage": "zh-CN",
        "isAccessibleForFree": True,
        "license": (database or {}).get("licence_url") or f"{canon}/data/terms/",
        "dateModified": site["as_of"],
        "spatialCoverage": {"@type": "Place", "name": site["province"]},
        "keywords": ["安全生产", "事故调查报告", "整改评估", "严重失信主体名单", "信用", "12350"],
        "creator": [{"@type": "Organization", "name": p} for p in publishers],
        "distribution": dist,
    }
    if years:
        ld["temporalCoverage"] = f"{min(years)}/{max(years)}"
    return ld
