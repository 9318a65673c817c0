/* SPDX-License-Identifier: MIT */
/**
 * @file wallet.h
 * @ingroup prepay_ledger
 * @brief Wallet policy: alarm levels, overdraft, cut-off and restore decisions.
 *
 * One pure function, prepay_wallet_decide(), used unchanged by the meter
 * (local cost control) and by the station (remote cost control): given the
 * policy, the wallet's balance, the clock, the commands in force and the
 * previous state, it returns the alarm level, the relay decision, the events
 * to report and the next state. It has no side effects and no clock of its own.
 *
 * **Alarm levels.** `level_count` thresholds, strictly decreasing
 * (`thresholds[0]` is alarm 1). The level is the number of thresholds the
 * balance has reached: it rises to k when `balance <= thresholds[k-1]`, and
 * falls below k only when `balance > thresholds[k-1] + hysteresis`, so a
 * balance hovering at a threshold does not flap. Each level change raises
 * ::PREPAY_WALLET_EVENT_LEVEL_CHANGED.
 *
 * **Meter model mapping** (prepay_wallet_policy_default()): level 1 = alarm 1
 * ("please buy power"), level 2 = alarm 2 (pre-trip: the relay opens until
 * the customer acknowledges; `pretrip_level` = 2), level 3 = zero (threshold
 * 0: the overdraft begins); the money-based trip (cut-off) happens at
 * balance <= 0 (::PREPAY_WALLET_CUTOFF_AT_ZERO) or at balance <=
 * -overdraft_limit (::PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT).
 *
 * **Relay priority:** (1) forbid close opens; (2) keep-power closes;
 * (3) remote trip opens; (4) the money-based trip (cut-off latch or an
 * unacknowledged pre-trip) opens, except inside a no-disconnect period
 * (daily window, weekend day, holiday) while the debt below the cut-off
 * point is under `window_debt_cap`; (5) otherwise closed.
 *
 * **Cut-off and restore.** Once the balance reaches the cut-off point the
 * state latches "tripped"; it is released only when the balance rises above
 * the cut-off point and, if `close_allowed_amount` > 0, above that amount.
 *
 * **Emergency credit.** When enabled, the customer may request it (or it
 * activates automatically) while the balance is <= `emergency_threshold`;
 * the decision then asks the caller to lend `emergency_amount` (a ledger
 * EMERGENCY_CREDIT transfer). The next top-up repays it first, then debt,
 * then credits the balance (prepay_wallet_split_recharge(),
 * prepay_ledger_build_recharge()); the state returns to inactive when the
 * outstanding amount is 0. A decision that grants emergency credit already
 * counts the grant in its balance (level, cut-off, restore); the caller must
 * post the grant before the next decision, or the next decision sees
 * nothing owed and reports the credit repaid.
 *
 * **Events** are edges: each is raised by the decision where its condition
 * starts (level change, relay change, cut-off latched or released,
 * acknowledgement, emergency activated or repaid, a hold or the debt cap
 * starting).
 */
#ifndef PREPAY_WALLET_H
#define PREPAY_WALLET_H

/** @addtogroup prepay_ledger
 *  @{ */

#include <stdbool.h>
#include <stdint.h>

#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/** @brief Wallet status codes (module ::PREPAY_MODULE_WALLET). */
enum prepay_wallet_status {
    /** level_count is above ::PREPAY_MAX_ALARM_LEVELS or thresholds are not strictly decreasing.
     *  prepay_strerror(): "wallet: more alarm levels than PREPAY_MAX_ALARM_LEVELS, or thresholds not strictly decreasing" */
    PREPAY_E_WALLET_BAD_THRESHOLDS = PREPAY_STATUS_MAKE(PREPAY_MODULE_WALLET, 1),
    /** A negative hysteresis, overdraft limit, close-allowed amount, debt cap or emergency amount.
     *  prepay_strerror(): "wallet: a negative hysteresis, overdraft limit, close-allowed amount, debt cap or emergency amount" */
    PREPAY_E_WALLET_BAD_AMOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_WALLET, 2),
    /** A window outside 0..86400 s, too many windows or holidays, or an unknown mode or flag.
     *  prepay_strerror(): "wallet: a time window outside 0..86400 s, too many windows or holidays, or an unknown mode or flag" */
    PREPAY_E_WALLET_BAD_POLICY = PREPAY_STATUS_MAKE(PREPAY_MODULE_WALLET, 3),
    /** The previous state is not one prepay_wallet_state_init() or prepay_wallet_decide() produced.
     *  prepay_strerror(): "wallet: the previous state is not one prepay_wallet_state_init() or prepay_wallet_decide() produced" */
    PREPAY_E_WALLET_BAD_STATE = PREPAY_STATUS_MAKE(PREPAY_MODULE_WALLET, 4)
};

