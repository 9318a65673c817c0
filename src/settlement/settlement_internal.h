/* SPDX-License-Identifier: MIT */
/*
 * Internal: shared state of one settlement call (undo log, transfers,
 * events), id indexes, and the steps the public functions are made of.
 * See include/prepay/settlement.h and docs/settlement.md.
 */
#ifndef PREPAY_SETTLEMENT_INTERNAL_H
#define PREPAY_SETTLEMENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "prepay/settlement.h"

#define PREPAY__SETTLE_MAGIC 0x53544C45u

/* Meter flags (prepay_settlement_meter::flags). */
#define PREPAY__METER_PRIMED 0x01u
#define PREPAY__METER_REPLACED 0x02u
/* Its account's books are open (a copy of the account's `opened`, set with it by
 * prepay_settlement_open() and prepay_settlement_add_meter()): checking a reading then
 * need not read the account record. */
#define PREPAY__METER_OPEN 0x04u

/* Meter roles. */
#define PREPAY__ROLE_NONE 0u
#define PREPAY__ROLE_MASTER 1u
#define PREPAY__ROLE_MEMBER 2u

/* Causes: the high 8 bits of an event's 56-bit sequence say what raised it,
 * the low 32 bits which one (docs/settlement.md, "Event ids"). */
#define PREPAY__CAUSE_READING 1u  /* meter id */
#define PREPAY__CAUSE_RECHARGE 2u /* recharge sequence */
#define PREPAY__CAUSE_SHARE 3u    /* group number */
#define PREPAY__CAUSE_CHARGE 4u   /* item id << 16 | occurrence */
#define PREPAY__CAUSE_COMMAND 5u  /* the account's command count */
#define PREPAY__CAUSE_REPLACE 6u  /* meter id */
#define PREPAY__CAUSE_CLOSE 7u    /* periods closed before */
#define PREPAY__CAUSE_REFUND 8u   /* refund sequence */
#define PREPAY__CAUSE_SALE 9u     /* sale sequence */

static inline uint64_t prepay__settle_cause(unsigned cls, uint32_t id)
{
    return (uint64_t)cls << 48 | (uint64_t)id;
}

/* Undo log entry types. */
#define PREPAY__UNDO_SITE 1u
#define PREPAY__UNDO_ACCOUNT 2u
#define PREPAY__UNDO_METER 3u
#define PREPAY__UNDO_GROUP 4u
#define PREPAY__UNDO_USAGE 5u
#define PREPAY__UNDO_METER_FULL 6u /* configuration included (replacements) */
#define PREPAY__UNDO_ACCOUNT_BOOKS 7u /* a prepaid account's books and last members only (readings) */
#define PREPAY__UNDO_ACCOUNT_BALANCE 8u /* a prepaid account's balance, energy total and mark (quiet readings) */

/* Marks: a record saved whole in this call has mark == generation; a prepaid account whose
 * books alone were saved (PREPAY__UNDO_ACCOUNT_BOOKS) has generation | PREPAY__MARK_BOOKS; one
 * whose balance alone was saved (PREPAY__UNDO_ACCOUNT_BALANCE), generation | PREPAY__MARK_BALANCE.
 * Generations stay below PREPAY__MARK_BALANCE (prepay__settle_begin()). */
#define PREPAY__MARK_BOOKS 0x80000000u
#define PREPAY__MARK_BALANCE 0x40000000u
#define PREPAY__MARK_PARTS (PREPAY__MARK_BOOKS | PREPAY__MARK_BALANCE)

/* The part of an account record that charging it and deciding its wallet change, unless it is
 * postpaid (period totals, usage) or shares a ladder (ladder counters): the record's front, from
 * `books` to `relay` (sequences, mark, wallet position, wallet state, relay), before its
 * configuration. A reading reads that and the configuration's first members (id, kind, policy):
 * PREPAY__ACCOUNT_HOT_SIZE bytes from the record's start. */
#define PREPAY__ACCOUNT_BOOKS_SIZE offsetof(prepay_settlement_account_t, config)
#define PREPAY__ACCOUNT_HOT_SIZE (offsetof(prepay_settlement_account_t, config) + 8u)
_Static_assert(offsetof(prepay_settlement_account_t, books) == 0u, "books start the account record");
_Static_assert(offsetof(prepay_settlement_account_t, relay) < offsetof(prepay_settlement_account_t, config),
               "what a reading changes comes before the configuration");
