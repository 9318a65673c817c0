/* SPDX-License-Identifier: MIT */
/*
 * One settlement call: the undo log that makes a failed call change nothing,
 * the transfers and events it collects, and its end: apply the transfers as
 * one linked chain (all or nothing), hand the events to the sink, commit.
 */
#include <string.h>

#include "settlement_internal.h"

/* Where the saved part of a record starts: meters and groups change only after their
 * configuration (a replacement also changes a meter's, and saves it whole); an account is
 * saved whole, its configuration lying between what a reading changes and what recharges,
 * statements and shared ladders change. */
static size_t record_from(unsigned type)
{
    switch (type) {
    case PREPAY__UNDO_METER: return PREPAY__METER_UNDO_FROM;
    case PREPAY__UNDO_GROUP: return offsetof(prepay_settlement_group_t, stream);
    default: return 0;
    }
}

static size_t record_size(unsigned type)
{
    switch (type) {
    case PREPAY__UNDO_SITE: return sizeof(prepay_settlement_site_t);
    case PREPAY__UNDO_ACCOUNT: return sizeof(prepay_settlement_account_t) - record_from(type);
    case PREPAY__UNDO_METER: return PREPAY__METER_UNDO_SIZE;
    case PREPAY__UNDO_METER_FULL: return sizeof(prepay_settlement_meter_t);
    case PREPAY__UNDO_GROUP: return sizeof(prepay_settlement_group_t) - record_from(type);
    case PREPAY__UNDO_USAGE: return sizeof(prepay_settlement_usage_t);
    case PREPAY__UNDO_ACCOUNT_BOOKS: return PREPAY__ACCOUNT_BOOKS_SIZE;
    case PREPAY__UNDO_ACCOUNT_BALANCE: return sizeof(prepay__undo_balance_t);
    default: return 0;
    }
}

static void *record_of(prepay_settlement_site_t *site, unsigned type, uint32_t index)
{
    switch (type) {
    case PREPAY__UNDO_SITE: return site;
    case PREPAY__UNDO_ACCOUNT: return (uint8_t *)&site->memory.accounts[index] + record_from(type);
    case PREPAY__UNDO_METER: return (uint8_t *)&site->memory.meters[index] + record_from(type);
    case PREPAY__UNDO_METER_FULL: return &site->memory.meters[index];
    case PREPAY__UNDO_GROUP: return (uint8_t *)&site->memory.groups[index] + record_from(type);
    case PREPAY__UNDO_USAGE: return &site->memory.usage[index];
    default: return NULL;
    }
}

static size_t entry_size(unsigned type)
{
    return prepay__settle_undo_entry_size(record_size(type));
}

static void forget_marks(prepay_settlement_site_t *site)
{
    for (uint32_t i = 0; i < site->account_count; i++) {
        site->memory.accounts[i].mark = 0;
    }
    for (uint32_t i = 0; i < site->meter_count; i++) {
        site->memory.meters[i].mark = 0;
    }
    for (uint32_t i = 0; i < site->group_count; i++) {
        site->memory.groups[i].mark = 0;
    }
}

void prepay__settle_begin(prepay__settle_call_t *call, prepay_settlement_site_t *site,
                          const prepay_settlement_books_t *books, prepay_settlement_work_t *work,
                          prepay_settlement_result_t *result)
{
    call->site = site;
    call->books = books;
    call->work = work;
    call->result = result;
    call->transfers = 0;
    call->events = 0;
    call->deliver = NULL;
    call->deliver_context = NULL;
    memset(result, 0, sizeof *result);
    result->error_index = PREPAY_SETTLEMENT_NONE;
    work->undo_used = 0;
    work->transfer_count = 0;
    work->event_count = 0;
    site->generation++;
    if (site->generation == 0u || site->generation >= PREPAY__MARK_BALANCE) {
        /* Once in 2^30 calls: no mark may equal a reused generation (nor one with
         * PREPAY__MARK_BOOKS or PREPAY__MARK_BALANCE). */
        forget_marks(site);
        site->generation = 1u;
    }
}

