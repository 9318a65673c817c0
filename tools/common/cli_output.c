/* SPDX-License-Identifier: MIT */
/* The tools layer: errors, warnings, JSON results and the end of a program (cli.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_text.h"
#include "json_internal.h"
#include "prepay/status.h"
#include "prepay/version.h"

#include "cli_source_version.h"

static int report(const cli_t *cli, int exit_code, int status, const char *fmt, va_list ap) CLI_PRINTF(4, 0);

static int report(const cli_t *cli, int exit_code, int status, const char *fmt, va_list ap)
{
    char message[CLI_MESSAGE_MAX];
    vsnprintf(message, sizeof message, fmt, ap);
    /* One line, whatever the message quotes. */
    for (char *p = message; *p != '\0'; p++) {
        if (*p == '\n' || *p == '\r') {
            *p = ' ';
        }
    }
    fflush(stdout); /* results printed before the error stay before it */
    fprintf(stderr, "%s: %s\n", cli->program, message);
    if (cli->json) {
        json_t *error = json_object();
        cli_set(error, "code", json_integer(status));
        cli_set(error, "status", cli_json_text(prepay_strerror(status)));
        cli_set(error, "message", cli_json_text(message));
        cli_set(error, "exit", json_integer(exit_code));
        json_t *obj = json_object();
        cli_set(obj, "ok", json_false());
        cli_set(obj, "error", error);
        (void)cli_emit(cli, obj); /* a write error is reported by cli_finish() */
    }
    return exit_code;
}

int cli_error(const cli_t *cli, int exit_code, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report(cli, exit_code, status, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_bad(const cli_t *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report(cli, CLI_EXIT_USAGE, PREPAY_E_INVALID_ARGUMENT, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_bad_status(const cli_t *cli, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report(cli, CLI_EXIT_USAGE, status, fmt, ap);
    va_end(ap);
    return rc;
}

int cli_fail(const cli_t *cli, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = report(cli, CLI_EXIT_FAILED, status, fmt, ap);
    va_end(ap);
    return rc;
}

void cli_warn(const cli_t *cli, const char *fmt, ...)
{
    char message[CLI_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fflush(stdout);
    fprintf(stderr, "%s: warning: %s\n", cli->program, message);
}

int cli_message(int result, char *err, size_t err_cap, const char *fmt, ...)
{
    if (err_cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_cap, fmt, ap);
        va_end(ap);
        /* A message is one line, whatever input text it quotes (a quoted CSV field may hold line breaks). */
        for (char *p = err; *p != '\0'; p++) {
            if (*p == '\n' || *p == '\r') {
                *p = ' ';
            }
        }
    }
    return result;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

json_t *cli_result(void)
{
    json_t *obj = json_object();
    cli_set(obj, "ok", json_true());
    return obj;
}

void cli_set(json_t *obj, const char *key, json_t *value)
{
    /* jansson keeps insertion order with JSON_PRESERVE_ORDER; a NULL value (no memory) becomes null. */
    json_object_set_new(obj, key, value ? value : json_null());
}

int cli_emit(const cli_t *cli, json_t *obj)
{
    int rc = obj ? json_dumpf(obj, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER) : -1;
    json_decref(obj);
    if (rc != 0 || fputc('\n', stdout) == EOF) {
        fprintf(stderr, "%s: cannot write the result: %s\n", cli->program, obj ? strerror(errno) : "out of memory");
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

json_t *cli_json_fixed(int64_t value, unsigned decimals)
{
    char text[CLI_TEXT_MAX];
    return json_string(cli_fixed_text(value, decimals, text));
}

json_t *cli_json_amount(prepay_amount_t amount)
{
    char text[CLI_TEXT_MAX];
    return json_string(cli_amount_text(amount, text));
}

json_t *cli_json_time(prepay_time_t t, prepay_time_text_t form)
{
    char text[CLI_TEXT_MAX];
    return json_string(cli_time_text(t, form, text));
}

json_t *cli_json_date(prepay_days_t days)
{
    char text[CLI_TEXT_MAX];
    return json_string(cli_date_text(days, text));
}

json_t *cli_json_text(const char *text)
{
    if (text == NULL) {
        return json_string("");
    }
    json_t *s = json_string(text);
    if (s != NULL) {
        return s;
    }
    /* Not UTF-8: through the one escaper, which writes U+FFFD for what is not, then back. */
    size_t len = strlen(text);
    size_t need = prepay__json_escape(NULL, 0, text, len) + 3;
    char *quoted = malloc(need);
    if (quoted == NULL) {
        return NULL;
    }
    quoted[0] = '"';
    prepay__json_escape(quoted + 1, need - 2, text, len);
    strcat(quoted, "\"");
    s = json_loads(quoted, JSON_DECODE_ANY, NULL);
    free(quoted);
    return s;
}

json_t *cli_json_hex(const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789ABCDEF";
    char *text = malloc(2 * len + 1);
    if (text == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        text[2 * i] = digits[bytes[i] >> 4];
        text[2 * i + 1] = digits[bytes[i] & 0x0Fu];
    }
    text[2 * len] = '\0';
    json_t *s = json_string(text);
    free(text);
    return s;
}

json_t *cli_json_u64(uint64_t value)
{
    if (value <= (uint64_t)INT64_MAX) {
        return json_integer((json_int_t)value);
    }
    char text[24];
    snprintf(text, sizeof text, "%" PRIu64, value);
    return json_string(text);
}

void cli_print_hex(const uint8_t *bytes, size_t len, const char *separator)
{
    for (size_t i = 0; i < len; i++) {
        printf("%s%02X", i ? separator : "", bytes[i]);
    }
}

int cli_emit_frame(const cli_t *cli, const uint8_t *bytes, size_t len)
{
    if (cli->json) {
        json_t *obj = cli_result();
        cli_set(obj, "frame", cli_json_hex(bytes, len));
        cli_set(obj, "length", json_integer((json_int_t)len));
        return cli_emit(cli, obj);
    }
    cli_print_hex(bytes, len, " ");
    putchar('\n');
    return CLI_EXIT_OK;
}

/* ---- the end of a program ------------------------------------------------------------------- */

const char *cli_source_version(void)
{
    return CLI_SOURCE_VERSION;
}

int cli_print_version(const cli_t *cli)
{
    if (cli->json) {
        json_t *obj = cli_result();
        cli_set(obj, "program", cli_json_text(cli->program));
        cli_set(obj, "version", json_string(prepay_version()));
        cli_set(obj, "source", json_string(cli_source_version()));
        return cli_emit(cli, obj);
    }
    printf("%s %s\n", cli->program, prepay_version());
    return CLI_EXIT_OK;
}

int cli_finish(const cli_t *cli, int exit_code)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "%s: cannot write the output: %s\n", cli->program, strerror(errno));
        return exit_code == CLI_EXIT_OK ? CLI_EXIT_FAILED : exit_code;
    }
    return exit_code;
}
