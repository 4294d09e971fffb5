"""Stable entry and feed ids: name-based (version 5) UUID URNs, and who keeps an id two
articles claim."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

ID_NAMESPACE = "5b0e8d52-3c2f-4b8e-9a55-6f0d1c1e7a10"   # a UUID; text, as importing uuid
_PREFIX = bytes.fromhex(ID_NAMESPACE.replace("-", ""))  # costs every run 11 ms


def urn_for(key: str) -> str:
    """The name-based UUID URN of ``key`` (e.g. 'path:2022/a.md'): the same key, the same id,
    on every run and every machine. Exactly ``uuid.uuid5(UUID(ID_NAMESPACE), key)``, computed
    without building a UUID object (a third of the time; a cold start does it per file)."""
    h = hashlib.sha1(_PREFIX + key.encode("utf-8")).hexdigest()
    variant = "89ab"[int(h[16], 16) & 3]    # RFC 4122 variant; the version is 5
    return f"urn:uuid:{h[:8]}-{h[8:12]}-5{h[13:16]}-{variant}{h[17:20]}-{h[20:32]}"


def path_id(rel: str) -> str:
    """The id of the article at ``rel`` when its front matter names none."""
    return urn_for(f"path:{rel}")


Claimant = tuple[str, str, str]     # (rel, its own id, the id it has now)


def settle(ids: Iterable[str], claimants: Callable[[str], list[Claimant]],
           give: Callable[[str, str], None]) -> None:
    """Make every id one entry's, looking at ``ids``: of the entries claiming one (as their
    own id, or holding it now), the file it derives from (``path_id``) keeps it, else the
    first by path; the others are ``give``n their path's id, which is then settled the same
    way (an explicit ``id`` may be another file's path id). ``claimants`` lists the
    entries claiming an id, by path."""
    work, seen = list(ids), set()
    while work:
        claimed = work.pop()
        if claimed in seen:
            continue
        seen.add(claimed)
        rows = claimants(claimed)
        derived = [rel for rel, _, _ in rows if path_id(rel) == claimed]   # one at most
        owners = [rel for rel, own_id, _ in rows if own_id == claimed]
        winner = (derived or owners or [""])[0]
        for rel, _, old_id in rows:
            new_id = claimed if rel == winner else path_id(rel)
            if new_id != old_id:
                give(rel, new_id)
                work += [old_id, new_id]
