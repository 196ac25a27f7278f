import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
import json, sys, numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
D = REPO + "/models/.cache/query-graphs"
tok = Tokenizer.from_file(REPO + "/models/multilingual-e5-small/tokenizer.json")
qs = [json.loads(l)["query"] for l in open(REPO + "/tests/eval/dev-queries.jsonl")]
def emb(path, texts, disable=""):
    o = ort.SessionOptions(); o.intra_op_num_threads = 1
    if disable: o.add_session_config_entry("optimization.disable_specified_optimizers", disable)
    s = ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
    V = []
    for t in texts:
        e = tok.encode(t); h = s.run(None, {"input_ids": np.array([e.ids], np.int64), "attention_mask": np.ones((1, len(e.ids)), np.int64)})[0][0]
        v = h.mean(0); V.append(v / np.linalg.norm(v))
    return np.array(V)
texts = ["query: " + q for q in qs]
ref = emb(f"{D}/fp32.onnx", texts)
base = emb(f"{D}/shipped.onnx", texts)
for spec in sys.argv[1:]:
    name, _, dis = spec.partition(":")
    V = emb(f"{D}/{name}.onnx", texts, dis)
    c = (V * ref).sum(1); cb = (V * base).sum(1)
    print(f"{spec:30s} cos to fp32 min {c.min():.5f} mean {c.mean():.5f} | to shipped min {cb.min():.5f} mean {cb.mean():.5f}")
