"""Publishing writes only what changed, atomically, and deletes only its own files."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeder.errors import OutputError
from feeder.model import OutputFile
from feeder.publish import MANIFEST, publish, write_if_changed


def test_unchanged_bytes_are_not_rewritten(tmp_path: Path) -> None:
    """The same bytes keep the file's inode and mtime."""
    write_if_changed(tmp_path, "a/b.xml", b"one")
    before = (tmp_path / "a/b.xml").stat()
    assert not write_if_changed(tmp_path, "a/b.xml", b"one")
    after = (tmp_path / "a/b.xml").stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_changed_bytes_replace_the_file_by_rename(tmp_path: Path) -> None:
    """New bytes arrive as a new inode (rename), never by rewriting the old file in place."""
    write_if_changed(tmp_path, "f.xml", b"one")
    old = (tmp_path / "f.xml").stat().st_ino
    with (tmp_path / "f.xml").open("rb") as reader:     # a reader holding the old file
        assert write_if_changed(tmp_path, "f.xml", b"two")
        assert b"one" == reader.read()
    assert b"two" == (tmp_path / "f.xml").read_bytes()
    assert old != (tmp_path / "f.xml").stat().st_ino
    assert [] == [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("rel", ["../x", "/etc/x", "a/../../x", "", ".."])
def test_paths_outside_the_output_are_refused(tmp_path: Path, rel: str) -> None:
    """No file is written outside the output folder, whatever its name."""
    with pytest.raises(OutputError):
        write_if_changed(tmp_path / "out", rel, b"x")


@pytest.mark.parametrize("rel", ["a//b.xml", "a/./b.xml", "./a/b.xml"])
def test_empty_and_dot_parts_of_a_path_are_dropped(tmp_path: Path, rel: str) -> None:
    """'a//b.xml' (a permalink pattern with a doubled slash, say) is a/b.xml, as pathlib
    reads it, not a refusal."""
    assert write_if_changed(tmp_path, rel, b"x")
    assert b"x" == (tmp_path / "a" / "b.xml").read_bytes()


def test_files_no_longer_produced_are_removed_with_empty_folders(tmp_path: Path) -> None:
    """Stale feeder files go, their empty folders too; foreign files stay."""
    publish(tmp_path, [OutputFile("a/b/rss.xml", b"1"), OutputFile("rss.xml", b"2")])
    (tmp_path / "keep.txt").write_text("mine")
    done = publish(tmp_path, [OutputFile("rss.xml", b"2")])
    assert (("rss.xml",), ("a/b/rss.xml",)) == (done.unchanged, done.removed)
    assert not (tmp_path / "a").exists()
    assert (tmp_path / "keep.txt").exists()
    assert "rss.xml\n" == (tmp_path / MANIFEST).read_text()


def test_a_failed_write_keeps_the_other_files(tmp_path: Path) -> None:
    """A file that cannot be replaced is an error naming it; earlier files stay whole."""
    publish(tmp_path, [OutputFile("rss.xml", b"old")])
    (tmp_path / "atom.xml").mkdir()      # a folder where a feed should go: rename fails
    with pytest.raises(OutputError, match=r"atom\.xml: cannot write"):
        publish(tmp_path, [OutputFile("rss.xml", b"old"), OutputFile("atom.xml", b"new")])
    assert b"old" == (tmp_path / "rss.xml").read_bytes()
    assert [] == [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
