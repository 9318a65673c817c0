/* SPDX-License-Identifier: MIT */
/*
 * Payment orders: an order is the PENDING ledger transfer clearing -> wallet
 * whose id is the order id (settlement ledger key, kind 16). Creating,
 * looking up, and applying a channel's notify or query answer: post through
 * prepay_settlement_recharge() (the settlement hook), or void.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/payment.h"
#include "prepay/settlement.h"

int prepay_payment_order_id(uint32_t account_id, uint32_t number, uint64_t *out)
{
    if (out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (number == 0u) {
        return PREPAY_E_PAYMENT_FIELD;
    }
    prepay_settlement_id_t id;
    int status = prepay_settlement_id_make(PREPAY_PAYMENT_KIND_PENDING, account_id, number, 0, &id);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay_settlement_ledger_key(&id, out);
}

/* The order's (account, number) from its id, if the id is an order id at all. */
static bool split_order_id(uint64_t order_id, uint32_t *account_id, uint32_t *number)
{
    prepay_settlement_id_t id;
    if (prepay_settlement_ledger_key_split(order_id, &id) != PREPAY_OK) {
        return false;
    }
    unsigned kind = 0;
    prepay_settlement_id_split(&id, &kind, account_id, number, NULL);
    return kind == PREPAY_PAYMENT_KIND_PENDING && *number != 0u;
}

