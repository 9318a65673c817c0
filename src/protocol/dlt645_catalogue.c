/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 data-identifier catalogue: lookup (binary search over the exact
 * rows, short scan over the rule rows), listing, names and units. The rows
 * themselves are in dlt645_catalogue_table.c.
 */
#include "prepay/dlt645_data.h"

#include <string.h>

#include "dlt645_catalogue_internal.h"

static uint8_t di_byte(uint32_t di, unsigned index)
{
    return (uint8_t)(di >> (8u * index));
}

static bool row_matches(const prepay__dlt645_row_t *row, uint32_t di)
{
    for (unsigned i = 0; i < 4; i++) {
        uint8_t b = di_byte(di, i);
        if (b < di_byte(row->low, i) || b > di_byte(row->high, i)) {
            return false;
        }
    }
    return true;
}

static const prepay__dlt645_row_t *search_exact(const prepay__dlt645_row_t *rows, size_t count, uint32_t di)
{
    size_t lo = 0;
    size_t hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t key = rows[mid].low;
        if (key == di) {
            return &rows[mid];
        }
        if (key < di) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return (const prepay__dlt645_row_t *)0;
}

const prepay__dlt645_row_t *prepay__dlt645_find_row(uint32_t di)
{
    const prepay__dlt645_row_t *exact = search_exact(prepay__dlt645_exact_rows, prepay__dlt645_exact_row_count, di);
    if (exact) {
        return exact;
    }
    /* Rules are sorted by their lowest DI and each covers a single DI3
     * (checked by the catalogue test): binary search for the first rule of
     * this DI3, then scan that group only (at most the 40-odd energy rules). */
    uint8_t di3 = di_byte(di, 3);
    size_t lo = 0;
    size_t hi = prepay__dlt645_rule_row_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (di_byte(prepay__dlt645_rule_rows[mid].low, 3) < di3) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    for (size_t i = lo; i < prepay__dlt645_rule_row_count; i++) {
        const prepay__dlt645_row_t *row = &prepay__dlt645_rule_rows[i];
        if (di_byte(row->low, 3) != di3) {
            break;
        }
        if (row_matches(row, di)) {
            return row;
        }
    }
    return (const prepay__dlt645_row_t *)0;
}

const prepay__dlt645_row_t *prepay__dlt645_find_row_1997(uint16_t di)
{
    return search_exact(prepay__dlt645_1997_rows, prepay__dlt645_1997_row_count, di);
}

void prepay__dlt645_fill_item(const prepay__dlt645_row_t *row, uint32_t di, prepay_dlt645_item_t *out)
{
    out->di = di;
    out->di_low = row->low;
    out->di_high = row->high;
    out->name = row->name;
    out->label = row->label;
    out->source = row->source;
    out->format = row->format;
    out->decimals = row->decimals;
    out->unit = row->unit;
    out->qualifier = row->qualifier;
    out->field_count = row->field_count;
    out->fields = row->fields;
    if (row->field_count > 0) {
        unsigned total = 0;
        for (unsigned i = 0; i < row->field_count; i++) {
            total += row->fields[i].length;
        }
        out->length = (uint8_t)total;
    } else {
        out->length = row->length;
    }
}

int prepay_dlt645_catalogue_find(uint32_t di, prepay_dlt645_item_t *out)
{
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row(di);
    if (!row) {
        return PREPAY_E_DLT645_UNKNOWN_DI;
    }
    if (out) {
        prepay__dlt645_fill_item(row, di, out);
    }
    return PREPAY_OK;
}

int prepay_dlt645_catalogue_find_1997(uint16_t di, prepay_dlt645_item_t *out)
{
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row_1997(di);
    if (!row) {
        return PREPAY_E_DLT645_UNKNOWN_DI;
    }
    if (out) {
        prepay__dlt645_fill_item(row, di, out);
    }
    return PREPAY_OK;
}

size_t prepay_dlt645_catalogue_1997_size(void)
{
    return prepay__dlt645_1997_row_count;
}

size_t prepay_dlt645_catalogue_size(void)
{
    return prepay__dlt645_exact_row_count + prepay__dlt645_rule_row_count;
}

size_t prepay_dlt645_catalogue_rule_count(void)
{
    return prepay__dlt645_rule_row_count;
}

int prepay_dlt645_catalogue_row(size_t index, prepay_dlt645_item_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__dlt645_row_t *row;
    if (index < prepay__dlt645_exact_row_count) {
        row = &prepay__dlt645_exact_rows[index];
    } else if (index - prepay__dlt645_exact_row_count < prepay__dlt645_rule_row_count) {
        row = &prepay__dlt645_rule_rows[index - prepay__dlt645_exact_row_count];
    } else {
        return PREPAY_E_NOT_FOUND;
    }
    prepay__dlt645_fill_item(row, row->low, out);
    return PREPAY_OK;
}

bool prepay_dlt645_di_is_block(uint32_t di)
{
    int position = -1;
    for (unsigned i = 0; i < 4; i++) {
        if (di_byte(di, i) == 0xFFu) {
            if (position >= 0) {
                return false;
            }
            position = (int)i;
        }
    }
    if (position < 0) {
        return false;
    }
    uint32_t mask = ~((uint32_t)0xFFu << (8u * (unsigned)position));
    for (uint32_t v = 0; v < 0xFFu; v++) {
        if (prepay__dlt645_find_row((di & mask) | (v << (8u * (unsigned)position)))) {
            return true;
        }
    }
    return false;
}

