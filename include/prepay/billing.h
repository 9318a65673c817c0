/* SPDX-License-Identifier: MIT */
/**
 * @file billing.h
 * @ingroup prepay_billing
 * @brief Charge items, billing cycles, postpaid statements and arrears.
 *
 * **Charge items** are the non-energy charges of a site: a property fee per
 * m², a fixed service fee, a parking fee per space, a one-off card fee. An
 * item has a basis (fixed, per m², per unit), a schedule (once on a date;
 * monthly, quarterly or yearly from an anchor date), a proration rule for
 * partial periods (none, or by day), a collection mode (deduct from the
 * prepaid wallet, or put on a postpaid bill) and effective dates
 * `[effective_from, effective_to)`.
 *
 * **Cycle runs** (prepay_billing_run()) turn items and accounts into the
 * charges due in a run period `[start, end)`. Each schedule period
 * ("occurrence" k of an item) is charged once, on its *due day*: the first
 * day of the occurrence on which both the item is effective and the account
 * is active. A charge is due in a run when its due day lies in the run
 * period, so consecutive runs charge every occurrence exactly once and an
 * overlapping or repeated run produces the same charges with the same ids.
 *
 * **Charge ids** (prepay_billing_charge_id()) pack the fields, so two
 * different (account, item, occurrence) triples never share an id:
 * `id = account_id << 32 | item_id << 16 | occurrence`, with account ids
 * 1..2^32-1, item ids 1..65535 and occurrences 0..65535 (65535 months is
 * more than 5000 years). The ledger rejects a duplicate transfer id, and the
 * run also takes an "already charged" callback, so running a period twice
 * charges nothing twice.
 *
 * **Statements** (postpaid mode) hold, per account and period, the opening
 * balance, energy charges by band and tier (lines from the tariff engine),
 * allocated common-area charges, charge items, adjustments, payments and the
 * closing balance, with `closing = opening + charges - payments` exactly
 * (a positive balance is owed by the customer). A statement moves draft →
 * confirmed → issued (confirmed may go back to draft); an issued statement
 * is sealed with a checksum (FNV-1a 64 over every field and line: it
 * detects edits made behind the API, it is not a cryptographic signature)
 * and never changes: corrections are adjustment lines on a later statement
 * (prepay_billing_statement_correct()).
 *
 * **Arrears** (prepay_billing_arrears()) age the unpaid amounts of issued
 * statements as of a date into buckets of days overdue.
 *
 * Dates are ::prepay_days_t day numbers; periods are half-open. Money is in
 * minor units; every proration is one exact multiplication and division,
 * rounded once, half-up (::PREPAY_ROUND_HALF_UP). Freestanding: caller-owned
 * arrays, no allocation, no floating point.
 */
#ifndef PREPAY_BILLING_H
#define PREPAY_BILLING_H

/** @addtogroup prepay_billing
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/** @brief Status codes of the billing module. */
enum prepay_billing_status {
    /** A charge item is malformed: unknown basis, schedule, proration or collection, empty effective range, negative quantity.
     *  prepay_strerror(): "billing: malformed charge item" */
    PREPAY_E_BILLING_BAD_ITEM = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 1),
    /** A period is empty or reversed (end <= start), or an account's active range is reversed.
     *  prepay_strerror(): "billing: empty or reversed period" */
    PREPAY_E_BILLING_BAD_PERIOD = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 2),
    /** An id does not fit its field: account id 0 or >= 2^32, item id 0, or occurrence > 65535.
     *  prepay_strerror(): "billing: id out of range" */
    PREPAY_E_BILLING_ID_RANGE = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 3),
    /** The same account id or item id appears twice in one run.
     *  prepay_strerror(): "billing: duplicate item or account id in a run" */
    PREPAY_E_BILLING_DUPLICATE = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 4),
    /** The statement's state does not allow this transition.
     *  prepay_strerror(): "billing: statement state does not allow this transition" */
    PREPAY_E_BILLING_BAD_TRANSITION = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 5),
    /** The statement is confirmed or issued: its lines cannot change.
     *  prepay_strerror(): "billing: statement is confirmed or issued and cannot change" */
    PREPAY_E_BILLING_IMMUTABLE = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 6),
    /** A statement's totals do not match its lines, or an issued statement's seal does not match.
     *  prepay_strerror(): "billing: statement totals or seal do not match" */
    PREPAY_E_BILLING_UNBALANCED = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 7),
    /** A statement line is malformed: unknown kind, or a negative payment.
     *  prepay_strerror(): "billing: malformed statement line" */
    PREPAY_E_BILLING_BAD_LINE = PREPAY_STATUS_MAKE(PREPAY_MODULE_BILLING, 8)
};

