"""End-to-end builds on real files, read back with feedparser."""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest

from feeder.build import build
from feeder.model import Problem

from .conftest import article, config_of

FEED_FILES = ("rss.xml", "atom.xml", "feed.json")


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_seeds_give_one_feed_per_category_node(seeds_site: Path) -> None:
    """The seeds' path 新媒体 › 观察者网 › 头条 gives three category feeds plus the all feed,
    and each article a page."""
    report = build(config_of(seeds_site))
    files = set(outputs(seeds_site / "public"))
    expected_dirs = ["", "categories/新媒体/", "categories/新媒体/观察者网/",
                     "categories/新媒体/观察者网/头条/"]
    assert {d + f for d in expected_dirs for f in FEED_FILES} | {
        "index.html", "feeds.opml", "feed.xsl", ".feeder-manifest",
        "posts/000_ce6e3d70b9a590f6/index.html", "posts/002_73f0574d91f8c962/index.html"} == files
    assert 4 == report.feeds


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml"])
def test_every_xml_feed_parses_cleanly(seeds_site: Path, name: str) -> None:
    """feedparser reads every written XML feed with bozo == 0, newest entry first."""
    build(config_of(seeds_site))
    for path in (seeds_site / "public").rglob(name):
        parsed = feedparser.parse(path.read_bytes())
        assert 0 == parsed.bozo, (path, parsed.get("bozo_exception"))
        assert ["美方书面拒绝“不东扩红线”，德法俄乌巴黎会谈8小时",
                "4小时会谈互不相让，俄罗斯与北约“分歧难弥”"] == [e.title for e in parsed.entries]
        first = parsed.entries[0]
        assert (2022, 1, 28, 10, 30, 43) == tuple(first.published_parsed[:6])
        assert first.id.startswith("urn:uuid:")
        assert first.link == "http://127.0.0.1:8080/posts/002_73f0574d91f8c962/"
        assert "观察者网" == first.author
        assert first.content[0].value.count("<img") >= 1


def test_feed_images_are_absolute_https(seeds_site: Path) -> None:
    """Every <img src> in every feed is an absolute https URL; referrerpolicy is gone."""
    build(config_of(seeds_site))
    doc = json.loads((seeds_site / "public" / "feed.json").read_bytes())
    for item in doc["items"]:
        html = item["content_html"]
        assert "referrerpolicy" not in html and 'width="970px"' not in html
        for src in html.split('src="')[1:]:
            assert src.startswith("https://"), src[:60]
        assert item["image"].startswith("https://i.guancha.cn/")


def test_json_feed_has_the_required_members(seeds_site: Path) -> None:
    """JSON Feed 1.1: version, title, feed_url, items with id, url, content and RFC 3339 dates."""
    build(config_of(seeds_site))
    doc = json.loads((seeds_site / "public/categories/新媒体/观察者网/头条/feed.json").read_bytes())
    assert "https://jsonfeed.org/version/1.1" == doc["version"]
    assert doc["feed_url"].endswith("/categories/%E6%96%B0%E5%AA%92%E4%BD%93/"
                                     "%E8%A7%82%E5%AF%9F%E8%80%85%E7%BD%91/%E5%A4%B4%E6%9D%A1/feed.json")
    assert 2 == len(doc["items"])
    assert "2022-01-28T10:30:43+00:00" == doc["items"][0]["date_published"]


def test_rss_has_self_link_creator_and_rfc822_dates(seeds_site: Path) -> None:
    """RSS carries atom:link rel=self, dc:creator, media:thumbnail and RFC 822 dates."""
    build(config_of(seeds_site))
    rss = (seeds_site / "public/rss.xml").read_text(encoding="utf-8")
    assert '<atom:link href="http://127.0.0.1:8080/rss.xml" rel="self"' in rss
    assert "<dc:creator>观察者网</dc:creator>" in rss
    assert "<media:thumbnail url=\"https://i.guancha.cn/" in rss
    assert "<pubDate>Fri, 28 Jan 2022 10:30:43 +0000</pubDate>" in rss
    assert "<lastBuildDate>Fri, 28 Jan 2022 10:30:43 +0000</lastBuildDate>" in rss


