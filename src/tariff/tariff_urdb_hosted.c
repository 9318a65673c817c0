/*
 * Hosted: OpenEI URDB rate records and NREL SAM utilityrate5 inputs -> core
 * tariff (docs/tariff-json.md, "URDB and SAM imports").
 *
 * Energy charges only: periods become bands, the 12 x 24 weekday / weekend
 * period matrices become day tables (one per distinct row) and monthly
 * seasons, tier maxima become one ladder per month (SAM requires the periods
 * used in a month to share their tier bounds), "kWh daily" maxima become
 * per-day ladders (x days in the month). Billing is monthly from day 1 and
 * rounds once per bill, like SAM. Numbers are converted exactly through the
 * shortest round-trip decimal (prepay__tj_number_decimal()).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "tariff_json_internal.h"

/* A padded tier bound: effectively unbounded (4e12 kWh; x 31 days still fits). */
#define URDB_HUGE_BOUND ((prepay_energy_t)4000000000000000LL)
/* Tier maxima at or above this (kWh) mean "no limit" (SAM writes 1e38). */
#define URDB_UNBOUNDED_KWH 1.0e37

typedef struct urdb_tier {
    bool bounded;
    prepay_energy_t max; /* Wh, cumulative */
    int units;           /* 0 kWh, 2 kWh daily */
    prepay_price_t price;
} urdb_tier_t;

typedef struct urdb_period {
    bool defined;
    unsigned tier_count;
    urdb_tier_t tiers[PREPAY_MAX_TIERS];
} urdb_period_t;

typedef struct urdb_rate {
    unsigned period_count;
    urdb_period_t periods[PREPAY_MAX_TARIFF_INDEX];
    uint8_t weekday[12][24]; /* band numbers 1.. */
    uint8_t weekend[12][24];
    bool proportional;
    prepay_money_t fixed_monthly;
    int64_t rate_scale; /* 1e8 = 1 */
} urdb_rate_t;

static int urdb_fail_type(tj_ctx_t *ctx, const char *expected, const json_t *value)
{
    return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "expected %s, got %s", expected,
                           prepay__tj_type_name(value));
}

/* A tier maximum in kWh: unbounded (>= 1e37, or absent), else exact Wh. */
static int urdb_max(tj_ctx_t *ctx, const json_t *v, bool *bounded, prepay_energy_t *wh)
{
    if (!v || json_is_null(v)) {
        *bounded = false;
        return PREPAY_OK;
    }
    if ((json_is_real(v) && json_real_value(v) >= URDB_UNBOUNDED_KWH) ||
        (json_is_integer(v) && json_integer_value(v) >= 1000000000000000LL)) {
        *bounded = false;
        return PREPAY_OK;
    }
    *bounded = true;
    return prepay__tj_number_decimal(ctx, v, 3, 1, URDB_HUGE_BOUND / 2, wh);
}

static int urdb_price(tj_ctx_t *ctx, const urdb_rate_t *rate, const json_t *v, prepay_price_t *out)
{
    prepay_price_t p = 0;
    int rc = prepay__tj_number_decimal(ctx, v, 8, 0, INT64_MAX / 4, &p);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (rate->rate_scale != 100000000) {
        int64_t down = 0, up = 0;
        if (prepay_i64_muldiv(p, rate->rate_scale, 100000000, PREPAY_ROUND_DOWN, &down) != PREPAY_OK ||
            prepay_i64_muldiv(p, rate->rate_scale, 100000000, PREPAY_ROUND_UP, &up) != PREPAY_OK) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "price x rate_scale overflows");
        }
        if (down != up) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                   "price x rate_scale needs more than 8 decimal places");
        }
        p = down;
    }
    *out = p;
    return PREPAY_OK;
}

