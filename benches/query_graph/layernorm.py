"""The shipped graph with ONNX Runtime's SkipLayerNormFusion on (the fused, scalar
SkipLayerNormalization kernel) and off (Add + the vectorised LayerNormalization), as paperdex
runs it: one thread, one text a call. Both sessions interleaved in one run; CPU time
(`process_time`) p50 of a 320-token passage, a 12-token input and the development queries
with their `query: ` prefix, and where a passage's kernel time goes in each (ORT's profiler).
PERFORMANCE.md, "Session 24".

usage: models/.cache/venv/bin/python benches/query_graph/layernorm.py
"""
import collections, json, os, statistics, tempfile, time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = REPO + "/models/multilingual-e5-small/"
VARIANTS = {"fused": "", "unfused": "SkipLayerNormFusion"}


def session(disable, profile=None):
    o = ort.SessionOptions()
    o.intra_op_num_threads = 1
    o.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if disable:
        o.add_session_config_entry("optimization.disable_specified_optimizers", disable)
    if profile:
        o.enable_profiling = True
        o.profile_file_prefix = profile
    return ort.InferenceSession(MODEL + "model.onnx", o, providers=["CPUExecutionProvider"])


def synthetic(tokens):
    ids = np.full((1, tokens), 1000, np.int64)
    ids[:, 0], ids[:, -1] = 0, 2
    return {"input_ids": ids, "attention_mask": np.ones_like(ids)}


def timed(sessions, feeds, rounds):
    cpu = {name: [] for name in sessions}
    for r in range(rounds):
        order = list(sessions.items()) if r % 2 == 0 else list(sessions.items())[::-1]
        for feed in feeds:
            for name, s in order:
                t0 = time.process_time()
                s.run(None, feed)
                if r:
                    cpu[name].append(time.process_time() - t0)
    return {name: statistics.median(v) * 1e3 for name, v in cpu.items()}


def main():
    tok = Tokenizer.from_file(MODEL + "tokenizer.json")
    queries = [json.loads(line)["query"] for line in open(REPO + "/tests/eval/dev-queries.jsonl")]
    dev = []
    for q in queries:
        ids = np.array([tok.encode("query: " + q).ids], np.int64)
        dev.append({"input_ids": ids, "attention_mask": np.ones_like(ids)})
    sessions = {name: session(disable) for name, disable in VARIANTS.items()}
    for what, feeds, rounds in [("320-token passage", [synthetic(320)], 9),
                                ("12-token input", [synthetic(12)] * 20, 9),
                                ("development queries", dev, 5)]:
        cpu = timed(sessions, feeds, rounds)
        print(f"{what}: CPU p50 fused {cpu['fused']:.2f} ms, unfused {cpu['unfused']:.2f} ms "
              f"(unfused / fused {cpu['unfused'] / cpu['fused']:.2f})")
    with tempfile.TemporaryDirectory() as d:
        for name, disable in VARIANTS.items():
            s = session(disable, profile=f"{d}/{name}")
            for _ in range(6):
                s.run(None, synthetic(320))
            events = json.load(open(s.end_profiling()))
            per_node = collections.defaultdict(list)
            for e in events:
                if e.get("cat") == "Node" and e["name"].endswith("_kernel_time"):
                    per_node[(e["args"]["op_name"], e["name"])].append(e["dur"])
            by_op = collections.defaultdict(float)
            for (op, _), durations in per_node.items():
                by_op[op] += statistics.median(durations) / 1e3
            top = ", ".join(f"{op} {ms:.1f}" for op, ms in sorted(by_op.items(), key=lambda x: -x[1])[:6])
            print(f"{name}, one 320-token passage: kernels {sum(by_op.values()):.1f} ms: {top}")


if __name__ == "__main__":
    main()
