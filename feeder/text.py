"""Small text passes shared by the stages: XML-safe text, one-line text, tag stripping.

Each takes a string and returns one; none does I/O.
"""

from __future__ import annotations

import html
import re
import unicodedata

# What XML 1.0 cannot carry (C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF), plus
# what validators flag as discouraged (DEL, C1 controls, the U+FDD0..U+FDEF non-characters).
_XML_ILLEGAL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<!--.*?-->|<[^>]*>", re.DOTALL)
_BLOCK_END = re.compile(r"</(?:p|div|h[1-6]|li|blockquote|pre|tr|figure)\s*>|<br\s*/?>",
                        re.IGNORECASE)


def xml_safe(text: str) -> str:
    """Remove the characters an XML document cannot hold; tabs and newlines are kept."""
    return _XML_ILLEGAL.sub("", text)


_CHAR_REF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));?")


def safe_char_refs(markup: str) -> str:
    """HTML numeric character references made XML-safe, whatever the HTML parser then does
    with them: one naming a character XML cannot carry (``&#1;``, ``&#xFFFE;``) is removed,
    one naming nothing (``&#0;``, a surrogate, past U+10FFFF) becomes U+FFFD, and
    ``&#x80;``–``&#x9F;`` name the Windows-1252 characters, as HTML5 (and lxml 6) read them.
    Every other reference stays as written."""
    return _CHAR_REF.sub(_safe_ref, markup)


def _safe_ref(ref: re.Match[str]) -> str:
    digits = ref[1] or ref[2]
    if len(digits.lstrip("0")) > 8:     # past U+10FFFF (and int() refuses 4,300 digits)
        return "\ufffd"
    code = int(digits, 16 if ref[1] else 10)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if 0x80 <= code <= 0x9F:
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:      # the five bytes Windows-1252 leaves undefined
            return ""
    return "" if _XML_ILLEGAL.match(chr(code)) else ref[0]


def one_line(text: str) -> str:
    """XML-safe, NFC-normalised, every run of whitespace turned into one space, trimmed."""
    if text.isprintable() and "  " not in text and unicodedata.is_normalized("NFC", text):
        return text.strip()     # the common case, without the regex passes
    return _SPACE.sub(" ", unicodedata.normalize("NFC", xml_safe(text))).strip()


def plain_text(markup: str) -> str:
    """HTML (or text) → one line of plain text: tags stripped first, then entities decoded.

    Stripping before unescaping is what keeps ``&lt;b&gt;`` as the text ``<b>`` and keeps
    ``&amp;amp;`` from surfacing.
    """
    return one_line(html.unescape(_TAG.sub(" ", _BLOCK_END.sub(" ", markup))))


def summarize(markup: str, limit: int) -> str:
    """``shorten(plain_text(markup), limit)``, converting only as much of ``markup`` as that
    needs: up to a tag's end within ``limit * 4`` characters, when that holds enough text.
    (Cut right after a '>', no tag, entity or run of spaces straddles the cut; a comment or
    a stray '<' could, so markup with one takes the long way.)"""
    cut = markup.rfind(">", 0, limit * 4) + 1
    if 0 < cut < len(markup) and "<!--" not in markup[:cut]:
        stripped = _TAG.sub(" ", _BLOCK_END.sub(" ", markup[:cut]))
        # a '<' left unclosed in the start may close on a '>' after the cut
        if "<" not in stripped:
            text = one_line(html.unescape(stripped))
            if len(text) > limit + 8:   # the rest of the markup cannot change text[:limit]
                return shorten(text, limit)
    return shorten(plain_text(markup), limit)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a space when one is near the end, with '…'."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:，。；：、") + "…"
