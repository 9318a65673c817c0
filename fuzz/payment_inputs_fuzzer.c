/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: payment-order inputs and channel statements. The bytes drive
 * a small site (two remote accounts, a flat tariff, an outbox on the
 * settlement sink) through order creations, notifies (right and wrong
 * amounts, unknown ids, every channel status, repeats), ledger expiries and
 * readings; the tail of the input is parsed as a statement CSV and
 * reconciled. Checked after every input: a refused input changed nothing
 * (ledger transfers and counters, site balances, recharge counts, outbox);
 * at the end the ledger verifies, the site equals the ledger
 * (prepay_settlement_verify()), and the reconciliation's totals equal the
 * lines it reported.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/outbox.h"
#include "prepay/payment.h"
#include "prepay/settlement.h"
#include "prepay/settlement_hosted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ACCOUNTS 2u
#define LEDGER_ACCOUNTS 32u
#define LEDGER_TRANSFERS 1024u
#define DELIVERIES 512u
#define RECORDS 64u

typedef struct cursor {
    const uint8_t *p;
    size_t left;
} cursor_t;

static uint64_t take(cursor_t *c, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v = v << 8 | (c->left ? c->p[0] : 0u);
        if (c->left) {
            c->p++;
            c->left--;
        }
    }
    return v;
}

typedef struct world {
    prepay_tariff_t tariff;
    prepay_settlement_tariff_t tariffs[1];
    prepay_wallet_policy_t policy;
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    prepay_ledger_t ledger;
    uint64_t ledger_buffer[PREPAY_LEDGER_MEMORY_SIZE(LEDGER_ACCOUNTS, LEDGER_TRANSFERS) / 8u + 1u];
    prepay_ledger_account_t scratch[LEDGER_ACCOUNTS];
    prepay_settlement_books_t books;
    prepay_settlement_work_t work;
    prepay_outbox_policy_t routes[1];
    prepay_outbox_delivery_t deliveries[DELIVERIES];
    prepay_outbox_t outbox;
    prepay_payment_statement_record_t records[RECORDS];
} world_t;

static const uint32_t backoff[] = {60, 600};

static int build(world_t *w)
{
    (void)prepay_tariff_init(&w->tariff);
    w->tariff.prices.band_price[0] = 50000000;
    (void)prepay_tariff_plan_init(&w->tariffs[0].plan, &w->tariff);
    prepay_wallet_policy_default(&w->policy);
    prepay_settlement_config_t config;
    memset(&config, 0, sizeof config);
    config.tariffs = w->tariffs;
    config.tariff_count = 1;
    config.policies = &w->policy;
    config.policy_count = 1;
    config.restore_command = PREPAY_DLT645_RELAY_CLOSE_ALLOWED;
    config.period_start = (prepay_time_t)8766 * 86400;
    config.period_end = (prepay_time_t)(8766 + 31) * 86400;
    prepay_settlement_sizes_t sizes = {ACCOUNTS, ACCOUNTS, 0, 0, 0};
    int status = prepay_settlement_memory_alloc(&w->memory, &sizes);
    if (status == PREPAY_OK) {
        status = prepay_settlement_init(&w->site, &w->memory, &config, NULL);
    }
    for (uint32_t i = 0; status == PREPAY_OK && i < ACCOUNTS; i++) {
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = i + 1;
        a.kind = PREPAY_SETTLEMENT_PREPAID_REMOTE;
        a.max_balance = i == 1 ? 100000 : 0; /* a hoarding limit: some paid notifies are refused by the books */
        status = prepay_settlement_add_account(&w->site, &a);
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = 10 * (i + 1);
        m.account_id = i + 1;
        if (status == PREPAY_OK) {
            status = prepay_settlement_add_meter(&w->site, &m);
        }
    }
    prepay_ledger_memory_t lm;
    if (status == PREPAY_OK) {
        status = prepay_ledger_memory_layout(&lm, w->ledger_buffer, sizeof w->ledger_buffer, LEDGER_ACCOUNTS,
                                             LEDGER_TRANSFERS);
    }
    if (status == PREPAY_OK) {
        status = prepay_ledger_init(&w->ledger, &lm);
    }
    w->books.ledger = &w->ledger;
    w->books.journal = NULL;
    if (status == PREPAY_OK) {
        status = prepay_settlement_open(&w->site, &w->books, NULL);
    }
    prepay_settlement_work_sizes_t ws;
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_sizes_default(&w->site, 1, &ws);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&w->work, &ws);
    }
    memset(w->routes, 0xFF, sizeof w->routes); /* every type to every channel */
    w->routes[0].account_id = 0;
    prepay_outbox_config_t oc = {w->routes, 1, backoff, 2};
    if (status == PREPAY_OK) {
        status = prepay_outbox_init(&w->outbox, w->deliveries, DELIVERIES, &oc, NULL);
    }
    w->work.sink.event = prepay_outbox_sink;
    w->work.sink.context = &w->outbox;
    return status;
}

/* What a refused input must leave alone. */
typedef struct state {
    uint32_t transfers;
    uint32_t deliveries;
    prepay_money_t balance[ACCOUNTS];
    uint32_t recharges[ACCOUNTS];
    prepay_ledger_account_t accounts[LEDGER_ACCOUNTS];
    uint32_t account_count;
} state_t;

