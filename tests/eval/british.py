#!/usr/bin/env python3
"""Writes the British twins of the English query sets: every query of `dev` and `title` holding a
word in `-ization(s)` (`quantization`), with each such word spelled `-isation(s)`, as a British
reader types it. A query keeps its id, so each set is scored with its base set's qrels:

    python3 tests/eval/british.py tests/eval
    paperdex --index index/full eval --queries tests/eval/dev-british-queries.jsonl --qrels tests/eval/dev-qrels.txt
    paperdex --index index/full eval --queries tests/eval/title-british-queries.jsonl --qrels tests/eval/title-qrels.txt
"""
import json
import os
import re
import sys

folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
for name in ["dev", "title"]:
    twins = []
    with open(os.path.join(folder, f"{name}-queries.jsonl"), encoding="utf-8") as lines:
        for line in lines:
            query = json.loads(line)
            british = re.sub(r"(?<=[A-Za-z])i([zZ])ation", lambda m: "i" + ("s" if m.group(1) == "z" else "S") + "ation", query["query"])
            if british != query["query"]:
                query["query"] = british
                twins.append(query)
    with open(os.path.join(folder, f"{name}-british-queries.jsonl"), "w", encoding="utf-8") as out:
        for query in twins:
            out.write(json.dumps(query, ensure_ascii=False) + "\n")
    print(f"{name}: {len(twins)} queries")
