"""The image URL policy: what URL a feed shows for an image found in an article.

``direct`` keeps the upstream URL, upgraded to https when configured. ``localize`` points it at
the copy downloaded into the output (``localize``), once there is one. ``proxy`` points it at
feeder's own server (``/img/<signature>/<url>``), which fetches the image without a foreign
``Referer`` (``proxy`` module); the signature is an HMAC of the URL with a secret from
``[images] secret`` or a file generated in the state folder, so the server fetches only URLs
feeder itself wrote. ``content`` only ever calls ``ImagePolicy.image_url``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from typing import Protocol

from feeder.config import Config

SECRET_FILE = "image-secret"


class ImagePolicy(Protocol):
    def image_url(self, url: str) -> str:
        """An absolute image URL → the URL to put in the feed."""


class DirectImages:
    """Upstream URLs as they are, ``http:`` made ``https:`` when ``[images] https`` is on."""

    def __init__(self, upgrade_https: bool) -> None:
        self.upgrade_https = upgrade_https

    def image_url(self, url: str) -> str:
        if self.upgrade_https and url[:7].lower() == "http://":
            return "https://" + url[7:]
        return url


class ProxyImages:
    """``{base_url}img/{signature}/{url, base64url}`` for every http(s) image."""

    def __init__(self, base_url: str, secret: bytes) -> None:
        self.base_url = base_url
        self.secret = secret

    def image_url(self, url: str) -> str:
        if not url.startswith(("http://", "https://")):
            return url
        token = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
        return f"{self.base_url}img/{sign(self.secret, url)}/{token}"


class LocalImages:
    """Downloaded images' URLs in the output (``localize``); others stay as they are and are
    noted in ``wanted`` for the download that follows the cleaning."""

    def __init__(self, base_url: str, mapping: dict[str, str]) -> None:
        self.base_url = base_url
        self.mapping = mapping
        self.wanted: list[str] = []

    def image_url(self, url: str) -> str:
        rel = self.mapping.get(url)
        if rel:
            return self.base_url + rel
        if url.startswith(("http://", "https://")):
            self.wanted.append(url)
        return url


def sign(secret: bytes, url: str) -> str:
    return hmac.new(secret, url.encode(), hashlib.sha256).hexdigest()[:32]


def verify(secret: bytes, signature: str, token: str) -> str | None:
    """The URL a proxy path names, or None when the signature is not feeder's."""
    try:
        url = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return url if hmac.compare_digest(sign(secret, url), signature) else None


def secret_of(cfg: Config) -> bytes:
    """``[images] secret``, else the state folder's secret file (made on first use)."""
    if cfg.images.secret:
        return cfg.images.secret.encode()
    path = cfg.state.path / SECRET_FILE
    try:
        cfg.state.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as file:
        file.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def policy_for(cfg: Config) -> ImagePolicy:
    """The policy ``[images] mode`` asks for."""
    if cfg.images.mode == "proxy":
        return ProxyImages(cfg.site.base_url, secret_of(cfg))
    if cfg.images.mode == "localize":
        from feeder.localize import known
        return LocalImages(cfg.site.base_url, known(cfg))
    return DirectImages(cfg.images.https)
