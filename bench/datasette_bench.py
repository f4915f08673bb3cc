"""Datasette on the national-size database: a real server on 127.0.0.1 and a bounded load loop.

The national database is `factor` copies of this size's public database (bench/national.py;
30 × province). The server is started exactly as in production (publish/datasette_serve.py:
immutable, inspect file, metadata, plugins, settings.json). Then, URL by URL: one JSON probe
(rows returned, facets timed out; the query plan comes from SQLite directly), five sequential
requests (one request's cost on an idle server), and `clients` concurrent clients (threads, one
keep-alive http.client connection each) sharing a fixed number of requests, stopping early at a time
cap. Every timed page is the HTML a journalist's browser gets.
Latencies are wall time per request as the client sees it; the clients run on the same two
cores as the server, so the figures include that contention.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import math
import os
import random
import re
import socket
import sqlite3
import statistics
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import measure
from bench.report import Figure, below
from publish.manifest import sha256_file

PAGE_TARGET_MS = 100  # p95 of table, search, facet and row pages
QUERY_TARGET_MS = 500  # canned queries
SINGLE_REQUESTS = 5  # sequential requests before the load: one request's cost on an idle server
TERMS = {"accidents": ("爆炸", "高处坠落"), "enterprises": ("化工", "化工有限")}  # 2 and 4 characters
FACETS = {"accidents": "city_name", "enterprises": "city_code"}  # 市州 and 市州代码
TABLES = ("accidents", "enterprises")  # the table journalists read most, the largest table


# ------------------------------------------------------------------ orchestration


def measure_datasette(session) -> dict:
    from bench import etl_bench

    o, ws = session.options, session.ws
    public_db = etl_bench.ensure_public_db(session)
    factor = o.factor or (1 if o.size == "national" else 30)
    folder = ws.folder("national")
    db, summary = _national_db(session, public_db, folder, factor)
    inspect = folder / "public.inspect.json"
    if not inspect.exists() or inspect.stat().st_mtime < db.stat().st_mtime:
        session.step(
            "Datasette inspect file", measure.python("datasette", "inspect", db, "--inspect-file", inspect)
        )
    urls, probes = plan(db)
    session.log(f"tracing the SQL of {len(urls)} URLs in-process …")
    # Datasette prints a long traceback for every query over its time limit: into the log
    with (
        open(ws.logs / "datasette-trace.log", "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        traced = trace_sql(db, inspect, urls)
    for path, facts in traced.items():
        probes.setdefault(path, {}).update(facts)
    port = _free_port()
    workers = min(os.cpu_count() or 1, 4)  # publish.datasette_serve's default, stated in the notes
    server = measure.Process(
        "Datasette server (national, under load)",
        measure.python(
            "publish.datasette_serve",
            "--db",
            db,
            "--host",
            "127.0.0.1",
            "--port",
            port,
            "--inspect-file",
            inspect,
            "--workers",
            workers,
        ),
        ws.logs / "datasette-server.log",
        maps_files=True,
    )  # mmap: file pages are page cache
    base = f"http://127.0.0.1:{port}"
    results, distinct, hostile = [], {}, None
    try:
        startup = _wait_ready(base, server)
        session.log(
            f"Datasette ready on {base} in {startup:.1f} s; {len(urls)} URLs × "
            f"{o.requests} requests, {o.clients} clients"
        )
        cap = 15 if o.quick else 30
        for url in urls:
            url.update(load(base, url["path"], o.requests, o.clients, cap))
            url.update(_probe(base, url, probes))
            session.log(
                f"  {url['name']}: first {url['first_ms']} ms, alone {url['single_ms']} ms, p50 {url['p50_ms']} ms, "
                f"p95 {url['p95_ms']} ms "
                f"({url['requests']} requests, {url['errors']} errors)"
            )
            results.append(url)
        for kind, paths in distinct_pages(db, o.seed, o.requests).items():
            found = load_distinct(base, paths, o.clients, cap, server=server.pid)
            session.log(
                f"  distinct {kind} pages: p50 {found['p50_ms']} ms, p95 {found['p95_ms']} ms "
                f"({found['requests']} URLs, {found['errors']} errors, {found['cache_hits']} cache hits)"
            )
            distinct[kind] = found
        ordinary = [
            p
            for kind, paths in distinct_pages(db, o.seed + 1, o.requests).items()
            if kind in ("table", "search", "row")
            for p in paths
        ]
        random.Random(o.seed).shuffle(ordinary)
        hostile = hostile_load(base, ordinary, server.pid, o.clients, 2 * cap)
        session.log(
            f"  hostile SQL ({hostile['hostile_clients']} clients, {hostile['hostile_requests']} "
            f"requests) beside {len(ordinary)} table, search and row pages: p95 "
            f"{hostile['ordinary']['p95_ms']} ms ({hostile['ordinary']['errors']} errors), "
            f"server memory peak {hostile['peak_rss_mib']} MiB"
        )
    finally:
        step = server.stop()
        session.record(step)
    detail = {
        "factor": factor,
        "db": str(db),
        "national": summary,
        "startup_seconds": round(startup, 2),
        "clients": o.clients,
        "workers": workers,
        "requests_per_url": o.requests,
        "time_cap_per_url_s": cap,
        "urls": results,
        "distinct": distinct,
        "hostile": hostile,
        "server": step.as_dict(),
    }
    session.add_figures(figures(detail))
    _notes(session, detail)
    return detail


def _national_db(session, public_db: Path, folder: Path, factor: int) -> tuple[Path, dict]:
    """Build (or reuse, when built from the same public database and factor) the national db.
    Factor 1 (the national profile): the public database of the generated national sources
    itself, no copy."""
    if factor == 1:
        with contextlib.closing(sqlite3.connect(f"file:{public_db}?mode=ro", uri=True)) as conn:
            tables = {
                t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("accidents", "enterprises")
            }
        return public_db, {
            "factor": 1,
            "source": str(public_db),
            "path": str(public_db),
            "tables": tables,
            "generated": True,
            "mib": round(public_db.stat().st_size / 2**20, 1),
        }
    db, summary_path = folder / "public.db", folder / "summary.json"
    source_sha = sha256_file(public_db)
    if db.exists() and summary_path.exists():
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        if summary.get("source_sha256") == source_sha and summary.get("factor") == factor:
            session.note(f"Datasette: reused the national database {db} (same public database and factor).")
            return db, {**summary, "reused": True}
    step = session.step(
        f"national database ({factor} × public.db)",
        measure.python("bench.national", public_db, db, "--factor", factor, "--summary", summary_path),
    )
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    summary.update(source_sha256=source_sha, step=step.as_dict())
    summary_path.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    return db, summary


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(base: str, server: measure.Process, timeout: float = 300) -> float:
    import httpx

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if not server.running():
            raise RuntimeError(f"Datasette exited during start-up:\n{measure.tail(server.log)}")
        try:
            if httpx.get(base + "/public/build_info.json", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Datasette did not answer within {timeout} s:\n{measure.tail(server.log)}")


# ------------------------------------------------------------------ what is requested


def plan(db: Path) -> tuple[list[dict], dict]:
    """The URLs to load (name, kind, path) with parameters chosen from the data so that every
    page and query returns rows; and for each, facts that explain its speed (probes)."""
    conn = _connect(db)
    urls, probes = [], {}
    for table in TABLES:
        urls.append(_url(f"table: {table}", "table", f"/public/{table}"))
        probes[f"/public/{table}"] = _table_facts(conn, table)
    for table, terms in TERMS.items():
        for term in terms:
            urls.append(
                _url(
                    f"search {len(term)} chars: {table} ?_search={term}",
                    "search",
                    f"/public/{table}?" + urlencode({"_search": term}),
                )
            )
    for table, column in FACETS.items():
        urls.append(
            _url(f"facet 市州: {table} ?_facet={column}", "facet", f"/public/{table}?_facet={column}")
        )
    accident = _one(
        conn, "SELECT id FROM accidents ORDER BY id LIMIT 1 OFFSET " "(SELECT count(*) / 2 FROM accidents)"
    )
    enterprise = _one(
        conn, "SELECT enterprise_id FROM accidents WHERE enterprise_id IS NOT NULL " "ORDER BY id LIMIT 1"
    )
    urls.append(_url("row: accidents", "row", f"/public/accidents/{_tilde(accident)}"))
    urls.append(_url("row: enterprises", "row", f"/public/enterprises/{_tilde(enterprise)}"))
    for name, query in _queries().items():
        params = canned_params(conn, name, query)
        path = f"/public/{name}" + ("?" + urlencode(params) if params else "")
        urls.append(_url(f"canned: {name}", "canned", path))
        probes[path] = {"plan": _plan(conn, query["sql"], query.get("params") or [], params)}
    conn.close()
    return urls, probes


def distinct_pages(db: Path, seed: int, per_kind: int) -> dict[str, list[str]]:
    """Per page kind, up to `per_kind` different URLs, each requested once: what journalists
    browsing different filters, terms and records cost, with no cache holding any of them.
    Filters and terms come from the data (so pages have rows); the order is shuffled by `seed`."""
    rng = random.Random(seed)
    conn = _connect(db)
    combos = [
        "/public/accidents?" + urlencode({"year": y, "city_name": c})
        for y, c in conn.execute(
            "SELECT DISTINCT year, city_name FROM accidents WHERE year IS NOT NULL AND city_name IS NOT NULL"
        )
    ]
    combos += [
        "/public/accidents?" + urlencode({"accident_type": t, "city_name": c})
        for t, c in conn.execute(
            "SELECT DISTINCT accident_type, city_name FROM accidents"
            " WHERE accident_type IS NOT NULL AND city_name IS NOT NULL"
        )
    ]
    combos += [
        "/public/enterprises?" + urlencode({"city_code": c, "industry": i})
        for c, i in conn.execute(
            "SELECT DISTINCT city_code, industry FROM enterprises WHERE city_code IS NOT NULL AND industry IS NOT NULL"
        )
    ]
    facets = [
        "/public/accidents?" + urlencode({"_facet": "city_name", "year": y, "accident_type": t})
        for y, t in conn.execute(
            "SELECT DISTINCT year, accident_type FROM accidents"
            " WHERE year IS NOT NULL AND accident_type IS NOT NULL"
        )
    ]
    facets += [
        "/public/enterprises?" + urlencode({"_facet": "city_code", "industry": i})
        for (i,) in conn.execute("SELECT DISTINCT industry FROM enterprises WHERE industry IS NOT NULL")
    ]
    searches = []
    for table, column in (("accidents", "title"), ("enterprises", "name")):
        texts = [
            t
            for (t,) in conn.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY rowid LIMIT 5000"
            )
        ]
        for length in (2, 4):
            terms = sorted(
                {
                    run[i : i + length]
                    for text in texts
                    for run in _CJK_RUN.findall(text)
                    for i in range(len(run) - length + 1)
                    if "示" not in run[i : i + length] and "例" not in run[i : i + length]
                }
            )
            searches += [
                f"/public/{table}?" + urlencode({"_search": term})
                for term in rng.sample(terms, min(len(terms), per_kind // 4))
            ]
    rows = []
    for table in TABLES:
        top = _one(conn, f"SELECT max(rowid) FROM {table}") or 0
        picked = rng.sample(range(1, top + 1), min(top, per_kind // 2))
        rows += [
            f"/public/{table}/{_tilde(i)}"
            for (i,) in conn.execute(
                f"SELECT id FROM {table} WHERE rowid IN ({','.join('?' * len(picked))})", picked
            )
        ]
    conn.close()
    out = {}
    for kind, paths in (("table", combos), ("search", searches), ("facet", facets), ("row", rows)):
        paths = sorted(set(paths))
        rng.shuffle(paths)
        out[kind] = paths[:per_kind]
    return out


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def _url(name: str, kind: str, path: str) -> dict:
    return {"name": name, "kind": kind, "path": path}


def _queries() -> dict:
    from publish import datasette_serve

    metadata = datasette_serve.datasette_kwargs()["metadata"]
    return metadata["databases"]["public"].get("queries") or {}


def canned_params(conn, name: str, query: dict) -> dict:
    """Parameters for a canned query that make it return rows (empty = the query's default)."""
    chosen = {
        "repeated_accidents": {"min_count": "1"},  # no enterprise has 2 reports in the samples
        "rectification_overdue": {
            "city": _one(
                conn,
                (
                    "SELECT city_name FROM accidents WHERE rect_status = 'overdue' AND city_name IS NOT NULL "
                    "GROUP BY city_name ORDER BY count(*) DESC, city_name LIMIT 1"
                ),
            )
        },
        "blacklist_removable_in_month": {
            "month": _one(
                conn,
                (
                    "SELECT substr(early_removal_from, 1, 7) AS m FROM blacklist WHERE in_force = 1 "
                    "AND early_removal_from IS NOT NULL GROUP BY m ORDER BY count(*) DESC, m LIMIT 1"
                ),
            )
        },
        "enterprise_profile": {
            "q": _one(
                conn,
                (
                    "SELECT e.name FROM enterprises e JOIN accidents a ON a.enterprise_id = e.id "
                    "ORDER BY a.id LIMIT 1"
                ),
            )
        },
        "search_all": {"q": "爆炸"},
    }.get(name, {})
    return {p: chosen.get(p) or "" for p in (query.get("params") or [])}


def _table_facts(conn, table: str) -> dict:
    """Why a table page costs what it costs: its sort, the index for it, its default facets."""
    from publish import datasette_serve

    meta = datasette_serve.datasette_kwargs()["metadata"]["databases"]["public"]["tables"].get(table, {})
    sort = meta.get("sort_desc") or meta.get("sort")
    order = f" ORDER BY {sort}{' DESC' if meta.get('sort_desc') else ''}" if sort else ""
    plan = _plan(conn, f"SELECT * FROM {table}{order} LIMIT 51", [], {})
    return {
        "rows": _one(conn, f"SELECT count(*) FROM {table}"),
        "sort": sort,
        "sort_uses_index": not any("TEMP B-TREE" in line for line in plan),
        "default_facets": meta.get("facets") or [],
        "plan": plan,
    }


def _plan(conn, sql: str, names: list[str], params: dict) -> list[str]:
    try:
        values = {n: params.get(n, "") for n in names}
        if ":_html_rows" in sql:  # the HTML page's row limit (publish/datasette/plugins/disclosure_ui.py)
            values["_html_rows"] = 201
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, values)
        return [row[3] for row in rows]
    except sqlite3.Error as exc:
        return [f"(no plan: {exc})"]


