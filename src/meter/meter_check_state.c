/* SPDX-License-Identifier: MIT */
/*
 * Reference prepaid meter: checking a meter restored from storage.
 *
 * The struct is plain data that a firmware keeps in flash and the emulator
 * keeps in its state file. A stored copy may be damaged or forged, so every
 * member is checked against the domain the meter's own functions keep it in
 * before the copy is trusted. The bound pointers (tariff sets, policy,
 * account) belong to the caller and are not checked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/bcd.h"
#include "meter_internal.h"

/* All relay flags the meter defines. */
#define RELAY_FLAGS 0x7Fu
/* PREPAY_METER_RELAY_LOAD_CONTROL (meter_supervision.h): only with a supervision attached. */
#define RELAY_LOAD_CONTROL 0x80u

static bool time_ok(prepay_time_t t)
{
    uint8_t probe[6];
    return prepay_time_to_dlt645_datetime(t, probe) == PREPAY_OK;
}

static bool frozen_ok(const prepay_meter_frozen_t *f)
{
    return f->time == 0 || time_ok(f->time);
}

static bool bcd_or_wild(uint8_t field, unsigned low, unsigned high)
{
    uint8_t v;
    if (field == 0x99) {
        return true;
    }
    return prepay_bcd_decode_byte(field, &v) == PREPAY_OK && v >= low && v <= high;
}

static const char *check_identity(const prepay_meter_t *m)
{
    for (size_t i = 0; i < PREPAY_DLT645_ADDRESS_SIZE; i++) {
        uint8_t digit;
        if (prepay_bcd_decode_byte(m->address.bytes[i], &digit) != PREPAY_OK) {
            return "address";
        }
    }
    if (prepay_dlt645_address_is_broadcast(&m->address)) {
        return "address";
    }
    if (m->mode > PREPAY_METER_MODE_REMOTE) {
        return "mode";
    }
    if ((m->relay & (uint8_t)~(m->supervision != NULL ? (RELAY_FLAGS | RELAY_LOAD_CONTROL) : RELAY_FLAGS)) != 0) {
        return "relay";
    }
    if (m->alarm_level > PREPAY_MAX_ALARM_LEVELS || m->wallet.level > PREPAY_MAX_ALARM_LEVELS) {
        return "alarm_level";
    }
    if ((m->wallet.flags & (uint8_t)~PREPAY_WALLET_STATE_MASK) != 0) {
        return "wallet";
    }
    if (m->programming_key > 1) {
        return "programming_key";
    }
    uint32_t baud;
    if (prepay_dlt645_baud_from_feature(m->baud_feature, &baud) != PREPAY_OK) {
        return "baud_feature";
    }
    if (m->settlement_day < 1 || m->settlement_day > 28 || m->settlement_hour > 23) {
        return "settlement_day";
    }
    if (!bcd_or_wild(m->freeze_pattern[0], 0, 59) || !bcd_or_wild(m->freeze_pattern[1], 0, 23) ||
        !bcd_or_wild(m->freeze_pattern[2], 1, 31) || !bcd_or_wild(m->freeze_pattern[3], 1, 12)) {
        return "freeze_pattern";
    }
    if (m->password_failure_day < -1) {
        return "password_failure_day";
    }
    return NULL;
}

static const char *check_clock(const prepay_meter_t *m)
{
    if (!time_ok(m->clock)) {
        return "clock";
    }
    if (m->overload_since != -1 && (m->overload_since < 0 || m->overload_since > m->clock)) {
        return "overload_since";
    }
    if (m->power_limit < 0) {
        return "power_limit";
    }
    for (size_t i = 0; i < 4; i++) {
        if (m->switch_time[i] != PREPAY__METER_NEVER && !time_ok(m->switch_time[i])) {
            return "switch_time";
        }
    }
#if !PREPAY_RECORD_TIME32 /* unsigned with PREPAY_RECORD_TIME32: every value is a limit */
    if (m->time_sync_limit < 0) {
        return "time_sync_limit";
    }
#endif
    return NULL;
}

static PREPAY__ONE_COPY const char *check_energy(const prepay_meter_t *m)
{
    if (prepay_tariff_compact_state_check(&m->tariff_state) != PREPAY_OK) {
        return "tariff_state";
    }
    if (m->unpriced < 0) {
        return "unpriced";
    }
    /* Band registers add up to at most the total (energy outside bands 1..n counts in the total only). */
    prepay_energy_t forward = 0, reverse = 0;
    for (size_t i = 1; i <= PREPAY_METER_TARIFFS; i++) {
        if (m->forward[i] < 0 || m->reverse[i] < 0 || m->forward[i] > m->forward[0] - forward ||
            m->reverse[i] > m->reverse[0] - reverse) {
            return "energy registers";
        }
        forward += m->forward[i];
        reverse += m->reverse[i];
    }
    if (m->forward[0] < 0 || m->reverse[0] < 0) {
        return "energy registers";
    }
    if (m->forward_remainder < 0 || m->forward_remainder >= 3600 || m->reverse_remainder < 0 ||
        m->reverse_remainder >= 3600) {
        return "energy remainder";
    }
    return NULL;
}

static const char *check_purse(const prepay_meter_t *m)
{
    const prepay_meter_purse_t *p = &m->purse;
    if (prepay__meter_check_purse(p) != PREPAY_OK) {
        return "purse parameters";
    }
    if (p->purchase_total < 0 || p->last_amount < 0 || (p->last_time != 0 && !time_ok(p->last_time))) {
        return "purse history";
    }
    return NULL;
}

static PREPAY__ONE_COPY const char *check_records(const prepay_meter_t *m)
{
    if ((m->conditions >> PREPAY_METER_CONDITION_COUNT) != 0) {
        return "conditions";
    }
    if (m->record_next >= PREPAY_METER_EVENT_RECORDS) {
        return "record_next";
    }
    for (size_t i = 0; i < PREPAY_METER_EVENT_RECORDS; i++) {
        const prepay_meter_record_t *r = &m->records[i];
        if (r->used > 1 || (r->used && r->kind >= PREPAY_METER_EVENT_COUNT)) {
            return "records";
        }
    }
    for (size_t i = 0; i < PREPAY_METER_FROZEN_DAYS; i++) {
        if (!frozen_ok(&m->daily[i])) {
            return "daily";
        }
    }
    for (size_t i = 0; i < PREPAY_METER_SETTLEMENTS; i++) {
        if (!frozen_ok(&m->settlement[i])) {
            return "settlement";
        }
    }
    if (!frozen_ok(&m->instant_freeze)) {
        return "instant_freeze";
    }
    return NULL;
}

int prepay_meter_check_state(const prepay_meter_t *meter, const char **member)
{
    if (member != NULL) {
        *member = NULL;
    }
    if (meter == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const char *bad = meter->magic != PREPAY__METER_MAGIC ? "magic" : NULL;
    if (bad == NULL) {
        bad = check_identity(meter);
    }
    if (bad == NULL) {
        bad = check_clock(meter);
    }
    if (bad == NULL) {
        bad = check_energy(meter);
    }
    if (bad == NULL) {
        bad = check_purse(meter);
    }
    if (bad == NULL) {
        bad = check_records(meter);
    }
    if (bad == NULL) {
        bad = prepay__meter_demand_check(meter);
    }
    if (bad == NULL) {
        bad = prepay__meter_profile_check(meter);
    }
    if (bad != NULL) {
        if (member != NULL) {
            *member = bad;
        }
        return PREPAY_E_METER_BAD_STATE;
    }
    return PREPAY_OK;
}
