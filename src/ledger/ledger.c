/* SPDX-License-Identifier: MIT */
/*
 * Ledger core: init, accounts, transfers (idempotency, limits, pending,
 * linked chains), replay. Freestanding; see include/prepay/ledger.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ledger_internal.h"
#include "prepay/ledger.h"

#define TWO_PHASE (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)
#define MAX_CAPACITY 0x7FFFFFFFu

/* The journal serialises these field by field; they must stay free of padding. */
_Static_assert(sizeof(prepay_ledger_transfer_t) == 11 * 8 + 4 + 2 + 2 + 8, "transfer struct has padding");
_Static_assert(sizeof(prepay_ledger_account_t) == 9 * 8 + 4 + 2 + 2, "account struct has padding");
_Static_assert(sizeof(prepay_ledger_entry_t) == sizeof(prepay_ledger_transfer_t) + 8, "entry struct has padding");

static bool is_power_of_two(uint32_t v)
{
    return v != 0u && (v & (v - 1u)) == 0u;
}

int prepay_ledger_init(prepay_ledger_t *ledger, const prepay_ledger_memory_t *memory)
{
    /* The expiry heap may be NULL: pending transfers then cannot carry a deadline. */
    if (ledger == NULL || memory == NULL || memory->accounts == NULL || memory->account_index == NULL ||
        memory->entries == NULL || memory->transfer_index == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (memory->account_capacity == 0u || memory->transfer_capacity == 0u ||
        memory->account_capacity > MAX_CAPACITY || memory->transfer_capacity > MAX_CAPACITY ||
        !is_power_of_two(memory->account_index_slots) || !is_power_of_two(memory->transfer_index_slots) ||
        memory->account_index_slots <= memory->account_capacity ||
        memory->transfer_index_slots <= memory->transfer_capacity) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(memory->account_index, 0, (size_t)memory->account_index_slots * sizeof memory->account_index[0]);
    memset(memory->transfer_index, 0, (size_t)memory->transfer_index_slots * sizeof memory->transfer_index[0]);
    ledger->memory = *memory;
    ledger->account_count = 0;
    ledger->transfer_count = 0;
    ledger->expiry_count = 0;
    ledger->magic = PREPAY_LEDGER_MAGIC;
    return PREPAY_OK;
}

/* ---- accounts ---------------------------------------------------------------- */

static bool account_same(const prepay_ledger_account_t *a, const prepay_ledger_account_t *b)
{
    /* Compare the fields the caller chose (the counters belong to the ledger;
     * CLOSED may have been set later by prepay_ledger_close_account). */
    return a->id == b->id && a->emergency_account_id == b->emergency_account_id &&
           a->debt_account_id == b->debt_account_id && a->overdraft_limit == b->overdraft_limit &&
           a->max_balance == b->max_balance && a->item == b->item && a->kind == b->kind &&
           (a->flags & (uint16_t)~PREPAY_LEDGER_ACCOUNT_CLOSED) == (b->flags & (uint16_t)~PREPAY_LEDGER_ACCOUNT_CLOSED);
}

int prepay_ledger_create_account(prepay_ledger_t *ledger, const prepay_ledger_account_t *account)
{
    if (!prepay__ledger_ready(ledger) || account == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (account->id == 0u) {
        return PREPAY_E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO;
    }
    if (account->kind < PREPAY_LEDGER_ACCOUNT_WALLET || account->kind > PREPAY_LEDGER_ACCOUNT_DEBT ||
        (account->flags & (uint16_t)~PREPAY_LEDGER_ACCOUNT_FLAGS_MASK) != 0u) {
        return PREPAY_E_LEDGER_ACCOUNT_BAD_KIND;
    }
    if ((account->flags & PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) != 0u &&
        (account->flags & PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) != 0u) {
        return PREPAY_E_LEDGER_ACCOUNT_FLAGS_MUTUALLY_EXCLUSIVE;
    }
    if (account->overdraft_limit < 0 || account->max_balance < 0) {
        return PREPAY_E_LEDGER_ACCOUNT_BAD_LIMIT;
    }
    if (account->debits_pending != 0 || account->debits_posted != 0 || account->credits_pending != 0 ||
        account->credits_posted != 0) {
        return PREPAY_E_LEDGER_ACCOUNT_BALANCES_MUST_BE_ZERO;
    }
    uint32_t slot = prepay__ledger_account_slot(ledger, account->id);
    uint32_t found = ledger->memory.account_index[slot];
    if (found != 0u) {
        const prepay_ledger_account_t *old = &ledger->memory.accounts[found - 1u];
        if (account_same(old, account) &&
            ((account->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) == 0u ||
             (old->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0u)) {
            return PREPAY_LEDGER_EXISTS;
        }
        return PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS;
    }
    if (ledger->account_count >= ledger->memory.account_capacity) {
        return PREPAY_E_CAPACITY;
    }
    ledger->memory.accounts[ledger->account_count] = *account;
    ledger->account_count++;
    ledger->memory.account_index[slot] = ledger->account_count;
    return PREPAY_OK;
}

int prepay_ledger_close_account(prepay_ledger_t *ledger, uint64_t account_id)
{
    if (!prepay__ledger_ready(ledger)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t found = prepay__ledger_account_find(ledger, account_id);
    if (found == 0u) {
        return PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND;
    }
    prepay_ledger_account_t *a = &ledger->memory.accounts[found - 1u];
    if ((a->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0u) {
        return PREPAY_LEDGER_EXISTS;
    }
    a->flags = (uint16_t)(a->flags | PREPAY_LEDGER_ACCOUNT_CLOSED);
    return PREPAY_OK;
}

/* ---- transfers ----------------------------------------------------------------- */

/* Checks that need no state, in precedence order. */
static int validate(const prepay_ledger_transfer_t *t)
{
    if ((t->flags & (uint16_t)~PREPAY_LEDGER_TRANSFER_FLAGS_MASK) != 0u) {
        return PREPAY_E_LEDGER_RESERVED_FLAG;
    }
    if (t->id == 0u) {
        return PREPAY_E_LEDGER_ID_MUST_NOT_BE_ZERO;
    }
    unsigned kinds = (t->flags & PREPAY_LEDGER_TRANSFER_PENDING) != 0u;
    kinds += (t->flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) != 0u;
    kinds += (t->flags & PREPAY_LEDGER_TRANSFER_VOID_PENDING) != 0u;
    if (kinds > 1u) {
        return PREPAY_E_LEDGER_FLAGS_ARE_MUTUALLY_EXCLUSIVE;
    }
    bool two_phase = (t->flags & TWO_PHASE) != 0u;
    if (!two_phase) {
        if (t->pending_id != 0u) {
            return PREPAY_E_LEDGER_PENDING_ID_MUST_BE_ZERO;
        }
    } else {
        if (t->pending_id == 0u) {
            return PREPAY_E_LEDGER_PENDING_ID_MUST_NOT_BE_ZERO;
        }
        if (t->pending_id == t->id) {
            return PREPAY_E_LEDGER_PENDING_ID_MUST_BE_DIFFERENT;
        }
    }
    if (!two_phase) {
        if (t->debit_account_id == 0u) {
            return PREPAY_E_LEDGER_DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO;
        }
        if (t->credit_account_id == 0u) {
            return PREPAY_E_LEDGER_CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO;
        }
    }
    if (t->debit_account_id != 0u && t->debit_account_id == t->credit_account_id) {
        return PREPAY_E_LEDGER_ACCOUNTS_MUST_BE_DIFFERENT;
    }
    if ((t->flags & PREPAY_LEDGER_TRANSFER_VOID_PENDING) != 0u ? t->amount < 0 : t->amount <= 0) {
        return PREPAY_E_LEDGER_AMOUNT_MUST_BE_POSITIVE;
    }
    if (t->code == 0u) {
        return PREPAY_E_LEDGER_CODE_MUST_NOT_BE_ZERO;
    }
    if (t->interval_end < t->interval_start) {
        return PREPAY_E_LEDGER_INTERVAL_INVALID;
    }
    if (t->deadline != 0 && (t->flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u) {
        return PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO;
    }
    return PREPAY_OK;
}

/* Idempotency: compare an existing transfer with a new one, field group by field group. */
static int compare_existing(const prepay_ledger_transfer_t *old, const prepay_ledger_transfer_t *t)
{
    if (old->flags != t->flags) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS;
    }
    if (old->pending_id != t->pending_id) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_PENDING_ID;
    }
    if (old->debit_account_id != t->debit_account_id) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT;
    }
    if (old->credit_account_id != t->credit_account_id) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT;
    }
    if (old->amount != t->amount) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_AMOUNT;
    }
    if (old->code != t->code) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_CODE;
    }
    if (old->meter_id != t->meter_id || old->interval_start != t->interval_start ||
        old->interval_end != t->interval_end || old->tariff_version != t->tariff_version ||
        old->order_id != t->order_id || old->reference_id != t->reference_id) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_USER_DATA;
    }
    if (old->deadline != t->deadline) {
        return PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE;
    }
    return PREPAY_LEDGER_EXISTS;
}

