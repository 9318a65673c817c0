/*
 * Hosted: the libprepay tariff JSON format (docs/tariff-json.md) -> core
 * tariff structs, with jansson. Also the helpers shared with the URDB / SAM
 * importer (tariff_json_internal.h): error paths, exact decimals, files.
 *
 * Every value is checked with its JSON path; the document is built in heap
 * scratch and copied to the caller only after the core's validation passes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/tariff.h"
#include "prepay/tariff_json.h"
#include "tariff_json_internal.h"

/* ---- error context --------------------------------------------------------- */

void prepay__tj_init(tj_ctx_t *ctx, const char *origin, char *err, size_t err_cap)
{
    ctx->origin = origin ? origin : "<memory>";
    ctx->path[0] = '$';
    ctx->path[1] = '\0';
    ctx->path_len = 1;
    ctx->err = err;
    ctx->err_cap = err ? err_cap : 0;
    if (ctx->err_cap > 0) {
        ctx->err[0] = '\0';
    }
}

static size_t tj_push_text(tj_ctx_t *ctx, const char *text)
{
    size_t saved = ctx->path_len;
    size_t n = strlen(text);
    if (ctx->path_len + n < TJ_PATH_MAX) {
        memcpy(ctx->path + ctx->path_len, text, n + 1);
        ctx->path_len += n;
    }
    return saved;
}

size_t prepay__tj_push_key(tj_ctx_t *ctx, const char *key)
{
    char buf[96];
    snprintf(buf, sizeof buf, ".%s", key);
    return tj_push_text(ctx, buf);
}

size_t prepay__tj_push_index(tj_ctx_t *ctx, size_t index)
{
    char buf[32];
    snprintf(buf, sizeof buf, "[%zu]", index);
    return tj_push_text(ctx, buf);
}

void prepay__tj_pop(tj_ctx_t *ctx, size_t saved)
{
    if (saved < TJ_PATH_MAX) {
        ctx->path_len = saved;
        ctx->path[saved] = '\0';
    }
}

int prepay__tj_fail(tj_ctx_t *ctx, int status, const char *fmt, ...)
{
    if (ctx->err_cap == 0) {
        return status;
    }
    char msg[PREPAY_TARIFF_JSON_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ctx->err, ctx->err_cap, "%s: %s: %s", ctx->origin, ctx->path, msg);
    /* One line: replace any control character (a newline from a value). */
    for (char *p = ctx->err; *p; p++) {
        if ((unsigned char)*p < 0x20) {
            *p = ' ';
        }
    }
    return status;
}

void prepay__tj_copy(char *dst, size_t cap, const char *src)
{
    if (cap == 0) {
        return;
    }
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        /* Do not cut a UTF-8 sequence in half. */
        while (n > 0 && ((unsigned char)src[n] & 0xC0u) == 0x80u) {
            n--;
        }
    }
    if (n > 0) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
}

const char *prepay__tj_type_name(const json_t *value)
{
    if (value == NULL) {
        return "nothing";
    }
    switch (json_typeof(value)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a JSON real";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    default: return "an unknown value";
    }
}

int prepay__tj_read_file(const char *path, char **out, size_t *len, char *err, size_t err_cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && err_cap) {
            snprintf(err, err_cap, "%s: cannot open: %s", path, strerror(errno));
        }
        return PREPAY_E_HOSTED_IO;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        if (err && err_cap) {
            snprintf(err, err_cap, "%s: out of memory", path);
        }
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > (size_t)1 << 28) {
                free(buf);
                fclose(f);
                if (err && err_cap) {
                    snprintf(err, err_cap, "%s: file too large", path);
                }
                return PREPAY_E_HOSTED_IO;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                fclose(f);
                if (err && err_cap) {
                    snprintf(err, err_cap, "%s: out of memory", path);
                }
                return PREPAY_E_HOSTED_NO_MEMORY;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        if (err && err_cap) {
            snprintf(err, err_cap, "%s: read error", path);
        }
        return PREPAY_E_HOSTED_IO;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return PREPAY_OK;
}

int prepay__tj_parse(tj_ctx_t *ctx, const char *data, size_t len, json_t **out)
{
    json_error_t jerr;
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (ctx->err_cap > 0) {
            snprintf(ctx->err, ctx->err_cap, "%s:%d:%d: JSON syntax error: %s", ctx->origin, jerr.line, jerr.column,
                     jerr.text);
            for (char *p = ctx->err; *p; p++) {
                if ((unsigned char)*p < 0x20) {
                    *p = ' ';
                }
            }
        }
        return PREPAY_E_HOSTED_JSON_SYNTAX;
    }
    *out = root;
    return PREPAY_OK;
}

/* ---- decimals ----------------------------------------------------------------- */

static const int64_t pow10_table[19] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL, 1000000000LL,
    10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL, 100000000000000LL,
    1000000000000000LL, 10000000000000000LL, 100000000000000000LL, 1000000000000000000LL,
};

static int tj_range(tj_ctx_t *ctx, int64_t v, unsigned decimals, int64_t min, int64_t max, int64_t *out)
{
    if (v < min || v > max) {
        char lo[32], hi[32];
        prepay_fixed_format(min, decimals, lo, sizeof lo);
        prepay_fixed_format(max, decimals, hi, sizeof hi);
        if (v < min && max >= INT64_MAX / 4) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "value must be at least %s", lo);
        }
        if (v > max && max >= INT64_MAX / 4) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "value is too large (at most %s)", hi);
        }
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "value must be between %s and %s", lo, hi);
    }
    *out = v;
    return PREPAY_OK;
}

int prepay__tj_decimal(tj_ctx_t *ctx, const json_t *value, unsigned decimals, int64_t min, int64_t max,
                       int64_t *out)
{
    int64_t v = 0;
    if (json_is_string(value)) {
        const char *s = json_string_value(value);
        size_t n = json_string_length(value);
        int rc = prepay_fixed_parse(s, n, decimals, &v);
        if (rc == PREPAY_E_OVERFLOW) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "\"%.40s\" is too large", s);
        }
        if (rc != PREPAY_OK) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                   "\"%.40s\" is not a decimal number with at most %u decimal places", s, decimals);
        }
        return tj_range(ctx, v, decimals, min, max, out);
    }
    if (json_is_integer(value)) {
        json_int_t i = json_integer_value(value);
        if (prepay_i64_mul((int64_t)i, pow10_table[decimals], &v) != PREPAY_OK) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "%" PRId64 " is too large", (int64_t)i);
        }
        return tj_range(ctx, v, decimals, min, max, out);
    }
    if (json_is_real(value)) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE,
                               "must be a decimal string (e.g. \"0.5\"), not a JSON real: binary floats are not exact");
    }
    return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "expected a decimal string, got %s",
                           prepay__tj_type_name(value));
}

int prepay__tj_number_decimal(tj_ctx_t *ctx, const json_t *value, unsigned decimals, int64_t min, int64_t max,
                              int64_t *out)
{
    if (!json_is_real(value)) {
        return prepay__tj_decimal(ctx, value, decimals, min, max, out);
    }
    /* The shortest decimal that reads back as the same double (what
     * Python's repr() prints): try 1..17 significant digits. */
    double d = json_real_value(value);
    char buf[40];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, sizeof buf, "%.*g", digits, d);
        double back = strtod(buf, NULL);
        if (!(back < d) && !(back > d)) { /* reads back as the same double */
            break;
        }
    }
    /* Expand an exponent into plain digits ("1e-05" -> "0.00001"). */
    char plain[64];
    const char *e = strpbrk(buf, "eE");
    if (e) {
        char mant[32];
        size_t mlen = (size_t)(e - buf);
        if (mlen >= sizeof mant) {
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "number %s is out of range", buf);
        }
        memcpy(mant, buf, mlen);
        mant[mlen] = '\0';
        long exp10 = strtol(e + 1, NULL, 10);
        bool neg = mant[0] == '-';
        char digits[32];
        size_t nd = 0;
        long point = -1;
        for (const char *p = mant + (neg ? 1 : 0); *p; p++) {
            if (*p == '.') {
                point = (long)nd;
            } else if (nd + 1 < sizeof digits) {
                digits[nd++] = *p;
            }
        }
        if (point < 0) {
            point = (long)nd;
        }
        long newpoint = point + exp10;
        if (newpoint > 30 || newpoint < -30) {
            /* Far out of any price or bound range: let the range check say so. */
            if (newpoint > 30) {
                return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "number %s is too large", buf);
            }
            snprintf(plain, sizeof plain, "0");
        } else {
            size_t o = 0;
            if (neg) {
                plain[o++] = '-';
            }
            if (newpoint <= 0) {
                plain[o++] = '0';
                plain[o++] = '.';
                for (long z = 0; z < -newpoint; z++) {
                    plain[o++] = '0';
                }
                for (size_t k = 0; k < nd; k++) {
                    plain[o++] = digits[k];
                }
            } else {
                for (long k = 0; k < newpoint; k++) {
                    plain[o++] = (size_t)k < nd ? digits[k] : '0';
                }
                if ((size_t)newpoint < nd) {
                    plain[o++] = '.';
                    for (size_t k = (size_t)newpoint; k < nd; k++) {
                        plain[o++] = digits[k];
                    }
                }
            }
            plain[o] = '\0';
        }
    } else {
        prepay__tj_copy(plain, sizeof plain, buf);
    }
    int64_t v = 0;
    int rc = prepay_fixed_parse(plain, strlen(plain), decimals, &v);
    if (rc == PREPAY_E_OVERFLOW) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "number %s is too large", plain);
    }
    if (rc != PREPAY_OK) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                               "number %s needs more than %u decimal places", plain, decimals);
    }
    return tj_range(ctx, v, decimals, min, max, out);
}

