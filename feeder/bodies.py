"""The contents of the entries a build renders: from the index's cache (by file digest), else
each body read again and cleaned (``content``), on every core when there are many.

Each entry is cleaned inside its own boundary: an entry whose body cannot be read again (its
file vanished or changed since it was read) waits, with its feeds, for the next build; an
entry whose cleaning raises is named as a problem, and the build goes on without it. With
``[images] mode = "localize"``, the images the cleaned bodies want are downloaded and those
bodies cleaned again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from feeder.config import Config
from feeder.errors import ArticleError, unexpected
from feeder.index import Index
from feeder.model import Content, Entry, Problem, SourceFile
from feeder.workers import mapping

log = logging.getLogger("feeder")
NOTHING = Content("", "", "")


class Cleaned(NamedTuple):
    """One entry's body, cleaned, or why not."""

    content: Content
    unread: str = ""            # why its body could not be read again: it waits
    failed: str = ""            # why it could not be cleaned: it is skipped and named
    images: tuple[str, ...] = ()    # image URLs still to download (localize)
    notes: tuple[str, ...] = ()     # warnings: the body's encoding, a body cut short


@dataclass(frozen=True)
class Contents:
    """The contents of the wanted entries, by entry id, and what could not be had."""

    by_id: dict[str, Content]
    fresh: list[tuple[str, str, str, str]] = field(default_factory=list)  # for the cache
    failed: tuple[Problem, ...] = ()        # entries that could not be cleaned
    warned: tuple[Problem, ...] = ()        # warnings about the bodies cleaned now
    unread: frozenset[str] = frozenset()    # ids of entries whose bodies could not be read
    incomplete: frozenset[str] = frozenset()    # ids whose images localize could not get


def contents(cfg: Config, db: Index, wanted: Sequence[tuple[Entry, str]],
             meanwhile: Callable[[], None]) -> Contents:
    """The content of every wanted (entry, file digest): cached, else cleaned now.
    ``meanwhile`` runs here while the workers clean."""
    from feeder.images import LocalImages, policy_for

    unique = {entry.id: (entry, digest) for entry, digest in wanted}
    cached = db.contents({digest for _, digest in unique.values()})
    by_id = {i: Content(*cached[d]) for i, (_, d) in unique.items() if d in cached}
    missing = [(entry, d) for entry, d in unique.values() if d not in cached]
    if missing:
        from feeder.content import load_libraries
        load_libraries()        # once, before workers fork, instead of once in each
    images = policy_for(cfg)
    with mapping(clean_entry, (cfg.source.path, cfg, images), [e for e, _ in missing],
                 min_parallel=48, chunksize=16) as cleaning:
        meanwhile()
        fresh = list(cleaning)
    incomplete: set[str] = set()
    if isinstance(images, LocalImages) and missing:
        fresh, incomplete = _localize(cfg, images, [e for e, _ in missing], fresh)
    rows, failed, unread = [], [], set()
    warned = [Problem(entry.source, "warning", note)
              for (entry, _), cleaned in zip(missing, fresh, strict=True) for note in cleaned.notes]
    for (entry, version), cleaned in zip(missing, fresh, strict=True):
        if cleaned.failed:
            failed.append(Problem(entry.source, "error", cleaned.failed))
            continue
        if cleaned.unread:
            log.warning("%s: %s", entry.source, cleaned.unread)
            unread.add(entry.id)
            continue
        if entry.id not in incomplete:      # cached under the index's version of the file
            rows.append((version, cleaned.content.html, cleaned.content.summary,
                         cleaned.content.image))
        by_id[entry.id] = cleaned.content
    return Contents(by_id, rows, tuple(failed), tuple(warned), frozenset(unread),
                    frozenset(incomplete))


def _localize(cfg: Config, images: Any, entries: list[Entry], fresh: list[Cleaned]
              ) -> tuple[list[Cleaned], set[str]]:
    """Download the images the cleaned entries want, then clean those entries again."""
    from feeder.localize import download

    failed = download(cfg, {url for cleaned in fresh for url in cleaned.images},
                      images.mapping)
    done, incomplete = [], set()
    for entry, cleaned in zip(entries, fresh, strict=True):
        urls = cleaned.images
        if urls:
            cleaned = clean_entry((cfg.source.path, cfg, images), entry)
        for url in (u for u in urls if u in failed):
            log.warning("%s: image %s not downloaded (%s); its original URL stays until a "
                        "later build gets it", entry.source, url, failed[url])
            incomplete.add(entry.id)
        done.append(cleaned)
    return done, incomplete


def clean_entry(shared: tuple[Path, Config, Any], entry: Entry) -> Cleaned:
    """One entry's body read again and cleaned, or why it could not be."""
    from feeder import parse
    from feeder.content import render_content
    from feeder.limits import within_budget

    root, cfg, images = shared
    if hasattr(images, "wanted"):
        images.wanted = []
    try:
        data = parse.read_bytes(root, SourceFile(entry.source, 0, 0))
    except ArticleError as e:   # vanished since it was read: the next build catches up
        return Cleaned(NOTHING, unread=f"body not read again ({e}); its feeds wait for "
                       "the next build")
    try:
        body, decoding = parse.body(SourceFile(entry.source, 0, 0), data,
                                    cfg.source.encoding, entry.encoding)
        body, cut = within_budget(body, entry.body_format)     # render_content cuts it too
        content = render_content(entry, body, cfg, images)
    except Exception as e:  # one body's surprise must not stop the others
        log.debug("%s: cleaning failed", entry.source, exc_info=True)
        return Cleaned(NOTHING, failed=unexpected("cannot clean the body", e))
    notes = tuple(f"body: {note}" for note in (decoding, cut) if note)
    return Cleaned(content, images=tuple(getattr(images, "wanted", ())), notes=notes)
