/* SPDX-License-Identifier: MIT */
/**
 * @file payment.h
 * @brief Payment orders (online recharge through a payment channel) on the settlement core.
 *
 * An order is a PENDING ledger transfer (site clearing -> the account's
 * wallet, the order's amount) with a deadline. Its id is the transfer's
 * ledger key in the settlement id scheme (kind
 * ::PREPAY_PAYMENT_KIND_PENDING, subject = account id, period = the
 * caller's order number), so the order's whole state lives in the ledger
 * (and, with a journal, is as durable as the ledger): no order table.
 *
 * - A paid notify (or a channel query that says paid) posts the order
 *   through prepay_settlement_recharge() with `pending_id` = the order: the
 *   repay-emergency / repay-debt chain, the restore decision and the
 *   RECHARGE events follow in the same call.
 * - The same notify again: nothing changes, ::PREPAY_PAYMENT_DUPLICATE and
 *   the recorded outcome (channels retry for about a day).
 * - A notify with another amount: ::PREPAY_E_PAYMENT_AMOUNT_MISMATCH,
 *   nothing changes, the expected and notified amounts are reported.
 * - A failed or closed payment voids the order and raises a
 *   ::PREPAY_PAYMENT_EVENT_FAILED event (to the outbox) in the same batch.
 * - Past its deadline, prepay_ledger_expire() / prepay_journal_expire()
 *   release the order (state EXPIRED).
 *
 * States and transitions: docs/payment.md. Freestanding: no allocation,
 * time comes from the caller. The statement CSV reader is hosted
 * (payment_hosted.h).
 */
#ifndef PREPAY_PAYMENT_H
#define PREPAY_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "prepay/export.h"
#include "prepay/ledger.h"
#include "prepay/settlement.h"
#include "prepay/status.h"

/** @brief Payment status codes (module ::PREPAY_MODULE_PAYMENT). */
enum prepay_payment_status {
    /** The order id is not an order of this ledger (wrong kind, or no such pending transfer).
     *  prepay_strerror(): "payment: unknown order" */
    PREPAY_E_PAYMENT_UNKNOWN_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 1),
    /** A notify or query names another amount than the order's: refused, nothing changed.
     *  prepay_strerror(): "payment: notified amount differs from the order's" */
    PREPAY_E_PAYMENT_AMOUNT_MISMATCH = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 2),
    /** The order was voided or expired: a paid notify for it cannot be credited (refund it at the channel).
     *  prepay_strerror(): "payment: order voided or expired, cannot be credited" */
    PREPAY_E_PAYMENT_CLOSED = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 3),
    /** The order was paid: it cannot be voided.
     *  prepay_strerror(): "payment: order already paid, cannot be voided" */
    PREPAY_E_PAYMENT_ALREADY_PAID = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 4),
    /** The same order number exists with another amount, account or deadline.
     *  prepay_strerror(): "payment: order number exists with other content" */
    PREPAY_E_PAYMENT_CONFLICT = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 5),
    /** A field is outside its range (amount <= 0, order number 0, deadline not after creation, bad status).
     *  prepay_strerror(): "payment: order field out of range" */
    PREPAY_E_PAYMENT_FIELD = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 6),
    /** The ledger or settlement refused the order's transfer (`error_detail` says why).
     *  prepay_strerror(): "payment: ledger or settlement refused the order's transfer" */
    PREPAY_E_PAYMENT_BOOKS = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 7),
    /** A statement record does not parse (field count, order id, amount, status or time).
     *  prepay_strerror(): "payment: statement record does not parse" */
    PREPAY_E_PAYMENT_STATEMENT = PREPAY_STATUS_MAKE(PREPAY_MODULE_PAYMENT, 8)
};

/** @brief A notify or query that changed nothing because it was already applied (positive: not an error). */
#define PREPAY_PAYMENT_DUPLICATE 1

/** @brief Ledger-key kinds of payment orders (inside the settlement's reserved 16..23). */
enum prepay_payment_kind {
    PREPAY_PAYMENT_KIND_PENDING = 16, /**< the order: clearing -> wallet, PENDING with a deadline */
    PREPAY_PAYMENT_KIND_VOID = 17     /**< the order's void (payment failed or closed) */
};

/** @brief Event type of a failed payment (an event id kind ::PREPAY_SETTLEMENT_KIND_EVENT + 32). */
#define PREPAY_PAYMENT_EVENT_FAILED 32