_Static_assert(offsetof(prepay_settlement_account_config_t, policy) + 2u <= 8u,
               "id, kind and policy are the configuration's first 8 bytes");

/* The part of a meter record the undo log saves (PREPAY__UNDO_METER): from `account` to `mark`,
 * what settling a reading or closing a period changes; a replacement saves the record whole
 * first (PREPAY__UNDO_METER_FULL), as it also changes the configuration and the replacement. */
#define PREPAY__METER_UNDO_FROM offsetof(prepay_settlement_meter_t, account)
#define PREPAY__METER_UNDO_SIZE (offsetof(prepay_settlement_meter_t, replaced_at) - PREPAY__METER_UNDO_FROM)
/* What a reading reads of a meter record: its first PREPAY__METER_HOT_SIZE bytes. */
#define PREPAY__METER_HOT_SIZE offsetof(prepay_settlement_meter_t, replaced_at)
_Static_assert(offsetof(prepay_settlement_meter_t, account) == sizeof(prepay_settlement_meter_config_t) &&
                   offsetof(prepay_settlement_meter_t, mark) < offsetof(prepay_settlement_meter_t, replaced_at),
               "a meter record: configuration, then what a reading changes, then the rest");

/* One call: where its transfers and events go, and how to undo it. */
typedef struct prepay__settle_call prepay__settle_call_t;
struct prepay__settle_call {
    prepay_settlement_site_t *site;
    const prepay_settlement_books_t *books;
    prepay_settlement_work_t *work;
    prepay_settlement_result_t *result;
    uint32_t transfers; /* transfers pushed */
    uint32_t events;    /* events pushed */
    /* Called by finish() after the events, before the commit (statements). */
    void (*deliver)(prepay__settle_call_t *call, void *context);
    void *deliver_context;
};

static inline bool prepay__settle_ready(const prepay_settlement_site_t *site)
{
    return site != (const prepay_settlement_site_t *)0 && site->magic == PREPAY__SETTLE_MAGIC;
}

/* ---- indexes (settlement_site.c) ---- */
/* The hash of the id indexes (open addressing, linear probing, slot = index + 1). */
static inline uint32_t prepay__settle_hash32(uint32_t key)
{
    uint32_t h = key * 0x9E3779B1u;
    return h ^ (h >> 15);
}

/* A prefetch hint (no effect on any result), as PREPAY__LEDGER_PREFETCH: nothing on compilers
 * without it nor on M-profile ARM cores (mostly no data cache to fill). Used in the body of a
 * function that changes state (GCC deems a function whose only effect is a prefetch pure). */
#if (defined(__GNUC__) || defined(__clang__)) && !(defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M')
#define PREPAY__SETTLE_PREFETCH(address) __builtin_prefetch((address), 0, 3)
#define PREPAY__SETTLE_PREFETCH_WRITE(address) __builtin_prefetch((address), 1, 3)
#else
#define PREPAY__SETTLE_PREFETCH(address) ((void)(address))
#define PREPAY__SETTLE_PREFETCH_WRITE(address) ((void)(address))
#endif

/* Sites from this many meters on prefetch records ahead while settling readings: their meter
 * and account records no longer fit in the core's caches, so each reading would otherwise wait
 * for several DRAM misses in turn (bench_settlement, 100 000 meters); on smaller sites the
 * hints only cost instructions. */
#define PREPAY__SETTLE_PREFETCH_METERS 2048u
uint32_t prepay__settle_find_account(const prepay_settlement_site_t *site, uint32_t id);
uint32_t prepay__settle_find_meter(const prepay_settlement_site_t *site, uint32_t id);
uint32_t prepay__settle_find_address(const prepay_settlement_site_t *site, const prepay_dlt645_address_t *address);
uint32_t prepay__settle_find_group(const prepay_settlement_site_t *site, uint32_t number);

/* ---- a call (settlement_call.c) ---- */
void prepay__settle_begin(prepay__settle_call_t *call, prepay_settlement_site_t *site,
                          const prepay_settlement_books_t *books, prepay_settlement_work_t *work,
                          prepay_settlement_result_t *result);
