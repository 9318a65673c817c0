/* SPDX-License-Identifier: MIT */
/**
 * @file config.h
 * @ingroup prepay_common
 * @brief Compile-time configuration of libprepay (mbedTLS-style).
 *
 * Every table in the library has a capacity fixed at compile time, so every
 * state struct has a size known to the compiler and the core never allocates.
 * The capacities and switches are macros with documented defaults in
 * `prepay/config_default.h`.
 *
 * - Define `PREPAY_CONFIG_FILE` (e.g. `-DPREPAY_CONFIG_FILE='"my_config.h"'`)
 *   to replace the default file entirely. Any macro it leaves undefined
 *   keeps its default.
 * - Define `PREPAY_USER_CONFIG_FILE` to include a file after the defaults, to
 *   `#undef` and redefine a few of them.
 * - `prepay/config_check.h` then refuses impossible combinations at compile
 *   time, so a bad configuration never builds.
 *
 * The library and every program using it must be compiled with the same
 * configuration: struct sizes depend on it.
 */
#ifndef PREPAY_CONFIG_H
#define PREPAY_CONFIG_H

/** @addtogroup prepay_common
 *  @{ */

#if defined(PREPAY_CONFIG_FILE)
#include PREPAY_CONFIG_FILE
#endif

#include "prepay/config_default.h"

#if defined(PREPAY_USER_CONFIG_FILE)
#include PREPAY_USER_CONFIG_FILE
#endif

#include "prepay/config_check.h"

/** @} */

#endif /* PREPAY_CONFIG_H */
