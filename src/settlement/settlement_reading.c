/* SPDX-License-Identifier: MIT */
/*
 * Settling readings: validation of the whole batch, the sort by (meter,
 * time), the register policy (duplicates, late readings, rollover, reset,
 * jumps, replacement), pricing, posting and the wallet decision of each
 * reading, and the attribution of energy to allocation periods.
 */
#include <string.h>

#include "settlement_internal.h"

/* ---- allocation periods ------------------------------------------------------------ */

void prepay__settle_meter_normalise(const prepay_settlement_site_t *site, prepay_settlement_meter_t *m)
{
    if (m->open_period == site->period_index) {
        return;
    }
    if (site->period_index - m->open_period == 1u) {
        m->open = m->next;
    } else {
        m->open = 0; /* the bucket after the open one belonged to a period closed too */
    }
    m->next = 0;
    m->open_period = site->period_index;
}

int prepay__settle_attribute(const prepay_settlement_site_t *site, prepay_settlement_meter_t *m,
                             prepay_time_t start, prepay_time_t end, prepay_energy_t energy)
{
    prepay__settle_meter_normalise(site, m);
    prepay_time_t boundary = site->period_end;
    if (end <= boundary) {
        m->open += energy;
    } else if (start >= boundary) {
        m->next += energy;
    } else {
        /* Straddles the period end: the tariff engine's spread rule. */
        prepay_energy_t before;
        int status = prepay_i64_muldiv(energy, boundary - start, end - start, PREPAY_ROUND_FLOOR, &before);
        if (status != PREPAY_OK) {
            return status;
        }
        m->open += before;
        m->next += energy - before;
    }
    return PREPAY_OK;
}

/* ---- one reading ---------------------------------------------------------------------- */

static int meter_event(prepay__settle_call_t *call, const prepay_settlement_meter_t *m, unsigned type,
                       prepay_time_t time, prepay_energy_t energy)
{
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    e.meter_id = m->config.id;
    e.account_id = m->config.account_id;
    e.energy = energy;
    if (m->account != PREPAY_SETTLEMENT_NONE) {
        const prepay_settlement_account_t *a = &call->site->memory.accounts[m->account];
        e.balance = prepay__settle_event_balance(a);
        e.level = a->wallet.level;
        e.from_level = a->wallet.level;
    }
    return prepay__settle_emit(call, &e, type, m->config.id, time, 0);
}

/* The energy a meter can plausibly use in dt seconds (INT64_MAX: no limit set, or too large to matter). */
static prepay_energy_t plausible(const prepay_settlement_meter_t *m, prepay_time_t dt, prepay_energy_t fallback)
{
    if (m->config.max_power <= 0) {
        return fallback;
    }
    prepay_energy_t limit;
    if (prepay_i64_muldiv(m->config.max_power, dt, 3600, PREPAY_ROUND_FLOOR, &limit) != PREPAY_OK) {
        return INT64_MAX;
    }
    return limit;
}

