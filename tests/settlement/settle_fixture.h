/* SPDX-License-Identifier: MIT */
/*
 * Test fixture for the settlement module: a site on heap memory, a ledger,
 * work areas, and an event log filled by the sink.
 */
#ifndef PREPAY_SETTLE_FIXTURE_H
#define PREPAY_SETTLE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/settlement.h"
#include "prepay/settlement_hosted.h"

#define FX_TARIFFS 8
#define FX_POLICIES 4
#define FX_ITEMS 4
#define FX_STATEMENTS 64

typedef struct fx_statement {
    uint64_t id;
    uint64_t account_id;
    prepay_money_t opening, charges, payments, closing;
    prepay_money_t totals[PREPAY_BILLING_LINE_KINDS];
    size_t lines;
} fx_statement_t;

typedef struct fx {
    prepay_tariff_t tariff[FX_TARIFFS];
    prepay_settlement_tariff_t tariffs[FX_TARIFFS];
    prepay_wallet_policy_t policies[FX_POLICIES];
    prepay_charge_item_t items[FX_ITEMS];
    prepay_settlement_config_t config;
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    prepay_ledger_t ledger;
    prepay_ledger_memory_t ledger_memory;
    prepay_settlement_books_t books;
    prepay_settlement_work_t work;
    prepay_settlement_work_t close;
    bool has_work;
    prepay_settlement_event_t *log;
    size_t log_count, log_cap;
    fx_statement_t statements[FX_STATEMENTS];
    size_t statement_count;
} fx_t;

/* Ledger on the heap (account and transfer capacities). */
void fx_ledger_init(prepay_ledger_t *ledger, prepay_ledger_memory_t *memory, uint32_t accounts, uint32_t transfers);
void fx_ledger_free(prepay_ledger_memory_t *memory);

/* A flat electricity (or water) tariff at `price` (1e-8 per kWh / m3). */
void fx_flat(prepay_tariff_t *t, prepay_price_t price, bool water);

/* Zeroes fx, sets tariff 0 to a flat 0.50 yuan/kWh, policy 0 to the default,
 * the first period to 2024-01-01 .. 2024-02-01. */
void fx_defaults(fx_t *fx);

/* Allocates memory and initialises the site from fx->config (asserts success). */
void fx_start(fx_t *fx, uint32_t accounts, uint32_t meters, uint32_t groups, uint32_t members, uint32_t postpaid);

/* Opens the books on a new in-memory ledger and allocates work areas (asserts). */
void fx_open(fx_t *fx, uint32_t readings_per_call);

void fx_free(fx_t *fx);

/* Adds an account / meter with defaults (asserts success). */
void fx_account(fx_t *fx, uint32_t id, uint8_t kind);
void fx_meter(fx_t *fx, uint32_t id, uint32_t account_id);

/* Settles one reading; returns the status, outcome in *outcome if not NULL. */
int fx_read(fx_t *fx, uint32_t meter, prepay_time_t t, prepay_energy_t wh, int8_t *outcome);
int fx_recharge(fx_t *fx, uint32_t account, uint32_t sequence, prepay_money_t amount, prepay_time_t t);

/* Time of a civil date-time. */
prepay_time_t fx_time(int year, unsigned month, unsigned day, unsigned hour, unsigned minute);

/* Number of logged events of a type (for an account, 0 = any). */
size_t fx_events(const fx_t *fx, unsigned type, uint32_t account);

/* The site's balance of an account, and the ledger's. */
prepay_money_t fx_balance(const fx_t *fx, uint32_t account);
prepay_money_t fx_ledger_balance(const fx_t *fx, uint64_t ledger_account);

/* Ledger verify + settlement verify (asserts). */
void fx_verify(fx_t *fx);

#endif
