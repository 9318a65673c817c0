/* SPDX-License-Identifier: MIT */
/*
 * Known answers for the journal's byte format (vectors:
 * tests/vectors/journal_records.txt): CRC-32C against published values and
 * a bitwise reference, the file header, one transfer record and one commit
 * record byte for byte, and the decoder's refusal of every truncation and
 * every single-bit error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/ledger/journal_crc_internal.h"
#include "prepay/journal_format.h"
#include "prepay/status.h"
#include "test_support.h"

/* Reference CRC-32C, one bit at a time, straight from the reflected polynomial. */
static uint32_t crc_bitwise(const uint8_t *data, size_t length)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++) {
        c ^= data[i];
        for (int k = 0; k < 8; k++) {
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        }
    }
    return ~c;
}

static uint64_t hex_u64(const char *text)
{
    return strtoull(text, NULL, 16);
}

static int64_t dec_i64(const char *text)
{
    return strtoll(text, NULL, 10);
}

static void test_crc_vectors(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("journal_records.txt", &file);
    int checked = 0;
    for (size_t i = 0; i < file.count; i++) {
        const tv_record_t *r = &file.records[i];
        if (strcmp(r->kind, "crc") != 0) {
            continue;
        }
        uint8_t data[256];
        size_t length;
        const char *text = tv_get(r, "text");
        if (text != NULL) {
            length = strlen(text);
            memcpy(data, text, length);
        } else {
            int n = tv_hex(tv_need(r, "hex"), data, sizeof data);
            assert_true(n >= 0);
            length = (size_t)n;
        }
        uint32_t want = (uint32_t)hex_u64(tv_need(r, "crc"));
        assert_int_equal(prepay_journal_crc32c(0, data, length), want);
        assert_int_equal(crc_bitwise(data, length), want);
        /* Chaining at every split point gives the same CRC. */
        for (size_t split = 0; split <= length; split++) {
            uint32_t c = prepay_journal_crc32c(0, data, split);
            assert_int_equal(prepay_journal_crc32c(c, data + split, length - split), want);
        }
        checked++;
    }
    assert_int_equal(checked, 5);
    assert_int_equal(prepay_journal_crc32c(0, (const uint8_t *)"123456789", 9), PREPAY_JOURNAL_CRC32C_CHECK);
    tv_free(&file);
}

