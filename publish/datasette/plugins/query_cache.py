"""Result cache for the immutable public database.

Datasette serves public.db with `-i` (immutable): while the process runs, the same SQL with the
same parameters always returns the same rows. At national size the costly queries of a page
(a facet over 1.4 million enterprises, the count of a common search term, a canned query) are
the same for every visitor of that page, so this plugin keeps the result of each query that
took at least DISCLOSURE_QUERY_CACHE_MIN_MS (default 15 ms) and returned at most
`max_returned_rows` + 1 rows, in a bounded LRU (DISCLOSURE_QUERY_CACHE_ENTRIES, default 2,000
results; a result is at most ~1,000 short rows). A new release starts a new process, so a cache
never outlives its database. DISCLOSURE_QUERY_CACHE=0 turns it off.

The first request for a page still pays the full cost: `make bench` reports that figure
(first_ms) next to the p95 under load (docs/scaling.md). Queries that fail or are interrupted
by the time limit are not cached. Mutable databases (none in production) are never cached.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict

from datasette import hookimpl
from datasette.database import Results


def _setting(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@hookimpl
def startup(datasette):
    if os.environ.get("DISCLOSURE_QUERY_CACHE", "1") == "0":
        return
    min_ms = _setting("DISCLOSURE_QUERY_CACHE_MIN_MS", 15)
    entries = _setting("DISCLOSURE_QUERY_CACHE_ENTRIES", 2000)
    budget = _setting("DISCLOSURE_QUERY_CACHE_MB", 128) * 1024 * 1024
    for database in datasette.databases.values():
        if not database.is_mutable and not database.is_memory:
            database.execute = _cached(
                database.execute, datasette.max_returned_rows + 1, min_ms, entries, budget
            )


def _size(results) -> int:
    """Roughly the bytes a result holds: its text and blob values (numbers count 8)."""
    return sum(len(v) if isinstance(v, (str, bytes)) else 8 for row in results.rows for v in row)


def _cached(execute, max_rows: int, min_ms: int, entries: int, budget: int = 128 * 1024 * 1024):
    """The results kept are bounded by count and by bytes (a journalist's query can return
    megabytes per row): one result over an eighth of the budget is never kept, and the least
    recently used go until the rest fit."""
    cache: OrderedDict = OrderedDict()
    sizes: dict = {}  # key -> _size of its result
    held = [0]  # the sum of sizes

    async def cached_execute(
        sql, params=None, truncate=False, custom_time_limit=None, page_size=None, log_sql_errors=True
    ):
        key = _key(sql, params, truncate, page_size)
        if key is not None and key in cache:
            cache.move_to_end(key)
            hit = cache[key]
            return Results(list(hit.rows), hit.truncated, hit.description)
        started = time.perf_counter()
        results = await execute(
            sql,
            params,
            truncate=truncate,
            custom_time_limit=custom_time_limit,
            page_size=page_size,
            log_sql_errors=log_sql_errors,
        )
        took_ms = (time.perf_counter() - started) * 1000
        if key is not None and took_ms >= min_ms and len(results.rows) <= max_rows:
            size = _size(results)
            if size <= budget // 8:
                held[0] += size - sizes.get(key, 0)  # another request may have kept it meanwhile
                cache[key], sizes[key] = results, size
                cache.move_to_end(key)
                while len(cache) > entries or held[0] > budget:
                    old, _ = cache.popitem(last=False)
                    held[0] -= sizes.pop(old)
        return results

    cached_execute.cache = cache  # for tests and debugging
    return cached_execute


def _key(sql, params, truncate, page_size):
    if isinstance(params, dict):
        frozen = tuple(sorted(params.items()))
    elif params is None:
        frozen = ()
    else:
        frozen = tuple(params)
    key = (sql, frozen, bool(truncate), page_size)
    try:
        hash(key)
    except TypeError:  # a parameter value that cannot be a key: run the query every time
        return None
    return key