/* a + b for non-negative a and b, saturating at INT64_MAX. */
static prepay_money_t add_saturating(prepay_money_t a, prepay_money_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* probe: where apply_one found t->id absent (nothing was inserted since). */
static void append(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *t, uint32_t state,
                   const prepay__ledger_probe_t *probe)
{
    prepay_ledger_entry_t *e = &ledger->memory.entries[ledger->transfer_count];
    e->transfer = *t;
    e->state = state;
    e->resolved_by = 0;
    ledger->transfer_count++;
    ledger->memory.transfer_index[probe->slot] = probe->tag | ledger->transfer_count;
}

/* The credit account last found in one prepay_ledger_apply() call: a batch often credits one
 * account many times (a settlement site's revenue account), and accounts neither move nor appear
 * while transfers are applied, so its position is looked up once. id 0: none yet. */
typedef struct credit_cache {
    uint64_t id;
    uint32_t at; /* position + 1 of id */
} credit_cache_t;

/* True when position + 1 `at` holds account `id` (a caller's hint, prepay_ledger_apply_at()). */
static inline bool hint_names(const prepay_ledger_t *ledger, uint32_t at, uint64_t id)
{
    return at != 0u && at <= ledger->account_count && ledger->memory.accounts[at - 1u].id == id && id != 0u;
}

/* A plain or pending transfer. */
static int apply_plain(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *t, const prepay__ledger_probe_t *probe,
                       credit_cache_t *cache, uint32_t debit_hint)
{
    uint32_t dr_at = debit_hint;
    if (!hint_names(ledger, dr_at, t->debit_account_id)) {
        dr_at = prepay__ledger_account_find(ledger, t->debit_account_id);
    }
    if (dr_at == 0u) {
        return PREPAY_E_LEDGER_DEBIT_ACCOUNT_NOT_FOUND;
    }
    uint32_t cr_at;
    if (t->credit_account_id == cache->id && cache->id != 0u) {
        cr_at = cache->at;
    } else {
        cr_at = prepay__ledger_account_find(ledger, t->credit_account_id);
        if (cr_at == 0u) {
            return PREPAY_E_LEDGER_CREDIT_ACCOUNT_NOT_FOUND;
        }
        cache->id = t->credit_account_id;
        cache->at = cr_at;
    }
    prepay_ledger_account_t *dr = &ledger->memory.accounts[dr_at - 1u];
    prepay_ledger_account_t *cr = &ledger->memory.accounts[cr_at - 1u];
    if ((dr->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0u) {
        return PREPAY_E_LEDGER_DEBIT_ACCOUNT_CLOSED;
    }
    if ((cr->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0u) {
        return PREPAY_E_LEDGER_CREDIT_ACCOUNT_CLOSED;
    }
    const prepay_money_t amount = t->amount;
    const bool pending = (t->flags & PREPAY_LEDGER_TRANSFER_PENDING) != 0u;
    /* Every counter and the sums pending + posted stay within int64. */
    prepay_money_t dr_total = dr->debits_pending + dr->debits_posted; /* cannot overflow: kept below */
    prepay_money_t cr_total = cr->credits_pending + cr->credits_posted;
    if (amount > INT64_MAX - dr_total || amount > INT64_MAX - cr_total) {
        return PREPAY_E_LEDGER_OVERFLOW;
    }
    dr_total += amount;
    cr_total += amount;
    if ((dr->flags & PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS) != 0u &&
        dr_total > add_saturating(dr->credits_posted, dr->overdraft_limit)) {
        return PREPAY_E_LEDGER_EXCEEDS_CREDITS;
    }
    if ((cr->flags & PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS) != 0u && cr_total > cr->debits_posted) {
        return PREPAY_E_LEDGER_EXCEEDS_DEBITS;
    }
    if (cr->max_balance > 0 && cr_total - cr->debits_posted > cr->max_balance) {
        return PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE;
    }
    if (t->code == PREPAY_LEDGER_CODE_REFUND && dr->kind == PREPAY_LEDGER_ACCOUNT_WALLET) {
        /* refundable = credits - debits - pending debits - emergency credit owed (each >= 0). */
        prepay_money_t owed = 0;
        uint32_t ec_at = prepay__ledger_account_find(ledger, dr->emergency_account_id);
        if (ec_at != 0u) {
            owed = prepay__ledger_owed(&ledger->memory.accounts[ec_at - 1u]);
        }
        prepay_money_t used = dr->debits_pending + dr->debits_posted; /* fits: see above */
        if (owed > INT64_MAX - used || used + owed > dr->credits_posted ||
            amount > dr->credits_posted - used - owed) {
            return PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE;
        }
    }
    /* The expiry heap has a slot per log entry, so only its absence can refuse a deadline. */
    if (ledger->transfer_count >= ledger->memory.transfer_capacity ||
        (t->deadline != 0 && ledger->memory.expiry_heap == NULL)) {
        return PREPAY_E_CAPACITY;
    }
    if (pending) {
        dr->debits_pending += amount;
        cr->credits_pending += amount;
    } else {
        dr->debits_posted += amount;
        cr->credits_posted += amount;
    }
    append(ledger, t, pending ? (uint32_t)PREPAY_LEDGER_STATE_PENDING : (uint32_t)PREPAY_LEDGER_STATE_NONE, probe);
    return PREPAY_OK;
}

/* A post or void of a pending transfer. */
static int apply_two_phase(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *t,
                           const prepay__ledger_probe_t *probe)
{
    uint32_t p_at = prepay__ledger_transfer_find(ledger, t->pending_id);
    if (p_at == 0u) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND;
    }
    prepay_ledger_entry_t *p = &ledger->memory.entries[p_at - 1u];
    if ((p->transfer.flags & PREPAY_LEDGER_TRANSFER_PENDING) == 0u) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING;
    }
    if (t->debit_account_id != 0u && t->debit_account_id != p->transfer.debit_account_id) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT;
    }
    if (t->credit_account_id != 0u && t->credit_account_id != p->transfer.credit_account_id) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT;
    }
    if (p->state == PREPAY_LEDGER_STATE_POSTED) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED;
    }
    if (p->state == PREPAY_LEDGER_STATE_VOIDED) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED;
    }
    const bool post = (t->flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) != 0u;
    const prepay_money_t reserved = p->transfer.amount;
    if (post && t->amount > reserved) {
        return PREPAY_E_LEDGER_EXCEEDS_PENDING_TRANSFER_AMOUNT;
    }
    if (!post && t->amount != 0 && t->amount != reserved) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT;
    }
    /* Expired by prepay_ledger_expire(), or due already at the post's or void's own time
     * (which the caller gives, so replaying the journal decides the same way). */
    if (p->state == PREPAY_LEDGER_STATE_EXPIRED ||
        (p->transfer.deadline != 0 && t->timestamp >= p->transfer.deadline)) {
        return PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED;
    }
    /* The pending transfer's accounts exist (it was applied). */
    prepay_ledger_account_t *dr =
        &ledger->memory.accounts[prepay__ledger_account_find(ledger, p->transfer.debit_account_id) - 1u];
    prepay_ledger_account_t *cr =
        &ledger->memory.accounts[prepay__ledger_account_find(ledger, p->transfer.credit_account_id) - 1u];
    if (post && (dr->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0u) {
        return PREPAY_E_LEDGER_DEBIT_ACCOUNT_CLOSED;
    }
    if (post && (cr->flags & PREPAY_LEDGER_ACCOUNT_CLOSED) != 0u) {
        return PREPAY_E_LEDGER_CREDIT_ACCOUNT_CLOSED;
    }
    /* Moving (part of) a reservation to posted never raises pending + posted,
     * so neither overflow nor any limit can newly break. */
    if (ledger->transfer_count >= ledger->memory.transfer_capacity) {
        return PREPAY_E_CAPACITY;
    }
    dr->debits_pending -= reserved;
    cr->credits_pending -= reserved;
    if (post) {
        dr->debits_posted += t->amount;
        cr->credits_posted += t->amount;
    }
    p->state = post ? (uint32_t)PREPAY_LEDGER_STATE_POSTED : (uint32_t)PREPAY_LEDGER_STATE_VOIDED;
    p->resolved_by = ledger->transfer_count + 1u;
    append(ledger, t, PREPAY_LEDGER_STATE_NONE, probe);
    return PREPAY_OK;
}

