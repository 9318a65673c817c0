/* SPDX-License-Identifier: MIT */
/* Encoding and decoding of the outbox's journal APP records (layouts in docs/outbox.md). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../ledger/journal_internal.h"
#include "outbox_record.h"

static void put_id(uint8_t *p, const prepay_settlement_id_t *id)
{
    prepay__put_u64(p, id->hi);
    prepay__put_u64(p + 8, id->lo);
}

static void get_id(const uint8_t *p, prepay_settlement_id_t *id)
{
    id->hi = prepay__get_u64(p);
    id->lo = prepay__get_u64(p + 8);
}

size_t prepay__outbox_event_encode(const prepay_outbox_delivery_t *d, uint8_t mask, uint8_t *out)
{
    out[0] = PREPAY_JOURNAL_APP_OUTBOX;
    out[1] = PREPAY__OUTBOX_EVENT;
    put_id(out + 2, &d->event_id);
    prepay__put_i64(out + 18, d->time);
    prepay__put_i64(out + 26, d->amount);
    prepay__put_i64(out + 34, d->balance);
    prepay__put_u32(out + 42, d->account_id);
    prepay__put_u16(out + 46, d->type);
    out[48] = d->level;
    out[49] = mask;
    return PREPAY__OUTBOX_EVENT_SIZE;
}

int prepay__outbox_event_decode(const uint8_t *in, size_t len, prepay_outbox_delivery_t *d, uint8_t *mask)
{
    if (len != PREPAY__OUTBOX_EVENT_SIZE || in[1] != PREPAY__OUTBOX_EVENT) {
        return PREPAY_E_OUTBOX_RECORD;
    }
    memset(d, 0, sizeof *d);
    get_id(in + 2, &d->event_id);
    d->time = prepay__get_i64(in + 18);
    d->amount = prepay__get_i64(in + 26);
    d->balance = prepay__get_i64(in + 34);
    d->account_id = prepay__get_u32(in + 42);
    d->type = prepay__get_u16(in + 46);
    d->level = in[48];
    *mask = in[49];
    if (d->type == 0u || d->type >= PREPAY_OUTBOX_EVENT_TYPES || *mask == 0u) {
        return PREPAY_E_OUTBOX_RECORD;
    }
    return PREPAY_OK;
}

size_t prepay__outbox_mark_encode(unsigned kind, const prepay_settlement_id_t *id, unsigned channel,
                                  prepay_time_t time, uint8_t *out)
{
    out[0] = PREPAY_JOURNAL_APP_OUTBOX;
    out[1] = (uint8_t)kind;
    put_id(out + 2, id);
    out[18] = (uint8_t)channel;
    prepay__put_i64(out + 19, time);
    return PREPAY__OUTBOX_MARK_SIZE;
}

int prepay__outbox_mark_decode(const uint8_t *in, size_t len, prepay_settlement_id_t *id, unsigned *channel,
                               prepay_time_t *time)
{
    if (len != PREPAY__OUTBOX_MARK_SIZE || in[18] >= PREPAY_OUTBOX_CHANNELS) {
        return PREPAY_E_OUTBOX_RECORD;
    }
    get_id(in + 2, id);
    *channel = in[18];
    *time = prepay__get_i64(in + 19);
    return PREPAY_OK;
}

size_t prepay__outbox_state_encode(const prepay_outbox_delivery_t *d, uint8_t *out)
{
    out[0] = PREPAY_JOURNAL_APP_OUTBOX;
    out[1] = PREPAY__OUTBOX_STATE;
    put_id(out + 2, &d->event_id);
    prepay__put_i64(out + 18, d->time);
    prepay__put_i64(out + 26, d->due);
    prepay__put_i64(out + 34, d->last_attempt);
    prepay__put_i64(out + 42, d->acked);
    prepay__put_i64(out + 50, d->amount);
    prepay__put_i64(out + 58, d->balance);
    prepay__put_u32(out + 66, d->account_id);
    prepay__put_u16(out + 70, d->type);
    out[72] = d->channel;
    out[73] = d->state;
    out[74] = d->attempts;
    out[75] = d->level;
    return PREPAY__OUTBOX_STATE_SIZE;
}

int prepay__outbox_state_decode(const uint8_t *in, size_t len, prepay_outbox_delivery_t *d)
{
    if (len != PREPAY__OUTBOX_STATE_SIZE || in[1] != PREPAY__OUTBOX_STATE) {
        return PREPAY_E_OUTBOX_RECORD;
    }
    memset(d, 0, sizeof *d);
    get_id(in + 2, &d->event_id);
    d->time = prepay__get_i64(in + 18);
    d->due = prepay__get_i64(in + 26);
    d->last_attempt = prepay__get_i64(in + 34);
    d->acked = prepay__get_i64(in + 42);
    d->amount = prepay__get_i64(in + 50);
    d->balance = prepay__get_i64(in + 58);
    d->account_id = prepay__get_u32(in + 66);
    d->type = prepay__get_u16(in + 70);
    d->channel = in[72];
    d->state = in[73];
    d->attempts = in[74];
    d->level = in[75];
    if (d->type == 0u || d->type >= PREPAY_OUTBOX_EVENT_TYPES || d->channel >= PREPAY_OUTBOX_CHANNELS ||
        d->state < PREPAY_OUTBOX_PENDING || d->state > PREPAY_OUTBOX_EXHAUSTED) {
        return PREPAY_E_OUTBOX_RECORD;
    }
    return PREPAY_OK;
}
