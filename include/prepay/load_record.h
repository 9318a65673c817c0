/* SPDX-License-Identifier: MIT */
/**
 * @file load_record.h
 * @ingroup prepay_load_record
 * @brief Station side of DL/T 645-2007 load records (负荷记录, DI3 = 06): requests, reply stitching, typed records.
 *
 * A meter keeps load records of six classes (DL/T 645-2007 appendix A,
 * table A.7; which classes it records is set by the load-record mode word
 * 04000901, the start time by 04000A01 and each class's interval by
 * 04000A02..07). A station reads them with function 11:
 *
 * | DI            | asks for                                        | request data after the DI |
 * |---------------|-------------------------------------------------|---------------------------|
 * | `06 cc 00 00` | the earliest record of class cc (00 = all six)  | N (number of records)     |
 * | `06 cc 00 01` | records from a given time                       | N, `mm hh DD MM YY`       |
 * | `06 cc 00 02` | the latest record                               | N                         |
 *
 * The reply data after the DI is one or more records, each
 *
 *     A0 A0 | len | mm hh DD MM YY | block 1 | block 2 | ... | block 6 | CS | E5
 *
 * where a block is `AA` alone when its class is not recorded, or the
 * class's values followed by `AA`. `E0 E0` instead of `A0 A0` marks a record
 * the meter knows to be wrong. CS is the sum mod 256 of every byte from the
 * first `A0` to the last `AA`. The class blocks (all values packed BCD, low
 * byte first, sign in bit 7 of the top byte where signed, `FF` bytes for a
 * value the meter does not have):
 *
 * | class | bytes | values |
 * |-------|-------|--------|
 * | 1 | 17 | voltage A B C (XXX.X V, 2 each), current A B C (XXX.XXX A, 3 each, signed), frequency (XX.XX Hz, 2) |
 * | 2 | 24 | active power total A B C (XX.XXXX kW, 3 each, signed), reactive power total A B C (XX.XXXX kvar) |
 * | 3 | 8  | power factor total A B C (X.XXX, 2 each, signed) |
 * | 4 | 16 | forward active, reverse active (XXXXXX.XX kWh, 4 each), combined reactive 1 and 2 (XXXXXX.XX kvarh, signed) |
 * | 5 | 16 | reactive energy of quadrants I..IV (XXXXXX.XX kvarh, 4 each) |
 * | 6 | 6  | current active demand (XX.XXXX kW, signed), current reactive demand (XX.XXXX kvar, signed) |
 *
 * Sources and the differences between them are in
 * `tests/vectors/dlt645_load_records.txt` and docs/load-curves.md. Two
 * variations seen in the field are accepted: the length byte counts the
 * bytes from the time to the last `AA` (the standard's text as terminals
 * quote it) or those plus CS and E5 (one simulator); and a reply to a
 * one-class read (cc = 01..06) may carry the class's block alone, without
 * the `AA` of the classes before it.
 *
 * Every function here is freestanding, re-entrant and bounded by the
 * lengths given; hostile input gives an error, never a read outside them.
 * Status codes: module ::PREPAY_MODULE_LOADPROFILE.
 */
#ifndef PREPAY_LOAD_RECORD_H
#define PREPAY_LOAD_RECORD_H

