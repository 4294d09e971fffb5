"""Custom feeds (`[[feeds]]`): each takes exactly the articles its filters describe."""

from __future__ import annotations

import json
import time
from pathlib import Path

import feedparser
import pytest

from feeder.build import build
from feeder.config import load
from feeder.errors import ConfigError

from .conftest import SEEDS

ARTICLES = {  # name: (title, categories, tags, author, date, body)
    "py": ("Python 3.13 released", "[[Tech, Languages]]", "[python, release]", "Ann",
           "2026-11-20", "<p>The interpreter is faster.</p>"),
    "rs": ("Rust 2.0 roadmap", "[[Tech, Languages]]", "[rust]", "Bob", "2026-11-01",
           "<p>No release date yet.</p>"),
    "db": ("SQLite tips", "[[Tech, Databases]]", "[sqlite, python]", "ann", "2025-01-01",
           "<p>Use WAL mode for speed.</p>"),
    "cn": ("北约峰会召开", "[[新媒体, 观察者网, 头条]]", "[国际]", "观察者网", "2026-11-21",
           "<p>俄罗斯与北约分歧难弥。</p>"),
    "cn2": ("俄乌会谈", "[[新媒体, 观察者网]]", "[国际, 俄罗斯]", "观察者网", "2026-11-22",
            "<p>巴黎会谈8小时。</p>"),
    "ad": ("Sponsored: buy now", "[[Tech]]", "[]", "Ads", "2026-11-19",
           "<p>Advertisement for a product.</p>"),
}

FEEDS = {  # feed table (TOML) → the articles it must hold
    'name = "tech"\ncategories = ["Tech"]': {"py", "rs", "db", "ad"},
    'name = "languages"\ncategories = ["Tech/Languages"]': {"py", "rs"},
    'name = "both"\nall_categories = ["Tech", "Tech/Databases"]': {"db"},
    'name = "python"\ntags = ["PYTHON"]': {"py", "db"},
    'name = "ann"\nauthors = ["Ann"]': {"py", "db"},
    'name = "release"\ninclude = ["release"]': {"py", "rs"},
    'name = "noads"\ncategories = ["Tech"]\nexclude = ["/^sponsored:/", "advertisement"]':
        {"py", "rs", "db"},
    'name = "version"\ninclude = ["/\\\\d+\\\\.\\\\d+/"]': {"py", "rs"},
    'name = "nato"\ninclude = ["北约"]': {"cn"},
    'name = "guancha"\ncategories = ["新媒体/观察者网"]\nexclude = ["巴黎"]': {"cn"},
    'name = "recent"\nsince = "3650d"\ncategories = ["Tech"]\nexclude = ["sqlite"]':
        {"py", "rs", "ad"},
    'name = "news/top"\ntitle = "Top"\ntags = ["国际"]\nlimit = 1\nformats = ["json"]':
        {"cn2"},
    'name = "old"\nsince = "1s"': set(),
}


def article(title: str, categories: str, tags: str, author: str, date: str, body: str) -> str:
    return (f"---\ntitle: '{title}'\ncategories: {categories}\ntags: {tags}\n"
            f"author: {author}\ndate: {date}\n---\n{body}\n")


def make_site(root: Path, tail: str) -> Path:
    """The articles above, built with ``tail`` added to a config."""
    (root / "articles").mkdir()
    for name, fields in ARTICLES.items():
        (root / "articles" / f"{name}.md").write_text(article(*fields), encoding="utf-8")
    (root / "config.toml").write_text(
        '[site]\ntitle = "By"\nbase_url = "http://127.0.0.1:8080/"\ntimezone = "UTC"\n'
        '[source]\npath = "articles"\n[output]\npath = "public"\nfuture = "publish"\n'
        + tail, encoding="utf-8")
    build(load(root / "config.toml"))
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_site(tmp_path_factory.mktemp("filters"),
                     "".join(f"[[feeds]]\n{table}\n" for table in FEEDS))


def stems(feed: Path) -> set[str]:
    if feed.name == "feed.json":
        items = json.loads(feed.read_text(encoding="utf-8"))["items"]
        return {item["url"].rstrip("/").rsplit("/", 1)[1] for item in items}
    parsed = feedparser.parse(feed.read_bytes())
    assert 0 == parsed.bozo
    return {entry.link.rstrip("/").rsplit("/", 1)[1] for entry in parsed.entries}


@pytest.mark.parametrize(("table", "expected"), FEEDS.items(), ids=lambda x: str(x)[:30])
def test_a_custom_feed_holds_what_its_filters_describe(site: Path, table: str,
                                                       expected: set[str]) -> None:
    name = table.split('"')[1]
    folder = site / "public" / name
    fmt = "feed.json" if 'formats = ["json"]' in table else "atom.xml"
    assert expected == stems(folder / fmt)


def test_limit_formats_and_title_are_the_feeds_own(site: Path) -> None:
    folder = site / "public/news/top"
    assert ["feed.json"] == sorted(p.name for p in folder.iterdir())
    doc = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
    assert ("Top", 1) == (doc["title"], len(doc["items"]))