int prepay_payment_lookup(const prepay_ledger_t *ledger, uint64_t order_id, prepay_payment_info_t *out)
{
    if (ledger == NULL || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t account_id = 0;
    uint32_t number = 0;
    if (!split_order_id(order_id, &account_id, &number)) {
        return PREPAY_E_PAYMENT_UNKNOWN_ORDER;
    }
    const prepay_ledger_entry_t *entry = prepay_ledger_lookup(ledger, order_id);
    if (entry == NULL || (entry->transfer.flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u ||
        entry->transfer.order_id != order_id) {
        return PREPAY_E_PAYMENT_UNKNOWN_ORDER;
    }
    prepay_payment_info_t info;
    memset(&info, 0, sizeof info);
    info.order_id = order_id;
    info.account_id = account_id;
    info.number = number;
    info.amount = entry->transfer.amount;
    info.created = entry->transfer.timestamp;
    info.deadline = entry->transfer.deadline;
    switch (entry->state) {
    case PREPAY_LEDGER_STATE_POSTED:
        info.state = PREPAY_PAYMENT_PAID;
        break;
    case PREPAY_LEDGER_STATE_VOIDED:
        info.state = PREPAY_PAYMENT_VOIDED;
        break;
    case PREPAY_LEDGER_STATE_EXPIRED:
        info.state = PREPAY_PAYMENT_EXPIRED;
        break;
    default:
        info.state = PREPAY_PAYMENT_CREATED;
        break;
    }
    if (entry->resolved_by != 0u) {
        const prepay_ledger_entry_t *by = prepay_ledger_entry_at(ledger, entry->resolved_by - 1u);
        if (by != NULL) {
            info.resolved = by->transfer.timestamp;
            info.resolved_by = by->transfer.id;
        }
    }
    *out = info;
    return PREPAY_OK;
}

/* Applies one transfer (journal: staged, not committed yet). Returns the ledger's result. */
static int stage_one(const prepay_settlement_books_t *books, const prepay_ledger_transfer_t *t)
{
    int result = PREPAY_OK;
    int status = books->journal != NULL ? prepay_journal_stage(books->journal, books->ledger, t, 1, &result)
                                        : prepay_ledger_apply(books->ledger, t, 1, &result);
    return status < 0 ? status : result;
}

/* A refused order transfer: journal failures stay themselves; a taken id is a conflict; the rest is BOOKS. */
static int books_error(int applied)
{
    if (applied < 0 && PREPAY_STATUS_MODULE(applied) == PREPAY_MODULE_JOURNAL) {
        return applied;
    }
    if (applied == PREPAY_LEDGER_EXISTS || (applied <= PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS &&
                                            applied >= PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE)) {
        return PREPAY_E_PAYMENT_CONFLICT;
    }
    return PREPAY_E_PAYMENT_BOOKS;
}

int prepay_payment_create(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                          const prepay_payment_order_t *order, prepay_payment_result_t *result)
{
    if (site == NULL || books == NULL || books->ledger == NULL || order == NULL || result == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(result, 0, sizeof *result);
    if (order->amount <= 0 || order->deadline <= order->created || order->number == 0u) {
        return PREPAY_E_PAYMENT_FIELD;
    }
    if (prepay_settlement_account(site, order->account_id) == NULL) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
    }
    uint64_t order_id = 0;
    int status = prepay_payment_order_id(order->account_id, order->number, &order_id);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_payment_info_t existing;
    if (prepay_payment_lookup(books->ledger, order_id, &existing) == PREPAY_OK) {
        result->order = existing;
        if (existing.amount != order->amount || existing.created != order->created ||
            existing.deadline != order->deadline) {
            return PREPAY_E_PAYMENT_CONFLICT;
        }
        return PREPAY_PAYMENT_DUPLICATE;
    }
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = order_id;
    t.debit_account_id = prepay_settlement_ledger_account_id(0, PREPAY_SETTLEMENT_SITE_CLEARING);
    t.credit_account_id = prepay_settlement_ledger_account_id(order->account_id, PREPAY_SETTLEMENT_ROLE_WALLET);
    t.amount = order->amount;
    t.timestamp = order->created;
    t.deadline = order->deadline;
    t.order_id = order_id;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    t.flags = PREPAY_LEDGER_TRANSFER_PENDING;
    int applied = stage_one(books, &t);
    if (applied != PREPAY_OK) {
        if (books->journal != NULL && applied != PREPAY_LEDGER_EXISTS) {
            (void)prepay_journal_rollback(books->journal);
        }
        result->error_detail = applied;
        return books_error(applied);
    }
    if (books->journal != NULL) {
        status = prepay_journal_commit(books->journal);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return prepay_payment_lookup(books->ledger, order_id, &result->order);
}

/* The FAILED event of a voided order: deterministic id (kind 64 + 32; account; time; order number). */
static void emit_failed(prepay_settlement_site_t *site, prepay_settlement_work_t *work,
                        const prepay_payment_info_t *order, uint64_t void_id, prepay_time_t time)
{
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    uint32_t period = time > 0 && time <= (prepay_time_t)UINT32_MAX ? (uint32_t)time : 0u;
    (void)prepay_settlement_id_make(PREPAY_SETTLEMENT_KIND_EVENT + PREPAY_PAYMENT_EVENT_FAILED, order->account_id,
                                    period, order->number, &e.id);
    e.time = time;
    const prepay_settlement_account_t *account = prepay_settlement_account(site, order->account_id);
    e.balance = account != NULL ? account->books.balance : 0;
    e.amount = order->amount;
    e.detail = (prepay_money_t)order->number;
    e.transfer_id = void_id;
    e.account_id = order->account_id;
    e.type = PREPAY_PAYMENT_EVENT_FAILED;
    work->event_count = 1;
    if (work->sizes.events > 0u && work->events != NULL) {
        work->events[0] = e;
    }
    if (work->sink.event != NULL) {
        work->sink.event(work->sink.context, &e);
    }
}

static int void_order(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                      prepay_settlement_work_t *work, const prepay_payment_notify_t *notify,
                      prepay_payment_result_t *result)
{
    const prepay_payment_info_t *order = &result->order;
    prepay_settlement_id_t id;
    uint64_t void_id = 0;
    int status = prepay_settlement_id_make(PREPAY_PAYMENT_KIND_VOID, order->account_id, order->number, 0, &id);
    if (status == PREPAY_OK) {
        status = prepay_settlement_ledger_key(&id, &void_id);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = void_id;
    t.amount = order->amount;
    t.pending_id = order->order_id;
    t.timestamp = notify->time;
    t.order_id = order->order_id;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    t.flags = PREPAY_LEDGER_TRANSFER_VOID_PENDING;
    int applied = stage_one(books, &t);
    if (applied != PREPAY_OK) {
        if (books->journal != NULL) {
            (void)prepay_journal_rollback(books->journal);
        }
        result->error_detail = applied;
        return applied == PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED ? PREPAY_E_PAYMENT_CLOSED : PREPAY_E_PAYMENT_BOOKS;
    }
    work->event_count = 0;
    emit_failed(site, work, order, void_id, notify->time);
    if (books->journal != NULL) {
        status = prepay_journal_commit(books->journal);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return prepay_payment_lookup(books->ledger, order->order_id, &result->order);
}

static int post_order(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                      prepay_settlement_work_t *work, const prepay_payment_notify_t *notify,
                      prepay_payment_result_t *result)
{
    const prepay_settlement_account_t *account = prepay_settlement_account(site, result->order.account_id);
    if (account == NULL) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
    }
    prepay_settlement_recharge_t r;
    memset(&r, 0, sizeof r);
    r.account_id = result->order.account_id;
    r.sequence = account->recharges + 1u;
    r.amount = result->order.amount;
    r.order_id = result->order.order_id;
    r.pending_id = result->order.order_id;
    r.time = notify->time;
    prepay_settlement_result_t settled;
    int status = prepay_settlement_recharge(site, books, work, &r, &result->split, &settled);
    if (status < 0) {
        result->error_detail = settled.error_detail != 0 ? settled.error_detail : status;
        if (result->error_detail == PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED) {
            return PREPAY_E_PAYMENT_CLOSED;
        }
        if (status == PREPAY_E_SETTLEMENT_BOOKS) {
            return PREPAY_E_PAYMENT_BOOKS;
        }
        return status;
    }
    return prepay_payment_lookup(books->ledger, result->order.order_id, &result->order);
}

/*
 * A paid notify for a paid order: the ledger has the post (a RECHARGE key
 * whose period is the recharge sequence). Handing that sequence to
 * prepay_settlement_recharge() returns the recorded split and changes
 * nothing when the site has seen it, and lets a site rebuilt after a crash
 * catch up (its transfers all EXIST) when it has not: inputs re-run in
 * their order give the books of an uninterrupted run.
 */
static int repeat_paid(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                       prepay_settlement_work_t *work, const prepay_payment_notify_t *notify,
                       prepay_payment_result_t *result)
{
    prepay_settlement_id_t post;
    unsigned kind = 0;
    uint32_t sequence = 0;
    if (prepay_settlement_ledger_key_split(result->order.resolved_by, &post) == PREPAY_OK) {
        prepay_settlement_id_split(&post, &kind, NULL, &sequence, NULL);
    }
    if (kind != PREPAY_SETTLEMENT_KIND_RECHARGE || sequence == 0u) {
        result->split.status = PREPAY_LEDGER_EXISTS; /* posted by someone else: nothing to replay */
        return PREPAY_PAYMENT_DUPLICATE;
    }
    prepay_settlement_recharge_t r;
    memset(&r, 0, sizeof r);
    r.account_id = result->order.account_id;
    r.sequence = sequence;
    r.amount = result->order.amount;
    r.order_id = result->order.order_id;
    r.pending_id = result->order.order_id;
    r.time = result->order.resolved;
    (void)notify;
    prepay_settlement_result_t settled;
    int status = prepay_settlement_recharge(site, books, work, &r, &result->split, &settled);
    if (status < 0) {
        result->error_detail = settled.error_detail != 0 ? settled.error_detail : status;
        return status == PREPAY_E_SETTLEMENT_BOOKS ? PREPAY_E_PAYMENT_BOOKS : status;
    }
    result->split.status = PREPAY_LEDGER_EXISTS;
    return PREPAY_PAYMENT_DUPLICATE;
}

int prepay_payment_notify(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                          prepay_settlement_work_t *work, const prepay_payment_notify_t *notify,
                          prepay_payment_result_t *result)
{
    if (site == NULL || books == NULL || books->ledger == NULL || work == NULL || notify == NULL || result == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(result, 0, sizeof *result);
    if (notify->status < PREPAY_PAYMENT_CHANNEL_PAID || notify->status > PREPAY_PAYMENT_CHANNEL_WAITING) {
        return PREPAY_E_PAYMENT_FIELD;
    }
    int status = prepay_payment_lookup(books->ledger, notify->order_id, &result->order);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_payment_info_t *order = &result->order;
    /* A failure notify may carry 0 (the channel collected nothing); any other amount must be the order's. */
    bool amount_ok = notify->amount == order->amount ||
                     (notify->status != PREPAY_PAYMENT_CHANNEL_PAID && notify->amount == 0);
    if (!amount_ok) {
        result->expected = order->amount;
        result->notified = notify->amount;
        return PREPAY_E_PAYMENT_AMOUNT_MISMATCH;
    }
    switch (notify->status) {
    case PREPAY_PAYMENT_CHANNEL_WAITING:
        return PREPAY_OK;
    case PREPAY_PAYMENT_CHANNEL_PAID:
        if (order->state == PREPAY_PAYMENT_PAID) {
            return repeat_paid(site, books, work, notify, result);
        }
        if (order->state != PREPAY_PAYMENT_CREATED) {
            return PREPAY_E_PAYMENT_CLOSED;
        }
        return post_order(site, books, work, notify, result);
    default: /* FAILED */
        if (order->state == PREPAY_PAYMENT_PAID) {
            return PREPAY_E_PAYMENT_ALREADY_PAID;
        }
        if (order->state == PREPAY_PAYMENT_VOIDED) {
            /* Raise the same FAILED event again (its id comes from the void's time, not this notify's): a site
             * rebuilt from its inputs regenerates its events as readings and recharges do; consumers and the
             * outbox dedupe by id. With a journal, an outbox stages its record in a batch of its own. */
            work->event_count = 0;
            emit_failed(site, work, order, order->resolved_by, order->resolved);
            if (books->journal != NULL) {
                status = prepay_journal_commit(books->journal);
                if (status != PREPAY_OK) {
                    return status;
                }
            }
        }
        if (order->state != PREPAY_PAYMENT_CREATED) {
            return PREPAY_PAYMENT_DUPLICATE;
        }
        return void_order(site, books, work, notify, result);
    }
}
