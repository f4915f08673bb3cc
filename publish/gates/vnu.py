"""The HTML validation gate: the W3C Nu checker (vnu.jar, one JVM per core) on the site's pages,
skipping pages whose exact bytes passed it before."""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from publish.gates.result import GateResult, limit
from publish.gates.tree import walk
from publish.manifest import file_digest, sha256_file

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_validation(
    site_dir: Path,
    mode: str = "fail",
    cache: Path | None = None,
    max_pages: int = 0,
    workers: int | None = None,
) -> GateResult:
    """The W3C Nu checker on the site's HTML pages (not Pagefind's).

    With `cache` (a file beside the releases), a page whose exact bytes passed the checker
    before, with the same vnu.jar, is not checked again: the result depends only on the bytes.
    With `max_pages`, at most that many unchecked pages are checked in one release: first one
    page of every kind (folder and depth: the home page, each list, each record template), then
    the rest in a fixed order of content hash, so each release checks pages no earlier one did
    until none is left; a warning says how many are left. One JVM per core.
    """
    result = GateResult("HTML validation")
    if mode == "off":
        return result
    java = shutil.which("java")
    if not java or not VNU_JAR.exists():
        # "fail" promises validated HTML: without the checker that promise cannot be kept
        message = "W3C Nu checker not installed (npm ci; Java); HTML not validated"
        (result.problems if mode == "fail" else result.warnings).append(message)
        return result
    pages = {}
    for rel, is_file in walk(site_dir).entries:
        if is_file and rel.endswith(".html") and not rel.startswith("pagefind/") and "/pagefind/" not in rel:
            pages[rel] = file_digest(site_dir / rel)  # the manifest reuses these
    stamp = f"vnu {sha256_file(VNU_JAR)}"
    known = _read_valid(cache, stamp)
    todo = [rel for rel, digest in pages.items() if digest not in known]
    chosen = _choose_pages(todo, pages, max_pages)
    batches = [chosen[i : i + VNU_BATCH] for i in range(0, len(chosen), VNU_BATCH)]
    with ThreadPoolExecutor(
        max_workers=max(1, min(workers or os.cpu_count() or 1, len(batches) or 1))
    ) as pool:
        outputs = list(pool.map(lambda batch: _vnu(java, site_dir, batch), batches))
    messages = sorted(line for lines in outputs for line in lines)
    failed = {m[2:].split('"', 1)[0] for m in messages if m.startswith('"/')}
    if messages:
        (result.problems if mode == "fail" else result.warnings).extend(limit(messages, 30))
    if cache is not None:
        # a message that names no page (vnu itself failed) means nothing of this run counts
        attributed = all(m.startswith('"/') for m in messages)
        passed = {pages[rel] for rel in chosen if rel not in failed} if attributed else set()
        _write_valid(cache, stamp, known | passed)
    left = len(todo) - len(chosen)
    if left:
        result.warnings.append(
            f"checked {len(chosen):,} of {len(todo):,} pages not checked before "
            f"(gates.html_validation_max_pages); {left:,} left for later releases"
        )
    result.counts = {
        "pages": len(pages),
        "checked": len(chosen),
        "already_valid": len(pages) - len(todo),
        "left": left,
    }
    return result


# A JVM's default heap is a quarter of the machine's memory: 2,000 pages took 1.06 GB with it and
# 0.31 GB (and less time) with a 256 MB heap and the serial collector; -Xss for deep documents.
VNU_JVM = ("-Xmx256m", "-XX:+UseSerialGC", "-Xss1m")
VNU_BATCH = 2000  # files per vnu run: one JVM start (~1.5 s) per batch, command line well under ARG_MAX


def _choose_pages(todo: list[str], pages: dict[str, str], max_pages: int) -> list[str]:
    if not max_pages or len(todo) <= max_pages:
        return todo
    ordered = sorted(todo, key=lambda rel: pages[rel])
    first_of_kind: dict[tuple, str] = {}
    for rel in ordered:
        parts = rel.split("/")
        first_of_kind.setdefault((parts[0] if len(parts) > 1 else "", len(parts)), rel)
    chosen = list(dict.fromkeys([*first_of_kind.values(), *ordered]))
    return sorted(chosen[: max(max_pages, len(first_of_kind))])


def _vnu(java: str, site_dir: Path, batch: list[str]) -> list[str]:
    """vnu's error lines for these pages, paths relative to the site ("/accidents/…":1.2-1.5: error: …)."""
    proc = subprocess.run(
        [
            java,
            *VNU_JVM,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "gnu",
            *(str(site_dir / rel) for rel in batch),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = [
        line.replace(f"file:{site_dir}", "").replace(str(site_dir), "")
        for line in (proc.stderr + proc.stdout).splitlines()
        if line.strip()
    ]
    if proc.returncode != 0 and not lines:
        lines = [f"vnu exited with status {proc.returncode}"]
    return lines


def _read_valid(cache: Path | None, stamp: str) -> set[str]:
    if cache is None or not cache.exists():
        return set()
    lines = cache.read_text(encoding="utf-8").splitlines()
    return set(lines[1:]) if lines and lines[0] == stamp else set()


def _write_valid(cache: Path, stamp: str, digests: set[str]) -> None:
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_name(cache.name + ".tmp")
    tmp.write_text("\n".join([stamp, *sorted(digests)]) + "\n", encoding="utf-8")
    tmp.replace(cache)
