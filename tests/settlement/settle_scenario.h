/* SPDX-License-Identifier: MIT */
/*
 * A deterministic settlement scenario as a list of inputs (reading batches,
 * recharges, period closes) over a small building: remote, local and
 * postpaid rooms, a tenant who never pays, a household with two meters, a
 * master meter, rooms that pay well ahead; now and then a refund, and at the
 * end a top-up and a refund for every paying room. Shared by the crash test, the fault-injection flow, the fuzz
 * target and the benchmark. Plain C (no test framework).
 */
#ifndef PREPAY_SETTLE_SCENARIO_H
#define PREPAY_SETTLE_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/settlement.h"
#include "prepay/settlement_hosted.h"

enum { SCN_BATCH = 1, SCN_RECHARGE = 2, SCN_CLOSE = 3, SCN_REFUND = 4 };

typedef struct scn_op {
    int kind;
    size_t first, count;                  /* SCN_BATCH: readings[first .. first + count) */
    prepay_settlement_recharge_t recharge; /* SCN_RECHARGE; SCN_REFUND: account, amount asked, order, time */
    prepay_time_t next_end;               /* SCN_CLOSE */
} scn_op_t;

typedef struct scn {
    prepay_tariff_t tariff[2];
    prepay_settlement_tariff_t tariffs[2];
    prepay_wallet_policy_t policy;
    prepay_charge_item_t item;
    prepay_settlement_config_t config;
    uint32_t rooms;          /* accounts 1..rooms; meter 10 r (+ 10 r + 1 for households); master 9 */
    uint32_t meters;
    scn_op_t *ops;
    size_t op_count;
    prepay_settlement_reading_t *readings;
    size_t reading_count;
} scn_t;

/* Builds the inputs: `rooms` rooms read every `step` seconds for `days` days from 2024-01-01,
 * recharges by rule, a close at every month start. Returns 0, or -1 out of memory. */
int scn_make(scn_t *s, uint64_t seed, uint32_t rooms, uint32_t days, int64_t step);
void scn_free(scn_t *s);

/* Allocates the site memory and builds the site (config, accounts, meters, group). Returns a status. */
int scn_site(scn_t *s, prepay_settlement_memory_t *memory, prepay_settlement_site_t *site);

/* Ledger capacities the scenario needs. */
void scn_ledger_sizes(const scn_t *s, uint32_t *accounts, uint32_t *transfers);

/* Runs input i. */
int scn_run(const scn_t *s, size_t i, prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
            prepay_settlement_work_t *work, prepay_settlement_work_t *close, prepay_settlement_result_t *result);

/* A digest of the books: FNV-1a over every ledger account's id and balances, and the transfer count
 * folded in; equal books give equal digests. */
uint64_t scn_books_digest(const prepay_ledger_t *ledger);

#endif
