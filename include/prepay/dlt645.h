/* SPDX-License-Identifier: MIT */
/**
 * @file dlt645.h
 * @ingroup prepay_dlt645
 * @brief DL/T 645-2007 and -1997 frame codec, byte-stream parser, request builders and reply parsers.
 *
 * DL/T 645 is the protocol between a station (master) and electricity meters
 * over RS-485, infrared, or TCP through a transparent DTU. Every frame is
 *
 *     [FE ...] 68 A0 A1 A2 A3 A4 A5 68 C L DATA(L bytes, each +0x33) CS 16
 *
 * (DL/T 645-2007 clause 7.1, frame format; clause 7.3, transmission). This
 * header is the manual of the frame layer:
 *
 * - **Frame model and codec** (::prepay_dlt645_frame_t, prepay_dlt645_decode(),
 *   prepay_dlt645_encode()): both editions, every function code, normal,
 *   follow-up and abnormal replies. Decoded data has the 0x33 link offset
 *   removed; encoding adds it back.
 * - **Addresses**: 6 bytes in wire order (A0 first) with helpers to and from
 *   the 12-digit text printed on the meter (most significant digit first),
 *   broadcast (`999999999999`) and `AA` wildcard detection and matching.
 * - **Stream parser** (::prepay_dlt645_stream_t): bytes in arbitrary chunks
 *   in, whole frames out, resynchronising after garbage and false `68` starts.
 * - **Request builders** (`prepay_dlt645_request_*`) and **reply parsers**
 *   (`prepay_dlt645_reply_*`) for the 2007 functions, and 1997 read/write.
 *
 * Contracts kept by every function here (see docs/security.md):
 * - nothing is read or written outside the buffers and lengths given, for
 *   any input bytes; no allocation, no recursion, constant stack;
 * - on error nothing the caller owns is changed, except where a function
 *   says exactly what it changed;
 * - frames from the wire are untrusted: every length is checked before use;
 * - no global mutable state: every function is re-entrant; a stream parser
 *   state must not be used by two threads at once without a lock.
 *
 * The data-identifier catalogue and typed values (another part of this
 * module) build on this header. Status numbers 1..63 of module
 * ::PREPAY_MODULE_DLT645 belong to the frame layer (this header); 64..127 are
 * reserved for the catalogue and typed values.
 */
#ifndef PREPAY_DLT645_H
#define PREPAY_DLT645_H

/** @addtogroup prepay_dlt645
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

/* ======================================================================== */
/** @name Status codes of the frame layer (module ::PREPAY_MODULE_DLT645, numbers 1..63)
 *  @{ */
/* ======================================================================== */

/** @brief The input ends before the frame does (fewer bytes than `12 + L` after the preamble).
 *  prepay_strerror(): "DL/T 645: input ends inside the frame (truncated)" */
#define PREPAY_E_DLT645_TRUNCATED PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 1)
/** @brief After the `FE` preamble the first byte is not the start byte `68` (clause 7.1).
 *  prepay_strerror(): "DL/T 645: no start byte 68 where the frame should begin" */
#define PREPAY_E_DLT645_NO_START PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 2)
/** @brief The byte after the 6 address bytes is not the second start byte `68` (clause 7.1).
 *  prepay_strerror(): "DL/T 645: second start byte 68 missing after the address" */
#define PREPAY_E_DLT645_NO_SECOND_START PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 3)
/**
 * @brief The length byte L is above ::PREPAY_DLT645_MAX_DATA, or inconsistent
 *        with the control code (an abnormal reply whose L is not the size of
 *        its error field; a frame whose function starts its data with a data
 *        identifier, see prepay_dlt645_decode_edition(), shorter than the DI).
 *  prepay_strerror(): "DL/T 645: length byte too large or inconsistent with the control code" */
#define PREPAY_E_DLT645_BAD_LENGTH PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 4)
/** @brief The checksum byte CS is not the sum mod 256 of the bytes from the first `68` to the last data byte (clause 7.1).
 *  prepay_strerror(): "DL/T 645: checksum mismatch" */
#define PREPAY_E_DLT645_BAD_CHECKSUM PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 5)
/** @brief The byte after CS is not the end byte `16` (clause 7.1).
 *  prepay_strerror(): "DL/T 645: end byte 16 missing" */
#define PREPAY_E_DLT645_BAD_END PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 6)
/** @brief A request would need more data bytes than ::PREPAY_DLT645_MAX_DATA allows.
 *  prepay_strerror(): "DL/T 645: data field would exceed PREPAY_DLT645_MAX_DATA" */
#define PREPAY_E_DLT645_DATA_TOO_LONG PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 7)
/** @brief An address text is not 12 characters of BCD digit pairs or `AA` wildcard pairs.
 *  prepay_strerror(): "DL/T 645: invalid meter address" */
#define PREPAY_E_DLT645_BAD_ADDRESS PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 8)
/**
 * @brief The reply is an abnormal reply (C bit 6 set): the meter refused the
 *        request. The error byte (or security error word) is in
 *        prepay_dlt645_frame::error; see the `PREPAY_DLT645_ERROR_*` bits.
 *  prepay_strerror(): "DL/T 645: abnormal reply (the meter refused; see the error byte)" */
#define PREPAY_E_DLT645_ABNORMAL PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 9)
/** @brief The frame is not a reply to the request: a request frame, or a different function code.
 *  prepay_strerror(): "DL/T 645: frame is not a reply to this request" */
#define PREPAY_E_DLT645_UNEXPECTED_REPLY PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 10)
/** @brief A read reply carries a different data identifier than the one requested.
 *  prepay_strerror(): "DL/T 645: reply carries a different data identifier" */
#define PREPAY_E_DLT645_DI_MISMATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 11)
/** @brief The data of a reply has the wrong size or content for its function (e.g. a 93 reply that is not 6 bytes).
 *  prepay_strerror(): "DL/T 645: reply data has the wrong size or content" */
#define PREPAY_E_DLT645_BAD_REPLY PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 12)
/** @brief A baud rate that DL/T 645-2007 cannot set by function 17 (only 2400, 4800, 9600, 19200), or an invalid feature word.
 *  prepay_strerror(): "DL/T 645: unsupported baud rate or feature word" */
#define PREPAY_E_DLT645_BAD_BAUD PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 13)
/** @brief A relay-control command byte N1 that is not one of the `PREPAY_DLT645_RELAY_*` values.
 *  prepay_strerror(): "DL/T 645: unknown relay control command" */
#define PREPAY_E_DLT645_BAD_RELAY_COMMAND PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 14)
/** @brief The reply comes from a meter the request was not addressed to.
 *  prepay_strerror(): "DL/T 645: reply from a meter that was not addressed" */
#define PREPAY_E_DLT645_ADDRESS_MISMATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 15)
/** @brief A password level outside 0..9 (DI 04000C01..04000C0A).
 *  prepay_strerror(): "DL/T 645: password level outside 0..9" */
