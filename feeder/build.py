"""One pass of the pipeline, costing what changed since the last pass.

scan (stat every file) → read the new and changed files (parse + normalize, on every core
when many) → the index (``feeder.index``) updates each feed's membership → the feeds whose
entries changed get their contents (cached by file digest) and are rendered → publish.
With nothing changed, nothing is parsed, rendered or imported beyond the standard library.

A bad article is skipped and named, never fatal, whichever stage finds it: reading, cleaning
its body, rendering its page or its feed entries. ``check`` runs the same stages with an index
in memory, up to the cleaning, and writes nothing, so the two never disagree about what is
skipped. Never imports the daemon, server or CLI.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from feeder import scan, status, templates
from feeder.codec import EPOCH
from feeder.config import Config, fingerprint
from feeder.errors import SourceError, StateError
from feeder.feeds import FeedPlan, Rendered, plan_feeds, render_planned
from feeder.index import Index, memory_index, open_index
from feeder.lock import StateLock
from feeder.model import FileRow, Problem, SourceFile
from feeder.publish import Published
from feeder.scan import digest_of
from feeder.schema import remove_index

log = logging.getLogger("feeder")
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Reading:
    """What reading the folder found: counts, and every problem by file."""

    files: int
    published: int              # in the feeds now
    drafts: int
    problems: tuple[Problem, ...]
    held: int = 0               # dated in the future: published when their date comes

    @property
    def skipped(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class BuildReport:
    """What one build did, for the CLI and the status file."""

    reading: Reading
    parsed: int                 # files read this time (new or changed)
    forgotten: int              # files gone since the last build
    feeds: int
    rendered: int               # feeds rendered this time
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    seconds: float
    pages: int = 0              # article pages rendered this time


def index_file(cfg: Config) -> Path:
    return cfg.state.path / "index.sqlite"


def build(cfg: Config, progress: Progress | None = None, allow_empty: bool = False
          ) -> BuildReport:
    """Bring the output up to date with the source folder, and record how that went in the
    state folder (``status``). A source folder that holds no article where the last build
    had some is refused (``SourceError``: a share not mounted?) unless ``allow_empty``."""
    started, wall = time.perf_counter(), time.time()
    with StateLock(cfg.state.path):
        try:
            report = _with_index(cfg, started, progress, allow_empty)
        except BaseException as e:
            status.record(cfg, wall, error=f"{type(e).__name__}: {e}")
            raise
        status.record(cfg, wall, report)
        return report


def _with_index(cfg: Config, started: float, progress: Progress | None, allow_empty: bool
                ) -> BuildReport:
    """``_build`` with the state folder's index; one that fails under it (corrupt beyond
    what opening noticed) is rebuilt once, and a second failure is the state folder's."""
    path = index_file(cfg)
    # the index is keyed on the templates too: after an edit, every page is rendered again
    keyed = fingerprint(cfg) + templates.digest(cfg)
    for attempt in (1, 2):
        try:
            with open_index(path, keyed) as db:
                return _build(cfg, db, started, progress, allow_empty)
        except sqlite3.Error as e:
            if attempt == 2 or not isinstance(e, sqlite3.DatabaseError):
                raise StateError(f"{path}: cannot use the index: {e} (is the disk of the "
                                 "state folder full?)") from e
            log.warning("%s: index unusable (%s); rebuilding it", path, e)
            remove_index(path)
    raise AssertionError("unreachable")


