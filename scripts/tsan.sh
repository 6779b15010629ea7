#!/usr/bin/env bash
# Builds the product and its tests with ThreadSanitizer into build-tsan/ and
# runs the tests that exercise concurrency: the store's readers beside its
# writer, the graph's background load and concurrent readers, the stdio and
# HTTP transports with requests in flight, the sync hub beside MCP writes, the
# crash-consistency storm and the 32-client load test. The funkygibbon binary
# those tests start is the TSan build too, so a race inside a running server
# aborts it (halt_on_error) and fails the test that drove it.
#
#   FG_TSAN_FILTER=regex   ctest -R filter instead of the default set
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-tsan"
JOBS="$(nproc)"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFG_TSAN=ON -DFG_BUILD_BENCH=OFF >/dev/null
ninja -C "$BUILD" -j"$JOBS"

DEFAULT_FILTER='SqliteStore|BatchedWal|Durability|KnowledgeGraph|BackgroundLoad|Dispatcher|Stdio|Http|Rest|Sync|Hub|CrashConsistency|Load|BatchingFdSink|ConnectionStream'
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0}"
(cd "$BUILD" && ctest --output-on-failure -j"$JOBS" --timeout 900 -R "${FG_TSAN_FILTER:-$DEFAULT_FILTER}")
