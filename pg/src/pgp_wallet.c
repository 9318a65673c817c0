/* SPDX-License-Identifier: MIT */
/*
 * Wallet decisions in SQL: prepay_wallet_decide() over a policy given as
 * jsonb (read by libprepay's one JSON reader from a field table, so a bad
 * policy gets the same "policy: $.path: what" messages as a tariff file),
 * and the recharge split (emergency credit, then debt, then balance).
 *
 * Policy members (all optional; absent ones keep prepay_wallet_policy_default()):
 *   thresholds [fen...] strictly decreasing, hysteresis, overdraft_limit,
 *   close_allowed_amount, window_debt_cap (absent: no cap), emergency_amount,
 *   emergency_threshold, emergency_auto (bool), pretrip_level,
 *   cutoff ("zero" | "overdraft_limit"), windows [{"start": "22:00", "end": "06:00"}],
 *   holidays ["2025-10-01", ...], no_disconnect_days ["saturday", "sunday"].
 * Money in fen (integers). The state between decisions is an integer:
 * level | flags << 8 (prepay_wallet_state_t), NULL for a fresh wallet.
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "pgp_policy.h"
#include "prepay/status.h"
#include "prepay/wallet.h"

/* Reads and checks a policy; ERROR with the reader's or the library's message. */
static void
policy_of(Datum jsonb, prepay_wallet_policy_t *out)
{
    size_t      len;
    char       *text = pgp_jsonb_text(jsonb, &len);
    char        err[512] = "";
    int         status = pgp_policy_read(text, len, out, err, sizeof err);

    if (status != PREPAY_OK)
        pgp_fail_message(status, err[0] ? err : prepay_strerror(status));
    pgp_check(prepay_wallet_policy_check(out), "wallet policy");
}

static const char *
reason_name(unsigned reason)
{
    static const char *const names[] = {"normal", "forbid_close", "keep_power", "remote_trip", "cutoff", "pretrip",
                                        "no_disconnect"};

    return reason < lengthof(names) ? names[reason] : "?";
}

static const struct
{
    uint32      bit;
    const char *name;
}           event_names[] = {
    {PREPAY_WALLET_EVENT_LEVEL_CHANGED, "level_changed"},
    {PREPAY_WALLET_EVENT_RELAY_OPENED, "relay_opened"},
    {PREPAY_WALLET_EVENT_RELAY_CLOSED, "relay_closed"},
    {PREPAY_WALLET_EVENT_CUTOFF, "cutoff"},
    {PREPAY_WALLET_EVENT_RESTORED, "restored"},
    {PREPAY_WALLET_EVENT_ACKNOWLEDGED, "acknowledged"},
    {PREPAY_WALLET_EVENT_EMERGENCY_ACTIVATED, "emergency_activated"},
    {PREPAY_WALLET_EVENT_EMERGENCY_REPAID, "emergency_repaid"},
    {PREPAY_WALLET_EVENT_DEBT_CAP_REACHED, "debt_cap_reached"},
    {PREPAY_WALLET_EVENT_TRIP_HELD, "trip_held"},
};

static const struct
{
    uint32      bit;
    const char *name;
}           input_names[] = {
    {PREPAY_WALLET_IN_FORBID_CLOSE, "forbid_close"},
    {PREPAY_WALLET_IN_KEEP_POWER, "keep_power"},
    {PREPAY_WALLET_IN_REMOTE_TRIP, "remote_trip"},
    {PREPAY_WALLET_IN_ACKNOWLEDGE, "acknowledge"},
    {PREPAY_WALLET_IN_EMERGENCY_REQUEST, "emergency_request"},
};

static uint32
input_flags(ArrayType *arr)
{
    Datum      *items;
    bool       *nulls;
    int         n;
    uint32      flags = 0;

    if (ARR_NDIM(arr) > 1)
        ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("wallet inputs must be a 1-D text array")));
    deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls, &n);
    for (int i = 0; i < n; i++)
    {
        char       *name;
        bool        found = false;

        if (nulls[i])
            continue;
        name = TextDatumGetCString(items[i]);
        for (size_t k = 0; k < lengthof(input_names); k++)
            if (strcmp(name, input_names[k].name) == 0)
            {
                flags |= input_names[k].bit;
                found = true;
            }
        if (!found)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("unknown wallet input \"%s\"", name),
                            errhint("Inputs: forbid_close, keep_power, remote_trip, acknowledge, emergency_request.")));
    }
    return flags;
}

/*
 * prepay_wallet_decide(policy jsonb, balance bigint, now timestamp,
 *                      state integer, inputs text[], emergency_outstanding bigint)
 *   -> prepay_wallet_decision
 */
