/* SPDX-License-Identifier: MIT */
/**
 * @file dlt645_reading.h
 * @ingroup prepay_dlt645
 * @brief DL/T 645 read replies straight to typed values: one frame, or many frames from one buffer.
 *
 * What a station does most is read one number (an energy register, the remaining
 * amount, a voltage) from many meters. prepay_dlt645_decode() followed by
 * prepay_dlt645_value_decode() does that through two general structures (a frame
 * with a 255-byte data field, a self-describing value with names, tables and
 * text). This header is the short path for that job: a read reply in wire bytes
 * goes in, a compact ::prepay_dlt645_reading_t (DI, meter address, the number in
 * wire and library units, or the time) comes out, without copying the frame.
 *
 * - prepay_dlt645_decode_reading(): one frame, no state.
 * - ::prepay_dlt645_reader_t: a small caller-owned cache of catalogue lookups
 *   (most replies a station reads carry one of a few DIs), with
 *   prepay_dlt645_reader_decode() for one frame and
 *   prepay_dlt645_reader_decode_batch() for many frames laid back to back in
 *   one buffer (a capture, a DTU's stream, a column of stored replies).
 *
 * The value is the one prepay_dlt645_value_decode() gives for the same DI and
 * bytes (same number, quantity, time and status; tested property), for items
 * that are a single number, time, digit string or demand. Items that are
 * tables, text or raw bytes get ::PREPAY_E_DLT645_NOT_SCALAR; records and
 * blocks ::PREPAY_E_DLT645_BLOCK_DI: decode those with dlt645_data.h.
 *
 * Errors are in two layers. A frame that is not a valid DL/T 645 frame
 * (truncated, no start byte, bad checksum, ...) is the function's error, as
 * from prepay_dlt645_decode(), and nothing is written. A valid frame whose
 * content has no value (an abnormal reply, a reply that is not a read reply,
 * an unknown DI, an absent item, bad BCD) is a reading with that
 * prepay_dlt645_reading::status, so a batch goes on past it.
 *
 * Contracts: nothing is read outside `in[0 .. in_len)` or written outside the
 * outputs given; no allocation, constant stack, no global state. A reader must
 * not be used by two threads at once.
 */
#ifndef PREPAY_DLT645_READING_H
#define PREPAY_DLT645_READING_H

/** @addtogroup prepay_dlt645
 *  @{ */

#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/dlt645.h"
#include "prepay/dlt645_data.h"
#include "prepay/export.h"

/**
 * @def PREPAY_DLT645_READER_SLOT_BITS
 * @brief log2 of the catalogue lookups a ::prepay_dlt645_reader_t keeps (0..8; default 4: 16 DIs, 520 bytes).
 */
#ifndef PREPAY_DLT645_READER_SLOT_BITS
#define PREPAY_DLT645_READER_SLOT_BITS 4
#endif
#if PREPAY_DLT645_READER_SLOT_BITS < 0 || PREPAY_DLT645_READER_SLOT_BITS > 8
#error "PREPAY_DLT645_READER_SLOT_BITS must be 0..8"
#endif
/** @brief Catalogue lookups a reader keeps: 2 ^ ::PREPAY_DLT645_READER_SLOT_BITS. */
#define PREPAY_DLT645_READER_SLOTS (1u << PREPAY_DLT645_READER_SLOT_BITS)

/** @brief prepay_dlt645_reading::flags: the meter has follow-up frames (C bit 5). */
#define PREPAY_DLT645_READING_FOLLOW_UP 0x01u
/** @brief prepay_dlt645_reading::flags: a DL/T 645-1997 reply (2-byte DI). */
#define PREPAY_DLT645_READING_1997 0x02u
/** @brief prepay_dlt645_reading::flags: a demand value whose time is all zero (no demand recorded yet). */
#define PREPAY_DLT645_READING_NO_TIME 0x04u

