#!/bin/sh
# SPDX-License-Identifier: MIT
# CLI test of `prepay bill` (tools/prepay/cmd_bill.c).
# usage: test_bill_cli.sh PREPAY_TOOL VECTORS_DIR
#
# The fixture tests/vectors/billing_site_month.json is the building month
# worked by hand in tests/vectors/billing_building_month.txt; the expected
# figures below come from that hand work (not from the tool):
#   statement of 103: opening 150.00, energy 450+300+90 = 840.00, common area
#   64.92, property fee 300.00, charges 1204.92, payments 650.00, closing
#   704.92; statement id = 103 x 2^32 + day(2026-10-01) = 442381631488 + 9770.
#   arrears as of 2027-01-20: 201 owes 55.00 due 2026-10-15 (97 days: > 90);
#   103 owes 704.92 due 2026-11-15 (66 days: 61-90).
#   allocation: 48.41 48.41 64.92 35.33 (owner 900) 38.48, charge 235.55.
# Bad input: exit status 2 and exactly one line on stderr.
set -u
tool=$1
vectors=$2
site=$vectors/billing_site_month.json
tmp=${TMPDIR:-/tmp}/prepay_bill_cli.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

expect_equal() { # name got want
    checks=$((checks + 1))
    [ "$2" = "$3" ] || fail "$1: got [$2] want [$3]"
}

expect_contains() { # name haystack needle
    checks=$((checks + 1))
    case $2 in
    *"$3"*) ;;
    *) fail "$1: output lacks [$3]" ;;
    esac
}

# 1. CSV statements and arrears, exact.
out=$("$tool" bill "$site" --csv statements)
expect_equal "csv statements status" $? 0
expect_equal "csv statements" "$out" "statement_id,account,period_start,period_end,issue_date,due_date,opening,energy,common_area,items,adjustments,charges,payments,closing
442381641258,103,2026-10-01,2026-11-01,2026-11-01,2026-11-15,150.00,840.00,64.92,300.00,0.00,1204.92,650.00,704.92"

out=$("$tool" bill "$site" --csv arrears)
expect_equal "csv arrears" "$out" "account,not_due,days_0_30,days_31_60,days_61_90,days_over_90,total,oldest_days
201,0.00,0.00,0.00,0.00,55.00,55.00,97
103,0.00,0.00,0.00,704.92,0.00,704.92,66"

out=$("$tool" bill "$site" --csv allocation)
expect_equal "csv allocation" "$out" "part,account,weight,energy_wh,amount
0,101,277357,82202,48.41
1,102,277357,82201,48.41
2,103,372000,110251,64.92
3,900,202430,59995,35.33
4,105,220500,65351,38.48"

out=$("$tool" bill "$site" --csv charges)
expect_contains "csv charges 105 prorated" "$out" "450971631625,105,1,property fee,9,2026-10-11,2026-11-01,177.82,bill"
expect_contains "csv charges door card" "$out" ",105,2,door card,0,2026-10-15,2026-10-16,20.00,deduct"

# 2. Text.
out=$("$tool" bill "$site")
expect_equal "text status" $? 0
expect_contains "text closing" "$out" "closing 704.92"
expect_contains "text loss" "$out" "loss 8.00%"

# 3. JSON: valid, and the figures.
"$tool" bill "$site" --json > "$tmp/out.json"
expect_equal "json status" $? 0
if command -v python3 > /dev/null 2>&1; then
    got=$(python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["statements"][0]
a = {r["account"]: r for r in d["arrears"]}
print(d["common"]["common_wh"], d["common"]["loss_bp"], d["common"]["charge"],
      s["account"], s["state"], s["opening"], s["charges"], s["payments"], s["closing"], len(s["lines"]),
      a[103]["days_61_90"], a[201]["days_over_90"], sum(l["energy_wh"] for l in d["allocation"]))
PY
)
    expect_equal "json figures" "$got" "400000 800 235.55 103 issued 150.00 1204.92 650.00 704.92 7 704.92 55.00 400000"
else
    expect_contains "json closing" "$(cat "$tmp/out.json")" '"closing":"704.92"'
fi

