/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: a batch task (prepay/station.h) over up to 8 meters, with a
 * builder that sometimes fails, driven by received bytes (garbage or
 * synthesised replies to whatever request is outstanding), time passing
 * and a scheduled start; and an address discovery fed arbitrary outcomes.
 *
 * Invariants:
 * - no crash, no out-of-bounds access (sanitizers);
 * - task: every call returns OK or a documented error; SEND frames decode
 *   as requests; the summary always adds up (succeeded + abnormal +
 *   timed_out + other + pending == meters), each item's rounds never
 *   exceed the rounds asked for, and a finished task has nothing pending;
 * - discovery: each collision adds at most 100 probes (one address byte
 *   split), so it ends within 1 + 100 x collisions probes; it never reports
 *   more addresses than the array holds, and every address found is one
 *   that was reported as answering.
 */
#include <stdio.h>
#include <stdlib.h>

#include "prepay/station.h"
#include "station_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct build_context {
    cursor_t *cursor;
    prepay_dlt645_frame_t last;
    bool have_last;
} build_context_t;

static int build(void *context, const prepay_dlt645_address_t *address, size_t index, prepay_dlt645_frame_t *out)
{
    build_context_t *b = context;
    (void)index;
    uint8_t choice = take(b->cursor);
    if (choice % 7 == 0) {
        return PREPAY_E_INVALID_ARGUMENT; /* the caller's builder may fail: recorded for that meter */
    }
    int status = choice % 3 == 0 ? prepay_dlt645_request_read_address(out)
                                 : prepay_dlt645_request_read(out, address, 0x00010000u);
    if (status == PREPAY_OK) {
        b->last = *out;
        b->have_last = true;
    }
    return status;
}

static void check_summary(const prepay_station_task_t *task, const prepay_station_task_item_t *items, size_t count,
                          uint8_t rounds)
{
    prepay_station_task_summary_t s;
    if (prepay_station_task_summary(task, &s) != PREPAY_OK ||
        s.succeeded + s.abnormal + s.timed_out + s.other + s.pending != s.meters || s.meters != count ||
        (s.finished && s.pending != 0)) {
        abort();
    }
    for (size_t i = 0; i < count; i++) {
        if (items[i].rounds > rounds) {
            abort();
        }
    }
}

static void fuzz_task(cursor_t *c)
{
    static prepay_station_session_t session;
    static prepay_station_task_t task;
    prepay_station_config_t cfg;
    prepay_station_config_default(&cfg);
    cfg.reply_timeout_ms = 1u + take(c) % 500u;
    cfg.retries = (uint8_t)(take(c) % 3);
    if (prepay_station_init(&session, &cfg) != PREPAY_OK) {
        abort();
    }
    prepay_station_task_item_t items[8];
    memset(items, 0, sizeof items);
    size_t count = 1 + take(c) % 8;
    for (size_t i = 0; i < count; i++) {
        char text[13];
        snprintf(text, sizeof text, "0000000001%02u", (unsigned)(i + 1));
        (void)prepay_dlt645_address_from_string(text, 12, &items[i].address);
    }
    uint8_t rounds = (uint8_t)(1 + take(c) % 3);
    uint8_t read_data[32];
    build_context_t b = {c, {{{0}}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {0}}, false};
    uint64_t now = 100, start_at = take(c) % 2 ? 0 : 100 + take(c) * 10u;
    if (prepay_station_task_init(&task, items, count, build, &b, start_at, rounds, read_data, sizeof read_data) !=
        PREPAY_OK) {
        abort();
    }
    uint8_t tx[PREPAY_STATION_TX_MAX];
    for (int steps = 0; cursor_more(c) && steps < 400; steps++) {
        prepay_station_step_t step;
        int status;
        uint8_t op = take(c) % 3;
        if (op == 0 && b.have_last) {
            uint8_t rx[2 * PREPAY_DLT645_FRAME_MAX];
            size_t n = fuzz_reply(c, &b.last, rx, sizeof rx);
            status = prepay_station_task_receive(&task, &session, rx, n, now, tx, sizeof tx, &step);
        } else if (op == 1) {
            uint8_t rx[32];
            size_t n = take(c) % sizeof rx;
            take_bytes(c, rx, n);
            status = prepay_station_task_receive(&task, &session, rx, n, now, tx, sizeof tx, &step);
        } else {
            now += (uint64_t)take(c) * 8u;
            status = prepay_station_task_poll(&task, &session, now, tx, sizeof tx, &step);
        }
        if (status != PREPAY_OK) {
            abort();
        }
        if (step.action == PREPAY_STATION_SEND) {
            prepay_dlt645_frame_t f;
            if (step.send_len > sizeof tx || prepay_dlt645_decode(tx, step.send_len, &f) < 0 || f.is_reply) {
                abort();
            }
        }
        check_summary(&task, items, count, rounds);
        if (step.action == PREPAY_STATION_DONE) {
            prepay_station_task_summary_t s;
            (void)prepay_station_task_summary(&task, &s);
            if (!s.finished) {
                abort();
            }
            break;
        }
    }
}

