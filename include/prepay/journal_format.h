/* SPDX-License-Identifier: MIT */
/**
 * @file journal_format.h
 * @ingroup prepay_ledger
 * @brief The journal's bytes: format constants, record frames, CRC-32C and the payload codecs.
 *
 * Everything that fixes how a journal and a snapshot look on storage, in one
 * place: the sizes and versions (`docs/journal.md` specifies the format), the
 * record types and frame, the file header, the commit and CUT payloads, and
 * the field-by-field little-endian payloads of accounts and transfers. The
 * journal itself (journal.h, which includes this header) writes and reads
 * through these; the fault-injection and recovery tests, the fuzz targets and
 * tools that inspect journal bytes use them directly. The journal module's
 * status codes are declared here, as the lowest header of the module.
 *
 * A record frame, little-endian (docs/journal.md, "Records"):
 * @code
 * offset  size  field
 *      0     4  length     whole record, header and CRC included (20 .. 256)
 *      4     2  type       a ::prepay_journal_record_type value
 *      6     2  reserved   0
 *      8     8  sequence   1, 2, 3, ... over the journal's life
 *     16     n  payload    length - 20 bytes
 *   16+n     4  CRC-32C    of bytes 0 .. 16+n-1
 * @endcode
 *
 * Decoding a record at the start of a buffer:
 * @code
 * prepay_journal_record_t record;
 * int n = prepay_journal_record_decode(bytes, length, &record);
 * if (n > 0 && record.type == PREPAY_JOURNAL_RECORD_TRANSFER) {
 *     prepay_ledger_transfer_t transfer;
 *     int rc = prepay_journal_transfer_decode(record.payload, record.payload_length, &transfer);
 *     // rc == PREPAY_OK: the transfer as the ledger applied it
 * }
 * @endcode
 *
 * Everything here is freestanding. **Untrusted input:** the decoders take
 * any bytes and never read outside the lengths given.
 */
#ifndef PREPAY_JOURNAL_FORMAT_H
#define PREPAY_JOURNAL_FORMAT_H

/** @addtogroup prepay_ledger
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/ledger.h"
#include "prepay/status.h"

/* ---- status codes ------------------------------------------------------- */

