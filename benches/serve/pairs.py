#!/usr/bin/env python3
"""Two running servers' throughput under load, in alternating pairs of `wrk` runs, and the ratio
B/A with a bootstrap 95% interval: the one figure that survives a machine whose speed drifts.

usage: benches/serve/pairs.py PORT_A PORT_B [PAIRS]        (default 10 pairs)
  MODE=hybrid|vector|bm25 (default hybrid), DURATION in seconds per run (default 30), CONNECTIONS (8)

Start the two builds first, each over its own index if their formats differ, e.g.
  PAPERDEX_QUERY_CACHE=0 OLD/paperdex --index OLD/index/full serve --addr 127.0.0.1:7790 &
  PAPERDEX_QUERY_CACHE=0 target/release/paperdex --index index/full serve --addr 127.0.0.1:7791 &
Each pair runs A then B, the next B then A, so a drift in the machine's speed falls on both.
The queries are queries.lua's 16 (English and Chinese). Prints one line per run (requests/s,
latency p50/p99, non-2xx answers, the 1-minute load), then the geometric mean of B/A over the
pairs, its interval, how many pairs favour B, and each server's peak RSS (VmHWM) when its
process can be found by port.
"""
import math
import os
import random
import re
import subprocess
import sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
ports = {"A": sys.argv[1], "B": sys.argv[2]}
pairs = int(sys.argv[3]) if len(sys.argv) > 3 else 10
mode = os.environ.get("MODE", "hybrid")
# Not SECONDS: bash keeps its own SECONDS (time since the shell started).
seconds = os.environ.get("DURATION", "30")
connections = os.environ.get("CONNECTIONS", "8")
here = os.path.dirname(os.path.abspath(__file__))


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run(name):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", "queries.lua",
         f"http://127.0.0.1:{ports[name]}"],
        cwd=here, env={**os.environ, "MODE": mode}, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    print(f"  {name} (:{ports[name]}) {rps:8.1f} requests/s  p50 {p50:>8}  p99 {p99:>8}  "
          f"non-2xx {bad.group(1) if bad else 0}{'  ' + errors.group(0) if errors else ''}  load {load()}",
          flush=True)
    return rps


def vmhwm(port):
    try:
        pids = subprocess.run(["pgrep", "-f", f"serve --addr 127.0.0.1:{port}"], capture_output=True,
                              text=True).stdout.split()
        for pid in pids:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM"):
                        return line.split(":")[1].strip()
    except OSError:
        pass
    return "unknown"


ratios = []
for i in range(pairs):
    order = ("A", "B") if i % 2 == 0 else ("B", "A")
    print(f"pair {i + 1}/{pairs}, {mode}, {seconds} s each", flush=True)
    got = {name: run(name) for name in order}
    ratios.append(got["B"] / got["A"])
logs = [math.log(r) for r in ratios]
mean = math.exp(sum(logs) / len(logs))
rng = random.Random(1)
means = sorted(math.exp(sum(rng.choice(logs) for _ in logs) / len(logs)) for _ in range(10000))
print(f"B/A {mode} requests/s over {len(ratios)} pairs: geometric mean {mean:.3f}x, "
      f"bootstrap 95% interval {means[250]:.3f}-{means[9750]:.3f}, {sum(r > 1 for r in ratios)} pairs favour B; "
      f"each pair: {' '.join(f'{r:.3f}' for r in ratios)}")
print(f"peak RSS: A {vmhwm(ports['A'])}, B {vmhwm(ports['B'])}")
