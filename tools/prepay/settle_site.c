/* SPDX-License-Identifier: MIT */
/* `prepay settle`: the site description (see settle_site.h). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_file.h"
#include "cli_json.h"
#include "json_escape_internal.h"
#include "settle_site.h"
#include "prepay/settlement_hosted.h"

#define SITE_ITEMS_MAX 1000000u /* accounts, meters or members in one file */
#define TARIFF_FILE_MAX (64u * 1024u * 1024u)

static const char *const format_names[] = {"prepay-settle-site/1", NULL};
static const char *const kind_names[] = {"remote", "local", "postpaid", NULL};
static const int kind_values[] = {PREPAY_SETTLEMENT_PREPAID_REMOTE, PREPAY_SETTLEMENT_PREPAID_LOCAL,
                                  PREPAY_SETTLEMENT_POSTPAID};
static const char *const method_names[] = {"ratio", "area", "usage", "equal", NULL};
static const int method_values[] = {PREPAY_SETTLEMENT_BY_RATIO, PREPAY_SETTLEMENT_BY_AREA, PREPAY_SETTLEMENT_BY_USAGE,
                                    PREPAY_SETTLEMENT_BY_EQUAL};

static const prepay__json_type_t format_type = {PREPAY__JSON_LITERAL(format_names)};
static const prepay__json_type_t name_type = {PREPAY__JSON_STRING_REF, .flags = PREPAY__JSON_NONEMPTY};
static const prepay__json_type_t date_type = {PREPAY__JSON_DATE};
static const prepay__json_type_t id_type = {PREPAY__JSON_INT(uint32_t, 1, PREPAY_SETTLEMENT_SUBJECT_MAX)};
static const prepay__json_type_t ref_type = {PREPAY__JSON_INT(uint32_t, 0, PREPAY_SETTLEMENT_SUBJECT_MAX)};
static const prepay__json_type_t number_type = {PREPAY__JSON_INT(uint32_t, 1, 4095)};
static const prepay__json_type_t version_type = {PREPAY__JSON_INT(uint32_t, 0, UINT32_MAX)};
static const prepay__json_type_t money_type = {PREPAY__JSON_DECIMAL(2, 0, INT64_MAX / 4)};
static const prepay__json_type_t area_type = {PREPAY__JSON_DECIMAL(2, 0, INT64_MAX / 4)};
static const prepay__json_type_t bool_type = {PREPAY__JSON_BOOL};
static const prepay__json_type_t kind_type = {PREPAY__JSON_ENUM(int, kind_names, kind_values)};
static const prepay__json_type_t method_type = {PREPAY__JSON_ENUM(int, method_names, method_values)};

static const prepay__json_field_t period_fields[] = {
    PREPAY__JSON_FIELD("start", PREPAY__JSON_REQUIRED, date_type, settle_doc_t, start),
    PREPAY__JSON_FIELD("end", PREPAY__JSON_REQUIRED, date_type, settle_doc_t, end),
    PREPAY__JSON_FIELDS_END,
};
static int period_finish(prepay__json_reader_t *r, const json_t *value, void *out)
{
    (void)value;
    const settle_doc_t *doc = out;
    return doc->end <= doc->start
               ? prepay__json_fail_member(r, "end", PREPAY_E_HOSTED_JSON_VALUE, "is not after \"start\"")
               : PREPAY_OK;
}
static const prepay__json_type_t period_type = {PREPAY__JSON_OBJECT("a period object", period_fields),
                                                .finish = period_finish};

