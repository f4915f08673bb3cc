"""What the Chinese templates need, and the links from rows to the public site and the archive.

* Template variables: `site_url` (the public site), `as_of` and `built_at` (from build_info),
  `column_labels` / `table_titles` (Chinese headings, from metadata.yml, i.e. etl/schema.yaml),
  `site_record_url` (this row's page on the site), `allow_sql` (plugins/sql_switch.py), the
  limits `sql_time_limit_ms`, `max_returned_rows`, `html_rows`, and the parts of a table page
  built in Python (`picked_columns()`, `head_html()`, `rows_html()`, the filter menus …) and of
  a row page (`fields_html()`), each writing what the template's own loop, kept as the fallback,
  writes (tests/test_datasette_scale.py compares the two).
* Magic parameter `:_html_rows` for canned queries (queries.yml `limit :_html_rows`): HTML_ROWS + 1
  on the HTML page, -1 (no limit: `max_returned_rows` applies) for CSV, JSON and feeds.
* Cells: a foreign key on a row page links to its row and shows its label (Datasette's table
  pages already do this); `document_id` links to the archived copy of the source document and
  to the original URL; `archive_path` links to the archived copy; in canned-query results,
  `accident_id`, `enterprise_id`, `blacklist_id`, `assessment_id` and (table_name, record_id)
  link to rows.
* SQL functions for canned queries and Atom feeds: `site_url(path)`, `archive_url(path)`.

Configuration (metadata.yml `plugins: disclosure:`), each overridable by environment variable:
site_url (DISCLOSURE_SITE_URL, default http://127.0.0.1:8000/) and archive_url
(DISCLOSURE_ARCHIVE_URL, default <site_url>archive/; an archived document is
<archive_url><documents.archive_path>).
"""

import os
import sqlite3
from functools import partial
from numbers import Number
from pathlib import Path
from urllib.parse import parse_qsl, urlencode
from urllib.request import pathname2url

from datasette import hookimpl
from datasette.utils import tilde_encode, to_css_class
from markupsafe import Markup, escape

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
ROW_LINK_COLUMNS = {
    "accident_id": "accidents",
    "enterprise_id": "enterprises",
    "blacklist_id": "blacklist",
    "assessment_id": "rectification_assessments",
}


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def site_url(datasette) -> str:
    config = datasette.plugin_config("disclosure") or {}
    return _slash(os.environ.get("DISCLOSURE_SITE_URL") or config.get("site_url") or DEFAULT_SITE_URL)


def archive_url(datasette) -> str:
    """Where archived copies are served, or "" when nobody serves them. Archived originals may
    hold personal data the public database masks, so publishing them is an explicit choice
    (DISCLOSURE_ARCHIVE_URL, matching the site's DISCLOSURE_ARCHIVE_COPY / _URL); until then
    rows show the original URL and the sha256 that proves which version was used."""
    config = datasette.plugin_config("disclosure") or {}
    configured = os.environ.get("DISCLOSURE_ARCHIVE_URL") or config.get("archive_url")
    return _slash(configured) if configured else ""


@hookimpl
def prepare_connection(conn, datasette):
    site, archive = site_url(datasette), archive_url(datasette)
    conn.create_function("site_url", 1, lambda path: site + (path or "").lstrip("/"), deterministic=True)
    conn.create_function(
        "archive_url", 1, lambda path: archive + path if (path and archive) else None, deterministic=True
    )


# ------------------------------------------------------------------ template variables


async def _build_info(datasette, database) -> dict:
    cache = datasette.__dict__.setdefault("_disclosure_build_info", {})
    if database not in cache:
        db = datasette.get_database(database)
        if "build_info" in await db.table_names():
            rows = await db.execute("select key, value from build_info")
            cache[database] = {r["key"]: r["value"] for r in rows}
        else:
            cache[database] = {}
    return cache[database]


def _first_database(datasette):
    names = [n for n in datasette.databases if n != "_internal"]
    return names[0] if names else None


