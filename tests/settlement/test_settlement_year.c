/* SPDX-License-Identifier: MIT */
/*
 * A year of a 200-room building (tests/vectors/settlement_building_year.txt
 * states the scenario and works January by hand): a master meter and
 * common-area allocation, a tenant who never pays, a household with two
 * meters on one ladder and one wallet, postpaid shops with statements, local
 * meters, a meter replacement and a register rollover; tenants recharge by
 * their habits in reaction to the events, and relays follow the decisions.
 * Checked: January against the hand-worked vectors, the year's totals,
 * statement chains, ledger verify and wallets == recharges - charges + debt
 * (prepay_settlement_verify()), and a re-run of the whole year by a new site
 * over the same ledger, which must find every transfer.
 *
 * Online payments with duplicate and missing notifies join this scenario with
 * the payment-order module: recharges are posted in pay() below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "settle_fixture.h"
#include "test_support.h"
#include "prepay/settlement_hosted.h"

#define ROOMS 200
#define H6 (6 * 3600)
#define MASTER 9000u
#define COMMON_W 2000

typedef struct room {
    int64_t power[2];        /* W per meter (household: two) */
    uint32_t meter[2];
    int meters;
    prepay_energy_t reg[2];
    bool relay_open;
    int habit;               /* 0 prompt, 1 late, 2 never, 3 shop */
    prepay_time_t pay_at;    /* scheduled recharge (0: none) */
    prepay_money_t pay_amount;
    uint32_t sequence;
} room_t;

typedef struct building {
    fx_t fx;
    room_t rooms[ROOMS + 1];
    prepay_energy_t master;
    size_t seen_events;
    uint32_t rollovers, replacements;
    prepay_money_t shop_energy_jan, shop_energy_feb;
} building_t;

static prepay_time_t month_start(int year, unsigned month)
{
    return fx_time(year + (int)((month - 1) / 12), (month - 1) % 12 + 1, 1, 0, 0);
}

static void tariffs(fx_t *fx)
{
    prepay_tariff_t *e = &fx->tariff[0];
    assert_int_equal(prepay_tariff_init(e), PREPAY_OK);
    e->band_count = 4;
    e->schedule.season_count = 1;
    e->schedule.day_table_count = 1;
    e->schedule.seasons[0] = (prepay_tou_season_t){1, 1, 0, 0, 0, 0};
    e->schedule.day_tables[0].slot_count = 3;
    e->schedule.day_tables[0].slots[0] = (prepay_tou_slot_t){0, PREPAY_BAND_VALLEY};
    e->schedule.day_tables[0].slots[1] = (prepay_tou_slot_t){8 * 60, PREPAY_BAND_PEAK};
    e->schedule.day_tables[0].slots[2] = (prepay_tou_slot_t){22 * 60, PREPAY_BAND_VALLEY};
    e->prices.band_price[PREPAY_BAND_PEAK - 1] = 70000000;
    e->prices.band_price[PREPAY_BAND_VALLEY - 1] = 40000000;
    e->tier_count = 2;
    e->ladders[0].upper[0] = 300000;
    e->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
    e->prices.tier_surcharge[1] = 10000000;
    assert_int_equal(prepay_tariff_validate(e), PREPAY_OK);
    fx_flat(&fx->tariff[1], 75000000, false);
    fx->config.tariff_count = 2;
}