/* One transfer, all checks, applied on success. LINKED is not looked at. */
static inline int apply_one(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *t, credit_cache_t *cache,
                            uint32_t debit_hint)
{
    int status = validate(t);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay__ledger_probe_t probe = prepay__ledger_transfer_probe(ledger, t->id);
    if (probe.found != 0u) {
        return compare_existing(&ledger->memory.entries[probe.found - 1u].transfer, t);
    }
    if ((t->flags & TWO_PHASE) != 0u) {
        return apply_two_phase(ledger, t, &probe);
    }
    return apply_plain(ledger, t, &probe, cache, debit_hint);
}

/* Undoes the last log entry exactly (used to roll back a failed chain). The
 * entry was the last inserted into the index, so clearing its slot keeps
 * every other probe sequence intact. */
static void undo_last(prepay_ledger_t *ledger)
{
    prepay_ledger_entry_t *e = &ledger->memory.entries[ledger->transfer_count - 1u];
    const prepay_ledger_transfer_t *t = &e->transfer;
    if ((t->flags & TWO_PHASE) != 0u) {
        prepay_ledger_entry_t *p = &ledger->memory.entries[prepay__ledger_transfer_find(ledger, t->pending_id) - 1u];
        prepay_ledger_account_t *dr =
            &ledger->memory.accounts[prepay__ledger_account_find(ledger, p->transfer.debit_account_id) - 1u];
        prepay_ledger_account_t *cr =
            &ledger->memory.accounts[prepay__ledger_account_find(ledger, p->transfer.credit_account_id) - 1u];
        if ((t->flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) != 0u) {
            dr->debits_posted -= t->amount;
            cr->credits_posted -= t->amount;
        }
        dr->debits_pending += p->transfer.amount;
        cr->credits_pending += p->transfer.amount;
        p->state = PREPAY_LEDGER_STATE_PENDING;
        p->resolved_by = 0;
    } else {
        prepay_ledger_account_t *dr =
            &ledger->memory.accounts[prepay__ledger_account_find(ledger, t->debit_account_id) - 1u];
        prepay_ledger_account_t *cr =
            &ledger->memory.accounts[prepay__ledger_account_find(ledger, t->credit_account_id) - 1u];
        if ((t->flags & PREPAY_LEDGER_TRANSFER_PENDING) != 0u) {
            dr->debits_pending -= t->amount;
            cr->credits_pending -= t->amount;
        } else {
            dr->debits_posted -= t->amount;
            cr->credits_posted -= t->amount;
        }
    }
    ledger->memory.transfer_index[prepay__ledger_transfer_probe(ledger, t->id).slot] = 0u;
    ledger->transfer_count--;
}

