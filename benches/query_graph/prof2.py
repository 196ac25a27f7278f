import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
import json, sys, os, collections
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer
D = REPO + "/models/.cache/query-graphs"
tok = Tokenizer.from_file(REPO + "/models/multilingual-e5-small/tokenizer.json")
qs = [json.loads(l)["query"] for l in open(REPO + "/tests/eval/dev-queries.jsonl")]
e = tok.encode("query: " + qs[0]); print("tokens", len(e.ids))
f = {"input_ids": np.array([e.ids], np.int64), "attention_mask": np.ones((1, len(e.ids)), np.int64)}
for spec in sys.argv[1:]:
    name, _, dis = spec.partition(":")
    o = ort.SessionOptions(); o.intra_op_num_threads = 1; o.enable_profiling = True; o.profile_file_prefix = f"{D}/p2"
    if dis: o.add_session_config_entry("optimization.disable_specified_optimizers", dis)
    s = ort.InferenceSession(f"{D}/{name}.onnx", o, providers=["CPUExecutionProvider"])
    for _ in range(20): s.run(None, f)
    p = s.end_profiling(); ev = json.load(open(p)); os.remove(p)
    node = collections.defaultdict(list); runs = []
    for x in ev:
        if x.get("cat") == "Node" and x["name"].endswith("_kernel_time"): node[(x["args"]["op_name"], x["name"][:-12])].append(x["dur"])
        if x.get("cat") == "Session" and x["name"] == "model_run": runs.append(x["dur"])
    med = {k: float(np.median(v)) for k, v in node.items()}
    by = collections.defaultdict(float)
    for (op, n), d in med.items(): by[op] += d
    print(f"== {spec}: model_run median {np.median(runs)/1e3:.3f} ms, kernels {sum(med.values())/1e3:.3f} ms")
    for op, d in sorted(by.items(), key=lambda x: -x[1])[:8]: print(f"   {op:26s} {d/1e3:.3f} ms")
    for k in sorted(med, key=lambda k: -med[k])[:6]: print("     ", k, med[k], "us")
    # layer-0 matmuls
    for k in med:
        if k[1].startswith("l0_"): print("     L0", k, med[k], "us")
