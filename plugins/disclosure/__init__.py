"""Pelican plugin: the public disclosure site rendered from data/public.db.

Modules: ``data`` (read the database), ``pages`` (what each page shows), ``generator`` (render and
write), ``output`` (write only changed files), ``feeds``, ``charts``, ``choropleth`` (maps),
``opendata``, ``search``, ``filters`` (escaping and formatting of source values). Settings are listed in
``generator.DEFAULTS`` and set in pelicanconf.py.
"""

from __future__ import annotations

import functools
import logging
import time
from pathlib import Path

from pelican import signals

from . import choropleth, filters, output, search
from .generator import DisclosureGenerator, setting

log = logging.getLogger(__name__)
_START = {}


def get_generators(pelican):
    return DisclosureGenerator


def get_writer(pelican):
    return output.ChangedOnlyWriter


def add_filters(generator):
    """Every generator's Jinja environment (Pelican's pages share the base template)."""
    generator.env.filters.update(filters.FILTERS)
    base = (generator.settings.get("SITEURL") or "").rstrip("/")
    dts = setting(generator.settings, "DISCLOSURE_DATASETTE_URL")
    dts_db = setting(generator.settings, "DISCLOSURE_DATASETTE_DB")

    def url(path=""):
        # most site paths are plain ASCII: skip percent-encoding them (called ~30 times a page)
        return f"{base}/{path}" if filters.plain_path(path) else f"{base}/{filters.urlpath(path)}"

    generator.env.globals.update(
        url=url,
        rect=filters.rect,
        dts_row=lambda table, pk: filters.datasette_row(dts, dts_db, table, pk),
        dts=lambda table, pk: filters.dts_link(filters.datasette_row(dts, dts_db, table, pk)),
        dts_table=lambda table: f"{dts.rstrip('/')}/{dts_db}/{table}",
        # choropleth(values, parent, title, unit=…, links={code: path}, …): map + table (choropleth.py)
        choropleth=functools.partial(choropleth.figure, href=url),
    )


def initialized(pelican):
    output.reset()
    output.tree_for(pelican.output_path, pelican.settings)  # before anything is written (prune)
    _START[id(pelican)] = time.monotonic()


def finalized(pelican):
    tree = output.tree_for(pelican.output_path, pelican.settings)
    out = Path(pelican.output_path)
    searched = ""
    if setting(pelican.settings, "DISCLOSURE_SEARCH_INDEX"):
        if not search.pagefind_available():
            log.warning(
                "pagefind is not installed (pip install 'pagefind[extended]'): search index not built"
            )
        else:
            pages, every_report = search.pagefind_pages(
                Path(setting(pelican.settings, "DISCLOSURE_PUBLIC_DB")),
                int(setting(pelican.settings, "DISCLOSURE_SEARCH_MAX_PAGES")),
                tree.pelican_pages,
            )
            # the index is a function of the pages it reads: none rewritten, none added or
            # removed, and the last index is kept as it is (a release rebuilds public.db, which
            # used to re-run Pagefind though no report changed)
            key = search.index_key(out, tree, pages, every_report)
            if not (out / "pagefind" / "pagefind.js").exists() or not tree.reuse("pagefind", key):
                stats = search.build_pagefind(out, tree, pages, every_report)
                tree.stamp("pagefind", key, stats.pop("rels"))
                searched = (
                    f", search index of {stats['pages']} pages: {stats['files']} files, "
                    f"{stats['seconds']:.2f} s, peak {stats['peak_mb']:.0f} MB"
                )
    else:
        search.keep_pagefind(out, tree)
    removed = tree.prune() if setting(pelican.settings, "DISCLOSURE_PRUNE_OUTPUT") else []
    tree.save_manifest()
    seconds = time.monotonic() - _START.get(id(pelican), time.monotonic())
    # one line for people and for `make bench` (parsed there)
    print(
        f"disclosure: {tree.summary()}, {len(removed)} stale files removed, {seconds:.2f} s, "
        f"{tree.processes} render process{'es' if tree.processes != 1 else ''}{searched}",
        flush=True,
    )


def register():
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.generator_init.connect(add_filters)
    signals.finalized.connect(finalized)
