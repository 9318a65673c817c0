/* SPDX-License-Identifier: MIT */
/*
 * A durable prepaid ledger: accounts and transfers made crash-safe by the
 * journal, a snapshot that compacts it, and recovery after a restart.
 *
 *   durable_ledger [PARENT-DIR]      (default: $TMPDIR or /tmp)
 *
 * The program works in a fresh directory PARENT-DIR/prepay-ledger-XXXXXX
 * and removes it at the end. Steps:
 *  1. open the journal (creating it) and recover an empty ledger;
 *  2. create a payment-clearing account, a tenant's wallet and the
 *     electricity revenue account, each made durable before it is used;
 *  3. submit a 100.00 yuan recharge and a 12.34 yuan deduction; a result is
 *     acknowledged only once prepay_journal_submit() returns (after fsync);
 *  4. write a snapshot and compact the journal back to its header;
 *  5. submit a 7.66 yuan deduction, then "restart": drop everything in
 *     memory and recover from snapshot + journal (prepay_journal_open);
 *  6. retry the 7.66 deduction with the same id: the ledger answers
 *     PREPAY_LEDGER_EXISTS and nothing is charged twice.
 * Build against an installed library:
 *   cc durable_ledger.c $(pkg-config --cflags --libs prepay) -o durable_ledger
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <prepay/prepay.h>
#include "prepay/journal_posix.h"

enum { ACCOUNTS = 16, TRANSFERS = 64 };
enum { CLEARING = 1, WALLET = 101, REVENUE = 900 };

/* Everything one process holds: caller-owned memory, no allocation in the library. */
typedef struct store {
    /* Accounts, transfer log and their indexes, carved by prepay_ledger_memory_layout(). */
    uint64_t ledger_memory[(PREPAY_LEDGER_MEMORY_SIZE(ACCOUNTS, TRANSFERS) + 7) / 8];
    prepay_ledger_account_t scratch[ACCOUNTS];
    uint8_t staging[16384];                  /* >= PREPAY_JOURNAL_MIN_BUFFER */
    prepay_ledger_t ledger;
    prepay_journal_posix_t file;
    prepay_snapshot_posix_t snapshot_file;
    prepay_journal_io_t io;
    prepay_snapshot_io_t snapshot_io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
} store_t;

static int check(int status, const char *what)
{
    if (status < 0) {
        fprintf(stderr, "durable_ledger: %s: %s\n", what, prepay_strerror(status));
        exit(1);
    }
    return status;
}

/* Opens (or reopens after a "crash") the journal and snapshot in dir and recovers the ledger. */
static void open_store(store_t *s, const char *dir)
{
    char path[512];
    memset(s, 0, sizeof *s);
    prepay_ledger_memory_t memory;
    check(prepay_ledger_memory_layout(&memory, s->ledger_memory, sizeof s->ledger_memory, ACCOUNTS, TRANSFERS),
          "ledger memory");
    check(prepay_ledger_init(&s->ledger, &memory), "ledger init");
    snprintf(path, sizeof path, "%s/ledger.snapshot", dir);
    check(prepay_snapshot_posix_init(&s->snapshot_file, path, &s->snapshot_io), "snapshot");
    snprintf(path, sizeof path, "%s/ledger.journal", dir);
    check(prepay_journal_posix_open(&s->file, path, &s->io), "journal file");
    check(prepay_journal_open(&s->journal, &s->io, s->staging, sizeof s->staging, &s->snapshot_io, &s->ledger,
                              s->scratch, ACCOUNTS, &s->info),
          "recovery");
    printf("recovered: %llu records from the snapshot, %llu from the journal, %u accounts, %u transfers\n",
           (unsigned long long)s->info.snapshot_records, (unsigned long long)s->info.records,
           (unsigned)prepay_ledger_account_count(&s->ledger), (unsigned)prepay_ledger_transfer_count(&s->ledger));
}

