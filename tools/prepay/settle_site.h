/* SPDX-License-Identifier: MIT */
/*
 * `prepay settle`: the site description (JSON, docs/settlement.md "The
 * prepay settle command") read with the project's JSON reader
 * (src/common/json_internal.h through cli_json.h), checked for
 * contradictions (unknown names, duplicate ids, a meter on a missing
 * account, a group without members ...) and built into a settlement site.
 *
 * Three steps, so that the fuzz target can drive the first two without any
 * file: settle_site_parse() (text -> document), settle_site_tariffs()
 * (tariff files, relative to the site file), settle_site_build() (document
 * -> prepay_settlement_site_t; every add is checked by the library).
 * Each reports one line "ORIGIN: $.path: problem" in err and returns a
 * libprepay status; nothing is kept on error.
 */
#ifndef PREPAY_TOOL_SETTLE_SITE_H
#define PREPAY_TOOL_SETTLE_SITE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/prepay.h"
#include "prepay/settlement.h"
#include "prepay/tariff_json.h"
#include "prepay/settlement_hosted.h"

typedef struct settle_tariff_spec {
    const char *name, *file;
    uint32_t version;
} settle_tariff_spec_t;

typedef struct settle_policy_spec {
    const char *name;
    int64_t alarm1, alarm2, overdraft; /* fen; -1: the library's default */
    bool pretrip;
} settle_policy_spec_t;

typedef struct settle_account_spec {
    uint32_t id;
    int kind; /* prepay_settlement_account_kind */
    const char *policy, *tariff;
    int64_t area;     /* 0.01 m2 */
    int64_t recharge; /* opening recharge, fen (0: none) */
} settle_account_spec_t;

typedef struct settle_meter_spec {
    uint32_t id, account;
    const char *address, *tariff;
} settle_meter_spec_t;

typedef struct settle_group_spec {
    uint32_t number, master;
    int method; /* prepay_settlement_method */
    const char *tariff;
    uint32_t *members;
    size_t member_count;
} settle_group_spec_t;

/* The document as read (strings point into `tree`). */
typedef struct settle_doc {
    json_t *tree;
    const char *name;
    prepay_days_t start, end;
    settle_tariff_spec_t *tariffs;
    size_t tariff_count;
    settle_policy_spec_t *policies;
    size_t policy_count;
    settle_account_spec_t *accounts;
    size_t account_count;
    settle_meter_spec_t *meters;
    size_t meter_count;
    settle_group_spec_t *groups;
    size_t group_count;
    /* resolved by settle_site_parse(): index of each account's/meter's/group's tariff, account's policy */
    uint16_t *account_tariff, *account_policy, *meter_tariff, *group_tariff;
    prepay_dlt645_address_t *meter_address;
    bool *meter_has_address;
    /* settle_site_tariffs(): the loaded tariff files */
    prepay_tariff_doc_t *tariff_docs;
    prepay_settlement_tariff_t *plans;
    prepay_wallet_policy_t *policy_values;
} settle_doc_t;

/* Parses and checks the document (names resolved, ids unique, references present). */
int settle_site_parse(const char *text, size_t len, const char *origin, settle_doc_t *doc, char *err, size_t err_cap);
/* Loads every tariff file (paths relative to the directory of site_path) into doc->plans. */
int settle_site_tariffs(settle_doc_t *doc, const char *site_path, char *err, size_t err_cap);
/* Uses one given plan for every tariff name (the fuzz target: no files). */
int settle_site_tariffs_fixed(settle_doc_t *doc, const prepay_tariff_plan_t *plan);
/* Builds the site (memory from prepay_settlement_memory_alloc()). */
int settle_site_build(settle_doc_t *doc, const char *origin, prepay_settlement_memory_t *memory,
                      prepay_settlement_site_t *site, char *err, size_t err_cap);
/* The site's period and its end as times. */
prepay_time_t settle_site_start(const settle_doc_t *doc);
prepay_time_t settle_site_end(const settle_doc_t *doc);
void settle_doc_free(settle_doc_t *doc);

#endif
