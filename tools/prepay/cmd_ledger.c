/*
 * prepay ledger: a durable prepaid ledger in a journal file (hosted).
 *
 *   prepay ledger --journal FILE [--json] COMMAND ...
 *
 * Each run recovers the ledger from FILE (and FILE.snapshot if present),
 * runs one command, and makes any change durable (one batch, one fsync)
 * before reporting it. Amounts are decimal yuan ("12.34"), parsed exactly
 * into fen. Bad input: one line on stderr, exit 2; a refused operation or a
 * journal failure: exit 1.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

/* Accounts the tool creates on first use (documented in --help). */
#define CLEARING_ID UINT64_C(9000000001)
#define REFUNDS_ID UINT64_C(9000000002)
#define REVENUE_BASE_ID UINT64_C(9000000100)

#define DEFAULT_ACCOUNTS 4096u
#define DEFAULT_TRANSFERS (1u << 18)
#define MAX_ROWS 4096u

static const char usage_text[] =
    "usage: prepay ledger --journal FILE [--json] COMMAND ...\n"
    "commands:\n"
    "  open ACCOUNT --kind KIND [--overdraft AMOUNT] [--max-balance AMOUNT] [--item ITEM]\n"
    "  recharge ACCOUNT AMOUNT --payment-id ID [--time T]\n"
    "  refund ACCOUNT AMOUNT --id ID [--time T]\n"
    "  deduct ACCOUNT AMOUNT --item ITEM --id ID [--meter M --from T --to T] [--time T]\n"
    "  balance ACCOUNT\n"
    "  history ACCOUNT\n"
    "  summary --by day|month|year [--from T] [--to T]\n"
    "  verify\n"
    "  snapshot            write FILE.snapshot and compact the journal\n"
    "ACCOUNT: a positive integer id. AMOUNT: yuan, e.g. 12.34 (at most 2 decimals).\n"
    "KIND: wallet revenue clearing refunds emergency common-area adjustments debt.\n"
    "ITEM: electricity water gas property-fee common-area service-fee.\n"
    "ID: a positive integer, or any other text (hashed to a 64-bit id, FNV-1a).\n"
    "T: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], local time; --time defaults to now.\n"
    "Recharges debit account 9000000001 (payment clearing), refunds credit\n"
    "9000000002 (refunds payable), deductions credit 9000000100 + item code\n"
    "(revenue); they are opened automatically on first use.\n";

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    const char *journal, *kind, *overdraft, *max_balance, *item, *payment_id, *id, *meter, *from, *to, *by,
        *time;
    bool json;
    const char *positional[4];
    int positional_count;
} options_t;

static const struct {
    const char *name;
    size_t offset;
} value_options[] = {
    {"--journal", offsetof(options_t, journal)},
    {"--kind", offsetof(options_t, kind)},
    {"--overdraft", offsetof(options_t, overdraft)},
    {"--max-balance", offsetof(options_t, max_balance)},
    {"--item", offsetof(options_t, item)},
    {"--payment-id", offsetof(options_t, payment_id)},
    {"--id", offsetof(options_t, id)},
    {"--meter", offsetof(options_t, meter)},
    {"--from", offsetof(options_t, from)},
    {"--to", offsetof(options_t, to)},
    {"--by", offsetof(options_t, by)},
    {"--time", offsetof(options_t, time)},
};

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static int bad_input(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fputs("prepay ledger: ", stderr);
    vfprintf(stderr, fmt, args);
    fputc('\n', stderr);
    va_end(args);
    return 2;
}

static int parse_options(int argc, char **argv, options_t *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strncmp(arg, "--", 2) == 0) {
            size_t k = 0;
            while (k < sizeof value_options / sizeof value_options[0] && strcmp(arg, value_options[k].name) != 0) {
                k++;
            }
            if (k == sizeof value_options / sizeof value_options[0]) {
                return bad_input("unknown option '%s' (try 'prepay ledger --help')", arg);
            }
            if (i + 1 >= argc) {
                return bad_input("option %s needs a value", arg);
            }
            const char **slot = (const char **)(void *)((char *)o + value_options[k].offset);
            if (*slot != NULL) {
                return bad_input("option %s given twice", arg);
            }
            *slot = argv[++i];
            continue;
        }
        if (o->positional_count == 4) {
            return bad_input("too many arguments at '%s'", arg);
        }
        o->positional[o->positional_count++] = arg;
    }
    return 0;
}

