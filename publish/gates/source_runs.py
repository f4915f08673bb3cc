"""The sources gate: the shrink guard held (a failed source kept its data) and every source is fresh."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from publish.gates.result import GateResult


def sources(internal_db: Path, freshness: str = "warn", now: datetime | None = None) -> GateResult:
    result = GateResult("sources")
    now = now or datetime.now(timezone.utc)
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
            if row["last_success_at"] and row["max_age_days"]:
                age = (now - datetime.fromisoformat(row["last_success_at"])).total_seconds() / 86400
                if age > row["max_age_days"]:
                    message = (
                        f"{row['id']}: stale, last success {age:.0f} days ago (max {row['max_age_days']})"
                    )
                    (result.problems if freshness == "fail" else result.warnings).append(message)
        held = conn.execute(
            "SELECT s.id FROM sources s WHERE s.record_count > 0 AND NOT EXISTS (SELECT 1 FROM source_runs r"
            " WHERE r.source_id = s.id AND r.status IN ('ok', 'unchanged'))"
        ).fetchall()
        result.problems += [f"{r['id']}: has records but no successful run" for r in held]
    finally:
        conn.close()
    return result
