"""The one local HTTP server of the tests and the benchmarks: a real server on 127.0.0.1 that
serves a folder as a static web server does (a folder's URL gives its index.html and is
redirected to end with a slash; Content-Type from the file name, as http.server guesses it) with
ETags, so a conditional GET gets 304s.

The ETL tests set faults real government sites show: 5xx, slowness past the timeout, truncated
bodies, a lying charset header, replaced content. The site tests and bench/site_bench.py open a
built site in a browser through ``serve(folder)``, with no faults. bench imports this module
too, so it uses only the standard library (no pytest, nothing from conftest.py)."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import mimetypes
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit


class FaultyServer:
    """``root`` served on 127.0.0.1 (a free port) in a thread inside a ``with`` block. A test sets
    faults, replaced content and Content-Types per path and reads the log of requests."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.faults: dict[str, list[str]] = {}  # path -> faults for the next requests, in order
        self.content: dict[str, bytes] = {}  # path -> bytes served instead of the file
        self.content_type: dict[str, str] = {}  # path -> Content-Type header served
        self.log: list[tuple[str, int]] = []  # (path, status) of every request
        self.slow_seconds = 2.0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.handle(self)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_for(self, path: str) -> list[int]:
        return [status for p, status in self.log if p == path]

    def handle(self, request) -> None:
        parts = urlsplit(request.path)
        path = unquote(parts.path)
        queue = self.faults.get(path)
        fault = queue.pop(0) if queue else None
        if fault == "500":
            return self._send(request, path, 500, b"server error")
        if fault == "slow":
            time.sleep(self.slow_seconds)
        body, name = self.content.get(path), path
        if body is None:
            file = self._file(path)
            if file is not None and file.is_dir():
                if not path.endswith("/"):  # so that the page's relative links resolve in the folder
                    location = parts._replace(path=parts.path + "/").geturl()
                    return self._send(request, path, 301, b"", location=location)
                file = file / "index.html"
            if file is None or not file.is_file():
                return self._send(request, path, 404, b"not found")
            body, name = file.read_bytes(), file.name
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            return self._send(request, path, 304, b"", name, etag=etag)
        self._send(request, path, 200, body, name, etag=etag, truncate=fault == "truncate")

    def _file(self, path: str) -> Path | None:
        """What a URL path names under the root (a file or a folder); None outside the root."""
        root = self.root.resolve()
        file = (root / path.lstrip("/")).resolve()
        return file if file == root or root in file.parents else None

    def _send(self, request, path, status, body, name=None, etag=None, location=None, truncate=False) -> None:
        self.log.append((path, status))
        try:
            request.send_response(status)
            if location:
                request.send_header("Location", location)
            else:
                request.send_header(
                    "Content-Type", self.content_type.get(path) or _content_type(name or path)
                )
            if etag:
                request.send_header("ETag", etag)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            if status != 304:
                request.wfile.write(body[: len(body) // 2] if truncate else body)
            if truncate:
                request.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass


def _content_type(name: str) -> str:
    """As http.server guesses it: a compressed file by its last suffix, else by mimetypes."""
    table, suffix = http.server.SimpleHTTPRequestHandler.extensions_map, Path(name).suffix
    return (
        table.get(suffix)
        or table.get(suffix.lower())
        or mimetypes.guess_type(name)[0]
        or "application/octet-stream"
    )


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread, with no faults; yield the base URL."""
    with FaultyServer(folder) as server:
        yield server.url
