/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: DL/T 645 typed values (include/prepay/dlt645_data.h), which
 * decode untrusted meter replies. Input: one mode byte, four DI bytes
 * (DI3..DI0), then the data field. Mode bit 0 set: the DI is replaced by a
 * catalogue row's DI (index from the DI bytes) so that the fuzzer reaches
 * every format. The low 16 bits of the DI also go through the 1997 table.
 * Checks: decode never reads past the input; an accepted value
 * encodes, and the encoding decodes to the same value (text and bytes);
 * the block decoder's items encode back to exactly the input; formatting and
 * naming never overflow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/dlt645_data.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static prepay_dlt645_value_t items[256];

static void check_value(const prepay_dlt645_value_t *v)
{
    uint8_t bytes[255];
    int n = prepay_dlt645_value_encode(v, bytes, sizeof bytes);
    if (n < 0) {
        abort(); /* every decoded value encodes */
    }
    char text[PREPAY_DLT645_VALUE_TEXT_MAX];
    if (prepay_dlt645_value_format(v, text, sizeof text) < 0) {
        abort();
    }
    prepay_dlt645_value_t again;
    prepay_dlt645_field_t field = {v->name, v->format, v->length, v->decimals, v->unit};
    int status = prepay_dlt645_field_decode(&field, v->di, bytes, (size_t)n, &again);
    if (v->kind == PREPAY_DLT645_KIND_ABSENT) {
        if (status != PREPAY_E_DLT645_ABSENT) {
            abort();
        }
        return;
    }
    if (status != PREPAY_OK) {
        abort();
    }
    char text2[PREPAY_DLT645_VALUE_TEXT_MAX];
    if (prepay_dlt645_value_format(&again, text2, sizeof text2) < 0 || strcmp(text, text2) != 0) {
        abort();
    }
    uint8_t bytes2[255];
    if (prepay_dlt645_value_encode(&again, bytes2, sizeof bytes2) != n || memcmp(bytes, bytes2, (size_t)n) != 0) {
        abort();
    }
    if (again.number != v->number || again.quantity != v->quantity || again.time != v->time) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) {
        return 0;
    }
    uint8_t mode = data[0];
    uint32_t di = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 | data[4];
    if (mode & 1u) {
        prepay_dlt645_item_t row;
        size_t index = (size_t)(di % prepay_dlt645_catalogue_size());
        if (prepay_dlt645_catalogue_row(index, &row) != PREPAY_OK) {
            abort();
        }
        di = (mode & 2u) ? row.di_high : row.di_low;
    }
    const uint8_t *value = data + 5;
    size_t len = size - 5;
    /* Copy to an exact-size heap block so that ASan sees any over-read. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        return 0;
    }
    memcpy(exact, value, len);

    prepay_dlt645_value_t v;
    if (prepay_dlt645_value_decode(di, exact, len, &v) == PREPAY_OK) {
        check_value(&v);
    }
    int n = prepay_dlt645_block_decode(di, exact, len, items, sizeof items / sizeof items[0]);
    if (n > 0) {
        for (int i = 0; i < n; i++) {
            check_value(&items[i]);
        }
        uint8_t again[256 * 8];
        int m = prepay_dlt645_block_encode(items, (size_t)n, again, sizeof again);
        if (m < 0 || (size_t)m != len || memcmp(again, exact, len) != 0) {
            /* Minus zero and similar non-canonical input re-encode differently:
             * compare the decoded texts instead. */
            if (m < 0) {
                abort();
            }
            static prepay_dlt645_value_t again_items[256];
            if (prepay_dlt645_block_decode(di, again, (size_t)m, again_items, 256) != n) {
                abort();
            }
            for (int i = 0; i < n; i++) {
                char a[PREPAY_DLT645_VALUE_TEXT_MAX];
                char b[PREPAY_DLT645_VALUE_TEXT_MAX];
                if (prepay_dlt645_value_format(&items[i], a, sizeof a) < 0 ||
                    prepay_dlt645_value_format(&again_items[i], b, sizeof b) < 0 || strcmp(a, b) != 0) {
                    abort();
                }
            }
        }
    }
    /* The 1997 table, with the low 16 bits of the DI. */
    int n97 = prepay_dlt645_block_decode_1997((uint16_t)di, exact, len, items, sizeof items / sizeof items[0]);
    if (n97 > 0) {
        for (int i = 0; i < n97; i++) {
            check_value(&items[i]);
        }
    }
    char name[PREPAY_DLT645_NAME_MAX];
    (void)prepay_dlt645_item_name(di, name, sizeof name);
    (void)prepay_dlt645_item_name(di, name, (size_t)(mode % 16));
    /* Text parsing of the same bytes. */
    if (prepay_dlt645_value_parse(di, (const char *)exact, len, &v) == PREPAY_OK) {
        uint8_t bytes[255];
        if (prepay_dlt645_value_encode(&v, bytes, sizeof bytes) < 0) {
            abort();
        }
    }
    free(exact);
    return 0;
}
