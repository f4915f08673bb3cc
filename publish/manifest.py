"""The manifest: sha256 of every published file, so anyone can verify what was published when."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "manifest.json"
# Files about the release itself, not part of what it publishes.
EXCLUDED = {MANIFEST, "release.json", "log.jsonl", "changes.md", "changes.html"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(release: Path) -> dict[str, str]:
    files = {}
    for path in sorted(release.rglob("*")):
        rel = path.relative_to(release).as_posix()
        if path.is_file() and rel not in EXCLUDED:
            files[rel] = sha256_file(path)
    return files


def write(release: Path) -> dict[str, str]:
    files = build(release)
    (release / MANIFEST).write_text(json.dumps({"files": files}, indent=1, sort_keys=True), encoding="utf-8")
    return files


def read(release: Path) -> dict[str, str]:
    path = release / MANIFEST
    return json.loads(path.read_text(encoding="utf-8"))["files"] if path.exists() else {}


def verify(release: Path) -> list[str]:
    """Files whose bytes no longer match the manifest (or that are missing)."""
    recorded = read(release)
    return [rel for rel, sha in recorded.items()
            if not (release / rel).is_file() or sha256_file(release / rel) != sha]
