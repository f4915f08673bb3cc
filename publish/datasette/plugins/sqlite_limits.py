"""SQLite limits on every connection Datasette opens, so no single SQL function call can run long.

sql_time_limit_ms is enforced by SQLite's progress handler, which runs *between* virtual-machine
instructions; one function call is one instruction, so a query like
`select length(zeroblob(1000000000))`, `randomblob(500000000)` or nested `replace(…)` doubling a
string ran (and allocated) for as long as it liked: up to SQLite's default limit of 1 GB per
value. Here every connection (Datasette's SQL threads, the event-loop connection of
inline_sql.py, the `_internal` database) gets:

* SQLITE_LIMIT_LENGTH 10,000,000 bytes: the largest string or blob any expression may build. The
  longest value in the public database is a report's body text (6.7 kB in the samples; a long
  real investigation report is 100-300 kB of UTF-8); building 10 MB takes ≤ 40 ms. Past it
  SQLite stops at once with "string or blob too big" (a Chinese 400 page, error_pages.py).
* SQLITE_LIMIT_SQL_LENGTH 100,000 bytes: the longest generated or canned query is ~2 kB; a URL
  `?sql=` is bounded by the proxy far below this anyway.
* SQLITE_LIMIT_EXPR_DEPTH 100 (default 1,000): deep nesting only serves to build huge values.
* SQLITE_LIMIT_FUNCTION_ARG 32 (default 127): the queries use at most a handful.
* SQLITE_LIMIT_COMPOUND_SELECT 50, SQLITE_LIMIT_LIKE_PATTERN_LENGTH 1,000 bytes.

One built-in ignores the length limit: in SQLite 3.40 (Debian 12, Python's sqlite3 here)
`printf('%.*c', N, 'x')` keeps looping N times after the value overflowed and returns NULL
(10^8: 0.35 s, 10^9: 3.8 s, all inside one instruction). So `printf` and `format` are replaced
by a function that refuses a width or precision above the length limit and otherwise hands the
call, unchanged, to SQLite's own printf on a separate in-memory connection (same results).
"""

import re
import sqlite3
import threading

from datasette import hookimpl

MAX_LENGTH = 10_000_000
LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_LENGTH,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 32,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 50,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,
}

# one conversion of SQLite's printf: flags, width, precision, length modifiers, conversion
SPEC = re.compile(r"%([-+ 0#,!]*)(\*|\d+)?(?:\.(\*|\d+))?(l{0,2})(.)", re.S)
_side = threading.local()  # per thread: an in-memory connection with SQLite's own printf


def apply_limits(conn) -> None:
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)


def _sizes(fmt: str, args) -> list[int]:
    """The widths and precisions `fmt` asks for (a `*` takes the next argument)."""
    sizes, arg = [], 0
    for match in SPEC.finditer(fmt):
        if match.group(5) == "%" and not any(match.group(i) for i in (1, 2, 3, 4)):
            continue
        for part in (match.group(2), match.group(3)):
            if part == "*":
                try:
                    sizes.append(abs(int(args[arg])) if arg < len(args) else 0)
                except (TypeError, ValueError):
                    pass
                arg += 1
            elif part:
                sizes.append(int(part))
        if match.group(5) != "%":
            arg += 1
    return sizes


def bounded_printf(fmt=None, *args):
    if fmt is None:
        return None
    fmt = fmt if isinstance(fmt, str) else str(fmt)
    if any(size > MAX_LENGTH for size in _sizes(fmt, args)):
        # an exception here would reach the user as "user-defined function raised exception";
        # a value over the limit makes SQLite itself stop with its "string or blob too big"
        # (checked before copying; bytes() of this size is one lazily zeroed allocation)
        return bytes(MAX_LENGTH + 1)
    conn = getattr(_side, "conn", None)
    if conn is None:
        conn = _side.conn = sqlite3.connect(":memory:", check_same_thread=False)
        apply_limits(conn)
    marks = ", ".join("?" * (len(args) + 1))
    return conn.execute(f"select printf({marks})", (fmt, *args)).fetchone()[0]


@hookimpl
def prepare_connection(conn, database, datasette):
    apply_limits(conn)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)
