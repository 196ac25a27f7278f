"""Draws the papers of the digest-phrase set (tests/eval/README.md): 30 papers with at least
200 Han characters of Chinese summary, 10 from each kind of Chinese source (the daily report,
zh-glm, paper-md), at random (random.Random(41)), and writes each one's Chinese sections to
papers.json for a query writer who never sees a search.

    python3 tests/eval/digest_phrase_draw.py ../shared/corpus target/release/paperdex index/full
"""
import json, os, random, re, subprocess, glob, sys
corpus, binary, index = sys.argv[1:4]
BIN = [binary, "--index", index, "--no-model"]
rng = random.Random(41)
report = open(f"{corpus}/reports/2026-02-05.md", encoding="utf-8").read()
ids = {"report": sorted(set(re.findall(r"huggingface\.co/papers/(\d{4}\.\d{4,5})", report)))}
zh = set()
for f in sorted(glob.glob(f"{corpus}/zh-glm/*.json")):
    try:
        for item in json.load(open(f, encoding="utf-8")):
            m = re.search(r"(\d{4}\.\d{4,5})", str(item.get("url", "")))
            if m: zh.add(m.group(1))
    except Exception:
        pass
ids["zh-glm"] = sorted(zh)
ids["paper-md"] = sorted({os.path.basename(f).split("v")[0] for f in glob.glob(f"{corpus}/paper-md/*.md") if re.match(r"\d{4}\.\d{4,5}v", os.path.basename(f))})
out = []
for kind in ["report", "zh-glm", "paper-md"]:
    pool = ids[kind][:]
    rng.shuffle(pool)
    taken = 0
    for pid in pool:
        if taken == 10: break
        r = subprocess.run(BIN + ["show", pid, "--json"], capture_output=True, text=True)
        if r.returncode != 0: continue
        d = json.loads(r.stdout)
        zh_text = "\n".join(s["text"] for s in d["sections"] if re.search(r"[\u4e00-\u9fff]", s["text"]) and s.get("kind") != "references")
        if len(re.findall(r"[\u4e00-\u9fff]", zh_text)) < 200: continue
        out.append({"id": pid, "kind": kind, "summary": zh_text[:2500]})
        taken += 1
json.dump(out, open("papers.json", "w"), ensure_ascii=False, indent=1)
print(len(out), [o["id"] for o in out])
