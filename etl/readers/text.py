"""Decoding bytes that government sites publish: UTF-8, GBK/GB2312 (read as GB18030, its
superset), with or without a BOM, and pages whose declared charset is wrong."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
# GBK and GB2312 pages routinely contain characters outside their declared set; GB18030 is a
# strict superset of both, so decoding with it never loses a character they could carry.
_GB_FAMILY = {"gbk", "gb2312", "gb18030", "cp936", "x-gbk", "euc-cn", "hz-gb-2312"}


def meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _canonical(encoding: str | None) -> str | None:
    if not encoding:
        return None
    enc = encoding.strip().lower()
    if enc in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(enc).name
    except LookupError:
        return None


def decode(data: bytes, *declared: str | None) -> tuple[str, str]:
    """Return (text, encoding used). Candidates in order: BOM, strict UTF-8, each declared
    encoding (spec, HTTP header, meta tag), then detection. A declaration that does not decode
    the bytes strictly is not believed (pages lie about their charset)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in declared:
        enc = _canonical(candidate)
        if not enc or enc == "utf-8":
            continue
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("utf-8", errors="replace"), "utf-8-replace"
