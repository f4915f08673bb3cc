"""Site quality with real tools: the W3C Nu HTML checker over the whole output (one call), a crawl
for broken internal links and anchors, and a rebuild with nothing changed that must rewrite no file.
Uses the sample site (conftest.py ``public_db``) when it has records, else the fixture site."""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests import _site_fixture as fx
from tests.httpd import serve

VNU = fx.ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    return fx.sample_site(request, tmp_path_factory)


def test_build_passes_with_fatal_warnings_and_reports(site):
    assert "WARNING" not in site.log and "ERROR" not in site.log
    assert "disclosure:" in site.log and "stale files removed" in site.log


@pytest.mark.skipif(
    shutil.which("java") is None, reason="java not installed (apt-get install default-jre-headless)"
)
@pytest.mark.skipif(not VNU.exists(), reason="vnu-jar not installed (npm ci)")
def test_html_validates_with_zero_errors(site):
    # one JVM over the whole output (never once per file); the Pagefind bundle is not ours
    proc = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--skip-non-html",
            "--errors-only",
            "--stdout",
            "--format",
            "gnu",
            "--filterpattern",
            ".*pagefind.*",
            str(site.output),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    messages = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert proc.returncode == 0 and not messages, "\n".join(messages[:40])


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for name in ("href", "src", "action"):
            if a.get(name) and not (tag == "link" and a.get("rel") == "canonical"):
                self.refs.append(a[name])


def test_no_broken_internal_link(site):
    """Crawl from the home page over HTTP; every internal href/src must load and every #anchor
    must exist on its target page."""
    with serve(site.output) as base:
        origin = urlsplit(base).netloc
        seen, queue, broken, pages = set(), [base + "/"], [], {}
        wanted_anchors = []
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            try:
                with urllib.request.urlopen(url, timeout=10) as resp:
                    body = resp.read()
                    ctype = resp.headers.get("Content-Type", "")
            except Exception as exc:  # noqa: BLE001 - report every failure as broken
                broken.append(f"{url}: {exc}")
                continue
            if "html" not in ctype:
                continue
            parser = Links()
            parser.feed(body.decode("utf-8"))
            pages[url] = parser.ids
            for ref in parser.refs:
                target = urljoin(url, ref)
                parts = urlsplit(target)
                if parts.scheme not in ("http", "https") or parts.netloc != origin:
                    continue
                clean = target.split("#", 1)[0].split("?", 1)[0]
                if parts.fragment:
                    wanted_anchors.append((url, clean, unquote(parts.fragment)))
                if clean not in seen:
                    queue.append(clean)
        for src, page, anchor in wanted_anchors:
            if page in pages and anchor not in pages[page]:
                broken.append(f"{src}: missing anchor #{anchor} on {page}")
    assert not broken, "\n".join(broken[:40])
    assert len(pages) >= 15
    assert base + "/12350/" in seen and base + "/data/" in seen


def test_rebuild_with_nothing_changed_rewrites_no_file(site, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(site.output, out, copy_function=shutil.copy2)
    # a copy of the manifest keeps the fingerprint skip of the original build meaningful
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*") if p.is_file()}
    result = fx.run_pelican(site.db, out)
    assert result.returncode == 0, result.stderr[-3000:]
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*") if p.is_file()}
    changed = sorted(str(p.relative_to(out)) for p in after if before.get(p) != after[p])
    assert after.keys() == before.keys(), set(after) ^ set(before)
    assert changed == [], changed[:20]
    assert "disclosure: 0 files written" in result.stdout, result.stdout[-500:]
    # the copied output has new modification times, so that run re-rendered every page to compare
    # bytes; now the fingerprint cache matches: record pages, feeds and downloads are not even
    # rendered again (only Pelican's own pages, static files and the sitemap are compared)
    result = fx.run_pelican(site.db, out)
    summary = re.search(
        r"disclosure: (\d+) files written, (\d+) unchanged after rendering, (\d+) unchanged and not "
        r"re-rendered",
        result.stdout,
    )
    assert summary, result.stdout[-500:]
    written, compared, skipped = map(int, summary.groups())
    d = site.data()
    assert written == 0 and compared <= 20
    assert skipped >= len(d.accidents) + len(d.enterprise_pages) * 2
