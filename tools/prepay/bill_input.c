/* SPDX-License-Identifier: MIT */
/*
 * prepay bill: reading a site month (JSON, docs/allocation-billing.md) into
 * a bill_t through the one hosted JSON reader (src/common/json_internal.h):
 * the format is the field tables below; the reader checks every value and
 * names the JSON path of the first problem. Arrays of any length go to heap
 * memory (cli_json.h); the rules that join members (dates in order, one
 * price, accounts that exist) are the objects' finish functions.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bill.h"
#include "cli_json.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

/* A date member that was not given (dates default to other dates of the file). */
#define NO_DATE INT32_MIN
/* Far future: an item without "to" applies for ever. */
#define ITEM_FOREVER (INT32_MAX / 2)

bool bill_fail(bill_t *b, int status, const char *format, ...)
{
    if (b->error[0] == '\0') {
        va_list args;
        va_start(args, format);
        vsnprintf(b->error, sizeof b->error, format, args);
        va_end(args);
        b->status = status;
    }
    return false;
}

static bill_t *bill_of(prepay__json_reader_t *r)
{
    return r->user;
}

/* ---- value types -------------------------------------------------------------------------- */

static const prepay__json_type_t date_type = {PREPAY__JSON_DATE};
static const prepay__json_type_t bool_type = {PREPAY__JSON_BOOL};
static const prepay__json_type_t money_type = {PREPAY__JSON_DECIMAL(2, INT64_MIN, INT64_MAX)};
static const prepay__json_type_t payment_type = {PREPAY__JSON_DECIMAL(2, 0, INT64_MAX)};
static const prepay__json_type_t area_type = {PREPAY__JSON_DECIMAL(2, 0, INT64_MAX)};
static const prepay__json_type_t price_type = {PREPAY__JSON_DECIMAL(8, 0, PREPAY_PRICE_MAX)};
static const prepay__json_type_t count_type = {PREPAY__JSON_INT(int64_t, 0, INT64_MAX)};
static const prepay__json_type_t carried_type = {PREPAY__JSON_INT(int64_t, INT64_MIN, 0)};
static const prepay__json_type_t wh_type = {PREPAY__JSON_INT(int64_t, INT64_MIN, INT64_MAX)};
static const prepay__json_type_t account_id_type = {PREPAY__JSON_INT(uint64_t, 1, UINT32_MAX)};
static const prepay__json_type_t any_account_type = {PREPAY__JSON_INT(uint64_t, 0, UINT32_MAX)};
static const prepay__json_type_t id_type = {PREPAY__JSON_INT(uint64_t, 0, INT64_MAX)};
static const prepay__json_type_t item_id_type = {PREPAY__JSON_INT(uint16_t, 1, 0xFFFF)};
static const prepay__json_type_t band_type = {PREPAY__JSON_INT(uint8_t, 1, 63)};
static const prepay__json_type_t tier_type = {PREPAY__JSON_INT(uint8_t, 0, 255)};
static const prepay__json_type_t name_type = {PREPAY__JSON_STRING_REF};
static const prepay__json_type_t comment_type = {PREPAY__JSON_STRING(0, 0)};

static const char *const mode_names[] = {"prepaid", "postpaid", NULL};
static const prepay__json_type_t mode_type = {PREPAY__JSON_ENUM(bool, mode_names, NULL)};

static const char *const policy_names[] = {"fail", "clamp", "carry", NULL};
static const int policy_values[] = {PREPAY_ALLOCATION_RESIDUAL_FAIL, PREPAY_ALLOCATION_RESIDUAL_CLAMP,
                                    PREPAY_ALLOCATION_RESIDUAL_CARRY};
static const prepay__json_type_t policy_type = {
    PREPAY__JSON_ENUM(prepay_allocation_residual_policy_t, policy_names, policy_values)};
static const char *const vacancy_names[] = {"owner", "skip", NULL};
static const int vacancy_values[] = {PREPAY_ALLOCATION_VACANT_OWNER, PREPAY_ALLOCATION_VACANT_SKIP};
static const prepay__json_type_t vacancy_type = {PREPAY__JSON_ENUM(prepay_allocation_vacancy_t, vacancy_names,
                                                                   vacancy_values)};