def test_second_build_rewrites_nothing(seeds_site: Path) -> None:
    """Building twice gives byte-identical files and leaves every mtime alone."""
    cfg = config_of(seeds_site)
    build(cfg)
    root = seeds_site / "public"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    os.utime(seeds_site / "articles", None)
    report = build(cfg)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert before == after
    assert () == report.written


def test_editing_text_keeps_the_id(site: Path) -> None:
    """An entry keeps its id when its title, date and body are edited."""
    cfg = config_of(site)
    path = site / "articles" / "a.md"
    path.write_text(article("One", date="2022-01-01"), encoding="utf-8")
    build(cfg)
    first = feedparser.parse((site / "public/atom.xml").read_bytes()).entries[0].id
    path.write_text(article("One, edited", date="2022-02-02", body="<p>new</p>"),
                    encoding="utf-8")
    report = build(cfg)
    second = feedparser.parse((site / "public/atom.xml").read_bytes()).entries[0]
    assert (first, "One, edited") == (second.id, second.title)
    assert "atom.xml" in report.written


BAD_INPUTS = {
    "broken-yaml.md": ("---\ntitle: [unclosed\ndate: 2022-01-01\n---\nbody\n", "bad YAML"),
    "no-front-matter.md": ("just text\n", "no front matter"),
    "no-title.md": ("---\ndate: 2022-01-01\n---\n<p>x</p>\n", "title is missing"),
    "impossible-date.md": ("---\ntitle: x\ndate: 2022-02-30\n---\n<p>x</p>\n", "not a real date"),
    "unclosed.md": ("---\ntitle: x\ndate: 2022-01-01\n<p>x</p>\n", "not closed"),
    "list.md": ("---\n- a\n- b\n---\n<p>x</p>\n", "not a mapping"),
}


def test_bad_articles_are_skipped_and_named(site: Path) -> None:
    """Each bad file is skipped with its reason while the good article still publishes."""
    (site / "articles" / "good.md").write_text(article("Good"), encoding="utf-8")
    for name, (text, _) in BAD_INPUTS.items():
        (site / "articles" / name).write_text(text, encoding="utf-8")
    (site / "articles" / "binary.md").write_bytes(b"\x00\x01\x02---\ntitle: x\n---\n")
    before = {p.name: p.read_bytes() for p in (site / "articles").iterdir()}
    report = build(config_of(site))
    skipped = {p.path: p.message for p in report.reading.skipped}
    for name, (_, reason) in BAD_INPUTS.items():
        assert reason in skipped[name], (name, skipped.get(name))
    assert "binary" in skipped["binary.md"]
    parsed = feedparser.parse((site / "public/rss.xml").read_bytes())
    assert ["Good"] == [e.title for e in parsed.entries]
    assert before == {p.name: p.read_bytes() for p in (site / "articles").iterdir()}


def test_yaml_error_carries_its_line(site: Path) -> None:
    """A YAML error is reported at the line it is on in the file."""
    (site / "articles" / "bad.md").write_text(
        "\n\n---\ntitle: ok\ndate: 2022-01-01\nfoo: [1, 2\n---\nbody\n", encoding="utf-8")
    problem = build(config_of(site)).reading.skipped[0]
    assert ("bad.md", "error") == (problem.path, problem.severity)
    assert problem.line is not None and problem.line >= 6


