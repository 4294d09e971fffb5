"""Fetch one upstream image, safely: the only module that downloads images (httpx).

Only ``http``/``https``; every host (the first and each redirect's, at most 5) is resolved and
refused when any of its addresses is loopback, private, link-local, multicast, reserved or
unspecified, unless ``[images] allow_private``; ``[images] hosts`` / ``deny_hosts`` allow or
refuse hosts by name. No ``Referer`` is sent unless ``[images] referers`` names one for the host
(some hosts want their own site). The body is streamed and refused once it passes ``max_bytes``
or the whole fetch passes ``timeout``; it must be an image by its first bytes, not only by its
``Content-Type``. Every refusal is a ``FetchError`` saying why.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from feeder.config import Config
from feeder.errors import FeederError

MAX_REDIRECTS = 5
USER_AGENT = "feeder (+https://github.com/feeder) image fetcher"
MAGIC = (   # (prefix at offset, media type): SVG is refused, it can carry script
    (0, b"\x89PNG\r\n\x1a\n", "image/png"), (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"), (0, b"GIF89a", "image/gif"), (8, b"WEBP", "image/webp"),
    (4, b"ftypavif", "image/avif"), (0, b"BM", "image/bmp"), (0, b"\x00\x00\x01\x00",
                                                                  "image/x-icon"))


class FetchError(FeederError):
    """An image could not be fetched or was refused; the text says why."""


@dataclass(frozen=True)
class Image:
    """An image fetched from upstream."""

    data: bytes
    media_type: str     # from the bytes' magic
    url: str            # where it finally came from


def sniff(data: bytes) -> str:
    """The image type of these bytes, or '' when they are no image feeder serves."""
    for offset, magic, kind in MAGIC:
        if data[offset:offset + len(magic)] == magic:
            return kind
    return ""


def check_host(url: str, cfg: Config) -> None:
    """Refuse a URL whose scheme or host the settings do not allow (``FetchError``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise FetchError(f"not an http(s) URL: {url[:200]}")
    images = cfg.images
    if host in images.deny_hosts or (images.hosts and host not in images.hosts):
        raise FetchError(f"host {host} is not allowed ([images] hosts / deny_hosts)")
    if images.allow_private:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise FetchError(f"cannot resolve {host}: {e}") from e
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            raise FetchError(f"host {host} resolves to {address}, a non-public address "
                             "(set [images] allow_private = true to allow it)")


def fetch_image(url: str, cfg: Config) -> Image:
    """The image at ``url``, within every limit; ``FetchError`` otherwise."""
    import httpx

    images = cfg.images
    deadline = time.monotonic() + images.timeout
    with httpx.Client(timeout=images.timeout, follow_redirects=False,
                      headers={"User-Agent": USER_AGENT}) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_host(url, cfg)
            headers = {}
            referer = dict(images.referers).get((urlsplit(url).hostname or "").lower())
            if referer:
                headers["Referer"] = referer
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return _read(response, url, images.max_bytes, deadline)
            except httpx.HTTPError as e:
                raise FetchError(f"{url[:200]}: {type(e).__name__}: {e}") from e
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _read(response: object, url: str, limit: int, deadline: float) -> Image:
    import httpx

    assert isinstance(response, httpx.Response)
    if response.status_code != 200:
        raise FetchError(f"{url[:200]}: HTTP {response.status_code}")
    declared = response.headers.get("content-type", "")
    if not declared.lower().startswith("image/"):
        raise FetchError(f"{url[:200]}: not an image (Content-Type {declared[:60]!r})")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise FetchError(f"{url[:200]}: {int(length)} bytes, over [images] max_bytes")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise FetchError(f"{url[:200]}: over [images] max_bytes ({limit} bytes)")
        if time.monotonic() > deadline:
            raise FetchError(f"{url[:200]}: slower than [images] timeout")
        chunks.append(chunk)
    data = b"".join(chunks)
    kind = sniff(data)
    if not kind:
        raise FetchError(f"{url[:200]}: the bytes are not an image (declared {declared[:60]})")
    return Image(data, kind, url)
