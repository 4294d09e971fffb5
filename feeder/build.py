"""One pass of the pipeline: scan → parse → normalize → selection → content → render → publish.

``build`` fixes the order of the stages and returns a report; ``check`` runs the reading half
and returns the problems, so the two never disagree about what is skipped. A bad article is
skipped and named, never fatal. Never imports the daemon, server or CLI.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

from feeder import parse, publish, scan, selection
from feeder.catalog import render_catalog
from feeder.config import Config
from feeder.content import render_content
from feeder.errors import ArticleError
from feeder.images import ImagePolicy, policy_for
from feeder.model import Content, Entry, FeedSpec, OutputFile, Problem, SourceFile
from feeder.normalize import normalize
from feeder.render import render_feed

log = logging.getLogger("feeder")


@dataclass(frozen=True)
class Reading:
    """What the reading half found: usable entries, and every problem by file."""

    files: int
    entries: tuple[Entry, ...]
    drafts: int
    problems: tuple[Problem, ...]

    @property
    def skipped(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class BuildReport:
    reading: Reading
    feeds: int
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    seconds: float


def read_entries(files: list[SourceFile], cfg: Config) -> Reading:
    """Parse and normalise every article file; ids made unique."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    drafts = 0
    for source in files:
        try:
            entry, warnings = normalize(parse.read(source), cfg)
        except ArticleError as e:
            problems.append(Problem(source.rel, "error", str(e), e.line))
            continue
        problems.extend(Problem(source.rel, "warning", w) for w in warnings)
        if entry is None:
            drafts += 1
        else:
            entries.append(entry)
    unique, clashes = selection.unique_ids(entries)
    problems.extend(Problem(rel, "warning", message) for rel, message in clashes)
    return Reading(len(files), tuple(unique), drafts, tuple(problems))


def render_contents(feeds: list[FeedSpec], files: dict[str, SourceFile], cfg: Config,
                    images: ImagePolicy) -> Iterator[tuple[Entry, Content | Problem]]:
    """The content of every entry that appears in a feed, each body read again from disk."""
    seen: set[str] = set()
    for feed in feeds:
        for entry in feed.entries:
            if entry.id in seen:
                continue
            seen.add(entry.id)
            try:
                body = parse.read(files[entry.source]).body
            except ArticleError as e:   # changed or vanished since it was scanned
                yield entry, Problem(entry.source, "warning", f"body not read again: {e}")
                body = ""
            yield entry, render_content(entry, body, cfg, images)


def check(cfg: Config) -> Reading:
    """Read every article as ``build`` would, without writing anything."""
    return read_entries(scan.scan(cfg.source.path, cfg.source.extensions), cfg)


def build(cfg: Config) -> BuildReport:
    """Run every stage once and publish the feeds."""
    started = time.perf_counter()
    sources = scan.scan(cfg.source.path, cfg.source.extensions)
    reading = read_entries(sources, cfg)
    feeds = selection.select_feeds(reading.entries, cfg)
    files = {f.rel: f for f in sources}
    contents: dict[str, Content] = {}
    problems = list(reading.problems)
    for entry, result in render_contents(feeds, files, cfg, policy_for(cfg)):
        if isinstance(result, Problem):
            problems.append(result)
        else:
            contents[entry.id] = result
    outputs: list[OutputFile] = []
    for feed in feeds:
        outputs.extend(render_feed(feed, contents, cfg))
    outputs.extend(render_catalog(feeds, cfg))
    done = publish.publish(cfg.output.path, outputs)
    reading = Reading(reading.files, reading.entries, reading.drafts, tuple(problems))
    return BuildReport(reading, len(feeds), done.written, done.unchanged, done.removed,
                       time.perf_counter() - started)
