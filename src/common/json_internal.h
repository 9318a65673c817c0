/* SPDX-License-Identifier: MIT */
/*
 * Internal (hosted): the one JSON reader of libprepay's hosted code, over
 * jansson, and the one JSON string escaper.
 *
 * A loader describes its format as tables: a type says how one JSON value
 * becomes C data (an integer in a range, a decimal string parsed exactly, an
 * enum by name, a date, an array bounded by a PREPAY_MAX_* capacity, an
 * object whose members are listed in a field table), and a field says which
 * member goes where (key, required or not, type, offset in the output). The
 * reader walks the tree, keeps the JSON path of the value being read, and
 * reports the first problem as one line
 *
 *     origin: $.json.path: what is wrong
 *
 * in the caller's buffer, with a status of module HOSTED (or
 * PREPAY_E_CAPACITY naming the macro to raise). Custom readers (a member
 * that takes two shapes, a reference to a name defined elsewhere in the
 * file) are plain functions of the same signature; cross-member rules go in
 * an object's `finish` or an array's `check_item`. A loader never pushes or
 * pops the path itself.
 *
 * Numbers: money, prices, energy and ratios are decimal strings read by
 * prepay_fixed_parse(), digit for digit; JSON integers are accepted where a
 * whole number is meant. JSON reals are refused by ::prepay__json_decimal;
 * ::prepay__json_number accepts them for foreign formats that publish binary
 * numbers (URDB, SAM), converted through the shortest decimal that reads
 * back as the same double (documented in docs/tariff-json.md).
 *
 * Dates and times use the grammar of prepay/civil_time.h.
 *
 * Not installed; the hosted library, the tools and the tests use it (meson:
 * prepay_json_dep).
 */
#ifndef PREPAY_JSON_INTERNAL_H
#define PREPAY_JSON_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json_escape_internal.h"
#include "prepay/civil_time.h"

/* Longest JSON path kept ("$.a.b[3]..."); a deeper path is cut, never overrun. */
#define PREPAY__JSON_PATH_MAX 256
/* A buffer that holds any one-line error message of the reader. */
#define PREPAY__JSON_ERROR_MAX 512

/* Field flags. */
#define PREPAY__JSON_REQUIRED 1u /* a missing member is an error */
/* String type flags. */
#define PREPAY__JSON_NONEMPTY 1u   /* "" is refused */
#define PREPAY__JSON_END_OF_DAY 2u /* times of day: 24:00 is accepted (the end of the day) */
#define PREPAY__JSON_MINUTES 4u    /* times of day: hh:mm only, stored as uint16_t minutes (else int32_t seconds) */

typedef struct prepay__json_reader {
    const char *origin;               /* file name, or "<memory>" */
    char path[PREPAY__JSON_PATH_MAX]; /* "$", "$.prices.bands.peak", ... */
    size_t path_len;
    char *err; /* the caller's message buffer */
    size_t err_cap;
    void *user; /* the loader's own state, for its custom readers */
} prepay__json_reader_t;

typedef struct prepay__json_type prepay__json_type_t;
typedef struct prepay__json_field prepay__json_field_t;

/* Reads one present JSON value, at the reader's current path, into out. */
typedef int (*prepay__json_read_fn)(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                    void *out);

/* How one JSON value becomes C data. Each reader uses the members its
 * comment names; the PREPAY__JSON_* macros below fill them. */
struct prepay__json_type {
    prepay__json_read_fn read;
    const char *what;         /* for messages: "an object", "band names" (arrays: their items) */
    unsigned flags;           /* PREPAY__JSON_NONEMPTY, PREPAY__JSON_END_OF_DAY */
    size_t size;              /* integers, enums: bytes of the output (1, 2, 4, 8); strings: capacity (0: not stored) */
    int64_t min, max;         /* integers, decimals, numbers: range of the (scaled) value */
    unsigned decimals;        /* decimals, numbers: scale */
    const char *const *names; /* enums: NULL-terminated names; literals: names[0] is the one text */
    const int *values;        /* enums: value of each name (NULL: its index) */
    /* objects */
    const prepay__json_field_t *fields; /* terminated by a field with a NULL key */
    bool open;                          /* unknown members are allowed (foreign formats) */
    int (*finish)(prepay__json_reader_t *r, const json_t *value, void *out); /* objects, arrays: after all */
    /* arrays: items at out + items_offset, count (count_size bytes, 0: none) at out + count_offset */
    const prepay__json_type_t *item;
    size_t item_size, capacity, items_offset, count_offset, count_size;
    size_t min_items, max_items;
    const char *max_macro; /* the PREPAY_MAX_* macro behind max_items, named in the message */
    int (*check_item)(prepay__json_reader_t *r, const json_t *item, void *items, size_t index);
};

