"""config.toml is read once into typed settings; every mistake names file, key and value."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from feeder.config import SECTIONS, load
from feeder.errors import ConfigError

from .conftest import REPO


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_config_is_the_defaults_but_for_site_and_paths() -> None:
    """config.toml documents the defaults: apart from [site] and paths it equals them."""
    bundled = load(REPO / "config.toml")
    defaults = load(None)
    for section in ("titles", "output", "content", "images", "categories", "schedule",
                    "server", "feeds_by", "websub"):
        a, b = getattr(bundled, section), getattr(defaults, section)
        if section == "output":
            a, b = a.limit, b.limit
        elif section == "titles":
            a = [(p.pattern, r) for p, r in a.rewrites]
            b = [(p.pattern, r) for p, r in b.rewrites]
        assert b == a, section
    assert REPO / "seeds" == bundled.source.path
    assert REPO / "public" == bundled.output.path


@pytest.mark.parametrize("key", [f"{name}.{f.name}" for name, cls in SECTIONS.items()
                                 for f in dataclasses.fields(cls)])
def test_every_key_is_in_the_readme_and_the_bundled_config(key: str) -> None:
    """The README's configuration table and config.toml's comments list every setting."""
    section, name = key.split(".")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"`{key}`" in readme or f"`{section}.{name}`, " in readme or (
        f", `{section}.{name}`" in readme), key
    bundled = (REPO / "config.toml").read_text(encoding="utf-8")
    assert f"[{section}]" in bundled and f"\n{name} = " in bundled.split(f"[{section}]")[1], key


def test_relative_paths_follow_the_config_file(tmp_path: Path) -> None:
    """Relative paths are taken from the config file's folder, not the current one."""
    cfg = load(write(tmp_path, '[source]\npath = "posts"\n[output]\npath = "out"\n'))
    assert (tmp_path / "posts", tmp_path / "out") == (cfg.source.path, cfg.output.path)


def test_flags_override_the_file(tmp_path: Path) -> None:
    """--source/--output replace the file's paths."""
    cfg = load(write(tmp_path, '[source]\npath = "posts"\n'), source=tmp_path / "x",
               output=tmp_path / "y")
    assert (tmp_path / "x", tmp_path / "y") == (cfg.source.path, cfg.output.path)


def test_base_url_gets_a_trailing_slash(tmp_path: Path) -> None:
    """base_url always ends with '/' so file paths can be appended."""
    cfg = load(write(tmp_path, '[site]\nbase_url = "https://example.org/feeds"\n'))
    assert "https://example.org/feeds/" == cfg.site.base_url


@pytest.mark.parametrize(("text", "message"), [
    ("[site]\ntitel = 'x'\n", "unknown key site.titel; known keys:"),
    ("[sitte]\n", "unknown section [sitte]"),
    ("[output]\nlimit = 0\n", "output.limit = 0 is not valid; expected a whole number above 0"),
    ("[output]\nlimit = '5'\n", "output.limit = '5' is not valid"),
    ("[output]\nformats = ['rss', 'rdf']\n", "output.formats = ['rss', 'rdf'] is not valid"),
    ("[site]\nbase_url = 'example.org'\n", "expected an absolute http:// or https:// URL"),
    ("[site]\ntimezone = 'Mars/Olympus'\n", "expected an IANA time zone name"),
    ("[site]\nfeed_title = '{site} {nope}'\n", "a template using only {site}, {category}"),
    ("[source]\npermalink = 'p/{slug}/'\n", "a path using only {path}, {stem}, {year}"),
    ("[source]\npermalink = '../{stem}/'\n", "a path below base_url, without '.' or '..'"),
    ("[pages]\nenabled = 'yes'\n", "pages.enabled = 'yes' is not valid"),
    ("[feeds_by]\nmin_entries = 0\n", "feeds_by.min_entries = 0 is not valid"),
    ("[schedule]\ninterval = 'often'\n", "expected a duration such as '30s'"),
    ("[titles]\nrewrites = [{pattern = '(', replace = ''}]\n", "valid regular expressions"),
    ("[images]\nmode = 'magic'\n", "expected one of 'direct', 'proxy', 'localize'"),
    ("[server]\nport = 70000\n", "a port number from 1 to 65535"),
    ("[site\n", "not valid TOML"),
])
def test_bad_values_name_file_key_and_what_is_accepted(tmp_path: Path, text: str,
                                                       message: str) -> None:
    """Each bad config is refused with a message naming the file and what would be accepted."""
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_a_missing_config_file_is_an_error(tmp_path: Path) -> None:
    """An explicitly named config file that does not exist is refused."""
    with pytest.raises(ConfigError, match="config file not found"):
        load(tmp_path / "nope.toml")