/* Saves a record in the undo log before its first change in this call. */
int prepay__settle_touch(prepay__settle_call_t *call, unsigned type, uint32_t index);

/* An undo log entry: this header (the record's type and index), then the saved bytes, padded
 * to 8 bytes. */
typedef struct prepay__undo_header {
    uint32_t type;
    uint32_t index;
} prepay__undo_header_t;

/* Bytes of log an entry of `size` saved bytes takes. */
static inline size_t prepay__settle_undo_entry_size(size_t size)
{
    return (sizeof(prepay__undo_header_t) + size + 7u) & ~(size_t)7u;
}

/* Appends an undo entry of `size` saved bytes and returns where they go, or NULL when the log
 * is full (nothing written). prepay__settle_touch() and the hot saves below all append here. */
static inline uint8_t *prepay__settle_undo_append(prepay__settle_call_t *call, uint32_t type, uint32_t index,
                                                  size_t size)
{
    prepay_settlement_work_t *work = call->work;
    size_t need = prepay__settle_undo_entry_size(size);
    if (need > work->sizes.undo_bytes - work->undo_used) {
        return (uint8_t *)0;
    }
    uint8_t *at = work->undo + work->undo_used;
    const prepay__undo_header_t header = {type, index};
    memcpy(at, &header, sizeof header);
    work->undo_used += need;
    return at + sizeof header;
}

/* Whether an account is saved whole by every save (its usage record with it): a postpaid
 * account, or one with a usage record, changes more than its books with any charge. */
static inline bool prepay__settle_account_saved_whole(const prepay_settlement_account_t *a)
{
    return a->usage != PREPAY_SETTLEMENT_NONE || a->config.kind == PREPAY_SETTLEMENT_POSTPAID;
}

/* The hot cases of prepay__settle_touch(), inline with constant sizes: a meter, an account
 * without usage record. */
static inline int prepay__settle_touch_meter(prepay__settle_call_t *call, uint32_t index)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_meter_t *m = &site->memory.meters[index];
    if (m->mark == site->generation) {
        return PREPAY_OK;
    }
    enum { FROM = PREPAY__METER_UNDO_FROM, SIZE = PREPAY__METER_UNDO_SIZE };
    uint8_t *saved = prepay__settle_undo_append(call, PREPAY__UNDO_METER, index, SIZE);
    if (!saved) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memcpy(saved, (const uint8_t *)m + FROM, SIZE);
    m->mark = site->generation;
    return PREPAY_OK;
}

/* Saves what a charge and a wallet decision change (callers change nothing else of the account):
 * of a prepaid account, its books and last members only (PREPAY__UNDO_ACCOUNT_BOOKS, about half
 * the record: less to copy and fewer cache lines to fetch per reading); of a postpaid one, the
 * record and its usage. Anything that changes other members of a prepaid account (a shared
 * ladder's counters, a recharge, a statement) saves it whole first with prepay__settle_touch(). */
static inline int prepay__settle_touch_account(prepay__settle_call_t *call, uint32_t index)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_account_t *a = &site->memory.accounts[index];
    if ((a->mark & ~PREPAY__MARK_BOOKS) == site->generation) {
        return PREPAY_OK; /* saved whole, or its books, earlier in this call (its balance alone
                           * is not enough: the books are saved over it) */
    }
    if (prepay__settle_account_saved_whole(a)) {
        return prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, index);
    }
    uint8_t *saved = prepay__settle_undo_append(call, PREPAY__UNDO_ACCOUNT_BOOKS, index, PREPAY__ACCOUNT_BOOKS_SIZE);
    if (!saved) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memcpy(saved, a, PREPAY__ACCOUNT_BOOKS_SIZE);
    a->mark = site->generation | PREPAY__MARK_BOOKS;
    return PREPAY_OK;
}

/* What PREPAY__UNDO_ACCOUNT_BALANCE saves: all a quiet reading changes of a prepaid account. */
typedef struct prepay__undo_balance {
    prepay_money_t balance;
    prepay_money_t energy;
    uint32_t mark;
    uint32_t unused;
} prepay__undo_balance_t;

