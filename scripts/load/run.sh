#!/usr/bin/env bash
# Load test of the Quarry service with wrk (apt-get install wrk) on the FastAPI docs sample, against a Release build.
#   scripts/load/run.sh [search|ask] [duration=30s] [connections=16] [threads=2]
# Prints requests/s, p50/p95/p99 and the server's resident memory at rest and under load.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:-search}"; duration="${2:-30s}"; connections="${3:-16}"; threads="${4:-2}"
docs="${QUARRY_SHARED:-../shared}/datasets/kb-fastapi-docs/docs"
port="${PORT:-5199}"
out="artifacts/load"; data="$out/data"
mkdir -p "$out"

dotnet build src/Quarry.Cli -c Release -v q -nologo >/dev/null
quarry="dotnet artifacts/bin/Quarry.Cli/release/quarry.dll"
if [ ! -f "$data/quarry.db" ]; then
  $quarry ingest "$docs" --data "$data" --json >"$out/ingest.json"
fi
key=$($quarry keys create --tenant default --role reader --json --data "$data" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

# Limits high enough that the benchmark measures the engine, not the rate limiter.
export QUARRY_Server__Limits__RequestsPerSecond=1000000 QUARRY_Server__Limits__Burst=1000000 QUARRY_Server__Limits__ConcurrentAsks=1000
$quarry serve --urls "http://127.0.0.1:$port" --data "$data" >"$out/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
server_pid=$(pgrep -P "$pid" -f quarry.dll || echo "$pid")
rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$server_pid/status"; }

path="/v1/$target"
# Warm up (JIT, SQLite page cache), then measure memory at rest.
QUARRY_KEY="$key" QUARRY_PATH="$path" wrk -t1 -c2 -d5s -s scripts/load/search.lua "http://127.0.0.1:$port" >/dev/null
sleep 2
echo "memory at rest: $(rss)"
( sleep "$(( ${duration%s} / 2 ))"; echo "memory under load: $(rss)" ) &
sampler=$!
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
QUARRY_KEY="$key" QUARRY_PATH="$path" wrk -t"$threads" -c"$connections" -d"$duration" --latency -s scripts/load/search.lua "http://127.0.0.1:$port" | tee "$out/wrk-$target.txt"
wait "$sampler"
