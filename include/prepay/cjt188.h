/* SPDX-License-Identifier: MIT */
/**
 * @file cjt188.h
 * @ingroup prepay_cjt188
 * @brief CJ/T 188-2004 frame codec for water, heat and gas meters: frames, stream parser,
 *        request builders, reply parsers, meter-side helpers and typed values.
 *
 * CJ/T 188 ("户用计量仪表数据传输技术条件", technical requirements of utility
 * meters data transmission) is the protocol between a station and household
 * water, heat and gas meters over RS-485 or M-Bus, also carried through
 * transparent DTUs. This module follows **CJ/T 188-2004** (issued 2004-02-12,
 * in force 2004-06-01). Every frame is
 *
 *     [FE ...] 68 T A0 A1 A2 A3 A4 A5 A6 C L DATA(L bytes) CS 16
 *
 * with no byte offset on the data (unlike DL/T 645's +0x33). T is the meter
 * type, A0..A6 the 14-digit BCD address (A5 A6 are the manufacturer code),
 * C the control code, CS the sum mod 256 of the bytes from `68` to the last
 * data byte. The data of the standard functions starts with a 2-byte data
 * identifier DI and a 1-byte sequence number SER.
 *
 * **DI byte order.** The 2004 edition's tables write the identifier as
 * `DI0 DI1 = 90 1F` and many masters send `90 1F`; the 2018 edition sends
 * DIs little-endian (`1F 90`), and so do many meters sold as 2004 meters.
 * Both are public practice (see tests/vectors/cjt188_frames.txt), so the
 * order is a parameter (::prepay_cjt188_di_order): the decoder can also
 * recognise the identifiers of the 2004 DI set in either order
 * (::PREPAY_CJT188_DI_AUTO). The 2018 edition's SM4 data security (its
 * clause 7) is out of scope; its frames' public structure (little-endian DI,
 * meter type 22H) is decoded.
 *
 * Contracts kept by every function here (see docs/security.md):
 * - nothing is read or written outside the buffers and lengths given, for
 *   any input bytes; no allocation, no recursion, constant stack;
 * - on error nothing the caller owns is changed, unless a function says
 *   exactly what it changed;
 * - frames from the wire are untrusted: every length is checked before use;
 * - no global mutable state: every function is re-entrant; a stream parser
 *   state must not be used by two threads at once without a lock.
 *
 * Values are converted exactly to the library's units (docs/units.md):
 * volume in litres, energy in Wh, money in fen, prices in 1e-8 yuan per m³;
 * a value that a unit change cannot express exactly is refused
 * (::PREPAY_E_CJT188_INEXACT), never rounded.
 */
#ifndef PREPAY_CJT188_H
#define PREPAY_CJT188_H

/** @addtogroup prepay_cjt188
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/civil_time.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/fixed_point.h"
#include "prepay/status.h"

/* ======================================================================== */
/** @name Status codes (module ::PREPAY_MODULE_CJT188)
 *  @{ */
/* ======================================================================== */

/** @brief The input ends before the frame does (fewer than `13 + L` bytes after the preamble, or only `FE`).
 *  prepay_strerror(): "CJ/T 188: input ends inside the frame (truncated)" */
#define PREPAY_E_CJT188_TRUNCATED PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 1)
/** @brief After the `FE` preamble the first byte is not the start byte `68`.
 *  prepay_strerror(): "CJ/T 188: no start byte 68 where the frame should begin" */
#define PREPAY_E_CJT188_NO_START PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 2)
/**
 * @brief The length byte L is above ::PREPAY_CJT188_MAX_DATA, or inconsistent
 *        with the control code (an abnormal reply whose L is not 3; a standard
 *        function whose data is shorter than DI + SER).
 *  prepay_strerror(): "CJ/T 188: length byte too large or inconsistent with the control code" */
#define PREPAY_E_CJT188_BAD_LENGTH PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 3)
/** @brief CS is not the sum mod 256 of the bytes from `68` to the last data byte.
 *  prepay_strerror(): "CJ/T 188: checksum mismatch" */
#define PREPAY_E_CJT188_BAD_CHECKSUM PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 4)
/** @brief The byte after CS is not the end byte `16`.
 *  prepay_strerror(): "CJ/T 188: end byte 16 missing" */
#define PREPAY_E_CJT188_BAD_END PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 5)
/** @brief A frame would need more data bytes than ::PREPAY_CJT188_MAX_DATA allows.
 *  prepay_strerror(): "CJ/T 188: data field would exceed PREPAY_CJT188_MAX_DATA" */
#define PREPAY_E_CJT188_DATA_TOO_LONG PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 6)
/** @brief An address text is not 14 characters of BCD digit pairs or `AA` pairs, or a new address is not BCD.
 *  prepay_strerror(): "CJ/T 188: invalid meter address" */
#define PREPAY_E_CJT188_BAD_ADDRESS PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 7)
/**
 * @brief The reply is an abnormal reply (C bit 6 set): the meter refused. Its
 *        status word ST is kept in prepay_cjt188_frame::status.
 *  prepay_strerror(): "CJ/T 188: abnormal reply (the meter refused; see its status word ST)" */
#define PREPAY_E_CJT188_ABNORMAL PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 8)
/** @brief The frame is not a reply to the request: a request frame, or another function.
 *  prepay_strerror(): "CJ/T 188: frame is not a reply to this request" */
#define PREPAY_E_CJT188_UNEXPECTED_REPLY PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 9)
/** @brief The reply carries another data identifier than the request.
 *  prepay_strerror(): "CJ/T 188: reply carries a different data identifier" */
#define PREPAY_E_CJT188_DI_MISMATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 10)
/** @brief The reply carries another sequence number SER than the request (a late reply to an earlier request).
 *  prepay_strerror(): "CJ/T 188: reply carries a different sequence number SER" */
#define PREPAY_E_CJT188_SER_MISMATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 11)
/** @brief The reply comes from another meter (address or meter type) than the one addressed.
 *  prepay_strerror(): "CJ/T 188: reply from a meter that was not addressed" */
#define PREPAY_E_CJT188_ADDRESS_MISMATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 12)
/** @brief The data of a reply or request has the wrong size for its data identifier.
 *  prepay_strerror(): "CJ/T 188: data has the wrong size for its data identifier" */
#define PREPAY_E_CJT188_BAD_DATA PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 13)
/** @brief A value field is not valid BCD, or a date or time field does not exist.
 *  prepay_strerror(): "CJ/T 188: value is not valid BCD or not a real date and time" */
#define PREPAY_E_CJT188_BAD_VALUE PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 14)
/** @brief A unit code that is not in the CJ/T 188 unit table, or two units that do not convert into each other.
 *  prepay_strerror(): "CJ/T 188: unknown or incompatible unit code" */
#define PREPAY_E_CJT188_BAD_UNIT PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 15)
/** @brief A unit change cannot express the value exactly (e.g. 0.15 L in whole litres); nothing is rounded.
 *  prepay_strerror(): "CJ/T 188: value cannot be converted exactly to that unit" */
#define PREPAY_E_CJT188_INEXACT PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 16)
/** @brief The value is absent: the meter sent `FF` bytes for it.
 *  prepay_strerror(): "CJ/T 188: value absent (the meter sent FF bytes)" */
#define PREPAY_E_CJT188_ABSENT PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 17)
/** @brief The request frame given to a parser is not a request of the function or DI the parser handles.
 *  prepay_strerror(): "CJ/T 188: request frame not of the function or data identifier this parser handles" */
#define PREPAY_E_CJT188_BAD_REQUEST PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 18)
/** @brief A valve command byte (A017) that is neither 55H (open) nor 99H (close).
 *  prepay_strerror(): "CJ/T 188: valve command is neither 55H (open) nor 99H (close)" */
