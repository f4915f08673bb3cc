"""Short queries on the event loop, long ones in Datasette's SQL threads.

Datasette 0.65.5 hands every query to its thread pool (`num_sql_threads`) and waits for the
result: a submit, a thread wake-up, a future and a callback back into the loop, for each of the
≈ 8 queries of a table page. With `num_sql_threads: 0` (every query on the loop) a distinct page
of the national-size database cost 7-15% less server CPU (table 10.5-10.8 → 9.4-10.1 ms, search
13.6-13.8 → 10.8-12.3, facet 15.2-15.4 → 13.4-14.1; docs/scaling.md, "Datasette"), but then one
slow query (an arbitrary `?sql=`, up to `sql_time_limit_ms`) would stop every other request of
its process for up to 1.5 s.

So each query Datasette runs through `Database.execute` on an immutable database is first run
here, on the loop's own connection, with a budget of DISCLOSURE_SQL_INLINE_MS (default 20 ms,
about what rendering one page holds the loop; 0 = off, every query to the pool as before).
Nearly every query of a table, row, facet or search page finishes inside it. One that does not
is interrupted by SQLite's progress handler and run again from the start in the pool, under
Datasette's own time limit, so nothing holds the loop longer than the budget and a slow query
still leaves the other requests served (tests/test_datasette.py). The results, errors and time
limits are Datasette's: the function run is Datasette's own `sql_operation_in_thread`; only its
time limit is shortened while it runs inline.

Other work Datasette hands the pool (schema introspection, writes, mutable databases) keeps
going there.
"""
import os
import threading
import time
from contextlib import contextmanager

import datasette.database as database_module
from datasette.database import Database, QueryInterrupted

# Datasette's functions, also when this file is loaded again (one module per Datasette object)
# (not __wrapped__: contextmanager sets that to the bare generator function)
DATASETTE_EXECUTE_FN = getattr(Database.execute_fn, "datasette_original", Database.execute_fn)
DATASETTE_TIMELIMIT = getattr(database_module.sqlite_timelimit, "datasette_original",
                              database_module.sqlite_timelimit)
# The name of the query function Database.execute passes to execute_fn in Datasette 0.65.5
QUERY_FUNCTION = "sql_operation_in_thread"
DEFAULT_BUDGET_MS = 20

_inline = threading.local()  # deadline: the budget's end while a query runs inline; expired


def budget_ms() -> int:
    try:
        return max(0, int(os.environ.get("DISCLOSURE_SQL_INLINE_MS", DEFAULT_BUDGET_MS)))
    except ValueError:
        return DEFAULT_BUDGET_MS


@contextmanager
def sqlite_timelimit(conn, ms):
    """Datasette's time limit; inline, the budget too, whichever ends first."""
    budget_end = getattr(_inline, "deadline", None)
    if budget_end is None:
        with DATASETTE_TIMELIMIT(conn, ms):
            yield
        return
    deadline = time.perf_counter() + ms / 1000

    def handler():
        now = time.perf_counter()
        if now >= deadline:
            return 1
        if now >= budget_end:
            _inline.expired = True
            return 1

    # every 1,000 SQLite instructions (~0.1 ms), as Datasette checks its own limit
    conn.set_progress_handler(handler, 1 if ms <= 20 else 1000)
    try:
        yield
    finally:
        conn.set_progress_handler(None, 1000)


async def execute_fn(self, fn):
    """Database.execute_fn: a query inline within the budget, else as Datasette runs it."""
    budget = budget_ms()
    if (not budget or self.ds.executor is None or self.is_mutable or self.is_memory
            or getattr(fn, "__name__", "") != QUERY_FUNCTION):
        return await DATASETTE_EXECUTE_FN(self, fn)
    conn = self.__dict__.get("_disclosure_inline_connection")
    if conn is None:
        conn = self.connect()
        self.ds._prepare_connection(conn, self.name)
        self._disclosure_inline_connection = conn
    counts = self.__dict__.setdefault("_disclosure_inline_counts", {"inline": 0, "moved": 0})
    _inline.deadline, _inline.expired = time.perf_counter() + budget / 1000, False
    try:
        result = fn(conn)
        counts["inline"] += 1
        return result
    except QueryInterrupted:
        if not _inline.expired:
            raise  # Datasette's own limit (e.g. ?_timelimit= below the budget)
    finally:
        _inline.deadline = None
    counts["moved"] += 1  # out of budget: from the start in the pool
    return await DATASETTE_EXECUTE_FN(self, fn)

execute_fn.datasette_original = DATASETTE_EXECUTE_FN
sqlite_timelimit.datasette_original = DATASETTE_TIMELIMIT
Database.execute_fn = execute_fn
database_module.sqlite_timelimit = sqlite_timelimit
