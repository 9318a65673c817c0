/* SPDX-License-Identifier: MIT */
/*
 * Bills in SQL: one interval priced alone, the batch bill aggregate
 * prepay_bill() (combinable, order-free: it sorts and calls
 * prepay_tariff_eval_batch() once per group) and the streaming aggregate
 * prepay_bill_stream() (prepay_tariff_feed_interval() per row, in order).
 *
 * What a combine step can do for tiers. A tier is a position in the cycle's
 * cumulative energy, so the price of a Wh depends on every Wh of its cycle
 * before it: two partial bills priced apart are not the bill of the whole
 * when they share a cycle. prepay_bill() therefore does not price in its
 * partial states at all: a state is the group's intervals (24 bytes each),
 * combine concatenates, and the final function sorts by time and prices the
 * whole series in one batch call. Any split of the rows (parallel workers,
 * partitions, Citus shards) gives the one bill of the C library. The cost is
 * memory: 24 bytes per interval of the group until the final function.
 * prepay_bill_stream() keeps O(1) state per group but needs the rows in time
 * order (ORDER BY start inside the call) and has no combine function, so the
 * planner never splits it; a row before the previous one is an ERROR.
 */
#include "pgp.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "prepay/civil_time.h"
#include "prepay/status.h"

/* ---- JSON of lines and bills ------------------------------------------------------------------ */

static void
cycle_json(StringInfo out, const PgpPlan *p, int32_t cycle)
{
    prepay_time_t start;
    char        text[PREPAY_TIME_TEXT_MAX];

    appendStringInfoString(out, "\"cycle\": ");
    if (prepay_tariff_cycle_bounds(&p->doc.sets[0], cycle, &start, NULL) == PREPAY_OK &&
        prepay_time_format(start, PREPAY_TIME_TEXT_DATE, text, sizeof text) > 0)
        pgp_json_string(out, text);
    else
        appendStringInfo(out, "%d", cycle);
}

void
pgp_lines_json(StringInfo out, const PgpPlan *p, const prepay_tariff_line_t *lines, size_t count)
{
    appendStringInfoChar(out, '[');
    for (size_t i = 0; i < count; i++)
    {
        const prepay_tariff_line_t *l = &lines[i];

        appendStringInfoString(out, i ? ", {" : "{");
        if (l->kind == PREPAY_LINE_FIXED)
        {
            appendStringInfoString(out, "\"kind\": \"fixed\", ");
            cycle_json(out, p, l->cycle);
            appendStringInfo(out, ", \"set\": \"%c\", \"item\": %u, \"name\": ", l->price_set ? 'B' : 'A', l->item);
            pgp_json_string(out, l->fixed_index < PREPAY_MAX_FIXED_CHARGES ? p->doc.fixed_names[l->fixed_index] : "");
        }
        else
        {
            appendStringInfoString(out, "\"kind\": \"energy\", ");
            cycle_json(out, p, l->cycle);
            appendStringInfo(out, ", \"set\": \"%c\", \"band\": %u, \"band_name\": ", l->price_set ? 'B' : 'A',
                             l->band);
            pgp_json_string(out, l->band >= 1 && l->band <= PREPAY_MAX_TARIFF_INDEX ? p->doc.band_names[l->band - 1]
                                                                                   : "");
            appendStringInfo(out, ", \"tier\": %u, \"quantity\": " INT64_FORMAT ", \"price\": " INT64_FORMAT,
                             l->tier, (int64) l->quantity, (int64) l->price);
        }
        appendStringInfoString(out, ", \"amount\": ");
        pgp_amount_text(out, l->amount);
        appendStringInfo(out, ", \"money\": " INT64_FORMAT "}", (int64) l->money);
    }
    appendStringInfoChar(out, ']');
}

