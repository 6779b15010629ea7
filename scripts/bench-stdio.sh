#!/usr/bin/env bash
# The stdio MCP benchmark of README.md "Benchmarks": our server, the reference
# @modelcontextprotocol/server-memory (npm) and a do-nothing echo server (the
# floor), driven by ../shared/tools/bench/mcp_stdio_bench.py with the same
# workload, at 1k, 10k and (ours only) 100k entities with ~2 relationships
# each; query_graph and the pipelined integrity check by bench/mcp_stdio_extra.py.
#
#   scripts/bench-stdio.sh [BUILD_DIR]        (default: build beside this script's repo)
#   SIZES="1k 10k 100k"  sizes to run           SKIP_MEMORY=1  skip server-memory
#   SKIP_PIPELINE=1      skip the pipelined run OUT=DIR       where results go
#
# Results: $OUT/*.jsonl (the driver's JSON lines) and $OUT/summary.txt (the
# table and the targets; also printed at the end). Not a CI gate.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || { echo "bench-stdio: no build directory ${1:-$ROOT/build}" >&2; exit 2; }
FG="$BUILD/funkygibbon"
[ -x "$FG" ] || { echo "bench-stdio: $FG not found; build it first" >&2; exit 2; }
SHARED="$ROOT/../shared/tools/bench"
DRIVER="$SHARED/mcp_stdio_bench.py"
if [ ! -f "$DRIVER" ] || [ ! -f "$SHARED/echo_server.c" ]; then
  echo "bench-stdio: $SHARED (../shared beside the repository) is absent; it holds the driver" \
       "mcp_stdio_bench.py and echo_server.c this benchmark runs" >&2
  exit 2
fi
EXTRA="$ROOT/bench/mcp_stdio_extra.py"
SIZES=${SIZES:-"1k 10k 100k"}
OUT=${OUT:-$BUILD/bench-results/stdio-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"

# The floor: the shared echo server, compiled into the build directory.
ECHO="$BUILD/bench-echo_server"
gcc -O2 -o "$ECHO" "$SHARED/echo_server.c"

# The reference server from npm, pinned, beside the SDK clients of setup-node-tools.sh.
MEMORY_VERSION=2026.8.31
FG_NODE_HOME="${FG_NODE_HOME:-$HOME/.cache/funkygibbon-node}"
MEM_JS="$FG_NODE_HOME/node_modules/@modelcontextprotocol/server-memory/dist/index.js"
if [ -z "${SKIP_MEMORY:-}" ]; then
  have=$(node -p "require('$FG_NODE_HOME/node_modules/@modelcontextprotocol/server-memory/package.json').version" 2>/dev/null || true)
  if [ "$have" != "$MEMORY_VERSION" ]; then
    mkdir -p "$FG_NODE_HOME"
    [ -f "$FG_NODE_HOME/package.json" ] || echo '{"name":"funkygibbon-node-tools","private":true}' > "$FG_NODE_HOME/package.json"
    (cd "$FG_NODE_HOME" && npm install --no-audit --no-fund --loglevel=error \
        "@modelcontextprotocol/server-memory@$MEMORY_VERSION" >&2) ||
      { echo "bench-stdio: npm install of server-memory failed; run with SKIP_MEMORY=1" >&2; exit 2; }
  fi
fi

# The driver reads every response with os.read(fd, 1 MiB). glibc hands out
# that buffer with mmap and takes it back with munmap, unless an earlier free
# in the driver raised its dynamic mmap threshold; whether one did depends on
# what the driver process ran before. Measured here: ~45 us per read in one
# state and ~2 us in the other, so a server measured first in a driver process
# paid ~45 us per call more than one measured after it (the floor, here). The
# drivers run with fixed thresholds, so the read costs every server the same
# ~2 us; the servers start without them (SERVE).
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=67108864
SERVE="env -u GLIBC_TUNABLES"

echo "bench-stdio: results in $OUT; load average $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/load.txt"

drive() {  # drive NAME ARGS... : one driver invocation, table to NAME.txt
  local name=$1; shift
  echo "== $name" >&2
  python3 "$DRIVER" --jsonl "$OUT/$name.jsonl" "$@" >/dev/null 2>"$OUT/$name.txt" || true
  cat "$OUT/$name.txt" >&2
}

# N entities, 2N relationships, K reads of each kind.
counts() {
  case $1 in
    1k)   echo "1000 2000 1000" ;;
    10k)  echo "10000 20000 2000" ;;
    100k) echo "100000 200000 2000" ;;
    *) echo "bench-stdio: unknown size $1" >&2; exit 2 ;;
  esac
}

