#!/usr/bin/env python3
"""Draws the benchmark set's candidate names (tests/eval/README.md, "The benchmark set").

usage: benchmark_names.py [HF_DAILY_API_DIR] [OUT]   (defaults: ../shared/corpus/hf-daily-api, candidates.txt)
"""
# Candidate benchmark/dataset names in the HF dumps' titles and abstracts: words that contain
# "bench"/"Bench", or end in digits and a K (GSM8K), or begin with one of a list of well-known
# benchmark names (MMLU, HumanEval, ...). Names held by 3 to 60 papers; 80 drawn at random
# (random.seed(53)), each with its paper count and up to four example titles. The regular
# expression also catches words that are no benchmark: the query writer skips those.
import json, os, re, random, collections
import sys
D=sys.argv[1] if len(sys.argv) > 1 else '../shared/corpus/hf-daily-api'
papers={}
for f in sorted(os.listdir(D)):
    try: d=json.load(open(os.path.join(D,f)))
    except Exception: continue
    if not isinstance(d,list): continue
    for r in d:
        p=r.get('paper') if isinstance(r,dict) else None
        if not isinstance(p,dict) or not p.get('id'): continue
        papers[p['id']]=(p.get('title') or '', p.get('summary') or '')
cnt=collections.Counter(); ex=collections.defaultdict(list)
pat=re.compile(r"\b([A-Za-z][\w\-\+\.]*?[Bb]ench(?:mark)?[\w\-\+]*|[A-Z][A-Za-z]*\d+[Kk]|(?:MMLU|HumanEval|MATH|AIME|GPQA|ImageNet|COCO|LibriSpeech|ScanNet|KITTI|nuScenes|SQuAD|HotpotQA|MS ?MARCO|BEIR|MTEB|ARC|HellaSwag|WebArena|OSWorld|AndroidWorld|VQAv2|TextVQA|DocVQA|ChartQA|MMMU|MathVista|Ego4D|Kinetics)[\w\-\+]*)")
for i,(t,s) in papers.items():
    seen=set(m.group(1).rstrip('.-') for m in pat.finditer(t+' '+s))
    for n in seen:
        if n.lower() in ('benchmark','benchmarks','benchmarking','benchmarked','bench'): continue
        cnt[n]+=1
        if len(ex[n])<4: ex[n].append(t)
cands=[n for n,c in cnt.items() if 3<=c<=60]
random.seed(53)
pick=random.sample(sorted(cands),min(80,len(cands)))
with open(sys.argv[2] if len(sys.argv) > 2 else 'candidates.txt','w') as f:
    for n in sorted(pick,key=str.lower):
        f.write(f"{n}  ({cnt[n]} papers)\n")
        for t in ex[n]: f.write(f"    - {t}\n")
print(len(papers),'papers',len(cands),'candidate names, 80 drawn')
