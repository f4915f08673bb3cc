"""Search: an exact-match index for enterprise names, 统一社会信用代码 and 文号, a
traditional→simplified character table, and the Pagefind full-text index.

Why an exact index besides Pagefind: Pagefind over-matches multi-character Chinese queries and
misses substrings across its word boundaries, but a citizen who types a
company name or code must reach its page in one step. And Pagefind's memory grows with every page
it indexes (about 4 GB for a province's 52,000 pages, over the 2 GB memory budget of docs/scaling.md), so
enterprise pages, which say little beyond the name and code this index holds, are left out of it:
Pagefind is given only the accident reports (the newest DISCLOSURE_SEARCH_MAX_PAGES of them, the
ones accident.html marks data-pagefind-body) and Pelican's own pages (``pagefind_pages``).

The exact index is sharded so one search downloads one small file at any size:
* names by character bigram: a name is listed in the shard of every bigram it contains, so a query
  (a whole name or any part of two or more characters) needs only the shard of one of its bigrams,
  and the search page takes its rarest. Bigrams found in more than COMMON names (有限, 公司 …)
  are not indexed, only counted in exact.json (a name made only of those is listed under its
  rarest bigram, so a whole-name query still finds it; a part of a name made only of them finds
  some of its matches here, and Pagefind's results follow);
* codes (统一社会信用代码, 文号) by a checksum; the page fetches that shard only for a query with
  a digit or a Latin letter.
The character table covers only characters that occur in what is indexed, so it stays small; the
search page converts a traditional-script query to simplified before searching. Hazards (by
督办文号), agencies (by name, code and certificate number) and projects (by name and 文号) are
listed with their pages. Enterprises without a page of their own (DISCLOSURE_ENTERPRISE_PAGES = "with_records") are listed with the
address of their row in Datasette.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

log = logging.getLogger(__name__)

NAMES_PER_SHARD = 150  # names per names shard: ~40–110 KB of JSON each at province size
CODES_PER_SHARD = 1000  # entries per codes shard (~80 KB)
COMMON = 300  # a bigram in more names than this is not indexed (see above): it would fill a shard
PAGEFIND_TIMEOUT = 1800  # seconds


def norm(text: str) -> str:
    """Normalise as the search page does: NFKC (full-width → half-width), no spaces, upper case."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).upper()


def grams(key: str) -> list[str]:
    """The character bigrams of a key, in order (search.js computes the same)."""
    return [key[i : i + 2] for i in range(len(key) - 1)] or ([key] if key else [])


def gram_shard(gram: str, n: int) -> int:
    return ((ord(gram[0]) * 31 + ord(gram[1])) if len(gram) > 1 else ord(gram[0])) % n


def code_shard(key: str, n: int) -> int:
    return sum(ord(c) for c in key) % n


def _entries(d, row_url=None) -> tuple[list, list]:
    """(names, codes) as [key, name, code, site path or Datasette URL, kind], the key not yet
    normalised. ``row_url(table, pk)`` is a record's address in Datasette."""
    names, codes = [], []
    pages = [(e, e["path"], "企业") for e in d.enterprise_pages]
    rows = [
        (e, row_url("enterprises", e["id"]) if row_url else "", "企业（数据平台）") for e in d.enterprise_rows
    ]
    for ent, href, kind in pages + rows:
        names.append([ent["name"], ent["name"], ent.get("uscc") or "", href, kind])
        if ent.get("uscc"):
            codes.append([norm(ent["uscc"]), ent["name"], ent["uscc"], href, kind])
    for acc in d.accidents:
        if acc.get("doc_no"):
            codes.append([acc["doc_no"], acc["title"], acc["doc_no"], acc["path"], "事故调查报告"])
    # the other disclosures with a page of their own: a hazard by its 督办文号 (its enterprise is
    # found by name above), an agency by name, code and certificate, a project by name and 文号
    for h in getattr(d, "hazards", []):
        if h.get("notice_no"):
            title = f"{h['enterprise_name']}：重大事故隐患"
            codes.append([h["notice_no"], title, h["notice_no"], h["path"], "挂牌隐患"])
    for a in getattr(d, "agencies", []):
        names.append([a["name"], a["name"], a.get("uscc") or "", a["path"], "技术服务机构"])
        for code in {a.get("uscc"), a.get("certificate_no")} - {None, ""}:
            codes.append([norm(code), a["name"], code, a["path"], "技术服务机构"])
    for p in getattr(d, "projects", []):
        names.append(
            [p["project_name"], p["project_name"], p.get("announcement_no") or "", p["path"], "建设项目公示"]
        )
        if p.get("announcement_no"):
            codes.append(
                [p["announcement_no"], p["project_name"], p["announcement_no"], p["path"], "建设项目公示"]
            )
    return names, codes