PG_FUNCTION_INFO_V1(pgp_wallet_decide);
Datum
pgp_wallet_decide(PG_FUNCTION_ARGS)
{
    prepay_wallet_policy_t policy;
    prepay_wallet_input_t input;
    prepay_wallet_state_t previous;
    prepay_wallet_decision_t d;
    TupleDesc   desc;
    Datum       values[8];
    bool        nulls[8] = {false, false, false, false, false, false, false, false};
    Datum       events[lengthof(event_names)];
    int         nevents = 0;

    if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
        PG_RETURN_NULL();
    policy_of(PG_GETARG_DATUM(0), &policy);
    memset(&input, 0, sizeof input);
    input.balance = PG_GETARG_INT64(1);
    input.now = pgp_time_of(PG_GETARG_TIMESTAMP(2), false, "prepay_wallet_decide");
    if (PG_ARGISNULL(3))
        prepay_wallet_state_init(&previous);
    else
    {
        int32       s = PG_GETARG_INT32(3);

        if (s < 0 || s > 0xFFFF)
            pgp_fail(PREPAY_E_WALLET_BAD_STATE, "prepay_wallet_decide");
        previous.level = (uint8_t) (s & 0xFF);
        previous.flags = (uint8_t) (s >> 8);
    }
    input.flags = PG_ARGISNULL(4) ? 0 : input_flags(PG_GETARG_ARRAYTYPE_P(4));
    input.emergency_outstanding = PG_ARGISNULL(5) ? 0 : PG_GETARG_INT64(5);
    pgp_check(prepay_wallet_decide(&policy, &input, &previous, &d), "prepay_wallet_decide");
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("prepay_wallet_decide must return a row")));
    desc = BlessTupleDesc(desc);
    for (size_t k = 0; k < lengthof(event_names); k++)
        if (d.events & event_names[k].bit)
            events[nevents++] = CStringGetTextDatum(event_names[k].name);
    values[0] = Int32GetDatum(d.level);
    values[1] = Int32GetDatum(d.from_level);
    values[2] = CStringGetTextDatum(d.relay == PREPAY_WALLET_RELAY_OPEN ? "open" : "closed");
    values[3] = CStringGetTextDatum(reason_name(d.reason));
    values[4] = PointerGetDatum(construct_array(events, nevents, TEXTOID, -1, false, TYPALIGN_INT));
    values[5] = Int32GetDatum((int32) d.next.level | (int32) d.next.flags << 8);
    values[6] = Int64GetDatum(d.emergency_grant);
    values[7] = BoolGetDatum(d.no_disconnect);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* prepay_wallet_policy(jsonb) -> jsonb: the policy as the library will use it (defaults filled in, checked). */
PG_FUNCTION_INFO_V1(pgp_wallet_policy);
Datum
pgp_wallet_policy(PG_FUNCTION_ARGS)
{
    prepay_wallet_policy_t p;
    StringInfoData b;

    policy_of(PG_GETARG_DATUM(0), &p);
    initStringInfo(&b);
    appendStringInfoString(&b, "{\"thresholds\": [");
    for (unsigned i = 0; i < p.level_count; i++)
        appendStringInfo(&b, "%s" INT64_FORMAT, i ? ", " : "", (int64) p.thresholds[i]);
    appendStringInfo(&b, "], \"hysteresis\": " INT64_FORMAT ", \"overdraft_limit\": " INT64_FORMAT
                     ", \"close_allowed_amount\": " INT64_FORMAT ", \"window_debt_cap\": ",
                     (int64) p.hysteresis, (int64) p.overdraft_limit, (int64) p.close_allowed_amount);
    if (p.window_debt_cap == INT64_MAX)
        appendStringInfoString(&b, "null");
    else
        appendStringInfo(&b, INT64_FORMAT, (int64) p.window_debt_cap);
    appendStringInfo(&b, ", \"emergency_amount\": " INT64_FORMAT ", \"emergency_threshold\": " INT64_FORMAT
                     ", \"emergency_auto\": %s, \"pretrip_level\": %u, \"cutoff\": \"%s\", \"windows\": %u, "
                     "\"holidays\": %u, \"no_disconnect_days\": [",
                     (int64) p.emergency_amount, (int64) p.emergency_threshold,
                     (p.flags & PREPAY_WALLET_POLICY_EMERGENCY_AUTO) ? "true" : "false", p.pretrip_level,
                     pgp_policy_cutoff_name(p.cutoff), p.window_count, p.holiday_count);
    for (unsigned d = 0, n = 0; d < 7; d++)
        if (p.weekend_mask & (1u << d))
            appendStringInfo(&b, "%s\"%s\"", n++ ? ", " : "", pgp_policy_weekday_name(d));
    appendStringInfoString(&b, "]}");
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

/* prepay_wallet_split_recharge(amount, emergency_owed, debt_owed) -> (to_emergency, to_debt, to_balance) */
PG_FUNCTION_INFO_V1(pgp_wallet_split_recharge);
Datum
pgp_wallet_split_recharge(PG_FUNCTION_ARGS)
{
    prepay_money_t e, d, b;
    TupleDesc   desc;
    Datum       values[3];
    bool        nulls[3] = {false, false, false};

    pgp_check(prepay_wallet_split_recharge(PG_GETARG_INT64(0), PG_GETARG_INT64(1), PG_GETARG_INT64(2), &e, &d, &b),
              "prepay_wallet_split_recharge");
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("must return a row")));
    desc = BlessTupleDesc(desc);
    values[0] = Int64GetDatum(e);
    values[1] = Int64GetDatum(d);
    values[2] = Int64GetDatum(b);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
