"""The data dictionary (etl/schema.yaml) as the site reads it: a YAML file, read here without the
ETL package. The site takes what the public database holds: tables and columns of scope both or
public, provenance columns merged in, multi-line texts joined, views' columns from their table.
Full-text index tables are left out (the site lists none). tests/test_site_without_etl.py checks
that this equals what etl/schema.py gives Datasette.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

# libyaml's parser when PyYAML has it: the pure-Python one costs 0.2 s a build (as etl/schema.py)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PUBLIC = ("both", "public")


def load(path: Path | None) -> dict:
    """{"database": {...}, "tables": {table: {label, description, columns: {column: {label,
    description, codes?, values?, …}}}}}; empty when there is no dictionary file."""
    if not path or not Path(path).exists():
        log.info("data dictionary %s not found; /data/ lists columns without descriptions", path)
        return {"database": {}, "tables": {}}
    raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER) or {}
    database = {k: join_lines(v) if isinstance(v, str) else v for k, v in (raw.get("database") or {}).items()}
    provenance = raw.get("provenance") or {}
    tables = {name: _table(spec, provenance) for name, spec in (raw.get("tables") or {}).items()}
    for spec in tables.values():
        if spec.get("view"):
            spec["columns"] = {**tables[spec["columns_from"]]["columns"], **spec["columns"]}
    public = {
        name: {**spec, "columns": {c: col for c, col in spec["columns"].items() if col["scope"] in _PUBLIC}}
        for name, spec in tables.items()
        if spec["scope"] in _PUBLIC
    }
    return {"database": database, "tables": public}


def join_lines(text: str) -> str:
    """A multi-line YAML text joined as Chinese prose: no space at a line break, except between
    two Latin letters or digits."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        gap = " " if re.match(r"[A-Za-z0-9]", out[-1]) and re.match(r"[A-Za-z0-9]", line) else ""
        out += gap + line
    return out


def _table(spec: dict, provenance: dict) -> dict:
    spec = dict(spec)
    columns = dict(spec.get("columns") or {})
    if spec.get("provenance"):
        # the database's order: own columns, provenance columns, then the public-only ones
        stored = {c: v for c, v in columns.items() if (v or {}).get("scope") != "public"}
        computed = {c: v for c, v in columns.items() if (v or {}).get("scope") == "public"}
        columns = {**stored, **provenance, **computed}
    spec["scope"] = spec.get("scope", "both")
    spec["description"] = join_lines(spec.get("description") or "")
    spec["columns"] = {c: _column(col) for c, col in columns.items()}
    return spec


def _column(col: dict | None) -> dict:
    col = dict(col or {})
    col["description"] = join_lines(str(col.get("description") or ""))
    col["scope"] = col.get("scope", "both")
    return col
