/* SPDX-License-Identifier: MIT */
/*
 * Allocation in SQL: the exact largest-remainder split over bigint[] weights,
 * master-minus-sub-meters residuals, pricing once, and the full common-area
 * allocation with vacancies and day weighting (prepay_allocation_allocate()).
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "prepay/allocation.h"
#include "prepay/status.h"

/* A 1-D array without NULLs as a C array of int64 (or int32 / bool elements widened). */
static int64 *
int8_array(ArrayType *arr, int *count, const char *what)
{
    Datum      *items;
    bool       *nulls;
    int         n;
    int64      *out;

    if (ARR_NDIM(arr) > 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("%s must be a 1-D array", what)));
    deconstruct_array(arr, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &items, &nulls, &n);
    out = palloc_array(int64, Max(n, 1));
    for (int i = 0; i < n; i++)
    {
        if (nulls[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s[%d] is NULL", what, i + 1)));
        out[i] = DatumGetInt64(items[i]);
    }
    *count = n;
    return out;
}

static ArrayType *
int8_array_of(const int64 *values, int n)
{
    Datum      *d = palloc_array(Datum, Max(n, 1));

    for (int i = 0; i < n; i++)
        d[i] = Int64GetDatum(values[i]);
    return construct_array(d, n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* prepay_alloc_split(total bigint, weights bigint[]) -> bigint[] */
PG_FUNCTION_INFO_V1(pgp_alloc_split);
Datum
pgp_alloc_split(PG_FUNCTION_ARGS)
{
    int         n;
    int64      *weights = int8_array(PG_GETARG_ARRAYTYPE_P(1), &n, "weights");
    int64      *shares = palloc_array(int64, Max(n, 1));

    pgp_check(prepay_allocation_split(PG_GETARG_INT64(0), (const int64_t *) weights, (size_t) n, (int64_t *) shares),
              "prepay_alloc_split");
    PG_RETURN_ARRAYTYPE_P(int8_array_of(shares, n));
}

static prepay_allocation_residual_policy_t
residual_policy(const char *name)
{
    if (strcmp(name, "fail") == 0)
        return PREPAY_ALLOCATION_RESIDUAL_FAIL;
    if (strcmp(name, "clamp") == 0)
        return PREPAY_ALLOCATION_RESIDUAL_CLAMP;
    if (strcmp(name, "carry") == 0)
        return PREPAY_ALLOCATION_RESIDUAL_CARRY;
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown residual policy \"%s\"", name),
                    errhint("Use fail, clamp or carry.")));
    pg_unreachable();
}

/* prepay_alloc_residual(master, subs bigint[], carried_in, policy) -> prepay_alloc_residual */
PG_FUNCTION_INFO_V1(pgp_alloc_residual);
Datum
pgp_alloc_residual(PG_FUNCTION_ARGS)
{
    int         n;
    int64      *subs = int8_array(PG_GETARG_ARRAYTYPE_P(1), &n, "subs");
    prepay_allocation_residual_t r;
    TupleDesc   desc;
    Datum       values[9];
    bool        nulls[9];

    pgp_check(prepay_allocation_residual(PG_GETARG_INT64(0), (const prepay_energy_t *) subs, (size_t) n,
                                    PG_GETARG_INT64(2), residual_policy(text_to_cstring(PG_GETARG_TEXT_PP(3))), &r),
              "prepay_alloc_residual");
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("must return a row")));
    desc = BlessTupleDesc(desc);
    memset(nulls, 0, sizeof nulls);
    values[0] = Int64GetDatum(r.master);
    values[1] = Int64GetDatum(r.sub_total);
    values[2] = Int64GetDatum(r.carried_in);
    values[3] = Int64GetDatum(r.raw);
    values[4] = Int64GetDatum(r.common);
    values[5] = Int64GetDatum(r.carry_out);
    values[6] = Int64GetDatum(r.clamped);
    values[7] = BoolGetDatum(r.negative);
    values[8] = Int64GetDatum(r.loss_bp);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* prepay_alloc_price_energy(energy, price, rounding) -> bigint: round(energy x price) in minor units */
