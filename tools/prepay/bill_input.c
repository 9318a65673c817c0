/*
 * prepay bill: reading a site month (JSON, docs/allocation-billing.md) into
 * a bill_t, every value checked, with a one-line message naming the member
 * on error (see bill.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bill.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

bool bill_fail(bill_t *b, const char *format, ...)
{
    if (b->error[0] == '\0') {
        va_list args;
        va_start(args, format);
        vsnprintf(b->error, sizeof b->error, format, args);
        va_end(args);
    }
    return false;
}

/* Prefixes the message with the array element it is about ("energy[2]: missing \"band\""). */
static bool fail_in(bill_t *b, const char *array, size_t index)
{
    char inner[sizeof b->error];
    snprintf(inner, sizeof inner, "%s", b->error[0] ? b->error : "must be an object");
    snprintf(b->error, sizeof b->error, "%.16s[%zu]: %.200s", array, index, inner);
    return false;
}

/* ---- values ----------------------------------------------------------------- */

static bool get_date(bill_t *b, json_t *obj, const char *key, bool required, prepay_days_t fallback,
                     prepay_days_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            return bill_fail(b, "missing \"%s\"", key);
        }
        *out = fallback;
        return true;
    }
    int y, m, d;
    char tail;
    if (!json_is_string(v) || sscanf(json_string_value(v), "%d-%d-%d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        d < 1 || prepay_time_days_from_date(y, (unsigned)m, (unsigned)d, out) != PREPAY_OK) {
        return bill_fail(b, "\"%s\" is not a date YYYY-MM-DD", key);
    }
    return true;
}

static bool get_int(bill_t *b, json_t *obj, const char *key, bool required, int64_t fallback, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            return bill_fail(b, "missing \"%s\"", key);
        }
        *out = fallback;
        return true;
    }
    if (!json_is_integer(v)) {
        return bill_fail(b, "\"%s\" must be an integer", key);
    }
    *out = (int64_t)json_integer_value(v);
    return true;
}

/* A decimal given as a string ("12.34") or an integer, scaled by `decimals`. */
static bool get_decimal(bill_t *b, json_t *obj, const char *key, unsigned decimals, bool required, int64_t fallback,
                        int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            return bill_fail(b, "missing \"%s\"", key);
        }
        *out = fallback;
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (prepay_fixed_parse(s, strlen(s), decimals, out) != PREPAY_OK) {
            return bill_fail(b, "\"%s\" is not a decimal with at most %u places", key, decimals);
        }
        return true;
    }
    if (json_is_integer(v)) {
        char text[32];
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (prepay_fixed_parse(text, strlen(text), decimals, out) != PREPAY_OK) {
            return bill_fail(b, "\"%s\" is out of range", key);
        }
        return true;
    }
    return bill_fail(b, "\"%s\" must be a decimal string or an integer", key);
}

static bool get_bool(bill_t *b, json_t *obj, const char *key, bool fallback, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = fallback;
        return true;
    }
    if (!json_is_boolean(v)) {
        return bill_fail(b, "\"%s\" must be true or false", key);
    }
    *out = json_is_true(v);
    return true;
}

static bool get_choice(bill_t *b, json_t *obj, const char *key, const char *const *names, int count, int fallback,
                       int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = fallback;
        return true;
    }
    if (json_is_string(v)) {
        for (int i = 0; i < count; i++) {
            if (strcmp(json_string_value(v), names[i]) == 0) {
                *out = i;
                return true;
            }
        }
    }
    return bill_fail(b, "\"%s\" has an unknown value", key);
}

static bool get_array(bill_t *b, json_t *root, const char *key, json_t **out)
{
    json_t *v = json_object_get(root, key);
    if (v && !json_is_array(v)) {
        return bill_fail(b, "\"%s\" must be an array", key);
    }
    *out = v;
    return true;
}

/* ---- parsing ------------------------------------------------------------------- */

