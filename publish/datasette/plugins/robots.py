"""robots.txt: crawlers may read the home page only.

The public site is the canonical, crawlable copy of every record (and links to rows here);
letting robots walk Datasette's endless filter, facet, sort and export URLs would duplicate it
and spend the replicas' CPU on crawlers. Override the whole text with the plugin setting
`disclosure-robots: {txt: ...}` in metadata.yml.
"""

from datasette import hookimpl
from datasette.utils.asgi import Response

DEFAULT = """\
# 安全生产信息公开数据（Datasette）: the public site is the canonical copy for search engines.
User-agent: *
Allow: /$
Disallow: /
"""


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots_txt)]


async def robots_txt(datasette):
    config = datasette.plugin_config("disclosure-robots") or {}
    return Response.text(config.get("txt") or DEFAULT)