/* One member of an object: where it goes and how it is read. */
struct prepay__json_field {
    const char *key;
    unsigned flags; /* PREPAY__JSON_REQUIRED */
    const prepay__json_type_t *type;
    size_t offset; /* of its output in the object's output */
};

/* ---- types ------------------------------------------------------------------------------- */
/*
 * Each macro expands to designated initializers for a prepay__json_type_t,
 * to be braced and optionally extended:
 *     static const prepay__json_type_t month = {PREPAY__JSON_INT(uint8_t, 1, 12)};
 *     static const prepay__json_type_t slots = {PREPAY__JSON_ARRAY(...), .check_item = check_slot};
 */

#define PREPAY__JSON_MEMBER_SIZE(type, member) sizeof(((type *)0)->member)

/* An integer (JSON integer only) in [lo, hi], stored in a C integer of type ctype. */
#define PREPAY__JSON_INT(ctype, lo, hi) .read = prepay__json_int, .size = sizeof(ctype), .min = (lo), .max = (hi)
/* A decimal string (or JSON integer) with at most `places` decimals, stored as int64_t scaled by 10^places. */
#define PREPAY__JSON_DECIMAL(places, lo, hi)                                                                           \
    .read = prepay__json_decimal, .decimals = (places), .min = (lo), .max = (hi)
/* The same from any JSON number (a real through its shortest round-trip decimal): foreign formats only. */
#define PREPAY__JSON_NUMBER(places, lo, hi) .read = prepay__json_number, .decimals = (places), .min = (lo), .max = (hi)
/* One of the names, stored as values[i] (or i) in a C integer or enum of type ctype. */
#define PREPAY__JSON_ENUM(ctype, name_list, value_list)                                                                \
    .read = prepay__json_enum, .size = sizeof(ctype), .names = (name_list), .values = (value_list)
/* A string copied into char[capacity] (capacity 0: checked, not stored); flags PREPAY__JSON_NONEMPTY. */
#define PREPAY__JSON_STRING(capacity, string_flags)                                                                    \
    .read = prepay__json_string, .size = (capacity), .flags = (string_flags)
/* A string kept as a `const char *` into the tree (valid while the tree lives). */
#define PREPAY__JSON_STRING_REF .read = prepay__json_string_ref
/* Exactly the string text_list[0]. */
#define PREPAY__JSON_LITERAL(text_list) .read = prepay__json_literal, .names = (text_list)
/* true or false, stored as bool. */
#define PREPAY__JSON_BOOL .read = prepay__json_bool
/* Dates and times (civil_time.h grammar): prepay_days_t, prepay_time_t, and a time of day as int32_t
 * seconds (uint16_t minutes with PREPAY__JSON_MINUTES). */
#define PREPAY__JSON_DATE .read = prepay__json_date
#define PREPAY__JSON_DATE_TIME .read = prepay__json_date_time
#define PREPAY__JSON_TIME_OF_DAY(time_flags) .read = prepay__json_time_of_day, .flags = (time_flags)
/* An object read by the field table `field_list` (add .finish for cross-member rules). */
#define PREPAY__JSON_OBJECT(description, field_list)                                                                   \
    .read = prepay__json_object, .what = (description), .fields = (field_list)
/*
 * An array of item_type into container_type.items_member[], its length in
 * container_type.count_member; the output is the container. At most `most`
 * items (and never more than items_member holds), at least `least`. `macro`
 * names the PREPAY_MAX_* capacity behind `most` (the message says which to
 * raise, status PREPAY_E_CAPACITY); NULL for a limit of the format itself.
 */
