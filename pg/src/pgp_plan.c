/* SPDX-License-Identifier: MIT */
/*
 * Tariff plans in SQL: a `prepay-tariff/1` (or URDB / SAM) document compiled
 * to a bytea, and the per-backend cache that turns that bytea back into a
 * validated libprepay plan.
 *
 * The bytea holds the document itself (jsonb's canonical text) behind a
 * 16-byte header:
 *   0  "PGPP"             magic
 *   4  u8  1              format version
 *   5  u8  kind           0 prepay-tariff/1, 1 URDB / SAM
 *   6  u16 scale_len      bytes of the URDB rate scale that follow the header
 *   8  u64 hash           FNV-1a 64 of bytes 16.. (little endian)
 *  16  rate scale, then the document text
 * so a plan is portable (any architecture, any pg_prepay build with the
 * same tariff capacities), small, and never trusted: on a cache miss the
 * document is loaded and validated by the library again, exactly as
 * prepay_tariff_compile() did. The cache keys on the hash and compares the
 * whole payload, so a forged header cannot select another plan.
 */
#include "pgp.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "prepay/civil_time.h"
#include "prepay/status.h"
#include "prepay/tariff_json.h"

#define PLAN_VERSION 1
#define PLAN_KIND_PREPAY 0
#define PLAN_KIND_URDB 1
#define CACHE_SIZE 32

static MemoryContext cache_context = NULL;
static PgpPlan *cache[CACHE_SIZE];
static uint64 cache_clock = 0;
static PgpPlan *last_hit = NULL;
uint64      pgp_plan_generation = 1;

static uint64
fnv1a64(const char *data, Size len)
{
    uint64      h = UINT64CONST(0xcbf29ce484222325);

    for (Size i = 0; i < len; i++)
    {
        h ^= (unsigned char) data[i];
        h *= UINT64CONST(0x100000001b3);
    }
    return h;
}

static void
put_u64(char *out, uint64 v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (char) (v >> (8 * i));
}

static uint64
get_u64(const char *in)
{
    uint64      v = 0;

    for (int i = 0; i < 8; i++)
        v |= (uint64) (unsigned char) in[i] << (8 * i);
    return v;
}

static void
not_a_plan(const char *why)
{
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
             errmsg("not a pg_prepay tariff plan: %s", why),
             errhint("Make plans with prepay_tariff_compile().")));
}

uint64
pgp_plan_hash(const char *data, Size len)
{
    if (len < PGP_PLAN_HEADER || memcmp(data, PGP_PLAN_MAGIC, 4) != 0)
        not_a_plan("bad magic or too short");
    if ((unsigned char) data[4] != PLAN_VERSION)
        not_a_plan("unknown format version");
    return get_u64(data + 8);
}

/* Loads and validates the document of a serialised plan into entry->doc. */
static int
load_plan(PgpPlan *entry, const char *data, Size len, char *err, size_t err_cap)
{
    unsigned    kind = (unsigned char) data[5];
    Size        scale_len = (Size) (unsigned char) data[6] | ((Size) (unsigned char) data[7] << 8);
    const char *body = data + PGP_PLAN_HEADER;
    Size        body_len = len - PGP_PLAN_HEADER;
    int         status;

    if (scale_len > body_len || (kind != PLAN_KIND_PREPAY && kind != PLAN_KIND_URDB) ||
        (kind == PLAN_KIND_PREPAY && scale_len != 0) || fnv1a64(body, body_len) != get_u64(data + 8))
        not_a_plan("corrupt header or body");
    if (kind == PLAN_KIND_PREPAY)
        status = prepay_tariff_json_load_buffer(body, body_len, "tariff", &entry->doc, err, err_cap);
    else
    {
        char       *scale = pnstrdup(body, scale_len);
        prepay_tariff_urdb_options_t options = {scale_len ? scale : NULL};

        status = prepay_tariff_urdb_load_buffer(body + scale_len, body_len - scale_len, "tariff", &options,
                                                &entry->doc, err, err_cap);
        pfree(scale);
    }
    if (status != PREPAY_OK)
        return status;
    status = prepay_tariff_doc_plan(&entry->doc, &entry->plan);
    if (status != PREPAY_OK)
        return status;
    /* validated once here; evaluation calls trust the seal (the entry never moves, the document never changes) */
    status = prepay_tariff_plan_seal(&entry->plan);
    if (status != PREPAY_OK)
        return status;
    entry->order_independent = true;
    for (int s = 0; s < (entry->doc.has_set_b ? 2 : 1); s++)
        if (entry->doc.sets[s].tier_count != 1 || entry->doc.sets[s].fixed_charge_count != 0)
            entry->order_independent = false;
    return PREPAY_OK;
}

