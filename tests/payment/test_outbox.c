/* SPDX-License-Identifier: MIT */
/*
 * The notification outbox: routing by the per-account channel policy,
 * dedupe by event id, the retry schedule, acks, exhausted deliveries, the
 * dedupe key; and crash recovery over every journal cut point of a durable
 * settlement + payment run whose events go to the outbox through the
 * settlement sink (pattern of tests/settlement/test_settlement_crash.c):
 * each cut recovers to exactly the outbox of the last committed call, and
 * re-running every input over the recovered books gives the deliveries of an
 * uninterrupted run (at least once: only the attempt counts may differ).
 * PREPAY_OUTBOX_CRASH_STRIDE > 1 tests every n-th offset (default 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../settlement/settle_fixture.h"
#include "prepay/outbox.h"
#include "prepay/payment.h"

#define CAP 256u
#define STORAGE (1u << 20)
#define STAGING (16u << 10)
#define ACCOUNT 7u

static const uint32_t backoff[] = {60, 300, 1800};

static void policies(prepay_outbox_policy_t p[2])
{
    memset(p, 0, 2 * sizeof p[0]);
    p[0].account_id = 0; /* the default */
    p[0].channels[PREPAY_SETTLEMENT_EVENT_RECHARGE] = 1u << PREPAY_OUTBOX_SMS | 1u << PREPAY_OUTBOX_APP_PUSH;
    p[0].channels[PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL] = 1u << PREPAY_OUTBOX_APP_PUSH;
    p[0].channels[PREPAY_SETTLEMENT_EVENT_LOW_BALANCE] = 1u << PREPAY_OUTBOX_SMS;
    p[0].channels[PREPAY_SETTLEMENT_EVENT_CUTOFF] = 1u << PREPAY_OUTBOX_SMS | 1u << PREPAY_OUTBOX_VOICE;
    p[0].channels[PREPAY_SETTLEMENT_EVENT_RESTORED] = 1u << PREPAY_OUTBOX_APP_PUSH;
    p[0].channels[PREPAY_SETTLEMENT_EVENT_DEBT_CREATED] = 1u << PREPAY_OUTBOX_EMAIL;
    p[0].channels[PREPAY_SETTLEMENT_EVENT_STATEMENT] = 1u << PREPAY_OUTBOX_EMAIL;
    p[0].channels[PREPAY_PAYMENT_EVENT_FAILED] = 1u << PREPAY_OUTBOX_APP_PUSH | 1u << PREPAY_OUTBOX_WECHAT;
    p[1].account_id = 8; /* account 8 wants recharges on WeChat only, nothing else */
    p[1].channels[PREPAY_SETTLEMENT_EVENT_RECHARGE] = 1u << PREPAY_OUTBOX_WECHAT;
}

static prepay_settlement_event_t event(unsigned type, uint32_t account, prepay_time_t t, uint64_t seq)
{
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    assert_int_equal(prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_EVENT + type, account, (uint32_t)t, seq, &e.id),
                     PREPAY_OK);
    e.type = (uint16_t)type;
    e.account_id = account;
    e.time = t;
    e.amount = 1000;
    return e;
}

