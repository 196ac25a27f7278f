"""Texts per model call, one thread, in plain onnxruntime: passages (HF abstracts of the first
40 hf-daily-api files, sorted by length, so batches pad little) one a call against batches of
4 and 8, and the development queries one a call against batches of 2, 4 and 8 (CPU per
query). PERFORMANCE.md, "Session 19": why paperdex gives every text a call of its own.

    N=240 models/.cache/venv/bin/python benches/query_graph/batch.py
"""
import json, os, statistics, time
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer

from abstracts import hf_abstracts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
M = REPO + "/models/multilingual-e5-small"
tok = Tokenizer.from_file(M + "/tokenizer.json")
options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(M + "/model.onnx", options)


def feed(ids):
    width = max(len(i) for i in ids)
    x, m = np.ones((len(ids), width), np.int64), np.zeros((len(ids), width), np.int64)
    for row, i in enumerate(ids):
        x[row, : len(i)], m[row, : len(i)] = i, 1
    return {"input_ids": x, "attention_mask": m}


texts = hf_abstracts(int(os.environ.get("N", "240")))
ids = sorted((e.ids[:512] for e in tok.encode_batch(texts)), key=len)
print(f"{len(ids)} passages, mean {sum(map(len, ids)) / len(ids):.0f} tokens")
for round in range(2):
    for batch in [1, 8, 4]:
        feeds = [feed(ids[i : i + batch]) for i in range(0, len(ids), batch)]
        started = time.perf_counter()
        for f in feeds:
            session.run(None, f)
        print(f"  passages, {batch} a call: {len(ids) / (time.perf_counter() - started):.2f} passages/s")

queries = ["query: " + json.loads(line)["query"] for line in open(REPO + "/tests/eval/dev-queries.jsonl")]
query_ids = [e.ids for e in tok.encode_batch(queries)]
for batch in [1, 2, 4, 8]:
    cpu = []
    for _ in range(3):
        for i in range(0, len(query_ids) - batch + 1, batch):
            f = feed(query_ids[i : i + batch])
            started = time.process_time()
            session.run(None, f)
            cpu.append((time.process_time() - started) / batch)
            time.sleep(0.002)
    print(f"  queries, {batch} a call: CPU per query p50 {statistics.median(cpu) * 1e3:.2f} ms")
