/* SPDX-License-Identifier: MIT */
/*
 * Events over DL/T 645: the 0409xxxx parameters (tests/vectors/events_dlt645.txt),
 * the active-report word 04001501 / 04001503, event items, and the station's
 * incremental collection from the meter's replies.
 */
#include <stdio.h>
#include <stdlib.h>

#include "events_test_util.h"

static int status_of(const char *name)
{
    if (strcmp(name, "ok") == 0) {
        return PREPAY_OK;
    }
    if (strcmp(name, "contradiction") == 0) {
        return PREPAY_E_EVENTS_CONTRADICTION;
    }
    if (strcmp(name, "bad-parameter") == 0) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    assert_string_equal(name, "bad-data");
    return PREPAY_E_EVENTS_BAD_DATA;
}

static void test_parameter_vectors(void **unused)
{
    (void)unused;
    tv_file_t file;
    tv_load("events_dlt645.txt", &file);
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_WIRING_3P4W);
    size_t reads = 0, writes = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *rec = &file.records[i];
        uint32_t di = (uint32_t)strtoul(tv_need(rec, "di"), NULL, 16);
        uint8_t want[8], got[8];
        int n = tv_hex(tv_need(rec, "hex"), want, sizeof want);
        if (strcmp(rec->kind, "read") == 0) {
            assert_int_equal(prepay_events_params_read(&p, di, got, sizeof got), n);
            assert_memory_equal(got, want, (size_t)n);
            reads++;
        } else {
            prepay_events_params_t before = p;
            int st = status_of(tv_need(rec, "status"));
            assert_int_equal(prepay_events_params_write(&p, di, want, (size_t)n), st);
            if (st != PREPAY_OK) {
                assert_memory_equal(&p, &before, sizeof p);
            } else {
                assert_int_equal(prepay_events_params_read(&p, di, got, sizeof got), n);
                assert_memory_equal(got, want, (size_t)n);
            }
            writes++;
        }
    }
    assert_int_equal(reads, 14);
    assert_int_equal(writes, 8);
    tv_free(&file);
    assert_int_equal(prepay_events_params_read(&p, 0x04099999u, (uint8_t[4]){0}, 4), PREPAY_E_EVENTS_UNKNOWN_DI);
}

static void test_params_check(void **unused)
{
    (void)unused;
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_WIRING_3P4W);
    prepay_events_params_t q = p;
    q.power_down_delay = 0;
    assert_int_equal(prepay_events_params_check(&q), PREPAY_E_EVENTS_BAD_PARAMETER);
    q = p;
    q.over_voltage_trigger = 1500; /* below the 171.6 V under-voltage trigger */
    assert_int_equal(prepay_events_params_check(&q), PREPAY_E_EVENTS_CONTRADICTION);
    q = p;
    q.wiring = 7;
    assert_int_equal(prepay_events_params_check(&q), PREPAY_E_EVENTS_BAD_PARAMETER);
    q = p;
    q.loss_voltage_trigger = 0; /* disabled: no recovery constraint */
    q.loss_voltage_recovery = 0;
    assert_int_equal(prepay_events_params_check(&q), PREPAY_OK);
    assert_int_equal(prepay_events_params_default(&q, PREPAY_EVENTS_WIRING_3P4W, 0, 15000, 600000),
                     PREPAY_E_EVENTS_BAD_PARAMETER);
    assert_int_equal(prepay_events_params_default(&q, PREPAY_EVENTS_WIRING_3P4W, 2200, 15000, 100),
                     PREPAY_E_EVENTS_BAD_PARAMETER);
}

/* A loss of voltage on phase A (starts 60 s after offset 100, lasts 125 s) and a cover opening. */
static void make_events(prepay_events_state_t *st, const prepay_events_params_t *p, prepay_time_t t0)
{
    assert_int_equal(prepay_events_init(st), PREPAY_OK);
    prepay_events_sample_t x;
    for (int s = 0; s < 400; s++) {
        ev_sample(&x, t0 + s, 2200, 1500, 3300);
        if (s >= 100 && s < 225) {
            x.voltage[0] = 1700;
        }
        if (s == 300) {
            x.flags = PREPAY_EVENTS_FLAG_COVER_OPEN;
        }
        x.forward = 1000000 + s;
        assert_true(prepay_events_sample(st, p, &x) >= 0);
    }
}