Datum
pgp_bill_jsonb(const PgpPlan *p, const prepay_tariff_bill_t *bill, int64 intervals)
{
    StringInfoData b;

    initStringInfo(&b);
    appendStringInfo(&b, "{\"total\": " INT64_FORMAT ", \"exact\": ", (int64) bill->total);
    pgp_amount_text(&b, bill->exact_total);
    appendStringInfo(&b, ", \"energy\": " INT64_FORMAT ", \"energy_subtotal\": ", (int64) bill->energy_total);
    pgp_amount_text(&b, bill->energy_subtotal);
    appendStringInfoString(&b, ", \"fixed_subtotal\": ");
    pgp_amount_text(&b, bill->fixed_subtotal);
    appendStringInfo(&b, ", \"rounding\": \"%s\", \"scope\": \"%s\", \"intervals\": " INT64_FORMAT ", \"lines\": ",
                     pgp_rounding_name(bill->rounding), bill->scope == PREPAY_ROUND_PER_BILL ? "bill" : "line",
                     intervals);
    pgp_lines_json(&b, p, bill->lines, bill->line_count);
    appendStringInfoChar(&b, '}');
    return pgp_jsonb_of(&b);
}

/* ---- errors with the interval named -------------------------------------------------------------- */

static void
fail_interval(int status, const char *what, const prepay_tariff_interval_t *iv)
{
    char        s[PREPAY_TIME_TEXT_MAX] = "?", e[PREPAY_TIME_TEXT_MAX] = "?";

    if (iv == NULL)
        pgp_fail(status, what);
    (void) prepay_time_format(iv->start, PREPAY_TIME_TEXT_SECOND, s, sizeof s);
    (void) prepay_time_format(iv->end, PREPAY_TIME_TEXT_SECOND, e, sizeof e);
    ereport(ERROR,
            (errcode(pgp_sqlstate(status)),
             errmsg("%s: %s", what, prepay_strerror(status)),
             errdetail("interval [%s, %s) with " INT64_FORMAT " Wh; libprepay status %d", s, e, (int64) iv->energy,
                       status),
             status == PREPAY_E_TARIFF_TIME_ORDER
             ? errhint("Intervals of one group must not overlap; prepay_bill_stream() also needs ORDER BY start.")
             : 0));
    pg_unreachable();
}

static prepay_tariff_interval_t
interval_args(FunctionCallInfo fcinfo, int first, const char *what)
{
    prepay_tariff_interval_t iv;

    iv.start = pgp_time_of(PG_GETARG_TIMESTAMP(first), true, what);
    iv.end = pgp_time_of(PG_GETARG_TIMESTAMP(first + 1), true, what);
    iv.energy = PG_GETARG_INT64(first + 2);
    return iv;
}

