/* SPDX-License-Identifier: MIT */
/*
 * The other meter protocols the library speaks, in SQL (version 0.2):
 * CJ/T 188-2004 water, heat and gas meters (cjt188.h) and Modbus RTU with
 * register maps (modbus.h). Same shape as DL/T 645 (pgp_dlt645.c): a frame
 * to jsonb, a reply's value to bigint in the library's units (litres, Wh, fen).
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "prepay/cjt188.h"
#include "prepay/modbus.h"
#include "prepay/status.h"

static void
hex_bytes(StringInfo out, const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < len; i++)
    {
        appendStringInfoChar(out, digits[bytes[i] >> 4]);
        appendStringInfoChar(out, digits[bytes[i] & 15]);
    }
}

/* ---- CJ/T 188 ----------------------------------------------------------------------------- */

static prepay_cjt188_di_order_t
di_order_of(FunctionCallInfo fcinfo, int n)
{
    char       *name = PG_NARGS() > n && !PG_ARGISNULL(n) ? text_to_cstring(PG_GETARG_TEXT_PP(n)) : "auto";

    if (strcmp(name, "auto") == 0)
        return PREPAY_CJT188_DI_AUTO;
    if (strcmp(name, "high") == 0)
        return PREPAY_CJT188_DI_HIGH_FIRST;
    if (strcmp(name, "low") == 0)
        return PREPAY_CJT188_DI_LOW_FIRST;
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown CJ/T 188 DI order \"%s\"", name),
                    errhint("Use auto, high (90 1F, the 2004 tables) or low (1F 90, the 2018 edition).")));
    pg_unreachable();
}

static int
cjt188_frame(FunctionCallInfo fcinfo, prepay_cjt188_frame_t *f, const char *what)
{
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    int         size = prepay_cjt188_decode((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in),
                                            di_order_of(fcinfo, 1), f);

    if (size < 0)
        pgp_fail(size, what);
    return size;
}

/* The current data of a normal 901F reply, decoded; false if the frame is not one. */
static bool
cjt188_current(const prepay_cjt188_frame_t *f, prepay_cjt188_current_t *cur, int *status)
{
    if (!f->is_reply || f->abnormal || !f->has_di || f->di != PREPAY_CJT188_DI_CURRENT ||
        f->length < PREPAY_CJT188_DI_SER_SIZE)
        return false;
    *status = prepay_cjt188_current_decode(f->meter_type, f->data + PREPAY_CJT188_DI_SER_SIZE,
                                           (size_t) f->length - PREPAY_CJT188_DI_SER_SIZE, cur);
    return true;
}

static void
litres_json(StringInfo b, const char *key, const prepay_cjt188_quantity_t *q)
{
    prepay_energy_t litres;

    appendStringInfo(b, ", \"%s\": ", key);
    if (q->present && prepay_cjt188_quantity_litres(q, &litres) == PREPAY_OK)
        appendStringInfo(b, INT64_FORMAT, (int64) litres);
    else
        appendStringInfoString(b, "null");
}

