/* SPDX-License-Identifier: MIT */
/**
 * @file ledger.h
 * @ingroup prepay_ledger
 * @brief Double-entry prepaid ledger: accounts, transfers, idempotency, limits.
 *
 * A TigerBeetle-style ledger in caller memory, for a meter's purse and for a
 * billing server alike. Money is ::prepay_money_t (int64 fen); time is
 * ::prepay_time_t given by the caller (the core has no clock).
 *
 * **Model.** An account keeps four counters: posted and pending debits and
 * credits. A transfer moves `amount` from the debit account's debits to the
 * credit account's credits and is immutable once applied; mistakes are fixed
 * by correcting transfers, never by editing. A wallet's balance is
 * `credits_posted - debits_posted`; its available balance also subtracts
 * `debits_pending`.
 *
 * **Idempotency.** The transfer id is the idempotency key. Applying a
 * transfer whose id is already in the log returns ::PREPAY_LEDGER_EXISTS
 * (a success that applied nothing) when every compared field is equal, or a
 * specific `PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_*` error otherwise. The
 * `timestamp` is not compared: the first application's time stands.
 *
 * **Result precedence.** Checks run in the numeric order of the
 * `PREPAY_E_LEDGER_*` transfer codes below (1, 2, 3, ...); the first
 * failing check is the result. See docs/ledger.md for the full table.
 *
 * **Linked chains.** A transfer with ::PREPAY_LEDGER_TRANSFER_LINKED is
 * linked to the next transfer of the batch; a chain ends at the first member
 * without the flag. A chain applies atomically: if any member fails, that
 * member gets its own error, every other member gets
 * ::PREPAY_E_LEDGER_LINKED_EVENT_FAILED, and nothing of the chain stays
 * applied.
 *
 * **Invariants** (checked by prepay_ledger_verify()): Σ debits = Σ credits
 * over all accounts, for posted and for pending amounts separately; every
 * account's counters equal the replay of the transfer log; no account with a
 * balance limit is beyond it.
 *
 * **Pending deadlines.** A pending transfer may carry a deadline (caller
 * time); prepay_ledger_expire() releases the reservations whose deadline has
 * passed. The ledger reads no clock, so it stays deterministic.
 *
 * **Memory.** The caller provides the account table, the transfer log, two
 * open-addressing hash indexes (power-of-two slot counts) and the expiry
 * heap in a ::prepay_ledger_memory_t, most simply as one buffer of
 * prepay_ledger_memory_size() bytes cut up by prepay_ledger_memory_layout();
 * the ledger never allocates. Nothing is ever removed from the log, so the
 * indexes never need tombstones.
 *
 * **Durability.** This core is in memory only. The journal (journal.h)
 * stores each applied ::prepay_ledger_transfer_t (a plain-old-data struct of
 * fixed-width fields), each account creation or closing and each expiry,
 * and rebuilds a ledger after a crash with prepay_ledger_create_account(),
 * prepay_ledger_close_account(), prepay_ledger_replay() and
 * prepay_ledger_replay_expiry() in log order.
 */
#ifndef PREPAY_LEDGER_H
#define PREPAY_LEDGER_H

/** @addtogroup prepay_ledger
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

/* ---- results --------------------------------------------------------------- */

/**
 * @brief Success result: the transfer (or account) already exists with
 *        identical fields; nothing was applied. Callers treat it as success.
 *
 * Positive, so `result >= 0` means "the ledger now holds this transfer".
 */
#define PREPAY_LEDGER_EXISTS 1

/**
 * @brief Ledger status codes (module ::PREPAY_MODULE_LEDGER).
 *
 * The transfer codes 1..59 are listed in precedence order: when a transfer
 * breaks several rules, the result is the code with the smallest number
 * (::PREPAY_E_CAPACITY, a generic code, comes after all of them).
 */