static const char *const basis_names[] = {"area", "equal", "usage", "ratio", NULL};
static const int basis_values[] = {BILL_BASIS_AREA, BILL_BASIS_EQUAL, BILL_BASIS_USAGE, BILL_BASIS_RATIO};
static const prepay__json_type_t basis_type = {PREPAY__JSON_ENUM(bill_basis_t, basis_names, basis_values)};

static const char *const charge_basis_names[] = {"fixed", "per_area", "per_unit", NULL};
static const int charge_basis_values[] = {PREPAY_BILLING_FIXED, PREPAY_BILLING_PER_AREA, PREPAY_BILLING_PER_UNIT};
static const prepay__json_type_t charge_basis_type = {
    PREPAY__JSON_ENUM(prepay_charge_basis_t, charge_basis_names, charge_basis_values)};
static const char *const schedule_names[] = {"once", "monthly", "quarterly", "yearly", NULL};
static const int schedule_values[] = {PREPAY_BILLING_ONCE, PREPAY_BILLING_MONTHLY, PREPAY_BILLING_QUARTERLY,
                                      PREPAY_BILLING_YEARLY};
static const prepay__json_type_t schedule_type = {
    PREPAY__JSON_ENUM(prepay_charge_schedule_t, schedule_names, schedule_values)};
static const char *const prorate_names[] = {"none", "day", NULL};
static const int prorate_values[] = {PREPAY_BILLING_PRORATE_NONE, PREPAY_BILLING_PRORATE_BY_DAY};
static const prepay__json_type_t prorate_type = {
    PREPAY__JSON_ENUM(prepay_charge_proration_t, prorate_names, prorate_values)};
static const char *const collect_names[] = {"deduct", "bill", NULL};
static const int collect_values[] = {PREPAY_BILLING_COLLECT_DEDUCT, PREPAY_BILLING_COLLECT_BILL};
static const prepay__json_type_t collect_type = {
    PREPAY__JSON_ENUM(prepay_charge_collection_t, collect_names, collect_values)};

/* An account id that must name a postpaid account of the file; stored as its index. */
static int read_postpaid_account(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                 void *out)
{
    (void)type;
    bill_t *b = bill_of(r);
    uint64_t id = 0;
    int status = prepay__json_read(r, value, &account_id_type, &id);
    if (status != PREPAY_OK) {
        return status;
    }
    size_t index = bill_index_get(&b->index, id);
    if (index == SIZE_MAX || !b->accounts[index].postpaid) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_VALUE, "account %" PRIu64 " is not a postpaid account", id);
    }
    memcpy(out, &index, sizeof index);
    return PREPAY_OK;
}
static const prepay__json_type_t postpaid_account_type = {.read = read_postpaid_account};

/* ---- period and common area ------------------------------------------------------------------ */

static int period_finish(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    const bill_t *b = out;
    return b->end > b->start ? PREPAY_OK
                             : prepay__json_fail_member(r, "end", PREPAY_E_HOSTED_JSON_VALUE, "must be after start");
}

static const prepay__json_field_t period_fields[] = {
    PREPAY__JSON_FIELD("start", PREPAY__JSON_REQUIRED, date_type, bill_t, start),
    PREPAY__JSON_FIELD("end", PREPAY__JSON_REQUIRED, date_type, bill_t, end),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t period_type = {PREPAY__JSON_OBJECT("a period object", period_fields),
                                                .finish = period_finish};

/* One of "price" (per kWh, through the library's one price check) and "charge" (money). */
static int common_finish(prepay__json_reader_t *r, const json_t *value, void *out)
{
    bill_t *b = out;
    bool price = json_object_get(value, "price") != NULL, charge = json_object_get(value, "charge") != NULL;
    if (price == charge) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_JSON_TYPE,
                                 price ? "give \"price\" or \"charge\", not both"
                                       : "needs \"price\" (per kWh) or \"charge\" (money)");
    }
    b->have_price = price;
    return PREPAY_OK;
}

