/* SPDX-License-Identifier: MIT */
/**
 * @file dtu.h
 * @brief DTU registration and heartbeat packets: a configurable, regex-free byte-pattern matcher.
 *
 * A GPRS/4G DTU (data transfer unit) is a modem that carries an RS-485 bus
 * to the station over TCP. A DTU configured as a *client* dials in to the
 * station and, before any meter traffic, sends a **registration packet**
 * that identifies it (its configured id, its IMEI, its SIM's ICCID, …);
 * while idle it sends a **heartbeat packet** now and then. Everything else
 * on the connection is the transparent bytes of the bus (DL/T 645 frames).
 * The packet format is set in each vendor's DTU configuration tool, so the
 * station must be told what to expect: this header describes the two
 * forms stations commonly support, as a small pattern language compiled
 * into a ::prepay_dtu_format_t.
 *
 * ### Pattern text (prepay_dtu_format_parse())
 * - `prefix:TEXT` — the ASCII bytes of TEXT, then the id: 1..32 printable
 *   ASCII characters (0x21..0x7E), ending at the first other byte or at the
 *   end of the packet. `\xHH` in TEXT is the byte HH, `\\` a backslash.
 *   Example: `prefix:REG:` matches `REG:DTU0042`, id `DTU0042`.
 * - `pattern:TOKENS` — space-separated tokens, matched in order:
 *   - `HH` — one literal byte in hex (`7B`, `0d`);
 *   - `'TEXT'` — literal ASCII bytes (no quote or space inside; use hex for those);
 *   - `??` — any one byte;
 *   - `{id:N}` — N bytes of id, printable ASCII (1 ≤ N ≤ 32);
 *   - `{id:N-M}` — N..M printable ASCII id bytes, ending before the next
 *     token's literal byte (which must follow) or, as the last token, at
 *     the first non-printable byte or the end of the packet;
 *   - `{idhex:N}` — N binary id bytes, shown as 2N hex digits (packed IMEI,
 *     vendor binary ids; 1 ≤ N ≤ 32).
 *   At most one id token. Example (a binary registration frame of the form
 *   `7B 01 00 16` + 11-digit ASCII id + `7B`):
 *   `pattern:7B 01 00 16 {id:11} 7B`.
 *
 * ### Matching
 * prepay_dtu_match() looks at the bytes received so far from the start of
 * a connection or after the end of the previous packet; it answers "this
 * many bytes are a packet with this id", "not yet: more bytes needed", or
 * "these bytes are not such a packet". A variable-length id at the end of
 * a pattern is only complete when the caller says the packet has ended
 * (`complete`: the bytes arrived together and nothing followed within the
 * inter-byte gap), since TCP keeps no packet boundaries.
 *
 * Freestanding: no allocation, constant stack, no global state; nothing is
 * read outside the lengths given (hostile input expected: the bytes come
 * from the network before the DTU is known).
 */
#ifndef PREPAY_DTU_H
#define PREPAY_DTU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/export.h"
#include "prepay/status.h"

/** @name Status codes (module ::PREPAY_MODULE_TRANSPORT, numbers 1..15: registration packets)
 *  @{ */
/** @brief A registration or heartbeat pattern text is malformed (unknown token, bad hex, two id tokens, ...).
 *  prepay_strerror(): "transport: malformed DTU registration or heartbeat pattern" */
#define PREPAY_E_TRANSPORT_BAD_FORMAT PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 1)
/** @brief The bytes are not a packet of the given format.
 *  prepay_strerror(): "transport: bytes are not a packet of the DTU format" */
#define PREPAY_E_TRANSPORT_NO_MATCH PREPAY_STATUS_MAKE(PREPAY_MODULE_TRANSPORT, 2)
/** @} */

/** @brief Most tokens of a compiled pattern (a literal byte, an any-byte or an id field each count one). */
#define PREPAY_DTU_MAX_TOKENS 64u
/** @brief Most bytes of a DTU id on the wire. */
#define PREPAY_DTU_ID_MAX 32u
/** @brief Capacity of ::prepay_dtu_packet::id: a hex-shown binary id of ::PREPAY_DTU_ID_MAX bytes and the NUL. */
#define PREPAY_DTU_ID_TEXT_MAX (2u * PREPAY_DTU_ID_MAX + 1u)

