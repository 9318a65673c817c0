/* SPDX-License-Identifier: MIT */
/* Known-answer and edge tests for fixed_point.h (vectors: tests/vectors/fixed_point.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "test_support.h"

static const struct {
    const char *key;
    prepay_rounding_t mode;
} rounding_keys[] = {
    {"round_half_up", PREPAY_ROUND_HALF_UP}, {"round_half_even", PREPAY_ROUND_HALF_EVEN},
    {"round_down", PREPAY_ROUND_DOWN},       {"round_up", PREPAY_ROUND_UP},
    {"round_floor", PREPAY_ROUND_FLOOR},     {"round_ceiling", PREPAY_ROUND_CEILING},
};

static int64_t parse_i64(const char *s)
{
    int64_t v;
    assert_int_equal(prepay_fixed_parse(s, strlen(s), 0, &v), PREPAY_OK);
    return v;
}

static void check_rounded(const tv_record_t *r, int status, int64_t got, const char *key)
{
    const char *want = tv_need(r, key);
    if (strcmp(want, "overflow") == 0) {
        assert_int_equal(status, PREPAY_E_OVERFLOW);
    } else {
        assert_int_equal(status, PREPAY_OK);
        assert_int_equal(got, parse_i64(want));
    }
}

static void test_product_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("fixed_point.txt", &file);
    int products = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "product") != 0) {
            continue;
        }
        products++;
        prepay_amount_t a = {77, 77};
        int status = prepay_amount_from_product(parse_i64(tv_need(r, "energy")), parse_i64(tv_need(r, "price")), &a);
        const char *result = tv_get(r, "result");
        if (result && strcmp(result, "overflow") == 0) {
            assert_int_equal(status, PREPAY_E_OVERFLOW);
            assert_int_equal(a.units, 77); /* untouched on error */
            continue;
        }
        assert_int_equal(status, PREPAY_OK);
        assert_int_equal(a.units, parse_i64(tv_need(r, "units")));
        assert_int_equal(a.nanos, parse_i64(tv_need(r, "nanos")));
        for (size_t k = 0; k < sizeof rounding_keys / sizeof rounding_keys[0]; k++) {
            prepay_money_t m = 0;
            int s = prepay_amount_round(a, rounding_keys[k].mode, &m);
            check_rounded(r, s, m, rounding_keys[k].key);
        }
    }
    assert_true(products >= 40);
    tv_free(&file);
}

static void test_muldiv_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("fixed_point.txt", &file);
    int count = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "muldiv") != 0) {
            continue;
        }
        count++;
        int64_t a = parse_i64(tv_need(r, "a")), b = parse_i64(tv_need(r, "b")), d = parse_i64(tv_need(r, "den"));
        for (size_t k = 0; k < sizeof rounding_keys / sizeof rounding_keys[0]; k++) {
            int64_t got = 0;
            int s = prepay_i64_muldiv(a, b, d, rounding_keys[k].mode, &got);
            check_rounded(r, s, got, rounding_keys[k].key);
            /* When b == 1 the same rule must come out of div_round. */
            if (b == 1) {
                int64_t got2 = 0;
                int s2 = prepay_i64_div_round(a, d, rounding_keys[k].mode, &got2);
                check_rounded(r, s2, got2, rounding_keys[k].key);
            }
        }
    }
    assert_true(count >= 40);
    tv_free(&file);
}