int prepay__settle_one(prepay__settle_call_t *call, uint32_t meter, prepay_time_t time, prepay_energy_t value,
                       uint64_t cause_class, int8_t *outcome)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_meter_t *m = &site->memory.meters[meter];
    if ((m->flags & PREPAY__METER_PRIMED) != 0u && time <= m->time) {
        *outcome = time < m->time ? PREPAY_SETTLEMENT_LATE : PREPAY_SETTLEMENT_DUPLICATE;
        return PREPAY_OK;
    }
    int status = prepay__settle_touch_meter(call, meter);
    if (status != PREPAY_OK) {
        return status;
    }
    if ((m->flags & PREPAY__METER_PRIMED) == 0u) {
        m->flags |= PREPAY__METER_PRIMED;
        m->time = time;
        m->reading = value;
        *outcome = PREPAY_SETTLEMENT_PRIMED;
        return PREPAY_OK;
    }
    prepay_time_t start = m->time;
    prepay_time_t dt = time - start;
    prepay_energy_t energy;
    int8_t kind = PREPAY_SETTLEMENT_SETTLED;
    if (value >= m->reading) {
        energy = value - m->reading;
        if (energy > plausible(m, dt, INT64_MAX)) {
            kind = PREPAY_SETTLEMENT_JUMP;
        }
    } else if (m->config.modulus > 0) {
        /* DL/T 645 XXXXXX.XX kWh registers wrap to 0 after 999999.99 kWh. */
        energy = m->config.modulus - m->reading + value;
        kind = energy <= plausible(m, dt, m->config.modulus / 10) ? PREPAY_SETTLEMENT_ROLLOVER : PREPAY_SETTLEMENT_RESET;
    } else {
        energy = value - m->reading;
        kind = PREPAY_SETTLEMENT_RESET;
    }
    if (kind == PREPAY_SETTLEMENT_RESET || kind == PREPAY_SETTLEMENT_JUMP) {
        /* Never billed as negative or huge energy: start again from this value. */
        status = meter_event(call, m,
                             kind == PREPAY_SETTLEMENT_RESET ? PREPAY_SETTLEMENT_EVENT_RESET : PREPAY_SETTLEMENT_EVENT_JUMP,
                             time, kind == PREPAY_SETTLEMENT_RESET ? value - m->reading : energy);
        if (status != PREPAY_OK) {
            return status;
        }
        m->time = time;
        m->reading = value;
        *outcome = kind;
        return PREPAY_OK;
    }
    if (kind == PREPAY_SETTLEMENT_ROLLOVER) {
        status = meter_event(call, m, PREPAY_SETTLEMENT_EVENT_ROLLOVER, time, energy);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (site->config.gap_seconds > 0 && dt > site->config.gap_seconds) {
        status = meter_event(call, m, PREPAY_SETTLEMENT_EVENT_GAP, time, energy);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    if (m->account != PREPAY_SETTLEMENT_NONE) {
        uint32_t account = m->account;
        status = prepay__settle_touch_balance(call, account); /* postpaid: whole, before pricing adds usage */
        prepay_money_t due = 0;
        if (status == PREPAY_OK) {
            status = prepay__settle_price(call, meter, start, time, energy, &due);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        prepay__settle_charge_t c; /* every member set: no memset (`rep stos`) per reading */
        c.sequence = 0u;
        c.kind = PREPAY_SETTLEMENT_KIND_READING;
        c.debt_kind = PREPAY_SETTLEMENT_KIND_READING_DEBT;
        c.subject = m->config.id;
        c.period = (uint32_t)time;
        c.amount = due;
        c.code = PREPAY_LEDGER_CODE_DEDUCTION;
        c.revenue = m->config.commodity == PREPAY_SETTLEMENT_WATER ? PREPAY_SETTLEMENT_SITE_WATER
                                                                   : PREPAY_SETTLEMENT_SITE_ELECTRICITY;
        c.energy = true;
        c.meter_id = m->config.id;
        c.interval_start = start;
        c.interval_end = time;
        c.tariff_version = site->config.tariffs[m->tariff].version;
        c.time = time;
        c.cause = prepay__settle_cause((unsigned)cause_class, m->config.id);
        status = prepay__settle_charge(call, account, &c);
        if (status == PREPAY_OK) {
            status = prepay__settle_decide(call, account, time, 0, c.cause);
        }
        if (status != PREPAY_OK) {
            return status;
        }
    }
    status = prepay__settle_attribute(site, m, start, time, energy);
    if (status != PREPAY_OK) {
        return status;
    }
    m->total += energy;
    m->time = time;
    m->reading = value;
    *outcome = kind;
    return PREPAY_OK;
}

/* ---- batches ---------------------------------------------------------------------------- */

static bool time_ok(prepay_time_t t)
{
    return t >= 0 && t <= (prepay_time_t)UINT32_MAX;
}

static void count_outcome(prepay_settlement_result_t *r, int8_t outcome)
{
    switch (outcome) {
    case PREPAY_SETTLEMENT_SETTLED: r->settled++; break;
    case PREPAY_SETTLEMENT_ROLLOVER: r->settled++; r->anomalies++; break;
    case PREPAY_SETTLEMENT_PRIMED: r->primed++; break;
    case PREPAY_SETTLEMENT_RESET:
    case PREPAY_SETTLEMENT_JUMP: r->anomalies++; break;
    default: r->ignored++; break;
    }
}

/* What checking a reading needs of its meter record (the meter index gives the rest). */
static int check_record(const prepay_settlement_meter_t *m, const prepay_settlement_reading_t *r)
{
    if (r->di != 0u && m->config.di != 0u && r->di != m->config.di) {
        return PREPAY_E_SETTLEMENT_WRONG_DI;
    }
    if (r->value < 0 || (m->config.modulus > 0 && r->value >= m->config.modulus)) {
        return PREPAY_E_SETTLEMENT_BAD_READING;
    }
    if (m->account != PREPAY_SETTLEMENT_NONE && (m->flags & PREPAY__METER_OPEN) == 0u) {
        return PREPAY_E_SETTLEMENT_NOT_OPEN; /* the account's `opened`, kept on the meter */
    }
    return PREPAY_OK;
}

/* What checking a reading needs of the meter index alone: its meter, a time in range. */
static int check_index(const prepay_settlement_site_t *site, const prepay_settlement_reading_t *r, uint32_t *meter)
{
    uint32_t i = prepay__settle_find_meter(site, r->meter_id);
    if (i == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_METER;
    }
    if (!time_ok(r->time)) {
        return PREPAY_E_SETTLEMENT_ID_RANGE;
    }
    *meter = i;
    return PREPAY_OK;
}

/* Every check of one reading, in the order the error precedence needs. */
static int check_reading(const prepay_settlement_site_t *site, const prepay_settlement_reading_t *r, uint32_t *meter)
{
    int status = check_index(site, r, meter);
    return status != PREPAY_OK ? status : check_record(&site->memory.meters[*meter], r);
}

/* The first reading, in arrival order, that fails its checks: as a check pass before settling
 * would find it (the checks read only what settling never changes: the meter's configuration,
 * its account, its books-open flag). Returns its status and sets *at, or PREPAY_OK. */
static int first_bad_reading(const prepay_settlement_site_t *site, const prepay_settlement_reading_t *readings,
                             uint32_t n, uint32_t *at)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t meter;
        int status = check_reading(site, &readings[i], &meter);
        if (status != PREPAY_OK) {
            *at = i;
            return status;
        }
    }
    return PREPAY_OK;
}

