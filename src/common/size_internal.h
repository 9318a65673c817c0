/* SPDX-License-Identifier: MIT */
/*
 * Internal: code-size controls shared by the modules (never installed).
 */
#ifndef PREPAY_SIZE_INTERNAL_H
#define PREPAY_SIZE_INTERNAL_H

/* PREPAY__ONE_COPY on a static helper with several callers: size builds (-Os, the firmware
 * profile) keep one out-of-line copy of it where GCC would inline it into each caller. Speed
 * builds leave the choice to the compiler, so the server paths are the same code as without it. */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__OPTIMIZE_SIZE__)
#define PREPAY__ONE_COPY __attribute__((noinline))
#else
#define PREPAY__ONE_COPY
#endif

#endif /* PREPAY_SIZE_INTERNAL_H */