def _connect(db: Path) -> sqlite3.Connection:
    from etl.fts_text import match_expression

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.create_function("cjk_match", 1, match_expression)
    conn.create_function("site_url", 1, lambda path: path)
    conn.create_function("archive_url", 1, lambda path: path)
    return conn


def _one(conn, sql: str):
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _tilde(value: str) -> str:
    """Datasette's tilde encoding of a primary key in a row URL."""
    from datasette.utils import tilde_encode

    return tilde_encode(str(value))


def trace_sql(db: Path, inspect: Path, urls: list[dict]) -> dict[str, dict]:
    """Each URL once through Datasette in this process with the server's configuration, with
    its SQL traced: how many queries, their total time, and the slowest three."""
    from datasette.app import Datasette

    from publish import datasette_serve

    inspect_data = json.loads(inspect.read_text(encoding="utf-8"))
    ds = Datasette(
        immutables=[str(db)], inspect_data=inspect_data, **datasette_serve.datasette_kwargs(inspect_data)
    )
    return _trace_all(ds, urls)


def _trace_all(ds, urls: list[dict]) -> dict[str, dict]:
    import asyncio

    from datasette.tracer import capture_traces

    async def trace_all() -> dict[str, dict]:
        found = {}
        for url in urls:
            await ds.client.get(url["path"])  # warm
            traces: list[dict] = []
            with capture_traces(traces):
                await ds.client.get(url["path"])
            slowest = sorted(traces, key=lambda t: -t["duration_ms"])[:3]
            found[url["path"]] = {
                "queries": len(traces),
                "sql_ms": round(sum(t["duration_ms"] for t in traces), 1),
                "slowest_sql": [
                    [round(t["duration_ms"], 1), " ".join(t["sql"].split())[:140]] for t in slowest
                ],
            }
        return found

    return asyncio.run(trace_all())


