"""A paginated JSON API (page/size, total), e.g. {"data": {"total": 83, "records": [...]}}.

The URL is a template with {page} and {size}."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Iterator

from etl.readers import ParseError, RawRecord, cache_key
from etl.readers.text import decode

MAX_PAGES = 100_000  # a bound, so a server that never stops cannot loop us forever


def read(spec, fetcher) -> Iterator[RawRecord]:
    pagination = spec.pagination
    start = pagination.page_param_start if pagination else 1
    size = pagination.size if pagination else 50
    for template in spec.all_urls():
        seen = 0
        for page in range(start, start + MAX_PAGES):
            url = template.format(page=page, size=size)
            document = fetcher.get(url)
            batch, total = page_records(spec, fetcher, document, url, page)
            yield from batch
            seen += len(batch)
            if not batch or (total is not None and seen >= total) or "{page}" not in template:
                break


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
    text, _ = decode(document.content)
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