/** @brief Status codes of the journal module. */
enum prepay_journal_status {
    /** The storage callback reported a failure (read, append, sync, truncate or size).
     *  prepay_strerror(): "journal storage I/O failed" */
    PREPAY_E_JOURNAL_IO = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 1),
    /** A bad record is followed by valid records: corruption inside the log, not a torn
     *  tail. Nothing was truncated; ::prepay_journal_recovery::corrupt_offset says where.
     *  prepay_strerror(): "journal corrupt inside the log (a bad record is followed by committed records)" */
    PREPAY_E_JOURNAL_CORRUPT = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 2),
    /** The storage does not start with a journal header of a supported version.
     *  prepay_strerror(): "not a journal, or an unsupported journal version" */
    PREPAY_E_JOURNAL_BAD_HEADER = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 3),
    /** Bytes are not a valid record (bad length, type, reserved bits or checksum).
     *  prepay_strerror(): "invalid journal record (length, type or checksum)" */
    PREPAY_E_JOURNAL_BAD_RECORD = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 4),
    /** The bytes end before the record does (a torn record, or more input needed).
     *  prepay_strerror(): "journal record truncated" */
    PREPAY_E_JOURNAL_TRUNCATED = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 5),
    /** An earlier append or sync failed: the batch was not acknowledged and the journal
     *  refuses further writes until it is reopened (recovery decides what survived).
     *  prepay_strerror(): "journal failed earlier (append or sync error); reopen to recover" */
    PREPAY_E_JOURNAL_FAILED = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 6),
    /** The storage has no room for the bytes to append (fixed-size memory or flash).
     *  prepay_strerror(): "journal storage full" */
    PREPAY_E_JOURNAL_FULL = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 7),
    /** The snapshot is not valid (magic, version, length or checksum).
     *  prepay_strerror(): "snapshot corrupt (magic, version, length or checksum)" */
    PREPAY_E_JOURNAL_SNAPSHOT_CORRUPT = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 8),
    /** Sequence numbers are not contiguous (a record or whole batches are missing, or the
     *  journal does not continue the snapshot).
     *  prepay_strerror(): "journal sequence numbers not contiguous (records missing)" */
    PREPAY_E_JOURNAL_SEQUENCE = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 9),
    /** A committed record could not be replayed into the ledger (it refused it, e.g. a
     *  full table); ::prepay_journal_recovery::corrupt_offset gives the record.
     *  prepay_strerror(): "a committed journal record could not be replayed into the ledger" */
    PREPAY_E_JOURNAL_REPLAY = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 10),
    /** The recovered ledger fails prepay_ledger_verify().
     *  prepay_strerror(): "recovered ledger fails verification" */
    PREPAY_E_JOURNAL_VERIFY = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 11),
    /** Another writer holds the journal's lock (POSIX storage: its PID is in
     *  ::prepay_journal_posix::lock_pid). Nothing was read or written.
     *  prepay_strerror(): "journal in use by another writer (its lock is held)" */
    PREPAY_E_JOURNAL_LOCKED = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 12),
    /** The storage is not the size this writer left it: someone else wrote or cut it
     *  (a second writer without the lock, an editor). Nothing was written.
     *  prepay_strerror(): "journal changed under the writer (another process wrote or cut it)" */
    PREPAY_E_JOURNAL_CHANGED = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 13),
    /** The journal's format version cannot hold the record: a format-1 journal takes no
     *  transfer with a deadline and no expiry (a compacting prepay_journal_snapshot()
     *  rewrites it as format 2). Nothing was applied or written.
     *  prepay_strerror(): "journal format 1 cannot hold deadlines or expiries (a compacting snapshot upgrades it)" */
    PREPAY_E_JOURNAL_FORMAT = PREPAY_STATUS_MAKE(PREPAY_MODULE_JOURNAL, 14)
};

/* ---- configuration ------------------------------------------------------ */

/**
 * @def PREPAY_JOURNAL_CRC_SMALL
 * @brief Define to use a 1 KiB CRC table (byte at a time) instead of 8 KiB (slicing-by-8).
 *
 * Firmware saves 7 KiB of flash; checksumming gets about 4 times slower.
 * Not defined by default.
 */
#if defined(PREPAY_DOXYGEN)
#define PREPAY_JOURNAL_CRC_SMALL
#endif

/* ---- format constants (docs/journal.md) -------------------------------- */

/** @brief Size of the journal file header in bytes. */
#define PREPAY_JOURNAL_HEADER_SIZE 24u
/** @brief Format version written in new journal headers (2: two copies of every commit record, CUT and
 *  EXPIRE records, transfers with deadlines). */