static void build(building_t *b)
{
    fx_t *fx = &b->fx;
    prepay_ledger_t ledger = fx->ledger;
    prepay_ledger_memory_t ledger_memory = fx->ledger_memory;
    fx_defaults(fx);
    fx->ledger = ledger;
    fx->ledger_memory = ledger_memory;
    tariffs(fx);
    prepay_charge_item_t *fee = &fx->items[0];
    fee->item_id = 1;
    fee->basis = PREPAY_BILLING_PER_AREA;
    fee->rate = 200;
    fee->schedule = PREPAY_BILLING_MONTHLY;
    fee->anchor = (prepay_days_t)(month_start(2024, 1) / PREPAY_SECONDS_PER_DAY);
    fee->effective_from = fee->anchor;
    fee->effective_to = fee->anchor + 1000;
    fx->config.item_count = 1;
    fx->config.due_days = 10;
    fx_start(fx, ROOMS, ROOMS + 2, 1, ROOMS + 1, 5);
    for (uint32_t r = 1; r <= ROOMS; r++) {
        room_t *room = &b->rooms[r];
        memset(room, 0, sizeof *room);
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = r;
        a.area = 5000;
        a.kind = r >= 194 && r <= 198   ? PREPAY_SETTLEMENT_POSTPAID
                 : r >= 181 && r <= 190 ? PREPAY_SETTLEMENT_PREPAID_LOCAL
                                        : PREPAY_SETTLEMENT_PREPAID_REMOTE;
        assert_int_equal(prepay_settlement_add_account(&fx->site, &a), PREPAY_OK);
        room->meters = 1;
        room->meter[0] = 10 * r;
        room->power[0] = 100 + 50 * (r % 4);
        room->habit = r == 191 ? 2 : (r >= 194 && r <= 198) ? 3 : (r % 10 == 7 && r < 181) ? 1 : 0;
        if (r == 192) {
            room->meters = 2;
            room->meter[0] = 1920;
            room->meter[1] = 1921;
            room->power[0] = 300;
            room->power[1] = 200;
        }
        if (room->habit == 3) {
            room->power[0] = 1000;
        }
        for (int k = 0; k < room->meters; k++) {
            prepay_settlement_meter_config_t m;
            prepay_settlement_meter_config_init(&m);
            m.id = room->meter[k];
            m.account_id = r;
            assert_int_equal(prepay_settlement_add_meter(&fx->site, &m), PREPAY_OK);
        }
        if (r == 200) {
            room->reg[0] = 999950000;
        }
    }
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = MASTER;
    m.modulus = 0;
    assert_int_equal(prepay_settlement_add_meter(&fx->site, &m), PREPAY_OK);
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 1;
    g.method = PREPAY_SETTLEMENT_BY_AREA;
    g.tariff = 1;
    g.master_meter_id = MASTER;
    assert_int_equal(prepay_settlement_add_group(&fx->site, &g), PREPAY_OK);
    for (uint32_t r = 1; r <= ROOMS; r++) {
        for (int k = 0; k < b->rooms[r].meters; k++) {
            prepay_settlement_member_config_t mem = {1, b->rooms[r].meter[k], 0};
            assert_int_equal(prepay_settlement_add_member(&fx->site, &mem), PREPAY_OK);
        }
    }
    b->master = 0;
    b->seen_events = 0;
    b->rollovers = b->replacements = 0;
    fx_open(fx, ROOMS + 2);
}

static void pay(building_t *b, uint32_t r, prepay_money_t amount, prepay_time_t t)
{
    room_t *room = &b->rooms[r];
    prepay_settlement_recharge_t rc;
    memset(&rc, 0, sizeof rc);
    rc.account_id = r;
    rc.sequence = ++room->sequence;
    rc.amount = amount;
    rc.order_id = (uint64_t)r << 32 | rc.sequence;
    rc.time = t;
    prepay_settlement_result_t res;
    int status = prepay_settlement_recharge(&b->fx.site, &b->fx.books, &b->fx.work, &rc, NULL, &res);
    if (status != PREPAY_OK) {
        fail_msg("recharge of room %u: %s (%s)", r, prepay_strerror(status), prepay_strerror(res.error_detail));
    }
}

/* First 06:00 round strictly after t. */
static prepay_time_t next_morning(prepay_time_t t)
{
    prepay_time_t day = t - t % PREPAY_SECONDS_PER_DAY;
    prepay_time_t at = day + 6 * 3600;
    return at > t ? at : at + PREPAY_SECONDS_PER_DAY;
}