static const PgpPlan *
plan_datum(Datum d)
{
    bytea      *b = DatumGetByteaPP(d);

    return pgp_plan_get(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

/* Prices intervals in one batch call into a finished bill (lines palloc'd in the current context). */
static void
bill_batch(const PgpPlan *p, const prepay_tariff_interval_t *iv, size_t count, prepay_tariff_bill_t *bill,
           const char *what)
{
    size_t      cap = 64;

    for (int attempt = 0;; attempt++)
    {
        prepay_tariff_line_t *lines = palloc_array(prepay_tariff_line_t, cap);
        int         status;

        pgp_check(prepay_tariff_bill_init(bill, &p->doc.sets[0], lines, cap), what);
        status = prepay_tariff_eval_batch(&p->plan, &p->doc.account, NULL, iv, count, bill);
        if (status == PREPAY_E_BUFFER_TOO_SMALL && attempt == 0 && bill->lines_needed > cap)
        {
            cap = bill->lines_needed;
            if (cap > MaxAllocSize / sizeof(prepay_tariff_line_t))
                pgp_fail(PREPAY_E_CAPACITY, what);
            pfree(lines);
            continue;
        }
        if (status == PREPAY_E_TARIFF_TIME_ORDER || status == PREPAY_E_TARIFF_BAD_INTERVAL)
        {
            /* name the first offending interval (the library is the judge; this only finds it) */
            for (size_t i = 0; i < count; i++)
                if (iv[i].end < iv[i].start || iv[i].energy < 0 || (iv[i].end == iv[i].start && iv[i].energy) ||
                    (i > 0 && iv[i].start < iv[i - 1].end))
                    fail_interval(status, what, &iv[i]);
        }
        pgp_check(status, what);
        return;
    }
}

/* prepay_tariff_price_interval(plan, start, end, energy): one interval alone, from an empty cycle. */
PG_FUNCTION_INFO_V1(pgp_tariff_price_interval);
Datum
pgp_tariff_price_interval(PG_FUNCTION_ARGS)
{
    const PgpPlan *p = plan_datum(PG_GETARG_DATUM(0));
    prepay_tariff_interval_t iv = interval_args(fcinfo, 1, "prepay_tariff_price_interval");
    prepay_tariff_bill_t bill;

    bill_batch(p, &iv, 1, &bill, "prepay_tariff_price_interval");
    PG_RETURN_DATUM(pgp_bill_jsonb(p, &bill, 1));
}

/*
 * prepay_tariff_interval_amount(plan, start, end, energy) -> numeric: the
 * exact charge of one interval in minor units, for "price each row, then
 * sum" (e.g. on the shards of a partitioned table). Only exact for plans
 * whose pieces price alone (one tier, no fixed charges): others are refused.
 */
/* A plan argument that is a constant or a parameter, kept for the query: looked up once, not per row. */
typedef struct PlanRef
{
    const PgpPlan *plan;
    uint64      generation;
} PlanRef;

static const PgpPlan *
stable_plan(FunctionCallInfo fcinfo, int n)
{
    PlanRef    *ref = (PlanRef *) fcinfo->flinfo->fn_extra;
    const PgpPlan *p;

    if (ref != NULL && ref->plan != NULL && ref->generation == pgp_plan_generation)
        return ref->plan;
    p = plan_datum(PG_GETARG_DATUM(n));
    if (get_fn_expr_arg_stable(fcinfo->flinfo, n))
    {
        if (ref == NULL)
            ref = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PlanRef));
        ref->plan = p;
        ref->generation = pgp_plan_generation;
    }
    return p;
}

PG_FUNCTION_INFO_V1(pgp_tariff_interval_amount);
Datum
pgp_tariff_interval_amount(PG_FUNCTION_ARGS)
{
    const PgpPlan *p = stable_plan(fcinfo, 0);
    prepay_tariff_interval_t iv = interval_args(fcinfo, 1, "prepay_tariff_interval_amount");
    prepay_tariff_line_t lines[16];
    prepay_tariff_line_t *buf = lines;
    size_t      cap = lengthof(lines);
    prepay_tariff_feed_result_t result;
    int         status;
    bool        compact = p->doc.sets[0].tou_tier_mode != PREPAY_TOU_TIER_PROPORTIONAL;
    prepay_tariff_compact_state_t small;
    prepay_tariff_state_t *full = NULL;

    if (!p->order_independent)
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("prepay_tariff_interval_amount: the plan has tiers or fixed charges, so an interval's "
                        "price depends on the rest of its cycle"),
                 errhint("Bill whole series with the aggregate prepay_bill().")));
    /* a fresh state per interval: the 120-byte compact one unless the plan needs per-band energy */
    if (compact)
        pgp_check(prepay_tariff_compact_init(&small), "prepay_tariff_interval_amount");
    else
    {
        full = palloc(sizeof(prepay_tariff_state_t));
        pgp_check(prepay_tariff_state_init(full), "prepay_tariff_interval_amount");
    }
    for (;;)
    {
        if (compact)
            status = prepay_tariff_compact_feed_interval(&p->plan, &p->doc.account, &small, iv.start, iv.end, iv.energy,
                                                         buf, cap, &result);
        else
            status = prepay_tariff_feed_interval(&p->plan, &p->doc.account, full, iv.start, iv.end, iv.energy, buf,
                                                 cap, &result);
        if (status != PREPAY_E_BUFFER_TOO_SMALL || buf != lines)
            break;
        cap = result.line_count;
        buf = palloc_array(prepay_tariff_line_t, cap);
    }
    if (status < 0)
        fail_interval(status, "prepay_tariff_interval_amount", &iv);
    PG_RETURN_DATUM(pgp_amount_numeric(result.exact));
}