/* How far ahead of the transfer being applied prepay_ledger_apply() asks
 * for memory: the index line of the id (and of the pending id of a post or
 * void) PREFETCH_SLOTS_AHEAD transfers ahead, then, once that line has had
 * time to arrive, the log entry it names PREFETCH_ENTRIES_AHEAD transfers
 * ahead. A transfer costs some 50-100 ns and a DRAM miss about as much, so
 * a distance of 8-16 keeps about 10 misses in flight (bench_ledger_memory
 * measures the effect). Prefetches are hints: they never change a result. */
#define PREFETCH_SLOTS_AHEAD 16u
#define PREFETCH_ENTRIES_AHEAD 8u

/* A 112-byte entry spans 2 or 3 cache lines (2.5 on average); comparing a
 * transfer with it reads fields from its first to its last byte. */
#define PREFETCH_ENTRY(entry)                                                                              \
    do {                                                                                                   \
        PREPAY__LEDGER_PREFETCH(entry);                                                                    \
        PREPAY__LEDGER_PREFETCH((const unsigned char *)(entry) + sizeof(prepay_ledger_entry_t) / 2u);      \
        PREPAY__LEDGER_PREFETCH((const unsigned char *)(entry) + sizeof(prepay_ledger_entry_t) - 1u);      \
    } while (0)

