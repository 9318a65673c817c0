/* SPDX-License-Identifier: MIT */
/*
 * Known answers for the DL/T 645 typed values (include/prepay/dlt645_data.h),
 * read from tests/vectors/dlt645_values.txt, plus the values of the real
 * frames in tests/vectors/dlt645_frames.txt (decoded from their `data`
 * field without the frame codec), round trips and error paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645_data.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "test_support.h"

static uint32_t parse_di(const char *text)
{
    assert_int_equal(strlen(text), 8);
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 16);
    assert_true(end && *end == '\0');
    return (uint32_t)v;
}

static int64_t parse_i64(const char *s)
{
    int64_t v;
    assert_int_equal(prepay_fixed_parse(s, strlen(s), 0, &v), PREPAY_OK);
    return v;
}

static int status_code(const char *name)
{
    static const struct {
        const char *name;
        int code;
    } codes[] = {
        {"ok", PREPAY_OK},
        {"absent", PREPAY_E_DLT645_ABSENT},
        {"bad_bcd", PREPAY_E_BAD_BCD},
        {"length", PREPAY_E_DLT645_VALUE_LENGTH},
        {"unknown_di", PREPAY_E_DLT645_UNKNOWN_DI},
        {"block_di", PREPAY_E_DLT645_BLOCK_DI},
        {"bad_date", PREPAY_E_BAD_DATE},
        {"bad_time", PREPAY_E_BAD_TIME},
        {"bad_weekday", PREPAY_E_BAD_WEEKDAY},
        {"bad_value", PREPAY_E_DLT645_BAD_VALUE},
    };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(codes[i].name, name) == 0) {
            return codes[i].code;
        }
    }
    fail_msg("unknown status name '%s'", name);
    return 1;
}

static const char *kind_name(unsigned kind)
{
    static const char *const names[] = {"number", "time", "digits", "table", "text", "bytes", "demand", "absent"};
    return kind < 8 ? names[kind] : "?";
}

static const char *value_text(const prepay_dlt645_value_t *v, char *buf, size_t cap)
{
    int n = prepay_dlt645_value_format(v, buf, cap);
    assert_true(n >= 0);
    assert_int_equal((size_t)n, strlen(buf));
    return buf;
}

/* Splits "a;b;c" into up to max parts (modifies text). */
static size_t split(char *text, char **parts, size_t max)
{
    size_t n = 0;
    char *p = text;
    while (n < max) {
        parts[n++] = p;
        char *semi = strchr(p, ';');
        if (!semi) {
            break;
        }
        *semi = '\0';
        p = semi + 1;
    }
    return n;
}

static void test_value_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("dlt645_values.txt", &file);
    int ok_count = 0;
    int error_count = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "value") != 0) {
            continue;
        }
        uint32_t di = parse_di(tv_need(r, "di"));
        uint8_t data[255];
        int len = tv_hex(tv_need(r, "data"), data, sizeof data);
        assert_true(len >= 0);
        int want = status_code(tv_need(r, "status"));
        prepay_dlt645_value_t v;
        memset(&v, 0x5A, sizeof v);
        int status = prepay_dlt645_value_decode(di, data, (size_t)len, &v);
        if (status != want) {
            fail_msg("line %d: DI %08X: status %d (%s), want %d", r->line, (unsigned)di, status,
                     prepay_strerror(status), want);
        }
        if (want != PREPAY_OK) {
            /* On error nothing is changed. */
            const uint8_t *bytes = (const uint8_t *)&v;
            for (size_t k = 0; k < sizeof v; k++) {
                assert_int_equal(bytes[k], 0x5A);
            }
            error_count++;
            continue;
        }
        ok_count++;
        assert_int_equal(v.di, di);
        assert_string_equal(kind_name(v.kind), tv_need(r, "kind"));
        char text[PREPAY_DLT645_VALUE_TEXT_MAX];
        if (strcmp(value_text(&v, text, sizeof text), tv_need(r, "text")) != 0) {
            fail_msg("line %d: text '%s', want '%s'", r->line, text, tv_need(r, "text"));
        }
        const char *unit = tv_get(r, "unit");
        if (unit) {
            assert_string_equal(prepay_dlt645_unit_symbol(v.unit), unit);
        }
        const char *quantity = tv_get(r, "quantity");
        if (quantity) {
            assert_int_equal(v.quantity, parse_i64(quantity));
        }
        const char *weekday = tv_get(r, "weekday");
        if (weekday) {
            assert_int_equal(v.weekday, parse_i64(weekday));
        }
        const char *seconds = tv_get(r, "seconds");
        if (seconds) {
            assert_int_equal(v.time, parse_i64(seconds));
        }
        /* Encode back: the same bytes. */
        uint8_t again[255];
        int n = prepay_dlt645_value_encode(&v, again, sizeof again);
        assert_int_equal(n, len);
        assert_memory_equal(again, data, (size_t)len);
        /* Too small a buffer: an error, nothing written. */
        uint8_t small[8];
        memset(small, 0xEE, sizeof small);
        if (len > 1) {
            assert_int_equal(prepay_dlt645_value_encode(&v, small, (size_t)len - 1), PREPAY_E_BUFFER_TOO_SMALL);
            assert_int_equal(small[0], 0xEE);
        }
    }
    tv_free(&file);
    assert_true(ok_count >= 40);
    assert_true(error_count >= 15);
}

