#!/usr/bin/env bash
# Scale-out benchmark on PostgreSQL (Release build):
#   1. ingestion throughput (docs/s) of the FastAPI docs + SciFact corpus uploaded through one API process, with 1 and
#      then 2 worker processes (--role worker), each on a fresh database;
#   2. search latency p50/p95 with wrk (scripts/load/search.lua) on PostgreSQL and on SQLite holding the same corpus;
#   3. retrieval nDCG@10 on SciFact with `quarry eval` on both stores.
#   scripts/load/scale.sh [duration=30s] [connections=16]   (SCALE_SCIFACT_DOCS=N: SciFact abstracts uploaded, default 1000)
# PostgreSQL: $QUARRY_PG (an Npgsql connection string of a role that may create databases), else a throwaway cluster
# of Debian's PostgreSQL (apt-get install postgresql) on a free port, removed at exit. Needs wrk, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-30s}"; connections="${2:-16}"
shared="${QUARRY_SHARED:-../shared}/datasets"
out="artifacts/load/scale"; rm -rf "$out"; mkdir -p "$out/files"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  if [ -n "${pgdata:-}" ]; then run_pg "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; fi
}
trap cleanup EXIT

dotnet build src/Quarry.Cli -c Release -v q -nologo >/dev/null
quarry="dotnet artifacts/bin/Quarry.Cli/release/quarry.dll"

# --- PostgreSQL -------------------------------------------------------------------------------------------------
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -n "${QUARRY_PG:-}" ]; then
  admin="$QUARRY_PG"
else
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pgdir=$(mktemp -d /tmp/quarry-scale-pg-XXXX); pgdata="$pgdir/data"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$pgdir"
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  run_pg "$pgbin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 --no-sync >/dev/null
  run_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdir/log" -w start \
    -o "-p $pgport -c listen_addresses=127.0.0.1 -k $pgdir -c max_connections=300 -c shared_buffers=256MB" >/dev/null
  admin="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres"
fi
psql_admin() { python3 - "$admin" "$1" <<'PY'
import sys, subprocess
kv = dict(p.split("=", 1) for p in sys.argv[1].split(";") if p)
env = {"PGPASSWORD": kv.get("Password", "")}
import os; env.update(os.environ)
subprocess.run(["psql", "-h", kv.get("Host", "127.0.0.1"), "-p", kv.get("Port", "5432"), "-U", kv.get("Username", "postgres"),
                "-d", kv.get("Database", "postgres"), "-v", "ON_ERROR_STOP=1", "-qc", sys.argv[2]], check=True, env=env)
PY
}
fresh_db() { # prints a connection string of a new, empty database
  local name="quarry_scale_$1"
  psql_admin "DROP DATABASE IF EXISTS $name WITH (FORCE);" >/dev/null
  psql_admin "CREATE DATABASE $name TEMPLATE template0 ENCODING 'UTF8';" >/dev/null
  python3 -c 'import sys; kv=[p for p in sys.argv[1].split(";") if p and not p.lower().startswith("database=")]; print(";".join(kv+["Database="+sys.argv[2]]))' "$admin" "$name"
}

# --- Corpus: FastAPI docs pages + SciFact abstracts as text files -----------------------------------------------
find "$shared/kb-fastapi-docs/docs" -name '*.md' | while read -r f; do cp "$f" "$out/files/$(realpath --relative-to="$shared/kb-fastapi-docs/docs" "$f" | tr / -)"; done
# SCALE_SCIFACT_DOCS limits the SciFact abstracts uploaded (default 1000; 0 = all 5,183).
python3 - "$shared/scifact/corpus.jsonl" "$out/files" "${SCALE_SCIFACT_DOCS:-1000}" <<'PY'
import json, sys, os
limit = int(sys.argv[3])
for i, line in enumerate(open(sys.argv[1])):
    if limit and i >= limit: break
    r = json.loads(line)
    open(os.path.join(sys.argv[2], f"scifact-{r['_id']}.txt"), "w").write(r.get("title", "") + "\n\n" + r["text"])
PY
docs=$(ls "$out/files" | wc -l)
echo "corpus: $docs files ($(du -sh "$out/files" | cut -f1))"

start_serve() { # role port connection-string log
  QUARRY_Storage__Provider=postgres QUARRY_Storage__Postgres__ConnectionString="$3" \
  QUARRY_Server__Limits__RequestsPerSecond=1000000 QUARRY_Server__Limits__Burst=1000000 QUARRY_Server__Limits__ConcurrentAsks=1000 \
    $quarry serve --role "$1" --urls "http://127.0.0.1:$2" --data "$out/data-$2" --dev >"$4" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return; sleep 0.2; done
  echo "server on port $2 did not become ready: $(tail -5 "$4")" >&2; exit 1
}