static const prepay__json_field_t common_fields[] = {
    PREPAY__JSON_FIELD("master_wh", PREPAY__JSON_REQUIRED, count_type, bill_t, master),
    PREPAY__JSON_FIELD("carried_in_wh", 0, carried_type, bill_t, carried_in),
    PREPAY__JSON_FIELD("residual_policy", 0, policy_type, bill_t, residual_policy),
    PREPAY__JSON_FIELD("price", 0, price_type, bill_t, price),
    PREPAY__JSON_FIELD("charge", 0, money_type, bill_t, charge),
    PREPAY__JSON_FIELD("basis", 0, basis_type, bill_t, basis),
    PREPAY__JSON_FIELD("vacancy", 0, vacancy_type, bill_t, vacancy),
    PREPAY__JSON_FIELD("owner_account", 0, any_account_type, bill_t, owner),
    PREPAY__JSON_FIELD("owner_pays_unoccupied", 0, bool_type, bill_t, owner_pays_unoccupied),
    PREPAY__JSON_FIELD("by_days", 0, bool_type, bill_t, by_days),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t common_type = {PREPAY__JSON_OBJECT("a common-area object", common_fields),
                                                .finish = common_finish};

/* ---- accounts ---------------------------------------------------------------------------------- */

static const prepay__json_field_t account_fields[] = {
    PREPAY__JSON_FIELD("id", PREPAY__JSON_REQUIRED, account_id_type, bill_account_t, id),
    PREPAY__JSON_FIELD("area", 0, area_type, bill_account_t, area),
    PREPAY__JSON_FIELD("units", 0, count_type, bill_account_t, units),
    PREPAY__JSON_FIELD("ratio", 0, count_type, bill_account_t, ratio),
    PREPAY__JSON_FIELD("sub_meter_wh", 0, count_type, bill_account_t, sub_meter),
    PREPAY__JSON_FIELD("occupied_from", 0, date_type, bill_account_t, occupied_from),
    PREPAY__JSON_FIELD("occupied_to", 0, date_type, bill_account_t, occupied_to),
    PREPAY__JSON_FIELD("vacant", 0, bool_type, bill_account_t, vacant),
    PREPAY__JSON_FIELD("mode", 0, mode_type, bill_account_t, postpaid),
    PREPAY__JSON_FIELD("opening", 0, money_type, bill_account_t, opening),
    PREPAY__JSON_FIELDS_END,
};

/* An account: one unit, ratio 1, occupied for the whole period unless it says otherwise. */
static int read_account(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    const bill_t *b = bill_of(r);
    bill_account_t *a = out;
    a->units = 1;
    a->ratio = 1;
    a->occupied_from = b->start;
    a->occupied_to = b->end;
    int status = prepay__json_object(r, value, type, out);
    if (status == PREPAY_OK && a->occupied_to < a->occupied_from) {
        status = prepay__json_fail_member(r, "occupied_to", PREPAY_E_HOSTED_JSON_VALUE, "is before occupied_from");
    }
    return status;
}
static const prepay__json_type_t account_type = {.read = read_account, .what = "an account",
                                                 .fields = account_fields};

/* Every id once: the hash index is built as the accounts are read. */
static int check_account(prepay__json_reader_t *r, const json_t *item, void *items, size_t index)
{
    (void)item;
    bill_t *b = bill_of(r);
    const bill_account_t *a = (const bill_account_t *)items + index;
    if (!bill_index_put(&b->index, a->id, index)) {
        return prepay__json_fail_member(r, "id", PREPAY_E_HOSTED_JSON_VALUE, "duplicate account id %" PRIu64, a->id);
    }
    return PREPAY_OK;
}

static const prepay__json_type_t account_list_type = {
    CLI_JSON_LIST(bill_t, accounts, account_count, account_type, "accounts", 1, SIZE_MAX / 2),
    .check_item = check_account};

static int read_accounts(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    (void)type;
    bill_t *b = out;
    if (json_is_array(value) && !bill_index_init(&b->index, json_array_size(value))) {
        return prepay__json_fail(r, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    return prepay__json_read(r, value, &account_list_type, out);
}
static const prepay__json_type_t accounts_type = {.read = read_accounts};

/* ---- charge items ------------------------------------------------------------------------------ */

static const prepay__json_field_t item_fields[] = {
    PREPAY__JSON_FIELD("id", PREPAY__JSON_REQUIRED, item_id_type, prepay_charge_item_t, item_id),
    PREPAY__JSON_FIELD("name", 0, name_type, prepay_charge_item_t, name),
    PREPAY__JSON_FIELD("account", 0, any_account_type, prepay_charge_item_t, account_id),
    PREPAY__JSON_FIELD("basis", 0, charge_basis_type, prepay_charge_item_t, basis),
    PREPAY__JSON_FIELD("rate", PREPAY__JSON_REQUIRED, money_type, prepay_charge_item_t, rate),
    PREPAY__JSON_FIELD("schedule", 0, schedule_type, prepay_charge_item_t, schedule),
    PREPAY__JSON_FIELD("anchor", 0, date_type, prepay_charge_item_t, anchor),
    PREPAY__JSON_FIELD("from", 0, date_type, prepay_charge_item_t, effective_from),
    PREPAY__JSON_FIELD("to", 0, date_type, prepay_charge_item_t, effective_to),
    PREPAY__JSON_FIELD("prorate", 0, prorate_type, prepay_charge_item_t, proration),
    PREPAY__JSON_FIELD("collect", 0, collect_type, prepay_charge_item_t, collection),
    PREPAY__JSON_FIELDS_END,
};

/* An item: monthly, billed, anchored at the period start and in force from its anchor for ever, by default. */
static int read_item(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    prepay_charge_item_t *it = out;
    it->name = "";
    it->schedule = PREPAY_BILLING_MONTHLY;
    it->collection = PREPAY_BILLING_COLLECT_BILL;
    it->anchor = bill_of(r)->start;
    it->effective_from = NO_DATE;
    it->effective_to = ITEM_FOREVER;
    int status = prepay__json_object(r, value, type, out);
    if (it->effective_from == NO_DATE) {
        it->effective_from = it->anchor;
    }
    return status;
}
static const prepay__json_type_t item_type = {.read = read_item, .what = "a charge item", .fields = item_fields};
static const prepay__json_type_t items_type = {
    CLI_JSON_LIST(bill_t, items, item_count, item_type, "charge items", 0, 0xFFFF)};

/* ---- energy lines, payments, earlier arrears ----------------------------------------------------- */

static const prepay__json_field_t energy_fields[] = {
    PREPAY__JSON_FIELD("account", PREPAY__JSON_REQUIRED, postpaid_account_type, bill_energy_line_t, account),
    PREPAY__JSON_FIELD("band", PREPAY__JSON_REQUIRED, band_type, bill_energy_line_t, band),
    PREPAY__JSON_FIELD("tier", 0, tier_type, bill_energy_line_t, tier),
    PREPAY__JSON_FIELD("wh", 0, wh_type, bill_energy_line_t, wh),
    PREPAY__JSON_FIELD("amount", PREPAY__JSON_REQUIRED, money_type, bill_energy_line_t, amount),
    PREPAY__JSON_FIELDS_END,
};

/* An energy line is in tier 1 unless it says otherwise. */
static int read_energy(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    ((bill_energy_line_t *)out)->tier = 1;
    return prepay__json_object(r, value, type, out);
}
static const prepay__json_type_t energy_type = {.read = read_energy, .what = "an energy line",
                                                .fields = energy_fields};
static const prepay__json_type_t energy_list_type = {
    CLI_JSON_LIST(bill_t, energy, energy_count, energy_type, "energy lines", 0, SIZE_MAX / 2)};

static const prepay__json_field_t payment_fields[] = {
    PREPAY__JSON_FIELD("account", PREPAY__JSON_REQUIRED, postpaid_account_type, bill_payment_t, account),
    PREPAY__JSON_FIELD("id", 0, id_type, bill_payment_t, id),
    PREPAY__JSON_FIELD("date", PREPAY__JSON_REQUIRED, date_type, bill_payment_t, date),
    PREPAY__JSON_FIELD("amount", PREPAY__JSON_REQUIRED, payment_type, bill_payment_t, amount),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t payment_type_object = {PREPAY__JSON_OBJECT("a payment", payment_fields)};
static const prepay__json_type_t payment_list_type = {
    CLI_JSON_LIST(bill_t, payments, payment_count, payment_type_object, "payments", 0, SIZE_MAX / 2)};

static const prepay__json_field_t arrears_fields[] = {
    PREPAY__JSON_FIELD("account", PREPAY__JSON_REQUIRED, account_id_type, prepay_arrears_item_t, account_id),
    PREPAY__JSON_FIELD("statement", 0, id_type, prepay_arrears_item_t, statement_id),
    PREPAY__JSON_FIELD("due", PREPAY__JSON_REQUIRED, date_type, prepay_arrears_item_t, due_date),
    PREPAY__JSON_FIELD("outstanding", PREPAY__JSON_REQUIRED, money_type, prepay_arrears_item_t, outstanding),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t arrears_type = {PREPAY__JSON_OBJECT("an arrears item", arrears_fields)};
static const prepay__json_type_t arrears_list_type = {
    CLI_JSON_LIST(bill_t, old_arrears, old_arrears_count, arrears_type, "arrears items", 0, SIZE_MAX / 2)};

/* ---- the document -------------------------------------------------------------------------------- */

/* Dates that default to other dates: issue = end, due = issue + 14, as of = due. */
static int site_finish(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    bill_t *b = out;
    b->issue_date = b->issue_date == NO_DATE ? b->end : b->issue_date;
    b->due_date = b->due_date == NO_DATE ? b->issue_date + 14 : b->due_date;
    b->as_of = b->as_of == NO_DATE ? b->due_date : b->as_of;
    if (b->due_date < b->issue_date) {
        return prepay__json_fail_member(r, "due_date", PREPAY_E_HOSTED_JSON_VALUE, "is before issue_date");
    }
    /* Lists a file leaves out are empty, never NULL. */
    void **lists[] = {(void **)&b->items, (void **)&b->energy, (void **)&b->payments, (void **)&b->old_arrears};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        if (*lists[i] == NULL && (*lists[i] = calloc(1, 64)) == NULL) {
            return prepay__json_fail(r, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
        }
    }
    return PREPAY_OK;
}

/* Members are read in this order: the period first (other dates default to it), accounts before the lines that name them. */
static const prepay__json_field_t site_fields[] = {
    PREPAY__JSON_FIELD("comment", 0, comment_type, bill_t, start),
    PREPAY__JSON_FIELD_HERE("period", PREPAY__JSON_REQUIRED, period_type),
    PREPAY__JSON_FIELD("issue_date", 0, date_type, bill_t, issue_date),
    PREPAY__JSON_FIELD("due_date", 0, date_type, bill_t, due_date),
    PREPAY__JSON_FIELD("as_of", 0, date_type, bill_t, as_of),
    PREPAY__JSON_FIELD_HERE("common", PREPAY__JSON_REQUIRED, common_type),
    PREPAY__JSON_FIELD_HERE("accounts", PREPAY__JSON_REQUIRED, accounts_type),
    PREPAY__JSON_FIELD_HERE("items", 0, items_type),
    PREPAY__JSON_FIELD_HERE("energy", 0, energy_list_type),
    PREPAY__JSON_FIELD_HERE("payments", 0, payment_list_type),
    PREPAY__JSON_FIELD_HERE("arrears", 0, arrears_list_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t site_type = {PREPAY__JSON_OBJECT("a site month object", site_fields),
                                              .finish = site_finish};

int bill_parse(const char *text, size_t len, const char *origin, bill_t *b)
{
    memset(b, 0, sizeof *b);
    b->issue_date = b->due_date = b->as_of = NO_DATE;
    b->by_days = true;
    int status = cli_json_load(text, len, origin, &site_type, b, b, &b->root, b->error, sizeof b->error);
    if (status != PREPAY_OK) {
        b->status = status;
        return -1;
    }
    return 0;
}
