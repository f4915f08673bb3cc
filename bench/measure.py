"""Running one benchmark step in a child process and measuring it: wall time and peak memory.

Peak memory is taken two ways and the larger is reported as the step's peak:
* `peak_process_mib`: the kernel's maximum resident set size of the child and every descendant
  it waited for (os.wait4's ru_maxrss: the largest single process, not a sum);
* `peak_tree_mib`: the sum of the resident memory of the whole process tree, sampled from
  /proc every 0.2 s, so that a step running several processes at once (Pelican's workers, a
  server and its threads) counts all of them. Spikes shorter than the interval can be missed,
  which is why the kernel's figure is kept too.

A process that memory-maps a file it reads (Datasette with mmap on the public database) has the
file's pages in its resident set: page cache the kernel shares and can drop, not memory the
process allocated. For such a step (`maps_files=True`) the peak is the sampled tree sum of
anonymous and shared-memory pages only (RssAnon + RssShmem); the kernel's figure, which counts
mapped file pages, is still recorded as peak_process_mib.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SAMPLE_INTERVAL = 0.2  # seconds between /proc samples
_PAGE = os.sysconf("SC_PAGE_SIZE")
_MIB = 1024 * 1024


@dataclass
class Step:
    name: str
    seconds: float
    peak_mib: float
    peak_process_mib: float
    peak_tree_mib: float
    returncode: int
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def as_dict(self) -> dict:
        return asdict(self)


class StepFailed(RuntimeError):
    """A measured child process exited non-zero; the message ends with its log's last lines."""


class Process:
    """A measured child process: start it, then `wait()` (or `stop()` a server) for its Step."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        log: Path,
        env: dict | None = None,
        cwd: Path = ROOT,
        maps_files: bool = False,
    ):
        self.name, self.log, self.maps_files = name, Path(log), maps_files
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(self.log, "wb")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: stop() reaches all
        )
        self._tree_peak = 0
        self._done = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def running(self) -> bool:
        """Still running (not exited). Never reaps it: wait4 in wait() must see the exit."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            return False
        return stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3] not in (b"Z", b"X")

    def wait(self, timeout: float | None = None) -> Step:
        """Wait for the child to exit (killing its group after `timeout` seconds)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                return self._finish(status, usage)
            if deadline is not None and time.monotonic() > deadline:
                self._signal(signal.SIGKILL)
                _, status, usage = os.wait4(self.proc.pid, 0)
                step = self._finish(status, usage)
                step.returncode = step.returncode or -9
                return step
            time.sleep(0.05)

    def stop(self, grace: float = 20.0) -> Step:
        """Ask a server to shut down (SIGINT, as Ctrl-C would), then wait for it."""
        self._signal(signal.SIGINT)
        return self.wait(timeout=grace)

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def _finish(self, status: int, usage) -> Step:
        seconds = time.perf_counter() - self.started
        self._done.set()
        self._sampler.join()
        self._out.close()
        self.proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not Popen
        process_peak = usage.ru_maxrss * 1024 / _MIB  # Linux reports KiB
        tree_peak = self._tree_peak * _PAGE / _MIB
        peak = tree_peak if self.maps_files else max(process_peak, tree_peak)
        return Step(
            self.name,
            round(seconds, 3),
            round(peak, 1),
            round(process_peak, 1),
            round(tree_peak, 1),
            self.proc.returncode,
            str(self.log),
        )

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_INTERVAL):
            self._tree_peak = max(self._tree_peak, tree_rss_pages(self.proc.pid, self.maps_files))


def run(
    name: str,
    argv: list[str],
    log: Path,
    env: dict | None = None,
    timeout: float | None = None,
    check: bool = True,
) -> Step:
    """Run `argv` to completion as a measured step; raise StepFailed if it fails and `check`."""
    step = Process(name, argv, log, env).wait(timeout)
    if check and not step.ok:
        raise StepFailed(f"{name} exited with {step.returncode}; last lines of {log}:\n{tail(log)}")
    return step


def python(module: str, *args: str) -> list[str]:
    """argv for `python -m module args…` with this interpreter (the project's venv)."""
    return [PYTHON, "-m", module, *map(str, args)]


def tail(path: Path, lines: int = 15) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def tree_rss_pages(root: int, anonymous: bool = False) -> int:
    """Resident pages of `root` and all its descendants, from /proc (0 if it is gone); with
    `anonymous`, without file-backed pages (RssAnon + RssShmem)."""
    return sum(_anonymous_pages(pid) if anonymous else _rss_pages(pid) for pid in _process_tree(root))


def tree_cpu_seconds(root: int) -> float:
    """CPU seconds (user + system) used so far by `root` and its live descendants, from /proc:
    the difference across a load says what a server spent per request (processes that exited
    in between are not counted)."""
    return sum(map(_cpu_ticks, _process_tree(root))) / os.sysconf("SC_CLK_TCK")


def _process_tree(root: int) -> list[int]:
    """`root` and its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            parent = _ppid(entry.name)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        fields = stat[stat.rindex(b")") + 2 :].split()
        return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    except (OSError, ValueError, IndexError):
        return 0


def _ppid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return None
    # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _rss_pages(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _anonymous_pages(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            fields = dict(line.split(b":", 1) for line in f.read().splitlines() if b":" in line)
        kib = sum(int(fields[k].split()[0]) for k in (b"RssAnon", b"RssShmem") if k in fields)
    except (OSError, ValueError):
        return 0
    return kib * 1024 // _PAGE
