"""Serve the output folder to feed readers (Starlette on uvicorn), and ``/healthz``.

Only files below the output folder, never hidden ones (feeder's manifest, temporary files) and
never through a symlink that leads out; each with its feed media type and ``charset=utf-8``,
``ETag``/``Last-Modified`` answered with ``304``, ``HEAD``, gzip when asked, and
``Cache-Control: max-age``. ``/healthz`` reports the last build (``status``): 200 when it
succeeded, 503 when it failed or none has run.

Starlette's ``StaticFiles`` already does conditional requests, ranges and the path checks
(normalised paths, ``realpath`` kept below the folder); this module adds the media types and the
rest. Imports Starlette and uvicorn; never builds.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from feeder import status
from feeder.config import Config

MEDIA_TYPES = {
    "rss.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json", ".opml": "text/x-opml", ".html": "text/html",
    ".xml": "application/xml", ".json": "application/json", ".xsl": "text/xsl",
}


def media_type(path: str) -> str:
    file = Path(path)
    kind = MEDIA_TYPES.get(file.name) or MEDIA_TYPES.get(file.suffix)
    return f"{kind}; charset=utf-8" if kind else "application/octet-stream"


def create_app(cfg: Config) -> Any:
    """The ASGI application serving ``cfg.output.path``."""
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    cache_control = f"public, max-age={cfg.server.max_age}"

    class FeedFiles(StaticFiles):
        def get_path(self, scope: Any) -> str:
            path: str = super().get_path(scope)
            if any(part.startswith(".") for part in Path(path).parts):
                raise HTTPException(status_code=404)    # state, manifest, temporary files
            return path

        def file_response(self, full_path: Any, stat_result: os.stat_result, scope: Any,
                          status_code: int = 200) -> Response:
            response: Response = super().file_response(full_path, stat_result, scope,
                                                       status_code)
            response.headers["content-type"] = media_type(str(full_path))
            response.headers["cache-control"] = cache_control
            return response

    async def healthz(request: Request) -> JSONResponse:
        last = status.last(cfg.state.path)
        body = {"status": "ok" if last and last.get("ok") else
                "failed" if last else "no build yet", "last_build": last}
        return JSONResponse(body, status_code=200 if last and last.get("ok") else 503,
                            headers={"cache-control": "no-store"})

    cfg.output.path.mkdir(parents=True, exist_ok=True)
    files = FeedFiles(directory=cfg.output.path, html=True, check_dir=False)
    return Starlette(routes=[Route("/healthz", healthz), Mount("/", app=files)],
                     middleware=[Middleware(GZipMiddleware, minimum_size=500)])


def serve(cfg: Config, host: str, port: int) -> None:
    """Serve until SIGINT or SIGTERM."""
    import uvicorn

    config = uvicorn.Config(create_app(cfg), host=host, port=port, log_level="warning",
                            access_log=False, server_header=False, lifespan="off")
    uvicorn.Server(config).run()
