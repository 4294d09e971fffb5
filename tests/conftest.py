"""Shared fixtures: real article folders and config files in temporary directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feeder.config import Config, load

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def article(title: str = "Hello", *, date: str = "2022-01-13 10:30:07", body: str = "<p>Hi</p>",
            extra: str = "") -> str:
    """The text of a small Hexo article."""
    return (f"---\ntitle: '{title}'\ndate: {date}\ncategories:\n - News\n - World\n"
            f"{extra}---\n\n{body}\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A folder holding config.toml, an empty 'articles/' source and the 'public/' output."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "config.toml").write_text(
        '[site]\ntitle = "Test"\nbase_url = "http://127.0.0.1:8080/"\ntimezone = "UTC"\n'
        '[source]\npath = "articles"\n[output]\npath = "public"\n', encoding="utf-8")
    return tmp_path


@pytest.fixture
def seeds_site(site: Path) -> Path:
    """``site`` with the two bundled seed articles as its source."""
    for seed in SEEDS.iterdir():
        shutil.copy2(seed, site / "articles" / seed.name)
    return site


def config_of(site: Path) -> Config:
    return load(site / "config.toml")
