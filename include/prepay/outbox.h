/* SPDX-License-Identifier: MIT */
/**
 * @file outbox.h
 * @brief Notification outbox: settlement events to the caller's channels, durable with the ledger.
 *
 * Every settlement event (alarm-level change, cut-off, restore, low
 * balance, recharge credited, payment failure, statement issued, debt
 * created, ...) that the account's channel policy routes somewhere becomes
 * one delivery per channel, keyed by (event id, channel): the dedupe key a
 * consumer uses, since delivery is at least once. The outbox writes its
 * records as ::PREPAY_JOURNAL_RECORD_APP records (tag
 * ::PREPAY_JOURNAL_APP_OUTBOX) in the SAME journal batch as the ledger
 * transfers that caused them (through the settlement sink, before the
 * commit): an event is durable exactly when its transfers are.
 *
 * Delivery: prepay_outbox_take_due() hands out the deliveries whose time
 * has come and records an ATTEMPT for each (one sync) BEFORE the caller
 * sends; the caller records the channel's acknowledgement with
 * prepay_outbox_ack(). An attempt that is not acknowledged is retried
 * after the next step of the retry schedule (data: backoff steps), until
 * the schedule is exhausted (the delivery is then EXHAUSTED, reported,
 * never dropped silently). After a crash, recovery replays the records to
 * prepay_outbox_replay() (prepay_journal_open_app()): every event whose
 * transfers survived is there, with its attempts and acks.
 *
 * The channels (SMS, app push, e-mail, voice call, WeChat) belong to the
 * caller; the outbox only numbers them 0..7. Freestanding: caller memory,
 * no allocation; contract in docs/outbox.md.
 */
#ifndef PREPAY_OUTBOX_H
#define PREPAY_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/export.h"
#include "prepay/journal.h"
#include "prepay/settlement.h"
#include "prepay/status.h"

/** @brief Outbox status codes (module ::PREPAY_MODULE_OUTBOX). */
enum prepay_outbox_status {
    /** The configuration is inconsistent (policies not sorted, backoff empty, too long or 0).
     *  prepay_strerror(): "outbox: inconsistent configuration (policies, retry schedule)" */
    PREPAY_E_OUTBOX_CONFIG = PREPAY_STATUS_MAKE(PREPAY_MODULE_OUTBOX, 1),
    /** The outbox cannot hold the event's deliveries (nothing recorded).
     *  prepay_strerror(): "outbox: no room for the event's deliveries" */
    PREPAY_E_OUTBOX_FULL = PREPAY_STATUS_MAKE(PREPAY_MODULE_OUTBOX, 2),
    /** No delivery with this event id and channel.
     *  prepay_strerror(): "outbox: no such delivery" */
    PREPAY_E_OUTBOX_UNKNOWN = PREPAY_STATUS_MAKE(PREPAY_MODULE_OUTBOX, 3),
    /** An event type outside 1..::PREPAY_OUTBOX_EVENT_TYPES - 1, or a channel above 7.
     *  prepay_strerror(): "outbox: event type or channel out of range" */
    PREPAY_E_OUTBOX_FIELD = PREPAY_STATUS_MAKE(PREPAY_MODULE_OUTBOX, 4),
    /** A journal APP record of the outbox does not decode (replay).
     *  prepay_strerror(): "outbox: journal record of the outbox does not decode" */
    PREPAY_E_OUTBOX_RECORD = PREPAY_STATUS_MAKE(PREPAY_MODULE_OUTBOX, 5)
};

/** @brief Already recorded (a repeated event or ack): nothing changed (positive: not an error). */
#define PREPAY_OUTBOX_DUPLICATE 1

/** @brief Channels are numbered 0..7 (bits of a channel mask). */
#define PREPAY_OUTBOX_CHANNELS 8u
/** @brief Event types 1..63 can be routed (settlement types 1..21, ::PREPAY_PAYMENT_EVENT_FAILED 32). */
#define PREPAY_OUTBOX_EVENT_TYPES 64u
/** @brief Longest retry schedule (attempts = steps + 1). */
#define PREPAY_OUTBOX_MAX_STEPS 32u
/** @brief `due` of a delivery that will not be attempted again. */
#define PREPAY_OUTBOX_NEVER INT64_MAX
/** @brief Characters of a dedupe key written by prepay_outbox_dedupe_key() (with its terminating NUL). */
#define PREPAY_OUTBOX_KEY_SIZE 35u

/** @brief Suggested channel numbers (the channels themselves are the caller's). */
enum prepay_outbox_channel {
    PREPAY_OUTBOX_SMS = 0,      /**< text message */
    PREPAY_OUTBOX_APP_PUSH = 1, /**< app push notification */
    PREPAY_OUTBOX_EMAIL = 2,    /**< e-mail */
    PREPAY_OUTBOX_VOICE = 3,    /**< voice call */
    PREPAY_OUTBOX_WECHAT = 4    /**< WeChat template message */
};

