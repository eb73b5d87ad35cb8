#!/usr/bin/env bash
# /v1/ask through HTTP for a cold question (every request a miss), an L1 hit and an L2 (Redis) hit, in one run.
# Two servers share one data directory and one Redis; server B keeps no L1 (Cache:L1SizeBytes below one entry), so
# every request it serves is an L2 hit. Usage: bench/cache/ask-cache.sh [seconds=10] [connections=16]
# Needs: wrk, redis-server, a Release build (dotnet build src/Quarry.Cli -c Release), ../shared/datasets/kb-fastapi-docs.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}; connections=${2:-16}
server=artifacts/bin/Quarry.Server/release/Quarry.Server.dll
cli=artifacts/bin/Quarry.Cli/release/quarry.dll
[ -f "$server" ] && [ -f "$cli" ] || { echo "build first: dotnet build src/Quarry.Cli -c Release" >&2; exit 1; }
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
dotnet "$cli" ingest ../shared/datasets/kb-fastapi-docs/docs --data "$work/data" >/dev/null
redis-server --port 6391 --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null & pids+=($!)
start() { # port, extra args
  local port=$1; shift
  # Rate limits out of the way: this measures the answer path, not the limiter.
  QUARRY_Cache__Redis__Configuration=127.0.0.1:6391 QUARRY_Audit__Enabled=false QUARRY_Server__Limits__RequestsPerSecond=1000000 \
    QUARRY_Server__Limits__Burst=1000000 QUARRY_Server__Limits__ConcurrentAsks=256 \
    dotnet "$server" --urls "http://127.0.0.1:$port" --data "$work/data" --dev "$@" >"$work/server-$port.log" 2>&1 & pids+=($!)
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.3; done
}
start 5401
start 5402 --Cache:L1SizeBytes=1024
run() { # name, url, mode
  echo "== $1"
  MODE=$3 wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/ask.lua "$2" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors"
}
for q in "how do I declare OAuth2 scopes" "how to return a custom response status code" "what is a dependency with yield" \
         "how do I upload files" "how to add CORS middleware" "how to run background tasks after returning a response"; do
  curl -sf -X POST http://127.0.0.1:5401/v1/ask -H 'Content-Type: application/json' -d "{\"question\":\"$q\"}" \
    | python3 -c 'import json,sys; a=json.load(sys.stdin); print("warm-up:", a["cache"], "grounded", a["grounded"])'
done
curl -sf -X POST http://127.0.0.1:5402/v1/ask -H 'Content-Type: application/json' -d '{"question":"how do I upload files"}' \
  | python3 -c 'import json,sys; print("server B:", json.load(sys.stdin)["cache"])'
run "cold (every question new: full answer path)" http://127.0.0.1:5401 cold
run "L1 hit (server A)" http://127.0.0.1:5401 warm
run "L2 hit (server B, Redis)" http://127.0.0.1:5402 warm
