/* SPDX-License-Identifier: MIT */
/*
 * Internal (hosted): the OpenEI URDB / NREL SAM importer's staging, shared by
 * tariff_urdb_hosted.c (energy charges, the document) and
 * tariff_urdb_demand_hosted.c (demand charges and ratchets). Never installed.
 */
#ifndef PREPAY_TARIFF_URDB_INTERNAL_H
#define PREPAY_TARIFF_URDB_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/json_internal.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"

/* A padded tier bound: effectively unbounded (4e12 kWh; x 31 days still fits). */
#define URDB_HUGE_BOUND ((prepay_energy_t)4000000000000000LL)
/* Tier maxima at or above this (kWh) mean "no limit" (SAM writes 1e38). */
#define URDB_UNBOUNDED_KWH 1.0e37
#define URDB_UNBOUNDED_KWH_INTEGER 1000000000000000LL
#define OPEN_ENDED (INT64_MAX / 4)
/* rate_scale 1 in its 8-decimal fixed point */
#define SCALE_ONE 100000000

enum urdb_units { UNITS_KWH = 0, UNITS_KWH_DAILY = 2 }; /* SAM's codes; 1 and 3 are kWh/kW */

typedef struct urdb_tier {
    bool bounded;
    prepay_energy_t max; /* Wh, cumulative */
    int units;           /* enum urdb_units */
    prepay_price_t rate, adj;
    prepay_price_t price; /* rate + adj */
} urdb_tier_t;

typedef struct urdb_period {
    bool defined;
    unsigned tier_count;
    urdb_tier_t tiers[PREPAY_MAX_TIERS];
} urdb_period_t;

/* A demand tier: kW maximum (cumulative) and $/kW (rate + adj). */
typedef struct urdb_demand_tier {
    bool bounded;
    prepay_power_t max; /* W */
    prepay_price_t rate, adj;
    prepay_price_t price; /* rate + adj */
} urdb_demand_tier_t;

/* A demand charge as read: a TOU demand period, a URDB flat structure, or SAM's flat charge of a month. */
typedef struct urdb_demand_charge {
    bool defined;
    unsigned tier_count;
    urdb_demand_tier_t tiers[PREPAY_MAX_DEMAND_TIERS];
} urdb_demand_charge_t;

/* Demand charges as read, before they become the tariff's (tariff_urdb_demand_hosted.c). */
typedef struct urdb_demand {
    bool enabled;          /* SAM ur_dc_enable; URDB: a demand structure is present */
    unsigned period_count; /* TOU demand periods */
    urdb_demand_charge_t periods[PREPAY_MAX_DEMAND_PERIODS];
    bool has_schedule;
    uint8_t weekday[12][24]; /* demand period numbers 1.. */
    uint8_t weekend[12][24];
    unsigned flat_count;                 /* URDB flatdemandstructure entries; SAM: flat charges by month */
    urdb_demand_charge_t flat[12];       /* URDB: by structure index; SAM: by month */
    bool flat_by_month;                  /* SAM: flat[m] is month m's */
    uint8_t flat_months[12];             /* URDB flatdemandmonths: structure index + 1 of each month (0 none) */
    unsigned flat_month_count;
    /* billing demand */
    bool ratchet;
    int64_t lookback_months;             /* SAM ur_billing_demand_lookback_period, URDB lookbackRange */
    int64_t ratio[12];                   /* millionths */
    uint16_t current;                    /* months whose own peak counts */
    uint32_t ratchet_periods;            /* SAM ur_dc_billing_demand_periods */
    prepay_power_t minimum;              /* W */
    int64_t lookback_percent;            /* URDB lookbackPercent, millionths */
    bool lookback_months_set[12];        /* URDB lookbackMonths */
    bool has_lookback_months;
} urdb_demand_t;