#define PREPAY__JSON_ARRAY(container_type, items_member, count_member, item_type, description, least, most, macro)     \
    .read = prepay__json_array, .what = (description), .item = &(item_type),                                           \
    .item_size = PREPAY__JSON_MEMBER_SIZE(container_type, items_member[0]),                                            \
    .capacity = PREPAY__JSON_MEMBER_SIZE(container_type, items_member) /                                               \
                PREPAY__JSON_MEMBER_SIZE(container_type, items_member[0]),                                             \
    .items_offset = offsetof(container_type, items_member), .count_offset = offsetof(container_type, count_member),    \
    .count_size = PREPAY__JSON_MEMBER_SIZE(container_type, count_member), .min_items = (least), .max_items = (most),   \
    .max_macro = (macro)

/* A field: {key, flags, &type, offset of output_type.member}. */
#define PREPAY__JSON_FIELD(key, field_flags, field_type, output_type, member)                                          \
    {                                                                                                                  \
        (key), (field_flags), &(field_type), offsetof(output_type, member)                                             \
    }
/* A field read into the object's whole output (its type knows where things go). */
#define PREPAY__JSON_FIELD_HERE(key, field_flags, field_type)                                                          \
    {                                                                                                                  \
        (key), (field_flags), &(field_type), 0                                                                         \
    }
#define PREPAY__JSON_FIELDS_END                                                                                        \
    {                                                                                                                  \
        NULL, 0, NULL, 0                                                                                               \
    }

/* ---- the reader --------------------------------------------------------------------------- */

/* Starts a reader: path "$", empty message. origin NULL gives "<memory>". */
void prepay__json_init(prepay__json_reader_t *r, const char *origin, char *err, size_t err_cap, void *user);

/* Parses text (duplicate keys refused); on error "origin:line:column: JSON syntax error: ...". */
int prepay__json_parse(prepay__json_reader_t *r, const char *data, size_t len, json_t **out);
/* Reads a whole file into a NUL-terminated heap copy (freed by the caller). */
int prepay__json_read_file(const char *path, char **data, size_t *len, char *err, size_t err_cap);

/* Reads value (not NULL) with type into out. */
int prepay__json_read(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
/* Reads member key of object obj (at path .key); absent: an error if required, else nothing is written. */
int prepay__json_read_member(prepay__json_reader_t *r, const json_t *obj, const char *key, bool required,
                             const prepay__json_type_t *type, void *out);
/* Reads item index of array arr (at path [index]); a missing item is an error. */
int prepay__json_read_item(prepay__json_reader_t *r, const json_t *arr, size_t index, const prepay__json_type_t *type,
                           void *out);
/* Calls fn for every member of an object with dynamic keys (at path .key), in document order:
 * `what` names the members for messages, at most `most` of them (macro `macro`). */
int prepay__json_each_member(prepay__json_reader_t *r, const json_t *obj, const char *what, size_t most,
                             const char *macro,
                             int (*fn)(prepay__json_reader_t *r, const char *key, const json_t *value, void *ctx),
                             void *ctx);

/* Writes "origin: $path: message" (one line) and returns status. */
int prepay__json_fail(prepay__json_reader_t *r, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The same at the member key of the current value ($path.key). */
int prepay__json_fail_member(prepay__json_reader_t *r, const char *key, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* The same at a path given in full ("$.schedule.seasons"), for checks made after reading. */
int prepay__json_fail_at(prepay__json_reader_t *r, const char *path, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* "expected <what>, got <type of value>" (PREPAY_E_HOSTED_JSON_TYPE). */
int prepay__json_expected(prepay__json_reader_t *r, const char *what, const json_t *value);
/* "an integer", "a JSON real", ... ("nothing" for NULL). */
const char *prepay__json_type_name(const json_t *value);

/* ---- the readers (prepay__json_read_fn) ----------------------------------------------------- */

int prepay__json_object(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_array(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_int(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_decimal(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_number(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_enum(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_string(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_string_ref(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_literal(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_bool(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_date(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_date_time(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);
int prepay__json_time_of_day(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out);

/* Stores v in a C integer of size bytes (1, 2, 4 or 8) at out. */
void prepay__json_store_int(void *out, size_t size, int64_t v);

/* Writing JSON strings: the one escaper (json_escape_internal.h, included above). */

#endif /* PREPAY_JSON_INTERNAL_H */
