/* SPDX-License-Identifier: MIT */
/*
 * prepay_allocation_residual() and prepay_allocation_allocate(): known answers
 * (tests/vectors/allocation_residual.txt, allocation_participation.txt),
 * contract errors and properties (columns sum exactly, nothing changes on error).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc_test_util.h"
#include "prepay/allocation.h"
#include "prepay/status.h"
#include "test_support.h"

#define MAX_PARTS 32

static prepay_allocation_residual_policy_t policy_of(const char *name)
{
    if (strcmp(name, "fail") == 0) {
        return PREPAY_ALLOCATION_RESIDUAL_FAIL;
    }
    if (strcmp(name, "clamp") == 0) {
        return PREPAY_ALLOCATION_RESIDUAL_CLAMP;
    }
    if (strcmp(name, "carry") == 0) {
        return PREPAY_ALLOCATION_RESIDUAL_CARRY;
    }
    fail_msg("unknown policy %s", name);
    return PREPAY_ALLOCATION_RESIDUAL_FAIL;
}

static void test_residual_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("allocation_residual.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "residual") != 0) {
            continue;
        }
        int64_t subs[MAX_PARTS];
        size_t n = parse_i64_list(tv_need(r, "subs"), subs, MAX_PARTS);
        prepay_allocation_residual_t out;
        memset(&out, 0x5A, sizeof out);
        prepay_allocation_residual_t before = out;
        int status = prepay_allocation_residual(parse_i64(tv_need(r, "master")), n ? subs : NULL, n,
                                           parse_i64(tv_need(r, "carried_in")), policy_of(tv_need(r, "policy")), &out);
        const char *error = tv_get(r, "error");
        if (error) {
            int want = strcmp(error, "negative_residual") == 0 ? PREPAY_E_ALLOCATION_NEGATIVE_RESIDUAL
                                                               : PREPAY_E_ALLOCATION_NEGATIVE_READING;
            if (status != want) {
                fail_msg("line %d: status %d, want %s", r->line, status, error);
            }
            assert_memory_equal(&out, &before, sizeof out);
        } else {
            if (status != PREPAY_OK) {
                fail_msg("line %d: status %d", r->line, status);
            }
            assert_int_equal(out.common, parse_i64(tv_need(r, "common")));
            assert_int_equal(out.carry_out, parse_i64(tv_need(r, "carry_out")));
            assert_int_equal(out.clamped, parse_i64(tv_need(r, "clamped")));
            assert_int_equal(out.negative ? 1 : 0, parse_i64(tv_need(r, "negative")));
            if (out.loss_bp != parse_i64(tv_need(r, "loss_bp"))) {
                fail_msg("line %d: loss_bp %lld", r->line, (long long)out.loss_bp);
            }
        }
        checked++;
    }
    assert_true(checked >= 16);
    tv_free(&file);
}

static void test_residual_errors(void **state)
{
    (void)state;
    prepay_allocation_residual_t out;
    prepay_energy_t subs[2] = {INT64_MAX, 1};
    assert_int_equal(prepay_allocation_residual(5, NULL, 1, 0, PREPAY_ALLOCATION_RESIDUAL_FAIL, &out), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_allocation_residual(5, subs, 1, 0, PREPAY_ALLOCATION_RESIDUAL_FAIL, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_allocation_residual(5, subs, 2, 0, PREPAY_ALLOCATION_RESIDUAL_CLAMP, &out), PREPAY_E_OVERFLOW);
    assert_int_equal(prepay_allocation_residual(5, subs, 1, 0, (prepay_allocation_residual_policy_t)9, &out),
                     PREPAY_E_ALLOCATION_BAD_POLICY);
    /* -INT64_MAX + INT64_MIN overflows the carry sum. */
    assert_int_equal(prepay_allocation_residual(0, subs, 1, INT64_MIN, PREPAY_ALLOCATION_RESIDUAL_CARRY, &out), PREPAY_E_OVERFLOW);
    /* A clamp of 2^63 cannot be reported. */
    assert_int_equal(prepay_allocation_residual(0, subs, 1, -1, PREPAY_ALLOCATION_RESIDUAL_CLAMP, &out), PREPAY_E_OVERFLOW);

    prepay_money_t money = 3;
    /* 1 kWh at 0.58886875 = 58.886875 fen -> 59 half-up. */
    assert_int_equal(prepay_allocation_price_energy(1000, 58886875, PREPAY_ROUND_HALF_UP, &money), PREPAY_OK);
    assert_int_equal(money, 59);
    assert_int_equal(prepay_allocation_price_energy(1000, 58886875, PREPAY_ROUND_HALF_UP, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_allocation_price_energy(1000, 1, (prepay_rounding_t)77, &money), PREPAY_E_BAD_ROUNDING);
    assert_int_equal(prepay_allocation_price_energy(INT64_MAX, PREPAY_PRICE_MAX, PREPAY_ROUND_HALF_UP, &money),
                     PREPAY_E_OVERFLOW);
    assert_int_equal(money, 59);
    /* The library's one price check: a negative price (it would credit the tenants) and one above the maximum. */
    money = 7;
    assert_int_equal(prepay_allocation_price_energy(1000, -1, PREPAY_ROUND_HALF_UP, &money), PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(prepay_allocation_price_energy(1000, PREPAY_PRICE_MAX + 1, PREPAY_ROUND_HALF_UP, &money),
                     PREPAY_E_OUT_OF_RANGE);
    assert_int_equal(money, 7);
    assert_int_equal(prepay_allocation_price_energy(0, PREPAY_PRICE_MAX, PREPAY_ROUND_HALF_UP, &money), PREPAY_OK);
    assert_int_equal(money, 0);
}

static size_t parse_parts(const char *text, prepay_allocation_part_t *parts)
{
    size_t n = 0;
    const char *p = text;
    while (*p) {
        long long account, weight, days, vacant;
        int used = 0;
        if (sscanf(p, " %lld:%lld:%lld:%lld%n", &account, &weight, &days, &vacant, &used) != 4) {
            break;
        }
        parts[n].account_id = (uint64_t)account;
        parts[n].weight = weight;
        parts[n].occupied_days = (int32_t)days;
        parts[n].vacant = vacant != 0;
        n++;
        p += used;
    }
    return n;
}

static void test_participation_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("allocation_participation.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "allocate") != 0) {
            continue;
        }
        prepay_allocation_request_t request;
        memset(&request, 0, sizeof request);
        request.energy = parse_i64(tv_need(r, "energy"));
        request.money = parse_i64(tv_need(r, "money"));
        request.period_days = (int32_t)parse_i64(tv_need(r, "period_days"));
        request.vacancy = strcmp(tv_need(r, "vacancy"), "skip") == 0 ? PREPAY_ALLOCATION_VACANT_SKIP
                                                                     : PREPAY_ALLOCATION_VACANT_OWNER;
        request.owner_account_id = (uint64_t)parse_i64(tv_need(r, "owner"));
        request.owner_pays_unoccupied = parse_i64(tv_need(r, "owner_pays_unoccupied")) != 0;
        prepay_allocation_part_t parts[MAX_PARTS];
        size_t n = parse_parts(tv_need(r, "parts"), parts);
        prepay_allocation_line_t lines[2 * MAX_PARTS];
        size_t count = 0;
        /* Too small a buffer: the needed count is reported, nothing else written. */
        assert_int_equal(prepay_allocation_allocate(&request, parts, n, lines, n - 1, &count), PREPAY_E_BUFFER_TOO_SMALL);
        assert_true(count >= n);
        assert_int_equal(prepay_allocation_allocate(&request, parts, n, lines, 2 * MAX_PARTS, &count), PREPAY_OK);
        const char *p = tv_need(r, "lines");
        size_t k = 0;
        long long account, energy, money;
        int used = 0;
        while (sscanf(p, " %lld:%lld:%lld%n", &account, &energy, &money, &used) == 3) {
            assert_true(k < count);
            if (lines[k].account_id != (uint64_t)account || lines[k].energy != energy || lines[k].money != money) {
                fail_msg("line %d: output %zu = %llu:%lld:%lld, want %lld:%lld:%lld", r->line, k,
                         (unsigned long long)lines[k].account_id, (long long)lines[k].energy,
                         (long long)lines[k].money, account, energy, money);
            }
            k++;
            p += used;
        }
        assert_int_equal(k, count);
        checked++;
    }
    assert_true(checked >= 4);
    tv_free(&file);
}

