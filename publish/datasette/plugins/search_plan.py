"""A common search term is listed by walking the sort index, not by sorting every match.

Datasette 0.65 lists a table's search results with
    select … from T where rowid in (select rowid from T_fts where T_fts match escape_fts(:search))
    order by <the table's sort> limit 51
(datasette/filters.py). SQLite always answers that by looking up every matching row and sorting
them all: it cannot know how many rows a MATCH returns. For a common term that is most of the
page's time: 责任 matches 122,970 of the national 1.36 million enterprises, and the page's rows
took 120–300 ms of SQL. Walking the sort index (the public database has one for every default
order, etl/public.py) and keeping the rows that match stops after 51 of them: 17 ms. For a rare
term the walk would read the whole index (126 ms for no match), so the choice depends on the
number of matches, which FTS5 counts from its index in a few milliseconds.

This plugin writes the rowid test as `+rowid in (…)` when the term matches more than
SCAN_FACTOR × √(rows in the table) rows: with ~0.1 µs per index entry walked and ~1.5 µs per row
looked up and sorted, the walk (51 × rows ÷ matches entries on average) is then the cheaper.
Unary plus changes no value, so the rows are the same; SQLite just stops using the IN list to
find them. Rows that tie on the sort column come in the index's order (by key), the order
Datasette's next-page links assume. And only when SQLite's plan for the rewritten query
walks an index in the page's order (no temporary B-tree, no scan of the table itself): a sort on
a column without an index (?_sort=deaths) keeps Datasette's query. Grouped queries (facets) are
left as they are: they read every matching row either way.

The page's count of a search alone, `select count(*) from T where rowid in (select rowid from
T_fts where T_fts match …)`, becomes `select count(*) from T_fts where T_fts match …`: FTS5
counts from its index (6 ms for 122,970 matches, where looking up each row took 130–220 ms).
The two are equal because every row of a public.db FTS table is a row of its table, with the
same rowid (etl/public.py builds them together; tests/test_datasette_scale.py checks it). When
the page's rows query has just counted the same term (to choose its plan), that number is the answer and FTS5
does not evaluate the term again (a phrase of common bigrams costs 30–60 ms each time). A count
with any other filter is left to Datasette. Any error in these checks leaves the query as it was.
The immutable database only; DISCLOSURE_SEARCH_PLAN=0 turns it off;
DISCLOSURE_SEARCH_PLAN_MIN_MATCHES (default 1,000) is the fewest matches for the walk (the tests
set 0 to rewrite on the small sample database). docs/scaling.md, "Datasette at national size".
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict

from datasette import hookimpl
from datasette.database import Results

SCAN_FACTOR = 4
MIN_MATCHES = 1000
_MATCHES_KEPT = 4096
# The clause Datasette writes for ?_search= (fts_pk rowid, as metadata.yml sets for every table)
_CLAUSE = re.compile(
    r"(?<![+\w])rowid in \(select rowid from (\w+) where \1 match " r"(escape_fts\(:search\)|:search)\)"
)
_TABLE = re.compile(r"\bfrom (\w+|\[[^\]]+\]) where ", re.IGNORECASE)
_COUNT = re.compile(
    r"select count\(\*\) from (\w+) where rowid in \(select rowid from (\w+) "
    r"where \2 match (escape_fts\(:search\)|:search)\)\s*"
)


@hookimpl
def startup(datasette):
    if os.environ.get("DISCLOSURE_SEARCH_PLAN", "1") == "0":
        return
    try:
        fewest = int(os.environ.get("DISCLOSURE_SEARCH_PLAN_MIN_MATCHES", MIN_MATCHES))
    except ValueError:
        fewest = MIN_MATCHES
    for database in datasette.databases.values():
        if not database.is_mutable and not database.is_memory:
            database.execute = _planned(database.execute, fewest)


def fts_count(fts: str, clause: str) -> str:
    """The number of rows of the FTS table `fts` matching `clause` (escape_fts(:search) or
    :search), counted by FTS5 from its index."""
    return f"select count(*) from {fts} where {fts} match {clause}"


def count_of_search(sql: str) -> str:
    """The FTS table's own count for Datasette's count of a search with no other filter."""
    found = _COUNT.fullmatch(sql)
    if not found or found.group(2) != f"{found.group(1)}_fts":
        return sql
    return fts_count(found.group(2), found.group(3))


def rewrite(sql: str, matches: int, rows: int, fewest: int = MIN_MATCHES) -> str:
    """`sql` with the search clause as `+rowid in (…)` when `matches` of `rows` is common
    enough for walking the sort index to be cheaper."""
    if matches < fewest or matches * matches <= SCAN_FACTOR * SCAN_FACTOR * rows:
        return sql
    return _CLAUSE.sub(lambda m: "+" + m.group(0), sql, count=1)


def listing(sql: str) -> bool:
    """A list of rows (ORDER BY … LIMIT), not a count or a facet's GROUP BY."""
    lower = sql.lower()
    return " order by " in lower and " limit " in lower and " group by " not in lower


def walks_an_index(plan: list[str]) -> bool:
    """EXPLAIN QUERY PLAN details: the rows come in order from an index (or the FTS table and
    the IN list), never from a scan of the table itself or a temporary sort."""
    return not any(
        "TEMP B-TREE" in d or (d.startswith("SCAN ") and "INDEX" not in d and "VIRTUAL TABLE" not in d)
        for d in plan
    )


def _planned(execute, fewest: int):
    counts: OrderedDict = OrderedDict()  # (fts table, match clause, term) -> matches
    sizes: dict[str, int] = {}  # table -> max(rowid)
    walks: dict[str, bool] = {}  # rewritten SQL -> its plan walks an index (terms are parameters)

    async def plan_of(sql: str, params: dict, found, table) -> str:
        fts, clause, term = found.group(1), found.group(2), params["search"]
        key = (fts, clause, term)
        if key not in counts:
            counts[key] = (await execute(fts_count(fts, clause), {"search": term})).first()[0]
            if len(counts) > _MATCHES_KEPT:
                counts.popitem(last=False)
        name = table.group(1)
        if name not in sizes:
            sizes[name] = (await execute(f"select max(rowid) from {name}")).first()[0] or 0
        rewritten = rewrite(sql, counts[key], sizes[name], fewest)
        if rewritten != sql and rewritten not in walks:
            plan = await execute("explain query plan " + rewritten, params)
            if len(walks) >= _MATCHES_KEPT:  # one entry per query shape; bounded all the same
                walks.clear()
            walks[rewritten] = walks_an_index([row["detail"] for row in plan.rows])
        return rewritten if walks.get(rewritten) else sql

    async def planned_execute(sql, params=None, *args, **kwargs):
        found = _CLAUSE.search(sql) if isinstance(sql, str) and "match" in sql else None
        if found and sql.startswith("select count(*) "):
            counted = count_of_search(sql)
            key = (found.group(1), found.group(2), params.get("search") if isinstance(params, dict) else None)
            if counted != sql and key in counts:
                # the page's rows query (which Datasette runs first) already counted the term
                return Results([(counts[key],)], False, [("count(*)",) + (None,) * 6])
            return await execute(counted, params, *args, **kwargs)
        table = _TABLE.search(sql) if found else None
        if (
            found
            and table
            and isinstance(params, dict)
            and isinstance(params.get("search"), str)
            and listing(sql)
        ):
            try:
                sql = await plan_of(sql, params, found, table)
            except Exception:  # the query as Datasette wrote it reports its own error
                pass
        return await execute(sql, params, *args, **kwargs)

    planned_execute.counts = counts  # for tests
    planned_execute.walks = walks
    return planned_execute
