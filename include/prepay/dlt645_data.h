/* SPDX-License-Identifier: MIT */
/**
 * @file dlt645_data.h
 * @ingroup prepay_dlt645
 * @brief DL/T 645-2007 data layer: the data-identifier catalogue and typed values.
 *
 * The frame codec (dlt645.h) carries a data identifier (DI) and a data
 * field; this header says what the bytes mean. It holds:
 *
 * - a **catalogue**: const tables (flash, no RAM) that map a DI
 *   (`DI3 DI2 DI1 DI0`, written most significant first, e.g. `0x00010000`
 *   for forward active energy total) to a name, a wire format, a length,
 *   decimals, a sign rule and a unit. Patterned families (energy x tariff
 *   x settlement period, per-phase quantities, "last n" event records) are
 *   single *rule* rows with a range per DI byte; one-off items are exact
 *   rows found by binary search. A vendor addition is one row in
 *   `src/protocol/dlt645_catalogue_table.c`.
 * - **typed values**: decoding a data field (after the +0x33 link offset is
 *   removed, DI bytes removed) into ::prepay_dlt645_value_t, never through
 *   floating point, and encoding it back.
 * - **blocks**: a DI with `FF` in one byte (e.g. `0001FF00`, total and
 *   every tariff) or a record DI (a fixed layout of several fields, e.g.
 *   the last meter-cover-open record) split into items.
 *
 * ### Units of ::prepay_dlt645_value_t::quantity
 * Every number is held twice: `number` is the wire integer (the printed
 * value times 10^`decimals`), and `quantity` is the same value in the one
 * unit the library uses for that ::prepay_dlt645_unit:
 *
 * | unit            | quantity unit                      | wire example          |
 * |-----------------|------------------------------------|-----------------------|
 * | kWh, kvarh, kVAh| Wh, varh, VAh (::prepay_energy_t)  | XXXXXX.XX: x10        |
 * | V               | 0.1 V (deci-volts)                 | XXX.X: x1             |
 * | A               | 1 mA                               | XXX.XXX: x1           |
 * | kW, kvar, kVA   | 0.1 W, 0.1 var, 0.1 VA (1e-4 kW)   | XX.XXXX: x1           |
 * | Hz              | 0.01 Hz                            | XX.XX                 |
 * | yuan            | fen (::prepay_money_t)             | XXXXXX.XX: x1         |
 * | yuan/kWh        | 1e-8 yuan/kWh (::prepay_price_t)   | XXXX.XXXX: x10^4      |
 * | degree          | 0.1 degree                         | XXX.X                 |
 * | percent         | 0.01 %                             | XX.XX                 |
 * | degree Celsius  | 0.1 degree Celsius                 | XXX.X                 |
 * | none (power factor) | 0.001                          | X.XXX                 |
 * | count, minute, second, imp/kWh | 1                   | NNNN, XXXXXX          |
 *
 * Times (`YYMMDDWW`, `YYMMDDhhmm`, `YYMMDDhhmmss`) decode to ::prepay_time_t
 * (local seconds since 2000-01-01); a time of day (`hhmmss`) decodes to
 * seconds since midnight.
 *
 * ### Hostile input
 * Every function reads and writes only inside the lengths given. A data
 * field whose bytes are all `FF` is an *absent* item (the meter does not
 * have it): single decodes report ::PREPAY_E_DLT645_ABSENT, block decodes
 * give an item of kind ::PREPAY_DLT645_KIND_ABSENT. Partly-FF or other
 * non-BCD bytes are ::PREPAY_E_BAD_BCD.
 *
 * ### Sources
 * DL/T 645-2007 appendix A (data identifiers and formats) as reproduced by
 * public DL/T 645 implementations, and the State Grid extensions (Q/GDW
 * 1354/1355 prepaid meter specifications: event classes 10..1F, prepaid
 * items). The rows cite their sources in
 * `src/protocol/dlt645_catalogue_table.c`; the known answers are in
 * `tests/vectors/dlt645_values.txt`.
 */
#ifndef PREPAY_DLT645_DATA_H
#define PREPAY_DLT645_DATA_H

