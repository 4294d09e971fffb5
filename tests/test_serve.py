"""`feeder serve`: a real server process on 127.0.0.1 serving the output folder to readers."""

from __future__ import annotations

import gzip
import http.client
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from feeder.build import build
from feeder.config import load

from .processes import feeder_process, free_port, listening, until


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The seeds built into public/, served by `feeder serve` on a free port."""
    root = tmp_path_factory.mktemp("serve")
    (root / "articles").mkdir()
    for seed in (Path(__file__).parent.parent / "seeds").iterdir():
        (root / "articles" / seed.name).write_bytes(seed.read_bytes())
    (root / "outside.txt").write_text("secret", encoding="utf-8")
    port = free_port()
    (root / "config.toml").write_text(
        f'[site]\nbase_url = "http://127.0.0.1:{port}/"\n[source]\npath = "articles"\n'
        f'[output]\npath = "public"\n[server]\nport = {port}\nmax_age = 60\n', encoding="utf-8")
    with feeder_process(root, "serve") as proc:
        until(listening(port))
        yield f"http://127.0.0.1:{port}", root
        proc.terminate()


def test_healthz_is_503_until_a_build_has_run(served: tuple[str, Path]) -> None:
    base, root = served
    before = httpx.get(f"{base}/healthz")
    assert (503, "no build yet") == (before.status_code, before.json()["status"])
    build(load(root / "config.toml"))
    (root / "public" / "link-out.xml").symlink_to(root / "outside.txt")
    after = httpx.get(f"{base}/healthz")
    assert (200, "ok", 2) == (after.status_code, after.json()["status"],
                              after.json()["last_build"]["published"])


@pytest.mark.parametrize(("path", "media_type"), [
    ("/rss.xml", "application/rss+xml; charset=utf-8"),
    ("/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feed.json", "application/feed+json; charset=utf-8"),
    ("/feeds.opml", "text/x-opml; charset=utf-8"),
    ("/", "text/html; charset=utf-8"),
    ("/categories/%E6%96%B0%E5%AA%92%E4%BD%93/atom.xml", "application/atom+xml; charset=utf-8"),
])
def test_files_have_their_media_types(served: tuple[str, Path], path: str,
                                      media_type: str) -> None:
    base, _ = served
    until(lambda: httpx.get(f"{base}/healthz").status_code == 200)
    response = httpx.get(base + path)
    assert (200, media_type) == (response.status_code, response.headers["content-type"])
    assert "public, max-age=60" == response.headers["cache-control"]


def test_conditional_requests_get_304(served: tuple[str, Path]) -> None:
    base, root = served
    until(lambda: (root / "public/atom.xml").exists())
    first = httpx.get(f"{base}/atom.xml")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = httpx.get(f"{base}/atom.xml", headers={"If-None-Match": etag})
    by_date = httpx.get(f"{base}/atom.xml", headers={"If-Modified-Since": modified})
    other = httpx.get(f"{base}/atom.xml", headers={"If-None-Match": '"other"'})
    assert (304, b"", etag) == (by_etag.status_code, by_etag.content, by_etag.headers["etag"])
    assert (304, 200) == (by_date.status_code, other.status_code)


def test_head_and_gzip(served: tuple[str, Path]) -> None:
    base, root = served
    until(lambda: (root / "public/rss.xml").exists())
    body = (root / "public/rss.xml").read_bytes()
    head = httpx.head(f"{base}/rss.xml", headers={"Accept-Encoding": "identity"})
    assert (200, b"", str(len(body))) == (head.status_code, head.content,
                                          head.headers["content-length"])
    with httpx.Client(headers={"Accept-Encoding": "gzip"}) as client:
        raw = client.get(f"{base}/rss.xml")
    assert "gzip" == raw.headers["content-encoding"]
    assert body == raw.content     # httpx undid the gzip
    with closing(http.client.HTTPConnection(base.removeprefix("http://"))) as plain:
        plain.request("GET", "/rss.xml", headers={"Accept-Encoding": "gzip"})
        assert body == gzip.decompress(plain.getresponse().read())


@pytest.mark.parametrize("path", [
    "/../config.toml", "/%2e%2e/config.toml", "/%2E%2E/%2E%2E/etc/passwd",
    "/categories/../../config.toml", "//etc/passwd", "/..%2fconfig.toml", "/.feeder-manifest",
    "/link-out.xml", "/%00", "/categories/%2e%2e/%2e%2e/outside.txt",
])
def test_nothing_outside_the_output_folder_is_served(served: tuple[str, Path],
                                                     path: str) -> None:
    """Raw request paths (sent as written, no client normalising them) all get 404."""
    base, root = served
    until(lambda: (root / "public/link-out.xml").is_symlink())
    with closing(http.client.HTTPConnection(base.removeprefix("http://"))) as conn:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    assert 404 == response.status, (path, response.status)
    assert b"secret" not in body and b"base_url" not in body


@pytest.mark.parametrize(("accept", "media_type"), [
    ("application/rss+xml, application/atom+xml;q=0.9, */*;q=0.8",
     "application/rss+xml; charset=utf-8"),
    ("*/*", "application/rss+xml; charset=utf-8"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     "application/xml; charset=utf-8"),
])
def test_browsers_get_xml_they_style_readers_get_the_feed_type(served: tuple[str, Path],
                                                               accept: str,
                                                               media_type: str) -> None:
    """A browser asking for HTML gets the feed as application/xml, which it renders through
    feed.xsl (it shows application/rss+xml as text); readers get the feed's own type."""
    base, root = served
    until(lambda: (root / "public/rss.xml").exists())
    response = httpx.get(f"{base}/rss.xml", headers={"Accept": accept})
    assert media_type == response.headers["content-type"]