/** @brief Delivery states. */
enum prepay_outbox_state {
    PREPAY_OUTBOX_PENDING = 1,   /**< waiting for its due time or for an ack */
    PREPAY_OUTBOX_DELIVERED = 2, /**< acknowledged by the channel */
    PREPAY_OUTBOX_EXHAUSTED = 3  /**< every attempt of the schedule was made without an ack */
};

/** @brief Which channels each event type goes to, for one account (or the default). */
typedef struct prepay_outbox_policy {
    uint32_t account_id;                          /**< 0: the default for accounts without a policy */
    uint8_t channels[PREPAY_OUTBOX_EVENT_TYPES];  /**< per event type: a mask of channels (bit n = channel n) */
} prepay_outbox_policy_t;

/** @brief Outbox configuration (data; kept by pointer, must outlive the outbox). */
typedef struct prepay_outbox_config {
    const prepay_outbox_policy_t *policies; /**< sorted by strictly increasing account_id */
    uint32_t policy_count;                  /**< number of policies */
    const uint32_t *backoff;                /**< seconds from attempt k (1-based) to attempt k + 1, each > 0 */
    uint32_t backoff_count;                 /**< 1..::PREPAY_OUTBOX_MAX_STEPS */
} prepay_outbox_config_t;

/** @brief One delivery: an event to one channel. */
typedef struct prepay_outbox_delivery {
    prepay_settlement_id_t event_id; /**< the event's deterministic id (with `channel`: the dedupe key) */
    prepay_time_t time;              /**< the event's time */
    prepay_time_t due;               /**< next attempt from then on (::PREPAY_OUTBOX_NEVER: none) */
    prepay_time_t last_attempt;      /**< time of the last attempt (0: none) */
    prepay_time_t acked;             /**< time of the ack (0: none) */
    prepay_money_t amount;           /**< the event's amount */
    prepay_money_t balance;          /**< the wallet balance after the event */
    uint32_t account_id;             /**< the account */
    uint16_t type;                   /**< event type */
    uint8_t channel;                 /**< 0..7 */
    uint8_t state;                   /**< ::prepay_outbox_state */
    uint8_t attempts;                /**< attempts made */
    uint8_t level;                   /**< alarm level after the event */
    uint8_t reserved[2];             /**< 0 */
} prepay_outbox_delivery_t;

/** @brief An outbox (caller memory). Treat the members as read only. */
typedef struct prepay_outbox {
    prepay_outbox_delivery_t *deliveries; /**< caller's array */
    uint32_t capacity;                    /**< its capacity */
    uint32_t count;                       /**< deliveries held */
    prepay_outbox_config_t config;        /**< the configuration */
    prepay_journal_t *journal;            /**< NULL: memory only; else where records are staged */
    uint32_t sink_errors;                 /**< events the sink could not record (see prepay_outbox_sink()) */
    int last_sink_error;                  /**< status of the last of them */
} prepay_outbox_t;