/* The account record in the start slot of an account id (the slot line is in cache by then):
 * its first and last byte (80 bytes span 2 lines at most). */
#define PREFETCH_ACCOUNT(ledger, account_id)                                                               \
    do {                                                                                                   \
        uint32_t v_ = (ledger)->memory.account_index[prepay__ledger_account_start((ledger), (account_id))]; \
        if (v_ != 0u) {                                                                                    \
            const prepay_ledger_account_t *a_ = &(ledger)->memory.accounts[v_ - 1u];                       \
            PREPAY__LEDGER_PREFETCH(a_);                                                                   \
            PREPAY__LEDGER_PREFETCH((const unsigned char *)a_ + sizeof *a_ - 1u);                          \
        }                                                                                                  \
    } while (0)

/* The debit position hint of transfer k (0: none). */
#define HINT_AT(debit_at, k) ((debit_at) != NULL ? (debit_at)[(k)] : 0u)

/* Ledgers from this many accounts on also prefetch the accounts of plain transfers ahead: their
 * index and records no longer stay in cache (a settlement site debits a different wallet with
 * each transfer); on smaller ledgers the hints only cost time (bench_ledger_memory, 1 008
 * accounts: random ids at x100 took twice as long with them). */
#define PREFETCH_ACCOUNTS_FROM 65536u

