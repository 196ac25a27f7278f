"""The passages the scripts here time: the abstracts of the first 40 hf-daily-api files, with
the `passage: ` prefix, at most `n` of them."""
import glob, json, os

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def hf_abstracts(n):
    texts = []
    for f in sorted(glob.glob(REPO + "/../shared/corpus/hf-daily-api/*.json"))[:40]:
        try:
            papers = json.load(open(f))
        except (OSError, ValueError):
            continue
        for p in papers if isinstance(papers, list) else []:
            abstract = (p.get("paper") or {}).get("summary") or p.get("summary")
            if abstract:
                texts.append("passage: " + abstract)
    return texts[:n]
