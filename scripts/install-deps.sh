#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages libprepay needs to build, test and run its
# demo. Idempotent: does nothing when everything is present.
set -euo pipefail
packages=(
  meson ninja-build pkg-config gcc clang llvm libclang-rt-14-dev   # build; clang for libFuzzer
  libcmocka-dev                                                    # C tests
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi # firmware profile
  doxygen                                                          # API docs (fail on undocumented)
  libjansson-dev                                                   # JSON tariffs and site files (hosted)
  swig python3 python3-dev                                         # Python bindings
  postgresql-15 postgresql-server-dev-15 postgresql-contrib        # pg_prepay (pg/): server, PGXS, postgres_fdw
  make                                                             # PGXS builds pg_prepay with make
  groff-base man-db                                                # man pages: rendered by the man_pages test
  tshark                                                           # field tests: the Wireshark dissector (tools/wireshark)
  python3-mesonpy python3-venv python3-pip                        # pip install . (pyproject.toml), install check
  cmake                                                            # install check: CMake consumer of prepayConfig.cmake
  python3-flask python3-waitress python3-psycopg2                  # the reference platform (platform/)
  python3-selenium chromium chromium-driver                        # its browser tests (headless)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
