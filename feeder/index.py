"""The persistent index: what the last build knew, in SQLite, so a rebuild costs what changed.

Per source folder: a stamp and its files' stat signatures (one marshal blob). Per file: its
signature, digest, entry (or draft, or problems). Per entry: its feeds, in feed order. Per feed:
its folder and a signature. Per article page: a signature. Also entries' contents (by digest)
and the output files' stats.

An optimisation only: a missing, corrupt or older index, or one made with other settings, is
replaced by an empty one and the build runs cold. No other module but ``schema`` knows SQL.
"""

from __future__ import annotations

import json
import marshal
import re
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from feeder import schema
from feeder.codec import decode_entry
from feeder.ids import settle
from feeder.model import Entry, FileRow, Problem
from feeder.scan import RECENT_NS, UNKNOWN, folder_of
from feeder.schema import INDEXES, PLANNING


class Index:
    """An open index. Use ``open_index``; every change happens inside ``transaction()``."""

    def __init__(self, conn: sqlite3.Connection, replaces: Path | None = None) -> None:
        self.db = conn
        self.replaces = replaces    # a fresh index: the file it takes the place of once done
        self.horizon = 2**62        # entries dated later (µs since 1970) are held back
        self.deferred = False       # secondary indexes still to build (``finish_indexes``)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, kind: object, *_: object) -> None:
        """Close; a fresh index takes its place only when the build went through."""
        schema.close(self.db, self.replaces, kind is None)

    def transaction(self) -> sqlite3.Connection:
        return self.db      # sqlite3's context manager commits, or rolls back on error

    def signatures_in(self, prefixes: Iterable[str]) -> dict[str, tuple[int, int]]:
        """rel → (size, mtime_ns) of the known files directly in these folders."""
        found: dict[str, tuple[int, int]] = {}
        for prefix in prefixes:
            row = self.db.execute("SELECT files FROM folders WHERE prefix = ?",
                                  (prefix,)).fetchone()
            found.update(marshal.loads(row[0]) if row else {})
        return found

    def stamps(self) -> dict[str, str]:
        """Folder prefix → the stamp of its files at the last build (``scan.stamps``)."""
        return dict(self.db.execute("SELECT prefix, stamp FROM folders"))

    def save_folders(self, by_folder: dict[str, dict[str, tuple[int, int]]],
                     stamps: dict[str, str], moved: Iterable[str]) -> None:  # those that moved
        for prefix in moved:
            if prefix in by_folder:
                self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?, ?)", (
                    prefix, stamps[prefix], marshal.dumps(by_folder[prefix])))
            else:
                self.db.execute("DELETE FROM folders WHERE prefix = ?", (prefix,))

    def ambiguous(self) -> list[str]:
        """Files whose mtime was too close to the moment they were read to prove that a
        later change with the same size would move it (file systems tick coarsely)."""
        return [r[0] for r in self.db.execute(
            f"SELECT rel FROM files WHERE mtime_ns + {RECENT_NS} > checked_ns")]

    def digest(self, rel: str) -> str:
        row = self.db.execute("SELECT digest FROM files WHERE rel = ?", (rel,)).fetchone()
        return str(row[0]) if row else ""

    def mark_checked(self, rels: Iterable[str], now_ns: int) -> None:
        self.db.executemany("UPDATE files SET checked_ns = ? WHERE rel = ?",
                            ((now_ns, rel) for rel in rels))

    def forget(self, rels: Iterable[str], files: bool = True) -> tuple[set[str], set[str]]:
        """Drop files (and their entries; with ``files`` false, only their entries); returns
        the nodes and the ids they touched."""
        nodes: set[str] = set()
        ids: set[str] = set()
        for rel in rels:
            nodes.update(r[0] for r in self.db.execute(
                "SELECT node FROM members WHERE rel = ?", (rel,)))
            ids.update(i for row in self.db.execute(
                "SELECT own_id, id FROM entries WHERE rel = ?", (rel,)) for i in row)
            self.db.execute("DELETE FROM members WHERE rel = ?", (rel,))
            self.db.execute("DELETE FROM entries WHERE rel = ?", (rel,))
            if files:
                self.db.execute("DELETE FROM files WHERE rel = ?", (rel,))
        return nodes, ids

    def skip(self, problems: Iterable[Problem]) -> set[str]:
        """Entries that could not be published after all (an error while cleaning or
        rendering them): their files become skipped ones, with these problems beside their
        warnings, and are read again by the next build. Returns the nodes they leave."""
        nodes: set[str] = set()
        ids: set[str] = set()
        for problem in problems:
            left, freed = self.forget([problem.path], files=False)
            nodes |= left
            ids |= freed
            self.note(problem)
            self.db.execute("UPDATE files SET state = 'error' WHERE rel = ?", (problem.path,))
            self.retry(problem.path)
        nodes |= self.settle_ids(ids)
        self.recount(nodes)
        return nodes

    def note(self, problem: Problem) -> None:
        """Add a problem a later stage found to its file's (once; an error first)."""
        row = self.db.execute("SELECT problems FROM files WHERE rel = ?",
                              (problem.path,)).fetchone()
        known = json.loads(row[0]) if row and row[0] else []
        said = [problem.severity, problem.message, problem.line]
        if row and said not in known:
            self.db.execute("UPDATE files SET problems = ? WHERE rel = ?", (json.dumps(
                [said, *known] if problem.severity == "error" else [*known, said]),
                problem.path))

    def retry(self, rel: str) -> None:
        """Make the next build read ``rel`` again, whatever its size and mtime say."""
        prefix = folder_of(rel)
        row = self.db.execute("SELECT files FROM folders WHERE prefix = ?",
                              (prefix,)).fetchone()
        if row:
            files = marshal.loads(row[0])
            files[rel] = UNKNOWN
            self.db.execute("UPDATE folders SET stamp = '', files = ? WHERE prefix = ?",
                            (marshal.dumps(files), prefix))

    def store(self, rows: Iterable[FileRow], now_ns: int, bulk: bool = False
              ) -> tuple[set[str], set[str]]:
        """Insert read files (already forgotten); returns the nodes and ids they touched.
        ``bulk`` (a cold start): secondary indexes are built once after the inserts."""
        for name in re.findall(r"EXISTS (\w+)", INDEXES) if bulk else ():
            self.db.execute(f"DROP INDEX IF EXISTS {name}")
        nodes: set[str] = set()
        ids: set[str] = set()
        pending = iter(rows)
        while batch := list(islice(pending, 1000)):     # bounded memory however many arrive
            self._insert(batch, now_ns, nodes, ids)
        if bulk:       # what planning the feeds needs now; the rest while bodies are cleaned
            for statement in INDEXES.strip().splitlines():
                if statement.split()[5] in PLANNING:   # CREATE INDEX IF NOT EXISTS name
                    self.db.execute(statement)
            self.deferred = True
        return nodes, ids

    def finish_indexes(self) -> None:
        """Build the secondary indexes a cold start left for later (none otherwise)."""
        if self.deferred:
            for statement in INDEXES.strip().splitlines():
                self.db.execute(statement)
            self.deferred = False

    def _insert(self, rows: list[FileRow], now_ns: int, nodes: set[str], ids: set[str]
                ) -> None:
        entries = [r for r in rows if r.state == "entry"]
        self.db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", (
            (r.rel, r.size, r.mtime_ns, now_ns, r.digest, r.state, r.problems) for r in rows))
        self.db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?)", (
            (r.rel, r.key, r.own_id, r.own_id, r.entry) for r in entries))
        self.db.executemany("INSERT INTO members VALUES (?, ?, ?, ?)", (
            (n, r.published, r.own_id, r.rel) for r in entries for n in r.nodes))
        for r in entries:
            nodes.update(r.nodes)
            ids.add(r.own_id)

    def settle_ids(self, ids: Iterable[str] | None) -> set[str]:
        """Give every entry a distinct id (``ids.settle``), looking at the entries that
        claim ``ids`` (all when None); returns the nodes whose entries' ids changed."""
        if ids is None:     # a cold start: only ids claimed twice need a look
            ids = [r[0] for r in self.db.execute(
                "SELECT own_id FROM entries GROUP BY own_id HAVING COUNT(*) > 1")]
        nodes: set[str] = set()

        def claimants(claimed: str) -> list[tuple[str, str, str]]:
            return self.db.execute(
                "SELECT rel, own_id, id FROM entries WHERE own_id = ? OR (id = ? AND "
                "id != own_id) ORDER BY rel", (claimed, claimed)).fetchall()  # both indexed

        def give(rel: str, new_id: str) -> None:
            self.db.execute("UPDATE entries SET id = ? WHERE rel = ?", (new_id, rel))
            self.db.execute("UPDATE members SET id = ? WHERE rel = ?", (new_id, rel))
            nodes.update(r[0] for r in self.db.execute(
                "SELECT node FROM members WHERE rel = ?", (rel,)))

        settle(ids, claimants, give)
        return nodes

    def id_clashes(self) -> list[tuple[str, str]]:
        """(rel, key) of every entry that lost its id to another file."""
        return list(self.db.execute(
            "SELECT rel, key FROM entries WHERE id != own_id ORDER BY rel"))

    # -- nodes and feeds -----------------------------------------------------------------
    def move_horizon(self, now: int) -> set[str]:
        """Hold back entries dated after ``now``; returns the nodes whose held entries came
        due since the last build's horizon."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'horizon'").fetchone()
        since, self.horizon = (int(row[0]) if row else now), now
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('horizon', ?)", (now,))
        span = "published > ? AND published <= ?"
        if since >= now or not self.db.execute(      # most builds: one indexed probe
                f"SELECT 1 FROM members WHERE node = '' AND {span}", (since, now)).fetchone():
            return set()
        return {r[0] for r in self.db.execute(f"SELECT node FROM members WHERE {span}",
                                              (since, now))}

    def held(self) -> list[tuple[str, int]]:     # (rel, published) of held-back entries
        return list(self.db.execute("SELECT rel, published FROM members WHERE node = '' AND "
                                    "published > ? ORDER BY rel", (self.horizon,)))

    def recount(self, nodes: Iterable[str] | None = None) -> None:
        """Refresh the entry count of these nodes (all when None); empty nodes go."""
        where, args = ("", ()) if nodes is None else (
            " WHERE node IN (SELECT value FROM json_each(?))", (json.dumps(list(nodes)),))
        self.db.execute("DELETE FROM nodes" + where, args)
        self.db.execute(f"INSERT INTO nodes SELECT node, COUNT(*) FROM members{where or ' WHERE 1'}"
                        " AND published <= ? GROUP BY node", (*args, self.horizon))

    def node_counts(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT node, count FROM nodes"))

    def newest(self, node: str, limit: int) -> list[tuple[Entry, str, bytes]]:
        """A node's newest ``limit`` entries (newest first, ties by id), each with its file's
        digest and a version string that changes whenever the entry's fields do."""
        rows = self.db.execute(
            "SELECT e.id, e.data, f.digest FROM members m JOIN entries e ON e.rel = m.rel "
            "JOIN files f ON f.rel = m.rel WHERE m.node = ? AND m.published <= ? "
            "ORDER BY m.published DESC, m.id LIMIT ?", (node, self.horizon, limit))
        return [(decode_entry(data, final_id), digest, final_id.encode() + data)
                for final_id, data, digest in rows]

    def feeds(self) -> dict[str, tuple[str, str]]:
        """node → (path, signature) of the feeds written last time."""
        return {r[0]: (r[1], r[2]) for r in self.db.execute(
            "SELECT node, path, signature FROM feeds")}

    def save_feed(self, node: str, path: str, title: str, count: int, signature: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?)",
                        (node, path, title, count, signature))

    def mark_pending(self, nodes: Iterable[str]) -> None:
        """Feeds whose entries changed: kept until they are rendered, so a build that fails
        after reading still leaves the next build knowing which feeds to check."""
        self.db.executemany("INSERT OR IGNORE INTO pending VALUES (?)", ((n,) for n in nodes))

    def pending(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT node FROM pending")}

    def clear_pending(self) -> None:
        self.db.execute("DELETE FROM pending")

    def drop_feeds(self, nodes: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM feeds WHERE node = ?", ((n,) for n in nodes))

    # -- contents ------------------------------------------------------------------------
    def contents(self, digests: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        return {r[0]: r[1:] for r in self.db.execute(
            "SELECT digest, html, summary, image FROM contents WHERE digest IN "
            "(SELECT value FROM json_each(?))", (json.dumps(list(digests)),))}

    def save_contents(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO contents VALUES (?, ?, ?, ?)", rows)

    def prune_contents(self, limit: int) -> None:
        """Keep the contents of entries that are in some feed's newest ``limit``."""
        self.db.execute(
            "DELETE FROM contents WHERE digest NOT IN (SELECT f.digest FROM nodes n, files f "
            "WHERE f.rel IN (SELECT rel FROM members m WHERE m.node = n.node AND m.published <= ? "
            "ORDER BY m.published DESC, m.id LIMIT ?))", (self.horizon, limit))

    # -- pages ---------------------------------------------------------------------------
    def pages(self) -> dict[str, str]:
        """page path → signature of the article pages written last time."""
        return dict(self.db.execute("SELECT path, signature FROM pages"))

    def save_pages(self, rows: Iterable[tuple[str, str]], gone: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM pages WHERE path = ?", ((p,) for p in gone))
        self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?)", rows)

    # -- outputs and report --------------------------------------------------------------
    def outputs(self) -> dict[str, tuple[int, int]]:
        return {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT * FROM outputs")}

    def save_outputs(self, rows: Iterable[tuple[str, int, int]], gone: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in gone))
        self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)", rows)

    def counts(self) -> dict[str, int]:
        """How many files are in each state ('entry', 'draft', 'error')."""
        return dict(self.db.execute("SELECT state, COUNT(*) FROM files GROUP BY state"))

    def problems(self) -> Iterator[tuple[str, str, str, int | None]]:
        """(rel, severity, message, line) of every stored problem, by path."""
        for rel, text in self.db.execute(
                "SELECT rel, problems FROM files WHERE problems IS NOT NULL ORDER BY rel"):
            for severity, message, line in json.loads(text):
                yield rel, severity, message, line


def open_index(path: Path, fingerprint: str) -> Index:
    """Open the index at ``path``; start an empty one if it is missing, unreadable, corrupt,
    of another schema version, or was made with other settings (``fingerprint``)."""
    return Index(*schema.open_file(path, fingerprint))


def memory_index() -> Index:
    """An empty index in memory, gone when closed (``feeder check``)."""
    return Index(schema.in_memory())
