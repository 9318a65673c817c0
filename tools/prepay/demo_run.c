/*
 * prepay demo: the station and the platform. Every simulated hour the
 * station broadcasts the time (which moves the emulated building forward),
 * reads every meter over DL/T 645, prices the energy with the tariff engine,
 * posts the charges to the ledger, asks the wallet policy for alarms and
 * relay decisions and sends trip / close commands; tenants recharge by their
 * habits; at each month end the common area (incomer minus rooms) is priced
 * and allocated by floor area.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_text.h"
#include "demo.h"

#define HOUR 3600

static const prepay_dlt645_credentials_t station_credentials = {
    PREPAY_DLT645_PASSWORD_LEVEL_2, {0x00, 0x00, 0x00}, {0x01, 0x00, 0x00, 0x00}};

/* One line of events.csv (the detail quoted when it holds a comma). */
static void event(demo_t *d, prepay_time_t t, const demo_room_t *r, const char *what, const char *detail)
{
    if (!d->events) {
        return;
    }
    char when[CLI_TEXT_MAX];
    fprintf(d->events, "%s,%s,%s,", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, when), r ? r->name : "site", what);
    cli_csv_write_field(d->events, detail ? detail : "");
    fputc('\n', d->events);
}

static int exchange(demo_t *d, const prepay_dlt645_frame_t *request, uint8_t *data, size_t cap,
                    prepay_station_result_t *result)
{
    d->requests++;
    int status = station_link_exchange(&d->link, request, data, cap, result);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status < 0 ? status : PREPAY_E_HOSTED_IO, "lost the emulator: %s",
                 status < 0 ? prepay_strerror(status) : "socket");
        return -1;
    }
    if (result->status != PREPAY_OK) {
        d->failures++;
    }
    return 0;
}

/* Reads a 4-byte XXXXXX.XX item; *value in 0.01 units. Returns 1 ok, 0 no answer, -1 link lost. */
static int read_bcd4(demo_t *d, const prepay_dlt645_address_t *address, uint32_t di, int64_t *value)
{
    prepay_dlt645_frame_t request;
    int status = prepay_dlt645_request_read(&request, address, di);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "read request: %s", prepay_strerror(status));
        return -1;
    }
    uint8_t data[16];
    prepay_station_result_t result;
    if (exchange(d, &request, data, sizeof data, &result) != 0) {
        return -1;
    }
    uint64_t v;
    if (result.status != PREPAY_OK || result.data_len != 4 || prepay_bcd_decode(data, 4, &v) != PREPAY_OK) {
        return 0;
    }
    *value = (int64_t)v;
    return 1;
}

static int broadcast_time(demo_t *d, prepay_time_t t)
{
    prepay_dlt645_frame_t request;
    int status = prepay_dlt645_request_broadcast_time(&request, t);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "time sync request: %s", prepay_strerror(status));
        return -1;
    }
    prepay_station_result_t result;
    return exchange(d, &request, NULL, 0, &result);
}

static int relay(demo_t *d, demo_room_t *r, uint8_t command, prepay_time_t t)
{
    prepay_dlt645_frame_t request;
    int status = prepay_dlt645_request_relay_control(&request, &r->address, &station_credentials, command, t + HOUR);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "relay request for %s: %s", r->name, prepay_strerror(status));
        return -1;
    }
    prepay_station_result_t result;
    if (exchange(d, &request, NULL, 0, &result) != 0) {
        return -1;
    }
    return result.status == PREPAY_OK ? 1 : 0;
}

static int post(demo_t *d, const prepay_ledger_transfer_t *transfers, size_t count)
{
    int results[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS + 1];
    int applied = prepay_ledger_apply(&d->ledger, transfers, count, results);
    if (applied < 0) {
        return applied;
    }
    for (size_t i = 0; i < count; i++) {
        if (results[i] < 0) {
            return results[i];
        }
    }
    return PREPAY_OK;
}

