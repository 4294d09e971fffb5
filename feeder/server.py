"""Serve the output folder to feed readers (Starlette on uvicorn), and ``/healthz``.

Only regular files below the output folder, never hidden ones (feeder's manifest, temporary
files) and never through a symlink that leads out; each with its feed media type and
``charset=utf-8``, an ``ETag`` and ``Last-Modified`` answered with ``304``, ``HEAD``, gzip when
asked, ``Cache-Control: max-age``. ``/healthz`` reports the last build (``status``): 200 when it
succeeded, 503 when it failed or none has run.

Feed readers poll the same few files all day, so the file endpoint is feeder's own rather than
Starlette's ``StaticFiles``: a conditional GET is one ``stat`` with no thread hop, and bytes
(plain and gzipped) are kept in memory per file version, so a poll never reads or compresses a
file twice. That is 3x the requests per second of ``StaticFiles`` with ``GZipMiddleware``
(measured with ``benchmarks/load.py``). Imports Starlette and uvicorn; never builds.
"""

from __future__ import annotations

import gzip
import os
import stat
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from feeder import status
from feeder.config import Config

MEDIA_TYPES = {
    "rss.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json", ".opml": "text/x-opml", ".html": "text/html",
    ".xml": "application/xml", ".json": "application/json", ".xsl": "text/xsl",
}
CACHE_BYTES = 64 * 1024 * 1024
GZIP_MIN = 500


def media_type(path: str) -> str:
    file = Path(path)
    kind = MEDIA_TYPES.get(file.name) or MEDIA_TYPES.get(file.suffix)
    return f"{kind}; charset=utf-8" if kind else "application/octet-stream"


def resolve(root: str, url_path: str) -> str | None:
    """The file a (percent-decoded) URL path names below ``root`` (a real path), or None.

    No ``..`` or hidden segment, no NUL or backslash, and the real path (symlinks followed)
    must stay below the root; a folder stands for its ``index.html``."""
    parts = [p for p in url_path.split("/") if p]
    if any(p.startswith(".") or "\x00" in p or "\\" in p for p in parts):
        return None
    full = os.path.realpath(os.path.join(root, *parts))
    if full != root and not full.startswith(root + os.sep):
        return None
    return full


class Bodies:
    """Recently served files' bytes, plain and gzipped, by path and version (mtime, size);
    at most ``limit`` bytes, least recently used first out."""

    def __init__(self, limit: int = CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[tuple[str, int, int, bool], bytes] = OrderedDict()

    def get(self, path: str, st: os.stat_result, gzipped: bool) -> bytes:
        key = (path, st.st_mtime_ns, st.st_size, gzipped)
        data = self.items.get(key)
        if data is not None:
            self.items.move_to_end(key)
            return data
        data = Path(path).read_bytes()
        if gzipped:
            data = gzip.compress(data, compresslevel=6, mtime=0)
        self.items[key] = data
        self.size += len(data)
        while self.size > self.limit and len(self.items) > 1:
            self.size -= len(self.items.popitem(last=False)[1])
        return data


def _not_modified(headers: Any, etag: str, mtime: float) -> bool:
    if match := headers.get("if-none-match"):
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag in tags or etag.replace('-gz"', '"') in tags
    if since := headers.get("if-modified-since"):
        try:
            return parsedate_to_datetime(since).timestamp() >= int(mtime)
        except (TypeError, ValueError):
            return False
    return False


def create_app(cfg: Config) -> Any:
    """The ASGI application serving ``cfg.output.path``."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, RedirectResponse, Response
    from starlette.routing import Route

    cfg.output.path.mkdir(parents=True, exist_ok=True)
    root = os.path.realpath(cfg.output.path)
    cache_control = f"public, max-age={cfg.server.max_age}"
    bodies = Bodies()

    async def files(request: Request) -> Response:
        # scope["path"] is fully decoded; request.url.path re-quotes '#' and '?'
        path = resolve(root, request.scope["path"])
        try:
            st = os.stat(path) if path else None
        except (OSError, ValueError):
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            if not request.url.path.endswith("/"):
                return RedirectResponse(request.url.path + "/", status_code=301)
            path = os.path.join(path or root, "index.html")
            st = os.stat(path) if os.path.isfile(path) else None
        if path is None or st is None or not stat.S_ISREG(st.st_mode):
            return Response("Not Found", status_code=404, media_type="text/plain")
        zipped = st.st_size >= GZIP_MIN and "gzip" in request.headers.get("accept-encoding", "")
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}{"-gz" if zipped else ""}"'
        headers = {"etag": etag, "last-modified": formatdate(st.st_mtime, usegmt=True),
                   "cache-control": cache_control, "vary": "Accept-Encoding, Accept"}
        if _not_modified(request.headers, etag, st.st_mtime):
            return Response(status_code=304, headers=headers)
        body = bodies.get(path, st, zipped)
        if zipped:
            headers["content-encoding"] = "gzip"
        kind = media_type(path)
        if kind.startswith(("application/rss+xml", "application/atom+xml")) and \
                request.headers.get("accept", "").startswith("text/html"):
            kind = "application/xml; charset=utf-8"     # a browser: let it apply feed.xsl
        response = Response(b"" if request.method == "HEAD" else body, headers=headers,
                            media_type=kind)
        response.headers["content-length"] = str(len(body))
        return response

    async def healthz(request: Request) -> JSONResponse:
        last = status.last(cfg.state.path)
        body = {"status": "ok" if last and last.get("ok") else
                "failed" if last else "no build yet", "last_build": last}
        return JSONResponse(body, status_code=200 if last and last.get("ok") else 503,
                            headers={"cache-control": "no-store"})

    routes = [Route("/healthz", healthz)]
    if cfg.images.mode == "proxy":
        routes.append(Route("/img/{signature}/{token}", _image_route(cfg),
                            methods=["GET", "HEAD"]))
    return Starlette(routes=[*routes, Route("/{path:path}", files, methods=["GET", "HEAD"])])


def _image_route(cfg: Config) -> Any:
    """``/img/{signature}/{token}``: a signed upstream image, through the disk cache."""
    import hashlib
    import logging

    import anyio
    from starlette.requests import Request
    from starlette.responses import Response

    from feeder.fetch import FetchError
    from feeder.images import secret_of, verify
    from feeder.proxy import ImageCache

    secret = secret_of(cfg)
    cache = ImageCache(cfg)
    log = logging.getLogger("feeder")

    async def image(request: Request) -> Response:
        url = verify(secret, request.path_params["signature"], request.path_params["token"])
        if url is None:
            return Response("Forbidden: not an image URL feeder signed", status_code=403,
                            media_type="text/plain")
        try:
            found = await anyio.to_thread.run_sync(cache.image, url)
        except FetchError as e:
            log.warning("image proxy: %s", e)
            return Response("Bad Gateway: the image could not be fetched", status_code=502,
                            media_type="text/plain")
        etag = '"' + hashlib.sha256(found.data).hexdigest()[:32] + '"'
        headers = {"etag": etag, "cache-control": "public, max-age=31536000, immutable"}
        if etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        body = b"" if request.method == "HEAD" else found.data
        response = Response(body, headers=headers, media_type=found.media_type)
        response.headers["content-length"] = str(len(found.data))
        return response

    return image


def serve(cfg: Config, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM."""
    import uvicorn

    config = uvicorn.Config(create_app(cfg), host=host, port=port, log_level="warning",
                            access_log=False, server_header=False, lifespan="off")
    uvicorn.Server(config).run()
