"""Byte-for-byte reproducible files: text in a given encoding, CSV, XLSX and PDF.

openpyxl stamps the save time into docProps/core.xml and the zip entries; reportlab
stamps a creation date and a random document id. Both are pinned here so that a rerun
with the same seed writes identical bytes (tests/test_samples.py checks the hashes).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_XLSX_TIME = "2026-01-01T00:00:00Z"


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Strict encoding: a character the charset lacks is a generator bug, not a '?'."""
    write_bytes(path, text.encode(encoding, errors="strict"))


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def xlsx_bytes(workbook) -> bytes:
    """Save an openpyxl workbook with fixed timestamps in both the zip and the metadata."""
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + FIXED_XLSX_TIME.encode() + rb"\g<2>",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return out.getvalue()


_FONT = "STSong-Light"


def pdf_bytes(title: str, blocks: list[tuple[str, str]], author: str) -> bytes:
    """A text PDF with the CID font STSong-Light (not embedded, so extractable and small).

    `invariant=1` pins the creation date and document id. The middle dot U+00B7 is not in
    the font's UniGB-UCS2-H encoding; U+30FB renders the same and extracts as U+00B7.
    """
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    heading = ParagraphStyle(
        "h", fontName=_FONT, fontSize=16, leading=24, alignment=1, wordWrap="CJK", spaceAfter=12
    )
    section = ParagraphStyle("s", fontName=_FONT, fontSize=12.5, leading=20, wordWrap="CJK", spaceBefore=6)
    body = ParagraphStyle("b", fontName=_FONT, fontSize=11.5, leading=19, wordWrap="CJK", firstLineIndent=23)

    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(text.replace("·", "・")), style)

    story = [para(title, heading), Spacer(1, 4 * mm)]
    for kind, text in blocks:
        story.append(para(text, section if kind == "h" else body))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        invariant=1,
        title=title,
        author=author,
        subject="示例数据，非真实信息",
        # The package was etl.samplegen; kept so the bundled PDFs stay byte-identical.
        creator="etl.samplegen",
        producer="etl.samplegen",
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
    )
    doc.build(story)
    return buf.getvalue()