static bool parse_account(bill_t *b, json_t *a, size_t index, bill_account_t *out)
{
    int64_t id = 0;
    if (!json_is_object(a)) {
        return bill_fail(b, "accounts[%zu] must be an object", index);
    }
    if (!get_int(b, a, "id", true, 0, &id) || !get_decimal(b, a, "area", 2, false, 0, &out->area) ||
        !get_int(b, a, "units", false, 1, &out->units) || !get_int(b, a, "ratio", false, 1, &out->ratio) ||
        !get_int(b, a, "sub_meter_wh", false, 0, &out->sub_meter) ||
        !get_date(b, a, "occupied_from", false, b->start, &out->occupied_from) ||
        !get_date(b, a, "occupied_to", false, b->end, &out->occupied_to) ||
        !get_bool(b, a, "vacant", false, &out->vacant) || !get_decimal(b, a, "opening", 2, false, 0, &out->opening)) {
        return false;
    }
    int mode = 0;
    static const char *const modes[] = {"prepaid", "postpaid"};
    if (!get_choice(b, a, "mode", modes, 2, 0, &mode)) {
        return false;
    }
    if (id <= 0 || id > (int64_t)UINT32_MAX) {
        return bill_fail(b, "accounts[%zu]: id must be 1..4294967295", index);
    }
    if (out->area < 0 || out->units < 0 || out->ratio < 0 || out->sub_meter < 0) {
        return bill_fail(b, "accounts[%zu]: negative area, units, ratio or sub-meter", index);
    }
    if (out->occupied_to < out->occupied_from) {
        return bill_fail(b, "accounts[%zu]: occupied_to is before occupied_from", index);
    }
    out->id = (uint64_t)id;
    out->postpaid = mode == 1;
    return true;
}

static bool parse_item(bill_t *b, json_t *it, size_t index, prepay_charge_item_t *out)
{
    static const char *const bases[] = {"fixed", "per_area", "per_unit"};
    static const char *const schedules[] = {"once", "monthly", "quarterly", "yearly"};
    static const char *const prorations[] = {"none", "day"};
    static const char *const collections[] = {"deduct", "bill"};
    int64_t id = 0, account = 0;
    int basis = 0, schedule = 0, proration = 0, collection = 0;
    if (!json_is_object(it)) {
        return bill_fail(b, "items[%zu] must be an object", index);
    }
    memset(out, 0, sizeof *out);
    if (!get_int(b, it, "id", true, 0, &id) || !get_int(b, it, "account", false, 0, &account) ||
        !get_decimal(b, it, "rate", 2, true, 0, &out->rate) || !get_choice(b, it, "basis", bases, 3, 0, &basis) ||
        !get_choice(b, it, "schedule", schedules, 4, 1, &schedule) ||
        !get_choice(b, it, "prorate", prorations, 2, 0, &proration) ||
        !get_choice(b, it, "collect", collections, 2, 1, &collection) ||
        !get_date(b, it, "anchor", false, b->start, &out->anchor) ||
        !get_date(b, it, "from", false, out->anchor, &out->effective_from) ||
        !get_date(b, it, "to", false, INT32_MAX / 2, &out->effective_to)) {
        return false;
    }
    if (id <= 0 || id > 0xFFFF) {
        return bill_fail(b, "items[%zu]: id must be 1..65535", index);
    }
    if (account < 0 || account > (int64_t)UINT32_MAX) {
        return bill_fail(b, "items[%zu]: account out of range", index);
    }
    json_t *name = json_object_get(it, "name");
    if (name && !json_is_string(name)) {
        return bill_fail(b, "items[%zu]: name must be a string", index);
    }
    out->name = name ? json_string_value(name) : "";
    out->item_id = (uint16_t)id;
    out->account_id = (uint64_t)account;
    out->basis = (prepay_charge_basis_t)basis;
    out->schedule = (prepay_charge_schedule_t)schedule;
    out->proration = (prepay_charge_proration_t)proration;
    out->collection = (prepay_charge_collection_t)collection;
    return true;
}

