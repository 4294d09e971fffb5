"""Builds over article folders of every shape the issue lists, checked through feedparser."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import feedparser

from feeder.build import build

from .conftest import article, config_of


def rss_titles(path: Path) -> list[str]:
    parsed = feedparser.parse(path.read_bytes())
    assert 0 == parsed.bozo, parsed.get("bozo_exception")
    return [e.title for e in parsed.entries]


def add_config(site: Path, text: str) -> None:
    path = site / "config.toml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_toml_and_json_front_matter_publish(site: Path) -> None:
    """TOML (+++) and JSON front matter are read like YAML."""
    (site / "articles" / "t.md").write_text(
        '+++\ntitle = "From TOML"\ndate = 2022-01-02T03:04:05Z\n+++\n<p>x</p>\n', encoding="utf-8")
    (site / "articles" / "j.md").write_text(
        '{\n"title": "From JSON",\n"date": "2022-01-01"\n}\n<p>x</p>\n', encoding="utf-8")
    report = build(config_of(site))
    assert () == report.reading.skipped
    assert ["From TOML", "From JSON"] == rss_titles(site / "public/rss.xml")


def test_same_leaf_under_two_parents_gets_two_feeds(site: Path) -> None:
    """A/头条 and B/头条 are two feeds, each with its own article."""
    for parent in ("甲", "乙"):
        (site / "articles" / f"{parent}.md").write_text(
            f"---\ntitle: {parent}\ndate: 2022-01-01\ncategories: [{parent}, 头条]\n---\nx\n",
            encoding="utf-8")
    build(config_of(site))
    assert ["甲"] == rss_titles(site / "public/categories/甲/头条/rss.xml")
    assert ["乙"] == rss_titles(site / "public/categories/乙/头条/rss.xml")


def test_list_of_lists_and_siblings_switch(site: Path) -> None:
    """[[A, B], C] gives paths A › B and C; siblings mode makes a flat list separate feeds."""
    (site / "articles" / "a.md").write_text(
        "---\ntitle: x\ndate: 2022-01-01\ncategories: [[A, B], C]\n---\nx\n", encoding="utf-8")
    (site / "articles" / "b.md").write_text(
        "---\ntitle: y\ndate: 2022-01-02\ncategories: [D, E]\n---\nx\n", encoding="utf-8")
    build(config_of(site))
    public = site / "public/categories"
    assert {"a", "a/b", "c", "d", "d/e"} == {
        p.parent.relative_to(public).as_posix() for p in public.rglob("rss.xml")}
    (site / "config.toml").write_text((site / "config.toml").read_text().replace(
        'path = "articles"', 'path = "articles"\ncategory_lists = "siblings"'))
    build(config_of(site))
    assert {"a", "a/b", "c", "d", "e"} == {
        p.parent.relative_to(public).as_posix() for p in public.rglob("rss.xml")}


def test_text_xml_cannot_carry_is_removed(site: Path) -> None:
    """Control characters in title, author, category and body never reach the feeds."""
    (site / "articles" / "c.md").write_text(
        '---\ntitle: "bad\\x01 \\x0btitle"\nauthor: "A\\x08nn"\ndate: 2022-01-01\n'
        'categories: ["ca\\x1ft"]\n---\n<p>body\x0c text\ttab\nline</p>\n', encoding="utf-8")
    report = build(config_of(site))
    assert () == report.reading.skipped
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((site / "public" / name).read_bytes())
        assert 0 == parsed.bozo
        assert "bad title" == parsed.entries[0].title
        assert "Ann" == parsed.entries[0].author
        assert "body text\ttab\nline" in parsed.entries[0].content[0].value
    assert (site / "public/categories/cat/rss.xml").exists()


def test_summary_only_mode(site: Path) -> None:
    """full_content = false: no content:encoded, JSON carries content_text."""
    (site / "articles" / "a.md").write_text(
        article("A", body="<p>Intro words.</p><!-- more --><p>The rest.</p>"), encoding="utf-8")
    add_config(site, "full_content = false\n")
    build(config_of(site))
    rss = (site / "public/rss.xml").read_text(encoding="utf-8")
    assert "content:encoded" not in rss
    assert "<description>Intro words.</description>" in rss
    item = json.loads((site / "public/feed.json").read_bytes())["items"][0]
    assert ("Intro words.", None) == (item["content_text"], item.get("content_html"))


def test_ids_are_unique_when_two_files_claim_one(site: Path) -> None:
    """Two articles with the same explicit id both publish, with distinct ids."""
    for name in ("a", "b"):
        (site / "articles" / f"{name}.md").write_text(
            article(name, extra="id: same\n"), encoding="utf-8")
    report = build(config_of(site))
    ids = [e.id for e in feedparser.parse((site / "public/atom.xml").read_bytes()).entries]
    assert 2 == len(set(ids))
    assert any("is used by another article" in p.message for p in report.reading.problems)


def test_naive_dates_use_the_configured_zone(site: Path) -> None:
    """`2022-01-13 18:30:07` in Asia/Shanghai is 10:30:07 UTC in the feed."""
    (site / "config.toml").write_text((site / "config.toml").read_text().replace(
        'timezone = "UTC"', 'timezone = "Asia/Shanghai"'))
    (site / "articles" / "a.md").write_text(article("A", date="2022-01-13 18:30:07"),
                                            encoding="utf-8")
    build(config_of(site))
    item = json.loads((site / "public/feed.json").read_bytes())["items"][0]
    assert datetime.fromisoformat("2022-01-13T10:30:07+00:00") == datetime.fromisoformat(
        item["date_published"])
    assert "Thu, 13 Jan 2022 10:30:07 +0000" in (site / "public/rss.xml").read_text()


def test_opml_and_index_list_every_feed(seeds_site: Path) -> None:
    """feeds.opml has one outline per feed with xmlUrl = base_url + path; index.html links all."""
    build(config_of(seeds_site))
    public = seeds_site / "public"
    opml = (public / "feeds.opml").read_text(encoding="utf-8")
    index = (public / "index.html").read_text(encoding="utf-8")
    feeds = sorted(p.relative_to(public).as_posix() for p in public.rglob("rss.xml"))
    assert 4 == len(feeds) == opml.count("<outline")
    for rel in feeds:
        parsed = feedparser.parse((public / rel).read_bytes())
        url = next(link.href for link in parsed.feed.links if link.rel == "self")
        assert f'xmlUrl="{url}"' in opml
        assert f'href="{url}"' in index


def test_control_characters_in_urls_never_break_a_feed(site: Path) -> None:
    """A lead image or link with control characters still gives parseable feeds."""
    (site / "articles" / "u.md").write_text(
        '---\ntitle: u\ndate: 2022-01-01\nheadimg: "https://h.example/a\\x01.jpg"\n'
        'link: "https://h.example/p\\x02"\n---\n<p>x</p>\n', encoding="utf-8")
    report = build(config_of(site))
    assert () == report.reading.skipped
    parsed = feedparser.parse((site / "public/atom.xml").read_bytes())
    assert 0 == parsed.bozo
    assert "https://h.example/a.jpg" in parsed.entries[0].content[0].value
