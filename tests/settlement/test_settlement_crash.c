/* SPDX-License-Identifier: MIT */
/*
 * Crash test over the settlement journal: a scenario is settled durably
 * (one commit per call, in-memory journal storage); then, for every byte
 * offset inside the last batches (back to the last reading batch and period
 * close, so recharges and refunds too), the journal is cut there as a crash would leave it, the ledger
 * recovered (prepay_journal_open()), a new site built from the same
 * description, and every input re-run against it. The books must be exactly
 * those of the uninterrupted run (same accounts, counters and transfer count),
 * which are also those of a run in memory only.
 * PREPAY_SETTLEMENT_CRASH_STRIDE > 1 tests every n-th offset (default 1).
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "settle_fixture.h"
#include "settle_scenario.h"
#include "prepay/settlement_hosted.h"

#define STORAGE (8u << 20)
#define STAGING (64u << 10)

typedef struct durable {
    prepay_ledger_t ledger;
    prepay_ledger_memory_t ledger_memory;
    prepay_ledger_account_t *scratch;
    uint32_t scratch_cap;
    prepay_journal_memory_t storage;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    uint8_t *staging;
    prepay_settlement_memory_t memory;
    prepay_settlement_site_t site;
    prepay_settlement_books_t books;
    prepay_settlement_work_t work, close;
} durable_t;

static void open_site(durable_t *d, scn_t *s, bool journal)
{
    assert_int_equal(scn_site(s, &d->memory, &d->site), PREPAY_OK);
    d->books.ledger = &d->ledger;
    d->books.journal = journal ? &d->journal : NULL;
    prepay_settlement_result_t r;
    assert_int_equal(prepay_settlement_open(&d->site, &d->books, &r), PREPAY_OK);
    prepay_settlement_work_sizes_t sizes;
    assert_int_equal(prepay_settlement_work_sizes_default(&d->site, (uint32_t)s->meters, &sizes), PREPAY_OK);
    assert_int_equal(prepay_settlement_work_alloc(&d->work, &sizes), PREPAY_OK);
    assert_int_equal(prepay_settlement_work_sizes_default(&d->site, 0, &sizes), PREPAY_OK);
    assert_int_equal(prepay_settlement_work_alloc(&d->close, &sizes), PREPAY_OK);
}

static void close_site(durable_t *d)
{
    prepay_settlement_memory_free(&d->memory);
    prepay_settlement_work_free(&d->work);
    prepay_settlement_work_free(&d->close);
}

/* Refunds that posted a transfer in the runs (the scenario's refunds must not all be skipped). */
static size_t refunds_posted;

static void run_all(durable_t *d, const scn_t *s, size_t *lengths)
{
    for (size_t i = 0; i < s->op_count; i++) {
        prepay_settlement_result_t r;
        int status = scn_run(s, i, &d->site, &d->books, &d->work, &d->close, &r);
        if (status < 0) {
            fail_msg("input %zu: %s (index %u id %u detail %s)", i, prepay_strerror(status), r.error_index,
                     r.error_id, prepay_strerror(r.error_detail));
        }
        if (lengths) {
            lengths[i] = d->storage.length;
        }
        if (s->ops[i].kind == SCN_REFUND && r.transfers > 0u) {
            refunds_posted++;
        }
    }
}

static void ledger_alloc(durable_t *d, const scn_t *s)
{
    uint32_t accounts, transfers;
    scn_ledger_sizes(s, &accounts, &transfers);
    fx_ledger_init(&d->ledger, &d->ledger_memory, accounts, transfers);
    d->scratch_cap = accounts;
    d->scratch = calloc(accounts, sizeof *d->scratch);
}

static void ledger_release(durable_t *d)
{
    fx_ledger_free(&d->ledger_memory);
    free(d->scratch);
}

