/* SPDX-License-Identifier: MIT */
/*
 * DL/T 645 in SQL: a frame to jsonb, a reply's value to bigint (library
 * units: Wh, fen, 1e-8 yuan/kWh, ...), many frames to rows, DI names.
 *
 * Other meter protocols (CJ/T 188 water meters, Modbus maps) get their own
 * file pgp_<codec>.c with the same shape when the library has them:
 * prepay_<codec>_decode(bytea) -> jsonb and prepay_<codec>_value(...) ->
 * bigint (see docs/postgresql.md, "Other meter protocols").
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"

#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/dlt645_reading.h"
#include "prepay/status.h"

static void
hex(StringInfo out, const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";

    for (size_t i = 0; i < len; i++)
    {
        appendStringInfoChar(out, digits[bytes[i] >> 4]);
        appendStringInfoChar(out, digits[bytes[i] & 15]);
    }
}

static void
di_text(char *out, size_t cap, uint32_t di, bool is_1997)
{
    snprintf(out, cap, is_1997 ? "%04X" : "%08X", di);
}

/* A DI from text: 8 hex digits (2007, "00010000") or 4 (1997, "9010"). */
static uint32_t
di_of_text(text *t, bool *is_1997)
{
    char       *s = text_to_cstring(t);
    size_t      len = strlen(s);
    uint32_t    di = 0;

    if (len != 8 && len != 4)
        goto bad;
    for (size_t i = 0; i < len; i++)
    {
        char        c = s[i];
        unsigned    v;

        if (c >= '0' && c <= '9')
            v = (unsigned) (c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (unsigned) (c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = (unsigned) (c - 'A' + 10);
        else
            goto bad;
        di = di << 4 | v;
    }
    *is_1997 = len == 4;
    return di;
bad:
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
             errmsg("\"%s\" is not a DL/T 645 data identifier", s),
             errhint("Write DI3 DI2 DI1 DI0 as 8 hex digits (00010000), or a 1997 DI as 4 (9010).")));
    pg_unreachable();
}

static const char *
kind_name(unsigned kind)
{
    static const char *const names[] = {"number", "time", "digits", "table", "text", "bytes", "demand", "absent"};

    return kind < lengthof(names) ? names[kind] : "?";
}

/* {"kind":..., "text":..., "unit":..., "quantity":..., ...} of a decoded value. */
static void
value_json(StringInfo b, const prepay_dlt645_value_t *v)
{
    char        text[PREPAY_DLT645_VALUE_TEXT_MAX];

    appendStringInfo(b, "{\"kind\": \"%s\", \"text\": ", kind_name(v->kind));
    if (prepay_dlt645_value_format(v, text, sizeof text) >= 0)
        pgp_json_string(b, text);
    else
        appendStringInfoString(b, "null");
    appendStringInfoString(b, ", \"unit\": ");
    pgp_json_string(b, prepay_dlt645_unit_symbol(v->unit));
    if (v->kind == PREPAY_DLT645_KIND_NUMBER || v->kind == PREPAY_DLT645_KIND_DEMAND)
        appendStringInfo(b, ", \"number\": " INT64_FORMAT ", \"decimals\": %u, \"quantity\": " INT64_FORMAT,
                         (int64) v->number, v->decimals, (int64) v->quantity);
    if (v->kind == PREPAY_DLT645_KIND_DIGITS)
        appendStringInfo(b, ", \"number\": " INT64_FORMAT, (int64) v->number);
    if (v->kind == PREPAY_DLT645_KIND_TIME || v->kind == PREPAY_DLT645_KIND_DEMAND)
    {
        char        when[PREPAY_TIME_TEXT_MAX];

        if (v->format == PREPAY_DLT645_FORMAT_TIME_OF_DAY)
            appendStringInfo(b, ", \"seconds\": " INT64_FORMAT, (int64) v->time);
        else if (prepay_time_format(v->time, PREPAY_TIME_TEXT_SECOND, when, sizeof when) > 0)
        {
            appendStringInfoString(b, ", \"time\": ");
            pgp_json_string(b, when);
        }
    }
    appendStringInfoChar(b, '}');
}

