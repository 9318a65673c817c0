/*
 * Journal and snapshot storage in POSIX files (hosted): pread / write with
 * EINTR and short-write handling, fsync, ftruncate, and the atomic snapshot
 * replacement (write temp, fsync, rename, fsync the directory).
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

#include "prepay/journal.h"

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

/* ---- journal file ------------------------------------------------------- */

static int posix_read(void *context, uint64_t offset, uint8_t *buffer, size_t length)
{
    prepay_journal_posix_t *f = context;
    if (offset > f->size || length > f->size - offset) {
        return PREPAY_E_JOURNAL_IO;
    }
    return read_all(f->fd, offset, buffer, length);
}

static int posix_append(void *context, const uint8_t *data, size_t length)
{
    prepay_journal_posix_t *f = context;
    /* The file offset is kept at the end: opened there, moved back after truncate. */
    int status = write_all(f->fd, data, length);
    if (status != PREPAY_OK) {
        /* Part may have been written: learn the real size. */
        (void)file_size(f->fd, &f->size);
        return status;
    }
    f->size += length;
    return PREPAY_OK;
}

static int posix_sync(void *context)
{
    prepay_journal_posix_t *f = context;
    return fsync_retry(f->fd);
}

static int posix_truncate(void *context, uint64_t length)
{
    prepay_journal_posix_t *f = context;
    if (length > f->size) {
        return PREPAY_E_JOURNAL_IO;
    }
    int rc;
    do {
        rc = ftruncate(f->fd, (off_t)length);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0 || lseek(f->fd, (off_t)length, SEEK_SET) < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    f->size = length;
    if (f->written_back > length) {
        f->written_back = length;
    }
    return fsync_retry(f->fd);
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

int prepay_journal_posix_open(prepay_journal_posix_t *file, const char *path, prepay_journal_io_t *io)
{
    if (file == NULL || path == NULL || io == NULL || strlen(path) >= PREPAY_JOURNAL_PATH_MAX || path[0] == '\0') {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    bool created = true;
    int fd;
    do {
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && errno == EEXIST) {
        created = false;
        do {
            fd = open(path, O_RDWR | O_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
    }
    if (fd < 0) {
        return PREPAY_E_JOURNAL_IO;
    }
    uint64_t size;
    if (file_size(fd, &size) != PREPAY_OK || lseek(fd, 0, SEEK_END) < 0 ||
        (created && sync_directory(path) != PREPAY_OK)) {
        (void)close(fd);
        return PREPAY_E_JOURNAL_IO;
    }
    file->fd = fd;
    file->size = size;
    file->written_back = size;
    memcpy(file->path, path, strlen(path) + 1);
    io->context = file;
    io->read = posix_read;
    io->append = posix_append;
    io->sync = posix_sync;
    io->truncate = posix_truncate;
    io->size = posix_size;
    io->writeback = posix_writeback;
    return PREPAY_OK;
}

int prepay_journal_posix_close(prepay_journal_posix_t *file)
{
    if (file == NULL || file->fd < 0) {
        return PREPAY_OK;
    }
    int rc = close(file->fd);
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
