"""The Datasette gate: every canned query in the Datasette configuration runs on the candidate database."""

from __future__ import annotations

from pathlib import Path

from publish.gates.result import GateResult


def canned_queries(public_db: Path) -> GateResult:
    """Every canned query in the Datasette configuration runs on the candidate database."""
    from publish import datasette_check

    result = GateResult("Datasette canned queries")
    result.problems = datasette_check.run_all(public_db)
    return result
