"""Decide which feeds need rendering, get their entries' contents, render and publish them.

A feed is rendered only when its entries (or their files) changed, its folder moved, or one
of its output files is missing or was altered since feeder wrote it. Contents come from
``bodies``. Every article is rendered inside its own boundary: one whose page or feed entry
cannot be rendered is left out and named, and the rest are published.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feeder import publish
from feeder.codec import node_key, node_path
from feeder.config import Config
from feeder.errors import unexpected
from feeder.filters import CustomFeed
from feeder.index import Index
from feeder.model import CategoryPath, Content, Entry, FeedListing, FeedSpec, OutputFile, Problem
from feeder.pages import NO_PAGES, Page, PagePlan, plan_pages, render_pages
from feeder.render import feed_file, url_for
from feeder.selection import AUTHOR, TAG, feed_spec, feed_title, node_kind, signature
from feeder.slugs import assign_paths
from feeder.workers import mapping

if TYPE_CHECKING:
    from feeder.bodies import Contents

log = logging.getLogger("feeder")


def catalog_files(cfg: Config) -> tuple[str, ...]:
    from feeder.catalog import STYLESHEET
    return ("index.html", "feeds.opml") + ((STYLESHEET,) if cfg.output.stylesheet else ())


@dataclass(frozen=True)
class FeedPlan:
    """Which feeds exist, and which of them, pages and catalog files to render."""

    listings: tuple[FeedListing, ...]             # every feed, for index.html and OPML
    to_render: tuple[tuple[FeedSpec, tuple[str, ...], str], ...]   # spec, digests, signature
    keep: frozenset[str]                          # every output file that should exist
    gone: tuple[str, ...] = field(default=())     # nodes whose feeds disappear
    catalog: bool = True                          # index.html and feeds.opml need rendering
    pages: PagePlan = NO_PAGES                    # planned when anything is published

    @property
    def publishing(self) -> bool:
        return bool(self.to_render or self.catalog or self.gone or self.pages.to_render
                    or self.pages.gone)


def plan_feeds(cfg: Config, db: Index, touched: set[str]) -> FeedPlan:
    """Which feeds exist now, and which of them must be rendered."""
    custom = {feed.key: feed for feed in cfg.feeds}
    # the all-articles feed and the custom feeds exist even when empty
    counts = {"": 0, **dict.fromkeys(custom, 0), **_counts(db, cfg)}
    nodes = {key: node_path(key) for key in counts}
    paths = _paths(nodes, cfg)
    previous = db.feeds()
    outputs = db.outputs()
    listings, to_render, keep = [], [], set(catalog_files(cfg))
    newest: dict[str, list[tuple[Entry, str, bytes]]] = {}
    for key in sorted(counts, key=lambda k: (ORDER[node_kind(nodes[k])], nodes[k])):
        node, path, feed = nodes[key], paths[nodes[key]], custom.get(key)
        limit = _limit(feed, cfg)
        formats = feed.formats if feed and feed.formats else cfg.output.formats
        files = [feed_file(path, fmt) for fmt in formats]
        keep.update(files)
        listings.append(FeedListing(node, feed_title(node, cfg), path,
                                    min(counts[key], limit), formats))
        old = previous.get(key)
        intact = _intact(cfg.output.path, files, outputs)
        aging = bool(feed and feed.since)       # entries leave it with time alone
        if key not in touched and old and old[0] == path and old[1] and intact and not aging:
            continue
        newest[key] = _newest(db, key, feed, cfg)
        spec = feed_spec(node, [entry for entry, _, _ in newest[key]], path, cfg)
        digests = tuple(digest for _, digest, _ in newest[key])
        sig = signature(spec, [version + digest.encode() for _, digest, version in newest[key]])
        if not (old and old[1] == sig and intact):
            to_render.append((spec, digests, sig))
    gone = tuple(key for key in previous if key not in counts)
    catalog = bool(to_render or gone or not _intact(cfg.output.path, catalog_files(cfg),
                                                   outputs))
    plan = FeedPlan(tuple(listings), tuple(to_render), frozenset(keep), gone, catalog)
    if not (cfg.pages.enabled and plan.publishing):
        return plan
    for key in counts.keys() - newest.keys():   # every feed's entries may have a page
        newest[key] = _newest(db, key, custom.get(key), cfg)
    urls = {node_key(f.key): url_for(cfg, feed_file(f.path, f.formats[0])) for f in listings}
    pages = plan_pages((row for rows in newest.values() for row in rows), urls,
                       frozenset(keep), db.pages(),
                       lambda rel: _intact(cfg.output.path, [rel], outputs))
    return dataclasses.replace(plan, keep=plan.keep | pages.keep, pages=pages)


ORDER = {"all": 0, "custom": 1, "category": 2, "tag": 3, "author": 4}


def _counts(db: Index, cfg: Config) -> dict[str, int]:
    """Entries per feed node; tags and authors with fewer than ``[feeds_by] min_entries``
    get no feed."""
    least = cfg.feeds_by.min_entries
    return {key: n for key, n in db.node_counts().items()
            if n >= least or key[:1] not in (TAG, AUTHOR)}


def _paths(nodes: dict[str, CategoryPath], cfg: Config) -> dict[CategoryPath, str]:
    """Each feed's folder: categories under categories/, tags under tags/, authors under
    authors/, custom feeds at their name, all articles at the root."""
    kinds: dict[str, list[CategoryPath]] = {}
    for node in nodes.values():
        kinds.setdefault(node_kind(node), []).append(node)
    paths = assign_paths(kinds.get("category", []), dict(cfg.categories.slugs))
    for kind, root, mark in (("tag", "tags", TAG), ("author", "authors", AUTHOR)):
        named = assign_paths([(n[0][1:],) for n in kinds.get(kind, [])], root=root)
        paths.update({(mark + name[0],): path for name, path in named.items()})
    paths.update({(feed.key,): feed.name for feed in cfg.feeds})
    paths[()] = ""
    return paths


def _limit(feed: CustomFeed | None, cfg: Config) -> int:
    return feed.limit if feed and feed.limit else cfg.output.limit


def _newest(db: Index, key: str, feed: CustomFeed | None, cfg: Config
            ) -> list[tuple[Entry, str, bytes]]:
    """A feed's entries, as ``Index.newest`` gives them, within its limit and age."""
    rows = db.newest(key, _limit(feed, cfg))
    if feed and feed.since:
        cutoff = datetime.now(UTC) - timedelta(seconds=feed.since)
        rows = [row for row in rows if row[0].published >= cutoff]
    return rows