int prepay_tariff_json_parse_rounded(const char *text, size_t len, unsigned decimals, prepay_rounding_t mode,
                                     int64_t *out)
{
    if (!text || !out || decimals > 16 || len == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* Keep decimals + 1 digits (the guard digit) and a sticky digit that is
     * 1 when any dropped digit is non-zero: enough to round exactly in every
     * mode. Then one prepay_i64_div_round() by 100. */
    char buf[64];
    size_t o = 0, i = 0;
    if (text[0] == '+' || text[0] == '-') {
        buf[o++] = text[0];
        i = 1;
    }
    size_t int_digits = 0;
    while (i < len && text[i] >= '0' && text[i] <= '9') {
        if (o >= 40) {
            return PREPAY_E_OVERFLOW;
        }
        buf[o++] = text[i++];
        int_digits++;
    }
    size_t frac_digits = 0;
    bool sticky = false;
    char frac[20];
    size_t keep = decimals + 1u;
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && text[i] >= '0' && text[i] <= '9') {
            if (frac_digits < keep) {
                frac[frac_digits] = text[i];
            } else if (text[i] != '0') {
                sticky = true;
            }
            frac_digits++;
            i++;
        }
        if (frac_digits == 0) {
            return PREPAY_E_INVALID_ARGUMENT;
        }
    }
    if (i != len || int_digits == 0) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    buf[o++] = '.';
    for (size_t k = 0; k < keep; k++) {
        buf[o++] = k < frac_digits ? frac[k] : '0';
    }
    buf[o++] = sticky ? '1' : '0';
    int64_t scaled = 0;
    int rc = prepay_fixed_parse(buf, o, decimals + 2u, &scaled);
    if (rc != PREPAY_OK) {
        return rc;
    }
    return prepay_i64_div_round(scaled, 100, mode, out);
}

static int parse_digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int prepay_tariff_json_parse_time(const char *text, size_t len, prepay_time_t *out)
{
    if (!text || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    /* YYYY-MM-DD hh:mm[:ss] */
    if ((len != 16 && len != 19) || text[4] != '-' || text[7] != '-' || (text[10] != ' ' && text[10] != 'T') ||
        text[13] != ':' || (len == 19 && text[16] != ':')) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    unsigned y, mo, d, h, mi, s = 0;
    if (parse_digits(text, 4, &y) || parse_digits(text + 5, 2, &mo) || parse_digits(text + 8, 2, &d) ||
        parse_digits(text + 11, 2, &h) || parse_digits(text + 14, 2, &mi) ||
        (len == 19 && parse_digits(text + 17, 2, &s))) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (h > 23 || mi > 59 || s > 59) {
        return PREPAY_E_BAD_TIME;
    }
    prepay_days_t day = 0;
    int rc = prepay_time_days_from_date((int32_t)y, mo, d, &day);
    if (rc != PREPAY_OK) {
        return PREPAY_E_BAD_DATE;
    }
    *out = (prepay_time_t)day * PREPAY_SECONDS_PER_DAY + (prepay_time_t)(h * 3600u + mi * 60u + s);
    return PREPAY_OK;
}

/* ---- validation of a finished document ------------------------------------- */

static const char *core_error_path(int rc)
{
    switch (rc) {
    case PREPAY_E_TARIFF_SEASON_ORDER:
    case PREPAY_E_TARIFF_SEASON_OVERLAP: return "$.schedule.seasons";
    case PREPAY_E_TARIFF_SLOT_ORDER:
    case PREPAY_E_TARIFF_SLOT_RANGE:
    case PREPAY_E_TARIFF_DAY_TABLE_EMPTY:
    case PREPAY_E_TARIFF_BAD_DAY_TABLE: return "$.schedule.day_tables";
    case PREPAY_E_TARIFF_HOLIDAY_ORDER: return "$.schedule.holidays";
    case PREPAY_E_TARIFF_OVERRIDE_ORDER:
    case PREPAY_E_TARIFF_OVERRIDE_RANGE: return "$.schedule.overrides";
    case PREPAY_E_TARIFF_TIER_ORDER:
    case PREPAY_E_TARIFF_TIER_FINITE_LAST:
    case PREPAY_E_TARIFF_BAD_CYCLE:
    case PREPAY_E_TARIFF_BAD_ACCOUNT: return "$.tiers";
    case PREPAY_E_TARIFF_BAD_PRICE:
    case PREPAY_E_TARIFF_BAD_DERIVATION: return "$.prices";
    case PREPAY_E_TARIFF_BAD_FIXED_CHARGE: return "$.fixed_charges";
    case PREPAY_E_TARIFF_SWITCH_MISMATCH: return "$.prices_b";
    case PREPAY_E_TARIFF_BAD_BAND: return "$.bands";
    default: return "$";
    }
}

int prepay__tj_validate_doc(tj_ctx_t *ctx, const prepay_tariff_doc_t *doc)
{
    for (int s = 0; s < (doc->has_set_b ? 2 : 1); s++) {
        int rc = prepay_tariff_validate(&doc->sets[s]);
        if (rc != PREPAY_OK) {
            prepay__tj_pop(ctx, 1);
            if (s == 1 && strcmp(core_error_path(rc), "$.prices") == 0) {
                tj_push_text(ctx, ".prices_b");
            } else {
                tj_push_text(ctx, core_error_path(rc) + 1);
            }
            return prepay__tj_fail(ctx, PREPAY_E_HOSTED_TARIFF_INVALID, "tariff rejected by validation: %s",
                                   prepay_strerror(rc));
        }
    }
    prepay_tariff_plan_t plan;
    prepay_tariff_doc_plan(doc, &plan);
    int rc = prepay_tariff_plan_validate(&plan);
    if (rc != PREPAY_OK) {
        prepay__tj_pop(ctx, 1);
        tj_push_text(ctx, core_error_path(rc) + 1);
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_TARIFF_INVALID, "tariff rejected by validation: %s",
                               prepay_strerror(rc));
    }
    return PREPAY_OK;
}

int prepay_tariff_doc_plan(const prepay_tariff_doc_t *doc, prepay_tariff_plan_t *plan)
{
    if (!doc || !plan) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    plan->sets[0] = &doc->sets[0];
    plan->sets[1] = doc->has_set_b ? &doc->sets[1] : NULL;
    plan->switch_time = doc->has_set_b ? doc->switch_time : INT64_MAX;
    return PREPAY_OK;
}

/* ---- the libprepay format -------------------------------------------------------- */

#define MAX_DAY_TABLE_NAME 48

typedef struct tj_names {
    size_t count;
    char name[PREPAY_MAX_DAY_TABLES][MAX_DAY_TABLE_NAME];
} tj_names_t;

typedef struct tj_loader {
    tj_ctx_t *ctx;
    prepay_tariff_doc_t *doc;
    tj_names_t tables;
    unsigned tier_count;
    bool per_band; /* tou mode is chronological or proportional */
    bool tou_mode_given;
    bool declared[PREPAY_MAX_TARIFF_INDEX]; /* bands named in $.bands (others are unnamed gaps) */
} tj_loader_t;

/* jansson's iteration macros take a non-const object; this drops the
 * const without a cast (the loaders never modify the tree). */
static json_t *tj_mut(const json_t *value)
{
    json_t *m = NULL;
    memcpy(&m, &value, sizeof m);
    return m;
}

static int tj_fail_type(tj_ctx_t *ctx, const char *expected, const json_t *value)
{
    return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "expected %s, got %s", expected,
                           prepay__tj_type_name(value));
}

/* Every list of the format is a JSON array bounded by a PREPAY_MAX_* table:
 * `what` names its items ("holidays") and `macro` the capacity macro, so
 * the message says which one to raise. */