/** @brief Where the money-based trip happens. */
enum prepay_wallet_cutoff {
    PREPAY_WALLET_CUTOFF_AT_ZERO = 0,           /**< trip at balance <= 0 */
    PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT = 1 /**< trip at balance <= -overdraft_limit */
};

/** @brief Policy flag: emergency credit activates by itself at the threshold (no request needed). */
#define PREPAY_WALLET_POLICY_EMERGENCY_AUTO 0x01u
/** @brief All defined policy flags. */
#define PREPAY_WALLET_POLICY_FLAGS_MASK 0x01u

/** @brief A daily no-disconnect window [start, end) in seconds of the day; crosses midnight when start > end. */
typedef struct prepay_wallet_window {
    int32_t start_second; /**< 0..86399 */
    int32_t end_second;   /**< 0..86400; equal to start = empty */
} prepay_wallet_window_t;

/** @brief A wallet policy (plain old data; see prepay_wallet_policy_default()). */
typedef struct prepay_wallet_policy {
    prepay_money_t thresholds[PREPAY_MAX_ALARM_LEVELS]; /**< alarm thresholds, strictly decreasing */
    prepay_money_t hysteresis;            /**< >= 0; a level falls only above threshold + hysteresis */
    prepay_money_t overdraft_limit;       /**< >= 0; used by ::PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT */
    prepay_money_t close_allowed_amount;  /**< >= 0; after a cut-off, restore only above it (0 = above the cut-off point) */
    prepay_money_t window_debt_cap;       /**< >= 0; in no-disconnect periods trip anyway once balance <= cut-off - cap; INT64_MAX = no cap */
    prepay_money_t emergency_amount;      /**< >= 0; emergency credit lent on activation; 0 = disabled */
    prepay_money_t emergency_threshold;   /**< emergency credit may activate at balance <= this */
    prepay_wallet_window_t windows[PREPAY_MAX_WALLET_WINDOWS]; /**< daily no-disconnect windows */
    prepay_days_t holidays[PREPAY_MAX_WALLET_HOLIDAYS];         /**< no-disconnect days (day numbers) */
    uint16_t holiday_count;               /**< holidays in use */
    uint8_t level_count;                  /**< alarm levels in use, 0..::PREPAY_MAX_ALARM_LEVELS */
    uint8_t pretrip_level;                /**< level (1-based) that pre-trips until acknowledged; 0 = none */
    uint8_t cutoff;                       /**< ::prepay_wallet_cutoff */
    uint8_t window_count;                 /**< windows in use */
    uint8_t weekend_mask;                 /**< bit d set: weekday d (0 = Sunday) is a no-disconnect day */
    uint8_t flags;                        /**< PREPAY_WALLET_POLICY_* flags */
} prepay_wallet_policy_t;

/** @brief Input flag: "forbid close" command in force (relay must stay open). */
#define PREPAY_WALLET_IN_FORBID_CLOSE 0x01u
/** @brief Input flag: keep-power (保电) in force. */
#define PREPAY_WALLET_IN_KEEP_POWER 0x02u
/** @brief Input flag: remote trip command in force. */
#define PREPAY_WALLET_IN_REMOTE_TRIP 0x04u
/** @brief Input flag: the customer acknowledged the pre-trip (button or card) now. */
#define PREPAY_WALLET_IN_ACKNOWLEDGE 0x08u
/** @brief Input flag: the customer requests emergency credit now. */
#define PREPAY_WALLET_IN_EMERGENCY_REQUEST 0x10u
/** @brief All defined input flags. */
#define PREPAY_WALLET_IN_MASK 0x1Fu