static void test_crash_at_every_cut(void **state)
{
    (void)state;
    scn_t s;
    assert_int_equal(scn_make(&s, 5, 8, 31, 12 * 3600), 0);
    /* In memory only. */
    durable_t *mem = calloc(1, sizeof *mem);
    ledger_alloc(mem, &s);
    open_site(mem, &s, false);
    run_all(mem, &s, NULL);
    assert_true(refunds_posted > 0u); /* refunds are among the inputs (scn_make) */
    print_message("%zu refunds posted\n", refunds_posted);
    uint64_t expect = scn_books_digest(&mem->ledger);
    uint32_t transfers = prepay_ledger_transfer_count(&mem->ledger);
    close_site(mem);
    ledger_release(mem);
    free(mem);
    /* Durable, one commit per call. */
    durable_t *d = calloc(1, sizeof *d);
    uint8_t *bytes = malloc(STORAGE);
    d->staging = malloc(STAGING);
    ledger_alloc(d, &s);
    assert_int_equal(prepay_journal_memory_io(&d->storage, bytes, STORAGE, &d->io), PREPAY_OK);
    prepay_journal_recovery_t info;
    assert_int_equal(prepay_journal_open(&d->journal, &d->io, d->staging, STAGING, NULL, &d->ledger, d->scratch,
                                         d->scratch_cap, &info),
                     PREPAY_OK);
    open_site(d, &s, true);
    size_t *lengths = calloc(s.op_count, sizeof *lengths);
    run_all(d, &s, lengths);
    assert_int_equal(d->storage.synced, d->storage.length); /* every call acknowledged was synced */
    assert_true(scn_books_digest(&d->ledger) == expect);
    assert_int_equal(prepay_ledger_transfer_count(&d->ledger), transfers);
    size_t journal_bytes = d->storage.length;
    close_site(d);
    ledger_release(d);
    free(d->staging);
    /* The last calls that wrote anything, back to the last reading batch and period close: so the cuts cover
     * each kind of call (a batch, a close, a recharge, a refund). */
    size_t from = journal_bytes;
    bool seen[SCN_REFUND + 1] = {false};
    int found = 0;
    for (size_t i = s.op_count; i-- > 0 && !(seen[SCN_BATCH] && seen[SCN_CLOSE] && seen[SCN_RECHARGE] &&
                                            seen[SCN_REFUND]);) {
        size_t before = i > 0 ? lengths[i - 1] : 0;
        if (lengths[i] > before) {
            from = before;
            found++;
            seen[s.ops[i].kind] = true;
        }
    }
    assert_true(seen[SCN_BATCH] && seen[SCN_CLOSE] && seen[SCN_RECHARGE] && seen[SCN_REFUND]);
    size_t stride = 1;
    const char *env = getenv("PREPAY_SETTLEMENT_CRASH_STRIDE");
    if (env) {
        stride = (size_t)strtoul(env, NULL, 10);
    }
    uint8_t *cut = malloc(STORAGE);
    size_t cuts = 0;
    for (size_t at = from; at <= journal_bytes; at += stride) {
        memset(d, 0, sizeof *d);
        d->staging = malloc(STAGING);
        memcpy(cut, bytes, at);
        assert_int_equal(prepay_journal_memory_io(&d->storage, cut, STORAGE, &d->io), PREPAY_OK);
        d->storage.length = at;
        d->storage.synced = at;
        ledger_alloc(d, &s);
        int status = prepay_journal_open(&d->journal, &d->io, d->staging, STAGING, NULL, &d->ledger, d->scratch,
                                         d->scratch_cap, &info);
        if (status != PREPAY_OK) {
            fail_msg("cut at %zu of %zu: recovery: %s", at, journal_bytes, prepay_strerror(status));
        }
        open_site(d, &s, true);
        run_all(d, &s, NULL);
        if (scn_books_digest(&d->ledger) != expect || prepay_ledger_transfer_count(&d->ledger) != transfers) {
            fail_msg("cut at %zu of %zu: the re-run's books differ from the uninterrupted run", at, journal_bytes);
        }
        close_site(d);
        ledger_release(d);
        free(d->staging);
        cuts++;
    }
    print_message("%zu inputs, %u transfers, journal %zu bytes; %zu cuts from byte %zu (the last %d writing calls) "
                  "recovered to the same books\n",
                  s.op_count, transfers, journal_bytes, cuts, from, found);
    free(cut);
    free(bytes);
    free(lengths);
    free(d);
    scn_free(&s);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_at_every_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