/* Saves what a reading's charge changes of a prepaid account when it all goes to the wallet as
 * energy revenue and the wallet decision is quiet (prepay__settle_wallet_quiet()): balance,
 * energy total, mark — 32 bytes of log instead of the books' 168, the common case by far.
 * Anything else a call changes of the account is saved before, by prepay__settle_touch_account()
 * (books) or prepay__settle_touch() (whole); undo restores those first, then this entry over
 * them (prepay__settle_undo()). A postpaid account or one with a usage record: as
 * prepay__settle_touch_account(). */
static inline int prepay__settle_touch_balance(prepay__settle_call_t *call, uint32_t index)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_account_t *a = &site->memory.accounts[index];
    if ((a->mark & ~PREPAY__MARK_PARTS) == site->generation) {
        return PREPAY_OK; /* saved whole, its books or its balance earlier in this call */
    }
    if (prepay__settle_account_saved_whole(a)) {
        return prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, index);
    }
    uint8_t *saved = prepay__settle_undo_append(call, PREPAY__UNDO_ACCOUNT_BALANCE, index,
                                                sizeof(prepay__undo_balance_t));
    if (!saved) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    const prepay__undo_balance_t before = {a->books.balance, a->books.energy, a->mark, 0u};
    memcpy(saved, &before, sizeof before);
    a->mark = site->generation | PREPAY__MARK_BALANCE;
    return PREPAY_OK;
}

/* Whether the call has saved any part of the account (so it may have charged it). */
static inline bool prepay__settle_account_saved(const prepay_settlement_site_t *site,
                                                const prepay_settlement_account_t *a)
{
    return (a->mark & ~PREPAY__MARK_PARTS) == site->generation;
}

/* The ledger key of a transfer kind whose sequence is 0 (readings, recharges, emergency credit):
 * prepay_settlement_ledger_key() without its checks, for ids the site already checked
 * (subject <= PREPAY_SETTLEMENT_SUBJECT_MAX, period < 2^32). */
static inline uint64_t prepay__settle_plain_key(unsigned kind, uint32_t subject, uint32_t period)
{
    return (uint64_t)kind << 59 | (uint64_t)subject << 32 | (uint64_t)period;
}

/* prepay__settle_slot() clears the transfer member by member: a new member must be added there. */
_Static_assert(sizeof(prepay_ledger_transfer_t) == 11u * 8u + 4u + 2u + 2u + 8u,
               "prepay_ledger_transfer_t changed: clear its new members in prepay__settle_slot()");

/* The next transfer slot of the call, zeroed, without a debit position hint (NULL: the work area
 * is full). */
static inline prepay_ledger_transfer_t *prepay__settle_slot(prepay__settle_call_t *call)
{
    prepay_settlement_work_t *work = call->work;
    if (call->transfers >= work->sizes.transfers) {
        return (prepay_ledger_transfer_t *)0;
    }
    work->debit_at[call->transfers] = 0u;
    prepay_ledger_transfer_t *t = &work->transfers[call->transfers++];
    /* Member by member, not memset(): GCC turns a 104-byte memset into `rep stos`, whose start-up
     * costs more than the stores (a reading takes two slots at most). The record has no padding. */
    t->id = 0u;
    t->debit_account_id = 0u;
    t->credit_account_id = 0u;
    t->amount = 0;
    t->pending_id = 0u;
    t->timestamp = 0;
    t->meter_id = 0u;
    t->interval_start = 0;
    t->interval_end = 0;
    t->order_id = 0u;
    t->reference_id = 0u;
    t->tariff_version = 0u;
    t->code = 0u;
    t->flags = 0u;
    t->deadline = 0;
    return t;
}
void prepay__settle_undo(prepay__settle_call_t *call);
int prepay__settle_push(prepay__settle_call_t *call, const prepay_ledger_transfer_t *transfer);
int prepay__settle_emit(prepay__settle_call_t *call, prepay_settlement_event_t *event, unsigned type,
                        uint32_t subject, prepay_time_t time, uint64_t sequence);
/* Applies the call's transfers (one chain), hands events to the sink, commits.
 * On a failure before the commit, undoes the call. */
int prepay__settle_finish(prepay__settle_call_t *call);
/* Fails the call: undoes it and returns status. */
int prepay__settle_fail(prepay__settle_call_t *call, int status, uint32_t index, uint32_t id, int detail);

