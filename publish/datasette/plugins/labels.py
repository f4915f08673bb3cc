"""Chinese labels of coded values on HTML pages; JSON and CSV keep the codes.

The code lists come from the data dictionary (etl/schema.yaml `codes:` per column), carried into
metadata.yml as table plugin configuration `disclosure-labels: {codes: {column: {code: 中文}}}`
by publish/datasette/metadata.py.

* `render_cell` (Datasette calls it for HTML cells only): a coded cell shows its Chinese label,
  the code in its title. In canned-query results (no table) a column is labelled when every
  table that codes it agrees on the labels.
* `extra_template_vars`: `code_labels` ({column: {code: 中文}} of the page's table, for facets,
  filters and the row page) and `column_units` (the unit each column's description states,
  "单位：人", for the row page).
* Jinja filter `tilde_encode`, for row links built in templates (Datasette's row URLs).
"""

import re

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

PLUGIN = "disclosure-labels"
UNIT = re.compile(r"单位：([^（(。；;，,\s]+)")

# (id(datasette), database, table) -> {column: {code: label}}; metadata does not change while served
_CODES: dict = {}
# (id(datasette), database) -> {column: {code: label}} for query results without a table
_QUERY_CODES: dict = {}


def table_codes(datasette, database, table) -> dict:
    key = (id(datasette), database, table)
    if key not in _CODES:
        config = datasette.plugin_config(PLUGIN, database=database, table=table) or {}
        _CODES[key] = config.get("codes") or {}
    return _CODES[key]


def query_codes(datasette, database) -> dict:
    """Columns whose codes mean the same in every table that has them (e.g. rect_status, not
    subject_type: 单位 in bans, 生产经营单位 in blacklist)."""
    key = (id(datasette), database)
    if key not in _QUERY_CODES:
        seen: dict = {}
        for table in datasette.metadata("tables", database=database) or {}:
            for column, codes in table_codes(datasette, database, table).items():
                seen.setdefault(column, []).append(codes)
        _QUERY_CODES[key] = {
            c: lists[0] for c, lists in seen.items() if all(codes == lists[0] for codes in lists)
        }
    return _QUERY_CODES[key]


def column_units(datasette, database, table) -> dict:
    columns = datasette.table_metadata(database, table).get("columns") or {}
    return {c: m.group(1) for c, description in columns.items() if (m := UNIT.search(description or ""))}


def label(codes: dict, value):
    """The Chinese label of `value`, or None (not coded, or a code the dictionary lacks)."""
    if value is None or isinstance(value, (dict, bytes)) or not codes:
        return None
    return codes.get(str(value))


@hookimpl
def render_cell(value, column, table, database, datasette):
    if database is None:
        return None
    codes = (table_codes(datasette, database, table) if table else query_codes(datasette, database)).get(
        column
    )
    zh = label(codes, value)
    if zh is None:
        return None
    return Markup(f'<span class="coded" title="代码：{escape(value)}">{escape(zh)}</span>')


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
