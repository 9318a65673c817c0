#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The fault-injection harness (tests/fault/fault_run.py) for a larger number
# of cycles than the test suite runs: kill -9 at random points, torn writes,
# EIO, ENOSPC and power cuts against `prepay ledger` and the library's
# ledger + journal, checking after every recovery that no acknowledged
# operation was lost or applied twice.
#
#   scripts/fault.sh [BUILD_DIR]        (default build/release-gcc)
#   FAULT_CYCLES=1000 FAULT_SEED=7 FAULT_FLOWS=cli,library scripts/fault.sh
#
# Prints "cycles N, acknowledged A, lost L, doubled D" last; exit status 0
# only if every check passed.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release-gcc}
if [ ! -d "$build" ]; then
  meson setup "$build" --buildtype=release >/dev/null || exit 1
fi
ninja -C "$build" tools/prepay/prepay tests/fault/fault_shim.so tests/fault/fault_ledger_flow >/dev/null || exit 1
export FAULT_CYCLES=${FAULT_CYCLES:-1000}
exec python3 tests/fault/fault_run.py --prepay "$build/tools/prepay/prepay" \
  --shim "$build/tests/fault/fault_shim.so" --flow "$build/tests/fault/fault_ledger_flow"
