# 安全生产信息公开平台: one-command set-up, build, demo and tests.
#   make demo    set up, run the ETL on the bundled samples, build, serve on 127.0.0.1
#   make build   everything demo does except serving
#   make test    the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
AS_OF ?= $(shell date +%F)
DB := data/disclosure.db
PUBLIC_DB := data/public.db

.PHONY: venv etl public build demo test clean sources rejects

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

build: public $(BUILD_EXTRA)

demo: build
	@echo "Datasette: http://127.0.0.1:8001/   网站: http://127.0.0.1:8000/"
	$(DEMO_SERVE)

test: venv
	$(PY) -m pytest -q

clean:
	rm -rf $(DB) $(DB)-* $(PUBLIC_DB) data/archive output
