"""WebSub: feeds name their hubs, and a build pings a real hub stub on 127.0.0.1 once per
changed feed, never when nothing changed, and never fails because a hub is down."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest

from .conftest import article
from .processes import free_port


class Hub(ThreadingHTTPServer):
    """Records every publish ping it gets."""

    def __init__(self) -> None:
        self.pings: list[dict[str, list[str]]] = []
        super().__init__(("127.0.0.1", 0), HubHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hub"


class HubHandler(BaseHTTPRequestHandler):
    server: Hub

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.server.pings.append(parse_qs(self.rfile.read(length).decode()))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def site_with_hubs(root: Path, *hubs: str) -> None:
    (root / "articles").mkdir()
    (root / "articles" / "a.md").write_text(article("A", extra="categories: [One]\n"),
                                            encoding="utf-8")
    (root / "articles" / "b.md").write_text(article("B", extra="categories: [Two]\n"),
                                            encoding="utf-8")
    (root / "config.toml").write_text(
        '[site]\nbase_url = "http://127.0.0.1:8080/"\n[source]\npath = "articles"\n'
        f'[output]\npath = "public"\n[websub]\nhubs = {json.dumps(list(hubs))}\ntimeout = 2\n',
        encoding="utf-8")


def feeder_build(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "feeder", "build"], cwd=root,
                          capture_output=True, text=True, timeout=60, check=False)


def pinged(hub: Hub) -> list[str]:
    assert all(["publish"] == p["hub.mode"] for p in hub.pings)
    return sorted(url for p in hub.pings for url in p["hub.url"])


def test_feeds_name_their_hubs(tmp_path: Path, hub: Hub) -> None:
    site_with_hubs(tmp_path, hub.url)
    assert 0 == feeder_build(tmp_path).returncode
    for name in ("rss.xml", "atom.xml"):
        feed = feedparser.parse((tmp_path / "public" / name).read_bytes())
        assert 0 == feed.bozo
        assert [hub.url] == [link.href for link in feed.feed.links if link.rel == "hub"]
    doc = json.loads((tmp_path / "public/feed.json").read_text(encoding="utf-8"))
    assert [{"type": "WebSub", "url": hub.url}] == doc["hubs"]


def test_one_ping_per_changed_feed_and_none_when_nothing_changed(tmp_path: Path,
                                                                 hub: Hub) -> None:
    site_with_hubs(tmp_path, hub.url)
    assert 0 == feeder_build(tmp_path).returncode
    base = "http://127.0.0.1:8080/"
    every = sorted(f"{base}{folder}{name}" for folder in ("", "categories/one/",
                                                          "categories/two/")
                   for name in ("atom.xml", "feed.json", "rss.xml"))
    assert every == pinged(hub)
    hub.pings.clear()
    assert 0 == feeder_build(tmp_path).returncode
    assert [] == pinged(hub)
    (tmp_path / "articles" / "a.md").write_text(
        article("A edited", extra="categories: [One]\n"), encoding="utf-8")
    assert 0 == feeder_build(tmp_path).returncode
    assert sorted(f"{base}{folder}{name}" for folder in ("", "categories/one/")
                  for name in ("atom.xml", "feed.json", "rss.xml")) == pinged(hub)


def test_a_hub_that_is_down_never_fails_the_build(tmp_path: Path, hub: Hub) -> None:
    down = f"http://127.0.0.1:{free_port()}/hub"      # nothing listens there
    site_with_hubs(tmp_path, down, hub.url)
    run = feeder_build(tmp_path)
    assert 0 == run.returncode
    assert f"websub: {down}" in run.stderr
    assert 9 == len(pinged(hub))                      # the other hub still hears of all