static void test_policy_retries_acks(void **state)
{
    (void)state;
    prepay_outbox_policy_t p[2];
    policies(p);
    prepay_outbox_config_t config = {p, 2, backoff, 3};
    prepay_outbox_delivery_t store[8];
    prepay_outbox_t ob;
    assert_int_equal(prepay_outbox_init(&ob, store, 8, &config, NULL), PREPAY_OK);
    /* Routing: account 7 takes the default, account 8 its own policy. */
    assert_int_equal(prepay_outbox_route(&ob, 7, PREPAY_SETTLEMENT_EVENT_RECHARGE), 0x03);
    assert_int_equal(prepay_outbox_route(&ob, 8, PREPAY_SETTLEMENT_EVENT_RECHARGE), 0x10);
    assert_int_equal(prepay_outbox_route(&ob, 8, PREPAY_SETTLEMENT_EVENT_CUTOFF), 0);
    assert_int_equal(prepay_outbox_route(&ob, 7, 0), 0);
    assert_int_equal(prepay_outbox_route(&ob, 7, PREPAY_OUTBOX_EVENT_TYPES), 0);
    prepay_time_t t = 1000;
    prepay_settlement_event_t recharge = event(PREPAY_SETTLEMENT_EVENT_RECHARGE, 7, t, 1);
    assert_int_equal(prepay_outbox_add(&ob, &recharge), 2);
    assert_int_equal(prepay_outbox_add(&ob, &recharge), 0); /* the same event again: deduped */
    prepay_settlement_event_t cut8 = event(PREPAY_SETTLEMENT_EVENT_CUTOFF, 8, t, 0);
    assert_int_equal(prepay_outbox_add(&ob, &cut8), 0); /* not routed */
    prepay_settlement_event_t cut7 = event(PREPAY_SETTLEMENT_EVENT_CUTOFF, 7, t + 10, 0);
    assert_int_equal(prepay_outbox_add(&ob, &cut7), 2);
    assert_int_equal(ob.count, 4);
    /* Full: an event whose deliveries do not all fit changes nothing. */
    prepay_settlement_event_t more[3] = {event(PREPAY_SETTLEMENT_EVENT_RECHARGE, 7, t, 2),
                                         event(PREPAY_SETTLEMENT_EVENT_RECHARGE, 7, t, 3),
                                         event(PREPAY_SETTLEMENT_EVENT_RECHARGE, 7, t, 4)};
    assert_int_equal(prepay_outbox_add(&ob, &more[0]), 2);
    assert_int_equal(prepay_outbox_add(&ob, &more[1]), 2);
    assert_int_equal(prepay_outbox_add(&ob, &more[2]), PREPAY_E_OUTBOX_FULL);
    assert_int_equal(ob.count, 8);
    prepay_settlement_event_t bad = event(PREPAY_SETTLEMENT_EVENT_RECHARGE, 7, t, 5);
    bad.type = 64;
    assert_int_equal(prepay_outbox_add(&ob, &bad), PREPAY_E_OUTBOX_FIELD);
    ob.count = 4; /* forget the two extra events (test only) */
    /* Nothing is due before the event's time. */
    prepay_outbox_delivery_t out[8];
    assert_int_equal(prepay_outbox_take_due(&ob, t - 1, out, 8), 0);
    assert_int_equal(prepay_outbox_take_due(&ob, t, out, 8), 2); /* the recharge's two channels */
    assert_int_equal(out[0].attempts, 1);
    assert_int_equal(out[0].due, t + 60);
    assert_int_equal(prepay_outbox_take_due(&ob, t + 10, out, 1), 1); /* cut-off, SMS (capacity 1) */
    assert_int_equal(out[0].channel, PREPAY_OUTBOX_SMS);
    assert_int_equal(prepay_outbox_take_due(&ob, t + 10, out, 8), 1); /* cut-off, voice */
    assert_int_equal(out[0].channel, PREPAY_OUTBOX_VOICE);
    /* Acks: the recharge by SMS and push; again is a duplicate; an unknown key is refused. */
    assert_int_equal(prepay_outbox_ack(&ob, &recharge.id, PREPAY_OUTBOX_SMS, t + 5), PREPAY_OK);
    assert_int_equal(prepay_outbox_ack(&ob, &recharge.id, PREPAY_OUTBOX_SMS, t + 6), PREPAY_OUTBOX_DUPLICATE);
    assert_int_equal(prepay_outbox_ack(&ob, &recharge.id, PREPAY_OUTBOX_APP_PUSH, t + 5), PREPAY_OK);
    assert_int_equal(prepay_outbox_ack(&ob, &recharge.id, PREPAY_OUTBOX_EMAIL, t + 5), PREPAY_E_OUTBOX_UNKNOWN);
    assert_int_equal(prepay_outbox_ack(&ob, &cut8.id, PREPAY_OUTBOX_SMS, t + 5), PREPAY_E_OUTBOX_UNKNOWN);
    assert_int_equal(prepay_outbox_ack(&ob, &recharge.id, 9, t + 5), PREPAY_E_OUTBOX_UNKNOWN);
    /* The cut-off's SMS is never acked: attempts at t+10, +60, +300, +1800, then exhausted. */
    prepay_time_t at = t + 10;
    for (unsigned k = 0; k < 3; k++) {
        at += backoff[k];
        assert_int_equal(prepay_outbox_take_due(&ob, at - 1, out, 8), 0);
        assert_int_equal(prepay_outbox_take_due(&ob, at, out, 8), 2);
        assert_int_equal(out[0].attempts, k + 2);
    }
    assert_int_equal(prepay_outbox_take_due(&ob, at + 1799, out, 8), 0);
    assert_int_equal(prepay_outbox_take_due(&ob, at + 1800, out, 8), 0);
    prepay_outbox_counts_t c;
    prepay_outbox_counts(&ob, &c);
    assert_int_equal(c.delivered, 2);
    assert_int_equal(c.exhausted, 2);
    assert_int_equal(c.pending, 0);
    /* A late ack still counts. */
    assert_int_equal(prepay_outbox_ack(&ob, &cut7.id, PREPAY_OUTBOX_VOICE, at + 2000), PREPAY_OK);
    prepay_outbox_counts(&ob, &c);
    assert_int_equal(c.delivered, 3);
    /* The dedupe key: 32 hex digits of the id, '-', the channel. */
    const prepay_outbox_delivery_t *sms = prepay_outbox_find(&ob, &cut7.id, PREPAY_OUTBOX_SMS);
    assert_non_null(sms);
    assert_int_equal(sms->state, PREPAY_OUTBOX_EXHAUSTED);
    char key[PREPAY_OUTBOX_KEY_SIZE];
    assert_int_equal(prepay_outbox_dedupe_key(sms, key, sizeof key), 34);
    char expect[PREPAY_OUTBOX_KEY_SIZE];
    snprintf(expect, sizeof expect, "%016llx%016llx-%u", (unsigned long long)cut7.id.hi,
             (unsigned long long)cut7.id.lo, (unsigned)PREPAY_OUTBOX_SMS);
    assert_string_equal(key, expect);
    assert_int_equal(prepay_outbox_dedupe_key(sms, key, 34), PREPAY_E_BUFFER_TOO_SMALL);
    /* Compaction drops the delivered and the exhausted. */
    assert_int_equal(prepay_outbox_compact(&ob), 4);
    assert_int_equal(ob.count, 0);
    /* Bad configurations. */
    prepay_outbox_config_t badc = config;
    badc.backoff_count = 0;
    assert_int_equal(prepay_outbox_init(&ob, store, 8, &badc, NULL), PREPAY_E_OUTBOX_CONFIG);
    prepay_outbox_policy_t unsorted[2] = {p[1], p[0]};
    badc = config;
    badc.policies = unsorted;
    assert_int_equal(prepay_outbox_init(&ob, store, 8, &badc, NULL), PREPAY_E_OUTBOX_CONFIG);
    static const uint32_t zero[] = {60, 0};
    badc = config;
    badc.backoff = zero;
    badc.backoff_count = 2;
    assert_int_equal(prepay_outbox_init(&ob, store, 8, &badc, NULL), PREPAY_E_OUTBOX_CONFIG);
#ifndef PREPAY_NO_STRERROR /* compiled out in the firmware configuration */
    assert_string_equal(prepay_strerror(PREPAY_E_OUTBOX_FULL), "outbox: no room for the event's deliveries");
#endif
}