/* ---- prepay_bill(): the combinable batch aggregate ------------------------------------------------- */

typedef struct BillAgg
{
    char       *plan;           /* the plan bytes (aggregate memory) */
    Size        plan_len;
    prepay_tariff_interval_t *iv;
    int64       count;
    int64       cap;
    bool        ordered;        /* rows arrived in non-decreasing start order */
    bool        plan_stable;    /* the plan argument is a constant or parameter: no need to compare it per row */
} BillAgg;

#define BILL_MAX_INTERVALS ((int64) (MaxAllocHugeSize / sizeof(prepay_tariff_interval_t)))

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *what)
{
    MemoryContext ctx;

    if (!AggCheckCallContext(fcinfo, &ctx))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s called in non-aggregate context", what)));
    return ctx;
}

static BillAgg *
bill_agg_new(MemoryContext ctx, const char *plan, Size plan_len)
{
    BillAgg    *s = MemoryContextAllocZero(ctx, sizeof(BillAgg));

    s->plan = MemoryContextAlloc(ctx, plan_len);
    memcpy(s->plan, plan, plan_len);
    s->plan_len = plan_len;
    s->ordered = true;
    return s;
}

static void
bill_agg_reserve(MemoryContext ctx, BillAgg *s, int64 more)
{
    int64       need = s->count + more;

    if (more < 0 || need > BILL_MAX_INTERVALS)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("prepay_bill: more than " INT64_FORMAT " intervals in one group", BILL_MAX_INTERVALS)));
    if (need <= s->cap)
        return;
    {
        int64       cap = s->cap ? s->cap : 256;

        while (cap < need)
            cap = Min(cap * 2, BILL_MAX_INTERVALS);
        if (s->iv == NULL)
            s->iv = MemoryContextAllocHuge(ctx, (Size) cap * sizeof(prepay_tariff_interval_t));
        else
            s->iv = repalloc_huge(s->iv, (Size) cap * sizeof(prepay_tariff_interval_t));
        s->cap = cap;
    }
}

static void
same_plan(const BillAgg *s, const char *plan, Size plan_len, const char *what)
{
    if (s->plan_len != plan_len || memcmp(s->plan, plan, plan_len) != 0)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("%s: one group is priced with two different tariff plans", what),
                 errhint("Group by the plan too, or bill each plan's period separately.")));
}

PG_FUNCTION_INFO_V1(pgp_bill_transfn);
Datum
pgp_bill_transfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "prepay_bill");
    BillAgg    *s = PG_ARGISNULL(0) ? NULL : (BillAgg *) PG_GETARG_POINTER(0);
    bytea      *plan;
    prepay_tariff_interval_t iv;

    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
        PG_RETURN_POINTER(s); /* NULLs are skipped, as by sum() */
    iv = interval_args(fcinfo, 2, "prepay_bill");
    if (s == NULL)
    {
        plan = PG_GETARG_BYTEA_PP(1);
        /* the plan must load: fail on the first row, not at the end */
        (void) pgp_plan_get(VARDATA_ANY(plan), VARSIZE_ANY_EXHDR(plan));
        s = bill_agg_new(ctx, VARDATA_ANY(plan), VARSIZE_ANY_EXHDR(plan));
        s->plan_stable = get_fn_expr_arg_stable(fcinfo->flinfo, 1);
    }
    else if (!s->plan_stable)
    {
        plan = PG_GETARG_BYTEA_PP(1);
        same_plan(s, VARDATA_ANY(plan), VARSIZE_ANY_EXHDR(plan), "prepay_bill");
    }
    bill_agg_reserve(ctx, s, 1);
    if (s->count > 0 && iv.start < s->iv[s->count - 1].start)
        s->ordered = false;
    s->iv[s->count++] = iv;
    PG_RETURN_POINTER(s);
}

