"""Command line: a thin click layer; each command calls one library function."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from etl import db as database
from etl import locks, settings
from etl.spec import SpecError, load_specs
from freshness import NEVER, STALE, freshness

# Wide enough for the summary table when output goes to a log file or CI.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def db_option(f):
    return click.option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path),
        default=None,
        help=f"SQLite database (default {settings.DB_PATH}).",
    )(f)


@click.group()
def cli() -> None:
    """安全生产信息公开平台 ETL: fetch every source into data/disclosure.db."""


@cli.command()
@click.option("--only", multiple=True, metavar="ID", help="Run only this source (repeatable).")
@click.option(
    "--allow-shrink",
    multiple=True,
    metavar="ID[=COUNT]",
    help="Apply this source's shorter reports (ID), or the source even though it now yields "
    "far fewer records, naming the count you checked (ID=COUNT).",
)
@click.option("--force", is_flag=True, help="Re-normalize sources whose documents did not change.")
@db_option
def run(only, allow_shrink, force, db_path) -> None:
    """Fetch, normalize and load all sources (or --only ID); exit 1 if any source failed."""
    from etl import pipeline
    from etl.pipeline import allowances

    try:
        specs = load_specs(only=list(only) or None)
        allowances(allow_shrink)
    except (SpecError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    conn = database.connect(db_path)
    try:
        with locks.exclusive(Path(db_path or settings.DB_PATH), "etl run"), console.status("") as status:
            run_id, results = pipeline.run(
                conn,
                specs,
                allow_shrink=allowances(allow_shrink),
                force=force,
                progress=lambda sid: status.update(f"正在处理来源 {sid} …"),
            )
    except locks.Busy as exc:
        raise click.ClickException(f"另一个 ETL 正在运行 (another ETL run is running): {exc}") from None
    except pipeline.Interrupted as exc:
        console.print(
            f"[red]✗ ETL 运行 {exc.run_id} 被中断 (interrupted, {exc.how})[/red]：正在处理的来源已回滚，"
            "原有数据保持不变"
        )
        sys.exit(143 if exc.how == "SIGTERM" else 130)
    print_summary(run_id, results)
    from etl import corrections

    for problem in corrections.report(conn):  # decisions not applied, or whose text changed
        console.print(f"[yellow]! 人工核对决定[/yellow]: {problem}")
    if any(r.status == "failed" for r in results):
        sys.exit(1)


def print_summary(run_id: int, results) -> None:
    table = Table(title=f"ETL 运行 {run_id}", title_justify="left")
    headings = (
        ("来源 source", "left"),
        ("状态 status", "left"),
        ("新文件", "right"),
        ("未变文件", "right"),
        ("解析", "right"),
        ("记录", "right"),
        ("新增", "right"),
        ("更新", "right"),
        ("撤下", "right"),
        ("拒收", "right"),
        ("秒", "right"),
    )
    for heading, justify in headings:
        table.add_column(heading, justify=justify)
    for r in results:
        c = r.counts
        style = {"failed": "red", "unchanged": "dim"}.get(r.status, "")
        table.add_row(
            r.source_id,
            r.status,
            str(r.fetched),
            str(r.unchanged_documents),
            str(r.parsed_documents),
            str(r.records),
            str(c.added),
            str(c.updated),
            str(c.removed),
            str(r.rejected),
            f"{sum(r.seconds.values()):.2f}",
            style=style,
        )
    console.print(table)
    for r in results:
        if r.error:
            console.print(f"[red]✗ {r.source_id} 失败[/red]（原有数据保持不变）: {r.error.splitlines()[0]}")
        if r.document_failures:
            console.print(
                f"[yellow]! {r.source_id}[/yellow]: {len(r.document_failures)} 个文件未采用"
                f" (documents not applied; see `etl rejects`):"
            )
            for url, reason in r.document_failures[:10]:
                console.print(f"    {url}: {reason}")
        if r.unmapped:
            fields = ", ".join(f"{k} ({v})" for k, v in sorted(r.unmapped.items()))
            console.print(
                f"[yellow]! {r.source_id}[/yellow]: 未映射的来源字段 (unmapped source fields): {fields}"
            )


@cli.command()
@db_option
def sources(db_path) -> None:
    """List the sources with their last run, status and freshness."""
    try:
        specs = load_specs()
    except SpecError as exc:
        raise click.ClickException(str(exc)) from None
    known, rejected = {}, {}
    if Path(db_path or settings.DB_PATH).exists():
        conn = database.connect(db_path)
        known = {row["id"]: dict(row) for row in conn.execute("SELECT * FROM sources")}
        rejected = rejects_of_last_read(conn)
    table = Table(title="数据来源 (sources)")
    table.add_column("来源 id", no_wrap=True)  # ids are what staff copy into --only
    for heading in (
        "数据集",
        "格式",
        "最近运行",
        "状态",
        "最近成功",
        "新鲜度 freshness",
        "记录数",
        "拒收 (文件)",
    ):
        table.add_column(heading)
    now = datetime.now(timezone.utc)
    for spec in specs:
        row = known.get(spec.id, {})
        rows, documents = rejected.get(spec.id, (0, 0))
        table.add_row(
            spec.id,
            spec.kind,
            spec.format,
            row.get("last_attempt_at") or "never",
            row.get("last_status") or "-",
            row.get("last_success_at") or "-",
            freshness_text(row.get("last_success_at"), spec.max_age_days, now),
            str(row.get("record_count") or "-"),
            f"{rows} ({documents})" if row else "-",
        )
    console.print(table)
    console.print(
        "拒收 (文件): rejects of the last run that read the source; in brackets the documents not "
        "applied (their records keep the last version that loaded)"
    )


def rejects_of_last_read(conn) -> dict[str, tuple[int, int]]:
    """Source id → (rejects, of which document failures) of the last run that read the source
    (not an unchanged or interrupted one: a failure stays listed until its document changes)."""
    from etl.pipeline import DOCUMENT_FAILURES

    documents = " OR ".join("r.reason LIKE ?" for _ in DOCUMENT_FAILURES)
    found = conn.execute(
        f"SELECT r.source_id, count(*), sum({documents}) FROM rejects r"
        " WHERE r.run_id = (SELECT max(s.run_id) FROM source_runs s WHERE s.source_id = r.source_id"
        "                   AND s.status NOT IN ('unchanged', 'interrupted'))"
        " GROUP BY r.source_id",
        [f"{label}%" for label in DOCUMENT_FAILURES],
    )
    return {source_id: (n, documents or 0) for source_id, n, documents in found}


def freshness_text(last_success: str | None, max_age_days: int | None, now: datetime) -> str:
    """The freshness column. The clock is now: staff ask whether to fetch again today."""
    found = freshness(last_success, max_age_days, now)
    if found.verdict == NEVER:
        return "stale (never fetched)"
    if found.verdict == STALE:
        return f"stale ({found.age_days:.0f} d > {max_age_days} d)"
    return f"fresh ({found.age_days:.1f} d)"


@cli.command()
@click.option("--run", "run_id", type=int, help="Only rejects of this run (default: the latest run).")
@click.option("--all", "all_runs", is_flag=True, help="Rejects of every run.")
@db_option
def rejects(run_id, all_runs, db_path) -> None:
    """Show rows that failed validation, with the reason and the source document."""
    conn = database.connect(db_path)
    if not all_runs and run_id is None:
        run_id = conn.execute("SELECT max(id) FROM etl_runs").fetchone()[0]
    query = "SELECT run_id, source_id, row_ref, reason FROM rejects"
    params: tuple = ()
    if not all_runs:
        query += " WHERE run_id = ?"
        params = (run_id,)
    rows = conn.execute(query + " ORDER BY run_id, source_id, id", params).fetchall()
    table = Table(title=f"拒收行 {len(rows)} 条 (rejected rows)")
    for heading in ("运行", "来源", "位置", "原因"):
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(str(row["run_id"]), row["source_id"], row["row_ref"], row["reason"])
    console.print(table)


@cli.command(name="public")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Compute every status as of this date (default: today).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Internal database to read (default: etl.settings.DB_PATH).",
)
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Public database to write (default: data/public.db).",
)
def public(as_of, db_path, out_path) -> None:
    """Build the public database (data/public.db) that the site and Datasette publish.

    Copies only what may be public as of the date; rules in docs/public-filter.md.
    """
    from etl.public import PUBLIC_DB_PATH, build_public_db

    day = as_of.date() if as_of else date.today()
    result = build_public_db(db_path or settings.DB_PATH, out_path or PUBLIC_DB_PATH, day)
    click.echo(f"{result['path']}: as of {result['as_of']}")
    for table, count in result["tables"].items():
        hidden = result["hidden"].get(table)
        click.echo(f"  {table:28} {count:7}" + (f"  ({hidden} 已停止公示)" if hidden else ""))


def _register_extra_commands() -> None:
    # check-code and parse-report live with the domain rules; `review` and `correct` with the
    # review queue and the decisions.
    import importlib

    for module_name in ("etl.cli_domain", "etl.review", "etl.corrections"):
        module = importlib.import_module(module_name)
        for command in getattr(module, "COMMANDS", []) or (
            [module.COMMAND] if hasattr(module, "COMMAND") else []
        ):
            cli.add_command(command)


_register_extra_commands()
