"""What the public database adds so that Datasette serves it fast (rule 6 of etl/public.py):
views, summary tables, facet counts, and the indexes Datasette's query shapes need.

None of it decides what is public: every table here is built from rows etl/public.py already
wrote. The figures behind each choice are in docs/scaling.md ("Datasette").
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable

from etl import schema

# Summaries (described in etl/schema.yaml); group_concat follows the inner ORDER BY.
SUMMARIES = {
    "enterprise_accidents": (
        "enterprise_id TEXT PRIMARY KEY REFERENCES enterprises(id), enterprise_name TEXT,"
        " uscc TEXT, accident_count INTEGER, deaths INTEGER, first_occurred_on TEXT,"
        " last_occurred_on TEXT, grades TEXT, titles TEXT",
        "SELECT e.id, e.name, e.uscc, count(*), sum(coalesce(a.deaths, 0)), min(a.occurred_on),"
        " max(a.occurred_on), group_concat(coalesce(a.grade_stated, a.grade_computed, '未知'), '、'),"
        " group_concat(a.title, '；')"
        " FROM (SELECT * FROM accidents WHERE enterprise_id IS NOT NULL"
        "       ORDER BY enterprise_id, occurred_on, id) a"
        " JOIN enterprises e ON e.id = a.enterprise_id GROUP BY e.id ORDER BY e.id",
    ),
    "accidents_by_year_city": (
        "year INTEGER, city_code TEXT, city_name TEXT, accidents INTEGER, deaths INTEGER,"
        " major_or_worse INTEGER",
        "SELECT year, city_code, city_name, count(*), sum(coalesce(deaths, 0)),"
        " sum(coalesce(grade_stated, grade_computed) IN ('较大', '重大', '特别重大'))"
        " FROM accidents WHERE year IS NOT NULL GROUP BY year, city_code, city_name"
        " ORDER BY year, city_code",
    ),
}
VIEWS = {
    "blacklist_in_force": "SELECT * FROM blacklist WHERE in_force = 1",
    "rectification_overdue": "SELECT * FROM accidents WHERE rect_status = 'overdue'",
}
FACET_COUNTS = "facet_counts"


def add_summaries(dst: sqlite3.Connection) -> None:
    """Tables summed up from the public records once per build, so that canned queries at
    national size read a few thousand rows instead of grouping every accident per request."""
    for table, (ddl, fill) in SUMMARIES.items():
        dst.execute(f"CREATE TABLE {table} ({ddl})")
        dst.execute(f"INSERT INTO {table} {fill}")
    _add_facet_counts(dst)


def _add_facet_counts(dst: sqlite3.Connection) -> None:
    """facet_counts: for each table with `facet_counts: true` in etl/schema.yaml, the number of
    rows per value of each text facet column (facet_column ''), and per value of each other facet
    column within it. Datasette's facet over one facet filter
    (`/public/enterprises?industry=工贸&_facet=city_code`) and that page's count read every
    matching index entry, hundreds of thousands for the largest industries at national size;
    publish/datasette/plugins/facet_counts.py answers those two queries from here. Only
    columns of TEXT affinity are filters here: Datasette compares the filter value as text, which
    matches a TEXT column's values exactly (an INTEGER column would convert it first)."""
    dst.execute(
        f"CREATE TABLE {FACET_COUNTS} (table_name TEXT NOT NULL, filter_column TEXT NOT NULL,"
        " filter_value TEXT NOT NULL, facet_column TEXT NOT NULL, value, count INTEGER NOT NULL)"
    )
    for table, spec in schema.load()["tables"].items():
        if not spec.get("facet_counts"):
            continue
        types = {r[1]: (r[2] or "").upper() for r in dst.execute(f"PRAGMA table_info({table})")}
        facets = [f for f in spec.get("facets") or [] if f in types]
        for column in facets:
            if not any(word in types[column] for word in ("CHAR", "CLOB", "TEXT")):
                continue
            dst.execute(
                f"INSERT INTO {FACET_COUNTS} SELECT ?, ?, {column}, '', NULL, count(*)"
                f" FROM {table} WHERE {column} IS NOT NULL GROUP BY {column}",
                (table, column),
            )
            for other in facets:
                if other != column:
                    dst.execute(
                        f"INSERT INTO {FACET_COUNTS} SELECT ?, ?, {column}, ?, {other}, count(*)"
                        f" FROM {table} WHERE {column} IS NOT NULL AND {other} IS NOT NULL"
                        f" GROUP BY {column}, {other}",
                        (table, column, other),
                    )
    dst.execute(
        f"CREATE INDEX idx_{FACET_COUNTS} ON {FACET_COUNTS}"
        " (table_name, filter_column, facet_column, filter_value, count DESC, value)"
    )


