#!/bin/sh
# SPDX-License-Identifier: MIT
# CLI test of `prepay dlt645` (tools/prepay/cmd_dlt645.c).
# usage: test_dlt645_cli.sh PREPAY_TOOL VECTORS_DIR
#
# 1. Every frame of tests/vectors/dlt645_frames.txt is decoded with --json;
#    the JSON must carry the fields the vector file gives (address, control,
#    function, direction, abnormal, follow_up, data, di, error). Frames with
#    valid = no must be refused with exit status 2, one line on stderr and,
#    under --json, one error object on stdout (docs/cli.md).
# 2. Decoded values of a few frames (hand-checked in dlt645_values.txt).
# 3. encode rebuilds published frames byte for byte.
# 4. Bad input: exit status 2 and a one-line message.
set -u
tool=$1
vectors=$2
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

expect_contains() { # name haystack needle
    checks=$((checks + 1))
    case $2 in
    *"$3"*) ;;
    *) fail "$1: output lacks $3: $2" ;;
    esac
}

tmp=${TMPDIR:-/tmp}/dlt645_cli.$$
trap 'rm -f "$tmp".*' EXIT

# ---- 1. every frame of the vector file ------------------------------------
awk -F' = ' '
function flush() {
    if (name != "") print name "|" hex "|" valid "|" address "|" control "|" function_ "|" direction "|" abnormal "|" follow_up "|" data "|" di "|" error_
    name = ""; hex = ""; valid = ""; address = ""; control = ""; function_ = ""; direction = ""
    abnormal = ""; follow_up = ""; data = ""; di = ""; error_ = ""
}
/^\[frame\]/ { flush() }
/^name = / { name = $2 }
/^hex = / { hex = $2 }
/^valid = / { valid = $2 }
/^address = / { address = $2 }
/^control = / { control = $2 }
/^function = / { function_ = $2 }
/^direction = / { direction = $2 }
/^abnormal = / { abnormal = $2 }
/^follow_up = / { follow_up = $2 }
/^data =/ { d = $0; sub(/^data =[ ]*/, "", d); gsub(/ /, "", d); data = d }
/^di = / { di = $2 }
/^error = / { error_ = $2 }
END { flush() }
' "$vectors/dlt645_frames.txt" > "$tmp.frames"

