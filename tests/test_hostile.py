"""Nothing an article folder holds breaks a feed: the hostile corpus (``hostile.py``) is built
once, and every good article publishes, every bad one is named, every file written is valid."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from feeder.build import BuildReport, build, check
from feeder.config import Config, load

from .hostile import CORPUS, FORBIDDEN, HELD, ILLEGAL, NAMES, PUBLISH


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Config, BuildReport]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "articles").mkdir()
    for name, (data, _) in CORPUS.items():
        (root / "articles" / name).write_bytes(data)
    (root / "config.toml").write_text(
        '[site]\nbase_url = "http://127.0.0.1:8080/"\ntimezone = "Asia/Shanghai"\n'
        '[source]\npath = "articles"\n[output]\npath = "public"\nlimit = 1000\n',
        encoding="utf-8")
    cfg = load(root / "config.toml")
    return root, cfg, build(cfg)


def items(root: Path) -> dict[str, dict[str, Any]]:
    """The all-articles JSON Feed's items by source file stem."""
    feed = json.loads((root / "public/feed.json").read_text(encoding="utf-8"))
    return {re.search(r"/posts/([^/]+)/$", item["url"])[1]: item  # type: ignore[index]
            for item in feed["items"]}


def outcome(name: str) -> str:
    return CORPUS[name][1]


@pytest.mark.parametrize("name", sorted(n for n in CORPUS if outcome(n) == PUBLISH))
def test_good_or_repairable_articles_publish(built: tuple[Path, Config, BuildReport],
                                             name: str) -> None:
    root, _, report = built
    assert Path(name).stem in items(root)
    assert name not in {p.path for p in report.reading.skipped}


@pytest.mark.parametrize("name", sorted(n for n in CORPUS if outcome(n) not in (PUBLISH, HELD)))
def test_bad_articles_are_skipped_and_named(built: tuple[Path, Config, BuildReport],
                                            name: str) -> None:
    root, _, report = built
    skipped = {p.path: p.message for p in report.reading.skipped}
    assert outcome(name) in skipped[name]
    assert Path(name).stem not in items(root)


@pytest.mark.parametrize("name", sorted(n for n in CORPUS if outcome(n) == HELD))
def test_future_articles_are_held_back(built: tuple[Path, Config, BuildReport],
                                       name: str) -> None:
    root, _, report = built
    assert Path(name).stem not in items(root)
    assert name not in {p.path for p in report.reading.skipped}
    assert any(p.path == name and "held back" in p.message for p in report.reading.problems)


def output_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "public").rglob("*") if p.is_file())


def test_every_file_written_is_valid(built: tuple[Path, Config, BuildReport]) -> None:
    """Strict XML parsing, feedparser without complaint, JSON that loads; no character
    XML cannot carry anywhere."""
    root, _, _ = built
    illegal = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
    for path in output_files(root):
        text = path.read_text(encoding="utf-8")
        assert not illegal.search(text), path
        if path.suffix == ".xml":
            etree.fromstring(path.read_bytes(), etree.XMLParser(recover=False))
            parsed = feedparser.parse(path.read_bytes())
            assert 0 == parsed.bozo, (path, parsed.get("bozo_exception"))
        elif path.suffix == ".json":
            json.loads(text)


def test_no_script_survives_in_any_feed(built: tuple[Path, Config, BuildReport]) -> None:
    root, _, _ = built
    for path in (p for p in output_files(root) if p.suffix in (".xml", ".json")):
        text = path.read_text(encoding="utf-8").replace("&lt;", "<")
        for word in FORBIDDEN:
            assert word not in text.lower(), (path, word)
    bodies = {k: v["content_html"] for k, v in items(root).items() if re.fullmatch(r"html-\d+", k)}
    assert all("kept text" in html for html in bodies.values())


def test_text_is_repaired_not_lost(built: tuple[Path, Config, BuildReport]) -> None:
    root, _, _ = built
    found = items(root)
    illegal = found["illegal-chars"]
    assert "Illegal chars" == illegal["title"]
    assert "Ann Author" == illegal["authors"][0]["name"]
    assert ["Cat", "tag"] == illegal["tags"]
    assert "\tkeeps tabs\nand newlines" in illegal["content_html"]
    assert not any(c in json.dumps(illegal, ensure_ascii=False) for c in ILLEGAL)
    assert "Second wins" == found["duplicate-keys"]["title"]
    assert 1001 >= len(found["huge-title"]["title"])
    assert "JSON  lone  surrogate".replace("  ", " ") == found["json-front-matter"]["title"]
    assert "2022" == found["title-number"]["title"]
    assert found["same-id-1"]["id"] != found["same-id-2"]["id"]


