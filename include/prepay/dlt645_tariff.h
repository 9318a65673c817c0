/* SPDX-License-Identifier: MIT */
/**
 * @file dlt645_tariff.h
 * @brief A tariff as a DL/T 645 meter holds it: compile a price set into the meter's tables, rebuild one from them.
 *
 * A DL/T 645-2007 prepaid meter prices energy from tables a station writes
 * (appendix A.5 and the State Grid prepaid extensions, Q/GDW):
 *
 * | tables of set s (1 or 2)              | DI                 | wire format |
 * |---------------------------------------|--------------------|-------------|
 * | year zones (≤ 14)                     | 04s00000           | MMDDNN × p (NN: day table) |
 * | day table n (≤ 8), slots (≤ 14)       | 04s000nn           | hhmmNN × m (NN: tariff) |
 * | price of tariff n (≤ 63)              | 04050snn           | XXXX.XXXX yuan/kWh |
 * | ladder value n (≤ 6)                  | 040600nn (set 2: 040602nn) | XXXXXX.XX kWh |
 * | ladder price n (≤ 7)                  | 040601nn (set 2: 040603nn) | XXXX.XXXX yuan/kWh |
 * | switch-over times to set 2            | 04000106..09       | YYMMDDhhmm |
 *
 * The current price is the tariff's price plus the price of the ladder step
 * the cycle's energy has reached (Q/GDW: "current price = rate price +
 * ladder price"): the library's ::PREPAY_TOU_TIER_UNIFORM mode, with the
 * ladder prices as tier surcharges.
 *
 * This header turns one price set (::prepay_tariff_t) into those tables
 * (prepay_dlt645_tariff_compile()), refusing — before anything is written —
 * what a meter cannot hold: more zones, day tables, slots, tariffs or
 * ladder steps than DL/T 645 allows; separate weekend or holiday day
 * tables, listed holidays and date overrides (which these tables do not
 * carry); per-band tier prices; seasonal or per-day ladders; prices finer
 * than 0.0001 yuan and ladder values finer than 0.01 kWh. It lists the
 * writes in a safe order (prepay_dlt645_tariff_write_item()), takes read
 * replies back into tables (prepay_dlt645_tariff_absorb()), rebuilds a
 * price set from tables (prepay_dlt645_tariff_rebuild()) and lists the
 * differences between two sets of tables (prepay_dlt645_tariff_diff()).
 *
 * What DL/T 645 does not carry — the unit, the tier cycle (month or year,
 * start), rounding, fixed charges, proration — stays as the meter was set
 * up; a rebuild takes it from a base tariff.
 *
 * Freestanding: no allocation, constant stack, no global state.
 */
#ifndef PREPAY_DLT645_TARIFF_H
#define PREPAY_DLT645_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/dlt645_data.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"

/** @name Status codes (module ::PREPAY_MODULE_DLT645, numbers 128..)
 *  @{ */
/** @brief The price set cannot be held by a DL/T 645 meter (see ::prepay_dlt645_tariff_problem_t for what and where).
 *  prepay_strerror(): "DL/T 645: the tariff cannot be held by a DL/T 645 meter" */
#define PREPAY_E_DLT645_TARIFF_UNSUPPORTED PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 128)
/** @brief Tables (read back from a meter) that are not a valid tariff: unsorted zones, a slot naming a missing tariff, ...
 *  prepay_strerror(): "DL/T 645: tariff tables are not a valid tariff" */
#define PREPAY_E_DLT645_TARIFF_TABLES PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 129)
/** @} */

/** @name Limits of DL/T 645-2007 (A.5: 04000201..04000204; Q/GDW ladders)
 *  @{ */
/** @brief Year zones a meter holds (04000201 ≤ 14). */
#define PREPAY_DLT645_TARIFF_MAX_ZONES 14u
/** @brief Day tables a meter holds (04000202 ≤ 8). */
#define PREPAY_DLT645_TARIFF_MAX_DAY_TABLES 8u
/** @brief Slots of a day table (04000203 ≤ 14). */
#define PREPAY_DLT645_TARIFF_MAX_SLOTS 14u
/** @brief Tariffs (bands) a meter prices (04000204 ≤ 63). */
#define PREPAY_DLT645_TARIFF_MAX_TARIFFS 63u
/** @brief Ladder values (finite tier bounds) of a ladder set (Q/GDW: 6). */
#define PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES 6u
/** @brief Ladder prices of a ladder set (Q/GDW: 7, one per step). */
#define PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES 7u
/** @brief Price units per 0.0001 yuan: XXXX.XXXX prices are multiples of this (::prepay_price_t is 1e-8). */
#define PREPAY_DLT645_TARIFF_PRICE_QUANTUM 10000
/** @brief Wh per 0.01 kWh: XXXXXX.XX ladder values are multiples of this. */
#define PREPAY_DLT645_TARIFF_ENERGY_QUANTUM 10
/** @brief Most bytes of one table write's value (a zone or day table of 14 entries × 3 bytes). */
#define PREPAY_DLT645_TARIFF_VALUE_MAX 42u
/** @brief Most writes prepay_dlt645_tariff_write_item() lists for one set. */
#define PREPAY_DLT645_TARIFF_MAX_WRITES                                                                         \
    (PREPAY_DLT645_TARIFF_MAX_DAY_TABLES + 1u + PREPAY_DLT645_TARIFF_MAX_TARIFFS + 1u +                          \
     PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES + PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES)
