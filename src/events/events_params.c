/* SPDX-License-Identifier: MIT */
/*
 * Event thresholds and delays: State Grid style defaults, validation, and
 * the DL/T 645 0409xxxx parameter items (read and validated write).
 *
 * Item formats (DL/T 645-2007 as extended by State Grid, 0409xxxx): voltage
 * XXX.X V (2 bytes), current XX.XXXX A (3), over-current XX.XX..: XX.X A (2),
 * power XX.XXXX kW (3), unbalance XX.XX % (2), power factor X.XXX (2),
 * delay NN s (1). Sources: a public meter firmware's default-parameter table
 * (exact-string index file id 35049832100, Def_04090101_2 .. Def_04090F02,
 * with lengths) and a concentrator format table (file id 35713924029,
 * "XX#.#|V", "X#.####|A", "X#.####|kW", "X#.##|", "X#.###|", "X#|"). The
 * two agree on every length used here.
 */
#include <stddef.h>
#include <string.h>

#include "prepay/bcd.h"
#include "events_internal.h"

/* Largest values of the formats. */
#define MAX_2 9999         /* 2 BCD bytes */
#define MAX_3 999999       /* 3 BCD bytes */
#define MAX_POWER 799999   /* XX.XXXX kW: the top bit is a sign in DL/T 645 power items */
#define MAX_PF 1000        /* a power factor above 1.000 is meaningless */

enum field_type { T_DELAY, T_U16, T_I32 }; /* 1, 2 and 3 BCD bytes */

/* Format classes: the largest value, and through it the member's type and the item's length. */
enum field_limit { L_DELAY, L_2, L_PF, L_3, L_POWER };
static const int32_t limits[] = {99, MAX_2, MAX_PF, MAX_3, MAX_POWER};

/* One item 0409xxxx, four bytes (the table is flash on a meter): the low half of the DI, the
 * member's offset and its format class. */
typedef struct field {
    uint16_t item;
    uint8_t offset;
    uint8_t limit;
} field_t;

_Static_assert(sizeof(prepay_events_params_t) <= 256, "field offsets are one byte");

#define F(item, member, limit) {item, (uint8_t)offsetof(prepay_events_params_t, member), limit}

static const field_t fields[] = {
    F(0x0101u, loss_voltage_trigger, L_2),
    F(0x0102u, loss_voltage_recovery, L_2),
    F(0x0103u, loss_voltage_current, L_3),
    F(0x0104u, loss_voltage_delay, L_DELAY),
    F(0x0201u, under_voltage_trigger, L_2),
    F(0x0202u, under_voltage_delay, L_DELAY),
    F(0x0301u, over_voltage_trigger, L_2),
    F(0x0302u, over_voltage_delay, L_DELAY),
    F(0x0401u, phase_failure_voltage, L_2),
    F(0x0402u, phase_failure_current, L_3),
    F(0x0403u, phase_failure_delay, L_DELAY),
    F(0x0501u, voltage_unbalance_limit, L_2),
    F(0x0502u, voltage_unbalance_delay, L_DELAY),
    F(0x0601u, current_unbalance_limit, L_2),
    F(0x0602u, current_unbalance_delay, L_DELAY),
    F(0x0701u, loss_current_voltage, L_2),
    F(0x0702u, loss_current_upper, L_3),
    F(0x0703u, loss_current_lower, L_3),
    F(0x0704u, loss_current_delay, L_DELAY),
    F(0x0801u, over_current_trigger, L_2),
    F(0x0802u, over_current_delay, L_DELAY),
    F(0x0901u, current_cut_voltage, L_2),
    F(0x0902u, current_cut_current, L_3),
    F(0x0903u, current_cut_delay, L_DELAY),
    F(0x0A01u, reverse_power_trigger, L_POWER),
    F(0x0A02u, reverse_power_delay, L_DELAY),
    F(0x0B01u, overload_trigger, L_POWER),
    F(0x0B02u, overload_delay, L_DELAY),
    F(0x0E01u, power_factor_limit, L_PF),
    F(0x0E02u, power_factor_delay, L_DELAY),
    F(0x0F01u, severe_unbalance_limit, L_2),
    F(0x0F02u, severe_unbalance_delay, L_DELAY),
};
#define FIELD_COUNT (sizeof fields / sizeof fields[0])

static unsigned field_type(const field_t *f)
{
    return f->limit == L_DELAY ? T_DELAY : f->limit <= L_PF ? T_U16 : T_I32;
}

static size_t field_bytes(const field_t *f)
{
    return field_type(f) + 1u;
}

static const field_t *find_field(uint32_t di)
{
    if ((di >> 16) != 0x0409u) {
        return NULL;
    }
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        if (fields[i].item == (di & 0xFFFFu)) {
            return &fields[i];
        }
    }
    return NULL;
}