const PgpPlan *
pgp_plan_get(const char *data, Size len)
{
    uint64      hash = pgp_plan_hash(data, len);
    int         victim = 0;
    PgpPlan    *entry;
    char        err[PREPAY_TARIFF_JSON_ERROR_MAX];
    int         status;

    /* most calls in a row use the same plan */
    if (last_hit != NULL && last_hit->hash == hash && last_hit->payload_len == len &&
        memcmp(last_hit->payload, data, len) == 0)
        return last_hit;
    for (int i = 0; i < CACHE_SIZE; i++)
    {
        entry = cache[i];
        if (entry == NULL)
        {
            victim = i;
            continue;
        }
        if (entry->hash == hash && entry->payload_len == len && memcmp(entry->payload, data, len) == 0)
        {
            entry->last_used = ++cache_clock;
            last_hit = entry;
            return entry;
        }
        if (cache[victim] != NULL && entry->last_used < cache[victim]->last_used)
            victim = i;
    }
    if (cache_context == NULL)
        cache_context = AllocSetContextCreate(CacheMemoryContext, "pg_prepay tariff plans", ALLOCSET_DEFAULT_SIZES);
    if (cache[victim] != NULL)
    {
        if (last_hit == cache[victim])
            last_hit = NULL;
        pfree(cache[victim]->payload);
        pfree(cache[victim]);
        cache[victim] = NULL;
        pgp_plan_generation++;
    }
    entry = MemoryContextAllocZero(cache_context, sizeof(PgpPlan));
    err[0] = '\0';
    status = load_plan(entry, data, len, err, sizeof err);
    if (status != PREPAY_OK)
    {
        pfree(entry);
        if (err[0] != '\0')
            pgp_fail_message(status, err);
        pgp_fail(status, "tariff plan");
    }
    entry->hash = hash;
    entry->payload_len = len;
    entry->payload = MemoryContextAlloc(cache_context, len);
    memcpy(entry->payload, data, len);
    entry->last_used = ++cache_clock;
    cache[victim] = entry;
    last_hit = entry;
    return entry;
}

/* ---- compile ---------------------------------------------------------------------------------- */

static bytea *
make_plan(unsigned kind, const char *scale, const char *text, size_t text_len)
{
    size_t      scale_len = scale ? strlen(scale) : 0;
    Size        body_len;
    Size        total;
    bytea      *out;
    char       *p;

    if (scale_len > 255)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("rate scale is longer than 255 bytes")));
    body_len = add_size(scale_len, text_len);
    total = add_size(add_size(VARHDRSZ, PGP_PLAN_HEADER), body_len);
    if (total > MaxAllocSize)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("tariff document too large")));
    out = palloc(total);
    SET_VARSIZE(out, total);
    p = VARDATA(out);
    memcpy(p, PGP_PLAN_MAGIC, 4);
    p[4] = PLAN_VERSION;
    p[5] = (char) kind;
    p[6] = (char) (scale_len & 0xFF);
    p[7] = (char) (scale_len >> 8);
    if (scale_len)
        memcpy(p + PGP_PLAN_HEADER, scale, scale_len);
    memcpy(p + PGP_PLAN_HEADER + scale_len, text, text_len);
    put_u64(p + 8, fnv1a64(p + PGP_PLAN_HEADER, body_len));
    /* Validate now: a plan that exists has loaded once. */
    (void) pgp_plan_get(VARDATA(out), total - VARHDRSZ);
    return out;
}

PG_FUNCTION_INFO_V1(pgp_tariff_compile);
Datum
pgp_tariff_compile(PG_FUNCTION_ARGS)
{
    size_t      len;
    char       *text = pgp_jsonb_text(PG_GETARG_DATUM(0), &len);

    PG_RETURN_BYTEA_P(make_plan(PLAN_KIND_PREPAY, NULL, text, len));
}

