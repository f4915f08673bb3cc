"""The manifest: sha256 of every published file, so anyone can verify what was published when."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from etl.digest import sha256_file

__all__ = ["sha256_file"]  # re-exported: publish/gates/ and the tests take it from here

MANIFEST = "manifest.json"
SITE_STATE = "site-state.json"  # the site build's record of its files (publish/carry.py)
# Files about the release itself, not part of what it publishes.
EXCLUDED = {MANIFEST, "release.json", "log.jsonl", "changes.md", "changes.html", SITE_STATE}


# (device, inode) -> (size, mtime, ctime, sha256) of files hashed in this process. A release
# hashes its pages twice otherwise: the HTML validation gate (to find pages not checked before)
# and then the manifest; at national size 501,000 pages, about a minute of each. Keyed by the
# inode, so one file under several names (the release's public.db, its download in the site and
# the Datasette bundle's copy are hard links to one 7 GB file) is read once.
_DIGESTS: dict[tuple[int, int], tuple] = {}
LARGE = 1 << 20


def file_digest(path: Path | str, remember: bool = True) -> str:
    """sha256_file, remembered while the file's size, mtime and ctime stay the same (any write
    changes its ctime). The manifest only looks digests up (remember=False): remembering every
    file of a national release would hold ~800,000 entries for nothing."""
    known = known_digest(path)
    if known is not None:
        return known
    st = os.stat(path)
    digest = sha256_file(path)
    if remember or (st.st_nlink > 1 and st.st_size > LARGE):  # a large file with other names
        _DIGESTS[(st.st_dev, st.st_ino)] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest)
    return digest


def known_digest(path: Path | str) -> str | None:
    """The remembered sha256 of ``path`` if it is still valid (see file_digest), else None."""
    st = os.stat(path)
    known = _DIGESTS.get((st.st_dev, st.st_ino))
    if known is not None and known[:3] == (st.st_size, st.st_mtime_ns, st.st_ctime_ns):
        return known[3]
    return None


def remember(path: Path | str, digest: str, st: os.stat_result | None = None) -> None:
    """Take ``digest`` as the sha256 of ``path`` as it is now (``st``: its stat, if just taken):
    for a file carried over from the last release unchanged (publish/carry.py), whose digest
    that release's manifest holds."""
    st = st or os.stat(path)
    _DIGESTS[(st.st_dev, st.st_ino)] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest)


def build(release: Path) -> dict[str, str]:
    rels = _files(release)
    root = str(release) + os.sep
    digests = {rel: known_digest(root + rel) for rel in rels}  # carried files: a stat each
    todo = [rel for rel, digest in digests.items() if digest is None]
    # hashlib releases the GIL on large buffers and most of a small file's cost is opening it:
    # threads keep both cores busy (104,000 files of a province release)
    with ThreadPoolExecutor(max_workers=4) as pool:
        digests.update(zip(todo, pool.map(lambda rel: file_digest(root + rel, remember=False), todo)))
    return digests


def _files(release: Path) -> list[str]:
    """Every file under the release (as Path.is_file says) but EXCLUDED, as sorted POSIX paths:
    os.scandir, since pathlib's rglob, is_file and relative_to cost seconds at 800,000 files."""
    found, stack = [], [("", str(release))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((rel + "/", entry.path))
                elif entry.is_file() and rel not in EXCLUDED:
                    found.append(rel)
    found.sort()
    return found


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
    return [
        rel
        for rel, sha in recorded.items()
        if not (release / rel).is_file() or sha256_file(release / rel) != sha
    ]
