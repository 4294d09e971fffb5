"""Find the article files below the source folder, with their stat signatures.

Only stats and names: no file is opened here. The result is sorted by relative path, so
everything downstream sees the same order on every run and every machine.
"""

from __future__ import annotations

import errno
import hashlib
import marshal
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from feeder.errors import SourceError
from feeder.model import Problem, SourceFile

SKIPPED_DIRS = frozenset({"_drafts", "node_modules", "__pycache__"})


def digest_of(data: bytes) -> str:
    """Identity of a file's bytes (SHA-1: the fastest hashlib digest here, and this is no
    security boundary)."""
    return hashlib.sha1(data).hexdigest()


def stamps(by_folder: dict[str, Signatures]) -> dict[str, str]:
    """A digest of each folder's files: a folder whose stamp is unchanged had nothing added,
    changed or removed, and a rebuild need not look at its files' signatures at all (30 ms
    at 100,000 files). Marshal format 2 writes no back-references, so equal dicts give equal
    bytes whatever else holds them."""
    return {prefix: digest_of(marshal.dumps(files, 2)) for prefix, files in by_folder.items()}


# A file modified this close to the moment it is read may change again within one tick of
# the file system's clock without its size or mtime showing it: such files are read whole
# and fingerprinted by digest, and the next scan checks the digest.
RECENT_NS = 2_000_000_000
# hidden files, editor leftovers (*~, .#*, *.swp) and partial downloads are no articles
LEFTOVERS = ("~", ".swp", ".swo", ".tmp", ".part", ".crdownload")
Signatures = dict[str, tuple[int, int]]
UNKNOWN = (-1, -1)      # a signature ``list_folders`` leaves to the reader


IGNORED_FIRST = (".", "#", "~")


@dataclass
class Unlisted:
    """What a walk of the source folder found but could not list or use, filled in by
    ``scan_folders``/``list_folders``: a problem for each (a file whose name is not UTF-8,
    a path longer than the system allows, an unreadable folder), and the folders that could
    not be read (a build keeps what it knew of their files: a share that hiccups is no
    deletion)."""

    problems: list[Problem] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)

    def name(self, rel: str, message: str, severity: str = "error") -> None:
        shown = os.fsencode(rel).decode("utf-8", "backslashreplace")
        self.problems.append(Problem(shown, severity, message))   # type: ignore[arg-type]

    @property
    def skipped(self) -> int:
        """Article files named here as skipped."""
        return sum(p.severity == "error" for p in self.problems)


def scan(root: Path, extensions: tuple[str, ...], unlisted: Unlisted | None = None
         ) -> Signatures:
    """Every article file below ``root`` whose extension is in ``extensions``:
    relative path → (size, mtime_ns). Unordered: callers sort what they use."""
    return flat(scan_folders(root, extensions, unlisted))


def flat(by_folder: dict[str, Signatures]) -> Signatures:
    """Folder by folder → one mapping of every file."""
    found: Signatures = {}
    for files in by_folder.values():
        found.update(files)
    return found


def scan_folders(root: Path, extensions: tuple[str, ...], unlisted: Unlisted | None = None
                 ) -> dict[str, Signatures]:
    """``scan``'s result folder by folder: folder prefix ('' or 'a/b/') → its own files.

    Symlinked folders are not entered (no loops, nothing outside ``root``); a symlinked
    file counts only when it points inside ``root``. One ``stat`` per file and no object
    beyond a tuple: at 100,000 files this loop is most of a nothing-changed rebuild. What
    it cannot use goes into ``unlisted``.
    """
    return dict(_walk(root, extensions, True, unlisted or Unlisted()))


def list_folders(root: Path, extensions: tuple[str, ...], unlisted: Unlisted | None = None
                 ) -> dict[str, Signatures]:
    """The files ``scan_folders`` would find, in the same order, each with the signature
    ``UNKNOWN`` (the listing's file types are enough): a cold start reads every file anyway,
    and takes the stats in its worker processes (half a second less at 100,000 files)."""
    return dict(_walk(root, extensions, False, unlisted or Unlisted()))


