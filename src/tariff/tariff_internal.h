/*
 * Internal: shared helpers of the tariff engine (never installed).
 */
#ifndef PREPAY_TARIFF_INTERNAL_H
#define PREPAY_TARIFF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/tariff.h"

/* Most segments one day can have: base slots (+1 for the wrap) and two
 * cuts per override plus the override itself. */
#define PREPAY__DAY_SEGMENTS_MAX (PREPAY_MAX_DAY_SLOTS + 2 + 3 * PREPAY_MAX_DATE_OVERRIDES)

#define PREPAY__STATE_MAGIC 0x54415246u /* "TARF" */
#define PREPAY__FLAG_POSITION 0x01u
#define PREPAY__FLAG_CYCLE_OPEN 0x02u
#define PREPAY__FLAG_CYCLE_CLOSED 0x04u
#define PREPAY__FLAG_PRIMED 0x08u
#define PREPAY__FLAG_ALL 0x0Fu

/* A day's band segments: segment i covers [start[i], start[i+1]) minutes
 * (start[count] = 1440), in band[i]. */
typedef struct prepay__day_segments {
    prepay_days_t day;
    uint16_t count;
    uint16_t start[PREPAY__DAY_SEGMENTS_MAX + 1];
    uint8_t band[PREPAY__DAY_SEGMENTS_MAX];
} prepay__day_segments_t;

/* Builds the band segments of one day (tariff already validated). */
int prepay__tou_day_segments(const prepay_tariff_t *tariff, prepay_days_t day, prepay__day_segments_t *out);

/* Band at a minute of a day (tariff already validated). */
int prepay__tou_band_at(const prepay_tariff_t *tariff, prepay_days_t day, unsigned minute, unsigned *band);

/* Price of (band, tier), tariff validated, band/tier in range. */
int prepay__tariff_price(const prepay_tariff_t *tariff, unsigned band, unsigned tier, prepay_price_t *out);

/* Cycle helpers (tariff validated). */
int prepay__cycle_of(const prepay_tariff_t *tariff, prepay_time_t at, int32_t *cycle);
int prepay__cycle_bounds(const prepay_tariff_t *tariff, int32_t cycle, prepay_time_t *start, prepay_time_t *end);
int prepay__tier_bounds(const prepay_tariff_t *tariff, const prepay_tariff_account_t *account, int32_t cycle,
                        prepay_energy_t upper[PREPAY_MAX_TIERS]);

/* Checks a state's invariants. */
int prepay__state_check(const prepay_tariff_state_t *state);

/* Compares two line keys (cycle, kind, set, band, tier, fixed index). */
int prepay__line_key_compare(const prepay_tariff_line_t *a, const prepay_tariff_line_t *b);

/* Inserts or merges one line into a bill; when full, counts lines_needed and
 * returns PREPAY_E_BUFFER_TOO_SMALL without storing. */
int prepay__bill_insert(prepay_tariff_bill_t *bill, const prepay_tariff_line_t *line);

/* Index of the tier holding Wh number `used` (0-based). */
static inline unsigned prepay__tier_index(const prepay_energy_t *upper, unsigned tier_count, prepay_energy_t used)
{
    unsigned t = 0;
    while (t + 1 < tier_count && used >= upper[t]) {
        t++;
    }
    return t;
}

#endif /* PREPAY_TARIFF_INTERNAL_H */
