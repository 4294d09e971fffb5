"""RSS and Atom read well in a browser: an XSL stylesheet turns them into a page with the
feed's title, its entries and a hint to copy the address into a feed reader."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from lxml import etree

from .processes import feeder_process, free_port, listening, until


def transformed(site: Path, name: str) -> str:
    xsl = etree.XSLT(etree.parse(str(site / "public/feed.xsl")))
    return str(xsl(etree.parse(str(site / "public" / name))))


@pytest.mark.parametrize("name", ["rss.xml", "atom.xml",
                                  "categories/新媒体/观察者网/头条/atom.xml"])
def test_the_stylesheet_shows_title_entries_and_the_address(seeds_site: Path,
                                                            name: str) -> None:
    from feeder.build import build
    from feeder.config import load

    build(load(seeds_site / "config.toml"))
    feed = feedparser.parse((seeds_site / "public" / name).read_bytes())
    page = transformed(seeds_site, name)
    assert feed.feed.title in page
    assert all(entry.title in page for entry in feed.entries) and feed.entries
    assert f"http://127.0.0.1:8080/{quote(name)}" in page
    assert "copy its address" in page


def test_feeds_point_at_the_stylesheet(seeds_site: Path) -> None:
    from feeder.build import build
    from feeder.config import load

    build(load(seeds_site / "config.toml"))
    for name in ("rss.xml", "atom.xml"):
        head = (seeds_site / "public" / name).read_bytes().splitlines()[1]
        assert b'<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:8080/feed.xsl"?>' == head


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_a_browser_shows_the_feed_as_a_page(seeds_site: Path) -> None:
    """Headless Chromium, fetching the feed from `feeder serve`, renders the entries."""
    port = free_port()
    config = seeds_site / "config.toml"
    config.write_text(config.read_text().replace("http://127.0.0.1:8080/",
                                                 f"http://127.0.0.1:{port}/"), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "feeder", "build", "-q"], cwd=seeds_site, check=True)
    with feeder_process(seeds_site, "serve", "--port", str(port)):
        until(listening(port))
        dom = subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
             f"http://127.0.0.1:{port}/rss.xml"], capture_output=True, text=True, timeout=60,
            check=True).stdout
    titles = [e.title for e in feedparser.parse((seeds_site / "public/rss.xml").read_bytes())
              .entries]
    assert 'id="feed-title"' in dom
    assert all(title in dom for title in titles)
    assert f"http://127.0.0.1:{port}/rss.xml" in dom
