"""Security headers on every response, and Datasette's introspection pages kept private.

Headers (added to every HTTP response unless already set):

* Content-Security-Policy: scripts only from this origin plus the SHA-256 hashes of the few
  fixed inline scripts the templates carry (Datasette's menu closer `_close_open_menus.html`,
  its SQL editor set-up `_codemirror_foot.html`, and table.html's `DATASETTE_ALLOW_FACET = …;`);
  the hashes are computed from the templates as this Datasette renders them, so an upgrade that
  changes them changes the header too. Styles from this origin plus the hashes of the fixed
  inline style blocks (the SQL editor's `_codemirror.html`, and the block its resize handle's
  script `cm-resize` inserts: empty, then its one rule); no inline style attribute and no
  per-page style block is rendered (the templates carry classes and data-label instead), so
  injected markup cannot style the page. Images from this origin and data: URLs
  (the SQL editor's resize handle). No plugins, no framing (`frame-ancestors 'none'`), forms
  and `<base>` only to this origin.
* X-Content-Type-Options: nosniff; X-Frame-Options: DENY; Referrer-Policy:
  strict-origin-when-cross-origin (Datasette's data views set the stricter `no-referrer`
  themselves, which is kept).

Introspection: `/-/versions`, `/-/threads`, `/-/plugins`, `/-/settings`, `/-/config`,
`/-/databases`, `/-/actor`, `/-/permissions`, `/-/messages`, `/-/allow-debug`, `/-/patterns`
(and their `.json`) answer 404. In Datasette 0.65.5 they are guarded only by `view-instance`,
the same permission as the home page (and /-/allow-debug by nothing), so neither the
`permission_allowed` hook nor the metadata can close them alone; a plugin route registered
before Datasette's own answers instead. Health checks use `/public/build_info.json`.
"""

import base64
import hashlib
import re
from pathlib import Path

import datasette as datasette_package
from datasette import hookimpl
from datasette.utils.asgi import NotFound

INTROSPECTION = (
    "versions",
    "threads",
    "plugins",
    "settings",
    "config",
    "databases",
    "actor",
    "permissions",
    "messages",
    "allow-debug",
    "patterns",
)
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}
# templates with inline scripts whose text does not depend on the request
SCRIPT_TEMPLATES = ("_close_open_menus.html", "_codemirror_foot.html")
STYLE_TEMPLATES = ("_codemirror.html",)  # fixed style blocks
STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S)
# the rule Datasette's bundled cm-resize script writes into the style element it adds
SCRIPT_STYLE = re.compile(r'createElement\("style"\)\)\.textContent="((?:[^"\\]|\\.)*)"')
SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)

_policies: dict = {}  # id(datasette) -> the Content-Security-Policy value


def script_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


async def inline_scripts(datasette) -> list[str]:
    scripts = [f"DATASETTE_ALLOW_FACET = {value};" for value in ("true", "false")]
    for name in SCRIPT_TEMPLATES:
        html = await datasette.jinja_env.get_template(name).render_async({})
        scripts += SCRIPT.findall(html)
    return scripts


async def inline_styles(datasette) -> list[str]:
    styles = []
    for name in STYLE_TEMPLATES:
        html = await datasette.jinja_env.get_template(name).render_async({})
        styles += STYLE.findall(html)
    static = Path(datasette_package.__file__).parent / "static"
    for script in sorted(static.glob("cm-resize-*.min.js")):
        for rule in SCRIPT_STYLE.findall(script.read_text(encoding="utf-8")):
            styles += ["", rule.replace('\\"', '"')]
    return styles


async def policy(datasette) -> str:
    key = id(datasette)
    if key not in _policies:
        hashes = " ".join(sorted({script_hash(s) for s in await inline_scripts(datasette)}))
        style_hashes = " ".join(sorted({script_hash(s) for s in await inline_styles(datasette)}))
        _policies[key] = "; ".join(
            (
                "default-src 'self'",
                f"script-src 'self' {hashes}",
                f"style-src 'self' {style_hashes}",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            )
        )
    return _policies[key]


@hookimpl(trylast=True)  # the outermost wrapper: also on answers other wrappers give
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_headers(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            csp = (await policy(datasette)).encode()

            async def send_with_headers(message):
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers") or [])
                    present = {name.lower() for name, _ in headers}
                    for name, value in HEADERS.items():
                        if name.encode() not in present:
                            headers.append((name.encode(), value.encode()))
                    if b"content-security-policy" not in present:
                        headers.append((b"content-security-policy", csp))
                    message = dict(message, headers=headers)
                await send(message)

            await app(scope, receive, send_with_headers)

        return with_headers

    return wrap


async def not_public(request):
    raise NotFound("404")


@hookimpl
def register_routes():
    return [(rf"^/-/{name}(\.json)?$", not_public) for name in INTROSPECTION]