/*
 * URDB / SAM documents come as json (the text as written), not jsonb: jsonb
 * rewrites a binary number such as 9.9999999999999998e+37 (SAM's "no upper
 * tier bound") as a 38-digit integer, which a JSON reader cannot take as a
 * number of the file's own kind.
 */
PG_FUNCTION_INFO_V1(pgp_tariff_compile_urdb);
Datum
pgp_tariff_compile_urdb(PG_FUNCTION_ARGS)
{
    text       *doc;
    char       *scale;

    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    doc = PG_GETARG_TEXT_PP(0);
    scale = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
    if (scale && strcmp(scale, "1") == 0)
        scale = NULL; /* the same plan as no scale at all */
    PG_RETURN_BYTEA_P(make_plan(PLAN_KIND_URDB, scale, VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc)));
}

/* ---- reading a plan ---------------------------------------------------------------------------- */

static const PgpPlan *
plan_arg(FunctionCallInfo fcinfo, int n)
{
    bytea      *b = PG_GETARG_BYTEA_PP(n);

    return pgp_plan_get(VARDATA_ANY(b), VARSIZE_ANY_EXHDR(b));
}

static const char *
mode_name(prepay_tou_tier_mode_t mode)
{
    switch (mode)
    {
        case PREPAY_TOU_TIER_UNIFORM:
            return "uniform";
        case PREPAY_TOU_TIER_CHRONOLOGICAL:
            return "chronological";
        case PREPAY_TOU_TIER_PROPORTIONAL:
            return "proportional";
    }
    return "?";
}

