/*
 * prepay bill: one billing month of a site, from a JSON description
 * (docs/allocation-billing.md, "prepay bill"), to postpaid statements and an
 * arrears list as text, JSON or CSV.
 *
 *   prepay bill SITE.json [--json | --csv statements|arrears|allocation|charges]
 *
 * Steps: master minus sub-meters (prepay_alloc_residual), the common energy
 * priced once (prepay_alloc_price_energy, or a given charge), split by the
 * chosen basis (prepay_alloc_allocate), charge items due in the period
 * (prepay_billing_run), a statement per postpaid account (energy lines from
 * the input, common-area line, billed items, payments), issued; and the
 * arrears list as of a date (earlier unpaid items plus the new closings).
 *
 * Bad input: a one-line message on stderr and exit status 2.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "commands.h"
#include "prepay/allocation.h"
#include "prepay/billing.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/* ---- input model --------------------------------------------------------- */

typedef struct site_account {
    uint64_t id;
    int64_t area;   /* 0.01 m² */
    int64_t units;
    int64_t ratio;
    prepay_energy_t sub_meter;
    prepay_days_t occupied_from, occupied_to;
    bool vacant;
    bool postpaid;
    prepay_money_t opening;
} site_account_t;

typedef struct site {
    prepay_days_t start, end, issue_date, due_date, as_of;
    prepay_energy_t master;
    prepay_energy_t carried_in;
    prepay_alloc_residual_policy_t residual_policy;
    bool have_price;
    prepay_price_t price;
    prepay_money_t charge;
    const char *basis;
    prepay_alloc_vacancy_t vacancy;
    uint64_t owner;
    bool owner_pays_unoccupied;
    bool by_days;
    size_t account_count;
    site_account_t *accounts;
    size_t item_count;
    prepay_charge_item_t *items;
} site_t;

static char bill_error[256];

static bool fail(const char *format, ...) __attribute__((format(printf, 1, 2)));

static bool fail(const char *format, ...)
{
    if (bill_error[0] == '\0') {
        va_list args;
        va_start(args, format);
        vsnprintf(bill_error, sizeof bill_error, format, args);
        va_end(args);
    }
    return false;
}

/* Prefixes the message with the array element it is about ("energy[2]: missing \"band\""). */
static bool fail_in(const char *array, size_t index)
{
    char inner[sizeof bill_error];
    snprintf(inner, sizeof inner, "%s", bill_error[0] ? bill_error : "must be an object");
    snprintf(bill_error, sizeof bill_error, "%.16s[%zu]: %.200s", array, index, inner);
    return false;
}

static bool get_date(json_t *obj, const char *key, bool required, prepay_days_t fallback, prepay_days_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            return fail("missing \"%s\"", key);
        }
        *out = fallback;
        return true;
    }
    int y, m, d;
    char tail;
    if (!json_is_string(v) || sscanf(json_string_value(v), "%d-%d-%d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
        d < 1 || prepay_time_days_from_date(y, (unsigned)m, (unsigned)d, out) != PREPAY_OK) {
        return fail("\"%s\" is not a date YYYY-MM-DD", key);
    }
    return true;
}

static bool get_int(json_t *obj, const char *key, bool required, int64_t fallback, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            return fail("missing \"%s\"", key);
        }
        *out = fallback;
        return true;
    }
    if (!json_is_integer(v)) {
        return fail("\"%s\" must be an integer", key);
    }
    *out = (int64_t)json_integer_value(v);
    return true;
}

/* A decimal given as a string ("12.34") or an integer, scaled by `decimals`. */
static bool get_decimal(json_t *obj, const char *key, unsigned decimals, bool required, int64_t fallback,
                        int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required) {
            return fail("missing \"%s\"", key);
        }
        *out = fallback;
        return true;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (prepay_fixed_parse(s, strlen(s), decimals, out) != PREPAY_OK) {
            return fail("\"%s\" is not a decimal with at most %u places", key, decimals);
        }
        return true;
    }
    if (json_is_integer(v)) {
        char text[32];
        snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (prepay_fixed_parse(text, strlen(text), decimals, out) != PREPAY_OK) {
            return fail("\"%s\" is out of range", key);
        }
        return true;
    }
    return fail("\"%s\" must be a decimal string or an integer", key);
}

static bool get_bool(json_t *obj, const char *key, bool fallback, bool *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = fallback;
        return true;
    }
    if (!json_is_boolean(v)) {
        return fail("\"%s\" must be true or false", key);
    }
    *out = json_is_true(v);
    return true;
}

static bool get_choice(json_t *obj, const char *key, const char *const *names, int count, int fallback, int *out)
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
    return fail("\"%s\" has an unknown value", key);
}

static bool get_array(json_t *root, const char *key, json_t **out)
{
    json_t *v = json_object_get(root, key);
    if (v && !json_is_array(v)) {
        return fail("\"%s\" must be an array", key);
    }
    *out = v;
    return true;
}