/* URDB energyratestructure: [period][tier]{max, unit, rate, adj}. */
static int urdb_structure(tj_ctx_t *ctx, const json_t *ers, urdb_rate_t *rate)
{
    if (!json_is_array(ers) || json_array_size(ers) == 0) {
        return json_is_array(ers) ? prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "no period given")
                                  : urdb_fail_type(ctx, "an array of periods", ers);
    }
    if (json_array_size(ers) > PREPAY_MAX_TARIFF_INDEX) {
        return prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "%zu periods, at most %d (PREPAY_MAX_TARIFF_INDEX)",
                               json_array_size(ers), PREPAY_MAX_TARIFF_INDEX);
    }
    rate->period_count = (unsigned)json_array_size(ers);
    for (size_t p = 0; p < json_array_size(ers); p++) {
        json_t *tiers = json_array_get(ers, p);
        size_t s1 = prepay__tj_push_index(ctx, p);
        urdb_period_t *per = &rate->periods[p];
        int rc = PREPAY_OK;
        if (!json_is_array(tiers) || json_array_size(tiers) == 0) {
            rc = json_is_array(tiers) ? prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "a period needs a tier")
                                      : urdb_fail_type(ctx, "an array of tiers", tiers);
        } else if (json_array_size(tiers) > PREPAY_MAX_TIERS) {
            rc = prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "%zu tiers, at most %d (PREPAY_MAX_TIERS)",
                                 json_array_size(tiers), PREPAY_MAX_TIERS);
        }
        for (size_t t = 0; rc == PREPAY_OK && t < json_array_size(tiers); t++) {
            json_t *tier = json_array_get(tiers, t);
            size_t s2 = prepay__tj_push_index(ctx, t);
            urdb_tier_t *ut = &per->tiers[t];
            if (!json_is_object(tier)) {
                rc = urdb_fail_type(ctx, "a tier {max, unit, rate, adj}", tier);
            }
            json_t *v = NULL;
            if (rc == PREPAY_OK) {
                v = json_object_get(tier, "unit");
                ut->units = 0;
                if (v) {
                    size_t s3 = prepay__tj_push_key(ctx, "unit");
                    const char *u = json_is_string(v) ? json_string_value(v) : NULL;
                    if (!u) {
                        rc = urdb_fail_type(ctx, "a unit string", v);
                    } else if (strcmp(u, "kWh") == 0) {
                        ut->units = 0;
                    } else if (strcmp(u, "kWh daily") == 0) {
                        ut->units = 2;
                    } else {
                        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_UNSUPPORTED,
                                             "tier unit \"%.30s\" is not supported (only \"kWh\" and \"kWh daily\")", u);
                    }
                    prepay__tj_pop(ctx, s3);
                }
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "max");
                rc = urdb_max(ctx, json_object_get(tier, "max"), &ut->bounded, &ut->max);
                prepay__tj_pop(ctx, s3);
            }
            prepay_price_t r = 0, adj = 0;
            if (rc == PREPAY_OK) {
                v = json_object_get(tier, "rate");
                size_t s3 = prepay__tj_push_key(ctx, "rate");
                rc = v ? urdb_price(ctx, rate, v, &r)
                       : prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"rate\"");
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK && (v = json_object_get(tier, "adj")) != NULL) {
                size_t s3 = prepay__tj_push_key(ctx, "adj");
                rc = prepay__tj_number_decimal(ctx, v, 8, INT64_MIN / 4, INT64_MAX / 4, &adj);
                if (rc == PREPAY_OK && adj != 0 && rate->rate_scale != 100000000) {
                    rc = urdb_price(ctx, rate, v, &adj);
                }
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK) {
                if (prepay_i64_add(r, adj, &ut->price) != PREPAY_OK || ut->price < 0) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "rate + adj is negative or too large");
                }
            }
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, s1);
        if (rc != PREPAY_OK) {
            return rc;
        }
        per->defined = true;
        per->tier_count = (unsigned)json_array_size(tiers);
    }
    return PREPAY_OK;
}