typedef struct urdb_rate {
    int64_t rate_scale; /* SCALE_ONE = 1 */
    bool sam;
    const char *record_path; /* "$" or "$.items[0]" */
    unsigned period_count;
    urdb_period_t periods[PREPAY_MAX_TARIFF_INDEX];
    uint8_t weekday[12][24]; /* band numbers 1.. */
    uint8_t weekend[12][24];
    prepay_money_t fixed_first_meter, fixed_monthly_charge; /* URDB, or SAM's ur_monthly_fixed_charge */
    int64_t metering_option;                                /* SAM */
    urdb_demand_t demand;
    /* Bands made of (energy period, demand period) pairs when the demand schedule does not follow
     * the energy one (tariff_urdb_demand_hosted.c): the demand period of each band. */
    uint8_t band_demand_period[PREPAY_MAX_TARIFF_INDEX];
    uint8_t band_energy_period[PREPAY_MAX_TARIFF_INDEX];
    bool combined;
} urdb_rate_t;


/* Member tables of the demand inputs (the output is the rate). */
extern const prepay__json_type_t prepay__urdb_demand_structure_type;  /* demandratestructure */
extern const prepay__json_type_t prepay__urdb_flat_structure_type;    /* flatdemandstructure */
extern const prepay__json_type_t prepay__urdb_flat_months_type;       /* flatdemandmonths */
extern const prepay__json_type_t prepay__urdb_demand_schedule_type;   /* demandweekdayschedule (output: urdb_rate_t) */
extern const prepay__json_type_t prepay__urdb_demand_weekend_type;    /* demandweekendschedule */
extern const prepay__json_type_t prepay__urdb_demand_unit_type;       /* demandunit, flatdemandunit: "kW" */
extern const prepay__json_type_t prepay__urdb_lookback_percent_type;  /* lookbackPercent */
extern const prepay__json_type_t prepay__urdb_lookback_range_type;    /* lookbackRange */
extern const prepay__json_type_t prepay__urdb_lookback_months_type;   /* lookbackMonths */
extern const prepay__json_type_t prepay__sam_dc_enable_type;          /* ur_dc_enable */
extern const prepay__json_type_t prepay__sam_dc_tou_mat_type;         /* ur_dc_tou_mat */
extern const prepay__json_type_t prepay__sam_dc_flat_mat_type;        /* ur_dc_flat_mat */
extern const prepay__json_type_t prepay__sam_dc_weekday_type;         /* ur_dc_sched_weekday */
extern const prepay__json_type_t prepay__sam_dc_weekend_type;         /* ur_dc_sched_weekend */
extern const prepay__json_type_t prepay__sam_bd_enable_type;          /* ur_enable_billing_demand */
extern const prepay__json_type_t prepay__sam_bd_percentages_type;     /* ur_billing_demand_lookback_percentages */
extern const prepay__json_type_t prepay__sam_bd_period_type;          /* ur_billing_demand_lookback_period */
extern const prepay__json_type_t prepay__sam_bd_minimum_type;         /* ur_billing_demand_minimum */
extern const prepay__json_type_t prepay__sam_bd_periods_type;         /* ur_dc_billing_demand_periods */

/* A price times the importer's rate_scale, exactly (the energy prices' reader). */
int prepay__urdb_read_price(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                            void *out);

/* 24 cells (type->item) of one month's schedule row: energy and demand schedules alike. */
int prepay__urdb_read_schedule_row(prepay__json_reader_t *r, const json_t *value, const prepay__json_type_t *type,
                                   void *out);

/* Before the schedule is built: bands become (energy, demand) period pairs where the demand schedule
 * does not follow the energy schedule (capacity checked). */
int prepay__urdb_combine_bands(prepay__json_reader_t *r, urdb_rate_t *rate);
/* After the schedule: the tariff's demand charges and ratchets; demand period names in the document. */
int prepay__urdb_build_demand(prepay__json_reader_t *r, const urdb_rate_t *rate, prepay_tariff_doc_t *doc);

#endif /* PREPAY_TARIFF_URDB_INTERNAL_H */