/** @addtogroup prepay_load_record
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/dlt645.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/** @brief Status codes of load records (module ::PREPAY_MODULE_LOADPROFILE, numbers 1..31). */
enum prepay_load_record_status {
    /** A record does not start with `A0 A0` (or `E0 E0`).
     *  prepay_strerror(): "load record: reply does not start with the block start A0 A0 (or E0 E0)" */
    PREPAY_E_LOADPROFILE_BAD_START = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 1),
    /** The data ends before a record does.
     *  prepay_strerror(): "load record: reply ends before the record does" */
    PREPAY_E_LOADPROFILE_TRUNCATED = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 2),
    /** The length byte fits neither convention for the blocks that follow.
     *  prepay_strerror(): "load record: record length byte disagrees with its blocks" */
    PREPAY_E_LOADPROFILE_BAD_LENGTH = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 3),
    /** A block separator `AA` or the end byte `E5` is missing where the layout needs it.
     *  prepay_strerror(): "load record: a block separator AA or the end byte E5 is missing" */
    PREPAY_E_LOADPROFILE_BAD_SEPARATOR = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 4),
    /** The record's checksum CS is not the sum of its bytes from the first `A0` to the last `AA`.
     *  prepay_strerror(): "load record: record checksum mismatch" */
    PREPAY_E_LOADPROFILE_BAD_CHECKSUM = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 5),
    /** A class block is missing or extra for the class asked, or a one-class reply carries another class.
     *  prepay_strerror(): "load record: a class block has the wrong size for its class" */
    PREPAY_E_LOADPROFILE_BAD_BLOCK = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 6),
    /** A value or the record time is not valid BCD, or the time does not exist.
     *  prepay_strerror(): "load record: invalid BCD value or time in a record" */
    PREPAY_E_LOADPROFILE_BAD_VALUE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 7),
    /** The DI is not a load-record DI `06 cc 00 mm` (cc 00..06, mm 00..02).
     *  prepay_strerror(): "load record: not a load-record data identifier (06 DI2 00 DI0)" */
    PREPAY_E_LOADPROFILE_BAD_DI = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 8),
    /** A follow-up reply is out of sequence, for another DI, or arrives after the last frame.
     *  prepay_strerror(): "load record: follow-up frames out of order or from another read" */
    PREPAY_E_LOADPROFILE_SEQUENCE = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 9),
    /** Record times do not increase from one record to the next.
     *  prepay_strerror(): "load record: record time goes backwards" */
    PREPAY_E_LOADPROFILE_TIME_ORDER = PREPAY_STATUS_MAKE(PREPAY_MODULE_LOADPROFILE, 10)
};

/** @brief First two bytes of a good record. */
#define PREPAY_LOAD_RECORD_START 0xA0u
/** @brief First two bytes of a record the meter marks as not correct. */
#define PREPAY_LOAD_RECORD_BAD_START 0xE0u
/** @brief Block separator, after each class block (also alone, for a class not recorded). */
#define PREPAY_LOAD_RECORD_SEPARATOR 0xAAu
/** @brief Last byte of a record. */
#define PREPAY_LOAD_RECORD_END 0xE5u
/** @brief Number of load-record classes. */
#define PREPAY_LOAD_RECORD_CLASSES 6
/** @brief Bytes of a record with all six classes: 2 + 1 + 5 + 87 + 6 + 1 + 1. */
#define PREPAY_LOAD_RECORD_FULL_SIZE 103u
/** @brief Bytes of a record with no class block: start, length, time, six `AA`, CS, `E5`. */
#define PREPAY_LOAD_RECORD_MIN_SIZE 16u

/** @brief Which records a read asks for (DI0 of `06 cc 00 DI0`). */
typedef enum prepay_load_record_mode {
    PREPAY_LOAD_RECORD_EARLIEST = 0,  /**< the earliest records kept */
    PREPAY_LOAD_RECORD_FROM_TIME = 1, /**< records from a given time */
    PREPAY_LOAD_RECORD_LATEST = 2     /**< the latest record */
} prepay_load_record_mode_t;

/** @name Field bits of prepay_load_record::absent (a value sent as `FF` bytes)
 *  @{ */
#define PREPAY_LOAD_FIELD_VOLTAGE(phase) (1u << (phase))                /**< voltage of phase 0..2 (A..C) */
#define PREPAY_LOAD_FIELD_CURRENT(phase) (1u << (3 + (phase)))          /**< current of phase 0..2 */
#define PREPAY_LOAD_FIELD_FREQUENCY (1u << 6)                           /**< frequency */
#define PREPAY_LOAD_FIELD_ACTIVE_POWER(i) (1u << (7 + (i)))             /**< active power 0 total, 1..3 A..C */
#define PREPAY_LOAD_FIELD_REACTIVE_POWER(i) (1u << (11 + (i)))          /**< reactive power 0 total, 1..3 A..C */
#define PREPAY_LOAD_FIELD_POWER_FACTOR(i) (1u << (15 + (i)))            /**< power factor 0 total, 1..3 A..C */
#define PREPAY_LOAD_FIELD_ENERGY(i) (1u << (19 + (i)))                  /**< class 4 value i: forward, reverse, combined 1, 2 */
#define PREPAY_LOAD_FIELD_QUADRANT(i) (1u << (23 + (i)))                /**< quadrant I..IV reactive energy, i = 0..3 */
#define PREPAY_LOAD_FIELD_ACTIVE_DEMAND (1u << 27)                      /**< active demand */
#define PREPAY_LOAD_FIELD_REACTIVE_DEMAND (1u << 28)                    /**< reactive demand */
/** @} */