/* A reading at the time of the meter's last one must carry the same value
 * (or, at a replacement, the old register's final value). */
static bool conflicts(const prepay_settlement_meter_t *m, prepay_time_t time, prepay_energy_t value)
{
    if ((m->flags & PREPAY__METER_PRIMED) == 0u || time != m->time || value == m->reading) {
        return false;
    }
    return !((m->flags & PREPAY__METER_REPLACED) != 0u && time == m->replaced_at && value == m->replaced_final);
}

/* Sorted reading k conflicts: with the reading before it (same meter and time, another value),
 * or with its meter's last reading. */
static inline bool conflicting(const prepay_settlement_site_t *site, const prepay_settlement_reading_t *readings,
                               const uint64_t *keys, const uint32_t *order, uint32_t k)
{
    const prepay_settlement_reading_t *r = &readings[order[k]];
    if (k > 0u && keys[k] == keys[k - 1u]) {
        return r->value != readings[order[k - 1u]].value;
    }
    return conflicts(&site->memory.meters[keys[k] >> 32], r->time, r->value);
}

/* Fails a batch whose settle pass stopped at sorted reading k with the error separate passes
 * would give (prepay_settlement_settle()): the first check failure in arrival order, else the
 * first conflict in sorted order from `from` on, else `status`, reading order[k]'s own failure
 * (another module's status kept as the detail). Undoes the call. */
static int fail_batch(prepay__settle_call_t *call, const prepay_settlement_reading_t *readings, const uint64_t *keys,
                      const uint32_t *order, uint32_t n, uint32_t k, uint32_t from, int status)
{
    const prepay_settlement_site_t *site = call->site;
    uint32_t bad = 0;
    int checked = first_bad_reading(site, readings, n, &bad);
    if (checked != PREPAY_OK) {
        return prepay__settle_fail(call, checked, bad, readings[bad].meter_id, 0);
    }
    for (uint32_t later = from; later < n; later++) {
        if (conflicting(site, readings, keys, order, later)) {
            return prepay__settle_fail(call, PREPAY_E_SETTLEMENT_CONFLICT, order[later], readings[order[later]].meter_id,
                                       0);
        }
    }
    uint32_t i = order[k];
    bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
    return prepay__settle_fail(call, status, i, readings[i].meter_id, ours ? 0 : status);
}

