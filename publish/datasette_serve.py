"""Serve the public database with Datasette exactly as documented (docs/datasette.md).

    python -m publish.datasette_serve [--db data/public.db] [--host 127.0.0.1] [--port 8001]

One place knows the flags, so `make datasette`, the Docker image and the tests run the same
configuration: immutable mode (-i) with an inspect file (row counts computed once, not per
request), metadata.yml, settings.json, the Chinese templates, the one-file plugins, the static
CSS and CORS for the JSON API. Shell-free: Datasette's own CLI runs in this process. Before
serving it checks the configuration (check_startup): the pinned Datasette version, and with
DISCLOSURE_ALLOW_SQL=0 that Datasette really refuses arbitrary SQL; otherwise it refuses to start.

Environment: DISCLOSURE_ALLOW_SQL (0 = canned queries only), DISCLOSURE_SITE_URL,
DISCLOSURE_ARCHIVE_URL (see publish/datasette/plugins/), DISCLOSURE_DATASETTE_WORKERS,
DISCLOSURE_DATASETTE_WARM (0 = do not read the database into the page cache at start).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "publish" / "datasette"
METADATA = CONFIG / "metadata.yml"
SETTINGS = CONFIG / "settings.json"
TEMPLATES = CONFIG / "templates"
PLUGINS = CONFIG / "plugins"
STATIC = CONFIG / "static"


def settings() -> dict:
    """settings.json; with DISCLOSURE_ALLOW_SQL=0, default_allow_sql off (Datasette's setting)."""
    values = json.loads(SETTINGS.read_text(encoding="utf-8"))
    if not sql_allowed():
        values["default_allow_sql"] = False
    return values


def sql_allowed() -> bool:
    """DISCLOSURE_ALLOW_SQL, as the plugin that checks the switch at start-up reads it."""
    from publish.datasette.plugins import sql_switch

    return sql_switch.sql_allowed()


# Default facets (etl/schema.yaml `facets`) are computed on every page of a table; above this
# many rows they cost more than the page itself (4-6 group-bys over 0.2-1.4 million rows at
# national size), so such tables open without them and offer them on request (the column menu's
# "Facet by this", ?_facet=). docs/scaling.md, "Datasette".
DEFAULT_FACETS_MAX_ROWS = 100_000


def metadata(inspect_data: dict | None = None) -> dict:
    """metadata.yml; with an inspect file's row counts, without the default facets of tables
    larger than DEFAULT_FACETS_MAX_ROWS; with DISCLOSURE_ALLOW_SQL=0, `allow_sql: false` (the
    metadata block Datasette documents for forbidding arbitrary SQL)."""
    import yaml

    meta = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    if not sql_allowed():
        meta["allow_sql"] = False
    counts = {
        table: facts.get("count") or 0
        for table, facts in ((inspect_data or {}).get("public") or {}).get("tables", {}).items()
    }
    for table, spec in meta["databases"]["public"]["tables"].items():
        if spec.get("facets") and counts.get(table, 0) > DEFAULT_FACETS_MAX_ROWS:
            del spec["facets"]
    return meta


def datasette_kwargs(inspect_data: dict | None = None) -> dict:
    """Keyword arguments for `datasette.app.Datasette` with this configuration (tests use it)."""
    return {
        "metadata": metadata(inspect_data),
        "settings": settings(),
        "template_dir": str(TEMPLATES),
        "plugins_dir": str(PLUGINS),
        "static_mounts": [("static", str(STATIC))],
        "cors": True,
    }


def inspect_file_for(db: Path, inspect_file: Path | None = None) -> Path:
    """Write Datasette's inspect file (table counts) next to the database unless it is newer."""
    from datasette.cli import cli

    target = inspect_file or db.with_suffix(".inspect.json")
    if not target.exists() or target.stat().st_mtime < db.stat().st_mtime:
        cli.main(["inspect", str(db), "--inspect-file", str(target)], standalone_mode=False)
    return target


def metadata_file(inspect_file: Path) -> Path:
    """metadata.yml itself, or (when the database is large enough to drop default facets) the
    adjusted metadata written as JSON next to the inspect file."""
    import yaml

    meta = metadata(json.loads(inspect_file.read_text(encoding="utf-8")))
    if meta == yaml.safe_load(METADATA.read_text(encoding="utf-8")):
        return METADATA
    text = json.dumps(meta, ensure_ascii=False, indent=1)
    # a separate file when SQL is off, so servers with either switch can share the folder
    name = inspect_file.stem.replace(".inspect", "") + (
        ".metadata.json" if sql_allowed() else ".metadata-nosql.json"
    )
    # next to the inspect file (the Docker image writes it there at build time), else in the
    # temporary folder; if neither is writable, serve metadata.yml (slower pages, same data)
    for target in (inspect_file.with_name(name), Path(tempfile.gettempdir()) / name):
        try:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            return target
        except OSError:
            continue
    print(f"warning: could not write {name}; serving {METADATA} with every default facet", file=sys.stderr)
    return METADATA


def serve_args(db: Path, host: str, port: int, inspect_file: Path, base_url: str | None = None) -> list[str]:
    args = [
        "serve",
        "-i",
        str(db),
        "--inspect-file",
        str(inspect_file),
        "-h",
        host,
        "-p",
        str(port),
        "-m",
        str(metadata_file(inspect_file)),
        "--template-dir",
        str(TEMPLATES),
        "--plugins-dir",
        str(PLUGINS),
        "--static",
        f"static:{STATIC}",
        "--cors",
    ]
    for name, value in settings().items():
        args += ["--setting", name, json.dumps(value) if isinstance(value, bool) else str(value)]
    if base_url:  # served under a path by a reverse proxy (publish/nginx.conf: /datasette/)
        args += ["--setting", "base_url", base_url]
    return args


@click.command()
@click.option(
    "--db",
    "db",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=ROOT / "data" / "public.db",
    show_default=True,
    help="The public database (python -m etl public). Must be named public.db.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option(
    "--inspect-file",
    type=click.Path(path_type=Path),
    default=None,
    help="Inspect file (default: next to the database, refreshed when older).",
)
@click.option("--base-url", default=None, help="Path prefix behind a reverse proxy, e.g. /datasette/.")
@click.option(
    "--workers",
    type=int,
    default=lambda: int(os.environ.get("DISCLOSURE_DATASETTE_WORKERS", 0)),
    help="Server processes sharing the port [default: DISCLOSURE_DATASETTE_WORKERS, "
    "else one per CPU core, at most 4].",
)
def main(
    db: Path, host: str, port: int, inspect_file: Path | None, base_url: str | None, workers: int
) -> None:
    """Serve data/public.db read-only with the Chinese Datasette configuration."""
    if db.stem != "public":
        raise click.BadParameter(
            "metadata.yml describes a database named 'public' (public.db)", param_hint="--db"
        )
    sys.path.insert(0, str(ROOT))  # the plugins import etl.fts_text (one tokenizer for index and query)
    inspect = inspect_file_for(db, inspect_file)
    try:  # before any server starts: the pinned Datasette, and SQL really off when switched off
        preflight(db, inspect)
    except RuntimeError as error:  # UnsupportedDatasette, SqlSwitchError
        raise click.ClickException(f"Datasette refuses to start: {error}") from error
    workers = workers or min(os.cpu_count() or 1, 4)
    if os.environ.get("DISCLOSURE_DATASETTE_WARM", "1") != "0":
        threading.Thread(target=warm_page_cache, args=(db,), name="warm-page-cache", daemon=True).start()
    if workers == 1:
        from datasette.cli import cli

        cli.main(serve_args(db, host, port, inspect, base_url), prog_name="datasette")
        return
    # Datasette renders pages in Python, so one process uses about one core whatever its SQL
    # threads do; identical processes on one port (uvicorn workers) use them all. Each builds the
    # same app as `datasette serve` above (asgi_app) and keeps its own page cache.
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ.update(
        DISCLOSURE_DATASETTE_DB=str(db.resolve()),
        DISCLOSURE_DATASETTE_INSPECT=str(inspect.resolve()),
        DISCLOSURE_DATASETTE_BASE_URL=base_url or "",
    )
    config = uvicorn.Config(
        "publish.datasette_serve:asgi_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        lifespan="on",
    )
    sock = config.bind_socket()
    # uvicorn creates the shared socket with protocol 0, so asyncio does not set TCP_NODELAY on
    # the connections the workers accept (it checks for IPPROTO_TCP): every keep-alive response
    # then waited ~40 ms for a delayed ACK. Set on the listening socket, Linux passes it on to
    # each accepted connection (measured: 48 → 9 ms per request).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


def warm_page_cache(db: Path, chunk: int = 64 * 2**20) -> int:
    """Read the database file once into the OS page cache, in the background, so the first
    visitors of a new release do not wait for the disk: pages that read rows scattered over the
    file (a search on a common term, a filter on two columns) were 3-10 times slower from a cold
    cache at national size (7.3 GB read in 7 s; docs/scaling.md, "Datasette"). The file goes
    to /dev/null with sendfile, so the kernel copies nothing to this process (0.2 s of CPU for
    7.3 GB). Skipped when the file is larger than half of the memory available (MemAvailable,
    or the room under a container's cgroup limit), where it would only push out other cached
    files. Returns the bytes read (0 when skipped or unsupported).
    DISCLOSURE_DATASETTE_WARM=0 turns it off."""
    size = db.stat().st_size
    if size > _available_memory() // 2:
        return 0
    done = 0
    try:
        with open(db, "rb") as src, open(os.devnull, "wb") as null:
            while done < size:
                sent = os.sendfile(null.fileno(), src.fileno(), done, chunk)
                if sent <= 0:
                    break
                done += sent
    except (OSError, AttributeError):  # no sendfile to /dev/null here: serving works the same
        pass
    return done


# cgroup v2, then v1: (limit, usage). In a container /proc/meminfo shows the host's memory, and
# the page cache a read fills counts against the container's limit.
CGROUP_MEMORY = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
)


