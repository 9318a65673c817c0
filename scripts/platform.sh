#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Starts the reference platform (platform/, docs/platform.md) on an emulated building:
#
#   scripts/platform.sh [--port 8080] [--speed 120] [--fresh] [--dtu]
#
# builds libprepay with the Python bindings for Debian's /usr/bin/python3 if needed, starts
# prepay-emu on examples/sites/platform.json (eight remote-controlled shops behind one DTU on
# loopback, wall clock at --speed simulated seconds per second), and serves the platform at
# http://127.0.0.1:8080 on a SQLite database under build/platform/ (kept between runs; --fresh
# starts again). The first run prints an admin login with a random password and one login per
# shop's tenant. With --dtu the emulator is a GPRS/4G DTU dialling in to the platform's DTU
# listener (registration "REG:DTU01", heartbeat "HB") instead of serving a bus port, and every meter
# is put behind DTU01 (docs/platform.md "Dial-in DTUs"). Stop with Ctrl-C (the emulator exits with it).
set -euo pipefail
cd "$(dirname "$0")/.."
port=8080 speed=120 fresh=0 dtu=0
while [ $# -gt 0 ]; do
  case $1 in
    --port) port=$2; shift 2 ;;
    --speed) speed=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --dtu) dtu=1; shift ;;
    -h|--help) sed -n 3,15p "$0"; exit 0 ;;
    *) echo "platform: unknown argument $1 (--port N, --speed N, --fresh, --dtu)" >&2; exit 2 ;;
  esac
done
bash scripts/install-deps.sh
build=${PREPAY_BUILD:-build/release}
opts=(--buildtype=release -Dtests=false -Dpython_interpreter=/usr/bin/python3)
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" "${opts[@]}" >/dev/null
else
  meson setup "$build" "${opts[@]}" >/dev/null
fi
nice -n 10 ninja -C "$build" >"$build/build.log" 2>&1 || { tail -40 "$build/build.log"; echo "platform: build failed"; exit 1; }

state=build/platform
[ "$fresh" = 1 ] && rm -rf "$state"
mkdir -p "$state"
rm -f "$state/emu.ready"
station=()
emu_link=(--bus-port 0)
if [ "$dtu" = 1 ]; then
  dtu_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # the emulator dials again every 500 ms until the platform listens
  emu_link+=(--dial "127.0.0.1:$dtu_port" --dtu-id DTU01 --register-prefix REG: --heartbeat HB --heartbeat-s 30)
  station=(--dtu-listen "$dtu_port" --dtu-format prefix:REG: --dtu-heartbeat "pattern:'HB'" --meter-dtu '*=DTU01')
fi
"$build/tools/prepay-emu/prepay-emu" examples/sites/platform.json "${emu_link[@]}" --ready-file "$state/emu.ready" \
  --clock wall --speed "$speed" --quiet --exit-with-parent &
emu=$!
trap 'kill "$emu" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$state/emu.ready" ] && break; sleep 0.1; done
emu_port=$(sed -n 's/^bus_port=//p' "$state/emu.ready")
[ -n "$emu_port" ] || { echo "platform: the emulator did not start"; exit 1; }
echo "prepay-emu: examples/sites/platform.json on 127.0.0.1:$emu_port (speed x$speed)"

PYTHONPATH="$(pwd)/platform:$(pwd)/$build/bindings/python" /usr/bin/python3 -m prepay_platform \
  --db "sqlite:///$(pwd)/$state/platform.db" --data "$state/data" --seed examples/sites/platform.json \
  --admin admin --emu-port "$emu_port" "${station[@]}" --port "$port" &
web=$!
trap 'kill "$web" "$emu" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
wait "$web"
