/* SPDX-License-Identifier: MIT */
/*
 * The notification outbox: events routed by the per-account channel policy
 * become deliveries (event id, channel); attempts follow the retry schedule;
 * every change is an APP record in the ledger's journal, replayed on
 * recovery (docs/outbox.md).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/journal.h"
#include "prepay/outbox.h"
#include "outbox_record.h"

int prepay_outbox_init(prepay_outbox_t *outbox, prepay_outbox_delivery_t *deliveries, uint32_t capacity,
                       const prepay_outbox_config_t *config, prepay_journal_t *journal)
{
    if (outbox == NULL || deliveries == NULL || capacity == 0u || config == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (config->backoff == NULL || config->backoff_count == 0u || config->backoff_count > PREPAY_OUTBOX_MAX_STEPS ||
        (config->policies == NULL && config->policy_count > 0u)) {
        return PREPAY_E_OUTBOX_CONFIG;
    }
    for (uint32_t i = 0; i < config->backoff_count; i++) {
        if (config->backoff[i] == 0u) {
            return PREPAY_E_OUTBOX_CONFIG;
        }
    }
    for (uint32_t i = 1; i < config->policy_count; i++) {
        if (config->policies[i].account_id <= config->policies[i - 1u].account_id) {
            return PREPAY_E_OUTBOX_CONFIG;
        }
    }
    memset(outbox, 0, sizeof *outbox);
    outbox->deliveries = deliveries;
    outbox->capacity = capacity;
    outbox->config = *config;
    outbox->journal = journal;
    return PREPAY_OK;
}

/* Binary search over the sorted policies; NULL if the account has none. */
static const prepay_outbox_policy_t *find_policy(const prepay_outbox_config_t *config, uint32_t account_id)
{
    uint32_t lo = 0;
    uint32_t hi = config->policy_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;
        uint32_t id = config->policies[mid].account_id;
        if (id == account_id) {
            return &config->policies[mid];
        }
        if (id < account_id) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

uint8_t prepay_outbox_route(const prepay_outbox_t *outbox, uint32_t account_id, unsigned type)
{
    if (outbox == NULL || type == 0u || type >= PREPAY_OUTBOX_EVENT_TYPES) {
        return 0;
    }
    const prepay_outbox_policy_t *policy = find_policy(&outbox->config, account_id);
    if (policy == NULL) {
        policy = find_policy(&outbox->config, 0);
    }
    return policy != NULL ? policy->channels[type] : 0u;
}

static bool same_id(const prepay_settlement_id_t *a, const prepay_settlement_id_t *b)
{
    return a->hi == b->hi && a->lo == b->lo;
}

static prepay_outbox_delivery_t *find(const prepay_outbox_t *outbox, const prepay_settlement_id_t *id,
                                      unsigned channel)
{
    for (uint32_t i = 0; i < outbox->count; i++) {
        prepay_outbox_delivery_t *d = &outbox->deliveries[i];
        if (d->channel == channel && same_id(&d->event_id, id)) {
            return d;
        }
    }
    return NULL;
}

const prepay_outbox_delivery_t *prepay_outbox_find(const prepay_outbox_t *outbox,
                                                   const prepay_settlement_id_t *event_id, unsigned channel)
{
    if (outbox == NULL || event_id == NULL) {
        return NULL;
    }
    return find(outbox, event_id, channel);
}

static bool has_event(const prepay_outbox_t *outbox, const prepay_settlement_id_t *id)
{
    for (uint32_t i = 0; i < outbox->count; i++) {
        if (same_id(&outbox->deliveries[i].event_id, id)) {
            return true;
        }
    }
    return false;
}

static unsigned popcount8(uint8_t mask)
{
    unsigned n = 0;
    for (; mask != 0u; mask = (uint8_t)(mask & (mask - 1u))) {
        n++;
    }
    return n;
}

/* Adds the deliveries of an event (live or replayed); the caller checked capacity and duplicates. */
static void add_deliveries(prepay_outbox_t *outbox, const prepay_outbox_delivery_t *proto, uint8_t mask)
{
    for (unsigned channel = 0; channel < PREPAY_OUTBOX_CHANNELS; channel++) {
        if ((mask & (1u << channel)) == 0u) {
            continue;
        }
        prepay_outbox_delivery_t *d = &outbox->deliveries[outbox->count++];
        *d = *proto;
        d->channel = (uint8_t)channel;
        d->state = PREPAY_OUTBOX_PENDING;
        d->due = proto->time;
        d->attempts = 0;
        d->last_attempt = 0;
        d->acked = 0;
    }
}

int prepay_outbox_add(prepay_outbox_t *outbox, const prepay_settlement_event_t *event)
{
    if (outbox == NULL || event == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (event->type == 0u || event->type >= PREPAY_OUTBOX_EVENT_TYPES) {
        return PREPAY_E_OUTBOX_FIELD;
    }
    uint8_t mask = prepay_outbox_route(outbox, event->account_id, event->type);
    if (mask == 0u || has_event(outbox, &event->id)) {
        return 0;
    }
    unsigned n = popcount8(mask);
    if (outbox->capacity - outbox->count < n) {
        return PREPAY_E_OUTBOX_FULL;
    }
    prepay_outbox_delivery_t proto;
    memset(&proto, 0, sizeof proto);
    proto.event_id = event->id;
    proto.time = event->time;
    proto.amount = event->amount;
    proto.balance = event->balance;
    proto.account_id = event->account_id;
    proto.type = event->type;
    proto.level = event->level;
    if (outbox->journal != NULL) {
        uint8_t payload[PREPAY__OUTBOX_EVENT_SIZE];
        size_t length = prepay__outbox_event_encode(&proto, mask, payload);
        int status = prepay_journal_add_app(outbox->journal, payload, length);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    add_deliveries(outbox, &proto, mask);
    return (int)n;
}

void prepay_outbox_sink(void *context, const prepay_settlement_event_t *event)
{
    prepay_outbox_t *outbox = context;
    if (outbox == NULL) {
        return;
    }
    int status = prepay_outbox_add(outbox, event);
    if (status < 0) {
        outbox->sink_errors++;
        outbox->last_sink_error = status;
    }
}

/* Attempt number `attempts` (1-based) was made at `time`: the next is one schedule step later. */
static void apply_attempt(const prepay_outbox_t *outbox, prepay_outbox_delivery_t *d, prepay_time_t time)
{
    if (d->attempts < UINT8_MAX) {
        d->attempts++;
    }
    d->last_attempt = time;
    uint32_t step = d->attempts <= outbox->config.backoff_count ? outbox->config.backoff[d->attempts - 1u]
                                                                : outbox->config.backoff[outbox->config.backoff_count - 1u];
    /* The last attempt still waits one step for its ack; after that the delivery is exhausted. */
    d->due = time > PREPAY_OUTBOX_NEVER - (prepay_time_t)step ? PREPAY_OUTBOX_NEVER : time + (prepay_time_t)step;
}

/* Is the delivery due at `now`? Marks a delivery whose schedule ran out EXHAUSTED (derived from data + now). */
static bool due_now(const prepay_outbox_t *outbox, prepay_outbox_delivery_t *d, prepay_time_t now)
{
    if (d->state != PREPAY_OUTBOX_PENDING || d->due > now) {
        return false;
    }
    if (d->attempts > outbox->config.backoff_count) {
        d->state = PREPAY_OUTBOX_EXHAUSTED;
        return false;
    }
    return true;
}

int prepay_outbox_take_due(prepay_outbox_t *outbox, prepay_time_t now, prepay_outbox_delivery_t *out, size_t out_cap)
{
    if (outbox == NULL || (out == NULL && out_cap > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Stage every attempt first; the outbox changes only once they are durable. */
    size_t taken = 0;
    for (uint32_t i = 0; i < outbox->count && taken < out_cap && taken < (size_t)INT32_MAX; i++) {
        prepay_outbox_delivery_t *d = &outbox->deliveries[i];
        if (!due_now(outbox, d, now)) {
            continue;
        }
        if (outbox->journal != NULL) {
            uint8_t payload[PREPAY__OUTBOX_MARK_SIZE];
            size_t length = prepay__outbox_mark_encode(PREPAY__OUTBOX_ATTEMPT, &d->event_id, d->channel, now, payload);
            int status = prepay_journal_add_app(outbox->journal, payload, length);
            if (status != PREPAY_OK) {
                (void)prepay_journal_rollback(outbox->journal);
                return status;
            }
        }
        out[taken++] = *d;
    }
    if (taken > 0u && outbox->journal != NULL) {
        int status = prepay_journal_commit(outbox->journal);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    for (size_t k = 0; k < taken; k++) {
        prepay_outbox_delivery_t *d = find(outbox, &out[k].event_id, out[k].channel);
        if (d == NULL) {
            continue; /* not reached: out[k] was copied from the table above (keeps -Wnull-dereference quiet) */
        }
        apply_attempt(outbox, d, now);
        out[k] = *d;
    }
    return (int)taken;
}

int prepay_outbox_ack(prepay_outbox_t *outbox, const prepay_settlement_id_t *event_id, unsigned channel,
                      prepay_time_t now)
{
    if (outbox == NULL || event_id == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_outbox_delivery_t *d = channel < PREPAY_OUTBOX_CHANNELS ? find(outbox, event_id, channel) : NULL;
    if (d == NULL) {
        return PREPAY_E_OUTBOX_UNKNOWN;
    }
    if (d->state == PREPAY_OUTBOX_DELIVERED) {
        return PREPAY_OUTBOX_DUPLICATE;
    }
    if (outbox->journal != NULL) {
        uint8_t payload[PREPAY__OUTBOX_MARK_SIZE];
        size_t length = prepay__outbox_mark_encode(PREPAY__OUTBOX_ACK, event_id, channel, now, payload);
        int status = prepay_journal_add_app(outbox->journal, payload, length);
        if (status == PREPAY_OK) {
            status = prepay_journal_commit(outbox->journal);
        } else {
            (void)prepay_journal_rollback(outbox->journal);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    d->state = PREPAY_OUTBOX_DELIVERED;
    d->acked = now;
    d->due = PREPAY_OUTBOX_NEVER;
    return PREPAY_OK;
}

int prepay_outbox_replay(void *context, const prepay_journal_record_t *record)
{
    prepay_outbox_t *outbox = context;
    if (outbox == NULL || record == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (record->type != PREPAY_JOURNAL_RECORD_APP || record->payload_length < 2u ||
        record->payload[0] != PREPAY_JOURNAL_APP_OUTBOX) {
        return PREPAY_OK; /* another application's record */
    }
    const uint8_t *in = record->payload;
    size_t len = record->payload_length;
    switch (in[1]) {
    case PREPAY__OUTBOX_EVENT: {
        prepay_outbox_delivery_t proto;
        uint8_t mask = 0;
        int status = prepay__outbox_event_decode(in, len, &proto, &mask);
        if (status != PREPAY_OK) {
            return status;
        }
        if (has_event(outbox, &proto.event_id)) {
            return PREPAY_OK;
        }
        if (outbox->capacity - outbox->count < popcount8(mask)) {
            return PREPAY_E_OUTBOX_FULL;
        }
        add_deliveries(outbox, &proto, mask);
        return PREPAY_OK;
    }
    case PREPAY__OUTBOX_ATTEMPT:
    case PREPAY__OUTBOX_ACK: {
        prepay_settlement_id_t id;
        unsigned channel = 0;
        prepay_time_t time = 0;
        int status = prepay__outbox_mark_decode(in, len, &id, &channel, &time);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_outbox_delivery_t *d = find(outbox, &id, channel);
        if (d == NULL) {
            return PREPAY_E_OUTBOX_RECORD;
        }
        if (in[1] == PREPAY__OUTBOX_ACK) {
            d->state = PREPAY_OUTBOX_DELIVERED;
            d->acked = time;
            d->due = PREPAY_OUTBOX_NEVER;
        } else if (d->state != PREPAY_OUTBOX_DELIVERED) {
            d->state = PREPAY_OUTBOX_PENDING;
            apply_attempt(outbox, d, time);
        }
        return PREPAY_OK;
    }
    case PREPAY__OUTBOX_STATE: {
        prepay_outbox_delivery_t state;
        int status = prepay__outbox_state_decode(in, len, &state);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_outbox_delivery_t *d = find(outbox, &state.event_id, state.channel);
        if (d == NULL) {
            if (outbox->count == outbox->capacity) {
                return PREPAY_E_OUTBOX_FULL;
            }
            d = &outbox->deliveries[outbox->count++];
        }
        *d = state;
        return PREPAY_OK;
    }
    default:
        return PREPAY_E_OUTBOX_RECORD;
    }
}

int prepay_outbox_checkpoint(prepay_outbox_t *outbox)
{
    if (outbox == NULL || outbox->journal == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (uint32_t i = 0; i < outbox->count; i++) {
        uint8_t payload[PREPAY__OUTBOX_STATE_SIZE];
        size_t length = prepay__outbox_state_encode(&outbox->deliveries[i], payload);
        int status = prepay_journal_add_app(outbox->journal, payload, length);
        if (status != PREPAY_OK) {
            (void)prepay_journal_rollback(outbox->journal);
            return status;
        }
    }
    return prepay_journal_commit(outbox->journal);
}

uint32_t prepay_outbox_compact(prepay_outbox_t *outbox)
{
    if (outbox == NULL) {
        return 0;
    }
    uint32_t kept = 0;
    for (uint32_t i = 0; i < outbox->count; i++) {
        if (outbox->deliveries[i].state == PREPAY_OUTBOX_PENDING) {
            outbox->deliveries[kept++] = outbox->deliveries[i];
        }
    }
    uint32_t dropped = outbox->count - kept;
    outbox->count = kept;
    return dropped;
}

void prepay_outbox_counts(const prepay_outbox_t *outbox, prepay_outbox_counts_t *out)
{
    if (outbox == NULL || out == NULL) {
        return;
    }
    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < outbox->count; i++) {
        const prepay_outbox_delivery_t *d = &outbox->deliveries[i];
        if (d->state == PREPAY_OUTBOX_DELIVERED) {
            out->delivered++;
        } else if (d->state == PREPAY_OUTBOX_EXHAUSTED) {
            out->exhausted++;
        } else {
            out->pending++;
        }
    }
}

int prepay_outbox_dedupe_key(const prepay_outbox_delivery_t *delivery, char *out, size_t out_cap)
{
    static const char hex[] = "0123456789abcdef";
    if (delivery == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < PREPAY_OUTBOX_KEY_SIZE) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    for (unsigned i = 0; i < 16u; i++) {
        out[i] = hex[(delivery->event_id.hi >> (60u - 4u * i)) & 0xFu];
        out[16u + i] = hex[(delivery->event_id.lo >> (60u - 4u * i)) & 0xFu];
    }
    out[32] = '-';
    out[33] = (char)('0' + (delivery->channel & 7u));
    out[34] = '\0';
    return 34;
}