def _build(cfg: Config, db: Index, started: float, progress: Progress | None,
           allow_empty: bool, dry: bool = False) -> BuildReport:
    """scan → compare with the index → read what changed → plan → render and publish."""
    lap = _Laps()
    unlisted = scan.Unlisted()
    known_stamps = db.stamps()
    cold = not known_stamps
    if cold:        # every file is read: the workers stat them as they read them
        by_folder = scan.list_folders(cfg.source.path, cfg.source.extensions, unlisted)
        lap("scan")
        _refuse_emptying(cfg, db, by_folder, allow_empty or dry)
        found = scan.flat(by_folder)
        to_read = scan.sources(found, found)
        gone: list[str] = []
        confirmed: list[str] = []
        moved = set(by_folder)
    else:
        by_folder = scan.scan_folders(cfg.source.path, cfg.source.extensions, unlisted)
        lap("scan")
        _refuse_emptying(cfg, db, by_folder, allow_empty or dry)
        for prefix in known_stamps:     # a folder that could not be read keeps its files
            if prefix.startswith(tuple(unlisted.folders)):
                by_folder[prefix] = db.signatures_in([prefix])
        stamps = scan.stamps(by_folder)
        moved = {p for p in stamps.keys() | known_stamps.keys()
                 if stamps.get(p) != known_stamps.get(p)}
        to_read, gone, confirmed = _changes(cfg.source.path, by_folder, db, moved)
    lap("compare")
    with db.transaction():
        moved |= _update(cfg, db, to_read, gone, confirmed, progress, cold, by_folder)
        db.save_folders(by_folder, scan.stamps({p: by_folder[p] for p in moved
                                                if p in by_folder}), moved)
    lap(f"read {len(to_read)}")
    with db.transaction():
        plan, done = _render(cfg, db, dry)
    lap(f"render {done.feeds}")
    files = sum(len(f) for f in by_folder.values())
    return BuildReport(_reading(db, files, unlisted), len(to_read), len(gone),
                       len(plan.listings), done.feeds, done.published.written,
                       done.published.unchanged, done.published.removed,
                       time.perf_counter() - started, done.pages)


def _refuse_emptying(cfg: Config, db: Index, by_folder: dict[str, scan.Signatures],
                     allowed: bool) -> None:
    """An empty source folder where the last build had articles is refused (a share that
    is not mounted must not empty every feed), unless ``allowed``."""
    if by_folder or allowed:
        return
    last = sum(db.counts().values()) or status.last_articles(cfg.state.path)
    if last:
        raise SourceError(f"{cfg.source.path}: no article found, where the last build read "
                          f"{last}; nothing was changed (is a share not mounted?). To "
                          "publish empty feeds, run 'feeder build --allow-empty'")


def _render(cfg: Config, db: Index, dry: bool) -> tuple[FeedPlan, Rendered]:
    """Plan the feeds, pages and catalog, then render and publish them (``render_planned``).
    An entry that cannot be cleaned or rendered is skipped, named, and read again by the
    next build; the feeds it was in are planned again without it."""
    touched = db.pending()
    total: Rendered | None = None
    while True:
        plan = plan_feeds(cfg, db, touched)
        done = render_planned(cfg, db, plan, dry)
        for warning in done.warned:
            db.note(warning)
        total = done if total is None else _both(total, done)
        if not done.failed:
            break
        once = {p.path: p for p in reversed(done.failed)}  # one problem an article, the first
        touched = db.skip(once.values())
    db.finish_indexes()     # if render_planned had nothing to do
    db.clear_pending()
    db.mark_pending(total.waiting)      # entries whose bodies could not be read: next time
    return plan, total


def _both(first: Rendered, then: Rendered) -> Rendered:
    """What two rounds of rendering did, as one (a file written in either was written)."""
    written = dict.fromkeys(first.published.written + then.published.written)
    unchanged = [p for p in dict.fromkeys(first.published.unchanged + then.published.unchanged)
                 if p not in written]
    removed = [p for p in dict.fromkeys(first.published.removed + then.published.removed)
               if p not in written]
    return Rendered(Published(tuple(written), tuple(unchanged), tuple(removed)),
                    first.feeds + then.feeds, first.pages + then.pages,
                    waiting=first.waiting | then.waiting)