static void react(building_t *b)
{
    fx_t *fx = &b->fx;
    for (; b->seen_events < fx->log_count; b->seen_events++) {
        const prepay_settlement_event_t *e = &fx->log[b->seen_events];
        if (e->type == PREPAY_SETTLEMENT_EVENT_ROLLOVER) {
            b->rollovers++;
        }
        if (e->type == PREPAY_SETTLEMENT_EVENT_REPLACED) {
            b->replacements++;
        }
        if (e->account_id == 0 || e->account_id > ROOMS) {
            continue;
        }
        room_t *room = &b->rooms[e->account_id];
        if (room->pay_at != 0) {
            continue;
        }
        if (room->habit == 0 && e->type == PREPAY_SETTLEMENT_EVENT_LOW_BALANCE) {
            room->pay_at = next_morning(e->time);
            room->pay_amount = 10000;
        } else if (room->habit == 1 && e->type == PREPAY_SETTLEMENT_EVENT_CUTOFF) {
            room->pay_at = e->time + 24 * 3600;
            room->pay_amount = 20000;
        }
    }
}

static const tv_record_t *find_record(const tv_file_t *v, const char *kind)
{
    for (size_t i = 0; i < v->count; i++) {
        if (strcmp(v->records[i].kind, kind) == 0) {
            return &v->records[i];
        }
    }
    fail_msg("no [%s] record", kind);
    return NULL;
}

static int64_t num(const tv_record_t *r, const char *key)
{
    return strtoll(tv_need(r, key), NULL, 10);
}

static void check_january(building_t *b, const tv_file_t *v)
{
    fx_t *fx = &b->fx;
    for (size_t i = 0; i < v->count; i++) {
        const tv_record_t *rec = &v->records[i];
        if (strcmp(rec->kind, "room") != 0) {
            continue;
        }
        uint32_t r = (uint32_t)num(rec, "room");
        const prepay_settlement_account_t *a = prepay_settlement_account(&fx->site, r);
        assert_non_null(a);
        if (a->books.energy != num(rec, "energy") || a->books.balance != num(rec, "balance") ||
            a->books.debt != num(rec, "debt")) {
            fail_msg("room %u in January: energy %lld balance %lld debt %lld (vectors line %d)", r,
                     (long long)a->books.energy, (long long)a->books.balance, (long long)a->books.debt, rec->line);
        }
        assert_int_equal(a->books.shares, 558);
        assert_int_equal(a->books.items, 10000);
        if (tv_get(rec, "recharged")) {
            assert_int_equal(a->books.recharged, num(rec, "recharged"));
        }
        if (tv_get(rec, "level")) {
            assert_int_equal(a->wallet.level, num(rec, "level"));
        }
    }
    const tv_record_t *c = find_record(v, "common");
    const prepay_settlement_group_t *g = &fx->site.memory.groups[0];
    assert_int_equal(g->last_common, num(c, "common_wh"));
    assert_int_equal(g->last_charge, num(c, "charge"));
    const tv_record_t *s = find_record(v, "shop");
    uint32_t shop = (uint32_t)num(s, "room");
    assert_int_equal(prepay_settlement_account(&fx->site, shop)->books.energy, num(s, "energy_january"));
    bool found = false;
    for (size_t i = 0; i < fx->statement_count; i++) {
        if (fx->statements[i].account_id == shop) {
            assert_int_equal(fx->statements[i].closing, num(s, "closing_january"));
            found = true;
        }
    }
    assert_true(found);
    b->shop_energy_jan = num(s, "energy_january");
}

static void check_february(building_t *b, const tv_file_t *v)
{
    fx_t *fx = &b->fx;
    const tv_record_t *s = find_record(v, "shop");
    uint32_t shop = (uint32_t)num(s, "room");
    assert_int_equal(prepay_settlement_account(&fx->site, shop)->books.energy - b->shop_energy_jan,
                     num(s, "energy_february"));
    const fx_statement_t *last = NULL;
    for (size_t i = 0; i < fx->statement_count; i++) {
        if (fx->statements[i].account_id == shop) {
            last = &fx->statements[i];
        }
    }
    assert_non_null(last);
    if (last == NULL) {
        return; /* not reached: tells gcc -O3 (-Wnull-dereference) that a statement was found */
    }
    assert_int_equal(last->closing, num(s, "closing_february"));
}

