"""Fetching: one requests Session with timeouts, retries, conditional GET, a size limit and
file:// support; every fetched document is archived by sha256 and recorded in `documents`.

Parsing never touches the network: readers get a `Document` whose bytes are already on disk in
the archive, so what was published can always be proven from the stored copy.
"""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from requests_file import FileAdapter

from etl import cache, settings

# Errors after which the same request may succeed: the connection broke, the server was slow,
# or the body arrived cut short (urllib3 enforces Content-Length).
_TRANSIENT = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class FetchError(RuntimeError):
    """A document could not be fetched; the message says which URL and why."""


@dataclass
class Document:
    id: int
    url: str
    content: bytes
    sha256: str
    http_status: int
    content_type: str | None
    header_charset: str | None
    changed: bool  # differs from the version of this URL seen last time


def new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = settings.USER_AGENT
    session.mount("file://", FileAdapter())
    # Retries are ours (see Fetcher.get) so that truncated bodies are retried too.
    session.mount("http://", HTTPAdapter(max_retries=0))
    session.mount("https://", HTTPAdapter(max_retries=0))
    return session


def archive_path(sha256: str, archive_dir: Path | None = None) -> Path:
    base = archive_dir or settings.ARCHIVE_DIR
    return base / sha256[:2] / f"{sha256}.gz"


def archive(content: bytes, archive_dir: Path | None = None) -> tuple[str, Path]:
    """Store bytes gzip-compressed by sha256 (idempotent, deterministic); return (sha, path)."""
    sha = hashlib.sha256(content).hexdigest()
    path = archive_path(sha, archive_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(content)
        tmp.replace(path)
    return sha, path


def read_archived(sha256: str, archive_dir: Path | None = None) -> bytes:
    with gzip.open(archive_path(sha256, archive_dir), "rb") as f:
        return f.read()


class Fetcher:
    """Fetches documents for one source and records them in the `documents` table.

    Runs inside the source's transaction: if the source fails, its document rows roll back with
    everything else (the archived bytes stay; they are content-addressed and harmless).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        source_id: str,
        now: str,
        session: requests.Session | None = None,
        archive_dir: Path | None = None,
    ):
        self.conn = conn
        self.source_id = source_id
        self.now = now
        self.session = session or new_session()
        self.archive_dir = archive_dir or settings.ARCHIVE_DIR
        self.seen_ids: set[int] = set()
        self.inserted_ids: set[int] = (
            set()
        )  # documents rows this fetcher added (gone if the source rolls back)
        self.fetched = 0
        self.unchanged = 0
        self.parsed = 0  # documents actually parsed (cache misses)

    def get(self, url: str) -> Document:
        previous = self._latest(url)
        headers = {}
        if previous is not None:
            if previous["etag"]:
                headers["If-None-Match"] = previous["etag"]
            if previous["last_modified"]:
                headers["If-Modified-Since"] = previous["last_modified"]
        response, content = self._request(url, headers)
        if response.status_code == 304 and previous is not None:
            content = read_archived(previous["sha256"], self.archive_dir)
        elif response.status_code >= 400:
            raise FetchError(f"{url}: HTTP {response.status_code}")
        return self._record(url, response, content, previous)

    def _request(self, url: str, headers: dict) -> tuple[requests.Response, bytes]:
        last_error: Exception | None = None
        for attempt in range(settings.HTTP_RETRIES + 1):
            if attempt:
                time.sleep(settings.HTTP_BACKOFF * 2 ** (attempt - 1))
            try:
                response = self.session.get(url, headers=headers, timeout=settings.HTTP_TIMEOUT, stream=True)
                if response.status_code >= 500:
                    last_error = FetchError(f"{url}: HTTP {response.status_code}")
                    response.close()
                    continue
                return response, self._read_body(url, response)
            except _TRANSIENT as exc:
                last_error = exc
            except FetchError:
                raise
        raise FetchError(f"{url}: failed after {settings.HTTP_RETRIES + 1} attempts: {_describe(last_error)}")

    @staticmethod
    def _read_body(url: str, response: requests.Response) -> bytes:
        limit = settings.HTTP_MAX_BYTES
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            response.close()
            raise FetchError(f"{url}: response of {declared} bytes exceeds the limit of {limit}")
        chunks, size = [], 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                response.close()
                raise FetchError(f"{url}: response exceeds the limit of {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _latest(self, url: str) -> sqlite3.Row | None:
        return self.conn.execute(
            "SELECT * FROM documents WHERE url = ? ORDER BY last_seen DESC, id DESC LIMIT 1", (url,)
        ).fetchone()

    def _record(self, url, response, content, previous) -> Document:
        sha, path = archive(content, self.archive_dir)
        content_type = response.headers.get("Content-Type")
        charset = requests.utils.get_encoding_from_headers(response.headers) if content_type else None
        if charset == "ISO-8859-1" and "charset" not in (content_type or "").lower():
            charset = None  # requests' default for text/*, not something the server said
        existing = self.conn.execute(
            "SELECT id FROM documents WHERE url = ? AND sha256 = ?", (url, sha)
        ).fetchone()
        etag = response.headers.get("ETag") or (previous["etag"] if response.status_code == 304 else None)
        modified = response.headers.get("Last-Modified") or (
            previous["last_modified"] if response.status_code == 304 else None
        )
        if existing:
            doc_id = existing["id"]
            self.conn.execute(
                "UPDATE documents SET last_seen = ?, fetched_at = ?, gone_since = NULL, etag = ?, "
                "last_modified = ? WHERE id = ?",
                (self.now, self.now, etag, modified, doc_id),
            )
        else:
            cursor = self.conn.execute(
                "INSERT INTO documents (source_id, url, sha256, fetched_at, http_status, content_type,"
                " encoding, size, etag, last_modified, archive_path, first_seen, last_seen)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    self.source_id,
                    url,
                    sha,
                    self.now,
                    response.status_code,
                    content_type,
                    charset,
                    len(content),
                    etag,
                    modified,
                    str(path.relative_to(self.archive_dir)),
                    self.now,
                    self.now,
                ),
            )
            doc_id = cursor.lastrowid
            self.inserted_ids.add(doc_id)
        # Changed = differs from the version seen last time (a reverted page is a change too).
        changed = previous is None or previous["sha256"] != sha
        if changed:
            self.fetched += 1
        else:
            self.unchanged += 1
        self.seen_ids.add(doc_id)
        return Document(
            id=doc_id,
            url=url,
            content=content,
            sha256=sha,
            http_status=response.status_code,
            content_type=content_type,
            header_charset=charset,
            changed=changed,
        )

    # Parsing is a pure function of the stored bytes and the spec (etl/cache.py): an unchanged
    # document is never parsed twice.
    def cached(self, document: Document, key: str):
        return cache.get(f"{document.sha256}|{key}", self.archive_dir)

    def cache(self, document: Document, key: str, payload) -> None:
        self.parsed += 1
        cache.put(f"{document.sha256}|{key}", payload, self.archive_dir)

    def set_encoding(self, document: Document, encoding: str) -> None:
        """Record the encoding the reader actually used (it may differ from what the page said)."""
        self.conn.execute("UPDATE documents SET encoding = ? WHERE id = ?", (encoding, document.id))


def _describe(exc: Exception | None) -> str:
    if isinstance(exc, requests.Timeout):
        return f"timed out after {settings.HTTP_TIMEOUT:g} s"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the response was truncated"
    return str(exc) if exc else "unknown error"