/* ---- durable run and crash recovery ----------------------------------------- */

typedef struct durable {
    fx_t *fx;
    prepay_ledger_account_t scratch[64];
    prepay_journal_memory_t storage;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    uint8_t staging[STAGING];
    prepay_outbox_policy_t policies[2];
    prepay_outbox_t outbox;
    prepay_outbox_delivery_t deliveries[CAP];
} durable_t;

static prepay_time_t t0(void)
{
    return fx_time(2024, 1, 3, 8, 0);
}

/* The site of every run: account 7 (remote prepaid) with meter 1. */
static void site_build(durable_t *d)
{
    d->fx = calloc(1, sizeof *d->fx);
    fx_defaults(d->fx);
    fx_start(d->fx, 4, 4, 0, 0, 0);
    fx_account(d->fx, ACCOUNT, PREPAY_SETTLEMENT_PREPAID_REMOTE);
    fx_meter(d->fx, 1, ACCOUNT);
}

/* Ledger, journal (recovered from the storage as it is) and outbox; then the site on them. */
static int books_open(durable_t *d, uint8_t *bytes, size_t length, prepay_journal_recovery_t *info)
{
    assert_int_equal(prepay_journal_memory_io(&d->storage, bytes, STORAGE, &d->io), PREPAY_OK);
    d->storage.length = length;
    d->storage.synced = length;
    fx_ledger_init(&d->fx->ledger, &d->fx->ledger_memory, 64, 4096);
    policies(d->policies);
    prepay_outbox_config_t config = {d->policies, 2, backoff, 3};
    assert_int_equal(prepay_outbox_init(&d->outbox, d->deliveries, CAP, &config, &d->journal), PREPAY_OK);
    int status = prepay_journal_open_app(&d->journal, &d->io, d->staging, STAGING, NULL, &d->fx->ledger, d->scratch,
                                         64, prepay_outbox_replay, &d->outbox, info);
    if (status != PREPAY_OK) {
        return status;
    }
    d->fx->books.journal = &d->journal;
    fx_open(d->fx, 4);
    d->fx->work.sink.event = prepay_outbox_sink;
    d->fx->work.sink.context = &d->outbox;
    d->fx->close.sink = d->fx->work.sink;
    return PREPAY_OK;
}