/** @brief Order states (from the ledger entry of the order's pending transfer). */
typedef enum prepay_payment_state {
    PREPAY_PAYMENT_CREATED = 1, /**< reserved, waiting for the channel */
    PREPAY_PAYMENT_PAID = 2,    /**< posted: the wallet was credited */
    PREPAY_PAYMENT_VOIDED = 3,  /**< the payment failed or was closed */
    PREPAY_PAYMENT_EXPIRED = 4  /**< no outcome by the deadline: released */
} prepay_payment_state_t;

/** @brief What the channel says about a payment (notify or query). */
typedef enum prepay_payment_channel_status {
    PREPAY_PAYMENT_CHANNEL_PAID = 1,   /**< paid: credit the wallet */
    PREPAY_PAYMENT_CHANNEL_FAILED = 2, /**< failed or closed by the channel: void the order */
    PREPAY_PAYMENT_CHANNEL_WAITING = 3 /**< still waiting (query only): nothing to do */
} prepay_payment_channel_status_t;

/** @brief A new order. */
typedef struct prepay_payment_order {
    uint32_t account_id;    /**< the settlement account to credit (1..::PREPAY_SETTLEMENT_SUBJECT_MAX) */
    uint32_t number;        /**< the caller's order number for this account, >= 1 (unique per account) */
    prepay_money_t amount;  /**< > 0, fen */
    prepay_time_t created;  /**< creation time */
    prepay_time_t deadline; /**< > created: the reservation expires from then on */
} prepay_payment_order_t;

/** @brief A payment notify (channel callback) or the answer to a status query. */
typedef struct prepay_payment_notify {
    uint64_t order_id;     /**< prepay_payment_order_id() of the order */
    prepay_money_t amount; /**< the amount the channel says was paid */
    prepay_time_t time;    /**< when it was paid (or failed) */
    uint8_t status;        /**< ::prepay_payment_channel_status */
} prepay_payment_notify_t;

/** @brief An order as the ledger holds it. */
typedef struct prepay_payment_info {
    uint64_t order_id;       /**< the order's id */
    uint32_t account_id;     /**< the account */
    uint32_t number;         /**< the order number */
    prepay_money_t amount;   /**< the order's amount */
    prepay_time_t created;   /**< creation time */
    prepay_time_t deadline;  /**< deadline */
    prepay_time_t resolved;  /**< time of the post or void (0: open or expired) */
    uint64_t resolved_by;    /**< ledger id of the post (a RECHARGE key) or void transfer (0: none) */
    uint8_t state;           /**< ::prepay_payment_state */
} prepay_payment_info_t;

/** @brief What a payment call did; on error, what was wrong. */
typedef struct prepay_payment_result {
    prepay_payment_info_t order;                 /**< the order after the call (valid unless UNKNOWN_ORDER) */
    prepay_settlement_recharge_split_t split;    /**< a paid notify: how the recharge was split */
    prepay_money_t expected;                     /**< AMOUNT_MISMATCH: the order's amount */
    prepay_money_t notified;                     /**< AMOUNT_MISMATCH: the amount notified */
    int error_detail;                            /**< on BOOKS: the ledger or settlement status */
} prepay_payment_result_t;

/** @brief Status of a channel statement record. */
typedef enum prepay_payment_statement_status {
    PREPAY_PAYMENT_STATEMENT_PAID = 1,    /**< the channel collected the amount */
    PREPAY_PAYMENT_STATEMENT_REFUNDED = 2 /**< the channel refunded the payer (not counted as paid) */
} prepay_payment_statement_status_t;

/** @brief One record of a channel's settlement statement. */
typedef struct prepay_payment_statement_record {
    uint64_t order_id;     /**< our order id (the merchant order number the channel echoes) */
    prepay_money_t amount; /**< fen */
    prepay_time_t time;    /**< payment time */
    uint8_t status;        /**< ::prepay_payment_statement_status */
} prepay_payment_statement_record_t;

/** @brief Reconciliation outcome of one order. */
typedef enum prepay_payment_match {
    PREPAY_PAYMENT_MATCHED = 1,              /**< paid in both, same amount */
    PREPAY_PAYMENT_MISSING_IN_LEDGER = 2,    /**< the statement says paid; the ledger did not credit it */
    PREPAY_PAYMENT_MISSING_IN_STATEMENT = 3, /**< the ledger credited it; the statement does not list it as paid */
    PREPAY_PAYMENT_AMOUNT_DIFFERS = 4        /**< in both, amounts differ */
} prepay_payment_match_t;

