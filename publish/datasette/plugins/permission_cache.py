"""Remember the table permission rules between requests.

Datasette 0.65.5 answers each view-table permission check with `_table_permission_allows`, which
deep-copies the whole metadata every time. A table page makes about 27 such checks: on the
national database that was 3-6 ms of Python per uncached page (docs/scaling.md, "Datasette at
national size"). The rules come from metadata.yml alone, which does not change while the server
runs, so each (database, table) answer is worked out once.

Left alone when any plugin provides metadata through the get_metadata hook (its answer could
change between requests). Keyed on the metadata object too, so replacing Datasette's metadata
(tests do) starts afresh. At most MAX_ENTRIES answers are kept: a table name comes from the URL.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.plugins import pm

MAX_ENTRIES = 4096


@hookimpl
def startup(datasette):
    if pm.hook.get_metadata.get_hookimpls():
        return
    original = datasette._table_permission_allows
    if getattr(original, "memo", None) is not None:  # startup runs once per instance, but be safe
        return
    memo: dict[tuple, tuple] = {}

    def table_permission_allows(database, table):
        key = (database, table, id(datasette._metadata_local))
        try:
            return memo[key]
        except KeyError:
            pass
        if len(memo) >= MAX_ENTRIES:
            memo.clear()
        memo[key] = answer = tuple(original(database, table))
        return answer

    table_permission_allows.memo = memo
    datasette._table_permission_allows = table_permission_allows
