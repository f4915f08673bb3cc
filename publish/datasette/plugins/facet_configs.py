"""A facet asked for twice is computed and shown once.

Datasette 0.65.5 lists a table's metadata facets and then every `_facet` of the query string
without looking for repeats, runs each one and shows a repeat under a second key
(`city_name_2`). Clicking a metadata facet's column in the column menu, or any link that keeps
`_facet=city_name` on the accidents table (whose metadata facets include 市州), showed the 市州
facet twice and ran its SQL twice (docs/scaling.md, "Datasette").

An `asgi_wrapper` drops, before Datasette reads the request, a `_facet…` argument of a table
page that repeats a metadata facet of that table or an earlier argument of the same key and
value. So a metadata facet stays a metadata facet (not hideable, as Datasette marks it), and
other facets (another column, another type, a JSON configuration) are kept in their order.
"""

import json
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import tilde_decode


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def without_repeated_facets(scope, receive, send):
            if scope.get("type") == "http" and b"_facet" in scope.get("query_string", b""):
                query = unique_facets(datasette, scope["path"], scope["query_string"].decode("latin-1"))
                if query is not None:
                    scope = dict(scope, query_string=query.encode("latin-1"))
            await app(scope, receive, send)

        return without_repeated_facets

    return wrap


def unique_facets(datasette, path: str, query: str) -> str | None:
    """The query string without repeated facets, or None when nothing repeats."""
    pairs = parse_qsl(query, keep_blank_values=True)
    seen = metadata_facets(datasette, path)
    kept = []
    for key, value in pairs:
        if key.startswith("_facet") and key != "_facet_size":
            if (key, value) in seen:
                continue
            seen.add((key, value))
        kept.append((key, value))
    return urlencode(kept) if len(kept) < len(pairs) else None


def metadata_facets(datasette, path: str) -> set[tuple[str, str]]:
    """The metadata facets of the table `path` shows, as the query arguments that ask for them."""
    database, table = table_of(datasette, path)
    if table is None:
        return set()
    found = set()
    for facet in datasette.metadata("facets", database=database, table=table, fallback=False) or []:
        if isinstance(facet, str):
            found.add(("_facet", facet))
        elif isinstance(facet, dict) and len(facet) == 1:
            ((kind, config),) = facet.items()
            key = "_facet" if kind == "column" else f"_facet_{kind}"
            found.add((key, config if isinstance(config, str) else json.dumps(config)))
    return found


def table_of(datasette, path: str) -> tuple[str | None, str | None]:
    """(database, table) of a table page path (`/db/table`, `/db/table.json`), else (None, None)."""
    base = datasette.setting("base_url").rstrip("/")
    parts = path[len(base) :].strip("/").split("/") if path.startswith(base) else []
    if len(parts) != 2 or parts[0] not in datasette.databases:
        return None, None
    database, name = parts[0], tilde_decode(parts[1])
    tables = datasette.metadata("tables", database=database, fallback=False) or {}
    if name not in tables and "." in name:
        name = name.rsplit(".", 1)[0]  # a format extension
    return (database, name) if name in tables else (None, None)