static void test_checked_arithmetic(void **state)
{
    (void)state;
    int64_t v = 5;
    assert_int_equal(prepay_i64_add(INT64_MAX, 1, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(v, 5);
    assert_int_equal(prepay_i64_add(INT64_MIN, -1, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_i64_add(INT64_MAX, -1, &v), PREPAY_OK);
    assert_int_equal(v, INT64_MAX - 1);
    assert_int_equal(prepay_i64_sub(INT64_MIN, 1, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_i64_sub(0, INT64_MIN, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_i64_sub(-1, INT64_MIN, &v), PREPAY_OK);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(prepay_i64_mul(INT64_MIN, -1, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_i64_mul(INT64_MIN, 1, &v), PREPAY_OK);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(prepay_i64_mul(3037000500LL, 3037000500LL, &v), PREPAY_E_OVERFLOW); /* 2^63 + ... */
    assert_int_equal(prepay_i64_mul(3037000499LL, 3037000499LL, &v), PREPAY_OK);
    assert_int_equal(v, 9223372030926249001LL);
    assert_int_equal(prepay_i64_mul(-4, 5, &v), PREPAY_OK);
    assert_int_equal(v, -20);
    assert_int_equal(prepay_i64_div_round(1, 0, PREPAY_ROUND_HALF_UP, &v), PREPAY_E_DIVIDE_BY_ZERO);
    assert_int_equal(prepay_i64_div_round(INT64_MIN, -1, PREPAY_ROUND_HALF_UP, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_i64_div_round(1, 2, (prepay_rounding_t)99, &v), PREPAY_E_BAD_ROUNDING);
    assert_int_equal(prepay_i64_muldiv(1, 2, 0, PREPAY_ROUND_HALF_UP, &v), PREPAY_E_DIVIDE_BY_ZERO);
    assert_int_equal(prepay_i64_muldiv(1, 2, 3, (prepay_rounding_t)99, &v), PREPAY_E_BAD_ROUNDING);
    assert_int_equal(prepay_i64_add(1, 2, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_i64_sub(1, 2, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_i64_mul(1, 2, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_i64_div_round(1, 2, PREPAY_ROUND_DOWN, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_i64_muldiv(1, 2, 3, PREPAY_ROUND_DOWN, NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_amount_sums_are_exact(void **state)
{
    (void)state;
    /* 1000 intervals of 1 Wh at 0.58886875 /kWh equal one interval of 1 kWh:
     * the carried nanos make the sum exact (58.886875 fen, checked by hand). */
    prepay_amount_t sum = prepay_amount_from_money(0), one, total;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(prepay_amount_from_product(1, 58886875, &one), PREPAY_OK);
        assert_int_equal(prepay_amount_add(sum, one, &sum), PREPAY_OK);
    }
    assert_int_equal(prepay_amount_from_product(1000, 58886875, &total), PREPAY_OK);
    assert_int_equal(prepay_amount_compare(sum, total), 0);
    assert_int_equal(sum.units, 58);
    assert_int_equal(sum.nanos, 886875000u);

    /* Negative amounts are normalised with non-negative nanos: -0.25 fen. */
    prepay_amount_t quarter = {0, 250000000u}, neg;
    assert_int_equal(prepay_amount_sub(prepay_amount_from_money(0), quarter, &neg), PREPAY_OK);
    assert_int_equal(neg.units, -1);
    assert_int_equal(neg.nanos, 750000000u);
    prepay_money_t m = 9;
    assert_int_equal(prepay_amount_round(neg, PREPAY_ROUND_HALF_UP, &m), PREPAY_OK);
    assert_int_equal(m, 0);
    assert_int_equal(prepay_amount_round(neg, PREPAY_ROUND_FLOOR, &m), PREPAY_OK);
    assert_int_equal(m, -1);
    prepay_amount_t half_neg = {-1, 500000000u}; /* -0.5 fen */
    assert_int_equal(prepay_amount_round(half_neg, PREPAY_ROUND_HALF_UP, &m), PREPAY_OK);
    assert_int_equal(m, -1); /* half away from zero */
    assert_int_equal(prepay_amount_round(half_neg, PREPAY_ROUND_HALF_EVEN, &m), PREPAY_OK);
    assert_int_equal(m, 0);
    assert_int_equal(prepay_amount_compare(neg, quarter), -1);
    assert_int_equal(prepay_amount_compare(quarter, neg), 1);

    /* Overflow and malformed inputs. */
    prepay_amount_t max = {INT64_MAX, 999999999u}, r = {1, 1};
    assert_int_equal(prepay_amount_add(max, quarter, &r), PREPAY_E_OVERFLOW);
    assert_int_equal(r.units, 1);
    prepay_amount_t min = {INT64_MIN, 0};
    assert_int_equal(prepay_amount_sub(min, quarter, &r), PREPAY_E_OVERFLOW);
    prepay_amount_t bad = {0, 1000000000u};
    assert_int_equal(prepay_amount_add(bad, quarter, &r), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_amount_sub(quarter, bad, &r), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_amount_round(bad, PREPAY_ROUND_HALF_UP, &m), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_amount_round(max, PREPAY_ROUND_UP, &m), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_amount_round(quarter, (prepay_rounding_t)42, &m), PREPAY_E_BAD_ROUNDING);
    assert_int_equal(prepay_amount_from_product(1, 1, NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_text(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(prepay_fixed_format(123456, 2, buf, sizeof buf), 7);
    assert_string_equal(buf, "1234.56");
    assert_int_equal(prepay_fixed_format(-5, 2, buf, sizeof buf), 5);
    assert_string_equal(buf, "-0.05");
    assert_int_equal(prepay_fixed_format(0, 0, buf, sizeof buf), 1);
    assert_string_equal(buf, "0");
    assert_int_equal(prepay_fixed_format(58886875, 8, buf, sizeof buf), 10);
    assert_string_equal(buf, "0.58886875");
    assert_int_equal(prepay_fixed_format(INT64_MIN, 0, buf, sizeof buf), 20);
    assert_string_equal(buf, "-9223372036854775808");
    assert_int_equal(prepay_fixed_format(INT64_MIN, 18, buf, sizeof buf), 21);
    assert_string_equal(buf, "-9.223372036854775808");
    assert_int_equal(prepay_fixed_format(123, 2, buf, 4), PREPAY_E_BUFFER_TOO_SMALL);
    assert_string_equal(buf, "");
    assert_int_equal(prepay_fixed_format(123, 2, buf, 5), 4);
    assert_int_equal(prepay_fixed_format(1, 19, buf, sizeof buf), PREPAY_E_INVALID_ARGUMENT);

    int64_t v = 7;
    assert_int_equal(prepay_fixed_parse("0.58886875", 10, 8, &v), PREPAY_OK);
    assert_int_equal(v, 58886875);
    assert_int_equal(prepay_fixed_parse("12", 2, 2, &v), PREPAY_OK);
    assert_int_equal(v, 1200);
    assert_int_equal(prepay_fixed_parse("-.5", 3, 2, &v), PREPAY_OK);
    assert_int_equal(v, -50);
    assert_int_equal(prepay_fixed_parse("+3.", 3, 1, &v), PREPAY_OK);
    assert_int_equal(v, 30);
    v = 7;
    assert_int_equal(prepay_fixed_parse("0.001", 5, 2, &v), PREPAY_E_INVALID_ARGUMENT); /* would need rounding */
    assert_int_equal(prepay_fixed_parse("1e3", 3, 0, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_fixed_parse("1.2.3", 5, 2, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_fixed_parse("-", 1, 2, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_fixed_parse(".", 1, 2, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_fixed_parse(" 1", 2, 2, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_fixed_parse("9223372036854775808", 19, 0, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_fixed_parse("92233720368547758.08", 20, 2, &v), PREPAY_E_OVERFLOW);
    assert_int_equal(v, 7);
    assert_int_equal(prepay_fixed_parse("-9223372036854775808", 20, 0, &v), PREPAY_OK);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(prepay_fixed_parse("", 0, 2, &v), PREPAY_E_INVALID_ARGUMENT);
    /* The length bounds the read: "12" of "123". */
    assert_int_equal(prepay_fixed_parse("123", 2, 0, &v), PREPAY_OK);
    assert_int_equal(v, 12);
}

/* The one price check: 0 .. PREPAY_PRICE_MAX = (2^63 - 1) / 4 = 2305843009213693951. */
static void test_price_check(void **state)
{
    (void)state;
    assert_int_equal(PREPAY_PRICE_MAX, 2305843009213693951LL);
    assert_int_equal(prepay_price_check(0), PREPAY_OK);
    assert_int_equal(prepay_price_check(58886875), PREPAY_OK); /* Guangzhou 0.58886875 yuan/kWh */
    assert_int_equal(prepay_price_check(PREPAY_PRICE_MAX), PREPAY_OK);
    assert_int_equal(prepay_price_check(-1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_price_check(INT64_MIN), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_price_check(PREPAY_PRICE_MAX + 1), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_price_check(INT64_MAX), PREPAY_E_OUT_OF_RANGE);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product_vectors), cmocka_unit_test(test_muldiv_vectors),
        cmocka_unit_test(test_checked_arithmetic), cmocka_unit_test(test_amount_sums_are_exact),
        cmocka_unit_test(test_text), cmocka_unit_test(test_price_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
