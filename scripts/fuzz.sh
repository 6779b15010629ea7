#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (clang, ASan + UBSan) into build-fuzz/
# and runs each one on a copy of its seed corpus (fuzz/corpus/<target>/, plus
# the inputs that once crashed it, fuzz/regressions/<target>/, as seeds).
#
#   FG_FUZZ_SECONDS=30       seconds per target (the default, what CI runs)
#   FG_FUZZ_RUNS=10000000    a long campaign: that many executions per target
#                            instead of a time limit
#   FG_FUZZ_TARGETS="http sync_hub"   only these targets (default: all)
#   FG_FUZZ_JOBS=N           build parallelism (default: nproc)
#   FG_FUZZ_RESUME=1         keep each target's grown corpus from the last run
#                            (build-fuzz/fuzz-run/<target>/corpus) instead of
#                            starting again from the seeds: a campaign split
#                            over several runs; the log of each run is kept
#                            as log.1, log.2, ...
#   FG_FUZZ_TIMEOUT=S        seconds one input may take before it counts as
#                            a hang (default 30)
#
# Fails if any target finds a crash, a sanitizer report, a leak, a timeout or
# a broken invariant; the input is then in build-fuzz/fuzz-run/<target>/
# (crash-*, leak-*, timeout-*) with the log beside it. Every finding becomes a
# regression: fix it, add a gtest under tests/<module>/ that replays it, and
# keep the input in fuzz/regressions/<target>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/install-deps.sh"
BUILD="$ROOT/build-fuzz"
SECONDS_PER_TARGET="${FG_FUZZ_SECONDS:-30}"
RUNS="${FG_FUZZ_RUNS:-}"
JOBS="${FG_FUZZ_JOBS:-$(nproc)}"

if [ -n "${FG_FUZZ_TARGETS:-}" ]; then
  read -r -a targets <<<"$FG_FUZZ_TARGETS"
else
  targets=()
  for src in "$ROOT"/fuzz/*_fuzzer.cc; do
    name="$(basename "$src" .cc)"
    targets+=("${name%_fuzzer}")
  done
fi

# Several runs at once (one target each, say, one per core) share the build:
# one builds while the others wait, so none starts a binary another is
# still linking, or links objects of two different source trees.
mkdir -p "$BUILD"
exec 9>"$BUILD/.build.lock"
flock 9
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DFG_FUZZ=ON -DFG_BUILD_TESTS=OFF >/dev/null
ninja -C "$BUILD" -j"$JOBS" "${targets[@]/%/_fuzzer}"
flock -u 9

# A small quarantine keeps ASan from page-faulting through gigabytes on the
# targets that rebuild a SQLite store; it does not weaken the checks.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=16:detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=()
printf '%-16s %14s %10s  %s\n' target executions exec/s result
for t in "${targets[@]}"; do
  work="$BUILD/fuzz-run/$t"
  if [ "${FG_FUZZ_RESUME:-0}" = 1 ] && [ -d "$work/corpus" ]; then
    n=1
    while [ -e "$work/log.$n" ]; do n=$((n + 1)); done
    [ -f "$work/log" ] && mv "$work/log" "$work/log.$n"
  else
    rm -rf "$work"
  fi
  mkdir -p "$work/corpus"
  cp "$ROOT/fuzz/corpus/$t/"* "$work/corpus/"
  seeds=("$work/corpus")
  if [ -d "$ROOT/fuzz/regressions/$t" ]; then seeds+=("$ROOT/fuzz/regressions/$t"); fi
  args=(-print_final_stats=1 -artifact_prefix="$work/" -timeout="${FG_FUZZ_TIMEOUT:-30}"
        -rss_limit_mb=4096 -max_len=16384)
  if [ -f "$ROOT/fuzz/dict/$t.dict" ]; then args+=(-dict="$ROOT/fuzz/dict/$t.dict"); fi
  if [ -n "$RUNS" ]; then
    args+=(-runs="$RUNS")
  else
    args+=(-max_total_time="$SECONDS_PER_TARGET")
  fi
  result=ok
  status=0
  "$BUILD/fuzz/${t}_fuzzer" "${args[@]}" "${seeds[@]}" >"$work/log" 2>&1 || status=$?
  left=""  # an input a finding left behind
  for kind in crash leak timeout oom; do left+="$(compgen -G "$work/$kind-*" || true)"; done
  if [ "$status" -eq 72 ] && [ -z "$left" ] && grep -q 'libFuzzer: run interrupted' "$work/log"; then
    # Stopped with SIGINT (ending a campaign leg early): libFuzzer exits 72
    # after printing its final stats; nothing was found in what ran.
    result="interrupted, no findings"
  elif [ "$status" -ne 0 ]; then
    result="FAILED (see $work/log)"
    failed+=("$t")
  fi
  execs="$(awk '/stat::number_of_executed_units/ {print $2}' "$work/log" | tail -n 1)"
  rate="$(awk '/stat::average_exec_per_sec/ {print $2}' "$work/log" | tail -n 1)"
  printf '%-16s %14s %10s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$result"
  if [ "$result" != ok ]; then
    grep -a -E -A12 'FUZZ INVARIANT|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' \
      "$work/log" | head -n 40 >&2 || tail -n 40 "$work/log" >&2
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no findings"
