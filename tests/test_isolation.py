"""One bad article, or one bad moment, costs only itself: every per-article stage has its own
boundary, and faults during a build leave the previous feeds in place until the next one.

Failures that feeder's own fixes leave no real input to cause (an exception from lxml, Jinja
or feedgen on one entry) are brought about in the library, by a marker in the article, so
that feeder's own code runs as it is."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feeder.build import BuildReport, build, check
from feeder.config import Config, load
from feeder.errors import OutputError

from .test_hostile import output_files

BOOM = "EXPLODE"


def write_site(root: Path, titles: list[str], extra: str = "") -> Config:
    """A folder of articles (one a day, the last newest) and its config."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    for n, title in enumerate(titles):
        (root / "articles" / f"a{n}.md").write_text(
            f"---\ntitle: {title}\ndate: 2022-01-{n + 1:02d}\ncategories: [News]\n---\n"
            f"<p>body of {title}</p>\n", encoding="utf-8")
    (root / "config.toml").write_text(
        '[site]\nbase_url = "http://127.0.0.1:8080/"\n[source]\npath = "articles"\n'
        f'[output]\npath = "public"\nlimit = 2\n{extra}', encoding="utf-8")
    return load(root / "config.toml")


def titles_in(root: Path, feed: str = "atom.xml") -> list[str]:
    return [e.title for e in feedparser.parse((root / "public" / feed).read_bytes()).entries]


