/* SPDX-License-Identifier: MIT */
/**
 * @file tariff.h
 * @ingroup prepay_tariff
 * @brief Tariff model (flat, time-of-use, tiers, TOU x tiers, fixed charges) and its exact evaluation.
 *
 * The tariff engine prices metered energy (or water) exactly, in integers,
 * with the same result on a Cortex-M meter and on a billing server. It is
 * freestanding: it never allocates and never uses floating point. Every
 * struct here is owned by the caller, with a size fixed at compile time by
 * the `PREPAY_MAX_*` macros of config_default.h.
 *
 * ## Model
 * - **Bands** (tariff indices, DL/T 645-2007 04000204) are numbered
 *   1..::prepay_tariff::band_count (at most ::PREPAY_MAX_TARIFF_INDEX);
 *   by convention 1 sharp, 2 peak, 3 flat, 4 valley, 5 deep valley.
 * - **Schedule** (::prepay_tou_schedule_t): the band at an instant comes
 *   from, in order of precedence, (1) a per-date override
 *   (::prepay_tou_override_t, e.g. a weather-triggered sharp afternoon);
 *   (2) the day table chosen for that date: an explicit holiday day table,
 *   else the season's day table for the day type (holiday, Saturday, Sunday,
 *   weekday); (3) with no seasons, ::prepay_tou_schedule::default_band.
 *   Seasons start on a month-day and run until the next season starts; the
 *   last wraps over the year end. Day-table slots start at a minute and run
 *   until the next slot; the last wraps over midnight to the first.
 * - **Prices** (::prepay_tariff_prices_t): a price per band, given
 *   directly or derived as `round(base x ratio + adder)` to a published
 *   quantum; tier surcharges added to every band (uniform design) or a
 *   price per band and tier (per-band design).
 * - **Tiers** (::prepay_tier_ladder_t): cumulative bounds per cycle (a month
 *   from a billing day, or a year from a start month), chosen per cycle
 *   month (seasonal ladders), optionally per day x days in the cycle,
 *   adjusted per account and prorated for partial cycles. Pricing is
 *   incremental: each Wh at the price of the tier it falls in.
 * - **Two price sets** (::prepay_tariff_plan_t): set B takes effect at a
 *   switch-over time (DL/T 645 04000106..09).
 *
 * ## Evaluation rules (see docs/tariff-engine.md)
 * - **Spreading.** Energy inside an interval `[s, e)` is spread uniformly in
 *   time: the part in `[a, b)` is
 *   `floor(E (b - s) / (e - s)) - floor(E (a - s) / (e - s))`, computed with
 *   prepay_i64_muldiv(), so the parts always sum exactly to E.
 * - **Splitting.** An interval is split at every band, cycle and price-set
 *   boundary; inside a piece, a tier bound splits the piece's energy exactly
 *   at the bound (the first Wh beyond the bound is in the next tier).
 * - **Tier assignment.** ::PREPAY_TOU_TIER_UNIFORM and
 *   ::PREPAY_TOU_TIER_CHRONOLOGICAL fill tiers in consumption order (what a
 *   meter does). ::PREPAY_TOU_TIER_PROPORTIONAL (NREL SAM monthly rule)
 *   assigns at cycle end: each tier's quantity is split among the bands in
 *   proportion to each band's energy in the cycle, by largest remainder
 *   (floor of each share, capped at what the band has left; the leftover Wh
 *   go one each to the largest remainders, ties to the lower price set, then
 *   the lower band; the last tier reached takes what each band has left), so
 *   the parts sum exactly by tier and by band.
 * - **Exactness.** A line's amount is `quantity x price`, exact
 *   (::prepay_amount_t). Rounding to minor units happens only in a bill
 *   (per line or once per bill, as the tariff says) and in the streaming
 *   "due" figure, by prepay_amount_round().
 *
 * Streaming (prepay_tariff_feed_interval(), prepay_tariff_feed_reading())
 * and batch (prepay_tariff_eval_batch()) share these rules: a stream's lines
 * added to a bill equal the batch bill to the last unit.
 *
 * ## Sealed plans, compact states, runs (see docs/tariff-engine.md)
 * - **Validate once.** prepay_tariff_plan_seal() validates a plan and seals
 *   it; every evaluation function then trusts it after an O(1) check (sets,
 *   switch time and the sets' ::prepay_tariff::revision unchanged) instead of
 *   validating it on every call. Unsealed plans keep working: they are
 *   validated on every call. After sealing, change a tariff only followed by
 *   prepay_tariff_touch() (builds with ::PREPAY_TARIFF_CHECK_SEALS catch a
 *   change made without it).
 * - **Streaming as cheap as batch.** On a sealed plan the state caches where
 *   it is (band run, cycle, tier, price); a call whose interval stays in one
 *   run of the day, cycle, set and tier writes its line and due without the
 *   general engine. Results are identical either way (property-tested).
 * - **Compact state.** ::prepay_tariff_compact_state_t (120 bytes) holds a
 *   uniform or chronological stream; ::prepay_tariff_state_t adds the
 *   per-band energy that only proportional mode needs.
 * - **Next change.** prepay_tariff_next_change() gives the band and price
 *   set at an instant and the instant they next change.
 */
#ifndef PREPAY_TARIFF_H
#define PREPAY_TARIFF_H

/** @addtogroup prepay_tariff
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

/* ---- status codes ------------------------------------------------------ */

/** @brief Status codes of the tariff module (module ::PREPAY_MODULE_TARIFF). */
enum prepay_tariff_status {
    /** An enum field holds a value that is not one of its constants.
     *  prepay_strerror(): "tariff: unknown enum value" */
    PREPAY_E_TARIFF_BAD_ENUM = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 1),
    /** A count field exceeds its PREPAY_MAX_* capacity.
     *  prepay_strerror(): "tariff: table count exceeds its capacity" */
    PREPAY_E_TARIFF_CAPACITY = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 2),
    /** Seasons are not sorted by start date.
     *  prepay_strerror(): "tariff: seasons not sorted by start date" */
    PREPAY_E_TARIFF_SEASON_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 3),
    /** Two seasons start on the same date (they overlap).
     *  prepay_strerror(): "tariff: two seasons start on the same date" */
    PREPAY_E_TARIFF_SEASON_OVERLAP = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 4),
    /** A month-day, holiday or override date does not exist (or is Feb 29 as a season start).
     *  prepay_strerror(): "tariff: date does not exist" */
    PREPAY_E_TARIFF_BAD_DATE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 5),
    /** Day-table slots are not strictly increasing in start minute.
     *  prepay_strerror(): "tariff: day-table slots not strictly increasing" */
    PREPAY_E_TARIFF_SLOT_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 6),
    /** A slot starts at minute 1440 or later.
     *  prepay_strerror(): "tariff: slot start minute out of range" */
    PREPAY_E_TARIFF_SLOT_RANGE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 7),
    /** A day table in use has no slot: the day would have a gap.
     *  prepay_strerror(): "tariff: day table has no slot (gap)" */
    PREPAY_E_TARIFF_DAY_TABLE_EMPTY = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 8),
    /** A season or holiday refers to a day table that does not exist.
     *  prepay_strerror(): "tariff: reference to a missing day table" */
    PREPAY_E_TARIFF_BAD_DAY_TABLE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 9),
    /** A band index is 0 or above band_count (or band_count is 0 or too large).
     *  prepay_strerror(): "tariff: bad band (tariff index)" */
    PREPAY_E_TARIFF_BAD_BAND = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 10),
    /** Holidays are not strictly increasing in date.
     *  prepay_strerror(): "tariff: holidays not strictly increasing" */
    PREPAY_E_TARIFF_HOLIDAY_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 11),
    /** Overrides are not sorted by (day, start minute) or overlap.
     *  prepay_strerror(): "tariff: overrides unsorted or overlapping" */
    PREPAY_E_TARIFF_OVERRIDE_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 12),
    /** An override's minute range is empty or outside 0..1440.
     *  prepay_strerror(): "tariff: override minute range empty or out of range" */
    PREPAY_E_TARIFF_OVERRIDE_RANGE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 13),
    /** Tier bounds are not strictly increasing, or a bound is not positive.
     *  prepay_strerror(): "tariff: tier bounds not strictly increasing" */
    PREPAY_E_TARIFF_TIER_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 14),
    /** The last tier has a finite bound; it must be ::PREPAY_TIER_UNBOUNDED.
     *  prepay_strerror(): "tariff: last tier must be unbounded" */
    PREPAY_E_TARIFF_TIER_FINITE_LAST = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 15),
    /** A price is negative (or a derived price cannot be computed).
     *  prepay_strerror(): "tariff: negative or bad price" */
    PREPAY_E_TARIFF_BAD_PRICE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 16),
    /** A price derivation is malformed: negative ratio or a quantum below 1.
     *  prepay_strerror(): "tariff: bad price derivation (ratio or quantum)" */
    PREPAY_E_TARIFF_BAD_DERIVATION = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 17),
    /** The cycle definition is bad: start month not 1..12 or start day not 1..28.
     *  prepay_strerror(): "tariff: bad cycle definition" */
    PREPAY_E_TARIFF_BAD_CYCLE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 18),
    /** A fixed charge is negative.
     *  prepay_strerror(): "tariff: negative fixed charge" */
    PREPAY_E_TARIFF_BAD_FIXED_CHARGE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 19),
    /** The two price sets of a plan disagree on unit, cycle, mode or rounding.
     *  prepay_strerror(): "tariff: the two price sets are incompatible" */
    PREPAY_E_TARIFF_SWITCH_MISMATCH = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 20),
    /** An interval or reading lies before the end of what the state has already priced.
     *  prepay_strerror(): "tariff: interval before what was already priced" */
    PREPAY_E_TARIFF_TIME_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 21),
    /** An interval is malformed: end before start, negative energy, or energy in zero time.
     *  prepay_strerror(): "tariff: malformed interval" */
    PREPAY_E_TARIFF_BAD_INTERVAL = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 22),
    /** A register reading is lower than the previous one.
     *  prepay_strerror(): "tariff: register reading went backwards" */
    PREPAY_E_TARIFF_REGISTER_BACKWARDS = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 23),
    /** The cycle was closed (proportional mode); it cannot take more energy.
     *  prepay_strerror(): "tariff: cycle already closed" */
    PREPAY_E_TARIFF_CYCLE_CLOSED = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 24),
    /** The account adjustment is bad: scale not positive, or bounds no longer sorted.
     *  prepay_strerror(): "tariff: bad account adjustment" */
    PREPAY_E_TARIFF_BAD_ACCOUNT = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 25),
    /** Vending: the marginal price is zero, so the money buys unlimited energy.
     *  prepay_strerror(): "tariff: marginal price is zero (unlimited energy)" */
    PREPAY_E_TARIFF_FREE_ENERGY = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 26),
    /** The state was not initialised with prepay_tariff_state_init(), or is corrupt.
     *  prepay_strerror(): "tariff: state not initialised or corrupt" */
    PREPAY_E_TARIFF_BAD_STATE = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 27),
    /** A sealed plan's tariff changed without prepay_tariff_touch() (found only where
     *  ::PREPAY_TARIFF_CHECK_SEALS is 1: other builds trust the seal), or a tariff page's
     *  bytes no longer match its check value (prepay_tariff_page_check(): damaged in flash).
     *  prepay_strerror(): "tariff: a sealed plan's tariff changed without prepay_tariff_touch()" */
    PREPAY_E_TARIFF_SEAL_BROKEN = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 28),
    /** Proportional mode needs per-band energy: use ::prepay_tariff_state_t, not the compact state.
     *  prepay_strerror(): "tariff: proportional mode needs the full state (per-band energy)" */
    PREPAY_E_TARIFF_NEEDS_BANDS = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 29),
    /** A demand or capacity charge is malformed (rate index, tier bounds, period of a band, ratchet,
     *  a negative price), or the tariff cannot carry one (water, a yearly cycle).
     *  prepay_strerror(): "tariff: malformed demand or capacity charge" */
    PREPAY_E_TARIFF_BAD_DEMAND = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 30),
    /** Demand and capacity charges need the monthly peaks of ::prepay_tariff_state_t: use the full
     *  state, or mark the compact state energy-only (prepay_tariff_compact_energy_only()).
     *  prepay_strerror(): "tariff: demand or capacity charges need the full state (monthly peaks)" */
    PREPAY_E_TARIFF_NEEDS_DEMAND = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 31),
    /** A tariff page was never sealed with prepay_tariff_page_seal() (or its mark is damaged).
     *  prepay_strerror(): "tariff: tariff page not sealed" */
    PREPAY_E_TARIFF_NOT_SEALED = PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 32)
};

