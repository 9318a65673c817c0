#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs the platform's field and channel tests (test_field_*.py, test_channels_*.py) with Debian's
# python3 (it has Flask/Werkzeug) over a build of the library:
#   platform/tests/run_field.sh [BUILD_DIR]      (default: build/rel of this checkout)
# The build must hold the Python package, libprepay.so, tools/prepay/prepay and
# tools/prepay-emu/prepay-emu (meson setup build/rel -Dbuildtype=release && ninja -C build/rel).
# Exit status: 0 all passed, 1 a test failed, 2 no usable build.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/rel}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
if [ ! -d "$build/bindings/python/prepay" ]; then
    echo "run_field.sh: $build has no Python package (build the library first)" >&2
    exit 2
fi
cd "$root/platform" || exit 2
status=0
for pattern in 'test_field_*.py' 'test_channels_*.py'; do
    PREPAY_BUILD=$build PYTHONPATH="$build/bindings/python:$root/platform${PYTHONPATH:+:$PYTHONPATH}" \
        /usr/bin/python3 -m unittest discover -s tests -t . -p "$pattern" || status=1
done
exit $status
