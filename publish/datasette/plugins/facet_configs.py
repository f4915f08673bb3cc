"""A facet asked for twice is computed and shown once.

Datasette 0.65.5 (datasette/facets.py `load_facet_configs`) lists the table's metadata facets and
then every `_facet` of the query string, without looking for repeats; datasette/views/table.py
then runs each one and shows a repeat under a second key (`city_name_2`). Clicking a metadata
facet's column in the column menu, or any link that keeps `_facet=city_name` on the accidents
table (whose metadata facets include 市州), made the page show the 市州 facet twice and run its
SQL twice: 1.1 ms of a distinct facet page's 7 ms of SQL at national size, and ~20 more toggle
links to build (docs/scaling.md, "Datasette").

This plugin keeps the first of equal facet configurations of one type: a metadata facet before
the same facet from the query string (so it stays a metadata facet: not hideable, as Datasette
marks it), and one of a facet given twice in the query string. Different configurations (another
column, another type, a JSON config that differs) are all kept, in Datasette's order.
"""
import datasette.facets as facets_module

DATASETTE_LOAD_FACET_CONFIGS = getattr(facets_module.load_facet_configs, "datasette_original",
                                       facets_module.load_facet_configs)


def load_facet_configs(request, table_metadata):
    """Datasette's facet configurations, each (type, config) once."""
    kept = {}
    for kind, entries in DATASETTE_LOAD_FACET_CONFIGS(request, table_metadata).items():
        configs, unique = [], []
        for entry in entries:
            if entry["config"] not in configs:
                configs.append(entry["config"])
                unique.append(entry)
        kept[kind] = unique
    return kept


load_facet_configs.datasette_original = DATASETTE_LOAD_FACET_CONFIGS
facets_module.load_facet_configs = load_facet_configs
