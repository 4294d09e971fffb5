"""Read ``config.toml`` once into typed, frozen settings.

Every key is checked here: an unknown key, a wrong type or a bad value raises ``ConfigError``
naming the file, the key, the value and what would be accepted. Nothing else in feeder reads
the TOML. This module does no other I/O.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from feeder.errors import ConfigError

FORMATS = ("rss", "atom", "json")
IMAGE_MODES = ("direct", "proxy", "localize")
IMPLEMENTED_IMAGE_MODES = ("direct",)
# `_…_` around text holding CJK is how scrapers wrote “…”: turn it back.
DEFAULT_TITLE_REWRITES = (
    (r"(?<![A-Za-z0-9_])_((?=[^_\n]*[\u3400-\u9fff\uf900-\ufaff])[^_\n]+)_(?![A-Za-z0-9_])",
     "“\\1”"),
)


class _Bad(ValueError):
    """A value was refused; the text says what would be accepted."""


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise _Bad("a string")
    return v


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise _Bad("true or false")
    return v


def _positive_int(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
        raise _Bad("a whole number above 0")
    return v


def _positive_number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
        raise _Bad("a number above 0")
    return float(v)


def _port(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 65536:
        raise _Bad("a port number from 1 to 65535")
    return v


def _one_of(*choices: str) -> Callable[[Any], str]:
    def check(v: Any) -> str:
        if v not in choices:
            raise _Bad("one of " + ", ".join(repr(c) for c in choices))
        return str(v)
    return check


def _str_list(v: Any) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _Bad("a list of strings")
    return tuple(v)


def _formats(v: Any) -> tuple[str, ...]:
    items = _str_list(v)
    if not items or any(x not in FORMATS for x in items):
        raise _Bad("a non-empty list drawn from " + ", ".join(repr(f) for f in FORMATS))
    return tuple(f for f in FORMATS if f in items)


def _base_url(v: Any) -> str:
    url = _str(v)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _Bad("an absolute http:// or https:// URL")
    return url if url.endswith("/") else url + "/"


def _timezone(v: Any) -> ZoneInfo:
    try:
        return ZoneInfo(_str(v))
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise _Bad("an IANA time zone name such as 'UTC' or 'Asia/Shanghai'") from e


def _duration(v: Any) -> float:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*", _str(v))
    if not m or float(m.group(1)) <= 0:
        raise _Bad("a duration such as '30s', '5m', '2h' or '1d'")
    return float(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2) or "s"]


def _rewrites(v: Any) -> tuple[tuple[re.Pattern[str], str], ...]:
    if not isinstance(v, list):
        raise _Bad("a list of {pattern = '…', replace = '…'} tables")
    rules = []
    for rule in v:
        if not isinstance(rule, dict) or set(rule) != {"pattern", "replace"}:
            raise _Bad("a list of {pattern = '…', replace = '…'} tables")
        try:
            rules.append((re.compile(_str(rule["pattern"])), _str(rule["replace"])))
        except re.error as e:
            raise _Bad(f"valid regular expressions ({rule['pattern']!r}: {e})") from e
    return tuple(rules)


def _slugs(v: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(v, dict) or not all(isinstance(x, str) and x for x in v.values()):
        raise _Bad('a table of "category/path" = "slug" strings')
    return tuple(sorted(v.items()))


def _feed_title(v: Any) -> str:
    try:
        _str(v).format(site="s", category="c", name="n")
    except (KeyError, IndexError, ValueError) as e:
        raise _Bad("a template using only {site}, {category} and {name}") from e
    return _str(v)


def _path(v: Any) -> Path:
    return Path(_str(v))


def _opt(conv: Callable[[Any], Any], default: Any) -> Any:
    """A dataclass field whose TOML value is checked by ``conv``."""
    return field(default=default, metadata={"conv": conv})


@dataclass(frozen=True)
class Site:
    title: str = _opt(_str, "feeder")
    base_url: str = _opt(_base_url, "http://127.0.0.1:8080/")
    description: str = _opt(_str, "")
    language: str = _opt(_str, "en")
    timezone: ZoneInfo = _opt(_timezone, ZoneInfo("UTC"))
    author: str = _opt(_str, "")
    icon: str = _opt(_str, "")
    feed_title: str = _opt(_feed_title, "{site} · {category}")


@dataclass(frozen=True)
class Source:
    path: Path = _opt(_path, Path("seeds"))
    extensions: tuple[str, ...] = _opt(_str_list, (".md", ".markdown", ".txt"))
    category_lists: str = _opt(_one_of("path", "siblings"), "path")
    body: str = _opt(_one_of("auto", "html", "markdown"), "auto")
    permalink: str = _opt(_str, "posts/{path}/")
    max_bytes: int = _opt(_positive_int, 10_000_000)


@dataclass(frozen=True)
class Titles:
    rewrites: tuple[tuple[re.Pattern[str], str], ...] = _opt(
        _rewrites, tuple((re.compile(p), r) for p, r in DEFAULT_TITLE_REWRITES))


@dataclass(frozen=True)
class Output:
    path: Path = _opt(_path, Path("public"))
    limit: int = _opt(_positive_int, 50)
    formats: tuple[str, ...] = _opt(_formats, FORMATS)
    full_content: bool = _opt(_bool, True)
    summary_length: int = _opt(_positive_int, 200)
    future: str = _opt(_one_of("hold", "publish"), "hold")


@dataclass(frozen=True)
class Content:
    iframe_hosts: tuple[str, ...] = _opt(_str_list, (
        "www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com",
        "player.bilibili.com"))


@dataclass(frozen=True)
class Images:
    mode: str = _opt(_one_of(*IMAGE_MODES), "direct")
    https: bool = _opt(_bool, True)
    allow_private: bool = _opt(_bool, False)
    max_bytes: int = _opt(_positive_int, 10_000_000)
    timeout: float = _opt(_positive_number, 10.0)


@dataclass(frozen=True)
class Categories:
    slugs: tuple[tuple[str, str], ...] = _opt(_slugs, ())


@dataclass(frozen=True)
class State:
    path: Path = _opt(_path, Path())     # '' means '.feeder-<output name>' beside the output


@dataclass(frozen=True)
class Schedule:
    interval: float = _opt(_duration, 300.0)
    watch: bool = _opt(_bool, False)


@dataclass(frozen=True)
class Server:
    host: str = _opt(_str, "127.0.0.1")
    port: int = _opt(_port, 8080)


@dataclass(frozen=True)
class Config:
    """All settings. ``file`` is where they came from (None: built-in defaults)."""

    file: Path | None = None
    site: Site = Site()
    source: Source = Source()
    titles: Titles = Titles()
    output: Output = Output()
    content: Content = Content()
    images: Images = Images()
    categories: Categories = Categories()
    state: State = State()
    schedule: Schedule = Schedule()
    server: Server = Server()


SECTIONS: dict[str, type] = {
    "site": Site, "source": Source, "titles": Titles, "output": Output, "content": Content,
    "images": Images, "categories": Categories, "state": State, "schedule": Schedule,
    "server": Server,
}


def _section(name: str, data: Any, where: str) -> Any:
    cls = SECTIONS[name]
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    known = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for key, raw in data.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {name}.{key}; known keys: "
                              + ", ".join(sorted(known)))
        try:
            values[key] = known[key].metadata["conv"](raw)
        except _Bad as e:
            raise ConfigError(f"{where}: {name}.{key} = {raw!r} is not valid; expected {e}") from e
    return cls(**values)


def load(path: Path | None, *, source: Path | None = None, output: Path | None = None) -> Config:
    """Read and check the config file (or use the defaults when ``path`` is None).

    Relative paths are taken from the config file's folder; ``source``/``output`` override
    the file's values and are taken as given (relative to the current folder).
    """
    data: dict[str, Any] = {}
    where = "defaults"
    if path is not None:
        where = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise ConfigError(f"{where}: config file not found") from e
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"{where}: cannot read config file: {e}") from e
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{where}: not valid TOML: {e}") from e
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}]; known sections: "
                          + ", ".join(sorted(SECTIONS)))
    sections = {name: _section(name, data.get(name, {}), where) for name in SECTIONS}
    cfg = Config(file=path, **sections)
    return _resolve_paths(cfg, path.parent if path else Path.cwd(), source, output)


def _resolve_paths(cfg: Config, base: Path, source: Path | None, output: Path | None) -> Config:
    def under(p: Path) -> Path:
        return (p if p.is_absolute() else base / p).absolute()

    src = Path(source).absolute() if source else under(cfg.source.path)
    out = Path(output).absolute() if output else under(cfg.output.path)
    if cfg.images.mode not in IMPLEMENTED_IMAGE_MODES:
        raise ConfigError(f"{cfg.file or 'defaults'}: images.mode = {cfg.images.mode!r} is not "
                          "available in this version; expected 'direct'")
    state = under(cfg.state.path) if str(cfg.state.path) not in ("", ".") else (
        out.parent / f".feeder-{out.name}")
    return dataclasses.replace(
        cfg,
        source=dataclasses.replace(cfg.source, path=src),
        output=dataclasses.replace(cfg.output, path=out),
        state=dataclasses.replace(cfg.state, path=state),
    )


def fingerprint(cfg: Config) -> str:
    """Changes whenever a setting that shapes entries or feeds changes (or feeder's version):
    the index made under other settings is then rebuilt from scratch."""
    from feeder import __version__

    shaping = [getattr(cfg, f.name) for f in dataclasses.fields(cfg)
               if f.name not in ("file", "output", "state", "schedule", "server")]
    output = dataclasses.replace(cfg.output, path=Path())
    text = repr([__version__, sys.version_info[:2], shaping, output])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
