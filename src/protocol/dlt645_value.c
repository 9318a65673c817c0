/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645-2007 typed values: decoding the data of an item (appendix A
 * formats, after the +0x33 offset is removed) into prepay_dlt645_value_t
 * without floating point, encoding it back, and splitting blocks (FF in one
 * DI byte) and records (fixed layouts) into items.
 */
#include "prepay/dlt645_data.h"

#include <string.h>

#include "prepay/bcd.h"
#include "prepay/civil_time.h"
#include "dlt645_catalogue_internal.h"

#define ENTRY_BYTES 3u
/* Largest BCD number this layer reads: 8 bytes = 16 digits (fits int64_t). */
#define MAX_NUMBER_BYTES 8u
/* Largest single value encode writes: raw bytes, a full table, or a number. */
#define TABLE_MAX_BYTES (3u * PREPAY_DLT645_MAX_TABLE_ENTRIES)
#define ENCODE_MAX                                                                                               \
    (PREPAY_DLT645_VALUE_MAX_BYTES > TABLE_MAX_BYTES ? PREPAY_DLT645_VALUE_MAX_BYTES : TABLE_MAX_BYTES)

static bool all_ff(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] != 0xFFu) {
            return false;
        }
    }
    return len > 0;
}

static int64_t pow10_i64(unsigned n)
{
    int64_t p = 1;
    while (n--) {
        p *= 10;
    }
    return p;
}

