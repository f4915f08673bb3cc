"""Error pages in Chinese with the same chrome as every other page.

Datasette 0.65's default handler (datasette/handle_exception.py) renders error.html without
plugin template variables, so the Chinese templates would lose the site links and limits. This
handler renders the same information through `datasette.render_template`, which adds them;
JSON errors are left to Datasette. A query stopped by sql_time_limit_ms arrives here as a
DatasetteError titled "SQL Interrupted" (templates/error.html explains it in Chinese).
"""
from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup


@hookimpl
def handle_exception(datasette, request, exception):
    if request.path.split("?")[0].endswith(".json"):
        return None

    async def inner():
        title, status, message = None, 500, str(exception)
        if isinstance(exception, Base400):
            status, message = exception.status, exception.args[0] if exception.args else ""
        elif isinstance(exception, DatasetteError):
            status, title, message = exception.status, exception.title, exception.message
            if exception.message_is_html:
                message = Markup(message)
        headers = {}
        if datasette.cors:
            add_cors_headers(headers)
        html = await datasette.render_template(
            [f"{status}.html", "error.html"],
            {"ok": False, "error": message, "status": status, "title": title},
            request=request,
        )
        return Response.html(html, status=status, headers=headers)

    return inner
