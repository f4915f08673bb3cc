"""Command line: python -m samplegen --out data/samples --seed 20261129 [--scale sample]."""

from __future__ import annotations

from pathlib import Path

import click

from . import PROFILES, generate


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data/samples"),
    show_default=True,
    help="Folder to write the sample sources into.",
)
@click.option(
    "--seed", type=int, default=20261129, show_default=True, help="Random seed; same seed, same bytes."
)
@click.option(
    "--scale",
    type=click.Choice(sorted(PROFILES)),
    default="sample",
    show_default=True,
    help="Size profile: sample (bundled demo data), province or national (benchmarks).",
)
def main(out: Path, seed: int, scale: str) -> None:
    """Write the bundled sample sources (示例数据) and _truth.json."""
    counts = generate(out, seed, PROFILES[scale])
    for name, value in counts.items():
        click.echo(f"{name:22} {value}")


if __name__ == "__main__":
    main()
