/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the `prepay bill` input loader (bill_parse) and, for what it
 * accepts, the month (bill_run): residual, pricing, allocation, charge run,
 * statements and arrears (tools/prepay/bill.h).
 *
 * Invariants:
 * - no crash, no leak, no out-of-bounds access (sanitizers);
 * - a refusal carries a message;
 * - an accepted month is consistent: one statement per postpaid account at
 *   most, the statements' lines fit what was allocated for them, each
 *   statement balances (opening + charges - payments = closing), the
 *   allocation's money adds up to the common charge whenever it was split,
 *   and the arrears have at most one row per account with a positive total.
 */
#include <stdlib.h>

#include "bill.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bill_t bill;
    if (bill_parse((const char *)data, size, "fuzz", &bill) != 0) {
        if (bill.error[0] == '\0') {
            abort();
        }
        bill_free(&bill);
        return 0;
    }
    if (bill_run(&bill) != 0) {
        if (bill.error[0] == '\0') {
            abort();
        }
        bill_free(&bill);
        return 0;
    }
    size_t postpaid = 0, lines = 0;
    for (size_t i = 0; i < bill.account_count; i++) {
        postpaid += bill.accounts[i].postpaid;
    }
    if (bill.statement_count != postpaid) {
        abort();
    }
    for (size_t i = 0; i < bill.statement_count; i++) {
        const prepay_statement_t *st = &bill.statements[i];
        lines += st->line_count;
        prepay_money_t closing;
        if (prepay_i64_add(st->opening, st->charges, &closing) != PREPAY_OK ||
            prepay_i64_sub(closing, st->payments, &closing) != PREPAY_OK || closing != st->closing) {
            abort();
        }
    }
    if (lines > bill.statement_line_total) {
        abort();
    }
    if (bill.residual.common != 0 || bill.common_money != 0) {
        prepay_money_t sum = 0;
        for (size_t i = 0; i < bill.line_count; i++) {
            sum += bill.lines[i].money;
        }
        if (sum != bill.common_money) {
            abort();
        }
    }
    for (size_t i = 0; i < bill.row_count; i++) {
        if (bill.rows[i].total <= 0) {
            abort();
        }
        for (size_t k = 0; k < i; k++) {
            if (bill.rows[k].account_id == bill.rows[i].account_id) {
                abort();
            }
        }
    }
    bill_free(&bill);
    return 0;
}
