"""URLs from untrusted text: read without raising, and cleaned so that every parser (a feed
reader, a browser, the W3C validator, ``urllib``) reads them the same way.

Article folders hold URLs written by scrapers and people: with spaces, tabs and line breaks,
stray brackets that are no IPv6 address, ports past 65535, ``..`` segments. Every URL feeder
writes into a feed or a page goes through ``clean`` (``absolute`` and ``below`` use it): the
result is '' or a URL that ``urllib.parse`` splits without error, with no control, space,
bidi or zero-width character and no character a URI cannot carry but non-ASCII letters (an
IRI, as HTML and Atom allow). Pure functions, no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

from feeder.text import xml_safe

_ENDS = "".join(map(chr, range(0x21)))      # C0 controls and space: stripped from both ends
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")    # removed wherever they are, as browsers do
# what a URI cannot carry (and invisible characters that make one URL look like another):
# percent-encoded
_UNSAFE = re.compile("[\x00-\x20\x7f-\x9f\"<>\\\\^`{|}\u00ad\u061c\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2064\u2066-\u206f\ufeff]|%(?![0-9A-Fa-f]{2})")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# printable ASCII that a URI may carry, but '%' (which must start an escape): most URLs
_PLAIN = re.compile(r"[!#$&-;=?-Z\[\]_a-z~]*\Z")
WEB = ("http", "https")
_ABSOLUTE = ("https://", "http://")


def clean(url: str) -> str:
    """``url`` as a reader will read it: ends stripped, tabs and line breaks removed, unsafe
    characters percent-encoded; '' when it still does not parse (``http://[::1``, a port
    that is not a port)."""
    if _PLAIN.match(url) and url.count(":") < 2 and "[" not in url and "]" not in url:
        return url      # the common case: nothing to clean, no port or IPv6 host to check
    url = _TAB_OR_NEWLINE.sub("", xml_safe(url).strip(_ENDS))
    if _UNSAFE.search(url):
        url = _UNSAFE.sub(lambda m: quote(m[0], safe=""), url)
    try:
        urlsplit(url).port      # noqa: B018 (raises for a bad host or port)
    except ValueError:
        return ""
    return url


def scheme(url: str) -> str:
    """The scheme of ``url`` in lower case ('' for a relative URL), without parsing it."""
    found = _SCHEME.match(url)
    return found[1].lower() if found else ""


def host(url: str) -> str:
    """The host of an absolute or scheme-relative URL, '' when there is none or it does not
    parse."""
    try:
        return urlsplit("https:" + url if url[:2] == "//" else url).hostname or ""
    except ValueError:
        return ""


def web(url: str) -> str:
    """``url`` cleaned when it is an absolute http(s) URL with a host, else ''."""
    url = clean(url)
    return url if is_web(url) else ""


def is_web(url: str) -> bool:
    """Whether a clean URL is an absolute http(s) URL with a host (without parsing it)."""
    rest = url.partition("://")[2]
    return (url.startswith(_ABSOLUTE) or scheme(url) in WEB) and (
        rest[:1] not in ("", "/", "?", "#", "@", ":"))


def absolute(url: str, base: str) -> str:
    """``url`` resolved against ``base`` and cleaned; '' when it does not parse."""
    url = clean(url)
    if not url or url.startswith(_ABSOLUTE) or scheme(url) in WEB:
        return url
    try:
        return clean(urljoin(base, url))
    except ValueError:
        return ""


def below(base: str, path: str) -> str:
    """The URL of ``path`` below ``base`` (a URL ending in '/'): its ``.`` and ``..``
    segments resolved, never above ``base``; reserved URL characters kept as they are."""
    segments: list[str] = []
    parts = path.split("/")
    for part in parts:
        if part == "..":
            if segments:
                segments.pop()
        elif part not in ("", "."):
            segments.append(part)
    trailing = bool(segments) and parts[-1] in ("", ".", "..")
    return clean(base + quote("/".join(segments), safe="/%#?=&") + ("/" if trailing else ""))
