/* SPDX-License-Identifier: MIT */
/*
 * Reports in SQL (include/prepay/report.h): the aggregate prepay_report()
 * buckets one key's (an account's) metered rows by day, ISO week, month or
 * year and band, with exact fees, and gives year-on-year (同比) and
 * period-on-period (环比) growth by the library's calendar rules, with
 * explicit null reasons instead of silent zeros. Rows of several meters of
 * one key are separate series (the meter argument). Like prepay_bill(), its
 * state is the rows themselves (combine concatenates; the final function
 * sorts and adds each meter's series in time order), so it parallelises and
 * distributes exactly.
 *
 * Options (jsonb, the same for every row of a group):
 *   {"period": "day" | "week" | "month" | "year", "from": "2024-01-01",
 *    "to": "2026-01-01" (exclusive), "basis": "total" | "per_day"}
 */
#include "pgp.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"

#include "prepay/civil_time.h"
#include "prepay/report.h"
#include "prepay/status.h"

typedef struct ReportRow
{
    uint64      meter;
    prepay_report_row_t row;
} ReportRow;

typedef struct ReportAgg
{
    prepay_report_period_t period;
    prepay_days_t first_day;
    prepay_days_t end_day;
    prepay_report_basis_t basis;
    ReportRow  *rows;
    int64       count;
    int64       cap;
} ReportAgg;

#define REPORT_MAX_ROWS ((int64) (MaxAllocHugeSize / sizeof(ReportRow)))

static char *
option_text(Jsonb *jb, const char *key)
{
    JsonbValue  k;
    JsonbValue *v;

    k.type = jbvString;
    k.val.string.val = (char *) key;
    k.val.string.len = (int) strlen(key);
    v = findJsonbValueFromContainer(&jb->root, JB_FOBJECT, &k);
    if (v == NULL)
        return NULL;
    if (v->type != jbvString)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_report options: \"%s\" must be a string", key)));
    return pnstrdup(v->val.string.val, v->val.string.len);
}

static prepay_days_t
option_day(Jsonb *jb, const char *key)
{
    char       *text = option_text(jb, key);
    prepay_days_t day;

    if (text == NULL)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_report options: \"%s\" (a date YYYY-MM-DD) is required", key)));
    if (prepay_time_parse_date(text, strlen(text), &day) != PREPAY_OK)
        ereport(ERROR, (errcode(ERRCODE_INVALID_DATETIME_FORMAT),
                        errmsg("prepay_report options: \"%s\" is not a date YYYY-MM-DD: \"%s\"", key, text)));
    return day;
}

static void
read_options(ReportAgg *s, Jsonb *jb)
{
    static const char *const periods[] = {NULL, "day", "week", "month", "year"};
    char       *period;
    char       *basis;
    uint32      buckets;

    if (!JB_ROOT_IS_OBJECT(jb))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("prepay_report options must be an object")));
    period = option_text(jb, "period");
    s->period = 0;
    for (int i = 1; i <= 4; i++)
        if (period && strcmp(period, periods[i]) == 0)
            s->period = (prepay_report_period_t) i;
    if (s->period == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_report options: period must be day, week, month or year")));
    s->first_day = option_day(jb, "from");
    s->end_day = option_day(jb, "to");
    basis = option_text(jb, "basis");
    if (basis == NULL || strcmp(basis, "total") == 0)
        s->basis = PREPAY_REPORT_BASIS_TOTAL;
    else if (strcmp(basis, "per_day") == 0)
        s->basis = PREPAY_REPORT_BASIS_PER_DAY;
    else
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_report options: basis must be total or per_day")));
    pgp_check(prepay_report_bucket_count(s->period, s->first_day, s->end_day, &buckets), "prepay_report options");
}

static void
reserve(MemoryContext ctx, ReportAgg *s, int64 more)
{
    int64       need = s->count + more;
    int64       cap;

    if (more < 0 || need > REPORT_MAX_ROWS)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("prepay_report: too many rows in one group")));
    if (need <= s->cap)
        return;
    cap = s->cap ? s->cap : 256;
    while (cap < need)
        cap = Min(cap * 2, REPORT_MAX_ROWS);
    s->rows = s->rows ? repalloc_huge(s->rows, (Size) cap * sizeof(ReportRow))
                      : MemoryContextAllocHuge(ctx, (Size) cap * sizeof(ReportRow));
    s->cap = cap;
}

