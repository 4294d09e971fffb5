"""Run the fuzz checks of ``test_fuzz.py`` for a while: ``python -m tests.fuzz --minutes 10``.

Rounds of fresh random inputs (no example database), each check in turn, until the time is up;
prints how many inputs were tried and how many of them became feeds. A failure stops the run
with hypothesis's smallest failing input.
"""

from __future__ import annotations

import argparse
import time

from tests import test_fuzz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=500, help="inputs per check per round")
    args = parser.parse_args()
    published = tried = 0
    original = test_fuzz.publish

    def counting(meta_text: str, body: str) -> list[bytes]:
        nonlocal published, tried
        files = original(meta_text, body)
        tried += 1
        published += bool(files)
        return files

    test_fuzz.publish = counting
    end = time.monotonic() + args.minutes * 60
    rounds = 0
    while time.monotonic() < end:
        for fuzz in test_fuzz.fuzzers(args.batch):
            fuzz()
        rounds += 1
        print(f"round {rounds}: {tried} inputs, {published} published, "
              f"{tried - published} refused with a message", flush=True)
    print(f"no crash and no invalid feed in {tried} inputs over {args.minutes:g} minutes")


if __name__ == "__main__":
    main()
