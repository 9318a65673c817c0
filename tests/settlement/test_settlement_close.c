/* SPDX-License-Identifier: MIT */
/*
 * Period close and households, worked by hand (flat 0.50 yuan/kWh unless
 * said otherwise): common-area allocation by area with a tenant who cannot
 * pay (his share becomes debt, the close goes on), a local-meter tenant (his
 * share is debt, recovered from his next recharge), charge items, a postpaid
 * shop's statements, a master reading straddling the period end, a shared
 * ladder (one household, two meters), a water meter on the same account, and
 * configurations that contradict themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/allocation.h"
#include "settle_fixture.h"

static void add_account(fx_t *fx, uint32_t id, uint8_t kind, int64_t area)
{
    prepay_settlement_account_config_t a;
    prepay_settlement_account_config_init(&a);
    a.id = id;
    a.kind = kind;
    a.area = area;
    assert_int_equal(prepay_settlement_add_account(&fx->site, &a), PREPAY_OK);
}

static void add_site_meter(fx_t *fx, uint32_t id)
{
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = id;
    assert_int_equal(prepay_settlement_add_meter(&fx->site, &m), PREPAY_OK);
}

static void read_all(fx_t *fx, const uint32_t *meters, const prepay_energy_t *wh, size_t n, prepay_time_t t)
{
    prepay_settlement_reading_t r[16];
    for (size_t i = 0; i < n; i++) {
        r[i] = (prepay_settlement_reading_t){meters[i], 0, t, wh[i]};
    }
    prepay_settlement_result_t res;
    int status = prepay_settlement_settle(&fx->site, &fx->books, &fx->work, r, n, &res);
    if (status < 0) {
        fprintf(stderr, "settle: %s at %u detail %s\n", prepay_strerror(status), res.error_index,
                prepay_strerror(res.error_detail));
    }
    assert_true(status >= 0);
}

static void test_month_close_by_hand(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    /* Property fee 1.00 yuan per m2 per month, from 2024-01-01. */
    prepay_charge_item_t *fee = &fx.items[0];
    memset(fee, 0, sizeof *fee);
    fee->item_id = 7;
    fee->basis = PREPAY_BILLING_PER_AREA;
    fee->rate = 100;
    fee->schedule = PREPAY_BILLING_MONTHLY;
    fee->anchor = (prepay_days_t)(fx_time(2024, 1, 1, 0, 0) / PREPAY_SECONDS_PER_DAY);
    fee->effective_from = fee->anchor;
    fee->effective_to = fee->anchor + 3660;
    fee->collection = PREPAY_BILLING_COLLECT_DEDUCT;
    fx.config.item_count = 1;
    fx.config.due_days = 15;
    fx_start(&fx, 8, 8, 1, 8, 2);
    add_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE, 10000); /* 100 m2 */
    add_account(&fx, 2, PREPAY_SETTLEMENT_PREPAID_REMOTE, 5000);  /* never pays */
    add_account(&fx, 3, PREPAY_SETTLEMENT_PREPAID_LOCAL, 5000);
    add_account(&fx, 4, PREPAY_SETTLEMENT_POSTPAID, 8000);        /* a shop, not in the group */
    add_site_meter(&fx, 900);
    fx_meter(&fx, 11, 1);
    fx_meter(&fx, 21, 2);
    fx_meter(&fx, 31, 3);
    fx_meter(&fx, 41, 4);
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 1;
    g.method = PREPAY_SETTLEMENT_BY_AREA;
    g.master_meter_id = 900;
    assert_int_equal(prepay_settlement_add_group(&fx.site, &g), PREPAY_OK);
    for (uint32_t m = 11; m <= 31; m += 10) {
        prepay_settlement_member_config_t mem = {1, m, 0};
        assert_int_equal(prepay_settlement_add_member(&fx.site, &mem), PREPAY_OK);
    }
    fx_open(&fx, 16);
    prepay_time_t jan = fx_time(2024, 1, 1, 0, 0), feb = fx_time(2024, 2, 1, 0, 0), mar = fx_time(2024, 3, 1, 0, 0);
    assert_int_equal(fx_recharge(&fx, 1, 1, 50000, jan), PREPAY_OK);
    assert_int_equal(fx_recharge(&fx, 3, 1, 10000, jan), PREPAY_OK);
    const uint32_t meters[5] = {900, 11, 21, 31, 41};
    const prepay_energy_t zero[5] = {0, 0, 0, 0, 0};
    const prepay_energy_t end[5] = {1000000, 300000, 200000, 100000, 50000};
    read_all(&fx, meters, zero, 5, jan);
    read_all(&fx, meters, end, 5, feb);
    /* energy: 150.00, 100.00 (all debt), 50.00 (mirror), 25.00 (postpaid: debt) */
    const prepay_settlement_account_t *a1 = prepay_settlement_account(&fx.site, 1);
    const prepay_settlement_account_t *a2 = prepay_settlement_account(&fx.site, 2);
    const prepay_settlement_account_t *a3 = prepay_settlement_account(&fx.site, 3);
    const prepay_settlement_account_t *a4 = prepay_settlement_account(&fx.site, 4);
    assert_int_equal(a1->books.balance, 35000);
    assert_int_equal(a2->books.debt, 10000);
    assert_int_equal(a3->books.balance, 5000);
    assert_int_equal(a4->books.debt, 2500);
    prepay_settlement_result_t res;
    int status = prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, mar, &res);
    if (status != PREPAY_OK) {
        fprintf(stderr, "close: %s id %u detail %s\n", prepay_strerror(status), res.error_id,
                prepay_strerror(res.error_detail));
    }
    assert_int_equal(status, PREPAY_OK);
    /* common = 1000 - 600 = 400 kWh = 200.00, by area 2:1:1 = 100.00, 50.00, 50.00;
     * fee 100.00, 50.00, 50.00, 80.00 */
    const prepay_settlement_group_t *grp = &fx.site.memory.groups[0];
    assert_int_equal(grp->last_common, 400000);
    assert_int_equal(grp->last_charge, 20000);
    assert_int_equal(a1->books.shares, 10000);
    assert_int_equal(a2->books.shares, 5000);
    assert_int_equal(a3->books.shares, 5000);
    assert_int_equal(a1->books.items, 10000);
    assert_int_equal(a4->books.items, 8000);
    assert_int_equal(a1->books.balance, 15000);
    assert_int_equal(a2->books.balance, 0);
    assert_int_equal(a2->books.debt, 20000);
    assert_int_equal(a3->books.balance, 5000); /* the meter's purse is not touched */
    assert_int_equal(a3->books.debt, 10000);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_SHARE, 0), 3);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_CHARGE, 0), 4);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_STATEMENT, 4), 1);
    /* The shop's statement: 25.00 energy + 80.00 fee = 105.00 owed */
    assert_int_equal(fx.statement_count, 1);
    assert_int_equal(fx.statements[0].account_id, 4);
    assert_int_equal(fx.statements[0].opening, 0);
    assert_int_equal(fx.statements[0].totals[PREPAY_BILLING_LINE_ENERGY], 2500);
    assert_int_equal(fx.statements[0].totals[PREPAY_BILLING_LINE_CHARGE_ITEM], 8000);
    assert_int_equal(fx.statements[0].closing, 10500);
    assert_int_equal(fx.statements[0].closing, a4->books.debt - a4->books.balance);
    fx_verify(&fx);
    /* February: the tenant who never paid pays 300.00: 200.00 repays his debt; the local tenant's
     * 100.00 all repays his debt (nothing for his meter); the shop pays 50.00. */
    prepay_settlement_recharge_split_t split;
    prepay_settlement_recharge_t r = {2, 1, 30000, 0, 0, feb + 86400};
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res), PREPAY_OK);
    assert_int_equal(split.to_debt, 20000);
    assert_int_equal(split.to_balance, 10000);
    assert_int_equal(fx_events(&fx, PREPAY_SETTLEMENT_EVENT_RESTORED, 2), 1);
    r = (prepay_settlement_recharge_t){3, 2, 10000, 0, 0, feb + 86400};
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res), PREPAY_OK);
    assert_int_equal(split.to_debt, 10000);
    assert_int_equal(split.to_balance, 0);
    r = (prepay_settlement_recharge_t){4, 1, 5000, 0, 0, feb + 86400};
    assert_int_equal(prepay_settlement_recharge(&fx.site, &fx.books, &fx.work, &r, &split, &res), PREPAY_OK);
    /* March close: no energy; fee again; the shop's second statement carries 105.00 forward. */
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 4, 1, 0, 0), &res),
                     PREPAY_OK);
    assert_int_equal(fx.statement_count, 2);
    assert_int_equal(fx.statements[1].opening, 10500);
    assert_int_equal(fx.statements[1].payments, 5000);
    assert_int_equal(fx.statements[1].closing, 10500 + 8000 - 5000);
    assert_int_equal(fx.statements[1].closing, a4->books.debt - a4->books.balance);
    /* The same close again (or an earlier one) is a repeat; a boundary not at midnight is refused */
    uint32_t transfers = prepay_ledger_transfer_count(&fx.ledger);
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 4, 1, 0, 0), &res),
                     PREPAY_LEDGER_EXISTS);
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 3, 1, 0, 0), &res),
                     PREPAY_LEDGER_EXISTS);
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 5, 1, 12, 0), &res),
                     PREPAY_E_SETTLEMENT_PERIOD);
    assert_int_equal(prepay_ledger_transfer_count(&fx.ledger), transfers);
    fx_verify(&fx);
    fx_free(&fx);
}

