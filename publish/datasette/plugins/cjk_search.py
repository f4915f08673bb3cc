"""Chinese search for Datasette: `?_search=` and the search-everything query find Chinese terms.

Datasette 0.65 searches a table with
    rowid in (select rowid from <fts_table> where <fts_table> match escape_fts(:search))
(datasette/filters.py, search_filters), using the `fts_table` / `fts_pk` named in the table's
metadata. The public database's FTS tables hold CJK bigrams (etl/fts_text.py), so the text a user
types must be turned into bigram phrases before it reaches MATCH. This plugin re-registers the
SQL function `escape_fts` on every connection with that conversion (trylast, so it runs after
Datasette's own registration in datasette/sql_functions.py and replaces it), and adds
`cjk_match(text)` for canned queries. Every FTS table in public.db is a bigram table, so the
replacement is right for all of them; `_searchmode=raw` still passes FTS5 syntax through.
"""

from datasette import hookimpl

from etl.fts_text import match_expression


@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("escape_fts", 1, match_expression, deterministic=True)
    conn.create_function("cjk_match", 1, match_expression, deterministic=True)
