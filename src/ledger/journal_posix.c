/* SPDX-License-Identifier: MIT */
/*
 * Journal and snapshot storage in POSIX files (hosted): the writer's
 * exclusive lock and the readers' shared one, pread / pwrite with EINTR and
 * short-write handling (appending only where this writer left the file),
 * fsync, ftruncate, and the atomic snapshot replacement (write temp, fsync,
 * rename, fsync the directory).
 */
#if defined(__linux__)
#define _GNU_SOURCE /* sync_file_range */
#else
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "prepay/journal_posix.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* Syncs the directory holding path, so a created or renamed name is durable. */
static int sync_directory(const char *path)
{
    char dir[PREPAY_JOURNAL_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        dir[0] = '.';
        dir[1] = '\0';
    } else if (slash == path) {
        dir[0] = '/';
        dir[1] = '\0';
    } else {
        size_t n = (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int fd;
    do {
        fd = open(dir, O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    int rc;
    do {
        rc = fsync(fd);
    } while (rc != 0 && errno == EINTR);
    (void)close(fd);
    return rc == 0 ? PREPAY_OK : PREPAY_E_JOURNAL_IO;
}

static int write_all(int fd, const uint8_t *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == ENOSPC ? PREPAY_E_JOURNAL_FULL : PREPAY_E_JOURNAL_IO;
        }
        data += (size_t)n;
        length -= (size_t)n;
    }
    return PREPAY_OK;
}

/* Writes at offset; *written says how many bytes landed, also on failure. */
static int pwrite_all(int fd, uint64_t offset, const uint8_t *data, size_t length, size_t *written, int *os_error)
{
    *written = 0;
    while (length > 0) {
        ssize_t n = pwrite(fd, data, length, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            *os_error = errno;
            return errno == ENOSPC ? PREPAY_E_JOURNAL_FULL : PREPAY_E_JOURNAL_IO;
        }
        data += (size_t)n;
        length -= (size_t)n;
        offset += (uint64_t)n;
        *written += (size_t)n;
    }
    return PREPAY_OK;
}

static int read_all(int fd, uint64_t offset, uint8_t *buffer, size_t length)
{
    while (length > 0) {
        ssize_t n = pread(fd, buffer, length, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return PREPAY_E_JOURNAL_IO;
        }
        if (n == 0) {
            return PREPAY_E_JOURNAL_IO; /* past the end */
        }
        buffer += (size_t)n;
        length -= (size_t)n;
        offset += (uint64_t)n;
    }
    return PREPAY_OK;
}

static int fsync_retry(int fd)
{
    int rc;
    do {
        rc = fsync(fd);
    } while (rc != 0 && errno == EINTR);
    return rc == 0 ? PREPAY_OK : PREPAY_E_JOURNAL_IO;
}

static int file_size(int fd, uint64_t *size)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    *size = (uint64_t)st.st_size;
    return PREPAY_OK;
}

/* ---- locks (docs/journal.md, "Several processes") ------------------------ */

/*
 * Advisory byte-range locks, not tied to the data: byte 0 is the writer's
 * (exclusive, for the writer's life); byte 1 is shared by readers for their
 * life and taken exclusively by the writer around each truncation; on Linux
 * the writer also locks byte PID_BASE + its PID, so a refused writer can
 * name it (open-file-description locks do not report a PID).
 * Linux open-file-description locks (F_OFD_*) belong to the open file, so
 * two opens in one process conflict as two processes do; elsewhere POSIX
 * record locks (per process: closing any descriptor of the file drops them).
 */
#define WRITER_BYTE 0
#define TRUNCATE_BYTE 1
#define PID_BASE ((off_t)0x40000000)
#define PID_SPAN ((off_t)0x400000) /* Linux PID_MAX_LIMIT, 2^22 */

#if defined(F_OFD_SETLK)
#define LOCK_TRY F_OFD_SETLK
#define LOCK_WAIT F_OFD_SETLKW
#define LOCK_GET F_OFD_GETLK
#define OFD_LOCKS 1
#else
#define LOCK_TRY F_SETLK
#define LOCK_WAIT F_SETLKW
#define LOCK_GET F_GETLK
#define OFD_LOCKS 0
#endif

static int lock_range(int fd, int command, short type, off_t start, off_t length)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl); /* l_pid must be 0 for open-file-description locks */
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = start;
    fl.l_len = length;
    int rc;
    do {
        rc = fcntl(fd, command, &fl);
    } while (rc != 0 && errno == EINTR);
    return rc;
}

