#!/usr/bin/env python3
"""Prints the directory under PREFIX where this interpreter imports packages from.

`meson install` must put the package where the target interpreter looks. Meson's
default for Debian's /usr/bin/python3 with prefix /usr/local is
/usr/local/lib/python3/dist-packages, which Debian's python does not read (it reads
/usr/local/lib/python3.X/dist-packages and /usr/lib/python3/dist-packages); for a
pyenv or venv python it is lib/python3.X/site-packages. So the build asks the
interpreter itself: the first entry of its sys.path that is a site directory
(ends in site-packages or dist-packages) under PREFIX. Prints nothing when none
is (a private prefix such as /opt/prepay): the build then keeps meson's default,
and the user adds it to PYTHONPATH.

usage: site_dir.py PREFIX
"""
import os
import sys


def main() -> int:
    prefix = os.path.normpath(sys.argv[1])
    for entry in sys.path:
        if not entry:
            continue
        path = os.path.normpath(entry)
        if os.path.basename(path) not in ("site-packages", "dist-packages"):
            continue
        if path.startswith(prefix + os.sep):
            print(os.path.relpath(path, prefix))
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
