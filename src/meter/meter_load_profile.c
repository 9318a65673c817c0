/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: load-record parameters (DL/T 645-2007 class 06 负荷记录).
 *
 * Parameters 04000901 (mode word: which of the six classes are recorded),
 * 04000A01 (start time MMDDhhmm) and 04000A02..07 (interval of classes 1..6,
 * minutes), and the checks of class-06 reads. The records themselves (the
 * caller-owned ring: recording, selection, the read answers) are in
 * meter_load_ring.c, reached through the table prepay_meter_attach_load_ring()
 * sets, so a firmware that never attaches a ring does not link them.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "prepay/load_record.h"
#include "meter_internal.h"

#if PREPAY_METER_LOAD_RECORDS

#define DEFAULT_INTERVAL 15u
#define ALL_CLASSES 0x3Fu

void prepay__meter_profile_init(prepay_meter_t *meter)
{
    prepay_meter_load_profile_t *p = &meter->load_profile;
    memset(p, 0, sizeof *p);
    p->mode = ALL_CLASSES;
    for (unsigned k = 0; k < PREPAY_LOAD_RECORD_CLASSES; k++) {
        p->interval[k] = DEFAULT_INTERVAL;
    }
    p->start = 0; /* 2000-01-01 00:00: records on the quarter hours */
    p->last = -1;
}

const char *prepay__meter_profile_check(const prepay_meter_t *meter)
{
    const prepay_meter_load_profile_t *p = &meter->load_profile;
    if ((p->mode & ~ALL_CLASSES) != 0) {
        return "load_profile.mode";
    }
    for (unsigned k = 0; k < PREPAY_LOAD_RECORD_CLASSES; k++) {
        if (p->interval[k] < 1 || p->interval[k] > 1440) {
            return "load_profile.interval";
        }
    }
    if (p->start < 0 || p->start % 60 != 0 || p->last < -1) {
        return "load_profile.start";
    }
    return NULL;
}

/* ---- the DL/T 645 reads (answered by the attached ring, meter_load_ring.c) ------------------------- */

int prepay__meter_load_read(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const prepay__meter_reply_t *r)
{
    prepay_meter_load_profile_t *p = &meter->load_profile;
    unsigned cls = 0;
    prepay_load_record_mode_t mode = PREPAY_LOAD_RECORD_EARLIEST;
    unsigned count = 1;
    prepay_time_t from = 0;
    p->read_di = 0; /* a new read ends any follow-up sequence */
    if (prepay_load_record_parse_di(req->di, &cls, &mode) != PREPAY_OK) {
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
    }
    size_t need = mode == PREPAY_LOAD_RECORD_FROM_TIME ? 10u : 5u;
    if (req->length != need && !(req->length == 4 && mode != PREPAY_LOAD_RECORD_FROM_TIME)) {
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    if (req->length >= 5) {
        count = req->data[4];
    }
    if (count == 0 || (mode == PREPAY_LOAD_RECORD_FROM_TIME &&
                       prepay_time_from_dlt645_minute(req->data + 5, &from) != PREPAY_OK)) {
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_OTHER);
    }
    const prepay__meter_ring_ops_t *ops = prepay__meter_ring(meter);
    if (ops == NULL) {
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA); /* no ring: no records */
    }
    return ops->read(meter, req, r, cls, mode, count, from);
}

int prepay__meter_load_follow_up(prepay_meter_t *meter, const prepay_dlt645_frame_t *req,
                                 const prepay__meter_reply_t *r)
{
    const prepay__meter_ring_ops_t *ops = prepay__meter_ring(meter);
    if (ops == NULL) {
        meter->load_profile.read_di = 0;
        return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
    }
    return ops->follow_up(meter, req, r);
}

/* ---- parameters ---------------------------------------------------------------------------------- */

