/* SPDX-License-Identifier: MIT */
/*
 * LD_PRELOAD fault injector for the fault-injection harness (fault_run.py):
 * wraps write, pwrite, fsync and fdatasync for files under one directory and
 * makes the n-th such call of the process fail the way a machine does.
 *
 *   FAULT_TARGET  directory (or file) prefix; other files pass through
 *   FAULT_AT      n: the n-th matching call (1-based) gets the fault; unset or 0: none
 *   FAULT_KIND    kill        SIGKILL just before the call (nothing of it lands)
 *                 kill-after  SIGKILL just after it (written or synced, never acknowledged)
 *                 torn        a write lands FAULT_KEEP bytes, then SIGKILL (a torn write)
 *                 eio         the call fails with EIO; a write first lands FAULT_KEEP bytes
 *                             (returned as a short write; the next call then fails)
 *                 enospc      the same with ENOSPC (a full disk)
 *   FAULT_KEEP    bytes a torn or failing write still writes (clamped below its length)
 *   FAULT_LOG     file that gets "sync PATH SIZE" after every successful fsync of a
 *                 matching file: what is durable, for the harness's power-cut model
 *   FAULT_STATS   file that gets "calls N" at exit (how many matching calls were made)
 *
 * Test code, Linux only (it names descriptors through /proc/self/fd).
 */
#define _GNU_SOURCE
/* Define write/pwrite/pwrite64 under their own names (no large-file renaming of pwrite). */
#undef _FILE_OFFSET_BITS

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);
typedef int (*sync_fn)(int);

static struct {
    bool loaded;
    const char *target;
    size_t target_length;
    unsigned long at;
    const char *kind;
    size_t keep;
    const char *log;
    const char *stats;
    unsigned long calls;
    int fail_next_errno; /* after a short write: the next matching call fails */
    write_fn real_write;
    pwrite_fn real_pwrite;
    pwrite_fn real_pwrite64;
    sync_fn real_fsync;
    sync_fn real_fdatasync;
} shim;

static void write_stats(void)
{
    if (shim.stats == NULL) {
        return;
    }
    int fd = open(shim.stats, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        char line[64];
        int n = snprintf(line, sizeof line, "calls %lu\n", shim.calls);
        (void)shim.real_write(fd, line, (size_t)n);
        (void)close(fd);
    }
}

/* The next definition of a libc function (object to function pointer by copying: ISO C has no cast). */
static void next_symbol(const char *name, void *function, size_t size)
{
    void *symbol = dlsym(RTLD_NEXT, name);
    memcpy(function, &symbol, size);
}

static void load(void)
{
    if (shim.loaded) {
        return;
    }
    next_symbol("write", &shim.real_write, sizeof shim.real_write);
    next_symbol("pwrite", &shim.real_pwrite, sizeof shim.real_pwrite);
    next_symbol("pwrite64", &shim.real_pwrite64, sizeof shim.real_pwrite64);
    next_symbol("fsync", &shim.real_fsync, sizeof shim.real_fsync);
    next_symbol("fdatasync", &shim.real_fdatasync, sizeof shim.real_fdatasync);
    shim.target = getenv("FAULT_TARGET");
    shim.target_length = shim.target != NULL ? strlen(shim.target) : 0;
    const char *at = getenv("FAULT_AT");
    shim.at = at != NULL ? strtoul(at, NULL, 10) : 0;
    shim.kind = getenv("FAULT_KIND");
    if (shim.kind == NULL) {
        shim.kind = "kill";
    }
    const char *keep = getenv("FAULT_KEEP");
    shim.keep = keep != NULL ? (size_t)strtoul(keep, NULL, 10) : 0;
    shim.log = getenv("FAULT_LOG");
    shim.stats = getenv("FAULT_STATS");
    shim.loaded = true;
    atexit(write_stats);
}

/* Is fd a file under FAULT_TARGET? (path written to `path` when it is) */
static bool matches(int fd, char *path, size_t cap)
{
    if (shim.target_length == 0) {
        return false;
    }
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, cap - 1);
    if (n <= 0) {
        return false;
    }
    path[n] = '\0';
    return strncmp(path, shim.target, shim.target_length) == 0;
}

