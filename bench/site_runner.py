"""Site: calls bench/site_bench.py's `run(public_db, workdir) -> dict` in a child process (so its
wall time and peak memory are measured like every other step) and turns its dict into figures.

The dict may carry a "figures" list of {key, label, value, unit, target, met}; otherwise every
top-level number becomes a figure `site.<key>`, with the issue's targets for the keys that have
one (site_speedup ≥ 10, files rewritten by a no-change rebuild = 0, no-change ÷ full < 0.1).
If site_bench is missing or fails, the error is recorded and the other areas go on.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from bench import etl_bench, measure
from bench.report import Figure, at_least, at_most, below

TARGETS = {
    "site_speedup": lambda v: at_least(v, 10),
    "nochange_files_rewritten": lambda v: at_most(v, 0, "= 0"),
    "rebuild_files_rewritten": lambda v: at_most(v, 0, "= 0"),
    "nochange_vs_full": lambda v: below(v, 0.1, "< 0.1"),
}


def measure_site(session) -> dict:
    public_db = etl_bench.ensure_public_db(session)
    work = session.ws.folder("site")
    out = work / "result.json"
    out.unlink(missing_ok=True)
    step = session.step(
        "site benchmark (bench/site_bench.py)",
        measure.python("bench.site_runner", public_db, work / "work", out),
    )
    result = json.loads(out.read_text(encoding="utf-8"))
    if set(result) == {"error"}:
        raise RuntimeError(result["error"])
    session.add_figures(figures(result))
    return {"result": result, "step": step.as_dict()}


def figures(result: dict) -> list[Figure]:
    if isinstance(result.get("figures"), list):
        return [
            Figure(
                f"site.{f['key']}",
                f.get("label") or f["key"],
                f.get("value"),
                f.get("unit", ""),
                f.get("target"),
                f.get("met"),
            )
            for f in result["figures"]
        ]
    out = []
    for key, value in result.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            target, met = TARGETS[key](value) if key in TARGETS else (None, None)
            out.append(Figure(f"site.{key}", f"Site {key.replace('_', ' ')}", value, "", target, met))
    return out


def main(public_db: Path, workdir: Path, out: Path) -> None:
    """Child process: run site_bench and write its dict (or the error) as JSON."""
    try:
        from bench import site_bench

        result = site_bench.run(public_db, workdir)
        if not isinstance(result, dict):
            raise TypeError(f"site_bench.run returned {type(result).__name__}, not a dict")
    except Exception as exc:  # recorded in data/bench.json; the other areas still run
        result = {"error": f"{exc.__class__.__name__}: {exc}\n{traceback.format_exc(limit=8)}"}
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