def test_custom_feeds_are_listed_and_kept_apart_from_categories(site: Path) -> None:
    index = (site / "public/index.html").read_text(encoding="utf-8")
    opml = (site / "public/feeds.opml").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8080/news/top/feed.json" in index
    assert 'xmlUrl="http://127.0.0.1:8080/news/top/feed.json"' in opml
    assert (site / "public/categories/tech/atom.xml").is_file()


def test_the_seeds_filter_by_category_path(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        f'[source]\npath = "{SEEDS}"\n[output]\npath = "public"\n'
        '[[feeds]]\nname = "top"\ncategories = ["新媒体/观察者网/头条"]\ninclude = ["布鲁塞尔"]\n',
        encoding="utf-8")
    build(load(tmp_path / "config.toml"))
    titles = [e.title for e in feedparser.parse((tmp_path / "public/top/rss.xml")
                                                .read_bytes()).entries]
    assert ["4小时会谈互不相让，俄罗斯与北约“分歧难弥”"] == titles


def test_a_pathological_regex_cannot_stall_a_build(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    body = "<p>" + "a" * 5000 + "!</p>"
    for n in range(5):
        (tmp_path / "articles" / f"a{n}.md").write_text(
            f"---\ntitle: T{n}\ndate: 2022-01-01\n---\n{body}\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        '[source]\npath = "articles"\n[output]\npath = "public"\n'
        '[[feeds]]\nname = "evil"\ninclude = ["/(a+)+$/"]\n', encoding="utf-8")
    started = time.monotonic()
    build(load(tmp_path / "config.toml"))
    assert time.monotonic() - started < 20      # five searches, each cut off after 0.05 s
    assert set() == stems(tmp_path / "public/evil/atom.xml")


@pytest.mark.parametrize(("table", "words"), [
    ('name = "x"\ninclude = ["/(unclosed/"]', "feeds[0] (x).include"),
    ('name = "x"\ncolour = "red"', "unknown key 'colour'"),
    ('name = "../x"', "feeds[0] (../x).name"),
    ('name = "categories/x"', "not starting with categories"),
    ('name = "rss.xml"', "not the name of a file feeder writes (rss.xml)"),
    ('name = "news/index.html/x"', "(index.html)"),
    ('name = "feeds.opml"', "(feeds.opml)"),
    ('title = "no name"', "feeds[0] (no name).name"),
    ('name = "x"\nsince = "soon"', "feeds[0] (x).since"),
    ('name = "x"\n[[feeds]]\nname = "x"', "distinct names"),
])
def test_a_bad_feed_is_a_config_error_naming_feed_and_key(tmp_path: Path, table: str,
                                                           words: str) -> None:
    (tmp_path / "config.toml").write_text(f"[[feeds]]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml: \[\[feeds\]\]") as caught:
        load(tmp_path / "config.toml")
    assert words in str(caught.value)


@pytest.fixture(scope="module")
def by_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The articles above with per-tag and per-author feeds, for tags used at least twice."""
    return make_site(tmp_path_factory.mktemp("feeds_by"),
                     "[feeds_by]\ntags = true\nauthors = true\nmin_entries = 2\n")


@pytest.mark.parametrize(("folder", "expected"), [
    ("tags/python", {"py", "db"}),
    ("tags/国际", {"cn", "cn2"}),
    ("authors/观察者网", {"cn", "cn2"}),
])
def test_per_tag_and_per_author_feeds_hold_their_articles(by_site: Path, folder: str,
                                                         expected: set[str]) -> None:
    assert expected == stems(by_site / "public" / folder / "rss.xml")


def test_tags_and_authors_below_min_entries_get_no_feed(by_site: Path) -> None:
    """rust, release and 俄罗斯 are used once, Ann and ann are two authors: no feeds."""
    made = sorted(str(p.parent.relative_to(by_site / "public"))
                  for p in (by_site / "public").glob("*/*/rss.xml")
                  if p.parts[-3] in ("tags", "authors"))
    assert ["authors/观察者网", "tags/python", "tags/国际"] == made


def test_per_tag_feeds_are_titled_listed_and_linked_from_pages(by_site: Path) -> None:
    public = by_site / "public"
    parsed = feedparser.parse((public / "tags/python/atom.xml").read_bytes())
    assert "By · #python" == parsed.feed.title
    index = (public / "index.html").read_text(encoding="utf-8")
    assert "<h2>Tags</h2>" in index and "<h2>Authors</h2>" in index
    assert '<span class="name">#python</span>' in index
    page = (public / "posts/py/index.html").read_text(encoding="utf-8")
    assert '<a href="http://127.0.0.1:8080/tags/python/rss.xml">#python</a>' in page
    assert "#release" in page and "tags/release" not in page


@pytest.mark.parametrize("toml", [
    '[feeds.by]\ntags = true\n',
    '[[feeds]]\nname = "x"\n[feeds.by]\ntags = true\n',
])
def test_feeds_dot_by_points_to_feeds_by(tmp_path: Path, toml: str) -> None:
    """TOML cannot hold [feeds.by] beside [[feeds]]: the error says to write [feeds_by]."""
    (tmp_path / "config.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[feeds_by\]"):
        load(tmp_path / "config.toml")
