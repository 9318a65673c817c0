/* SPDX-License-Identifier: MIT */
/* Shared helpers of the ledger tests (hosted). */
#include "ledger_script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void test_ledger_open(test_ledger_t *t, uint32_t accounts, uint32_t transfers)
{
    memset(t, 0, sizeof *t);
    size_t size = prepay_ledger_memory_size(accounts, transfers);
    t->buffer = size != 0 ? malloc(size) : NULL; /* malloc's alignment covers PREPAY_LEDGER_MEMORY_ALIGN */
    t->scratch = calloc(accounts, sizeof *t->scratch);
    if (t->buffer == NULL || t->scratch == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    if (prepay_ledger_memory_layout(&t->memory, t->buffer, size, accounts, transfers) != PREPAY_OK ||
        prepay_ledger_init(&t->ledger, &t->memory) != PREPAY_OK) {
        fprintf(stderr, "prepay_ledger_init failed\n");
        exit(2);
    }
}

void test_ledger_close(test_ledger_t *t)
{
    free(t->buffer);
    free(t->scratch);
    memset(t, 0, sizeof *t);
}

int test_ledger_verify(test_ledger_t *t)
{
    return prepay_ledger_verify(&t->ledger, t->scratch, t->memory.account_capacity);
}

static const struct {
    const char *name;
    int value;
} results[] = {
    {"ok", PREPAY_OK},
    {"exists", PREPAY_LEDGER_EXISTS},
    {"reserved_flag", PREPAY_E_LEDGER_RESERVED_FLAG},
    {"id_must_not_be_zero", PREPAY_E_LEDGER_ID_MUST_NOT_BE_ZERO},
    {"flags_are_mutually_exclusive", PREPAY_E_LEDGER_FLAGS_ARE_MUTUALLY_EXCLUSIVE},
    {"pending_id_must_be_zero", PREPAY_E_LEDGER_PENDING_ID_MUST_BE_ZERO},
    {"pending_id_must_not_be_zero", PREPAY_E_LEDGER_PENDING_ID_MUST_NOT_BE_ZERO},
    {"pending_id_must_be_different", PREPAY_E_LEDGER_PENDING_ID_MUST_BE_DIFFERENT},
    {"debit_account_id_must_not_be_zero", PREPAY_E_LEDGER_DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO},
    {"credit_account_id_must_not_be_zero", PREPAY_E_LEDGER_CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO},
    {"accounts_must_be_different", PREPAY_E_LEDGER_ACCOUNTS_MUST_BE_DIFFERENT},
    {"amount_must_be_positive", PREPAY_E_LEDGER_AMOUNT_MUST_BE_POSITIVE},
    {"code_must_not_be_zero", PREPAY_E_LEDGER_CODE_MUST_NOT_BE_ZERO},
    {"interval_invalid", PREPAY_E_LEDGER_INTERVAL_INVALID},
    {"exists_with_different_flags", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_FLAGS},
    {"exists_with_different_pending_id", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_PENDING_ID},
    {"exists_with_different_debit_account", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT},
    {"exists_with_different_credit_account", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT},
    {"exists_with_different_amount", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_AMOUNT},
    {"exists_with_different_code", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_CODE},
    {"exists_with_different_user_data", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_USER_DATA},
    {"pending_transfer_not_found", PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_FOUND},
    {"pending_transfer_not_pending", PREPAY_E_LEDGER_PENDING_TRANSFER_NOT_PENDING},
    {"pending_transfer_has_different_debit_account", PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT},
    {"pending_transfer_has_different_credit_account", PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT},
    {"pending_transfer_already_posted", PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_POSTED},
    {"pending_transfer_already_voided", PREPAY_E_LEDGER_PENDING_TRANSFER_ALREADY_VOIDED},
    {"exceeds_pending_transfer_amount", PREPAY_E_LEDGER_EXCEEDS_PENDING_TRANSFER_AMOUNT},
    {"pending_transfer_has_different_amount", PREPAY_E_LEDGER_PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT},
    {"pending_transfer_expired", PREPAY_E_LEDGER_PENDING_TRANSFER_EXPIRED},
    {"deadline_not_reached", PREPAY_E_LEDGER_DEADLINE_NOT_REACHED},
    {"deadline_must_be_zero", PREPAY_E_LEDGER_DEADLINE_MUST_BE_ZERO},
    {"exists_with_different_deadline", PREPAY_E_LEDGER_EXISTS_WITH_DIFFERENT_DEADLINE},
    {"debit_account_not_found", PREPAY_E_LEDGER_DEBIT_ACCOUNT_NOT_FOUND},
    {"credit_account_not_found", PREPAY_E_LEDGER_CREDIT_ACCOUNT_NOT_FOUND},
    {"debit_account_closed", PREPAY_E_LEDGER_DEBIT_ACCOUNT_CLOSED},
    {"credit_account_closed", PREPAY_E_LEDGER_CREDIT_ACCOUNT_CLOSED},
    {"overflow", PREPAY_E_LEDGER_OVERFLOW},
    {"exceeds_credits", PREPAY_E_LEDGER_EXCEEDS_CREDITS},
    {"exceeds_debits", PREPAY_E_LEDGER_EXCEEDS_DEBITS},
    {"exceeds_max_balance", PREPAY_E_LEDGER_EXCEEDS_MAX_BALANCE},
    {"exceeds_refundable", PREPAY_E_LEDGER_EXCEEDS_REFUNDABLE},
    {"linked_event_failed", PREPAY_E_LEDGER_LINKED_EVENT_FAILED},
    {"linked_event_chain_open", PREPAY_E_LEDGER_LINKED_EVENT_CHAIN_OPEN},
    {"account_id_must_not_be_zero", PREPAY_E_LEDGER_ACCOUNT_ID_MUST_NOT_BE_ZERO},
    {"account_bad_kind", PREPAY_E_LEDGER_ACCOUNT_BAD_KIND},
    {"account_flags_mutually_exclusive", PREPAY_E_LEDGER_ACCOUNT_FLAGS_MUTUALLY_EXCLUSIVE},
    {"account_bad_limit", PREPAY_E_LEDGER_ACCOUNT_BAD_LIMIT},
    {"account_balances_must_be_zero", PREPAY_E_LEDGER_ACCOUNT_BALANCES_MUST_BE_ZERO},
    {"account_exists_with_different_fields", PREPAY_E_LEDGER_ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS},
    {"account_not_found", PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND},
    {"invariant", PREPAY_E_LEDGER_INVARIANT},
    {"capacity", PREPAY_E_CAPACITY},
    {"invalid_argument", PREPAY_E_INVALID_ARGUMENT},
    {"buffer_too_small", PREPAY_E_BUFFER_TOO_SMALL},
};

int test_ledger_result(const char *name)
{
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        if (strcmp(results[i].name, name) == 0) {
            return results[i].value;
        }
    }
    fprintf(stderr, "unknown result name '%s'\n", name);
    exit(2);
}