/* quantity = number rescaled from `decimals` to the library unit's decimals. */
static int to_quantity(int64_t number, unsigned decimals, unsigned unit, int64_t *out)
{
    unsigned target = prepay_dlt645_unit_decimals(unit);
    if (target == 0 || target == decimals) {
        *out = number;
        return PREPAY_OK;
    }
    if (target < decimals) {
        /* Rows never carry more decimals than their unit (checked by the
         * catalogue test); a caller-built field might. */
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    return prepay_i64_mul(number, pow10_i64(target - decimals), out) == PREPAY_OK ? PREPAY_OK
                                                                                   : PREPAY_E_DLT645_BAD_VALUE;
}

static int decode_number(const uint8_t *data, size_t len, bool is_signed, int64_t *out)
{
    if (len < 1 || len > MAX_NUMBER_BYTES) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    if (is_signed) {
        return prepay_bcd_decode_signed(data, len, out);
    }
    uint64_t u;
    int status = prepay_bcd_decode(data, len, &u);
    if (status != PREPAY_OK) {
        return status;
    }
    *out = (int64_t)u; /* at most 16 digits */
    return PREPAY_OK;
}

static int decode_time_of_day(const uint8_t *data, prepay_time_t *out)
{
    uint8_t s, m, h;
    if (prepay_bcd_decode_byte(data[0], &s) != PREPAY_OK || prepay_bcd_decode_byte(data[1], &m) != PREPAY_OK ||
        prepay_bcd_decode_byte(data[2], &h) != PREPAY_OK) {
        return PREPAY_E_BAD_BCD;
    }
    if (h > 23 || m > 59 || s > 59) {
        return PREPAY_E_BAD_TIME;
    }
    *out = (prepay_time_t)h * 3600 + (prepay_time_t)m * 60 + s;
    return PREPAY_OK;
}

static size_t format_length(unsigned format)
{
    switch (format) {
    case PREPAY_DLT645_FORMAT_DATE_WEEK: return 4;
    case PREPAY_DLT645_FORMAT_TIME_OF_DAY: return 3;
    case PREPAY_DLT645_FORMAT_MINUTE_TIME: return 5;
    case PREPAY_DLT645_FORMAT_SECOND_TIME: return 6;
    case PREPAY_DLT645_FORMAT_DEMAND: return 8;
    default: return 0; /* variable or given by the row */
    }
}

int prepay_dlt645_field_decode(const prepay_dlt645_field_t *field, uint32_t di, const uint8_t *data, size_t len,
                               prepay_dlt645_value_t *out)
{
    if (!field || !out || (!data && len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t fixed = format_length(field->format);
    if ((fixed && len != fixed) || len == 0 || len > 255) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    prepay_dlt645_value_t v;
    memset(&v, 0, sizeof v);
    v.di = di;
    v.name = field->name;
    v.format = field->format;
    v.length = (uint8_t)len;
    v.decimals = field->decimals;
    v.unit = field->unit;
    if (all_ff(data, len)) {
        v.kind = PREPAY_DLT645_KIND_ABSENT;
        *out = v;
        return PREPAY_E_DLT645_ABSENT;
    }
    int status = PREPAY_OK;
    switch (field->format) {
    case PREPAY_DLT645_FORMAT_BCD:
    case PREPAY_DLT645_FORMAT_BCD_SIGNED:
        v.kind = PREPAY_DLT645_KIND_NUMBER;
        if (field->decimals > 18) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
        status = decode_number(data, len, field->format == PREPAY_DLT645_FORMAT_BCD_SIGNED, &v.number);
        if (status == PREPAY_OK) {
            status = to_quantity(v.number, v.decimals, v.unit, &v.quantity);
        }
        break;
    case PREPAY_DLT645_FORMAT_DEMAND:
        v.kind = PREPAY_DLT645_KIND_DEMAND;
        status = decode_number(data, 3, true, &v.number);
        if (status == PREPAY_OK) {
            status = to_quantity(v.number, v.decimals, v.unit, &v.quantity);
        }
        if (status == PREPAY_OK) {
            static const uint8_t zero_time[5] = {0, 0, 0, 0, 0};
            if (memcmp(data + 3, zero_time, 5) == 0) {
                v.count = 1; /* no demand recorded yet: time not set */
            } else {
                status = prepay_time_from_dlt645_minute(data + 3, &v.time);
            }
        }
        break;
    case PREPAY_DLT645_FORMAT_DATE_WEEK:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = prepay_time_from_dlt645_date_and_time(data, (const uint8_t *)0, false, &v.time);
        if (status == PREPAY_OK) {
            v.weekday = (uint8_t)(data[0] & 0x0Fu); /* 0..6, checked by the decoder above */
        }
        break;
    case PREPAY_DLT645_FORMAT_TIME_OF_DAY:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = decode_time_of_day(data, &v.time);
        break;
    case PREPAY_DLT645_FORMAT_MINUTE_TIME:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = prepay_time_from_dlt645_minute(data, &v.time);
        break;
    case PREPAY_DLT645_FORMAT_SECOND_TIME:
        v.kind = PREPAY_DLT645_KIND_TIME;
        status = prepay_time_from_dlt645_datetime(data, &v.time);
        break;
    case PREPAY_DLT645_FORMAT_DIGITS:
        v.kind = PREPAY_DLT645_KIND_DIGITS;
        status = decode_number(data, len, false, &v.number);
        break;
    case PREPAY_DLT645_FORMAT_ZONE_TABLE:
    case PREPAY_DLT645_FORMAT_DAY_TABLE:
        v.kind = PREPAY_DLT645_KIND_TABLE;
        if (len % ENTRY_BYTES != 0 || len / ENTRY_BYTES > PREPAY_DLT645_MAX_TABLE_ENTRIES) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        v.count = (uint8_t)(len / ENTRY_BYTES);
        for (size_t i = 0; i < v.count && status == PREPAY_OK; i++) {
            const uint8_t *e = data + i * ENTRY_BYTES; /* NN, DD|mm, MM|hh */
            prepay_dlt645_entry_t *entry = &v.entries[i];
            if (prepay_bcd_decode_byte(e[0], &entry->number) != PREPAY_OK ||
                prepay_bcd_decode_byte(e[1], &entry->second) != PREPAY_OK ||
                prepay_bcd_decode_byte(e[2], &entry->first) != PREPAY_OK) {
                status = PREPAY_E_BAD_BCD;
            }
        }
        break;
    case PREPAY_DLT645_FORMAT_ASCII:
        v.kind = PREPAY_DLT645_KIND_TEXT;
        if (len > PREPAY_DLT645_VALUE_MAX_BYTES) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        v.count = (uint8_t)len;
        for (size_t i = 0; i < len; i++) {
            v.bytes[i] = data[len - 1 - i]; /* sent last character first */
        }
        break;
    case PREPAY_DLT645_FORMAT_BYTES:
        v.kind = PREPAY_DLT645_KIND_BYTES;
        if (len > PREPAY_DLT645_VALUE_MAX_BYTES) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        v.count = (uint8_t)len;
        memcpy(v.bytes, data, len);
        break;
    default:
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *out = v;
    return PREPAY_OK;
}

static void row_field(const prepay__dlt645_row_t *row, prepay_dlt645_field_t *field)
{
    field->name = row->name;
    field->format = row->format;
    field->length = row->length;
    field->decimals = row->decimals;
    field->unit = row->unit;
}

static bool variable_length(unsigned format)
{
    return format == PREPAY_DLT645_FORMAT_ZONE_TABLE || format == PREPAY_DLT645_FORMAT_DAY_TABLE;
}

int prepay_dlt645_value_decode(uint32_t di, const uint8_t *data, size_t len, prepay_dlt645_value_t *out)
{
    if (!out || (!data && len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row(di);
    if (!row) {
        return prepay_dlt645_di_is_block(di) ? PREPAY_E_DLT645_BLOCK_DI : PREPAY_E_DLT645_UNKNOWN_DI;
    }
    if (row->field_count > 0) {
        return PREPAY_E_DLT645_BLOCK_DI;
    }
    if (variable_length(row->format) ? (len < ENTRY_BYTES || len > row->length) : len != row->length) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    prepay_dlt645_field_t field;
    row_field(row, &field);
    prepay_dlt645_value_t v;
    int status = prepay_dlt645_field_decode(&field, di, data, len, &v);
    if (status == PREPAY_E_DLT645_ABSENT) {
        return status; /* single decode: absent is a status, out untouched */
    }
    if (status != PREPAY_OK) {
        return status;
    }
    *out = v;
    return PREPAY_OK;
}

/* ---- encode ------------------------------------------------------------------ */

static int encode_entries(const prepay_dlt645_value_t *value, uint8_t *out)
{
    for (size_t i = 0; i < value->count; i++) {
        const prepay_dlt645_entry_t *entry = &value->entries[i];
        uint8_t *e = out + i * ENTRY_BYTES;
        if (prepay_bcd_encode_byte(entry->number, &e[0]) != PREPAY_OK ||
            prepay_bcd_encode_byte(entry->second, &e[1]) != PREPAY_OK ||
            prepay_bcd_encode_byte(entry->first, &e[2]) != PREPAY_OK) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
    }
    return PREPAY_OK;
}

static int encode_time(unsigned format, const prepay_dlt645_value_t *value, uint8_t *tmp)
{
    int status;
    switch (format) {
    case PREPAY_DLT645_FORMAT_DATE_WEEK:
        if (value->weekday > 6) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        status = prepay_time_to_dlt645_date(value->time, tmp);
        if (status == PREPAY_OK) {
            tmp[0] = value->weekday; /* as sent, even when it disagrees with the date */
        }
        break;
    case PREPAY_DLT645_FORMAT_TIME_OF_DAY:
        if (value->time < 0 || value->time >= PREPAY_SECONDS_PER_DAY) {
            return PREPAY_E_DLT645_BAD_VALUE;
        }
        status = prepay_time_to_dlt645_time(value->time, tmp);
        break;
    case PREPAY_DLT645_FORMAT_MINUTE_TIME:
        if (value->time % 60 != 0) {
            return PREPAY_E_DLT645_BAD_VALUE; /* seconds would be lost */
        }
        status = prepay_time_to_dlt645_minute(value->time, tmp);
        break;
    default:
        status = prepay_time_to_dlt645_datetime(value->time, tmp);
        break;
    }
    return status == PREPAY_OK ? PREPAY_OK : PREPAY_E_DLT645_BAD_VALUE;
}

int prepay_dlt645_value_encode(const prepay_dlt645_value_t *value, uint8_t *out, size_t out_cap)
{
    if (!value || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t tmp[ENCODE_MAX];
    size_t len = value->length;
    size_t fixed = format_length(value->format);
    if (len == 0 || len > sizeof tmp || (fixed && len != fixed)) {
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    int status = PREPAY_OK;
    if (value->kind == PREPAY_DLT645_KIND_ABSENT) {
        memset(tmp, 0xFF, len);
    } else {
        switch (value->format) {
        case PREPAY_DLT645_FORMAT_BCD:
        case PREPAY_DLT645_FORMAT_BCD_SIGNED:
            if (value->kind != PREPAY_DLT645_KIND_NUMBER || len > MAX_NUMBER_BYTES) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            if (value->format == PREPAY_DLT645_FORMAT_BCD_SIGNED) {
                status = prepay_bcd_encode_signed(value->number, tmp, len);
            } else {
                status = value->number < 0 ? PREPAY_E_OUT_OF_RANGE
                                           : prepay_bcd_encode((uint64_t)value->number, tmp, len);
            }
            break;
        case PREPAY_DLT645_FORMAT_DEMAND:
            if (value->kind != PREPAY_DLT645_KIND_DEMAND) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            status = prepay_bcd_encode_signed(value->number, tmp, 3);
            if (status == PREPAY_OK) {
                if (value->count == 1) {
                    memset(tmp + 3, 0, 5);
                } else {
                    status = encode_time(PREPAY_DLT645_FORMAT_MINUTE_TIME, value, tmp + 3);
                }
            }
            break;
        case PREPAY_DLT645_FORMAT_DATE_WEEK:
        case PREPAY_DLT645_FORMAT_TIME_OF_DAY:
        case PREPAY_DLT645_FORMAT_MINUTE_TIME:
        case PREPAY_DLT645_FORMAT_SECOND_TIME:
            if (value->kind != PREPAY_DLT645_KIND_TIME) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            status = encode_time(value->format, value, tmp);
            break;
        case PREPAY_DLT645_FORMAT_DIGITS:
            if (value->kind != PREPAY_DLT645_KIND_DIGITS || len > MAX_NUMBER_BYTES || value->number < 0) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            status = prepay_bcd_encode((uint64_t)value->number, tmp, len);
            break;
        case PREPAY_DLT645_FORMAT_ZONE_TABLE:
        case PREPAY_DLT645_FORMAT_DAY_TABLE:
            if (value->kind != PREPAY_DLT645_KIND_TABLE || value->count == 0 ||
                value->count > PREPAY_DLT645_MAX_TABLE_ENTRIES || len != (size_t)value->count * ENTRY_BYTES) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            status = encode_entries(value, tmp);
            break;
        case PREPAY_DLT645_FORMAT_ASCII:
        case PREPAY_DLT645_FORMAT_BYTES:
            if ((value->kind != PREPAY_DLT645_KIND_TEXT && value->kind != PREPAY_DLT645_KIND_BYTES) ||
                value->count != len || len > PREPAY_DLT645_VALUE_MAX_BYTES) {
                return PREPAY_E_DLT645_BAD_VALUE;
            }
            for (size_t i = 0; i < len; i++) {
                tmp[i] = value->format == PREPAY_DLT645_FORMAT_ASCII ? value->bytes[len - 1 - i] : value->bytes[i];
            }
            break;
        default:
            return PREPAY_E_INVALID_ARGUMENT;
        }
    }
    if (status != PREPAY_OK) {
        return PREPAY_E_DLT645_BAD_VALUE;
    }
    if (len > out_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memcpy(out, tmp, len);
    return (int)len;
}

/* ---- blocks and records --------------------------------------------------------- */

/* Decodes one field into items[*count]; absent is an item, not an error. */
static int push_item(const prepay_dlt645_field_t *field, uint32_t di, uint8_t field_index, const uint8_t *data,
                     size_t len, prepay_dlt645_value_t *items, size_t items_cap, size_t *count)
{
    if (*count >= items_cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    int status = prepay_dlt645_field_decode(field, di, data, len, &items[*count]);
    if (status != PREPAY_OK && status != PREPAY_E_DLT645_ABSENT) {
        return status;
    }
    items[*count].field = field_index;
    (*count)++;
    return PREPAY_OK;
}

/* Splits one catalogue row's data (a single item or a record) into items. */
static int split_row(const prepay__dlt645_row_t *row, uint32_t di, const uint8_t *data, size_t len,
                     prepay_dlt645_value_t *items, size_t items_cap, size_t *count)
{
    if (row->field_count == 0) {
        if (variable_length(row->format) ? (len < ENTRY_BYTES || len > row->length) : len != row->length) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        prepay_dlt645_field_t field;
        row_field(row, &field);
        return push_item(&field, di, 0, data, len, items, items_cap, count);
    }
    size_t offset = 0;
    for (unsigned i = 0; i < row->field_count; i++) {
        const prepay_dlt645_field_t *field = &row->fields[i];
        if (len - offset < field->length) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        int status = push_item(field, di, (uint8_t)(i + 1), data + offset, field->length, items, items_cap, count);
        if (status != PREPAY_OK) {
            return status;
        }
        offset += field->length;
    }
    return offset == len ? PREPAY_OK : PREPAY_E_DLT645_VALUE_LENGTH;
}

static size_t row_length(const prepay__dlt645_row_t *row)
{
    if (row->field_count == 0) {
        return row->length;
    }
    size_t total = 0;
    for (unsigned i = 0; i < row->field_count; i++) {
        total += row->fields[i].length;
    }
    return total;
}

int prepay_dlt645_block_decode(uint32_t di, const uint8_t *data, size_t len, prepay_dlt645_value_t *items,
                               size_t items_cap)
{
    if (!items || (!data && len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t count = 0;
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row(di);
    if (row) {
        int status = split_row(row, di, data, len, items, items_cap, &count);
        return status == PREPAY_OK ? (int)count : status;
    }
    if (!prepay_dlt645_di_is_block(di)) {
        return PREPAY_E_DLT645_UNKNOWN_DI;
    }
    unsigned position = 0;
    while (((di >> (8u * position)) & 0xFFu) != 0xFFu) {
        position++;
    }
    uint32_t mask = ~((uint32_t)0xFFu << (8u * position));
    size_t offset = 0;
    for (uint32_t v = 0; v < 0xFFu && offset < len; v++) {
        uint32_t item_di = (di & mask) | (v << (8u * position));
        const prepay__dlt645_row_t *item_row = prepay__dlt645_find_row(item_di);
        if (!item_row) {
            continue;
        }
        size_t item_len = row_length(item_row);
        if (variable_length(item_row->format) && len - offset < item_len) {
            item_len = len - offset; /* a table ends the block */
        }
        if (len - offset < item_len) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        int status = split_row(item_row, item_di, data + offset, item_len, items, items_cap, &count);
        if (status != PREPAY_OK) {
            return status;
        }
        offset += item_len;
    }
    if (offset != len || count == 0) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    return (int)count;
}

int prepay_dlt645_block_decode_1997(uint16_t di, const uint8_t *data, size_t len, prepay_dlt645_value_t *items,
                                    size_t items_cap)
{
    if (!items || (!data && len > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t count = 0;
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row_1997(di);
    if (row) {
        int status = split_row(row, di, data, len, items, items_cap, &count);
        return status == PREPAY_OK ? (int)count : status;
    }
    if ((di & 0x000Fu) != 0x000Fu) {
        return PREPAY_E_DLT645_UNKNOWN_DI;
    }
    /* A 1997 block: low digit F stands for the items 0..E. */
    size_t offset = 0;
    bool known = false;
    for (uint16_t v = 0; v < 0x0Fu && offset < len; v++) {
        uint16_t item_di = (uint16_t)((di & 0xFFF0u) | v);
        const prepay__dlt645_row_t *item_row = prepay__dlt645_find_row_1997(item_di);
        if (!item_row) {
            continue;
        }
        known = true;
        if (len - offset < item_row->length) {
            return PREPAY_E_DLT645_VALUE_LENGTH;
        }
        int status = split_row(item_row, item_di, data + offset, item_row->length, items, items_cap, &count);
        if (status != PREPAY_OK) {
            return status;
        }
        offset += item_row->length;
    }
    if (!known && !prepay__dlt645_find_row_1997((uint16_t)(di & 0xFFF0u))) {
        return PREPAY_E_DLT645_UNKNOWN_DI;
    }
    if (offset != len || count == 0) {
        return PREPAY_E_DLT645_VALUE_LENGTH;
    }
    return (int)count;
}

int prepay_dlt645_block_encode(const prepay_dlt645_value_t *items, size_t count, uint8_t *out, size_t out_cap)
{
    if (!items || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t offset = 0;
    for (size_t i = 0; i < count; i++) {
        int n = prepay_dlt645_value_encode(&items[i], out + offset, out_cap - offset);
        if (n < 0) {
            return n;
        }
        offset += (size_t)n;
        if (offset > (size_t)INT32_MAX) {
            return PREPAY_E_OVERFLOW;
        }
    }
    return (int)offset;
}