static int open_accounts(demo_t *d)
{
    prepay_ledger_memory_t memory;
    int status = prepay_ledger_memory_layout(&memory, d->ledger_memory,
                                             prepay_ledger_memory_size(d->account_capacity, d->transfer_capacity),
                                             d->account_capacity, d->transfer_capacity);
    status = status ? status : prepay_ledger_init(&d->ledger, &memory);
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = DEMO_CLEARING;
    a.kind = PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING;
    status = status ? status : prepay_ledger_create_account(&d->ledger, &a);
    a.id = DEMO_REVENUE;
    a.kind = PREPAY_LEDGER_ACCOUNT_REVENUE;
    a.item = PREPAY_LEDGER_ITEM_ELECTRICITY;
    status = status ? status : prepay_ledger_create_account(&d->ledger, &a);
    a.id = DEMO_COMMON;
    a.item = PREPAY_LEDGER_ITEM_COMMON_AREA;
    status = status ? status : prepay_ledger_create_account(&d->ledger, &a);
    for (size_t i = 0; i < d->room_count && status == PREPAY_OK; i++) {
        demo_room_t *r = &d->rooms[i];
        memset(&a, 0, sizeof a);
        a.id = r->wallet_id;
        a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
        a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
        a.overdraft_limit = 5000; /* the last hour before a cut-off may overdraw a little */
        status = prepay_ledger_create_account(&d->ledger, &a);
        if (status == PREPAY_OK && r->local) {
            /* Local meters keep their own purse, so their common-area share
             * is billed: a debt account, not a deduction. */
            memset(&a, 0, sizeof a);
            a.id = r->wallet_id + 100000u;
            a.kind = PREPAY_LEDGER_ACCOUNT_DEBT;
            status = prepay_ledger_create_account(&d->ledger, &a);
        }
    }
    return status;
}

/* Pushes a paid amount to a local meter: a recharge write carrying the
 * purchase count. A lost reply is harmless: the retry carries the same
 * count, which the meter answers as a repeat without crediting twice.
 * Returns 1 once the meter confirmed, 0 to retry later, -1 if the link is lost. */
static int push_to_meter(demo_t *d, demo_room_t *r, prepay_time_t t)
{
    uint8_t value[PREPAY_METER_RECHARGE_DATA_SIZE];
    prepay_dlt645_frame_t request;
    /* An amount or a count beyond 8 BCD digits is refused here, never sent half-encoded. */
    int status = prepay_bcd_encode((uint64_t)r->pending_amount, value, 4);
    if (status == PREPAY_OK) {
        status = prepay_bcd_encode(r->purchases + 1u, value + 4, 4);
    }
    if (status == PREPAY_OK) {
        status = prepay_dlt645_request_write(&request, &r->address, PREPAY_METER_DI_RECHARGE, &station_credentials,
                                             value, sizeof value);
    }
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "recharge write for %s: %s", r->name, prepay_strerror(status));
        return -1;
    }
    prepay_station_result_t result;
    if (exchange(d, &request, NULL, 0, &result) != 0) {
        return -1;
    }
    if (result.status != PREPAY_OK) {
        event(d, t, r, "recharge-retry", "the meter did not confirm; the same purchase count is sent again");
        return 0;
    }
    r->purchases++;
    r->last_remaining += r->pending_amount;
    r->pending_amount = 0;
    return 1;
}

/* A tenant pays: the ledger books the order (idempotent by its id); a local
 * meter then gets the amount by a recharge write. */
/* Books a payment order in the ledger: one linked chain (emergency credit,
 * debt, then balance), idempotent by ids derived from room and order number. */
static int book_order(demo_t *d, demo_room_t *r, size_t index, prepay_money_t amount, prepay_time_t t)
{
    uint32_t seq = r->orders + 1u;
    prepay_ledger_recharge_t order = {r->wallet_id, DEMO_CLEARING, amount, (1ull << 40) | ((uint64_t)index << 16) | seq,
                                      (2ull << 40) | ((uint64_t)index << 16) | seq,
                                      (3ull << 40) | ((uint64_t)index << 16) | seq, seq, t};
    prepay_ledger_transfer_t chain[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS];
    size_t n = 0;
    int status = prepay_ledger_build_recharge(&d->ledger, &order, chain, PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS, &n);
    status = status ? status : post(d, chain, n);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "recharge refused: %s", prepay_strerror(status));
        return -1;
    }
    r->orders++;
    r->recharged += amount;
    char detail[CLI_TEXT_MAX];
    event(d, t, r, "recharge", cli_fixed_text(amount, 2, detail));
    return 0;
}

