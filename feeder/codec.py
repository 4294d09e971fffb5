"""How an entry is stored in the index: compact JSON, and feed nodes as single strings.

Pure functions; the round trip ``decode_entry(encode_entry(e), e.id) == e`` holds.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from feeder.model import Author, CategoryPath, Entry

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SEP = "\x1f"    # joins a category path into one node key; never in a (normalised) name


def node_key(path: CategoryPath) -> str:
    return SEP.join(path)


def node_path(key: str) -> CategoryPath:
    return tuple(key.split(SEP)) if key else ()


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def encode_entry(e: Entry) -> str:
    """An entry as compact JSON (a list, in field order)."""
    author = [e.author.name, e.author.email, e.author.url] if e.author else None
    return json.dumps([e.id, e.key, e.source, e.title, micros(e.published), micros(e.updated),
                       e.categories, e.tags, author, e.link, e.base, e.description, e.image,
                       e.language, e.body_format], ensure_ascii=False, separators=(",", ":"))


def decode_entry(data: str, final_id: str) -> Entry:
    (_, key, source, title, published, updated, categories, tags, author, link, base,
     description, image, language, body_format) = json.loads(data)
    return Entry(final_id, key, source, title, EPOCH + timedelta(microseconds=published),
                 EPOCH + timedelta(microseconds=updated),
                 tuple(tuple(p) for p in categories), tuple(tags),
                 Author(*author) if author else None, link, base, description, image,
                 language, body_format)