static void test_status_word_and_items(void **unused)
{
    (void)unused;
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_WIRING_3P4W);
    prepay_events_state_t st;
    const prepay_time_t t0 = ev_time(2024, 3, 1, 0, 0, 0);
    make_events(&st, &p, t0);
    /* Loss of voltage A = bit 16 (byte 2 bit 0, three-phase meters only), under-voltage A = bit 17 (byte 2
     * bit 1), cover = bit 10 (byte 1 bit 2): word 00 04 03 00..., AA, one count per set bit in bit order
     * (10, 16, 17), AA. A single-phase meter has no loss of voltage: 00 04 02 00..., AA, 01 01, AA. */
    uint8_t out[PREPAY_EVENTS_STATUS_MAX];
    const uint8_t want3[] = {0x00, 0x04, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x01, 0x01, 0x01, 0xAA};
    const uint8_t want1[] = {0x00, 0x04, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x01, 0x01, 0xAA};
    const uint8_t *want = PREPAY_EVENTS_PHASES == 3 ? want3 : want1;
    const size_t want_len = PREPAY_EVENTS_PHASES == 3 ? sizeof want3 : sizeof want1;
    assert_int_equal(prepay_events_read(&st, PREPAY_EVENTS_DI_STATUS_WORD, out, sizeof out), (int)want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(prepay_events_status_word(&st, out, want_len - 1u), PREPAY_E_BUFFER_TOO_SMALL);
    /* Under-voltage A (class 11): 11010001 count 1; 11010002 cumulative: the event lasted 225 + 60 - 160 =
     * 125 s = 2 whole minutes; start 11010101 = 2024-03-01 00:02:40 (ss mm hh DD MM YY); end 11012501 =
     * 00:04:45. (The loss of voltage, class 10, has the same times on a three-phase meter.) */
    assert_int_equal(prepay_events_read(&st, 0x11010001u, out, sizeof out), 3);
    assert_memory_equal(out, ((uint8_t[]){0x01, 0x00, 0x00}), 3);
    assert_int_equal(prepay_events_read(&st, 0x11010002u, out, sizeof out), 3);
    assert_memory_equal(out, ((uint8_t[]){0x02, 0x00, 0x00}), 3);
    assert_int_equal(prepay_events_read(&st, 0x11010101u, out, sizeof out), 6);
    assert_memory_equal(out, ((uint8_t[]){0x40, 0x02, 0x00, 0x01, 0x03, 0x24}), 6);
    assert_int_equal(prepay_events_read(&st, 0x11012501u, out, sizeof out), 6);
    assert_memory_equal(out, ((uint8_t[]){0x45, 0x04, 0x00, 0x01, 0x03, 0x24}), 6);
    if (PREPAY_EVENTS_PHASES == 3) {
        assert_int_equal(prepay_events_read(&st, 0x10010101u, out, sizeof out), 6);
        assert_memory_equal(out, ((uint8_t[]){0x40, 0x02, 0x00, 0x01, 0x03, 0x24}), 6);
        assert_int_equal(prepay_events_read(&st, 0x10012501u, out, sizeof out), 6);
        assert_memory_equal(out, ((uint8_t[]){0x45, 0x04, 0x00, 0x01, 0x03, 0x24}), 6);
    } else {
        assert_int_equal(prepay_events_read(&st, 0x10010101u, out, sizeof out), PREPAY_E_EVENTS_UNKNOWN_DI);
    }
    /* A record not yet held reads as zeros. */
    assert_int_equal(prepay_events_read(&st, 0x11010102u, out, sizeof out), 6);
    assert_memory_equal(out, ((uint8_t[]){0, 0, 0, 0, 0, 0}), 6);
    /* A.4 totals 03020000 (under-voltage): A (1, 2 min), B (0, 0), C (0, 0). */
    assert_int_equal(prepay_events_read(&st, 0x03020000u, out, sizeof out), 18);
    assert_memory_equal(out, ((uint8_t[]){1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 18);
    /* Cover record 03300D01: opened at 00:05:00 (offset 300), closed at 00:05:01; forward register
     * 1 000 300 Wh = 1000.30 kWh = 100030 x 0.01 kWh -> BCD 30 00 10 00. */
    assert_int_equal(prepay_events_read(&st, 0x03300D01u, out, sizeof out), 60);
    assert_memory_equal(out, ((uint8_t[]){0x00, 0x05, 0x00, 0x01, 0x03, 0x24, 0x01, 0x05, 0x00, 0x01, 0x03, 0x24,
                                          0x30, 0x00, 0x10, 0x00}),
                        16);
    prepay_events_record_t r;
    assert_int_equal(prepay_events_decode_record(PREPAY_EVENTS_COVER_OPEN, out, 60, NULL, 0, &r), PREPAY_OK);
    assert_int_equal(r.start, t0 + 300);
    assert_int_equal(r.end, t0 + 301);
    assert_int_equal(r.forward_start, 100030);
#if PREPAY_EVENTS_END_ENERGY
    assert_int_equal(r.forward_end, 100030);
#endif
    assert_int_equal(prepay_events_read(&st, 0x03300D00u, out, sizeof out), 3);
    assert_memory_equal(out, ((uint8_t[]){0x01, 0x00, 0x00}), 3);
    assert_int_equal(prepay_events_read(&st, 0x99999999u, out, sizeof out), PREPAY_E_EVENTS_UNKNOWN_DI);
    assert_int_equal(prepay_events_read(&st, 0x10040001u, out, sizeof out), PREPAY_E_EVENTS_UNKNOWN_DI);
    /* Reset: the bytes written are 0 where a bit is reset; cover (bit 10) reset, the others kept. */
    uint8_t reset[12];
    memset(reset, 0xFF, sizeof reset);
    reset[1] = (uint8_t)~0x04u;
    assert_int_equal(prepay_events_status_reset(&st, reset, 11), PREPAY_E_EVENTS_BAD_DATA);
    assert_int_equal(prepay_events_status_reset(&st, reset, sizeof reset), PREPAY_OK);
    const uint8_t after3[] = {0x00, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x01, 0x01, 0xAA};
    const uint8_t after1[] = {0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x01, 0xAA};
    const uint8_t *after = PREPAY_EVENTS_PHASES == 3 ? after3 : after1;
    const size_t after_len = PREPAY_EVENTS_PHASES == 3 ? sizeof after3 : sizeof after1;
    assert_int_equal(prepay_events_status_word(&st, out, sizeof out), (int)after_len);
    assert_memory_equal(out, after, after_len);
}

static void test_status_decode_rejects(void **unused)
{
    (void)unused;
    prepay_events_status_t s;
    uint8_t data[16] = {0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAA, 0x05, 0xAA};
    assert_int_equal(prepay_events_status_decode(data, 15, &s), PREPAY_OK);
    assert_int_equal(s.counts[0], 5);
    assert_int_equal(prepay_events_status_decode(data, 14, &s), PREPAY_E_EVENTS_BAD_DATA);
    data[12] = 0xAB;
    assert_int_equal(prepay_events_status_decode(data, 15, &s), PREPAY_E_EVENTS_BAD_DATA);
}

/* Station side: status word -> count items -> only the new records -> reset; twice. */
static void test_incremental_collection(void **unused)
{
    (void)unused;
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_WIRING_3P4W);
    prepay_events_state_t st;
    const prepay_time_t t0 = ev_time(2024, 3, 1, 0, 0, 0);
    make_events(&st, &p, t0);
    prepay_analysis_cursor_t cursor;
    assert_int_equal(prepay_analysis_cursor_init(&cursor), PREPAY_OK);
    size_t collected = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            /* Two more cover openings between the polls. */
            assert_int_equal(prepay_events_programmed(&st, t0 + 500, 0x04090104u, 0, 0, 0), PREPAY_OK);
            prepay_events_sample_t x;
            for (int s = 0; s < 4; s++) {
                ev_sample(&x, t0 + 600 + s, 2200, 1500, 3300);
                x.flags = (s % 2 == 0) ? PREPAY_EVENTS_FLAG_COVER_OPEN : 0;
                assert_true(prepay_events_sample(&st, &p, &x) >= 0);
            }
        }
        uint8_t reply[PREPAY_EVENTS_STATUS_MAX];
        int len = prepay_events_read(&st, PREPAY_EVENTS_DI_STATUS_WORD, reply, sizeof reply);
        assert_true(len > 0);
        prepay_events_status_t status;
        assert_int_equal(prepay_events_status_decode(reply, (size_t)len, &status), PREPAY_OK);
        uint8_t handled[12] = {0};
        size_t fresh_total = 0;
        for (unsigned bit = 0; bit < PREPAY_EVENTS_STATUS_BITS; bit++) {
            if (!((status.word[bit / 8] >> (bit % 8)) & 1u)) {
                continue;
            }
            prepay_events_kind_t kind;
            unsigned phase;
            assert_int_equal(prepay_events_status_kind(bit, &kind, &phase), PREPAY_OK);
            uint8_t item[PREPAY_EVENTS_READ_MAX];
            int n = prepay_events_read(&st, (uint32_t)prepay_events_count_di(kind, phase), item, sizeof item);
            assert_int_equal(n, 3);
            uint32_t count;
            assert_int_equal(prepay_events_decode_count(item, 3, &count), PREPAY_OK);
            int fresh = prepay_analysis_new_records(&cursor, bit, count, PREPAY_MAX_EVENT_RECORDS);
            assert_true(fresh >= 0);
            /* New occurrences as the word says, but no more than the meter keeps. */
            assert_int_equal(fresh, status.counts[bit] < PREPAY_MAX_EVENT_RECORDS ? status.counts[bit]
                                                                                   : PREPAY_MAX_EVENT_RECORDS);
            for (int k = 1; k <= fresh; k++) {
                int a = prepay_events_read(&st, (uint32_t)prepay_events_record_di(kind, phase, (unsigned)k), item,
                                           sizeof item);
                assert_true(a > 0);
                uint8_t end[8];
                int b = prepay_events_read(&st, (uint32_t)prepay_events_record_end_di(kind, phase, (unsigned)k), end,
                                           sizeof end);
                prepay_events_record_t r;
                assert_int_equal(prepay_events_decode_record(kind, item, (size_t)a, b == 6 ? end : NULL,
                                                             (size_t)b, &r),
                                 PREPAY_OK);
                prepay_events_record_t mine;
                assert_int_equal(prepay_events_record(&st, kind, phase, (unsigned)k, &mine), PREPAY_OK);
                assert_int_equal(r.start, mine.start);
                assert_int_equal(r.end, mine.end);
                fresh_total++;
            }
            handled[bit / 8] = (uint8_t)(handled[bit / 8] | (1u << (bit % 8)));
        }
        uint8_t reset[12];
        assert_int_equal(prepay_analysis_reset_word(&status, handled, reset), PREPAY_OK);
        assert_int_equal(prepay_events_status_reset(&st, reset, sizeof reset), PREPAY_OK);
        /* Round 0: (loss of voltage A,) under-voltage A, cover. Round 1: programming and two new cover openings
         * (of which the meter keeps PREPAY_MAX_EVENT_RECORDS). */
        const size_t covers = PREPAY_MAX_EVENT_RECORDS >= 2 ? 2u : 1u;
        assert_int_equal(fresh_total, round == 0 ? (PREPAY_EVENTS_PHASES == 3 ? 3u : 2u) : 1u + covers);
        collected += fresh_total;
        len = prepay_events_status_word(&st, reply, sizeof reply);
        assert_int_equal(len, 14); /* nothing pending after the reset */
    }
    assert_int_equal(collected, (PREPAY_EVENTS_PHASES == 3 ? 3u : 2u) + 1u + (PREPAY_MAX_EVENT_RECORDS >= 2 ? 2u : 1u));
}