/* Prefetching on large sites (PREPAY__SETTLE_PREFETCH_METERS): a reading costs some 100-200 ns
 * and a DRAM miss about as much, so each step asks for what a later reading will need, in
 * stages whose data has arrived by the time the next stage reads it. Hints only: no result
 * depends on them. Macros, not functions: see PREPAY__SETTLE_PREFETCH. */
#define PREFETCH_SLOTS_AHEAD 16u  /* checks: the meter index slot of a reading's id */
#define PREFETCH_RECORDS_AHEAD 8u /* settling: the lines of the meter record a reading uses */
#define PREFETCH_ACCOUNTS_AHEAD 4u /* settling: those of its account record */

/* Every cache line of a record (read, then written or saved in the undo log). */
#define PREFETCH_LINES(record, size)                                                                         \
    do {                                                                                                     \
        const unsigned char *p_ = (const unsigned char *)(record);                                           \
        for (size_t o_ = 0; o_ < (size); o_ += 64u) {                                                        \
            PREPAY__SETTLE_PREFETCH_WRITE(p_ + o_);                                                          \
        }                                                                                                    \
        PREPAY__SETTLE_PREFETCH_WRITE(p_ + (size) - 1u);                                                     \
    } while (0)

/* While finding reading i's meter: the index slot of reading i + 16 (the slot holds the id: no
 * record is read before the settle pass). */
#define PREFETCH_CHECK(site, readings, n, i)                                                                 \
    do {                                                                                                     \
        const prepay_settlement_memory_t *mem_ = &(site)->memory;                                            \
        uint32_t mask_ = mem_->meter_index_slots - 1u;                                                       \
        if ((i) + PREFETCH_SLOTS_AHEAD < (n)) {                                                              \
            PREPAY__SETTLE_PREFETCH(                                                                         \
                &mem_->meter_index[prepay__settle_hash32((readings)[(i) + PREFETCH_SLOTS_AHEAD].meter_id) & mask_]); \
        }                                                                                                    \
    } while (0)

/* While settling sorted reading k: the meter record of reading k + 8 and the reading itself (in
 * arrival order, so at random in the batch, which settling has pushed out of the near caches by
 * then), the account record of reading k + 4 (its meter's line holding the account index arrived
 * meanwhile): the front of each record, what a reading reads and saves (PREPAY__METER_HOT_SIZE,
 * PREPAY__ACCOUNT_HOT_SIZE). */
#define PREFETCH_SETTLE(site, readings, keys, order, n, k)                                                   \
    do {                                                                                                     \
        const prepay_settlement_memory_t *mem_ = &(site)->memory;                                            \
        if ((k) + PREFETCH_RECORDS_AHEAD < (n)) {                                                            \
            PREFETCH_LINES(&mem_->meters[(keys)[(k) + PREFETCH_RECORDS_AHEAD] >> 32], PREPAY__METER_HOT_SIZE);  \
            PREPAY__SETTLE_PREFETCH(&(readings)[(order)[(k) + PREFETCH_RECORDS_AHEAD]]);                     \
        }                                                                                                    \
        if ((k) + PREFETCH_ACCOUNTS_AHEAD < (n)) {                                                           \
            uint32_t a_ = mem_->meters[(keys)[(k) + PREFETCH_ACCOUNTS_AHEAD] >> 32].account;                 \
            if (a_ != PREPAY_SETTLEMENT_NONE) {                                                              \
                const unsigned char *r_ = (const unsigned char *)&mem_->accounts[a_];                        \
                PREFETCH_LINES(r_, PREPAY__ACCOUNT_HOT_SIZE);                                                \
            }                                                                                                \
        }                                                                                                    \
    } while (0)

