"""Deploying the current release's site to where the web server reads it, atomically.

A local target is a symlink the web server's document root points to: the release is copied
complete beside it, then the link is swapped with one rename, so a request sees the old tree or
the new one, never a half-copied mix. A remote target runs the configured command (rsync with
--delay-updates by default), which has the same property on the server side.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path


class DeployError(RuntimeError):
    pass


def deploy(release: Path, target: str, config: dict) -> str:
    if _is_remote(target):
        return _remote(release, target, config["remote_command"])
    return str(_local(release / "site", Path(target), release.name))


def _is_remote(target: str) -> bool:
    head = target.split("/", 1)[0]
    return ":" in head and not Path(target).exists()


def _local(site: Path, target: Path, release_name: str, keep: int = 3) -> Path:
    """Copy the site into <parent>/.<name>.d/<release>/, then point the symlink <target> at it
    with one rename: the web server follows the old tree or the new one, never a mix."""
    target = Path(os.path.abspath(target))
    store = target.with_name(f".{target.name}.d")
    store.mkdir(parents=True, exist_ok=True)
    copy = store / release_name
    incoming = store / f".{release_name}.incoming"
    if not copy.exists():
        if incoming.exists():
            shutil.rmtree(incoming)
        shutil.copytree(site, incoming)
        os.replace(incoming, copy)
    if target.exists() and not target.is_symlink():
        raise DeployError(f"{target} exists and is not a deployment link; move it away first")
    link = store / f".link.{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(copy)
    os.replace(link, target)
    for old in sorted(p for p in store.iterdir() if p.is_dir() and not p.name.startswith("."))[:-keep]:
        if old != copy:
            shutil.rmtree(old)
    return target


def _remote(release: Path, target: str, template: str) -> str:
    command = template.format(src=shlex.quote(str(release)), target=shlex.quote(target))
    proc = subprocess.run(command, shell=True, capture_output=True, text=True)
    if proc.returncode != 0:
        raise DeployError(f"`{command}` failed ({proc.returncode}): {proc.stderr.strip()[-1000:]}")
    return target