class _Laps:
    """Logs the time each stage took (with -v)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        log.debug("%s: %.3f s", stage, now - self.last)
        self.last = now


def _changes(root: Path, by_folder: dict[str, scan.Signatures], db: Index, moved: set[str]
             ) -> tuple[list[SourceFile], list[str], list[str]]:
    """(files to read, files gone, ambiguous files confirmed unchanged by their digest).
    Only the folders whose stamps ``moved`` are compared file by file; the others are known
    to hold what the index has."""
    known = db.signatures_in(moved)
    found = {rel: sig for p in moved for rel, sig in by_folder.get(p, {}).items()}
    changed = [rel for rel, seen in found.items() if known.get(rel) != seen]
    gone = sorted(rel for rel in known if rel not in found)
    confirmed: list[str] = []
    to_read = set(changed)
    for rel in db.ambiguous():      # same size and mtime, yet it may have changed within
        sig = by_folder.get(scan.folder_of(rel), {}).get(rel)     # one tick of the
        if sig is not None and rel not in to_read:                # file system's clock
            found[rel] = sig
            if _digest(root, rel) == db.digest(rel):
                confirmed.append(rel)
            else:
                changed.append(rel)
    return scan.sources(found, changed), gone, confirmed


def _digest(root: Path, rel: str) -> str:
    try:
        return digest_of((root / rel).read_bytes())
    except OSError:
        return ""


def _update(cfg: Config, db: Index, to_read: list[SourceFile], gone: list[str],
            confirmed: list[str], progress: Progress | None, cold: bool,
            by_folder: dict[str, scan.Signatures]) -> set[str]:
    """Apply the changes to the index; the feeds they touched are marked pending. The
    signatures the workers took on a cold start are filled into ``by_folder``, and a file
    that could not be read gets none, so the next build tries it again: returns the folders
    of such files."""
    now = time.time_ns()
    retry: set[str] = set()
    due = db.move_horizon(horizon(cfg))
    nodes, ids = db.forget(gone + ([] if cold else [s.rel for s in to_read]))
    added_nodes: set[str] = set()
    added_ids: set[str] = set()
    if to_read:
        from feeder.articles import read_files  # the parsing libraries only for work

        rows = _signed(read_files(cfg.source.path, to_read, cfg), by_folder, retry)
        added_nodes, added_ids = db.store(_counted(rows, len(to_read), progress), now,
                                          bulk=cold)
    db.mark_checked(confirmed, now)
    changed = nodes | added_nodes | due | db.settle_ids(None if cold else ids | added_ids)
    db.recount(None if cold else changed)
    db.mark_pending(changed)    # until rendered: a build that fails later is redone
    return retry


def _signed(rows: Iterable[FileRow], by_folder: dict[str, scan.Signatures], retry: set[str]
            ) -> Iterator[FileRow]:
    for row in rows:
        folder = scan.folder_of(row.rel)
        if row.digest:
            by_folder[folder][row.rel] = (row.size, row.mtime_ns)
        else:           # not read: no signature, so that the next build reads it
            by_folder[folder][row.rel] = scan.UNKNOWN
            retry.add(folder)
        yield row


def _counted(rows: Iterable[FileRow], total: int, progress: Progress | None
             ) -> Iterator[FileRow]:
    for n, row in enumerate(rows, 1):
        if progress and (n % 200 == 0 or n == total):
            progress("reading", n, total)
        yield row


def horizon(cfg: Config) -> int:
    """Entries dated after this moment (µs since 1970) are held back: now, unless
    ``[output] future = "publish"``."""
    return time.time_ns() // 1000 if cfg.output.future == "hold" else 2**62


def _held(rel: str, published: int) -> Problem:
    when = (EPOCH + timedelta(microseconds=published)).isoformat()
    return Problem(rel, "warning", f"dated {when}, in the future: held back until then")


def _reading(db: Index, files: int, unlisted: scan.Unlisted) -> Reading:
    counts = db.counts()
    problems = [Problem(rel, severity, message, line)   # type: ignore[arg-type]
                for rel, severity, message, line in db.problems()]
    problems += [Problem(rel, "warning", f"id {key!r} is used by another article; using the "
                         "file path as its id") for rel, key in db.id_clashes()]
    held = [_held(rel, published) for rel, published in db.held()]
    problems = sorted(problems + held + unlisted.problems, key=lambda p: (p.path, p.severity))
    return Reading(files + unlisted.skipped, counts.get("entry", 0) - len(held),
                   counts.get("draft", 0), tuple(problems), len(held))


def check(cfg: Config) -> Reading:
    """Read every article as ``build`` would, and clean the bodies it would publish, with an
    index in memory and images left where they are: writes nothing."""
    offline = dataclasses.replace(cfg, images=dataclasses.replace(cfg.images, mode="direct"))
    with memory_index() as db:
        return _build(offline, db, time.perf_counter(), None, True, dry=True).reading