static void books_close(durable_t *d)
{
    fx_free(d->fx);
    free(d->fx);
    d->fx = NULL;
}

static uint64_t order_id(uint32_t number)
{
    uint64_t id = 0;
    assert_int_equal(prepay_payment_order_id(ACCOUNT, number, &id), PREPAY_OK);
    return id;
}

/* Acks the first delivery of `type` on `channel` (an op of the scenario). */
static int ack_first(durable_t *d, unsigned type, unsigned channel, prepay_time_t now)
{
    for (uint32_t i = 0; i < d->outbox.count; i++) {
        const prepay_outbox_delivery_t *x = &d->outbox.deliveries[i];
        if (x->type == type && x->channel == channel) {
            prepay_settlement_id_t id = x->event_id;
            return prepay_outbox_ack(&d->outbox, &id, channel, now);
        }
    }
    return PREPAY_E_OUTBOX_UNKNOWN;
}

#define OPS 20

/* Runs input `op` of the scenario; returns its status (>= 0 ok). */
static int run_op(durable_t *d, int op)
{
    fx_t *fx = d->fx;
    prepay_time_t t = t0();
    prepay_payment_result_t pr;
    prepay_outbox_delivery_t taken[CAP];
    switch (op) {
    case 0: return fx_read(fx, 1, t, 0, NULL);
    case 1: {
        prepay_payment_order_t o = {ACCOUNT, 1, 5000, t + 60, t + 7200};
        return prepay_payment_create(&fx->site, &fx->books, &o, &pr);
    }
    case 2: {
        prepay_payment_notify_t n = {order_id(1), 5000, t + 120, PREPAY_PAYMENT_CHANNEL_PAID};
        return prepay_payment_notify(&fx->site, &fx->books, &fx->work, &n, &pr);
    }
    case 3: case 4: case 5: case 6: case 7: case 8:
        /* 20 kWh an hour at 0.50 yuan: 10.00 a reading; the sixth crosses zero. */
        return fx_read(fx, 1, t + (op - 2) * 3600, (prepay_energy_t)(op - 2) * 20000, NULL);
    case 9: return prepay_outbox_take_due(&d->outbox, t + 6 * 3600 + 60, taken, CAP);
    case 10: return ack_first(d, PREPAY_SETTLEMENT_EVENT_RECHARGE, PREPAY_OUTBOX_SMS, t + 6 * 3600 + 90);
    case 11: {
        prepay_payment_order_t o = {ACCOUNT, 2, 3000, t + 6 * 3600 + 100, t + 9 * 3600};
        return prepay_payment_create(&fx->site, &fx->books, &o, &pr);
    }
    case 12: {
        prepay_payment_notify_t n = {order_id(2), 0, t + 6 * 3600 + 200, PREPAY_PAYMENT_CHANNEL_FAILED};
        return prepay_payment_notify(&fx->site, &fx->books, &fx->work, &n, &pr);
    }
    case 13: {
        prepay_payment_order_t o = {ACCOUNT, 3, 10000, t + 6 * 3600 + 300, t + 9 * 3600};
        return prepay_payment_create(&fx->site, &fx->books, &o, &pr);
    }
    case 14: {
        prepay_payment_notify_t n = {order_id(3), 10000, t + 6 * 3600 + 400, PREPAY_PAYMENT_CHANNEL_PAID};
        return prepay_payment_notify(&fx->site, &fx->books, &fx->work, &n, &pr);
    }
    case 15: return prepay_outbox_take_due(&d->outbox, t + 7 * 3600, taken, CAP);
    case 16: return ack_first(d, PREPAY_SETTLEMENT_EVENT_CUTOFF, PREPAY_OUTBOX_VOICE, t + 7 * 3600 + 10);
    case 17: return ack_first(d, PREPAY_PAYMENT_EVENT_FAILED, PREPAY_OUTBOX_WECHAT, t + 7 * 3600 + 20);
    case 18: return fx_read(fx, 1, t + 8 * 3600, 7 * 20000, NULL);
    default: return prepay_outbox_take_due(&d->outbox, t + 9 * 3600, taken, CAP);
    }
}

