/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the DL/T 645 meter-side handler (prepay_meter_handle).
 *
 * Input: a sequence of frames, each `len` (1 byte) followed by `len` bytes,
 * sent in turn to one meter (local mode, funded, a writable shared tariff,
 * level-2 password 12 34 56, level-4 password 65 43 21, a load-record ring
 * with three hours of quarter-hour records, so class-06 reads and their
 * follow-up frames have data) at its own clock.
 *
 * Invariants checked after every frame:
 * - no crash, no read or write outside the buffers (sanitizers), no error
 *   status with a full-size reply buffer;
 * - a reply decodes with the protocol codec, is a reply to the request's
 *   function, and comes from the meter's address;
 * - reads (11, 12, 13) never change anything but the load-record read
 *   sequence (which record the next follow-up frame 12 continues from);
 * - a frame that gets no reply or an abnormal reply changes NOTHING, neither
 *   the meter nor the shared tariff, except (a) the fields listed in
 *   mask_fields() — the wrong-password counters, the only state a refused
 *   frame may legitimately change — and (b) broadcast time sync (08) and
 *   broadcast freeze (16), which act without a reply by design.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dlt645.h"
#include "prepay/meter.h"
#include "prepay/tariff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prepay_tariff_t tariff;
static prepay_tariff_t tariff_before;
static prepay_meter_t meter;
static prepay_meter_t meter_before;
#if PREPAY_METER_LOAD_RECORDS
static prepay_load_record_t records[24];
static prepay_meter_load_ring_t ring;
#endif

static void setup(void)
{
    (void)prepay_tariff_init(&tariff);
    tariff.band_count = 4;
    tariff.schedule.season_count = 1;
    tariff.schedule.seasons[0].start_month = 1;
    tariff.schedule.seasons[0].start_day = 1;
    tariff.schedule.day_table_count = 2;
    for (unsigned t = 0; t < 2; t++) {
        prepay_tou_day_table_t *d = &tariff.schedule.day_tables[t];
        d->slot_count = 3;
        d->slots[0].start_minute = 0;
        d->slots[0].band = 4;
        d->slots[1].start_minute = 8 * 60;
        d->slots[1].band = 3;
        d->slots[2].start_minute = 18 * 60;
        d->slots[2].band = 2;
    }
    for (unsigned b = 0; b < 4; b++) {
        tariff.prices.band_price[b] = (prepay_price_t)(b + 1) * 20000000;
    }
    prepay_dlt645_address_t address;
    (void)prepay_dlt645_address_from_string("000000193600", 12, &address);
    prepay_time_t t0 = 24 * 366 * 86400LL; /* early 2024 */
    if (prepay_meter_init(&meter, &address, t0) != PREPAY_OK ||
        prepay_meter_bind(&meter, &tariff, NULL, true, NULL, NULL) != PREPAY_OK) {
        abort();
    }
    static const uint8_t pw2[3] = {0x12, 0x34, 0x56};
    static const uint8_t pw4[3] = {0x65, 0x43, 0x21};
    (void)prepay_meter_set_password(&meter, 2, pw2);
    (void)prepay_meter_set_password(&meter, 4, pw4);
    (void)prepay_meter_recharge(&meter, meter.clock, 5000, 1);
#if PREPAY_METER_LOAD_RECORDS
    if (prepay_meter_load_ring_init(&ring, records, 24) != PREPAY_OK ||
        prepay_meter_attach_load_ring(&meter, &ring) != PREPAY_OK) {
        abort();
    }
#endif
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_CONSTANT;
    load.watts = 1500;
    if (prepay_meter_advance(&meter, 3 * 3600, &load) != PREPAY_OK) {
        abort();
    }
    (void)prepay_meter_report(&meter, PREPAY_METER_CONDITION_COVER_OPEN, true);
}

/* The fields a refused frame may change: the wrong-password counters. */
static void mask_fields(prepay_meter_t *before, const prepay_meter_t *after)
{
    before->password_failures = after->password_failures;
    before->password_failures_today = after->password_failures_today;
    before->password_failure_day = after->password_failure_day;
}

/* What a read may change: the load-record read sequence. */
static void mask_read_sequence(prepay_meter_t *before, const prepay_meter_t *after)
{
#if PREPAY_METER_LOAD_RECORDS
    before->load_profile.read_di = after->load_profile.read_di;
    before->load_profile.read_count = after->load_profile.read_count;
    before->load_profile.read_seq = after->load_profile.read_seq;
    before->load_profile.read_from = after->load_profile.read_from;
    before->load_profile.read_offset = after->load_profile.read_offset;
#else
    (void)before, (void)after; /* no load records: a read changes nothing */
#endif
}

static void one_frame(const uint8_t *frame, size_t len)
{
    static uint8_t reply[PREPAY_DLT645_FRAME_MAX];
    memcpy(&meter_before, &meter, sizeof meter);
    memcpy(&tariff_before, &tariff, sizeof tariff);
    int r = prepay_meter_handle(&meter, meter.clock, frame, len, reply, sizeof reply);
    if (r < 0 || (size_t)r > sizeof reply) {
        abort();
    }
    prepay_dlt645_frame_t req;
    bool decoded = prepay_dlt645_decode(frame, len, &req) > 0;
    bool abnormal = false;
    if (r > 0) {
        prepay_dlt645_frame_t rep;
        if (!decoded || prepay_dlt645_decode(reply, (size_t)r, &rep) != r || !rep.is_reply ||
            rep.function != req.function || memcmp(rep.address.bytes, meter.address.bytes, 6) != 0) {
            abort();
        }
        abnormal = rep.abnormal;
    }
    bool broadcast_action = r == 0 && decoded && prepay_dlt645_address_is_broadcast(&req.address) &&
                            (req.function == PREPAY_DLT645_FN_BROADCAST_TIME ||
                             req.function == PREPAY_DLT645_FN_FREEZE);
    bool is_read = decoded && (req.function == PREPAY_DLT645_FN_READ ||
                               req.function == PREPAY_DLT645_FN_READ_FOLLOW_UP ||
                               req.function == PREPAY_DLT645_FN_READ_ADDRESS);
    bool may_change = !is_read && ((r > 0 && !abnormal) || broadcast_action);
    if (!may_change) {
        mask_fields(&meter_before, &meter);
        mask_read_sequence(&meter_before, &meter);
        if (memcmp(&meter_before, &meter, sizeof meter) != 0 || memcmp(&tariff_before, &tariff, sizeof tariff) != 0) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    size_t at = 0;
    while (at < size) {
        size_t len = data[at++];
        if (len > size - at) {
            len = size - at;
        }
        one_frame(data + at, len);
        at += len;
    }
    return 0;
}
