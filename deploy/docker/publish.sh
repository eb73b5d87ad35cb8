#!/usr/bin/env bash
# The image's payload: the `quarry` CLI, which also hosts the server (`quarry serve --role api|worker|all`), published
# framework-dependent for the ASP.NET runtime image. The Dockerfile runs this; so do the tests, which start its output
# as a non-root user with a read-only application folder.
#   deploy/docker/publish.sh OUTPUT_DIR [RUNTIME_ID]     e.g. deploy/docker/publish.sh /app linux-x64
set -euo pipefail
out=${1:?usage: publish.sh OUTPUT_DIR [RUNTIME_ID, e.g. linux-x64 or linux-arm64]}
rid=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)

args=(publish "$root/src/Quarry.Cli/Quarry.Cli.csproj" -c Release -o "$out" --self-contained false
  -p:UseAppHost=false -p:DebugType=none -p:GenerateDocumentationFile=false -p:SatelliteResourceLanguages=en -nologo -v q)
# With a runtime id only that platform's native libraries (SQLite, ONNX Runtime) are copied, not every platform's.
if [ -n "$rid" ]; then args+=(-r "$rid"); fi
dotnet "${args[@]}"

# Nothing in the image is writable by the app; everything it writes goes to the data volume (QUARRY_DATA).
chmod -R a-w,a+rX "$out"
