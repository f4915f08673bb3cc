"""The HTML validation gate with the W3C Nu checker: pages already valid are not checked again,
new pages are checked in turn when there are too many for one release, errors are reported."""

from __future__ import annotations

import shutil

import pytest

from publish import gates
from publish.gates import vnu

pytestmark = pytest.mark.skipif(
    not (shutil.which("java") and gates.VNU_JAR.exists()),
    reason="needs Java and node_modules/vnu-jar (npm ci)",
)

PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>{body}</p></main></body></html>
"""


def write(site, rel, title, body="示例数据"):
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PAGE.format(title=title, body=body), encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    write(site, "index.html", "首页")
    for n in range(4):
        write(site, f"accidents/a{n}/index.html", f"事故 {n}")
    write(site, "enterprises/e1/index.html", "企业")
    write(site, "pagefind/x.html", "not ours", "<div><p>")  # never checked
    return site


def test_errors_fail_the_gate_and_valid_pages_are_remembered(site, tmp_path):
    cache = tmp_path / "html-valid.txt"
    write(site, "accidents/a1/index.html", "坏页面", "<div><span></div>")  # mis-nested: an error
    first = gates.html_validation(site, "fail", cache=cache)
    assert not first.ok
    assert any(p.startswith('"/accidents/a1/index.html"') for p in first.problems), first.problems
    assert first.counts == {"pages": 6, "checked": 6, "already_valid": 0, "left": 0}

    second = gates.html_validation(site, "fail", cache=cache)
    assert second.counts["checked"] == 1 and second.counts["already_valid"] == 5  # only the bad one
    assert not second.ok

    write(site, "accidents/a1/index.html", "已修正")
    third = gates.html_validation(site, "fail", cache=cache)
    assert third.ok and third.counts["checked"] == 1
    assert gates.html_validation(site, "fail", cache=cache).counts["checked"] == 0


def test_warn_mode_reports_without_failing(site):
    write(site, "index.html", "首页", "<div><span></div>")
    result = gates.html_validation(site, "warn")
    assert result.ok and result.warnings


def test_too_many_new_pages_are_checked_in_turn_one_of_each_kind_first(site, tmp_path):
    cache = tmp_path / "html-valid.txt"
    first = gates.html_validation(site, "fail", cache=cache, max_pages=3)
    # three kinds (home page, an accident, an enterprise): all in the first round
    assert first.counts["checked"] == 3 and first.counts["left"] == 3
    assert any("3 left" in w for w in first.warnings)
    second = gates.html_validation(site, "fail", cache=cache, max_pages=3)
    assert second.counts == {"pages": 6, "checked": 3, "already_valid": 3, "left": 0}
    assert gates.html_validation(site, "fail", cache=cache, max_pages=3).counts["checked"] == 0


def test_a_new_checker_version_checks_everything_again(site, tmp_path):
    cache = tmp_path / "html-valid.txt"
    gates.html_validation(site, "fail", cache=cache)
    lines = cache.read_text().splitlines()
    cache.write_text("\n".join(["vnu another-jar", *lines[1:]]) + "\n")
    assert gates.html_validation(site, "fail", cache=cache).counts["checked"] == 6


def test_a_checker_failure_remembers_nothing(site, tmp_path, monkeypatch):
    cache = tmp_path / "html-valid.txt"
    monkeypatch.setattr(vnu, "VNU_JVM", ("-Xmx1k",))  # the JVM cannot start
    result = gates.html_validation(site, "fail", cache=cache)
    assert not result.ok
    monkeypatch.undo()
    assert gates.html_validation(site, "fail", cache=cache).counts["checked"] == 6


def test_the_other_disclosures_are_checked_one_of_each_kind_first(tmp_path):
    """Hazards, agencies, projects and enforcement pages (plugins/disclosure/pages_more.py): their
    lists, record pages and filter pages are kinds of their own, each checked in the first round."""
    site = tmp_path / "site"
    write(site, "index.html", "首页")
    for folder in ("hazards", "agencies", "projects"):
        write(site, f"{folder}/index.html", "列表")
        for n in range(3):
            write(site, f"{folder}/r{n}/index.html", f"记录 {n}")
    write(site, "hazards/status/overdue/index.html", "逾期未见销号公告")
    write(site, "enforcement/inspections/index.html", "双随机抽查结果")
    first = gates.html_validation(site, "fail", cache=tmp_path / "html-valid.txt", max_pages=1)
    # the home page, three lists, three record pages, the hazards filter, the inspections list
    assert first.ok and first.counts["checked"] == 9 and first.counts["left"] == 6
