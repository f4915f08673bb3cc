"""One run at a time: an exclusive lock on a file beside what the run writes.

The lock is an `flock` on `<target>.lock`, so the kernel releases it when its holder exits in
any way, `kill -9` included: a lock can never be left behind by a dead process. The file also
records who holds it (command, process id, host, start time), so a second run is refused with a
message naming the holder. A lock file whose recorded holder is gone is only a record; the next
run takes the lock and overwrites it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator


class Busy(RuntimeError):
    """Another process holds the lock."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    return (
        f"{info.get('command', '?')} (pid {info.get('pid', '?')} on {info.get('host', '?')},"
        f" since {info.get('started_at', '?')})"
    )


@contextmanager
def exclusive(target: Path, command: str) -> Iterator[Path]:
    """Hold `<target>.lock` for the duration of the block, or raise Busy naming the holder."""
    path = Path(str(target) + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"{target} is in use by {_holder(path)}; wait for it to finish") from None
        record = {
            "command": command,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "argv": sys.argv,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record, ensure_ascii=False).encode("utf-8"), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def held(target: Path) -> bool:
    """Whether some process holds `<target>.lock` right now."""
    path = Path(str(target) + ".lock")
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
