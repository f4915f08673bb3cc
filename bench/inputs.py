"""What the benchmarks run on: the seeded source documents per size, the scratch folders, the
source specs the bench reads them with, and the facts of the machine.

Everything is written under data/scratch/ (git-ignored); data/samples/ is only ever read.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench import measure

ROOT = measure.ROOT
SCRATCH = ROOT / "data" / "scratch"
SAMPLES = ROOT / "data" / "samples"
SPECS = ROOT / "etl" / "sources"
SEED = 20261129
AS_OF = "2026-06-30"  # every status in the public database is computed for this date
SIZES = ("small", "province", "national")
MARKER = ".complete"  # written into a generated sources folder once generation succeeded
WAIT_FOR_MARKER = 600  # seconds to wait for a colleague's concurrent generation
# A list crawl stops after `list.max_pages` pages (50 in the specs: 750 reports per site). At
# province size a site lists about 4,000 reports, so the bench reads the sources through copies
# of the specs with this limit instead; the spec files themselves are not touched.
BENCH_MAX_PAGES = 100_000
# The specs' `assertions.max_records` (100,000 for most sources) is a sanity bound for one
# province's live sites; the national profile's rating lists hold 105,000-172,000 rows each, so
# the copies raise it as they raise max_pages.
BENCH_MAX_RECORDS = 100_000_000


@dataclass
class Workspace:
    """One size's scratch folders: data/scratch/bench-<size>/…"""

    size: str
    sources: Path  # the generated (or bundled) documents; read only
    home: Path

    @property
    def specs(self) -> Path:
        return self.home / "specs"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    def folder(self, name: str, fresh: bool = False) -> Path:
        path = self.home / name
        if fresh:
            shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        return path


def workspace(size: str, scratch: Path = SCRATCH) -> Workspace:
    sources = SAMPLES if size == "small" else scratch / size
    home = scratch / f"bench-{size}"
    home.mkdir(parents=True, exist_ok=True)
    return Workspace(size, sources, home)


def ensure_sources(ws: Workspace, seed: int = SEED, log=print) -> dict:
    """Make sure the size's source documents exist; return how they were obtained and when.

    small: the bundled samples. province/national: data/scratch/<size>, generated once with
    `python -m samplegen --scale <size>` and marked complete; reused while the marker is
    there. A folder without the marker is a generation in progress (perhaps a colleague's):
    wait for the marker, then use it.
    """
    if ws.size == "small":
        return {"sources": str(ws.sources), "generated": False}
    marker = ws.sources / MARKER
    if not marker.exists() and ws.sources.exists():
        log(f"waiting for {ws.sources} to be complete (up to {WAIT_FOR_MARKER // 60} min) …")
        deadline = time.monotonic() + WAIT_FOR_MARKER
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(5)
        if not marker.exists():
            raise RuntimeError(
                f"{ws.sources} exists without {MARKER} after {WAIT_FOR_MARKER} s: a generation "
                f"failed or is still running; remove the folder to regenerate"
            )
    if marker.exists():
        return {"sources": str(ws.sources), "generated": False}
    log(f"generating {ws.size}-size sources into {ws.sources} (seed {seed}) …")
    step = measure.run(
        f"generate {ws.size} sources",
        measure.python("samplegen", "--scale", ws.size, "--out", ws.sources, "--seed", seed),
        ws.logs / "generate.log",
    )
    marker.write_text(f"seed {seed}\n", encoding="utf-8")
    return {"sources": str(ws.sources), "generated": True, "step": step}


def source_counts(sources: Path) -> dict[str, int]:
    """The counts table of the generated README.md (what the generator wrote)."""
    counts = {}
    readme = sources / "README.md"
    if readme.exists():
        for name, value in re.findall(r"^\| (\w+) \| (\d+) \|$", readme.read_text("utf-8"), re.M):
            counts[name] = int(value)
    return counts


def write_specs(ws: Workspace) -> Path:
    """Copies of etl/sources/*.yaml with the list-page and record limits lifted (see
    BENCH_MAX_PAGES, BENCH_MAX_RECORDS)."""
    shutil.rmtree(ws.specs, ignore_errors=True)
    ws.specs.mkdir(parents=True)
    for spec in sorted(SPECS.glob("*.yaml")):
        text = re.sub(
            r"(?m)^(\s+max_pages:\s*)\d+", rf"\g<1>{BENCH_MAX_PAGES}", spec.read_text(encoding="utf-8")
        )
        text = re.sub(r"(?m)^(\s+max_records:\s*)\d+", rf"\g<1>{BENCH_MAX_RECORDS}", text)
        (ws.specs / spec.name).write_text(text, encoding="utf-8")
    return ws.specs


def etl_env(ws: Workspace, sources: Path, db: Path, archive: Path) -> dict[str, str]:
    """The environment that points the ETL at scratch paths (etl/settings.py)."""
    return {
        "DISCLOSURE_SAMPLES": str(sources),
        "DISCLOSURE_DB": str(db),
        "DISCLOSURE_ARCHIVE": str(archive),
        "DISCLOSURE_SOURCES": str(ws.specs),
        "PYTHONHASHSEED": "0",
    }


def machine() -> dict:
    """Facts that explain the figures: cores, memory, CPU, load, versions."""
    facts = {
        "nproc": os.cpu_count(),
        "memory_gib": round(_meminfo("MemTotal") / 2**20, 1),
        "memory_available_gib": round(_meminfo("MemAvailable") / 2**20, 1),
        "cpu": _cpu_model(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    for package in ("datasette", "pelican", "sqlite_utils", "httpx"):
        try:
            facts[package] = __import__(package).__version__
        except Exception:  # a version is a nicety, not a reason to fail
            facts[package] = _pip_version(package)
    return facts


def _meminfo(key: str) -> int:
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # KiB
    return 0


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _pip_version(package: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(package.replace("_", "-"))
    except Exception:
        return None


def git_head() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "") if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None
