#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: a normal build, then
# the whole suite again under AddressSanitizer + UBSan (skip with FG_NO_ASAN=1),
# the concurrency tests under ThreadSanitizer (scripts/tsan.sh; FG_NO_TSAN=1
# skips), and every libFuzzer target for a bounded time (scripts/fuzz.sh,
# FG_FUZZ_SECONDS per target, default 20 here; FG_NO_FUZZ=1 skips).
# The end-to-end tests that use ../shared (official MCP SDK client, conformance
# suite) skip cleanly when ../shared or npm is unavailable.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
FG_NODE_HOME="$("$ROOT/scripts/setup-node-tools.sh" | tail -n 1)"
export FG_NODE_HOME MCP_SDK_DIR="$FG_NODE_HOME" MCP_SDK2_DIR="$FG_NODE_HOME"
JOBS="$(nproc)"

run_suite() {  # build dir, extra cmake args...
  local dir="$1"; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  ninja -C "$dir" -j"$JOBS"
  (cd "$dir" && ctest --output-on-failure -j"$JOBS" --timeout 600)
}

# Each phase's time (the first is the installation above), so a slow run
# shows where its time went.
phase_start=$SECONDS
phase() {  # name of the phase starting now
  echo "== (previous phase: $((SECONDS - phase_start)) s; total $SECONDS s) =="
  phase_start=$SECONDS
  echo "== $1 =="
}

phase "normal build"
run_suite "$ROOT/build"
if [ "${FG_NO_ASAN:-0}" != 1 ]; then
  phase "AddressSanitizer + UBSan build"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite "$ROOT/build-asan" -DFG_SANITIZE=ON -DFG_BUILD_BENCH=OFF
fi
if [ "${FG_NO_TSAN:-0}" != 1 ]; then
  phase "ThreadSanitizer build (concurrency tests)"
  "$ROOT/scripts/tsan.sh"
fi
if [ "${FG_NO_FUZZ:-0}" != 1 ]; then
  phase "libFuzzer targets, bounded run"
  FG_FUZZ_SECONDS="${FG_FUZZ_SECONDS:-20}" "$ROOT/scripts/fuzz.sh"
fi
phase "done"