static bool parse_account(json_t *a, size_t index, site_account_t *out, prepay_days_t start, prepay_days_t end)
{
    int64_t id = 0;
    if (!json_is_object(a)) {
        return fail("accounts[%zu] must be an object", index);
    }
    if (!get_int(a, "id", true, 0, &id) || !get_decimal(a, "area", 2, false, 0, &out->area) ||
        !get_int(a, "units", false, 1, &out->units) || !get_int(a, "ratio", false, 1, &out->ratio) ||
        !get_int(a, "sub_meter_wh", false, 0, &out->sub_meter) ||
        !get_date(a, "occupied_from", false, start, &out->occupied_from) ||
        !get_date(a, "occupied_to", false, end, &out->occupied_to) || !get_bool(a, "vacant", false, &out->vacant) ||
        !get_decimal(a, "opening", 2, false, 0, &out->opening)) {
        return false;
    }
    int mode = 0;
    static const char *const modes[] = {"prepaid", "postpaid"};
    if (!get_choice(a, "mode", modes, 2, 0, &mode)) {
        return false;
    }
    if (id <= 0 || id > (int64_t)UINT32_MAX) {
        return fail("accounts[%zu]: id must be 1..4294967295", index);
    }
    if (out->area < 0 || out->units < 0 || out->ratio < 0 || out->sub_meter < 0) {
        return fail("accounts[%zu]: negative area, units, ratio or sub-meter", index);
    }
    if (out->occupied_to < out->occupied_from) {
        return fail("accounts[%zu]: occupied_to is before occupied_from", index);
    }
    out->id = (uint64_t)id;
    out->postpaid = mode == 1;
    return true;
}

