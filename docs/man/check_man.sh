#!/bin/sh
# SPDX-License-Identifier: MIT
# check_man.sh PREPAY "COMMANDS" PAGE.1...
# Every page must render with groff (man macros) without a single warning,
# and with man -l when man-db is installed; every command listed by
# 'prepay --help' must be in COMMANDS (so a new command gets a page).
set -u
prepay=$1 commands=$2
shift 2
status=0
listed=$("$prepay" --help | sed -n '/^commands:/,/^$/s/^  \([a-z0-9-]*\) .*/\1/p')
for c in $listed; do
    case " $commands " in *" $c "*) ;; *) echo "check_man: 'prepay $c' has no man page (add it to docs/man/meson.build)" >&2; status=1 ;; esac
done
for page in "$@"; do
    err=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
    if [ -n "$err" ]; then
        echo "check_man: $page: $err" >&2
        status=1
    fi
    if command -v man >/dev/null 2>&1; then
        lines=$(MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l)
        if [ "$lines" -lt 10 ]; then
            echo "check_man: man -l $page rendered $lines lines" >&2
            status=1
        fi
    fi
    name=$(basename "$page" .1)
    grep -q "^\.TH \"$(echo "$name" | tr 'a-z' 'A-Z')\" \"1\"" "$page" || { echo "check_man: $page: no .TH for $name" >&2; status=1; }
done
[ "$status" -eq 0 ] && echo "$# man pages render cleanly"
exit $status
