"""Put the rendered files in the output folder: only what changed, atomically.

A file whose bytes are unchanged is not touched (its mtime stays, so HTTP validators stay).
A changed file is written to a temporary file in the same folder and renamed over the old one,
so a reader sees the old bytes or the new, never half. Files feeder wrote before and no longer
produces are removed; feeder's list of its files is ``.feeder-manifest`` in the output folder,
and nothing outside that list is ever deleted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from feeder.errors import OutputError
from feeder.model import OutputFile

MANIFEST = ".feeder-manifest"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class Published:
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


def publish(root: Path, files: Iterable[OutputFile], keep: Iterable[str] = ()) -> Published:
    """Write ``files`` below ``root``, in their order, each as it comes. Of the files feeder
    wrote before, those neither in ``files`` nor in ``keep`` (still valid, not rewritten
    this time) are removed."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{root}: cannot create output folder: {e.strerror or e}") from e
    written: list[str] = []
    unchanged: list[str] = []
    made: set[Path] = set()
    for f in files:
        (written if write_if_changed(root, f.path, f.data, made) else unchanged).append(f.path)
    keep = set(written) | set(unchanged) | set(keep)
    removed = [p for p in _manifest(root) if p not in keep and _remove(root, p)]
    manifest = "".join(p + "\n" for p in sorted(keep)).encode("utf-8")
    write_if_changed(root, MANIFEST, manifest)
    return Published(tuple(written), tuple(unchanged), tuple(removed))


def _target(root: Path, rel: str) -> Path:
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("..", ".", "") for p in parts):
        raise OutputError(f"{rel!r}: refusing to write outside the output folder")
    return root.joinpath(*parts)


def write_if_changed(root: Path, rel: str, data: bytes, made: set[Path] | None = None) -> bool:
    """Atomically replace ``root/rel`` with ``data`` unless it already holds exactly that.
    ``made``: folders known to exist (filled in as they are made), saving a ``mkdir`` each."""
    target = _target(root, rel)
    try:
        if target.read_bytes() == data:
            return False
    except OSError:
        pass
    folder = target.parent
    tmp = folder / f".tmp-{os.getpid()}.part"  # one file at a time; one writer (the lock)
    try:
        if made is None or folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            if made is not None:
                made.add(folder)
        tmp.unlink(missing_ok=True)             # left by a crash of a process with our pid
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        try:
            with os.fdopen(fd, "wb") as out:    # no fsync: a file lost to a power cut
                os.fchmod(out.fileno(), 0o644)  # fails the next build's size/mtime check
                out.write(data)                 # and is written again; 0644 whatever the
            tmp.replace(target)                 # umask, as the files are served
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise OutputError(f"{target}: cannot write: {e.strerror or e}") from e
    return True


def _manifest(root: Path) -> list[str]:
    try:
        return (root / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _remove(root: Path, rel: str) -> bool:
    try:
        target = _target(root, rel)
        target.unlink()
    except (OSError, OutputError):
        return False
    parent = target.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()      # only succeeds when empty
        except OSError:
            break
        parent = parent.parent
    return True
