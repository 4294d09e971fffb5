"""The image URL policy: what URL a feed shows for an image found in an article.

``direct`` (this version's only mode) keeps the upstream URL, upgraded to https when
configured. The ``proxy`` and ``localize`` modes will be further policies behind the same
``ImagePolicy.image_url`` call, so ``content`` never needs to know which mode is on.
"""

from __future__ import annotations

from typing import Protocol

from feeder.config import Config


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


def policy_for(cfg: Config) -> ImagePolicy:
    """The policy ``[images] mode`` asks for."""
    return DirectImages(cfg.images.https)