#define PREPAY_E_DLT645_BAD_PASSWORD_LEVEL PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 16)
/** @brief A freeze time field outside its range and not the wildcard 99.
 *  prepay_strerror(): "DL/T 645: freeze time field out of range" */
#define PREPAY_E_DLT645_BAD_FREEZE_TIME PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 17)
/**
 * @brief A function code of the other edition where the edition is explicit:
 *        11..1C with ::PREPAY_DLT645_EDITION_1997, or 01 02 04 0A 0C 0F with
 *        ::PREPAY_DLT645_EDITION_2007.
 *  prepay_strerror(): "DL/T 645: function code not valid for this edition" */
#define PREPAY_E_DLT645_BAD_FUNCTION PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 18)
/** @brief The request frame given to a reply parser is not a request of the function the parser handles.
 *  prepay_strerror(): "DL/T 645: request frame not of the function this parser handles" */
#define PREPAY_E_DLT645_BAD_REQUEST PREPAY_STATUS_MAKE(PREPAY_MODULE_DLT645, 19)
/** @} */

/* ======================================================================== */
/** @name Frame format constants (DL/T 645-2007 clause 7.1)
 *  @{ */
/* ======================================================================== */

/** @brief Start byte, sent twice: before and after the address (clause 7.1). */
#define PREPAY_DLT645_START 0x68u
/** @brief End byte, the last byte of every frame (clause 7.1). */
#define PREPAY_DLT645_END 0x16u
/** @brief Wake-up (preamble) byte sent before a frame (clause 7.3: up to four `FE`; any number is accepted). */
#define PREPAY_DLT645_PREAMBLE_BYTE 0xFEu
/** @brief Offset added to every data byte on transmission and removed on reception (clause 7.1, data field). */
#define PREPAY_DLT645_DATA_OFFSET 0x33u
/** @brief Bytes of the address field A0..A5 (clause 7.1.2). */
#define PREPAY_DLT645_ADDRESS_SIZE 6u
/** @brief Bytes before the data field: `68 A0..A5 68 C L`. */
#define PREPAY_DLT645_HEADER_SIZE 10u
/** @brief Bytes of a frame besides preamble and data: header, CS and `16`. */
#define PREPAY_DLT645_OVERHEAD 12u
/** @brief Most preamble bytes a station sends (clause 7.3) and the builders' and stream parser's bound. */
#define PREPAY_DLT645_MAX_PREAMBLE 4u
/**
 * @brief Encoded size of a frame with @p preamble `FE` bytes and @p data_len data bytes.
 * @param preamble number of `FE` bytes.
 * @param data_len the L byte.
 */
#define PREPAY_DLT645_FRAME_SIZE(preamble, data_len) ((size_t)(preamble) + PREPAY_DLT645_OVERHEAD + (size_t)(data_len))
/** @brief Largest frame this build encodes or decodes with at most ::PREPAY_DLT645_MAX_PREAMBLE `FE` bytes. */
#define PREPAY_DLT645_FRAME_MAX PREPAY_DLT645_FRAME_SIZE(PREPAY_DLT645_MAX_PREAMBLE, PREPAY_DLT645_MAX_DATA)
/** @brief Largest frame without preamble (what the decoder must see after the `FE` bytes). */
#define PREPAY_DLT645_FRAME_MAX_NO_PREAMBLE PREPAY_DLT645_FRAME_SIZE(0, PREPAY_DLT645_MAX_DATA)
/** @brief Bytes of a 2007 data identifier DI0..DI3 (clause 7.1.4; appendix A). */
#define PREPAY_DLT645_DI_SIZE_2007 4u
/** @brief Bytes of a 1997 data identifier DI0 DI1. */
#define PREPAY_DLT645_DI_SIZE_1997 2u
/** @brief Address byte value meaning "any" (short and wildcard addressing, clause 7.1.2). */
#define PREPAY_DLT645_ADDRESS_WILDCARD_BYTE 0xAAu
/** @brief Address byte value of the broadcast address `999999999999` (clause 7.1.2). */
#define PREPAY_DLT645_ADDRESS_BROADCAST_BYTE 0x99u
/** @} */

/* ======================================================================== */
/** @name Control code C (DL/T 645-2007 clause 7.1.3)
 *  @{ */
/* ======================================================================== */

/** @brief C bit 7, transfer direction: 0 = station request, 1 = meter reply. */
#define PREPAY_DLT645_CONTROL_REPLY 0x80u
/** @brief C bit 6, on a reply: 1 = abnormal reply (the data is an error byte). */
#define PREPAY_DLT645_CONTROL_ABNORMAL 0x40u
/** @brief C bit 5, on a reply: 1 = follow-up frames exist. */
#define PREPAY_DLT645_CONTROL_FOLLOW_UP 0x20u
/** @brief C bits 4..0: the function code. */
#define PREPAY_DLT645_CONTROL_FUNCTION_MASK 0x1Fu

/** @brief 2007 function 03: security-authenticated (ESAM) command; abnormal reply has a 2-byte error word. */
#define PREPAY_DLT645_FN_SECURITY 0x03u
/** @brief Function 08: broadcast time synchronisation (both editions; no reply). */
#define PREPAY_DLT645_FN_BROADCAST_TIME 0x08u
/** @brief 2007 function 11: read data. */
#define PREPAY_DLT645_FN_READ 0x11u
/** @brief 2007 function 12: read follow-up data. */
#define PREPAY_DLT645_FN_READ_FOLLOW_UP 0x12u
/** @brief 2007 function 13: read communication address. */
#define PREPAY_DLT645_FN_READ_ADDRESS 0x13u
/** @brief 2007 function 14: write data. */
#define PREPAY_DLT645_FN_WRITE 0x14u
/** @brief 2007 function 15: write communication address. */
#define PREPAY_DLT645_FN_WRITE_ADDRESS 0x15u
/** @brief 2007 function 16: freeze command. */
#define PREPAY_DLT645_FN_FREEZE 0x16u
/** @brief 2007 function 17: change communication rate. */
#define PREPAY_DLT645_FN_CHANGE_BAUD 0x17u
/** @brief 2007 function 18: change password. */
#define PREPAY_DLT645_FN_CHANGE_PASSWORD 0x18u
/** @brief 2007 function 19: clear maximum demand. */
#define PREPAY_DLT645_FN_CLEAR_DEMAND 0x19u
/** @brief 2007 function 1A: clear meter (energy, demand, events). */
#define PREPAY_DLT645_FN_CLEAR_METER 0x1Au
/** @brief 2007 function 1B: clear events. */
#define PREPAY_DLT645_FN_CLEAR_EVENTS 0x1Bu
/** @brief 2007 function 1C: relay (trip/close) control, State Grid extension. */
#define PREPAY_DLT645_FN_RELAY_CONTROL 0x1Cu

