"""The index's tables, and the SQLite files that hold them: connecting, removing, the name
a fresh index is built under. No queries: those are ``feeder.index``'s.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from feeder.scan import RECENT_NS

SCHEMA_VERSION = 11     # 10: article pages; 11: members without a primary key
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
CREATE INDEX IF NOT EXISTS entries_clash ON entries(rel) WHERE id != own_id;
CREATE INDEX IF NOT EXISTS entries_key ON entries(key);
CREATE INDEX IF NOT EXISTS members_order ON members(node, published DESC, id);
CREATE INDEX IF NOT EXISTS members_rel ON members(rel);
"""

# the indexes that settling ids and planning the feeds use; a cold start builds the others
# while the workers clean bodies (Index.finish_indexes)
PLANNING = frozenset({"members_order", "entries_key"})


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
