#!/usr/bin/env python3
"""Whole-process build figures at 10,000 and 100,000 articles, and a correctness check.

For each size N it makes (or reuses) a corpus with ``make_corpus.py``, then times, as separate
``feeder build`` processes (Python start-up included):

1. a cold build (no state, no output),
2. a rebuild with nothing changed,
3. a rebuild after one article is edited and one added (``make_corpus.py --touch 1 --add 1``),

printing wall seconds (minimum and median of ``--runs`` runs for 2 and 3) and peak RSS (the
largest process of the build's tree, from ``wait4``). Then it checks that the output of the
incremental builds equals, byte for byte, a cold build of the same folder.

    python benchmarks/bench.py                       # 10,000 and 100,000
    python benchmarks/bench.py --sizes 10000 --runs 5

Run it with the Python of an environment where feeder is installed (``pip install .``: an
editable install adds ~30 ms of import hooks to every start).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAKE_CORPUS = HERE.parent.parent / "shared" / "bench" / "make_corpus.py"
TARGETS = {  # size: (cold s, nothing-changed s, one-changed s, peak RSS MB)
    10_000: (2.5, 0.25, 0.5, 200),
    100_000: (15.0, 1.0, 1.5, 400),
}
CONFIG = """[site]
title = "bench"
base_url = "http://127.0.0.1:8080/"
timezone = "Asia/Shanghai"
[source]
path = "src"
[output]
path = "{output}"
"""


def run_build(work: Path, output: str = "out") -> tuple[float, float]:
    """One `feeder build` process: (wall seconds, peak RSS in MB)."""
    (work / "config.toml").write_text(CONFIG.format(output=output), encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "feeder", "build", "-q"], cwd=work)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"feeder build failed with exit code {proc.returncode} in {work}")
    return wall, usage.ru_maxrss / 1024


def corpus(root: Path, size: int, make_corpus: Path) -> Path:
    """A fresh copy of the N-article corpus (generated once, then copied)."""
    pristine = root / f"corpus-{size}"
    if not pristine.exists():
        print(f"making a {size}-article corpus in {pristine} …", flush=True)
        subprocess.run([sys.executable, str(make_corpus), "--count", str(size), "--out",
                        str(pristine / "src")], check=True, stdout=subprocess.DEVNULL)
    work = root / f"work-{size}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work, symlinks=True)
    return work


def same_tree(a: Path, b: Path) -> list[str]:
    """Paths that differ between two folders (missing on one side, or other bytes)."""
    files_a = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    files_b = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = sorted(str(p) for p in files_a ^ files_b)
    differ += [str(p) for p in sorted(files_a & files_b)
               if not filecmp.cmp(a / p, b / p, shallow=False)]
    return differ


def bench(size: int, runs: int, root: Path, make_corpus: Path) -> dict[str, object]:
    work = corpus(root, size, make_corpus)
    cold, cold_rss = run_build(work)
    nothing = [run_build(work) for _ in range(runs)]
    one = []
    for n in range(runs):
        subprocess.run([sys.executable, str(make_corpus), "--out", str(work / "src"),
                        "--touch", "1", "--add", "1", "--seed", f"bench-{n}"],
                       check=True, stdout=subprocess.DEVNULL)
        one.append(run_build(work))
    run_build(work, output="cold-out")      # a cold build of the same folder, fresh state
    shutil.rmtree(work / ".feeder-cold-out", ignore_errors=True)
    shutil.rmtree(work / "cold-out", ignore_errors=True)
    check, _ = run_build(work, output="cold-out")
    differ = same_tree(work / "out", work / "cold-out")
    return {"cold": cold, "nothing": [w for w, _ in nothing], "one": [w for w, _ in one],
            "rss": max([cold_rss] + [r for _, r in nothing + one]), "differ": differ,
            "check": check}


def report(size: int, result: dict[str, object]) -> None:
    cold_t, nothing_t, one_t, rss_t = TARGETS.get(size, (0, 0, 0, 0))
    nothing = result["nothing"]
    one = result["one"]
    assert isinstance(nothing, list) and isinstance(one, list)
    print(f"\n{size:,} articles")
    print(f"  cold build           {result['cold']:7.2f} s            target ≤ {cold_t} s")
    print(f"  nothing changed      {min(nothing):7.2f} s min {statistics.median(nothing):5.2f}"
          f" s median   target ≤ {nothing_t} s")
    print(f"  one edited + one new {min(one):7.2f} s min {statistics.median(one):5.2f}"
          f" s median   target ≤ {one_t} s")
    print(f"  peak RSS             {result['rss']:7.0f} MB           target ≤ {rss_t} MB")
    differ = result["differ"]
    print("  incremental output == cold output: "
          + ("yes, byte for byte" if not differ else f"NO, {len(differ)} files differ: "
             + ", ".join(map(str, differ[:5]))))  # type: ignore[call-overload]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="runs of the rebuild timings")
    parser.add_argument("--root", type=Path, default=Path("/tmp/feeder-bench"),
                        help="where corpora and work folders go (default /tmp/feeder-bench)")
    parser.add_argument("--make-corpus", type=Path, default=MAKE_CORPUS)
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    failed = False
    for size in args.sizes:
        result = bench(size, args.runs, args.root, args.make_corpus)
        report(size, result)
        failed |= bool(result["differ"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