static bool parse_common(bill_t *b, json_t *root)
{
    json_t *common = json_object_get(root, "common");
    if (!json_is_object(common)) {
        return bill_fail(b, "missing \"common\" object");
    }
    static const char *const policies[] = {"fail", "clamp", "carry"};
    static const char *const vacancies[] = {"owner", "skip"};
    static const char *const bases[] = {"area", "equal", "usage", "ratio"};
    int policy = 0, vacancy = 0, basis = 0;
    int64_t owner = 0;
    if (!get_int(b, common, "master_wh", true, 0, &b->master) ||
        !get_int(b, common, "carried_in_wh", false, 0, &b->carried_in) ||
        !get_choice(b, common, "residual_policy", policies, 3, 0, &policy) ||
        !get_choice(b, common, "vacancy", vacancies, 2, 0, &vacancy) ||
        !get_choice(b, common, "basis", bases, 4, 0, &basis) ||
        !get_int(b, common, "owner_account", false, 0, &owner) ||
        !get_bool(b, common, "owner_pays_unoccupied", false, &b->owner_pays_unoccupied) ||
        !get_bool(b, common, "by_days", true, &b->by_days)) {
        return false;
    }
    b->have_price = json_object_get(common, "price") != NULL;
    if (b->have_price ? !get_decimal(b, common, "price", 8, true, 0, &b->price)
                      : !get_decimal(b, common, "charge", 2, true, 0, &b->charge)) {
        return bill_fail(b, "\"common\" needs \"price\" (per kWh) or \"charge\" (money)");
    }
    /* The library's one price check, as for a tariff's prices: a negative
     * price would credit the tenants. */
    if (b->have_price && prepay_price_check(b->price) != PREPAY_OK) {
        return bill_fail(b, "common.price must be a price from 0 to %" PRId64 " (1e-8 per kWh): %s",
                    (int64_t)PREPAY_PRICE_MAX / PREPAY_PRICE_SCALE, prepay_strerror(PREPAY_E_OUT_OF_RANGE));
    }
    if (owner < 0 || owner > (int64_t)UINT32_MAX) {
        return bill_fail(b, "owner_account out of range");
    }
    b->residual_policy = (prepay_alloc_residual_policy_t)policy;
    b->vacancy = (prepay_alloc_vacancy_t)vacancy;
    b->basis = bases[basis];
    b->owner = (uint64_t)owner;
    return true;
}

/* The account an energy line or payment names: it must be a postpaid account. */
static bool postpaid_account(bill_t *b, const char *array, size_t i, int64_t id, size_t *out)
{
    size_t a = id > 0 ? bill_index_get(&b->index, (uint64_t)id) : SIZE_MAX;
    if (a == SIZE_MAX || !b->accounts[a].postpaid) {
        return bill_fail(b, "%s[%zu]: account %" PRId64 " is not a postpaid account", array, i, id);
    }
    *out = a;
    return true;
}

static bool parse_lines(bill_t *b, json_t *root)
{
    json_t *energy = NULL, *payments = NULL, *arrears = NULL;
    if (!get_array(b, root, "energy", &energy) || !get_array(b, root, "payments", &payments) ||
        !get_array(b, root, "arrears", &arrears)) {
        return false;
    }
    b->energy_count = energy ? json_array_size(energy) : 0;
    b->payment_count = payments ? json_array_size(payments) : 0;
    b->old_arrears_count = arrears ? json_array_size(arrears) : 0;
    b->energy = calloc(b->energy_count + 1, sizeof *b->energy);
    b->payments = calloc(b->payment_count + 1, sizeof *b->payments);
    b->old_arrears = calloc(b->old_arrears_count + 1, sizeof *b->old_arrears);
    if (!b->energy || !b->payments || !b->old_arrears) {
        return bill_fail(b, "out of memory");
    }
    for (size_t i = 0; i < b->energy_count; i++) {
        json_t *e = json_array_get(energy, i);
        int64_t account = 0, band = 0, tier = 0, wh = 0, amount = 0;
        if (!json_is_object(e) || !get_int(b, e, "account", true, 0, &account) ||
            !get_int(b, e, "band", true, 0, &band) || !get_int(b, e, "tier", false, 1, &tier) ||
            !get_int(b, e, "wh", false, 0, &wh) || !get_decimal(b, e, "amount", 2, true, 0, &amount)) {
            return fail_in(b, "energy", i);
        }
        bill_energy_line_t *line = &b->energy[i];
        if (!postpaid_account(b, "energy", i, account, &line->account)) {
            return false;
        }
        if (band < 1 || band > 63 || tier < 0 || tier > 255) {
            return bill_fail(b, "energy[%zu]: band must be 1..63 and tier 0..255", i);
        }
        line->band = (uint8_t)band;
        line->tier = (uint8_t)tier;
        line->wh = wh;
        line->amount = amount;
    }
    for (size_t i = 0; i < b->payment_count; i++) {
        json_t *p = json_array_get(payments, i);
        int64_t account = 0, amount = 0, id = 0;
        bill_payment_t *pay = &b->payments[i];
        if (!json_is_object(p) || !get_int(b, p, "account", true, 0, &account) || !get_int(b, p, "id", false, 0, &id) ||
            !get_date(b, p, "date", true, 0, &pay->date) || !get_decimal(b, p, "amount", 2, true, 0, &amount)) {
            return fail_in(b, "payments", i);
        }
        if (!postpaid_account(b, "payments", i, account, &pay->account)) {
            return false;
        }
        if (amount < 0) {
            return bill_fail(b, "payments[%zu]: negative payment (use an adjustment)", i);
        }
        pay->id = (uint64_t)id;
        pay->amount = amount;
    }
    for (size_t i = 0; i < b->old_arrears_count; i++) {
        json_t *o = json_array_get(arrears, i);
        int64_t account = 0, statement = 0;
        prepay_arrears_item_t *item = &b->old_arrears[i];
        if (!json_is_object(o) || !get_int(b, o, "account", true, 0, &account) ||
            !get_int(b, o, "statement", false, 0, &statement) || !get_date(b, o, "due", true, 0, &item->due_date) ||
            !get_decimal(b, o, "outstanding", 2, true, 0, &item->outstanding)) {
            return fail_in(b, "arrears", i);
        }
        if (account <= 0 || account > (int64_t)UINT32_MAX) {
            return bill_fail(b, "arrears[%zu]: account must be 1..4294967295", i);
        }
        item->account_id = (uint64_t)account;
        item->statement_id = (uint64_t)statement;
    }
    return true;
}

