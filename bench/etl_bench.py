"""ETL figures: a full load (records per second on the load step and overall, against
sqlite-utils' insert_all of the same rows in the same run), a second run with no source change,
and a run with 1% of the detail pages changed.

The orchestration (`measure_etl`) runs each ETL in a child process (python -m bench.etl_bench run),
pointed at scratch paths through DISCLOSURE_* variables. The child times every
etl.load.Loader.apply call (the load step) and the whole pipeline.run, and reads the per-source
counts the pipeline reports (documents fetched and parsed, records added and updated).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from bench import inputs, measure
from bench.report import Figure, at_least, at_most

CHANGED_SHARE = 0.01
# The first paragraph of every detail page's body is this disclaimer; the change appends a
# sentence to it, so the page's bytes and its record's body_text both change.
DISCLAIMER = "（示例数据，非真实信息）</p>"
REVISION = "（示例数据，非真实信息）本页内容已更新（基准测试修订）。</p>"
DETAIL_KINDS = ("accidents", "rectification_assessments")  # tables whose rows are detail pages


# ------------------------------------------------------------------ orchestration


def measure_etl(session) -> dict:
    ws = session.ws
    inputs.write_specs(ws)
    work = ws.folder("etl", fresh=True)
    sources = work / "sources"
    link_copy(ws.sources, sources)
    db, archive = work / "disclosure.db", work / "archive"
    env = inputs.etl_env(ws, sources, db, archive)
    full = _etl_run(session, "ETL: full load", env, work / "full.json")
    nochange = _etl_run(session, "ETL: no change", env, work / "nochange.json")
    baseline = _baseline(session, db, sorted(full["load"]["by_table"]), work)
    changed = change_detail_pages(sources, db, CHANGED_SHARE, session.seed)
    onepct = _etl_run(session, "ETL: 1% of detail pages changed", env, work / "onepct.json")
    session.internal_db, session.sources_dir, session.ran_etl = db, sources, True
    (work / inputs.MARKER).write_text("", encoding="utf-8")
    result = {
        "sources": str(sources),
        "db": str(db),
        "full": full,
        "nochange": nochange,
        "baseline": baseline,
        "change": changed,
        "onepct": onepct,
    }
    session.add_figures(figures(result))
    _notes(session, result)
    return result


def ensure_internal_db(session) -> None:
    """The loaded internal database other areas need: this run's, else the last complete
    run's (data/scratch/bench-<size>/etl), else a full load now (measured as a step)."""
    if session.internal_db:
        return
    ws = session.ws
    inputs.write_specs(ws)
    work = ws.home / "etl"
    db, sources = work / "disclosure.db", work / "sources"
    if (work / inputs.MARKER).exists() and db.exists():
        session.note(f"Reused the internal database of an earlier bench run: {db}.")
    else:
        work = ws.folder("etl", fresh=True)
        link_copy(ws.sources, sources)
        env = inputs.etl_env(ws, sources, db, work / "archive")
        _etl_run(session, "ETL: full load (prerequisite)", env, work / "full.json")
        (work / inputs.MARKER).write_text("", encoding="utf-8")
    session.internal_db, session.sources_dir = db, sources


def ensure_public_db(session) -> Path:
    """The public database (python -m etl public) the site and Datasette benchmarks read:
    built from this run's ETL, else the last run's if there is one, else after a full load."""
    if session.public_db:
        return session.public_db
    out = session.ws.home / "public" / "public.db"
    stamp, code = out.with_name("public.db.code"), _public_code()  # which code built it: a change rebuilds it
    if out.exists() and not session.ran_etl and stamp.exists() and stamp.read_text() == code:
        session.note(f"Reused the public database of an earlier bench run: {out}.")
    else:
        ensure_internal_db(session)
        out.parent.mkdir(parents=True, exist_ok=True)
        step = session.step(
            "public database (python -m etl public)",
            measure.python(
                "etl", "public", "--as-of", inputs.AS_OF, "--db", session.internal_db, "--out", out
            ),
        )
        session.add_figures(
            [
                Figure("public.seconds", "Public database build (etl public): seconds", step.seconds, "s"),
                Figure("public.peak_mib", "Public database build: peak memory", step.peak_mib, "MiB"),
                Figure("public.mib", "Public database: size", round(out.stat().st_size / 2**20, 1), "MiB"),
            ]
        )
        stamp.write_text(code, encoding="utf-8")
    session.public_db = out
    return out