static int
interval_order(const void *a, const void *b)
{
    const prepay_tariff_interval_t *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return 0;
}

PG_FUNCTION_INFO_V1(pgp_bill_finalfn);
Datum
pgp_bill_finalfn(PG_FUNCTION_ARGS)
{
    BillAgg    *s;
    const PgpPlan *p;
    prepay_tariff_bill_t bill;

    (void) agg_context(fcinfo, "prepay_bill");
    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    s = (BillAgg *) PG_GETARG_POINTER(0);
    if (s->count == 0)
        PG_RETURN_NULL();
    if (!s->ordered)
    {
        /* sorting in place is allowed: the state is not used after the final function */
        qsort(s->iv, (size_t) s->count, sizeof(prepay_tariff_interval_t), interval_order);
        s->ordered = true;
    }
    p = pgp_plan_get(s->plan, s->plan_len);
    bill_batch(p, s->iv, (size_t) s->count, &bill, "prepay_bill");
    PG_RETURN_DATUM(pgp_bill_jsonb(p, &bill, s->count));
}

PG_FUNCTION_INFO_V1(pgp_bill_combinefn);
Datum
pgp_bill_combinefn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "prepay_bill");
    BillAgg    *a = PG_ARGISNULL(0) ? NULL : (BillAgg *) PG_GETARG_POINTER(0);
    BillAgg    *b = PG_ARGISNULL(1) ? NULL : (BillAgg *) PG_GETARG_POINTER(1);

    if (b == NULL || b->count == 0)
        PG_RETURN_POINTER(a);
    if (a == NULL)
    {
        /* copy into the aggregate's memory: b may live in a shorter context */
        a = bill_agg_new(ctx, b->plan, b->plan_len);
    }
    else
        same_plan(a, b->plan, b->plan_len, "prepay_bill");
    bill_agg_reserve(ctx, a, b->count);
    memcpy(a->iv + a->count, b->iv, (Size) b->count * sizeof(prepay_tariff_interval_t));
    if (a->count > 0 && (!b->ordered || b->iv[0].start < a->iv[a->count - 1].start))
        a->ordered = false;
    else if (!b->ordered)
        a->ordered = false;
    a->count += b->count;
    PG_RETURN_POINTER(a);
}

/* Serial form: "PGPB" u32, ordered u32, plan_len u64, count i64, plan bytes, intervals (native int64s). */
#define BILL_SERIAL_HEADER 24