int prepay__settle_touch(prepay__settle_call_t *call, unsigned type, uint32_t index)
{
    prepay_settlement_site_t *site = call->site;
    uint32_t *mark = NULL;
    switch (type) {
    case PREPAY__UNDO_ACCOUNT: mark = &site->memory.accounts[index].mark; break;
    case PREPAY__UNDO_METER:
    case PREPAY__UNDO_METER_FULL: mark = &site->memory.meters[index].mark; break;
    case PREPAY__UNDO_GROUP: mark = &site->memory.groups[index].mark; break;
    default: break;
    }
    if (mark && *mark == site->generation) {
        return PREPAY_OK; /* saved earlier in this call */
    }
    prepay_settlement_work_t *work = call->work;
    size_t need = entry_size(type);
    uint32_t usage = PREPAY_SETTLEMENT_NONE;
    if (type == PREPAY__UNDO_ACCOUNT) {
        usage = site->memory.accounts[index].usage;
        if (usage != PREPAY_SETTLEMENT_NONE) {
            need += entry_size(PREPAY__UNDO_USAGE);
        }
    }
    if (need > work->sizes.undo_bytes - work->undo_used) {
        return PREPAY_E_BUFFER_TOO_SMALL; /* both entries or neither: the appends below fit */
    }
    memcpy(prepay__settle_undo_append(call, type, index, record_size(type)), record_of(site, type, index),
           record_size(type));
    if (usage != PREPAY_SETTLEMENT_NONE) {
        memcpy(prepay__settle_undo_append(call, PREPAY__UNDO_USAGE, usage, sizeof site->memory.usage[usage]),
               &site->memory.usage[usage], sizeof site->memory.usage[usage]);
    }
    if (mark) {
        *mark = site->generation;
    }
    return PREPAY_OK;
}

/* Restores every account entry of one partial type (books or balance) in the log. */
static void restore_parts(prepay_settlement_site_t *site, const prepay_settlement_work_t *work, unsigned type)
{
    for (size_t at = 0; at < work->undo_used;) {
        prepay__undo_header_t h;
        memcpy(&h, work->undo + at, sizeof h);
        if (h.type == type) {
            prepay_settlement_account_t *a = &site->memory.accounts[h.index];
            const uint8_t *saved = work->undo + at + sizeof h;
            if (type == PREPAY__UNDO_ACCOUNT_BOOKS) {
                memcpy(a, saved, PREPAY__ACCOUNT_BOOKS_SIZE);
            } else {
                prepay__undo_balance_t before;
                memcpy(&before, saved, sizeof before);
                a->books.balance = before.balance;
                a->books.energy = before.energy;
                a->mark = before.mark;
            }
        }
        at += entry_size(h.type);
    }
}

void prepay__settle_undo(prepay__settle_call_t *call)
{
    prepay_settlement_work_t *work = call->work;
    prepay_settlement_site_t *site = call->site;
    /* Each record was saved once, before its first change: order does not matter,
     * except that the site record must not be overwritten by later entries'
     * lookups, so it is restored last; and that an account saved in part may have
     * been saved again later, more of it, after the saved part changed: its
     * balance (PREPAY__UNDO_ACCOUNT_BALANCE), then its books
     * (PREPAY__UNDO_ACCOUNT_BOOKS), then whole. So whole records first, then books
     * entries, then balance entries: each puts back the state before its own save,
     * and the earliest save of an account is restored last. */
    size_t site_at = SIZE_MAX;
    bool books = false;
    bool balances = false;
    for (size_t at = 0; at < work->undo_used;) {
        prepay__undo_header_t h;
        memcpy(&h, work->undo + at, sizeof h);
        if (h.type == PREPAY__UNDO_SITE) {
            site_at = at;
        } else if (h.type == PREPAY__UNDO_ACCOUNT_BOOKS) {
            books = true;
        } else if (h.type == PREPAY__UNDO_ACCOUNT_BALANCE) {
            balances = true;
        } else {
            memcpy(record_of(site, h.type, h.index), work->undo + at + sizeof h, record_size(h.type));
        }
        at += entry_size(h.type);
    }
    if (books) {
        restore_parts(site, work, PREPAY__UNDO_ACCOUNT_BOOKS);
    }
    if (balances) {
        restore_parts(site, work, PREPAY__UNDO_ACCOUNT_BALANCE);
    }
    if (site_at != SIZE_MAX) {
        memcpy(site, work->undo + site_at + sizeof(prepay__undo_header_t), sizeof *site);
    }
    work->undo_used = 0;
    work->transfer_count = 0;
    work->event_count = 0;
    call->transfers = 0;
    call->events = 0;
}