/* ---- money (settlement_money.c) ---- */
typedef struct prepay__settle_charge {
    unsigned kind;            /* main kind (READING, ALLOCATION, CHARGE) */
    unsigned debt_kind;       /* its debt kind */
    uint32_t subject;         /* meter id (readings) or account id */
    uint32_t period;
    uint64_t sequence;
    prepay_money_t amount;    /* >= 0 */
    uint16_t code;            /* ledger code of the main transfer */
    unsigned revenue;         /* site role of the revenue account */
    bool energy;              /* an energy charge (local accounts: mirrored, never debt) */
    uint64_t meter_id;        /* user data */
    prepay_time_t interval_start;
    prepay_time_t interval_end;
    uint32_t tariff_version;
    prepay_time_t time;
    uint64_t cause;           /* event sequence */
} prepay__settle_charge_t;

/* Posts a charge to an account: from the wallet as far as it can take it,
 * the rest as debt (local accounts: energy to the mirror, the rest debt). */
int prepay__settle_charge(prepay__settle_call_t *call, uint32_t account, const prepay__settle_charge_t *charge);
/* Runs the wallet decision of a prepaid account and emits its events. */
int prepay__settle_decide(prepay__settle_call_t *call, uint32_t account, prepay_time_t time, uint32_t once_flags,
                          uint64_t cause);
/* True when a wallet decision would change nothing and raise no event (the fast path). */
bool prepay__settle_wallet_quiet(const prepay_wallet_policy_t *policy, const prepay_wallet_state_t *state,
                                 uint32_t flags, prepay_money_t balance, prepay_money_t emergency);
/* After a wallet debit that is not a charge (a refund, a sale): its event, then the wallet
 * decision as after a charge, both with the call's cause. */
int prepay__settle_debited(prepay__settle_call_t *call, uint32_t account, unsigned event_type, prepay_money_t amount,
                           prepay_money_t detail, uint64_t transfer_id, prepay_time_t time, uint64_t cause);
/* Balance an event reports: wallet balance (prepaid) or what is owed (postpaid). */
prepay_money_t prepay__settle_event_balance(const prepay_settlement_account_t *a);

/* ---- pricing (settlement_price.c): the one place that calls the tariff stream ---- */
int prepay__settle_price(prepay__settle_call_t *call, uint32_t meter, prepay_time_t start, prepay_time_t end,
                         prepay_energy_t energy, prepay_money_t *due);
/* Prices the common energy of a group over a period. */
int prepay__settle_price_group(prepay__settle_call_t *call, uint32_t group, prepay_time_t start, prepay_time_t end,
                               prepay_energy_t energy, prepay_money_t *due);

/* ---- periods (settlement_reading.c) ---- */
/* Moves a meter's period buckets up to the site's open period. */
void prepay__settle_meter_normalise(const prepay_settlement_site_t *site, prepay_settlement_meter_t *m);
/* Attributes an interval's energy to the open period and the next. */
int prepay__settle_attribute(const prepay_settlement_site_t *site, prepay_settlement_meter_t *m,
                             prepay_time_t start, prepay_time_t end, prepay_energy_t energy);
/* Settles one already validated reading of meter index `meter` (outcome out). */
int prepay__settle_one(prepay__settle_call_t *call, uint32_t meter, prepay_time_t time, prepay_energy_t value,
                       uint64_t cause_class, int8_t *outcome);

/* ---- closing (settlement_period.c) ---- */
/* Scratch bytes a period close of this site needs (SIZE_MAX: too large). */
size_t prepay__settle_close_scratch(const prepay_settlement_site_t *site);

/* ---- sorting (settlement_sort.c) ---- */
/* Stable sort of keys (meter << 32 | time) with their payloads (radix on the meter half, then
 * each meter's readings by insertion, or radix on the whole key when a meter has many); tmp
 * arrays of the same size. */
void prepay__settle_radix_sort(uint64_t *keys, uint32_t *payload, uint64_t *tmp_keys, uint32_t *tmp_payload,
                               uint32_t count);
/* In-place heap sort of 64-bit keys. */
void prepay__settle_heap_sort(uint64_t *keys, uint32_t count);

#endif /* PREPAY_SETTLEMENT_INTERNAL_H */