enum prepay_ledger_status {
    /* validation of the transfer alone */
    /** A flag bit outside ::PREPAY_LEDGER_TRANSFER_FLAGS_MASK is set.
     *  prepay_strerror(): "ledger: a transfer flag outside PREPAY_LEDGER_TRANSFER_FLAGS_MASK is set" */
    PREPAY_E_LEDGER_RESERVED_FLAG = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 1),
    /** The transfer id is 0 (0 is reserved for "none").
     *  prepay_strerror(): "ledger: the transfer id is 0 (0 is reserved for \"none\")" */
    PREPAY_E_LEDGER_ID_MUST_NOT_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 2),
    /** More than one of PENDING, POST_PENDING, VOID_PENDING is set.
     *  prepay_strerror(): "ledger: more than one of the pending, post and void flags is set" */
    PREPAY_E_LEDGER_FLAGS_ARE_MUTUALLY_EXCLUSIVE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 3),
    /** A transfer that is not a post or void has a non-zero pending_id.
     *  prepay_strerror(): "ledger: a transfer that is not a post or void names a pending transfer" */
    PREPAY_E_LEDGER_PENDING_ID_MUST_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 4),
    /** A post or void has pending_id 0.
     *  prepay_strerror(): "ledger: a post or void names no pending transfer (pending id 0)" */
    PREPAY_E_LEDGER_PENDING_ID_MUST_NOT_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 5),
    /** A post or void names itself as the pending transfer.
     *  prepay_strerror(): "ledger: a post or void names itself as its pending transfer" */
    PREPAY_E_LEDGER_PENDING_ID_MUST_BE_DIFFERENT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 6),
    /** A plain or pending transfer has debit_account_id 0.
     *  prepay_strerror(): "ledger: the transfer has no debit account (id 0)" */
    PREPAY_E_LEDGER_DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 7),
    /** A plain or pending transfer has credit_account_id 0.
     *  prepay_strerror(): "ledger: the transfer has no credit account (id 0)" */
    PREPAY_E_LEDGER_CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 8),
    /** Debit and credit account are the same account.
     *  prepay_strerror(): "ledger: the debit and credit accounts are the same account" */
    PREPAY_E_LEDGER_ACCOUNTS_MUST_BE_DIFFERENT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 9),
    /** amount <= 0 (plain, pending, post), or amount < 0 (void).
     *  prepay_strerror(): "ledger: the amount must be positive (a void's may be 0)" */
    PREPAY_E_LEDGER_AMOUNT_MUST_BE_POSITIVE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 10),
    /** code is 0.
     *  prepay_strerror(): "ledger: the transfer code is 0" */
    PREPAY_E_LEDGER_CODE_MUST_NOT_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 11),
    /** user data: interval_end < interval_start.
     *  prepay_strerror(): "ledger: the metered interval ends before it starts" */
    PREPAY_E_LEDGER_INTERVAL_INVALID = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 12),
    /** A transfer without PENDING has a non-zero deadline (only a reservation can expire).
     *  prepay_strerror(): "ledger: only a pending transfer may have a deadline" */
    PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 13),

    /* idempotency: the id exists (field groups compared in this order) */
    /** The id exists with different flags.
     *  prepay_strerror(): "ledger: the id exists with different flags" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 20),
    /** The id exists with a different pending_id.
     *  prepay_strerror(): "ledger: the id exists with a different pending transfer" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_PENDING_ID = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 21),
    /** The id exists with a different debit account.
     *  prepay_strerror(): "ledger: the id exists with a different debit account" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 22),
    /** The id exists with a different credit account.
     *  prepay_strerror(): "ledger: the id exists with a different credit account" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 23),
    /** The id exists with a different amount.
     *  prepay_strerror(): "ledger: the id exists with a different amount" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_AMOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 24),
    /** The id exists with a different code.
     *  prepay_strerror(): "ledger: the id exists with a different code" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_CODE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 25),
    /** The id exists with different user data (meter, interval, tariff version, order, reference).
     *  prepay_strerror(): "ledger: the id exists with different details (meter, interval, tariff version, order, reference)" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_USER_DATA = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 26),
    /** The id exists with a different deadline.
     *  prepay_strerror(): "ledger: the id exists with a different deadline" */
    PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 27),

    /* post / void against the pending transfer */
    /** pending_id names no transfer in the log.
     *  prepay_strerror(): "ledger: the pending transfer does not exist" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 30),
    /** pending_id names a transfer that is not a pending transfer.
     *  prepay_strerror(): "ledger: the transfer named as pending is not a pending transfer" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 31),
    /** A non-zero debit_account_id differs from the pending transfer's.
     *  prepay_strerror(): "ledger: the debit account differs from the pending transfer's" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 32),
    /** A non-zero credit_account_id differs from the pending transfer's.
     *  prepay_strerror(): "ledger: the credit account differs from the pending transfer's" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 33),
    /** The pending transfer was already posted.
     *  prepay_strerror(): "ledger: the pending transfer was already posted" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 34),
    /** The pending transfer was already voided.
     *  prepay_strerror(): "ledger: the pending transfer was already voided" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 35),
    /** A post's amount exceeds the pending amount.
     *  prepay_strerror(): "ledger: the post is larger than the pending amount" */
    PREPAY_E_LEDGER_EXCEEDS_PENDING_TRANSFER_AMOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 36),
    /** A void's non-zero amount differs from the pending amount.
     *  prepay_strerror(): "ledger: the void's amount differs from the pending amount" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 37),
    /** The pending transfer expired: prepay_ledger_expire() released it, or the post's or
     *  void's `timestamp` is at or after its deadline.
     *  prepay_strerror(): "ledger: the pending transfer expired (released by an expiry, or posted or voided at or after its deadline)" */
    PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 38),
    /** prepay_ledger_replay_expiry(): the pending transfer has no deadline, or its deadline
     *  is after `now`.
     *  prepay_strerror(): "ledger: the pending transfer has no deadline, or its deadline is after the expiry time" */
    PREPAY_E_LEDGER_DEADLINE_NOT_REACHED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 39),

    /* accounts and limits */
    /** The debit account does not exist.
     *  prepay_strerror(): "ledger: the debit account does not exist" */
    PREPAY_E_LEDGER_DEBIT_ACCOUNT_NOT_FOUND = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 40),
    /** The credit account does not exist.
     *  prepay_strerror(): "ledger: the credit account does not exist" */
    PREPAY_E_LEDGER_CREDIT_ACCOUNT_NOT_FOUND = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 41),
    /** The debit account is closed (voids are still allowed).
     *  prepay_strerror(): "ledger: the debit account is closed (voids are still allowed)" */
    PREPAY_E_LEDGER_DEBIT_ACCOUNT_CLOSED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 42),
    /** The credit account is closed (voids are still allowed).
     *  prepay_strerror(): "ledger: the credit account is closed (voids are still allowed)" */
    PREPAY_E_LEDGER_CREDIT_ACCOUNT_CLOSED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 43),
    /** An account counter (or a sum of counters) would overflow int64.
     *  prepay_strerror(): "ledger: an account total would overflow" */
    PREPAY_E_LEDGER_OVERFLOW = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 44),
    /** Debit account with DEBITS_MUST_NOT_EXCEED_CREDITS would go below -overdraft_limit.
     *  prepay_strerror(): "ledger: the balance would go below the account's overdraft limit (not enough credit)" */
    PREPAY_E_LEDGER_EXCEEDS_CREDITS = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 45),
    /** Credit account with CREDITS_MUST_NOT_EXCEED_DEBITS would have credits above debits.
     *  prepay_strerror(): "ledger: the account's credits would exceed its debits" */
    PREPAY_E_LEDGER_EXCEEDS_DEBITS = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 46),
    /** Credit account's stored balance would exceed its max_balance (hoarding limit).
     *  prepay_strerror(): "ledger: the balance would exceed the account's maximum balance" */
    PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 47),
    /** A refund (code REFUND, debit account a wallet) exceeds the refundable balance.
     *  prepay_strerror(): "ledger: the refund is larger than the refundable balance" */
    PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 48),

    /* chains */
    /** Another member of this transfer's linked chain failed; nothing of the chain applied.
     *  prepay_strerror(): "ledger: another transfer of the linked chain failed; nothing of the chain was applied" */
    PREPAY_E_LEDGER_LINKED_EVENT_FAILED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 50),
    /** The batch ends inside a linked chain (its last transfer has LINKED set).
     *  prepay_strerror(): "ledger: the batch ends inside a linked chain (its last transfer is linked)" */
    PREPAY_E_LEDGER_LINKED_EVENT_CHAIN_OPEN = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 51),

    /* accounts */
    /** Account id is 0.
     *  prepay_strerror(): "ledger: the account id is 0" */
    PREPAY_E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 60),
    /** Account kind is not one of ::prepay_ledger_account_kind, or an account flag is unknown.
     *  prepay_strerror(): "ledger: unknown account kind or account flag" */
    PREPAY_E_LEDGER_ACCOUNT_BAD_KIND = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 61),
    /** Both DEBITS_MUST_NOT_EXCEED_CREDITS and CREDITS_MUST_NOT_EXCEED_DEBITS.
     *  prepay_strerror(): "ledger: an account cannot limit both its debits and its credits" */
    PREPAY_E_LEDGER_ACCOUNT_FLAGS_MUTUALLY_EXCLUSIVE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 62),
    /** overdraft_limit or max_balance negative.
     *  prepay_strerror(): "ledger: a negative overdraft limit or maximum balance" */
    PREPAY_E_LEDGER_ACCOUNT_BAD_LIMIT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 63),
    /** A new account's four counters are not all zero.
     *  prepay_strerror(): "ledger: a new account must start with zero totals" */
    PREPAY_E_LEDGER_ACCOUNT_BALANCES_MUST_BE_ZERO = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 64),
    /** The account id exists with different fields.
     *  prepay_strerror(): "ledger: the account exists with different fields" */
    PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 65),
    /** The account does not exist.
     *  prepay_strerror(): "ledger: the account does not exist" */
    PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 66),

    /* whole ledger */
    /** prepay_ledger_verify() found a broken invariant.
     *  prepay_strerror(): "ledger: verification found a broken invariant (the totals do not match the transfers)" */
    PREPAY_E_LEDGER_INVARIANT = PREPAY_STATUS_MAKE(PREPAY_MODULE_LEDGER, 70)
};

