#!/usr/bin/env bash
# Installs the official MCP SDK clients from npm (for the end-to-end tests) into
# $FG_NODE_HOME (default ~/.cache/funkygibbon-node). Prints that directory.
# Exits 0 without installing when npm is absent or unreachable; the tests skip then.
set -uo pipefail
FG_NODE_HOME="${FG_NODE_HOME:-$HOME/.cache/funkygibbon-node}"
mkdir -p "$FG_NODE_HOME"
if ! command -v npm >/dev/null; then echo "setup-node-tools: npm not found; SDK tests will skip" >&2; exit 0; fi
if [ ! -f "$FG_NODE_HOME/node_modules/@modelcontextprotocol/sdk/package.json" ] ||
   [ ! -f "$FG_NODE_HOME/node_modules/@modelcontextprotocol/client/package.json" ]; then
  [ -f "$FG_NODE_HOME/package.json" ] || echo '{"name":"funkygibbon-node-tools","private":true}' > "$FG_NODE_HOME/package.json"
  (cd "$FG_NODE_HOME" && npm install --no-audit --no-fund --loglevel=error \
      @modelcontextprotocol/sdk@1.32.2 @modelcontextprotocol/client@2.4.0 >&2) ||
    echo "setup-node-tools: npm install failed; SDK tests will skip" >&2
fi
echo "$FG_NODE_HOME"
