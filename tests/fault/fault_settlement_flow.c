/* SPDX-License-Identifier: MIT */
/*
 * The settlement flow of the fault-injection harness (fault_run.py): the
 * inputs of a deterministic settlement scenario (tests/settlement/
 * settle_scenario.c: reading batches, recharges, period closes) settled
 * durably through a POSIX journal, one commit per input.
 *
 *   fault_settlement_flow JOURNAL plan
 *       Settles every input in memory and prints "ops N", then for each
 *       transfer an input produces "op INPUT ID EFFECT" (EFFECT: the amount
 *       it credits to a revenue account, else 0). Touches no file.
 *   fault_settlement_flow JOURNAL run UPTO
 *       Recovers the ledger from the journal, builds the site from its
 *       description, and settles inputs 0 .. UPTO-1 (those already in the
 *       journal are found there: nothing is written twice). Prints "ack INPUT"
 *       once each input is durable; "fail STATUS" and exit 1 on an error.
 *   fault_settlement_flow JOURNAL dump
 *       Read-only recovery; then re-runs every input of the scenario against
 *       the recovered ledger (in memory) and compares the books with an
 *       uninterrupted run: "ok TRANSFERS BALANCE CUTS DAMAGED TAIL" (BALANCE:
 *       the revenue accounts' total) and "t ID AMOUNT" per transfer; or
 *       "recovery-failed STATUS OFFSET" / "replay-mismatch" and exit 1.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/journal.h"
#include "prepay/journal_posix.h"
#include "prepay/ledger.h"
#include "prepay/settlement.h"
#include "prepay/settlement_hosted.h"
#include "settle_scenario.h"

#define SEED 11u
#define ROOMS 10u
#define DAYS 62u
#define STEP (12 * 3600)

static scn_t scenario;
static prepay_ledger_t ledger;
static prepay_ledger_memory_t ledger_memory;
static prepay_ledger_account_t *scratch;
static uint32_t scratch_cap;
static prepay_settlement_memory_t site_memory;
static prepay_settlement_site_t site;
static prepay_settlement_work_t work, close_work;
static uint8_t staging[64 * 1024];

static void *ledger_buffer; /* prepay_ledger_memory_size() bytes */

static int ledger_init(void)
{
    uint32_t accounts, transfers;
    scn_ledger_sizes(&scenario, &accounts, &transfers);
    size_t size = prepay_ledger_memory_size(accounts, transfers);
    ledger_buffer = size != 0 ? calloc(1, size) : NULL;
    scratch_cap = accounts;
    scratch = calloc(accounts, sizeof *scratch);
    if (!ledger_buffer || !scratch ||
        prepay_ledger_memory_layout(&ledger_memory, ledger_buffer, size, accounts, transfers) != PREPAY_OK) {
        return PREPAY_E_CAPACITY;
    }
    return prepay_ledger_init(&ledger, &ledger_memory);
}

static void ledger_release(void)
{
    free(ledger_buffer);
    ledger_buffer = NULL;
    free(scratch);
    memset(&ledger_memory, 0, sizeof ledger_memory);
    scratch = NULL;
}

static int site_init(const prepay_settlement_books_t *books)
{
    int status = scn_site(&scenario, &site_memory, &site);
    prepay_settlement_result_t r;
    if (status == PREPAY_OK) {
        status = prepay_settlement_open(&site, books, &r);
    }
    prepay_settlement_work_sizes_t sizes;
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_sizes_default(&site, (uint32_t)scenario.meters, &sizes);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&work, &sizes);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_sizes_default(&site, 0, &sizes);
    }
    if (status == PREPAY_OK) {
        status = prepay_settlement_work_alloc(&close_work, &sizes);
    }
    return status;
}

static void site_release(void)
{
    prepay_settlement_memory_free(&site_memory);
    prepay_settlement_work_free(&work);
    prepay_settlement_work_free(&close_work);
}

static bool revenue(uint64_t account)
{
    unsigned role = (unsigned)(account & 0xFFu);
    return (account >> 8) == 0 && role >= PREPAY_SETTLEMENT_SITE_ELECTRICITY && role <= PREPAY_SETTLEMENT_SITE_CHARGES;
}

static int fail(int status)
{
    printf("fail %d\n", status);
    fflush(stdout);
    return 1;
}

/* Every input on a fresh in-memory ledger; the digest of its books in *digest. */
static int memory_run(bool print, uint64_t *digest)
{
    prepay_settlement_books_t books = {&ledger, NULL};
    int status = ledger_init();
    if (status == PREPAY_OK) {
        status = site_init(&books);
    }
    if (status != PREPAY_OK) {
        return fail(status);
    }
    if (print) {
        printf("ops %zu\n", scenario.op_count);
    }
    for (size_t i = 0; i < scenario.op_count; i++) {
        prepay_settlement_result_t r;
        status = scn_run(&scenario, i, &site, &books, &work, &close_work, &r);
        if (status < 0) {
            return fail(status);
        }
        const prepay_settlement_work_t *w = scenario.ops[i].kind == SCN_CLOSE ? &close_work : &work;
        for (uint32_t k = 0; print && k < w->transfer_count; k++) {
            const prepay_ledger_transfer_t *t = &w->transfers[k];
            printf("op %zu %" PRIu64 " %" PRId64 "\n", i, t->id, revenue(t->credit_account_id) ? t->amount : 0);
        }
    }
    *digest = scn_books_digest(&ledger);
    site_release();
    ledger_release();
    return 0;
}

