"""Image fetching and the `proxy` mode, against a real image host on 127.0.0.1.

No test sends a packet beyond 127.0.0.0/8: private and public addresses are refused before
any connection (the resolver stub below answers for names; nothing is looked up or sent)."""

from __future__ import annotations

import dataclasses
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import pytest

from feeder.build import build
from feeder.config import Config, Images, load
from feeder.fetch import FetchError, check_host, fetch_image

from .conftest import article
from .processes import feeder_process, free_port, listening, until
from .upstream import PNG, Upstream, upstream


def images_cfg(**settings: object) -> Config:
    base = Images(allow_private=True, timeout=2.0, max_bytes=1_000_000)
    return dataclasses.replace(Config(), images=dataclasses.replace(base, **settings))


@pytest.fixture
def host() -> Iterator[Upstream]:
    with upstream() as server:
        yield server


def test_an_image_is_fetched_without_a_referer(host: Upstream) -> None:
    image = fetch_image(host.url("/img.png"), images_cfg())
    assert (PNG, "image/png", [None]) == (image.data, image.media_type, host.referers)


def test_redirects_are_followed(host: Upstream) -> None:
    image = fetch_image(host.url("/redirect-to//img.png"), images_cfg())
    assert PNG == image.data


def test_a_configured_referer_is_sent_for_its_host(host: Upstream) -> None:
    cfg = images_cfg(referers=(("127.0.0.1", "http://127.0.0.1/"),))
    fetch_image(host.url("/img.png"), cfg)
    assert ["http://127.0.0.1/"] == host.referers


@pytest.mark.parametrize(("path", "words"), [
    ("/big", "max_bytes"),
    ("/slow", "Timeout"),
    ("/html", "not an image"),
    ("/loop/0", "more than 5 redirects"),
    ("/missing.png", "HTTP 404"),
])
def test_hostile_upstreams_are_refused(host: Upstream, path: str, words: str) -> None:
    with pytest.raises(FetchError, match=words):
        fetch_image(host.url(path), images_cfg())


def test_loopback_is_refused_unless_allowed(host: Upstream) -> None:
    """allow_private = false: the request never leaves; the host sees nothing."""
    for url in (host.url("/img.png"), "http://localhost:9/img.png", "http://[::1]:9/x.png",
                "http://127.1.2.3/img.png", "file:///etc/passwd", "ftp://127.0.0.1/x.png"):
        with pytest.raises(FetchError):
            fetch_image(url, images_cfg(allow_private=False))
    assert 0 == sum(host.hits.values())


def test_a_redirect_to_a_refused_host_is_not_followed(host: Upstream) -> None:
    """127.0.0.1 is allowed by name; its redirect to 127.0.0.2 is not, and is never sent."""
    with upstream("127.0.0.2") as other:
        cfg = images_cfg(hosts=("127.0.0.1",))
        with pytest.raises(FetchError, match=r"127\.0\.0\.2 is not allowed"):
            fetch_image(host.url("/redirect-to/" + other.url("/img.png")), cfg)
        assert 0 == sum(other.hits.values())


@pytest.mark.parametrize("address", ["10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.1.1",
                                     "224.0.0.1", "0.0.0.0", "fd00::1", "fe80::1"])