/* Refuses options the command does not take (allowed: a string of option names). */
static int only_options(const options_t *o, const char *allowed)
{
    for (size_t k = 0; k < sizeof value_options / sizeof value_options[0]; k++) {
        const char *value = *(const char *const *)(const void *)((const char *)o + value_options[k].offset);
        if (value != NULL && strcmp(value_options[k].name, "--journal") != 0 &&
            strstr(allowed, value_options[k].name) == NULL) {
            return bad_input("option %s does not apply to this command", value_options[k].name);
        }
    }
    return 0;
}

/* ---- values --------------------------------------------------------------- */

static bool parse_u64(const char *text, uint64_t *out)
{
    if (text == NULL || *text == '\0') {
        return false;
    }
    uint64_t v = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
        unsigned digit = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10u) {
            return false;
        }
        v = v * 10u + digit;
    }
    *out = v;
    return true;
}

static int parse_account(const char *text, uint64_t *out)
{
    if (!parse_u64(text, out) || *out == 0) {
        return bad_input("bad account id '%s' (a positive integer)", text != NULL ? text : "");
    }
    return 0;
}

/* A transfer id: a positive integer, or text hashed with FNV-1a 64 (top bit set). */
static int parse_transfer_id(const char *text, const char *option, uint64_t *out)
{
    if (text == NULL) {
        return bad_input("missing %s", option);
    }
    if (*text == '\0') {
        return bad_input("empty %s", option);
    }
    if (parse_u64(text, out)) {
        return *out == 0 ? bad_input("%s must not be 0", option) : 0;
    }
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    *out = h | (UINT64_C(1) << 63);
    return 0;
}

static int parse_money(const char *text, const char *what, bool positive, prepay_money_t *out)
{
    if (text == NULL || prepay_fixed_parse(text, strlen(text), 2, out) != PREPAY_OK || (positive && *out <= 0) ||
        *out < 0) {
        return bad_input(positive ? "bad %s (a positive amount in yuan, at most 2 decimals)"
                                  : "bad %s (an amount in yuan, at most 2 decimals)",
                         what);
    }
    return 0;
}

static int parse_time(const char *text, const char *what, prepay_time_t *out)
{
    prepay_civil_t c;
    memset(&c, 0, sizeof c);
    int year, month, day, hour = 0, minute = 0, second = 0, used = 0;
    char sep;
    if (text == NULL || sscanf(text, "%4d-%2d-%2d%n", &year, &month, &day, &used) != 3) {
        return bad_input("bad %s (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])", what);
    }
    if (text[used] != '\0') {
        int more = 0;
        if (sscanf(text + used, "%c%2d:%2d%n", &sep, &hour, &minute, &more) != 3 || (sep != 'T' && sep != ' ')) {
            return bad_input("bad %s (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])", what);
        }
        used += more;
        if (text[used] == ':') {
            more = 0;
            if (sscanf(text + used, ":%2d%n", &second, &more) != 1) {
                return bad_input("bad %s (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])", what);
            }
            used += more;
        }
        if (text[used] != '\0') {
            return bad_input("bad %s (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS])", what);
        }
    }
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
        minute > 59 || second < 0 || second > 59) {
        return bad_input("bad %s (no such date or time)", what);
    }
    c.year = year;
    c.month = (uint8_t)month;
    c.day = (uint8_t)day;
    c.hour = (uint8_t)hour;
    c.minute = (uint8_t)minute;
    c.second = (uint8_t)second;
    if (prepay_time_from_civil(&c, out) != PREPAY_OK) {
        return bad_input("bad %s (no such date or time)", what);
    }
    return 0;
}