static void capture(const world_t *w, state_t *s)
{
    memset(s, 0, sizeof *s);
    s->transfers = prepay_ledger_transfer_count(&w->ledger);
    s->deliveries = w->outbox.count;
    for (uint32_t i = 0; i < ACCOUNTS; i++) {
        const prepay_settlement_account_t *a = prepay_settlement_account(&w->site, i + 1);
        s->balance[i] = a->books.balance;
        s->recharges[i] = a->recharges;
    }
    s->account_count = prepay_ledger_account_count(&w->ledger);
    for (uint32_t i = 0; i < s->account_count && i < LEDGER_ACCOUNTS; i++) {
        s->accounts[i] = *prepay_ledger_account_at(&w->ledger, i);
    }
}

static void check_unchanged(const world_t *w, const state_t *before)
{
    state_t now;
    capture(w, &now);
    if (memcmp(&now, before, sizeof now) != 0) {
        abort();
    }
}

static uint64_t order_id_of(cursor_t *c)
{
    uint32_t account = (uint32_t)take(c, 1) % (ACCOUNTS + 1u); /* 0: an account that cannot exist */
    uint32_t number = (uint32_t)take(c, 1) % 8u;
    uint64_t id = 0;
    if (prepay_payment_order_id(account, number, &id) != PREPAY_OK) {
        id = take(c, 8); /* any 64-bit value */
    }
    return id;
}

static uint32_t g_lines;

static void count_line(void *context, const prepay_payment_reconcile_line_t *line)
{
    (void)context;
    if (line->match < PREPAY_PAYMENT_MATCHED || line->match > PREPAY_PAYMENT_AMOUNT_DIFFERS) {
        abort();
    }
    g_lines++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    world_t *w = calloc(1, sizeof *w);
    if (w == NULL || build(w) != PREPAY_OK) {
        abort();
    }
    if (size == 0u) {
        size = 1u;
        data = (const uint8_t *)"";
    }
    /* The first byte splits the input: operations, then the statement text. */
    size_t ops_len = (size_t)data[0] * (size - 1u) / 256u;
    cursor_t c = {data + 1, ops_len};
    prepay_time_t now = (prepay_time_t)8766 * 86400;
    prepay_energy_t register_wh[ACCOUNTS] = {0, 0};
    while (c.left > 0u) {
        unsigned op = (unsigned)take(&c, 1) % 5u;
        now += (prepay_time_t)take(&c, 1) * 60;
        state_t before;
        capture(w, &before);
        prepay_payment_result_t r;
        int status;
        switch (op) {
        case 0: {
            prepay_payment_order_t o;
            o.account_id = (uint32_t)take(&c, 1) % (ACCOUNTS + 2u);
            o.number = (uint32_t)take(&c, 1) % 8u;
            o.amount = (prepay_money_t)take(&c, 2) - 100;
            o.created = now;
            o.deadline = now + (prepay_time_t)take(&c, 1) * 60 - 60;
            status = prepay_payment_create(&w->site, &w->books, &o, &r);
            break;
        }
        case 1:
        case 2: {
            prepay_payment_notify_t n;
            n.order_id = order_id_of(&c);
            prepay_payment_info_t info;
            bool known = prepay_payment_lookup(&w->ledger, n.order_id, &info) == PREPAY_OK;
            uint8_t how = (uint8_t)take(&c, 1);
            n.amount = known && (how & 1u) ? info.amount : (prepay_money_t)take(&c, 2);
            n.time = now - (prepay_time_t)(how >> 4) * 600;
            n.status = (uint8_t)((how >> 1) & 3u); /* 0 is refused, 1..3 are the channel statuses */
            status = prepay_payment_notify(&w->site, &w->books, &w->work, &n, &r);
            if (status == PREPAY_E_PAYMENT_AMOUNT_MISMATCH && (r.expected == r.notified || !known)) {
                abort();
            }
            break;
        }
        case 3:
            status = prepay_ledger_expire(&w->ledger, now, NULL, 8);
            break;
        default: {
            uint32_t a = (uint32_t)take(&c, 1) % ACCOUNTS;
            register_wh[a] += (prepay_energy_t)take(&c, 2) * 10;
            prepay_settlement_reading_t rd = {10 * (a + 1), 0, now, register_wh[a]};
            prepay_settlement_result_t res;
            status = prepay_settlement_settle(&w->site, &w->books, &w->work, &rd, 1, &res);
            break;
        }
        }
        if (status < 0 || (op <= 2 && status == PREPAY_PAYMENT_DUPLICATE)) {
            check_unchanged(w, &before);
        }
        if (w->outbox.sink_errors != 0u) {
            abort();
        }
    }
    /* The rest is a statement. */
    size_t used = 1u + ops_len;
    size_t n = 0;
    int status = prepay_payment_statement_parse((const char *)data + used, size - used, w->records, RECORDS, &n, NULL);
    if (status == PREPAY_OK) {
        for (size_t i = 0; i < n; i++) {
            if (w->records[i].amount <= 0) {
                abort();
            }
        }
        prepay_payment_reconcile_summary_t sum;
        g_lines = 0;
        status = prepay_payment_reconcile(&w->ledger, w->records, n, 0, INT64_MAX, count_line, NULL, &sum);
        if (status != PREPAY_OK ||
            g_lines != sum.matched + sum.missing_in_ledger + sum.missing_in_statement + sum.amount_differs) {
            abort();
        }
    } else if (status != PREPAY_E_PAYMENT_STATEMENT && status != PREPAY_E_BUFFER_TOO_SMALL) {
        abort();
    }
    prepay_settlement_result_t res;
    if (prepay_ledger_verify(&w->ledger, w->scratch, LEDGER_ACCOUNTS) != PREPAY_OK ||
        prepay_settlement_verify(&w->site, &w->ledger, &res) != PREPAY_OK) {
        abort();
    }
    prepay_settlement_work_free(&w->work);
    prepay_settlement_memory_free(&w->memory);
    free(w);
    return 0;
}
