#!/usr/bin/env python3
"""Whole-process build figures at 10,000 and 100,000 articles, and a correctness check.

For each size N it makes (or reuses) a corpus with ``make_corpus.py``, then times, as separate
``feeder build`` processes (Python start-up included):

1. a cold build (no state, no output; with ``--settle``, on a settled file system),
2. a rebuild with nothing changed,
3. a rebuild after one article is edited and one added (``make_corpus.py --touch 1 --add 1``),

printing wall seconds (minimum and median of ``--runs`` runs of each), a cold build's CPU
seconds (its processes' user + system time, from ``wait4``) and peak RSS (the largest process
of the build's tree). Then it checks that the output of the incremental builds equals, byte
for byte, a cold build of the same folder.

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
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
MAKE_CORPUS = HERE.parent.parent / "shared" / "bench" / "make_corpus.py"
SEEDS = HERE.parent / "seeds"
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


# the command users run: the environment's `feeder` script (`python -m feeder` adds runpy)
SCRIPT = Path(sys.executable).with_name("feeder")
FEEDER = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "feeder"]


class Run(NamedTuple):
    wall: float     # seconds
    rss: float      # peak RSS in MB, of the largest process of the build's tree
    cpu: float      # user + system seconds of the build and its worker processes


def run_build(work: Path, output: str = "out") -> Run:
    """One `feeder build` process."""
    (work / "config.toml").write_text(CONFIG.format(output=output), encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.Popen([*FEEDER, "build", "-q"], cwd=work)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"feeder build failed with exit code {proc.returncode} in {work}")
    return Run(wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


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


def settle(work: Path) -> None:
    """Put the file system in a known state before a timed cold build: dirty pages written,
    and (as root) the kernel's caches dropped, then the corpus read back into the page cache
    and feeder's own files too (a build of the bundled seeds elsewhere), as after any earlier
    run: a cold build is one without state or output, not one that reads Python and its
    libraries from disk (0.15-0.2 s more here).
    On this project's VM, creating files and folders after much creating and deleting costs
    10-30 times what it costs on a settled file system (1,250 folders with a file each: 0.04 s
    settled, up to 0.9 s of kernel time after a few builds' churn)."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return      # not root: only synced
    for path in (work / "src").rglob("*"):
        if path.is_file():
            path.read_bytes()
    with tempfile.TemporaryDirectory() as warm:
        shutil.copytree(SEEDS, Path(warm) / "src")
        run_build(Path(warm))


def cold_build(work: Path, settled: bool) -> Run:
    for name in ("out", ".feeder-out"):
        shutil.rmtree(work / name, ignore_errors=True)
    if settled:
        settle(work)
    return run_build(work)


def bench(size: int, runs: int, root: Path, make_corpus: Path, settled: bool
          ) -> dict[str, object]:
    work = corpus(root, size, make_corpus)
    colds = [cold_build(work, settled) for _ in range(runs)]
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
    check = run_build(work, output="cold-out").wall
    differ = same_tree(work / "out", work / "cold-out")
    return {"cold": [r.wall for r in colds], "nothing": [r.wall for r in nothing],
            "one": [r.wall for r in one], "rss": max(r.rss for r in colds + nothing + one),
            "cold_cpu": [r.cpu for r in colds],
            "differ": differ, "check": check}


def calibrate() -> float:
    """Seconds for a fixed CPU loop: how fast this machine is being just now."""
    started = time.perf_counter()
    sum(range(3 * 10**7))
    return time.perf_counter() - started


def report(size: int, result: dict[str, object]) -> None:
    cold_t, nothing_t, one_t, rss_t = TARGETS.get(size, (0, 0, 0, 0))
    print(f"\n{size:,} articles")
    for label, key, target in (("cold build", "cold", cold_t),
                               ("nothing changed", "nothing", nothing_t),
                               ("one edited + one new", "one", one_t)):
        times = result[key]
        assert isinstance(times, list)
        median = statistics.median(times)
        print(f"  {label:20s} {min(times):7.2f} s min {median:5.2f}"
              f" s median   target ≤ {target} s: {_verdict(median, target)}")
    cpu = result["cold_cpu"]
    assert isinstance(cpu, list)
    print(f"  cold build's CPU     {min(cpu):7.2f} s min {statistics.median(cpu):5.2f} s median"
          "   (user + system, all processes)")
    rss = result["rss"]
    assert isinstance(rss, float)
    print(f"  peak RSS             {rss:7.0f} MB           target ≤ {rss_t} MB: "
          f"{_verdict(rss, rss_t)}")
    differ = result["differ"]
    assert isinstance(differ, list)
    print("  incremental output == cold output: "
          + ("yes, byte for byte" if not differ else f"NO, {len(differ)} files differ: "
             + ", ".join(map(str, differ[:5]))))


def _verdict(value: float, target: float) -> str:
    """'met' or 'OVER' (targets are set for 10,000 and 100,000 articles only)."""
    return "no target for this size" if not target else "met" if value <= target else "OVER"


SLOW = 0.7      # seconds of the CPU loop above which this machine is in a slow hour


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="runs of each timing")
    parser.add_argument("--settle", action="store_true",
                        help="sync, and as root drop the kernel's caches and read the corpus "
                             "and feeder's own files back, before each cold build "
                             "(see settle())")
    parser.add_argument("--root", type=Path, default=Path("/tmp/feeder-bench"),
                        help="where corpora and work folders go (default /tmp/feeder-bench)")
    parser.add_argument("--make-corpus", type=Path, default=MAKE_CORPUS)
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    failed = False
    loops = [calibrate()]
    print(f"CPU loop before: {loops[0]:.2f} s (0.5-0.6 s in a quiet hour here)")
    for size in args.sizes:
        result = bench(size, args.runs, args.root, args.make_corpus, args.settle)
        report(size, result)
        failed |= bool(result["differ"])
    loops.append(calibrate())
    print(f"\nCPU loop after: {loops[1]:.2f} s")
    if max(loops) > SLOW:
        print(f"The machine was slow (CPU loop over {SLOW} s): times run up to 40 % above an "
              "ordinary hour's. Compare versions in turns, not against one run's figures.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