#define PREPAY_E_CJT188_BAD_VALVE_COMMAND PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 19)
/**
 * @brief A purchase (A013) whose purchase serial equals the last one accepted:
 *        a replay. Credit nothing; answer as for the first one.
 *  prepay_strerror(): "CJ/T 188: purchase serial already credited (replayed top-up)" */
#define PREPAY_E_CJT188_PURCHASE_REPEAT PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 20)
/** @brief A purchase whose purchase serial is neither the last one nor the next one: out of sequence, refuse it.
 *  prepay_strerror(): "CJ/T 188: purchase serial out of sequence" */
#define PREPAY_E_CJT188_PURCHASE_SEQUENCE PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 21)
/** @brief A DI byte order that is not one of ::prepay_cjt188_di_order, or AUTO where an explicit order is needed.
 *  prepay_strerror(): "CJ/T 188: unknown data identifier byte order" */
#define PREPAY_E_CJT188_BAD_DI_ORDER PREPAY_STATUS_MAKE(PREPAY_MODULE_CJT188, 22)
/** @} */

/* ======================================================================== */
/** @name Frame format (CJ/T 188-2004 clause 6, data-link layer)
 *  @{ */
/* ======================================================================== */

/** @brief Start byte `68`. */
#define PREPAY_CJT188_START 0x68u
/** @brief End byte `16`. */
#define PREPAY_CJT188_END 0x16u
/** @brief Wake-up byte; the standard sends 2..4 before a frame, any number is accepted. */
#define PREPAY_CJT188_PREAMBLE_BYTE 0xFEu
/** @brief Bytes of the address A0..A6 (14 BCD digits, A0 first; A5 A6 are the manufacturer code). */
#define PREPAY_CJT188_ADDRESS_SIZE 7u
/** @brief Bytes before the data field: `68 T A0..A6 C L`. */
#define PREPAY_CJT188_HEADER_SIZE 11u
/** @brief Bytes of a frame besides preamble and data: header, CS and `16`. */
#define PREPAY_CJT188_OVERHEAD 13u
/** @brief Most `FE` bytes the builders and the stream parser keep as a preamble. */
#define PREPAY_CJT188_MAX_PREAMBLE 4u
/** @brief The standard's limit on L for read frames (64H). The decoder accepts up to ::PREPAY_CJT188_MAX_DATA. */
#define PREPAY_CJT188_READ_LIMIT 0x64u
/** @brief The standard's limit on L for write frames (32H). */
#define PREPAY_CJT188_WRITE_LIMIT 0x32u
/** @brief Bytes of DI + SER at the start of the data of the standard functions. */
#define PREPAY_CJT188_DI_SER_SIZE 3u
/** @brief L of an abnormal reply: SER + ST (2 bytes). */
#define PREPAY_CJT188_ABNORMAL_LENGTH 3u
/** @brief Address and meter-type byte meaning "any" (broadcast / read-address wildcard). */
#define PREPAY_CJT188_WILDCARD_BYTE 0xAAu
/**
 * @brief Encoded size of a frame with @p preamble `FE` bytes and @p data_len data bytes.
 * @param preamble number of `FE` bytes.
 * @param data_len the L byte.
 */
#define PREPAY_CJT188_FRAME_SIZE(preamble, data_len) ((size_t)(preamble) + PREPAY_CJT188_OVERHEAD + (size_t)(data_len))
/** @brief Largest frame this build encodes or decodes with at most ::PREPAY_CJT188_MAX_PREAMBLE `FE` bytes. */
#define PREPAY_CJT188_FRAME_MAX PREPAY_CJT188_FRAME_SIZE(PREPAY_CJT188_MAX_PREAMBLE, PREPAY_CJT188_MAX_DATA)
/** @} */

/* ======================================================================== */
/** @name Control code C
 *  @{ */
/* ======================================================================== */

/** @brief C bit 7: 0 = from the master (station), 1 = reply from the slave (meter). */
#define PREPAY_CJT188_CONTROL_REPLY 0x80u
/** @brief C bit 6 on a reply: 1 = communication abnormal (the data is SER + ST). */
#define PREPAY_CJT188_CONTROL_ABNORMAL 0x40u
/** @brief C bits 5..0: the function. */
#define PREPAY_CJT188_CONTROL_FUNCTION_MASK 0x3Fu
/** @brief Functions 1XXXXX (20H..3FH) are manufacturer-defined; their data is opaque. */
#define PREPAY_CJT188_FN_VENDOR_FLAG 0x20u
/** @brief Function 01: read data. */
#define PREPAY_CJT188_FN_READ 0x01u
/** @brief Function 03: read address (meter number), DI 810A. */
#define PREPAY_CJT188_FN_READ_ADDRESS 0x03u
/** @brief Function 04: write data. */
#define PREPAY_CJT188_FN_WRITE 0x04u
/** @brief Function 09: read key version, DI 8106. */
#define PREPAY_CJT188_FN_READ_KEY_VERSION 0x09u
/** @brief Function 15H: write address (meter number), DI A018. */
#define PREPAY_CJT188_FN_WRITE_ADDRESS 0x15u
/** @brief Function 16H: write the mechanical-electronic synchronisation number (set the base reading), DI A016. */
#define PREPAY_CJT188_FN_WRITE_BASE 0x16u
/** @} */

/* ======================================================================== */
/** @name Meter types T (2004 table; 22H from the 2018 edition)
 *  @{ */
/* ======================================================================== */

/** @brief 10H cold water meter (water family 10H..19H). */
#define PREPAY_CJT188_TYPE_COLD_WATER 0x10u
/** @brief 11H domestic hot water meter. */
#define PREPAY_CJT188_TYPE_HOT_WATER 0x11u
/** @brief 12H direct drinking water meter. */
#define PREPAY_CJT188_TYPE_DRINKING_WATER 0x12u
/** @brief 13H reclaimed (中水) water meter. */
#define PREPAY_CJT188_TYPE_RECLAIMED_WATER 0x13u
/** @brief 20H heat meter counting heat (heat family 20H..29H). */
#define PREPAY_CJT188_TYPE_HEAT 0x20u
/** @brief 21H heat meter counting cooling. */
#define PREPAY_CJT188_TYPE_COOLING 0x21u
/** @brief 22H heat meter counting heat and cooling (2018 edition). */
#define PREPAY_CJT188_TYPE_HEAT_COOLING 0x22u
/** @brief 30H gas meter (gas family 30H..39H). */
#define PREPAY_CJT188_TYPE_GAS 0x30u
/** @brief 40H custom meter (custom family 40H..49H; 2004 lists it as the electricity meter). */
#define PREPAY_CJT188_TYPE_CUSTOM 0x40u
/** @} */

/* ======================================================================== */
/** @name Data identifiers DI (2004 DI set)
 *  @{ */
/* ======================================================================== */