/* The tables (slicing-by-8 path for long inputs, byte path for short) agree with the bitwise CRC. */
static void test_crc_matches_bitwise(void **state)
{
    (void)state;
    uint8_t data[1031];
    uint32_t x = 12345u;
    for (size_t i = 0; i < sizeof data; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
    for (size_t length = 0; length <= sizeof data; length += (length < 40 ? 1 : 37)) {
        for (size_t start = 0; start < 8; start++) {
            size_t n = length > sizeof data - start ? sizeof data - start : length;
            assert_int_equal(prepay_journal_crc32c(0, data + start, n), crc_bitwise(data + start, n));
        }
    }
    assert_int_equal(prepay_journal_crc32c(77u, NULL, 5), 77u);
}

/* The table path and, where this processor has it, the SSE4.2 instruction path give the bitwise
 * CRC for every length and alignment, and continue a CRC split anywhere (prepay_journal_crc32c()
 * takes one of them; this checks both on a machine that has the instruction). */
static void test_crc_both_paths(void **state)
{
    (void)state;
    uint8_t data[600];
    uint32_t x = 777u;
    for (size_t i = 0; i < sizeof data; i++) {
        x = x * 1103515245u + 12345u;
        data[i] = (uint8_t)(x >> 16);
    }
    bool hardware = false;
#if PREPAY__JOURNAL_CRC_HARDWARE
    hardware = prepay__journal_crc32c_hardware();
#endif
    for (size_t length = 0; length <= 300; length += (length < 40 ? 1 : 13)) {
        for (size_t start = 0; start < 8; start++) {
            uint32_t want = crc_bitwise(data + start, length);
            assert_int_equal(prepay__journal_crc32c_tables(0, data + start, length), want);
            size_t split = length / 3u;
            uint32_t c = prepay__journal_crc32c_tables(0, data + start, split);
            assert_int_equal(prepay__journal_crc32c_tables(c, data + start + split, length - split), want);
#if PREPAY__JOURNAL_CRC_HARDWARE
            if (hardware) {
                assert_int_equal(prepay__journal_crc32c_sse42(0, data + start, length), want);
                c = prepay__journal_crc32c_sse42(0, data + start, split);
                assert_int_equal(prepay__journal_crc32c_sse42(c, data + start + split, length - split), want);
            }
#endif
        }
    }
    assert_int_equal(prepay__journal_crc32c_tables(9u, NULL, 3), 9u);
    print_message("CRC-32C paths checked: tables%s\n", hardware ? " and SSE4.2" : " (no SSE4.2 here)");
}

static void test_header(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("journal_records.txt", &file);
    const tv_record_t *r = NULL;
    for (size_t i = 0; i < file.count; i++) {
        if (strcmp(file.records[i].kind, "header") == 0) {
            r = &file.records[i];
        }
    }
    assert_non_null(r);
    uint8_t want[64], got[64];
    int n = tv_hex(tv_need(r, "hex"), want, sizeof want);
    assert_int_equal(n, (int)PREPAY_JOURNAL_HEADER_SIZE);
    memset(got, 0xEE, sizeof got);
    assert_int_equal(prepay_journal_header_encode(got, PREPAY_JOURNAL_HEADER_SIZE - 1), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(got[0], 0xEE);
    assert_int_equal(prepay_journal_header_encode(got, sizeof got), (int)PREPAY_JOURNAL_HEADER_SIZE);
    assert_memory_equal(got, want, PREPAY_JOURNAL_HEADER_SIZE);
    assert_int_equal(prepay_journal_header_decode(want, PREPAY_JOURNAL_HEADER_SIZE), PREPAY_OK);
    assert_int_equal(prepay_journal_header_decode(want, PREPAY_JOURNAL_HEADER_SIZE - 1), PREPAY_E_JOURNAL_TRUNCATED);
    for (size_t bit = 0; bit < PREPAY_JOURNAL_HEADER_SIZE * 8; bit++) {
        uint8_t bad[PREPAY_JOURNAL_HEADER_SIZE];
        memcpy(bad, want, sizeof bad);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(prepay_journal_header_decode(bad, sizeof bad), PREPAY_E_JOURNAL_BAD_HEADER);
    }
    assert_int_equal(prepay_journal_header_decode(NULL, 24), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_header_version(want, sizeof want), 2);
    /* Format 1 is still read, and says so. */
    const tv_record_t *old = NULL;
    for (size_t i = 0; i < file.count; i++) {
        if (strcmp(file.records[i].kind, "header_v1") == 0) {
            old = &file.records[i];
        }
    }
    assert_non_null(old);
    assert_int_equal(tv_hex(tv_need(old, "hex"), want, sizeof want), (int)PREPAY_JOURNAL_HEADER_SIZE);
    assert_int_equal(prepay_journal_header_decode(want, PREPAY_JOURNAL_HEADER_SIZE), PREPAY_OK);
    assert_int_equal(prepay_journal_header_version(want, PREPAY_JOURNAL_HEADER_SIZE), 1);
    assert_int_equal(prepay_journal_header_version(want, PREPAY_JOURNAL_HEADER_SIZE - 1), PREPAY_E_JOURNAL_TRUNCATED);
    tv_free(&file);
}

static const tv_record_t *find_kind(const tv_file_t *file, const char *kind)
{
    for (size_t i = 0; i < file->count; i++) {
        if (strcmp(file->records[i].kind, kind) == 0) {
            return &file->records[i];
        }
    }
    fail_msg("no [%s] vector", kind);
    return NULL;
}

static void test_transfer_record(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("journal_records.txt", &file);
    const tv_record_t *r = find_kind(&file, "record");
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = hex_u64(tv_need(r, "id"));
    t.debit_account_id = (uint64_t)dec_i64(tv_need(r, "debit"));
    t.credit_account_id = (uint64_t)dec_i64(tv_need(r, "credit"));
    t.amount = dec_i64(tv_need(r, "amount"));
    t.pending_id = (uint64_t)dec_i64(tv_need(r, "pending_id"));
    t.timestamp = dec_i64(tv_need(r, "timestamp"));
    t.meter_id = (uint64_t)dec_i64(tv_need(r, "meter"));
    t.interval_start = dec_i64(tv_need(r, "interval_start"));
    t.interval_end = dec_i64(tv_need(r, "interval_end"));
    t.order_id = hex_u64(tv_need(r, "order"));
    t.reference_id = (uint64_t)dec_i64(tv_need(r, "reference"));
    t.tariff_version = (uint32_t)dec_i64(tv_need(r, "tariff_version"));
    t.code = (uint16_t)dec_i64(tv_need(r, "code"));
    t.flags = (uint16_t)dec_i64(tv_need(r, "flags"));
    uint64_t sequence = (uint64_t)dec_i64(tv_need(r, "sequence"));

    uint8_t want[PREPAY_JOURNAL_MAX_RECORD];
    int n = tv_hex(tv_need(r, "hex"), want, sizeof want);
    assert_int_equal(n, (int)(PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_SIZE));
    uint8_t payload[PREPAY_JOURNAL_TRANSFER_SIZE];
    assert_int_equal(prepay_journal_transfer_encode(&t, payload, sizeof payload - 1), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_journal_transfer_encode(&t, payload, sizeof payload), (int)sizeof payload);
    uint8_t got[PREPAY_JOURNAL_MAX_RECORD];
    assert_int_equal(prepay_journal_record_encode((uint16_t)dec_i64(tv_need(r, "type")), sequence, payload,
                                                  sizeof payload, got, (size_t)n - 1),
                     PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_journal_record_encode((uint16_t)dec_i64(tv_need(r, "type")), sequence, payload,
                                                  sizeof payload, got, sizeof got),
                     n);
    assert_memory_equal(got, want, (size_t)n);
    /* The CRC field alone, as the vector file states it. */
    uint32_t crc = (uint32_t)hex_u64(tv_need(r, "crc"));
    assert_int_equal(got[n - 4] | got[n - 3] << 8 | got[n - 2] << 16 | (uint32_t)got[n - 1] << 24, crc);

    prepay_journal_record_t record;
    assert_int_equal(prepay_journal_record_decode(want, (size_t)n, &record), n);
    assert_int_equal(record.type, PREPAY_JOURNAL_RECORD_TRANSFER);
    assert_int_equal(record.sequence, sequence);
    prepay_ledger_transfer_t back;
    assert_int_equal(prepay_journal_transfer_decode(record.payload, record.payload_length, &back), PREPAY_OK);
    assert_memory_equal(&back, &t, sizeof t); /* the struct has no padding holes (ledger.h) */
    assert_int_equal(prepay_journal_transfer_decode(record.payload, record.payload_length - 1, &back),
                     PREPAY_E_JOURNAL_BAD_RECORD);

    /* Every truncation is refused as truncated; every single-bit error as bad. */
    for (int len = 0; len < n; len++) {
        assert_int_equal(prepay_journal_record_decode(want, (size_t)len, &record), PREPAY_E_JOURNAL_TRUNCATED);
    }
    for (int bit = 0; bit < n * 8; bit++) {
        uint8_t bad[PREPAY_JOURNAL_MAX_RECORD];
        memcpy(bad, want, (size_t)n);
        bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int status = prepay_journal_record_decode(bad, (size_t)n, &record);
        assert_true(status == PREPAY_E_JOURNAL_BAD_RECORD || status == PREPAY_E_JOURNAL_TRUNCATED);
    }
    tv_free(&file);
}

/* A pending transfer with a deadline (104-byte payload) and an EXPIRE record, against hand-written bytes. */
static void test_deadline_and_expire_records(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("journal_records.txt", &file);
    const tv_record_t *r = find_kind(&file, "deadline_record");
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = (uint64_t)dec_i64(tv_need(r, "id"));
    t.debit_account_id = (uint64_t)dec_i64(tv_need(r, "debit"));
    t.credit_account_id = (uint64_t)dec_i64(tv_need(r, "credit"));
    t.amount = dec_i64(tv_need(r, "amount"));
    t.timestamp = dec_i64(tv_need(r, "timestamp"));
    t.code = (uint16_t)dec_i64(tv_need(r, "code"));
    t.flags = (uint16_t)dec_i64(tv_need(r, "flags"));
    t.deadline = dec_i64(tv_need(r, "deadline"));
    uint8_t want[PREPAY_JOURNAL_MAX_RECORD];
    int n = tv_hex(tv_need(r, "hex"), want, sizeof want);
    assert_int_equal(n, (int)(PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_TRANSFER_MAX_SIZE));
    uint8_t payload[PREPAY_JOURNAL_TRANSFER_MAX_SIZE];
    assert_int_equal(prepay_journal_transfer_encode(&t, payload, sizeof payload - 1), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_journal_transfer_encode(&t, payload, sizeof payload), (int)sizeof payload);
    uint8_t got[PREPAY_JOURNAL_MAX_RECORD];
    assert_int_equal(prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_TRANSFER, (uint64_t)dec_i64(tv_need(r, "sequence")),
                                                  payload, sizeof payload, got, sizeof got),
                     n);
    assert_memory_equal(got, want, (size_t)n);
    uint32_t crc = (uint32_t)hex_u64(tv_need(r, "crc"));
    assert_int_equal(got[n - 4] | got[n - 3] << 8 | got[n - 2] << 16 | (uint32_t)got[n - 1] << 24, crc);
    prepay_journal_record_t record;
    assert_int_equal(prepay_journal_record_decode(want, (size_t)n, &record), n);
    prepay_ledger_transfer_t back;
    assert_int_equal(prepay_journal_transfer_decode(record.payload, record.payload_length, &back), PREPAY_OK);
    assert_memory_equal(&back, &t, sizeof t);
    /* One encoding per transfer: the long form with a zero deadline, and other lengths, are refused. */
    uint8_t zero[PREPAY_JOURNAL_TRANSFER_MAX_SIZE];
    memcpy(zero, record.payload, sizeof zero);
    memset(zero + PREPAY_JOURNAL_TRANSFER_SIZE, 0, 8);
    assert_int_equal(prepay_journal_transfer_decode(zero, sizeof zero, &back), PREPAY_E_JOURNAL_BAD_RECORD);
    assert_int_equal(prepay_journal_transfer_decode(record.payload, 100, &back), PREPAY_E_JOURNAL_BAD_RECORD);
    assert_int_equal(prepay_journal_transfer_decode(record.payload, 105, &back), PREPAY_E_JOURNAL_BAD_RECORD);
    /* Without a deadline the short form: the same 96 bytes as before deadlines existed. */
    t.deadline = 0;
    assert_int_equal(prepay_journal_transfer_encode(&t, payload, PREPAY_JOURNAL_TRANSFER_SIZE),
                     (int)PREPAY_JOURNAL_TRANSFER_SIZE);
    assert_memory_equal(payload, record.payload, PREPAY_JOURNAL_TRANSFER_SIZE);

    r = find_kind(&file, "expire_record");
    n = tv_hex(tv_need(r, "hex"), want, sizeof want);
    assert_int_equal(n, (int)(PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_EXPIRE_SIZE));
    assert_int_equal(prepay_journal_record_decode(want, (size_t)n, &record), n);
    assert_int_equal(record.type, PREPAY_JOURNAL_RECORD_EXPIRE);
    assert_int_equal(record.sequence, dec_i64(tv_need(r, "sequence")));
    assert_int_equal(record.payload_length, PREPAY_JOURNAL_EXPIRE_SIZE);
    uint64_t id = 0;
    int64_t now = 0;
    for (int i = 7; i >= 0; i--) {
        id = id << 8 | record.payload[i];
        now = (int64_t)((uint64_t)now << 8 | record.payload[8 + i]);
    }
    assert_int_equal(id, dec_i64(tv_need(r, "id")));
    assert_int_equal(now, dec_i64(tv_need(r, "now")));
    assert_int_equal(prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_EXPIRE, record.sequence, record.payload,
                                                  record.payload_length, got, sizeof got),
                     n);
    assert_memory_equal(got, want, (size_t)n);
    crc = (uint32_t)hex_u64(tv_need(r, "crc"));
    assert_int_equal(got[n - 4] | got[n - 3] << 8 | got[n - 2] << 16 | (uint32_t)got[n - 1] << 24, crc);
    /* EXPIRE is type 6 (CUT has 5, APP 7); 8 is no record type, even with a valid CRC, nor is 0. */
    assert_int_equal(want[4], 6);
    assert_int_equal(PREPAY_JOURNAL_RECORD_CUT, 5);
    assert_int_equal(PREPAY_JOURNAL_RECORD_APP, 7);
    for (uint8_t type = 0; type <= 8; type += 8) {
        want[4] = type;
        uint32_t resigned = prepay_journal_crc32c(0, want, (size_t)n - 4u);
        for (int i = 0; i < 4; i++) {
            want[n - 4 + i] = (uint8_t)(resigned >> (8 * i));
        }
        assert_int_equal(prepay_journal_record_decode(want, (size_t)n, &record), PREPAY_E_JOURNAL_BAD_RECORD);
    }
    tv_free(&file);
}