/** @brief 1997 function 01: read data. */
#define PREPAY_DLT645_1997_FN_READ 0x01u
/** @brief 1997 function 02: read follow-up data. */
#define PREPAY_DLT645_1997_FN_READ_FOLLOW_UP 0x02u
/** @brief 1997 function 04: write data. */
#define PREPAY_DLT645_1997_FN_WRITE 0x04u
/** @brief 1997 function 08: broadcast time (same code as 2007). */
#define PREPAY_DLT645_1997_FN_BROADCAST_TIME 0x08u
/** @brief 1997 function 0A: write address. */
#define PREPAY_DLT645_1997_FN_WRITE_ADDRESS 0x0Au
/** @brief 1997 function 0C: change communication rate. */
#define PREPAY_DLT645_1997_FN_CHANGE_BAUD 0x0Cu
/** @brief 1997 function 0F: change password. */
#define PREPAY_DLT645_1997_FN_CHANGE_PASSWORD 0x0Fu
/** @} */

/* ======================================================================== */
/** @name Abnormal-reply error byte bits (DL/T 645-2007 clause 7.1.3 / error-word table)
 *  @{ */
/* ======================================================================== */

/** @brief Error bit 0: other error. */
#define PREPAY_DLT645_ERROR_OTHER 0x01u
/** @brief Error bit 1: no requested data. */
#define PREPAY_DLT645_ERROR_NO_DATA 0x02u
/** @brief Error bit 2: password wrong or unauthorised. */
#define PREPAY_DLT645_ERROR_UNAUTHORISED 0x04u
/** @brief Error bit 3: communication rate cannot be changed. */
#define PREPAY_DLT645_ERROR_BAUD 0x08u
/** @brief Error bit 4: year time zones exceed the limit. */
#define PREPAY_DLT645_ERROR_YEAR_ZONES 0x10u
/** @brief Error bit 5: day time slots exceed the limit. */
#define PREPAY_DLT645_ERROR_DAY_SLOTS 0x20u
/** @brief Error bit 6: tariffs exceed the limit. */
#define PREPAY_DLT645_ERROR_TARIFFS 0x40u
/** @} */

/* ======================================================================== */
/** @name Baud feature word Z of function 17 (DL/T 645-2007 clause on communication rate)
 *  @{ */
/* ======================================================================== */

/** @brief Feature word bit 3: 2400 bit/s. */
#define PREPAY_DLT645_BAUD_2400 0x08u
/** @brief Feature word bit 4: 4800 bit/s. */
#define PREPAY_DLT645_BAUD_4800 0x10u
/** @brief Feature word bit 5: 9600 bit/s. */
#define PREPAY_DLT645_BAUD_9600 0x20u
/** @brief Feature word bit 6: 19200 bit/s. */
#define PREPAY_DLT645_BAUD_19200 0x40u
/** @} */

/* ======================================================================== */
/** @name Relay control command N1 of function 1C (State Grid extension to DL/T 645-2007)
 *  @{ */
/* ======================================================================== */

/** @brief N1 = 1A: trip (open the relay). */
#define PREPAY_DLT645_RELAY_TRIP 0x1Au
/** @brief N1 = 1B: close allowed (the customer closes with the button). */
#define PREPAY_DLT645_RELAY_CLOSE_ALLOWED 0x1Bu
/** @brief N1 = 1C: direct close. */
#define PREPAY_DLT645_RELAY_DIRECT_CLOSE 0x1Cu
/** @brief N1 = 2A: alarm. */
#define PREPAY_DLT645_RELAY_ALARM 0x2Au
/** @brief N1 = 2B: alarm release. */
#define PREPAY_DLT645_RELAY_ALARM_RELEASE 0x2Bu
/** @brief N1 = 3A: keep power (blocks trip). */
#define PREPAY_DLT645_RELAY_KEEP_POWER 0x3Au
/** @brief N1 = 3B: keep-power release. */
#define PREPAY_DLT645_RELAY_KEEP_POWER_RELEASE 0x3Bu
/**
 * @brief A relay command's valid-until time when the field is all zero (no time given).
 *
 * The builder writes six `00` bytes for it and the parser returns it for six
 * `00` bytes. Whether a meter obeys a command without a valid-until time is
 * the meter's policy (the reference meter refuses it: docs/meter.md).
 */
#define PREPAY_DLT645_RELAY_NO_TIME INT64_MAX
/** @} */

/* ======================================================================== */
/** @name Password levels PA (DL/T 645-2007 clause on write data; security)
 *  @{ */
/* ======================================================================== */

/** @brief PA = 02: plaintext password, level 2. */
#define PREPAY_DLT645_PASSWORD_LEVEL_2 0x02u
/** @brief PA = 04: plaintext password, level 4 (may also need the programming key). */
#define PREPAY_DLT645_PASSWORD_LEVEL_4 0x04u
/** @brief PA = 98: ciphertext with MAC (ESAM). */
#define PREPAY_DLT645_PASSWORD_LEVEL_CIPHER 0x98u
/** @brief PA = 99: plaintext with MAC (ESAM). */
#define PREPAY_DLT645_PASSWORD_LEVEL_PLAIN_MAC 0x99u
/** @brief DI of "change password" for level 0 (04000C01); level n is 04000C01 + n, n = 0..9. */
#define PREPAY_DLT645_DI_PASSWORD_LEVEL0 0x04000C01u
/** @brief Event DI of function 1B meaning "all events". */
#define PREPAY_DLT645_DI_ALL_EVENTS 0xFFFFFFFFu
/** @} */

/* ======================================================================== */
/* Types                                                                     */
/* ======================================================================== */

/** @brief Protocol edition of a frame. */
typedef enum prepay_dlt645_edition {
    /** Decoding only: choose from the function code (01 02 04 0A 0C 0F are 1997, the rest 2007). */
    PREPAY_DLT645_EDITION_AUTO = 0,
    /** DL/T 645-1997: 2-byte data identifiers, 1997 function codes. */
    PREPAY_DLT645_EDITION_1997 = 1997,
    /** DL/T 645-2007: 4-byte data identifiers, 2007 function codes. */
    PREPAY_DLT645_EDITION_2007 = 2007
} prepay_dlt645_edition_t;

/**
 * @brief A meter address: 6 BCD bytes in wire order, A0 (least significant) first.
 *
 * The 12-digit text printed on the meter is A5..A0. `AA` bytes are wildcards
 * (clause 7.1.2); all `99` is broadcast.
 */
typedef struct prepay_dlt645_address {
    uint8_t bytes[PREPAY_DLT645_ADDRESS_SIZE]; /**< A0..A5 as sent on the wire */
} prepay_dlt645_address_t;

