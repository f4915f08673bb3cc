"""CSV files, GBK or UTF-8 (with or without BOM), read as strings and converted explicitly."""

from __future__ import annotations

import io
from typing import Iterator

import pandas as pd

from etl.readers import ParseError, RawRecord, cache_key, parse_once
from etl.readers.tabular import records
from etl.readers.text import decode


def read(spec, fetcher) -> Iterator[RawRecord]:
    for url in spec.all_urls():
        document = fetcher.get(url)
        yield from parse_once(
            fetcher, document, cache_key(spec, document), lambda: list(parse(spec, fetcher, document, url))
        )


def parse(spec, fetcher, document, url) -> Iterator[RawRecord]:
    text, encoding = decode(document.content, spec.encoding, document.header_charset, url=url)
    fetcher.set_encoding(document, encoding)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            header=spec.header_row,
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"{url}: not a readable CSV: {exc}") from None
    # +2: one for the header line, one because people count lines from 1
    yield from records(frame, document, url, spec.header_row + 2)
