"""CSV exports a spreadsheet will not run: cells that would start a formula get a quote in front.

A CSV opened in Excel, WPS or LibreOffice runs a cell that starts with = + - @, a tab or a
carriage return as a formula (OWASP, "CSV Injection"): `=HYPERLINK("http://…")` in a source's
text would become a live link, worse with DDE. The public data holds text copied from
government pages, and arbitrary SQL lets anyone make any text, so every CSV Datasette serves
(table and row `.csv`, canned queries, `?sql=`, `_stream=on` full exports, `_dl=1` downloads)
is rewritten on its way out: such a cell is written with a single quote in front
(`'=HYPERLINK(…)`, `'-2+3`), which the spreadsheet shows as text. JSON and every other format
keep the exact values. The static site's downloads do the same (plugins/disclosure/opendata.py).

Numbers stay numbers. Datasette writes an INTEGER or REAL as Python's str() (`-5`, `-1.5`,
`-1e-05`); a cell that is exactly such a negative number is left as it is. From the CSV text a
stored text "-5" cannot be told from the number -5 (the site's downloads, which see the types,
do quote the text); either way the spreadsheet reads the number -5, not a formula. Everything
else that starts with one of those characters, a text "+1" or "-2+3" included, is quoted.

How: an `asgi_wrapper` that looks at each response's start. A response is CSV when its
content type is text/csv (`_dl=1`), or text/plain on a path ending in `.csv` (Datasette's CSV
without `_dl`; the path as Datasette routes it, from raw_path). Only then is its body rewritten:
bytes are decoded incrementally (a UTF-8 character may be split between two messages) and
gathered into batches of about 64 K characters cut after the last complete record (a newline
with an even number of `"` before it: cells may hold quoted newlines). In a batch, a regular
expression steps over each quoted cell as a whole (so nothing inside one is taken for the start
of a cell) and finds the cells that start with one of the characters; the quote is inserted
there and every other byte stays as Datasette wrote it. A batch in which no such cell can start
passes without that step. A streamed export holds one batch and at most one unfinished record
(Datasette's `max_csv_mb` bounds a response). Content-Length, if any, is dropped. `?_trace=1`
(an HTML page) and error pages (HTML) are not CSV and pass unchanged.
"""

from __future__ import annotations

import codecs
import re

from datasette import hookimpl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Datasette sends each row as one message; they are rewritten 64 KiB at a time.
BATCH = 64 * 1024
# A negative integer or float as str() writes it: a number, not a formula.
_NUMBER = re.compile(r"-\d+(?:\.\d+)?(?:e[+-]\d+)?\Z")
# Could a cell in this text start with FORMULA_START? (after a comma or a line end, with an
# optional opening quote; a bare \r there is a line end: csv.writer quotes a cell holding \r.)
_MAYBE = re.compile(r'[,\n](?:"?[=+\-@\t]|"\r)')
# A quoted cell, whole (to the end of the text if unfinished), or an unquoted cell that starts
# with FORMULA_START (csv.writer quotes every cell holding a quote, comma, \r or \n).
_CELL = re.compile(r'"(?:[^"]+|"")*"?|(?<![^,\n])[=+\-@\t][^,\r\n]*')


def _quote(match) -> str:
    cell = match.group()
    if cell[0] == '"':
        return "\"'" + cell[1:] if cell[1:2] and cell[1] in "=+-@\t\r" else cell
    return cell if _NUMBER.match(cell) else "'" + cell


@hookimpl
def asgi_wrapper(datasette):
    return CsvGuard


class CsvRewriter:
    """The body of one CSV response (text from the start of a record), fed in pieces; returns
    the neutralized bytes so far, in batches of complete records."""

    def __init__(self, encoding: str = "utf-8"):
        self.encoding = encoding
        self.decoder = codecs.getincrementaldecoder(encoding)("surrogateescape")
        self.pending: list[str] = []  # text not written yet, in pieces
        self.size = 0  # its length
        self.flush_at = BATCH  # look for complete records once this much is held
        self.scanned = 0  # how much of the pending text has been searched for a record's end
        self.quotes = 0  # the number of " in those characters

    def feed(self, data: bytes, final: bool = False) -> bytes:
        piece = self.decoder.decode(data, final)
        self.pending.append(piece)
        self.size += len(piece)
        if not final and self.size < self.flush_at:
            return b""
        text = "".join(self.pending)
        end = len(text) if final else self._complete(text)
        done, rest = text[:end], text[end:]
        self.pending, self.size = [rest], len(rest)
        self.flush_at = self.size + BATCH  # a record longer than BATCH is not joined per message
        return self._rewrite(done).encode(self.encoding, "surrogateescape") if done else b""

    def _complete(self, text: str) -> int:
        """Where the last complete record of ``text`` ends (0: none yet)."""
        pos, quotes, end, end_quotes = self.scanned, self.quotes, 0, 0
        while (newline := text.find("\n", pos)) >= 0:
            quotes += text.count('"', pos, newline)
            pos = newline + 1
            if not quotes % 2:
                end, end_quotes = pos, quotes
        quotes += text.count('"', pos)
        self.scanned, self.quotes = len(text) - end, quotes - end_quotes
        return end

    @staticmethod
    def _rewrite(text: str) -> str:
        if _MAYBE.search(text) or _MAYBE.match("\n" + text[:2]):
            return _CELL.sub(_quote, text)
        return text


def _header(headers, name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _encoding(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "charset" and value:
            try:
                return codecs.lookup(value.strip('"')).name
            except LookupError:
                break
    return "utf-8"


class CsvGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http":
            return await self.app(scope, receive, send)
        raw = scope.get("raw_path")
        path = (raw.decode("ascii", "replace") if raw else scope.get("path") or "").partition("?")[0]
        csv_path = path.endswith(".csv")
        rewriter: CsvRewriter | None = None

        async def guarded_send(message):
            nonlocal rewriter
            kind = message["type"]
            if kind == "http.response.start":
                headers = list(message.get("headers") or [])
                content_type = _header(headers, b"content-type")
                media = content_type.split(";")[0].strip().lower()
                if media == "text/csv" or (csv_path and media == "text/plain"):
                    rewriter = CsvRewriter(_encoding(content_type))
                    message = {
                        **message,
                        "headers": [h for h in headers if h[0].lower() != b"content-length"],
                    }
            elif kind == "http.response.body" and rewriter is not None:
                more = message.get("more_body", False)
                body = rewriter.feed(message.get("body") or b"", final=not more)
                if more and not body:
                    return
                message = {**message, "body": body}
            await send(message)

        await self.app(scope, receive, guarded_send)
