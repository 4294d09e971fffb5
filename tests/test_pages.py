"""Article pages (`[pages]`): every entry link in every feed resolves to a file feeder wrote."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import feedparser
import httpx
import pytest
from lxml import html as lxml_html

from feeder.build import build
from feeder.config import Config, load
from feeder.errors import OutputError, TemplateError

from .processes import feeder_process, free_port, listening, until

BASE = "http://127.0.0.1:8080/"
CATEGORIES = ["[[Tech, Languages]]", "[[Tech, Databases]]", "[[新媒体, 观察者网, 头条]]",
              "[[新媒体, 观察者网]]", "[[Life]]", "[[Tech], [Life]]"]
NAMES = ["plain", "with space", "百分比%", "hash#tag", "中文 标题", "a+b&c"]


def corpus(src: Path, count: int = 36) -> None:
    """``count`` articles in nested folders with awkward names; every ninth names its own
    link and every ninth (offset) its own permalink, so neither gets a page."""
    for n in range(count):
        folder = src / ("" if n % 3 == 0 else f"年/{n % 4:02d} dir")
        folder.mkdir(parents=True, exist_ok=True)
        extra = ""
        if n % 9 == 4:
            extra = f"link: https://example.org/story/{n}\n"
        elif n % 9 == 7:
            extra = f"permalink: elsewhere/{n}.html\n"
        (folder / f"{NAMES[n % len(NAMES)]} {n}.md").write_text(
            f"---\ntitle: 'Article {n} <b>&amp; “quotes”'\ndate: 2026-{1 + n % 12:02d}-"
            f"{1 + n % 28:02d} 10:{n % 60:02d}:00\ncategories: {CATEGORIES[n % 6]}\n"
            f"tags: [t{n % 5}, 共同]\nauthor: Writer {n % 3}\n{extra}---\n"
            f"<p>Body of {n}.</p><img data-src='/img/{n}.jpg'>\n", encoding="utf-8")


def config(root: Path, extra: str = "", base: str = BASE) -> Config:
    (root / "config.toml").write_text(
        f'[site]\ntitle = "Pages"\nbase_url = "{base}"\ntimezone = "UTC"\n'
        '[source]\npath = "articles"\n[output]\npath = "public"\nlimit = 5\n'
        '[feeds_by]\ntags = true\nauthors = true\n'
        '[[feeds]]\nname = "chinese"\ninclude = ["观察者"]\n' + extra, encoding="utf-8")
    return load(root / "config.toml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pages")
    corpus(root / "articles")
    build(config(root))
    return root


def file_of(public: Path, url: str) -> Path:
    """The output file a URL below BASE names (a folder stands for its index.html)."""
    rel = unquote(url.removeprefix(BASE))
    return public / (rel + "index.html" if rel.endswith("/") or not rel else rel)


def feed_links(public: Path) -> Iterator[tuple[str, str, str]]:
    """(feed file, entry title, entry link) for every entry of every feed written."""
    for path in sorted(public.rglob("*")):
        if path.name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse(path.read_bytes())
            assert 0 == parsed.bozo, path
            for e in parsed.entries:
                yield str(path), e.title, e.link
        elif path.name == "feed.json":
            for item in json.loads(path.read_bytes())["items"]:
                yield str(path), item["title"], item["url"]


def test_every_link_in_every_feed_resolves_to_its_page(built: Path) -> None:
    """Each entry link below base_url is a page holding that entry's title; others are the
    articles' own links."""
    public = built / "public"
    local = outside = 0
    for feed, title, link in feed_links(public):
        if not link.startswith(BASE) or "/elsewhere/" in link:     # their own links
            outside += 1
            continue
        page = lxml_html.fromstring(file_of(public, link).read_bytes())
        assert [title] == page.xpath("//h1/text()"), (feed, link)
        assert [link] == page.xpath("//link[@rel='canonical']/@href")
        local += 1
    assert local > 50 and outside > 0