/* A macro, not a function: see PREPAY__LEDGER_PREFETCH. On large ledgers (accounts_ahead), plain
 * transfers also ask for the index slots of their debit and credit accounts, then for the
 * account records they name; a debit account with a position hint (debit_at) is asked for
 * directly, and a credit account found already (cache: the call's repeated revenue account)
 * not at all. */
#define PREFETCH_AHEAD(ledger, batch, count, k)                                                            \
    do {                                                                                                   \
        if ((k) + PREFETCH_SLOTS_AHEAD < (count)) {                                                        \
            const prepay_ledger_transfer_t *ahead_ = &(batch)[(k) + PREFETCH_SLOTS_AHEAD];                 \
            PREPAY__LEDGER_PREFETCH(prepay__ledger_slot_address((ledger), ahead_->id));                    \
            if (accounts_ahead && (ahead_->flags & TWO_PHASE) == 0u) {                                     \
                uint32_t at_ = HINT_AT(debit_at, (k) + PREFETCH_SLOTS_AHEAD);                              \
                if (at_ != 0u && at_ <= (ledger)->account_count) {                                         \
                    /* the record itself (checked when applied): no index slot */                          \
                    const prepay_ledger_account_t *a_ = &(ledger)->memory.accounts[at_ - 1u];              \
                    PREPAY__LEDGER_PREFETCH(a_);                                                           \
                    PREPAY__LEDGER_PREFETCH((const unsigned char *)a_ + sizeof *a_ - 1u);                  \
                } else {                                                                                   \
                    PREPAY__LEDGER_PREFETCH(&(ledger)->memory.account_index[prepay__ledger_account_start(  \
                        (ledger), ahead_->debit_account_id)]);                                             \
                }                                                                                          \
                if (ahead_->credit_account_id != cache.id) {                                               \
                    PREPAY__LEDGER_PREFETCH(&(ledger)->memory.account_index[prepay__ledger_account_start(  \
                        (ledger), ahead_->credit_account_id)]);                                            \
                }                                                                                          \
            }                                                                                              \
            if ((ahead_->flags & TWO_PHASE) != 0u) {                                                       \
                PREPAY__LEDGER_PREFETCH(prepay__ledger_slot_address((ledger), ahead_->pending_id));        \
            }                                                                                              \
        }                                                                                                  \
        if ((k) + PREFETCH_ENTRIES_AHEAD < (count)) {                                                      \
            const prepay_ledger_transfer_t *ahead_ = &(batch)[(k) + PREFETCH_ENTRIES_AHEAD];               \
            const prepay_ledger_entry_t *entry_ = prepay__ledger_entry_address((ledger), ahead_->id);      \
            if (entry_ != NULL) {                                                                          \
                PREFETCH_ENTRY(entry_);                                                                    \
            }                                                                                              \
            if ((ahead_->flags & TWO_PHASE) != 0u &&                                                       \
                (entry_ = prepay__ledger_entry_address((ledger), ahead_->pending_id)) != NULL) {           \
                PREFETCH_ENTRY(entry_);                                                                    \
            }                                                                                              \
            if (accounts_ahead && (ahead_->flags & TWO_PHASE) == 0u) {                                     \
                uint32_t at_ = HINT_AT(debit_at, (k) + PREFETCH_ENTRIES_AHEAD);                            \
                if (at_ == 0u || at_ > (ledger)->account_count) {                                          \
                    PREFETCH_ACCOUNT((ledger), ahead_->debit_account_id);                                  \
                }                                                                                          \
                if (ahead_->credit_account_id != cache.id) {                                               \
                    PREFETCH_ACCOUNT((ledger), ahead_->credit_account_id);                                 \
                }                                                                                          \
            }                                                                                              \
        }                                                                                                  \
    } while (0)