/** @brief Inputs of one decision. */
typedef struct prepay_wallet_input {
    prepay_money_t balance;              /**< wallet balance (available), may be negative */
    prepay_money_t emergency_outstanding; /**< emergency credit still owed (>= 0) */
    prepay_time_t now;                   /**< local time (caller's clock) */
    uint32_t flags;                      /**< PREPAY_WALLET_IN_* */
} prepay_wallet_input_t;

/** @brief State flag: the money-based trip latched (cut-off). */
#define PREPAY_WALLET_STATE_TRIPPED 0x01u
/** @brief State flag: the pre-trip was acknowledged for the current descent. */
#define PREPAY_WALLET_STATE_ACKNOWLEDGED 0x02u
/** @brief State flag: emergency credit is active (lent and not yet repaid). */
#define PREPAY_WALLET_STATE_EMERGENCY 0x04u
/** @brief State flag: the last relay decision was closed. */
#define PREPAY_WALLET_STATE_RELAY_CLOSED 0x08u
/** @brief State flag: set by prepay_wallet_state_init(); no decision yet. */
#define PREPAY_WALLET_STATE_FRESH 0x10u
/** @brief State flag: the last decision held a money trip off (no-disconnect period). */
#define PREPAY_WALLET_STATE_HELD 0x20u
/** @brief All defined state flags. */
#define PREPAY_WALLET_STATE_MASK 0x3Fu

/** @brief State carried between decisions (the caller stores it). */
typedef struct prepay_wallet_state {
    uint8_t level; /**< current alarm level, 0..level_count */
    uint8_t flags; /**< PREPAY_WALLET_STATE_* */
} prepay_wallet_state_t;

/** @brief Relay decision. */
enum prepay_wallet_relay {
    PREPAY_WALLET_RELAY_CLOSED = 0, /**< supply on */
    PREPAY_WALLET_RELAY_OPEN = 1    /**< supply off */
};

/** @brief Why the relay is where it is (the rule of the priority list that decided). */
enum prepay_wallet_reason {
    PREPAY_WALLET_REASON_NORMAL = 0,       /**< (5) nothing opens it */
    PREPAY_WALLET_REASON_FORBID_CLOSE = 1, /**< (1) forbid close */
    PREPAY_WALLET_REASON_KEEP_POWER = 2,   /**< (2) keep-power */
    PREPAY_WALLET_REASON_REMOTE_TRIP = 3,  /**< (3) remote trip */
    PREPAY_WALLET_REASON_CUTOFF = 4,       /**< (4) money: cut-off (incl. debt cap reached in a window) */
    PREPAY_WALLET_REASON_PRETRIP = 5,      /**< (4) money: pre-trip awaiting acknowledgement */
    PREPAY_WALLET_REASON_NO_DISCONNECT = 6 /**< (4) money trip held off by a no-disconnect period */
};

/** @brief Event: the alarm level changed (see `from_level`, `level`). */
#define PREPAY_WALLET_EVENT_LEVEL_CHANGED 0x0001u
/** @brief Event: the relay decision changed to open. */
#define PREPAY_WALLET_EVENT_RELAY_OPENED 0x0002u
/** @brief Event: the relay decision changed to closed. */
#define PREPAY_WALLET_EVENT_RELAY_CLOSED 0x0004u
/** @brief Event: the cut-off latched. */
#define PREPAY_WALLET_EVENT_CUTOFF 0x0008u
/** @brief Event: the cut-off latch was released (restore allowed). */
#define PREPAY_WALLET_EVENT_RESTORED 0x0010u
/** @brief Event: the pre-trip was acknowledged. */
#define PREPAY_WALLET_EVENT_ACKNOWLEDGED 0x0020u
/** @brief Event: emergency credit activated (`emergency_grant` > 0). */
#define PREPAY_WALLET_EVENT_EMERGENCY_ACTIVATED 0x0040u
/** @brief Event: emergency credit fully repaid. */
#define PREPAY_WALLET_EVENT_EMERGENCY_REPAID 0x0080u
/** @brief Event: the debt cap of a no-disconnect period was reached. */
#define PREPAY_WALLET_EVENT_DEBT_CAP_REACHED 0x0100u
/** @brief Event: a money trip is being held off by a no-disconnect period. */
#define PREPAY_WALLET_EVENT_TRIP_HELD 0x0200u

