"""`release`: run the ETL, then the gates, then build everything into a new release folder, and
switch `current` to it atomically. A failed step leaves `current` exactly as it was."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import getpass
import hashlib
import json
import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from rich.console import Console

from etl import locks
from freshness import STALE, freshness, start_of
from publish import carry, diff, gates, manifest, releases

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "publish" / "config.toml"
console = Console(highlight=False)


class StepFailed(RuntimeError):
    """A step or gate failed; the message says what and where."""


def load_config(path: Path = CONFIG) -> dict:
    with open(path, "rb") as f:
        return tomllib.load(f)


@dataclass
class Options:
    dest: Path
    as_of: date
    db: Path
    content: Path = ROOT / "content"
    run_etl: bool = True
    switch: bool = True
    only_sources: list[str] = field(default_factory=list)
    allow_shrink: dict[str, int | None] = field(default_factory=dict)  # --allow-shrink ID[=COUNT]
    config: dict = field(default_factory=load_config)


class Log:
    """A JSON-lines log per release: one line per step with its duration and counts."""

    def __init__(self, path: Path):
        self.path = path

    def write(self, **entry) -> None:
        """Append one line. On a full disk the line is printed instead: a log that cannot be
        written must not turn a reported failure into a crash of its own."""
        entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **entry}
        line = json.dumps(entry, ensure_ascii=False, default=str)
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
        except OSError as exc:
            console.print(f"[yellow]log not written ({describe(exc)}): {line}[/yellow]")


def describe(exc: BaseException) -> str:
    """An error as staff should read it; a full disk is named as such, whichever layer saw it."""
    text = f"{exc.__class__.__name__}: {exc}"
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
        isinstance(exc, sqlite3.Error) and "disk is full" in str(exc)
    ):
        return f"磁盘空间不足 (no space left on device): {text}"
    return text


def release(options: Options) -> Path:
    """Build a release; return its folder. Raises StepFailed (current untouched) on failure, and
    locks.Busy when another release into the same destination is running."""
    options.dest.mkdir(parents=True, exist_ok=True)
    with locks.exclusive(options.dest / "release", "publish release"):
        releases.repair(options.dest)
        releases.mark_interrupted(options.dest)
        return _release(options)


def _release(options: Options) -> Path:
    folder = releases.new_release(options.dest)
    log = Log(folder / "log.jsonl")
    state: dict = {
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "as_of": options.as_of.isoformat(),
        "by": _who(),
        "status": "building",
    }
    releases.write_info(folder, state)
    steps = _steps(options, folder, state)
    try:
        for name, action in steps:
            _run_step(name, action, log)
    except StepFailed as exc:
        state.update(status="failed", error=str(exc), finished_at=_now())
        try:
            releases.write_info(folder, state)
        except OSError as write_error:  # full disk: the next release marks it (mark_interrupted)
            console.print(f"[yellow]release.json not written: {describe(write_error)}[/yellow]")
        log.write(step="release", status="failed", error=str(exc))
        raise
    state.update(status="ok", finished_at=_now())
    releases.write_info(folder, state)
    report = diff.compare(releases.current(options.dest), folder)
    diff.write(report, folder)
    console.print(diff.to_markdown(report))
    if options.switch:
        releases.switch(options.dest, folder)
        log.write(step="switch", status="ok", current=folder.name)
        releases.prune(options.dest, int(options.config["release"].get("keep", 20)))
    return folder


def _steps(o: Options, folder: Path, state: dict) -> list[tuple[str, Callable[[], dict | None]]]:
    public_db = folder / "data" / "public.db"
    site_dir = folder / "site"
    cfg = o.config
    site_url = cfg["release"].get("site_url", "")
    # what the current release's gates passed holds for files carried over unchanged while the
    # gate code and its settings are the same (publish/carry.py)
    state["gate_stamp"] = carry.gate_stamp({"site_url": site_url})
    carried: dict[str, carry.Carried] = {"site": carry.Carried()}  # filled by the site step
    return [
        ("ETL", lambda: _etl_in_child(o, state)),
        ("public database", lambda: _in_child(_public, o, public_db)),
        ("gate: personal data in the databases", lambda: _gate(gates.personal_data(None, [o.db, public_db]))),
        ("gate: statuses", lambda: _gate(gates.statuses(public_db, o.as_of))),
        (
            "gate: sources",
            lambda: _gate(gates.sources(o.db, cfg["gates"].get("freshness", "warn"), now=start_of(o.as_of))),
        ),
        ("gate: review", lambda: _gate(gates.review(o.db, releases.current(o.dest), gates.review_mode(cfg)))),
        ("site", lambda: _site(public_db, site_dir, o.content, releases.current(o.dest), state, carried)),
        ("search index", lambda: _search_index(site_dir)),
        ("Datasette bundle", lambda: _datasette_bundle(public_db, folder / "datasette")),
        (
            "gate: personal data in the site and downloads",
            lambda: _gate(gates.personal_data(site_dir, [], passed=carried["site"].passed)),
        ),
        (
            "gate: site pages, links and hosts",
            lambda: _gate(
                gates.site(site_dir, (site_url,) if site_url else (), passed=carried["site"].passed_links)
            ),
        ),
        (
            "gate: HTML validation",
            lambda: _gate(
                gates.html_validation(
                    site_dir,
                    cfg["gates"].get("html_validation", "fail"),
                    cache=o.dest / HTML_VALID_CACHE,
                    max_pages=int(cfg["gates"].get("html_validation_max_pages", 0)),
                )
            ),
        ),
        ("gate: Datasette canned queries", lambda: _gate(gates.canned_queries(public_db))),
        ("manifest", lambda: {"files": len(manifest.write(folder))}),
    ]


# sha256 of every page that passed the W3C Nu checker (gates.html_validation), beside the releases
HTML_VALID_CACHE = "html-valid.txt"

# What staff read on the terminal; the log keeps the stable English step names.
STEP_LABELS = {
    "ETL": "抓取与入库 (ETL)",
    "public database": "生成公开库",
    "gate: personal data in the databases": "检查：数据库中的个人信息",
    "gate: statuses": "检查：失信名单、整改评估、隐患督办、公示期状态",
    "gate: sources": "检查：数据来源",
    "gate: review": "检查：待人工核对的事实",
    "site": "生成网站",
    "search index": "全文检索索引",
    "Datasette bundle": "Datasette 部署包",
    "gate: personal data in the site and downloads": "检查：网站与下载文件中的个人信息",
    "gate: site pages, links and hosts": "检查：必备页面、内部链接、外部资源",
    "gate: HTML validation": "检查：HTML 规范",
    "gate: Datasette canned queries": "检查：Datasette 预设查询",
    "manifest": "文件清单 (sha256)",
}


def _run_step(name: str, action, log: Log) -> None:
    started = time.perf_counter()
    label = STEP_LABELS.get(name, name)
    with console.status(f"[bold]{label}[/bold] …"):
        try:
            counts = action() or {}
        except StepFailed as exc:
            seconds = round(time.perf_counter() - started, 3)
            console.print(f"[red]✗ {label}[/red] ({seconds:.1f} s)\n{exc}")
            log.write(step=name, status="failed", seconds=seconds, error=str(exc))
            raise StepFailed(f"{name}: {exc}") from None
        except Exception as exc:  # any crash in a step is a failed release, never a half switch
            seconds = round(time.perf_counter() - started, 3)
            console.print(f"[red]✗ {label}[/red] ({seconds:.1f} s): {describe(exc)}")
            log.write(step=name, status="failed", seconds=seconds, error=describe(exc))
            raise StepFailed(f"{name}: {describe(exc)}") from exc
    seconds = round(time.perf_counter() - started, 3)
    warnings = counts.pop("warnings", []) if isinstance(counts, dict) else []
    for warning in warnings:
        console.print(f"[yellow]! {label}[/yellow]: {warning}")
    console.print(f"[green]✓ {label}[/green] ({seconds:.1f} s)")
    log.write(step=name, status="ok", seconds=seconds, counts=counts, warnings=warnings)


def _gate(result: gates.GateResult) -> dict:
    if not result.ok:
        raise StepFailed("\n".join(f"  - {p}" for p in result.problems))
    return {**result.counts, "warnings": result.warnings}


def _in_child(function, *args):
    """function(*args) in a forked process; its result (picklable) comes back, its memory goes
    back to the system when it ends. The ETL holds a source's documents and the public database
    build its tables' rows: at national size (30 × province) the release process had kept 7 GB
    after the ETL and reached 19 GB before the switch (docs/scaling.md). A failure comes back as
    the same StepFailed or as a RuntimeError with the child's traceback; a child that dies (e.g.
    killed for memory) is a StepFailed with its exit code."""
    context = multiprocessing.get_context("fork")  # the child sees this process's state as is
    receiver, sender = context.Pipe(duplex=False)

    parent = os.getpid()

    def child() -> None:
        _die_with(parent)
        try:
            outcome = ("ok", function(*args))
        except StepFailed as exc:
            outcome = ("step failed", str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
            outcome = ("error", f"{describe(exc)}\n{traceback.format_exc()}")
        sender.send(outcome)

    process = context.Process(target=child)
    process.start()
    sender.close()
    try:
        kind, value = receiver.recv()  # before join: a large result must not fill the pipe
    except EOFError:
        process.join()
        raise StepFailed(
            f"the step's process ended without a result (exit code {process.exitcode})"
        ) from None
    except BaseException:  # interrupted (Ctrl-C in this process): the step must not go on alone
        process.terminate()  # an unfinished ETL transaction is rolled back by SQLite
        process.join()
        raise
    finally:
        receiver.close()
    process.join()
    if kind == "step failed":
        raise StepFailed(value)
    if kind == "error":
        raise RuntimeError(value)
    return value


def _die_with(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux PR_SET_PDEATHSIG), so a
    release killed with SIGKILL leaves no step writing on its own. Elsewhere, nothing."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _etl_in_child(o: Options, state: dict) -> dict:
    def etl() -> tuple[dict, dict]:
        found: dict = {}
        return _etl(o, found), found

    counts, found = _in_child(etl)
    state.update(found)
    return counts


def _etl(o: Options, state: dict) -> dict:
    from etl import db as database
    from etl import pipeline
    from etl.spec import load_specs

    conn = database.connect(o.db)
    try:
        before = _max_run(conn)
        if o.run_etl:
            try:
                with locks.exclusive(o.db, "publish release (ETL)"):
                    run_id, results = pipeline.run(
                        conn, load_specs(only=o.only_sources or None), allow_shrink=o.allow_shrink
                    )
            except locks.Busy as exc:
                raise StepFailed(str(exc)) from None
        else:
            run_id, results = before, []
        state["etl_run"] = run_id
        state["sources"] = _sources_snapshot(conn, o.as_of)
        state["rejects_added"] = {
            r["source_id"]: r["n"]
            for r in conn.execute(
                "SELECT source_id, count(*) AS n FROM rejects WHERE run_id > ? GROUP BY source_id",
                (before or 0,),
            )
        }
    finally:
        conn.close()
    failed = [r.source_id for r in results if r.status == "failed"]
    return {
        "run_id": run_id,
        "sources": len(results),
        "failed": failed,
        "warnings": [f"source {s} failed; its previous data is kept" for s in failed],
    }


def _max_run(conn) -> int | None:
    return conn.execute("SELECT max(id) FROM etl_runs").fetchone()[0]


def _sources_snapshot(conn, as_of: date) -> list[dict]:
    """Which source snapshot each release was built from: last success and document hashes.
    Staleness is judged as of the release's date, the clock its pages and sources gate use too."""
    now = start_of(as_of)
    out = []
    for row in conn.execute("SELECT * FROM sources ORDER BY id"):
        docs = [
            r[0]
            for r in conn.execute(
                "SELECT sha256 FROM documents WHERE source_id = ? AND gone_since IS NULL ORDER BY url, sha256",
                (row["id"],),
            )
        ]
        out.append(
            {
                "id": row["id"],
                "last_status": row["last_status"],
                "last_error": row["last_error"],
                "last_success_at": row["last_success_at"],
                "record_count": row["record_count"],
                "documents": len(docs),
                "documents_sha256": hashlib.sha256("".join(docs).encode()).hexdigest(),
                "stale": freshness(row["last_success_at"], row["max_age_days"], now).verdict == STALE,
            }
        )
    return out


