"""The index's tables, and the SQLite files that hold them: opening, creating, putting a
fresh one in place, removing. No queries: those are ``feeder.index``'s.

A fresh index is built beside the old one (``index.sqlite.new``) and takes its place only when
the build went through. A state folder that cannot hold it (a folder where the file belongs,
a full disk) is a ``StateError``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from feeder.errors import StateError
from feeder.scan import RECENT_NS

SCHEMA_VERSION = 13     # 10: pages; 11: members without a primary key; 12: ids; 13: encodings
SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);
CREATE TABLE folders(prefix TEXT PRIMARY KEY, stamp TEXT, files BLOB);
CREATE TABLE files(rel TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, checked_ns INTEGER,
                   digest TEXT, state TEXT, problems TEXT);
CREATE TABLE entries(rel TEXT PRIMARY KEY, key TEXT, own_id TEXT, id TEXT, data BLOB);
-- no primary key: (node, rel) is unique by construction, and a cold start appends 400,000
-- rows at 100,000 articles instead of keeping a third B-tree in order (1 s less)
CREATE TABLE members(node TEXT, published INTEGER, id TEXT, rel TEXT);
CREATE TABLE nodes(node TEXT PRIMARY KEY, count INTEGER);
CREATE TABLE pending(node TEXT PRIMARY KEY);
CREATE TABLE feeds(node TEXT PRIMARY KEY, path TEXT, title TEXT, count INTEGER, signature TEXT);
CREATE TABLE contents(digest TEXT PRIMARY KEY, html TEXT, summary TEXT, image TEXT);
CREATE TABLE pages(path TEXT PRIMARY KEY, signature TEXT);
CREATE TABLE outputs(path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER);
"""
INDEXES = f"""
CREATE INDEX IF NOT EXISTS files_state ON files(state);
CREATE INDEX IF NOT EXISTS files_problems ON files(rel) WHERE problems IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_ambiguous ON files(rel) WHERE mtime_ns + {RECENT_NS} > checked_ns;
CREATE INDEX IF NOT EXISTS entries_clash ON entries(id) WHERE id != own_id;
CREATE INDEX IF NOT EXISTS entries_own ON entries(own_id);
CREATE INDEX IF NOT EXISTS members_order ON members(node, published DESC, id);
CREATE INDEX IF NOT EXISTS members_rel ON members(rel);
"""

# the indexes that settling ids and planning the feeds use; a cold start builds the others
# while the workers clean bodies (Index.finish_indexes)
PLANNING = frozenset({"members_order", "entries_own"})


def connect(path: Path, *pragmas: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level="DEFERRED")
    for pragma in pragmas:
        conn.execute(f"PRAGMA {pragma}")
    return conn


def remove_index(path: Path) -> None:
    """Delete the index and its write-ahead log (a stale log must not meet a new file)."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)


def fresh_path(path: Path) -> Path:
    return path.with_name(path.name + ".new")


def open_file(path: Path, fingerprint: str) -> tuple[sqlite3.Connection, Path | None]:
    """(a connection to the index at ``path``, None), or, when it is missing, unreadable,
    corrupt, of another schema version or made with other settings (``fingerprint``), a
    fresh one's (connection, ``path``: the file it replaces once the build is done)."""
    if path.exists() and not path.is_file():
        raise StateError(f"{path}: is a folder or another non-file, where feeder keeps its "
                         "index; remove it (the state folder holds only what a build rebuilds)")
    try:
        if not path.is_file():
            raise sqlite3.DatabaseError("no index")     # connecting would create the file
        conn = connect(path, "journal_mode = WAL", "synchronous = NORMAL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        stored = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        if version == SCHEMA_VERSION and stored == (fingerprint,):
            return conn, None
        conn.close()
    except sqlite3.DatabaseError:
        pass
    return _create(path, fingerprint), path


def in_memory() -> sqlite3.Connection:
    """An empty index in memory."""
    conn = connect(Path(":memory:"))
    with conn:
        conn.executescript(SCHEMA + INDEXES)
    return conn


def _create(path: Path, fingerprint: str) -> sqlite3.Connection:
    """An empty index, built beside ``path`` without a write-ahead log or syncs (a cold start
    writes it all in one go: 100,000 files cost 1.5 s less) and moved over ``path`` when the
    build succeeds, so a crash can leave a half-built index only under another name."""
    fresh = fresh_path(path)
    try:
        remove_index(fresh)
        # cache_size in KiB: the bulk load stays in memory until the commit
        conn = connect(fresh, "journal_mode = MEMORY", "synchronous = OFF",
                       "cache_size = -65536")
        with conn:
            conn.executescript(SCHEMA + INDEXES)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
    except (OSError, sqlite3.Error) as e:
        raise StateError(f"{fresh}: cannot create the index: {e} (is the state folder's disk "
                         "full?)") from e
    return conn


def close(conn: sqlite3.Connection, replaces: Path | None, done: bool) -> None:
    """Close an index; a fresh one (``replaces`` its file) takes its place only when
    ``done``, else it is removed."""
    if replaces and done:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    try:
        if replaces and done:
            remove_index(replaces)      # its write-ahead log must not meet the new file
            fresh_path(replaces).replace(replaces)
        elif replaces:
            fresh_path(replaces).unlink(missing_ok=True)
    except OSError as e:
        raise StateError(f"{replaces}: cannot put the new index in place: "
                         f"{e.strerror or e}") from e
