#!/usr/bin/env bash
# First answers without a model: asks every question of fastapi-questions.json of the FastAPI docs and counts how
# often the top citation comes from one of the expected pages.
# Usage: bench/first-answers/run.sh [quarry command]   (default: dotnet artifacts/bin/Quarry.Cli/debug/quarry.dll)
# Needs jq and ../shared/datasets/kb-fastapi-docs; the knowledge base is ingested once into $DATA (default /tmp/quarry-first-answers).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
docs="$(cd "$root/.." && pwd)/shared/datasets/kb-fastapi-docs/docs"
data="${DATA:-/tmp/quarry-first-answers}"
read -r -a quarry <<< "${1:-dotnet $root/artifacts/bin/Quarry.Cli/debug/quarry.dll}"
[ -d "$docs" ] || { echo "skipped: $docs is absent" >&2; exit 0; }
"${quarry[@]}" ingest "$docs" --kb fastapi --data "$data" --json > /dev/null

total=0; right=0; declare -A kinds_total kinds_right
while IFS=$'\t' read -r kind question pages; do
  answer="$("${quarry[@]}" ask "$question" --kb fastapi --data "$data" --json)"
  top="$(jq -r '.citations[0].sourceUri // "(abstained)"' <<< "$answer" | sed "s|^file://$docs/||")"
  ok=no
  for page in $pages; do [ "$top" = "$page" ] && ok=yes; done
  total=$((total + 1)); kinds_total[$kind]=$(( ${kinds_total[$kind]:-0} + 1 ))
  if [ $ok = yes ]; then right=$((right + 1)); kinds_right[$kind]=$(( ${kinds_right[$kind]:-0} + 1 )); fi
  printf '%-3s %-62s %s\n' "$ok" "$question" "$top"
done < <(jq -r '.questions[] | [.kind, .q, (.pages | join(" "))] | @tsv' "$here/fastapi-questions.json")

for kind in "${!kinds_total[@]}"; do echo "$kind: ${kinds_right[$kind]:-0}/${kinds_total[$kind]}"; done
echo "top source page correct: $right/$total"
