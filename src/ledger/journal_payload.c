/* SPDX-License-Identifier: MIT */
/*
 * Payloads of journal and snapshot records: transfers, accounts, account
 * closings and expiries of pending transfers, serialised field by field, little-endian, fixed widths, in the
 * declaration order of the ledger's structs (docs/journal.md). Never a
 * memcpy of a struct: the bytes do not depend on padding or endianness.
 */
#include <stddef.h>
#include <stdint.h>

#include "journal_internal.h"
#include "prepay/journal.h"

int prepay_journal_transfer_encode(const prepay_ledger_transfer_t *transfer, uint8_t *out, size_t out_cap)
{
    if (transfer == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t length = transfer->deadline != 0 ? PREPAY_JOURNAL_TRANSFER_MAX_SIZE : PREPAY_JOURNAL_TRANSFER_SIZE;
    if (out_cap < length) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__put_u64(out + 0, transfer->id);
    prepay__put_u64(out + 8, transfer->debit_account_id);
    prepay__put_u64(out + 16, transfer->credit_account_id);
    prepay__put_i64(out + 24, transfer->amount);
    prepay__put_u64(out + 32, transfer->pending_id);
    prepay__put_i64(out + 40, transfer->timestamp);
    prepay__put_u64(out + 48, transfer->meter_id);
    prepay__put_i64(out + 56, transfer->interval_start);
    prepay__put_i64(out + 64, transfer->interval_end);
    prepay__put_u64(out + 72, transfer->order_id);
    prepay__put_u64(out + 80, transfer->reference_id);
    prepay__put_u32(out + 88, transfer->tariff_version);
    prepay__put_u16(out + 92, transfer->code);
    prepay__put_u16(out + 94, transfer->flags);
    if (transfer->deadline != 0) {
        prepay__put_i64(out + 96, transfer->deadline);
    }
    return (int)length;
}

int prepay_journal_transfer_decode(const uint8_t *in, size_t in_len, prepay_ledger_transfer_t *out)
{
    if (in == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_time_t deadline = 0;
    if (in_len == PREPAY_JOURNAL_TRANSFER_MAX_SIZE) {
        deadline = prepay__get_i64(in + 96);
        if (deadline == 0) {
            return PREPAY_E_JOURNAL_BAD_RECORD; /* the short form encodes "no deadline" */
        }
    } else if (in_len != PREPAY_JOURNAL_TRANSFER_SIZE) {
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
    out->id = prepay__get_u64(in + 0);
    out->debit_account_id = prepay__get_u64(in + 8);
    out->credit_account_id = prepay__get_u64(in + 16);
    out->amount = prepay__get_i64(in + 24);
    out->pending_id = prepay__get_u64(in + 32);
    out->timestamp = prepay__get_i64(in + 40);
    out->meter_id = prepay__get_u64(in + 48);
    out->interval_start = prepay__get_i64(in + 56);
    out->interval_end = prepay__get_i64(in + 64);
    out->order_id = prepay__get_u64(in + 72);
    out->reference_id = prepay__get_u64(in + 80);
    out->tariff_version = prepay__get_u32(in + 88);
    out->code = prepay__get_u16(in + 92);
    out->flags = prepay__get_u16(in + 94);
    out->deadline = deadline;
    return PREPAY_OK;
}

int prepay_journal_account_encode(const prepay_ledger_account_t *account, uint8_t *out, size_t out_cap)
{
    if (account == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (out_cap < PREPAY_JOURNAL_ACCOUNT_SIZE) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay__put_u64(out + 0, account->id);
    prepay__put_u64(out + 8, account->emergency_account_id);
    prepay__put_u64(out + 16, account->debt_account_id);
    prepay__put_i64(out + 24, account->debits_pending);
    prepay__put_i64(out + 32, account->debits_posted);
    prepay__put_i64(out + 40, account->credits_pending);
    prepay__put_i64(out + 48, account->credits_posted);
    prepay__put_i64(out + 56, account->overdraft_limit);
    prepay__put_i64(out + 64, account->max_balance);
    prepay__put_u32(out + 72, account->item);
    prepay__put_u16(out + 76, account->kind);
    prepay__put_u16(out + 78, account->flags);
    return (int)PREPAY_JOURNAL_ACCOUNT_SIZE;
}

int prepay_journal_account_decode(const uint8_t *in, size_t in_len, prepay_ledger_account_t *out)
{
    if (in == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (in_len != PREPAY_JOURNAL_ACCOUNT_SIZE) {
        return PREPAY_E_JOURNAL_BAD_RECORD;
    }
    out->id = prepay__get_u64(in + 0);
    out->emergency_account_id = prepay__get_u64(in + 8);
    out->debt_account_id = prepay__get_u64(in + 16);
    out->debits_pending = prepay__get_i64(in + 24);
    out->debits_posted = prepay__get_i64(in + 32);
    out->credits_pending = prepay__get_i64(in + 40);
    out->credits_posted = prepay__get_i64(in + 48);
    out->overdraft_limit = prepay__get_i64(in + 56);
    out->max_balance = prepay__get_i64(in + 64);
    out->item = prepay__get_u32(in + 72);
    out->kind = prepay__get_u16(in + 76);
    out->flags = prepay__get_u16(in + 78);
    return PREPAY_OK;
}

int prepay_journal_add_transfer(prepay_journal_t *journal, const prepay_ledger_transfer_t *transfer)
{
    if (transfer == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t payload[PREPAY_JOURNAL_TRANSFER_MAX_SIZE];
    int length = prepay_journal_transfer_encode(transfer, payload, sizeof payload);
    return prepay_journal_add(journal, PREPAY_JOURNAL_RECORD_TRANSFER, payload, (size_t)length);
}

int prepay_journal_add_account(prepay_journal_t *journal, const prepay_ledger_account_t *account)
{
    if (account == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint8_t payload[PREPAY_JOURNAL_ACCOUNT_SIZE];
    (void)prepay_journal_account_encode(account, payload, sizeof payload);
    return prepay_journal_add(journal, PREPAY_JOURNAL_RECORD_ACCOUNT, payload, sizeof payload);
}

int prepay_journal_add_close(prepay_journal_t *journal, uint64_t account_id)
{
    uint8_t payload[PREPAY_JOURNAL_CLOSE_SIZE];
    prepay__put_u64(payload, account_id);
    return prepay_journal_add(journal, PREPAY_JOURNAL_RECORD_CLOSE, payload, sizeof payload);
}

int prepay_journal_add_expire(prepay_journal_t *journal, uint64_t transfer_id, prepay_time_t now)
{
    uint8_t payload[PREPAY_JOURNAL_EXPIRE_SIZE];
    prepay__put_u64(payload, transfer_id);
    prepay__put_i64(payload + 8, now);
    return prepay_journal_add(journal, PREPAY_JOURNAL_RECORD_EXPIRE, payload, sizeof payload);
}

int prepay_journal_add_app(prepay_journal_t *journal, const uint8_t *payload, size_t payload_length)
{
    if (journal == NULL || payload == NULL || payload_length == 0 || payload_length > PREPAY_JOURNAL_MAX_PAYLOAD) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return prepay_journal_add(journal, PREPAY_JOURNAL_RECORD_APP, payload, payload_length);
}
