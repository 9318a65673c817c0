/* SPDX-License-Identifier: MIT */
/**
 * @file civil_time.h
 * @ingroup prepay_common
 * @brief The one representation of time: local civil seconds since 2000-01-01 00:00:00.
 *
 * Meters and tariffs live in local time, so libprepay has no time zones:
 * ::prepay_time_t counts seconds of local civil time from 2000-01-01
 * 00:00:00 (the DL/T 645 two-digit year starts at 2000), and every day has
 * 86400 seconds. A caller holding UTC adds its zone offset first.
 *
 * Day numbers (::prepay_days_t) count days from 2000-01-01 (day 0, a
 * Saturday) in the proleptic Gregorian calendar. Supported years: 1..9999.
 *
 * The DL/T 645 helpers read and write the packed-BCD forms of DL/T 645-2007
 * appendix A (`YYMMDDWW`, `hhmmss`, `YYMMDDhhmm`, `ssmmhhDDMMYY`) in wire
 * order (least significant byte first) and before the +0x33 link offset.
 * Two-digit years map to 2000..2099.
 *
 * The text helpers are the one grammar of dates and times in libprepay
 * (files, command lines, bindings): dates `YYYY-MM-DD` or `YYYY/MM/DD`;
 * date-times the date, a `T` or one space, then `hh:mm` or `hh:mm:ss`
 * (the ISO 8601 extended local forms, without a zone); times of day
 * `hh:mm[:ss]`; month-days `MM-DD`. Every field has exactly its digits,
 * nothing else may surround the text, and a form that parses names a real
 * instant: `2023-02-29` and `24:00` are refused, never normalised.
 */
#ifndef PREPAY_CIVIL_TIME_H
#define PREPAY_CIVIL_TIME_H

/** @addtogroup prepay_common
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config.h"
#include "prepay/export.h"

/** @brief Local civil time: seconds since 2000-01-01 00:00:00 local. */
typedef int64_t prepay_time_t;

/* Each branch carries the documentation: Doxygen reads the header under the default
 * configuration, where the #else branches are the ones it sees. */
#if PREPAY_RECORD_TIME32
/** @brief A time as event and freeze records keep it: ::prepay_time_t, or with
 *  ::PREPAY_RECORD_TIME32 `uint32_t` seconds since 2000-01-01 00:00:00 (to 2136-02-07 06:28:15). */
typedef uint32_t prepay_record_time_t;
#else
/** @brief A time as event and freeze records keep it: ::prepay_time_t, or with
 *  ::PREPAY_RECORD_TIME32 `uint32_t` seconds since 2000-01-01 00:00:00 (to 2136-02-07 06:28:15). */
typedef prepay_time_t prepay_record_time_t;
#endif

#if PREPAY_RECORD_TIME32
/** @brief "No time yet" of the last-sample times the supervision states keep (events, voltage
 *  statistics, load control): INT64_MIN, or with ::PREPAY_RECORD_TIME32 UINT32_MAX (never a time
 *  they accept, which is within 2000..2099). */
#define PREPAY_RECORD_TIME_NONE UINT32_MAX
#else
/** @brief "No time yet" of the last-sample times the supervision states keep (events, voltage
 *  statistics, load control): INT64_MIN, or with ::PREPAY_RECORD_TIME32 UINT32_MAX (never a time
 *  they accept, which is within 2000..2099). */
#define PREPAY_RECORD_TIME_NONE INT64_MIN
#endif

/** @cond PREPAY_INTERNAL */
/* A time as a record keeps it. With PREPAY_RECORD_TIME32 a time outside the 32 bits is clamped:
 * before 2000 to 0 (a record's "none"), after 2136-02-07 06:28:15 to that instant. The library
 * stores only times of 2000..2099 (DL/T 645 two-digit years), which convert exactly. */
