/*
 * The POSIX file storage of the journal and snapshots: real files in a
 * fresh directory under /tmp, closed and reopened as a restarted process
 * would; a torn tail written into the file is cut off on reopen; snapshots
 * are replaced by rename and compaction shrinks the file.
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

#include "prepay/journal.h"
#include "prepay/ledger.h"
#include "prepay/status.h"
#include "test_journal_fixture.h"

static char dir[64];
static char journal_path[128];
static char snapshot_path[128];
static fx_ledger_t live, rec;
static uint8_t staging[16384];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/prepay-journal-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(journal_path, sizeof journal_path, "%s/ledger.journal", dir);
    snprintf(snapshot_path, sizeof snapshot_path, "%s/ledger.snapshot", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char tmp[160];
    unlink(journal_path);
    unlink(snapshot_path);
    snprintf(tmp, sizeof tmp, "%s.tmp", snapshot_path);
    unlink(tmp);
    rmdir(dir);
    return 0;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : UINT64_MAX;
}

static int open_ledger(prepay_journal_posix_t *file, prepay_journal_io_t *io, prepay_journal_t *journal,
                       fx_ledger_t *fx, const prepay_snapshot_io_t *snap, prepay_journal_recovery_t *info)
{
    assert_int_equal(prepay_journal_posix_open(file, journal_path, io), PREPAY_OK);
    assert_int_equal(fx_ledger_init(fx), PREPAY_OK);
    return prepay_journal_open(journal, io, staging, sizeof staging, snap, &fx->ledger, fx->scratch, FX_ACCOUNTS,
                               info);
}

static void test_file_io(void **state)
{
    (void)state;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    assert_int_equal(prepay_journal_posix_open(&file, journal_path, &io), PREPAY_OK);
    uint64_t size = 99;
    assert_int_equal(io.size(io.context, &size), PREPAY_OK);
    assert_int_equal(size, 0);
    const uint8_t data[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assert_int_equal(io.append(io.context, data, sizeof data), PREPAY_OK);
    assert_int_equal(io.append(io.context, data, 4), PREPAY_OK);
    assert_int_equal(io.sync(io.context), PREPAY_OK);
    uint8_t back[14];
    assert_int_equal(io.read(io.context, 0, back, sizeof back), PREPAY_OK);
    assert_memory_equal(back, data, 10);
    assert_memory_equal(back + 10, data, 4);
    assert_int_equal(io.read(io.context, 10, back, 5), PREPAY_E_JOURNAL_IO); /* past the end */
    assert_int_equal(io.truncate(io.context, 3), PREPAY_OK);
    assert_int_equal(io.append(io.context, data + 7, 3), PREPAY_OK); /* appends after the cut */
    assert_int_equal(file_size(journal_path), 6);
    assert_int_equal(io.read(io.context, 0, back, 6), PREPAY_OK);
    assert_memory_equal(back, "\x01\x02\x03\x08\x09\x0a", 6);
    assert_int_equal(io.truncate(io.context, 7), PREPAY_E_JOURNAL_IO); /* never grows */
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    /* Reopening finds the same bytes. */
    assert_int_equal(prepay_journal_posix_open(&file, journal_path, &io), PREPAY_OK);
    assert_int_equal(io.size(io.context, &size), PREPAY_OK);
    assert_int_equal(size, 6);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    unlink(journal_path);
    char long_path[PREPAY_JOURNAL_PATH_MAX + 8];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    assert_int_equal(prepay_journal_posix_open(&file, long_path, &io), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_journal_posix_open(&file, "/nonexistent-dir/x/y", &io), PREPAY_E_JOURNAL_IO);
}

static void test_reopen_and_torn_tail(void **state)
{
    (void)state;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    prepay_snapshot_posix_t snap_file;
    prepay_snapshot_io_t snap;
    assert_int_equal(prepay_snapshot_posix_init(&snap_file, snapshot_path, &snap), PREPAY_OK);
    assert_int_equal(open_ledger(&file, &io, &journal, &live, &snap, &info), PREPAY_OK);
    assert_int_equal(file_size(journal_path), PREPAY_JOURNAL_HEADER_SIZE);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    fx_model_t model;
    memset(&model, 0, sizeof model);
    uint32_t rng = 11u;
    uint64_t next_id = 1;
    for (int b = 0; b < 10; b++) {
        prepay_ledger_transfer_t batch[32];
        int results[32];
        fx_batch(&rng, &next_id, batch, 32);
        assert_true(prepay_journal_submit(&journal, &live.ledger, batch, 32, results) >= 0);
        for (int i = 0; i < 32; i++) {
            fx_model_apply(&model, &batch[i]);
        }
    }
    uint64_t committed = file_size(journal_path);
    assert_int_equal(committed, journal.committed_end);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);

    /* A torn write: half a record appended by a "crashed" process. */
    FILE *f = fopen(journal_path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite("\x74\x00\x00\x00\x02\x00\x00", 1, 7, f), 7);
    fclose(f);
    assert_int_equal(open_ledger(&file, &io, &journal, &rec, &snap, &info), PREPAY_OK);
    assert_int_equal(info.truncated_bytes, 7);
    assert_int_equal(file_size(journal_path), committed);
    assert_true(fx_balances_match(&rec.ledger, &model));

    /* Snapshot with compaction: renamed into place, no temp left, journal back to its header. */
    assert_int_equal(prepay_journal_snapshot(&journal, &rec.ledger, &snap, true), PREPAY_OK);
    assert_true(file_size(snapshot_path) != UINT64_MAX);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", snapshot_path);
    assert_int_equal(file_size(tmp), UINT64_MAX);
    assert_int_equal(file_size(journal_path), PREPAY_JOURNAL_HEADER_SIZE);
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = 424242;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = 1234;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    assert_int_equal(prepay_journal_submit(&journal, &rec.ledger, &t, 1, &result), 1);
    model.balance[FX_CLEARING] -= 1234;
    model.balance[FX_WALLET0] += 1234;
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    prepay_snapshot_posix_close(&snap_file);

    /* A restarted process: snapshot + journal. */
    assert_int_equal(prepay_snapshot_posix_init(&snap_file, snapshot_path, &snap), PREPAY_OK);
    assert_int_equal(open_ledger(&file, &io, &journal, &live, &snap, &info), PREPAY_OK);
    assert_true(info.snapshot_sequence > 0);
    assert_int_equal(info.records, 1);
    assert_true(fx_balances_match(&live.ledger, &model));
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    prepay_snapshot_posix_close(&snap_file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_io),
        cmocka_unit_test(test_reopen_and_torn_tail),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
