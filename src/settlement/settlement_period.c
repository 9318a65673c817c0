/* SPDX-License-Identifier: MIT */
/*
 * Closing a period: common-area allocation per group (master minus
 * sub-meters, priced, split, posted), charge items (billing.h), postpaid
 * statements, and the wallet decisions of the accounts charged. What a
 * wallet cannot take becomes debt, so one tenant who cannot pay never stops
 * the close.
 */
#include <string.h>

#include "prepay/allocation.h"
#include "settlement_internal.h"

/* Scratch of a close, carved from work->scratch. */
typedef struct close_scratch {
    prepay_energy_t *subs;             /* energy per member of one group */
    prepay_allocation_part_t *parts;        /* parts of one group */
    prepay_allocation_line_t *lines;        /* allocation lines of one group (2 x members) */
    uint64_t *keys;                    /* lines by account (2 x members) */
    uint32_t *member_of;               /* member index of each position of a group */
    prepay_billing_account_t *billing; /* accounts as charge items see them */
    prepay_charge_t *charges;          /* charges due */
    size_t charge_cap;
    prepay_statement_t *statements;    /* issued statements (delivered by finish) */
    prepay_statement_line_t *statement_lines;
    uint32_t statement_count;
} close_scratch_t;

#define STATEMENT_EXTRA_LINES 3u /* common area, charge items, payments */

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

static uint32_t largest_group(const prepay_settlement_site_t *site)
{
    uint32_t most = 0;
    for (uint32_t i = 0; i < site->group_count; i++) {
        if (site->memory.groups[i].member_count > most) {
            most = site->memory.groups[i].member_count;
        }
    }
    return most;
}

/* Bytes of each scratch array, in carving order. */
#define SCRATCH_ARRAYS 9u

static bool scratch_plan(const prepay_settlement_site_t *site, size_t sizes[SCRATCH_ARRAYS], size_t *charge_cap)
{
    size_t members = largest_group(site);
    size_t accounts = site->account_count;
    size_t cap = (size_t)site->config.item_count * accounts * 2u;
    const size_t counts[SCRATCH_ARRAYS] = {members, members, 2u * members, 2u * members, accounts, cap,
                                           site->usage_count,
                                           (size_t)site->usage_count * (PREPAY_SETTLEMENT_USAGE_LINES +
                                                                        STATEMENT_EXTRA_LINES),
                                           members};
    const size_t each[SCRATCH_ARRAYS] = {sizeof(prepay_energy_t), sizeof(prepay_allocation_part_t),
                                         sizeof(prepay_allocation_line_t), sizeof(uint64_t),
                                         sizeof(prepay_billing_account_t), sizeof(prepay_charge_t),
                                         sizeof(prepay_statement_t), sizeof(prepay_statement_line_t),
                                         sizeof(uint32_t)};
    for (size_t i = 0; i < SCRATCH_ARRAYS; i++) {
        if (each[i] != 0u && counts[i] > SIZE_MAX / 16u / each[i]) {
            return false;
        }
        sizes[i] = align8(counts[i] * each[i]);
    }
    *charge_cap = cap;
    return true;
}

size_t prepay__settle_close_scratch(const prepay_settlement_site_t *site)
{
    size_t sizes[SCRATCH_ARRAYS], cap, total = 0;
    if (!scratch_plan(site, sizes, &cap)) {
        return SIZE_MAX;
    }
    for (size_t i = 0; i < SCRATCH_ARRAYS; i++) {
        total += sizes[i];
    }
    return total;
}

static bool carve(const prepay_settlement_site_t *site, prepay_settlement_work_t *work, close_scratch_t *s)
{
    size_t sizes[SCRATCH_ARRAYS], cap, total = 0;
    if (!scratch_plan(site, sizes, &cap)) {
        return false;
    }
    for (size_t i = 0; i < SCRATCH_ARRAYS; i++) {
        total += sizes[i];
    }
    if (total > work->sizes.scratch_bytes) {
        return false;
    }
    uint8_t *p = work->scratch;
    void *arrays[SCRATCH_ARRAYS];
    for (size_t i = 0; i < SCRATCH_ARRAYS; i++) {
        arrays[i] = p;
        p += sizes[i];
    }
    s->subs = arrays[0];
    s->parts = arrays[1];
    s->lines = arrays[2];
    s->keys = arrays[3];
    s->billing = arrays[4];
    s->charges = arrays[5];
    s->charge_cap = cap;
    s->statements = arrays[6];
    s->statement_lines = arrays[7];
    s->member_of = arrays[8];
    s->statement_count = 0;
    return true;
}