static void close_store(store_t *s)
{
    (void)prepay_journal_posix_close(&s->file);
    prepay_snapshot_posix_close(&s->snapshot_file);
}

static void create(store_t *s, uint64_t id, uint16_t kind, uint32_t item, uint16_t flags)
{
    prepay_ledger_account_t account;
    memset(&account, 0, sizeof account);
    account.id = id;
    account.kind = kind;
    account.item = item;
    account.flags = flags;
    check(prepay_journal_create_account(&s->journal, &s->ledger, &account), "create account");
}

/* Submits one transfer; returns its result (PREPAY_OK or PREPAY_LEDGER_EXISTS). */
static int submit(store_t *s, uint64_t id, uint64_t from, uint64_t to, prepay_money_t fen, uint16_t code)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.debit_account_id = from;
    t.credit_account_id = to;
    t.amount = fen;
    t.code = code;
    t.timestamp = 849398400; /* 2026-12-01 00:00:00 local (seconds since 2000-01-01) */
    int result = PREPAY_OK;
    check(prepay_journal_submit(&s->journal, &s->ledger, &t, 1, &result), "submit");
    return check(result, "transfer");
}

static void print_wallet(const store_t *s)
{
    prepay_ledger_balance_t b;
    char text[32];
    check(prepay_ledger_balance(&s->ledger, WALLET, &b), "balance");
    check(prepay_fixed_format(b.balance, 2, text, sizeof text), "format");
    printf("wallet %d balance %s yuan\n", WALLET, text);
}

int main(int argc, char **argv)
{
    const char *parent = argc > 1 ? argv[1] : getenv("TMPDIR");
    char dir[400];
    snprintf(dir, sizeof dir, "%s/prepay-ledger-XXXXXX", parent != NULL && *parent != '\0' ? parent : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror(dir);
        return 1;
    }
    static store_t store;
    store_t *s = &store;

    open_store(s, dir);
    create(s, CLEARING, PREPAY_LEDGER_ACCOUNT_PAYMENT_CLEARING, PREPAY_LEDGER_ITEM_NONE, 0);
    create(s, WALLET, PREPAY_LEDGER_ACCOUNT_WALLET, PREPAY_LEDGER_ITEM_NONE,
           PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS);
    create(s, REVENUE, PREPAY_LEDGER_ACCOUNT_REVENUE, PREPAY_LEDGER_ITEM_ELECTRICITY, 0);
    submit(s, 1001, CLEARING, WALLET, 10000, PREPAY_LEDGER_CODE_RECHARGE);
    submit(s, 1002, WALLET, REVENUE, 1234, PREPAY_LEDGER_CODE_DEDUCTION);
    print_wallet(s);

    check(prepay_journal_snapshot(&s->journal, &s->ledger, &s->snapshot_io, true), "snapshot");
    printf("snapshot written, journal compacted\n");
    submit(s, 1003, WALLET, REVENUE, 766, PREPAY_LEDGER_CODE_DEDUCTION);
    close_store(s); /* a restart: nothing in memory survives */

    open_store(s, dir);
    print_wallet(s);
    int again = submit(s, 1003, WALLET, REVENUE, 766, PREPAY_LEDGER_CODE_DEDUCTION);
    printf("retry of transfer 1003: %s\n", again == PREPAY_LEDGER_EXISTS ? "already applied, not charged twice"
                                                                         : "applied AGAIN (wrong)");
    print_wallet(s);
    prepay_ledger_balance_t revenue;
    char text[32];
    check(prepay_ledger_balance(&s->ledger, REVENUE, &revenue), "balance");
    check(prepay_fixed_format(revenue.balance, 2, text, sizeof text), "format");
    printf("electricity revenue %s yuan\n", text);
    close_store(s);

    char path[512];
    const char *const files[] = {"ledger.journal", "ledger.snapshot"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        (void)unlink(path);
    }
    (void)rmdir(dir);
    return again == PREPAY_LEDGER_EXISTS ? 0 : 1;
}
