/* SPDX-License-Identifier: MIT */
/*
 * prepay demo: the scenario. The clock moves the emulated building forward
 * hour by hour (a broadcast time sync); the station reads every meter over
 * DL/T 645 and hands the decoded replies to the settlement module as one
 * batch (prepay_settlement_settle(): pricing, deductions, debt, alarms,
 * relay decisions); relay commands are sent from its COMMAND events;
 * tenants recharge by their habits, reacting to the alarms and cut-offs they
 * are notified of (prepay_settlement_recharge()); each month end closes the
 * period (prepay_settlement_close_period(): the common area split by floor
 * area). Nothing is priced or posted here.
 */
#include <stdlib.h>
#include <string.h>

#include "cli_text.h"
#include "demo.h"

#define HOUR 3600

static const prepay_dlt645_credentials_t station_credentials = {
    PREPAY_DLT645_PASSWORD_LEVEL_2, {0x00, 0x00, 0x00}, {0x01, 0x00, 0x00, 0x00}};

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

/* Sends a read of `di`; 1 with the reply's value bytes in data, 0 if the meter gave no normal reply, -1 link lost. */
static int read_item(demo_t *d, const prepay_dlt645_address_t *address, uint32_t di, uint8_t *data, size_t cap,
                     prepay_station_result_t *result)
{
    prepay_dlt645_frame_t request;
    int status = prepay_dlt645_request_read(&request, address, di);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "read request: %s", prepay_strerror(status));
        return -1;
    }
    if (exchange(d, &request, data, cap, result) != 0) {
        return -1;
    }
    return result->status == PREPAY_OK ? 1 : 0;
}

/* Reads a meter's energy register into a settlement reading: the reply frame goes through the
 * library's decoder, which finds the meter by the address that answered and checks the DI.
 * Returns 1 (a reading), 0 (no usable reply: the next reading covers the gap), -1 (link lost). */
static int read_energy(demo_t *d, const prepay_dlt645_address_t *address, prepay_time_t t,
                       prepay_settlement_reading_t *out)
{
    uint8_t data[16], wire[PREPAY_DLT645_FRAME_MAX];
    prepay_station_result_t result;
    int got = read_item(d, address, PREPAY_DI_FORWARD_ACTIVE_TOTAL, data, sizeof data, &result);
    if (got <= 0) {
        return got;
    }
    int n = prepay_dlt645_encode(&result.reply, wire, sizeof wire);
    if (n <= 0) {
        return 0;
    }
    int detail = 0;
    return prepay_settlement_decode_reply(&d->site, &d->reader, wire, (size_t)n, t, out, &detail) > 0 ? 1 : 0;
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

/* Sends the relay command a COMMAND event asked for; retried each hour until the meter confirms. */
static int send_relay(demo_t *d, demo_room_t *r, prepay_time_t t)
{
    prepay_dlt645_frame_t request;
    uint8_t command = (uint8_t)r->relay_want;
    int status = prepay_dlt645_request_relay_control(&request, &r->address, &station_credentials, command, t + HOUR);
    if (status != PREPAY_OK) {
        cli_fail(d->cli, status, "relay request for %s: %s", r->name, prepay_strerror(status));
        return -1;
    }
    prepay_station_result_t result;
    if (exchange(d, &request, NULL, 0, &result) != 0) {
        return -1;
    }
    if (result.status == PREPAY_OK) {
        r->relay_open = command == PREPAY_DLT645_RELAY_TRIP;
        r->relay_want = -1;
    } else if (d->events) {
        char when[CLI_TEXT_MAX];
        fprintf(d->events, "%s,%s,relay_retry,,,,\n", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, when), r->name);
    }
    return 0;
}

/* Pushes what a local meter must be sent (the recharge's part to the balance) with the next purchase
 * count. A lost reply is harmless: the retry carries the same count, which the meter answers as a
 * repeat without crediting twice. Returns 1 confirmed, 0 to retry later, -1 link lost. */
static int push_to_meter(demo_t *d, demo_room_t *r)
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
        return 0;
    }
    r->purchases++;
    r->pending_amount = 0;
    return 1;
}

static prepay_time_t next_morning(prepay_time_t t)
{
    prepay_time_t day = (prepay_time_t)prepay_time_day_of(t) * PREPAY_SECONDS_PER_DAY;
    prepay_time_t at = day + 9 * HOUR;
    return at > t ? at : at + PREPAY_SECONDS_PER_DAY;
}

