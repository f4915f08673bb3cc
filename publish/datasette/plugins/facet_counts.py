"""A facet over one facet filter on a large table is read from precomputed counts.

`/public/enterprises?industry=工贸&_facet=city_code` makes Datasette 0.65 run
    select count(*) from enterprises where "industry" = :p0
    select city_code as value, count(*) as count from (select … from enterprises
      where "industry" = :p0) where city_code is not null
      group by city_code order by count desc, value limit 21
(datasette/views/table.py, datasette/facets.py). Both read every index entry of the industry:
100,000–300,000 for the largest at national size, 15–43 ms each, the tail of the distinct facet
pages (docs/scaling.md). public.db has those numbers already: `facet_counts` (etl/public.py
`_add_facet_counts`, for the tables with `facet_counts: true` in etl/schema.yaml) holds the rows
per value of each text facet column, and per value of each other facet column within it.

This plugin answers exactly those two query shapes from it, when the filter is that single
equality on a counted column and the facet is one of the counted columns:
- the facet: `select value, count from facet_counts where … and filter_value = :p0 order by
  count desc, value limit N`: the same rows in the same order (the counts were grouped from the
  same column; `value` keeps its type);
- the count: the total stored for that filter value, or 0.
Any other query (two filters, another operator, a search, a facet of another kind) is left to
Datasette. The equality is exact because the filter columns are TEXT: Datasette binds the value
as text and a TEXT column compares it as it is (tests/test_datasette_scale.py compares every
page with and without this plugin). The immutable database only, and only when it has
`facet_counts`; DISCLOSURE_FACET_COUNTS=0 turns it off.
"""

from __future__ import annotations

import os
import re

from datasette import hookimpl

TABLE = "facet_counts"
_FACET = re.compile(
    r"select (\w+) as value, count\(\*\) as count from \( select [\w, ]+ from (\w+)"
    r' where "(\w+)" = :p0 \) where \1 is not null group by \1'
    r" order by count desc, value limit (\d+)"
)
_COUNT = re.compile(r'select count\(\*\) from (\w+) where "(\w+)" = :p0')


@hookimpl
def startup(datasette):
    if os.environ.get("DISCLOSURE_FACET_COUNTS", "1") == "0":
        return

    async def inner():
        for database in datasette.databases.values():
            if database.is_mutable or database.is_memory or TABLE not in await database.table_names():
                continue
            rows = await database.execute(
                f"select distinct table_name, filter_column, facet_column from {TABLE}"
            )
            counted = {(r[0], r[1], r[2]) for r in rows}
            database.execute = _counted(database.execute, counted)

    return inner


def rewrite(sql: str, params, counted: set) -> str | None:
    """The query on facet_counts that answers `sql`, or None."""
    if not isinstance(params, dict) or set(params) != {"p0"} or not isinstance(params["p0"], str):
        return None
    text = " ".join(sql.split())
    found = _FACET.fullmatch(text)
    if found:
        column, table, filtered, limit = found.groups()
        if column == filtered and (table, filtered, "") in counted:
            return f"select filter_value as value, count {_rows_of(table, filtered, '')} limit {limit}"
        if (table, filtered, column) in counted:
            return (
                f"select value, count {_rows_of(table, filtered, column)}"
                f" order by count desc, value limit {limit}"
            )
        return None
    found = _COUNT.fullmatch(text)
    if found and (found.group(1), found.group(2), "") in counted:
        return f"select coalesce((select count {_rows_of(*found.groups(), '')}), 0)"
    return None


def _rows_of(table: str, filtered: str, facet: str) -> str:
    """FROM … WHERE of the stored counts of `table` filtered on `filtered` = :p0, per value of
    `facet` ('' = the total). The names matched \\w+ in Datasette's SQL: nothing to quote."""
    return (
        f"from {TABLE} where table_name = '{table}' and filter_column = '{filtered}'"
        f" and facet_column = '{facet}' and filter_value = :p0"
    )


def _counted(execute, counted: set):
    async def counted_execute(sql, params=None, *args, **kwargs):
        if isinstance(sql, str) and ":p0" in sql:
            sql = rewrite(sql, params, counted) or sql
        return await execute(sql, params, *args, **kwargs)

    counted_execute.counted = counted  # for tests
    return counted_execute