/** @brief How a charge item's amount is computed. */
typedef enum prepay_charge_basis {
    PREPAY_BILLING_FIXED = 0,    /**< `rate` minor units per period */
    PREPAY_BILLING_PER_AREA = 1, /**< `rate` minor units per m² per period; area in 0.01 m² */
    PREPAY_BILLING_PER_UNIT = 2  /**< `rate` minor units per unit (space, meter, person) per period */
} prepay_charge_basis_t;

/** @brief When a charge item falls due. */
typedef enum prepay_charge_schedule {
    PREPAY_BILLING_ONCE = 0,      /**< once, on the anchor date */
    PREPAY_BILLING_MONTHLY = 1,   /**< every month from the anchor date */
    PREPAY_BILLING_QUARTERLY = 2, /**< every 3 months from the anchor date */
    PREPAY_BILLING_YEARLY = 3     /**< every 12 months from the anchor date */
} prepay_charge_schedule_t;

/** @brief How a partly covered period is charged. */
typedef enum prepay_charge_proration {
    PREPAY_BILLING_PRORATE_NONE = 0,  /**< the full amount whenever any day of the period is covered */
    PREPAY_BILLING_PRORATE_BY_DAY = 1 /**< amount x covered days / days in the period, rounded half-up */
} prepay_charge_proration_t;

/** @brief How a charge is collected. */
typedef enum prepay_charge_collection {
    PREPAY_BILLING_COLLECT_DEDUCT = 0, /**< deducted from the prepaid wallet (a ledger transfer) */
    PREPAY_BILLING_COLLECT_BILL = 1    /**< put on the account's postpaid statement */
} prepay_charge_collection_t;

/** @brief A charge item (tariff-independent fee). */
typedef struct prepay_charge_item {
    uint16_t item_id;                      /**< 1..65535, unique in a run; part of the charge id */
    const char *name;                      /**< display name (caller's storage, may be NULL); copied to charges as a pointer */
    uint64_t account_id;                   /**< 0: applies to every account of the run; otherwise only to this account */
    prepay_charge_basis_t basis;           /**< how the amount is computed */
    prepay_money_t rate;                   /**< minor units per period (per m², per unit for those bases); may be negative (a discount) */
    prepay_charge_schedule_t schedule;     /**< once, monthly, quarterly, yearly */
    /**
     * One-off: the charge date. Periodic: start of occurrence 0; occurrence
     * k starts `k` months (x3, x12) later on the same day of the month,
     * clamped to the month's last day (anchor 31 Jan: 28/29 Feb, 31 Mar, ...).
     */
    prepay_days_t anchor;
    prepay_days_t effective_from;          /**< first day the item applies */
    prepay_days_t effective_to;            /**< first day it no longer applies (exclusive; > effective_from) */
    prepay_charge_proration_t proration;   /**< partial periods */
    prepay_charge_collection_t collection; /**< deduct or bill */
} prepay_charge_item_t;

/** @brief An account as charge items see it. */
typedef struct prepay_billing_account {
    uint64_t account_id;       /**< 1..2^32-1, unique in a run */
    int64_t area;              /**< built area in 0.01 m² (for ::PREPAY_BILLING_PER_AREA), >= 0 */
    int64_t units;             /**< unit count (for ::PREPAY_BILLING_PER_UNIT), >= 0 */
    prepay_days_t active_from; /**< first day the account is billed (move-in) */
    prepay_days_t active_to;   /**< first day it is no longer billed (move-out; exclusive) */
} prepay_billing_account_t;

