/* SPDX-License-Identifier: MIT */
/**
 * @file export.h
 * @ingroup prepay_common
 * @brief Symbol visibility and C++ linkage macros shared by every public header.
 *
 * The library is built with hidden visibility (`-fvisibility=hidden`); only
 * declarations marked with ::PREPAY_API are exported from the shared library.
 * Static and firmware builds see an empty macro.
 */
#ifndef PREPAY_EXPORT_H
#define PREPAY_EXPORT_H

/** @addtogroup prepay_common
 *  @{ */

/**
 * @def PREPAY_API
 * @brief Marks a function as part of the exported ABI of libprepay.
 *
 * Defined to a visibility attribute when building the shared library with
 * GCC or Clang (`PREPAY_BUILDING_LIBRARY` set by the build), to nothing
 * otherwise.
 */
#if defined(PREPAY_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define PREPAY_API __attribute__((visibility("default")))
#else
#define PREPAY_API
#endif

/**
 * @def PREPAY_BEGIN_DECLS
 * @brief Opens an `extern "C"` block when compiled as C++.
 */
/**
 * @def PREPAY_END_DECLS
 * @brief Closes the block opened by ::PREPAY_BEGIN_DECLS.
 */
#ifdef __cplusplus
#define PREPAY_BEGIN_DECLS extern "C" {
#define PREPAY_END_DECLS }
#else
#define PREPAY_BEGIN_DECLS
#define PREPAY_END_DECLS
#endif

/**
 * @def PREPAY_NODISCARD
 * @brief Marks a function whose returned status (or value) must be used.
 *
 * Every public function that returns `int` (a status, or a length or count
 * that is negative on error) carries it. Under Clang it is
 * `__attribute__((warn_unused_result))`, so a caller that drops a status gets
 * a warning (an error under -Werror); a deliberate ignore is written
 * `(void)f(...)` with a comment saying why it is right. GCC gets nothing: its
 * warn_unused_result cannot be silenced by a `(void)` cast (GCC bug 66425), so
 * a deliberate ignore would need a workaround worse than the check. The Clang
 * build that every change must pass (docs/CONTRIBUTING.md) is the check.
 * Define `PREPAY_NO_NODISCARD` to make it empty.
 */
#if !defined(PREPAY_NO_NODISCARD) && defined(__clang__)
#define PREPAY_NODISCARD __attribute__((warn_unused_result))
#else
#define PREPAY_NODISCARD
#endif

/**
 * @def PREPAY_DEPRECATED
 * @brief Marks a declaration as deprecated, with a message naming its replacement.
 *
 * `__attribute__((deprecated(msg)))` under GCC and Clang, so a caller of an
 * old name gets a warning (an error under -Werror) that says what to use;
 * empty elsewhere. The deprecated names (deprecated.h) are kept for one
 * release. Define `PREPAY_NO_DEPRECATED_WARNINGS` to make it empty.
 */
#if !defined(PREPAY_NO_DEPRECATED_WARNINGS) && (defined(__GNUC__) || defined(__clang__))
#define PREPAY_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define PREPAY_DEPRECATED(msg)
#endif
/** @} */

#endif /* PREPAY_EXPORT_H */