# ------------------------------------------------------------------ the load loop


def _probe(base: str, url: dict, probes: dict) -> dict:
    """One JSON request (not timed): rows returned, facets that timed out, the query plan."""
    import httpx

    path = url["path"]
    page, _, query = path.partition("?")
    facts = {**probes.get(page, {}), **probes.get(path, {})}  # the table's, then this URL's
    try:
        response = httpx.get(f"{base}{page}.json?{query}{'&' if query else ''}_shape=objects", timeout=60)
        data = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        data = {}
    rows = data.get("rows")
    facts["rows_returned"] = len(rows) if isinstance(rows, list) else None
    for key in ("filtered_table_rows_count", "facets_timed_out", "truncated"):
        if key in data:
            facts[key] = data[key]
    return facts


def load(base: str, path: str, requests: int, clients: int, cap: float) -> dict:
    """`requests` GETs of `path` shared by `clients` threads, stopping at `cap` seconds."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as alone:
        clock = time.perf_counter()
        alone.get(path)  # the first request: nothing of it in the server's caches
        first_ms = (time.perf_counter() - clock) * 1000
        single = []
        for _ in range(SINGLE_REQUESTS):  # the server's time for one request with no other load
            clock = time.perf_counter()
            alone.get(path)
            single.append((time.perf_counter() - clock) * 1000)
    issued = itertools.count()
    found = _clients(base, clients, cap, lambda: path if next(issued) < requests else None)
    return {
        **found,
        "capped": found["requests"] < requests,
        "first_ms": round(first_ms, 1),
        "single_ms": round(statistics.median(single), 1),
    }


def load_distinct(base: str, paths: list[str], clients: int, cap: float, server: int | None = None) -> dict:
    """Each of `paths` once, shared by `clients` threads, stopping at `cap` seconds; counts the
    responses the page cache answered (none should be). With the `server` process id, also the
    CPU the server (all its processes) and these clients spent per page: with the server and
    the clients on the same cores, the pages/s cannot exceed cores × 1000 ÷ their sum."""
    queue = iter(paths)
    server_cpu = measure.tree_cpu_seconds(server) if server is not None else 0.0
    client_cpu = time.process_time()
    found = {
        **_clients(base, clients, cap, lambda: next(queue, None)),
        "urls": len(paths),
        "sample": paths[:3],
    }
    if server is not None:
        pages = max(found["requests"], 1)
        found["server_cpu_ms_per_page"] = round(
            (measure.tree_cpu_seconds(server) - server_cpu) * 1000 / pages, 1
        )
        found["client_cpu_ms_per_page"] = round((time.process_time() - client_cpu) * 1000 / pages, 1)
    return found


# ------------------------------------------------------------------ hostile SQL beside ordinary pages

HOSTILE_TARGET_MS = 300  # p95 of table, search and row pages while hostile clients send SQL
HOSTILE_RSS_TARGET_MIB = 1024  # the server's memory (all its processes) meanwhile
HOSTILE_CLIENTS = 4
_PRINTF = "length(printf('%.*c', 9000000, 'x'))"  # 9 MB: under the length limit, one instruction


def hostile_queries() -> dict[str, str]:
    """The worst requests found for one server, by name: each is a path with `{n}`, replaced by
    a number unique to each request so that no page cache ever answers one. Each stays inside
    the SQLite limits (plugins/sqlite_limits.py) so that it runs instead of failing at once; each
    single call is bounded, the query as a whole is not."""
    from urllib.parse import quote

    def sql(query: str, fmt: str = "") -> str:
        return f"/public{fmt}?sql=" + quote(query, safe="").replace("%7Bn%7D", "{n}")

    blobs = ", ".join(f"zeroblob(9999999) as b{i}" for i in range(40))  # 10 MB: the value limit
    small = ", ".join(f"zeroblob(499999) as b{i}" for i in range(99))  # 500 kB: user SQL's
    return {
        "printf 9 MB": sql("select " + _PRINTF + " + {n}"),
        # 30 calls of ~35 ms each, all within the first 1,000 SQLite instructions
        "printf × 30 in one row": sql("select " + ", ".join([_PRINTF] * 30) + ", {n}"),
        "zeroblob 9 MB × 1,000 rows (JSON)": sql(
            "select zeroblob(9000000) as b, {n} as n from accidents limit 1000", ".json"
        ),
        "zeroblob 500 kB × 1,000 rows (JSON)": sql(
            "select zeroblob(499999) as b, {n} as n from accidents limit 1000", ".json"
        ),
        "randomblob 500 kB × 1,000 rows (JSON)": sql(
            "select randomblob(499999) as b, {n} as n from accidents limit 1000", ".json"
        ),
        "zeroblob 10 MB × 40 columns (JSON)": sql("select " + blobs + ", {n} as n", ".json"),
        "zeroblob 500 kB × 99 columns (JSON)": sql("select " + small + ", {n} as n", ".json"),
        "nested replace": sql(
            "select length(replace(replace(replace(replace(printf('%.*c', 30000 + {n} % 7, 'x'), "
            "'x', 'xxxx'), 'x', 'xxxx'), 'x', 'xxxx'), 'x', 'xxxx')) from accidents"
        ),
        "cross join count": sql("select count(*) + {n} from accidents a, enterprises e"),
        "LIKE over every report body": sql("select count(*) from accidents where body_text like '%安全{n}%'"),
        "recursive CTE to 1e9": sql(
            "with recursive c(x) as (select 1 union all select x + 1 from c where x < 1000000000) "
            "select count(*) + {n} from c"
        ),
        # within the user-SQL result budget (plugins/inline_sql.py)
        "14 MB result, each a new query (JSON)": sql(
            "select randomblob(400000) as b, {n} as n from accidents limit 35", ".json"
        ),
        "canned search_all, long q": "/public/search_all?q=" + quote("安全生产责任事故调查报告" * 8) + "{n}",
    }


def hostile_load(
    base: str,
    paths: list[str],
    server: int,
    clients: int,
    cap: float,
    hostile_clients: int = HOSTILE_CLIENTS,
    warmup: float = 2.0,
    queries: dict[str, str] | None = None,
) -> dict:
    """`hostile_clients` threads send hostile_queries() back to back (each waits for its answer)
    while `clients` ordinary clients request each of `paths` once (load_distinct); meanwhile the
    resident memory of the server's process tree (`server`) is sampled every 0.1 s. The hostile
    clients start `warmup` seconds before the ordinary ones and stop after them."""
    queries = queries or hostile_queries()
    names = list(queries)
    stop, lock = threading.Event(), threading.Lock()
    address = urlsplit(base)
    hostile: dict[str, dict] = {name: {"requests": 0, "statuses": {}, "ms": []} for name in names}
    counter = itertools.count(1)
    peak = {"anon": 0, "all": 0}
    before = measure.tree_rss_pages(server, True)

    def sample() -> None:
        while not stop.wait(0.1):
            peak["anon"] = max(peak["anon"], measure.tree_rss_pages(server, True))
            peak["all"] = max(peak["all"], measure.tree_rss_pages(server))

    def attacker(offset: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            for i in itertools.count(offset):
                if stop.is_set():
                    return
                name = names[i % len(names)]
                path = queries[name].replace("{n}", str(next(counter)))
                clock = time.perf_counter()
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    while response.read(1 << 20):  # a large body is read, not kept
                        pass
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    status = exc.__class__.__name__
                    connection.close()
                elapsed = (time.perf_counter() - clock) * 1000
                with lock:
                    found = hostile[name]
                    found["requests"] += 1
                    found["statuses"][str(status)] = found["statuses"].get(str(status), 0) + 1
                    found["ms"].append(elapsed)
        finally:
            connection.close()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=attacker, args=(k,), daemon=True) for k in range(hostile_clients)]
    for t in threads:
        t.start()
    time.sleep(warmup)
    ordinary = load_distinct(base, paths, clients, cap, server=server)
    stop.set()
    for t in threads:
        t.join(timeout=90)
    sampler.join()
    page = measure._PAGE / 2**20
    every = sorted(ms for found in hostile.values() for ms in found["ms"])
    return {
        "ordinary": ordinary,
        "hostile_clients": hostile_clients,
        "clients": clients,
        "hostile_requests": len(every),
        "hostile_p50_ms": _percentile(every, 0.5),
        "hostile": {
            name: {
                "requests": f["requests"],
                "statuses": f["statuses"],
                "p50_ms": _percentile(sorted(f["ms"]), 0.5),
                "max_ms": round(max(f["ms"]), 1) if f["ms"] else None,
            }
            for name, f in hostile.items()
        },
        "rss_before_mib": round(before * page, 1),
        "peak_rss_mib": round(peak["anon"] * page, 1),
        "peak_rss_with_file_pages_mib": round(peak["all"] * page, 1),
    }


def _clients(base: str, clients: int, cap: float, take) -> dict:
    """`clients` threads, each with one keep-alive connection, GET `take()` (called under a
    lock; None = done) until it is None or `cap` seconds have passed; latency figures.

    The clients share the server's cores, so they are plain http.client connections: httpx
    spent 1.5 ms of CPU per page (http.client 0.5), a tenth of what the server spends on a
    page, taken from the server under load (docs/scaling.md, "Datasette at national size")."""
    address = urlsplit(base)
    latencies, statuses, hits, lock = [], {}, [0], threading.Lock()
    started = time.monotonic()
    deadline = started + cap

    def client() -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            while time.monotonic() < deadline:
                with lock:
                    path = take()
                if path is None:
                    return
                clock = time.perf_counter()
                try:
                    connection.request("GET", path)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                    hit = response.getheader("x-disclosure-cache") == "hit"
                except (OSError, http.client.HTTPException) as exc:
                    status, hit = exc.__class__.__name__, False
                    connection.close()  # the next request opens a new connection
                elapsed = time.perf_counter() - clock
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
                    hits[0] += hit
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    ms = sorted(x * 1000 for x in latencies)
    return {
        "requests": len(ms),
        "seconds": round(wall, 2),
        "requests_per_s": round(len(ms) / wall, 1) if wall else None,
        "p50_ms": _percentile(ms, 0.50),
        "p95_ms": _percentile(ms, 0.95),
        "max_ms": round(ms[-1], 1) if ms else None,
        "cache_hits": hits[0],
        "errors": sum(n for s, n in statuses.items() if s != 200),
        "statuses": {str(s): n for s, n in statuses.items()},
    }


def _percentile(sorted_ms: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not sorted_ms:
        return None
    return round(sorted_ms[max(0, math.ceil(q * len(sorted_ms)) - 1)], 1)


# ------------------------------------------------------------------ figures and notes


def figures(detail: dict) -> list[Figure]:
    out = [
        Figure(
            "datasette.national_rows",
            "Datasette national db: rows (accidents / enterprises)",
            "{:,} / {:,}".format(
                detail["national"]["tables"].get("accidents", 0),
                detail["national"]["tables"].get("enterprises", 0),
            ),
        ),
        Figure("datasette.national_db_mib", "Datasette national db: size", detail["national"]["mib"], "MiB"),
    ]
    pages = [u for u in detail["urls"] if u["kind"] != "canned"]
    canned = [u for u in detail["urls"] if u["kind"] == "canned"]
    for u in detail["urls"]:
        target_ms = QUERY_TARGET_MS if u["kind"] == "canned" else PAGE_TARGET_MS
        target, met = below(u["p95_ms"], target_ms, f"p95 < {target_ms} ms")
        met = met and not u["errors"]  # an error page is never fast enough
        out.append(
            Figure(
                "datasette." + _key(u["name"]),
                f"Datasette {u['name']}",
                u["p95_ms"],
                "ms",
                target,
                met,
                aside=f"p50 {u['p50_ms']}, alone {u['single_ms']}, first {u.get('first_ms')}"
                + (f", {u['errors']} errors" if u["errors"] else ""),
                extra={
                    k: u[k]
                    for k in (
                        "first_ms",
                        "single_ms",
                        "p50_ms",
                        "p95_ms",
                        "max_ms",
                        "requests",
                        "errors",
                        "path",
                    )
                },
            )
        )
    for name, group, target_ms in (("pages", pages, PAGE_TARGET_MS), ("canned", canned, QUERY_TARGET_MS)):
        worst = max(group, key=lambda u: u["p95_ms"] or 0, default=None)
        if worst:
            target, met = below(worst["p95_ms"], target_ms, f"< {target_ms} ms")
            out.append(
                Figure(
                    f"datasette.worst_{name}_p95_ms",
                    f"Datasette slowest {'page' if name == 'pages' else 'canned query'} p95 "
                    f"({worst['name']})",
                    worst["p95_ms"],
                    "ms",
                    target,
                    met,
                )
            )
    for kind, found in (detail.get("distinct") or {}).items():
        target, met = below(found["p95_ms"], PAGE_TARGET_MS, f"p95 < {PAGE_TARGET_MS} ms")
        out.append(
            Figure(
                f"datasette.distinct_{kind}_p95_ms",
                f"Datasette {kind} pages, {found['requests']} distinct URLs (no cache)",
                found["p95_ms"],
                "ms",
                target,
                met and not found["errors"],
                aside=f"p50 {found['p50_ms']}, {found['requests_per_s']} pages/s"
                + (
                    f", server CPU {found['server_cpu_ms_per_page']} ms/page"
                    if found.get("server_cpu_ms_per_page") is not None
                    else ""
                )
                + (f", {found['errors']} errors" if found["errors"] else ""),
                extra={
                    k: found.get(k)
                    for k in (
                        "p50_ms",
                        "p95_ms",
                        "max_ms",
                        "requests",
                        "requests_per_s",
                        "errors",
                        "cache_hits",
                        "sample",
                        "server_cpu_ms_per_page",
                        "client_cpu_ms_per_page",
                    )
                },
            )
        )
    out += hostile_figures(detail.get("hostile"))
    first = max(detail["urls"], key=lambda u: u.get("first_ms") or 0, default=None)
    if first and first.get("first_ms") is not None:
        # before the page cache holds the page: what a rare query costs
        out.append(
            Figure(
                "datasette.worst_first_ms",
                f"Datasette slowest first request, cache empty ({first['name']})",
                first["first_ms"],
                "ms",
            )
        )
    out.append(
        Figure(
            "datasette.server_peak_mib",
            "Datasette server: peak memory under load",
            detail["server"]["peak_mib"],
            "MiB",
        )
    )
    return out


def hostile_figures(hostile: dict | None) -> list[Figure]:
    """The hostile scenario (hostile_load): ordinary pages' p95 and the server's peak memory."""
    if not hostile:
        return []
    ordinary = hostile["ordinary"]
    target, met = below(ordinary["p95_ms"], HOSTILE_TARGET_MS, f"p95 < {HOSTILE_TARGET_MS} ms")
    statuses: dict[str, int] = {}
    for found in hostile["hostile"].values():
        for status, n in found["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    p95 = Figure(
        "datasette.hostile_ordinary_p95_ms",
        f"Datasette table/search/row pages, {hostile['clients']} clients, beside "
        f"{hostile['hostile_clients']} clients of hostile SQL",
        ordinary["p95_ms"],
        "ms",
        target,
        met and not ordinary["errors"],
        aside=f"p50 {ordinary['p50_ms']}, {ordinary['requests']} pages, {ordinary['requests_per_s']} pages/s, "
        f"{hostile['hostile_requests']} hostile requests ("
        + ", ".join(f"{s} × {n}" for s, n in sorted(statuses.items()))
        + ")"
        + (f", {ordinary['errors']} errors" if ordinary["errors"] else ""),
        extra={
            "ordinary": {
                k: ordinary.get(k)
                for k in (
                    "p50_ms",
                    "p95_ms",
                    "max_ms",
                    "requests",
                    "requests_per_s",
                    "errors",
                    "cache_hits",
                    "server_cpu_ms_per_page",
                )
            },
            "hostile_requests": hostile["hostile_requests"],
            "hostile_statuses": statuses,
            "hostile": hostile["hostile"],
        },
    )
    target, met = below(hostile["peak_rss_mib"], HOSTILE_RSS_TARGET_MIB, f"< {HOSTILE_RSS_TARGET_MIB:,} MiB")
    rss = Figure(
        "datasette.hostile_peak_rss_mb",
        "Datasette server memory under hostile SQL (peak)",
        hostile["peak_rss_mib"],
        "MiB",
        target,
        met,
        aside=f"{hostile['rss_before_mib']} before; with mapped file pages "
        f"{hostile['peak_rss_with_file_pages_mib']}",
        extra={k: hostile[k] for k in ("rss_before_mib", "peak_rss_with_file_pages_mib")},
    )
    return [p95, rss]


def _key(name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode()
    slug = "".join(c if c.isalnum() else "_" for c in ascii_name.lower())
    while "__" in slug:
        slug = slug.replace("__", "_")
    return slug.strip("_") + "_p95_ms"


def _notes(session, detail: dict) -> None:
    n = detail["national"]
    if n.get("generated"):
        session.note(
            f"Datasette: the national database is the public database of the generated national "
            f"sources (30 × province) run through the ETL and `etl public`. {n['mib']:,} MiB."
        )
    else:
        session.note(
            f"Datasette: the national database is {detail['factor']} copies of this run's public "
            f"database (bench/national.py: new ids, 统一社会信用代码 with another province's digits, "
            f"示例 names marked per copy; report texts, dates and 市州 unchanged), not national source "
            f"documents run through the ETL; its FTS tables, views and indexes are built by "
            f"etl/public.py's functions. {n['mib']:,} MiB."
        )
    session.note(
        f"Datasette load: {detail['clients']} concurrent clients on the same {os.cpu_count()} cores as "
        f"the server ({detail.get('workers', 1)} worker processes, each with its own page cache; "
        f"'first' is a page's first request, before the page cache holds it), "
        f"{detail['requests_per_url']} requests per URL (time cap {detail['time_cap_per_url_s']} s), "
        f"HTML pages, keep-alive connections; canned queries are judged by p95."
    )
    if detail.get("distinct"):
        session.note(
            "Datasette distinct pages: each URL requested once (different filters, search terms drawn "
            "from the data, facets over filters, rows), so no page cache holds it: what a journalist "
            "browsing the long tail gets. The repeated-URL figures above are answered by the page "
            "cache after their first request ('first'). With "
            f"{detail['clients']} clients always waiting, even the mean latency is under {PAGE_TARGET_MS} ms "
            f"only above {detail['clients']} ÷ {PAGE_TARGET_MS / 1000:g} s = "
            f"{detail['clients'] * 1000 // PAGE_TARGET_MS} pages/s, and the p95 needs more (docs/scaling.md, "
            "'Datasette at national size'); the pages/s measured here "
            "(server and clients on these cores) say how far off that is: "
            + ", ".join(f"{k} {v['requests_per_s']}" for k, v in detail["distinct"].items())
            + "."
        )
        spent = {
            k: (v["server_cpu_ms_per_page"], v["client_cpu_ms_per_page"])
            for k, v in detail["distinct"].items()
            if v.get("server_cpu_ms_per_page")
        }
        if spent:
            cores = os.cpu_count() or 1
            session.note(
                "Datasette distinct pages, CPU per page (server processes + the load clients): "
                + ", ".join(f"{k} {server} + {client} ms" for k, (server, client) in spent.items())
                + f". On {cores} cores that bounds the rate at "
                + ", ".join(
                    f"{k} {cores * 1000 / (server + client):.0f}" for k, (server, client) in spent.items()
                )
                + " pages/s; one core of server alone serves 1000 ÷ the server figure pages/s of that"
                " kind (what sizing replicas starts from: README, 'When one machine is not enough')."
            )
    for u in detail["urls"]:
        target_ms = QUERY_TARGET_MS if u["kind"] == "canned" else PAGE_TARGET_MS
        if (u["p95_ms"] or 0) >= target_ms or u["errors"]:
            cores = math.ceil(detail["clients"] * u["single_ms"] / target_ms)
            session.note(
                f"Datasette target missed: {u['name']} p95 {u['p95_ms']} ms"
                f"{', ' + str(u['errors']) + ' errors ' + str(u['statuses']) if u['errors'] else ''}"
                f"; alone {u['single_ms']} ms (≈ {cores} core{'s' * (cores != 1)} for "
                f"{detail['clients']} clients)"
                f" — {diagnose(u)}"
            )
        elif u.get("rows_returned") == 0:
            session.note(f"Datasette: {u['name']} returned no rows with the chosen parameters.")


def diagnose(u: dict) -> str:
    """What the probes say about a slow URL (facts, not guesses)."""
    facts = []
    if u.get("queries") is not None:
        top = u["slowest_sql"][0] if u.get("slowest_sql") else None
        facts.append(
            f"{u['queries']} SQL queries, {u['sql_ms']} ms of SQL"
            + (f" (slowest {top[0]} ms: {top[1]})" if top and top[0] >= 5 else "")
        )
    if u.get("sort") and u.get("sort_uses_index") is False:
        facts.append(f"sorted by {u['sort']} without an index (temp B-tree over {u.get('rows', 0):,} rows)")
    if u.get("default_facets") and u["kind"] in ("table", "search", "facet"):
        facts.append(f"metadata facets computed on every page: {', '.join(u['default_facets'])}")
    if u.get("facets_timed_out"):
        facts.append(f"facets timed out (facet_time_limit_ms): {', '.join(u['facets_timed_out'])}")
    if u.get("filtered_table_rows_count") is not None and u["kind"] == "search":
        facts.append(f"{u['filtered_table_rows_count']:,} matching rows counted")
    scans = [line for line in u.get("plan", []) if line.startswith("SCAN") and "COVERING" not in line]
    temp = [line for line in u.get("plan", []) if "TEMP B-TREE" in line]
    if u["kind"] == "canned" and (scans or temp):
        facts.append("query plan: " + "; ".join(dict.fromkeys(scans + temp)))
    if u.get("rows_returned") is not None and u["kind"] == "canned":
        facts.append(f"{u['rows_returned']} rows returned")
    return "; ".join(facts) or "no obvious cause found by the probes"