/* Runs the year; with vectors, checks January and February on the way. */
static void run_year(building_t *b, const tv_file_t *v)
{
    fx_t *fx = &b->fx;
    prepay_time_t start = month_start(2024, 1), end = month_start(2025, 1);
    prepay_settlement_reading_t batch[ROOMS + 2];
    for (prepay_time_t t = start; t <= end; t += H6) {
        /* The interval (t - 6h, t]: energy of every closed relay, the master sees all of it. */
        if (t > start) {
            prepay_energy_t sum = 0;
            for (uint32_t r = 1; r <= ROOMS; r++) {
                room_t *room = &b->rooms[r];
                for (int k = 0; k < room->meters; k++) {
                    prepay_energy_t e = room->relay_open ? 0 : 6 * room->power[k];
                    room->reg[k] += e;
                    if (room->reg[k] >= PREPAY_SETTLEMENT_DLT645_MODULUS) {
                        room->reg[k] -= PREPAY_SETTLEMENT_DLT645_MODULUS;
                    }
                    sum += e;
                }
            }
            b->master += sum + 6 * COMMON_W;
        }
        size_t n = 0;
        for (uint32_t r = 1; r <= ROOMS; r++) {
            for (int k = 0; k < b->rooms[r].meters; k++) {
                batch[n++] = (prepay_settlement_reading_t){b->rooms[r].meter[k], 0, t, b->rooms[r].reg[k]};
            }
        }
        batch[n++] = (prepay_settlement_reading_t){MASTER, 0, t, b->master};
        prepay_settlement_result_t res;
        int status = prepay_settlement_settle(&fx->site, &fx->books, &fx->work, batch, n, &res);
        if (status < 0) {
            fail_msg("round %lld: %s (reading %u, meter %u, %s)", (long long)t, prepay_strerror(status),
                     res.error_index, res.error_id, prepay_strerror(res.error_detail));
        }
        if (t > start && t % PREPAY_SECONDS_PER_DAY == 0) {
            int32_t year;
            uint8_t month, day;
            assert_int_equal(prepay_time_date_from_days((prepay_days_t)(t / PREPAY_SECONDS_PER_DAY), &year, &month,
                                                        &day),
                             PREPAY_OK);
            if (day == 1) {
                status = prepay_settlement_close_period(&fx->site, &fx->books, &fx->close,
                                                        month_start(year, (unsigned)month + 1u), &res);
                if (status != PREPAY_OK) {
                    fail_msg("close %d-%02u: %s (id %u, %s)", year, month, prepay_strerror(status), res.error_id,
                             prepay_strerror(res.error_detail));
                }
                if (v && year == 2024 && month == 2) {
                    check_january(b, v);
                }
                if (v && year == 2024 && month == 3) {
                    check_february(b, v);
                }
            }
            if (day == 10) {
                /* Each shop pays its last statement's closing balance. */
                for (uint32_t r = 194; r <= 198; r++) {
                    prepay_money_t closing = 0;
                    for (size_t i = 0; i < fx->statement_count; i++) {
                        if (fx->statements[i].account_id == r) {
                            closing = fx->statements[i].closing;
                        }
                    }
                    if (closing > 0) {
                        pay(b, r, closing, t);
                    }
                }
            }
        }
        if (t == fx_time(2024, 3, 15, 12, 0)) {
            room_t *room = &b->rooms[199];
            prepay_settlement_replacement_t repl = {room->meter[0], t, room->reg[0], 0, 0};
            assert_int_equal(prepay_settlement_replace_meter(&fx->site, &fx->books, &fx->work, &repl, &res), PREPAY_OK);
            room->reg[0] = 0;
        }
        for (uint32_t r = 1; r <= ROOMS; r++) {
            room_t *room = &b->rooms[r];
            if (t == start && room->habit <= 1) {
                pay(b, r, 10000, t);
            } else if (room->pay_at == t) {
                room->pay_at = 0;
                pay(b, r, room->pay_amount, t);
            }
        }
        react(b);
        for (uint32_t r = 1; r <= ROOMS; r++) {
            const prepay_settlement_account_t *a = prepay_settlement_account(&fx->site, r);
            b->rooms[r].relay_open = a->config.kind != PREPAY_SETTLEMENT_POSTPAID && a->relay == PREPAY_WALLET_RELAY_OPEN;
        }
    }
}

