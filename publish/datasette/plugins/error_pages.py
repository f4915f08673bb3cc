"""Error pages in Chinese with the same chrome as every other page, the right status, one log line.

Datasette 0.65.5's default handler (datasette/handle_exception.py) renders error.html without
plugin template variables, prints every error to standard output as a rich traceback *with local
variables* (hundreds of lines for a mistyped `?_sort=`), and, for a path no route matches (a row
path with too many slashes), crashes inside rich ("Value for 'trace' required if not called in
except: block"), so the visitor got a bare 500. pluggy runs every `handle_exception`
implementation and Datasette awaits each answer, so answering first is not enough: this is a
hook *wrapper* (pluggy's public `wrapper=True`) that drops the default handler's answer and
gives its own:

* status: Datasette's, except where it reports a visitor's mistake as 500: a POST to a table
  page (405), `?_sort=` /
  `?_sort_desc=` on a column that does not exist or both at once, an invalid `_through`, and a
  value or query over the SQLite limits (sqlite_limits.py: "string or blob too big", "query
  string is too large"); those are 400.
* page: error.html through `datasette.render_template` (plugin variables, Chinese chrome), a
  Chinese explanation and Datasette's English message under 技术细节. JSON requests get
  Datasette's JSON shape (`ok`, `error`, `status`, `title`).
* before Datasette: `_sort`, `_sort_desc`, `_facet`, `_facet_date` and `_facet_array` on a
  table page must name one of its columns (an asgi wrapper checks them against the schema).
  Otherwise Datasette ran the facet's SQL, printed it (a 1,000-character line), and the
  facets it then abandoned printed "coroutine … was never awaited" warnings.
* log: ONE line on standard error: status, method, path and query, exception and message
  (for an unexpected 500 also the file and line it came from), at most 400 characters.
"""

import json
import re
import sqlite3
import sys
import traceback
import warnings

from datasette import hookimpl
from datasette.utils import add_cors_headers, tilde_decode
from datasette.utils.asgi import BadRequest, Base400, Request, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

MAX_LOG_LINE = 400
# Datasette's message for a visitor's mistake that it reports as 500 → (Chinese, status 400)
VISITOR_ERRORS = (
    (re.compile(r"Cannot sort table by (.*)", re.S), "不能按“{0}”排序：没有这一列，或这一列不能排序。"),
    (
        re.compile(r"Cannot use _sort and _sort_desc at the same time"),
        "不能同时使用 _sort 和 _sort_desc，请只保留一个。",
    ),
    (re.compile(r"Invalid _through"), "无效的 _through 参数。"),
)
# SQLite's messages (sqlite_limits.py) → Chinese
SQLITE_ERRORS = (
    (
        re.compile(r"string or blob too big"),
        "查询生成的值超过了单个值的长度上限（表格页面 {max_length:,} 字节；自定义 SQL 更低，见说明文档），已被立即停止。请缩小范围，或下载数据库在本地分析。",
    ),
    (re.compile(r"query string is too large|statement too long"), "SQL 语句过长（上限 {max_sql:,} 字节）。"),
    (
        re.compile(r"Expression tree is too large|parser stack overflow"),
        "表达式嵌套过深（上限 {max_depth} 层）。",
    ),
    (re.compile(r"too many arguments on function"), "函数参数过多（上限 {max_args} 个）。"),
    (
        re.compile(r"too many terms in compound SELECT"),
        "UNION 等复合查询的子查询过多（上限 {max_compound} 个）。",
    ),
    (re.compile(r"LIKE or GLOB pattern too complex"), "LIKE/GLOB 匹配模式过长。"),
    (re.compile(r"no such column: (.*)"), "没有名为“{0}”的列。"),
    (re.compile(r"no such table: (.*)"), "没有名为“{0}”的表。"),
    (re.compile(r"no such function: (.*)"), "没有名为“{0}”的函数。"),
)
NOT_FOUND = {
    "404": "",
    "Database not found": "没有这个数据库。",
    "Table not found": "没有这张表。",
    "Row not found": "没有这条记录。",
    "Canned query not found": "没有这个常用查询。",
}


