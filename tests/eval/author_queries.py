#!/usr/bin/env python3
"""Writes the author set: a reader looking for the papers of one person by name.

    tests/eval/author_queries.py ../shared/corpus/hf-daily-api tests/eval

Reads every author name of the HF daily dumps (`paper.authors[].name`), keeps the names of
two to four words of letters alone (no initials, no CJK) that list from 2 to 30 papers, and
draws 40 of them at random (`random.seed(42)`, in name order). Each query is the name as the
dumps spell it; its relevant papers are every paper listing that name (grade 2), whatever
other source also lists them. Nothing is judged by hand: the dumps' author lists are the
judgments, so a paper by a namesake counts as relevant too (rare at this corpus's size).
"""
import collections
import glob
import json
import os
import random
import re
import sys

corpus, out = sys.argv[1], sys.argv[2]
papers = collections.defaultdict(set)
for path in sorted(glob.glob(os.path.join(corpus, "*.json"))):
    try:
        records = json.load(open(path, encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        continue  # the corpus keeps broken files on purpose
    if isinstance(records, dict):
        records = records.get("data")
    if not isinstance(records, list):
        continue
    for record in records:
        paper = record.get("paper") if isinstance(record, dict) else None
        if not isinstance(paper, dict) or not isinstance(paper.get("authors"), list):
            continue
        pid = paper.get("id")
        if not (isinstance(pid, str) and re.fullmatch(r"\d{4}\.\d{4,5}", pid)):
            continue
        for author in paper["authors"]:
            name = author.get("name") if isinstance(author, dict) else None
            if isinstance(name, str):
                papers[" ".join(name.split())].add(pid)

names = sorted(
    name
    for name, ids in papers.items()
    if 2 <= len(ids) <= 30 and 2 <= len(name.split()) <= 4 and all(re.fullmatch(r"[A-Za-z]{2,}", w) for w in name.split())
)
random.seed(42)
drawn = sorted(random.sample(names, 40))
with open(os.path.join(out, "author-queries.jsonl"), "w", encoding="utf-8") as queries, open(
    os.path.join(out, "author-qrels.txt"), "w", encoding="utf-8"
) as qrels:
    for n, name in enumerate(drawn, 1):
        qid = f"a{n:02d}"
        queries.write(json.dumps({"id": qid, "query": name, "lang": "en", "kind": "author"}, ensure_ascii=False) + "\n")
        for pid in sorted(papers[name]):
            qrels.write(f"{qid} 0 {pid} 2  # lists {name} among its authors\n")
