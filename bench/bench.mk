# Benchmarks (docs/scaling.md). Included from the main Makefile.
#
#   make bench                    province size, every area; one table, figures in data/bench.json
#   make bench BENCH_SIZE=small   the bundled samples: a smoke run in about a minute
#   make bench BENCH_ONLY=etl,datasette BENCH_QUICK=1
#
# Knobs (each is also an option of `python -m bench`, see `python -m bench --help`):
#   BENCH_SIZE       small | province | national (default province). province sources are generated
#                    once into data/scratch/province (about 3 minutes, 160 MB) and reused; national
#                    sources (data/scratch/national) take far longer and are opt-in.
#   BENCH_ONLY       comma-separated areas: etl, site, datasette, release (default all four)
#   BENCH_QUICK      1 = 50 requests per Datasette URL instead of 200, shorter time caps
#   BENCH_SEED       seed of the generated sources and of the 1% change (default 20261129)
#   BENCH_CLIENTS    concurrent Datasette clients (default 8)
#   BENCH_REQUESTS   requests per Datasette URL (default 200; 50 with BENCH_QUICK)
#   BENCH_FACTOR     national database = FACTOR × the public database (default 30; 3 for national)
#   BENCH_HTML_VALIDATION  the release's HTML validation gate: config (default: publish/config.toml, i.e. the real `publish release`) | off | warn | fail
#   BENCH_OUT        where the JSON goes (default data/bench.json)
#
# Everything is written under data/scratch/bench-<size>/ (git-ignored); data/samples/ is only
# read. Load tests talk to 127.0.0.1 only and stop by themselves (fixed requests, time cap).

PY ?= .venv/bin/python
BENCH_SIZE ?= province
BENCH_ONLY ?= etl,site,datasette,release
BENCH_QUICK ?=
BENCH_SEED ?= 20261129
BENCH_CLIENTS ?= 8
BENCH_REQUESTS ?=
BENCH_FACTOR ?=
BENCH_HTML_VALIDATION ?= config
BENCH_OUT ?= data/bench.json

.PHONY: bench
bench: venv
	$(PY) -m bench --size $(BENCH_SIZE) --only $(BENCH_ONLY) --seed $(BENCH_SEED) \
		--clients $(BENCH_CLIENTS) --html-validation $(BENCH_HTML_VALIDATION) --out $(BENCH_OUT) \
		$(if $(BENCH_QUICK),--quick) $(if $(BENCH_REQUESTS),--requests $(BENCH_REQUESTS)) \
		$(if $(BENCH_FACTOR),--factor $(BENCH_FACTOR))