/* A master reading that straddles the period end is split by the spread rule:
 * 48 kWh over [Jan 31 12:00, Feb 1 12:00) puts 24 kWh in January. */
static void test_straddling_reading(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_start(&fx, 4, 4, 1, 4, 1);
    add_account(&fx, 1, PREPAY_SETTLEMENT_PREPAID_REMOTE, 100);
    add_site_meter(&fx, 900);
    fx_meter(&fx, 11, 1);
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 3;
    g.method = PREPAY_SETTLEMENT_BY_EQUAL;
    g.master_meter_id = 900;
    assert_int_equal(prepay_settlement_add_group(&fx.site, &g), PREPAY_OK);
    prepay_settlement_member_config_t mem = {3, 11, 0};
    assert_int_equal(prepay_settlement_add_member(&fx.site, &mem), PREPAY_OK);
    fx_open(&fx, 16);
    assert_int_equal(fx_recharge(&fx, 1, 1, 100000, fx_time(2024, 1, 1, 0, 0)), PREPAY_OK);
    const uint32_t meters[2] = {900, 11};
    const prepay_energy_t a[2] = {0, 0}, b[2] = {48000, 0};
    read_all(&fx, meters, a, 2, fx_time(2024, 1, 31, 12, 0));
    read_all(&fx, meters, b, 2, fx_time(2024, 2, 1, 12, 0));
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 3, 1, 0, 0), &res),
                     PREPAY_OK);
    assert_int_equal(fx.site.memory.groups[0].last_common, 24000);
    assert_int_equal(prepay_settlement_account(&fx.site, 1)->books.shares, 1200);
    /* The other 24 kWh belong to February */
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 4, 1, 0, 0), &res),
                     PREPAY_OK);
    assert_int_equal(fx.site.memory.groups[0].last_common, 24000);
    assert_int_equal(prepay_settlement_account(&fx.site, 1)->books.shares, 2400);
    fx_verify(&fx);
    fx_free(&fx);
}