#define PREPAY_JOURNAL_VERSION 2u
/** @brief Oldest journal format version still read (and appended to in its own format). */
#define PREPAY_JOURNAL_VERSION_MIN 1u
/** @brief Bytes of a record before its payload: length, type, reserved, sequence. */
#define PREPAY_JOURNAL_RECORD_HEADER_SIZE 16u
/** @brief Bytes of a record besides its payload: the header plus the trailing CRC. */
#define PREPAY_JOURNAL_RECORD_OVERHEAD 20u
/** @brief Largest payload a record may carry, in bytes (a transfer needs 96, or 104 with a deadline). */
#define PREPAY_JOURNAL_MAX_PAYLOAD 236u
/** @brief Largest record in bytes (::PREPAY_JOURNAL_RECORD_OVERHEAD + ::PREPAY_JOURNAL_MAX_PAYLOAD). */
#define PREPAY_JOURNAL_MAX_RECORD 256u
/** @brief Size of a commit record's payload in bytes. */
#define PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE 16u
/** @brief Size of a commit record in bytes. */
#define PREPAY_JOURNAL_COMMIT_SIZE (PREPAY_JOURNAL_RECORD_OVERHEAD + PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE)
/** @brief Size of an encoded transfer without a deadline (the payload of a TRANSFER record). */
#define PREPAY_JOURNAL_TRANSFER_SIZE 96u
/** @brief Size of an encoded pending transfer with a deadline: the 96 bytes, then the deadline. */
#define PREPAY_JOURNAL_TRANSFER_MAX_SIZE 104u
/** @brief Size of an encoded account (the payload of an ACCOUNT record), counters included. */
#define PREPAY_JOURNAL_ACCOUNT_SIZE 80u
/** @brief Size of the payload of a CLOSE record (the account id). */
#define PREPAY_JOURNAL_CLOSE_SIZE 8u
/** @brief Size of the payload of a CUT record (format 2): offset, bytes, records, batches. */
#define PREPAY_JOURNAL_CUT_SIZE 24u
/** @brief Size of the payload of an EXPIRE record (format 2): the pending transfer's id, the time of expiry. */
#define PREPAY_JOURNAL_EXPIRE_SIZE 16u
/** @brief Format version written in snapshot headers (2: the totals of recorded cuts; deadlines and expiries). */
#define PREPAY_SNAPSHOT_VERSION 2u
/** @brief Size of the snapshot header in bytes (format 2; format 1 had 32). */
#define PREPAY_SNAPSHOT_HEADER_SIZE 64u
/** @brief Size of the snapshot trailer in bytes (end magic and CRC-32C of all earlier bytes). */
#define PREPAY_SNAPSHOT_TRAILER_SIZE 8u
/** @brief CRC-32C of the ASCII bytes "123456789", the polynomial's published check value. */
#define PREPAY_JOURNAL_CRC32C_CHECK 0xE3069283u

/** @brief Record types (the `type` field of a record). */
typedef enum prepay_journal_record_type {
    PREPAY_JOURNAL_RECORD_ACCOUNT = 1,  /**< an account was opened; payload: account */
    PREPAY_JOURNAL_RECORD_TRANSFER = 2, /**< a transfer was submitted; payload: transfer */
    PREPAY_JOURNAL_RECORD_COMMIT = 3,   /**< closes a batch; payload: commit */
    PREPAY_JOURNAL_RECORD_CLOSE = 4,    /**< an account was closed; payload: account id */
    PREPAY_JOURNAL_RECORD_CUT = 5,      /**< format 2: a writer's recovery cut a torn tail; payload: cut */
    PREPAY_JOURNAL_RECORD_EXPIRE = 6,   /**< format 2: a pending transfer expired; payload: transfer id, time */
    PREPAY_JOURNAL_RECORD_APP = 7       /**< format 2: an application record (opaque to the ledger; e.g. the outbox) */
} prepay_journal_record_type_t;

/** @brief First payload byte of the outbox's APP records (include/prepay/outbox.h). */
#define PREPAY_JOURNAL_APP_OUTBOX 0x4Fu

/** @brief A decoded record frame; the payload points into the decoded bytes. */
typedef struct prepay_journal_record {
    uint32_t length;        /**< whole record length in bytes, header and CRC included */
    uint16_t type;          /**< a ::prepay_journal_record_type value */
    uint64_t sequence;      /**< record sequence number (1, 2, 3, ... over the journal's life) */
    const uint8_t *payload; /**< the payload bytes (inside the buffer given to the decoder) */
    size_t payload_length;  /**< payload length in bytes */
} prepay_journal_record_t;

/** @brief The payload of a commit record: which records the batch holds. */
typedef struct prepay_journal_commit {
    uint64_t first_sequence; /**< sequence of the batch's first record */
    uint32_t record_count;   /**< records in the batch before the commit record (0 allowed) */
} prepay_journal_commit_t;

/** @brief The payload of a CUT record: one torn tail a writer's recovery cut off. */
typedef struct prepay_journal_cut {
    uint64_t offset;  /**< where the tail began (the committed end at the time) */
    uint64_t bytes;   /**< bytes cut */
    uint32_t records; /**< complete records of an unfinished batch among them */
    uint32_t batches; /**< unfinished batches the tail held (0 or 1) */
} prepay_journal_cut_t;

