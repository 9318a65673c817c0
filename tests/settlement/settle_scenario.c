/* SPDX-License-Identifier: MIT */
/* A deterministic settlement scenario (see settle_scenario.h). */
#include <stdlib.h>
#include <string.h>

#include "settle_scenario.h"
#include "prepay/settlement_hosted.h"

static uint64_t next(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t x = *state;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 32);
}

static prepay_time_t day_time(prepay_days_t day)
{
    return (prepay_time_t)day * PREPAY_SECONDS_PER_DAY;
}

static prepay_days_t date(int year, unsigned month, unsigned day)
{
    prepay_days_t d = 0;
    (void)prepay_time_days_from_date(year, month, day, &d);
    return d;
}

/* Room kinds: r % 8: 0 postpaid, 1 local, 5 never pays (remote), 6 household (remote, two meters), else remote. */
static uint8_t kind_of(uint32_t r)
{
    switch (r % 8u) {
    case 0: return PREPAY_SETTLEMENT_POSTPAID;
    case 1: return PREPAY_SETTLEMENT_PREPAID_LOCAL;
    default: return PREPAY_SETTLEMENT_PREPAID_REMOTE;
    }
}

static void tariffs(scn_t *s)
{
    prepay_tariff_t *e = &s->tariff[0];
    (void)prepay_tariff_init(e);
    e->band_count = 4;
    e->schedule.season_count = 1;
    e->schedule.day_table_count = 1;
    e->schedule.seasons[0] = (prepay_tou_season_t){1, 1, 0, 0, 0, 0};
    e->schedule.day_tables[0].slot_count = 3;
    e->schedule.day_tables[0].slots[0] = (prepay_tou_slot_t){0, PREPAY_BAND_VALLEY};
    e->schedule.day_tables[0].slots[1] = (prepay_tou_slot_t){8 * 60, PREPAY_BAND_PEAK};
    e->schedule.day_tables[0].slots[2] = (prepay_tou_slot_t){22 * 60, PREPAY_BAND_VALLEY};
    e->prices.band_price[PREPAY_BAND_PEAK - 1] = 70123456;
    e->prices.band_price[PREPAY_BAND_VALLEY - 1] = 39876543;
    e->tier_count = 2;
    e->ladders[0].upper[0] = 150000;
    e->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
    e->prices.tier_surcharge[1] = 10000000;
    (void)prepay_tariff_init(&s->tariff[1]);
    s->tariff[1].prices.band_price[0] = 75000000;
    for (int i = 0; i < 2; i++) {
        (void)prepay_tariff_plan_init(&s->tariffs[i].plan, &s->tariff[i]);
        s->tariffs[i].version = (uint32_t)(1 + i);
    }
}

