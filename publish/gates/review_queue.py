"""The review gate: a report new since the current release has no low-confidence fact that
nobody has corrected or confirmed (etl/review.py), or, in mode `mark`, such facts are shown 待核实."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from publish.gates.result import GateResult, limit

REVIEW_MODES = ("fail", "mark")


def review_mode(config: dict) -> str:
    """The `review` gate's mode: DISCLOSURE_REVIEW_GATE, else publish/config.toml, else mark."""
    mode = os.environ.get("DISCLOSURE_REVIEW_GATE") or config.get("gates", {}).get("review", "mark")
    if mode not in REVIEW_MODES:
        raise ValueError(f"gates.review must be one of {', '.join(REVIEW_MODES)}, not {mode!r}")
    return mode


def review(internal_db: Path, current: Path | None, mode: str = "mark") -> GateResult:
    """Reports first seen after the ETL run `current` (the release now published; None: none
    yet) with a low-confidence fact no staff decision covers (etl review, docs/review.md). A
    wrong death count or enterprise published by an authority is the worst error this system
    can make: `fail` stops the release until someone decides (etl correct); `mark` lets it
    through, and the pages show those facts as 待核实 (etl/public.py rule 10)."""
    from etl import review as queue

    result = GateResult("review")
    since = (
        json.loads((current / "release.json").read_text(encoding="utf-8")).get("etl_run")
        if current is not None and (current / "release.json").exists()
        else None
    )
    conn = sqlite3.connect(f"file:{internal_db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        found = queue.blocking(conn, since)
    finally:
        conn.close()
    listed = [
        f"{i.record} {i.title}：{queue.LABELS.get(i.field, i.field)}（{i.field}）= "
        f"{'空' if i.value is None else i.value}，{queue.REASONS.get(i.reason, '可信程度低')}"
        for i in found
    ]
    result.counts = {
        "since_run": since,
        "unreviewed": len(found),
        "records": len({i.record for i in found}),
        "mode": mode,
    }
    if found and mode == "fail":
        result.problems = limit(listed) + [
            "用 python -m etl review 查看，python -m etl correct 更正或确认后再发布"
        ]
    elif found:
        result.warnings = [f"{len(found)} 项低置信度事实未经人工核对，网站标为“待核实”："] + limit(listed)
    return result
