#!/usr/bin/env python3
"""Checks the rule `term_prefix` (crates/paperdex-index/src/highlight.rs) relies on: English
stemming (Snowball's Porter2, what tantivy's `Stemmer` runs) rewrites only the end of a word,
writing at most a final e, i or y, ie, or bl/ble, so a stem less those letters begins the word.

usage: models/.cache/venv/bin/pip install snowballstemmer
       models/.cache/venv/bin/python benches/stem_prefixes.py [CORPUS_DIR]

Every ASCII word of the corpus (lower-cased), then 20,000 of them with each of 83 English
suffixes appended. Prints how many words break the rule (PERFORMANCE.md, "Session 22": none).
"""
import collections, os, random, re, sys

import snowballstemmer

stemmer = snowballstemmer.stemmer("english")
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../shared/corpus")


def prefix(stem):
    """The Rust `term_prefix` for an ASCII stem."""
    if stem.endswith("ble") or stem.endswith("ie"):
        return stem[:-2]
    if stem.endswith("bl") or stem[-1:] in ("e", "i", "y"):
        return stem[:-1]
    return stem


def broken(words):
    return [(w, stemmer.stemWord(w)) for w in words if not w.startswith(prefix(stemmer.stemWord(w)))]


words = collections.Counter()
for root, _, files in os.walk(corpus):
    for name in files:
        with open(os.path.join(root, name), encoding="utf-8", errors="ignore") as f:
            words.update(re.findall(r"[a-z0-9]+", f.read().lower()))
bad = broken(words)
print(f"corpus: {len(words)} distinct words, {len(bad)} break the rule {bad[:10]}")

suffixes = """ational tional ization ation ator alism aliti ality iviti ivity biliti bility bli bly ogi
ogy li ly fulness ousness iveness enci ency anci ancy abli ably entli ently izer alli ally fulli
fully lessli lessly ousli ously icate iciti icity ical ative alize ies ied ing ingly ed edly eed
eedly s es 's y ness ful ement ment ent ion sion tion e ible able ibility ability ibly ance ence
er ic ant ism ate iti ous ive ize ying yed""".split()
random.seed(1)
roots = random.sample(sorted(w for w in words if w.isalpha() and 2 <= len(w) <= 8), 20000)
made = [root + suffix for root in roots for suffix in suffixes]
bad = broken(made)
print(f"made: {len(made)} words ({len(suffixes)} suffixes), {len(bad)} break the rule {bad[:10]}")
