#!/bin/sh
# SPDX-License-Identifier: MIT
# CLI test of `prepay tariff` (tools/prepay/cmd_tariff.c).
# usage: test_tariff_cli.sh PREPAY_TOOL REPO_ROOT
#
# 1. check: every example tariff is valid (text and --json).
# 2. bill: register and interval CSVs give the hand-computed totals
#    (tests/vectors/tariff_examples.txt), with lines in --json output.
# 3. vend: Beijing's ladder, 100 yuan -> 204.79 kWh (published exercise);
#    with 2800 kWh used, 193.2 kWh (hand computation in the case below).
# 4. Bad input: exit status 2 and one line on stderr naming file:line or the JSON path.
set -u
tool=$1
root=$2
ex=$root/examples/tariffs
fx=$root/tests/vectors/tariff_cli
failures=0
checks=0
tmp=${TMPDIR:-/tmp}/prepay_tariff_cli.$$
trap 'rm -f "$tmp.out" "$tmp.err"' EXIT

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

contains() { # name haystack needle
    checks=$((checks + 1))
    case $2 in
    *"$3"*) ;;
    *) fail "$1: output lacks '$3': $2" ;;
    esac
}

run_ok() { # name args...
    name=$1
    shift
    checks=$((checks + 1))
    if ! "$tool" tariff "$@" >"$tmp.out" 2>"$tmp.err"; then
        fail "$name: exit status $? ($(cat "$tmp.err"))"
    fi
    out=$(cat "$tmp.out")
}

run_bad() { # name needle args...  (expects exit 2 and a one-line message containing needle)
    name=$1
    needle=$2
    shift 2
    checks=$((checks + 1))
    "$tool" tariff "$@" >"$tmp.out" 2>"$tmp.err"
    status=$?
    [ "$status" -eq 2 ] || fail "$name: exit status $status, expected 2"
    lines=$(wc -l <"$tmp.err")
    [ "$lines" -eq 1 ] || fail "$name: expected one line on stderr, got $lines: $(cat "$tmp.err")"
    contains "$name" "$(cat "$tmp.err")" "$needle"
}

json_valid() { # name text
    if command -v python3 >/dev/null 2>&1; then
        checks=$((checks + 1))
        printf '%s' "$2" | python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null || fail "$1: not valid JSON"
    fi
}

# 1. check
for f in "$ex"/*.json; do
    run_ok "check $f" check "$f"
    contains "check $f" "$out" "valid"
    run_ok "check --json $f" check "$f" --json
    contains "check --json $f" "$out" '"valid":true'
    json_valid "check --json $f" "$out"
done
run_ok "check guangdong" check "$ex/guangdong_ci_tou_sharp.json"
contains "check guangdong" "$out" "sharp        1.42910000"

# 2. bill
run_ok "bill beijing registers" bill "$ex/beijing_residential_annual.json" "$fx/beijing_registers.csv" --json
json_valid "bill beijing registers" "$out"
contains "bill beijing registers" "$out" '"total":"2597.50"'
contains "bill beijing registers" "$out" '"band":"flat","band_index":1,"tier":2,"quantity":"1920.000","price":"0.53830000","amount":"1033.536"'
contains "bill beijing registers" "$out" '"tier":3,"quantity":"200.000","price":"0.78830000","amount":"157.66"'
run_ok "bill beijing text" bill "$ex/beijing_residential_annual.json" "$fx/beijing_registers.csv"
contains "bill beijing text" "$out" "total:  2597.50 CNY"
run_ok "bill guangzhou intervals" bill "$ex/guangzhou_residential_tou.json" "$fx/guangzhou_day.csv" --json
json_valid "bill guangzhou intervals" "$out"
contains "bill guangzhou intervals" "$out" '"total":"520.94"'
contains "bill guangzhou intervals" "$out" '"exact_total":"520.9412875"'
contains "bill guangzhou intervals" "$out" '"band":"peak","band_index":1,"tier":3,"quantity":"50.000","price":"1.29500875","amount":"64.7504375"'
# Multi-person household: bounds +100 kWh (360 / 700): valley 100 and flat 100 in tier 1,
# peak 160 in tier 1 (159.2014) and 40 + 150 in tier 2 (190 x 1.04500875 = 198.5516625),
# flat 100 in tier 2 (63.886875); nothing reaches tier 3. Total 503.4412875 -> 503.44.
run_ok "bill guangzhou household" bill "$ex/guangzhou_residential_tou.json" "$fx/guangzhou_day.csv" --json --household-add 100
contains "bill guangzhou household" "$out" '"total":"503.44"'

# 3. vend
run_ok "vend 100" vend "$ex/beijing_residential_annual.json" --amount 100 --at "2025-03-01 00:00" --json
json_valid "vend 100" "$out"
contains "vend 100" "$out" '"energy":"204.790"'
# 2800 kWh used: 80 kWh left in tier 1 (39.064 yuan), 60.936 / 0.5383 = 113.2009 -> 113.20 kWh: 193.200 kWh.
run_ok "vend used" vend "$ex/beijing_residential_annual.json" --amount 100 --used 2800 --at "2025-03-01 00:00" --json
contains "vend used" "$out" '"energy":"193.200"'
contains "vend used" "$out" '"cost":"99.99956"'

# 4. bad input
run_bad "bad timestamp" "bad_timestamp.csv:3: bad timestamp" bill "$ex/beijing_residential_annual.json" "$fx/bad_timestamp.csv"
run_bad "register backwards" "bad_backwards.csv:3: register went backwards" bill "$ex/beijing_residential_annual.json" "$fx/bad_backwards.csv"
run_bad "mixed rows" "bad_mixed.csv:2: mixes" bill "$ex/beijing_residential_annual.json" "$fx/bad_mixed.csv"
run_bad "too many decimals" "bad_energy.csv:1: bad energy" bill "$ex/beijing_residential_annual.json" "$fx/bad_energy.csv"
run_bad "JSON real price" '$.prices.bands.flat: must be a decimal string' check "$fx/bad_tariff_real.json"
run_bad "JSON syntax" "bad_tariff_syntax.json:3:" check "$fx/bad_tariff_syntax.json"
run_bad "missing tariff" "cannot open" check "$fx/does_not_exist.json"
run_bad "missing csv" "cannot open" bill "$ex/beijing_residential_annual.json" "$fx/does_not_exist.csv"
run_bad "vend no amount" "--amount" vend "$ex/beijing_residential_annual.json"
run_bad "vend bad amount" "--amount" vend "$ex/beijing_residential_annual.json" --amount 1.234
run_bad "vend bad time" "--at" vend "$ex/beijing_residential_annual.json" --amount 1 --at "2025-02-30 00:00"
run_bad "unknown subcommand" "unknown subcommand" frobnicate
run_bad "unknown option" "unknown option" check "$ex/beijing_residential_annual.json" --frob

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