/* Every item this module answers is in the DL/T 645 catalogue with the length of the module's reply. */
static void test_catalogue_agrees(void **unused)
{
    (void)unused;
    prepay_events_params_t p;
    ev_params(&p, PREPAY_EVENTS_WIRING_3P4W);
    prepay_events_state_t st;
    make_events(&st, &p, ev_time(2024, 3, 1, 0, 0, 0));
    prepay_vq_params_t vp;
    assert_int_equal(prepay_vq_params_default(&vp, PREPAY_EVENTS_PHASES == 3 ? PREPAY_EVENTS_WIRING_3P4W : PREPAY_EVENTS_WIRING_SINGLE, 2200), PREPAY_OK);
    prepay_vq_state_t vq;
    assert_int_equal(prepay_vq_init(&vq), PREPAY_OK);
    static const uint32_t params_dis[] = {0x04090101u, 0x04090103u, 0x04090104u, 0x04090402u, 0x04090501u,
                                          0x04090703u, 0x04090801u, 0x04090A01u, 0x04090B01u, 0x04090E01u,
                                          0x04090F02u};
    static const uint32_t event_dis[] = {0x10010001u, 0x10030002u, 0x10010101u, 0x10012501u, 0x18020001u,
                                         0x18012101u, 0x1B011201u, 0x1C011201u, 0x14000001u, 0x14001201u,
                                         0x15000101u, 0x16001301u, 0x17000101u, 0x1F000001u, 0x1F000101u,
                                         0x1F000601u, 0x20000001u, 0x20001301u, 0x03010000u, 0x03070000u,
                                         0x03110000u, 0x03110001u, 0x03300000u, 0x03300001u, 0x03300400u,
                                         0x03300401u, 0x03300D01u, 0x03300E01u, 0x03350000u, 0x03350001u};
    uint8_t out[PREPAY_EVENTS_READ_MAX];
    prepay_dlt645_item_t item;
    for (size_t i = 0; i < sizeof params_dis / sizeof params_dis[0]; i++) {
        int n = prepay_events_params_read(&p, params_dis[i], out, sizeof out);
        assert_int_equal(prepay_dlt645_catalogue_find(params_dis[i], &item), PREPAY_OK);
        assert_int_equal(item.length, n);
    }
    for (size_t i = 0; i < sizeof event_dis / sizeof event_dis[0]; i++) {
        uint32_t cls = event_dis[i] >> 24;
        bool three_phase_only = cls == 0x10 || cls == 0x18 || (cls >= 0x14 && cls <= 0x17) || cls == 0x20 ||
                                event_dis[i] == 0x03010000u || event_dis[i] == 0x03070000u ||
                                ((event_dis[i] >> 16) & 0xFFu) > 1u;
        if (PREPAY_EVENTS_PHASES == 1 && three_phase_only && cls != 0x03) {
            continue;
        }
        if (PREPAY_EVENTS_PHASES == 1 && (event_dis[i] == 0x03010000u || event_dis[i] == 0x03070000u)) {
            continue;
        }
        int n = prepay_events_read(&st, event_dis[i], out, sizeof out);
        if (n < 0 || prepay_dlt645_catalogue_find(event_dis[i], &item) != PREPAY_OK || item.length != n) {
            fail_msg("DI %08X: reply %d, catalogue length %d", (unsigned)event_dis[i], n, (int)item.length);
        }
    }
    static const uint32_t vq_dis[] = {0x03100000u, 0x03100101u, 0x04000E03u, 0x04090C02u};
    for (size_t i = 0; i < sizeof vq_dis / sizeof vq_dis[0]; i++) {
        int n = i < 2 ? prepay_vq_read(&vq, &vp, vq_dis[i], out, sizeof out)
                      : prepay_vq_params_read(&vp, vq_dis[i], out, sizeof out);
        assert_int_equal(prepay_dlt645_catalogue_find(vq_dis[i], &item), PREPAY_OK);
        assert_int_equal(item.length, n);
    }
    assert_int_equal(prepay_dlt645_catalogue_find(PREPAY_EVENTS_DI_STATUS_RESET, &item), PREPAY_OK);
    assert_int_equal(item.length, PREPAY_EVENTS_STATUS_BYTES);
}

