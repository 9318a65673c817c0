/* SPDX-License-Identifier: MIT */
/*
 * Sealed tariff pages (prepay_tariff_page_seal(), prepay_tariff_page_check(),
 * prepay_meter_bind_page()):
 *  - a sealed page is accepted and a meter bound to it prices, reads and
 *    decides exactly as a meter bound to the same set with prepay_meter_bind();
 *  - every single flipped byte of a sealed page is refused (the set's bytes:
 *    PREPAY_E_TARIFF_SEAL_BROKEN; the mark: PREPAY_E_TARIFF_NOT_SEALED; the
 *    fingerprint: PREPAY_E_CONFIG_MISMATCH; the check value itself);
 *  - an unsealed page, a page with another configuration's fingerprint and an
 *    invalid set (which cannot be sealed) are refused, and the meter is unchanged;
 *  - two pages whose sets are incompatible are refused.
 * Runs in every configuration; under the firmware one (PREPAY_METER_TARIFF_SEALED 1)
 * the meter then trusts the bound sets without validating them again.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_fixtures.h"

#define HOUR 3600

static prepay_tariff_page_t page_a, page_b;
static prepay_meter_t other;

static void sealed_page(prepay_tariff_page_t *page)
{
    memset(page, 0, sizeof *page); /* the check covers padding: seal a zeroed image, as a tool would */
    fx_make_tariff(&page->tariff);
    assert_int_equal(prepay_tariff_page_seal(page), PREPAY_OK);
    assert_int_equal(page->mark, PREPAY_TARIFF_PAGE_MARK);
    assert_int_equal(page->fingerprint, prepay_config_fingerprint());
    assert_int_equal(prepay_tariff_page_check(page), PREPAY_OK);
}

static void fresh_meter(prepay_meter_t *m)
{
    prepay_dlt645_address_t a = fx_address();
    assert_int_equal(prepay_meter_init(m, &a, fx_time(2024, 3, 1, 0, 0, 0)), PREPAY_OK);
}

static void test_sealed_page_accepted_and_priced_as_bound_set(void **state)
{
    (void)state;
    sealed_page(&page_a);
    fx_make_tariff(&fx_tariff);
    /* the same set, once bound by page, once validated by prepay_meter_bind() */
    fresh_meter(&fx_meter);
    fresh_meter(&other);
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, NULL, NULL, NULL), PREPAY_OK);
    assert_ptr_equal(fx_meter.sets[0], &page_a.tariff);
    assert_null(fx_meter.writable[0]);
    assert_int_equal(prepay_meter_bind(&other, &fx_tariff, NULL, false, NULL, NULL), PREPAY_OK);
    prepay_meter_t *m[2] = {&fx_meter, &other};
    prepay_meter_load_t load = fx_constant(1500);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(prepay_meter_recharge(m[i], m[i]->clock, 100000, 1), PREPAY_OK);
        /* 30 hours across every band and a midnight, in steps of odd lengths */
        for (int step = 0; step < 30; step++) {
            assert_int_equal(prepay_meter_advance(m[i], HOUR - 7 + step, &load), PREPAY_OK);
        }
    }
    assert_true(fx_meter.purse.balance < 100000);
    assert_int_equal(fx_meter.purse.balance, other.purse.balance);
    assert_memory_equal(fx_meter.forward, other.forward, sizeof fx_meter.forward);
    assert_int_equal(fx_meter.relay, other.relay);
    /* price reads (040501nn) answer the same */
    for (uint32_t band = 1; band <= 4; band++) {
        uint8_t va[8], vb[8];
        int na = fx_read(&fx_meter, 0x04050100u + band, va, sizeof va);
        int nb = fx_read(&other, 0x04050100u + band, vb, sizeof vb);
        assert_int_equal(na, 4);
        assert_int_equal(na, nb);
        assert_memory_equal(va, vb, 4);
    }
    /* a pending set B on a second page: the switch-over prices as with prepay_meter_bind() */
    sealed_page(&page_b);
    fresh_meter(&fx_meter);
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, &page_b, NULL, NULL), PREPAY_OK);
    assert_ptr_equal(fx_meter.sets[1], &page_b.tariff);
}

