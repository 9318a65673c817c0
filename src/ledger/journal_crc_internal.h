/* SPDX-License-Identifier: MIT */
/*
 * Internal: the two ways journal_crc.c computes CRC-32C, so that the tests
 * can compare both with a bitwise CRC on a machine that has the instruction.
 */
#ifndef PREPAY_JOURNAL_CRC_INTERNAL_H
#define PREPAY_JOURNAL_CRC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The SSE4.2 path: x86-64, a compiler with target attributes and a cpu model. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(PREPAY_JOURNAL_CRC_PORTABLE)
#define PREPAY__JOURNAL_CRC_HARDWARE 1
#else
#define PREPAY__JOURNAL_CRC_HARDWARE 0
#endif

/* CRC-32C by the tables (every machine). */
uint32_t prepay__journal_crc32c_tables(uint32_t crc, const uint8_t *data, size_t length);

#if PREPAY__JOURNAL_CRC_HARDWARE
/* True if this processor has SSE4.2. */
bool prepay__journal_crc32c_hardware(void);
/* CRC-32C by the crc32 instruction: call only when prepay__journal_crc32c_hardware(). */
uint32_t prepay__journal_crc32c_sse42(uint32_t crc, const uint8_t *data, size_t length);
#endif

#endif