/* The PID of the process holding the writer's lock (0 if it cannot be told). */
static int64_t lock_holder(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
#if OFD_LOCKS
    fl.l_start = PID_BASE;
    fl.l_len = PID_SPAN;
    if (fcntl(fd, LOCK_GET, &fl) == 0 && fl.l_type != F_UNLCK && fl.l_start >= PID_BASE) {
        return (int64_t)(fl.l_start - PID_BASE);
    }
#else
    fl.l_start = WRITER_BYTE;
    fl.l_len = 1;
    if (fcntl(fd, LOCK_GET, &fl) == 0 && fl.l_type != F_UNLCK) {
        return (int64_t)fl.l_pid;
    }
#endif
    return 0;
}

/* ---- journal file ------------------------------------------------------- */

static int posix_read(void *context, uint64_t offset, uint8_t *buffer, size_t length)
{
    prepay_journal_posix_t *f = context;
    if (offset > f->size || length > f->size - offset) {
        return PREPAY_E_JOURNAL_IO;
    }
    int status = read_all(f->fd, offset, buffer, length);
    if (status != PREPAY_OK) {
        f->os_error = errno;
    }
    return status;
}

static int posix_append(void *context, const uint8_t *data, size_t length)
{
    prepay_journal_posix_t *f = context;
    /* Append where this writer left the file, and only if nobody else wrote or cut it. */
    uint64_t actual;
    if (file_size(f->fd, &actual) != PREPAY_OK) {
        f->os_error = errno;
        return PREPAY_E_JOURNAL_IO;
    }
    if (actual != f->size) {
        return PREPAY_E_JOURNAL_CHANGED;
    }
    size_t written;
    int status = pwrite_all(f->fd, f->size, data, length, &written, &f->os_error);
    f->size += written; /* a failed write may have left a prefix */
    return status;
}

static int posix_sync(void *context)
{
    prepay_journal_posix_t *f = context;
    int status = fsync_retry(f->fd);
    if (status != PREPAY_OK) {
        f->os_error = errno;
    }
    return status;
}

static int posix_truncate(void *context, uint64_t length)
{
    prepay_journal_posix_t *f = context;
    if (length > f->size) {
        return PREPAY_E_JOURNAL_IO;
    }
    /* Readers hold byte TRUNCATE_BYTE shared while they read: wait until none does. */
    if (lock_range(f->fd, LOCK_WAIT, F_WRLCK, TRUNCATE_BYTE, 1) != 0) {
        f->os_error = errno;
        return PREPAY_E_JOURNAL_IO;
    }
    int rc;
    do {
        rc = ftruncate(f->fd, (off_t)length);
    } while (rc != 0 && errno == EINTR);
    int status = rc == 0 ? fsync_retry(f->fd) : PREPAY_E_JOURNAL_IO;
    if (status != PREPAY_OK) {
        f->os_error = errno;
    }
    (void)lock_range(f->fd, LOCK_TRY, F_UNLCK, TRUNCATE_BYTE, 1);
    if (rc == 0) {
        f->size = length;
        if (f->written_back > length) {
            f->written_back = length;
        }
    }
    return status;
}

/* Starts write-back of what was appended since the last hint (Linux only; elsewhere a no-op). */
static int posix_writeback(void *context)
{
    prepay_journal_posix_t *f = context;
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    if (f->size > f->written_back) {
        if (sync_file_range(f->fd, (off_t)f->written_back, (off_t)(f->size - f->written_back),
                            SYNC_FILE_RANGE_WRITE) != 0) {
            return PREPAY_E_JOURNAL_IO;
        }
        f->written_back = f->size;
    }
#else
    (void)f;
#endif
    return PREPAY_OK;
}

static int posix_size(void *context, uint64_t *size)
{
    prepay_journal_posix_t *f = context;
    *size = f->size;
    return PREPAY_OK;
}

/* A reader sees the file as it is now: the writer may have appended since the last look. */
static int reader_size(void *context, uint64_t *size)
{
    prepay_journal_posix_t *f = context;
    if (file_size(f->fd, &f->size) != PREPAY_OK) {
        f->os_error = errno;
        return PREPAY_E_JOURNAL_IO;
    }
    *size = f->size;
    return PREPAY_OK;
}

