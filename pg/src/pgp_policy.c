/* SPDX-License-Identifier: MIT */
/*
 * The wallet policy's JSON form, read by libprepay's one JSON reader from a
 * field table. Kept apart from the SQL wrappers: jansson and PostgreSQL's
 * headers both declare json_object(), so this file includes no PostgreSQL
 * header. See pgp_wallet.c for the members.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "json_internal.h"
#include "pgp_policy.h"
#include "prepay/status.h"
#include "prepay/wallet.h"

typedef struct policy_doc
{
    prepay_wallet_policy_t policy;
    bool        emergency_auto;
    uint8_t     days[7];
    uint8_t     day_count;
} policy_doc;

static const prepay__json_type_t money_type = {PREPAY__JSON_INT(int64_t, INT64_MIN, INT64_MAX)};
static const prepay__json_type_t level_type = {PREPAY__JSON_INT(uint8_t, 0, PREPAY_MAX_ALARM_LEVELS)};
static const prepay__json_type_t bool_type = {PREPAY__JSON_BOOL};
static const char *const cutoff_names[] = {"zero", "overdraft_limit", NULL};
static const int cutoff_values[] = {PREPAY_WALLET_CUTOFF_AT_ZERO, PREPAY_WALLET_CUTOFF_AT_OVERDRAFT_LIMIT};
static const prepay__json_type_t cutoff_type = {PREPAY__JSON_ENUM(uint8_t, cutoff_names, cutoff_values)};
static const prepay__json_type_t thresholds_type = {
    PREPAY__JSON_ARRAY(prepay_wallet_policy_t, thresholds, level_count, money_type, "thresholds", 0,
                       PREPAY_MAX_ALARM_LEVELS, "PREPAY_MAX_ALARM_LEVELS")};
static const prepay__json_type_t second_type = {PREPAY__JSON_TIME_OF_DAY(PREPAY__JSON_END_OF_DAY)};
static const prepay__json_field_t window_fields[] = {
    PREPAY__JSON_FIELD("start", PREPAY__JSON_REQUIRED, second_type, prepay_wallet_window_t, start_second),
    PREPAY__JSON_FIELD("end", PREPAY__JSON_REQUIRED, second_type, prepay_wallet_window_t, end_second),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t window_type = {PREPAY__JSON_OBJECT("a window", window_fields)};
static const prepay__json_type_t windows_type = {
    PREPAY__JSON_ARRAY(prepay_wallet_policy_t, windows, window_count, window_type, "windows", 0,
                       PREPAY_MAX_WALLET_WINDOWS, "PREPAY_MAX_WALLET_WINDOWS")};
static const prepay__json_type_t day_type = {PREPAY__JSON_DATE};
static const prepay__json_type_t holidays_type = {
    PREPAY__JSON_ARRAY(prepay_wallet_policy_t, holidays, holiday_count, day_type, "holidays", 0,
                       PREPAY_MAX_WALLET_HOLIDAYS, "PREPAY_MAX_WALLET_HOLIDAYS")};
static const char *const weekday_names[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                                            "saturday", NULL};
static const prepay__json_type_t weekday_type = {PREPAY__JSON_ENUM(uint8_t, weekday_names, NULL)};
static const prepay__json_type_t weekdays_type = {
    PREPAY__JSON_ARRAY(policy_doc, days, day_count, weekday_type, "weekdays", 0, 7, NULL)};

#define POLICY_FIELD(key, type, member) PREPAY__JSON_FIELD(key, 0, type, policy_doc, policy.member)
static const prepay__json_field_t policy_fields[] = {
    /* arrays are read into their container (the policy), which knows where items and count go */
    PREPAY__JSON_FIELD("thresholds", 0, thresholds_type, policy_doc, policy),
    POLICY_FIELD("hysteresis", money_type, hysteresis),
    POLICY_FIELD("overdraft_limit", money_type, overdraft_limit),
    POLICY_FIELD("close_allowed_amount", money_type, close_allowed_amount),
    POLICY_FIELD("window_debt_cap", money_type, window_debt_cap),
    POLICY_FIELD("emergency_amount", money_type, emergency_amount),
    POLICY_FIELD("emergency_threshold", money_type, emergency_threshold),
    PREPAY__JSON_FIELD("emergency_auto", 0, bool_type, policy_doc, emergency_auto),
    POLICY_FIELD("pretrip_level", level_type, pretrip_level),
    POLICY_FIELD("cutoff", cutoff_type, cutoff),
    PREPAY__JSON_FIELD("windows", 0, windows_type, policy_doc, policy),
    PREPAY__JSON_FIELD("holidays", 0, holidays_type, policy_doc, policy),
    PREPAY__JSON_FIELD_HERE("no_disconnect_days", 0, weekdays_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t policy_type = {PREPAY__JSON_OBJECT("a wallet policy", policy_fields)};

int
pgp_policy_read(const char *text, size_t len, prepay_wallet_policy_t *out, char *err, size_t err_cap)
{
    prepay__json_reader_t r;
    json_t     *root = NULL;
    policy_doc  doc;
    int         status;

    memset(&doc, 0, sizeof doc);
    prepay_wallet_policy_default(&doc.policy);
    prepay__json_init(&r, "policy", err, err_cap, NULL);
    status = prepay__json_parse(&r, text, len, &root);
    if (status == PREPAY_OK)
        status = prepay__json_read(&r, root, &policy_type, &doc);
    if (root)
        json_decref(root);
    if (status != PREPAY_OK)
        return status;
    if (doc.emergency_auto)
        doc.policy.flags |= PREPAY_WALLET_POLICY_EMERGENCY_AUTO;
    if (doc.day_count > 0)
    {
        doc.policy.weekend_mask = 0;
        for (unsigned i = 0; i < doc.day_count; i++)
            doc.policy.weekend_mask |= (uint8_t) (1u << doc.days[i]);
    }
    *out = doc.policy;
    return PREPAY_OK;
}

const char *
pgp_policy_cutoff_name(unsigned cutoff)
{
    return cutoff < 2 ? cutoff_names[cutoff] : "?";
}

const char *
pgp_policy_weekday_name(unsigned day)
{
    return day < 7 ? weekday_names[day] : "?";
}
