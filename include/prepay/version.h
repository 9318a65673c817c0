/* SPDX-License-Identifier: MIT */
/**
 * @file version.h
 * @ingroup prepay_common
 * @brief Compile-time and run-time version of libprepay.
 *
 * The version follows semantic versioning. The macros give the version the
 * caller was compiled against; prepay_version() gives the version of the
 * library actually linked, so a program can detect a mismatch.
 */
#ifndef PREPAY_VERSION_H
#define PREPAY_VERSION_H

/** @addtogroup prepay_common
 *  @{ */

#include "prepay/export.h"

/** @brief Major version: incremented on incompatible API or ABI changes. */
#define PREPAY_VERSION_MAJOR 0
/** @brief Minor version: incremented on compatible additions. */
#define PREPAY_VERSION_MINOR 2
/** @brief Patch version: incremented on fixes. */
#define PREPAY_VERSION_PATCH 0
/** @brief The version as a string, "MAJOR.MINOR.PATCH". */
#define PREPAY_VERSION_STRING "0.2.0"
/** @brief The version as one number, MAJOR * 10000 + MINOR * 100 + PATCH. */
#define PREPAY_VERSION_NUMBER \
    (PREPAY_VERSION_MAJOR * 10000 + PREPAY_VERSION_MINOR * 100 + PREPAY_VERSION_PATCH)

PREPAY_BEGIN_DECLS

/**
 * @brief Version of the linked library as a static string "MAJOR.MINOR.PATCH".
 * @return A pointer to a static NUL-terminated string; never NULL.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_API const char *prepay_version(void);

/**
 * @brief Version of the linked library as ::PREPAY_VERSION_NUMBER would give it.
 * @return MAJOR * 10000 + MINOR * 100 + PATCH.
 *
 * **Errors:** none; this function cannot fail.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_version_number(void);

PREPAY_END_DECLS

/** @} */

#endif /* PREPAY_VERSION_H */
