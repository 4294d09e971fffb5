"""Category names → safe folder names below the output, one per category node.

Whatever a front matter says, a segment holds no path separator, no ``..``, no control or
URL-reserved character, no Windows reserved name, no feed file name, and is short enough for
any file system; two different categories never share a folder, even on a case-insensitive
or normalising file system. Pure functions.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping

from feeder.model import CategoryPath
from feeder.text import xml_safe

ROOT = "categories"
FEED_FILES = frozenset({"rss.xml", "atom.xml", "feed.json", "index.html"})
OUTPUT_FILES = FEED_FILES | {"feeds.opml", "feed.xsl"}  # every name feeder writes a file under
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$")
_UNSAFE = re.compile(r"[\\/:*?\"<>|%#&+=;,\[\]{}^`'\s]+")
MAX_CHARS = 60
MAX_BYTES = 150


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def safe_segment(name: str) -> str:
    """One category name → one safe, lower-case folder name (may be a lossy form of it)."""
    text = unicodedata.normalize("NFC", xml_safe(name))
    text = _UNSAFE.sub("-", text)
    text = "".join(c for c in text if unicodedata.category(c)[0] != "C")
    text = text.strip(".-_ ").casefold()
    text = unicodedata.normalize("NFC", text)
    if not text:
        return "_" + _digest(name)
    if len(text) > MAX_CHARS or len(text.encode()) > MAX_BYTES:
        cut = text[:MAX_CHARS]
        while len(cut.encode()) > MAX_BYTES - 9:
            cut = cut[:-1]
        text = cut.rstrip(".-") + "-" + _digest(name)
    if _WINDOWS_RESERVED.match(text) or text in FEED_FILES:
        text += "_"
    return text


# what a page's path must not hold: Windows' forbidden characters, controls, and the invisible
# characters (bidi overrides, zero-width) that make one path look like another
_PAGE_UNSAFE = re.compile("[\\\\:*?\"<>|\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f"
                          "\u2028-\u202e\u2060-\u206f\ufeff]+")


@functools.lru_cache(maxsize=4096)      # most segments are folders many files share
def page_segment(name: str) -> str:
    """One segment of an article file's path → a safe segment of its page's path: the name
    itself when it is safe (the common case), else the name with each run of unsafe
    characters made '-', trailing dots and spaces removed (Windows drops them), and a hash of
    the original added so two names never meet ('new\\nline' → 'new-line-1a2b3c4d'). A
    Windows reserved name (``CON``, ``aux.md``, ``LPT1``) gets the hash too."""
    text = _PAGE_UNSAFE.sub("-", name).rstrip(". ")
    if text == name and text and not _WINDOWS_RESERVED.match(text.lower()):
        return name
    cut = text.strip("-")
    while len(cut.encode()) > MAX_BYTES:
        cut = cut[:-1]
    return f"{cut or '_'}-{_digest(name)}"


def assign_paths(nodes: Iterable[CategoryPath], chosen: Mapping[str, str] | None = None,
                 root: str = ROOT) -> dict[CategoryPath, str]:
    """Every category node → its folder, e.g. ('新媒体', '观察者网') → 'categories/新媒体/观察者网'.

    ``chosen`` maps a category path ('A/B') or a name ('B') to a slug of the user's choice.
    Siblings whose segments collide keep the plain segment only if their name already is
    that segment; the others get a short hash of their name, so adding a category never
    moves one that was safe before.
    """
    chosen = chosen or {}
    all_nodes = sorted(set(nodes), key=lambda n: (len(n), n))
    siblings: dict[CategoryPath, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    wanted: dict[CategoryPath, str] = {}
    for node in all_nodes:
        pick = chosen.get("/".join(node)) or chosen.get(node[-1])
        wanted[node] = safe_segment(pick) if pick else safe_segment(node[-1])
        siblings[node[:-1]][wanted[node]].append(node[-1])
    paths: dict[CategoryPath, str] = {}
    for node in all_nodes:
        segment = wanted[node]
        names = siblings[node[:-1]][segment]
        if len(names) > 1 and node[-1] != segment:
            segment = f"{segment[: MAX_CHARS]}-{_digest(node[-1])}"
        parent = paths[node[:-1]] if len(node) > 1 else root
        paths[node] = f"{parent}/{segment}"
    return paths