static int32_t active_days(const prepay_settlement_account_t *a, prepay_days_t start, prepay_days_t end)
{
    prepay_days_t from = a->config.active_from > start ? a->config.active_from : start;
    prepay_days_t to = a->config.active_to < end ? a->config.active_to : end;
    return to > from ? (int32_t)(to - from) : 0;
}

/* ---- one group ------------------------------------------------------------------------------ */

static int take_energy(prepay__settle_call_t *call, uint32_t meter, prepay_energy_t *out)
{
    prepay_settlement_site_t *site = call->site;
    int status = prepay__settle_touch(call, PREPAY__UNDO_METER, meter);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_settlement_meter_t *m = &site->memory.meters[meter];
    prepay__settle_meter_normalise(site, m);
    *out = m->open;
    m->open = 0;
    return PREPAY_OK;
}

static int post_share(prepay__settle_call_t *call, uint32_t group, uint32_t account_id, prepay_money_t money,
                      prepay_energy_t energy)
{
    prepay_settlement_site_t *site = call->site;
    const prepay_settlement_group_t *g = &site->memory.groups[group];
    uint32_t account = prepay__settle_find_account(site, account_id);
    if (account == PREPAY_SETTLEMENT_NONE) {
        return PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT;
    }
    prepay__settle_charge_t c;
    memset(&c, 0, sizeof c);
    c.kind = PREPAY_SETTLEMENT_KIND_ALLOCATION;
    c.debt_kind = PREPAY_SETTLEMENT_KIND_ALLOCATION_DEBT;
    c.subject = account_id;
    c.period = (uint32_t)(site->period_end / PREPAY_SECONDS_PER_DAY);
    c.sequence = g->config.number;
    c.amount = money;
    c.code = PREPAY_LEDGER_CODE_ALLOCATION;
    c.revenue = PREPAY_SETTLEMENT_SITE_COMMON_AREA;
    c.interval_start = site->period_start;
    c.interval_end = site->period_end;
    c.tariff_version = site->config.tariffs[g->config.tariff].version;
    c.time = site->period_end;
    c.cause = prepay__settle_cause(PREPAY__CAUSE_SHARE, g->config.number);
    int status = prepay__settle_charge(call, account, &c);
    if (status != PREPAY_OK || money == 0) {
        return status;
    }
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    const prepay_settlement_account_t *a = &site->memory.accounts[account];
    e.account_id = account_id;
    e.amount = money;
    e.energy = energy;
    e.balance = prepay__settle_event_balance(a);
    e.level = a->wallet.level;
    e.from_level = a->wallet.level;
    return prepay__settle_emit(call, &e, PREPAY_SETTLEMENT_EVENT_SHARE, account_id, site->period_end, c.cause);
}

static int64_t weight_of(const prepay_settlement_site_t *site, const prepay_settlement_group_t *g,
                         const prepay_settlement_member_t *mem, const prepay_settlement_account_t *a,
                         prepay_energy_t usage)
{
    (void)site;
    switch (g->config.method) {
    case PREPAY_SETTLEMENT_BY_RATIO: return mem->config.ratio;
    case PREPAY_SETTLEMENT_BY_AREA: return a->config.area;
    case PREPAY_SETTLEMENT_BY_USAGE: return usage;
    default: return 1;
    }
}