def _intact(root: Path, files: Sequence[str], outputs: dict[str, tuple[int, int]]) -> bool:
    """Every file is where feeder left it, with the size and mtime it had then."""
    for rel in files:
        try:
            st = (root / rel).stat()
        except OSError:
            return False
        if outputs.get(rel) != (st.st_size, st.st_mtime_ns):
            return False
    return True


@dataclass(frozen=True)
class Rendered:
    """What ``render_planned`` did."""

    published: publish.Published
    feeds: int = 0                  # feeds rendered
    pages: int = 0                  # article pages rendered
    failed: tuple[Problem, ...] = ()    # entries that could not be cleaned or rendered
    warned: tuple[Problem, ...] = ()    # warnings about the bodies cleaned
    waiting: frozenset[str] = frozenset()   # nodes of feeds left as they are (an entry's
                                            # body could not be read again)


NOTHING = publish.Published((), (), ())


def render_planned(cfg: Config, db: Index, plan: FeedPlan, dry: bool = False) -> Rendered:
    """Render the planned feeds, pages and catalog, publish them, and record it all: first
    every entry's content (``bodies``), then pages, feeds and catalog in that order. When an
    entry cannot be cleaned, nothing is rendered: the caller skips it and plans again. With
    ``dry``, stop after the contents (``feeder check``)."""
    if not plan.publishing:
        return Rendered(NOTHING)
    specs = [spec for spec, _, _ in plan.to_render]
    catalog: list[OutputFile] = []

    def meanwhile() -> None:
        """This process's share while the workers clean: a cold start's last indexes built,
        the libraries and the page template loaded (before the render workers fork, so they
        inherit them), and the catalog rendered (it needs no contents)."""
        db.finish_indexes()
        if specs and not dry:
            from feeder.render import load_libraries
            load_libraries()
        if plan.pages.to_render and not dry:
            from feeder.templates import renderer
            renderer(cfg, "page.html")
        if not dry:
            catalog.extend(_catalog(plan, cfg))

    from feeder.bodies import contents

    got = contents(cfg, db, [
        (e, d) for spec, digests, _ in plan.to_render
        for e, d in zip(spec.entries, digests, strict=True)] + [
        (page.entry, page.digest) for page in plan.pages.to_render], meanwhile)
    if got.failed or dry:
        db.save_contents(got.fresh)
        return Rendered(NOTHING, failed=got.failed, warned=got.warned)
    # a feed or page holding an entry whose body could not be read again stays as it is
    to_render = [job for job in plan.to_render
                 if not any(e.id in got.unread for e in job[0].entries)]
    waiting = frozenset(node_key(spec.key) for spec, _, _ in plan.to_render) - {
        node_key(spec.key) for spec, _, _ in to_render}
    specs = [spec for spec, _, _ in to_render]
    pages = [p for p in plan.pages.to_render if p.entry.id not in got.unread]
    # the workers are forked: they inherit specs, pages and contents; only job numbers are
    # sent. Pages come first, then the feeds (which link to them), then the catalog (which
    # lists the feeds): what a file links to is written before it. The workers write the
    # pages (a folder each: most of the file system's work); the feeds are written here,
    # each when its turn comes, so after every page's result has arrived. The manifest
    # names every file first, so that a build that dies halfway leaves none unowned
    publish.intend(cfg.output.path, plan.keep)
    jobs = [("pages", n) for n in range(0, len(pages), PAGES_PER_JOB)] + [
        ("feed", n) for n in range(len(specs))]
    failed: list[Problem] = []
    with mapping(_render_job, (cfg, specs, pages, got.by_id), jobs, min_parallel=8,
                 chunksize=1) as rendered:
        db.save_contents(got.fresh)     # while the workers render
        done = publish.publish(cfg.output.path, chain(
            _files(rendered, failed), catalog), plan.keep)
    _record(db, to_render, pages, got, failed, plan)
    db.save_outputs(_stats(cfg.output.path, done.written + done.unchanged), done.removed)
    if to_render:
        db.prune_contents(cfg.output.limit)
    return Rendered(done, len(to_render), len(pages), tuple(failed), got.warned, waiting)


