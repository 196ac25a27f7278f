import os as _os
REPO = _os.path.dirname(_os.path.dirname(_os.path.dirname(_os.path.abspath(__file__))))
import time, numpy as np, onnxruntime as ort, onnx
from onnx import helper, TensorProto, numpy_helper
H=384
def g(nodes, inits, ins):
    gr = helper.make_graph(nodes, "t", [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["b", "s", H]) for n in ins],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], initializer=inits)
    m = helper.make_model(gr, opset_imports=[helper.make_opsetid("",17), helper.make_opsetid("com.microsoft",1)]); m.ir_version=8
    return m.SerializeToString()
w = numpy_helper.from_array(np.ones(H, np.float32), "w"); b = numpy_helper.from_array(np.zeros(H, np.float32), "b")
sln = g([helper.make_node("SkipLayerNormalization", ["x","s","w","b"], ["y"], domain="com.microsoft", epsilon=1e-12)], [w,b], ["x","s"])
ln = g([helper.make_node("Add", ["x","s"], ["a"]), helper.make_node("LayerNormalization", ["a","w","b"], ["y"], axis=-1, epsilon=1e-12)], [w,b], ["x","s"])
def t(model, level, shape=(1, 14, H), n=2000):
    o = ort.SessionOptions(); o.intra_op_num_threads=1; o.graph_optimization_level=level
    s = ort.InferenceSession(model, o, providers=["CPUExecutionProvider"])
    f = {"x": np.random.randn(*shape).astype(np.float32), "s": np.random.randn(*shape).astype(np.float32)}
    for _ in range(100): s.run(None, f)
    c=time.process_time()
    for _ in range(n): s.run(None, f)
    return (time.process_time()-c)/n*1e6
for r in range(2):
    print("SLN", round(t(sln, ort.GraphOptimizationLevel.ORT_ENABLE_ALL),1), "us;  Add+LN basic", round(t(ln, ort.GraphOptimizationLevel.ORT_ENABLE_BASIC),1), "us;  Add+LN all", round(t(ln, ort.GraphOptimizationLevel.ORT_ENABLE_ALL),1), "us")
# a batch of 8 passages of 300 tokens
for r in range(2):
    big = dict(shape=(8, 300, H), n=100)
    print("[8,300,384]: SLN", round(t(sln, ort.GraphOptimizationLevel.ORT_ENABLE_ALL, **big)), "us;  Add+LN basic", round(t(ln, ort.GraphOptimizationLevel.ORT_ENABLE_BASIC, **big)), "us")