/* The tenants hear of the events and plan a recharge by their habits; remote meters get their commands. */
static int handle_events(demo_t *d)
{
    if (d->event_overflow) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory for the events"), -1;
    }
    for (size_t k = 0; k < d->event_count; k++) {
        const prepay_settlement_event_t *e = &d->events_buf[k];
        demo_record_event(d, e);
        if (e->account_id < 1 || e->account_id > d->room_count) {
            continue;
        }
        demo_room_t *r = &d->rooms[e->account_id - 1];
        switch (e->type) {
        case PREPAY_SETTLEMENT_EVENT_COMMAND:
            r->relay_want = e->command;
            if (send_relay(d, r, e->time) != 0) {
                return -1;
            }
            if (r->water && !r->local) {
                /* One wallet: the room's water valve follows the same command as its relay. */
                r->water_valve_want = e->command;
                if (demo_water_valve(d, r, e->time) != 0) {
                    return -1;
                }
            }
            break;
        case PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL:
            if (e->level > e->from_level && e->level <= PREPAY_MAX_ALARM_LEVELS) {
                r->alarms[e->level]++;
                if (r->habit == HABIT_PROMPT && r->topup_at == 0) {
                    r->topup_at = next_morning(e->time);
                }
            }
            break;
        case PREPAY_SETTLEMENT_EVENT_CUTOFF:
            r->cutoffs++;
            r->cut_at = e->time;
            if (r->habit == HABIT_LATE && r->topup_at == 0) {
                r->topup_at = e->time + PREPAY_SECONDS_PER_DAY;
            } else if (r->habit == HABIT_PROMPT && r->topup_at == 0) {
                r->topup_at = next_morning(e->time);
            }
            break;
        case PREPAY_SETTLEMENT_EVENT_RESTORED:
            r->restores++;
            break;
        default:
            break;
        }
    }
    d->event_count = 0;
    return 0;
}

static int failed_call(demo_t *d, int status, const char *what, const prepay_settlement_result_t *res)
{
    const char *who = res->error_id >= 1 && res->error_id <= d->room_count ? d->rooms[res->error_id - 1].name : "site";
    cli_fail(d->cli, status, "%s refused (%s, id %u): %s%s%s", what, who, res->error_id, prepay_strerror(status),
             res->error_detail ? ": " : "", res->error_detail ? prepay_strerror(res->error_detail) : "");
    return -1;
}

/* A tenant pays: the settlement books it (debt and emergency credit first); a local meter is then sent the
 * part that reached the balance. The opening balance is recharge 1, already in a local meter's purse. */
static int pay(demo_t *d, demo_room_t *r, prepay_money_t amount, prepay_time_t t, bool opening)
{
    const prepay_settlement_account_t *a = prepay_settlement_account(&d->site, r->id);
    prepay_settlement_recharge_t rc;
    memset(&rc, 0, sizeof rc);
    rc.account_id = r->id;
    rc.sequence = a->recharges + 1u;
    rc.amount = amount;
    rc.order_id = (uint64_t)r->id << 32 | rc.sequence;
    rc.time = t;
    prepay_settlement_recharge_split_t split;
    prepay_settlement_result_t res;
    int status = prepay_settlement_recharge(&d->site, &d->books, &d->work, &rc, &split, &res);
    if (status < 0) {
        return failed_call(d, status, "recharge", &res);
    }
    /* A local room with a water meter: what reached the balance is split between the two meters' purses. The
     * water meter is topped up to DEMO_WATER_TARGET (as the station last read its purse; 0 once its valve was seen
     * shut) with at most half of it; the opening balance's water part was set with the site (purchase 1). The
     * water part is sold out of the wallet to the water meter (demo_water_buy(): prepay_settlement_sell()). */
    prepay_money_t water = 0;
    if (r->local && r->water) {
        water = opening ? r->water_opening : DEMO_WATER_TARGET - demo_water_purse_view(r);
        water = !opening && split.to_balance / 2 < water ? split.to_balance / 2 : water;
        water = water < a->books.balance ? water : a->books.balance; /* a sale creates no debt */
        if (water > 0 && demo_water_buy(d, r, t, water) != 0) {
            return -1;
        }
        water = water > 0 ? water : 0;
    }
    if (r->local && !opening && split.to_balance - water > 0) {
        r->pending_amount += split.to_balance - water;
        if (push_to_meter(d, r) < 0) {
            return -1;
        }
    }
    if (r->local && opening) {
        r->purchases = 1;
    }
    r->topup_at = 0;
    return handle_events(d);
}

