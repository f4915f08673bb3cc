"""Carrying the current release's unchanged files over to the next release.

Every release is a new folder (publish/releases.py), so a site built from nothing each time gave
every page a new modification time in every release (web caches lost what docs/scaling.md keeps for
them) and made each release write, scan and hash every file again: at national size 26 GB and
about 12 of a release's minutes (docs/scaling.md).

Instead the new release's site starts as hard links to the current release's files, with the
build's record of them (``SITE_STATE``, plugins/disclosure/output.py). The build then renders
only pages whose inputs changed and replaces, never writes through, a file whose bytes changed
(output.OutputTree.write and copy: a new file under the old name), so the current release is
never touched. A file still the same inode, size and modification time after the build is
*carried*: the same bytes the current release published. Then:

- the manifest takes its sha256 from the current release's manifest;
- the personal-data gate need not read it again, and the links gate need not parse it again
  when no file was removed (a removed file is the only way an unchanged page's link can break),
  provided the current release passed the same gate code (``gate_stamp``) with the same
  settings. The current release is a complete one, so every file it holds passed those gates.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from publish import manifest, releases

ROOT = Path(__file__).resolve().parent.parent
SITE_STATE = manifest.SITE_STATE
# The code whose verdict on a file a carried file inherits: the gates and the personal-data
# detectors they call (etl/normalize: masking and the ID and credit-code checks).
GATE_CODE = ("publish/gates/*.py", "etl/normalize/*.py", "etl/masking.yaml")


@dataclass
class Seed:
    previous: Path  # the release the site was seeded from
    files: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # rel -> inode, size, mtime


def gate_stamp(settings: object = None) -> str:
    """A digest of the gate code and of the settings the gates ran with."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for pattern in GATE_CODE:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def seed(previous: Path | None, release: Path) -> Seed | None:
    """Hard-link every file of ``previous``'s site into ``release``'s, and copy the build's
    record of them. None (and nothing left behind) when there is no previous site or the file
    system cannot link (another device, or links not allowed): the site is then built whole."""
    source, target = (previous / "site") if previous else None, release / "site"
    if source is None or not source.is_dir() or not (previous / SITE_STATE).is_file():
        return None
    result = Seed(previous)
    try:
        for dirpath, dirnames, filenames in os.walk(source):
            rel_dir = os.path.relpath(dirpath, source)
            rel_dir = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
            os.makedirs(os.path.join(target, rel_dir), exist_ok=True)
            for name in filenames:
                src = os.path.join(dirpath, name)
                st = os.lstat(src)
                if not stat.S_ISREG(st.st_mode):
                    continue
                os.link(src, os.path.join(target, rel_dir, name))
                result.files[rel_dir + name] = (st.st_ino, st.st_size, st.st_mtime_ns)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return None
    shutil.copyfile(previous / SITE_STATE, release / SITE_STATE)
    return result


@dataclass
class Carried:
    files: set[str] = field(default_factory=set)  # still the seeded file: same bytes as before
    removed: int = 0  # seeded files the new site no longer has
    digests: int = 0  # carried files whose sha256 the previous manifest gave
    trusted: bool = False  # the previous release passed the same gate code and settings

    @property
    def passed(self) -> set[str]:
        """Files the personal-data gate need not read again."""
        return self.files if self.trusted else set()

    @property
    def passed_links(self) -> set[str]:
        """Pages the links gate need not parse again: none once any file was removed."""
        return self.passed if not self.removed else set()


def settle(seeded: Seed | None, site: Path, stamp: str) -> Carried:
    """After the build: which seeded files are still the previous release's (same inode, size
    and mtime), how many are gone, whether its gate verdicts hold (``stamp``, see gate_stamp);
    and the manifest (and the HTML gate) are given the previous release's sha256 of each carried
    file. One lstat per file (822,000 at national size)."""
    result = Carried()
    if seeded is None:
        return result
    result.trusted = releases.info(seeded.previous).get("gate_stamp") == stamp
    recorded = manifest.read(seeded.previous)
    prefix = os.path.relpath(site, site.parent) + "/"
    root = str(site) + os.sep
    for rel, key in seeded.files.items():
        try:
            st = os.lstat(root + rel)
        except FileNotFoundError:
            result.removed += 1
            continue
        if (st.st_ino, st.st_size, st.st_mtime_ns) != key:
            continue
        result.files.add(rel)
        digest = recorded.get(prefix + rel)
        if digest:
            manifest.remember(root + rel, digest, st)
            result.digests += 1
    return result