static bool parse_item(json_t *it, size_t index, prepay_charge_item_t *out, prepay_days_t start)
{
    static const char *const bases[] = {"fixed", "per_area", "per_unit"};
    static const char *const schedules[] = {"once", "monthly", "quarterly", "yearly"};
    static const char *const prorations[] = {"none", "day"};
    static const char *const collections[] = {"deduct", "bill"};
    int64_t id = 0, account = 0;
    int basis = 0, schedule = 0, proration = 0, collection = 0;
    if (!json_is_object(it)) {
        return fail("items[%zu] must be an object", index);
    }
    memset(out, 0, sizeof *out);
    if (!get_int(it, "id", true, 0, &id) || !get_int(it, "account", false, 0, &account) ||
        !get_decimal(it, "rate", 2, true, 0, &out->rate) || !get_choice(it, "basis", bases, 3, 0, &basis) ||
        !get_choice(it, "schedule", schedules, 4, 1, &schedule) ||
        !get_choice(it, "prorate", prorations, 2, 0, &proration) ||
        !get_choice(it, "collect", collections, 2, 1, &collection) ||
        !get_date(it, "anchor", false, start, &out->anchor) ||
        !get_date(it, "from", false, out->anchor, &out->effective_from) ||
        !get_date(it, "to", false, INT32_MAX / 2, &out->effective_to)) {
        return false;
    }
    if (id <= 0 || id > 0xFFFF) {
        return fail("items[%zu]: id must be 1..65535", index);
    }
    if (account < 0 || account > (int64_t)UINT32_MAX) {
        return fail("items[%zu]: account out of range", index);
    }
    json_t *name = json_object_get(it, "name");
    if (name && !json_is_string(name)) {
        return fail("items[%zu]: name must be a string", index);
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

static bool parse_site(json_t *root, site_t *site)
{
    if (!json_is_object(root)) {
        return fail("the input must be a JSON object");
    }
    json_t *period = json_object_get(root, "period");
    if (!json_is_object(period)) {
        return fail("missing \"period\" object");
    }
    if (!get_date(period, "start", true, 0, &site->start) || !get_date(period, "end", true, 0, &site->end)) {
        return false;
    }
    if (site->end <= site->start) {
        return fail("period end must be after its start");
    }
    if (!get_date(root, "issue_date", false, site->end, &site->issue_date) ||
        !get_date(root, "due_date", false, site->issue_date + 14, &site->due_date) ||
        !get_date(root, "as_of", false, site->due_date, &site->as_of)) {
        return false;
    }
    if (site->due_date < site->issue_date) {
        return fail("due_date is before issue_date");
    }
    json_t *common = json_object_get(root, "common");
    if (!json_is_object(common)) {
        return fail("missing \"common\" object");
    }
    static const char *const policies[] = {"fail", "clamp", "carry"};
    static const char *const vacancies[] = {"owner", "skip"};
    static const char *const bases[] = {"area", "equal", "usage", "ratio"};
    int policy = 0, vacancy = 0, basis = 0;
    int64_t owner = 0;
    if (!get_int(common, "master_wh", true, 0, &site->master) ||
        !get_int(common, "carried_in_wh", false, 0, &site->carried_in) ||
        !get_choice(common, "residual_policy", policies, 3, 0, &policy) ||
        !get_choice(common, "vacancy", vacancies, 2, 0, &vacancy) ||
        !get_choice(common, "basis", bases, 4, 0, &basis) || !get_int(common, "owner_account", false, 0, &owner) ||
        !get_bool(common, "owner_pays_unoccupied", false, &site->owner_pays_unoccupied) ||
        !get_bool(common, "by_days", true, &site->by_days)) {
        return false;
    }
    site->have_price = json_object_get(common, "price") != NULL;
    if (site->have_price ? !get_decimal(common, "price", 8, true, 0, &site->price)
                         : !get_decimal(common, "charge", 2, true, 0, &site->charge)) {
        return fail("\"common\" needs \"price\" (per kWh) or \"charge\" (money)");
    }
    if (owner < 0 || owner > (int64_t)UINT32_MAX) {
        return fail("owner_account out of range");
    }
    site->residual_policy = (prepay_alloc_residual_policy_t)policy;
    site->vacancy = (prepay_alloc_vacancy_t)vacancy;
    site->basis = bases[basis];
    site->owner = (uint64_t)owner;

    json_t *accounts = NULL, *items = NULL;
    if (!get_array(root, "accounts", &accounts) || !get_array(root, "items", &items)) {
        return false;
    }
    if (!accounts || json_array_size(accounts) == 0) {
        return fail("\"accounts\" must list at least one account");
    }
    site->account_count = json_array_size(accounts);
    site->accounts = calloc(site->account_count, sizeof *site->accounts);
    site->item_count = items ? json_array_size(items) : 0;
    site->items = calloc(site->item_count ? site->item_count : 1, sizeof *site->items);
    if (!site->accounts || !site->items) {
        return fail("out of memory");
    }
    for (size_t i = 0; i < site->account_count; i++) {
        if (!parse_account(json_array_get(accounts, i), i, &site->accounts[i], site->start, site->end)) {
            return false;
        }
        for (size_t j = 0; j < i; j++) {
            if (site->accounts[j].id == site->accounts[i].id) {
                return fail("accounts[%zu]: duplicate id %" PRIu64, i, site->accounts[i].id);
            }
        }
    }
    for (size_t i = 0; i < site->item_count; i++) {
        if (!parse_item(json_array_get(items, i), i, &site->items[i], site->start)) {
            return false;
        }
    }
    return true;
}

static site_account_t *find_account(site_t *site, uint64_t id)
{
    for (size_t i = 0; i < site->account_count; i++) {
        if (site->accounts[i].id == id) {
            return &site->accounts[i];
        }
    }
    return NULL;
}

/* ---- output helpers ------------------------------------------------------ */

static const char *money_text(prepay_money_t v, char buf[32])
{
    if (prepay_fixed_format(v, 2, buf, 32) < 0) {
        snprintf(buf, 32, "?");
    }
    return buf;
}

static const char *date_text(prepay_days_t d, char buf[16])
{
    int32_t y;
    uint8_t m, day;
    if (prepay_time_date_from_days(d, &y, &m, &day) != PREPAY_OK) {
        snprintf(buf, 16, "?");
    } else {
        snprintf(buf, 16, "%04d-%02u-%02u", (int)y, (unsigned)m, (unsigned)day);
    }
    return buf;
}

static json_t *json_money(prepay_money_t v)
{
    char buf[32];
    return json_string(money_text(v, buf));
}

static json_t *json_date(prepay_days_t d)
{
    char buf[16];
    return json_string(date_text(d, buf));
}

static const char *line_kind_name(prepay_statement_line_kind_t kind)
{
    switch (kind) {
    case PREPAY_BILLING_LINE_ENERGY: return "energy";
    case PREPAY_BILLING_LINE_COMMON_AREA: return "common_area";
    case PREPAY_BILLING_LINE_CHARGE_ITEM: return "charge_item";
    case PREPAY_BILLING_LINE_ADJUSTMENT: return "adjustment";
    case PREPAY_BILLING_LINE_PAYMENT: return "payment";
    default: return "?";
    }
}

static void csv_field(FILE *out, const char *s)
{
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    if (!quote) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') {
            fputc('"', out);
        }
        fputc(*s, out);
    }
    fputc('"', out);
}

/* ---- the month ----------------------------------------------------------- */

typedef struct results {
    prepay_alloc_residual_t residual;
    prepay_money_t common_money;
    prepay_alloc_line_t *lines;
    size_t line_count;
    prepay_charge_t *charges;
    size_t charge_count;
    prepay_statement_t *statements;
    prepay_statement_line_t *statement_lines;
    size_t statement_count;
    prepay_arrears_row_t *rows;
    size_t row_count;
} results_t;

static int64_t part_weight(const site_t *site, const site_account_t *a)
{
    if (strcmp(site->basis, "equal") == 0) {
        return 1;
    }
    if (strcmp(site->basis, "usage") == 0) {
        return a->sub_meter;
    }
    if (strcmp(site->basis, "ratio") == 0) {
        return a->ratio;
    }
    return a->area;
}

static int32_t occupied_days(const site_t *site, const site_account_t *a)
{
    prepay_days_t from = a->occupied_from > site->start ? a->occupied_from : site->start;
    prepay_days_t to = a->occupied_to < site->end ? a->occupied_to : site->end;
    return to > from ? (int32_t)(to - from) : 0;
}