static bool parse_root(bill_t *b, json_t *root)
{
    if (!json_is_object(root)) {
        return bill_fail(b, "the input must be a JSON object");
    }
    json_t *period = json_object_get(root, "period");
    if (!json_is_object(period)) {
        return bill_fail(b, "missing \"period\" object");
    }
    if (!get_date(b, period, "start", true, 0, &b->start) || !get_date(b, period, "end", true, 0, &b->end)) {
        return false;
    }
    if (b->end <= b->start) {
        return bill_fail(b, "period end must be after its start");
    }
    if (!get_date(b, root, "issue_date", false, b->end, &b->issue_date) ||
        !get_date(b, root, "due_date", false, b->issue_date + 14, &b->due_date) ||
        !get_date(b, root, "as_of", false, b->due_date, &b->as_of)) {
        return false;
    }
    if (b->due_date < b->issue_date) {
        return bill_fail(b, "due_date is before issue_date");
    }
    if (!parse_common(b, root)) {
        return false;
    }
    json_t *accounts = NULL, *items = NULL;
    if (!get_array(b, root, "accounts", &accounts) || !get_array(b, root, "items", &items)) {
        return false;
    }
    if (!accounts || json_array_size(accounts) == 0) {
        return bill_fail(b, "\"accounts\" must list at least one account");
    }
    b->account_count = json_array_size(accounts);
    b->accounts = calloc(b->account_count, sizeof *b->accounts);
    b->item_count = items ? json_array_size(items) : 0;
    b->items = calloc(b->item_count + 1, sizeof *b->items);
    if (!b->accounts || !b->items || !bill_index_init(&b->index, b->account_count)) {
        return bill_fail(b, "out of memory");
    }
    for (size_t i = 0; i < b->account_count; i++) {
        if (!parse_account(b, json_array_get(accounts, i), i, &b->accounts[i])) {
            return false;
        }
        if (!bill_index_put(&b->index, b->accounts[i].id, i)) {
            return bill_fail(b, "accounts[%zu]: duplicate id %" PRIu64, i, b->accounts[i].id);
        }
    }
    for (size_t i = 0; i < b->item_count; i++) {
        if (!parse_item(b, json_array_get(items, i), i, &b->items[i])) {
            return false;
        }
    }
    return parse_lines(b, root);
}

int bill_parse(const char *text, size_t len, bill_t *b)
{
    memset(b, 0, sizeof *b);
    json_error_t error;
    b->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &error);
    if (!b->root) {
        snprintf(b->error, sizeof b->error, "line %d: %s", error.line, error.text);
        return -1;
    }
    return parse_root(b, b->root) ? 0 : -1;
}