def add_views_and_indexes(dst: sqlite3.Connection, tables: Iterable[str]) -> None:
    """Views, and the indexes Datasette and the canned queries need on `tables` and the
    summaries: the default sort (with the primary key, the order Datasette pages by), each facet
    column followed by that order, each pair of facet columns followed by that order
    (`facet_pairs`; then each facet index also carries the other facet columns, _with_facets),
    each link column, and the table's `indexes` in etl/schema.yaml."""
    for name, sql in VIEWS.items():
        dst.execute(f"CREATE VIEW {name} AS {sql}")
    specs = schema.load()["tables"]
    for table in tuple(tables) + tuple(SUMMARIES):
        spec = specs[table]
        present = {r[1] for r in dst.execute(f"PRAGMA table_info({table})")}
        pk = [r[1] for r in sorted(dst.execute(f"PRAGMA table_info({table})"), key=lambda r: r[5]) if r[5]]
        links = {r[3] for r in dst.execute(f"PRAGMA foreign_key_list({table})")}
        order = _default_order(spec, pk)
        facets = spec.get("facets") or []
        wanted = [_sort_index(spec, pk)] + [_facet_index(f, order) for f in facets]
        if spec.get("facet_pairs"):
            wanted += [_facet_index(f"{a}, {b}", order) for a, b in itertools.combinations(facets, 2)]
            wanted = wanted[:1] + [_with_facets(c, facets) for c in wanted[1:]]
        wanted += sorted(links - set(pk))
        wanted = list(dict.fromkeys(c for c in wanted + list(spec.get("indexes") or []) if c))
        # a one-column index is left out when a longer one starts with that column
        leading = {c.split(",")[0].split()[0] for c in wanted if "," in c}
        wanted = [c for c in wanted if "," in c or c.split()[0] not in leading]
        for number, columns in enumerate(wanted):
            first = columns.split(",")[0].split()[0]
            if first in present or "(" in first:
                simple = columns.replace(", ", "_").replace(" ", "_")
                name = f"idx_{table}_{simple}" if simple.isidentifier() else f"idx_{table}_x{number}"
                dst.execute(f"CREATE INDEX {name} ON {table} ({columns})")


def _facet_index(column: str, order: str | None) -> str:
    """A facet column's index, followed by the default order: a page filtered on the facet
    (`?city_code=620100`, what a click on a facet value opens) reads its rows in order from the
    index and stops, its count and a second facet over it read the index alone. Without the
    order, SQLite sorts every matching row."""
    if not order or order.split(",")[0].split()[0] == column:
        return column
    return f"{column}, {order}"


def _with_facets(columns: str, facets: list[str]) -> str:
    """A facet index of a `facet_pairs` table, followed by the facet columns it does not hold:
    a facet over one or two facet filters (`?year=2021&accident_type=物体打击&_facet=city_name`)
    then groups from the index alone. Without them SQLite reads each matching accident's row to
    get its 市州, past its report text (the facet columns are the table's last)."""
    held = {c.split()[0] for c in columns.split(", ")}
    return ", ".join([columns] + [f for f in facets if f not in held])


def _default_order(spec: dict, pk: list[str]) -> str | None:
    """Datasette's default order of a table: `<sort> [desc], <pk>` (the pk alone when it is the
    sort column), or None without a sort."""
    column = spec.get("sort_desc") or spec.get("sort")
    if not column:
        return None
    direction = " DESC" if spec.get("sort_desc") else ""
    return ", ".join([column + direction] + [p for p in pk if p != column])


def _sort_index(spec: dict, pk: list[str]) -> str | None:
    """The index that serves Datasette's default order: `order by <sort> [desc], <pk>`."""
    column = spec.get("sort_desc") or spec.get("sort")
    if not column or [column] == pk:
        return None
    return _default_order(spec, pk)
