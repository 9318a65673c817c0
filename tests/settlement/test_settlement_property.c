/* SPDX-License-Identifier: MIT */
/*
 * Properties of settlement:
 * - for every tariff in examples/tariffs/ (loaded with the hosted loader),
 *   settling random readings one by one, and in random batches, posts exactly
 *   the batch bill of the same intervals (prepay_tariff_eval_batch()) rounded
 *   once by the tariff's rule, to the fen;
 * - every input replayed twice (into the same site, into a new site over the
 *   same ledger, or each input doubled) gives the same books;
 * - readings arriving out of order (each meter's readings delayed by random
 *   numbers of batches, shuffled inside batches, recharges in between) give
 *   the same books as in order.
 * argv[1]: vectors directory; argv[2]: the examples/tariffs directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/tariff_json.h"
#include "prepay/settlement_hosted.h"
#include "settle_fixture.h"

static const char *tariffs_dir = "examples/tariffs";

static uint64_t rng_state;
static uint64_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t x = rng_state;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 32);
}
static int64_t between(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* ---- stream == batch, every example tariff --------------------------------------------- */

static const char *const tariff_files[] = {
    "beijing_residential_annual.json", "guangzhou_residential_tou.json",  "zhejiang_residential_tou.json",
    "shanghai_residential_per_band.json", "guangdong_ci_tou_sharp.json", "beijing_ci_tou_sharp.json",
    "beijing_water_residential.json",
};

#define READINGS 2500

static void site_for(fx_t *fx, const prepay_tariff_doc_t *doc, bool water)
{
    fx_defaults(fx);
    assert_int_equal(prepay_tariff_doc_plan(doc, &fx->tariffs[0].plan), PREPAY_OK);
    fx_start(fx, 2, 2, 0, 0, 1);
    prepay_settlement_account_config_t a;
    prepay_settlement_account_config_init(&a);
    a.id = 1;
    a.tariff[PREPAY_SETTLEMENT_ELECTRICITY] = water ? PREPAY_SETTLEMENT_NONE16 : 0;
    a.tariff[PREPAY_SETTLEMENT_WATER] = water ? 0 : PREPAY_SETTLEMENT_NONE16;
    a.tariff_account = doc->account;
    assert_int_equal(prepay_settlement_add_account(&fx->site, &a), PREPAY_OK);
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = 7;
    m.account_id = 1;
    m.commodity = water ? PREPAY_SETTLEMENT_WATER : PREPAY_SETTLEMENT_ELECTRICITY;
    m.di = 0;
    m.modulus = 0;
    assert_int_equal(prepay_settlement_add_meter(&fx->site, &m), PREPAY_OK);
    fx_open(fx, 64);
    assert_int_equal(fx_recharge(fx, 1, 1, INT64_C(1000000000000), fx_time(2024, 1, 1, 0, 0)), PREPAY_OK);
}

static prepay_money_t revenue(const fx_t *fx, bool water)
{
    return fx_ledger_balance(fx, prepay_settlement_ledger_account_id(
                                     0, water ? PREPAY_SETTLEMENT_SITE_WATER : PREPAY_SETTLEMENT_SITE_ELECTRICITY));
}

