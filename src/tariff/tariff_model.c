/* SPDX-License-Identifier: MIT */
/* Tariff model: initialisation, validation, plans, accounts, prices, cycles and tier bounds. */
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_internal.h"

/* Days in a month of a non-leap year (season starts are recurring month-days). */
static unsigned month_days_common(unsigned month)
{
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[month - 1];
}

int prepay_tariff_init(prepay_tariff_t *tariff)
{
    if (!tariff) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(tariff, 0, sizeof *tariff);
    tariff->unit = PREPAY_TARIFF_UNIT_ENERGY;
    tariff->band_count = 1;
    tariff->schedule.default_band = 1;
    tariff->tou_tier_mode = PREPAY_TOU_TIER_UNIFORM;
    tariff->cycle_kind = PREPAY_CYCLE_MONTH;
    tariff->cycle_start_month = 1;
    tariff->cycle_start_day = 1;
    tariff->tier_count = 1;
    tariff->ladder_count = 1;
    for (unsigned i = 0; i < 12; i++) {
        for (unsigned t = 0; t < PREPAY_MAX_TIERS; t++) {
            tariff->ladders[i].upper[t] = PREPAY_TIER_UNBOUNDED;
        }
    }
    tariff->proration = PREPAY_PRORATE_NONE;
    tariff->prices.mode = PREPAY_PRICE_DIRECT;
    tariff->prices.derive_quantum = 1;
    tariff->prices.derive_rounding = PREPAY_ROUND_HALF_UP;
    tariff->rounding = PREPAY_ROUND_HALF_UP;
    tariff->round_scope = PREPAY_ROUND_PER_LINE;
    return PREPAY_OK;
}

static int check_day(prepay_days_t day)
{
    int32_t y;
    uint8_t m, d;
    return prepay_time_date_from_days(day, &y, &m, &d) == PREPAY_OK ? PREPAY_OK : PREPAY_E_TARIFF_BAD_DATE;
}

static int validate_enums(const prepay_tariff_t *t)
{
    if ((unsigned)t->unit > PREPAY_TARIFF_UNIT_WATER || (unsigned)t->tou_tier_mode > (PREPAY_TARIFF_PROPORTIONAL ? PREPAY_TOU_TIER_PROPORTIONAL : PREPAY_TOU_TIER_PROPORTIONAL - 1) ||
        (unsigned)t->cycle_kind > PREPAY_CYCLE_YEAR || (unsigned)t->proration > (PREPAY_TARIFF_PRORATION ? PREPAY_PRORATE_BY_DAY : PREPAY_PRORATE_NONE) ||
        (unsigned)t->rounding > PREPAY_ROUND_CEILING || (unsigned)t->round_scope > PREPAY_ROUND_PER_BILL ||
        (unsigned)t->prices.mode > PREPAY_PRICE_DERIVED ||
        (unsigned)t->prices.derive_rounding > PREPAY_ROUND_CEILING) {
        return PREPAY_E_TARIFF_BAD_ENUM;
    }
    return PREPAY_OK;
}

static int validate_counts(const prepay_tariff_t *t)
{
    const prepay_tou_schedule_t *s = &t->schedule;
    if (t->band_count < 1 || t->band_count > PREPAY_MAX_TARIFF_INDEX) {
        return PREPAY_E_TARIFF_BAD_BAND;
    }
    if (s->season_count > PREPAY_MAX_SEASONS || s->day_table_count > PREPAY_MAX_DAY_TABLES ||
        s->holiday_count > PREPAY_MAX_HOLIDAYS || s->override_count > PREPAY_MAX_DATE_OVERRIDES ||
        t->tier_count < 1 || t->tier_count > PREPAY_MAX_TIERS || t->ladder_count < 1 || t->ladder_count > 12 ||
        t->fixed_charge_count > PREPAY_MAX_FIXED_CHARGES) {
        return PREPAY_E_TARIFF_CAPACITY;
    }
    for (unsigned m = 0; m < 12; m++) {
        if (t->ladder_of_month[m] >= t->ladder_count) {
            return PREPAY_E_TARIFF_CAPACITY;
        }
    }
    return PREPAY_OK;
}

