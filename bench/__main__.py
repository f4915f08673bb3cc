"""python -m bench: run the benchmarks, print one table, write data/bench.json.

    python -m bench [--size province|national|small] [--only etl,site,datasette,release] [--quick]

Areas, in order: etl (full load, no-change run, 1% changed, sqlite-utils baseline), site
(bench/site_bench.py), datasette (national-size database, real server, 8 clients), release
(`publish release` end to end). Everything is written under data/scratch/bench-<size>/.
An area that fails is recorded under "errors" and the others still run; the exit status is 1
if any area failed (a missed target is a figure, not a failure).
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import click

from bench import datasette_bench, etl_bench, inputs, release_bench, report, site_runner
from bench.report import Figure
from bench.session import Options, Session

AREAS = {
    "etl": etl_bench.measure_etl,
    "site": site_runner.measure_site,
    "datasette": datasette_bench.measure_datasette,
    "release": release_bench.measure_release,
}


def _areas(value: str) -> tuple[str, ...]:
    names = tuple(a.strip() for a in value.split(",") if a.strip())
    unknown = [a for a in names if a not in AREAS]
    if unknown:
        raise click.BadParameter(f"unknown area(s) {', '.join(unknown)}; choose from {', '.join(AREAS)}")
    return tuple(a for a in AREAS if a in names)


@click.command()
@click.option(
    "--size",
    type=click.Choice(inputs.SIZES),
    default="province",
    show_default=True,
    help="Sources: small = the bundled samples (seconds); province = generated once into "
    "data/scratch/province; national = generated into data/scratch/national "
    "(30 × province: ≈ 15 min to generate, ≈ 40 min to load, ≈ 15 GB of disk).",
)
@click.option(
    "--only",
    "only",
    default=",".join(AREAS),
    show_default=True,
    metavar="AREAS",
    help="Comma-separated areas to run: etl, site, datasette, release.",
)
@click.option("--quick", is_flag=True, help="Fewer Datasette requests per URL (50) and shorter time caps.")
@click.option(
    "--seed",
    type=int,
    default=inputs.SEED,
    show_default=True,
    help="Seed of the generated sources and of the 1% change.",
)
@click.option("--clients", type=int, default=8, show_default=True, help="Concurrent Datasette clients.")
@click.option(
    "--requests", type=int, default=None, help="Requests per Datasette URL [default: 200, quick 50]."
)
@click.option(
    "--factor",
    type=int,
    default=None,
    help="National database = FACTOR × this size's public database [default: 30; national 1].",
)
@click.option(
    "--html-validation",
    type=click.Choice(["off", "warn", "fail", "config"]),
    default="config",
    show_default=True,
    help="The release's HTML validation gate (config: as publish/config.toml).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=inputs.ROOT / "data" / "bench.json",
    show_default=True,
    help="Where to write the figures as JSON.",
)
@click.option(
    "--scratch",
    type=click.Path(path_type=Path, file_okay=False),
    default=inputs.SCRATCH,
    show_default=True,
    help="Scratch folder for generated sources and every work file.",
)
def main(size, only, quick, seed, clients, requests, factor, html_validation, out, scratch) -> None:
    """Run the benchmarks, print one table of figures, write them to data/bench.json."""
    options = Options(
        size=size,
        areas=_areas(only),
        quick=quick,
        seed=seed,
        clients=clients,
        requests=requests or (50 if quick else 200),
        factor=factor,
        html_validation=html_validation,
        scratch=scratch.resolve(),
        out=out,
    )
    session = Session(options, inputs.workspace(size, options.scratch), report.console())
    session.log(f"bench: size {size}, areas {', '.join(options.areas)}, scratch {session.ws.home}")
    if _inputs(session):
        for area in options.areas:
            _area(session, area)
    session.add_figures(_memory_figures(session))
    document = session.document()
    report.write_json(options.out, document)
    session.console.print(
        report.table(session.figures, f"make bench — size {size}, " f"{document['machine']['nproc']} cores")
    )
    for note in session.notes:
        session.console.print(f"[dim]• {note}[/dim]")
    for area, error in session.errors.items():
        session.console.print(f"[red]✗ {area}[/red]: {error.splitlines()[0]}")
    session.console.print(f"figures written to {options.out}")
    sys.exit(1 if session.errors else 0)


def _inputs(session) -> bool:
    try:
        got = inputs.ensure_sources(session.ws, session.seed, session.log)
    except Exception as exc:  # nothing else can run without sources
        session.errors["inputs"] = f"{exc.__class__.__name__}: {exc}"
        return False
    if "step" in got:
        session.record(got.pop("step"))
    session.source_info = got
    return True


def _area(session, area: str) -> None:
    try:
        session.details[area] = AREAS[area](session)
    except Exception as exc:  # one area's failure is recorded; the others still run
        session.errors[area] = f"{exc.__class__.__name__}: {exc}"
        log = session.ws.logs / f"error-{area}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(traceback.format_exc(), encoding="utf-8")
        session.log(
            f"[red]{area} failed[/red]: {str(exc).splitlines()[0] if str(exc) else exc!r} "
            f"(traceback in {log})"
        )


def _memory_figures(session) -> list[Figure]:
    """Peak memory of every measured step (seconds beside it)."""
    return [
        Figure(
            f"peak_mib.{etl_bench.slug(s['name'])}",
            f"peak memory: {s['name']}",
            s["peak_mib"],
            "MiB",
            aside=f"{s['seconds']:,.1f} s",
        )
        for s in session.steps
    ]


if __name__ == "__main__":
    main()
