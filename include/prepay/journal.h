/* SPDX-License-Identifier: MIT */
/**
 * @file journal.h
 * @ingroup prepay_ledger
 * @brief Durable, checksummed, append-only journal of ledger operations.
 *
 * The journal makes a ::prepay_ledger durable. Every operation (open an
 * account, create a transfer) is appended as a checksummed record; records
 * are grouped into batches, each closed by a commit record and ONE sync
 * (group commit). A batch is acknowledged only after its sync returned;
 * recovery yields exactly the acknowledged batches, never part of one.
 * Format version 2 writes each commit record twice, so a damaged commit
 * record is detected (and its batch kept) instead of being taken for a torn
 * write; a writer's recovery records every torn tail it cuts in the journal
 * (a CUT record), so later readers can report it. Format 2 also holds the
 * deadlines of pending transfers and their expiries (EXPIRE records); a
 * format-1 journal is refused them (::PREPAY_E_JOURNAL_FORMAT) until a
 * compacting snapshot rewrites it as format 2.
 *
 * This header is ordered by need: the ledger binding (prepay_journal_open(),
 * prepay_journal_submit(), prepay_journal_snapshot() ...) comes first, then
 * scanning and writing without a ledger, then the storage implementations;
 * the bytes on storage are in journal_format.h.
 *
 * Layers, bottom up (the format itself is specified in `docs/journal.md`):
 *
 * 1. **Storage** (::prepay_journal_io): five callbacks (read at an offset,
 *    append, sync, truncate, size) so firmware can keep the journal on
 *    flash. prepay_journal_memory_io() gives a RAM implementation with
 *    failure injection (tests, fuzzing); prepay_journal_posix_open() gives
 *    files (hosted builds only, declared in journal_posix.h).
 * 2. **Records** (journal_format.h, included here): the format constants,
 *    CRC-32C (prepay_journal_crc32c()), the file header and the record frame
 *    (prepay_journal_record_encode(), prepay_journal_record_decode()), the
 *    commit payload, and the field-by-field little-endian payloads of
 *    accounts and transfers (prepay_journal_transfer_encode() ...), with the
 *    module's status codes.
 * 3. **Scanning and recovery** (prepay_journal_scan()): validates the log,
 *    finds the last complete batch, classifies what follows it as a torn
 *    tail (reported with its bytes, records and batches; cut only by a
 *    writer) or as corruption inside the log (reported, with its offset, as
 *    ::PREPAY_E_JOURNAL_CORRUPT), and hands each committed record to a
 *    callback.
 * 4. **Writing** (::prepay_journal): batches staged in a caller buffer,
 *    appended, committed and synced (prepay_journal_commit()), or sealed and
 *    synced separately to overlap the next batch's work with the disk
 *    (prepay_journal_seal(), prepay_journal_sync()).
 * 5. **Ledger binding and snapshots**: prepay_journal_recover() rebuilds a
 *    ledger (latest valid snapshot + later batches, through the ledger's
 *    replay entry point) and verifies it without writing anything;
 *    prepay_journal_resume() then cuts the torn tail, records the cut and
 *    opens the journal for writing; prepay_journal_open() does both.
 *    prepay_journal_snapshot() writes the ledger's state atomically and
 *    compacts the journal.
 *
 * Everything here is freestanding (no heap, no stdio). The POSIX file
 * storage, prepay_journal_posix_open() and friends, exists only in hosted
 * builds and is declared in journal_posix.h (prepay_hosted.h includes it).
 * The POSIX storage takes the locks of the multi-process rules (one writer
 * per journal, readers any time; `docs/journal.md`, "Several processes").
 *
 * **Untrusted input:** everything read from storage. Decoders never read
 * outside the lengths given, whatever the bytes; see `docs/journal.md`.
 */
#ifndef PREPAY_JOURNAL_H
#define PREPAY_JOURNAL_H

/** @addtogroup prepay_ledger
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/journal_format.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

/* Status codes, format constants, record types and codecs: journal_format.h. */

/* ---- configuration ------------------------------------------------------ */

/**
 * @def PREPAY_JOURNAL_SCAN_BUFFER
 * @brief Bytes of stack prepay_journal_scan() reads storage through (at least 512).
 *
 * Bigger means fewer read() calls during recovery; firmware may use 512.
 */
#ifndef PREPAY_JOURNAL_SCAN_BUFFER
#define PREPAY_JOURNAL_SCAN_BUFFER 4096
#endif

#if PREPAY_JOURNAL_SCAN_BUFFER < 2 * PREPAY_JOURNAL_MAX_RECORD
#error "PREPAY_JOURNAL_SCAN_BUFFER must be at least 2 * PREPAY_JOURNAL_MAX_RECORD (512)"
#endif

/* ---- storage interface ------------------------------------------------- */

/**
 * @brief Storage behind a journal: an append-only byte array with explicit sync.
 *
 * Every callback returns 0 on success and a negative status on failure
 * (::PREPAY_E_JOURNAL_IO, or ::PREPAY_E_JOURNAL_FULL from append). Offsets
 * and sizes are in bytes from the start of the storage. The journal calls
 * them from one thread at a time.
 */