/* ---- accounts ---------------------------------------------------------------- */

/** @brief Account kinds (what an account stands for in prepaid metering). */
enum prepay_ledger_account_kind {
    PREPAY_LEDGER_ACCOUNT_WALLET = 1,           /**< a tenant's prepaid purse (credit balance) */
    PREPAY_LEDGER_ACCOUNT_REVENUE = 2,          /**< revenue for one charge item (see `item`) */
    PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING = 3, /**< money received from a payment channel */
    PREPAY_LEDGER_ACCOUNT_REFUNDS_PAYABLE = 4,  /**< refunds owed back to tenants */
    PREPAY_LEDGER_ACCOUNT_EMERGENCY_CREDIT = 5, /**< emergency credit lent to one wallet (debit balance = owed) */
    PREPAY_LEDGER_ACCOUNT_COMMON_AREA = 6,      /**< common-area (公摊) consumption to allocate */
    PREPAY_LEDGER_ACCOUNT_ADJUSTMENTS = 7,      /**< corrections and write-offs */
    PREPAY_LEDGER_ACCOUNT_DEBT = 8              /**< debt a tenant owes (missed charges; debit balance = owed) */
};

/** @brief Revenue item codes for `item` (user codes start at ::PREPAY_LEDGER_ITEM_USER). */
enum prepay_ledger_item {
    PREPAY_LEDGER_ITEM_NONE = 0,         /**< not a revenue account */
    PREPAY_LEDGER_ITEM_ELECTRICITY = 1,  /**< electricity */
    PREPAY_LEDGER_ITEM_WATER = 2,        /**< water */
    PREPAY_LEDGER_ITEM_GAS = 3,          /**< gas */
    PREPAY_LEDGER_ITEM_PROPERTY_FEE = 4, /**< property management fee */
    PREPAY_LEDGER_ITEM_COMMON_AREA = 5,  /**< common-area allocation */
    PREPAY_LEDGER_ITEM_SERVICE_FEE = 6,  /**< service and handling fees */
    PREPAY_LEDGER_ITEM_USER = 1000       /**< first user-defined item code */
};

/** @brief Debits plus pending debits may not exceed credits plus `overdraft_limit` (wallets). */
#define PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS 0x0001u
/** @brief Credits plus pending credits may not exceed debits (accounts that may not hold credit). */
#define PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS 0x0002u
/** @brief Closed: no new transfer may touch the account (voids of its pending transfers still may). */
#define PREPAY_LEDGER_ACCOUNT_CLOSED 0x0004u
/** @brief All defined account flags. */
#define PREPAY_LEDGER_ACCOUNT_FLAGS_MASK 0x0007u

/**
 * @brief One account. Fixed-width plain old data (serialisable field by field).
 *
 * Give zero counters to prepay_ledger_create_account(); the ledger keeps them.
 */
typedef struct prepay_ledger_account {
    uint64_t id;                   /**< unique, non-zero, chosen by the caller */
    uint64_t emergency_account_id; /**< wallets: its EMERGENCY_CREDIT account, or 0 */
    uint64_t debt_account_id;      /**< wallets: its DEBT account, or 0 */
    prepay_money_t debits_pending;  /**< sum of open pending debits */
    prepay_money_t debits_posted;   /**< sum of posted debits */
    prepay_money_t credits_pending; /**< sum of open pending credits */
    prepay_money_t credits_posted;  /**< sum of posted credits */
    prepay_money_t overdraft_limit; /**< >= 0; with DEBITS_MUST_NOT_EXCEED_CREDITS: lowest allowed balance is -overdraft_limit */
    prepay_money_t max_balance;     /**< >= 0; hoarding limit on credits - debits (incl. pending credits); 0 = none */
    uint32_t item;                  /**< revenue item (::prepay_ledger_item) for REVENUE accounts, else any */
    uint16_t kind;                  /**< ::prepay_ledger_account_kind */
    uint16_t flags;                 /**< PREPAY_LEDGER_ACCOUNT_* flags */
} prepay_ledger_account_t;

/* ---- transfers --------------------------------------------------------------- */

/** @brief Transfer codes (what a transfer is for); user codes start at ::PREPAY_LEDGER_CODE_USER. */
enum prepay_ledger_code {
    PREPAY_LEDGER_CODE_RECHARGE = 1,         /**< payment clearing -> wallet (a top-up order) */
    PREPAY_LEDGER_CODE_REFUND = 2,           /**< wallet -> refunds payable (limited to the refundable balance) */
    PREPAY_LEDGER_CODE_DEDUCTION = 3,        /**< wallet -> revenue: priced consumption */
    PREPAY_LEDGER_CODE_FEE = 4,              /**< wallet -> revenue: fixed or periodic fee */
    PREPAY_LEDGER_CODE_EMERGENCY_CREDIT = 5, /**< emergency credit account -> wallet (a loan) */
    PREPAY_LEDGER_CODE_REPAY_EMERGENCY = 6,  /**< wallet -> emergency credit account */
    PREPAY_LEDGER_CODE_REPAY_DEBT = 7,       /**< wallet -> debt account */
    PREPAY_LEDGER_CODE_DEBT = 8,             /**< debt account -> revenue: a charge recorded as debt */
    PREPAY_LEDGER_CODE_ADJUSTMENT = 9,       /**< a correction (set `reference_id` to the corrected transfer) */
    PREPAY_LEDGER_CODE_ALLOCATION = 10,      /**< common-area allocation to a tenant */
    PREPAY_LEDGER_CODE_REVERSAL = 11,        /**< reverses the transfer named by `reference_id` */
    PREPAY_LEDGER_CODE_SALE = 12,            /**< wallet -> revenue: a sale to a meter that keeps its own purse */
    PREPAY_LEDGER_CODE_USER = 1000           /**< first user-defined code */
};

