"""Entries → the feeds to write: one for all articles and one per category node.

A node's feed holds the articles of its whole subtree, newest first (ties broken by id), at
most ``limit`` of them. Pure: no I/O, no clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime

from feeder.config import Config
from feeder.model import CategoryPath, Entry, FeedSpec
from feeder.normalize import urn_for
from feeder.slugs import assign_paths

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def newest_first(entry: Entry) -> tuple[float, str]:
    """Sort key: newest published first, then by id so equal dates keep one order."""
    return (-entry.published.timestamp(), entry.id)


def unique_ids(entries: Sequence[Entry]) -> tuple[list[Entry], list[tuple[str, str]]]:
    """Give every entry a distinct id: a repeated explicit id falls back to the file's path.

    Returns the entries and (source, message) warnings. ``entries`` are in source order, so
    the first file (by path) keeps the explicit id.
    """
    seen: set[str] = set()
    out: list[Entry] = []
    warnings: list[tuple[str, str]] = []
    for entry in entries:
        if entry.id in seen:
            key = f"path:{entry.source}"
            warnings.append((entry.source, f"id {entry.key!r} is used by another article; "
                                           "using the file path as its id"))
            entry = dataclasses.replace(entry, key=key, id=urn_for(key))
        seen.add(entry.id)
        out.append(entry)
    return out, warnings


def category_nodes(entry: Entry) -> set[CategoryPath]:
    """Every node an entry belongs to: each of its paths and all their ancestors."""
    return {path[:depth] for path in entry.categories for depth in range(1, len(path) + 1)}


def select_feeds(entries: Sequence[Entry], cfg: Config) -> list[FeedSpec]:
    """The all-articles feed first, then one feed per category node in path order."""
    limit = cfg.output.limit
    chosen: dict[CategoryPath, list[Entry]] = {(): []}
    for entry in sorted(entries, key=newest_first):
        for node in category_nodes(entry) | {()}:
            picked = chosen.setdefault(node, [])
            if len(picked) < limit:
                picked.append(entry)
    paths = assign_paths((n for n in chosen if n), dict(cfg.categories.slugs))
    paths[()] = ""
    return [_feed(node, chosen[node], paths[node], cfg) for node in sorted(chosen)]


def _feed(node: CategoryPath, entries: list[Entry], path: str, cfg: Config) -> FeedSpec:
    name = " › ".join(node)
    title = cfg.site.title if not node else cfg.site.feed_title.format(
        site=cfg.site.title, category=name, name=node[-1])
    updated = max((e.updated for e in entries), default=EPOCH)
    return FeedSpec(node, name, title, path, tuple(entries), updated)
