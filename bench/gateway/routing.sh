#!/usr/bin/env bash
# Model routing and cost on realistic questions: the 30 first questions of bench/first-answers against the FastAPI docs,
# answered through the gateway with two providers on a loopback OpenAI-compatible server (loopback.py): "strong"
# (priced as gpt-4o) leads the chain, and rules send definitions and questions of at most 6 words to "cheap" (priced as
# gpt-4o-mini). Prints which model served what, the cost against sending everything to the strong model, and the
# route counter and usage ledger as an operator sees them. Usage: bench/gateway/routing.sh [--no-usage]
# Needs: a build (dotnet build src/Quarry.Cli [-c Release]), ../shared/datasets/kb-fastapi-docs.
set -euo pipefail
cd "$(dirname "$0")/../.."
config=release; [ -f artifacts/bin/Quarry.Server/release/Quarry.Server.dll ] || config=debug
server=artifacts/bin/Quarry.Server/$config/Quarry.Server.dll
cli=artifacts/bin/Quarry.Cli/$config/quarry.dll
[ -f "$server" ] && [ -f "$cli" ] || { echo "build first: dotnet build src/Quarry.Cli" >&2; exit 1; }
work=$(mktemp -d); pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
QUARRY_Models__Embeddings__Provider=none dotnet "$cli" ingest ../shared/datasets/kb-fastapi-docs/docs --data "$work/data" >/dev/null
python3 bench/gateway/loopback.py 5491 "$@" & pids+=($!)
provider() { # index, name, model
  echo "QUARRY_Models__Chat__Providers__$1__Name=$2 QUARRY_Models__Chat__Providers__$1__Endpoint=http://127.0.0.1:5491/v1"
  echo "QUARRY_Models__Chat__Providers__$1__Model=$3 QUARRY_Models__Chat__Providers__$1__ApiKey=sk-loopback"
}
env $(provider 0 strong gpt-4o) $(provider 1 cheap gpt-4o-mini) \
  QUARRY_Models__Chat__Fallback=strong \
  QUARRY_Models__Chat__Routing__Rules__0__Name=definitions QUARRY_Models__Chat__Routing__Rules__0__Provider=cheap \
  QUARRY_Models__Chat__Routing__Rules__0__Intents__0=definition \
  QUARRY_Models__Chat__Routing__Rules__1__Name=short QUARRY_Models__Chat__Routing__Rules__1__Provider=cheap \
  QUARRY_Models__Chat__Routing__Rules__1__MaxQuestionWords=6 \
  QUARRY_Spending__Prices__gpt-4o__InputPer1kTokens=0.0025 QUARRY_Spending__Prices__gpt-4o__OutputPer1kTokens=0.01 \
  QUARRY_Spending__Prices__gpt-4o-mini__InputPer1kTokens=0.00015 QUARRY_Spending__Prices__gpt-4o-mini__OutputPer1kTokens=0.0006 \
  QUARRY_Cache__Enabled=false QUARRY_Server__Limits__RequestsPerSecond=1000 QUARRY_Server__Limits__Burst=1000 \
  dotnet "$server" --urls http://127.0.0.1:5492 --data "$work/data" --dev >"$work/server.log" 2>&1 & pids+=($!)
until curl -sf http://127.0.0.1:5492/healthz >/dev/null 2>&1; do sleep 0.3; done
python3 - <<'PY'
import json, urllib.request
from collections import defaultdict
questions = [q["q"] for q in json.load(open("bench/first-answers/fastapi-questions.json"))["questions"]]
price = {"openai:gpt-4o": (0.0025, 0.01), "openai:gpt-4o-mini": (0.00015, 0.0006)}
served = defaultdict(lambda: {"answers": 0, "words": [], "input": 0, "output": 0, "cost": 0.0})
strong_only = 0.0
for q in questions:
    req = urllib.request.Request("http://127.0.0.1:5492/v1/ask", json.dumps({"question": q}).encode(), {"Content-Type": "application/json"})
    a = json.load(urllib.request.urlopen(req))
    s = served[a["model"]]
    u = a.get("usage") or {}
    s["answers"] += 1; s["words"].append(len(q.split()))
    s["input"] += u.get("inputTokens", 0); s["output"] += u.get("outputTokens", 0)
    s["cost"] += (a.get("cost") or {}).get("amount", 0.0)
    strong_only += u.get("inputTokens", 0) / 1000 * price["openai:gpt-4o"][0] + u.get("outputTokens", 0) / 1000 * price["openai:gpt-4o"][1]
total = sum(s["cost"] for s in served.values())
print(f"{len(questions)} questions")
print("| model | answers | question words (median) | input tokens | output tokens | cost USD |")
print("|---|---|---|---|---|---|")
for model, s in sorted(served.items()):
    words = sorted(s["words"]); print(f"| {model} | {s['answers']} | {words[len(words)//2]} | {s['input']} | {s['output']} | {s['cost']:.5f} |")
print(f"total cost {total:.5f} USD; all on the strong model {strong_only:.5f} USD; ratio {total/strong_only:.2f}")
metrics = urllib.request.urlopen("http://127.0.0.1:5492/metrics").read().decode()
print("\n".join(l for l in metrics.splitlines() if l.startswith("ai_llm_route_total")))
print(json.dumps(json.load(urllib.request.urlopen("http://127.0.0.1:5492/v1/usage")), indent=None)[:600])
PY
echo "loopback calls per model: $(curl -sf http://127.0.0.1:5491/stats)"
