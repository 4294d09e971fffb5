"""Category names become safe, distinct folder names whatever the front matter says."""

from __future__ import annotations

import pytest

from feeder.slugs import assign_paths, safe_segment


@pytest.mark.parametrize(("name", "expected"), [
    ("新媒体", "新媒体"),
    ("World News", "world-news"),
    ("a/b", "a-b"),
    ("a\\b", "a-b"),
    ("..", None),
    (".hidden", "hidden"),
    ("%2e%2e", "2e-2e"),
    ("CON", "con_"),
    ("lpt1.txt", "lpt1.txt_"),
    ("rss.xml", "rss.xml_"),
    ("tab\there", "tab-here"),
    ("bell\x07", "bell"),
])
def test_safe_segment(name: str, expected: str | None) -> None:
    """Separators, dot-names, reserved names and control characters never reach the disk."""
    segment = safe_segment(name)
    if expected is not None:
        assert expected == segment
    assert "/" not in segment and "\\" not in segment and segment not in ("", ".", "..")


def test_long_names_are_cut_with_a_hash() -> None:
    """A 300-character name becomes at most 150 bytes, and two such names stay distinct."""
    a, b = safe_segment("长" * 300), safe_segment("长" * 299 + "短")
    assert len(a.encode()) <= 150 and len(b.encode()) <= 150
    assert a != b


def test_nodes_follow_the_tree() -> None:
    """A node's folder is its parent's folder plus its own segment."""
    paths = assign_paths([("新媒体",), ("新媒体", "观察者网"), ("新媒体", "观察者网", "头条")])
    assert {
        ("新媒体",): "categories/新媒体",
        ("新媒体", "观察者网"): "categories/新媒体/观察者网",
        ("新媒体", "观察者网", "头条"): "categories/新媒体/观察者网/头条",
    } == paths


def test_same_leaf_under_two_parents_does_not_collide() -> None:
    """头条 under two sites gives two folders (hexo-feed's bug)."""
    paths = assign_paths([("A",), ("B",), ("A", "头条"), ("B", "头条")])
    assert paths[("A", "头条")] != paths[("B", "头条")]


@pytest.mark.parametrize("names", [
    ("News", "news"), ("NEWS", "News"), ("Cafe\u0301", "Café"), ("a b", "a-b"), ("x/y", "x\\y"),
])
def test_names_that_fold_together_get_distinct_folders(names: tuple[str, str]) -> None:
    """Names equal after case folding or Unicode normalisation still get two folders."""
    paths = assign_paths([(n,) for n in names])
    assert len(set(paths.values())) == len(names)
    assert len({p.casefold() for p in paths.values()}) == len(names)


def test_a_safe_name_keeps_its_folder_when_a_lookalike_appears() -> None:
    """'news' stays at categories/news when 'News' arrives later."""
    assert "categories/news" == assign_paths([("news",)])[("news",)]
    assert "categories/news" == assign_paths([("news",), ("News",)])[("news",)]


def test_chosen_slugs_are_used() -> None:
    """[categories] slugs maps a path or a name to the folder name."""
    paths = assign_paths([("新媒体",), ("新媒体", "观察者网")],
                         {"新媒体": "xinmeiti", "新媒体/观察者网": "guancha"})
    assert "categories/xinmeiti/guancha" == paths[("新媒体", "观察者网")]
