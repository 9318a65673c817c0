/* SPDX-License-Identifier: MIT */
/**
 * @file settlement.h
 * @ingroup prepay_settlement
 * @brief Settlement: readings to priced charges to ledger transfers, wallet decisions and events.
 *
 * The flow a prepaid platform exists for, as one library module used alike by
 * the demo, the CLI, the Python package and a server: a meter reading becomes
 * a priced charge (tariff.h), a ledger transfer (ledger.h, made durable by
 * journal.h), a wallet decision (wallet.h) and typed events (alarm level
 * changes, cut-off, restore, relay commands, recharges, debt, statements),
 * each with a deterministic id. Month-end (or any period) closing allocates
 * the common area (allocation.h), posts charge items and issues postpaid
 * statements (billing.h) in the same cycle. See docs/settlement.md.
 *
 * **Site model** (caller memory, sized by prepay_settlement_memory_size()):
 * - *accounts*: prepaid remote (the station keeps the wallet and sends relay
 *   commands), prepaid local (the meter keeps the purse; the ledger mirrors
 *   it), postpaid (charges are owed and billed by statements). Every account
 *   has three ledger accounts: a wallet, a debt account and an emergency
 *   credit account (prepay_settlement_ledger_account_id()).
 * - *meters* attached to an account (or to no account: a site meter, e.g. a
 *   building's master meter, whose energy is only allocated). All meters of
 *   an account share its wallet, and those of one commodity share one tier
 *   counter (one ladder per household). A meter measures electricity (Wh) or
 *   water (L) and is priced by its own tariff or its account's tariff for
 *   that commodity.
 * - *allocation groups*: a master meter, sub-meters (members), a method
 *   (ratio, area, usage, equal share) and a tariff for the common energy.
 * - *charge items* (billing.h) and *wallet policies* (wallet.h), referred to
 *   by number.
 *
 * **Settling readings** (prepay_settlement_settle()): a batch is validated
 * completely first (an unknown meter, a value outside the register, a
 * conflicting duplicate: an error naming the item, nothing changed), sorted
 * by (meter, time) so that arrival order inside a batch never matters, then
 * each reading is priced over the interval since the meter's previous
 * reading, posted as ONE transfer (the interval's due amount: the running
 * exact total rounded once, so the dues of a stream always add up to the
 * rounded total), and decided on by the wallet policy. The whole batch is
 * applied to the ledger as one linked chain (all or nothing) and, with a
 * journal, committed with one sync. A reading no newer than the meter's last
 * is a duplicate or late: it changes nothing.
 *
 * **Determinism.** Every decision depends only on the site's own state and
 * the input sequence (the wallet balances it uses are the site's own copy of
 * what it posted, checked against the ledger by prepay_settlement_verify()),
 * so re-running the same input batches in the same order against a ledger
 * that already holds some of their transfers gives exactly the same
 * transfers (the ledger answers ::PREPAY_LEDGER_EXISTS for those) and the
 * same events with the same ids. That is how a crash is recovered: recover
 * the ledger from the journal, rebuild the site from its description, re-run
 * the inputs (docs/settlement.md, "Crash recovery").
 *
 * Freestanding core; no allocation, no floating point, no global state.
 * prepay_settlement_memory_alloc() (hosted builds, settlement_hosted.h) allocates site memory.
 */
#ifndef PREPAY_SETTLEMENT_H
#define PREPAY_SETTLEMENT_H

/** @addtogroup prepay_settlement
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/billing.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_reading.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/config_fingerprint.h"
#include "prepay/wallet.h"

/* ---- status codes ---------------------------------------------------------- */

/** @brief Status codes of the settlement module (module 11, ::PREPAY_MODULE_SETTLEMENT). */
enum prepay_settlement_status {
    /** A reading, replacement or member names a meter id the site does not hold.
     *  prepay_strerror(): "settlement: unknown meter" */
    PREPAY_E_SETTLEMENT_UNKNOWN_METER = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 1),
    /** A meter, recharge, command or group names an account id the site does not hold.
     *  prepay_strerror(): "settlement: unknown account" */
    PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 2),
    /** An account, meter or group is added with an id (number, address) the site already holds.
     *  prepay_strerror(): "settlement: id already in the site" */
    PREPAY_E_SETTLEMENT_DUPLICATE_ID = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 3),
    /** An id, time or number does not fit the transfer-id scheme (id 0 or above
     *  ::PREPAY_SETTLEMENT_SUBJECT_MAX, a time outside 0..2^32-1 s, ...).
     *  prepay_strerror(): "settlement: id, time or number outside the transfer-id scheme" */
    PREPAY_E_SETTLEMENT_ID_RANGE = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 4),
    /** A configuration field is invalid: unknown kind, commodity, method or flag, a negative amount.
     *  prepay_strerror(): "settlement: invalid configuration field" */
    PREPAY_E_SETTLEMENT_BAD_CONFIG = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 5),
    /** A tariff or policy number is out of range, or a meter has no tariff for its commodity.
     *  prepay_strerror(): "settlement: tariff or policy number out of range, or no tariff for the commodity" */
    PREPAY_E_SETTLEMENT_BAD_REFERENCE = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 6),
    /** A meter's tariff meters the other commodity (an electricity meter with a water tariff).
     *  prepay_strerror(): "settlement: tariff meters another commodity" */
    PREPAY_E_SETTLEMENT_COMMODITY = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 7),
    /** A group contradicts the site: a meter already in a group, a sub-meter without an account, a
     *  master that is also a member, a group without a master or members when closing.
     *  prepay_strerror(): "settlement: allocation group contradicts the site" */
    PREPAY_E_SETTLEMENT_GROUP = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 8),
    /** A reading's value is negative or not below the register's modulus.
     *  prepay_strerror(): "settlement: reading outside the register" */
    PREPAY_E_SETTLEMENT_BAD_READING = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 9),
    /** A reading carries a DI (or unit) other than the meter's energy register.
     *  prepay_strerror(): "settlement: reading of another register (DI or unit)" */
    PREPAY_E_SETTLEMENT_WRONG_DI = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 10),
    /** A DL/T 645 reply carries no value (abnormal reply, bad BCD, ...): `error_detail` holds its status.
     *  prepay_strerror(): "settlement: reply carries no value" */
    PREPAY_E_SETTLEMENT_REPLY = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 11),
    /** Same key, other content: a reading at the time of a settled one with another value, a
     *  recharge sequence repeated with another amount, a replacement repeated differently.
     *  prepay_strerror(): "settlement: same key with other content" */
    PREPAY_E_SETTLEMENT_CONFLICT = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 12),
    /** A recharge sequence skips numbers (the next must be the account's count + 1).
     *  prepay_strerror(): "settlement: recharge sequence skips numbers" */
    PREPAY_E_SETTLEMENT_SEQUENCE = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 13),
    /** A period boundary is not after the open period's end, or not at midnight.
     *  prepay_strerror(): "settlement: period boundary not after the open period, or not at midnight" */
    PREPAY_E_SETTLEMENT_PERIOD = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 14),
    /** The books were not opened (prepay_settlement_open()) for an account in the call.
     *  prepay_strerror(): "settlement: books not opened for the account" */
    PREPAY_E_SETTLEMENT_NOT_OPEN = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 15),
    /** The ledger refused a settlement transfer (`error_detail`: its result): the ledger is full, or
     *  its balances differ from the site's (someone posted to a settlement account behind it).
     *  prepay_strerror(): "settlement: ledger refused a settlement transfer" */
    PREPAY_E_SETTLEMENT_BOOKS = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 16),
    /** prepay_settlement_verify(): the site's balances disagree with the ledger or with its totals.
     *  prepay_strerror(): "settlement: site balances disagree with the ledger" */
    PREPAY_E_SETTLEMENT_MISMATCH = PREPAY_STATUS_MAKE(PREPAY_MODULE_SETTLEMENT, 17)
};

/* ---- ids ------------------------------------------------------------------ */

/**
 * @brief A settlement id: 128 bits, injective over (kind, subject, period, sequence).
 *
 * `hi = subject << 32 | period`, `lo = kind << 56 | sequence`: kind 1..255,
 * subject (an account or meter id) and period 0..2^32-1 each, sequence
 * 0..2^56-1. Distinct tuples always give distinct ids (the fields are packed,
 * never hashed), so 2^32 meters x 2^32 periods never collide. Events carry it;
 * transfers carry its 64-bit ledger key (prepay_settlement_ledger_key()).
 */
typedef struct prepay_settlement_id {
    uint64_t hi; /**< subject << 32 | period */
    uint64_t lo; /**< kind << 56 | sequence */
} prepay_settlement_id_t;

/** @brief Largest account or meter id usable in a ledger key (2^27 - 1). */
#define PREPAY_SETTLEMENT_SUBJECT_MAX 134217727u

/**
 * @brief Id kinds. 1..31 are transfers (they have a 64-bit ledger key); 64..127 are events.
 *
 * Subject, period and sequence of each kind are listed in docs/settlement.md.
 */