async def _site_record_url(datasette, database, table, request) -> str | None:
    """This row's page on the public site (the site's URL scheme: plugins/disclosure/data.py)."""
    pks = (request.url_vars or {}).get("pks") if request else None
    if not pks or table not in ("accidents", "enterprises"):
        return None
    from datasette.utils import tilde_decode

    record_id = tilde_decode(pks)
    if table == "accidents":
        return f"{site_url(datasette)}accidents/{record_id}/"
    db = datasette.get_database(database)
    row = (await db.execute("select uscc from enterprises where id = ?", [record_id])).first()
    code = row["uscc"] if row else None
    if code:
        same = (await db.execute("select count(*) from enterprises where uscc = ?", [code])).first()[0]
        if same == 1 and len(code) == 18:
            return f"{site_url(datasette)}enterprises/{code}/"
    return f"{site_url(datasette)}enterprises/{record_id}/"


@hookimpl
def extra_template_vars(template, database, table, request, datasette):
    async def inner():
        name = database or _first_database(datasette)
        info = await _build_info(datasette, name) if name else {}
        table_meta = datasette.table_metadata(name, table) if (name and table) else {}
        tables_meta = (datasette.metadata("tables", database=name) or {}) if name else {}
        return {
            "site_url": site_url(datasette),
            "archive_url": archive_url(datasette),
            "as_of": info.get("as_of"),
            "built_at": info.get("built_at"),
            "sql_allowed": bool(datasette.setting("default_allow_sql")),
            "column_labels": table_meta.get("column_labels") or {},
            "table_titles": {t: (m or {}).get("title") or t for t, m in tables_meta.items()},
            "site_record_url": await _site_record_url(datasette, name, table, request)
            if template == "row.html"
            else None,
            "picked_columns": picked_columns,
            "fields_html": fields_html,
            "rows_html": rows_html,
            "head_html": partial(head_html, datasette),
            "column_options": column_options,
            "column_help_html": column_help_html,
            "lookup_options": lookup_options,
            "sort_options": sort_options,
            "query_rows_html": query_rows_html,
            "html_rows": HTML_ROWS,
            "sql_time_limit_ms": datasette.setting("sql_time_limit_ms"),
            "max_returned_rows": datasette.setting("max_returned_rows"),
            "allow_sql": bool(name)
            and await datasette.permission_allowed(
                request.actor if request else None, "execute-sql", resource=name, default=True
            ),
        }

    return inner


# ------------------------------------------------------------------ cells

# Rows of a canned query's HTML page. A phone cannot use a 1,000-row table, and Datasette calls
# the render_cell hook once per cell: a 1,000 x 9 result was ~45 ms of Python per page at national
# size, ~4 times its SQL (docs/scaling.md, "Datasette"). The page shows this many; the CSV and
# JSON exports carry up to max_returned_rows.
HTML_ROWS = 200


@hookimpl
def register_magic_parameters(datasette):
    return [("html", _html_magic)]


def _html_magic(key: str, request) -> int:
    """`:_html_rows`: one more than the page shows (so it can say there are more), or -1."""
    if key != "rows":
        raise KeyError(key)
    if request is None or (request.url_vars or {}).get("format") is None:
        return HTML_ROWS + 1
    return -1


def query_rows_html(columns, display_rows) -> Markup:
    """The <tr> rows of a query result (templates/query.html), as rows_html: at most HTML_ROWS
    rows, each cell labelled with its column (data-label) for the stacked phone layout, and
    to_css_class of a Chinese column name hashes it, once per column here, not per cell."""
    cells = [(str(escape(to_css_class(column))), str(escape(column))) for column in columns]
    out = []
    for row in display_rows[:HTML_ROWS]:
        out.append("<tr>")
        for (klass, label), value in zip(cells, row):
            out.append(f'<td class="col-{klass}" data-label="{label}">{escape(value)}</td>')
        out.append("</tr>")
    return Markup("".join(out))