/* SAM ur_ec_tou_mat: rows [period, tier, max, units, buy, sell]. */
static int sam_tou_mat(tj_ctx_t *ctx, const json_t *mat, urdb_rate_t *rate)
{
    if (!json_is_array(mat) || json_array_size(mat) == 0) {
        return urdb_fail_type(ctx, "a non-empty array of rows", mat);
    }
    for (size_t i = 0; i < json_array_size(mat); i++) {
        json_t *row = json_array_get(mat, i);
        size_t s1 = prepay__tj_push_index(ctx, i);
        int rc = PREPAY_OK;
        int64_t period = 0, tier = 0, units = 0;
        if (!json_is_array(row) || json_array_size(row) < 5) {
            rc = urdb_fail_type(ctx, "a row [period, tier, max, units, buy, sell]", row);
        }
        if (rc == PREPAY_OK) {
            size_t s2 = prepay__tj_push_index(ctx, 0);
            rc = prepay__tj_number_decimal(ctx, json_array_get(row, 0), 0, 1, 63, &period);
            if (rc == PREPAY_OK && period > PREPAY_MAX_TARIFF_INDEX) {
                rc = prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "period %" PRId64 " is above %d (PREPAY_MAX_TARIFF_INDEX)",
                                     period, PREPAY_MAX_TARIFF_INDEX);
            }
            prepay__tj_pop(ctx, s2);
        }
        if (rc == PREPAY_OK) {
            size_t s2 = prepay__tj_push_index(ctx, 1);
            rc = prepay__tj_number_decimal(ctx, json_array_get(row, 1), 0, 1, 32, &tier);
            if (rc == PREPAY_OK && tier > PREPAY_MAX_TIERS) {
                rc = prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "tier %" PRId64 " is above %d (PREPAY_MAX_TIERS)", tier,
                                     PREPAY_MAX_TIERS);
            }
            prepay__tj_pop(ctx, s2);
        }
        if (rc == PREPAY_OK) {
            size_t s2 = prepay__tj_push_index(ctx, 3);
            rc = prepay__tj_number_decimal(ctx, json_array_get(row, 3), 0, 0, 3, &units);
            if (rc == PREPAY_OK && (units == 1 || units == 3)) {
                rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_UNSUPPORTED,
                                     "max usage units %" PRId64 " (kWh/kW) are not supported", units);
            }
            prepay__tj_pop(ctx, s2);
        }
        urdb_period_t *per = rc == PREPAY_OK ? &rate->periods[period - 1] : NULL;
        if (rc == PREPAY_OK && (unsigned)tier != per->tier_count + 1) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                 "tier %" PRId64 " of period %" PRId64 " is out of order (tiers must be 1, 2, ...)",
                                 tier, period);
        }
        if (rc == PREPAY_OK) {
            urdb_tier_t *ut = &per->tiers[tier - 1];
            ut->units = (int)units;
            size_t s2 = prepay__tj_push_index(ctx, 2);
            rc = urdb_max(ctx, json_array_get(row, 2), &ut->bounded, &ut->max);
            prepay__tj_pop(ctx, s2);
            if (rc == PREPAY_OK) {
                s2 = prepay__tj_push_index(ctx, 4);
                rc = urdb_price(ctx, rate, json_array_get(row, 4), &ut->price);
                prepay__tj_pop(ctx, s2);
            }
            if (rc == PREPAY_OK) {
                per->defined = true;
                per->tier_count = (unsigned)tier;
                if ((unsigned)period > rate->period_count) {
                    rate->period_count = (unsigned)period;
                }
            }
        }
        prepay__tj_pop(ctx, s1);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    return PREPAY_OK;
}