int scn_make(scn_t *s, uint64_t seed, uint32_t rooms, uint32_t days, int64_t step)
{
    memset(s, 0, sizeof *s);
    tariffs(s);
    prepay_wallet_policy_default(&s->policy);
    s->item.item_id = 1;
    s->item.basis = PREPAY_BILLING_PER_AREA;
    s->item.rate = 100;
    s->item.schedule = PREPAY_BILLING_MONTHLY;
    s->item.anchor = date(2024, 1, 1);
    s->item.effective_from = s->item.anchor;
    s->item.effective_to = s->item.anchor + 3000;
    s->config.tariffs = s->tariffs;
    s->config.tariff_count = 2;
    s->config.policies = &s->policy;
    s->config.policy_count = 1;
    s->config.items = &s->item;
    s->config.item_count = 1;
    s->config.restore_command = PREPAY_DLT645_RELAY_CLOSE_ALLOWED;
    s->config.period_start = day_time(date(2024, 1, 1));
    s->config.period_end = day_time(date(2024, 2, 1));
    s->config.gap_seconds = 3 * 86400;
    s->config.due_days = 10;
    s->rooms = rooms;
    s->meters = rooms + rooms / 8u + 2u;
    size_t rounds = (size_t)(days * 86400 / step) + 1u;
    size_t max_readings = rounds * s->meters;
    size_t max_ops = rounds * 4u + 2u * rooms + 64u; /* a batch, a close, a recharge, a refund; the last ones */
    s->readings = calloc(max_readings ? max_readings : 1, sizeof *s->readings);
    s->ops = calloc(max_ops, sizeof *s->ops);
    prepay_energy_t *reg = calloc(s->meters + 1u, sizeof *reg);
    uint32_t *sequence = calloc(rooms + 1u, sizeof *sequence);
    if (!s->readings || !s->ops || !reg || !sequence) {
        free(reg);
        free(sequence);
        scn_free(s);
        return -1;
    }
    uint64_t state = seed;
    prepay_time_t start = s->config.period_start;
    prepay_energy_t master = 0;
    for (size_t k = 0; k < rounds; k++) {
        prepay_time_t t = start + (prepay_time_t)k * step;
        size_t first = s->reading_count;
        prepay_energy_t sum = 0;
        size_t m = 0;
        for (uint32_t r = 1; r <= rooms; r++) {
            int meters = r % 8u == 6u ? 2 : 1;
            for (int j = 0; j < meters; j++, m++) {
                if (k > 0) {
                    prepay_energy_t e = (prepay_energy_t)(next(&state) % (uint64_t)(step / 3 + 1));
                    reg[m] += e;
                    sum += e;
                }
                if (k > 0 && next(&state) % 20u == 0u) {
                    continue; /* missed: a gap */
                }
                s->readings[s->reading_count++] =
                    (prepay_settlement_reading_t){10u * r + (uint32_t)j, 0, t, reg[m] % PREPAY_SETTLEMENT_DLT645_MODULUS};
            }
        }
        master += sum + (k > 0 ? step / 2 : 0);
        s->readings[s->reading_count++] = (prepay_settlement_reading_t){9, 0, t, master};
        scn_op_t *op = &s->ops[s->op_count++];
        op->kind = SCN_BATCH;
        op->first = first;
        op->count = s->reading_count - first;
        if (k > 0 && t % PREPAY_SECONDS_PER_DAY == 0) {
            int32_t y;
            uint8_t mo, d;
            (void)prepay_time_date_from_days((prepay_days_t)(t / PREPAY_SECONDS_PER_DAY), &y, &mo, &d);
            if (d == 1) {
                op = &s->ops[s->op_count++];
                op->kind = SCN_CLOSE;
                op->next_end = day_time(mo == 12 ? date(y + 1, 1, 1) : date(y, (unsigned)mo + 1u, 1));
            }
        }
        /* A recharge now and then (never for rooms r % 8 == 5). */
        uint32_t r = (uint32_t)(1u + next(&state) % rooms);
        if (k % 3u == 0u && r % 8u != 5u) {
            op = &s->ops[s->op_count++];
            op->kind = SCN_RECHARGE;
            op->recharge.account_id = r;
            op->recharge.sequence = ++sequence[r];
            op->recharge.amount = 1000 + (prepay_money_t)(next(&state) % 5000u);
            if (r % 8u == 3u) {
                op->recharge.amount *= 10; /* a room that pays well ahead: it has something to refund */
            }
            op->recharge.order_id = (uint64_t)r << 32 | sequence[r];
            op->recharge.time = t;
            if (sequence[r] % 2u == 0u) {
                /* every second recharge of a room is partly refunded at once */
                scn_op_t *refund = &s->ops[s->op_count++];
                *refund = *op;
                refund->kind = SCN_REFUND;
                refund->recharge.amount = op->recharge.amount / 3;
            }
        }
    }
    /* At the end, every paying room tops up 1 000.00 and asks for 20.00 of it back. */
    prepay_time_t last = s->readings[s->reading_count - 1u].time;
    for (uint32_t r = 1; r <= rooms; r++) {
        if (r % 8u == 5u) {
            continue;
        }
        scn_op_t *op = &s->ops[s->op_count++];
        op->kind = SCN_RECHARGE;
        op->recharge.account_id = r;
        op->recharge.sequence = ++sequence[r];
        op->recharge.amount = 100000;
        op->recharge.order_id = (uint64_t)r << 32 | sequence[r];
        op->recharge.time = last;
        scn_op_t *refund = &s->ops[s->op_count++];
        *refund = *op;
        refund->kind = SCN_REFUND;
        refund->recharge.amount = 2000;
    }
    free(reg);
    free(sequence);
    return 0;
}

void scn_free(scn_t *s)
{
    free(s->ops);
    free(s->readings);
    s->ops = NULL;
    s->readings = NULL;
}

