/* SPDX-License-Identifier: MIT */
/* Test fixture for the settlement module (see settle_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "settle_fixture.h"
#include "prepay/settlement_hosted.h"

void fx_ledger_init(prepay_ledger_t *ledger, prepay_ledger_memory_t *m, uint32_t accounts, uint32_t transfers)
{
    size_t size = prepay_ledger_memory_size(accounts, transfers);
    assert_int_not_equal(size, 0);
    void *buffer = calloc(1, size);
    assert_non_null(buffer);
    assert_int_equal(prepay_ledger_memory_layout(m, buffer, size, accounts, transfers), PREPAY_OK);
    assert_int_equal(prepay_ledger_init(ledger, m), PREPAY_OK);
}

/* prepay_ledger_memory_layout() puts the transfer log at the start of the one
 * buffer (ASan reports a bad free here if that ever changes). */
void fx_ledger_free(prepay_ledger_memory_t *m)
{
    free(m->entries);
    memset(m, 0, sizeof *m);
}

void fx_flat(prepay_tariff_t *t, prepay_price_t price, bool water)
{
    assert_int_equal(prepay_tariff_init(t), PREPAY_OK);
    t->unit = water ? PREPAY_TARIFF_UNIT_WATER : PREPAY_TARIFF_UNIT_ENERGY;
    t->prices.band_price[0] = price;
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

prepay_time_t fx_time(int year, unsigned month, unsigned day, unsigned hour, unsigned minute)
{
    prepay_days_t d;
    assert_int_equal(prepay_time_days_from_date(year, month, day, &d), PREPAY_OK);
    return (prepay_time_t)d * PREPAY_SECONDS_PER_DAY + (prepay_time_t)hour * 3600 + (prepay_time_t)minute * 60;
}

void fx_defaults(fx_t *fx)
{
    memset(fx, 0, sizeof *fx);
    fx_flat(&fx->tariff[0], 50000000, false); /* 0.50 yuan/kWh */
    for (int i = 0; i < FX_TARIFFS; i++) {
        assert_int_equal(prepay_tariff_plan_init(&fx->tariffs[i].plan, &fx->tariff[i]), PREPAY_OK);
        fx->tariffs[i].version = (uint32_t)(100 + i);
    }
    for (int i = 0; i < FX_POLICIES; i++) {
        prepay_wallet_policy_default(&fx->policies[i]);
    }
    fx->config.tariffs = fx->tariffs;
    fx->config.tariff_count = 1;
    fx->config.policies = fx->policies;
    fx->config.policy_count = 1;
    fx->config.items = fx->items;
    fx->config.item_count = 0;
    fx->config.restore_command = PREPAY_DLT645_RELAY_CLOSE_ALLOWED;
    fx->config.period_start = fx_time(2024, 1, 1, 0, 0);
    fx->config.period_end = fx_time(2024, 2, 1, 0, 0);
}

static void log_event(void *context, const prepay_settlement_event_t *e)
{
    fx_t *fx = context;
    if (fx->log_count == fx->log_cap) {
        fx->log_cap = fx->log_cap ? 2 * fx->log_cap : 256;
        fx->log = realloc(fx->log, fx->log_cap * sizeof *fx->log);
        assert_non_null(fx->log);
    }
    fx->log[fx->log_count++] = *e;
}

static void log_statement(void *context, const prepay_statement_t *s)
{
    fx_t *fx = context;
    assert_true(fx->statement_count < FX_STATEMENTS);
    assert_int_equal(prepay_billing_statement_verify(s), PREPAY_OK);
    fx_statement_t *o = &fx->statements[fx->statement_count++];
    o->id = s->statement_id;
    o->account_id = s->account_id;
    o->opening = s->opening;
    o->charges = s->charges;
    o->payments = s->payments;
    o->closing = s->closing;
    memcpy(o->totals, s->totals, sizeof o->totals);
    o->lines = s->line_count;
}

void fx_start(fx_t *fx, uint32_t accounts, uint32_t meters, uint32_t groups, uint32_t members, uint32_t postpaid)
{
    prepay_settlement_sizes_t sizes = {accounts, meters, groups, members, postpaid};
    assert_int_equal(prepay_settlement_memory_alloc(&fx->memory, &sizes), PREPAY_OK);
    prepay_settlement_result_t r;
    int status = prepay_settlement_init(&fx->site, &fx->memory, &fx->config, &r);
    if (status != PREPAY_OK) {
        fprintf(stderr, "init: %s (index %u detail %s)\n", prepay_strerror(status), r.error_index,
                prepay_strerror(r.error_detail));
    }
    assert_int_equal(status, PREPAY_OK);
}

void fx_open(fx_t *fx, uint32_t readings_per_call)
{
    prepay_settlement_counts_t c;
    prepay_settlement_counts(&fx->site, &c);
    if (!fx->ledger_memory.accounts) {
        fx_ledger_init(&fx->ledger, &fx->ledger_memory, 3 * c.accounts + 16, 1u << 20);
    }
    fx->books.ledger = &fx->ledger;
    prepay_settlement_result_t r;
    assert_int_equal(prepay_settlement_open(&fx->site, &fx->books, &r), PREPAY_OK);
    if (!fx->has_work) {
        prepay_settlement_work_sizes_t s;
        assert_int_equal(prepay_settlement_work_sizes_default(&fx->site, readings_per_call, &s), PREPAY_OK);
        assert_int_equal(prepay_settlement_work_alloc(&fx->work, &s), PREPAY_OK);
        assert_int_equal(prepay_settlement_work_sizes_default(&fx->site, 0, &s), PREPAY_OK);
        assert_int_equal(prepay_settlement_work_alloc(&fx->close, &s), PREPAY_OK);
        fx->has_work = true;
    }
    fx->work.sink.event = log_event;
    fx->work.sink.statement = log_statement;
    fx->work.sink.context = fx;
    fx->close.sink = fx->work.sink;
}

void fx_free(fx_t *fx)
{
    prepay_settlement_memory_free(&fx->memory);
    if (fx->has_work) {
        prepay_settlement_work_free(&fx->work);
        prepay_settlement_work_free(&fx->close);
    }
    fx_ledger_free(&fx->ledger_memory);
    free(fx->log);
    fx->log = NULL;
}

void fx_account(fx_t *fx, uint32_t id, uint8_t kind)
{
    prepay_settlement_account_config_t a;
    prepay_settlement_account_config_init(&a);
    a.id = id;
    a.kind = kind;
    assert_int_equal(prepay_settlement_add_account(&fx->site, &a), PREPAY_OK);
}

void fx_meter(fx_t *fx, uint32_t id, uint32_t account_id)
{
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = id;
    m.account_id = account_id;
    assert_int_equal(prepay_settlement_add_meter(&fx->site, &m), PREPAY_OK);
}

int fx_read(fx_t *fx, uint32_t meter, prepay_time_t t, prepay_energy_t wh, int8_t *outcome)
{
    prepay_settlement_reading_t r = {meter, 0, t, wh};
    prepay_settlement_result_t res;
    int status = prepay_settlement_settle(&fx->site, &fx->books, &fx->work, &r, 1, &res);
    if (status >= 0 && outcome) {
        *outcome = fx->work.outcomes[0];
    }
    return status;
}

int fx_recharge(fx_t *fx, uint32_t account, uint32_t sequence, prepay_money_t amount, prepay_time_t t)
{
    prepay_settlement_recharge_t r;
    memset(&r, 0, sizeof r);
    r.account_id = account;
    r.sequence = sequence;
    r.amount = amount;
    r.order_id = (uint64_t)account << 32 | sequence;
    r.time = t;
    prepay_settlement_result_t res;
    return prepay_settlement_recharge(&fx->site, &fx->books, &fx->work, &r, NULL, &res);
}

size_t fx_events(const fx_t *fx, unsigned type, uint32_t account)
{
    size_t n = 0;
    for (size_t i = 0; i < fx->log_count; i++) {
        if (fx->log[i].type == type && (account == 0 || fx->log[i].account_id == account)) {
            n++;
        }
    }
    return n;
}

prepay_money_t fx_balance(const fx_t *fx, uint32_t account)
{
    const prepay_settlement_account_t *a = prepay_settlement_account(&fx->site, account);
    assert_non_null(a);
    return a->books.balance;
}

prepay_money_t fx_ledger_balance(const fx_t *fx, uint64_t ledger_account)
{
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&fx->ledger, ledger_account, &b), PREPAY_OK);
    return b.balance;
}

void fx_verify(fx_t *fx)
{
    uint32_t n = prepay_ledger_account_count(&fx->ledger);
    prepay_ledger_account_t *scratch = calloc(n + 1, sizeof *scratch);
    assert_int_equal(prepay_ledger_verify(&fx->ledger, scratch, n + 1), PREPAY_OK);
    free(scratch);
    prepay_settlement_result_t r;
    int status = prepay_settlement_verify(&fx->site, &fx->ledger, &r);
    if (status != PREPAY_OK) {
        fprintf(stderr, "settlement verify: account %u\n", r.error_id);
    }
    assert_int_equal(status, PREPAY_OK);
}