/** @brief Counts by state (prepay_outbox_counts()). */
typedef struct prepay_outbox_counts {
    uint32_t pending;   /**< PENDING deliveries */
    uint32_t delivered; /**< DELIVERED */
    uint32_t exhausted; /**< EXHAUSTED */
} prepay_outbox_counts_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Initialises an empty outbox.
 * @param outbox the outbox.
 * @param deliveries caller memory for @p capacity deliveries.
 * @param capacity deliveries (>= 1).
 * @param config the configuration (copied; its arrays are kept by pointer).
 * @param journal the journal its records go to (the ledger's, open), or NULL for memory only.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, capacity 0);
 * ::PREPAY_E_OUTBOX_CONFIG.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_init(prepay_outbox_t *outbox, prepay_outbox_delivery_t *deliveries, uint32_t capacity,
                                  const prepay_outbox_config_t *config, prepay_journal_t *journal);

/**
 * @brief The channel mask the policy gives an event type of an account.
 * @param outbox the outbox.
 * @param account_id the account.
 * @param type the event type.
 * @return the mask (0: not routed, also for a type out of range).
 *
 * **Errors:** none.
 */
PREPAY_API uint8_t prepay_outbox_route(const prepay_outbox_t *outbox, uint32_t account_id, unsigned type);

/**
 * @brief Records an event: one delivery per routed channel, staged in the open journal batch.
 * @param outbox the outbox.
 * @param event the event (as a settlement or payment call emitted it).
 * @return the number of deliveries added (0: the policy routes the type nowhere, or the
 *         event id is already held: nothing changed), or an error.
 *
 * Does NOT commit: call it from the settlement sink (prepay_outbox_sink())
 * so the record commits with the call's transfers, or commit yourself.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_OUTBOX_FIELD
 * (type out of range); ::PREPAY_E_OUTBOX_FULL; the errors of
 * prepay_journal_add_app(). Nothing changes on error.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_add(prepay_outbox_t *outbox, const prepay_settlement_event_t *event);

/**
 * @brief A settlement sink event function: `work.sink.event = prepay_outbox_sink; work.sink.context = &outbox`.
 * @param context the outbox.
 * @param event the event.
 *
 * The sink cannot fail the settlement call, so an event it cannot record
 * (outbox full, journal failure) is counted in `sink_errors` and
 * `last_sink_error`: check them after every call (a journal failure fails
 * the call's commit anyway). Size the outbox so it never fills.
 */
PREPAY_API void prepay_outbox_sink(void *context, const prepay_settlement_event_t *event);

/**
 * @brief Takes the deliveries due at @p now and records an attempt for each (one commit).
 * @param outbox the outbox.
 * @param now the caller's time.
 * @param out receives copies of the taken deliveries (state after the attempt).
 * @param out_cap capacity of @p out.
 * @return the number taken (in outbox order), or an error.
 *
 * Send each, then prepay_outbox_ack() it. The attempt is durable before
 * this returns (with a journal), so a crash after sending means a retry at
 * the next step: the consumer dedupes by (event id, channel). A delivery
 * whose attempts reach the schedule's end is EXHAUSTED unless acked later.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); the journal's errors
 * (nothing changed in the outbox; the journal may be failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_take_due(prepay_outbox_t *outbox, prepay_time_t now, prepay_outbox_delivery_t *out,
                                      size_t out_cap);

/**
 * @brief Records a channel's acknowledgement (one commit).
 * @param outbox the outbox.
 * @param event_id the event.
 * @param channel the channel.
 * @param now the caller's time.
 * @return ::PREPAY_OK, ::PREPAY_OUTBOX_DUPLICATE (already acked), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_OUTBOX_UNKNOWN;
 * the journal's errors (nothing changed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_ack(prepay_outbox_t *outbox, const prepay_settlement_id_t *event_id, unsigned channel,
                                 prepay_time_t now);

/**
 * @brief Journal APP-record callback for recovery: `prepay_journal_open_app(..., prepay_outbox_replay, &outbox, ...)`.
 * @param context the outbox (initialised, empty, same configuration).
 * @param record a committed journal record (APP records of other applications are skipped).
 * @return ::PREPAY_OK, or ::PREPAY_E_OUTBOX_RECORD / ::PREPAY_E_OUTBOX_FULL (recovery stops).
 *
 * **Errors:** as listed under Return.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_replay(void *context, const prepay_journal_record_t *record);

/**
 * @brief Re-stages the state of every delivery held (one commit), e.g. after prepay_journal_snapshot() compacted the journal.
 * @param outbox the outbox.
 * @return ::PREPAY_OK, or an error.
 *
 * Snapshots hold only the ledger; the outbox's records before the
 * snapshot are gone after compaction, so the live state is written again
 * (one STATE record per delivery). Call it right after the snapshot;
 * prepay_outbox_compact() first keeps it short.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, or no journal); the journal's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_checkpoint(prepay_outbox_t *outbox);

/**
 * @brief Drops DELIVERED and EXHAUSTED deliveries from memory (their dedupe memory goes with them).
 * @param outbox the outbox.
 * @return the number dropped.
 *
 * **Errors:** none (NULL gives 0).
 */
PREPAY_API uint32_t prepay_outbox_compact(prepay_outbox_t *outbox);

/**
 * @brief Finds a delivery.
 * @param outbox the outbox.
 * @param event_id the event.
 * @param channel the channel.
 * @return the delivery, or NULL.
 *
 * **Errors:** none.
 */
PREPAY_API const prepay_outbox_delivery_t *prepay_outbox_find(const prepay_outbox_t *outbox,
                                                              const prepay_settlement_id_t *event_id,
                                                              unsigned channel);

/**
 * @brief Counts deliveries by state.
 * @param outbox the outbox.
 * @param out the counts.
 *
 * **Errors:** none (NULL arguments: nothing written).
 */
PREPAY_API void prepay_outbox_counts(const prepay_outbox_t *outbox, prepay_outbox_counts_t *out);

/**
 * @brief Writes a delivery's dedupe key: 32 hex digits of the event id, '-', the channel digit.
 * @param delivery the delivery.
 * @param out at least ::PREPAY_OUTBOX_KEY_SIZE bytes (NUL-terminated).
 * @param out_cap capacity of @p out.
 * @return the key length (34), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_outbox_dedupe_key(const prepay_outbox_delivery_t *delivery, char *out, size_t out_cap);

PREPAY_END_DECLS

#endif
