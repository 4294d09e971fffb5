#!/usr/bin/env python3
"""What hostile articles cost: a corpus with a share of its articles replaced by hostile ones
(drawn from the fuzz strategies of ``tests/fuzz_folders.py``: every field, the body, the
encoding, stray bytes and the file name), built cold against the clean corpus, in turns.

    .venv/bin/python benchmarks/hostile.py                   # 10,000 articles, 1 % hostile
    .venv/bin/python benchmarks/hostile.py --count 1000 --share 0.05 --runs 5

Prints the clean and hostile cold builds' wall seconds (each run, and the median) and CPU
seconds (all processes), their ratios, and what ``feeder check`` says of the hostile corpus:
articles, published, skipped and named, published with a warning.
Needs the test extra (hypothesis) in the environment that runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.bench import FEEDER, MAKE_CORPUS, Run, cold_build, corpus  # noqa: E402


def hostile_articles(count: int, seed: int) -> dict[bytes, bytes]:
    """``count`` distinct hostile articles, by path below the source folder."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    from tests.fuzz_folders import hostile_article

    found: dict[bytes, bytes] = {}

    @settings(max_examples=count * 2, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(hostile_article())
    def draw(article: tuple[bytes, bytes]) -> None:
        found.setdefault(b"zz-hostile/" + article[0], article[1])

    attempt = seed
    while len(found) < count:       # hypothesis repeats itself: draw again until enough
        seeded(attempt)(draw)()
        attempt += 1000
    return dict(list(found.items())[:count])


def make_hostile(clean: Path, work: Path, share: float, seed: int) -> int:
    """``work``: ``clean`` with ``share`` of its articles replaced by hostile ones."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(clean / "src", work / "src", symlinks=True)
    files = sorted(p for p in (work / "src").rglob("*") if p.is_file())
    doomed = random.Random(seed).sample(files, round(len(files) * share))
    for path in doomed:
        path.unlink()
    source = os.fsencode(work / "src")
    for rel, data in hostile_articles(len(doomed), seed).items():
        path = os.path.join(source, rel)                  # noqa: PTH118
        os.makedirs(os.path.dirname(path), exist_ok=True)  # noqa: PTH103, PTH120
        with open(path, "wb") as f:                        # noqa: PTH123
            f.write(data)
    return len(doomed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--root", type=Path, default=Path("/tmp/feeder-bench"))
    parser.add_argument("--settle", action="store_true",
                        help="settle the file system before each cold build (see bench.py)")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    clean = corpus(args.root, args.count, MAKE_CORPUS)
    hostile = args.root / f"hostile-{args.count}"
    replaced = make_hostile(clean, hostile, args.share, args.seed)
    print(f"{args.count} articles, {replaced} of them replaced by hostile ones", flush=True)
    runs: dict[str, list[Run]] = {"clean": [], "hostile": []}
    for _ in range(args.runs):      # in turns: the machine's speed drifts
        runs["clean"].append(cold_build(clean, args.settle))
        runs["hostile"].append(cold_build(hostile, args.settle))
    for name, done in runs.items():
        print(f"{name:8} cold build: " + " ".join(f"{r.wall:.2f}" for r in done)
              + f" s, median {statistics.median(r.wall for r in done):.2f} s; CPU median "
              f"{statistics.median(r.cpu for r in done):.2f} s")
    for what in ("wall", "cpu"):
        ratio = (statistics.median(getattr(r, what) for r in runs["hostile"])
                 / statistics.median(getattr(r, what) for r in runs["clean"]))
        print(f"hostile / clean, {what}: {ratio:.3f}")
    (hostile / "config.toml").write_text((clean / "config.toml").read_text())
    checked = subprocess.run([*FEEDER, "check", "--format", "json"], cwd=hostile,
                             capture_output=True, text=True, check=False)
    report = json.loads(checked.stdout)
    warned = {p["path"] for p in report["problems"] if p["severity"] == "warning"}
    print(f"hostile corpus: {report['articles']} articles, {report['published']} published, "
          f"{report['drafts']} drafts, {report['held']} held back, {report['skipped']} "
          f"skipped and named, {len(warned)} published with a warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