def test_character_references_to_what_xml_cannot_carry_are_removed(
        built: tuple[Path, Config, BuildReport]) -> None:
    """``&#1;`` and its kind go wherever they stood (text, attributes, URLs); ``&#x80;`` is
    the Windows-1252 euro sign, as browsers read it; a reference to nothing is U+FFFD."""
    root, _, _ = built
    html = items(root)["html-char-refs"]["content_html"]
    expected = ('<p title="">abcd\ufffde\ufffdf€g\ufffdhA</p>', 'alt="xy"',
                'href="https://example.org/x"')
    assert expected == tuple(part for part in expected if part in html)


def test_urls_that_do_not_parse_are_dropped(built: tuple[Path, Config, BuildReport]) -> None:
    """A broken IPv6 host or a port that is no port loses its URL, not the article."""
    root, _, _ = built
    html = items(root)["html-broken-ipv6"]["content_html"]
    assert (True, []) == ("<a>a</a>" in html,
                          [bad for bad in ("[::1", "host:port", "<iframe") if bad in html])


def test_category_folders_stay_inside_and_apart(built: tuple[Path, Config,
                                                              BuildReport]) -> None:
    """Every category name, however hostile, gets its own safe folder below categories/."""
    root, _, _ = built
    public = (root / "public").resolve()
    folders = {p.parent for p in output_files(root) if p.name == "feed.json"}
    for folder in folders:
        assert folder.resolve().is_relative_to(public)
        for part in folder.relative_to(root / "public").parts:
            assert part not in ("..", ".") and not part.startswith(".")
            assert re.fullmatch(r"[^\x00-\x1f\x7f\\/:*?\"<>|]+", part), part
            assert len(part.encode()) <= 150
    names = {json.loads((f / "feed.json").read_text(encoding="utf-8"))["title"]
             for f in folders}
    assert len(folders) == len(names)       # two categories never share a folder
    distinct = {n.replace("\x01", "").replace("\x7f", "") for n in NAMES} - {"cafe\u0301"}
    cats = [f for f in folders if f.parent.name == "categories"]
    assert len(distinct) <= len(cats)


def test_the_source_folder_is_never_modified(built: tuple[Path, Config, BuildReport]) -> None:
    root, _, _ = built
    assert {n: data for n, (data, _) in CORPUS.items()} == {
        p.name: p.read_bytes() for p in (root / "articles").iterdir()}


def test_check_agrees_with_build(built: tuple[Path, Config, BuildReport]) -> None:
    """`check` reads the folder with the same code, so it skips exactly what build skipped."""
    _, cfg, report = built
    reading = check(cfg)
    assert {p.path for p in report.reading.skipped} == {p.path for p in reading.skipped}
    assert report.reading.published == reading.published


def test_a_file_over_the_size_limit_is_skipped_unread(site: Path) -> None:
    """A 50 MB article is named and skipped without being read; the rest publish."""
    big = site / "articles" / "big.md"
    with big.open("wb") as f:
        f.write(b"---\ntitle: Big\ndate: 2022-01-01\n---\n<p>")
        f.truncate(50_000_000)
    (site / "articles" / "small.md").write_bytes(b"---\ntitle: Small\ndate: 2022-01-01\n---\n")
    report = build(load(site / "config.toml"))
    assert ["big.md"] == [p.path for p in report.reading.skipped]
    assert "50.0 MB" in report.reading.skipped[0].message
    assert 1 == report.reading.published


