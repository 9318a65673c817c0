/* SPDX-License-Identifier: MIT */
/**
 * @file bcd.h
 * @ingroup prepay_common
 * @brief Packed BCD helpers in DL/T 645 byte order (least significant byte first).
 *
 * DL/T 645-2007 appendix A carries numbers as packed BCD, two digits a byte,
 * least significant byte first on the wire; signed quantities (current,
 * power, power factor) put the sign in bit 7 of the most significant byte.
 * These helpers work on bytes after the +0x33 link offset has been removed.
 */
#ifndef PREPAY_BCD_H
#define PREPAY_BCD_H

/** @addtogroup prepay_common
 *  @{ */

#include <stddef.h>
#include <stdint.h>

#include "prepay/export.h"

/** @brief Most bytes a BCD number may have in these helpers (18 digits fit uint64_t exactly). */
#define PREPAY_BCD_MAX_BYTES 9

PREPAY_BEGIN_DECLS

/**
 * @brief Decodes one packed-BCD byte (0x00..0x99) to 0..99.
 * @param bcd the byte.
 * @param out the value; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_BAD_BCD if a nibble is above 9.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_bcd_decode_byte(uint8_t bcd, uint8_t *out);

/**
 * @brief Encodes 0..99 as one packed-BCD byte.
 * @param value 0..99.
 * @param out the byte; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT if @p out is NULL;
 * ::PREPAY_E_OUT_OF_RANGE if @p value > 99.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_bcd_encode_byte(unsigned value, uint8_t *out);

/**
 * @brief Decodes an unsigned BCD number of @p len bytes, least significant byte first.
 * @param in the bytes.
 * @param len 1..::PREPAY_BCD_MAX_BYTES.
 * @param out the value; untouched on error.
 * @return ::PREPAY_OK, or an error.
 *
 * Reads exactly @p len bytes.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL pointers or a bad @p len;
 * ::PREPAY_E_BAD_BCD if any nibble is above 9.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_bcd_decode(const uint8_t *in, size_t len, uint64_t *out);

/**
 * @brief Encodes an unsigned number as @p len BCD bytes, least significant byte first.
 * @param value the number.
 * @param out destination of exactly @p len bytes.
 * @param len 1..::PREPAY_BCD_MAX_BYTES.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL or a bad @p len;
 * ::PREPAY_E_OUT_OF_RANGE if @p value needs more than 2 x @p len digits.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_bcd_encode(uint64_t value, uint8_t *out, size_t len);

/**
 * @brief Decodes a signed BCD number: sign in bit 7 of the last (most significant) byte.
 * @param in the bytes.
 * @param len 1..::PREPAY_BCD_MAX_BYTES.
 * @param out the value; untouched on error. "Minus zero" decodes as 0.
 * @return ::PREPAY_OK, or an error.
 *
 * The most significant byte thus carries one digit and a 3-bit digit
 * (0..7) in its high nibble.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL or a bad @p len;
 * ::PREPAY_E_BAD_BCD if a nibble (after removing the sign) is above 9.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_bcd_decode_signed(const uint8_t *in, size_t len, int64_t *out);

/**
 * @brief Encodes a signed number as @p len BCD bytes with the sign in bit 7 of the last byte.
 * @param value the number.
 * @param out destination of exactly @p len bytes.
 * @param len 1..::PREPAY_BCD_MAX_BYTES.
 * @return ::PREPAY_OK, or an error; @p out untouched on error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT for NULL or a bad @p len;
 * ::PREPAY_E_OUT_OF_RANGE if |value| does not fit in 2 x @p len digits
 * with the top digit at most 7.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_bcd_encode_signed(int64_t value, uint8_t *out, size_t len);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_BCD_H */
