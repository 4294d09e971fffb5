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


class StateLock:
    """``with StateLock(folder):`` holds the folder's lock or raises ``BusyError`` at once."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "lock"
        self.fd = -1

    def __enter__(self) -> StateLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"{self.path.parent}: cannot use state folder: "
                              f"{e.strerror or e}") from e
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(self.fd, 32, 0).decode("ascii", "replace").strip() or "?"
            os.close(self.fd)
            raise BusyError(f"{self.path.parent}: another feeder (pid {holder}) is using this "
                            "state folder (a build, or 'feeder run'); try again when it has "
                            "finished, or stop it") from None
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        os.close(self.fd)       # closing releases the lock