/** @brief One charge due: what the caller posts (deduct) or adds to a statement (bill). */
typedef struct prepay_charge {
    uint64_t charge_id;                    /**< prepay_billing_charge_id(account, item, occurrence) */
    uint64_t account_id;                   /**< account charged */
    uint16_t item_id;                      /**< item charged */
    uint16_t occurrence;                   /**< schedule period number (0 for one-off items) */
    const char *name;                      /**< the item's name pointer */
    prepay_days_t period_start;            /**< start of the schedule period (the date for one-off items) */
    prepay_days_t period_end;              /**< end of the schedule period (exclusive) */
    prepay_days_t covered_start;           /**< first covered day = due day */
    prepay_days_t covered_end;             /**< end of the covered days (exclusive) */
    prepay_money_t amount;                 /**< amount in minor units, prorated if the item says so */
    prepay_charge_collection_t collection; /**< deduct or bill */
} prepay_charge_t;

/**
 * @brief "Already charged?" lookup used by a run (e.g. a query of the ledger for the transfer id).
 * @param context the caller's pointer given to prepay_billing_run().
 * @param charge_id the id of a charge about to be emitted.
 * @return 1 if already charged (skip it), 0 if not, a negative status to abort the run.
 *
 * **Errors:** whatever the caller returns; the run returns it unchanged.
 */
typedef int (*prepay_charge_lookup_fn)(void *context, uint64_t charge_id);

/** @brief Statement states: draft → confirmed → issued; confirmed → draft reopens. */
typedef enum prepay_statement_state {
    PREPAY_BILLING_DRAFT = 0,     /**< lines may be added */
    PREPAY_BILLING_CONFIRMED = 1, /**< checked; no more lines; may be reopened or issued */
    PREPAY_BILLING_ISSUED = 2     /**< sent to the customer: sealed and immutable */
} prepay_statement_state_t;

/** @brief Kinds of statement line. */
typedef enum prepay_statement_line_kind {
    PREPAY_BILLING_LINE_ENERGY = 0,      /**< energy charge of one band and tier (from the tariff engine) */
    PREPAY_BILLING_LINE_COMMON_AREA = 1, /**< allocated common-area charge (prepay_allocation_line_t::money) */
    PREPAY_BILLING_LINE_CHARGE_ITEM = 2, /**< charge item (prepay_charge_t::amount) */
    PREPAY_BILLING_LINE_ADJUSTMENT = 3,  /**< correction of an earlier, issued statement (either sign) */
    PREPAY_BILLING_LINE_PAYMENT = 4      /**< payment received (>= 0; reduces the balance) */
} prepay_statement_line_kind_t;

/** @brief Number of statement line kinds. */
#define PREPAY_BILLING_LINE_KINDS 5

/** @brief One line of a statement. */
typedef struct prepay_statement_line {
    prepay_statement_line_kind_t kind; /**< what the line is */
    uint8_t band;                      /**< energy: tariff band (index) 1..63; otherwise 0 */
    uint8_t tier;                      /**< energy: tier (ladder step) 1..; otherwise 0 */
    prepay_energy_t energy;            /**< energy in Wh (energy and common-area lines), else 0 */
    prepay_money_t amount;             /**< minor units: a charge (>0) or credit (<0); for payments the amount paid */
    uint64_t reference;                /**< charge id, payment id, or corrected statement id */
    prepay_days_t date;                /**< date of the line (payment date, charge due day) */
} prepay_statement_line_t;