static bool run_month(site_t *site, json_t *root, results_t *r)
{
    int status;
    /* 1. Common consumption and its price. */
    prepay_energy_t *subs = calloc(site->account_count, sizeof *subs);
    if (!subs) {
        return fail("out of memory");
    }
    for (size_t i = 0; i < site->account_count; i++) {
        subs[i] = site->accounts[i].sub_meter;
    }
    status = prepay_alloc_residual(site->master, subs, site->account_count, site->carried_in, site->residual_policy,
                                   &r->residual);
    free(subs);
    if (status != PREPAY_OK) {
        return fail("common consumption: %s", prepay_strerror(status));
    }
    if (site->have_price) {
        status = prepay_alloc_price_energy(r->residual.common, site->price, PREPAY_ROUND_HALF_UP, &r->common_money);
        if (status != PREPAY_OK) {
            return fail("pricing the common energy: %s", prepay_strerror(status));
        }
    } else {
        r->common_money = site->charge;
    }

    /* 2. Allocation. */
    prepay_alloc_part_t *parts = calloc(site->account_count, sizeof *parts);
    r->lines = calloc(2 * site->account_count, sizeof *r->lines);
    if (!parts || !r->lines) {
        free(parts);
        return fail("out of memory");
    }
    for (size_t i = 0; i < site->account_count; i++) {
        parts[i].account_id = site->accounts[i].id;
        parts[i].weight = part_weight(site, &site->accounts[i]);
        parts[i].occupied_days = occupied_days(site, &site->accounts[i]);
        parts[i].vacant = site->accounts[i].vacant;
    }
    prepay_alloc_request_t request = {r->residual.common,
                                      r->common_money,
                                      site->by_days ? (int32_t)(site->end - site->start) : 0,
                                      site->vacancy,
                                      site->owner,
                                      site->owner_pays_unoccupied};
    if (r->residual.common == 0 && r->common_money == 0) {
        /* Nothing to split (e.g. a clamped or carried fault): one zero line per part. */
        for (size_t i = 0; i < site->account_count; i++) {
            r->lines[i].part_index = i;
            r->lines[i].account_id = parts[i].vacant && site->vacancy == PREPAY_ALLOC_VACANT_OWNER ? site->owner
                                                                                                   : parts[i].account_id;
        }
        r->line_count = site->account_count;
        status = PREPAY_OK;
    } else {
        status = prepay_alloc_allocate(&request, parts, site->account_count, r->lines, 2 * site->account_count,
                                       &r->line_count);
    }
    free(parts);
    if (status != PREPAY_OK) {
        return fail("splitting the common charge: %s", prepay_strerror(status));
    }

    /* 3. Charge items due in the period (vacant accounts are not billed). */
    prepay_billing_account_t *billed = calloc(site->account_count, sizeof *billed);
    if (!billed) {
        return fail("out of memory");
    }
    size_t billed_count = 0;
    for (size_t i = 0; i < site->account_count; i++) {
        const site_account_t *a = &site->accounts[i];
        if (a->vacant) {
            continue;
        }
        prepay_billing_account_t *b = &billed[billed_count++];
        b->account_id = a->id;
        b->area = a->area;
        b->units = a->units;
        b->active_from = a->occupied_from;
        b->active_to = a->occupied_to;
    }
    size_t needed = 0;
    prepay_charge_t probe;
    status = prepay_billing_run(site->start, site->end, site->items, site->item_count, billed, billed_count, NULL,
                                NULL, &probe, 0, &needed);
    if (status == PREPAY_E_BUFFER_TOO_SMALL || status == PREPAY_OK) {
        r->charges = calloc(needed ? needed : 1, sizeof *r->charges);
        status = r->charges ? prepay_billing_run(site->start, site->end, site->items, site->item_count, billed,
                                                 billed_count, NULL, NULL, r->charges, needed, &r->charge_count)
                            : PREPAY_E_CAPACITY;
    }
    free(billed);
    if (status != PREPAY_OK) {
        return fail("charge items: %s", prepay_strerror(status));
    }

    /* 4. Statements of postpaid accounts. */
    json_t *energy = NULL, *payments = NULL, *arrears = NULL;
    if (!get_array(root, "energy", &energy) || !get_array(root, "payments", &payments) ||
        !get_array(root, "arrears", &arrears)) {
        return false;
    }
    size_t energy_count = energy ? json_array_size(energy) : 0;
    size_t payment_count = payments ? json_array_size(payments) : 0;
    size_t per_statement = energy_count + payment_count + r->line_count + r->charge_count;
    r->statements = calloc(site->account_count, sizeof *r->statements);
    r->statement_lines = calloc(site->account_count * (per_statement ? per_statement : 1), sizeof *r->statement_lines);
    if (!r->statements || !r->statement_lines) {
        return fail("out of memory");
    }
    /* Validate energy and payment lines against the accounts first. */
    for (size_t i = 0; i < energy_count; i++) {
        json_t *e = json_array_get(energy, i);
        int64_t account = 0, band = 0, tier = 0, wh = 0, amount = 0;
        if (!json_is_object(e) || !get_int(e, "account", true, 0, &account) || !get_int(e, "band", true, 0, &band) ||
            !get_int(e, "tier", false, 1, &tier) || !get_int(e, "wh", false, 0, &wh) ||
            !get_decimal(e, "amount", 2, true, 0, &amount)) {
            return fail_in("energy", i);
        }
        site_account_t *a = find_account(site, (uint64_t)account);
        if (!a || !a->postpaid) {
            return fail("energy[%zu]: account %" PRId64 " is not a postpaid account", i, account);
        }
        if (band < 1 || band > 63 || tier < 0 || tier > 255) {
            return fail("energy[%zu]: band must be 1..63 and tier 0..255", i);
        }
    }
    for (size_t i = 0; i < payment_count; i++) {
        json_t *p = json_array_get(payments, i);
        int64_t account = 0, amount = 0, id = 0;
        prepay_days_t date = 0;
        if (!json_is_object(p) || !get_int(p, "account", true, 0, &account) || !get_int(p, "id", false, 0, &id) ||
            !get_date(p, "date", true, 0, &date) || !get_decimal(p, "amount", 2, true, 0, &amount)) {
            return fail_in("payments", i);
        }
        site_account_t *a = find_account(site, (uint64_t)account);
        if (!a || !a->postpaid) {
            return fail("payments[%zu]: account %" PRId64 " is not a postpaid account", i, account);
        }
        if (amount < 0) {
            return fail("payments[%zu]: negative payment (use an adjustment)", i);
        }
    }
    for (size_t i = 0; i < site->account_count; i++) {
        const site_account_t *a = &site->accounts[i];
        if (!a->postpaid) {
            continue;
        }
        prepay_statement_t *st = &r->statements[r->statement_count];
        status = prepay_billing_statement_init(st, a->id, site->start, site->end, a->opening,
                                               r->statement_lines + r->statement_count * per_statement, per_statement);
        for (size_t k = 0; status == PREPAY_OK && k < energy_count; k++) {
            json_t *e = json_array_get(energy, k);
            int64_t account = 0, band = 0, tier = 0, wh = 0, amount = 0;
            (void)get_int(e, "account", true, 0, &account);
            if ((uint64_t)account != a->id) {
                continue;
            }
            (void)get_int(e, "band", true, 0, &band);
            (void)get_int(e, "tier", false, 1, &tier);
            (void)get_int(e, "wh", false, 0, &wh);
            (void)get_decimal(e, "amount", 2, true, 0, &amount);
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_ENERGY, (uint8_t)band, (uint8_t)tier, wh, amount, 0,
                                            site->start};
            status = prepay_billing_statement_add(st, &line);
        }
        for (size_t k = 0; status == PREPAY_OK && k < r->line_count; k++) {
            if (r->lines[k].account_id == a->id) {
                prepay_statement_line_t line = {PREPAY_BILLING_LINE_COMMON_AREA, 0, 0, r->lines[k].energy,
                                                r->lines[k].money, 0, site->end - 1};
                status = prepay_billing_statement_add(st, &line);
            }
        }
        for (size_t k = 0; status == PREPAY_OK && k < r->charge_count; k++) {
            const prepay_charge_t *c = &r->charges[k];
            if (c->account_id == a->id && c->collection == PREPAY_BILLING_COLLECT_BILL) {
                prepay_statement_line_t line = {PREPAY_BILLING_LINE_CHARGE_ITEM, 0, 0, 0, c->amount, c->charge_id,
                                                c->covered_start};
                status = prepay_billing_statement_add(st, &line);
            }
        }
        for (size_t k = 0; status == PREPAY_OK && k < payment_count; k++) {
            json_t *p = json_array_get(payments, k);
            int64_t account = 0, amount = 0, id = 0;
            prepay_days_t date = 0;
            (void)get_int(p, "account", true, 0, &account);
            if ((uint64_t)account != a->id) {
                continue;
            }
            (void)get_int(p, "id", false, 0, &id);
            (void)get_date(p, "date", true, 0, &date);
            (void)get_decimal(p, "amount", 2, true, 0, &amount);
            prepay_statement_line_t line = {PREPAY_BILLING_LINE_PAYMENT, 0, 0, 0, amount, (uint64_t)id, date};
            status = prepay_billing_statement_add(st, &line);
        }
        if (status == PREPAY_OK) {
            status = prepay_billing_statement_confirm(st);
        }
        if (status == PREPAY_OK) {
            status = prepay_billing_statement_issue(st, site->issue_date, site->due_date);
        }
        if (status != PREPAY_OK) {
            return fail("statement of account %" PRIu64 ": %s", a->id, prepay_strerror(status));
        }
        r->statement_count++;
    }

    /* 5. Arrears: earlier unpaid items plus this month's closings. */
    size_t old_count = arrears ? json_array_size(arrears) : 0;
    prepay_arrears_item_t *owed = calloc(old_count + r->statement_count + 1, sizeof *owed);
    r->rows = calloc(old_count + r->statement_count + 1, sizeof *r->rows);
    if (!owed || !r->rows) {
        free(owed);
        return fail("out of memory");
    }
    size_t owed_count = 0;
    for (size_t i = 0; i < old_count; i++) {
        json_t *o = json_array_get(arrears, i);
        int64_t account = 0, statement = 0;
        prepay_arrears_item_t *item = &owed[owed_count++];
        if (!json_is_object(o) || !get_int(o, "account", true, 0, &account) ||
            !get_int(o, "statement", false, 0, &statement) || !get_date(o, "due", true, 0, &item->due_date) ||
            !get_decimal(o, "outstanding", 2, true, 0, &item->outstanding)) {
            free(owed);
            return fail_in("arrears", i);
        }
        item->account_id = (uint64_t)account;
        item->statement_id = (uint64_t)statement;
    }
    for (size_t i = 0; i < r->statement_count; i++) {
        prepay_arrears_item_t *item = &owed[owed_count++];
        item->account_id = r->statements[i].account_id;
        item->statement_id = r->statements[i].statement_id;
        item->due_date = r->statements[i].due_date;
        item->outstanding = r->statements[i].closing;
    }
    status = prepay_billing_arrears(owed, owed_count, site->as_of, r->rows, owed_count + 1, &r->row_count);
    free(owed);
    if (status != PREPAY_OK) {
        return fail("arrears: %s", prepay_strerror(status));
    }
    return true;
}