typedef struct prepay_journal_io {
    /** Opaque pointer passed to every callback. */
    void *context;
    /** Reads exactly @p length bytes at @p offset into @p buffer; reading past the end fails. */
    int (*read)(void *context, uint64_t offset, uint8_t *buffer, size_t length);
    /** Appends @p length bytes at the end. Not durable until sync() returns 0. On failure
     *  any prefix of the bytes may have been written. */
    int (*append)(void *context, const uint8_t *data, size_t length);
    /** Makes every appended byte durable (fsync); returns only once they are. */
    int (*sync)(void *context);
    /** Cuts the storage to @p length bytes (never longer than its size) and makes that durable. */
    int (*truncate)(void *context, uint64_t length);
    /** Stores the current size in bytes in @p size. */
    int (*size)(void *context, uint64_t *size);
    /** Optional (may be NULL): starts writing appended bytes back without waiting
     *  (Linux sync_file_range), so a later sync() has less left to do. Only a hint. */
    int (*writeback)(void *context);
} prepay_journal_io_t;

/**
 * @brief Storage for snapshots: one published snapshot, replaced atomically.
 *
 * begin() starts a new, invisible snapshot; write() appends to it;
 * publish() makes it durable and atomically replaces the published one (on
 * POSIX: fsync the temporary file, rename it over the old one, fsync the
 * directory; on flash: write the other of two slots, then flip a header).
 * abort() (may be NULL) discards an unpublished snapshot. read() and size()
 * see the published snapshot only; size 0 means there is none.
 */
typedef struct prepay_snapshot_io {
    /** Opaque pointer passed to every callback. */
    void *context;
    /** Reads exactly @p length bytes of the published snapshot at @p offset. */
    int (*read)(void *context, uint64_t offset, uint8_t *buffer, size_t length);
    /** Stores the published snapshot's size in @p size (0: none). */
    int (*size)(void *context, uint64_t *size);
    /** Starts a new unpublished snapshot, discarding any earlier unpublished one. */
    int (*begin)(void *context);
    /** Appends bytes to the unpublished snapshot. */
    int (*write)(void *context, const uint8_t *data, size_t length);
    /** Makes the unpublished snapshot durable and atomically the published one. */
    int (*publish)(void *context);
    /** Discards the unpublished snapshot (may be NULL). */
    int (*abort)(void *context);
} prepay_snapshot_io_t;

/* ---- in-memory storage with failure injection --------------------------- */

/**
 * @brief Journal storage in a caller-provided byte array, with failure injection.
 *
 * Models a disk with a volatile cache: `length` bytes have been appended,
 * the first `synced` of them are durable. prepay_journal_memory_crash()
 * drops what was not synced. The `fail_*` fields inject failures for tests:
 * each counts calls down and, on reaching 1, makes that call fail (0
 * disables). Set the fields directly.
 */
typedef struct prepay_journal_memory {
    uint8_t *buffer;              /**< the storage bytes (caller-owned) */
    size_t capacity;              /**< capacity of @ref buffer in bytes */
    size_t length;                /**< bytes currently stored */
    size_t synced;                /**< bytes known durable (a prefix of @ref length) */
    uint32_t fail_append_countdown; /**< the n-th append from now fails (0: never) */
    uint32_t fail_sync_countdown;   /**< the n-th sync from now fails (0: never) */
    uint32_t fail_read_countdown;   /**< the n-th read from now fails (0: never) */
    size_t failed_append_keeps;   /**< bytes a failing append still writes (a short write) */
    uint32_t appends;             /**< number of append calls so far */
    uint32_t syncs;               /**< number of sync calls so far (successful or not) */
} prepay_journal_memory_t;

/* ---- snapshots in memory ------------------------------------------------ */

/**
 * @brief Snapshot storage in two caller-provided byte arrays (published and scratch).
 *
 * publish() swaps the arrays, so it is atomic in memory. For tests and
 * fuzzing, and a model for a two-slot flash layout.
 */
typedef struct prepay_snapshot_memory {
    uint8_t *slot[2];             /**< the two arrays (caller-owned, same capacity) */
    size_t capacity;              /**< capacity of each array in bytes */
    size_t length[2];             /**< bytes used in each array */
    uint8_t published;            /**< index of the published array; length 0 means none */
    bool writing;                 /**< an unpublished snapshot is being written */
    uint32_t fail_write_countdown; /**< the n-th write from now fails (0: never) */
} prepay_snapshot_memory_t;

/* ---- journal handle ----------------------------------------------------- */

/**
 * @brief An open journal (writer side). Treat the members as private.
 *
 * Caller-allocated; prepay_journal_open() or prepay_journal_attach()
 * initialises it. The staging buffer must hold at least one commit record
 * plus one largest record (::PREPAY_JOURNAL_MIN_BUFFER); bigger buffers mean
 * fewer append calls per batch.
 */
typedef struct prepay_journal {
    prepay_journal_io_t io;        /**< the storage */
    uint8_t *buffer;               /**< staging buffer for the open batch (caller-owned) */
    size_t buffer_capacity;        /**< capacity of @ref buffer */
    size_t buffer_length;          /**< bytes staged, not yet appended */
    uint64_t committed_end;        /**< storage offset just after the last durable batch */
    uint64_t sealed_end;           /**< storage offset just after the last sealed batch (>= committed_end) */
    uint32_t sealed_batches;       /**< batches sealed but not yet synced */
    uint64_t next_sequence;        /**< sequence the next record gets */
    uint64_t batch_first_sequence; /**< sequence of the open batch's first record */
    uint32_t batch_records;        /**< records in the open batch */
    uint64_t batch_appended;       /**< bytes of the open batch already appended (buffer was full) */
    uint32_t batches;              /**< batches committed since open (wraps; statistics only) */
    uint8_t state;                 /**< internal state (closed, ready, failed) */
    uint16_t version;              /**< format version of the storage (commit copies: 1 in v1, 2 in v2) */
    prepay_journal_cuts_t cuts;    /**< cuts recorded so far (carried into snapshots) */
} prepay_journal_t;

