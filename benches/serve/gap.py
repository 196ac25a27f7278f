#!/usr/bin/env python3
"""One running server, the same queries back-to-back and 30 ms apart: `took_ms` p50/p99 per mode
and gap, measured in one run. Shows what the idle time between a user's queries costs (cores
that were asleep), apart from the work itself (PERFORMANCE.md, "Session 18").

usage: benches/serve/gap.py PORT        (BENCHQ=1: the 16 queries of benches/serve/took.py
                                         instead of the 50 development queries)
Start the server with PAPERDEX_QUERY_CACHE=0 so that every query is embedded.
"""
import json, os, statistics, sys, time, urllib.parse, urllib.request

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
for rnd in range(4):
    # Alternate which gap goes first, so both see the same drift of the machine.
    for gap in ([0.0, 0.03] if rnd % 2 == 0 else [0.03, 0.0]):
        for mode in ["hybrid", "vector", "bm25"]:
            for q in qs:
                if gap:
                    time.sleep(gap)
                url = f"http://127.0.0.1:{PORT}/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "limit": 10})
                took.setdefault((mode, gap), []).append(json.load(urllib.request.urlopen(url))["took_ms"])
for (mode, gap), v in sorted(took.items()):
    v.sort()
    print(f"{mode:7s} {gap * 1000:3.0f} ms apart: took_ms p50 {statistics.median(v):6.2f} p99 {v[int(0.99 * len(v))]:6.2f} (n {len(v)})")