static int validate_schedule(const prepay_tariff_t *t)
{
    const prepay_tou_schedule_t *s = &t->schedule;
    if (s->default_band < 1 || s->default_band > t->band_count) {
        return PREPAY_E_TARIFF_BAD_BAND;
    }
    for (unsigned i = 0; i < s->day_table_count; i++) {
        const prepay_tou_day_table_t *table = &s->day_tables[i];
        if (table->slot_count == 0) {
            return PREPAY_E_TARIFF_DAY_TABLE_EMPTY;
        }
        if (table->slot_count > PREPAY_MAX_DAY_SLOTS) {
            return PREPAY_E_TARIFF_CAPACITY;
        }
        for (unsigned k = 0; k < table->slot_count; k++) {
            if (table->slots[k].start_minute >= PREPAY_MINUTES_PER_DAY) {
                return PREPAY_E_TARIFF_SLOT_RANGE;
            }
            if (k > 0 && table->slots[k].start_minute <= table->slots[k - 1].start_minute) {
                return PREPAY_E_TARIFF_SLOT_ORDER;
            }
            if (table->slots[k].band < 1 || table->slots[k].band > t->band_count) {
                return PREPAY_E_TARIFF_BAD_BAND;
            }
        }
    }
    unsigned previous = 0;
    for (unsigned i = 0; i < s->season_count; i++) {
        const prepay_tou_season_t *season = &s->seasons[i];
        if (season->start_month < 1 || season->start_month > 12 || season->start_day < 1 ||
            season->start_day > month_days_common(season->start_month)) {
            return PREPAY_E_TARIFF_BAD_DATE;
        }
        unsigned mmdd = season->start_month * 100u + season->start_day;
        if (i > 0 && mmdd == previous) {
            return PREPAY_E_TARIFF_SEASON_OVERLAP;
        }
        if (i > 0 && mmdd < previous) {
            return PREPAY_E_TARIFF_SEASON_ORDER;
        }
        previous = mmdd;
        if (season->weekday_table >= s->day_table_count || season->saturday_table >= s->day_table_count ||
            season->sunday_table >= s->day_table_count || season->holiday_table >= s->day_table_count) {
            return PREPAY_E_TARIFF_BAD_DAY_TABLE;
        }
    }
    for (unsigned i = 0; i < s->holiday_count; i++) {
        const prepay_tou_holiday_t *h = &s->holidays[i];
        if (check_day(h->day) != PREPAY_OK) {
            return PREPAY_E_TARIFF_BAD_DATE;
        }
        if (i > 0 && h->day <= s->holidays[i - 1].day) {
            return PREPAY_E_TARIFF_HOLIDAY_ORDER;
        }
        if (h->table > s->day_table_count) {
            return PREPAY_E_TARIFF_BAD_DAY_TABLE;
        }
    }
    for (unsigned i = 0; i < s->override_count; i++) {
        const prepay_tou_override_t *o = &s->overrides[i];
        if (check_day(o->day) != PREPAY_OK) {
            return PREPAY_E_TARIFF_BAD_DATE;
        }
        if (o->start_minute >= o->end_minute || o->end_minute > PREPAY_MINUTES_PER_DAY) {
            return PREPAY_E_TARIFF_OVERRIDE_RANGE;
        }
        if (o->band < 1 || o->band > t->band_count) {
            return PREPAY_E_TARIFF_BAD_BAND;
        }
        if (i > 0) {
            const prepay_tou_override_t *p = &s->overrides[i - 1];
            if (o->day < p->day || (o->day == p->day && o->start_minute < p->end_minute)) {
                return PREPAY_E_TARIFF_OVERRIDE_ORDER;
            }
        }
    }
    return PREPAY_OK;
}

static int validate_tiers(const prepay_tariff_t *t)
{
    unsigned n = t->tier_count;
    for (unsigned l = 0; l < t->ladder_count; l++) {
        const prepay_tier_ladder_t *ladder = &t->ladders[l];
        if (ladder->per_day > (PREPAY_TARIFF_DAILY_LADDERS ? 1 : 0)) {
            return PREPAY_E_TARIFF_BAD_ENUM;
        }
        for (unsigned i = 0; i + 1 < n; i++) {
            if (ladder->upper[i] <= 0 || ladder->upper[i] == PREPAY_TIER_UNBOUNDED ||
                (i > 0 && ladder->upper[i] <= ladder->upper[i - 1])) {
                return PREPAY_E_TARIFF_TIER_ORDER;
            }
        }
        if (ladder->upper[n - 1] != PREPAY_TIER_UNBOUNDED) {
            if (n >= 2 && ladder->upper[n - 1] <= ladder->upper[n - 2]) {
                return PREPAY_E_TARIFF_TIER_ORDER;
            }
            return PREPAY_E_TARIFF_TIER_FINITE_LAST;
        }
    }
    return PREPAY_OK;
}