/** @brief Smallest staging buffer prepay_journal_attach() accepts (a largest record and two commit copies). */
#define PREPAY_JOURNAL_MIN_BUFFER (PREPAY_JOURNAL_MAX_RECORD + 2u * PREPAY_JOURNAL_COMMIT_SIZE)

/**
 * @brief What recovery found; filled by prepay_journal_scan(), prepay_journal_recover()
 *        and prepay_journal_open().
 *
 * The torn tail (`truncated_bytes`, `tail_records`, `tail_batches`) is what
 * lies after the last complete batch: a reader only reports it, a writer's
 * recovery cuts it (`tail_cut`) and records the cut in the journal.
 */
typedef struct prepay_journal_recovery {
    uint64_t snapshot_sequence; /**< last sequence covered by the snapshot loaded (0: none) */
    uint64_t last_sequence;     /**< last committed sequence after recovery */
    uint64_t committed_end;     /**< storage offset just after the last committed batch */
    uint64_t storage_size;      /**< storage size found before any truncation */
    uint64_t truncated_bytes;   /**< bytes of torn tail after the committed end (0: none); see @ref tail_cut */
    uint64_t corrupt_offset;    /**< offset of the bad record (valid with CORRUPT, SEQUENCE, REPLAY) */
    uint64_t batches;           /**< committed batches replayed from the journal */
    uint64_t records;           /**< records (commit records excluded) replayed from the journal */
    uint64_t snapshot_records;  /**< records loaded from the snapshot */
    uint64_t skipped_records;   /**< committed records already covered by the snapshot */
    uint32_t version;           /**< format version of the journal (0: empty storage) */
    bool tail_cut;              /**< the torn tail was cut off by this call (writers only) */
    bool final_copy_missing;    /**< format 2: the last commit's second copy is absent or torn (a writer rewrites it) */
    uint32_t tail_records;      /**< complete records (of an unfinished batch) in the torn tail */
    uint32_t tail_batches;      /**< unfinished batches the torn tail holds (0 or 1) */
    uint64_t damaged_commits;   /**< format 2: commit copies found damaged whose twin was intact (batch kept) */
    uint64_t damaged_offset;    /**< offset of the first damaged commit copy (valid if @ref damaged_commits > 0) */
    prepay_journal_cuts_t earlier_cuts; /**< cuts recorded by earlier recoveries (journal and snapshot) */
} prepay_journal_recovery_t;

/**
 * @brief Receives each committed record during a scan, in order.
 * @param context the pointer given to the scan.
 * @param record the decoded record (never a commit record); valid during the call only.
 * @return 0 to continue; a negative status stops the scan, which then returns
 *         ::PREPAY_E_JOURNAL_REPLAY.
 */
typedef int (*prepay_journal_record_fn)(void *context, const prepay_journal_record_t *record);

PREPAY_BEGIN_DECLS

/* ---- ledger binding ---------------------------------------------------------- */

