"""Read ``config.toml`` once into typed, frozen settings.

Every key is checked here: an unknown key, a wrong type or a bad value raises ``ConfigError``
naming the file, the key, the value and what would be accepted. Nothing else in feeder reads
the TOML. This module does no other I/O.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from feeder import values as v
from feeder.errors import ConfigError
from feeder.filters import CustomFeed, parse_feeds
from feeder.values import FORMATS

IMAGE_MODES = ("direct", "proxy", "localize")
# `_…_` around text holding CJK is how scrapers wrote “…”: turn it back.
DEFAULT_TITLE_REWRITES = (
    (r"(?<![A-Za-z0-9_])_((?=[^_\n]*[\u3400-\u9fff\uf900-\ufaff])[^_\n]+)_(?![A-Za-z0-9_])",
     "“\\1”"),
)


def _opt(conv: Callable[[Any], Any], default: Any) -> Any:
    """A dataclass field whose TOML value is checked by ``conv``."""
    return field(default=default, metadata={"conv": conv})


@dataclass(frozen=True)
class Site:
    """``[site]``: the site the feeds belong to."""

    title: str = _opt(v.text, "feeder")
    base_url: str = _opt(v.base_url, "http://127.0.0.1:8080/")
    description: str = _opt(v.text, "")
    language: str = _opt(v.text, "en")
    timezone: ZoneInfo = _opt(v.timezone, ZoneInfo("UTC"))
    author: str = _opt(v.text, "")
    icon: str = _opt(v.text, "")
    feed_title: str = _opt(v.feed_title, "{site} · {category}")


@dataclass(frozen=True)
class Source:
    """``[source]``: the article folder and how to read it."""

    path: Path = _opt(v.path, Path("seeds"))
    extensions: tuple[str, ...] = _opt(v.text_list, (".md", ".markdown", ".txt"))
    category_lists: str = _opt(v.one_of("path", "siblings"), "path")
    body: str = _opt(v.one_of("auto", "html", "markdown"), "auto")
    permalink: str = _opt(v.permalink, "posts/{path}/")
    max_bytes: int = _opt(v.positive_int, 10_000_000)
    encoding: str = _opt(v.encoding, "auto")


@dataclass(frozen=True)
class Titles:
    """``[titles]``: rewrites applied to every title."""

    rewrites: tuple[tuple[re.Pattern[str], str], ...] = _opt(
        v.rewrites, tuple((re.compile(p), r) for p, r in DEFAULT_TITLE_REWRITES))


@dataclass(frozen=True)
class Output:
    """``[output]``: where the feeds go, and what they hold."""

    path: Path = _opt(v.path, Path("public"))
    limit: int = _opt(v.positive_int, 50)
    formats: tuple[str, ...] = _opt(v.formats, FORMATS)
    full_content: bool = _opt(v.boolean, True)
    summary_length: int = _opt(v.positive_int, 200)
    future: str = _opt(v.one_of("hold", "publish"), "hold")
    stylesheet: bool = _opt(v.boolean, True)


@dataclass(frozen=True)
class Pages:
    """``[pages]``: an HTML page per entry."""

    enabled: bool = _opt(v.boolean, True)
    templates: Path = _opt(v.path, Path())      # '' means the built-in templates only


@dataclass(frozen=True)
class FeedsBy:
    """``[feeds_by]``: feeds per tag and per author, besides categories."""

    tags: bool = _opt(v.boolean, False)
    authors: bool = _opt(v.boolean, False)
    min_entries: int = _opt(v.positive_int, 1)


@dataclass(frozen=True)
class Content:
    """``[content]``: what cleaning keeps of a body."""

    iframe_hosts: tuple[str, ...] = _opt(v.text_list, (
        "www.youtube.com", "www.youtube-nocookie.com", "player.vimeo.com",
        "player.bilibili.com"))


@dataclass(frozen=True)
class Images:
    """``[images]``: how images reach a reader (direct, proxy, localize)."""

    mode: str = _opt(v.one_of(*IMAGE_MODES), "direct")
    https: bool = _opt(v.boolean, True)
    allow_private: bool = _opt(v.boolean, False)
    max_bytes: int = _opt(v.positive_int, 10_000_000)
    timeout: float = _opt(v.positive_number, 10.0)
    hosts: tuple[str, ...] = _opt(v.hosts, ())          # if set, only these hosts
    deny_hosts: tuple[str, ...] = _opt(v.hosts, ())
    referers: tuple[tuple[str, str], ...] = _opt(v.referers, ())
    secret: str = _opt(v.text, "")         # '' means a generated file in the state folder
    cache_bytes: int = _opt(v.positive_int, 1_000_000_000)


@dataclass(frozen=True)
class Categories:
    """``[categories]``: fixed slugs for category folders."""

    slugs: tuple[tuple[str, str], ...] = _opt(v.slugs, ())


@dataclass(frozen=True)
class State:
    """``[state]``: the folder of the index, the lock and the build status."""

    path: Path = _opt(v.path, Path())     # '' means '.feeder-<output name>' beside the output


@dataclass(frozen=True)
class Schedule:
    """``[schedule]``: when ``feeder run`` builds."""

    interval: float = _opt(v.duration, 300.0)
    cron: str = _opt(v.cron, "")
    watch: bool = _opt(v.boolean, False)
    debounce: float = _opt(v.duration, 1.0)


@dataclass(frozen=True)
class Server:
    """``[server]``: where ``feeder serve`` and ``feeder run`` listen."""

    host: str = _opt(v.text, "127.0.0.1")
    port: int = _opt(v.port, 8080)
    max_age: int = _opt(v.positive_int, 300)


@dataclass(frozen=True)
class WebSub:
    """``[websub]``: hubs told about every changed feed."""

    hubs: tuple[str, ...] = _opt(v.urls, ())
    timeout: float = _opt(v.positive_number, 10.0)


@dataclass(frozen=True)
class Config:
    """All settings. ``file`` is where they came from (None: built-in defaults)."""

    file: Path | None = None
    site: Site = Site()
    source: Source = Source()
    titles: Titles = Titles()
    output: Output = Output()
    pages: Pages = Pages()
    feeds_by: FeedsBy = FeedsBy()
    content: Content = Content()
    images: Images = Images()
    categories: Categories = Categories()
    state: State = State()
    schedule: Schedule = Schedule()
    server: Server = Server()
    websub: WebSub = WebSub()
    feeds: tuple[CustomFeed, ...] = ()      # [[feeds]]: see ``filters``

    @functools.cached_property
    def reads_text(self) -> bool:
        """Some custom feed filters on words: every article's body is read."""
        return any(feed.reads_text for feed in self.feeds)