/* The value bytes of a normal read reply: after the DI, without the SEQ of a follow-up reply. */
static bool
reply_value(const prepay_dlt645_frame_t *f, const uint8_t **value, size_t *len)
{
    bool        follow_up_reply = f->edition == PREPAY_DLT645_EDITION_2007 ? f->function == 0x12 : f->function == 0x02;
    size_t      seq = follow_up_reply ? 1 : 0;

    if (!f->is_reply || f->abnormal || f->di_size == 0 || f->length < f->di_size + seq)
        return false;
    *value = f->data + f->di_size;
    *len = (size_t) f->length - f->di_size - seq;
    return true;
}

PG_FUNCTION_INFO_V1(pgp_dlt645_decode);
Datum
pgp_dlt645_decode(PG_FUNCTION_ARGS)
{
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    prepay_dlt645_frame_t f;
    int         size = prepay_dlt645_decode((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &f);
    StringInfoData b;
    char        address[13];
    const uint8_t *value;
    size_t      value_len;

    if (size < 0)
        pgp_fail(size, "prepay_dlt645_decode");
    if (prepay_dlt645_address_to_string(&f.address, address, sizeof address) < 0)
        strlcpy(address, "?", sizeof address);
    initStringInfo(&b);
    appendStringInfo(&b, "{\"size\": %d, \"preamble\": %u, \"edition\": %u, \"address\": \"%s\", "
                     "\"control\": \"%02X\", \"function\": \"%02X\", \"direction\": \"%s\", \"abnormal\": %s, "
                     "\"follow_up\": %s, \"length\": %u, \"data\": \"",
                     size, f.preamble, f.edition, address, f.control, f.function, f.is_reply ? "reply" : "request",
                     f.abnormal ? "true" : "false", f.follow_up ? "true" : "false", f.length);
    hex(&b, f.data, f.length);
    appendStringInfoString(&b, "\", \"di\": ");
    if (f.di_size)
    {
        char        di[9];

        di_text(di, sizeof di, f.di, f.di_size == 2);
        appendStringInfo(&b, "\"%s\"", di);
    }
    else
        appendStringInfoString(&b, "null");
    if (f.has_error)
        appendStringInfo(&b, ", \"error\": %u", f.error);
    else
        appendStringInfoString(&b, ", \"error\": null");
    if (reply_value(&f, &value, &value_len) && f.di_size == 4)
    {
        prepay_dlt645_value_t v;
        char        name[PREPAY_DLT645_NAME_MAX];
        int         status;

        appendStringInfoString(&b, ", \"name\": ");
        if (prepay_dlt645_item_name(f.di, name, sizeof name) >= 0)
            pgp_json_string(&b, name);
        else
            appendStringInfoString(&b, "null");
        if (prepay_dlt645_di_is_block(f.di))
        {
            prepay_dlt645_value_t *items = palloc_array(prepay_dlt645_value_t, 64);

            status = prepay_dlt645_block_decode(f.di, value, value_len, items, 64);
            appendStringInfoString(&b, ", \"items\": ");
            if (status >= 0)
            {
                appendStringInfoChar(&b, '[');
                for (int i = 0; i < status; i++)
                {
                    if (i)
                        appendStringInfoString(&b, ", ");
                    value_json(&b, &items[i]);
                }
                appendStringInfoChar(&b, ']');
            }
            else
                appendStringInfoString(&b, "null");
        }
        else
        {
            status = prepay_dlt645_value_decode(f.di, value, value_len, &v);
            appendStringInfoString(&b, ", \"value\": ");
            if (status == PREPAY_OK)
                value_json(&b, &v);
            else
                appendStringInfoString(&b, "null");
        }
        appendStringInfoString(&b, ", \"value_status\": ");
        if (status < 0)
            pgp_json_string(&b, pgp_status_name(status));
        else
            appendStringInfoString(&b, "null");
    }
    else if (f.di_size == 2 && reply_value(&f, &value, &value_len))
    {
        prepay_dlt645_reading_t r;

        appendStringInfoString(&b, ", \"value\": ");
        if (prepay_dlt645_decode_reading((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &r) > 0 &&
            r.status == PREPAY_OK && (r.kind == PREPAY_DLT645_KIND_NUMBER || r.kind == PREPAY_DLT645_KIND_DEMAND))
            appendStringInfo(&b, "{\"kind\": \"%s\", \"unit\": \"%s\", \"number\": " INT64_FORMAT
                             ", \"decimals\": %u, \"quantity\": " INT64_FORMAT "}",
                             kind_name(r.kind), prepay_dlt645_unit_symbol(r.unit), (int64) r.number, r.decimals,
                             (int64) r.quantity);
        else
            appendStringInfoString(&b, "null");
    }
    appendStringInfoChar(&b, '}');
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

/* A reading's number as bigint: quantity for numbers and demand, the digits for digit strings. */
static Datum
reading_number(FunctionCallInfo fcinfo, const prepay_dlt645_reading_t *r, const char *what)
{
    if (r->status == PREPAY_E_DLT645_ABSENT)
        PG_RETURN_NULL(); /* the meter does not have the item */
    pgp_check(r->status, what);
    switch (r->kind)
    {
        case PREPAY_DLT645_KIND_NUMBER:
        case PREPAY_DLT645_KIND_DEMAND:
            PG_RETURN_INT64(r->quantity);
        case PREPAY_DLT645_KIND_DIGITS:
            PG_RETURN_INT64(r->number);
        default:
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                            errmsg("%s: the item is a %s, not a number", what, kind_name(r->kind)),
                            errhint("Use prepay_dlt645_decode() for times, tables and text.")));
    }
    pg_unreachable();
}

/* prepay_dlt645_value(frame bytea) -> bigint: the value of a read reply in library units. */
PG_FUNCTION_INFO_V1(pgp_dlt645_value_frame);
Datum
pgp_dlt645_value_frame(PG_FUNCTION_ARGS)
{
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    prepay_dlt645_reading_t r;
    int         size = prepay_dlt645_decode_reading((const uint8_t *) VARDATA_ANY(in), VARSIZE_ANY_EXHDR(in), &r);

    if (size < 0)
        pgp_fail(size, "prepay_dlt645_value");
    return reading_number(fcinfo, &r, "prepay_dlt645_value");
}

/* prepay_dlt645_value(di text, data bytea) -> bigint: one item's data field (0x33 removed, DI removed). */
PG_FUNCTION_INFO_V1(pgp_dlt645_value_data);
Datum
pgp_dlt645_value_data(PG_FUNCTION_ARGS)
{
    bool        is_1997;
    uint32_t    di = di_of_text(PG_GETARG_TEXT_PP(0), &is_1997);
    bytea      *data = PG_GETARG_BYTEA_PP(1);
    prepay_dlt645_value_t v;
    int         status;

    if (is_1997)
    {
        prepay_dlt645_item_t item;
        prepay_dlt645_field_t field;

        pgp_check(prepay_dlt645_catalogue_find_1997((uint16_t) di, &item), "prepay_dlt645_value");
        field.name = item.name;
        field.format = item.format;
        field.length = item.length;
        field.decimals = item.decimals;
        field.unit = item.unit;
        if (VARSIZE_ANY_EXHDR(data) != item.length)
            pgp_fail(PREPAY_E_DLT645_VALUE_LENGTH, "prepay_dlt645_value");
        status = prepay_dlt645_field_decode(&field, di, (const uint8_t *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data),
                                            &v);
    }
    else
        status = prepay_dlt645_value_decode(di, (const uint8_t *) VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data), &v);
    if (status == PREPAY_E_DLT645_ABSENT)
        PG_RETURN_NULL();
    pgp_check(status, "prepay_dlt645_value");
    if (v.kind == PREPAY_DLT645_KIND_NUMBER || v.kind == PREPAY_DLT645_KIND_DEMAND)
        PG_RETURN_INT64(v.quantity);
    if (v.kind == PREPAY_DLT645_KIND_DIGITS)
        PG_RETURN_INT64(v.number);
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("prepay_dlt645_value: the item is a %s, not a number", kind_name(v.kind)),
                    errhint("Use prepay_dlt645_decode_value() for times, tables and text.")));
    pg_unreachable();
}