static void test_commit_record(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("journal_records.txt", &file);
    const tv_record_t *r = find_kind(&file, "commit");
    uint8_t want[64];
    int n = tv_hex(tv_need(r, "hex"), want, sizeof want);
    assert_int_equal(n, (int)PREPAY_JOURNAL_COMMIT_SIZE);
    prepay_journal_commit_t commit = {(uint64_t)dec_i64(tv_need(r, "first_sequence")),
                                      (uint32_t)dec_i64(tv_need(r, "record_count"))};
    uint8_t payload[PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE];
    assert_int_equal(prepay_journal_commit_encode(&commit, payload, sizeof payload), (int)sizeof payload);
    uint8_t got[64];
    assert_int_equal(prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_COMMIT,
                                                  (uint64_t)dec_i64(tv_need(r, "sequence")), payload,
                                                  sizeof payload, got, sizeof got),
                     n);
    assert_memory_equal(got, want, (size_t)n);
    prepay_journal_record_t record;
    assert_int_equal(prepay_journal_record_decode(want, (size_t)n, &record), n);
    prepay_journal_commit_t back;
    assert_int_equal(prepay_journal_commit_decode(record.payload, record.payload_length, &back), PREPAY_OK);
    assert_int_equal(back.first_sequence, commit.first_sequence);
    assert_int_equal(back.record_count, commit.record_count);
    payload[12] = 1; /* reserved must be zero */
    assert_int_equal(prepay_journal_commit_decode(payload, sizeof payload, &back), PREPAY_E_JOURNAL_BAD_RECORD);
    tv_free(&file);
}

