/* SPDX-License-Identifier: MIT */
/* Tests for status codes, prepay_strerror() and the version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/prepay.h"

static void test_codes_carry_their_module(void **state)
{
    (void)state;
    assert_int_equal(PREPAY_STATUS_MODULE(PREPAY_E_OVERFLOW), PREPAY_MODULE_COMMON);
    assert_int_equal(PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 7), -(2 * 256 + 7));
    assert_int_equal(PREPAY_STATUS_MODULE(PREPAY_STATUS_MAKE(PREPAY_MODULE_TARIFF, 7)), PREPAY_MODULE_TARIFF);
}

static void test_strerror_names_codes(void **state)
{
    (void)state;
#ifdef PREPAY_NO_STRERROR
    /* Firmware configuration: the strings are compiled out. */
    assert_string_equal(prepay_strerror(PREPAY_OK), "ok");
    assert_string_equal(prepay_strerror(PREPAY_E_OVERFLOW), "error");
    return;
#endif
    assert_string_equal(prepay_strerror(PREPAY_OK), "ok");
    assert_string_equal(prepay_strerror(PREPAY_E_OVERFLOW), "arithmetic overflow");
    /* Every generic code has its own text. */
    for (int n = 1; n <= 14; n++) {
        const char *text = prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, n));
        assert_string_not_equal(text, "unknown status");
        for (int m = 1; m < n; m++) {
            assert_string_not_equal(text, prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, m)));
        }
    }
    assert_string_equal(prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 200)), "unknown status");
    assert_string_equal(prepay_strerror(PREPAY_STATUS_MAKE(PREPAY_MODULE_COUNT + 3, 1)), "unknown status");
    assert_string_equal(prepay_strerror(INT32_MIN), "unknown status");
}

/* prepay_status_name(): the enum names (generated from the headers by
 * scripts/gen-status-names.py), and exactly the codes that have a text have a
 * name, so no code is named without words or worded without a name. */
static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(prepay_status_name(PREPAY_OK), "ok");
    assert_string_equal(prepay_status_name(7), "ok");
#ifdef PREPAY_NO_STRERROR
    assert_null(prepay_status_name(PREPAY_E_OVERFLOW));
    return;
#endif
    assert_string_equal(prepay_status_name(PREPAY_E_OVERFLOW), "overflow");
    assert_string_equal(prepay_status_name(PREPAY_E_LEDGER_EXCEEDS_CREDITS), "ledger_exceeds_credits");
    assert_string_equal(prepay_status_name(PREPAY_E_DLT645_BAD_CHECKSUM), "dlt645_bad_checksum");
    assert_null(prepay_status_name(PREPAY_STATUS_MAKE(PREPAY_MODULE_COMMON, 200)));
    assert_null(prepay_status_name(INT32_MIN));
    int named = 0;
    for (int module = 0; module < PREPAY_MODULE_COUNT; module++) {
        for (int n = 1; n < 256; n++) {
            int code = PREPAY_STATUS_MAKE(module, n);
            const char *name = prepay_status_name(code);
            bool worded = strcmp(prepay_strerror(code), "unknown status") != 0;
            if ((name != NULL) != worded) {
                fail_msg("status %d (module %d, number %d): name %s, text \"%s\"", code, module, n,
                         name ? name : "(none)", prepay_strerror(code));
            }
            named += name != NULL;
        }
    }
    assert_true(named > 200);
}

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(prepay_version(), PREPAY_VERSION_STRING);
    assert_string_equal(prepay_version(), PREPAY_EXPECTED_VERSION); /* meson's project version */
    assert_int_equal(prepay_version_number(), PREPAY_VERSION_NUMBER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_carry_their_module),
        cmocka_unit_test(test_strerror_names_codes),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
