/* SPDX-License-Identifier: MIT */
/*
 * The POSIX file storage of the journal and snapshots: real files in a
 * fresh directory under /tmp, closed and reopened as a restarted process
 * would; a torn tail written into the file is cut off on reopen (and the
 * cut recorded); snapshots are replaced by rename and compaction shrinks
 * the file. The multi-process rules: one writer (a second is refused with
 * the holder's PID, or waits), readers alongside it, and a writer that
 * never appends over bytes someone else wrote.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "prepay/journal.h"
#include "prepay/journal_posix.h"
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
    assert_int_equal(file.os_error, ENOENT);
    assert_int_equal(prepay_journal_posix_open_flags(&file, journal_path, 0x80u, &io), PREPAY_E_INVALID_ARGUMENT);
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
    assert_true(info.tail_cut);
    /* Cut, and the cut recorded as a batch of one CUT record (two commit copies). */
    assert_int_equal(file_size(journal_path), committed + PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_CUT_SIZE +
                                                  2u * PREPAY_JOURNAL_COMMIT_SIZE);
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
    assert_int_equal(info.earlier_cuts.count, 1); /* carried by the snapshot */
    assert_int_equal(info.earlier_cuts.bytes, 7);
    assert_true(fx_balances_match(&live.ledger, &model));
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    prepay_snapshot_posix_close(&snap_file);
}

/* A journal with the workload's accounts and one recharge, closed again. */
static void make_journal(void)
{
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(open_ledger(&file, &io, &journal, &live, NULL, &info), PREPAY_OK);
    prepay_ledger_account_t accounts[FX_ACCOUNTS];
    uint32_t n = fx_accounts(accounts);
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(prepay_journal_create_account(&journal, &live.ledger, &accounts[i]), PREPAY_OK);
    }
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
}

static int recharge(prepay_journal_t *journal, prepay_ledger_t *ledger, uint64_t id, int64_t amount)
{
    prepay_ledger_transfer_t t;
    memset(&t, 0, sizeof t);
    t.id = id;
    t.debit_account_id = FX_CLEARING;
    t.credit_account_id = FX_WALLET0;
    t.amount = amount;
    t.code = PREPAY_LEDGER_CODE_RECHARGE;
    int result;
    return prepay_journal_submit(journal, ledger, &t, 1, &result);
}

/* A second writer is refused at once, with the holder's PID; readers are not. */
static void test_second_writer_refused(void **state)
{
    (void)state;
    make_journal();
    prepay_journal_posix_t file, other, reader;
    prepay_journal_io_t io, other_io, reader_io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(open_ledger(&file, &io, &journal, &live, NULL, &info), PREPAY_OK);
    /* Even in this process: the lock belongs to the open file, not the process. */
    assert_int_equal(prepay_journal_posix_open(&other, journal_path, &other_io), PREPAY_E_JOURNAL_LOCKED);
    assert_int_equal(other.lock_pid, (int64_t)getpid());
    assert_int_equal(other.fd, -1);
    /* And from another process, which is told our PID. */
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        (void)close(file.fd); /* see test_waiting_writer */
        prepay_journal_posix_t f;
        prepay_journal_io_t i;
        int status = prepay_journal_posix_open_flags(&f, journal_path, PREPAY_JOURNAL_POSIX_NO_CREATE, &i);
        _exit(status == PREPAY_E_JOURNAL_LOCKED && f.lock_pid == (int64_t)getppid() ? 0 : 1);
    }
    int wstatus;
    assert_int_equal(waitpid(child, &wstatus, 0), child);
    assert_true(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0);
    /* A reader opens while the writer holds the journal, sees what is committed, and changes nothing. */
    assert_int_equal(recharge(&journal, &live.ledger, 1, 700), 1);
    uint64_t size = file_size(journal_path);
    assert_int_equal(prepay_journal_posix_open_flags(&reader, journal_path, PREPAY_JOURNAL_POSIX_READ_ONLY, &reader_io),
                     PREPAY_OK);
    assert_null(reader_io.append);
    assert_null(reader_io.truncate);
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_recover(&reader_io, NULL, &rec.ledger, rec.scratch, FX_ACCOUNTS, &info), PREPAY_OK);
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&rec.ledger, FX_WALLET0, &b), PREPAY_OK);
    assert_int_equal(b.balance, 700);
    /* The writer goes on; the same reader sees the new batch on its next recovery (size looked up again). */
    assert_int_equal(recharge(&journal, &live.ledger, 2, 50), 1);
    assert_int_equal(fx_ledger_init(&rec), PREPAY_OK);
    assert_int_equal(prepay_journal_recover(&reader_io, NULL, &rec.ledger, rec.scratch, FX_ACCOUNTS, &info), PREPAY_OK);
    assert_int_equal(prepay_ledger_balance(&rec.ledger, FX_WALLET0, &b), PREPAY_OK);
    assert_int_equal(b.balance, 750);
    assert_true(file_size(journal_path) > size);
    assert_int_equal(prepay_journal_posix_close(&reader), PREPAY_OK);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    /* Closed: the next writer gets it. */
    assert_int_equal(prepay_journal_posix_open(&other, journal_path, &other_io), PREPAY_OK);
    assert_int_equal(prepay_journal_posix_close(&other), PREPAY_OK);
}