PG_FUNCTION_INFO_V1(pgp_alloc_price_energy);
Datum
pgp_alloc_price_energy(PG_FUNCTION_ARGS)
{
    prepay_money_t out;

    pgp_check(prepay_allocation_price_energy(PG_GETARG_INT64(0), PG_GETARG_INT64(1),
                                        pgp_rounding_of(text_to_cstring(PG_GETARG_TEXT_PP(2))), &out),
              "prepay_alloc_price_energy");
    PG_RETURN_INT64(out);
}

/*
 * prepay_alloc_allocate(energy, money, accounts bigint[], weights bigint[],
 *                       occupied_days int[], vacant bool[], period_days int,
 *                       vacancy text, owner_account bigint, owner_pays_unoccupied bool)
 *   -> SETOF (part int, account_id bigint, weight bigint, energy bigint, money bigint)
 * Part numbers are 1-based; owner lines carry the part they stand for.
 */
PG_FUNCTION_INFO_V1(pgp_alloc_allocate);
Datum
pgp_alloc_allocate(PG_FUNCTION_ARGS)
{
    ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
    int         n, nw, nd, nv;
    int64      *accounts = int8_array(PG_GETARG_ARRAYTYPE_P(2), &n, "accounts");
    int64      *weights = int8_array(PG_GETARG_ARRAYTYPE_P(3), &nw, "weights");
    ArrayType  *days_arr = PG_GETARG_ARRAYTYPE_P(4);
    ArrayType  *vacant_arr = PG_GETARG_ARRAYTYPE_P(5);
    Datum      *days_d, *vacant_d;
    bool       *days_n, *vacant_n;
    prepay_allocation_request_t req;
    prepay_allocation_part_t *parts;
    prepay_allocation_line_t *lines;
    size_t      line_count = 0;
    const char *vacancy = text_to_cstring(PG_GETARG_TEXT_PP(7));

    deconstruct_array(days_arr, INT4OID, 4, true, TYPALIGN_INT, &days_d, &days_n, &nd);
    deconstruct_array(vacant_arr, BOOLOID, 1, true, TYPALIGN_CHAR, &vacant_d, &vacant_n, &nv);
    if (nw != n || nd != n || nv != n || ARR_NDIM(days_arr) > 1 || ARR_NDIM(vacant_arr) > 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
                        errmsg("prepay_alloc_allocate: accounts, weights, occupied_days and vacant must be 1-D arrays "
                               "of the same length (%d, %d, %d, %d)", n, nw, nd, nv)));
    memset(&req, 0, sizeof req);
    req.energy = PG_GETARG_INT64(0);
    req.money = PG_GETARG_INT64(1);
    req.period_days = PG_GETARG_INT32(6);
    if (strcmp(vacancy, "owner") == 0)
        req.vacancy = PREPAY_ALLOCATION_VACANT_OWNER;
    else if (strcmp(vacancy, "skip") == 0)
        req.vacancy = PREPAY_ALLOCATION_VACANT_SKIP;
    else
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown vacancy rule \"%s\"", vacancy),
                        errhint("Use owner or skip.")));
    req.owner_account_id = (uint64_t) PG_GETARG_INT64(8);
    req.owner_pays_unoccupied = PG_GETARG_BOOL(9);
    parts = palloc0_array(prepay_allocation_part_t, Max(n, 1));
    for (int i = 0; i < n; i++)
    {
        if (days_n[i] || vacant_n[i])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("part %d has a NULL", i + 1)));
        parts[i].account_id = (uint64_t) accounts[i];
        parts[i].weight = weights[i];
        parts[i].occupied_days = DatumGetInt32(days_d[i]);
        parts[i].vacant = DatumGetBool(vacant_d[i]);
    }
    lines = palloc_array(prepay_allocation_line_t, Max(2 * n, 1));
    pgp_check(prepay_allocation_allocate(&req, parts, (size_t) n, lines, (size_t) Max(2 * n, 1), &line_count),
              "prepay_alloc_allocate");
    InitMaterializedSRF(fcinfo, 0);
    for (size_t i = 0; i < line_count; i++)
    {
        Datum       values[5];
        bool        nulls[5] = {false, false, false, false, false};

        values[0] = Int32GetDatum((int32) lines[i].part_index + 1);
        values[1] = Int64GetDatum((int64) lines[i].account_id);
        values[2] = Int64GetDatum(lines[i].weight);
        values[3] = Int64GetDatum(lines[i].energy);
        values[4] = Int64GetDatum(lines[i].money);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return (Datum) 0;
}
