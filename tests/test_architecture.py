"""The folder shows the architecture: each library behind one module, stages below the shells."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "feeder"
OWNERS = {
    "feedgen": {"render"},
    "lxml": {"content"},
    "nh3": {"content"},
    "regex": {"filters"},
    "jinja2": {"templates"},
    "markdown_it": {"content"},
    "frontmatter": {"parse"},
    "yaml": set(),                 # python-frontmatter's own; feeder loads YAML with yaml_rs
    "yaml_rs": {"parse"},
    "httpx": {"fetch", "websub"},
    "apscheduler": {"daemon"},
    "watchfiles": {"daemon"},
    "starlette": {"server"},
    "uvicorn": {"server"},
    "argparse": {"cli"},
    "bs4": {"encodings"},
    "charset_normalizer": {"encodings"},
}
SHELLS = {"cli", "daemon", "server"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


MODULES = sorted(PACKAGE.glob("*.py"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_each_library_is_imported_by_its_one_module(module: Path) -> None:
    """feedgen only in render, BeautifulSoup only in encodings, and so on."""
    for name in imports_of(module):
        top = name.split(".")[0]
        if top in OWNERS:
            assert module.stem in OWNERS[top], f"{module.name} imports {name}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_stages_never_import_the_shells(module: Path) -> None:
    """Pipeline stages do not import cli, daemon or server."""
    if module.stem in SHELLS or module.stem == "__main__":
        return
    for name in imports_of(module):
        assert name.removeprefix("feeder.") not in SHELLS, f"{module.name} imports {name}"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.stem)
def test_modules_stay_small(module: Path) -> None:
    """Modules stay under ~300 lines."""
    assert len(module.read_text(encoding="utf-8").splitlines()) <= 320


def test_startup_does_not_import_the_heavy_libraries() -> None:
    """Loading the CLI and build imports none of feedgen, lxml, httpx, markdown-it, yaml-rs."""
    code = ("import sys, feeder.cli, feeder.build, feeder.config; "
            "print(sorted(m for m in ('feedgen', 'lxml', 'httpx', 'markdown_it', 'yaml_rs', 'nh3', "
            "'jinja2', 'bs4', 'charset_normalizer') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert "[]" == run.stdout.strip()