def _walk(root: Path, extensions: tuple[str, ...], stat: bool, unlisted: Unlisted
          ) -> Iterator[tuple[str, Signatures]]:
    """(folder prefix, its article files' signatures) for each folder below root that has
    some; with ``stat`` false, each signature is ``UNKNOWN`` and no file is stat'ed."""
    if not root.is_dir():
        raise SourceError(f"{root}: source folder does not exist or is not a folder")
    real_root = root.resolve()
    suffixes = tuple(e.lower() for e in extensions)
    longest = _path_max(root)
    short = longest // 4 - 256      # a folder's path below this many characters, and a
    folders = [(str(root), "")]     # name (at most 255) in ASCII: nothing to check
    while folders:
        folder, prefix = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as e:
            if not prefix:
                raise SourceError(f"{folder}: cannot read source folder: {e.strerror}") from e
            _unreadable(unlisted, prefix, e)    # it costs only its own articles
            continue
        found: Signatures = {}
        for entry in entries:   # one loop, one stat per file: most of a nothing-changed build
            name = entry.name
            if name[:1] in IGNORED_FIRST or name.endswith(LEFTOVERS):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in SKIPPED_DIRS and _usable(unlisted, prefix + name + "/",
                                                            entry.path, longest):
                        folders.append((entry.path, prefix + name + "/"))
                    continue
                if not (name.endswith(suffixes) or name.lower().endswith(suffixes)):
                    continue
                if not ((name.isascii() and len(folder) < short) or _usable(
                        unlisted, prefix + name, entry.path, longest)):
                    continue
                if entry.is_symlink() and not (
                        entry.is_file() and _inside(Path(entry.path), real_root)):
                    continue
                if not stat:
                    if entry.is_file():
                        found[prefix + name] = UNKNOWN
                    continue
                st = entry.stat()
            except OSError:
                continue    # vanished or unreadable between listing and stat
            if st.st_mode & 0o170000 == 0o100000:       # a regular file
                found[prefix + name] = (st.st_size, st.st_mtime_ns)
        if found:
            yield prefix, found


def _path_max(root: Path) -> int:
    try:
        return os.pathconf(root, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 4096


def _usable(unlisted: Unlisted, rel: str, path: str, longest: int) -> bool:
    """Whether a file or folder can be an article's path: its name is UTF-8 (the index, ids
    and URLs hold text) and its path fits the system's limit; else it is named."""
    if not rel.isascii():
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:
            what = "folder" if rel.endswith("/") else "file"
            unlisted.name(rel, f"{what} name is not valid UTF-8; rename it to publish "
                          + ("its articles" if what == "folder" else "it"))
            return False
    if len(path) * 4 >= longest and len(os.fsencode(path)) >= longest:
        unlisted.name(rel, f"path is longer than this system allows ({longest} bytes); "
                      "not read: move it higher up")
        return False
    return True


def _unreadable(unlisted: Unlisted, prefix: str, error: OSError) -> None:
    if error.errno == errno.ENAMETOOLONG:
        unlisted.name(prefix, "path is longer than this system allows; not read")
        return
    unlisted.name(prefix, f"cannot read folder: {error.strerror or error}; its articles "
                  "keep their last state", "warning")
    unlisted.folders.append(prefix)


def folder_of(rel: str) -> str:
    """The folder prefix ('' or 'a/b/') under which ``scan_folders`` lists a file."""
    return rel[:rel.rfind("/") + 1]


def sources(found: Signatures, rels: Iterable[str]) -> list[SourceFile]:
    """The named files as ``SourceFile``s, sorted by path."""
    make = tuple.__new__        # SourceFile(...) costs three times as much: 100,000 of them
    return [make(SourceFile, (rel, *found[rel])) for rel in sorted(rels)]



def _inside(path: Path, real_root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(real_root)
    except OSError:
        return False
