"""Interleaved latency of one query per run across graph variants / session options."""
import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))

import json, sys, time, os
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
D = REPO + "/models/.cache/query-graphs"
tok = Tokenizer.from_file(REPO + "/models/multilingual-e5-small/tokenizer.json")
qs = [json.loads(l)["query"] for l in open(REPO + "/tests/eval/dev-queries.jsonl")]
enc = [tok.encode("query: " + q) for q in qs]
feeds = [{"input_ids": np.array([e.ids], dtype=np.int64), "attention_mask": np.ones((1, len(e.ids)), dtype=np.int64)} for e in enc]
print("tokens per query: median", int(np.median([len(e.ids) for e in enc])), "min", min(len(e.ids) for e in enc), "max", max(len(e.ids) for e in enc))
def sess(path, threads, level=ort.GraphOptimizationLevel.ORT_ENABLE_ALL, prof=False, disable=""):
    o = ort.SessionOptions(); o.intra_op_num_threads = threads; o.inter_op_num_threads = 1
    if disable: o.add_session_config_entry("optimization.disable_specified_optimizers", disable)
    o.add_session_config_entry("session.intra_op.allow_spinning", os.environ.get("SPIN", "0"))
    o.graph_optimization_level = level
    if os.environ.get("FSS"): o.add_session_config_entry("session.force_spinning_stop", os.environ["FSS"])
    o.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    if prof: o.enable_profiling = True; o.profile_file_prefix = f"{D}/prof_{os.path.basename(path)}"
    return ort.InferenceSession(path, o, providers=["CPUExecutionProvider"])
variants = {}
for spec in sys.argv[1:]:
    name, threads, *lvl = spec.split(":")  # graph:threads[:level[:disabled optimizers]]
    lv = lvl[0] if lvl else "all"
    level = {"all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL, "ext": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC}[lv.split("-")[0]]
    variants[spec] = sess(f"{D}/{name}.onnx", int(threads), level, disable=lvl[1] if len(lvl) > 1 else "")
wall = {k: [] for k in variants}; cpu = {k: [] for k in variants}
ROUNDS = int(os.environ.get("ROUNDS", 5))
for k, s in variants.items():
    for f in feeds[:5]: s.run(None, f)
for r in range(ROUNDS):
    for f in feeds:
        for k, s in variants.items():
            c0 = time.process_time(); t0 = time.perf_counter()
            s.run(None, f)
            wall[k].append(time.perf_counter() - t0); cpu[k].append(time.process_time() - c0)
            time.sleep(float(os.environ.get("SLEEP", "0.002")))
for k in variants:
    w = np.array(wall[k]) * 1e3; c = np.array(cpu[k]) * 1e3
    print(f"{k:16s} wall p50 {np.median(w):6.2f} p90 {np.percentile(w,90):6.2f} ms   cpu mean {c.mean():6.2f} ms")
