/* SPDX-License-Identifier: MIT */
/*
 * prepay ledger: a durable prepaid ledger in a journal file (hosted).
 *
 *   prepay ledger --journal FILE [--json] [--wait] COMMAND ...
 *
 * Each run checks all of its input first (prepay_ledger_options_parse: no
 * file touched), then recovers the ledger from FILE (and FILE.snapshot if
 * present): commands that only read open the journal read-only and never
 * modify it; commands that write hold the journal's writer lock (another
 * writer is refused at once with its PID, or waited for with --wait),
 * decide in memory, and touch the file only when they have something to
 * make durable (one batch, one fsync) before reporting it. Amounts are
 * decimal yuan ("12.34"), parsed exactly into fen. A refused operation or a
 * journal failure exits 1 with the library's status text, nothing written;
 * bad input exits 2 (docs/cli.md).
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_options.h"
#include "cli_text.h"
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

/* ---- names ------------------------------------------------------------------------------ */

/* Account kinds and items by their ledger codes (index = code). */
static const char *const kind_names[] = {"",          "wallet",      "revenue",     "clearing", "refunds",
                                         "emergency", "common-area", "adjustments", "debt"};
static const char *const item_names[] = {"none", "electricity", "water", "gas", "property-fee", "common-area",
                                         "service-fee"};
static const char *const code_names[] = {"",          "recharge",   "refund",     "deduction",
                                         "fee",       "emergency-credit", "repay-emergency", "repay-debt",
                                         "debt",      "adjustment", "allocation", "reversal",
                                         "sale"};
static const char *const by_names[] = {"", "day", "month", "year"};

/* The option choices: names and ledger codes. */
static const char *const kind_choices[] = {"wallet",      "revenue",     "clearing", "refunds", "emergency",
                                           "common-area", "adjustments", "debt",     NULL};
