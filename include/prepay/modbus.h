/* SPDX-License-Identifier: MIT */
/**
 * @file modbus.h
 * @ingroup prepay_modbus
 * @brief Modbus RTU codec: ADU frames with CRC-16/MODBUS, request builders, response parsers and
 *        the request/response matcher, a sans-I/O stream parser (silent interval and length
 *        inference), and register maps as data with exact fixed-point decoding.
 *
 * Modbus RTU carries a PDU (function code + data, Modbus Application
 * Protocol Specification V1.1b3) in an ADU of unit address, PDU and a CRC
 * (Modbus over Serial Line Specification and Implementation Guide V1.02):
 *
 *     unit(1) function(1) data(0..252) CRC-lo CRC-hi      (at most 256 bytes)
 *
 * Frames are delimited on the line by at least 3.5 character times of
 * silence (V1.02 clause 2.5.1.1); the stream parser takes the caller's
 * timestamps or gap flags (it does no I/O and reads no clock) and also
 * infers a frame's length from its first bytes, so back-to-back frames
 * without timing are split too.
 *
 * Function codes handled: 01 read coils, 02 read discrete inputs, 03 read
 * holding registers, 04 read input registers, 05 write single coil,
 * 06 write single register, 0F write multiple coils, 10H write multiple
 * registers, and exception responses (function | 80H + exception code) of
 * any of them. Other function codes decode as opaque PDUs.
 *
 * **No floating point.** FLOAT32 registers are decoded from their IEEE-754
 * bits with integer arithmetic to the library's fixed-point units; a value
 * that cannot be given exactly is refused with ::PREPAY_E_MODBUS_INEXACT,
 * unless the register map declares the register a measurement that may be
 * rounded (see ::prepay_modbus_rule and prepay_modbus_float_to_fixed()).
 *
 * Contracts (see docs/security.md): nothing is read or written outside the
 * buffers given; outputs are untouched on error; no allocation, no global
 * mutable state; frames from the wire are untrusted.
 */
#ifndef PREPAY_MODBUS_H
#define PREPAY_MODBUS_H

/** @addtogroup prepay_modbus
 *  @{ */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/config.h"
#include "prepay/export.h"
#include "prepay/status.h"

/* ======================================================================== */
/** @name Status codes (module ::PREPAY_MODULE_MODBUS)
 *  @{ */
/* ======================================================================== */

/** @brief Fewer bytes than the smallest ADU (4) or than the length the PDU announces.
 *  prepay_strerror(): "Modbus: frame shorter than 4 bytes or than its PDU announces" */
#define PREPAY_E_MODBUS_TRUNCATED PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 1)
/** @brief More than 256 bytes, or more bytes than the PDU announces.
 *  prepay_strerror(): "Modbus: frame longer than 256 bytes or than its PDU announces" */
#define PREPAY_E_MODBUS_BAD_LENGTH PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 2)
/** @brief The CRC-16/MODBUS of the ADU is wrong.
 *  prepay_strerror(): "Modbus: CRC mismatch" */
#define PREPAY_E_MODBUS_BAD_CRC PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 3)
/** @brief The PDU does not have the structure of its function (byte count, quantity, coil value, exception length).
 *  prepay_strerror(): "Modbus: PDU does not have the structure of its function" */
#define PREPAY_E_MODBUS_BAD_PDU PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 4)
/** @brief A function code this codec cannot build or parse for the asked purpose.
 *  prepay_strerror(): "Modbus: function code not handled here" */
#define PREPAY_E_MODBUS_BAD_FUNCTION PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 5)
/** @brief A quantity outside the function's limits (1..2000 bits read, 1..125 registers read, 1..123 written, 1..1968 coils written) or an address range past FFFFH.
 *  prepay_strerror(): "Modbus: quantity outside the function's limits" */
#define PREPAY_E_MODBUS_BAD_QUANTITY PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 6)
/** @brief A unit address outside 0..247 (0 is broadcast; 248..255 are reserved).
 *  prepay_strerror(): "Modbus: unit address outside 0..247" */
#define PREPAY_E_MODBUS_BAD_UNIT PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 7)
/** @brief The response is an exception response; its code is in prepay_modbus_adu::exception.
 *  prepay_strerror(): "Modbus: exception response (see the exception code)" */
#define PREPAY_E_MODBUS_EXCEPTION PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 8)
/**
 * @brief The frame is not the response to this request (another unit, another
 *        function, or a request frame): a matcher ignores it and keeps waiting.
 *  prepay_strerror(): "Modbus: frame is not the response to this request (other unit or function)" */
#define PREPAY_E_MODBUS_NOT_A_MATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 9)
/** @brief Same unit and function, but the content does not answer the request (byte count, echoed address or value).
 *  prepay_strerror(): "Modbus: response content does not answer the request" */