def test_own_permalinks_get_no_page(built: Path) -> None:
    """An article naming its own permalink keeps it, and feeder writes nothing there."""
    links = {link for _, _, link in feed_links(built / "public")}
    own = {link for link in links if "/elsewhere/" in link}
    assert own
    assert not any(file_of(built / "public", link).exists() for link in own)


def test_every_link_in_every_page_resolves(built: Path) -> None:
    """Category breadcrumbs, tag and author feeds, home and the site feed all exist."""
    public = built / "public"
    pages = sorted((public / "posts").rglob("index.html"))
    assert pages
    for path in pages:
        doc = lxml_html.fromstring(path.read_bytes())
        hrefs = doc.xpath("//a/@href | //link/@href")
        assert any("/tags/" in h for h in hrefs) and any("/authors/" in h for h in hrefs)
        for href in hrefs:
            if href.startswith(BASE):
                assert file_of(public, href).is_file(), (path, href)


def test_only_entries_in_some_feed_have_pages(built: Path) -> None:
    """Pages exist for exactly the feeds' entries that have no link of their own."""
    public = built / "public"
    wanted = {file_of(public, link) for _, _, link in feed_links(public)
              if link.startswith(BASE) and "/elsewhere/" not in link}
    assert wanted == set((public / "posts").rglob("*.html"))


def test_pages_escape_titles_and_keep_only_clean_html(built: Path) -> None:
    """A title's markup is text on the page; the body's lazy image is resolved (https)."""
    text = next((built / "public" / "posts").rglob("index.html")).read_text(encoding="utf-8")
    assert "&lt;b&gt;&amp; “quotes”" in text and "<b>" not in text
    assert '<img src="https://127.0.0.1:8080/img/' in text


def test_pages_are_served_to_a_reader(built: Path, tmp_path: Path) -> None:
    """Through `feeder serve`, every entry link answers 200 with an HTML page."""
    port = free_port()
    root = tmp_path / "site"
    shutil.copytree(built / "articles", root / "articles")
    base = f"http://127.0.0.1:{port}/"
    build(config(root, f"[server]\nport = {port}\n", base))
    links = {link for _, _, link in feed_links(root / "public")
             if link.startswith(base) and "/elsewhere/" not in link}
    assert links
    with feeder_process(root, "serve") as proc:
        until(listening(port))
        with httpx.Client() as client:
            for link in sorted(links):
                answer = client.get(link)
                assert (200, "text/html; charset=utf-8") == (
                    answer.status_code, answer.headers["content-type"]), link
        proc.terminate()


def test_a_page_follows_its_entry_in_and_out_of_the_feeds(tmp_path: Path) -> None:
    """An edit rewrites only that page; an article that leaves every feed loses its page."""
    src = tmp_path / "articles"
    corpus(src, 6)
    cfg = config(tmp_path)
    build(cfg)
    pages = {p: p.stat().st_mtime_ns for p in (tmp_path / "public/posts").rglob("*.html")}
    edited = src / "plain 0.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Body of 0", "Edited"),
                      encoding="utf-8")
    report = build(cfg)
    page = tmp_path / "public/posts/plain 0/index.html"
    assert "Edited" in page.read_text(encoding="utf-8")
    assert ["posts/plain 0/index.html"] == [w for w in report.written if w.startswith("posts")]
    assert all(p.stat().st_mtime_ns == t for p, t in pages.items() if p != page)
    edited.unlink()
    build(cfg)
    assert not page.exists() and not page.parent.exists()


def test_pages_off_writes_none_and_links_follow_the_pattern(tmp_path: Path) -> None:
    """With [pages] enabled = false no page is written, and stale ones are removed."""
    corpus(tmp_path / "articles", 6)
    build(config(tmp_path))
    assert (tmp_path / "public/posts").is_dir()
    build(config(tmp_path, "[pages]\nenabled = false\n"))
    assert not (tmp_path / "public/posts").exists()
    links = [link for _, _, link in feed_links(tmp_path / "public")]
    assert f"{BASE}posts/plain%200/" in links