/** @} */

/**
 * @brief One price set as DL/T 645 tables (plain data, about 1 kB).
 *
 * Zone entries are (month, day, day table 1..8); slot entries (hour,
 * minute, tariff 1..63), both in ::prepay_dlt645_entry_t reading order.
 */
typedef struct prepay_dlt645_tariff_tables {
    uint8_t zone_count;                                                  /**< zones used, 1..14 */
    uint8_t day_table_count;                                             /**< day tables used, 1..8 */
    uint8_t tariff_count;                                                /**< tariffs priced, 1..63 */
    uint8_t ladder_value_count;                                          /**< finite ladder values, 0..6 (tiers - 1) */
    uint8_t slot_count[PREPAY_DLT645_TARIFF_MAX_DAY_TABLES];             /**< slots of each day table, 1..14 */
    prepay_dlt645_entry_t zones[PREPAY_DLT645_TARIFF_MAX_ZONES];         /**< month, day, day table */
    prepay_dlt645_entry_t slots[PREPAY_DLT645_TARIFF_MAX_DAY_TABLES][PREPAY_DLT645_TARIFF_MAX_SLOTS]; /**< hour, minute, tariff */
    prepay_price_t prices[PREPAY_DLT645_TARIFF_MAX_TARIFFS];             /**< price of tariff n at n - 1 (1e-8 yuan/kWh) */
    prepay_energy_t ladder_values[PREPAY_DLT645_TARIFF_MAX_LADDER_VALUES]; /**< cumulative tier bounds, Wh */
    prepay_price_t ladder_prices[PREPAY_DLT645_TARIFF_MAX_LADDER_PRICES];  /**< price added in step n at n - 1 */
} prepay_dlt645_tariff_tables_t;

/** @brief Why a price set cannot be held by a DL/T 645 meter. */
typedef enum prepay_dlt645_tariff_reason {
    PREPAY_DLT645_TARIFF_OK = 0,                 /**< no problem */
    PREPAY_DLT645_TARIFF_INVALID = 1,            /**< the tariff itself is invalid (`value` = the tariff module's error) */
    PREPAY_DLT645_TARIFF_NOT_ENERGY = 2,         /**< a water tariff */
    PREPAY_DLT645_TARIFF_TOO_MANY_ZONES = 3,     /**< more than 14 seasons (`value` = count) */
    PREPAY_DLT645_TARIFF_TOO_MANY_DAY_TABLES = 4, /**< more than 8 day tables */
    PREPAY_DLT645_TARIFF_TOO_MANY_SLOTS = 5,     /**< a day table (`index`) of more than 14 slots */
    PREPAY_DLT645_TARIFF_TOO_MANY_TARIFFS = 6,   /**< more than 63 bands */
    PREPAY_DLT645_TARIFF_DAY_TYPES = 7,          /**< a season (`index`) with its own Saturday, Sunday or holiday day table */
    PREPAY_DLT645_TARIFF_HOLIDAYS = 8,           /**< listed holidays (`value` = count) */
    PREPAY_DLT645_TARIFF_OVERRIDES = 9,          /**< per-date overrides (`value` = count) */
    PREPAY_DLT645_TARIFF_TIER_PRICES = 10,       /**< per-band tier prices (chronological or proportional mode with tiers) */
    PREPAY_DLT645_TARIFF_TOO_MANY_TIERS = 11,    /**< more than 7 tiers */
    PREPAY_DLT645_TARIFF_SEASONAL_LADDER = 12,   /**< different ladders by month */
    PREPAY_DLT645_TARIFF_PER_DAY_LADDER = 13,    /**< tier bounds per day of the cycle */
    PREPAY_DLT645_TARIFF_PRICE_PRECISION = 14,   /**< a band (`index`) price (`value`) not a multiple of 0.0001 yuan, or above 9999.9999 */
    PREPAY_DLT645_TARIFF_LADDER_PRECISION = 15,  /**< a tier bound (`index`, `value` Wh) not a multiple of 0.01 kWh, or above 999999.99 kWh */
    PREPAY_DLT645_TARIFF_LADDER_PRICE = 16,      /**< a tier surcharge (`index`, `value`) negative, finer than 0.0001 yuan or too large */
    PREPAY_DLT645_TARIFF_REASON_COUNT = 17       /**< number of reasons (not a reason) */
} prepay_dlt645_tariff_reason_t;

