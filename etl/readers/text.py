"""Decoding bytes that government sites publish: UTF-8, GBK/GB2312 (read as GB18030, its
superset), with or without a BOM, and pages whose declared charset is wrong."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from etl.readers import ParseError

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


def decode(data: bytes, *declared: str | None, url: str = "") -> tuple[str, str]:
    """Return (text, encoding used). Candidates in order: BOM, strict UTF-8, each declared
    encoding (spec, HTTP header, meta tag), then detection. A declaration that does not decode
    the bytes strictly is not believed (pages lie about their charset). Bytes after a UTF-8 BOM
    that are not UTF-8 (a GBK file behind a BOM) decode with a declared encoding that reads them
    strictly, else raise DecodingError (naming `url`): guessing would load garbled text."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            return _after_bom(data[3:], exc, declared, url)
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


class DecodingError(ParseError):
    """The bytes contradict their encoding (the message says how); the document is not read."""


def _after_bom(data: bytes, error: UnicodeDecodeError, declared, url: str) -> tuple[str, str]:
    for candidate in declared:
        enc = _canonical(candidate)
        if enc and enc != "utf-8":
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                continue
    text = data.decode("utf-8", errors="replace")
    # A stray bad byte in a long UTF-8 text (one in a thousand characters at most) is read as
    # before, with a replacement character; more means the bytes are in another encoding.
    if text.count("\ufffd") * 1000 <= len(text):
        return text, "utf-8-sig"
    try:
        data.decode("gb18030")
        hint = "the bytes read as GBK/GB18030"
    except UnicodeDecodeError:
        hint = "no encoding was declared that reads them"
    raise DecodingError(
        f"{url + ': ' if url else ''}编码变了 (encoding changed): the file starts with a UTF-8 BOM but from byte {error.start + 3} on it is not"
        f" UTF-8 ({hint}); set `encoding:` in the spec if the publisher keeps this encoding"
    )
