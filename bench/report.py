"""The one table `make bench` prints and the JSON file (data/bench.json) with the same figures.

A figure is a key, a label, a value with its unit, and optionally a target and whether this
run met it (None: no target, or the value is missing).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table


@dataclass
class Figure:
    key: str
    label: str
    value: object
    unit: str = ""
    target: str | None = None
    met: bool | None = None
    aside: str | None = None  # shown after the value in the table (e.g. the p50 beside a p95)
    extra: dict = field(default_factory=dict)  # more numbers for the JSON file

    def as_dict(self) -> dict:
        out = asdict(self)
        out.pop("key")
        out.pop("aside")
        out.update(out.pop("extra"))
        return out


def at_least(value, threshold, text: str | None = None) -> tuple[str, bool | None]:
    return (text or f"≥ {threshold:,}"), (None if value is None else value >= threshold)


def at_most(value, threshold, text: str | None = None) -> tuple[str, bool | None]:
    return (text or f"≤ {threshold:,}"), (None if value is None else value <= threshold)


def below(value, threshold, text: str) -> tuple[str, bool | None]:
    return text, (None if value is None else value < threshold)


def show(value, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if abs(value) >= 1000:
            text = f"{value:,.0f}"
        else:
            text = f"{value:,.3g}" if abs(value) < 10 else f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".rstrip() if unit and unit != "×" else (text + unit if unit else text)


def table(figures: list[Figure], title: str) -> Table:
    out = Table(title=title, title_justify="left")
    out.add_column("figure")
    out.add_column("value", justify="right")
    out.add_column("target", justify="right")
    out.add_column("met?", justify="center")
    for f in figures:
        met = {True: "[green]yes[/green]", False: "[red]NO[/red]", None: ""}[f.met]
        value = show(f.value, f.unit) + (f" [dim]({f.aside})[/dim]" if f.aside else "")
        out.add_row(f.label, value, f.target or "", met)
    return out


def console() -> Console:
    # Wide enough for the table when output goes to a log file or CI.
    return Console(highlight=False, width=None if sys.stdout.isatty() else 140)


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(
        json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    temporary.replace(path)