def explode_when(marker: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, raising for an argument that holds ``marker``."""
    def exploding(*args: Any, **kwargs: Any) -> Any:
        if any(marker in str(a) for a in args):
            raise RuntimeError("the library gave up")
        return original(*args, **kwargs)
    return exploding


def skipped(report: BuildReport) -> dict[str, str]:
    return {p.path: p.message for p in report.reading.skipped}


def test_a_body_that_cannot_be_cleaned_costs_only_its_article(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The article is named (build, check, status file), the next newest takes its place
    in the feeds, and once the library copes it is published without any edit."""
    import lxml.html

    cfg = write_site(tmp_path, ["Old", "Middle", BOOM])
    monkeypatch.setattr(lxml.html, "fragment_fromstring",
                        explode_when(BOOM, lxml.html.fragment_fromstring))
    report = build(cfg)
    message = skipped(report)["a2.md"]
    assert ("cannot clean the body (RuntimeError: the library gave up); please report this "
            "file") == message
    assert ["Middle", "Old"] == titles_in(tmp_path)
    assert (2, 1) == (report.reading.published, len(report.reading.skipped))
    assert {"a2.md": message} == skipped_of(check(cfg))
    status = json.loads((cfg.state.path / "last-build.json").read_text(encoding="utf-8"))
    assert (True, 1) == (status["ok"], status["skipped"])
    monkeypatch.undo()
    again = build(cfg)
    assert (1, {}, [BOOM, "Middle"]) == (again.parsed, skipped(again), titles_in(tmp_path))


def skipped_of(reading: Any) -> dict[str, str]:
    return {p.path: p.message for p in reading.skipped}


def test_an_entry_that_feedgen_cannot_write_is_left_out_of_every_feed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other entries of its feeds are written; the JSON feed and the page agree."""
    from feedgen.entry import FeedEntry

    cfg = write_site(tmp_path, ["Old", "Middle", BOOM])
    original = FeedEntry.atom_entry

    def atom_entry(self: Any, *args: Any, **kwargs: Any) -> Any:
        if BOOM in self.title():
            raise ValueError("feedgen gave up")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(FeedEntry, "atom_entry", atom_entry)
    report = build(cfg)
    assert "cannot be put in a feed (ValueError: feedgen gave up)" in skipped(report)["a2.md"]
    assert 1 == sum(p.path == "a2.md" for p in report.reading.problems)     # said once
    for feed in ("atom.xml", "rss.xml", "categories/news/atom.xml"):
        assert ["Middle", "Old"] == titles_in(tmp_path, feed)
    json_titles = [i["title"] for i in json.loads(
        (tmp_path / "public/feed.json").read_bytes())["items"]]
    assert ["Middle", "Old"] == json_titles
    assert not (tmp_path / "public/posts/a2").exists()


def test_a_page_that_cannot_be_rendered_costs_only_its_article(tmp_path: Path) -> None:
    """A template that fails on one article's data (not a template error): that article is
    named, every other page and feed is written."""
    templates = tmp_path / "templates"
    templates.mkdir()
    page = (Path(__file__).parent.parent / "feeder/assets/page.html").read_text(
        encoding="utf-8")
    (templates / "page.html").write_text(
        "{% if entry.title == '" + BOOM + "' %}{{ 1 // (entry.title|length - 7) }}{% endif %}"
        + page, encoding="utf-8")
    cfg = write_site(tmp_path, ["Old", "Middle", BOOM],
                     f'[pages]\ntemplates = "{templates}"\n')
    report = build(cfg)
    assert "cannot render its page (ZeroDivisionError" in skipped(report)["a2.md"]
    assert ["Middle", "Old"] == titles_in(tmp_path)
    assert (tmp_path / "public/posts/a0/index.html").is_file()
    assert not (tmp_path / "public/posts/a2").exists()


def test_bodies_that_cannot_be_read_again_leave_their_feeds_as_they_were(
        tmp_path: Path) -> None:
    """The source folder goes away after the front matter was read (an unmounted share):
    no feed is written with empty bodies, and when it is back the next build catches up,
    to the bytes of a cold build."""
    cfg = write_site(tmp_path, ["One", "Two", "Three"])
    build(cfg)
    before = {p: p.read_bytes() for p in output_files(tmp_path)}
    for n in (1, 2):
        path = tmp_path / "articles" / f"a{n}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("body of", "new body of"),
                        encoding="utf-8")
    away = tmp_path / "away"

    def unmount(stage: str, done: int, total: int) -> None:
        if done == total:
            (tmp_path / "articles").rename(away)

    report = build(cfg, unmount)
    assert before == {p: p.read_bytes() for p in output_files(tmp_path)}
    assert 0 == len(report.written)
    away.rename(tmp_path / "articles")
    build(cfg)
    assert "new body of Three" in (tmp_path / "public/feed.json").read_text(encoding="utf-8")
    assert cold_output(tmp_path, cfg) == {p.relative_to(tmp_path / "public"): p.read_bytes()
                                          for p in output_files(tmp_path)}


def cold_output(root: Path, cfg: Config) -> dict[Path, bytes]:
    """What a cold build of the same folder writes."""
    fresh = root / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    cold = load(root / "config.toml", output=fresh)
    build(cold)
    return {p.relative_to(fresh): p.read_bytes() for p in sorted(fresh.rglob("*"))
            if p.is_file()}


def feeder(*args: str, cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "feeder", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=60, check=False, **kwargs)


def test_an_empty_source_folder_is_not_taken_for_a_deleted_site(tmp_path: Path) -> None:
    """Exit 2 and nothing removed; --allow-empty empties the feeds."""
    write_site(tmp_path, ["One", "Two"])
    assert 0 == feeder("build", cwd=tmp_path).returncode
    before = {p: p.read_bytes() for p in output_files(tmp_path)}
    for path in (tmp_path / "articles").iterdir():
        path.unlink()
    refused = feeder("build", cwd=tmp_path)
    assert (2, 1) == (refused.returncode, refused.stderr.count("\n"))
    assert "no article found, where the last build read 2" in refused.stderr
    assert before == {p: p.read_bytes() for p in output_files(tmp_path)}
    (tmp_path / ".feeder-public/index.sqlite").unlink()     # a cold start, too
    assert 2 == feeder("build", cwd=tmp_path).returncode
    assert 0 == feeder("build", "--allow-empty", cwd=tmp_path).returncode
    assert [] == titles_in(tmp_path)


def test_pages_written_by_a_build_that_died_are_removed_by_the_next(tmp_path: Path) -> None:
    """The manifest names a build's files before they are written: a page written by a
    build that failed afterwards, for an article deleted since, does not stay behind."""
    cfg = write_site(tmp_path, ["One", "Two"])
    build(cfg)
    write_site(tmp_path, ["One", "Two", "Three"])
    (tmp_path / "public/rss.xml").unlink()
    (tmp_path / "public/rss.xml").mkdir()          # the feeds cannot be written
    with pytest.raises(OutputError, match=r"rss\.xml"):
        build(cfg)
    assert (tmp_path / "public/posts/a2/index.html").is_file()    # written before it died
    (tmp_path / "public/rss.xml").rmdir()
    (tmp_path / "articles/a2.md").unlink()
    build(cfg)
    assert not (tmp_path / "public/posts/a2").exists()
    assert cold_output(tmp_path, cfg) == {p.relative_to(tmp_path / "public"): p.read_bytes()
                                          for p in output_files(tmp_path)}


def test_nothing_is_written_through_a_symbolic_link_in_the_output(tmp_path: Path) -> None:
    """A link planted where feeder writes a folder is refused, exit 2, naming it."""
    write_site(tmp_path, ["One"])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "public").mkdir()
    (tmp_path / "public/posts").symlink_to(elsewhere, target_is_directory=True)
    run = feeder("build", cwd=tmp_path)
    assert 2 == run.returncode
    assert "posts: is a symbolic link, and feeder never writes through one" in run.stderr
    assert [] == list(elsewhere.iterdir())


def test_an_index_that_is_a_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    write_site(tmp_path, ["One"])
    (tmp_path / ".feeder-public/index.sqlite").mkdir(parents=True)
    run = feeder("build", cwd=tmp_path)
    assert (2, 1) == (run.returncode, run.stderr.count("\n")), run.stderr
    assert "index.sqlite: is a folder or another non-file, where feeder keeps its index" in (
        run.stderr)


def test_a_full_disk_under_the_state_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Files over 64 KB cannot be written (RLIMIT_FSIZE: what a full disk looks like to
    SQLite); the index is bigger than that, the feeds of this folder are not."""
    titles = [f"Article {n}" for n in range(150)]
    write_site(tmp_path, titles)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))

    run = feeder("build", cwd=tmp_path, preexec_fn=small_files)
    assert (2, 1) == (run.returncode, run.stderr.count("\n")), run.stderr
    assert "index.sqlite" in run.stderr and "cannot" in run.stderr
    assert 0 == feeder("build", cwd=tmp_path).returncode     # room again: it builds


