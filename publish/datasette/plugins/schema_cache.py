"""Remember the schema of the immutable public database between requests.

Every Datasette 0.65.5 table page asks the database about its schema about 25 times: the
columns, primary keys, foreign keys, FTS table and definition of the table, whether it exists,
`PRAGMA schema_version` (refresh_schemas, on every request) and several reads of sqlite_master.
Each is a hand-over to the SQL thread pool and back, together 3-5 ms of a ~20 ms page at national
size (docs/scaling.md, "Datasette at national size"). Datasette serves public.db immutable (`-i`):
its schema cannot change while the process runs (a release starts a new process on a new file),
so the answers are kept for the life of the process, per database.

Only immutable file databases are touched; mutable and in-memory ones (the `_internal` database)
ask every time. The per-request schema refresh is skipped while every attached database is
immutable (`_refreshed_once`). Answers are copied on the way out, so a caller that changes a returned list or
dict cannot change the next caller's. A table name can come from a URL: each method keeps at most
MAX_ENTRIES answers. DISCLOSURE_SCHEMA_CACHE=0 turns it off.
"""

from __future__ import annotations

import copy
import os

from datasette import hookimpl
from datasette.database import Results

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
        database.execute = _schema_queries_remembered(database.execute)
    datasette.refresh_schemas = _refreshed_once(datasette, datasette.refresh_schemas)


def _refreshed_once(datasette, refresh):
    """Datasette.refresh_schemas, which every request awaits: it reads the `_internal` catalog
    and each database's schema version (two queries through the SQL threads per request besides
    the remembered ones) to notice a changed schema. While every attached database is immutable
    nothing can change, so after one complete refresh it is skipped until the set of databases
    changes (datasette.add_database / remove_database)."""
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


def is_schema_query(sql: str) -> bool:
    """`PRAGMA schema_version`, or a query that reads sqlite_master and nothing else."""
    text = " ".join(sql.lower().split())
    if text == "pragma schema_version":
        return True
    return (
        "from sqlite_master" in text
        and text.count(" from ") == 1
        and " join " not in text
        and text.startswith("select ")
    )


def _schema_queries_remembered(execute):
    answers: dict = {}

    async def execute_remembering_schema(sql, params=None, *args, **kwargs):
        if not is_schema_query(sql):
            return await execute(sql, params, *args, **kwargs)
        frozen = tuple(sorted(params.items())) if isinstance(params, dict) else tuple(params or ())
        key = (sql, frozen, args, tuple(sorted(kwargs.items())))
        try:
            hit = answers.get(key)
        except TypeError:  # a parameter that cannot be a key: ask the database
            return await execute(sql, params, *args, **kwargs)
        if hit is None:
            hit = await execute(sql, params, *args, **kwargs)
            if len(answers) >= MAX_ENTRIES:
                answers.clear()
            answers[key] = hit
        return Results(list(hit.rows), hit.truncated, hit.description)

    execute_remembering_schema.answers = answers  # for tests
    return execute_remembering_schema
