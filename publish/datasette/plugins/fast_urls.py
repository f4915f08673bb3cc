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
"""
import re
import urllib.parse

from datasette.app import Datasette

DATASETTE_ABSOLUTE_URL = getattr(Datasette.absolute_url, "datasette_original", Datasette.absolute_url)
_PLAIN_PATH = re.compile(r"/(?!/)[^\x00-\x20#;\x7f]*")
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]+)?")


def plain(request, path: str) -> bool:
    """True when urljoin(request.url, path) is scheme://host + path."""
    if not _PLAIN_PATH.fullmatch(path) or path.endswith("?"):
        return False
    before_query = path.partition("?")[0]
    return ("/." not in before_query and request.scheme in ("http", "https")
            and _PLAIN_HOST.fullmatch(request.host) is not None)


def absolute_url(self, request, path):
    if not plain(request, path):
        return DATASETTE_ABSOLUTE_URL(self, request, path)
    url = f"{request.scheme}://{request.host}{path}"
    if url.startswith("http://") and self.setting("force_https_urls"):
        url = "https://" + url[len("http://"):]
    return url


absolute_url.datasette_original = DATASETTE_ABSOLUTE_URL
Datasette.absolute_url = absolute_url
