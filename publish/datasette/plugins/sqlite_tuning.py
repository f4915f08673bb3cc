"""Per-connection SQLite settings for serving the read-only public database.

Datasette opens public.db immutable (`-i`), so memory-mapped reads are safe (nothing writes the
file while it is served; a release swaps in a new file and a new process). A search on a common
term looks up tens of thousands of rows by rowid (the count and the page of results); with
mmap those lookups read the OS page cache directly instead of one pread() per page:
`?_search=爆炸` on the national-size accidents table went from 41 to 18 ms (count) and 66 to
29 ms (page) in one measurement (docs/scaling.md). SQLite caps mmap_size at its compile-time
maximum (2 GiB for Debian's and Python's builds): the first 2 GiB of the file are mapped and
the rest is read as usual.

DISCLOSURE_SQLITE_MMAP_MB (default 2048; 0 = off) and DISCLOSURE_SQLITE_CACHE_MB (default 64, per
connection) tune it.
"""

import os

from datasette import hookimpl


def _megabytes(name: str, default: int) -> int:
    try:
        return max(0, int(os.environ.get(name, default)))
    except ValueError:
        return default


@hookimpl
def prepare_connection(conn, database, datasette):
    if database == "_internal":
        return
    conn.execute(f"PRAGMA mmap_size = {_megabytes('DISCLOSURE_SQLITE_MMAP_MB', 2048) * 2**20}")
    conn.execute(f"PRAGMA cache_size = -{_megabytes('DISCLOSURE_SQLITE_CACHE_MB', 64) * 1024}")
