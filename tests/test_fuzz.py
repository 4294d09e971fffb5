"""Fuzzing where third-party parsers meet our data: whatever front matter, HTML, bytes or file
names come in, feeder either names the problem or writes feeds that strict XML parsers,
feedparser and JSON accept, with no script in them; the body cleaner never raises and never
lets out a character XML cannot carry; a whole folder with hostile articles among good ones
builds without an exception, publishes every good one, and writes only safe paths and URLs.

The default test run tries a few hundred inputs; ``python -m tests.fuzz --minutes 10`` keeps
going for as long as asked (see the README).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeder.config import Config
from feeder.content import render_content
from feeder.errors import ArticleError
from feeder.images import policy_for
from feeder.model import Entry, FeedSpec, SourceFile
from feeder.normalize import normalize
from feeder.parse import front_matter
from feeder.render import render_feed
from feeder.selection import feed_spec

CFG = Config()
TRIED: Counter[str] = Counter()     # inputs tried, by check (``python -m tests.fuzz`` reports)
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM_CONTENT = "{http://www.w3.org/2005/Atom}content"
SOURCE = SourceFile("fuzz/article.md", 100, 1_600_000_000_000_000_000)
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NASTY = st.sampled_from([
    "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800", "\udfff",
    "\u200b", "\ufeff", "]]>", "<![CDATA[", "-->", "&", "&amp;", "&#0;", "&#xD800;", "<", ">",
    "'", '"', "\\", "\t", "\r\n", "\r", " ", "_", "“", "中文", "..", "/", "%2e%2e", "javascript:",
    "---", "+++", "{", "}", "[", "]", ":", "- ", "*a", "&a", "!!python/object:x", "~", "null",
    "2022-02-30", "9999-12-31", "0001-01-01", "1e309", "-1", "yes", "NaN"])
# character references, which HTML parsers decode into any code point, XML-legal or not
CODE_POINTS = st.one_of(st.sampled_from([0, 1, 8, 0xB, 0x1B, 0x1F, 0x7F, 0x80, 0x81, 0x9F,
                                         0xD800, 0xDFFF, 0xFDD0, 0xFFFE, 0xFFFF, 0x10FFFF,
                                         0x110000, 10**12]),
                        st.integers(0, 0x11FFFF))
CHAR_REF = st.builds(lambda n, style: style.format(n), CODE_POINTS,
                     st.sampled_from(["&#{};", "&#x{:x};", "&#X{:X}", "&#{}", "&#0000{};"]))
ANY_CHAR = st.characters(exclude_categories=())    # controls, surrogates, non-characters
TEXT = st.lists(st.one_of(NASTY, CHAR_REF, st.text(max_size=8),
                          st.text(ANY_CHAR, max_size=4)), max_size=8).map("".join)
SCALAR = st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none())
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)
FIELDS = st.sampled_from(["title", "date", "updated", "categories", "tags", "author", "id",
                          "permalink", "link", "headimg", "thumbnail", "description", "lang",
                          "published", "draft", "abbrlink", "excerpt"])
META = st.dictionaries(FIELDS, VALUE, max_size=10).map(
    lambda m: {"title": "fuzz", **m} if "title" not in m else m)

TAGS = ["p", "div", "a", "img", "script", "style", "iframe", "svg", "math", "object", "embed",
        "form", "input", "meta", "base", "link", "table", "td", "video", "source", "b", "i",
        "template", "noscript", "title", "textarea", "picture", "span"]
ATTRS = ["src", "href", "data-src", "srcset", "data-srcset", "onerror", "onclick", "style",
         "width", "height", "referrerpolicy", "poster", "xlink:href", "action", "formaction",
         "http-equiv", "content", "class", "id", "srcdoc"]
URLS = ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html,<b>",
        "data:image/png;base64,AAAA", "//cdn.example/x.png", "/rel/x.jpg", "x.jpg",
        "http://a.example/x.jpg", "https://a.example/y.jpg 2x, javascript:z 1x", "",
        "expression(alert(1))", "url(javascript:a)", "#frag", "mailto:a@b.c",
        "//[::1/x", "http://[::1", "http://[::1]:99999/a", "http://h:port/", "http://a]/",
        "http://a.example/&#1;x", "java\nscript:x", "http://a.example/a b\r\nc",
        "../../../../x", "http://[fe80::1%25eth0]/", "https://%zz/", "\x01http://a.example/"]
ATTR = st.tuples(st.sampled_from(ATTRS), st.one_of(st.sampled_from(URLS), TEXT))
OPEN = st.builds(lambda tag, attrs: f"<{tag}" + "".join(
    f' {name}="{value.replace(chr(34), "&quot;")}"' for name, value in attrs) + ">",
    st.sampled_from(TAGS), st.lists(ATTR, max_size=3))
CLOSE = st.sampled_from(TAGS).map(lambda tag: f"</{tag}>")
HTML = st.lists(st.one_of(OPEN, CLOSE, TEXT, st.sampled_from(["<!--", "<!-- more -->"])),
                max_size=30).map("".join)
# what must never get out: active elements, event handlers, script URLs, script in styles
ACTIVE = {"script", "iframe", "object", "embed", "form", "svg", "math", "style", "base", "meta",
          "link", "template", "frame", "applet"}
URL_ATTRS = {"href", "src", "poster", "action", "cite", "background", "xlink:href"}
BAD_URL = re.compile(r"^\s*(?:javascript|vbscript|data:text)", re.IGNORECASE)


def assert_inert(markup: str) -> None:
    """Parsed as a reader's browser would parse it, the HTML holds nothing that runs."""
    if not markup.strip():
        return
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in ACTIVE, markup
        for name, value in el.attrib.items():
            assert not name.startswith("on") and name not in ("srcdoc", "formaction"), markup
            if name in URL_ATTRS:
                assert not BAD_URL.match(value), markup
            if name == "srcset":
                assert not any(BAD_URL.match(c) for c in value.split(",")), markup
            if name == "style":
                assert not re.search(r"expression\(|url\(", value, re.IGNORECASE), markup