static prepay_time_t now_local(void)
{
    time_t t = time(NULL);
    struct tm tm;
    prepay_time_t out = 0;
    if (localtime_r(&t, &tm) != NULL) {
        prepay_civil_t c = {tm.tm_year + 1900, (uint8_t)(tm.tm_mon + 1), (uint8_t)tm.tm_mday, (uint8_t)tm.tm_hour,
                            (uint8_t)tm.tm_min, (uint8_t)(tm.tm_sec > 59 ? 59 : tm.tm_sec), 0};
        (void)prepay_time_from_civil(&c, &out);
    }
    return out;
}

static const char *const kind_names[] = {"",          "wallet",      "revenue",     "clearing", "refunds",
                                         "emergency", "common-area", "adjustments", "debt"};
static const char *const item_names[] = {"none", "electricity", "water", "gas", "property-fee", "common-area",
                                         "service-fee"};
static const char *const code_names[] = {"",          "recharge",   "refund",     "deduction",
                                         "fee",       "emergency-credit", "repay-emergency", "repay-debt",
                                         "debt",      "adjustment", "allocation", "reversal"};

static int lookup_name(const char *const *names, size_t count, const char *text)
{
    for (size_t i = 0; text != NULL && i < count; i++) {
        if (names[i][0] != '\0' && strcmp(names[i], text) == 0) {
            return (int)i;
        }
    }
    return -1;
}

static void format_money(prepay_money_t fen, char *out, size_t cap)
{
    if (prepay_fixed_format(fen, 2, out, cap) < 0) {
        snprintf(out, cap, "?");
    }
}

static void format_time(prepay_time_t t, char *out, size_t cap)
{
    prepay_civil_t c;
    if (prepay_time_to_civil(t, &c) != PREPAY_OK) {
        snprintf(out, cap, "%" PRId64, t);
        return;
    }
    snprintf(out, cap, "%04d-%02u-%02uT%02u:%02u:%02u", (int)c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/* ---- the ledger and its journal ------------------------------------------- */

typedef struct session {
    prepay_ledger_t ledger;
    prepay_ledger_memory_t memory;
    void *ledger_buffer; /* prepay_ledger_memory_size() bytes holding every array of memory */
    prepay_ledger_account_t *scratch;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_snapshot_posix_t snapshot_file;
    prepay_snapshot_io_t snapshot_io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    uint8_t staging[65536];
    bool json;
} session_t;

static void session_free(session_t *s)
{
    (void)prepay_journal_posix_close(&s->file);
    prepay_snapshot_posix_close(&s->snapshot_file);
    free(s->ledger_buffer);
    free(s->scratch);
    free(s);
}

/* Prints text as a JSON string literal. */
static void print_json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            printf("\\%c", *p);
        } else if (*p < 0x20) {
            printf("\\u%04x", *p);
        } else {
            putchar(*p);
        }
    }
    putchar('"');
}

static int fail_status(const session_t *s, const char *what, int status)
{
    if (s != NULL && s->json) {
        printf("{\"ok\":false,\"error\":");
        print_json_string(what);
        printf(",\"reason\":");
        print_json_string(prepay_strerror(status));
        printf(",\"status\":%d}\n", status);
    }
    fprintf(stderr, "prepay ledger: %s: %s\n", what, prepay_strerror(status));
    return 1;
}

