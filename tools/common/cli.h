/* SPDX-License-Identifier: MIT */
/*
 * The tools layer shared by `prepay` and `prepay-emu` (hosted): how a
 * command reports, exits and writes JSON. docs/cli.md is the manual; this
 * header is the contract.
 *
 * Exit status: CLI_EXIT_OK (0) the command did what it was asked;
 * CLI_EXIT_FAILED (1) the operation failed (a meter, a link, a journal, an
 * output file, a check); CLI_EXIT_USAGE (2) the command line or an input
 * file is wrong, and nothing was done.
 *
 * Messages: every error is ONE line on stderr, "PROGRAM: message". With
 * --json, stdout carries only JSON objects, one per line (compact, members
 * in a fixed order); each starts with "ok": true for a result, or is
 *     {"ok":false,"error":{"code":N,"status":"...","message":"...","exit":2}}
 * for an error (code: the libprepay status, status: prepay_strerror(code),
 * message: the line also written to stderr, without the program prefix;
 * exit: the exit status the command ends with).
 */
#ifndef PREPAY_TOOL_CLI_H
#define PREPAY_TOOL_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILED 1
#define CLI_EXIT_USAGE 2

/* A buffer that holds any one-line message of the tools. */
#define CLI_MESSAGE_MAX 1024

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* One run of a command: the prefix of its messages and whether --json was given. */
typedef struct cli {
    const char *program; /* "prepay bill", "prepay-emu" */
    bool json;
} cli_t;

/*
 * Reports an error and returns exit_code: one line on stderr, and with
 * --json the error object on stdout. status is the libprepay status behind
 * it (PREPAY_E_INVALID_ARGUMENT for a bad command line).
 */
int cli_error(const cli_t *cli, int exit_code, int status, const char *fmt, ...) CLI_PRINTF(4, 5);
/* A bad command line or input: exit 2, status PREPAY_E_INVALID_ARGUMENT. */
int cli_bad(const cli_t *cli, const char *fmt, ...) CLI_PRINTF(2, 3);
/* A bad input with the library's status: exit 2. */
int cli_bad_status(const cli_t *cli, int status, const char *fmt, ...) CLI_PRINTF(3, 4);
/* A failed operation: exit 1. */
int cli_fail(const cli_t *cli, int status, const char *fmt, ...) CLI_PRINTF(3, 4);
/* A warning line on stderr ("PROGRAM: warning: ..."); never on stdout. */
void cli_warn(const cli_t *cli, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Writes a one-line message into err (for an input stage that reports through its caller); returns result. */
int cli_message(int result, char *err, size_t err_cap, const char *fmt, ...) CLI_PRINTF(4, 5);

/* ---- JSON results ------------------------------------------------------------------------ */

/* A new result object {"ok": true}; add members with json_object_set_new() and the helpers below. */
json_t *cli_result(void);
/* Writes obj as one compact line on stdout and releases it. Returns 0, or
 * CLI_EXIT_FAILED after a write error (reported). */
int cli_emit(const cli_t *cli, json_t *obj);
/* Sets obj[key] = value (value NULL: null), keeping the order members are added in. */
void cli_set(json_t *obj, const char *key, json_t *value);

/* JSON values. Exact numbers are decimal strings: cli_json_fixed(1234, 2) is "12.34". */
json_t *cli_json_fixed(int64_t value, unsigned decimals);
/* An exact amount (minor units + nanos) as a decimal string of currency units ("12.3400000005"). */
json_t *cli_json_amount(prepay_amount_t amount);
/* A time as text of the given form (PREPAY_TIME_TEXT_ISO, ...). */
json_t *cli_json_time(prepay_time_t t, prepay_time_text_t form);
/* A date YYYY-MM-DD. */
json_t *cli_json_date(prepay_days_t days);
/* Any bytes as a JSON string (invalid UTF-8 becomes U+FFFD); NULL gives "". */
json_t *cli_json_text(const char *text);
/* Bytes as uppercase hex without separators ("6811..."). */
json_t *cli_json_hex(const uint8_t *bytes, size_t len);
/* An unsigned integer: a JSON integer up to 2^63-1, else a decimal string. */
json_t *cli_json_u64(uint64_t value);

/* Bytes as hex pairs separated by `separator` ("68 11 ..."), on stdout. */
void cli_print_hex(const uint8_t *bytes, size_t len, const char *separator);
/* A frame built by an encoder: uppercase hex pairs on one line, or {"ok":true,"frame":HEX,"length":N}. */
int cli_emit_frame(const cli_t *cli, const uint8_t *bytes, size_t len);

/* ---- end of a program ------------------------------------------------------------------- */

/* Prints "PROGRAM VERSION" (or {"ok":true,"program":...,"version":...,"source":...} with --json). Returns 0. */
int cli_print_version(const cli_t *cli);
/* The source revision the tools were built from: `git describe --tags --always --dirty`
 * at build time ("v0.2.0", "v0.2.0-4-g1a2b3c4-dirty"), or the project version outside git. */
const char *cli_source_version(void);
/* Flushes stdout; a write error (a full disk, a closed pipe) turns exit 0 into 1, reported. */
int cli_finish(const cli_t *cli, int exit_code);

#endif
