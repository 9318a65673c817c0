/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: settlement inputs. The bytes drive a small site (remote,
 * local and postpaid accounts, a household with two meters, a master meter
 * and a group) through reading batches (values and times from the input:
 * backwards, duplicates, conflicts, huge jumps, unknown meters), DL/T 645
 * reply frames to decode, recharges (repeats, gaps, conflicts), refunds
 * (beyond the refundable balance, repeats, conflicts, gaps), sales to a
 * meter purse (remote and postpaid refused, beyond the wallet, repeats,
 * conflicts, gaps, a bad commodity), meter replacements, commands and period closes. Checked after every input: a
 * refused input changed nothing (site records and ledger); at the end the
 * ledger verifies and the site's balances equal the ledger's
 * (prepay_settlement_verify()). Payment-order notifies join this target with
 * that module.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/settlement.h"
#include "prepay/settlement_hosted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ACCOUNTS 6u
#define METERS 9u
#define BATCH 8u
#define LEDGER_ACCOUNTS 64u
#define LEDGER_TRANSFERS 4096u

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

static const uint32_t meter_ids[METERS] = {11, 21, 31, 32, 41, 51, 61, 90, 33};

typedef struct world {
    prepay_tariff_t tariff[3];
    prepay_settlement_tariff_t tariffs[3];
    prepay_wallet_policy_t policy;
    prepay_charge_item_t item;
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    prepay_ledger_t ledger;
    uint64_t ledger_buffer[PREPAY_LEDGER_MEMORY_SIZE(LEDGER_ACCOUNTS, LEDGER_TRANSFERS) / 8u + 1u];
    prepay_ledger_account_t scratch[LEDGER_ACCOUNTS];
    prepay_settlement_books_t books;
    prepay_settlement_work_t work, close;
    uint8_t *snapshot;
    size_t snapshot_size;
} world_t;

