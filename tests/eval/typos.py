#!/usr/bin/env python3
"""Writes the misspelled query sets: each query of a judged set with one typing mistake.

    python3 tests/eval/typos.py        # writes dev-typo-queries.jsonl and title-typo-queries.jsonl

A query keeps its id, so it is scored with its set's judgments:

    paperdex --index index/full eval --queries tests/eval/dev-typo-queries.jsonl --qrels tests/eval/dev-qrels.txt

Which queries: every query of dev-queries.jsonl with a word of five or more ASCII letters (the
English and mixed ones), and every query of title-queries.jsonl. Which word: one of those words,
drawn at random. Which mistake, drawn at random among the four single errors of Damerau (1964),
as a hand on a QWERTY keyboard makes them: a letter dropped (not the first), two neighbouring
letters swapped, a letter struck as a key next to it, or a key next to it struck as well. The
draws are seeded, so the files are the same on every run; the queries were not looked at or
chosen after the draw.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 35

ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(letter):
    """The keys beside `letter` on its row and the rows above and below."""
    lower = letter.lower()
    for r, row in enumerate(ROWS):
        if lower in row:
            c = row.index(lower)
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(ROWS):
                    near += [ROWS[other][i] for i in (c - 1, c, c + 1) if 0 <= i < len(ROWS[other])]
            return near
    return [lower]


def misspell(word, rng):
    """`word` with one typing mistake."""
    kind = rng.choice(["drop", "swap", "strike", "extra"])
    i = rng.randrange(1, len(word)) if kind == "drop" else rng.randrange(len(word) - 1)
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "swap":
        if word[i] == word[i + 1]:
            return misspell(word, rng)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    key = rng.choice(neighbours(word[i]))
    key = key.upper() if word[i].isupper() else key
    if kind == "strike":
        return word[:i] + key + word[i + 1:]
    return word[:i + 1] + key + word[i + 1:]


def words(query):
    """The (start, end) of every run of five or more ASCII letters in `query`."""
    out, start = [], None
    for i, c in enumerate(query + " "):
        letter = c.isascii() and c.isalpha()
        if letter and start is None:
            start = i
        elif not letter and start is not None:
            if i - start >= 5:
                out.append((start, i))
            start = None
    return out


def write(source, target, rng):
    lines = []
    for line in (HERE / source).read_text().splitlines():
        query = json.loads(line)
        spots = words(query["query"])
        if not spots:
            continue
        start, end = rng.choice(spots)
        text = query["query"]
        typed = text[:start] + misspell(text[start:end], rng) + text[end:]
        lines.append(json.dumps({"id": query["id"], "query": typed, "lang": query["lang"], "kind": "typo"},
                                ensure_ascii=False))
    (HERE / target).write_text("\n".join(lines) + "\n")
    print(f"{target}: {len(lines)} queries")


if __name__ == "__main__":
    rng = random.Random(SEED)
    write("dev-queries.jsonl", "dev-typo-queries.jsonl", rng)
    write("title-queries.jsonl", "title-typo-queries.jsonl", rng)
