"""Whole-response cache for the immutable public database.

Datasette serves public.db with `-i`: while the process runs, a GET of the same URL returns the
same bytes. At national size a table, search or facet page costs 10-35 ms of Python besides
its SQL, and the popular pages (a table's first page, the 市州 facet, a common search term,
the canned queries linked from the site) are the same for every visitor. This plugin keeps
such responses in a bounded LRU per server process (DISCLOSURE_RESPONSE_CACHE_MB, default 64 MB;
DISCLOSURE_RESPONSE_CACHE=0 turns it off), the job a caching proxy or CDN does in front of
replicas (README, "When one machine is not enough").

Cached: GET requests without Cookie or Authorization headers (the actor, CSRF tokens), answered
200 without Set-Cookie, at most DISCLOSURE_RESPONSE_CACHE_ENTRY_KB (default 1,024 KB), while
every file database is immutable. The key is the Host header, path and raw query string.
Datasette's own `/-/` pages are never cached. A hit carries `x-disclosure-cache: hit`, a miss
`x-disclosure-cache: miss`. A new release starts a new process, so a cache never outlives its
database. `make bench` reports a page's first (uncached) request and, separately, the latency
of distinct pages (docs/scaling.md, "Datasette").
"""

from __future__ import annotations

import os
from collections import OrderedDict

from datasette import hookimpl


def _setting(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@hookimpl
def asgi_wrapper(datasette):
    if os.environ.get("DISCLOSURE_RESPONSE_CACHE", "1") == "0":
        return lambda app: app
    capacity = _setting("DISCLOSURE_RESPONSE_CACHE_MB", 64) * 1024 * 1024
    max_entry = _setting("DISCLOSURE_RESPONSE_CACHE_ENTRY_KB", 1024) * 1024

    def wrap(app):
        return ResponseCache(app, datasette, capacity, max_entry)

    return wrap


class ResponseCache:
    def __init__(self, app, datasette, capacity: int, max_entry: int):
        self.app = app
        self.datasette = datasette
        self.capacity = capacity
        self.max_entry = min(max_entry, capacity)
        self.entries: OrderedDict[tuple, tuple[int, list, bytes]] = OrderedDict()
        self.size = 0

    async def __call__(self, scope, receive, send):
        key = self._key(scope)
        if key is None:
            return await self.app(scope, receive, send)
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            status, headers, body = hit
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": headers + [(b"x-disclosure-cache", b"hit")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        captured: dict = {"chunks": [], "length": 0, "cacheable": False}

        async def capture(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                captured["cacheable"] = message["status"] == 200 and not any(
                    name.lower() == b"set-cookie" for name, _ in headers
                )
                captured["start"] = (message["status"], headers)
                message = {**message, "headers": headers + [(b"x-disclosure-cache", b"miss")]}
            elif message["type"] == "http.response.body" and captured["cacheable"]:
                body = message.get("body") or b""
                captured["length"] += len(body)
                if captured["length"] > self.max_entry:
                    captured["cacheable"], captured["chunks"] = False, []
                else:
                    captured["chunks"].append(body)
                    if not message.get("more_body"):
                        self._store(key, *captured["start"], b"".join(captured["chunks"]))
            await send(message)

        await self.app(scope, receive, capture)

    def _key(self, scope) -> tuple | None:
        if scope.get("type") != "http" or scope.get("method") != "GET":
            return None
        path = scope.get("path") or ""
        if "/-/" in path:  # Datasette's own pages, also under a base_url
            return None
        host = b""
        for name, value in scope.get("headers") or []:
            name = name.lower()
            if name in (b"cookie", b"authorization"):
                return None
            if name == b"host":
                host = value
        if not self._immutable():
            return None
        return (host, scope.get("root_path") or "", path, scope.get("query_string") or b"")

    def _immutable(self) -> bool:
        return all(not db.is_mutable for db in self.datasette.databases.values() if not db.is_memory)

    def _store(self, key, status: int, headers: list, body: bytes) -> None:
        old = self.entries.pop(key, None)  # two concurrent misses of one URL
        if old is not None:
            self.size -= len(old[2])
        self.entries[key] = (status, headers, body)
        self.size += len(body)
        while self.size > self.capacity and self.entries:
            _, (_, _, old) = self.entries.popitem(last=False)
            self.size -= len(old)
