#!/usr/bin/env bash
# Installs what is missing, builds, seeds the default database with the example
# home if it is empty, and starts funkygibbon on it (MCP over stdio).
# Extra arguments go to `funkygibbon mcp`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$BUILD_DIR" -j"$(nproc)" funkygibbon >&2
FG="$BUILD_DIR/funkygibbon"
"$FG" seed --if-empty >&2
echo "funkygibbon: serving MCP on stdin/stdout with database $("$FG" db-path); Ctrl-D ends it" >&2
exec "$FG" mcp "$@"
