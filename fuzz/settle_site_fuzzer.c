/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the `prepay settle` site-file loader (tools/prepay/settle_site.h):
 * the JSON document, its cross-references (tariff and policy names, account and
 * meter ids, groups), and for what it accepts the site built by the settlement
 * module (every tariff name given one flat tariff: no files are read) and its
 * books opened on a ledger in memory.
 *
 * Invariants:
 * - no crash, no leak, no out-of-bounds access (sanitizers);
 * - a refusal carries a one-line message;
 * - an accepted site holds exactly the accounts, meters and groups of the file.
 */
#include <stdlib.h>
#include <string.h>

#include "settle_site.h"
#include "prepay/settlement_hosted.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(int status, const char *err)
{
    if (status == PREPAY_OK || err[0] == '\0' || strchr(err, '\n') != NULL) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024] = "";
    settle_doc_t doc;
    int status = settle_site_parse((const char *)data, size, "fuzz", &doc, err, sizeof err);
    if (status != PREPAY_OK) {
        refused(status, err);
        settle_doc_free(&doc);
        return 0;
    }
    prepay_tariff_t tariff;
    prepay_tariff_plan_t plan;
    if (prepay_tariff_init(&tariff) != PREPAY_OK) {
        abort();
    }
    tariff.prices.band_price[0] = 50000000; /* 0.50 yuan/kWh */
    if (prepay_tariff_validate(&tariff) != PREPAY_OK || prepay_tariff_plan_init(&plan, &tariff) != PREPAY_OK ||
        settle_site_tariffs_fixed(&doc, &plan) != PREPAY_OK) {
        abort();
    }
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    err[0] = '\0';
    status = settle_site_build(&doc, "fuzz", &memory, &site, err, sizeof err);
    if (status != PREPAY_OK) {
        refused(status, err);
        settle_doc_free(&doc);
        return 0;
    }
    prepay_settlement_counts_t counts;
    prepay_settlement_counts(&site, &counts);
    if (counts.accounts != doc.account_count || counts.meters != doc.meter_count || counts.groups != doc.group_count) {
        abort();
    }
    uint32_t accounts = (uint32_t)(3 * doc.account_count + 16), transfers = 64;
    size_t bytes = prepay_ledger_memory_size(accounts, transfers);
    void *buffer = bytes ? malloc(bytes) : NULL;
    prepay_ledger_memory_t lm;
    prepay_ledger_t ledger;
    if (buffer && prepay_ledger_memory_layout(&lm, buffer, bytes, accounts, transfers) == PREPAY_OK &&
        prepay_ledger_init(&ledger, &lm) == PREPAY_OK) {
        prepay_settlement_books_t books = {&ledger, NULL};
        prepay_settlement_result_t res;
        if (prepay_settlement_open(&site, &books, &res) != PREPAY_OK ||
            prepay_settlement_verify(&site, &ledger, &res) != PREPAY_OK) {
            abort();
        }
    }
    free(buffer);
    prepay_settlement_memory_free(&memory);
    settle_doc_free(&doc);
    return 0;
}