/** @addtogroup prepay_dlt645
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/dlt645_di.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/**
 * @def PREPAY_DLT645_VALUE_MAX_BYTES
 * @brief Largest raw field (bytes, ASCII text) a value holds, 1..255.
 *
 * Records longer than this decode their leading fields and report the
 * rest as ::PREPAY_E_DLT645_VALUE_LENGTH. 64 covers every item in the
 * catalogue (the longest is the 60-byte meter-cover-open record).
 */
#ifndef PREPAY_DLT645_VALUE_MAX_BYTES
#define PREPAY_DLT645_VALUE_MAX_BYTES 64
#endif

/**
 * @def PREPAY_DLT645_MAX_TABLE_ENTRIES
 * @brief Entries of a zone or day table a value holds. DL/T 645-2007 04000201/04000203: at most 14.
 */
#ifndef PREPAY_DLT645_MAX_TABLE_ENTRIES
#define PREPAY_DLT645_MAX_TABLE_ENTRIES 14
#endif

#if PREPAY_DLT645_VALUE_MAX_BYTES < 8 || PREPAY_DLT645_VALUE_MAX_BYTES > 255
#error "PREPAY_DLT645_VALUE_MAX_BYTES must be 8..255"
#endif
#if PREPAY_DLT645_MAX_TABLE_ENTRIES < 1 || PREPAY_DLT645_MAX_TABLE_ENTRIES > 85
#error "PREPAY_DLT645_MAX_TABLE_ENTRIES must be 1..85"
#endif

/** @brief A buffer of this size always holds the text of prepay_dlt645_value_format(). */
#define PREPAY_DLT645_VALUE_TEXT_MAX (3 * PREPAY_DLT645_VALUE_MAX_BYTES + 16)
/** @brief A buffer of this size always holds the text of prepay_dlt645_item_name(). */
#define PREPAY_DLT645_NAME_MAX 128

/** @brief Status codes of the DL/T 645 data layer (module ::PREPAY_MODULE_DLT645, numbers 100..). */
enum prepay_dlt645_data_status {
    /** The data identifier is not in the catalogue.
     *  prepay_strerror(): "DL/T 645: data identifier not in the catalogue" */
    PREPAY_E_DLT645_UNKNOWN_DI = PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 100),
    /** The item is absent: the meter sent all-`FF` bytes.
     *  prepay_strerror(): "DL/T 645: item absent (the meter sent FF bytes)" */
    PREPAY_E_DLT645_ABSENT = PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 101),
    /** The data length does not match the item's format.
     *  prepay_strerror(): "DL/T 645: value data has the wrong length for its format" */
    PREPAY_E_DLT645_VALUE_LENGTH = PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 102),
    /** The DI is a block (`FF` field) or a record: use prepay_dlt645_block_decode().
     *  prepay_strerror(): "DL/T 645: data identifier is a block or record (use the block decoder)" */
    PREPAY_E_DLT645_BLOCK_DI = PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 103),
    /** A value cannot be written in the item's format (too large, wrong kind, malformed text).
     *  prepay_strerror(): "DL/T 645: value does not fit the item's format" */
    PREPAY_E_DLT645_BAD_VALUE = PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 104),
    /**
     * The item is a table, text or raw bytes, not a single number or time: a
     * ::prepay_dlt645_reading_t cannot hold it (use prepay_dlt645_value_decode()).
     * prepay_strerror(): "DL/T 645: item is a table, text or bytes, not a number or time (use the value decoder)" */
    PREPAY_E_DLT645_NOT_SCALAR = PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 105)
};