def _available_memory() -> int:
    """MemAvailable, or the room left under this process's cgroup memory limit if smaller."""
    available = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    available = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError):
        return 0
    for limit_file, usage_file in CGROUP_MEMORY:
        try:
            limit = Path(limit_file).read_text(encoding="ascii").strip()
            usage = int(Path(usage_file).read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:  # "max" (v2) or a huge number (v1): no limit
            available = min(available, max(0, int(limit) - usage))
        break
    return available


def build(db: Path, inspect: Path):
    """Datasette on `db` as `datasette serve -i DB --inspect-file …` builds it."""
    from datasette.app import Datasette

    inspect_data = json.loads(inspect.read_text(encoding="utf-8"))
    kwargs = datasette_kwargs(inspect_data)
    if os.environ.get("DISCLOSURE_DATASETTE_BASE_URL"):
        kwargs["settings"]["base_url"] = os.environ["DISCLOSURE_DATASETTE_BASE_URL"]
    return Datasette(immutables=[str(db)], inspect_data=inspect_data, **kwargs)


def asgi_app():
    """The ASGI app of one worker: what `datasette serve -i DB --inspect-file …` builds, from
    the environment main() sets (also usable with any ASGI server)."""
    db = Path(os.environ["DISCLOSURE_DATASETTE_DB"])
    inspect = Path(os.environ.get("DISCLOSURE_DATASETTE_INSPECT") or inspect_file_for(db))
    return build(db, inspect).app()


# ------------------------------------------------------------------ checks before serving

PINS = CONFIG / "requirements.txt"  # what the replica image installs
UPGRADE_DOC = "docs/datasette.md, 'Upgrading Datasette'"


class UnsupportedDatasette(RuntimeError):
    """The installed Datasette is not the version this configuration was written and tested for."""


def pinned_datasette() -> str:
    for line in PINS.read_text(encoding="utf-8").splitlines():
        if line.strip().lower().startswith("datasette=="):
            return line.split("==", 1)[1].strip()
    raise UnsupportedDatasette(f"{PINS} pins no datasette version")


def check_datasette_version(installed: str | None = None) -> str:
    """Raise UnsupportedDatasette unless the installed Datasette is the pinned one: several
    plugins rely on its internals (docs/datasette.md, 'What still patches Datasette')."""
    if installed is None:
        from datasette.version import __version__ as installed
    pinned = pinned_datasette()
    if installed != pinned:
        raise UnsupportedDatasette(
            f"Datasette {installed} is installed, this configuration is pinned to "
            f"{pinned} ({PINS.relative_to(ROOT)}); upgrade path: {UPGRADE_DOC}"
        )
    return installed


async def check_startup(ds) -> None:
    """What must hold before a server answers: the pinned Datasette, its start-up hooks run, and
    with DISCLOSURE_ALLOW_SQL=0 execute-sql refused (checked here too, not only by the plugin's
    startup hook, so the switch holds even where that hook is not called)."""
    from publish.datasette.plugins import sql_switch

    check_datasette_version()
    await ds.invoke_startup()
    if not sql_allowed():
        await sql_switch.check_sql_refused(ds)


def preflight(db: Path, inspect: Path) -> None:
    """Build the configuration once and run check_startup on it; raises if it does not hold."""
    import asyncio

    asyncio.run(check_startup(build(db, inspect)))


if __name__ == "__main__":
    main()