static int tj_bounded_array(tj_ctx_t *ctx, const json_t *value, const char *what, size_t max, const char *macro)
{
    if (!json_is_array(value)) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "expected an array of %s, got %s", what,
                               prepay__tj_type_name(value));
    }
    if (json_array_size(value) > max) {
        return prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "%zu %s, at most %zu (%s)", json_array_size(value), what, max,
                               macro);
    }
    return PREPAY_OK;
}

/* Refuses members not in the NULL-terminated list (names starting with x- or _ are free). */
static int tj_check_members(tj_ctx_t *ctx, const json_t *obj, const char *const *allowed)
{
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(tj_mut(obj), key, value)
    {
        (void)value;
        if (key[0] == '_' || (key[0] == 'x' && key[1] == '-')) {
            continue;
        }
        bool ok = false;
        for (size_t i = 0; allowed[i]; i++) {
            if (strcmp(key, allowed[i]) == 0) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            size_t saved = prepay__tj_push_key(ctx, key);
            int rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "unknown member \"%.40s\"", key);
            prepay__tj_pop(ctx, saved);
            return rc;
        }
    }
    return PREPAY_OK;
}

/* Gets a member; required ones report their absence. */
static int tj_member(tj_ctx_t *ctx, const json_t *obj, const char *key, bool required, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v && required) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"%s\"", key);
    }
    *out = v;
    return PREPAY_OK;
}

static int tj_string(tj_ctx_t *ctx, const json_t *v, const char **out)
{
    const char *s = json_string_value(v); /* NULL unless v is a string */
    if (s == NULL) {
        return tj_fail_type(ctx, "a string", v);
    }
    *out = s;
    return PREPAY_OK;
}

static int tj_int(tj_ctx_t *ctx, const json_t *v, int64_t min, int64_t max, int64_t *out)
{
    if (!json_is_integer(v)) {
        return tj_fail_type(ctx, "an integer", v);
    }
    json_int_t i = json_integer_value(v);
    if (i < min || i > max) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "%" PRId64 " is not in %" PRId64 "..%" PRId64,
                               (int64_t)i, min, max);
    }
    *out = (int64_t)i;
    return PREPAY_OK;
}

static int tj_enum(tj_ctx_t *ctx, const json_t *v, const char *const *names, int *out)
{
    const char *s = NULL;
    int rc = tj_string(ctx, v, &s);
    if (rc != PREPAY_OK) {
        return rc;
    }
    for (int i = 0; names[i]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return PREPAY_OK;
        }
    }
    char list[256] = "";
    for (int i = 0; names[i]; i++) {
        size_t n = strlen(list);
        snprintf(list + n, sizeof list - n, "%s\"%s\"", i ? ", " : "", names[i]);
    }
    return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "\"%.40s\" is not one of %s", s, list);
}

static const char *const rounding_names[] = {"half_up", "half_even", "down", "up", "floor", "ceiling", NULL};

/* "hh:mm" -> minute of day (24:00 allowed when allow_end). */
static int tj_minute(tj_ctx_t *ctx, const json_t *v, bool allow_end, uint16_t *out)
{
    const char *s = NULL;
    int rc = tj_string(ctx, v, &s);
    if (rc != PREPAY_OK) {
        return rc;
    }
    unsigned h = 0, m = 0;
    if (strlen(s) != 5 || s[2] != ':' || parse_digits(s, 2, &h) || parse_digits(s + 3, 2, &m) || m > 59 ||
        h > 24 || (h == 24 && (m != 0 || !allow_end))) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "\"%.20s\" is not a time of day hh:mm (00:00..%s)",
                               s, allow_end ? "24:00" : "23:59");
    }
    *out = (uint16_t)(h * 60u + m);
    return PREPAY_OK;
}

/* "YYYY-MM-DD" -> day number. */
static int tj_date(tj_ctx_t *ctx, const json_t *v, prepay_days_t *out)
{
    const char *s = NULL;
    int rc = tj_string(ctx, v, &s);
    if (rc != PREPAY_OK) {
        return rc;
    }
    unsigned y = 0, mo = 0, d = 0;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || parse_digits(s, 4, &y) || parse_digits(s + 5, 2, &mo) ||
        parse_digits(s + 8, 2, &d) || prepay_time_days_from_date((int32_t)y, mo, d, out) != PREPAY_OK) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "\"%.20s\" is not a date YYYY-MM-DD", s);
    }
    return PREPAY_OK;
}

/* "MM-DD" (non-leap: Feb 29 is refused). */
static int tj_month_day(tj_ctx_t *ctx, const json_t *v, uint8_t *month, uint8_t *day)
{
    const char *s = NULL;
    int rc = tj_string(ctx, v, &s);
    if (rc != PREPAY_OK) {
        return rc;
    }
    unsigned mo = 0, d = 0;
    if (strlen(s) != 5 || s[2] != '-' || parse_digits(s, 2, &mo) || parse_digits(s + 3, 2, &d) || mo < 1 ||
        mo > 12 || d < 1 || (int)d > prepay_time_days_in_month(2001, mo)) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "\"%.20s\" is not a month-day MM-DD", s);
    }
    *month = (uint8_t)mo;
    *day = (uint8_t)d;
    return PREPAY_OK;
}

static int tj_band_ref(tj_loader_t *ld, const json_t *v, uint8_t *band)
{
    const char *s = NULL;
    int rc = tj_string(ld->ctx, v, &s);
    if (rc != PREPAY_OK) {
        return rc;
    }
    for (unsigned b = 0; b < ld->doc->sets[0].band_count; b++) {
        if (ld->declared[b] && strcmp(ld->doc->band_names[b], s) == 0) {
            *band = (uint8_t)(b + 1);
            return PREPAY_OK;
        }
    }
    return prepay__tj_fail(ld->ctx, PREPAY_E_HOSTED_JSON_VALUE, "unknown band \"%.40s\" (not in $.bands)", s);
}

static int tj_table_ref(tj_loader_t *ld, const json_t *v, uint8_t *table)
{
    const char *s = NULL;
    int rc = tj_string(ld->ctx, v, &s);
    if (rc != PREPAY_OK) {
        return rc;
    }
    for (size_t i = 0; i < ld->tables.count; i++) {
        if (strcmp(ld->tables.name[i], s) == 0) {
            *table = (uint8_t)i;
            return PREPAY_OK;
        }
    }
    return prepay__tj_fail(ld->ctx, PREPAY_E_HOSTED_JSON_VALUE,
                           "unknown day table \"%.40s\" (not in $.schedule.day_tables)", s);
}

static int tj_bands(tj_loader_t *ld, const json_t *bands)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tariff_t *t = &ld->doc->sets[0];
    if (!json_is_array(bands)) {
        return tj_fail_type(ctx, "an array of band names", bands);
    }
    size_t n = json_array_size(bands);
    if (n == 0) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "at least one band is needed");
    }
    bool used[PREPAY_MAX_TARIFF_INDEX + 1] = {false};
    unsigned max_index = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *b = json_array_get(bands, i);
        size_t saved = prepay__tj_push_index(ctx, i);
        const char *name = NULL;
        int64_t index = (int64_t)i + 1;
        int rc = PREPAY_OK;
        if (json_is_string(b)) {
            name = json_string_value(b);
        } else if (json_is_object(b)) {
            static const char *const allowed[] = {"name", "index", NULL};
            json_t *v = NULL;
            rc = tj_check_members(ctx, b, allowed);
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, b, "name", true, &v);
            }
            if (rc == PREPAY_OK) {
                size_t s2 = prepay__tj_push_key(ctx, "name");
                rc = tj_string(ctx, v, &name);
                prepay__tj_pop(ctx, s2);
            }
            if (rc == PREPAY_OK && (v = json_object_get(b, "index")) != NULL) {
                size_t s2 = prepay__tj_push_key(ctx, "index");
                rc = tj_int(ctx, v, 1, 63, &index); /* DL/T 645 tariff indices */
                prepay__tj_pop(ctx, s2);
            }
        } else {
            rc = tj_fail_type(ctx, "a band name or {\"name\", \"index\"}", b);
        }
        if (rc == PREPAY_OK && index > PREPAY_MAX_TARIFF_INDEX) {
            rc = prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "band index %" PRId64 " is above %d (PREPAY_MAX_TARIFF_INDEX)",
                                 index, PREPAY_MAX_TARIFF_INDEX);
        }
        if (rc == PREPAY_OK && (name[0] == '\0' || strlen(name) >= PREPAY_TARIFF_JSON_BAND_NAME_MAX)) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "a band name must have 1..%d bytes",
                                 PREPAY_TARIFF_JSON_BAND_NAME_MAX - 1);
        }
        if (rc == PREPAY_OK && used[index]) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "band index %" PRId64 " is used twice", index);
        }
        if (rc == PREPAY_OK) {
            for (unsigned k = 0; k < PREPAY_MAX_TARIFF_INDEX; k++) {
                if (used[k + 1] && strcmp(ld->doc->band_names[k], name) == 0) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "band name \"%s\" is used twice", name);
                    break;
                }
            }
        }
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
        used[index] = true;
        ld->declared[index - 1] = true;
        prepay__tj_copy(ld->doc->band_names[index - 1], PREPAY_TARIFF_JSON_BAND_NAME_MAX, name);
        if ((unsigned)index > max_index) {
            max_index = (unsigned)index;
        }
    }
    for (unsigned k = 1; k <= max_index; k++) {
        if (!used[k]) {
            snprintf(ld->doc->band_names[k - 1], PREPAY_TARIFF_JSON_BAND_NAME_MAX, "band%u", k);
        }
    }
    t->band_count = (uint8_t)max_index;
    /* The default band (used without seasons) is the first band listed. */
    {
        json_t *first = json_array_get(bands, 0);
        int64_t idx = 1;
        if (json_is_object(first) && json_object_get(first, "index")) {
            idx = (int64_t)json_integer_value(json_object_get(first, "index"));
        }
        t->schedule.default_band = (uint8_t)idx;
    }
    return PREPAY_OK;
}