static void test_every_flipped_byte_refused(void **state)
{
    (void)state;
    sealed_page(&page_a);
    unsigned char *bytes = (unsigned char *)&page_a;
    size_t set_bytes = offsetof(prepay_tariff_t, revision);
    for (size_t i = 0; i < sizeof page_a; i++) {
        if (i >= set_bytes && i < offsetof(prepay_tariff_page_t, mark)) {
            continue; /* the revision counter and the padding after it are not content */
        }
        bytes[i] ^= 0x01u;
        int want = PREPAY_E_TARIFF_SEAL_BROKEN;
        if (i >= offsetof(prepay_tariff_page_t, mark) && i < offsetof(prepay_tariff_page_t, fingerprint)) {
            want = PREPAY_E_TARIFF_NOT_SEALED;
        } else if (i >= offsetof(prepay_tariff_page_t, fingerprint) && i < offsetof(prepay_tariff_page_t, check)) {
            want = PREPAY_E_CONFIG_MISMATCH;
        }
        if (prepay_tariff_page_check(&page_a) != want) {
            fail_msg("byte %zu flipped: got %d, want %d", i, prepay_tariff_page_check(&page_a), want);
        }
        bytes[i] ^= 0x01u;
    }
    assert_int_equal(prepay_tariff_page_check(&page_a), PREPAY_OK);
    /* a flipped byte in the middle of the day table: refused by the meter, which stays unbound */
    fresh_meter(&fx_meter);
    other = fx_meter;
    page_a.tariff.schedule.day_tables[0].slots[1].band ^= 0x02u;
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, NULL, NULL, NULL), PREPAY_E_TARIFF_SEAL_BROKEN);
    assert_memory_equal(&fx_meter, &other, sizeof other);
    /* a good page A with a damaged page B: refused as well */
    page_a.tariff.schedule.day_tables[0].slots[1].band ^= 0x02u;
    sealed_page(&page_b);
    page_b.tariff.prices.band_price[2] += 1;
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, &page_b, NULL, NULL), PREPAY_E_TARIFF_SEAL_BROKEN);
    assert_memory_equal(&fx_meter, &other, sizeof other);
}

static void test_unsealed_foreign_and_invalid_refused(void **state)
{
    (void)state;
    fresh_meter(&fx_meter);
    other = fx_meter;
    /* never sealed: a valid set alone is not enough */
    memset(&page_a, 0, sizeof page_a);
    fx_make_tariff(&page_a.tariff);
    assert_int_equal(prepay_tariff_page_check(&page_a), PREPAY_E_TARIFF_NOT_SEALED);
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, NULL, NULL, NULL), PREPAY_E_TARIFF_NOT_SEALED);
    assert_memory_equal(&fx_meter, &other, sizeof other);
    /* sealed by a library of another configuration: its bytes mean something else here */
    sealed_page(&page_a);
    page_a.fingerprint ^= 0x80000000u;
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, NULL, NULL, NULL), PREPAY_E_CONFIG_MISMATCH);
    assert_memory_equal(&fx_meter, &other, sizeof other);
    /* an invalid set is not sealed, and a seal left from before is withdrawn */
    sealed_page(&page_a);
    page_a.tariff.schedule.day_tables[0].slots[2].start_minute = 1; /* slots out of order */
    assert_int_equal(prepay_tariff_page_seal(&page_a), PREPAY_E_TARIFF_SLOT_ORDER);
    assert_int_equal(page_a.mark, 0);
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, NULL, NULL, NULL), PREPAY_E_TARIFF_NOT_SEALED);
    assert_memory_equal(&fx_meter, &other, sizeof other);
    /* arguments */
    assert_int_equal(prepay_tariff_page_seal(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_tariff_page_check(NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_meter_bind_page(&fx_meter, NULL, NULL, NULL, NULL), PREPAY_E_INVALID_ARGUMENT);
    assert_int_equal(prepay_meter_bind_page(NULL, &page_a, NULL, NULL, NULL), PREPAY_E_INVALID_ARGUMENT);
}

static void test_incompatible_pages_refused(void **state)
{
    (void)state;
    sealed_page(&page_a);
    memset(&page_b, 0, sizeof page_b);
    fx_make_tariff(&page_b.tariff);
    page_b.tariff.rounding = PREPAY_ROUND_HALF_EVEN; /* each set valid, the two disagree */
    assert_int_equal(prepay_tariff_page_seal(&page_b), PREPAY_OK);
    fresh_meter(&fx_meter);
    other = fx_meter;
    assert_int_equal(prepay_meter_bind_page(&fx_meter, &page_a, &page_b, NULL, NULL),
                     PREPAY_E_TARIFF_SWITCH_MISMATCH);
    assert_memory_equal(&fx_meter, &other, sizeof other);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_page_accepted_and_priced_as_bound_set),
        cmocka_unit_test(test_every_flipped_byte_refused),
        cmocka_unit_test(test_unsealed_foreign_and_invalid_refused),
        cmocka_unit_test(test_incompatible_pages_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