static int run(const char *path, size_t upto)
{
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    int status = ledger_init();
    if (status == PREPAY_OK) {
        status = prepay_journal_posix_open_flags(&file, path, PREPAY_JOURNAL_POSIX_WAIT, &io);
    }
    if (status == PREPAY_OK) {
        status = prepay_journal_open(&journal, &io, staging, sizeof staging, NULL, &ledger, scratch, scratch_cap, &info);
    }
    prepay_settlement_books_t books = {&ledger, &journal};
    if (status == PREPAY_OK) {
        status = site_init(&books);
    }
    if (status != PREPAY_OK) {
        return fail(status);
    }
    for (size_t i = 0; i < upto && i < scenario.op_count; i++) {
        prepay_settlement_result_t r;
        status = scn_run(&scenario, i, &site, &books, &work, &close_work, &r);
        if (status < 0) {
            return fail(status);
        }
        printf("ack %zu\n", i);
        fflush(stdout);
    }
    site_release();
    ledger_release();
    (void)prepay_journal_posix_close(&file);
    return 0;
}

static int dump(const char *path)
{
    uint64_t expect = 0;
    if (memory_run(false, &expect) != 0) {
        return 1;
    }
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_recovery_t info;
    memset(&info, 0, sizeof info);
    int status = ledger_init();
    if (status == PREPAY_OK) {
        status = prepay_journal_posix_open_flags(&file, path, PREPAY_JOURNAL_POSIX_READ_ONLY, &io);
    }
    if (status == PREPAY_OK) {
        status = prepay_journal_recover(&io, NULL, &ledger, scratch, scratch_cap, &info);
    }
    if (status != PREPAY_OK) {
        printf("recovery-failed %d %" PRIu64 "\n", status, info.corrupt_offset);
        return 1;
    }
    uint32_t n = prepay_ledger_transfer_count(&ledger);
    prepay_money_t balance = 0;
    for (uint32_t i = 0; i < n; i++) {
        const prepay_ledger_transfer_t *t = &prepay_ledger_entry_at(&ledger, i)->transfer;
        balance += revenue(t->credit_account_id) ? t->amount : 0;
    }
    /* The claim: re-running every input over what survived gives the uninterrupted run's books. Lines for the
     * harness first (the recovered state), then the re-run in memory. */
    char head[160];
    snprintf(head, sizeof head, "ok %" PRIu32 " %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64, n, balance,
             info.earlier_cuts.count, info.damaged_commits, info.truncated_bytes);
    uint64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    prepay_money_t *amounts = malloc((n ? n : 1) * sizeof *amounts);
    for (uint32_t i = 0; i < n; i++) {
        ids[i] = prepay_ledger_entry_at(&ledger, i)->transfer.id;
        amounts[i] = prepay_ledger_entry_at(&ledger, i)->transfer.amount;
    }
    (void)prepay_journal_posix_close(&file);
    prepay_settlement_books_t books = {&ledger, NULL};
    status = site_init(&books);
    for (size_t i = 0; status >= 0 && i < scenario.op_count; i++) {
        prepay_settlement_result_t r;
        status = scn_run(&scenario, i, &site, &books, &work, &close_work, &r);
    }
    if (status < 0 || scn_books_digest(&ledger) != expect) {
        printf("replay-mismatch %d\n", status);
        return 1;
    }
    site_release();
    ledger_release();
    printf("%s\n", head);
    for (uint32_t i = 0; i < n; i++) {
        printf("t %" PRIu64 " %" PRId64 "\n", ids[i], amounts[i]);
    }
    free(ids);
    free(amounts);
    return 0;
}

int main(int argc, char **argv)
{
    if (scn_make(&scenario, SEED, ROOMS, DAYS, STEP) != 0) {
        return fail(PREPAY_E_CAPACITY);
    }
    int rc = -1;
    if (argc == 3 && strcmp(argv[2], "plan") == 0) {
        uint64_t digest;
        rc = memory_run(true, &digest);
    } else if (argc == 3 && strcmp(argv[2], "dump") == 0) {
        rc = dump(argv[1]);
    } else if (argc == 4 && strcmp(argv[2], "run") == 0) {
        rc = run(argv[1], (size_t)strtoull(argv[3], NULL, 10));
    }
    scn_free(&scenario);
    if (rc >= 0) {
        return rc;
    }
    fprintf(stderr, "usage: fault_settlement_flow JOURNAL plan|dump\n"
                    "       fault_settlement_flow JOURNAL run UPTO\n");
    return 2;
}
