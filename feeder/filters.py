"""Custom feeds (``[[feeds]]`` in config): which entries each one takes. Pure, no I/O.

A custom feed takes an entry when every filter it sets agrees:
- ``categories`` (any of these paths, an entry in a sub-category counts), ``all_categories``
  (every one of them), ``tags`` and ``authors`` (any of them, ignoring case);
- ``include`` (any of these matches) and ``exclude`` (none matches), each a keyword (found
  ignoring case) or a ``/regex/``, searched in the title, the summary and the text of the body.

Regexes are compiled when the config is loaded (a bad one is a config error naming the feed and
key) and run with a time limit (the ``regex`` module's ``timeout``), so a pathological pattern
costs at most that per article and counts as no match.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from feeder import values as v
from feeder.model import CategoryPath, Entry
from feeder.slugs import OUTPUT_FILES

log = logging.getLogger("feeder")
CUSTOM = "\x1e"         # starts a custom feed's node key: no category name can hold it
REGEX_SECONDS = 0.05
NAME = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")
RESERVED = ("categories", "tags", "authors", "img", "posts")


@dataclass(frozen=True)
class Matcher:
    """One ``include`` or ``exclude`` term of a custom feed."""

    text: str               # the keyword, lower-cased, or the pattern
    pattern: Any = None     # a compiled ``regex`` pattern, or None for a keyword

    def found(self, haystack: str) -> bool:
        if self.pattern is None:
            return self.text in haystack
        try:
            return self.pattern.search(haystack, timeout=REGEX_SECONDS) is not None
        except TimeoutError:
            log.warning("filter /%s/ gave up after %g s on an article", self.text,
                        REGEX_SECONDS)
            return False


@dataclass(frozen=True)
class CustomFeed:
    """A ``[[feeds]]`` table: a feed of the entries its filters select."""

    name: str                               # its folder below the output
    title: str
    categories: tuple[CategoryPath, ...] = ()
    all_categories: tuple[CategoryPath, ...] = ()
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    include: tuple[Matcher, ...] = ()
    exclude: tuple[Matcher, ...] = ()
    since: float = 0.0                      # seconds; 0: no age limit
    limit: int = 0                          # 0: [output] limit
    formats: tuple[str, ...] = ()           # (): [output] formats
    full_content: bool | None = None        # None: [output] full_content

    @property
    def key(self) -> str:
        return CUSTOM + self.name

    @property
    def reads_text(self) -> bool:
        return bool(self.include or self.exclude)


def takes(feed: CustomFeed, entry: Entry, text: str) -> bool:
    """Whether ``feed`` takes ``entry``; ``text`` is its title, summary and body text,
    lower-cased (only looked at when the feed has keyword filters)."""
    def under(wanted: CategoryPath) -> bool:
        return any(path[:len(wanted)] == wanted for path in entry.categories)

    if feed.categories and not any(under(c) for c in feed.categories):
        return False
    if feed.all_categories and not all(under(c) for c in feed.all_categories):
        return False
    if feed.tags and not {t.casefold() for t in entry.tags} & set(feed.tags):
        return False
    if feed.authors and (entry.author is None or entry.author.name.casefold()
                         not in feed.authors):
        return False
    if feed.include and not any(m.found(text) for m in feed.include):
        return False
    return not any(m.found(text) for m in feed.exclude)


def parse_feeds(raw: Any) -> tuple[CustomFeed, ...]:
    """``[[feeds]]`` tables → custom feeds; ``v.Bad`` names the feed and the key."""
    if isinstance(raw, dict) and "by" in raw:
        raise v.Bad("[[feeds]] tables; per-tag and per-author feeds are switched on in "
                    "[feeds_by] (TOML cannot mix [feeds.by] with [[feeds]])")
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise v.Bad("[[feeds]] tables")
    feeds = tuple(_feed(n, table) for n, table in enumerate(raw))
    names = [f.name for f in feeds]
    if len(set(names)) != len(names):
        raise v.Bad("feeds with distinct names")
    return feeds


CONVERTERS = {
    "name": v.text, "title": v.text, "categories": lambda x: _paths(x),
    "all_categories": lambda x: _paths(x), "tags": lambda x: _lower(x),
    "authors": lambda x: _lower(x), "include": lambda x: _matchers(x),
    "exclude": lambda x: _matchers(x), "since": v.duration, "limit": v.positive_int,
    "formats": v.formats, "full_content": v.boolean,
}


def _feed(n: int, table: dict[str, Any]) -> CustomFeed:
    values: dict[str, Any] = {}
    label = f"feeds[{n}] ({table.get('name', 'no name')!s})"
    for key, raw in table.items():
        if key == "by":
            raise v.Bad(f"{label}: [feeds.by] belongs to this [[feeds]] table in TOML; "
                        "switch per-tag and per-author feeds on in [feeds_by] instead")
        if key not in CONVERTERS:
            raise v.Bad(f"{label}: unknown key {key!r}; known keys: {', '.join(CONVERTERS)}")
        try:
            values[key] = CONVERTERS[key](raw)
        except v.Bad as e:
            raise v.Bad(f"{label}.{key} = {raw!r}: {e}") from e
    name = values.get("name", "")
    if not NAME.fullmatch(name) or name.split("/")[0] in RESERVED:
        raise v.Bad(f"{label}.name: a folder name such as 'tech' or 'news/world' (lower "
                    f"case letters, digits, . _ -), not starting with {', '.join(RESERVED)}")
    clash = OUTPUT_FILES.intersection(name.split("/"))
    if clash:
        raise v.Bad(f"{label}.name: a folder name, not the name of a file feeder writes "
                    f"({', '.join(sorted(clash))}): the feed's files go in that folder")
    values.setdefault("title", name)
    return CustomFeed(**values)


def _paths(raw: Any) -> tuple[CategoryPath, ...]:
    return tuple(tuple(p.strip() for p in path.split("/") if p.strip())
                 for path in v.text_list(raw))


def _lower(raw: Any) -> tuple[str, ...]:
    return tuple(x.strip().casefold() for x in v.text_list(raw))


def _matchers(raw: Any) -> tuple[Matcher, ...]:
    import regex

    matchers = []
    for item in v.text_list(raw):
        if len(item) > 2 and item.startswith("/") and item.endswith("/"):
            try:
                matchers.append(Matcher(item[1:-1], regex.compile(item[1:-1],
                                                                  regex.IGNORECASE)))
            except regex.error as e:
                raise v.Bad(f"a valid regex ({e})") from e
        else:
            matchers.append(Matcher(item.casefold()))
    return tuple(matchers)
