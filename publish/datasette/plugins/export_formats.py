"""The export formats that maintained plugins add, made safe and named in Chinese.

* `.copyable` (datasette-copyable): a table or query result as text to paste, TSV by default (into
  Excel or WPS). A pasted cell that starts with = + - @, a tab or a carriage return runs as a
  formula (OWASP, "CSV Injection"), the risk csv_guard.py closes for CSV; that guard rewrites
  only CSV responses. So the `copyable` renderer is registered once more, after the plugin's own
  (`trylast`: Datasette keeps the last renderer registered for an extension), and hands
  datasette-copyable the column names and rows with each such text written with a single quote
  in front, in every one of its formats, as the site's downloads do (plugins/disclosure/opendata.py).
  The renderer sees the types: numbers stay numbers, a text "-5" is quoted.
* `export_labels`: the Chinese names of these formats in the pages' 导出 links (templates
  table.html, query.html, row.html); other formats keep their extension as their name.
"""

from datasette import hookimpl
from datasette_copyable import render_copyable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXPORT_LABELS = {"copyable": "复制表格", "Notebook": "导出到笔记本"}


def neutralize(value):
    """A text that would start a formula, with a single quote in front; anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, dict) and "label" in value:  # a foreign key shown by its label (_labels=on)
        return {**value, "label": neutralize(value["label"])}
    return value


async def render_neutralized(rows, columns, request, datasette, database, table, query_name):
    return await render_copyable(
        rows=[[neutralize(cell) for cell in row] for row in rows],
        columns=[neutralize(column) for column in columns],
        request=request,
        datasette=datasette,
        database=database,
        table=table,
        query_name=query_name,
    )


@hookimpl(trylast=True)
def register_output_renderer(datasette):
    return {"extension": "copyable", "render": render_neutralized}


@hookimpl
def extra_template_vars():
    return {"export_labels": EXPORT_LABELS}