static int validate_prices(const prepay_tariff_t *t)
{
    const prepay_tariff_prices_t *p = &t->prices;
    if (p->mode == PREPAY_PRICE_DERIVED) {
        if (p->derive_quantum < 1 || prepay_price_check(p->derive_base) != PREPAY_OK ||
            prepay_price_check(p->derive_adder) != PREPAY_OK) {
            return PREPAY_E_TARIFF_BAD_DERIVATION;
        }
        for (unsigned b = 0; b < t->band_count; b++) {
            if (p->band_ratio[b] < 0) {
                return PREPAY_E_TARIFF_BAD_DERIVATION;
            }
        }
    } else {
        for (unsigned b = 0; b < t->band_count; b++) {
            if (prepay_price_check(p->band_price[b]) != PREPAY_OK) {
                return PREPAY_E_TARIFF_BAD_PRICE;
            }
        }
    }
    for (unsigned k = 0; k < t->tier_count; k++) {
        if (prepay_price_check(p->tier_surcharge[k]) != PREPAY_OK) {
            return PREPAY_E_TARIFF_BAD_PRICE;
        }
    }
    for (unsigned b = 0; b < t->band_count; b++) {
        for (unsigned k = 0; k < t->tier_count; k++) {
            if (prepay_price_check(p->band_tier_price[b][k]) != PREPAY_OK) {
                return PREPAY_E_TARIFF_BAD_PRICE;
            }
            /* The price in force (band price + surcharge, or derived) is a price too. */
            prepay_price_t price;
            if (prepay__tariff_price(t, b + 1, k + 1, &price) != PREPAY_OK || prepay_price_check(price) != PREPAY_OK) {
                return PREPAY_E_TARIFF_BAD_PRICE;
            }
        }
    }
    return PREPAY_OK;
}

int prepay_tariff_validate(const prepay_tariff_t *tariff)
{
    if (!tariff) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = validate_enums(tariff);
    if (status == PREPAY_OK) {
        status = validate_counts(tariff);
    }
    if (status == PREPAY_OK && (tariff->cycle_start_month < 1 || tariff->cycle_start_month > 12 ||
                                tariff->cycle_start_day < 1 || tariff->cycle_start_day > 28)) {
        status = PREPAY_E_TARIFF_BAD_CYCLE;
    }
    if (status == PREPAY_OK) {
        status = validate_schedule(tariff);
    }
    if (status == PREPAY_OK) {
        status = validate_tiers(tariff);
    }
    if (status == PREPAY_OK) {
        status = validate_prices(tariff);
    }
    for (unsigned i = 0; PREPAY_MAX_FIXED_CHARGES > 0 && status == PREPAY_OK && i < tariff->fixed_charge_count; i++) {
        if (tariff->fixed_charges[i].amount < 0) {
            status = PREPAY_E_TARIFF_BAD_FIXED_CHARGE;
        }
    }
    if (status == PREPAY_OK) {
        status = prepay__demand_validate(tariff);
    }
    return status;
}

int prepay_tariff_plan_init(prepay_tariff_plan_t *plan, const prepay_tariff_t *tariff)
{
    if (!plan || !tariff) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(plan, 0, sizeof *plan); /* not sealed */
    plan->sets[0] = tariff;
    plan->sets[1] = (const prepay_tariff_t *)0;
    plan->switch_time = 0;
    return PREPAY_OK;
}

static bool ladders_equal(const prepay_tariff_t *a, const prepay_tariff_t *b)
{
    if (a->tier_count != b->tier_count || a->ladder_count != b->ladder_count ||
        memcmp(a->ladder_of_month, b->ladder_of_month, sizeof a->ladder_of_month) != 0) {
        return false;
    }
    for (unsigned l = 0; l < a->ladder_count; l++) {
        if (a->ladders[l].per_day != b->ladders[l].per_day) {
            return false;
        }
        for (unsigned i = 0; i < a->tier_count; i++) {
            if (a->ladders[l].upper[i] != b->ladders[l].upper[i]) {
                return false;
            }
        }
    }
    return true;
}

