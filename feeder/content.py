"""An entry's body → clean HTML for a feed, and its summary.

Runs only for entries that appear in some feed. Markdown bodies are rendered first (HTML
inside passes through). Then one walk over the parsed tree does, element by element: lazy
images resolved (``data-src`` → ``src``), dangerous elements and attributes out, every URL
absolute (images through the image policy); finally the lead image goes first, exactly once.

The tree is lxml's (``lxml.html``), not BeautifulSoup's: BeautifulSoup builds its tree from
the same lxml parser and then costs about 2 ms more per body in Python (measured on the bench
corpus: 2.3 ms against 0.2 ms), which is most of a cold build's budget.

The only module that imports lxml.html and markdown-it, both on first use, so that a build
with nothing to render never pays for them.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from feeder import limits, urls
from feeder.config import Config
from feeder.images import ImagePolicy
from feeder.model import Content, Entry
from feeder.text import safe_char_refs, summarize, xml_safe

MORE = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
MARK = "<feeder-more></feeder-more>"   # stands for <!-- more --> while comments are dropped
DROPPED_TAGS = frozenset((      # with their content
    "script", "style", "object", "applet", "select", "textarea", "frameset", "noscript", "svg",
    "math", "template", "dialog", "portal", "title", "head", "noembed", "noframes"))
PREFORMATTED_TAGS = frozenset(("xmp", "plaintext"))     # raw text to lxml: made a <pre>
UNWRAPPED_TAGS = frozenset((    # void elements lxml may wrap around what follows: kept
    "embed", "meta", "base", "link", "frame", "input", "param", "keygen"))
URL_ATTRS = ("href", "src", "poster", "cite", "action", "background", "longdesc")
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-actualsrc", "data-url")
LAZY_TAGS = frozenset(("img", "source", "video", "audio", "iframe"))
IMAGE_TAGS = frozenset(("img", "source", "video"))
JUNK_ATTRS = frozenset(("referrerpolicy", "target", "loading", "decoding", "srcdoc",
                        "formaction"))
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|gif|jpeg|webp);", re.IGNORECASE)
BAD_STYLE = re.compile(r"expression\s*\(|javascript:|vbscript:|url\s*\(|@import|behavior\s*:",
                       re.IGNORECASE)
SIZE = re.compile(r"^\d{1,5}%?$")
SANITIZER_EXTRA_TAGS = frozenset((
    "iframe", "video", "audio", "source", "picture", "section", "figure", "figcaption", "s",
    "u", "mark", "small", "big"))
SANITIZER_ATTRIBUTES = {
    "*": {"title", "lang", "dir", "style"},
    "a": {"href", "name"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height"},
    "iframe": {"src", "width", "height", "allowfullscreen", "frameborder"},
    "video": {"src", "poster", "controls", "width", "height", "loop", "muted", "preload"},
    "audio": {"src", "controls", "loop", "preload"},
    "source": {"src", "srcset", "sizes", "type", "media"},
    "time": {"datetime"},
}
STYLE_PROPERTIES = frozenset((
    "color", "background-color", "text-align", "text-decoration", "font-weight", "font-style",
    "font-size", "vertical-align", "margin", "margin-left", "margin-right", "padding",
    "width", "max-width", "height", "border", "float", "clear"))


@cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def load_libraries() -> None:
    """Import lxml.html and nh3 now (before worker processes fork, say); markdown-it waits
    for the first Markdown body."""
    import lxml.html  # noqa: F401

    _cleaner()


def render_content(entry: Entry, body: str, cfg: Config, images: ImagePolicy) -> Content:
    """The feed-ready HTML and summary of one entry."""
    body = limits.within_budget(body, entry.body_format)[0]
    markup = _markdown().render(body) if entry.body_format == "markdown" else body
    lead = images.image_url(entry.image) if entry.image else ""
    markup = xml_safe(markup)
    if "&#" in markup:          # what a reference names must be XML-safe too, once decoded
        markup = safe_char_refs(markup)
    if "<!--" in markup:
        markup = MORE.sub(MARK, markup, count=1)
    html = clean_html(markup, entry.base, lead, cfg.content.iframe_hosts, images)
    intro, marked, _ = html.partition(MARK)
    html = sanitize(html.replace(MARK, ""))
    # a summary needs the first few hundred characters of text, not the whole body's
    start = (intro if marked else html)[: cfg.output.summary_length * 20]
    summary = entry.description or summarize(start, cfg.output.summary_length)
    return Content(html, summary, lead)


@cache
def _cleaner() -> Any:
    import nh3

    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    for tag, names in SANITIZER_ATTRIBUTES.items():
        attributes.setdefault(tag, set()).update(names)
    return nh3.Cleaner(
        tags=nh3.ALLOWED_TAGS | SANITIZER_EXTRA_TAGS, clean_content_tags=DROPPED_TAGS,
        attributes=attributes, url_schemes={"http", "https", "mailto", "data"},
        filter_style_properties=STYLE_PROPERTIES, link_rel=None, strip_comments=True)


def sanitize(html: str) -> str:
    """The final allow-list pass, by nh3 (the ammonia sanitizer): whatever the passes before
    it missed, only these tags, attributes, URL schemes and style properties get out (long
    texts in pieces: nh3 escapes one with many '&' in quadratic time)."""
    if len(html) > limits.CHECKED_SIZE and limits.SLOW_ESCAPES.search(html):
        html = limits.cut_long_texts(html)
    return str(_cleaner().clean(html))


def clean_html(markup: str, base: str, lead: str, iframe_hosts: tuple[str, ...],
               images: ImagePolicy) -> str:
    """One pass over the tree of ``markup``; returns the cleaned HTML."""
    from lxml import etree, html

    if (len(markup) > limits.CHECKED_SIZE
            and _parse_events(markup, limits.MostAttributes()) > limits.MAX_ATTRIBUTES):
        # libxml2 adds each attribute at the end of a list it walks: quadratic time
        markup = _parse_events(markup, limits.FewAttributes())
    try:
        root = html.fragment_fromstring(markup, create_parent="div")
    except etree.ParserError:   # nothing but white space, a doctype or the like: no body
        root = html.Element("div")
    doomed = []
    unwrapped = []
    for el in root.iter():
        # not isinstance(tag, str): a comment or processing instruction
        if isinstance(el.tag, str) and el.tag in UNWRAPPED_TAGS:
            unwrapped.append(el)
        elif not isinstance(el.tag, str) or _clean_element(el, base, iframe_hosts, images):
            doomed.append(el)
    joins = limits.Joins()
    for el in doomed:
        limits.drop(el, joins)
    for el in unwrapped:
        if el.getparent() is not None:
            limits.unwrap(el, joins)
    joins.apply()
    if lead:
        _ensure_lead_image(root, lead)
    inner = (root.text or "") + "".join(
        etree.tostring(child, method="html", encoding="unicode") for child in root)
    return inner.strip()


def _parse_events(markup: str, target: Any) -> Any:
    """What parser target ``target`` makes of libxml2's parse of ``markup``, in a body as
    lxml.html puts a fragment (an XML declaration first is not one then)."""
    from lxml import etree

    return etree.fromstring(f"<html><body>{markup}</body></html>",
                            etree.HTMLParser(target=target))


def _clean_element(el: Any, base: str, iframe_hosts: tuple[str, ...],
                   images: ImagePolicy) -> bool:
    """Clean one element in place; True when the whole element must go."""
    tag = el.tag
    if tag in DROPPED_TAGS:
        return True
    if tag in PREFORMATTED_TAGS:
        el.tag = "pre"
    attrs = el.attrib
    if not attrs:               # most elements: nothing to clean (an empty img or iframe goes)
        return tag in ("img", "iframe")
    if tag in LAZY_TAGS:
        lazy = next((attrs[a] for a in LAZY_ATTRS if attrs.get(a)), None)
        if lazy:
            attrs["src"] = lazy
    if attrs.get("data-srcset"):
        attrs["srcset"] = attrs["data-srcset"]
    for name, value in list(attrs.items()):
        if (name.startswith(("on", "data-")) or name in JUNK_ATTRS
                or (name == "style" and BAD_STYLE.search(value))
                or (name in ("width", "height") and not SIZE.match(value.strip()))
                # nh3 escapes each of them in time proportional to the value's length
                or (len(value) > limits.LONG_TEXT
                    and len(limits.SLOW_ESCAPES.findall(value)) > 100)):
            del attrs[name]
    if tag == "iframe" and urls.host(attrs.get("src", "")) not in iframe_hosts:
        return True
    _resolve_urls(attrs, tag in IMAGE_TAGS, base, images)
    return tag == "img" and not attrs.get("src")


def _absolute(url: str, base: str) -> str:
    """An absolute http(s) URL, a safe data: image, a fragment link, or '' (drop it)."""
    url = url.strip()
    if not url or SAFE_DATA_IMAGE.match(url):
        return url
    if url.startswith("//"):
        url = "https:" + url
    absolute = urls.absolute(url, base) if url[:1] != "#" else urls.clean(url)
    return absolute if urls.scheme(absolute) in ("http", "https", "mailto", "") else ""


def _resolve_urls(attrs: Any, is_image: bool, base: str, images: ImagePolicy) -> None:
    """``src``/``href``/``poster``/``srcset`` absolute, images through the image policy,
    ``javascript:`` and every other non-web scheme removed."""
    for name in URL_ATTRS:
        if name in attrs:
            url = _absolute(attrs[name], base)
            if url and is_image and name in ("src", "poster") and url.startswith("http"):
                url = images.image_url(url)
            if url:
                attrs[name] = url
            else:
                del attrs[name]
    if "srcset" in attrs:
        attrs["srcset"] = _srcset(attrs["srcset"], base, images)
        if not attrs["srcset"]:
            del attrs["srcset"]


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


def _text_before(root: Any, target: Any) -> bool:
    """Whether any text but white space comes before ``target`` in document order (what
    ``target.xpath('preceding::text()')`` finds, without XPath's cost)."""
    from lxml import etree

    for event, el in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            if el is target:
                return False
            if el.text and el.text.strip():
                return True
        elif el is not root and el.tail and el.tail.strip():
            return True
    return False


def _ensure_lead_image(root: Any, lead: str) -> None:
    """Put the lead image first, unless the body already opens with it."""
    from lxml import etree, html

    first = next(root.iter("img"), None)
    if first is not None and first.get("src") == lead and not _text_before(root, first):
        return
    paragraph = html.Element("p")
    etree.SubElement(paragraph, "img", src=lead, alt="")
    paragraph.tail = root.text
    root.text = None
    root.insert(0, paragraph)
