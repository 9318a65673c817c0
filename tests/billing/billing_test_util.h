/* SPDX-License-Identifier: MIT */
/* Shared helpers of the billing tests: dates, enums by name, a PRNG, a set of ids. */
#ifndef BILLING_TEST_UTIL_H
#define BILLING_TEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/billing.h"
#include "prepay/civil_time.h"

static inline prepay_days_t day_of(const char *text)
{
    int y, m, d;
    prepay_days_t out;
    if (sscanf(text, "%d-%d-%d", &y, &m, &d) != 3 ||
        prepay_time_days_from_date(y, (unsigned)m, (unsigned)d, &out) != 0) {
        fprintf(stderr, "bad date %s\n", text);
        abort();
    }
    return out;
}

static inline int64_t num(const char *text)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || errno != 0) {
        fprintf(stderr, "bad number %s\n", text);
        abort();
    }
    return (int64_t)v;
}

static inline prepay_charge_basis_t basis_of(const char *s)
{
    return strcmp(s, "per_area") == 0 ? PREPAY_BILLING_PER_AREA
         : strcmp(s, "per_unit") == 0 ? PREPAY_BILLING_PER_UNIT
                                      : PREPAY_BILLING_FIXED;
}

static inline prepay_charge_schedule_t schedule_of(const char *s)
{
    return strcmp(s, "monthly") == 0     ? PREPAY_BILLING_MONTHLY
         : strcmp(s, "quarterly") == 0 ? PREPAY_BILLING_QUARTERLY
         : strcmp(s, "yearly") == 0    ? PREPAY_BILLING_YEARLY
                                       : PREPAY_BILLING_ONCE;
}

static inline uint64_t prng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A tiny "ledger": the set of charge ids already posted. */
#define ID_SET_CAP 4096
typedef struct id_set {
    size_t count;
    uint64_t ids[ID_SET_CAP];
} id_set_t;

static inline int id_set_lookup(void *context, uint64_t id)
{
    const id_set_t *set = (const id_set_t *)context;
    for (size_t i = 0; i < set->count; i++) {
        if (set->ids[i] == id) {
            return 1;
        }
    }
    return 0;
}

/* Posts a charge id; returns 0 if new, 1 if it was a duplicate (rejected). */
static inline int id_set_post(id_set_t *set, uint64_t id)
{
    if (id_set_lookup(set, id)) {
        return 1;
    }
    if (set->count >= ID_SET_CAP) {
        abort();
    }
    set->ids[set->count++] = id;
    return 0;
}

#endif