/* One household, two electricity meters, one ladder: 100 kWh a month at 0.50, above +0.30. */
static void test_shared_ladder(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    prepay_tariff_t *t = &fx.tariff[0];
    t->tier_count = 2;
    t->ladders[0].upper[0] = 100000;
    t->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
    t->prices.tier_surcharge[1] = 30000000;
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
    fx_flat(&fx.tariff[1], 300000000, true); /* water: 3.00 yuan/m3 */
    fx.config.tariff_count = 2;
    fx_start(&fx, 4, 8, 0, 0, 1);
    prepay_settlement_account_config_t ac;
    prepay_settlement_account_config_init(&ac);
    ac.id = 1;
    ac.tariff[PREPAY_SETTLEMENT_WATER] = 1;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &ac), PREPAY_OK);
    fx_meter(&fx, 11, 1);
    fx_meter(&fx, 12, 1);
    prepay_settlement_meter_config_t w;
    prepay_settlement_meter_config_init(&w);
    w.id = 13;
    w.account_id = 1;
    w.commodity = PREPAY_SETTLEMENT_WATER;
    w.di = 0;
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &w), PREPAY_OK);
    fx_open(&fx, 16);
    prepay_time_t jan = fx_time(2024, 1, 1, 0, 0);
    assert_int_equal(fx_recharge(&fx, 1, 1, 1000000, jan), PREPAY_OK);
    const uint32_t meters[3] = {11, 12, 13};
    const prepay_energy_t zero[3] = {0, 0, 0};
    read_all(&fx, meters, zero, 3, jan);
    /* A: 80 kWh = 40.00 */
    assert_int_equal(fx_read(&fx, 11, jan + 10 * 86400, 80000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 4000);
    /* B: 50 kWh, 20 left in tier 1: 10.00 + 30 x 0.80 = 24.00 */
    assert_int_equal(fx_read(&fx, 12, jan + 11 * 86400, 50000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 4000 - 3400);
    /* A again: all in tier 2: 10 kWh = 8.00 */
    assert_int_equal(fx_read(&fx, 11, jan + 12 * 86400, 90000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 4000 - 3400 - 800);
    /* Water does not share the electricity ladder: 2 m3 = 6.00 */
    assert_int_equal(fx_read(&fx, 13, jan + 12 * 86400, 2000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 4000 - 3400 - 800 - 600);
    assert_int_equal(fx_ledger_balance(&fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_WATER)), 600);
    /* B across the month end, 24 kWh over [Jan 31 12:00, Feb 1 12:00): 12 kWh in January (tier 2: 9.60),
     * 12 kWh in February (a new ladder: 6.00). */
    assert_int_equal(fx_read(&fx, 12, fx_time(2024, 1, 31, 12, 0), 50000, NULL), 1); /* no energy since day 11 */
    assert_int_equal(fx_read(&fx, 12, fx_time(2024, 2, 1, 12, 0), 74000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 4000 - 3400 - 800 - 600 - 960 - 600);
    /* A in February: 12 kWh of B already there, 10 kWh more is still tier 1: 5.00 */
    assert_int_equal(fx_read(&fx, 11, fx_time(2024, 2, 1, 0, 0), 90000, NULL), 1);
    assert_int_equal(fx_read(&fx, 11, fx_time(2024, 2, 2, 0, 0), 100000, NULL), 1);
    assert_int_equal(fx_balance(&fx, 1), 1000000 - 4000 - 3400 - 800 - 600 - 960 - 600 - 500);
    fx_verify(&fx);
    fx_free(&fx);
}

static void test_contradictions(void **state)
{
    (void)state;
    fx_t fx;
    fx_defaults(&fx);
    fx_flat(&fx.tariff[1], 300000000, true);
    fx.config.tariff_count = 2;
    fx_start(&fx, 4, 8, 2, 8, 1);
    prepay_settlement_account_config_t a;
    prepay_settlement_account_config_init(&a);
    a.id = 0;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_E_SETTLEMENT_ID_RANGE);
    a.id = PREPAY_SETTLEMENT_SUBJECT_MAX + 1u;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_E_SETTLEMENT_ID_RANGE);
    a.id = 1;
    a.kind = 9;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_E_SETTLEMENT_BAD_CONFIG);
    a.kind = PREPAY_SETTLEMENT_PREPAID_REMOTE;
    a.policy = 3;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_E_SETTLEMENT_BAD_REFERENCE);
    a.policy = 0;
    a.tariff[PREPAY_SETTLEMENT_ELECTRICITY] = 1; /* a water tariff for electricity */
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_E_SETTLEMENT_COMMODITY);
    a.tariff[PREPAY_SETTLEMENT_ELECTRICITY] = 0;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_OK);
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_E_SETTLEMENT_DUPLICATE_ID);
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = 11;
    m.account_id = 5;
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT);
    m.account_id = 1;
    m.commodity = PREPAY_SETTLEMENT_WATER; /* the account has no water tariff */
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_E_SETTLEMENT_BAD_REFERENCE);
    m.tariff = 0; /* an electricity tariff for water */
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_E_SETTLEMENT_COMMODITY);
    m.tariff = PREPAY_SETTLEMENT_NONE16;
    m.commodity = PREPAY_SETTLEMENT_ELECTRICITY;
    m.flags = PREPAY_SETTLEMENT_METER_INITIAL;
    m.initial_reading = PREPAY_SETTLEMENT_DLT645_MODULUS;
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_E_SETTLEMENT_BAD_CONFIG);
    m.flags = 0;
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_OK);
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_E_SETTLEMENT_DUPLICATE_ID);
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 1;
    g.master_meter_id = 99;
    assert_int_equal(prepay_settlement_add_group(&fx.site, &g), PREPAY_E_SETTLEMENT_UNKNOWN_METER);
    g.master_meter_id = 11;
    g.number = 4096;
    assert_int_equal(prepay_settlement_add_group(&fx.site, &g), PREPAY_E_SETTLEMENT_ID_RANGE);
    g.number = 1;
    assert_int_equal(prepay_settlement_add_group(&fx.site, &g), PREPAY_OK);
    /* The master cannot be a member, nor a member of two groups */
    prepay_settlement_member_config_t mem = {1, 11, 0};
    assert_int_equal(prepay_settlement_add_member(&fx.site, &mem), PREPAY_E_SETTLEMENT_GROUP);
    mem.group = 2;
    assert_int_equal(prepay_settlement_add_member(&fx.site, &mem), PREPAY_E_SETTLEMENT_GROUP);
    /* A site meter cannot be a member (its share would have nobody to pay it) */
    m.id = 12;
    m.account_id = 0;
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_OK);
    mem = (prepay_settlement_member_config_t){1, 12, 0};
    assert_int_equal(prepay_settlement_add_member(&fx.site, &mem), PREPAY_E_SETTLEMENT_GROUP);
    /* Group without members: the close names it, nothing changes */
    m.id = 13;
    assert_int_equal(prepay_settlement_add_meter(&fx.site, &m), PREPAY_OK);
    g.number = 2;
    g.master_meter_id = 13;
    assert_int_equal(prepay_settlement_add_group(&fx.site, &g), PREPAY_OK);
    fx_open(&fx, 4);
    prepay_settlement_result_t res;
    assert_int_equal(prepay_settlement_close_period(&fx.site, &fx.books, &fx.close, fx_time(2024, 3, 1, 0, 0), &res),
                     PREPAY_E_SETTLEMENT_GROUP);
    assert_int_equal(res.error_id, 1);
    assert_int_equal(fx.site.period_index, 0);
    /* Readings before the books are open for a new account */
    prepay_settlement_account_config_init(&a);
    a.id = 2;
    assert_int_equal(prepay_settlement_add_account(&fx.site, &a), PREPAY_OK);
    fx_meter(&fx, 21, 2);
    assert_int_equal(fx_read(&fx, 21, 0, 0, NULL), PREPAY_E_SETTLEMENT_NOT_OPEN);
    fx_open(&fx, 4);
    assert_int_equal(fx_read(&fx, 21, 0, 0, NULL), 1);
    /* A meter added to an account whose books are open reads at once (the meter keeps the flag) */
    fx_meter(&fx, 22, 2);
    assert_int_equal(fx_read(&fx, 22, 0, 0, NULL), 1);
    fx_free(&fx);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_month_close_by_hand),
        cmocka_unit_test(test_straddling_reading),
        cmocka_unit_test(test_shared_ladder),
        cmocka_unit_test(test_contradictions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
