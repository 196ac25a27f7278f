import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
import json, sys, time, threading, numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
D = REPO + "/models/.cache/query-graphs"
tok = Tokenizer.from_file(REPO + "/models/multilingual-e5-small/tokenizer.json")
rows = [json.loads(l) for l in open(REPO + "/tests/eval/dev-queries.jsonl")]
zh = [r["query"] for r in rows if r["lang"] == "zh"]; en = [r["query"] for r in rows if r["lang"] == "en"]
pairs = [("query: " + a, "query: " + b) for a, b in zip(zh, en)]
print(len(pairs), "pairs")
G = sys.argv[1] if len(sys.argv) > 1 else "shipped"
def sess(t):
    o = ort.SessionOptions(); o.intra_op_num_threads = t; o.add_session_config_entry("session.intra_op.allow_spinning", "0"); o.add_session_config_entry("optimization.disable_specified_optimizers", "SkipLayerNormFusion")
    return ort.InferenceSession(f"{D}/{G}.onnx", o, providers=["CPUExecutionProvider"])
def feed(texts):
    es = [tok.encode(t).ids for t in texts]; L = max(map(len, es))
    ids = np.ones((len(es), L), np.int64); m = np.zeros((len(es), L), np.int64)
    for i, e in enumerate(es): ids[i, :len(e)] = e; m[i, :len(e)] = 1
    return {"input_ids": ids, "attention_mask": m}
s2 = sess(2); s1a = sess(1); s1b = sess(1)
def batch2(p): s2.run(None, feed(p))
def seq2(p): s2.run(None, feed(p[:1])); s2.run(None, feed(p[1:]))
def one2(p): s2.run(None, feed(p[:1]))
def one1(p): s1a.run(None, feed(p[:1]))
def conc(p):
    t = threading.Thread(target=lambda: s1b.run(None, feed(p[1:]))); t.start(); s1a.run(None, feed(p[:1])); t.join()
fs = {"one text, 2 threads": one2, "one text, 1 thread": one1, "batch of 2, one 2-thread session": batch2, "2 calls, one 2-thread session": seq2, "2 concurrent 1-thread sessions": conc}
W = {k: [] for k in fs}; C = {k: [] for k in fs}
for p in pairs[:3]:
    for f in fs.values(): f(p)
for r in range(int(sys.argv[2]) if len(sys.argv) > 2 else 4):
    for p in pairs:
        for k, f in fs.items():
            time.sleep(0.01); c = time.process_time(); t = time.perf_counter(); f(p); W[k].append(time.perf_counter() - t); C[k].append(time.process_time() - c)
for k in fs: print(f"{k:36s} wall p50 {np.median(W[k])*1e3:6.2f} ms  cpu mean {np.mean(C[k])*1e3:6.2f} ms")