/** @brief Wire formats of DL/T 645-2007 appendix A, after the +0x33 offset is removed. */
typedef enum prepay_dlt645_format {
    /** Unsigned packed BCD, low byte first, `decimals` implied (XXXXXX.XX, XXX.X, NNNN). */
    PREPAY_DLT645_FORMAT_BCD = 0,
    /** Signed BCD: bit 7 of the most significant byte is the sign (XXX.XXX current, XX.XXXX power). */
    PREPAY_DLT645_FORMAT_BCD_SIGNED = 1,
    /** `YYMMDDWW` date and weekday (4 bytes: WW DD MM YY). */
    PREPAY_DLT645_FORMAT_DATE_WEEK = 2,
    /** `hhmmss` time of day (3 bytes: ss mm hh). */
    PREPAY_DLT645_FORMAT_TIME_OF_DAY = 3,
    /** `YYMMDDhhmm` (5 bytes: mm hh DD MM YY). */
    PREPAY_DLT645_FORMAT_MINUTE_TIME = 4,
    /** `YYMMDDhhmmss` (6 bytes: ss mm hh DD MM YY). */
    PREPAY_DLT645_FORMAT_SECOND_TIME = 5,
    /** A BCD digit string such as an address `NNNNNNNNNNNN` (leading zeros kept). */
    PREPAY_DLT645_FORMAT_DIGITS = 6,
    /** Year zone table: entries `MMDDNN` (3 bytes each: NN DD MM), NN = day table number. */
    PREPAY_DLT645_FORMAT_ZONE_TABLE = 7,
    /** Day table: entries `hhmmNN` (3 bytes each: NN mm hh), NN = tariff number. */
    PREPAY_DLT645_FORMAT_DAY_TABLE = 8,
    /** ASCII text, sent in reverse (last character first), as the asset number 04000403. */
    PREPAY_DLT645_FORMAT_ASCII = 9,
    /** Opaque bytes (status words, DIs inside records), kept in wire order. */
    PREPAY_DLT645_FORMAT_BYTES = 10,
    /** Maximum demand and its time: XX.XXXX (3 bytes, signed) then YYMMDDhhmm (5 bytes). */
    PREPAY_DLT645_FORMAT_DEMAND = 11
} prepay_dlt645_format_t;

/** @brief Units; see the file description for the unit of ::prepay_dlt645_value_t::quantity. */
typedef enum prepay_dlt645_unit {
    PREPAY_DLT645_UNIT_NONE = 0,         /**< no unit (power factor X.XXX, identifiers) */
    PREPAY_DLT645_UNIT_KWH = 1,          /**< kWh; quantity in Wh */
    PREPAY_DLT645_UNIT_KVARH = 2,        /**< kvarh; quantity in varh */
    PREPAY_DLT645_UNIT_KVAH = 3,         /**< kVAh; quantity in VAh */
    PREPAY_DLT645_UNIT_V = 4,            /**< volt; quantity in 0.1 V */
    PREPAY_DLT645_UNIT_A = 5,            /**< ampere; quantity in mA */
    PREPAY_DLT645_UNIT_KW = 6,           /**< kW; quantity in 0.1 W */
    PREPAY_DLT645_UNIT_KVAR = 7,         /**< kvar; quantity in 0.1 var */
    PREPAY_DLT645_UNIT_KVA = 8,          /**< kVA; quantity in 0.1 VA */
    PREPAY_DLT645_UNIT_HZ = 9,           /**< hertz; quantity in 0.01 Hz */
    PREPAY_DLT645_UNIT_YUAN = 10,        /**< yuan; quantity in fen (::prepay_money_t) */
    PREPAY_DLT645_UNIT_YUAN_PER_KWH = 11, /**< yuan/kWh; quantity in 1e-8 yuan/kWh (::prepay_price_t) */
    PREPAY_DLT645_UNIT_COUNT = 12,       /**< a count; quantity as is */
    PREPAY_DLT645_UNIT_MINUTE = 13,      /**< minutes; quantity as is */
    PREPAY_DLT645_UNIT_DEGREE = 14,      /**< angle in degrees; quantity in 0.1 degree */
    PREPAY_DLT645_UNIT_PERCENT = 15,     /**< percent; quantity in 0.01 % */
    PREPAY_DLT645_UNIT_CELSIUS = 16,     /**< degree Celsius; quantity in 0.1 degree */
    PREPAY_DLT645_UNIT_IMP_PER_KWH = 17, /**< meter constant, impulses per kWh (or kvarh) */
    PREPAY_DLT645_UNIT_SECOND = 18,      /**< seconds (time of day as seconds since midnight) */
    PREPAY_DLT645_UNIT_COUNT_OF_UNITS = 19 /**< number of units (not a unit) */
} prepay_dlt645_unit_t;