/* ---- output -------------------------------------------------------------- */

static json_t *statement_json(const prepay_statement_t *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "statement_id", json_integer((json_int_t)st->statement_id));
    json_object_set_new(o, "account", json_integer((json_int_t)st->account_id));
    json_object_set_new(o, "period_start", json_date(st->period_start));
    json_object_set_new(o, "period_end", json_date(st->period_end));
    json_object_set_new(o, "state", json_string(st->state == PREPAY_BILLING_ISSUED ? "issued" : "draft"));
    json_object_set_new(o, "issue_date", json_date(st->issue_date));
    json_object_set_new(o, "due_date", json_date(st->due_date));
    json_object_set_new(o, "opening", json_money(st->opening));
    json_object_set_new(o, "energy", json_money(st->totals[PREPAY_BILLING_LINE_ENERGY]));
    json_object_set_new(o, "common_area", json_money(st->totals[PREPAY_BILLING_LINE_COMMON_AREA]));
    json_object_set_new(o, "items", json_money(st->totals[PREPAY_BILLING_LINE_CHARGE_ITEM]));
    json_object_set_new(o, "adjustments", json_money(st->totals[PREPAY_BILLING_LINE_ADJUSTMENT]));
    json_object_set_new(o, "charges", json_money(st->charges));
    json_object_set_new(o, "payments", json_money(st->payments));
    json_object_set_new(o, "closing", json_money(st->closing));
    json_t *lines = json_array();
    for (size_t i = 0; i < st->line_count; i++) {
        const prepay_statement_line_t *l = &st->lines[i];
        json_t *lo = json_object();
        json_object_set_new(lo, "kind", json_string(line_kind_name(l->kind)));
        if (l->kind == PREPAY_BILLING_LINE_ENERGY) {
            json_object_set_new(lo, "band", json_integer(l->band));
            json_object_set_new(lo, "tier", json_integer(l->tier));
        }
        json_object_set_new(lo, "energy_wh", json_integer((json_int_t)l->energy));
        json_object_set_new(lo, "amount", json_money(l->amount));
        json_object_set_new(lo, "reference", json_integer((json_int_t)l->reference));
        json_object_set_new(lo, "date", json_date(l->date));
        json_array_append_new(lines, lo);
    }
    json_object_set_new(o, "lines", lines);
    return o;
}

