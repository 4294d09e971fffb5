"""`feeder run` as a real process: builds on changes, serves, survives failures, stops cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import httpx
import pytest

from .conftest import article
from .processes import feeder_process, free_port, listening, until


def daemon_site(root: Path, watch: bool = True) -> str:
    """An article folder with one article and a config for `feeder run`; returns its URL."""
    (root / "articles").mkdir(exist_ok=True)
    (root / "articles" / "first.md").write_text(article("First", date="2022-01-01"),
                                                encoding="utf-8")
    port = free_port()
    (root / "config.toml").write_text(
        f'[site]\nbase_url = "http://127.0.0.1:{port}/"\n[source]\npath = "articles"\n'
        f'[output]\npath = "public"\n[server]\nport = {port}\n'
        f'[schedule]\ninterval = "1h"\nwatch = {str(watch).lower()}\ndebounce = "0.2s"\n',
        encoding="utf-8")
    return f"http://127.0.0.1:{port}"


def healthy(base: str) -> bool:
    return httpx.get(f"{base}/healthz").status_code == 200


def titles(base: str) -> list[str]:
    return [e.title for e in feedparser.parse(httpx.get(f"{base}/atom.xml").content).entries]


def test_a_new_article_is_served_within_seconds(tmp_path: Path) -> None:
    """Watching: a file dropped into the folder is in the served feed within 5 s; a reader's
    conditional GET gets 304 before the change and 200 with a new ETag after it."""
    base = daemon_site(tmp_path)
    with feeder_process(tmp_path, "run"):
        until(lambda: healthy(base), 20)
        etag = httpx.get(f"{base}/atom.xml").headers["etag"]
        assert 304 == httpx.get(f"{base}/atom.xml", headers={"If-None-Match": etag}).status_code
        (tmp_path / "articles" / "second.md").write_text(
            article("Second", date="2022-02-02"), encoding="utf-8")
        until(lambda: "Second" in titles(base), 5)
        after = httpx.get(f"{base}/atom.xml", headers={"If-None-Match": etag})
        assert (200, True) == (after.status_code, after.headers["etag"] != etag)


def test_sigterm_during_a_build_leaves_whole_feeds_and_exits_0(tmp_path: Path) -> None:
    base = daemon_site(tmp_path, watch=False)
    for n in range(3000):
        (tmp_path / "articles" / f"a{n:04}.md").write_text(
            article(f"Article {n}", date=f"2021-{n % 12 + 1:02}-{n % 28 + 1:02}"),
            encoding="utf-8")
    state = tmp_path / ".feeder-public"
    with feeder_process(tmp_path, "run") as proc:
        until(lambda: (state / "index.sqlite.new").exists(), 20, step=0.01)   # building
        proc.send_signal(signal.SIGTERM)
        assert 0 == proc.wait(timeout=60)
    for path in (tmp_path / "public").rglob("*"):
        if path.suffix == ".xml":
            assert 0 == feedparser.parse(path.read_bytes()).bozo, path
        elif path.suffix == ".json":
            json.loads(path.read_bytes())
    with feeder_process(tmp_path, "run"):        # and it starts again
        until(lambda: healthy(base), 60)
        assert 50 == len(titles(base))


def test_a_failed_build_is_reported_and_the_next_one_recovers(tmp_path: Path) -> None:
    base = daemon_site(tmp_path)
    with feeder_process(tmp_path, "run") as proc:
        until(lambda: healthy(base), 20)
        (tmp_path / "public/atom.xml").unlink()
        (tmp_path / "public/atom.xml").mkdir()          # a folder where the feed must go
        (tmp_path / "articles" / "first.md").write_text(article("Edited"), encoding="utf-8")
        health = until(lambda: (r := httpx.get(f"{base}/healthz")).status_code == 503 and r)
        assert "atom.xml" in health.json()["last_build"]["error"]
        assert proc.poll() is None                       # the daemon goes on
        (tmp_path / "public/atom.xml").rmdir()
        (tmp_path / "articles" / "first.md").write_text(article("Again"), encoding="utf-8")
        until(lambda: healthy(base), 10)
        assert ["Again"] == titles(base)


def test_a_second_daemon_or_build_is_refused(tmp_path: Path) -> None:
    base = daemon_site(tmp_path)
    with feeder_process(tmp_path, "run"):
        until(lambda: healthy(base), 20)
        for command in (["run", "--port", str(free_port())], ["build"]):
            second = subprocess.run([sys.executable, "-m", "feeder", *command], cwd=tmp_path,
                                    capture_output=True, text=True, timeout=30, check=False)
            assert 2 == second.returncode
            assert "is running with this state folder ('feeder run'" in second.stderr


@pytest.mark.parametrize("cron", ["*/5 * * * *", "0 3 * * mon-fri"])
def test_a_cron_schedule_is_accepted(tmp_path: Path, cron: str) -> None:
    base = daemon_site(tmp_path, watch=False)
    config = tmp_path / "config.toml"
    config.write_text(config.read_text() + f'cron = "{cron}"\n', encoding="utf-8")
    with feeder_process(tmp_path, "run"):
        until(listening(int(base.rsplit(":", 1)[1])), 20)
        until(lambda: healthy(base), 20)
