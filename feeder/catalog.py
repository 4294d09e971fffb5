"""The lists of feeds: ``index.html`` (with autodiscovery links) and ``feeds.opml``.

Built from the feeds' specs only; no I/O. Every URL is absolute, from ``base_url``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from feeder.config import Config
from feeder.filters import CUSTOM
from feeder.model import FeedListing, OutputFile
from feeder.render import MEDIA_TYPES, feed_file, url_for

LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
STYLESHEET = "feed.xsl"


def render_catalog(feeds: Sequence[FeedListing], cfg: Config) -> list[OutputFile]:
    """``index.html`` and ``feeds.opml`` for these feeds, and the feeds' stylesheet."""
    files = [OutputFile("index.html", index_html(feeds, cfg)),
             OutputFile("feeds.opml", opml(feeds, cfg))]
    if cfg.output.stylesheet:
        from importlib.resources import files as package_files
        xsl = package_files("feeder").joinpath("assets", STYLESHEET).read_bytes()
        files.append(OutputFile(STYLESHEET, xsl))
    return files


def index_html(feeds: Sequence[FeedListing], cfg: Config) -> bytes:
    esc = html.escape
    site = cfg.site

    def href(f: FeedListing, fmt: str) -> str:
        return esc(url_for(cfg, feed_file(f.path, fmt)))

    head = [f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}" '
            f'title="{esc(f.title)} ({LABELS[fmt]})" href="{href(f, fmt)}">'
            for f in feeds for fmt in f.formats or cfg.output.formats]
    rows = []
    for f in feeds:
        links = " · ".join(f'<a href="{href(f, fmt)}">{LABELS[fmt]}</a>'
                           for fmt in f.formats or cfg.output.formats)
        custom = bool(f.key) and f.key[0].startswith(CUSTOM)
        name = esc(f.title if custom else f.key[-1] if f.key else "All articles")
        depth = 0 if custom else len(f.key)
        rows.append(f'<li class="depth-{depth}"><span class="name">{name}</span> '
                    f'<span class="count">({f.count})</span> {links}</li>')
    page = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(site.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(site.title)}</title>",
        *head,
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "padding:0 1rem}li{margin:.3rem 0}"
        + "".join(f".depth-{d}{{margin-left:{d * 1.2:.1f}rem}}" for d in range(1, 9))
        + ".count{color:#777}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(site.title)}</h1>",
        f"<p>{esc(site.description)}</p>" if site.description else "",
        "<p>Copy a feed's address into your feed reader, or import all of them at once with "
        f'<a href="{esc(url_for(cfg, "feeds.opml"))}">feeds.opml</a>.</p>',
        "<ul>",
        *rows,
        "</ul>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(line for line in page if line) + "\n").encode("utf-8")


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