static const prepay__json_field_t tariff_fields[] = {
    PREPAY__JSON_FIELD("name", PREPAY__JSON_REQUIRED, name_type, settle_tariff_spec_t, name),
    PREPAY__JSON_FIELD("file", PREPAY__JSON_REQUIRED, name_type, settle_tariff_spec_t, file),
    PREPAY__JSON_FIELD("version", 0, version_type, settle_tariff_spec_t, version),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t tariff_type = {PREPAY__JSON_OBJECT("a tariff object", tariff_fields)};

static const prepay__json_field_t policy_fields[] = {
    PREPAY__JSON_FIELD("name", PREPAY__JSON_REQUIRED, name_type, settle_policy_spec_t, name),
    PREPAY__JSON_FIELD("alarm1", 0, money_type, settle_policy_spec_t, alarm1),
    PREPAY__JSON_FIELD("alarm2", 0, money_type, settle_policy_spec_t, alarm2),
    PREPAY__JSON_FIELD("overdraft_limit", 0, money_type, settle_policy_spec_t, overdraft),
    PREPAY__JSON_FIELD("pretrip", 0, bool_type, settle_policy_spec_t, pretrip),
    PREPAY__JSON_FIELDS_END,
};
static int read_policy(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type, void *out)
{
    settle_policy_spec_t *p = out;
    p->alarm1 = p->alarm2 = p->overdraft = -1;
    return prepay__json_object(r, value, type, out);
}
static const prepay__json_type_t policy_type = {.read = read_policy, .what = "a policy object",
                                                .fields = policy_fields};

static const prepay__json_field_t account_fields[] = {
    PREPAY__JSON_FIELD("id", PREPAY__JSON_REQUIRED, id_type, settle_account_spec_t, id),
    PREPAY__JSON_FIELD("kind", PREPAY__JSON_REQUIRED, kind_type, settle_account_spec_t, kind),
    PREPAY__JSON_FIELD("policy", 0, name_type, settle_account_spec_t, policy),
    PREPAY__JSON_FIELD("tariff", PREPAY__JSON_REQUIRED, name_type, settle_account_spec_t, tariff),
    PREPAY__JSON_FIELD("area", 0, area_type, settle_account_spec_t, area),
    PREPAY__JSON_FIELD("recharge", 0, money_type, settle_account_spec_t, recharge),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t account_type = {PREPAY__JSON_OBJECT("an account object", account_fields)};

static const prepay__json_field_t meter_fields[] = {
    PREPAY__JSON_FIELD("id", PREPAY__JSON_REQUIRED, id_type, settle_meter_spec_t, id),
    PREPAY__JSON_FIELD("account", 0, ref_type, settle_meter_spec_t, account),
    PREPAY__JSON_FIELD("address", 0, name_type, settle_meter_spec_t, address),
    PREPAY__JSON_FIELD("tariff", 0, name_type, settle_meter_spec_t, tariff),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t meter_type = {PREPAY__JSON_OBJECT("a meter object", meter_fields)};

static const prepay__json_type_t member_type = {PREPAY__JSON_INT(uint32_t, 1, PREPAY_SETTLEMENT_SUBJECT_MAX)};
static const prepay__json_type_t members_type = {
    CLI_JSON_LIST(settle_group_spec_t, members, member_count, member_type, "meter ids", 1, SITE_ITEMS_MAX)};
static const prepay__json_field_t group_fields[] = {
    PREPAY__JSON_FIELD("number", PREPAY__JSON_REQUIRED, number_type, settle_group_spec_t, number),
    PREPAY__JSON_FIELD("master", PREPAY__JSON_REQUIRED, id_type, settle_group_spec_t, master),
    PREPAY__JSON_FIELD("method", PREPAY__JSON_REQUIRED, method_type, settle_group_spec_t, method),
    PREPAY__JSON_FIELD("tariff", PREPAY__JSON_REQUIRED, name_type, settle_group_spec_t, tariff),
    PREPAY__JSON_FIELD_HERE("members", PREPAY__JSON_REQUIRED, members_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t group_type = {PREPAY__JSON_OBJECT("a group object", group_fields)};

static const prepay__json_type_t tariffs_type = {
    CLI_JSON_LIST(settle_doc_t, tariffs, tariff_count, tariff_type, "tariffs", 1, PREPAY_MAX_SETTLEMENT_TARIFFS)};
static const prepay__json_type_t policies_type = {
    CLI_JSON_LIST(settle_doc_t, policies, policy_count, policy_type, "policies", 0, PREPAY_MAX_SETTLEMENT_POLICIES)};
static const prepay__json_type_t accounts_type = {
    CLI_JSON_LIST(settle_doc_t, accounts, account_count, account_type, "accounts", 1, SITE_ITEMS_MAX)};
static const prepay__json_type_t meters_type = {
    CLI_JSON_LIST(settle_doc_t, meters, meter_count, meter_type, "meters", 1, SITE_ITEMS_MAX)};
static const prepay__json_type_t groups_type = {
    CLI_JSON_LIST(settle_doc_t, groups, group_count, group_type, "groups", 0, PREPAY_MAX_SETTLEMENT_GROUPS)};

static const prepay__json_field_t site_fields[] = {
    {"format", PREPAY__JSON_REQUIRED, &format_type, 0},
    PREPAY__JSON_FIELD("name", 0, name_type, settle_doc_t, name),
    PREPAY__JSON_FIELD_HERE("period", PREPAY__JSON_REQUIRED, period_type),
    PREPAY__JSON_FIELD_HERE("tariffs", PREPAY__JSON_REQUIRED, tariffs_type),
    PREPAY__JSON_FIELD_HERE("policies", 0, policies_type),
    PREPAY__JSON_FIELD_HERE("accounts", PREPAY__JSON_REQUIRED, accounts_type),
    PREPAY__JSON_FIELD_HERE("meters", PREPAY__JSON_REQUIRED, meters_type),
    PREPAY__JSON_FIELD_HERE("groups", 0, groups_type),
    PREPAY__JSON_FIELDS_END,
};
static const prepay__json_type_t site_type = {PREPAY__JSON_OBJECT("a site object", site_fields)};

/* ---- cross-member rules ------------------------------------------------------------------------ */

/* "ORIGIN: $.list[index]member: detail" (index SIZE_MAX: the list itself). */
static int fail_at(char *err, size_t err_cap, const char *origin, int status, const char *member, const char *list,
                   size_t index, const char *detail)
{
    if (index == SIZE_MAX) {
        snprintf(err, err_cap, "%s: $.%s: %s", origin, list, detail);
    } else {
        snprintf(err, err_cap, "%s: $.%s[%zu]%s: %s", origin, list, index, member, detail);
    }
    return status;
}

/* Index of a tariff or policy by name; -1 if none. */
static int find_name(const char *name, const void *items, size_t count, size_t size)
{
    for (size_t i = 0; i < count; i++) {
        const char *const *candidate = (const char *const *)((const char *)items + i * size);
        if (strcmp(*candidate, name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static int compare_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* The first id that appears twice (0: none). */
static uint32_t duplicate_id(uint32_t *ids, size_t n)
{
    qsort(ids, n, sizeof *ids, compare_u32);
    for (size_t i = 1; i < n; i++) {
        if (ids[i] == ids[i - 1]) {
            return ids[i];
        }
    }
    return 0;
}

static int resolve(settle_doc_t *doc, const char *origin, char *err, size_t err_cap)
{
    char detail[160];
    char q[PREPAY__JSON_QUOTE_MAX + 16]; /* a name from the file, quoted and escaped: one line */
    for (size_t i = 0; i < doc->tariff_count; i++) {
        if (find_name(doc->tariffs[i].name, doc->tariffs, i, sizeof *doc->tariffs) >= 0) {
            snprintf(detail, sizeof detail, "tariff %s is defined twice", prepay__json_quote(q, sizeof q, doc->tariffs[i].name));
            return fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_DUPLICATE_ID, ".name", "tariffs", i, detail);
        }
    }
    for (size_t i = 0; i < doc->policy_count; i++) {
        if (find_name(doc->policies[i].name, doc->policies, i, sizeof *doc->policies) >= 0) {
            snprintf(detail, sizeof detail, "policy %s is defined twice", prepay__json_quote(q, sizeof q, doc->policies[i].name));
            return fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_DUPLICATE_ID, ".name", "policies", i, detail);
        }
    }
    size_t n = doc->account_count > doc->meter_count ? doc->account_count : doc->meter_count;
    uint32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    doc->account_tariff = calloc(doc->account_count, sizeof *doc->account_tariff);
    doc->account_policy = calloc(doc->account_count, sizeof *doc->account_policy);
    doc->meter_tariff = calloc(doc->meter_count, sizeof *doc->meter_tariff);
    doc->meter_address = calloc(doc->meter_count, sizeof *doc->meter_address);
    doc->meter_has_address = calloc(doc->meter_count, sizeof *doc->meter_has_address);
    doc->group_tariff = calloc(doc->group_count ? doc->group_count : 1, sizeof *doc->group_tariff);
    if (!ids || !doc->account_tariff || !doc->account_policy || !doc->meter_tariff || !doc->meter_address ||
        !doc->meter_has_address || !doc->group_tariff) {
        free(ids);
        snprintf(err, err_cap, "%s: out of memory", origin);
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    int status = PREPAY_OK;
    for (size_t i = 0; i < doc->account_count && status == PREPAY_OK; i++) {
        const settle_account_spec_t *a = &doc->accounts[i];
        int t = find_name(a->tariff, doc->tariffs, doc->tariff_count, sizeof *doc->tariffs);
        int p = a->policy ? find_name(a->policy, doc->policies, doc->policy_count, sizeof *doc->policies) : 0;
        if (t < 0 || (a->policy && p < 0)) {
            snprintf(detail, sizeof detail, "account %u: unknown %s %s", a->id, t < 0 ? "tariff" : "policy",
                     prepay__json_quote(q, sizeof q, t < 0 ? a->tariff : a->policy));
            status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_BAD_REFERENCE, "", "accounts", i, detail);
        } else if (a->kind != PREPAY_SETTLEMENT_POSTPAID && doc->policy_count == 0 && a->policy) {
            status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_BAD_REFERENCE, "", "accounts", i,
                             "no policies defined");
        }
        doc->account_tariff[i] = (uint16_t)(t < 0 ? 0 : t);
        doc->account_policy[i] = (uint16_t)(p < 0 ? 0 : p);
        ids[i] = a->id;
    }
    uint32_t dup = status == PREPAY_OK ? duplicate_id(ids, doc->account_count) : 0;
    if (dup) {
        snprintf(detail, sizeof detail, "account %u is defined twice", dup);
        status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_DUPLICATE_ID, "", "accounts", SIZE_MAX, detail);
    }
    for (size_t i = 0; i < doc->meter_count && status == PREPAY_OK; i++) {
        const settle_meter_spec_t *m = &doc->meters[i];
        int t = -1;
        bool account_found = m->account == 0;
        for (size_t k = 0; k < doc->account_count && !account_found; k++) {
            account_found = doc->accounts[k].id == m->account;
        }
        if (m->tariff && (t = find_name(m->tariff, doc->tariffs, doc->tariff_count, sizeof *doc->tariffs)) < 0) {
            snprintf(detail, sizeof detail, "meter %u: unknown tariff %s", m->id, prepay__json_quote(q, sizeof q, m->tariff));
            status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_BAD_REFERENCE, "", "meters", i, detail);
        } else if (!account_found) {
            snprintf(detail, sizeof detail, "meter %u: unknown account %u", m->id, m->account);
            status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_UNKNOWN_ACCOUNT, "", "meters", i, detail);
        } else if (m->address && (strlen(m->address) != 12 ||
                                  prepay_dlt645_address_from_string(m->address, 12, &doc->meter_address[i]) != PREPAY_OK)) {
            snprintf(detail, sizeof detail, "meter %u: %s is not a 12-digit meter address", m->id,
                     prepay__json_quote(q, sizeof q, m->address));
            status = fail_at(err, err_cap, origin, PREPAY_E_HOSTED_JSON_VALUE, ".address", "meters", i, detail);
        }
        doc->meter_has_address[i] = m->address != NULL;
        doc->meter_tariff[i] = t < 0 ? PREPAY_SETTLEMENT_NONE16 : (uint16_t)t;
        ids[i] = m->id;
    }
    dup = status == PREPAY_OK ? duplicate_id(ids, doc->meter_count) : 0;
    if (dup) {
        snprintf(detail, sizeof detail, "meter %u is defined twice", dup);
        status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_DUPLICATE_ID, "", "meters", SIZE_MAX, detail);
    }
    free(ids);
    for (size_t i = 0; i < doc->group_count && status == PREPAY_OK; i++) {
        int t = find_name(doc->groups[i].tariff, doc->tariffs, doc->tariff_count, sizeof *doc->tariffs);
        if (t < 0) {
            snprintf(detail, sizeof detail, "group %u: unknown tariff %s", doc->groups[i].number,
                     prepay__json_quote(q, sizeof q, doc->groups[i].tariff));
            status = fail_at(err, err_cap, origin, PREPAY_E_SETTLEMENT_BAD_REFERENCE, "", "groups", i, detail);
        }
        doc->group_tariff[i] = (uint16_t)(t < 0 ? 0 : t);
    }
    return status;
}

int settle_site_parse(const char *text, size_t len, const char *origin, settle_doc_t *doc, char *err, size_t err_cap)
{
    memset(doc, 0, sizeof *doc);
    int status = cli_json_load(text, len, origin, &site_type, doc, NULL, &doc->tree, err, err_cap);
    return status == PREPAY_OK ? resolve(doc, origin, err, err_cap) : status;
}

static int alloc_plans(settle_doc_t *doc)
{
    doc->plans = calloc(doc->tariff_count, sizeof *doc->plans);
    doc->policy_values = calloc(doc->policy_count ? doc->policy_count : 1, sizeof *doc->policy_values);
    if (!doc->plans || !doc->policy_values) {
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    for (size_t i = 0; i < doc->policy_count; i++) {
        const settle_policy_spec_t *p = &doc->policies[i];
        prepay_wallet_policy_t *w = &doc->policy_values[i];
        prepay_wallet_policy_default(w);
        if (!p->pretrip) {
            w->pretrip_level = 0;
        }
        if (p->alarm1 >= 0 && w->level_count >= 1) {
            w->thresholds[0] = p->alarm1;
        }
        if (p->alarm2 >= 0 && w->level_count >= 2) {
            w->thresholds[1] = p->alarm2;
        }
        if (p->overdraft >= 0) {
            w->overdraft_limit = p->overdraft;
        }
    }
    if (doc->policy_count == 0) {
        prepay_wallet_policy_default(&doc->policy_values[0]);
        doc->policy_values[0].pretrip_level = 0;
    }
    return PREPAY_OK;
}

int settle_site_tariffs(settle_doc_t *doc, const char *site_path, char *err, size_t err_cap)
{
    if (alloc_plans(doc) != PREPAY_OK ||
        !(doc->tariff_docs = calloc(doc->tariff_count, sizeof *doc->tariff_docs))) {
        snprintf(err, err_cap, "out of memory");
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    const char *slash = strcmp(site_path, "-") == 0 ? NULL : strrchr(site_path, '/');
    int dir_len = slash ? (int)(slash - site_path) + 1 : 0;
    for (size_t i = 0; i < doc->tariff_count; i++) {
        char path[4096], message[PREPAY_TARIFF_JSON_ERROR_MAX];
        const char *file = doc->tariffs[i].file;
        int n = file[0] == '/' ? snprintf(path, sizeof path, "%s", file)
                               : snprintf(path, sizeof path, "%.*s%s", dir_len, site_path, file);
        if (n < 0 || (size_t)n >= sizeof path) {
            snprintf(err, err_cap, "%s: $.tariffs[%zu].file: the path is too long", cli_input_name(site_path), i);
            return PREPAY_E_INVALID_ARGUMENT;
        }
        char *text = NULL;
        size_t len = 0;
        int status = PREPAY_OK;
        if (cli_read_input(path, TARIFF_FILE_MAX, &text, &len, &status, message, sizeof message) != 0) {
            snprintf(err, err_cap, "%s: $.tariffs[%zu].file: %s", cli_input_name(site_path), i, message);
            return status;
        }
        status = prepay_tariff_doc_load_buffer(text, len, path, &doc->tariff_docs[i], message, sizeof message);
        free(text);
        if (status == PREPAY_OK) {
            status = prepay_tariff_doc_plan(&doc->tariff_docs[i], &doc->plans[i].plan);
            if (status != PREPAY_OK) {
                snprintf(message, sizeof message, "%s", prepay_strerror(status));
            }
        }
        if (status != PREPAY_OK) {
            char q[PREPAY__JSON_QUOTE_MAX + 16];
            snprintf(err, err_cap, "%s: $.tariffs[%zu] (%s): %s", cli_input_name(site_path), i,
                     prepay__json_quote(q, sizeof q, doc->tariffs[i].name), message);
            return status;
        }
        doc->plans[i].version = doc->tariffs[i].version;
    }
    return PREPAY_OK;
}

int settle_site_tariffs_fixed(settle_doc_t *doc, const prepay_tariff_plan_t *plan)
{
    int status = alloc_plans(doc);
    for (size_t i = 0; i < doc->tariff_count && status == PREPAY_OK; i++) {
        doc->plans[i].plan = *plan;
        doc->plans[i].version = doc->tariffs[i].version;
    }
    return status;
}

prepay_time_t settle_site_start(const settle_doc_t *doc)
{
    return (prepay_time_t)doc->start * PREPAY_SECONDS_PER_DAY;
}

prepay_time_t settle_site_end(const settle_doc_t *doc)
{
    return (prepay_time_t)doc->end * PREPAY_SECONDS_PER_DAY;
}

static int build_fail(char *err, size_t err_cap, const char *origin, int status, const char *what, size_t index,
                      uint32_t id, const prepay_settlement_result_t *res)
{
    char detail[200];
    snprintf(detail, sizeof detail, "%s %u: %s%s%s", what, id, prepay_strerror(status),
             res && res->error_detail ? ": " : "", res && res->error_detail ? prepay_strerror(res->error_detail) : "");
    char path[32];
    snprintf(path, sizeof path, "%ss", what);
    return fail_at(err, err_cap, origin, status, "", path, index, detail);
}

int settle_site_build(settle_doc_t *doc, const char *origin, prepay_settlement_memory_t *memory,
                      prepay_settlement_site_t *site, char *err, size_t err_cap)
{
    prepay_settlement_sizes_t sizes = {(uint32_t)doc->account_count, (uint32_t)doc->meter_count,
                                       (uint32_t)doc->group_count, 0, 0};
    for (size_t i = 0; i < doc->group_count; i++) {
        sizes.members += (uint32_t)doc->groups[i].member_count;
    }
    for (size_t i = 0; i < doc->account_count; i++) {
        sizes.postpaid += doc->accounts[i].kind == PREPAY_SETTLEMENT_POSTPAID;
    }
    int status = prepay_settlement_memory_alloc(memory, &sizes);
    if (status != PREPAY_OK) {
        snprintf(err, err_cap, "%s: the site: %s", origin, prepay_strerror(status));
        return status;
    }
    prepay_settlement_config_t config;
    memset(&config, 0, sizeof config);
    config.tariffs = doc->plans;
    config.tariff_count = (uint16_t)doc->tariff_count;
    config.policies = doc->policy_values;
    config.policy_count = (uint16_t)(doc->policy_count ? doc->policy_count : 1);
    config.restore_command = PREPAY_DLT645_RELAY_CLOSE_ALLOWED;
    config.period_start = settle_site_start(doc);
    config.period_end = settle_site_end(doc);
    prepay_settlement_result_t res;
    memset(&res, 0, sizeof res);
    status = prepay_settlement_init(site, memory, &config, &res);
    if (status != PREPAY_OK) {
        snprintf(err, err_cap, "%s: $.tariffs[%u]: %s%s%s", origin, res.error_index, prepay_strerror(status),
                 res.error_detail ? ": " : "", res.error_detail ? prepay_strerror(res.error_detail) : "");
        goto fail;
    }
    for (size_t i = 0; i < doc->account_count; i++) {
        const settle_account_spec_t *a = &doc->accounts[i];
        prepay_settlement_account_config_t c;
        prepay_settlement_account_config_init(&c);
        c.id = a->id;
        c.kind = (uint8_t)a->kind;
        c.policy = doc->account_policy[i];
        c.tariff[PREPAY_SETTLEMENT_ELECTRICITY] = doc->account_tariff[i];
        c.area = a->area;
        if ((status = prepay_settlement_add_account(site, &c)) != PREPAY_OK) {
            build_fail(err, err_cap, origin, status, "account", i, a->id, NULL);
            goto fail;
        }
    }
    for (size_t i = 0; i < doc->meter_count; i++) {
        const settle_meter_spec_t *m = &doc->meters[i];
        prepay_settlement_meter_config_t c;
        prepay_settlement_meter_config_init(&c);
        c.id = m->id;
        c.account_id = m->account;
        c.tariff = doc->meter_tariff[i];
        if (doc->meter_has_address[i]) {
            c.address = doc->meter_address[i];
        }
        if ((status = prepay_settlement_add_meter(site, &c)) != PREPAY_OK) {
            build_fail(err, err_cap, origin, status, "meter", i, m->id, NULL);
            goto fail;
        }
    }
    for (size_t i = 0; i < doc->group_count; i++) {
        const settle_group_spec_t *g = &doc->groups[i];
        prepay_settlement_group_config_t c;
        memset(&c, 0, sizeof c);
        c.number = (uint16_t)g->number;
        c.method = (uint8_t)g->method;
        c.residual_policy = PREPAY_ALLOCATION_RESIDUAL_CARRY;
        c.vacancy = PREPAY_ALLOCATION_VACANT_SKIP;
        c.tariff = doc->group_tariff[i];
        c.master_meter_id = g->master;
        status = prepay_settlement_add_group(site, &c);
        for (size_t k = 0; k < g->member_count && status == PREPAY_OK; k++) {
            prepay_settlement_member_config_t member = {(uint16_t)g->number, g->members[k], 1};
            status = prepay_settlement_add_member(site, &member);
        }
        if (status != PREPAY_OK) {
            build_fail(err, err_cap, origin, status, "group", i, g->number, NULL);
            goto fail;
        }
    }
    return PREPAY_OK;
fail:
    prepay_settlement_memory_free(memory);
    memset(memory, 0, sizeof *memory);
    return status;
}

void settle_doc_free(settle_doc_t *doc)
{
    for (size_t i = 0; i < doc->group_count && doc->groups; i++) {
        free(doc->groups[i].members);
    }
    free(doc->tariffs);
    free(doc->policies);
    free(doc->accounts);
    free(doc->meters);
    free(doc->groups);
    free(doc->account_tariff);
    free(doc->account_policy);
    free(doc->meter_tariff);
    free(doc->group_tariff);
    free(doc->meter_address);
    free(doc->meter_has_address);
    free(doc->tariff_docs);
    free(doc->plans);
    free(doc->policy_values);
    json_decref(doc->tree);
    memset(doc, 0, sizeof *doc);
}
