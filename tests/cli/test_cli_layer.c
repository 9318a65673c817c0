/* SPDX-License-Identifier: MIT */
/*
 * Tests of the tools layer (tools/common): the option parser, values as
 * text, the CSV reader and writer, whole inputs and all-or-nothing outputs,
 * JSON values. Every expected value below is written by hand from the
 * documented rule (docs/cli.md, the headers), none taken from the code's
 * output.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "cli_csv.h"
#include "cli_file.h"
#include "cli_options.h"
#include "cli_text.h"
#include "prepay/hosted_status.h"
#include "prepay/status.h"

/* ---- the option parser ------------------------------------------------------------------- */

typedef struct opts {
    bool flag, has_count;
    const char *text;
    int count;
    int64_t money;
    uint64_t seed;
    int choice;
    uint8_t small;
    prepay_days_t day;
    prepay_time_t when;
    int hex;
} opts_t;

static const char *const colours[] = {"red", "green", "blue", NULL};
static const int colour_codes[] = {10, 20, 30};

static const cli_option_t table[] = {
    {"flag", CLI_OPT_FLAG(opts_t, flag), .help = "a flag"},
    {"text", CLI_OPT_TEXT(opts_t, text), .arg = "T", .help = "a text"},
    {"count", CLI_OPT_INT(opts_t, count, -5, 5), CLI_GIVEN(opts_t, has_count), .help = "an integer"},
    {"money", CLI_OPT_DECIMAL(opts_t, money, 2, 0, 100000), .help = "a decimal"},
    {"seed", CLI_OPT_U64(opts_t, seed), .help = "64 bits"},
    {"colour", CLI_OPT_CHOICE(opts_t, choice, colours), .values = colour_codes, .help = "a choice"},
    {"small", CLI_OPT_INT(opts_t, small, 0, 255), .help = "a byte"},
    {"day", CLI_OPT_DATE(opts_t, day), .help = "a date"},
    {"when", CLI_OPT_TIME(opts_t, when), .help = "a time"},
    {"hex", CLI_OPT_INT(opts_t, hex, 0, 0xFFFF), .flags = CLI_NUMBER_HEX, .help = "hex"},
    {"again", CLI_OPT_TEXT(opts_t, text), .flags = CLI_REPEATABLE, .help = NULL},
    {.name = NULL},
};

static const cli_spec_t spec = {
    .program = "test",
    .usage = "FILE [options]",
    .summary = "A test command.",
    .options = table,
    .args = "FILE OTHER",
    .min_args = 1,
    .max_args = 2,
    .json = true,
};

/* Parses a NULL-terminated list of arguments (argv[0] "test"). */
static int run(opts_t *o, cli_args_t *args, char *err, const char *first, ...)
{
    static char words[24][96];
    char *argv[25];
    int argc = 0;
    argv[argc++] = words[0];
    snprintf(words[0], sizeof words[0], "test");
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 24; a = va_arg(ap, const char *)) {
        snprintf(words[argc], sizeof words[argc], "%s", a);
        argv[argc] = words[argc];
        argc++;
    }
    va_end(ap);
    argv[argc] = NULL;
    memset(o, 0, sizeof *o);
    err[0] = '\0';
    return cli_parse(&spec, argc, argv, o, args, err, 256);
}

static void test_values_both_spellings(void **state)
{
    (void)state;
    opts_t o;
    cli_args_t a;
    char err[256];
    assert_int_equal(run(&o, &a, err, "f.csv", "--text", "abc", "--count=-5", "--money", "12.3", "--seed=18446744073709551615",
                         "--colour", "blue", "--small=255", "--day", "2026/07/01", "--when=2026-07-01 08:30",
                         "--hex", "fF", "--flag", NULL),
                     0);
    assert_string_equal(o.text, "abc");
    assert_int_equal(o.count, -5);
    assert_true(o.has_count);
    assert_int_equal(o.money, 1230);
    assert_true(o.seed == UINT64_MAX);
    assert_int_equal(o.choice, 30);
    assert_int_equal(o.small, 255);
    /* 2026-07-01 is day 9678 since 2000-01-01 (26 years with 7 leap days = 9497, + 181 days of 2026). */
    assert_int_equal(o.day, 9678);
    assert_true(o.when == (prepay_time_t)9678 * 86400 + 8 * 3600 + 30 * 60);
    assert_int_equal(o.hex, 0xFF);
    assert_true(o.flag);
    assert_int_equal(a.count, 1);
    assert_string_equal(a.args[0], "f.csv");
    assert_false(a.json || a.help || a.version);
}

