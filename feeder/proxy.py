"""The image proxy's disk cache: upstream images fetched once, kept in the state folder.

``ImageCache.image(url)`` answers from ``<state>/images/`` when it can, else fetches (``fetch``)
and stores. The cache holds at most ``[images] cache_bytes``; past that, the least recently
served images go first (a hit refreshes the file's mtime). One fetch per URL at a time: a
second request for an image being fetched waits for the first (locks striped by URL hash).
Used by ``server``; no HTTP serving here.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from feeder.config import Config
from feeder.fetch import Image, fetch_image, sniff


class ImageCache:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.root = cfg.state.path / "images"
        self.limit = cfg.images.cache_bytes
        self.size: int | None = None        # counted on the first store
        # one lock per stripe of URLs, not per URL: a long-running server must not grow a lock
        # for every image it ever served
        self._locks = [threading.Lock() for _ in range(64)]

    def _path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.root / key[:2] / key

    def image(self, url: str) -> Image:
        """The image at ``url``, from the cache or upstream; ``FetchError`` if refused."""
        path = self._path(url)
        with self._locks[int(path.name[:8], 16) % len(self._locks)]:
            cached = self._read(path, url)
            if cached is not None:
                return cached
            image = fetch_image(url, self.cfg)
            self._store(path, image.data)
            return image

    def _read(self, path: Path, url: str) -> Image | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        kind = sniff(data)
        if not kind:
            return None
        _touch(path)            # recently served: evicted last
        return Image(data, kind, url)

    def _store(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{threading.get_ident()}")
        temp.write_bytes(data)
        temp.replace(path)
        _touch(path)
        if self.size is None:
            self.size = sum(p.stat().st_size for p in self.root.glob("*/*"))
        else:
            self.size += len(data)
        if self.size > self.limit:
            self._evict()

    def _evict(self) -> None:
        """Oldest-served first, down to nine tenths of the limit."""
        stats = ((p.stat(), p) for p in self.root.glob("*/*"))
        files = sorted(((st.st_mtime_ns, st.st_size, p) for st, p in stats), key=lambda f: f[0])
        total = sum(size for _, size, _ in files)
        for _, size, file in files:
            if total <= self.limit * 0.9:
                break
            file.unlink(missing_ok=True)
            total -= size
        self.size = total


def _touch(path: Path) -> None:
    """Mark as served now, to the nanosecond (file times set by the kernel tick coarsely)."""
    now = time.time_ns()
    os.utime(path, ns=(now, now))