static int tj_day_tables(tj_loader_t *ld, const json_t *tables)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tou_schedule_t *s = &ld->doc->sets[0].schedule;
    if (!json_is_object(tables)) {
        return tj_fail_type(ctx, "an object of day tables", tables);
    }
    if (json_object_size(tables) > PREPAY_MAX_DAY_TABLES) {
        return prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "%zu day tables, at most %d (PREPAY_MAX_DAY_TABLES)",
                               json_object_size(tables), PREPAY_MAX_DAY_TABLES);
    }
    const char *key = NULL;
    json_t *slots = NULL;
    json_object_foreach(tj_mut(tables), key, slots)
    {
        size_t saved = prepay__tj_push_key(ctx, key);
        size_t ti = ld->tables.count;
        if (strlen(key) >= MAX_DAY_TABLE_NAME || key[0] == '\0') {
            int rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "day table names have 1..%d bytes",
                                     MAX_DAY_TABLE_NAME - 1);
            prepay__tj_pop(ctx, saved);
            return rc;
        }
        prepay__tj_copy(ld->tables.name[ti], MAX_DAY_TABLE_NAME, key);
        ld->tables.count++;
        int checked = tj_bounded_array(ctx, slots, "slots", PREPAY_MAX_DAY_SLOTS, "PREPAY_MAX_DAY_SLOTS");
        if (checked == PREPAY_OK && json_array_size(slots) == 0) {
            checked = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "a day table needs at least one slot");
        }
        if (checked != PREPAY_OK) {
            prepay__tj_pop(ctx, saved);
            return checked;
        }
        prepay_tou_day_table_t *dt = &s->day_tables[ti];
        dt->slot_count = (uint8_t)json_array_size(slots);
        for (size_t i = 0; i < json_array_size(slots); i++) {
            json_t *slot = json_array_get(slots, i);
            size_t s2 = prepay__tj_push_index(ctx, i);
            static const char *const allowed[] = {"start", "band", NULL};
            json_t *v = NULL;
            int rc = json_is_object(slot) ? tj_check_members(ctx, slot, allowed)
                                          : tj_fail_type(ctx, "a slot {\"start\", \"band\"}", slot);
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, slot, "start", true, &v);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "start");
                rc = tj_minute(ctx, v, false, &dt->slots[i].start_minute);
                if (rc == PREPAY_OK && i > 0 && dt->slots[i].start_minute <= dt->slots[i - 1].start_minute) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                         "slots must be in increasing order of start time");
                }
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, slot, "band", true, &v);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "band");
                rc = tj_band_ref(ld, v, &dt->slots[i].band);
                prepay__tj_pop(ctx, s3);
            }
            prepay__tj_pop(ctx, s2);
            if (rc != PREPAY_OK) {
                prepay__tj_pop(ctx, saved);
                return rc;
            }
        }
        prepay__tj_pop(ctx, saved);
    }
    s->day_table_count = (uint8_t)ld->tables.count;
    return PREPAY_OK;
}

static int tj_week(tj_loader_t *ld, const json_t *week, prepay_tou_season_t *season)
{
    tj_ctx_t *ctx = ld->ctx;
    if (json_is_string(week)) {
        uint8_t t = 0;
        int rc = tj_table_ref(ld, week, &t);
        if (rc == PREPAY_OK) {
            season->weekday_table = season->saturday_table = season->sunday_table = season->holiday_table = t;
        }
        return rc;
    }
    if (!json_is_object(week)) {
        return tj_fail_type(ctx, "a day table name or {\"weekday\", \"saturday\", \"sunday\", \"holiday\"}", week);
    }
    static const char *const allowed[] = {"weekday", "saturday", "sunday", "holiday", NULL};
    int rc = tj_check_members(ctx, week, allowed);
    json_t *v = NULL;
    if (rc == PREPAY_OK) {
        rc = tj_member(ctx, week, "weekday", true, &v);
    }
    if (rc != PREPAY_OK) {
        return rc;
    }
    size_t saved = prepay__tj_push_key(ctx, "weekday");
    rc = tj_table_ref(ld, v, &season->weekday_table);
    prepay__tj_pop(ctx, saved);
    if (rc != PREPAY_OK) {
        return rc;
    }
    season->saturday_table = season->sunday_table = season->weekday_table;
    if ((v = json_object_get(week, "saturday")) != NULL) {
        saved = prepay__tj_push_key(ctx, "saturday");
        rc = tj_table_ref(ld, v, &season->saturday_table);
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(week, "sunday")) != NULL) {
        saved = prepay__tj_push_key(ctx, "sunday");
        rc = tj_table_ref(ld, v, &season->sunday_table);
        prepay__tj_pop(ctx, saved);
    }
    season->holiday_table = season->sunday_table;
    if (rc == PREPAY_OK && (v = json_object_get(week, "holiday")) != NULL) {
        saved = prepay__tj_push_key(ctx, "holiday");
        rc = tj_table_ref(ld, v, &season->holiday_table);
        prepay__tj_pop(ctx, saved);
    }
    return rc;
}