/**
 * @brief Recovers a ledger from a snapshot and the journal and verifies it, WITHOUT writing anything.
 * @param io the journal storage; only `read` and `size` are called (the others may be NULL).
 * @param snapshot snapshot storage, or NULL if snapshots are not used (only `read` and `size` are called).
 * @param ledger an initialised, EMPTY ledger that receives the recovered state.
 * @param scratch work space for prepay_ledger_verify() (at least the account count).
 * @param scratch_cap capacity of @p scratch in accounts.
 * @param info what recovery found (required): the torn tail a writer would cut
 *        (`truncated_bytes`, `tail_records`, `tail_batches`; `tail_cut` is false),
 *        damaged commit copies, and the cuts recorded earlier.
 * @return ::PREPAY_OK, or an error.
 *
 * For readers (while a writer may be appending: they see the batches
 * committed when they looked) and as the first half of a writer's open
 * (prepay_journal_resume() is the second). On error the ledger may hold
 * part of the state: discard it (re-initialise) before retrying.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p ledger is not empty;
 * ::PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT; every error of prepay_journal_scan();
 * ::PREPAY_E_JOURNAL_VERIFY (also if @p scratch is too small).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_recover(const prepay_journal_io_t *io, const prepay_snapshot_io_t *snapshot,
                                      prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, size_t scratch_cap,
                                      prepay_journal_recovery_t *info);

/**
 * @brief Opens the journal for writing after prepay_journal_recover(): cuts the torn tail and records the cut.
 * @param journal the handle to initialise.
 * @param io the journal storage (copied; all callbacks but `writeback` required).
 * @param buffer staging buffer (at least ::PREPAY_JOURNAL_MIN_BUFFER bytes).
 * @param buffer_capacity capacity of @p buffer.
 * @param info the result of prepay_journal_recover() on this storage; `tail_cut` is set
 *        when the tail is cut.
 * @return ::PREPAY_OK, or an error.
 *
 * Re-checks that the storage still has `info->storage_size` bytes (the size
 * recovery saw), cuts everything after `info->committed_end`, then
 * prepay_journal_attach() (which records the cut and completes the last
 * commit record). A caller that recovers, decides, and only then resumes
 * changes nothing when it decides not to write.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a small buffer;
 * ::PREPAY_E_JOURNAL_CHANGED if the storage size changed since recovery
 * (nothing written); ::PREPAY_E_JOURNAL_IO if the cut failed; every error of
 * prepay_journal_attach().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_resume(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                                     size_t buffer_capacity, prepay_journal_recovery_t *info);

/**
 * @brief Recovers a ledger from a snapshot and the journal, verifies it, and opens the journal.
 * @param journal the handle to initialise.
 * @param io the journal storage (copied).
 * @param buffer staging buffer (at least ::PREPAY_JOURNAL_MIN_BUFFER bytes).
 * @param buffer_capacity capacity of @p buffer.
 * @param snapshot snapshot storage, or NULL if snapshots are not used.
 * @param ledger an initialised, EMPTY ledger that receives the recovered state.
 * @param scratch work space for prepay_ledger_verify() (at least the account count).
 * @param scratch_cap capacity of @p scratch in accounts.
 * @param info what recovery found (required).
 * @return ::PREPAY_OK, or an error.
 *
 * prepay_journal_recover() then prepay_journal_resume(). Steps: load the
 * published snapshot (if any) into @p ledger; scan the journal, replaying
 * every committed record after the snapshot's sequence
 * (prepay_ledger_create_account(), prepay_ledger_replay(),
 * prepay_ledger_close_account(), prepay_ledger_replay_expiry()); verify the
 * ledger; cut a torn tail off and record the cut (format 2); write a header
 * if the journal storage is empty. On error the ledger may hold part of the
 * state: discard it (re-initialise) before retrying.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a small buffer;
 * ::PREPAY_E_BAD_STATE if @p ledger is not empty;
 * ::PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT; every error of prepay_journal_scan();
 * ::PREPAY_E_JOURNAL_VERIFY (also if @p scratch is too small); every error of
 * prepay_journal_resume().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_open(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                                   size_t buffer_capacity, const prepay_snapshot_io_t *snapshot,
                                   prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, size_t scratch_cap,
                                   prepay_journal_recovery_t *info);

/**
 * @brief prepay_journal_recover() that also hands every committed APP record to @p app, in journal order.
 * @param io the journal storage (`read` and `size` only).
 * @param snapshot snapshot storage, or NULL.
 * @param ledger an initialised, EMPTY ledger.
 * @param scratch work space for prepay_ledger_verify().
 * @param scratch_cap capacity of @p scratch in accounts.
 * @param app receives each committed ::PREPAY_JOURNAL_RECORD_APP record after the
 *        snapshot's sequence (NULL: they are skipped); a negative return stops recovery.
 * @param app_context passed to @p app.
 * @param info what recovery found (required).
 * @return ::PREPAY_OK, or an error.
 *
 * Records of a torn tail never reach @p app (they were not committed). The
 * callback sees ledger and application records interleaved as written: at
 * each APP record the ledger holds exactly the batches before it.
 *
 * **Errors:** those of prepay_journal_recover(); ::PREPAY_E_JOURNAL_REPLAY if
 * @p app returned a negative status.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_recover_app(const prepay_journal_io_t *io, const prepay_snapshot_io_t *snapshot,
                                          prepay_ledger_t *ledger, prepay_ledger_account_t *scratch,
                                          size_t scratch_cap, prepay_journal_record_fn app, void *app_context,
                                          prepay_journal_recovery_t *info);

/**
 * @brief prepay_journal_open() that also hands every committed APP record to @p app.
 * @param journal the handle to initialise.
 * @param io the journal storage (copied).
 * @param buffer staging buffer (at least ::PREPAY_JOURNAL_MIN_BUFFER bytes).
 * @param buffer_capacity capacity of @p buffer.
 * @param snapshot snapshot storage, or NULL.
 * @param ledger an initialised, EMPTY ledger.
 * @param scratch work space for prepay_ledger_verify().
 * @param scratch_cap capacity of @p scratch in accounts.
 * @param app as for prepay_journal_recover_app() (NULL: skipped).
 * @param app_context passed to @p app.
 * @param info what recovery found (required).
 * @return ::PREPAY_OK, or an error.
 *
 * prepay_journal_recover_app() then prepay_journal_resume().
 *
 * **Errors:** those of prepay_journal_open(); ::PREPAY_E_JOURNAL_REPLAY if @p app
 * returned a negative status.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_open_app(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                                       size_t buffer_capacity, const prepay_snapshot_io_t *snapshot,
                                       prepay_ledger_t *ledger, prepay_ledger_account_t *scratch, size_t scratch_cap,
                                       prepay_journal_record_fn app, void *app_context,
                                       prepay_journal_recovery_t *info);

/**
 * @brief Applies a batch to the ledger and stages what was applied in the open batch (no commit).
 * @param journal an open journal with no open batch (sealed, unsynced batches are fine).
 * @param ledger the ledger recovered by prepay_journal_open().
 * @param batch transfers (as for prepay_ledger_apply()).
 * @param count transfers in @p batch.
 * @param results @p count results, as prepay_ledger_apply() gives them.
 * @return the number of transfers applied (>= 0), or an error.
 *
 * The first half of prepay_journal_submit(), for pipelining with
 * prepay_journal_seal() and prepay_journal_sync(). Nothing is durable or
 * may be acknowledged yet; the ledger in memory already holds the batch.
 * A format-1 journal cannot hold deadlines: a batch with a transfer whose
 * deadline is not 0 is refused whole before the ledger sees it.
 *
 * **Errors:** as prepay_journal_submit().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_stage(prepay_journal_t *journal, prepay_ledger_t *ledger,
                                    const prepay_ledger_transfer_t *batch, size_t count, int *results);

/**
 * @brief Applies a batch to the ledger, journals what was applied, and commits it (one sync).
 * @param journal an open journal with no open batch.
 * @param ledger the ledger recovered by prepay_journal_open().
 * @param batch transfers (as for prepay_ledger_apply()).
 * @param count transfers in @p batch.
 * @param results @p count results, as prepay_ledger_apply() gives them.
 * @return the number of transfers applied (>= 0) once they are durable, or an error.
 *
 * Only transfers applied now (result ::PREPAY_OK) are journaled; a
 * ::PREPAY_LEDGER_EXISTS retry writes nothing (but waits for the sync of
 * batches sealed earlier, one of which it may rest on). Acknowledge the
 * results only when this returns >= 0. If the journal fails (::PREPAY_E_JOURNAL_IO,
 * ::PREPAY_E_JOURNAL_FULL), the ledger in memory is ahead of the durable
 * state: nothing may be acknowledged, and the ledger must be rebuilt with
 * prepay_journal_open() (the journal refuses writes until then).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers; ::PREPAY_E_BAD_STATE
 * if a batch is already open; errors of prepay_ledger_apply() (nothing
 * applied); ::PREPAY_E_JOURNAL_FORMAT if the journal is format 1 and a
 * transfer has a deadline (nothing applied); ::PREPAY_E_JOURNAL_FAILED,
 * ::PREPAY_E_JOURNAL_IO, ::PREPAY_E_JOURNAL_FULL.
 *
 * @par Example
 * Posting a recharge durably:
 * @code
 * // A payment of 100.00 yuan: payment clearing (account 1) -> the tenant's wallet (101).
 * prepay_ledger_transfer_t recharge;
 * memset(&recharge, 0, sizeof recharge);
 * recharge.id = 2026070100001u;  // the payment order: a retry is answered PREPAY_LEDGER_EXISTS
 * recharge.debit_account_id = 1;
 * recharge.credit_account_id = 101;
 * recharge.amount = 10000;  // fen
 * recharge.code = PREPAY_LEDGER_CODE_RECHARGE;
 * int result;
 * int applied = prepay_journal_submit(journal, ledger, &recharge, 1, &result);
 * if (applied < 0) {
 *     // the journal failed: acknowledge nothing; rebuild the ledger with prepay_journal_open()
 * } else if (result == PREPAY_OK || result == PREPAY_LEDGER_EXISTS) {
 *     // durable (fsynced): acknowledge the payment
 * } else {
 *     // refused, e.g. PREPAY_E_LEDGER_EXCEEDS_CREDITS: nothing was written
 * }
 * @endcode
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_submit(prepay_journal_t *journal, prepay_ledger_t *ledger,
                                     const prepay_ledger_transfer_t *batch, size_t count, int *results);

/**
 * @brief Creates an account in the ledger and makes it durable (one batch, one sync).
 * @param journal an open journal with no open batch.
 * @param ledger the ledger.
 * @param account the account (zero counters).
 * @return ::PREPAY_OK (created and durable), ::PREPAY_LEDGER_EXISTS (identical
 *         account exists; nothing written, sealed batches synced), or an error.
 *
 * **Errors:** as prepay_ledger_create_account() (nothing written), and as
 * prepay_journal_submit() for the journal.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_create_account(prepay_journal_t *journal, prepay_ledger_t *ledger,
                                             const prepay_ledger_account_t *account);

/**
 * @brief Closes an account in the ledger and makes it durable (one batch, one sync).
 * @param journal an open journal with no open batch.
 * @param ledger the ledger.
 * @param account_id the account.
 * @return ::PREPAY_OK (closed and durable), ::PREPAY_LEDGER_EXISTS (already
 *         closed; nothing written, sealed batches synced), or an error.
 *
 * **Errors:** as prepay_ledger_close_account() (nothing written), and as
 * prepay_journal_submit() for the journal.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_close_account(prepay_journal_t *journal, prepay_ledger_t *ledger, uint64_t account_id);

/**
 * @brief Expires the due pending transfers (prepay_ledger_expire()) and makes
 *        the expiries durable (one batch, one sync).
 * @param journal an open journal with no open batch.
 * @param ledger the ledger.
 * @param now the caller's current time.
 * @param expired_ids receives the ids expired (required: they are journaled).
 * @param ids_cap most transfers to expire in this call (>= 1).
 * @return the number expired and durable (0 .. @p ids_cap; 0 writes nothing),
 *         or an error.
 *
 * One EXPIRE record per transfer, committed like any batch (format 2: two
 * commit copies; recovery keeps the batch whole or cuts and records it).
 * Also when nothing is due it waits for the sync of batches sealed earlier,
 * as prepay_journal_submit() does: "nothing due" may rest on an expiry
 * sealed but not yet durable. If the journal fails, the ledger in memory is
 * ahead of the durable state, as for prepay_journal_submit().
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or @p ids_cap 0;
 * ::PREPAY_E_JOURNAL_FORMAT if the journal is format 1 and the ledger holds
 * pending transfers with deadlines (nothing expired); as
 * prepay_journal_submit() for the journal.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_expire(prepay_journal_t *journal, prepay_ledger_t *ledger, prepay_time_t now,
                                     uint64_t *expired_ids, size_t ids_cap);

/* ---- snapshots --------------------------------------------------------------- */

