/* SPDX-License-Identifier: MIT */
/*
 * pg_prepay: module entry, errors (libprepay status -> SQLSTATE), time and
 * number conversions, JSON output helpers.
 */
#include "pgp.h"

#include "common/int.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "prepay/dlt645.h"
#include "prepay/ledger.h"
#include "prepay/status.h"
#include "prepay/version.h"

PG_MODULE_MAGIC;

/* ---- errors ------------------------------------------------------------------------------- */

static int
ledger_sqlstate(int number)
{
    if (number >= 20 && number <= 26)
        return ERRCODE_UNIQUE_VIOLATION;        /* the id exists with other fields */
    if (number == 30 || number == 40 || number == 41 || number == 66)
        return ERRCODE_FOREIGN_KEY_VIOLATION;   /* names a transfer or account that does not exist */
    if (number == 44)
        return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
    if (number == 65)
        return ERRCODE_UNIQUE_VIOLATION;
    if (number == 70)
        return ERRCODE_DATA_CORRUPTED;
    if ((number >= 31 && number <= 37) || (number >= 42 && number <= 51))
        return ERRCODE_CHECK_VIOLATION;         /* a rule of the books refuses it */
    return ERRCODE_INVALID_PARAMETER_VALUE;
}

int
pgp_sqlstate(int status)
{
    int         module = PREPAY_STATUS_MODULE(status);
    int         number = (-status) & 0xFF;

    switch (module)
    {
        case PREPAY_MODULE_COMMON:
            switch (status)
            {
                case PREPAY_E_OVERFLOW:
                case PREPAY_E_OUT_OF_RANGE:
                    return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
                case PREPAY_E_DIVIDE_BY_ZERO:
                    return ERRCODE_DIVISION_BY_ZERO;
                case PREPAY_E_BAD_BCD:
                    return ERRCODE_INVALID_BINARY_REPRESENTATION;
                case PREPAY_E_BAD_DATE:
                case PREPAY_E_BAD_TIME:
                case PREPAY_E_BAD_WEEKDAY:
                    return ERRCODE_DATETIME_FIELD_OVERFLOW;
                case PREPAY_E_CAPACITY:
                    return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
                case PREPAY_E_BUFFER_TOO_SMALL:
                    return ERRCODE_INTERNAL_ERROR;
                default:
                    return ERRCODE_INVALID_PARAMETER_VALUE;
            }
        case PREPAY_MODULE_DLT645:
            /* frame and data-field errors: the bytes are not a valid encoding */
            return number == 100 ? ERRCODE_INVALID_PARAMETER_VALUE : ERRCODE_INVALID_BINARY_REPRESENTATION;
        case PREPAY_MODULE_LEDGER:
            return ledger_sqlstate(number);
        case 12:                /* PREPAY_MODULE_CJT188 */
        case 13:                /* PREPAY_MODULE_MODBUS */
            /* frames and values of the meter protocols: the bytes are not a valid encoding */
            return ERRCODE_INVALID_BINARY_REPRESENTATION;
        case PREPAY_MODULE_HOSTED:
            switch (status)
            {
                case PREPAY_E_HOSTED_JSON_SYNTAX:
                    return ERRCODE_INVALID_JSON_TEXT;
                case PREPAY_E_HOSTED_UNSUPPORTED:
                    return ERRCODE_FEATURE_NOT_SUPPORTED;
                case PREPAY_E_HOSTED_NO_MEMORY:
                    return ERRCODE_OUT_OF_MEMORY;
                case PREPAY_E_HOSTED_IO:
                    return ERRCODE_IO_ERROR;
                default:
                    return ERRCODE_INVALID_PARAMETER_VALUE;
            }
        default:
            return ERRCODE_INVALID_PARAMETER_VALUE;
    }
}

void
pgp_fail(int status, const char *what)
{
    ereport(ERROR,
            (errcode(pgp_sqlstate(status)),
             errmsg("%s: %s", what, prepay_strerror(status)),
             errdetail("libprepay status %d (module %d)", status, PREPAY_STATUS_MODULE(status))));
    pg_unreachable();
}

void
pgp_fail_message(int status, const char *message)
{
    ereport(ERROR,
            (errcode(pgp_sqlstate(status)),
             errmsg("%s", message),
             errdetail("libprepay status %d: %s", status, prepay_strerror(status))));
    pg_unreachable();
}

char *
pgp_status_name(int status)
{
    const char *name = prepay_status_name(status);

    return pstrdup(name ? name : "unknown_status");
}

/* ---- time ----------------------------------------------------------------------------------- */

prepay_time_t
pgp_time_of(Timestamp ts, bool exact, const char *what)
{
    if (TIMESTAMP_NOT_FINITE(ts))
        ereport(ERROR,
                (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                 errmsg("%s: an infinite timestamp has no place in a meter's time", what)));
    if (exact && ts % USECS_PER_SEC != 0)
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                 errmsg("%s: %s has a fraction of a second", what,
                        DatumGetCString(DirectFunctionCall1(timestamp_out, TimestampGetDatum(ts)))),
                 errhint("libprepay prices whole seconds; use date_trunc('second', ...).")));
    /* floor division: PostgreSQL's epoch is 2000-01-01 00:00, libprepay's too */
    return ts >= 0 ? ts / USECS_PER_SEC : -((-ts + USECS_PER_SEC - 1) / USECS_PER_SEC);
}

Timestamp
pgp_timestamp_of(prepay_time_t t)
{
    Timestamp   ts;

    if (pg_mul_s64_overflow(t, USECS_PER_SEC, &ts) || !IS_VALID_TIMESTAMP(ts))
        ereport(ERROR,
                (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                 errmsg("time %lld s from 2000-01-01 is outside the timestamp range", (long long) t)));
    return ts;
}

