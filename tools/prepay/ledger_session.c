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

#include "prepay/status.h"

#define DEFAULT_ACCOUNTS 4096u
#define DEFAULT_TRANSFERS (1u << 18)

void ledger_print_json_string(const char *text)
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

/* One line on stderr; with json also {"ok":false,...} on stdout. Returns 1. */
static int fail_text(bool json, const char *what, const char *reason, int status)
{
    if (json) {
        printf("{\"ok\":false,\"error\":");
        ledger_print_json_string(what);
        printf(",\"reason\":");
        ledger_print_json_string(reason);
        printf(",\"status\":%d}\n", status);
    }
    fprintf(stderr, "prepay ledger: %s: %s\n", what, reason);
    return 1;
}

int ledger_fail(bool json, const char *what, int status)
{
    return fail_text(json, what, prepay_strerror(status), status);
}

static uint32_t next_power_of_two_above(uint32_t n)
{
    uint32_t p = 1;
    while (p <= n) {
        p <<= 1;
    }
    return p;
}

void ledger_session_free(ledger_session_t *s)
{
    if (s == NULL) {
        return;
    }
    (void)prepay_journal_posix_close(&s->file);
    prepay_snapshot_posix_close(&s->snapshot_file);
    free(s->memory.accounts);
    free(s->memory.account_index);
    free(s->memory.entries);
    free(s->memory.transfer_index);
    free(s->scratch);
    free(s);
}

static ledger_session_t *session_new(const char *path, bool json)
{
    ledger_session_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return NULL;
    }
    s->path = path;
    s->json = json;
    s->file.fd = -1;
    s->snapshot_file.fd = -1;
    s->snapshot_file.temp_fd = -1;
    s->memory.account_capacity = DEFAULT_ACCOUNTS;
    s->memory.account_index_slots = next_power_of_two_above(DEFAULT_ACCOUNTS * 2u - 1u);
    s->memory.transfer_capacity = DEFAULT_TRANSFERS;
    s->memory.transfer_index_slots = next_power_of_two_above(DEFAULT_TRANSFERS * 2u - 1u);
    s->memory.accounts = calloc(DEFAULT_ACCOUNTS, sizeof *s->memory.accounts);
    s->memory.account_index = calloc(s->memory.account_index_slots, sizeof *s->memory.account_index);
    s->memory.entries = calloc(DEFAULT_TRANSFERS, sizeof *s->memory.entries);
    s->memory.transfer_index = calloc(s->memory.transfer_index_slots, sizeof *s->memory.transfer_index);
    s->scratch = calloc(DEFAULT_ACCOUNTS, sizeof *s->scratch);
    s->scratch_capacity = DEFAULT_ACCOUNTS;
    if (s->memory.accounts == NULL || s->memory.account_index == NULL || s->memory.entries == NULL ||
        s->memory.transfer_index == NULL || s->scratch == NULL ||
        prepay_ledger_init(&s->ledger, &s->memory) != PREPAY_OK) {
        ledger_session_free(s);
        return NULL;
    }
    return s;
}

/* Why the journal file could not be opened, with the operating system's words. */
static int report_open_failure(const ledger_session_t *s, int status)
{
    char what[PREPAY_JOURNAL_PATH_MAX + 64];
    char reason[256];
    if (status == PREPAY_E_JOURNAL_LOCKED) {
        snprintf(what, sizeof what, "journal %s is in use", s->path);
        if (s->file.lock_pid > 0) {
            snprintf(reason, sizeof reason, "another writer (PID %" PRId64 ") holds it; try again, or pass --wait",
                     s->file.lock_pid);
        } else {
            snprintf(reason, sizeof reason, "another writer holds it; try again, or pass --wait");
        }
        return fail_text(s->json, what, reason, status);
    }
    snprintf(what, sizeof what, "cannot open journal %s", s->path);
    if (s->file.os_error != 0) {
        snprintf(reason, sizeof reason, "%s%s", strerror(s->file.os_error),
                 s->file.os_error == ENOENT && s->writer ? " (the 'open' command creates a journal)" : "");
        return fail_text(s->json, what, reason, status);
    }
    return fail_text(s->json, what, prepay_strerror(status), status);
}

int ledger_session_open(const char *path, bool json, ledger_open_mode_t mode, ledger_session_t **out)
{
    *out = NULL;
    ledger_session_t *s = session_new(path, json);
    if (s == NULL) {
        fprintf(stderr, "prepay ledger: out of memory\n");
        return 1;
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
            fprintf(stderr, "prepay ledger: bad journal path '%s'\n", path);
            rc = 2;
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
        /* Readers close at once: the writer's truncations wait for open readers. */
        (void)prepay_journal_posix_close(&s->file);
        prepay_snapshot_posix_close(&s->snapshot_file);
    }
    if (status != PREPAY_OK) {
        char what[PREPAY_JOURNAL_PATH_MAX + 64];
        snprintf(what, sizeof what, "recovery of %s failed at offset %" PRIu64, path, s->info.corrupt_offset);
        int rc = ledger_fail(json, what, status);
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
        return ledger_fail(s->json, "cannot write the journal", status);
    }
    s->resumed = true;
    const prepay_journal_recovery_t *i = &s->info;
    if (i->tail_cut && i->truncated_bytes > 0) {
        fprintf(stderr,
                "prepay ledger: warning: recovery cut a torn tail of %" PRIu64 " bytes at offset %" PRIu64
                " (%" PRIu32 " complete records of %" PRIu32 " unfinished batch)%s\n",
                i->truncated_bytes, i->committed_end, i->tail_records, i->tail_batches,
                s->journal.version >= 2u ? "; recorded in the journal"
                                         : "; journal format 1 cannot record it ('snapshot' upgrades the format)");
    }
    return 0;
}
