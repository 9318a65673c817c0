/* SPDX-License-Identifier: MIT */
/*
 * Hosted: the tariff document every loader fills (tariff_doc_internal.h):
 * a fresh document, its validation by the core with the JSON path of what
 * failed, a file read through a buffer loader, and the document's plan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "tariff_doc_internal.h"

void prepay__tariff_doc_init(prepay_tariff_doc_t *doc, prepay_tariff_doc_format_t format)
{
    memset(doc, 0, sizeof *doc);
    doc->format = format;
    /* Both initialisers fail only on a NULL pointer; these are members of *doc. */
    (void)prepay_tariff_init(&doc->sets[0]);
    doc->sets[0].round_scope = PREPAY_ROUND_PER_BILL; /* the file format's default, and SAM's */
    doc->sets[0].rounding = PREPAY_ROUND_HALF_UP;
    (void)prepay_tariff_account_init(&doc->account);
    doc->switch_time = INT64_MAX;
}

/* The part of a file a core validation error is about. */
static const char *core_error_path(int status, bool set_b)
{
    switch (status) {
    case PREPAY_E_TARIFF_SEASON_ORDER:
    case PREPAY_E_TARIFF_SEASON_OVERLAP: return "$.schedule.seasons";
    case PREPAY_E_TARIFF_SLOT_ORDER:
    case PREPAY_E_TARIFF_SLOT_RANGE:
    case PREPAY_E_TARIFF_DAY_TABLE_EMPTY:
    case PREPAY_E_TARIFF_BAD_DAY_TABLE: return "$.schedule.day_tables";
    case PREPAY_E_TARIFF_HOLIDAY_ORDER: return "$.schedule.holidays";
    case PREPAY_E_TARIFF_OVERRIDE_ORDER:
    case PREPAY_E_TARIFF_OVERRIDE_RANGE: return "$.schedule.overrides";
    case PREPAY_E_TARIFF_TIER_ORDER:
    case PREPAY_E_TARIFF_TIER_FINITE_LAST:
    case PREPAY_E_TARIFF_BAD_CYCLE:
    case PREPAY_E_TARIFF_BAD_ACCOUNT: return "$.tiers";
    case PREPAY_E_TARIFF_BAD_PRICE:
    case PREPAY_E_TARIFF_BAD_DERIVATION: return set_b ? "$.prices_b" : "$.prices";
    case PREPAY_E_TARIFF_BAD_FIXED_CHARGE: return "$.fixed_charges";
    case PREPAY_E_TARIFF_SWITCH_MISMATCH: return "$.prices_b";
    case PREPAY_E_TARIFF_BAD_BAND: return "$.bands";
    default: return "$";
    }
}

int prepay__tariff_doc_validate(prepay__json_reader_t *r, const prepay_tariff_doc_t *doc)
{
    int status = PREPAY_OK;
    bool set_b = false;
    for (int s = 0; s < (doc->has_set_b ? 2 : 1) && status == PREPAY_OK; s++) {
        status = prepay_tariff_validate(&doc->sets[s]);
        set_b = s == 1;
    }
    if (status == PREPAY_OK) {
        prepay_tariff_plan_t plan;
        status = prepay_tariff_doc_plan(doc, &plan);
        if (status == PREPAY_OK) {
            status = prepay_tariff_plan_validate(&plan);
        }
        set_b = false;
    }
    if (status != PREPAY_OK) {
        return prepay__json_fail_at(r, core_error_path(status, set_b), PREPAY_E_HOSTED_TARIFF_INVALID,
                                    "tariff rejected by validation: %s", prepay_strerror(status));
    }
    return PREPAY_OK;
}

int prepay__tariff_doc_load_file(const char *path, prepay__tariff_buffer_loader_t load, const void *options,
                                 prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    if (!path || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    char *data = NULL;
    size_t len = 0;
    int status = prepay__json_read_file(path, &data, &len, err, err_cap);
    if (status == PREPAY_OK) {
        status = load(data, len, path, options, out, err, err_cap);
        free(data);
    }
    return status;
}

int prepay_tariff_doc_plan(const prepay_tariff_doc_t *doc, prepay_tariff_plan_t *plan)
{
    if (!doc || !plan) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    plan->sets[0] = &doc->sets[0];
    plan->sets[1] = doc->has_set_b ? &doc->sets[1] : NULL;
    plan->switch_time = doc->has_set_b ? doc->switch_time : INT64_MAX;
    return PREPAY_OK;
}
