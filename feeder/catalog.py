"""The lists of feeds: ``index.html`` (with autodiscovery links) and ``feeds.opml``, and the
feeds' stylesheet ``feed.xsl``.

Built from the feeds' listings and the templates (``feeder.templates``); no other I/O. Every
URL is absolute, from ``base_url``.
"""

from __future__ import annotations

from collections.abc import Sequence

from feeder.config import Config
from feeder.model import FeedListing, OutputFile
from feeder.render import MEDIA_TYPES, feed_file, url_for
from feeder.selection import node_kind, node_name

LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
STYLESHEET = "feed.xsl"


def render_catalog(feeds: Sequence[FeedListing], cfg: Config) -> list[OutputFile]:
    """``index.html`` and ``feeds.opml`` for these feeds, and the feeds' stylesheet."""
    files = [OutputFile("index.html", index_html(feeds, cfg)),
             OutputFile("feeds.opml", opml(feeds, cfg))]
    if cfg.output.stylesheet:
        from feeder.templates import render
        files.append(OutputFile(STYLESHEET, render(cfg, STYLESHEET, site=cfg.site,
                                                   home=url_for(cfg, ""))))
    return files


GROUPS = {"category": "", "custom": "Selected feeds", "tag": "Tags", "author": "Authors"}


def index_html(feeds: Sequence[FeedListing], cfg: Config) -> bytes:
    """The front page, from the ``index.html`` template."""
    from feeder.templates import render

    rows = []
    for f in feeds:
        kind = node_kind(f.key)
        links = [{"label": LABELS[fmt], "type": MEDIA_TYPES[fmt],
                  "url": url_for(cfg, feed_file(f.path, fmt))}
                 for fmt in f.formats or cfg.output.formats]
        name = f.title if kind == "custom" else node_name(f.key)
        rows.append({"title": f.title, "name": name, "count": f.count,
                     "depth": len(f.key) if kind == "category" else 0,
                     "group": "category" if kind == "all" else kind, "links": links})
    return render(cfg, "index.html", site=cfg.site, feeds=rows, groups=GROUPS,
                  opml=url_for(cfg, "feeds.opml"))


def opml(feeds: Sequence[FeedListing], cfg: Config) -> bytes:
    """OPML 2.0, one outline per feed, in its first configured format."""
    import xml.etree.ElementTree as ET

    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = cfg.site.title
    body = ET.SubElement(root, "body")
    for f in feeds:
        fmt = (f.formats or cfg.output.formats)[0]
        ET.SubElement(body, "outline", text=f.title, title=f.title,
                      type="rss", xmlUrl=url_for(cfg, feed_file(f.path, fmt)),
                      htmlUrl=cfg.site.base_url)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")
