/* SPDX-License-Identifier: MIT */
/*
 * Settle readings: a meter reading becomes a priced charge, a ledger
 * transfer, a wallet decision and events (prepay/settlement.h).
 *
 *   settle_reading
 *
 * One prepaid (remote cost control) account, 7, with one electricity meter,
 * 70, installed on 2024-01-01 at register 0. Price: a flat 0.58886875 yuan/kWh
 * (Guangzhou residential, as in charge.c). The wallet policy is the default
 * meter model: alarm 1 at 20.00 yuan, alarm 2 (pre-trip) at 10.00, cut-off
 * at 0. Steps:
 *  1. open the books (the site's ledger accounts) on an in-memory ledger;
 *  2. recharge 30.00 yuan;
 *  3. settle a DL/T 645 reply frame as the station received it off the wire
 *     (prepay_settlement_decode_reply finds the meter by the frame's address);
 *  4. settle two typed readings; the third takes the balance below 20.00.
 * Each reading posts ONE transfer: the running exact total rounded once,
 * minus what was already charged, so the charges of a meter always add up to
 * its whole consumption priced and rounded once.
 * Build against an installed library:
 *   cc settle_reading.c $(pkg-config --cflags --libs prepay) -o settle_reading
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <prepay/prepay.h>
#include <prepay/settlement.h>
#include "prepay/settlement_hosted.h"

/* A reply to "read forward active energy, total" (DI 00010000) from meter
 * 201709320072: 1.86 kWh. Published frame, checked by hand in
 * tests/vectors/dlt645_frames.txt (gotest_reply_fwd_active_total_fe2). */
static const uint8_t reply_frame[] = {0xFE, 0xFE, 0x68, 0x72, 0x00, 0x32, 0x09, 0x17, 0x20, 0x68, 0x91,
                                      0x08, 0x33, 0x33, 0x34, 0x33, 0xB9, 0x34, 0x33, 0x33, 0x6D, 0x16};

static prepay_tariff_t tariff;
static prepay_settlement_tariff_t tariffs[1];
static prepay_wallet_policy_t policy;
static prepay_settlement_site_t site;
static prepay_settlement_memory_t memory;
static prepay_settlement_work_t work;
static prepay_ledger_t ledger;
static prepay_ledger_memory_t ledger_memory;

static void check(int status, const char *what)
{
    if (status < 0) {
        fprintf(stderr, "settle_reading: %s: %s\n", what, prepay_strerror(status));
        exit(1);
    }
}

static prepay_time_t at(int day)
{
    prepay_days_t d;
    check(prepay_time_days_from_date(2024, 1, (unsigned)day, &d), "date");
    return (prepay_time_t)d * PREPAY_SECONDS_PER_DAY;
}

static const char *money(prepay_money_t fen, char *text)
{
    check(prepay_fixed_format(fen, 2, text, 32), "format");
    return text;
}

/* The sink: the events of each call, in order (an outbox would queue them). */
static void on_event(void *context, const prepay_settlement_event_t *e)
{
    (void)context;
    char a[32];
    char b[32];
    printf("    event %s: amount %s, balance %s, alarm level %u -> %u\n", prepay_settlement_event_name(e->type),
           money(e->amount, a), money(e->balance, b), (unsigned)e->from_level, (unsigned)e->level);
}

static void settle(const prepay_settlement_reading_t *reading)
{
    prepay_settlement_books_t books = {&ledger, NULL};
    const prepay_settlement_account_t *account = prepay_settlement_account(&site, 7);
    prepay_money_t before = account->books.energy;
    prepay_settlement_result_t result;
    char when[PREPAY_TIME_TEXT_MAX];
    char text[3][32];
    check(prepay_settlement_settle(&site, &books, &work, reading, 1, &result), "settle");
    check(prepay_time_format(reading->time, PREPAY_TIME_TEXT_MINUTE, when, sizeof when), "time");
    check(prepay_fixed_format(reading->value, 3, text[0], sizeof text[0]), "format");
    printf("reading %s meter %u register %s kWh: charged %s yuan, balance %s yuan\n", when,
           (unsigned)reading->meter_id, text[0], money(account->books.energy - before, text[1]),
           money(account->books.balance, text[2]));
}