/** @brief What prepay_dlt645_tariff_compile() could not carry, and where. */
typedef struct prepay_dlt645_tariff_problem {
    uint8_t reason; /**< ::prepay_dlt645_tariff_reason */
    uint8_t index;  /**< 1-based season, day table, band or tier the reason is about (0 if none) */
    int64_t value;  /**< the offending count, price, bound or error code */
} prepay_dlt645_tariff_problem_t;

/** @brief One table write: a DI and its value bytes (before the +0x33 link offset). */
typedef struct prepay_dlt645_tariff_write {
    uint32_t di;                                    /**< the item to write */
    uint8_t length;                                 /**< bytes of `value` */
    uint8_t value[PREPAY_DLT645_TARIFF_VALUE_MAX];  /**< the value in wire order */
} prepay_dlt645_tariff_write_t;

/** @brief What a difference between two sets of tables is about. */
typedef enum prepay_dlt645_tariff_part {
    PREPAY_DLT645_TARIFF_PART_ZONE_COUNT = 0,   /**< number of zones (`a_value`, `b_value`) */
    PREPAY_DLT645_TARIFF_PART_ZONE = 1,         /**< zone `index` (entries) */
    PREPAY_DLT645_TARIFF_PART_SLOT_COUNT = 2,   /**< slots of day table `index` */
    PREPAY_DLT645_TARIFF_PART_SLOT = 3,         /**< slot `slot` of day table `index` (entries) */
    PREPAY_DLT645_TARIFF_PART_PRICE = 4,        /**< price of tariff `index` */
    PREPAY_DLT645_TARIFF_PART_LADDER_COUNT = 5, /**< number of ladder values */
    PREPAY_DLT645_TARIFF_PART_LADDER_VALUE = 6, /**< ladder value `index` (Wh) */
    PREPAY_DLT645_TARIFF_PART_LADDER_PRICE = 7  /**< ladder price `index` */
} prepay_dlt645_tariff_part_t;

/** @brief One difference between two sets of tables (a and b). */
typedef struct prepay_dlt645_tariff_difference {
    uint8_t part;                  /**< ::prepay_dlt645_tariff_part */
    uint8_t index;                 /**< 1-based zone, day table, tariff or ladder step */
    uint8_t slot;                  /**< 1-based slot (SLOT only) */
    bool a_present;                /**< the entry exists in a (ZONE, SLOT) */
    bool b_present;                /**< the entry exists in b (ZONE, SLOT) */
    prepay_dlt645_entry_t a_entry; /**< ZONE, SLOT: the entry in a */
    prepay_dlt645_entry_t b_entry; /**< ZONE, SLOT: the entry in b */
    int64_t a_value;               /**< counts, prices (1e-8 yuan/kWh), ladder values (Wh) in a */
    int64_t b_value;               /**< the same in b */
} prepay_dlt645_tariff_difference_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Compiles one price set into DL/T 645 tables, or says why a meter cannot hold it.
 *
 * Seasons become zones (their weekday table; the Saturday, Sunday and
 * holiday tables must be the same); a tariff without seasons becomes one
 * zone from 01-01 with one day table of one slot, 00:00 in its default
 * band. Prices are the band prices of tier 1 without the tier-1 surcharge
 * (derived prices are computed); ladder values are the finite tier bounds;
 * ladder price n is the surcharge of tier n (0 beyond the tiers). A set
 * with one tier in a per-band mode is taken as uniform (its tier-1 prices).
 * @param set the price set (validated first).
 * @param out the tables; written only on success.
 * @param problem why it failed (may be NULL); set to ::PREPAY_DLT645_TARIFF_OK on success.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_TARIFF_UNSUPPORTED (the reason in @p problem).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_compile(const prepay_tariff_t *set, prepay_dlt645_tariff_tables_t *out,
                                            prepay_dlt645_tariff_problem_t *problem);