/* Enters the pending transfers with a deadline among the log entries from
 * first on into the expiry heap, once they can no longer be rolled back. */
static void expiry_push_from(prepay_ledger_t *ledger, uint32_t first)
{
    for (uint32_t i = first; i < ledger->transfer_count; i++) {
        if (ledger->memory.entries[i].transfer.deadline != 0) {
            prepay__ledger_expiry_push(ledger, i);
        }
    }
}

int prepay_ledger_apply(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *batch, size_t count, int *results)
{
    return prepay_ledger_apply_at(ledger, batch, count, NULL, results);
}

uint32_t prepay_ledger_account_position(const prepay_ledger_t *ledger, uint64_t account_id)
{
    return prepay__ledger_ready(ledger) ? prepay__ledger_account_find(ledger, account_id) : 0u;
}

int prepay_ledger_apply_at(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *batch, size_t count,
                           const uint32_t *debit_at, int *results)
{
    if (!prepay__ledger_ready(ledger) || (count > 0u && (batch == NULL || results == NULL)) ||
        count > (size_t)INT32_MAX) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int applied = 0;
    size_t i = 0;
    const bool accounts_ahead = ledger->account_count >= PREFETCH_ACCOUNTS_FROM;
    credit_cache_t cache = {0u, 0u};
    /* The first transfers get no prefetch from the loop: ask for them here. */
    for (size_t k = 0; k < count && k < PREFETCH_SLOTS_AHEAD; k++) {
        PREPAY__LEDGER_PREFETCH(prepay__ledger_slot_address(ledger, batch[k].id));
    }
    while (i < count) {
        if ((batch[i].flags & PREPAY_LEDGER_TRANSFER_LINKED) == 0u) {
            /* A chain of one (the common case): apply_one changes nothing when it fails. */
            PREFETCH_AHEAD(ledger, batch, count, i);
            int r = apply_one(ledger, &batch[i], &cache, HINT_AT(debit_at, i));
            results[i] = r;
            if (r == PREPAY_OK) {
                applied++;
                if (batch[i].deadline != 0) {
                    prepay__ledger_expiry_push(ledger, ledger->transfer_count - 1u);
                }
            }
            i++;
            continue;
        }
        size_t last = i;
        while (last < count && (batch[last].flags & PREPAY_LEDGER_TRANSFER_LINKED) != 0u) {
            last++;
        }
        if (last == count) {
            /* The batch ends inside a chain: nothing of it applies. */
            for (size_t k = i; k + 1u < count; k++) {
                results[k] = PREPAY_E_LEDGER_LINKED_EVENT_FAILED;
            }
            results[count - 1u] = PREPAY_E_LEDGER_LINKED_EVENT_CHAIN_OPEN;
            break;
        }
        uint32_t base = ledger->transfer_count;
        size_t failed = count; /* none */
        int chain_applied = 0;
        bool deadlines = false;
        for (size_t k = i; k <= last; k++) {
            PREFETCH_AHEAD(ledger, batch, count, k);
            int r = apply_one(ledger, &batch[k], &cache, HINT_AT(debit_at, k));
            results[k] = r;
            if (r < 0) {
                failed = k;
                break;
            }
            if (r == PREPAY_OK) {
                chain_applied++;
                deadlines = deadlines || batch[k].deadline != 0;
            }
        }
        if (failed != count) {
            while (ledger->transfer_count > base) {
                undo_last(ledger);
            }
            for (size_t k = i; k <= last; k++) {
                if (k != failed) {
                    results[k] = PREPAY_E_LEDGER_LINKED_EVENT_FAILED;
                }
            }
        } else {
            applied += chain_applied;
            if (deadlines) {
                expiry_push_from(ledger, base);
            }
        }
        i = last + 1u;
    }
    return applied;
}

