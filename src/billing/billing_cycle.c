/* SPDX-License-Identifier: MIT */
/*
 * Charge items and cycle runs (see billing.h): schedules, proration, charge
 * ids, and the two-pass run (validate and price everything, then emit).
 */
#include <stddef.h>

#include "billing_internal.h"

int prepay_billing_charge_id(uint64_t account_id, uint16_t item_id, uint16_t occurrence, uint64_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (account_id == 0 || account_id > PREPAY__BILLING_MAX_ACCOUNT || item_id == 0) {
        return PREPAY_E_BILLING_ID_RANGE;
    }
    *out = account_id << 32 | (uint64_t)item_id << 16 | (uint64_t)occurrence;
    return PREPAY_OK;
}

int prepay_billing_add_months(prepay_days_t anchor, int32_t months, prepay_days_t *out)
{
    if (!out || months < 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int32_t year;
    uint8_t month, day;
    int status = prepay_time_date_from_days(anchor, &year, &month, &day);
    if (status != PREPAY_OK) {
        return status;
    }
    int64_t index = (int64_t)year * 12 + (int64_t)(month - 1) + (int64_t)months;
    if (index > (int64_t)9999 * 12 + 11) {
        return PREPAY_E_BAD_DATE;
    }
    int32_t new_year = (int32_t)(index / 12);
    unsigned new_month = (unsigned)(index % 12) + 1u;
    int length = prepay_time_days_in_month(new_year, new_month);
    if (length < 0) {
        return length;
    }
    unsigned new_day = day < (unsigned)length ? day : (unsigned)length;
    return prepay_time_days_from_date(new_year, new_month, new_day, out);
}

static int step_months(prepay_charge_schedule_t schedule)
{
    switch (schedule) {
    case PREPAY_BILLING_MONTHLY: return 1;
    case PREPAY_BILLING_QUARTERLY: return 3;
    case PREPAY_BILLING_YEARLY: return 12;
    default: return 0;
    }
}

static int check_item(const prepay_charge_item_t *item)
{
    if (item->item_id == 0) {
        return PREPAY_E_BILLING_ID_RANGE;
    }
    if (item->account_id > PREPAY__BILLING_MAX_ACCOUNT) {
        return PREPAY_E_BILLING_ID_RANGE;
    }
    if ((unsigned)item->basis > (unsigned)PREPAY_BILLING_PER_UNIT ||
        (unsigned)item->schedule > (unsigned)PREPAY_BILLING_YEARLY ||
        (unsigned)item->proration > (unsigned)PREPAY_BILLING_PRORATE_BY_DAY ||
        (unsigned)item->collection > (unsigned)PREPAY_BILLING_COLLECT_BILL || item->effective_to <= item->effective_from) {
        return PREPAY_E_BILLING_BAD_ITEM;
    }
    return PREPAY_OK;
}

static int check_account(const prepay_billing_account_t *account)
{
    if (account->account_id == 0 || account->account_id > PREPAY__BILLING_MAX_ACCOUNT) {
        return PREPAY_E_BILLING_ID_RANGE;
    }
    if (account->area < 0 || account->units < 0) {
        return PREPAY_E_BILLING_BAD_ITEM;
    }
    if (account->active_to < account->active_from) {
        return PREPAY_E_BILLING_BAD_PERIOD;
    }
    return PREPAY_OK;
}

/* rate x quantity / scale, times covered / period days when prorated; rounded once, half-up. */
static int charge_amount(const prepay_charge_item_t *item, const prepay_billing_account_t *account, int32_t covered,
                         int32_t period_days, prepay_money_t *out)
{
    int64_t quantity = 1, scale = 1;
    if (item->basis == PREPAY_BILLING_PER_AREA) {
        quantity = account->area;
        scale = 100;
    } else if (item->basis == PREPAY_BILLING_PER_UNIT) {
        quantity = account->units;
    }
    if (item->proration == PREPAY_BILLING_PRORATE_BY_DAY && covered < period_days) {
        int status = prepay_i64_mul(quantity, (int64_t)covered, &quantity);
        if (status != PREPAY_OK) {
            return status;
        }
        scale *= (int64_t)period_days; /* <= 100 x 366 */
    }
    return prepay_i64_muldiv(item->rate, quantity, scale, PREPAY_ROUND_HALF_UP, out);
}

typedef struct emitter {
    prepay_charge_lookup_fn lookup; /* NULL in the validation pass */
    void *context;
    prepay_charge_t *charges; /* NULL in the validation pass */
    size_t cap;
    size_t count;
} emitter_t;

static int emit(emitter_t *e, const prepay_charge_item_t *item, const prepay_billing_account_t *account, int64_t k,
                prepay_days_t ps, prepay_days_t pe, prepay_days_t cs, prepay_days_t ce)
{
    if (k > 0xFFFF) {
        return PREPAY_E_BILLING_ID_RANGE;
    }
    prepay_charge_t c;
    c.account_id = account->account_id;
    c.item_id = item->item_id;
    c.occurrence = (uint16_t)k;
    c.name = item->name;
    c.period_start = ps;
    c.period_end = pe;
    c.covered_start = cs;
    c.covered_end = ce;
    c.collection = item->collection;
    int status = prepay_billing_charge_id(c.account_id, c.item_id, c.occurrence, &c.charge_id);
    if (status == PREPAY_OK) {
        status = charge_amount(item, account, (int32_t)(ce - cs), (int32_t)(pe - ps), &c.amount);
    }
    if (status != PREPAY_OK || !e->charges) {
        return status;
    }
    if (e->lookup) {
        int seen = e->lookup(e->context, c.charge_id);
        if (seen < 0) {
            return seen;
        }
        if (seen > 0) {
            return PREPAY_OK;
        }
    }
    if (e->count < e->cap) {
        e->charges[e->count] = c;
    }
    e->count++;
    return PREPAY_OK;
}

static int visit(prepay_days_t start, prepay_days_t end, const prepay_charge_item_t *item,
                 const prepay_billing_account_t *account, emitter_t *e)
{
    if (item->account_id != 0 && item->account_id != account->account_id) {
        return PREPAY_OK;
    }
    /* The due day (first covered day) must lie in [lo, hi). */
    prepay_days_t lo = prepay__days_max(start, prepay__days_max(item->effective_from, account->active_from));
    prepay_days_t hi = prepay__days_min(end, prepay__days_min(item->effective_to, account->active_to));
    if (lo >= hi) {
        return PREPAY_OK;
    }
    if (item->schedule == PREPAY_BILLING_ONCE) {
        if (item->anchor < lo || item->anchor >= hi) {
            return PREPAY_OK;
        }
        return emit(e, item, account, 0, item->anchor, item->anchor + 1, item->anchor, item->anchor + 1);
    }
    int32_t step = step_months(item->schedule);
    int32_t anchor_year, lo_year;
    uint8_t anchor_month, lo_month, unused_day;
    int status = prepay_time_date_from_days(item->anchor, &anchor_year, &anchor_month, &unused_day);
    if (status == PREPAY_OK) {
        status = prepay_time_date_from_days(lo, &lo_year, &lo_month, &unused_day);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    /* First occurrence that can end after lo: every earlier one starts before lo's month. */
    int64_t diff = ((int64_t)lo_year * 12 + lo_month) - ((int64_t)anchor_year * 12 + anchor_month);
    int64_t k = diff / step - 1;
    if (k < 0) {
        k = 0;
    }
    for (;; k++) {
        if (k > 0xFFFF) {
            return PREPAY_E_BILLING_ID_RANGE;
        }
        prepay_days_t ps, pe;
        status = prepay_billing_add_months(item->anchor, (int32_t)(k * step), &ps);
        if (status != PREPAY_OK) {
            return status;
        }
        if (ps >= hi) {
            return PREPAY_OK;
        }
        status = prepay_billing_add_months(item->anchor, (int32_t)((k + 1) * step), &pe);
        if (status != PREPAY_OK) {
            return status;
        }
        if (pe <= lo) {
            continue;
        }
        prepay_days_t cs = prepay__days_max(ps, prepay__days_max(item->effective_from, account->active_from));
        prepay_days_t ce = prepay__days_min(pe, prepay__days_min(item->effective_to, account->active_to));
        if (cs < ce && cs >= start && cs < end) {
            status = emit(e, item, account, k, ps, pe, cs, ce);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
}

/* True if the accounts are in strictly increasing id order (then lookups can bisect). */
static bool accounts_increasing(const prepay_billing_account_t *accounts, size_t count)
{
    for (size_t a = 1; a < count; a++) {
        if (accounts[a - 1].account_id >= accounts[a].account_id) {
            return false;
        }
    }
    return true;
}

/* Index of the account with this id in increasing-id accounts, or count. */
static size_t bisect_account(const prepay_billing_account_t *accounts, size_t count, uint64_t id)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (accounts[mid].account_id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < count && accounts[lo].account_id == id ? lo : count;
}

static int visit_all(prepay_days_t start, prepay_days_t end, const prepay_charge_item_t *items, size_t item_count,
                     const prepay_billing_account_t *accounts, size_t account_count, bool sorted, emitter_t *e)
{
    for (size_t i = 0; i < item_count; i++) {
        if (sorted && items[i].account_id != 0) {
            /* An item of one account visits that account only: O(log n), not O(n). */
            size_t a = bisect_account(accounts, account_count, items[i].account_id);
            int status = a < account_count ? visit(start, end, &items[i], &accounts[a], e) : PREPAY_OK;
            if (status != PREPAY_OK) {
                return status;
            }
            continue;
        }
        for (size_t a = 0; a < account_count; a++) {
            int status = visit(start, end, &items[i], &accounts[a], e);
            if (status != PREPAY_OK) {
                return status;
            }
        }
    }
    return PREPAY_OK;
}

int prepay_billing_run(prepay_days_t start, prepay_days_t end, const prepay_charge_item_t *items, size_t item_count,
                       const prepay_billing_account_t *accounts, size_t account_count,
                       prepay_charge_lookup_fn already_charged, void *context, prepay_charge_t *charges,
                       size_t charges_cap, size_t *charge_count)
{
    if ((!items && item_count > 0) || (!accounts && account_count > 0) || !charges || !charge_count) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (end <= start) {
        return PREPAY_E_BILLING_BAD_PERIOD;
    }
    /* Ids in strictly increasing order are unique by that alone (O(n));
     * otherwise every pair is compared (O(n^2)). */
    bool items_sorted = true;
    for (size_t i = 0; i < item_count; i++) {
        int status = check_item(&items[i]);
        if (status != PREPAY_OK) {
            return status;
        }
        items_sorted = items_sorted && (i == 0 || items[i - 1].item_id < items[i].item_id);
    }
    for (size_t i = 0; i < item_count && !items_sorted; i++) {
        for (size_t j = 0; j < i; j++) {
            if (items[j].item_id == items[i].item_id) {
                return PREPAY_E_BILLING_DUPLICATE;
            }
        }
    }
    for (size_t a = 0; a < account_count; a++) {
        int status = check_account(&accounts[a]);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    bool sorted = accounts_increasing(accounts, account_count);
    for (size_t a = 0; a < account_count && !sorted; a++) {
        for (size_t b = 0; b < a; b++) {
            if (accounts[b].account_id == accounts[a].account_id) {
                return PREPAY_E_BILLING_DUPLICATE;
            }
        }
    }
    /* Pass 1: every schedule walked and every amount priced, nothing written. */
    emitter_t check = {NULL, NULL, NULL, 0, 0};
    int status = visit_all(start, end, items, item_count, accounts, account_count, sorted, &check);
    if (status != PREPAY_OK) {
        return status;
    }
    /* Pass 2: ask the lookup, write what is new. */
    emitter_t out = {already_charged, context, charges, charges_cap, 0};
    status = visit_all(start, end, items, item_count, accounts, account_count, sorted, &out);
    if (status != PREPAY_OK) {
        return status;
    }
    *charge_count = out.count;
    return out.count > charges_cap ? PREPAY_E_BUFFER_TOO_SMALL : PREPAY_OK;
}