static void test_allocate_errors(void **state)
{
    (void)state;
    prepay_allocation_request_t request = {1000, 500, 30, PREPAY_ALLOCATION_VACANT_SKIP, 9, false};
    prepay_allocation_part_t parts[2] = {{1, 100, 30, false}, {2, 100, 30, true}};
    prepay_allocation_line_t lines[4];
    memset(lines, 0x33, sizeof lines);
    prepay_allocation_line_t before[4];
    memcpy(before, lines, sizeof lines);
    size_t count = 77;
    assert_int_equal(prepay_allocation_allocate(NULL, parts, 2, lines, 4, &count), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_allocation_allocate(&request, parts, 0, lines, 4, &count), PREPAY_E_ALLOCATION_NO_PARTS);
    parts[0].occupied_days = 31;
    assert_int_equal(prepay_allocation_allocate(&request, parts, 2, lines, 4, &count), PREPAY_E_ALLOCATION_BAD_DAYS);
    parts[0].occupied_days = 0; /* only occupant absent all month, the other vacant and skipped */
    assert_int_equal(prepay_allocation_allocate(&request, parts, 2, lines, 4, &count), PREPAY_E_ALLOCATION_ZERO_WEIGHTS);
    parts[0].occupied_days = 30;
    parts[0].weight = -1;
    assert_int_equal(prepay_allocation_allocate(&request, parts, 2, lines, 4, &count), PREPAY_E_ALLOCATION_NEGATIVE_WEIGHT);
    parts[0].weight = INT64_MAX;
    assert_int_equal(prepay_allocation_allocate(&request, parts, 2, lines, 4, &count), PREPAY_E_OVERFLOW);
    parts[0].weight = 100;
    request.vacancy = (prepay_allocation_vacancy_t)5;
    assert_int_equal(prepay_allocation_allocate(&request, parts, 2, lines, 4, &count), PREPAY_E_ALLOCATION_BAD_POLICY);
    request.vacancy = PREPAY_ALLOCATION_VACANT_SKIP;
    request.period_days = -1;
    assert_int_equal(prepay_allocation_allocate(&request, parts, 2, lines, 4, &count), PREPAY_E_ALLOCATION_BAD_DAYS);
    assert_memory_equal(lines, before, sizeof lines);
    assert_int_equal(count, 77);
}

