#!/usr/bin/env python3
"""Pools the unjudged top-10 hits of eval --json runs and writes one judging file per query.

usage: pool.py OUT_DIR QRELS QUERIES RUN.json...   (runs made by `paperdex eval --json`)
env: PAPERDEX (the binary, default target/release/paperdex), PAPERDEX_INDEX (default index/full),
EN_CHARS and ZH_CHARS (how much text each paper shows, default 900 and 500: the benchmark set's
assessors needed whole abstracts, which name a benchmark late)
Each file lists, in id order (no sign of which ranker found a paper), the title, up to EN_CHARS
characters of English and ZH_CHARS of Chinese text, and the query's existing judgments (reasons)
as calibration. Optional args after the runs: `--only Q:ID,...` pools just those pairs.
"""
import json, os, subprocess, sys
out, qrels, queries, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
only = None
if '--only' in runs:
    at = runs.index('--only')
    only = {tuple(pair.split(':')) for pair in runs[at + 1].split(',')}
    runs = runs[:at]
EN_CHARS = int(os.environ.get('EN_CHARS', '900'))
ZH_CHARS = int(os.environ.get('ZH_CHARS', '500'))
PAPERDEX = os.environ.get('PAPERDEX', 'target/release/paperdex')
INDEX = os.environ.get('PAPERDEX_INDEX', 'index/full')
judged = {}
reasons = {}
for line in open(qrels):
    if line.startswith('#') or not line.strip(): continue
    head, _, why = line.partition('#')
    q, _, d, g = head.split()[:4]
    judged.setdefault(q, {})[d] = int(g)
    reasons.setdefault(q, []).append((d, int(g), why.strip()))
qtext = {json.loads(l)['id']: json.loads(l)['query'] for l in open(queries)}
pool = {}
for r in runs:
    for m in json.load(open(r))['modes']:
        for p in m['per_query']:
            for d in p['top10']:
                if only is not None:
                    if (p['id'], d) in only:
                        pool.setdefault(p['id'], set()).add(d)
                elif d not in judged.get(p['id'], {}):
                    pool.setdefault(p['id'], set()).add(d)
def han(t): return sum(1 for c in t if '\u4e00' <= c <= '\u9fff')
def text_of(i):
    p = json.loads(subprocess.run([PAPERDEX, '--index', INDEX, '--no-model', 'show', i, '--json'], capture_output=True, text=True).stdout)
    title = next((r['title'] for r in p['records'] if r.get('title')), '')
    en, zh = [], []
    for r in p['records']:
        for s in r.get('sections', []):
            t = ' '.join(s['text'].split())
            if s.get('kind') == 'references' or not t: continue
            (zh if han(t) * 3 >= len(t) * 1 else en).append(t)
    en = ' '.join(dict.fromkeys(en))[:EN_CHARS]; zh = ' '.join(dict.fromkeys(zh))[:ZH_CHARS]
    return title, en, zh
os.makedirs(out, exist_ok=True)
total = 0
for q in sorted(pool):
    with open(os.path.join(out, f'{q}.txt'), 'w') as f:
        f.write(f'QUERY {q}: {qtext[q]}\n\n')
        f.write('Earlier judgments of this query (calibration: grade and reason; do not re-judge these):\n')
        for d, g, why in reasons.get(q, []):
            f.write(f'  {d} {g}  # {why}\n')
        f.write(f'\nPAPERS TO JUDGE ({len(pool[q])}):\n')
        for d in sorted(pool[q]):
            title, en, zh = text_of(d)
            f.write(f'\n=== {d}\nTITLE: {title}\nEN: {en}\nZH: {zh}\n')
            total += 1
print(total, 'unjudged pairs over', len(pool), 'queries')
