"""Which feeds an entry belongs to, and what a feed is: pure functions, no I/O, no clock.

An entry belongs to the all-articles feed and to every node of its category paths (a node's
feed holds the articles of its whole subtree). A feed lists its newest ``limit`` entries,
newest first, ties broken by id: the index keeps them in that order.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime

from feeder.codec import node_key
from feeder.config import Config
from feeder.filters import CUSTOM, CustomFeed
from feeder.model import CategoryPath, Entry, FeedSpec

# a feed with no entry must still say when it was updated, and no clock may be read; the
# W3C validator calls any date before 1990 implausible
EMPTY_FEED_UPDATED = datetime(2000, 1, 1, tzinfo=UTC)


def memberships(entry: Entry, cfg: Config) -> tuple[str, ...]:
    """Every feed an entry belongs to, as sorted node keys: all articles (''), each category
    path and its ancestors, and with ``[feeds_by]`` its tags and its author."""
    return _memberships(entry.categories, entry.tags if cfg.feeds_by.tags else (),
                        entry.author.name if cfg.feeds_by.authors and entry.author else None)


@functools.lru_cache(maxsize=4096)      # most articles share their categories
def _memberships(categories: tuple[CategoryPath, ...], tags: tuple[str, ...],
                 author: str | None) -> tuple[str, ...]:
    nodes: set[CategoryPath] = {()}
    for path in categories:
        nodes.update(path[:depth] for depth in range(1, len(path) + 1))
    nodes.update((TAG + tag,) for tag in tags)
    if author is not None:
        nodes.add((AUTHOR + author,))
    return tuple(sorted(node_key(node) for node in nodes))


TAG = "\x1d"            # starts a per-tag feed's node key ([feeds_by] tags)
AUTHOR = "\x1c"         # starts a per-author feed's node key ([feeds_by] authors)


def node_kind(node: CategoryPath) -> str:
    """'all', 'custom', 'tag', 'author' or 'category'."""
    if not node:
        return "all"
    return {CUSTOM: "custom", TAG: "tag", AUTHOR: "author"}.get(node[0][:1], "category")


def node_name(node: CategoryPath) -> str:
    """A feed's short name: its category's last part, '#tag', the author, a custom feed's
    title; 'All articles' for ()."""
    kind = node_kind(node)
    if kind == "all":
        return "All articles"
    if kind == "category":
        return node[-1]
    return ("#" if kind == "tag" else "") + node[0][1:]


def custom_feed(node: CategoryPath, cfg: Config) -> CustomFeed | None:
    """The ``[[feeds]]`` feed a node stands for, if it is one."""
    if node and node[0].startswith(CUSTOM):
        return next((f for f in cfg.feeds if f.key == node[0]), None)
    return None


def feed_title(node: CategoryPath, cfg: Config) -> str:
    if not node:
        return cfg.site.title
    kind = node_kind(node)
    if kind == "custom":
        feed = custom_feed(node, cfg)
        return feed.title if feed else node[0][1:]
    if kind != "category":
        return cfg.site.feed_title.format(site=cfg.site.title, category=node_name(node),
                                          name=node_name(node))
    return cfg.site.feed_title.format(site=cfg.site.title, category=" › ".join(node),
                                      name=node[-1])


def feed_spec(node: CategoryPath, entries: Sequence[Entry], path: str, cfg: Config) -> FeedSpec:
    """The feed of one node, given its entries in feed order."""
    updated = max((e.updated for e in entries), default=EMPTY_FEED_UPDATED)
    custom = custom_feed(node, cfg)
    if custom:
        return FeedSpec(node, custom.name, custom.title, path, tuple(entries), updated,
                        custom.formats, custom.full_content)
    return FeedSpec(node, " › ".join(node), feed_title(node, cfg), path, tuple(entries), updated)


def signature(feed: FeedSpec, versions: Sequence[bytes]) -> str:
    """Changes whenever the feed's bytes could: its title, its folder, or any of its entries
    (``versions``: one value per entry covering its fields and its file's bytes)."""
    digest = hashlib.sha1(json.dumps([feed.title, feed.path]).encode())
    for version in versions:
        digest.update(len(version).to_bytes(8, "big") + version)
    return digest.hexdigest()
