/* SPDX-License-Identifier: MIT */
/*
 * A station reading load records from a reference meter in process: the
 * request built by prepay_load_record_request(), the meter's answer
 * (prepay_meter_handle()), follow-up frames requested with function 12 and
 * stitched by prepay_load_record_reply_add(), the records decoded by
 * prepay_load_record_decode(): the station-side code path of a real read,
 * without a serial line.
 */
#ifndef METER_STATION_H
#define METER_STATION_H

#include <stdlib.h>

#include "meter_fixtures.h"
#include "prepay/load_record.h"

/* Sends one frame and decodes the reply frame (which must exist). */
static inline void st_exchange(prepay_meter_t *m, const prepay_dlt645_frame_t *req, prepay_dlt645_frame_t *rep)
{
    assert_true(fx_send(m, req, rep) > 0);
}

/*
 * Reads `06 cc 00 mode` with N records (from `from` for mode 01) and decodes
 * what comes back. Returns PREPAY_OK, or the abnormal reply's error byte
 * negated (e.g. -PREPAY_DLT645_ERROR_NO_DATA). *frames: frames received.
 */
static inline int st_read_records(prepay_meter_t *m, unsigned cls, prepay_load_record_mode_t mode, uint8_t count,
                                  prepay_time_t from, prepay_load_record_t *out, size_t cap, size_t *n,
                                  unsigned *frames)
{
    prepay_dlt645_frame_t req, rep;
    prepay_dlt645_address_t a = m->address;
    assert_int_equal(prepay_load_record_request(&req, &a, cls, mode, count, from), PREPAY_OK);
    prepay_load_record_reply_t *stitch = malloc(sizeof *stitch);
    assert_non_null(stitch);
    assert_int_equal(prepay_load_record_reply_init(stitch), PREPAY_OK);
    *frames = 0;
    for (uint8_t seq = 0;; seq++) {
        if (seq > 0) {
            assert_int_equal(prepay_dlt645_request_read_follow_up(&req, &a, stitch->di, seq), PREPAY_OK);
        }
        st_exchange(m, &req, &rep);
        (*frames)++;
        prepay_dlt645_read_reply_t rr;
        int status = prepay_dlt645_reply_read(&req, &rep, &rr);
        if (status == PREPAY_E_DLT645_ABNORMAL) {
            free(stitch);
            return -(int)rep.error;
        }
        assert_int_equal(status, PREPAY_OK);
        assert_int_equal(prepay_load_record_reply_add(stitch, &rr), PREPAY_OK);
        if (stitch->complete) {
            break;
        }
    }
    int status = prepay_load_record_decode(stitch->di, stitch->data, stitch->length, out, cap, n);
    free(stitch);
    return status;
}

#endif
