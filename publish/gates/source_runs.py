"""The sources gate: the shrink guard held (a failed source kept its data) and every source is fresh."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from freshness import STALE, freshness
from publish.gates.result import GateResult


def sources(internal_db: Path, on_stale: str = "warn", *, now: datetime) -> GateResult:
    """``now`` is the release's clock (publish/release.py); a stale source is a warning, or a
    problem when ``on_stale`` is "fail"."""
    result = GateResult("sources")
    conn = sqlite3.connect(f"file:{internal_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        for row in conn.execute("SELECT * FROM sources ORDER BY id"):
            if row["last_status"] == "failed":
                # the shrink guard / transaction kept the previous data: say so, don't stop
                result.warnings.append(
                    f"{row['id']}: last run failed ({(row['last_error'] or '').splitlines()[0][:200]}); previous data kept"
                )
                if row["last_success_at"] is None:
                    result.problems.append(f"{row['id']}: never loaded successfully")
            found = freshness(row["last_success_at"], row["max_age_days"], now)
            if found.verdict == STALE:
                message = f"{row['id']}: stale, last success {found.age_days:.0f} days ago (max {row['max_age_days']})"
                (result.problems if on_stale == "fail" else result.warnings).append(message)
        held = conn.execute(
            "SELECT s.id FROM sources s WHERE s.record_count > 0 AND NOT EXISTS (SELECT 1 FROM source_runs r"
            " WHERE r.source_id = s.id AND r.status IN ('ok', 'unchanged'))"
        ).fetchall()
        result.problems += [f"{r['id']}: has records but no successful run" for r in held]
    finally:
        conn.close()
    return result
