"""Golden output: the site built from the bundled samples as of conftest.AS_OF, file by file,
against the expected tree stored in tests/golden/site.tar.xz.

A refactoring must not change a page; a change that does shows here as a diff. When the change
is meant, `make golden` rewrites the archive from a fresh build; review `git diff --stat` and the
diff this test printed before committing it.

Compared: every file of the output except the Pagefind index (binary, built from the same pages)
and the database download (its content is the public database, tested on its own). Two things
vary from one ETL run or checkout to the next and are replaced before comparing: times (fetch and
build times), SHA-256 digests (of files that hold those times) and records' 32-digit hashes (a
sample read from a file folds the checkout's folder into its record's hash).
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tarfile
from pathlib import Path

import tests._site_fixture as fx

GOLDEN = Path(__file__).resolve().parent / "golden" / "site.tar.xz"
UPDATE = os.environ.get("DISCLOSURE_GOLDEN_UPDATE") == "1"

_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?")
_DIGEST = re.compile(r"\b(?:[0-9a-f]{64}|[0-9a-f]{32})\b")
SHOWN_DIFFS = 5
SHOWN_LINES = 40


def normalized_tree(output: Path) -> dict[str, str]:
    tree = {}
    for path in sorted(output.rglob("*")):
        relative = path.relative_to(output).as_posix()
        if not path.is_file() or relative.startswith("pagefind/") or relative == "data/public.db":
            continue
        text = path.read_text(encoding="utf-8")
        tree[relative] = _DIGEST.sub("<digest>", _TIME.sub("<time>", text))
    return tree


def write_golden(tree: dict[str, str]) -> None:
    """A reproducible archive: sorted names, no times or owners, so an unchanged site gives the
    same bytes and git sees no change."""
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz", preset=9) as archive:
        for name, text in sorted(tree.items()):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
    GOLDEN.write_bytes(buffer.getvalue())


def read_golden() -> dict[str, str]:
    with tarfile.open(GOLDEN, mode="r:xz") as archive:
        return {m.name: archive.extractfile(m).read().decode("utf-8") for m in archive if m.isfile()}


def differences(expected: dict[str, str], built: dict[str, str]) -> list[str]:
    """What differs, as lines to print: missing and new files, then unified diffs of the first
    SHOWN_DIFFS changed files."""
    report = [f"missing: {name}" for name in sorted(set(expected) - set(built))]
    report += [f"new: {name}" for name in sorted(set(built) - set(expected))]
    changed = sorted(name for name in set(expected) & set(built) if expected[name] != built[name])
    report += [f"changed: {name}" for name in changed]
    for name in changed[:SHOWN_DIFFS]:
        diff = difflib.unified_diff(
            expected[name].splitlines(),
            built[name].splitlines(),
            f"expected/{name}",
            f"built/{name}",
            lineterm="",
        )
        report += list(diff)[:SHOWN_LINES]
    return report


def test_sample_site_matches_the_golden_tree(request, tmp_path_factory, public_db):
    site = fx.sample_site(request, tmp_path_factory)
    assert site.db == Path(public_db), "the sample site was not built from the samples"
    built = normalized_tree(site.output)
    assert len(built) > 500, f"only {len(built)} files built"
    if UPDATE:
        write_golden(built)
        return
    assert GOLDEN.exists(), "no golden tree: run `make golden` and commit tests/golden/site.tar.xz"
    report = differences(read_golden(), built)
    assert not report, "the site differs from the golden tree (`make golden` if meant):\n" + "\n".join(report)


def test_a_changed_page_is_reported_with_its_diff():
    expected = {"a/index.html": "<p>一</p>\n<p>二</p>", "b.csv": "x", "gone.html": ""}
    built = {"a/index.html": "<p>一</p>\n<p>三</p>", "b.csv": "x", "new.xml": ""}
    report = differences(expected, built)
    assert "missing: gone.html" in report and "new: new.xml" in report
    assert "changed: a/index.html" in report and "changed: b.csv" not in report
    assert "-<p>二</p>" in report and "+<p>三</p>" in report


def test_times_and_digests_are_the_only_things_replaced(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "build_info.csv").write_text(
        "built_at,2026-12-08T07:52:12+00:00\nsha," + "ab" * 32 + "\nas_of,2026-06-30\n", encoding="utf-8"
    )
    (tmp_path / "index.html").write_text("<td>2026-12-08 07:52</td><td>3人死亡</td>", encoding="utf-8")
    (tmp_path / "pagefind").mkdir()
    (tmp_path / "pagefind" / "x.pf_index").write_bytes(b"\x00\xff")
    assert normalized_tree(tmp_path) == {
        "data/build_info.csv": "built_at,<time>\nsha,<digest>\nas_of,2026-06-30\n",
        "index.html": "<td><time></td><td>3人死亡</td>",
    }