enum prepay_settlement_kind {
    PREPAY_SETTLEMENT_KIND_READING = 1,            /**< meter, reading time: the interval's deduction */
    PREPAY_SETTLEMENT_KIND_READING_DEBT = 2,       /**< meter, reading time: the part the wallet could not take */
    PREPAY_SETTLEMENT_KIND_EMERGENCY = 3,          /**< account, time: emergency credit lent */
    PREPAY_SETTLEMENT_KIND_RECHARGE = 4,           /**< account, recharge sequence: the top-up */
    PREPAY_SETTLEMENT_KIND_RECHARGE_EMERGENCY = 5, /**< account, recharge sequence: emergency credit repaid */
    PREPAY_SETTLEMENT_KIND_RECHARGE_DEBT = 6,      /**< account, recharge sequence: debt repaid */
    PREPAY_SETTLEMENT_KIND_ALLOCATION = 7,         /**< account, period end day, seq = group number: a share */
    PREPAY_SETTLEMENT_KIND_ALLOCATION_DEBT = 8,    /**< as ALLOCATION: the part that became debt */
    PREPAY_SETTLEMENT_KIND_CHARGE = 9,             /**< account, occurrence, seq = item id: a charge item */
    PREPAY_SETTLEMENT_KIND_CHARGE_DEBT = 10,       /**< as CHARGE: the part that became debt */
    PREPAY_SETTLEMENT_KIND_ORDER_FIRST = 16,       /**< 16..23 reserved for payment orders (payment.h: 16, 17), refunds and sales */
    PREPAY_SETTLEMENT_KIND_REFUND = 18,            /**< account, refund sequence: wallet -> site refunds payable */
    PREPAY_SETTLEMENT_KIND_SALE = 19,              /**< account, sale sequence: wallet -> site revenue (a meter purse's purchase) */
    PREPAY_SETTLEMENT_KIND_ORDER_LAST = 23,        /**< last kind reserved for payment orders */
    PREPAY_SETTLEMENT_KIND_EVENT = 64              /**< event ids: kind = 64 + event type */
};

/* ---- configuration ---------------------------------------------------------- */

/** @brief "None" for 16-bit tariff and policy numbers. */
#define PREPAY_SETTLEMENT_NONE16 0xFFFFu
/** @brief "None" for 32-bit indexes. */
#define PREPAY_SETTLEMENT_NONE 0xFFFFFFFFu

/** @brief What a meter measures. */
enum prepay_settlement_commodity {
    PREPAY_SETTLEMENT_ELECTRICITY = 0, /**< electricity: Wh, priced by an energy tariff */
    PREPAY_SETTLEMENT_WATER = 1        /**< water: L, priced by a water tariff (water ladder) */
};

/** @brief Number of commodities. */
#define PREPAY_SETTLEMENT_COMMODITIES 2

/** @brief How an account pays. */
enum prepay_settlement_account_kind {
    PREPAY_SETTLEMENT_PREPAID_REMOTE = 1, /**< remote cost control: the station keeps the wallet and trips */
    PREPAY_SETTLEMENT_PREPAID_LOCAL = 2,  /**< local cost control: the meter keeps the purse, the ledger mirrors it */
    PREPAY_SETTLEMENT_POSTPAID = 3        /**< charges are owed and billed by statements */
};

/** @brief Account flag: vacant or unsold for now (allocation vacancy rule; no charge items). */
#define PREPAY_SETTLEMENT_ACCOUNT_VACANT 0x01u
/** @brief All account flags. */
#define PREPAY_SETTLEMENT_ACCOUNT_FLAGS 0x01u

/** @brief Configuration of an account (prepay_settlement_account_config_init() gives the defaults). */
typedef struct prepay_settlement_account_config {
    uint32_t id;                  /**< 1..::PREPAY_SETTLEMENT_SUBJECT_MAX, unique in the site */
    uint8_t kind;                 /**< ::prepay_settlement_account_kind */
    uint8_t flags;                /**< PREPAY_SETTLEMENT_ACCOUNT_* */
    uint16_t policy;              /**< prepaid: wallet policy number (index in the site's policies) */
    uint16_t tariff[PREPAY_SETTLEMENT_COMMODITIES]; /**< tariff number per commodity, or ::PREPAY_SETTLEMENT_NONE16 */
    int64_t area;                 /**< built area in 0.01 m^2 (charge items per m^2, allocation by area), >= 0 */
    int64_t units;                /**< unit count for charge items per unit, >= 0 */
    prepay_days_t active_from;    /**< first day charge items apply (move-in) */
    prepay_days_t active_to;      /**< first day they no longer apply (move-out, exclusive) */
    prepay_money_t max_balance;   /**< hoarding limit of the wallet (0: none), >= 0 */
    prepay_money_t opening;       /**< postpaid: balance brought forward into the first statement */
    prepay_tariff_account_t tariff_account; /**< tier adjustments and service period (household size) */
} prepay_settlement_account_config_t;

/** @brief Meter flag: `initial_time` and `initial_reading` give the reading at installation (the meter starts primed). */
#define PREPAY_SETTLEMENT_METER_INITIAL 0x01u
/** @brief All meter flags. */
#define PREPAY_SETTLEMENT_METER_FLAGS 0x01u

/** @brief Register modulus of DL/T 645 XXXXXX.XX kWh energy items: 10^6 kWh = 10^9 Wh. */
#define PREPAY_SETTLEMENT_DLT645_MODULUS 1000000000

/** @brief Configuration of a meter (prepay_settlement_meter_config_init() gives the defaults). */
typedef struct prepay_settlement_meter_config {
    uint32_t id;                      /**< 1..::PREPAY_SETTLEMENT_SUBJECT_MAX, unique in the site */
    uint32_t account_id;              /**< account it bills, or 0: a site meter (master), only allocated */
    uint32_t di;                      /**< DI of its energy register (0: any; default forward active total) */
    uint16_t tariff;                  /**< tariff number, or ::PREPAY_SETTLEMENT_NONE16: the account's for the commodity */
    uint8_t commodity;                /**< ::prepay_settlement_commodity */
    uint8_t flags;                    /**< PREPAY_SETTLEMENT_METER_* */
    prepay_dlt645_address_t address;  /**< DL/T 645 address for replies (all zero: none) */
    prepay_energy_t modulus;          /**< register rollover modulus in Wh (L); 0: the register never rolls over */
    int64_t max_power;                /**< plausibility limit in W (L/h) for rollover and jumps; 0: none */
    prepay_time_t initial_time;       /**< with ::PREPAY_SETTLEMENT_METER_INITIAL: installation time */
    prepay_energy_t initial_reading;  /**< with ::PREPAY_SETTLEMENT_METER_INITIAL: register at installation */
} prepay_settlement_meter_config_t;

/** @brief How an allocation group splits the common charge. */
enum prepay_settlement_method {
    PREPAY_SETTLEMENT_BY_RATIO = 0, /**< fixed ratios (each member's `ratio`) */
    PREPAY_SETTLEMENT_BY_AREA = 1,  /**< the members' accounts' built area */
    PREPAY_SETTLEMENT_BY_USAGE = 2, /**< the members' own energy in the period */
    PREPAY_SETTLEMENT_BY_EQUAL = 3  /**< one equal share per member */
};

/** @brief Group flag: weigh each share by the days its account was active in the period. */
#define PREPAY_SETTLEMENT_GROUP_BY_DAYS 0x01u
/** @brief Group flag: with day weighting, the owner pays the inactive days (prepay_allocation_request_t). */
#define PREPAY_SETTLEMENT_GROUP_OWNER_PAYS_UNOCCUPIED 0x02u
/** @brief All group flags. */
#define PREPAY_SETTLEMENT_GROUP_FLAGS 0x03u

/** @brief Configuration of an allocation group (common-area, 公摊). */
typedef struct prepay_settlement_group_config {
    uint16_t number;           /**< 1..4095, unique in the site; part of the allocation transfer ids */
    uint8_t method;            /**< ::prepay_settlement_method */
    uint8_t residual_policy;   /**< ::prepay_allocation_residual_policy_t for sub-meters above the master */
    uint8_t vacancy;           /**< ::prepay_allocation_vacancy_t for vacant accounts */
    uint8_t flags;             /**< PREPAY_SETTLEMENT_GROUP_* */
    uint16_t tariff;           /**< tariff number pricing the common energy */
    uint32_t master_meter_id;  /**< the master meter (a site meter or any meter) */
    uint32_t owner_account_id; /**< pays vacant shares (::PREPAY_ALLOCATION_VACANT_OWNER), 0: none */
} prepay_settlement_group_config_t;

/** @brief A sub-meter of an allocation group. */
typedef struct prepay_settlement_member_config {
    uint16_t group;    /**< the group's number */
    uint32_t meter_id; /**< the sub-meter (must bill an account: the share goes to that account) */
    int64_t ratio;     /**< weight under ::PREPAY_SETTLEMENT_BY_RATIO (>= 0); ignored otherwise */
} prepay_settlement_member_config_t;

/** @brief A tariff as the site uses it: a plan (tariff.h) and the version copied into transfers. */
typedef struct prepay_settlement_tariff {
    prepay_tariff_plan_t plan; /**< the plan (its tariffs must outlive the site) */
    uint32_t version;          /**< copied into each transfer's `tariff_version` */
} prepay_settlement_tariff_t;