/** @brief 901F current data: reading, settlement-day reading, clock, ST (heat meters: heat block). */
#define PREPAY_CJT188_DI_CURRENT 0x901Fu
/** @brief D120 history: settlement-day reading of last month; D121..D12B months 2..12 back. */
#define PREPAY_CJT188_DI_HISTORY_FIRST 0xD120u
/** @brief D12B: settlement-day reading 12 months back. */
#define PREPAY_CJT188_DI_HISTORY_LAST 0xD12Bu
/** @brief 8102 read price table. */
#define PREPAY_CJT188_DI_PRICE_TABLE 0x8102u
/** @brief 8103 read settlement day. */
#define PREPAY_CJT188_DI_SETTLEMENT_DAY 0x8103u
/** @brief 8104 read reading day. */
#define PREPAY_CJT188_DI_READING_DAY 0x8104u
/** @brief 8105 read purchased amount: the meter-side purse. */
#define PREPAY_CJT188_DI_PURSE 0x8105u
/** @brief 8106 read key version (function 09). */
#define PREPAY_CJT188_DI_KEY_VERSION 0x8106u
/** @brief 810A read address (function 03). */
#define PREPAY_CJT188_DI_ADDRESS 0x810Au
/** @brief A010 write price table. */
#define PREPAY_CJT188_DI_WRITE_PRICE_TABLE 0xA010u
/** @brief A011 write settlement day. */
#define PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY 0xA011u
/** @brief A012 write reading day. */
#define PREPAY_CJT188_DI_WRITE_READING_DAY 0xA012u
/** @brief A013 write purchased amount (a top-up): purchase serial + amount. */
#define PREPAY_CJT188_DI_WRITE_PURCHASE 0xA013u
/** @brief A014 write new key: version + 8-byte key. */
#define PREPAY_CJT188_DI_WRITE_KEY 0xA014u
/** @brief A015 write standard time. */
#define PREPAY_CJT188_DI_WRITE_TIME 0xA015u
/** @brief A016 write base reading (function 16H). */
#define PREPAY_CJT188_DI_WRITE_BASE 0xA016u
/** @brief A017 valve control. */
#define PREPAY_CJT188_DI_WRITE_VALVE 0xA017u
/** @brief A018 write address (function 15H). */
#define PREPAY_CJT188_DI_WRITE_ADDRESS 0xA018u
/** @brief A019 factory enable (出厂启用). */
#define PREPAY_CJT188_DI_FACTORY_ENABLE 0xA019u
/** @} */

/* ======================================================================== */
/** @name Valve commands (A017) and status word ST
 *  @{ */
/* ======================================================================== */

/** @brief A017 command byte 55H: open the valve. */
#define PREPAY_CJT188_VALVE_OPEN 0x55u
/** @brief A017 command byte 99H: close the valve. */
#define PREPAY_CJT188_VALVE_CLOSE 0x99u
/** @brief ST bits 1..0: valve state (00 open, 01 closed, 11 abnormal). ST = byte0 | byte1 << 8. */
#define PREPAY_CJT188_ST_VALVE_MASK 0x0003u
/** @brief ST bit 2: battery low (欠压). */
#define PREPAY_CJT188_ST_BATTERY_LOW 0x0004u
/** @brief ST bits 3..15: reserved or manufacturer-defined. */
#define PREPAY_CJT188_ST_VENDOR_MASK 0xFFF8u
/** @} */

/* ======================================================================== */
/** @name Unit codes (the 2004 unit table)
 *  @{ */
/* ======================================================================== */

#define PREPAY_CJT188_UNIT_J 0x01u          /**< @brief 01H joule */
#define PREPAY_CJT188_UNIT_WH 0x02u         /**< @brief 02H watt-hour */
#define PREPAY_CJT188_UNIT_KWH 0x05u        /**< @brief 05H kilowatt-hour */
#define PREPAY_CJT188_UNIT_MWH 0x08u        /**< @brief 08H megawatt-hour */
#define PREPAY_CJT188_UNIT_MWH_100 0x0Au    /**< @brief 0AH 100 megawatt-hours */
#define PREPAY_CJT188_UNIT_KJ 0x0Bu         /**< @brief 0BH kilojoule */
#define PREPAY_CJT188_UNIT_MJ 0x0Eu         /**< @brief 0EH megajoule */
#define PREPAY_CJT188_UNIT_GJ 0x11u         /**< @brief 11H gigajoule */
#define PREPAY_CJT188_UNIT_GJ_100 0x13u     /**< @brief 13H 100 gigajoules */
#define PREPAY_CJT188_UNIT_W 0x14u          /**< @brief 14H watt */
#define PREPAY_CJT188_UNIT_KW 0x17u         /**< @brief 17H kilowatt */
#define PREPAY_CJT188_UNIT_MW 0x1Au         /**< @brief 1AH megawatt */
#define PREPAY_CJT188_UNIT_L 0x29u          /**< @brief 29H litre */
#define PREPAY_CJT188_UNIT_M3 0x2Cu         /**< @brief 2CH cubic metre */
#define PREPAY_CJT188_UNIT_L_PER_H 0x32u    /**< @brief 32H litre per hour */
#define PREPAY_CJT188_UNIT_M3_PER_H 0x35u   /**< @brief 35H cubic metre per hour */
/** @} */

/* ======================================================================== */
/* Types                                                                     */
/* ======================================================================== */

/** @brief Byte order of the 2-byte data identifier on the wire. */
typedef enum prepay_cjt188_di_order {
    /** Decoding: recognise the 2004 DI set in either order, else high byte first. Builders: high byte first. */
    PREPAY_CJT188_DI_AUTO = 0,
    /** High byte first, `90 1F` (the 2004 edition's tables). */
    PREPAY_CJT188_DI_HIGH_FIRST = 1,
    /** Low byte first, `1F 90` (the 2018 edition; many 2004-era meters). */
    PREPAY_CJT188_DI_LOW_FIRST = 2
} prepay_cjt188_di_order_t;

/** @brief Meter family of a meter type T. */
typedef enum prepay_cjt188_family {
    PREPAY_CJT188_FAMILY_UNKNOWN = 0, /**< outside the ranges below */
    PREPAY_CJT188_FAMILY_WATER = 1,   /**< 10H..19H */
    PREPAY_CJT188_FAMILY_HEAT = 2,    /**< 20H..29H */
    PREPAY_CJT188_FAMILY_GAS = 3,     /**< 30H..39H */
    PREPAY_CJT188_FAMILY_CUSTOM = 4,  /**< 40H..49H */
    PREPAY_CJT188_FAMILY_ANY = 5      /**< AAH, the wildcard type */
} prepay_cjt188_family_t;

/** @brief Valve state, ST bits 1..0. */
typedef enum prepay_cjt188_valve {
    PREPAY_CJT188_VALVE_STATE_OPEN = 0,     /**< 00 open */
    PREPAY_CJT188_VALVE_STATE_CLOSED = 1,   /**< 01 closed */
    PREPAY_CJT188_VALVE_STATE_RESERVED = 2, /**< 10 not defined by the standard */
    PREPAY_CJT188_VALVE_STATE_ABNORMAL = 3  /**< 11 abnormal (stuck) */
} prepay_cjt188_valve_t;

/** @brief A meter address: 7 BCD bytes in wire order, A0 (least significant) first. */
typedef struct prepay_cjt188_address {
    uint8_t bytes[PREPAY_CJT188_ADDRESS_SIZE]; /**< A0..A6 as sent; A5 A6 are the manufacturer code */
} prepay_cjt188_address_t;

/** @brief Who a request goes to and how its DI is sent: meter type, address, DI byte order. */
typedef struct prepay_cjt188_target {
    uint8_t meter_type;               /**< T, e.g. ::PREPAY_CJT188_TYPE_COLD_WATER, or AAH */
    prepay_cjt188_address_t address;  /**< the meter's address (AA bytes are wildcards) */
    prepay_cjt188_di_order_t di_order; /**< DI byte order to send (AUTO sends high byte first) */
} prepay_cjt188_target_t;

/**
 * @brief One frame, decoded (or ready to encode).
 *
 * prepay_cjt188_encode() uses only `preamble`, `meter_type`, `address`,
 * `control`, `length` and `data`; the other members are derived from them
 * exactly as prepay_cjt188_decode() derives them.
 */
typedef struct prepay_cjt188_frame {
    uint8_t meter_type;              /**< T */
    prepay_cjt188_address_t address; /**< A0..A6, wire order */
    uint8_t control;                 /**< C as sent */
    uint8_t function;                /**< C & 3FH */
    bool is_reply;                   /**< C bit 7 */
    bool abnormal;                   /**< a reply with C bit 6 set */
    uint8_t preamble;                /**< `FE` bytes before the frame (decode: counted, saturating at 255) */
    uint8_t length;                  /**< L */
    uint8_t di_order;                /**< ::PREPAY_CJT188_DI_HIGH_FIRST or LOW_FIRST: how `di` was read from `data` */
    bool has_di;                     /**< the data starts with DI + SER (normal frames of functions 01 03 04 09 15H 16H) */
    uint16_t di;                     /**< the data identifier, e.g. 0x901F (0 if none) */
    bool has_ser;                    /**< `ser` is valid (normal frames with a DI, and abnormal replies) */
    uint8_t ser;                     /**< sequence number SER */
    bool has_status;                 /**< abnormal reply: `status` is its ST word */
    uint16_t status;                 /**< ST of an abnormal reply, byte0 | byte1 << 8 */
    uint8_t data[PREPAY_CJT188_MAX_DATA > 0 ? PREPAY_CJT188_MAX_DATA : 1]; /**< the data field as sent; `length` bytes valid */
} prepay_cjt188_frame_t;

