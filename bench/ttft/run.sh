#!/usr/bin/env bash
# Time to first token over SSE (docs/PERFORMANCE.md): Quarry serves POST /v1/ask with a loopback streaming
# OpenAI-compatible provider (bench/ttft/ttft.py, in the measuring process); prints the gap between the provider's
# first token and Quarry's first `delta` event. Usage: bench/ttft/run.sh [asks=30]   QUARRY_CLI=path/to/quarry.dll
# Needs: dotnet build src/Quarry.Cli -c Release, python3, ../shared/datasets/squad-dev-a.
set -euo pipefail
cd "$(dirname "$0")/../.."
asks=${1:-30}
cli=${QUARRY_CLI:-artifacts/bin/Quarry.Cli/release/quarry.dll}
[ -f "$cli" ] || { echo "build first: dotnet build src/Quarry.Cli -c Release" >&2; exit 1; }
ds=${DATASET:-squad-dev-a}
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=5398; provider=5399
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; cli $cli"
QUARRY_Models__Embeddings__Provider=none dotnet "$cli" eval --dataset "../shared/datasets/$ds" --data "$work/data" --depth 10 --json >/dev/null
key=$(dotnet "$cli" keys create --role reader --name bench --data "$work/data" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
QUARRY_Models__Embeddings__Provider=none QUARRY_Cache__Enabled=false Logging__LogLevel__Default=${LOG_LEVEL:-Warning} \
  QUARRY_Server__Limits__RequestsPerSecond=1000000 QUARRY_Server__Limits__Burst=1000000 \
  QUARRY_Models__Chat__Providers__0__Name=loopback QUARRY_Models__Chat__Providers__0__Endpoint=http://127.0.0.1:$provider/v1 \
  QUARRY_Models__Chat__Providers__0__Model=ttft QUARRY_Models__Chat__Providers__0__ApiKey=none \
  dotnet "$cli" serve --urls "http://127.0.0.1:$port" --data "$work/data" >"$work/server.log" 2>&1 &
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
TTFT_STATE=$work/first-token python3 bench/ttft/ttft.py ask "http://127.0.0.1:$port" "$key" "eval-$ds" \
  "../shared/datasets/$ds/queries.jsonl" "$provider" "$asks" || { grep -v "^\s*at " "$work/server.log" | tail -30 >&2; exit 1; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