def column_options(columns, column_labels, selected=None) -> Markup:
    """The <option>s of a filter's column menu (templates/table.html): one per filterable
    column, for each active filter and the new one; ~150 options a page in the template."""
    return Markup(
        "".join(
            f'<option value="{escape(c)}"{" selected" if c == selected else ""}>'
            f'{escape(column_labels.get(c, c))}</option>'
            for c in columns
        )
    )


# The loops below were a third of a table page's template time (accidents: 50 columns described,
# sortable and labelled, ~20 filter operators per filter row); built in one pass here, with the
# markup templates/table.html wrote.


def column_help_html(columns: dict, column_labels: dict) -> Markup:
    """The <dt>/<dd> pairs of the 字段说明 list: label, column name, description."""
    return Markup(
        "".join(
            f"<dt>{escape(column_labels.get(name, name))} <code>{escape(name)}</code></dt>"
            f"<dd>{escape(description)}</dd>"
            for name, description in columns.items()
        )
    )


def lookup_options(lookups, selected, op_zh: dict) -> Markup:
    """The <option>s of a filter's operator menu (`filters.lookups()`: key, display, no_argument)."""
    return Markup(
        "".join(
            f'<option value="{escape(key)}{"__1" if no_argument else ""}"'
            f'{" selected" if key == selected else ""}>{escape(op_zh.get(key, display))}</option>'
            for key, display, no_argument in lookups
        )
    )


def sort_options(display_columns, column_labels: dict, sort, sort_desc) -> Markup:
    """The small-screen sort menu: one <option> per sortable column."""
    return Markup(
        "".join(
            f'<option value="{escape(c["name"])}"'
            f'{" selected" if c["name"] in (sort, sort_desc) else ""}>'
            f'按{escape(column_labels.get(c["name"], c["name"]))}排序</option>'
            for c in display_columns
            if c["sortable"]
        )
    )


def head_html(datasette, display_columns, column_labels, request, sort, sort_desc, picked=None) -> Markup:
    """The <th> cells of a table page's header (templates/_table.html) as one string: in the
    template, each sortable column's link parsed and re-encoded the query string (twice 50 times
    for the accidents table). Same markup and links as Datasette's
    `path_with_replaced_args` (the other arguments in order, then the new sort). `picked`: the
    indexes of the columns shown (picked_columns), all by default."""
    kept = [
        (k, v)
        for k, v in parse_qsl(request.query_string if request else "")
        if k not in ("_sort", "_sort_desc", "_next")
    ]
    path = datasette.urls.path(request.path) if request else ""
    # urlencode(kept + [(key, name)]) without re-encoding the kept arguments for every column
    prefix = path + "?" + (urlencode(kept) + "&" if kept else "")

    def link(key, name):
        return escape(prefix + urlencode(((key, name),)))

    if picked is not None:
        display_columns = [display_columns[i] for i in picked]
    out = []
    for column in display_columns:
        name = column["name"]
        label = column_labels.get(name, name)
        second = f'<span class="col-name">{escape(name)}</span>' if label != name else ""
        description = column.get("description")
        attrs = (
            f'data-column-description="{escape(description)}" title="{escape(description)}" '
            if description
            else ""
        )
        out.append(
            f'<th {attrs}class="col-{escape(to_css_class(name))}" scope="col" '
            f'data-column="{escape(name)}" data-column-type="{escape(column["type"].lower())}" '
            f'data-column-not-null="{escape(column["notnull"])}" '
            f'data-is-pk="{1 if column["is_pk"] else 0}">'
        )
        if not column["sortable"]:
            out.append(f'<span class="col-label">{escape(label)}</span>{second}')
        elif name == sort:
            out.append(
                f'<a href="{link("_sort_desc", name)}" rel="nofollow"><span class="col-label">'
                f'{escape(label)}&nbsp;▼</span>{second}</a>'
            )
        else:
            arrow = "&nbsp;▲" if name == sort_desc else ""
            out.append(
                f'<a href="{link("_sort", name)}" rel="nofollow"><span class="col-label">'
                f'{escape(label)}{arrow}</span>{second}</a>'
            )
        out.append("</th>")
    return Markup("".join(out))


