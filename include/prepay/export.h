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

/** @} */

#endif /* PREPAY_EXPORT_H */
