"""Search: an exact-match index for enterprise names, 统一社会信用代码 and 文号, a
traditional→simplified character table, and the Pagefind full-text index.

Why an exact index besides Pagefind: Pagefind over-matches multi-character Chinese queries and
misses substrings across its word boundaries (../shared/measurements.md), but a citizen who types a
company name or code must reach its page in one step. The exact index is sharded (names by their
first character, codes by a checksum) so one search downloads one small file even at province
size. The character table covers only characters that occur in what is indexed, so it stays small;
the search page converts a traditional-script query to simplified before searching.
"""
from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

log = logging.getLogger(__name__)

SHARD_SIZE = 3000  # entries per names shard (about 150 KB of JSON)


def norm(text: str) -> str:
    """Normalise as the search page does: NFKC (full-width → half-width), no spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def name_shard(key: str, n: int) -> int:
    return ord(key[0]) % n if key else 0


def code_shard(key: str, n: int) -> int:
    return sum(ord(c) for c in key) % n


def _counts(d) -> tuple[int, int]:
    n_names = len(d.enterprise_pages)
    n_codes = sum(1 for e in d.enterprise_pages if e.get("uscc")) + sum(1 for a in d.accidents if a.get("doc_no"))
    return max(1, -(-n_names // SHARD_SIZE)), max(1, -(-n_codes // SHARD_SIZE))


def index_files(d) -> list[str]:
    """The files ``exact_index`` writes for this data."""
    n_names, n_codes = _counts(d)
    return (["search/exact.json"] + [f"search/names-{i}.json" for i in range(n_names)]
            + [f"search/codes-{i}.json" for i in range(n_codes)])


def exact_index(d, t2s: dict[str, str]) -> dict[str, bytes]:
    """{relative path: bytes} of the exact-match index files under search/."""
    def simp(s):
        return "".join(t2s.get(c, c) for c in s)

    names, codes = [], []
    for ent in d.enterprise_pages:
        names.append([simp(norm(ent["name"])), ent["name"], ent.get("uscc") or "", ent["path"], "企业"])
        if ent.get("uscc"):
            codes.append([norm(ent["uscc"]), ent["name"], ent["uscc"], ent["path"], "企业"])
    for acc in d.accidents:
        if acc.get("doc_no"):
            codes.append([simp(norm(acc["doc_no"])), acc["title"], acc["doc_no"], acc["path"], "事故调查报告"])
    n_names, n_codes = _counts(d)
    files: dict[str, list] = {f"search/names-{i}.json": [] for i in range(n_names)}
    files.update({f"search/codes-{i}.json": [] for i in range(n_codes)})
    for row in sorted(names):
        files[f"search/names-{name_shard(row[0], n_names)}.json"].append(row)
    for row in sorted(codes):
        files[f"search/codes-{code_shard(row[0], n_codes)}.json"].append(row)
    out = {k: json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for k, v in files.items()}
    out["search/exact.json"] = json.dumps({"names": n_names, "codes": n_codes, "t2s": "".join(
        f"{t}{s}" for t, s in sorted(t2s.items()))}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out


def t2s_table(texts) -> dict[str, str]:
    """Traditional (and Taiwan/Hong Kong variant) characters → the simplified characters that occur
    in ``texts``. Built with OpenCC over the CJK Unified Ideographs block."""
    wanted = {c for t in texts if t for c in t if "\u4e00" <= c <= "\u9fff"}
    try:
        import opencc
    except ImportError:  # pragma: no cover - OpenCC is in requirements.txt
        log.warning("OpenCC missing: traditional-script queries will not be converted")
        return {}
    block = "".join(chr(c) for c in range(0x4E00, 0xA000))
    table = {}
    for config in ("t2s", "tw2s", "hk2s"):
        converted = opencc.OpenCC(config).convert(block)
        if len(converted) != len(block):  # conversion is per character here; be safe
            continue
        for trad, simp in zip(block, converted):
            if trad != simp and simp in wanted:
                table.setdefault(trad, simp)
    return table


# ---------------------------------------------------------------- Pagefind

def build_pagefind(output: Path, tree, bundle_dir: str = "pagefind") -> str:
    """Index the site with Pagefind (extended, for Chinese) into a scratch folder, then copy only
    changed files into output/pagefind/ and delete stale ones, so an unchanged site keeps its
    index files (and their modification times) as they were."""
    with tempfile.TemporaryDirectory(prefix="pagefind-") as tmp:
        cmd = [sys.executable, "-m", "pagefind", "--site", str(output), "--output-path", tmp, "--silent"]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if result.returncode != 0:
            raise RuntimeError(f"pagefind failed ({result.returncode}): {result.stderr[-2000:]}")
        tmp_path = Path(tmp)
        fresh = set()
        for src in sorted(tmp_path.rglob("*")):
            if src.is_file():
                rel = f"{bundle_dir}/{src.relative_to(tmp_path).as_posix()}"
                fresh.add(rel)
                tree.copy(src, rel)
    bundle = output / bundle_dir
    for path in sorted(bundle.rglob("*"), reverse=True):
        rel = path.relative_to(output).as_posix()
        if path.is_file() and rel not in fresh:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return f"{len(fresh)} index files"


def keep_pagefind(output: Path, tree, bundle_dir: str = "pagefind") -> None:
    for path in (output / bundle_dir).rglob("*"):
        if path.is_file():
            tree.keep(path.relative_to(output).as_posix())


def pagefind_available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True
