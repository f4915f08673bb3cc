"""The cells of a table page without a plugin-manager round trip per cell.

Datasette 0.65.5's `display_columns_and_rows` (datasette/views/table.py) turns every cell of a
table page into a dict, and for each one calls the `render_cell` hook through pluggy: 1,000
calls for 20 rows of the 50-column accidents table. At national size that was 5 of a distinct
table page's ~24 ms, two thirds of it pluggy's call machinery (docs/scaling.md, "Datasette").

This plugin replaces that function, for table pages, by one that builds the same cells:
- the columns (header) come from Datasette's own function, called with no rows;
- each cell's plugin value comes from the same `render_cell` implementations, called directly
  in pluggy's order (the last registered first), awaited when they return an awaitable, the
  first value that is not None winning, as in Datasette;
- empty values, URLs, numbers and text are displayed exactly as Datasette does (`&nbsp;`, a
  link, `str()` cut at `truncate_cells_html` with "…");
- an expanded foreign key ({"value", "label"}) links to its row as Datasette links it;
- anything else (bytes, a column with units, a hook wrapper among the `render_cell`
  implementations) is handed to Datasette's function, for that row or the page.

`tests/test_datasette_scale.py` compares the two functions' output on every table of the
sample database. DISCLOSURE_FAST_CELLS=0 turns the replacement off.
"""

import os

import datasette.views.table as table_view
import markupsafe
from datasette.plugins import pm
from datasette.utils import CustomRow, await_me_maybe, is_url, path_from_row_pks, tilde_encode, truncate_url

# Datasette's function, also when this file is loaded again (one module per Datasette object)
DATASETTE_DISPLAY = getattr(
    table_view.display_columns_and_rows, "__wrapped__", table_view.display_columns_and_rows
)
_NBSP = markupsafe.Markup("&nbsp;")
_PLAIN = (str, int, float, dict)
_HOOK_ARGS = ("row", "value", "column", "table", "database", "datasette")


async def display_columns_and_rows(
    datasette,
    database_name,
    table_name,
    description,
    rows,
    link_column=False,
    truncate_cells=0,
    sortable_columns=None,
):
    """Datasette's display_columns_and_rows, same arguments and result."""
    args = (datasette, database_name, table_name, description)
    impls = pm.hook.render_cell.get_hookimpls()
    if (
        os.environ.get("DISCLOSURE_FAST_CELLS", "1") == "0"
        or any(i.hookwrapper or getattr(i, "wrapper", False) for i in impls)
        or datasette.table_metadata(database_name, table_name).get("units")
    ):
        return await DATASETTE_DISPLAY(*args, rows, link_column, truncate_cells, sortable_columns)
    columns, _ = await DATASETTE_DISPLAY(*args, [], link_column, truncate_cells, sortable_columns)
    names = [d[0] for d in description]
    # pluggy's order; the arguments by position when an implementation takes them all in order
    renderers = [
        (i.function, None if tuple(i.argnames) == _HOOK_ARGS else i.argnames) for i in reversed(impls)
    ]
    # an implementation may say which columns it can render (a function attribute
    # `rendered_columns(datasette, database, table)` -> set, or None for all): the others'
    # cells skip it, with the same result (it would have returned None)
    wanted = [_rendered_columns(function, datasette, database_name, table_name) for function, _ in renderers]
    cell_renderers = {
        name: [r for r, w in zip(renderers, wanted) if w is None or name in w] for name in names
    }
    db = datasette.databases[database_name]
    pks = await db.primary_keys(table_name)
    foreign = {fk["column"]: fk["other_table"] for fk in await db.foreign_keys_for_table(table_name)}
    base_url = datasette.setting("base_url")
    table_path = datasette.urls.table(database_name, table_name)
    skip = pks[0] if link_column and len(pks) == 1 else None
    cell_rows = []
    for row in rows:
        # CustomRow (rows with expanded foreign keys) yields its values through Python code;
        # its dict holds them under the column names
        values = list(map(row.get, row.columns)) if isinstance(row, CustomRow) else row
        cells = []
        if link_column:
            pk_path = path_from_row_pks(row, pks, not pks, False)
            cells.append(
                {
                    "column": pks[0] if len(pks) == 1 else "Link",
                    "value_type": "pk",
                    "is_special_link_column": len(pks) != 1,
                    "raw": pk_path,
                    "value": markupsafe.Markup(
                        '<a href="{}/{}">{}</a>'.format(
                            table_path, path_from_row_pks(row, pks, not pks), markupsafe.escape(pk_path)
                        )
                    ),
                }
            )
        for value, column in zip(values, names):
            if column == skip:  # already shown in the link column
                continue
            if type(value) not in _PLAIN and value is not None:
                break  # bytes (a download link): Datasette's own markup for this row
            shown = None
            for function, argnames in cell_renderers[column]:
                if argnames is None:
                    candidate = function(row, value, column, table_name, database_name, datasette)
                else:
                    hook_args = {
                        "row": row,
                        "value": value,
                        "column": column,
                        "table": table_name,
                        "database": database_name,
                        "datasette": datasette,
                    }
                    candidate = function(*[hook_args[a] for a in argnames])
                if candidate is not None:
                    candidate = await await_me_maybe(candidate)
                    if candidate is not None:
                        shown = candidate
                        break
            if not shown:
                if type(value) is dict:
                    label, value = value["label"], value["value"]
                    template = table_view.LINK_WITH_LABEL if label != value else table_view.LINK_WITH_VALUE
                    shown = markupsafe.Markup(
                        template.format(
                            database=database_name,
                            base_url=base_url,
                            table=tilde_encode(foreign[column]),
                            link_id=tilde_encode(str(value)),
                            id=str(markupsafe.escape(value)),
                            label=str(markupsafe.escape(label)) or "-",
                        )
                    )
                elif value is None or value == "":
                    shown = _NBSP
                else:
                    text = str(value)
                    if is_url(text.strip()):
                        url = value.strip()
                        shown = markupsafe.Markup(
                            '<a href="{}">{}</a>'.format(
                                markupsafe.escape(url), markupsafe.escape(truncate_url(url, truncate_cells))
                            )
                        )
                    elif truncate_cells and len(text) > truncate_cells:
                        shown = text[:truncate_cells] + "\u2026"
                    else:
                        shown = text
            cells.append(
                {
                    "column": column,
                    "value": shown,
                    "raw": value,
                    "value_type": "none" if value is None else type(value).__name__,
                }
            )
        else:
            cell_rows.append(table_view.Row(cells))
            continue
        _, (one,) = await DATASETTE_DISPLAY(*args, [row], link_column, truncate_cells, sortable_columns)
        cell_rows.append(one)
    return columns, cell_rows


def _rendered_columns(function, datasette, database, table):
    columns = getattr(function, "rendered_columns", None)
    return None if columns is None else columns(datasette, database, table)


display_columns_and_rows.__wrapped__ = DATASETTE_DISPLAY
table_view.display_columns_and_rows = display_columns_and_rows