/* A tenant tops up: the ledger books the order; a local meter then gets
 * the amount by a recharge write. */
static int recharge(demo_t *d, demo_room_t *r, size_t index, prepay_money_t amount, prepay_time_t t)
{
    if (book_order(d, r, index, amount, t) != 0) {
        return -1;
    }
    r->recharges++;
    r->topup_at = 0;
    if (r->local) {
        r->pending_amount += amount;
        if (push_to_meter(d, r, t) < 0) {
            return -1;
        }
    }
    return 1;
}

static prepay_time_t next_morning(prepay_time_t t)
{
    prepay_time_t day = (prepay_time_t)prepay_time_day_of(t) * PREPAY_SECONDS_PER_DAY;
    prepay_time_t at = day + 9 * HOUR;
    return at > t ? at : at + PREPAY_SECONDS_PER_DAY;
}

/* Alarm notifications and relay commands from the wallet policy. */
static int decide(demo_t *d, demo_room_t *r, prepay_time_t t)
{
    prepay_ledger_balance_t b;
    int status = prepay_ledger_balance(&d->ledger, r->wallet_id, &b);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "balance of %s: %s", r->name, prepay_strerror(status));
        return -1;
    }
    prepay_wallet_input_t in = {b.available, 0, t, 0};
    prepay_wallet_decision_t dec;
    status = prepay_wallet_decide(&d->policy, &in, &r->wallet, &dec);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "wallet policy: %s", prepay_strerror(status));
        return -1;
    }
    r->wallet = dec.next;
    char detail[128], money[CLI_TEXT_MAX];
    cli_fixed_text(b.available, 2, money);
    if ((dec.events & PREPAY_WALLET_EVENT_LEVEL_CHANGED) && dec.level > dec.from_level) {
        r->alarms[dec.level]++;
        d->notifications++;
        snprintf(detail, sizeof detail, "level %u, balance %s: SMS and app push sent", dec.level, money);
        event(d, t, r, "alarm", detail);
        if (r->habit == HABIT_PROMPT && r->topup_at == 0) {
            r->topup_at = next_morning(t);
        }
    }
    bool open = dec.relay == PREPAY_WALLET_RELAY_OPEN;
    if (r->local) {
        /* The meter decides by itself with the same policy; the station
         * only records what it knows the meter did. */
        if (open && !r->relay_open) {
            r->cutoffs++;
            r->cut_at = t;
            event(d, t, r, "cut-off", "local meter opened its relay at zero");
        } else if (!open && r->relay_open) {
            r->restores++;
            event(d, t, r, "restore", "local meter closed its relay after the recharge");
        }
        r->relay_open = open;
    } else if (open != r->relay_open) {
        int ok = relay(d, r, open ? PREPAY_DLT645_RELAY_TRIP : PREPAY_DLT645_RELAY_DIRECT_CLOSE, t);
        if (ok < 0) {
            return -1;
        }
        if (ok) {
            r->relay_open = open;
            if (open) {
                r->cutoffs++;
                r->cut_at = t;
            } else {
                r->restores++;
            }
            snprintf(detail, sizeof detail, "1C %s sent, balance %s", open ? "trip" : "direct close", money);
            event(d, t, r, open ? "cut-off" : "restore", detail);
        } else {
            event(d, t, r, "relay-retry", "no confirmation; retried next hour");
        }
    }
    if (open && r->habit == HABIT_LATE && r->topup_at == 0) {
        r->topup_at = r->cut_at + PREPAY_SECONDS_PER_DAY;
    }
    if (open && r->habit == HABIT_PROMPT && r->topup_at == 0) {
        r->topup_at = next_morning(t);
    }
    return 0;
}