/** @brief Totals of the torn tails cut by earlier recoveries (CUT records, carried by snapshots). */
typedef struct prepay_journal_cuts {
    uint64_t count;   /**< recoveries that cut a tail */
    uint64_t bytes;   /**< bytes cut in all */
    uint64_t records; /**< complete records cut in all */
    uint64_t batches; /**< unfinished batches cut in all */
} prepay_journal_cuts_t;

PREPAY_BEGIN_DECLS

/* ---- CRC ---------------------------------------------------------------- */

/**
 * @brief CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected) of @p length bytes.
 * @param crc 0 to start, or the value returned for the preceding bytes (to chain).
 * @param data the bytes (NULL returns @p crc unchanged).
 * @param length number of bytes.
 * @return The CRC of all bytes so far. prepay_journal_crc32c(0, "123456789", 9)
 *         is ::PREPAY_JOURNAL_CRC32C_CHECK.
 *
 * On x86-64 processors with SSE4.2 the crc32 instruction computes it (the same
 * value); elsewhere, or built with PREPAY_JOURNAL_CRC_PORTABLE, const tables do.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint32_t prepay_journal_crc32c(uint32_t crc, const uint8_t *data, size_t length);

/* ---- headers and record frames ------------------------------------------ */

/**
 * @brief Writes the journal file header (magic "PREPAYJL", version ::PREPAY_JOURNAL_VERSION, CRC).
 * @param out destination.
 * @param out_cap capacity of @p out; at least ::PREPAY_JOURNAL_HEADER_SIZE.
 * @return ::PREPAY_JOURNAL_HEADER_SIZE, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap is too small (nothing written).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_header_encode(uint8_t *out, size_t out_cap);

/**
 * @brief Checks a journal file header (any version from ::PREPAY_JOURNAL_VERSION_MIN to ::PREPAY_JOURNAL_VERSION).
 * @param in the first bytes of the storage.
 * @param in_len number of bytes in @p in.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p in is NULL;
 * ::PREPAY_E_JOURNAL_TRUNCATED if @p in_len < ::PREPAY_JOURNAL_HEADER_SIZE;
 * ::PREPAY_E_JOURNAL_BAD_HEADER for a wrong magic, version, flags or CRC.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_header_decode(const uint8_t *in, size_t in_len);

/**
 * @brief Checks a journal file header and says which format version it declares.
 * @param in the first bytes of the storage.
 * @param in_len number of bytes in @p in.
 * @return the version (1 or 2), or an error.
 *
 * **Errors:** as prepay_journal_header_decode().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_header_version(const uint8_t *in, size_t in_len);

/**
 * @brief Frames a payload as a record: length, type, sequence, payload, CRC-32C.
 * @param type a ::prepay_journal_record_type value.
 * @param sequence the record's sequence number (non-zero).
 * @param payload payload bytes (may be NULL when @p payload_length is 0).
 * @param payload_length at most ::PREPAY_JOURNAL_MAX_PAYLOAD.
 * @param out destination.
 * @param out_cap capacity of @p out in bytes.
 * @return the record length (::PREPAY_JOURNAL_RECORD_OVERHEAD + @p payload_length), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers, an unknown
 * type, sequence 0 or a payload over the maximum;
 * ::PREPAY_E_BUFFER_TOO_SMALL if the record does not fit (nothing written).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_record_encode(uint16_t type, uint64_t sequence, const uint8_t *payload,
                                            size_t payload_length, uint8_t *out, size_t out_cap);

/**
 * @brief Decodes and checks the record at the start of @p in.
 * @param in bytes starting at a record.
 * @param in_len number of bytes available (may extend past the record).
 * @param out the decoded frame; its payload points into @p in. Untouched on error.
 * @return the record length in bytes, or an error.
 *
 * Checks, in order: enough bytes for a header; length within
 * [::PREPAY_JOURNAL_RECORD_OVERHEAD, ::PREPAY_JOURNAL_MAX_RECORD]; known type;
 * reserved field 0; sequence non-zero; enough bytes for the whole record;
 * the CRC. Commit records must have the commit payload size.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_JOURNAL_TRUNCATED if @p in ends before the header or the
 * (plausible) record does; ::PREPAY_E_JOURNAL_BAD_RECORD otherwise.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_record_decode(const uint8_t *in, size_t in_len, prepay_journal_record_t *out);

/**
 * @brief Encodes a commit payload (::PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE bytes).
 * @param commit the batch description.
 * @param out destination.
 * @param out_cap capacity of @p out.
 * @return ::PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap is too small.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_commit_encode(const prepay_journal_commit_t *commit, uint8_t *out, size_t out_cap);

/**
 * @brief Decodes a commit payload.
 * @param in payload bytes.
 * @param in_len payload length; must be ::PREPAY_JOURNAL_COMMIT_PAYLOAD_SIZE.
 * @param out decoded batch description; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_JOURNAL_BAD_RECORD for a wrong length or non-zero reserved bytes.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_commit_decode(const uint8_t *in, size_t in_len, prepay_journal_commit_t *out);

/**
 * @brief Encodes a CUT payload (::PREPAY_JOURNAL_CUT_SIZE bytes): offset u64, bytes u64, records u32, batches u32.
 * @param cut what was cut.
 * @param out destination.
 * @param out_cap capacity of @p out.
 * @return ::PREPAY_JOURNAL_CUT_SIZE, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap is too small (nothing written).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_cut_encode(const prepay_journal_cut_t *cut, uint8_t *out, size_t out_cap);

/**
 * @brief Decodes a CUT payload.
 * @param in payload bytes.
 * @param in_len payload length; must be ::PREPAY_JOURNAL_CUT_SIZE.
 * @param out the cut; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_JOURNAL_BAD_RECORD for a wrong length or a batch count above 1.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_cut_decode(const uint8_t *in, size_t in_len, prepay_journal_cut_t *out);

/* ---- payloads ------------------------------------------------------------ */