/* A 12 x 24 period matrix (a flat list of 288 is accepted too). */
static int urdb_schedule(tj_ctx_t *ctx, const json_t *m, int base, const urdb_rate_t *rate, uint8_t out[12][24])
{
    bool flat = json_is_array(m) && json_array_size(m) == 288;
    if (!json_is_array(m) || (!flat && json_array_size(m) != 12)) {
        return urdb_fail_type(ctx, "a 12 x 24 array of periods", m);
    }
    for (size_t mo = 0; mo < 12; mo++) {
        json_t *row = flat ? NULL : json_array_get(m, mo);
        size_t s1 = flat ? ctx->path_len : prepay__tj_push_index(ctx, mo);
        if (!flat && (!json_is_array(row) || json_array_size(row) != 24)) {
            int rc = urdb_fail_type(ctx, "an array of 24 periods", row);
            prepay__tj_pop(ctx, s1);
            return rc;
        }
        for (size_t h = 0; h < 24; h++) {
            json_t *cell = flat ? json_array_get(m, mo * 24 + h) : json_array_get(row, h);
            size_t s2 = prepay__tj_push_index(ctx, flat ? mo * 24 + h : h);
            int64_t p = 0;
            int rc = prepay__tj_number_decimal(ctx, cell, 0, base, base + 62, &p);
            if (rc == PREPAY_OK) {
                unsigned band = (unsigned)(p - base + 1);
                if (band > rate->period_count || !rate->periods[band - 1].defined) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "period %" PRId64 " has no rates", p);
                } else {
                    out[mo][h] = (uint8_t)band;
                }
            }
            prepay__tj_pop(ctx, s2);
            if (rc != PREPAY_OK) {
                prepay__tj_pop(ctx, s1);
                return rc;
            }
        }
        prepay__tj_pop(ctx, s1);
    }
    return PREPAY_OK;
}

/* One hour row -> a cyclic day table (a run that wraps over midnight is one slot). */
static int row_to_table(const uint8_t row[24], prepay_tou_day_table_t *dt)
{
    memset(dt, 0, sizeof *dt);
    unsigned n = 0;
    for (unsigned h = 0; h < 24; h++) {
        bool change = h == 0 ? true : row[h] != row[h - 1];
        if (h == 0 && row[0] == row[23]) {
            change = false; /* continues the last run of the previous day */
        }
        if (change) {
            if (n >= PREPAY_MAX_DAY_SLOTS) {
                return -1;
            }
            dt->slots[n].start_minute = (uint16_t)(h * 60u);
            dt->slots[n].band = row[h];
            n++;
        }
    }
    if (n == 0) { /* the same period all day */
        dt->slots[0].start_minute = 0;
        dt->slots[0].band = row[0];
        n = 1;
    }
    dt->slot_count = (uint8_t)n;
    return (int)n;
}

static unsigned count_changes(const uint8_t row[24])
{
    unsigned n = 0;
    for (unsigned h = 0; h < 24; h++) {
        if (row[h] != row[(h + 23) % 24]) {
            n++;
        }
    }
    return n == 0 ? 1 : n;
}

static int find_or_add_table(prepay_tou_schedule_t *s, const prepay_tou_day_table_t *dt)
{
    for (unsigned i = 0; i < s->day_table_count; i++) {
        const prepay_tou_day_table_t *o = &s->day_tables[i];
        if (o->slot_count == dt->slot_count &&
            memcmp(o->slots, dt->slots, dt->slot_count * sizeof dt->slots[0]) == 0) {
            return (int)i;
        }
    }
    if (s->day_table_count >= PREPAY_MAX_DAY_TABLES) {
        return -1;
    }
    s->day_tables[s->day_table_count] = *dt;
    return s->day_table_count++;
}

