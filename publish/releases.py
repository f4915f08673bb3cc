"""Release folders under a destination, and the `current` link that the web server follows.

    <dest>/releases/<timestamp>/   one complete release (site/, data/, datasette/, manifest.json …)
    <dest>/current -> releases/<timestamp>     switched with one atomic rename

A release becomes visible only by the switch; a failed release never touches `current`.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

RELEASE_FILE = "release.json"


class ReleaseError(RuntimeError):
    pass


def releases_dir(dest: Path) -> Path:
    return dest / "releases"


def new_release(dest: Path) -> Path:
    """A fresh, empty release folder named by the UTC time (sortable, unique)."""
    base = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    folder = releases_dir(dest) / base
    n = 1
    while folder.exists():
        n += 1
        folder = releases_dir(dest) / f"{base}-{n}"
    folder.mkdir(parents=True)
    return folder


def all_releases(dest: Path, complete_only: bool = True) -> list[Path]:
    """Release folders, oldest first; by default only those that finished (have release.json
    with status ok)."""
    folder = releases_dir(dest)
    if not folder.exists():
        return []
    found = sorted(p for p in folder.iterdir() if p.is_dir())
    return [p for p in found if not complete_only or info(p).get("status") == "ok"]


def info(release: Path) -> dict:
    path = release / RELEASE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_info(release: Path, data: dict) -> None:
    tmp = release / (RELEASE_FILE + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(release / RELEASE_FILE)


def current(dest: Path) -> Path | None:
    link = dest / "current"
    if not link.is_symlink():
        return None
    return (dest / os.readlink(link)).resolve()


def switch(dest: Path, release: Path) -> None:
    """Point `current` at the release with one rename (atomic on POSIX): a reader sees the old
    release or the new one, never a missing or half-written link."""
    if info(release).get("status") != "ok":
        raise ReleaseError(f"{release.name} is not a complete release")
    link = dest / "current"
    tmp = dest / f".current.{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(release, dest))
    os.replace(tmp, link)
    _record(dest, release)


def previous(dest: Path) -> Path | None:
    """The complete release before `current` (what rollback goes back to)."""
    now = current(dest)
    complete = all_releases(dest)
    if now is None or now not in complete:
        return complete[-2] if len(complete) >= 2 else None
    index = complete.index(now)
    return complete[index - 1] if index > 0 else None


INTERRUPTED = "interrupted: the release process ended before the release was complete"


def mark_interrupted(dest: Path) -> list[Path]:
    """Mark failed every release a killed run left unfinished. Only call with the release lock
    held (publish/release.py): then no release is being built, so any unfinished one is dead."""
    found = []
    for folder in all_releases(dest, complete_only=False):
        data = info(folder)
        if data.get("status") in (None, "building"):
            data.update(status="failed", error=INTERRUPTED)
            write_info(folder, data)
            found.append(folder)
    return found


def repair(dest: Path) -> list[str]:
    """Undo what a switch killed half-way leaves (call with the release lock held): a temporary
    `.current.<pid>` link that never replaced `current`, and a history whose last line does not
    name the release `current` points at (killed between the rename and the append)."""
    done = []
    for stray in dest.glob(".current.*"):
        if stray.is_symlink():
            stray.unlink()
            done.append(f"removed stray link {stray.name}")
    now = current(dest)
    history = dest / "history.jsonl"
    lines = history.read_text(encoding="utf-8").splitlines() if history.exists() else []
    last = json.loads(lines[-1]).get("current") if lines else None
    if now is not None and last != now.name:
        _record(dest, now, note="recorded after an interrupted switch")
        done.append(f"history: recorded current {now.name}")
    return done


def _record(dest: Path, release: Path, **extra) -> None:
    with open(dest / "history.jsonl", "a", encoding="utf-8") as f:
        f.write(
            json.dumps(
                {
                    "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "current": release.name,
                    **extra,
                },
                ensure_ascii=False,
            )
            + "\n"
        )


def failed(dest: Path) -> list[Path]:
    """Releases that did not finish (failed or interrupted), oldest first."""
    return [p for p in all_releases(dest, complete_only=False) if info(p).get("status") != "ok"]


def _protected(dest: Path) -> set:
    return {current(dest), previous(dest)}


def remove_failed(dest: Path) -> list[Path]:
    """Delete every release that did not finish (never current nor the rollback target)."""
    protected = _protected(dest)
    doomed = [p for p in failed(dest) if p not in protected]
    for folder in doomed:
        shutil.rmtree(folder)
    return doomed


def prune(dest: Path, keep: int) -> list[Path]:
    """Delete the complete releases beyond the newest `keep` and every failed one, never the
    release `current` points at nor the one rollback would go back to."""
    protected = _protected(dest)
    complete = all_releases(dest)
    doomed = [p for p in complete[:-keep] if p not in protected] if keep > 0 else []
    for folder in doomed:
        shutil.rmtree(folder)
    return doomed + remove_failed(dest)