/**
 * @brief Writes the ledger's state as a snapshot, atomically, then optionally compacts the journal.
 * @param journal an open journal with no open batch and no unsynced sealed batch (its last
 *        sequence is the one covered).
 * @param ledger the ledger, exactly as the journal describes it.
 * @param snapshot snapshot storage.
 * @param compact true to cut the journal back to its header once the snapshot is published.
 * @return ::PREPAY_OK, or an error.
 *
 * The snapshot holds every account (with its counters) and the whole
 * transfer log (the idempotency state; see docs/journal.md), the sequence
 * it covers, the totals of the cuts recorded so far (the journal's CUT
 * records are compacted away, their totals are not), and a CRC-32C over all
 * of it. It is written with begin / write / publish, so a crash leaves
 * either the old or the new snapshot. Only after publishing is the journal
 * truncated; a crash in between is harmless (recovery skips journal records
 * the snapshot covers). Compacting a format-1 journal rewrites it as
 * format 2 (cut to nothing, new header, sync; a crash in between leaves an
 * empty journal, which the snapshot completes).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers; ::PREPAY_E_BAD_STATE
 * if a batch is open or sealed but not synced; ::PREPAY_E_JOURNAL_FAILED; ::PREPAY_E_JOURNAL_IO or
 * ::PREPAY_E_JOURNAL_FULL from the snapshot storage (the old snapshot stays
 * published) or from truncating the journal (the journal is then failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_snapshot(prepay_journal_t *journal, const prepay_ledger_t *ledger,
                                       const prepay_snapshot_io_t *snapshot, bool compact);

/**
 * @brief Loads a published snapshot into an empty ledger.
 * @param snapshot snapshot storage.
 * @param ledger an initialised, empty ledger.
 * @param sequence receives the last journal sequence the snapshot covers (0 if there is none).
 * @param records receives the number of accounts plus transfers loaded (may be NULL).
 * @return ::PREPAY_OK (also when no snapshot is published), or an error.
 *
 * Checks the whole-file CRC before touching the ledger, then recreates the
 * accounts, replays the transfer log, closes the closed accounts, and
 * checks that each account's counters equal the stored ones. Reads
 * snapshot formats 1 and 2 (prepay_journal_recover() also takes the cut
 * totals of format 2; only format 2 holds deadlines and expiries).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers; ::PREPAY_E_BAD_STATE
 * if @p ledger is not empty; ::PREPAY_E_JOURNAL_IO; ::PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT
 * (also if the ledger refuses its contents).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_snapshot_load(const prepay_snapshot_io_t *snapshot, prepay_ledger_t *ledger,
                                            uint64_t *sequence, uint64_t *records);

/* ---- scanning and writing ------------------------------------------------ */

