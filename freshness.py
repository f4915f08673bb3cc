"""Whether a source's data is too old: the one verdict behind `etl sources`, the site's notice
beside 数据截至, the release's sources gate and the release record. Pure: every caller passes its
own clock. A top-level module, not part of etl/, because the site imports it and the site
imports nothing from the ETL package (tests/test_site_without_etl.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

FRESH, STALE, NEVER = "fresh", "stale", "never"


@dataclass(frozen=True)
class Freshness:
    verdict: str  # FRESH, STALE (older than max_age_days) or NEVER (no successful fetch)
    age_days: float | None  # days from the last success to the clock; None when never fetched


def freshness(last_success_at: str | None, max_age_days: int | None, now: datetime) -> Freshness:
    """The verdict on a source last fetched successfully at ``last_success_at`` (ISO 8601; the
    ETL writes UTC, and a stamp without an offset is read as UTC), as seen at ``now``. Without a
    ``max_age_days`` a fetched source is never stale. Raises ValueError for an unreadable stamp."""
    if not last_success_at:
        return Freshness(NEVER, None)
    success = datetime.fromisoformat(last_success_at)
    if success.tzinfo is None:
        success = success.replace(tzinfo=timezone.utc)
    age = (now - success).total_seconds() / 86400
    return Freshness(STALE if max_age_days and age > max_age_days else FRESH, age)


def start_of(day: date) -> datetime:
    """The clock of a build made as of a date: the day's first moment in UTC. With UTC stamps
    this is the same verdict as counting whole days between the two dates."""
    return datetime.combine(day, time.min, tzinfo=timezone.utc)
