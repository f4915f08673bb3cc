"""Readers: one module per format, each with the same entry point

    read(spec: SourceSpec, fetcher: Fetcher) -> Iterator[RawRecord]

found by module name (spec.format), never by an if/elif dispatcher. A reader yields the
source's own field names and string values; mapping to the schema happens afterwards.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterator

# Bumped when a reader's output changes, so cached parse results are not reused.
# Not bumped when PDF text moved from pdfplumber to PDFium (etl/readers/pdf.py): the text is the
# same for every PDF tried, and a bump would re-parse every document of a deployment, logging any
# whitespace difference in a real PDF as an update of that record.
READER_VERSION = "1"


@dataclass
class RawRecord:
    fields: dict[str, str]
    document_id: int
    url: str
    row_ref: str  # where in the document: "row 12", "page 3 item 4", "record 17"
    extra: dict = field(default_factory=dict)  # reader-supplied structured data (attachments)


class ParseError(ValueError):
    """A document does not have the structure its spec promises."""


def cache_key(spec, document, *extra) -> str:
    """What a parse result depends on besides the bytes: reader, spec, the document's URL
    (relative links resolve against it) and anything the caller passes (e.g. the list date)."""
    return "|".join([spec.format, READER_VERSION, spec.sha256 or "", document.url, *map(str, extra)])


def parse_once(fetcher, document, key: str, parse: Callable[[], list[RawRecord]]) -> list[RawRecord]:
    """The records of a document, parsed only if this (bytes, key) was never parsed before."""
    hit = fetcher.cached(document, key)
    if hit is not None:
        return [RawRecord(**item) for item in hit]
    records = parse()
    fetcher.cache(document, key, [asdict(r) for r in records])
    return records


def read(spec, fetcher) -> Iterator[RawRecord]:
    module = importlib.import_module(f"etl.readers.{spec.format}")
    return module.read(spec, fetcher)