/* Recovers the ledger from the journal; exit status or 0. */
static int session_open(const char *path, bool json, session_t **out)
{
    session_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        fprintf(stderr, "prepay ledger: out of memory\n");
        return 1;
    }
    s->json = json;
    s->file.fd = -1;
    s->snapshot_file.fd = -1;
    s->snapshot_file.temp_fd = -1;
    size_t ledger_size = prepay_ledger_memory_size(DEFAULT_ACCOUNTS, DEFAULT_TRANSFERS);
    s->ledger_buffer = malloc(ledger_size);
    s->scratch = calloc(DEFAULT_ACCOUNTS, sizeof *s->scratch);
    if (s->ledger_buffer == NULL || s->scratch == NULL ||
        prepay_ledger_memory_layout(&s->memory, s->ledger_buffer, ledger_size, DEFAULT_ACCOUNTS, DEFAULT_TRANSFERS) !=
            PREPAY_OK ||
        prepay_ledger_init(&s->ledger, &s->memory) != PREPAY_OK) {
        session_free(s);
        fprintf(stderr, "prepay ledger: out of memory\n");
        return 1;
    }
    char snapshot_path[PREPAY_JOURNAL_PATH_MAX + 16];
    snprintf(snapshot_path, sizeof snapshot_path, "%s.snapshot", path);
    int status = prepay_snapshot_posix_init(&s->snapshot_file, snapshot_path, &s->snapshot_io);
    if (status == PREPAY_OK) {
        status = prepay_journal_posix_open(&s->file, path, &s->io);
    }
    if (status != PREPAY_OK) {
        int rc = status == PREPAY_E_INVALID_ARGUMENT ? bad_input("bad journal path '%s'", path)
                                                      : fail_status(s, "cannot open journal", status);
        session_free(s);
        return rc;
    }
    status = prepay_journal_open(&s->journal, &s->io, s->staging, sizeof s->staging, &s->snapshot_io, &s->ledger,
                                 s->scratch, DEFAULT_ACCOUNTS, &s->info);
    if (status != PREPAY_OK) {
        char what[96];
        snprintf(what, sizeof what, "recovery of %s failed at offset %" PRIu64, path, s->info.corrupt_offset);
        int rc = fail_status(s, what, status);
        session_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Opens a system account if it does not exist yet. */
static int ensure_account(session_t *s, uint64_t id, uint16_t kind, uint32_t item)
{
    if (prepay_ledger_account(&s->ledger, id) != NULL) {
        return PREPAY_OK;
    }
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = kind;
    a.item = item;
    int status = prepay_journal_create_account(&s->journal, &s->ledger, &a);
    return status < 0 ? status : PREPAY_OK;
}

/* ---- commands ------------------------------------------------------------- */

static int print_balance_json(const session_t *s, uint64_t account)
{
    prepay_ledger_balance_t b;
    if (prepay_ledger_balance(&s->ledger, account, &b) != PREPAY_OK) {
        return -1;
    }
    char balance[32], available[32];
    format_money(b.balance, balance, sizeof balance);
    format_money(b.available, available, sizeof available);
    printf("\"balance\":\"%s\",\"available\":\"%s\"", balance, available);
    return 0;
}

static int cmd_open(session_t *s, const options_t *o)
{
    uint64_t id;
    int rc = parse_account(o->positional[1], &id);
    if (rc != 0) {
        return rc;
    }
    int kind = lookup_name(kind_names, sizeof kind_names / sizeof kind_names[0], o->kind);
    if (kind < 0) {
        return bad_input("bad or missing --kind '%s'", o->kind != NULL ? o->kind : "");
    }
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = (uint16_t)kind;
    if (kind == PREPAY_LEDGER_ACCOUNT_WALLET) {
        a.flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    }
    if (o->overdraft != NULL && (rc = parse_money(o->overdraft, "--overdraft", false, &a.overdraft_limit)) != 0) {
        return rc;
    }
    if (o->max_balance != NULL && (rc = parse_money(o->max_balance, "--max-balance", false, &a.max_balance)) != 0) {
        return rc;
    }
    if (o->item != NULL) {
        int item = lookup_name(item_names, sizeof item_names / sizeof item_names[0], o->item);
        if (item <= 0) {
            return bad_input("bad --item '%s'", o->item);
        }
        a.item = (uint32_t)item;
    } else if (kind == PREPAY_LEDGER_ACCOUNT_REVENUE) {
        a.item = PREPAY_LEDGER_ITEM_ELECTRICITY;
    }
    int status = prepay_journal_create_account(&s->journal, &s->ledger, &a);
    if (status < 0) {
        return fail_status(s, "open refused", status);
    }
    const char *result = status == PREPAY_LEDGER_EXISTS ? "exists" : "created";
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"open\",\"account\":%" PRIu64 ",\"kind\":\"%s\",\"result\":\"%s\"}\n", id,
               kind_names[kind], result);
    } else {
        printf("account %" PRIu64 " (%s): %s\n", id, kind_names[kind], result);
    }
    return 0;
}

