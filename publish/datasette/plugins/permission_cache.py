"""Remember the table permission rules between requests.

Datasette 0.65.5 answers each view-table permission check with the private
`_table_permission_allows`, which deep-copies the whole metadata (every table's column
descriptions, labels and plugin settings) every time: two checks on a table page, three on a row
page, two for every table on the database page. A `permission_allowed` hook cannot spare
that work, since Datasette runs its own default one as well. The rules come from metadata.yml
alone, which does not change while the server runs, so each (database, table) answer is worked
out once (docs/datasette.md, "What still patches Datasette").

Left alone when any plugin provides metadata through the get_metadata hook (its answer could
change between requests), and on a Datasette without `_table_permission_allows` (not the pinned
version): then every check is Datasette's own. Keyed on the metadata object too, so replacing
Datasette's metadata (tests do) starts afresh. At most MAX_ENTRIES answers are kept: a table
name comes from the URL.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.plugins import pm

MAX_ENTRIES = 4096


@hookimpl
def startup(datasette):
    if pm.hook.get_metadata.get_hookimpls() or not hasattr(datasette, "_table_permission_allows"):
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