static int build(world_t *w)
{
    (void)prepay_tariff_init(&w->tariff[0]);
    prepay_tariff_t *e = &w->tariff[0];
    e->band_count = 2;
    e->schedule.season_count = 1;
    e->schedule.day_table_count = 1;
    e->schedule.seasons[0] = (prepay_tou_season_t){1, 1, 0, 0, 0, 0};
    e->schedule.day_tables[0].slot_count = 2;
    e->schedule.day_tables[0].slots[0] = (prepay_tou_slot_t){0, 1};
    e->schedule.day_tables[0].slots[1] = (prepay_tou_slot_t){12 * 60, 2};
    e->prices.band_price[0] = 61234567;
    e->prices.band_price[1] = 33333333;
    e->tier_count = 2;
    e->ladders[0].upper[0] = 50000;
    e->ladders[0].upper[1] = PREPAY_TIER_UNBOUNDED;
    e->prices.tier_surcharge[1] = 5000000;
    (void)prepay_tariff_init(&w->tariff[1]);
    w->tariff[1].prices.band_price[0] = 80000000;
    (void)prepay_tariff_init(&w->tariff[2]);
    w->tariff[2].unit = PREPAY_TARIFF_UNIT_WATER;
    w->tariff[2].prices.band_price[0] = 350000000;
    for (int i = 0; i < 3; i++) {
        (void)prepay_tariff_plan_init(&w->tariffs[i].plan, &w->tariff[i]);
    }
    prepay_wallet_policy_default(&w->policy);
    w->policy.emergency_amount = 500;
    w->policy.emergency_threshold = 0;
    w->policy.flags = PREPAY_WALLET_POLICY_EMERGENCY_AUTO;
    w->item.item_id = 1;
    w->item.basis = PREPAY_BILLING_FIXED;
    w->item.rate = 999;
    w->item.schedule = PREPAY_BILLING_MONTHLY;
    w->item.anchor = 8766; /* 2024-01-01 */
    w->item.effective_from = 8766;
    w->item.effective_to = 8766 + 4000;
    prepay_settlement_config_t config;
    memset(&config, 0, sizeof config);
    config.tariffs = w->tariffs;
    config.tariff_count = 3;
    config.policies = &w->policy;
    config.policy_count = 1;
    config.items = &w->item;
    config.item_count = 1;
    config.restore_command = PREPAY_DLT645_RELAY_DIRECT_CLOSE;
    config.period_start = (prepay_time_t)8766 * 86400;
    config.period_end = (prepay_time_t)(8766 + 31) * 86400;
    config.gap_seconds = 86400;
    prepay_settlement_sizes_t sizes = {ACCOUNTS, METERS, 1, METERS, 2};
    int status = prepay_settlement_memory_alloc(&w->memory, &sizes);
    if (status == PREPAY_OK) {
        status = prepay_settlement_init(&w->site, &w->memory, &config, NULL);
    }
    static const uint8_t kinds[ACCOUNTS] = {PREPAY_SETTLEMENT_PREPAID_REMOTE, PREPAY_SETTLEMENT_PREPAID_REMOTE,
                                            PREPAY_SETTLEMENT_PREPAID_REMOTE, PREPAY_SETTLEMENT_PREPAID_LOCAL,
                                            PREPAY_SETTLEMENT_POSTPAID,       PREPAY_SETTLEMENT_POSTPAID};
    for (uint32_t i = 0; status == PREPAY_OK && i < ACCOUNTS; i++) {
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = i + 1;
        a.kind = kinds[i];
        a.area = 1000 * (int64_t)(i + 1);
        a.tariff[PREPAY_SETTLEMENT_WATER] = 2;
        a.max_balance = i == 1 ? 100000 : 0;
        status = prepay_settlement_add_account(&w->site, &a);
    }
    for (uint32_t i = 0; status == PREPAY_OK && i < METERS; i++) {
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = meter_ids[i];
        m.account_id = meter_ids[i] == 90 ? 0 : meter_ids[i] / 10;
        m.address.bytes[0] = (uint8_t)(i + 1);
        m.max_power = i == 2 ? 20000 : 0;
        m.modulus = i == 4 ? 100000 : PREPAY_SETTLEMENT_DLT645_MODULUS;
        if (meter_ids[i] == 33) {
            m.commodity = PREPAY_SETTLEMENT_WATER;
            m.di = 0;
        }
        status = prepay_settlement_add_meter(&w->site, &m);
    }
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = 1;
    g.method = PREPAY_SETTLEMENT_BY_USAGE;
    g.tariff = 1;
    g.master_meter_id = 90;
    g.owner_account_id = 1;
    if (status == PREPAY_OK) {
        status = prepay_settlement_add_group(&w->site, &g);
    }
    for (uint32_t i = 0; status == PREPAY_OK && i < METERS; i++) {
        if (meter_ids[i] != 90 && meter_ids[i] != 33) {
            prepay_settlement_member_config_t mem = {1, meter_ids[i], 1};
            status = prepay_settlement_add_member(&w->site, &mem);
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
        status = prepay_settlement_work_sizes_default(&w->site, BATCH, &ws);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&w->work, &ws);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_sizes_default(&w->site, 0, &ws);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&w->close, &ws);
    }
    return status;
}

/* The site's records and counts, to compare before and after a refused input. */
static size_t site_bytes(const world_t *w)
{
    return sizeof w->site + ACCOUNTS * sizeof(prepay_settlement_account_t) + METERS * sizeof(prepay_settlement_meter_t) +
           sizeof(prepay_settlement_group_t) + 2 * sizeof(prepay_settlement_usage_t);
}

static void snapshot(const world_t *w, uint8_t *out)
{
    memcpy(out, &w->site, sizeof w->site);
    out += sizeof w->site;
    memcpy(out, w->memory.accounts, ACCOUNTS * sizeof(prepay_settlement_account_t));
    out += ACCOUNTS * sizeof(prepay_settlement_account_t);
    memcpy(out, w->memory.meters, METERS * sizeof(prepay_settlement_meter_t));
    out += METERS * sizeof(prepay_settlement_meter_t);
    memcpy(out, w->memory.groups, sizeof(prepay_settlement_group_t));
    out += sizeof(prepay_settlement_group_t);
    memcpy(out, w->memory.usage, 2 * sizeof(prepay_settlement_usage_t));
}