SECTIONS: dict[str, type] = {
    "site": Site, "source": Source, "titles": Titles, "output": Output, "pages": Pages,
    "feeds_by": FeedsBy, "content": Content,
    "images": Images, "categories": Categories, "state": State, "schedule": Schedule,
    "server": Server, "websub": WebSub,
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
        except v.Bad as e:
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
    unknown = sorted(set(data) - set(SECTIONS) - {"feeds"})
    if unknown:
        raise ConfigError(f"{where}: unknown section [{unknown[0]}]; known sections: "
                          + ", ".join(sorted(SECTIONS)))
    sections = {name: _section(name, data.get(name, {}), where) for name in SECTIONS}
    try:
        feeds = parse_feeds(data.get("feeds", []))
    except v.Bad as e:
        raise ConfigError(f"{where}: [[feeds]]: {e}") from e
    cfg = Config(file=path, feeds=feeds, **sections)
    return _resolve_paths(cfg, path.parent if path else Path.cwd(), source, output)


def _resolve_paths(cfg: Config, base: Path, source: Path | None, output: Path | None) -> Config:
    def under(p: Path) -> Path:
        return (p if p.is_absolute() else base / p).absolute()

    src = Path(source).absolute() if source else under(cfg.source.path)
    out = Path(output).absolute() if output else under(cfg.output.path)
    state = under(cfg.state.path) if str(cfg.state.path) not in ("", ".") else (
        out.parent / f".feeder-{out.name}")
    templates = under(cfg.pages.templates) if str(cfg.pages.templates) not in ("", ".") \
        else Path()
    return dataclasses.replace(
        cfg,
        source=dataclasses.replace(cfg.source, path=src),
        output=dataclasses.replace(cfg.output, path=out),
        state=dataclasses.replace(cfg.state, path=state),
        pages=dataclasses.replace(cfg.pages, templates=templates),
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