static const int kind_codes[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const char *const item_choices[] = {"electricity", "water", "gas", "property-fee", "common-area", "service-fee",
                                           NULL};
static const int item_codes[] = {1, 2, 3, 4, 5, 6};
static const char *const by_choices[] = {"day", "month", "year", NULL};
static const int by_codes[] = {PREPAY_LEDGER_PERIOD_DAY, PREPAY_LEDGER_PERIOD_MONTH, PREPAY_LEDGER_PERIOD_YEAR};

static const char *code_name(uint16_t code)
{
    return code < sizeof code_names / sizeof code_names[0] && code_names[code][0] != '\0' ? code_names[code]
                                                                                          : "user";
}

/* ---- the command line --------------------------------------------------------------------- */

/* The values of the options, before the request is built from them. */
typedef struct ledger_options {
    const char *journal, *payment_id, *id;
    int kind, item, by;
    int64_t overdraft, max_balance;
    uint64_t meter;
    prepay_time_t from, to, time;
    bool wait, has_from, has_to, has_time;
} ledger_options_t;

static const cli_option_t ledger_options[] = {
    {"journal", CLI_OPT_TEXT(ledger_options_t, journal), .arg = "FILE",
     .help = "the journal file (FILE.snapshot beside it); required"},
    {"wait", CLI_OPT_FLAG(ledger_options_t, wait), .help = "a writer waits for another writer instead of failing"},
    {"kind", CLI_OPT_CHOICE(ledger_options_t, kind, kind_choices), .values = kind_codes, .arg = "KIND",
     .help = "open: the account kind"},
    {"overdraft", CLI_OPT_DECIMAL(ledger_options_t, overdraft, 2, 0, INT64_MAX), .arg = "AMOUNT",
     .help = "open: how far a wallet may go below zero"},
    {"max-balance", CLI_OPT_DECIMAL(ledger_options_t, max_balance, 2, 0, INT64_MAX), .arg = "AMOUNT",
     .help = "open: the most a wallet may hold (0: no limit)"},
    {"item", CLI_OPT_CHOICE(ledger_options_t, item, item_choices), .values = item_codes, .arg = "ITEM",
     .help = "open (revenue), deduct: the revenue item"},
    {"payment-id", CLI_OPT_TEXT(ledger_options_t, payment_id), .arg = "ID",
     .help = "recharge: the payment's id (a retry with the same id changes nothing)"},
    {"id", CLI_OPT_TEXT(ledger_options_t, id), .arg = "ID", .help = "refund, deduct: the transfer's id"},
    {"meter", CLI_OPT_INT(ledger_options_t, meter, 1, INT64_MAX), .arg = "M", .help = "deduct: the meter's id"},
    {"from", CLI_OPT_TIME(ledger_options_t, from), CLI_GIVEN(ledger_options_t, has_from), .arg = "T",
     .help = "deduct: start of the metered interval; summary: start of the range"},
    {"to", CLI_OPT_TIME(ledger_options_t, to), CLI_GIVEN(ledger_options_t, has_to), .arg = "T",
     .help = "deduct: end of the metered interval; summary: end of the range"},
    {"by", CLI_OPT_CHOICE(ledger_options_t, by, by_choices), .values = by_codes, .help = "summary: the periods"},
    {"time", CLI_OPT_TIME(ledger_options_t, time), CLI_GIVEN(ledger_options_t, has_time), .arg = "T",
     .help = "recharge, refund, deduct: when it happened (default: now)"},
    {.name = NULL},
};

static const cli_spec_t ledger_spec = {
    .program = "prepay ledger",
    .usage = "--journal FILE [--json] [--wait] COMMAND ...",
    .summary = "A durable prepaid ledger in a journal file. Commands:\n"
               "  open ACCOUNT --kind KIND [--overdraft AMOUNT] [--max-balance AMOUNT] [--item ITEM]\n"
               "  recharge ACCOUNT AMOUNT --payment-id ID [--time T]\n"
               "  refund ACCOUNT AMOUNT --id ID [--time T]\n"
               "  deduct ACCOUNT AMOUNT --item ITEM --id ID [--meter M --from T --to T] [--time T]\n"
               "  balance ACCOUNT\n"
               "  history ACCOUNT\n"
               "  summary --by day|month|year [--from T] [--to T]\n"
               "  verify              check the journal; report torn tails and earlier cuts\n"
               "  snapshot            write FILE.snapshot and compact the journal",
    .options = ledger_options,
    .args = "COMMAND",
    .min_args = 1,
    .max_args = 3,
    .json = true,
    .notes = "ACCOUNT: a positive integer id. AMOUNT: yuan, e.g. 12.34 (at most 2 decimals).\n"
             "KIND: wallet revenue clearing refunds emergency common-area adjustments debt.\n"
             "ITEM: electricity water gas property-fee common-area service-fee.\n"
             "ID: a positive integer, or any other text (hashed to a 64-bit id, FNV-1a).\n"
             "T: YYYY-MM-DD or YYYY-MM-DD hh:mm[:ss] (T or a space; or YYYY/MM/DD), local time.\n"
             "Recharges debit account 9000000001 (payment clearing), refunds credit\n"
             "9000000002 (refunds payable), deductions credit 9000000100 + item code\n"
             "(revenue); they are opened automatically on first use.\n"
             "Only 'open' creates FILE. balance, history, summary and verify only read\n"
             "it (also while a writer runs). One writer at a time: another is refused\n"
             "with its PID, or waits with --wait. A refused operation exits 1 and writes nothing.",
};

static const struct {
    const char *name;
    size_t args; /* with the command's name */
    const char *options;
    bool writes; /* takes the writer's lock */
} command_table[] = {
    [LEDGER_OPEN] = {"open", 2, "journal wait kind overdraft max-balance item", true},
    [LEDGER_RECHARGE] = {"recharge", 3, "journal wait payment-id time", true},
    [LEDGER_REFUND] = {"refund", 3, "journal wait id time", true},
    [LEDGER_DEDUCT] = {"deduct", 3, "journal wait item id meter from to time", true},
    [LEDGER_BALANCE] = {"balance", 2, "journal", false},
    [LEDGER_HISTORY] = {"history", 2, "journal", false},
    [LEDGER_SUMMARY] = {"summary", 1, "journal by from to", false},
    [LEDGER_VERIFY] = {"verify", 1, "journal", false},
    [LEDGER_SNAPSHOT] = {"snapshot", 1, "journal wait", true},
};

/* ---- the input stage: every argument checked before the journal is touched ---------------- */


/* A transfer id: a positive integer, or text hashed with FNV-1a 64 (top bit set). */
static int parse_transfer_id(const char *text, const char *option, uint64_t *out, char *err, size_t err_cap)
{
    if (text == NULL) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "missing %s", option);
    }
    if (*text == '\0') {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "empty %s", option);
    }
    if (cli_parse_u64(text, UINT64_MAX, 0, out) == 0) {
        return *out == 0 ? cli_message(CLI_EXIT_USAGE, err, err_cap, "%s must not be 0", option) : 0;
    }
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
        h ^= *p;
        h *= UINT64_C(1099511628211);
    }
    *out = h | (UINT64_C(1) << 63);
    return 0;
}