const char *test_ledger_result_name(int value)
{
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        if (results[i].value == value) {
            return results[i].name;
        }
    }
    return "?";
}

static const struct {
    const char *name;
    uint16_t value;
} codes[] = {
    {"recharge", PREPAY_LEDGER_CODE_RECHARGE},
    {"refund", PREPAY_LEDGER_CODE_REFUND},
    {"deduction", PREPAY_LEDGER_CODE_DEDUCTION},
    {"fee", PREPAY_LEDGER_CODE_FEE},
    {"emergency_credit", PREPAY_LEDGER_CODE_EMERGENCY_CREDIT},
    {"repay_emergency", PREPAY_LEDGER_CODE_REPAY_EMERGENCY},
    {"repay_debt", PREPAY_LEDGER_CODE_REPAY_DEBT},
    {"debt", PREPAY_LEDGER_CODE_DEBT},
    {"adjustment", PREPAY_LEDGER_CODE_ADJUSTMENT},
    {"allocation", PREPAY_LEDGER_CODE_ALLOCATION},
    {"reversal", PREPAY_LEDGER_CODE_REVERSAL},
    {"sale", PREPAY_LEDGER_CODE_SALE},
};

int64_t test_i64(const char *text)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (*text == '\0' || *end != '\0') {
        fprintf(stderr, "bad integer '%s'\n", text);
        exit(2);
    }
    return (int64_t)v;
}

uint16_t test_ledger_code(const char *name)
{
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(codes[i].name, name) == 0) {
            return codes[i].value;
        }
    }
    return (uint16_t)test_i64(name);
}

static uint16_t parse_flags(const char *text, const char *const *names, const uint16_t *values, size_t n)
{
    uint16_t flags = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", text);
    for (char *tok = strtok(buf, "|, "); tok != NULL; tok = strtok(NULL, "|, ")) {
        if (strcmp(tok, "none") == 0) {
            continue;
        }
        size_t i = 0;
        while (i < n && strcmp(names[i], tok) != 0) {
            i++;
        }
        if (i == n) {
            flags = (uint16_t)(flags | (uint16_t)test_i64(tok));
        } else {
            flags = (uint16_t)(flags | values[i]);
        }
    }
    return flags;
}

uint16_t test_ledger_transfer_flags(const char *text)
{
    static const char *const names[] = {"linked", "pending", "post", "void"};
    static const uint16_t values[] = {PREPAY_LEDGER_TRANSFER_LINKED, PREPAY_LEDGER_TRANSFER_PENDING,
                                      PREPAY_LEDGER_TRANSFER_POST_PENDING, PREPAY_LEDGER_TRANSFER_VOID_PENDING};
    return parse_flags(text, names, values, 4);
}

uint16_t test_ledger_account_flags(const char *text)
{
    static const char *const names[] = {"dmnec", "cmned", "closed"};
    static const uint16_t values[] = {PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS,
                                      PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS,
                                      PREPAY_LEDGER_ACCOUNT_CLOSED};
    return parse_flags(text, names, values, 3);
}

uint16_t test_ledger_account_kind(const char *name)
{
    static const char *const names[] = {"wallet",    "revenue",     "clearing", "refunds", "emergency",
                                        "common_area", "adjustments", "debt"};
    for (uint16_t i = 0; i < 8u; i++) {
        if (strcmp(names[i], name) == 0) {
            return (uint16_t)(i + 1u);
        }
    }
    return (uint16_t)test_i64(name);
}

prepay_time_t test_time(const char *text)
{
    int y, mo, d, h = 0, mi = 0, s = 0;
    int n = sscanf(text, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s);
    if (n != 3 && n != 6) {
        return test_i64(text);
    }
    prepay_civil_t c = {.year = y, .month = (uint8_t)mo, .day = (uint8_t)d,
                        .hour = (uint8_t)h, .minute = (uint8_t)mi, .second = (uint8_t)s};
    prepay_time_t t;
    if (prepay_time_from_civil(&c, &t) != PREPAY_OK) {
        fprintf(stderr, "bad time '%s'\n", text);
        exit(2);
    }
    return t;
}

prepay_days_t test_day(const char *text)
{
    return prepay_time_day_of(test_time(text));
}
