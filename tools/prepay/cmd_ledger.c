/*
 * prepay ledger: a durable prepaid ledger in a journal file (hosted).
 *
 *   prepay ledger --journal FILE [--json] [--wait] COMMAND ...
 *
 * Each run checks all of its input first, then recovers the ledger from FILE
 * (and FILE.snapshot if present): commands that only read open the journal
 * read-only and never modify it; commands that write hold the journal's
 * writer lock (another writer is refused at once with its PID, or waited
 * for with --wait), decide in memory, and touch the file only when they
 * have something to make durable (one batch, one fsync) before reporting
 * it. Amounts are decimal yuan ("12.34"), parsed exactly into fen. Bad
 * input: one line on stderr, exit 2; a refused operation or a journal
 * failure: exit 1, and nothing written.
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
#include "ledger_session.h"
#include "prepay/civil_time.h"
#include "prepay/fixed_point.h"
#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

/* Accounts the tool creates on first use (documented in --help). */
#define CLEARING_ID UINT64_C(9000000001)
#define REFUNDS_ID UINT64_C(9000000002)
#define REVENUE_BASE_ID UINT64_C(9000000100)

#define MAX_ROWS 4096u

static const char usage_text[] =
    "usage: prepay ledger --journal FILE [--json] [--wait] COMMAND ...\n"
    "commands:\n"
    "  open ACCOUNT --kind KIND [--overdraft AMOUNT] [--max-balance AMOUNT] [--item ITEM]\n"
    "  recharge ACCOUNT AMOUNT --payment-id ID [--time T]\n"
    "  refund ACCOUNT AMOUNT --id ID [--time T]\n"
    "  deduct ACCOUNT AMOUNT --item ITEM --id ID [--meter M --from T --to T] [--time T]\n"
    "  balance ACCOUNT\n"
    "  history ACCOUNT\n"
    "  summary --by day|month|year [--from T] [--to T]\n"
    "  verify              check the journal; report torn tails and earlier cuts\n"
    "  snapshot            write FILE.snapshot and compact the journal\n"
    "ACCOUNT: a positive integer id. AMOUNT: yuan, e.g. 12.34 (at most 2 decimals).\n"
    "KIND: wallet revenue clearing refunds emergency common-area adjustments debt.\n"
    "ITEM: electricity water gas property-fee common-area service-fee.\n"
    "ID: a positive integer, or any other text (hashed to a 64-bit id, FNV-1a).\n"
    "T: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], local time; --time defaults to now.\n"
    "Recharges debit account 9000000001 (payment clearing), refunds credit\n"
    "9000000002 (refunds payable), deductions credit 9000000100 + item code\n"
    "(revenue); they are opened automatically on first use.\n"
    "Only 'open' creates FILE. balance, history, summary and verify only read\n"
    "it (also while a writer runs). One writer at a time: another is refused\n"
    "with its PID, or waits with --wait.\n";

/* ---- options ------------------------------------------------------------- */