def test_private_addresses_are_refused_by_name(monkeypatch: pytest.MonkeyPatch,
                                               address: str) -> None:
    """A name resolving to a private address is refused (a resolver stub answers; nothing is
    connected to)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def resolve(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        assert "images.test" == host
        return [(family, socket.SOCK_STREAM, 6, "", (address, 80))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(FetchError, match="non-public address"):
        check_host("http://images.test/a.png", images_cfg(allow_private=False))


def test_deny_hosts_wins(host: Upstream) -> None:
    with pytest.raises(FetchError, match="not allowed"):
        fetch_image(host.url("/img.png"), images_cfg(deny_hosts=("127.0.0.1",)))


def test_proxy_mode_serves_the_image_to_a_reader(tmp_path: Path, host: Upstream) -> None:
    """Feeds point at feeder's /img/ URLs; a reader gets the upstream image from them (the
    upstream sees one request for two reads); unsigned or altered URLs are 403."""
    port = free_port()
    (tmp_path / "articles").mkdir()
    body = f'<p>x</p><img src="{host.url("/img-body.png")}"><p>y</p>'
    (tmp_path / "articles" / "a.md").write_text(article(
        "A", body=body, extra=f"headimg: {host.url('/img-lead.png')}\n"), encoding="utf-8")
    (tmp_path / "config.toml").write_text(
        f'[site]\nbase_url = "http://127.0.0.1:{port}/"\n[source]\npath = "articles"\n'
        f'[output]\npath = "public"\n[server]\nport = {port}\n'
        '[images]\nmode = "proxy"\nallow_private = true\n', encoding="utf-8")
    build(load(tmp_path / "config.toml"))
    entry = feedparser.parse((tmp_path / "public/atom.xml").read_bytes()).entries[0]
    urls = [m["url"] for m in entry.media_thumbnail] + [
        part.split('"')[0] for part in entry.content[0].value.split('src="')[1:]]
    assert all(u.startswith(f"http://127.0.0.1:{port}/img/") for u in urls), urls
    with feeder_process(tmp_path, "serve"):
        until(listening(port))
        for url in urls:
            first, second = httpx.get(url), httpx.get(url)
            assert (200, "image/png", PNG) == (first.status_code,
                                               first.headers["content-type"], first.content)
            assert (PNG, "public, max-age=31536000, immutable") == (
                second.content, second.headers["cache-control"])
        assert {"/img-body.png": 1, "/img-lead.png": 1} == dict(host.hits)
        signature, token = urls[0].rsplit("/", 2)[-2:]
        altered = urls[0].replace(signature, "0" * len(signature))
        other = httpx.get(f"http://127.0.0.1:{port}/img/{signature}/{token[:-2]}")
        assert (403, 403) == (httpx.get(altered).status_code, other.status_code)
        assert 2 == sum(host.hits.values())


def localize_site(root: Path, host: Upstream, paths: list[str]) -> Config:
    (root / "articles").mkdir()
    body = "".join(f'<p>{n}</p><img src="{host.url(p)}">' for n, p in enumerate(paths))
    (root / "articles" / "a.md").write_text(article(
        "A", body=body, extra=f"headimg: {host.url('/img-lead.png')}\n"), encoding="utf-8")
    (root / "config.toml").write_text(
        '[site]\nbase_url = "http://127.0.0.1:8080/"\n[source]\npath = "articles"\n'
        '[output]\npath = "public"\n[images]\nmode = "localize"\nallow_private = true\n'
        'timeout = 2\nmax_bytes = 1_000_000\n', encoding="utf-8")
    return load(root / "config.toml")


def image_urls(root: Path) -> list[str]:
    urls = []
    for name in ("atom.xml", "rss.xml"):
        for entry in feedparser.parse((root / "public" / name).read_bytes()).entries:
            urls += [m["url"] for m in entry.get("media_thumbnail", [])]
            urls += [p.split('"')[0] for p in entry.content[0].value.split('src="')[1:]]
    return urls


def test_localize_puts_every_image_in_the_output(tmp_path: Path, host: Upstream) -> None:
    cfg = localize_site(tmp_path, host, ["/img-a.png", "/redirect-to//img-b.png"])
    build(cfg)
    urls = image_urls(tmp_path)
    assert 8 == len(urls)      # lead image and two in the body; lead once more on top
    for url in urls:
        assert url.startswith("http://127.0.0.1:8080/img/"), url
        assert PNG == (tmp_path / "public" / url.removeprefix("http://127.0.0.1:8080/")
                       ).read_bytes()
    seen = sum(host.hits.values())
    (tmp_path / "public/atom.xml").unlink()      # make the next build render again
    build(cfg)
    assert (seen, urls) == (sum(host.hits.values()), image_urls(tmp_path))


def test_localize_keeps_refused_images_remote_and_retries(tmp_path: Path,
                                                          host: Upstream) -> None:
    cfg = localize_site(tmp_path, host, ["/img-ok.png", "/html", "/big"])
    run = subprocess.run([sys.executable, "-m", "feeder", "build"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=False)
    assert 0 == run.returncode
    assert "not downloaded" in run.stderr
    urls = image_urls(tmp_path)
    assert {host.url("/html"), host.url("/big")} == {u for u in urls
                                                     if not u.startswith("http://127.0.0.1:80")}
    assert (1, 1) == (host.hits["/html"], host.hits["/img-ok.png"])
    build(cfg)                                    # nothing changed, yet the failures are retried
    assert (2, 1) == (host.hits["/html"], host.hits["/img-ok.png"])


def test_the_proxy_cache_evicts_the_least_recently_served(tmp_path: Path,
                                                          host: Upstream) -> None:
    from feeder.proxy import ImageCache

    size = len(PNG)
    cfg = dataclasses.replace(images_cfg(cache_bytes=int(size * 2.5)),
                              state=dataclasses.replace(Config().state, path=tmp_path))
    cache = ImageCache(cfg)
    cache.image(host.url("/img-1.png"))
    cache.image(host.url("/img-2.png"))
    cache.image(host.url("/img-1.png"))          # served again: now the most recent
    cache.image(host.url("/img-3.png"))          # over the cap: img-2 goes
    cache.image(host.url("/img-1.png"))
    cache.image(host.url("/img-2.png"))
    assert {"/img-1.png": 1, "/img-2.png": 2, "/img-3.png": 1} == dict(host.hits)
    assert size * 2.5 >= sum(p.stat().st_size for p in (tmp_path / "images").glob("*/*"))