static void die(void)
{
    write_stats();
    (void)kill(getpid(), SIGKILL);
    _exit(137); /* not reached */
}

static bool kind_is(const char *name)
{
    return strcmp(shim.kind, name) == 0;
}

static int fault_errno(void)
{
    return kind_is("enospc") ? ENOSPC : EIO;
}

/*
 * Counts a matching call; returns true if this call is the faulty one.
 * A pending failure (after a short write) fails the call with *error.
 */
static bool count_call(int *error)
{
    shim.calls++;
    *error = 0;
    if (shim.fail_next_errno != 0) {
        *error = shim.fail_next_errno;
        shim.fail_next_errno = 0;
        return false;
    }
    return shim.at != 0 && shim.calls == shim.at;
}

/* The shared body of write and pwrite: `offset` < 0 means write at the file offset. */
static ssize_t faulty_write(int fd, const void *data, size_t length, off_t offset, pwrite_fn real_pwrite)
{
    char path[4096];
    bool positioned = offset >= 0;
#define REAL_WRITE(d, n) (positioned ? real_pwrite(fd, (d), (n), offset) : shim.real_write(fd, (d), (n)))
    if (!matches(fd, path, sizeof path)) {
        return REAL_WRITE(data, length);
    }
    int error;
    bool fault = count_call(&error);
    if (error != 0) {
        errno = error;
        return -1;
    }
    if (!fault) {
        return REAL_WRITE(data, length);
    }
    if (kind_is("kill")) {
        die();
    }
    if (kind_is("kill-after")) {
        (void)REAL_WRITE(data, length);
        die();
    }
    size_t keep = shim.keep < length ? shim.keep : (length > 0 ? length - 1 : 0);
    if (kind_is("torn")) {
        if (keep > 0) {
            (void)REAL_WRITE(data, keep);
        }
        die();
    }
    /* eio, enospc: a short write first (if any), then the error. */
    if (keep > 0) {
        ssize_t n = REAL_WRITE(data, keep);
        shim.fail_next_errno = fault_errno();
        return n;
    }
    errno = fault_errno();
    return -1;
#undef REAL_WRITE
}

static void log_sync(int fd, const char *path)
{
    if (shim.log == NULL) {
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return;
    }
    int log = open(shim.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log >= 0) {
        char line[4200];
        int n = snprintf(line, sizeof line, "sync %s %lld\n", path, (long long)st.st_size);
        if (n > 0 && (size_t)n < sizeof line) {
            (void)shim.real_write(log, line, (size_t)n);
        }
        (void)close(log);
    }
}

static int faulty_sync(int fd, sync_fn real)
{
    char path[4096];
    if (!matches(fd, path, sizeof path)) {
        return real(fd);
    }
    int error;
    bool fault = count_call(&error);
    if (error != 0) {
        errno = error;
        return -1;
    }
    if (fault) {
        if (kind_is("kill") || kind_is("torn")) {
            die();
        }
        if (kind_is("eio") || kind_is("enospc")) {
            errno = EIO; /* a failed fsync says EIO; ENOSPC may also come back from fsync on some systems */
            return -1;
        }
    }
    int rc = real(fd);
    if (rc == 0) {
        log_sync(fd, path);
    }
    if (fault) { /* kill-after */
        die();
    }
    return rc;
}

ssize_t write(int fd, const void *data, size_t length)
{
    load();
    return faulty_write(fd, data, length, -1, shim.real_pwrite);
}

ssize_t pwrite(int fd, const void *data, size_t length, off_t offset)
{
    load();
    return faulty_write(fd, data, length, offset, shim.real_pwrite);
}

ssize_t pwrite64(int fd, const void *data, size_t length, off_t offset)
{
    load();
    return faulty_write(fd, data, length, offset, shim.real_pwrite64 != NULL ? shim.real_pwrite64 : shim.real_pwrite);
}

int fsync(int fd)
{
    load();
    return faulty_sync(fd, shim.real_fsync);
}

int fdatasync(int fd)
{
    load();
    return faulty_sync(fd, shim.real_fdatasync);
}
