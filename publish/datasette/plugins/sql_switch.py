"""The documented switch for arbitrary SQL: DISCLOSURE_ALLOW_SQL=0 turns it off.

With it off, Datasette refuses `?sql=` and `_where=` (the "execute-sql" permission); canned
queries, table pages, facets, search, CSV and JSON keep working because they do not need that
permission. Default on: journalists may ask their own questions, and sql_time_limit_ms bounds
every query (docs/datasette.md).
"""
import os

from datasette import hookimpl


def sql_allowed() -> bool:
    value = os.environ.get("DISCLOSURE_ALLOW_SQL", "1").strip().lower()
    return value not in ("0", "false", "no", "off")


@hookimpl
def permission_allowed(action):
    if action == "execute-sql" and not sql_allowed():
        return False
    return None