/**
 * @brief One decoded load record: the standard's fixed-point units, energies in the library's Wh.
 *
 * A value is meaningful only when its class bit is set in `classes` and its
 * field bit is clear in `absent`; otherwise it is 0.
 */
typedef struct prepay_load_record {
    prepay_time_t time;              /**< record time (seconds 0) */
    uint8_t classes;                 /**< bit k-1 set: the class-k block is present */
    bool marked_bad;                 /**< the record started with `E0 E0` (its values are not decoded) */
    uint32_t absent;                 /**< `PREPAY_LOAD_FIELD_*` bits of values sent as `FF` */
    int32_t voltage_decivolt[3];     /**< class 1: phase A..C voltage, 0.1 V */
    int32_t current_milliamp[3];     /**< class 1: phase A..C current, 0.001 A, signed */
    int32_t frequency_centihertz;    /**< class 1: frequency, 0.01 Hz */
    int32_t active_power_deciwatt[4];   /**< class 2: total, A, B, C active power, 0.1 W (= 0.0001 kW), signed */
    int32_t reactive_power_decivar[4];  /**< class 2: total, A, B, C reactive power, 0.1 var, signed */
    int32_t power_factor_milli[4];      /**< class 3: total, A, B, C power factor, 0.001, signed */
    prepay_energy_t forward_active_wh;  /**< class 4: forward active energy register, Wh */
    prepay_energy_t reverse_active_wh;  /**< class 4: reverse active energy register, Wh */
    int64_t combined_reactive_varh[2];  /**< class 4: combined reactive 1 and 2 registers, varh, signed */
    int64_t quadrant_reactive_varh[4];  /**< class 5: quadrant I..IV reactive energy registers, varh */
    int32_t active_demand_deciwatt;     /**< class 6: current active demand, 0.1 W, signed */
    int32_t reactive_demand_decivar;    /**< class 6: current reactive demand, 0.1 var, signed */
} prepay_load_record_t;

/**
 * @brief Stitches the data of a load-record read and its follow-up frames (functions 91/B1, then 92/B2).
 *
 * Plain data; prepay_load_record_reply_init() prepares it.
 */
typedef struct prepay_load_record_reply {
    uint32_t magic;      /**< private: set by init */
    uint32_t di;         /**< the load-record DI of the first reply */
    uint8_t next_seq;    /**< SEQ the next follow-up reply must carry */
    bool started;        /**< the first reply has been added */
    bool complete;       /**< the last frame (no follow-up flag) has been added */
    size_t length;       /**< bytes held in `data` */
    uint8_t data[PREPAY_LOAD_RECORD_REPLY_MAX]; /**< the records' bytes, 0x33 removed, in frame order */
} prepay_load_record_reply_t;

PREPAY_BEGIN_DECLS