static void test_block_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("dlt645_values.txt", &file);
    int blocks = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "block") != 0) {
            continue;
        }
        blocks++;
        uint32_t di = parse_di(tv_need(r, "di"));
        uint8_t data[255];
        int len = tv_hex(tv_need(r, "data"), data, sizeof data);
        assert_true(len >= 0);
        prepay_dlt645_value_t items[64];
        int n = prepay_dlt645_block_decode(di, data, (size_t)len, items, 64);
        const char *status = tv_get(r, "status");
        if (status) {
            if (n != status_code(status)) {
                fail_msg("line %d: got %d, want %s", r->line, n, status);
            }
            continue;
        }
        char want_items[TV_MAX_VALUE];
        snprintf(want_items, sizeof want_items, "%s", tv_need(r, "items"));
        char *parts[64];
        size_t count = split(want_items, parts, 64);
        if (n != (int)count) {
            fail_msg("line %d: %d items, want %zu", r->line, n, count);
        }
        const char *dis_text = tv_get(r, "dis");
        char dis_copy[TV_MAX_VALUE];
        char *dis[64];
        if (dis_text) {
            snprintf(dis_copy, sizeof dis_copy, "%s", dis_text);
            assert_int_equal(split(dis_copy, dis, 64), count);
        }
        for (size_t k = 0; k < count; k++) {
            char text[PREPAY_DLT645_VALUE_TEXT_MAX];
            if (strcmp(value_text(&items[k], text, sizeof text), parts[k]) != 0) {
                fail_msg("line %d: item %zu '%s', want '%s'", r->line, k, text, parts[k]);
            }
            if (dis_text) {
                assert_int_equal(items[k].di, parse_di(dis[k]));
            }
        }
        /* The block encodes back to the same bytes. */
        uint8_t again[255];
        assert_int_equal(prepay_dlt645_block_encode(items, count, again, sizeof again), len);
        assert_memory_equal(again, data, (size_t)len);
        /* Too few item slots. */
        if (count > 1) {
            assert_int_equal(prepay_dlt645_block_decode(di, data, (size_t)len, items, count - 1),
                             PREPAY_E_BUFFER_TOO_SMALL);
        }
    }
    tv_free(&file);
    assert_true(blocks >= 10);
}

static void test_name_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("dlt645_values.txt", &file);
    int names = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "name") != 0) {
            continue;
        }
        names++;
        char name[PREPAY_DLT645_NAME_MAX];
        int n = prepay_dlt645_item_name(parse_di(tv_need(r, "di")), name, sizeof name);
        const char *status = tv_get(r, "status");
        if (status) {
            assert_int_equal(n, status_code(status));
            continue;
        }
        assert_true(n > 0);
        assert_string_equal(name, tv_need(r, "name"));
        /* One byte short: an error and an empty string. */
        char small[PREPAY_DLT645_NAME_MAX];
        assert_int_equal(prepay_dlt645_item_name(parse_di(tv_need(r, "di")), small, (size_t)n),
                         PREPAY_E_BUFFER_TOO_SMALL);
        assert_string_equal(small, "");
    }
    tv_free(&file);
    assert_true(names >= 8);
}

