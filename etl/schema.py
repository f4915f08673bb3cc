"""The data dictionary (etl/schema.yaml), loaded, expanded and checked.

`load()` returns the dictionary with everything a reader needs already resolved: provenance
columns merged in (tables with `provenance: true`), multi-line texts joined, view columns taken
from their base table, and one entry per Chinese full-text table (`<table>_fts`, built by
etl/public.py from the table's `search:` list). Treat the result as read-only (it is cached).
`for_database(scope)` narrows it to the tables and columns of one database, so the internal
database (scope "internal"), the public one ("public"), Datasette's metadata and the site's
data dictionary all read the same descriptions.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

SCHEMA_PATH = Path(__file__).with_name("schema.yaml")
SCOPES = ("both", "internal", "public")
FTS_SUFFIX = "_fts"
_INDEX_WORDS = {"ASC", "DESC", "coalesce", "lower", "upper", "substr", "COLLATE", "NOCASE"}


class SchemaError(ValueError):
    """schema.yaml is incomplete or inconsistent; the message names the table and column."""


# libyaml's parser when PyYAML was built with it (the wheels are): schema.yaml is ~60 KB and the
# pure-Python parser took 0.2 s of every site build, 11% of a rebuild that changes nothing.
# The same safe constructors, so the same result (tests/test_public.py).
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4)
def load(path: Path = SCHEMA_PATH) -> dict:
    raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=YAML_LOADER)
    raw["database"] = {
        k: join_lines(v) if isinstance(v, str) else v for k, v in (raw.get("database") or {}).items()
    }
    provenance = raw.get("provenance") or {}
    tables = {name: _table(name, spec, provenance) for name, spec in raw["tables"].items()}
    for name, spec in list(tables.items()):
        if spec.get("view"):
            _resolve_view(name, spec, tables)
        if spec.get("search"):
            tables[name + FTS_SUFFIX] = _fts_table(name, spec)
    _check(raw.get("database") or {}, tables)
    return {"database": raw["database"], "tables": tables}


def for_database(scope: str, path: Path = SCHEMA_PATH) -> dict[str, dict]:
    """Tables (with their columns) present in the internal or the public database."""
    assert scope in ("internal", "public"), scope
    wanted = {"both", scope}
    out = {}
    for name, spec in load(path)["tables"].items():
        if spec["scope"] not in wanted:
            continue
        columns = {c: col for c, col in spec["columns"].items() if col["scope"] in wanted}
        out[name] = {**spec, "columns": columns}
    return out


def join_lines(text: str) -> str:
    """Join a multi-line YAML text (`|-` blocks) the way Chinese prose is joined: no space at a
    line break, except between two Latin letters or digits (a `>` fold would insert spaces)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        gap = " " if re.match(r"[A-Za-z0-9]", out[-1]) and re.match(r"[A-Za-z0-9]", line) else ""
        out += gap + line
    return out


def _table(name: str, spec: dict, provenance: dict) -> dict:
    spec = dict(spec)
    if spec.get("provenance"):
        # Database order: own columns, provenance columns, then computed (public-only) ones.
        own = dict(spec.get("columns") or {})
        stored = {c: v for c, v in own.items() if (v or {}).get("scope") != "public"}
        computed = {c: v for c, v in own.items() if (v or {}).get("scope") == "public"}
        spec["columns"] = {**stored, **provenance, **computed}
    spec["scope"] = spec.get("scope", "both")
    spec["description"] = join_lines(spec.get("description") or "")
    columns = {}
    for column, col in (spec.get("columns") or {}).items():
        col = dict(col or {})
        col["description"] = join_lines(str(col.get("description") or ""))
        # A computed column exists only in the public database, whatever its table's scope.
        col["scope"] = col.get("scope", "both")
        columns[column] = col
    spec["columns"] = columns
    return spec


def _resolve_view(name: str, spec: dict, tables: dict) -> None:
    base = tables.get(spec.get("columns_from", ""))
    if base is None:
        raise SchemaError(f"view {name}: columns_from names no table")
    spec["columns"] = {**base["columns"], **spec["columns"]}


def _fts_table(name: str, spec: dict) -> dict:
    columns = {}
    for column in spec["search"]:
        if column not in spec["columns"]:
            raise SchemaError(f"{name}: search column {column} is not a column of the table")
        base = spec["columns"][column]
        columns[column] = {
            "label": base["label"],
            "description": f"{base['label']}的检索文本（CJK 二元分词，见 docs/search.md）。",
            "scope": "public",
        }
    return {
        "label": f"{spec['label']}（全文检索）",
        "description": (
            f"“{spec['label']}”表的中文全文检索索引（FTS5，contentless）：文字按汉字二元组"
            f"（bigram）切分，rowid 与 {name} 表的 rowid 相同。在表页搜索框或 _search= 中使用，"
            "无需直接查询。"
        ),
        "scope": "public",
        "hidden": True,
        "columns": columns,
    }


def _check(database: dict, tables: dict) -> None:
    for key in ("title", "description", "licence", "source"):
        if not database.get(key):
            raise SchemaError(f"database: missing {key}")
    for name, spec in tables.items():
        if spec["scope"] not in SCOPES:
            raise SchemaError(f"{name}: scope must be one of {SCOPES}")
        for key in ("label", "description"):
            if not spec.get(key):
                raise SchemaError(f"{name}: missing {key}")
        for column, col in spec["columns"].items():
            for key in ("label", "description"):
                if not col.get(key):
                    raise SchemaError(f"{name}.{column}: missing {key}")
            if col["scope"] not in SCOPES:
                raise SchemaError(f"{name}.{column}: scope must be one of {SCOPES}")
        for key in ("facets", "search"):
            for column in spec.get(key) or []:
                if column not in spec["columns"]:
                    raise SchemaError(f"{name}: {key} names unknown column {column}")
        for flag in ("facet_pairs", "facet_counts"):
            if spec.get(flag) not in (None, True, False):
                raise SchemaError(f"{name}: {flag} must be true or false")
        for index in spec.get("indexes") or []:
            # expression indexes may use SQL functions; every bare word that is not a SQL
            # word or a function name must be a column
            words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"'[^']*'", "", index)))
            unknown = words - set(spec["columns"]) - _INDEX_WORDS
            if unknown:
                raise SchemaError(f"{name}: index ({index}) names unknown column(s) {sorted(unknown)}")