int prepay__meter_profile_parameter_read(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c)
{
    const prepay_meter_load_profile_t *p = &meter->load_profile;
    uint8_t b[4];
    if (di == PREPAY__DI_LOAD_MODE) {
        return prepay__meter_put(c, &p->mode, 1);
    }
    if (di == PREPAY__DI_LOAD_START) {
        prepay_civil_t civil;
        if (prepay_time_to_civil(p->start, &civil) != PREPAY_OK) {
            return PREPAY_E_NOT_FOUND;
        }
        (void)prepay_bcd_encode_byte(civil.minute, &b[0]); /* mm hh DD MM, low byte first */
        (void)prepay_bcd_encode_byte(civil.hour, &b[1]);
        (void)prepay_bcd_encode_byte(civil.day, &b[2]);
        (void)prepay_bcd_encode_byte(civil.month, &b[3]);
        return prepay__meter_put(c, b, 4);
    }
    (void)prepay_bcd_encode(p->interval[di - PREPAY__DI_LOAD_INTERVAL_1], b, 2);
    return prepay__meter_put(c, b, 2);
}

int prepay__meter_profile_parameter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len)
{
    prepay_meter_load_profile_t *p = &meter->load_profile;
    uint16_t interval[PREPAY_LOAD_RECORD_CLASSES];
    memcpy(interval, p->interval, sizeof interval);
    uint8_t mode = p->mode;
    prepay_time_t start = p->start;
    if (di == PREPAY__DI_LOAD_MODE) {
        if (len != 1) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        mode = v[0];
    } else if (di == PREPAY__DI_LOAD_START) {
        uint8_t mi, hh, dd, mo;
        prepay_civil_t now;
        prepay_days_t day;
        if (len != 4 || prepay_bcd_decode_byte(v[0], &mi) != PREPAY_OK || prepay_bcd_decode_byte(v[1], &hh) ||
            prepay_bcd_decode_byte(v[2], &dd) != PREPAY_OK || prepay_bcd_decode_byte(v[3], &mo) != PREPAY_OK ||
            mi > 59 || hh > 23 || prepay_time_to_civil(meter->clock, &now) != PREPAY_OK ||
            prepay_time_days_from_date(now.year, mo, dd, &day) != PREPAY_OK) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        start = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + hh * 3600 + mi * 60; /* in the clock's year */
    } else {
        uint64_t minutes;
        if (len != 2 || prepay_bcd_decode(v, 2, &minutes) != PREPAY_OK) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        interval[di - PREPAY__DI_LOAD_INTERVAL_1] = (uint16_t)(minutes > 0xFFFFu ? 0u : minutes);
    }
    return prepay_meter_set_load_profile(meter, mode, start, interval) == PREPAY_OK ? PREPAY_OK
                                                                                      : PREPAY_E_INVALID_ARGUMENT;
}

/* ---- public --------------------------------------------------------------------------------------- */

int prepay_meter_set_load_profile(prepay_meter_t *meter, uint8_t mode, prepay_time_t start,
                                  const uint16_t interval[PREPAY_LOAD_RECORD_CLASSES])
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    uint8_t probe[5];
    if (interval == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((mode & ~ALL_CLASSES) != 0 || prepay_time_to_dlt645_minute(start, probe) != PREPAY_OK) {
        return PREPAY_E_METER_BAD_PROFILE;
    }
    for (unsigned k = 0; k < PREPAY_LOAD_RECORD_CLASSES; k++) {
        if (interval[k] < 1 || interval[k] > 1440) {
            return PREPAY_E_METER_BAD_PROFILE;
        }
    }
    prepay_meter_load_profile_t *p = &meter->load_profile;
    p->mode = mode;
    p->start = start - start % 60;
    memcpy(p->interval, interval, sizeof p->interval);
    p->read_di = 0;
    return PREPAY_OK;
}

#else /* PREPAY_METER_LOAD_RECORDS 0: no load-record parameters (config_default.h). */

int prepay_meter_set_load_profile(prepay_meter_t *meter, uint8_t mode, prepay_time_t start,
                                  const uint16_t interval[PREPAY_LOAD_RECORD_CLASSES])
{
    (void)mode, (void)start;
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    return interval == NULL ? PREPAY_E_INVALID_ARGUMENT : PREPAY_E_NOT_FOUND;
}

#endif
