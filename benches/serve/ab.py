#!/usr/bin/env python3
"""Two servers answering the same queries in turn: `took_ms` p50 of each, per mode, round and
language, measured in the same run so the ratio survives a noisy machine.

usage: benches/serve/ab.py [PORT_A PORT_B]   (default 7791 7792)

Start the two builds first, over the same index, e.g.
  OLD/paperdex --index index/full serve --addr 127.0.0.1:7791 &
  NEW/paperdex --index index/full serve --addr 127.0.0.1:7792 &
Asks the 50 development queries (tests/eval/dev-queries.jsonl), alternating which server is
asked first, three rounds per mode. Round 1 asks each query for the first time; later rounds
find hybrid and vector queries' vectors in each server's query cache.
"""
import json, os, statistics, sys, time, urllib.parse, urllib.request

ports = {"A": int(sys.argv[1]) if len(sys.argv) > 2 else 7791, "B": int(sys.argv[2]) if len(sys.argv) > 2 else 7792}
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
queries = [json.loads(line) for line in open(os.path.join(root, "tests/eval/dev-queries.jsonl"))]
for mode in ["bm25", "hybrid", "vector"]:
    took = {}
    for rnd in range(3):
        order = ("A", "B") if rnd % 2 == 0 else ("B", "A")
        for q in queries:
            lang = "en" if q["lang"] == "en" else "zh"
            for name in order:
                time.sleep(0.03)
                url = f"http://127.0.0.1:{ports[name]}/api/search?" + urllib.parse.urlencode(
                    {"q": q["query"], "mode": mode, "limit": 10})
                took.setdefault((name, lang, rnd), []).append(json.load(urllib.request.urlopen(url))["took_ms"])
    for lang in ("en", "zh"):
        print(mode, lang, " | ".join(
            f"round {r + 1}: A {statistics.median(took[('A', lang, r)]):.2f} B {statistics.median(took[('B', lang, r)]):.2f}"
            for r in range(3)), flush=True)
