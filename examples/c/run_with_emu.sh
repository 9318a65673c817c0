#!/bin/sh
# SPDX-License-Identifier: MIT
# Starts the emulator on a free loopback port, runs an example against it and
# checks the example's output, then stops the emulator:
#   run_with_emu.sh PREPAY-EMU SITE.json SCRATCH-DIR EXPECTED PROGRAM METER...
# The program is called as PROGRAM 127.0.0.1 PORT METER...
# Waits are bounded by a budget of minutes (a loaded machine is slow; a hang still ends).
set -u
emu=$1 site=$2 scratch=$3 expected=$4 program=$5
shift 5
here=$(dirname "$0")
mkdir -p "$scratch"
ready="$scratch/emu-$$.ready"
log="$scratch/emu-$$.log"
rm -f "$ready"
"$emu" "$site" --bus-port 0 --ready-file "$ready" --exit-with-parent >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT INT TERM
port=
tries=0
while [ -z "$port" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "run_with_emu: the emulator exited early:" >&2
        cat "$log" >&2
        exit 1
    fi
    if [ -s "$ready" ]; then
        port=$(sed -n 's/^bus_port=\([0-9][0-9]*\).*/\1/p' "$ready")
    fi
    tries=$((tries + 1))
    if [ -z "$port" ] && [ "$tries" -gt 1200 ]; then # 1200 x 0.1 s = 2 minutes
        echo "run_with_emu: the emulator did not start listening" >&2
        cat "$log" >&2
        exit 1
    fi
    [ -n "$port" ] || sleep 0.1
done
sh "$here/check_output.sh" "$expected" "$program" 127.0.0.1 "$port" "$@"
rc=$?
[ "$rc" -eq 0 ] || cat "$log" >&2
exit $rc