static void test_parse_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("dlt645_values.txt", &file);
    int parses = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "parse") != 0) {
            continue;
        }
        parses++;
        uint32_t di = parse_di(tv_need(r, "di"));
        const char *text = tv_need(r, "text");
        prepay_dlt645_value_t v;
        int status = prepay_dlt645_value_parse(di, text, strlen(text), &v);
        const char *want_status = tv_get(r, "status");
        if (want_status) {
            if (status != status_code(want_status)) {
                fail_msg("line %d: got %d, want %s", r->line, status, want_status);
            }
            continue;
        }
        assert_int_equal(status, PREPAY_OK);
        uint8_t want[255];
        int want_len = tv_hex(tv_need(r, "data"), want, sizeof want);
        uint8_t got[255];
        assert_int_equal(prepay_dlt645_value_encode(&v, got, sizeof got), want_len);
        assert_memory_equal(got, want, (size_t)want_len);
        /* parse(format(decode(bytes))) is the identity on the text. */
        prepay_dlt645_value_t decoded;
        assert_int_equal(prepay_dlt645_value_decode(di, want, (size_t)want_len, &decoded), PREPAY_OK);
        char again[PREPAY_DLT645_VALUE_TEXT_MAX];
        value_text(&decoded, again, sizeof again);
        prepay_dlt645_value_t reparsed;
        assert_int_equal(prepay_dlt645_value_parse(di, again, strlen(again), &reparsed), PREPAY_OK);
        assert_int_equal(prepay_dlt645_value_encode(&reparsed, got, sizeof got), want_len);
        assert_memory_equal(got, want, (size_t)want_len);
    }
    tv_free(&file);
    assert_true(parses >= 10);
}

/* The values of the published frames decode as the vector file says. */
static void test_frame_values(void **state)
{
    (void)state;
    tv_file_t values;
    tv_file_t frames;
    tv_load("dlt645_values.txt", &values);
    tv_load("dlt645_frames.txt", &frames);
    int checked = 0;
    for (size_t i = 0; i < values.count; i++) {
        const tv_record_t *r = &values.records[i];
        if (strcmp(r->kind, "frame") != 0) {
            continue;
        }
        const char *name = tv_need(r, "frame");
        const tv_record_t *frame = NULL;
        for (size_t k = 0; k < frames.count; k++) {
            const char *fname = tv_get(&frames.records[k], "name");
            if (fname && strcmp(fname, name) == 0) {
                frame = &frames.records[k];
            }
        }
        if (!frame) {
            fail_msg("line %d: no frame '%s' in dlt645_frames.txt", r->line, name);
        }
        uint8_t data[255];
        int len = tv_hex(tv_need(frame, "data"), data, sizeof data);
        assert_true(len >= 0);
        size_t skip = 0;
        uint32_t di = 0;
        const char *override_di = tv_get(r, "di");
        const char *format = tv_get(r, "format");
        if (override_di) {
            di = parse_di(override_di);
        } else if (!format) {
            const char *di_text = tv_need(frame, "di");
            if (strlen(di_text) == 4) { /* 1997: DI0 DI1 */
                di = (uint32_t)strtoul(di_text, NULL, 16);
                skip = 2;
                assert_true(len >= 2);
                assert_int_equal(data[0] | data[1] << 8, di);
            } else {
                di = parse_di(di_text);
                skip = 4;
                /* The DI sits at the start of the data, DI0 first. */
                assert_true(len >= 4);
                assert_int_equal(data[0] | data[1] << 8 | data[2] << 16 | (uint32_t)data[3] << 24, di);
            }
        }
        const char *skip_text = tv_get(r, "skip");
        if (skip_text) {
            skip = (size_t)parse_i64(skip_text);
        }
        assert_true((size_t)len >= skip);
        prepay_dlt645_value_t items[64];
        int n;
        if (format) {
            assert_string_equal(format, "second_time");
            prepay_dlt645_field_t field = {"time", PREPAY_DLT645_FORMAT_SECOND_TIME, 6, 0, PREPAY_DLT645_UNIT_NONE};
            n = prepay_dlt645_field_decode(&field, 0, data + skip, (size_t)len - skip, &items[0]) == PREPAY_OK ? 1 : -1;
        } else if (skip == 2) {
            n = prepay_dlt645_block_decode_1997((uint16_t)di, data + skip, (size_t)len - skip, items, 64);
        } else {
            n = prepay_dlt645_block_decode(di, data + skip, (size_t)len - skip, items, 64);
        }
        char want_items[TV_MAX_VALUE];
        snprintf(want_items, sizeof want_items, "%s", tv_need(r, "items"));
        char *parts[64];
        size_t count = split(want_items, parts, 64);
        if (n != (int)count) {
            fail_msg("frame %s: %d items, want %zu", name, n, count);
        }
        for (size_t k = 0; k < count; k++) {
            char text[PREPAY_DLT645_VALUE_TEXT_MAX];
            if (strcmp(value_text(&items[k], text, sizeof text), parts[k]) != 0) {
                fail_msg("frame %s: item %zu '%s', want '%s'", name, k, text, parts[k]);
            }
        }
        checked++;
    }
    /* Every frame in dlt645_frames.txt with a DI and a value (both editions) is covered. */
    for (size_t k = 0; k < frames.count; k++) {
        const tv_record_t *f = &frames.records[k];
        const char *di = tv_get(f, "di");
        const char *value = tv_get(f, "value");
        if (!di || !value) {
            continue;
        }
        bool found = false;
        for (size_t i = 0; i < values.count && !found; i++) {
            const char *fname = tv_get(&values.records[i], "frame");
            found = strcmp(values.records[i].kind, "frame") == 0 && fname && strcmp(fname, tv_need(f, "name")) == 0;
        }
        if (!found) {
            fail_msg("frame %s has a value but no [frame] record in dlt645_values.txt", tv_need(f, "name"));
        }
    }
    tv_free(&values);
    tv_free(&frames);
    assert_true(checked >= 35);
}