def _files(rendered: Iterable[tuple[list[Any], list[Problem]]], failed: list[Problem]
           ) -> Iterator[OutputFile | publish.Outcome]:
    """The rendered files (or written pages) in job order; the entries that could not be
    rendered go into ``failed``."""
    for files, problems in rendered:
        failed.extend(problems)
        yield from files


def _record(db: Index, to_render: Sequence[tuple[FeedSpec, tuple[str, ...], str]],
            pages: Sequence[Page], got: Contents, failed: Sequence[Problem],
            plan: FeedPlan) -> None:
    """The rendered feeds' and pages' signatures; none where something is missing (an
    image not downloaded, an entry that could not be rendered), so they are rendered again."""
    bad = {p.path for p in failed}
    for spec, digests, sig in to_render:
        retry = any(e.id in got.incomplete or e.source in bad for e in spec.entries)
        db.save_feed(node_key(spec.key), spec.path, spec.title, len(digests),
                     "" if retry else sig)
    db.drop_feeds(plan.gone)
    db.save_pages([(p.path, "" if p.entry.id in got.incomplete or p.entry.source in bad
                    else p.signature) for p in pages], plan.pages.gone)


def _catalog(plan: FeedPlan, cfg: Config) -> Iterator[OutputFile]:
    if plan.catalog:
        from feeder.catalog import render_catalog
        yield from render_catalog(plan.listings, cfg)


PAGES_PER_JOB = 25


def _render_job(shared: tuple[Config, list[FeedSpec], Sequence[Page], dict[str, Content]],
                job: tuple[str, int]) -> tuple[list[Any], list[Problem]]:
    """One feed (all its formats), or ``PAGES_PER_JOB`` pages from the n-th on, written;
    with the entries that could not be rendered (left out, and named)."""
    cfg, specs, pages, contents = shared
    kind, n = job
    if kind == "pages":
        files, failed = render_pages(pages[n:n + PAGES_PER_JOB], contents, cfg)
        return publish.write(cfg.output.path, files), failed
    return _feed_files(specs[n], contents, cfg)


def _feed_files(spec: FeedSpec, contents: dict[str, Content], cfg: Config
                ) -> tuple[list[OutputFile], list[Problem]]:
    """Every format of one feed. Should one entry make feedgen or the JSON writer raise,
    each entry is tried alone, and the feed is written without the ones that fail."""
    from feeder.render import render_feed

    try:
        return render_feed(spec, contents, cfg), []
    except Exception:       # rare: find which entries, then do without them
        log.debug("%s: a feed failed to render", spec.path or "/", exc_info=True)
    failed = []
    for entry in spec.entries:
        try:
            render_feed(dataclasses.replace(spec, entries=(entry,)), contents, cfg)
        except Exception as e:
            failed.append(Problem(entry.source, "error", unexpected("cannot be put in a feed",
                                                                    e)))
    bad = {p.path for p in failed}
    kept = tuple(e for e in spec.entries if e.source not in bad)
    return render_feed(dataclasses.replace(spec, entries=kept), contents, cfg), failed


def _stats(root: Path, rels: Sequence[str]) -> list[tuple[str, int, int]]:
    rows = []
    folder = str(root)
    for rel in rels:    # os.stat on str: a third of Path.stat's cost, 1,300 files a build
        st = os.stat(os.path.join(folder, rel))  # noqa: PTH116, PTH118
        rows.append((rel, st.st_size, st.st_mtime_ns))
    return rows