/* ---- constants and enums ------------------------------------------------ */

/** @brief The bound of the last tier: unbounded (every tariff's last tier must use it). */
#define PREPAY_TIER_UNBOUNDED INT64_MAX
/** @brief Minutes in a day; slot starts are 0..1439, override ends 1..1440. */
#define PREPAY_MINUTES_PER_DAY 1440
/** @brief Price sets in a plan (DL/T 645 two-set scheme: the set in force and the pending set). */
#define PREPAY_TARIFF_PRICE_SETS 2
/** @brief Ratio scale of derived prices: ratios are in millionths (1.7 = 1700000). */
#define PREPAY_RATIO_SCALE 1000000
/** @brief Band conventionally used for sharp (尖峰). */
#define PREPAY_BAND_SHARP 1
/** @brief Band conventionally used for peak (高峰). */
#define PREPAY_BAND_PEAK 2
/** @brief Band conventionally used for flat (平段). */
#define PREPAY_BAND_FLAT 3
/** @brief Band conventionally used for valley (低谷). */
#define PREPAY_BAND_VALLEY 4
/** @brief Band conventionally used for deep valley (深谷). */
#define PREPAY_BAND_DEEP_VALLEY 5

/** @brief What the tariff meters. */
typedef enum prepay_tariff_unit {
    PREPAY_TARIFF_UNIT_ENERGY = 0, /**< electricity: quantities in Wh, prices per kWh */
    PREPAY_TARIFF_UNIT_WATER = 1   /**< water: quantities in L, prices per m3 */
} prepay_tariff_unit_t;

/** @brief How tiers and bands combine (see the file comment). */
typedef enum prepay_tou_tier_mode {
    /** Price = band price + tier surcharge; tiers filled in consumption order (Zhejiang, Guangdong). */
    PREPAY_TOU_TIER_UNIFORM = 0,
    /** Per-band tier prices; tiers filled in consumption order (a prepaid meter). */
    PREPAY_TOU_TIER_CHRONOLOGICAL = 1,
    /** Per-band tier prices; tier quantities shared among bands at cycle end (NREL SAM monthly). */
    PREPAY_TOU_TIER_PROPORTIONAL = 2
} prepay_tou_tier_mode_t;

/** @brief Length of the tier cycle. */
typedef enum prepay_cycle_kind {
    /** A month, from ::prepay_tariff::cycle_start_day of one month to the same day of the next. */
    PREPAY_CYCLE_MONTH = 0,
    /** A year, from cycle_start_day of ::prepay_tariff::cycle_start_month to the same date a year later. */
    PREPAY_CYCLE_YEAR = 1
} prepay_cycle_kind_t;

/** @brief How the tier bounds of a partly served cycle are scaled (account opened or closed mid-cycle). */
typedef enum prepay_proration {
    PREPAY_PRORATE_NONE = 0,     /**< full bounds whatever the service period */
    PREPAY_PRORATE_BY_MONTH = 1, /**< bounds x calendar months touched by service / months in cycle */
    PREPAY_PRORATE_BY_DAY = 2    /**< bounds x days touched by service / days in cycle */
} prepay_proration_t;

/** @brief Where a bill rounds to minor units. */
typedef enum prepay_round_scope {
    PREPAY_ROUND_PER_LINE = 0, /**< each line rounded; totals are sums of rounded lines */
    PREPAY_ROUND_PER_BILL = 1  /**< totals are the exact sums rounded once */
} prepay_round_scope_t;

/** @brief How the band prices of a price set are given. */
typedef enum prepay_price_mode {
    PREPAY_PRICE_DIRECT = 0, /**< ::prepay_tariff_prices::band_price holds each band's price */
    PREPAY_PRICE_DERIVED = 1 /**< `round(base x ratio[band] + adder)` to a quantum */
} prepay_price_mode_t;

/** @brief Kind of a charge line. */
typedef enum prepay_line_kind {
    PREPAY_LINE_ENERGY = 0,  /**< energy at one band, tier and price */
    PREPAY_LINE_FIXED = 1,   /**< a fixed charge of a cycle */
    PREPAY_LINE_DEMAND = 2,  /**< demand (W) of a month in one demand tier: `band` 0 flat, p the TOU demand period p */
    PREPAY_LINE_CAPACITY = 3 /**< contracted capacity (VA) of a month */
} prepay_line_kind_t;

/** @brief Power, demand and capacity: whole watts (W), or volt-amperes (VA) for capacity. */
typedef int64_t prepay_power_t;

/** @brief The bound of the last demand tier: unbounded. */
#define PREPAY_DEMAND_UNBOUNDED INT64_MAX

/* ---- schedule ----------------------------------------------------------- */

/** @brief One slot of a day table: from start_minute until the next slot's start. */
typedef struct prepay_tou_slot {
    uint16_t start_minute; /**< minute of day the slot starts, 0..1439 */
    uint8_t band;          /**< band in force, 1..band_count */
} prepay_tou_slot_t;

/** @brief A day table (daily time-slot table, DL/T 645 04010001..): cyclic over the day. */
typedef struct prepay_tou_day_table {
    uint8_t slot_count;                            /**< slots used, 1..::PREPAY_MAX_DAY_SLOTS */
    prepay_tou_slot_t slots[PREPAY_MAX_DAY_SLOTS]; /**< strictly increasing start minutes; before the
                                                        first start, the last slot is in force */
} prepay_tou_day_table_t;

/** @brief A season (year time zone): from start month-day until the next season's start. */
typedef struct prepay_tou_season {
    uint8_t start_month;       /**< 1..12 */
    uint8_t start_day;         /**< 1..days in that month (Feb 29 not allowed) */
    uint8_t weekday_table;     /**< day table (0-based index) for Monday..Friday */
    uint8_t saturday_table;    /**< day table for Saturdays */
    uint8_t sunday_table;      /**< day table for Sundays */
    uint8_t holiday_table;     /**< day table for listed holidays without their own table */
} prepay_tou_season_t;

/** @brief A holiday (DL/T 645 public holiday, 04030001..): a date and optionally its own day table. */
typedef struct prepay_tou_holiday {
    prepay_days_t day; /**< day number of the date (see civil_time.h) */
    uint8_t table;     /**< 0: the season's holiday_table; n > 0: day table n - 1 */
} prepay_tou_holiday_t;

/** @brief A per-date override: on one date, [start_minute, end_minute) is in @p band (takes precedence). */
typedef struct prepay_tou_override {
    prepay_days_t day;     /**< day number of the date */
    uint16_t start_minute; /**< 0..1439 */
    uint16_t end_minute;   /**< start_minute + 1 .. 1440 (exclusive) */
    uint8_t band;          /**< band in force, 1..band_count */
} prepay_tou_override_t;