static void test_cut_record(void **state)
{
    (void)state;
    tv_file_t file;
    tv_load("journal_records.txt", &file);
    const tv_record_t *r = find_kind(&file, "cut");
    uint8_t want[64];
    int n = tv_hex(tv_need(r, "hex"), want, sizeof want);
    assert_int_equal(n, (int)(PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_CUT_SIZE));
    prepay_journal_cut_t cut = {(uint64_t)dec_i64(tv_need(r, "offset")), (uint64_t)dec_i64(tv_need(r, "bytes")),
                                (uint32_t)dec_i64(tv_need(r, "records")), (uint32_t)dec_i64(tv_need(r, "batches"))};
    uint8_t payload[PREPAY_JOURNAL_CUT_SIZE];
    assert_int_equal(prepay_journal_cut_encode(&cut, payload, sizeof payload - 1), PREPAY_E_BUFFER_TOO_SMALL);
    assert_int_equal(prepay_journal_cut_encode(&cut, payload, sizeof payload), (int)sizeof payload);
    uint8_t got[64];
    assert_int_equal(prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_CUT, (uint64_t)dec_i64(tv_need(r, "sequence")),
                                                  payload, sizeof payload, got, sizeof got),
                     n);
    assert_memory_equal(got, want, (size_t)n);
    prepay_journal_record_t record;
    assert_int_equal(prepay_journal_record_decode(want, (size_t)n, &record), n);
    assert_int_equal(record.type, PREPAY_JOURNAL_RECORD_CUT);
    prepay_journal_cut_t back;
    assert_int_equal(prepay_journal_cut_decode(record.payload, record.payload_length, &back), PREPAY_OK);
    assert_true(back.offset == cut.offset && back.bytes == cut.bytes && back.records == cut.records &&
                back.batches == cut.batches);
    assert_int_equal(prepay_journal_cut_decode(record.payload, record.payload_length - 1, &back),
                     PREPAY_E_JOURNAL_BAD_RECORD);
    payload[20] = 2; /* a tail holds at most one unfinished batch */
    assert_int_equal(prepay_journal_cut_decode(payload, sizeof payload, &back), PREPAY_E_JOURNAL_BAD_RECORD);
    assert_int_equal(prepay_journal_cut_decode(NULL, sizeof payload, &back), PREPAY_E_INVALID_ARGUMENT);
    tv_free(&file);
}