upload_all() { # api-url; uploads every file with 8 concurrent clients, then waits for every job; prints seconds
  python3 - "$1" "$out/files" <<'PY'
import json, os, sys, time, uuid, urllib.request, concurrent.futures as cf
base, folder = sys.argv[1], sys.argv[2]
def post(path, body, ctype):
    req = urllib.request.Request(base + path, data=body, headers={"Content-Type": ctype}, method="POST")
    with urllib.request.urlopen(req, timeout=120) as r: return json.load(r)
post("/v1/knowledge-bases", json.dumps({"name": "bench"}).encode(), "application/json")
def upload(name):
    b = uuid.uuid4().hex
    data = open(os.path.join(folder, name), "rb").read()
    body = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\nContent-Type: text/plain\r\n\r\n').encode() + data + f"\r\n--{b}--\r\n".encode()
    return post("/v1/knowledge-bases/bench/documents", body, f"multipart/form-data; boundary={b}")["jobId"]
start = time.monotonic()
with cf.ThreadPoolExecutor(8) as pool: jobs = list(pool.map(upload, sorted(os.listdir(folder))))
uploaded = time.monotonic() - start
pending = set(jobs)
while pending:
    with urllib.request.urlopen(base + "/v1/jobs?limit=500&status=queued", timeout=60) as r: queued = len(json.load(r)["items"])
    with urllib.request.urlopen(base + "/v1/jobs?limit=500&status=running", timeout=60) as r: running = len(json.load(r)["items"])
    if queued == 0 and running == 0: break
    time.sleep(0.2)
total = time.monotonic() - start
with urllib.request.urlopen(base + "/v1/jobs?limit=500&status=failed", timeout=60) as r: failed = len(json.load(r)["items"])
print(f"{total:.1f} {uploaded:.1f} {failed}")
PY
}

# --- 1. Ingestion throughput with 1 and 2 worker processes ------------------------------------------------------
for workers in 1 2; do
  conn=$(fresh_db "w$workers")
  start_serve api 5301 "$conn" "$out/api-w$workers.log"
  for i in $(seq 1 "$workers"); do start_serve worker $((5310 + i)) "$conn" "$out/worker$i-w$workers.log"; done
  read -r seconds uploaded failed < <(upload_all "http://127.0.0.1:5301")
  echo "ingestion, $workers worker process(es): $docs docs in ${seconds}s = $(python3 -c "print(round($docs/$seconds,1))") docs/s (uploads took ${uploaded}s, failed jobs: $failed)"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=()
done

# --- 2. Search latency: PostgreSQL (the 2-worker database) vs SQLite with the same files ------------------------
export QUARRY_Server__Limits__RequestsPerSecond=1000000 QUARRY_Server__Limits__Burst=1000000
start_serve api 5302 "$conn" "$out/api-search.log"
$quarry ingest "$out/files" --kb bench --data "$out/sqlite" --json >"$out/sqlite-ingest.json"
$quarry serve --urls "http://127.0.0.1:5303" --data "$out/sqlite" --dev >"$out/sqlite-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:5303/readyz" >/dev/null && break; sleep 0.2; done
for target in postgres:5302 sqlite:5303; do
  name=${target%%:*}; port=${target##*:}
  QUARRY_KB=bench wrk -t1 -c2 -d5s -s scripts/load/search.lua "http://127.0.0.1:$port" >/dev/null
  echo "search on $name:"
  QUARRY_KB=bench wrk -t2 -c"$connections" -d"$duration" --latency -s scripts/load/search.lua "http://127.0.0.1:$port" \
    | tee "$out/wrk-$name.txt" | grep -E "p50|p95|p99|Requests/sec" || true
done

# --- 3. Retrieval quality on SciFact, both stores ---------------------------------------------------------------
echo "SciFact retrieval, sqlite:"
$quarry eval --dataset "$shared/scifact" --data "$out/eval-sqlite" --json | tee "$out/eval-sqlite.json" | head -c 600; echo
echo "SciFact retrieval, postgres:"
QUARRY_Storage__Provider=postgres QUARRY_Storage__Postgres__ConnectionString="$(fresh_db eval)" \
  $quarry eval --dataset "$shared/scifact" --data "$out/eval-pg" --json | tee "$out/eval-postgres.json" | head -c 600; echo
