#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs an example and checks its output: check_output.sh EXPECTED PROGRAM [ARGS...]
# The program must exit 0 and print every non-comment line of EXPECTED as a
# whole line of its standard output (other lines may come between them).
set -u
expected=$1
shift
out=$("$@")
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
    echo "check_output: $1 exited with status $rc" >&2
    exit 1
fi
missing=0
while IFS= read -r line; do
    case $line in '#'*|'') continue ;; esac
    if ! printf '%s\n' "$out" | grep -Fxq -- "$line"; then
        echo "check_output: missing line: $line" >&2
        missing=1
    fi
done < "$expected"
exit $missing