static int urdb_build(tj_ctx_t *ctx, const urdb_rate_t *rate, const char *wk_name, const char *we_name,
                      prepay_tariff_doc_t *doc)
{
    prepay_tariff_t *t = &doc->sets[0];
    t->band_count = (uint8_t)rate->period_count;
    for (unsigned b = 1; b <= rate->period_count; b++) {
        snprintf(doc->band_names[b - 1], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "p%u", b);
    }
    /* Schedule. */
    prepay_tou_schedule_t *s = &t->schedule;
    uint8_t month_tables[12][2];
    for (unsigned m = 0; m < 12; m++) {
        for (int w = 0; w < 2; w++) {
            const uint8_t *row = w == 0 ? rate->weekday[m] : rate->weekend[m];
            prepay_tou_day_table_t dt;
            if (row_to_table(row, &dt) < 0) {
                ctx->path_len = 1;
                ctx->path[1] = '\0';
                prepay__tj_push_key(ctx, w == 0 ? wk_name : we_name);
                prepay__tj_push_index(ctx, m);
                return prepay__tj_fail(ctx, PREPAY_E_CAPACITY,
                                       "%u period changes in a day, at most %d (PREPAY_MAX_DAY_SLOTS)",
                                       count_changes(row), PREPAY_MAX_DAY_SLOTS);
            }
            int idx = find_or_add_table(s, &dt);
            if (idx < 0) {
                ctx->path_len = 1;
                ctx->path[1] = '\0';
                prepay__tj_push_key(ctx, w == 0 ? wk_name : we_name);
                prepay__tj_push_index(ctx, m);
                return prepay__tj_fail(ctx, PREPAY_E_CAPACITY,
                                       "more than %d distinct day schedules (PREPAY_MAX_DAY_TABLES)",
                                       PREPAY_MAX_DAY_TABLES);
            }
            month_tables[m][w] = (uint8_t)idx;
        }
    }
    unsigned nseason = 0;
    for (unsigned m = 0; m < 12; m++) {
        if (m == 0 || month_tables[m][0] != month_tables[m - 1][0] || month_tables[m][1] != month_tables[m - 1][1]) {
            prepay_tou_season_t *se = &s->seasons[nseason++];
            se->start_month = (uint8_t)(m + 1);
            se->start_day = 1;
            se->weekday_table = month_tables[m][0];
            se->saturday_table = se->sunday_table = se->holiday_table = month_tables[m][1];
        }
    }
    s->season_count = (uint8_t)nseason;
    s->default_band = 1;
    /* Tiers: the ladder of a month is the common ladder of the periods it uses. */
    unsigned tier_count = 1;
    for (unsigned p = 0; p < rate->period_count; p++) {
        if (rate->periods[p].tier_count > tier_count) {
            tier_count = rate->periods[p].tier_count;
        }
    }
    t->tier_count = (uint8_t)tier_count;
    t->cycle_kind = PREPAY_CYCLE_MONTH;
    t->cycle_start_day = 1;
    t->cycle_start_month = 1;
    t->ladder_count = 0;
    for (unsigned m = 0; m < 12; m++) {
        bool used[PREPAY_MAX_TARIFF_INDEX] = {false};
        for (unsigned h = 0; h < 24; h++) {
            used[rate->weekday[m][h] - 1] = true;
            used[rate->weekend[m][h] - 1] = true;
        }
        const urdb_period_t *ref = NULL;
        unsigned ref_band = 0;
        for (unsigned p = 0; p < rate->period_count; p++) {
            if (!used[p]) {
                continue;
            }
            const urdb_period_t *per = &rate->periods[p];
            if (!ref) {
                ref = per;
                ref_band = p + 1;
                continue;
            }
            bool same = per->tier_count == ref->tier_count;
            for (unsigned k = 0; same && k + 1 < per->tier_count; k++) {
                same = per->tiers[k].bounded == ref->tiers[k].bounded && per->tiers[k].max == ref->tiers[k].max &&
                       per->tiers[k].units == ref->tiers[k].units;
            }
            if (!same) {
                ctx->path_len = 1;
                ctx->path[1] = '\0';
                prepay__tj_push_key(ctx, wk_name);
                prepay__tj_push_index(ctx, m);
                return prepay__tj_fail(ctx, PREPAY_E_HOSTED_UNSUPPORTED,
                                       "periods %u and %u are used in month %u but have different tier limits "
                                       "(tiers within a month must be the same for TOU rates, as in SAM)",
                                       ref_band, p + 1, m + 1);
            }
        }
        prepay_tier_ladder_t ladder;
        memset(&ladder, 0, sizeof ladder);
        unsigned k = 0;
        for (k = 0; k + 1 < ref->tier_count; k++) {
            if (!ref->tiers[k].bounded) {
                ctx->path_len = 1;
                ctx->path[1] = '\0';
                return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                       "period %u: tier %u has no limit but is not the last tier", ref_band, k + 1);
            }
            if (k > 0 && ref->tiers[k].max <= ref->tiers[k - 1].max) {
                ctx->path_len = 1;
                ctx->path[1] = '\0';
                return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                       "period %u: tier limits must increase", ref_band);
            }
            if (ref->tiers[k].units != ref->tiers[0].units) {
                ctx->path_len = 1;
                ctx->path[1] = '\0';
                return prepay__tj_fail(ctx, PREPAY_E_HOSTED_UNSUPPORTED,
                                       "period %u mixes kWh and kWh daily limits", ref_band);
            }
            ladder.upper[k] = ref->tiers[k].max;
        }
        /* The last tier is unbounded whatever its max (URDB convention);
         * periods with fewer tiers than the tariff are padded with huge bounds. */
        for (; k + 1 < tier_count; k++) {
            ladder.upper[k] = URDB_HUGE_BOUND + (prepay_energy_t)k;
        }
        ladder.upper[tier_count - 1] = PREPAY_TIER_UNBOUNDED;
        ladder.per_day = ref->tiers[0].units == 2 && ref->tier_count > 1;
        unsigned li = 0;
        for (li = 0; li < t->ladder_count; li++) {
            if (memcmp(&t->ladders[li], &ladder, sizeof ladder) == 0) {
                break;
            }
        }
        if (li == t->ladder_count) {
            t->ladders[t->ladder_count++] = ladder;
        }
        t->ladder_of_month[m] = (uint8_t)li;
    }
    /* Prices: per band and tier (padded tiers repeat the last price). */
    t->prices.mode = PREPAY_PRICE_DIRECT;
    t->prices.derive_quantum = 1;
    for (unsigned p = 0; p < rate->period_count; p++) {
        const urdb_period_t *per = &rate->periods[p];
        for (unsigned k = 0; k < tier_count; k++) {
            unsigned src = per->tier_count == 0 ? 0 : (k < per->tier_count ? k : per->tier_count - 1);
            t->prices.band_tier_price[p][k] = per->defined ? per->tiers[src].price : 0;
        }
        t->prices.band_price[p] = t->prices.band_tier_price[p][0];
    }
    t->tou_tier_mode = rate->proportional ? PREPAY_TOU_TIER_PROPORTIONAL : PREPAY_TOU_TIER_CHRONOLOGICAL;
    if (rate->fixed_monthly > 0) {
        t->fixed_charge_count = 1;
        t->fixed_charges[0].amount = rate->fixed_monthly;
        prepay__tj_copy(doc->fixed_names[0], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "fixed monthly charge");
    }
    t->round_scope = PREPAY_ROUND_PER_BILL;
    t->rounding = PREPAY_ROUND_HALF_UP;
    return PREPAY_OK;
}

