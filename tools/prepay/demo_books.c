/* SPDX-License-Identifier: MIT */
/*
 * prepay demo: the platform. One settlement site (prepay/settlement.h) holds
 * the building: an account and a meter per room (remote or local cost
 * control), the incomer as a site meter, and allocation group 1 that splits
 * the common area (incomer - rooms) by floor area at each period close. The
 * ledger behind it uses the settlement id scheme (docs/settlement.md §4), so
 * ids never collide whatever the number of rooms.
 *
 * Every settlement event is logged to events.csv; those a tenant is told
 * about (alarm levels, cut-off, restore, recharge, debt) are written to
 * notifications.csv as the message that would be sent (an alarm-level rise and
 * its LOW_BALANCE event make one message).
 */
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_text.h"
#include "demo.h"
#include "prepay/settlement_hosted.h"

#define DEMO_GROUP 1u

/* The sink: the events of one call, kept for demo_run.c to react to. */
static void keep_event(void *context, const prepay_settlement_event_t *event)
{
    demo_t *d = context;
    if (d->event_count == d->event_cap) {
        size_t cap = d->event_cap ? 2 * d->event_cap : 1024;
        prepay_settlement_event_t *grown = realloc(d->events_buf, cap * sizeof *grown);
        if (!grown) {
            d->event_overflow = true; /* reported by the caller after the call */
            return;
        }
        d->events_buf = grown;
        d->event_cap = cap;
    }
    d->events_buf[d->event_count++] = *event;
}

prepay_time_t demo_period_end(const demo_t *d, prepay_time_t t)
{
    prepay_time_t end = d->start + (prepay_time_t)d->hours * 3600;
    prepay_civil_t c;
    prepay_time_t next = end;
    if (prepay_time_to_civil(t, &c) == PREPAY_OK) {
        prepay_civil_t first = {c.year + (c.month == 12), (uint8_t)(c.month == 12 ? 1 : c.month + 1), 1, 0, 0, 0, 0};
        if (prepay_time_from_civil(&first, &next) != PREPAY_OK) {
            next = end;
        }
    }
    /* The run's last day closes a short period of its own, so that every kWh of the incomer is allocated. */
    return next < end || t >= end ? next : end;
}

/* events.csv: every settlement event, by name, with its amounts. */
static void log_event(demo_t *d, const prepay_settlement_event_t *e, const char *who)
{
    char when[CLI_TEXT_MAX], amount[CLI_TEXT_MAX], balance[CLI_TEXT_MAX];
    fprintf(d->events, "%s,%s,%s,%s,%s,%u,%lld\n", cli_time_text(e->time, PREPAY_TIME_TEXT_MINUTE, when), who,
            prepay_settlement_event_name(e->type), cli_fixed_text(e->amount, 2, amount),
            cli_fixed_text(e->balance, 2, balance), e->level, (long long)e->energy);
}

/* notifications.csv: the message a tenant would get, or nothing for bookkeeping events. */
static bool notice(demo_t *d, const prepay_settlement_event_t *e, const demo_room_t *r, const char *who)
{
    char text[256], balance[CLI_TEXT_MAX], amount[CLI_TEXT_MAX], extra[CLI_TEXT_MAX];
    cli_fixed_text(e->balance, 2, balance);
    cli_fixed_text(e->amount, 2, amount);
    const char *channel = "SMS+app";
    switch (e->type) {
    case PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL:
        if (e->level <= e->from_level) {
            return false; /* a falling level is told by the recharge or restore message */
        }
        /* LOW_BALANCE comes with every rise: one message tells both. */
        snprintf(text, sizeof text, "%s: low balance, %s yuan left (alarm level %u of %u): please recharge", who,
                 balance, e->level, (unsigned)d->policy.level_count);
        break;
    case PREPAY_SETTLEMENT_EVENT_CUTOFF:
        channel = "SMS+app+voice";
        snprintf(text, sizeof text, "%s: power cut off at balance %s yuan; recharge to restore it", who, balance);
        break;
    case PREPAY_SETTLEMENT_EVENT_RESTORED:
        snprintf(text, sizeof text, "%s: power restored, balance %s yuan", who, balance);
        break;
    case PREPAY_SETTLEMENT_EVENT_RECHARGE:
        if (e->time == d->start) {
            return false; /* the opening balance is booked, not paid by the tenant now */
        }
        snprintf(text, sizeof text, "%s: recharge of %s yuan received (%s yuan to the balance%s), balance %s yuan",
                 who, amount, cli_fixed_text(e->detail, 2, extra), r && r->local ? ", sent to the meter" : "",
                 balance);
        break;
    case PREPAY_SETTLEMENT_EVENT_DEBT_CREATED:
        snprintf(text, sizeof text, "%s: %s yuan could not be paid from the balance and is owed; it is taken from "
                 "the next recharge", who, amount);
        break;
    case PREPAY_SETTLEMENT_EVENT_DEBT_REPAID:
        snprintf(text, sizeof text, "%s: %s yuan of debt repaid from the recharge", who, amount);
        break;
    default:
        return false;
    }
    char when[CLI_TEXT_MAX];
    fprintf(d->notices, "%s,%s,%s,", cli_time_text(e->time, PREPAY_TIME_TEXT_MINUTE, when), who, channel);
    cli_csv_write_field(d->notices, text);
    fputc('\n', d->notices);
    return true;
}

