"""A paginated JSON API (page/size, total), e.g. {"data": {"total": 83, "records": [...]}}.

The URL is a template with {page} and {size}."""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import asdict
from typing import Iterator

from etl.readers import ParseError, RawRecord, cache_key
from etl.readers.text import decode
from etl.spec import PaginationSpec


def read(spec, fetcher) -> Iterator[RawRecord]:
    """Every page of every URL template. Paging stops at an empty page, when the first page's
    total is reached, or with a ParseError (the source fails) when the API does not end: a page
    repeating an earlier page's records, a total that grows by more than a page while paging,
    more than `pagination.max_pages` pages or `pagination.max_bytes` bytes per URL template."""
    pagination = spec.pagination or PaginationSpec()
    start, size = pagination.page_param_start, pagination.size
    for template in spec.all_urls():
        seen, received, first_total, contents = 0, 0, None, {}
        for page in itertools.count(start):
            url = template.format(page=page, size=size)
            if page - start >= pagination.max_pages:
                raise ParseError(
                    f"{url}: 分页不结束 (paging does not end): more than max_pages "
                    f"{pagination.max_pages} pages; stopped"
                )
            document = fetcher.get(url)
            received += len(document.content)
            if received > pagination.max_bytes:
                raise ParseError(
                    f"{url}: 分页不结束 (paging does not end): {received} bytes in {page - start + 1}"
                    f" pages, more than max_bytes {pagination.max_bytes}; stopped"
                )
            batch, total = page_records(spec, fetcher, document, url, page)
            if "{page}" not in template:
                yield from batch
                break
            content = _content_key(batch)
            if batch and content in contents:
                raise ParseError(
                    f"{url}: 分页不结束 (paging does not end): page {page} repeats the records"
                    f" of page {contents[content]} (the API ignores the page number?); stopped"
                )
            contents[content] = page
            if total is not None:
                first_total = total if first_total is None else first_total
                if total > first_total + size:
                    raise ParseError(
                        f"{url}: 分页不结束 (paging does not end): the total grew from {first_total}"
                        f" to {total} while paging; stopped"
                    )
            yield from batch
            seen += len(batch)
            if not batch or (total is not None and seen >= total):
                break


def _content_key(batch: list[RawRecord]) -> str:
    """A digest of a page's records (not its bytes: an API may echo the page number it was asked)."""
    fields = [sorted((k, v) for k, v in r.fields.items() if k != "_url") for r in batch]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def page_records(spec, fetcher, document, url, page) -> tuple[list[RawRecord], int | None]:
    """The records and the announced total of one page; parsed once per version."""
    key = cache_key(spec, document)
    hit = fetcher.cached(document, key)
    if hit is not None:
        return [RawRecord(**r) for r in hit["records"]], hit["total"]
    payload = _json(document, url)
    batch = dig(payload, spec.records_path)
    if not isinstance(batch, list):
        raise ParseError(f"{url}: {spec.records_path!r} is not a list")
    total = dig(payload, spec.total_path) if spec.total_path else None
    records = []
    for i, item in enumerate(batch, start=1):
        if not isinstance(item, dict):
            raise ParseError(f"{url}: record {i} is not an object")
        fields = {k: _text(v) for k, v in item.items()} | {"_url": url}
        records.append(RawRecord(fields, document.id, url, f"page {page} record {i}"))
    total = int(total) if total is not None else None
    fetcher.cache(document, key, {"records": [asdict(r) for r in records], "total": total})
    return records, total


def dig(payload, path: str | None):
    value = payload
    for key in (path or "").split("."):
        if key:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def _json(document, url):
    text, _ = decode(document.content, url=url)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"{url}: not valid JSON: {exc}") from None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
