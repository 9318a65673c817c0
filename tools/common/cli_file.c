/* SPDX-License-Identifier: MIT */
/* The tools layer: whole inputs and all-or-nothing outputs (cli_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "cli_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prepay/hosted_status.h"

const char *cli_input_name(const char *path)
{
    return strcmp(path, "-") == 0 ? CLI_STDIN_NAME : path;
}

static int input_error(int *status, int code, char *err, size_t err_cap, const char *name, const char *why,
                       const char *detail)
{
    if (status) {
        *status = code;
    }
    snprintf(err, err_cap, "%s: %s%s%s", name, why, detail ? ": " : "", detail ? detail : "");
    return -1;
}

/* Reads fd to its end into a heap buffer of at most max bytes (size_hint: the bytes expected, or 0). */
static int read_all(int fd, size_t max, size_t size_hint, char **text, size_t *len, int *status, char *err,
                    size_t err_cap, const char *name)
{
    size_t cap = size_hint > 0 ? size_hint + 2 : 4096;
    size_t got = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        return input_error(status, PREPAY_E_HOSTED_NO_MEMORY, err, err_cap, name, "out of memory", NULL);
    }
    for (;;) {
        if (got + 1 >= cap) {
            size_t bigger = cap * 2 > max + 2 ? max + 2 : cap * 2;
            char *grown = bigger > cap ? realloc(buf, bigger) : NULL;
            if (grown == NULL) {
                free(buf);
                return bigger > cap ? input_error(status, PREPAY_E_HOSTED_NO_MEMORY, err, err_cap, name,
                                                  "out of memory", NULL)
                                    : input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, name,
                                                  "larger than the limit", NULL);
            }
            buf = grown;
            cap = bigger;
        }
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int e = errno;
            free(buf);
            return input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, name, "cannot read", strerror(e));
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
        if (got > max) {
            free(buf);
            char limit[48];
            snprintf(limit, sizeof limit, "more than %zu bytes", max);
            return input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, name, limit, NULL);
        }
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return 0;
}

int cli_read_input(const char *path, size_t max, char **text, size_t *len, int *status, char *err, size_t err_cap)
{
    *text = NULL;
    *len = 0;
    if (max >= SIZE_MAX / 2) {
        max = SIZE_MAX / 2 - 1;
    }
    if (strcmp(path, "-") == 0) {
        return read_all(STDIN_FILENO, max, 0, text, len, status, err, err_cap, CLI_STDIN_NAME);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, path, "cannot open", strerror(errno));
    }
    struct stat st;
    int rc;
    if (fstat(fd, &st) != 0) {
        rc = input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, path, "cannot read", strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        /* A directory, a FIFO or a device has no meaningful length: refused, not read. */
        rc = input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, path, "not a regular file", NULL);
    } else if (st.st_size < 0 || (unsigned long long)st.st_size > (unsigned long long)max) {
        char size[96];
        snprintf(size, sizeof size, "%lld bytes, more than the %zu bytes accepted", (long long)st.st_size, max);
        rc = input_error(status, PREPAY_E_HOSTED_IO, err, err_cap, path, size, NULL);
    } else {
        rc = read_all(fd, max, (size_t)st.st_size, text, len, status, err, err_cap, path);
    }
    close(fd);
    return rc;
}

/* ---- items ------------------------------------------------------------------------------- */

static int each_line(size_t max_line, int (*fn)(const char *item, void *context),
                     int (*fail)(const char *message, void *context), void *context)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned long number = 0;
    int result = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        number++;
        size_t len = (size_t)n;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' ' ||
                           line[len - 1] == '\t')) {
            line[--len] = '\0';
        }
        const char *p = line;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        int rc = 0;
        if (len > max_line || strlen(line) != len) {
            char message[96];
            snprintf(message, sizeof message, "%s:%lu: a line longer than %zu bytes or with a NUL byte",
                     CLI_STDIN_NAME, number, max_line);
            rc = fail(message, context);
        } else if (*p != '\0' && *p != '#') {
            rc = fn(p, context);
        }
        result = rc != 0 ? rc : result;
    }
    if (ferror(stdin)) {
        char message[160];
        snprintf(message, sizeof message, "%s: cannot read: %s", CLI_STDIN_NAME, strerror(errno));
        int rc = fail(message, context);
        result = rc != 0 ? rc : result;
    }
    free(line);
    return result;
}

int cli_each_input(const char *const *args, size_t count, size_t max_line,
                   int (*fn)(const char *item, void *context), int (*fail)(const char *message, void *context),
                   void *context)
{
    int result = 0;
    for (size_t i = 0; i < count; i++) {
        int rc = strcmp(args[i], "-") == 0 ? each_line(max_line, fn, fail, context) : fn(args[i], context);
        result = rc != 0 ? rc : result;
        fflush(stdout); /* each item's result before the next item's error */
    }
    return result;
}

/* ---- outputs ------------------------------------------------------------------------------ */

int cli_output_open(cli_output_t *out, const char *path, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    if (strcmp(path, "-") == 0) {
        out->file = stdout;
        return 0;
    }
    size_t len = strlen(path);
    size_t n = len + 32;
    out->tmp = malloc(n + len + 1);
    if (out->tmp == NULL) {
        snprintf(err, err_cap, "%s: out of memory", path);
        return -1;
    }
    snprintf(out->tmp, n, "%s.tmp%ld", path, (long)getpid());
    /* Keep our own copy of the path: callers build it in a buffer that may be gone by the commit. */
    memcpy(out->tmp + n, path, len + 1);
    out->path = out->tmp + n;
    int fd = open(out->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    out->file = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (out->file == NULL) {
        snprintf(err, err_cap, "%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(out->tmp);
        }
        free(out->tmp);
        out->tmp = NULL;
        out->path = path;
        return -1;
    }
    return 0;
}

int cli_output_commit(cli_output_t *out, char *err, size_t err_cap)
{
    if (out->file == NULL) {
        snprintf(err, err_cap, "%s: not open", out->path);
        return -1;
    }
    if (out->tmp == NULL) { /* the standard output */
        out->file = NULL;
        if (fflush(stdout) != 0) {
            snprintf(err, err_cap, "%s: cannot write: %s", CLI_STDOUT_NAME, strerror(errno));
            return -1;
        }
        return 0;
    }
    int failed = fflush(out->file) != 0 || ferror(out->file) || fsync(fileno(out->file)) != 0;
    int e = errno;
    if (fclose(out->file) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    out->file = NULL;
    if (!failed && rename(out->tmp, out->path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        snprintf(err, err_cap, "%s: cannot write: %s", out->path, strerror(e));
        unlink(out->tmp);
    }
    free(out->tmp);
    out->tmp = NULL;
    out->path = "(closed)";
    return failed ? -1 : 0;
}

void cli_output_abort(cli_output_t *out)
{
    if (out->file != NULL && out->tmp != NULL) {
        fclose(out->file);
        unlink(out->tmp);
    }
    out->file = NULL;
    if (out->tmp != NULL) {
        out->path = "(closed)";
    }
    free(out->tmp);
    out->tmp = NULL;
}
