"""The static checks configured in pyproject.toml pass: ruff on everything, mypy on feeder/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = BIN / tool if (BIN / tool).exists() else shutil.which(tool)
    assert exe, f"{tool} is not installed: pip install -e '.[test]'"
    return subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)


def test_ruff_is_clean() -> None:
    """`ruff check` finds nothing in feeder/ and tests/."""
    result = run("ruff", "check", "--no-cache", "feeder", "tests", "benchmarks")
    assert 0 == result.returncode, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    """`mypy` (strict, on feeder/) finds nothing."""
    result = run("mypy")
    assert 0 == result.returncode, result.stdout + result.stderr
