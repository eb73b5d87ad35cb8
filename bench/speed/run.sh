#!/usr/bin/env bash
# Quarry's keyword path against raw SQLite FTS5 on the same data, in one run, as ratios (docs/PERFORMANCE.md).
# In process: `quarry eval --depth 10` (keyword-only and default with the n-gram signal) interleaved with
# bench/speed/fts5.py over several rounds, so machine noise falls on both. Over HTTP: wrk on POST /v1/search with
# 2 connections against fts5.py with 2 processes. Ingestion: the first eval of each dataset ingests into a fresh store.
# Usage: bench/speed/run.sh [rounds=3] [http seconds=10]      QUARRY_CLI=path/to/quarry.dll to measure another build
# Needs: dotnet build src/Quarry.Cli -c Release, python3, wrk (HTTP part skipped without it), ../shared/datasets.
# LanceDB (npm @lancedb/lancedb) runs beside FTS5 when `npm ci` in bench/speed installs it; LANCEDB=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}; seconds=${2:-10}
cli=${QUARRY_CLI:-artifacts/bin/Quarry.Cli/release/quarry.dll}
[ -f "$cli" ] || { echo "build first: dotnet build src/Quarry.Cli -c Release" >&2; exit 1; }
datasets=${DATASETS:-"scifact squad-dev-a"}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
out=${OUT:-$work/results.jsonl}; : >"$out"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; cli $cli" | tee -a "$out"

quarry_eval() { # name dataset [env...]
  local name=$1 ds=$2; shift 2
  env "$@" dotnet "$cli" eval --dataset "../shared/datasets/$ds" --data "$work/$ds" --depth 10 --json |
    python3 -c "
import json, os, sys
r = json.load(sys.stdin); i = r.get('ingest', {})
mb = os.path.getsize('../shared/datasets/$ds/corpus.jsonl') / 1e6 / i['seconds'] if i.get('created') and i.get('seconds') else None
print(json.dumps({'engine': '$name', 'dataset': '$ds', 'ndcg@10': r['ndcgAt10'], 'p50': r['latencyMs']['p50'],
                  'p95': r['latencyMs']['p95'], 'build_mb_s': None if mb is None else round(mb, 2)}))"
}

lance=0
if [ "${LANCEDB:-1}" != 0 ] && command -v node >/dev/null; then
  [ -d bench/speed/node_modules/@lancedb/lancedb ] || (cd bench/speed && npm ci --no-audit --no-fund >/dev/null 2>&1) || true
  [ -d bench/speed/node_modules/@lancedb/lancedb ] && lance=1
fi

for ds in $datasets; do
  # Ingestion, keyword-only, into an empty store (the first eval of the dataset).
  quarry_eval quarry-keyword "$ds" QUARRY_Retrieval__CharNgramWeight=0 | tee -a "$out"
  for round in $(seq 1 "$rounds"); do
    python3 bench/speed/fts5.py eval "../shared/datasets/$ds" "$work/fts-$ds.db" | tee -a "$out"
    [ $lance = 1 ] && node bench/speed/lancedb.mjs eval "../shared/datasets/$ds" "$work/lance-$ds" | tee -a "$out"
    quarry_eval quarry-keyword "$ds" QUARRY_Retrieval__CharNgramWeight=0 | tee -a "$out"
    quarry_eval quarry-default "$ds" | tee -a "$out"
  done
done

if command -v wrk >/dev/null; then
  port=5397
  for ds in $datasets; do
    key=$(dotnet "$cli" keys create --role reader --name bench --data "$work/$ds" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
    python3 -c "
import json, sys
for line in open('../shared/datasets/$ds/queries.jsonl', encoding='utf-8'):
    print(json.dumps(json.loads(line)['text'], ensure_ascii=True)[1:-1])" >"$work/queries-$ds.txt"
    QUARRY_Server__Limits__RequestsPerSecond=1000000 QUARRY_Server__Limits__Burst=1000000 QUARRY_Cache__Enabled=false \
      Logging__LogLevel__Default=Warning QUARRY_Audit__Enabled=false QUARRY_Retrieval__CharNgramWeight=${HTTP_NGRAM_WEIGHT:-0.3} \
      dotnet "$cli" serve --urls "http://127.0.0.1:$port" --data "$work/$ds" >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
    export KEY=$key KB=eval-$ds QUERIES=$work/queries-$ds.txt TOPK=10
    curl -sf -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
      -d "{\"query\":\"test\",\"knowledgeBase\":\"$KB\"}" "http://127.0.0.1:$port/v1/search" || { echo "search failed" >&2; tail "$work/server.log" >&2; exit 1; }
    # Warm-up: under load the JIT takes tens of seconds to bring the request path to its optimized tier.
    wrk -t2 -c2 -d"${WARMUP:-30}s" -s bench/speed/search.lua "http://127.0.0.1:$port" >/dev/null
    for round in $(seq 1 "$rounds"); do
      python3 bench/speed/fts5.py qps "../shared/datasets/$ds" "$work/fts-$ds.db" --clients 2 --seconds "$seconds" | tee -a "$out"
      [ $lance = 1 ] && node bench/speed/lancedb.mjs qps "../shared/datasets/$ds" "$work/lance-$ds" --seconds "$seconds" | tee -a "$out"
      res=$(wrk -t2 -c2 -d"${seconds}s" -s bench/speed/search.lua "http://127.0.0.1:$port")
      grep -q "Non-2xx" <<<"$res" && { echo "$res" >&2; exit 1; }
      echo "{\"engine\": \"quarry-http\", \"dataset\": \"$ds\", \"clients\": 2, \"qps\": $(awk '/Requests\/sec/ {print $2}' <<<"$res")}" | tee -a "$out"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out"
python3 bench/speed/report.py "$out"