/* Prices one room's interval and posts it; returns -1 on a fatal error. */
static int price_room(demo_t *d, demo_room_t *r, size_t index, prepay_time_t t, prepay_energy_t delta)
{
    prepay_tariff_line_t lines[DEMO_LINES];
    prepay_tariff_feed_result_t fr;
    int n = prepay_tariff_feed_interval(&d->plan, &d->doc->account, &r->tariff, r->last_time, t, delta, lines,
                                        DEMO_LINES, &fr);
    if (n < 0) {
        cli_fail(d->cli, n, "pricing %s: %s", r->name, prepay_strerror(n));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        if (lines[i].kind == PREPAY_LINE_ENERGY) {
            r->band_energy[lines[i].band] += lines[i].quantity;
            r->tier_energy[lines[i].tier] += lines[i].quantity;
        }
    }
    prepay_money_t due = fr.due;
    if (r->local) {
        /* The meter deducted by itself: mirror its purse exactly, once any
         * unconfirmed recharge has been confirmed. */
        if (r->pending_amount > 0) {
            int pushed = push_to_meter(d, r, t);
            if (pushed <= 0) {
                r->station_priced += fr.due;
                return pushed;
            }
        }
        int64_t remaining;
        int got = read_bcd4(d, &r->address, PREPAY_DI_REMAINING_AMOUNT, &remaining);
        if (got < 0) {
            return -1;
        }
        r->station_priced += fr.due;
        if (got == 0) {
            return 0;
        }
        due = r->last_remaining - remaining;
        r->last_remaining = remaining;
    }
    if (due > 0) {
        prepay_ledger_transfer_t tr;
        memset(&tr, 0, sizeof tr);
        tr.id = ((uint64_t)(index + 1) << 32) | (uint64_t)((t - d->start) / HOUR);
        tr.debit_account_id = r->wallet_id;
        tr.credit_account_id = DEMO_REVENUE;
        tr.amount = due;
        tr.code = PREPAY_LEDGER_CODE_DEDUCTION;
        tr.timestamp = t;
        tr.meter_id = index + 1;
        tr.interval_start = r->last_time;
        tr.interval_end = t;
        tr.tariff_version = 1;
        int status = post(d, &tr, 1);
        if (status != PREPAY_OK) {
            cli_fail(d->cli, status, "deduction refused for %s: %s", r->name, prepay_strerror(status));
            return -1;
        }
        r->charged += due;
    }
    return 0;
}

/* Month end: the common area priced so far is split by floor area. */
static int allocate(demo_t *d, prepay_time_t t)
{
    if (d->common_due <= 0) {
        return 0;
    }
    prepay_allocation_part_t *parts = calloc(d->room_count, sizeof *parts);
    prepay_allocation_line_t *lines = calloc(2 * d->room_count, sizeof *lines);
    if (!parts || !lines) {
        free(parts);
        free(lines);
        cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->room_count; i++) {
        parts[i].account_id = d->rooms[i].local ? d->rooms[i].wallet_id + 100000u : d->rooms[i].wallet_id;
        parts[i].weight = d->rooms[i].area;
    }
    prepay_allocation_request_t req;
    memset(&req, 0, sizeof req);
    req.energy = d->common_energy_pending;
    req.money = d->common_due;
    req.vacancy = PREPAY_ALLOCATION_VACANT_SKIP;
    size_t count = 0;
    int status = prepay_allocation_allocate(&req, parts, d->room_count, lines, 2 * d->room_count, &count);
    for (size_t i = 0; i < count && status == PREPAY_OK; i++) {
        if (lines[i].money <= 0) {
            continue;
        }
        demo_room_t *r = &d->rooms[lines[i].part_index];
        prepay_ledger_transfer_t tr;
        memset(&tr, 0, sizeof tr);
        tr.id = (4ull << 40) | ((uint64_t)d->allocations << 20) | lines[i].part_index;
        tr.debit_account_id = lines[i].account_id;
        tr.credit_account_id = DEMO_COMMON;
        tr.amount = lines[i].money;
        tr.code = PREPAY_LEDGER_CODE_ALLOCATION;
        tr.timestamp = t;
        status = post(d, &tr, 1);
        r->allocated += lines[i].money;
    }
    if (status == PREPAY_OK) {
        char money[CLI_TEXT_MAX], detail[128];
        snprintf(detail, sizeof detail, "%s yuan for %lld Wh split by floor area", cli_fixed_text(d->common_due, 2, money),
                 (long long)d->common_energy_pending);
        event(d, t, NULL, "common-area allocation", detail);
        d->common_total += d->common_due;
        d->common_due = 0;
        d->common_energy_pending = 0;
        d->allocations++;
    } else {
        cli_fail(d->cli, status, "allocation failed: %s", prepay_strerror(status));
    }
    free(parts);
    free(lines);
    return status == PREPAY_OK ? 0 : -1;
}

