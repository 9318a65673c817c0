#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Copies the public headers for SWIG, rewriting what SWIG 4.1 cannot parse.

SWIG's parser refuses conditional expressions in array sizes such as
``uint8_t data[N > 0 ? N : 1]`` (used so that a zero capacity still compiles in C).
The copies say ``[N]`` instead; the C compiler always sees the real headers.

usage: swig_headers.py INCLUDE_DIR OUT_DIR STAMP
"""
import pathlib
import re
import sys

PATTERN = re.compile(r"\[\s*([A-Z0-9_]+)\s*>\s*0\s*\?\s*\1\s*:\s*1\s*\]")


def main() -> int:
    src = pathlib.Path(sys.argv[1]) / "prepay"
    out = pathlib.Path(sys.argv[2]) / "prepay"
    out.mkdir(parents=True, exist_ok=True)
    for header in sorted(src.glob("*.h")):
        text = PATTERN.sub(r"[\1]", header.read_text(encoding="utf-8"))
        target = out / header.name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    pathlib.Path(sys.argv[3]).write_text("ok\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
