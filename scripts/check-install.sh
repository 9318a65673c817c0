#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs a build into a scratch prefix and checks what a user of the
# library sees:
#   - headers, the pkg-config file `prepay`, a shared library that exports
#     only public (PREPAY_API) symbols, and a program built from
#     examples/c/charge.c against it printing the hand-checked charge
#     (12.5 kWh x 0.58886875 yuan/kWh = 7.36107 yuan -> 7.36);
#   - the CMake package config: tests/install/cmake builds the same program
#     with find_package(prepay) against prepay::prepay and prepay::prepay_static;
#   - the configuration fingerprint: tests/install/config_mismatch.c built with
#     the library's configuration gets PREPAY_OK, built with
#     -DPREPAY_MAX_TIERS=4 gets PREPAY_E_CONFIG_MISMATCH and an untouched struct;
#   - the Python package installed by meson into a directory on the build's
#     interpreter's own sys.path (scripts/test.sh builds for Debian's
#     /usr/bin/python3), imported from there with nothing but that directory
#     (under the scratch root) added;
#   - `pip install .` (pyproject.toml, meson-python) into a virtual environment
#     of /usr/bin/python3, offline (--no-build-isolation --no-index);
#   - the installed `prepay demo` with no arguments, from an empty directory,
#     finding the installed example tariff under share/prepay.
# Usage: scripts/check-install.sh BUILD_DIR
# CHECK_INSTALL_PIP=0 skips the pip step (about a minute of compiling).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
fail() { echo "check-install: $*"; exit 1; }

