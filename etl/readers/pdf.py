"""Text of PDF attachments: many reports are published only as PDF."""
from __future__ import annotations

import io
import logging

import pdfplumber

logging.getLogger("pdfminer").setLevel(logging.ERROR)


def pdf_text(content: bytes) -> str:
    """All pages' text, pages separated by blank lines. Raises ValueError when the bytes are
    not a readable PDF (a truncated or mislabelled attachment)."""
    try:
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            return "\n\n".join((page.extract_text() or "").strip() for page in pdf.pages).strip()
    except Exception as exc:  # pdfminer raises many unrelated types for broken files
        raise ValueError(f"not a readable PDF: {exc.__class__.__name__}: {exc}") from None