/**
 * @brief One frame, decoded (or ready to encode).
 *
 * prepay_dlt645_decode() fills every member. prepay_dlt645_encode() uses only
 * `preamble`, `address`, `control`, `length` and `data`; the
 * other members are derived from them (prepay_dlt645_frame_init() fills them
 * the same way the decoder does).
 */
typedef struct prepay_dlt645_frame {
    prepay_dlt645_address_t address; /**< A0..A5, wire order */
    uint8_t control;                 /**< the control byte C as sent */
    uint8_t function;                /**< C & 0x1F */
    bool is_reply;                   /**< direction: C bit 7 (false = request from the station) */
    bool abnormal;                   /**< a reply with C bit 6 set (error field in `error`) */
    bool follow_up;                  /**< a reply with C bit 5 set (more frames follow) */
    uint8_t preamble;                /**< number of `FE` bytes before the frame (decode: counted, saturating at 255) */
    uint16_t edition;                /**< ::PREPAY_DLT645_EDITION_1997 or ::PREPAY_DLT645_EDITION_2007 */
    uint8_t length;                  /**< L, the number of data bytes */
    uint8_t di_size;                 /**< 0 (no DI), 2 (1997) or 4 (2007): bytes of `data` holding the DI */
    uint32_t di;                     /**< DI3 DI2 DI1 DI0 (2007; e.g. 0x0001FF00) or DI1 DI0 (1997; e.g. 0x9010); 0 if none */
    bool has_error;                  /**< true for abnormal replies */
    uint16_t error;                  /**< error byte, or for function 03 the 2-byte security error word (low byte first on the wire); 0 if none */
    uint8_t data[PREPAY_DLT645_MAX_DATA > 0 ? PREPAY_DLT645_MAX_DATA : 1]; /**< data with 0x33 removed; `length` bytes valid */
} prepay_dlt645_frame_t;

/**
 * @brief Password and operator code sent with writes, clears and relay control (2007).
 *
 * Bytes are kept as sent (before +0x33): no interpretation, no validation.
 */
typedef struct prepay_dlt645_credentials {
    uint8_t level;            /**< PA, the password level (e.g. ::PREPAY_DLT645_PASSWORD_LEVEL_2) */
    uint8_t password[3];      /**< P0 P1 P2 in wire order */
    uint8_t operator_code[4]; /**< C0..C3 in wire order (ignored by 1997 builders) */
} prepay_dlt645_credentials_t;

/**
 * @brief The useful part of a read reply (functions 91/B1/92/B2, 1997 81/A1/82/A2).
 *
 * `value` points into the reply frame's data and lives as long as it.
 */
typedef struct prepay_dlt645_read_reply {
    uint32_t di;           /**< the data identifier of the reply */
    const uint8_t *value;  /**< data after the DI (and before SEQ), 0x33 removed */
    size_t value_len;      /**< bytes at `value` */
    bool follow_up;        /**< the meter has more frames (read them with function 12 / 02) */
    bool has_seq;          /**< the reply is a follow-up reply (92/B2) carrying a frame sequence number */
    uint8_t seq;           /**< SEQ of a follow-up reply */
} prepay_dlt645_read_reply_t;

/**
 * @brief The parsed data of a 1C relay-control request (meter side).
 */
typedef struct prepay_dlt645_relay_request {
    prepay_dlt645_credentials_t credentials; /**< PA, password, operator code */
    uint8_t command;                         /**< N1, one of `PREPAY_DLT645_RELAY_*` */
    uint8_t reserved;                        /**< N2 (reserved) */
    prepay_time_t valid_until;               /**< the command is void after this time; ::PREPAY_DLT645_RELAY_NO_TIME if the field is all zero */
} prepay_dlt645_relay_request_t;

/**
 * @brief The parsed data of a 14 write request (meter side).
 *
 * `value` points into the request frame's data.
 */
typedef struct prepay_dlt645_write_request {
    uint32_t di;                             /**< data identifier */
    prepay_dlt645_credentials_t credentials; /**< PA, password, operator code */
    const uint8_t *value;                    /**< the data to write, 0x33 removed */
    size_t value_len;                        /**< bytes at `value` */
} prepay_dlt645_write_request_t;

/* ======================================================================== */
/** @name Stream parser state (see prepay_dlt645_stream_init())
 *  @{ */
/* ======================================================================== */

/**
 * @brief Caller-owned state of the byte-stream parser; size fixed at compile time.
 *
 * Members are private: use the `prepay_dlt645_stream_*` functions. The buffer
 * holds ::PREPAY_DLT645_STREAM_BUFFER bytes (config_default.h).
 */
typedef struct prepay_dlt645_stream {
    uint32_t magic;          /**< private: set by init */
    uint16_t edition;        /**< private: edition hint for decoding */
    size_t head;             /**< private: index of the first held byte in `buffer` */
    size_t used;             /**< private: end of the held bytes in `buffer` */
    uint64_t bytes_in;       /**< private: bytes accepted by feed */
    uint64_t bytes_dropped;  /**< private: bytes discarded as garbage */
    uint64_t bytes_framed;   /**< private: bytes of yielded frames (preamble included) */
    uint64_t frames;         /**< private: frames yielded */
    uint8_t buffer[PREPAY_DLT645_STREAM_BUFFER]; /**< private: pending bytes */
} prepay_dlt645_stream_t;

/** @brief Counters of a stream parser; `bytes_in == bytes_dropped + bytes_framed + bytes_pending` always. */
typedef struct prepay_dlt645_stream_stats {
    uint64_t bytes_in;      /**< bytes accepted by prepay_dlt645_stream_feed() */
    uint64_t bytes_dropped; /**< bytes discarded: garbage, false starts, bad frames, flushed bytes */
    uint64_t bytes_framed;  /**< bytes of the frames yielded, their `FE` preamble included */
    uint64_t bytes_pending; /**< bytes held, waiting for the rest of a frame */
    uint64_t frames;        /**< frames yielded */
} prepay_dlt645_stream_stats_t;
/** @} */

PREPAY_BEGIN_DECLS

/* ======================================================================== */
/** @name Addresses
 *  @{ */
/* ======================================================================== */