/**
 * @brief Validates the journal and hands every record of every complete batch to @p on_record.
 * @param io the storage.
 * @param after_sequence records with a sequence up to this one are checked but not
 *        handed over (they are covered by a snapshot); 0 hands over everything.
 * @param on_record callback, or NULL to only validate.
 * @param context passed to @p on_record.
 * @param truncate_tail true to cut a torn or uncommitted tail off the storage.
 * @param info what was found (required).
 * @return ::PREPAY_OK, or an error.
 *
 * Reads the storage twice: a first pass finds the end of the last complete
 * batch and classifies anything after it; only then does the second pass
 * hand over records, so @p on_record never sees an uncommitted one (nor a
 * CUT record: those are added up in `info->earlier_cuts`). After the last
 * complete batch, bytes that do not hold a valid record followed by more
 * valid records form a torn tail: its offset, length and the complete
 * records and batch it holds go into @p info and, with @p truncate_tail, it
 * is cut off (`info->tail_cut`); without, the storage is only read. A bad
 * record followed somewhere by a valid commit record with a later sequence
 * is corruption inside the log and is reported, never skipped. In format 2
 * a commit record whose twin copy is intact is accepted and counted in
 * `info->damaged_commits`. Empty storage is a valid empty journal (this
 * function does not write a header).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_JOURNAL_IO from the storage; ::PREPAY_E_JOURNAL_BAD_HEADER;
 * ::PREPAY_E_JOURNAL_CORRUPT (with `info->corrupt_offset`);
 * ::PREPAY_E_JOURNAL_SEQUENCE if the first record does not follow
 * @p after_sequence or a sequence repeats or skips; ::PREPAY_E_JOURNAL_REPLAY
 * if @p on_record refused a record (`info->corrupt_offset` is its offset;
 * earlier records were handed over).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_scan(const prepay_journal_io_t *io, uint64_t after_sequence,
                                   prepay_journal_record_fn on_record, void *context, bool truncate_tail,
                                   prepay_journal_recovery_t *info);

/**
 * @brief Opens a journal for writing after a successful scan (no ledger involved).
 * @param journal the handle to initialise.
 * @param io the storage (copied).
 * @param buffer staging buffer (caller-owned, at least ::PREPAY_JOURNAL_MIN_BUFFER bytes).
 * @param buffer_capacity capacity of @p buffer.
 * @param info the result of prepay_journal_scan() on this storage (with truncation),
 *        or NULL for empty storage.
 * @return ::PREPAY_OK, or an error.
 *
 * Writes the file header if the storage is empty. In format 2 it completes
 * the storage: it rewrites the last commit record's second copy if
 * `info->final_copy_missing`, and if `info->tail_cut` it appends a CUT
 * record (its own batch) saying what was cut. Then ONE sync, also when
 * nothing was written: the batches recovery found may come from a process
 * that died before its sync, and nothing (not even an EXISTS answer) may be
 * acknowledged from them before they are durable. Next records continue
 * after the last sequence. The journal keeps writing the format version of
 * the storage it found (`info->version`).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a small buffer;
 * ::PREPAY_E_BAD_STATE if the storage size is not `info->committed_end`
 * (scan with truncation first), or @p info does not describe this storage
 * (unknown version, no commit record where the missing copy's twin should
 * be); ::PREPAY_E_JOURNAL_SEQUENCE if the last
 * sequence is above 2^63 (a forged snapshot or journal); ::PREPAY_E_JOURNAL_IO
 * or ::PREPAY_E_JOURNAL_FULL from the storage.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_attach(prepay_journal_t *journal, const prepay_journal_io_t *io, uint8_t *buffer,
                                     size_t buffer_capacity, const prepay_journal_recovery_t *info);

/**
 * @brief Adds a raw record to the open batch (staged; appended when the buffer fills).
 * @param journal the journal.
 * @param type ::PREPAY_JOURNAL_RECORD_ACCOUNT, ::PREPAY_JOURNAL_RECORD_TRANSFER,
 *        ::PREPAY_JOURNAL_RECORD_CLOSE, ::PREPAY_JOURNAL_RECORD_EXPIRE or
 *        ::PREPAY_JOURNAL_RECORD_APP (CUT and COMMIT records are the journal's own).
 * @param payload payload bytes.
 * @param payload_length at most ::PREPAY_JOURNAL_MAX_PAYLOAD.
 * @return ::PREPAY_OK, or an error.
 *
 * The record is not durable, and must not be acknowledged, until
 * prepay_journal_commit() returns ::PREPAY_OK.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers, a bad type or a
 * long payload; ::PREPAY_E_JOURNAL_FORMAT for an EXPIRE or APP record or a TRANSFER
 * payload other than ::PREPAY_JOURNAL_TRANSFER_SIZE bytes in a format-1
 * journal (nothing staged); ::PREPAY_E_BAD_STATE if the journal is not open;
 * ::PREPAY_E_JOURNAL_FAILED after an earlier failure; ::PREPAY_E_JOURNAL_IO or
 * ::PREPAY_E_JOURNAL_FULL if flushing the staging buffer failed (the journal
 * is then failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_add(prepay_journal_t *journal, uint16_t type, const uint8_t *payload,
                                  size_t payload_length);

/**
 * @brief Closes the open batch: appends its commit record and syncs ONCE (seal + sync).
 * @param journal the journal.
 * @return ::PREPAY_OK once the whole batch is durable (acknowledge it now), or an error.
 *
 * An empty open batch writes nothing (batches sealed earlier are still
 * synced; with none, the storage is not touched). If an append or the sync
 * fails, the batch is NOT acknowledged and the journal
 * becomes failed: every later call returns ::PREPAY_E_JOURNAL_FAILED until it
 * is reopened (the storage may hold part of the batch; recovery discards it
 * unless its commit record became durable, in which case the batch is
 * replayed; the caller must treat its outcome as unknown, exactly as for a
 * lost reply, and retry with the same idempotent ids).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p journal is NULL;
 * ::PREPAY_E_BAD_STATE if it is not open; ::PREPAY_E_JOURNAL_FAILED after an
 * earlier failure; ::PREPAY_E_JOURNAL_IO or ::PREPAY_E_JOURNAL_FULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_commit(prepay_journal_t *journal);

/**
 * @brief Seals the open batch without waiting for the disk: appends it and its commit record.
 * @param journal the journal.
 * @return ::PREPAY_OK, or an error.
 *
 * For pipelining: seal batch N, prepare batch N + 1 (e.g. with
 * prepay_journal_stage()) while the storage writes N back (the optional
 * `writeback` callback is called as a hint), then prepay_journal_sync(),
 * which acknowledges N. Sealed batches are NOT durable and must not be
 * acknowledged before prepay_journal_sync() returns. Records staged after
 * the seal are not covered by that sync. prepay_journal_commit() is seal +
 * sync. An empty open batch seals nothing.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p journal is NULL;
 * ::PREPAY_E_BAD_STATE if it is not open; ::PREPAY_E_JOURNAL_FAILED after an
 * earlier failure; ::PREPAY_E_JOURNAL_IO or ::PREPAY_E_JOURNAL_FULL (the
 * journal is then failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_seal(prepay_journal_t *journal);

/**
 * @brief Makes every sealed batch durable with ONE sync; they are acknowledged when this returns >= 0.
 * @param journal the journal.
 * @return the number of batches made durable (0 if none was sealed: no sync is done), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p journal is NULL;
 * ::PREPAY_E_BAD_STATE if it is not open; ::PREPAY_E_JOURNAL_FAILED after an
 * earlier failure; ::PREPAY_E_JOURNAL_IO if the sync failed (nothing sealed
 * is acknowledged; the journal is then failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_sync(prepay_journal_t *journal);

/**
 * @brief Drops the open batch's staged records if none was appended yet.
 * @param journal the journal.
 * @return ::PREPAY_OK, or an error.
 *
 * If part of the batch already reached the storage (the staging buffer
 * filled), those bytes are cut off again with truncate(). Sealed batches
 * are kept.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p journal is NULL;
 * ::PREPAY_E_BAD_STATE if it is not open; ::PREPAY_E_JOURNAL_FAILED after an
 * earlier failure; ::PREPAY_E_JOURNAL_IO if truncating failed (the journal is
 * then failed).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_rollback(prepay_journal_t *journal);

/**
 * @brief Number of records in the open batch.
 * @param journal the journal (NULL gives 0).
 * @return The count.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint32_t prepay_journal_batch_records(const prepay_journal_t *journal);

/**
 * @brief Adds a transfer the ledger has applied to the open batch.
 * @param journal the journal.
 * @param transfer the transfer (applied with result ::PREPAY_OK).
 * @return ::PREPAY_OK, or an error (see prepay_journal_add()).
 *
 * **Errors:** as prepay_journal_add().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_add_transfer(prepay_journal_t *journal, const prepay_ledger_transfer_t *transfer);

/**
 * @brief Adds an account the ledger has created to the open batch.
 * @param journal the journal.
 * @param account the account as given to prepay_ledger_create_account().
 * @return ::PREPAY_OK, or an error (see prepay_journal_add()).
 *
 * **Errors:** as prepay_journal_add().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_add_account(prepay_journal_t *journal, const prepay_ledger_account_t *account);

/**
 * @brief Adds the closing of an account to the open batch.
 * @param journal the journal.
 * @param account_id the account closed with prepay_ledger_close_account().
 * @return ::PREPAY_OK, or an error (see prepay_journal_add()).
 *
 * **Errors:** as prepay_journal_add().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_add_close(prepay_journal_t *journal, uint64_t account_id);

/**
 * @brief Adds the expiry of a pending transfer to the open batch.
 * @param journal the journal.
 * @param transfer_id the transfer expired by prepay_ledger_expire().
 * @param now the time given to prepay_ledger_expire().
 * @return ::PREPAY_OK, or an error (see prepay_journal_add()).
 *
 * Recovery replays it with prepay_ledger_replay_expiry().
 *
 * **Errors:** as prepay_journal_add().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_add_expire(prepay_journal_t *journal, uint64_t transfer_id, prepay_time_t now);

/**
 * @brief Adds an application record (type ::PREPAY_JOURNAL_RECORD_APP) to the open batch.
 * @param journal the journal (format 2).
 * @param payload the application's bytes, opaque to the journal and the ledger. By
 *        convention the first byte names the application (::PREPAY_JOURNAL_APP_OUTBOX
 *        is the outbox's), so several applications can share a journal.
 * @param payload_length 1..::PREPAY_JOURNAL_MAX_PAYLOAD.
 * @return ::PREPAY_OK, or an error.
 *
 * The record commits with the ledger records of the same batch: both are
 * durable, or neither. Recovery hands it to the callback given to
 * prepay_journal_recover_app() / prepay_journal_open_app(); the other
 * recovery functions skip it. Snapshots do not hold application records:
 * an application that snapshots must re-stage its live state after
 * prepay_journal_snapshot() compacted the journal (the outbox does, with
 * prepay_outbox_checkpoint()).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a payload of 0 or
 * more than ::PREPAY_JOURNAL_MAX_PAYLOAD bytes; ::PREPAY_E_JOURNAL_FORMAT in a
 * format-1 journal (older code could not read it; nothing staged); the errors of
 * prepay_journal_add().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_add_app(prepay_journal_t *journal, const uint8_t *payload, size_t payload_length);

/* ---- storage implementations --------------------------------------------- */