/**
 * @brief A measured quantity as the meter sends it: BCD digits, decimals, unit code.
 *
 * The value is `value / 10^decimals` of the unit. Convert it to the
 * library's units with prepay_cjt188_quantity_in() or
 * prepay_cjt188_quantity_litres() (exact, or an error).
 */
typedef struct prepay_cjt188_quantity {
    bool present;     /**< false if the meter sent `FF` digit bytes (`value` is then 0; `unit` is kept as sent) */
    int64_t value;    /**< the BCD digits as an integer */
    uint8_t decimals; /**< digits after the decimal point (XXXXXX.XX: 2) */
    uint8_t unit;     /**< unit code, `PREPAY_CJT188_UNIT_*`; 0 for fields without a unit byte */
} prepay_cjt188_quantity_t;

/** @brief State of a clock field: set, absent (all `00` or all `FF`), or not a real date and time. */
typedef enum prepay_cjt188_clock {
    PREPAY_CJT188_CLOCK_ABSENT = 0,  /**< all 00 or all FF: the meter has no clock value */
    PREPAY_CJT188_CLOCK_VALID = 1,   /**< a real date and time */
    PREPAY_CJT188_CLOCK_INVALID = 2  /**< BCD or calendar error (kept apart so the readings stay usable) */
} prepay_cjt188_clock_t;

/** @brief The 901F current data of a water or gas meter (reply L = 16H). */
typedef struct prepay_cjt188_current {
    uint8_t family;                      /**< ::PREPAY_CJT188_FAMILY_WATER / GAS / CUSTOM, or HEAT (then `heat` is filled) */
    prepay_cjt188_quantity_t reading;    /**< current cumulative volume (XXXXXX.XX + unit); heat meters: cumulative volume */
    prepay_cjt188_quantity_t settlement; /**< cumulative volume on the settlement day; heat meters: settlement-day heat */
    uint8_t clock_state;                 /**< ::prepay_cjt188_clock of `clock` */
    prepay_time_t clock;                 /**< the meter's real-time clock (valid if clock_state is VALID) */
    uint16_t status;                     /**< ST, byte0 | byte1 << 8 */
    /** Heat meters only (901F reply L = 2EH). */
    struct {
        prepay_cjt188_quantity_t current_heat;     /**< current heat (cooling for 21H) */
        prepay_cjt188_quantity_t power;            /**< heat power (XXXXXX.XX + unit) */
        prepay_cjt188_quantity_t flow;             /**< flow rate (XXXX.XXXX + unit) */
        prepay_cjt188_quantity_t supply_temperature; /**< supply water temperature, XXXX.XX °C (unit 0) */
        prepay_cjt188_quantity_t return_temperature; /**< return water temperature, XXXX.XX °C (unit 0) */
        prepay_cjt188_quantity_t working_hours;    /**< cumulative working time, XXXXXX h (unit 0) */
    } heat;
} prepay_cjt188_current_t;

/**
 * @brief The meter-side price table (8102 read, A010 write): three prices and two ladder steps.
 *
 * Prices are carried as 3 BCD bytes XXXX.XX yuan per unit of volume and the
 * step volumes as 3 BCD bytes XXXXXX (a published A010 frame writes 3.00,
 * 4.00, 5.00 yuan with steps 50 and 200; see tests/vectors/cjt188_frames.txt).
 */
typedef struct prepay_cjt188_price_table {
    prepay_price_t price[3];     /**< price 1..3 in 1e-8 yuan per m³ (0.01 yuan steps on the wire) */
    prepay_energy_t step_litres[2]; /**< volume 1 and 2 (ladder thresholds) in litres (whole m³ on the wire) */
    uint8_t start_day;           /**< A010 only: day of month the table takes effect (1..31; 0 when read by 8102) */
} prepay_cjt188_price_table_t;

/** @brief The 8105 purse: what the meter holds of its top-ups (reply L = 12H). */
typedef struct prepay_cjt188_purse {
    uint8_t purchase_serial;   /**< serial of the last purchase (A013) the meter accepted */
    prepay_money_t last_fen;   /**< amount of that purchase, fen (XXXXXX.XX yuan on the wire) */
    prepay_money_t total_fen;  /**< total purchased, fen */
    prepay_money_t remaining_fen; /**< remaining amount, fen */
    uint16_t status;           /**< ST */
} prepay_cjt188_purse_t;

/** @brief What a write reply (function 04 84H, 15H 95H, 16H 96H) carries besides DI and SER. */
typedef struct prepay_cjt188_write_ack {
    uint16_t di;               /**< the DI written */
    bool has_status;           /**< ST present (A010, A016, A017) */
    uint16_t status;           /**< ST */
    bool has_purchase;         /**< A013: the meter echoes purchase serial and amount */
    uint8_t purchase_serial;   /**< echoed purchase serial */
    prepay_money_t amount_fen; /**< echoed amount, fen */
    bool has_key_version;      /**< A014: the meter answers its key version */
    uint8_t key_version;       /**< key version */
} prepay_cjt188_write_ack_t;

/** @brief Kind of a parsed request (meter side). */
typedef enum prepay_cjt188_command_kind {
    PREPAY_CJT188_COMMAND_READ = 0,          /**< function 01: read `di` */
    PREPAY_CJT188_COMMAND_READ_ADDRESS = 1,  /**< function 03, 810A */
    PREPAY_CJT188_COMMAND_READ_KEY_VERSION = 2, /**< function 09, 8106 */
    PREPAY_CJT188_COMMAND_PRICE_TABLE = 3,   /**< A010: `price_table` */
    PREPAY_CJT188_COMMAND_SETTLEMENT_DAY = 4, /**< A011: `day` */
    PREPAY_CJT188_COMMAND_READING_DAY = 5,   /**< A012: `day` */
    PREPAY_CJT188_COMMAND_PURCHASE = 6,      /**< A013: `purchase_serial`, `amount_fen` */
    PREPAY_CJT188_COMMAND_KEY = 7,           /**< A014: `key_version`, `key` */
    PREPAY_CJT188_COMMAND_TIME = 8,          /**< A015: `time` */
    PREPAY_CJT188_COMMAND_BASE = 9,          /**< A016 (function 16H): `base` */
    PREPAY_CJT188_COMMAND_VALVE = 10,        /**< A017: `valve_open` */
    PREPAY_CJT188_COMMAND_WRITE_ADDRESS = 11, /**< A018 (function 15H): `new_address` */
    PREPAY_CJT188_COMMAND_FACTORY_ENABLE = 12, /**< A019 */
    PREPAY_CJT188_COMMAND_OTHER_WRITE = 13   /**< function 04 with another DI: `value` / `value_len` */
} prepay_cjt188_command_kind_t;

