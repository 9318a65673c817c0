/* SPDX-License-Identifier: MIT */
/*
 * The transfer-id scheme: packing and unpacking, the ranges of the 64-bit
 * ledger key, and a property over 10^7 generated (kind, subject, period,
 * sequence) tuples including the extremes: every id unpacks to its tuple (so
 * the packing is injective), and no two ids or keys of distinct tuples are
 * equal (checked by sorting). PREPAY_SETTLEMENT_ID_SAMPLES overrides 10^7.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/settlement.h"

static void test_packing(void **state)
{
    (void)state;
    prepay_settlement_id_t id;
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_READING, 0xFFFFFFFFu, 0xFFFFFFFFu, 0, &id),
                     PREPAY_OK);
    assert_true(id.hi == 0xFFFFFFFFFFFFFFFFull);
    assert_true(id.lo == (uint64_t)PREPAY_SETTLEMENT_KIND_READING << 56);
    assert_int_equal(prepay_settlement_id_make(0, 1, 1, 0, &id), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(prepay_settlement_id_make(256, 1, 1, 0, &id), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(prepay_settlement_id_make(1, 1, 1, 1ull << 56, &id), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(prepay_settlement_id_make(255, 1, 1, (1ull << 56) - 1u, &id), PREPAY_OK);
    /* Ledger keys: the documented layout kind << 59 | subject << 32 | low */
    uint64_t key;
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_READING, 11, 0x12345678u, 0, &id), PREPAY_OK);
    assert_int_equal(prepay_settlement_ledger_key(&id, &key), PREPAY_OK);
    assert_true(key == ((1ull << 59) | (11ull << 32) | 0x12345678u));
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_CHARGE, 5, 3, 7, &id), PREPAY_OK);
    assert_int_equal(prepay_settlement_ledger_key(&id, &key), PREPAY_OK);
    assert_true(key == ((9ull << 59) | (5ull << 32) | (7u << 16) | 3u));
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_ALLOCATION, 5, 8797, 4095, &id), PREPAY_OK);
    assert_int_equal(prepay_settlement_ledger_key(&id, &key), PREPAY_OK);
    assert_true(key == ((7ull << 59) | (5ull << 32) | (4095u << 20) | 8797u));
    /* Out of the key's ranges: refused, never folded */
    const struct {
        unsigned kind;
        uint32_t subject, period;
        uint64_t sequence;
    } bad[] = {
        {PREPAY_SETTLEMENT_KIND_READING, 0, 1, 0},
        {PREPAY_SETTLEMENT_KIND_READING, PREPAY_SETTLEMENT_SUBJECT_MAX + 1u, 1, 0},
        {PREPAY_SETTLEMENT_KIND_READING, 1, 1, 1},
        {PREPAY_SETTLEMENT_KIND_CHARGE, 1, 1u << 16, 1},
        {PREPAY_SETTLEMENT_KIND_CHARGE, 1, 1, 1u << 16},
        {PREPAY_SETTLEMENT_KIND_CHARGE, 1, 1, 0},
        {PREPAY_SETTLEMENT_KIND_ALLOCATION, 1, 1u << 20, 1},
        {PREPAY_SETTLEMENT_KIND_ALLOCATION, 1, 1, 4096},
        {11, 1, 1, 0},
        {32, 1, 1, 0},
        {PREPAY_SETTLEMENT_KIND_EVENT + 1, 1, 1, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(prepay_settlement_id_make(bad[i].kind, bad[i].subject, bad[i].period, bad[i].sequence, &id),
                         PREPAY_OK);
        assert_int_equal(prepay_settlement_ledger_key(&id, &key), PREPAY_E_SETTLEMENT_ID_RANGE);
    }
    assert_int_equal(prepay_settlement_ledger_key_split(0, &id), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_int_equal(prepay_settlement_ledger_key_split(1ull << 59, &id), PREPAY_E_SETTLEMENT_ID_RANGE);
    assert_true(prepay_settlement_ledger_account_id(7, PREPAY_SETTLEMENT_ROLE_DEBT) == 0x702u);
    assert_true(prepay_settlement_ledger_account_id(7, 0) == 0u);
    assert_string_equal(prepay_settlement_event_name(PREPAY_SETTLEMENT_EVENT_CUTOFF), "cutoff");
    assert_string_equal(prepay_settlement_event_name(999), "unknown");
}

typedef struct tuple {
    prepay_settlement_id_t id;
    uint64_t key; /* 0: no ledger key */
} tuple_t;

static uint64_t rng = 0x853C49E6748FEA9Bull;
static uint64_t next64(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

/* A value of `bits` bits, often an extreme (0, 1, max - 1, max). */
static uint64_t pick(unsigned bits)
{
    uint64_t max = bits >= 64 ? UINT64_MAX : (1ull << bits) - 1u;
    switch (next64() % 8u) {
    case 0: return 0;
    case 1: return 1;
    case 2: return max - 1u;
    case 3: return max;
    default: return next64() & max;
    }
}

static int compare_ids(const void *a, const void *b)
{
    const prepay_settlement_id_t *x = a, *y = b;
    if (x->hi != y->hi) {
        return x->hi < y->hi ? -1 : 1;
    }
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int compare_keys(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t distinct_count(prepay_settlement_id_t *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_ids);
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || compare_ids(&v[i], &v[i - 1]) != 0) {
            d++;
        }
    }
    return d;
}

static void test_property(void **state)
{
    (void)state;
    size_t samples = 10000000;
    const char *env = getenv("PREPAY_SETTLEMENT_ID_SAMPLES");
    if (env) {
        samples = (size_t)strtoull(env, NULL, 10);
    }
    prepay_settlement_id_t *ids = malloc(samples * sizeof *ids);
    prepay_settlement_id_t *tuples = malloc(samples * sizeof *tuples); /* another packing of the same tuple */
    prepay_settlement_id_t *keyed = malloc(samples * sizeof *keyed);   /* tuples that have a ledger key */
    uint64_t *keys = malloc(samples * sizeof *keys);
    assert_non_null(ids);
    assert_non_null(tuples);
    assert_non_null(keyed);
    assert_non_null(keys);
    size_t key_count = 0;
    for (size_t i = 0; i < samples; i++) {
        unsigned kind = (unsigned)(1u + next64() % 255u);
        if (i % 2u == 0u) {
            kind = (unsigned)(1u + next64() % 10u); /* half of them transfer kinds */
        }
        uint32_t subject = (uint32_t)pick(32);
        uint32_t period = (uint32_t)pick(32);
        uint64_t sequence = pick(56);
        if (kind <= PREPAY_SETTLEMENT_KIND_CHARGE_DEBT && i % 4u == 0u) {
            /* In the ledger key's ranges, to exercise the key too. */
            subject = (uint32_t)(1u + pick(27) % PREPAY_SETTLEMENT_SUBJECT_MAX);
            if (kind == PREPAY_SETTLEMENT_KIND_CHARGE || kind == PREPAY_SETTLEMENT_KIND_CHARGE_DEBT) {
                period = (uint32_t)pick(16);
                sequence = 1u + pick(16) % 65535u;
            } else if (kind == PREPAY_SETTLEMENT_KIND_ALLOCATION || kind == PREPAY_SETTLEMENT_KIND_ALLOCATION_DEBT) {
                period = (uint32_t)pick(20);
                sequence = 1u + pick(12) % 4095u;
            } else {
                sequence = 0;
            }
        }
        prepay_settlement_id_t *id = &ids[i];
        tuples[i].hi = sequence << 8 | kind;
        tuples[i].lo = (uint64_t)period << 32 | subject;
        assert_int_equal(prepay_settlement_id_make(kind, subject, period, sequence, id), PREPAY_OK);
        unsigned k2;
        uint32_t s2, p2;
        uint64_t q2;
        prepay_settlement_id_split(id, &k2, &s2, &p2, &q2);
        if (k2 != kind || s2 != subject || p2 != period || q2 != sequence) {
            fail_msg("id %zu does not unpack to its tuple", i);
        }
        uint64_t key;
        if (prepay_settlement_ledger_key(id, &key) == PREPAY_OK) {
            prepay_settlement_id_t back;
            assert_int_equal(prepay_settlement_ledger_key_split(key, &back), PREPAY_OK);
            if (back.hi != id->hi || back.lo != id->lo) {
                fail_msg("key %zu does not unpack to its id", i);
            }
            keyed[key_count] = tuples[i];
            keys[key_count++] = key;
        }
    }
    /* Distinct tuples (counted in another packing) must give as many distinct ids and keys. */
    size_t tuple_count = distinct_count(tuples, samples);
    size_t id_count = distinct_count(ids, samples);
    size_t keyed_count = distinct_count(keyed, key_count);
    qsort(keys, key_count, sizeof *keys, compare_keys);
    size_t key_distinct = 0;
    for (size_t i = 0; i < key_count; i++) {
        if (i == 0 || keys[i] != keys[i - 1]) {
            key_distinct++;
        }
    }
    print_message("ids: %zu generated, %zu distinct tuples, %zu distinct ids; %zu keyed tuples, %zu distinct keys\n",
                  samples, tuple_count, id_count, keyed_count, key_distinct);
    assert_int_equal(id_count, tuple_count);
    assert_int_equal(key_distinct, keyed_count);
    assert_true(tuple_count > samples / 2);
    free(tuples);
    free(keyed);
    free(ids);
    free(keys);
}

/* The extremes the issue names: 2^32 meters x 2^32 periods, every corner, distinct. */
static void test_extremes(void **state)
{
    (void)state;
    const uint32_t values[] = {0, 1, 2, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
    enum { N = sizeof values / sizeof values[0] };
    prepay_settlement_id_t ids[2 * N * N];
    size_t n = 0;
    for (size_t s = 0; s < N; s++) {
        for (size_t p = 0; p < N; p++) {
            for (unsigned k = PREPAY_SETTLEMENT_KIND_READING; k <= PREPAY_SETTLEMENT_KIND_READING_DEBT; k++) {
                assert_int_equal(prepay_settlement_id_make(k, values[s], values[p], 0, &ids[n++]), PREPAY_OK);
            }
        }
    }
    qsort(ids, n, sizeof ids[0], compare_ids);
    for (size_t i = 1; i < n; i++) {
        assert_int_not_equal(compare_ids(&ids[i], &ids[i - 1]), 0);
    }
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_packing),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
