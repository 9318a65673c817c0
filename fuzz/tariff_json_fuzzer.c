/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the hosted tariff loaders (prepay_tariff_json_load_buffer()
 * and prepay_tariff_urdb_load_buffer()) on arbitrary bytes. Neither may
 * crash or leak, whatever the input; an error must leave a one-line message
 * and an untouched output. Any accepted document must evaluate a few
 * intervals (batch and streaming), a bill and a vend without an unexpected
 * error, and batch and streaming must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LINES 512

static void exercise(const prepay_tariff_doc_t *doc, const uint8_t *data, size_t size)
{
    prepay_tariff_plan_t plan;
    if (prepay_tariff_doc_plan(doc, &plan) != PREPAY_OK || prepay_tariff_plan_validate(&plan) != PREPAY_OK) {
        abort(); /* the loader validated it */
    }
    /* Intervals in 2025 derived from the input: start hour, length, energy. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++) {
        h = (h ^ data[i]) * 16777619u;
    }
    prepay_tariff_interval_t iv[3];
    prepay_time_t t = (prepay_time_t)9132 * 86400 + (prepay_time_t)(h % 8000u) * 3600; /* from 2025-01-01 */
    for (int i = 0; i < 3; i++) {
        iv[i].start = t;
        iv[i].end = t + 3600 + (prepay_time_t)((h >> (i * 8)) % 2000u) * 60;
        iv[i].energy = (prepay_energy_t)((h >> (i * 5)) % 5000000u);
        t = iv[i].end;
    }
    prepay_tariff_line_t *lines = calloc(LINES, sizeof *lines);
    prepay_tariff_line_t *slines = calloc(LINES, sizeof *slines);
    if (!lines || !slines) {
        free(lines);
        free(slines);
        return;
    }
    prepay_tariff_bill_t bill;
    if (prepay_tariff_bill_init(&bill, &doc->sets[0], lines, LINES) != PREPAY_OK) {
        abort();
    }
    int rc = prepay_tariff_eval_batch(&plan, &doc->account, NULL, iv, 3, &bill);
    if (rc != PREPAY_OK && rc != PREPAY_E_OVERFLOW && rc != PREPAY_E_BUFFER_TOO_SMALL) {
        abort();
    }
    /* Streaming the same intervals gives the same exact total. */
    prepay_tariff_state_t state;
    if (prepay_tariff_state_init(&state) != PREPAY_OK) {
        abort(); /* the target's own set-up failed: a bug, not an input to ignore */
    }
    prepay_amount_t stream_total = {0, 0};
    int src = PREPAY_OK;
    for (int i = 0; i < 3 && src >= 0; i++) {
        prepay_tariff_feed_result_t res;
        src = prepay_tariff_feed_interval(&plan, &doc->account, &state, iv[i].start, iv[i].end, iv[i].energy, slines,
                                          LINES, &res);
        if (src >= 0 && prepay_amount_add(stream_total, res.exact, &stream_total) != PREPAY_OK) {
            src = PREPAY_E_OVERFLOW;
        }
    }
    if (src >= 0) {
        prepay_tariff_feed_result_t res;
        src = prepay_tariff_close_cycle(&plan, &doc->account, &state, slines, LINES, &res);
        if (src >= 0 && prepay_amount_add(stream_total, res.exact, &stream_total) != PREPAY_OK) {
            src = PREPAY_E_OVERFLOW;
        }
    }
    if (rc == PREPAY_OK && src >= 0 && prepay_amount_compare(stream_total, bill.exact_total) != 0) {
        abort(); /* streaming == batch */
    }
    prepay_energy_t energy;
    rc = prepay_tariff_vend(&plan, &doc->account, NULL, iv[0].start, 0, (prepay_money_t)(h % 100000u), 10, &energy,
                            NULL);
    if (rc != PREPAY_OK && rc != PREPAY_E_TARIFF_FREE_ENERGY && rc != PREPAY_E_OVERFLOW) {
        abort();
    }
    free(lines);
    free(slines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (!doc) {
        return 0;
    }
    char err[PREPAY_TARIFF_JSON_ERROR_MAX];
    const char *text = (const char *)data;
    memset(doc, 0x6B, sizeof *doc);
    int rc = prepay_tariff_json_load_buffer(text, size, "fuzz", doc, err, sizeof err);
    if (rc != PREPAY_OK) {
        if (rc >= 0 || strchr(err, '\n') || ((const unsigned char *)doc)[0] != 0x6B) {
            abort();
        }
        rc = prepay_tariff_urdb_load_buffer(text, size, "fuzz", NULL, doc, err, sizeof err);
    }
    if (rc == PREPAY_OK) {
        exercise(doc, data, size);
    } else if (strchr(err, '\n')) {
        abort();
    }
    free(doc);
    return 0;
}