int prepay_ledger_replay(prepay_ledger_t *ledger, const prepay_ledger_transfer_t *transfer)
{
    if (!prepay__ledger_ready(ledger) || transfer == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t base = ledger->transfer_count;
    credit_cache_t cache = {0u, 0u};
    int r = apply_one(ledger, transfer, &cache, 0u);
    if (r == PREPAY_OK && transfer->deadline != 0) {
        expiry_push_from(ledger, base);
    }
    return r;
}

/* ---- lookups ------------------------------------------------------------------- */

const prepay_ledger_account_t *prepay_ledger_account(const prepay_ledger_t *ledger, uint64_t account_id)
{
    if (!prepay__ledger_ready(ledger)) {
        return NULL;
    }
    uint32_t at = prepay__ledger_account_find(ledger, account_id);
    return at == 0u ? NULL : &ledger->memory.accounts[at - 1u];
}

int prepay_ledger_balance(const prepay_ledger_t *ledger, uint64_t account_id, prepay_ledger_balance_t *out)
{
    if (!prepay__ledger_ready(ledger) || out == NULL) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    uint32_t at = prepay__ledger_account_find(ledger, account_id);
    if (at == 0u) {
        return PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND;
    }
    const prepay_ledger_account_t *a = &ledger->memory.accounts[at - 1u];
    /* Counters are >= 0, so credits - debits fits; subtracting pending may not. */
    prepay_money_t balance = a->credits_posted - a->debits_posted;
    if (balance < INT64_MIN + a->debits_pending) {
        return PREPAY_E_OVERFLOW;
    }
    out->debits_pending = a->debits_pending;
    out->debits_posted = a->debits_posted;
    out->credits_pending = a->credits_pending;
    out->credits_posted = a->credits_posted;
    out->balance = balance;
    out->available = balance - a->debits_pending;
    return PREPAY_OK;
}

const prepay_ledger_entry_t *prepay_ledger_lookup(const prepay_ledger_t *ledger, uint64_t transfer_id)
{
    if (!prepay__ledger_ready(ledger)) {
        return NULL;
    }
    uint32_t at = prepay__ledger_transfer_find(ledger, transfer_id);
    return at == 0u ? NULL : &ledger->memory.entries[at - 1u];
}

uint32_t prepay_ledger_account_count(const prepay_ledger_t *ledger)
{
    return prepay__ledger_ready(ledger) ? ledger->account_count : 0u;
}

const prepay_ledger_account_t *prepay_ledger_account_at(const prepay_ledger_t *ledger, uint32_t position)
{
    if (!prepay__ledger_ready(ledger) || position >= ledger->account_count) {
        return NULL;
    }
    return &ledger->memory.accounts[position];
}

uint32_t prepay_ledger_transfer_count(const prepay_ledger_t *ledger)
{
    return prepay__ledger_ready(ledger) ? ledger->transfer_count : 0u;
}

const prepay_ledger_entry_t *prepay_ledger_entry_at(const prepay_ledger_t *ledger, uint32_t position)
{
    if (!prepay__ledger_ready(ledger) || position >= ledger->transfer_count) {
        return NULL;
    }
    return &ledger->memory.entries[position];
}
