/* SPDX-License-Identifier: MIT */
/*
 * The journal's byte format: file header, record frame, commit and cut
 * payloads (specified in docs/journal.md). Every field is written byte by byte in
 * little-endian order; no struct is ever copied to or from storage.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "journal_internal.h"
#include "prepay/journal_format.h"

static const uint8_t journal_magic[8] = {'P', 'R', 'E', 'P', 'A', 'Y', 'J', 'L'};

void prepay__journal_header_encode_version(uint8_t *out, uint16_t version)
{
    memcpy(out, journal_magic, sizeof journal_magic);
    prepay__put_u16(out + 8, version);
    prepay__put_u16(out + 10, (uint16_t)PREPAY_JOURNAL_HEADER_SIZE);
    prepay__put_u32(out + 12, 0); /* flags */
    prepay__put_u32(out + 16, 0); /* reserved */
    prepay__put_u32(out + 20, prepay_journal_crc32c(0, out, 20));
}

int prepay_journal_header_encode(uint8_t *out, size_t out_cap)
{
    if (out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < PREPAY_JOURNAL_HEADER_SIZE) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__journal_header_encode_version(out, (uint16_t)PREPAY_JOURNAL_VERSION);
    return (int)PREPAY_JOURNAL_HEADER_SIZE;
}

int prepay_journal_header_version(const uint8_t *in, size_t in_len)
{
    if (in == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (in_len < PREPAY_JOURNAL_HEADER_SIZE) {
        return PREPAY_E_JOURNAL_TRUNCATED;
    }
    uint16_t version = prepay__get_u16(in + 8);
    if (memcmp(in, journal_magic, sizeof journal_magic) != 0 || version < PREPAY_JOURNAL_VERSION_MIN ||
        version > PREPAY_JOURNAL_VERSION || prepay__get_u16(in + 10) != PREPAY_JOURNAL_HEADER_SIZE ||
        prepay__get_u32(in + 12) != 0 || prepay__get_u32(in + 16) != 0 ||
        prepay__get_u32(in + 20) != prepay_journal_crc32c(0, in, 20)) {
        return PREPAY_E_JOURNAL_BAD_HEADER;
    }
    return (int)version;
}

int prepay_journal_header_decode(const uint8_t *in, size_t in_len)
{
    int version = prepay_journal_header_version(in, in_len);
    return version < 0 ? version : PREPAY_OK;
}

/* Every type any format version knows; the scan refuses CUT and EXPIRE in a format-1 journal. */
static bool known_type(uint16_t type)
{
    return type >= PREPAY_JOURNAL_RECORD_ACCOUNT && type <= PREPAY__JOURNAL_RECORD_LAST;
}

int prepay_journal_record_encode(uint16_t type, uint64_t sequence, const uint8_t *payload, size_t payload_length,
                                 uint8_t *out, size_t out_cap)
{
    if (out == NULL || (payload == NULL && payload_length > 0) || !known_type(type) || sequence == 0 ||
        payload_length > PREPAY_JOURNAL_MAX_PAYLOAD) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t length = PREPAY_JOURNAL_RECORD_OVERHEAD + payload_length;
    if (out_cap < length) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__put_u32(out, (uint32_t)length);
    prepay__put_u16(out + 4, type);
    prepay__put_u16(out + 6, 0);
    prepay__put_u64(out + 8, sequence);
    if (payload_length > 0) {
        memmove(out + PREPAY_JOURNAL_RECORD_HEADER_SIZE, payload, payload_length);
    }
    size_t body = length - 4;
    prepay__put_u32(out + body, prepay_journal_crc32c(0, out, body));
    return (int)length;
}

int prepay_journal_record_decode(const uint8_t *in, size_t in_len, prepay_journal_record_t *out)
{
    if (in == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (in_len < PREPAY_JOURNAL_RECORD_HEADER_SIZE) {
        return PREPAY_E_JOURNAL_TRUNCATED;
    }
    uint32_t length = prepay__get_u32(in);
    uint16_t type = prepay__get_u16(in + 4);
    uint64_t sequence = prepay__get_u64(in + 8);
    if (length < PREPAY_JOURNAL_RECORD_OVERHEAD || length > PREPAY_JOURNAL_MAX_RECORD || !known_type(type) ||
        prepay__get_u16(in + 6) != 0 || sequence == 0 ||
        (type == PREPAY_JOURNAL_RECORD_COMMIT && length != PREPAY_JOURNAL_COMMIT_SIZE)) {
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
    if (in_len < length) {
        return PREPAY_E_JOURNAL_TRUNCATED;
    }
    size_t body = (size_t)length - 4;
    if (prepay__get_u32(in + body) != prepay_journal_crc32c(0, in, body)) {
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
    out->length = length;
    out->type = type;
    out->sequence = sequence;
    out->payload = in + PREPAY_JOURNAL_RECORD_HEADER_SIZE;
    out->payload_length = (size_t)length - PREPAY_JOURNAL_RECORD_OVERHEAD;
    return (int)length;
}

int prepay_journal_commit_encode(const prepay_journal_commit_t *commit, uint8_t *out, size_t out_cap)
{
    if (commit == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__put_u64(out, commit->first_sequence);
    prepay__put_u32(out + 8, commit->record_count);
    prepay__put_u32(out + 12, 0);
    return (int)PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE;
}

int prepay_journal_commit_decode(const uint8_t *in, size_t in_len, prepay_journal_commit_t *out)
{
    if (in == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (in_len != PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE || prepay__get_u32(in + 12) != 0) {
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
    out->first_sequence = prepay__get_u64(in);
    out->record_count = prepay__get_u32(in + 8);
    return PREPAY_OK;
}

int prepay_journal_cut_encode(const prepay_journal_cut_t *cut, uint8_t *out, size_t out_cap)
{
    if (cut == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < PREPAY_JOURNAL_CUT_SIZE) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__put_u64(out, cut->offset);
    prepay__put_u64(out + 8, cut->bytes);
    prepay__put_u32(out + 16, cut->records);
    prepay__put_u32(out + 20, cut->batches);
    return (int)PREPAY_JOURNAL_CUT_SIZE;
}

int prepay_journal_cut_decode(const uint8_t *in, size_t in_len, prepay_journal_cut_t *out)
{
    if (in == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (in_len != PREPAY_JOURNAL_CUT_SIZE || prepay__get_u32(in + 20) > 1u) {
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
    out->offset = prepay__get_u64(in);
    out->bytes = prepay__get_u64(in + 8);
    out->records = prepay__get_u32(in + 16);
    out->batches = prepay__get_u32(in + 20);
    return PREPAY_OK;
}
