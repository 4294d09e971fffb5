"""What keeps cleaning a body linear in its size, and short, whatever the body holds.

Without these, some bodies cost time quadratic in their size or just too much of it (10 MB
bodies, measured): nh3 escapes a long text with many '&' or U+0080..U+00BF in quadratic time
(1 MB of '&': 12 s); libxml2 builds an element with n attributes in n² (20,000: 0.6 s); moving
the text of many dropped or unwrapped siblings one at a time is quadratic (1 MB: 10 s); and
markdown-it-py renders some Markdown at 40 kB/s, lxml and the walk some HTML at 300 kB/s:
bodies past a budget are cut (``within_budget``), with a warning.

Pure Python: content.py owns lxml and nh3, these work on what it hands them (markup, its
lxml elements, libxml2's parse events).
"""

from __future__ import annotations

import re
from html import escape
from itertools import chain, islice
from typing import Any

BODY_LIMIT = 400_000        # characters of an HTML body that get into a feed (~3 µs each at worst)
MARKDOWN_BUDGET = 40_000    # units of markdown-it-py's work (~26 µs each at worst, see below)
_COSTLY = "[]*_`<!~\\&|("   # inline markup: each costs markdown-it-py a unit of work
HTML_ELLIPSIS = "<p>…</p>"
MARKDOWN_ELLIPSIS = "\n\n…\n"
MAX_ATTRIBUTES = 100        # attributes kept on an element
CHECKED_SIZE = 16_384       # markup up to this size is cheap whatever it holds: not checked
LONG_TEXT = 1000            # characters of text nh3 escapes in one piece
CUT = "<feeder-cut></feeder-cut>"   # an element nh3 does not know: it goes, the text stays
SLOW_ESCAPES = re.compile("[&\x80-\xbf]")   # what html5ever's serializer escapes in n²
RAW_TEXT_TAGS = frozenset((
    "iframe", "xmp", "noembed", "noframes", "plaintext", "noscript", "textarea", "title",
    "script", "style"))
VOID_TAGS = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "keygen", "frame"))
_LONG = rf"[^<>]{{{LONG_TEXT + 1},}}"
_FIRST_TEXT = re.compile(_LONG)            # a long text at the start
_TEXT = re.compile(rf">({_LONG})")         # one after a tag
_REFERENCE = r"&[#a-zA-Z0-9]{1,31};"
_TO_CUT = re.compile(rf"(?:{_REFERENCE}|[^&]|&)*?(?:{_REFERENCE}|[^&\t\n\f\r ])")
_NOT_SPACE = re.compile(r"[^\t\n\f\r ]")
_NAME = re.compile(r"[a-zA-Z][^\t\n\f\r />\"'<=]*")


def within_budget(body: str, body_format: str) -> tuple[str, str]:
    """(the body, '') when cleaning it costs at most about a second, else (its start, a
    warning saying so): HTML up to ``BODY_LIMIT`` characters, Markdown up to
    ``MARKDOWN_BUDGET`` units of work (about 160,000 characters of prose)."""
    if body_format == "markdown":
        short, ellipsis = markdown_prefix(body), MARKDOWN_ELLIPSIS
    else:
        short, ellipsis = shorten_body(body, BODY_LIMIT, "<", HTML_ELLIPSIS), HTML_ELLIPSIS
    if short is body:
        return body, ""
    return short, (f"body of {len(body):,} characters is too long to clean in time; only "
                   f"its first {len(short) - len(ellipsis):,} are published")


def markdown_cost(text: str) -> float:
    """markdown-it-py's work on ``text``, in units: one per 8 characters, per inline-markup
    character and per quarter line (measured: real files about 1 µs a character, the worst
    inline markup about 26 µs a unit)."""
    return len(text) / 8 + sum(map(text.count, _COSTLY)) + 4 * text.count("\n")