/* A DL/T 645 read reply of forward active energy from a meter's address, with fuzzed bytes mixed in. */
static size_t reply(cursor_t *c, uint8_t *out, size_t cap)
{
    uint8_t data[8] = {0x00, 0x00, 0x01, 0x00, 0, 0, 0, 0};
    for (int i = 4; i < 8; i++) {
        data[i] = (uint8_t)take(c, 1);
    }
    prepay_dlt645_address_t address;
    memset(&address, 0, sizeof address);
    address.bytes[0] = (uint8_t)(1 + take(c, 1) % (METERS + 1));
    prepay_dlt645_frame_t frame;
    uint8_t control = take(c, 1) % 8u == 0u ? 0xD1 : 0x91;
    if (prepay_dlt645_frame_init(&frame, PREPAY_DLT645_EDITION_2007, &address, control, data,
                                 control == 0xD1 ? 1u : 8u) != PREPAY_OK) {
        return 0;
    }
    int n = prepay_dlt645_encode(&frame, out, cap);
    if (n <= 0) {
        return 0;
    }
    if (take(c, 1) % 4u == 0u) {
        out[take(c, 1) % (uint64_t)n] ^= (uint8_t)take(c, 1); /* damage a byte */
    }
    return (size_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    world_t *w = calloc(1, sizeof *w);
    if (!w || build(w) != PREPAY_OK) {
        abort();
    }
    uint8_t *before = malloc(site_bytes(w));
    cursor_t c = {data, size > 4096 ? 4096 : size};
    prepay_time_t clock = (prepay_time_t)8766 * 86400;
    uint32_t sequence[ACCOUNTS + 1] = {0};
    uint32_t refunds[ACCOUNTS + 1] = {0};
    uint32_t sales[ACCOUNTS + 1] = {0};
    prepay_dlt645_reader_t reader;
    (void)prepay_dlt645_reader_init(&reader);
    while (c.left > 0) {
        unsigned op = (unsigned)take(&c, 1) % 8u;
        uint32_t transfers = prepay_ledger_transfer_count(&w->ledger);
        snapshot(w, before);
        prepay_settlement_result_t r;
        int status = PREPAY_OK;
        clock += (prepay_time_t)take(&c, 2) * 60;
        if (op <= 2) {
            prepay_settlement_reading_t batch[BATCH];
            size_t n = 1 + take(&c, 1) % BATCH;
            for (size_t i = 0; i < n; i++) {
                uint8_t sel = (uint8_t)take(&c, 1);
                batch[i].meter_id = sel < 250 ? meter_ids[sel % METERS] : sel; /* sometimes unknown */
                batch[i].di = 0;
                batch[i].time = clock - (prepay_time_t)(take(&c, 1) % 8u) * 3600;
                const prepay_settlement_meter_t *m = prepay_settlement_meter(&w->site, batch[i].meter_id);
                prepay_energy_t base = m ? m->reading : 0;
                uint8_t how = (uint8_t)take(&c, 1);
                batch[i].value = how < 200 ? base + (prepay_energy_t)take(&c, 2) : (prepay_energy_t)take(&c, 4) - 1000;
            }
            status = prepay_settlement_settle(&w->site, &w->books, &w->work, batch, n, &r);
        } else if (op == 3) {
            uint8_t frame[64];
            size_t n = reply(&c, frame, sizeof frame);
            prepay_settlement_reading_t reading;
            int detail = 0;
            if (n > 0 && prepay_settlement_decode_reply(&w->site, &reader, frame, n, clock, &reading, &detail) > 0) {
                status = prepay_settlement_settle(&w->site, &w->books, &w->work, &reading, 1, &r);
            }
        } else if (op == 4 && (uint8_t)(c.left > 1 ? c.p[1] : 0u) >= 230u) {
            /* a refund (the second byte, as `how` below, >= 230): bounded, repeated, out of sequence */
            uint32_t account = (uint32_t)(1 + take(&c, 1) % (ACCOUNTS + 1));
            uint8_t how = (uint8_t)take(&c, 1);
            uint32_t *seq = account <= ACCOUNTS ? &refunds[account] : &refunds[0];
            prepay_settlement_refund_t rf;
            memset(&rf, 0, sizeof rf);
            rf.account_id = account;
            rf.sequence = how < 245 ? *seq + 1 : (uint32_t)(how % 3u);
            rf.amount = (prepay_money_t)take(&c, 2) - 10;
            rf.order_id = how;
            rf.time = clock;
            status = prepay_settlement_refund(&w->site, &w->books, &w->work, &rf, &r);
            if (status == PREPAY_OK) {
                *seq = rf.sequence;
            }
        } else if (op == 4) {
            uint32_t account = (uint32_t)(1 + take(&c, 1) % (ACCOUNTS + 1));
            uint8_t how = (uint8_t)take(&c, 1);
            prepay_settlement_recharge_t rc;
            memset(&rc, 0, sizeof rc);
            rc.account_id = account;
            uint32_t *seq = account <= ACCOUNTS ? &sequence[account] : &sequence[0];
            rc.sequence = how < 200 ? *seq + 1 : (uint32_t)(how % 4u);
            rc.amount = (prepay_money_t)take(&c, 2) - 10;
            rc.time = clock;
            prepay_settlement_recharge_split_t split;
            status = prepay_settlement_recharge(&w->site, &w->books, &w->work, &rc, &split, &r);
            if (status == PREPAY_OK) {
                *seq = rc.sequence;
            }
        } else if (op == 5) {
            prepay_settlement_replacement_t repl;
            memset(&repl, 0, sizeof repl);
            repl.meter_id = meter_ids[take(&c, 1) % METERS];
            const prepay_settlement_meter_t *m = prepay_settlement_meter(&w->site, repl.meter_id);
            repl.time = clock;
            repl.final_reading = m->reading + (prepay_energy_t)take(&c, 1);
            repl.initial_reading = (prepay_energy_t)take(&c, 1);
            status = prepay_settlement_replace_meter(&w->site, &w->books, &w->work, &repl, &r);
        } else if (op == 6 && (uint8_t)(c.left > 1 ? c.p[1] : 0u) >= 240u) {
            /* a sale to a meter purse (the second byte, as `how` below, >= 240): local accounts only, within the
             * wallet, repeated, out of sequence, sometimes of an unknown commodity */
            uint32_t account = (uint32_t)(1 + take(&c, 1) % (ACCOUNTS + 1));
            uint8_t how = (uint8_t)take(&c, 1);
            uint32_t *seq = account <= ACCOUNTS ? &sales[account] : &sales[0];
            prepay_settlement_sale_t sale;
            memset(&sale, 0, sizeof sale);
            sale.account_id = account;
            sale.sequence = how < 252 ? *seq + 1 : (uint32_t)(how % 3u);
            sale.commodity = how == 255 ? PREPAY_SETTLEMENT_COMMODITIES : (uint8_t)(how & 1u);
            sale.amount = (prepay_money_t)take(&c, 2) - 10;
            sale.order_id = how;
            sale.time = clock;
            status = prepay_settlement_sell(&w->site, &w->books, &w->work, &sale, &r);
            if (status == PREPAY_OK) {
                *seq = sale.sequence;
            }
        } else if (op == 6) {
            uint32_t account = (uint32_t)(1 + take(&c, 1) % ACCOUNTS);
            uint32_t commands = (uint32_t)take(&c, 1) & 0x3Fu;
            status = prepay_settlement_set_commands(&w->site, &w->books, &w->work, account, commands, clock, &r);
        } else {
            prepay_time_t end = w->site.period_end + (prepay_time_t)(take(&c, 1) % 40u) * 86400 - 86400;
            if (take(&c, 1) % 8u == 0u) {
                end += 3600; /* not midnight */
            }
            status = prepay_settlement_close_period(&w->site, &w->books, &w->close, end, &r);
        }
        if (status < 0) {
            uint8_t *after = malloc(site_bytes(w));
            snapshot(w, after);
            /* A refused input changes nothing (the generation counter aside: compare from the records). */
            size_t skip = sizeof w->site;
            if (memcmp(before + skip, after + skip, site_bytes(w) - skip) != 0 ||
                prepay_ledger_transfer_count(&w->ledger) != transfers) {
                abort();
            }
            free(after);
        }
    }
    if (prepay_ledger_verify(&w->ledger, w->scratch, LEDGER_ACCOUNTS) != PREPAY_OK ||
        prepay_settlement_verify(&w->site, &w->ledger, NULL) != PREPAY_OK) {
        abort();
    }
    free(before);
    prepay_settlement_memory_free(&w->memory);
    prepay_settlement_work_free(&w->work);
    prepay_settlement_work_free(&w->close);
    free(w);
    return 0;
}
