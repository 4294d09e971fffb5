"""A real image host on 127.0.0.1 for the image tests: hotlink-protected, and hostile."""

from __future__ import annotations

import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png()


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.hits: Counter[str] = Counter()
        self.referers: list[str | None] = []
        super().__init__((host, 0), Handler)

    def url(self, path: str) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}{path}"


class Handler(BaseHTTPRequestHandler):
    server: Upstream

    def do_GET(self) -> None:
        path = self.path
        self.server.hits[path] += 1
        referer = self.headers.get("Referer")
        self.server.referers.append(referer)
        if path.startswith("/img"):
            if referer and "127.0.0.1" not in referer:     # hotlink protection
                return self._send(403, b"no hotlinking", "text/plain")
            return self._send(200, PNG, "image/png")
        if path.startswith("/redirect-to/"):
            return self._redirect(path.removeprefix("/redirect-to/"))
        if path.startswith("/loop/"):
            return self._redirect(f"/loop/{int(path.rsplit('/', 1)[1]) + 1}")
        if path == "/slow":
            time.sleep(5)
            return self._send(200, PNG, "image/png")
        if path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            try:
                self.wfile.write(PNG)
                for _ in range(50):
                    self.wfile.write(b"\x00" * 1_000_000)      # 50 MB, no Content-Length
            except OSError:
                pass
            return None
        if path == "/html":
            return self._send(200, b"<html><script>alert(1)</script></html>", "image/png")
        return self._send(404, b"not found", "text/plain")

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def upstream(host: str = "127.0.0.1") -> Iterator[Upstream]:
    server = Upstream(host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