/** @brief Links this transfer to the next one of the batch (atomic chain). */
#define PREPAY_LEDGER_TRANSFER_LINKED 0x0001u
/** @brief Two-phase: reserve the amount (pending debits/credits) without posting it. */
#define PREPAY_LEDGER_TRANSFER_PENDING 0x0002u
/** @brief Post the pending transfer `pending_id` (fully or partially; the rest is released). */
#define PREPAY_LEDGER_TRANSFER_POST_PENDING 0x0004u
/** @brief Void the pending transfer `pending_id` (release all of it). */
#define PREPAY_LEDGER_TRANSFER_VOID_PENDING 0x0008u
/** @brief All defined transfer flags. */
#define PREPAY_LEDGER_TRANSFER_FLAGS_MASK 0x000Fu

/**
 * @brief One transfer: plain old data with fixed-width fields, no padding
 *        holes (11 × 8 + 4 + 2 + 2 + 8 = 104 bytes), serialisable field by
 *        field.
 *
 * For POST_PENDING / VOID_PENDING, `debit_account_id` and
 * `credit_account_id` may be 0 (taken from the pending transfer) or must
 * equal the pending transfer's. A post's `amount` is 1..pending amount; a
 * void's is 0 or the pending amount. Fields compared for idempotency, in
 * this order: flags, pending_id, debit account, credit account, amount,
 * code, user data (`meter_id`, `interval_start`, `interval_end`,
 * `tariff_version`, `order_id`, `reference_id`), deadline. `timestamp` is
 * not compared.
 *
 * **Deadlines.** A PENDING transfer may carry a `deadline` in the caller's
 * time (::prepay_time_t; the ledger has no clock). From the deadline on, a
 * post or void of it whose own `timestamp` is at or after the deadline fails
 * with ::PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED, and prepay_ledger_expire()
 * called with `now >= deadline` releases its amount (state
 * ::PREPAY_LEDGER_STATE_EXPIRED), after which every post or void fails the
 * same way.
 */
typedef struct prepay_ledger_transfer {
    uint64_t id;                   /**< idempotency key, non-zero (e.g. the payment order id) */
    uint64_t debit_account_id;     /**< account whose debits grow */
    uint64_t credit_account_id;    /**< account whose credits grow */
    prepay_money_t amount;         /**< fen; > 0 (see above for post/void) */
    uint64_t pending_id;           /**< POST/VOID: the pending transfer; else 0 */
    prepay_time_t timestamp;       /**< caller's local time of the transfer */
    uint64_t meter_id;             /**< user data: meter (0 = none) */
    prepay_time_t interval_start;  /**< user data: start of the priced reading interval (0 = none) */
    prepay_time_t interval_end;    /**< user data: end of the interval, >= interval_start */
    uint64_t order_id;             /**< user data: payment or refund order */
    uint64_t reference_id;         /**< user data: transfer this one corrects or reverses (0 = none) */
    uint32_t tariff_version;       /**< user data: tariff version that priced it */
    uint16_t code;                 /**< ::prepay_ledger_code, non-zero */
    uint16_t flags;                /**< PREPAY_LEDGER_TRANSFER_* flags */
    prepay_time_t deadline;        /**< PENDING only: caller time from which the reservation has expired; 0 = never */
} prepay_ledger_transfer_t;

/** @brief Pending state of a log entry. */
enum prepay_ledger_pending_state {
    PREPAY_LEDGER_STATE_NONE = 0,    /**< not a pending transfer */
    PREPAY_LEDGER_STATE_PENDING = 1, /**< pending, still open */
    PREPAY_LEDGER_STATE_POSTED = 2,  /**< pending, posted (fully or partially) */
    PREPAY_LEDGER_STATE_VOIDED = 3,  /**< pending, voided */
    PREPAY_LEDGER_STATE_EXPIRED = 4  /**< pending, expired by prepay_ledger_expire() (released) */
};

/** @brief One slot of the transfer log (caller memory; managed by the ledger). */
typedef struct prepay_ledger_entry {
    prepay_ledger_transfer_t transfer; /**< the transfer as applied */
    uint32_t state;                    /**< ::prepay_ledger_pending_state */
    uint32_t resolved_by;              /**< pending entries: log index + 1 of the post/void, else 0 (also when expired) */
} prepay_ledger_entry_t;

/**
 * @brief Caller memory for a ledger.
 *
 * The simplest way to fill it is prepay_ledger_memory_layout() on one
 * buffer of prepay_ledger_memory_size() (or ::PREPAY_LEDGER_MEMORY_SIZE)
 * bytes, which sizes the indexes by the rules below. Filling it by hand is
 * allowed: index slot counts must be powers of two greater than the
 * matching capacity (::PREPAY_LEDGER_INDEX_SLOTS gives the recommended
 * count), and capacities are at most 2^31 - 1.
 *
 * **Transfer index.** Each 64-bit slot holds a 32-bit tag (hash bits of the
 * id that the start slot does not use) and the log position + 1, so a probe
 * compares tags and reads the log only when the tags match: looking up a new
 * id touches one index line and no log entry, whatever the ids. At the
 * recommended size a probe for a random id passes 0.3 other slots on average
 * (load 0.4). prepay_ledger_apply() prefetches the slots of the transfers
 * ahead of the one it applies, so a batch of random ids waits for memory in
 * parallel instead of once per transfer. Ids that increase (sequential or
 * time-ordered, as TigerBeetle recommends) stay the fastest case: runs of 8
 * consecutive ids share one line of slots (runs that meet pass about 2.6
 * slots, by tag).
 */
typedef struct prepay_ledger_memory {
    prepay_ledger_account_t *accounts; /**< account table */
    uint32_t account_capacity;         /**< entries in @c accounts, >= 1 */
    uint32_t *account_index;           /**< hash slots over account ids (position + 1; 0 = empty) */
    uint32_t account_index_slots;      /**< power of two > account_capacity */
    prepay_ledger_entry_t *entries;    /**< transfer log */
    uint32_t transfer_capacity;        /**< entries in @c entries, >= 1 */
    uint64_t *transfer_index;          /**< hash slots over transfer ids (tag << 32 | position + 1; 0 = empty) */
    uint32_t transfer_index_slots;     /**< power of two > transfer_capacity */
    uint32_t *expiry_heap;             /**< transfer_capacity slots ordering pending transfers by deadline, or
                                            NULL: then a pending transfer with a deadline gets ::PREPAY_E_CAPACITY */
} prepay_ledger_memory_t;