/* Random buildings: both columns sum exactly, the owner line rules hold. */
static void test_allocate_properties(void **state)
{
    (void)state;
    uint64_t rng = 42u;
    int ok = 0;
    for (int iteration = 0; iteration < 5000; iteration++) {
        prepay_allocation_request_t request;
        memset(&request, 0, sizeof request);
        request.energy = (int64_t)(prng_next(&rng) % 10000000u) - (iteration % 7 == 0 ? 5000000 : 0);
        request.money = (int64_t)(prng_next(&rng) % 100000000u);
        request.period_days = (int32_t)(prng_next(&rng) % 32u);
        request.vacancy = (prepay_allocation_vacancy_t)(prng_next(&rng) % 2u);
        request.owner_account_id = 999;
        request.owner_pays_unoccupied = (prng_next(&rng) & 1u) != 0;
        size_t n = 1 + (size_t)(prng_next(&rng) % MAX_PARTS);
        prepay_allocation_part_t parts[MAX_PARTS];
        for (size_t i = 0; i < n; i++) {
            parts[i].account_id = 1000 + i;
            parts[i].weight = (int64_t)(prng_next(&rng) % 20000u);
            parts[i].occupied_days =
                request.period_days ? (int32_t)(prng_next(&rng) % (uint64_t)(request.period_days + 1)) : 0;
            parts[i].vacant = prng_next(&rng) % 5u == 0;
        }
        prepay_allocation_line_t lines[2 * MAX_PARTS];
        size_t count = 0;
        int status = prepay_allocation_allocate(&request, parts, n, lines, 2 * MAX_PARTS, &count);
        if (status == PREPAY_E_ALLOCATION_ZERO_WEIGHTS) {
            continue;
        }
        assert_int_equal(status, PREPAY_OK);
        assert_true(count >= n && count <= 2 * n);
        int64_t energy = 0, money = 0;
        for (size_t k = 0; k < count; k++) {
            energy += lines[k].energy;
            money += lines[k].money;
            if (k < n) {
                assert_int_equal(lines[k].part_index, k);
                if (parts[k].vacant && request.vacancy == PREPAY_ALLOCATION_VACANT_SKIP) {
                    assert_int_equal(lines[k].money, 0);
                    assert_int_equal(lines[k].energy, 0);
                }
                if (parts[k].vacant && request.vacancy == PREPAY_ALLOCATION_VACANT_OWNER) {
                    assert_int_equal(lines[k].account_id, 999);
                }
            } else {
                assert_int_equal(lines[k].account_id, 999);
            }
        }
        assert_int_equal(energy, request.energy);
        assert_int_equal(money, request.money);
        ok++;
    }
    assert_true(ok > 3000);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_residual_vectors),
        cmocka_unit_test(test_residual_errors),
        cmocka_unit_test(test_participation_vectors),
        cmocka_unit_test(test_allocate_errors),
        cmocka_unit_test(test_allocate_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