/**
 * @brief Parses the 12-character address text (most significant digit first) into wire order.
 * @param text characters, not necessarily NUL-terminated: 6 pairs, each two decimal digits or `AA` (any case).
 * @param text_len must be 12.
 * @param out the address; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * `"000000193600"` gives bytes `00 36 19 00 00 00`.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_ADDRESS if @p text_len is not 12 or a pair is neither BCD nor `AA`.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_address_from_string(const char *text, size_t text_len, prepay_dlt645_address_t *out);

/**
 * @brief Formats an address as 12 uppercase hexadecimal characters, most significant byte first, plus NUL.
 * @param address the address.
 * @param out 13 bytes; receives the text (any byte is printed in hex, so non-BCD bytes stay visible).
 * @param out_cap capacity of @p out; at least 13.
 * @return 12 (the text length), or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap < 13.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_address_to_string(const prepay_dlt645_address_t *address, char *out, size_t out_cap);

/**
 * @brief The broadcast address `999999999999`.
 * @return the address.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_dlt645_address_t prepay_dlt645_address_broadcast(void);

/**
 * @brief The all-wildcard address `AAAAAAAAAAAA` (read address, write address).
 * @return the address.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_dlt645_address_t prepay_dlt645_address_wildcard(void);

/**
 * @brief Whether @p address is the broadcast address `999999999999`.
 * @param address the address; NULL gives false.
 * @return true for broadcast.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_dlt645_address_is_broadcast(const prepay_dlt645_address_t *address);

/**
 * @brief Whether @p address contains at least one `AA` wildcard byte.
 * @param address the address; NULL gives false.
 * @return true if any byte is `AA`.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_dlt645_address_is_wildcard(const prepay_dlt645_address_t *address);

/**
 * @brief Whether a frame sent to @p target reaches the meter whose address is @p meter.
 *
 * True if @p target is broadcast, or if every byte of @p target equals the
 * meter's byte or is the wildcard `AA` (so all-`AA` matches every meter).
 * @param target the address in the frame.
 * @param meter the meter's own address.
 * @return true if the meter is addressed; false if not or a pointer is NULL.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_dlt645_address_matches(const prepay_dlt645_address_t *target,
                                              const prepay_dlt645_address_t *meter);
/** @} */

/* ======================================================================== */
/** @name Frame codec
 *  @{ */
/* ======================================================================== */

/**
 * @brief Builds a control byte.
 * @param function function code (only bits 4..0 are used).
 * @param is_reply direction bit 7.
 * @param abnormal bit 6.
 * @param follow_up bit 5.
 * @return the control byte.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint8_t prepay_dlt645_control(uint8_t function, bool is_reply, bool abnormal, bool follow_up);

/**
 * @brief Checksum of a byte range: sum mod 256 (clause 7.1, CS).
 * @param bytes the bytes (from the first `68` to the last data byte, as sent); may be NULL if @p len is 0.
 * @param len number of bytes.
 * @return the sum mod 256.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint8_t prepay_dlt645_checksum(const uint8_t *bytes, size_t len);

/**
 * @brief Fills a frame from its parts, deriving every other member exactly as the decoder does.
 * @param frame the frame to fill; untouched on error.
 * @param edition ::PREPAY_DLT645_EDITION_2007, ::PREPAY_DLT645_EDITION_1997 or AUTO (chosen from the function code).
 * @param address the address.
 * @param control the control byte C.
 * @param data the data bytes before +0x33; may be NULL if @p data_len is 0.
 * @param data_len 0..::PREPAY_DLT645_MAX_DATA.
 * @return ::PREPAY_OK, or an error. The preamble is set to 0.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or an unknown edition;
 * ::PREPAY_E_DLT645_DATA_TOO_LONG if @p data_len > ::PREPAY_DLT645_MAX_DATA;
 * ::PREPAY_E_DLT645_BAD_FUNCTION if the function code belongs to the other
 * edition; ::PREPAY_E_DLT645_BAD_LENGTH if @p data_len is inconsistent with
 * @p control (the same rules as prepay_dlt645_decode_edition()).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_frame_init(prepay_dlt645_frame_t *frame, prepay_dlt645_edition_t edition,
                                        const prepay_dlt645_address_t *address, uint8_t control,
                                        const uint8_t *data, size_t data_len);

/**
 * @brief Decodes one frame at the start of @p in (edition chosen from the function code).
 *
 * Same as prepay_dlt645_decode_edition() with ::PREPAY_DLT645_EDITION_AUTO.
 * @param in the bytes: any number of `FE`, then the frame; bytes after the frame are ignored.
 * @param in_len bytes available at @p in.
 * @param out the frame; untouched on error.
 * @return the number of bytes the frame occupies (preamble included, > 0), or an error.
 *
 * **Errors:** as prepay_dlt645_decode_edition().
 *
 * @par Example
 * Decoding a reply and its value (prepay_dlt645_value_decode(), dlt645_data.h):
 * @code
 * // A meter's reply to "read forward active energy, total" (DI 00010000).
 * const uint8_t wire[] = {0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08,
 *                         0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16};
 * prepay_dlt645_frame_t frame;
 * int used = prepay_dlt645_decode(wire, sizeof wire, &frame);  // bytes used, or an error
 * if (used < 0 || !frame.is_reply || frame.abnormal) {
 *     return used < 0 ? used : -1;
 * }
 * prepay_dlt645_value_t value;
 * int status = prepay_dlt645_value_decode(frame.di, frame.data + frame.di_size,
 *                                         (size_t)(frame.length - frame.di_size), &value);
 * // frame.di == 0x00010000; value.number == 26 with value.decimals == 2
 * // (0.26 kWh), value.quantity == 260 (Wh, the library unit)
 * @endcode
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_decode(const uint8_t *in, size_t in_len, prepay_dlt645_frame_t *out);

/**
 * @brief Decodes one frame at the start of @p in.
 *
 * Skips any number of `FE`, then checks, in this order: the start byte, the
 * second `68` (as soon as 8 bytes are present), L against
 * ::PREPAY_DLT645_MAX_DATA, that the whole frame is present, CS, the end
 * byte, the function code against an explicit edition, and L against the
 * control code. Reads at most the frame's bytes,
 * never beyond @p in_len; writes only @p out. Hostile input is expected.
 *
 * The DI is exposed (prepay_dlt645_frame::di_size > 0) for requests and
 * normal replies of read (11, 12; 1997 01, 02) and security (03) functions,
 * and requests of write (14; 1997 04) and change password (18).
 * @param in the bytes.
 * @param in_len bytes available at @p in.
 * @param edition the edition, or ::PREPAY_DLT645_EDITION_AUTO.
 * @param out the frame; untouched on error.
 * @return the number of bytes consumed (preamble included, > 0), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers, an unknown
 * edition, or a frame ending more than INT_MAX bytes into @p in;
 * ::PREPAY_E_DLT645_NO_START (first byte after the `FE` run is not `68`);
 * ::PREPAY_E_DLT645_TRUNCATED (input ends inside the frame, or is all `FE` / empty);
 * ::PREPAY_E_DLT645_NO_SECOND_START; ::PREPAY_E_DLT645_BAD_LENGTH;
 * ::PREPAY_E_DLT645_BAD_CHECKSUM; ::PREPAY_E_DLT645_BAD_END;
 * ::PREPAY_E_DLT645_BAD_FUNCTION (explicit @p edition, function code of the
 * other edition: 11..1C for 1997, 01 02 04 0A 0C 0F for 2007).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_decode_edition(const uint8_t *in, size_t in_len, prepay_dlt645_edition_t edition,
                                            prepay_dlt645_frame_t *out);

/**
 * @brief Checks the frame at the start of @p in without decoding it: the frame layer's
 *        validity test alone (preamble, both `68`, L, CS, `16`, L against C).
 *
 * Returns exactly what prepay_dlt645_decode() returns for the same bytes (the
 * frame's size or the same error), but writes nothing and copies no data, so
 * it is the cheapest way to tell whether, and where, a whole valid frame lies
 * at the start of a buffer.
 * @param in the bytes: any number of `FE`, then the frame; bytes after the frame are ignored.
 * @param in_len bytes available at @p in.
 * @return the number of bytes the frame occupies (preamble included, > 0), or an error.
 *
 * **Errors:** as prepay_dlt645_decode().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_check(const uint8_t *in, size_t in_len);

/**
 * @brief Size prepay_dlt645_encode() needs for @p frame.
 * @param frame the frame.
 * @return `preamble + 12 + length`, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p frame is NULL;
 * ::PREPAY_E_DLT645_DATA_TOO_LONG if its length exceeds ::PREPAY_DLT645_MAX_DATA.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_encoded_size(const prepay_dlt645_frame_t *frame);

/**
 * @brief Encodes a frame: `preamble` × `FE`, `68`, address, `68`, C, L, data + 0x33, CS, `16`.
 * @param frame the frame (uses preamble, address, control, length, data).
 * @param out destination.
 * @param out_cap capacity of @p out; nothing is written beyond it.
 * @return the number of bytes written, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_DATA_TOO_LONG if the length exceeds ::PREPAY_DLT645_MAX_DATA;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap is less than prepay_dlt645_encoded_size().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_encode(const prepay_dlt645_frame_t *frame, uint8_t *out, size_t out_cap);
/** @} */