/**
 * @brief Initialises in-memory storage over @p buffer (empty, no failures injected).
 * @param memory the state to initialise.
 * @param buffer storage bytes (caller-owned; lives as long as @p memory).
 * @param capacity capacity of @p buffer.
 * @param io receives callbacks bound to @p memory.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_memory_io(prepay_journal_memory_t *memory, uint8_t *buffer, size_t capacity,
                                        prepay_journal_io_t *io);

/**
 * @brief Simulates a power cut: drops every byte appended after the last successful sync.
 * @param memory the storage.
 * @param keep_unsynced how many of the unsynced bytes survive anyway (clamped),
 *        modelling a partial write-back; 0 drops them all.
 *
 * **Errors:** none; a NULL @p memory is ignored.
 */
PREPAY_API void prepay_journal_memory_crash(prepay_journal_memory_t *memory, size_t keep_unsynced);

/**
 * @brief Initialises in-memory snapshot storage over two arrays (no snapshot published).
 * @param memory the state to initialise.
 * @param slot0 first array.
 * @param slot1 second array.
 * @param capacity capacity of each array.
 * @param io receives callbacks bound to @p memory.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_snapshot_memory_io(prepay_snapshot_memory_t *memory, uint8_t *slot0, uint8_t *slot1,
                                         size_t capacity, prepay_snapshot_io_t *io);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_journal_open(...) PREPAY_CONFIG_GUARDED(prepay_journal_open, __VA_ARGS__)
#define prepay_journal_snapshot_load(...) PREPAY_CONFIG_GUARDED(prepay_journal_snapshot_load, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_JOURNAL_H */