/** @brief Site-wide configuration (pointers to caller arrays that must outlive the site). */
typedef struct prepay_settlement_config {
    prepay_settlement_tariff_t *tariffs;       /**< tariff numbers index this array (prepay_settlement_init() seals each plan) */
    uint16_t tariff_count;                     /**< 0..::PREPAY_MAX_SETTLEMENT_TARIFFS */
    uint16_t policy_count;                     /**< 0..::PREPAY_MAX_SETTLEMENT_POLICIES */
    uint16_t item_count;                       /**< 0..::PREPAY_MAX_SETTLEMENT_ITEMS */
    uint8_t restore_command;                   /**< ::PREPAY_DLT645_RELAY_CLOSE_ALLOWED (default) or ::PREPAY_DLT645_RELAY_DIRECT_CLOSE */
    uint8_t reserved;                          /**< 0 */
    const prepay_wallet_policy_t *policies;    /**< policy numbers index this array */
    const prepay_charge_item_t *items;         /**< charge items (billing.h), run at each period close */
    prepay_time_t period_start;                /**< start of the first period (midnight) */
    prepay_time_t period_end;                  /**< its end (midnight, > period_start) */
    int64_t gap_seconds;                       /**< a reading interval longer than this raises READING_GAP (0: never) */
    int32_t due_days;                          /**< statements: due date = issue date + due_days (>= 0) */
} prepay_settlement_config_t;

/* ---- site records (caller memory; members are private unless said otherwise) -- */

/** @brief The site's own copy of an account's balances and totals (what it posted). */
typedef struct prepay_settlement_balances {
    prepay_money_t balance;           /**< wallet: credits - debits */
    prepay_money_t debt;              /**< owed on the debt account (debits - credits) */
    prepay_money_t emergency;         /**< emergency credit owed */
    prepay_money_t recharged;         /**< sum of recharges */
    prepay_money_t energy;            /**< energy charges (wallet and debt parts) */
    prepay_money_t shares;            /**< common-area shares */
    prepay_money_t items;             /**< charge items */
    prepay_money_t debt_created;      /**< charges that went to debt */
    prepay_money_t debt_repaid;       /**< debt repaid by recharges */
    prepay_money_t emergency_granted; /**< emergency credit lent */
    prepay_money_t emergency_repaid;  /**< emergency credit repaid by recharges */
    prepay_money_t refunded;          /**< sum of refunds paid out of the wallet (prepay_settlement_refund()) */
    prepay_money_t sold;              /**< sum of sales to meter purses (prepay_settlement_sell()) */
} prepay_settlement_balances_t;

/** @brief One energy line kept for a postpaid account's next statement. */
typedef struct prepay_settlement_usage_line {
    prepay_energy_t energy;  /**< Wh or L */
    prepay_amount_t amount;  /**< exact amount */
    uint8_t commodity;       /**< ::prepay_settlement_commodity */
    uint8_t band;            /**< tariff band, 0 for fixed lines and the overflow line */
    uint8_t tier;            /**< tier, 0 for fixed lines and the overflow line */
    uint8_t used;            /**< 1 if the line is in use */
} prepay_settlement_usage_line_t;

/** @brief A postpaid account's usage since its last statement. */
typedef struct prepay_settlement_usage {
    prepay_settlement_usage_line_t lines[PREPAY_SETTLEMENT_USAGE_LINES]; /**< distinct (commodity, band, tier) */
    prepay_money_t posted;   /**< energy money posted in the period (the lines are scaled to it) */
    uint32_t count;          /**< lines in use */
} prepay_settlement_usage_t;

/** @brief An account record.
 *
 * Laid out by use: what settling a reading reads and changes of a prepaid account (`books` to
 * `relay`) comes first, then the configuration (whose first members a reading reads), then what
 * only recharges, statements and shared ladders use; a reading then touches the record's first
 * 160 bytes (docs/settlement.md, "Cost"). */
typedef struct prepay_settlement_account {
    prepay_settlement_balances_t books;        /**< read only: the site's balances and totals */
    uint32_t first_meter;             /**< private: first meter of the account */
    uint32_t meter_count[PREPAY_SETTLEMENT_COMMODITIES]; /**< private: meters per commodity */
    uint32_t recharges;               /**< read only: recharges applied (the last sequence) */
    uint32_t refunds;                 /**< read only: refunds applied (the last sequence) */
    uint32_t sales;                   /**< read only: sales to meter purses applied (the last sequence) */
    uint32_t grants;                  /**< private: emergency credit grants (their sequence) */
    uint32_t command_calls;           /**< private: prepay_settlement_set_commands() calls */
    uint32_t usage;                   /**< private: usage record index (postpaid) */
    uint32_t mark;                    /**< private: undo generation */
    uint32_t wallet_at;               /**< private: ledger position + 1 of its wallet (prepay_ledger_account_position(), a hint; 0: none) */
    prepay_wallet_state_t wallet;     /**< read only: wallet decision state */
    uint8_t commands;                 /**< read only: PREPAY_WALLET_IN_* commands in force */
    uint8_t opened;                   /**< private: ledger accounts created */
    uint8_t relay;                    /**< read only: last relay command (::prepay_wallet_relay) */
    uint8_t tariff_defaults;          /**< private: 1 when `config.tariff_account` holds the defaults (pricing then reads none of it) */
    prepay_settlement_account_config_t config; /**< as added (read only) */
    prepay_energy_t ladder_energy[PREPAY_SETTLEMENT_COMMODITIES][2]; /**< private: shared tier counters (current, previous cycle) */
    int32_t ladder_cycle[PREPAY_SETTLEMENT_COMMODITIES][2];          /**< private: their cycles */
    prepay_amount_t ladder_carry[PREPAY_SETTLEMENT_COMMODITIES];     /**< private: exact priced minus charged (shared ladders) */
    prepay_money_t ladder_charged[PREPAY_SETTLEMENT_COMMODITIES];    /**< private: dues charged (shared ladders) */
    prepay_money_t statement_opening; /**< private: opening of the next statement */
    prepay_money_t period_paid;       /**< private: recharges since the last statement */
    prepay_money_t period_shares;     /**< private: common-area shares since the last statement */
    prepay_money_t period_items;      /**< private: charge items since the last statement */
} prepay_settlement_account_t;

/** @brief A meter record. */
typedef struct prepay_settlement_meter {
    prepay_settlement_meter_config_t config; /**< as added (read only) */
    /* Laid out by use: the configuration (read by every reading), then what settling a reading
     * reads and changes (the undo log saves from `account` to `mark` for a reading), then what
     * only replacements, groups and account lists use. */
    uint32_t account;                /**< private: account index or ::PREPAY_SETTLEMENT_NONE */
    uint16_t tariff;                 /**< private: tariff number in use */
    uint8_t role;                    /**< private: 0 none, 1 master, 2 member */
    uint8_t flags;                   /**< private */
    prepay_tariff_compact_state_t stream; /**< private: the tariff stream of this meter */
    prepay_time_t time;              /**< read only: time of the last settled reading */
    prepay_energy_t reading;         /**< read only: last settled register value */
    prepay_energy_t total;           /**< read only: energy settled since the meter was added */
    prepay_energy_t open;            /**< private: energy attributed to the open period */
    prepay_energy_t next;            /**< private: energy attributed after the open period */
    uint32_t open_period;            /**< private: period index of `open` */
    uint32_t mark;                   /**< private: undo generation */
    prepay_time_t replaced_at;       /**< private: last replacement time */
    prepay_energy_t replaced_final;  /**< private: the old register's final value */
    prepay_energy_t replaced_initial; /**< private: the new register's initial value */
    uint32_t next_meter;             /**< private: next meter of the same account */
    uint32_t group;                  /**< private: group index or ::PREPAY_SETTLEMENT_NONE */
    /** private: pads the record to 320 bytes, 5 cache lines: in an array on a line boundary
     *  (prepay_settlement_memory_alloc()) every record starts a line, and the part a reading uses
     *  (its first 232 bytes) lies in 4 lines instead of 4.5 on average at 264 bytes */
    uint8_t reserved[56];
} prepay_settlement_meter_t;

/** @brief An allocation group record. */
typedef struct prepay_settlement_group {
    prepay_settlement_group_config_t config; /**< as added (read only) */
    prepay_tariff_state_t stream;    /**< private: tariff stream of the common energy */
    prepay_energy_t carry;           /**< read only: negative residual carried (::PREPAY_ALLOCATION_RESIDUAL_CARRY) */
    prepay_energy_t last_common;     /**< read only: common energy of the last close */
    prepay_money_t last_charge;      /**< read only: common charge of the last close */
    uint32_t master;                 /**< private: master meter index */
    uint32_t first_member;           /**< private: first member index */
    uint32_t last_member;            /**< private: last member index (members keep their order) */
    uint32_t member_count;           /**< read only */
    uint32_t mark;                   /**< private */
} prepay_settlement_group_t;

/** @brief A member record. */
typedef struct prepay_settlement_member {
    prepay_settlement_member_config_t config; /**< as added (read only) */
    uint32_t meter;                  /**< private: meter index */
    uint32_t next;                   /**< private: next member of the group */
} prepay_settlement_member_t;

