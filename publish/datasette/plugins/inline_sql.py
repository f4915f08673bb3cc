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

User SQL gets a pool of its own. A request that carries a visitor's SQL (`?sql=`, `_where=`) or
a canned query with parameters is marked (an `asgi_wrapper` sets a context variable, which the
request's queries see). Its queries still start inline within the budget (a quick question is
answered at once), but with the time limit checked after every SQLite instruction instead of
every 1,000: one instruction can be a 40-70 ms function call (a 9 MB `printf`), and 30 of them
fit between two checks (2.1 s of a stopped process, measured by `make bench`). Past the budget such a query goes to a small
pool of its own (DISCLOSURE_USER_SQL_THREADS, default 1 per process), never to Datasette's
pool, so hostile SQL can take neither the loop nor every SQL thread from table, row and search
pages (their slow queries keep Datasette's `num_sql_threads`). On the user path:
* DISCLOSURE_USER_SQL_NICE (default 0: off) lowers the pool threads' CPU priority. Measured
  with 10, pages stalled up to 1.5 s (max 1,524 ms against 141 ms with 0; the p95 was still
  lower): a niced thread holding the GIL waits for a core behind the other processes' threads
  while the loop waits for the GIL;
* the time limit is DISCLOSURE_USER_SQL_TIME_LIMIT_MS if lower than sql_time_limit_ms;
* the connections (the pool's and a second inline one) have tighter SQLite limits
  (USER_LIMITS: 500 kB a value, 100 columns) and a result budget (DISCLOSURE_USER_SQL_RESULT_MB,
  default 16 MB of values per query): past it the query stops with a Chinese error, so
  `select zeroblob(…) from accidents` or 40 columns of 10 MB blobs cannot fill memory.
Setting DISCLOSURE_USER_SQL_THREADS=0 turns this off (user SQL runs like any other query).
"""

import asyncio
import contextvars
import os
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import parse_qsl

import datasette.database as database_module
from datasette import hookimpl
from datasette.database import Database, QueryInterrupted

# Datasette's functions, also when this file is loaded again (one module per Datasette object)
# (not __wrapped__: contextmanager sets that to the bare generator function)
DATASETTE_EXECUTE_FN = getattr(Database.execute_fn, "datasette_original", Database.execute_fn)
DATASETTE_TIMELIMIT = getattr(
    database_module.sqlite_timelimit, "datasette_original", database_module.sqlite_timelimit
)
# The name of the query function Database.execute passes to execute_fn in Datasette 0.65.5
QUERY_FUNCTION = "sql_operation_in_thread"
DEFAULT_BUDGET_MS = 20

_inline = threading.local()  # deadline: the budget's end while a query runs inline; expired
_user = threading.local()  # in a user-SQL thread: active, bytes (of the running query's rows)

# "sql" (a visitor's SQL: ?sql=, _where=) or "canned" (a canned query with parameters) while a
# request carrying user SQL is served; None otherwise
# (one variable for every load of this file: Datasette registers the hooks of the first load and
# each load installs its own execute_fn, which must see what the registered wrapper set)
USER_SQL = getattr(Database.execute_fn, "user_sql", None) or contextvars.ContextVar(
    "disclosure_user_sql", default=None
)
# tighter limits on the user pool's connections (sqlite_limits.py sets the others): the longest
# stored value (a report body) is 6.7 kB in the samples, 100-300 kB for a long real report;
# `select *` over accidents and enterprises is 66 columns
USER_LIMITS = {sqlite3.SQLITE_LIMIT_LENGTH: 500_000, sqlite3.SQLITE_LIMIT_COLUMN: 100}
_pools: dict = {}  # (threads, nice) -> ThreadPoolExecutor, one per process


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


def user_threads() -> int:
    return max(0, _env_int("DISCLOSURE_USER_SQL_THREADS", 1))


def user_result_bytes() -> int:
    return max(1, _env_int("DISCLOSURE_USER_SQL_RESULT_MB", 16)) * 1_000_000


def budget_ms() -> int:
    try:
        return max(0, int(os.environ.get("DISCLOSURE_SQL_INLINE_MS", DEFAULT_BUDGET_MS)))
    except ValueError:
        return DEFAULT_BUDGET_MS


@contextmanager
def sqlite_timelimit(conn, ms):
    """Datasette's time limit; inline, the budget too, whichever ends first; on the user pool,
    DISCLOSURE_USER_SQL_TIME_LIMIT_MS if lower."""
    if getattr(_user, "active", False):
        ms = min(ms, _env_int("DISCLOSURE_USER_SQL_TIME_LIMIT_MS", ms) or ms)
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

    # every 1,000 SQLite instructions (~0.1 ms), as Datasette checks its own limit; for user SQL
    # after every instruction, since one can be a 35 ms function call
    every = 1 if ms <= 20 or getattr(_user, "active", False) else 1000
    conn.set_progress_handler(handler, every)
    try:
        yield
    finally:
        conn.set_progress_handler(None, 1000)


async def execute_fn(self, fn):
    """Database.execute_fn: a query inline within the budget, else as Datasette runs it; user
    SQL on the user pool."""
    budget = budget_ms()
    if (
        self.ds.executor is None
        or self.is_mutable
        or self.is_memory
        or getattr(fn, "__name__", "") != QUERY_FUNCTION
    ):
        return await DATASETTE_EXECUTE_FN(self, fn)
    user = USER_SQL.get() if user_threads() else None
    if not budget:
        return await (_on_user_pool(self, fn) if user else DATASETTE_EXECUTE_FN(self, fn))
    name = "_disclosure_inline_user_connection" if user else "_disclosure_inline_connection"
    conn = self.__dict__.get(name)
    if conn is None:
        conn = self.connect()
        self.ds._prepare_connection(conn, self.name)
        if user:
            _user_connection(conn)
        setattr(self, name, conn)
    counts = self.__dict__.setdefault("_disclosure_inline_counts", {"inline": 0, "moved": 0})
    _inline.deadline, _inline.expired = time.perf_counter() + budget / 1000, False
    _user.active, _user.bytes = bool(user), 0
    try:
        result = fn(conn)
        counts["inline"] += 1
        return result
    except QueryInterrupted:
        if not _inline.expired:
            raise  # Datasette's own limit (e.g. ?_timelimit= below the budget)
    finally:
        _inline.deadline, _user.active = None, False
    counts["moved"] += 1  # out of budget: from the start in the pool
    if user:
        return await _on_user_pool(self, fn)
    return await DATASETTE_EXECUTE_FN(self, fn)


# ------------------------------------------------------------------ user SQL


def _pool() -> ThreadPoolExecutor:
    key = (user_threads(), _env_int("DISCLOSURE_USER_SQL_NICE", 0))
    pool = _pools.get(key)
    if pool is None:
        pool = _pools[key] = ThreadPoolExecutor(
            max_workers=key[0], thread_name_prefix="user-sql", initializer=_lower_priority, initargs=(key[1],)
        )
    return pool


def _lower_priority(nice: int) -> None:
    """Linux: setpriority on a thread id changes that thread only."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), max(0, min(19, nice)))
    except (AttributeError, OSError):
        pass


def _counting_row(cursor, row):
    """Row factory of the user pool's connections: sqlite3.Row, counting the values' bytes."""
    size = 8 * len(row)
    for value in row:
        if isinstance(value, (str, bytes)):
            size += len(value)
    _user.bytes = getattr(_user, "bytes", 0) + size
    if _user.bytes > user_result_bytes():
        raise sqlite3.DataError(
            f"查询结果超过 {user_result_bytes() // 1_000_000} MB 的上限，已被停止"
            f"（result too big）。请减少行或列，或下载数据库在本地分析。"
        )
    return sqlite3.Row(cursor, row)


def _user_connection(conn):
    """The user-SQL limits and result budget on a prepared connection; `printf`/`format`
    refuse a width or precision above this connection's length limit before building it (else
    `printf('%.*c', 9000000, 'x')` spends ~40 ms of one instruction before it is too big)."""
    for limit, value in USER_LIMITS.items():
        conn.setlimit(limit, min(value, conn.getlimit(limit)))
    conn.row_factory = _counting_row
    from datasette.plugins import pm

    limits = pm.get_plugin("sqlite_limits.py")
    if limits is not None and hasattr(limits, "_sizes"):
        most = conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)

        def user_printf(fmt=None, *args):
            if fmt is not None and any(size > most for size in limits._sizes(str(fmt), args)):
                return bytes(most + 1)  # SQLite stops with "string or blob too big"
            return limits.bounded_printf(fmt, *args)

        for name in ("printf", "format"):
            conn.create_function(name, -1, user_printf, deterministic=True)
    conn.create_function(
        "zeroblob", 1, _eager_zeroblob(conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)), deterministic=True
    )
    return conn