/* prepay_cjt188_decode(frame bytea, di_order text DEFAULT 'auto') -> jsonb */
PG_FUNCTION_INFO_V1(pgp_cjt188_decode);
Datum
pgp_cjt188_decode(PG_FUNCTION_ARGS)
{
    prepay_cjt188_frame_t f;
    int         size = cjt188_frame(fcinfo, &f, "prepay_cjt188_decode");
    char        address[PREPAY_CJT188_ADDRESS_SIZE * 2 + 1];
    StringInfoData b;
    prepay_cjt188_current_t cur;
    int         status;

    if (prepay_cjt188_address_to_string(&f.address, address, sizeof address) < 0)
        strlcpy(address, "?", sizeof address);
    initStringInfo(&b);
    appendStringInfo(&b, "{\"size\": %d, \"preamble\": %u, \"meter_type\": \"%02X\", \"address\": \"%s\", "
                     "\"control\": \"%02X\", \"function\": \"%02X\", \"direction\": \"%s\", \"abnormal\": %s, "
                     "\"length\": %u, \"data\": \"",
                     size, f.preamble, f.meter_type, address, f.control, f.function, f.is_reply ? "reply" : "request",
                     f.abnormal ? "true" : "false", f.length);
    hex_bytes(&b, f.data, f.length);
    appendStringInfoString(&b, "\", \"di\": ");
    if (f.has_di)
        appendStringInfo(&b, "\"%04X\", \"di_order\": \"%s\"", f.di,
                         f.di_order == PREPAY_CJT188_DI_LOW_FIRST ? "low" : "high");
    else
        appendStringInfoString(&b, "null");
    if (f.has_ser)
        appendStringInfo(&b, ", \"ser\": %u", f.ser);
    if (f.has_status)
        appendStringInfo(&b, ", \"status\": %u", f.status);
    if (cjt188_current(&f, &cur, &status))
    {
        appendStringInfoString(&b, ", \"current\": ");
        if (status == PREPAY_OK)
        {
            char        when[PREPAY_TIME_TEXT_MAX];

            appendStringInfo(&b, "{\"family\": \"%s\"",
                             cur.family == PREPAY_CJT188_FAMILY_HEAT ? "heat" : cur.family == 0 ? "water" : "other");
            litres_json(&b, "reading_litres", &cur.reading);
            if (cur.family != PREPAY_CJT188_FAMILY_HEAT)
                litres_json(&b, "settlement_litres", &cur.settlement);
            appendStringInfo(&b, ", \"st\": %u, \"valve\": %u, \"battery_low\": %s, \"clock\": ", cur.status,
                             (unsigned) prepay_cjt188_status_valve(cur.status),
                             prepay_cjt188_status_battery_low(cur.status) ? "true" : "false");
            if (cur.clock_state == PREPAY_CJT188_CLOCK_VALID &&
                prepay_time_format(cur.clock, PREPAY_TIME_TEXT_SECOND, when, sizeof when) > 0)
                pgp_json_string(&b, when);
            else
                appendStringInfoString(&b, "null");
            appendStringInfoChar(&b, '}');
        }
        else
        {
            appendStringInfoString(&b, "null, \"current_status\": ");
            pgp_json_string(&b, pgp_status_name(status));
        }
    }
    appendStringInfoChar(&b, '}');
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

/* prepay_cjt188_value(frame bytea, di_order text DEFAULT 'auto') -> bigint: a 901F reply's cumulative volume in litres */
PG_FUNCTION_INFO_V1(pgp_cjt188_value);
Datum
pgp_cjt188_value(PG_FUNCTION_ARGS)
{
    prepay_cjt188_frame_t f;
    prepay_cjt188_current_t cur;
    prepay_energy_t litres;
    int         status;

    (void) cjt188_frame(fcinfo, &f, "prepay_cjt188_value");
    if (!cjt188_current(&f, &cur, &status))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_cjt188_value: not a normal reply to a 901F (current data) read")));
    pgp_check(status, "prepay_cjt188_value");
    if (!cur.reading.present)
        PG_RETURN_NULL();
    pgp_check(prepay_cjt188_quantity_litres(&cur.reading, &litres), "prepay_cjt188_value");
    PG_RETURN_INT64(litres);
}

/* ---- Modbus RTU ---------------------------------------------------------------------------------- */

static prepay_modbus_direction_t
direction_of(const char *name)
{
    if (strcmp(name, "any") == 0)
        return PREPAY_MODBUS_ANY;
    if (strcmp(name, "request") == 0)
        return PREPAY_MODBUS_REQUEST;
    if (strcmp(name, "response") == 0)
        return PREPAY_MODBUS_RESPONSE;
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown Modbus direction \"%s\"", name),
                    errhint("Use any, request or response.")));
    pg_unreachable();
}