/* prepay_report(options jsonb, meter bigint, start_at, end_at, band int, energy bigint, fee numeric) */
PG_FUNCTION_INFO_V1(pgp_report_transfn);
Datum
pgp_report_transfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx;
    ReportAgg  *s;
    ReportRow   r;
    prepay_time_t start, end;
    int32       band;

    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "prepay_report called in non-aggregate context");
    s = PG_ARGISNULL(0) ? NULL : (ReportAgg *) PG_GETARG_POINTER(0);
    for (int i = 1; i <= 6; i++)
        if (PG_ARGISNULL(i))
            PG_RETURN_POINTER(s); /* skipped, as by sum() */
    if (s == NULL)
    {
        s = MemoryContextAllocZero(ctx, sizeof(ReportAgg));
        read_options(s, PG_GETARG_JSONB_P(1));
    }
    start = pgp_time_of(PG_GETARG_TIMESTAMP(3), true, "prepay_report");
    end = pgp_time_of(PG_GETARG_TIMESTAMP(4), true, "prepay_report");
    band = PG_GETARG_INT32(5);
    memset(&r, 0, sizeof r);
    r.meter = (uint64) PG_GETARG_INT64(2);
    r.row.start = start;
    if (end <= start || end - start > (prepay_time_t) PREPAY_REPORT_MAX_ROW_SECONDS || band < 0 || band > 255)
        pgp_fail(PREPAY_E_REPORT_BAD_ROW, "prepay_report");
    r.row.seconds = (uint32_t) (end - start);
    r.row.band = (uint8_t) band;
    r.row.energy = PG_GETARG_INT64(6);
    if (!PG_ARGISNULL(7))
        r.row.fee = pgp_amount_of_numeric(PG_GETARG_DATUM(7), "prepay_report fee");
    reserve(ctx, s, 1);
    s->rows[s->count++] = r;
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgp_report_combinefn);
Datum
pgp_report_combinefn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx;
    ReportAgg  *a = PG_ARGISNULL(0) ? NULL : (ReportAgg *) PG_GETARG_POINTER(0);
    ReportAgg  *b = PG_ARGISNULL(1) ? NULL : (ReportAgg *) PG_GETARG_POINTER(1);

    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "prepay_report called in non-aggregate context");
    if (b == NULL)
        PG_RETURN_POINTER(a);
    if (a == NULL)
    {
        a = MemoryContextAllocZero(ctx, sizeof(ReportAgg));
        a->period = b->period;
        a->first_day = b->first_day;
        a->end_day = b->end_day;
        a->basis = b->basis;
    }
    else if (a->period != b->period || a->first_day != b->first_day || a->end_day != b->end_day ||
             a->basis != b->basis)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_report: one group has two different option sets")));
    reserve(ctx, a, b->count);
    if (b->count)
        memcpy(a->rows + a->count, b->rows, (Size) b->count * sizeof(ReportRow));
    a->count += b->count;
    PG_RETURN_POINTER(a);
}

PG_FUNCTION_INFO_V1(pgp_report_serialfn);
Datum
pgp_report_serialfn(PG_FUNCTION_ARGS)
{
    ReportAgg  *s = (ReportAgg *) PG_GETARG_POINTER(0);
    Size        rows = mul_size((Size) s->count, sizeof(ReportRow));
    Size        total = add_size(VARHDRSZ + sizeof(ReportAgg), rows);
    bytea      *out;

    if (total > MaxAllocSize)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("prepay_report: partial state above 1 GB")));
    out = palloc(total);
    SET_VARSIZE(out, total);
    memcpy(VARDATA(out), s, sizeof(ReportAgg));
    if (rows)
        memcpy(VARDATA(out) + sizeof(ReportAgg), s->rows, rows);
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(pgp_report_deserialfn);
Datum
pgp_report_deserialfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx;
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    Size        len = VARSIZE_ANY_EXHDR(in);
    ReportAgg   head;
    ReportAgg  *s;

    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "prepay_report called in non-aggregate context");
    if (len < sizeof(ReportAgg))
        elog(ERROR, "prepay_report: bad partial state");
    memcpy(&head, VARDATA_ANY(in), sizeof head);
    if (head.count < 0 || head.count > REPORT_MAX_ROWS || (Size) head.count * sizeof(ReportRow) != len - sizeof head)
        elog(ERROR, "prepay_report: bad partial state");
    s = MemoryContextAllocZero(ctx, sizeof(ReportAgg));
    s->period = head.period;
    s->first_day = head.first_day;
    s->end_day = head.end_day;
    s->basis = head.basis;
    reserve(ctx, s, head.count);
    if (head.count)
        memcpy(s->rows, VARDATA_ANY(in) + sizeof head, (Size) head.count * sizeof(ReportRow));
    s->count = head.count;
    PG_RETURN_POINTER(s);
}