/** @brief Output of one decision. */
typedef struct prepay_wallet_decision {
    prepay_wallet_state_t next;    /**< state to store and pass next time */
    prepay_money_t emergency_grant; /**< > 0: lend this much emergency credit now */
    uint32_t events;               /**< PREPAY_WALLET_EVENT_* raised by this decision */
    uint8_t level;                 /**< alarm level now */
    uint8_t from_level;            /**< alarm level before */
    uint8_t relay;                 /**< ::prepay_wallet_relay */
    uint8_t reason;                /**< ::prepay_wallet_reason */
    bool no_disconnect;            /**< `now` is inside a no-disconnect period */
} prepay_wallet_decision_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Fills a policy with the default three-level meter model.
 * @param policy policy to fill.
 *
 * Thresholds 2000, 1000, 0 fen (alarm 1 at 20.00, alarm 2 pre-trip at
 * 10.00, zero), hysteresis 100 fen, pre-trip level 2, cut-off at zero,
 * overdraft limit 0, no close-allowed amount, no windows or holidays, no
 * debt cap (INT64_MAX), emergency credit disabled.
 *
 * **Errors:** none; does nothing if @p policy is NULL.
 */
PREPAY_API void prepay_wallet_policy_default(prepay_wallet_policy_t *policy);

/**
 * @brief Checks a policy.
 * @param policy the policy.
 * @return ::PREPAY_OK or an error.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL.
 * - ::PREPAY_E_WALLET_BAD_THRESHOLDS
 * - ::PREPAY_E_WALLET_BAD_AMOUNT
 * - ::PREPAY_E_WALLET_BAD_POLICY
 */
PREPAY_NODISCARD
PREPAY_API int prepay_wallet_policy_check(const prepay_wallet_policy_t *policy);

/**
 * @brief Initial state of a wallet (no decision made yet; relay closed).
 * @param state state to fill.
 *
 * **Errors:** none; does nothing if @p state is NULL.
 */
PREPAY_API void prepay_wallet_state_init(prepay_wallet_state_t *state);

/**
 * @brief Whether a time is inside a no-disconnect period of the policy.
 * @param policy a checked policy.
 * @param now local time.
 * @return true inside a window, on a weekend day of the mask, or on a holiday.
 *
 * A window crossing midnight (start > end) covers [start, 86400) and
 * [0, end) of every day.
 *
 * **Errors:** none; false for a NULL policy.
 */
PREPAY_API bool prepay_wallet_no_disconnect(const prepay_wallet_policy_t *policy, prepay_time_t now);

/**
 * @brief Decides alarm level, relay and events (pure function).
 * @param policy the policy (checked on every call).
 * @param input balance, clock and commands.
 * @param previous state from prepay_wallet_state_init() or the last decision.
 * @param out the decision; untouched on error.
 * @return ::PREPAY_OK or an error.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer, unknown input flag, negative
 *   emergency_outstanding.
 * - ::PREPAY_E_WALLET_BAD_THRESHOLDS, ::PREPAY_E_WALLET_BAD_AMOUNT,
 *   ::PREPAY_E_WALLET_BAD_POLICY: see prepay_wallet_policy_check().
 * - ::PREPAY_E_WALLET_BAD_STATE: unknown state flags or a level above level_count.
 * - ::PREPAY_E_OVERFLOW: threshold + hysteresis or cut-off - cap arithmetic overflows.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_wallet_decide(const prepay_wallet_policy_t *policy, const prepay_wallet_input_t *input,
                                    const prepay_wallet_state_t *previous, prepay_wallet_decision_t *out);

/**
 * @brief Splits a top-up: emergency credit first, then debt, then the balance.
 * @param amount the top-up, >= 0.
 * @param emergency_owed emergency credit owed, >= 0.
 * @param debt_owed debt owed, >= 0.
 * @param to_emergency repays emergency credit: min(amount, emergency_owed).
 * @param to_debt repays debt: min(amount - to_emergency, debt_owed).
 * @param to_balance the rest.
 * @return ::PREPAY_OK or an error; outputs untouched on error.
 *
 * **Errors:**
 * - ::PREPAY_E_INVALID_ARGUMENT: NULL pointer or a negative input.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_wallet_split_recharge(prepay_money_t amount, prepay_money_t emergency_owed,
                                            prepay_money_t debt_owed, prepay_money_t *to_emergency,
                                            prepay_money_t *to_debt, prepay_money_t *to_balance);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_WALLET_H */