def _public(o: Options, public_db: Path) -> dict:
    from etl.public import build_public_db

    public_db.parent.mkdir(parents=True, exist_ok=True)
    result = build_public_db(o.db, public_db, o.as_of)
    return result if isinstance(result, dict) else {}


def _site(
    public_db: Path, site_dir: Path, content: Path, previous: Path | None, state: dict, carried: dict
) -> dict:
    """Build the site into the release, starting from hard links to the current release's site
    (publish/carry.py); ``carried["site"]`` says what the gates and the manifest may take over."""
    folder = site_dir.parent
    seeded = carry.seed(previous, folder)
    env = dict(
        os.environ,
        DISCLOSURE_PUBLIC_DB=str(public_db),
        DISCLOSURE_CONTENT=str(content),
        DISCLOSURE_OUTPUT_STATE=str(folder / carry.SITE_STATE),
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(content),
            "-s",
            str(ROOT / "publishconf.py"),
            "-o",
            str(site_dir),
            "--fatal",
            "warnings",
            "-q",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise StepFailed(f"pelican failed:\n{(proc.stderr or proc.stdout)[-3000:]}")
    counts = {"pages": sum(name.endswith(".html") for _, _, names in os.walk(site_dir) for name in names)}
    if seeded is not None:
        carried["site"] = settled = carry.settle(seeded, site_dir, state["gate_stamp"])
        state["carried_from"] = seeded.previous.name
        counts.update(
            carried_from=seeded.previous.name,
            carried=len(settled.files),
            removed=settled.removed,
            digests_reused=settled.digests,
        )
    return counts


def _search_index(site_dir: Path) -> dict:
    """The site plugin builds the Pagefind index during the build (copying only changed index
    files); here we check it is there and record its size."""
    index = site_dir / "pagefind"
    if not (index / "pagefind.js").is_file():
        raise StepFailed(f"no search index at {index} (is pagefind[extended] installed?)")
    files = [p for p in index.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def _datasette_bundle(public_db: Path, out: Path) -> dict:
    """What a Datasette replica needs: the database, its inspect file and the configuration."""
    from publish import datasette_check

    return datasette_check.bundle(public_db, out)


def _who() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except Exception:  # no user database in some containers
        return "unknown"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