static prepay_ledger_account_t system_account(uint64_t id, uint16_t kind, uint32_t item)
{
    prepay_ledger_account_t a;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = kind;
    a.item = item;
    return a;
}

/* The ledger's own account checks on an empty one-account ledger, so that a refused
 * `open` is refused before a journal file is created for it. Returns the status. */
static int check_account_fields(const prepay_ledger_account_t *account)
{
    uint64_t buffer[PREPAY_LEDGER_MEMORY_SIZE(1, 1) / sizeof(uint64_t)];
    prepay_ledger_memory_t memory;
    prepay_ledger_t ledger;
    int status = prepay_ledger_memory_layout(&memory, buffer, sizeof buffer, 1, 1);
    if (status == PREPAY_OK) {
        status = prepay_ledger_init(&ledger, &memory);
    }
    if (status == PREPAY_OK) {
        status = prepay_ledger_create_account(&ledger, account);
    }
    return status < 0 ? status : PREPAY_OK;
}

static int request_open(const ledger_options_t *o, ledger_request_t *r, char *err, size_t err_cap)
{
    if (o->kind == 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "open needs --kind KIND (try --help)");
    }
    prepay_ledger_account_t *a = &r->new_account;
    a->id = r->account;
    a->kind = (uint16_t)o->kind;
    if (o->kind == PREPAY_LEDGER_ACCOUNT_WALLET) {
        a->flags = PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS;
    }
    a->overdraft_limit = o->overdraft;
    a->max_balance = o->max_balance;
    a->item = o->item != 0 ? (uint32_t)o->item
                           : (o->kind == PREPAY_LEDGER_ACCOUNT_REVENUE ? PREPAY_LEDGER_ITEM_ELECTRICITY : 0u);
    r->check_status = check_account_fields(a);
    return 0;
}

/* recharge, refund, deduct: one transfer, and the system account on its other side. */
static int request_transfer(const ledger_options_t *o, const char *amount, ledger_request_t *r, char *err,
                            size_t err_cap)
{
    prepay_ledger_transfer_t *t = &r->transfer;
    if (cli_parse_decimal(amount, 2, 1, INT64_MAX, &t->amount) != 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "bad AMOUNT '%.32s' (a positive amount in yuan, at most 2 decimals)", amount);
    }
    bool recharge = r->command == LEDGER_RECHARGE;
    int rc = parse_transfer_id(recharge ? o->payment_id : o->id, recharge ? "--payment-id" : "--id", &t->id, err,
                               err_cap);
    if (rc != 0) {
        return rc;
    }
    t->timestamp = o->time;
    if (!o->has_time && cli_now(&t->timestamp) != 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "cannot read the local time; give --time");
    }
    if (r->command == LEDGER_RECHARGE) {
        t->code = PREPAY_LEDGER_CODE_RECHARGE;
        t->debit_account_id = CLEARING_ID;
        t->credit_account_id = r->account;
        t->order_id = t->id;
        r->system = system_account(CLEARING_ID, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, 0);
        return 0;
    }
    if (r->command == LEDGER_REFUND) {
        t->code = PREPAY_LEDGER_CODE_REFUND;
        t->debit_account_id = r->account;
        t->credit_account_id = REFUNDS_ID;
        t->order_id = t->id;
        r->system = system_account(REFUNDS_ID, PREPAY_LEDGER_ACCOUNT_REFUNDS_PAYABLE, 0);
        return 0;
    }
    if (o->item == 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "deduct needs --item ITEM (try --help)");
    }
    if (o->has_from != o->has_to) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "--from and --to go together");
    }
    if (o->has_from && o->to < o->from) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "--to is before --from");
    }
    uint32_t item = (uint32_t)o->item;
    t->code = PREPAY_LEDGER_CODE_DEDUCTION;
    t->meter_id = o->meter;
    t->interval_start = o->has_from ? o->from : 0;
    t->interval_end = o->has_from ? o->to : 0;
    t->debit_account_id = r->account;
    t->credit_account_id = REVENUE_BASE_ID + item;
    r->system = system_account(REVENUE_BASE_ID + item, PREPAY_LEDGER_ACCOUNT_REVENUE, item);
    return 0;
}