# 4. Bad input: exit 2, one line on stderr.
bad() { # name args...
    name=$1
    shift
    "$tool" bill "$@" > "$tmp/stdout" 2> "$tmp/stderr"
    status=$?
    expect_equal "$name: exit status" "$status" 2
    expect_equal "$name: stderr lines" "$(wc -l < "$tmp/stderr" | tr -d ' ')" 1
}
printf '{"period": ' > "$tmp/truncated.json"
printf '[1, 2]' > "$tmp/array.json"
printf '{"common": {"master_wh": 1, "price": "1"}, "accounts": [{"id": 1}]}' > "$tmp/no_period.json"
sed 's/"2026-10-10"/"2026-02-30"/' "$site" > "$tmp/bad_date.json"
sed 's/"amount": "500.00"/"amount": "-5.00"/' "$site" > "$tmp/negative_payment.json"
sed 's/"price": "0.58886875"/"price": "0.588868751"/' "$site" > "$tmp/price_digits.json"
sed 's/"master_wh": 5000000/"master_wh": 4000000/' "$site" > "$tmp/meter_fault.json"
sed 's/"schedule": "monthly"/"schedule": "weekly"/' "$site" > "$tmp/bad_schedule.json"
sed 's/"id": 102,/"id": 101,/' "$site" > "$tmp/duplicate.json"
bad "missing file" "$tmp/nope.json"
bad "truncated json" "$tmp/truncated.json"
bad "not an object" "$tmp/array.json"
bad "no period" "$tmp/no_period.json"
bad "bad date" "$tmp/bad_date.json"
bad "negative payment" "$tmp/negative_payment.json"
bad "too many price decimals" "$tmp/price_digits.json"
bad "meter fault under fail policy" "$tmp/meter_fault.json"
bad "unknown schedule" "$tmp/bad_schedule.json"
bad "duplicate account" "$tmp/duplicate.json"
# One price check for the whole library: the tariff loader refuses a negative
# price, so must the common area (it would credit the tenants).
sed 's/"price": "0.58886875"/"price": "-0.58886875"/' "$site" > "$tmp/negative_price.json"
bad "negative common-area price" "$tmp/negative_price.json"
expect_contains "negative price message" "$(cat "$tmp/stderr")" "common.price"
bad "unknown csv table" "$site" --csv nope
bad "unknown option" "$site" --frobnicate
bad "no input" --json

# The message names the element at fault.
sed 's/"band": 2, //' "$site" > "$tmp/no_band.json"
bad "energy line without band" "$tmp/no_band.json"
expect_contains "message names the line" "$(cat "$tmp/stderr")" '$.energy[1]: missing required member "band"'

# A meter fault under clamp is billed (nothing allocated) and reported.
sed 's/"master_wh": 5000000/"master_wh": 4000000/; s/"residual_policy": "fail"/"residual_policy": "clamp"/' "$site" \
    > "$tmp/clamp.json"
out=$("$tool" bill "$tmp/clamp.json" --csv statements)
expect_equal "clamp status" $? 0
expect_contains "clamp statement without common area" "$out" ",150.00,840.00,0.00,300.00,0.00,1140.00,650.00,640.00"

# 5. Memory linear in accounts and lines: 40 000 postpaid accounts with one
# energy line each. Sizing every statement for all lines (accounts x lines)
# would need about 3.2e9 lines (over 100 GB); each statement needs 2.
# Figures by hand: a common charge of 400.00 split equally = 0.01 each; an
# energy line of 1.00; opening 0: every closing is 1.01.
awk 'BEGIN {
    n = 40000
    printf "{\"period\": {\"start\": \"2026-10-01\", \"end\": \"2026-11-01\"},\n"
    printf " \"common\": {\"master_wh\": 0, \"charge\": \"400.00\", \"basis\": \"equal\"},\n \"accounts\": ["
    for (i = 1; i <= n; i++) printf "%s{\"id\": %d, \"mode\": \"postpaid\"}", (i > 1 ? "," : ""), 100000 + i
    printf "],\n \"energy\": ["
    for (i = 1; i <= n; i++) printf "%s{\"account\": %d, \"band\": 1, \"wh\": 2000, \"amount\": \"1.00\"}", (i > 1 ? "," : ""), 100000 + i
    printf "]}\n"
}' > "$tmp/large.json"
"$tool" bill "$tmp/large.json" --csv statements > "$tmp/large.csv" 2> "$tmp/stderr"
expect_equal "40 000 accounts: exit status" $? 0
expect_equal "40 000 accounts: statements" "$(awk -F, 'NR > 1 && $14 == "1.01"' "$tmp/large.csv" | wc -l | tr -d ' ')" 40000

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