/* recharge, refund, deduct: one transfer, one batch. */
static int cmd_transfer(session_t *s, const options_t *o, uint16_t code)
{
    uint64_t account;
    int rc = parse_account(o->positional[1], &account);
    if (rc != 0) {
        return rc;
    }
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    if ((rc = parse_money(o->positional[2], "AMOUNT", true, &t.amount)) != 0) {
        return rc;
    }
    const char *id_option = code == PREPAY_LEDGER_CODE_RECHARGE ? "--payment-id" : "--id";
    if ((rc = parse_transfer_id(code == PREPAY_LEDGER_CODE_RECHARGE ? o->payment_id : o->id, id_option, &t.id)) !=
        0) {
        return rc;
    }
    t.timestamp = now_local();
    if (o->time != NULL && (rc = parse_time(o->time, "--time", &t.timestamp)) != 0) {
        return rc;
    }
    t.code = code;
    int status = PREPAY_OK;
    uint32_t item = 0;
    if (code == PREPAY_LEDGER_CODE_RECHARGE) {
        t.debit_account_id = CLEARING_ID;
        t.credit_account_id = account;
        t.order_id = t.id;
        status = ensure_account(s, CLEARING_ID, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, 0);
    } else if (code == PREPAY_LEDGER_CODE_REFUND) {
        t.debit_account_id = account;
        t.credit_account_id = REFUNDS_ID;
        t.order_id = t.id;
        status = ensure_account(s, REFUNDS_ID, PREPAY_LEDGER_ACCOUNT_REFUNDS_PAYABLE, 0);
    } else {
        int found = lookup_name(item_names, sizeof item_names / sizeof item_names[0], o->item);
        if (found <= 0) {
            return bad_input("bad or missing --item '%s'", o->item != NULL ? o->item : "");
        }
        item = (uint32_t)found;
        if (o->meter != NULL && (!parse_u64(o->meter, &t.meter_id) || t.meter_id == 0)) {
            return bad_input("bad --meter '%s' (a positive integer)", o->meter);
        }
        if ((o->from != NULL) != (o->to != NULL)) {
            return bad_input("%s", "--from and --to go together");
        }
        if (o->from != NULL && ((rc = parse_time(o->from, "--from", &t.interval_start)) != 0 ||
                                (rc = parse_time(o->to, "--to", &t.interval_end)) != 0)) {
            return rc;
        }
        if (t.interval_end < t.interval_start) {
            return bad_input("%s", "--to is before --from");
        }
        t.debit_account_id = account;
        t.credit_account_id = REVENUE_BASE_ID + item;
        status = ensure_account(s, REVENUE_BASE_ID + item, PREPAY_LEDGER_ACCOUNT_REVENUE, item);
    }
    if (status != PREPAY_OK) {
        return fail_status(s, "cannot open system account", status);
    }
    int result = 0;
    status = prepay_journal_submit(&s->journal, &s->ledger, &t, 1, &result);
    if (status < 0) {
        return fail_status(s, "journal", status);
    }
    if (result < 0) {
        return fail_status(s, "refused", result);
    }
    const char *outcome = result == PREPAY_LEDGER_EXISTS ? "exists" : "ok";
    char amount[32];
    format_money(t.amount, amount, sizeof amount);
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"%s\",\"account\":%" PRIu64 ",\"amount\":\"%s\",\"id\":%" PRIu64
               ",\"result\":\"%s\",",
               code_names[code], account, amount, t.id, outcome);
        if (print_balance_json(s, account) != 0) {
            printf("\"balance\":null");
        }
        printf("}\n");
    } else {
        prepay_ledger_balance_t b;
        char balance[32] = "?";
        if (prepay_ledger_balance(&s->ledger, account, &b) == PREPAY_OK) {
            format_money(b.balance, balance, sizeof balance);
        }
        printf("%s %s on account %" PRIu64 " (id %" PRIu64 "): %s%s; balance %s\n", code_names[code], amount, account,
               t.id, outcome, result == PREPAY_LEDGER_EXISTS ? " (nothing changed)" : "", balance);
    }
    return 0;
}

