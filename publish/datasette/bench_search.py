"""Measure the Chinese search of the public database (figures in docs/search.md).

    python -m publish.datasette.bench_search --rows 100000 --out /tmp/bench

Builds a synthetic accident table (deterministic pseudo-random Chinese text with known terms
planted at known rates), its CJK-bigram FTS5 table (etl/fts_text.py, the form etl/public.py
writes) and, for comparison, a trigram FTS5 table; then compares every search with a LIKE scan
(the exact answer) and times it, and times `_search=` through Datasette with this repository's
configuration (immutable, inspect file, plugins). Nothing here is used at run time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import time
from pathlib import Path

from etl import fts_text

FILLER = (
    "生产经营单位安全管理制度不落实现场作业人员违章指挥冒险作业未按规定开展隐患排查治理"
    "应急救援处置及时事故调查组认定这是一起责任事故相关责任人员已移送司法机关处理企业主要负责人"
    "未履行安全生产管理职责监管部门督促检查不到位施工单位项目部劳务派遣员工培训教育"
)
PLANTED = {  # term: share of rows that contain it
    "爆炸": 0.05,
    "瞒报": 0.01,
    "化工有限公司": 0.03,
    "中毒和窒息": 0.02,
    "坍塌": 0.04,
    "爆炸事故": 0.02,
}
QUERIES = ["爆炸", "瞒报", "坍塌", "化工有限公司", "中毒和窒息", "爆炸事故", "爆", "化工 爆炸", "爆炸 瞒报"]


def _row(rng: random.Random, i: int) -> tuple[str, str]:
    words = [FILLER[j : j + rng.randint(2, 6)] for j in rng.sample(range(len(FILLER) - 6), 40)]
    for term, share in PLANTED.items():
        if rng.random() < share:
            words.insert(rng.randrange(len(words)), term)
    title = f"甘肃某{rng.choice(['矿业', '建材', '物流', '冶金'])}公司“{i % 12 + 1}·{i % 28 + 1}”事故调查报告"
    body = (
        "，".join("".join(words[k : k + 4]) for k in range(0, len(words), 4)) + f"。代码91620100MA{i:08d}。"
    )
    return title, body


def build(path: Path, rows: int) -> dict:
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    rng = random.Random(20260630)
    conn.execute("CREATE TABLE accidents (id TEXT PRIMARY KEY, title TEXT, body_text TEXT)")
    with conn:
        conn.executemany(
            "INSERT INTO accidents VALUES (?, ?, ?)", ((f"acc-{i}", *_row(rng, i)) for i in range(rows))
        )
    size_base = path.stat().st_size
    timings = {}
    started = time.perf_counter()
    conn.execute("CREATE VIRTUAL TABLE accidents_fts USING fts5(title, body_text, content='')")
    with conn:
        conn.executemany(
            "INSERT INTO accidents_fts (rowid, title, body_text) VALUES (?, ?, ?)",
            (
                (r[0], fts_text.index_text(r[1]), fts_text.index_text(r[2]))
                for r in conn.execute("SELECT rowid, title, body_text FROM accidents")
            ),
        )
        conn.execute("INSERT INTO accidents_fts (accidents_fts) VALUES ('optimize')")
    timings["bigram_build_s"] = time.perf_counter() - started
    conn.execute("VACUUM")
    size_bigram = path.stat().st_size - size_base
    started = time.perf_counter()
    conn.execute("CREATE VIRTUAL TABLE tri USING fts5(title, body_text, tokenize='trigram', content='')")
    with conn:
        conn.execute(
            "INSERT INTO tri (rowid, title, body_text) SELECT rowid, title, body_text FROM accidents"
        )
        conn.execute("INSERT INTO tri (tri) VALUES ('optimize')")
    timings["trigram_build_s"] = time.perf_counter() - started
    conn.execute("VACUUM")
    size_trigram = path.stat().st_size - size_base - size_bigram
    conn.close()
    return {
        "rows": rows,
        "base_mib": size_base / 2**20,
        "bigram_mib": size_bigram / 2**20,
        "trigram_mib": size_trigram / 2**20,
        **timings,
    }


def _median_ms(fn, repeat=5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def compare(path: Path) -> list[dict]:
    conn = sqlite3.connect(path)
    out = []
    for query in QUERIES:
        terms = query.split()
        like = " AND ".join("(title || body_text) LIKE ?" for _ in terms)
        like_ms, exact = _median_ms(
            lambda: conn.execute(
                f"SELECT count(*) FROM accidents WHERE {like}", [f"%{t}%" for t in terms]
            ).fetchone()[0],
            3,
        )
        bigram_ms, found = _median_ms(
            lambda: conn.execute(
                "SELECT count(*) FROM accidents_fts WHERE accidents_fts MATCH ?",
                (fts_text.match_expression(query),),
            ).fetchone()[0]
        )
        tri_expr = " ".join('"{}"'.format(t) for t in terms)
        try:
            tri_ms, tri = _median_ms(
                lambda: conn.execute("SELECT count(*) FROM tri WHERE tri MATCH ?", (tri_expr,)).fetchone()[0]
            )
        except sqlite3.OperationalError:
            tri_ms, tri = None, "error"
        out.append(
            {
                "query": query,
                "like_count": exact,
                "like_ms": like_ms,
                "bigram_count": found,
                "bigram_ms": bigram_ms,
                "trigram_count": tri,
                "trigram_ms": tri_ms,
            }
        )
    conn.close()
    return out


def datasette_timings(path: Path, requests: int = 20) -> list[dict]:
    from datasette.app import Datasette
    from datasette.cli import inspect_

    from publish import datasette_serve

    inspect_data = asyncio.run(inspect_([str(path)], None))
    kwargs = datasette_serve.datasette_kwargs()
    kwargs["metadata"]["databases"]["public"]["tables"] = {
        "accidents": {"fts_table": "accidents_fts", "fts_pk": "rowid"}
    }
    ds = Datasette(immutables=[str(path)], inspect_data=inspect_data, **kwargs)
    out = []
    for query, extra in [("爆炸", ""), ("化工有限公司", ""), ("瞒报", ""), ("化工有限公司", "&_nocount=1")]:
        url = f"/public/accidents.json?_search={query}&_size=50&_col=title{extra}"

        async def run():
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                response = await ds.client.get(url)
                assert response.status_code == 200, response.text[:300]
                times.append((time.perf_counter() - started) * 1000)
            return times, response.json().get("filtered_table_rows_count")

        times, count = asyncio.run(run())
        out.append({"url": url, "p50_ms": statistics.median(times), "count": count})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-search"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "public.db"
    report = {"build": build(path, args.rows)}
    report["queries"] = compare(path)
    report["datasette"] = datasette_timings(path)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