int prepay_tariff_plan_validate(const prepay_tariff_plan_t *plan)
{
    if (!plan || !plan->sets[0]) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_tariff_validate(plan->sets[0]);
    if (status != PREPAY_OK || !plan->sets[1]) {
        return status;
    }
    status = prepay_tariff_validate(plan->sets[1]);
    if (status != PREPAY_OK) {
        return status;
    }
    return prepay__plan_compatible(plan->sets[0], plan->sets[1]);
}

int prepay__plan_compatible(const prepay_tariff_t *a, const prepay_tariff_t *b)
{
    if (a->unit != b->unit || a->tou_tier_mode != b->tou_tier_mode || a->cycle_kind != b->cycle_kind ||
        a->cycle_start_month != b->cycle_start_month || a->cycle_start_day != b->cycle_start_day ||
        a->rounding != b->rounding || a->round_scope != b->round_scope || a->proration != b->proration) {
        return PREPAY_E_TARIFF_SWITCH_MISMATCH;
    }
    if ((a->tou_tier_mode == PREPAY_TOU_TIER_PROPORTIONAL && !ladders_equal(a, b)) ||
        !prepay__demand_compatible(a, b)) {
        return PREPAY_E_TARIFF_SWITCH_MISMATCH;
    }
    return PREPAY_OK;
}

int prepay_tariff_account_init(prepay_tariff_account_t *account)
{
    if (!account) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(account, 0, sizeof *account);
    account->tier_scale_num = 1;
    account->tier_scale_den = 1;
    account->service_start = INT64_MIN;
    account->service_end = INT64_MAX;
    return PREPAY_OK;
}

/* ---- prices -------------------------------------------------------------- */

