#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every libFuzzer target (clang, ASan + UBSan) for a bounded time,
# starting from its seed corpus (new inputs go to a scratch directory, the
# seeds in fuzz/corpus/ are never modified). Prints executions per target and
# a last line "N passed, N failed". FUZZ_SECONDS sets the time per target.
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
passed=0; failed=0
for fuzzer in "$build"/fuzz/*_fuzzer; do
  name=$(basename "$fuzzer" _fuzzer)
  scratch=$(mktemp -d)
  log=$(mktemp)
  if "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$scratch/" "$scratch" "fuzz/corpus/$name" >"$log" 2>&1; then
    execs=$(awk '/stat::number_of_executed_units/{print $2}' "$log")
    echo "fuzz $name: ok, ${execs:-?} executions in ${seconds}s"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED"; tail -40 "$log"
    failed=$((failed + 1))
  fi
  rm -rf "$scratch" "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