static int tj_schedule(tj_loader_t *ld, const json_t *sched)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tou_schedule_t *s = &ld->doc->sets[0].schedule;
    static const char *const allowed[] = {"default_band", "day_tables", "seasons", "holidays", "overrides", NULL};
    if (!json_is_object(sched)) {
        return tj_fail_type(ctx, "an object", sched);
    }
    int rc = tj_check_members(ctx, sched, allowed);
    if (rc != PREPAY_OK) {
        return rc;
    }
    json_t *v = NULL;
    size_t saved = 0;
    if ((v = json_object_get(sched, "default_band")) != NULL) {
        saved = prepay__tj_push_key(ctx, "default_band");
        rc = tj_band_ref(ld, v, &s->default_band);
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    if ((v = json_object_get(sched, "day_tables")) != NULL) {
        saved = prepay__tj_push_key(ctx, "day_tables");
        rc = tj_day_tables(ld, v);
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    json_t *seasons = json_object_get(sched, "seasons");
    if (ld->tables.count > 0 && !seasons) {
        return prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "missing required member \"seasons\" (day tables "
                                                               "are used through seasons)");
    }
    if (seasons) {
        saved = prepay__tj_push_key(ctx, "seasons");
        rc = tj_bounded_array(ctx, seasons, "seasons", PREPAY_MAX_SEASONS, "PREPAY_MAX_SEASONS");
        if (rc == PREPAY_OK && json_array_size(seasons) == 0) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "no season given");
        }
        for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(seasons); i++) {
            json_t *se = json_array_get(seasons, i);
            size_t s2 = prepay__tj_push_index(ctx, i);
            static const char *const sallowed[] = {"start", "name", "week", NULL};
            prepay_tou_season_t *season = &s->seasons[i];
            rc = json_is_object(se) ? tj_check_members(ctx, se, sallowed) : tj_fail_type(ctx, "a season", se);
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, se, "start", true, &v);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "start");
                rc = tj_month_day(ctx, v, &season->start_month, &season->start_day);
                if (rc == PREPAY_OK && i > 0) {
                    const prepay_tou_season_t *prev = &s->seasons[i - 1];
                    unsigned a = prev->start_month * 32u + prev->start_day;
                    unsigned b = season->start_month * 32u + season->start_day;
                    if (b <= a) {
                        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                             "seasons must be in increasing order of start date (%02u-%02u follows "
                                             "%02u-%02u)",
                                             season->start_month, season->start_day, prev->start_month,
                                             prev->start_day);
                    }
                }
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK && (v = json_object_get(se, "name")) != NULL) {
                const char *ignored = NULL;
                size_t s3 = prepay__tj_push_key(ctx, "name");
                rc = tj_string(ctx, v, &ignored);
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, se, "week", true, &v);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "week");
                rc = tj_week(ld, v, season);
                prepay__tj_pop(ctx, s3);
            }
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
        s->season_count = (uint8_t)json_array_size(seasons);
    }
    if ((v = json_object_get(sched, "holidays")) != NULL) {
        saved = prepay__tj_push_key(ctx, "holidays");
        rc = tj_bounded_array(ctx, v, "holidays", PREPAY_MAX_HOLIDAYS, "PREPAY_MAX_HOLIDAYS");
        for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(v); i++) {
            json_t *h = json_array_get(v, i);
            json_t *f = NULL;
            size_t s2 = prepay__tj_push_index(ctx, i);
            static const char *const hallowed[] = {"date", "day_table", "name", NULL};
            prepay_tou_holiday_t *hol = &s->holidays[i];
            rc = json_is_object(h) ? tj_check_members(ctx, h, hallowed) : tj_fail_type(ctx, "a holiday", h);
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, h, "date", true, &f);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "date");
                rc = tj_date(ctx, f, &hol->day);
                if (rc == PREPAY_OK && i > 0 && hol->day <= s->holidays[i - 1].day) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                         "holidays must be in increasing date order without repeats");
                }
                prepay__tj_pop(ctx, s3);
            }
            hol->table = 0;
            if (rc == PREPAY_OK && (f = json_object_get(h, "day_table")) != NULL) {
                uint8_t t = 0;
                size_t s3 = prepay__tj_push_key(ctx, "day_table");
                rc = tj_table_ref(ld, f, &t);
                hol->table = (uint8_t)(t + 1);
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK && (f = json_object_get(h, "name")) != NULL) {
                const char *ignored = NULL;
                size_t s3 = prepay__tj_push_key(ctx, "name");
                rc = tj_string(ctx, f, &ignored);
                prepay__tj_pop(ctx, s3);
            }
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
        s->holiday_count = (uint16_t)json_array_size(v);
    }
    if ((v = json_object_get(sched, "overrides")) != NULL) {
        saved = prepay__tj_push_key(ctx, "overrides");
        rc = tj_bounded_array(ctx, v, "overrides", PREPAY_MAX_DATE_OVERRIDES, "PREPAY_MAX_DATE_OVERRIDES");
        for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(v); i++) {
            json_t *o = json_array_get(v, i);
            json_t *f = NULL;
            size_t s2 = prepay__tj_push_index(ctx, i);
            static const char *const oallowed[] = {"date", "from", "to", "band", "reason", NULL};
            prepay_tou_override_t *ov = &s->overrides[i];
            rc = json_is_object(o) ? tj_check_members(ctx, o, oallowed) : tj_fail_type(ctx, "an override", o);
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, o, "date", true, &f);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "date");
                rc = tj_date(ctx, f, &ov->day);
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, o, "from", true, &f);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "from");
                rc = tj_minute(ctx, f, false, &ov->start_minute);
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, o, "to", true, &f);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "to");
                rc = tj_minute(ctx, f, true, &ov->end_minute);
                if (rc == PREPAY_OK && ov->end_minute <= ov->start_minute) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "\"to\" must be after \"from\"");
                }
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK && i > 0) {
                const prepay_tou_override_t *prev = &s->overrides[i - 1];
                if (ov->day < prev->day || (ov->day == prev->day && ov->start_minute < prev->end_minute)) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                         "overrides must be sorted by date and time and must not overlap");
                }
            }
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, o, "band", true, &f);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "band");
                rc = tj_band_ref(ld, f, &ov->band);
                prepay__tj_pop(ctx, s3);
            }
            if (rc == PREPAY_OK && (f = json_object_get(o, "reason")) != NULL) {
                const char *ignored = NULL;
                size_t s3 = prepay__tj_push_key(ctx, "reason");
                rc = tj_string(ctx, f, &ignored);
                prepay__tj_pop(ctx, s3);
            }
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
        s->override_count = (uint16_t)json_array_size(v);
    }
    return PREPAY_OK;
}

/* An array of cumulative bounds (kWh/m3 strings) -> ladder (Wh/L), last unbounded. */
static int tj_bounds(tj_loader_t *ld, const json_t *arr, prepay_tier_ladder_t *ladder, size_t *count)
{
    tj_ctx_t *ctx = ld->ctx;
    if (!json_is_array(arr)) {
        return tj_fail_type(ctx, "an array of tier bounds", arr);
    }
    size_t n = json_array_size(arr);
    if (n + 1 > PREPAY_MAX_TIERS) {
        return prepay__tj_fail(ctx, PREPAY_E_CAPACITY, "%zu bounds make %zu tiers, at most %d "
                                                                "(PREPAY_MAX_TIERS)",
                               n, n + 1, PREPAY_MAX_TIERS);
    }
    for (size_t i = 0; i < n; i++) {
        size_t saved = prepay__tj_push_index(ctx, i);
        int rc = prepay__tj_decimal(ctx, json_array_get(arr, i), 3, 1, INT64_MAX / 4, &ladder->upper[i]);
        if (rc == PREPAY_OK && i > 0 && ladder->upper[i] <= ladder->upper[i - 1]) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "tier bounds must strictly increase");
        }
        prepay__tj_pop(ctx, saved);
        if (rc != PREPAY_OK) {
            return rc;
        }
    }
    ladder->upper[n] = PREPAY_TIER_UNBOUNDED;
    *count = n + 1;
    return PREPAY_OK;
}

