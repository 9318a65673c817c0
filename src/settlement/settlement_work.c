/* SPDX-License-Identifier: MIT */
/* Work memory of settlement calls: default sizes, one-buffer layout. */
#include <string.h>

#include "settlement_internal.h"


int prepay_settlement_work_sizes_default(const prepay_settlement_site_t *site, uint32_t readings,
                                         prepay_settlement_work_sizes_t *out)
{
    if (!prepay__settle_ready(site) || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(out, 0, sizeof *out);
    /* An account's saves in one call: whole with its usage record, or its balance, then its
     * books, then whole (prepay__settle_touch_balance()). */
    size_t account_whole = prepay__settle_undo_entry_size(sizeof(prepay_settlement_account_t));
    size_t account_undo = account_whole + prepay__settle_undo_entry_size(sizeof(prepay_settlement_usage_t));
    size_t account_parts = prepay__settle_undo_entry_size(sizeof(prepay__undo_balance_t)) +
                           prepay__settle_undo_entry_size(PREPAY__ACCOUNT_BOOKS_SIZE) + account_whole;
    account_undo = account_parts > account_undo ? account_parts : account_undo;
    size_t meter_undo = prepay__settle_undo_entry_size(sizeof(prepay_settlement_meter_t));
    size_t site_undo = prepay__settle_undo_entry_size(sizeof(prepay_settlement_site_t));
    out->lines = 256;
    if (readings > 0u) {
        if (readings > UINT32_MAX / 4u) {
            return PREPAY_E_OVERFLOW;
        }
        out->readings = readings;
        out->transfers = 3u * readings;
        out->events = 4u * readings;
        out->undo_bytes = (size_t)readings * (account_undo + meter_undo) + site_undo;
        return PREPAY_OK;
    }
    /* A period close: every account may be charged by every item and share, and decided on. */
    uint64_t accounts = site->account_count;
    uint64_t charges = (uint64_t)site->config.item_count * accounts * 2u + site->member_count + site->group_count;
    uint64_t transfers = 2u * charges + accounts;
    uint64_t events = 2u * charges + 8u * accounts + site->usage_count;
    if (transfers > UINT32_MAX || events > UINT32_MAX) {
        return PREPAY_E_OVERFLOW;
    }
    out->readings = 1;
    out->transfers = (uint32_t)transfers;
    out->events = (uint32_t)events;
    out->undo_bytes = (size_t)site->account_count * account_undo + (size_t)site->meter_count * meter_undo +
                      (size_t)site->group_count * prepay__settle_undo_entry_size(sizeof(prepay_settlement_group_t)) +
                      site_undo;
    out->scratch_bytes = prepay__settle_close_scratch(site);
    if (out->scratch_bytes == SIZE_MAX) {
        return PREPAY_E_OVERFLOW;
    }
    return PREPAY_OK;
}

typedef struct work_layout {
    size_t offset[10];
    size_t total;
} work_layout_t;

static bool plan(const prepay_settlement_work_sizes_t *s, work_layout_t *l)
{
    const size_t counts[10] = {s->transfers, s->transfers, s->events, s->readings, 2u * (size_t)s->readings,
                               2u * (size_t)s->readings, s->lines, s->undo_bytes, s->scratch_bytes, s->transfers};
    const size_t each[10] = {sizeof(prepay_ledger_transfer_t), sizeof(int), sizeof(prepay_settlement_event_t),
                             sizeof(int8_t), sizeof(uint64_t), sizeof(uint32_t), sizeof(prepay_tariff_line_t), 1u, 1u,
                             sizeof(uint32_t)};
    l->total = 0;
    for (size_t i = 0; i < 10u; i++) {
        l->offset[i] = l->total;
        if (counts[i] > (SIZE_MAX - 8u) / each[i]) {
            return false;
        }
        size_t bytes = (counts[i] * each[i] + 7u) & ~(size_t)7u;
        if (bytes > SIZE_MAX - l->total) {
            return false;
        }
        l->total += bytes;
    }
    return true;
}

int prepay_settlement_work_size(const prepay_settlement_work_sizes_t *sizes, size_t *bytes)
{
    if (!sizes || !bytes) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    work_layout_t l;
    if (!plan(sizes, &l)) {
        return PREPAY_E_OVERFLOW;
    }
    *bytes = l.total;
    return PREPAY_OK;
}

int prepay_settlement_work_layout(prepay_settlement_work_t *work, void *buffer, size_t size,
                                  const prepay_settlement_work_sizes_t *sizes)
{
    if (!work || !buffer || !sizes || ((uintptr_t)buffer & 7u) != 0u) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    work_layout_t l;
    if (!plan(sizes, &l)) {
        return PREPAY_E_OVERFLOW;
    }
    if (size < l.total) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    uint8_t *b = (uint8_t *)buffer;
    memset(work, 0, sizeof *work);
    work->transfers = (prepay_ledger_transfer_t *)(void *)(b + l.offset[0]);
    work->results = (int *)(void *)(b + l.offset[1]);
    work->events = (prepay_settlement_event_t *)(void *)(b + l.offset[2]);
    work->outcomes = (int8_t *)(void *)(b + l.offset[3]);
    work->keys = (uint64_t *)(void *)(b + l.offset[4]);
    work->order = (uint32_t *)(void *)(b + l.offset[5]);
    work->lines = (prepay_tariff_line_t *)(void *)(b + l.offset[6]);
    work->undo = b + l.offset[7];
    work->scratch = b + l.offset[8];
    work->debit_at = (uint32_t *)(void *)(b + l.offset[9]);
    work->sizes = *sizes;
    return PREPAY_OK;
}
