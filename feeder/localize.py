"""The ``localize`` image mode: images downloaded into the output folder at build time.

Each image becomes ``img/<2 hex>/<sha256 of its bytes>.<ext>`` below the output (content-
addressed: the same image from two URLs is one file), written atomically and never rewritten.
Which URL became which file is kept in ``<state>/localized.json``, so an image is downloaded
once. Downloads run a few at a time (``fetch`` guards each one); a failed one leaves the
original URL in the feed and is tried again by the next build. Never fails a build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from feeder.config import Config
from feeder.errors import OutputError
from feeder.fetch import FetchError, fetch_image
from feeder.publish import make_root, write_if_changed

log = logging.getLogger("feeder")
MAP_FILE = "localized.json"
CONCURRENCY = 8
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp",
              "image/avif": "avif", "image/bmp": "bmp", "image/x-icon": "ico"}


def known(cfg: Config) -> dict[str, str]:
    """URL → file below the output, for the images downloaded so far that are still there."""
    try:
        mapping = json.loads((cfg.state.path / MAP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(mapping, dict):
        return {}
    return {url: rel for url, rel in mapping.items()
            if isinstance(rel, str) and (cfg.output.path / rel).is_file()}


def download(cfg: Config, urls: Iterable[str], mapping: dict[str, str]) -> dict[str, str]:
    """Fetch the images not yet in ``mapping`` (updated in place and saved); returns the URLs
    that failed, with the reason."""
    wanted = sorted(set(urls) - set(mapping))
    failed: dict[str, str] = {}
    if not wanted:
        return failed
    make_root(cfg.output.path)
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        for url, (rel, why) in zip(wanted, pool.map(lambda u: _one(cfg, u), wanted),
                                   strict=True):
            if rel:
                mapping[url] = rel
            else:
                failed[url] = why
    _save(cfg, mapping)
    return failed


def _one(cfg: Config, url: str) -> tuple[str, str]:
    """(the file the image at ``url`` was written to, '') or ('', why it was not)."""
    try:
        image = fetch_image(url, cfg)
    except FetchError as e:
        return "", str(e)
    digest = hashlib.sha256(image.data).hexdigest()
    rel = f"img/{digest[:2]}/{digest}.{EXTENSIONS[image.media_type]}"
    try:
        if not (cfg.output.path / rel).is_file():   # content-addressed: never rewritten
            write_if_changed(cfg.output.path, rel, image.data)
    except OutputError as e:
        return "", f"cannot write it: {e}"
    return rel, ""


def _save(cfg: Config, mapping: dict[str, str]) -> None:
    path: Path = cfg.state.path / MAP_FILE
    temp = path.with_name(f".{MAP_FILE}.{os.getpid()}")
    temp.write_text(json.dumps(mapping, sort_keys=True, indent=0), encoding="utf-8")
    temp.replace(path)
