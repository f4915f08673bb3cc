# 安全生产信息公开平台: one-command set-up, build, demo and tests.
#   make demo    set up, run the ETL on the bundled samples, build, serve on 127.0.0.1
#   make build   everything demo does except serving
#   make test    the test suite
#   make lint    ruff lint and format check (make format applies the formatter)
#   make bench   benchmarks at province size (bench/bench.mk); figures in data/bench.json
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
AS_OF ?= $(shell date +%F)
DB := data/disclosure.db
PUBLIC_DB := data/public.db

.PHONY: venv etl public build demo test lint format faults clean sources rejects release golden

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

etl: venv
	$(PY) -m etl run || test $$? -eq 1   # a failed source is reported; the others still load

public: etl
	$(PY) -m etl public --as-of $(AS_OF) --db $(DB) --out $(PUBLIC_DB)

sources: venv
	$(PY) -m etl sources

rejects: venv
	$(PY) -m etl rejects

-include site.mk
-include publish/datasette/datasette.mk
-include bench/bench.mk

build: public $(BUILD_EXTRA)

# The site on :8000 and Datasette on :8001, both on 127.0.0.1; Ctrl-C stops both.
demo: build
	@echo "网站 http://127.0.0.1:8000/   Datasette http://127.0.0.1:8001/   (Ctrl-C to stop)"
	$(DATASETTE_CMD) & ds=$$!; trap 'kill $$ds 2>/dev/null' EXIT INT TERM; \
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory $(SITE_OUTPUT)

test: venv
	$(PY) -m pytest -q

# Rewrite tests/golden/site.tar.xz, the expected site of tests/test_golden_site.py, after a change
# that is meant to change pages (review the test's diff first; commit the archive with the change).
golden: venv
	DISCLOSURE_GOLDEN_UPDATE=1 $(PY) -m pytest -q tests/test_golden_site.py

# ruff (pyproject.toml): lint rules and the formatter's check; `make format` applies the formatter.
LINT_PATHS := etl samplegen plugins publish tests bench freshness.py pelicanconf.py publishconf.py
lint: venv
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)

format: venv
	$(PY) -m ruff format $(LINT_PATHS)
	$(PY) -m ruff check --fix $(LINT_PATHS)

# The fault suite (also part of make test): kills, a full disk, concurrent runs, broken documents,
# hostile Datasette requests and CSV formulas; -v prints each case that held.
FAULT_TESTS := tests/test_release_faults.py tests/test_broken_documents.py \
	tests/test_datasette_hostile.py tests/test_csv_formulas.py tests/test_no_id_numbers.py
faults: venv
	$(PY) -m pytest -v -p no:cacheprovider $(FAULT_TESTS)

# The staff pipeline (publish/): ETL → gates → build → atomic release into dist/
release: venv
	$(PY) -m publish release --as-of $(AS_OF)

clean:
	rm -rf $(DB) $(DB)-* $(PUBLIC_DB) data/archive output