/** @brief One reconciliation line (reported through the callback). */
typedef struct prepay_payment_reconcile_line {
    uint64_t order_id;              /**< the order */
    prepay_money_t ledger_amount;   /**< credited amount in the ledger (0: none) */
    prepay_money_t statement_amount; /**< paid amount in the statement (0: none) */
    uint8_t match;                  /**< ::prepay_payment_match */
    uint8_t ledger_state;           /**< ::prepay_payment_state, 0 if the ledger has no such order */
} prepay_payment_reconcile_line_t;

/** @brief Totals of a reconciliation. */
typedef struct prepay_payment_reconcile_summary {
    uint32_t matched;              /**< MATCHED lines */
    uint32_t missing_in_ledger;    /**< MISSING_IN_LEDGER lines */
    uint32_t missing_in_statement; /**< MISSING_IN_STATEMENT lines */
    uint32_t amount_differs;       /**< AMOUNT_DIFFERS lines */
    uint32_t refunded;             /**< statement records with status REFUNDED (not compared) */
    prepay_money_t matched_amount; /**< sum of MATCHED amounts */
} prepay_payment_reconcile_summary_t;

/**
 * @brief Receives a reconciliation line.
 * @param context the caller's pointer.
 * @param line the line (valid during the call).
 */
typedef void (*prepay_payment_reconcile_fn)(void *context, const prepay_payment_reconcile_line_t *line);

PREPAY_BEGIN_DECLS

/**
 * @brief The order id of (account, number): the ledger key of the order's pending transfer.
 * @param account_id the account (1..::PREPAY_SETTLEMENT_SUBJECT_MAX).
 * @param number the order number (>= 1).
 * @param out the id; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_PAYMENT_FIELD
 * (number 0); ::PREPAY_E_SETTLEMENT_ID_RANGE (account outside the key).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_order_id(uint32_t account_id, uint32_t number, uint64_t *out);

/**
 * @brief Looks up an order in the ledger.
 * @param ledger the ledger.
 * @param order_id the order.
 * @param out the order; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_PAYMENT_UNKNOWN_ORDER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_lookup(const prepay_ledger_t *ledger, uint64_t order_id, prepay_payment_info_t *out);

/**
 * @brief Creates an order: a PENDING transfer clearing -> wallet with the order's deadline.
 * @param site the site (the account must exist and be open in @p books).
 * @param books where to post (with a journal: one sync).
 * @param order the order.
 * @param result out: the order (`order.order_id`); on error, `error_detail`.
 * @return ::PREPAY_OK, ::PREPAY_PAYMENT_DUPLICATE (the same order again: nothing changed), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_PAYMENT_FIELD;
 * ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT; ::PREPAY_E_SETTLEMENT_ID_RANGE;
 * ::PREPAY_E_PAYMENT_CONFLICT (the number exists with other content);
 * ::PREPAY_E_PAYMENT_BOOKS (the ledger refused: `error_detail`); the journal's
 * errors. Nothing changes on error.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_create(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                     const prepay_payment_order_t *order, prepay_payment_result_t *result);

/**
 * @brief Applies a payment notify (or a status query's answer) to its order.
 * @param site the site.
 * @param books where to post.
 * @param work settlement work memory; its sink receives the call's events
 *        (RECHARGE and its chain when paid, ::PREPAY_PAYMENT_EVENT_FAILED when
 *        voided) before the commit.
 * @param notify the notify.
 * @param result out: the order after the call, the split, or the amounts at fault.
 * @return ::PREPAY_OK (applied now), ::PREPAY_PAYMENT_DUPLICATE (already applied
 *         with the same outcome: nothing changed, `result` holds the recorded
 *         outcome), or an error.
 *
 * PAID credits the order through prepay_settlement_recharge() (sequence =
 * the account's next recharge number, `pending_id` = `order_id` = the
 * order). FAILED voids it (a VOID_PENDING transfer, kind
 * ::PREPAY_PAYMENT_KIND_VOID) and raises ::PREPAY_PAYMENT_EVENT_FAILED; a
 * FAILED notify for a voided order raises the same event again (same id,
 * from the void's time) and returns ::PREPAY_PAYMENT_DUPLICATE, so a site
 * rebuilt from its inputs regenerates it (consumers dedupe by id).
 * WAITING changes nothing and returns ::PREPAY_OK with the order's state.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_PAYMENT_FIELD
 * (unknown status); ::PREPAY_E_PAYMENT_UNKNOWN_ORDER;
 * ::PREPAY_E_PAYMENT_AMOUNT_MISMATCH (`expected`, `notified` set);
 * ::PREPAY_E_PAYMENT_CLOSED (PAID for a voided or expired order);
 * ::PREPAY_E_PAYMENT_ALREADY_PAID (FAILED for a paid order);
 * ::PREPAY_E_PAYMENT_BOOKS (`error_detail`: the settlement or ledger status);
 * the journal's errors. Nothing changes on error.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_notify(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                     prepay_settlement_work_t *work, const prepay_payment_notify_t *notify,
                                     prepay_payment_result_t *result);

/**
 * @brief Reconciles a channel statement against the ledger's orders.
 * @param ledger the ledger.
 * @param records the statement's records (any order; an order id at most once per status).
 * @param count number of records.
 * @param from start of the statement period (order creation time, inclusive).
 * @param to end of the period (exclusive).
 * @param line_fn receives every line (NULL: totals only).
 * @param context passed to @p line_fn.
 * @param summary out: totals.
 * @return ::PREPAY_OK, or an error.
 *
 * Each PAID record is looked up: the ledger's PAID order with the same
 * amount is MATCHED, another amount AMOUNT_DIFFERS, no paid order
 * MISSING_IN_LEDGER. Then every ledger order created in [from, to) that is
 * PAID and was not named by a PAID record is MISSING_IN_STATEMENT (in ledger
 * order). O(records x log + orders x records): sized for a day's statement.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p ledger or @p summary, or
 * NULL @p records with @p count > 0); ::PREPAY_E_PAYMENT_STATEMENT (a record
 * with an unknown status or amount <= 0; nothing reported).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_reconcile(const prepay_ledger_t *ledger,
                                        const prepay_payment_statement_record_t *records, size_t count,
                                        prepay_time_t from, prepay_time_t to, prepay_payment_reconcile_fn line_fn,
                                        void *context, prepay_payment_reconcile_summary_t *summary);

/** @brief Longest field of a statement record in bytes (after unquoting). */
#define PREPAY_PAYMENT_STATEMENT_FIELD_MAX 64u