#define PREPAY_E_MODBUS_BAD_RESPONSE PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 10)
/** @brief A value cannot be given exactly in the asked fixed-point unit (e.g. a FLOAT32 reading of 0.1234567 m³ in litres).
 *  prepay_strerror(): "Modbus: value cannot be given exactly in this unit" */
#define PREPAY_E_MODBUS_INEXACT PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 11)
/** @brief A register value that is not a number: FLOAT32 NaN or infinity, BCD with a nibble above 9.
 *  prepay_strerror(): "Modbus: register value is not a number (NaN, infinity, bad BCD)" */
#define PREPAY_E_MODBUS_BAD_VALUE PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 12)
/** @brief A register description that is invalid (type, word order, exponent) or needs more words than given.
 *  prepay_strerror(): "Modbus: invalid register description" */
#define PREPAY_E_MODBUS_BAD_REGISTER PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 13)
/** @brief A broadcast request (unit 0) has no response to match or parse.
 *  prepay_strerror(): "Modbus: a broadcast request has no response" */
#define PREPAY_E_MODBUS_BROADCAST PREPAY_STATUS_MAKE(PREPAY_MODULE_MODBUS, 14)
/** @} */

/* ======================================================================== */
/** @name Frame limits and function codes
 *  @{ */
/* ======================================================================== */

/** @brief Largest RTU ADU: 256 bytes (Serial Line V1.02 clause 2.5.1). */
#define PREPAY_MODBUS_ADU_MAX 256u
/** @brief Smallest RTU ADU: unit, function, CRC. */
#define PREPAY_MODBUS_ADU_MIN 4u
/** @brief Largest PDU data after the function code: 252 bytes (PDU 253 bytes). */
#define PREPAY_MODBUS_DATA_MAX 252u
/** @brief Unit address 0: broadcast, no response (Serial Line V1.02 clause 2.2). */
#define PREPAY_MODBUS_BROADCAST 0u
/** @brief Highest unit address; 248..255 are reserved. */
#define PREPAY_MODBUS_UNIT_MAX 247u
/** @brief Function code bit set in an exception response. */
#define PREPAY_MODBUS_EXCEPTION_FLAG 0x80u

#define PREPAY_MODBUS_FN_READ_COILS 0x01u              /**< @brief 01 read coils */
#define PREPAY_MODBUS_FN_READ_DISCRETE_INPUTS 0x02u    /**< @brief 02 read discrete inputs */
#define PREPAY_MODBUS_FN_READ_HOLDING_REGISTERS 0x03u  /**< @brief 03 read holding registers */
#define PREPAY_MODBUS_FN_READ_INPUT_REGISTERS 0x04u    /**< @brief 04 read input registers */
#define PREPAY_MODBUS_FN_WRITE_SINGLE_COIL 0x05u       /**< @brief 05 write single coil */
#define PREPAY_MODBUS_FN_WRITE_SINGLE_REGISTER 0x06u   /**< @brief 06 write single register */
#define PREPAY_MODBUS_FN_WRITE_MULTIPLE_COILS 0x0Fu    /**< @brief 0F write multiple coils */
#define PREPAY_MODBUS_FN_WRITE_MULTIPLE_REGISTERS 0x10u /**< @brief 10H write multiple registers */

/** @brief Most coils or discrete inputs one read asks for (7D0H). */
#define PREPAY_MODBUS_MAX_READ_BITS 2000u
/** @brief Most registers one read asks for (7DH). */
#define PREPAY_MODBUS_MAX_READ_REGISTERS 125u
/** @brief Most coils one write-multiple carries (7B0H). */
#define PREPAY_MODBUS_MAX_WRITE_COILS 1968u
/** @brief Most registers one write-multiple carries (7BH). */
#define PREPAY_MODBUS_MAX_WRITE_REGISTERS 123u
/** @brief Coil value ON of function 05. */
#define PREPAY_MODBUS_COIL_ON 0xFF00u
/** @brief Coil value OFF of function 05. */
#define PREPAY_MODBUS_COIL_OFF 0x0000u

