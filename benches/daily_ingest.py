#!/usr/bin/env python3
"""The user's daily flow: for each of the first N days that have both a hf-daily-api file and a
non-empty zh-glm file, ingest that day's English list, then its Chinese summaries, into a fresh
index, one `paperdex ingest` per file. Prints the passages each kind of ingest embedded and kept
(a changed paper's unchanged passages keep their vectors) and its wall time (PERFORMANCE.md,
"Session 20").

usage: benches/daily_ingest.py PAPERDEX_BINARY INDEX_DIR [N=12]     (INDEX_DIR is deleted first)
"""
import json, os, re, shutil, subprocess, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "..", "shared", "corpus")
binary, index = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 12

days = []
for name in sorted(os.listdir(os.path.join(corpus, "zh-glm"))):
    english = os.path.join(corpus, "hf-daily-api", name[:10] + ".json")
    try:
        summaries = json.load(open(os.path.join(corpus, "zh-glm", name)))
    except (ValueError, OSError):
        continue
    if isinstance(summaries, list) and len(summaries) >= 5 and os.path.exists(english):
        days.append((english, os.path.join(corpus, "zh-glm", name)))
shutil.rmtree(index, ignore_errors=True)
totals = {"hf-daily-api": [0, 0, 0.0], "zh-glm": [0, 0, 0.0]}
for english, chinese in days[:n]:
    for kind, path in (("hf-daily-api", english), ("zh-glm", chinese)):
        started = time.time()
        out = subprocess.run([binary, "--index", index, "ingest", path], capture_output=True, text=True, cwd=root)
        totals[kind][2] += time.time() - started
        embedded = re.search(r"embedded: \d+ papers, (\d+) passages", out.stdout)
        kept = re.search(r"kept: (\d+) stored", out.stdout)
        totals[kind][0] += int(embedded.group(1)) if embedded else 0
        totals[kind][1] += int(kept.group(1)) if kept else 0
for kind, (embedded, kept, wall) in totals.items():
    print(f"{kind}: {min(n, len(days))} ingests, {embedded} passages embedded, {kept} kept, {wall:.1f} s")
