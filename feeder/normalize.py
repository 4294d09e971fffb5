"""Raw front matter → ``Entry``: one small function per field, called in turn by ``normalize``.

Pure: no file or network I/O, no clock (the file's mtime arrives in ``RawArticle.source``).
A field that makes the article unusable raises ``FieldError``; a field that is merely odd is
repaired and reported as a warning.
"""

from __future__ import annotations

import functools
import html
from datetime import UTC, datetime
from typing import Any

from feeder import links, urls
from feeder.config import Config
from feeder.dates import parse_date
from feeder.errors import FieldError
from feeder.ids import urn_for
from feeder.model import Author, CategoryPath, Entry, RawArticle
from feeder.text import one_line, plain_text, shorten

MAX_NAME = 200          # characters in one category or tag name
MAX_DEPTH = 8           # levels in one category path
MAX_PATHS = 20          # category paths of one article (each makes feeds)
MAX_TAGS = 50
MAX_TITLE = 1000
_SCALARS = (str, int, float)    # a tuple: isinstance with ``str | int | float`` is slower
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff "   # zero-width characters that make no title


_Notes = list[str]     # warnings gathered while normalising one article


def is_draft(meta: dict[str, Any]) -> bool:
    """Hexo's switches: ``published: false`` or ``draft: true`` keep an article out. YAML 1.2
    (like Hexo's js-yaml) reads ``no``/``yes`` as text; they are honoured here too."""
    published, draft = meta.get("published"), meta.get("draft")
    return (published is False or draft is True
            or (isinstance(published, str) and published.lower() in ("no", "off", "false"))
            or (isinstance(draft, str) and draft.lower() in ("yes", "on", "true")))


def normalize(raw: RawArticle, cfg: Config) -> tuple[Entry | None, list[str]]:
    """One article's front matter → its ``Entry`` (None for a draft) and warnings."""
    meta = raw.meta
    if is_draft(meta):
        return None, []
    notes: _Notes = []
    published = _date(meta, raw, cfg, notes)
    link, page = links.link(meta, raw.source.rel, published, cfg, notes)
    image = links.lead_image(meta, link)
    key, entry_id = _id(meta, raw.source.rel)
    entry = Entry(
        id=entry_id,
        key=key,
        source=raw.source.rel,
        title=title(meta.get("title"), cfg),
        published=published,
        updated=_updated(meta, published, cfg, notes),
        categories=categories(meta.get("categories"), cfg.source.category_lists, notes),
        tags=tags(meta.get("tags"), notes),
        author=author(meta.get("author"), notes),
        link=link,
        base=links.body_base(meta, image, cfg),
        description=_description(meta, cfg),
        image=image,
        language=_text_field(meta, "lang", "language"),
        body_format=_body_format(raw.body, cfg.source.body),
        page=page,
        encoding=raw.encoding,
    )
    return entry, notes


def title(value: Any, cfg: Config) -> str:
    """A title: text or a number; entities decoded, rewrite rules applied, one line."""
    if type(value) is not str and (isinstance(value, bool) or not isinstance(value, _SCALARS)):
        kind = "missing" if value is None else f"a {type(value).__name__}, not text"
        raise FieldError(f"title is {kind}")
    text = one_line(html.unescape(str(value)))
    if cfg.titles.rewrites:
        for pattern, replacement in cfg.titles.rewrites:
            text = pattern.sub(replacement, text)
        text = one_line(text)
    text = text.strip(INVISIBLE)
    if not text:
        raise FieldError("title is empty")
    return shorten(text, MAX_TITLE)


def _date(meta: dict[str, Any], raw: RawArticle, cfg: Config, notes: _Notes) -> datetime:
    value = meta.get("date")
    if value is None or value == "":
        notes.append("no date: using the file's modification time")
        return datetime.fromtimestamp(raw.source.mtime_ns / 1e9, UTC).replace(microsecond=0)
    try:
        return parse_date(value, cfg.site.timezone)
    except ValueError as e:
        raise FieldError(f"date {e}") from e


def _updated(meta: dict[str, Any], published: datetime, cfg: Config, notes: _Notes) -> datetime:
    for key in ("updated", "modified", "lastmod"):
        if meta.get(key) not in (None, ""):
            try:
                return max(parse_date(meta[key], cfg.site.timezone), published)
            except ValueError as e:
                notes.append(f"{key} {e}; using the date instead")
    return published


def _name(value: Any) -> str:
    """One category or tag name: text or number, one line, bounded length."""
    if value is None:           # the common case: most fields asked for are absent
        return ""
    if type(value) is not str and (isinstance(value, bool) or not isinstance(value, _SCALARS)):
        return ""
    return one_line(str(value))[:MAX_NAME].strip()