/**
 * @brief One read reply as a typed value (48 bytes).
 *
 * Members that the kind does not use are zero. See dlt645_data.h for the
 * library unit of `quantity` per ::prepay_dlt645_unit.
 */
typedef struct prepay_dlt645_reading {
    int64_t number;     /**< numbers and demand: the wire integer (the printed value x 10^`decimals`); digits: the digits */
    int64_t quantity;   /**< numbers and demand: the value in the library unit of `unit` (Wh, fen, 1e-8 yuan/kWh, ...) */
    prepay_time_t time; /**< times and demand: as prepay_dlt645_value::time (seconds since midnight for hhmmss) */
    uint32_t di;        /**< the DI of the reply (2007: DI3..DI0; 1997: DI1 DI0); 0 if the frame carries none */
    int32_t status;     /**< ::PREPAY_OK, or why this valid frame has no value (see prepay_dlt645_reader_decode()) */
    prepay_dlt645_address_t address; /**< the meter that replied (wire order) */
    uint8_t kind;       /**< ::prepay_dlt645_kind: NUMBER, TIME, DIGITS, DEMAND, or ABSENT (status ::PREPAY_E_DLT645_ABSENT) */
    uint8_t unit;       /**< ::prepay_dlt645_unit */
    uint8_t decimals;   /**< digits after the point of `number` */
    uint8_t weekday;    /**< `YYMMDDWW` items: WW as sent (0 = Sunday) */
    uint8_t control;    /**< the control byte C of the frame */
    uint8_t flags;      /**< `PREPAY_DLT645_READING_*` bits */
    uint16_t error;     /**< abnormal replies: the error byte (function 03: the security error word) */
    uint16_t size;      /**< bytes the frame occupied in the input, preamble included (saturating at 65535) */
} prepay_dlt645_reading_t;

/** @brief Private: one cached catalogue lookup of a reader. */
typedef struct prepay_dlt645_reader_slot {
    const void *row;  /**< private */
    int64_t scale;    /**< private */
    uint32_t di;      /**< private */
    int32_t status;   /**< private */
    uint8_t used;     /**< private */
    uint8_t path;     /**< private */
    uint8_t length;   /**< private */
    uint8_t decimals; /**< private */
    uint8_t unit;     /**< private */
    uint8_t kind;     /**< private */
    uint8_t checked;  /**< private */
    uint8_t is_1997;  /**< private */
} prepay_dlt645_reader_slot_t;

/**
 * @brief Caller-owned reader: a cache of the catalogue lookups of the DIs it has seen.
 *
 * Members are private; initialise with prepay_dlt645_reader_init(). Holds no
 * pointer to caller memory: it can be copied, and reset at any time.
 */
typedef struct prepay_dlt645_reader {
    uint32_t magic;    /**< private: set by init */
    uint32_t misses;   /**< private: lookups that went to the catalogue */
    prepay_dlt645_reader_slot_t slots[PREPAY_DLT645_READER_SLOTS]; /**< private */
} prepay_dlt645_reader_t;

/** @brief What prepay_dlt645_reader_decode_batch() did. */
typedef struct prepay_dlt645_batch {
    size_t count; /**< readings written (also the return value) */
    size_t used;  /**< bytes of input consumed: the frames read, preambles included */
    int stop;     /**< ::PREPAY_OK if the input or the output ran out; else the frame error at `in + used` */
} prepay_dlt645_batch_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Initialises (or resets) a reader: empty cache.
 * @param reader the caller-owned reader.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p reader is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reader_init(prepay_dlt645_reader_t *reader);

