"""Tests for ``feeder.normalize``: the per-field functions and ``normalize`` on whole articles."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from feeder import config
from feeder.errors import FieldError
from feeder.model import Author, RawArticle, SourceFile
from feeder.normalize import MAX_DEPTH, author, categories, normalize, tags, title

CFG = config.load(None)
BASE = CFG.site.base_url   # 'http://127.0.0.1:8080/'
MTIME_NS = 1_642_069_807_000_000_000   # 2022-01-13T10:30:07Z
DATED = {"title": "T", "date": "2022-01-13 10:30:07"}


def article(meta: dict[str, Any], body: str = "Text.", rel: str = "2022/foo.md") -> RawArticle:
    """A parsed article as ``parse`` would hand it on."""
    return RawArticle(SourceFile(rel, len(body), MTIME_NS), meta, body, 5)


def entry_of(meta: dict[str, Any], body: str = "Text.", rel: str = "2022/foo.md") -> Any:
    """The entry ``normalize`` makes of one article, warnings dropped."""
    return normalize(article(meta, body, rel), CFG)[0]


@pytest.mark.parametrize(("value", "expected"), [
    ("4小时会谈互不相让，俄罗斯与北约_分歧难弥_", "4小时会谈互不相让，俄罗斯与北约“分歧难弥”"),
    ("美方书面拒绝_不东扩红线_，德法俄乌巴黎会谈8小时",
     "美方书面拒绝“不东扩红线”，德法俄乌巴黎会谈8小时"),
    ("_分歧_与_难弥_", "“分歧”与“难弥”"),
    ("use_the_force", "use_the_force"),
    ("snake_中文_x", "snake_中文_x"),
    ("Tom &amp; Jerry", "Tom & Jerry"),
    ("&lt;b&gt; &#x4e2d;", "<b> 中"),
    ("  a \n\t b  ", "a b"),
    ("a\u00a0b", "a b"),
    ("a\x00b\x0bc\ufffed\ud800e", "abcde"),
    ("e\u0301", "\u00e9"),
    (2022, "2022"),
    (3.5, "3.5"),
])
def test_title_normalises_text(value: Any, expected: str) -> None:
    """Titles are decoded, rewritten, XML-safe and on one line."""
    assert expected == title(value, CFG)


@pytest.mark.parametrize("value", [None, "", "   ", "\x00", "&nbsp;", ["T"], {"t": 1}, True])
def test_title_refuses_missing_or_non_text(value: Any) -> None:
    """A title that is missing, empty or not text raises FieldError."""
    with pytest.raises(FieldError, match="title is"):
        title(value, CFG)


@pytest.mark.parametrize(("value", "expected"), [
    ("[转载] Hello", "Hello"),
    ("[转载]Hello", "Hello"),
    ("Hello [转载]", "Hello [转载]"),
    ("北约_分歧难弥_", "北约_分歧难弥_"),   # the custom list replaces the default rule
])
def test_title_applies_custom_rewrites(value: str, expected: str) -> None:
    """Configured rewrite rules replace the default ones and run on every title."""
    rules = ((re.compile(r"^\[转载\]\s*"), ""),)
    cfg = dataclasses.replace(CFG, titles=dataclasses.replace(CFG.titles, rewrites=rules))
    assert expected == title(value, cfg)


@pytest.mark.parametrize(("value", "lists", "expected"), [
    ("A", "path", (("A",),)),
    ("A", "siblings", (("A",),)),
    (["A", "B", "C"], "path", (("A", "B", "C"),)),
    (["A", "B", "C"], "siblings", (("A",), ("B",), ("C",))),
    ([["A", "B"], "C"], "path", (("A", "B"), ("C",))),
    ([["A", "B"], "C"], "siblings", (("A", "B"), ("C",))),
    ([1, 2.5], "path", (("1", "2.5"),)),
    (5, "path", (("5",),)),
    (["A", "", "B"], "path", (("A", "B"),)),
    (["A", "", "B"], "siblings", (("A",), ("B",))),
    ([None, True, "A"], "path", (("A",),)),
    (["A", " A "], "siblings", (("A",),)),
    ([["A"], ["A"], "A"], "path", (("A",),)),
    ([["A", ["B", "C"]], "D"], "path", (("A", "B", "C"), ("D",))),
    ("  A  ", "path", (("A",),)),
    (None, "path", ()),
    ([], "path", ()),
    ("", "siblings", ()),
    ([[]], "path", ()),
    ([[" ", ""]], "path", ()),
    ({"A": "B"}, "path", ()),
    (True, "path", ()),
    ([str(i) for i in range(MAX_DEPTH + 3)], "path", (tuple(str(i) for i in range(MAX_DEPTH)),)),
])
def test_categories_become_paths(value: Any, lists: str, expected: tuple[Any, ...]) -> None:
    """Hexo category values become de-duplicated tuples of category paths."""
    assert expected == categories(value, lists)


@pytest.mark.parametrize(("value", "expected"), [
    ("a", ("a",)),
    (["a", "b"], ("a", "b")),
    (["b", "a", "b", "a"], ("b", "a")),
    (["a", "A"], ("a", "A")),
    ([1, 2.5], ("1", "2.5")),
    ([["a", "b"], "c"], ("a", "b", "c")),
    ([None, "", " a "], ("a",)),
    (None, ()),
    ("", ()),
    ([True], ()),
    ({"a": 1}, ()),
])
def test_tags_are_flat_unique_names(value: Any, expected: tuple[str, ...]) -> None:
    """Tags become a flat tuple of names in their first-seen order."""
    assert expected == tags(value)


@pytest.mark.parametrize(("value", "expected"), [
    ("Ann", Author("Ann")),
    ({"name": "Ann", "email": "a@x.org", "url": "https://x.org/"},
     Author("Ann", "a@x.org", "https://x.org/")),
    ({"nick": "Ann", "mail": "a@x.org", "link": "http://x.org/"},
     Author("Ann", "a@x.org", "http://x.org/")),
    ({"name": "Ann", "email": "not-an-address"}, Author("Ann")),
    ({"name": "Ann", "url": "ftp://x.org/"}, Author("Ann")),
    ({"name": "Ann", "url": "javascript:alert(1)"}, Author("Ann")),
    ({"name": "Ann", "url": "/about/"}, Author("Ann")),
    ({"email": "a@x.org"}, Author("a@x.org", "a@x.org")),
    (["Ann", "Bob"], Author("Ann")),
    ([{"name": "Ann"}, "Bob"], Author("Ann")),
    (5, Author("5")),
    ("", None),
    (None, None),
    ([], None),
    ({}, None),
    (True, None),
    pytest.param({"name": "Ann", "url": "http://"}, Author("Ann"), id="url-without-host"),
])
def test_author_keeps_usable_parts(value: Any, expected: Author | None) -> None:
    """An author is a name with an optional valid email and http(s) url, or None."""
    assert expected == author(value)


@pytest.mark.parametrize("change", [
    {"title": "Another title"},
    {"date": "2023-05-01"},
    {"tags": ["new"], "categories": ["Moved"]},
    {"description": "Now with a summary"},
])
def test_normalize_keeps_the_id_when_an_article_is_edited(change: dict[str, Any]) -> None:
    """Editing the title, date, fields or body of an article does not change its id."""
    before = entry_of(DATED, body="Old body.")
    after = entry_of({**DATED, **change}, body="New body.")
    assert (before.id, before.key) == (after.id, after.key)


@pytest.mark.parametrize(("meta", "rel", "expected_key"), [
    ({"id": "abc"}, "a.md", "id:abc"),
    ({"abbrlink": "3f2a"}, "a.md", "abbrlink:3f2a"),
    ({"abbrlink": 123}, "a.md", "abbrlink:123"),
    ({"id": "abc", "abbrlink": "3f2a"}, "a.md", "id:abc"),
    ({}, "2022/foo.md", "path:2022/foo.md"),
])
def test_normalize_takes_the_id_key_from_id_abbrlink_or_path(
        meta: dict[str, Any], rel: str, expected_key: str) -> None:
    """The id comes from ``id``, then ``abbrlink``, else the file's path."""
    assert expected_key == entry_of({**DATED, **meta}, rel=rel).key