# What decides the bytes of public.db besides the internal database and the date.
PUBLIC_CODE = (
    "etl/public.py",
    "etl/public_disclosures.py",
    "etl/public_search.py",
    "etl/public_serving.py",
    "etl/schema.yaml",
    "etl/fts_text.py",
    "etl/normalize/mask.py",
    "etl/normalize/regions.py",
    *sorted(f"etl/rules/{p.name}" for p in (inputs.ROOT / "etl" / "rules").glob("*.py")),
)


def _public_code() -> str:
    digest = hashlib.sha256()
    for name in PUBLIC_CODE:
        digest.update((inputs.ROOT / name).read_bytes())
    return digest.hexdigest()


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


def _etl_run(session, name: str, env: dict, out: Path) -> dict:
    step = session.step(name, measure.python("bench.etl_bench", "run", out), env=env)
    result = json.loads(out.read_text(encoding="utf-8"))
    result["step"] = step.as_dict()
    failed = result["totals"]["failed"]
    if failed:
        session.note(f"{name}: sources failed: {', '.join(failed)} (see {out})")
    return result


def _baseline(session, db: Path, tables: list[str], work: Path) -> dict:
    out = work / "baseline.json"
    session.step(
        "ETL: sqlite-utils baseline",
        measure.python("bench.etl_bench", "baseline", db, work / "baseline", out, *tables),
    )
    return json.loads(out.read_text(encoding="utf-8"))


def link_copy(src: Path, dst: Path) -> None:
    """A copy of the source folder made of hard links (instant, no extra disk); changes are
    written as new files (os.replace), so the original documents are never modified."""
    shutil.rmtree(dst, ignore_errors=True)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if subprocess.run(["cp", "-al", str(src), str(dst)], capture_output=True).returncode != 0:
        shutil.rmtree(dst, ignore_errors=True)
        shutil.copytree(src, dst)


def figures(r: dict) -> list[Figure]:
    full, nochange, onepct, base = r["full"], r["nochange"], r["onepct"], r["baseline"]
    load_rate = _rate(full["load"]["records"], full["load"]["seconds"])
    su_rate = base["sqlite_utils"]["records_per_s"]
    raw_rate = base["executemany"]["records_per_s"]
    return [
        Figure(
            "etl.load_records_per_s",
            "ETL full load: records/s on the load step (Loader.apply)",
            load_rate,
            "rec/s",
            *at_least(load_rate, 100_000),
        ),
        Figure(
            "etl.sqlite_utils_records_per_s",
            "  same rows, sqlite-utils insert_all (default batches)",
            su_rate,
            "rec/s",
        ),
        Figure(
            "etl.load_vs_sqlite_utils",
            "  load step ÷ sqlite-utils (same run)",
            _ratio(load_rate, su_rate),
            "×",
        ),
        Figure(
            "etl.executemany_records_per_s",
            "  same rows, raw executemany in one transaction",
            raw_rate,
            "rec/s",
        ),
        Figure(
            "etl.load_vs_executemany",
            "  load step ÷ raw executemany (same run)",
            _ratio(load_rate, raw_rate),
            "×",
        ),
        Figure(
            "etl.overall_records_per_s",
            "ETL full load: records/s overall (fetch → load → derive)",
            _rate(full["load"]["records"], full["seconds"]),
            "rec/s",
        ),
        Figure("etl.full_seconds", "ETL full load: seconds", round(full["seconds"], 1), "s"),
        Figure("etl.nochange_seconds", "ETL no-change run: seconds", round(nochange["seconds"], 2), "s"),
        Figure(
            "etl.nochange_parsed_documents",
            "ETL no-change run: documents parsed",
            nochange["totals"]["parsed"],
            "",
            *at_most(nochange["totals"]["parsed"], 0, "= 0"),
        ),
        Figure(
            "etl.nochange_vs_full",
            "  no-change ÷ full (seconds)",
            _ratio(nochange["seconds"], full["seconds"], 3),
            "×",
        ),
        Figure(
            "etl.change1pct_documents",
            "ETL 1% run: detail pages changed",
            f"{r['change']['changed']} of {r['change']['of']}",
        ),
        Figure("etl.change1pct_seconds", "ETL 1% run: seconds", round(onepct["seconds"], 2), "s"),
        Figure("etl.change1pct_parsed_documents", "ETL 1% run: documents parsed", onepct["totals"]["parsed"]),
        Figure("etl.change1pct_updated_records", "ETL 1% run: records updated", onepct["totals"]["updated"]),
        Figure(
            "etl.change1pct_vs_full",
            "  1% run ÷ full (seconds)",
            _ratio(onepct["seconds"], full["seconds"], 3),
            "×",
        ),
    ]