static int tj_tiers(tj_loader_t *ld, const json_t *tiers)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tariff_t *t = &ld->doc->sets[0];
    static const char *const allowed[] = {"cycle",       "start_month", "billing_day",          "bounds",
                                          "monthly_bounds", "bounds_per", "household_adjustment", "proration",
                                          "tou_mode",    NULL};
    if (!json_is_object(tiers)) {
        return tj_fail_type(ctx, "an object", tiers);
    }
    int rc = tj_check_members(ctx, tiers, allowed);
    json_t *v = NULL;
    size_t saved = 0;
    int e = 0;
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "cycle")) != NULL) {
        static const char *const names[] = {"month", "year", NULL};
        saved = prepay__tj_push_key(ctx, "cycle");
        rc = tj_enum(ctx, v, names, &e);
        t->cycle_kind = e == 1 ? PREPAY_CYCLE_YEAR : PREPAY_CYCLE_MONTH;
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "start_month")) != NULL) {
        int64_t m = 0;
        saved = prepay__tj_push_key(ctx, "start_month");
        rc = tj_int(ctx, v, 1, 12, &m);
        t->cycle_start_month = (uint8_t)m;
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "billing_day")) != NULL) {
        int64_t d = 0;
        saved = prepay__tj_push_key(ctx, "billing_day");
        rc = tj_int(ctx, v, 1, 28, &d);
        t->cycle_start_day = (uint8_t)d;
        prepay__tj_pop(ctx, saved);
    }
    bool per_day = false;
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "bounds_per")) != NULL) {
        static const char *const names[] = {"cycle", "day", NULL};
        saved = prepay__tj_push_key(ctx, "bounds_per");
        rc = tj_enum(ctx, v, names, &e);
        per_day = e == 1;
        prepay__tj_pop(ctx, saved);
    }
    json_t *bounds = json_object_get(tiers, "bounds");
    json_t *monthly = json_object_get(tiers, "monthly_bounds");
    if (rc == PREPAY_OK && ((bounds == NULL) == (monthly == NULL))) {
        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "give exactly one of \"bounds\" and \"monthly_bounds\"");
    }
    if (rc == PREPAY_OK && bounds) {
        size_t count = 0;
        saved = prepay__tj_push_key(ctx, "bounds");
        rc = tj_bounds(ld, bounds, &t->ladders[0], &count);
        prepay__tj_pop(ctx, saved);
        t->ladders[0].per_day = per_day;
        t->ladder_count = 1;
        memset(t->ladder_of_month, 0, sizeof t->ladder_of_month);
        t->tier_count = (uint8_t)count;
    }
    if (rc == PREPAY_OK && monthly) {
        saved = prepay__tj_push_key(ctx, "monthly_bounds");
        bool seen[12] = {false};
        size_t count_all = 0;
        if (!json_is_array(monthly) || json_array_size(monthly) == 0 || json_array_size(monthly) > 12) {
            rc = json_is_array(monthly)
                     ? prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "1..12 entries are needed")
                     : tj_fail_type(ctx, "an array of {\"months\", \"bounds\"}", monthly);
        }
        for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(monthly); i++) {
            json_t *entry = json_array_get(monthly, i);
            size_t s2 = prepay__tj_push_index(ctx, i);
            static const char *const mallowed[] = {"months", "bounds", NULL};
            json_t *months = NULL;
            rc = json_is_object(entry) ? tj_check_members(ctx, entry, mallowed)
                                       : tj_fail_type(ctx, "{\"months\", \"bounds\"}", entry);
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, entry, "months", true, &months);
            }
            if (rc == PREPAY_OK) {
                size_t s3 = prepay__tj_push_key(ctx, "months");
                if (!json_is_array(months) || json_array_size(months) == 0) {
                    rc = tj_fail_type(ctx, "a non-empty array of months 1..12", months);
                }
                for (size_t k = 0; rc == PREPAY_OK && k < json_array_size(months); k++) {
                    int64_t m = 0;
                    size_t s4 = prepay__tj_push_index(ctx, k);
                    rc = tj_int(ctx, json_array_get(months, k), 1, 12, &m);
                    if (rc == PREPAY_OK && seen[m - 1]) {
                        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "month %" PRId64 " is listed twice", m);
                    }
                    if (rc == PREPAY_OK) {
                        seen[m - 1] = true;
                        t->ladder_of_month[m - 1] = (uint8_t)i;
                    }
                    prepay__tj_pop(ctx, s4);
                }
                prepay__tj_pop(ctx, s3);
            }
            json_t *b = NULL;
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, entry, "bounds", true, &b);
            }
            if (rc == PREPAY_OK) {
                size_t count = 0;
                size_t s3 = prepay__tj_push_key(ctx, "bounds");
                rc = tj_bounds(ld, b, &t->ladders[i], &count);
                if (rc == PREPAY_OK && i > 0 && count != count_all) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                         "every month needs the same number of bounds (%zu here, %zu before)",
                                         count - 1, count_all - 1);
                }
                count_all = count;
                t->ladders[i].per_day = per_day;
                prepay__tj_pop(ctx, s3);
            }
            prepay__tj_pop(ctx, s2);
        }
        for (int m = 0; rc == PREPAY_OK && m < 12; m++) {
            if (!seen[m]) {
                rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "month %d has no bounds", m + 1);
            }
        }
        prepay__tj_pop(ctx, saved);
        if (rc == PREPAY_OK) {
            t->ladder_count = (uint8_t)json_array_size(monthly);
            t->tier_count = (uint8_t)count_all;
        }
    }
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "household_adjustment")) != NULL) {
        saved = prepay__tj_push_key(ctx, "household_adjustment");
        if (json_is_array(v)) {
            if (json_array_size(v) + 1 != t->tier_count) {
                rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "one adjustment per bound (%u) is needed",
                                     (unsigned)(t->tier_count - 1));
            }
            for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(v); i++) {
                size_t s2 = prepay__tj_push_index(ctx, i);
                rc = prepay__tj_decimal(ctx, json_array_get(v, i), 3, 0, INT64_MAX / 4, &ld->doc->account.tier_add[i]);
                prepay__tj_pop(ctx, s2);
            }
        } else {
            int64_t add = 0;
            rc = prepay__tj_decimal(ctx, v, 3, 0, INT64_MAX / 4, &add);
            for (unsigned i = 0; rc == PREPAY_OK && i + 1 < t->tier_count; i++) {
                ld->doc->account.tier_add[i] = add;
            }
        }
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "proration")) != NULL) {
        static const char *const names[] = {"none", "by_month", "by_day", NULL};
        saved = prepay__tj_push_key(ctx, "proration");
        rc = tj_enum(ctx, v, names, &e);
        t->proration = e == 2 ? PREPAY_PRORATE_BY_DAY : e == 1 ? PREPAY_PRORATE_BY_MONTH : PREPAY_PRORATE_NONE;
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(tiers, "tou_mode")) != NULL) {
        static const char *const names[] = {"surcharge", "per_band_chronological", "per_band_proportional", NULL};
        saved = prepay__tj_push_key(ctx, "tou_mode");
        rc = tj_enum(ctx, v, names, &e);
        t->tou_tier_mode = e == 2   ? PREPAY_TOU_TIER_PROPORTIONAL
                           : e == 1 ? PREPAY_TOU_TIER_CHRONOLOGICAL
                                    : PREPAY_TOU_TIER_UNIFORM;
        ld->tou_mode_given = true;
        ld->per_band = e != 0;
        prepay__tj_pop(ctx, saved);
    }
    return rc;
}