/* One reading round: every meter read, one settle call. hour < 0: the priming round. */
static int reading_round(demo_t *d, prepay_time_t t, int hour)
{
    /* The run's first and last readings bound what the cross-checks compare with the registers read at the
     * two ends, so the station re-polls a meter that does not answer them (as for a month-end read); a
     * reading lost in between is covered by the next one. */
    const int polls = hour < 0 || hour == d->hours - 1 ? DEMO_END_POLLS : 1;
    size_t n = 0;
    for (size_t i = 0; i < d->room_count; i++) {
        demo_room_t *r = &d->rooms[i];
        if (!r->local && r->relay_want >= 0 && send_relay(d, r, t) != 0) {
            return -1;
        }
        if (r->local && r->pending_amount > 0 && push_to_meter(d, r) < 0) {
            return -1;
        }
        int got = 0;
        for (int poll = 0; poll < polls && got == 0; poll++) {
            got = read_energy(d, &r->address, t, &d->batch[n]);
        }
        if (got < 0) {
            return -1;
        }
        if (got == 0) {
            r->read_failures++;
            continue;
        }
        if (hour >= 0 && r->primed) {
            d->rooms_wh[hour] += d->batch[n].value - r->last_reading;
        }
        if (!r->primed) {
            r->first_reading = d->batch[n].value;
            r->primed = true;
        }
        r->last_reading = d->batch[n].value;
        demo_curve_note(d, i, t, d->batch[n].value);
        n++;
    }
    int got = 0;
    for (int poll = 0; poll < polls && got == 0; poll++) {
        got = read_energy(d, &d->master_address, t, &d->batch[n]);
    }
    if (got < 0) {
        return -1;
    }
    if (got > 0) {
        if (hour >= 0 && d->master_primed) {
            d->master_wh[hour] = d->batch[n].value - d->master_last;
        }
        if (!d->master_primed) {
            d->master_first = d->batch[n].value;
            d->master_primed = true;
        }
        d->master_last = d->batch[n].value;
        demo_curve_note(d, d->room_count, t, d->batch[n].value);
        n++;
    }
    prepay_settlement_result_t res;
    int status = prepay_settlement_settle(&d->site, &d->books, &d->work, d->batch, n, &res);
    if (status < 0) {
        return failed_call(d, status, "readings", &res);
    }
    /* The water meters, in a settle call of their own: what it charges each account is its water. */
    prepay_settlement_reading_t *water = d->batch + d->room_count + 1;
    size_t w = 0;
    if (d->has_water && demo_water_round(d, t, water, &w) != 0) {
        return -1;
    }
    if (demo_water_settle(d, water, w) != 0) {
        return -1;
    }
    return handle_events(d);
}

/* Month end (and the run's end): the common area split by floor area, wallets that cannot take a share go
 * into debt. */
static int close_period(demo_t *d, prepay_time_t t)
{
    prepay_settlement_result_t res;
    int status = prepay_settlement_close_period(&d->site, &d->books, &d->close_work, demo_period_end(d, t), &res);
    if (status < 0) {
        return failed_call(d, status, "period close", &res);
    }
    const prepay_settlement_group_t *g = &d->site.memory.groups[0];
    d->common_energy += g->last_common;
    d->common_total += g->last_charge;
    d->closes++;
    if (d->events) {
        char when[CLI_TEXT_MAX], money[CLI_TEXT_MAX];
        fprintf(d->events, "%s,site,common_area,%s,,,%lld\n", cli_time_text(t, PREPAY_TIME_TEXT_MINUTE, when),
                cli_fixed_text(g->last_charge, 2, money), (long long)g->last_common);
    }
    return handle_events(d);
}

/* The meters' own view at the end (and the start): registers by band, a local meter's purse. */
static int read_registers(demo_t *d, demo_room_t *r, prepay_energy_t regs[5], bool purse)
{
    uint8_t data[64];
    prepay_station_result_t result;
    int got = read_item(d, &r->address, PREPAY_DI_FORWARD_ACTIVE_BLOCK, data, sizeof data, &result);
    if (got < 0) {
        return -1;
    }
    prepay_dlt645_value_t items[5];
    int count = got ? prepay_dlt645_block_decode(PREPAY_DI_FORWARD_ACTIVE_BLOCK, data, result.data_len, items, 5) : 0;
    for (int k = 0; k < 5; k++) {
        /* An unread or garbled register stays -1: the cross-check reports the difference. */
        regs[k] = k < count && items[k].kind == PREPAY_DLT645_KIND_NUMBER ? items[k].quantity : -1;
    }
    if (purse && r->local) {
        got = read_item(d, &r->address, PREPAY_DI_REMAINING_AMOUNT, data, sizeof data, &result);
        if (got < 0) {
            return -1;
        }
        prepay_dlt645_value_t v;
        r->meter_remaining = got && prepay_dlt645_value_decode(PREPAY_DI_REMAINING_AMOUNT, data, result.data_len, &v) ==
                                        PREPAY_OK ? v.quantity : -1;
    }
    return 0;
}

