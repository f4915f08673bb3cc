"""Paths and knobs, in one place. Environment variables override the defaults.

DISCLOSURE_DB        the SQLite database the ETL writes (default data/disclosure.db)
DISCLOSURE_ARCHIVE   folder of archived source documents, gzip by sha256 (default data/archive)
DISCLOSURE_SOURCES   folder of source spec files (default etl/sources)
DISCLOSURE_SAMPLES   folder of bundled sample sources (default data/samples)
DISCLOSURE_SAMPLES_URL  base URL that {samples} in spec URLs expands to (default: file:// of the above)
DISCLOSURE_PROVINCE  province code (default 620000 甘肃省); selects data/reference/regions_<code>.csv
DISCLOSURE_ETL_WORKERS  processes that normalize a large source (default: cores, at most 4;
                     1 = in the ETL's own process; etl/prepare.py)
DISCLOSURE_CORRECTIONS  folder of staff decisions on extracted facts, one YAML file per table
                     (default data/corrections; docs/review.md)
DISCLOSURE_RELEASES  the publish destination `etl review` reads the current release from
                     (default dist, as publish/config.toml)
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
REFERENCE = DATA / "reference"


def int_env(name: str) -> int:
    """A whole-number knob read when it is used (0 when unset), so a test or a run can set it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return 0
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _path(env: str, default: Path) -> Path:
    value = os.environ.get(env)
    return Path(value).resolve() if value else default


DB_PATH = _path("DISCLOSURE_DB", DATA / "disclosure.db")
ARCHIVE_DIR = _path("DISCLOSURE_ARCHIVE", DATA / "archive")
SOURCES_DIR = _path("DISCLOSURE_SOURCES", ROOT / "etl" / "sources")
SAMPLES_DIR = _path("DISCLOSURE_SAMPLES", DATA / "samples")
# Staff decisions (etl correct): kept with the deployment, applied after extraction on every run.
CORRECTIONS_DIR = _path("DISCLOSURE_CORRECTIONS", DATA / "corrections")
RELEASES_DIR = _path("DISCLOSURE_RELEASES", ROOT / "dist")
PROVINCE_CODE = os.environ.get("DISCLOSURE_PROVINCE", "620000")
# What {samples} in a spec URL expands to: the samples folder as file://, or (tests, demos of
# the HTTP path) a local web server serving that folder.
SAMPLES_URL = os.environ.get("DISCLOSURE_SAMPLES_URL") or SAMPLES_DIR.as_uri()

# HTTP fetching
HTTP_TIMEOUT = float(os.environ.get("DISCLOSURE_HTTP_TIMEOUT", "20"))  # seconds, connect and read
HTTP_RETRIES = int(os.environ.get("DISCLOSURE_HTTP_RETRIES", "3"))
HTTP_BACKOFF = float(os.environ.get("DISCLOSURE_HTTP_BACKOFF", "0.5"))  # seconds, doubled per retry
HTTP_MAX_BYTES = int(os.environ.get("DISCLOSURE_HTTP_MAX_BYTES", str(50 * 1024 * 1024)))
USER_AGENT = "disclosure-etl/0.1 (+work-safety transparency platform)"

# A source whose record count falls below this share of the previous run is not applied
# unless the operator passes --allow-shrink.
SHRINK_RATIO = 0.5
