"""Read article files into index rows: front matter → Entry → the feeds it belongs to.

One file's problems never stop the others: an unreadable or malformed file becomes a row that
records its error. ``read_files`` uses every core when there are many files (a cold start).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from feeder import parse
from feeder.codec import encode_entry, micros
from feeder.config import Config
from feeder.errors import ArticleError, unexpected
from feeder.filters import takes
from feeder.model import Entry, FileRow, RawArticle, SourceFile
from feeder.normalize import normalize
from feeder.scan import RECENT_NS, digest_of
from feeder.selection import memberships
from feeder.text import plain_text
from feeder.workers import parallel_map


def read_file(shared: tuple[Path, Config], source: SourceFile) -> FileRow:
    """One file → its index row (an entry, a draft, or an error).

    The row's version of the file is its size and mtime, or, for a file changed in the
    last moments (``scan.RECENT_NS``), the digest of its bytes. Only the front matter is
    read, except for those recent files."""
    root, cfg = shared
    end: int | None = -1
    try:    # os.open, not open(): three system calls fewer per file on a cold start
        fd = os.open(os.path.join(root, source.rel), os.O_RDONLY)  # noqa: PTH118
        try:
            if source.size < 0:     # listed without a stat (a cold start): the open file's
                st = os.fstat(fd)
                source = SourceFile(source.rel, st.st_size, st.st_mtime_ns)
            limit = cfg.source.max_bytes
            if source.size > limit:
                return _too_big(source, limit)
            recent = source.mtime_ns + RECENT_NS > time.time_ns()
            whole = recent or cfg.reads_text        # keyword filters read bodies
            if whole:
                data = parse.read_all(fd, source.size, limit)
            else:
                data, end = parse.head(fd, source.size, limit)
            if len(data) > limit:       # it grew while it was read
                return _too_big(SourceFile(source.rel, -1, -1), limit)
        finally:
            os.close(fd)
    except OSError as e:
        return FileRow(*source, "", "error", json.dumps([[
            "error", f"cannot read file: {e.strerror or e}", None]]))
    base = (source.rel, source.size, source.mtime_ns)
    digest = digest_of(data) if recent else f"{source.size}:{source.mtime_ns}"
    try:
        return _row(source, digest, data, end if not whole else -1, cfg)
    except ArticleError as e:
        return FileRow(*base, digest, "error", json.dumps([["error", str(e), e.line]]))
    except Exception as e:  # one file's surprise must not stop the others
        message = unexpected("cannot be read", e)
        return FileRow(*base, digest, "error", json.dumps([["error", message, None]]))


def _too_big(source: SourceFile, limit: int) -> FileRow:
    size = f"{source.size / 1e6:.1f} MB" if source.size >= 0 else "growing"
    return FileRow(*source, f"{source.size}:{source.mtime_ns}", "error", json.dumps([[
        "error", f"file is {size}, over the limit of {limit / 1e6:g} MB ([source] "
        "max_bytes); not read", None]]))


def _row(source: SourceFile, digest: str, data: bytes, end: int | None, cfg: Config
         ) -> FileRow:
    """The row of a file read whole (``end`` -1) or up to its front matter's ``end``."""
    encoding = cfg.source.encoding
    raw = (parse.article(source, data, encoding) if end == -1
           else parse.front_matter(source, data, end, encoding))
    entry, notes = normalize(raw, cfg)
    warnings = [*raw.notes, *notes]
    problems = json.dumps([["warning", w, None] for w in warnings]) if warnings else None
    if entry is None:
        return FileRow(*source, digest, "draft", problems)
    nodes = memberships(entry, cfg)
    if cfg.feeds:
        nodes = tuple(sorted({*nodes, *_custom(entry, raw, cfg)}))
    return FileRow(*source, digest, "entry", problems, entry.key, entry.id, encode_entry(entry),
                   micros(entry.published), nodes)


def _custom(entry: Entry, raw: RawArticle, cfg: Config) -> set[str]:
    """The custom feeds (``[[feeds]]``) that take this entry."""
    if not cfg.feeds:
        return set()
    text = ""
    if cfg.reads_text:      # title, summary, body text (bounded)
        text = " ".join((entry.title, entry.description, plain_text(raw.body[:200_000])))
        text = text.casefold()
    return {feed.key for feed in cfg.feeds if takes(feed, entry, text)}


def read_files(root: Path, sources: Sequence[SourceFile], cfg: Config) -> Iterator[FileRow]:
    """Rows for these files, in order; on every core when there are many."""
    return parallel_map(read_file, (root, cfg), sources, chunksize=256)
