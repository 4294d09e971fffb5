"""The feeder command as a user runs it: a real process, its output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import article


def feeder(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "feeder", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=60, check=False)


def test_build_prints_a_summary_and_exits_0(seeds_site: Path) -> None:
    """`feeder build` in a folder with config.toml writes the feeds and says what it did."""
    run = feeder("build", cwd=seeds_site)
    assert 0 == run.returncode, run.stderr
    assert ("read 2 articles (2 new or changed, 0 gone): 2 published, 0 drafts left out, "
            "0 skipped") in run.stdout
    assert ("4 feeds, 4 rendered, 2 pages rendered: 17 files written, 0 unchanged, 0 removed"
            in run.stdout)
    again = feeder("build", cwd=seeds_site)
    assert "read 2 articles (0 new or changed, 0 gone)" in again.stdout
    assert "4 feeds, 0 rendered: 0 files written, 0 unchanged, 0 removed" in again.stdout


def test_skipped_articles_are_named_on_stderr(site: Path) -> None:
    """A bad article is listed on stderr as path:line: error: reason; exit stays 0."""
    (site / "articles" / "ok.md").write_text(article("OK"), encoding="utf-8")
    (site / "articles" / "bad.md").write_text("---\ntitle: [x\n---\n", encoding="utf-8")
    run = feeder("build", cwd=site)
    assert 0 == run.returncode
    assert "articles/bad.md:2: error: bad YAML: unclosed bracket" in run.stderr
    assert "1 skipped" in run.stdout


def test_a_name_with_a_line_break_or_a_bidi_override_is_shown_escaped(site: Path) -> None:
    """One problem, one line, and what the terminal shows is the name's real order."""
    (site / "articles" / "new\nline\u202e.md").write_text("no front matter", encoding="utf-8")
    run = feeder("build", cwd=site)
    assert ["articles/new\\nline\\u202e.md:1: error: no front matter: expected a block "
            "between '---' lines at the top"] == run.stderr.splitlines()


def test_strict_turns_a_skip_into_exit_1(site: Path) -> None:
    """--strict exits 1 when any article was skipped, after writing the feeds."""
    (site / "articles" / "bad.md").write_text("no front matter", encoding="utf-8")
    run = feeder("build", "--strict", cwd=site)
    assert 1 == run.returncode
    assert (site / "public" / "rss.xml").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("build", "--config", "missing.toml"), "missing.toml: config file not found"),
    (("build", "--source", "nowhere"), "nowhere: source folder does not exist"),
])
def test_usage_errors_exit_2_with_the_path(site: Path, args: tuple[str, ...],
                                            message: str) -> None:
    """A missing config or source folder exits 2 naming the path."""
    run = feeder(*args, cwd=site)
    assert 2 == run.returncode
    assert message in run.stderr


def test_unwritable_output_exits_2(site: Path) -> None:
    """An output path that is a file, not a folder, exits 2 naming it."""
    (site / "articles" / "ok.md").write_text(article("OK"), encoding="utf-8")
    (site / "blocker").write_text("", encoding="utf-8")
    run = feeder("build", "--output", str(site / "blocker" / "out"), cwd=site)
    assert 2 == run.returncode
    assert "blocker" in run.stderr


def test_bad_config_value_exits_2(site: Path) -> None:
    """A bad value in config.toml exits 2 with the key in the message."""
    (site / "config.toml").write_text("[output]\nlimit = -1\n", encoding="utf-8")
    run = feeder("build", cwd=site)
    assert 2 == run.returncode
    assert "output.limit = -1 is not valid" in run.stderr


def test_check_reports_problems_as_json(site: Path) -> None:
    """`feeder check --format json` lists each problem and writes no feed."""
    (site / "articles" / "ok.md").write_text(article("OK"), encoding="utf-8")
    (site / "articles" / "bad.md").write_text("---\ntitle: x\ndate: 2022-13-45\n---\n",
                                              encoding="utf-8")
    run = feeder("check", "--format", "json", cwd=site)
    report = json.loads(run.stdout)
    assert 1 == run.returncode
    assert (2, 1, 1) == (report["articles"], report["published"], report["skipped"])
    assert report["problems"][0]["path"].endswith("bad.md")
    assert not (site / "public").exists()


@pytest.mark.parametrize("command", [(), ("build",), ("check",), ("run",), ("serve",)])
def test_every_help_has_an_example(command: tuple[str, ...], tmp_path: Path) -> None:
    """`feeder --help` and each command's help carry an example."""
    run = feeder(*command, "--help", cwd=tmp_path)
    assert 0 == run.returncode
    assert "example" in run.stdout


def test_readme_documents_every_command() -> None:
    """Each command of `feeder --help` appears in the README."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for command in ("feeder build", "feeder check", "feeder run", "feeder serve"):
        assert command in readme


def test_progress_bar_only_on_a_terminal(site: Path) -> None:
    """A long cold read draws a progress bar on a terminal; piped or with -q it does not."""
    import pty

    for n in range(520):
        (site / "articles" / f"a{n}.md").write_text(article(f"A{n}"), encoding="utf-8")
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "feeder", "build"], cwd=site,
                            stdout=subprocess.DEVNULL, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    proc.wait(timeout=60)
    os.close(controller)
    assert b"reading" in shown and b"520/520" in shown
    (site / "articles" / "new.md").write_text(article("new"), encoding="utf-8")
    import shutil
    shutil.rmtree(site / ".feeder-public")
    piped = feeder("build", cwd=site)
    assert "reading" not in piped.stderr
