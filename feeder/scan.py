"""Find the article files below the source folder, with their stat signatures.

Only stats and names: no file is opened here. The result is sorted by relative path, so
everything downstream sees the same order on every run and every machine.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from feeder.errors import SourceError
from feeder.model import SourceFile

SKIPPED_DIRS = frozenset({"_drafts", "node_modules", "__pycache__"})


def digest_of(data: bytes) -> str:
    """Identity of a file's bytes (SHA-1: the fastest hashlib digest here, and this is no
    security boundary)."""
    return hashlib.sha1(data).hexdigest()


def is_ignored_name(name: str) -> bool:
    """Hidden files, editor leftovers (``*~``, ``.#*``, ``*.swp``) and partial downloads."""
    return (name.startswith((".", "#", "~"))
            or name.endswith(("~", ".swp", ".swo", ".tmp", ".part", ".crdownload")))


def scan(root: Path, extensions: tuple[str, ...]) -> list[SourceFile]:
    """Every article file below ``root`` whose extension is in ``extensions``, sorted by path.

    Symlinked folders are not entered (no loops, nothing outside ``root``); a symlinked
    file counts only when it points inside ``root``.
    """
    if not root.is_dir():
        raise SourceError(f"{root}: source folder does not exist or is not a folder")
    real_root = root.resolve()
    suffixes = tuple(e.lower() for e in extensions)
    found: list[SourceFile] = []
    folders = [(str(root), "")]
    while folders:
        folder, prefix = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as e:
            if prefix:      # an unreadable sub-folder costs only its own articles
                continue
            raise SourceError(f"{folder}: cannot read source folder: {e.strerror}") from e
        for entry in entries:
            name = entry.name
            if is_ignored_name(name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIPPED_DIRS:
                        folders.append((entry.path, prefix + name + "/"))
                elif name.lower().endswith(suffixes) and entry.is_file():
                    if entry.is_symlink() and not _inside(Path(entry.path), real_root):
                        continue
                    st = entry.stat()
                    found.append(SourceFile(prefix + name, st.st_size, st.st_mtime_ns))
            except OSError:
                continue    # vanished or unreadable between listing and stat
    found.sort()
    return found


def _inside(path: Path, real_root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(real_root)
    except OSError:
        return False