static void test_stream_equals_batch(void **state)
{
    (void)state;
    static prepay_settlement_reading_t readings[READINGS];
    static prepay_tariff_interval_t intervals[READINGS];
    static prepay_tariff_line_t lines[8192];
    for (size_t f = 0; f < sizeof tariff_files / sizeof tariff_files[0]; f++) {
        char path[1024], err[256];
        snprintf(path, sizeof path, "%s/%s", tariffs_dir, tariff_files[f]);
        prepay_tariff_doc_t *doc = malloc(sizeof *doc);
        int status = prepay_tariff_doc_load_file(path, doc, err, sizeof err);
        if (status != PREPAY_OK) {
            fail_msg("%s: %s", path, err);
        }
        bool water = doc->sets[0].unit == PREPAY_TARIFF_UNIT_WATER;
        rng_state = 1000 + f;
        prepay_time_t t = fx_time(2024, 1, 1, 0, 0) + between(0, 86399);
        prepay_energy_t reg = between(0, 1000000);
        for (size_t i = 0; i < READINGS; i++) {
            int64_t kind = between(0, 9);
            int64_t step = kind < 1 ? between(60, 300) : kind < 8 ? between(900, 6 * 3600) : between(86400, 3 * 86400);
            if (i > 0) {
                prepay_energy_t e = water ? between(0, step / 60) : between(0, step * 3 / 4);
                intervals[i - 1] = (prepay_tariff_interval_t){t, t + step, e};
                t += step;
                reg += e;
            }
            readings[i] = (prepay_settlement_reading_t){7, 0, t, reg};
        }
        fx_t one, many;
        site_for(&one, doc, water);
        site_for(&many, doc, water);
        for (size_t i = 0; i < READINGS; i++) {
            assert_int_equal(fx_read(&one, 7, readings[i].time, readings[i].value, NULL), 1);
        }
        for (size_t i = 0; i < READINGS;) {
            size_t k = (size_t)between(1, 64);
            if (k > READINGS - i) {
                k = READINGS - i;
            }
            prepay_settlement_result_t res;
            assert_int_equal(prepay_settlement_settle(&many.site, &many.books, &many.work, readings + i, k, &res),
                             (int)k);
            i += k;
        }
        prepay_tariff_bill_t bill;
        assert_int_equal(prepay_tariff_bill_init(&bill, &doc->sets[0], lines, 8192), PREPAY_OK);
        assert_int_equal(prepay_tariff_eval_batch(&one.tariffs[0].plan, &doc->account, NULL, intervals, READINGS - 1,
                                                  &bill),
                         PREPAY_OK);
        prepay_money_t expect;
        assert_int_equal(prepay_amount_round(bill.exact_total, doc->sets[0].rounding, &expect), PREPAY_OK);
        print_message("%-36s %zu intervals, %zu bill lines, batch %lld.%02lld yuan\n", tariff_files[f],
                      (size_t)READINGS - 1, bill.line_count, (long long)(expect / 100), (long long)(expect % 100));
        assert_int_equal(revenue(&one, water), expect);
        assert_int_equal(revenue(&many, water), expect);
        assert_int_equal(fx_balance(&one, 1), fx_balance(&many, 1));
        fx_verify(&one);
        fx_verify(&many);
        fx_free(&one);
        fx_free(&many);
        free(doc);
    }
}

/* ---- a mixed scenario as a list of inputs ------------------------------------------------ */

enum { OP_BATCH = 1, OP_RECHARGE = 2, OP_CLOSE = 3 };

typedef struct op {
    int kind;
    size_t first, count;             /* OP_BATCH: readings[first .. first + count) */
    prepay_settlement_recharge_t recharge;
    prepay_time_t next_end;
} op_t;

#define MAX_OPS 4096
#define MAX_READINGS 65536
#define S_ACCOUNTS 6
#define S_METERS 9

typedef struct scenario {
    op_t ops[MAX_OPS];
    size_t op_count;
    prepay_settlement_reading_t readings[MAX_READINGS];
    size_t reading_count;
} scenario_t;

/* Accounts 1..6: 1-3 remote (2 never pays; 3 has two meters), 4 local, 5-6 postpaid.
 * Meters: 11 21 31 32 41 51 61 on accounts, 90 the master, 33 water on account 3. */
static const uint32_t meter_ids[S_METERS] = {11, 21, 31, 32, 41, 51, 61, 90, 33};

static void scenario_site(fx_t *fx, const prepay_tariff_doc_t *doc)
{
    fx_defaults(fx);
    assert_int_equal(prepay_tariff_doc_plan(doc, &fx->tariffs[0].plan), PREPAY_OK);
    fx_flat(&fx->tariff[1], 60000000, false);   /* common area 0.60 */
    fx_flat(&fx->tariff[2], 350000000, true);   /* water 3.50 */
    fx->config.tariff_count = 3;
    prepay_charge_item_t *fee = &fx->items[0];
    memset(fee, 0, sizeof *fee);
    fee->item_id = 3;
    fee->basis = PREPAY_BILLING_PER_AREA;
    fee->rate = 150;
    fee->schedule = PREPAY_BILLING_MONTHLY;
    fee->anchor = (prepay_days_t)(fx_time(2024, 1, 1, 0, 0) / PREPAY_SECONDS_PER_DAY);
    fee->effective_from = fee->anchor;
    fee->effective_to = fee->anchor + 4000;
    fx->config.item_count = 1;
    fx->config.gap_seconds = 2 * 86400;
    fx_start(fx, 8, 16, 1, 16, 4);
    static const uint8_t kinds[S_ACCOUNTS] = {PREPAY_SETTLEMENT_PREPAID_REMOTE, PREPAY_SETTLEMENT_PREPAID_REMOTE,
                                              PREPAY_SETTLEMENT_PREPAID_REMOTE, PREPAY_SETTLEMENT_PREPAID_LOCAL,
                                              PREPAY_SETTLEMENT_POSTPAID,       PREPAY_SETTLEMENT_POSTPAID};
    for (uint32_t i = 0; i < S_ACCOUNTS; i++) {
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = i + 1;
        a.kind = kinds[i];
        a.area = 4000 + 1000 * (int64_t)i;
        a.tariff[PREPAY_SETTLEMENT_WATER] = 2;
        a.tariff_account = doc->account;
        assert_int_equal(prepay_settlement_add_account(&fx->site, &a), PREPAY_OK);
    }
    for (size_t i = 0; i < S_METERS; i++) {
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = meter_ids[i];
        m.account_id = meter_ids[i] == 90 ? 0 : meter_ids[i] / 10;
        if (meter_ids[i] == 33) {
            m.commodity = PREPAY_SETTLEMENT_WATER;
            m.di = 0;
        }
        assert_int_equal(prepay_settlement_add_meter(&fx->site, &m), PREPAY_OK);
    }
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 1;
    g.method = PREPAY_SETTLEMENT_BY_USAGE;
    g.tariff = 1;
    g.master_meter_id = 90;
    assert_int_equal(prepay_settlement_add_group(&fx->site, &g), PREPAY_OK);
    for (size_t i = 0; i < S_METERS; i++) {
        if (meter_ids[i] != 90 && meter_ids[i] != 33 && meter_ids[i] != 32) {
            prepay_settlement_member_config_t mem = {1, meter_ids[i], 1};
            assert_int_equal(prepay_settlement_add_member(&fx->site, &mem), PREPAY_OK);
        }
    }
    fx_open(fx, 64);
}