@pytest.mark.parametrize(("first", "second", "same"), [
    ({"id": "abc"}, {"id": "abc"}, True),
    ({"abbrlink": "3f2a"}, {"abbrlink": "3f2a"}, True),
    ({"abbrlink": "3f2a"}, {"abbrlink": "3f2b"}, False),
    ({"id": "abc"}, {"abbrlink": "abc"}, False),
    ({}, {}, False),   # two files without an id field: the paths differ
])
def test_normalize_gives_equal_ids_for_equal_values(
        first: dict[str, Any], second: dict[str, Any], same: bool) -> None:
    """The same ``id``/``abbrlink`` value in two files gives the same urn:uuid id."""
    a = entry_of({**DATED, **first}, rel="a.md")
    b = entry_of({**DATED, **second}, rel="b.md")
    assert (True, same) == (a.id.startswith("urn:uuid:"), a.id == b.id)


def test_normalize_keeps_an_id_that_is_already_a_uri() -> None:
    """An ``id`` that is already a URI is used as published."""
    assert "https://ex.com/p/1" == entry_of({**DATED, "id": "https://ex.com/p/1"}).id


@pytest.mark.parametrize(("meta", "rel", "expected"), [
    ({"link": "https://other.org/a"}, "a.md", "https://other.org/a"),
    ({"permalink": "2022/01/foo/"}, "a.md", BASE + "2022/01/foo/"),
    ({"permalink": "/2022/01/foo/"}, "a.md", BASE + "2022/01/foo/"),
    ({"permalink": "2022/01/my post/"}, "a.md", BASE + "2022/01/my%20post/"),
    ({"permalink": "https://other.org/p/"}, "a.md", "https://other.org/p/"),
    ({"link": "https://other.org/a", "permalink": "x/"}, "a.md", "https://other.org/a"),
    ({"link": "ftp://other.org/a"}, "a.md", BASE + "posts/a/"),
    ({}, "2022/foo.md", BASE + "posts/2022/foo/"),
    ({}, "dir/a b.md", BASE + "posts/dir/a%20b/"),
    ({"permalink": "../../x/"}, "a.md", BASE + "x/"),
    ({"permalink": "a/./b/../c"}, "a.md", BASE + "a/c"),
    ({"permalink": "../.."}, "a.md", BASE),
    ({"link": "https://other.org/a\r\nb c"}, "a.md", "https://other.org/ab%20c"),
    ({"link": " \thttps://other.org/a\x01 "}, "a.md", "https://other.org/a"),
    ({"link": "http://[::1/x"}, "a.md", BASE + "posts/a/"),
    ({"link": "http://host:99999/x"}, "a.md", BASE + "posts/a/"),
    ({"permalink": 12345}, "a.md", BASE + "12345"),
    ({}, "new\nline.md", BASE + "posts/new-line-2286aa16/"),
    ({}, "evil\u202egpj.md", BASE + "posts/evil-gpj-825bdb94/"),
    ({}, "CON.md", BASE + "posts/CON-7679a072/"),
    ({}, "a\tb/aux.md", BASE + "posts/a-b-89df1bfd/aux-2288e3ab/"),
    ({}, "zero\u200bwidth.md", BASE + "posts/zero-width-b6d6ea91/"),
])
def test_normalize_builds_the_entry_link(meta: dict[str, Any], rel: str, expected: str) -> None:
    """The link is ``link``, else base_url + ``permalink`` (never above it), else base_url +
    'posts/{path}/'; what no URL should hold is removed or encoded, and a file name that
    cannot be a safe path gets a slug with a hash."""
    assert expected == entry_of({**DATED, **meta}, rel=rel).link