static int cmd_balance(session_t *s, const options_t *o)
{
    uint64_t account;
    int rc = parse_account(o->positional[1], &account);
    if (rc != 0) {
        return rc;
    }
    prepay_ledger_balance_t b;
    int status = prepay_ledger_balance(&s->ledger, account, &b);
    if (status != PREPAY_OK) {
        return fail_status(s, "balance", status);
    }
    char v[6][32];
    format_money(b.balance, v[0], sizeof v[0]);
    format_money(b.available, v[1], sizeof v[1]);
    format_money(b.credits_posted, v[2], sizeof v[2]);
    format_money(b.debits_posted, v[3], sizeof v[3]);
    format_money(b.credits_pending, v[4], sizeof v[4]);
    format_money(b.debits_pending, v[5], sizeof v[5]);
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"balance\",\"account\":%" PRIu64
               ",\"balance\":\"%s\",\"available\":\"%s\",\"credits_posted\":\"%s\",\"debits_posted\":\"%s\","
               "\"credits_pending\":\"%s\",\"debits_pending\":\"%s\"}\n",
               account, v[0], v[1], v[2], v[3], v[4], v[5]);
    } else {
        printf("account %" PRIu64 ": balance %s, available %s (credits %s, debits %s, pending credits %s, pending "
               "debits %s)\n",
               account, v[0], v[1], v[2], v[3], v[4], v[5]);
    }
    return 0;
}

static const char *code_name(uint16_t code)
{
    return code < sizeof code_names / sizeof code_names[0] && code_names[code][0] != '\0' ? code_names[code]
                                                                                          : "user";
}

static int cmd_history(session_t *s, const options_t *o)
{
    uint64_t account;
    int rc = parse_account(o->positional[1], &account);
    if (rc != 0) {
        return rc;
    }
    if (prepay_ledger_account(&s->ledger, account) == NULL) {
        return fail_status(s, "history", PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND);
    }
    prepay_ledger_query_t q;
    memset(&q, 0, sizeof q);
    q.account_id = account;
    const prepay_ledger_entry_t *e;
    size_t n = 0;
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"history\",\"account\":%" PRIu64 ",\"transfers\":[", account);
    }
    while (prepay_ledger_query_next(&s->ledger, &q, &e) == 1) {
        const prepay_ledger_transfer_t *t = &e->transfer;
        uint64_t debit = t->debit_account_id, credit = t->credit_account_id;
        if ((debit == 0 || credit == 0) && t->pending_id != 0) {
            const prepay_ledger_entry_t *p = prepay_ledger_lookup(&s->ledger, t->pending_id);
            if (p != NULL) {
                debit = p->transfer.debit_account_id;
                credit = p->transfer.credit_account_id;
            }
        }
        bool in = credit == account;
        char amount[32], when[40];
        format_money(t->amount, amount, sizeof amount);
        format_time(t->timestamp, when, sizeof when);
        if (s->json) {
            printf("%s{\"id\":%" PRIu64 ",\"time\":\"%s\",\"code\":\"%s\",\"direction\":\"%s\",\"amount\":\"%s\","
                   "\"counterparty\":%" PRIu64 ",\"meter\":%" PRIu64 ",\"flags\":%u}",
                   n > 0 ? "," : "", t->id, when, code_name(t->code), in ? "credit" : "debit", amount,
                   in ? debit : credit, t->meter_id, (unsigned)t->flags);
        } else {
            printf("%s  %-16s %c%-12s id %-20" PRIu64 " %s %" PRIu64 "\n", when, code_name(t->code), in ? '+' : '-',
                   amount, t->id, in ? "from" : "to", in ? debit : credit);
        }
        n++;
    }
    if (s->json) {
        printf("]}\n");
    } else if (n == 0) {
        printf("account %" PRIu64 ": no transfers\n", account);
    }
    return 0;
}