/* Arrival randomness, apart from the readings' values so that both runs see the same readings. */
static uint64_t arrival_state;
static uint64_t arrival(uint64_t n)
{
    arrival_state = arrival_state * 2862933555777941757ull + 3037000493ull;
    return (arrival_state >> 33) % n;
}

/* Three months, a batch every 4 hours; recharges at fixed batch numbers; a close at each month end.
 * `delayed`: readings arrive up to 5 batches late (never across a close), shuffled inside batches. */
static void scenario_make(scenario_t *s, uint64_t seed, bool delayed)
{
    memset(s, 0, sizeof *s);
    rng_state = seed;
    arrival_state = seed ^ 0x5DEECE66Dull;
    prepay_energy_t reg[S_METERS] = {0};
    uint32_t sequence[S_ACCOUNTS + 1] = {0};
    prepay_time_t start = fx_time(2024, 1, 1, 0, 0);
    const prepay_time_t ends[3] = {fx_time(2024, 2, 1, 0, 0), fx_time(2024, 3, 1, 0, 0), fx_time(2024, 4, 1, 0, 0)};
    const prepay_time_t next_ends[3] = {fx_time(2024, 3, 1, 0, 0), fx_time(2024, 4, 1, 0, 0),
                                        fx_time(2024, 5, 1, 0, 0)};
    static size_t batch_of[MAX_READINGS];
    prepay_time_t t = start;
    size_t batch = 0; /* global batch number */
    for (int p = 0; p < 3; p++) {
        size_t period_first = s->reading_count;
        size_t first_batch = batch;
        for (; t <= ends[p]; t += 4 * 3600, batch++) {
            prepay_energy_t sum = 0;
            for (size_t m = 0; m < S_METERS; m++) {
                if (meter_ids[m] == 90) {
                    continue;
                }
                if (t > start && meter_ids[m] != 33) {
                    prepay_energy_t e = between(0, 4000);
                    reg[m] += e;
                    sum += e;
                } else if (t > start) {
                    reg[m] += between(0, 80);
                }
                if (rnd() % 16u == 0u && t != ends[p] && t > start) {
                    continue; /* a missed reading: a gap */
                }
                batch_of[s->reading_count] = batch;
                s->readings[s->reading_count++] = (prepay_settlement_reading_t){meter_ids[m], 0, t, reg[m]};
            }
            reg[7] += sum + between(0, 3000); /* master: rooms + common + losses */
            batch_of[s->reading_count] = batch;
            s->readings[s->reading_count++] = (prepay_settlement_reading_t){90, 0, t, reg[7]};
        }
        size_t n = s->reading_count - period_first;
        size_t *bof = batch_of + period_first;
        prepay_settlement_reading_t *rd = s->readings + period_first;
        if (delayed) {
            /* Each meter's readings keep their order; each arrives 0..5 batches late, but by the period end. */
            size_t last[S_METERS] = {0};
            for (size_t i = 0; i < n; i++) {
                size_t m = 0;
                while (meter_ids[m] != rd[i].meter_id) {
                    m++;
                }
                size_t b = bof[i] + (size_t)arrival(6);
                if (b >= batch) {
                    b = batch - 1;
                }
                if (b < last[m]) {
                    b = last[m];
                }
                last[m] = b;
                bof[i] = b;
            }
            for (size_t i = 1; i < n; i++) { /* stable insertion sort by arrival batch */
                prepay_settlement_reading_t r = rd[i];
                size_t b = bof[i], j = i;
                while (j > 0 && bof[j - 1] > b) {
                    rd[j] = rd[j - 1];
                    bof[j] = bof[j - 1];
                    j--;
                }
                rd[j] = r;
                bof[j] = b;
            }
        }
        size_t i = 0;
        for (size_t b = first_batch; b < batch; b++) {
            size_t j = i;
            while (j < n && bof[j] == b) {
                j++;
            }
            if (delayed) {
                for (size_t k = j; k > i + 1; k--) {
                    size_t x = i + (size_t)arrival(k - i);
                    prepay_settlement_reading_t tmp = rd[k - 1];
                    rd[k - 1] = rd[x];
                    rd[x] = tmp;
                }
            }
            if (j > i) {
                op_t *o = &s->ops[s->op_count++];
                o->kind = OP_BATCH;
                o->first = period_first + i;
                o->count = j - i;
            }
            i = j;
            if (b % 7u == 3u) {
                uint32_t account = (uint32_t)(1 + b % S_ACCOUNTS);
                if (account != 2) {
                    op_t *r = &s->ops[s->op_count++];
                    r->kind = OP_RECHARGE;
                    r->recharge.account_id = account;
                    r->recharge.sequence = ++sequence[account];
                    r->recharge.amount = 2000 + (prepay_money_t)(b % 5u) * 1000;
                    r->recharge.time = start + (prepay_time_t)b * 4 * 3600 + 60;
                    r->recharge.order_id = b;
                }
            }
        }
        op_t *c = &s->ops[s->op_count++];
        c->kind = OP_CLOSE;
        c->next_end = next_ends[p];
    }
}