/* ======================================================================== */
/** @name Stream parser
 *  @{ */
/* ======================================================================== */

/**
 * @brief Initialises (or resets) a stream parser; counters start at 0.
 * @param stream the caller-owned state.
 * @param edition edition hint used to decode frames (usually AUTO).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p stream is NULL or the edition is unknown.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_stream_init(prepay_dlt645_stream_t *stream, prepay_dlt645_edition_t edition);

/**
 * @brief Gives bytes to the parser; takes as many as fit.
 *
 * Bytes can arrive in any chunks (1 byte or many kilobytes). Call
 * prepay_dlt645_stream_next() until it returns 0, then feed the rest:
 * after next() has returned 0 there is always room for at least one byte.
 * @param stream the state.
 * @param in bytes; may be NULL if @p in_len is 0.
 * @param in_len number of bytes.
 * @return the number of bytes taken (0..@p in_len; capped at INT_MAX), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_stream_feed(prepay_dlt645_stream_t *stream, const uint8_t *in, size_t in_len);

/**
 * @brief Takes the next whole frame out of the parser, in arrival order.
 *
 * Bytes that cannot start a frame are dropped. A candidate starting at a
 * `68` that fails (no second `68`, bad L, checksum, end byte) loses only its
 * first byte and the rest is rescanned, so a good frame right after a false
 * start is found. A candidate still incomplete is abandoned as soon as a
 * complete, valid frame starts after it in the held bytes (a false `68`
 * followed by a huge L cannot hide the next good frame). At most
 * ::PREPAY_DLT645_MAX_PREAMBLE `FE` bytes are kept as a frame's preamble;
 * more are dropped.
 * @param stream the state.
 * @param out the frame; written only when 1 is returned.
 * @return 1 if a frame was stored in @p out, 0 if more bytes are needed, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_stream_next(prepay_dlt645_stream_t *stream, prepay_dlt645_frame_t *out);

/**
 * @brief A whole frame the stream parser refused although its framing is sound.
 *
 * Both `68`, L, CS and the end byte `16` are good, but L contradicts the
 * control code (an abnormal reply whose data is not its error field, a read
 * reply shorter than its DI, ...) or the function belongs to the other
 * edition. A station uses it to report a malformed reply from the meter it
 * asked at once, instead of waiting for a reply that will not come.
 */
typedef struct prepay_dlt645_rejected {
    int reason;                      /**< ::PREPAY_E_DLT645_BAD_LENGTH or ::PREPAY_E_DLT645_BAD_FUNCTION */
    prepay_dlt645_address_t address; /**< A0..A5 of the frame */
    uint8_t control;                 /**< its control byte C */
    uint8_t length;                  /**< its L */
} prepay_dlt645_rejected_t;

/**
 * @brief prepay_dlt645_stream_next() that also reports refused whole frames.
 *
 * Frames come out exactly as from prepay_dlt645_stream_next(). When a
 * candidate's framing is sound (both `68`, L, CS, `16`) but prepay_dlt645_decode()
 * refuses it (::PREPAY_E_DLT645_BAD_LENGTH from the rule relating L to C,
 * or ::PREPAY_E_DLT645_BAD_FUNCTION), its bytes are dropped whole and it is
 * described in @p rejected. Candidates whose framing fails are dropped as
 * by prepay_dlt645_stream_next(), silently.
 * @param stream the state.
 * @param out the frame; written only when 1 is returned.
 * @param rejected the refused frame; written only when 2 is returned.
 * @return 1 if a frame was stored in @p out, 2 if a refused frame was described in
 *         @p rejected, 0 if more bytes are needed, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_stream_next_checked(prepay_dlt645_stream_t *stream, prepay_dlt645_frame_t *out,
                                                 prepay_dlt645_rejected_t *rejected);

/**
 * @brief Drops every held byte (call it after an inter-byte timeout, clause 7.3: > 500 ms).
 * @param stream the state.
 * @return the number of bytes dropped (counted in bytes_dropped), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p stream is NULL;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_stream_flush(prepay_dlt645_stream_t *stream);

/**
 * @brief Reads the counters of a stream parser.
 * @param stream the state.
 * @param out the counters.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_stream_stats(const prepay_dlt645_stream_t *stream, prepay_dlt645_stream_stats_t *out);
/** @} */

/* ======================================================================== */
/** @name Request builders (station side)
 *
 * Each fills @p out (a frame with preamble 0; set prepay_dlt645_frame::preamble
 * to send `FE` bytes) ready for prepay_dlt645_encode(). DIs are given as
 * numbers DI3..DI0 (e.g. 0x0001FF00) and sent DI0 first. On error @p out is
 * untouched.
 *  @{ */
/* ======================================================================== */

