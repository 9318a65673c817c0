/* SPDX-License-Identifier: MIT */
/*
 * Internal (hosted): the loader of the libprepay tariff JSON format, shared
 * by its two files: tariff_json_schedule_hosted.c (the tables of $.bands and
 * $.schedule) and tariff_json_hosted.c (ladder, prices, fixed charges,
 * rounding, the document). Never installed.
 */
#ifndef PREPAY_TARIFF_JSON_LOADER_INTERNAL_H
#define PREPAY_TARIFF_JSON_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/json_internal.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"

/* Day table names are the file's own keys; longer ones are refused. */
#define DAY_TABLE_NAME_MAX 48
/* Upper end of prices, bounds and amounts: far above any real one, far below overflow. */
#define OPEN_ENDED (INT64_MAX / 4)
#define FIXED_CAPACITY (PREPAY_MAX_FIXED_CHARGES > 0 ? PREPAY_MAX_FIXED_CHARGES : 1)

/* A band as listed in $.bands. */
typedef struct tj_band_entry {
    const char *name;
    int64_t index; /* 0 until read: the position gives it */
} tj_band_entry_t;

/* Cumulative tier bounds as given (Wh or L); the unbounded last tier is implied. */
typedef struct tj_bounds {
    uint8_t count;
    prepay_energy_t upper[PREPAY_MAX_TIERS];
} tj_bounds_t;

/* One entry of $.tiers.monthly_bounds. */
typedef struct tj_month_bounds {
    uint8_t month_count;
    uint8_t months[12];
    tj_bounds_t bounds;
} tj_month_bounds_t;

typedef struct tj_fixed {
    prepay_fixed_charge_t charge;
    char name[PREPAY_TARIFF_JSON_BAND_NAME_MAX];
} tj_fixed_t;

/* A price set as read, with what the checks across its bands need. */
typedef struct tj_prices {
    prepay_tariff_prices_t prices;
    bool is_b; /* $.prices_b */
    bool any_ratio, any_direct, any_array;
    bool have[PREPAY_MAX_TARIFF_INDEX];
    prepay_time_t switch_time;
} tj_prices_t;

typedef struct tj_loader {
    uint8_t band_entry_count;
    tj_band_entry_t band_entries[PREPAY_MAX_TARIFF_INDEX];
    bool declared[PREPAY_MAX_TARIFF_INDEX]; /* bands named in $.bands (others are unnamed gaps) */
    char table_names[PREPAY_MAX_DAY_TABLES][DAY_TABLE_NAME_MAX];
    bool per_day;
    tj_bounds_t bounds;
    uint8_t monthly_count;
    tj_month_bounds_t monthly[12];
    bool month_seen[12];
    bool tou_mode_given;
    bool per_band;         /* tou mode is chronological or proportional */
    bool per_band_after_a; /* ... as known once set A is read (it decides the default tou mode) */
    uint8_t fixed_count;
    tj_fixed_t fixed[FIXED_CAPACITY];
    tj_prices_t prices_a, prices_b;
    char demand_rate_names[PREPAY_MAX_DEMAND_RATES][PREPAY_TARIFF_JSON_BAND_NAME_MAX]; /* $.demand.rates keys */
    bool demand_month_seen[12]; /* months of the entries of one $.demand.flat / .tou list */
    /* Last, so that the staging before it is zeroed apart (the document has its own init):
     * sets[0] is read; sets[1] is made from it and $.prices_b at the end. */
    prepay_tariff_doc_t doc;
} tj_loader_t;

/* The tables of $.bands and $.schedule (the output is the loader, and set A's schedule). */
extern const prepay__json_type_t prepay__tj_bands_type;
extern const prepay__json_type_t prepay__tj_schedule_type;

/* The table of $.demand (tariff_json_demand_hosted.c; the output is the loader). */
extern const prepay__json_type_t prepay__tj_demand_type;

/* The number of a band named in $.bands; false if there is none. */
bool prepay__tj_find_band(const tj_loader_t *ld, const char *name, uint8_t *band);
/* "unknown band ... (not in $.bands)" at the reader's path. */
int prepay__tj_unknown_band(prepay__json_reader_t *r, const char *name);

#endif /* PREPAY_TARIFF_JSON_LOADER_INTERNAL_H */
