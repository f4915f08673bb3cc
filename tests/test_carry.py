"""publish/carry.py: a release starts from hard links to the current release's site; unchanged
files keep their bytes, inode and modification time, the current release is never written
through, and the gates and the manifest take over only what they may."""

from __future__ import annotations

import copy
import json
import os
import shutil

import pytest

from etl import settings
from publish import carry, manifest, releases
from publish.release import ROOT, Options, StepFailed, load_config, release
from tests.conftest import AS_OF


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    base = tmp_path_factory.mktemp("carry")
    content = base / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "carry-a.md").write_text(
        "Title: 链接测试甲\nSlug: carry-a\n\n见[链接测试乙](/carry-b/)。\n", encoding="utf-8"
    )
    (content / "pages" / "carry-b.md").write_text(
        "Title: 链接测试乙\nSlug: carry-b\n\n第二页。\n", encoding="utf-8"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "ARCHIVE_DIR", base / "archive")
        yield base


def options(base, **kwargs) -> Options:
    config = copy.deepcopy(load_config())
    config["gates"]["html_validation"] = "off"
    kwargs.setdefault("content", base / "content")
    return Options(dest=base / "dist", as_of=AS_OF, db=base / "disclosure.db", config=config, **kwargs)


def steps(folder) -> dict:
    lines = (folder / "log.jsonl").read_text(encoding="utf-8").splitlines()
    return {s["step"]: s for s in map(json.loads, lines)}