def test_two_articles_on_one_permalink_share_one_page(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    """The first by path keeps the page; the other is named in a warning."""
    for folder in ("a", "b"):
        (tmp_path / "articles" / folder).mkdir(parents=True)
        (tmp_path / "articles" / folder / "same.md").write_text(
            f"---\ntitle: From {folder}\ndate: 2026-01-01\n---\n<p>{folder}</p>\n",
            encoding="utf-8")
    config(tmp_path)
    build(load(_with(tmp_path, 'permalink = "p/{stem}/"')))
    page = (tmp_path / "public/p/same/index.html").read_text(encoding="utf-8")
    assert "From a" in page
    assert "b/same.md: its page p/same/index.html is a/same.md's already" in caplog.text


def _with(root: Path, source_line: str) -> Path:
    path = root / "config.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '[source]\n', f'[source]\n{source_line}\n'), encoding="utf-8")
    return path


def test_own_templates_replace_the_built_in_ones(tmp_path: Path) -> None:
    """A page.html in [pages] templates is used, autoescaped; editing it renders every page
    again; a syntax error stops the build, names file and line, and leaves the pages."""
    corpus(tmp_path / "articles", 6)
    own = tmp_path / "own"
    own.mkdir()
    (own / "page.html").write_text("<h1>{{ entry.title }}</h1>{{ content | safe }}\n",
                                   encoding="utf-8")
    cfg = config(tmp_path, '[pages]\ntemplates = "own"\n')
    build(cfg)
    page = tmp_path / "public/posts/plain 0/index.html"
    assert page.read_text(encoding="utf-8").startswith(
        "<h1>Article 0 &lt;b&gt;&amp; “quotes”</h1><p>Body of 0.</p>")
    (own / "page.html").write_text("<h2>{{ entry.title }}</h2>\n", encoding="utf-8")
    build(cfg)
    assert page.read_text(encoding="utf-8").startswith("<h2>")
    (own / "page.html").write_text("<h2>\n{{ entry.title }</h2>\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"own/page\.html:2: template error"):
        build(cfg)
    assert page.read_text(encoding="utf-8").startswith("<h2>")
    (own / "page.html").write_text("{{ entry.no_such_field }}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"own/page\.html: cannot render: .*no_such_field"):
        build(cfg)


def test_a_missing_templates_folder_is_named(tmp_path: Path) -> None:
    corpus(tmp_path / "articles", 2)
    with pytest.raises(TemplateError, match=r"nowhere: no such folder \(\[pages\] templates\)"):
        build(config(tmp_path, '[pages]\ntemplates = "nowhere"\n'))


def test_a_page_never_takes_the_place_of_a_feeder_file(tmp_path: Path,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """An article whose pattern gives 'index.html' gets no page; the front page stays."""
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles/index.md").write_text(
        "---\ntitle: Clash\ndate: 2026-01-01\n---\n<p>x</p>\n", encoding="utf-8")
    config(tmp_path)
    build(load(_with(tmp_path, 'permalink = "{stem}.html"')))
    assert "<h1>Pages</h1>" in (tmp_path / "public/index.html").read_text(encoding="utf-8")
    assert "index.md: no page: index.html is one of the feeds' files" in caplog.text


def test_a_page_that_cannot_be_written_fails_the_build_and_names_it(tmp_path: Path) -> None:
    """Pages are written by the worker processes: one that cannot be written is an error
    naming it, and the previous feeds stay as they were."""
    corpus(tmp_path / "articles", 240)      # enough pages and feeds for worker processes
    cfg = config(tmp_path)
    build(cfg)
    rss = (tmp_path / "public/rss.xml").read_bytes()
    (tmp_path / "articles/plain 0.md").write_text(
        "---\ntitle: Newest\ndate: 2026-11-30\ncategories: [[Life]]\n---\n<p>new</p>\n",
        encoding="utf-8")      # newest: in the feeds now, so it gets a page
    assert not (tmp_path / "public/posts/plain 0").exists()
    (tmp_path / "public/posts/plain 0").write_text("in the way", encoding="utf-8")
    with pytest.raises(OutputError, match=r"plain 0: is a file, where feeder writes a folder"):
        build(cfg)
    assert rss == (tmp_path / "public/rss.xml").read_bytes()