/* Parses a price set into prices (tier_count and mode known from the loader). */
static int tj_prices(tj_loader_t *ld, const json_t *obj, bool is_b, prepay_tariff_prices_t *p)
{
    tj_ctx_t *ctx = ld->ctx;
    const prepay_tariff_t *t = &ld->doc->sets[0];
    static const char *const allowed_a[] = {"base", "adder", "rounding", "bands", "tier_surcharges", NULL};
    static const char *const allowed_b[] = {"base",  "adder",           "rounding",
                                            "bands", "tier_surcharges", "switch_at", NULL};
    if (!json_is_object(obj)) {
        return tj_fail_type(ctx, "an object", obj);
    }
    int rc = tj_check_members(ctx, obj, is_b ? allowed_b : allowed_a);
    json_t *bands = NULL;
    if (rc == PREPAY_OK) {
        rc = tj_member(ctx, obj, "bands", true, &bands);
    }
    if (rc != PREPAY_OK) {
        return rc;
    }
    memset(p, 0, sizeof *p);
    p->mode = PREPAY_PRICE_DIRECT;
    p->derive_quantum = 1;
    p->derive_rounding = PREPAY_ROUND_HALF_UP;
    size_t saved = prepay__tj_push_key(ctx, "bands");
    if (!json_is_object(bands)) {
        rc = tj_fail_type(ctx, "an object mapping band names to prices", bands);
        prepay__tj_pop(ctx, saved);
        return rc;
    }
    bool any_ratio = false, any_direct = false, any_array = false;
    bool have[PREPAY_MAX_TARIFF_INDEX] = {false};
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(tj_mut(bands), key, value)
    {
        size_t s2 = prepay__tj_push_key(ctx, key);
        uint8_t band = 0;
        json_t *keyv = json_string(key);
        rc = keyv ? tj_band_ref(ld, keyv, &band) : PREPAY_E_HOSTED_NO_MEMORY;
        json_decref(keyv);
        if (rc == PREPAY_OK) {
            have[band - 1] = true;
            if (json_is_object(value)) {
                static const char *const rallowed[] = {"ratio", NULL};
                json_t *r = NULL;
                any_ratio = true;
                rc = tj_check_members(ctx, value, rallowed);
                if (rc == PREPAY_OK) {
                    rc = tj_member(ctx, value, "ratio", true, &r);
                }
                if (rc == PREPAY_OK) {
                    size_t s3 = prepay__tj_push_key(ctx, "ratio");
                    rc = prepay__tj_decimal(ctx, r, 6, 0, INT64_MAX / 4, &p->band_ratio[band - 1]);
                    prepay__tj_pop(ctx, s3);
                }
            } else if (json_is_array(value)) {
                any_array = true;
                if (json_array_size(value) != ld->tier_count) {
                    rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                         "%zu tier prices given, the ladder has %u tiers", json_array_size(value),
                                         ld->tier_count);
                }
                for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(value); i++) {
                    size_t s3 = prepay__tj_push_index(ctx, i);
                    rc = prepay__tj_decimal(ctx, json_array_get(value, i), 8, 0, PREPAY_PRICE_MAX,
                                            &p->band_tier_price[band - 1][i]);
                    prepay__tj_pop(ctx, s3);
                }
                if (rc == PREPAY_OK) {
                    p->band_price[band - 1] = p->band_tier_price[band - 1][0];
                }
            } else {
                any_direct = true;
                rc = prepay__tj_decimal(ctx, value, 8, 0, PREPAY_PRICE_MAX, &p->band_price[band - 1]);
                for (unsigned i = 0; rc == PREPAY_OK && i < ld->tier_count; i++) {
                    p->band_tier_price[band - 1][i] = p->band_price[band - 1];
                }
            }
        }
        prepay__tj_pop(ctx, s2);
        if (rc != PREPAY_OK) {
            prepay__tj_pop(ctx, saved);
            return rc;
        }
    }
    for (unsigned b = 0; b < t->band_count; b++) {
        if (!have[b] && ld->declared[b]) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE, "no price for band \"%s\"", ld->doc->band_names[b]);
            prepay__tj_pop(ctx, saved);
            return rc;
        }
    }
    if (any_ratio && (any_direct || any_array)) {
        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                             "either every band has a {\"ratio\"} or none: a price set is direct or derived");
    }
    if (rc == PREPAY_OK && any_array && ld->tou_mode_given && !ld->per_band) {
        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                             "per-tier band prices need $.tiers.tou_mode \"per_band_chronological\" or "
                             "\"per_band_proportional\"");
    }
    if (rc == PREPAY_OK && any_ratio && ld->per_band) {
        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                             "derived (ratio) prices work with tou_mode \"surcharge\" only");
    }
    prepay__tj_pop(ctx, saved);
    if (rc != PREPAY_OK) {
        return rc;
    }
    if (any_array && !ld->tou_mode_given) {
        ld->per_band = true;
    }
    json_t *v = NULL;
    if (any_ratio) {
        p->mode = PREPAY_PRICE_DERIVED;
        rc = tj_member(ctx, obj, "base", true, &v);
        if (rc == PREPAY_OK) {
            saved = prepay__tj_push_key(ctx, "base");
            rc = prepay__tj_decimal(ctx, v, 8, 0, PREPAY_PRICE_MAX, &p->derive_base);
            prepay__tj_pop(ctx, saved);
        }
        if (rc == PREPAY_OK && (v = json_object_get(obj, "adder")) != NULL) {
            saved = prepay__tj_push_key(ctx, "adder");
            rc = prepay__tj_decimal(ctx, v, 8, 0, PREPAY_PRICE_MAX, &p->derive_adder);
            prepay__tj_pop(ctx, saved);
        }
        if (rc == PREPAY_OK && (v = json_object_get(obj, "rounding")) != NULL) {
            static const char *const rallowed[] = {"decimals", "mode", NULL};
            saved = prepay__tj_push_key(ctx, "rounding");
            rc = json_is_object(v) ? tj_check_members(ctx, v, rallowed) : tj_fail_type(ctx, "an object", v);
            json_t *f = NULL;
            if (rc == PREPAY_OK) {
                rc = tj_member(ctx, v, "decimals", true, &f);
            }
            if (rc == PREPAY_OK) {
                int64_t d = 0;
                size_t s2 = prepay__tj_push_key(ctx, "decimals");
                rc = tj_int(ctx, f, 0, 8, &d);
                p->derive_quantum = pow10_table[8 - d];
                prepay__tj_pop(ctx, s2);
            }
            if (rc == PREPAY_OK && (f = json_object_get(v, "mode")) != NULL) {
                int e = 0;
                size_t s2 = prepay__tj_push_key(ctx, "mode");
                rc = tj_enum(ctx, f, rounding_names, &e);
                p->derive_rounding = (prepay_rounding_t)e;
                prepay__tj_pop(ctx, s2);
            }
            prepay__tj_pop(ctx, saved);
        }
    } else {
        static const char *const derived_only[] = {"base", "adder", "rounding", NULL};
        for (size_t i = 0; derived_only[i]; i++) {
            if (json_object_get(obj, derived_only[i])) {
                saved = prepay__tj_push_key(ctx, derived_only[i]);
                rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                     "only used with derived prices ({\"ratio\"} bands)");
                prepay__tj_pop(ctx, saved);
                return rc;
            }
        }
    }
    if (rc == PREPAY_OK && (v = json_object_get(obj, "tier_surcharges")) != NULL) {
        saved = prepay__tj_push_key(ctx, "tier_surcharges");
        if (ld->per_band || any_array) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                 "surcharges apply with tou_mode \"surcharge\" only (per-band tier prices are given "
                                 "in full)");
        } else if (!json_is_array(v)) {
            rc = tj_fail_type(ctx, "an array of decimal strings", v);
        } else if (json_array_size(v) + 1 != ld->tier_count) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                 "%zu surcharges given, tiers 2..%u need %u", json_array_size(v), ld->tier_count,
                                 ld->tier_count - 1);
        }
        for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(v); i++) {
            size_t s2 = prepay__tj_push_index(ctx, i);
            rc = prepay__tj_decimal(ctx, json_array_get(v, i), 8, 0, PREPAY_PRICE_MAX, &p->tier_surcharge[i + 1]);
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, saved);
    } else if (rc == PREPAY_OK && ld->tier_count > 1 && !ld->per_band && !any_array) {
        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_TYPE,
                             "the ladder has %u tiers: give \"tier_surcharges\" or per-tier band prices",
                             ld->tier_count);
    }
    return rc;
}

static int tj_fixed(tj_loader_t *ld, const json_t *arr)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tariff_t *t = &ld->doc->sets[0];
    int rc = tj_bounded_array(ctx, arr, "fixed charges", PREPAY_MAX_FIXED_CHARGES, "PREPAY_MAX_FIXED_CHARGES");
    for (size_t i = 0; rc == PREPAY_OK && i < json_array_size(arr); i++) {
        json_t *fc = json_array_get(arr, i);
        json_t *v = NULL;
        size_t saved = prepay__tj_push_index(ctx, i);
        static const char *const allowed[] = {"name", "amount", "item", "per", NULL};
        rc = json_is_object(fc) ? tj_check_members(ctx, fc, allowed) : tj_fail_type(ctx, "a fixed charge", fc);
        if (rc == PREPAY_OK) {
            rc = tj_member(ctx, fc, "amount", true, &v);
        }
        if (rc == PREPAY_OK) {
            size_t s2 = prepay__tj_push_key(ctx, "amount");
            rc = prepay__tj_decimal(ctx, v, 2, 0, INT64_MAX / 4, &t->fixed_charges[i].amount);
            prepay__tj_pop(ctx, s2);
        }
        if (rc == PREPAY_OK && (v = json_object_get(fc, "item")) != NULL) {
            int64_t item = 0;
            size_t s2 = prepay__tj_push_key(ctx, "item");
            rc = tj_int(ctx, v, 0, 65535, &item);
            t->fixed_charges[i].item = (uint16_t)item;
            prepay__tj_pop(ctx, s2);
        }
        if (rc == PREPAY_OK && (v = json_object_get(fc, "per")) != NULL) {
            static const char *const names[] = {"cycle", NULL};
            int e = 0;
            size_t s2 = prepay__tj_push_key(ctx, "per");
            rc = tj_enum(ctx, v, names, &e);
            prepay__tj_pop(ctx, s2);
        }
        if (rc == PREPAY_OK && (v = json_object_get(fc, "name")) != NULL) {
            const char *name = NULL;
            size_t s2 = prepay__tj_push_key(ctx, "name");
            rc = tj_string(ctx, v, &name);
            if (rc == PREPAY_OK) {
                prepay__tj_copy(ld->doc->fixed_names[i], PREPAY_TARIFF_JSON_BAND_NAME_MAX, name);
            }
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK) {
        t->fixed_charge_count = (uint8_t)json_array_size(arr);
    }
    return rc;
}

static int tj_rounding(tj_loader_t *ld, const json_t *obj)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tariff_t *t = &ld->doc->sets[0];
    static const char *const allowed[] = {"scope", "mode", NULL};
    if (!json_is_object(obj)) {
        return tj_fail_type(ctx, "an object", obj);
    }
    int rc = tj_check_members(ctx, obj, allowed);
    json_t *v = NULL;
    int e = 0;
    if (rc == PREPAY_OK && (v = json_object_get(obj, "scope")) != NULL) {
        static const char *const names[] = {"line", "bill", NULL};
        size_t saved = prepay__tj_push_key(ctx, "scope");
        rc = tj_enum(ctx, v, names, &e);
        t->round_scope = e == 1 ? PREPAY_ROUND_PER_BILL : PREPAY_ROUND_PER_LINE;
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(obj, "mode")) != NULL) {
        size_t saved = prepay__tj_push_key(ctx, "mode");
        rc = tj_enum(ctx, v, rounding_names, &e);
        t->rounding = (prepay_rounding_t)e;
        prepay__tj_pop(ctx, saved);
    }
    return rc;
}

static int tj_meta_string(tj_ctx_t *ctx, const json_t *obj, const char *key, bool required, char *dst, size_t cap)
{
    json_t *v = NULL;
    int rc = tj_member(ctx, obj, key, required, &v);
    if (rc != PREPAY_OK || !v) {
        return rc;
    }
    const char *s = NULL;
    size_t saved = prepay__tj_push_key(ctx, key);
    rc = tj_string(ctx, v, &s);
    if (rc == PREPAY_OK && required && (s == NULL || s[0] == '\0')) {
        rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "must not be empty");
    }
    prepay__tj_pop(ctx, saved);
    if (rc == PREPAY_OK) {
        prepay__tj_copy(dst, cap, s);
    }
    return rc;
}