/** @brief A request parsed on the meter side (prepay_cjt188_parse_request()). */
typedef struct prepay_cjt188_command {
    uint8_t kind;                           /**< ::prepay_cjt188_command_kind */
    uint16_t di;                            /**< the DI */
    uint8_t ser;                            /**< SER, to be echoed in the reply */
    prepay_cjt188_price_table_t price_table; /**< A010 */
    uint8_t day;                            /**< A011 / A012: 1..31 (BCD on the wire) */
    uint8_t purchase_serial;                /**< A013 purchase serial: the idempotency key, not SER */
    prepay_money_t amount_fen;              /**< A013 amount, fen */
    uint8_t key_version;                    /**< A014 */
    uint8_t key[8];                         /**< A014 key bytes as sent */
    prepay_time_t time;                     /**< A015 */
    prepay_cjt188_quantity_t base;          /**< A016 base reading (XXXXXX.XX + unit) */
    bool valve_open;                        /**< A017: true 55H open, false 99H close */
    prepay_cjt188_address_t new_address;    /**< A018 */
    const uint8_t *value;                   /**< data after DI + SER (points into the request frame) */
    size_t value_len;                       /**< bytes at `value` */
} prepay_cjt188_command_t;

/** @brief Caller-owned state of the byte-stream parser; members are private. */
typedef struct prepay_cjt188_stream {
    uint32_t magic;         /**< private: set by init */
    uint8_t di_order;       /**< private: DI order used to decode */
    size_t head;            /**< private: index of the first held byte */
    size_t used;            /**< private: end of the held bytes */
    uint64_t bytes_in;      /**< private: bytes accepted */
    uint64_t bytes_dropped; /**< private: bytes discarded */
    uint64_t bytes_framed;  /**< private: bytes of yielded frames */
    uint64_t frames;        /**< private: frames yielded */
    uint8_t buffer[PREPAY_CJT188_STREAM_BUFFER]; /**< private: pending bytes */
} prepay_cjt188_stream_t;

/** @brief Counters of a stream parser; `bytes_in == bytes_dropped + bytes_framed + bytes_pending` always. */
typedef struct prepay_cjt188_stream_stats {
    uint64_t bytes_in;      /**< bytes accepted by feed */
    uint64_t bytes_dropped; /**< bytes discarded: garbage, false starts, bad frames, flushed bytes */
    uint64_t bytes_framed;  /**< bytes of the frames yielded, their `FE` preamble included */
    uint64_t bytes_pending; /**< bytes held, waiting for the rest of a frame */
    uint64_t frames;        /**< frames yielded */
} prepay_cjt188_stream_stats_t;

PREPAY_BEGIN_DECLS

/* ======================================================================== */
/** @name Addresses and meter types
 *  @{ */
/* ======================================================================== */

/**
 * @brief Parses the 14-character address text (most significant digit first) into wire order.
 * @param text 7 pairs, each two decimal digits or `AA` (any case); need not be NUL-terminated.
 * @param text_len must be 14.
 * @param out the address; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * `"00202307160177"` gives bytes `77 01 16 07 23 20 00`.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_ADDRESS if @p text_len is not 14 or a pair is neither BCD nor `AA`.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_address_from_string(const char *text, size_t text_len, prepay_cjt188_address_t *out);

/**
 * @brief Formats an address as 14 uppercase hex characters, most significant byte first, plus NUL.
 * @param address the address.
 * @param out at least 15 bytes.
 * @param out_cap capacity of @p out.
 * @return 14, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if @p out_cap < 15.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_address_to_string(const prepay_cjt188_address_t *address, char *out, size_t out_cap);

/**
 * @brief The all-`AA` address (broadcast; read address).
 * @return the address.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_cjt188_address_t prepay_cjt188_address_wildcard(void);

/**
 * @brief Whether a frame sent to @p target reaches the meter with address @p meter:
 *        every byte equal or `AA` in @p target.
 * @param target the address in the frame.
 * @param meter the meter's address.
 * @return true if addressed; false if not or a pointer is NULL.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_cjt188_address_matches(const prepay_cjt188_address_t *target,
                                              const prepay_cjt188_address_t *meter);

/**
 * @brief Family of a meter type T (10H..19H water, 20H..29H heat, 30H..39H gas, 40H..49H custom, AAH any).
 * @param meter_type T.
 * @return a ::prepay_cjt188_family value.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_cjt188_family_t prepay_cjt188_meter_family(uint8_t meter_type);
/** @} */

/* ======================================================================== */
/** @name Frame codec
 *  @{ */
/* ======================================================================== */

/**
 * @brief Builds a control byte.
 * @param function bits 5..0.
 * @param is_reply bit 7.
 * @param abnormal bit 6.
 * @return C.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint8_t prepay_cjt188_control(uint8_t function, bool is_reply, bool abnormal);

/**
 * @brief Checksum: sum mod 256 of @p len bytes (from `68` to the last data byte).
 * @param bytes the bytes; may be NULL if @p len is 0.
 * @param len number of bytes.
 * @return the sum mod 256.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint8_t prepay_cjt188_checksum(const uint8_t *bytes, size_t len);

/**
 * @brief Fills a frame from its parts, deriving DI, SER and ST exactly as the decoder does.
 * @param frame the frame; untouched on error. Preamble is set to 0.
 * @param di_order how the DI bytes are read (AUTO recognises the 2004 DI set in either order).
 * @param meter_type T.
 * @param address the address.
 * @param control C.
 * @param data the data field; may be NULL if @p data_len is 0; may point into @p frame.
 * @param data_len 0..::PREPAY_CJT188_MAX_DATA.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_DI_ORDER; ::PREPAY_E_CJT188_DATA_TOO_LONG;
 * ::PREPAY_E_CJT188_BAD_LENGTH if @p data_len does not fit the control code.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_frame_init(prepay_cjt188_frame_t *frame, prepay_cjt188_di_order_t di_order,
                                        uint8_t meter_type, const prepay_cjt188_address_t *address,
                                        uint8_t control, const uint8_t *data, size_t data_len);

/**
 * @brief Decodes one frame at the start of @p in.
 *
 * Skips any number of `FE`, then checks in this order: the start byte, L
 * against ::PREPAY_CJT188_MAX_DATA, that the whole frame is present, CS,
 * the end byte, and L against the control code. Reads at most the frame's
 * bytes; writes only @p out, and only when every check has passed.
 * @param in the bytes (hostile input expected); bytes after the frame are ignored.
 * @param in_len bytes at @p in.
 * @param di_order how to read the DI.
 * @param out the frame; untouched on error.
 * @return bytes consumed (preamble included, > 0), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a frame ending
 * more than INT_MAX bytes into @p in; ::PREPAY_E_CJT188_BAD_DI_ORDER;
 * ::PREPAY_E_CJT188_TRUNCATED; ::PREPAY_E_CJT188_NO_START;
 * ::PREPAY_E_CJT188_BAD_LENGTH; ::PREPAY_E_CJT188_BAD_CHECKSUM;
 * ::PREPAY_E_CJT188_BAD_END.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_decode(const uint8_t *in, size_t in_len, prepay_cjt188_di_order_t di_order,
                                    prepay_cjt188_frame_t *out);

/**
 * @brief Size prepay_cjt188_encode() needs: `preamble + 13 + length`.
 * @param frame the frame.
 * @return the size, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p frame is NULL;
 * ::PREPAY_E_CJT188_DATA_TOO_LONG if its length exceeds ::PREPAY_CJT188_MAX_DATA.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_encoded_size(const prepay_cjt188_frame_t *frame);

/**
 * @brief Encodes a frame: `preamble` x `FE`, `68`, T, address, C, L, data, CS, `16`.
 * @param frame the frame (uses preamble, meter_type, address, control, length, data).
 * @param out destination.
 * @param out_cap capacity; nothing is written beyond it.
 * @return bytes written, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_DATA_TOO_LONG; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_encode(const prepay_cjt188_frame_t *frame, uint8_t *out, size_t out_cap);

/**
 * @brief Whether @p di belongs to the 2004 DI set this module knows (901F, D120..D12B, 8102..8106, 810A, A010..A019).
 * @param di the identifier.
 * @return true if known.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_cjt188_di_is_known(uint16_t di);
/** @} */

/* ======================================================================== */
/** @name Stream parser
 *  @{ */
/* ======================================================================== */

