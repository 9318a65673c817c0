/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the payments file of `prepay settle` (tools/prepay/settle_payments.h):
 * orders, notifies, refunds and sales as CSV through the tools' CSV reader.
 *
 * Invariants:
 * - no crash, no leak, no out-of-bounds access (sanitizers);
 * - a refusal carries a one-line message and keeps nothing;
 * - what is accepted is sorted by time, then line, with every field in its range.
 */
#include <stdlib.h>
#include <string.h>

#include "settle_payments.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    settle_payment_t *list = NULL;
    size_t count = 0;
    char err[512];
    int status = settle_payments_parse((const char *)data, size, "payments.csv", &list, &count, err, sizeof err);
    if (status != PREPAY_OK) {
        if (list != NULL || count != 0 || err[0] == '\0' || strchr(err, '\n') != NULL) {
            abort();
        }
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        const settle_payment_t *p = &list[i];
        if (p->type < PAY_ORDER || p->type > PAY_SALE || p->account == 0 || p->number == 0 || p->amount <= 0 ||
            (p->type == PAY_NOTIFY && (p->status < PREPAY_PAYMENT_CHANNEL_PAID ||
                                       p->status > PREPAY_PAYMENT_CHANNEL_WAITING)) ||
            (p->type == PAY_SALE && p->commodity >= PREPAY_SETTLEMENT_COMMODITIES)) {
            abort();
        }
        if (i > 0 && (list[i - 1].time > p->time || (list[i - 1].time == p->time && list[i - 1].line > p->line))) {
            abort();
        }
    }
    free(list);
    return 0;
}