meson install -C "$build" --destdir "$dest" >/dev/null
# prefix, libdir, datadir and the Python interpreter of the build, one a line.
mapfile -t opts < <(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
for k in ("prefix", "libdir", "datadir", "python_interpreter", "python"):
    print(o.get(k, ""))')
prefix=${opts[0]} libdir=${opts[1]} datadir=${opts[2]} py_interp=${opts[3]} py_feature=${opts[4]}
root="$dest$prefix"
pcdir="$root/$libdir/pkgconfig"
checked=()

# --- headers, pkg-config, exported symbols, example program -----------------
[ -f "$pcdir/prepay.pc" ] || fail "no prepay.pc"
[ -f "$root/include/prepay/prepay.h" ] || fail "headers not installed"
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
echo "$out" | grep -q "= 7.36 yuan" || fail "wrong charge"
checked+=("headers, pkg-config, exported symbols, example program")

# --- CMake consumer ------------------------------------------------------------
[ -f "$root/$libdir/cmake/prepay/prepayConfig.cmake" ] || fail "no prepayConfig.cmake beside prepay.pc"
[ -f "$root/$libdir/cmake/prepay/prepayConfigVersion.cmake" ] || fail "no prepayConfigVersion.cmake"
cmake -S tests/install/cmake -B "$dest/cmake-build" -DCMAKE_PREFIX_PATH="$root" \
  -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$dest/cmake.log" 2>&1 || { cat "$dest/cmake.log"; fail "CMake configure failed"; }
cmake --build "$dest/cmake-build" >>"$dest/cmake.log" 2>&1 || { cat "$dest/cmake.log"; fail "CMake build failed"; }
for v in shared static; do
  out=$("$dest/cmake-build/charge_$v")   # the shared one runs through CMake's build RPATH
  echo "cmake ($v): $out"
  echo "$out" | grep -q "= 7.36 yuan" || fail "CMake consumer ($v): wrong charge"
done
checked+=("CMake consumer (prepay::prepay, prepay::prepay_static)")

# --- configuration fingerprint: a consumer built with other capacities -------
cc -std=c11 -Wall -Wextra -Werror tests/install/config_mismatch.c $cflags $libs -o "$dest/config_match"
cc -std=c11 -Wall -Wextra -Werror -DPREPAY_MAX_TIERS=4 tests/install/config_mismatch.c $cflags $libs \
  -o "$dest/config_mismatch"
LD_LIBRARY_PATH="$root/$libdir" "$dest/config_match" match || fail "same configuration refused"
out=$(LD_LIBRARY_PATH="$root/$libdir" "$dest/config_mismatch" mismatch) || { echo "$out"; fail "other configuration not refused clearly"; }
echo "$out"
echo "$out" | grep -q "configuration mismatch" || fail "no clear configuration-mismatch text"
checked+=("configuration-mismatch consumer")

# --- Python package installed by meson, imported by the build's interpreter --
pkg_init=$(find "$root" -path '*/prepay/__init__.py' | head -1)
if [ -z "$pkg_init" ]; then
  [ "$py_feature" = "enabled" ] && fail "the Python package was not installed (python=enabled)"
  echo "check-install: Python bindings not built here (python=$py_feature): skipping the import check"
else
  site=$(dirname "$(dirname "$pkg_init")")
  real_site=${site#"$dest"}
  interp=$(command -v "$py_interp")
  # The interpreter's own site directory under the prefix, if it reads one
  # (a pyenv python reads none under /usr/local: then PYTHONPATH is the way).
  want_site=$("$interp" bindings/python/site_dir.py "$prefix")
  if [ -n "$want_site" ]; then
    [ "$real_site" = "$prefix/$want_site" ] \
      || fail "installed to $real_site, but $interp reads $prefix/$want_site"
    "$interp" -c 'import sys; sys.exit(0 if sys.argv[1] in sys.path else 1)' "$real_site" \
      || fail "$real_site is not on $interp's sys.path: the package is installed where it does not look"
  else
    echo "check-install: $interp reads no site directory under $prefix (PYTHONPATH needed there)"
  fi
  tariff="$root/$datadir/prepay/tariffs/guangzhou_residential_tou.json"
  out=$(cd "$dest" && PYTHONPATH="$site" PYTHONDONTWRITEBYTECODE=1 "$interp" -c '
import sys, prepay, prepay.tariff
assert prepay.__file__.startswith(sys.argv[1]), prepay.__file__
t = prepay.tariff.Tariff.load(sys.argv[2])
print(f"prepay {prepay.__version__} from {sys.argv[3]}: tariff loaded")' "$site" "$tariff" "$real_site") \
    || fail "$interp cannot import the installed package"
  echo "$interp: $out"
  checked+=("$interp imports the package from $real_site")
fi

# --- pip install . into a virtual environment of Debian's python ------------
if [ "${CHECK_INSTALL_PIP:-1}" != "0" ]; then
  /usr/bin/python3 -m venv --system-site-packages "$dest/venv"
  # The build runs in meson-python's own temporary directory; only its
  # native file lands in the source tree (git-ignored).
  nice -n 10 "$dest/venv/bin/pip" install --no-build-isolation --no-index --no-cache-dir -q "$src" \
    >"$dest/pip.log" 2>&1 || { tail -40 "$dest/pip.log"; fail "pip install . failed"; }
  out=$(cd "$dest" && "$dest/venv/bin/python" -c '
import sys, prepay
assert prepay.__file__.startswith(sys.prefix), prepay.__file__
print(f"prepay {prepay.__version__} in the venv")') || fail "the pip-installed package does not import"
  echo "pip: $out"
  checked+=("pip install . into a venv")
else
  echo "check-install: CHECK_INSTALL_PIP=0: skipping pip install ."
fi

# --- man pages: `man prepay` finds and renders the installed pages ----------
option() { meson introspect "$build" --buildoptions | python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]==sys.argv[1]][0])' "$1"; }
if [ "$(option tools)" = "True" ]; then
  mandir=$(option mandir)
  for page in prepay prepay-emu prepay-tariff; do
    [ -f "$root/$mandir/man1/$page.1" ] || fail "no man page $page.1"
  done
  MANPATH="$root/$mandir" MANWIDTH=80 man -P cat prepay 2>/dev/null | grep -q "prepay-COMMAND" \
    || fail "man prepay does not render"
  checked+=("man prepay")
fi

# --- the installed demo, no arguments, from an empty directory ---------------
if [ -x "$root/bin/prepay" ]; then
  mkdir "$dest/cwd"
  (cd "$dest/cwd" && "$root/bin/prepay" demo >"$dest/demo.log" 2>&1) \
    || { tail -20 "$dest/demo.log"; fail "installed prepay demo failed with no arguments"; }
  [ -f "$dest/cwd/demo-out/report.csv" ] || fail "installed prepay demo wrote no report"
  tail -1 "$dest/demo.log"
  checked+=("installed prepay demo")
else
  echo "check-install: tools not built here: skipping prepay demo"
fi

echo "check-install: OK (${#checked[@]} checks):"
printf '  - %s\n' "${checked[@]}"