/** @brief What a decoded value holds. */
typedef enum prepay_dlt645_kind {
    PREPAY_DLT645_KIND_NUMBER = 0, /**< `number`, `decimals`, `unit`, `quantity` */
    PREPAY_DLT645_KIND_TIME = 1,   /**< `time` (and `weekday` for YYMMDDWW; seconds of day for hhmmss) */
    PREPAY_DLT645_KIND_DIGITS = 2, /**< `number` printed with `length` x 2 digits (leading zeros) */
    PREPAY_DLT645_KIND_TABLE = 3,  /**< `count` entries in `entries` */
    PREPAY_DLT645_KIND_TEXT = 4,   /**< `count` characters in `bytes` (reading order) */
    PREPAY_DLT645_KIND_BYTES = 5,  /**< `count` bytes in `bytes` (wire order) */
    PREPAY_DLT645_KIND_DEMAND = 6, /**< a number (as ::PREPAY_DLT645_KIND_NUMBER) and its `time` */
    PREPAY_DLT645_KIND_ABSENT = 7  /**< all `FF`: the meter does not have the item (`length` bytes) */
} prepay_dlt645_kind_t;

/**
 * @brief How the variable bytes of a rule's DI qualify its name.
 *
 * prepay_dlt645_item_name() uses it to print e.g. "forward active energy,
 * tariff 2, settlement period 1".
 */
typedef enum prepay_dlt645_qualifier {
    PREPAY_DLT645_QUALIFIER_NONE = 0,          /**< exact row: the name says everything */
    PREPAY_DLT645_QUALIFIER_TARIFF_PERIOD = 1, /**< DI1 tariff (00 total), DI0 period (00 current, n = last n) */
    PREPAY_DLT645_QUALIFIER_PERIOD = 2,        /**< DI0 period (00 current, n = settlement period n back) */
    PREPAY_DLT645_QUALIFIER_PHASE = 3,         /**< DI1 phase: 00 total, 01 A, 02 B, 03 C */
    PREPAY_DLT645_QUALIFIER_INDEX = 4,         /**< DI0 is a number n, printed after the rule's label */
    PREPAY_DLT645_QUALIFIER_LAST = 5,          /**< DI0 = n: "last n" record */
    PREPAY_DLT645_QUALIFIER_PHASE_LAST = 6,    /**< DI2 phase (00 total, 01..03 A..C), DI0 = last n (00: totals) */
    PREPAY_DLT645_QUALIFIER_PHASE_DI2 = 7      /**< DI2 phase: 00 total, 01 A, 02 B, 03 C */
} prepay_dlt645_qualifier_t;

/** @brief One field of a record DI (a fixed sequence of items under one DI). */
typedef struct prepay_dlt645_field {
    const char *name;  /**< field name, static */
    uint8_t format;    /**< ::prepay_dlt645_format */
    uint8_t length;    /**< bytes on the wire */
    uint8_t decimals;  /**< digits after the point for numbers */
    uint8_t unit;      /**< ::prepay_dlt645_unit */
} prepay_dlt645_field_t;

/** @brief What the catalogue says about one DI (a view of a const row; nothing to free). */
typedef struct prepay_dlt645_item {
    uint32_t di;          /**< the DI asked for (DI3 in the top byte) */
    uint32_t di_low;      /**< the row's lowest DI: each byte is the low end of that byte's range */
    uint32_t di_high;     /**< the row's highest DI: each byte is the high end of that byte's range */
    const char *name;     /**< base name, static (see prepay_dlt645_item_name() for the full name) */
    const char *label;    /**< word printed before DI0 for ::PREPAY_DLT645_QUALIFIER_INDEX, or NULL */
    const char *source;   /**< short citation of the row's source(s), static */
    uint8_t format;       /**< ::prepay_dlt645_format */
    uint8_t length;       /**< bytes on the wire (for tables: the maximum; for records: the total) */
    uint8_t decimals;     /**< digits after the point for numbers */
    uint8_t unit;         /**< ::prepay_dlt645_unit */
    uint8_t qualifier;    /**< ::prepay_dlt645_qualifier */
    uint8_t field_count;  /**< number of fields of a record DI, 0 for a single item */
    const prepay_dlt645_field_t *fields; /**< the record's fields, or NULL */
} prepay_dlt645_item_t;