def picked_columns(display_columns, chosen=None) -> list[int]:
    """The indexes in `display_columns` of the columns a table page shows (templates/_table.html):
    with `chosen` (the table's default_columns), the key or Link column(s) first, then each chosen
    column in that order; without, all of them."""
    if not chosen:
        return list(range(len(display_columns)))
    picked = [i for i, c in enumerate(display_columns) if c["is_pk"] or c["name"] == "Link"]
    others: dict[str, list[int]] = {}
    for i, column in enumerate(display_columns):
        if not column["is_pk"]:
            others.setdefault(column["name"], []).append(i)
    for name in chosen:
        picked.extend(others.get(name, ()))
    return picked


# Plain text longer than this is cut in a table cell (the row page has it whole).
CELL_TEXT_CHARS = 60
_DIGITS = "0123456789"


def rows_html(display_rows, display_columns, picked, column_labels: dict, units: dict) -> Markup:
    """The <tr> rows of a table page as one string (templates/_table.html), the cells of the
    `picked` columns only.

    Datasette renders templates in Jinja's async mode, where every piece of output is a step of
    an async generator, so per-cell markup in the template was most of a table page's time. The
    markup is the template loop's: each cell labelled (data-label) for the stacked phone layout, "short"
    for a short text starting with a digit, plain text cut at CELL_TEXT_CHARS, a number with a
    unit (labels.py column_units) with thousands separators, anything else as `{{ cell.value }}`
    with autoescape (Markup, what plugins and Datasette's links return, is shown as it is).
    """
    labels = [
        escape(column_labels.get(display_columns[i]["name"], display_columns[i]["name"])) for i in picked
    ]
    openings: dict[tuple, str] = {}  # (position, column, value type, short) -> the cell's opening tag
    out = []
    for row in display_rows:
        cells = getattr(row, "cells", row)
        out.append("<tr>")
        for position, index in enumerate(picked):
            cell = cells[index]
            column, raw, value = cell["column"], cell["raw"], cell["value"]
            is_text = isinstance(raw, str)
            short = is_text and len(raw) <= 12 and raw[:1] in _DIGITS
            key = (position, column, cell["value_type"], short)
            opening = openings.get(key)
            if opening is None:
                opening = openings[key] = (
                    f'<td class="col-{escape(to_css_class(column))} type-{escape(key[2])}'
                    f'{" short" if short else ""}" data-label="{labels[position]}">'
                )
            # Markup (Jinja's `escaped` test) is a link or a label: shown as it is
            markup = hasattr(value, "__html__")
            if is_text and len(raw) > CELL_TEXT_CHARS and not markup:
                shown = f"{escape(raw[:CELL_TEXT_CHARS])}…"
            elif units.get(column) and isinstance(raw, Number) and not isinstance(raw, bool) and not markup:
                shown = _thousands(raw)
            else:
                shown = value if type(value) is Markup else escape(value)
            out.append(f"{opening}{shown}</td>")
        out.append("</tr>")
    return Markup("".join(out))


# Text longer than this is folded in <details> on a row page, its first LONG_TEXT_SUMMARY
# characters showing.
LONG_TEXT_CHARS = 200
LONG_TEXT_SUMMARY = 60


def fields_html(cells, key_columns, column_labels: dict, codes: dict, units: dict) -> Markup:
    """The fields of a row page (templates/row.html, the `field` macro's markup) as one string:
    the `key_columns` (the table's default_columns) first, then the others. Called once per
    field, the macro was most of a row page's time."""
    cells = list(getattr(cells, "cells", cells))
    ordered = [cell for name in key_columns for cell in cells if cell["column"] == name]
    ordered += [cell for cell in cells if cell["column"] not in key_columns]
    return Markup("".join(_field(cell, column_labels, codes, units) for cell in ordered))