int prepay_tariff_derive_price(prepay_price_t base, int64_t ratio, prepay_price_t adder, prepay_price_t quantum,
                               prepay_rounding_t mode, prepay_price_t *out)
{
    if (!out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (base < 0 || ratio < 0 || adder < 0 || quantum < 1) {
        return PREPAY_E_TARIFF_BAD_DERIVATION;
    }
    /* exact value in units of 1e-6 price units: base x ratio + adder x 1e6 */
    int64_t scaled, adder_scaled, exact, q, result;
    int status = prepay_i64_mul(base, ratio, &scaled);
    if (status == PREPAY_OK) {
        status = prepay_i64_mul(adder, PREPAY_RATIO_SCALE, &adder_scaled);
    }
    if (status == PREPAY_OK) {
        status = prepay_i64_add(scaled, adder_scaled, &exact);
    }
    int64_t den = 0;
    if (status == PREPAY_OK) {
        status = prepay_i64_mul(quantum, PREPAY_RATIO_SCALE, &den);
    }
    if (status == PREPAY_OK) {
        status = prepay_i64_div_round(exact, den, mode, &q);
    }
    if (status == PREPAY_OK) {
        status = prepay_i64_mul(q, quantum, &result);
    }
    if (status == PREPAY_OK) {
        *out = result;
    }
    return status;
}

int prepay__tariff_price(const prepay_tariff_t *t, unsigned band, unsigned tier, prepay_price_t *out)
{
    const prepay_tariff_prices_t *p = &t->prices;
    if (t->tou_tier_mode != PREPAY_TOU_TIER_UNIFORM) {
        *out = p->band_tier_price[band - 1][tier - 1];
        return PREPAY_OK;
    }
    prepay_price_t base = p->band_price[band - 1];
    if (p->mode == PREPAY_PRICE_DERIVED) {
        int status = prepay_tariff_derive_price(p->derive_base, p->band_ratio[band - 1], p->derive_adder,
                                                p->derive_quantum, p->derive_rounding, &base);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return prepay_i64_add(base, p->tier_surcharge[tier - 1], out);
}

int prepay_tariff_price(const prepay_tariff_t *tariff, unsigned band, unsigned tier, prepay_price_t *out)
{
    if (!tariff || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_tariff_validate(tariff);
    if (status != PREPAY_OK) {
        return status;
    }
    if (band < 1 || band > tariff->band_count || tier < 1 || tier > tariff->tier_count) {
        return PREPAY_E_TARIFF_BAD_BAND;
    }
    return prepay__tariff_price(tariff, band, tier, out);
}

/* ---- cycles -------------------------------------------------------------- */

int prepay__cycle_of(const prepay_tariff_t *t, prepay_time_t at, int32_t *cycle)
{
    int32_t y;
    uint8_t m, d;
    if (prepay_time_date_from_days(prepay_time_day_of(at), &y, &m, &d) != PREPAY_OK) {
        return PREPAY_E_BAD_DATE;
    }
    int32_t month_index = y * 12 + (int32_t)m - 1;
    if (t->cycle_kind == PREPAY_CYCLE_MONTH) {
        *cycle = d >= t->cycle_start_day ? month_index : month_index - 1;
        return PREPAY_OK;
    }
    bool after = m > t->cycle_start_month || (m == t->cycle_start_month && d >= t->cycle_start_day);
    int32_t year = after ? y : y - 1;
    *cycle = year * 12 + (int32_t)t->cycle_start_month - 1;
    return PREPAY_OK;
}

static int date_time(int32_t month_index, unsigned day, prepay_time_t *out)
{
    if (month_index < 12) {
        return PREPAY_E_BAD_DATE;
    }
    prepay_days_t days;
    int status = prepay_time_days_from_date(month_index / 12, (unsigned)(month_index % 12) + 1u, day, &days);
    if (status != PREPAY_OK) {
        return PREPAY_E_BAD_DATE;
    }
    *out = (prepay_time_t)days * PREPAY_SECONDS_PER_DAY;
    return PREPAY_OK;
}

int prepay__cycle_bounds(const prepay_tariff_t *t, int32_t cycle, prepay_time_t *start, prepay_time_t *end)
{
    if (cycle > INT32_MAX - 12) {
        return PREPAY_E_BAD_DATE;
    }
    int32_t next = cycle + (t->cycle_kind == PREPAY_CYCLE_MONTH ? 1 : 12);
    int status = date_time(cycle, t->cycle_start_day, start);
    if (status == PREPAY_OK) {
        status = date_time(next, t->cycle_start_day, end);
    }
    return status;
}

int prepay_tariff_cycle_of(const prepay_tariff_t *tariff, prepay_time_t at, int32_t *cycle)
{
    if (!tariff || !cycle) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((unsigned)tariff->cycle_kind > PREPAY_CYCLE_YEAR || tariff->cycle_start_month < 1 ||
        tariff->cycle_start_month > 12 || tariff->cycle_start_day < 1 || tariff->cycle_start_day > 28) {
        return PREPAY_E_TARIFF_BAD_CYCLE;
    }
    return prepay__cycle_of(tariff, at, cycle);
}

int prepay_tariff_cycle_bounds(const prepay_tariff_t *tariff, int32_t cycle, prepay_time_t *start, prepay_time_t *end)
{
    if (!tariff) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if ((unsigned)tariff->cycle_kind > PREPAY_CYCLE_YEAR || tariff->cycle_start_month < 1 ||
        tariff->cycle_start_month > 12 || tariff->cycle_start_day < 1 || tariff->cycle_start_day > 28) {
        return PREPAY_E_TARIFF_BAD_CYCLE;
    }
    prepay_time_t s, e;
    int status = prepay__cycle_bounds(tariff, cycle, &s, &e);
    if (status == PREPAY_OK) {
        if (start) {
            *start = s;
        }
        if (end) {
            *end = e;
        }
    }
    return status;
}

/* ---- tier bounds --------------------------------------------------------- */

/* Served units of a cycle (days or months touched by [ss, se)) and the cycle's total units. */
static int served_units(const prepay_tariff_t *t, int32_t cycle, prepay_time_t cs, prepay_time_t ce,
                        prepay_time_t ss, prepay_time_t se, int64_t *served, int64_t *total)
{
    prepay_time_t a = ss > cs ? ss : cs;
    prepay_time_t b = se < ce ? se : ce;
    if (t->proration == PREPAY_PRORATE_BY_DAY) {
        *total = prepay__sdiv64(ce - cs, PREPAY_SECONDS_PER_DAY);
        *served = a < b ? (int64_t)prepay_time_day_of(b - 1) - (int64_t)prepay_time_day_of(a) + 1 : 0;
        return PREPAY_OK;
    }
    int32_t months = t->cycle_kind == PREPAY_CYCLE_MONTH ? 1 : 12;
    *total = months;
    *served = 0;
    for (int32_t k = 0; k < months && a < b; k++) {
        prepay_time_t ms, me;
        int status = date_time(cycle + k, t->cycle_start_day, &ms);
        if (status == PREPAY_OK) {
            status = date_time(cycle + k + 1, t->cycle_start_day, &me);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        if (a < me && ms < b) {
            (*served)++;
        }
    }
    return PREPAY_OK;
}

int prepay__tier_bounds(const prepay_tariff_t *t, const prepay_tariff_account_t *account, int32_t cycle,
                        prepay_energy_t upper[PREPAY_MAX_TIERS])
{
    prepay_tariff_account_t defaults;
    if (!account) {
        int init = prepay_tariff_account_init(&defaults);
        if (init != PREPAY_OK) {
            return init;
        }
        account = &defaults;
    }
    if (account->tier_scale_num < 0 || account->tier_scale_den <= 0 ||
        account->service_start > account->service_end) {
        return PREPAY_E_TARIFF_BAD_ACCOUNT;
    }
    prepay_time_t cs, ce;
    int status = prepay__cycle_bounds(t, cycle, &cs, &ce);
    if (status != PREPAY_OK) {
        return status;
    }
    int32_t start_month = cycle % 12; /* 0-based month the cycle starts in */
    const prepay_tier_ladder_t *ladder = &t->ladders[t->ladder_of_month[start_month]];
    int64_t served = 1, total = 1;
    /* Validation refuses a prorating tariff without PREPAY_TARIFF_PRORATION: served_units() is left out. */
    bool prorate = PREPAY_TARIFF_PRORATION && t->proration != PREPAY_PRORATE_NONE &&
                   (account->service_start > cs || account->service_end < ce);
    if (prorate) {
        status = served_units(t, cycle, cs, ce, account->service_start, account->service_end, &served, &total);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_energy_t out[PREPAY_MAX_TIERS];
    unsigned n = t->tier_count;
    for (unsigned i = 0; i < n; i++) {
        if (i + 1 == n) {
            out[i] = PREPAY_TIER_UNBOUNDED;
            break;
        }
        int64_t b = ladder->upper[i];
        if (PREPAY_TARIFF_DAILY_LADDERS && ladder->per_day) { /* else refused by validation */
            status = prepay_i64_mul(b, prepay__sdiv64(ce - cs, PREPAY_SECONDS_PER_DAY), &b);
        }
        if (status == PREPAY_OK) {
            status = prepay_i64_muldiv(b, account->tier_scale_num, account->tier_scale_den, PREPAY_ROUND_HALF_UP, &b);
        }
        if (status == PREPAY_OK) {
            status = prepay_i64_add(b, account->tier_add[i], &b);
        }
        if (status == PREPAY_OK && prorate) {
            status = prepay_i64_muldiv(b, served, total, PREPAY_ROUND_HALF_UP, &b);
        }
        if (status != PREPAY_OK) {
            return status;
        }
        if (b < 0 || b == PREPAY_TIER_UNBOUNDED || (i > 0 && b < out[i - 1])) {
            return PREPAY_E_TARIFF_BAD_ACCOUNT;
        }
        out[i] = b;
    }
    memcpy(upper, out, sizeof out);
    return PREPAY_OK;
}

int prepay_tariff_tier_bounds(const prepay_tariff_t *tariff, const prepay_tariff_account_t *account, int32_t cycle,
                              prepay_energy_t *upper, size_t upper_cap)
{
    if (!tariff || !upper) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay_tariff_validate(tariff);
    if (status != PREPAY_OK) {
        return status;
    }
    if (upper_cap < tariff->tier_count) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    prepay_energy_t out[PREPAY_MAX_TIERS];
    status = prepay__tier_bounds(tariff, account, cycle, out);
    if (status != PREPAY_OK) {
        return status;
    }
    memcpy(upper, out, tariff->tier_count * sizeof out[0]);
    return (int)tariff->tier_count;
}
