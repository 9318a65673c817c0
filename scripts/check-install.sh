#!/usr/bin/env bash
# Installs a build into a scratch prefix and checks what a user of the
# library sees: headers, the pkg-config file `prepay`, a shared library that
# exports only public (PREPAY_API) symbols, and a program built from
# examples/c/charge.c against it printing the hand-checked charge
# (12.5 kWh x 0.58886875 yuan/kWh = 7.36107 yuan -> 7.36).
# Usage: scripts/check-install.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
libdir=$(meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"][0])')
root="$dest$prefix"
pcdir="$root/$libdir/pkgconfig"
[ -f "$pcdir/prepay.pc" ] || { echo "check-install: no prepay.pc"; exit 1; }
[ -f "$root/include/prepay/prepay.h" ] || { echo "check-install: headers not installed"; exit 1; }
so=$(ls "$root/$libdir"/libprepay.so.* | head -1)
leaked=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -vE '^(prepay_[a-z]|_init$|_fini$|_edata$|_end$|__bss_start$)' || true)
if [ -n "$leaked" ]; then
  echo "check-install: the shared library exports non-public symbols:"; echo "$leaked" | head; exit 1
fi
cflags=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$root" --cflags prepay)
libs=$(PKG_CONFIG_PATH="$pcdir" pkg-config --define-variable=prefix="$root" --libs prepay)
cc -std=c11 -Wall -Wextra -Werror examples/c/charge.c $cflags $libs -o "$dest/charge"
out=$(LD_LIBRARY_PATH="$root/$libdir" "$dest/charge")
echo "$out"
echo "$out" | grep -q "= 7.36 yuan" || { echo "check-install: wrong charge"; exit 1; }
option() { meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]][0])' "$1"; }
if [ "$(option tools)" = "True" ]; then
  # The installed man pages (docs/man): `man prepay` finds and renders them.
  mandir=$(option mandir)
  for page in prepay prepay-emu prepay-tariff; do
    [ -f "$root/$mandir/man1/$page.1" ] || { echo "check-install: no man page $page.1"; exit 1; }
  done
  MANPATH="$root/$mandir" MANWIDTH=80 man -P cat prepay 2>/dev/null | grep -q "prepay-COMMAND" \
    || { echo "check-install: man prepay does not render"; exit 1; }
fi
echo "check-install: OK (headers, pkg-config, exported symbols, example program, man pages)"
