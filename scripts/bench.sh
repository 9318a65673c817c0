#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every benchmark of bench/ at full size from a release build and prints the figures
# (bench/README.md lists the commands one by one, what each figure means, and reference figures).
#
#   scripts/bench.sh [BUILD_DIR]          default build/bench-rel
#   BENCH_SCALE=2 scripts/bench.sh        larger runs where a program takes a size
#   BENCH_PEER_DIR=DIR scripts/bench.sh   also time a third-party pure-Python DL/T 645 package from DIR
#
# Figures on a machine shared with builds are noisy: the C programs print thread/process CPU time
# beside wall time; re-run on a quiet machine before quoting them.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build/bench-rel"}
scale=${BENCH_SCALE:-1}
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" --buildtype=release -Dtests=false -Dpython=auto >/dev/null
fi
ninja -C "$build" >/dev/null
b="$build/bench"
run() {
    echo
    echo "\$ $*"
    "$@"
}
echo "libprepay benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(uname -m), $(nproc 2>/dev/null || echo ?) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
run "$b/bench_dlt645" "$scale"
run "$b/bench_cjt188_modbus" "$scale"
run "$b/bench_tariff" $((256 * scale))
run "$b/bench_ledger_memory"
journal=$(mktemp "${TMPDIR:-/tmp}/prepay-bench-XXXXXX.journal")
run "$b/bench_ledger_durable" 1048576 "$journal"
rm -f "$journal"
journal=$(mktemp "${TMPDIR:-/tmp}/prepay-bench-XXXXXX.journal")
run "$b/bench_settlement" $((100000 * scale)) 16 "$journal"
rm -f "$journal"
run "$b/bench_allocation"
run "$b/bench_meter"
run "$b/bench_events"
run "$b/bench_report"
run "$b/bench_water_meter"
run "$b/bench_memory_latency"
if [ -x "$b/bench_emulator" ] && [ -x "$build/tools/prepay-emu/prepay-emu" ]; then
    run "$b/bench_emulator" "$build/tools/prepay-emu/prepay-emu" "$root/examples/tariffs/guangzhou_residential_tou.json" \
        10000 8 5
fi
if [ -d "$build/bindings/python/prepay" ]; then
    # the bindings are built for the python3 first on PATH (bindings/meson.build)
    PYTHONPATH="$build/bindings/python"
    export PYTHONPATH
    peer=""
    if [ -n "${BENCH_PEER_DIR:-}" ]; then
        peer="--peer $BENCH_PEER_DIR"
    fi
    # shellcheck disable=SC2086
    run python3 "$root/bench/bench_python_decode.py" $peer
    if [ -x "$b/bench_tariff_files" ]; then
        run python3 "$root/bench/bench_python_batch.py" $((256 * scale)) \
            "$b/bench_tariff_files"
    fi
fi
# pg_prepay (PostgreSQL 15): only where a server and PGXS are installed (scripts/install-deps.sh)
if command -v pg_config >/dev/null 2>&1 && [ -d "$(pg_config --pkglibdir 2>/dev/null)/pgxs" ]; then
    run bash "$root/bench/bench_postgresql.sh" $((1000 * scale))
fi