static int open_file(const char *path, unsigned flags, bool *created)
{
    int fd;
    *created = false;
    if ((flags & PREPAY_JOURNAL_POSIX_READ_ONLY) != 0) {
        do {
            fd = open(path, O_RDONLY | O_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        return fd;
    }
    if ((flags & PREPAY_JOURNAL_POSIX_NO_CREATE) == 0) {
        do {
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        } while (fd < 0 && errno == EINTR);
        if (fd >= 0 || errno != EEXIST) {
            *created = fd >= 0;
            return fd;
        }
    }
    do {
        fd = open(path, O_RDWR | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

/* A writer's lock on what `path` names now (it may have been replaced while we waited). */
static int lock_writer(prepay_journal_posix_t *file, const char *path, int fd)
{
    bool wait = (file->flags & PREPAY_JOURNAL_POSIX_WAIT) != 0;
    if (lock_range(fd, wait ? LOCK_WAIT : LOCK_TRY, F_WRLCK, WRITER_BYTE, 1) != 0) {
        if (errno == EAGAIN || errno == EACCES) {
            file->lock_pid = lock_holder(fd);
            return PREPAY_E_JOURNAL_LOCKED;
        }
        file->os_error = errno;
        return PREPAY_E_JOURNAL_IO;
    }
#if OFD_LOCKS
    pid_t pid = getpid();
    if (pid > 0 && (off_t)pid < PID_SPAN) {
        (void)lock_range(fd, LOCK_TRY, F_WRLCK, PID_BASE + (off_t)pid, 1); /* best effort: only names us */
    }
#endif
    struct stat by_fd, by_name;
    if (fstat(fd, &by_fd) != 0) {
        file->os_error = errno;
        return PREPAY_E_JOURNAL_IO;
    }
    if (stat(path, &by_name) != 0 || by_fd.st_dev != by_name.st_dev || by_fd.st_ino != by_name.st_ino) {
        return PREPAY_E_JOURNAL_CHANGED; /* locked a file that is no longer at path: open again */
    }
    return PREPAY_OK;
}

int prepay_journal_posix_open_flags(prepay_journal_posix_t *file, const char *path, unsigned flags,
                                    prepay_journal_io_t *io)
{
    const unsigned known = PREPAY_JOURNAL_POSIX_READ_ONLY | PREPAY_JOURNAL_POSIX_WAIT | PREPAY_JOURNAL_POSIX_NO_CREATE;
    if (file == NULL || path == NULL || io == NULL || (flags & ~known) != 0 ||
        strlen(path) >= PREPAY_JOURNAL_PATH_MAX || path[0] == '\0') {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(file, 0, sizeof *file);
    file->fd = -1;
    file->flags = flags;
    bool read_only = (flags & PREPAY_JOURNAL_POSIX_READ_ONLY) != 0;
    int fd = -1;
    bool created = false;
    int status = PREPAY_E_JOURNAL_CHANGED;
    for (int attempt = 0; attempt < 8 && status == PREPAY_E_JOURNAL_CHANGED; attempt++) {
        fd = open_file(path, flags, &created);
        if (fd < 0) {
            file->os_error = errno;
            return PREPAY_E_JOURNAL_IO;
        }
        if (read_only) {
            /* Shared: makes the writer's truncations wait; waits only for one in progress. */
            status = lock_range(fd, LOCK_WAIT, F_RDLCK, TRUNCATE_BYTE, 1) == 0 ? PREPAY_OK : PREPAY_E_JOURNAL_IO;
            if (status != PREPAY_OK) {
                file->os_error = errno;
            }
        } else {
            status = lock_writer(file, path, fd);
        }
        if (status != PREPAY_OK) {
            (void)close(fd);
            fd = -1;
        }
    }
    if (status != PREPAY_OK) {
        return status;
    }
    uint64_t size;
    if (file_size(fd, &size) != PREPAY_OK || (created && sync_directory(path) != PREPAY_OK)) {
        file->os_error = errno;
        (void)close(fd);
        return PREPAY_E_JOURNAL_IO;
    }
    file->fd = fd;
    file->size = size;
    file->written_back = size;
    memcpy(file->path, path, strlen(path) + 1);
    io->context = file;
    io->read = posix_read;
    io->writeback = NULL;
    if (read_only) {
        io->append = NULL;
        io->sync = NULL;
        io->truncate = NULL;
        io->size = reader_size;
    } else {
        io->append = posix_append;
        io->sync = posix_sync;
        io->truncate = posix_truncate;
        io->size = posix_size;
        io->writeback = posix_writeback;
    }
    return PREPAY_OK;
}

int prepay_journal_posix_open(prepay_journal_posix_t *file, const char *path, prepay_journal_io_t *io)
{
    return prepay_journal_posix_open_flags(file, path, 0u, io);
}

int prepay_journal_posix_close(prepay_journal_posix_t *file)
{
    if (file == NULL || file->fd < 0) {
        return PREPAY_OK;
    }
    int rc = close(file->fd); /* releases the locks */
    file->fd = -1;
    return rc == 0 ? PREPAY_OK : PREPAY_E_JOURNAL_IO;
}

/* ---- snapshot file ------------------------------------------------------ */

/* Opens the published snapshot for reading if it exists (fd -1 if not). */
static int snapshot_open_published(prepay_snapshot_posix_t *s)
{
    if (s->fd >= 0) {
        return PREPAY_OK;
    }
    do {
        s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
    } while (s->fd < 0 && errno == EINTR);
    if (s->fd < 0 && errno != ENOENT) {
        return PREPAY_E_JOURNAL_IO;
    }
    return PREPAY_OK;
}

static int snapshot_read(void *context, uint64_t offset, uint8_t *buffer, size_t length)
{
    prepay_snapshot_posix_t *s = context;
    if (snapshot_open_published(s) != PREPAY_OK || s->fd < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    return read_all(s->fd, offset, buffer, length);
}

static int snapshot_size(void *context, uint64_t *size)
{
    prepay_snapshot_posix_t *s = context;
    if (snapshot_open_published(s) != PREPAY_OK) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (s->fd < 0) {
        *size = 0;
        return PREPAY_OK;
    }
    return file_size(s->fd, size);
}

static int snapshot_begin(void *context)
{
    prepay_snapshot_posix_t *s = context;
    if (s->temp_fd >= 0) {
        (void)close(s->temp_fd);
    }
    do {
        s->temp_fd = open(s->temp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    } while (s->temp_fd < 0 && errno == EINTR);
    return s->temp_fd >= 0 ? PREPAY_OK : PREPAY_E_JOURNAL_IO;
}

static int snapshot_write(void *context, const uint8_t *data, size_t length)
{
    prepay_snapshot_posix_t *s = context;
    if (s->temp_fd < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    return write_all(s->temp_fd, data, length);
}

static int snapshot_publish(void *context)
{
    prepay_snapshot_posix_t *s = context;
    if (s->temp_fd < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    int status = fsync_retry(s->temp_fd);
    if (close(s->temp_fd) != 0) {
        status = PREPAY_E_JOURNAL_IO;
    }
    s->temp_fd = -1;
    if (status != PREPAY_OK || rename(s->temp_path, s->path) != 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    if (s->fd >= 0) { /* reopen: the name now points at the new file */
        (void)close(s->fd);
        s->fd = -1;
    }
    return sync_directory(s->path);
}

static int snapshot_abort(void *context)
{
    prepay_snapshot_posix_t *s = context;
    if (s->temp_fd >= 0) {
        (void)close(s->temp_fd);
        s->temp_fd = -1;
    }
    (void)unlink(s->temp_path);
    return PREPAY_OK;
}

int prepay_snapshot_posix_init(prepay_snapshot_posix_t *snapshot, const char *path, prepay_snapshot_io_t *io)
{
    if (snapshot == NULL || path == NULL || io == NULL || path[0] == '\0' ||
        strlen(path) + 4 >= PREPAY_JOURNAL_PATH_MAX) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    size_t n = strlen(path);
    memcpy(snapshot->path, path, n + 1);
    memcpy(snapshot->temp_path, path, n);
    memcpy(snapshot->temp_path + n, ".tmp", 5);
    snapshot->fd = -1;
    snapshot->temp_fd = -1;
    io->context = snapshot;
    io->read = snapshot_read;
    io->size = snapshot_size;
    io->begin = snapshot_begin;
    io->write = snapshot_write;
    io->publish = snapshot_publish;
    io->abort = snapshot_abort;
    return PREPAY_OK;
}

void prepay_snapshot_posix_close(prepay_snapshot_posix_t *snapshot)
{
    if (snapshot == NULL) {
        return;
    }
    (void)snapshot_abort(snapshot);
    if (snapshot->fd >= 0) {
        (void)close(snapshot->fd);
        snapshot->fd = -1;
    }
}