/* Recharges carry a time: in the delayed run they keep the time of their batch number. */
static void scenario_run(fx_t *fx, const scenario_t *s, bool doubled)
{
    for (size_t i = 0; i < s->op_count; i++) {
        for (int rep = 0; rep < (doubled ? 2 : 1); rep++) {
            const op_t *o = &s->ops[i];
            prepay_settlement_result_t res;
            int status = PREPAY_OK;
            if (o->kind == OP_BATCH) {
                status = prepay_settlement_settle(&fx->site, &fx->books, &fx->work, s->readings + o->first, o->count,
                                                  &res);
            } else if (o->kind == OP_RECHARGE) {
                status = prepay_settlement_recharge(&fx->site, &fx->books, &fx->work, &o->recharge, NULL, &res);
            } else {
                status = prepay_settlement_close_period(&fx->site, &fx->books, &fx->close, o->next_end, &res);
            }
            if (status < 0) {
                fail_msg("op %zu (kind %d): %s, index %u id %u detail %s", i, o->kind, prepay_strerror(status),
                         res.error_index, res.error_id, prepay_strerror(res.error_detail));
            }
        }
    }
}

/* The books: every ledger account's balance, in the site's id order. */
#define BOOK_ROWS (S_ACCOUNTS * 3 + 8)
static void digest(const fx_t *fx, prepay_money_t out[BOOK_ROWS])
{
    size_t n = 0;
    for (uint32_t role = 1; role <= 7; role++) {
        out[n++] = fx_ledger_balance(fx, prepay_settlement_ledger_account_id(0, role));
    }
    for (uint32_t a = 1; a <= S_ACCOUNTS; a++) {
        for (uint32_t role = 1; role <= 3; role++) {
            out[n++] = fx_ledger_balance(fx, prepay_settlement_ledger_account_id(a, role));
        }
    }
    out[n] = 0;
}

static prepay_tariff_doc_t *guangzhou(void)
{
    char path[1024], err[256];
    snprintf(path, sizeof path, "%s/guangzhou_residential_tou.json", tariffs_dir);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (prepay_tariff_doc_load_file(path, doc, err, sizeof err) != PREPAY_OK) {
        fail_msg("%s", err);
    }
    return doc;
}