typedef struct options {
    const char *journal, *kind, *overdraft, *max_balance, *item, *payment_id, *id, *meter, *from, *to, *by,
        *time;
    bool json;
    bool wait;
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
        if (strcmp(arg, "--wait") == 0) {
            o->wait = true;
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

static const char *const by_names[] = {"", "day", "month", "year"};

/* ---- requests: every argument checked before the journal is touched ------ */

enum command {
    CMD_OPEN,
    CMD_RECHARGE,
    CMD_REFUND,
    CMD_DEDUCT,
    CMD_BALANCE,
    CMD_HISTORY,
    CMD_SUMMARY,
    CMD_VERIFY,
    CMD_SNAPSHOT
};

static const struct {
    const char *name;
    int positionals;
    const char *options;
    bool writes; /* takes the writer's lock */
} command_table[] = {
    [CMD_OPEN] = {"open", 2, "--kind --overdraft --max-balance --item", true},
    [CMD_RECHARGE] = {"recharge", 3, "--payment-id --time", true},
    [CMD_REFUND] = {"refund", 3, "--id --time", true},
    [CMD_DEDUCT] = {"deduct", 3, "--item --id --meter --from --to --time", true},
    [CMD_BALANCE] = {"balance", 2, "", false},
    [CMD_HISTORY] = {"history", 2, "", false},
    [CMD_SUMMARY] = {"summary", 1, "--by --from --to", false},
    [CMD_VERIFY] = {"verify", 1, "", false},
    [CMD_SNAPSHOT] = {"snapshot", 1, "", true},
};

/* A command with its arguments parsed and checked. */
typedef struct request {
    enum command command;
    uint64_t account;                  /* the ACCOUNT argument */
    prepay_ledger_account_t new_account; /* open */
    prepay_ledger_transfer_t transfer; /* recharge, refund, deduct */
    prepay_ledger_account_t system;    /* the system account the transfer needs */
    unsigned period;                   /* summary */
    bool has_from, has_to;             /* summary range given */
    prepay_time_t from, to;
} request_t;

static prepay_ledger_account_t system_account(uint64_t id, uint16_t kind, uint32_t item)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = kind;
    a.item = item;
    return a;
}

/*
 * The ledger's own account checks on an empty one-account ledger, so that a
 * refused `open` is refused before a journal file is created for it.
 */
static int check_account_fields(const prepay_ledger_account_t *account, bool json)
{
    prepay_ledger_account_t accounts[1];
    uint32_t account_index[2];
    prepay_ledger_entry_t entries[1];
    uint32_t transfer_index[2];
    prepay_ledger_memory_t memory = {accounts, 1, account_index, 2, entries, 1, transfer_index, 2};
    prepay_ledger_t ledger;
    int status = prepay_ledger_init(&ledger, &memory);
    if (status == PREPAY_OK) {
        status = prepay_ledger_create_account(&ledger, account);
    }
    return status < 0 ? ledger_fail(json, "open refused", status) : 0;
}

static int parse_open(const options_t *o, request_t *r)
{
    int kind = lookup_name(kind_names, sizeof kind_names / sizeof kind_names[0], o->kind);
    if (kind < 0) {
        return bad_input("bad or missing --kind '%s'", o->kind != NULL ? o->kind : "");
    }
    prepay_ledger_account_t *a = &r->new_account;
    a->id = r->account;
    a->kind = (uint16_t)kind;
    if (kind == PREPAY_LEDGER_ACCOUNT_WALLET) {
        a->flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    }
    int rc;
    if (o->overdraft != NULL && (rc = parse_money(o->overdraft, "--overdraft", false, &a->overdraft_limit)) != 0) {
        return rc;
    }
    if (o->max_balance != NULL && (rc = parse_money(o->max_balance, "--max-balance", false, &a->max_balance)) != 0) {
        return rc;
    }
    if (o->item != NULL) {
        int item = lookup_name(item_names, sizeof item_names / sizeof item_names[0], o->item);
        if (item <= 0) {
            return bad_input("bad --item '%s'", o->item);
        }
        a->item = (uint32_t)item;
    } else if (kind == PREPAY_LEDGER_ACCOUNT_REVENUE) {
        a->item = PREPAY_LEDGER_ITEM_ELECTRICITY;
    }
    return check_account_fields(a, o->json);
}

/* recharge, refund, deduct: one transfer, and the system account on its other side. */
static int parse_transfer(const options_t *o, request_t *r)
{
    prepay_ledger_transfer_t *t = &r->transfer;
    int rc;
    if ((rc = parse_money(o->positional[2], "AMOUNT", true, &t->amount)) != 0) {
        return rc;
    }
    bool recharge = r->command == CMD_RECHARGE;
    if ((rc = parse_transfer_id(recharge ? o->payment_id : o->id, recharge ? "--payment-id" : "--id", &t->id)) != 0) {
        return rc;
    }
    t->timestamp = now_local();
    if (o->time != NULL && (rc = parse_time(o->time, "--time", &t->timestamp)) != 0) {
        return rc;
    }
    if (r->command == CMD_RECHARGE) {
        t->code = PREPAY_LEDGER_CODE_RECHARGE;
        t->debit_account_id = CLEARING_ID;
        t->credit_account_id = r->account;
        t->order_id = t->id;
        r->system = system_account(CLEARING_ID, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, 0);
        return 0;
    }
    if (r->command == CMD_REFUND) {
        t->code = PREPAY_LEDGER_CODE_REFUND;
        t->debit_account_id = r->account;
        t->credit_account_id = REFUNDS_ID;
        t->order_id = t->id;
        r->system = system_account(REFUNDS_ID, PREPAY_LEDGER_ACCOUNT_REFUNDS_PAYABLE, 0);
        return 0;
    }
    t->code = PREPAY_LEDGER_CODE_DEDUCTION;
    int found = lookup_name(item_names, sizeof item_names / sizeof item_names[0], o->item);
    if (found <= 0) {
        return bad_input("bad or missing --item '%s'", o->item != NULL ? o->item : "");
    }
    uint32_t item = (uint32_t)found;
    if (o->meter != NULL && (!parse_u64(o->meter, &t->meter_id) || t->meter_id == 0)) {
        return bad_input("bad --meter '%s' (a positive integer)", o->meter);
    }
    if ((o->from != NULL) != (o->to != NULL)) {
        return bad_input("%s", "--from and --to go together");
    }
    if (o->from != NULL && ((rc = parse_time(o->from, "--from", &t->interval_start)) != 0 ||
                            (rc = parse_time(o->to, "--to", &t->interval_end)) != 0)) {
        return rc;
    }
    if (t->interval_end < t->interval_start) {
        return bad_input("%s", "--to is before --from");
    }
    t->debit_account_id = r->account;
    t->credit_account_id = REVENUE_BASE_ID + item;
    r->system = system_account(REVENUE_BASE_ID + item, PREPAY_LEDGER_ACCOUNT_REVENUE, item);
    return 0;
}

static int parse_summary(const options_t *o, request_t *r)
{
    if (o->by == NULL) {
        return bad_input("%s", "summary needs --by day|month|year");
    } else if (strcmp(o->by, "day") == 0) {
        r->period = PREPAY_LEDGER_PERIOD_DAY;
    } else if (strcmp(o->by, "month") == 0) {
        r->period = PREPAY_LEDGER_PERIOD_MONTH;
    } else if (strcmp(o->by, "year") == 0) {
        r->period = PREPAY_LEDGER_PERIOD_YEAR;
    } else {
        return bad_input("bad --by '%s' (day, month or year)", o->by);
    }
    int rc;
    r->has_from = o->from != NULL;
    r->has_to = o->to != NULL;
    if (r->has_from && (rc = parse_time(o->from, "--from", &r->from)) != 0) {
        return rc;
    }
    if (r->has_to && (rc = parse_time(o->to, "--to", &r->to)) != 0) {
        return rc;
    }
    if (r->has_from && r->has_to && r->to < r->from) {
        return bad_input("%s", "--to is before --from");
    }
    return 0;
}

static int parse_request(const options_t *o, request_t *r)
{
    memset(r, 0, sizeof *r);
    size_t k = 0;
    while (k < sizeof command_table / sizeof command_table[0] && strcmp(command_table[k].name, o->positional[0]) != 0) {
        k++;
    }
    if (k == sizeof command_table / sizeof command_table[0]) {
        return bad_input("unknown command '%s' (try 'prepay ledger --help')", o->positional[0]);
    }
    r->command = (enum command)k;
    if (o->positional_count != command_table[k].positionals) {
        return bad_input("wrong number of arguments for '%s' (try 'prepay ledger --help')", o->positional[0]);
    }
    int rc = only_options(o, command_table[k].options);
    if (rc != 0) {
        return rc;
    }
    if (command_table[k].positionals >= 2 && (rc = parse_account(o->positional[1], &r->account)) != 0) {
        return rc;
    }
    switch (r->command) {
    case CMD_OPEN:
        return parse_open(o, r);
    case CMD_RECHARGE:
    case CMD_REFUND:
    case CMD_DEDUCT:
        return parse_transfer(o, r);
    case CMD_SUMMARY:
        return parse_summary(o, r);
    default:
        return 0;
    }
}

/* ---- commands that write ---------------------------------------------------- */

static int print_balance_json(const ledger_session_t *s, uint64_t account)
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

/* Appends the batch the command decided on and makes it durable (one sync). */
static int write_batch(ledger_session_t *s, const prepay_ledger_account_t *account,
                       const prepay_ledger_transfer_t *transfer)
{
    int rc = ledger_session_resume(s);
    if (rc != 0) {
        return rc;
    }
    int status = PREPAY_OK;
    if (account != NULL) {
        status = prepay_journal_add_account(&s->journal, account);
    }
    if (status == PREPAY_OK && transfer != NULL) {
        status = prepay_journal_add_transfer(&s->journal, transfer);
    }
    if (status == PREPAY_OK) {
        status = prepay_journal_commit(&s->journal);
    }
    /* Not acknowledged: the outcome is unknown until the next recovery; retry with the same id. */
    return status != PREPAY_OK ? ledger_fail(s->json, "journal (outcome unknown; retry with the same id)", status)
                               : 0;
}

static int cmd_open(ledger_session_t *s, const request_t *r)
{
    const prepay_ledger_account_t *a = &r->new_account;
    int status = prepay_ledger_create_account(&s->ledger, a);
    if (status < 0) {
        return ledger_fail(s->json, "open refused", status);
    }
    if (status == PREPAY_OK) {
        int rc = write_batch(s, a, NULL);
        if (rc != 0) {
            return rc;
        }
    }
    const char *result = status == PREPAY_LEDGER_EXISTS ? "exists" : "created";
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"open\",\"account\":%" PRIu64 ",\"kind\":\"%s\",\"result\":\"%s\"}\n", a->id,
               kind_names[a->kind], result);
    } else {
        printf("account %" PRIu64 " (%s): %s\n", a->id, kind_names[a->kind], result);
    }
    return 0;
}