int prepay__settle_fail(prepay__settle_call_t *call, int status, uint32_t index, uint32_t id, int detail)
{
    prepay__settle_undo(call);
    prepay_settlement_result_t *r = call->result;
    uint32_t count = r->count;
    memset(r, 0, sizeof *r);
    r->count = count;
    r->error_index = index;
    r->error_id = id;
    r->error_detail = detail;
    return status;
}

int prepay__settle_push(prepay__settle_call_t *call, const prepay_ledger_transfer_t *transfer)
{
    prepay_settlement_work_t *work = call->work;
    if (call->transfers >= work->sizes.transfers) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    work->debit_at[call->transfers] = 0u;
    work->transfers[call->transfers++] = *transfer;
    prepay_money_t amount = transfer->amount;
    call->result->posted += amount;
    return PREPAY_OK;
}

int prepay__settle_emit(prepay__settle_call_t *call, prepay_settlement_event_t *event, unsigned type,
                        uint32_t subject, prepay_time_t time, uint64_t sequence)
{
    prepay_settlement_work_t *work = call->work;
    if (call->events >= work->sizes.events) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    event->type = (uint16_t)type;
    event->time = time;
    (void)prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_EVENT + type, subject, (uint32_t)time, sequence,
                                    &event->id);
    work->events[call->events++] = *event;
    return PREPAY_OK;
}

/* The transfer at fault in a refused chain: the member whose own result is not LINKED_EVENT_FAILED. */
static size_t refused_member(const int *results, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (results[i] < 0 && results[i] != PREPAY_E_LEDGER_LINKED_EVENT_FAILED) {
            return i;
        }
    }
    return 0;
}

int prepay__settle_finish(prepay__settle_call_t *call)
{
    prepay_settlement_work_t *work = call->work;
    const prepay_settlement_books_t *books = call->books;
    prepay_settlement_result_t *r = call->result;
    size_t n = call->transfers;
    int status;
    if (books->journal) {
        /* Writable, no open batch: checked before anything reaches the ledger. */
        status = prepay_journal_stage(books->journal, books->ledger, NULL, 0, NULL);
        if (status < 0) {
            return prepay__settle_fail(call, status, PREPAY_SETTLEMENT_NONE, 0, status);
        }
    }
    if (n > 0u) {
        for (size_t i = 0; i + 1u < n; i++) {
            work->transfers[i].flags |= PREPAY_LEDGER_TRANSFER_LINKED;
        }
        work->transfers[n - 1u].flags &= (uint16_t)~PREPAY_LEDGER_TRANSFER_LINKED;
        int applied = prepay_ledger_apply_at(books->ledger, work->transfers, n, work->debit_at, work->results);
        if (applied < 0) {
            return prepay__settle_fail(call, applied, PREPAY_SETTLEMENT_NONE, 0, applied);
        }
        if (work->results[n - 1u] < 0 || work->results[0] < 0) {
            size_t bad = refused_member(work->results, n);
            const prepay_ledger_transfer_t *t = &work->transfers[bad];
            uint32_t id = t->meter_id != 0u ? (uint32_t)t->meter_id : (uint32_t)(t->debit_account_id >> 8);
            return prepay__settle_fail(call, PREPAY_E_SETTLEMENT_BOOKS, PREPAY_SETTLEMENT_NONE, id,
                                       work->results[bad]);
        }
        r->transfers = (uint32_t)applied;
        r->existed = (uint32_t)(n - (size_t)applied);
        if (books->journal) {
            for (size_t i = 0; i < n; i++) {
                if (work->results[i] == PREPAY_OK) {
                    status = prepay_journal_add_transfer(books->journal, &work->transfers[i]);
                    if (status != PREPAY_OK) {
                        /* The ledger in memory is ahead of the journal: recover (journal.h). */
                        return status;
                    }
                }
            }
        }
    }
    work->transfer_count = (uint32_t)n;
    work->event_count = call->events;
    r->events = call->events;
    if (work->sink.event) {
        for (uint32_t i = 0; i < call->events; i++) {
            work->sink.event(work->sink.context, &work->events[i]);
        }
    }
    if (call->deliver) {
        call->deliver(call, call->deliver_context);
    }
    if (books->journal) {
        status = prepay_journal_commit(books->journal);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    work->undo_used = 0;
    return PREPAY_OK;
}