/** @brief One table entry: a zone `MMDDNN` or a day slot `hhmmNN`, in reading order. */
typedef struct prepay_dlt645_entry {
    uint8_t first;  /**< month (zone) or hour (day slot) */
    uint8_t second; /**< day (zone) or minute (day slot) */
    uint8_t number; /**< day table number (zone) or tariff number (day slot) */
} prepay_dlt645_entry_t;

/**
 * @brief A decoded value: self-describing, so it can be printed and encoded without the catalogue.
 *
 * Fields that the `kind` does not use are zero.
 */
typedef struct prepay_dlt645_value {
    uint32_t di;           /**< data identifier of the item (for record fields: the record's DI) */
    const char *name;      /**< base name (record fields: the field name), static */
    uint8_t kind;          /**< ::prepay_dlt645_kind */
    uint8_t format;        /**< ::prepay_dlt645_format of the wire bytes */
    uint8_t length;        /**< wire bytes of this item */
    uint8_t decimals;      /**< digits after the point of `number` */
    uint8_t unit;          /**< ::prepay_dlt645_unit */
    uint8_t field;         /**< 1-based field index within a record DI, 0 otherwise */
    uint8_t weekday;       /**< `YYMMDDWW`: WW as sent (0 = Sunday); kept so that encoding round-trips */
    uint8_t count;         /**< entries (tables) or bytes (text, bytes) used */
    int64_t number;        /**< numbers: the wire integer, value x 10^decimals; digits: the digits */
    int64_t quantity;      /**< numbers: the value in the library unit of `unit` (see file description) */
    prepay_time_t time;    /**< times; demand time; seconds since midnight for hhmmss */
    prepay_dlt645_entry_t entries[PREPAY_DLT645_MAX_TABLE_ENTRIES]; /**< zone or day table entries */
    uint8_t bytes[PREPAY_DLT645_VALUE_MAX_BYTES];                   /**< text or raw bytes */
} prepay_dlt645_value_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Looks up a DI in the catalogue.
 * @param di the data identifier, DI3 in the top byte (`0x00010000`). A
 *        block DI (with `FF` in a byte) is not an item and is not found.
 * @param out the item; untouched on error. May be NULL to test presence.
 * @return ::PREPAY_OK, or an error.
 *
 * Exact rows are found by binary search over a sorted const table; rule
 * rows (patterned families) by a short scan of the rules of DI3. Takes
 * no locks, touches no RAM beyond the stack.
 *
 * **Errors:** ::PREPAY_E_DLT645_UNKNOWN_DI if no row matches.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_catalogue_find(uint32_t di, prepay_dlt645_item_t *out);

