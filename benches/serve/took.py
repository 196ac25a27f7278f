#!/usr/bin/env python3
"""Asks a running `paperdex serve` on 127.0.0.1:7788 the 16 bench queries one at a time, 50 ms
apart, three rounds per mode, and prints took_ms p50/p99 (the server's own clock)."""
import json, os, statistics, sys, time, urllib.parse, urllib.request
PORT = os.environ.get("PORT", "7788")
queries = ["KV cache quantization", "强化学习 奖励模型", "speculative decoding", "多模态大模型 幻觉", "mixture of experts routing",
  "3D gaussian splatting", "retrieval augmented generation", "扩散模型 视频生成", "phone GUI agents", "long context attention",
  "检索增强生成", "reward model for reasoning", "video diffusion distillation", "推理加速", "medical image segmentation", "tool use agents"]
for mode in ["bm25", "vector", "hybrid"]:
    took, wall = [], []
    for rnd in range(3):
        for q in queries:
            time.sleep(0.05)
            url = "http://127.0.0.1:" + PORT + "/api/search?" + urllib.parse.urlencode({"q": q, "mode": mode, "limit": 10})
            t = time.perf_counter()
            body = json.load(urllib.request.urlopen(url))
            wall.append((time.perf_counter() - t) * 1000)
            took.append(body["took_ms"])
    took.sort(); wall.sort()
    p = lambda v, q: v[min(len(v) - 1, int(q * len(v)))]
    print(f"{mode:7s} took_ms p50 {statistics.median(took):.2f} p99 {p(took, .99):.2f}  (client wall p50 {statistics.median(wall):.2f}) n={len(took)}", flush=True)
