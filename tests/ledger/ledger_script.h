/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the ledger tests: a test ledger with heap storage,
 * name tables for codes and flags, and time parsing.
 */
#ifndef PREPAY_TEST_LEDGER_SCRIPT_H
#define PREPAY_TEST_LEDGER_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/civil_time.h"
#include "prepay/ledger.h"

typedef struct test_ledger {
    prepay_ledger_t ledger;
    prepay_ledger_memory_t memory;
    void *buffer; /* prepay_ledger_memory_size() bytes holding every array of memory */
    prepay_ledger_account_t *scratch;
} test_ledger_t;

/* Allocates storage (aborts on failure) and initialises the ledger. */
void test_ledger_open(test_ledger_t *t, uint32_t accounts, uint32_t transfers);
void test_ledger_close(test_ledger_t *t);
/* prepay_ledger_verify() with the test's scratch space. */
int test_ledger_verify(test_ledger_t *t);

/* Result / status name ("ok", "exists", "exceeds_credits", "capacity", ...) -> value; aborts if unknown. */
int test_ledger_result(const char *name);
/* Value -> name, for messages. */
const char *test_ledger_result_name(int value);
/* "recharge", "refund", ... or a number. */
uint16_t test_ledger_code(const char *name);
/* "linked|pending" etc.; "" or "none" = 0. */
uint16_t test_ledger_transfer_flags(const char *text);
/* "dmnec|cmned|closed". */
uint16_t test_ledger_account_flags(const char *text);
/* "wallet", "revenue", ... */
uint16_t test_ledger_account_kind(const char *name);
/* "2024-03-01 10:00:00" or "2024-03-01" or a plain integer of seconds. */
prepay_time_t test_time(const char *text);
/* "2024-03-01" -> day number. */
prepay_days_t test_day(const char *text);
int64_t test_i64(const char *text);

#endif
