#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's first command: install what is missing (Debian packages),
# build everything (optimised), and run the main demonstration:
#
#   prepay demo --days 30 --meters 50
#
# a building of 50 prepaid rooms and a building incomer, emulated by
# prepay-emu (libprepay's reference meter) behind one DTU on loopback TCP.
# A station reads every meter every hour over DL/T 645, prices the readings
# with a TOU x tier tariff, posts to the double-entry ledger, raises alarms,
# cuts off at zero, recharges and restores, allocates the common area at
# month end, and prints the month-end report with its cross-checks; CSV, JSON
# and an SVG load curve go to build/demo/. Extra arguments are passed to
# `prepay demo` (e.g. ./scripts/demo.sh --drop 0.02 to lose 2 % of replies).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=build/release
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" --buildtype=release -Dtests=false >/dev/null
else
  meson setup "$build" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$build" >"$build/build.log" 2>&1 || { tail -40 "$build/build.log"; echo "demo: build failed"; exit 1; }
prepay="$build/tools/prepay/prepay"

"$prepay" demo --days 30 --meters 50 --out build/demo \
  --tariff examples/tariffs/guangzhou_residential_tou.json "$@"

echo
echo "The protocol layer on its own: two real frames (sources in tests/vectors/dlt645_frames.txt)"
echo "\$ prepay dlt645 decode --json \"68 12 00 00 00 10 20 68 91 08 33 35 C3 33 89 CB 34 33 C4 16\""
"$prepay" dlt645 decode --json "68 12 00 00 00 10 20 68 91 08 33 35 C3 33 89 CB 34 33 C4 16"
echo "\$ prepay dlt645 decode \"FE FE FE FE 68 60 07 92 04 00 91 68 D1 01 37 67 16\""
"$prepay" dlt645 decode "FE FE FE FE 68 60 07 92 04 00 91 68 D1 01 37 67 16"