static json_t *arrears_json(const prepay_arrears_row_t *row)
{
    json_t *o = json_object();
    json_object_set_new(o, "account", json_integer((json_int_t)row->account_id));
    json_object_set_new(o, "not_due", json_money(row->not_due));
    json_object_set_new(o, "days_0_30", json_money(row->buckets[0]));
    json_object_set_new(o, "days_31_60", json_money(row->buckets[1]));
    json_object_set_new(o, "days_61_90", json_money(row->buckets[2]));
    json_object_set_new(o, "days_over_90", json_money(row->buckets[3]));
    json_object_set_new(o, "total", json_money(row->total));
    json_object_set_new(o, "oldest_days", json_integer(row->oldest_days));
    return o;
}

static void print_json(const site_t *site, const results_t *r)
{
    json_t *doc = json_object();
    json_t *period = json_object();
    json_object_set_new(period, "start", json_date(site->start));
    json_object_set_new(period, "end", json_date(site->end));
    json_object_set_new(doc, "period", period);
    json_t *common = json_object();
    json_object_set_new(common, "master_wh", json_integer((json_int_t)r->residual.master));
    json_object_set_new(common, "sub_meters_wh", json_integer((json_int_t)r->residual.sub_total));
    json_object_set_new(common, "carried_in_wh", json_integer((json_int_t)r->residual.carried_in));
    json_object_set_new(common, "common_wh", json_integer((json_int_t)r->residual.common));
    json_object_set_new(common, "negative_residual", json_boolean(r->residual.negative));
    json_object_set_new(common, "carry_out_wh", json_integer((json_int_t)r->residual.carry_out));
    json_object_set_new(common, "clamped_wh", json_integer((json_int_t)r->residual.clamped));
    json_object_set_new(common, "loss_bp", json_integer((json_int_t)r->residual.loss_bp));
    json_object_set_new(common, "charge", json_money(r->common_money));
    json_object_set_new(doc, "common", common);
    json_t *allocation = json_array();
    for (size_t i = 0; i < r->line_count; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "part", json_integer((json_int_t)r->lines[i].part_index));
        json_object_set_new(o, "account", json_integer((json_int_t)r->lines[i].account_id));
        json_object_set_new(o, "weight", json_integer((json_int_t)r->lines[i].weight));
        json_object_set_new(o, "energy_wh", json_integer((json_int_t)r->lines[i].energy));
        json_object_set_new(o, "amount", json_money(r->lines[i].money));
        json_array_append_new(allocation, o);
    }
    json_object_set_new(doc, "allocation", allocation);
    json_t *charges = json_array();
    for (size_t i = 0; i < r->charge_count; i++) {
        const prepay_charge_t *c = &r->charges[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer((json_int_t)c->charge_id));
        json_object_set_new(o, "account", json_integer((json_int_t)c->account_id));
        json_object_set_new(o, "item", json_integer(c->item_id));
        json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
        json_object_set_new(o, "occurrence", json_integer(c->occurrence));
        json_object_set_new(o, "covered_start", json_date(c->covered_start));
        json_object_set_new(o, "covered_end", json_date(c->covered_end));
        json_object_set_new(o, "amount", json_money(c->amount));
        json_object_set_new(o, "collect", json_string(c->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct"));
        json_array_append_new(charges, o);
    }
    json_object_set_new(doc, "charges", charges);
    json_t *statements = json_array();
    for (size_t i = 0; i < r->statement_count; i++) {
        json_array_append_new(statements, statement_json(&r->statements[i]));
    }
    json_object_set_new(doc, "statements", statements);
    json_t *arrears = json_array();
    for (size_t i = 0; i < r->row_count; i++) {
        json_array_append_new(arrears, arrears_json(&r->rows[i]));
    }
    json_object_set_new(doc, "as_of", json_date(site->as_of));
    json_object_set_new(doc, "arrears", arrears);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        puts(text);
        free(text);
    }
    json_decref(doc);
}

