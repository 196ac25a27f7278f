"""ONNX Runtime (paperdex's graph, as paperdex runs it) against OpenVINO on the same weights, one
thread, interleaved text by text: PERFORMANCE.md, "Session 30". Not part of the product.

OpenVINO gets the fp32 graph of `variants.py fp32` (models/.cache/query-graphs/fp32.onnx),
quantised to int8 by NNCF (static: activation ranges calibrated on 100 HF abstracts that are not
among the timed ones), its other operators in bf16 (`INFERENCE_PRECISION_HINT`). Its CPU plugin
is fast only on static shapes, so every text is padded to a multiple of BUCKET tokens (queries:
QBUCKET) and each width gets a model compiled for it. Needs a venv of its own:

    python3 -m venv /tmp/ov && /tmp/ov/bin/pip install openvino==2026.4.1 nncf==3.4.0 tokenizers numpy \
        models/.cache/wheels/onnxruntime-1.32.0-*.whl
    N=120 ROUNDS=2 /tmp/ov/bin/python benches/query_graph/ov_compare.py
"""
import json, os, statistics, sys, time
import numpy as np, onnxruntime as ort, openvino as ov, nncf
from tokenizers import Tokenizer

from abstracts import hf_abstracts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
M = REPO + "/models/multilingual-e5-small"
FP32 = REPO + "/models/.cache/query-graphs/fp32.onnx"
IR = REPO + "/models/.cache/query-graphs/nncf-int8.xml"
N, ROUNDS = int(os.environ.get("N", "120")), int(os.environ.get("ROUNDS", "2"))
BUCKET, QBUCKET = int(os.environ.get("BUCKET", "32")), int(os.environ.get("QBUCKET", "16"))
tok = Tokenizer.from_file(M + "/tokenizer.json")
texts = hf_abstracts(N + 200)
timed = [e.ids[:512] for e in tok.encode_batch(texts[:N])]
calibration = [e.ids[:512] for e in tok.encode_batch(texts[N:N + 200:2])]

options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.add_session_config_entry("optimization.disable_specified_optimizers", "SkipLayerNormFusion")
options.add_session_config_entry("session.intra_op.allow_spinning", "0")
shipped = ort.InferenceSession(M + "/model.onnx", options)

core = ov.Core()
if not os.path.exists(IR):
    feeds = [{"input_ids": np.array([i], np.int64), "attention_mask": np.ones((1, len(i)), np.int64)} for i in calibration]
    quantised = nncf.quantize(core.read_model(FP32), nncf.Dataset(feeds), model_type=nncf.ModelType.TRANSFORMER,
                              subset_size=len(feeds))
    ov.save_model(quantised, IR)
graphs = {"ov-nncf-int8-bf16": core.read_model(IR), "ov-fp32-bf16": core.read_model(FP32)}
compiled, compile_seconds = {}, []


def request(graph, width):
    if (graph, width) not in compiled:
        started = time.time()
        model = graphs[graph].clone()
        model.reshape({"input_ids": [1, width], "attention_mask": [1, width]})
        config = {"INFERENCE_NUM_THREADS": "1", "NUM_STREAMS": "1", "PERFORMANCE_HINT": "LATENCY",
                  "INFERENCE_PRECISION_HINT": "bf16"}
        compiled[graph, width] = core.compile_model(model, "CPU", config).create_infer_request()
        compile_seconds.append(time.time() - started)
    return compiled[graph, width]


def embed(name, ids, bucket):
    if name == "ort":
        x = np.array([ids], np.int64)
        mask = np.ones_like(x)
        hidden = shipped.run(None, {"input_ids": x, "attention_mask": mask})[0]
    else:
        width = -(-len(ids) // bucket) * bucket
        x, mask = np.ones((1, width), np.int64), np.zeros((1, width), np.int64)
        x[0, :len(ids)], mask[0, :len(ids)] = ids, 1
        infer = request(name, width)
        infer.infer({"input_ids": x, "attention_mask": mask})
        hidden = infer.get_output_tensor(0).data
    v = (hidden * mask[..., None]).sum(1)[0] / mask.sum()
    return v / np.linalg.norm(v)


names = ["ort"] + list(graphs)
padded = np.mean([-(-len(i) // BUCKET) * BUCKET for i in timed])
print(f"{len(timed)} passages, mean {np.mean([len(i) for i in timed]):.0f} tokens (padded to {BUCKET}s: {padded:.0f})")
for name in names:
    for ids in timed:
        embed(name, ids, BUCKET)
print(f"{len(compile_seconds)} static models compiled, {np.mean(compile_seconds):.2f} s each")
for round in range(ROUNDS):
    cpu, cosine = {n: 0.0 for n in names}, {n: [] for n in names}
    for ids in timed:
        vectors = {}
        for name in names:
            started = time.process_time()
            vectors[name] = embed(name, ids, BUCKET)
            cpu[name] += time.process_time() - started
            cosine[name].append(float(vectors[name] @ vectors["ort"]))
    for name in names:
        print(f"  round {round}: passages {name:18} {len(timed) / cpu[name]:6.2f} passages/s of CPU "
              f"({cpu['ort'] / cpu[name]:.2f}x ort), cosine to ort min {min(cosine[name]):.4f}")
queries = ["query: " + json.loads(line)["query"] for line in open(REPO + "/tests/eval/dev-queries.jsonl")]
query_ids = [e.ids for e in tok.encode_batch(queries)]
for name in names:
    for ids in query_ids:
        embed(name, ids, QBUCKET)
cpu = {n: [] for n in names}
for _ in range(3):
    for ids in query_ids:
        for name in names:
            started = time.process_time()
            embed(name, ids, QBUCKET)
            cpu[name].append(time.process_time() - started)
for name in names:
    print(f"  queries {name:18} CPU p50 {statistics.median(cpu[name]) * 1e3:.2f} ms")
