"""Batches of 8 passages of ~300 tokens on one thread, the shipped graph with ORT's
SkipLayerNormalization fusion on and off, interleaved: CPU per batch and the vectors' cosine.

    nice models/.cache/venv/bin/python benches/query_graph/passages.py [rounds]
"""
import os, sys, time, glob
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
tok = Tokenizer.from_file(REPO + "/models/multilingual-e5-small/tokenizer.json")
tok.enable_truncation(300); tok.enable_padding(pad_id=1, pad_token="<pad>")
# real text: the repository's own prose, cut into 8 windows
text = " ".join(open(p).read() for p in sorted(glob.glob(REPO + "/*.md")))
words = text.split()
passages = ["passage: " + " ".join(words[i * 260:(i + 1) * 260]) for i in range(8)]
enc = tok.encode_batch(passages)
feed = {"input_ids": np.array([e.ids for e in enc], np.int64), "attention_mask": np.array([e.attention_mask for e in enc], np.int64)}
print("batch", feed["input_ids"].shape)
def sess(disable):
    o = ort.SessionOptions(); o.intra_op_num_threads = 1
    if disable: o.add_session_config_entry("optimization.disable_specified_optimizers", "SkipLayerNormFusion")
    return ort.InferenceSession(REPO + "/models/multilingual-e5-small/model.onnx", o, providers=["CPUExecutionProvider"])
ss = {"fused (today)": sess(False), "unfused": sess(True)}
cpu = {k: [] for k in ss}; out = {}
for k, s in ss.items(): out[k] = s.run(None, feed)[0]
for r in range(int(sys.argv[1]) if len(sys.argv) > 1 else 3):
    for k, s in ss.items():
        c = time.process_time(); s.run(None, feed); cpu[k].append(time.process_time() - c)
m = feed["attention_mask"][:, :, None].astype(np.float32)
vec = {k: (h * m).sum(1) / m.sum(1) for k, h in out.items()}
vec = {k: v / np.linalg.norm(v, axis=1, keepdims=True) for k, v in vec.items()}
for k in ss: print(f"{k:14s} CPU per batch of 8: median {np.median(cpu[k]):.3f} s")
print("cosine unfused vs fused: min", round(float((vec["unfused"] * vec["fused (today)"]).sum(1).min()), 5))