/** @brief Capacities of a site's memory. */
typedef struct prepay_settlement_sizes {
    uint32_t accounts; /**< accounts, 1..::PREPAY_MAX_SETTLEMENT_ACCOUNTS */
    uint32_t meters;   /**< meters, 1..::PREPAY_MAX_SETTLEMENT_METERS */
    uint32_t groups;   /**< groups, 0..::PREPAY_MAX_SETTLEMENT_GROUPS */
    uint32_t members;  /**< members over all groups, 0..::PREPAY_MAX_SETTLEMENT_MEMBERS */
    uint32_t postpaid; /**< postpaid accounts (usage records), 0..accounts */
} prepay_settlement_sizes_t;

/**
 * @brief Caller memory of a site: record arrays and id indexes.
 *
 * prepay_settlement_memory_layout() carves one buffer into these; or fill
 * them by hand: index slot counts are powers of two greater than twice the
 * matching capacity (the address index may have 0 slots: no reply lookup).
 */
typedef struct prepay_settlement_memory {
    prepay_settlement_account_t *accounts; /**< account records */
    prepay_settlement_meter_t *meters;     /**< meter records */
    prepay_settlement_group_t *groups;     /**< group records (may be NULL with capacity 0) */
    prepay_settlement_member_t *members;   /**< member records (may be NULL with capacity 0) */
    prepay_settlement_usage_t *usage;      /**< postpaid usage records (may be NULL with capacity 0) */
    uint32_t *account_index;               /**< hash slots over account ids */
    uint64_t *meter_index;                 /**< hash slots over meter ids: id << 32 | (position + 1), 0 = empty
                                                (the id in the slot: a batch finds its meters without their records) */
    uint32_t *address_index;               /**< hash slots over meter addresses (may be NULL with 0 slots) */
    prepay_settlement_sizes_t sizes;       /**< capacities */
    uint32_t account_index_slots;          /**< power of two > 2 x accounts */
    uint32_t meter_index_slots;            /**< power of two > 2 x meters */
    uint32_t address_index_slots;          /**< 0, or a power of two > 2 x meters */
} prepay_settlement_memory_t;

/** @brief A site. Members are private; use the functions. */
typedef struct prepay_settlement_site {
    prepay_settlement_memory_t memory; /**< private */
    prepay_settlement_config_t config; /**< private: copy of the configuration */
    uint32_t account_count;            /**< private */
    uint32_t meter_count;              /**< private */
    uint32_t group_count;              /**< private */
    uint32_t member_count;             /**< private */
    uint32_t usage_count;              /**< private */
    uint32_t generation;               /**< private: undo generation */
    uint32_t period_index;             /**< read only: periods closed so far */
    uint32_t magic;                    /**< private */
    prepay_time_t period_start;        /**< read only: start of the open period */
    prepay_time_t period_end;          /**< read only: end of the open period */
} prepay_settlement_site_t;

/* ---- inputs ---------------------------------------------------------------- */

/** @brief A reading: a register value of a meter at a time (library units). */
typedef struct prepay_settlement_reading {
    uint32_t meter_id;    /**< the meter */
    uint32_t di;          /**< DI of the value (0: the meter's register, unchecked) */
    prepay_time_t time;   /**< when it was read (local seconds since 2000; 0..2^32-1) */
    prepay_energy_t value; /**< register value in Wh (L), 0 <= value < modulus */
} prepay_settlement_reading_t;

/** @brief A meter replacement: the old meter's final reading and the new meter's initial one. */
typedef struct prepay_settlement_replacement {
    uint32_t meter_id;           /**< the meter (its id stays; the register is new) */
    prepay_time_t time;          /**< when it was replaced */
    prepay_energy_t final_reading;   /**< the old register at removal (settled as a reading at `time`) */
    prepay_energy_t initial_reading; /**< the new register at installation */
    prepay_energy_t modulus;     /**< the new register's modulus (0: keep the old one's) */
} prepay_settlement_replacement_t;

/** @brief A recharge (top-up): posted as a linked chain (recharge, repay emergency credit, repay debt). */
typedef struct prepay_settlement_recharge {
    uint32_t account_id;      /**< the account */
    uint32_t sequence;        /**< the account's recharge number: its count + 1 (a repeat is harmless) */
    prepay_money_t amount;    /**< > 0 */
    uint64_t order_id;        /**< payment order, copied into the transfers' user data */
    uint64_t pending_id;      /**< 0, or a pending transfer (clearing -> wallet, this amount) that this posts */
    prepay_time_t time;       /**< when it was paid */
} prepay_settlement_recharge_t;

/** @brief A refund: money paid back from the wallet to the payer through the payment channel. */
typedef struct prepay_settlement_refund {
    uint32_t account_id;      /**< the account */
    uint32_t sequence;        /**< the account's refund number: its count + 1 (a repeat is harmless) */
    prepay_money_t amount;    /**< > 0, at most the refundable balance */
    uint64_t order_id;        /**< the refund order (or the refunded payment order), copied into the transfer */
    prepay_time_t time;       /**< when it was paid out */
} prepay_settlement_refund_t;

/** @brief A sale: money a prepaid local account's meter purse buys from its wallet (e.g. a water meter's purchase). */
typedef struct prepay_settlement_sale {
    uint32_t account_id;      /**< the account (prepaid local) */
    uint32_t sequence;        /**< the account's sale number: its count + 1 (a repeat is harmless) */
    uint8_t commodity;        /**< ::prepay_settlement_commodity sold: its revenue account is credited */
    prepay_money_t amount;    /**< > 0, at most the wallet's balance */
    uint64_t order_id;        /**< the purchase (e.g. the meter's purchase serial), copied into the transfer */
    prepay_time_t time;       /**< when it was sold */
} prepay_settlement_sale_t;

/** @brief How a recharge was split (the chain of prepay_wallet_split_recharge()). */
typedef struct prepay_settlement_recharge_split {
    prepay_money_t to_emergency; /**< repaid emergency credit */
    prepay_money_t to_debt;      /**< repaid debt */
    prepay_money_t to_balance;   /**< credited to the balance (a local meter must be sent this) */
    int status;                  /**< ::PREPAY_OK (applied now) or ::PREPAY_LEDGER_EXISTS (a repeat) */
} prepay_settlement_recharge_split_t;

/* ---- events ---------------------------------------------------------------- */

/** @brief Event types (an event's id kind is ::PREPAY_SETTLEMENT_KIND_EVENT + type). */
enum prepay_settlement_event_type {
    PREPAY_SETTLEMENT_EVENT_ALARM_LEVEL = 1,     /**< the alarm level changed (`from_level` -> `level`) */
    PREPAY_SETTLEMENT_EVENT_LOW_BALANCE = 2,     /**< the level rose: the balance fell to a threshold */
    PREPAY_SETTLEMENT_EVENT_CUTOFF = 3,          /**< the cut-off latched */
    PREPAY_SETTLEMENT_EVENT_RESTORED = 4,        /**< the cut-off was released (restore allowed) */
    PREPAY_SETTLEMENT_EVENT_COMMAND = 5,         /**< a relay command for a remote account's meters (`command`) */
    PREPAY_SETTLEMENT_EVENT_ACKNOWLEDGED = 6,    /**< the pre-trip was acknowledged */
    PREPAY_SETTLEMENT_EVENT_EMERGENCY = 7,       /**< emergency credit lent (`amount`) */
    PREPAY_SETTLEMENT_EVENT_EMERGENCY_REPAID = 8, /**< emergency credit fully repaid */
    PREPAY_SETTLEMENT_EVENT_DEBT_CAP = 9,        /**< the debt cap of a no-disconnect period was reached */
    PREPAY_SETTLEMENT_EVENT_TRIP_HELD = 10,      /**< a money trip is held off by a no-disconnect period */
    PREPAY_SETTLEMENT_EVENT_RECHARGE = 11,       /**< a recharge was credited (`amount`; `detail`: to the balance) */
    PREPAY_SETTLEMENT_EVENT_DEBT_CREATED = 12,   /**< a charge the wallet could not take became debt (`amount`) */
    PREPAY_SETTLEMENT_EVENT_DEBT_REPAID = 13,    /**< a recharge repaid debt (`amount`) */
    PREPAY_SETTLEMENT_EVENT_STATEMENT = 14,      /**< a postpaid statement was issued (`amount`: closing; `detail`: statement id) */
    PREPAY_SETTLEMENT_EVENT_REPLACED = 15,       /**< a meter was replaced (`energy`: the old meter's last interval) */
    PREPAY_SETTLEMENT_EVENT_ROLLOVER = 16,       /**< a register rolled over at its modulus (`energy` billed) */
    PREPAY_SETTLEMENT_EVENT_RESET = 17,          /**< a register went backwards without a rollover: not billed, re-primed */
    PREPAY_SETTLEMENT_EVENT_JUMP = 18,           /**< a register jumped beyond the meter's plausible power: not billed */
    PREPAY_SETTLEMENT_EVENT_GAP = 19,            /**< a reading interval longer than `gap_seconds` (`energy` spread over it) */
    PREPAY_SETTLEMENT_EVENT_SHARE = 20,          /**< a common-area share was posted (`amount`, `energy`) */
    PREPAY_SETTLEMENT_EVENT_CHARGE = 21,         /**< a charge item was posted (`amount`) */
    PREPAY_SETTLEMENT_EVENT_REFUND = 22,         /**< a refund was paid out of the wallet (`amount`; `detail`: the refund order) */
    PREPAY_SETTLEMENT_EVENT_SALE = 23            /**< a sale to a meter purse (`amount`; `detail`: the sale sequence) */
};