static int cmd_summary(session_t *s, const options_t *o)
{
    unsigned period;
    if (o->by == NULL) {
        return bad_input("%s", "summary needs --by day|month|year");
    } else if (strcmp(o->by, "day") == 0) {
        period = PREPAY_LEDGER_PERIOD_DAY;
    } else if (strcmp(o->by, "month") == 0) {
        period = PREPAY_LEDGER_PERIOD_MONTH;
    } else if (strcmp(o->by, "year") == 0) {
        period = PREPAY_LEDGER_PERIOD_YEAR;
    } else {
        return bad_input("bad --by '%s' (day, month or year)", o->by);
    }
    /* Default range: every transfer in the log. */
    prepay_time_t from = 0, to = 1;
    uint32_t count = prepay_ledger_transfer_count(&s->ledger);
    for (uint32_t i = 0; i < count; i++) {
        prepay_time_t t = prepay_ledger_entry_at(&s->ledger, i)->transfer.timestamp;
        if (i == 0 || t < from) {
            from = t;
        }
        if (i == 0 || t >= to) {
            to = t + 1;
        }
    }
    int rc;
    if (o->from != NULL && (rc = parse_time(o->from, "--from", &from)) != 0) {
        return rc;
    }
    if (o->to != NULL && (rc = parse_time(o->to, "--to", &to)) != 0) {
        return rc;
    }
    if (to < from) {
        return bad_input("%s", "--to is before --from");
    }
    static prepay_ledger_income_row_t rows[MAX_ROWS];
    size_t row_count = 0;
    int status = prepay_ledger_income(&s->ledger, from, to, period, true, rows, MAX_ROWS, &row_count);
    if (status != PREPAY_OK) {
        return fail_status(s, "summary", status);
    }
    prepay_ledger_order_summary_t orders;
    status = prepay_ledger_order_summary(&s->ledger, from, to, &orders);
    if (status != PREPAY_OK) {
        return fail_status(s, "summary", status);
    }
    char recharges[32], refunds[32], f[40], t[40];
    format_money(orders.recharge_sum, recharges, sizeof recharges);
    format_money(orders.refund_sum, refunds, sizeof refunds);
    format_time(from, f, sizeof f);
    format_time(to, t, sizeof t);
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"summary\",\"by\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
               "\"recharge_count\":%" PRIu32 ",\"recharge_sum\":\"%s\",\"refund_count\":%" PRIu32
               ",\"refund_sum\":\"%s\",\"rows\":[",
               o->by, f, t, orders.recharge_count, recharges, orders.refund_count, refunds);
    } else {
        printf("from %s to %s: %" PRIu32 " recharges %s, %" PRIu32 " refunds %s\n", f, t, orders.recharge_count,
               recharges, orders.refund_count, refunds);
    }
    for (size_t i = 0; i < row_count; i++) {
        int32_t year;
        uint8_t month, day;
        char label[16] = "?", income[32];
        if (prepay_time_date_from_days(rows[i].period_start, &year, &month, &day) == PREPAY_OK) {
            if (period == PREPAY_LEDGER_PERIOD_DAY) {
                snprintf(label, sizeof label, "%04d-%02u-%02u", (int)year, month, day);
            } else if (period == PREPAY_LEDGER_PERIOD_MONTH) {
                snprintf(label, sizeof label, "%04d-%02u", (int)year, month);
            } else {
                snprintf(label, sizeof label, "%04d", (int)year);
            }
        }
        format_money(rows[i].income, income, sizeof income);
        const char *item = rows[i].item < sizeof item_names / sizeof item_names[0] ? item_names[rows[i].item] : "user";
        if (s->json) {
            printf("%s{\"period\":\"%s\",\"item\":\"%s\",\"income\":\"%s\",\"count\":%" PRIu32 "}", i > 0 ? "," : "",
                   label, item, income, rows[i].count);
        } else {
            printf("  %-10s %-14s %12s  (%" PRIu32 " transfers)\n", label, item, income, rows[i].count);
        }
    }
    if (s->json) {
        printf("]}\n");
    }
    return 0;
}

