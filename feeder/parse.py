"""Turn one file into its front matter (a mapping, as loaded) and its body text.

Decoding: UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030, else the file is
reported. Front matter: YAML between ``---`` lines, TOML between ``+++`` lines or JSON, found by
python-frontmatter; leading blank lines, a BOM and CRLF/CR line ends are accepted. YAML dates
stay strings here so that ``normalize`` reads every date form by the same rules.

Errors are ``ArticleError`` subclasses carrying the line when known. No file is written.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler, JSONHandler, YAMLHandler

from feeder.errors import DecodeError, FrontMatterError
from feeder.model import RawArticle, SourceFile

_YamlBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_YamlBase):  # type: ignore[misc]
    """Safe YAML loader (C-accelerated when available) that leaves timestamps as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _YamlBase.yaml_implicit_resolvers.items()
}


class _YAML(YAMLHandler):
    def load(self, fm: str, **kwargs: object) -> Any:
        return yaml.load(fm, Loader=_Loader)  # _Loader is a SafeLoader


class _TOML(BaseHandler):
    """TOML front matter with the standard library's parser (python-frontmatter wants `toml`)."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)

    def load(self, fm: str, **kwargs: object) -> Any:
        return tomllib.loads(fm)


HANDLERS = (_YAML(), _TOML(), JSONHandler())


def decode(data: bytes) -> str:
    """Bytes → text: UTF-8 (BOM optional), UTF-16 with BOM, else GB18030; NUL means binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DecodeError(f"not valid UTF-16 text ({e.reason} at byte {e.start})") from e
    if b"\x00" in data:
        raise DecodeError("binary file (contains NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise DecodeError(
                f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) nor GB18030 text"
            ) from utf8_error


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
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        if e.context_mark and (mark is None or mark.line >= fm.count("\n")):
            mark = e.context_mark   # at the end of the block: where the open construct began
        line = first_line + mark.line if mark else None
        raise FrontMatterError(f"bad YAML: {e.problem or e}", line=line) from e
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError, RecursionError) as e:
        raise FrontMatterError(f"bad front matter: {e}", line=first_line) from e
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError(
            f"front matter is a {type(meta).__name__}, not a mapping of fields",
            line=first_line)
    return meta


def read(source: SourceFile) -> RawArticle:
    """Read, decode and split one article file."""
    try:
        data = source.path.read_bytes()
    except OSError as e:
        raise DecodeError(f"cannot read file: {e.strerror or e}") from e
    meta, body, body_line = split(decode(data))
    return RawArticle(source, meta, body, body_line)