static int tj_document(tj_loader_t *ld, const json_t *root)
{
    tj_ctx_t *ctx = ld->ctx;
    prepay_tariff_doc_t *doc = ld->doc;
    prepay_tariff_t *t = &doc->sets[0];
    static const char *const allowed[] = {"format", "name",  "source",        "commodity",     "currency",
                                          "bands",  "prices", "prices_b",     "schedule",      "tiers",
                                          "fixed_charges", "rounding", NULL};
    if (!json_is_object(root)) {
        return tj_fail_type(ctx, "a JSON object", root);
    }
    int rc = tj_check_members(ctx, root, allowed);
    json_t *v = NULL;
    if (rc == PREPAY_OK) {
        rc = tj_member(ctx, root, "format", true, &v);
    }
    if (rc == PREPAY_OK) {
        size_t saved = prepay__tj_push_key(ctx, "format");
        if (!json_is_string(v) || strcmp(json_string_value(v), "prepay-tariff/1") != 0) {
            rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE, "must be \"prepay-tariff/1\"");
        }
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK) {
        rc = tj_meta_string(ctx, root, "name", true, doc->name, sizeof doc->name);
    }
    if (rc == PREPAY_OK) {
        rc = tj_member(ctx, root, "source", true, &v);
    }
    if (rc == PREPAY_OK) {
        static const char *const sallowed[] = {"notice", "url", "note", "license", NULL};
        size_t saved = prepay__tj_push_key(ctx, "source");
        rc = json_is_object(v) ? tj_check_members(ctx, v, sallowed) : tj_fail_type(ctx, "an object", v);
        if (rc == PREPAY_OK) {
            rc = tj_meta_string(ctx, v, "notice", true, doc->notice, sizeof doc->notice);
        }
        if (rc == PREPAY_OK) {
            rc = tj_meta_string(ctx, v, "url", false, doc->url, sizeof doc->url);
        }
        if (rc == PREPAY_OK) {
            rc = tj_meta_string(ctx, v, "note", false, doc->note, sizeof doc->note);
        }
        if (rc == PREPAY_OK) {
            char ignored[8];
            rc = tj_meta_string(ctx, v, "license", false, ignored, sizeof ignored);
        }
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK) {
        rc = tj_meta_string(ctx, root, "currency", false, doc->currency, sizeof doc->currency);
    }
    if (rc == PREPAY_OK && (v = json_object_get(root, "commodity")) != NULL) {
        static const char *const names[] = {"electricity", "water", NULL};
        int e = 0;
        size_t saved = prepay__tj_push_key(ctx, "commodity");
        rc = tj_enum(ctx, v, names, &e);
        t->unit = e == 1 ? PREPAY_TARIFF_UNIT_WATER : PREPAY_TARIFF_UNIT_ENERGY;
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK) {
        rc = tj_member(ctx, root, "bands", true, &v);
    }
    if (rc == PREPAY_OK) {
        size_t saved = prepay__tj_push_key(ctx, "bands");
        rc = tj_bands(ld, v);
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(root, "schedule")) != NULL) {
        size_t saved = prepay__tj_push_key(ctx, "schedule");
        rc = tj_schedule(ld, v);
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(root, "tiers")) != NULL) {
        size_t saved = prepay__tj_push_key(ctx, "tiers");
        rc = tj_tiers(ld, v);
        prepay__tj_pop(ctx, saved);
    }
    ld->tier_count = t->tier_count;
    if (rc == PREPAY_OK && (v = json_object_get(root, "fixed_charges")) != NULL) {
        size_t saved = prepay__tj_push_key(ctx, "fixed_charges");
        rc = tj_fixed(ld, v);
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && (v = json_object_get(root, "rounding")) != NULL) {
        size_t saved = prepay__tj_push_key(ctx, "rounding");
        rc = tj_rounding(ld, v);
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK) {
        rc = tj_member(ctx, root, "prices", true, &v);
    }
    if (rc == PREPAY_OK) {
        size_t saved = prepay__tj_push_key(ctx, "prices");
        rc = tj_prices(ld, v, false, &t->prices);
        prepay__tj_pop(ctx, saved);
    }
    if (rc == PREPAY_OK && !ld->tou_mode_given) {
        t->tou_tier_mode = ld->per_band ? PREPAY_TOU_TIER_CHRONOLOGICAL : PREPAY_TOU_TIER_UNIFORM;
    }
    if (rc == PREPAY_OK && (v = json_object_get(root, "prices_b")) != NULL) {
        size_t saved = prepay__tj_push_key(ctx, "prices_b");
        json_t *sw = NULL;
        doc->sets[1] = *t;
        rc = tj_prices(ld, v, true, &doc->sets[1].prices);
        if (rc == PREPAY_OK) {
            rc = tj_member(ctx, v, "switch_at", true, &sw);
        }
        if (rc == PREPAY_OK) {
            size_t s2 = prepay__tj_push_key(ctx, "switch_at");
            if (!json_is_string(sw) || prepay_tariff_json_parse_time(json_string_value(sw), json_string_length(sw),
                                                                     &doc->switch_time) != PREPAY_OK) {
                rc = prepay__tj_fail(ctx, PREPAY_E_HOSTED_JSON_VALUE,
                                     "expected a local time \"YYYY-MM-DD hh:mm[:ss]\"");
            }
            prepay__tj_pop(ctx, s2);
        }
        prepay__tj_pop(ctx, saved);
        doc->has_set_b = true;
    }
    return rc;
}

static void doc_defaults(prepay_tariff_doc_t *doc)
{
    memset(doc, 0, sizeof *doc);
    prepay_tariff_init(&doc->sets[0]);
    doc->sets[0].round_scope = PREPAY_ROUND_PER_BILL;
    doc->sets[0].rounding = PREPAY_ROUND_HALF_UP;
    prepay_tariff_account_init(&doc->account);
    doc->switch_time = INT64_MAX;
}

int prepay_tariff_json_load_buffer(const char *data, size_t len, const char *origin, prepay_tariff_doc_t *out,
                                   char *err, size_t err_cap)
{
    tj_ctx_t ctx;
    prepay__tj_init(&ctx, origin, err, err_cap);
    if (!data || !out) {
        return prepay__tj_fail(&ctx, PREPAY_E_INVALID_ARGUMENT, "no data or no output");
    }
    prepay_tariff_doc_t *doc = malloc(sizeof *doc);
    if (!doc) {
        return prepay__tj_fail(&ctx, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    doc_defaults(doc);
    doc->format = PREPAY_TARIFF_DOC_JSON;
    json_t *root = NULL;
    int rc = prepay__tj_parse(&ctx, data, len, &root);
    if (rc == PREPAY_OK) {
        tj_loader_t ld;
        memset(&ld, 0, sizeof ld);
        ld.ctx = &ctx;
        ld.doc = doc;
        ld.tier_count = 1;
        rc = tj_document(&ld, root);
        json_decref(root);
    }
    if (rc == PREPAY_OK) {
        rc = prepay__tj_validate_doc(&ctx, doc);
    }
    if (rc == PREPAY_OK) {
        *out = *doc;
    }
    free(doc);
    return rc;
}

int prepay_tariff_json_load_file(const char *path, prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    if (!path || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    char *data;
    size_t len;
    int rc = prepay__tj_read_file(path, &data, &len, err, err_cap);
    if (rc != PREPAY_OK) {
        return rc;
    }
    rc = prepay_tariff_json_load_buffer(data, len, path, out, err, err_cap);
    free(data);
    return rc;
}

int prepay_tariff_doc_load_file(const char *path, prepay_tariff_doc_t *out, char *err, size_t err_cap)
{
    if (!path || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    char *data;
    size_t len;
    int rc = prepay__tj_read_file(path, &data, &len, err, err_cap);
    if (rc != PREPAY_OK) {
        return rc;
    }
    /* Peek at the top level to choose the loader. */
    json_t *root = json_loadb(data, len, 0, NULL);
    bool prepay_format = true;
    if (root && json_is_object(root)) {
        json_t *format = json_object_get(root, "format");
        if (json_is_string(format)) {
            const char *f = json_string_value(format);
            prepay_format = strcmp(f, "urdb") != 0 && strcmp(f, "sam-utilityrate5") != 0;
        } else if (!format && (json_object_get(root, "energyratestructure") || json_object_get(root, "items") ||
                               json_object_get(root, "ur_ec_tou_mat"))) {
            prepay_format = false;
        }
    }
    json_decref(root);
    if (prepay_format) {
        rc = prepay_tariff_json_load_buffer(data, len, path, out, err, err_cap);
    } else {
        rc = prepay_tariff_urdb_load_buffer(data, len, path, NULL, out, err, err_cap);
    }
    free(data);
    return rc;
}
