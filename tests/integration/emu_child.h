/* SPDX-License-Identifier: MIT */
/*
 * Running prepay-emu as a child of a test without ever holding the test
 * runner up: the child's stdout and stderr go to a log file (never the
 * runner's pipes), it is killed when the test process dies for any reason
 * (Linux parent-death signal, plus an atexit and fatal-signal handler
 * elsewhere), and every wait has a generous budget instead of a guess at
 * how fast a loaded machine is.
 */
#ifndef PREPAY_TEST_EMU_CHILD_H
#define PREPAY_TEST_EMU_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/* Waits are bounded by this budget: minutes, not milliseconds — a loaded
 * machine running sanitized builds is slow, but a hang still ends. */
#define EMU_CHILD_BUDGET_MS 60000

typedef struct emu_child {
    pid_t pid;
    int port;            /* the bus port from the ready file, or -1 */
    char log[512];       /* stdout and stderr of the child */
    char ready[512];
} emu_child_t;

/* Starts `emu SITE args...` (args NULL-terminated) with --ready-file added,
 * logging to SCRATCH/NAME.log. Returns 0 once it is listening, or -1 if it
 * exited first (its exit status in *exit_status, -1 if it had to be killed). */
int emu_child_start(emu_child_t *c, const char *emu, const char *site, const char *scratch, const char *name,
                    const char *const *args, int *exit_status);

/* Sends SIGTERM and waits up to budget_ms; returns the exit status, or -1
 * if it did not exit in time (it is then killed). */
int emu_child_stop(emu_child_t *c, int budget_ms);

/* Waits up to budget_ms for the child to exit on its own; same returns. */
int emu_child_wait(emu_child_t *c, int budget_ms);

/* True if the log contains `text`. */
bool emu_child_log_has(const emu_child_t *c, const char *text);

/* Prints the child's log to stderr (after a failure). */
void emu_child_dump_log(const emu_child_t *c);

/* Kills every child still running (atexit and fatal signals call it). */
void emu_child_kill_all(void);

/* Milliseconds of a monotonic clock. */
unsigned long long emu_child_now_ms(void);

#endif
