"""The site folder walked once: what the gates that read every file list, without a stat per file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Tree:
    """What Path.rglob lists under a folder, from one walk: entries as relative POSIX paths in
    sorted(Path) order (folders behind symlinks not entered, as rglob), and the regular files
    and folders that are not symlinks, so a link that resolves needs no stat."""

    entries: list[tuple[str, bool]]  # (path, is a file as Path.is_file says)
    files: set[str]
    dirs: set[str]


def walk(folder: Path) -> Tree:
    entries, files, dirs = [], set(), {""}
    if not folder.is_dir():  # as rglob: nothing
        return Tree(entries, files, set())
    stack = [("", str(folder))]
    while stack:
        prefix, path = stack.pop()
        try:
            with os.scandir(path) as it:
                listing = list(it)
        except PermissionError:  # as rglob
            continue
        for entry in listing:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                dirs.add(rel)
                stack.append((rel + "/", entry.path))
                entries.append((rel, False))
            else:
                is_file = entry.is_file()
                if is_file and not entry.is_symlink():
                    files.add(rel)
                entries.append((rel, is_file))
    entries.sort(key=lambda e: e[0].split("/"))
    return Tree(entries, files, dirs)


def suffix(name: str) -> str:
    i = name.rfind(".")  # as PurePath.suffix
    return name[i:] if 0 < i < len(name) - 1 else ""