def test_symlinks_out_of_the_source_and_loops_are_ignored(site: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(b"---\ntitle: Outside\ndate: 2022-01-01\n---\n")
    (site / "articles" / "link-out.md").symlink_to(outside)
    (site / "articles" / "loop").symlink_to(site / "articles", target_is_directory=True)
    (site / "articles" / "self.md").symlink_to(site / "articles" / "self.md")
    (site / "articles" / "inside.md").write_bytes(b"---\ntitle: In\ndate: 2022-01-01\n---\n")
    report = build(load(site / "config.toml"))
    assert (1, ()) == (report.reading.published, report.reading.skipped)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_named(site: Path) -> None:
    locked = site / "articles" / "locked.md"
    locked.write_bytes(b"---\ntitle: Locked\ndate: 2022-01-01\n---\n")
    locked.chmod(0)
    report = build(load(site / "config.toml"))
    assert "cannot read file" in report.reading.skipped[0].message


def test_a_vanished_source_folder_leaves_the_feeds_in_place(site: Path) -> None:
    from feeder.errors import SourceError

    (site / "articles" / "a.md").write_bytes(b"---\ntitle: A\ndate: 2022-01-01\n---\n")
    build(load(site / "config.toml"))
    before = {p: p.read_bytes() for p in output_files(site)}
    (site / "articles" / "a.md").unlink()
    (site / "articles").rmdir()
    with pytest.raises(SourceError, match="source folder does not exist"):
        build(load(site / "config.toml"))
    assert before == {p: p.read_bytes() for p in output_files(site)}


def test_a_failed_write_leaves_every_feed_whole(site: Path) -> None:
    """When the output cannot be written (here a folder stands where a feed goes), the build
    fails, and every feed file there is still a whole, valid feed."""
    from feeder.errors import OutputError

    for n in range(3):
        (site / "articles" / f"a{n}.md").write_bytes(
            f"---\ntitle: A{n}\ndate: 2022-01-0{n + 1}\ncategories: [C{n}]\n---\n".encode())
    build(load(site / "config.toml"))
    (site / "articles" / "a0.md").write_bytes(b"---\ntitle: New\ndate: 2022-02-01\n---\n")
    (site / "public/atom.xml").unlink()
    (site / "public/atom.xml").mkdir()
    with pytest.raises(OutputError):
        build(load(site / "config.toml"))
    for path in output_files(site):
        if path.suffix == ".xml":
            assert 0 == feedparser.parse(path.read_bytes()).bozo
        elif path.suffix == ".json":
            json.loads(path.read_bytes())


def test_a_half_written_article_is_published_once_complete(site: Path) -> None:
    path = site / "articles" / "a.md"
    path.write_bytes(b"---\ntitle: Half\ndate: 2022-01-01\ncategor")
    first = build(load(site / "config.toml"))
    assert ["a.md"] == [p.path for p in first.reading.skipped]
    path.write_bytes(b"---\ntitle: Whole\ndate: 2022-01-01\ncategories: [C]\n---\n<p>x</p>\n")
    second = build(load(site / "config.toml"))
    assert (1, ()) == (second.reading.published, second.reading.skipped)


def test_a_file_gone_between_scan_and_read_is_named(site: Path) -> None:
    from feeder.articles import read_file
    from feeder.model import SourceFile

    cfg = load(site / "config.toml")
    row = read_file((cfg.source.path, cfg), SourceFile("gone.md", 10, 0))
    assert ("error", True) == (row.state, "cannot read file" in (row.problems or ""))


def test_a_held_back_article_appears_when_its_date_comes(site: Path) -> None:
    """Nothing changes in the folder; the build after the article's date publishes it."""
    import time
    from datetime import UTC, datetime, timedelta

    soon = datetime.now(UTC) + timedelta(seconds=2)
    (site / "articles" / "old.md").write_bytes(b"---\ntitle: Old\ndate: 2022-01-01\n---\n")
    (site / "articles" / "soon.md").write_bytes(
        f"---\ntitle: Soon\ndate: {soon.isoformat()}\ncategories: [Later]\n---\n".encode())
    cfg = load(site / "config.toml")
    first = build(cfg)
    assert (1, 1) == (first.reading.published, first.reading.held)
    assert ["Old"] == [e.title for e in feedparser.parse(
        (site / "public/atom.xml").read_bytes()).entries]
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    second = build(cfg)
    assert (2, 0, 0) == (second.reading.published, second.reading.held, second.parsed)
    assert ["Soon", "Old"] == [e.title for e in feedparser.parse(
        (site / "public/atom.xml").read_bytes()).entries]
    assert (site / "public/categories/later/atom.xml").is_file()


def test_future_articles_publish_at_once_when_configured(site: Path) -> None:
    config = site / "config.toml"
    config.write_text(config.read_text() + 'future = "publish"\n', encoding="utf-8")
    (site / "articles" / "far.md").write_bytes(b"---\ntitle: Far\ndate: 2999-01-01\n---\n")
    assert (1, 0) == (lambda r: (r.published, r.held))(build(load(config)).reading)


def test_a_file_that_keeps_growing_is_read_only_up_to_the_limit() -> None:
    """``read_all`` stops a byte past the limit, however much more the file holds."""
    from feeder.parse import read_all

    reader, writer = os.pipe()
    os.write(writer, b"x" * 5000)
    os.close(writer)
    try:
        assert 1001 == len(read_all(reader, 100, 1000))
    finally:
        os.close(reader)
