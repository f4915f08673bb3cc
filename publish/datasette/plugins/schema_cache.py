"""Remember the schema answers of the immutable public database between requests.

Every Datasette 0.65.5 table or row page asks `Database` about the schema many times: the
columns, primary keys, foreign keys (a row page: of every table), FTS table and definition of
the table, whether it exists. Most are a hand-over to the SQL thread pool and back, and the
answers never change: Datasette serves public.db immutable (`-i`), and a release starts a new
process on a new file. So each of these methods keeps its answers for the life of the process,
per database, and the per-request schema refresh is skipped while nothing can change. No hook
covers either (docs/datasette.md, "What still patches Datasette").

Only immutable file databases are touched; mutable and in-memory ones (the `_internal` database)
ask every time. Answers are copied on the way out, so a caller that changes a returned list or
dict cannot change the next caller's. A table name can come from a URL: each method keeps at most
MAX_ENTRIES answers. DISCLOSURE_SCHEMA_CACHE=0 turns it off.
"""

from __future__ import annotations

import copy
import os

from datasette import hookimpl

MAX_ENTRIES = 4096
# Database methods whose answer depends only on the schema (and metadata.yml, which does not
# change while the server runs: label_column_for_table reads it).
METHODS = (
    "table_exists",
    "table_names",
    "view_names",
    "hidden_table_names",
    "table_columns",
    "table_column_details",
    "primary_keys",
    "fts_table",
    "foreign_keys_for_table",
    "label_column_for_table",
    "get_all_foreign_keys",
    "get_table_definition",
    "get_view_definition",
)


@hookimpl
def startup(datasette):
    if os.environ.get("DISCLOSURE_SCHEMA_CACHE", "1") == "0":
        return
    for database in datasette.databases.values():
        if database.is_mutable or database.is_memory:
            continue
        for name in METHODS:
            setattr(database, name, _remembered(getattr(database, name)))
    datasette.refresh_schemas = _refreshed_once(datasette, datasette.refresh_schemas)


def _refreshed_once(datasette, refresh):
    """Datasette.refresh_schemas, which every request awaits: it reads the `_internal` catalog
    and each database's schema version (three queries, two of them through the SQL threads) to
    notice a changed schema. While every attached database is immutable nothing can change, so
    after one complete refresh it is skipped until the set of databases changes
    (datasette.add_database / remove_database)."""
    refreshed_for = None

    async def refresh_schemas():
        nonlocal refreshed_for
        names = tuple(datasette.databases)
        if names == refreshed_for:
            return
        await refresh()
        if all(
            name == "_internal" or not (db.is_mutable or db.is_memory)
            for name, db in datasette.databases.items()
        ):
            refreshed_for = names

    return refresh_schemas


def _remembered(method):
    answers: dict = {}

    async def remembered(*args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answer = await method(*args, **kwargs)
            if len(answers) >= MAX_ENTRIES:
                answers.clear()
            answers[key] = answer
        return fresh_copy(answers[key])

    remembered.answers = answers  # for tests
    return remembered


_ATOMS = frozenset((str, int, float, bool, bytes, type(None)))


def fresh_copy(value):
    """What copy.deepcopy(value) gives for a schema answer (lists, dicts and (named) tuples of
    strings, numbers and None), without its memo and dispatch: the 32 remembered answers of an
    accidents facet page took 0.33 ms to deepcopy and take 0.07 ms so. Atoms and tuples holding
    only atoms are shared, as deepcopy shares them; anything else is deepcopy's."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is list:
        return [fresh_copy(v) for v in value]
    if kind is dict:
        return {k: fresh_copy(v) for k, v in value.items()}
    if isinstance(value, tuple) and (kind is tuple or hasattr(kind, "_fields")):
        if all(type(v) in _ATOMS for v in value):
            return value
        items = [fresh_copy(v) for v in value]
        return kind(items) if kind is tuple else kind(*items)
    return copy.deepcopy(value)
