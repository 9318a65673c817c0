#!/usr/bin/env bash
# The README's first command: install what is missing (Debian packages),
# build everything (optimised), and run the main demonstration.
#
# Current demonstration: the prepay tool decoding real DL/T 645 frames
# captured from meters and published examples (sources in
# tests/vectors/dlt645_frames.txt). It grows into the site demo as the
# tariff, ledger, billing and meter modules land.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=build/release
if [ -d "$build" ]; then
  meson setup --reconfigure "$build" --buildtype=release -Dtests=false >/dev/null
else
  meson setup "$build" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null
prepay="$build/tools/prepay/prepay"

echo "libprepay $("$prepay" version | awk '{print $2}'): decoding real DL/T 645 frames"
echo
frames=(
  "FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16"                                  # read address, all-AA wildcard
  "68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A 16"                      # forward active energy reply
  "68 12 00 00 00 10 20 68 91 08 33 35 C3 33 89 CB 34 33 C4 16"                      # remaining prepaid amount
  "68 12 00 00 00 10 20 68 91 0A 33 32 34 35 89 55 32 32 32 32 21 16"                # voltage block, phases A/B/C
  "68 11 11 11 11 11 11 68 1C 10 33 33 33 33 33 33 33 33 4D 33 57 74 48 45 38 4B 55 16" # relay trip with valid-until
  "FE FE FE FE 68 60 07 92 04 00 91 68 D1 01 37 67 16"                               # abnormal reply, error byte
  "68 99 99 99 99 99 99 68 08 06 84 55 43 38 39 4A 4B 16"                            # broadcast time sync
  "68 43 97 35 14 00 00 68 81 06 43 C3 7B 96 57 33 1B 16"                            # DL/T 645-1997 energy reply
)
for frame in "${frames[@]}"; do
  echo "\$ prepay dlt645 decode \"$frame\""
  "$prepay" dlt645 decode "$frame"
  echo
done
echo "The same frames as JSON (prepay dlt645 decode --json):"
"$prepay" dlt645 decode --json "${frames[1]}" "${frames[5]}"