/** @brief Number of event types + 1 (types are 1..). */
#define PREPAY_SETTLEMENT_EVENT_TYPES 24

/**
 * @brief One event. Its id is deterministic: the same input sequence gives the same events with the
 *        same ids, so a consumer (an outbox) dedupes by id.
 *
 * Id: kind ::PREPAY_SETTLEMENT_KIND_EVENT + type; subject the account id
 * (the meter id for meter events: REPLACED, ROLLOVER, RESET, JUMP, GAP);
 * period the time (seconds); sequence the meter id that caused it (readings),
 * the recharge sequence, the group number or item id, or 0.
 */
typedef struct prepay_settlement_event {
    prepay_settlement_id_t id; /**< deterministic id */
    prepay_time_t time;        /**< when (the reading, recharge or period end time) */
    prepay_money_t balance;    /**< wallet balance after (postpaid: owed = debt - balance) */
    prepay_money_t amount;     /**< type-specific amount (see the types) */
    prepay_money_t detail;     /**< type-specific: RECHARGE to the balance; STATEMENT its id */
    prepay_energy_t energy;    /**< type-specific energy */
    uint64_t transfer_id;      /**< ledger key of the transfer behind it (0: none) */
    uint32_t account_id;       /**< the account (0: a site meter) */
    uint32_t meter_id;         /**< the meter (0: account-wide) */
    uint16_t type;             /**< ::prepay_settlement_event_type */
    uint8_t level;             /**< alarm level now */
    uint8_t from_level;        /**< alarm level before */
    uint8_t command;           /**< COMMAND: ::PREPAY_DLT645_RELAY_TRIP, ::PREPAY_DLT645_RELAY_CLOSE_ALLOWED or ::PREPAY_DLT645_RELAY_DIRECT_CLOSE */
    uint8_t reason;            /**< wallet reason (::prepay_wallet_reason) of the relay decision */
    uint8_t relay;             /**< relay decision now (::prepay_wallet_relay) */
    uint8_t reserved;          /**< 0 */
} prepay_settlement_event_t;

/** @brief Receives events and statements (all members may be NULL). */
typedef struct prepay_settlement_sink {
    /** Called once per event, in order, after the call's transfers were applied (and, with a journal,
     *  staged) and before the commit: an outbox stages its records in the same journal batch. */
    void (*event)(void *context, const prepay_settlement_event_t *event);
    /** Called once per issued statement (prepay_settlement_close_period()), at the same point. */
    void (*statement)(void *context, const prepay_statement_t *statement);
    void *context; /**< passed to both */
} prepay_settlement_sink_t;

/* ---- books and work memory ---------------------------------------------------- */

/** @brief Where settlement posts: a ledger, made durable by a journal when one is given. */
typedef struct prepay_settlement_books {
    prepay_ledger_t *ledger;   /**< the ledger (one per site: ids are unique per ledger) */
    prepay_journal_t *journal; /**< NULL: memory only; else an open journal of that ledger (one sync per call) */
} prepay_settlement_books_t;

/** @brief Capacities of a work area (prepay_settlement_work_sizes_default()). */
typedef struct prepay_settlement_work_sizes {
    uint32_t readings;    /**< readings per call */
    uint32_t transfers;   /**< transfers per call */
    uint32_t events;      /**< events kept per call (0: only the sink sees them) */
    uint32_t lines;       /**< tariff lines of one interval */
    size_t undo_bytes;    /**< undo log (records touched by one call) */
    size_t scratch_bytes; /**< period close: charges, allocation parts and lines, statement lines */
} prepay_settlement_work_sizes_t;

/**
 * @brief Work memory of settlement calls (caller memory; prepay_settlement_work_layout()).
 *
 * A call that needs more than it has fails with ::PREPAY_E_BUFFER_TOO_SMALL
 * and changes nothing. `events` and `outcomes` hold the last call's output.
 */
typedef struct prepay_settlement_work {
    prepay_ledger_transfer_t *transfers; /**< private: the call's transfers */
    int *results;                        /**< private: their ledger results */
    uint32_t *debit_at;                  /**< private: their debit accounts' ledger positions (hints, 0: none) */
    prepay_settlement_event_t *events;   /**< the last call's events (when `sizes.events` > 0) */
    int8_t *outcomes;                    /**< the last settle call's outcome per reading (input order) */
    uint64_t *keys;                      /**< private: sort keys (2 x readings) */
    uint32_t *order;                     /**< private: sort order (2 x readings) */
    prepay_tariff_line_t *lines;         /**< private: tariff lines of one interval */
    uint8_t *undo;                       /**< private: undo log */
    uint8_t *scratch;                    /**< private: period close scratch */
    prepay_settlement_work_sizes_t sizes; /**< capacities */
    prepay_settlement_sink_t sink;       /**< where events and statements go (set it directly) */
    uint32_t event_count;                /**< events of the last call (also those beyond `sizes.events`) */
    uint32_t transfer_count;             /**< private */
    size_t undo_used;                    /**< private */
} prepay_settlement_work_t;

/** @brief Outcome of one reading (prepay_settlement_work::outcomes). */
enum prepay_settlement_outcome {
    PREPAY_SETTLEMENT_SETTLED = 1,   /**< priced and posted (possibly 0 fen) */
    PREPAY_SETTLEMENT_PRIMED = 2,    /**< the meter's first reading: nothing to price */
    PREPAY_SETTLEMENT_DUPLICATE = 3, /**< same time and value as the last settled reading: nothing changed */
    PREPAY_SETTLEMENT_LATE = 4,      /**< older than the last settled reading: nothing changed */
    PREPAY_SETTLEMENT_ROLLOVER = 5,  /**< settled across a register rollover */
    PREPAY_SETTLEMENT_RESET = 6,     /**< register went backwards (reset): not billed, re-primed */
    PREPAY_SETTLEMENT_JUMP = 7       /**< implausible jump: not billed, re-primed */
};

/** @brief What a call did; on error, which input was at fault. */
typedef struct prepay_settlement_result {
    uint32_t count;          /**< inputs processed */
    uint32_t settled;        /**< readings priced (SETTLED and ROLLOVER) */
    uint32_t primed;         /**< first readings */
    uint32_t ignored;        /**< duplicates and late readings */
    uint32_t anomalies;      /**< rollovers, resets and jumps */
    uint32_t transfers;      /**< transfers applied by this call */
    uint32_t existed;        /**< transfers already in the ledger (a re-run) */
    uint32_t events;         /**< events emitted */
    prepay_money_t posted;   /**< money posted by this call (charges and recharges, all parts) */
    uint32_t error_index;    /**< on error: position of the bad input (::PREPAY_SETTLEMENT_NONE: none) */
    uint32_t error_id;       /**< on error: id of the meter, account or group at fault (0: none) */
    int error_detail;        /**< on error: the underlying status (ledger result, reply status, tariff error) */
} prepay_settlement_result_t;

PREPAY_BEGIN_DECLS

/* ---- ids ------------------------------------------------------------------ */

/**
 * @brief Packs an id.
 * @param kind 1..255 (::prepay_settlement_kind).
 * @param subject account or meter id.
 * @param period time in seconds, day, occurrence or recharge sequence (per kind).
 * @param sequence 0..2^56-1.
 * @param out the id; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p out);
 * ::PREPAY_E_SETTLEMENT_ID_RANGE (kind 0 or above 255, sequence >= 2^56).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_id_make(unsigned kind, uint32_t subject, uint32_t period, uint64_t sequence,
                                         prepay_settlement_id_t *out);

/**
 * @brief Unpacks an id (any pointer may be NULL).
 * @param id the id.
 * @param kind out: the kind.
 * @param subject out: the subject.
 * @param period out: the period.
 * @param sequence out: the sequence.
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_settlement_id_split(const prepay_settlement_id_t *id, unsigned *kind, uint32_t *subject,
                                           uint32_t *period, uint64_t *sequence);

/**
 * @brief The 64-bit ledger key of a transfer id: `kind << 59 | subject << 32 | packed`.
 *
 * Today's ledger ids are 64 bits, fewer than an injective (kind, subject,
 * period, sequence) needs, so the key holds 5 bits of kind (1..31), 27 bits
 * of subject (1..::PREPAY_SETTLEMENT_SUBJECT_MAX) and 32 bits packed per kind:
 * READING*, EMERGENCY, RECHARGE*: the period (sequence 0); ALLOCATION*:
 * `group << 20 | day` (group 1..4095, day < 2^20); CHARGE*: `item << 16 |
 * occurrence` (both 16 bits); ORDER kinds: the period (sequence 0). Inside
 * these ranges distinct ids give distinct keys and
 * prepay_settlement_ledger_key_split() inverts it; outside them the key is
 * refused, never folded.
 * @param id a transfer id.
 * @param out the key; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL);
 * ::PREPAY_E_SETTLEMENT_ID_RANGE (an event kind, kind above 31, subject 0 or
 * too large, a field outside its range).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_ledger_key(const prepay_settlement_id_t *id, uint64_t *out);

/**
 * @brief The id of a ledger key made by prepay_settlement_ledger_key().
 * @param key the key.
 * @param out the id; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_SETTLEMENT_ID_RANGE
 * (not a key of the scheme: kind 0 or unassigned, subject 0).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_ledger_key_split(uint64_t key, prepay_settlement_id_t *out);

/** @brief Ledger account roles of a settlement account (low byte of the ledger account id). */
enum prepay_settlement_role {
    PREPAY_SETTLEMENT_ROLE_WALLET = 1,    /**< the account's wallet (kind WALLET) */
    PREPAY_SETTLEMENT_ROLE_DEBT = 2,      /**< its debt account (kind DEBT) */
    PREPAY_SETTLEMENT_ROLE_EMERGENCY = 3  /**< its emergency credit account (kind EMERGENCY_CREDIT) */
};

