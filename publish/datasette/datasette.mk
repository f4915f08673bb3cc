# Datasette for journalists (docs/datasette.md). Included from the main Makefile.
#
#   make datasette          serve $(PUBLIC_DB) read-only on http://127.0.0.1:8001/
#   make datasette-metadata regenerate publish/datasette/metadata.yml from etl/schema.yaml
#   make datasette-image    build the replica image (publish/datasette/Dockerfile)
#
# Knobs: DATASETTE_HOST, DATASETTE_PORT and, at run time, DISCLOSURE_ALLOW_SQL=0 (canned queries
# only), DISCLOSURE_SITE_URL, DISCLOSURE_ARCHIVE_URL. $(DATASETTE_CMD) is the serve command, for
# a demo target that runs it beside the site.

PY ?= .venv/bin/python
PUBLIC_DB ?= data/public.db
DATASETTE_HOST ?= 127.0.0.1
DATASETTE_PORT ?= 8001
DATASETTE_IMAGE ?= disclosure-datasette
DATASETTE_CMD = $(PY) -m publish.datasette_serve --db $(PUBLIC_DB) \
	--host $(DATASETTE_HOST) --port $(DATASETTE_PORT)

BUILD_EXTRA += datasette-metadata

# Built by the main Makefile's `public` target (the one public filter, etl/public.py) when
# missing; statuses depend on the date, so `make public` again when the day changes.
$(PUBLIC_DB):
	$(MAKE) public

publish/datasette/metadata.yml: etl/schema.yaml publish/datasette/queries.yml publish/datasette/metadata.py
	$(PY) -m publish.datasette.metadata

.PHONY: datasette datasette-metadata datasette-image
datasette-metadata: publish/datasette/metadata.yml

datasette: $(PUBLIC_DB) publish/datasette/metadata.yml
	$(DATASETTE_CMD)

datasette-image: $(PUBLIC_DB) publish/datasette/metadata.yml
	docker build -f publish/datasette/Dockerfile -t $(DATASETTE_IMAGE) .
