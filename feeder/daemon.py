"""``feeder run``: keep the feeds fresh. A thin shell around ``build``.

APScheduler runs a build at start-up, then every ``[schedule] interval`` and/or on the
``[schedule] cron`` expression; with ``watch = true`` a change in the source folder (watchfiles,
debounced) asks for one too. Builds never overlap: a request that arrives while one runs makes
exactly one more run after it. Each build is a ``feeder build`` child process. A build that
fails is logged and recorded (``status``), and the daemon goes on. The daemon holds the state
folder's daemon lock for its whole life, so a second daemon, or a ``feeder build`` not started
by this daemon, on the same output is refused; the kernel frees it if the process dies.

Imports APScheduler and watchfiles; never the web server (``server`` runs beside it).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from feeder import status
from feeder.config import Config
from feeder.lock import DAEMON_ENV, DaemonLock

log = logging.getLogger("feeder")


class Daemon:
    """``start()`` it, ``stop()`` it; between the two, builds happen when they should."""

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.scheduler: Any = None
        self.builds = 0
        self._running = threading.Lock()
        self._again = threading.Event()
        self._stopping = threading.Event()
        self._resources = ExitStack()

    def start(self) -> None:
        """Take the state folder's lock (``BusyError`` if taken), schedule, start watching."""
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        self._resources.enter_context(DaemonLock(self.cfg.state.path))
        logging.getLogger("apscheduler").setLevel(logging.WARNING)     # a line per run is noise
        schedule = self.cfg.schedule
        self.scheduler = BackgroundScheduler(timezone=self.cfg.site.timezone)
        options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
        self.scheduler.add_job(self.rebuild, IntervalTrigger(seconds=schedule.interval),
                               id="interval", next_run_time=datetime.now(self.cfg.site.timezone),
                               **options)
        if schedule.cron:
            self.scheduler.add_job(self.rebuild, CronTrigger.from_crontab(
                schedule.cron, timezone=self.cfg.site.timezone), id="cron", **options)
        self.scheduler.start()
        if schedule.watch:
            threading.Thread(target=self._watch, name="feeder-watch", daemon=True).start()
        log.info("feeder run: rebuilding %s every %gs%s%s", self.cfg.source.path,
                 schedule.interval, f" and at '{schedule.cron}'" if schedule.cron else "",
                 ", and on changes" if schedule.watch else "")

    def stop(self) -> None:
        """Stop scheduling and watching; a build under way is finished first (its files are
        written atomically either way), then the lock is released."""
        self._stopping.set()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        with self._running:     # waits for a build started by the watcher
            self._resources.close()

    def request(self) -> None:
        """Ask for a build now (from the watcher): runs in the scheduler's threads."""
        if not self._stopping.is_set() and self.scheduler is not None:
            self.scheduler.add_job(self.rebuild, id="now", replace_existing=True)

    def rebuild(self) -> None:
        """One build, or, if one is running, one more after it."""
        if not self._running.acquire(blocking=False):
            self._again.set()
            return
        try:
            while not self._stopping.is_set():
                self._again.clear()
                self._build_once()
                if not self._again.is_set():
                    break
        finally:
            self._running.release()

    def _build_once(self) -> None:
        """``feeder build`` in a child process: a single-threaded process may fork its worker
        pool safely (this one runs threads), a crash or a leak stays there, and the build
        records its outcome for ``/healthz`` and pings WebSub hubs itself."""
        started = time.time()
        command = [sys.executable, "-m", "feeder", "build", "--source",
                   str(self.cfg.source.path), "--output", str(self.cfg.output.path)]
        if self.cfg.file:
            command += ["--config", str(self.cfg.file)]
        env = {**os.environ, DAEMON_ENV: str(os.getpid())}
        try:
            run = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        finally:
            self.builds += 1
        for line in run.stderr.splitlines():
            log.warning("%s", line)
        if run.returncode == 0:
            log.info("%s", " ".join(run.stdout.split("\n")[-2:]).strip())
        else:
            log.error("build failed (exit code %d)", run.returncode)
            if status.last_finished(self.cfg.state.path) < started:    # it could not say so
                status.record(self.cfg, started, error=(run.stderr.strip().splitlines()
                                                        or ["no message"])[-1])

    def _watch(self) -> None:
        from watchfiles import watch

        debounce_ms = int(self.cfg.schedule.debounce * 1000)
        for _ in watch(self.cfg.source.path, stop_event=self._stopping, debounce=debounce_ms,
                       step=50, raise_interrupt=False, ignore_permission_denied=True):
            self.request()