/** @brief A postpaid statement of one account and period; lines live in a caller-owned array. */
typedef struct prepay_statement {
    uint64_t statement_id;          /**< `account_id << 32 | (uint32_t)period_start` */
    uint64_t account_id;            /**< account (1..2^32-1) */
    prepay_days_t period_start;     /**< first day of the period */
    prepay_days_t period_end;       /**< end of the period (exclusive) */
    prepay_days_t issue_date;       /**< date issued (valid once issued) */
    prepay_days_t due_date;         /**< payment due date (valid once issued) */
    prepay_money_t opening;         /**< balance brought forward (owed > 0, credit < 0) */
    prepay_money_t totals[PREPAY_BILLING_LINE_KINDS]; /**< sum of line amounts per ::prepay_statement_line_kind */
    prepay_money_t charges;         /**< energy + common area + items + adjustments */
    prepay_money_t payments;        /**< sum of payments (same as `totals[PREPAY_BILLING_LINE_PAYMENT]`) */
    prepay_money_t closing;         /**< opening + charges - payments */
    prepay_statement_state_t state; /**< draft, confirmed or issued */
    uint64_t seal;                  /**< checksum set on issue over every field and line (0 before) */
    prepay_statement_line_t *lines; /**< caller-owned line storage */
    size_t line_count;              /**< lines in use */
    size_t line_cap;                /**< capacity of @c lines */
} prepay_statement_t;

/** @brief One unpaid amount for the arrears report (e.g. an issued statement's unpaid rest). */
typedef struct prepay_arrears_item {
    uint64_t account_id;        /**< account that owes */
    uint64_t statement_id;      /**< statement it comes from */
    prepay_days_t due_date;     /**< payment due date */
    prepay_money_t outstanding; /**< unpaid amount; items <= 0 are ignored */
} prepay_arrears_item_t;

/** @brief Number of overdue buckets: 0-30, 31-60, 61-90, over 90 days. */
#define PREPAY_BILLING_ARREARS_BUCKETS 4

/** @brief Arrears of one account, aged as of a date. */
typedef struct prepay_arrears_row {
    uint64_t account_id;                            /**< account */
    prepay_money_t not_due;                         /**< owed but not yet due (as_of < due date) */
    prepay_money_t buckets[PREPAY_BILLING_ARREARS_BUCKETS]; /**< by days overdue `as_of - due`: 0-30, 31-60, 61-90, >90 */
    prepay_money_t total;                           /**< not_due + all buckets */
    int32_t oldest_days;                            /**< largest days overdue (negative if nothing is due yet) */
    size_t items;                                   /**< number of items summed */
} prepay_arrears_row_t;

PREPAY_BEGIN_DECLS

