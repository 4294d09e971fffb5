"""Every RSS and Atom feed feeder writes is valid as the W3C Feed Validation Service sees it:
no error and no warning (``CharacterData`` aside: feedgen writes ``&amp;``), on files and as
served over HTTP (where headers and self links count too).

The validator's code lives in ``../shared/tools`` beside the project (CI has it); in a clone
without it these tests are skipped, saying so. It needs ``html5lib`` (the test extra).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from feeder.build import build
from feeder.config import load

from .processes import feeder_process, free_port, listening, until

REPO = Path(__file__).resolve().parent.parent
CHECK = REPO.parent / "shared" / "tools" / "w3c-feed-check"
pytestmark = pytest.mark.skipif(not CHECK.is_file(), reason=f"no W3C validator at {CHECK} "
                                "(it is beside the project in CI: ../shared/tools)")


def validate(*targets: str | Path) -> None:
    run = subprocess.run([sys.executable, str(CHECK), "--allow", "CharacterData",
                          *map(str, targets)], capture_output=True, text=True, timeout=300,
                         check=False)
    assert 0 == run.returncode, run.stdout + run.stderr


def test_the_seeds_feeds_are_valid(tmp_path: Path) -> None:
    """The bundled seeds with the bundled config.toml, as the README's first command builds
    them."""
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    build(load(tmp_path / "config.toml"))
    validate(tmp_path / "public")


SHAPES = """
[site]
title = "Shapes & <things>"
base_url = "https://feeds.example/news/"
description = "Every kind of feed"
icon = "https://feeds.example/icon.png"
author = "Desk"
[source]
path = "articles"
[output]
path = "public"
limit = 3
[feeds_by]
tags = true
authors = true
[websub]
hubs = ["https://hub.example/"]
[[feeds]]
name = "picked/short"
title = "Picked, summaries only"
include = ["news"]
full_content = false
formats = ["rss", "atom"]
[[feeds]]
name = "empty"
tags = ["nothing-has-this"]
"""


def test_every_feed_shape_is_valid(tmp_path: Path) -> None:
    """Categories at every depth, tags, authors (with e-mail and URL), custom feeds (with
    summaries only, and an empty one), WebSub hubs, an icon, Markdown and HTML bodies, lead
    images, own links and permalinks, and a draft."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "config.toml").write_text(SHAPES, encoding="utf-8")
    for n in range(6):
        extra = [
            "author: {name: Ann, email: ann@example.org, url: 'https://ann.example/'}\n",
            "headimg: //img.example/a.jpg\ntags: [news, 中文]\n",
            "link: https://elsewhere.example/story?id=1&b=2\n",
            "permalink: stories/six/\nupdated: 2022-03-01\n",
            "description: <p>An <b>HTML</b> summary &amp; more</p>\n",
            "draft: true\n",
        ][n]
        body = ("Some *Markdown* news with [a link](/x)." if n % 2 else
                "<p>HTML news <img src='//img.example/b.png'> &amp; <a href='/y'>y</a></p>")
        (tmp_path / "articles" / f"a{n}.md").write_text(
            f"---\ntitle: 'Story {n}: news & <views>'\ndate: 2022-01-0{n + 1} 10:00\n"
            f"categories: [[World, Asia, East], [Tech]]\nauthor: Bob\n{extra}---\n{body}\n",
            encoding="utf-8")
    build(load(tmp_path / "config.toml"))
    assert len(list((tmp_path / "public").rglob("*.xml"))) >= 20
    validate(tmp_path / "public")


MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"


@pytest.mark.skipif(not MAKE_CORPUS.is_file(), reason=f"no {MAKE_CORPUS}")
def test_a_realistic_corpus_is_valid(tmp_path: Path) -> None:
    """A corpus of scraped articles as ``make_corpus.py`` makes them (the benchmark's)."""
    subprocess.run([sys.executable, str(MAKE_CORPUS), "--count", "300", "--out",
                    str(tmp_path / "articles")], check=True, capture_output=True, timeout=120)
    (tmp_path / "config.toml").write_text(
        '[site]\nbase_url = "http://127.0.0.1:8080/"\ntimezone = "Asia/Shanghai"\n'
        '[source]\npath = "articles"\n[output]\npath = "public"\n', encoding="utf-8")
    build(load(tmp_path / "config.toml"))
    validate(tmp_path / "public")


def test_served_feeds_are_valid_over_http(tmp_path: Path) -> None:
    """As a reader fetches them from ``feeder serve``: media types, encodings, self links."""
    port = free_port()
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    (tmp_path / "config.toml").write_text(
        (REPO / "config.toml").read_text(encoding="utf-8").replace(
            'base_url = "http://127.0.0.1:8080/"', f'base_url = "http://127.0.0.1:{port}/"'),
        encoding="utf-8")
    build(load(tmp_path / "config.toml"))
    with feeder_process(tmp_path, "serve", "--port", str(port)):
        until(listening(port))
        base = f"http://127.0.0.1:{port}/"
        validate(base + "rss.xml", base + "atom.xml",
                 base + quote("categories/新媒体/观察者网/头条/rss.xml"))
