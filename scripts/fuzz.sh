#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target (clang, ASan + UBSan) for a bounded time,
# starting from its seed corpus (new inputs go to a scratch directory, the
# seeds in fuzz/corpus/ are never modified). Prints executions per target and
# a last line "N passed, N failed". FUZZ_SECONDS sets the time per target, FUZZ_JOBS how
# many targets run at once (default: the cores).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
build=build/fuzz
bash scripts/install-deps.sh
if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dlibfuzzer=true -Db_sanitize=address,undefined -Db_lundef=false \
    -Dtools=true -Dbench=false -Dpython=disabled --buildtype=debugoptimized >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
fi
ninja -C "$build" >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
# Targets run FUZZ_JOBS at a time (default: one per core), each on its own core for its whole
# time, so the wall time is about targets x seconds / jobs; results print in target order.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
results=$(mktemp -d)
# A target's own flags: fuzz/options/NAME.options, "key = value" lines under [libfuzzer]
# (OSS-Fuzz's format), each passed as -key=value.
target_flags() {
  local file="fuzz/options/$1.options"
  [ -f "$file" ] || return 0
  awk '/^\[/{on = ($0 == "[libfuzzer]"); next}
       on && /=/ && !/^[ \t]*#/ {k=$0; sub(/[ \t]*=.*/, "", k); v=$0; sub(/^[^=]*=[ \t]*/, "", v);
                                 gsub(/[ \t]/, "", k); printf "-%s=%s\n", k, v}' "$file"
}
run_one() { # fuzzer, result file: "ok N" or "FAILED" and the log's tail
  local fuzzer=$1 out=$2 name scratch log execs
  local -a flags
  name=$(basename "$fuzzer" _fuzzer)
  mapfile -t flags < <(target_flags "$name")
  scratch=$(mktemp -d)
  log=$(mktemp)
  if "$fuzzer" "${flags[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$scratch/" "$scratch" "fuzz/corpus/$name" >"$log" 2>&1; then
    execs=$(awk '/stat::number_of_executed_units/{print $2}' "$log")
    echo "ok ${execs:-?}" >"$out"
  else
    { echo "FAILED"; tail -40 "$log"; } >"$out"
  fi
  rm -rf "$scratch" "$log"
}
running=0
for fuzzer in "$build"/fuzz/*_fuzzer; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$fuzzer" "$results/$(basename "$fuzzer" _fuzzer)" &
  running=$((running + 1))
done
wait
passed=0; failed=0
for fuzzer in "$build"/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  result="$results/$name"
  if [ -f "$result" ] && [ "$(head -c 3 "$result")" = "ok " ]; then
    echo "fuzz $name: ok, $(cut -d' ' -f2 "$result") executions in ${seconds}s"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED"; [ -f "$result" ] && tail -n +2 "$result"
    failed=$((failed + 1))
  fi
done
rm -rf "$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
