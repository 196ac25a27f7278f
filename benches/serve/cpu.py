#!/usr/bin/env python3
"""CPU per search of running servers: the server process's utime + stime (/proc) over a round
of queries asked one at a time, rounds alternating between the servers (the order reversed
every other round), so a drift in the machine's speed falls on all of them.

usage: benches/serve/cpu.py MODE ROUNDS PORT...
The queries are the development and known-item sets' (tests/eval), 80 in English and Chinese.
Prints per server the median ms of CPU per search and every round's figure. The clock ticks
are 10 ms, so a round's figure is good to about 0.1 ms a search.
"""
import http.client
import json
import os
import statistics
import subprocess
import sys
import urllib.parse
from pathlib import Path

if len(sys.argv) < 4:
    sys.exit(__doc__)
mode, rounds, ports = sys.argv[1], int(sys.argv[2]), [int(p) for p in sys.argv[3:]]
evals = Path(__file__).resolve().parents[2] / 'tests' / 'eval'
queries = [json.loads(line)['query'] for name in ['dev', 'known-item']
           for line in open(evals / f'{name}-queries.jsonl') if line.strip()]


def pid_of(port):
    found = subprocess.run(['pgrep', '-f', f'127.0.0.1:{port}'], capture_output=True, text=True).stdout.split()
    if not found:
        sys.exit(f'no server found listening on 127.0.0.1:{port}')
    return int(found[0])


pids = {port: pid_of(port) for port in ports}
tick = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick


per_search = {port: [] for port in ports}
for round_ in range(rounds):
    for port in (ports if round_ % 2 == 0 else ports[::-1]):
        connection = http.client.HTTPConnection('127.0.0.1', port)
        before = cpu_seconds(pids[port])
        for query in queries:
            connection.request('GET', f'/api/search?q={urllib.parse.quote(query)}&mode={mode}&limit=10')
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                sys.exit(f'{port}: {query!r}: HTTP {response.status}')
        per_search[port].append((cpu_seconds(pids[port]) - before) / len(queries) * 1000)
for port in ports:
    figures = ' '.join(f'{x:.2f}' for x in per_search[port])
    print(f'{port} {mode}: {statistics.median(per_search[port]):.3f} ms CPU a search (median of {rounds}): {figures}')