static int cmd_verify(session_t *s, const char *path)
{
    /* prepay_journal_open() already verified; verify again to report the ledger's own verdict. */
    int status = prepay_ledger_verify(&s->ledger, s->scratch, DEFAULT_ACCOUNTS);
    if (status != PREPAY_OK) {
        return fail_status(s, "verify", status);
    }
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"verify\",\"journal\":");
        print_json_string(path);
        printf(",\"accounts\":%" PRIu32
               ",\"transfers\":%" PRIu32 ",\"batches\":%" PRIu64 ",\"records\":%" PRIu64
               ",\"snapshot_sequence\":%" PRIu64 ",\"last_sequence\":%" PRIu64 ",\"truncated_bytes\":%" PRIu64 "}\n",
               prepay_ledger_account_count(&s->ledger), prepay_ledger_transfer_count(&s->ledger),
               s->info.batches, s->info.records, s->info.snapshot_sequence, s->journal.next_sequence - 1,
               s->info.truncated_bytes);
    } else {
        printf("ok: %" PRIu32 " accounts, %" PRIu32 " transfers; journal %s: %" PRIu64 " batches, %" PRIu64
               " records replayed after snapshot sequence %" PRIu64 ", torn tail cut: %" PRIu64 " bytes\n",
               prepay_ledger_account_count(&s->ledger), prepay_ledger_transfer_count(&s->ledger), path,
               s->info.batches, s->info.records, s->info.snapshot_sequence, s->info.truncated_bytes);
    }
    return 0;
}

static int cmd_snapshot(session_t *s)
{
    int status = prepay_journal_snapshot(&s->journal, &s->ledger, &s->snapshot_io, true);
    if (status != PREPAY_OK) {
        return fail_status(s, "snapshot", status);
    }
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"snapshot\",\"sequence\":%" PRIu64 ",\"accounts\":%" PRIu32
               ",\"transfers\":%" PRIu32 "}\n",
               s->journal.next_sequence - 1, prepay_ledger_account_count(&s->ledger),
               prepay_ledger_transfer_count(&s->ledger));
    } else {
        printf("snapshot at sequence %" PRIu64 " written; journal compacted\n", s->journal.next_sequence - 1);
    }
    return 0;
}

int prepay_tool_ledger(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
    }
    options_t o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0) {
        return rc;
    }
    if (o.journal == NULL) {
        return bad_input("%s", "missing --journal FILE (try 'prepay ledger --help')");
    }
    if (o.positional_count == 0) {
        return bad_input("%s", "missing command (try 'prepay ledger --help')");
    }
    const char *command = o.positional[0];
    static const struct {
        const char *name;
        int positionals;
        const char *options;
    } table[] = {
        {"open", 2, "--kind --overdraft --max-balance --item"},
        {"recharge", 3, "--payment-id --time"},
        {"refund", 3, "--id --time"},
        {"deduct", 3, "--item --id --meter --from --to --time"},
        {"balance", 2, ""},
        {"history", 2, ""},
        {"summary", 1, "--by --from --to"},
        {"verify", 1, ""},
        {"snapshot", 1, ""},
    };
    size_t k = 0;
    while (k < sizeof table / sizeof table[0] && strcmp(table[k].name, command) != 0) {
        k++;
    }
    if (k == sizeof table / sizeof table[0]) {
        return bad_input("unknown command '%s' (try 'prepay ledger --help')", command);
    }
    if (o.positional_count != table[k].positionals) {
        return bad_input("wrong number of arguments for '%s' (try 'prepay ledger --help')", command);
    }
    if ((rc = only_options(&o, table[k].options)) != 0) {
        return rc;
    }
    session_t *s = NULL;
    if ((rc = session_open(o.journal, o.json, &s)) != 0) {
        return rc;
    }
    if (strcmp(command, "open") == 0) {
        rc = cmd_open(s, &o);
    } else if (strcmp(command, "recharge") == 0) {
        rc = cmd_transfer(s, &o, PREPAY_LEDGER_CODE_RECHARGE);
    } else if (strcmp(command, "refund") == 0) {
        rc = cmd_transfer(s, &o, PREPAY_LEDGER_CODE_REFUND);
    } else if (strcmp(command, "deduct") == 0) {
        rc = cmd_transfer(s, &o, PREPAY_LEDGER_CODE_DEDUCTION);
    } else if (strcmp(command, "balance") == 0) {
        rc = cmd_balance(s, &o);
    } else if (strcmp(command, "history") == 0) {
        rc = cmd_history(s, &o);
    } else if (strcmp(command, "summary") == 0) {
        rc = cmd_summary(s, &o);
    } else if (strcmp(command, "verify") == 0) {
        rc = cmd_verify(s, o.journal);
    } else {
        rc = cmd_snapshot(s);
    }
    session_free(s);
    return rc;
}
