#!/usr/bin/env python3
"""The plain onnxruntime loop paperdex's ingest is measured against (benches/search.rs runs it
in the same run, on exactly the passages the ingest embedded).

    baseline_embed.py MODEL_DIR PASSAGES_JSON

PASSAGES_JSON is a list of passages in ingest order (paper by paper). The loop: tokenize with
the model's tokenizer.json, sort by length, batches of 8 padded to their longest, one
onnxruntime session with two intra-op threads, mean pooling and L2 norm: what a careful Python
script does. Prints one JSON object: passages, tokens, seconds, passages_per_s, model_ops (the
encoder's arithmetic on the real tokens), and the share of padding in the token slots for
batches of 8 in ingest order (paper by paper) and in length order. The same loop in paper order
(unsorted batches, as paperdex fed the model before) is timed first: paper_order_passages_per_s.
Last, the same session with one passage a call (what paperdex's ingest does; no padding):
one_per_call_passages_per_s. BASELINE_PASSES (default "paper,length,one") leaves out the paper
order and one-a-call loops on long runs; the sorted loop always runs.

Runs in the venv models/fetch made (numpy, onnxruntime, tokenizers); needs nothing else.
"""

import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

BATCH = 8


def padding_share(lengths, order):
    slots = real = 0
    for i in range(0, len(order), BATCH):
        call = [lengths[j] for j in order[i : i + BATCH]]
        slots += max(call) * len(call)
        real += sum(call)
    return 1 - real / slots if slots else 0.0


def main():
    model_dir, passages_json = sys.argv[1], sys.argv[2]
    texts = ["passage: " + t for t in json.load(open(passages_json, encoding="utf-8"))]
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), options, providers=["CPUExecutionProvider"])
    session.run(None, {"input_ids": np.array([[0, 2]], np.int64), "attention_mask": np.ones((1, 2), np.int64)})

    encodings = tok.encode_batch(texts)
    ids = [e.ids[:512] for e in encodings]
    lengths = [len(i) for i in ids]

    def embed(order, batch=BATCH):
        for i in range(0, len(order), batch):
            call = order[i : i + batch]
            width = max(lengths[j] for j in call)
            input_ids = np.ones((len(call), width), np.int64)
            mask = np.zeros((len(call), width), np.int64)
            for row, j in enumerate(call):
                input_ids[row, : lengths[j]] = ids[j]
                mask[row, : lengths[j]] = 1
            hidden = session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
            m = mask[..., None].astype(np.float32)
            vectors = (hidden * m).sum(1) / m.sum(1)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    # Paper order first (as paperdex fed the model before), then the sorted loop that is the
    # baseline; tokenizing again is part of the timed loop, as in a plain script.
    passes = os.environ.get("BASELINE_PASSES", "paper,length,one").split(",")
    extra = {}
    if "paper" in passes:
        started = time.perf_counter()
        embed(list(range(len(texts))))
        extra["paper_order_passages_per_s"] = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    encodings = tok.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda j: lengths[j])
    embed(order)
    seconds = time.perf_counter() - started
    if "one" in passes:
        started = time.perf_counter()
        encodings = tok.encode_batch(texts)
        embed(list(range(len(texts))), batch=1)
        extra["one_per_call_passages_per_s"] = len(texts) / (time.perf_counter() - started)
    # Multiply-adds x 2 of the encoder on the real tokens (padding excluded): per layer the
    # Q/K/V/output projections (4 H^2) and the FFN (2 H FF) per token, and the attention
    # products (2 n^2 H for QK^T and for PV).
    hidden, ffn, layers = 384, 1536, 12
    model_ops = sum(layers * (2 * n * (4 * hidden * hidden + 2 * hidden * ffn) + 4 * n * n * hidden) for n in lengths)
    print(
        json.dumps(
            {
                "passages": len(texts),
                "tokens": sum(lengths),
                "seconds": seconds,
                "model_ops": model_ops,
                "passages_per_s": len(texts) / seconds,
                **extra,
                "padding_ingest_order": padding_share(lengths, list(range(len(texts)))),
                "padding_length_order": padding_share(lengths, order),
            }
        )
    )


if __name__ == "__main__":
    main()