def _field(cell, column_labels: dict, codes: dict, units: dict) -> str:
    name, raw = cell["column"], cell["raw"]
    label = column_labels.get(name, name)
    empty = raw is None or raw == ""
    second = f' <code class="field-name">{escape(name)}</code>' if label != name else ""
    head = (
        f'<div class="field field-{escape(to_css_class(name))}{" field-empty" if empty else ""}">'
        f'<dt><span class="field-label">{escape(label)}</span>{second}</dt><dd>'
    )
    if empty:
        body = '<span class="empty">（空）</span>'
    elif isinstance(raw, str) and len(raw) > LONG_TEXT_CHARS:
        body = (
            f'<details class="long-text"><summary>{escape(raw[:LONG_TEXT_SUMMARY])}… '
            f'<span class="more">展开全文（{len(raw):,} 字）</span></summary>'
            f'<div class="long-text-body">{escape(raw)}</div></details>'
        )
    elif isinstance(raw, Number) and units.get(name) and not isinstance(raw, bool):
        unit = units[name]
        body = f"{_thousands(raw)} {escape(unit)}"
        if unit == "元" and raw >= 10000:
            body += f' <span class="approx">（{round(raw / 10000, 2):,} 万元）</span>'
    elif zh := codes.get(name, {}).get(str(raw)):
        body = f'{escape(zh)} <code class="code-value">{escape(raw)}</code>'
    else:
        value = cell["value"]
        body = value if type(value) is Markup else escape(value)
    return f"{head}{body}</dd></div>"


def _thousands(number) -> str:
    """The template's `"{:,}".format(n|int) if n == n|int else "{:,}".format(n)`: 2335000.0 as
    2,335,000 (Jinja's int filter makes NaN 0)."""
    try:
        whole = int(number)
    except ValueError:
        whole = 0
    return f"{whole:,}" if number == whole else f"{number:,}"


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column == "document_id" and value not in (None, ""):
        raw = value["value"] if isinstance(value, dict) else value
        return _document_links(datasette, database, raw)
    if column == "archive_path" and table == "documents" and value and archive_url(datasette):
        return Markup('<a href="{}">{}</a>').format(archive_url(datasette) + value, "存档副本（gzip）")
    if table is not None and not isinstance(value, dict) and value not in (None, ""):
        # Row pages do not expand foreign keys in 0.65: show the label (e.g. the enterprise name).
        links = _LINKS.get((id(datasette), database, table))
        if links is None or column in links:
            return _foreign_key_link(datasette, database, table, column, value)
    if table is None and isinstance(value, str) and value:
        target = ROW_LINK_COLUMNS.get(column)
        if column == "record_id" and "table_name" in row.keys():
            target = row["table_name"]
        if target:
            # a canned query shows up to 1,000 rows of such links: built directly (Markup.format
            # and Datasette's URL objects were a third of a 1,000-row page's time)
            href = _row_base(datasette, database, target) + _tilde(value)
            return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    return None


def _rendered_columns(datasette, database, table):
    """The columns of `table` whose cells render_cell above may return something for (the
    other cells it always answers None), or None while the table's foreign keys are not read
    yet. plugins/fast_cells.py calls render_cell only for these: ~1,000 calls a page fewer."""
    links = _LINKS.get((id(datasette), database, table))
    if table is None or links is None:
        return None
    return {"document_id", "archive_path", *links}


render_cell.rendered_columns = _rendered_columns


# (datasette, database, table) -> the table's URL + "/": what datasette.urls.row() puts before a
# row's tilde-encoded key (datasette/url_builder.py), computed once per table
_ROW_BASES: dict = {}


def _row_base(datasette, database, table) -> str:
    # base_url too: a new instance may reuse a collected one's id
    key = (id(datasette), datasette.setting("base_url"), database, table)
    base = _ROW_BASES.get(key)
    if base is None:
        base = _ROW_BASES[key] = str(datasette.urls.table(database, table)) + "/"
    return base