def files(folder) -> dict[str, os.stat_result]:
    site = folder / "site"
    return {p.relative_to(site).as_posix(): p.stat() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def first(workspace):
    return release(options(workspace))


@pytest.fixture(scope="module")
def second(workspace, first):
    return release(options(workspace, run_etl=False))


def test_the_first_release_is_built_whole(first):
    site = steps(first)["site"]["counts"]
    assert "carried" not in site
    assert (first / carry.SITE_STATE).is_file()
    assert "carried" not in steps(first)["gate: personal data in the site and downloads"]["counts"]


def test_an_unchanged_release_carries_every_file_over(first, second):
    before, after = files(first), files(second)
    assert set(after) == set(before)
    same = [
        rel
        for rel, st in after.items()
        if (st.st_ino, st.st_mtime_ns) == (before[rel].st_ino, before[rel].st_mtime_ns)
    ]
    # the pages that show the release time or the build (the home page, feeds) may be rewritten
    assert len(same) >= 0.9 * len(after), sorted(set(after) - set(same))[:20]
    log = steps(second)
    assert log["site"]["counts"]["carried"] == len(same)
    assert log["site"]["counts"]["removed"] == 0
    assert log["site"]["counts"]["carried_from"] == first.name
    pii = log["gate: personal data in the site and downloads"]["counts"]
    links = log["gate: site pages, links and hosts"]["counts"]
    assert pii["carried"] > 0.8 * (pii["carried"] + pii["files"])
    assert links["carried"] > 0.8 * (links["carried"] + links["pages"])
    # the manifest's digests, partly taken over from the first release, are the files' own
    assert manifest.verify(second) == [] and manifest.verify(first) == []


def test_the_site_download_of_the_database_is_a_link_not_a_copy(second):
    built = os.stat(second / "data" / "public.db")
    download = os.stat(second / "site" / "data" / "public.db")
    assert (built.st_dev, built.st_ino) == (download.st_dev, download.st_ino)


def test_a_changed_page_is_new_in_the_new_release_and_the_old_one_keeps_its_bytes(workspace, first, second):
    page = workspace / "content" / "pages" / "carry-b.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original.replace("第二页。", "第二页，已修改。"), encoding="utf-8")
    try:
        third = release(options(workspace, run_etl=False))
    finally:
        page.write_text(original, encoding="utf-8")
    old, new = second / "site" / "carry-b" / "index.html", third / "site" / "carry-b" / "index.html"
    assert "已修改" in new.read_text(encoding="utf-8")
    assert "已修改" not in old.read_text(encoding="utf-8")
    assert os.stat(old).st_ino != os.stat(new).st_ino
    assert manifest.verify(second) == [] and manifest.verify(third) == []
    assert (
        "carry-b/index.html"
        not in carry.settle(carry.Seed(second, {"carry-b/index.html": _key(old)}), third / "site", "").files
    )


def _key(path):
    st = os.stat(path)
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def test_personal_data_in_a_changed_page_fails_the_gate_though_the_rest_is_carried(workspace, second):
    dest = workspace / "dist"
    before = releases.current(dest)
    page = workspace / "content" / "pages" / "carry-b.md"
    original = page.read_text(encoding="utf-8")
    page.write_text(original + "\n联系人身份证号 620102198001011239\n", encoding="utf-8")
    try:
        with pytest.raises(StepFailed, match="personal data"):
            release(options(workspace, run_etl=False))
    finally:
        page.write_text(original, encoding="utf-8")
    assert releases.current(dest) == before
    failed = releases.all_releases(dest, complete_only=False)[-1]
    assert steps(failed)["site"]["counts"]["carried"] > 0
    assert manifest.verify(before) == []


def test_a_removed_page_makes_the_links_gate_read_every_page(workspace, second):
    """carry-a is unchanged and carried, but the page it links to is gone: the gate must find it."""
    dest = workspace / "dist"
    before = releases.current(dest)
    page = workspace / "content" / "pages" / "carry-b.md"
    original = page.read_text(encoding="utf-8")
    page.unlink()
    try:
        with pytest.raises(StepFailed, match="broken link /carry-b/"):
            release(options(workspace, run_etl=False))
    finally:
        page.write_text(original, encoding="utf-8")
    failed = releases.all_releases(dest, complete_only=False)[-1]
    log = steps(failed)
    assert log["site"]["counts"]["removed"] >= 1 and log["site"]["counts"]["carried"] > 0
    assert releases.current(dest) == before and (before / "site" / "carry-b" / "index.html").is_file()


def test_other_gate_code_means_nothing_is_taken_as_passed(workspace, second):
    dest = workspace / "dist"
    current = releases.current(dest)
    info = releases.info(current)
    releases.write_info(current, dict(info, gate_stamp="an older gate"))
    try:
        folder = release(options(workspace, run_etl=False))
    finally:
        releases.write_info(current, info)
    log = steps(folder)
    assert log["site"]["counts"]["carried"] > 0  # the files still carry over (and their digests)
    assert "carried" not in log["gate: personal data in the site and downloads"]["counts"]
    assert "carried" not in log["gate: site pages, links and hosts"]["counts"]
    assert manifest.verify(folder) == []


def test_the_gate_stamp_follows_the_gate_code_and_settings():
    assert carry.gate_stamp({"site_url": "a"}) == carry.gate_stamp({"site_url": "a"})
    assert carry.gate_stamp({"site_url": "a"}) != carry.gate_stamp({"site_url": "b"})


def test_no_seed_without_a_previous_site_or_its_record(tmp_path):
    previous, new = tmp_path / "old", tmp_path / "new"
    (previous / "site").mkdir(parents=True)
    (previous / "site" / "index.html").write_text("x", encoding="utf-8")
    new.mkdir()
    assert carry.seed(None, new) is None
    assert carry.seed(previous, new) is None  # no site-state.json: the build would not know the files
    (previous / carry.SITE_STATE).write_text("{}", encoding="utf-8")
    seeded = carry.seed(previous, new)
    assert seeded is not None and list(seeded.files) == ["index.html"]
    assert os.stat(new / "site" / "index.html").st_ino == os.stat(previous / "site" / "index.html").st_ino


def test_the_output_tree_replaces_a_carried_file_and_never_writes_through_it(tmp_path):
    """What makes carrying safe: a file linked from the current release gets new bytes as a new
    file; the current release keeps its own (output.OutputTree.write and copy)."""
    from plugins.disclosure.output import OutputTree

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    for name, data in (("same.html", b"AAAA"), ("resized.html", b"AAAA"), ("copied.bin", b"AAAA")):
        (old / name).write_bytes(data)
        os.link(old / name, new / name)
    source = tmp_path / "source.bin"
    source.write_bytes(b"BBBB")
    tree = OutputTree(new, tmp_path / "cache")
    assert tree.write("same.html", b"BBBB") is True  # same size, other bytes
    assert tree.write("resized.html", b"BBBBBB") is True
    assert tree.copy(source, "copied.bin") is True
    for name in ("same.html", "resized.html", "copied.bin"):
        assert (old / name).read_bytes() == b"AAAA"
        assert os.stat(old / name).st_ino != os.stat(new / name).st_ino
    assert (new / "same.html").read_bytes() == b"BBBB" and (new / "copied.bin").read_bytes() == b"BBBB"
    # a source nothing writes through (the public database) is linked, not copied
    assert tree.copy(source, "linked.bin", link=True) is True
    assert os.stat(new / "linked.bin").st_ino == os.stat(source).st_ino
    assert OutputTree(new, tmp_path / "cache").copy(source, "linked.bin", link=True) is False


def test_pruning_old_releases_leaves_the_current_one_whole(workspace, second):
    """Releases share carried files as hard links: deleting the older folders (releases.prune)
    must leave every file of the current release in place with its bytes."""
    dest = workspace / "dist"
    current = releases.current(dest)
    folders = releases.all_releases(dest, complete_only=False)
    assert len(folders) >= 2 and current in folders
    # prune keeps the rollback target too; delete the older folders the way prune does
    back = releases.previous(dest)
    doomed = releases.prune(dest, keep=1)
    assert current not in doomed and back not in doomed
    for folder in set(folders) - {current} - set(doomed):
        shutil.rmtree(folder)
    assert [p for p in (dest / "releases").iterdir() if p.is_dir()] == [current]
    assert manifest.verify(current) == []