/** @brief Kinds of pattern token (private to the matcher; listed for the struct's documentation). */
typedef enum prepay_dtu_token_kind {
    PREPAY_DTU_TOKEN_LITERAL = 0, /**< one literal byte (`value`) */
    PREPAY_DTU_TOKEN_ANY = 1,     /**< any one byte */
    PREPAY_DTU_TOKEN_ID_TEXT = 2, /**< `min`..`max` printable ASCII id bytes */
    PREPAY_DTU_TOKEN_ID_HEX = 3   /**< `min` (= `max`) binary id bytes shown in hex */
} prepay_dtu_token_kind_t;

/** @brief One token of a compiled pattern. */
typedef struct prepay_dtu_token {
    uint8_t kind;  /**< ::prepay_dtu_token_kind */
    uint8_t value; /**< LITERAL: the byte */
    uint8_t min;   /**< id tokens: fewest id bytes */
    uint8_t max;   /**< id tokens: most id bytes */
} prepay_dtu_token_t;

/**
 * @brief A compiled registration or heartbeat format (caller-owned, plain data, 264 bytes).
 *
 * Build it with prepay_dtu_format_parse(); members are private.
 */
typedef struct prepay_dtu_format {
    uint32_t magic;                                  /**< private: set by prepay_dtu_format_parse() */
    uint8_t count;                                   /**< private: tokens used */
    uint8_t has_id;                                  /**< private: 1 if one token is an id field */
    uint8_t reserved[2];                             /**< private */
    prepay_dtu_token_t tokens[PREPAY_DTU_MAX_TOKENS]; /**< private */
} prepay_dtu_format_t;

/** @brief A matched packet. */
typedef struct prepay_dtu_packet {
    size_t length;                   /**< bytes of the packet from the start of the input */
    uint8_t id_length;               /**< id bytes on the wire (0 if the format has no id) */
    bool id_hex;                     /**< the id was binary and is shown in hex */
    char id[PREPAY_DTU_ID_TEXT_MAX]; /**< the id as text, NUL-terminated ("" if none) */
} prepay_dtu_packet_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Compiles a pattern text (`prefix:TEXT` or `pattern:TOKENS`, see the file description).
 * @param text the text; need not be NUL-terminated.
 * @param text_len its length in bytes.
 * @param out the compiled format; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers;
 * ::PREPAY_E_TRANSPORT_BAD_FORMAT for an unknown form, an empty pattern, a
 * bad token, more than ::PREPAY_DTU_MAX_TOKENS tokens, more than one id
 * token, an id size outside 1..::PREPAY_DTU_ID_MAX, or a variable-length
 * id followed by something other than a literal byte.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dtu_format_parse(const char *text, size_t text_len, prepay_dtu_format_t *out);

/**
 * @brief Matches a packet at the start of @p in.
 * @param format a compiled format.
 * @param in the bytes received (from the start of a connection or just after the previous packet).
 * @param in_len bytes at @p in; may be 0.
 * @param complete true if no more bytes of this packet can come (the input ends the packet).
 * @param out the packet (length and id); written only when a positive length is returned. May be NULL.
 * @return the packet's length (> 0); 0 if the bytes so far are a beginning of such a packet
 *         and more are needed (never when @p complete); or an error.
 *
 * Reads only `in[0 .. in_len)`. A variable-length id takes as many id bytes
 * as allowed before the next literal (or, at the end of the pattern, before
 * the first non-printable byte); there is no backtracking.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for a NULL @p format, or a NULL
 * @p in with @p in_len > 0; ::PREPAY_E_BAD_STATE if @p format was not
 * compiled by prepay_dtu_format_parse(); ::PREPAY_E_TRANSPORT_NO_MATCH.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_dtu_match(const prepay_dtu_format_t *format, const uint8_t *in, size_t in_len, bool complete,
                                prepay_dtu_packet_t *out);

/**
 * @brief Whether the format carries an id field.
 * @param format a compiled format; NULL gives false.
 * @return true if one of its tokens is an id.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API bool prepay_dtu_format_has_id(const prepay_dtu_format_t *format);

PREPAY_END_DECLS

#endif /* PREPAY_DTU_H */
