"""Chinese labels of coded values on HTML pages; JSON and CSV keep the codes.

The code lists come from the data dictionary (etl/schema.yaml `codes:` per column), carried into
metadata.yml as table plugin configuration `disclosure-labels: {codes: {column: {code: 中文}}}`
by publish/datasette/metadata.py.

* `render_cell` (Datasette calls it for HTML cells only): a coded cell shows its Chinese label,
  the code in its title. In canned-query results (no table) a column is labelled when every
  table that codes it agrees on the labels.
* `extra_template_vars`: `code_labels` ({column: {code: 中文}} of the page's table, for facets,
  filters and the row page) and `column_units` (the unit each column's description states,
  "单位：人", for table cells and the row page). Both are read once per table: the metadata does
  not change while a process serves it.
* Jinja filter `tilde_encode`, for row links built in templates (Datasette's row URLs).
"""

import re
from weakref import WeakKeyDictionary

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

PLUGIN = "disclosure-labels"
UNIT = re.compile(r"单位：([^（(。；;，,\s]+)")

# datasette -> {(kind, database, table): answer}; the metadata does not change while served.
# Keyed by the object, not id(): tests build many Datasette objects, and ids are reused.
_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def _cached(datasette, key, compute):
    answers = _CACHE.get(datasette)
    if answers is None:
        answers = _CACHE[datasette] = {}
    if key not in answers:
        answers[key] = compute()
    return answers[key]


def table_codes(datasette, database, table) -> dict:
    def compute():
        config = datasette.plugin_config(PLUGIN, database=database, table=table) or {}
        return config.get("codes") or {}

    return _cached(datasette, ("codes", database, table), compute)


def query_codes(datasette, database) -> dict:
    """For query results, whose table is unknown: per column, the codes that mean the same in
    every table that has them (subject_type's unit is 单位 in bans and 生产经营单位 in blacklist,
    status's removed is 提前移出 on the blacklist and 已销号 for hazards: those stay codes)."""

    def compute():
        seen: dict = {}
        for table in datasette.metadata("tables", database=database) or {}:
            for column, codes in table_codes(datasette, database, table).items():
                for code, label in codes.items():
                    seen.setdefault(column, {}).setdefault(code, set()).add(label)
        merged = {
            column: {code: next(iter(labels)) for code, labels in codes.items() if len(labels) == 1}
            for column, codes in seen.items()
        }
        return {column: codes for column, codes in merged.items() if codes}

    return _cached(datasette, ("query codes", database, None), compute)


def column_units(datasette, database, table) -> dict:
    def compute():
        columns = datasette.table_metadata(database, table).get("columns") or {}
        return {c: m.group(1) for c, text in columns.items() if (m := UNIT.search(text or ""))}

    return _cached(datasette, ("units", database, table), compute)


def coded_cells(datasette, database, table) -> dict:
    """{column: {code: the cell's markup}} of a table (or of query results, table None): made
    once, as render_cell runs for every coded cell of a page."""

    def compute():
        codes = table_codes(datasette, database, table) if table else query_codes(datasette, database)
        return {
            column: {
                code: Markup(f'<span class="coded" title="代码：{escape(code)}">{escape(zh)}</span>')
                for code, zh in labels.items()
            }
            for column, labels in codes.items()
        }

    return _cached(datasette, ("cells", database, table), compute)


@hookimpl
def render_cell(value, column, table, database, datasette):
    if database is None or value is None or isinstance(value, (dict, bytes)):
        return None
    cells = coded_cells(datasette, database, table).get(column)
    return cells.get(str(value)) if cells else None


def _rendered_columns(datasette, database, table):
    """The coded columns of a table: render_cell answers None for the others, so
    plugins/fast_cells.py skips the call for their cells."""
    if database is None or table is None:
        return None
    return set(table_codes(datasette, database, table))


render_cell.rendered_columns = _rendered_columns


@hookimpl
def extra_template_vars(database, table, datasette):
    if not (database and table):
        return {"code_labels": {}, "column_units": {}}
    return {
        "code_labels": table_codes(datasette, database, table),
        "column_units": column_units(datasette, database, table),
    }


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["tilde_encode"] = lambda value: tilde_encode(str(value))
