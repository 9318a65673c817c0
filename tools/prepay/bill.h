/* SPDX-License-Identifier: MIT */
/*
 * prepay bill, input and run (hosted): one billing month of a site read
 * from its JSON description (docs/allocation-billing.md, "prepay bill")
 * and computed — common-area residual, pricing and split, charge items,
 * postpaid statements, arrears — with nothing printed, so that the loader
 * and the run can be fuzzed and benchmarked. cmd_bill.c prints the results.
 *
 * Memory and time are linear in accounts and lines: accounts are found
 * through a hash index (duplicate ids refused as it is built), each
 * statement gets exactly the lines of its own account (counted first),
 * the charge run gets the accounts in increasing id order (the library's
 * linear path) and the arrears are aged one account at a time.
 */
#ifndef PREPAY_TOOL_BILL_H
#define PREPAY_TOOL_BILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "prepay/allocation.h"
#include "prepay/billing.h"

/* Largest input file `prepay bill` reads. */
#define BILL_INPUT_MAX (1024u * 1024u * 1024u)

/* How the common area is split (docs/allocation-billing.md). */
typedef enum bill_basis { BILL_BASIS_AREA = 0, BILL_BASIS_EQUAL, BILL_BASIS_USAGE, BILL_BASIS_RATIO } bill_basis_t;

typedef struct bill_account {
    uint64_t id;
    int64_t area;   /* 0.01 m2 */
    int64_t units;
    int64_t ratio;
    prepay_energy_t sub_meter;
    prepay_days_t occupied_from, occupied_to;
    bool vacant;
    bool postpaid;
    prepay_money_t opening;
} bill_account_t;

typedef struct bill_energy_line {
    size_t account; /* index into accounts */
    uint8_t band, tier;
    prepay_energy_t wh;
    prepay_money_t amount;
} bill_energy_line_t;

typedef struct bill_payment {
    size_t account; /* index into accounts */
    uint64_t id;
    prepay_days_t date;
    prepay_money_t amount;
} bill_payment_t;

/* Hash index: account id -> index (open addressing, power-of-two slots). */
typedef struct bill_index {
    uint64_t *keys; /* 0 = empty (ids are >= 1) */
    size_t *values;
    size_t mask;
} bill_index_t;

typedef struct bill {
    /* input */
    prepay_days_t start, end, issue_date, due_date, as_of;
    prepay_energy_t master;
    prepay_energy_t carried_in;
    prepay_allocation_residual_policy_t residual_policy;
    bool have_price;
    prepay_price_t price;
    prepay_money_t charge;
    bill_basis_t basis;
    prepay_allocation_vacancy_t vacancy;
    uint64_t owner;
    bool owner_pays_unoccupied;
    bool by_days;
    bill_account_t *accounts;
    size_t account_count;
    bill_index_t index;
    prepay_charge_item_t *items;
    size_t item_count;
    json_t *root; /* the parsed input (item names point into it) */
    bill_energy_line_t *energy;
    size_t energy_count;
    bill_payment_t *payments;
    size_t payment_count;
    prepay_arrears_item_t *old_arrears;
    size_t old_arrears_count;
    /* results */
    prepay_allocation_residual_t residual;
    prepay_money_t common_money;
    prepay_allocation_line_t *lines;
    size_t line_count;
    prepay_charge_t *charges;
    size_t charge_count;
    prepay_statement_t *statements;
    prepay_statement_line_t *statement_lines;
    size_t statement_count;
    size_t statement_line_total; /* lines allocated for all statements */
    prepay_arrears_row_t *rows;
    size_t row_count;
    int status; /* the libprepay status behind error */
    char error[512];
} bill_t;

/* The account-id index: init sizes it for `count` ids; put refuses a repeated id. */
bool bill_index_init(bill_index_t *index, size_t count);
bool bill_index_put(bill_index_t *index, uint64_t id, size_t value);
/* The value of an id (ids are >= 1), or SIZE_MAX. */
size_t bill_index_get(const bill_index_t *index, uint64_t id);
void bill_index_free(bill_index_t *index);

/* Records the first error message and its status (later ones are dropped); returns false. */
bool bill_fail(bill_t *bill, int status, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Reads the JSON text into *bill (zeroed first) through the one hosted JSON
 * reader; every value is checked. `origin` names the text in messages.
 * Returns 0, or -1 with a one-line message in bill->error ("origin: $.path:
 * problem") and bill->status. */
int bill_parse(const char *text, size_t len, const char *origin, bill_t *bill);
/* Computes the month. Returns 0, or -1 with bill->error and bill->status set. */
int bill_run(bill_t *bill);
/* Frees what parse and run allocated. */
void bill_free(bill_t *bill);

#endif