/*
 * recharge, refund, deduct: the system account (if new) and the transfer
 * are decided in memory first and journaled as ONE batch only if the
 * transfer is applied; a refused transfer journals nothing.
 */
static int cmd_transfer(ledger_session_t *s, const request_t *r)
{
    const prepay_ledger_transfer_t *t = &r->transfer;
    bool new_system = prepay_ledger_account(&s->ledger, r->system.id) == NULL;
    if (new_system) {
        int status = prepay_ledger_create_account(&s->ledger, &r->system);
        if (status < 0) {
            return ledger_fail(s->json, "cannot open system account", status);
        }
    }
    int result = 0;
    int status = prepay_ledger_apply(&s->ledger, t, 1, &result);
    if (status < 0) {
        return ledger_fail(s->json, "refused", status);
    }
    if (result < 0) {
        return ledger_fail(s->json, "refused", result);
    }
    if (result == PREPAY_OK) {
        int rc = write_batch(s, new_system ? &r->system : NULL, t);
        if (rc != 0) {
            return rc;
        }
    }
    const char *outcome = result == PREPAY_LEDGER_EXISTS ? "exists" : "ok";
    char amount[32];
    format_money(t->amount, amount, sizeof amount);
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"%s\",\"account\":%" PRIu64 ",\"amount\":\"%s\",\"id\":%" PRIu64
               ",\"result\":\"%s\",",
               code_names[t->code], r->account, amount, t->id, outcome);
        if (print_balance_json(s, r->account) != 0) {
            printf("\"balance\":null");
        }
        printf("}\n");
    } else {
        prepay_ledger_balance_t b;
        char balance[32] = "?";
        if (prepay_ledger_balance(&s->ledger, r->account, &b) == PREPAY_OK) {
            format_money(b.balance, balance, sizeof balance);
        }
        printf("%s %s on account %" PRIu64 " (id %" PRIu64 "): %s%s; balance %s\n", code_names[t->code], amount,
               r->account, t->id, outcome, result == PREPAY_LEDGER_EXISTS ? " (nothing changed)" : "", balance);
    }
    return 0;
}

