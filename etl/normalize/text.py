"""Character-level text normalization: full-width to half-width, traditional to simplified,
whitespace.

to_halfwidth() maps one character to one character, so offsets found in its output are valid
in its input (etl/normalize/mask.py relies on this to mask full-width digits in place).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Full-width forms U+FF01..U+FF5E are ASCII U+0021..U+007E shifted by 0xFEE0.
_FULLWIDTH_OFFSET = 0xFEE0
# Chinese sentence punctuation is written full-width on purpose; keep it unless asked.
_CHINESE_PUNCT = set("，：；！？")
_PARENS = set("（）")
_SPACES = {
    "\u3000": " ",
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u205f": " ",
}
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_HSPACE = re.compile(r"[ \t\f\v\r\u3000\u00a0\u2002\u2003\u2009\u202f\u205f]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def _halfwidth_char(ch: str, parens: bool, punctuation: bool) -> str:
    if ch in _SPACES:
        return " "
    code = ord(ch)
    if not 0xFF01 <= code <= 0xFF5E:
        return ch
    if ch in _PARENS and not parens:
        return ch
    if ch in _CHINESE_PUNCT and not punctuation:
        return ch
    return chr(code - _FULLWIDTH_OFFSET)


@lru_cache(maxsize=4)
def _halfwidth_table(parens: bool, punctuation: bool) -> tuple[re.Pattern, dict[int, str]]:
    # What _halfwidth_char changes, as a pattern to find it and a str.translate table: C speed
    # (the release gates run this over every page of the site).
    chars = [*_SPACES, *map(chr, range(0xFF01, 0xFF5F))]
    table = {ord(ch): half for ch in chars if (half := _halfwidth_char(ch, parens, punctuation)) != ch}
    return re.compile("[" + re.escape("".join(map(chr, table))) + "]"), table


def to_halfwidth(s: str | None, parens: bool = False, punctuation: bool = False) -> str | None:
    """Full-width ASCII letters, digits, symbols and spaces to half-width.

    （） become () only with parens=True; ，：；！？ become ,:;!? only with punctuation=True.
    Other CJK punctuation (。、《》“”) is never touched. Length-preserving.
    """
    if s is None:
        return None
    if s.isascii():
        return s
    changed, table = _halfwidth_table(parens, punctuation)
    return s.translate(table) if changed.search(s) else s


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: OpenCC loads its dictionaries on first use

    return opencc.OpenCC("t2s")


def to_simplified(s: str | None) -> str | None:
    """Traditional to simplified script (OpenCC t2s). Many reposts of Gansu reports are in
    traditional script."""
    if not s:
        return s
    return _t2s().convert(s)


def clean_text(s: str | None, keep_newlines: bool = False) -> str | None:
    """Collapse whitespace (including U+3000 and no-break space) to single spaces, drop
    zero-width characters, strip. With keep_newlines, line breaks survive (runs become one)."""
    if s is None:
        return None
    s = _ZERO_WIDTH.sub("", str(s))
    if keep_newlines:
        s = _NEWLINES.sub("\n", _HSPACE.sub(" ", s.replace("\r\n", "\n")))
        return s.strip()
    return re.sub(r"\s+", " ", _HSPACE.sub(" ", s)).strip()