/* The incomer's hour: the common area is what the rooms did not use. */
static int price_common(demo_t *d, prepay_time_t t, int hour)
{
    int64_t reading;
    int got = read_bcd4(d, &d->master_address, PREPAY_DI_FORWARD_ACTIVE_TOTAL, &reading);
    if (got <= 0) {
        if (got == 0) {
            for (size_t i = 0; i < d->room_count; i++) {
                d->subs_pending += d->rooms[i].hour_delta;
            }
        }
        return got;
    }
    prepay_energy_t wh = reading * 10;
    for (size_t i = 0; i < d->room_count; i++) {
        d->subs_pending += d->rooms[i].hour_delta;
    }
    if (!d->master_primed) {
        d->master_first = d->master_last = wh;
        d->master_time = t;
        d->subs_pending = 0;
        d->master_primed = true;
        return 1;
    }
    prepay_energy_t subs[1] = {d->subs_pending};
    d->master_wh[hour] = wh - d->master_last;
    prepay_allocation_residual_t res;
    int status = prepay_allocation_residual(wh - d->master_last, subs, 1, d->residual_carry, PREPAY_ALLOCATION_RESIDUAL_CARRY,
                                       &res);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "residual: %s", prepay_strerror(status));
        return -1;
    }
    d->master_last = wh;
    d->subs_pending = 0;
    d->residual_carry = res.carry_out;
    prepay_tariff_line_t lines[DEMO_LINES];
    prepay_tariff_feed_result_t fr;
    int n = prepay_tariff_feed_interval(&d->plan, NULL, &d->common_tariff, d->master_time, t, res.common, lines,
                                        DEMO_LINES, &fr);
    d->master_time = t;
    if (n < 0) {
        cli_fail(d->cli, n, "pricing the common area: %s", prepay_strerror(n));
        return -1;
    }
    d->common_due += fr.due;
    d->common_energy += res.common;
    d->common_energy_pending += res.common;
    return 1;
}

static int read_room(demo_t *d, demo_room_t *r, size_t index, prepay_time_t t, int hour)
{
    int64_t reading;
    r->hour_delta = 0;
    int got = read_bcd4(d, &r->address, PREPAY_DI_FORWARD_ACTIVE_TOTAL, &reading);
    if (got < 0) {
        return -1;
    }
    if (got == 0) {
        r->read_failures++;
        return 0; /* the next reading covers the gap */
    }
    prepay_energy_t wh = reading * 10;
    if (!r->primed) {
        r->primed = true;
        r->first_reading = r->last_reading = wh;
        r->last_time = t;
        if (r->local) {
            int64_t remaining;
            if (read_bcd4(d, &r->address, PREPAY_DI_REMAINING_AMOUNT, &remaining) <= 0) {
                return -1;
            }
            r->last_remaining = remaining;
        }
        return 0;
    }
    prepay_energy_t delta = wh - r->last_reading;
    if (price_room(d, r, index, t, delta) != 0) {
        return -1;
    }
    r->hour_delta = delta;
    if (hour >= 0) {
        d->rooms_wh[hour] += delta;
    }
    r->last_reading = wh;
    r->last_time = t;
    return decide(d, r, t);
}

static bool month_starts(prepay_time_t t)
{
    prepay_civil_t c;
    return prepay_time_to_civil(t, &c) == PREPAY_OK && c.day == 1 && c.hour == 0 && c.minute == 0;
}