# as sqlite_limits.py sets them (tests/test_datasette_hostile.py checks they agree)
LIMITS = {"max_length": 10_000_000, "max_sql": 100_000, "max_depth": 100, "max_args": 32, "max_compound": 50}


def classify(exception) -> tuple[int, str | None, str, str]:
    """(status, title, Chinese explanation, Datasette's message) for an exception."""
    if isinstance(exception, Base400):
        message = str(exception.args[0]) if exception.args else ""
        if exception.status == 404:
            return 404, "未找到", NOT_FOUND.get(message, message) or "这个地址没有内容，请检查链接。", message
        if exception.status == 403:
            return 403, "无权访问", "这个页面或操作不对公众开放。", message
        chinese = message if re.search("[\u4e00-\u9fff]", message) else "请求的参数无效。"
        return exception.status, "请求无效", chinese, message
    if isinstance(exception, DatasetteError):
        status, message = exception.status, exception.message
        if exception.title == "SQL Interrupted":
            return status, exception.title, "", message
        if status == 500:
            for pattern, chinese in VISITOR_ERRORS:
                found = pattern.match(message)
                if found:
                    return 400, "请求无效", chinese.format(*found.groups()), message
        for pattern, chinese in SQLITE_ERRORS:
            found = pattern.search(message)
            if found:
                return (
                    (400 if status == 500 else status),
                    "查询无法执行",
                    chinese.format(*found.groups(), **LIMITS),
                    message,
                )
        title = {400: "查询无法执行", 403: "无权访问", 404: "未找到"}.get(status, exception.title)
        return status, title, "", message
    if isinstance(exception, AssertionError) and "only POST to a canned query" in str(exception):
        # a POST to a table or row page: the data is read-only (Datasette asserts, a 500)
        return 405, "不支持的请求方法", "这里的数据只读，只接受 GET 请求。", str(exception)
    if isinstance(exception, sqlite3.DataError):  # a limit of sqlite_limits.py
        message = str(exception)
        for pattern, chinese in SQLITE_ERRORS:
            if pattern.search(message):
                return 400, "查询无法执行", chinese.format(**LIMITS), message
        return 400, "查询无法执行", "", message
    return 500, None, "服务器内部错误，请稍后再试。", str(exception)


def logged_by_datasette(exception) -> bool:
    """Datasette's execute() already wrote one line (ERROR: conn=…, sql = …: message) for an
    SQLite error of a query; a second one would say the same."""
    cause = exception if isinstance(exception, sqlite3.Error) else exception.__context__
    return isinstance(cause, sqlite3.Error) and cause.args != ("interrupted",)


def log_line(request, status: int, exception) -> str:
    path = request.path + (f"?{request.query_string}" if request.query_string else "")
    line = f"datasette error {status} {request.method} {path}: {type(exception).__name__}: "
    message = (
        exception.message
        if isinstance(exception, DatasetteError)
        else (exception.args[0] if exception.args else "")
    )
    line += re.sub(r"<[^>]+>|\s+", " ", str(message)).strip()
    stack = traceback.TracebackException.from_exception(exception).stack if status >= 500 else []
    if stack:
        line += f" (at {stack[-1].filename}:{stack[-1].lineno})"
    return line[:MAX_LOG_LINE]


async def respond(datasette, request, exception) -> Response:
    status, title, chinese, message = classify(exception)
    if not logged_by_datasette(exception):
        print(log_line(request, status, exception), file=sys.stderr, flush=True)
    headers = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.split("?")[0].endswith(".json"):
        info = dict(getattr(exception, "error_dict", None) or {})
        info.update(
            {"ok": False, "error": message, "status": status, "title": getattr(exception, "title", None)}
        )
        return Response.json(info, status=status, headers=headers)
    detail = message
    if isinstance(exception, DatasetteError) and exception.title == "SQL Interrupted":
        # Datasette's message is HTML with an inline script (not allowed by the page's CSP,
        # security_headers.py): show only the query
        sql = getattr(exception.__context__, "sql", None)
        detail = Markup('<pre class="wrapped-sql">{}</pre>').format(sql) if sql else ""
    elif isinstance(exception, DatasetteError) and exception.message_is_html:
        detail = Markup(message)
    html = await datasette.render_template(
        [f"{status}.html", "error.html"],
        {
            "ok": False,
            "error": chinese or detail,
            "detail": detail if chinese and chinese != detail else "",
            "status": status,
            "title": title,
        },
        request=request,
    )
    return Response.html(html, status=status, headers=headers)


