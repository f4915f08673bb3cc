"""Rendering in parallel: the site's pages and feeds shared out over forked worker processes.

Every worker walks the same deterministic sequence of outputs and takes every n-th one (output i
goes to worker i mod n, which balances record pages and list pages alike): it builds that output's
context, checks its fingerprint against the last build, renders it and writes it only if its bytes
changed (output.py). Workers are forked after the database is loaded, so they share it
(copy-on-write) instead of reading it again, and each inherits the Jinja environment with its
compiled templates. A page's bytes depend only on its own context, never on which process renders
it, so the output is byte-identical to a serial build (tests/test_site_parallel.py checks it).

Why: rendering is CPU-bound Python (Jinja2) and a province has ~80,000 outputs; a second core
nearly halves the build (docs/scaling.md). The parent renders a share itself, so n workers are n - 1
forked processes. Plain ``fork`` + a pipe per worker, no pool: a pool's helper threads would be
running at fork time, and a worker that dies must fail the build, not hang it. ``in_background``
runs other work the same way (the open-data downloads, while the pages render).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import traceback
from typing import Any, Callable, Iterable

PARALLEL_MIN = 2000  # below this many outputs forking costs more than it saves (auto mode only)
MAX_AUTO = 8


def worker_count(setting, outputs: int) -> int:
    """DISCLOSURE_WORKERS: a number forces that many processes (1 = serial); 0 or None = one per
    available core, serial for a small site."""
    if setting:
        return max(1, int(setting))
    if outputs < PARALLEL_MIN:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_AUTO))


def render_all(outputs: Callable[[], Iterable], render: Callable, tree, workers: int) -> list:
    """Render every item of ``outputs()`` with ``render(item, tree)`` in ``workers`` processes,
    merge what each wrote into ``tree``, and return the non-None values ``render`` returned (in
    output order)."""
    if workers <= 1 or not hasattr(os, "fork"):
        return [value for _, value in _shard(outputs, render, tree, 0, 1)]
    gc.collect()
    gc.freeze()  # keep the collector from touching (and so copying) the shared data in workers
    try:
        joins = [
            in_background(lambda branch, k=k: _shard(outputs, render, branch, k, workers), tree)
            for k in range(1, workers)
        ]
        try:
            values = _shard(outputs, render, tree, 0, workers)
        finally:
            shards = [join() for join in joins]  # always reap the workers, even after an error
    finally:
        gc.unfreeze()
    for shard in shards:
        values.extend(shard)
    return [value for _, value in sorted(values)]


def _shard(outputs, render, tree, k: int, n: int) -> list:
    values = []
    for i, item in enumerate(outputs()):
        if i % n == k:
            value = render(item, tree)
            if value is not None:
                values.append((i, value))
    return values


def in_background(fn: Callable, tree) -> Callable[[], Any]:
    """Start ``fn(branch)`` in a forked process, ``branch`` being an empty branch of ``tree``.
    Returns ``join()``: it waits for the process, merges what it wrote into ``tree`` and returns
    ``fn``'s value, or raises the error that stopped it."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    proc = context.Process(target=_child, args=(fn, tree, send, receive, os.getpid()), daemon=True)
    proc.start()
    send.close()

    def join():
        try:
            try:
                status, payload = pickle.loads(receive.recv_bytes())
            except EOFError:
                proc.join()
                raise RuntimeError(f"build worker {proc.name} died (exit code {proc.exitcode})") from None
        finally:
            receive.close()
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
        if status != "ok":
            raise RuntimeError(f"build worker failed:\n{payload}")
        delta, value = payload
        tree.merge(delta)
        return value

    return join


def _child(fn, tree, send, receive, parent: int) -> None:
    # The parent may be killed (out of memory, Ctrl-C, a time limit): the worker must not live
    # on holding a copy of the data. It dies with the parent (Linux), and does not keep the
    # pipe's read end open, so a send to a parent that is gone fails instead of blocking forever
    # (a national build left a 13 GB worker asleep in a pipe write that way).
    receive.close()
    _die_with_parent(parent)
    try:
        branch = tree.branch()
        value = fn(branch)
        result = ("ok", (branch.delta(), value))
    except BaseException:  # noqa: BLE001 - everything goes back to the parent, which raises
        result = ("error", traceback.format_exc())
    send.send_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()


def _die_with_parent(parent: int) -> None:
    """prctl(PR_SET_PDEATHSIG, SIGKILL) where available; then exit if ``parent`` (the pid that
    forked this process) already died."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