static void print_csv(const char *table, const results_t *r)
{
    char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], d1[16], d2[16];
    if (strcmp(table, "statements") == 0) {
        printf("statement_id,account,period_start,period_end,issue_date,due_date,opening,energy,common_area,items,"
               "adjustments,charges,payments,closing\n");
        for (size_t i = 0; i < r->statement_count; i++) {
            const prepay_statement_t *st = &r->statements[i];
            char s1[16], s2[16];
            printf("%" PRIu64 ",%" PRIu64 ",%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", st->statement_id,
                   st->account_id, date_text(st->period_start, d1), date_text(st->period_end, d2),
                   date_text(st->issue_date, s1), date_text(st->due_date, s2), money_text(st->opening, a),
                   money_text(st->totals[PREPAY_BILLING_LINE_ENERGY], b),
                   money_text(st->totals[PREPAY_BILLING_LINE_COMMON_AREA], c),
                   money_text(st->totals[PREPAY_BILLING_LINE_CHARGE_ITEM], d),
                   money_text(st->totals[PREPAY_BILLING_LINE_ADJUSTMENT], e), money_text(st->charges, f),
                   money_text(st->payments, g), money_text(st->closing, h));
        }
    } else if (strcmp(table, "arrears") == 0) {
        printf("account,not_due,days_0_30,days_31_60,days_61_90,days_over_90,total,oldest_days\n");
        for (size_t i = 0; i < r->row_count; i++) {
            const prepay_arrears_row_t *row = &r->rows[i];
            printf("%" PRIu64 ",%s,%s,%s,%s,%s,%s,%d\n", row->account_id, money_text(row->not_due, a),
                   money_text(row->buckets[0], b), money_text(row->buckets[1], c), money_text(row->buckets[2], d),
                   money_text(row->buckets[3], e), money_text(row->total, f), (int)row->oldest_days);
        }
    } else if (strcmp(table, "allocation") == 0) {
        printf("part,account,weight,energy_wh,amount\n");
        for (size_t i = 0; i < r->line_count; i++) {
            const prepay_alloc_line_t *l = &r->lines[i];
            printf("%zu,%" PRIu64 ",%" PRId64 ",%" PRId64 ",%s\n", l->part_index, l->account_id, l->weight, l->energy,
                   money_text(l->money, a));
        }
    } else {
        printf("id,account,item,name,occurrence,covered_start,covered_end,amount,collect\n");
        for (size_t i = 0; i < r->charge_count; i++) {
            const prepay_charge_t *ch = &r->charges[i];
            printf("%" PRIu64 ",%" PRIu64 ",%u,", ch->charge_id, ch->account_id, (unsigned)ch->item_id);
            csv_field(stdout, ch->name ? ch->name : "");
            printf(",%u,%s,%s,%s,%s\n", (unsigned)ch->occurrence, date_text(ch->covered_start, d1),
                   date_text(ch->covered_end, d2), money_text(ch->amount, a),
                   ch->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct");
        }
    }
}

