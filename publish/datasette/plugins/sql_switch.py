"""The documented switch for arbitrary SQL: DISCLOSURE_ALLOW_SQL=0 turns it off, failing closed.

The switch is Datasette's own configuration, not a hook of ours: with it off,
publish/datasette_serve.py adds `allow_sql: false` to the metadata and sets `default_allow_sql`
off, and Datasette's default permissions then refuse "execute-sql" (`?sql=`, `_where=`, the SQL
box). Canned queries, table pages, facets, search, CSV and JSON do not need that permission.

What this plugin adds is the proof: at start-up (`startup` hook) it asks Datasette, through its
public `permission_allowed`, whether an anonymous visitor or the root actor may run SQL on any
database, and raises unless every answer is no. A Datasette that ignores the configuration, a
server started by hand without it, or a plugin that grants the permission therefore stops
Datasette from starting instead of serving SQL. publish/datasette_serve.py runs the same check
itself before any server starts, so it holds even if this hook were never called.
Default on: journalists may ask their own questions, and sql_time_limit_ms bounds every query.
"""

import os

from datasette import hookimpl

# Who is asked: the anonymous visitor, and the actor Datasette trusts most (`--root`).
ACTORS = (None, {"id": "root"})


class SqlSwitchError(RuntimeError):
    """SQL is switched off but Datasette would still run a visitor's SQL."""


def sql_allowed() -> bool:
    value = os.environ.get("DISCLOSURE_ALLOW_SQL", "1").strip().lower()
    return value not in ("0", "false", "no", "off")


async def check_sql_refused(datasette) -> None:
    """Raise SqlSwitchError unless Datasette refuses execute-sql to every actor on every database.
    Anything but an explicit False (True, None, a missing method, an error) counts as allowed."""
    answers = []
    try:
        names = list(datasette.databases)
        for name in names:
            for actor in ACTORS:
                answer = await datasette.permission_allowed(actor, "execute-sql", resource=name, default=True)
                answers.append((name, actor, answer))
    except Exception as error:  # no such mechanism in this Datasette: fail closed
        raise SqlSwitchError(f"DISCLOSURE_ALLOW_SQL=0 cannot be checked here: {error!r}") from error
    if not names:
        raise SqlSwitchError("DISCLOSURE_ALLOW_SQL=0 cannot be checked: Datasette serves no database")
    allowed = [(name, actor) for name, actor, answer in answers if answer is not False]
    if allowed:
        raise SqlSwitchError(
            "DISCLOSURE_ALLOW_SQL=0 but Datasette still allows execute-sql for "
            + ", ".join(f"{actor or 'anonymous'} on {name}" for name, actor in allowed)
            + " (is allow_sql: false in the metadata? see docs/datasette.md)"
        )


@hookimpl
def startup(datasette):
    if sql_allowed():
        return None

    async def refuse_unless_sql_is_off():
        await check_sql_refused(datasette)

    return refuse_unless_sql_is_off
