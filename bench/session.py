"""One benchmark run: its options, its scratch workspace, and what it has measured so far
(steps with wall time and peak memory, figures, notes, and errors per area)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench import inputs, measure
from bench.report import Figure


@dataclass
class Options:
    size: str = "province"
    areas: tuple[str, ...] = ("etl", "site", "datasette", "release")
    quick: bool = False
    seed: int = inputs.SEED
    clients: int = 8  # concurrent clients in the Datasette load loop
    requests: int = 200  # requests per URL in the load loop
    factor: int | None = None  # national database = factor × this size's public database
    html_validation: str = "config"  # the release's HTML validation gate: off | warn | fail | config
    scratch: Path = inputs.SCRATCH
    out: Path = inputs.ROOT / "data" / "bench.json"


@dataclass
class Session:
    options: Options
    ws: inputs.Workspace
    console: object
    steps: list[dict] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    details: dict[str, dict] = field(default_factory=dict)
    internal_db: Path | None = None  # the ETL's database once a full load has run
    sources_dir: Path | None = None  # the copy of the sources that database was loaded from
    ran_etl: bool = False  # the ETL area ran in this session (so the public db is rebuilt)
    public_db: Path | None = None
    source_info: dict = field(default_factory=dict)  # where the sources came from (generated?)
    started_at: str = field(default_factory=lambda: _now())

    @property
    def seed(self) -> int:
        return self.options.seed

    def log(self, message: str) -> None:
        self.console.print(f"[dim]{datetime.now():%H:%M:%S}[/dim] {message}")

    def step(
        self,
        name: str,
        argv: list[str],
        env: dict | None = None,
        timeout: float | None = None,
        log_name: str | None = None,
    ) -> measure.Step:
        """Run one measured step in a child process; record it; raise StepFailed on failure."""
        self.log(f"{name} …")
        log = self.ws.logs / (log_name or _slug(name) + ".log")
        step = measure.run(name, argv, log, env=env, timeout=timeout, check=False)
        self.record(step)
        if not step.ok:
            raise measure.StepFailed(
                f"{name} exited with {step.returncode}; last lines of {log}:\n{measure.tail(log)}"
            )
        return step

    def record(self, step: measure.Step) -> None:
        self.steps.append(step.as_dict())
        self.log(f"{step.name}: {step.seconds:.1f} s, peak {step.peak_mib:,.0f} MiB")

    def add_figures(self, figures: list[Figure]) -> None:
        self.figures.extend(figures)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def document(self) -> dict:
        """Everything measured, for data/bench.json."""
        o = self.options
        return {
            "started_at": self.started_at,
            "finished_at": _now(),
            "size": o.size,
            "areas": list(o.areas),
            "quick": o.quick,
            "git": inputs.git_head(),
            "inputs": {
                "seed": o.seed,
                "sources": str(self.ws.sources),
                **self.source_info,
                "source_counts": inputs.source_counts(self.ws.sources),
                "as_of": inputs.AS_OF,
                "clients": o.clients,
                "requests_per_url": o.requests,
                "national_factor": o.factor,
                "html_validation": o.html_validation,
            },
            "machine": inputs.machine(),
            "figures": {f.key: f.as_dict() for f in self.figures},
            **self.details,
            "steps": self.steps,
            "notes": self.notes,
            "errors": self.errors,
        }


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "step"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
