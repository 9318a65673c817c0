/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the ledger under arbitrary operation sequences. The input
 * bytes choose the accounts' limits and then a sequence of operations
 * (single transfers, batches with linked chains, replays through
 * prepay_ledger_replay, recharge chains, account closing, pending
 * transfers with deadlines and their expiry, queries and summaries) on a
 * small ledger whose log fills up. After every operation
 * prepay_ledger_verify() must succeed (zero sum, balances = replay of the
 * log, limits hold), and each batch's applied count must equal its OK
 * results; otherwise the target aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/ledger.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ACCOUNTS 10u
#define TRANSFERS 96u

typedef struct cursor {
    const uint8_t *data;
    size_t size;
    size_t at;
} cursor_t;

static uint8_t byte(cursor_t *c)
{
    return c->at < c->size ? c->data[c->at++] : 0u;
}

static int64_t amount(cursor_t *c)
{
    uint8_t kind = byte(c);
    uint16_t v = (uint16_t)(byte(c) | (byte(c) << 8));
    switch (kind & 7u) {
    case 0:
        return 0;
    case 1:
        return -(int64_t)v;
    case 2:
        return INT64_MAX - (int64_t)(v & 3u);
    default:
        return (int64_t)v;
    }
}

static void transfer(cursor_t *c, prepay_ledger_transfer_t *t)
{
    memset(t, 0, sizeof *t);
    t->id = byte(c) % 80u;                    /* small id space: replays and conflicts */
    t->debit_account_id = byte(c) % (ACCOUNTS + 2u); /* 0 and ACCOUNTS+1 do not exist */
    t->credit_account_id = byte(c) % (ACCOUNTS + 2u);
    t->amount = amount(c);
    uint8_t f = byte(c);
    t->flags = (uint16_t)(f & 0x0Fu);
    if ((f & 0xF0u) == 0xF0u) {
        t->flags = (uint16_t)(t->flags | 0x100u); /* a reserved flag now and then */
    }
    t->pending_id = (t->flags & (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)) != 0u
                        ? byte(c) % 80u
                        : 0u;
    if ((f & 0x30u) == 0x30u && t->pending_id != 0u) {
        t->debit_account_id = 0; /* take the pending transfer's accounts */
        t->credit_account_id = 0;
    }
    t->code = (uint16_t)(byte(c) % 13u);
    uint8_t o = byte(c);
    t->order_id = o & 3u;
    if ((o & 0x0Cu) != 0u) {
        t->deadline = (int64_t)byte(c) * 86400 / 4; /* on the timestamps' scale; 0 now and then */
    }
    t->timestamp = (int64_t)byte(c) * 86400 / 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint64_t ledger_memory[PREPAY_LEDGER_MEMORY_SIZE(ACCOUNTS, TRANSFERS) / sizeof(uint64_t)];
    static prepay_ledger_account_t scratch[ACCOUNTS];
    prepay_ledger_memory_t memory;
    prepay_ledger_t ledger;
    if (prepay_ledger_memory_layout(&memory, ledger_memory, sizeof ledger_memory, ACCOUNTS, TRANSFERS) != PREPAY_OK ||
        prepay_ledger_init(&ledger, &memory) != PREPAY_OK) {
        abort();
    }
    cursor_t c = {data, size, 0};
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        prepay_ledger_account_t a;
        memset(&a, 0, sizeof a);
        a.id = i + 1u;
        uint8_t k = byte(&c);
        a.kind = (uint16_t)(1u + k % 8u);
        a.flags = (uint16_t)((k >> 3) & 3u);
        if (a.flags == 3u) {
            a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
        }
        a.overdraft_limit = (int64_t)byte(&c) * 10;
        a.max_balance = (k & 0x80u) ? (int64_t)byte(&c) * 100 : 0;
        a.emergency_account_id = (k & 0x40u) ? (uint64_t)(1u + byte(&c) % ACCOUNTS) : 0u;
        a.debt_account_id = (k & 0x20u) ? (uint64_t)(1u + byte(&c) % ACCOUNTS) : 0u;
        if (a.emergency_account_id == a.id) {
            a.emergency_account_id = 0;
        }
        if (prepay_ledger_create_account(&ledger, &a) != PREPAY_OK) {
            abort();
        }
    }
    while (c.at < c.size) {
        uint8_t op = byte(&c);
        prepay_ledger_transfer_t batch[8];
        int results[8];
        switch (op % 8u) {
        case 0:
        case 1:
        case 2: {
            size_t n = 1u + (op >> 3) % 8u;
            for (size_t k = 0; k < n; k++) {
                transfer(&c, &batch[k]);
            }
            uint32_t before = prepay_ledger_transfer_count(&ledger);
            int applied = prepay_ledger_apply(&ledger, batch, n, results);
            int ok = 0;
            for (size_t k = 0; k < n; k++) {
                ok += results[k] == PREPAY_OK;
                if (results[k] > PREPAY_LEDGER_EXISTS) {
                    abort();
                }
            }
            if (applied != ok || prepay_ledger_transfer_count(&ledger) != before + (uint32_t)ok) {
                abort();
            }
            /* a replay of the batch: whatever was applied is now "exists" */
            int again[8];
            (void)prepay_ledger_apply(&ledger, batch, n, again);
            for (size_t k = 0; k < n; k++) {
                if (results[k] == PREPAY_OK && again[k] != PREPAY_LEDGER_EXISTS) {
                    abort();
                }
            }
            break;
        }
        case 3: {
            transfer(&c, &batch[0]);
            uint32_t before = prepay_ledger_transfer_count(&ledger);
            int r = prepay_ledger_replay(&ledger, &batch[0]);
            if (prepay_ledger_transfer_count(&ledger) != before + (r == PREPAY_OK ? 1u : 0u)) {
                abort();
            }
            break;
        }
        case 4: {
            prepay_ledger_recharge_t q;
            memset(&q, 0, sizeof q);
            q.wallet_id = 1u + byte(&c) % ACCOUNTS;
            q.clearing_id = 1u + byte(&c) % ACCOUNTS;
            q.amount = amount(&c);
            q.recharge_id = byte(&c) % 80u;
            q.repay_emergency_id = byte(&c) % 80u;
            q.repay_debt_id = byte(&c) % 80u;
            size_t n = 0;
            if (prepay_ledger_build_recharge(&ledger, &q, batch, 8, &n) == PREPAY_OK) {
                if (n < 1u || n > PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS) {
                    abort();
                }
                (void)prepay_ledger_apply(&ledger, batch, n, results);
            }
            break;
        }
        case 5:
            if ((op & 0x80u) == 0u) {
                (void)prepay_ledger_close_account(&ledger, byte(&c) % (ACCOUNTS + 2u));
            } else if ((op & 0x40u) == 0u) {
                uint64_t ids[4];
                size_t cap = byte(&c) % 5u;
                int n = prepay_ledger_expire(&ledger, (int64_t)byte(&c) * 86400 / 4, ids, cap);
                if (n < 0 || (size_t)n > cap) {
                    abort();
                }
                for (int k = 0; k < n; k++) {
                    const prepay_ledger_entry_t *e = prepay_ledger_lookup(&ledger, ids[k]);
                    if (e == NULL || e->state != PREPAY_LEDGER_STATE_EXPIRED) {
                        abort();
                    }
                }
            } else {
                uint64_t id = byte(&c) % 80u;
                int r = prepay_ledger_replay_expiry(&ledger, id, (int64_t)byte(&c) * 86400 / 4);
                const prepay_ledger_entry_t *e = prepay_ledger_lookup(&ledger, id);
                if (r == PREPAY_OK && (e == NULL || e->state != PREPAY_LEDGER_STATE_EXPIRED)) {
                    abort();
                }
            }
            break;
        case 6: {
            prepay_ledger_query_t q;
            memset(&q, 0, sizeof q);
            q.account_id = byte(&c) % (ACCOUNTS + 2u);
            q.code = (uint16_t)(byte(&c) % 13u);
            q.use_time = (op & 0x80u) != 0u;
            q.time_from = (int64_t)byte(&c) * 86400 / 4;
            q.time_to = q.time_from + (int64_t)byte(&c) * 86400 / 4;
            const prepay_ledger_entry_t *e;
            uint32_t seen = 0;
            while (prepay_ledger_query_next(&ledger, &q, &e) == 1) {
                if (++seen > prepay_ledger_transfer_count(&ledger)) {
                    abort();
                }
            }
            prepay_ledger_order_summary_t s;
            int r = prepay_ledger_order_summary(&ledger, q.time_from, q.time_to, &s);
            if (r != PREPAY_OK && r != PREPAY_E_OVERFLOW) { /* sums near INT64_MAX overflow, as documented */
                abort();
            }
            break;
        }
        default: {
            prepay_ledger_income_row_t rows[6];
            size_t n = 0;
            size_t cap = byte(&c) % 7u;
            int r = prepay_ledger_income(&ledger, 0, (int64_t)byte(&c) * 86400 * 8, (unsigned)(op >> 3) % 5u,
                                         (op & 0x80u) != 0u, rows, cap, &n);
            if (n > cap || (r != PREPAY_OK && n != 0u)) {
                abort();
            }
            break;
        }
        }
        if (prepay_ledger_verify(&ledger, scratch, ACCOUNTS) != PREPAY_OK) {
            abort();
        }
    }
    return 0;
}
