/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: charge-item cycle runs (prepay_billing_run) and statements
 * (prepay_billing_statement_*) over arbitrary items, accounts, periods and
 * lines. Invariants checked on every input:
 * - a run either succeeds or returns a documented error, and writes nothing
 *   on a validation error;
 * - every charge is due inside the run, covers a non-empty part of its
 *   period, carries the packed id of (account, item, occurrence), and ids
 *   are unique;
 * - a repeated run with an "already charged" lookup returns nothing;
 * - statements keep closing = opening + charges - payments, and an issued
 *   statement verifies.
 * Input layout: 4 bytes run start offset, 1 byte run length, 1 byte counts,
 * then 24 bytes per item and 12 bytes per account, then statement lines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/billing.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ITEMS 6
#define MAX_ACCOUNTS 6
#define CAP 512

static uint32_t u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct seen {
    size_t count;
    const prepay_charge_t *charges;
} seen_t;

static int lookup(void *context, uint64_t id)
{
    const seen_t *s = (const seen_t *)context;
    for (size_t i = 0; i < s->count; i++) {
        if (s->charges[i].charge_id == id) {
            return 1;
        }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6) {
        return 0;
    }
    const prepay_days_t base = 9497; /* 2026-01-01 */
    prepay_days_t start = base + (prepay_days_t)(u32(data) % 4000u) - 2000;
    prepay_days_t end = start + (prepay_days_t)data[4] * 3 - 10; /* may be empty or reversed */
    size_t item_count = (size_t)(data[5] & 7u) % (MAX_ITEMS + 1);
    size_t account_count = (size_t)(data[5] >> 4) % (MAX_ACCOUNTS + 1);
    size_t at = 6;
    prepay_charge_item_t items[MAX_ITEMS];
    prepay_billing_account_t accounts[MAX_ACCOUNTS];
    memset(items, 0, sizeof items);
    memset(accounts, 0, sizeof accounts);
    for (size_t i = 0; i < item_count; i++) {
        if (at + 24 > size) {
            return 0;
        }
        const uint8_t *p = data + at;
        items[i].item_id = (uint16_t)(p[0] % 8u); /* 0 and repeats are errors */
        items[i].name = "item";
        items[i].account_id = p[1] % 4u == 0 ? (uint64_t)(p[1] % 8u) : 0;
        items[i].basis = (prepay_charge_basis_t)(p[2] % 4u);
        items[i].schedule = (prepay_charge_schedule_t)(p[3] % 5u);
        items[i].proration = (prepay_charge_proration_t)(p[4] % 3u);
        items[i].collection = (prepay_charge_collection_t)(p[5] % 3u);
        int32_t rate32;
        uint32_t raw = u32(p + 6);
        memcpy(&rate32, &raw, sizeof rate32);
        items[i].rate = p[10] == 0xFF ? INT64_MAX - (int64_t)p[11] : (int64_t)rate32;
        items[i].anchor = base + (prepay_days_t)(u32(p + 12) % 6000u) - 3000;
        items[i].effective_from = base + (prepay_days_t)(u32(p + 16) % 6000u) - 3000;
        items[i].effective_to = items[i].effective_from + (prepay_days_t)(u32(p + 20) % 3000u) - 5;
        at += 24;
    }
    for (size_t a = 0; a < account_count; a++) {
        if (at + 12 > size) {
            return 0;
        }
        const uint8_t *p = data + at;
        accounts[a].account_id = p[0] % 9u; /* 0 and repeats are errors */
        accounts[a].area = (int64_t)(u32(p + 1) % 200000u) - (p[5] == 0xFF ? 1 : 0);
        accounts[a].units = (int64_t)(p[6] % 5u);
        accounts[a].active_from = base + (prepay_days_t)(u32(p + 7) % 6000u) - 3000;
        accounts[a].active_to = accounts[a].active_from + (prepay_days_t)(p[11] * 20) - 3;
        at += 12;
    }

    static prepay_charge_t charges[CAP], again[CAP];
    memset(charges, 0x6B, sizeof charges);
    size_t count = 777;
    int status = prepay_billing_run(start, end, items, item_count, accounts, account_count, NULL, NULL, charges, CAP,
                                    &count);
    if (status != PREPAY_OK) {
        if (status != PREPAY_E_BILLING_BAD_PERIOD && status != PREPAY_E_BILLING_BAD_ITEM &&
            status != PREPAY_E_BILLING_ID_RANGE && status != PREPAY_E_BILLING_DUPLICATE &&
            status != PREPAY_E_OVERFLOW && status != PREPAY_E_BAD_DATE && status != PREPAY_E_BUFFER_TOO_SMALL) {
            abort();
        }
        if (status != PREPAY_E_BUFFER_TOO_SMALL && (count != 777 || charges[0].charge_id != 0x6B6B6B6B6B6B6B6Bu)) {
            abort(); /* validation errors write nothing */
        }
        return 0;
    }
    for (size_t c = 0; c < count; c++) {
        const prepay_charge_t *ch = &charges[c];
        uint64_t id = 0;
        if (prepay_billing_charge_id(ch->account_id, ch->item_id, ch->occurrence, &id) != PREPAY_OK ||
            id != ch->charge_id || ch->covered_start < start || ch->covered_start >= end ||
            ch->covered_end <= ch->covered_start || ch->covered_start < ch->period_start ||
            ch->covered_end > ch->period_end) {
            abort();
        }
        for (size_t d = 0; d < c; d++) {
            if (charges[d].charge_id == ch->charge_id) {
                abort();
            }
        }
    }
    seen_t seen = {count, charges};
    size_t repeat = 99;
    if (prepay_billing_run(start, end, items, item_count, accounts, account_count, lookup, &seen, again, CAP,
                           &repeat) != PREPAY_OK ||
        repeat != 0) {
        abort();
    }

    /* Statement over the remaining bytes: 1 byte kind, 4 bytes amount per line. */
    prepay_statement_line_t lines[64];
    prepay_statement_t st;
    if (prepay_billing_statement_init(&st, 1, start, start + 30, (int64_t)(int32_t)(at < size ? data[at] : 0) * 1000,
                                      lines, 64) != PREPAY_OK) {
        abort();
    }
    int64_t charged = 0, paid = 0;
    for (; at + 5 <= size; at += 5) {
        prepay_statement_line_t line;
        memset(&line, 0, sizeof line);
        line.kind = (prepay_statement_line_kind_t)(data[at] % 6u);
        int32_t amount;
        uint32_t raw = u32(data + at + 1);
        memcpy(&amount, &raw, sizeof amount);
        line.amount = amount;
        status = prepay_billing_statement_add(&st, &line);
        if (status == PREPAY_OK) {
            if (line.kind == PREPAY_BILLING_LINE_PAYMENT) {
                paid += line.amount;
            } else {
                charged += line.amount;
            }
        } else if (status != PREPAY_E_BILLING_BAD_LINE && status != PREPAY_E_CAPACITY) {
            abort();
        }
    }
    if (st.charges != charged || st.payments != paid || st.closing != st.opening + charged - paid ||
        prepay_billing_statement_confirm(&st) != PREPAY_OK ||
        prepay_billing_statement_issue(&st, start + 30, start + 45) != PREPAY_OK ||
        prepay_billing_statement_verify(&st) != PREPAY_OK) {
        abort();
    }
    return 0;
}