@hookimpl(wrapper=True)
def handle_exception(datasette, request, exception):
    answers = yield
    # every other plugin's answer, without Datasette's default (it prints the rich traceback
    # even when its page is not used); then this one
    answers = [
        a
        for a in answers or []
        if a is not None and getattr(a, "__module__", "") != "datasette.handle_exception"
    ]

    async def inner():
        return await respond(datasette, request, exception)

    return answers + [inner]


# the table route of Datasette 0.65.5 (datasette/app.py) and the parameters that name a column
TABLE_ROUTE = re.compile(r"^/(?P<database>[^/.]+)/(?P<table>[^/.]+)(\.(?P<format>\w+))?$")
COLUMN_PARAMETERS = ("_sort", "_sort_desc", "_facet", "_facet_date", "_facet_array")


async def bad_column(datasette, scope) -> BadRequest | None:
    """A BadRequest when a column parameter of a table page names no column of the table."""
    request = Request(scope, None)
    names = [(key, value) for key in COLUMN_PARAMETERS for value in request.args.getlist(key)]
    if not names:
        return None
    base = datasette.setting("base_url") or "/"
    path = scope.get("path", "")
    if base != "/" and path.startswith(base):
        path = "/" + path[len(base) :]
    route = TABLE_ROUTE.match(path)
    if route is None:
        return None
    try:
        db = datasette.get_database(route=tilde_decode(route.group("database")))
    except KeyError:
        return None
    table = tilde_decode(route.group("table"))
    if not (await db.table_exists(table) or table in await db.view_names()):
        return None  # a canned query, or not found: Datasette answers
    columns = set(await db.table_columns(table))
    for key, value in names:
        column = value
        if value.startswith("{"):  # _facet={"column": …} (Datasette's JSON form)
            try:
                column = json.loads(value).get("column", value)
            except (ValueError, AttributeError):
                pass
        if column not in columns:
            label = {"_sort": "排序", "_sort_desc": "倒序排序"}.get(key, "分面统计")
            return BadRequest(f"不能按“{column}”{label}：表 {table} 没有这一列。")
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def checked(scope, receive, send):
            if scope.get("type") == "http" and scope.get("query_string"):
                error = await bad_column(datasette, scope)
                if error is not None:
                    await datasette.invoke_startup()  # done once; outside the layer that does it
                    # outside Datasette's CSRF layer: the error page has no form
                    request = Request(dict(scope, csrftoken=lambda: ""), receive)
                    response = await respond(datasette, request, error)
                    await response.asgi_send(send)
                    return
            await app(scope, receive, send)

        return checked

    return wrap


# A facet that fails makes Datasette (views/table.py) abandon the other facets' coroutines;
# Python then prints a "never awaited" warning for each (checked above, so rare; one line is
# enough).
warnings.filterwarnings(
    "ignore",
    category=RuntimeWarning,
    module=r"datasette\.app$",
    message=r"coroutine '.*(facet_results|execute_suggested_facets)' was never awaited",
)


def sql_error_zh(message) -> str:
    """An SQLite error message in Chinese (the query page shows a custom query's error itself,
    templates/query.html); "" when there is no translation."""
    for pattern, chinese in SQLITE_ERRORS:
        found = pattern.search(str(message or ""))
        if found:
            return chinese.format(*found.groups(), **LIMITS)
    return ""


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["sql_error_zh"] = sql_error_zh