#define PREPAY_MODBUS_EX_ILLEGAL_FUNCTION 0x01u      /**< @brief exception 01 illegal function */
#define PREPAY_MODBUS_EX_ILLEGAL_ADDRESS 0x02u       /**< @brief exception 02 illegal data address */
#define PREPAY_MODBUS_EX_ILLEGAL_VALUE 0x03u         /**< @brief exception 03 illegal data value */
#define PREPAY_MODBUS_EX_DEVICE_FAILURE 0x04u        /**< @brief exception 04 server device failure */
#define PREPAY_MODBUS_EX_ACKNOWLEDGE 0x05u           /**< @brief exception 05 acknowledge */
#define PREPAY_MODBUS_EX_DEVICE_BUSY 0x06u           /**< @brief exception 06 server device busy */
#define PREPAY_MODBUS_EX_MEMORY_PARITY 0x08u         /**< @brief exception 08 memory parity error */
#define PREPAY_MODBUS_EX_GATEWAY_PATH 0x0Au          /**< @brief exception 0A gateway path unavailable */
#define PREPAY_MODBUS_EX_GATEWAY_TARGET 0x0Bu        /**< @brief exception 0B gateway target device failed to respond */
/** @} */

/* ======================================================================== */
/* Types                                                                     */
/* ======================================================================== */

/** @brief Which way a frame goes: what the decoder checks the PDU structure against. */
typedef enum prepay_modbus_direction {
    PREPAY_MODBUS_ANY = 0,      /**< only unit, CRC and exception length are checked (bus sniffing) */
    PREPAY_MODBUS_REQUEST = 1,  /**< client (master) to server (slave) */
    PREPAY_MODBUS_RESPONSE = 2  /**< server to client */
} prepay_modbus_direction_t;

/** @brief One RTU ADU, decoded or ready to encode. */
typedef struct prepay_modbus_adu {
    uint8_t unit;         /**< unit (slave) address, 0 = broadcast */
    uint8_t function;     /**< function code as sent (80H set for an exception) */
    bool is_exception;    /**< function bit 7 set */
    uint8_t exception;    /**< exception code (0 unless is_exception) */
    uint8_t length;       /**< bytes of PDU data after the function code */
    uint8_t data[PREPAY_MODBUS_DATA_MAX]; /**< PDU data, `length` bytes valid */
} prepay_modbus_adu_t;

/** @brief A parsed request (server side, prepay_modbus_parse_request()). */
typedef struct prepay_modbus_request {
    uint8_t function;        /**< 01 02 03 04 05 06 0F 10H */
    uint16_t address;        /**< starting address */
    uint16_t quantity;       /**< bits or registers (1 for 05 and 06) */
    uint16_t value;          /**< 05: FF00H or 0000H; 06: the register value */
    const uint8_t *payload;  /**< 0F / 10H: the values as sent (points into the ADU) */
    size_t payload_len;      /**< bytes at `payload` */
} prepay_modbus_request_t;

/** @brief Data type of a mapped register. */
typedef enum prepay_modbus_type {
    PREPAY_MODBUS_TYPE_UINT16 = 0,  /**< one register, unsigned */
    PREPAY_MODBUS_TYPE_INT16 = 1,   /**< one register, two's complement */
    PREPAY_MODBUS_TYPE_UINT32 = 2,  /**< two registers, unsigned */
    PREPAY_MODBUS_TYPE_INT32 = 3,   /**< two registers, two's complement */
    PREPAY_MODBUS_TYPE_FLOAT32 = 4, /**< two registers, IEEE-754 binary32 (decoded without floating point) */
    PREPAY_MODBUS_TYPE_BCD16 = 5,   /**< one register, 4 BCD digits */
    PREPAY_MODBUS_TYPE_BCD32 = 6    /**< two registers, 8 BCD digits */
} prepay_modbus_type_t;

/**
 * @brief Byte order of a value across its registers. Bytes on the wire are
 *        b0 b1 (first register) b2 b3 (second register); the letters name
 *        the value's bytes from most (A) to least (D) significant as they arrive.
 */
typedef enum prepay_modbus_word_order {
    PREPAY_MODBUS_ORDER_ABCD = 0, /**< big-endian, high word first (the usual order) */
    PREPAY_MODBUS_ORDER_CDAB = 1, /**< low word first, each word big-endian ("Modicon" word swap) */
    PREPAY_MODBUS_ORDER_BADC = 2, /**< high word first, bytes swapped in each word */
    PREPAY_MODBUS_ORDER_DCBA = 3  /**< fully little-endian (16-bit values: bytes swapped) */
} prepay_modbus_word_order_t;

/**
 * @brief How a value that is not a whole number of the register's unit is treated.
 *
 * Meters compute FLOAT32 registers from their own counters, so a float is
 * rarely a whole number of litres or watts. A map says per register what
 * the station may do: billed quantities use EXACT or DECIMAL, measurements
 * (flow, voltage, temperature) may declare ROUND.
 */
