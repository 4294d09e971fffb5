"""Jinja2 templates: the article pages, ``index.html`` and ``feed.xsl``.

The built-in templates are in ``feeder/assets``; a file of the same name in ``[pages]
templates`` takes its place. Autoescaping is on for every template, so no text from an article
or a config can become markup, and an undefined variable is an error, not an empty string.
The only module that imports jinja2, and only when something is rendered.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from feeder.config import Config
from feeder.errors import TemplateError

BUILT_IN = Path(__file__).resolve().parent / "assets"


def render(cfg: Config, name: str, **context: Any) -> bytes:
    """Template ``name`` filled with ``context``, as UTF-8 bytes."""
    return renderer(cfg, name)(**context)


def renderer(cfg: Config, name: str) -> Callable[..., bytes]:
    """``render`` for one template, loaded once: for filling it many times."""
    import jinja2

    env = _environment(cfg.pages.templates)
    try:
        template = env.get_template(name)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"{e.filename or name}:{e.lineno}: template error: {e.message}"
                            ) from e
    except jinja2.TemplateError as e:
        raise TemplateError(f"{_where(env, name)}: cannot render: {e}") from e

    def fill(**context: Any) -> bytes:
        try:
            text: str = template.render(**context)
        except jinja2.TemplateError as e:
            raise TemplateError(f"{_where(env, name)}: cannot render: {e}") from e
        return text.encode("utf-8")

    return fill


def digest(cfg: Config) -> str:
    """Changes when a file in ``[pages] templates`` does ('' without such a folder): the
    index is keyed on it, so pages and ``index.html`` are rendered again after an edit."""
    folder = cfg.pages.templates
    if folder == Path():
        return ""
    if not folder.is_dir():
        raise TemplateError(f"{folder}: no such folder ([pages] templates)")
    hashed = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            hashed.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
        except OSError as e:
            raise TemplateError(f"{path}: cannot read template: {e.strerror or e}") from e
    return hashed.hexdigest()


@functools.cache
def _environment(folder: Path) -> Any:
    import jinja2

    loaders = [jinja2.FileSystemLoader(str(folder))] if folder != Path() else []
    loaders.append(jinja2.FileSystemLoader(str(BUILT_IN)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,                    # XSL and XML need it as much as HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def _where(env: Any, name: str) -> str:
    for loader in env.loader.loaders:
        path = Path(loader.searchpath[0]) / name
        if path.is_file():
            return str(path)
    return name