int main(void)
{
    /* The tariff: one band, one price; sealed into a plan by prepay_settlement_init(). */
    check(prepay_tariff_init(&tariff), "tariff");
    tariff.unit = PREPAY_TARIFF_UNIT_ENERGY;
    tariff.prices.band_price[0] = 58886875; /* 1e-8 yuan/kWh */
    check(prepay_tariff_validate(&tariff), "tariff");
    check(prepay_tariff_plan_init(&tariffs[0].plan, &tariff), "plan");
    tariffs[0].version = 1;
    prepay_wallet_policy_default(&policy);

    prepay_settlement_config_t config;
    memset(&config, 0, sizeof config);
    config.tariffs = tariffs;
    config.tariff_count = 1;
    config.policies = &policy;
    config.policy_count = 1;
    config.restore_command = PREPAY_DLT645_RELAY_CLOSE_ALLOWED;
    config.period_start = at(1);
    config.period_end = at(1) + 31 * PREPAY_SECONDS_PER_DAY; /* January */

    prepay_settlement_sizes_t sizes = {1, 1, 0, 0, 0}; /* accounts, meters, groups, members, postpaid */
    prepay_settlement_result_t result;
    check(prepay_settlement_memory_alloc(&memory, &sizes), "site memory");
    check(prepay_settlement_init(&site, &memory, &config, &result), "site");

    prepay_settlement_account_config_t account;
    prepay_settlement_account_config_init(&account);
    account.id = 7;
    account.kind = PREPAY_SETTLEMENT_PREPAID_REMOTE;
    account.tariff[PREPAY_SETTLEMENT_ELECTRICITY] = 0;
    check(prepay_settlement_add_account(&site, &account), "account");

    prepay_settlement_meter_config_t meter;
    prepay_settlement_meter_config_init(&meter);
    meter.id = 70;
    meter.account_id = 7;
    meter.flags = PREPAY_SETTLEMENT_METER_INITIAL; /* a new meter: register 0 at installation */
    meter.initial_time = at(1);
    meter.initial_reading = 0;
    meter.modulus = PREPAY_SETTLEMENT_DLT645_MODULUS;
    check(prepay_dlt645_address_from_string("201709320072", 12, &meter.address), "address");
    check(prepay_settlement_add_meter(&site, &meter), "meter");

    /* The books: a ledger in caller memory sized by the helper (no journal here: see durable_ledger.c). */
    size_t bytes = prepay_ledger_memory_size(16, 256);
    void *ledger_buffer = calloc(1, bytes);
    if (ledger_buffer == NULL) {
        return 1;
    }
    check(prepay_ledger_memory_layout(&ledger_memory, ledger_buffer, bytes, 16, 256), "ledger memory");
    check(prepay_ledger_init(&ledger, &ledger_memory), "ledger");
    prepay_settlement_books_t books = {&ledger, NULL};
    check(prepay_settlement_open(&site, &books, &result), "open books");

    prepay_settlement_work_sizes_t work_sizes;
    check(prepay_settlement_work_sizes_default(&site, 1, &work_sizes), "work sizes");
    check(prepay_settlement_work_alloc(&work, &work_sizes), "work memory");
    work.sink.event = on_event;

    char text[32];
    prepay_settlement_recharge_t recharge = {7, 1, 3000, 900001, 0, at(1) + 9 * 3600};
    check(prepay_settlement_recharge(&site, &books, &work, &recharge, NULL, &result), "recharge");
    printf("recharge 30.00 yuan: balance %s yuan\n", money(prepay_settlement_account(&site, 7)->books.balance, text));

    prepay_dlt645_reader_t reader;
    prepay_settlement_reading_t reading;
    int detail = 0;
    check(prepay_dlt645_reader_init(&reader), "reader");
    check(prepay_settlement_decode_reply(&site, &reader, reply_frame, sizeof reply_frame, at(2), &reading, &detail),
          "reply");
    settle(&reading);
    settle(&(prepay_settlement_reading_t){70, 0, at(3), 14360});
    settle(&(prepay_settlement_reading_t){70, 0, at(4), 31360});

    /* The site's copy of the balances must agree with the ledger's, to the fen. */
    check(prepay_settlement_verify(&site, &ledger, &result), "verify");
    prepay_ledger_balance_t wallet;
    check(prepay_ledger_balance(&ledger, prepay_settlement_ledger_account_id(7, PREPAY_SETTLEMENT_ROLE_WALLET), &wallet),
          "balance");
    printf("ledger: wallet of account 7 %s yuan, %u transfers\n", money(wallet.balance, text),
           (unsigned)prepay_ledger_transfer_count(&ledger));

    prepay_settlement_work_free(&work);
    prepay_settlement_memory_free(&memory);
    free(ledger_buffer);
    return 0;
}