/*
 * A writer that asked to wait gets the journal once the holder closes it,
 * and recovers what the holder wrote meanwhile. It cannot have skipped the
 * wait: without the lock it would have been refused (and exited 1).
 */
static void test_waiting_writer(void **state)
{
    (void)state;
    make_journal();
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(open_ledger(&file, &io, &journal, &live, NULL, &info), PREPAY_OK);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        char c;
        /* The inherited descriptor shares the parent's open file, and so its lock: drop it. */
        (void)close(file.fd);
        (void)close(go[1]);
        if (read(go[0], &c, 1) != 1) {
            _exit(3);
        }
        prepay_journal_posix_t f;
        prepay_journal_io_t i;
        prepay_journal_t j;
        prepay_journal_recovery_t r;
        if (prepay_journal_posix_open_flags(&f, journal_path, PREPAY_JOURNAL_POSIX_WAIT, &i) != PREPAY_OK ||
            fx_ledger_init(&rec) != PREPAY_OK ||
            prepay_journal_open(&j, &i, staging, sizeof staging, NULL, &rec.ledger, rec.scratch, FX_ACCOUNTS, &r) !=
                PREPAY_OK) {
            _exit(1);
        }
        prepay_ledger_balance_t b;
        /* The parent's recharge (written before it closed) is there; then ours. */
        if (prepay_ledger_balance(&rec.ledger, FX_WALLET0, &b) != PREPAY_OK || b.balance != 123 ||
            recharge(&j, &rec.ledger, 99, 1) != 1) {
            _exit(2);
        }
        _exit(0);
    }
    (void)close(go[0]);
    /* The child starts waiting (or will: it cannot get the lock before we close). */
    assert_int_equal(write(go[1], "x", 1), 1);
    assert_int_equal(recharge(&journal, &live.ledger, 1, 123), 1);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    (void)close(go[1]);
    int wstatus;
    assert_int_equal(waitpid(child, &wstatus, 0), child);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
    assert_int_equal(open_ledger(&file, &io, &journal, &rec, NULL, &info), PREPAY_OK);
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&rec.ledger, FX_WALLET0, &b), PREPAY_OK);
    assert_int_equal(b.balance, 124);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
}

/* Bytes someone else appended (without the lock) are never overwritten: the writer stops. */
static void test_append_position_rechecked(void **state)
{
    (void)state;
    make_journal();
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    assert_int_equal(open_ledger(&file, &io, &journal, &live, NULL, &info), PREPAY_OK);
    assert_int_equal(recharge(&journal, &live.ledger, 1, 10), 1);
    int fd = open(journal_path, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "intruder", 8), 8);
    (void)close(fd);
    uint64_t size = file_size(journal_path);
    assert_int_equal(recharge(&journal, &live.ledger, 2, 20), PREPAY_E_JOURNAL_CHANGED);
    assert_int_equal(file_size(journal_path), size); /* nothing written */
    assert_int_equal(recharge(&journal, &live.ledger, 3, 30), PREPAY_E_JOURNAL_FAILED);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
    /* Recovery: the intruder's bytes are a torn tail; the acknowledged recharge is there. */
    assert_int_equal(open_ledger(&file, &io, &journal, &rec, NULL, &info), PREPAY_OK);
    assert_int_equal(info.truncated_bytes, 8);
    prepay_ledger_balance_t b;
    assert_int_equal(prepay_ledger_balance(&rec.ledger, FX_WALLET0, &b), PREPAY_OK);
    assert_int_equal(b.balance, 10);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
}

/* Without NO_CREATE a writer creates the file; with it, or as a reader, a missing file stays missing. */
static void test_no_create(void **state)
{
    (void)state;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    unlink(journal_path);
    assert_int_equal(prepay_journal_posix_open_flags(&file, journal_path, PREPAY_JOURNAL_POSIX_NO_CREATE, &io),
                     PREPAY_E_JOURNAL_IO);
    assert_int_equal(file.os_error, ENOENT);
    assert_int_equal(prepay_journal_posix_open_flags(&file, journal_path, PREPAY_JOURNAL_POSIX_READ_ONLY, &io),
                     PREPAY_E_JOURNAL_IO);
    assert_int_equal(file.os_error, ENOENT);
    assert_int_equal(file_size(journal_path), UINT64_MAX);
    assert_int_equal(prepay_journal_posix_open_flags(&file, journal_path, 0, &io), PREPAY_OK);
    assert_int_equal(file_size(journal_path), 0);
    assert_int_equal(prepay_journal_posix_close(&file), PREPAY_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_file_io, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_and_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_waiting_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_position_rechecked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_create, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