/** @brief Site-wide ledger accounts (account id 0 with these roles). */
enum prepay_settlement_site_role {
    PREPAY_SETTLEMENT_SITE_CLEARING = 1,      /**< payment clearing (recharges come from it) */
    PREPAY_SETTLEMENT_SITE_ELECTRICITY = 2,   /**< revenue: electricity */
    PREPAY_SETTLEMENT_SITE_WATER = 3,         /**< revenue: water */
    PREPAY_SETTLEMENT_SITE_COMMON_AREA = 4,   /**< revenue: common-area shares */
    PREPAY_SETTLEMENT_SITE_CHARGES = 5,       /**< revenue: charge items */
    PREPAY_SETTLEMENT_SITE_REFUNDS = 6,       /**< refunds payable */
    PREPAY_SETTLEMENT_SITE_ADJUSTMENTS = 7    /**< corrections */
};

/**
 * @brief Ledger account id of a settlement account's role: `account_id << 8 | role`.
 * @param account_id the account (0: the site-wide accounts).
 * @param role ::prepay_settlement_role (or ::prepay_settlement_site_role with account 0).
 * @return the id, or 0 if the role is 0 or above 255.
 *
 * **Errors:** none; 0 for a bad role.
 */
PREPAY_API uint64_t prepay_settlement_ledger_account_id(uint32_t account_id, unsigned role);

/* ---- site ------------------------------------------------------------------- */

/**
 * @brief Bytes of one buffer holding a site's memory (for prepay_settlement_memory_layout()).
 * @param sizes capacities.
 * @param bytes out: the size in bytes.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, a capacity above its
 * `PREPAY_MAX_SETTLEMENT_*` macro, no account or meter, more postpaid records
 * than accounts); ::PREPAY_E_OVERFLOW (does not fit size_t).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_memory_size(const prepay_settlement_sizes_t *sizes, size_t *bytes);

/**
 * @brief Carves a buffer of prepay_settlement_memory_size() bytes into a site's memory.
 * @param memory out: the memory description (with an address index).
 * @param buffer the buffer, aligned for uint64_t.
 * @param size its size in bytes.
 * @param sizes capacities.
 * @return ::PREPAY_OK, or an error; @p memory untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, misaligned buffer, bad sizes);
 * ::PREPAY_E_BUFFER_TOO_SMALL (@p size too small).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_memory_layout(prepay_settlement_memory_t *memory, void *buffer, size_t size,
                                               const prepay_settlement_sizes_t *sizes);

/**
 * @brief Initialises an empty site on caller memory.
 * @param site the site.
 * @param memory its memory (copied; the arrays must outlive the site).
 * @param config the configuration (copied; the arrays it points to must outlive the site).
 * @param result on error: the tariff or policy at fault (`error_index`); may be NULL.
 * @return ::PREPAY_OK, or an error; @p site untouched on error.
 *
 * Every tariff plan is validated and sealed (prepay_tariff_plan_seal(): after
 * this, change a tariff only followed by prepay_tariff_touch() and a new
 * seal) and every policy checked (prepay_wallet_policy_check()).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, bad memory, more tariffs,
 * policies or items than the macros allow, NULL arrays with counts);
 * ::PREPAY_E_SETTLEMENT_PERIOD (the first period is not midnight to a later
 * midnight, or outside 0..2^32-1 s); ::PREPAY_E_SETTLEMENT_BAD_CONFIG (bad
 * restore command, negative gap or due days, a charge item for an account
 * id out of range); the tariff's and policy's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_init(prepay_settlement_site_t *site, const prepay_settlement_memory_t *memory,
                                      const prepay_settlement_config_t *config, prepay_settlement_result_t *result);

/**
 * @brief Default account configuration: prepaid remote, policy 0, tariff 0 for electricity, none for
 *        water, no area, always active, no hoarding limit, no tier adjustment.
 * @param config the configuration to fill.
 *
 * **Errors:** none; does nothing for NULL.
 */
PREPAY_API void prepay_settlement_account_config_init(prepay_settlement_account_config_t *config);

/**
 * @brief Default meter configuration: electricity, the account's tariff, forward active energy
 *        (::PREPAY_DI_FORWARD_ACTIVE_TOTAL), DL/T 645 modulus, no plausibility limit, no address.
 * @param config the configuration to fill.
 *
 * **Errors:** none; does nothing for NULL.
 */
PREPAY_API void prepay_settlement_meter_config_init(prepay_settlement_meter_config_t *config);

/**
 * @brief Adds an account.
 * @param site the site.
 * @param config the account (copied).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * Its ledger accounts are created by the next prepay_settlement_open().
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, uninitialised site);
 * ::PREPAY_E_SETTLEMENT_ID_RANGE; ::PREPAY_E_SETTLEMENT_BAD_CONFIG (kind,
 * flags, negative area, units or hoarding limit, active_to < active_from, bad
 * tier adjustment); ::PREPAY_E_SETTLEMENT_BAD_REFERENCE (a tariff or policy
 * number out of range); ::PREPAY_E_SETTLEMENT_COMMODITY (a tariff of the other
 * unit for a commodity); ::PREPAY_E_SETTLEMENT_DUPLICATE_ID;
 * ::PREPAY_E_CAPACITY (the account table, or the postpaid usage records, are full).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_add_account(prepay_settlement_site_t *site,
                                             const prepay_settlement_account_config_t *config);

/**
 * @brief Adds a meter (its account must have been added first).
 * @param site the site.
 * @param config the meter (copied).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_ID_RANGE (id,
 * or an initial time outside 0..2^32-1); ::PREPAY_E_SETTLEMENT_BAD_CONFIG
 * (commodity, flags, negative modulus or power, an initial reading outside
 * the register); ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
 * ::PREPAY_E_SETTLEMENT_BAD_REFERENCE (no tariff for the commodity, or a
 * number out of range); ::PREPAY_E_SETTLEMENT_COMMODITY;
 * ::PREPAY_E_SETTLEMENT_GROUP (a second meter of the same commodity joining an
 * account whose tariff has two price sets with different ladders: the shared
 * ladder cannot be kept); ::PREPAY_E_TARIFF_NEEDS_BANDS (a billed meter priced
 * by a tariff in proportional mode: its lines come only at cycle end, which
 * real-time deduction cannot use);
 * ::PREPAY_E_SETTLEMENT_DUPLICATE_ID (id or address); ::PREPAY_E_CAPACITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_add_meter(prepay_settlement_site_t *site, const prepay_settlement_meter_config_t *config);

/**
 * @brief Adds an allocation group (its master meter must exist).
 * @param site the site.
 * @param config the group (copied).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_ID_RANGE
 * (number 0 or above 4095, owner id out of range); ::PREPAY_E_SETTLEMENT_BAD_CONFIG
 * (method, policy, vacancy rule, flags); ::PREPAY_E_SETTLEMENT_BAD_REFERENCE
 * (tariff); ::PREPAY_E_SETTLEMENT_COMMODITY (the tariff's unit is not the
 * master's commodity); ::PREPAY_E_SETTLEMENT_UNKNOWN_METER (master);
 * ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT (owner); ::PREPAY_E_SETTLEMENT_GROUP
 * (the master is already in a group); ::PREPAY_E_SETTLEMENT_DUPLICATE_ID;
 * ::PREPAY_E_CAPACITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_add_group(prepay_settlement_site_t *site, const prepay_settlement_group_config_t *config);

/**
 * @brief Adds a sub-meter to a group.
 * @param site the site.
 * @param config the member (copied).
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_BAD_CONFIG
 * (negative ratio); ::PREPAY_E_SETTLEMENT_UNKNOWN_METER;
 * ::PREPAY_E_SETTLEMENT_GROUP (no such group, the meter is already in a group,
 * bills no account, or measures another commodity than the master);
 * ::PREPAY_E_CAPACITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_add_member(prepay_settlement_site_t *site,
                                            const prepay_settlement_member_config_t *config);

/**
 * @brief Finds an account by id.
 * @param site the site.
 * @param account_id the id.
 * @return the record (read only; valid until the next change), or NULL.
 *
 * **Errors:** none; NULL if absent or on a bad argument.
 */
PREPAY_API const prepay_settlement_account_t *prepay_settlement_account(const prepay_settlement_site_t *site,
                                                                        uint32_t account_id);

/**
 * @brief Finds a meter by id.
 * @param site the site.
 * @param meter_id the id.
 * @return the record (read only), or NULL.
 *
 * **Errors:** none; NULL if absent or on a bad argument.
 */
PREPAY_API const prepay_settlement_meter_t *prepay_settlement_meter(const prepay_settlement_site_t *site,
                                                                    uint32_t meter_id);

