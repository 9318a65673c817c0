#!/bin/sh
# SPDX-License-Identifier: MIT
# Lists the statements of the tools (and any C files given) that drop the
# status a libprepay function returns, with clang-tidy's
# bugprone-unused-return-value check over every `PREPAY_API int prepay_*`
# function of the public headers. Exits 1 if it finds any.
# usage: scripts/check-statuses.sh [FILE.c ...]   (from the repository root)
# (The headers mark those functions PREPAY_NODISCARD, so a clang build refuses
# a dropped status anywhere by itself; this script still serves GCC-only setups.)
set -eu
command -v clang-tidy > /dev/null || { echo "check-statuses: clang-tidy is not installed" >&2; exit 2; }
functions=$(grep -ho 'PREPAY_API int prepay_[a-z0-9_]*' include/prepay/*.h | awk '{print "::" $3}' | sort -u | paste -sd ';' -)
[ $# -gt 0 ] || set -- tools/common/*.c tools/prepay/*.c tools/prepay-emu/*.c
found=0
for file in "$@"; do
    out=$(clang-tidy -quiet "$file" -checks='-*,bugprone-unused-return-value' \
        -config="{CheckOptions: [{key: bugprone-unused-return-value.CheckedFunctions, value: '$functions'}]}" \
        -- -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc/common -Itools/common -Itools/prepay \
        -Itools/prepay-emu 2>/dev/null | grep 'warning:' || true)
    if [ -n "$out" ]; then
        printf '%s\n' "$out"
        found=$((found + $(printf '%s\n' "$out" | wc -l)))
    fi
done
echo "check-statuses: $found dropped statuses in $# files"
[ "$found" -eq 0 ]