static int close_group(prepay__settle_call_t *call, close_scratch_t *s, uint32_t group)
{
    prepay_settlement_site_t *site = call->site;
    prepay_settlement_group_t *g = &site->memory.groups[group];
    if (g->member_count == 0u) {
        return PREPAY_E_SETTLEMENT_GROUP;
    }
    int status = prepay__settle_touch(call, PREPAY__UNDO_GROUP, group);
    prepay_energy_t master = 0;
    if (status == PREPAY_OK) {
        status = take_energy(call, g->master, &master);
    }
    uint32_t n = 0;
    for (uint32_t i = g->first_member; status == PREPAY_OK && i != PREPAY_SETTLEMENT_NONE;
         i = site->memory.members[i].next) {
        s->member_of[n] = i;
        status = take_energy(call, site->memory.members[i].meter, &s->subs[n++]);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_allocation_residual_t res;
    status = prepay_allocation_residual(master, s->subs, n, g->carry, (prepay_allocation_residual_policy_t)g->config.residual_policy,
                                   &res);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_money_t due = 0;
    status = prepay__settle_price_group(call, group, site->period_start, site->period_end, res.common, &due);
    if (status != PREPAY_OK) {
        return status;
    }
    g->carry = res.carry_out;
    g->last_common = res.common;
    g->last_charge = due;
    if (res.common == 0 && due == 0) {
        return PREPAY_OK;
    }
    prepay_days_t start_day = (prepay_days_t)(site->period_start / PREPAY_SECONDS_PER_DAY);
    prepay_days_t end_day = (prepay_days_t)(site->period_end / PREPAY_SECONDS_PER_DAY);
    bool by_days = (g->config.flags & PREPAY_SETTLEMENT_GROUP_BY_DAYS) != 0u;
    /* One part per account: a household's meters are all sub-meters, but it pays one share
     * (weighed once by area or equally; by the sum of its meters' usage or ratios). */
    for (uint32_t k = 0; k < n; k++) {
        const prepay_settlement_member_t *mem = &site->memory.members[s->member_of[k]];
        const prepay_settlement_account_t *a = &site->memory.accounts[site->memory.meters[mem->meter].account];
        s->keys[k] = (uint64_t)a->config.id << 32 | k;
    }
    prepay__settle_heap_sort(s->keys, n);
    uint32_t parts = 0;
    bool summed = g->config.method == PREPAY_SETTLEMENT_BY_USAGE || g->config.method == PREPAY_SETTLEMENT_BY_RATIO;
    for (uint32_t j = 0; j < n; j++) {
        uint32_t member_at = (uint32_t)s->keys[j];
        const prepay_settlement_member_t *mem = &site->memory.members[s->member_of[member_at]];
        const prepay_settlement_account_t *a = &site->memory.accounts[site->memory.meters[mem->meter].account];
        int64_t w = weight_of(site, g, mem, a, s->subs[member_at]);
        if (parts > 0 && s->parts[parts - 1].account_id == a->config.id) {
            if (summed && prepay_i64_add(s->parts[parts - 1].weight, w, &s->parts[parts - 1].weight) != PREPAY_OK) {
                return PREPAY_E_OVERFLOW;
            }
            continue;
        }
        prepay_allocation_part_t *p = &s->parts[parts++];
        p->account_id = a->config.id;
        p->weight = w;
        p->occupied_days = by_days ? active_days(a, start_day, end_day) : 0;
        p->vacant = (a->config.flags & PREPAY_SETTLEMENT_ACCOUNT_VACANT) != 0u;
    }
    prepay_allocation_request_t request;
    memset(&request, 0, sizeof request);
    request.energy = res.common;
    request.money = due;
    request.period_days = by_days ? (int32_t)(end_day - start_day) : 0;
    /* Without an owner, a vacant share is skipped (redistributed) rather than lost. */
    request.vacancy = g->config.owner_account_id != 0u ? (prepay_allocation_vacancy_t)g->config.vacancy : PREPAY_ALLOCATION_VACANT_SKIP;
    request.owner_account_id = g->config.owner_account_id;
    request.owner_pays_unoccupied = (g->config.flags & PREPAY_SETTLEMENT_GROUP_OWNER_PAYS_UNOCCUPIED) != 0u &&
                                    g->config.owner_account_id != 0u;
    size_t line_count = 0;
    status = prepay_allocation_allocate(&request, s->parts, parts, s->lines, 2u * n, &line_count);
    if (status == PREPAY_E_ALLOCATION_ZERO_WEIGHTS) {
        /* Nothing to weigh by (no usage, no area): one equal share per account. */
        for (uint32_t i = 0; i < parts; i++) {
            s->parts[i].weight = 1;
        }
        status = prepay_allocation_allocate(&request, s->parts, parts, s->lines, 2u * n, &line_count);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    /* One share per account (an account may have several sub-meters, or own vacant parts). */
    for (uint32_t i = 0; i < line_count; i++) {
        s->keys[i] = (uint64_t)s->lines[i].account_id << 32 | i;
    }
    prepay__settle_heap_sort(s->keys, (uint32_t)line_count);
    for (uint32_t i = 0; i < line_count;) {
        uint32_t account_id = (uint32_t)(s->keys[i] >> 32);
        prepay_money_t money = 0;
        prepay_energy_t energy = 0;
        for (; i < line_count && (uint32_t)(s->keys[i] >> 32) == account_id; i++) {
            const prepay_allocation_line_t *l = &s->lines[(uint32_t)s->keys[i]];
            money += l->money;
            energy += l->energy;
        }
        status = post_share(call, group, account_id, money, energy);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

/* ---- charge items --------------------------------------------------------------------------- */

static int close_items(prepay__settle_call_t *call, close_scratch_t *s, uint32_t *bad)
{
    prepay_settlement_site_t *site = call->site;
    if (site->config.item_count == 0u) {
        return PREPAY_OK;
    }
    size_t n = 0;
    for (uint32_t i = 0; i < site->account_count; i++) {
        const prepay_settlement_account_t *a = &site->memory.accounts[i];
        if ((a->config.flags & PREPAY_SETTLEMENT_ACCOUNT_VACANT) != 0u) {
            continue;
        }
        prepay_billing_account_t *b = &s->billing[n++];
        b->account_id = a->config.id;
        b->area = a->config.area;
        b->units = a->config.units;
        b->active_from = a->config.active_from;
        b->active_to = a->config.active_to;
    }
    prepay_days_t start_day = (prepay_days_t)(site->period_start / PREPAY_SECONDS_PER_DAY);
    prepay_days_t end_day = (prepay_days_t)(site->period_end / PREPAY_SECONDS_PER_DAY);
    size_t count = 0;
    int status = prepay_billing_run(start_day, end_day, site->config.items, site->config.item_count, s->billing, n,
                                    NULL, NULL, s->charges, s->charge_cap, &count);
    if (status != PREPAY_OK) {
        return status;
    }
    for (size_t i = 0; i < count; i++) {
        const prepay_charge_t *ch = &s->charges[i];
        uint32_t account = prepay__settle_find_account(site, (uint32_t)ch->account_id);
        prepay__settle_charge_t c;
        memset(&c, 0, sizeof c);
        c.kind = PREPAY_SETTLEMENT_KIND_CHARGE;
        c.debt_kind = PREPAY_SETTLEMENT_KIND_CHARGE_DEBT;
        c.subject = (uint32_t)ch->account_id;
        c.period = ch->occurrence;
        c.sequence = ch->item_id;
        c.amount = ch->amount;
        c.code = PREPAY_LEDGER_CODE_FEE;
        c.revenue = PREPAY_SETTLEMENT_SITE_CHARGES;
        c.interval_start = (prepay_time_t)ch->covered_start * PREPAY_SECONDS_PER_DAY;
        c.interval_end = (prepay_time_t)ch->covered_end * PREPAY_SECONDS_PER_DAY;
        c.time = site->period_end;
        c.cause = prepay__settle_cause(PREPAY__CAUSE_CHARGE, (uint32_t)ch->item_id << 16 | ch->occurrence);
        status = prepay__settle_charge(call, account, &c);
        if (status == PREPAY_OK && ch->amount != 0) {
            const prepay_settlement_account_t *a = &site->memory.accounts[account];
            prepay_settlement_event_t e;
            memset(&e, 0, sizeof e);
            e.account_id = a->config.id;
            e.amount = ch->amount;
            e.detail = ch->item_id;
            e.balance = prepay__settle_event_balance(a);
            e.level = a->wallet.level;
            e.from_level = a->wallet.level;
            status = prepay__settle_emit(call, &e, PREPAY_SETTLEMENT_EVENT_CHARGE, a->config.id, site->period_end,
                                         c.cause);
        }
        if (status != PREPAY_OK) {
            *bad = (uint32_t)ch->account_id;
            return status;
        }
    }
    return PREPAY_OK;
}

/* ---- statements ------------------------------------------------------------------------------ */

/* Energy lines of a statement: the period's posted energy money split over the
 * usage lines by their exact amounts (largest remainder), so they add up. */
static int energy_lines(prepay_statement_t *st, const prepay_settlement_usage_t *u, prepay_days_t date)
{
    int64_t weights[PREPAY_SETTLEMENT_USAGE_LINES];
    int64_t shares[PREPAY_SETTLEMENT_USAGE_LINES];
    bool any = false;
    for (uint32_t i = 0; i < u->count; i++) {
        const prepay_amount_t *a = &u->lines[i].amount;
        int64_t w = 0;
        if (a->units >= 0 && prepay_i64_mul(a->units, PREPAY_AMOUNT_NANOS, &w) == PREPAY_OK &&
            prepay_i64_add(w, a->nanos, &w) == PREPAY_OK) {
            weights[i] = w;
        } else {
            weights[i] = a->units > 0 ? a->units : 0;
        }
        any = any || weights[i] > 0;
    }
    if (u->count == 0u) {
        return PREPAY_OK;
    }
    if (!any) {
        for (uint32_t i = 0; i < u->count; i++) {
            weights[i] = 1;
        }
    }
    int status = prepay_allocation_split(u->posted, weights, u->count, shares);
    for (uint32_t i = 0; status == PREPAY_OK && i < u->count; i++) {
        prepay_statement_line_t line;
        memset(&line, 0, sizeof line);
        line.kind = PREPAY_BILLING_LINE_ENERGY;
        line.band = u->lines[i].band;
        line.tier = u->lines[i].tier;
        line.energy = u->lines[i].energy;
        line.amount = shares[i];
        line.date = date;
        status = prepay_billing_statement_add(st, &line);
    }
    return status;
}

static int add_line(prepay_statement_t *st, prepay_statement_line_kind_t kind, prepay_money_t amount,
                    prepay_days_t date)
{
    if (amount == 0) {
        return PREPAY_OK;
    }
    prepay_statement_line_t line;
    memset(&line, 0, sizeof line);
    line.kind = kind;
    line.amount = amount;
    line.date = date;
    return prepay_billing_statement_add(st, &line);
}

static int close_statements(prepay__settle_call_t *call, close_scratch_t *s, uint32_t *bad)
{
    prepay_settlement_site_t *site = call->site;
    prepay_days_t start_day = (prepay_days_t)(site->period_start / PREPAY_SECONDS_PER_DAY);
    prepay_days_t end_day = (prepay_days_t)(site->period_end / PREPAY_SECONDS_PER_DAY);
    const size_t per = PREPAY_SETTLEMENT_USAGE_LINES + STATEMENT_EXTRA_LINES;
    for (uint32_t i = 0; i < site->account_count; i++) {
        prepay_settlement_account_t *a = &site->memory.accounts[i];
        if (a->config.kind != PREPAY_SETTLEMENT_POSTPAID) {
            continue;
        }
        *bad = a->config.id;
        int status = prepay__settle_touch(call, PREPAY__UNDO_ACCOUNT, i);
        if (status != PREPAY_OK) {
            return status;
        }
        prepay_settlement_usage_t *u = &site->memory.usage[a->usage];
        prepay_statement_t *st = &s->statements[s->statement_count];
        status = prepay_billing_statement_init(st, a->config.id, start_day, end_day, a->statement_opening,
                                               s->statement_lines + (size_t)s->statement_count * per, per);
        if (status == PREPAY_OK) {
            status = energy_lines(st, u, end_day);
        }
        if (status == PREPAY_OK) {
            status = add_line(st, PREPAY_BILLING_LINE_COMMON_AREA, a->period_shares, end_day);
        }
        if (status == PREPAY_OK) {
            status = add_line(st, PREPAY_BILLING_LINE_CHARGE_ITEM, a->period_items, end_day);
        }
        if (status == PREPAY_OK) {
            status = add_line(st, PREPAY_BILLING_LINE_PAYMENT, a->period_paid, end_day);
        }
        if (status == PREPAY_OK) {
            status = prepay_billing_statement_confirm(st);
        }
        if (status == PREPAY_OK) {
            status = prepay_billing_statement_issue(st, end_day, end_day + site->config.due_days);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        s->statement_count++;
        a->statement_opening = st->closing;
        a->period_paid = 0;
        a->period_shares = 0;
        a->period_items = 0;
        memset(u, 0, sizeof *u);
        prepay_settlement_event_t e;
        memset(&e, 0, sizeof e);
        e.account_id = a->config.id;
        e.amount = st->closing;
        e.detail = (prepay_money_t)st->statement_id;
        e.balance = prepay__settle_event_balance(a);
        status = prepay__settle_emit(call, &e, PREPAY_SETTLEMENT_EVENT_STATEMENT, a->config.id, site->period_end,
                                     prepay__settle_cause(PREPAY__CAUSE_CLOSE, site->period_index));
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return PREPAY_OK;
}

static void deliver_statements(prepay__settle_call_t *call, void *context)
{
    const close_scratch_t *s = context;
    prepay_settlement_sink_t *sink = &call->work->sink;
    if (!sink->statement) {
        return;
    }
    for (uint32_t i = 0; i < s->statement_count; i++) {
        sink->statement(sink->context, &s->statements[i]);
    }
}

/* ---- the close ----------------------------------------------------------------------------------- */

int prepay_settlement_close_period(prepay_settlement_site_t *site, const prepay_settlement_books_t *books,
                                   prepay_settlement_work_t *work, prepay_time_t next_end,
                                   prepay_settlement_result_t *result)
{
    prepay_settlement_result_t local;
    if (!result) {
        result = &local;
    }
    if (!prepay__settle_ready(site) || !books || !books->ledger || !work) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay__settle_call_t call;
    prepay__settle_begin(&call, site, books, work, result);
    if (site->period_index > 0u && next_end <= site->period_end) {
        /* A close already made (the same input again): nothing to do. */
        result->ignored = 1;
        return PREPAY_LEDGER_EXISTS;
    }
    if (next_end <= site->period_end || next_end > (prepay_time_t)UINT32_MAX ||
        next_end % PREPAY_SECONDS_PER_DAY != 0) {
        return prepay__settle_fail(&call, PREPAY_E_SETTLEMENT_PERIOD, PREPAY_SETTLEMENT_NONE, 0, 0);
    }
    close_scratch_t s;
    if (!carve(site, work, &s)) {
        return prepay__settle_fail(&call, PREPAY_E_BUFFER_TOO_SMALL, PREPAY_SETTLEMENT_NONE, 0, 0);
    }
    int status = prepay__settle_touch(&call, PREPAY__UNDO_SITE, 0);
    if (status != PREPAY_OK) {
        return prepay__settle_fail(&call, status, PREPAY_SETTLEMENT_NONE, 0, 0);
    }
    for (uint32_t g = 0; g < site->group_count; g++) {
        status = close_group(&call, &s, g);
        if (status != PREPAY_OK) {
            bool ours = PREPAY_STATUS_MODULE(status) == PREPAY_MODULE_SETTLEMENT || status == PREPAY_E_BUFFER_TOO_SMALL;
            return prepay__settle_fail(&call, ours ? status : PREPAY_E_SETTLEMENT_GROUP, g,
                                       site->memory.groups[g].config.number, ours ? 0 : status);
        }
    }
    uint32_t bad = 0;
    status = close_items(&call, &s, &bad);
    if (status == PREPAY_OK) {
        status = close_statements(&call, &s, &bad);
    }
    if (status != PREPAY_OK) {
        return prepay__settle_fail(&call, status, PREPAY_SETTLEMENT_NONE, bad, status);
    }
    uint64_t cause = prepay__settle_cause(PREPAY__CAUSE_CLOSE, site->period_index);
    for (uint32_t i = 0; i < site->account_count; i++) {
        prepay_settlement_account_t *a = &site->memory.accounts[i];
        if (!prepay__settle_account_saved(site, a) || a->config.kind == PREPAY_SETTLEMENT_POSTPAID) {
            continue; /* not charged by this close */
        }
        status = prepay__settle_decide(&call, i, site->period_end, 0, cause);
        if (status != PREPAY_OK) {
            return prepay__settle_fail(&call, status, PREPAY_SETTLEMENT_NONE, a->config.id, status);
        }
    }
    site->period_index++;
    site->period_start = site->period_end;
    site->period_end = next_end;
    result->count = site->group_count;
    call.deliver = deliver_statements;
    call.deliver_context = &s;
    return prepay__settle_finish(&call);
}