/**
 * @brief Initialises (or resets) a stream parser.
 * @param stream the caller-owned state.
 * @param di_order DI order used to decode the frames.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p stream is NULL;
 * ::PREPAY_E_CJT188_BAD_DI_ORDER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_stream_init(prepay_cjt188_stream_t *stream, prepay_cjt188_di_order_t di_order);

/**
 * @brief Gives bytes to the parser; takes as many as fit.
 *
 * Call prepay_cjt188_stream_next() until it returns 0, then feed the rest;
 * after next() has returned 0 there is room for at least one byte.
 * @param stream the state.
 * @param in bytes; may be NULL if @p in_len is 0.
 * @param in_len number of bytes.
 * @return bytes taken (0..@p in_len, capped at INT_MAX), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_stream_feed(prepay_cjt188_stream_t *stream, const uint8_t *in, size_t in_len);

/**
 * @brief Takes the next whole frame out of the parser, in arrival order.
 *
 * Bytes that cannot start a frame are dropped. A candidate at a `68` that
 * fails (bad L, checksum, end byte) loses only its first byte and the rest
 * is rescanned. An incomplete candidate is abandoned as soon as a complete,
 * valid frame starts after it in the held bytes (a stray `68` whose L says
 * 255 cannot hide the frame behind it). At most
 * ::PREPAY_CJT188_MAX_PREAMBLE `FE` are kept as a frame's preamble.
 * @param stream the state.
 * @param out the frame; written only when 1 is returned.
 * @return 1 if a frame was stored, 0 if more bytes are needed, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if @p stream was not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_stream_next(prepay_cjt188_stream_t *stream, prepay_cjt188_frame_t *out);

/**
 * @brief Drops every held byte (after an idle line).
 * @param stream the state.
 * @return bytes dropped, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p stream is NULL;
 * ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_stream_flush(prepay_cjt188_stream_t *stream);

/**
 * @brief Reads the counters of a stream parser.
 * @param stream the state.
 * @param out the counters.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_stream_stats(const prepay_cjt188_stream_t *stream, prepay_cjt188_stream_stats_t *out);
/** @} */

/* ======================================================================== */
/** @name Typed values
 *  @{ */
/* ======================================================================== */

/**
 * @brief Decodes a BCD quantity of @p digits_len bytes (least significant first) and an optional unit byte.
 * @param in the bytes: @p digits_len BCD bytes, then the unit byte if @p with_unit.
 * @param digits_len 1..8.
 * @param decimals digits after the point.
 * @param with_unit whether a unit byte follows.
 * @param out the quantity; `present` false if every digit byte is `FF`.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a bad length;
 * ::PREPAY_E_CJT188_BAD_VALUE for a nibble above 9; ::PREPAY_E_CJT188_BAD_UNIT
 * for a unit byte outside the unit table.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_quantity_decode(const uint8_t *in, size_t digits_len, uint8_t decimals, bool with_unit,
                                             prepay_cjt188_quantity_t *out);

/**
 * @brief Converts a quantity exactly into whole units of @p unit (same dimension, power-of-ten factors only).
 *
 * Energy converts within Wh..100 MWh or within J..100 GJ (not between them),
 * power within W..MW, volume between L and m³, flow between L/h and m³/h.
 * @param quantity the quantity (must be present and carry a unit).
 * @param unit the target unit code.
 * @param out the value in whole target units; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_ABSENT; ::PREPAY_E_CJT188_BAD_UNIT for unknown or
 * incompatible units; ::PREPAY_E_CJT188_INEXACT if digits would be lost;
 * ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_quantity_in(const prepay_cjt188_quantity_t *quantity, uint8_t unit, int64_t *out);

/**
 * @brief Converts a volume quantity (L or m³) to litres, the library's volume unit.
 * @param quantity the quantity.
 * @param litres the volume; untouched on error.
 * @return ::PREPAY_OK, or an error (as prepay_cjt188_quantity_in()).
 *
 * **Errors:** as prepay_cjt188_quantity_in().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_quantity_litres(const prepay_cjt188_quantity_t *quantity, prepay_energy_t *litres);

/**
 * @brief Encodes a quantity as @p digits_len BCD bytes plus its unit byte (if @p with_unit).
 * @param quantity value (0..10^(2 x digits_len) - 1), unit; `present` false encodes `FF` bytes.
 * @param digits_len 1..8.
 * @param with_unit whether to write the unit byte.
 * @param out destination of `digits_len + with_unit` bytes.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a bad length;
 * ::PREPAY_E_OUT_OF_RANGE if the value is negative or too large.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_quantity_encode(const prepay_cjt188_quantity_t *quantity, size_t digits_len,
                                             bool with_unit, uint8_t *out);

/**
 * @brief Decodes the 7-byte clock `ss mm hh DD MM YY YY` (BCD, year low byte first).
 * @param in 7 bytes.
 * @param out the time when VALID; untouched otherwise.
 * @return a ::prepay_cjt188_clock value (ABSENT for all 00 / all FF), or ::PREPAY_E_INVALID_ARGUMENT.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_clock_decode(const uint8_t in[7], prepay_time_t *out);

/**
 * @brief Encodes a time as the 7-byte clock `ss mm hh DD MM YY YY`.
 * @param t the time (years 1..9999).
 * @param out 7 bytes; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_OUT_OF_RANGE outside years 1..9999.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_clock_encode(prepay_time_t t, uint8_t out[7]);

/**
 * @brief Valve state of an ST word (bits 1..0).
 * @param status ST.
 * @return a ::prepay_cjt188_valve value.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API prepay_cjt188_valve_t prepay_cjt188_status_valve(uint16_t status);

/**
 * @brief Whether an ST word says the battery is low (bit 2).
 * @param status ST.
 * @return true if bit 2 is set.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_cjt188_status_battery_low(uint16_t status);

/**
 * @brief Decodes the data of a 901F reply (after DI + SER) for a meter of @p meter_type.
 *
 * Water, gas and custom meters: 19 bytes (L = 16H); heat meters (20H..29H):
 * 43 bytes (L = 2EH). Every BCD field is checked; a clock that is not a real
 * time does not fail the decode (see prepay_cjt188_current::clock_state).
 * @param meter_type T of the replying meter.
 * @param value the bytes after DI + SER.
 * @param value_len their number.
 * @param out the data; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_DATA for a wrong length; ::PREPAY_E_CJT188_BAD_VALUE;
 * ::PREPAY_E_CJT188_BAD_UNIT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_current_decode(uint8_t meter_type, const uint8_t *value, size_t value_len,
                                            prepay_cjt188_current_t *out);

/**
 * @brief Encodes 901F reply data (meter side): 19 bytes, or 43 for a heat meter (`family` HEAT).
 * @param current the data (`clock_state` VALID writes the clock, otherwise 00 bytes).
 * @param out destination.
 * @param out_cap capacity.
 * @return bytes written, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BUFFER_TOO_SMALL;
 * ::PREPAY_E_OUT_OF_RANGE for values that do not fit their fields.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_current_encode(const prepay_cjt188_current_t *current, uint8_t *out, size_t out_cap);

/**
 * @brief Decodes the 15 bytes of a price table (8102 reply after DI + SER; A010 without its start day).
 * @param in 15 bytes: price 1, volume 1, price 2, volume 2, price 3 (3 BCD bytes each).
 * @param out the table (start_day 0); untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_CJT188_BAD_VALUE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_price_table_decode(const uint8_t in[15], prepay_cjt188_price_table_t *out);

/**
 * @brief Encodes the 15 bytes of a price table.
 * @param table prices in whole fen per m³ (multiples of 10^6 in 1e-8 units, 0..9999.99 yuan) and
 *              steps in whole m³ (multiples of 1000 L, 0..999999 m³).
 * @param out 15 bytes; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_CJT188_INEXACT if a price or
 * step is not a whole wire unit; ::PREPAY_E_OUT_OF_RANGE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_price_table_encode(const prepay_cjt188_price_table_t *table, uint8_t out[15]);

/**
 * @brief Decodes the 15 bytes of an 8105 purse (after DI + SER).
 * @param in serial (1), this purchase (4), total (4), remaining (4), ST (2).
 * @param out the purse; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_CJT188_BAD_VALUE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_purse_decode(const uint8_t in[15], prepay_cjt188_purse_t *out);

/**
 * @brief Encodes the 15 bytes of an 8105 purse (meter side).
 * @param purse amounts 0..99999999 fen.
 * @param out 15 bytes; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_OUT_OF_RANGE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_purse_encode(const prepay_cjt188_purse_t *purse, uint8_t out[15]);
/** @} */

