/* SPDX-License-Identifier: MIT */
/*
 * Internal: code-size controls shared by the modules (never installed).
 */
#ifndef PREPAY_SIZE_INTERNAL_H
#define PREPAY_SIZE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* PREPAY__ONE_COPY on a static helper with several callers: size builds (-Os, the firmware
 * profile) keep one out-of-line copy of it where GCC would inline it into each caller. Speed
 * builds leave the choice to the compiler, so the server paths are the same code as without it. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE_SIZE__)
#define PREPAY__ONE_COPY __attribute__((noinline))
#else
#define PREPAY__ONE_COPY
#endif

/* prepay__move(): memmove() for the few overlapping copies of the meter's path (a frame's data, the
 * rings of freezes and monthly statistics, at most a few hundred bytes, once a minute or a frame).
 * Size builds copy byte by byte here instead of linking the C library's memmove (254 bytes on a
 * Cortex-M4, which the meter used for nothing else); speed builds call memmove(). */
#ifndef PREPAY__SMALL_MOVE
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE_SIZE__)
#define PREPAY__SMALL_MOVE 1
#else
#define PREPAY__SMALL_MOVE 0
#endif
#endif

static inline void prepay__move(void *dst, const void *src, size_t n)
{
#if PREPAY__SMALL_MOVE
    unsigned char *d = (unsigned char *)dst;
    const unsigned char *s = (const unsigned char *)src;
    /* Addresses compared as integers (two objects need not be ordered in C): forward when the
     * destination is below the source, else backward, so that overlap reads each byte first. */
    if ((uintptr_t)d < (uintptr_t)s) {
        for (size_t i = 0; i < n; i++) {
            d[i] = s[i];
        }
    } else {
        while (n > 0) {
            n--;
            d[n] = s[n];
        }
    }
#else
    memmove(dst, src, n);
#endif
}

#endif /* PREPAY_SIZE_INTERNAL_H */
