"""Readers: one module per format, each with the same entry point

    read(spec: SourceSpec, fetcher: Fetcher) -> Iterator[RawRecord]

found by module name (spec.format), never by an if/elif dispatcher. A reader yields the
source's own field names and string values; mapping to the schema happens afterwards.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Iterator


@dataclass
class RawRecord:
    fields: dict[str, str]
    document_id: int
    url: str
    row_ref: str  # where in the document: "row 12", "page 3 item 4", "record 17"
    extra: dict = field(default_factory=dict)  # reader-supplied structured data (attachments)


class ParseError(ValueError):
    """A document does not have the structure its spec promises."""


def read(spec, fetcher) -> Iterator[RawRecord]:
    module = importlib.import_module(f"etl.readers.{spec.format}")
    return module.read(spec, fetcher)