def test_explicit_ids_cannot_take_another_files_id(tmp_path: Path) -> None:
    """An ``id:`` equal to the id another file has from its path loses it, with a warning:
    two entries never share an id."""
    from feeder.ids import path_id

    cfg = write_site(tmp_path, ["One", "Two"])
    (tmp_path / "articles/a1.md").write_text(
        f"---\ntitle: Two\ndate: 2022-01-02\nid: '{path_id('a0.md')}'\n---\n",
        encoding="utf-8")
    report = build(cfg)
    ids = [i["id"] for i in json.loads((tmp_path / "public/feed.json").read_bytes())["items"]]
    assert (2, [path_id("a1.md"), path_id("a0.md")]) == (len(set(ids)), ids)
    assert [("a1.md", "warning")] == [(p.path, p.severity) for p in report.reading.problems]
    (tmp_path / "articles/a0.md").unlink()          # the id is free now: a1 takes it
    build(cfg)
    ids = [i["id"] for i in json.loads((tmp_path / "public/feed.json").read_bytes())["items"]]
    assert [path_id("a0.md")] == ids


def test_file_names_that_cannot_be_used_are_named(tmp_path: Path) -> None:
    """A name that is not UTF-8 and a path longer than the system allows are named in the
    build's and check's reports; every other article publishes."""
    cfg = write_site(tmp_path, ["One"])
    source = os.fsencode(tmp_path / "articles")
    with open(os.path.join(source, b"\xff\xfe.md"), "wb") as f:   # noqa: PTH118, PTH123
        f.write(b"---\ntitle: Bytes\ndate: 2022-01-01\n---\n")
    fd = os.open(source, os.O_RDONLY)
    for _ in range(20):             # 20 folders of 250 bytes: past PATH_MAX (4,096)
        os.mkdir("d" * 250, dir_fd=fd)
        inner = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    with os.fdopen(os.open("deep.md", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
        f.write("---\ntitle: Deep\ndate: 2022-01-01\n---\n")
    os.close(fd)
    report = build(cfg)
    named = skipped(report)
    assert "file name is not valid UTF-8" in named["\\xff\\xfe.md"]
    assert any("longer than this system allows" in m for m in named.values())
    assert (1, 3) == (report.reading.published, report.reading.files)
    assert set(named) == set(skipped_of(check(cfg)))
    assert ["One"] == titles_in(tmp_path)
