"""A cache of parse and extraction results, kept beside the document archive.

Parsing is a pure function of a document's bytes and the spec, and report extraction a pure
function of its input, so results are cached by a hash of exactly those: an unchanged document
is never parsed twice. The cache sits in the archive folder, not in the database, because raw
parse results still carry the unmasked personal data that only the archived originals may hold
(the database holds none). Deleting the folder only costs speed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

from etl import settings


def _path(key: str, archive_dir: Path | None) -> Path:
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return (archive_dir or settings.ARCHIVE_DIR) / "parsed" / digest[:2] / f"{digest}.json.gz"


def get(key: str, archive_dir: Path | None = None):
    path = _path(key, archive_dir)
    if not path.exists():
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):  # a torn write: treat as a miss
        return None


def put(key: str, payload, archive_dir: Path | None = None) -> None:
    path = _path(key, archive_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # ETL workers may write the same key at once
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as f:
        json.dump(payload, f, ensure_ascii=False)
    tmp.replace(path)