static int64_t get_value(const prepay_events_params_t *params, const field_t *f)
{
    const unsigned char *base = (const unsigned char *)params + f->offset;
    switch (field_type(f)) {
    case T_DELAY: {
        uint8_t v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    case T_U16: {
        uint16_t v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    default: {
        int32_t v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    }
}

static void set_value(prepay_events_params_t *params, const field_t *f, int64_t value)
{
    unsigned char *base = (unsigned char *)params + f->offset;
    switch (field_type(f)) {
    case T_DELAY: {
        uint8_t v = (uint8_t)value;
        memcpy(base, &v, sizeof v);
        break;
    }
    case T_U16: {
        uint16_t v = (uint16_t)value;
        memcpy(base, &v, sizeof v);
        break;
    }
    default: {
        int32_t v = (int32_t)value;
        memcpy(base, &v, sizeof v);
        break;
    }
    }
}

/* round(value * num / den), half-up, for the default percentages of a rating. num and den are
 * 32-bit, so a call passes all its arguments in registers on a 32-bit target. */
static int64_t percent_of(int64_t value, int32_t num, int32_t den)
{
    int64_t out = 0;
    (void)prepay_i64_muldiv(value, num, den, PREPAY_ROUND_HALF_UP, &out);
    return out;
}

/* Defaults that are a share of a rating (docs/events.md, "Defaults"): round(rating x num / 10^e),
 * half-up, into a uint16_t (voltages, the over-current trigger) or an int32_t member. A table,
 * not sixteen calls: it is flash on a meter. */
enum share_rating { UN, IB, IMAX, UN_IB, UN_IMAX, RATING_MASK = 0x7F, RATING_U16 = 0x80 };

typedef struct share {
    uint8_t offset;       /* member of prepay_events_params_t */
    uint8_t rating;       /* share_rating, | RATING_U16 for a uint16_t member */
    uint8_t num;          /* numerator */
    uint8_t den_exponent; /* denominator 10^e */
} share_t;

#define S(member, rating, num, e) {(uint8_t)offsetof(prepay_events_params_t, member), rating, num, e}

static const share_t shares[] = {
    /* Loss of voltage: U < 78 % Un with I > 0.5 % Ib; ends above 85 % Un. */
    S(loss_voltage_trigger, UN | RATING_U16, 78, 2),
    S(loss_voltage_recovery, UN | RATING_U16, 85, 2),
    S(loss_voltage_current, IB, 5, 3),
    S(under_voltage_trigger, UN | RATING_U16, 78, 2),
    S(over_voltage_trigger, UN | RATING_U16, 120, 2),
    /* Phase failure: U < 60 % Un and I < 0.5 % Ib. */
    S(phase_failure_voltage, UN | RATING_U16, 60, 2),
    S(phase_failure_current, IB, 5, 3),
    /* Loss of current: U > 70 % Un, I < 0.5 % Ib while another phase carries > 5 % Ib. */
    S(loss_current_voltage, UN | RATING_U16, 70, 2),
    S(loss_current_upper, IB, 5, 3),
    S(loss_current_lower, IB, 5, 2),
    /* Over-current: I > 1.2 Imax (0.1 mA -> 0.1 A is / 1000). */
    S(over_current_trigger, IMAX | RATING_U16, 12, 4),
    /* Current cut: U > 60 % Un and I < 0.5 % Ib. */
    S(current_cut_voltage, UN | RATING_U16, 60, 2),
    S(current_cut_current, IB, 5, 3),
    /* Reverse power above 0.5 % of Un x Ib (0.1 V x 0.1 mA = 1e-5 W -> 0.1 W is / 1e4). */
    S(reverse_power_trigger, UN_IB, 5, 7),
    /* Overload: P > 1.2 x Un x Imax. */
    S(overload_trigger, UN_IMAX, 12, 5),
    /* Power down: every phase below 60 % Un. */
    S(critical_voltage, UN | RATING_U16, 60, 2),
};
#define SHARE_COUNT (sizeof shares / sizeof shares[0])

#undef S

int prepay_events_params_default(prepay_events_params_t *params, prepay_events_wiring_t wiring,
                                 uint16_t rated_voltage, int32_t basic_current, int32_t max_current)
{
    if (params == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (rated_voltage == 0 || rated_voltage > MAX_2 || basic_current <= 0 || max_current < basic_current ||
        max_current > 99999999) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    prepay_events_params_t p;
    memset(&p, 0, sizeof p);
    p.wiring = (uint8_t)wiring;
    p.rated_voltage = rated_voltage;
    p.basic_current = basic_current;
    p.max_current = max_current;
    const int64_t ratings[] = {rated_voltage, basic_current, max_current, (int64_t)rated_voltage * basic_current,
                               (int64_t)rated_voltage * max_current};
    for (size_t i = 0; i < SHARE_COUNT; i++) {
        const share_t *d = &shares[i];
        int32_t den = 1;
        for (unsigned e = 0; e < d->den_exponent; e++) {
            den *= 10;
        }
        int64_t v = percent_of(ratings[d->rating & RATING_MASK], d->num, den);
        unsigned char *member = (unsigned char *)&p + d->offset;
        if (d->rating & RATING_U16) {
            uint16_t u = (uint16_t)v;
            memcpy(member, &u, sizeof u);
        } else {
            int32_t w = (int32_t)v;
            memcpy(member, &w, sizeof w);
        }
    }
    /* Every judgement delay defaults to 60 s (docs/events.md, "Defaults"). */
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        if (fields[i].limit == L_DELAY) {
            set_value(&p, &fields[i], 60);
        }
    }
    p.power_down_delay = 60;
    p.sequence_delay = 60;
    p.magnetic_delay = 60;
    p.voltage_unbalance_limit = 3000; /* 30.00 % */
    p.current_unbalance_limit = 3000; /* 30.00 % */
    p.power_factor_limit = 300;       /* 0.300 */
    p.severe_unbalance_limit = 9000;  /* 90.00 % */
    if (p.over_current_trigger > MAX_2 || p.overload_trigger > MAX_POWER || p.reverse_power_trigger > MAX_POWER ||
        p.loss_current_lower > MAX_3) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    int status = prepay_events_params_check(&p);
    if (status != PREPAY_OK) {
        return status;
    }
    *params = p;
    return PREPAY_OK;
}

static bool delay_ok(uint8_t delay)
{
    return delay >= 1 && delay <= PREPAY_EVENTS_MAX_DELAY;
}

int prepay_events_params_check(const prepay_events_params_t *p)
{
    if (p == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (p->wiring > PREPAY_EVENTS_WIRING_3P3W ||
        (PREPAY_EVENTS_PHASES == 1 && p->wiring != PREPAY_EVENTS_WIRING_SINGLE)) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    if (p->rated_voltage == 0 || p->rated_voltage > MAX_2 || p->basic_current <= 0 ||
        p->max_current < p->basic_current || p->max_current > 99999999) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    for (size_t i = 0; i < FIELD_COUNT; i++) {
        int64_t v = get_value(p, &fields[i]);
        if (v < 0 || v > limits[fields[i].limit]) {
            return PREPAY_E_EVENTS_BAD_PARAMETER;
        }
        if (fields[i].limit == L_DELAY && !delay_ok((uint8_t)v)) {
            return PREPAY_E_EVENTS_BAD_PARAMETER;
        }
    }
    if (p->critical_voltage > MAX_2 || !delay_ok(p->power_down_delay) || !delay_ok(p->sequence_delay) ||
        !delay_ok(p->magnetic_delay)) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    /* Hysteresis and ordering: a recovery at or below its onset would end the event it starts. */
    if (p->loss_voltage_trigger != 0 && p->loss_voltage_recovery <= p->loss_voltage_trigger) {
        return PREPAY_E_EVENTS_CONTRADICTION;
    }
    if (p->loss_current_upper != 0 && p->loss_current_lower <= p->loss_current_upper) {
        return PREPAY_E_EVENTS_CONTRADICTION;
    }
    if (p->severe_unbalance_limit != 0 && p->current_unbalance_limit != 0 &&
        p->severe_unbalance_limit <= p->current_unbalance_limit) {
        return PREPAY_E_EVENTS_CONTRADICTION;
    }
    if (p->over_voltage_trigger != 0 && p->under_voltage_trigger != 0 &&
        p->over_voltage_trigger <= p->under_voltage_trigger) {
        return PREPAY_E_EVENTS_CONTRADICTION;
    }
    return PREPAY_OK;
}

int prepay_events_params_read(const prepay_events_params_t *params, uint32_t di, uint8_t *out, size_t out_cap)
{
    if (params == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const field_t *f = find_field(di);
    if (f == NULL) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    size_t bytes = field_bytes(f);
    if (out_cap < bytes) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    int64_t v = get_value(params, f);
    if (v < 0 || v > limits[f->limit]) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    (void)prepay_bcd_encode((uint64_t)v, out, bytes);
    return (int)bytes;
}

int prepay_events_params_write(prepay_events_params_t *params, uint32_t di, const uint8_t *data, size_t len)
{
    if (params == NULL || data == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const field_t *f = find_field(di);
    if (f == NULL) {
        return PREPAY_E_EVENTS_UNKNOWN_DI;
    }
    uint64_t v;
    if (len != field_bytes(f) || prepay_bcd_decode(data, len, &v) != PREPAY_OK) {
        return PREPAY_E_EVENTS_BAD_DATA;
    }
    if (v > (uint64_t)limits[f->limit]) {
        return PREPAY_E_EVENTS_BAD_PARAMETER;
    }
    prepay_events_params_t copy = *params;
    set_value(&copy, f, (int64_t)v);
    int status = prepay_events_params_check(&copy);
    if (status != PREPAY_OK) {
        return status;
    }
    *params = copy;
    return PREPAY_OK;
}
