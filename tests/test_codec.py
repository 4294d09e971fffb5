"""Entries survive the index's storage format unchanged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from feeder.codec import decode_entry, encode_entry, node_key, node_path
from feeder.model import Author, Entry

MOMENT = datetime(2022, 1, 13, 10, 30, 7, 123456, tzinfo=UTC)


@pytest.mark.parametrize("entry", [
    Entry("urn:uuid:1", "path:a.md", "a.md", "标题“引号”", MOMENT, MOMENT,
          (("新媒体", "观察者网"),), ("tag",), Author("观察者网", "a@b.c", "https://b.c/"),
          "https://x/a/", "https://x/", "summary", "https://i/x.jpg", "zh", "html"),
    Entry("tag:x,2022:1", "id:tag:x,2022:1", "d/b.md", "t", datetime(1, 1, 1, tzinfo=UTC),
          datetime(9999, 12, 31, tzinfo=UTC), (), (), None, "https://x/b/", "https://x/", "",
          "", "", "markdown"),
])
def test_round_trip(entry: Entry) -> None:
    """decode(encode(entry)) is the entry, dates and nested categories included."""
    assert entry == decode_entry(encode_entry(entry), entry.id)


@pytest.mark.parametrize("path", [(), ("A",), ("新媒体", "观察者网", "头条")])
def test_node_keys_round_trip(path: tuple[str, ...]) -> None:
    """A category path and its node key convert both ways."""
    assert path == node_path(node_key(path))
