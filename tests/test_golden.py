"""The feeds built from the bundled seeds are committed under tests/golden and must not drift.

Regenerate after an intended change with:
    .venv/bin/feeder build --config config.toml --output tests/golden
"""

from __future__ import annotations

from pathlib import Path

from feeder.build import build
from feeder.config import load

from .conftest import REPO

GOLDEN = REPO / "tests" / "golden"


def files_below(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_seeds_build_matches_the_golden_files(tmp_path: Path) -> None:
    """Building seeds/ with config.toml gives exactly the committed golden files."""
    build(load(REPO / "config.toml", output=tmp_path / "out"))
    expected = files_below(GOLDEN)
    actual = files_below(tmp_path / "out")
    assert sorted(expected) == sorted(actual)
    for name, data in expected.items():
        assert data == actual[name], f"{name} drifted from tests/golden; see this file's docstring"