@pytest.mark.parametrize(("switches", "expected_none"), [
    ({"published": False}, True),
    ({"draft": True}, True),
    ({"published": True}, False),
    ({"draft": False}, False),
    ({}, False),
])
def test_normalize_skips_drafts(switches: dict[str, Any], expected_none: bool) -> None:
    """``published: false`` or ``draft: true`` gives no entry and no warnings."""
    entry, warnings = normalize(article({**DATED, **switches}), CFG)
    assert (expected_none, []) == (entry is None, warnings)


@pytest.mark.parametrize("meta", [{"title": "T"}, {"title": "T", "date": ""}])
def test_normalize_falls_back_to_mtime_with_a_warning(meta: dict[str, Any]) -> None:
    """Without a date the file's mtime is used and one warning says so."""
    entry, warnings = normalize(article(meta), CFG)
    expected = (datetime(2022, 1, 13, 10, 30, 7, tzinfo=UTC), 1, True)
    assert expected == (entry.published, len(warnings), "no date" in warnings[0])


def test_normalize_refuses_an_impossible_date() -> None:
    """An unreadable date makes the article unusable (FieldError)."""
    with pytest.raises(FieldError, match="not a real date"):
        normalize(article({"title": "T", "date": "2022-02-30"}), CFG)


@pytest.mark.parametrize(("meta", "expected"), [
    ({"headimg": "/img/a.jpg"}, BASE + "img/a.jpg"),
    ({"thumbnail": "https://cdn.example/a.jpg"}, "https://cdn.example/a.jpg"),
    ({"cover": "c.jpg"}, BASE + "posts/2022/foo/c.jpg"),
    ({"image": "http://h.example/i.png"}, "http://h.example/i.png"),
    ({"cover": "https://c.example/c.jpg", "headimg": "https://h.example/h.jpg"},
     "https://h.example/h.jpg"),
    ({"headimg": "javascript:alert(1)", "cover": "https://c.example/c.jpg"},
     "https://c.example/c.jpg"),
    ({"headimg": "   "}, ""),
    ({}, ""),
])
def test_normalize_finds_the_lead_image(meta: dict[str, Any], expected: str) -> None:
    """The lead image is the first usable of headimg/thumbnail/cover/image, made absolute."""
    assert expected == entry_of({**DATED, **meta}).image


