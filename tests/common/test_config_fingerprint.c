/* SPDX-License-Identifier: MIT */
/* Tests for the configuration fingerprint (prepay/config_fingerprint.h):
 * the library reports the fingerprint it was built with, and the header
 * wrappers turn a caller built with other capacities into
 * PREPAY_E_CONFIG_MISMATCH before any caller memory is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/prepay.h"

static void test_library_reports_its_fingerprint(void **state)
{
    (void)state;
    assert_int_equal(prepay_config_fingerprint(), PREPAY_CONFIG_FINGERPRINT);
    assert_int_equal(prepay_config_check(PREPAY_CONFIG_FINGERPRINT), PREPAY_OK);
    assert_int_equal(prepay_config_check(PREPAY_CONFIG_FINGERPRINT ^ 1u), PREPAY_E_CONFIG_MISMATCH);
    assert_int_equal(prepay_config_check(0), PREPAY_E_CONFIG_MISMATCH);
}

static void test_mismatch_has_its_own_text(void **state)
{
    (void)state;
    assert_int_equal(PREPAY_STATUS_MODULE(PREPAY_E_CONFIG_MISMATCH), PREPAY_MODULE_COMMON);
#ifndef PREPAY_NO_STRERROR
    assert_non_null(strstr(prepay_strerror(PREPAY_E_CONFIG_MISMATCH), "configuration mismatch"));
#endif
}

static void test_matching_caller_passes_through(void **state)
{
    (void)state;
    static prepay_tariff_t tariff;
    assert_int_equal(prepay_tariff_init(&tariff), PREPAY_OK);
    /* The wrapper passes the function's own status through. */
    assert_int_equal(prepay_tariff_init(NULL), PREPAY_E_INVALID_ARGUMENT);
    /* The exported function itself stays reachable by address. */
    int (*init)(prepay_tariff_t *) = prepay_tariff_init;
    assert_int_equal(init(&tariff), PREPAY_OK);
}

/* Every layout macro takes part: a change to any one changes the value. The
 * values are taken here before the redefinition below. */
static const uint32_t built_fingerprint = PREPAY_CONFIG_FINGERPRINT;

/* From here on this file is "a caller built with PREPAY_MAX_TIERS 4": the
 * fingerprint macro expands at each use, so the wrappers below pass the
 * changed value, as they would in a program compiled with that setting. */
#if PREPAY_MAX_TIERS == 4 /* the firmware configuration has 4 already: another value */
#undef PREPAY_MAX_TIERS
#define PREPAY_MAX_TIERS 5
#else
#undef PREPAY_MAX_TIERS
#define PREPAY_MAX_TIERS 4
#endif

static void test_other_capacities_are_refused_untouched(void **state)
{
    (void)state;
    assert_int_not_equal(PREPAY_CONFIG_FINGERPRINT, built_fingerprint);
    static prepay_tariff_t tariff;
    memset(&tariff, 0xA5, sizeof tariff);
    assert_int_equal(prepay_tariff_init(&tariff), PREPAY_E_CONFIG_MISMATCH);
    for (size_t i = 0; i < sizeof tariff; i++) {
        assert_int_equal(((const unsigned char *)&tariff)[i], 0xA5);
    }
    static uint8_t ledger_memory[64];
    memset(ledger_memory, 0x5A, sizeof ledger_memory);
    assert_int_equal(prepay_ledger_init((prepay_ledger_t *)(void *)ledger_memory, NULL), PREPAY_E_CONFIG_MISMATCH);
    assert_int_equal(ledger_memory[0], 0x5A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_library_reports_its_fingerprint),
        cmocka_unit_test(test_mismatch_has_its_own_text),
        cmocka_unit_test(test_matching_caller_passes_through),
        cmocka_unit_test(test_other_capacities_are_refused_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
