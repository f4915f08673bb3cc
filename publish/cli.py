"""`python -m publish`: the commands staff run. Each calls one function."""

from __future__ import annotations

import contextlib
import functools
import http.server
import sys
from datetime import date
from pathlib import Path

import click

from etl import locks
from etl import settings as etl_settings
from publish import deploy as deploy_module
from publish import diff as diff_module
from publish import manifest, releases
from publish.release import ROOT, Options, StepFailed, console, load_config
from publish.release import release as run_release


def dest_option(f):
    return click.option(
        "--dest",
        type=click.Path(path_type=Path),
        default=None,
        help="Destination holding releases/ and current (default from publish/config.toml: dist).",
    )(f)


def _dest(dest: Path | None) -> Path:
    return (dest or ROOT / load_config()["release"]["dest"]).resolve()


@contextlib.contextmanager
def _locked(dest: Path, command: str):
    """The destination's release lock: a switch never races a running release."""
    try:
        with locks.exclusive(dest / "release", command):
            yield
    except locks.Busy as exc:
        raise click.ClickException(str(exc)) from None


def _allowances(values) -> dict:
    from etl.pipeline import allowances

    try:
        return allowances(values)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def cli() -> None:
    """安全生产信息公开平台 publish pipeline: ETL → gates → build → atomic release → rollback."""


@cli.command()
@dest_option
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date every status is computed for (default: today).",
)
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None, help="Internal database.")
@click.option(
    "--content",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Hand-written pages folder (default content/).",
)
@click.option("--no-etl", is_flag=True, help="Build from the database as it is, without fetching.")
@click.option("--candidate", is_flag=True, help="Build and check, but do not switch current (see preview).")
@click.option("--only", multiple=True, metavar="ID", help="Run only these sources in the ETL step.")
@click.option(
    "--allow-shrink",
    multiple=True,
    metavar="ID[=COUNT]",
    help="Apply a source's shorter reports (ID), or a source that shrank to COUNT records (ID=COUNT).",
)
def release(dest, as_of, db_path, content, no_etl, candidate, only, allow_shrink) -> None:
    """Run the ETL and the gates, build a release and switch current to it atomically."""
    options = Options(
        dest=_dest(dest),
        as_of=(as_of.date() if as_of else date.today()),
        db=(db_path or etl_settings.DB_PATH).resolve(),
        content=(content or ROOT / "content").resolve(),
        run_etl=not no_etl,
        switch=not candidate,
        only_sources=list(only),
        allow_shrink=_allowances(allow_shrink),
    )
    try:
        folder = run_release(options)
    except locks.Busy as exc:
        raise click.ClickException(f"另一个发布正在进行 (another release is running): {exc}") from None
    except StepFailed as exc:
        console.print(f"[red]发布失败，当前版本保持不变 (release failed; current is unchanged).[/red]\n{exc}")
        sys.exit(1)
    state = (
        "已上线 (is now current)"
        if not candidate
        else "为候选版本 (candidate: python -m publish preview; promote)"
    )
    console.print(f"[green]版本 {folder.name} {state}[/green]")


@cli.command()
@dest_option
@click.argument("name", required=False)
def promote(dest, name) -> None:
    """Switch current to a complete release (default: the newest)."""
    dest = _dest(dest)
    folder = releases.releases_dir(dest) / name if name else (releases.all_releases(dest) or [None])[-1]
    if folder is None or not folder.exists():
        raise click.ClickException("no complete release to promote")
    with _locked(dest, "publish promote"):
        releases.switch(dest, folder)
    console.print(f"current → {folder.name}")


@cli.command()
@dest_option
def rollback(dest) -> None:
    """Switch current back to the previous release in one step."""
    dest = _dest(dest)
    with _locked(dest, "publish rollback"):
        target = releases.previous(dest)
        if target is None:
            raise click.ClickException("no previous release to roll back to")
        releases.switch(dest, target)
    console.print(f"current → {target.name} (rolled back)")


@cli.command()
@dest_option
@click.argument("old", required=False)
@click.argument("new", required=False)
def diff(dest, old, new) -> None:
    """The change report between two releases (default: the newest candidate vs current)."""
    dest = _dest(dest)
    base = releases.releases_dir(dest)
    new_folder = base / new if new else (releases.all_releases(dest) or [None])[-1]
    if new_folder is None:
        raise click.ClickException("no release yet")
    old_folder = base / old if old else releases.current(dest)
    if old_folder == new_folder and not old:
        old_folder = releases.previous(dest)
    report = diff_module.compare(old_folder, new_folder)
    diff_module.write(report, new_folder)
    console.print(diff_module.to_markdown(report))
    console.print(f"(written to {new_folder / 'changes.md'} and changes.html)")


@cli.command()
@dest_option
@click.option("--port", default=8000, show_default=True)
def preview(dest, port) -> None:
    """Serve the newest release (the candidate) on 127.0.0.1 before it goes live."""
    dest = _dest(dest)
    folders = releases.all_releases(dest)
    if not folders:
        raise click.ClickException("no release to preview")
    site = folders[-1] / "site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    console.print(f"预览 {folders[-1].name}: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()


@cli.command()
@dest_option
@click.argument("target")
def deploy(dest, target) -> None:
    """Copy current to TARGET (a local folder, or user@host:/path via the configured command)
    so the web server never serves a half-copied release."""
    dest = _dest(dest)
    folder = releases.current(dest)
    if folder is None:
        raise click.ClickException("no current release")
    try:
        where = deploy_module.deploy(folder, target, load_config()["deploy"])
    except deploy_module.DeployError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"deployed {folder.name} → {where}")


@cli.command()
@dest_option
def status(dest) -> None:
    """The current release: when it was made, by whom, from which source snapshots."""
    dest = _dest(dest)
    for unfinished in releases.failed(dest):
        data = releases.info(unfinished)
        state = data.get("status") or "unfinished"
        if state == "building":
            state = "in progress" if locks.held(dest / "release") else "interrupted"
        console.print(f"release {unfinished.name}: {state}: {data.get('error') or ''}".rstrip(": "))
    folder = releases.current(dest)
    if folder is None:
        console.print("no current release")
        return
    info = releases.info(folder)
    console.print(
        f"current: {folder.name}\nmade: {info.get('finished_at')} by {info.get('by')}\n"
        f"as of: {info.get('as_of')}\nETL run: {info.get('etl_run')}"
    )
    bad = manifest.verify(folder)
    console.print("manifest: " + ("all files match" if not bad else f"{len(bad)} files differ: {bad[:5]}"))
    for source in info.get("sources", []):
        console.print(
            f"  {source['id']}: {source['last_status']}, last success {source['last_success_at']}, "
            f"{source['record_count']} records, {source['documents']} documents "
            f"(sha256 of set {source['documents_sha256'][:12]})"
        )


@cli.command()
@dest_option
def clean(dest) -> None:
    """Remove releases that failed or were interrupted (never current or the rollback target)."""
    dest = _dest(dest)
    with _locked(dest, "publish clean"):
        for line in releases.repair(dest):
            console.print(line)
        releases.mark_interrupted(dest)
        removed = releases.remove_failed(dest)
    console.print(
        f"removed {len(removed)} unfinished release(s)"
        + (": " + ", ".join(p.name for p in removed) if removed else "")
    )
