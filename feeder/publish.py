"""Put the rendered files in the output folder: only what changed, atomically.

A file whose bytes are unchanged is not touched (its mtime stays, so HTTP validators stay).
A changed file is written to a temporary file in the same folder and renamed over the old one,
so a reader sees the old bytes or the new, never half. Files feeder wrote before and no longer
produces are removed; feeder's list of its files is ``.feeder-manifest`` in the output folder,
and nothing outside that list is ever deleted. The manifest names a build's files before they
are written (``intend``), so a build that dies halfway leaves no file the next one would not
remove. Nothing is written or removed through a symbolic link below the output folder.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from feeder.errors import OutputError
from feeder.model import OutputFile

MANIFEST = ".feeder-manifest"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


@dataclass(frozen=True)
class Published:
    """What ``publish`` did with each file."""

    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]


Outcome = tuple[str, bool]     # a file's path, and whether it was written (else unchanged)


def publish(root: Path, files: Iterable[OutputFile | Outcome], keep: Iterable[str] = ()
            ) -> Published:
    """Write ``files`` below ``root``, in their order, each as it comes; an ``Outcome`` in
    ``files`` is a file already written by ``write`` (in a worker process, after
    ``make_root``). Of the files feeder wrote before, those neither in ``files`` nor in
    ``keep`` (still valid, not rewritten this time) are removed."""
    make_root(root)
    written: list[str] = []
    unchanged: list[str] = []
    made: set[str] = set()
    for f in files:
        path, changed = ((f.path, write_if_changed(root, f.path, f.data, made))
                         if isinstance(f, OutputFile) else f)
        (written if changed else unchanged).append(path)
    keep = set(written) | set(unchanged) | set(keep)
    removed = [p for p in _manifest(root) if p not in keep and _remove(root, p)]
    manifest = "".join(p + "\n" for p in sorted(keep)).encode("utf-8")
    write_if_changed(root, MANIFEST, manifest)
    return Published(tuple(written), tuple(unchanged), tuple(removed))


def intend(root: Path, paths: Iterable[str]) -> None:
    """Add ``paths`` to the manifest before they are written: should this build die halfway,
    the next one knows them as feeder's, and removes those it no longer produces."""
    make_root(root)
    known = _manifest(root)
    wanted = set(known).union(paths)
    if len(wanted) != len(known):
        write_if_changed(root, MANIFEST, "".join(p + "\n" for p in sorted(wanted)).encode())


def make_root(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{root}: cannot create output folder: {e.strerror or e}") from e


def write(root: Path, files: Iterable[OutputFile]) -> list[Outcome]:
    """Write each of ``files`` unless it holds those bytes already (``publish`` does the
    rest)."""
    made: set[str] = set()
    return [(f.path, write_if_changed(root, f.path, f.data, made)) for f in files]


def _target(root: Path, rel: str) -> Path:
    return Path(_path(str(root), rel))


def _path(root: str, rel: str) -> str:
    """``root/rel``, refused when ``rel`` would lead outside ``root``; empty and '.' parts
    are dropped, as pathlib drops them."""
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or rel.startswith("/") or ".." in parts:
        raise OutputError(f"{rel!r}: refusing to write outside the output folder")
    return os.path.join(root, *parts)


def write_if_changed(root: Path, rel: str, data: bytes, made: set[str] | None = None) -> bool:
    """Atomically replace ``root/rel`` with ``data`` unless it already holds exactly that.
    ``made``: folders known to exist below ``root`` (filled in as they are made), saving a
    ``mkdir`` and an ``lstat`` each."""
    target = _path(str(root), rel)
    folder = os.path.dirname(target)
    _folder(str(root), folder, set() if made is None else made)
    if _holds(target, data):
        return False
    # one writer per output (the lock); its thread's id, as localize writes from threads
    tmp = os.path.join(folder, f".tmp-{threading.get_native_id()}.part")
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        except FileExistsError:             # left by a crash of a process with our pid
            os.unlink(tmp)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        try:
            try:                            # no fsync: a file lost to a power cut fails the
                os.fchmod(fd, 0o644)        # next build's size/mtime check and is written
                view = memoryview(data)     # again; 0644 whatever the umask, as served
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as e:
        raise OutputError(f"{target}: cannot write: {e.strerror or e}") from e
    return True


def _folder(root: str, folder: str, made: set[str]) -> None:
    """Make ``folder`` and the folders between it and ``root``, refusing a symbolic link or
    a file on the way: nothing is written outside the output through a link planted in it."""
    if folder in made or folder == root:
        return
    _folder(root, os.path.dirname(folder), made)
    try:
        os.mkdir(folder, 0o755)
    except FileExistsError:
        mode = os.lstat(folder).st_mode
        if stat.S_ISLNK(mode):
            raise OutputError(f"{folder}: is a symbolic link, and feeder never writes through "
                              "one (it could lead out of the output folder); remove it") from None
        if not stat.S_ISDIR(mode):
            raise OutputError(f"{folder}: is a file, where feeder writes a folder; remove it"
                              ) from None
    except OSError as e:
        raise OutputError(f"{folder}: cannot create folder: {e.strerror or e}") from e
    made.add(folder)


def _through_link(root: str, folder: str) -> bool:
    """Whether a symbolic link stands between ``root`` and ``folder``."""
    while folder != root and len(folder) > len(root):
        if os.path.islink(folder):
            return True
        folder = os.path.dirname(folder)
    return False


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (False when it cannot be read)."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return False
    try:
        chunks, most = [], len(data) + 1
        while most > 0 and (chunk := os.read(fd, most)):
            chunks.append(chunk)
            most -= len(chunk)
        return b"".join(chunks) == data
    except OSError:                 # a folder, say: it is replaced, or the write says why
        return False
    finally:
        os.close(fd)


def _manifest(root: Path) -> list[str]:
    try:
        return (root / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _remove(root: Path, rel: str) -> bool:
    try:
        target = _target(root, rel)
        if _through_link(str(root), str(target.parent)):
            return False
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
