"""The manifest: sha256 of every published file, so anyone can verify what was published when."""
from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

MANIFEST = "manifest.json"
SITE_STATE = "site-state.json"  # the site build's record of its files (publish/carry.py)
# Files about the release itself, not part of what it publishes.
EXCLUDED = {MANIFEST, "release.json", "log.jsonl", "changes.md", "changes.html", SITE_STATE}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# (device, inode) -> (size, mtime, ctime, sha256) of files hashed in this process. A release
# hashes its pages twice otherwise: the HTML validation gate (to find pages not checked before)
# and then the manifest; at national size 501,000 pages, about a minute of each. Keyed by the
# inode, so one file under several names (the release's public.db, its download in the site and
# the Datasette bundle's copy are hard links to one 7 GB file) is read once.
_DIGESTS: dict[tuple[int, int], tuple] = {}
LARGE = 1 << 20


def file_digest(path: Path, remember: bool = True) -> str:
    """sha256_file, remembered while the file's size, mtime and ctime stay the same (any write
    changes its ctime). The manifest only looks digests up (remember=False): remembering every
    file of a national release would hold ~800,000 entries for nothing."""
    st = os.stat(path)
    known = _DIGESTS.get((st.st_dev, st.st_ino))
    if known is not None and known[:3] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns):
        return known[3]
    digest = sha256_file(path)
    if remember or (st.st_nlink > 1 and st.st_size > LARGE):  # a large file with other names
        _DIGESTS[(st.st_dev, st.st_ino)] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest)
    return digest


def remember(path: Path, digest: str) -> None:
    """Take ``digest`` as the sha256 of ``path`` as it is now: for a file carried over from the
    last release unchanged (publish/carry.py), whose digest that release's manifest holds."""
    st = os.stat(path)
    _DIGESTS[(st.st_dev, st.st_ino)] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest)


def build(release: Path) -> dict[str, str]:
    paths = [path for path in sorted(release.rglob("*"))
             if path.is_file() and path.relative_to(release).as_posix() not in EXCLUDED]
    # hashlib releases the GIL on large buffers and most of a small file's cost is opening it:
    # threads keep both cores busy (104,000 files of a province release)
    with ThreadPoolExecutor(max_workers=4) as pool:
        digests = pool.map(lambda path: file_digest(path, remember=False), paths)
        return {path.relative_to(release).as_posix(): digest for path, digest in zip(paths, digests)}


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