/** @brief The time-of-use schedule: where each instant's band comes from. */
typedef struct prepay_tou_schedule {
    uint8_t default_band;  /**< band everywhere when season_count is 0 (a flat tariff) */
    uint8_t season_count;  /**< 0 (no TOU) .. ::PREPAY_MAX_SEASONS */
    uint8_t day_table_count;   /**< 0 .. ::PREPAY_MAX_DAY_TABLES */
    uint16_t holiday_count;    /**< 0 .. ::PREPAY_MAX_HOLIDAYS */
    uint16_t override_count;   /**< 0 .. ::PREPAY_MAX_DATE_OVERRIDES */
    prepay_tou_season_t seasons[PREPAY_MAX_SEASONS];        /**< strictly increasing start dates */
    prepay_tou_day_table_t day_tables[PREPAY_MAX_DAY_TABLES]; /**< referenced by seasons and holidays */
    prepay_tou_holiday_t holidays[PREPAY_MAX_HOLIDAYS];     /**< strictly increasing days */
    prepay_tou_override_t overrides[PREPAY_MAX_DATE_OVERRIDES]; /**< sorted by (day, start), no overlap */
} prepay_tou_schedule_t;

/* ---- tiers and prices ---------------------------------------------------- */

/**
 * @brief A tier ladder: cumulative upper bounds of the tiers within a cycle.
 *
 * Tier i (0-based) holds the cycle's Wh number k (counting from 0) with
 * `upper[i-1] <= k < upper[i]` (upper[-1] = 0): with upper[0] = 2880000 the
 * first 2880 kWh are in tier 1. Bounds strictly increase; the last used
 * bound (index tier_count - 1) is ::PREPAY_TIER_UNBOUNDED.
 */
typedef struct prepay_tier_ladder {
    prepay_energy_t upper[PREPAY_MAX_TIERS]; /**< cumulative upper bounds (Wh or L) */
    uint8_t per_day; /**< 1: bounds are per day, multiplied by the days of the cycle (URDB "kWh daily"); 0: per cycle */
} prepay_tier_ladder_t;

/** @brief Prices of one price set. All prices are in 1e-8 currency per kWh (per m3). */
typedef struct prepay_tariff_prices {
    prepay_price_mode_t mode; /**< how band prices are given */
    /** DIRECT: price of band b at index b - 1 (tier 1 price in per-band modes is band_tier_price). */
    prepay_price_t band_price[PREPAY_MAX_TARIFF_INDEX];
    /** DERIVED: the floating part the ratios apply to (e.g. 0.5802 yuan). */
    prepay_price_t derive_base;
    /** DERIVED: the fixed part added to every band (funds and surcharges, e.g. 0.00866875). */
    prepay_price_t derive_adder;
    /** DERIVED: published precision, in price units (10000 = 0.0001 yuan). At least 1. */
    prepay_price_t derive_quantum;
    /** DERIVED: rounding of derived prices (published: half-up). */
    prepay_rounding_t derive_rounding;
    /** DERIVED: ratio of band b at index b - 1, in millionths (peak 1.7 = 1700000). */
    int64_t band_ratio[PREPAY_MAX_TARIFF_INDEX];
    /** UNIFORM mode: added to every band's price in tier t (index t - 1; index 0 is normally 0). */
    prepay_price_t tier_surcharge[PREPAY_MAX_TIERS];
    /** CHRONOLOGICAL / PROPORTIONAL modes: price of band b, tier t at [b - 1][t - 1]. */
    prepay_price_t band_tier_price[PREPAY_MAX_TARIFF_INDEX][PREPAY_MAX_TIERS];
} prepay_tariff_prices_t;

/** @brief A fixed charge per cycle (service charge, meter rent). */
typedef struct prepay_fixed_charge {
    prepay_money_t amount; /**< minor units per cycle, >= 0 */
    uint16_t item;         /**< caller's item code, copied into lines */
} prepay_fixed_charge_t;

/** @cond PREPAY_INTERNAL */
/* Slots of prepay_tariff_t.fixed_charges: at least one, because C11 6.7.6.2p1 requires an array
 * size greater than zero, so ::PREPAY_MAX_FIXED_CHARGES 0 (no fixed charges) still compiles. */
#define PREPAY__FIXED_CHARGE_SLOTS (PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_MAX_FIXED_CHARGES : 1)
/** @endcond */

/* ---- demand and capacity charges ------------------------------------------ */

/**
 * @brief A demand charge: cumulative demand tiers and a price per kW and month for each.
 *
 * Tier i (0-based) holds the part of the billed demand D between
 * `upper[i-1]` (0 for the first) and `upper[i]`: D = 120 kW with
 * `upper[0]` = 100 kW is 100 kW at `price[0]` plus 20 kW at `price[1]`
 * (NREL SAM's demand tiers). Bounds strictly increase; the last used one is
 * ::PREPAY_DEMAND_UNBOUNDED.
 */
typedef struct prepay_demand_rate {
    uint8_t tier_count;                            /**< tiers used, 1..::PREPAY_MAX_DEMAND_TIERS */
    prepay_power_t upper[PREPAY_MAX_DEMAND_TIERS]; /**< cumulative upper bounds, W */
    prepay_price_t price[PREPAY_MAX_DEMAND_TIERS]; /**< price per kW per month, 1e-8 currency (0.01 yuan/kW = 1000000) */
} prepay_demand_rate_t;

/**
 * @brief Demand and capacity charges of a tariff: monthly, from the interval series (see docs/tariff-engine.md).
 *
 * **Demand** of an interval `[s, e)` with energy E is its average power,
 * `round(E x 3600 / (e - s))` W (half-up; exact for intervals that divide an
 * hour such as 15-minute load records), the same in every band the interval
 * touches: NREL SAM's rule (the power of each time step). A month's **peak**
 * is the highest demand of the intervals in it (the earliest wins a tie);
 * a demand period's peak is the highest demand in the bands of that period.
 *
 * - **Flat charge:** in a month whose cycle starts in month m (1..12),
 *   `flat_rate[m-1]` = r > 0 charges the month's billed demand at
 *   `rates[r-1]`.
 * - **TOU charges:** period p (1..period_count) charges its own peak at
 *   `rates[period_rate[p-1][m-1] - 1]` in the months where that index is
 *   not 0. `period_of_band[b-1]` is the demand period of band b (0: none).
 * - **Billing demand (ratchets).** With `ratchet` = 1 the flat charge, and
 *   the TOU charges of the periods in `ratchet_periods`, bill the *billing
 *   demand* of month M instead of the peak: the largest of
 *   `ratchet_minimum`; `round(peak(c) x ratchet_ratio[month of c] / 10^6)`
 *   for each month c from M - `ratchet_months` to M (the peaks of earlier
 *   months come from the state's history); and the month's own peak when its
 *   bit is set in `ratchet_current`. peak(c) is the highest peak of the
 *   periods in `ratchet_periods` (the flat peak when that mask is 0). This
 *   is NREL SAM's billing demand (`ur_billing_demand_lookback_percentages`,
 *   `_lookback_period`, `_minimum`, `ur_dc_billing_demand_periods`); URDB
 *   `lookbackPercent` / `lookbackRange` / `lookbackMonths` map onto it.
 * - **Capacity charge:** `capacity_price` per kVA and month times the
 *   contracted capacity (the account's ::prepay_tariff_account::capacity, or
 *   `capacity` when the account gives none): the 基本电费 by transformer
 *   capacity of Chinese two-part tariffs.
 *
 * Demand and capacity lines of a month are emitted when its cycle closes
 * (prepay_tariff_close_cycle(), or the first interval of the next month),
 * priced by the price set in force when the month was entered. They need a
 * monthly cycle and electricity. All zero (prepay_tariff_init()): none.
 */
typedef struct prepay_tariff_demand {
    uint8_t rate_count;                          /**< rates used, 0..::PREPAY_MAX_DEMAND_RATES */
    uint8_t period_count;                        /**< TOU demand periods, 0..::PREPAY_MAX_DEMAND_PERIODS */
    uint8_t flat_rate[12];                       /**< flat charge of the month (index month - 1): 0 none, r = rates[r - 1] */
    uint8_t period_rate[PREPAY_MAX_DEMAND_PERIODS][12]; /**< [p - 1][month - 1]: 0 none, r = rates[r - 1] */
    uint8_t period_of_band[PREPAY_MAX_TARIFF_INDEX];   /**< demand period of band b at index b - 1 (0: none) */
    prepay_demand_rate_t rates[PREPAY_MAX_DEMAND_RATES]; /**< the charges, referred to by index + 1 */
    uint8_t ratchet;                             /**< 1: bill the billing demand (ratchets, minimum); 0: the peaks */
    uint8_t ratchet_months;                      /**< months looked back, 0..12 (SAM's lookback period) */
    uint16_t ratchet_current;                    /**< bit m - 1: in month m the month's own peak counts at 100 % */
    uint32_t ratchet_periods;                    /**< bit p - 1: period p sets and bills the billing demand; 0: the flat peak sets it */
    uint32_t ratchet_ratio[12];                  /**< share of the peak of a month (index month - 1) that carries, millionths (95 % = 950000) */
    prepay_power_t ratchet_minimum;              /**< lowest billing demand, W */
    prepay_price_t capacity_price;               /**< price per kVA of contracted capacity per month (0: no capacity charge) */
    prepay_power_t capacity;                     /**< contracted capacity in VA when the account gives none */
} prepay_tariff_demand_t;