int prepay_ledger_options_parse(int argc, char **argv, ledger_request_t *r, cli_args_t *args, char *err,
                                size_t err_cap)
{
    ledger_options_t o;
    memset(&o, 0, sizeof o);
    memset(r, 0, sizeof *r);
    int rc = cli_parse(&ledger_spec, argc, argv, &o, args, err, err_cap);
    if (rc != 0 || args->help || args->version) {
        return rc;
    }
    r->json = args->json;
    r->wait = o.wait;
    r->journal = o.journal;
    if (o.journal == NULL || strcmp(o.journal, "-") == 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, o.journal ? "--journal needs a file, not '-'"
                                           : "missing --journal FILE (try 'prepay ledger --help')");
    }
    size_t k = 0;
    while (k < sizeof command_table / sizeof command_table[0] && strcmp(command_table[k].name, args->args[0]) != 0) {
        k++;
    }
    if (k == sizeof command_table / sizeof command_table[0]) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "unknown command '%.32s' (try 'prepay ledger --help')", args->args[0]);
    }
    r->command = (int)k;
    if (args->count != command_table[k].args) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "'%s' takes %zu argument%s (try 'prepay ledger --help')", command_table[k].name,
                   command_table[k].args - 1, command_table[k].args == 2 ? "" : "s");
    }
    if ((rc = cli_only(&ledger_spec, args, command_table[k].options, command_table[k].name, err, err_cap)) != 0) {
        return rc;
    }
    if (args->count >= 2 && cli_parse_u64(args->args[1], UINT64_MAX, 0, &r->account) != 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "bad account id '%.32s' (a positive integer)", args->args[1]);
    }
    if (args->count >= 2 && r->account == 0) {
        return cli_message(CLI_EXIT_USAGE, err, err_cap, "bad account id '0' (a positive integer)");
    }
    switch (r->command) {
    case LEDGER_OPEN: return request_open(&o, r, err, err_cap);
    case LEDGER_RECHARGE:
    case LEDGER_REFUND:
    case LEDGER_DEDUCT: return request_transfer(&o, args->args[2], r, err, err_cap);
    case LEDGER_SUMMARY:
        if (o.by == 0) {
            return cli_message(CLI_EXIT_USAGE, err, err_cap, "summary needs --by day|month|year");
        }
        r->period = (unsigned)o.by;
        r->has_from = o.has_from;
        r->has_to = o.has_to;
        r->from = o.from;
        r->to = o.to;
        return r->has_from && r->has_to && r->to < r->from ? cli_message(CLI_EXIT_USAGE, err, err_cap, "--to is before --from") : 0;
    default: return 0;
    }
}

/* ---- commands that write ------------------------------------------------------------------ */

/* Sets balance and available of an account on a result object. */
static void set_balance(const ledger_session_t *s, json_t *o, uint64_t account)
{
    prepay_ledger_balance_t b;
    if (prepay_ledger_balance(&s->ledger, account, &b) != PREPAY_OK) {
        cli_set(o, "balance", json_null());
        return;
    }
    cli_set(o, "balance", cli_json_fixed(b.balance, 2));
    cli_set(o, "available", cli_json_fixed(b.available, 2));
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
    return status != PREPAY_OK ? ledger_fail(s->cli, "journal (outcome unknown; retry with the same id)", status) : 0;
}

