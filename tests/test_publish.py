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
    assert {s["step"] for s in steps} >= {"ETL", "site", "gate: personal data in the site and downloads", "manifest"}
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
    page.write_text(page.read_text(encoding="utf-8") + "\n\n联系人身份证号 620102198001011239\n", encoding="utf-8")
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
    proc = subprocess.run([sys.executable, "-m", "publish", "rollback", "--dest", str(dest)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert releases.current(dest) == previous


def test_deploy_to_a_local_folder_is_complete_and_atomic(workspace, first):
    dest = workspace / "dist"
    target = workspace / "www" / "site"
    target.parent.mkdir()
    for _ in range(2):  # first deploy, then a redeploy over a live target
        proc = subprocess.run([sys.executable, "-m", "publish", "deploy", "--dest", str(dest), str(target)],
                              cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    current = releases.current(dest)
    expected = {k[len("site/"):]: v for k, v in manifest.read(current).items() if k.startswith("site/")}
    deployed = {p.relative_to(target).as_posix(): manifest.sha256_file(p)
                for p in target.rglob("*") if p.is_file()}
    assert deployed == expected
    assert target.is_symlink()  # swapped with one rename, never copied into place
    assert not [p for p in target.parent.rglob(".*incoming*")]


def test_status_reports_the_current_release(workspace, first):
    proc = subprocess.run([sys.executable, "-m", "publish", "status", "--dest", str(workspace / "dist")],
                          cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, COLUMNS="200"))
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