@pytest.mark.parametrize(("meta", "expected"), [
    ({"description": "<b>Hi</b> &amp; bye"}, "Hi & bye"),
    ({"excerpt": "An excerpt."}, "An excerpt."),
    ({"description": "First", "excerpt": "Second"}, "First"),
    ({"description": "  "}, ""),
    ({}, ""),
])
def test_normalize_reads_the_description(meta: dict[str, Any], expected: str) -> None:
    """``description`` or ``excerpt`` becomes the entry's plain-text description."""
    assert expected == entry_of({**DATED, **meta}).description


@pytest.mark.parametrize(("body", "expected"), [
    ("<p>Hi</p>", "html"),
    ("\n  <div>Hi</div>", "html"),
    ("# Hi", "markdown"),
    ("Plain text with <b>tags</b> later.", "markdown"),
    ("", "markdown"),
])
def test_normalize_guesses_the_body_format(body: str, expected: str) -> None:
    """A body starting with '<' is HTML; anything else is Markdown."""
    assert expected == entry_of(DATED, body=body).body_format


def test_normalize_fills_every_field() -> None:
    """A full front matter lands in the matching Entry fields."""
    meta = {**DATED, "title": "Tom &amp; Jerry", "categories": ["A", "B"], "tags": ["t", "t"],
            "author": {"name": "Ann"}, "lang": "zh", "updated": "2022-01-14"}
    entry = entry_of(meta)
    expected = ("Tom & Jerry", (("A", "B"),), ("t",), Author("Ann"), "zh",
                datetime(2022, 1, 14, tzinfo=UTC), "2022/foo.md")
    actual = (entry.title, entry.categories, entry.tags, entry.author, entry.language,
              entry.updated, entry.source)
    assert expected == actual
