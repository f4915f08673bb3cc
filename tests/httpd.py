"""A real HTTP server on 127.0.0.1 for ETL tests: serves a folder with ETags (so conditional
GET gets 304s) and injects the faults real government sites show: 5xx, slowness past the
timeout, truncated bodies, a lying charset header, replaced content."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".csv": "text/csv",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class FaultyServer:
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
        path = unquote(urlsplit(request.path).path)
        queue = self.faults.get(path)
        fault = queue.pop(0) if queue else None
        if fault == "500":
            return self._send(request, path, 500, b"server error")
        if fault == "slow":
            time.sleep(self.slow_seconds)
        body = self.content.get(path)
        if body is None:
            file = (self.root / path.lstrip("/")).resolve()
            if not file.is_file() or self.root.resolve() not in file.parents:
                return self._send(request, path, 404, b"not found")
            body = file.read_bytes()
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            return self._send(request, path, 304, b"", etag=etag)
        if fault == "truncate":
            return self._send(request, path, 200, body, etag=etag, truncate=True)
        self._send(request, path, 200, body, etag=etag)

    def _send(self, request, path, status, body, etag=None, truncate=False) -> None:
        self.log.append((path, status))
        try:
            request.send_response(status)
            ctype = self.content_type.get(path) or TYPES.get(Path(path).suffix, "application/octet-stream")
            request.send_header("Content-Type", ctype)
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