/* A money amount from a URDB / SAM number (0 allowed). */
static int urdb_money(tj_ctx_t *ctx, const json_t *obj, const char *key, prepay_money_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        return PREPAY_OK;
    }
    size_t saved = prepay__tj_push_key(ctx, key);
    prepay_money_t m = 0;
    int rc = prepay__tj_number_decimal(ctx, v, 2, 0, INT64_MAX / 4, &m);
    prepay__tj_pop(ctx, saved);
    if (rc == PREPAY_OK && m > 0) {
        *out = m;
    }
    return rc;
}

/* Refuses a feature when its member holds a non-zero / non-empty value. */
static int urdb_refuse(tj_ctx_t *ctx, const json_t *obj, const char *key, const char *what)
{
    json_t *v = json_object_get(obj, key);
    bool present = false;
    if (json_is_array(v) || json_is_object(v)) {
        present = json_array_size(v) > 0 || json_object_size(v) > 0;
    } else if (json_is_number(v)) {
        present = json_number_value(v) > 0.0 || json_number_value(v) < 0.0;
    } else if (json_is_true(v)) {
        present = true;
    }
    if (present) {
        size_t saved = prepay__tj_push_key(ctx, key);
        int rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_UNSUPPORTED, "%s are not supported", what);
        prepay__tj_pop(ctx, saved);
        return rc;
    }
    return PREPAY_OK;
}

