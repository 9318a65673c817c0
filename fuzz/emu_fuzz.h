/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the emulator's fuzz targets: a tariff resolver that answers
 * every reference with one small TOU tariff held in memory (no files), and
 * a small site built on it.
 */
#ifndef PREPAY_FUZZ_EMU_H
#define PREPAY_FUZZ_EMU_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu.h"
#include "prepay/tariff_json.h"

static const char fuzz_tariff_json[] =
    "{\"format\": \"prepay-tariff/1\", \"name\": \"fuzz TOU\", \"commodity\": \"electricity\","
    " \"source\": {\"notice\": \"test fixture, not a published tariff\"},"
    " \"currency\": \"CNY\", \"bands\": [{\"name\": \"peak\", \"index\": 2}, {\"name\": \"valley\", \"index\": 4}],"
    " \"prices\": {\"bands\": {\"peak\": \"0.568\", \"valley\": \"0.288\"}, \"tier_surcharges\": [\"0.05\"]},"
    " \"schedule\": {\"day_tables\": {\"all\": [{\"start\": \"08:00\", \"band\": \"peak\"},"
    " {\"start\": \"22:00\", \"band\": \"valley\"}]}, \"seasons\": [{\"start\": \"01-01\", \"week\": \"all\"}]},"
    " \"tiers\": {\"cycle\": \"month\", \"bounds\": [\"200\"], \"tou_mode\": \"surcharge\"}}";

static prepay_tariff_doc_t *fuzz_tariff_doc(void)
{
    static prepay_tariff_doc_t *doc;
    if (!doc) {
        doc = malloc(sizeof *doc);
        char err[PREPAY_TARIFF_JSON_ERROR_MAX];
        if (!doc || prepay_tariff_json_load_buffer(fuzz_tariff_json, sizeof fuzz_tariff_json - 1, "fuzz", doc, err,
                                                   sizeof err) != PREPAY_OK) {
            fprintf(stderr, "fuzz tariff: %s\n", doc ? err : "out of memory");
            abort();
        }
    }
    return doc;
}

static int fuzz_load_tariff(void *context, const char *reference, prepay_tariff_doc_t *doc, char *err, size_t cap)
{
    (void)context;
    if (strcmp(reference, "missing.json") == 0) {
        snprintf(err, cap, "missing.json: no such tariff");
        return -1;
    }
    *doc = *fuzz_tariff_doc();
    return 0;
}

static const char fuzz_site_json[] =
    "{\"format\": \"prepay-site/1\", \"name\": \"fuzz\", \"start\": \"2026-11-01 00:00\", \"tariff\": \"t.json\","
    " \"defaults\": {\"mode\": \"local\", \"purse\": \"50.00\"},"
    " \"meters\": [{\"address\": \"000000000101\", \"load\": {\"watts\": 800}},"
    "  {\"address\": \"000000000102\", \"mode\": \"remote\", \"load\": {\"profile\": [200, 900], \"step\": 3600}},"
    "  {\"address\": \"000000000199\", \"feeds\": \"all\", \"losses\": \"0.02\", \"load\": {\"watts\": 100}}],"
    " \"events\": [{\"at\": \"2026-11-01 10:00\", \"meter\": \"000000000101\", \"condition\": \"cover_open\"},"
    "  {\"at\": \"2026-11-01 11:00\", \"meter\": \"000000000101\", \"condition\": \"cover_open\", \"active\": false}],"
    " \"water_meters\": [{\"address\": \"00000000000201\", \"purse\": \"2.00\", \"alarm\": \"0.00\", \"price1\": \"3.00\","
    "  \"price2\": \"4.00\", \"price3\": \"5.00\", \"step1\": 1, \"step2\": 2, \"flow\": 100},"
    "  {\"address\": \"00000000000202\", \"mode\": \"remote\", \"flow\": 60}]}";

/* The site above, loaded fresh into *site. */
static __attribute__((unused)) void fuzz_site(emu_site_t *site)
{
    char err[EMU_ERROR_MAX];
    if (emu_site_parse(fuzz_site_json, sizeof fuzz_site_json - 1, "fuzz", fuzz_load_tariff, NULL, site, err,
                       sizeof err) != 0) {
        fprintf(stderr, "fuzz site: %s\n", err);
        abort();
    }
}

#endif
