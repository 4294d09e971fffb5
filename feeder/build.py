"""One pass of the pipeline, costing what changed since the last pass.

scan (stat every file) → read the new and changed files (parse + normalize, on every core
when many) → the index (``feeder.index``) updates each feed's membership → the feeds whose
entries changed get their contents (cached by file digest) and are rendered → publish.
With nothing changed, nothing is parsed, rendered or imported beyond the standard library.

``check`` reads the whole folder with the same code and writes nothing, so the two never
disagree about what is skipped. A bad article is skipped and named, never fatal. Never
imports the daemon, server or CLI.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from feeder import scan, status, templates
from feeder.config import Config, fingerprint
from feeder.errors import FeederError
from feeder.feeds import plan_feeds, render_planned
from feeder.ids import urn_for
from feeder.index import Index, open_index
from feeder.lock import StateLock
from feeder.model import FileRow, Problem, SourceFile
from feeder.scan import digest_of
from feeder.schema import remove_index
from feeder.selection import EPOCH

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


def build(cfg: Config, progress: Progress | None = None) -> BuildReport:
    """Bring the output up to date with the source folder, and record how that went in the
    state folder (``status``)."""
    started, wall = time.perf_counter(), time.time()
    with StateLock(cfg.state.path):
        try:
            try:
                report = _build(cfg, started, progress)
            except sqlite3.DatabaseError as e:      # corrupt beyond what opening noticed
                log.warning("%s: index unusable (%s); rebuilding it", index_file(cfg), e)
                remove_index(index_file(cfg))
                report = _build(cfg, started, progress)
        except (FeederError, OSError, sqlite3.Error) as e:
            status.record(cfg, wall, error=f"{type(e).__name__}: {e}")
            raise
        status.record(cfg, wall, report)
        return report


def _build(cfg: Config, started: float, progress: Progress | None) -> BuildReport:
    lap = _Laps()
    # the index is keyed on the templates too: after an edit, every page is rendered again
    with open_index(index_file(cfg), fingerprint(cfg) + templates.digest(cfg)) as db:
        known_stamps = db.stamps()
        cold = not known_stamps
        if cold:        # every file is read: the workers stat them as they read them
            by_folder = scan.list_folders(cfg.source.path, cfg.source.extensions)
            lap("scan")
            found = scan.flat(by_folder)
            to_read = scan.sources(found, found)
            gone: list[str] = []
            confirmed: list[str] = []
        else:
            by_folder = scan.scan_folders(cfg.source.path, cfg.source.extensions)
            lap("scan")
            stamps = scan.stamps(by_folder)
            moved = {p for p in stamps.keys() | known_stamps.keys()
                     if stamps.get(p) != known_stamps.get(p)}
            to_read, gone, confirmed = _changes(cfg.source.path, by_folder, db, moved)
        lap("compare")
        with db.transaction():
            _update(cfg, db, to_read, gone, confirmed, progress, cold, by_folder)
            if cold:    # the signatures are in now
                stamps, moved = scan.stamps(by_folder), set(by_folder)
            db.save_folders(by_folder, stamps, moved)
        lap(f"read {len(to_read)}")
        with db.transaction():
            plan = plan_feeds(cfg, db, db.pending())
            lap("plan")
            done = render_planned(cfg, db, plan)
            db.finish_indexes()     # if render_planned had nothing to do
            db.clear_pending()
        lap(f"render {len(plan.to_render)}")
        files = sum(len(f) for f in by_folder.values())
        return BuildReport(_reading(db, files), len(to_read), len(gone),
                           len(plan.listings), len(plan.to_render), done.written,
                           done.unchanged, done.removed, time.perf_counter() - started,
                           len(plan.pages.to_render))


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
            by_folder: dict[str, scan.Signatures]) -> None:
    """Apply the changes to the index; the feeds they touched are marked pending. On a cold
    start, the signatures the workers took are filled into ``by_folder``."""
    now = time.time_ns()
    due = db.move_horizon(horizon(cfg))
    nodes, keys = db.forget(gone + ([] if cold else [s.rel for s in to_read]))
    added_nodes: set[str] = set()
    added_keys: set[str] = set()
    if to_read:
        from feeder.articles import read_files  # the parsing libraries only for work

        rows = read_files(cfg.source.path, to_read, cfg)
        if cold:
            rows = _signed(rows, by_folder)
        added_nodes, added_keys = db.store(_counted(rows, len(to_read), progress), now,
                                           bulk=cold)
    db.mark_checked(confirmed, now)
    changed = nodes | added_nodes | due | db.settle_ids(keys | added_keys,
                                                        lambda rel: urn_for(f"path:{rel}"))
    db.recount(None if cold else changed)
    db.mark_pending(changed)    # until rendered: a build that fails later is redone


def _signed(rows: Iterable[FileRow], by_folder: dict[str, scan.Signatures]
            ) -> Iterator[FileRow]:
    for row in rows:
        by_folder[scan.folder_of(row.rel)][row.rel] = (row.size, row.mtime_ns)
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


def _reading(db: Index, files: int) -> Reading:
    counts = db.counts()
    problems = [Problem(rel, severity, message, line)   # type: ignore[arg-type]
                for rel, severity, message, line in db.problems()]
    problems += [Problem(rel, "warning", f"id {key!r} is used by another article; using the "
                         "file path as its id") for rel, key in db.id_clashes()]
    held = [_held(rel, published) for rel, published in db.held()]
    problems = sorted(problems + held, key=lambda p: (p.path, p.severity))
    return Reading(files, counts.get("entry", 0) - len(held), counts.get("draft", 0),
                   tuple(problems), len(held))


def check(cfg: Config) -> Reading:
    """Read every article as ``build`` would, without the index and without writing."""
    from feeder.articles import read_files

    found = scan.scan(cfg.source.path, cfg.source.extensions)
    sources = scan.sources(found, found)
    problems: list[Problem] = []
    owners: dict[str, str] = {}
    published = drafts = held = 0
    until = horizon(cfg)
    for row in read_files(cfg.source.path, sources, cfg):
        problems.extend(_row_problems(row))
        if row.state == "draft":
            drafts += 1
        elif row.state == "entry" and row.published > until:
            held += 1
            problems.append(_held(row.rel, row.published))
        elif row.state == "entry":
            published += 1
            if owners.setdefault(row.key, row.rel) != row.rel:
                problems.append(Problem(row.rel, "warning", f"id {row.key!r} is used by "
                                        "another article; using the file path as its id"))
    return Reading(len(sources), published, drafts, tuple(problems), held)


def _row_problems(row: FileRow) -> Iterator[Problem]:
    for severity, message, line in json.loads(row.problems or "[]"):
        yield Problem(row.rel, severity, message, line)
