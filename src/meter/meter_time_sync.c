/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: the bound on broadcast time syncs (policy as data).
 *
 * DL/T 645-2007 function 08 carries a time to every meter on a bus with no
 * reply and no password, so one wrong frame (a master that sends the bytes
 * year-first, or the wrong year) would move every meter years away. The
 * meter applies a sync only within its limit (State Grid practice: +-5 min
 * per correction) and records a refusal as an event.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "meter_internal.h"

int prepay_meter_set_time_sync_limit(prepay_meter_t *meter, int64_t seconds)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if (seconds < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
#if PREPAY_RECORD_TIME32
    meter->time_sync_limit = seconds > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)seconds;
#else
    meter->time_sync_limit = seconds;
#endif
    return PREPAY_OK;
}

int prepay_meter_check_time_sync(const prepay_meter_t *meter, prepay_time_t t)
{
    int status = prepay__meter_check(meter);
    if (status != PREPAY_OK) {
        return status;
    }
    uint8_t probe[6];
    if (prepay_time_to_dlt645_datetime(t, probe) != PREPAY_OK) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    /* Both times are within 2000..2099, so the difference cannot overflow. */
    int64_t delta = t > meter->clock ? t - meter->clock : meter->clock - t;
    if (meter->time_sync_limit > 0 && delta > meter->time_sync_limit) {
        return PREPAY_E_METER_TIME_SYNC_REFUSED;
    }
    return PREPAY_OK;
}

void prepay__meter_refuse_time_sync(prepay_meter_t *meter, prepay_time_t t)
{
    /* Consecutive refusals share the newest record, so that a master
     * repeating a wrong time cannot push older records (a cover opened)
     * out of the ring; the count still counts every refusal. */
    size_t last = (meter->record_next + PREPAY_METER_EVENT_RECORDS - 1u) % PREPAY_METER_EVENT_RECORDS;
    prepay_meter_record_t *r = &meter->records[last];
    if (r->used && r->kind == (uint8_t)PREPAY_METER_EVENT_TIME_SYNC_REFUSED) {
        if (meter->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED] < UINT32_MAX) {
            meter->event_counts[PREPAY_METER_EVENT_TIME_SYNC_REFUSED]++;
        }
        r->start = prepay__record_time(meter->clock);
        r->end = prepay__record_time(t);
        return;
    }
    prepay__meter_event(meter, PREPAY_METER_EVENT_TIME_SYNC_REFUSED, meter->clock, t, 0);
}