typedef enum prepay_modbus_rule {
    /** Only exact values: anything else is ::PREPAY_E_MODBUS_INEXACT. */
    PREPAY_MODBUS_RULE_EXACT = 0,
    /**
     * Exact values, and floats that are the correctly rounded binary32 of a
     * unique number with that many decimals (0x3F0B851F is 0.545: 545 with
     * exponent 3). Integer types: as EXACT.
     */
    PREPAY_MODBUS_RULE_DECIMAL = 1,
    /** Round to the nearest unit, halves away from zero (::PREPAY_ROUND_HALF_UP, the library's rule). */
    PREPAY_MODBUS_RULE_ROUND = 2
} prepay_modbus_rule_t;

/** @brief Fixed-point unit a register value is decoded to (raw x 10^exponent in this unit). */
typedef enum prepay_modbus_unit {
    PREPAY_MODBUS_UNIT_NONE = 0,          /**< a count, code or bit field */
    PREPAY_MODBUS_UNIT_WH = 1,            /**< energy, Wh (the library's energy unit) */
    PREPAY_MODBUS_UNIT_LITRE = 2,         /**< volume, L (the library's volume unit) */
    PREPAY_MODBUS_UNIT_FEN = 3,           /**< money, fen (the library's money unit) */
    PREPAY_MODBUS_UNIT_W = 4,             /**< active power, W */
    PREPAY_MODBUS_UNIT_VA = 5,            /**< apparent power, VA */
    PREPAY_MODBUS_UNIT_MILLIVOLT = 6,     /**< voltage, mV */
    PREPAY_MODBUS_UNIT_MILLIAMPERE = 7,   /**< current, mA */
    PREPAY_MODBUS_UNIT_PER_MILLE = 8,     /**< power factor x 1000 */
    PREPAY_MODBUS_UNIT_LITRE_PER_HOUR = 9, /**< flow, L/h */
    PREPAY_MODBUS_UNIT_MILLI_CELSIUS = 10, /**< temperature, 0.001 °C */
    PREPAY_MODBUS_UNIT_PASCAL = 11        /**< pressure, Pa */
} prepay_modbus_unit_t;

/** @brief One mapped value. */
typedef struct prepay_modbus_register {
    const char *name;   /**< short key, e.g. "energy_total" */
    uint16_t address;   /**< register address on the wire (0-based) */
    uint8_t function;   /**< read function: 03 (holding) or 04 (input) */
    uint8_t type;       /**< ::prepay_modbus_type */
    uint8_t order;      /**< ::prepay_modbus_word_order */
    int8_t exponent;    /**< value in `unit` = raw x 10^exponent (FLOAT32: the float x 10^exponent), -18..18 */
    uint8_t unit;       /**< ::prepay_modbus_unit */
    uint8_t rule;       /**< ::prepay_modbus_rule for values that are not whole units */
    bool writable;      /**< the register is writable (06 / 10H) */
} prepay_modbus_register_t;

/** @brief A register map: a device's registers as data. */
typedef struct prepay_modbus_map {
    const char *name;                         /**< short name, e.g. "ddsy1352" */
    const char *source;                       /**< the public document the map was taken from */
    const prepay_modbus_register_t *registers; /**< the registers */
    size_t count;                             /**< number of registers */
} prepay_modbus_map_t;

/** @brief One decoded value of a block read (prepay_modbus_map_decode()). */
typedef struct prepay_modbus_value {
    const prepay_modbus_register_t *reg; /**< the register */
    int status;                          /**< ::PREPAY_OK, or why `value` is not valid (e.g. ::PREPAY_E_MODBUS_INEXACT) */
    int64_t value;                       /**< the value in the register's unit */
} prepay_modbus_value_t;

/** @brief Caller-owned state of the RTU stream parser; members are private. */
typedef struct prepay_modbus_stream {
    uint32_t magic;          /**< private: set by init */
    uint8_t direction;       /**< private: ::prepay_modbus_direction of the frames expected */
    bool has_time;           /**< private: `last_us` is set */
    bool has_gap;            /**< private: a silent interval lies at `gap_at` */
    uint32_t silent_us;      /**< private: t3.5 in µs */
    uint32_t char_us;        /**< private: one character time in µs */
    uint64_t last_us;        /**< private: arrival time of the last byte fed */
    size_t head;             /**< private: first held byte */
    size_t used;             /**< private: end of held bytes */
    size_t gap_at;           /**< private: index where the silent interval lies */
    uint64_t bytes_in;       /**< private: bytes accepted */
    uint64_t bytes_dropped;  /**< private: bytes discarded */
    uint64_t bytes_framed;   /**< private: bytes of yielded frames */
    uint64_t frames;         /**< private: frames yielded */
    uint8_t buffer[PREPAY_MODBUS_STREAM_BUFFER]; /**< private: pending bytes */
} prepay_modbus_stream_t;