void demo_record_event(demo_t *d, const prepay_settlement_event_t *e)
{
    demo_room_t *r = e->account_id >= 1 && e->account_id <= d->room_count ? &d->rooms[e->account_id - 1] : NULL;
    const char *who = r ? r->name : "site";
    if (d->events) {
        log_event(d, e, who);
    }
    if (d->notices && r && notice(d, e, r, who)) {
        r->notifications++;
        d->notifications++;
    }
}

int demo_settlement_open(demo_t *d)
{
    prepay_settlement_config_t config;
    memset(&config, 0, sizeof config);
    d->tariffs[0].version = 1;
    d->tariffs[1].version = 1;
    if (d->has_water && d->water_local_count > 0 && demo_water_local_setup(d) != 0) {
        return -1;
    }
    config.tariffs = d->tariffs;
    config.tariff_count = d->has_water ? 2 : 1;
    config.policies = &d->policy;
    config.policy_count = 1;
    config.restore_command = PREPAY_DLT645_RELAY_DIRECT_CLOSE; /* the demo's tenants do not press a button */
    config.period_start = d->start;
    config.period_end = demo_period_end(d, d->start);
    prepay_settlement_sizes_t sizes = {(uint32_t)d->room_count, (uint32_t)(d->room_count + 1 + d->water_count), 1,
                                       (uint32_t)d->room_count, 0};
    int status = prepay_settlement_memory_alloc(&d->site_memory, &sizes);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "settlement memory: %s", prepay_strerror(status));
        return -1;
    }
    d->has_memory = true;
    prepay_settlement_result_t result;
    status = prepay_settlement_init(&d->site, &d->site_memory, &config, &result);
    for (size_t i = 0; i < d->room_count && status == PREPAY_OK; i++) {
        demo_room_t *r = &d->rooms[i];
        prepay_settlement_account_config_t a;
        prepay_settlement_account_config_init(&a);
        a.id = r->id;
        a.kind = r->local ? PREPAY_SETTLEMENT_PREPAID_LOCAL : PREPAY_SETTLEMENT_PREPAID_REMOTE;
        a.area = r->area;
        a.tariff_account = d->doc->account;
        if (r->water && !r->local) {
            /* (A local room's water meter keeps its own purse: no water tariff on its account, its purchases are
             * sales out of the wallet, prepay_settlement_sell().) The water ladder: one wallet, one recharge, separate lines. The service period is the run, so
             * that an annual ladder prorated by month gives the months the run touches (docs/water.md). */
            a.tariff[PREPAY_SETTLEMENT_WATER] = 1;
            a.tariff_account.service_start = d->start;
            a.tariff_account.service_end = d->start + (prepay_time_t)d->hours * 3600;
        }
        status = prepay_settlement_add_account(&d->site, &a);
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = r->id;
        m.account_id = r->id;
        m.di = PREPAY_DI_FORWARD_ACTIVE_TOTAL;
        m.address = r->address;
        status = status ? status : prepay_settlement_add_meter(&d->site, &m);
    }
    if (status == PREPAY_OK) {
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = d->master_id;
        m.di = PREPAY_DI_FORWARD_ACTIVE_TOTAL;
        m.address = d->master_address;
        status = prepay_settlement_add_meter(&d->site, &m);
    }
    for (size_t i = 0; i < d->room_count && status == PREPAY_OK; i++) {
        if (!d->rooms[i].water || d->rooms[i].local) {
            continue; /* a local room's water meter prices its own litres: read, not settled */
        }
        prepay_settlement_meter_config_t m;
        prepay_settlement_meter_config_init(&m);
        m.id = d->rooms[i].water_id;
        m.account_id = d->rooms[i].id;
        m.commodity = PREPAY_SETTLEMENT_WATER;
        m.di = 0;
        m.modulus = PREPAY_SETTLEMENT_DLT645_MODULUS; /* CJ/T 188 XXXXXX.XX m3: 10^6 m3 = 10^9 L */
        status = prepay_settlement_add_meter(&d->site, &m);
    }
    if (status == PREPAY_OK) {
        prepay_settlement_group_config_t g;
        memset(&g, 0, sizeof g);
        g.number = DEMO_GROUP;
        g.method = PREPAY_SETTLEMENT_BY_AREA;
        g.residual_policy = PREPAY_ALLOCATION_RESIDUAL_CARRY;
        g.vacancy = PREPAY_ALLOCATION_VACANT_SKIP;
        g.tariff = 0;
        g.master_meter_id = d->master_id;
        status = prepay_settlement_add_group(&d->site, &g);
    }
    for (size_t i = 0; i < d->room_count && status == PREPAY_OK; i++) {
        prepay_settlement_member_config_t member = {DEMO_GROUP, d->rooms[i].id, 0};
        status = prepay_settlement_add_member(&d->site, &member);
    }
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "the settlement site: %s", prepay_strerror(status));
        return -1;
    }
    /* The ledger: a wallet, a debt and an emergency account per room and the site's own accounts;
     * about one transfer per reading and a few per recharge and close. */
    d->account_capacity = (uint32_t)(3 * d->room_count + 16);
    d->transfer_capacity = (uint32_t)((size_t)(d->hours + 1) * (d->room_count + d->water_count + 2) +
                                      64 * d->room_count + 4096);
    size_t ledger_size = prepay_ledger_memory_size(d->account_capacity, d->transfer_capacity);
    d->ledger_memory = ledger_size != 0 ? malloc(ledger_size) : NULL;
    if (!d->ledger_memory) {
        cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory for the ledger");
        return -1;
    }
    prepay_ledger_memory_t lm;
    status = prepay_ledger_memory_layout(&lm, d->ledger_memory, ledger_size, d->account_capacity, d->transfer_capacity);
    status = status ? status : prepay_ledger_init(&d->ledger, &lm);
    d->books.ledger = &d->ledger;
    d->books.journal = NULL; /* the demo's books live in memory: it is a simulation */
    status = status ? status : prepay_settlement_open(&d->site, &d->books, &result);
    prepay_settlement_work_sizes_t ws;
    status = status ? status : prepay_settlement_work_sizes_default(&d->site, (uint32_t)d->room_count + 2, &ws);
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&d->work, &ws);
        d->has_work = status == PREPAY_OK;
    }
    status = status ? status : prepay_settlement_work_sizes_default(&d->site, 0, &ws);
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&d->close_work, &ws);
        d->has_close_work = status == PREPAY_OK;
    }
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "the settlement books: %s", prepay_strerror(status));
        return -1;
    }
    d->work.sink.event = keep_event;
    d->work.sink.context = d;
    d->close_work.sink = d->work.sink;
    /* The electricity readings of a round, then (from room_count + 1) its water readings. */
    d->batch = calloc(2 * d->room_count + 2, sizeof *d->batch);
    if (!d->batch) {
        cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        return -1;
    }
    return 0;
}

void demo_settlement_free(demo_t *d)
{
    if (d->has_memory) {
        prepay_settlement_memory_free(&d->site_memory);
    }
    if (d->has_work) {
        prepay_settlement_work_free(&d->work);
    }
    if (d->has_close_work) {
        prepay_settlement_work_free(&d->close_work);
    }
    d->has_memory = d->has_work = d->has_close_work = false;
    free(d->batch);
    free(d->events_buf);
    free(d->ledger_memory);
    d->batch = NULL;
    d->events_buf = NULL;
    d->ledger_memory = NULL;
}