static int initial_recharges(demo_t *d)
{
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        /* The opening balance is booked, not a tenant top-up. A local meter
         * already holds it: the site file gave it as purchase 1. */
        if (book_order(d, r, i, r->initial, d->start) != 0) {
            return -1;
        }
        if (r->local) {
            r->purchases = 1;
        }
        prepay_wallet_state_init(&r->wallet);
        int status = prepay_tariff_state_init(&r->tariff);
        if (status != PREPAY_OK) {
            cli_fail(d->cli, status, "state of %s: %s", r->name, prepay_strerror(status));
            return -1;
        }
    }
    return 0;
}

int demo_run(demo_t *d)
{
    int status = open_accounts(d);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "cannot open the accounts: %s", prepay_strerror(status));
        return -1;
    }
    if (initial_recharges(d) != 0) {
        return -1;
    }
    status = prepay_tariff_state_init(&d->common_tariff);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "common-area tariff state: %s", prepay_strerror(status));
        return -1;
    }
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = (uint32_t)d->opt.timeout_ms;
    if (station_link_open(&d->link, "127.0.0.1", d->emu_port, &cfg) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot connect to the emulator on port %d", d->emu_port);
        return -1;
    }
    /* Prime: read every meter at the start. */
    if (broadcast_time(d, d->start) != 0) {
        return -1;
    }
    for (size_t i = 0; i < d->room_count; i++) {
        if (read_room(d, &d->rooms[i], i, d->start, -1) != 0) {
            return -1;
        }
    }
    if (price_common(d, d->start, 0) < 0) {
        return -1;
    }
    for (int hour = 0; hour < d->hours; hour++) {
        prepay_time_t t = d->start + (prepay_time_t)(hour + 1) * HOUR;
        if (broadcast_time(d, t) != 0) {
            return -1;
        }
        for (size_t i = 0; i < d->room_count; i++) {
            demo_room_t *r = &d->rooms[i];
            if (read_room(d, r, i, t, hour) != 0) {
                return -1;
            }
            if (r->topup_at != 0 && r->topup_at <= t && r->habit != HABIT_NEVER) {
                prepay_money_t amount = 10000 + (prepay_money_t)(i % 3) * 5000;
                int ok = recharge(d, r, i, amount, t);
                if (ok < 0 || (ok == 1 && decide(d, r, t) != 0)) {
                    return -1;
                }
            }
        }
        if (price_common(d, t, hour) < 0) {
            return -1;
        }
        if (month_starts(t) || hour == d->hours - 1) {
            if (allocate(d, t) != 0) {
                return -1;
            }
            /* The shares may push wallets into an alarm or a cut-off. */
            for (size_t i = 0; i < d->room_count; i++) {
                if (decide(d, &d->rooms[i], t) != 0) {
                    return -1;
                }
            }
        }
    }
    /* The meters' own view at the end, for the cross-checks. */
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        prepay_dlt645_frame_t request;
        status = prepay_dlt645_request_read(&request, &r->address, PREPAY_DI_FORWARD_ACTIVE_BLOCK);
        if (status != PREPAY_OK) {
            cli_fail(d->cli, status, "read request: %s", prepay_strerror(status));
            return -1;
        }
        uint8_t data[64];
        prepay_station_result_t result;
        if (exchange(d, &request, data, sizeof data, &result) != 0) {
            return -1;
        }
        for (size_t k = 0; k < 5 && result.status == PREPAY_OK && (k + 1) * 4 <= result.data_len; k++) {
            uint64_t v = 0;
            if (prepay_bcd_decode(data + 4 * k, 4, &v) != PREPAY_OK) {
                break; /* a garbled register: the cross-check reports the difference */
            }
            if (k == 0) {
                r->meter_total = (prepay_energy_t)v * 10;
            } else {
                r->meter_bands[k] = (prepay_energy_t)v * 10;
            }
        }
        if (r->local) {
            int64_t remaining = 0;
            if (read_bcd4(d, &r->address, PREPAY_DI_REMAINING_AMOUNT, &remaining) < 0) {
                return -1;
            }
            r->meter_remaining = remaining;
        }
    }
    station_link_close(&d->link);
    return 0;
}