static int cmd_open(ledger_session_t *s, const ledger_request_t *r)
{
    const prepay_ledger_account_t *a = &r->new_account;
    int status = prepay_ledger_create_account(&s->ledger, a);
    if (status < 0) {
        return ledger_fail(s->cli, "open refused", status);
    }
    if (status == PREPAY_OK) {
        int rc = write_batch(s, a, NULL);
        if (rc != 0) {
            return rc;
        }
    }
    const char *result = status == PREPAY_LEDGER_EXISTS ? "exists" : "created";
    if (s->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "command", json_string("open"));
        cli_set(o, "account", cli_json_u64(a->id));
        cli_set(o, "kind", json_string(kind_names[a->kind]));
        cli_set(o, "result", json_string(result));
        return cli_emit(s->cli, o);
    }
    printf("account %" PRIu64 " (%s): %s\n", a->id, kind_names[a->kind], result);
    return 0;
}

/*
 * recharge, refund, deduct: the system account (if new) and the transfer
 * are decided in memory first and journaled as ONE batch only if the
 * transfer is applied; a refused transfer journals nothing.
 */
static int cmd_transfer(ledger_session_t *s, const ledger_request_t *r)
{
    const prepay_ledger_transfer_t *t = &r->transfer;
    bool new_system = prepay_ledger_account(&s->ledger, r->system.id) == NULL;
    if (new_system) {
        int status = prepay_ledger_create_account(&s->ledger, &r->system);
        if (status < 0) {
            return ledger_fail(s->cli, "cannot open system account", status);
        }
    }
    int result = 0;
    int status = prepay_ledger_apply(&s->ledger, t, 1, &result);
    if (status < 0 || result < 0) {
        return ledger_fail(s->cli, "refused", status < 0 ? status : result);
    }
    if (result == PREPAY_OK) {
        int rc = write_batch(s, new_system ? &r->system : NULL, t);
        if (rc != 0) {
            return rc;
        }
    }
    const char *outcome = result == PREPAY_LEDGER_EXISTS ? "exists" : "ok";
    char amount[CLI_TEXT_MAX];
    cli_fixed_text(t->amount, 2, amount);
    if (s->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "command", json_string(code_names[t->code]));
        cli_set(o, "account", cli_json_u64(r->account));
        cli_set(o, "amount", json_string(amount));
        cli_set(o, "id", cli_json_u64(t->id));
        cli_set(o, "result", json_string(outcome));
        set_balance(s, o, r->account);
        return cli_emit(s->cli, o);
    }
    prepay_ledger_balance_t b;
    char balance[CLI_TEXT_MAX] = "?";
    if (prepay_ledger_balance(&s->ledger, r->account, &b) == PREPAY_OK) {
        cli_fixed_text(b.balance, 2, balance);
    }
    printf("%s %s on account %" PRIu64 " (id %" PRIu64 "): %s%s; balance %s\n", code_names[t->code], amount,
           r->account, t->id, outcome, result == PREPAY_LEDGER_EXISTS ? " (nothing changed)" : "", balance);
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
        return ledger_fail(s->cli, "snapshot", status);
    }
    uint64_t sequence = s->journal.next_sequence - 1;
    if (s->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "command", json_string("snapshot"));
        cli_set(o, "sequence", cli_json_u64(sequence));
        cli_set(o, "accounts", json_integer(prepay_ledger_account_count(&s->ledger)));
        cli_set(o, "transfers", json_integer(prepay_ledger_transfer_count(&s->ledger)));
        return cli_emit(s->cli, o);
    }
    printf("snapshot at sequence %" PRIu64 " written; journal compacted\n", sequence);
    return 0;
}

/* ---- commands that only read -------------------------------------------------------------- */

static int cmd_balance(ledger_session_t *s, const ledger_request_t *r)
{
    prepay_ledger_balance_t b;
    int status = prepay_ledger_balance(&s->ledger, r->account, &b);
    if (status != PREPAY_OK) {
        return ledger_fail(s->cli, "balance", status);
    }
    if (s->cli->json) {
        json_t *o = cli_result();
        cli_set(o, "command", json_string("balance"));
        cli_set(o, "account", cli_json_u64(r->account));
        cli_set(o, "balance", cli_json_fixed(b.balance, 2));
        cli_set(o, "available", cli_json_fixed(b.available, 2));
        cli_set(o, "credits_posted", cli_json_fixed(b.credits_posted, 2));
        cli_set(o, "debits_posted", cli_json_fixed(b.debits_posted, 2));
        cli_set(o, "credits_pending", cli_json_fixed(b.credits_pending, 2));
        cli_set(o, "debits_pending", cli_json_fixed(b.debits_pending, 2));
        return cli_emit(s->cli, o);
    }
    char v[6][CLI_TEXT_MAX];
    printf("account %" PRIu64 ": balance %s, available %s (credits %s, debits %s, pending credits %s, pending "
           "debits %s)\n",
           r->account, cli_fixed_text(b.balance, 2, v[0]), cli_fixed_text(b.available, 2, v[1]),
           cli_fixed_text(b.credits_posted, 2, v[2]), cli_fixed_text(b.debits_posted, 2, v[3]),
           cli_fixed_text(b.credits_pending, 2, v[4]), cli_fixed_text(b.debits_pending, 2, v[5]));
    return 0;
}