/** @brief Counters of a stream parser; `bytes_in == bytes_dropped + bytes_framed + bytes_pending` always. */
typedef struct prepay_modbus_stream_stats {
    uint64_t bytes_in;      /**< bytes accepted */
    uint64_t bytes_dropped; /**< bytes discarded (noise, bad CRC, runts) */
    uint64_t bytes_framed;  /**< bytes of the frames yielded */
    uint64_t bytes_pending; /**< bytes held */
    uint64_t frames;        /**< frames yielded */
} prepay_modbus_stream_stats_t;

PREPAY_BEGIN_DECLS

/* ======================================================================== */
/** @name CRC and frame codec
 *  @{ */
/* ======================================================================== */

/**
 * @brief CRC-16/MODBUS (init FFFFH, reflected polynomial A001H); sent low byte first.
 * @param bytes the bytes; may be NULL if @p len is 0.
 * @param len number of bytes.
 * @return the CRC (for `01 03 00 00 00 02` it is 0BC4H, sent `C4 0B`).
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint16_t prepay_modbus_crc16(const uint8_t *bytes, size_t len);

/**
 * @brief Total ADU length announced by the first bytes of a frame, for its direction.
 *
 * Requests 01..06 are 8 bytes, 0F / 10H 9 + byte count; responses 01..04
 * 5 + byte count, 05 06 0F 10H 8, exceptions 5. ANY gives a length only
 * where both directions agree (exceptions); use the stream parser to
 * split sniffed traffic.
 * @param prefix the first bytes.
 * @param prefix_len their number.
 * @param direction the direction.
 * @return the length (4..256), 0 if more bytes are needed to tell, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL;
 * ::PREPAY_E_MODBUS_BAD_FUNCTION for a function whose length cannot be inferred;
 * ::PREPAY_E_MODBUS_BAD_LENGTH if the announced length exceeds 256.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_expected_length(const uint8_t *prefix, size_t prefix_len,
                                             prepay_modbus_direction_t direction);

/**
 * @brief Decodes one complete RTU ADU (exactly @p in_len bytes: the frame between two silent intervals).
 *
 * Checks, in order: 4..256 bytes, CRC, unit address (0..247), exception
 * length, and for REQUEST / RESPONSE the PDU structure of functions 01..06,
 * 0F, 10H (lengths, byte counts, quantities, coil values).
 * @param in the bytes (hostile input expected).
 * @param in_len the frame length.
 * @param direction what to check the PDU against.
 * @param out the ADU; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or an unknown direction;
 * ::PREPAY_E_MODBUS_TRUNCATED; ::PREPAY_E_MODBUS_BAD_LENGTH;
 * ::PREPAY_E_MODBUS_BAD_CRC; ::PREPAY_E_MODBUS_BAD_UNIT; ::PREPAY_E_MODBUS_BAD_PDU.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_decode(const uint8_t *in, size_t in_len, prepay_modbus_direction_t direction,
                                    prepay_modbus_adu_t *out);

/**
 * @brief Encodes an ADU: unit, function, data, CRC (low byte first).
 * @param adu the ADU (uses unit, function, length, data).
 * @param out destination.
 * @param out_cap capacity; nothing is written beyond it.
 * @return bytes written (4 + length), or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_MODBUS_BAD_LENGTH if length exceeds 252; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_encode(const prepay_modbus_adu_t *adu, uint8_t *out, size_t out_cap);
/** @} */

/* ======================================================================== */
/** @name Request builders (client side)
 *
 * Each fills @p out, ready for prepay_modbus_encode(); untouched on error.
 * Unit 0 broadcasts (writes only: the server does not answer).
 *  @{ */
/* ======================================================================== */

/**
 * @brief Read request (01, 02, 03 or 04): address + quantity.
 * @param out the ADU.
 * @param unit 1..247 (a read cannot be broadcast).
 * @param function 01 02 03 04.
 * @param address starting address.
 * @param quantity 1..2000 bits or 1..125 registers; address + quantity must not pass 10000H.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_MODBUS_BAD_UNIT;
 * ::PREPAY_E_MODBUS_BAD_FUNCTION; ::PREPAY_E_MODBUS_BAD_QUANTITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_request_read(prepay_modbus_adu_t *out, uint8_t unit, uint8_t function,
                                          uint16_t address, uint16_t quantity);

/**
 * @brief Write single coil (05): FF00H on, 0000H off.
 * @param out the ADU.
 * @param unit 0..247.
 * @param address the coil.
 * @param on the value.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_MODBUS_BAD_UNIT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_request_write_coil(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address, bool on);

/**
 * @brief Write single register (06).
 * @param out the ADU.
 * @param unit 0..247.
 * @param address the register.
 * @param value the value.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_MODBUS_BAD_UNIT.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_request_write_register(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address,
                                                    uint16_t value);

/**
 * @brief Write multiple registers (10H).
 * @param out the ADU.
 * @param unit 0..247.
 * @param address starting register.
 * @param values the values (sent big-endian).
 * @param count 1..123.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_MODBUS_BAD_UNIT; ::PREPAY_E_MODBUS_BAD_QUANTITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_request_write_registers(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address,
                                                     const uint16_t *values, size_t count);

/**
 * @brief Write multiple coils (0F).
 * @param out the ADU.
 * @param unit 0..247.
 * @param address starting coil.
 * @param bits packed coil values, coil `address` in bit 0 of byte 0 (unused high bits must be 0 and are sent as 0).
 * @param count 1..1968 coils.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_MODBUS_BAD_UNIT; ::PREPAY_E_MODBUS_BAD_QUANTITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_request_write_coils(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address,
                                                 const uint8_t *bits, size_t count);
/** @} */

