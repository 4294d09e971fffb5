"""Run the fuzz checks of ``test_fuzz.py`` for a while: ``python -m tests.fuzz --minutes 10``.

Rounds of fresh random inputs (no example database), each check in turn, until the time is up;
prints how many inputs each check tried (a whole folder is built for each input of
``check_folder``). A failure stops the run with hypothesis's smallest failing input.
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
    end = time.monotonic() + args.minutes * 60
    rounds = 0
    while time.monotonic() < end:
        for fuzz in test_fuzz.fuzzers(args.batch):
            fuzz()
        rounds += 1
        tried = ", ".join(f"{n} {name}" for name, n in sorted(test_fuzz.TRIED.items()))
        print(f"round {rounds}: {sum(test_fuzz.TRIED.values())} inputs ({tried})", flush=True)
    print(f"no exception, invalid file or unsafe path in {sum(test_fuzz.TRIED.values())} "
          f"inputs over {args.minutes:g} minutes")


if __name__ == "__main__":
    main()