/* prepay_modbus_decode(adu bytea, direction text DEFAULT 'any') -> jsonb */
PG_FUNCTION_INFO_V1(pgp_modbus_decode);
Datum
pgp_modbus_decode(PG_FUNCTION_ARGS)
{
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    prepay_modbus_direction_t dir = direction_of(text_to_cstring(PG_GETARG_TEXT_PP(1)));
    prepay_modbus_adu_t adu;
    StringInfoData b;

    pgp_check(prepay_modbus_decode((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), dir, &adu),
              "prepay_modbus_decode");
    initStringInfo(&b);
    appendStringInfo(&b, "{\"unit\": %u, \"function\": %u, \"exception\": ", adu.unit, adu.function & 0x7Fu);
    if (adu.is_exception)
        appendStringInfo(&b, "%u", adu.exception);
    else
        appendStringInfoString(&b, "null");
    appendStringInfo(&b, ", \"length\": %u, \"data\": \"", adu.length);
    hex_bytes(&b, adu.data, adu.length);
    appendStringInfoChar(&b, '"');
    /* a read response of registers: byte count, then big-endian words */
    if (dir == PREPAY_MODBUS_RESPONSE && !adu.is_exception && (adu.function == 3 || adu.function == 4) &&
        adu.length >= 1 && adu.data[0] == adu.length - 1 && adu.data[0] % 2 == 0)
    {
        appendStringInfoString(&b, ", \"registers\": [");
        for (unsigned i = 0; i < adu.data[0] / 2u; i++)
            appendStringInfo(&b, "%s%u", i ? ", " : "", (unsigned) (adu.data[1 + 2 * i] << 8 | adu.data[2 + 2 * i]));
        appendStringInfoChar(&b, ']');
    }
    appendStringInfoChar(&b, '}');
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

/*
 * prepay_modbus_values(map text, start integer, response bytea)
 *   -> SETOF (name text, address integer, unit text, value bigint, status text)
 * Every register of a shipped map ("ddsy1352", "xintai-water") that a read
 * response starting at register `start` covers, in the map's units.
 */
PG_FUNCTION_INFO_V1(pgp_modbus_values);
Datum
pgp_modbus_values(PG_FUNCTION_ARGS)
{
    ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
    char       *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
    int32       start = PG_GETARG_INT32(1);
    bytea      *in = PG_GETARG_BYTEA_PP(2);
    const prepay_modbus_map_t *map = prepay_modbus_map_by_name(name);
    prepay_modbus_adu_t adu;
    uint16_t    words[PREPAY_MODBUS_DATA_MAX / 2];
    size_t      nwords;
    prepay_modbus_value_t *values;
    int         n;

    if (map == NULL)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("no Modbus register map named \"%s\"", name),
                        errhint("Maps: ddsy1352, xintai-water.")));
    if (start < 0 || start > 0xFFFF)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("register address %d is not 0..65535", start)));
    pgp_check(prepay_modbus_decode((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), PREPAY_MODBUS_RESPONSE, &adu),
              "prepay_modbus_values");
    if (adu.is_exception)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_modbus_values: the response is exception %u", adu.exception)));
    if ((adu.function != 3 && adu.function != 4) || adu.length < 1 || adu.data[0] != adu.length - 1 ||
        adu.data[0] % 2 != 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_modbus_values: not a response to a register read (function 03 or 04)")));
    nwords = adu.data[0] / 2u;
    for (size_t i = 0; i < nwords; i++)
        words[i] = (uint16_t) (adu.data[1 + 2 * i] << 8 | adu.data[2 + 2 * i]);
    values = palloc_array(prepay_modbus_value_t, Max(map->count, 1));
    n = pgp_check(prepay_modbus_map_decode(map, adu.function, (uint16_t) start, words, nwords, values, map->count),
                  "prepay_modbus_values");
    InitMaterializedSRF(fcinfo, 0);
    for (int i = 0; i < n; i++)
    {
        Datum       v[5];
        bool        nulls[5] = {false, false, false, false, false};

        v[0] = CStringGetTextDatum(values[i].reg->name);
        v[1] = Int32GetDatum(values[i].reg->address);
        v[2] = CStringGetTextDatum(prepay_modbus_unit_symbol(values[i].reg->unit));
        v[3] = Int64GetDatum(values[i].value);
        nulls[3] = values[i].status != PREPAY_OK;
        v[4] = CStringGetTextDatum(values[i].status == PREPAY_OK ? "ok" : pgp_status_name(values[i].status));
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
    }
    return (Datum) 0;
}

/* prepay_modbus_crc(bytes bytea) -> bytea: the CRC-16/MODBUS of the bytes as sent (low byte first), to build frames */
PG_FUNCTION_INFO_V1(pgp_modbus_crc);
Datum
pgp_modbus_crc(PG_FUNCTION_ARGS)
{
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    uint16_t    crc = prepay_modbus_crc16((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in));
    bytea      *out = palloc(VARHDRSZ + 2);

    SET_VARSIZE(out, VARHDRSZ + 2);
    ((uint8_t *) VARDATA(out))[0] = (uint8_t) (crc & 0xFF);
    ((uint8_t *) VARDATA(out))[1] = (uint8_t) (crc >> 8);
    PG_RETURN_BYTEA_P(out);
}