/** @brief A ledger. Treat the members as private; its memory belongs to the caller. */
typedef struct prepay_ledger {
    prepay_ledger_memory_t memory; /**< private: the caller's storage */
    uint32_t account_count;        /**< private: accounts in use */
    uint32_t transfer_count;       /**< private: log entries in use */
    uint32_t expiry_count;         /**< private: slots of the expiry heap in use */
    uint32_t magic;                /**< private: set by prepay_ledger_init() */
} prepay_ledger_t;

/* ---- sizing caller memory ---------------------------------------------------- */

/** @cond PREPAY_INTERNAL */
#define PREPAY__LEDGER_SMEAR1(x) ((x) | ((x) >> 1))
#define PREPAY__LEDGER_SMEAR2(x) (PREPAY__LEDGER_SMEAR1(x) | (PREPAY__LEDGER_SMEAR1(x) >> 2))
#define PREPAY__LEDGER_SMEAR4(x) (PREPAY__LEDGER_SMEAR2(x) | (PREPAY__LEDGER_SMEAR2(x) >> 4))
#define PREPAY__LEDGER_SMEAR8(x) (PREPAY__LEDGER_SMEAR4(x) | (PREPAY__LEDGER_SMEAR4(x) >> 8))
#define PREPAY__LEDGER_SMEAR16(x) (PREPAY__LEDGER_SMEAR8(x) | (PREPAY__LEDGER_SMEAR8(x) >> 16))
#define PREPAY__LEDGER_ALIGN8(n) (((n) + 7u) & ~(uint64_t)7u)
/** @endcond */

/**
 * @brief Recommended index slot count for a capacity: the smallest power of
 *        two at least twice @p capacity (load at most 1/2).
 *
 * A constant expression for constant arguments; @p capacity must be 1 ..
 * ::PREPAY_LEDGER_MAX_SIZED_CAPACITY. Used by prepay_ledger_memory_layout()
 * for both indexes.
 */
#define PREPAY_LEDGER_INDEX_SLOTS(capacity) \
    ((uint32_t)(PREPAY__LEDGER_SMEAR16((uint64_t)(capacity) * 2u - 1u) + 1u))

/** @brief Largest capacity the sizing helpers accept (2^30: its index has 2^31 slots). */
#define PREPAY_LEDGER_MAX_SIZED_CAPACITY 0x40000000u

/** @brief Alignment in bytes that prepay_ledger_memory_layout() needs of its buffer. */
#define PREPAY_LEDGER_MEMORY_ALIGN 8u

/**
 * @brief Bytes of caller memory for a ledger of @p accounts accounts and a
 *        log of @p transfers transfers, as laid out by
 *        prepay_ledger_memory_layout().
 *
 * A constant expression of type `uint64_t` for constant arguments, for
 * static buffers (align them to ::PREPAY_LEDGER_MEMORY_ALIGN, e.g. declare
 * an array of `uint64_t`). Both arguments must be 1 ..
 * ::PREPAY_LEDGER_MAX_SIZED_CAPACITY. Equal to prepay_ledger_memory_size().
 * The scratch space of prepay_ledger_verify() is not included.
 */
#define PREPAY_LEDGER_MEMORY_SIZE(accounts, transfers)                                        \
    (PREPAY__LEDGER_ALIGN8((uint64_t)(transfers) * sizeof(prepay_ledger_entry_t)) +           \
     (uint64_t)PREPAY_LEDGER_INDEX_SLOTS(transfers) * sizeof(uint64_t) +                      \
     PREPAY__LEDGER_ALIGN8((uint64_t)(accounts) * sizeof(prepay_ledger_account_t)) +          \
     (uint64_t)PREPAY_LEDGER_INDEX_SLOTS(accounts) * sizeof(uint32_t) +                       \
     PREPAY__LEDGER_ALIGN8((uint64_t)(transfers) * sizeof(uint32_t)))

/** @brief Balances of one account. */
typedef struct prepay_ledger_balance {
    prepay_money_t debits_pending;  /**< open pending debits */
    prepay_money_t debits_posted;   /**< posted debits */
    prepay_money_t credits_pending; /**< open pending credits */
    prepay_money_t credits_posted;  /**< posted credits */
    prepay_money_t balance;         /**< credits_posted - debits_posted */
    prepay_money_t available;       /**< credits_posted - debits_posted - debits_pending */
} prepay_ledger_balance_t;

/** @brief A query over the transfer log; every filter field 0 means "any". */
typedef struct prepay_ledger_query {
    uint64_t account_id;     /**< only transfers debiting or crediting this account (post/void: of the pending transfer) */
    uint16_t code;           /**< only this code */
    uint16_t flags_all;      /**< only transfers having all these flags */
    bool use_time;           /**< filter on time_from <= timestamp < time_to */
    prepay_time_t time_from; /**< start of the time range (inclusive) */
    prepay_time_t time_to;   /**< end of the time range (exclusive) */
    uint32_t position;       /**< private cursor: next log index to look at; 0 to start */
} prepay_ledger_query_t;

/** @brief Recharge and refund order totals over a time range (posted amounts). */
typedef struct prepay_ledger_order_summary {
    uint32_t recharge_count;        /**< posted RECHARGE transfers (a posted pending counts once) */
    prepay_money_t recharge_sum;    /**< their amounts */
    uint32_t refund_count;          /**< posted REFUND transfers */
    prepay_money_t refund_sum;      /**< their amounts */
} prepay_ledger_order_summary_t;

/** @brief Grouping of an income summary. */
enum prepay_ledger_period {
    PREPAY_LEDGER_PERIOD_ALL = 0,   /**< one period for the whole range */
    PREPAY_LEDGER_PERIOD_DAY = 1,   /**< per civil day */
    PREPAY_LEDGER_PERIOD_MONTH = 2, /**< per civil month */
    PREPAY_LEDGER_PERIOD_YEAR = 3   /**< per civil year */
};

/** @brief One row of an income summary. */
typedef struct prepay_ledger_income_row {
    prepay_days_t period_start; /**< first day of the period (day number); range start for PERIOD_ALL */
    uint32_t item;              /**< revenue item; ::PREPAY_LEDGER_ITEM_NONE when not grouped by item */
    prepay_money_t income;      /**< posted credits minus posted debits of revenue accounts */
    uint32_t count;             /**< transfers contributing */
} prepay_ledger_income_row_t;

/** @brief Request for prepay_ledger_build_recharge(). */
typedef struct prepay_ledger_recharge {
    uint64_t wallet_id;          /**< the wallet topped up */
    uint64_t clearing_id;        /**< payment clearing account debited */
    prepay_money_t amount;       /**< > 0 */
    uint64_t recharge_id;        /**< id of the RECHARGE transfer (the payment order id) */
    uint64_t repay_emergency_id; /**< id of the REPAY_EMERGENCY transfer if one is needed */
    uint64_t repay_debt_id;      /**< id of the REPAY_DEBT transfer if one is needed */
    uint64_t order_id;           /**< user data copied to each transfer */
    prepay_time_t timestamp;     /**< time copied to each transfer */
} prepay_ledger_recharge_t;

