#!/usr/bin/env python3
"""Two or more running `paperdex serve`s asked the same query in turn (50 ms apart, the order
alternating), so every server sees the same machine: took_ms p50/p90/p99 per server and mode.

    ROUNDS=3 python3 benches/query_graph/took2.py 7801,7802 hybrid,vector
"""
import json, os, statistics, sys, time, urllib.parse, urllib.request
ports = sys.argv[1].split(","); modes = sys.argv[2].split(",") if len(sys.argv) > 2 else ["hybrid", "vector"]
R = int(os.environ.get("ROUNDS", 3))
queries = ["KV cache quantization", "强化学习 奖励模型", "speculative decoding", "多模态大模型 幻觉", "mixture of experts routing",
  "3D gaussian splatting", "retrieval augmented generation", "扩散模型 视频生成", "phone GUI agents", "long context attention",
  "检索增强生成", "reward model for reasoning", "video diffusion distillation", "推理加速", "medical image segmentation", "tool use agents"]
took = {(p, m): [] for p in ports for m in modes}
for rnd in range(R + 1):  # round 0 warms up
    for i, q in enumerate(queries):
        for m in modes:
            for p in (ports if (rnd + i) % 2 else ports[::-1]):
                time.sleep(0.05)
                url = f"http://127.0.0.1:{p}/api/search?" + urllib.parse.urlencode({"q": q, "mode": m, "limit": 10})
                body = json.load(urllib.request.urlopen(url))
                if rnd > 0:
                    took[(p, m)].append(body["took_ms"])
pc = lambda v, q: sorted(v)[min(len(v) - 1, int(q * len(v)))]
for (p, m), v in took.items():
    print(f"port {p} {m:7s} took_ms p50 {statistics.median(v):.2f} p90 {pc(v, .9):.2f} p99 {pc(v, .99):.2f} n={len(v)}")