/** @brief One complete tariff (one DL/T 645 price set with its schedule). Caller-owned, plain data. */
typedef struct prepay_tariff {
    prepay_tariff_unit_t unit;        /**< electricity or water */
    uint8_t band_count;               /**< bands 1..band_count exist; 1..::PREPAY_MAX_TARIFF_INDEX */
    prepay_tou_schedule_t schedule;   /**< band resolution */
    prepay_tou_tier_mode_t tou_tier_mode; /**< how tiers and bands combine */
    prepay_cycle_kind_t cycle_kind;   /**< tier cycle length */
    uint8_t cycle_start_month;        /**< YEAR cycles: first month, 1..12 (ignored for MONTH, must be 1..12) */
    uint8_t cycle_start_day;          /**< billing day: cycles start at 00:00 of this day, 1..28 */
    uint8_t tier_count;               /**< tiers used, 1 (no ladder) .. ::PREPAY_MAX_TIERS */
    uint8_t ladder_count;             /**< ladders used, 1..12 */
    /** Ladder (0-based) of a cycle by the month the cycle starts in (index month - 1). */
    uint8_t ladder_of_month[12];
    prepay_tier_ladder_t ladders[12]; /**< seasonal ladders (Guangzhou: May-Oct and Nov-Apr) */
    prepay_proration_t proration;     /**< partial-cycle rule */
    prepay_tariff_prices_t prices;    /**< band and tier prices */
    uint8_t fixed_charge_count;       /**< 0..::PREPAY_MAX_FIXED_CHARGES */
    /** Charged once per cycle touched. With ::PREPAY_MAX_FIXED_CHARGES 0 the tariff holds no fixed
     *  charges: the one slot is never read, and validation refuses a nonzero count. */
    prepay_fixed_charge_t fixed_charges[PREPAY__FIXED_CHARGE_SLOTS];
    prepay_rounding_t rounding;       /**< rounding of bills and dues (default half-up) */
    prepay_round_scope_t round_scope; /**< per line or per bill */
    prepay_tariff_demand_t demand;    /**< monthly demand and capacity charges (all zero: none) */
    /** Change counter: prepay_tariff_touch() adds one after a change, so that sealed plans using
     *  this tariff stop trusting their seal (see prepay_tariff_plan_seal()). Not part of the tariff's
     *  meaning: never compared, never hashed, 0 after prepay_tariff_init(). */
    uint32_t revision;
} prepay_tariff_t;

/**
 * @brief What prepay_tariff_plan_seal() recorded about a plan. Private: read and written by the library only.
 *
 * A plan is trusted (not validated again) while its sets, switch time and the
 * sets' revisions are those recorded here. `stamp` is a 64-bit fingerprint of
 * the sealed content (both sets' bytes and the switch time); streaming states
 * key their caches by it, so a state stored with one plan and fed with another
 * never uses a stale cache.
 */
typedef struct prepay_tariff_seal {
    uint32_t magic;                                        /**< private: marks a sealed plan */
    uint32_t revision[PREPAY_TARIFF_PRICE_SETS];           /**< private: the sets' revisions when sealed */
    const prepay_tariff_t *sets[PREPAY_TARIFF_PRICE_SETS]; /**< private: the sets when sealed */
    prepay_time_t switch_time;                             /**< private: the switch time when sealed */
    uint64_t stamp;                                        /**< private: fingerprint of the sealed content */
} prepay_tariff_seal_t;

/**
 * @brief A plan: the price set in force and an optional pending set with its switch-over time.
 *
 * Set A (`sets[0]`) prices instants before `switch_time`, set B
 * (`sets[1]`, may be NULL) instants at or after it; an interval straddling
 * the switch is split. Both sets must agree on unit, tier mode, cycle
 * definition and rounding (and, in proportional mode, on ladders).
 *
 * Build a plan with prepay_tariff_plan_init() (or zero it), set the fields,
 * then optionally seal it with prepay_tariff_plan_seal(): every evaluation
 * function accepts sealed and unsealed plans alike, but validates an
 * unsealed plan completely on every call, and trusts a sealed one.
 */
typedef struct prepay_tariff_plan {
    const prepay_tariff_t *sets[PREPAY_TARIFF_PRICE_SETS]; /**< [0] in force; [1] pending or NULL */
    prepay_time_t switch_time;                             /**< set B takes effect here */
    prepay_tariff_seal_t seal;                             /**< private: see prepay_tariff_plan_seal() */
} prepay_tariff_plan_t;

/**
 * @brief Per-account parameters: tier adjustments for the household and the service period.
 *
 * Effective bound of tier i in a cycle: `b = upper[i]` (x days in cycle if
 * per_day); then `b = round(b x scale_num / scale_den) + add[i]`
 * (half-up); then proration `b = round(b x served / cycle_units)`
 * (half-up) when the service period covers only part of the cycle. The
 * unbounded last tier stays unbounded.
 */
typedef struct prepay_tariff_account {
    prepay_energy_t tier_add[PREPAY_MAX_TIERS]; /**< added to finite bound i (e.g. +100 kWh/month per bound) */
    int64_t tier_scale_num;                     /**< multiplicative adjustment numerator (default 1) */
    int64_t tier_scale_den;                     /**< multiplicative adjustment denominator (default 1), > 0 */
    prepay_time_t service_start;                /**< account opened (INT64_MIN: always) */
    prepay_time_t service_end;                  /**< account closed (INT64_MAX: never) */
    prepay_power_t capacity;                    /**< contracted capacity in VA for capacity charges (0: the tariff's) */
} prepay_tariff_account_t;

/* ---- evaluation --------------------------------------------------------- */

/** @brief A metered interval: @p energy consumed uniformly over [start, end). */
typedef struct prepay_tariff_interval {
    prepay_time_t start;    /**< start (inclusive) */
    prepay_time_t end;      /**< end (exclusive), >= start */
    prepay_energy_t energy; /**< Wh (or L), >= 0; 0 if end == start */
} prepay_tariff_interval_t;

/** @brief One charge line: a quantity at one price, or a fixed charge. */
typedef struct prepay_tariff_line {
    prepay_line_kind_t kind;  /**< energy, fixed, demand or capacity */
    int32_t cycle;            /**< cycle id (prepay_tariff_cycle_of()) */
    uint8_t price_set;        /**< 0 = set A, 1 = set B */
    uint8_t band;             /**< energy: 1..band_count; demand: 0 flat, 1..period_count the TOU period; else 0 */
    uint8_t tier;             /**< energy: 1..tier_count; demand: demand tier 1..; else 0 */
    uint8_t fixed_index;      /**< fixed lines: index in fixed_charges; else 0 */
    uint16_t item;            /**< fixed lines: the charge's item code; else 0 */
    prepay_energy_t quantity; /**< energy: Wh (or L); demand: W in this tier; capacity: VA; fixed: 0 */
    prepay_price_t price;     /**< unit price (per kWh, per kW and month, per kVA and month); 0 for fixed lines */
    prepay_amount_t amount;   /**< exact quantity x price (or the fixed charge) */
    prepay_money_t money;     /**< amount rounded by the tariff's rule (for display and per-line bills) */
} prepay_tariff_line_t;

/**
 * @brief Where a stream is in the plan: derived data that lets the next call skip the band,
 *        cycle, tier and price lookups. Private: read and written by the library only.
 *
 * Valid only while `key` equals the fingerprint of the sealed plan
 * (::prepay_tariff_seal::stamp) mixed with the account's tier parameters;
 * every call that cannot use it recomputes it, so it may be zeroed (or stored
 * and restored with the state) at any time without changing any result.
 */
typedef struct prepay_tariff_cache {
    uint64_t key;              /**< private: plan and account the cache belongs to; 0 = empty */
    prepay_time_t end;         /**< private: end of the run of one band, set and cycle that holds the position */
    prepay_time_t cycle_end;   /**< private: end of the open cycle */
    prepay_energy_t tier_high; /**< private: cycle energy at which the cached tier ends */
    prepay_price_t price;      /**< private: unit price of (set, band, tier) */
    prepay_days_t day;         /**< private: day of the cached run */
    uint8_t set;               /**< private: price set of the cached run */
    uint8_t band;              /**< private: band of the cached run */
    uint8_t tier;              /**< private: tier (1-based) of the cycle energy */
    uint8_t table;             /**< private: day table of `day` (0-based), or 0xFF: build the day's segments */
} prepay_tariff_cache_t;

/**
 * @brief Compact streaming state of one account, for tariffs in uniform or chronological mode.
 *
 * The same members as ::prepay_tariff_state_t without the per-band energy
 * that only ::PREPAY_TOU_TIER_PROPORTIONAL needs: 120 bytes whatever
 * ::PREPAY_MAX_TARIFF_INDEX is (::prepay_tariff_state_t is 1 128 bytes with
 * the default 63 bands). Used by prepay_tariff_compact_feed_interval() and
 * prepay_tariff_compact_feed_reading(); converted to and from the full state
 * by prepay_tariff_compact_to_state() and prepay_tariff_compact_from_state()
 * (for batch evaluation and vending). Plain data, copyable and storable.
 */
typedef struct prepay_tariff_compact_state {
    uint32_t magic;                 /**< set by prepay_tariff_compact_init() */
    uint8_t flags;                  /**< internal: position set, cycle open, cycle closed, primed */
    int32_t cycle;                  /**< current cycle id (valid when a cycle is open) */
    prepay_time_t position;         /**< end of the last interval priced */
    prepay_energy_t cycle_energy;   /**< energy in the current cycle so far */
    prepay_time_t register_time;    /**< time of the last register reading */
    prepay_energy_t register_value; /**< last register reading */
    prepay_money_t charged;         /**< sum of the `due` figures returned so far (minor units) */
    prepay_amount_t carry;          /**< exact amount priced so far minus `charged`; |carry| < 1 minor unit */
    prepay_tariff_cache_t cache;    /**< private: derived, see ::prepay_tariff_cache_t */
} prepay_tariff_compact_state_t;