/**
 * @brief The idempotency key of a charge: `account_id << 32 | item_id << 16 | occurrence`.
 * @param account_id 1..2^32-1.
 * @param item_id 1..65535.
 * @param occurrence 0..65535.
 * @param out the id; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * Distinct inputs always give distinct ids (the fields are packed, not hashed).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_BILLING_ID_RANGE if @p account_id is 0 or >= 2^32 or @p item_id is 0.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_charge_id(uint64_t account_id, uint16_t item_id, uint16_t occurrence, uint64_t *out);

/**
 * @brief Start of a periodic item's occurrence: @p anchor plus `months` calendar months.
 * @param anchor start day of occurrence 0.
 * @param months months to add (>= 0).
 * @param out the day; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * The day of the month is the anchor's, clamped to the target month's
 * length (31 Jan + 1 month = 28 or 29 Feb; + 2 months = 31 Mar).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL or @p months < 0;
 * ::PREPAY_E_BAD_DATE if a date leaves years 1..9999.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_add_months(prepay_days_t anchor, int32_t months, prepay_days_t *out);

/**
 * @brief Computes the charges due in `[start, end)` for every (item, account) pair.
 * @param start first day of the run period.
 * @param end end of the run period (exclusive, > start).
 * @param items @p item_count items (may be NULL if 0).
 * @param item_count number of items.
 * @param accounts @p account_count accounts (may be NULL if 0).
 * @param account_count number of accounts.
 * @param already_charged lookup called once per charge before it is written;
 *        charges it reports as existing are skipped. May be NULL (no lookup:
 *        every due charge is returned and the ledger's duplicate-id check
 *        does the rest).
 * @param context passed to @p already_charged.
 * @param charges out: the new charges, in item order, then account order, then occurrence.
 * @param charges_cap capacity of @p charges.
 * @param charge_count out: charges written; on ::PREPAY_E_BUFFER_TOO_SMALL the number needed.
 * @return ::PREPAY_OK, or an error.
 *
 * Every input is validated and every amount computed before anything is
 * written. Occurrence k of a periodic item covers
 * `[add_months(anchor, k x step), add_months(anchor, (k+1) x step))`; its
 * covered days are those also inside the item's effective range and the
 * account's active range; it is due on its first covered day. Amount:
 * FIXED `rate`, PER_AREA `rate x area / 100`, PER_UNIT `rate x units`,
 * times `covered days / period days` under ::PREPAY_BILLING_PRORATE_BY_DAY, rounded
 * once half-up. Zero amounts are still returned (the schedule was met).
 * Cost: the duplicate-id checks are O(n) for ids given in strictly
 * increasing order (items by `item_id`, accounts by `account_id`; sort
 * them so, as `prepay bill` does) and O(n²) otherwise; then one schedule
 * walk per (item, account) pair, twice — an item of one account
 * (`account_id` set) visits only that account (found by bisection when the
 * accounts are in increasing order), so the work is linear in site-wide
 * items x accounts plus per-account items.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL pointer with a
 * non-zero count, or NULL @p charges / @p charge_count;
 * ::PREPAY_E_BILLING_BAD_PERIOD if `end <= start` or an account's
 * `active_to < active_from`; ::PREPAY_E_BILLING_BAD_ITEM for a malformed item
 * or a negative area or unit count; ::PREPAY_E_BILLING_ID_RANGE for an id out
 * of range or an occurrence > 65535; ::PREPAY_E_BILLING_DUPLICATE for a
 * repeated item or account id; ::PREPAY_E_OVERFLOW if an amount does not
 * fit; ::PREPAY_E_BAD_DATE if a schedule leaves years 1..9999. After
 * validation: ::PREPAY_E_BUFFER_TOO_SMALL if the new charges exceed
 * @p charges_cap (only the first @p charges_cap are written), or the
 * lookup's negative status (charges before it are written; @p charge_count
 * is not set).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_run(prepay_days_t start, prepay_days_t end, const prepay_charge_item_t *items,
                                  size_t item_count, const prepay_billing_account_t *accounts, size_t account_count,
                                  prepay_charge_lookup_fn already_charged, void *context, prepay_charge_t *charges,
                                  size_t charges_cap, size_t *charge_count);

/**
 * @brief Starts a draft statement.
 * @param statement the statement to initialise; untouched on error.
 * @param account_id 1..2^32-1.
 * @param period_start first day of the period.
 * @param period_end end of the period (exclusive).
 * @param opening balance brought forward.
 * @param lines caller-owned line storage (may be NULL if @p line_cap is 0).
 * @param line_cap capacity of @p lines.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p statement is NULL, or
 * @p lines is NULL with @p line_cap > 0; ::PREPAY_E_BILLING_ID_RANGE for an
 * account id out of range; ::PREPAY_E_BILLING_BAD_PERIOD if
 * `period_end <= period_start`.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_init(prepay_statement_t *statement, uint64_t account_id,
                                             prepay_days_t period_start, prepay_days_t period_end,
                                             prepay_money_t opening, prepay_statement_line_t *lines,
                                             size_t line_cap);

/**
 * @brief Adds a line to a draft statement and updates its totals.
 * @param statement a draft statement.
 * @param line the line to copy in.
 * @return ::PREPAY_OK, or an error; the statement is unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL pointer;
 * ::PREPAY_E_BILLING_IMMUTABLE unless the statement is a draft;
 * ::PREPAY_E_BILLING_BAD_LINE for an unknown kind or a negative payment;
 * ::PREPAY_E_CAPACITY if the line array is full; ::PREPAY_E_OVERFLOW if a
 * total would not fit.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_add(prepay_statement_t *statement, const prepay_statement_line_t *line);

/**
 * @brief Confirms a draft statement (draft → confirmed) after checking its totals.
 * @param statement the statement.
 * @return ::PREPAY_OK, or an error; unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if NULL;
 * ::PREPAY_E_BILLING_BAD_TRANSITION unless it is a draft;
 * ::PREPAY_E_BILLING_UNBALANCED if its totals do not match its lines.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_confirm(prepay_statement_t *statement);

/**
 * @brief Reopens a confirmed statement (confirmed → draft).
 * @param statement the statement.
 * @return ::PREPAY_OK, or an error; unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if NULL;
 * ::PREPAY_E_BILLING_BAD_TRANSITION unless it is confirmed (an issued
 * statement can never be reopened).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_reopen(prepay_statement_t *statement);

/**
 * @brief Issues a confirmed statement (confirmed → issued) and seals it.
 * @param statement the statement.
 * @param issue_date date of issue.
 * @param due_date payment due date (>= @p issue_date).
 * @return ::PREPAY_OK, or an error; unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if NULL or `due_date < issue_date`;
 * ::PREPAY_E_BILLING_BAD_TRANSITION unless it is confirmed;
 * ::PREPAY_E_BILLING_UNBALANCED if its totals do not match its lines.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_issue(prepay_statement_t *statement, prepay_days_t issue_date,
                                              prepay_days_t due_date);

/**
 * @brief Checks a statement: totals equal the sums of its lines, `closing = opening + charges - payments`,
 *        and, once issued, that nothing changed since (the seal).
 * @param statement the statement.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if NULL or its line array is
 * inconsistent; ::PREPAY_E_BILLING_UNBALANCED if a total, the closing
 * balance or the seal does not match; ::PREPAY_E_OVERFLOW if a sum overflows.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_verify(const prepay_statement_t *statement);

/**
 * @brief Corrects an issued statement: adds an adjustment line to a later draft of the same account.
 * @param issued the issued statement being corrected (not changed).
 * @param next a draft statement of the same account with a later period.
 * @param amount correction in minor units (> 0 charges more, < 0 credits).
 * @param date date of the correction.
 * @return ::PREPAY_OK, or an error; @p next unchanged on error.
 *
 * The line is ::PREPAY_BILLING_LINE_ADJUSTMENT with `reference = issued->statement_id`.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL pointer, a different
 * account or `next->period_start < issued->period_end`;
 * ::PREPAY_E_BILLING_BAD_TRANSITION unless @p issued is issued;
 * ::PREPAY_E_BILLING_UNBALANCED if @p issued fails verification; and the
 * errors of prepay_billing_statement_add().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_statement_correct(const prepay_statement_t *issued, prepay_statement_t *next,
                                                prepay_money_t amount, prepay_days_t date);

/**
 * @brief Ages unpaid amounts per account as of a date (arrears list).
 * @param items @p item_count unpaid amounts (may be NULL if 0).
 * @param item_count number of items.
 * @param as_of the date of the report.
 * @param rows out: one row per account with an amount > 0, in order of first appearance.
 * @param rows_cap capacity of @p rows.
 * @param row_count out: rows written; on ::PREPAY_E_BUFFER_TOO_SMALL the number needed.
 * @return ::PREPAY_OK, or an error.
 *
 * Days overdue `d = as_of - due_date`: `d < 0` is not yet due; 0..30,
 * 31..60, 61..90 and over 90 are the buckets (the due date itself counts
 * as day 0 of the first bucket). Cost O(n) when the items are in
 * non-decreasing account order (rows then come in that order); O(n²)
 * otherwise.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL pointer;
 * ::PREPAY_E_OVERFLOW if a sum does not fit; ::PREPAY_E_BUFFER_TOO_SMALL
 * (then only @p row_count is written).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_billing_arrears(const prepay_arrears_item_t *items, size_t item_count, prepay_days_t as_of,
                                      prepay_arrears_row_t *rows, size_t rows_cap, size_t *row_count);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_billing_statement_init(...) PREPAY_CONFIG_GUARDED(prepay_billing_statement_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_BILLING_H */
