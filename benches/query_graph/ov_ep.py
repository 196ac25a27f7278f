"""ONNX Runtime's own CPU kernels against its OpenVINO execution provider (the route that would
keep fastembed: same `ort` API, another library), one thread: PERFORMANCE.md, "Session 30".
The provider gets a static int8 QDQ graph made by onnxruntime.quantization from the fp32 graph of
`variants.py fp32` (activation ranges calibrated on 100 HF abstracts). Not part of the product.
The provider ships in the onnxruntime-openvino wheel (OpenVINO 2025.4 inside); the
quantisation needs onnxruntime and onnx. Two venvs, as the two onnxruntime wheels clash:

    python3 -m venv /tmp/ov && /tmp/ov/bin/pip install onnx tokenizers numpy models/.cache/wheels/onnxruntime-1.32.0-*.whl
    python3 -m venv /tmp/ovep && /tmp/ovep/bin/pip install onnxruntime-openvino==1.24.1 tokenizers numpy
    /tmp/ov/bin/python benches/query_graph/ov_ep.py quantise && N=60 /tmp/ovep/bin/python benches/query_graph/ov_ep.py
"""
import json, os, statistics, sys, time, resource
import numpy as np, onnxruntime as ort
from tokenizers import Tokenizer

from abstracts import hf_abstracts

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
M = REPO + "/models/multilingual-e5-small"
QDQ = REPO + "/models/.cache/query-graphs/qdq-static.onnx"
tok = Tokenizer.from_file(M + "/tokenizer.json")


def quantise():
    import onnx
    from onnxruntime.quantization import quantize_static, CalibrationDataReader, QuantFormat, QuantType, CalibrationMethod
    from onnxruntime.quantization.shape_inference import quant_pre_process
    ids = [e.ids[:512] for e in tok.encode_batch(hf_abstracts(300))]
    calib = ids[100:300:2]
    class R(CalibrationDataReader):
        def __init__(s): s.it = iter(calib)
        def get_next(s):
            i = next(s.it, None)
            if i is None: return None
            x = np.array([i], np.int64); return {"input_ids": x, "attention_mask": np.ones_like(x)}
    quant_pre_process(REPO + "/models/.cache/query-graphs/fp32.onnx", REPO + "/models/.cache/query-graphs/fp32-pre.onnx", skip_optimization=False, skip_symbolic_shape=True)
    quantize_static(REPO + "/models/.cache/query-graphs/fp32-pre.onnx", QDQ, R(), quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True,
        op_types_to_quantize=["MatMul"], calibrate_method=CalibrationMethod.MinMax)
    print("saved")


if sys.argv[1:] == ["quantise"]:
    quantise()
    sys.exit(0)
def cpu_session(path):
    so = ort.SessionOptions(); so.intra_op_num_threads = 1
    so.add_session_config_entry("optimization.disable_specified_optimizers", "SkipLayerNormFusion")
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
def ov_session(path, static, prec):
    so = ort.SessionOptions(); so.intra_op_num_threads = 1
    opts = {"device_type": "CPU", "num_of_threads": "1", "disable_dynamic_shapes": "true" if static else "false"}
    if prec: opts["load_config"] = json.dumps({"CPU": {"INFERENCE_PRECISION_HINT": prec, "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": "1", "INFERENCE_NUM_THREADS": "1"}})
    return ort.InferenceSession(path, so, providers=[("OpenVINOExecutionProvider", opts)])
sessions = {"ort-cpu": cpu_session(M + "/model.onnx")}
B = int(os.environ.get("BUCKET", "32"))
for name, static, prec in [("ov-qdq-static-bf16", True, "bf16"), ("ov-qdq-static-f32", True, "f32"), ("ov-qdq-dyn-bf16", False, "bf16")]:
    s = time.time(); sessions[name] = ov_session(QDQ, static, prec); print(name, f"made in {time.time()-s:.1f} s", flush=True)
def pool(h, m):
    v = (h * m[..., None]).sum(1) / m.sum(1, keepdims=True); return v / np.linalg.norm(v, axis=1, keepdims=True)
def run(name, ids):
    n = len(ids); w = -(-n // B) * B if "static" in name else n
    x = np.ones((1, w), np.int64); m = np.zeros((1, w), np.int64); x[0, :n] = ids; m[0, :n] = 1
    h = sessions[name].run(None, {"input_ids": x, "attention_mask": m})[0]
    return pool(h, m)[0]
N = int(os.environ.get("N", "60"))
ids = [e.ids[:512] for e in tok.encode_batch(hf_abstracts(N))]
print(f"{len(ids)} passages, mean {sum(map(len, ids))/len(ids):.0f} tokens", flush=True)
names = list(sessions)
# warm every shape once (compile cost measured apart)
for n in names:
    s = time.time()
    for i in ids: run(n, i)
    print(f"warm {n}: {time.time()-s:.1f} s", flush=True)
t = {n: 0.0 for n in names}; cos = {n: [] for n in names}
for i in ids:
    ref = None
    for n in names:
        s = time.process_time(); v = run(n, i); t[n] += time.process_time() - s
        if ref is None: ref = v
        cos[n].append(float(v @ ref))
for n in names: print(f"passages {n}: {len(ids)/t[n]:.2f} passages/s CPU, min cos {min(cos[n]):.4f} mean {np.mean(cos[n]):.4f}", flush=True)
queries = ["query: " + json.loads(l)["query"] for l in open(REPO + "/tests/eval/dev-queries.jsonl")]
qids = [e.ids for e in tok.encode_batch(queries)]
for n in names:
    for q in qids: run(n, q)
cpu = {n: [] for n in names}
for _ in range(3):
    for q in qids:
        for n in names:
            s = time.process_time(); run(n, q); cpu[n].append(time.process_time() - s)
for n in names: print(f"queries {n}: CPU p50 {statistics.median(cpu[n])*1e3:.2f} ms", flush=True)
print("maxrss MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)
