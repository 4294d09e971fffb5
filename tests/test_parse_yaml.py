"""YAML front matter as feeder reads it: YAML 1.2 (Hexo's js-yaml reads it so too), dates left
as text, hostile documents refused with a line instead of eating memory or running code."""

from __future__ import annotations

from typing import Any

import pytest

from feeder import parse
from feeder.errors import FrontMatterError
from feeder.model import SourceFile

SOURCE = SourceFile("a.md", 0, 0)


def meta_of(yaml_text: str) -> dict[str, Any]:
    data = f"---\n{yaml_text}---\nbody\n".encode()
    return parse.front_matter(SOURCE, data).meta


LOADED = [
    ("title: x\ncategories:\n - A\n - B\n", {"title": "x", "categories": ["A", "B"]}),
    ("date: 2022-01-13 10:30:07\nupdated: 2022-01-13\n",
     {"date": "2022-01-13 10:30:07", "updated": "2022-01-13"}),
    ("title: 42\ncomments: false\nn: ~\nf: 1.5\n",
     {"title": 42, "comments": False, "n": None, "f": 1.5}),
    ("published: no\ndraft: yes\n", {"published": "no", "draft": "yes"}),   # YAML 1.2
    ("categories: [[A, B], C]\ntags: [a, 1, true]\n",
     {"categories": [["A", "B"], "C"], "tags": ["a", 1, True]}),
    ("base: &b {name: Ann}\nauthor: *b\n", {"base": {"name": "Ann"}, "author": {"name": "Ann"}}),
    ("title: 'It''s'\nx: |\n  block\n  text\n", {"title": "It's", "x": "block\ntext\n"}),
    ("title: one\ntitle: two\n", {"title": "two"}),                  # the last one wins
    ("title: !custom tagged\n", {"title": "tagged"}),
    # a Python tag never builds an object: refused on a scalar (below), plain data on a list
    ("x: !!python/object/apply:os.system [echo hi]\n", {"x": ["echo hi"]}),
    ("", {}),
    ("# only a comment\n", {}),
]


@pytest.mark.parametrize(("text", "expected"), LOADED)
def test_front_matter_loads_as_yaml_1_2(text: str, expected: dict[str, Any]) -> None:
    assert expected == meta_of(text)


REFUSED = [
    # (front matter, words in the message, line in the file: where YAML found the error,
    # else the block's opening '---')
    ("title: [unclosed\ndate: 2022-01-01\n", "bad YAML", 3),
    ("title: ok\nauthor: 'x\ndate: 1\n", "bad YAML", 4),
    ("title: !!python/object:os.system ls\n", "Invalid tag", 1),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)), "alias", 1),
    ("title: " + "[" * 5000 + "]" * 5000 + "\n", "bad YAML", 2),
    ("- a\n- b\n", "not a mapping", 1),
    ("just text\n", "not a mapping", 1),
]


@pytest.mark.parametrize(("text", "words", "line"), REFUSED)
def test_hostile_or_broken_yaml_is_refused_with_its_line(text: str, words: str,
                                                         line: int) -> None:
    with pytest.raises(FrontMatterError) as caught:
        meta_of(text)
    assert words in str(caught.value)
    assert line == caught.value.line
