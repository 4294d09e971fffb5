"""An article's link and its page's path, and the other URLs its front matter gives (the
lead image, the base its body's relative URLs resolve against).

Every URL goes through ``feeder.urls``; a page's path below the output comes from the file's
path with each segment made safe (``slugs.page_segment``). Pure: no I/O.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from feeder import urls
from feeder.config import Config
from feeder.slugs import page_segment
from feeder.text import xml_safe

IMAGE_KEYS = ("headimg", "thumbnail", "cover", "image", "banner")
_SCALARS = (str, int, float)


def link(meta: dict[str, Any], rel: str, published: datetime, cfg: Config,
         notes: list[str]) -> tuple[str, str]:
    """(link, page): ``link`` (absolute), ``permalink`` (relative to base_url or absolute),
    else the pattern below base_url, whose page feeder writes when ``[pages]`` is on: a
    pattern ending in neither '/' nor '.html' is then a folder (its ``index.html``)."""
    base = cfg.site.base_url
    for key in ("link", "permalink"):
        value = _url_field(meta.get(key))
        if not value:
            continue
        scheme = urls.scheme(value)
        if scheme in urls.WEB and urls.web(value):
            return urls.web(value), ""
        if key == "permalink" and not scheme:
            return _permalink(value, base, notes), ""
        notes.append(f"{key} {value!r} is not an http(s) URL; ignored")
    stem = page_path(posixpath.splitext(rel)[0])
    fields = {"path": stem, "stem": posixpath.basename(stem)}
    if "{year" in cfg.source.permalink or "{month" in cfg.source.permalink or (
            "{day" in cfg.source.permalink):
        fields.update(year=f"{published.year:04d}", month=f"{published.month:02d}",
                      day=f"{published.day:02d}")
    path = cfg.source.permalink.format_map(fields).lstrip("/")
    if not cfg.pages.enabled:
        return base + _quoted(path), ""
    if not path.endswith(("/", ".html", ".htm")):
        path += "/"
    page = path + "index.html" if path.endswith("/") or not path else path
    return base + _quoted(path), page


def page_path(stem: str) -> str:
    """A file's path (without its extension) as a safe path below the output and in a URL:
    each segment as ``slugs.page_segment`` makes it (the same path for an ordinary name)."""
    return "/".join(map(page_segment, stem.split("/")))


def _url_field(value: Any) -> str:
    """A URL given in the front matter (text, or a number as a permalink may be), bounded
    in length; '' for anything else. Line breaks stay: ``urls.clean`` removes them."""
    if type(value) is not str:
        if isinstance(value, bool) or not isinstance(value, _SCALARS):
            return ""
        value = str(value)
    return (value if value.isprintable() else xml_safe(value))[:4096].strip()


def _permalink(value: str, base: str, notes: list[str]) -> str:
    """A permalink below ``base_url``; one that leads above it stays below it, with a note."""
    url = urls.below(base, value)
    if ".." in value.split("/"):
        notes.append(f"permalink {value!r} leads outside base_url; using {url}")
    return url


_PLAIN = re.compile(r"[A-Za-z0-9_.~/-]*")


def _quoted(path: str) -> str:
    """``quote(path, safe='/')``, skipped when there is nothing to quote."""
    return path if _PLAIN.fullmatch(path) else quote(path, safe="/")


def lead_image(meta: dict[str, Any], link: str) -> str:
    for key in IMAGE_KEYS:
        value = _url_field(meta.get(key))
        if value:
            url = urls.absolute(value, link)
            if urls.is_web(url):
                return url
    return ""


def body_base(meta: dict[str, Any], image: str, cfg: Config) -> str:
    """Relative URLs in a body belong to the article's source site: its ``link``, else the
    lead image's site (scrapers keep the image host), else feeder's own ``base_url``."""
    link = urls.web(_url_field(meta.get("link")))
    if link:
        return link
    if image:
        scheme, _, rest = image.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}/"
    return cfg.site.base_url