def _flat(items: list[Any]) -> list[Any]:
    """Nested lists → one list, in order (without recursion: nesting may be deep)."""
    out: list[Any] = []
    stack = [iter(items)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            out.append(item)
        else:
            stack.pop()
    return out


def categories(value: Any, lists: str, notes: _Notes | None = None) -> tuple[CategoryPath, ...]:
    """Hexo categories → category paths.

    ``'A'`` → (A); ``[A, B]`` → one path A › B (or, with ``lists = 'siblings'``, A and B);
    ``[[A, B], C]`` → A › B and C. Numbers become text; empty names, other types and
    duplicates are dropped; paths deeper than ``MAX_DEPTH`` are cut.
    """
    if value is None or value == "" or value == []:
        return ()
    if type(value) is list and all(type(item) is str for item in value):
        value = tuple(value)        # the common case: most articles share their lists
    if type(value) in (str, tuple):
        paths = _string_paths(value, lists)
        if len(paths) > MAX_PATHS and notes is not None:
            notes.append(f"{len(paths)} category paths; only the first {MAX_PATHS} are kept")
        return paths[:MAX_PATHS]
    return _paths(value, lists, notes)


@functools.lru_cache(maxsize=4096)
def _string_paths(value: str | tuple[str, ...], lists: str) -> tuple[CategoryPath, ...]:
    """``_paths`` of a name or a flat list of names (remembered), before the cut."""
    return _paths(value if isinstance(value, str) else list(value), lists, None, cut=False)


def _paths(value: Any, lists: str, notes: _Notes | None, cut: bool = True
           ) -> tuple[CategoryPath, ...]:
    if isinstance(value, _SCALARS) and not isinstance(value, bool):
        raw_paths: list[list[Any]] = [[value]]
    elif isinstance(value, list):
        nested = any(isinstance(item, list) for item in value)
        if nested or lists == "siblings":
            raw_paths = [_flat(item) if isinstance(item, list) else [item] for item in value]
        else:
            raw_paths = [value]
    else:
        if notes is not None:
            notes.append(f"categories is a {type(value).__name__}; ignored")
        return ()
    paths: list[CategoryPath] = []
    for raw in raw_paths:
        path = tuple(n for n in (_name(v) for v in raw) if n)[:MAX_DEPTH]
        if path and path not in paths:
            paths.append(path)
    if len(paths) > MAX_PATHS and notes is not None:
        notes.append(f"{len(paths)} category paths; only the first {MAX_PATHS} are kept")
    return tuple(paths[:MAX_PATHS] if cut else paths)


def tags(value: Any, notes: _Notes | None = None) -> tuple[str, ...]:
    """Tags: a name or a list of names; flat, de-duplicated, in the given order."""
    if value is None:           # most articles have none
        return ()
    items = [value] if not isinstance(value, list) else _flat(value)
    names = list(dict.fromkeys(n for n in (_name(v) for v in items if v is not None) if n))
    if len(names) > MAX_TAGS and notes is not None:
        notes.append(f"{len(names)} tags; only the first {MAX_TAGS} are kept")
    return tuple(names[:MAX_TAGS])


def author(value: Any, notes: _Notes | None = None) -> Author | None:
    """An author: a name, a mapping with name/email/url (or link), or a list of those (first)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        name = _name(value.get("name") or value.get("nick") or "")
        email = _name(value.get("email") or value.get("mail") or "")
        url = _name(value.get("url") or value.get("link") or "")
        if "@" not in email:
            email = ""
        url = urls.web(url)
        return Author(name or email, email, url) if (name or email) else None
    return _named(value if type(value) is str else _name(value))


@functools.lru_cache(maxsize=4096)      # most articles share their authors
def _named(value: str) -> Author | None:
    name = _name(value)
    return Author(name) if name else None


def _id(meta: dict[str, Any], rel: str) -> tuple[str, str]:
    """(key, id): from ``id``/``abbrlink``/``permalink``, else the path; edits never change it."""
    for field_name in ("id", "abbrlink", "permalink"):
        value = _name(meta.get(field_name))
        if field_name == "permalink":
            value = value.strip("/")
        if value:
            scheme = urls.scheme(value)
            if len(scheme) > 1 and " " not in value:
                return f"{field_name}:{value}", value    # already a URI: keep what was published
            return f"{field_name}:{value}", urn_for(f"{field_name}:{value}")
    return f"path:{rel}", urn_for(f"path:{rel}")


def _description(meta: dict[str, Any], cfg: Config) -> str:
    for key in ("description", "excerpt", "summary"):
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return shorten(plain_text(value), cfg.output.summary_length * 4)
    return ""


def _text_field(meta: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = _name(meta.get(key))
        if value:
            return value
    return ""


def _body_format(body: str, setting: str) -> Any:
    if setting != "auto":
        return setting
    return "html" if body.lstrip().startswith("<") else "markdown"
