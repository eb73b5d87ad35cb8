#!/usr/bin/env bash
# Overhead of observability (and the audit trail) on POST /v1/ask, measured with wrk on one machine in one run:
# the configurations alternate over several rounds so machine noise falls on all of them alike.
# Usage: bench/observability/overhead.sh [rounds=3] [seconds=10]
#        SUITE=privacy bench/observability/overhead.sh   (PII masking off vs on, observability and audit off)
# Needs: wrk, python3, a built server (dotnet build src/Quarry.Server -c Release), ../shared/datasets/kb-fastapi-docs.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}; seconds=${2:-10}
config=${CONFIGURATION:-Release}
server="artifacts/bin/Quarry.Server/${config,,}/Quarry.Server.dll"
cli="artifacts/bin/Quarry.Cli/${config,,}/quarry.dll"
[ -f "$server" ] && [ -f "$cli" ] || { echo "build first: dotnet build Quarry.slnx -c $config" >&2; exit 1; }
work=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# One corpus, ingested once, copied per run.
dotnet "$cli" ingest ../shared/datasets/kb-fastapi-docs/docs --data "$work/seed" >/dev/null
# A sink that accepts OTLP/HTTP exports, so "on" pays for real serialization and delivery.
python3 - "$work/otlp.port" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0))); self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1])); s.serve_forever()
PY
sleep 1; otlp="http://127.0.0.1:$(cat "$work/otlp.port")"

# The answer path itself, not the answer cache (bench/cache measures that), and no tenant rate limit in the way.
common="QUARRY_Cache__Enabled=false QUARRY_Server__Limits__RequestsPerSecond=1000000 QUARRY_Server__Limits__Burst=1000000"
declare -A envs=(
  [off]="QUARRY_Observability__Enabled=false QUARRY_Audit__Enabled=false"
  [on]="OTEL_EXPORTER_OTLP_ENDPOINT=$otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf QUARRY_Audit__Enabled=false"
  [on+audit]="OTEL_EXPORTER_OTLP_ENDPOINT=$otlp OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf QUARRY_Audit__Enabled=true"
)
order=(off on on+audit)
if [ "${SUITE:-observability}" = privacy ]; then
  envs=(
    [masking-off]="QUARRY_Observability__Enabled=false QUARRY_Audit__Enabled=false QUARRY_Privacy__Mode=Off"
    [masking-on]="QUARRY_Observability__Enabled=false QUARRY_Audit__Enabled=false QUARRY_Privacy__Mode=MaskOutput"
  )
  order=(masking-off masking-on)
fi
port=5391
# utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq 1 "$rounds"); do
  for name in "${order[@]}"; do
    rm -rf "$work/data"; cp -r "$work/seed" "$work/data"
    env $common ${envs[$name]} dotnet "$server" --dev --urls "http://127.0.0.1:$port" --data "$work/data" --Logging:LogLevel:Default=Warning >"$work/server.log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
    wrk -t1 -c4 -d2s -s bench/ask.lua "http://127.0.0.1:$port" >/dev/null   # warm-up (JIT, caches)
    cpu_before=$(cpu_ticks "$pid")
    out=$(wrk -t1 -c4 -d"${seconds}s" --latency -s bench/ask.lua "http://127.0.0.1:$port")
    cpu_after=$(cpu_ticks "$pid")
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    # Server CPU per request: robust to other load on the machine, unlike throughput.
    cpu_ms=$(awk -v a="$cpu_before" -v b="$cpu_after" -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (b - a) * 1000 / hz / n}')
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    printf '%s\tround %s\t%s req/s\tp50 %s\tp99 %s\tserver CPU %s ms/request\t%s\n' "$name" "$round" "$rps" "$p50" "$p99" "$cpu_ms" "${non2xx:+non-2xx $non2xx}"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