/**
 * @brief Serialises a transfer field by field, little-endian.
 * @param transfer the transfer.
 * @param out destination.
 * @param out_cap capacity of @p out (::PREPAY_JOURNAL_TRANSFER_MAX_SIZE always suffices).
 * @return the length written: ::PREPAY_JOURNAL_TRANSFER_SIZE, or
 *         ::PREPAY_JOURNAL_TRANSFER_MAX_SIZE for a transfer with a deadline;
 *         or an error.
 *
 * Field order and widths are those of ::prepay_ledger_transfer_t (see
 * docs/journal.md); signed fields are two's complement. The deadline is
 * written only when it is not 0, so transfers without one keep the bytes
 * that journals written before deadlines existed hold.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap is too small (nothing written).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_transfer_encode(const prepay_ledger_transfer_t *transfer, uint8_t *out,
                                              size_t out_cap);

/**
 * @brief Decodes a transfer written by prepay_journal_transfer_encode().
 * @param in payload bytes.
 * @param in_len payload length: ::PREPAY_JOURNAL_TRANSFER_SIZE (deadline 0),
 *        or ::PREPAY_JOURNAL_TRANSFER_MAX_SIZE with a non-zero deadline.
 * @param out the transfer; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_JOURNAL_BAD_RECORD for a wrong length, or a deadline of 0 in
 * the long form (each transfer has exactly one encoding).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_transfer_decode(const uint8_t *in, size_t in_len, prepay_ledger_transfer_t *out);

/**
 * @brief Serialises an account with its counters (::PREPAY_JOURNAL_ACCOUNT_SIZE bytes).
 * @param account the account.
 * @param out destination.
 * @param out_cap capacity of @p out.
 * @return ::PREPAY_JOURNAL_ACCOUNT_SIZE, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap is too small (nothing written).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_account_encode(const prepay_ledger_account_t *account, uint8_t *out, size_t out_cap);

/**
 * @brief Decodes an account written by prepay_journal_account_encode().
 * @param in payload bytes.
 * @param in_len payload length; must be ::PREPAY_JOURNAL_ACCOUNT_SIZE.
 * @param out the account; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_JOURNAL_BAD_RECORD for a wrong length.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_journal_account_decode(const uint8_t *in, size_t in_len, prepay_ledger_account_t *out);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_JOURNAL_FORMAT_H */
