#!/usr/bin/env python3
"""Reads the JSON lines bench/speed/run.sh collected and prints medians over rounds and Quarry/FTS5 ratios."""
import json, statistics, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip().startswith("{")]
by = defaultdict(list)
for r in rows:
    by[(r["dataset"], r["engine"])].append(r)
med = lambda rs, k: statistics.median(r[k] for r in rs if r.get(k) is not None) if any(r.get(k) is not None for r in rs) else None

print("\n| dataset | engine | nDCG@10 | p50 ms | p95 ms | p50 / FTS5 | build MB/s |")
print("|---|---|---|---|---|---|---|")
for dataset in sorted({d for d, _ in by}):
    base = by.get((dataset, "fts5"))
    base_p50 = med(base, "p50") if base else None
    for (d, engine), rs in sorted(by.items()):
        if d != dataset or "p50" not in rs[0]:
            continue
        p50 = med(rs, "p50")
        ratio = f"{p50 / base_p50:.2f}×" if base_p50 else ""
        mb = med(rs, "build_mb_s")
        print(f"| {d} | {engine} | {med(rs, 'ndcg@10'):.4f} | {p50:.2f} | {med(rs, 'p95'):.2f} | {ratio} | {'' if mb is None else f'{mb:.2f}'} |")

qps = [r for r in rows if "qps" in r]
if qps:
    print("\n| dataset | engine | clients | queries/s | / FTS5 |")
    print("|---|---|---|---|---|")
    for dataset in sorted({r["dataset"] for r in qps}):
        base = [r["qps"] for r in qps if r["dataset"] == dataset and r["engine"] == "fts5"]
        b = statistics.median(base) if base else None
        for engine in sorted({r["engine"] for r in qps if r["dataset"] == dataset}):
            v = statistics.median(r["qps"] for r in qps if r["dataset"] == dataset and r["engine"] == engine)
            print(f"| {dataset} | {engine} | {qps[0]['clients']} | {v:.0f} | {'' if not b else f'{v / b:.0%}'} |")