def markdown_prefix(body: str) -> str:
    """``body``, or the longest start of it that fits ``MARKDOWN_BUDGET``, cut at a blank
    line and followed by '…'."""
    if markdown_cost(body) <= MARKDOWN_BUDGET:
        return body
    low, high = 0, min(len(body), 8 * MARKDOWN_BUDGET)    # cost >= len/8: no longer start fits
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if markdown_cost(body[:mid]) <= MARKDOWN_BUDGET else (
            low, mid - 1)
    cut = body.rfind("\n\n", low // 2, low)
    return body[: cut if cut > 0 else low] + MARKDOWN_ELLIPSIS


def shorten_body(body: str, limit: int, before: str, ellipsis: str) -> str:
    """``body`` if it has at most ``limit`` characters, else its start, cut before the last
    ``before`` in the second half of the limit (a tag's '<': no tag or reference is split; a
    blank line: no paragraph is), and ``ellipsis`` for the rest."""
    if len(body) <= limit:
        return body
    cut = body.rfind(before, limit // 2, limit)
    return body[: cut if cut > 0 else limit] + ellipsis


def cut_long_texts(html: str) -> str:
    """``html`` (lxml's serialization: a '<' or '>' is a tag's, text and attribute values
    have them escaped) with CUT in each long text that has a character escaped slowly.

    html5ever's serializer, escaping a text, looks for the next '<' or '>' again after each
    '&' and each character U+0080..U+00BF it writes. Cut into pieces of about LONG_TEXT
    characters by an element nh3 removes, the text comes out the same, each piece escaped on
    its own: cut never inside a character reference, right after a character that is not
    white space (a piece of only white space in a table would stay there, not go before the
    table with the rest, and a CR would no longer join the LF after it); not in raw text.
    """
    out = []
    done = 0
    first = _FIRST_TEXT.match(html)
    for start, end in chain([first.span()] if first else [],
                            (text.span(1) for text in _TEXT.finditer(html))):
        tag = _NAME.match(html, html.rfind("<", 0, start) + 1, start)
        name = tag.group().lower() if tag else ""
        if name == "plaintext":
            break                   # the rest of the document is its text
        if name in RAW_TEXT_TAGS or not SLOW_ESCAPES.search(html, start, end):
            continue
        out.append(html[done:start])
        piece = start
        while end - piece > LONG_TEXT:
            at = piece + LONG_TEXT
            amp = html.rfind("&", at - 32, at)
            if amp > piece and html.find(";", amp, at) < 0:
                at = amp            # not inside a reference
            cut = _TO_CUT.match(html, at, end)
            if cut is None or not _NOT_SPACE.search(html, cut.end(), end):
                break               # nothing but white space after it
            out += (html[piece:cut.end()], CUT)
            piece = cut.end()
        done = piece
    out.append(html[done:])
    return "".join(out)


class Joins:
    """Text for elements' ``text`` and ``tail``, each joined once at the end: dropping or
    unwrapping siblings one by one, adding each one's text to the same place, is n²."""

    def __init__(self) -> None:
        self.parts: dict[tuple[Any, str], list[str]] = {}

    def add(self, el: Any, where: str, text: str | None) -> None:
        if text:
            self.parts.setdefault((el, where), [getattr(el, where) or ""]).append(text)

    def take(self, el: Any, where: str) -> str | None:
        """The text of ``el`` there, with what was added to it (no longer kept here)."""
        parts = self.parts.pop((el, where), None)
        return "".join(parts) if parts else getattr(el, where)

    def apply(self) -> None:
        for (el, where), parts in self.parts.items():
            setattr(el, where, "".join(parts))
        self.parts.clear()


def drop(el: Any, joins: Joins) -> None:
    """Remove an element and its content, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    previous = el.getprevious()
    joins.add(*((previous, "tail") if previous is not None else (parent, "text")),
              joins.take(el, "tail"))
    parent.remove(el)


def unwrap(el: Any, joins: Joins) -> None:
    """Remove an element, keeping its content and the text that follows it (lxml.html's
    drop_tag, without looking for the element among its siblings)."""
    parent = el.getparent()
    previous = el.getprevious()
    at = (previous, "tail") if previous is not None else (parent, "text")
    joins.add(*at, joins.take(el, "text"))
    tail = joins.take(el, "tail")
    children = list(el)
    for child in children:
        el.addprevious(child)
    joins.add(*((children[-1], "tail") if children else at), tail)
    parent.remove(el)


class MostAttributes:
    """A parser target: the most attributes an element has."""

    most = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.most = max(self.most, len(attrs))

    def close(self) -> int:
        return self.most


class FewAttributes:
    """A parser target writing the markup again from libxml2's tokens, with no more than
    MAX_ATTRIBUTES attributes to an element, no comments and no doctype: markup that lxml
    parses in linear time."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if _NAME.fullmatch(tag) and tag not in ("html", "head", "body"):
            self.out.append("<" + tag + "".join(
                f' {name}="{escape(value)}"'
                for name, value in islice(attrs.items(), MAX_ATTRIBUTES)
                if _NAME.fullmatch(name)) + ">")

    def end(self, tag: str) -> None:
        if _NAME.fullmatch(tag) and tag not in VOID_TAGS | {"html", "head", "body"}:
            self.out.append(f"</{tag}>")

    def data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def close(self) -> str:
        return "".join(self.out)