/**
 * @brief The demand of one account's open month and the billing-demand history: part of ::prepay_tariff_state_t.
 *
 * Also the input of prepay_tariff_demand_lines(), which prices a month from
 * peaks read elsewhere (a meter's maximum-demand registers): zero it, set
 * `cycle`, `set` and the peaks. Plain data; all zero is valid (no month).
 */
typedef struct prepay_tariff_demand_state {
    int32_t cycle;                                   /**< cycle (month) the peaks belong to; 0: none yet */
    uint8_t set;                                     /**< price set its demand and capacity charges use (0 = A, 1 = B) */
    prepay_power_t flat_peak;                        /**< highest demand of the month, W */
    prepay_time_t flat_time;                         /**< start of the interval that set it */
    prepay_power_t peak[PREPAY_MAX_DEMAND_PERIODS];  /**< highest demand in the bands of period p at index p - 1, W */
    prepay_time_t peak_time[PREPAY_MAX_DEMAND_PERIODS]; /**< start of the interval that set each */
    int32_t history_cycle[12];                       /**< the closed month history[i] belongs to (i = cycle % 12); 0: none */
    prepay_power_t history[12];                      /**< the peak that sets the billing demand, of closed months, W */
} prepay_tariff_demand_state_t;

/**
 * @brief Streaming state of one account: small, plain data, copyable and storable.
 *
 * Holds the current cycle, the energy used in it (for tiers), the end of
 * what has been priced, the last register reading, the carried
 * sub-minor-unit remainder of the "due" figures, a derived cache, and per
 * price set and band energy of the cycle (for proportional assignment; it
 * stays zero in the other modes, where ::prepay_tariff_compact_state_t
 * holds the same state in a tenth of the space on a server).
 */
typedef struct prepay_tariff_state {
    uint32_t magic;                 /**< set by prepay_tariff_state_init() */
    uint8_t flags;                  /**< internal: position set, cycle open, cycle closed, primed */
    int32_t cycle;                  /**< current cycle id (valid when a cycle is open) */
    prepay_time_t position;         /**< end of the last interval priced */
    prepay_energy_t cycle_energy;   /**< energy in the current cycle so far */
    prepay_time_t register_time;    /**< time of the last register reading */
    prepay_energy_t register_value; /**< last register reading */
    prepay_money_t charged;         /**< sum of the `due` figures returned so far (minor units) */
    prepay_amount_t carry;          /**< exact amount priced so far minus `charged`; |carry| < 1 minor unit */
    prepay_tariff_cache_t cache;    /**< private: derived, see ::prepay_tariff_cache_t */
    /** Energy of the current cycle per price set and band [set][band - 1] (proportional mode only). */
    prepay_energy_t band_energy[PREPAY_TARIFF_PRICE_SETS][PREPAY_MAX_TARIFF_INDEX];
    /** Peaks of the open month and the billing-demand history (tariffs with demand or capacity charges). */
    prepay_tariff_demand_state_t demand;
} prepay_tariff_state_t;

/**
 * @brief A run of constant band and price set, as found by prepay_tariff_next_change().
 */
typedef struct prepay_tariff_run {
    prepay_time_t until; /**< end of the run: the first instant after the one asked about at which
                              the band or the price set changes, or the search limit */
    uint8_t band;        /**< band in force during the run, 1..band_count */
    uint8_t price_set;   /**< price set in force during the run: 0 = set A, 1 = set B */
    uint8_t changes;     /**< 1: the band or the price set changes at `until`; 0: `until` is the limit */
} prepay_tariff_run_t;

/** @brief What one streaming call produced. */
typedef struct prepay_tariff_feed_result {
    size_t line_count;      /**< lines written; on ::PREPAY_E_BUFFER_TOO_SMALL, lines needed */
    prepay_amount_t exact;  /**< exact sum of the lines' amounts */
    /** Whole minor units to deduct now: `round(charged + carry + exact) - charged` by the tariff's
     *  rounding, so the dues of a stream always sum to its running exact total rounded once. */
    prepay_money_t due;
} prepay_tariff_feed_result_t;

/**
 * @brief A bill: lines in canonical order plus totals. Lines are in caller storage.
 *
 * Lines are kept sorted by (cycle, kind, price set, band, tier, fixed
 * index); lines with the same key are merged. After prepay_tariff_bill_finish():
 * per-line scope: `total = sum of line money`, subtotals are sums of
 * rounded lines; per-bill scope: subtotals are exact and `total =
 * round(exact_total)`.
 */
typedef struct prepay_tariff_bill {
    prepay_tariff_line_t *lines; /**< caller array of line_cap lines */
    size_t line_cap;             /**< capacity of lines */
    size_t line_count;           /**< lines held */
    size_t lines_needed;         /**< lines that would be held with unlimited capacity */
    prepay_rounding_t rounding;  /**< copied from the tariff */
    prepay_round_scope_t scope;  /**< copied from the tariff */
    prepay_energy_t energy_total;  /**< sum of energy line quantities */
    prepay_amount_t exact_total;   /**< exact sum of all line amounts */
    prepay_amount_t energy_subtotal; /**< energy lines (rounded per scope, see above) */
    prepay_amount_t fixed_subtotal;  /**< fixed lines (rounded per scope) */
    prepay_amount_t band_subtotal[PREPAY_MAX_TARIFF_INDEX]; /**< per band (index band - 1) */
    prepay_amount_t tier_subtotal[PREPAY_MAX_TIERS];        /**< per tier (index tier - 1) */
    prepay_money_t total;        /**< the bill total in minor units */
    prepay_amount_t demand_subtotal;   /**< demand lines (rounded per scope) */
    prepay_amount_t capacity_subtotal; /**< capacity lines (rounded per scope) */
} prepay_tariff_bill_t;

PREPAY_BEGIN_DECLS

/* ---- building and checking ------------------------------------------------ */

/**
 * @brief Initialises a tariff to a valid flat tariff: one band, price 0, one unbounded tier.
 *
 * Defaults: electricity, band_count 1, default_band 1, no seasons, uniform
 * mode, monthly cycle from day 1 (year start month 1), one ladder, no
 * proration, direct prices of 0, derive quantum 1 and half-up, rounding
 * half-up per line. Set the fields, then prepay_tariff_validate().
 * @param tariff the tariff to fill.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p tariff is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_init(prepay_tariff_t *tariff);

/**
 * @brief Checks a tariff completely; every evaluation function does this first.
 *
 * Safe on arbitrary bytes: every field is range-checked before use.
 * @param tariff the tariff.
 * @return ::PREPAY_OK, or the first problem found.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_ENUM;
 * ::PREPAY_E_TARIFF_CAPACITY; ::PREPAY_E_TARIFF_BAD_BAND;
 * ::PREPAY_E_TARIFF_SEASON_ORDER; ::PREPAY_E_TARIFF_SEASON_OVERLAP;
 * ::PREPAY_E_TARIFF_BAD_DATE; ::PREPAY_E_TARIFF_BAD_DAY_TABLE;
 * ::PREPAY_E_TARIFF_DAY_TABLE_EMPTY; ::PREPAY_E_TARIFF_SLOT_ORDER;
 * ::PREPAY_E_TARIFF_SLOT_RANGE; ::PREPAY_E_TARIFF_HOLIDAY_ORDER;
 * ::PREPAY_E_TARIFF_OVERRIDE_ORDER; ::PREPAY_E_TARIFF_OVERRIDE_RANGE;
 * ::PREPAY_E_TARIFF_TIER_ORDER; ::PREPAY_E_TARIFF_TIER_FINITE_LAST;
 * ::PREPAY_E_TARIFF_BAD_PRICE; ::PREPAY_E_TARIFF_BAD_DERIVATION;
 * ::PREPAY_E_TARIFF_BAD_CYCLE; ::PREPAY_E_TARIFF_BAD_FIXED_CHARGE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_validate(const prepay_tariff_t *tariff);

/**
 * @brief Makes a one-set plan: @p tariff in force at all times.
 * @param plan the plan to fill.
 * @param tariff set A (not copied; must outlive the plan).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if a pointer is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_plan_init(prepay_tariff_plan_t *plan, const prepay_tariff_t *tariff);

/**
 * @brief Checks a plan: each set valid, and the sets compatible.
 * @param plan the plan.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL plan or set A);
 * any error of prepay_tariff_validate(); ::PREPAY_E_TARIFF_SWITCH_MISMATCH.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_plan_validate(const prepay_tariff_plan_t *plan);

/**
 * @brief Validates a plan once and seals it, so that evaluation calls trust it instead of validating it again.
 *
 * Every evaluation function (streaming, batch, vending, prepay_tariff_next_change())
 * takes sealed and unsealed plans alike. An unsealed plan is validated
 * completely on every call (O(size of the tariffs), several hundred ns on a
 * server). A sealed plan is trusted after an O(1) check: its `sets`,
 * `switch_time` and the sets' ::prepay_tariff::revision are those it was
 * sealed with. Sealing also lets streaming states cache where they are in the
 * plan (band run, cycle, tier, price), which is what makes a streaming call
 * cost about as much as a batch interval.
 *
 * **Contract.** After sealing, a tariff the plan uses must not change unless
 * prepay_tariff_touch() is called on it afterwards (the meter module does
 * this for DL/T 645 writes); changing `plan->sets` or `plan->switch_time`
 * unseals the plan by itself. A tariff changed behind the seal is not detected
 * in ordinary builds: results are then those of an unchecked tariff. Builds
 * with ::PREPAY_TARIFF_CHECK_SEALS = 1 (the default in debug builds) compare a
 * fingerprint of the content on every trusted call and fail with
 * ::PREPAY_E_TARIFF_SEAL_BROKEN. Sealing again (after a touch, or at any time)
 * is always allowed.
 *
 * On error the plan is left unsealed (and otherwise unchanged).
 * @param plan the plan; its `seal` member is written.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** those of prepay_tariff_plan_validate().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_plan_seal(prepay_tariff_plan_t *plan);

/**
 * @brief Whether a plan is sealed and its seal still holds (sets, switch time and revisions unchanged).
 *
 * O(1); does not look at the tariffs' content.
 * @param plan the plan (NULL: false).
 * @return true if evaluation calls would trust @p plan without validating it.
 *
 * **Errors:** none.
 */
