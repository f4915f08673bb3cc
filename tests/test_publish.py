"""The publish pipeline end to end on the sample sources, in a temporary destination."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys

import pytest

from etl import settings
from publish import manifest, releases
from publish.release import ROOT, Options, StepFailed, load_config, release
from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("publish")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ARCHIVE_DIR", base / "archive")
        yield base


def options(base, **kwargs) -> Options:
    config = copy.deepcopy(load_config())
    config["gates"]["html_validation"] = kwargs.pop("html_validation", "off")
    return Options(dest=base / "dist", as_of=AS_OF, db=base / "disclosure.db", config=config, **kwargs)


@pytest.fixture(scope="module")
def first(workspace):
    folder = release(options(workspace, html_validation="fail"))
    return folder


def test_release_succeeds_and_current_points_at_it(workspace, first):
    dest = workspace / "dist"
    assert releases.current(dest) == first
    info = releases.info(first)
    assert info["status"] == "ok" and info["as_of"] == AS_OF.isoformat() and info["sources"]
    assert (first / "site" / "index.html").is_file() and (first / "data" / "public.db").is_file()
    assert (first / "site" / "pagefind").is_dir()
    assert manifest.verify(first) == []
    files = manifest.read(first)
    assert "data/public.db" in files and any(k.startswith("site/") for k in files)
    steps = [json.loads(line) for line in (first / "log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {s["step"] for s in steps} >= {
        "ETL",
        "site",
        "gate: personal data in the site and downloads",
        "manifest",
    }
    assert all("seconds" in s for s in steps if s["step"] not in ("switch",))


def test_second_release_without_source_changes_reports_no_changes(workspace, first):
    second = release(options(workspace))
    assert releases.current(workspace / "dist") == second
    text = (second / "changes.md").read_text(encoding="utf-8")
    assert "无变化" in text
    old, new = manifest.read(first), manifest.read(second)
    assert old["data/public.db"] == new["data/public.db"] or _same_rows(first, second)
    differing = [k for k in new if old.get(k) != new[k] and k != "data/public.db"]
    # only files carrying the build stamp may differ
    assert len(differing) <= 0.05 * len(new), differing[:10]


def _same_rows(a, b) -> bool:
    from publish.diff import compare

    return compare(a, b).empty


def test_unmasked_id_in_a_hand_written_page_fails_the_gate_and_current_is_unchanged(workspace, first):
    dest = workspace / "dist"
    before = releases.current(dest)
    content = workspace / "content"
    shutil.copytree(ROOT / "content", content, dirs_exist_ok=True)
    page = next(content.rglob("*.md"))
    page.write_text(
        page.read_text(encoding="utf-8") + "\n\n联系人身份证号 620102198001011239\n", encoding="utf-8"
    )
    with pytest.raises(StepFailed, match="personal data"):
        release(options(workspace, content=content, run_etl=False))
    assert releases.current(dest) == before
    failed = releases.all_releases(dest, complete_only=False)[-1]
    assert releases.info(failed)["status"] == "failed"


def test_rollback_restores_the_previous_release(workspace, first):
    dest = workspace / "dist"
    now = releases.current(dest)
    previous = releases.previous(dest)
    assert previous is not None and previous != now
    proc = subprocess.run(
        [sys.executable, "-m", "publish", "rollback", "--dest", str(dest)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert releases.current(dest) == previous


def test_deploy_to_a_local_folder_is_complete_and_atomic(workspace, first):
    dest = workspace / "dist"
    target = workspace / "www" / "site"
    target.parent.mkdir()
    for _ in range(2):  # first deploy, then a redeploy over a live target
        proc = subprocess.run(
            [sys.executable, "-m", "publish", "deploy", "--dest", str(dest), str(target)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
    current = releases.current(dest)
    expected = {k[len("site/") :]: v for k, v in manifest.read(current).items() if k.startswith("site/")}
    deployed = {
        p.relative_to(target).as_posix(): manifest.sha256_file(p) for p in target.rglob("*") if p.is_file()
    }
    assert deployed == expected
    assert target.is_symlink()  # swapped with one rename, never copied into place
    assert not [p for p in target.parent.rglob(".*incoming*")]


def test_status_reports_the_current_release(workspace, first):
    proc = subprocess.run(
        [sys.executable, "-m", "publish", "status", "--dest", str(workspace / "dist")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, COLUMNS="200"),
    )
    assert proc.returncode == 0
    assert releases.current(workspace / "dist").name in proc.stdout
    assert "all files match" in proc.stdout


def test_a_file_digest_is_reused_only_while_the_file_is_untouched(tmp_path):
    """publish/manifest.py file_digest: the HTML gate's page digests serve the manifest, but a
    file rewritten with the same size and its mtime set back is hashed again (ctime moved)."""
    import hashlib
    import os
    import time

    from publish import manifest

    page = tmp_path / "index.html"
    page.write_bytes(b"<p>A</p>")
    assert manifest.file_digest(page) == hashlib.sha256(b"<p>A</p>").hexdigest()
    before = os.stat(page)
    time.sleep(0.02)  # past the file system's timestamp granularity
    with open(page, "r+b") as f:
        f.write(b"<b>")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert manifest.file_digest(page) == hashlib.sha256(b"<b>A</p>").hexdigest()
    assert manifest.build(tmp_path) == {"index.html": hashlib.sha256(b"<b>A</p>").hexdigest()}


def test_the_change_report_names_what_changed_between_two_public_databases(public_db, tmp_path):
    """publish/diff.py: rows added, changed (a volatile column alone is no change) and removed per
    table; blacklist entries newly listed, expired and removed early; accidents newly overdue and
    newly assessed. Read table by table from the two releases' public.db files."""
    import sqlite3 as sql

    from publish.diff import compare, to_markdown

    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        (folder / "data").mkdir(parents=True)
        shutil.copy(public_db, folder / "data" / "public.db")
    with sql.connect(new / "data" / "public.db") as c:
        active = [r[0] for r in c.execute("select id from blacklist where in_force = 1 order by id limit 3")]
        expired_name, removed_name = (
            c.execute("select subject_name from blacklist where id = ?", (i,)).fetchone()[0]
            for i in active[:2]
        )
        c.execute(
            "update blacklist set in_force = 0, status = 'expired', status_zh = '已期满' where id = ?",
            (active[0],),
        )
        c.execute(
            "update blacklist set in_force = 0, status = 'removed', status_zh = '已移出' where id = ?",
            (active[1],),
        )
        c.execute(
            "insert into blacklist (id, subject_name, in_force, status) values ('new-entry', '示例新列入公司', 1, 'active')"
        )
        due, assessed = (
            c.execute(
                f"select id, title from accidents where rect_status = '{s}' order by id limit 1"
            ).fetchone()
            for s in ("due", "not_due")
        )
        c.execute("update accidents set rect_status = 'overdue' where id = ?", (due[0],))
        c.execute(
            "update accidents set rect_status = 'assessed', assessment_result = '整改到位' where id = ?",
            (assessed[0],),
        )
        gone = c.execute("select id from enterprises order by id limit 1").fetchone()[0]
        c.execute("delete from enterprises where id = ?", (gone,))
        touched = c.execute("select id from credit_ratings order by id limit 2").fetchall()
        c.execute(
            "update credit_ratings set last_seen_run = last_seen_run + 1 where id = ?", touched[0]
        )  # volatile
        c.execute("update credit_ratings set rating = rating || '（变）' where id = ?", touched[1])

    report = compare(old, new)
    assert report.tables["blacklist"] == {
        "added": ["new-entry"],
        "changed": sorted(active[:2]),
        "removed": [],
    }
    assert report.tables["accidents"]["changed"] == sorted([due[0], assessed[0]])
    assert report.tables["enterprises"] == {"added": [], "changed": [], "removed": [gone]}
    assert report.tables["credit_ratings"]["changed"] == [str(touched[1][0])]
    assert not any(
        any(v.values())
        for t, v in report.tables.items()
        if t not in ("blacklist", "accidents", "enterprises", "credit_ratings")
    )
    assert report.blacklist == {
        "added": ["示例新列入公司"],
        "expired": [f"{expired_name}（已期满）"],
        "removed": [f"{removed_name}（已移出）"],
    }
    assert report.rectification == {"overdue": [due[1]], "completed": [f"{assessed[1]}（整改到位）"]}
    assert "| 严重失信主体名单 | 1 | 2 | 0 |" in to_markdown(report)
    assert compare(old, old).empty and not compare(None, old).empty
    assert compare(None, old).tables["blacklist"]["added"]