PG_FUNCTION_INFO_V1(pgp_bill_serialfn);
Datum
pgp_bill_serialfn(PG_FUNCTION_ARGS)
{
    BillAgg    *s = (BillAgg *) PG_GETARG_POINTER(0);
    Size        ivbytes = mul_size((Size) s->count, sizeof(prepay_tariff_interval_t));
    Size        total = add_size(add_size(VARHDRSZ + BILL_SERIAL_HEADER, s->plan_len), ivbytes);
    bytea      *out;
    char       *p;
    uint32      ordered = s->ordered;
    uint64      plan_len = s->plan_len;
    int64       count = s->count;

    if (total > MaxAllocSize)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("prepay_bill: a partial state of " INT64_FORMAT " intervals exceeds 1 GB", count),
                        errhint("Use more groups (one per meter) or no partial aggregation.")));
    out = palloc(total);
    SET_VARSIZE(out, total);
    p = VARDATA(out);
    memcpy(p, "PGPB", 4);
    memcpy(p + 4, &ordered, 4);
    memcpy(p + 8, &plan_len, 8);
    memcpy(p + 16, &count, 8);
    memcpy(p + BILL_SERIAL_HEADER, s->plan, s->plan_len);
    if (ivbytes)
        memcpy(p + BILL_SERIAL_HEADER + s->plan_len, s->iv, ivbytes);
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(pgp_bill_deserialfn);
Datum
pgp_bill_deserialfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "prepay_bill");
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    const char *p = VARDATA_ANY(in);
    Size        len = VARSIZE_ANY_EXHDR(in);
    uint32      ordered;
    uint64      plan_len;
    int64       count;
    BillAgg    *s;

    if (len < BILL_SERIAL_HEADER || memcmp(p, "PGPB", 4) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("prepay_bill: bad partial state")));
    memcpy(&ordered, p + 4, 4);
    memcpy(&plan_len, p + 8, 8);
    memcpy(&count, p + 16, 8);
    if (plan_len > len - BILL_SERIAL_HEADER || count < 0 || count > BILL_MAX_INTERVALS ||
        (Size) count * sizeof(prepay_tariff_interval_t) != len - BILL_SERIAL_HEADER - plan_len)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION), errmsg("prepay_bill: bad partial state")));
    s = bill_agg_new(ctx, p + BILL_SERIAL_HEADER, (Size) plan_len);
    bill_agg_reserve(ctx, s, count);
    if (count)
        memcpy(s->iv, p + BILL_SERIAL_HEADER + plan_len, (Size) count * sizeof(prepay_tariff_interval_t));
    s->count = count;
    s->ordered = ordered != 0;
    PG_RETURN_POINTER(s);
}

/* ---- prepay_bill_stream(): the streaming aggregate (ORDER BY start) ---------------------------------- */

typedef struct StreamAgg
{
    char       *plan;
    Size        plan_len;
    prepay_tariff_state_t state;
    prepay_tariff_bill_t bill;
    prepay_tariff_line_t *buf;  /* lines of one step */
    size_t      buf_cap;
    int64       count;
    bool        plan_stable;    /* constant or parameter plan argument */
    const PgpPlan *cached;      /* its cache entry, valid while pgp_plan_generation == generation */
    uint64      generation;
} StreamAgg;

static void
stream_add(MemoryContext ctx, StreamAgg *s, const prepay_tariff_line_t *lines, size_t n)
{
    int         status = prepay_tariff_bill_add(&s->bill, lines, n);

    if (status == PREPAY_E_BUFFER_TOO_SMALL)
    {
        size_t      cap = Max(s->bill.lines_needed, s->bill.line_cap * 2);

        if (cap > MaxAllocSize / sizeof(prepay_tariff_line_t))
            pgp_fail(PREPAY_E_CAPACITY, "prepay_bill_stream");
        s->bill.lines = repalloc(s->bill.lines, cap * sizeof(prepay_tariff_line_t));
        s->bill.line_cap = cap;
        status = prepay_tariff_bill_add(&s->bill, lines, n);
    }
    (void) ctx;
    pgp_check(status, "prepay_bill_stream");
}

/* One streaming call with a growing line buffer; fn is feed (interval) or close (NULL interval). */
static size_t
stream_step(MemoryContext ctx, StreamAgg *s, const PgpPlan *p, const prepay_tariff_interval_t *iv)
{
    prepay_tariff_feed_result_t result;
    int         status;

    for (;;)
    {
        if (iv)
            status = prepay_tariff_feed_interval(&p->plan, &p->doc.account, &s->state, iv->start, iv->end, iv->energy,
                                                 s->buf, s->buf_cap, &result);
        else
            status = prepay_tariff_close_cycle(&p->plan, &p->doc.account, &s->state, s->buf, s->buf_cap, &result);
        if (status != PREPAY_E_BUFFER_TOO_SMALL || result.line_count <= s->buf_cap)
            break;
        if (result.line_count > MaxAllocSize / sizeof(prepay_tariff_line_t))
            pgp_fail(PREPAY_E_CAPACITY, "prepay_bill_stream");
        s->buf = repalloc(s->buf, result.line_count * sizeof(prepay_tariff_line_t));
        s->buf_cap = result.line_count;
    }
    if (status < 0)
        fail_interval(status, "prepay_bill_stream", iv);
    stream_add(ctx, s, s->buf, (size_t) status);
    return (size_t) status;
}