static void test_building_year(void **state)
{
    (void)state;
    tv_file_t v;
    tv_load("settlement_building_year.txt", &v);
    building_t *b = calloc(1, sizeof *b);
    build(b);
    run_year(b, &v);
    fx_t *fx = &b->fx;
    fx_verify(fx);
    const tv_record_t *y = find_record(&v, "year");
    assert_int_equal(fx_ledger_balance(fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_COMMON_AREA)),
                     num(y, "common_revenue"));
    assert_int_equal(fx_ledger_balance(fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_CHARGES)),
                     num(y, "charges_revenue"));
    assert_int_equal(prepay_settlement_account(&fx->site, 191)->books.debt, num(y, "room_191_debt"));
    assert_int_equal(b->rollovers, num(y, "rollovers"));
    assert_int_equal(b->replacements, num(y, "replacements"));
    /* Revenue = what the accounts were charged; the shops' statements chain. */
    prepay_money_t energy = 0, shares = 0, items = 0;
    for (uint32_t r = 1; r <= ROOMS; r++) {
        const prepay_settlement_account_t *a = prepay_settlement_account(&fx->site, r);
        energy += a->books.energy;
        shares += a->books.shares;
        items += a->books.items;
    }
    assert_int_equal(fx_ledger_balance(fx, prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_ELECTRICITY)),
                     energy);
    assert_int_equal(shares, num(y, "common_revenue"));
    assert_int_equal(items, num(y, "charges_revenue"));
    assert_int_equal(fx->statement_count, 5 * 12);
    for (uint32_t r = 194; r <= 198; r++) {
        prepay_money_t previous = 0;
        int count = 0;
        for (size_t i = 0; i < fx->statement_count; i++) {
            if (fx->statements[i].account_id != r) {
                continue;
            }
            assert_int_equal(fx->statements[i].opening, previous);
            previous = fx->statements[i].closing;
            count++;
        }
        assert_int_equal(count, 12);
        const prepay_settlement_account_t *a = prepay_settlement_account(&fx->site, r);
        assert_int_equal(previous, a->books.debt - a->books.balance);
    }
    uint32_t transfers = prepay_ledger_transfer_count(&fx->ledger);
    print_message("year: %u transfers, %zu events, electricity %lld.%02lld yuan, %u cut-offs\n", transfers,
                  fx->log_count, (long long)(energy / 100), (long long)(energy % 100),
                  (unsigned)fx_events(fx, PREPAY_SETTLEMENT_EVENT_CUTOFF, 0));
    /* A new site over the same ledger re-runs the year: nothing new is posted. */
    prepay_money_t balances[ROOMS + 1];
    for (uint32_t r = 1; r <= ROOMS; r++) {
        balances[r] = prepay_settlement_account(&fx->site, r)->books.balance;
    }
    prepay_settlement_memory_free(&fx->memory);
    prepay_settlement_work_free(&fx->work);
    prepay_settlement_work_free(&fx->close);
    fx->has_work = false;
    free(fx->log);
    fx->log = NULL;
    fx->log_count = fx->log_cap = 0;
    fx->statement_count = 0;
    build(b);
    run_year(b, NULL);
    assert_int_equal(prepay_ledger_transfer_count(&fx->ledger), transfers);
    for (uint32_t r = 1; r <= ROOMS; r++) {
        assert_int_equal(prepay_settlement_account(&fx->site, r)->books.balance, balances[r]);
    }
    fx_verify(fx);
    fx_free(fx);
    free(b);
    tv_free(&v);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_building_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
