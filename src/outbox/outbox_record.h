/* SPDX-License-Identifier: MIT */
/*
 * The outbox's journal APP records (docs/outbox.md, "Journal records"):
 * byte 0 the tag PREPAY_JOURNAL_APP_OUTBOX, byte 1 the record kind, then
 * fixed little-endian fields. Internal to src/outbox.
 */
#ifndef PREPAY_OUTBOX_RECORD_H
#define PREPAY_OUTBOX_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/outbox.h"

#define PREPAY__OUTBOX_EVENT 1u   /* an event and the channel mask it was routed to */
#define PREPAY__OUTBOX_ATTEMPT 2u /* an attempt of (event id, channel) at a time */
#define PREPAY__OUTBOX_ACK 3u     /* an acknowledgement of (event id, channel) at a time */
#define PREPAY__OUTBOX_STATE 4u   /* the whole state of one delivery (checkpoint) */

#define PREPAY__OUTBOX_EVENT_SIZE 50u
#define PREPAY__OUTBOX_MARK_SIZE 27u
#define PREPAY__OUTBOX_STATE_SIZE 76u

/* Encoders write exactly their size; decoders check the size and ranges. */
size_t prepay__outbox_event_encode(const prepay_outbox_delivery_t *d, uint8_t mask, uint8_t *out);
int prepay__outbox_event_decode(const uint8_t *in, size_t len, prepay_outbox_delivery_t *d, uint8_t *mask);
size_t prepay__outbox_mark_encode(unsigned kind, const prepay_settlement_id_t *id, unsigned channel,
                                  prepay_time_t time, uint8_t *out);
int prepay__outbox_mark_decode(const uint8_t *in, size_t len, prepay_settlement_id_t *id, unsigned *channel,
                               prepay_time_t *time);
size_t prepay__outbox_state_encode(const prepay_outbox_delivery_t *d, uint8_t *out);
int prepay__outbox_state_decode(const uint8_t *in, size_t len, prepay_outbox_delivery_t *d);

#endif