/**
 * @brief Iterates the meters of an account (e.g. to send a relay command to each).
 * @param site the site.
 * @param account_id the account.
 * @param cursor in/out: 0 to start; the function keeps its position here.
 * @return the next meter, or NULL at the end (or for a bad argument).
 *
 * **Errors:** none.
 */
PREPAY_API const prepay_settlement_meter_t *prepay_settlement_next_meter(const prepay_settlement_site_t *site,
                                                                         uint32_t account_id, uint32_t *cursor);

/** @brief Counts of a site. */
typedef struct prepay_settlement_counts {
    uint32_t accounts; /**< accounts */
    uint32_t meters;   /**< meters */
    uint32_t groups;   /**< groups */
    uint32_t members;  /**< members */
} prepay_settlement_counts_t;

/**
 * @brief The site's counts.
 * @param site the site.
 * @param out the counts; zero for a bad site.
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_settlement_counts(const prepay_settlement_site_t *site, prepay_settlement_counts_t *out);

/* ---- work memory -------------------------------------------------------------- */

/**
 * @brief Work sizes for calls of up to @p readings readings on this site, and for its period close.
 * @param site the site (its groups, items and accounts size the close).
 * @param readings readings per settle call (>= 1).
 * @param out the sizes.
 * @return ::PREPAY_OK, or an error.
 *
 * Per reading: 3 transfers, 4 kept events, the undo of one meter and one
 * account record; 256 tariff lines; the close: 2 transfers and 2 events per
 * (account, item) and per member, plus its scratch.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_work_sizes_default(const prepay_settlement_site_t *site, uint32_t readings,
                                                    prepay_settlement_work_sizes_t *out);

/**
 * @brief Bytes of one buffer holding a work area.
 * @param sizes capacities.
 * @param bytes out: the size.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_work_size(const prepay_settlement_work_sizes_t *sizes, size_t *bytes);

/**
 * @brief Carves a buffer into a work area (no sink; set `work->sink` afterwards).
 * @param work out: the work area.
 * @param buffer the buffer, aligned for uint64_t.
 * @param size its size.
 * @param sizes capacities.
 * @return ::PREPAY_OK, or an error; @p work untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_work_layout(prepay_settlement_work_t *work, void *buffer, size_t size,
                                             const prepay_settlement_work_sizes_t *sizes);

/* ---- books ------------------------------------------------------------------- */

/**
 * @brief Creates the ledger accounts of the site and of every account not yet opened (idempotent).
 * @param site the site.
 * @param books the ledger (and journal: one batch, one sync).
 * @param result counts (`transfers` = accounts created) and, on error, the account at fault.
 * @return ::PREPAY_OK, or an error.
 *
 * Site accounts: clearing, revenue per commodity, common area, charges,
 * refunds, adjustments. Per account: a wallet (prepaid remote and postpaid:
 * may not go below minus the policy's overdraft limit; local: a mirror with
 * no limit), a debt account and an emergency credit account. An identical
 * existing ledger account is fine (a re-run).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; the ledger's account errors
 * (e.g. ::PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS, ::PREPAY_E_CAPACITY:
 * accounts created before it stay, and are found again by the next call); the
 * journal's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_open(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                      prepay_settlement_result_t *result);

/* ---- settling ----------------------------------------------------------------- */