def _eager_zeroblob(most: int):
    """SQLite's zeroblob(N) is lazy: the N bytes are only written when the row is handed to
    Python, between two checks of the time limit (99 columns of 1 MB: ~100 MB at once, also on
    the loop). This one writes them in the instruction that calls it."""

    def zeroblob(n):
        try:
            n = int(n)
        except (TypeError, ValueError):
            n = 0
        return bytes(most + 1) if n > most else bytes(max(0, n))

    return zeroblob


async def _on_user_pool(db, fn):
    def run():
        connections = getattr(_user, "connections", None)
        if connections is None:
            connections = _user.connections = {}
        conn = connections.get(db.name)
        if conn is None:
            conn = connections[db.name] = db.connect()
            db.ds._prepare_connection(conn, db.name)
            _user_connection(conn)
        _user.active, _user.bytes = True, 0
        try:
            return fn(conn)
        finally:
            _user.active = False

    counts = db.__dict__.setdefault("_disclosure_inline_counts", {"inline": 0, "moved": 0})
    counts["user"] = counts.get("user", 0) + 1
    return await asyncio.get_running_loop().run_in_executor(_pool(), run)


def _user_sql_kind(datasette, scope) -> str | None:
    """ "sql" for a request with a visitor's SQL, "canned" for a canned query with parameters."""
    args = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    if any(name in ("sql", "_where") for name, _ in args):
        return "sql"
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) == 2 and any(not name.startswith("_") for name, _ in args):
        name = parts[1].rsplit(".", 1)[0]
        if name in (datasette.metadata("queries", database=parts[0], fallback=False) or {}):
            return "canned"
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def marked(scope, receive, send):
            kind = _user_sql_kind(datasette, scope) if scope.get("type") == "http" else None
            if kind is None:
                return await app(scope, receive, send)
            token = USER_SQL.set(kind)
            try:
                return await app(scope, receive, send)
            finally:
                USER_SQL.reset(token)

        return marked

    return wrap


execute_fn.datasette_original = DATASETTE_EXECUTE_FN
execute_fn.user_sql = USER_SQL
sqlite_timelimit.datasette_original = DATASETTE_TIMELIMIT
Database.execute_fn = execute_fn
database_module.sqlite_timelimit = sqlite_timelimit