/** @brief Most transfers prepay_ledger_build_recharge() writes. */
#define PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS 3

PREPAY_BEGIN_DECLS

/**
 * @brief Bytes of caller memory for a ledger (the run-time twin of
 *        ::PREPAY_LEDGER_MEMORY_SIZE).
 * @param accounts account capacity, 1 .. ::PREPAY_LEDGER_MAX_SIZED_CAPACITY.
 * @param transfers transfer log capacity, 1 .. ::PREPAY_LEDGER_MAX_SIZED_CAPACITY.
 * @return the size in bytes, or 0 when a capacity is out of range or the
 *         size does not fit in `size_t`.
 *
 * **Errors:** none; 0 for every failure.
 */
PREPAY_API size_t prepay_ledger_memory_size(uint32_t accounts, uint32_t transfers);

/**
 * @brief Lays a ledger's arrays out in one caller buffer.
 * @param memory filled with the arrays and their sizes (index slots by
 *        ::PREPAY_LEDGER_INDEX_SLOTS; an expiry heap of @p transfers slots).
 * @param buffer at least prepay_ledger_memory_size() bytes, aligned to
 *        ::PREPAY_LEDGER_MEMORY_ALIGN; its contents do not matter
 *        (prepay_ledger_init() clears what it must).
 * @param size bytes available at @p buffer.
 * @param accounts account capacity.
 * @param transfers transfer log capacity.
 * @return ::PREPAY_OK, or an error; @p memory is untouched on error.
 *
 * Then call prepay_ledger_init() with @p memory. Nothing outside the
 * first prepay_ledger_memory_size() bytes of @p buffer is used.
 *
 * @code
 * size_t size = prepay_ledger_memory_size(1024, 1u << 20);
 * void *buffer = malloc(size);   // or a static uint64_t array in firmware
 * prepay_ledger_memory_t memory;
 * prepay_ledger_t ledger;
 * if (buffer == NULL || prepay_ledger_memory_layout(&memory, buffer, size, 1024, 1u << 20) != PREPAY_OK ||
 *     prepay_ledger_init(&ledger, &memory) != PREPAY_OK) { ... }
 * @endcode
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer, a capacity out of range, or
 *   @p buffer not aligned.
 * - ::PREPAY_E_BUFFER_TOO_SMALL: @p size below prepay_ledger_memory_size().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_memory_layout(prepay_ledger_memory_t *memory, void *buffer, size_t size,
                                           uint32_t accounts, uint32_t transfers);

/**
 * @brief Initialises an empty ledger on the caller's memory.
 * @param ledger ledger to initialise.
 * @param memory caller storage (copied; the arrays it points to must outlive the ledger).
 * @return ::PREPAY_OK, or an error; @p ledger is untouched on error.
 *
 * Clears both indexes. The account table, the log and the expiry heap
 * need no clearing.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: a NULL pointer (the expiry heap may be
 *   NULL), a zero capacity, a slot count that is not a power of two or not
 *   greater than its capacity, or a capacity above 2^31 - 1.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_init(prepay_ledger_t *ledger, const prepay_ledger_memory_t *memory);

/**
 * @brief Creates an account (idempotent by id).
 * @param ledger an initialised ledger.
 * @param account the account; counters must be zero.
 * @return ::PREPAY_OK (created), ::PREPAY_LEDGER_EXISTS (identical account
 *         exists; nothing changed), or an error (nothing changed).
 *
 * Checks in this order: id, kind and flags, limits, counters, existence, capacity.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or uninitialised ledger.
 * - ::PREPAY_E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO
 * - ::PREPAY_E_LEDGER_ACCOUNT_BAD_KIND: unknown kind or unknown flag bit.
 * - ::PREPAY_E_LEDGER_ACCOUNT_FLAGS_MUTUALLY_EXCLUSIVE
 * - ::PREPAY_E_LEDGER_ACCOUNT_BAD_LIMIT
 * - ::PREPAY_E_LEDGER_ACCOUNT_BALANCES_MUST_BE_ZERO
 * - ::PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS
 * - ::PREPAY_E_CAPACITY: the account table is full.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_create_account(prepay_ledger_t *ledger, const prepay_ledger_account_t *account);

/**
 * @brief Closes an account: later transfers touching it are refused (voids still pass).
 * @param ledger an initialised ledger.
 * @param account_id the account.
 * @return ::PREPAY_OK (closed now), ::PREPAY_LEDGER_EXISTS (already closed), or an error.
 *
 * The journal records closings so that recovery repeats them in order.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or uninitialised ledger.
 * - ::PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_close_account(prepay_ledger_t *ledger, uint64_t account_id);

/**
 * @brief Applies a batch of transfers in order, with a result per transfer.
 * @param ledger an initialised ledger.
 * @param batch transfers; linked chains are atomic (see the file comment).
 * @param count transfers in @p batch (0 is fine).
 * @param results @p count results: ::PREPAY_OK (applied),
 *        ::PREPAY_LEDGER_EXISTS (identical transfer already in the log), or
 *        a negative `PREPAY_E_LEDGER_*` / ::PREPAY_E_CAPACITY code.
 * @return the number of transfers applied by this call (>= 0), or an error
 *         for the whole call (nothing applied, @p results untouched).
 *
 * Per-transfer checks run in the precedence of ::prepay_ledger_status
 * (numeric order), then the log capacity.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer (with count > 0), uninitialised
 *   ledger, or count above INT32_MAX.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_apply(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *batch, size_t count,
                                   int *results);

/**
 * @brief Replays one transfer read back from the journal during recovery.
 * @param ledger an initialised ledger being rebuilt.
 * @param transfer a transfer that was applied before, in log order.
 * @return ::PREPAY_OK (applied), ::PREPAY_LEDGER_EXISTS (already present,
 *         e.g. included in a snapshot), or the transfer's error: the journal
 *         and the ledger disagree (corruption or reordering).
 *
 * Same checks as prepay_ledger_apply() for a single transfer, except that
 * the LINKED flag is ignored (each member of an acknowledged chain was
 * applied in order, so applying them one by one reproduces the chain).
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or uninitialised ledger.
 * - any transfer result of prepay_ledger_apply().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_replay(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *transfer);

/**
 * @brief Expires pending transfers whose deadline has passed: releases
 *        their reserved amounts, earliest deadline first.
 * @param ledger an initialised ledger.
 * @param now the caller's current time (the ledger has no clock).
 * @param expired_ids the ids of the transfers expired by this call, in
 *        expiry order; may be NULL (then @p ids_cap only limits the count).
 * @param ids_cap most transfers to expire in this call.
 * @return the number expired (0 .. @p ids_cap; call again while it equals
 *         @p ids_cap), or an error (nothing changed).
 *
 * An open pending transfer with `deadline != 0 && deadline <= now`
 * expires: its debit account's pending debits and its credit account's
 * pending credits drop by its amount (as a void would release them), its
 * entry's state becomes ::PREPAY_LEDGER_STATE_EXPIRED, and later posts or
 * voids of it fail with ::PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED. No log
 * entry is added. Order: by deadline, then by log position, so the result
 * depends only on the ledger and the arguments. Closed accounts do not
 * stop an expiry (as they do not stop a void). Cost: O(log n) per expired
 * transfer, plus the same for each posted or voided transfer with a deadline
 * that has come due, and O(1) when nothing is due. To make expiries
 * durable, use prepay_journal_expire().
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL or uninitialised ledger.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_expire(prepay_ledger_t *ledger, prepay_time_t now, uint64_t *expired_ids,
                                    size_t ids_cap);

/**
 * @brief Expires one pending transfer, as read back from the journal during
 *        recovery (or from any store that recorded prepay_ledger_expire()).
 * @param ledger an initialised ledger being rebuilt.
 * @param transfer_id the pending transfer that expired.
 * @param now the time of the expiry (at or after the transfer's deadline).
 * @return ::PREPAY_OK, or an error (nothing changed).
 *
 * The same release as prepay_ledger_expire(), for one named transfer.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL or uninitialised ledger.
 * - ::PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND
 * - ::PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING
 * - ::PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED
 * - ::PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED
 * - ::PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED: already expired.
 * - ::PREPAY_E_LEDGER_DEADLINE_NOT_REACHED: no deadline, or it is after @p now.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_replay_expiry(prepay_ledger_t *ledger, uint64_t transfer_id, prepay_time_t now);

/**
 * @brief prepay_ledger_apply() with where each transfer's debit account may be found.
 * @param ledger an initialised ledger.
 * @param batch transfers, as for prepay_ledger_apply().
 * @param count transfers in @p batch (0 is fine).
 * @param debit_at NULL, or @p count hints: a position + 1 in the account table that
 *        prepay_ledger_account_position() gave for the transfer's debit account, or 0.
 * @param results @p count results, as for prepay_ledger_apply().
 * @return as prepay_ledger_apply().
 *
 * A caller that debits the same accounts over and over (a settlement site's
 * wallets, one per reading) keeps their positions and saves a random index
 * read per transfer on a large ledger. A hint is used only when the account at
 * that position has the transfer's debit account id; any other is ignored, so
 * results and the ledger are those of prepay_ledger_apply() whatever the hints.
 *
 * **Errors:** as prepay_ledger_apply().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_apply_at(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *batch, size_t count,
                                      const uint32_t *debit_at, int *results);

/**
 * @brief Where an account is in the ledger's account table (a hint for prepay_ledger_apply_at()).
 * @param ledger an initialised ledger.
 * @param account_id the account.
 * @return its position + 1, or 0 if absent or on a bad argument. Accounts never
 *         move in a ledger; a ledger loaded or recovered elsewhere may place them
 *         differently.
 *
 * **Errors:** none; 0 for every failure.
 */