static void test_record_argument_checks(void **state)
{
    (void)state;
    uint8_t out[PREPAY_JOURNAL_MAX_RECORD + 8];
    uint8_t payload[PREPAY_JOURNAL_MAX_PAYLOAD + 1];
    memset(payload, 0x5A, sizeof payload);
    assert_int_equal(prepay_journal_record_encode(2, 0, payload, 8, out, sizeof out), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_record_encode(9, 1, payload, 8, out, sizeof out), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_record_encode(2, 1, payload, sizeof payload, out, sizeof out),
                     PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_record_encode(2, 1, NULL, 8, out, sizeof out), PREPAY_E_INVALID_ARGUMENT);
    int n = prepay_journal_record_encode(2, 1, payload, PREPAY_JOURNAL_MAX_PAYLOAD, out, sizeof out);
    assert_int_equal(n, (int)PREPAY_JOURNAL_MAX_RECORD);
    prepay_journal_record_t record;
    assert_int_equal(prepay_journal_record_decode(out, sizeof out, &record), n);
    /* A commit record with a wrong length is refused even with a good CRC. */
    n = prepay_journal_record_encode(PREPAY_JOURNAL_RECORD_COMMIT, 1, payload, 8, out, sizeof out);
    assert_true(n > 0);
    assert_int_equal(prepay_journal_record_decode(out, (size_t)n, &record), PREPAY_E_JOURNAL_BAD_RECORD);
}