/* Deliveries equal field by field; EXHAUSTED is derived from the time of a take (not journaled): compare as PENDING. */
static bool same_outbox(const prepay_outbox_t *a, const prepay_outbox_delivery_t *b, uint32_t b_count)
{
    if (a->count != b_count) {
        return false;
    }
    for (uint32_t i = 0; i < b_count; i++) {
        prepay_outbox_delivery_t x = a->deliveries[i];
        prepay_outbox_delivery_t y = b[i];
        if (x.state == PREPAY_OUTBOX_EXHAUSTED) {
            x.state = PREPAY_OUTBOX_PENDING;
        }
        if (y.state == PREPAY_OUTBOX_EXHAUSTED) {
            y.state = PREPAY_OUTBOX_PENDING;
        }
        if (memcmp(&x, &y, sizeof x) != 0) {
            return false;
        }
    }
    return true;
}

typedef struct point {
    uint64_t sequence; /* last committed sequence after the op */
    size_t length;     /* journal bytes after the op */
    uint32_t count;
    prepay_outbox_delivery_t deliveries[CAP];
} point_t;

static void test_crash_recovery_at_every_cut(void **state)
{
    (void)state;
    uint8_t *bytes = calloc(1, STORAGE);
    point_t *points = calloc(OPS + 1, sizeof *points); /* points[0]: after opening; [k + 1]: after op k */
    durable_t *d = calloc(1, sizeof *d);
    prepay_journal_recovery_t info;
    site_build(d);
    assert_int_equal(books_open(d, bytes, 0, &info), PREPAY_OK);
    points[0].sequence = d->journal.next_sequence - 1;
    points[0].length = d->storage.length;
    for (int op = 0; op < OPS; op++) {
        int status = run_op(d, op);
        if (status < 0) {
            fail_msg("op %d: %s", op, prepay_strerror(status));
        }
        assert_int_equal(d->outbox.sink_errors, 0);
        point_t *p = &points[op + 1];
        p->sequence = d->journal.next_sequence - 1;
        p->length = d->storage.length;
        p->count = d->outbox.count;
        memcpy(p->deliveries, d->deliveries, d->outbox.count * sizeof d->deliveries[0]);
    }
    fx_verify(d->fx);
    /* The scenario raised what it should: recharges, alarms, the cut-off, the failure, the restore. */
    prepay_outbox_counts_t counts;
    prepay_outbox_counts(&d->outbox, &counts);
    assert_true(d->outbox.count >= 10);
    assert_int_equal(counts.delivered, 3);
    bool seen[PREPAY_OUTBOX_EVENT_TYPES] = {false};
    for (uint32_t i = 0; i < d->outbox.count; i++) {
        seen[d->deliveries[i].type] = true;
    }
    assert_true(seen[PREPAY_SETTLEMENT_EVENT_RECHARGE] && seen[PREPAY_SETTLEMENT_EVENT_CUTOFF] &&
                seen[PREPAY_SETTLEMENT_EVENT_RESTORED] && seen[PREPAY_PAYMENT_EVENT_FAILED] &&
                seen[PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL]);
    uint64_t books = prepay_ledger_transfer_count(&d->fx->ledger);
    uint32_t final_count = d->outbox.count;
    prepay_outbox_delivery_t *final = calloc(CAP, sizeof *final);
    memcpy(final, d->deliveries, final_count * sizeof *final);
    size_t journal_bytes = d->storage.length;
    books_close(d);

    size_t stride = 1;
    const char *env = getenv("PREPAY_OUTBOX_CRASH_STRIDE");
    if (env) {
        stride = (size_t)strtoul(env, NULL, 10);
    }
    /* Re-runs from the cuts inside the last five ops that wrote anything. */
    size_t rerun_from = journal_bytes;
    int found = 0;
    for (int k = OPS; k > 0 && found < 5; k--) {
        if (points[k].length > points[k - 1].length) {
            rerun_from = points[k - 1].length;
            found++;
        }
    }
    uint8_t *cut = malloc(STORAGE);
    size_t cuts = 0, reruns = 0;
    for (size_t at = points[0].length; at <= journal_bytes; at += stride) {
        memset(d, 0, sizeof *d);
        memcpy(cut, bytes, at);
        memset(cut + at, 0, STORAGE - at);
        site_build(d);
        int status = books_open(d, cut, at, &info);
        if (status != PREPAY_OK) {
            fail_msg("cut at %zu of %zu: recovery: %s", at, journal_bytes, prepay_strerror(status));
        }
        /* The outbox is exactly that of the last committed call. */
        int k = -1;
        for (int i = 0; i <= OPS; i++) {
            if (points[i].sequence == info.last_sequence) {
                k = i;
            }
        }
        if (k < 0) {
            fail_msg("cut at %zu: recovered sequence %llu is no call's end", at,
                     (unsigned long long)info.last_sequence);
        }
        if (!same_outbox(&d->outbox, points[k].deliveries, points[k].count)) {
            fail_msg("cut at %zu: the recovered outbox (%u deliveries) is not that of call %d (%u)", at,
                     d->outbox.count, k - 1, points[k].count);
        }
        if (at >= rerun_from) {
            /* Every input again, in order, over the recovered books. */
            for (int op = 0; op < OPS; op++) {
                status = run_op(d, op);
                if (status < 0) {
                    fail_msg("cut at %zu, re-run op %d: %s", at, op, prepay_strerror(status));
                }
            }
            assert_int_equal(d->outbox.sink_errors, 0);
            fx_verify(d->fx);
            assert_int_equal(prepay_ledger_transfer_count(&d->fx->ledger), books);
            assert_int_equal(d->outbox.count, final_count);
            for (uint32_t i = 0; i < final_count; i++) {
                const prepay_outbox_delivery_t *x =
                    prepay_outbox_find(&d->outbox, &final[i].event_id, final[i].channel);
                if (x == NULL || (x->state == PREPAY_OUTBOX_DELIVERED) != (final[i].state == PREPAY_OUTBOX_DELIVERED) ||
                    x->time != final[i].time || x->amount != final[i].amount || x->balance != final[i].balance) {
                    fail_msg("cut at %zu: delivery %u (type %u channel %u) differs after the re-run", at, i,
                             final[i].type, final[i].channel);
                }
            }
            reruns++;
        }
        books_close(d);
        cuts++;
    }
    print_message("%u deliveries, journal %zu bytes; %zu cuts recovered to the last call's outbox, %zu re-run to "
                  "the uninterrupted deliveries\n",
                  final_count, journal_bytes, cuts, reruns);
    free(final);
    free(cut);
    free(points);
    free(bytes);
    free(d);
}