prepay_days_t
pgp_days_of_date(int32 date, const char *what)
{
    if (DATE_NOT_FINITE(date))
        ereport(ERROR,
                (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                 errmsg("%s: an infinite date is not a calendar day", what)));
    return (prepay_days_t) date;
}

/* ---- numbers -------------------------------------------------------------------------------- */

void
pgp_amount_text(StringInfo out, prepay_amount_t amount)
{
    /* units + nanos / 1e9 with 0 <= nanos < 1e9 (also for negative amounts) */
    bool        negative = amount.units < 0;
    uint64      whole;
    uint32      frac;

    if (negative)
    {
        /* -(|units| - nanos/1e9): whole = -units - 1 (if nanos) , frac = 1e9 - nanos */
        whole = (uint64) (-(amount.units + 1));
        frac = amount.nanos == 0 ? 0 : PREPAY_AMOUNT_NANOS - amount.nanos;
        if (amount.nanos == 0)
            whole += 1;
        appendStringInfoChar(out, '-');
    }
    else
    {
        whole = (uint64) amount.units;
        frac = amount.nanos;
    }
    appendStringInfo(out, UINT64_FORMAT, whole);
    if (frac != 0)
    {
        char        digits[10];
        int         n = 9;

        snprintf(digits, sizeof digits, "%09u", frac);
        while (n > 0 && digits[n - 1] == '0')
            n--;
        digits[n] = '\0';
        appendStringInfo(out, ".%s", digits);
    }
}

Datum
pgp_amount_numeric(prepay_amount_t amount)
{
    StringInfoData buf;

    initStringInfo(&buf);
    pgp_amount_text(&buf, amount);
    return DirectFunctionCall3(numeric_in, CStringGetDatum(buf.data), ObjectIdGetDatum(InvalidOid),
                               Int32GetDatum(-1));
}

prepay_amount_t
pgp_amount_of_numeric(Datum numeric, const char *what)
{
    char       *text = DatumGetCString(DirectFunctionCall1(numeric_out, numeric));
    const char *p = text;
    bool        negative = false;
    const char *dot;
    int64       whole = 0;
    uint32      nanos = 0;
    int         status = PREPAY_OK;
    prepay_amount_t result;

    if (*p == '-')
    {
        negative = true;
        p++;
    }
    dot = strchr(p, '.');
    status = prepay_fixed_parse(p, dot ? (size_t) (dot - p) : strlen(p), 0, &whole);
    if (status == PREPAY_OK && dot)
    {
        size_t      digits = strlen(dot + 1);
        int64       frac = 0;

        /* numeric_out writes the declared scale: trailing zeros beyond 9 are fine */
        while (digits > 9 && dot[digits] == '0')
            digits--;
        if (digits > 9)
            ereport(ERROR,
                    (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                     errmsg("%s: %s has more than 9 decimals of a minor unit", what, text)));
        status = prepay_fixed_parse(dot + 1, digits, 0, &frac);
        for (size_t i = digits; i < 9; i++)
            frac *= 10;
        nanos = (uint32) frac;
    }
    if (status != PREPAY_OK)
        pgp_fail(status == PREPAY_E_INVALID_ARGUMENT ? PREPAY_E_OVERFLOW : status, what);
    result.units = whole;
    result.nanos = nanos;
    if (negative)
    {
        prepay_amount_t zero = {0, 0};

        pgp_check(prepay_amount_sub(zero, result, &result), what);
    }
    return result;
}

const char *
pgp_rounding_name(prepay_rounding_t mode)
{
    switch (mode)
    {
        case PREPAY_ROUND_HALF_UP:
            return "half_up";
        case PREPAY_ROUND_HALF_EVEN:
            return "half_even";
        case PREPAY_ROUND_DOWN:
            return "down";
        case PREPAY_ROUND_UP:
            return "up";
        case PREPAY_ROUND_FLOOR:
            return "floor";
        case PREPAY_ROUND_CEILING:
            return "ceiling";
    }
    return "?";
}

prepay_rounding_t
pgp_rounding_of(const char *name)
{
    static const prepay_rounding_t modes[] = {PREPAY_ROUND_HALF_UP, PREPAY_ROUND_HALF_EVEN, PREPAY_ROUND_DOWN,
                                              PREPAY_ROUND_UP, PREPAY_ROUND_FLOOR, PREPAY_ROUND_CEILING};

    for (size_t i = 0; i < lengthof(modes); i++)
        if (strcmp(name, pgp_rounding_name(modes[i])) == 0)
            return modes[i];
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("unknown rounding rule \"%s\"", name),
             errhint("Use half_up, half_even, down, up, floor or ceiling.")));
    pg_unreachable();
}

/* ---- JSON -------------------------------------------------------------------------------------- */

void
pgp_json_string(StringInfo out, const char *text)
{
    escape_json(out, text);
}

Datum
pgp_jsonb_of(StringInfo text)
{
    return DirectFunctionCall1(jsonb_in, CStringGetDatum(text->data));
}

char *
pgp_jsonb_text(Datum jsonb, size_t *len)
{
    Jsonb      *jb = DatumGetJsonbP(jsonb);
    char       *text = JsonbToCString(NULL, &jb->root, VARSIZE(jb));

    if (len)
        *len = strlen(text);
    return text;
}

/* ---- version -------------------------------------------------------------------------------------- */

PG_FUNCTION_INFO_V1(pgp_version);
Datum
pgp_version(PG_FUNCTION_ARGS)
{
    PG_RETURN_TEXT_P(cstring_to_text(prepay_version()));
}