int prepay_settlement_settle(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                             prepay_settlement_work_t *work, const prepay_settlement_reading_t *readings, size_t count,
                             prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work || (!readings && count > 0u)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    if (count > work->sizes.readings) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    uint32_t n = (uint32_t)count;
    uint64_t *keys = work->keys;
    uint32_t *order = work->order;
    bool sorted = true;
    const bool ahead = site->meter_count >= PREPAY__SETTLE_PREFETCH_METERS;
    for (uint32_t i = 0; i < n; i++) {
        if (ahead) {
            PREFETCH_CHECK(site, readings, n, i);
        }
        uint32_t meter = 0;
        if (check_index(site, &readings[i], &meter) != PREPAY_OK) {
            /* Nothing changed yet: the first bad reading in arrival order (this one, or an
             * earlier one whose record check fails) is the error. */
            uint32_t at = i;
            int status = first_bad_reading(site, readings, n, &at);
            return prepay__settle_fail(&call, status, at, readings[at].meter_id, 0);
        }
        keys[i] = (uint64_t)meter << 32 | (uint64_t)(uint32_t)readings[i].time;
        order[i] = i;
        sorted = sorted && (i == 0u || keys[i] >= keys[i - 1u]);
    }
    if (!sorted) {
        prepay__settle_radix_sort(keys, order, keys + n, order + n, n);
    }
    /* The checks that read a meter's record, and conflicts, are made as each reading comes up
     * for settling: the records are read once, in sorted order. The error stays the one
     * separate passes before settling would give — any check failure wins, the first in arrival
     * order named; then any conflict, the first in sorted order; then a failure of settling —
     * because on any failure the checks run again over the whole batch in arrival order (they
     * read only what settling never changes: configuration, account, books-open flag) before
     * the undo, and conflicts are looked for in the rest of the batch. The conflict check reads
     * what settling never changes before it succeeds with a reading (the meter's flags, time,
     * register value and replacement), and a meter's earlier readings in the batch leave it as
     * conflicting or not as before them (a reading at the meter's last time follows only late
     * ones, which change nothing), so checking later readings after a failure, on the state
     * settling left, finds the conflict the separate pass would have. */
    for (uint32_t k = 0; k < n; k++) {
        if (ahead) {
            PREFETCH_SETTLE(site, readings, keys, order, n, k);
        }
        uint32_t i = order[k];
        int8_t outcome = PREPAY_SETTLEMENT_DUPLICATE;
        if (check_record(&site->memory.meters[keys[k] >> 32], &readings[i]) != PREPAY_OK ||
            conflicting(site, readings, keys, order, k)) {
            /* Reading k itself conflicts unless a check fails: the conflict search starts at k. */
            return fail_batch(&call, readings, keys, order, n, k, k, PREPAY_E_SETTLEMENT_CONFLICT);
        }
        if (k == 0u || keys[k] != keys[k - 1u]) {
            int status = prepay__settle_one(&call, (uint32_t)(keys[k] >> 32), readings[i].time, readings[i].value,
                                            PREPAY__CAUSE_READING, &outcome);
            if (status != PREPAY_OK) {
                return fail_batch(&call, readings, keys, order, n, k, k + 1u, status);
            }
        }
        work->outcomes[i] = outcome;
        count_outcome(result, outcome);
    }
    result->count = n;
    int status = prepay__settle_finish(&call);
    if (status != PREPAY_OK) {
        return status;
    }
    return (int)(result->settled + result->primed);
}

/* ---- replacement ------------------------------------------------------------------------- */