static inline prepay_record_time_t prepay__record_time(prepay_time_t t)
{
#if PREPAY_RECORD_TIME32
    return t <= 0 ? 0u : t >= (prepay_time_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
#else
    return t;
#endif
}
/** @endcond */
/** @brief Day number: days since 2000-01-01 (day 0). */
typedef int32_t prepay_days_t;

/** @brief Seconds in a civil day. */
#define PREPAY_SECONDS_PER_DAY 86400
/** @brief Weekday numbers as DL/T 645 uses them: 0 = Sunday .. 6 = Saturday. */
#define PREPAY_SUNDAY 0
/** @brief Saturday in the DL/T 645 weekday numbering. */
#define PREPAY_SATURDAY 6

/** @brief A broken-down local civil date and time. */
typedef struct prepay_civil {
    int32_t year;    /**< 1..9999 */
    uint8_t month;   /**< 1..12 */
    uint8_t day;     /**< 1..31 */
    uint8_t hour;    /**< 0..23 */
    uint8_t minute;  /**< 0..59 */
    uint8_t second;  /**< 0..59 (no leap seconds in civil meter time) */
    uint8_t weekday; /**< 0 = Sunday .. 6 = Saturday; output only */
} prepay_civil_t;

/** @brief Capacity that holds every text prepay_time_format() writes, NUL included (`YYYY-MM-DDThh:mm:ss`). */
#define PREPAY_TIME_TEXT_MAX 20

/** @brief Text forms of an instant written by prepay_time_format(). */
typedef enum prepay_time_text {
    PREPAY_TIME_TEXT_DATE = 0,   /**< `2025-07-01` */
    PREPAY_TIME_TEXT_MINUTE = 1, /**< `2025-07-01 08:30` (seconds dropped) */
    PREPAY_TIME_TEXT_SECOND = 2, /**< `2025-07-01 08:30:05` */
    PREPAY_TIME_TEXT_ISO = 3,    /**< `2025-07-01T08:30:05` (ISO 8601 extended local time, no zone) */
    PREPAY_TIME_TEXT_MONTH = 4,  /**< `2025-07` */
    PREPAY_TIME_TEXT_YEAR = 5    /**< `2025` */
} prepay_time_text_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Whether @p year is a Gregorian leap year.
 * @param year any year.
 * @return true for leap years.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_time_is_leap_year(int32_t year);

/**
 * @brief Number of days in a month.
 * @param year 1..9999.
 * @param month 1..12.
 * @return 28..31, or ::PREPAY_E_BAD_DATE.
 *
 * **Errors:** ::PREPAY_E_BAD_DATE if the year or month is out of range.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_days_in_month(int32_t year, unsigned month);

/**
 * @brief Converts a date to its day number.
 * @param year 1..9999.
 * @param month 1..12.
 * @param day 1..days in that month.
 * @param out day number; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_BAD_DATE if the date does not exist or is out of range.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_days_from_date(int32_t year, unsigned month, unsigned day, prepay_days_t *out);

/**
 * @brief Converts a day number to its date.
 * @param days day number (years 1..9999).
 * @param year out: year.
 * @param month out: 1..12.
 * @param day out: 1..31.
 * @return ::PREPAY_OK, or an error; outputs untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if an output is NULL;
 * ::PREPAY_E_BAD_DATE if the day number is outside years 1..9999.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_date_from_days(prepay_days_t days, int32_t *year, uint8_t *month, uint8_t *day);

/**
 * @brief Weekday of a day number, 0 = Sunday .. 6 = Saturday (DL/T 645 numbering).
 * @param days day number.
 * @return 0..6.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API unsigned prepay_time_weekday(prepay_days_t days);

/**
 * @brief Day number containing @p t (floor division, correct before 2000 too).
 * @param t a time (years 1..9999).
 * @return the day number.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_days_t prepay_time_day_of(prepay_time_t t);

/**
 * @brief Seconds since local midnight of @p t, 0..86399.
 * @param t a time.
 * @return 0..86399.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API int32_t prepay_time_second_of_day(prepay_time_t t);

/**
 * @brief Builds a time from a broken-down civil time (the weekday is ignored).
 * @param civil the date and time.
 * @param out the time; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if a pointer is NULL;
 * ::PREPAY_E_BAD_DATE for a date that does not exist; ::PREPAY_E_BAD_TIME
 * for hour > 23, minute > 59 or second > 59.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_from_civil(const prepay_civil_t *civil, prepay_time_t *out);

/**
 * @brief Breaks a time down into civil fields, weekday included.
 * @param t the time (years 1..9999).
 * @param out the fields; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_BAD_DATE if @p t is outside years 1..9999.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_to_civil(prepay_time_t t, prepay_civil_t *out);

/**
 * @brief Encodes the date of @p t as DL/T 645 `YYMMDDWW` (4 BCD bytes: WW DD MM YY on the wire).
 * @param t a time in 2000..2099.
 * @param out 4 bytes, before +0x33.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OUT_OF_RANGE if the year is outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_to_dlt645_date(prepay_time_t t, uint8_t out[4]);

/**
 * @brief Encodes the time of day of @p t as DL/T 645 `hhmmss` (3 BCD bytes: ss mm hh).
 * @param t any time.
 * @param out 3 bytes, before +0x33.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_to_dlt645_time(prepay_time_t t, uint8_t out[3]);

/**
 * @brief Decodes DL/T 645 `YYMMDDWW` and `hhmmss` into a time.
 * @param date 4 bytes WW DD MM YY (before +0x33).
 * @param time 3 bytes ss mm hh (before +0x33), or NULL for midnight.
 * @param check_weekday if true, a weekday that does not match the date is an error.
 * @param out the time; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p date or @p out is NULL;
 * ::PREPAY_E_BAD_BCD for a non-BCD byte; ::PREPAY_E_BAD_DATE;
 * ::PREPAY_E_BAD_TIME; ::PREPAY_E_BAD_WEEKDAY (weekday > 6, or mismatch when checked).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_from_dlt645_date_and_time(const uint8_t date[4], const uint8_t *time, bool check_weekday,
                                                 prepay_time_t *out);

/**
 * @brief Encodes @p t as the 6-byte DL/T 645 form `YYMMDDhhmmss` (wire order ss mm hh DD MM YY).
 *
 * Used by broadcast time sync (C = 08) and the valid-until time of relay
 * control (C = 1C).
 * @param t a time in 2000..2099.
 * @param out 6 bytes, before +0x33.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OUT_OF_RANGE if the year is outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_to_dlt645_datetime(prepay_time_t t, uint8_t out[6]);

/**
 * @brief Decodes the 6-byte DL/T 645 form `YYMMDDhhmmss` (wire order ss mm hh DD MM YY).
 * @param in 6 bytes, before +0x33.
 * @param out the time; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if a pointer is NULL;
 * ::PREPAY_E_BAD_BCD; ::PREPAY_E_BAD_DATE; ::PREPAY_E_BAD_TIME.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_from_dlt645_datetime(const uint8_t in[6], prepay_time_t *out);

/**
 * @brief Encodes @p t as the 5-byte DL/T 645 form `YYMMDDhhmm` (wire order mm hh DD MM YY).
 *
 * Used by load records, event records and frozen-data times. Seconds are dropped.
 * @param t a time in 2000..2099.
 * @param out 5 bytes, before +0x33.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OUT_OF_RANGE if the year is outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_to_dlt645_minute(prepay_time_t t, uint8_t out[5]);

/**
 * @brief Decodes the 5-byte DL/T 645 form `YYMMDDhhmm` (wire order mm hh DD MM YY).
 * @param in 5 bytes, before +0x33.
 * @param out the time (seconds = 0); untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if a pointer is NULL;
 * ::PREPAY_E_BAD_BCD; ::PREPAY_E_BAD_DATE; ::PREPAY_E_BAD_TIME.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_from_dlt645_minute(const uint8_t in[5], prepay_time_t *out);

/**
 * @brief Parses a calendar date `YYYY-MM-DD` or `YYYY/MM/DD` (years 0001..9999).
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters: exactly 10.
 * @param out the day number; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * The two separators must be the same character.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointer, wrong length,
 * a non-digit, mixed or other separators); ::PREPAY_E_BAD_DATE (a date that
 * does not exist, such as `2023-02-29`, or year 0000).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_parse_date(const char *text, size_t len, prepay_days_t *out);

/**
 * @brief Parses a local date-time: a date (see prepay_time_parse_date()), `T` or one space, `hh:mm[:ss]`.
 *
 * `2025-07-01 08:30`, `2025-07-01T08:30:05` and `2025/07/01 08:30` are
 * accepted; a zone suffix (`Z`, `+08:00`), fractions of a second and
 * `24:00` are not.
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters: 16 or 19.
 * @param out the instant; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointer or malformed text);
 * ::PREPAY_E_BAD_DATE; ::PREPAY_E_BAD_TIME (hour above 23, minute or
 * second above 59).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_parse_date_time(const char *text, size_t len, prepay_time_t *out);

/**
 * @brief Parses an instant given as a date-time or as a date alone (its midnight).
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters.
 * @param out the instant; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** those of prepay_time_parse_date() and prepay_time_parse_date_time().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_parse(const char *text, size_t len, prepay_time_t *out);

/**
 * @brief Parses a time of day `hh:mm` or `hh:mm:ss` into seconds since midnight.
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters: 5 or 8.
 * @param allow_end_of_day true to accept `24:00` (`24:00:00`), the end of a day, as 86400.
 * @param out seconds, 0..86399 (86400 for the end of the day); untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointer or malformed text);
 * ::PREPAY_E_BAD_TIME (hour above 23, minute or second above 59, or
 * `24:00` when not allowed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_parse_time_of_day(const char *text, size_t len, bool allow_end_of_day, int32_t *out);

/**
 * @brief Parses a day of the year `MM-DD` (any day of a leap year, so `02-29` is accepted).
 * @param text the characters (need not be NUL-terminated).
 * @param len number of characters: exactly 5.
 * @param month out: 1..12; untouched on error.
 * @param day out: 1..31; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL pointer or malformed text);
 * ::PREPAY_E_BAD_DATE (no such month or day).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_parse_month_day(const char *text, size_t len, uint8_t *month, uint8_t *day);

/**
 * @brief Writes an instant as text in one of the ::prepay_time_text_t forms, NUL-terminated.
 * @param t the instant (years 1..9999).
 * @param form which text.
 * @param out the buffer (::PREPAY_TIME_TEXT_MAX bytes hold every form).
 * @param out_cap capacity of @p out in bytes.
 * @return the number of characters written (without the NUL), or an error;
 *         on error @p out is untouched.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p out, unknown @p form);
 * ::PREPAY_E_BAD_DATE (@p t outside years 1..9999);
 * ::PREPAY_E_BUFFER_TOO_SMALL (the text and its NUL do not fit).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_format(prepay_time_t t, prepay_time_text_t form, char *out, size_t out_cap);

/**
 * @brief Writes a time of day `hh:mm` or `hh:mm:ss`, NUL-terminated (86400 is written `24:00`).
 * @param second_of_day 0..86400.
 * @param with_seconds true for `hh:mm:ss`; false for `hh:mm` (seconds dropped).
 * @param out the buffer (9 bytes hold both forms).
 * @param out_cap capacity of @p out in bytes.
 * @return the number of characters written (without the NUL), or an error;
 *         on error @p out is untouched.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL @p out);
 * ::PREPAY_E_BAD_TIME (@p second_of_day outside 0..86400);
 * ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_time_format_time_of_day(int32_t second_of_day, bool with_seconds, char *out, size_t out_cap);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_CIVIL_TIME_H */
