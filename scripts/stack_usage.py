#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Worst-case stack depth of the core's public functions, from GCC's
-fcallgraph-info=su output (.ci files, one per object) of the firmware build.

Each function's frame size comes from -fstack-usage; the worst case of a
function is its frame plus the worst case of the deepest function it calls.
Recursion makes the bound infinite and is reported as an error; calls through
function pointers (caller-supplied callbacks such as an I/O interface or a
load profile) cannot be bounded here and are flagged with '+indirect'.

Usage: stack_usage.py OBJDIR [PREFIX...]  (default prefix: prepay_)
"""
import glob
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
SIZE = re.compile(r'\\n(\d+) bytes \(([a-z,]+)\)')


def main():
    objdir = sys.argv[1]
    prefixes = sys.argv[2:] or ["prepay_"]
    frames, kinds, calls, module_of = {}, {}, {}, {}
    for path in glob.glob(os.path.join(objdir, "*.ci")):
        module = os.path.basename(path).split("_")[1] if os.path.basename(path).startswith("src_") else "?"
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for title, label in NODE.findall(text):
            m = SIZE.search(label)
            if m:
                frames[title] = int(m.group(1))
                kinds[title] = m.group(2)
                module_of[title] = module
        for src, dst in EDGE.findall(text):
            calls.setdefault(src, []).append(dst)

    memo, indirect = {}, {}

    def worst(fn, path):
        if fn in memo:
            return memo[fn]
        if fn in path:
            raise RecursionError(" -> ".join(path + [fn]))
        own = frames.get(fn)
        if own is None:  # external: libgcc helper, string.h, or an indirect call
            is_indirect = "indirect" in fn
            indirect[fn] = is_indirect
            return 0, is_indirect
        deepest, via_indirect = 0, False
        for callee in calls.get(fn, []):
            depth, ind = worst(callee, path + [fn])
            deepest = max(deepest, depth)
            via_indirect = via_indirect or ind
        memo[fn] = (own + deepest, via_indirect)
        return memo[fn]

    status = 0
    per_module = {}
    rows = []
    for fn in sorted(frames):
        if not any(fn.startswith(p) for p in prefixes):
            continue
        try:
            depth, ind = worst(fn, [])
        except RecursionError as e:
            print(f"stack: recursion (unbounded): {e}")
            status = 1
            continue
        if "dynamic" in kinds[fn] and "bounded" not in kinds[fn]:
            print(f"stack: {fn} has an unbounded dynamic frame")
            status = 1
        rows.append((depth, fn, ind))
        mod = module_of.get(fn, "?")
        if depth > per_module.get(mod, (0, ""))[0]:
            per_module[mod] = (depth, fn + (" +indirect" if ind else ""))
    print("worst-case stack per module (bytes, deepest public entry point):")
    for mod in sorted(per_module):
        depth, fn = per_module[mod]
        print(f"  {mod:<12} {depth:6d}  {fn}")
    return status


if __name__ == "__main__":
    sys.exit(main())