/**
 * @brief Looks up a DL/T 645-1997 data identifier (2 bytes, DI1 DI0, e.g. `0x9010`).
 * @param di the 1997 data identifier (not a block such as `0x901F`).
 * @param out the item (its `di` is the 1997 DI); untouched on error. May be NULL.
 * @return ::PREPAY_OK, or an error.
 *
 * The 1997 table is small (energy, voltage, current, power, power factor,
 * date, time, constants, meter number): the items station software still
 * reads from 1997 meters. Binary search over a sorted const table.
 *
 * **Errors:** ::PREPAY_E_DLT645_UNKNOWN_DI.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_catalogue_find_1997(uint16_t di, prepay_dlt645_item_t *out);

/**
 * @brief Number of rows of the DL/T 645-1997 table.
 * @return the row count.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API size_t prepay_dlt645_catalogue_1997_size(void);

/**
 * @brief Number of catalogue rows (exact rows plus rule rows), for listing.
 * @return the row count.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API size_t prepay_dlt645_catalogue_size(void);

/**
 * @brief Number of rule rows (rows covering a range of DIs) among the rows.
 * @return the rule count.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API size_t prepay_dlt645_catalogue_rule_count(void);

/**
 * @brief Reads catalogue row @p index (exact rows first, then rules).
 * @param index 0..prepay_dlt645_catalogue_size() - 1.
 * @param out the row; `di` is set to the row's lowest DI. Untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_NOT_FOUND if @p index is past the end.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_catalogue_row(size_t index, prepay_dlt645_item_t *out);

/**
 * @brief Whether @p di asks for a block: one byte is `FF` and the items it expands to are known.
 * @param di the data identifier.
 * @return true for a block DI such as `0x0001FF00` or `0x0201FF00`.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_dlt645_di_is_block(uint32_t di);

/**
 * @brief Writes the full English name of a DI, e.g. "forward active energy, tariff 2, last 1 settlement period".
 * @param di an item DI (not a block).
 * @param out destination.
 * @param out_cap capacity of @p out including the NUL; ::PREPAY_DLT645_NAME_MAX always suffices.
 * @return the length written (excluding NUL), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_DLT645_UNKNOWN_DI; ::PREPAY_E_BUFFER_TOO_SMALL (then `out[0]`
 * is NUL when @p out_cap > 0).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_item_name(uint32_t di, char *out, size_t out_cap);

/**
 * @brief Symbol of a unit ("kWh", "yuan/kWh", "" for none).
 * @param unit a ::prepay_dlt645_unit.
 * @return a static string; "?" for an unknown unit.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_dlt645_unit_symbol(unsigned unit);

/**
 * @brief Decimals of ::prepay_dlt645_value_t::quantity for a unit (3 for kWh: Wh; 8 for yuan/kWh).
 * @param unit a ::prepay_dlt645_unit.
 * @return the decimals; 0 for an unknown unit and for units whose quantity is the
 *         wire number as is (none, count, minute, imp/kWh, second).
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API unsigned prepay_dlt645_unit_decimals(unsigned unit);

/**
 * @brief Decodes the data of one item (the bytes after the DI, +0x33 already removed).
 * @param di the item's DI (not a block, not a record).
 * @param data the value bytes, wire order.
 * @param len number of bytes; must be the item's length (tables: a multiple of 3, 3..the maximum).
 * @param out the value; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers (@p data may be
 * NULL only when @p len is 0); ::PREPAY_E_DLT645_UNKNOWN_DI;
 * ::PREPAY_E_DLT645_BLOCK_DI for a block or record DI;
 * ::PREPAY_E_DLT645_VALUE_LENGTH; ::PREPAY_E_DLT645_ABSENT if every byte is
 * `FF`; ::PREPAY_E_BAD_BCD; ::PREPAY_E_BAD_DATE, ::PREPAY_E_BAD_TIME,
 * ::PREPAY_E_BAD_WEEKDAY for impossible dates and times.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_value_decode(uint32_t di, const uint8_t *data, size_t len, prepay_dlt645_value_t *out);

/**
 * @brief Decodes a field of @p len bytes in a given format (no catalogue needed).
 * @param field the layout (name, format, length, decimals, unit); `length` is ignored, @p len is used.
 * @param di the DI to store in the value.
 * @param data the bytes, wire order.
 * @param len number of bytes (checked against the format).
 * @param out the value. On ::PREPAY_E_DLT645_ABSENT it is set to a value of
 *        kind ::PREPAY_DLT645_KIND_ABSENT (so that block decoders can keep the
 *        item); untouched on every other error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_dlt645_value_decode(), without the catalogue errors.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_field_decode(const prepay_dlt645_field_t *field, uint32_t di, const uint8_t *data,
                                          size_t len, prepay_dlt645_value_t *out);

/**
 * @brief Encodes a value back to its wire bytes (before the +0x33 offset).
 * @param value a value as decode makes it (kind, format, length, decimals and the data of its kind).
 * @param out destination.
 * @param out_cap capacity of @p out.
 * @return the number of bytes written, or an error; @p out untouched on error.
 *
 * Numbers are written from `number` at the value's `decimals`. An
 * ::PREPAY_DLT645_KIND_ABSENT value writes `length` bytes of `FF`.
 * `decode(encode(v)) == v` for every value decode produces.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or an unknown
 * format/kind; ::PREPAY_E_BUFFER_TOO_SMALL; ::PREPAY_E_DLT645_BAD_VALUE if
 * the data does not fit the format (e.g. a number with too many digits, a
 * negative number in an unsigned format, a table with too many entries, a
 * time outside 2000..2099).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_value_encode(const prepay_dlt645_value_t *value, uint8_t *out, size_t out_cap);

/**
 * @brief Decodes a read reply's data (after the DI) into items: a block, a record or a single item.
 * @param di the DI of the request (may be a block such as `0x0001FF00`).
 * @param data value bytes, wire order, +0x33 removed.
 * @param len number of bytes.
 * @param items destination array.
 * @param items_cap capacity of @p items.
 * @return the number of items (>= 1), or an error.
 *
 * A block DI expands its `FF` byte over the catalogue's range in order
 * (`0001FF00` gives total, tariff 1, tariff 2, ... for as many 4-byte
 * items as @p data holds; `0201FF00` gives phases A, B, C). A record DI
 * gives one item per field. Absent items (all `FF`) are items of kind
 * ::PREPAY_DLT645_KIND_ABSENT; other errors fail the whole call. On error
 * the contents of @p items are unspecified.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_UNKNOWN_DI; ::PREPAY_E_DLT645_VALUE_LENGTH if @p len
 * does not split into whole items; ::PREPAY_E_BUFFER_TOO_SMALL if more
 * than @p items_cap items; ::PREPAY_E_BAD_BCD and the date/time errors of
 * the items.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_block_decode(uint32_t di, const uint8_t *data, size_t len, prepay_dlt645_value_t *items,
                                          size_t items_cap);

/**
 * @brief prepay_dlt645_block_decode() for a DL/T 645-1997 reply (2-byte DI).
 * @param di the 1997 DI of the request; a low digit `F` asks for a block (`0x901F`: total and tariffs 1..4).
 * @param data value bytes, wire order, +0x33 removed.
 * @param len number of bytes.
 * @param items destination array.
 * @param items_cap capacity of @p items.
 * @return the number of items (>= 1), or an error.
 *
 * **Errors:** as prepay_dlt645_block_decode().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_block_decode_1997(uint16_t di, const uint8_t *data, size_t len,
                                               prepay_dlt645_value_t *items, size_t items_cap);

/**
 * @brief Encodes items one after another (the inverse of prepay_dlt645_block_decode()).
 * @param items the values.
 * @param count number of values.
 * @param out destination.
 * @param out_cap capacity of @p out.
 * @return the number of bytes written, or an error (then @p out may be partly written).
 *
 * **Errors:** as prepay_dlt645_value_encode().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_block_encode(const prepay_dlt645_value_t *items, size_t count, uint8_t *out,
                                          size_t out_cap);

/**
 * @brief Formats a value as text: "36.30", "-1.234", "2016-01-11", "21:53:55",
 *        "2015-10-09 00:00", "000000193600", "01-01:1 06-01:2", hex bytes, or "absent".
 * @param value the value.
 * @param out destination.
 * @param out_cap capacity including the NUL; ::PREPAY_DLT645_VALUE_TEXT_MAX always suffices.
 * @return the length written (excluding NUL), or an error.
 *
 * Numbers are exact decimals with the value's decimals (no unit).
 * `YYMMDDWW` prints the date only (the weekday is in `weekday`). A demand
 * prints "number@YYYY-MM-DD hh:mm". Text is printed without the NUL
 * bytes that pad it at either end, other bytes as is (bytes outside
 * 0x20..0x7E as '?').
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or an unknown
 * kind; ::PREPAY_E_BUFFER_TOO_SMALL (then `out[0]` is NUL when
 * @p out_cap > 0).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_value_format(const prepay_dlt645_value_t *value, char *out, size_t out_cap);

/**
 * @brief Builds the value of item @p di from text, for writes: the inverse of prepay_dlt645_value_format().
 * @param di the item's DI (not a block or record).
 * @param text the text (need not be NUL-terminated): a decimal with at most the item's
 *        decimals ("0.5200"), "YYYY-MM-DD" (YYMMDDWW; the weekday is computed),
 *        "hh:mm:ss", "YYYY-MM-DD hh:mm[:ss]", digits, entries "MM-DD:N" or "hh:mm:N"
 *        separated by spaces or commas, hex for bytes, or plain ASCII.
 * @param text_len number of characters.
 * @param out the value; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_UNKNOWN_DI; ::PREPAY_E_DLT645_BLOCK_DI;
 * ::PREPAY_E_DLT645_BAD_VALUE for malformed text or a value that does not
 * fit the item's format; ::PREPAY_E_BAD_DATE / ::PREPAY_E_BAD_TIME.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_value_parse(uint32_t di, const char *text, size_t text_len, prepay_dlt645_value_t *out);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_DLT645_DATA_H */
