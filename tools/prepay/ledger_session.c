/* SPDX-License-Identifier: MIT */
/*
 * The journal side of `prepay ledger` (see ledger_session.h): a reader
 * opens the file read-only and recovers; a writer takes the journal's lock
 * (failing at once with the holder's PID, or waiting with --wait), recovers
 * without writing, and cuts a torn tail only when it is about to append.
 */
#define _POSIX_C_SOURCE 200809L

#include "ledger_session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/hosted_status.h"
#include "prepay/status.h"
#include "prepay/journal_posix.h"
#include "prepay/ledger_hosted.h"

#define DEFAULT_ACCOUNTS 4096u
#define DEFAULT_TRANSFERS (1u << 18)

int ledger_fail(const cli_t *cli, const char *what, int status)
{
    return cli_fail(cli, status, "%s: %s", what, prepay_strerror(status));
}

void ledger_session_free(ledger_session_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->file.fd >= 0) {
        /* Every batch reported was synced by its commit; a failing close loses nothing acknowledged. */
        int closed = prepay_journal_posix_close(&s->file);
        if (closed != PREPAY_OK && s->cli != NULL) {
            cli_warn(s->cli, "closing journal %s: %s", s->path, prepay_strerror(closed));
        }
    }
    prepay_snapshot_posix_close(&s->snapshot_file);
    prepay_ledger_memory_free(&s->memory);
    free(s->scratch);
    free(s);
}

static ledger_session_t *session_new(const char *path, const cli_t *cli)
{
    ledger_session_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->path = path;
    s->cli = cli;
    s->file.fd = -1;
    s->snapshot_file.fd = -1;
    s->snapshot_file.temp_fd = -1;
    /* The library's hosted helper: one buffer cut up by the ledger's own layout, on huge pages. */
    s->scratch = calloc(DEFAULT_ACCOUNTS, sizeof *s->scratch);
    s->scratch_capacity = DEFAULT_ACCOUNTS;
    if (s->scratch == NULL || prepay_ledger_memory_alloc(&s->memory, DEFAULT_ACCOUNTS, DEFAULT_TRANSFERS) != PREPAY_OK ||
        prepay_ledger_init(&s->ledger, &s->memory) != PREPAY_OK) {
        ledger_session_free(s);
        return NULL;
    }
    return s;
}

/* Why the journal file could not be opened, with the operating system's words. */
static int report_open_failure(const ledger_session_t *s, int status)
{
    if (status == PREPAY_E_JOURNAL_LOCKED) {
        char holder[48] = "";
        if (s->file.lock_pid > 0) {
            snprintf(holder, sizeof holder, " (PID %" PRId64 ")", s->file.lock_pid);
        }
        return cli_fail(s->cli, status, "journal %s is in use: another writer%s holds it; try again, or pass --wait",
                        s->path, holder);
    }
    if (s->file.os_error != 0) {
        return cli_fail(s->cli, status, "cannot open journal %s: %s%s", s->path, strerror(s->file.os_error),
                        s->file.os_error == ENOENT && s->writer ? " (the 'open' command creates a journal)" : "");
    }
    return cli_fail(s->cli, status, "cannot open journal %s: %s", s->path, prepay_strerror(status));
}

int ledger_session_open(const char *path, const cli_t *cli, ledger_open_mode_t mode, ledger_session_t **out)
{
    *out = NULL;
    ledger_session_t *s = session_new(path, cli);
    if (s == NULL) {
        return cli_fail(cli, PREPAY_E_HOSTED_NO_MEMORY, "out of memory");
    }
    s->writer = mode.writer;
    char snapshot_path[PREPAY_JOURNAL_PATH_MAX + 16];
    snprintf(snapshot_path, sizeof snapshot_path, "%s.snapshot", path);
    unsigned flags = mode.writer ? ((mode.wait ? PREPAY_JOURNAL_POSIX_WAIT : 0u) |
                                    (mode.create ? 0u : PREPAY_JOURNAL_POSIX_NO_CREATE))
                                 : PREPAY_JOURNAL_POSIX_READ_ONLY;
    int status = prepay_snapshot_posix_init(&s->snapshot_file, snapshot_path, &s->snapshot_io);
    if (status == PREPAY_OK) {
        status = prepay_journal_posix_open_flags(&s->file, path, flags, &s->io);
    }
    if (status != PREPAY_OK) {
        int rc;
        if (status == PREPAY_E_INVALID_ARGUMENT) {
            rc = cli_bad(cli, "bad journal path '%.200s'", path);
        } else {
            rc = report_open_failure(s, status);
        }
        ledger_session_free(s);
        return rc;
    }
    /*
     * A writer makes what it is about to read durable first: a process that died
     * before its fsync may have left complete batches in the page cache, and a
     * retry answered "exists" from one of them is an acknowledgement (fsync
     * changes no byte of the file).
     */
    if (mode.writer && s->io.sync(s->io.context) != PREPAY_OK) {
        int rc = report_open_failure(s, PREPAY_E_JOURNAL_IO);
        ledger_session_free(s);
        return rc;
    }
    /* Recovery reads only; a writer cuts the tail in ledger_session_resume(), if it writes at all. */
    status = prepay_journal_recover(&s->io, &s->snapshot_io, &s->ledger, s->scratch, s->scratch_capacity, &s->info);
    if (!mode.writer) {
        /* Readers close at once: the writer's truncations wait for open readers. A reader's
         * close releases a shared lock and a read-only descriptor: it cannot lose data, and
         * the recovery has already read everything it needs. */
        int closed = prepay_journal_posix_close(&s->file);
        prepay_snapshot_posix_close(&s->snapshot_file);
        if (closed != PREPAY_OK && status == PREPAY_OK) {
            cli_warn(cli, "closing journal %s after reading it: %s", path, prepay_strerror(closed));
        }
    }
    if (status != PREPAY_OK) {
        int rc = cli_fail(cli, status, "recovery of %s failed at offset %" PRIu64 ": %s", path,
                          s->info.corrupt_offset, prepay_strerror(status));
        ledger_session_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

int ledger_session_resume(ledger_session_t *s)
{
    if (s->resumed) {
        return 0;
    }
    int status = prepay_journal_resume(&s->journal, &s->io, s->staging, sizeof s->staging, &s->info);
    if (status != PREPAY_OK) {
        return ledger_fail(s->cli, "cannot write the journal", status);
    }
    s->resumed = true;
    const prepay_journal_recovery_t *i = &s->info;
    if (i->tail_cut && i->truncated_bytes > 0) {
        cli_warn(s->cli,
                 "recovery cut a torn tail of %" PRIu64 " bytes at offset %" PRIu64 " (%" PRIu32
                 " complete records of %" PRIu32 " unfinished batch)%s",
                 i->truncated_bytes, i->committed_end, i->tail_records, i->tail_batches,
                 s->journal.version >= 2u ? "; recorded in the journal"
                                          : "; journal format 1 cannot record it ('snapshot' upgrades the format)");
    }
    return 0;
}
