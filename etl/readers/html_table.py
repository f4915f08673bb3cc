"""Announcement pages carrying an HTML table (e.g. a batch of the 严重失信主体名单, or a 移出
announcement). Pages come from `list:` (like html_list) or straight from `url`/`urls`."""

from __future__ import annotations

from typing import Iterator

from etl.readers import ParseError, RawRecord, cache_key, html, parse_once
from etl.readers.html_list import list_pages


def read(spec, fetcher) -> Iterator[RawRecord]:
    for url in page_urls(spec, fetcher):
        document = fetcher.get(url)
        yield from parse_once(
            fetcher,
            document,
            cache_key(spec, document),
            lambda: list(parse_page(spec, fetcher, document, url)),
        )


def parse_page(spec, fetcher, document, url) -> Iterator[RawRecord]:
    tree = html.parse(document, spec.encoding, fetcher)
    title_el = tree.cssselect(spec.detail.title) if spec.detail and spec.detail.title else []
    page_title = html.text_of(title_el[0]) if title_el else (tree.findtext(".//title") or "").strip()
    tables = tree.cssselect(spec.table)
    if not tables:
        raise ParseError(f"{url}: 选择器未匹配 (selector matched nothing): no table matches {spec.table!r}")
    for table in tables:
        yield from rows(table, document, url, page_title, spec.header_row)


def page_urls(spec, fetcher) -> list[str]:
    if spec.list is None:
        return spec.all_urls()
    return [href for items in list_pages(spec, fetcher) for href, _, _ in items]


def rows(table, document, url, page_title, header_row) -> Iterator[RawRecord]:
    trs = [tr for tr in table.iter("tr")]
    cells = [[" ".join(html.text_of(td).split()) for td in tr if td.tag in ("td", "th")] for tr in trs]
    header_index = next((i for i, tr in enumerate(trs) if tr.find("th") is not None), header_row)
    if header_index >= len(cells):
        raise ParseError(f"{url}: the table has no header row")
    header = [_header(h) for h in cells[header_index]]
    for i, values in enumerate(cells[header_index + 1 :], start=header_index + 2):
        if not any(values):
            continue
        fields = dict(zip(header, values))
        fields.update({"_page_title": page_title, "_url": url})
        extra = {}
        if len(values) != len(header):  # a broken row is rejected, not the whole announcement
            extra["error"] = f"该行有 {len(values)} 个单元格，表头有 {len(header)} 列"
        yield RawRecord(fields, document.id, url, f"row {i}", extra)


def _header(text: str) -> str:
    return "".join(text.split())
