/* SPDX-License-Identifier: MIT */
/* Shared helpers of the allocation tests: number lists and a deterministic PRNG. */
#ifndef ALLOC_TEST_UTIL_H
#define ALLOC_TEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Parses a space-separated list of int64 values ("-" = empty); aborts on bad text. */
static inline size_t parse_i64_list(const char *text, int64_t *out, size_t cap)
{
    size_t n = 0;
    if (strcmp(text, "-") == 0) {
        return 0;
    }
    const char *p = text;
    while (*p) {
        while (*p == ' ') {
            p++;
        }
        if (!*p) {
            break;
        }
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno != 0 || n >= cap) {
            abort();
        }
        out[n++] = (int64_t)v;
        p = end;
    }
    return n;
}

static inline int64_t parse_i64(const char *text)
{
    int64_t v[1] = {0};
    if (parse_i64_list(text, v, 1) != 1) {
        abort();
    }
    return v[0];
}

/* splitmix64: deterministic, seedable. */
static inline uint64_t prng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

#endif