/**
 * @brief Settles a batch of readings: price, post, decide, emit events.
 * @param site the site.
 * @param books where to post (a journal makes the batch durable with one sync).
 * @param work work memory; `work->outcomes[i]` gets reading i's outcome, events go to the sink and `work->events`.
 * @param readings the readings, any order.
 * @param count number of readings (0..`work->sizes.readings`).
 * @param result what was done; on error the reading at fault (`error_index` in @p readings, `error_id`).
 * @return the number of readings settled or primed (>= 0), or an error.
 *
 * Steps (docs/settlement.md): validate every reading; sort by (meter, time)
 * (stable); per reading: duplicate or late (nothing), prime, or the interval
 * since the last reading: register difference (rollover at the modulus when
 * plausible, else reset or jump: not billed, re-primed), priced by the tariff
 * stream (a gap's energy is spread evenly in time over the bands it spans,
 * as the tariff engine does), the due amount taken from the wallet (what
 * it cannot take becomes debt), the wallet decision; then the whole batch's
 * transfers are applied as one linked chain; events go to the sink; with a
 * journal, one commit. On any error before the commit nothing changed (the
 * site's records are restored from the undo log). If the commit itself
 * fails the ledger in memory is ahead of the journal: as the journal says,
 * recover (prepay_journal_open()), then rebuild the site and re-run the
 * inputs.
 *
 * Readings per call: on a large site, a call that holds a whole polling round
 * (a reading of every meter, or most of them) costs less per reading than
 * several smaller calls, because its sorted pass reads the meter and account
 * records in address order instead of one record in many; the work memory
 * grows with the batch (prepay_settlement_work_sizes_default()). Figures in
 * docs/settlement.md, "Cost".
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_UNKNOWN_METER;
 * ::PREPAY_E_SETTLEMENT_ID_RANGE (time outside 0..2^32-1);
 * ::PREPAY_E_SETTLEMENT_BAD_READING; ::PREPAY_E_SETTLEMENT_WRONG_DI;
 * ::PREPAY_E_SETTLEMENT_CONFLICT; ::PREPAY_E_SETTLEMENT_NOT_OPEN;
 * ::PREPAY_E_BUFFER_TOO_SMALL (work memory: more readings, transfers, events,
 * lines or undo than it holds); the tariff's errors (`error_detail`);
 * ::PREPAY_E_SETTLEMENT_BOOKS; ::PREPAY_E_OVERFLOW; the journal's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_settle(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                        prepay_settlement_work_t *work, const prepay_settlement_reading_t *readings,
                                        size_t count, prepay_settlement_result_t *result);

/**
 * @brief A reading from a decoded DL/T 645 reply (dlt645_reading.h): finds the meter by its address.
 * @param site the site (meters with addresses).
 * @param reply the decoded reply.
 * @param time when it was read (the station's clock).
 * @param out the reading; untouched on error.
 * @param detail out (may be NULL): the reply's own status for ::PREPAY_E_SETTLEMENT_REPLY.
 * @return ::PREPAY_OK, or an error.
 *
 * The reply must be a number in kWh (quantity in Wh) whose DI is the
 * meter's register DI; the value is `reply->quantity`.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_REPLY (the
 * reply has no value: abnormal, bad BCD, absent, ...); ::PREPAY_E_SETTLEMENT_UNKNOWN_METER
 * (no meter has that address); ::PREPAY_E_SETTLEMENT_WRONG_DI (another DI, or not kWh).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_reading_from_reply(const prepay_settlement_site_t *site,
                                                    const prepay_dlt645_reading_t *reply, prepay_time_t time,
                                                    prepay_settlement_reading_t *out, int *detail);

/**
 * @brief Decodes a DL/T 645 reply frame (wire bytes) into a reading (prepay_dlt645_reader_decode()).
 * @param site the site.
 * @param reader an initialised reader (its cache is used and filled).
 * @param bytes the frame, with any `FE` preamble.
 * @param length bytes available.
 * @param time when it was read.
 * @param out the reading; untouched on error.
 * @param detail out (may be NULL): the frame's or reply's own status.
 * @return the bytes the frame occupied (> 0), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_REPLY (the
 * bytes are not a valid frame, or the reply has no value); and those of
 * prepay_settlement_reading_from_reply().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_decode_reply(const prepay_settlement_site_t *site, prepay_dlt645_reader_t *reader,
                                              const uint8_t *bytes, size_t length, prepay_time_t time,
                                              prepay_settlement_reading_t *out, int *detail);

/**
 * @brief Replaces a meter: settles the old register's final reading, then starts the new register.
 * @param site the site.
 * @param books where to post.
 * @param work work memory.
 * @param replacement the replacement.
 * @param result what was done.
 * @return ::PREPAY_OK, ::PREPAY_LEDGER_EXISTS (the same replacement again: nothing changed), or an error.
 *
 * The final reading is settled as a reading at `time` (a final reading lower
 * than the last one is a conflict); the meter then holds `initial_reading`
 * at `time` (with the new modulus) and the next reading is priced from it.
 * Raises a REPLACED event.
 *
 * **Errors:** those of prepay_settlement_settle(); ::PREPAY_E_SETTLEMENT_CONFLICT
 * (a different replacement at the same time, a final reading below the last
 * settled one, or `time` before the last settled reading).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_replace_meter(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                               prepay_settlement_work_t *work,
                                               const prepay_settlement_replacement_t *replacement,
                                               prepay_settlement_result_t *result);

/**
 * @brief Pays a refund out of an account's wallet (a recharge, or part of the balance, back to the payment channel).
 * @param site the site.
 * @param books where to post.
 * @param work work memory.
 * @param refund the refund (`sequence` = the account's refund count + 1).
 * @param result what was done.
 * @return ::PREPAY_OK, ::PREPAY_LEDGER_EXISTS (a repeat of an applied sequence with the same amount:
 *         nothing changed), or an error.
 *
 * One transfer wallet -> site REFUNDS (code ::PREPAY_LEDGER_CODE_REFUND, id
 * kind ::PREPAY_SETTLEMENT_KIND_REFUND, subject the account, period the
 * sequence), bounded by the refundable balance: the wallet's balance less
 * the emergency credit it owes (the ledger also deducts pending debits).
 * Debt is never refunded. The wallet decision follows as after a charge: a
 * balance that falls to an alarm threshold raises the alarm level, to the
 * cut-off trips the relay (remote accounts: a COMMAND), as the account's
 * wallet policy says; events REFUND, then ALARM_LEVEL, LOW_BALANCE, CUTOFF,
 * COMMAND as they apply. A local-meter account's refund must also be taken
 * off the meter's own balance by the caller (as a recharge's `to_balance` is
 * sent to it). A postpaid account's refund reduces the payments of its open
 * statement period. The caller pays the channel once this returned
 * ::PREPAY_OK (the site REFUNDS account holds what is owed to payers).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, amount <= 0);
 * ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT; ::PREPAY_E_SETTLEMENT_ID_RANGE
 * (sequence 0, time outside the id's period range);
 * ::PREPAY_E_SETTLEMENT_SEQUENCE (above count + 1);
 * ::PREPAY_E_SETTLEMENT_CONFLICT (a repeat with another amount);
 * ::PREPAY_E_SETTLEMENT_NOT_OPEN; ::PREPAY_E_SETTLEMENT_BOOKS with
 * `error_detail` ::PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE (more than the
 * refundable balance) or another ledger status;
 * ::PREPAY_E_BUFFER_TOO_SMALL; the journal's errors. Nothing changes on error.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_refund(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                        prepay_settlement_work_t *work, const prepay_settlement_refund_t *refund,
                                        prepay_settlement_result_t *result);

/**
 * @brief Sells an amount to a meter that keeps its own purse (a prepaid local account's meter, e.g. a
 *        CJ/T 188 water meter in money mode): the wallet pays the commodity's revenue.
 * @param site the site.
 * @param books where to post.
 * @param work work memory.
 * @param sale the sale (`sequence` = the account's sale count + 1).
 * @param result what was done.
 * @return ::PREPAY_OK, ::PREPAY_LEDGER_EXISTS (a repeat of an applied sequence with the same amount:
 *         nothing changed), or an error.
 *
 * One transfer wallet -> the site's revenue account of `commodity` (code
 * ::PREPAY_LEDGER_CODE_SALE, id kind ::PREPAY_SETTLEMENT_KIND_SALE, subject
 * the account, period the sequence). Only prepaid local accounts sell: a
 * remote or postpaid account's purse is the wallet itself. The wallet must
 * cover the whole amount (a sale never creates debt or uses emergency credit
 * beyond the balance). Events SALE (`amount`; `detail`: the sequence), then
 * the wallet decision as after a charge (ALARM_LEVEL, LOW_BALANCE, ...). The
 * caller then sends the amount to the meter's purse (its own purchase serial).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, amount <= 0);
 * ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT; ::PREPAY_E_SETTLEMENT_BAD_CONFIG
 * (commodity unknown, or the account is not prepaid local);
 * ::PREPAY_E_SETTLEMENT_ID_RANGE (sequence 0, time outside the id's period
 * range); ::PREPAY_E_SETTLEMENT_SEQUENCE (above count + 1);
 * ::PREPAY_E_SETTLEMENT_CONFLICT (a repeat with another amount);
 * ::PREPAY_E_SETTLEMENT_NOT_OPEN; ::PREPAY_E_SETTLEMENT_BOOKS with
 * `error_detail` ::PREPAY_E_LEDGER_EXCEEDS_CREDITS (more than the wallet's
 * balance) or another ledger status; ::PREPAY_E_BUFFER_TOO_SMALL; the
 * journal's errors. Nothing changes on error.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_sell(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                      prepay_settlement_work_t *work, const prepay_settlement_sale_t *sale,
                                      prepay_settlement_result_t *result);

/**
 * @brief Posts a recharge: credit the wallet, repay emergency credit first, then debt.
 * @param site the site.
 * @param books where to post.
 * @param work work memory.
 * @param recharge the recharge (`sequence` = the account's recharge count + 1).
 * @param split out: how it was split (may be NULL).
 * @param result what was done.
 * @return ::PREPAY_OK, ::PREPAY_LEDGER_EXISTS (a repeat of an applied sequence with the same amount:
 *         nothing changed), or an error.
 *
 * A pending transfer (payment orders) is posted with POST_PENDING instead of
 * a plain RECHARGE transfer. The wallet decision follows (restore, relay
 * close for remote accounts); events RECHARGE, DEBT_REPAID,
 * EMERGENCY_REPAID, RESTORED, COMMAND.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (amount <= 0); ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
 * ::PREPAY_E_SETTLEMENT_ID_RANGE (sequence 0); ::PREPAY_E_SETTLEMENT_SEQUENCE
 * (above count + 1); ::PREPAY_E_SETTLEMENT_CONFLICT (a repeat with another
 * amount); ::PREPAY_E_SETTLEMENT_NOT_OPEN; ::PREPAY_E_SETTLEMENT_BOOKS (e.g.
 * the hoarding limit: `error_detail` ::PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE);
 * ::PREPAY_E_BUFFER_TOO_SMALL; the journal's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_recharge(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                          prepay_settlement_work_t *work, const prepay_settlement_recharge_t *recharge,
                                          prepay_settlement_recharge_split_t *split, prepay_settlement_result_t *result);

/**
 * @brief Sets the commands in force for an account (keep power, forbid close, remote trip) and decides again.
 * @param site the site.
 * @param books where to post (an emergency grant may be posted).
 * @param work work memory.
 * @param account_id a prepaid account.
 * @param commands PREPAY_WALLET_IN_FORBID_CLOSE | _KEEP_POWER | _REMOTE_TRIP (plus, once,
 *        _ACKNOWLEDGE or _EMERGENCY_REQUEST: not kept).
 * @param time now.
 * @param result what was done.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (unknown flag, a postpaid account);
 * ::PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT; ::PREPAY_E_SETTLEMENT_ID_RANGE (time);
 * ::PREPAY_E_SETTLEMENT_NOT_OPEN; the wallet's errors; ::PREPAY_E_BUFFER_TOO_SMALL;
 * ::PREPAY_E_SETTLEMENT_BOOKS; the journal's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_set_commands(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                              prepay_settlement_work_t *work, uint32_t account_id, uint32_t commands,
                                              prepay_time_t time, prepay_settlement_result_t *result);

/**
 * @brief Closes the open period: common-area allocation, charge items, postpaid statements.
 * @param site the site.
 * @param books where to post.
 * @param work work memory (scratch for the close).
 * @param next_end end of the following period (midnight, after the open period's end).
 * @param result what was done; on error the group or account at fault.
 * @return ::PREPAY_OK, ::PREPAY_LEDGER_EXISTS (@p next_end is not after the open period's end
 *         and a period was closed before: a repeat of an earlier close, nothing changed), or an
 *         error (nothing changed).
 *
 * For each group: the master's and the members' energy attributed to the
 * period (a reading interval that straddles the period end is split by the
 * spread rule), the residual (prepay_allocation_residual()), priced by the group's
 * tariff stream over the period, split by the method (prepay_allocation_allocate())
 * and posted to each account: from the wallet as far as it can take it, the
 * rest as debt (local accounts: all as debt, the meter keeps the purse). Then
 * the charge items due in the period (prepay_billing_run()), posted the same
 * way; then a statement per postpaid account (issued; sink). Wallet decisions
 * follow for the prepaid accounts charged. No tenant who cannot pay stops the
 * close: what a wallet cannot take becomes debt, recovered from the next
 * recharge.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_PERIOD;
 * ::PREPAY_E_SETTLEMENT_GROUP (a group without members); the allocation,
 * billing and tariff errors (`error_detail`, `error_id` the group or account);
 * ::PREPAY_E_SETTLEMENT_NOT_OPEN; ::PREPAY_E_BUFFER_TOO_SMALL;
 * ::PREPAY_E_SETTLEMENT_BOOKS; the journal's errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_close_period(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                              prepay_settlement_work_t *work, prepay_time_t next_end,
                                              prepay_settlement_result_t *result);

/**
 * @brief Checks the site against the ledger: every account's balances equal its ledger accounts', and
 *        wallet = recharges + emergency lent - (charges - debt created) - debt repaid - emergency repaid
 *        - refunds - sales.
 * @param site the site.
 * @param ledger the ledger.
 * @param result on error: the account at fault (`error_id`).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_SETTLEMENT_NOT_OPEN (a
 * ledger account is missing); ::PREPAY_E_SETTLEMENT_MISMATCH.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_settlement_verify(const prepay_settlement_site_t *site, const prepay_ledger_t *ledger,
                                        prepay_settlement_result_t *result);

/**
 * @brief Name of an event type ("alarm_level", "cutoff", ...).
 * @param type ::prepay_settlement_event_type.
 * @return a static string; "unknown" for other values.
 *
 * **Errors:** none.
 */
PREPAY_API const char *prepay_settlement_event_name(unsigned type);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_settlement_memory_layout(...) PREPAY_CONFIG_GUARDED(prepay_settlement_memory_layout, __VA_ARGS__)
#define prepay_settlement_init(...) PREPAY_CONFIG_GUARDED(prepay_settlement_init, __VA_ARGS__)
#endif

/** @} */

#endif /* PREPAY_SETTLEMENT_H */