/* Record times (prepay_record_time_t): prepay_time_t by default, uint32 seconds since 2000 with
 * PREPAY_RECORD_TIME32 (the firmware configuration). DL/T 645-2007 record times are YYMMDDhhmmss,
 * years 2000..2099: the last second of 2099 is kept, read and decoded exactly either way; a time
 * outside 32 bits is clamped only with PREPAY_RECORD_TIME32 (before 2000: 0, "none"). */
static void test_record_time_range(void **unused)
{
    (void)unused;
    prepay_events_record_t r;
    assert_int_equal(sizeof r.start, PREPAY_RECORD_TIME32 ? 4u : 8u);
    const prepay_time_t last = ev_time(2099, 12, 31, 23, 59, 59);
    const prepay_time_t first = ev_time(2000, 1, 1, 0, 0, 1);
    const prepay_time_t wrap = (prepay_time_t)UINT32_MAX + 1; /* 2136-02-07 06:28:16 */
    assert_int_equal(prepay__record_time(last), last);
    assert_int_equal(prepay__record_time(first), 1);
    assert_int_equal(prepay__record_time(0), 0);
    assert_int_equal(prepay__record_time(-1), PREPAY_RECORD_TIME32 ? 0 : -1);
    assert_int_equal(prepay__record_time(wrap), PREPAY_RECORD_TIME32 ? (prepay_time_t)UINT32_MAX : wrap);
    assert_int_equal(prepay__record_time(wrap + 1000), PREPAY_RECORD_TIME32 ? (prepay_time_t)UINT32_MAX : wrap + 1000);

    prepay_events_state_t st;
    assert_int_equal(prepay_events_init(&st), PREPAY_OK);
    /* The clock set back from the last second of 2099 to the first of 2000. */
    assert_int_equal(prepay_events_clock_changed(&st, last, first, 0x04030201u, 123456, 0), PREPAY_OK);
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_CLOCK_CHANGE, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.start, last);
    assert_int_equal(r.end, first);
    uint8_t out[64];
    int64_t di = prepay_events_record_di(PREPAY_EVENTS_CLOCK_CHANGE, 0, 1);
    assert_true(di > 0);
    int n = prepay_events_read(&st, (uint32_t)di, out, sizeof out);
    assert_true(n > 0);
    static const uint8_t last_bcd[6] = {0x59, 0x59, 0x23, 0x31, 0x12, 0x99}; /* ss mm hh DD MM YY */
    assert_memory_equal(out + 4, last_bcd, 6);
    prepay_events_record_t back;
    assert_int_equal(prepay_events_decode_record(PREPAY_EVENTS_CLOCK_CHANGE, out, (size_t)n, NULL, 0, &back),
                     PREPAY_OK);
    assert_int_equal(back.start, last);
    assert_int_equal(back.end, first);
    assert_int_equal(back.operator_code, 0x04030201u);
    /* A programming record in that last second. */
    assert_int_equal(prepay_events_programmed(&st, last, 0x04000401u, 7, 1, 1), PREPAY_OK);
    assert_int_equal(prepay_events_record(&st, PREPAY_EVENTS_PROGRAMMING, 0, 1, &r), PREPAY_OK);
    assert_int_equal(r.start, last);
    assert_int_equal(r.end, last);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : "tests/vectors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameter_vectors),     cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_status_word_and_items), cmocka_unit_test(test_status_decode_rejects),
        cmocka_unit_test(test_incremental_collection), cmocka_unit_test(test_catalogue_agrees),
        cmocka_unit_test(test_record_time_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
