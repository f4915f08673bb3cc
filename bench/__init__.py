"""Benchmarks (`make bench`, python -m bench): the figures that tell whether the system is fast
enough at province and national size, measured the same way every run.

measure.py        run one step in a child process: wall time, peak memory
inputs.py         seeded sources per size, scratch folders (data/scratch/), machine facts
etl_bench.py      ETL: full load vs sqlite-utils, no-change run, 1% changed; the public database
load_bench.py     the load step alone (Loader.apply) vs raw executemany, replayed from a loaded
                  database (python -m bench.load_bench; not part of `make bench`)
site_runner.py    calls site_bench.py (the site build figures) in a child process
national.py       a national-size public database from a province's, ×30
datasette_bench.py  a real Datasette server on 127.0.0.1 under 8 concurrent clients
release_bench.py  `publish release` end to end
report.py         the one table and data/bench.json
"""