PREPAY_API bool prepay_tariff_plan_is_sealed(const prepay_tariff_plan_t *plan);

/**
 * @brief Records that a tariff changed: plans sealed with it stop trusting their seal.
 *
 * Adds one to ::prepay_tariff::revision. Call it after changing any member of
 * a tariff that a sealed plan uses, then seal the plan again (or let each call
 * validate it).
 * @param tariff the tariff that changed (NULL: nothing happens).
 *
 * **Errors:** none.
 */
PREPAY_API void prepay_tariff_touch(prepay_tariff_t *tariff);

/**
 * @brief A tariff as a programming tool writes it into a meter's flash: the set, validated once, and its seal.
 *
 * A meter whose tariff is const in flash (::PREPAY_METER_TARIFF_WRITES 0)
 * need not carry the full validator: the tool, built with the meter's
 * configuration, validates the set and seals the page
 * (prepay_tariff_page_seal()); the meter checks the seal when it binds
 * the page (prepay_tariff_page_check(), prepay_meter_bind_page()). The
 * check value covers the mark, the configuration fingerprint, the size of
 * ::prepay_tariff_t and every byte of the set up to its revision counter, so
 * a page written by a tool of another configuration or damaged in flash is
 * refused. Write the sealed page byte for byte (padding included: the check
 * covers the bytes as stored).
 */
typedef struct prepay_tariff_page {
    prepay_tariff_t tariff; /**< the price set */
    uint32_t mark;          /**< ::PREPAY_TARIFF_PAGE_MARK once sealed */
    uint32_t fingerprint;   /**< prepay_config_fingerprint() of the library that sealed it */
    uint64_t check;         /**< check value over mark, fingerprint, size and the set's bytes */
} prepay_tariff_page_t;

/** @brief ::prepay_tariff_page::mark of a sealed page ("TPGE"). */
#define PREPAY_TARIFF_PAGE_MARK 0x54504745u

/**
 * @brief Validates a tariff page's set completely and seals the page (host side: the programming tool).
 *
 * Sets `mark`, `fingerprint` (this library's configuration fingerprint) and
 * `check`. The set is validated as prepay_tariff_validate() does; an invalid
 * set is not sealed (the page's `mark` is cleared, so a meter refuses it).
 * @param page the page; its set must be complete, and it must be written to
 *        the meter exactly as it is after this call.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); any error of prepay_tariff_validate().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_page_seal(prepay_tariff_page_t *page);

/**
 * @brief Checks a tariff page's seal (meter side): O(size of the set), no validation.
 *
 * A page that passes was validated by prepay_tariff_page_seal() under this
 * configuration and has not changed since (up to the check value: every
 * change within one 8-byte word of the set is detected, any other change with
 * probability 1 - 2^-64).
 * @param page the page.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_NOT_SEALED
 * (no seal mark); ::PREPAY_E_CONFIG_MISMATCH (sealed by a library of another
 * configuration); ::PREPAY_E_TARIFF_SEAL_BROKEN (the bytes changed since sealing).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_page_check(const prepay_tariff_page_t *page);

/**
 * @brief The band and price set in force at an instant, and how long they stay in force.
 *
 * Returns the run `[at, run->until)` in which neither the band nor the price
 * set changes: `run->until` is the first instant after @p at at which one of
 * them changes (a slot edge, an override edge, a day whose table starts in
 * another band, the switch-over to set B), or @p limit if none does before it
 * (then `run->changes` is 0). A meter or a stream can price everything up to
 * `until` with one band and skip the lookups in between.
 *
 * Cost: one O(log n) day look-up (season, holiday and override searches over
 * the tariff's tables) for the day of @p at, plus one per following day
 * while the band stays the same across midnight (one for Beijing's 23:00-07:00
 * valley); a tariff with no seasons costs one search of its overrides. A
 * schedule whose band never changes is walked day by day up to @p limit, so
 * pass the horizon you need (e.g. the end of the interval to price).
 * @param plan a valid plan (sealed or not).
 * @param at the instant.
 * @param limit end of the search, > @p at.
 * @param run out: band, price set and end of the run; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, or @p limit <= @p at);
 * errors of prepay_tariff_plan_validate() (unsealed plans);
 * ::PREPAY_E_TARIFF_SEAL_BROKEN; ::PREPAY_E_BAD_DATE (outside years 1..9999).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_next_change(const prepay_tariff_plan_t *plan, prepay_time_t at, prepay_time_t limit,
                                         prepay_tariff_run_t *run);

/**
 * @brief Initialises an account: no adjustment, served at all times.
 * @param account the account to fill.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p account is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_account_init(prepay_tariff_account_t *account);

/**
 * @brief A derived unit price: `round(base x ratio / 1e6 + adder)` to a multiple of @p quantum.
 *
 * Guangdong: base 0.6725 yuan, ratio 1.7, adder 0, quantum 0.0001 yuan,
 * half-up gives 1.1433 yuan (114.33 fen). Uses prepay_i64_div_round() only.
 * @param base floating part (price units), >= 0.
 * @param ratio ratio in millionths, >= 0.
 * @param adder fixed part (price units), >= 0.
 * @param quantum published precision in price units, >= 1.
 * @param mode rounding rule.
 * @param out the price; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p out);
 * ::PREPAY_E_TARIFF_BAD_DERIVATION (negative value or quantum < 1);
 * ::PREPAY_E_BAD_ROUNDING; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_derive_price(prepay_price_t base, int64_t ratio, prepay_price_t adder,
                                          prepay_price_t quantum, prepay_rounding_t mode, prepay_price_t *out);

/**
 * @brief The unit price of a band and tier under a tariff (derivation and surcharges applied).
 * @param tariff a valid tariff.
 * @param band 1..band_count.
 * @param tier 1..tier_count.
 * @param out the price; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); errors of
 * prepay_tariff_validate(); ::PREPAY_E_TARIFF_BAD_BAND (band or tier out of
 * range); ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_price(const prepay_tariff_t *tariff, unsigned band, unsigned tier, prepay_price_t *out);

/**
 * @brief The band in force at an instant.
 * @param tariff a valid tariff.
 * @param at the instant.
 * @param band out: 1..band_count; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); errors of
 * prepay_tariff_validate(); ::PREPAY_E_BAD_DATE (@p at outside years 1..9999).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_band_at(const prepay_tariff_t *tariff, prepay_time_t at, unsigned *band);

/**
 * @brief The cycle containing an instant, as an id: `12 x year + month - 1` of the cycle's start.
 * @param tariff a valid tariff (its cycle definition is used).
 * @param at the instant.
 * @param cycle out: the cycle id; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_CYCLE;
 * ::PREPAY_E_BAD_DATE (outside years 1..9999).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_cycle_of(const prepay_tariff_t *tariff, prepay_time_t at, int32_t *cycle);

/**
 * @brief The start and end of a cycle.
 * @param tariff a valid tariff.
 * @param cycle a cycle id from prepay_tariff_cycle_of().
 * @param start out: first instant of the cycle (may be NULL).
 * @param end out: first instant after the cycle (may be NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL tariff);
 * ::PREPAY_E_TARIFF_BAD_CYCLE; ::PREPAY_E_BAD_DATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_cycle_bounds(const prepay_tariff_t *tariff, int32_t cycle, prepay_time_t *start,
                                          prepay_time_t *end);

/**
 * @brief Effective tier bounds of a cycle for an account (ladder, per-day, adjustment, proration).
 * @param tariff a valid tariff.
 * @param account the account, or NULL for no adjustment and full service.
 * @param cycle the cycle id.
 * @param upper out: tier_count bounds; the last is ::PREPAY_TIER_UNBOUNDED.
 * @param upper_cap capacity of @p upper (>= tier_count).
 * @return tier_count, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); errors of
 * prepay_tariff_validate(); ::PREPAY_E_BUFFER_TOO_SMALL;
 * ::PREPAY_E_TARIFF_BAD_ACCOUNT; ::PREPAY_E_OVERFLOW; ::PREPAY_E_BAD_DATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_tier_bounds(const prepay_tariff_t *tariff, const prepay_tariff_account_t *account,
                                         int32_t cycle, prepay_energy_t *upper, size_t upper_cap);

/* ---- streaming ------------------------------------------------------------ */