/* ======================================================================== */
/** @name Matching and response parsers (client side)
 *  @{ */
/* ======================================================================== */

/**
 * @brief Whether @p response answers @p request.
 *
 * Another unit or another function (exceptions of the request's function
 * excepted) is ::PREPAY_E_MODBUS_NOT_A_MATCH: a client ignores such a frame
 * and keeps waiting for its own. A matching exception response gives
 * ::PREPAY_E_MODBUS_EXCEPTION; a matching frame whose content does not
 * answer the request (byte count, echo) ::PREPAY_E_MODBUS_BAD_RESPONSE.
 * @param request the request sent.
 * @param response a decoded frame.
 * @return ::PREPAY_OK if @p response is the normal response, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_MODBUS_BROADCAST
 * if @p request is broadcast; ::PREPAY_E_MODBUS_NOT_A_MATCH;
 * ::PREPAY_E_MODBUS_EXCEPTION; ::PREPAY_E_MODBUS_BAD_RESPONSE;
 * ::PREPAY_E_MODBUS_BAD_FUNCTION if @p request is not a request this module builds.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_match(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response);

/**
 * @brief Register values of a response to 03 / 04.
 * @param request the request sent.
 * @param response the response.
 * @param values out: the registers in order.
 * @param cap capacity of @p values.
 * @return the number of registers (the request's quantity), or an error.
 *
 * **Errors:** as prepay_modbus_match(); ::PREPAY_E_MODBUS_BAD_FUNCTION if
 * @p request is not 03 / 04; ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_response_registers(const prepay_modbus_adu_t *request,
                                                const prepay_modbus_adu_t *response, uint16_t *values,
                                                size_t cap);

/**
 * @brief Bit values of a response to 01 / 02, packed as sent (bit 0 of byte 0 is the first).
 * @param request the request sent.
 * @param response the response.
 * @param bits out: ceil(quantity / 8) bytes; bits past the quantity are cleared.
 * @param cap capacity of @p bits in bytes.
 * @return the number of bits (the request's quantity), or an error.
 *
 * **Errors:** as prepay_modbus_response_registers().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_response_bits(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response,
                                           uint8_t *bits, size_t cap);
/** @} */

/* ======================================================================== */
/** @name Server side
 *  @{ */
/* ======================================================================== */

/**
 * @brief Parses a request ADU into function, address, quantity and values.
 * @param request the decoded request (structure checked with ::PREPAY_MODBUS_REQUEST).
 * @param out the parts (`payload` points into @p request); untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_MODBUS_BAD_FUNCTION for a
 * function other than 01..06, 0F, 10H or an exception; ::PREPAY_E_MODBUS_BAD_PDU;
 * ::PREPAY_E_MODBUS_BAD_QUANTITY.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_parse_request(const prepay_modbus_adu_t *request, prepay_modbus_request_t *out);

/**
 * @brief Builds the normal response to @p request: registers (03 / 04), bits (01 / 02), or the echo (05 06 0F 10H).
 * @param out the ADU.
 * @param request the request being answered.
 * @param registers 03 / 04: the quantity of values (ignored otherwise; may be NULL).
 * @param bits 01 / 02: ceil(quantity / 8) packed bytes (ignored otherwise; may be NULL).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** as prepay_modbus_parse_request(); ::PREPAY_E_INVALID_ARGUMENT if the
 * values needed are NULL; ::PREPAY_E_MODBUS_BROADCAST for a broadcast request.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_response_build(prepay_modbus_adu_t *out, const prepay_modbus_adu_t *request,
                                            const uint16_t *registers, const uint8_t *bits);

/**
 * @brief Builds an exception response: function | 80H, the code.
 * @param out the ADU.
 * @param request the request refused.
 * @param code exception code 01..FFH.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL or code 0;
 * ::PREPAY_E_MODBUS_BROADCAST for a broadcast request.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_response_exception(prepay_modbus_adu_t *out, const prepay_modbus_adu_t *request,
                                                uint8_t code);
/** @} */