static int urdb_document(tj_ctx_t *ctx, const json_t *root, urdb_rate_t *rate, prepay_tariff_doc_t *doc)
{
    if (!json_is_object(root)) {
        return urdb_fail_type(ctx, "a JSON object", root);
    }
    const json_t *rec = root;
    json_t *items = json_object_get(root, "items");
    if (items) {
        size_t saved = prepay__tj_push_key(ctx, "items");
        if (!json_is_array(items) || json_array_size(items) == 0 || !json_is_object(json_array_get(items, 0))) {
            int rc = urdb_fail_type(ctx, "a non-empty array of rate records", items);
            prepay__tj_pop(ctx, saved);
            return rc;
        }
        prepay__tj_push_index(ctx, 0);
        rec = json_array_get(items, 0);
    }
    bool sam = json_object_get(rec, "ur_ec_tou_mat") != NULL;
    const char *wk_name = sam ? "ur_ec_sched_weekday" : "energyweekdayschedule";
    const char *we_name = sam ? "ur_ec_sched_weekend" : "energyweekendschedule";
    doc->format = sam ? PREPAY_TARIFF_DOC_SAM : PREPAY_TARIFF_DOC_URDB;
    int rc = 0;
    if (sam) {
        rc = urdb_refuse(ctx, rec, "ur_dc_enable", "demand charges");
        if (rc == PREPAY_OK) {
            rc = urdb_refuse(ctx, rec, "ur_monthly_min_charge", "minimum charges");
        }
        if (rc == PREPAY_OK) {
            rc = urdb_refuse(ctx, rec, "ur_annual_min_charge", "minimum charges");
        }
    } else {
        rc = urdb_refuse(ctx, rec, "demandratestructure", "demand charges");
        if (rc == PREPAY_OK) {
            rc = urdb_refuse(ctx, rec, "flatdemandstructure", "demand charges");
        }
        if (rc == PREPAY_OK) {
            rc = urdb_refuse(ctx, rec, "mincharge", "minimum charges");
        }
    }
    if (rc != PREPAY_OK) {
        return rc;
    }
    json_t *v = json_object_get(rec, sam ? "ur_ec_tou_mat" : "energyratestructure");
    if (!v) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"energyratestructure\"");
    }
    size_t saved = prepay__tj_push_key(ctx, sam ? "ur_ec_tou_mat" : "energyratestructure");
    rc = sam ? sam_tou_mat(ctx, v, rate) : urdb_structure(ctx, v, rate);
    prepay__tj_pop(ctx, saved);
    for (unsigned p = 0; rc == PREPAY_OK && p < rate->period_count; p++) {
        if (!rate->periods[p].defined) {
            saved = prepay__tj_push_key(ctx, sam ? "ur_ec_tou_mat" : "energyratestructure");
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "period %u has no rates", p + 1);
            prepay__tj_pop(ctx, saved);
        }
    }
    for (int w = 0; rc == PREPAY_OK && w < 2; w++) {
        const char *name = w == 0 ? wk_name : we_name;
        v = json_object_get(rec, name);
        saved = prepay__tj_push_key(ctx, name);
        if (!v) {
            prepay__tj_pop(ctx, saved);
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"%s\"", name);
        } else {
            rc = urdb_schedule(ctx, v, sam ? 1 : 0, rate, w == 0 ? rate->weekday : rate->weekend);
            prepay__tj_pop(ctx, saved);
        }
    }
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* Fixed charges. */
    if (sam) {
        rc = urdb_money(ctx, rec, "ur_monthly_fixed_charge", &rate->fixed_monthly);
        v = json_object_get(rec, "ur_metering_option");
        int64_t option = 0;
        if (rc == PREPAY_OK && v) {
            saved = prepay__tj_push_key(ctx, "ur_metering_option");
            rc = prepay__tj_number_decimal(ctx, v, 0, 0, 4, &option);
            prepay__tj_pop(ctx, saved);
        }
        rate->proportional = option == 0 || option == 1;
    } else {
        json_t *units = json_object_get(rec, "fixedchargeunits");
        if (units && (!json_is_string(units) || strcmp(json_string_value(units), "$/month") != 0)) {
            saved = prepay__tj_push_key(ctx, "fixedchargeunits");
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_UNSUPPORTED, "only \"$/month\" fixed charges are supported");
            prepay__tj_pop(ctx, saved);
        }
        if (rc == PREPAY_OK) {
            rc = urdb_money(ctx, rec, "fixedchargefirstmeter", &rate->fixed_monthly);
        }
        if (rc == PREPAY_OK && rate->fixed_monthly == 0) {
            rc = urdb_money(ctx, rec, "fixedmonthlycharge", &rate->fixed_monthly);
        }
        rate->proportional = true; /* SAM's monthly rule, how URDB rates are usually evaluated */
    }
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* Metadata. */
    json_t *name = json_object_get(rec, "name");
    prepay__tj_copy(doc->name, sizeof doc->name, json_is_string(name) ? json_string_value(name) : "imported rate");
    json_t *source = json_object_get(rec, "source");
    if (json_is_object(source)) {
        json_t *f = json_object_get(source, "notice");
        prepay__tj_copy(doc->notice, sizeof doc->notice, json_is_string(f) ? json_string_value(f) : "");
        f = json_object_get(source, "url");
        prepay__tj_copy(doc->url, sizeof doc->url, json_is_string(f) ? json_string_value(f) : "");
        f = json_object_get(source, "note");
        prepay__tj_copy(doc->note, sizeof doc->note, json_is_string(f) ? json_string_value(f) : "");
    } else {
        json_t *utility = json_object_get(rec, "utility");
        json_t *uri = json_object_get(rec, "uri");
        snprintf(doc->notice, sizeof doc->notice, "OpenEI U.S. Utility Rate Database%s%s",
                 json_is_string(utility) ? ": " : "", json_is_string(utility) ? json_string_value(utility) : "");
        prepay__tj_copy(doc->url, sizeof doc->url,
                        json_is_string(uri) ? json_string_value(uri)
                        : json_is_string(source) ? json_string_value(source)
                                                 : "");
    }
    prepay__tj_copy(doc->currency, sizeof doc->currency, "USD");
    return urdb_build(ctx, rate, wk_name, we_name, doc);
}