def publish(meta_text: str, body: str) -> list[bytes]:
    """One article through parse, normalize, content and render; its feed files' bytes."""
    data = f"---\n{meta_text}\n---\n{body}".encode("utf-8", "surrogatepass")
    try:
        raw = front_matter(SOURCE, data)
        entry, _ = normalize(raw, CFG)
    except ArticleError:
        return []
    if entry is None:
        return []
    content = render_content(entry, body, CFG, policy_for(CFG))
    spec: FeedSpec = feed_spec((), [entry], "", CFG)
    return [f.data for f in render_feed(spec, {entry.id: content}, CFG)]


def assert_valid(files: list[bytes]) -> None:
    for data in files:
        text = data.decode("utf-8")
        assert not XML_ILLEGAL.search(text)
        if text.startswith("<?xml"):
            tree = etree.fromstring(data, etree.XMLParser(recover=False))
            assert 0 == feedparser.parse(data).bozo
            html = [el.text or "" for el in tree.iter(CONTENT, ATOM_CONTENT)]
        else:
            html = [item.get("content_html", "") for item in json.loads(text)["items"]]
        for markup in html:
            assert_inert(markup)


def check_front_matter(meta: dict[str, Any]) -> None:
    TRIED["check_front_matter"] += 1
    assert_valid(publish(yaml.safe_dump(meta, allow_unicode=True), "<p>body</p>"))


def check_raw_front_matter(meta_text: str) -> None:
    TRIED["check_raw_front_matter"] += 1
    assert_valid(publish(meta_text, "<p>body</p>"))


def check_html(body: str) -> None:
    TRIED["check_html"] += 1
    assert_valid(publish("title: fuzz\ndate: 2022-01-13", body))


ENTRY = Entry("urn:x", "path:a.md", "a.md", "T", datetime(2022, 1, 1, tzinfo=UTC),
              datetime(2022, 1, 1, tzinfo=UTC), (), (), None, "https://site.example/a/",
              "https://site.example/", "", "", "", "html")
BODY = st.one_of(HTML, TEXT, st.text(ANY_CHAR, max_size=40))


def check_cleaning(body: str, markdown: bool, lead: bool) -> None:
    """The body cleaner takes any string: it never raises, and what it gives out holds
    nothing XML cannot carry."""
    TRIED["check_cleaning"] += 1
    entry = ENTRY._replace(body_format="markdown" if markdown else "html",
                           image="https://img.example/a.png" if lead else "")
    content = render_content(entry, body, CFG, policy_for(CFG))
    assert not XML_ILLEGAL.search(content.html + content.summary + content.image)
    assert_inert(content.html)


SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


def fuzzers(examples: int) -> list[Any]:
    """The fuzz checks as hypothesis tests of ``examples`` inputs each (a folder build costs
    about fifty times a single article: it gets a fiftieth of them)."""
    from tests.fuzz_folders import FOLDER, check_folder

    config = settings(max_examples=examples, deadline=None, suppress_health_check=SLOW,
                      database=None)
    folders = settings(config, max_examples=max(1, examples // 50))
    return [config(given(META)(check_front_matter)),
            config(given(TEXT)(check_raw_front_matter)),
            config(given(HTML)(check_html)),
            config(given(BODY, st.booleans(), st.booleans())(check_cleaning)),
            folders(given(FOLDER)(check_folder))]


def test_fuzz_front_matter() -> None:
    fuzzers(150)[0]()


def test_fuzz_raw_front_matter() -> None:
    fuzzers(150)[1]()


def test_fuzz_html_bodies() -> None:
    fuzzers(150)[2]()


def test_fuzz_the_body_cleaner() -> None:
    fuzzers(300)[3]()


def test_fuzz_whole_folders() -> None:
    fuzzers(2000)[4]()
