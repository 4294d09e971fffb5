"""Stable entry and feed ids: name-based (version 5) UUID URNs."""

from __future__ import annotations

import uuid

ID_NAMESPACE = uuid.UUID("5b0e8d52-3c2f-4b8e-9a55-6f0d1c1e7a10")


def urn_for(key: str) -> str:
    """The name-based UUID URN of ``key`` (e.g. 'path:2022/a.md'): the same key, the same id,
    on every run and every machine."""
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, key)}"