static int cmd_snapshot(ledger_session_t *s)
{
    int rc = ledger_session_resume(s);
    if (rc != 0) {
        return rc;
    }
    int status = prepay_journal_snapshot(&s->journal, &s->ledger, &s->snapshot_io, true);
    if (status != PREPAY_OK) {
        return ledger_fail(s->json, "snapshot", status);
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

/* ---- commands that only read ------------------------------------------------ */

static int cmd_balance(ledger_session_t *s, const request_t *r)
{
    uint64_t account = r->account;
    prepay_ledger_balance_t b;
    int status = prepay_ledger_balance(&s->ledger, account, &b);
    if (status != PREPAY_OK) {
        return ledger_fail(s->json, "balance", status);
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

static int cmd_history(ledger_session_t *s, const request_t *r)
{
    uint64_t account = r->account;
    if (prepay_ledger_account(&s->ledger, account) == NULL) {
        return ledger_fail(s->json, "history", PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND);
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

static int cmd_summary(ledger_session_t *s, const request_t *r)
{
    unsigned period = r->period;
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
    if (r->has_from) {
        from = r->from;
    }
    if (r->has_to) {
        to = r->to;
    }
    if (to < from) {
        return bad_input("%s", "--to is before --from");
    }
    static prepay_ledger_income_row_t rows[MAX_ROWS];
    size_t row_count = 0;
    int status = prepay_ledger_income(&s->ledger, from, to, period, true, rows, MAX_ROWS, &row_count);
    if (status != PREPAY_OK) {
        return ledger_fail(s->json, "summary", status);
    }
    prepay_ledger_order_summary_t orders;
    status = prepay_ledger_order_summary(&s->ledger, from, to, &orders);
    if (status != PREPAY_OK) {
        return ledger_fail(s->json, "summary", status);
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
               by_names[period], f, t, orders.recharge_count, recharges, orders.refund_count, refunds);
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

/* verify: the ledger's own verdict, and what recovery found (a reader reports; it never cuts). */
static int cmd_verify(ledger_session_t *s)
{
    int status = prepay_ledger_verify(&s->ledger, s->scratch, s->scratch_capacity);
    if (status != PREPAY_OK) {
        return ledger_fail(s->json, "verify", status);
    }
    const prepay_journal_recovery_t *i = &s->info;
    uint64_t last = i->last_sequence > i->snapshot_sequence ? i->last_sequence : i->snapshot_sequence;
    if (s->json) {
        printf("{\"ok\":true,\"command\":\"verify\",\"journal\":");
        ledger_print_json_string(s->path);
        printf(",\"format\":%" PRIu32 ",\"accounts\":%" PRIu32 ",\"transfers\":%" PRIu32 ",\"batches\":%" PRIu64
               ",\"records\":%" PRIu64 ",\"snapshot_sequence\":%" PRIu64 ",\"last_sequence\":%" PRIu64
               ",\"truncated_bytes\":%" PRIu64 ",\"tail_records\":%" PRIu32 ",\"tail_batches\":%" PRIu32
               ",\"damaged_commits\":%" PRIu64 ",\"cuts\":%" PRIu64 ",\"cut_bytes\":%" PRIu64
               ",\"cut_records\":%" PRIu64 ",\"cut_batches\":%" PRIu64 "}\n",
               i->version, prepay_ledger_account_count(&s->ledger), prepay_ledger_transfer_count(&s->ledger),
               i->batches, i->records, i->snapshot_sequence, last, i->truncated_bytes, i->tail_records,
               i->tail_batches, i->damaged_commits, i->earlier_cuts.count, i->earlier_cuts.bytes,
               i->earlier_cuts.records, i->earlier_cuts.batches);
    } else {
        printf("ok: %" PRIu32 " accounts, %" PRIu32 " transfers; journal %s (format %" PRIu32 "): %" PRIu64
               " batches, %" PRIu64 " records replayed after snapshot sequence %" PRIu64 "\n",
               prepay_ledger_account_count(&s->ledger), prepay_ledger_transfer_count(&s->ledger), s->path,
               i->version, i->batches, i->records, i->snapshot_sequence);
        if (i->truncated_bytes > 0) {
            printf("torn tail: %" PRIu64 " bytes after offset %" PRIu64 " (%" PRIu32
                   " complete records of %" PRIu32 " unfinished batch, never committed); the next writer cuts it\n",
                   i->truncated_bytes, i->committed_end, i->tail_records, i->tail_batches);
        } else {
            printf("torn tail: none\n");
        }
        printf("cut by earlier recoveries: %" PRIu64 " tails, %" PRIu64 " bytes, %" PRIu64
               " complete records of %" PRIu64 " unfinished batches\n",
               i->earlier_cuts.count, i->earlier_cuts.bytes, i->earlier_cuts.records, i->earlier_cuts.batches);
        if (i->damaged_commits > 0) {
            printf("damaged commit records: %" PRIu64 " (first at offset %" PRIu64
                   "); each had an intact copy, so no batch was lost\n",
                   i->damaged_commits, i->damaged_offset);
        }
    }
    /* Batches that were whole on disk but never committed were dropped: say so where it cannot be missed. */
    if (i->earlier_cuts.records > 0) {
        fprintf(stderr,
                "prepay ledger: warning: earlier recoveries dropped %" PRIu64 " complete records of %" PRIu64
                " batches without a commit record; they were acknowledged only if the storage lost synced bytes\n",
                i->earlier_cuts.records, i->earlier_cuts.batches);
    }
    if (i->damaged_commits > 0) {
        fprintf(stderr,
                "prepay ledger: warning: %" PRIu64 " damaged commit records (first at offset %" PRIu64
                "); the storage is failing: run 'snapshot' and check the disk\n",
                i->damaged_commits, i->damaged_offset);
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
    /* All input is checked before the journal is opened: bad input never creates or changes a file. */
    request_t r;
    if ((rc = parse_request(&o, &r)) != 0) {
        return rc;
    }
    ledger_open_mode_t mode = {command_table[r.command].writes, o.wait, r.command == CMD_OPEN};
    ledger_session_t *s = NULL;
    if ((rc = ledger_session_open(o.journal, o.json, mode, &s)) != 0) {
        return rc;
    }
    switch (r.command) {
    case CMD_OPEN:
        rc = cmd_open(s, &r);
        break;
    case CMD_RECHARGE:
    case CMD_REFUND:
    case CMD_DEDUCT:
        rc = cmd_transfer(s, &r);
        break;
    case CMD_BALANCE:
        rc = cmd_balance(s, &r);
        break;
    case CMD_HISTORY:
        rc = cmd_history(s, &r);
        break;
    case CMD_SUMMARY:
        rc = cmd_summary(s, &r);
        break;
    case CMD_VERIFY:
        rc = cmd_verify(s);
        break;
    case CMD_SNAPSHOT:
        rc = cmd_snapshot(s);
        break;
    }
    ledger_session_free(s);
    return rc;
}
