"""One writer per state folder: an exclusive ``flock`` on ``<state>/lock``.

The kernel drops the lock when its process dies, so a killed build never leaves a stale lock
behind; the pid written into the file only makes the refusal message useful.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from feeder.errors import BusyError, OutputError

DAEMON_ENV = "FEEDER_DAEMON"     # set by `feeder run` for its own builds: its pid
DAEMON_BUSY = "is running with this state folder ('feeder run' builds it); stop it first"


class DaemonLock:
    """``with DaemonLock(folder):`` marks the folder as kept by a ``feeder run`` daemon for as
    long as the block runs; ``BusyError`` at once if another feeder holds it."""

    def __init__(self, folder: Path) -> None:
        self.lock = _Flock(folder / "daemon.lock", DAEMON_BUSY)

    def __enter__(self) -> DaemonLock:
        self.lock.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.lock.release()


class StateLock:
    """``with StateLock(folder):`` holds the folder's lock or raises ``BusyError`` at once;
    also refused while a ``feeder run`` daemon keeps the folder, unless this is its build."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.lock = _Flock(folder / "lock", "is using this state folder (a build, or "
                           "'feeder run'); try again when it has finished, or stop it")

    def __enter__(self) -> StateLock:
        daemon = _Flock(self.folder / "daemon.lock", DAEMON_BUSY)
        holder = daemon.holder()
        if holder and holder != os.environ.get(DAEMON_ENV):
            daemon.refuse(holder)
        self.lock.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.lock.release()


class _Flock:
    """An exclusive, non-blocking ``flock`` on one file, with the holder's pid written in."""

    def __init__(self, path: Path, busy: str) -> None:
        self.path = path
        self.busy = busy
        self.fd = -1

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"{self.path.parent}: cannot use state folder: "
                              f"{e.strerror or e}") from e

    def acquire(self) -> None:
        self.fd = self._open()
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(self.fd)
            self.refuse(holder)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)

    def holder(self) -> str:
        """The pid holding the lock now, or '' when nobody does."""
        if not self.path.exists():
            return ""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
        finally:
            os.close(fd)    # closing releases it, if we had it
        return ""

    def refuse(self, holder: str) -> None:
        raise BusyError(f"{self.path.parent}: another feeder (pid {holder}) {self.busy}")

    def release(self) -> None:
        os.close(self.fd)
