/* SPDX-License-Identifier: MIT */
/**
 * @file journal_posix.h
 * @brief Journal and snapshot storage in POSIX files (hosted builds only).
 *
 * The storage callbacks of journal.h (::prepay_journal_io,
 * ::prepay_snapshot_io) bound to files: a journal file with the locks of the
 * multi-process rules (one writer per journal, readers any time;
 * `docs/journal.md`, "Several processes"), and a snapshot file replaced by
 * rename. Implemented in `src/ledger/journal_posix.c`; not part of the
 * firmware profile, so not included by the freestanding umbrella prepay.h
 * (prepay_hosted.h includes it).
 */
#ifndef PREPAY_JOURNAL_POSIX_H
#define PREPAY_JOURNAL_POSIX_H

#include <stdint.h>

#include "prepay/export.h"
#include "prepay/journal.h"

PREPAY_BEGIN_DECLS

/** @brief Longest path the POSIX storage accepts, terminating NUL included. */
#define PREPAY_JOURNAL_PATH_MAX 1024u

/** @brief prepay_journal_posix_open_flags(): open for reading only (no lock against the writer, never writes). */
#define PREPAY_JOURNAL_POSIX_READ_ONLY 0x1u
/** @brief prepay_journal_posix_open_flags(): wait for the writer's lock instead of failing at once. */
#define PREPAY_JOURNAL_POSIX_WAIT 0x2u
/** @brief prepay_journal_posix_open_flags(): do not create a missing file (fail with ENOENT). */
#define PREPAY_JOURNAL_POSIX_NO_CREATE 0x4u

/**
 * @brief Journal storage in a POSIX file (hosted builds only; see prepay_journal_posix_open()).
 *
 * Treat the members as private, except ::prepay_journal_posix::os_error and ::prepay_journal_posix::lock_pid,
 * which say why an open or a call failed.
 */
typedef struct prepay_journal_posix {
    int fd;                               /**< the open file, -1 when closed */
    unsigned flags;                       /**< the PREPAY_JOURNAL_POSIX_* flags it was opened with */
    int os_error;                         /**< errno of the last failed system call (0: none) */
    int64_t lock_pid;                     /**< after ::PREPAY_E_JOURNAL_LOCKED: the writer's PID (0: unknown) */
    uint64_t size;                        /**< current file size as this process wrote it */
    uint64_t written_back;                /**< bytes already handed to writeback() */
    char path[PREPAY_JOURNAL_PATH_MAX];   /**< the file's path */
} prepay_journal_posix_t;

/**
 * @brief Snapshot storage as a POSIX file replaced by rename (hosted builds only).
 *
 * The published snapshot is `path`; a new one is written to `path.tmp`,
 * fsynced, renamed over `path`, and the directory fsynced. Treat the
 * members as private.
 */
typedef struct prepay_snapshot_posix {
    int fd;                               /**< the published snapshot open for reading, or -1 */
    int temp_fd;                          /**< the unpublished snapshot being written, or -1 */
    char path[PREPAY_JOURNAL_PATH_MAX];   /**< the published snapshot's path */
    char temp_path[PREPAY_JOURNAL_PATH_MAX]; /**< `path` + ".tmp" */
} prepay_snapshot_posix_t;


/**
 * @brief Opens (creating if needed) a journal file as its only writer; fails at once if another writer has it.
 * @param file state to initialise (keep it alive while @p io is used).
 * @param path the file; created with mode 0644 if absent, and then the
 *        directory is fsynced so the new name is durable.
 * @param io receives callbacks bound to @p file.
 * @return ::PREPAY_OK, or an error.
 *
 * prepay_journal_posix_open_flags() with flags 0.
 *
 * **Errors:** as prepay_journal_posix_open_flags().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_posix_open(prepay_journal_posix_t *file, const char *path, prepay_journal_io_t *io);

/**
 * @brief Opens a journal file as its only writer (exclusive lock) or as a reader, and fills in its callbacks.
 * @param file state to initialise (keep it alive while @p io is used).
 * @param path the file.
 * @param flags 0 or a combination of ::PREPAY_JOURNAL_POSIX_READ_ONLY,
 *        ::PREPAY_JOURNAL_POSIX_WAIT and ::PREPAY_JOURNAL_POSIX_NO_CREATE.
 * @param io receives callbacks bound to @p file. A writer gets pread /
 *        pwrite at the end it knows, after checking the file still has that
 *        size (retrying EINTR and short writes) / fsync / ftruncate + fsync /
 *        size, and on Linux a writeback hint (sync_file_range()). A reader
 *        gets read and size only (the size is looked up at each call).
 * @return ::PREPAY_OK, or an error.
 *
 * Hosted builds only (not in the firmware profile). A **writer** creates
 * the file (mode 0644, then fsyncs the directory) unless
 * ::PREPAY_JOURNAL_POSIX_NO_CREATE, and takes an exclusive lock held until
 * prepay_journal_posix_close(): Linux open-file-description locks
 * (F_OFD_SETLK), so a second writer is refused even inside the same
 * process; elsewhere POSIX record locks. A second writer gets
 * ::PREPAY_E_JOURNAL_LOCKED at once with the holder's PID in
 * `file->lock_pid`, or waits with ::PREPAY_JOURNAL_POSIX_WAIT. The size is
 * read under the lock, and every append first checks the file still has
 * the size this writer left (::PREPAY_E_JOURNAL_CHANGED otherwise, nothing
 * written). A **reader** (::PREPAY_JOURNAL_POSIX_READ_ONLY) never creates
 * or modifies the file and does not wait for the writer; it holds a shared
 * lock that makes the writer's truncations (tail cut, rollback, compaction)
 * wait until the reader closes, so a reader sees a committed prefix and a
 * snapshot that matches it. Close readers promptly. See docs/journal.md,
 * "Several processes".
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers, unknown flags,
 * or a path of ::PREPAY_JOURNAL_PATH_MAX bytes or more;
 * ::PREPAY_E_JOURNAL_LOCKED (another writer; `file->lock_pid`);
 * ::PREPAY_E_JOURNAL_IO if the file cannot be opened, created, locked or its
 * directory synced (`file->os_error` holds errno, e.g. ENOENT).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_posix_open_flags(prepay_journal_posix_t *file, const char *path, unsigned flags,
                                               prepay_journal_io_t *io);

/**
 * @brief Closes a journal file opened by prepay_journal_posix_open().
 * @param file the state (NULL or already closed: nothing happens).
 * @return ::PREPAY_OK, or ::PREPAY_E_JOURNAL_IO if close() failed.
 *
 * Closing does not sync: only prepay_journal_commit() acknowledges data.
 * Closing releases the file's locks.
 *
 * **Errors:** ::PREPAY_E_JOURNAL_IO.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_posix_close(prepay_journal_posix_t *file);

/**
 * @brief Binds snapshot storage to @p path (and `path.tmp`), hosted builds only.
 * @param snapshot state to initialise.
 * @param path the published snapshot file (need not exist yet).
 * @param io receives the callbacks.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a path too
 * long for ::PREPAY_JOURNAL_PATH_MAX with ".tmp" appended.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_snapshot_posix_init(prepay_snapshot_posix_t *snapshot, const char *path,
                                          prepay_snapshot_io_t *io);

/**
 * @brief Closes the files of a snapshot storage (an unpublished snapshot is discarded).
 * @param snapshot the state (NULL: nothing happens).
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API void prepay_snapshot_posix_close(prepay_snapshot_posix_t *snapshot);

PREPAY_END_DECLS

#endif /* PREPAY_JOURNAL_POSIX_H */
