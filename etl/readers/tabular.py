"""Shared by the csv and xlsx readers: a DataFrame of strings to RawRecords."""

from __future__ import annotations

from typing import Iterator

from etl.readers import ParseError, RawRecord


def header_name(value) -> str:
    """Headers vary in whitespace, BOMs and line breaks inside cells: compare them bare."""
    return "".join(str(value).replace("\ufeff", "").split())


def records(frame, document, url: str, first_line: int) -> Iterator[RawRecord]:
    columns = [header_name(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        raise ParseError(f"{url}: duplicate column headers: {columns}")
    for offset, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = ["" if v is None else str(v).strip() for v in values]
        if not any(cells):
            continue
        yield RawRecord(
            dict(zip(columns, cells)) | {"_url": url}, document.id, url, f"row {first_line + offset}"
        )
