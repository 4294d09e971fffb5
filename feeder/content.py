"""An entry's body → clean HTML for a feed, and its summary.

Runs only for entries that appear in some feed. Markdown bodies are rendered first (HTML
inside passes through). Then BeautifulSoup passes, each taking the parsed body and changing
it in place: dangerous elements and attributes out, lazy images resolved, every URL absolute
(images through the image policy), the lead image at the top exactly once.

The only module that imports BeautifulSoup and markdown-it; both are imported on first use so
that a build with nothing to render never pays for them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from feeder.config import Config
from feeder.images import ImagePolicy
from feeder.model import Content, Entry
from feeder.text import plain_text, shorten, xml_safe

MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
MARK = "<feeder-more></feeder-more>"   # stands for <!-- more --> while comments are dropped
DROPPED_TAGS = ("script", "style", "object", "embed", "applet", "form", "input", "button",
                "select", "textarea", "meta", "base", "link", "frame", "frameset", "noscript",
                "svg", "math", "template", "dialog", "portal")
URL_ATTRS = ("href", "src", "poster", "cite", "action", "background", "longdesc")
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url")
JUNK_ATTRS = ("referrerpolicy", "target", "loading", "decoding", "srcdoc", "formaction")
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpeg|webp);", re.IGNORECASE)
BAD_STYLE = re.compile(r"expression\s*\(|javascript:|vbscript:|url\s*\(|@import|behavior\s*:",
                       re.IGNORECASE)
SIZE = re.compile(r"^\d{1,5}%?$")


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_content(entry: Entry, body: str, cfg: Config, images: ImagePolicy) -> Content:
    """The feed-ready HTML and summary of one entry."""
    from bs4 import BeautifulSoup

    markup = _markdown().render(body) if entry.body_format == "markdown" else body
    soup = BeautifulSoup(MORE.sub(MARK, markup, count=1), "lxml")
    root = soup.body or soup
    promote_lazy(root)
    drop_unsafe(root, cfg.content.iframe_hosts)
    resolve_urls(root, entry.base, images)
    lead = images.image_url(entry.image) if entry.image else ""
    if lead:
        ensure_lead_image(soup, root, lead)
    html = xml_safe(root.decode_contents().strip())
    intro, marked, _ = html.partition(MARK)
    html = html.replace(MARK, "")
    summary = entry.description or shorten(plain_text(intro if marked else html),
                                           cfg.output.summary_length)
    return Content(html, summary, lead)


def promote_lazy(root: Any) -> None:
    """Lazy-loading attributes (``data-src``, ``data-original``, …) become ``src``/``srcset``;
    every other ``data-*`` attribute goes. Runs first, so later passes see the real URLs."""
    for tag in root.find_all(True):
        lazy = next((tag.attrs[a] for a in LAZY_ATTRS if tag.get(a)), None)
        if lazy and tag.name in ("img", "source", "video", "audio", "iframe"):
            tag["src"] = lazy
        if tag.get("data-srcset"):
            tag["srcset"] = tag["data-srcset"]
        for name in [a for a in tag.attrs if a.startswith("data-")]:
            del tag.attrs[name]


def drop_unsafe(root: Any, iframe_hosts: tuple[str, ...]) -> None:
    """Remove scripts, plugins, forms, comments, event handlers and dangerous styles/URLs."""
    from bs4 import Comment, Declaration, Doctype, ProcessingInstruction

    for node in root.find_all(string=lambda s: isinstance(
            s, Comment | Declaration | Doctype | ProcessingInstruction)):
        node.extract()
    for tag in root.find_all(DROPPED_TAGS):
        tag.decompose()
    for frame in root.find_all("iframe"):
        host = urlsplit(urljoin("https:", str(frame.get("src", "")))).hostname or ""
        if host not in iframe_hosts:
            frame.decompose()
    for tag in root.find_all(True):
        for name in list(tag.attrs):
            value = tag.attrs[name]
            if (name.startswith("on") or name in JUNK_ATTRS
                    or (name == "style" and BAD_STYLE.search(str(value)))
                    or (name in ("width", "height") and not SIZE.match(str(value).strip()))):
                del tag.attrs[name]


def _absolute(url: str, base: str) -> str:
    """An absolute http(s) URL, a safe data: image, a fragment link, or '' (drop it)."""
    url = url.strip()
    if not url:
        return ""
    if url.startswith("#"):
        return url
    if SAFE_DATA_IMAGE.match(url):
        return url
    if url.startswith("//"):
        url = "https:" + url
    absolute = urljoin(base, url)
    return absolute if urlsplit(absolute).scheme in ("http", "https", "mailto") else ""


def resolve_urls(root: Any, base: str, images: ImagePolicy) -> None:
    """``src``/``href``/``poster``/``srcset`` made absolute; images passed through the image
    policy; ``javascript:`` and every other non-web scheme removed."""
    for tag in root.find_all(True):
        is_image = tag.name in ("img", "source") or tag.name == "video"
        for name in URL_ATTRS:
            if name in tag.attrs:
                url = _absolute(str(tag[name]), base)
                if url and is_image and name in ("src", "poster") and url.startswith("http"):
                    url = images.image_url(url)
                if url:
                    tag[name] = url
                else:
                    del tag.attrs[name]
        if "srcset" in tag.attrs:
            tag["srcset"] = _srcset(str(tag["srcset"]), base, images)
    for img in root.find_all("img"):
        if not img.get("src"):
            img.decompose()


def _srcset(value: str, base: str, images: ImagePolicy) -> str:
    out = []
    for candidate in value.split(","):
        parts = candidate.split()
        if not parts:
            continue
        url = _absolute(parts[0], base)
        if url.startswith("http"):
            out.append(" ".join([images.image_url(url), *parts[1:]]))
    return ", ".join(out)


def ensure_lead_image(soup: Any, root: Any, lead: str) -> None:
    """Put the lead image first, unless the body already opens with it."""
    first = root.find("img")
    if first is not None and first.get("src") == lead and not any(
            s.strip() for s in first.find_all_previous(string=True)):
        return
    paragraph = soup.new_tag("p")
    paragraph.append(soup.new_tag("img", src=lead, alt=""))
    root.insert(0, paragraph)