static void test_account_round_trip(void **state)
{
    (void)state;
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = UINT64_MAX;
    a.emergency_account_id = 3;
    a.debt_account_id = 4;
    a.debits_pending = INT64_MIN;
    a.debits_posted = INT64_MAX;
    a.credits_pending = -1;
    a.credits_posted = 123;
    a.overdraft_limit = 5000;
    a.max_balance = 100000;
    a.item = 0x01020304u;
    a.kind = PREPAY_LEDGER_ACCOUNT_WALLET;
    a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    uint8_t bytes[PREPAY_JOURNAL_ACCOUNT_SIZE];
    assert_int_equal(prepay_journal_account_encode(&a, bytes, sizeof bytes), (int)sizeof bytes);
    /* Spot checks by hand: id all FF, debits_pending = INT64_MIN = 00..00 80, item LE. */
    for (int i = 0; i < 8; i++) {
        assert_int_equal(bytes[i], 0xFF);
    }
    assert_int_equal(bytes[24], 0x00);
    assert_int_equal(bytes[31], 0x80);
    assert_int_equal(bytes[72], 0x04);
    assert_int_equal(bytes[75], 0x01);
    prepay_ledger_account_t back;
    memset(&back, 0, sizeof back);
    assert_int_equal(prepay_journal_account_decode(bytes, sizeof bytes, &back), PREPAY_OK);
    assert_true(back.id == a.id && back.debits_pending == a.debits_pending &&
                back.debits_posted == a.debits_posted && back.credits_pending == a.credits_pending &&
                back.credits_posted == a.credits_posted && back.overdraft_limit == a.overdraft_limit &&
                back.max_balance == a.max_balance && back.item == a.item && back.kind == a.kind &&
                back.flags == a.flags && back.emergency_account_id == 3 && back.debt_account_id == 4);
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : "tests/vectors");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_vectors),          cmocka_unit_test(test_crc_matches_bitwise),
        cmocka_unit_test(test_crc_both_paths),
        cmocka_unit_test(test_header),               cmocka_unit_test(test_transfer_record),
        cmocka_unit_test(test_commit_record),        cmocka_unit_test(test_record_argument_checks),
        cmocka_unit_test(test_account_round_trip),   cmocka_unit_test(test_cut_record),
        cmocka_unit_test(test_deadline_and_expire_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
