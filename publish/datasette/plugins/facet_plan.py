"""A facet over two or more filters reads the rows those filters select, then groups them.

For `/public/accidents?year=2020&accident_type=物体打击&_facet=city_name` Datasette 0.65.5
(datasette/facets.py) runs, for each facet column C,
    select C as value, count(*) as count from (select … from accidents
      where "accident_type" = :p0 and "year" = :p1) where C is not null
      group by C order by count desc, value limit 21
SQLite's planner prefers an index that hands it the rows in C order, so that GROUP BY needs no
sort: the facet_pairs index (C, accident_type, …) scanned once per value of C (a skip-scan), or
(year, C, …) with accident_type tested on every row of the year. Both read many more rows than
the pair index (year, accident_type, …) that etl/public.py builds for exactly these filters. At
national size that cost 0.9-1.1 ms per facet against 0.13-0.45 ms from the pair index (a third of
a distinct facet page's SQL; docs/scaling.md, "Datasette").

Grouping by `+C` instead of `C` gives the same groups (unary + returns its operand unchanged and
keeps the column's collation, https://www.sqlite.org/datatype3.html#collation), but no index
order can serve it, so the planner picks the index that reads the fewest rows. The rewrite is
made only where it paid in that measurement:
- the inner query is Datasette's filter SQL with two or more `"col" = :pN` terms joined by
  `and`, and nothing else (no search, no other operator);
- C is none of the filtered columns (on a filtered column every row has the same value: the
  planner's plan reads the filter's index and is the better one).
Everything else is left to Datasette. tests/test_datasette_scale.py compares the facets with
and without it; DISCLOSURE_FACET_PLAN=0 turns it off.
"""

from __future__ import annotations

import os
import re

from datasette import hookimpl

_FACET = re.compile(
    r"(select (\w+) as value, count\(\*\) as count from \( select [\w, ]+ from \w+"
    r" where (.+) \) where \2 is not null group by )\2( order by count desc, value"
    r" limit \d+)"
)
_EQUALS = re.compile(r'"(\w+)" = :p\d+')


@hookimpl
def startup(datasette):
    if os.environ.get("DISCLOSURE_FACET_PLAN", "1") == "0":
        return
    for database in datasette.databases.values():
        if not (database.is_mutable or database.is_memory):
            database.execute = _planned(database.execute)


def rewrite(sql: str) -> str | None:
    """`sql` grouping by +C, when it is a facet over two or more equality filters on other
    columns than C; else None."""
    if "group by" not in sql:
        return None
    found = _FACET.fullmatch(" ".join(sql.split()))
    if not found:
        return None
    head, column, where, tail = found.groups()
    filtered = [_EQUALS.fullmatch(term) for term in where.split(" and ")]
    if len(filtered) < 2 or not all(filtered) or column in {f.group(1) for f in filtered}:
        return None
    return f"{head}+{column}{tail}"


def _planned(execute):
    async def planned_execute(sql, params=None, *args, **kwargs):
        if isinstance(sql, str):
            sql = rewrite(sql) or sql
        return await execute(sql, params, *args, **kwargs)

    return planned_execute