def _notes(session, r: dict) -> None:
    base = r["baseline"]
    session.note(
        f"ETL load step = the time inside etl.load.Loader.apply ({r['full']['load']['records']:,} "
        f"records: comparing with stored rows, inserts and the change log; the content hashes "
        f"are made with the records, by the normalizing workers of etl/prepare.py, and only "
        f"hashed here for a table whose records come without them). The baseline "
        f"inserts the same {base['rows']:,} rows (read back from the loaded tables) into an empty "
        f"database with the same schema and pragmas (WAL, synchronous=NORMAL) with sqlite-utils "
        f"insert_all defaults (batches of 100, one commit per batch)."
    )
    session.note(
        f"ETL sources are read through copies of etl/sources/*.yaml with list.max_pages raised to "
        f"{inputs.BENCH_MAX_PAGES} (the specs' 50 pages × 15 items stop a list crawl at 750 "
        f"reports per site; at province size the sites list more) and assertions.max_records "
        f"raised to {inputs.BENCH_MAX_RECORDS:,} (national rating lists exceed the specs' 100,000)."
    )
    session.note(
        f"ETL 1% run: {r['change']['changed']} of {r['change']['of']} detail pages "
        f"(accident reports and assessments, chosen by a seeded hash of their path) get a "
        f"sentence appended to their first body paragraph; no other document changes."
    )


def _rate(records: int, seconds: float) -> int | None:
    return int(records / seconds) if seconds else None


def _ratio(a, b, digits: int = 2) -> float | None:
    return round(a / b, digits) if a is not None and b else None


# ------------------------------------------------------------------ 1% of detail pages changed


def change_detail_pages(sources: Path, db: Path, share: float, seed: int) -> dict:
    """Change `share` of the detail pages the last run read (deterministic for a seed)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    union = " UNION ".join(f"SELECT document_id FROM {t}" for t in DETAIL_KINDS)
    urls = [
        row[0]
        for row in conn.execute(
            f"SELECT DISTINCT url FROM documents WHERE gone_since IS NULL AND id IN ({union})"
        )
    ]
    conn.close()
    pages = sorted(p for p in (_path_of(u, sources) for u in urls) if p and p.suffix in (".html", ".htm"))
    chosen = sorted(
        pages, key=lambda p: hashlib.sha256(f"{seed}:{p.relative_to(sources)}".encode()).hexdigest()
    )[: math.ceil(len(pages) * share)]
    changed = sum(_revise(page) for page in chosen)
    return {
        "changed": changed,
        "of": len(pages),
        "chosen": len(chosen),
        "examples": [str(p.relative_to(sources)) for p in sorted(chosen)[:5]],
    }


def _path_of(url: str, sources: Path) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    path = Path(unquote(parsed.path))
    return path if sources in path.parents else None


def _revise(page: Path) -> bool:
    """Append a sentence to the disclaimer paragraph, in the page's own encoding."""
    content = page.read_bytes()
    for encoding in ("utf-8", "gbk"):
        old, new = DISCLAIMER.encode(encoding), REVISION.encode(encoding)
        if old in content:
            content = content.replace(old, new, 1)
            break
    else:  # no disclaimer paragraph: still a changed document (the record may stay the same)
        content = content.replace(b"</body>", b"<!-- revised -->\n</body>", 1)
    temporary = page.with_name(page.name + ".new")
    temporary.write_bytes(content)
    os.replace(temporary, page)  # a new file: the hard-linked original keeps its bytes
    return True


# ------------------------------------------------------------------ child processes