/* prepay_dlt645_decode_value(di text, data bytea) -> jsonb: any item (2007 catalogue), blocks as "items". */
PG_FUNCTION_INFO_V1(pgp_dlt645_decode_value);
Datum
pgp_dlt645_decode_value(PG_FUNCTION_ARGS)
{
    bool        is_1997;
    uint32_t    di = di_of_text(PG_GETARG_TEXT_PP(0), &is_1997);
    bytea      *data = PG_GETARG_BYTEA_PP(1);
    const uint8_t *bytes = (const uint8_t *) VARDATA_ANY(data);
    size_t      len = VARSIZE_ANY_EXHDR(data);
    StringInfoData b;
    int         status;

    initStringInfo(&b);
    if (is_1997 || prepay_dlt645_di_is_block(di) ||
        (prepay_dlt645_value_decode(di, bytes, len, &(prepay_dlt645_value_t){0}) == PREPAY_E_DLT645_BLOCK_DI))
    {
        prepay_dlt645_value_t *items = palloc_array(prepay_dlt645_value_t, 64);

        status = is_1997 ? prepay_dlt645_block_decode_1997((uint16_t) di, bytes, len, items, 64)
                         : prepay_dlt645_block_decode(di, bytes, len, items, 64);
        pgp_check(status, "prepay_dlt645_decode_value");
        appendStringInfoString(&b, "{\"items\": [");
        for (int i = 0; i < status; i++)
        {
            if (i)
                appendStringInfoString(&b, ", ");
            value_json(&b, &items[i]);
        }
        appendStringInfoString(&b, "]}");
    }
    else
    {
        prepay_dlt645_value_t v;

        pgp_check(prepay_dlt645_value_decode(di, bytes, len, &v), "prepay_dlt645_decode_value");
        value_json(&b, &v);
    }
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

PG_FUNCTION_INFO_V1(pgp_dlt645_item_name);
Datum
pgp_dlt645_item_name(PG_FUNCTION_ARGS)
{
    bool        is_1997;
    uint32_t    di = di_of_text(PG_GETARG_TEXT_PP(0), &is_1997);
    char        name[PREPAY_DLT645_NAME_MAX];

    if (is_1997)
    {
        prepay_dlt645_item_t item;

        pgp_check(prepay_dlt645_catalogue_find_1997((uint16_t) di, &item), "prepay_dlt645_item_name");
        PG_RETURN_TEXT_P(cstring_to_text(item.name));
    }
    pgp_check(prepay_dlt645_item_name(di, name, sizeof name), "prepay_dlt645_item_name");
    PG_RETURN_TEXT_P(cstring_to_text(name));
}

/*
 * prepay_dlt645_readings(frames bytea) -> SETOF record: frames laid back to
 * back (each with any FE preamble), one row per frame, through a reader (its
 * catalogue cache) in batches. A byte run that is not a frame is an ERROR
 * naming its offset.
 */
PG_FUNCTION_INFO_V1(pgp_dlt645_readings);
Datum
pgp_dlt645_readings(PG_FUNCTION_ARGS)
{
    ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    const uint8_t *bytes = (const uint8_t *) VARDATA_ANY(in);
    size_t      len = VARSIZE_ANY_EXHDR(in);
    size_t      offset = 0;
    prepay_dlt645_reader_t reader;
    prepay_dlt645_reading_t batch[256];

    InitMaterializedSRF(fcinfo, 0);
    pgp_check(prepay_dlt645_reader_init(&reader), "prepay_dlt645_readings");
    while (offset < len)
    {
        prepay_dlt645_batch_t result;
        int         n = prepay_dlt645_reader_decode_batch(&reader, bytes + offset, len - offset, batch, lengthof(batch),
                                                          &result);
        size_t      at = offset;

        pgp_check(n, "prepay_dlt645_readings");
        for (int i = 0; i < n; i++)
        {
            const prepay_dlt645_reading_t *r = &batch[i];
            Datum       values[11];
            bool        nulls[11];
            char        address[13];
            char        di[9];
            bool        number = r->status == PREPAY_OK &&
                (r->kind == PREPAY_DLT645_KIND_NUMBER || r->kind == PREPAY_DLT645_KIND_DEMAND);

            memset(nulls, 0, sizeof nulls);
            if (prepay_dlt645_address_to_string(&r->address, address, sizeof address) < 0)
                strlcpy(address, "?", sizeof address);
            di_text(di, sizeof di, r->di, (r->flags & PREPAY_DLT645_READING_1997) != 0);
            values[0] = Int64GetDatum((int64) at);
            values[1] = Int32GetDatum(r->size);
            values[2] = CStringGetTextDatum(address);
            values[3] = CStringGetTextDatum(di);
            values[4] = CStringGetTextDatum(r->status == PREPAY_OK ? "ok" : pgp_status_name(r->status));
            values[5] = CStringGetTextDatum(kind_name(r->kind));
            values[6] = CStringGetTextDatum(prepay_dlt645_unit_symbol(r->unit));
            values[7] = Int64GetDatum(r->kind == PREPAY_DLT645_KIND_DIGITS ? r->number : r->quantity);
            nulls[7] = !(number || (r->status == PREPAY_OK && r->kind == PREPAY_DLT645_KIND_DIGITS));
            values[8] = Int64GetDatum(r->number);
            nulls[8] = !number;
            values[9] = Int32GetDatum(r->decimals);
            nulls[9] = !number;
            nulls[10] = !(r->status == PREPAY_OK &&
                          (r->kind == PREPAY_DLT645_KIND_TIME ||
                           (r->kind == PREPAY_DLT645_KIND_DEMAND && !(r->flags & PREPAY_DLT645_READING_NO_TIME))));
            if (!nulls[10] && r->kind == PREPAY_DLT645_KIND_TIME)
            {
                /* a time of day (hhmmss) is seconds since midnight: its number, not an instant */
                prepay_dlt645_item_t item;
                bool        found = (r->flags & PREPAY_DLT645_READING_1997)
                    ? prepay_dlt645_catalogue_find_1997((uint16_t) r->di, &item) == PREPAY_OK
                    : prepay_dlt645_catalogue_find(r->di, &item) == PREPAY_OK;

                if (found && item.format == PREPAY_DLT645_FORMAT_TIME_OF_DAY)
                {
                    nulls[10] = true;
                    values[7] = Int64GetDatum(r->time);
                    nulls[7] = false;
                }
            }
            if (!nulls[10])
                values[10] = TimestampGetDatum(pgp_timestamp_of(r->time));
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
            at += r->size;
        }
        offset += result.used;
        if (result.stop != PREPAY_OK)
            ereport(ERROR,
                    (errcode(pgp_sqlstate(result.stop)),
                     errmsg("prepay_dlt645_readings: no valid frame at byte %zu: %s", offset,
                            prepay_strerror(result.stop))));
        if (n == 0)
            break;
    }
    return (Datum) 0;
}
