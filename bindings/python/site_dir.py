#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Prints the directory under PREFIX where this interpreter imports packages from.

`meson install` must put the package where the target interpreter looks. Meson's
default for Debian's /usr/bin/python3 with prefix /usr/local is
/usr/local/lib/python3/dist-packages, which Debian's python does not read (it reads
/usr/local/lib/python3.X/dist-packages and /usr/lib/python3/dist-packages); for a
pyenv or venv python it is lib/python3.X/site-packages. So the build asks the
interpreter itself: the entry of its sys.path that is a site directory (ends in
site-packages or dist-packages) right under PREFIX/lib*. Prints nothing when none
is (a private prefix such as /opt/prepay): the build then keeps meson's default,
and the user adds it to PYTHONPATH.

usage: site_dir.py PREFIX
"""
import os
import sys


def main() -> int:
    prefix = os.path.normpath(sys.argv[1])
    candidates = []
    for entry in sys.path:
        if not entry:
            continue
        path = os.path.normpath(entry)
        if os.path.basename(path) not in ("site-packages", "dist-packages"):
            continue
        if path.startswith(prefix.rstrip(os.sep) + os.sep):
            candidates.append(os.path.relpath(path, prefix))
    # Under prefix /usr, Debian's python also reads /usr/local/lib/python3.X/dist-packages:
    # that one belongs to prefix /usr/local. Prefer <prefix>/lib*/..., then the shortest.
    candidates.sort(key=lambda rel: (not rel.startswith("lib"), rel.count(os.sep)))
    if candidates:
        print(candidates[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