def test_gb18030_bom_and_crlf_are_read(site: Path) -> None:
    """GB18030 bytes, a UTF-8 BOM and CRLF line ends all publish."""
    text = article("中文标题", body="<p>正文</p>").replace("\n", "\r\n")
    (site / "articles" / "gb.md").write_bytes(text.encode("gb18030"))
    (site / "articles" / "bom.md").write_bytes(b"\xef\xbb\xbf" + article("BOM").encode())
    report = build(config_of(site))
    assert () == report.reading.skipped
    titles = sorted(e.title for e in feedparser.parse(
        (site / "public/rss.xml").read_bytes()).entries)
    assert ["BOM", "中文标题"] == titles


def test_drafts_hidden_files_and_leftovers_are_left_out(site: Path) -> None:
    """Drafts, hidden files, _drafts/, editor leftovers and other extensions never publish."""
    src = site / "articles"
    (src / "pub.md").write_text(article("Published"), encoding="utf-8")
    (src / "draft.md").write_text(article("Draft", extra="draft: true\n"), encoding="utf-8")
    (src / "unpub.md").write_text(article("Unpub", extra="published: false\n"), encoding="utf-8")
    for name in (".hidden.md", "pub.md~", ".#pub.md", "pub.md.swp", "notes.html"):
        (src / name).write_text(article(name), encoding="utf-8")
    (src / "_drafts").mkdir()
    (src / "_drafts" / "d.md").write_text(article("In drafts"), encoding="utf-8")
    report = build(config_of(site))
    assert (3, 2) == (report.reading.files, report.reading.drafts)
    titles = [e.title for e in feedparser.parse((site / "public/rss.xml").read_bytes()).entries]
    assert ["Published"] == titles


def test_missing_date_falls_back_to_mtime_with_a_warning(site: Path) -> None:
    """No date: the file's mtime is the date, and a warning names the file."""
    path = site / "articles" / "nodate.md"
    path.write_text("---\ntitle: No date\n---\n<p>x</p>\n", encoding="utf-8")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    report = build(config_of(site))
    assert Problem("nodate.md", "warning",
                   "no date: using the file's modification time") in report.reading.problems
    entry = feedparser.parse((site / "public/atom.xml").read_bytes()).entries[0]
    assert (2020, 9, 13) == tuple(entry.published_parsed[:3])


def test_a_deleted_category_loses_its_feed(site: Path) -> None:
    """Feeds of a category that no longer exists are removed; other files are never touched."""
    cfg = config_of(site)
    (site / "articles" / "a.md").write_text(article("A"), encoding="utf-8")
    build(cfg)
    (site / "public" / "mine.txt").write_text("user file", encoding="utf-8")
    (site / "articles" / "a.md").unlink()
    report = build(cfg, allow_empty=True)     # the folder is empty now
    assert not (site / "public/categories").exists()
    assert "categories/news/world/rss.xml" in report.removed
    assert (site / "public" / "mine.txt").exists()


def test_markdown_bodies_are_rendered(site: Path) -> None:
    """A Markdown body becomes HTML in the feed, inline HTML kept."""
    (site / "articles" / "md.md").write_text(
        article("MD", body="# Heading\n\nSome *emphasis* and <b>html</b>.\n"), encoding="utf-8")
    build(config_of(site))
    item = json.loads((site / "public/feed.json").read_bytes())["items"][0]
    assert "<h1>Heading</h1>" in item["content_html"]
    assert "<em>emphasis</em>" in item["content_html"]
    assert "<b>html</b>" in item["content_html"]


def test_limit_keeps_the_newest(site: Path) -> None:
    """With limit = 3, each feed holds the three newest entries, ties broken by id."""
    cfg_path = site / "config.toml"
    cfg_path.write_text(cfg_path.read_text() + "limit = 3\n", encoding="utf-8")
    for day in range(1, 8):
        (site / "articles" / f"d{day}.md").write_text(
            article(f"Day {day}", date=f"2022-01-0{day}"), encoding="utf-8")
    build(config_of(site))
    titles = [e.title for e in feedparser.parse((site / "public/rss.xml").read_bytes()).entries]
    assert ["Day 7", "Day 6", "Day 5"] == titles