static int
row_order(const void *a, const void *b)
{
    const ReportRow *x = a, *y = b;

    if (x->meter != y->meter)
        return x->meter < y->meter ? -1 : 1;
    if (x->row.start != y->row.start)
        return x->row.start < y->row.start ? -1 : 1;
    return 0;
}

static const char *
null_name(unsigned reason)
{
    static const char *const names[] = {NULL, "no_data", "no_base", "zero_base", "negative_base", "no_counterpart",
                                        "partial"};

    return reason < lengthof(names) ? names[reason] : "?";
}

static void
growth_json(StringInfo b, const char *key, const prepay_report_growth_t *g)
{
    appendStringInfo(b, ", \"%s\": ", key);
    if (g->null_reason != PREPAY_REPORT_NOT_NULL)
        appendStringInfo(b, "{\"rate\": null, \"null_reason\": \"%s\"}", null_name(g->null_reason));
    else
    {
        char        rate[32];

        /* millionths -> an exact decimal fraction (0.125 = 12.5 %) */
        (void) prepay_fixed_format(g->rate, 6, rate, sizeof rate);
        appendStringInfo(b, "{\"rate\": %s, \"current\": " INT64_FORMAT ", \"base\": " INT64_FORMAT "}", rate,
                         (int64) g->current, (int64) g->base);
    }
}

static void
day_json(StringInfo b, const char *key, prepay_days_t day)
{
    char        text[PREPAY_TIME_TEXT_MAX];

    appendStringInfo(b, "\"%s\": ", key);
    if (prepay_time_format((prepay_time_t) day * PREPAY_SECONDS_PER_DAY, PREPAY_TIME_TEXT_DATE, text, sizeof text) > 0)
        pgp_json_string(b, text);
    else
        appendStringInfoString(b, "null");
}

