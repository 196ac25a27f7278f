#!/usr/bin/env python3
"""Does paging through a running server's answers show every paper once?

usage: benches/serve/paging.py PORT [DEPTH]      (default DEPTH 300)

For five queries (English, Chinese, mixed) in every mode and both orders, reads the first
DEPTH hits in pages of 10, again in pages of 50, and positions 100-300 in one page of 200
(when DEPTH is 300), and prints per walk: hits read, papers shown twice, whether the page
sizes agree, and how many different totals the pages gave; then the counts over all walks.
Start a server first, e.g.
  PAPERDEX_QUERY_CACHE=0 target/release/paperdex --index index/full serve --addr 127.0.0.1:7791 &
"""
import http.client
import json
import sys
import urllib.parse

if len(sys.argv) < 2:
    sys.exit(__doc__)
port = int(sys.argv[1])
depth = int(sys.argv[2]) if len(sys.argv) > 2 else 300
connection = http.client.HTTPConnection('127.0.0.1', port)


def page(query, mode, sort, offset, limit):
    path = f'/api/search?q={urllib.parse.quote(query)}&mode={mode}&sort={sort}&offset={offset}&limit={limit}'
    connection.request('GET', path)
    response = connection.getresponse()
    answer = json.loads(response.read())
    if response.status != 200:
        sys.exit(f'{path}: {response.status} {answer}')
    return answer


def walk(query, mode, sort, size):
    ids, totals = [], set()
    for offset in range(0, depth, size):
        answer = page(query, mode, sort, offset, size)
        ids += [hit['id'] for hit in answer['hits']]
        totals.add((answer['total'], answer['total_is_estimate']))
    return ids, totals


rows = []
for query in ['KV cache quantization', '强化学习 奖励模型', 'speculative decoding', 'agent memory', '3D 高斯泼溅 三维重建']:
    for mode in ['hybrid', 'bm25', 'vector']:
        for sort in ['relevance', 'date']:
            by_ten, totals = walk(query, mode, sort, 10)
            by_fifty, _ = walk(query, mode, sort, 50)
            deep_agrees = True
            if depth >= 300:
                deep = [hit['id'] for hit in page(query, mode, sort, 100, 200)['hits']]
                deep_agrees = by_ten[100:300] == deep
            twice = len(by_ten) - len(set(by_ten))
            rows.append((query, mode, sort, len(by_ten), twice, by_ten == by_fifty and deep_agrees, len(totals)))
            print(f'{query:<24} {mode:<7} {sort:<9} hits {len(by_ten):>4}  shown twice {twice:>3}  '
                  f'page sizes agree {by_ten == by_fifty and deep_agrees!s:<5}  totals {len(totals)}')
print(f'{len(rows)} walks: {sum(1 for r in rows if r[4])} show a paper twice, '
      f'{sum(1 for r in rows if not r[5])} depend on the page size, '
      f'{sum(1 for r in rows if r[6] > 1)} give more than one total')