PG_FUNCTION_INFO_V1(pgp_tariff_info);
Datum
pgp_tariff_info(PG_FUNCTION_ARGS)
{
    const PgpPlan *p = plan_arg(fcinfo, 0);
    const prepay_tariff_t *t = &p->doc.sets[0];
    StringInfoData b;
    char        when[PREPAY_TIME_TEXT_MAX];

    initStringInfo(&b);
    appendStringInfoString(&b, "{\"name\": ");
    pgp_json_string(&b, p->doc.name);
    appendStringInfo(&b, ", \"hash\": \"%016llx\", \"format\": \"%s\", \"unit\": \"%s\", \"currency\": ",
                     (unsigned long long) p->hash,
                     p->doc.format == PREPAY_TARIFF_DOC_JSON ? "prepay-tariff/1"
                     : p->doc.format == PREPAY_TARIFF_DOC_URDB ? "urdb" : "sam-utilityrate5",
                     t->unit == PREPAY_TARIFF_UNIT_WATER ? "water" : "energy");
    pgp_json_string(&b, p->doc.currency);
    appendStringInfo(&b, ", \"tou_tier_mode\": \"%s\", \"cycle\": \"%s\", \"cycle_start_day\": %u, "
                     "\"tiers\": %u, \"fixed_charges\": %u, \"rounding\": \"%s\", \"scope\": \"%s\", "
                     "\"order_independent\": %s, \"bands\": [",
                     mode_name(t->tou_tier_mode), t->cycle_kind == PREPAY_CYCLE_YEAR ? "year" : "month",
                     t->cycle_start_day, t->tier_count, t->fixed_charge_count, pgp_rounding_name(t->rounding),
                     t->round_scope == PREPAY_ROUND_PER_BILL ? "bill" : "line",
                     p->order_independent ? "true" : "false");
    for (unsigned i = 0; i < t->band_count; i++)
    {
        if (i)
            appendStringInfoString(&b, ", ");
        pgp_json_string(&b, p->doc.band_names[i]);
    }
    appendStringInfoString(&b, "], \"switch_at\": ");
    if (p->doc.has_set_b && prepay_time_format(p->doc.switch_time, PREPAY_TIME_TEXT_SECOND, when, sizeof when) > 0)
        pgp_json_string(&b, when);
    else
        appendStringInfoString(&b, "null");
    appendStringInfoString(&b, ", \"notice\": ");
    pgp_json_string(&b, p->doc.notice);
    appendStringInfoChar(&b, '}');
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

PG_FUNCTION_INFO_V1(pgp_tariff_band_at);
Datum
pgp_tariff_band_at(PG_FUNCTION_ARGS)
{
    const PgpPlan *p = plan_arg(fcinfo, 0);
    prepay_time_t at = pgp_time_of(PG_GETARG_TIMESTAMP(1), false, "prepay_tariff_band_at");
    const prepay_tariff_t *t = &p->doc.sets[p->doc.has_set_b && at >= p->doc.switch_time ? 1 : 0];
    unsigned    band;

    pgp_check(prepay_tariff_band_at(t, at, &band), "prepay_tariff_band_at");
    PG_RETURN_INT32((int32) band);
}

PG_FUNCTION_INFO_V1(pgp_tariff_price);
Datum
pgp_tariff_price(PG_FUNCTION_ARGS)
{
    const PgpPlan *p = plan_arg(fcinfo, 0);
    int32       band = PG_GETARG_INT32(1);
    int32       tier = PG_GETARG_INT32(2);
    int32       set = PG_NARGS() > 3 ? PG_GETARG_INT32(3) : 0;
    prepay_price_t price;

    if (set < 0 || set > (p->doc.has_set_b ? 1 : 0))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_tariff_price: the plan has no price set %d", set)));
    if (band < 1 || tier < 1)
        pgp_fail(PREPAY_E_TARIFF_BAD_BAND, "prepay_tariff_price");
    pgp_check(prepay_tariff_price(&p->doc.sets[set], (unsigned) band, (unsigned) tier, &price),
              "prepay_tariff_price");
    PG_RETURN_INT64(price);
}

/* The cycle containing an instant: 'start' or 'end' bound. */
static Datum
cycle_bound(FunctionCallInfo fcinfo, bool end)
{
    const PgpPlan *p = plan_arg(fcinfo, 0);
    prepay_time_t at = pgp_time_of(PG_GETARG_TIMESTAMP(1), false, "prepay_tariff_cycle");
    int32_t     cycle;
    prepay_time_t start, stop;

    pgp_check(prepay_tariff_cycle_of(&p->doc.sets[0], at, &cycle), "prepay_tariff_cycle");
    pgp_check(prepay_tariff_cycle_bounds(&p->doc.sets[0], cycle, &start, &stop), "prepay_tariff_cycle");
    PG_RETURN_TIMESTAMP(pgp_timestamp_of(end ? stop : start));
}

PG_FUNCTION_INFO_V1(pgp_tariff_cycle_start);
Datum
pgp_tariff_cycle_start(PG_FUNCTION_ARGS)
{
    return cycle_bound(fcinfo, false);
}

PG_FUNCTION_INFO_V1(pgp_tariff_cycle_end);
Datum
pgp_tariff_cycle_end(PG_FUNCTION_ARGS)
{
    return cycle_bound(fcinfo, true);
}

PG_FUNCTION_INFO_V1(pgp_tariff_vend);
Datum
pgp_tariff_vend(PG_FUNCTION_ARGS)
{
    const PgpPlan *p = plan_arg(fcinfo, 0);
    prepay_time_t at = pgp_time_of(PG_GETARG_TIMESTAMP(1), false, "prepay_tariff_vend");
    int64       money = PG_GETARG_INT64(2);
    int64       quantum = PG_GETARG_INT64(3);
    prepay_energy_t energy;

    pgp_check(prepay_tariff_vend(&p->plan, &p->doc.account, NULL, at, 0, money, quantum, &energy, NULL),
              "prepay_tariff_vend");
    PG_RETURN_INT64(energy);
}

/* ---- decimals ------------------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(pgp_decimal);
Datum
pgp_decimal(PG_FUNCTION_ARGS)
{
    text       *t = PG_GETARG_TEXT_PP(0);
    int32       decimals = PG_GETARG_INT32(1);
    prepay_rounding_t mode = PG_NARGS() > 2 ? pgp_rounding_of(text_to_cstring(PG_GETARG_TEXT_PP(2)))
                                            : PREPAY_ROUND_HALF_UP;
    int64_t     out;
    int         status;

    if (decimals < 0 || decimals > 16)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_decimal: decimals must be 0..16, not %d", decimals)));
    status = prepay_tariff_json_parse_rounded(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), (unsigned) decimals, mode, &out);
    if (status != PREPAY_OK)
        ereport(ERROR,
                (errcode(status == PREPAY_E_OVERFLOW ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE
                                                     : ERRCODE_INVALID_TEXT_REPRESENTATION),
                 errmsg("prepay_decimal: \"%s\" is not a decimal number: %s", text_to_cstring(t),
                        prepay_strerror(status))));
    PG_RETURN_INT64(out);
}