def inputs(d) -> tuple[list, list]:
    """(texts, entries) the exact index is made from: the texts whose characters the
    traditional→simplified table must cover, and every entry (the build's fingerprint of the
    index, generator._write_search)."""
    names, codes = _entries(d, lambda table, pk: f"{table}/{pk}")
    texts = (
        [row[1] for row in names]
        + [a["title"] for a in d.accidents]
        + [a.get("summary") for a in d.accidents]
        + [a.get("city_name") for a in d.accidents]
    )
    return texts, names + codes


def _shard_counts(n_names: int, n_codes: int) -> tuple[int, int]:
    return max(1, -(-n_names // NAMES_PER_SHARD)), max(1, -(-n_codes // CODES_PER_SHARD))


def index_files(d) -> list[str]:
    """The files ``exact_index`` writes for this data."""
    names, codes = _entries(d)
    n_names, n_codes = _shard_counts(len(names), len(codes))
    return (
        ["search/exact.json"]
        + [f"search/names-{i}.json" for i in range(n_names)]
        + [f"search/codes-{i}.json" for i in range(n_codes)]
    )


def exact_index(d, t2s: dict[str, str], row_url) -> dict[str, bytes]:
    """{relative path: bytes} of the exact-match index files under search/."""

    def simp(s):
        return "".join(t2s.get(c, c) for c in s)

    names, codes = _entries(d, row_url)
    for row in names:
        row[0] = simp(norm(row[0]))
    for row in codes:
        row[0] = simp(norm(row[0]))
    n_names, n_codes = _shard_counts(len(names), len(codes))
    files: dict[str, list] = {f"search/names-{i}.json": [] for i in range(n_names)}
    files.update({f"search/codes-{i}.json": [] for i in range(n_codes)})
    counts = Counter(g for row in names for g in set(grams(row[0])))
    common = {g: c for g, c in counts.items() if c > COMMON}
    for row in sorted(names):
        indexed = {g for g in grams(row[0]) if g not in common}
        if not indexed and row[0]:  # only common bigrams: its rarest one, as the page picks it
            indexed = {min(grams(row[0]), key=lambda g: (common[g], g))}
        for shard in sorted({gram_shard(g, n_names) for g in indexed}):
            files[f"search/names-{shard}.json"].append(row)
    for row in sorted(codes):
        files[f"search/codes-{code_shard(row[0], n_codes)}.json"].append(row)
    out = {
        k: json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for k, v in files.items()
    }
    out["search/exact.json"] = json.dumps(
        {
            "names": n_names,
            "codes": n_codes,
            "common": dict(sorted(common.items())),
            "t2s": "".join(f"{t}{s}" for t, s in sorted(t2s.items())),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    return out


def cjk_chars(texts) -> str:
    """The CJK Unified Ideographs that occur in ``texts``, sorted: all the character table needs."""
    return "".join(sorted(c for c in set("".join(t for t in texts if t)) if "\u4e00" <= c <= "\u9fff"))


def t2s_table(texts) -> dict[str, str]:
    """Traditional (and Taiwan/Hong Kong variant) characters → the simplified characters that occur
    in ``texts``. Built with OpenCC over the CJK Unified Ideographs block."""
    wanted = set(cjk_chars(texts))
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


def pagefind_pages(db_path: Path, limit: int, pelican_pages: list[str]) -> tuple[list[str], bool]:
    """The pages Pagefind reads: the newest ``limit`` accident reports (the ones whose template
    carries data-pagefind-body) and Pelican's own pages; and whether that is every report.
    Pagefind parses every file it is given, indexed or not (~35 KB of memory each), so it is
    given only these."""
    from .data import ACCIDENT_ORDER, connect_ro, segment

    conn = connect_ro(db_path)
    try:
        total = conn.execute("SELECT count(*) AS n FROM accidents").fetchone()["n"]
        ids = [r["id"] for r in conn.execute(f"SELECT id FROM accidents {ACCIDENT_ORDER} LIMIT ?", (limit,))]
    finally:
        conn.close()
    return [f"accidents/{segment(i)}/index.html" for i in ids] + list(pelican_pages), len(ids) == total


def build_pagefind(
    output: Path, tree, pages: list[str], every_report: bool, bundle_dir: str = "pagefind"
) -> dict:
    """Index ``pages`` of the site with Pagefind (extended, for Chinese) into a scratch folder,
    then copy only changed files into output/pagefind/ and delete stale ones, so an unchanged
    site keeps its index files (and their modification times) as they were. When every report is
    indexed a glob selects the pages; else (national size) a folder of links to the chosen ones."""
    with (
        tempfile.TemporaryDirectory(prefix="pagefind-") as tmp,
        tempfile.TemporaryDirectory(prefix="pagefind-site-", dir=output.parent) as staging,
    ):
        if every_report:
            site, glob = (
                output,
                "{"
                + ",".join(["accidents/*/index.html"] + [p for p in pages if not p.startswith("accidents/")])
                + "}",
            )
        else:
            site, glob = Path(staging), None
            for rel in pages:
                (site / rel).parent.mkdir(parents=True, exist_ok=True)
                os.symlink(output / rel, site / rel)
        stats = run_pagefind(site, Path(tmp), glob)
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
    return dict(stats, files=len(fresh), pages=len(pages), rels=sorted(fresh))


def index_key(output: Path, tree, pages: list[str], every_report: bool) -> str:
    """What the Pagefind index is made from: each page it reads (path, size, modification time:
    a rewritten page has a new one), how they are chosen, and the Pagefind version."""
    import importlib.metadata

    h = hashlib.sha1(json.dumps([every_report, importlib.metadata.version("pagefind")]).encode())
    for rel in pages:
        entry = tree.new_manifest.get(rel)
        if entry is None:
            try:
                st = os.stat(output / rel)
                entry = ["", st.st_size, st.st_mtime_ns]
            except FileNotFoundError:
                entry = ["", -1, -1]
        h.update(f"{rel}\0{entry[1]}\0{entry[2]}\n".encode())
    return h.hexdigest()


def run_pagefind(site: Path, bundle: Path, glob: str | None = None) -> dict:
    """Run Pagefind over ``site`` (the files matching ``glob``) into ``bundle``; return its wall
    time and peak memory (the kernel's maximum resident set of the Pagefind process, from wait4):
    the index is the most memory-hungry step of a release (docs/scaling.md)."""
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(bundle), "--silent"]
    if glob:
        cmd += ["--glob", glob]
    start = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > PAGEFIND_TIMEOUT:
                proc.kill()
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(
                f"pagefind failed ({proc.returncode}): {err.read()[-2000:].decode(errors='replace')}"
            )
    return {"seconds": time.monotonic() - start, "peak_mb": usage.ru_maxrss / 1024}


def keep_pagefind(output: Path, tree, bundle_dir: str = "pagefind") -> None:
    """Keep the last build's Pagefind bundle (~6,000 files): os.walk and string paths, since
    pathlib's rglob, is_file and relative_to cost 0.2 s of a rebuild that changes nothing."""
    root = str(output)
    for dirpath, _, names in os.walk(os.path.join(root, bundle_dir)):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in names:
            tree.keep(f"{rel_dir}/{name}")


def pagefind_available() -> bool:
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return False
    return True
