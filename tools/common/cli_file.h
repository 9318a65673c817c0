/* SPDX-License-Identifier: MIT */
/*
 * The tools layer (hosted): input files read whole and output files
 * written so that a failed command leaves nothing behind. `-` is the
 * standard input where a command reads a file and the standard output
 * where it writes one (docs/cli.md). Messages name the file and carry the
 * operating system's reason (strerror).
 */
#ifndef PREPAY_TOOL_CLI_FILE_H
#define PREPAY_TOOL_CLI_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* How messages name the standard input and output. */
#define CLI_STDIN_NAME "<stdin>"
#define CLI_STDOUT_NAME "<stdout>"

/* The name of a path in messages: "<stdin>" for "-". */
const char *cli_input_name(const char *path);

/*
 * Reads a whole input: the file `path` (a regular file of at most `max`
 * bytes; the size is checked before anything is allocated) or, for "-",
 * the standard input (at most `max` bytes). *text is a NUL-terminated heap
 * copy the caller frees. Returns 0, or -1 with "NAME: reason" in err
 * (the status PREPAY_E_HOSTED_IO or PREPAY_E_HOSTED_NO_MEMORY in *status
 * if status is not NULL).
 */
int cli_read_input(const char *path, size_t max, char **text, size_t *len, int *status, char *err, size_t err_cap);

/*
 * Calls fn for each input of a command that takes items (frames) as
 * arguments: each argument is one item, except "-", whose lines are the
 * items (the standard input; blanks around a line are trimmed, blank lines
 * and lines starting with '#' skipped, a line longer than max_line is
 * reported through fail and skipped). Returns 0 if every call returned 0,
 * else the last non-zero status.
 */
int cli_each_input(const char *const *args, size_t count, size_t max_line,
                   int (*fn)(const char *item, void *context), int (*fail)(const char *message, void *context),
                   void *context);

/* The help of a command whose arguments are items in hex, one per argument or per line of stdin. */
#define CLI_FRAMES_HELP                                                                                                \
    "Each argument is one frame in hex (spaces allowed inside quotes); '-' reads frames from the\n"                    \
    "standard input, one per line ('#' lines and blank lines are skipped)."
#define CLI_FRAMES_JSON_NOTES                                                                                          \
    "With --json: one JSON object per frame, one per line, in input order; a frame that does not\n"                     \
    "decode gives an error object in its place (and exit status 2 at the end)."

/* An output file in the making: written to PATH.tmpPID and renamed onto PATH by cli_output_commit(). */
typedef struct cli_output {
    FILE *file;       /* write here */
    const char *path; /* "-": the standard output; else the copy below (the caller's string may not outlive the open) */
    char *tmp;        /* heap: the temporary file's name, then a copy of the path; NULL for the standard output */
} cli_output_t;

/* Opens an output ("-": the standard output). Returns 0, or -1 with "PATH: reason" in err. */
int cli_output_open(cli_output_t *out, const char *path, char *err, size_t err_cap);
/* Flushes, syncs, closes and renames the file into place. Returns 0, or -1
 * with a message (and the temporary file removed). */
int cli_output_commit(cli_output_t *out, char *err, size_t err_cap);
/* Drops an output that will not be committed (the temporary file is removed). */
void cli_output_abort(cli_output_t *out);

#endif
