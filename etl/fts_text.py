"""Chinese full-text search: the CJK-bigram text form shared by the index and the query.

SQLite's FTS5 tokenizers do not segment Chinese: `unicode61` keeps a whole run of Han characters
as one token (so 爆炸 inside 发生爆炸事故 is never found) and `trigram` cannot match a term
shorter than three characters (docs/search.md). Instead, the public database keeps a
shadow FTS5 table per searchable table whose text is already split here:

* every run of Han characters becomes its overlapping 2-grams followed by its last character,
  化工有限 -> ``化工 工有 有限 限``; a 1-character run is that character;
* every other run of letters or digits (ASCII, codes such as 统一社会信用代码) stays one word;
* punctuation and spaces separate runs; text is NFKC-normalised (全角 -> 半角) and converted
  from traditional to simplified characters, so 爆炸/爆炸 and 化工/化工 match either script.

A query term is split the same way and becomes an FTS5 phrase of its tokens, which matches
exactly where the term occurs as a contiguous string (after normalisation):
2+ Han characters -> the phrase of their bigrams; a term ending in one Han character ->
a prefix phrase (爆 -> ``"爆"*``, which hits 爆炸 and a final 爆). Several space-separated terms
must all occur (AND). The trailing single character of each run is what makes 1-character and
mixed terms (A级, 2023年) exact; it is only emitted into a query phrase when more tokens follow.

The Datasette plugin (publish/datasette/plugins/cjk_search.py) and etl/public_search.py both
import this module, so the index and the query can never disagree. It imports nothing from etl,
so a Datasette replica ships it alone (publish/datasette/Dockerfile). Figures: docs/search.md.
"""

from __future__ import annotations

import re
import unicodedata
from operator import add

# Bump when the text form changes: public databases record it in build_info (fts_tokenizer)
# and an index built with another version must be rebuilt.
VERSION = "cjk-bigram-2"

# Han ideographs: CJK Unified (+ Extension A), Compatibility, 〇, and the supplementary planes.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(rf"([{_HAN}]+)|([^\W_{_HAN}]+)")

try:  # OpenCC is pinned in requirements.txt; without it only same-script matches work.
    import opencc

    _T2S = opencc.OpenCC("t2s").convert
except ImportError:  # pragma: no cover - documented degradation
    _T2S = None


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _T2S(text) if _T2S else text


def _runs(text: str) -> list[tuple[bool, str]]:
    """(is_han, run) pairs in order."""
    return [(bool(m.group(1)), m.group(0)) for m in _RUN.finditer(normalise(text))]


def _han_tokens(run: str, trailing: bool) -> list[str]:
    if len(run) == 1:
        return [run]
    grams = [run[i : i + 2] for i in range(len(run) - 1)]
    return grams + [run[-1]] if trailing else grams


def index_text(*values) -> str:
    """The space-separated token string stored in the shadow FTS table for these values.

    The tokens of _han_tokens(run, trailing=True), written with map() over the run and the run
    shifted by one: this runs for every searchable value of a public build (20 million
    characters at province size), where a statement per character cost 20% more."""
    tokens: list[str] = []
    extend, append = tokens.extend, tokens.append
    for value in values:
        if value is None:
            continue
        for han, other in _RUN.findall(normalise(str(value))):
            if han:
                extend(map(add, han, han[1:]))  # the bigrams (none for one character) …
                append(han[-1])  # … and the last character
            else:
                append(other.lower())
    return " ".join(tokens)


def _term_phrase(term: str) -> str | None:
    prefix = term.endswith("*")
    runs = _runs(term.rstrip("*"))
    if not runs:
        return None
    tokens: list[str] = []
    for position, (is_han, run) in enumerate(runs):
        last = position == len(runs) - 1
        if is_han:
            tokens.extend(_han_tokens(run, trailing=not last))
            prefix = prefix or (last and len(run) == 1)
        else:
            tokens.append(run.lower())
    return '"{}"{}'.format(" ".join(tokens), "*" if prefix else "")


def match_expression(query: str | None) -> str:
    """The FTS5 MATCH expression for what a user typed (terms separated by spaces: AND).

    Tokens contain only letters and digits, so no user input reaches FTS5 syntax unquoted.
    Nothing searchable (empty, punctuation only) gives a phrase that matches no row.
    """
    phrases = [p for p in (_term_phrase(t) for t in (query or "").split()) if p]
    return " ".join(phrases) if phrases else '"\u3000"'