int scn_site(scn_t *s, prepay_settlement_memory_t *memory, prepay_settlement_site_t *site)
{
    prepay_settlement_sizes_t sizes = {s->rooms, s->meters, 1, s->meters, s->rooms};
    int status = prepay_settlement_memory_alloc(memory, &sizes);
    if (status == PREPAY_OK) {
        status = prepay_settlement_init(site, memory, &s->config, NULL);
    }
    for (uint32_t r = 1; status == PREPAY_OK && r <= s->rooms; r++) {
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = r;
        a.kind = kind_of(r);
        a.area = 3000 + 500 * (int64_t)(r % 5u);
        status = prepay_settlement_add_account(site, &a);
        int meters = r % 8u == 6u ? 2 : 1;
        for (int j = 0; status == PREPAY_OK && j < meters; j++) {
            prepay_settlement_meter_config_t m;
            prepay_settlement_meter_config_init(&m);
            m.id = 10u * r + (uint32_t)j;
            m.account_id = r;
            status = prepay_settlement_add_meter(site, &m);
        }
    }
    prepay_settlement_meter_config_t master;
    prepay_settlement_meter_config_init(&master);
    master.id = 9;
    master.modulus = 0;
    if (status == PREPAY_OK) {
        status = prepay_settlement_add_meter(site, &master);
    }
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 1;
    g.method = PREPAY_SETTLEMENT_BY_AREA;
    g.tariff = 1;
    g.master_meter_id = 9;
    if (status == PREPAY_OK) {
        status = prepay_settlement_add_group(site, &g);
    }
    for (uint32_t r = 1; status == PREPAY_OK && r <= s->rooms; r++) {
        int meters = r % 8u == 6u ? 2 : 1;
        for (int j = 0; status == PREPAY_OK && j < meters; j++) {
            prepay_settlement_member_config_t mem = {1, 10u * r + (uint32_t)j, 0};
            status = prepay_settlement_add_member(site, &mem);
        }
    }
    return status;
}

void scn_ledger_sizes(const scn_t *s, uint32_t *accounts, uint32_t *transfers)
{
    *accounts = 3u * s->rooms + 16u;
    *transfers = (uint32_t)(2u * s->reading_count + 4u * s->op_count + 64u);
}

int scn_run(const scn_t *s, size_t i, prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
            prepay_settlement_work_t *work, prepay_settlement_work_t *close, prepay_settlement_result_t *result)
{
    const scn_op_t *op = &s->ops[i];
    switch (op->kind) {
    case SCN_BATCH: return prepay_settlement_settle(site, books, work, s->readings + op->first, op->count, result);
    case SCN_RECHARGE: return prepay_settlement_recharge(site, books, work, &op->recharge, NULL, result);
    case SCN_REFUND: {
        /* The scenario cannot know the balance in advance: refund what was asked, at most what the account
         * can refund now (the same on every re-run, which rebuilds the same site); nothing if it is 0. */
        const prepay_settlement_account_t *a = prepay_settlement_account(site, op->recharge.account_id);
        if (a == NULL) {
            return PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
        }
        prepay_money_t refundable = a->books.balance - a->books.emergency;
        prepay_money_t amount = op->recharge.amount < refundable ? op->recharge.amount : refundable;
        if (amount <= 0) {
            memset(result, 0, sizeof *result);
            return PREPAY_OK;
        }
        prepay_settlement_refund_t rf = {op->recharge.account_id, a->refunds + 1u, amount, op->recharge.order_id,
                                         op->recharge.time};
        return prepay_settlement_refund(site, books, work, &rf, result);
    }
    default: return prepay_settlement_close_period(site, books, close, op->next_end, result);
    }
}

uint64_t scn_books_digest(const prepay_ledger_t *ledger)
{
    uint64_t h = 1469598103934665603ull;
    uint32_t n = prepay_ledger_account_count(ledger);
    for (uint32_t i = 0; i < n; i++) {
        const prepay_ledger_account_t *a = prepay_ledger_account_at(ledger, i);
        const uint64_t words[5] = {a->id, (uint64_t)a->debits_posted, (uint64_t)a->credits_posted,
                                   (uint64_t)a->debits_pending, (uint64_t)a->credits_pending};
        for (int w = 0; w < 5; w++) {
            for (int b = 0; b < 64; b += 8) {
                h = (h ^ ((words[w] >> b) & 0xFFu)) * 1099511628211ull;
            }
        }
    }
    return h ^ prepay_ledger_transfer_count(ledger);
}
