/* SPDX-License-Identifier: MIT */
/*
 * The payments file of `prepay settle`: see settle_payments.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "settle_payments.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/hosted_status.h"
#include "prepay/settlement.h"

static int compare_payments(const void *x, const void *y)
{
    const settle_payment_t *a = x, *b = y;
    if (a->time != b->time) {
        return a->time < b->time ? -1 : 1;
    }
    return a->line < b->line ? -1 : a->line > b->line;
}

static bool parse_u32(const char *text, size_t len, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = len > 0 && len <= 10 && text[0] >= '0' && text[0] <= '9' ? strtoul(text, &end, 10) : 0;
    if (v == 0 || errno != 0 || *end != '\0' || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* One record into p; returns what is wrong (static text), or NULL. */
static const char *parse_payment(const cli_csv_t *csv, settle_payment_t *p)
{
    const char *type = csv->fields[0], *detail = csv->fields[5];
    size_t detail_len = csv->lengths[5];
    if (strcmp(type, "order") == 0) {
        p->type = PAY_ORDER;
    } else if (strcmp(type, "notify") == 0) {
        p->type = PAY_NOTIFY;
    } else if (strcmp(type, "refund") == 0) {
        p->type = PAY_REFUND;
    } else if (strcmp(type, "sale") == 0) {
        p->type = PAY_SALE;
    } else {
        return "the type is not order, notify, refund or sale";
    }
    if (!parse_u32(csv->fields[1], csv->lengths[1], &p->account)) {
        return "the account is not a number";
    }
    if (!parse_u32(csv->fields[2], csv->lengths[2], &p->number)) {
        return "the number is not a number >= 1";
    }
    if (prepay_fixed_parse(csv->fields[3], csv->lengths[3], 2, &p->amount) != PREPAY_OK || p->amount <= 0) {
        return "the amount is not yuan > 0 with up to 2 decimals";
    }
    if (prepay_time_parse(csv->fields[4], csv->lengths[4], &p->time) != PREPAY_OK) {
        return "the time is not a time (YYYY-MM-DD hh:mm)";
    }
    switch (p->type) {
    case PAY_ORDER:
        if (prepay_time_parse(detail, detail_len, &p->deadline) != PREPAY_OK) {
            return "an order's detail is its deadline (YYYY-MM-DD hh:mm)";
        }
        break;
    case PAY_NOTIFY:
        p->status = strcmp(detail, "paid") == 0      ? PREPAY_PAYMENT_CHANNEL_PAID
                    : strcmp(detail, "failed") == 0  ? PREPAY_PAYMENT_CHANNEL_FAILED
                    : strcmp(detail, "waiting") == 0 ? PREPAY_PAYMENT_CHANNEL_WAITING
                                                     : 0u;
        if (p->status == 0u) {
            return "a notify's detail is paid, failed or waiting";
        }
        break;
    case PAY_SALE: {
        /* COMMODITY or COMMODITY:PURCHASE (the meter's purchase serial, kept as the transfer's order id). */
        const char *colon = memchr(detail, ':', detail_len);
        size_t name_len = colon ? (size_t)(colon - detail) : detail_len;
        if (name_len == 5 && memcmp(detail, "water", 5) == 0) {
            p->commodity = PREPAY_SETTLEMENT_WATER;
        } else if (name_len == 11 && memcmp(detail, "electricity", 11) == 0) {
            p->commodity = PREPAY_SETTLEMENT_ELECTRICITY;
        } else {
            return "a sale's detail is water or electricity, optionally :PURCHASE (the meter's purchase number)";
        }
        if (colon && !parse_u32(colon + 1, detail_len - name_len - 1u, &p->purchase)) {
            return "a sale's purchase number (after the colon) is not a number >= 1";
        }
        break;
    }
    default:
        if (detail_len > 0 && !parse_u32(detail, detail_len, &p->refunded)) {
            return "a refund's detail is the refunded order's number, or empty";
        }
        break;
    }
    return NULL;
}

int settle_payments_parse(const char *text, size_t len, const char *origin, settle_payment_t **out, size_t *count,
                          char *err, size_t err_cap)
{
    *out = NULL;
    *count = 0;
    err[0] = '\0';
    cli_csv_t csv;
    cli_csv_init(&csv, text, len, origin);
    settle_payment_t *list = NULL;
    size_t n = 0, cap = 0;
    int status = PREPAY_OK, got;
    bool first = true;
    while (status == PREPAY_OK && (got = cli_csv_next(&csv, err, err_cap)) != 0) {
        if (got < 0) {
            status = PREPAY_E_INVALID_ARGUMENT;
            break;
        }
        if (first && csv.count >= 1 && strcmp(csv.fields[0], "type") == 0) {
            first = false;
            continue; /* the header */
        }
        first = false;
        if (csv.count != 6) {
            snprintf(err, err_cap, "%s:%lu: expected 6 fields (type,account,number,amount_yuan,time,detail), got %zu",
                     origin, csv.record_line, csv.count);
            status = PREPAY_E_INVALID_ARGUMENT;
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            settle_payment_t *grown = realloc(list, cap * sizeof *grown);
            if (!grown) {
                snprintf(err, err_cap, "out of memory");
                status = PREPAY_E_HOSTED_NO_MEMORY;
                break;
            }
            list = grown;
        }
        settle_payment_t *p = &list[n];
        memset(p, 0, sizeof *p);
        p->line = csv.record_line;
        const char *bad = parse_payment(&csv, p);
        if (bad) {
            snprintf(err, err_cap, "%s:%lu: %s", origin, csv.record_line, bad);
            status = PREPAY_E_INVALID_ARGUMENT;
            break;
        }
        n++;
    }
    cli_csv_free(&csv);
    if (status != PREPAY_OK) {
        free(list);
        return status;
    }
    if (n > 0) {
        qsort(list, n, sizeof *list, compare_payments);
    }
    *out = list;
    *count = n;
    return PREPAY_OK;
}