/* ---- names ----------------------------------------------------------------- */

typedef struct text_sink {
    char *out;
    size_t cap;
    size_t len;
    bool overflow;
} text_sink_t;

static void put_text(text_sink_t *s, const char *text)
{
    while (*text) {
        if (s->len + 1 >= s->cap) {
            s->overflow = true;
            return;
        }
        s->out[s->len++] = *text++;
    }
}

static void put_uint(text_sink_t *s, unsigned value)
{
    char digits[12];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value && n < sizeof digits);
    char text[13];
    for (size_t i = 0; i < n; i++) {
        text[i] = digits[n - 1 - i];
    }
    text[n] = '\0';
    put_text(s, text);
}

static const char *const phase_names[4] = {"total", "A-phase", "B-phase", "C-phase"};

static void put_phase(text_sink_t *s, uint8_t phase)
{
    if (phase < 4) {
        put_text(s, phase_names[phase]);
    } else {
        put_text(s, "phase ");
        put_uint(s, phase);
    }
}

static void put_period(text_sink_t *s, uint8_t period)
{
    if (period == 0) {
        put_text(s, "current");
    } else {
        put_text(s, "last ");
        put_uint(s, period);
        put_text(s, " settlement period");
    }
}

int prepay_dlt645_item_name(uint32_t di, char *out, size_t out_cap)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    const prepay__dlt645_row_t *row = prepay__dlt645_find_row(di);
    if (!row) {
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return PREPAY_E_DLT645_UNKNOWN_DI;
    }
    text_sink_t s = {out, out_cap, 0, out_cap == 0};
    uint8_t di0 = di_byte(di, 0);
    uint8_t di1 = di_byte(di, 1);
    uint8_t di2 = di_byte(di, 2);
    put_text(&s, row->name);
    switch (row->qualifier) {
    case PREPAY_DLT645_QUALIFIER_TARIFF_PERIOD:
        put_text(&s, ", ");
        if (di1 == 0) {
            put_text(&s, "total");
        } else {
            put_text(&s, "tariff ");
            put_uint(&s, di1);
        }
        put_text(&s, ", ");
        put_period(&s, di0);
        break;
    case PREPAY_DLT645_QUALIFIER_PERIOD:
        put_text(&s, ", ");
        put_period(&s, di0);
        break;
    case PREPAY_DLT645_QUALIFIER_PHASE:
        put_text(&s, ", ");
        put_phase(&s, di1);
        break;
    case PREPAY_DLT645_QUALIFIER_PHASE_DI2:
        put_text(&s, ", ");
        put_phase(&s, di2);
        break;
    case PREPAY_DLT645_QUALIFIER_INDEX:
        put_text(&s, ", ");
        put_text(&s, row->label ? row->label : "item");
        put_text(&s, " ");
        put_uint(&s, di0);
        break;
    case PREPAY_DLT645_QUALIFIER_LAST:
        put_text(&s, ", last ");
        put_uint(&s, di0);
        break;
    case PREPAY_DLT645_QUALIFIER_PHASE_LAST:
        put_text(&s, ", ");
        put_phase(&s, di2);
        put_text(&s, ", last ");
        put_uint(&s, di0);
        break;
    default:
        break;
    }
    if (s.overflow) {
        if (out_cap > 0) {
            out[0] = '\0';
        }
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    out[s.len] = '\0';
    return (int)s.len;
}

/* ---- units ------------------------------------------------------------------ */

static const struct {
    const char *symbol;
    uint8_t decimals; /* decimals of the library unit; 0xFF: as the wire value */
} unit_table[PREPAY_DLT645_UNIT_COUNT_OF_UNITS] = {
    {"", 0xFF},          /* none */
    {"kWh", 3},          /* Wh */
    {"kvarh", 3},        /* varh */
    {"kVAh", 3},         /* VAh */
    {"V", 1},            /* 0.1 V */
    {"A", 3},            /* mA */
    {"kW", 4},           /* 0.1 W */
    {"kvar", 4},         /* 0.1 var */
    {"kVA", 4},          /* 0.1 VA */
    {"Hz", 2},           /* 0.01 Hz */
    {"yuan", 2},         /* fen */
    {"yuan/kWh", 8},     /* prepay_price_t */
    {"count", 0xFF},     /* as is */
    {"min", 0xFF},       /* as is */
    {"degree", 1},       /* 0.1 degree */
    {"%", 2},            /* 0.01 % */
    {"degC", 1},         /* 0.1 degree Celsius */
    {"imp/kWh", 0xFF},   /* as is */
    {"s", 0xFF},         /* as is */
};

const char *prepay_dlt645_unit_symbol(unsigned unit)
{
    return unit < PREPAY_DLT645_UNIT_COUNT_OF_UNITS ? unit_table[unit].symbol : "?";
}

unsigned prepay_dlt645_unit_decimals(unsigned unit)
{
    if (unit >= PREPAY_DLT645_UNIT_COUNT_OF_UNITS || unit_table[unit].decimals == 0xFF) {
        return 0;
    }
    return unit_table[unit].decimals;
}
