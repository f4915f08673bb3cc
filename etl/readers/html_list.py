"""Paginated HTML list pages (下一页) leading to detail pages with the 政府信息公开 metadata
block, the body text and attachment links (PDF text is extracted)."""

from __future__ import annotations

import json
from typing import Iterator

from etl.readers import ParseError, RawRecord, cache_key, html
from etl.readers.pdf import pdf_text


def read(spec, fetcher) -> Iterator[RawRecord]:
    for page_no, items in enumerate(list_pages(spec, fetcher), start=1):
        for item_no, (href, link_text, list_date) in enumerate(items, start=1):
            yield read_detail(spec, fetcher, href, link_text, list_date, f"page {page_no} item {item_no}")


def list_pages(spec, fetcher) -> Iterator[list[tuple[str, str, str]]]:
    """The items of every list page, following the 下一页 link from each start URL. A list
    longer than `list.max_pages` fails the source (its records stay as last loaded) rather than
    load a silently truncated list."""
    for start in spec.all_urls():
        url, seen = start, set()
        while url and url not in seen:
            if len(seen) >= spec.list.max_pages:
                raise ParseError(
                    f"{start}: 分页超过上限 (more list pages than list.max_pages = "
                    f"{spec.list.max_pages}); next page {url} not read"
                )
            seen.add(url)
            items, url = list_page(spec, fetcher, url)
            yield items


def list_page(spec, fetcher, url: str) -> tuple[list[tuple[str, str, str]], str | None]:
    """(items, next page URL) of one list page; parsed once per version of the page."""
    document = fetcher.get(url)
    key = cache_key(spec, document, "list")
    hit = fetcher.cached(document, key)
    if hit is not None:
        return [tuple(item) for item in hit["items"]], hit["next"]
    tree = html.parse(document, spec.encoding, fetcher)
    items = item_links(spec, tree)
    following = html.next_page(tree, url, spec.list.next_text)
    fetcher.cache(document, key, {"items": items, "next": following})
    return items, following


def item_links(spec, tree) -> list[tuple[str, str, str]]:
    """(detail URL, link text, date shown in the list) for every item on a list page."""
    items = []
    for href, text, anchor in html.links(tree, spec.list.item_links):
        date = ""
        if spec.list.date:
            row = anchor.getparent()
            while row is not None and row.tag not in ("li", "tr", "div", "dd"):
                row = row.getparent()
            found = row.cssselect(spec.list.date) if row is not None else []
            date = found[0].text_content().strip() if found else ""
        items.append((href, text, date))
    if not items:
        raise ParseError(
            f"选择器未匹配 (selector matched nothing): no list items match {spec.list.item_links!r}"
        )
    return items


def read_detail(spec, fetcher, url, link_text, list_date, row_ref) -> RawRecord:
    """One detail page and its attachments. Parsed again only when the page or one of its
    attachments changed (attachments are still fetched, conditionally, to know that)."""
    document = fetcher.get(url)
    key = cache_key(spec, document, "detail", link_text, list_date)
    hit = fetcher.cached(document, key)
    if hit is not None:
        attachments = hit["extra"].get("attachments", [])
        if all(not fetcher.get(a["url"]).changed for a in attachments):
            return RawRecord(hit["fields"], document.id, url, row_ref, hit["extra"])
    record = parse_detail(spec, fetcher, document, url, link_text, list_date, row_ref)
    fetcher.cache(document, key, {"fields": record.fields, "extra": record.extra})
    return record


def parse_detail(spec, fetcher, document, url, link_text, list_date, row_ref) -> RawRecord:
    tree = html.parse(document, spec.encoding, fetcher)
    detail = spec.detail
    title_el = _first(tree, detail.title)
    title = html.text_of(title_el) if title_el is not None else (tree.findtext(".//title") or link_text)
    body_el = _first(tree, detail.body)
    fields = dict(html.metadata(_first(tree, detail.meta), spec.mapped_source_fields()))
    attachments, attachment_text = read_attachments(spec, fetcher, tree)
    fields.update(
        {
            "_title": " ".join(title.split()) or link_text,
            "_body": html.text_of(body_el) if body_el is not None else "",
            "_url": url,
            "_list_date": list_date,
            "_attachments_text": attachment_text,
        }
    )
    extra = {"attachments": attachments}
    if detail.body and body_el is None and not attachment_text:
        # The page has no report where the spec says it is (a redesign, an error page): a failed
        # document, never a record with an empty report (etl/pipeline.py, document failures).
        extra["document_error"] = f"正文未找到：选择器 {detail.body!r} 在页面上没有匹配"
    return RawRecord(fields, document.id, url, row_ref, extra)


def read_attachments(spec, fetcher, tree) -> tuple[list[dict], str]:
    """Fetch (and archive) every attachment; extract the text of PDFs."""
    attachments, texts = [], []
    for href, name, _ in html.links(tree, spec.detail.attachments) if spec.detail.attachments else []:
        document = fetcher.get(href)
        entry = {
            "name": name or href.rsplit("/", 1)[-1],
            "url": href,
            "sha256": document.sha256,
            "document_id": document.id,
        }
        if href.lower().endswith(".pdf") or document.content.startswith(b"%PDF"):
            try:
                texts.append(pdf_text(document.content))
            except ValueError as exc:
                entry["error"] = str(exc)
        attachments.append(entry)
    return attachments, "\n\n".join(t for t in texts if t)


def _first(tree, selector):
    found = html.select(tree, selector)
    return found[0] if found else None


def attachments_json(record: RawRecord) -> str:
    return json.dumps(record.extra.get("attachments", []), ensure_ascii=False, sort_keys=True)