/**
 * @brief English text of a reason ("more than 14 seasons (year zones)", ...).
 * @param reason a ::prepay_dlt645_tariff_reason.
 * @return a static string; "unknown reason" for other values.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_dlt645_tariff_reason_text(unsigned reason);

/**
 * @brief Checks tables (e.g. read back from a meter) as a tariff: the same rules the tariff model applies.
 * @param tables the tables.
 * @return ::PREPAY_OK, or an error.
 *
 * Zones strictly increasing in (month, day), real dates (not 29 February)
 * naming day tables 1..`day_table_count`; slots strictly increasing, hours
 * 0..23, minutes 0..59, naming tariffs 1..`tariff_count`; counts within the
 * limits; prices non-negative multiples of 0.0001 yuan; ladder values
 * positive, strictly increasing multiples of 0.01 kWh; ladder prices
 * non-negative multiples of 0.0001 yuan.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_DLT645_TARIFF_TABLES.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_check(const prepay_dlt645_tariff_tables_t *tables);

/**
 * @brief Rebuilds a price set from tables: schedule, band prices and ladder from the tables, the rest from @p base.
 *
 * The result is a ::PREPAY_TOU_TIER_UNIFORM set with direct prices, one
 * ladder (`ladder_value_count + 1` tiers), every day type of a season on
 * the zone's day table, no holidays or overrides, and the unit, cycle,
 * proration, fixed charges and rounding of @p base.
 * @param tables the tables (checked with prepay_dlt645_tariff_check()).
 * @param base what DL/T 645 does not carry, or NULL for prepay_tariff_init()'s defaults.
 * @param out the price set; written only on success (it may be @p base itself).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL @p tables or @p out;
 * ::PREPAY_E_DLT645_TARIFF_TABLES; errors of prepay_tariff_validate() for
 * an invalid @p base (or a combination of base and tables the model refuses).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_rebuild(const prepay_dlt645_tariff_tables_t *tables, const prepay_tariff_t *base,
                                            prepay_tariff_t *out);

/**
 * @brief Number of writes that program a set's tables (prepay_dlt645_tariff_write_item() indexes 0..n-1).
 * @param tables the tables.
 * @return the count, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_DLT645_TARIFF_TABLES.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_write_count(const prepay_dlt645_tariff_tables_t *tables);

/**
 * @brief Write number @p index of the sequence that programs set @p set (1 or 2) with @p tables.
 *
 * The order keeps every intermediate state a valid tariff on a meter that
 * checks each write (the reference meter does): day tables 1..n, then the
 * zone table, then the prices of tariffs 1..k, then ladder value 1 = 0
 * (which collapses the old ladder), the ladder values in increasing order,
 * and the ladder prices 1..7. The counts 04000202 / 04000204 and the
 * switch-over times are not in the sequence: a station writes larger counts
 * first when the meter holds fewer, and the switch-over times last.
 * @param tables the tables.
 * @param set 1 (04010000 ...) or 2 (04020000 ...).
 * @param index 0..prepay_dlt645_tariff_write_count() - 1.
 * @param out the write.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or @p set not 1 or 2;
 * ::PREPAY_E_NOT_FOUND if @p index is past the end; ::PREPAY_E_DLT645_TARIFF_TABLES.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_write_item(const prepay_dlt645_tariff_tables_t *tables, unsigned set,
                                               size_t index, prepay_dlt645_tariff_write_t *out);

/**
 * @brief Starts tables for reading back: everything empty.
 * @param tables the tables.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_tables_init(prepay_dlt645_tariff_tables_t *tables);

/**
 * @brief Takes one read reply's value into tables: a zone table, a day table, a price, a ladder value or price.
 *
 * A day table n raises `day_table_count` to at least n, a price n
 * `tariff_count` to at least n; ladder values are counted up to the first
 * zero. Items of either set are accepted (the set is the caller's choice of DIs).
 * @param tables tables started with prepay_dlt645_tariff_tables_init().
 * @param di the DI read (04s00000, 04s000nn, 0405s0nn, 0406xxnn).
 * @param value the value bytes after the DI, +0x33 removed.
 * @param len number of bytes.
 * @return ::PREPAY_OK, or an error; @p tables unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_NOT_FOUND for a DI that is not a tariff table item;
 * ::PREPAY_E_DLT645_VALUE_LENGTH; ::PREPAY_E_BAD_BCD; ::PREPAY_E_DLT645_TARIFF_TABLES
 * (an entry out of range, more entries than a meter holds).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_absorb(prepay_dlt645_tariff_tables_t *tables, uint32_t di, const uint8_t *value,
                                           size_t len);

/**
 * @brief Lists the differences between two sets of tables that change what is charged.
 *
 * Compared: the zones; the day tables either side's zones use; the prices
 * of the tariffs either side's used day tables name; the ladder values and
 * the ladder prices of the steps either side has. Tables, prices and steps
 * nothing refers to are not compared.
 * @param a the first tables (e.g. compiled from a tariff file).
 * @param b the second (e.g. read back from a meter).
 * @param out differences, in table order; may be NULL if @p cap is 0.
 * @param cap capacity of @p out.
 * @return the number of differences (may exceed @p cap: only @p cap are written), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers; ::PREPAY_E_DLT645_TARIFF_TABLES
 * if either side fails prepay_dlt645_tariff_check().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_tariff_diff(const prepay_dlt645_tariff_tables_t *a, const prepay_dlt645_tariff_tables_t *b,
                                         prepay_dlt645_tariff_difference_t *out, size_t cap);

PREPAY_END_DECLS

#endif /* PREPAY_DLT645_TARIFF_H */