/* ======================================================================== */
/** @name Stream parser (RTU framing, sans-I/O)
 *  @{ */
/* ======================================================================== */

/**
 * @brief The RTU silent interval t3.5 for a baud rate, in µs (11-bit characters; 1750 µs above 19200 bit/s).
 * @param baud bit/s (> 0).
 * @return t3.5 in µs, rounded up; 0 for baud 0.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API uint32_t prepay_modbus_silent_interval_us(uint32_t baud);

/**
 * @brief Initialises a stream parser.
 * @param stream the state.
 * @param direction the frames expected: RESPONSE on a client, REQUEST on a server, ANY to sniff.
 * @param baud line speed for the silent interval (0: no timing; frames are split by length inference and gaps given with prepay_modbus_stream_gap()).
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL or an unknown direction.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_stream_init(prepay_modbus_stream_t *stream, prepay_modbus_direction_t direction,
                                         uint32_t baud);

/**
 * @brief Gives received bytes with the time the last of them arrived.
 *
 * If the line was silent for at least t3.5 before the first of these bytes
 * (the time since the previous chunk, less this chunk's own transmission
 * time), a frame boundary is placed before them. Times must not go
 * backwards; a smaller time counts as no silence. A chunk must not span a
 * silent interval (feed bytes as the UART delivers them): the parser can
 * only place a boundary before a chunk. While a boundary is
 * pending, bytes after a new silence are not taken (0 is returned): call
 * prepay_modbus_stream_next() until it returns 0 first.
 * @param stream the state.
 * @param in the bytes; may be NULL if @p in_len is 0.
 * @param in_len their number.
 * @param now_us arrival time of the last byte, in µs from any fixed origin.
 * @return bytes taken, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_stream_feed(prepay_modbus_stream_t *stream, const uint8_t *in, size_t in_len,
                                         uint64_t now_us);

/**
 * @brief Tells the parser the line has been silent for t3.5 (e.g. a UART idle interrupt): the held bytes end a frame.
 * @param stream the state.
 * @return 1 if a boundary was placed; 0 if there is nothing to delimit, or a
 *         boundary is still pending (call prepay_modbus_stream_next() until it
 *         returns 0, then call this again); or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_BAD_STATE if not initialised.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_stream_gap(prepay_modbus_stream_t *stream);

/**
 * @brief Takes the next frame out of the parser.
 *
 * A frame is yielded as soon as its inferred length is present with a
 * valid CRC, or when a silent interval closes bytes with a valid CRC (any
 * function). Bytes closed by a silent interval that do not form a frame
 * lose their first byte and the rest of the segment is rescanned (noise
 * before a frame does not hide it; a segment without a frame is dropped
 * whole, the RTU rule for a bad frame); without a boundary, a candidate
 * whose inferred length fails the CRC loses one byte and the rest is
 * rescanned, a waiting candidate is abandoned as soon as a complete valid
 * frame starts behind it, and 256 bytes without a frame lose one byte.
 * @param stream the state.
 * @param out the frame; written only when 1 is returned.
 * @return 1 if a frame was stored, 0 if more bytes (or a gap) are needed, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_stream_next(prepay_modbus_stream_t *stream, prepay_modbus_adu_t *out);

/**
 * @brief Reads the counters.
 * @param stream the state.
 * @param out the counters.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_BAD_STATE.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_stream_stats(const prepay_modbus_stream_t *stream, prepay_modbus_stream_stats_t *out);
/** @} */

/* ======================================================================== */
/** @name Register values and maps
 *  @{ */
/* ======================================================================== */