_KEPT: list = []


def _allocate_and_keep(megabytes: int) -> int:
    """Memory a step keeps after it returns (as the ETL's freed objects stayed in the process)."""
    block = bytearray(megabytes * 2**20)
    for i in range(0, len(block), 4096):  # touch every page: resident, not just reserved
        block[i] = 1
    _KEPT.append(block)
    return sum(block[::4096])


def _resident_kib() -> int:
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))


def test_a_step_in_a_child_process_returns_its_result_and_gives_its_memory_back():
    """publish/release.py _in_child (the ETL and public-database steps): the result comes back,
    the memory the step used does not stay in the release process, a StepFailed stays one, any
    other error comes back with its traceback, and a child that dies is a failed step."""
    from publish.release import _in_child

    before = _resident_kib()
    assert _in_child(_allocate_and_keep, 300) == 300 * 2**20 // 4096
    assert _resident_kib() - before < 50 * 1024 and not _KEPT  # the 300 MB went with the child

    def fails():
        raise StepFailed("gate said no")

    def crashes():
        return {}["missing"]

    def dies():
        os._exit(9)

    with pytest.raises(StepFailed, match="^gate said no$"):
        _in_child(fails)
    with pytest.raises(RuntimeError, match=r"KeyError: 'missing'(.|\n)*in crashes"):
        _in_child(crashes)
    with pytest.raises(StepFailed, match="exit code 9"):
        _in_child(dies)


def test_an_interrupted_release_stops_its_child_step():
    """publish/release.py _in_child: Ctrl-C (SIGINT) in the release process ends the forked step
    too, instead of leaving the ETL running on its own."""
    import signal
    import time

    script = (
        "import os, time\nfrom publish.release import _in_child\nprint(os.getpid(), flush=True)\n"
        "_in_child(time.sleep, 60)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    pid = int(parent.stdout.readline())
    children: list[str] = []
    for _ in range(100):
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        if children:
            break
        time.sleep(0.05)
    assert children, "no child step started"
    os.kill(pid, signal.SIGINT)  # the parent alone, not its process group
    assert parent.wait(timeout=20) != 0
    child = int(children[0])
    for _ in range(100):
        if not os.path.exists(f"/proc/{child}") or open(f"/proc/{child}/stat").read().split()[2] == "Z":
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("the child step outlived the interrupted release")