static void test_replayed_twice(void **state)
{
    (void)state;
    prepay_tariff_doc_t *doc = guangzhou();
    scenario_t *s = malloc(sizeof *s);
    scenario_make(s, 77, false);
    fx_t a, b, c;
    prepay_money_t da[BOOK_ROWS], db[BOOK_ROWS], dc[BOOK_ROWS];
    scenario_site(&a, doc);
    scenario_run(&a, s, false);
    fx_verify(&a);
    digest(&a, da);
    uint32_t transfers = prepay_ledger_transfer_count(&a.ledger);
    print_message("scenario: %zu inputs, %zu readings, %u transfers, %zu events, %zu statements\n", s->op_count,
                  s->reading_count, transfers, a.log_count, a.statement_count);
    assert_true(a.statement_count >= 6);
    assert_true(fx_events(&a, PREPAY_SETTLEMENT_EVENT_DEBT_CREATED, 2) > 0);
    /* (1) The same inputs again into the same site: nothing changes. */
    scenario_run(&a, s, false);
    digest(&a, db);
    assert_memory_equal(da, db, sizeof da);
    assert_int_equal(prepay_ledger_transfer_count(&a.ledger), transfers);
    /* (2) A new site over the same ledger (a crash lost the site): every transfer is found, same events. */
    size_t events = a.log_count;
    prepay_settlement_event_t *log = malloc(events * sizeof *log);
    memcpy(log, a.log, events * sizeof *log);
    prepay_settlement_memory_free(&a.memory);
    a.log_count = 0;
    fx_start(&a, 8, 16, 1, 16, 4);
    fx_t tmp;
    scenario_site(&tmp, doc); /* the same site description, added to a's fresh memory below */
    for (uint32_t i = 0; i < tmp.site.account_count; i++) {
        assert_int_equal(prepay_settlement_add_account(&a.site, &tmp.site.memory.accounts[i].config), PREPAY_OK);
    }
    for (uint32_t i = 0; i < tmp.site.meter_count; i++) {
        assert_int_equal(prepay_settlement_add_meter(&a.site, &tmp.site.memory.meters[i].config), PREPAY_OK);
    }
    assert_int_equal(prepay_settlement_add_group(&a.site, &tmp.site.memory.groups[0].config), PREPAY_OK);
    for (uint32_t i = 0; i < tmp.site.member_count; i++) {
        assert_int_equal(prepay_settlement_add_member(&a.site, &tmp.site.memory.members[i].config), PREPAY_OK);
    }
    fx_free(&tmp);
    fx_open(&a, 64);
    size_t statements_before = a.statement_count;
    scenario_run(&a, s, false);
    assert_int_equal(prepay_ledger_transfer_count(&a.ledger), transfers);
    digest(&a, db);
    assert_memory_equal(da, db, sizeof da);
    assert_int_equal(a.log_count, events);
    for (size_t i = 0; i < events; i++) {
        assert_memory_equal(&log[i], &a.log[i], sizeof log[i]);
    }
    assert_int_equal(a.statement_count - statements_before, statements_before);
    fx_verify(&a);
    /* (3) Every input doubled, on a fresh site and ledger. */
    scenario_site(&b, doc);
    scenario_run(&b, s, true);
    digest(&b, db);
    assert_memory_equal(da, db, sizeof da);
    assert_int_equal(prepay_ledger_transfer_count(&b.ledger), transfers);
    fx_verify(&b);
    (void)dc;
    (void)c;
    free(log);
    fx_free(&a);
    fx_free(&b);
    free(s);
    free(doc);
}

static void test_out_of_order(void **state)
{
    (void)state;
    prepay_tariff_doc_t *doc = guangzhou();
    scenario_t *in_order = malloc(sizeof *in_order);
    scenario_t *delayed = malloc(sizeof *delayed);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        scenario_make(in_order, seed, false);
        scenario_make(delayed, seed, true);
        fx_t a, b;
        prepay_money_t da[BOOK_ROWS], db[BOOK_ROWS];
        scenario_site(&a, doc);
        scenario_run(&a, in_order, false);
        scenario_site(&b, doc);
        scenario_run(&b, delayed, false);
        digest(&a, da);
        digest(&b, db);
        for (size_t i = 0; i < BOOK_ROWS; i++) {
            if (da[i] != db[i]) {
                fail_msg("seed %llu: book row %zu differs: %lld in order, %lld delayed", (unsigned long long)seed, i,
                         (long long)da[i], (long long)db[i]);
            }
        }
        fx_verify(&a);
        fx_verify(&b);
        fx_free(&a);
        fx_free(&b);
    }
    free(in_order);
    free(delayed);
    free(doc);
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        tariffs_dir = argv[2];
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_equals_batch),
        cmocka_unit_test(test_replayed_twice),
        cmocka_unit_test(test_out_of_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