# (datasette, database, table) -> {column: foreign key}: the database is immutable, so read once
# (render_cell runs for every cell of a page).
_LINKS: dict = {}


def _foreign_key_link(datasette, database, table, column, value):
    async def inner():
        db = datasette.get_database(database)
        key = (id(datasette), database, table)
        if key not in _LINKS:
            _LINKS[key] = {fk["column"]: fk for fk in await db.foreign_keys_for_table(table)}
        fk = _LINKS[key].get(column)
        if fk is None:
            return None
        label_column = await db.label_column_for_table(fk["other_table"])
        label = None
        if label_column:
            found = (
                await db.execute(
                    f"select [{label_column}] from [{fk['other_table']}] where [{fk['other_column']}] = ?",
                    [value],
                )
            ).first()
            label = found[0] if found else None
        href = datasette.urls.row(database, fk["other_table"], _tilde(str(value)))
        if label:
            return Markup('<a href="{}">{}</a> <em>{}</em>').format(href, label, value)
        return Markup('<a href="{}">{}</a>').format(href, value)

    return inner


def _tilde(value: str) -> str:
    return tilde_encode(value)


# (datasette, database, its file, document id) -> (url, archive_path): every row of a table page
# has a document_id; the database is immutable, so a bounded in-process map answers repeated pages.
_DOCUMENTS: dict = {}
_DOCUMENTS_MAX = 100_000
# (datasette, database, its file) -> a connection of this process's event-loop thread to an
# immutable database file. Through Datasette's SQL thread pool each lookup cost ~0.5 ms of
# hand-over, 10 ms for a page of 20 rows; a primary-key lookup on this connection takes ~20 µs and
# cannot block (the file never changes while served). docs/scaling.md, "Datasette".
_LOOKUP_CONNECTIONS: dict = {}


def _lookup_connection(datasette, db):
    # the path too: a later Datasette object (tests make many) can get a freed one's id()
    key = (id(datasette), db.name, db.path)
    if key not in _LOOKUP_CONNECTIONS:
        conn = None
        if not db.is_mutable and not db.is_memory and db.path:
            conn = sqlite3.connect(
                f"file:{pathname2url(str(Path(db.path).resolve()))}?immutable=1",
                uri=True,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
        _LOOKUP_CONNECTIONS[key] = conn
    return _LOOKUP_CONNECTIONS[key]


async def _document(datasette, database, document_id) -> dict:
    db = datasette.get_database(database)
    key = (id(datasette), database, db.path, document_id)
    found = _DOCUMENTS.get(key)
    if found is None:
        sql = "select url, archive_path from documents where id = ?"
        conn = _lookup_connection(datasette, db)
        if conn is not None:
            row = conn.execute(sql, [document_id]).fetchone()
        else:
            row = (await db.execute(sql, [document_id])).first()
        found = {"url": row["url"], "archive_path": row["archive_path"]} if row else {}
        if len(_DOCUMENTS) >= _DOCUMENTS_MAX:
            _DOCUMENTS.clear()
        _DOCUMENTS[key] = found
    return found


def _document_links(datasette, database, document_id):
    # every row of a table page has one: f-strings and escape() rather than Markup.format and
    # datasette.urls.row (the same markup; 19 a page were ~5% of a facet page in cProfile)
    async def inner():
        found = await _document(datasette, database, document_id)
        row_link = _row_base(datasette, database, "documents") + str(document_id)
        parts = [f'<a href="{escape(row_link)}">文件 {escape(document_id)}</a>']
        archive = found and found["archive_path"] and archive_url(datasette)
        if archive:
            parts.append(f'<a href="{escape(archive + found["archive_path"])}">存档副本</a>')
        if found and (found["url"] or "").startswith(("http://", "https://")):
            parts.append(f'<a href="{escape(found["url"])}" rel="nofollow">原网址</a>')
        return Markup(" · ".join(parts))

    return inner