/**
 * @brief Initialises a streaming state: nothing priced yet, no cycle open, not primed.
 * @param state the state.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p state is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_state_init(prepay_tariff_state_t *state);

/**
 * @brief Checks a streaming state restored from storage (its marker, flags, carry and energies).
 *
 * The same check every streaming call makes first; use it to refuse a
 * stored state before relying on it.
 * @param state the state.
 * @return ::PREPAY_OK if it is a well-formed state, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p state is NULL;
 * ::PREPAY_E_TARIFF_BAD_STATE if a member is out of its domain.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_state_check(const prepay_tariff_state_t *state);

/**
 * @brief Checks a compact streaming state restored from storage, like prepay_tariff_state_check().
 * @param state the state.
 * @return ::PREPAY_OK if it is a well-formed state, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p state is NULL;
 * ::PREPAY_E_TARIFF_BAD_STATE if a member is out of its domain.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_state_check(const prepay_tariff_compact_state_t *state);

/**
 * @brief Prices one interval and advances the state.
 *
 * The interval must not start before the end of the previous one (gaps are
 * allowed and carry no energy). It is split at band, tier, cycle and
 * price-set boundaries; consecutive pieces with the same (cycle, set, band,
 * tier) are merged into one line (a bill merges all equal keys). Entering a cycle emits its fixed charges. In
 * proportional mode, energy lines of a cycle are emitted when the cycle is
 * left (or closed with prepay_tariff_close_cycle()). `result->due` is the
 * whole minor units to deduct now; the remainder stays in `state->carry`.
 * Work happens on a copy of the state, committed only on success.
 * @param plan a valid plan (sealed or not; see prepay_tariff_plan_seal()).
 * @param account the account, or NULL.
 * @param state the account's state.
 * @param start interval start.
 * @param end interval end (>= start).
 * @param energy energy in the interval (>= 0; 0 if end == start).
 * @param lines out: line buffer (may be NULL if @p line_cap is 0).
 * @param line_cap capacity of @p lines.
 * @param result out: counts and totals (on ::PREPAY_E_BUFFER_TOO_SMALL, line_count is the size needed).
 * @return the number of lines written (>= 0), or an error; on error @p state is unchanged.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_STATE;
 * errors of prepay_tariff_plan_validate() (unsealed plans);
 * ::PREPAY_E_TARIFF_SEAL_BROKEN; ::PREPAY_E_TARIFF_BAD_INTERVAL;
 * ::PREPAY_E_TARIFF_TIME_ORDER; ::PREPAY_E_TARIFF_CYCLE_CLOSED;
 * ::PREPAY_E_TARIFF_BAD_ACCOUNT; ::PREPAY_E_BUFFER_TOO_SMALL;
 * ::PREPAY_E_OVERFLOW; ::PREPAY_E_BAD_DATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_feed_interval(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                           prepay_tariff_state_t *state, prepay_time_t start, prepay_time_t end,
                                           prepay_energy_t energy, prepay_tariff_line_t *lines, size_t line_cap,
                                           prepay_tariff_feed_result_t *result);

/**
 * @brief Prices the energy between the previous register reading and this one.
 *
 * The first reading only primes the state (0 lines). Each later reading
 * feeds the interval [previous time, @p at) with energy = register
 * difference, as prepay_tariff_feed_interval(). Register wrap-around is not
 * handled (a smaller reading is an error).
 * @param plan a valid plan.
 * @param account the account, or NULL.
 * @param state the state.
 * @param at time of the reading.
 * @param reading the register value (Wh or L).
 * @param lines out: line buffer.
 * @param line_cap capacity of @p lines.
 * @param result out: counts and totals.
 * @return lines written (>= 0), or an error; on error @p state is unchanged.
 *
 * **Errors:** those of prepay_tariff_feed_interval();
 * ::PREPAY_E_TARIFF_REGISTER_BACKWARDS.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_feed_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                          prepay_tariff_state_t *state, prepay_time_t at, prepay_energy_t reading,
                                          prepay_tariff_line_t *lines, size_t line_cap,
                                          prepay_tariff_feed_result_t *result);

/**
 * @brief Closes the open cycle: in proportional mode emits its energy lines; later energy in it is refused.
 *
 * In the other modes nothing is emitted and the cycle stays open (lines
 * were emitted as energy arrived). Closing with no open cycle emits nothing.
 * @param plan a valid plan.
 * @param account the account, or NULL.
 * @param state the state.
 * @param lines out: line buffer.
 * @param line_cap capacity of @p lines.
 * @param result out: counts and totals.
 * @return lines written (>= 0), or an error; on error @p state is unchanged.
 *
 * **Errors:** as prepay_tariff_feed_interval().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_close_cycle(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                         prepay_tariff_state_t *state, prepay_tariff_line_t *lines, size_t line_cap,
                                         prepay_tariff_feed_result_t *result);

/**
 * @brief Initialises a compact streaming state: nothing priced yet, no cycle open, not primed.
 * @param state the state.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p state is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_init(prepay_tariff_compact_state_t *state);

/**
 * @brief prepay_tariff_feed_interval() on a compact state (uniform and chronological modes).
 *
 * Same rules, lines, dues and errors as prepay_tariff_feed_interval(); a plan
 * in proportional mode is refused with ::PREPAY_E_TARIFF_NEEDS_BANDS.
 * @param plan a valid plan (seal it with prepay_tariff_plan_seal() for speed).
 * @param account the account, or NULL.
 * @param state the account's compact state.
 * @param start interval start.
 * @param end interval end (>= start).
 * @param energy energy in the interval (>= 0; 0 if end == start).
 * @param lines out: line buffer (may be NULL if @p line_cap is 0).
 * @param line_cap capacity of @p lines.
 * @param result out: counts and totals (on ::PREPAY_E_BUFFER_TOO_SMALL, line_count is the size needed).
 * @return the number of lines written (>= 0), or an error; on error @p state is unchanged.
 *
 * **Errors:** those of prepay_tariff_feed_interval(); ::PREPAY_E_TARIFF_NEEDS_BANDS.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_feed_interval(const prepay_tariff_plan_t *plan,
                                                   const prepay_tariff_account_t *account,
                                                   prepay_tariff_compact_state_t *state, prepay_time_t start,
                                                   prepay_time_t end, prepay_energy_t energy,
                                                   prepay_tariff_line_t *lines, size_t line_cap,
                                                   prepay_tariff_feed_result_t *result);

/**
 * @brief prepay_tariff_feed_reading() on a compact state (uniform and chronological modes).
 * @param plan a valid plan (seal it with prepay_tariff_plan_seal() for speed).
 * @param account the account, or NULL.
 * @param state the compact state.
 * @param at time of the reading.
 * @param reading the register value (Wh or L).
 * @param lines out: line buffer.
 * @param line_cap capacity of @p lines.
 * @param result out: counts and totals.
 * @return lines written (>= 0), or an error; on error @p state is unchanged.
 *
 * **Errors:** those of prepay_tariff_feed_reading(); ::PREPAY_E_TARIFF_NEEDS_BANDS.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_feed_reading(const prepay_tariff_plan_t *plan,
                                                  const prepay_tariff_account_t *account,
                                                  prepay_tariff_compact_state_t *state, prepay_time_t at,
                                                  prepay_energy_t reading, prepay_tariff_line_t *lines,
                                                  size_t line_cap, prepay_tariff_feed_result_t *result);

/**
 * @brief Expands a compact state into a full one (per-band energy zero), e.g. for batch or vending.
 * @param compact the compact state.
 * @param state out: the full state; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_to_state(const prepay_tariff_compact_state_t *compact,
                                              prepay_tariff_state_t *state);

/**
 * @brief Packs a full state into a compact one (it must hold no per-band energy).
 * @param state the full state.
 * @param compact out: the compact state; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_STATE;
 * ::PREPAY_E_TARIFF_NEEDS_BANDS (the state holds per-band energy of an open
 * proportional cycle).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_from_state(const prepay_tariff_state_t *state,
                                                prepay_tariff_compact_state_t *compact);

/**
 * @brief Marks a compact state energy-only: the plan's demand and capacity charges are not priced with it.
 *
 * A compact state has no room for monthly peaks, so a plan with demand or
 * capacity charges is refused (::PREPAY_E_TARIFF_NEEDS_DEMAND) unless the
 * state is energy-only: then it prices energy and fixed charges alone, the
 * part a prepaid meter deducts (the station bills the demand from the
 * meter's maximum-demand registers, see prepay_tariff_demand_lines()). The
 * mark survives prepay_tariff_compact_to_state() and storage.
 * @param state an initialised compact state.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_compact_energy_only(prepay_tariff_compact_state_t *state);

/* ---- demand and capacity ---------------------------------------------------- */

