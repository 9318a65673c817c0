/* SPDX-License-Identifier: MIT */
/*
 * The journal side of `prepay ledger`: opening the journal as a reader or
 * as its only writer, recovering the ledger without writing, and resuming
 * (cutting and recording a torn tail) only when a command is about to
 * write. See docs/journal.md, "Several processes".
 */
#ifndef PREPAY_TOOL_LEDGER_SESSION_H
#define PREPAY_TOOL_LEDGER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "prepay/journal.h"
#include "prepay/journal_posix.h"
#include "prepay/ledger.h"

/* One run of `prepay ledger`: the recovered ledger and, for a writer, the locked journal. */
typedef struct ledger_session {
    prepay_ledger_t ledger;
    prepay_ledger_memory_t memory;
    prepay_ledger_account_t *scratch;
    uint32_t scratch_capacity;
    prepay_journal_posix_t file;
    prepay_journal_io_t io;
    prepay_snapshot_posix_t snapshot_file;
    prepay_snapshot_io_t snapshot_io;
    prepay_journal_t journal;
    prepay_journal_recovery_t info;
    const char *path;
    const cli_t *cli; /* messages and --json */
    bool writer;  /* holds the writer's lock */
    bool resumed; /* the journal is open for appending (tail cut and recorded) */
    uint8_t staging[65536];
} ledger_session_t;

/* How a session opens the journal. */
typedef struct ledger_open_mode {
    bool writer; /* the writer's lock; false: a reader that never modifies the file */
    bool wait;   /* a writer waits for another writer instead of failing at once */
    bool create; /* a writer creates a missing journal (only `open` does) */
} ledger_open_mode_t;

/*
 * Opens the journal and recovers the ledger without writing anything. A
 * reader's files are closed again before this returns (the writer's
 * truncations wait for open readers). Returns 0, or the exit status after
 * reporting the error (cli.h).
 */
int ledger_session_open(const char *path, const cli_t *cli, ledger_open_mode_t mode, ledger_session_t **out);

/*
 * Makes a writer's journal appendable: re-checks the size recovery saw,
 * cuts the torn tail and records the cut (a warning line on stderr says so).
 * Call only when the command is about to write. Returns 0 or an exit status.
 */
int ledger_session_resume(ledger_session_t *s);

/* Closes the files (releasing the lock; a failing close is a warning) and frees everything. */
void ledger_session_free(ledger_session_t *s);

/* Reports "WHAT: <the status text>" as a failure (exit 1); returns 1. */
int ledger_fail(const cli_t *cli, const char *what, int status);

#endif