static void test_checkpoint_after_compaction(void **state)
{
    (void)state;
    /* A checkpoint re-stages the live deliveries; replaying it alone rebuilds them. */
    uint8_t *bytes = calloc(1, STORAGE);
    durable_t *d = calloc(1, sizeof *d);
    prepay_journal_recovery_t info;
    site_build(d);
    assert_int_equal(books_open(d, bytes, 0, &info), PREPAY_OK);
    for (int op = 0; op < OPS; op++) {
        assert_true(run_op(d, op) >= 0);
    }
    uint32_t dropped = prepay_outbox_compact(&d->outbox);
    assert_int_equal(dropped, 3);
    uint32_t live = d->outbox.count;
    prepay_outbox_delivery_t *copy = calloc(CAP, sizeof *copy);
    memcpy(copy, d->deliveries, live * sizeof *copy);
    size_t before = d->storage.length;
    assert_int_equal(prepay_outbox_checkpoint(&d->outbox), PREPAY_OK);
    /* Replay only the checkpoint's records into an empty outbox. */
    prepay_outbox_t fresh;
    prepay_outbox_delivery_t *store = calloc(CAP, sizeof *store);
    prepay_outbox_config_t config = {d->policies, 2, backoff, 3};
    assert_int_equal(prepay_outbox_init(&fresh, store, CAP, &config, NULL), PREPAY_OK);
    size_t at = before;
    while (at < d->storage.length) {
        prepay_journal_record_t rec;
        int len = prepay_journal_record_decode(bytes + at, d->storage.length - at, &rec);
        assert_true(len > 0);
        if (rec.type == PREPAY_JOURNAL_RECORD_APP) {
            assert_int_equal(prepay_outbox_replay(&fresh, &rec), PREPAY_OK);
        }
        at += (size_t)len;
    }
    assert_true(same_outbox(&fresh, copy, live));
    /* A foreign application's record is skipped; a damaged outbox record stops recovery. */
    uint8_t foreign[3] = {0x11, 1, 2};
    prepay_journal_record_t rec = {23, PREPAY_JOURNAL_RECORD_APP, 1, foreign, 3};
    assert_int_equal(prepay_outbox_replay(&fresh, &rec), PREPAY_OK);
    uint8_t damaged[5] = {PREPAY_JOURNAL_APP_OUTBOX, 9, 0, 0, 0};
    rec.payload = damaged;
    rec.payload_length = 5;
    assert_int_equal(prepay_outbox_replay(&fresh, &rec), PREPAY_E_OUTBOX_RECORD);
    damaged[1] = 2; /* an attempt record of the wrong size */
    assert_int_equal(prepay_outbox_replay(&fresh, &rec), PREPAY_E_OUTBOX_RECORD);
    books_close(d);
    free(store);
    free(copy);
    free(bytes);
    free(d);
}