/**
 * @brief Parses a channel statement in CSV: `order_id,amount,status,time` per record.
 * @param text the CSV text (need not be NUL-terminated).
 * @param len bytes in @p text.
 * @param records out: the records, in file order.
 * @param cap capacity of @p records.
 * @param count out: records parsed (on error: those before the bad one).
 * @param error_line out (may be NULL): on error, the 1-based line of the bad record.
 * @return ::PREPAY_OK, or an error.
 *
 * RFC 4180 records, with the tools' conventions: a UTF-8 byte order mark
 * at the start is skipped; records end with CRLF, LF or CR; a field in
 * double quotes may hold commas, line breaks and doubled quotes; blanks
 * around an unquoted field are trimmed; blank lines and lines starting with
 * '#' are skipped; a first record whose first field is `order_id` is the
 * header. Fields: the order id in decimal (prepay_payment_order_id()),
 * the amount in yuan with at most 2 decimals (> 0), the status `PAID` (or
 * `SUCCESS`) or `REFUNDED` (or `REFUND`), the time as
 * prepay_time_parse() reads it (`2026-01-05 10:00:00`).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointers); ::PREPAY_E_BUFFER_TOO_SMALL
 * (more records than @p cap); ::PREPAY_E_PAYMENT_STATEMENT (a record that
 * is not 4 fields, a field longer than ::PREPAY_PAYMENT_STATEMENT_FIELD_MAX,
 * bad quoting, a NUL byte, or a field that does not parse).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_statement_parse(const char *text, size_t len,
                                              prepay_payment_statement_record_t *records, size_t cap,
                                              size_t *count, uint32_t *error_line);

/**
 * @brief Name of a reconciliation outcome ("matched", "missing_in_ledger", ...).
 * @param match a ::prepay_payment_match value.
 * @return a static string ("unknown" for other values).
 *
 * **Errors:** none.
 */
PREPAY_API const char *prepay_payment_match_name(unsigned match);

PREPAY_END_DECLS

#endif