static void test_arguments(void **state)
{
    (void)state;
    opts_t o;
    cli_args_t a;
    char err[256];
    /* '-' and negative numbers are arguments; after '--' everything is. */
    assert_int_equal(run(&o, &a, err, "-", "-12", NULL), 0);
    assert_int_equal(a.count, 2);
    assert_string_equal(a.args[0], "-");
    assert_string_equal(a.args[1], "-12");
    assert_int_equal(run(&o, &a, err, "--", "--flag", NULL), 0);
    assert_false(o.flag);
    assert_string_equal(a.args[0], "--flag");
    /* A value may begin with a dash: it belongs to its option. */
    assert_int_equal(run(&o, &a, err, "f", "--text", "--json", NULL), 0);
    assert_string_equal(o.text, "--json");
    assert_false(a.json);
    assert_int_equal(run(&o, &a, err, "f", "--json", NULL), 0);
    assert_true(a.json);
    assert_int_equal(run(&o, &a, err, NULL), CLI_EXIT_USAGE);
    assert_string_equal(err, "missing FILE (try --help)");
    assert_int_equal(run(&o, &a, err, "a", "b", "c", NULL), CLI_EXIT_USAGE);
    assert_string_equal(err, "unexpected argument 'c' (try --help)");
}

static void expect_refused(const char *arg, const char *value, const char *message)
{
    opts_t o;
    cli_args_t a;
    char err[256];
    assert_int_equal(run(&o, &a, err, "f", arg, value, NULL), CLI_EXIT_USAGE);
    if (strcmp(err, message) != 0) {
        fail_msg("%s %s: got \"%s\", want \"%s\"", arg, value ? value : "", err, message);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    expect_refused("--nope", NULL, "unknown option '--nope' (try --help)");
    expect_refused("-x", NULL, "unknown option '-x' (options are spelled --name; try --help)");
    expect_refused("--text", NULL, "option --text needs a value (T)");
    expect_refused("--flag=yes", NULL, "option --flag takes no value");
    expect_refused("--count", "6", "--count takes an integer -5..5, not '6'");
    expect_refused("--count", "+1", "--count takes an integer -5..5, not '+1'");
    expect_refused("--count", "1x", "--count takes an integer -5..5, not '1x'");
    expect_refused("--small", "256", "--small takes an integer 0..255, not '256'");
    expect_refused("--small", "-0", "--small takes an integer 0..255, not '-0'");
    expect_refused("--money", "1.234", "--money takes a decimal with at most 2 places, 0.00..1000.00, not '1.234'");
    expect_refused("--money", "-1", "--money takes a decimal with at most 2 places, 0.00..1000.00, not '-1'");
    expect_refused("--seed", "18446744073709551616", "--seed takes an integer 0..18446744073709551615, not "
                                                     "'18446744073709551616'");
    expect_refused("--colour", "pink", "--colour takes red, green or blue, not 'pink'");
    expect_refused("--day", "2026-02-29", "--day takes a date YYYY-MM-DD or YYYY/MM/DD, not '2026-02-29'");
    expect_refused("--hex", "0x10", "--hex takes a hexadecimal number 0..65535, not '0x10'");
    /* Given twice: refused, unless repeatable. */
    opts_t o;
    cli_args_t a;
    char err[256];
    assert_int_equal(run(&o, &a, err, "f", "--text", "a", "--text=b", NULL), CLI_EXIT_USAGE);
    assert_string_equal(err, "option --text given twice");
    assert_int_equal(run(&o, &a, err, "f", "--again", "a", "--again", "b", NULL), 0);
    assert_string_equal(o.text, "b");
    /* The first problem is kept. */
    assert_int_equal(run(&o, &a, err, "f", "--nope", "--count", "9", NULL), CLI_EXIT_USAGE);
    assert_string_equal(err, "unknown option '--nope' (try --help)");
}

static void test_help_and_version_win(void **state)
{
    (void)state;
    opts_t o;
    cli_args_t a;
    char err[256];
    assert_int_equal(run(&o, &a, err, "--nope", "--count", "99", "-h", NULL), 0);
    assert_true(a.help);
    assert_int_equal(run(&o, &a, err, "--version", NULL), 0);
    assert_true(a.version);
    /* ... but not as the value of an option, nor after '--'. */
    assert_int_equal(run(&o, &a, err, "f", "--text", "--help", NULL), 0);
    assert_false(a.help);
    assert_int_equal(run(&o, &a, err, "f", "--", "--version", NULL), 0);
    assert_false(a.version);
}

static void test_given_and_only(void **state)
{
    (void)state;
    opts_t o;
    cli_args_t a;
    char err[256];
    assert_int_equal(run(&o, &a, err, "f", "--flag", "--money", "1", NULL), 0);
    assert_true(cli_given(&spec, &a, "flag"));
    assert_true(cli_given(&spec, &a, "money"));
    assert_false(cli_given(&spec, &a, "text"));
    assert_false(cli_given(&spec, &a, "no-such-option"));
    assert_int_equal(cli_only(&spec, &a, "flag money", "this", err, sizeof err), 0);
    assert_int_equal(cli_only(&spec, &a, "flag moneys", "this", err, sizeof err), CLI_EXIT_USAGE);
    assert_string_equal(err, "option --money does not apply to this");
}

static void test_help_text(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    cli_help(&spec, f);
    fclose(f);
    assert_non_null(strstr(text, "usage: test FILE [options]\n"));
    assert_non_null(strstr(text, "  --colour red|green|blue"));
    assert_non_null(strstr(text, "  --text T "));
    assert_non_null(strstr(text, "  --json "));
    assert_non_null(strstr(text, "  -h, --help "));
    assert_null(strstr(text, "--again")); /* no help line: hidden */
    free(text);
}

/* ---- values as text ------------------------------------------------------------------------- */

static void test_text_values(void **state)
{
    (void)state;
    char buf[CLI_TEXT_MAX];
    assert_string_equal(cli_fixed_text(-1234, 2, buf), "-12.34");
    assert_string_equal(cli_fixed_text(5, 3, buf), "0.005");
    /* Amounts: minor units (0.01) plus nanos of a minor unit: 1234 + 5e-9 minor units = 12.34000000005. */
    prepay_amount_t a = {1234, 5};
    assert_string_equal(cli_amount_text(a, buf), "12.34000000005");
    prepay_amount_t whole = {1200, 0};
    assert_string_equal(cli_amount_text(whole, buf), "12.00");
    /* -0.25 units = {-1, 750000000}: -0.0025 currency units. */
    prepay_amount_t negative = {-1, 750000000};
    assert_string_equal(cli_amount_text(negative, buf), "-0.0025");
    prepay_amount_t minus_one = {-100, 0};
    assert_string_equal(cli_amount_text(minus_one, buf), "-1.00");
    assert_string_equal(cli_month_day_text(2, 29, buf), "02-29");
    assert_string_equal(cli_month_day_text(2, 30, buf), "?");
    assert_string_equal(cli_time_of_day_text(86400, false, buf), "24:00");
    assert_string_equal(cli_date_text(0, buf), "2000-01-01");
    assert_string_equal(cli_time_text(86399, PREPAY_TIME_TEXT_ISO, buf), "2000-01-01T23:59:59");
    prepay_time_t now = 0;
    assert_int_equal(cli_now(&now), 0);
    assert_true(now > 0);
}

static void test_text_parsers(void **state)
{
    (void)state;
    int64_t v = 0;
    uint64_t u = 0;
    assert_int_equal(cli_parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, 0, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(cli_parse_int("9223372036854775808", INT64_MIN, INT64_MAX, 0, &v), -1);
    assert_int_equal(cli_parse_int("0x7fff", 0, 0x7FFF, CLI_NUMBER_PREFIX, &v), 0);
    assert_int_equal(v, 0x7FFF);
    assert_int_equal(cli_parse_int("0x", 0, 10, CLI_NUMBER_PREFIX, &v), -1);
    assert_int_equal(cli_parse_int("", 0, 10, 0, &v), -1);
    assert_int_equal(cli_parse_int(" 1", 0, 10, 0, &v), -1);
    assert_int_equal(cli_parse_u64("18446744073709551615", UINT64_MAX, 0, &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(cli_parse_u64("18446744073709551616", UINT64_MAX, 0, &u), -1);
    assert_int_equal(cli_parse_decimal("0.5", 3, 1, 1000, &v), 0);
    assert_int_equal(v, 500);
    assert_int_equal(cli_parse_decimal("1e3", 3, 0, INT64_MAX, &v), -1);
    assert_int_equal(cli_parse_hex_digits("0001FF00", 8, &u), 0);
    assert_true(u == 0x0001FF00u);
    assert_int_equal(cli_parse_hex_digits("0001FF0", 8, &u), -1);
    assert_int_equal(cli_parse_hex_digits("0x01FF00", 8, &u), -1);
    uint8_t bytes[8];
    assert_int_equal(cli_parse_hex_bytes("68 0x16,ab:CD", bytes, sizeof bytes), 4);
    assert_int_equal(bytes[0], 0x68);
    assert_int_equal(bytes[1], 0x16);
    assert_int_equal(bytes[2], 0xAB);
    assert_int_equal(bytes[3], 0xCD);
    assert_int_equal(cli_parse_hex_bytes("6 8", bytes, sizeof bytes), -1);
    assert_int_equal(cli_parse_hex_bytes("686", bytes, sizeof bytes), -1);
    assert_int_equal(cli_parse_hex_bytes("00 11 22", bytes, 2), -1);
    assert_int_equal(cli_parse_hex_bytes("", bytes, sizeof bytes), 0);
}

/* ---- CSV --------------------------------------------------------------------------------------- */

/* Reads every record of text; the fields of record r joined by '|' into out[r]. Returns the count, or -1. */
static int read_csv(const char *text, char out[8][128], unsigned long lines[8], char *err)
{
    cli_csv_t csv;
    cli_csv_init(&csv, text, strlen(text), "t.csv");
    int n = 0, got;
    while ((got = cli_csv_next(&csv, err, 256)) == 1 && n < 8) {
        out[n][0] = '\0';
        for (size_t i = 0; i < csv.count; i++) {
            strcat(out[n], i ? "|" : "");
            strcat(out[n], csv.fields[i]);
            assert_int_equal(strlen(csv.fields[i]), csv.lengths[i]);
        }
        lines[n] = csv.record_line;
        n++;
    }
    cli_csv_free(&csv);
    return got < 0 ? -1 : n;
}

static void test_csv_reads_rfc4180(void **state)
{
    (void)state;
    char rec[8][128], err[256];
    unsigned long lines[8];
    const char *text = "\xEF\xBB\xBFtime,register\r\n"
                       "# a comment\n"
                       "\n"
                       "  2026/07/01 00:00 , 12.5 \r\n"
                       "\"2026-07-01 01:00\",\"1,5\"\n"
                       "\"say \"\"hi\"\"\",\"two\nlines\",\n"
                       "last,\"\"";
    assert_int_equal(read_csv(text, rec, lines, err), 5);
    assert_string_equal(rec[0], "time|register"); /* the byte order mark is not part of the first field */
    assert_int_equal(lines[0], 1);
    assert_string_equal(rec[1], "2026/07/01 00:00|12.5");
    assert_int_equal(lines[1], 4);
    assert_string_equal(rec[2], "2026-07-01 01:00|1,5");
    assert_int_equal(lines[2], 5);
    assert_string_equal(rec[3], "say \"hi\"|two\nlines|");
    assert_int_equal(lines[3], 6);
    assert_string_equal(rec[4], "last|");
    assert_int_equal(lines[4], 8); /* the quoted line break counted */
}

static void expect_csv_error(const char *text, const char *message)
{
    char rec[8][128], err[256];
    unsigned long lines[8];
    assert_int_equal(read_csv(text, rec, lines, err), -1);
    if (strcmp(err, message) != 0) {
        fail_msg("got \"%s\", want \"%s\"", err, message);
    }
}

static void test_csv_refusals(void **state)
{
    (void)state;
    expect_csv_error("a,b\nx,y\"z\n", "t.csv:2: field 2: a quote inside an unquoted field (quote the whole field, "
                                     "quotes doubled)");
    expect_csv_error("a\n\"x\" y,z\n", "t.csv:2: field 1: text after the closing quote");
    expect_csv_error("a\nb,\"open\nstill open", "t.csv:2: field 2: a quoted field is not closed");
    char nul[] = "a,b\nc,d\0e\n";
    cli_csv_t csv;
    char err[256];
    cli_csv_init(&csv, nul, sizeof nul - 1, "t.csv");
    assert_int_equal(cli_csv_next(&csv, err, sizeof err), 1);
    assert_int_equal(cli_csv_next(&csv, err, sizeof err), -1);
    assert_string_equal(err, "t.csv:2: a NUL byte");
    assert_int_equal(cli_csv_next(&csv, err, sizeof err), 0); /* nothing more after an error */
    cli_csv_free(&csv);
    char many[3 * (CLI_CSV_FIELDS_MAX + 1) + 1];
    size_t k = 0;
    for (int i = 0; i <= CLI_CSV_FIELDS_MAX; i++) {
        many[k++] = 'x';
        many[k++] = ',';
    }
    many[k - 1] = '\n';
    many[k] = '\0';
    char want[64];
    snprintf(want, sizeof want, "t.csv:1: more than %d fields", CLI_CSV_FIELDS_MAX);
    expect_csv_error(many, want);
    char *long_record = malloc(CLI_CSV_RECORD_MAX + 16);
    assert_non_null(long_record);
    memset(long_record, 'y', CLI_CSV_RECORD_MAX + 8);
    long_record[CLI_CSV_RECORD_MAX + 8] = '\0';
    snprintf(want, sizeof want, "t.csv:1: a record longer than %d bytes", CLI_CSV_RECORD_MAX);
    expect_csv_error(long_record, want);
    free(long_record);
}

static void test_csv_writer_round_trip(void **state)
{
    (void)state;
    const char *fields[] = {"plain", "a,b", "say \"hi\"", " padded ", "#hash", "two\nlines", "", "x"};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(cli_csv_write_field(f, fields[i]), 0);
        fputc(i + 1 < 8 ? ',' : '\n', f);
    }
    fclose(f);
    assert_non_null(strstr(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\" padded \",\"#hash\",\"two\nlines\",,x\n"));
    cli_csv_t csv;
    char err[256];
    cli_csv_init(&csv, text, len, "mem");
    assert_int_equal(cli_csv_next(&csv, err, sizeof err), 1);
    assert_int_equal(csv.count, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_string_equal(csv.fields[i], fields[i]);
    }
    cli_csv_free(&csv);
    free(text);
}

/* ---- files ------------------------------------------------------------------------------------- */

static char scratch[256];

static void test_inputs(void **state)
{
    (void)state;
    char path[300], err[512], *text = NULL;
    size_t len = 0;
    int status = 0;
    snprintf(path, sizeof path, "%s/input.txt", scratch);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("twelve bytes", f);
    fclose(f);
    assert_int_equal(cli_read_input(path, 12, &text, &len, &status, err, sizeof err), 0);
    assert_int_equal(len, 12);
    assert_string_equal(text, "twelve bytes");
    free(text);
    assert_int_equal(cli_read_input(path, 11, &text, &len, &status, err, sizeof err), -1);
    assert_int_equal(status, PREPAY_E_HOSTED_IO);
    assert_non_null(strstr(err, "12 bytes, more than the 11 bytes accepted"));
    assert_null(text);
    assert_int_equal(cli_read_input(scratch, 100, &text, &len, &status, err, sizeof err), -1);
    assert_non_null(strstr(err, ": not a regular file"));
    snprintf(path, sizeof path, "%s/missing.txt", scratch);
    assert_int_equal(cli_read_input(path, 100, &text, &len, &status, err, sizeof err), -1);
    assert_non_null(strstr(err, ": cannot open: No such file or directory"));
    assert_string_equal(cli_input_name("-"), "<stdin>");
}

static void test_outputs_all_or_nothing(void **state)
{
    (void)state;
    char path[300], err[512];
    snprintf(path, sizeof path, "%s/out.txt", scratch);
    unlink(path);
    cli_output_t out;
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    fputs("half", out.file);
    cli_output_abort(&out);
    assert_int_equal(access(path, F_OK), -1); /* an aborted output leaves no file */
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    fputs("whole", out.file);
    assert_int_equal(access(path, F_OK), -1); /* not there before the commit */
    assert_int_equal(cli_output_commit(&out, err, sizeof err), 0);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(cli_read_input(path, 100, &text, &len, NULL, err, sizeof err), 0);
    assert_string_equal(text, "whole");
    free(text);
    /* The output keeps its own copy of the path: the caller's buffer may be reused (or gone) before
     * the commit (the demo once committed its report under whatever text had replaced the name). */
    snprintf(path, sizeof path, "%s/kept.txt", scratch);
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), 0);
    fputs("kept", out.file);
    snprintf(path, sizeof path, "%s/0.010", scratch);
    assert_int_equal(cli_output_commit(&out, err, sizeof err), 0);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/kept.txt", scratch);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/no-such-dir/out.txt", scratch);
    assert_int_equal(cli_output_open(&out, path, err, sizeof err), -1);
    assert_non_null(strstr(err, ": cannot create: No such file or directory"));
}