static void fuzz_discovery(cursor_t *c)
{
    static prepay_station_discovery_t d;
    prepay_dlt645_address_t found[6], answered[512];
    size_t answered_count = 0;
    size_t cap = 1 + take(c) % 6;
    if (prepay_station_discovery_init(&d, found, cap) != PREPAY_OK) {
        abort();
    }
    long probes = 0, collisions = 0;
    for (;;) {
        prepay_dlt645_frame_t probe;
        int more = prepay_station_discovery_next(&d, &probe);
        if (more < 0) {
            abort();
        }
        if (more == 0) {
            break;
        }
        if (++probes > 1 + 100 * collisions) {
            abort();
        }
        if (probe.function != PREPAY_DLT645_FN_READ || probe.is_reply) {
            abort();
        }
        uint8_t o = cursor_more(c) ? take(c) % 3 : 0;
        prepay_dlt645_address_t a = probe.address;
        for (size_t k = 0; k < PREPAY_DLT645_ADDRESS_SIZE; k++) {
            if (a.bytes[k] == PREPAY_DLT645_ADDRESS_WILDCARD_BYTE) {
                uint8_t v = take(c) % 100;
                a.bytes[k] = (uint8_t)((v / 10) << 4 | (v % 10));
            }
        }
        int status = prepay_station_discovery_report(&d, (prepay_station_probe_outcome_t)o,
                                                     o == PREPAY_STATION_PROBE_ANSWERED ? &a : NULL);
        if (status == PREPAY_E_STATION_TOO_MANY_METERS) {
            break;
        }
        if (status != PREPAY_OK) {
            abort();
        }
        collisions += o == PREPAY_STATION_PROBE_COLLISION;
        if (o == PREPAY_STATION_PROBE_ANSWERED && answered_count < 512) {
            answered[answered_count++] = a;
        }
    }
    size_t n = prepay_station_discovery_count(&d);
    if (n > cap) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        bool reported = false;
        for (size_t k = 0; k < answered_count && !reported; k++) {
            reported = memcmp(found[i].bytes, answered[k].bytes, PREPAY_DLT645_ADDRESS_SIZE) == 0;
        }
        if (!reported) {
            /* A collision on a fully fixed address is recorded as found (two meters, one address). */
            bool fixed = true;
            for (size_t k = 0; k < PREPAY_DLT645_ADDRESS_SIZE; k++) {
                fixed = fixed && found[i].bytes[k] != PREPAY_DLT645_ADDRESS_WILDCARD_BYTE;
            }
            if (!fixed) {
                abort();
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cursor_t c = {data, size, 0};
    if (take(&c) & 1) {
        fuzz_discovery(&c);
    } else {
        fuzz_task(&c);
    }
    return 0;
}