# The tmp dir the driver kept for a label (from its run line).
tmpdir_of() {
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get("type")=="run" and d.get("label")==sys.argv[2]: print(d.get("tmpdir",""))' "$1" "$2"
}
# Acknowledged (ok) calls of a phase for a label.
ok_of() {
  python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d.get("type")=="phase" and d.get("label")==sys.argv[2] and d.get("phase")==sys.argv[3]: n+=d.get("ok",0)
print(n)' "$1" "$2" "$3"
}

for s in $SIZES; do
  read -r N M K <<<"$(counts "$s")"
  # Ours and the floor, same workload, one after the other.
  drive "fg-$s" --entities "$N" --relations "$M" --searches "$K" --opens "$K" --paths "$K" --reads 0 \
    --keep-tmp --server "fg-$s|goodies|$SERVE $FG --db {tmp}/kg.db mcp" --server "floor-$s|echo|$SERVE $ECHO"
  dir=$(tmpdir_of "$OUT/fg-$s.jsonl" "fg-$s")
  if [ -n "$dir" ] && [ -f "$dir/kg.db" ]; then
    python3 "$EXTRA" query --driver "$DRIVER" --label "fg-$s" --entities "$N" --calls "$K" \
      --jsonl "$OUT/fg-$s.jsonl" -- $SERVE "$FG" --db "$dir/kg.db" mcp >/dev/null || true
  fi
  python3 "$EXTRA" query --driver "$DRIVER" --label "floor-$s" --adapter echo --entities "$N" \
    --calls "$K" --jsonl "$OUT/fg-$s.jsonl" -- $SERVE "$ECHO" >/dev/null || true
  [ -n "$dir" ] && rm -rf "$dir"
  floor_dir=$(tmpdir_of "$OUT/fg-$s.jsonl" "floor-$s"); [ -n "$floor_dir" ] && rm -rf "$floor_dir"
  # server-memory at 1k and 10k: bulk-load all but the last 1,000 (its
  # one-per-call writes get slow), so the timed calls run at the target size.
  if [ -z "${SKIP_MEMORY:-}" ] && [ "$s" != 100k ]; then
    if [ "$s" = 1k ]; then
      drive "mem-$s" --adapter server-memory --label "mem-$s" --entities 1000 --relations 2000 \
        --searches 1000 --opens 1000 --reads 1 -- $SERVE node "$MEM_JS"
    else
      drive "mem-$s" --adapter server-memory --label "mem-$s" --bulk 9000 --batch 100 --entities 1000 \
        --bulk-relations 19000 --rel-batch 100 --relations 1000 --searches 500 --opens 500 --reads 1 \
        --max-phase-seconds 180 -- $SERVE node "$MEM_JS"
    fi
  fi
done

if [ -z "${SKIP_PIPELINE:-}" ]; then
  # 64 requests in flight, writes included, at 10k; then check that every
  # acknowledged write is in the graph (get_graph_statistics on the database).
  drive fg-w64-10k --pipeline 64 --entities 10000 --relations 20000 --searches 2000 --opens 2000 \
    --paths 2000 --reads 0 --keep-tmp \
    --server "fg-w64-10k|goodies|$SERVE $FG --db {tmp}/kg.db mcp" --server "floor-w64-10k|echo|$SERVE $ECHO"
  dir=$(tmpdir_of "$OUT/fg-w64-10k.jsonl" fg-w64-10k)
  if [ -n "$dir" ] && [ -f "$dir/kg.db" ]; then
    python3 "$EXTRA" query --driver "$DRIVER" --label fg-w64-10k --entities 10000 --calls 2000 \
      --pipeline 64 --expect-entities "$(ok_of "$OUT/fg-w64-10k.jsonl" fg-w64-10k create)" \
      --expect-relations "$(ok_of "$OUT/fg-w64-10k.jsonl" fg-w64-10k relate)" \
      --jsonl "$OUT/fg-w64-10k.jsonl" -- $SERVE "$FG" --db "$dir/kg.db" mcp >/dev/null || true
  fi
  python3 "$EXTRA" query --driver "$DRIVER" --label floor-w64-10k --adapter echo --entities 10000 \
    --calls 2000 --pipeline 64 --jsonl "$OUT/fg-w64-10k.jsonl" -- $SERVE "$ECHO" >/dev/null || true
  [ -n "$dir" ] && rm -rf "$dir"
  floor_dir=$(tmpdir_of "$OUT/fg-w64-10k.jsonl" floor-w64-10k); [ -n "$floor_dir" ] && rm -rf "$floor_dir"
  if [ -z "${SKIP_MEMORY:-}" ]; then
    # The reference under the same window, for contrast (writes race there).
    drive mem-w64-1k --adapter server-memory --label mem-w64-1k --pipeline 64 --entities 1000 \
      --relations 2000 --searches 0 --opens 0 --reads 1 -- $SERVE node "$MEM_JS"
  fi
fi

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.txt"
python3 "$EXTRA" summary "$OUT"/*.jsonl | tee "$OUT/summary.txt"
