"""The last build's outcome, kept in the state folder for ``/healthz`` and for people.

``build`` runs (from the CLI or the daemon) record how they ended in ``<state>/last-build.json``
(written atomically); the server reads it on each health check, so ``feeder serve`` beside a
cron job reports as well as ``feeder run`` does.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from feeder.config import Config

FILE = "last-build.json"


def record(cfg: Config, started: float, report: Any = None, error: str = "") -> dict[str, Any]:
    """Write and return the outcome of a build that began at ``started`` (epoch seconds):
    its report (a ``BuildReport``) or its error."""
    status: dict[str, Any] = {
        "ok": not error,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.time() - started, 3),
        "error": error or None,
    }
    if report is not None:
        reading = report.reading
        status.update(articles=reading.files, published=reading.published, held=reading.held,
                      drafts=reading.drafts, skipped=len(reading.skipped), feeds=report.feeds,
                      rendered=report.rendered, written=len(report.written))
    else:   # how many articles the last build that got so far read (see last_articles)
        status["last_articles"] = last_articles(cfg.state.path)
    path = cfg.state.path / FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{FILE}.{os.getpid()}")
        temp.write_text(json.dumps(status, indent=1) + "\n", encoding="utf-8")
        temp.replace(path)
    except OSError:
        pass        # the state folder is unusable: the build's own error says so
    return status


def last_finished(state: Path) -> float:
    """When the last recorded build ended (epoch seconds), 0 if none was recorded."""
    try:
        return (state / FILE).stat().st_mtime
    except OSError:
        return 0.0


def last(state: Path) -> dict[str, Any] | None:
    """The last recorded outcome, or None when no build has recorded one."""
    try:
        data = json.loads((state / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def last_articles(state: Path) -> int:
    """How many article files the last build that read the folder found (0 if none did)."""
    data = last(state) or {}
    count = data.get("articles", data.get("last_articles", 0))
    return count if isinstance(count, int) else 0
