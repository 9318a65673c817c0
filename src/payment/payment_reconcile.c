/* SPDX-License-Identifier: MIT */
/*
 * Reconciliation of a channel's settlement statement against the ledger's
 * orders: matched, missing in the ledger, missing in the statement, amount
 * differs (docs/payment.md, "Reconciliation").
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/ledger.h"
#include "prepay/payment.h"

const char *prepay_payment_match_name(unsigned match)
{
    switch (match) {
    case PREPAY_PAYMENT_MATCHED: return "matched";
    case PREPAY_PAYMENT_MISSING_IN_LEDGER: return "missing_in_ledger";
    case PREPAY_PAYMENT_MISSING_IN_STATEMENT: return "missing_in_statement";
    case PREPAY_PAYMENT_AMOUNT_DIFFERS: return "amount_differs";
    default: return "unknown";
    }
}

static void report(prepay_payment_reconcile_fn line_fn, void *context, prepay_payment_reconcile_summary_t *summary,
                   const prepay_payment_reconcile_line_t *line)
{
    switch (line->match) {
    case PREPAY_PAYMENT_MATCHED:
        summary->matched++;
        summary->matched_amount += line->ledger_amount;
        break;
    case PREPAY_PAYMENT_MISSING_IN_LEDGER:
        summary->missing_in_ledger++;
        break;
    case PREPAY_PAYMENT_MISSING_IN_STATEMENT:
        summary->missing_in_statement++;
        break;
    default:
        summary->amount_differs++;
        break;
    }
    if (line_fn != NULL) {
        line_fn(context, line);
    }
}

static bool named_paid(const prepay_payment_statement_record_t *records, size_t count, uint64_t order_id)
{
    for (size_t i = 0; i < count; i++) {
        if (records[i].order_id == order_id && records[i].status == PREPAY_PAYMENT_STATEMENT_PAID) {
            return true;
        }
    }
    return false;
}

int prepay_payment_reconcile(const prepay_ledger_t *ledger, const prepay_payment_statement_record_t *records,
                             size_t count, prepay_time_t from, prepay_time_t to, prepay_payment_reconcile_fn line_fn,
                             void *context, prepay_payment_reconcile_summary_t *summary)
{
    if (ledger == NULL || summary == NULL || (records == NULL && count > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Refuse a bad statement before reporting anything. */
    for (size_t i = 0; i < count; i++) {
        if (records[i].amount <= 0 || (records[i].status != PREPAY_PAYMENT_STATEMENT_PAID &&
                                        records[i].status != PREPAY_PAYMENT_STATEMENT_REFUNDED)) {
            return PREPAY_E_PAYMENT_STATEMENT;
        }
    }
    memset(summary, 0, sizeof *summary);
    for (size_t i = 0; i < count; i++) {
        const prepay_payment_statement_record_t *r = &records[i];
        if (r->status == PREPAY_PAYMENT_STATEMENT_REFUNDED) {
            summary->refunded++;
            continue;
        }
        prepay_payment_reconcile_line_t line;
        memset(&line, 0, sizeof line);
        line.order_id = r->order_id;
        line.statement_amount = r->amount;
        prepay_payment_info_t order;
        if (prepay_payment_lookup(ledger, r->order_id, &order) == PREPAY_OK) {
            line.ledger_state = order.state;
        }
        if (line.ledger_state != PREPAY_PAYMENT_PAID) {
            line.match = PREPAY_PAYMENT_MISSING_IN_LEDGER;
        } else {
            line.ledger_amount = order.amount;
            line.match = order.amount == r->amount ? PREPAY_PAYMENT_MATCHED : PREPAY_PAYMENT_AMOUNT_DIFFERS;
        }
        report(line_fn, context, summary, &line);
    }
    /* Orders of the period the ledger credited and the statement does not list as paid. */
    uint32_t transfers = prepay_ledger_transfer_count(ledger);
    for (uint32_t i = 0; i < transfers; i++) {
        const prepay_ledger_entry_t *entry = prepay_ledger_entry_at(ledger, i);
        if (entry == NULL || entry->state != PREPAY_LEDGER_STATE_POSTED || entry->transfer.timestamp < from ||
            entry->transfer.timestamp >= to) {
            continue;
        }
        prepay_payment_info_t order;
        if (prepay_payment_lookup(ledger, entry->transfer.id, &order) != PREPAY_OK ||
            named_paid(records, count, order.order_id)) {
            continue;
        }
        prepay_payment_reconcile_line_t line;
        memset(&line, 0, sizeof line);
        line.order_id = order.order_id;
        line.ledger_amount = order.amount;
        line.ledger_state = order.state;
        line.match = PREPAY_PAYMENT_MISSING_IN_STATEMENT;
        report(line_fn, context, summary, &line);
    }
    return PREPAY_OK;
}