static int cmd_history(ledger_session_t *s, const ledger_request_t *r)
{
    uint64_t account = r->account;
    if (prepay_ledger_account(&s->ledger, account) == NULL) {
        return ledger_fail(s->cli, "history", PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND);
    }
    prepay_ledger_query_t q;
    memset(&q, 0, sizeof q);
    q.account_id = account;
    const prepay_ledger_entry_t *e;
    json_t *list = s->cli->json ? json_array() : NULL;
    size_t n = 0;
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
        char amount[CLI_TEXT_MAX], when[CLI_TEXT_MAX];
        cli_fixed_text(t->amount, 2, amount);
        cli_time_text(t->timestamp, PREPAY_TIME_TEXT_ISO, when);
        if (list != NULL) {
            json_t *o = json_object();
            cli_set(o, "id", cli_json_u64(t->id));
            cli_set(o, "time", json_string(when));
            cli_set(o, "code", json_string(code_name(t->code)));
            cli_set(o, "direction", json_string(in ? "credit" : "debit"));
            cli_set(o, "amount", json_string(amount));
            cli_set(o, "counterparty", cli_json_u64(in ? debit : credit));
            cli_set(o, "meter", cli_json_u64(t->meter_id));
            cli_set(o, "flags", json_integer(t->flags));
            json_array_append_new(list, o);
        } else {
            printf("%s  %-16s %c%-12s id %-20" PRIu64 " %s %" PRIu64 "\n", when, code_name(t->code), in ? '+' : '-',
                   amount, t->id, in ? "from" : "to", in ? debit : credit);
        }
        n++;
    }
    if (list != NULL) {
        json_t *o = cli_result();
        cli_set(o, "command", json_string("history"));
        cli_set(o, "account", cli_json_u64(account));
        cli_set(o, "transfers", list);
        return cli_emit(s->cli, o);
    }
    if (n == 0) {
        printf("account %" PRIu64 ": no transfers\n", account);
    }
    return 0;
}

/* The label of a summary period: a day, a month or a year. */
static const char *period_label(unsigned period, prepay_days_t start, char buf[CLI_TEXT_MAX])
{
    prepay_time_text_t form = period == PREPAY_LEDGER_PERIOD_DAY     ? PREPAY_TIME_TEXT_DATE
                              : period == PREPAY_LEDGER_PERIOD_MONTH ? PREPAY_TIME_TEXT_MONTH
                                                                     : PREPAY_TIME_TEXT_YEAR;
    return cli_time_text((prepay_time_t)start * PREPAY_SECONDS_PER_DAY, form, buf);
}

