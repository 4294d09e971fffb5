"""The fast YAML path builds exactly what PyYAML's safe loader builds."""

from __future__ import annotations

import pytest
import yaml

from feeder import parse


class Reference(yaml.SafeLoader):
    """PyYAML's own safe loader, with timestamps left as strings like feeder's."""


Reference.yaml_implicit_resolvers = parse._Loader.yaml_implicit_resolvers

DOCUMENTS = [
    "title: x\ncategories:\n - A\n - B\ndate: 2022-01-13 10:30:07\n",
    "title: 42\ncomments: false\npublished: no\nn: ~\nf: 1.5\n",
    "categories: [[A, B], C]\ntags: [a, 1, true]\n",
    "base: &b {name: Ann, email: a@b.c}\nauthor: *b\nsecond: *b\n",
    "<<: {title: merged}\ndate: 2022-01-01\n",
    "? [a, b]\n: complex key\n",
    "1: numeric key\ntitle: t\n",
    "title: !!str 123\nn: !!int '7'\n",
    "title: 'It''s'\nx: |\n  block\n  text\n",
    "a: &x [1, 2]\nb: [*x, *x]\n",
    "- just\n- a list\n",
    "plain scalar\n",
    "",
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_fast_path_equals_pyyaml(text: str) -> None:
    """Every document loads to the same value as with PyYAML's SafeLoader."""
    try:
        expected = yaml.load(text, Loader=Reference)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            yaml.load(text, Loader=parse._Loader)
        return
    assert expected == yaml.load(text, Loader=parse._Loader)


def test_aliases_are_built_once() -> None:
    """A node reached twice through an alias is one object, so alias bombs stay small."""
    loaded = yaml.load("a: &x [1, 2]\nb: *x\nc: *x\n", Loader=parse._Loader)
    assert loaded["a"] is loaded["b"] is loaded["c"]