count=0
while IFS='|' read -r name hex valid address control function direction abnormal follow_up data di error; do
    count=$((count + 1))
    out=$("$tool" dlt645 decode --json "$hex" 2>"$tmp.err")
    status=$?
    if [ "$valid" = "no" ]; then
        checks=$((checks + 1))
        [ $status -eq 2 ] || fail "$name: invalid frame gave exit status $status"
        [ "$(wc -l < "$tmp.err")" -eq 1 ] || fail "$name: expected one line on stderr"
        case $out in
        '{"ok":false,"error":{"code":-'*) ;;
        *) fail "$name: invalid frame: stdout is not one JSON error object: $out" ;;
        esac
        [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$name: invalid frame: more than one line on stdout"
        continue
    fi
    checks=$((checks + 1))
    if [ $status -ne 0 ]; then
        fail "$name: exit status $status: $(cat "$tmp.err")"
        continue
    fi
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "$name: expected one JSON line"
    expect_contains "$name" "$out" "\"address\":\"$address\""
    expect_contains "$name" "$out" "\"control\":$((control))"
    expect_contains "$name" "$out" "\"function\":$((function))"
    expect_contains "$name" "$out" "\"direction\":\"$direction\""
    if [ "$abnormal" = "yes" ]; then b=true; else b=false; fi
    expect_contains "$name" "$out" "\"abnormal\":$b"
    if [ "$follow_up" = "yes" ]; then b=true; else b=false; fi
    expect_contains "$name" "$out" "\"follow_up\":$b"
    expect_contains "$name" "$out" "\"data\":\"$data\""
    if [ -n "$di" ]; then
        expect_contains "$name" "$out" "\"di\":\"$di\""
    fi
    if [ -n "$error" ]; then
        expect_contains "$name" "$out" "\"error\":$((error))"
    fi
    expect_contains "$name" "$out" "\"values\":["
done < "$tmp.frames"
[ "$count" -ge 70 ] || fail "only $count frames read from the vector file"

# ---- 2. values -----------------------------------------------------------------
out=$("$tool" dlt645 decode --json "68 00 36 19 00 00 00 68 91 18 33 32 34 33 63 69 33 33 89 35 33 33 4C 33 33 33 6B 33 33 33 4A 66 33 33 E9 16")
expect_contains energy_block "$out" '{"di":"00010000","name":"forward active energy, total, current","value":"36.30","unit":"kWh"'
expect_contains energy_block "$out" '{"di":"00010400","name":"forward active energy, tariff 4, current","value":"33.17","unit":"kWh"'
out=$("$tool" dlt645 decode --json "68 12 00 00 00 10 20 68 91 0A 33 32 34 35 89 55 32 32 32 32 21 16")
expect_contains voltage_block "$out" '"value":"225.6","unit":"V"'
expect_contains voltage_block "$out" '{"di":"02010300","name":"voltage, C-phase","value":"absent"'
out=$("$tool" dlt645 decode --json "68 12 00 00 00 10 20 68 91 08 33 35 C3 33 89 CB 34 33 C4 16")
expect_contains remaining "$out" '"name":"remaining amount","value":"198.56","unit":"yuan"'
# Several frames from stdin, one JSON line each; comments and blank lines skipped.
printf '%s\n' "# comment" "" "68 12 00 00 00 10 20 68 91 08 34 34 33 37 34 44 34 49 72 16" \
    "FE FE FE FE 68 60 07 92 04 00 91 68 D1 01 37 67 16" | "$tool" dlt645 decode --json - > "$tmp.stdin"
status=$?
checks=$((checks + 1))
[ $status -eq 0 ] || fail "stdin decode failed"
[ "$(wc -l < "$tmp.stdin")" -eq 2 ] || fail "stdin: expected 2 JSON lines"
expect_contains stdin "$(cat "$tmp.stdin")" '"value":"2016-01-11"'
expect_contains stdin "$(cat "$tmp.stdin")" '"abnormal":true,"follow_up":false,"length":1,"data":"04","error":4'
# 1997 replies decode with the 1997 table.
out=$("$tool" dlt645 decode --json "68 43 97 35 14 00 00 68 81 06 43 C3 7B 96 57 33 1B 16")
expect_contains dl1997 "$out" '"edition":1997'
expect_contains dl1997 "$out" '{"di":"9010","name":"forward active energy, total","value":"2463.48","unit":"kWh"'
# Text output names the values too.
out=$("$tool" dlt645 decode "68 00 36 19 00 00 00 68 93 06 33 69 4C 33 33 33 39 16")
expect_contains text "$out" "address = 000000193600"

# ---- 3. encode ---------------------------------------------------------------------
check_encode() { # name expected-hex args...
    name=$1
    want=$2
    shift 2
    checks=$((checks + 1))
    got=$("$tool" dlt645 encode "$@")
    [ $? -eq 0 ] || { fail "encode $name: failed"; return; }
    [ "$got" = "$want" ] || fail "encode $name: got '$got', want '$want'"
}
check_encode read "FE 68 00 36 19 00 00 00 68 11 04 33 32 34 33 00 16" \
    read --address 000000193600 --di 0001FF00 --preamble 1
check_encode relay "68 11 11 11 11 11 11 68 1C 10 33 33 33 33 33 33 33 33 4D 33 57 74 48 45 38 4B 55 16" \
    relay --address 111111111111 --n1 trip --until '2018-05-12 15:41:24' --level 00
check_encode time "68 99 99 99 99 99 99 68 08 06 84 55 43 38 39 4A 4B 16" time --time '2017-06-05 10:22:51'
check_encode read_address "FE 68 AA AA AA AA AA AA 68 13 00 DF 16" address --preamble 1
check_encode read_voltage "68 16 00 00 00 15 20 68 11 04 33 33 36 35 01 16" \
    read --address 201500000016 --di 02030000
# A write decodes back to the value written.
frame=$("$tool" dlt645 encode write --address 000000193600 --di 04050101 --value 0.5200 --password 123456 --operator 01020304)
status=$?
checks=$((checks + 1))
[ $status -eq 0 ] || fail "encode write failed"
out=$("$tool" dlt645 decode --json "$frame")
expect_contains write "$out" '"di":"04050101"'
expect_contains write "$out" '"name":"first set price, tariff 1","value":"0.5200","unit":"yuan/kWh"'
expect_contains write "$out" '"data":"010105040256341204030201'

# ---- catalogue listing ------------------------------------------------------------
"$tool" dlt645 catalogue --json > "$tmp.cat"
status=$?
checks=$((checks + 1))
[ $status -eq 0 ] || fail "catalogue --json failed"
[ "$(wc -l < "$tmp.cat")" -ge 200 ] || fail "catalogue: fewer than 200 rows"
expect_contains catalogue "$(cat "$tmp.cat")" '{"ok":true,"di_low":"00900200","di_high":"00900200","name":"remaining amount","format":"bcd","length":4,"decimals":2,"unit":"yuan"'
expect_contains catalogue "$(cat "$tmp.cat")" '{"ok":true,"di_low":"00010000","di_high":"00013F0C","name":"forward active energy","format":"bcd","length":4,"decimals":2,"unit":"kWh"'

# ---- 4. bad input: exit status 2, one line on stderr ---------------------------------
check_bad() { # name args...
    name=$1
    shift
    checks=$((checks + 1))
    "$tool" dlt645 "$@" > "$tmp.out" 2> "$tmp.err"
    status=$?
    [ $status -eq 2 ] || fail "$name: exit status $status, want 2"
    [ "$(wc -l < "$tmp.err")" -eq 1 ] || fail "$name: expected one line on stderr, got: $(cat "$tmp.err")"
}
check_bad not_hex decode "zz"
check_bad odd_digits decode "68 1"
check_bad truncated decode "68 12 00"
check_bad checksum decode "68 16 00 00 00 15 20 68 11 04 35 33 B3 35 85 16"
check_bad trailing decode "68 AA AA AA AA AA AA 68 13 00 DF 16 00"
check_bad no_frames decode --json
check_bad unknown_option decode --bogus "68 AA AA AA AA AA AA 68 13 00 DF 16"
check_bad unknown_kind encode bogus
check_bad bad_address encode read --address 12 --di 00010000
check_bad bad_di encode read --address 000000193600 --di 0001
check_bad no_di encode read --address 000000193600
check_bad bad_value encode write --address 000000193600 --di 04050101 --value 0.52001
check_bad bad_n1 encode relay --address 111111111111 --n1 boom --until '2018-05-12 15:41:24'
check_bad bad_until encode relay --address 111111111111 --n1 trip --until 'tomorrow'
check_bad bad_preamble encode read --address 000000193600 --di 00010000 --preamble 5
check_bad missing_value encode read --address
check_bad unknown_subcommand bogus
check_bad catalogue_argument catalogue --bogus
printf '%s\n' "68 AA AA AA AA AA AA 68 13 00 DF 16" "garbage" | "$tool" dlt645 decode - > "$tmp.out" 2> "$tmp.err"
status=$?
checks=$((checks + 1))
[ $status -eq 2 ] || fail "stdin with a bad line: want exit status 2"
[ "$(wc -l < "$tmp.out")" -ge 1 ] || fail "stdin with a bad line: the good frame should still be printed"

echo "$checks checks, $failures failures"
[ $failures -eq 0 ]
