"""WebSub publish pings: after a build that changed feeds, tell each hub which feeds changed.

One ``hub.mode=publish`` POST per changed feed and hub, with a timeout and retries on
connection errors. A hub that is down or answers with an error is logged and never fails the
build. The only module besides ``images`` that talks to the network.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from feeder.config import Config
from feeder.render import FILE_NAMES, url_for

log = logging.getLogger("feeder")
FEED_FILES = frozenset(FILE_NAMES.values())


def changed_feeds(cfg: Config, written: Iterable[str]) -> list[str]:
    """The public URLs of the feed files among ``written`` (paths below the output)."""
    return [url_for(cfg, rel) for rel in sorted(written) if rel.rsplit("/", 1)[-1] in FEED_FILES]


def ping(cfg: Config, written: Iterable[str]) -> int:
    """Notify every hub of the changed feeds; returns how many pings a hub accepted."""
    urls = changed_feeds(cfg, written)
    if not (cfg.websub.hubs and urls):
        return 0
    import httpx

    accepted = 0
    transport = httpx.HTTPTransport(retries=2)
    with httpx.Client(timeout=cfg.websub.timeout, transport=transport) as client:
        for hub in cfg.websub.hubs:
            for url in urls:
                try:
                    response = client.post(hub, data={"hub.mode": "publish", "hub.url": url})
                except httpx.HTTPError as e:
                    log.warning("websub: %s: %s; the hub was not told of %s and later ones",
                                hub, e, url)
                    break   # a hub that is down: do not wait out every feed's timeout
                if response.is_success:
                    accepted += 1
                else:
                    log.warning("websub: %s answered %s for %s", hub, response.status_code, url)
    return accepted
