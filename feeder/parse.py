"""Turn one file into its front matter (a mapping, as loaded) and its body text.

Decoding: UTF-8 (with or without BOM), UTF-16 with a BOM, else the encoding ``[source]
encoding`` names, or by default the one ``encodings`` detects (with a warning when the answer
cannot be trusted). Front matter: YAML between ``---`` lines, TOML between ``+++`` lines or
JSON, found by python-frontmatter; leading blank lines, a BOM and CRLF/CR line ends are
accepted. YAML dates stay strings here so that ``normalize`` reads every date form by the same
rules.

Errors are ``ArticleError`` subclasses carrying the line when known. No file is written.
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from pathlib import Path
from typing import Any

import frontmatter
import yaml_rs
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from feeder.errors import DecodeError, FrontMatterError
from feeder.model import RawArticle, SourceFile

_ALIASES = yaml_rs.AliasLimits(max_total_replayed_events=100_000)
_ERROR_AT = re.compile(r"at line (\d+), column \d+")


class _YAML(YAMLHandler):
    """YAML 1.2 front matter, loaded by yaml-rs (Rust): five times PyYAML's speed with its C
    loader, bounded alias expansion and nesting, no object-constructing tags. Dates stay
    strings; a key given twice keeps its last value."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml_rs.loads(fm, parse_datetime=False, alias_limits=_ALIASES,
                             duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins)


class _TOML(BaseHandler):
    """TOML front matter with the standard library's parser (python-frontmatter wants `toml`)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


HANDLERS = (_YAML(), _TOML(), JSONHandler())


Decoded = tuple[str, str, str]     # text, a warning or '', the legacy codec used or ''


def decode(data: bytes, encoding: str = "auto") -> Decoded:
    """Bytes → (text, a warning or '', codec): UTF-8 (BOM optional), UTF-16 with BOM, else
    the given ``encoding`` or, with "auto", the detected one; NUL means binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "", ""
        except UnicodeDecodeError as e:
            raise DecodeError(f"not valid UTF-16 text ({e.reason} at byte {e.start})") from e
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes), not a text article")
    try:
        return _text(data, "utf-8-sig"), "", ""
    except UnicodeDecodeError:
        return legacy(data, encoding)


def legacy(data: bytes, encoding: str) -> Decoded:
    """Bytes that are not UTF-8 → (text, a warning or '', codec): in ``encoding``, or the
    detected one; the warning names the encoding when the text may be wrong."""
    if encoding != "auto":
        text = data.decode(encoding, "replace")
        bad = text.count("\ufffd") - data.decode(encoding, "ignore").count("\ufffd")
        return text, (f"{bad} bytes are not {encoding} ([source] encoding); replaced"
                      if bad else ""), encoding
    from feeder.encodings import detect

    found = detect(data)
    if found.trusted:
        return found.text, "", found.encoding
    return found.text, (f"not UTF-8; read as {found.encoding}, which may be wrong (set "
                        "[source] encoding, or save the file as UTF-8)"), found.encoding


def split(text: str) -> tuple[dict[str, Any], str, int]:
    """Text → (front matter mapping, body, 1-based line where the body starts)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped = text.lstrip()
    skipped_lines = text[: len(text) - len(stripped)].count("\n")
    handler = frontmatter.detect_format(stripped, HANDLERS)
    if handler is None:
        raise FrontMatterError("no front matter: expected a block between '---' lines at the top",
                               line=skipped_lines + 1)
    try:
        fm, body = handler.split(stripped)
    except ValueError as e:
        raise FrontMatterError("front matter is not closed (no second '---' line)",
                               line=skipped_lines + 1) from e
    fm_line = skipped_lines + stripped[: stripped.index(fm)].count("\n") + 1 if fm else 1
    meta = _load(handler, fm, fm_line)
    body_line = skipped_lines + stripped[: len(stripped) - len(body)].count("\n") + 1
    return meta, body, body_line


def _load(handler: Any, fm: str, first_line: int) -> dict[str, Any]:
    try:
        meta = handler.load(fm)
    except yaml_rs.YAMLDecodeError as e:
        text = str(e).strip()
        at = _ERROR_AT.search(text)
        reason = text.splitlines()[-1].strip() if at else text
        line = first_line + int(at[1]) - 1 if at else first_line
        raise FrontMatterError(f"bad YAML: {reason}", line=line) from e
    except (tomllib.TOMLDecodeError, ValueError, RecursionError) as e:
        raise FrontMatterError(f"bad front matter: {e}", line=first_line) from e
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError(
            f"front matter is a {type(meta).__name__}, not a mapping of fields",
            line=first_line)
    return meta


def read_bytes(root: Path, source: SourceFile) -> bytes:
    """The file's bytes; ``DecodeError`` if it cannot be read."""
    try:
        # open(), not Path.read_bytes(): 10 µs less per file on a cold start
        with open(os.path.join(root, source.rel), "rb") as file:  # noqa: PTH118, PTH123
            return file.read()
    except OSError as e:
        raise DecodeError(f"cannot read file: {e.strerror or e}") from e