PG_FUNCTION_INFO_V1(pgp_report_finalfn);
Datum
pgp_report_finalfn(PG_FUNCTION_ARGS)
{
    ReportAgg  *s;
    uint32      nb;
    prepay_report_t report;
    prepay_report_bucket_t *buckets;
    prepay_report_cell_t *cells;
    prepay_report_row_t *rows;
    StringInfoData b;

    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    s = (ReportAgg *) PG_GETARG_POINTER(0);
    pgp_check(prepay_report_bucket_count(s->period, s->first_day, s->end_day, &nb), "prepay_report");
    buckets = palloc_array(prepay_report_bucket_t, Max(nb, 1));
    cells = palloc_array(prepay_report_cell_t, Max(nb, 1));
    pgp_check(prepay_report_init(&report, s->period, s->first_day, s->end_day, 1, buckets, nb, cells, nb),
              "prepay_report");
    qsort(s->rows, (size_t) s->count, sizeof(ReportRow), row_order);
    rows = MemoryContextAllocHuge(CurrentMemoryContext, mul_size((Size) Max(s->count, 1), sizeof(prepay_report_row_t)));
    for (int64 i = 0; i < s->count; i++)
        rows[i] = s->rows[i].row;
    for (int64 i = 0; i < s->count;)
    {
        int64       j = i;
        prepay_report_series_t series;
        int         status;

        while (j < s->count && s->rows[j].meter == s->rows[i].meter)
            j++;
        pgp_check(prepay_report_series_init(&series, 0), "prepay_report");
        status = prepay_report_add(&report, &series, rows + i, (size_t) (j - i));
        if (status != PREPAY_OK)
            ereport(ERROR, (errcode(pgp_sqlstate(status)),
                            errmsg("prepay_report: meter " INT64_FORMAT ": %s", (int64) s->rows[i].meter,
                                   prepay_strerror(status))));
        i = j;
    }
    initStringInfo(&b);
    appendStringInfo(&b, "{\"period\": \"%s\", ",
                     (const char *[]) {"?", "day", "week", "month", "year"}[s->period]);
    day_json(&b, "from", s->first_day);
    appendStringInfoString(&b, ", ");
    day_json(&b, "to", s->end_day);
    appendStringInfo(&b, ", \"basis\": \"%s\", \"buckets\": [", s->basis == PREPAY_REPORT_BASIS_TOTAL ? "total" : "per_day");
    for (uint32 k = 0; k < nb; k++)
    {
        const prepay_report_bucket_t *bk = &buckets[k];
        const prepay_report_cell_t *cell = prepay_report_cell(&report, k, 0);
        prepay_report_growth_t g;
        prepay_energy_t energy;
        prepay_amount_t fee;
        prepay_money_t fee_money;

        appendStringInfoString(&b, k ? ", {" : "{");
        if (s->period == PREPAY_REPORT_WEEK)
            appendStringInfo(&b, "\"label\": \"%04d-W%02u\", ", bk->year, bk->week);
        else if (s->period == PREPAY_REPORT_DAY)
            appendStringInfo(&b, "\"label\": \"%04d-%02u-%02u\", ", bk->year, bk->month, bk->day);
        else if (s->period == PREPAY_REPORT_MONTH)
            appendStringInfo(&b, "\"label\": \"%04d-%02u\", ", bk->year, bk->month);
        else
            appendStringInfo(&b, "\"label\": \"%04d\", ", bk->year);
        day_json(&b, "first_day", bk->first_day);
        appendStringInfo(&b, ", \"partial\": %s, \"has_data\": %s", bk->partial ? "true" : "false",
                         prepay_report_cell_has_data(cell) ? "true" : "false");
        if (!prepay_report_cell_has_data(cell))
            appendStringInfoString(&b, ", \"energy\": null, \"fee\": null, \"bands\": null");
        else
        {
            pgp_check(prepay_report_cell_sum(cell, PREPAY_REPORT_ALL_BANDS, &energy, &fee), "prepay_report");
            pgp_check(prepay_amount_round(fee, PREPAY_ROUND_HALF_UP, &fee_money), "prepay_report");
            appendStringInfo(&b, ", \"energy\": " INT64_FORMAT ", \"fee\": ", (int64) energy);
            pgp_amount_text(&b, fee);
            appendStringInfo(&b, ", \"fee_money\": " INT64_FORMAT ", \"seconds\": " INT64_FORMAT ", \"bands\": {",
                             (int64) fee_money, (int64) cell->seconds);
            for (unsigned band = 0, n = 0; band < PREPAY_REPORT_BANDS; band++)
                if (cell->energy[band] != 0 || cell->fee[band].units != 0 || cell->fee[band].nanos != 0)
                    appendStringInfo(&b, "%s\"%u\": " INT64_FORMAT, n++ ? ", " : "", band, (int64) cell->energy[band]);
            appendStringInfoChar(&b, '}');
        }
        pgp_check(prepay_report_compare(&report, k, 0, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY, PREPAY_REPORT_YOY,
                                        s->basis, &g), "prepay_report");
        growth_json(&b, "yoy", &g);
        pgp_check(prepay_report_compare(&report, k, 0, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY, PREPAY_REPORT_MOM,
                                        s->basis, &g), "prepay_report");
        growth_json(&b, "mom", &g);
        pgp_check(prepay_report_compare(&report, k, 0, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_FEE, PREPAY_REPORT_YOY,
                                        s->basis, &g), "prepay_report");
        growth_json(&b, "fee_yoy", &g);
        pgp_check(prepay_report_compare(&report, k, 0, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_FEE, PREPAY_REPORT_MOM,
                                        s->basis, &g), "prepay_report");
        growth_json(&b, "fee_mom", &g);
        appendStringInfoChar(&b, '}');
    }
    appendStringInfoString(&b, "]}");
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

/* prepay_report_growth(current, base) -> numeric fraction, NULL when the library says null. */
PG_FUNCTION_INFO_V1(pgp_report_growth);
Datum
pgp_report_growth(PG_FUNCTION_ARGS)
{
    prepay_report_growth_t g;
    char        rate[32];

    pgp_check(prepay_report_growth(PG_GETARG_INT64(0), PG_GETARG_INT64(1), &g), "prepay_report_growth");
    if (g.null_reason != PREPAY_REPORT_NOT_NULL)
        PG_RETURN_NULL();
    (void) prepay_fixed_format(g.rate, 6, rate, sizeof rate);
    PG_RETURN_DATUM(DirectFunctionCall3(numeric_in, CStringGetDatum(rate), ObjectIdGetDatum(InvalidOid),
                                        Int32GetDatum(-1)));
}

/* prepay_report_growth_null_reason(current, base) -> text or NULL */
PG_FUNCTION_INFO_V1(pgp_report_growth_null_reason);
Datum
pgp_report_growth_null_reason(PG_FUNCTION_ARGS)
{
    prepay_report_growth_t g;

    pgp_check(prepay_report_growth(PG_GETARG_INT64(0), PG_GETARG_INT64(1), &g), "prepay_report_growth");
    if (g.null_reason == PREPAY_REPORT_NOT_NULL)
        PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(null_name(g.null_reason)));
}