int prepay_tariff_urdb_load_buffer(const char *data, size_t len, const char *origin,
                                   const prepay_tariff_urdb_options_t *options, prepay_tariff_doc_t *out, char *err,
                                   size_t err_cap)
{
    tj_ctx_t ctx;
    prepay__tj_init(&ctx, origin, err, err_cap);
    if (!data || !out) {
        return prepay__tj_fail(&ctx, PREPAY_E_INVALID_ARGUMENT, "no data or no output");
    }
    urdb_rate_t *rate = calloc(1, sizeof *rate);
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (!rate || !doc) {
        free(rate);
        free(doc);
        return prepay__tj_fail(&ctx, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    memset(doc, 0, sizeof *doc);
    prepay_tariff_init(&doc->sets[0]);
    prepay_tariff_account_init(&doc->account);
    doc->switch_time = INT64_MAX;
    rate->rate_scale = 100000000;
    int rc = PREPAY_OK;
    if (options && options->rate_scale) {
        if (prepay_fixed_parse(options->rate_scale, strlen(options->rate_scale), 8, &rate->rate_scale) != PREPAY_OK ||
            rate->rate_scale <= 0) {
            rc = prepay__tj_fail(&ctx, PREPAY_E_INVALID_ARGUMENT, "rate_scale \"%.30s\" is not a positive decimal",
                                 options->rate_scale);
        }
    }
    json_t *root = NULL;
    if (rc == PREPAY_OK) {
        rc = prepay__tj_parse(&ctx, data, len, &root);
    }
    if (rc == PREPAY_OK) {
        rc = urdb_document(&ctx, root, rate, doc);
        json_decref(root);
    }
    if (rc == PREPAY_OK) {
        prepay__tj_pop(&ctx, 1);
        rc = prepay__tj_validate_doc(&ctx, doc);
    }
    if (rc == PREPAY_OK) {
        *out = *doc;
    }
    free(rate);
    free(doc);
    return rc;
}

int prepay_tariff_urdb_load_file(const char *path, const prepay_tariff_urdb_options_t *options,
                                 prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    if (!path || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    char *data;
    size_t len;
    int rc = prepay__tj_read_file(path, &data, &len, err, err_cap);
    if (rc != PREPAY_OK) {
        return rc;
    }
    rc = prepay_tariff_urdb_load_buffer(data, len, path, options, out, err, err_cap);
    free(data);
    return rc;
}
