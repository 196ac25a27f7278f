"""Passage throughput of session layouts in plain onnxruntime: one 2-thread session with and
without spinning threads, two 1-thread sessions fed from two threads (paperdex's layout), one
1-thread session. The abstracts of the first 40 hf-daily-api files, sorted by length, batches
of 8 padded to their longest.

    N=320 R=2 [ONLY="two 1"] models/.cache/venv/bin/python benches/query_graph/layout.py
"""
import os, threading, time
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer

from abstracts import hf_abstracts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
M = REPO + "/models/multilingual-e5-small"
texts = hf_abstracts(int(os.environ.get("N", "320")))
tok = Tokenizer.from_file(M + "/tokenizer.json")
ids = [e.ids[:512] for e in tok.encode_batch(texts)]
L = [len(i) for i in ids]
order = sorted(range(len(ids)), key=lambda i: L[i])


def feed(batch):
    w = max(L[j] for j in batch)
    x, m = np.ones((len(batch), w), np.int64), np.zeros((len(batch), w), np.int64)
    for r, j in enumerate(batch):
        x[r, : L[j]], m[r, : L[j]] = ids[j], 1
    return {"input_ids": x, "attention_mask": m}


feeds = [feed(order[i : i + 8]) for i in range(0, len(order), 8)]


def session(threads, spin):
    o = ort.SessionOptions(); o.intra_op_num_threads = threads; o.inter_op_num_threads = 1
    o.add_session_config_entry("session.intra_op.allow_spinning", spin)
    return ort.InferenceSession(M + "/model.onnx", o, providers=["CPUExecutionProvider"])


def one(threads, spin):
    s = session(threads, spin); s.run(None, feeds[0]); t0 = time.perf_counter()
    for f in feeds:
        s.run(None, f)
    return len(texts) / (time.perf_counter() - t0)


def two():
    sessions = [session(1, "0") for _ in range(2)]
    for s in sessions:
        s.run(None, feeds[0])
    nxt, lock = [0], threading.Lock()

    def work(s):
        while True:
            with lock:
                i = nxt[0]; nxt[0] += 1
            if i >= len(feeds):
                return
            s.run(None, feeds[i])

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(s,)) for s in sessions]
    [t.start() for t in threads]; [t.join() for t in threads]
    return len(texts) / (time.perf_counter() - t0)


layouts = [("one 2-thread spin", lambda: one(2, "1")), ("one 2-thread nospin", lambda: one(2, "0")),
           ("two 1-thread", two), ("one 1-thread", lambda: one(1, "0"))]
print("passages", len(texts), "tokens", sum(L))
for r in range(int(os.environ.get("R", "2"))):
    for name, run in [x for x in layouts if os.environ.get("ONLY", "") in x[0]]:
        print(f"round {r} {name}: {run():.2f} passages/s", flush=True)