/* ======================================================================== */
/** @name Request builders (station side)
 *
 * Each fills @p out (preamble 0) ready for prepay_cjt188_encode(). @p ser is
 * the sequence number the reply must echo (the standard increments it mod
 * 256 before every exchange). On error @p out is untouched.
 *  @{ */
/* ======================================================================== */

/**
 * @brief Read data (C = 01): DI + SER. For 901F, D120..D12B, 8102..8105 and vendor DIs.
 * @param out the frame.
 * @param target meter type, address, DI order.
 * @param di the identifier.
 * @param ser sequence number.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers; ::PREPAY_E_CJT188_BAD_DI_ORDER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_read(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                          uint16_t di, uint8_t ser);

/**
 * @brief Read address (C = 03, DI 810A). Usually sent to the all-`AA` address and meter type AAH.
 * @param out the frame.
 * @param target the target (type and address may be wildcards).
 * @param ser sequence number.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_read_address(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                                  uint8_t ser);

/**
 * @brief Read key version (C = 09, DI 8106).
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_read_key_version(prepay_cjt188_frame_t *out,
                                                      const prepay_cjt188_target_t *target, uint8_t ser);

/**
 * @brief Write price table (C = 04, DI A010): 15 bytes of prices and steps + start day.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param table the table; start_day 1..31.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read(); as prepay_cjt188_price_table_encode();
 * ::PREPAY_E_OUT_OF_RANGE for a start day outside 1..31.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_write_price_table(prepay_cjt188_frame_t *out,
                                                       const prepay_cjt188_target_t *target, uint8_t ser,
                                                       const prepay_cjt188_price_table_t *table);

/**
 * @brief Write settlement day (A011) or reading day (A012): one BCD day 1..31.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param di ::PREPAY_CJT188_DI_WRITE_SETTLEMENT_DAY or ::PREPAY_CJT188_DI_WRITE_READING_DAY.
 * @param day 1..31.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read(); ::PREPAY_E_INVALID_ARGUMENT for another DI;
 * ::PREPAY_E_OUT_OF_RANGE for the day.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_write_day(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                               uint8_t ser, uint16_t di, uint8_t day);

/**
 * @brief Purchase (C = 04, DI A013): purchase serial + amount (4 BCD bytes, XXXXXX.XX yuan).
 *
 * The purchase serial, not SER, identifies the top-up: the meter credits a
 * serial once (prepay_cjt188_purchase_check()). Send the next serial after
 * the one the 8105 purse reports.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param purchase_serial the purchase serial.
 * @param amount_fen the amount, 0..99999999 fen.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read(); ::PREPAY_E_OUT_OF_RANGE for the amount.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_purchase(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                              uint8_t ser, uint8_t purchase_serial, prepay_money_t amount_fen);

/**
 * @brief Write new key (C = 04, DI A014): version + 8 key bytes (as the 2004 edition carries them, in clear).
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param version the new key version.
 * @param key the 8 key bytes, sent as given.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_write_key(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                               uint8_t ser, uint8_t version, const uint8_t key[8]);

/**
 * @brief Write standard time (C = 04, DI A015): the 7-byte clock.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param now the time to set.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read(); as prepay_cjt188_clock_encode().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_write_time(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                                uint8_t ser, prepay_time_t now);

/**
 * @brief Valve control (C = 04, DI A017): 55H open or 99H close.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param open true to open, false to close.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_valve(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                           uint8_t ser, bool open);

/**
 * @brief Factory enable (C = 04, DI A019): no data.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_factory_enable(prepay_cjt188_frame_t *out,
                                                    const prepay_cjt188_target_t *target, uint8_t ser);

/**
 * @brief Write address (C = 15H, DI A018): the new 7-byte address.
 * @param out the frame.
 * @param target where to send it (often the wildcard address).
 * @param ser sequence number.
 * @param new_address 14 BCD digits, no `AA`.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read(); ::PREPAY_E_CJT188_BAD_ADDRESS.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_write_address(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                                   uint8_t ser, const prepay_cjt188_address_t *new_address);

/**
 * @brief Write base reading (C = 16H, DI A016): 4 BCD bytes XXXXXX.XX + unit.
 * @param out the frame.
 * @param target the meter.
 * @param ser sequence number.
 * @param base the reading (2 decimals; value 0..99999999; a unit code).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_request_read(); ::PREPAY_E_INVALID_ARGUMENT if
 * `decimals` is not 2 or `present` is false; ::PREPAY_E_OUT_OF_RANGE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_request_write_base(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target,
                                                uint8_t ser, const prepay_cjt188_quantity_t *base);
/** @} */

/* ======================================================================== */
/** @name Reply parsers (station side)
 *
 * Each takes the request sent and the decoded reply, and checks that the
 * reply answers it: reply direction, same function, the addressed meter
 * (wildcards match anything; the meter type may differ within its family,
 * 20H answered by 25H), same DI and same SER. An abnormal reply gives
 * ::PREPAY_E_CJT188_ABNORMAL with its ST kept in `reply->status`. Outputs
 * are untouched on error.
 *  @{ */
/* ======================================================================== */

/**
 * @brief Checks that @p reply answers @p request (direction, function, meter, SER; DI for normal replies).
 * @param request the request sent.
 * @param reply the decoded reply.
 * @return ::PREPAY_OK for a normal reply, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_REQUEST if @p request is a reply or carries no DI;
 * ::PREPAY_E_CJT188_UNEXPECTED_REPLY; ::PREPAY_E_CJT188_ADDRESS_MISMATCH;
 * ::PREPAY_E_CJT188_SER_MISMATCH; ::PREPAY_E_CJT188_ABNORMAL;
 * ::PREPAY_E_CJT188_DI_MISMATCH.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_check(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply);

/**
 * @brief Parses a 901F reply.
 * @param request the 901F read sent.
 * @param reply the reply.
 * @param out the current data.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_check(); ::PREPAY_E_CJT188_BAD_REQUEST if
 * @p request is not a 901F read; as prepay_cjt188_current_decode().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_current(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                           prepay_cjt188_current_t *out);

/**
 * @brief A 901F reply reduced to what a station settles: volumes in litres, the clock and ST.
 *
 * Filled by prepay_cjt188_volume_read() straight from the received bytes.
 */
typedef struct prepay_cjt188_volume {
    prepay_energy_t litres;            /**< current cumulative volume, litres (heat meters: their volume field) */
    prepay_energy_t settlement_litres; /**< settlement-day volume, litres; 0 unless `has_settlement` */
    prepay_time_t clock;               /**< the meter's clock (valid if `clock_state` is ::PREPAY_CJT188_CLOCK_VALID) */
    uint16_t status;                   /**< ST, byte0 | byte1 << 8 (also the ST of an abnormal reply) */
    uint8_t clock_state;               /**< ::prepay_cjt188_clock of `clock` */
    uint8_t meter_type;                /**< T of the replying meter */
    bool has_settlement;               /**< the settlement-day volume was sent and is a whole number of litres */
} prepay_cjt188_volume_t;