/**
 * @brief The DI of a load-record read: `06 cc 00 mode`.
 * @param record_class 0 (all classes) or 1..6.
 * @param mode earliest, from a time, or latest.
 * @param di out: the DI; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_LOADPROFILE_BAD_DI (class or mode out of range).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_di(unsigned record_class, prepay_load_record_mode_t mode, uint32_t *di);

/**
 * @brief Splits a load-record DI into class and mode.
 * @param di the DI.
 * @param record_class out: 0..6 (may be NULL).
 * @param mode out: the mode (may be NULL).
 * @return ::PREPAY_OK, or ::PREPAY_E_LOADPROFILE_BAD_DI; outputs untouched on error.
 *
 * **Errors:** ::PREPAY_E_LOADPROFILE_BAD_DI.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_parse_di(uint32_t di, unsigned *record_class, prepay_load_record_mode_t *mode);

/**
 * @brief Builds a load-record read request (C = 11) with the existing builders of dlt645.h.
 *
 * Earliest and latest: DI + N (prepay_dlt645_request_read_blocks()); from a
 * time: DI + N + `mm hh DD MM YY` (prepay_dlt645_request_read_records()).
 * @param out the frame.
 * @param address the meter.
 * @param record_class 0 (all classes) or 1..6.
 * @param mode earliest, from a time, or latest.
 * @param count N, records wanted (1..255).
 * @param start first record time for ::PREPAY_LOAD_RECORD_FROM_TIME (ignored otherwise).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, @p count 0);
 * ::PREPAY_E_LOADPROFILE_BAD_DI; ::PREPAY_E_OUT_OF_RANGE (@p start outside 2000..2099).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_request(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                          unsigned record_class, prepay_load_record_mode_t mode, uint8_t count,
                                          prepay_time_t start);

/**
 * @brief Empties a reply stitcher.
 * @param reply the stitcher.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_reply_init(prepay_load_record_reply_t *reply);

/**
 * @brief Appends one parsed read reply (prepay_dlt645_reply_read()) to the stitcher.
 *
 * The first reply must be a plain read reply (no SEQ) for a load-record
 * DI; each later one a follow-up reply for the same DI with SEQ 1, 2, ...
 * When a reply carries no follow-up flag the stitcher is complete; then
 * decode `data` with prepay_load_record_decode().
 * @param reply the stitcher.
 * @param frame_reply one parsed reply.
 * @return ::PREPAY_OK, or an error; the stitcher is unchanged on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, uninitialised);
 * ::PREPAY_E_LOADPROFILE_BAD_DI; ::PREPAY_E_LOADPROFILE_SEQUENCE;
 * ::PREPAY_E_BUFFER_TOO_SMALL (more than ::PREPAY_LOAD_RECORD_REPLY_MAX bytes).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_reply_add(prepay_load_record_reply_t *reply,
                                            const prepay_dlt645_read_reply_t *frame_reply);

/**
 * @brief Decodes the records of a load-record reply's data (after the DI, 0x33 removed).
 *
 * Checks each record completely (start, length byte, block layout for the
 * class asked, separators, checksum, end byte, BCD and time) and requires
 * increasing record times.
 * @param di the load-record DI that was read (its class says which blocks may appear).
 * @param data the records' bytes.
 * @param len bytes at @p data.
 * @param records output array.
 * @param records_cap capacity of @p records.
 * @param count out: records written.
 * @return ::PREPAY_OK, or an error. On error `*count` is 0 and the contents
 *         of @p records are unspecified.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_LOADPROFILE_BAD_DI;
 * ::PREPAY_E_LOADPROFILE_BAD_START; ::PREPAY_E_LOADPROFILE_TRUNCATED;
 * ::PREPAY_E_LOADPROFILE_BAD_LENGTH; ::PREPAY_E_LOADPROFILE_BAD_SEPARATOR;
 * ::PREPAY_E_LOADPROFILE_BAD_CHECKSUM; ::PREPAY_E_LOADPROFILE_BAD_BLOCK;
 * ::PREPAY_E_LOADPROFILE_BAD_VALUE; ::PREPAY_E_LOADPROFILE_TIME_ORDER;
 * ::PREPAY_E_BUFFER_TOO_SMALL (more records than @p records_cap).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_decode(uint32_t di, const uint8_t *data, size_t len, prepay_load_record_t *records,
                                         size_t records_cap, size_t *count);

/**
 * @brief Encodes one record in the standard layout (for tests, emulators and the reference meter).
 * @param record the record; its `classes` say which blocks are written (absent fields as `FF`).
 * @param out destination.
 * @param out_cap capacity of @p out.
 * @return the number of bytes written (16..103), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL, classes above bit 5);
 * ::PREPAY_E_BUFFER_TOO_SMALL; ::PREPAY_E_OUT_OF_RANGE (a value or time that its field cannot hold).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_load_record_encode(const prepay_load_record_t *record, uint8_t *out, size_t out_cap);

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_load_record_reply_init(...) PREPAY_CONFIG_GUARDED(prepay_load_record_reply_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_LOAD_RECORD_H */
