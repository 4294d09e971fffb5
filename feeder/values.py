"""Converters for config values: each takes a TOML value and returns the typed setting, or
raises ``Bad`` saying what would be accepted (``config`` adds the file and the key)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FORMATS = ("rss", "atom", "json")


class Bad(ValueError):
    """A value was refused; the text says what would be accepted."""


def text(v: Any) -> str:
    if not isinstance(v, str):
        raise Bad("a string")
    return v


def encoding(v: Any) -> str:
    """'auto', or the name of a text encoding Python knows ('big5', 'gb18030', 'cp1252')."""
    import codecs

    if v == "auto":
        return "auto"
    try:
        info = codecs.lookup(text(v))
        if not getattr(info, "_is_text_encoding", True):    # rot13, base64: no text
            raise LookupError(v)
        return info.name
    except (Bad, LookupError) as e:
        raise Bad("'auto' or the name of a text encoding, such as 'gb18030', 'big5', "
                  "'shift_jis', 'euc-kr' or 'cp1252'") from e


def boolean(v: Any) -> bool:
    if not isinstance(v, bool):
        raise Bad("true or false")
    return v


def positive_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise Bad("a whole number above 0")
    return v


def positive_number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
        raise Bad("a number above 0")
    return float(v)


def port(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 65536:
        raise Bad("a port number from 1 to 65535")
    return v


def one_of(*choices: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in choices:
            raise Bad("one of " + ", ".join(repr(c) for c in choices))
        return str(v)
    return check


def text_list(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise Bad("a list of strings")
    return tuple(v)


def formats(v: Any) -> tuple[str, ...]:
    items = text_list(v)
    if not items or any(x not in FORMATS for x in items):
        raise Bad("a non-empty list drawn from " + ", ".join(repr(f) for f in FORMATS))
    return tuple(f for f in FORMATS if f in items)


def base_url(v: Any) -> str:
    url = text(v)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Bad("an absolute http:// or https:// URL")
    return url if url.endswith("/") else url + "/"


def timezone(v: Any) -> ZoneInfo:
    try:
        return ZoneInfo(text(v))
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise Bad("an IANA time zone name such as 'UTC' or 'Asia/Shanghai'") from e


def duration(v: Any) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*", text(v))
    if not m or float(m.group(1)) <= 0:
        raise Bad("a duration such as '30s', '5m', '2h' or '1d'")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2) or "s"]


def urls(v: Any) -> tuple[str, ...]:
    urls = text_list(v)
    for url in urls:
        if not re.match(r"https?://[^/\s]+", url):
            raise Bad("a list of http(s) URLs")
    return urls


def cron(v: Any) -> str:
    expression = " ".join(text(v).split())
    fields = r"[\d*/,\-A-Za-z?LW#]+( [\d*/,\-A-Za-z?LW#]+){4}"
    if expression and not re.fullmatch(fields, expression):
        raise Bad("a crontab expression of five fields such as '*/10 * * * *', or ''")
    return expression


def rewrites(v: Any) -> tuple[tuple[re.Pattern[str], str], ...]:
    if not isinstance(v, list):
        raise Bad("a list of {pattern = '…', replace = '…'} tables")
    rules = []
    for rule in v:
        if not isinstance(rule, dict) or set(rule) != {"pattern", "replace"}:
            raise Bad("a list of {pattern = '…', replace = '…'} tables")
        try:
            rules.append((re.compile(text(rule["pattern"])), text(rule["replace"])))
        except re.error as e:
            raise Bad(f"valid regular expressions ({rule['pattern']!r}: {e})") from e
    return tuple(rules)


def hosts(v: Any) -> tuple[str, ...]:
    return tuple(h.lower().strip() for h in text_list(v))


def referers(v: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(v, dict) or not all(
            isinstance(x, str) and re.match(r"https?://", x) for x in v.values()):
        raise Bad('a table of "host" = "http(s) URL to send as Referer"')
    return tuple(sorted((k.lower(), x) for k, x in v.items()))


def slugs(v: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(v, dict) or not all(isinstance(x, str) and x for x in v.values()):
        raise Bad('a table of "category/path" = "slug" strings')
    return tuple(sorted(v.items()))


def feed_title(v: Any) -> str:
    try:
        text(v).format(site="s", category="c", name="n")
    except (KeyError, IndexError, ValueError) as e:
        raise Bad("a template using only {site}, {category} and {name}") from e
    return text(v)


def permalink(v: Any) -> str:
    pattern = text(v)
    try:
        made = pattern.format(path="p", stem="s", year="2000", month="01", day="01")
    except (KeyError, IndexError, ValueError) as e:
        raise Bad("a path using only {path}, {stem}, {year}, {month} and {day}") from e
    if "://" in made or any(part in (".", "..") for part in made.split("/")):
        raise Bad("a path below base_url, without '.' or '..' parts") from None
    return pattern


def path(v: Any) -> Path:
    return Path(text(v))