/**
 * @brief The demand of an interval: its average power `round(energy x 3600 / (end - start))` W, half-up.
 *
 * The rule every demand charge of the engine uses (see ::prepay_tariff_demand_t).
 * @param start interval start.
 * @param end interval end, > @p start.
 * @param energy Wh, >= 0.
 * @param demand out: W; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_TARIFF_BAD_INTERVAL (@p end <= @p start,
 * negative energy); ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_interval_demand(prepay_time_t start, prepay_time_t end, prepay_energy_t energy,
                                             prepay_power_t *demand);

/**
 * @brief The billing demand of the month held in @p demand (ratchets, minimum; the flat peak without ratchets).
 *
 * Uses the price set `demand->set` of @p plan and the history in @p demand
 * (see ::prepay_tariff_demand_t for the rule).
 * @param plan a valid plan.
 * @param demand the month's peaks and history (`cycle` must be a month, not 0).
 * @param billing out: W; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, `cycle` 0); errors of prepay_tariff_plan_validate()
 * (unsealed plans); ::PREPAY_E_TARIFF_SEAL_BROKEN; ::PREPAY_E_TARIFF_BAD_STATE (a peak out of its domain);
 * ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_demand_billing(const prepay_tariff_plan_t *plan,
                                            const prepay_tariff_demand_state_t *demand, prepay_power_t *billing);

/**
 * @brief The demand and capacity lines of one month from its peaks: what closing the month emits.
 *
 * The streaming and batch functions call this when a month closes, with the
 * peaks they measured. A station that bills demand from a meter's
 * maximum-demand registers (DL/T 645 0101xx00) calls it with those: zero a
 * ::prepay_tariff_demand_state_t, set `cycle`, `set`, `flat_peak` and
 * `peak[]` (and the history for ratchets). Lines are in canonical order
 * (flat, then periods; tiers in order; capacity last), money rounded by the
 * tariff's rule; lines of zero quantity are left out.
 * @param plan a valid plan.
 * @param account the account (its contracted capacity), or NULL.
 * @param demand the month's peaks and history.
 * @param lines out: line buffer (may be NULL if @p line_cap is 0).
 * @param line_cap capacity of @p lines.
 * @param count out: lines written; on ::PREPAY_E_BUFFER_TOO_SMALL, lines needed.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, `cycle` 0, `set` without a price set);
 * errors of prepay_tariff_plan_validate() (unsealed plans); ::PREPAY_E_TARIFF_SEAL_BROKEN;
 * ::PREPAY_E_TARIFF_BAD_STATE; ::PREPAY_E_BUFFER_TOO_SMALL; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_demand_lines(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                          const prepay_tariff_demand_state_t *demand, prepay_tariff_line_t *lines,
                                          size_t line_cap, size_t *count);

/**
 * @brief Records the billing-demand peak of a past month (e.g. from last year's bills) for the ratchets.
 *
 * The peak is the one ::prepay_tariff_demand_t::ratchet_periods selects
 * (the flat peak when it is 0). A later month closing in the same slot
 * (12 months later) replaces it.
 * @param demand the demand state (e.g. `&state->demand`).
 * @param cycle the month (prepay_tariff_cycle_of()), before the state's open month.
 * @param peak W, >= 0.
 * @return ::PREPAY_OK, or an error; nothing changes on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, a month that is not before the open one, a negative peak).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_demand_remember(prepay_tariff_demand_state_t *demand, int32_t cycle,
                                             prepay_power_t peak);

/* ---- bills and batch ------------------------------------------------------ */

/**
 * @brief Initialises an empty bill over caller storage, recording the tariff's rounding rule and scope.
 * @param bill the bill.
 * @param tariff the tariff whose rounding and scope the bill records.
 * @param lines line storage (may be NULL if @p line_cap is 0).
 * @param line_cap capacity of @p lines.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL bill or tariff, or NULL
 * lines with a non-zero capacity); ::PREPAY_E_TARIFF_BAD_ENUM.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_bill_init(prepay_tariff_bill_t *bill, const prepay_tariff_t *tariff,
                                       prepay_tariff_line_t *lines, size_t line_cap);

/**
 * @brief Adds lines (e.g. from streaming calls) to a bill, merging equal keys, keeping canonical order.
 *
 * Amounts and quantities of merged lines are added exactly. Totals are
 * updated by prepay_tariff_bill_finish().
 * @param bill an initialised bill.
 * @param lines lines to add.
 * @param count number of lines.
 * @return ::PREPAY_OK, or an error. On ::PREPAY_E_BUFFER_TOO_SMALL and
 *         ::PREPAY_E_INVALID_ARGUMENT the bill is unchanged except
 *         `lines_needed` (the capacity that would be needed); after
 *         ::PREPAY_E_OVERFLOW (sums beyond int64) the bill must be discarded.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, or a malformed line);
 * ::PREPAY_E_BUFFER_TOO_SMALL; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_bill_add(prepay_tariff_bill_t *bill, const prepay_tariff_line_t *lines, size_t count);

/**
 * @brief Computes the lines' money and the bill's subtotals and total by its rounding rule and scope.
 * @param bill the bill.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL or a line with a band or
 * tier out of range); ::PREPAY_E_BAD_ROUNDING; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_bill_finish(prepay_tariff_bill_t *bill);

/**
 * @brief Prices an array of intervals into a finished bill (same result as streaming + close).
 *
 * Equivalent to feeding each interval with prepay_tariff_feed_interval(),
 * adding every line to @p bill, then prepay_tariff_close_cycle() and
 * prepay_tariff_bill_finish(). Uses a fast path (per-day band segments,
 * per band and tier energy accumulators) that gives identical results.
 * Batch does not compute dues: the state's `charged` and `carry` are left
 * as they were.
 * @param plan a valid plan.
 * @param account the account, or NULL.
 * @param state in/out: the state to start from and advance (NULL: a fresh state, discarded).
 * @param intervals the intervals, in time order.
 * @param count number of intervals.
 * @param bill an initialised bill (lines are added to what it holds).
 * @return ::PREPAY_OK, or an error. On error @p state is unchanged and the
 *         bill holds a partial result that must be discarded
 *         (prepay_tariff_bill_init() again); on ::PREPAY_E_BUFFER_TOO_SMALL,
 *         `bill->lines_needed` is the capacity needed when the bill was empty.
 *
 * **Errors:** those of prepay_tariff_feed_interval() and prepay_tariff_bill_add().
 *
 * @par Example
 * Pricing two days of a JSON tariff (the loader is hosted, tariff_json.h):
 * @code
 * static prepay_tariff_doc_t doc;  // hosted loader: tariff_json.h
 * prepay_tariff_plan_t plan;
 * char err[PREPAY_TARIFF_JSON_ERROR_MAX];
 * if (prepay_tariff_json_load_file("examples/tariffs/guangzhou_residential_tou.json", &doc, err, sizeof err) != PREPAY_OK ||
 *     prepay_tariff_doc_plan(&doc, &plan) != PREPAY_OK) {
 *     return -1;  // err names the JSON path of the problem
 * }
 * prepay_time_t day;
 * if (prepay_time_parse("2025-07-01 00:00", 16, &day) != PREPAY_OK) {
 *     return -1;
 * }
 * const prepay_tariff_interval_t intervals[] = {
 *     {day, day + PREPAY_SECONDS_PER_DAY, 12500},  // 12.5 kWh on 1 July
 *     {day + PREPAY_SECONDS_PER_DAY, day + 2 * PREPAY_SECONDS_PER_DAY, 9800},  // 9.8 kWh on 2 July
 * };
 * prepay_tariff_line_t lines[32];
 * prepay_tariff_bill_t bill;
 * int status = prepay_tariff_bill_init(&bill, &doc.sets[0], lines, 32);
 * if (status == PREPAY_OK) {
 *     status = prepay_tariff_eval_batch(&plan, &doc.account, NULL, intervals, 2, &bill);
 * }
 * if (status != PREPAY_OK) {
 *     return status;  // prepay_strerror(status) says why
 * }
 * // bill.total: minor units (fen), each line and the total rounded once by the tariff's rule
 * @endcode
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_eval_batch(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                        prepay_tariff_state_t *state, const prepay_tariff_interval_t *intervals,
                                        size_t count, prepay_tariff_bill_t *bill);

/* ---- vending ------------------------------------------------------------- */

/**
 * @brief Vending inverse: the most energy @p money buys at the account's position.
 *
 * Assumes all the energy is used at instant @p at in one band (@p band, or
 * the band in force at @p at when 0) of the price set in force at @p at,
 * starting from the state's cycle energy (0 if @p at is in a later cycle
 * than the state's), in the cycle of @p at, with incremental tier pricing.
 * The answer E is a multiple of @p quantum (e.g. 10 Wh for a 0.01 kWh
 * register) with exact cost(E) <= money < cost(E + quantum).
 * @param plan a valid plan.
 * @param account the account, or NULL.
 * @param state the account's state, or NULL for an empty cycle.
 * @param at the instant of the purchase.
 * @param band 0 (band at @p at) or 1..band_count.
 * @param money minor units, >= 0.
 * @param quantum energy granularity, >= 1.
 * @param energy out: the energy; untouched on error.
 * @param cost out: its exact cost (may be NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, negative money, quantum < 1);
 * errors of prepay_tariff_plan_validate() (unsealed plans);
 * ::PREPAY_E_TARIFF_SEAL_BROKEN; ::PREPAY_E_TARIFF_BAD_BAND;
 * ::PREPAY_E_TARIFF_BAD_STATE; ::PREPAY_E_TARIFF_FREE_ENERGY;
 * ::PREPAY_E_TARIFF_BAD_ACCOUNT; ::PREPAY_E_OVERFLOW; ::PREPAY_E_BAD_DATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_tariff_vend(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                  const prepay_tariff_state_t *state, prepay_time_t at, unsigned band,
                                  prepay_money_t money, prepay_energy_t quantum, prepay_energy_t *energy,
                                  prepay_amount_t *cost);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_tariff_init(...) PREPAY_CONFIG_GUARDED(prepay_tariff_init, __VA_ARGS__)
#define prepay_tariff_plan_init(...) PREPAY_CONFIG_GUARDED(prepay_tariff_plan_init, __VA_ARGS__)
#define prepay_tariff_account_init(...) PREPAY_CONFIG_GUARDED(prepay_tariff_account_init, __VA_ARGS__)
#define prepay_tariff_state_init(...) PREPAY_CONFIG_GUARDED(prepay_tariff_state_init, __VA_ARGS__)
#define prepay_tariff_compact_init(...) PREPAY_CONFIG_GUARDED(prepay_tariff_compact_init, __VA_ARGS__)
#define prepay_tariff_bill_init(...) PREPAY_CONFIG_GUARDED(prepay_tariff_bill_init, __VA_ARGS__)
#define prepay_tariff_page_seal(...) PREPAY_CONFIG_GUARDED(prepay_tariff_page_seal, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_TARIFF_H */
