#!/bin/sh
# SPDX-License-Identifier: MIT
# CLI test of `prepay report` (tools/prepay/cmd_report.c, report_readings.c).
# usage: test_report_cli.sh PREPAY_TOOL REPO_ROOT
#
# Figures worked by hand (tests/vectors/report_cli/tiny.csv, Guangdong C&I TOU):
#   A-shop 2025-03: 07:00-09:00 10 kWh spread 5 valley + 5 flat;
#     fees 5 x 0.2556 = 1.278 yuan, 5 x 0.6725 = 3.3625 yuan -> shown 1.28, 3.36;
#     total exact 4.6405 -> 4.64.  YoY vs 2024-03 (8 kWh): +25 %.  MoM vs 2025-02 (4 kWh): +150 %.
#   B-shop 2025-03: two meters, 1 + 2 kWh peak -> 3 kWh, 3 x 1.1433 = 3.4299 -> 3.43;
#     no data in 2024-03 or 2025-02: YoY and MoM null (no_base), never 0.
#   Site: 13 kWh, 4.6405 + 3.4299 = 8.0704 -> 8.07; YoY 13/8 - 1 = +62.5 %; MoM 13/4 - 1 = +225 %.
#   registers.csv: 12 kWh over 06:00-12:00 -> 4 valley, 4 flat, 4 peak;
#     fee 4 x (0.2556 + 0.6725 + 1.1433) = 8.2856 -> 8.29.
set -u
tool=$1
root=$2
tariff=$root/examples/tariffs/guangdong_ci_tou_sharp.json
fx=$root/tests/vectors/report_cli
failures=0
checks=0
tmp=${TMPDIR:-/tmp}/prepay_report_cli.$$
trap 'rm -f "$tmp.out" "$tmp.err" "$tmp.svg"' EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

has() { # name file needle
    checks=$((checks + 1))
    grep -F -q -- "$3" "$2" || fail "$1: output lacks '$3'"
}

run_ok() { # name args...
    name=$1
    shift
    checks=$((checks + 1))
    "$tool" report "$@" >"$tmp.out" 2>"$tmp.err" || fail "$name: exit status $? ($(cat "$tmp.err"))"
}

run_fails() { # name status needle args...
    name=$1
    want=$2
    needle=$3
    shift 3
    checks=$((checks + 1))
    "$tool" report "$@" >"$tmp.out" 2>"$tmp.err"
    got=$?
    [ "$got" -eq "$want" ] || fail "$name: exit status $got, want $want"
    grep -F -q -- "$needle" "$tmp.err" || fail "$name: stderr lacks '$needle': $(cat "$tmp.err")"
    [ "$(wc -l <"$tmp.err")" -eq 1 ] || fail "$name: stderr is not one line"
}

# 1. the comprehensive monthly report, as CSV
run_ok monthly-csv monthly "$fx/tiny.csv" --tariff "$tariff" --month 2025-03 --csv
has monthly-csv "$tmp.out" "2025-03,2025-03-01,2025-03-31,A-shop,10.000,0.000,0.000,5.000,5.000,0.000,0.000,4.64,0.00,0.00,3.36,1.28,0.00,0.00,31,false,25.0000,,150.0000,"
has monthly-csv "$tmp.out" "2025-03,2025-03-01,2025-03-31,B-shop,3.000,0.000,3.000,0.000,0.000,0.000,0.000,3.43,0.00,3.43,0.00,0.00,0.00,0.00,31,false,,no_base,,no_base"
has monthly-csv "$tmp.out" "SITE TOTAL,13.000,0.000,3.000,5.000,5.000,0.000,0.000,8.07,0.00,3.43,3.36,1.28,0.00,0.00,31,false,62.5000,,225.0000,"
# as JSON (one object, exact decimals as strings): nulls are null
run_ok monthly-json monthly "$fx/tiny.csv" --tariff "$tariff" --month 2025-03 --json
has monthly-json "$tmp.out" '"key":"B-shop","energy":"3.000"'
has monthly-json "$tmp.out" '"yoy_pct":null,"yoy_null":"no_base"'
# as text, with a chart
run_ok monthly-text monthly "$fx/tiny.csv" --tariff "$tariff" --month 2025-03 --svg "$tmp.svg"
has monthly-text "$tmp.out" "+62.50%"
has monthly-text "$tmp.out" "(no_base)"
has monthly-svg "$tmp.svg" "<svg"
has monthly-svg "$tmp.svg" "Energy (kWh)"
has monthly-svg "$tmp.svg" ">2025-03<"
if command -v python3 >/dev/null 2>&1; then # the chart is well-formed XML
    checks=$((checks + 1))
    python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$tmp.svg" || fail "monthly-svg: not XML"
fi

# 2. register readings are spread over the band pieces
run_ok registers energy "$fx/registers.csv" --tariff "$tariff" --period day --from 2025-03-10 --to 2025-03-10 --csv
has registers "$tmp.out" "2025-03-10,2025-03-10,2025-03-10,C-shop,12.000,0.000,4.000,4.000,4.000,0.000,0.000,8.29,"

# 3. a day report without a tariff: bands from the file, no fees; days without data are empty
run_ok no-tariff energy "$fx/tiny.csv" --period day --from 2025-03-09 --to 2025-03-10 --by meter --csv
has no-tariff "$tmp.out" "2025-03-09,2025-03-09,2025-03-09,M1,,,,,,,,,,,,,,,1,false"
has no-tariff "$tmp.out" "2025-03-10,2025-03-10,2025-03-10,M2,1.000,0.000,1.000,0.000,0.000,0.000,0.000,0.00,"

# 4. bad input: exit 2, one line naming the problem; no chart file left behind
rm -f "$tmp.svg"
run_fails overlap 2 "starts before" energy "$fx/overlap.csv" --period day --from 2025-03-10 --to 2025-03-10 --svg "$tmp.svg"
checks=$((checks + 1))
[ ! -e "$tmp.svg" ] || fail "overlap: a chart file was left behind"
run_fails wrong-band 2 "the tariff's band at 2025-03-10 07:00 is 'valley'" energy "$fx/wrong_band.csv" --tariff "$tariff" --period day --from 2025-03-10 --to 2025-03-10
run_fails backwards 2 "register goes backwards" energy "$fx/backwards.csv" --period day --from 2025-03-10 --to 2025-03-10
run_fails bad-time 2 "is not a time" energy "$fx/bad_time.csv" --period day --from 2025-03-10 --to 2025-03-10
run_fails no-data 1 "no readings in 2023-05" monthly "$fx/tiny.csv" --tariff "$tariff" --month 2023-05
run_fails no-data-range 1 "no readings between" energy "$fx/tiny.csv" --period month --from 2020-01-01 --to 2020-12-31
run_fails bad-month 2 "--month: needs YYYY-MM" monthly "$fx/tiny.csv" --tariff "$tariff" --month 2025-13
run_fails bad-period 2 "--period takes day, week, month or year" energy "$fx/tiny.csv" --period fortnight --from 2025-03-01 --to 2025-03-31
run_fails no-file 2 "cannot open" energy "$fx/missing.csv" --period day --from 2025-03-01 --to 2025-03-31

echo "$((checks - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
