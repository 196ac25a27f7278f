#!/usr/bin/env python3
"""Writes the title set: known-item queries a reader types from a paper's title.

    tests/eval/title_queries.py ../shared/corpus/hf-daily-api tests/eval

Draws papers at random (`random.seed(33)`, 300 of the ids with a title in the HF daily
dumps, in id order) and writes, for the first 40 drawn, the title as it is (`tf..`); for the
first 40 whose title is "Name: description" with a name of at most four words, the name alone
(`tn..`) and the description in lower case (`td..`). Each query's one relevant paper is the
paper its title comes from (grade 2); other hits are not judged, so read MRR@10.
"""
import glob
import json
import os
import random
import re
import sys

corpus, out = sys.argv[1], sys.argv[2]
titles = {}
for path in sorted(glob.glob(os.path.join(corpus, "*.json"))):
    try:
        records = json.load(open(path, encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        continue  # the corpus keeps broken files on purpose
    if not isinstance(records, list):
        continue
    for record in records:
        paper = record.get("paper") if isinstance(record, dict) else None
        if not isinstance(paper, dict):
            continue
        pid, title = paper.get("id"), paper.get("title")
        if isinstance(pid, str) and isinstance(title, str) and re.fullmatch(r"\d{4}\.\d{4,5}", pid):
            titles[pid] = " ".join(title.split())

random.seed(33)
drawn = random.sample(sorted(titles), 300)
forms = {"full": [], "name": [], "desc": []}
for pid in drawn:
    title = titles[pid]
    if len(forms["full"]) < 40:
        forms["full"].append((pid, title))
    named = re.match(r"^([^:]{2,40}):\s*(.+)$", title)
    if named and len(named.group(1).split()) <= 4:
        if len(forms["name"]) < 40:
            forms["name"].append((pid, named.group(1)))
        if len(forms["desc"]) < 40:
            forms["desc"].append((pid, named.group(2).lower()))

with open(os.path.join(out, "title-queries.jsonl"), "w", encoding="utf-8") as queries, open(
    os.path.join(out, "title-qrels.txt"), "w", encoding="utf-8"
) as qrels:
    for form, rows in forms.items():
        for i, (pid, text) in enumerate(rows):
            qid = f"t{form[0]}{i:02d}"
            queries.write(json.dumps({"id": qid, "query": text, "lang": "en", "kind": f"title-{form}"}, ensure_ascii=False) + "\n")
            qrels.write(f"{qid} 0 {pid} 2\n")
print({form: len(rows) for form, rows in forms.items()}, "of", len(titles), "titled papers")