PREPAY_API uint32_t prepay_ledger_account_position(const prepay_ledger_t *ledger, uint64_t account_id);

/**
 * @brief Looks up an account.
 * @param ledger an initialised ledger.
 * @param account_id the account.
 * @return the account (read only; valid until the next change), or NULL if
 *         absent or on a bad argument.
 *
 * **Errors:** none; NULL for every failure.
 */
PREPAY_API const prepay_ledger_account_t *prepay_ledger_account(const prepay_ledger_t *ledger, uint64_t account_id);

/**
 * @brief Reads the balances of an account.
 * @param ledger an initialised ledger.
 * @param account_id the account.
 * @param out balances; untouched on error.
 * @return ::PREPAY_OK or an error.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or uninitialised ledger.
 * - ::PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND
 * - ::PREPAY_E_OVERFLOW: a difference does not fit int64 (only possible
 *   with counters near the int64 range).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_balance(const prepay_ledger_t *ledger, uint64_t account_id, prepay_ledger_balance_t *out);

/**
 * @brief Finds a transfer by id.
 * @param ledger an initialised ledger.
 * @param transfer_id the id.
 * @return the log entry (read only), or NULL if absent or on a bad argument.
 *
 * **Errors:** none; NULL for every failure.
 */
PREPAY_API const prepay_ledger_entry_t *prepay_ledger_lookup(const prepay_ledger_t *ledger, uint64_t transfer_id);

/**
 * @brief Number of accounts.
 * @param ledger an initialised ledger.
 * @return the count, 0 for a NULL or uninitialised ledger.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint32_t prepay_ledger_account_count(const prepay_ledger_t *ledger);

/**
 * @brief The account at a table position (creation order), for snapshots.
 * @param ledger an initialised ledger.
 * @param position 0..account_count - 1.
 * @return the account, or NULL if out of range.
 *
 * **Errors:** none; NULL for every failure.
 */
PREPAY_API const prepay_ledger_account_t *prepay_ledger_account_at(const prepay_ledger_t *ledger, uint32_t position);

/**
 * @brief Number of transfers in the log.
 * @param ledger an initialised ledger.
 * @return the count, 0 for a NULL or uninitialised ledger.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint32_t prepay_ledger_transfer_count(const prepay_ledger_t *ledger);

/**
 * @brief The log entry at a position (application order).
 * @param ledger an initialised ledger.
 * @param position 0..transfer_count - 1.
 * @return the entry, or NULL if out of range.
 *
 * **Errors:** none; NULL for every failure.
 */
PREPAY_API const prepay_ledger_entry_t *prepay_ledger_entry_at(const prepay_ledger_t *ledger, uint32_t position);