static int cmd_summary(ledger_session_t *s, const ledger_request_t *r)
{
    unsigned period = r->period;
    /* Default range: every transfer in the log. */
    prepay_time_t from = 0, to = 1;
    uint32_t count = prepay_ledger_transfer_count(&s->ledger);
    for (uint32_t i = 0; i < count; i++) {
        prepay_time_t t = prepay_ledger_entry_at(&s->ledger, i)->transfer.timestamp;
        from = i == 0 || t < from ? t : from;
        to = i == 0 || t >= to ? t + 1 : to;
    }
    from = r->has_from ? r->from : from;
    to = r->has_to ? r->to : to;
    if (to < from) {
        return cli_bad(s->cli, "--to is before the first transfer (or --from)");
    }
    static prepay_ledger_income_row_t rows[MAX_ROWS];
    size_t row_count = 0;
    int status = prepay_ledger_income(&s->ledger, from, to, period, true, rows, MAX_ROWS, &row_count);
    prepay_ledger_order_summary_t orders;
    if (status == PREPAY_OK) {
        status = prepay_ledger_order_summary(&s->ledger, from, to, &orders);
    }
    if (status != PREPAY_OK) {
        return ledger_fail(s->cli, "summary", status);
    }
    char recharges[CLI_TEXT_MAX], refunds[CLI_TEXT_MAX], f[CLI_TEXT_MAX], t[CLI_TEXT_MAX];
    cli_fixed_text(orders.recharge_sum, 2, recharges);
    cli_fixed_text(orders.refund_sum, 2, refunds);
    cli_time_text(from, PREPAY_TIME_TEXT_ISO, f);
    cli_time_text(to, PREPAY_TIME_TEXT_ISO, t);
    json_t *list = s->cli->json ? json_array() : NULL;
    if (list == NULL) {
        printf("from %s to %s: %" PRIu32 " recharges %s, %" PRIu32 " refunds %s\n", f, t, orders.recharge_count,
               recharges, orders.refund_count, refunds);
    }
    for (size_t i = 0; i < row_count; i++) {
        char label[CLI_TEXT_MAX], income[CLI_TEXT_MAX];
        period_label(period, rows[i].period_start, label);
        cli_fixed_text(rows[i].income, 2, income);
        const char *item = rows[i].item < sizeof item_names / sizeof item_names[0] ? item_names[rows[i].item] : "user";
        if (list != NULL) {
            json_t *o = json_object();
            cli_set(o, "period", json_string(label));
            cli_set(o, "item", json_string(item));
            cli_set(o, "income", json_string(income));
            cli_set(o, "count", json_integer(rows[i].count));
            json_array_append_new(list, o);
        } else {
            printf("  %-10s %-14s %12s  (%" PRIu32 " transfers)\n", label, item, income, rows[i].count);
        }
    }
    if (list == NULL) {
        return 0;
    }
    json_t *o = cli_result();
    cli_set(o, "command", json_string("summary"));
    cli_set(o, "by", json_string(by_names[period]));
    cli_set(o, "from", json_string(f));
    cli_set(o, "to", json_string(t));
    cli_set(o, "recharge_count", json_integer(orders.recharge_count));
    cli_set(o, "recharge_sum", json_string(recharges));
    cli_set(o, "refund_count", json_integer(orders.refund_count));
    cli_set(o, "refund_sum", json_string(refunds));
    cli_set(o, "rows", list);
    return cli_emit(s->cli, o);
}

static int verify_json(ledger_session_t *s, uint64_t last)
{
    const prepay_journal_recovery_t *i = &s->info;
    json_t *o = cli_result();
    cli_set(o, "command", json_string("verify"));
    cli_set(o, "journal", cli_json_text(s->path));
    cli_set(o, "format", json_integer(i->version));
    cli_set(o, "accounts", json_integer(prepay_ledger_account_count(&s->ledger)));
    cli_set(o, "transfers", json_integer(prepay_ledger_transfer_count(&s->ledger)));
    cli_set(o, "batches", cli_json_u64(i->batches));
    cli_set(o, "records", cli_json_u64(i->records));
    cli_set(o, "snapshot_sequence", cli_json_u64(i->snapshot_sequence));
    cli_set(o, "last_sequence", cli_json_u64(last));
    cli_set(o, "truncated_bytes", cli_json_u64(i->truncated_bytes));
    cli_set(o, "tail_records", json_integer(i->tail_records));
    cli_set(o, "tail_batches", json_integer(i->tail_batches));
    cli_set(o, "damaged_commits", cli_json_u64(i->damaged_commits));
    cli_set(o, "cuts", cli_json_u64(i->earlier_cuts.count));
    cli_set(o, "cut_bytes", cli_json_u64(i->earlier_cuts.bytes));
    cli_set(o, "cut_records", cli_json_u64(i->earlier_cuts.records));
    cli_set(o, "cut_batches", cli_json_u64(i->earlier_cuts.batches));
    return cli_emit(s->cli, o);
}