/**
 * @brief Decodes the frame at the start of @p in to a typed value, using and filling the reader's cache.
 *
 * The frame is checked exactly as prepay_dlt645_decode() checks it (and fails
 * with the same error). A valid frame always gives a reading; its `status` is
 * ::PREPAY_OK with the value, or:
 * - ::PREPAY_E_DLT645_ABNORMAL: an abnormal reply (`error` holds the error byte or word);
 * - ::PREPAY_E_DLT645_UNEXPECTED_REPLY: not a normal reply of a read
 *   (2007: 91 / B1 / 92 / B2; 1997: 81 / A1 / 82 / A2), e.g. a request;
 * - ::PREPAY_E_DLT645_BAD_REPLY: a follow-up reply (92 / B2) without its SEQ byte;
 * - the item's errors of prepay_dlt645_value_decode() (the 1997 catalogue for
 *   1997 replies): ::PREPAY_E_DLT645_UNKNOWN_DI, ::PREPAY_E_DLT645_BLOCK_DI (a
 *   block or record DI), ::PREPAY_E_DLT645_VALUE_LENGTH, ::PREPAY_E_DLT645_ABSENT
 *   (kind ABSENT), ::PREPAY_E_BAD_BCD, ::PREPAY_E_DLT645_BAD_VALUE, the
 *   date and time errors; and ::PREPAY_E_DLT645_NOT_SCALAR for tables, text and bytes.
 * `di`, `address`, `control`, `flags` and `size` are set whatever the status.
 * @param reader an initialised reader.
 * @param in the bytes: any number of `FE`, then the frame.
 * @param in_len bytes available at @p in.
 * @param out the reading; untouched on error.
 * @return the number of bytes the frame occupies (preamble included, > 0), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p reader was not initialised; the frame errors of
 * prepay_dlt645_decode() (::PREPAY_E_DLT645_TRUNCATED, ::PREPAY_E_DLT645_NO_START,
 * ::PREPAY_E_DLT645_NO_SECOND_START, ::PREPAY_E_DLT645_BAD_LENGTH,
 * ::PREPAY_E_DLT645_BAD_CHECKSUM, ::PREPAY_E_DLT645_BAD_END).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reader_decode(prepay_dlt645_reader_t *reader, const uint8_t *in, size_t in_len,
                                           prepay_dlt645_reading_t *out);

/**
 * @brief Decodes frames laid back to back in @p in (each with any `FE` preamble) into @p out.
 *
 * Reads frames from the start of @p in until the input ends, @p out is full,
 * or a frame is not valid; each valid frame gives one reading, as
 * prepay_dlt645_reader_decode() (per-frame statuses do not stop the batch).
 * `result->used` is where the next call should start; when `result->stop`
 * is an error, the invalid frame begins there (::PREPAY_E_DLT645_TRUNCATED:
 * an incomplete frame at the end, keep it for when more bytes arrive; use
 * the stream parser, dlt645.h, to resynchronise after garbage).
 * @param reader an initialised reader.
 * @param in the bytes; may be NULL if @p in_len is 0.
 * @param in_len bytes at @p in.
 * @param out destination array.
 * @param out_cap capacity of @p out (readings).
 * @param result what was done (count, bytes used, why it stopped); may be NULL.
 * @return the number of readings written (>= 0), or an error (then nothing is written).
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL @p reader or @p out, or a
 * NULL @p in with @p in_len > 0; ::PREPAY_E_BAD_STATE if @p reader was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reader_decode_batch(prepay_dlt645_reader_t *reader, const uint8_t *in, size_t in_len,
                                                 prepay_dlt645_reading_t *out, size_t out_cap,
                                                 prepay_dlt645_batch_t *result);

/**
 * @brief prepay_dlt645_reader_decode() without a reader: looks the DI up in the catalogue every time.
 * @param in the bytes: any number of `FE`, then the frame.
 * @param in_len bytes available at @p in.
 * @param out the reading; untouched on error.
 * @return the number of bytes the frame occupies (preamble included, > 0), or an error.
 *
 * **Errors:** as prepay_dlt645_reader_decode(), without ::PREPAY_E_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_decode_reading(const uint8_t *in, size_t in_len, prepay_dlt645_reading_t *out);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_dlt645_reader_init(...) PREPAY_CONFIG_GUARDED(prepay_dlt645_reader_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_DLT645_READING_H */