/**
 * @brief Converts IEEE-754 binary32 bits to a fixed-point integer N = x × 10^exponent, with integer arithmetic only.
 *
 * EXACT accepts N only if x × 10^exponent is a whole number. DECIMAL also
 * accepts N when binary32 steps near x are finer than 10^-exponent and x is
 * the correctly rounded binary32 of N / 10^exponent (the one decimal the
 * float can stand for). ROUND rounds x × 10^exponent to the nearest whole
 * number, halves away from zero.
 * @param bits the binary32 bits.
 * @param exponent -18..18.
 * @param rule a ::prepay_modbus_rule.
 * @param out the integer; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL, an exponent out of range
 * or an unknown rule; ::PREPAY_E_MODBUS_BAD_VALUE for NaN and infinities;
 * ::PREPAY_E_MODBUS_INEXACT; ::PREPAY_E_OVERFLOW if N does not fit int64.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_float_to_fixed(uint32_t bits, int exponent, prepay_modbus_rule_t rule, int64_t *out);

/**
 * @brief The binary32 nearest to value / 10^exponent (ties to even), computed with integers
 *        (the inverse of prepay_modbus_float_to_fixed() with DECIMAL).
 * @param value the fixed-point value.
 * @param exponent -18..18 (as in prepay_modbus_float_to_fixed()).
 * @param bits the binary32 bits; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL or an exponent out of range;
 * ::PREPAY_E_OVERFLOW if the value is beyond the binary32 range.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_fixed_to_float(int64_t value, int exponent, uint32_t *bits);

/**
 * @brief Registers a value of @p type occupies: 1 or 2 (0 for an unknown type).
 * @param type a ::prepay_modbus_type.
 * @return the word count.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API size_t prepay_modbus_type_words(uint8_t type);

/**
 * @brief Decodes a register value to its fixed-point unit: raw x 10^exponent, under the register's rule.
 * @param reg the register description.
 * @param words the register words in the order received (words[0] at reg->address).
 * @param count number of words available (at least prepay_modbus_type_words()).
 * @param out the value in `reg->unit`; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL; ::PREPAY_E_MODBUS_BAD_REGISTER;
 * ::PREPAY_E_MODBUS_BAD_VALUE; ::PREPAY_E_MODBUS_INEXACT; ::PREPAY_E_OVERFLOW.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_value_decode(const prepay_modbus_register_t *reg, const uint16_t *words, size_t count,
                                          int64_t *out);

/**
 * @brief Encodes a fixed-point value into register words (for writes): the inverse of prepay_modbus_value_decode().
 * @param reg the register description.
 * @param value the value in `reg->unit`.
 * @param words out: prepay_modbus_type_words() words in wire order.
 * @param cap capacity of @p words.
 * @return the number of words, or an error; @p words untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT; ::PREPAY_E_MODBUS_BAD_REGISTER;
 * ::PREPAY_E_MODBUS_INEXACT if the value is not a whole raw step;
 * ::PREPAY_E_OUT_OF_RANGE if the raw value does not fit the type;
 * ::PREPAY_E_BUFFER_TOO_SMALL.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_value_encode(const prepay_modbus_register_t *reg, int64_t value, uint16_t *words,
                                          size_t cap);

/**
 * @brief Decodes every register of @p map that a block of @p count words read from @p start (with @p function) covers.
 * @param map the map.
 * @param function 03 or 04: registers of the other table are skipped.
 * @param start address of words[0].
 * @param words the register words.
 * @param count their number.
 * @param out the values, in map order; each has its own status.
 * @param cap capacity of @p out.
 * @return the number of values stored, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_BUFFER_TOO_SMALL if more registers are covered than @p cap.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_modbus_map_decode(const prepay_modbus_map_t *map, uint8_t function, uint16_t start,
                                        const uint16_t *words, size_t count, prepay_modbus_value_t *out,
                                        size_t cap);

/**
 * @brief Finds a register of a map by name.
 * @param map the map.
 * @param name the name (NUL-terminated).
 * @return the register, or NULL.
 *
 * **Errors:** none (NULL if not found or a pointer is NULL).
 */
PREPAY_API const prepay_modbus_register_t *prepay_modbus_map_find(const prepay_modbus_map_t *map, const char *name);

/**
 * @brief The shipped maps: "ddsy1352" (Acrel DDSY1352 prepaid electricity meter, manual clause 8.1) and
 *        "xintai-water" (Kaifeng Xintai valve water meter, "Water Meter MODBUS 485 protocol V1").
 * @param index 0, 1, ...
 * @return the map, or NULL past the last one.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const prepay_modbus_map_t *prepay_modbus_map_builtin(size_t index);

/**
 * @brief A shipped map by name ("ddsy1352", "xintai-water").
 * @param name the name (NUL-terminated).
 * @return the map, or NULL.
 *
 * **Errors:** none (NULL if unknown).
 */
PREPAY_API const prepay_modbus_map_t *prepay_modbus_map_by_name(const char *name);

/**
 * @brief Symbol of a ::prepay_modbus_unit ("Wh", "L", "fen", "W", "VA", "mV", "mA", "permille", "L/h", "mdegC", "Pa", "").
 * @param unit the unit.
 * @return a static string ("?" for an unknown unit).
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_modbus_unit_symbol(uint8_t unit);
/** @} */

PREPAY_END_DECLS

/* A caller built with other PREPAY_MAX_* capacities gets PREPAY_E_CONFIG_MISMATCH
 * from these calls instead of a struct overrun (config_fingerprint.h). */
#if PREPAY_CONFIG_GUARDS
#define prepay_modbus_stream_init(...) PREPAY_CONFIG_GUARDED(prepay_modbus_stream_init, __VA_ARGS__)
#endif
/** @} */

#endif /* PREPAY_MODBUS_H */