/* ---- JSON values ---------------------------------------------------------------------------------- */

static void test_json_values(void **state)
{
    (void)state;
    json_t *s = cli_json_text("a\xff" "b");
    assert_non_null(s);
    assert_string_equal(json_string_value(s), "a\xEF\xBF\xBD" "b"); /* U+FFFD for the byte that is not UTF-8 */
    json_decref(s);
    json_t *big = cli_json_u64(UINT64_MAX);
    assert_string_equal(json_string_value(big), "18446744073709551615");
    json_decref(big);
    json_t *small = cli_json_u64(42);
    assert_true(json_is_integer(small) && json_integer_value(small) == 42);
    json_decref(small);
    uint8_t bytes[] = {0x68, 0x0A};
    json_t *hex = cli_json_hex(bytes, 2);
    assert_string_equal(json_string_value(hex), "680A");
    json_decref(hex);
    json_t *r = cli_result();
    cli_set(r, "money", cli_json_fixed(-5, 2));
    char *text = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(text, "{\"ok\":true,\"money\":\"-0.05\"}");
    free(text);
    json_decref(r);
}

int main(void)
{
    snprintf(scratch, sizeof scratch, "%s/prepay-cli-layer.%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    if (mkdir(scratch, 0700) != 0) {
        perror(scratch);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_both_spellings), cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_refusals),              cmocka_unit_test(test_help_and_version_win),
        cmocka_unit_test(test_given_and_only),        cmocka_unit_test(test_help_text),
        cmocka_unit_test(test_text_values),           cmocka_unit_test(test_text_parsers),
        cmocka_unit_test(test_csv_reads_rfc4180),     cmocka_unit_test(test_csv_refusals),
        cmocka_unit_test(test_csv_writer_round_trip), cmocka_unit_test(test_inputs),
        cmocka_unit_test(test_outputs_all_or_nothing), cmocka_unit_test(test_json_values),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    char command[400];
    snprintf(command, sizeof command, "rm -rf '%s'", scratch);
    if (system(command) != 0) {
        fprintf(stderr, "could not remove %s\n", scratch);
    }
    return failed;
}