def head(fd: int, size: int, limit: int, first: int = 8192) -> tuple[bytes, int | None]:
    """The first ``first`` bytes of an open file of ``size`` bytes, or all of it when its
    front matter does not close within them or is not UTF-8 (the metadata pass needs no
    body, and most of a file's bytes are body, but an encoding is detected on the whole
    file); and where the front matter block ends (``_bounds``). ``limit`` as in
    ``read_all``."""
    data = os.read(fd, first)
    end = _bounds(data)
    if (end is None or not _utf8(data[:end])) and len(data) == first:
        data += read_all(fd, size - len(data), limit - len(data))
        end = _bounds(data)
    return data, end


def read_all(fd: int, size: int, limit: int) -> bytes:
    """The rest of an open file expected to hold ``size`` more bytes: it may have grown,
    but no more than ``limit`` bytes and one are read (a file that keeps growing ends)."""
    chunks, total = [], 0
    while total <= limit and (chunk := os.read(fd, max(min(size, limit - total), 0) + 1)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


_CLOSING = {b"-": re.compile(rb"\n-{3,}[ \t\r]*(?:\n|$)"),
            b"+": re.compile(rb"\n\+{3,}[ \t\r]*(?:\n|$)")}


def _bounds(data: bytes) -> int | None:
    """Where a closed ``---``/``+++`` block at the start of the file ends, when it is in an
    8-bit encoding; None when only a full decode will tell."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        return None
    start = len(data) - len(data.lstrip(b"\xef\xbb\xbf \t\r\n"))
    closing = _CLOSING.get(data[start:start + 1])
    if closing is None or not data.startswith(data[start:start + 1] * 3, start):
        return None
    end = closing.search(data, start)
    return None if end is None else end.end()


def _utf8(data: bytes) -> bool:
    if data.isascii():
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _locate(data: bytes, end: int | None = -1) -> tuple[str, bytes] | None:
    """(decoded front matter block, body bytes) when the file starts with a closed
    ``---``/``+++`` block in UTF-8; None when only a full decode will tell. ``end``: the
    block's end, when ``_bounds`` already found it."""
    end = _bounds(data) if end == -1 else end
    if end is None:
        return None
    try:
        return _text(data[:end], "utf-8-sig"), data[end:]
    except UnicodeDecodeError:
        return None


def front_matter(source: SourceFile, data: bytes, end: int | None = -1,
                 encoding: str = "auto") -> RawArticle:
    """The front matter and the first characters of the body, without decoding the rest of
    the file (what the metadata pass needs; ``article`` gives the whole body). ``end`` as
    ``head`` gives it; ``encoding`` as ``[source] encoding``."""
    found = _locate(data, end)
    if found is None:
        return article(source, data, encoding)
    head, rest = found
    meta, _, body_line = split(head)
    return RawArticle(source, meta, _text(rest[:256], "utf-8", "ignore"), body_line)


def article(source: SourceFile, data: bytes, encoding: str = "auto") -> RawArticle:
    """Decode and split one article file: front matter and the whole body."""
    found = _locate(data)
    if found is None:
        text, note, used = decode(data, encoding)
        meta, body, body_line = split(text)
        return RawArticle(source, meta, body, body_line, (note,) if note else (), used)
    head, rest = found      # the body's own encoding is ``body``'s to tell: the metadata
    meta, _, body_line = split(head)    # pass, which reads no body, says the same
    return RawArticle(source, meta, _decode_body(rest, encoding)[0], body_line)


def body(source: SourceFile, data: bytes, encoding: str = "auto", read_as: str = ""
         ) -> tuple[str, str]:
    """Only the body of an article file, and a warning about its encoding or '': the front
    matter is skipped, not loaded. ``read_as``: the codec the whole file was read in before
    (``Entry.encoding``), so it is read the same way without detecting it again."""
    found = _locate(data)
    if found is None:
        if read_as and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return split(data.decode(read_as, "replace"))[1], ""
        raw = article(source, data, encoding)
        return raw.body, ""         # its warnings are the reading's
    text, note, _ = _decode_body(found[1], encoding)
    return text, note


def _text(data: bytes, encoding: str, errors: str = "strict") -> str:
    """``data.decode(encoding, errors)``; UTF-8 with an optional BOM without the codec's
    Python wrapper (the C decoder alone is several times faster on a short head)."""
    if encoding == "utf-8-sig":
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8", errors)
    return data.decode(encoding, errors)


def _decode_body(rest: bytes, encoding: str) -> Decoded:
    """A body after UTF-8 front matter: UTF-8, else as ``legacy`` reads it."""
    try:
        return rest.decode("utf-8"), "", ""
    except UnicodeDecodeError:
        return legacy(rest, encoding)
