"""Datasette's absolute URLs without urljoin for the common case.

Datasette 0.65.5 makes every facet value's toggle link, the next-page link and the format links
absolute with `urllib.parse.urljoin(request.url, path)`: it rebuilds the request's URL, parses
both and resolves the path's dot segments, ≈ 40 times on a facet page, 7% of a distinct facet
page's time at national size (py-spy; docs/scaling.md, "Datasette").

For a path that urljoin would return unchanged after the scheme and host (it starts with one
slash, has no dot segment, no parameters, fragment, control character or space, and does not end
in an empty query) on a request with a plain host name, the result is
`scheme://host` + path; anything else goes to Datasette's own method. `force_https_urls` is
applied as Datasette applies it. tests/test_datasette_scale.py compares both on generated paths.

The request's host (Datasette's `request.host` rebuilds the dict of all headers on each call)
is read once per request. And each facet value's link, `path_with_added_args(request,
{column: value})` in datasette/facets.py, parsed and re-encoded the whole query string again
(≈ 20 times a facet page): here the kept arguments are encoded once per request and the added
ones appended, which is the same string (`urlencode` joins its pairs with "&").
"""

import re
import urllib.parse

import datasette.facets as facets_module
from datasette.app import Datasette

DATASETTE_ABSOLUTE_URL = getattr(Datasette.absolute_url, "datasette_original", Datasette.absolute_url)
DATASETTE_ADDED_ARGS = getattr(
    facets_module.path_with_added_args, "datasette_original", facets_module.path_with_added_args
)
_PLAIN_PATH = re.compile(r"/(?!/)[^\x00-\x20#;\x7f]*")
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?")


def plain(request, path: str) -> bool:
    """True when urljoin(request.url, path) is scheme://host + path."""
    if not _PLAIN_PATH.fullmatch(path) or path.endswith("?"):
        return False
    before_query = path.partition("?")[0]
    return (
        "/." not in before_query
        and request.scheme in ("http", "https")
        and _PLAIN_HOST.fullmatch(_host(request)) is not None
    )


def _host(request) -> str:
    """request.host, read once per request."""
    host = request.__dict__.get("_disclosure_host")
    if host is None:
        host = request.__dict__["_disclosure_host"] = request.host
    return host


def absolute_url(self, request, path):
    if not plain(request, path):
        return DATASETTE_ABSOLUTE_URL(self, request, path)
    url = f"{request.scheme}://{_host(request)}{path}"
    if url.startswith("http://") and self.setting("force_https_urls"):
        url = "https://" + url[len("http://") :]
    return url


def path_with_added_args(request, args, path=None):
    """Datasette's path_with_added_args (datasette/utils): the request's arguments without
    those `args` sets to None, then `args`' others, with the kept arguments encoded once per
    request."""
    pairs = list(args.items()) if isinstance(args, dict) else list(args)
    removed = frozenset(k for k, v in pairs if v is None)
    kept = request.__dict__.setdefault("_disclosure_kept_args", {})
    prefix = kept.get(removed)
    if prefix is None:
        prefix = kept[removed] = urllib.parse.urlencode(
            [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string) if k not in removed]
        )
    added = urllib.parse.urlencode([(k, v) for k, v in pairs if v is not None])
    query = f"{prefix}&{added}" if prefix and added else prefix or added
    return (path or request.path) + (f"?{query}" if query else "")


absolute_url.datasette_original = DATASETTE_ABSOLUTE_URL
Datasette.absolute_url = absolute_url
path_with_added_args.datasette_original = DATASETTE_ADDED_ARGS
facets_module.path_with_added_args = path_with_added_args
