# The public site (included from the main Makefile).
#   make site        build output/ from data/public.db (Pelican + the disclosure plugin, which also
#                    runs the Pagefind search index); only files whose bytes changed are rewritten
#   make serve-site  serve output/ on http://127.0.0.1:8000/
# DISCLOSURE_PUBLIC_DB overrides the database; SITE_CONF=publishconf.py builds with the public origin.
SITE_OUTPUT ?= output
SITE_CONF ?= pelicanconf.py

.PHONY: site serve-site

# $(PUBLIC_DB) is made by the main Makefile's `public` target (rule in publish/datasette/datasette.mk)
site: $(PUBLIC_DB) venv
	DISCLOSURE_PUBLIC_DB=$${DISCLOSURE_PUBLIC_DB:-$(PUBLIC_DB)} $(PY) -m pelican content -s $(SITE_CONF) -o $(SITE_OUTPUT) --fatal warnings

serve-site:
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory $(SITE_OUTPUT)

BUILD_EXTRA += site

