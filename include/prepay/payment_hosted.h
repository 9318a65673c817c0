/* SPDX-License-Identifier: MIT */
/**
 * @file payment_hosted.h
 * @brief Loading a payment channel's statement file (hosted builds only).
 *
 * The parser of a statement's text (payment.h) is freestanding; this reads
 * the file. Implemented in `src/payment/payment_statement_hosted.c`; not
 * part of the firmware profile, so not included by the freestanding umbrella
 * prepay.h (prepay_hosted.h includes it).
 */
#ifndef PREPAY_PAYMENT_HOSTED_H
#define PREPAY_PAYMENT_HOSTED_H

#include <stddef.h>

#include "prepay/export.h"
#include "prepay/payment.h"

PREPAY_BEGIN_DECLS

/**
 * @brief Hosted builds only: reads a statement CSV file with prepay_payment_statement_parse().
 * @param path the file.
 * @param records out: the records.
 * @param cap capacity of @p records.
 * @param count out: records read.
 * @param error_line out (may be NULL): line of a bad record.
 * @return ::PREPAY_OK, or an error.
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_HOSTED_IO (the
 * file cannot be read); ::PREPAY_E_HOSTED_NO_MEMORY; those of
 * prepay_payment_statement_parse().
 */
PREPAY_NODISCARD
PREPAY_API int prepay_payment_statement_load(const char *path, prepay_payment_statement_record_t *records,
                                             size_t cap, size_t *count, uint32_t *error_line);

PREPAY_END_DECLS

#endif /* PREPAY_PAYMENT_HOSTED_H */