PG_FUNCTION_INFO_V1(pgp_bill_stream_transfn);
Datum
pgp_bill_stream_transfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "prepay_bill_stream");
    StreamAgg  *s = PG_ARGISNULL(0) ? NULL : (StreamAgg *) PG_GETARG_POINTER(0);
    bytea      *plan;
    const PgpPlan *p;
    prepay_tariff_interval_t iv;
    MemoryContext old;

    if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
        PG_RETURN_POINTER(s);
    iv = interval_args(fcinfo, 2, "prepay_bill_stream");
    if (s != NULL && s->plan_stable && s->cached != NULL && s->generation == pgp_plan_generation)
    {
        p = s->cached;
        old = MemoryContextSwitchTo(ctx);
        (void) stream_step(ctx, s, p, &iv);
        s->count++;
        MemoryContextSwitchTo(old);
        PG_RETURN_POINTER(s);
    }
    plan = PG_GETARG_BYTEA_PP(1);
    p = pgp_plan_get(VARDATA_ANY(plan), VARSIZE_ANY_EXHDR(plan));
    old = MemoryContextSwitchTo(ctx);
    if (s == NULL)
    {
        s = palloc0(sizeof(StreamAgg));
        s->plan_len = VARSIZE_ANY_EXHDR(plan);
        s->plan = palloc(s->plan_len);
        memcpy(s->plan, VARDATA_ANY(plan), s->plan_len);
        s->buf_cap = 32;
        s->buf = palloc_array(prepay_tariff_line_t, s->buf_cap);
        pgp_check(prepay_tariff_state_init(&s->state), "prepay_bill_stream");
        pgp_check(prepay_tariff_bill_init(&s->bill, &p->doc.sets[0], palloc_array(prepay_tariff_line_t, 64), 64),
                  "prepay_bill_stream");
        s->plan_stable = get_fn_expr_arg_stable(fcinfo->flinfo, 1);
    }
    else if (s->plan_len != VARSIZE_ANY_EXHDR(plan) || memcmp(s->plan, VARDATA_ANY(plan), s->plan_len) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_bill_stream: one group is priced with two different tariff plans")));
    s->cached = p;
    s->generation = pgp_plan_generation;
    (void) stream_step(ctx, s, p, &iv);
    s->count++;
    MemoryContextSwitchTo(old);
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgp_bill_stream_finalfn);
Datum
pgp_bill_stream_finalfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx = agg_context(fcinfo, "prepay_bill_stream");
    StreamAgg  *s;
    const PgpPlan *p;
    prepay_tariff_bill_t bill;
    MemoryContext old;

    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    s = (StreamAgg *) PG_GETARG_POINTER(0);
    p = pgp_plan_get(s->plan, s->plan_len);
    /*
     * Close the open cycle on a copy: a final function may be called more
     * than once on the same state (window aggregates), so the state stays as
     * the transitions left it.
     */
    {
        StreamAgg   copy = *s;

        old = MemoryContextSwitchTo(ctx);
        copy.bill.lines = palloc_array(prepay_tariff_line_t, s->bill.line_cap);
        memcpy(copy.bill.lines, s->bill.lines, s->bill.line_count * sizeof(prepay_tariff_line_t));
        copy.buf = palloc_array(prepay_tariff_line_t, s->buf_cap);
        (void) stream_step(ctx, &copy, p, NULL);
        MemoryContextSwitchTo(old);
        bill = copy.bill;
    }
    pgp_check(prepay_tariff_bill_finish(&bill), "prepay_bill_stream");
    PG_RETURN_DATUM(pgp_bill_jsonb(p, &bill, s->count));
}