static int count_app(void *context, const prepay_journal_record_t *record)
{
    int *n = context;
    assert_int_equal(record->type, PREPAY_JOURNAL_RECORD_APP);
    assert_int_equal(record->payload_length, 3);
    (*n)++;
    return *n > 1 ? PREPAY_E_INVALID_ARGUMENT : PREPAY_OK;
}

static void test_journal_app_records(void **state)
{
    (void)state;
    /* The journal side: APP records commit, a ledger-only recovery skips them, the
     * callback sees each committed one, a callback's error stops recovery. */
    uint8_t *bytes = calloc(1, STORAGE);
    uint8_t *staging = malloc(STAGING);
    prepay_journal_memory_t storage;
    prepay_journal_io_t io;
    assert_int_equal(prepay_journal_memory_io(&storage, bytes, STORAGE, &io), PREPAY_OK);
    prepay_ledger_t ledger;
    prepay_ledger_memory_t lm;
    prepay_ledger_account_t scratch[4];
    fx_ledger_init(&ledger, &lm, 4, 16);
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(prepay_journal_open(&journal, &io, staging, STAGING, NULL, &ledger, scratch, 4, &info),
                     PREPAY_OK);
    const uint8_t app[3] = {0x11, 2, 3};
    uint8_t big[PREPAY_JOURNAL_MAX_PAYLOAD + 1] = {0};
    assert_int_equal(prepay_journal_add_app(&journal, app, 0), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_add_app(&journal, big, sizeof big), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_add_app(&journal, app, sizeof app), PREPAY_OK);
    assert_int_equal(prepay_journal_commit(&journal), PREPAY_OK);
    size_t one = storage.length;
    assert_int_equal(prepay_journal_add_app(&journal, app, sizeof app), PREPAY_OK);
    assert_int_equal(prepay_journal_commit(&journal), PREPAY_OK);
    assert_int_equal(prepay_journal_add_app(&journal, app, sizeof app), PREPAY_OK); /* staged, never committed */
    fx_ledger_free(&lm);
    fx_ledger_init(&ledger, &lm, 4, 16);
    assert_int_equal(prepay_journal_recover(&io, NULL, &ledger, scratch, 4, &info), PREPAY_OK);
    assert_int_equal(info.records, 2);
    fx_ledger_free(&lm);
    fx_ledger_init(&ledger, &lm, 4, 16);
    int seen = 0;
    size_t full = storage.length;
    storage.length = one; /* only the first batch */
    assert_int_equal(prepay_journal_recover_app(&io, NULL, &ledger, scratch, 4, count_app, &seen, &info), PREPAY_OK);
    assert_int_equal(seen, 1);
    storage.length = full;
    fx_ledger_free(&lm);
    fx_ledger_init(&ledger, &lm, 4, 16);
    seen = 0;
    assert_int_equal(prepay_journal_recover_app(&io, NULL, &ledger, scratch, 4, count_app, &seen, &info),
                     PREPAY_E_JOURNAL_REPLAY);
    assert_int_equal(seen, 2);
    fx_ledger_free(&lm);
    free(staging);
    free(bytes);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_retries_acks),
        cmocka_unit_test(test_crash_recovery_at_every_cut),
        cmocka_unit_test(test_checkpoint_after_compaction),
        cmocka_unit_test(test_journal_app_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
