/* SPDX-License-Identifier: MIT */
/*
 * pg_prepay: shared helpers of the extension (errors, time, numbers, JSON
 * output, the per-backend plan cache). Every SQL function is a thin wrapper
 * over a libprepay call: the library returns a status, the wrapper turns a
 * failure into ereport(ERROR) AFTER the library call has returned, so no
 * longjmp ever crosses a library frame.
 */
#ifndef PGP_H
#define PGP_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

#include "utils/memutils.h"

#include "prepay/fixed_point.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"

/* Minor releases of PostgreSQL 15 before palloc_array existed: checked size product. */
#ifndef palloc_array
#define palloc_array(type, count) ((type *) palloc(mul_size(sizeof(type), (Size) (count))))
#endif
#ifndef palloc0_array
#define palloc0_array(type, count) ((type *) palloc0(mul_size(sizeof(type), (Size) (count))))
#endif

/* ---- errors ---------------------------------------------------------------------------- */

/* The SQLSTATE of a libprepay status (22023 for bad input, 22P03 for bad
 * bytes, 22003 for overflow, 54000 for capacity, 23xxx for ledger rules...). */
int pgp_sqlstate(int status);

/* ereport(ERROR): "<what>: <prepay_strerror(status)>", detail with the code. */
void pgp_fail(int status, const char *what) pg_attribute_noreturn();

/* ereport(ERROR) with a library message already written (the JSON loader's
 * one-line "origin: $.path: what"). */
void pgp_fail_message(int status, const char *message) pg_attribute_noreturn();

/* Checks a status; fails with pgp_fail() when negative. Returns it otherwise. */
static inline int pgp_check(int status, const char *what)
{
    if (status < 0)
        pgp_fail(status, what);
    return status;
}

/* The short name of a status ("ledger_exceeds_credits"): the text before the
 * first ':' of prepay_strerror(), palloc'd. */
char *pgp_status_name(int status);

/* ---- time: PostgreSQL timestamp (µs since 2000-01-01, no zone) <-> prepay_time_t (s) ---- */

/* Whole seconds of a finite timestamp; ERROR if infinite or, when exact, if it has a fraction. */
prepay_time_t pgp_time_of(Timestamp ts, bool exact, const char *what);
Timestamp pgp_timestamp_of(prepay_time_t t);
/* Day number of a date (PostgreSQL DateADT is days since 2000-01-01 too). */
prepay_days_t pgp_days_of_date(int32 date, const char *what);

/* ---- numbers ------------------------------------------------------------------------------ */

/* An exact amount as a decimal text in minor units ("-0.25", "12.000000001"). */
void pgp_amount_text(StringInfo out, prepay_amount_t amount);
/* ... as a numeric Datum. */
Datum pgp_amount_numeric(prepay_amount_t amount);
/* A numeric Datum (minor units, at most 9 decimals) to an exact amount; ERROR otherwise. */
prepay_amount_t pgp_amount_of_numeric(Datum numeric, const char *what);
/* Rounding rule names: half_up, half_even, down, up, floor, ceiling. */
const char *pgp_rounding_name(prepay_rounding_t mode);
prepay_rounding_t pgp_rounding_of(const char *name);

/* ---- JSON output helpers (text built into a StringInfo, then jsonb_in) ------------------ */

void pgp_json_string(StringInfo out, const char *text);
Datum pgp_jsonb_of(StringInfo text);
/* The text of a jsonb argument (palloc'd, NUL-terminated). */
char *pgp_jsonb_text(Datum jsonb, size_t *len);

/* ---- tariff plans: bytea <-> a validated plan, cached per backend -------------------------- */

typedef struct PgpPlan
{
    uint64      hash;            /* the key: hash of the payload */
    Size        payload_len;     /* bytes of the serialised plan (the whole bytea data) */
    char       *payload;         /* a copy, to compare on lookup */
    prepay_tariff_doc_t doc;     /* the loaded, validated document */
    prepay_tariff_plan_t plan;   /* its evaluation plan (points into doc) */
    bool        order_independent; /* one tier, no fixed charges: any piece prices alone */
    uint64      last_used;
} PgpPlan;

/* Magic and header size of a serialised plan (see pgp_plan.c). */
#define PGP_PLAN_MAGIC "PGPP"
#define PGP_PLAN_HEADER 16

/* The plan of a bytea; loads and validates it on a cache miss. The pointer is
 * valid until the next pgp_plan_get() call (the cache may evict). */
const PgpPlan *pgp_plan_get(const char *data, Size len);
/* Bumped whenever a cache entry is freed: a PgpPlan pointer kept with the
 * generation it was got in is still valid while the generation is the same. */
extern uint64 pgp_plan_generation;

/* The hash stored in a serialised plan's header (ERROR if it is not a plan). */
uint64 pgp_plan_hash(const char *data, Size len);

/* Bill -> jsonb (lines, totals); the bill has been finished. */
Datum pgp_bill_jsonb(const PgpPlan *plan, const prepay_tariff_bill_t *bill, int64 intervals);
/* Lines of a stream step -> JSON array text. */
void pgp_lines_json(StringInfo out, const PgpPlan *plan, const prepay_tariff_line_t *lines, size_t count);

#endif /* PGP_H */