def run_pipeline(out: Path) -> dict:
    """Run every source (paths from DISCLOSURE_*), timing the load step; write the result."""
    from etl import db as database
    from etl import pipeline
    from etl.load import Loader
    from etl.spec import load_specs

    load = {"seconds": 0.0, "records": 0, "calls": 0, "by_table": {}}
    apply = Loader.apply

    def timed_apply(self, source_id, table, records, *hashes):
        count, started = len(records), time.perf_counter()
        try:
            return apply(self, source_id, table, records, *hashes)
        finally:
            load["seconds"] += time.perf_counter() - started
            load["records"] += count
            load["calls"] += 1
            load["by_table"][table] = load["by_table"].get(table, 0) + count

    Loader.apply = timed_apply
    conn = database.connect()
    specs = load_specs()
    started = time.perf_counter()
    run_id, results = pipeline.run(conn, specs)
    seconds = time.perf_counter() - started
    conn.close()
    result = {
        "run_id": run_id,
        "seconds": round(seconds, 3),
        "load": _rounded(load),
        "sources": [_source(r) for r in results],
        "totals": _totals(results),
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def _source(r) -> dict:
    c = r.counts
    return {
        "id": r.source_id,
        "status": r.status,
        "error": (r.error or "").splitlines()[:1] or None,
        "fetched": r.fetched,
        "unchanged_documents": r.unchanged_documents,
        # parsed_documents and seconds came with the parse cache; older pipelines lack them
        "parsed_documents": getattr(r, "parsed_documents", None),
        "records": r.records,
        "rejected": r.rejected,
        "added": c.added,
        "updated": c.updated,
        "removed": c.removed,
        "seconds": getattr(r, "seconds", None),
    }


def _totals(results) -> dict:
    parsed = [getattr(r, "parsed_documents", None) for r in results]
    return {
        "fetched": sum(r.fetched for r in results),
        "parsed": None if None in parsed else sum(parsed),
        "records": sum(r.records for r in results),
        "added": sum(r.counts.added for r in results),
        "updated": sum(r.counts.updated for r in results),
        "removed": sum(r.counts.removed for r in results),
        "rejected": sum(r.rejected for r in results),
        "failed": [r.source_id for r in results if r.status == "failed"],
    }


def _rounded(load: dict) -> dict:
    return {**load, "seconds": round(load["seconds"], 3)}


def run_baseline(db: Path, work: Path, out: Path, tables: list[str]) -> dict:
    """Insert the loaded rows of `tables` into empty databases with the ETL's schema: with
    sqlite-utils' insert_all defaults, and with raw executemany in one transaction."""
    import sqlite_utils

    from etl import db as database

    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    rows = {t: [dict(r) for r in src.execute(f"SELECT * FROM {t} ORDER BY rowid")] for t in tables}
    src.close()
    total = sum(map(len, rows.values()))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    database.connect(work / "sqlite_utils.db").close()  # schema, WAL
    target = sqlite_utils.Database(work / "sqlite_utils.db")
    target.execute("PRAGMA synchronous = NORMAL")  # the ETL connection's setting
    started = time.perf_counter()
    for table, table_rows in rows.items():
        target[table].insert_all(table_rows)
    su_seconds = time.perf_counter() - started
    target.close()

    conn = database.connect(work / "executemany.db")
    started = time.perf_counter()
    insert_executemany(conn, rows)
    raw_seconds = time.perf_counter() - started
    conn.close()
    result = {
        "rows": total,
        "tables": {t: len(r) for t, r in rows.items()},
        "sqlite_utils": {"seconds": round(su_seconds, 3), "records_per_s": int(total / su_seconds)},
        "executemany": {"seconds": round(raw_seconds, 3), "records_per_s": int(total / raw_seconds)},
    }
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def main(argv: list[str]) -> None:
    """python -m bench.etl_bench run OUT.json | baseline DB WORKDIR OUT.json TABLE…"""
    if argv[:1] == ["run"] and len(argv) == 2:
        run_pipeline(Path(argv[1]))
    elif argv[:1] == ["baseline"] and len(argv) >= 4:
        run_baseline(Path(argv[1]), Path(argv[2]), Path(argv[3]), argv[4:])
    else:
        sys.exit(main.__doc__)


def insert_executemany(conn, rows: dict[str, list[dict]]) -> None:
    """The raw baseline: each table's rows with one executemany, all in one transaction."""
    conn.execute("BEGIN")
    for table, table_rows in rows.items():
        columns = list(table_rows[0]) if table_rows else []
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [[r[c] for c in columns] for r in table_rows],
        )
    conn.execute("COMMIT")


if __name__ == "__main__":
    main(sys.argv[1:])