/* The registers (and a local meter's purse) at the run's two ends, re-polled until the meter answers (a lost
 * or garbled reply leaves -1): DEMO_END_POLLS. */
static int read_registers_until_read(demo_t *d, demo_room_t *r, prepay_energy_t regs[5], bool purse)
{
    for (int poll = 0; poll < DEMO_END_POLLS; poll++) {
        if (read_registers(d, r, regs, purse) != 0) {
            return -1;
        }
        if (regs[0] >= 0 && (!purse || !r->local || r->meter_remaining >= 0)) {
            break;
        }
    }
    return 0;
}

int demo_run(demo_t *d)
{
    if (demo_settlement_open(d) != 0) {
        return -1;
    }
    int status = prepay_dlt645_reader_init(&d->reader);
    if (status != PREPAY_OK) {
        return cli_fail(d->cli, status, "reply decoder: %s", prepay_strerror(status)), -1;
    }
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = (uint32_t)d->opt.timeout_ms;
    if (station_link_open(&d->link, "127.0.0.1", d->emu_port, &cfg) != 0) {
        cli_fail(d->cli, PREPAY_E_HOSTED_IO, "cannot connect to the emulator on port %d", d->emu_port);
        return -1;
    }
    /* The last day's curves (demo_curves.c): the registers read at its two ends are noted on the way. */
    d->curve_to = d->start + (prepay_time_t)d->hours * HOUR;
    d->curve_from = d->curve_to - 24 * HOUR;
    d->curves = d->hours >= 24 ? calloc(d->room_count + 1, sizeof *d->curves) : NULL;
    if (d->hours >= 24 && !d->curves) {
        return cli_fail(d->cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory"), -1;
    }
    if (broadcast_time(d, d->start) != 0 || (d->has_water && demo_water_cycles(d) != 0)) {
        return -1;
    }
    for (size_t i = 0; i < d->room_count; i++) {
        d->rooms[i].relay_want = -1;
        if (pay(d, &d->rooms[i], d->rooms[i].initial, d->start, true) != 0 ||
            read_registers_until_read(d, &d->rooms[i], d->rooms[i].meter_first, false) != 0) {
            return -1;
        }
    }
    if (reading_round(d, d->start, -1) != 0) {
        return -1;
    }
    for (int hour = 0; hour < d->hours; hour++) {
        prepay_time_t t = d->start + (prepay_time_t)(hour + 1) * HOUR;
        if (broadcast_time(d, t) != 0 || reading_round(d, t, hour) != 0) {
            return -1;
        }
        for (size_t i = 0; i < d->room_count; i++) {
            demo_room_t *r = &d->rooms[i];
            if (r->local && r->water && !r->water_valve_open && r->topup_at == 0) {
                /* The tap ran dry (the water meter shut its valve at zero): the tenant tops up by habit. */
                r->topup_at = r->habit == HABIT_LATE ? t + PREPAY_SECONDS_PER_DAY : next_morning(t);
            }
            if (r->topup_at != 0 && r->topup_at <= t && r->habit != HABIT_NEVER) {
                if (pay(d, r, 10000 + (prepay_money_t)(i % 3) * 5000, t, false) != 0) {
                    return -1;
                }
            }
        }
        if (t == d->site.period_end && close_period(d, t) != 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < d->room_count; i++) {
        if (read_registers_until_read(d, &d->rooms[i], d->rooms[i].meter_last, true) != 0) {
            return -1;
        }
    }
    if (d->has_water && (demo_water_final(d, d->start + (prepay_time_t)d->hours * HOUR) != 0 || handle_events(d) != 0 ||
                         demo_water_confirm(d, d->start + (prepay_time_t)d->hours * HOUR) != 0)) {
        return -1;
    }
    if (demo_read_curves(d) != 0) {
        return -1;
    }
    station_link_close(&d->link);
    return 0;
}
