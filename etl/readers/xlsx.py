"""XLSX workbooks, read as strings (dtype=str) and converted explicitly."""

from __future__ import annotations

import io
import zipfile
from typing import Iterator

import pandas as pd

from etl.readers import ParseError, RawRecord, cache_key, parse_once
from etl.readers.tabular import records


def read(spec, fetcher) -> Iterator[RawRecord]:
    for url in spec.all_urls():
        document = fetcher.get(url)
        yield from parse_once(
            fetcher, document, cache_key(spec, document), lambda: list(parse(spec, document, url))
        )


def parse(spec, document, url) -> Iterator[RawRecord]:
    try:
        book = pd.ExcelFile(io.BytesIO(document.content), engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise ParseError(f"{url}: not a readable XLSX: {exc}") from None
    if spec.sheet and spec.sheet not in book.sheet_names:
        # A renamed sheet is a format change to report as such, not an empty source.
        raise ParseError(
            f"{url}: 工作表不存在 (sheet not found): {spec.sheet!r}; the workbook has "
            f"{', '.join(map(repr, book.sheet_names))}"
        )
    try:
        frame = pd.read_excel(
            book, sheet_name=spec.sheet or 0, header=spec.header_row, dtype=str, keep_default_na=False
        )
    except (ValueError, KeyError, IndexError) as exc:
        raise ParseError(f"{url}: not a readable XLSX: {exc}") from None
    yield from records(frame, document, url, spec.header_row + 2)
