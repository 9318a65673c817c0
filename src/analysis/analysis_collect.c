/* SPDX-License-Identifier: MIT */
/*
 * Incremental event collection on the station: a cursor of counts per
 * status-word bit, so a station reads only the records it has not seen,
 * and the 04001503 reset of the bits it handled.
 */
#include <string.h>

#include "prepay/analysis.h"

int prepay_analysis_cursor_init(prepay_analysis_cursor_t *cursor)
{
    if (cursor == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(cursor, 0, sizeof *cursor);
    return PREPAY_OK;
}

int prepay_analysis_new_records(prepay_analysis_cursor_t *cursor, unsigned bit, uint32_t count, unsigned max_records)
{
    if (cursor == NULL || bit >= PREPAY_EVENTS_STATUS_BITS || max_records < 1 || max_records > 10) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t seen = cursor->counts[bit];
    /* A count below the cursor means the meter's events were cleared: everything it holds is new. */
    uint32_t fresh = count >= seen ? count - seen : count;
    cursor->counts[bit] = count;
    return (int)(fresh > max_records ? max_records : fresh);
}

int prepay_analysis_reset_word(const prepay_events_status_t *status, const uint8_t handled[PREPAY_EVENTS_STATUS_BYTES],
                               uint8_t out[PREPAY_EVENTS_STATUS_BYTES])
{
    if (status == NULL || handled == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* 0 resets a bit, 1 keeps it: reset only what was set when read and handled since. */
    for (size_t i = 0; i < PREPAY_EVENTS_STATUS_BYTES; i++) {
        out[i] = (uint8_t)~(status->word[i] & handled[i]);
    }
    return PREPAY_OK;
}
