#!/usr/bin/env python3
"""Scores date-ordered topic lists ("what is new on this since a day"), which `paperdex eval`
cannot: for each query of date-topic-queries.jsonl, `search --since DAY --sort date` in each
mode, and how many of the first two pages' papers are on the topic (graded 1 or 2 in the
query's set's qrels or in date-topic-qrels.txt), and how many are unjudged.

usage: date_order.py BINARY INDEX   (from the repository's root)
"""
import collections, json, subprocess, sys

binary, index = sys.argv[1], sys.argv[2]
queries = [json.loads(line) for line in open('tests/eval/date-topic-queries.jsonl')]
qrels = collections.defaultdict(dict)
for name in ['dev', 'zh-keyword', 'mixed', 'date-topic']:
    for line in open(f'tests/eval/{name}-qrels.txt'):
        if not line.strip() or line.startswith('#'):
            continue
        query, _, paper, grade = line.split('#')[0].split()[:4]
        qrels[query][paper] = int(grade)
for mode in ['hybrid', 'bm25', 'vector']:
    first = second = unjudged = 0
    for q in queries:
        args = [binary, '--index', index, 'search', '--json', '--since', q['since'], '--sort', 'date',
                '--mode', mode, '-n', '20', '--', q['query']]
        hits = [h['id'] for h in json.loads(subprocess.run(args, capture_output=True, text=True).stdout)['hits']]
        judged = qrels[q['id']]
        first += sum(1 for p in hits[:10] if judged.get(p, 0) >= 1)
        second += sum(1 for p in hits[10:20] if judged.get(p, 0) >= 1)
        unjudged += sum(1 for p in hits if p not in judged)
    print(f'{mode:6}  on the topic: page 1 {first:3}, page 2 {second:3}  (unjudged in the top 20s: {unjudged})')
