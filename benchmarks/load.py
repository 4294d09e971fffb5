"""Load benchmark for `feeder serve`: how many feed polls it answers, and how fast.

Starts `feeder serve` on a free port over an output folder (by default the bundled seeds,
built into a temporary folder; ``--config`` for another site), then, against every feed file:

1. conditional GETs (``If-None-Match`` with the current ETag: each answer is a 304) from
   ``--clients`` concurrent connections for ``--seconds``;
2. plain GETs (each answer is a 200 with the feed) the same way;
3. an open-loop run at a fixed ``--rate`` of mixed requests (half conditional), timing each
   request from the moment it was due, so a slow answer cannot hide the ones queued behind it.

Phases 1 and 2 use ``wrk`` when it is installed (``apt-get install wrk``), else httpx; phase 3
uses httpx. Prints requests/s and p50/p99 latency for each.

    python benchmarks/load.py [--clients 200] [--seconds 30] [--rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from feeder.config import load

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(config: Path, work: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    subprocess.run([sys.executable, "-m", "feeder", "build", "-q", "--config", str(config)],
                   cwd=work, check=True)
    proc = subprocess.Popen([sys.executable, "-m", "feeder", "serve", "-q", "--config",
                             str(config), "--port", str(port)], cwd=work)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base}/healthz")
            return proc, base
        except httpx.TransportError:
            time.sleep(0.05)
    sys.exit("feeder serve did not start")


def feed_paths(output: Path) -> list[str]:
    return sorted("/" + quote(str(p.relative_to(output))) for p in output.rglob("*")
                  if p.name in ("rss.xml", "atom.xml", "feed.json"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def wrk(base: str, paths: list[str], etags: dict[str, str], clients: int, seconds: int,
        conditional: bool, rate: int = 0) -> str:
    """wrk's figures; with ``rate``, each connection pauses so that all of them together send
    about ``rate`` requests a second (every other one conditional)."""
    lua = "paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
    lua += "etags = {" + ",".join(f"['{p}'] = '{etags[p]}'" for p in paths) + "}\n"
    lua += ("n = 0\nrequest = function()\n  n = n + 1\n  local p = paths[n % #paths + 1]\n"
            + ("  if n % 2 == 0 then return wrk.format('GET', p) end\n" if rate else "")
            + ("  return wrk.format('GET', p, {['If-None-Match'] = etags[p]})\n"
               if conditional else "  return wrk.format('GET', p)\n") + "end\n")
    if rate:
        lua += f"delay = function() return {1000 * clients // rate} end\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    run = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency", "-s",
                          script.name, base], capture_output=True, text=True, check=False)
    if run.returncode:
        sys.exit(f"wrk failed: {run.stderr or run.stdout}")
    Path(script.name).unlink()
    out = run.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return (f"{float(rate[1]) if rate else 0:8.0f} req/s   p50 {p50[1] if p50 else '?':>8}   "
            f"p99 {p99[1] if p99 else '?':>8}   (wrk{'; ' + errors[0] if errors else ''})")


async def closed_loop(base: str, paths: list[str], etags: dict[str, str], clients: int,
                      seconds: int, conditional: bool) -> str:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def worker(offset: int) -> None:
            n = offset
            while time.perf_counter() < end:
                path = paths[n % len(paths)]
                n += 1
                headers = {"If-None-Match": etags[path]} if conditional else {}
                began = time.perf_counter()
                response = await client.get(path, headers=headers)
                latencies.append(time.perf_counter() - began)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        await asyncio.gather(*(worker(i) for i in range(clients)))
    return (f"{len(latencies) / seconds:8.0f} req/s   p50 {percentile(latencies, .5) * 1000:6.1f}ms"
            f"   p99 {percentile(latencies, .99) * 1000:6.1f}ms   (httpx; statuses {statuses})")


async def open_loop(base: str, paths: list[str], etags: dict[str, str], rate: int,
                    seconds: int) -> str:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def one(n: int, due: float) -> None:
            path = paths[n % len(paths)]
            headers = {"If-None-Match": etags[path]} if n % 2 else {}
            response = await client.get(path, headers=headers)
            latencies.append(time.perf_counter() - due)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        start = time.perf_counter()
        tasks = []
        for n in range(rate * seconds):
            due = start + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            tasks.append(asyncio.create_task(one(n, due)))
        await asyncio.gather(*tasks)
        took = time.perf_counter() - start
    return (f"{len(latencies) / took:8.0f} req/s   p50 {percentile(latencies, .5) * 1000:6.1f}ms"
            f"   p99 {percentile(latencies, .99) * 1000:6.1f}ms   "
            f"max {max(latencies) * 1000:6.1f}ms   (statuses {statuses}; "
            f"mean {statistics.fmean(latencies) * 1000:.1f}ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, help="a site's config.toml (default: the seeds)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rate", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        config = args.config
        if config is None:
            shutil.copytree(ROOT / "seeds", work / "seeds")
            config = work / "config.toml"
            config.write_text((ROOT / "config.toml").read_text(encoding="utf-8"),
                              encoding="utf-8")
        proc, base = start_server(config.resolve(), work)
        try:
            paths = feed_paths(load(config.resolve()).output.path)
            etags = {p: httpx.get(base + p).headers["etag"] for p in paths}
            print(f"{len(paths)} feed files at {base}; {args.clients} clients, "
                  f"{args.seconds} s per phase")
            use_wrk = shutil.which("wrk") is not None
            for label, conditional in (("304 (If-None-Match)", True), ("200 (full feed)", False)):
                if use_wrk:
                    result = wrk(base, paths, etags, args.clients, args.seconds, conditional)
                else:
                    result = asyncio.run(closed_loop(base, paths, etags, args.clients,
                                                     args.seconds, conditional))
                print(f"  {label:<22} {result}")
            if use_wrk:     # 50 connections, each pausing between requests
                result = wrk(base, paths, etags, 50, args.seconds, True, args.rate)
            else:
                result = asyncio.run(open_loop(base, paths, etags, args.rate, args.seconds))
            print(f"  {f'~{args.rate} req/s, mixed':<22} {result}")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait()


if __name__ == "__main__":
    main()
