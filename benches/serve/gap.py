#!/usr/bin/env python3
"""One running server, the same queries back-to-back and 30 ms apart: `took_ms` p50/p99 per mode
and gap, measured in one run. Shows what the idle time between a user's queries costs (cores
that were asleep), apart from the work itself (PERFORMANCE.md, "Session 18").

Three ways of asking, rounds alternating their order so that all see the same drift of the
machine: back to back on one kept-alive connection (as a browser or an agent asks), back to
back with a new connection per query (`urllib`, whose own work between queries is idle time
for the server), and 30 ms apart on one connection. `took_ms` is the server's own clock, so the
connection is not in it; only the idle time before the query is.

usage: benches/serve/gap.py PORT        (BENCHQ=1: the 16 queries of benches/serve/took.py
                                         instead of the 50 development queries)
Start the server with PAPERDEX_QUERY_CACHE=0 so that every query is embedded.
"""
import http.client, json, os, statistics, sys, time, urllib.parse, urllib.request

PORT = sys.argv[1] if len(sys.argv) > 1 else "7791"
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
qs = [json.loads(line)["query"] for line in open(os.path.join(root, "tests/eval/dev-queries.jsonl"))]
if os.environ.get("BENCHQ"):
    qs = ["KV cache quantization", "强化学习 奖励模型", "speculative decoding", "多模态大模型 幻觉",
          "mixture of experts routing", "3D gaussian splatting", "retrieval augmented generation",
          "扩散模型 视频生成", "phone GUI agents", "long context attention", "检索增强生成",
          "reward model for reasoning", "video diffusion distillation", "推理加速",
          "medical image segmentation", "tool use agents"]
took = {}
kept = http.client.HTTPConnection("127.0.0.1", int(PORT))


def ask(path, new_connection):
    if new_connection:
        return json.load(urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}"))
    kept.request("GET", path)
    return json.loads(kept.getresponse().read())


WAYS = [("back to back, kept-alive", 0.0, False), ("back to back, new connection", 0.0, True),
        ("30 ms apart, kept-alive", 0.03, False)]
for rnd in range(4):
    for way, gap, new_connection in WAYS[rnd % 3:] + WAYS[:rnd % 3]:
        for mode in ["hybrid", "vector", "bm25"]:
            for q in qs:
                if gap:
                    time.sleep(gap)
                path = "/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "limit": 10})
                took.setdefault((mode, way), []).append(ask(path, new_connection)["took_ms"])
for (mode, way), v in sorted(took.items()):
    v.sort()
    print(f"{mode:7s} {way:29s}: took_ms p50 {statistics.median(v):6.2f} p99 {v[int(0.99 * len(v))]:6.2f} (n {len(v)})")