int prepay_settlement_replace_meter(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                    prepay_settlement_work_t *work, const prepay_settlement_replacement_t *repl,
                                    prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work || !repl) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    uint32_t meter = prepay__settle_find_meter(site, repl->meter_id);
    if (meter == PREPAY_SETTLEMENT_NONE) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_UNKNOWN_METER, 0, repl->meter_id, 0);
    }
    prepay_settlement_meter_t *m = &site->memory.meters[meter];
    prepay_energy_t modulus = repl->modulus != 0 ? repl->modulus : m->config.modulus;
    if (!time_ok(repl->time)) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_ID_RANGE, 0, repl->meter_id, 0);
    }
    if (repl->modulus < 0 || repl->final_reading < 0 || repl->initial_reading < 0 ||
        (m->config.modulus > 0 && repl->final_reading >= m->config.modulus) ||
        (modulus > 0 && repl->initial_reading >= modulus)) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_BAD_READING, 0, repl->meter_id, 0);
    }
    if (m->account != PREPAY_SETTLEMENT_NONE && !site->memory.accounts[m->account].opened) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_NOT_OPEN, 0, repl->meter_id, 0);
    }
    if ((m->flags & PREPAY__METER_REPLACED) != 0u && m->replaced_at == repl->time) {
        if (m->replaced_final == repl->final_reading && m->replaced_initial == repl->initial_reading &&
            m->config.modulus == modulus) {
            result->count = 1;
            result->ignored = 1;
            return PREPAY_LEDGER_EXISTS;
        }
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_CONFLICT, 0, repl->meter_id, 0);
    }
    bool primed = (m->flags & PREPAY__METER_PRIMED) != 0u;
    if (primed && (repl->time < m->time || (repl->time == m->time && repl->final_reading != m->reading))) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_CONFLICT, 0, repl->meter_id, 0);
    }
    prepay_energy_t before = m->total;
    int8_t outcome = PREPAY_SETTLEMENT_DUPLICATE;
    /* Whole, configuration included (the modulus changes), before anything else touches it. */
    int status = prepay__settle_touch(&call, PREPAY__UNDO_METER_FULL, meter);
    if (status == PREPAY_OK && primed && repl->time > m->time) {
        status = prepay__settle_one(&call, meter, repl->time, repl->final_reading, PREPAY__CAUSE_REPLACE, &outcome);
    }
    if (status == PREPAY_OK) {
        status = prepay__settle_touch(&call, PREPAY__UNDO_METER, meter);
    }
    if (status == PREPAY_OK) {
        m->flags |= PREPAY__METER_PRIMED | PREPAY__METER_REPLACED;
        m->time = repl->time;
        m->reading = repl->initial_reading;
        m->config.modulus = modulus;
        m->replaced_at = repl->time;
        m->replaced_final = repl->final_reading;
        m->replaced_initial = repl->initial_reading;
        status = meter_event(&call, m, PREPAY_SETTLEMENT_EVENT_REPLACED, repl->time, m->total - before);
    }
    if (status != PREPAY_OK) {
        bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
        return prepay__settle_fail(&call, status, 0, repl->meter_id, ours ? 0 : status);
    }
    result->count = 1;
    if (outcome != PREPAY_SETTLEMENT_DUPLICATE) {
        count_outcome(result, outcome);
    }
    return prepay__settle_finish(&call);
}

/* ---- DL/T 645 replies ---------------------------------------------------------------------- */

int prepay_settlement_reading_from_reply(const prepay_settlement_site_t *site, const prepay_dlt645_reading_t *reply,
                                         prepay_time_t time, prepay_settlement_reading_t *out, int *detail)
{
    if (!prepay__settle_ready(site) || !reply || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (detail) {
        *detail = reply->status;
    }
    if (reply->status != PREPAY_OK) {
        return PREPAY_E_SETTLEMENT_REPLY;
    }
    uint32_t meter = prepay__settle_find_address(site, &reply->address);
    if (meter == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_METER;
    }
    const prepay_settlement_meter_t *m = &site->memory.meters[meter];
    if (reply->kind != PREPAY_DLT645_KIND_NUMBER || reply->unit != PREPAY_DLT645_UNIT_KWH ||
        (m->config.di != 0u && reply->di != m->config.di)) {
        return PREPAY_E_SETTLEMENT_WRONG_DI;
    }
    out->meter_id = m->config.id;
    out->di = reply->di;
    out->time = time;
    out->value = reply->quantity;
    return PREPAY_OK;
}

int prepay_settlement_decode_reply(const prepay_settlement_site_t *site, prepay_dlt645_reader_t *reader,
                                   const uint8_t *bytes, size_t length, prepay_time_t time,
                                   prepay_settlement_reading_t *out, int *detail)
{
    if (!prepay__settle_ready(site) || !reader || !bytes || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_dlt645_reading_t reply;
    int used = prepay_dlt645_reader_decode(reader, bytes, length, &reply);
    if (used < 0) {
        if (detail) {
            *detail = used;
        }
        return used == PREPAY_E_INVALID_ARGUMENT || used == PREPAY_E_BAD_STATE ? used : PREPAY_E_SETTLEMENT_REPLY;
    }
    int status = prepay_settlement_reading_from_reply(site, &reply, time, out, detail);
    return status != PREPAY_OK ? status : used;
}