static void test_null_and_bounds(void **state)
{
    (void)state;
    prepay_dlt645_value_t v;
    uint8_t data[4] = {0x30, 0x36, 0, 0};
    assert_int_equal(prepay_dlt645_value_decode(0x00010000u, NULL, 4, &v), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_value_decode(0x00010000u, data, 4, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_value_decode(0x00010000u, data, 0, &v), PREPAY_E_DLT645_VALUE_LENGTH);
    assert_int_equal(prepay_dlt645_value_encode(NULL, data, 4), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_block_decode(0x0001FF00u, data, 4, NULL, 4), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_value_format(NULL, (char *)data, 4), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_dlt645_value_parse(0x00010000u, NULL, 0, &v), PREPAY_E_INVALID_ARGUMENT);
    /* Reads only the bytes given: a value at the very end of a heap block. */
    uint8_t *exact = malloc(4);
    assert_non_null(exact);
    memcpy(exact, data, 4);
    assert_int_equal(prepay_dlt645_value_decode(0x00010000u, exact, 4, &v), PREPAY_OK);
    assert_int_equal(v.quantity, 36300);
    free(exact);
    /* Format into a small buffer. */
    char small[3];
    assert_int_equal(prepay_dlt645_value_format(&v, small, sizeof small), PREPAY_E_BUFFER_TOO_SMALL);
    assert_string_equal(small, "");
    /* Status texts exist for the data-layer codes. */
    assert_string_not_equal(prepay_strerror(PREPAY_E_DLT645_ABSENT), "unknown status");
    assert_string_not_equal(prepay_strerror(PREPAY_E_DLT645_UNKNOWN_DI), "unknown status");
    assert_string_not_equal(prepay_strerror(PREPAY_E_DLT645_VALUE_LENGTH), "unknown status");
    assert_string_not_equal(prepay_strerror(PREPAY_E_DLT645_BLOCK_DI), "unknown status");
    assert_string_not_equal(prepay_strerror(PREPAY_E_DLT645_BAD_VALUE), "unknown status");
}

static void test_encode_refuses(void **state)
{
    (void)state;
    prepay_dlt645_value_t v;
    uint8_t out[16];
    uint8_t data[4] = {0x30, 0x36, 0, 0};
    assert_int_equal(prepay_dlt645_value_decode(0x00010000u, data, 4, &v), PREPAY_OK);
    v.number = 100000000; /* 9 digits in XXXXXX.XX */
    assert_int_equal(prepay_dlt645_value_encode(&v, out, sizeof out), PREPAY_E_DLT645_BAD_VALUE);
    v.number = -1; /* unsigned format */
    assert_int_equal(prepay_dlt645_value_encode(&v, out, sizeof out), PREPAY_E_DLT645_BAD_VALUE);
    v.kind = PREPAY_DLT645_KIND_TIME; /* wrong kind for the format */
    assert_int_equal(prepay_dlt645_value_encode(&v, out, sizeof out), PREPAY_E_DLT645_BAD_VALUE);
    /* Absent encodes as FF. */
    v.kind = PREPAY_DLT645_KIND_ABSENT;
    assert_int_equal(prepay_dlt645_value_encode(&v, out, sizeof out), 4);
    assert_int_equal(out[0] & out[1] & out[2] & out[3], 0xFF);
    /* A time outside 2000..2099. */
    uint8_t date[4] = {0x01, 0x11, 0x01, 0x16};
    assert_int_equal(prepay_dlt645_value_decode(0x04000101u, date, 4, &v), PREPAY_OK);
    v.time = -86400;
    assert_int_equal(prepay_dlt645_value_encode(&v, out, sizeof out), PREPAY_E_DLT645_BAD_VALUE);
    /* ASCII text is sent reversed. */
    uint8_t ascii[32];
    for (size_t i = 0; i < 32; i++) {
        ascii[i] = (uint8_t)('A' + (31 - i) % 26);
    }
    assert_int_equal(prepay_dlt645_value_decode(0x04000403u, ascii, 32, &v), PREPAY_OK);
    assert_int_equal(v.kind, PREPAY_DLT645_KIND_TEXT);
    assert_int_equal(v.bytes[0], 'A');          /* the last byte on the wire */
    assert_int_equal(v.bytes[31], 'A' + 31 % 26); /* the first byte on the wire */
    uint8_t back[32];
    assert_int_equal(prepay_dlt645_value_encode(&v, back, sizeof back), 32);
    assert_memory_equal(back, ascii, 32);
}

static void test_1997(void **state)
{
    (void)state;
    prepay_dlt645_item_t item;
    assert_int_equal(prepay_dlt645_catalogue_find_1997(0x9010u, &item), PREPAY_OK);
    assert_string_equal(item.name, "forward active energy, total");
    assert_int_equal(item.length, 4);
    assert_int_equal(prepay_dlt645_catalogue_find_1997(0x901Fu, NULL), PREPAY_E_DLT645_UNKNOWN_DI);
    assert_int_equal(prepay_dlt645_catalogue_find_1997(0x1234u, NULL), PREPAY_E_DLT645_UNKNOWN_DI);
    assert_true(prepay_dlt645_catalogue_1997_size() >= 30);
    /* 901F: total and tariffs 1..4 (hand: 1.00 = 0.25 + 0.25 + 0.25 + 0.25). */
    const uint8_t block[20] = {0x00, 0x01, 0, 0, 0x25, 0, 0, 0, 0x25, 0, 0, 0, 0x25, 0, 0, 0, 0x25, 0, 0, 0};
    prepay_dlt645_value_t items[8];
    assert_int_equal(prepay_dlt645_block_decode_1997(0x901Fu, block, 20, items, 8), 5);
    assert_int_equal(items[0].quantity, 1000);
    assert_int_equal(items[4].di, 0x9014u);
    assert_int_equal(items[4].quantity, 250);
    assert_int_equal(prepay_dlt645_block_decode_1997(0x901Fu, block, 19, items, 8), PREPAY_E_DLT645_VALUE_LENGTH);
    assert_int_equal(prepay_dlt645_block_decode_1997(0x123Fu, block, 4, items, 8), PREPAY_E_DLT645_UNKNOWN_DI);
    assert_int_equal(prepay_dlt645_block_decode_1997(0x9010u, block, 3, items, 8), PREPAY_E_DLT645_VALUE_LENGTH);
    /* B61F: three 1997 voltages XXX (hand: 220, 221, absent). */
    const uint8_t volts[6] = {0x20, 0x02, 0x21, 0x02, 0xFF, 0xFF};
    assert_int_equal(prepay_dlt645_block_decode_1997(0xB61Fu, volts, 6, items, 8), 3);
    assert_int_equal(items[0].quantity, 2200); /* deci-volts */
    assert_int_equal(items[1].quantity, 2210);
    assert_int_equal(items[2].kind, PREPAY_DLT645_KIND_ABSENT);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        tv_set_dir(argv[1]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_vectors), cmocka_unit_test(test_block_vectors),
        cmocka_unit_test(test_name_vectors),  cmocka_unit_test(test_parse_vectors),
        cmocka_unit_test(test_frame_values),  cmocka_unit_test(test_null_and_bounds),
        cmocka_unit_test(test_encode_refuses), cmocka_unit_test(test_1997),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
