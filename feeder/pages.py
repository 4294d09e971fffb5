"""Article pages: a small HTML page per entry that is in some feed, at its permalink, so an
entry's ``link`` resolves when feeder is the only host.

An entry has a page when ``[pages]`` is on and its link was made from ``[source] permalink``
(``Entry.page``); one whose front matter names its own link or permalink lives elsewhere. A
page is written again only when its signature (its entry, its file, the feeds it links to)
moves, or its file was altered. Planning is pure; rendering uses ``feeder.templates``.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feeder.codec import node_key
from feeder.config import Config
from feeder.errors import TemplateError, unexpected
from feeder.model import CategoryPath, Content, Entry, OutputFile, Problem
from feeder.render import MEDIA_TYPES, feed_file, url_for
from feeder.selection import AUTHOR, TAG

log = logging.getLogger("feeder")
Links = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """An article page to render: where it goes and what it shows."""

    path: str               # below the output folder
    entry: Entry
    digest: str             # of its file's version: the contents cache's key
    links: Links            # the feeds it links to
    signature: str


@dataclass(frozen=True)
class PagePlan:
    """Which article pages exist, which to render and which to remove."""

    keep: frozenset[str]                # every page that should exist
    to_render: tuple[Page, ...]
    gone: tuple[str, ...]               # pages written before, no longer wanted


NO_PAGES = PagePlan(frozenset(), (), ())


def plan_pages(entries: Iterable[tuple[Entry, str, bytes]], feed_urls: Mapping[str, str],
               taken: frozenset[str], previous: Mapping[str, str],
               intact: Callable[[str], bool]) -> PagePlan:
    """The pages of these entries (entry, file digest, version: as ``Index.newest`` gives
    them), given each feed's URL by node key, the output paths the feeds hold, and the
    signatures of the pages written last time."""
    unique = {row[0].source: row for row in entries if row[0].page}  # an entry is in many feeds
    owners: dict[str, tuple[Entry, str, bytes]] = {}
    for source in sorted(unique):
        entry = unique[source][0]
        if entry.page in taken:
            log.warning("%s: no page: %s is one of the feeds' files", source, entry.page)
        elif entry.page in owners:
            log.warning("%s: its page %s is %s's already; its link leads there ([source] "
                        "permalink makes the same path for both)", source, entry.page,
                        owners[entry.page][0].source)
        else:
            owners[entry.page] = unique[source]
    pages = []
    for path, (entry, digest, version) in owners.items():
        links = _links(entry, feed_urls)
        extra = marshal.dumps(links, 2)   # fixed key order; 7 times json.dumps's speed
        sig = hashlib.sha1(version + b"\0" + digest.encode() + b"\0" + extra).hexdigest()
        pages.append(Page(path, entry, digest, links, sig))
    to_render = tuple(p for p in pages if previous.get(p.path) != p.signature
                      or not intact(p.path))
    gone = tuple(sorted(path for path in previous if path not in owners))
    return PagePlan(frozenset(owners), to_render, gone)


def _links(entry: Entry, feed_urls: Mapping[str, str]) -> Links:
    """The feeds a page links to: its category paths node by node, its tags, its author."""
    def crumbs(path: CategoryPath) -> list[dict[str, str]]:
        return [{"name": path[depth - 1], "url": feed_urls.get(node_key(path[:depth]), "")}
                for depth in range(1, len(path) + 1)]

    author = entry.author
    return {
        "categories": [crumbs(path) for path in entry.categories],
        "tags": [{"name": tag, "url": feed_urls.get(TAG + tag, "")} for tag in entry.tags],
        "author": author and {"name": author.name, "url": author.url,
                              "feed": feed_urls.get(AUTHOR + author.name, "")},
    }


def render_pages(pages: Sequence[Page], contents: Mapping[str, Content], cfg: Config
                 ) -> tuple[list[OutputFile], list[Problem]]:
    """The pages' files, and a problem for each entry whose page could not be rendered (a
    template's own error is the config's: ``TemplateError`` stops the build)."""
    from feeder.templates import renderer

    if not pages:
        return [], []
    render = renderer(cfg, "page.html")     # loaded once, filled for every page
    home = url_for(cfg, "")
    feed = {"title": cfg.site.title, "type": MEDIA_TYPES[cfg.output.formats[0]],
            "url": url_for(cfg, feed_file("", cfg.output.formats[0]))}
    files, failed = [], []
    for page in pages:
        entry, content = page.entry, contents[page.entry.id]
        try:
            data = render(site=cfg.site, home=home, feed=feed,
                          entry=_entry(entry, page.links, cfg), content=content.html,
                          summary=content.summary)
        except TemplateError:
            raise
        except Exception as e:  # one page's surprise must not stop the others
            log.debug("%s: page failed", entry.source, exc_info=True)
            failed.append(Problem(entry.source, "error", unexpected("cannot render its page",
                                                                    e)))
            continue
        files.append(OutputFile(page.path, data))
    return files, failed


def _entry(entry: Entry, links: Links, cfg: Config) -> dict[str, Any]:
    zone = cfg.site.timezone

    def when(moment: Any) -> dict[str, str]:
        try:
            local = moment.astimezone(zone)
        except OverflowError:   # the first or last hours of the calendar: shown in UTC
            local = moment
        return {"iso": local.isoformat(), "text": local.strftime("%Y-%m-%d %H:%M")}

    return {"title": entry.title, "link": entry.link, "language": entry.language,
            "published": when(entry.published), "updated": when(entry.updated),
            "image": entry.image, **links}
