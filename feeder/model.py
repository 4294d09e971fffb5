"""The plain values passed between pipeline stages. Frozen: no stage changes another's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

CategoryPath = tuple[str, ...]


class SourceFile(NamedTuple):
    """One article file found by ``scan``: where it is and its stat signature.

    A NamedTuple, not a dataclass: a rescan makes one per file, and at 100,000 files a frozen
    dataclass costs a tenth of the one-second budget of a nothing-changed rebuild.
    """

    rel: str          # path below the source folder, '/'-separated; unique
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class RawArticle:
    """One file split by ``parse``: front matter as loaded, and the body text (only its first
    characters when read by ``parse.front_matter`` for the metadata pass)."""

    source: SourceFile
    meta: dict[str, Any]
    body: str
    body_line: int    # 1-based line where the body starts, for messages
    notes: tuple[str, ...] = ()     # warnings from decoding the file
    encoding: str = ""              # the codec of a file that is not UTF-8 ('' for UTF-8/16)


@dataclass(frozen=True)
class Author:
    """An article's author, or the site's."""

    name: str
    email: str = ""
    url: str = ""


class Entry(NamedTuple):
    """One article's normalised metadata: all that selection and the feeds' headers need.

    A NamedTuple, not a dataclass, like ``SourceFile``: one is made for every file read and
    for every entry taken from the index, and a frozen dataclass's ``__init__`` (one
    ``object.__setattr__`` per field) costs three times as much: 4.2 µs against 1.3 µs."""

    id: str                                 # stable: urn:uuid derived from `key`
    key: str                                # what the id comes from, e.g. 'path:2022/a.md'
    source: str                             # SourceFile.rel
    title: str
    published: datetime                     # aware, UTC
    updated: datetime                       # aware, UTC; >= published is not required
    categories: tuple[CategoryPath, ...]
    tags: tuple[str, ...]
    author: Author | None
    link: str                               # absolute URL
    base: str                               # URL relative body links resolve against
    description: str                        # explicit summary from front matter, '' if none
    image: str                              # lead image, absolute URL or ''
    language: str
    body_format: Literal["html", "markdown"]
    page: str = ""                          # its page's file below the output ('' for none)
    encoding: str = ""                      # the codec the file was read in, if not UTF-8


@dataclass(frozen=True)
class Problem:
    """Something wrong with one file. Errors skip the article; warnings do not."""

    path: str
    severity: Literal["error", "warning"]
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class FeedSpec:
    """One feed to write: which entries, under which path and title."""

    key: CategoryPath       # () is the all-articles feed
    name: str               # display name: '' for all, else the category path joined
    title: str
    path: str               # folder below the output, '' for the root; '/'-separated
    entries: tuple[Entry, ...]
    updated: datetime
    formats: tuple[str, ...] = ()       # a custom feed's own formats: () means [output]'s
    full_content: bool | None = None    # a custom feed's own setting: None means [output]'s


@dataclass(frozen=True)
class FeedListing:
    """What the index page and OPML need of a feed."""

    key: CategoryPath
    title: str
    path: str
    count: int
    formats: tuple[str, ...] = ()       # the formats written for it: () means [output]'s


@dataclass(frozen=True)
class Content:
    """An entry's body made ready for a feed."""

    html: str
    summary: str
    image: str              # lead image after the image policy, '' if none


@dataclass(frozen=True)
class OutputFile:
    """A file to publish: its path below the output folder and its bytes."""

    path: str
    data: bytes


class FileRow(NamedTuple):
    """What reading one file produced, ready to store (built in worker processes; a
    NamedTuple because 100,000 of them cross a process boundary on a cold start)."""

    rel: str
    size: int
    mtime_ns: int
    digest: str
    state: str                  # 'entry' | 'draft' | 'error'
    problems: str | None        # JSON list of [severity, message, line]
    key: str = ""
    own_id: str = ""
    entry: bytes = b""          # encode_entry(...)
    published: int = 0
    nodes: tuple[str, ...] = ()