/**
 * @brief Steps a query to the next matching transfer, in log order.
 * @param ledger an initialised ledger.
 * @param query filter and cursor (set `position` to 0 to start).
 * @param out the matching entry.
 * @return 1 with @p out set, 0 at the end (or on a NULL argument; @p out untouched).
 *
 * An account's history is a query with only `account_id` set; transfers
 * by code and time range set `code` and `use_time`. Each call costs at most
 * the number of log entries skipped.
 *
 * **Errors:** none; 0 for every failure.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_query_next(const prepay_ledger_t *ledger, prepay_ledger_query_t *query,
                                        const prepay_ledger_entry_t **out);

/**
 * @brief Sums recharge and refund orders whose posting time is in [from, to).
 * @param ledger an initialised ledger.
 * @param from start (inclusive).
 * @param to end (exclusive).
 * @param out totals; untouched on error.
 * @return ::PREPAY_OK or an error.
 *
 * Counts plain transfers and posts of pending transfers (at the post's
 * time and amount); open or voided pending transfers do not count.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or uninitialised ledger.
 * - ::PREPAY_E_OVERFLOW: a sum does not fit.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_order_summary(const prepay_ledger_t *ledger, prepay_time_t from, prepay_time_t to,
                                           prepay_ledger_order_summary_t *out);

/**
 * @brief Income of revenue accounts in [from, to), per period and optionally per item.
 * @param ledger an initialised ledger.
 * @param from start (inclusive).
 * @param to end (exclusive).
 * @param period ::prepay_ledger_period.
 * @param by_item group by the revenue account's `item` too.
 * @param rows output rows, sorted by (period_start, item).
 * @param rows_cap capacity of @p rows.
 * @param row_count rows written.
 * @return ::PREPAY_OK or an error. On error `*row_count` is 0 and the
 *         contents of @p rows are unspecified.
 *
 * Income of a transfer is +amount when it credits a REVENUE account and
 * -amount when it debits one (a reversal), dated by its own timestamp
 * (posts of pending transfers by the post's). Rows with no transfer are not
 * written.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer, uninitialised ledger, or unknown period.
 * - ::PREPAY_E_BUFFER_TOO_SMALL: more rows than @p rows_cap.
 * - ::PREPAY_E_OVERFLOW: a sum does not fit.
 * - ::PREPAY_E_BAD_DATE: a timestamp outside the calendar range.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_income(const prepay_ledger_t *ledger, prepay_time_t from, prepay_time_t to,
                                    unsigned period, bool by_item, prepay_ledger_income_row_t *rows,
                                    size_t rows_cap, size_t *row_count);

/**
 * @brief Builds the linked chain for a wallet top-up: credit the wallet,
 *        repay its emergency credit first, then its debt.
 * @param ledger an initialised ledger (read only).
 * @param request the recharge.
 * @param out transfers written (1..::PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS).
 * @param out_cap capacity of @p out.
 * @param out_count transfers written.
 * @return ::PREPAY_OK or an error; nothing written on error.
 *
 * Writes RECHARGE (clearing → wallet, full amount), then REPAY_EMERGENCY
 * (wallet → its emergency account, min(amount, owed)) and REPAY_DEBT
 * (wallet → its debt account, min(rest, owed)) when owed; all but the last
 * have LINKED. What is left credits the balance (and first covers any
 * overdraft). The split is prepay_wallet_split_recharge(). Amounts depend on
 * the ledger now: a retry must re-send the transfers built the first time.
 * The hoarding limit applies to the gross recharge.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer, amount <= 0, zero recharge id.
 * - ::PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND: wallet or its emergency/debt account absent.
 * - ::PREPAY_E_BUFFER_TOO_SMALL: @p out_cap too small for the chain.
 * - ::PREPAY_E_OVERFLOW
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_build_recharge(const prepay_ledger_t *ledger, const prepay_ledger_recharge_t *request,
                                            prepay_ledger_transfer_t *out, size_t out_cap, size_t *out_count);

/**
 * @brief Checks every invariant of the ledger.
 * @param ledger an initialised ledger.
 * @param scratch work space of at least account_count accounts (caller memory).
 * @param scratch_cap capacity of @p scratch.
 * @return ::PREPAY_OK or an error.
 *
 * Checks: (1) Σ debits_posted = Σ credits_posted and Σ debits_pending =
 * Σ credits_pending; (2) replaying the log from zero reproduces every
 * account's four counters, and every pending entry's state matches its
 * post/void (an expired one has neither and a deadline); (3) each limit flag
 * holds (no wallet below -overdraft_limit, none above its hoarding limit);
 * (4) each transfer and account is found through its index, and the indexes
 * hold nothing else; (5) the expiry heap is in order and holds every open
 * pending transfer with a deadline. Costs one pass over the log, both
 * indexes and the heap.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or uninitialised ledger.
 * - ::PREPAY_E_BUFFER_TOO_SMALL: @p scratch_cap < account count.
 * - ::PREPAY_E_LEDGER_INVARIANT: an invariant is broken.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_verify(const prepay_ledger_t *ledger, prepay_ledger_account_t *scratch,
                                    size_t scratch_cap);

/**
 * @brief Checks one account's counters against its limit flags (the per-account rule of prepay_ledger_verify()).
 * @param account the account with its counters.
 * @return ::PREPAY_OK if the account is within its limits, or the rule it breaks.
 *
 * Rules, in this order: pending + posted sums fit int64; with
 * ::PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS, debits (pending and
 * posted) at most `credits_posted + overdraft_limit`; with
 * ::PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS, credits (pending and
 * posted) at most `debits_posted`; with `max_balance` > 0, credits (pending and
 * posted) minus `debits_posted` at most `max_balance`.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL.
 * - ::PREPAY_E_LEDGER_OVERFLOW: a sum of counters does not fit int64.
 * - ::PREPAY_E_LEDGER_EXCEEDS_CREDITS, ::PREPAY_E_LEDGER_EXCEEDS_DEBITS,
 *   ::PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE: the limit broken.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_account_check(const prepay_ledger_account_t *account);

/**
 * @brief Adds an account with the counters it has in an external store, for a ledger over a slice of a book.
 *
 * A billing database keeps accounts and transfers in tables; to apply a
 * transfer by the rules of prepay_ledger_apply(), the caller locks the rows
 * of the accounts it touches, loads them here with their current counters,
 * applies the transfer, and writes the new counters back. The account is
 * checked as by prepay_ledger_create_account() (with its counters taken as
 * zero) and by prepay_ledger_account_check(). A ledger holding loaded
 * accounts applies transfers exactly as any other, but prepay_ledger_verify()
 * fails on it: its log does not explain the loaded counters.
 * @param ledger an initialised ledger.
 * @param account the account and its counters (each >= 0).
 * @return ::PREPAY_OK, or an error (nothing changed).
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer, uninitialised ledger, or a negative counter.
 * - the errors of prepay_ledger_account_check();
 * - the errors of prepay_ledger_create_account() except
 *   ::PREPAY_E_LEDGER_ACCOUNT_BALANCES_MUST_BE_ZERO; an id already in the
 *   ledger is ::PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_ledger_load_account(prepay_ledger_t *ledger, const prepay_ledger_account_t *account);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_ledger_init(...) PREPAY_CONFIG_GUARDED(prepay_ledger_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_LEDGER_H */