/**
 * @brief 2007 read data (C = 11): DI.
 * @param out the frame.
 * @param address the meter (may contain `AA` wildcards).
 * @param di the data identifier.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_read(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                          uint32_t di);

/**
 * @brief 2007 read data (C = 11) of @p blocks blocks: DI + N.
 * @param out the frame.
 * @param address the meter.
 * @param di the data identifier (e.g. a load-record DI 06xxxxxx).
 * @param blocks N, the number of blocks, sent as one binary byte (1..255), as
 *        public implementations send it (the standard's table writes it `NN`).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or @p blocks = 0.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_read_blocks(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                 uint32_t di, uint8_t blocks);

/**
 * @brief 2007 read load records (C = 11) from a start time: DI + N + mm hh DD MM YY.
 * @param out the frame.
 * @param address the meter.
 * @param di the load-record DI (06xxxxxx).
 * @param blocks N, number of records (1..255, one binary byte).
 * @param start the time of the first record (seconds dropped), 2000..2099.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or @p blocks = 0;
 * ::PREPAY_E_OUT_OF_RANGE if @p start is outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_read_records(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                  uint32_t di, uint8_t blocks, prepay_time_t start);

/**
 * @brief 2007 read follow-up data (C = 12): DI + SEQ.
 * @param out the frame.
 * @param address the meter.
 * @param di the data identifier of the first read.
 * @param seq the frame sequence number (1 for the first follow-up).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_read_follow_up(prepay_dlt645_frame_t *out,
                                                    const prepay_dlt645_address_t *address, uint32_t di,
                                                    uint8_t seq);

/**
 * @brief 2007 read communication address (C = 13) to the all-`AA` address, no data.
 * @param out the frame.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_read_address(prepay_dlt645_frame_t *out);

/**
 * @brief 2007 write data (C = 14): DI + PA P0 P1 P2 + C0..C3 + data.
 * @param out the frame.
 * @param address the meter.
 * @param di the data identifier.
 * @param credentials password level, password and operator code.
 * @param value the data (before +0x33); may be NULL if @p value_len is 0.
 * @param value_len bytes of data; 12 + @p value_len must not exceed ::PREPAY_DLT645_MAX_DATA.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_DATA_TOO_LONG.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_write(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                           uint32_t di, const prepay_dlt645_credentials_t *credentials,
                                           const uint8_t *value, size_t value_len);

/**
 * @brief 2007 write communication address (C = 15): the new address as data.
 * @param out the frame.
 * @param target where to send it (normally prepay_dlt645_address_wildcard(); the meter needs its programming key pressed).
 * @param new_address the new address; must be 12 BCD digits (no `AA`, not broadcast).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_ADDRESS if @p new_address is not BCD or is broadcast.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_write_address(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *target,
                                                   const prepay_dlt645_address_t *new_address);

/**
 * @brief Broadcast time synchronisation (C = 08) to `999999999999`: ss mm hh DD MM YY.
 * @param out the frame.
 * @param now the time to set, 2000..2099 (via prepay_time_to_dlt645_datetime()).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OUT_OF_RANGE if the year is outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_broadcast_time(prepay_dlt645_frame_t *out, prepay_time_t now);

/**
 * @brief 2007 freeze (C = 16): mm hh DD MM; 99 in a field is a wildcard (e.g. day 99 = every day).
 * @param out the frame.
 * @param address the meter, or broadcast.
 * @param minute 0..59 or 99.
 * @param hour 0..23 or 99.
 * @param day 1..31 or 99.
 * @param month 1..12 or 99.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_FREEZE_TIME if a field is out of range and not 99.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_freeze(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                            unsigned minute, unsigned hour, unsigned day, unsigned month);

/**
 * @brief Feature word Z of function 17 for a baud rate.
 * @param baud 2400, 4800, 9600 or 19200.
 * @param out the feature word; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_DLT645_BAD_BAUD for any other rate.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_baud_to_feature(uint32_t baud, uint8_t *out);

/**
 * @brief Baud rate of a function-17 feature word (exactly one of bits 3..6 set).
 * @param feature the feature word Z.
 * @param out the rate; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_DLT645_BAD_BAUD if not exactly one of bits 3..6 is set, or other bits are set.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_baud_from_feature(uint8_t feature, uint32_t *out);

/**
 * @brief 2007 change communication rate (C = 17): feature word Z.
 * @param out the frame.
 * @param address the meter.
 * @param baud 2400, 4800, 9600 or 19200.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_BAUD for any other rate.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_change_baud(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                 uint32_t baud);

/**
 * @brief 2007 change password (C = 18): DI 04000C0x + old PA P0 P1 P2 + new PA P0 P1 P2.
 *
 * The DI is 04000C01 + the new level (`new_password->level`, 0..9).
 * @param out the frame.
 * @param address the meter.
 * @param old_password the current level and password (operator code ignored).
 * @param new_password the new level and password (operator code ignored).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_PASSWORD_LEVEL if the new level is above 9.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_change_password(prepay_dlt645_frame_t *out,
                                                     const prepay_dlt645_address_t *address,
                                                     const prepay_dlt645_credentials_t *old_password,
                                                     const prepay_dlt645_credentials_t *new_password);

/**
 * @brief 2007 clear maximum demand (C = 19): PA P0 P1 P2 + C0..C3.
 * @param out the frame.
 * @param address the meter.
 * @param credentials password and operator code.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_clear_demand(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                  const prepay_dlt645_credentials_t *credentials);

/**
 * @brief 2007 clear meter (C = 1A): PA P0 P1 P2 + C0..C3.
 * @param out the frame.
 * @param address the meter.
 * @param credentials password and operator code.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_clear_meter(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                 const prepay_dlt645_credentials_t *credentials);

/**
 * @brief 2007 clear events (C = 1B): PA P0 P1 P2 + C0..C3 + event DI (::PREPAY_DLT645_DI_ALL_EVENTS for all).
 * @param out the frame.
 * @param address the meter.
 * @param credentials password and operator code.
 * @param event_di the event record DI, or FFFFFFFF.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_clear_events(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                  const prepay_dlt645_credentials_t *credentials, uint32_t event_di);

/**
 * @brief 2007 relay control (C = 1C, State Grid): PA P0 P1 P2 + C0..C3 + N1 + N2 + ss mm hh DD MM YY.
 * @param out the frame.
 * @param address the meter.
 * @param credentials password and operator code.
 * @param command N1, one of the `PREPAY_DLT645_RELAY_*` values.
 * @param valid_until the command is void once the meter clock passes it (2000..2099), or
 *        ::PREPAY_DLT645_RELAY_NO_TIME to send the field as all zero.
 * @return ::PREPAY_OK, or an error. N2 is sent as 00.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_RELAY_COMMAND for an unknown N1;
 * ::PREPAY_E_OUT_OF_RANGE if @p valid_until is outside 2000..2099.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_relay_control(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                   const prepay_dlt645_credentials_t *credentials, uint8_t command,
                                                   prepay_time_t valid_until);

/**
 * @brief 2007 security-authenticated command (C = 03): DI + C0..C3 + data (frame structure only; no cryptography).
 * @param out the frame.
 * @param address the meter.
 * @param di the data identifier (e.g. 070102FF, recharge).
 * @param operator_code C0..C3 in wire order.
 * @param payload the ESAM payload (ciphertext, MAC...) before +0x33; may be NULL if @p payload_len is 0.
 * @param payload_len its length; 8 + @p payload_len must not exceed ::PREPAY_DLT645_MAX_DATA.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_DATA_TOO_LONG.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_security(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                              uint32_t di, const uint8_t operator_code[4], const uint8_t *payload,
                                              size_t payload_len);

/**
 * @brief 1997 read data (C = 01): DI0 DI1.
 * @param out the frame.
 * @param address the meter.
 * @param di the 2-byte identifier, e.g. 0x9010.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_read_1997(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                               uint16_t di);

/**
 * @brief 1997 write data (C = 04): DI0 DI1 + PA P0 P1 P2 + data.
 * @param out the frame.
 * @param address the meter.
 * @param di the 2-byte identifier.
 * @param credentials password level and password (operator code not sent in 1997).
 * @param value the data before +0x33; may be NULL if @p value_len is 0.
 * @param value_len bytes of data; 6 + @p value_len must not exceed ::PREPAY_DLT645_MAX_DATA.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_DATA_TOO_LONG.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_request_write_1997(prepay_dlt645_frame_t *out, const prepay_dlt645_address_t *address,
                                                uint16_t di, const prepay_dlt645_credentials_t *credentials,
                                                const uint8_t *value, size_t value_len);
/** @} */

