/* SPDX-License-Identifier: MIT */
/*
 * Streaming state in a table row: what a billing server does per reading.
 * prepay_tariff_state() makes a fresh state (bytea); prepay_tariff_feed(),
 * prepay_tariff_feed_reading() and prepay_tariff_close_cycle() take a plan
 * and a state and return the next state, the whole minor units due now, the
 * exact amount and the lines, as libprepay's streaming functions do. The
 * state bytes are "PGPS", a format version, the struct size, then
 * prepay_tariff_state_t as is: a state is tied to the pg_prepay build (a
 * state from another build is refused) and the library checks it again on
 * every call (a forged state is an ERROR, never a crash).
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"

#include "prepay/status.h"

#define STATE_MAGIC "PGPS"
#define STATE_VERSION 1
#define STATE_HEADER 12

static bytea *
state_bytes(const prepay_tariff_state_t *state)
{
    Size        total = VARHDRSZ + STATE_HEADER + sizeof(prepay_tariff_state_t);
    bytea      *out = palloc0(total);
    char       *p = VARDATA(out);
    uint32      version = STATE_VERSION;
    uint32      size = sizeof(prepay_tariff_state_t);

    SET_VARSIZE(out, total);
    memcpy(p, STATE_MAGIC, 4);
    memcpy(p + 4, &version, 4);
    memcpy(p + 8, &size, 4);
    memcpy(p + STATE_HEADER, state, sizeof *state);
    return out;
}

static void
state_of(bytea *in, prepay_tariff_state_t *state)
{
    const char *p = VARDATA_ANY(in);
    Size        len = VARSIZE_ANY_EXHDR(in);
    uint32      version, size;

    if (len < STATE_HEADER || memcmp(p, STATE_MAGIC, 4) != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("not a pg_prepay tariff state"), errhint("Start a state with prepay_tariff_state().")));
    memcpy(&version, p + 4, 4);
    memcpy(&size, p + 8, 4);
    if (version != STATE_VERSION || size != sizeof(prepay_tariff_state_t) || len != STATE_HEADER + size)
        ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                        errmsg("tariff state made by another pg_prepay build (format %u, %u bytes; this build: %u, %zu)",
                               version, size, STATE_VERSION, sizeof(prepay_tariff_state_t))));
    memcpy(state, p + STATE_HEADER, sizeof *state);
    /*
     * The state's cache of where it is in a sealed plan is derived data the
     * library trusts when its key matches: bytes from a table are not to be
     * trusted, so it is dropped (the next call rebuilds it; no result changes).
     */
    memset(&state->cache, 0, sizeof state->cache);
    pgp_check(prepay_tariff_state_check(state), "tariff state");
}

PG_FUNCTION_INFO_V1(pgp_tariff_state);
Datum
pgp_tariff_state(PG_FUNCTION_ARGS)
{
    prepay_tariff_state_t state;

    pgp_check(prepay_tariff_state_init(&state), "prepay_tariff_state");
    PG_RETURN_BYTEA_P(state_bytes(&state));
}

typedef enum step_kind
{
    STEP_INTERVAL,
    STEP_READING,
    STEP_CLOSE
} step_kind;

/* Runs one streaming call on (plan, state, ...) and returns (state, due, exact, lines). */
static Datum
step(FunctionCallInfo fcinfo, step_kind kind, const char *what)
{
    bytea      *plan_arg = PG_GETARG_BYTEA_PP(0);
    const PgpPlan *p = pgp_plan_get(VARDATA_ANY(plan_arg), VARSIZE_ANY_EXHDR(plan_arg));
    prepay_tariff_state_t state;
    prepay_tariff_line_t small[16];
    prepay_tariff_line_t *lines = small;
    size_t      cap = lengthof(small);
    prepay_tariff_feed_result_t result;
    int         status;
    TupleDesc   desc;
    Datum       values[4];
    bool        nulls[4] = {false, false, false, false};
    StringInfoData json;

    state_of(PG_GETARG_BYTEA_PP(1), &state);
    for (;;)
    {
        prepay_tariff_state_t work = state; /* the library leaves it unchanged on error anyway */

        if (kind == STEP_INTERVAL)
            status = prepay_tariff_feed_interval(&p->plan, &p->doc.account, &work,
                                                 pgp_time_of(PG_GETARG_TIMESTAMP(2), true, what),
                                                 pgp_time_of(PG_GETARG_TIMESTAMP(3), true, what), PG_GETARG_INT64(4),
                                                 lines, cap, &result);
        else if (kind == STEP_READING)
            status = prepay_tariff_feed_reading(&p->plan, &p->doc.account, &work,
                                                pgp_time_of(PG_GETARG_TIMESTAMP(2), true, what), PG_GETARG_INT64(3),
                                                lines, cap, &result);
        else
            status = prepay_tariff_close_cycle(&p->plan, &p->doc.account, &work, lines, cap, &result);
        if (status == PREPAY_E_BUFFER_TOO_SMALL && lines == small && result.line_count > cap)
        {
            cap = result.line_count;
            if (cap > MaxAllocSize / sizeof(prepay_tariff_line_t))
                pgp_fail(PREPAY_E_CAPACITY, what);
            lines = palloc_array(prepay_tariff_line_t, cap);
            continue;
        }
        if (status >= 0)
            state = work;
        break;
    }
    pgp_check(status, what);
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s must return a composite", what)));
    desc = BlessTupleDesc(desc);
    initStringInfo(&json);
    pgp_lines_json(&json, p, lines, (size_t) status);
    values[0] = PointerGetDatum(state_bytes(&state));
    values[1] = Int64GetDatum(result.due);
    values[2] = pgp_amount_numeric(result.exact);
    values[3] = pgp_jsonb_of(&json);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

PG_FUNCTION_INFO_V1(pgp_tariff_feed);
Datum
pgp_tariff_feed(PG_FUNCTION_ARGS)
{
    return step(fcinfo, STEP_INTERVAL, "prepay_tariff_feed");
}

PG_FUNCTION_INFO_V1(pgp_tariff_feed_reading);
Datum
pgp_tariff_feed_reading(PG_FUNCTION_ARGS)
{
    return step(fcinfo, STEP_READING, "prepay_tariff_feed_reading");
}

PG_FUNCTION_INFO_V1(pgp_tariff_close_cycle);
Datum
pgp_tariff_close_cycle(PG_FUNCTION_ARGS)
{
    return step(fcinfo, STEP_CLOSE, "prepay_tariff_close_cycle");
}

/* The position of a state (end of what it priced) and its cycle energy, for people. */
PG_FUNCTION_INFO_V1(pgp_tariff_state_info);
Datum
pgp_tariff_state_info(PG_FUNCTION_ARGS)
{
    prepay_tariff_state_t state;
    StringInfoData b;
    char        when[PREPAY_TIME_TEXT_MAX] = "";

    state_of(PG_GETARG_BYTEA_PP(0), &state);
    initStringInfo(&b);
    appendStringInfo(&b, "{\"cycle_energy\": " INT64_FORMAT ", \"charged\": " INT64_FORMAT ", \"carry\": ",
                     (int64) state.cycle_energy, (int64) state.charged);
    pgp_amount_text(&b, state.carry);
    appendStringInfoString(&b, ", \"position\": ");
    if (state.flags != 0 && prepay_time_format(state.position, PREPAY_TIME_TEXT_SECOND, when, sizeof when) > 0)
        pgp_json_string(&b, when);
    else
        appendStringInfoString(&b, "null");
    appendStringInfoChar(&b, '}');
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}