/**
 * @brief Decodes a 901F reply from its bytes to litres in one call, without a frame copy.
 *
 * The same checks and the same result as prepay_cjt188_decode() (with
 * ::PREPAY_CJT188_DI_AUTO: the reply's DI in either byte order), then
 * prepay_cjt188_reply_current() and prepay_cjt188_quantity_litres() of its
 * reading, but the data is read where it lies: no ::prepay_cjt188_frame_t is
 * filled. This is the path for a station that polls many water meters: about
 * 2x faster than the three calls (`bench/bench_cjt188_modbus`, "901F -> litres").
 * `fuzz/cjt188_frame_fuzzer.c` checks on every input that both paths agree.
 * @param request the 901F read that was sent (prepay_cjt188_request_read()).
 * @param in the received bytes: `FE` preamble bytes, then one frame.
 * @param in_len their number; nothing beyond it is read.
 * @param out the volume; untouched on error, except that an abnormal reply
 *        writes its ST to `out->status` (every other member 0).
 * @return the bytes consumed (preamble included, > 0), or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_REQUEST if @p request is not a 901F read; the frame
 * errors of prepay_cjt188_decode(); the matching errors of
 * prepay_cjt188_reply_check() (::PREPAY_E_CJT188_ABNORMAL for an abnormal
 * reply); ::PREPAY_E_CJT188_BAD_DATA, ::PREPAY_E_CJT188_BAD_VALUE,
 * ::PREPAY_E_CJT188_BAD_UNIT as prepay_cjt188_current_decode();
 * ::PREPAY_E_CJT188_ABSENT, ::PREPAY_E_CJT188_INEXACT, ::PREPAY_E_OVERFLOW
 * as prepay_cjt188_quantity_litres() of the current volume.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_volume_read(const prepay_cjt188_frame_t *request, const uint8_t *in, size_t in_len,
                                         prepay_cjt188_volume_t *out);

/**
 * @brief Parses a history reply (D120..D12B): the settlement-day reading of that month (L = 08H).
 * @param request the read sent.
 * @param reply the reply.
 * @param out the reading.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_check(); ::PREPAY_E_CJT188_BAD_REQUEST;
 * ::PREPAY_E_CJT188_BAD_DATA; ::PREPAY_E_CJT188_BAD_VALUE; ::PREPAY_E_CJT188_BAD_UNIT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_history(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                           prepay_cjt188_quantity_t *out);

/**
 * @brief Parses an 8102 price-table reply (L = 12H).
 * @param request the read sent.
 * @param reply the reply.
 * @param out the table (start_day 0).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_history().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_price_table(const prepay_cjt188_frame_t *request,
                                               const prepay_cjt188_frame_t *reply, prepay_cjt188_price_table_t *out);

/**
 * @brief Parses an 8103 settlement-day or 8104 reading-day reply (L = 04H): one BCD day.
 * @param request the read sent.
 * @param reply the reply.
 * @param day the day, 1..31.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_history().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_day(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                       uint8_t *day);

/**
 * @brief Parses an 8105 purse reply (L = 12H).
 * @param request the read sent.
 * @param reply the reply.
 * @param out the purse.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_history().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_purse(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                         prepay_cjt188_purse_t *out);

/**
 * @brief Parses a key-version reply (89H, L = 04H).
 * @param request the read-key-version request sent.
 * @param reply the reply.
 * @param version the key version.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_history().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_key_version(const prepay_cjt188_frame_t *request,
                                               const prepay_cjt188_frame_t *reply, uint8_t *version);

/**
 * @brief Parses a read-address reply (83H, L = 03H): the meter's type and address from the frame header.
 * @param request the read-address request sent.
 * @param reply the reply.
 * @param meter_type the meter's T (may be NULL).
 * @param address the meter's address.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_history(); ::PREPAY_E_CJT188_BAD_ADDRESS if the
 * reply's address is not BCD.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_address(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                           uint8_t *meter_type, prepay_cjt188_address_t *address);

/**
 * @brief Parses the reply to a write (84H to 04, 95H to 15H, 96H to 16H).
 *
 * Lengths by DI: A010, A016, A017 carry ST (L = 05H); A013 echoes the
 * purchase serial and amount (L = 08H); A014 the key version (L = 04H); the
 * others only DI + SER (L = 03H). A reply with an unexpected length is
 * ::PREPAY_E_CJT188_BAD_DATA. For A013 the echoed serial and amount must
 * equal the request's.
 * @param request the write sent.
 * @param reply the reply.
 * @param out what the reply carries.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_cjt188_reply_history().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_write(const prepay_cjt188_frame_t *request, const prepay_cjt188_frame_t *reply,
                                         prepay_cjt188_write_ack_t *out);
/** @} */

/* ======================================================================== */
/** @name Meter side: request parser, replies, purchase idempotency
 *  @{ */
/* ======================================================================== */

/**
 * @brief Parses a request addressed to a meter into a typed command.
 * @param request the decoded request frame.
 * @param out the command (`value` points into @p request); untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_REQUEST if it is a reply or not a standard function
 * with a DI, or the DI does not belong to the function;
 * ::PREPAY_E_CJT188_BAD_DATA for a wrong length; ::PREPAY_E_CJT188_BAD_VALUE;
 * ::PREPAY_E_CJT188_BAD_VALVE_COMMAND; ::PREPAY_E_CJT188_BAD_ADDRESS;
 * ::PREPAY_E_CJT188_BAD_UNIT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_parse_request(const prepay_cjt188_frame_t *request, prepay_cjt188_command_t *out);

/**
 * @brief Builds a normal reply to @p request: C | 80H, DI and SER echoed (in the request's DI order), then @p value.
 * @param out the frame.
 * @param request the request being answered.
 * @param self the meter's own type and address (a wildcard request is answered with them).
 * @param value bytes after DI + SER; may be NULL if @p value_len is 0.
 * @param value_len 3 + @p value_len must not exceed ::PREPAY_CJT188_MAX_DATA.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_REQUEST if @p request is a reply or has no DI;
 * ::PREPAY_E_CJT188_DATA_TOO_LONG.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_build(prepay_cjt188_frame_t *out, const prepay_cjt188_frame_t *request,
                                         const prepay_cjt188_target_t *self, const uint8_t *value, size_t value_len);

/**
 * @brief Builds an abnormal reply to @p request: C | C0H, L = 3, SER + ST.
 * @param out the frame.
 * @param request the request being refused.
 * @param self the meter's own type and address.
 * @param status ST.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_CJT188_BAD_REQUEST if @p request is a reply or has no SER.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_reply_build_abnormal(prepay_cjt188_frame_t *out, const prepay_cjt188_frame_t *request,
                                                  const prepay_cjt188_target_t *self, uint16_t status);

/**
 * @brief The purchase-serial rule a meter applies to A013 (idempotency keyed on the purchase serial, never on SER).
 *
 * A serial equal to the last accepted one is a replay: credit nothing and
 * answer as before. The next serial (last + 1 mod 256, or in BCD 00..99
 * with @p bcd) is a new purchase. Anything else is out of sequence. Before
 * any purchase (@p has_last false) every serial is new.
 * @param has_last whether the meter has accepted a purchase before.
 * @param last_serial the last accepted serial.
 * @param serial the serial in the request.
 * @param bcd whether serials count in BCD (00..99) rather than binary (00..FF).
 * @return ::PREPAY_OK for a new purchase, or an error.
 *
 * **Errors:** ::PREPAY_E_CJT188_PURCHASE_REPEAT; ::PREPAY_E_CJT188_PURCHASE_SEQUENCE;
 * ::PREPAY_E_CJT188_BAD_VALUE if @p bcd and a serial is not BCD.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_cjt188_purchase_check(bool has_last, uint8_t last_serial, uint8_t serial, bool bcd);
/** @} */

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_cjt188_frame_init(...) PREPAY_CONFIG_GUARDED(prepay_cjt188_frame_init, __VA_ARGS__)
#define prepay_cjt188_stream_init(...) PREPAY_CONFIG_GUARDED(prepay_cjt188_stream_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_CJT188_H */