static void print_text(const site_t *site, const results_t *r)
{
    char a[32], b[32], c[32], d[32], e[32], f[32], d1[16], d2[16];
    printf("period %s .. %s (exclusive)\n", date_text(site->start, d1), date_text(site->end, d2));
    printf("common: master %" PRId64 " Wh - sub-meters %" PRId64 " Wh = %" PRId64 " Wh allocated, loss %s%%",
           r->residual.master, r->residual.sub_total, r->residual.common, money_text(r->residual.loss_bp, a));
    if (r->residual.negative) {
        printf(" (sub-meters exceed the master: clamped %" PRId64 " Wh, carried %" PRId64 " Wh)", r->residual.clamped,
               r->residual.carry_out);
    }
    printf("; charge %s\n", money_text(r->common_money, b));
    for (size_t i = 0; i < r->line_count; i++) {
        printf("  allocate account %-10" PRIu64 " %10" PRId64 " Wh %12s\n", r->lines[i].account_id,
               r->lines[i].energy, money_text(r->lines[i].money, a));
    }
    printf("charges: %zu\n", r->charge_count);
    for (size_t i = 0; i < r->charge_count; i++) {
        const prepay_charge_t *ch = &r->charges[i];
        printf("  account %-10" PRIu64 " %-20s %12s %s (id %" PRIu64 ")\n", ch->account_id, ch->name ? ch->name : "",
               money_text(ch->amount, a), ch->collection == PREPAY_BILLING_COLLECT_BILL ? "bill" : "deduct",
               ch->charge_id);
    }
    printf("statements: %zu\n", r->statement_count);
    for (size_t i = 0; i < r->statement_count; i++) {
        const prepay_statement_t *st = &r->statements[i];
        printf("  account %-10" PRIu64 " opening %s + charges %s - payments %s = closing %s, due %s\n",
               st->account_id, money_text(st->opening, a), money_text(st->charges, b), money_text(st->payments, c),
               money_text(st->closing, d), date_text(st->due_date, d1));
    }
    printf("arrears as of %s: %zu accounts\n", date_text(site->as_of, d1), r->row_count);
    for (size_t i = 0; i < r->row_count; i++) {
        const prepay_arrears_row_t *row = &r->rows[i];
        printf("  account %-10" PRIu64 " total %s (not due %s, 0-30 %s, 31-60 %s, 61-90 %s, >90 %s)\n",
               row->account_id, money_text(row->total, a), money_text(row->not_due, b),
               money_text(row->buckets[0], c), money_text(row->buckets[1], d), money_text(row->buckets[2], e),
               money_text(row->buckets[3], f));
    }
}

static void usage(FILE *to)
{
    fprintf(to, "usage: prepay bill SITE.json [--json | --csv statements|arrears|allocation|charges]\n"
                "One billing month of a site: common-area allocation, charge items, postpaid statements\n"
                "and arrears. Input format: docs/allocation-billing.md.\n");
}

int prepay_tool_bill(int argc, char **argv)
{
    const char *path = NULL, *csv = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc) {
            csv = argv[++i];
            if (strcmp(csv, "statements") != 0 && strcmp(csv, "arrears") != 0 && strcmp(csv, "allocation") != 0 &&
                strcmp(csv, "charges") != 0) {
                fprintf(stderr, "prepay bill: unknown CSV table '%s'\n", csv);
                return 2;
            }
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "prepay bill: unexpected argument '%s' (try --help)\n", argv[i]);
            return 2;
        } else {
            path = argv[i];
        }
    }
    if (!path || (json && csv)) {
        fprintf(stderr, "prepay bill: %s (try --help)\n", path ? "--json and --csv exclude each other" : "no input file");
        return 2;
    }
    json_error_t error;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &error);
    if (!root) {
        fprintf(stderr, "prepay bill: %s: line %d: %s\n", path, error.line, error.text);
        return 2;
    }
    site_t site;
    results_t results;
    memset(&site, 0, sizeof site);
    memset(&results, 0, sizeof results);
    bill_error[0] = '\0';
    bool ok = parse_site(root, &site) && run_month(&site, root, &results);
    if (ok) {
        if (json) {
            print_json(&site, &results);
        } else if (csv) {
            print_csv(csv, &results);
        } else {
            print_text(&site, &results);
        }
    } else {
        fprintf(stderr, "prepay bill: %s: %s\n", path, bill_error);
    }
    free(results.lines);
    free(results.charges);
    free(results.statements);
    free(results.statement_lines);
    free(results.rows);
    free(site.accounts);
    free(site.items);
    json_decref(root);
    return ok ? 0 : 2;
}