/* ======================================================================== */
/** @name Reply parsers (station side)
 *
 * Each takes the request that was sent and the decoded reply. They check that
 * the reply is a reply of the request's function and comes from the
 * addressed meter (any meter if the request used wildcards); an abnormal
 * reply gives ::PREPAY_E_DLT645_ABNORMAL with the error kept in
 * `reply->error` (never lost). Outputs are untouched on error.
 *  @{ */
/* ======================================================================== */

/**
 * @brief Checks that @p reply answers @p request (direction, function, address), abnormal replies included.
 * @param request the request sent.
 * @param reply the decoded reply.
 * @return ::PREPAY_OK for a normal reply, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_REQUEST if @p request is a reply frame;
 * ::PREPAY_E_DLT645_UNEXPECTED_REPLY (not a reply, or another function);
 * ::PREPAY_E_DLT645_ADDRESS_MISMATCH; ::PREPAY_E_DLT645_ABNORMAL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reply_check(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply);

/**
 * @brief Parses a read reply (2007 91/B1 to 11, 92/B2 to 12; 1997 81/A1 to 01, 82/A2 to 02).
 * @param request the read or read-follow-up request sent.
 * @param reply the decoded reply.
 * @param out DI, value bytes (pointing into @p reply), follow-up flag and SEQ.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_dlt645_reply_check(); ::PREPAY_E_DLT645_BAD_REQUEST if
 * @p request is not a read; ::PREPAY_E_DLT645_BAD_REPLY if a follow-up reply
 * has no SEQ byte; ::PREPAY_E_DLT645_DI_MISMATCH.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reply_read(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply,
                                        prepay_dlt645_read_reply_t *out);

/**
 * @brief Parses a read-address reply (93): the meter's address.
 * @param request the read-address request sent.
 * @param reply the decoded reply.
 * @param out the address in the data (must equal the frame's address).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_dlt645_reply_check(); ::PREPAY_E_DLT645_BAD_REQUEST;
 * ::PREPAY_E_DLT645_BAD_REPLY if L is not 6 or the data differs from the frame address.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reply_read_address(const prepay_dlt645_frame_t *request,
                                                const prepay_dlt645_frame_t *reply, prepay_dlt645_address_t *out);

/**
 * @brief Parses a change-baud reply (97): the feature word the meter accepted.
 * @param request the change-baud request sent.
 * @param reply the decoded reply.
 * @param baud out: the rate confirmed.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_dlt645_reply_check(); ::PREPAY_E_DLT645_BAD_REQUEST;
 * ::PREPAY_E_DLT645_BAD_REPLY if L is not 1; ::PREPAY_E_DLT645_BAD_BAUD.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reply_change_baud(const prepay_dlt645_frame_t *request,
                                               const prepay_dlt645_frame_t *reply, uint32_t *baud);

/**
 * @brief Parses a reply without data: 94 write, 95 write address, 96 freeze, 98 change password,
 *        99 / 9A / 9B clears, 9C relay control (1997: 84, 8A, 8F).
 *
 * A change-password reply (98) may carry the new PA P0 P1 P2; it is accepted.
 * @param request the request sent.
 * @param reply the decoded reply.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_dlt645_reply_check(); ::PREPAY_E_DLT645_BAD_REPLY if
 * the reply carries unexpected data.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reply_ack(const prepay_dlt645_frame_t *request, const prepay_dlt645_frame_t *reply);

/**
 * @brief Parses a security reply (83; abnormal C3 gives the 2-byte error word in `reply->error`).
 * @param request the 03 request sent.
 * @param reply the decoded reply.
 * @param out DI and payload (pointing into @p reply); follow_up/seq unused.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_dlt645_reply_check(); ::PREPAY_E_DLT645_BAD_REQUEST;
 * ::PREPAY_E_DLT645_BAD_REPLY if the reply is shorter than a DI;
 * ::PREPAY_E_DLT645_DI_MISMATCH.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_reply_security(const prepay_dlt645_frame_t *request,
                                            const prepay_dlt645_frame_t *reply, prepay_dlt645_read_reply_t *out);
/** @} */

/* ======================================================================== */
/** @name Request parsers (meter side)
 *  @{ */
/* ======================================================================== */

/**
 * @brief Parses a 2007 write request (14) into DI, credentials and value.
 * @param request the decoded request.
 * @param out the parts (value points into @p request).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_REQUEST if it is not a 2007 write request or L < 12.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_parse_write_request(const prepay_dlt645_frame_t *request,
                                                 prepay_dlt645_write_request_t *out);

/**
 * @brief Parses a relay-control request (1C): credentials, N1, N2, valid-until time.
 * @param request the decoded request.
 * @param out the parts.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_DLT645_BAD_REQUEST if it is not a 1C request or L is not 16;
 * ::PREPAY_E_DLT645_BAD_RELAY_COMMAND for an unknown N1; ::PREPAY_E_BAD_BCD,
 * ::PREPAY_E_BAD_DATE or ::PREPAY_E_BAD_TIME for a bad valid-until time (an
 * all-zero field is not an error: `valid_until` is ::PREPAY_DLT645_RELAY_NO_TIME).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dlt645_parse_relay_request(const prepay_dlt645_frame_t *request,
                                                 prepay_dlt645_relay_request_t *out);
/** @} */

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_dlt645_frame_init(...) PREPAY_CONFIG_GUARDED(prepay_dlt645_frame_init, __VA_ARGS__)
#define prepay_dlt645_stream_init(...) PREPAY_CONFIG_GUARDED(prepay_dlt645_stream_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_DLT645_H */
