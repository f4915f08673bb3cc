"""Releases under faults: two runs at once, kill -9 at a step, unfinished folders, pruning and a
missing HTML validator (publish/release.py, publish/releases.py, etl/locks.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import locks
from publish import gates, releases
from publish.gates import vnu
from publish.release import ROOT, release
from tests.test_publish import options


def _wait(predicate, seconds: float = 30.0, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def test_a_second_release_into_the_same_destination_is_refused_naming_the_holder(tmp_path):
    dest = tmp_path / "dist"
    with locks.exclusive(dest / "release", "publish release (the first one)"):
        with pytest.raises(locks.Busy, match=r"publish release \(the first one\) \(pid \d+ on "):
            release(options(tmp_path, run_etl=False))
    assert not releases.all_releases(dest, complete_only=False)  # nothing was started


def test_the_cli_refuses_a_concurrent_release_and_rollback(tmp_path):
    dest = tmp_path / "dist"
    with locks.exclusive(dest / "release", "publish release"):
        for args in (["release", "--no-etl"], ["rollback"], ["clean"]):
            done = subprocess.run(
                [sys.executable, "-m", "publish", *args, "--dest", str(dest)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert done.returncode != 0 and f"pid {os.getpid()}" in done.stderr, (args, done.stderr)


def test_a_lock_dies_with_its_holder(tmp_path):
    """kill -9 leaves no stale lock: the kernel drops an flock with its process."""
    target = tmp_path / "disclosure.db"
    script = (
        "import sys, time\nfrom pathlib import Path\nfrom etl import locks\n"
        f"with locks.exclusive(Path({str(target)!r}), 'etl run'):\n"
        "    print('locked', flush=True)\n    time.sleep(60)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    assert locks.held(target)
    with pytest.raises(locks.Busy, match="etl run"):
        with locks.exclusive(target, "second"):
            pass
    holder.kill()
    holder.wait(timeout=10)
    assert not locks.held(target)
    with locks.exclusive(target, "second"):
        assert json.loads(Path(str(target) + ".lock").read_text())["command"] == "second"


def test_a_step_does_not_outlive_a_release_killed_with_sigkill():
    script = (
        "import os, time\nfrom publish.release import _in_child\nprint(os.getpid(), flush=True)\n"
        "_in_child(time.sleep, 60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    pid = int(parent.stdout.readline())
    children = _wait(lambda: open(f"/proc/{pid}/task/{pid}/children").read().split())
    child = int(children[0])
    os.kill(pid, signal.SIGKILL)  # the parent alone
    parent.wait(timeout=10)

    def gone():
        try:
            return open(f"/proc/{child}/stat").read().split()[2] == "Z"
        except FileNotFoundError:
            return True

    try:
        _wait(gone, seconds=10)
    except AssertionError:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the step's process kept running after its release was killed") from None


def _fake(dest: Path, name: str, status: str | None) -> Path:
    folder = releases.releases_dir(dest) / name
    folder.mkdir(parents=True)
    if status is not None:
        releases.write_info(folder, {"status": status})
    return folder


def test_prune_counts_complete_releases_and_keeps_current_and_the_rollback_target(tmp_path):
    dest = tmp_path / "dist"
    names = [f"20260101T00000{i}" for i in range(6)]
    a, b, broken, c, d, building = [
        _fake(dest, n, s) for n, s in zip(names, ["ok", "ok", "failed", "ok", "ok", "building"])
    ]
    releases.switch(dest, b)  # current is an old one: b; rollback would go to a
    assert releases.previous(dest) == a
    releases.mark_interrupted(dest)
    assert releases.info(building)["status"] == "failed" and "interrupted" in releases.info(building)["error"]
    removed = releases.prune(dest, keep=2)
    # keep 2 complete (c, d); a and b are older but current and the rollback target stay;
    # the failed and the interrupted ones go
    assert sorted(p.name for p in removed) == sorted([broken.name, building.name])
    assert [p.name for p in releases.all_releases(dest)] == [a.name, b.name, c.name, d.name]
    releases.switch(dest, d)  # now rollback goes to c, and a and b are beyond the two kept
    assert sorted(p.name for p in releases.prune(dest, keep=2)) == [a.name, b.name]


def test_a_release_killed_mid_way_is_shown_interrupted_and_removed_by_clean(internal_db, tmp_path):
    dest = tmp_path / "dist"
    env = dict(os.environ, DISCLOSURE_ARCHIVE_DIR=str(tmp_path / "archive"))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "publish",
            "release",
            "--no-etl",
            "--dest",
            str(dest),
            "--db",
            str(internal_db),
            "--as-of",
            "2026-06-30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    folder = _wait(lambda: next(iter(releases.all_releases(dest, complete_only=False)), None))
    _wait(lambda: (folder / "log.jsonl").exists())  # a step has run
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert releases.info(folder)["status"] == "building"
    status = subprocess.run(
        [sys.executable, "-m", "publish", "status", "--dest", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert f"release {folder.name}: interrupted" in status.stdout
    assert not locks.held(dest / "release")
    clean = subprocess.run(
        [sys.executable, "-m", "publish", "clean", "--dest", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert clean.returncode == 0 and folder.name in clean.stdout and not folder.exists()
    assert not (dest / "current").exists()  # no stray link


def test_html_validation_fail_mode_fails_without_the_checker(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    monkeypatch.setattr(vnu, "VNU_JAR", tmp_path / "missing" / "vnu.jar")
    assert not gates.html_validation(site, "fail").ok
    warned = gates.html_validation(site, "warn")
    assert warned.ok and warned.warnings


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root can mount one here); else None."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    yield mount if done.returncode == 0 else None
    if done.returncode == 0:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_reported_as_such_and_leaves_current_alone(
    internal_db, tmp_path, small_disk, monkeypatch
):
    """A release into a destination with no room: the failure names the full disk, the failure
    path raises nothing of its own, and the unfinished release is marked by the next run. Where no
    small volume can be mounted, the disk fills (ENOSPC) at the public-database step instead."""
    import errno

    from publish import release as release_module
    from publish.release import StepFailed

    base = small_disk or tmp_path
    if small_disk is None:

        def full(*args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device", str(base))

        monkeypatch.setattr(release_module, "_public", full)
    opts = dataclasses.replace(options(base, run_etl=False), db=internal_db)
    with pytest.raises(StepFailed, match="磁盘空间不足"):
        release(opts)
    assert releases.current(opts.dest) is None
    unfinished = releases.all_releases(opts.dest, complete_only=False)
    assert len(unfinished) == 1 and releases.info(unfinished[0]).get("status") in ("failed", "building")
    releases.mark_interrupted(opts.dest)
    assert releases.failed(opts.dest) == unfinished


def test_a_second_etl_run_on_the_same_database_is_refused(tmp_path):
    db = tmp_path / "disclosure.db"
    with locks.exclusive(db, "etl run (the first one)"):
        done = subprocess.run(
            [sys.executable, "-m", "etl", "run", "--db", str(db)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0 and "etl run (the first one)" in done.stderr, done.stderr
    import sqlite3

    assert sqlite3.connect(db).execute("SELECT count(*) FROM etl_runs").fetchone()[0] == 0  # nothing ran


def test_a_switch_killed_half_way_is_repaired(tmp_path):
    """Killed after the temporary link was made, or after the rename but before the history line:
    the next release or `publish clean` removes the stray link and records the true current."""
    dest = tmp_path / "dist"
    a, b = _fake(dest, "20260101T000000", "ok"), _fake(dest, "20260101T000001", "ok")
    releases.switch(dest, a)
    (dest / ".current.4242").symlink_to(os.path.relpath(b, dest))  # never renamed
    os.replace(dest / ".current.4242", dest / "current")  # renamed, history not written
    (dest / ".current.4343").symlink_to(os.path.relpath(a, dest))  # another never renamed
    done = subprocess.run(
        [sys.executable, "-m", "publish", "clean", "--dest", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert not list(dest.glob(".current.*"))
    history = [json.loads(line)["current"] for line in (dest / "history.jsonl").read_text().splitlines()]
    assert history == [a.name, b.name] and releases.current(dest) == b
    assert releases.repair(dest) == []  # nothing left to repair


def test_an_etl_run_killed_with_sigkill_is_recorded_as_interrupted_by_the_next(tmp_path):
    import sqlite3

    db = tmp_path / "disclosure.db"
    env = dict(os.environ, DISCLOSURE_ARCHIVE=str(tmp_path / "archive"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "run", "--db", str(db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def started():
        try:
            return sqlite3.connect(db).execute("SELECT count(*) FROM etl_runs").fetchone()[0] > 0
        except sqlite3.Error:
            return False

    _wait(started)
    proc.kill()
    proc.wait(timeout=10)
    assert sqlite3.connect(db).execute("SELECT status FROM etl_runs").fetchall() == [("running",)]
    done = subprocess.run(
        [sys.executable, "-m", "etl", "run", "--db", str(db), "--only", "gs-tjj-annual-statistics"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    statuses = sqlite3.connect(db).execute("SELECT status FROM etl_runs ORDER BY id").fetchall()
    assert statuses == [("interrupted",), ("ok",)]