static void verify_text(const ledger_session_t *s)
{
    const prepay_journal_recovery_t *i = &s->info;
    printf("ok: %" PRIu32 " accounts, %" PRIu32 " transfers; journal %s (format %" PRIu32 "): %" PRIu64
           " batches, %" PRIu64 " records replayed after snapshot sequence %" PRIu64 "\n",
           prepay_ledger_account_count(&s->ledger), prepay_ledger_transfer_count(&s->ledger), s->path, i->version,
           i->batches, i->records, i->snapshot_sequence);
    if (i->truncated_bytes > 0) {
        printf("torn tail: %" PRIu64 " bytes after offset %" PRIu64 " (%" PRIu32 " complete records of %" PRIu32
               " unfinished batch, never committed); the next writer cuts it\n",
               i->truncated_bytes, i->committed_end, i->tail_records, i->tail_batches);
    } else {
        printf("torn tail: none\n");
    }
    printf("cut by earlier recoveries: %" PRIu64 " tails, %" PRIu64 " bytes, %" PRIu64 " complete records of %" PRIu64
           " unfinished batches\n",
           i->earlier_cuts.count, i->earlier_cuts.bytes, i->earlier_cuts.records, i->earlier_cuts.batches);
    if (i->damaged_commits > 0) {
        printf("damaged commit records: %" PRIu64 " (first at offset %" PRIu64
               "); each had an intact copy, so no batch was lost\n",
               i->damaged_commits, i->damaged_offset);
    }
}

/* verify: the ledger's own verdict, and what recovery found (a reader reports; it never cuts). */
static int cmd_verify(ledger_session_t *s)
{
    int status = prepay_ledger_verify(&s->ledger, s->scratch, s->scratch_capacity);
    if (status != PREPAY_OK) {
        return ledger_fail(s->cli, "verify", status);
    }
    const prepay_journal_recovery_t *i = &s->info;
    uint64_t last = i->last_sequence > i->snapshot_sequence ? i->last_sequence : i->snapshot_sequence;
    int rc = 0;
    if (s->cli->json) {
        rc = verify_json(s, last);
    } else {
        verify_text(s);
    }
    /* Batches that were whole on disk but never committed were dropped: say so where it cannot be missed. */
    if (i->earlier_cuts.records > 0) {
        cli_warn(s->cli,
                 "earlier recoveries dropped %" PRIu64 " complete records of %" PRIu64
                 " batches without a commit record; they were acknowledged only if the storage lost synced bytes",
                 i->earlier_cuts.records, i->earlier_cuts.batches);
    }
    if (i->damaged_commits > 0) {
        cli_warn(s->cli,
                 "%" PRIu64 " damaged commit records (first at offset %" PRIu64
                 "); the storage is failing: run 'snapshot' and check the disk",
                 i->damaged_commits, i->damaged_offset);
    }
    return rc;
}

int prepay_tool_ledger(int argc, char **argv)
{
    cli_t cli;
    cli_args_t args;
    ledger_request_t r;
    char err[CLI_MESSAGE_MAX];
    int rc = cli_begin(&cli, &ledger_spec, &args, prepay_ledger_options_parse(argc, argv, &r, &args, err, sizeof err),
                       err);
    if (rc >= 0) {
        return rc;
    }
    /* All input is checked before the journal is opened: bad input never creates or changes a file. */
    if (r.check_status != PREPAY_OK) {
        return ledger_fail(&cli, "open refused", r.check_status);
    }
    ledger_open_mode_t mode = {command_table[r.command].writes, r.wait, r.command == LEDGER_OPEN};
    ledger_session_t *s = NULL;
    if ((rc = ledger_session_open(r.journal, &cli, mode, &s)) != 0) {
        return rc;
    }
    switch (r.command) {
    case LEDGER_OPEN: rc = cmd_open(s, &r); break;
    case LEDGER_RECHARGE:
    case LEDGER_REFUND:
    case LEDGER_DEDUCT: rc = cmd_transfer(s, &r); break;
    case LEDGER_BALANCE: rc = cmd_balance(s, &r); break;
    case LEDGER_HISTORY: rc = cmd_history(s, &r); break;
    case LEDGER_SUMMARY: rc = cmd_summary(s, &r); break;
    case LEDGER_VERIFY: rc = cmd_verify(s); break;
    default: rc = cmd_snapshot(s); break;
    }
    ledger_session_free(s);
    return rc;
}
