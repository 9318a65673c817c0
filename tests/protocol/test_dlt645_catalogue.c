/* SPDX-License-Identifier: MIT */
/*
 * The DL/T 645 data-identifier catalogue (include/prepay/dlt645_data.h):
 * table invariants (sorted exact rows, ordered and disjoint rules, sane
 * formats), the coverage the module promises, lookups and blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prepay/dlt645_data.h"
#include "prepay/status.h"
#include "test_support.h"

static uint8_t byte_of(uint32_t di, unsigned i)
{
    return (uint8_t)(di >> (8 * i));
}

static int rows(prepay_dlt645_item_t *out, size_t cap)
{
    size_t n = prepay_dlt645_catalogue_size();
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(prepay_dlt645_catalogue_row(i, &out[i]), PREPAY_OK);
    }
    return (int)n;
}

static bool is_rule(const prepay_dlt645_item_t *item)
{
    return item->di_low != item->di_high;
}

static void test_table_invariants(void **state)
{
    (void)state;
    static prepay_dlt645_item_t all[1024];
    int n = rows(all, 1024);
    size_t rules = prepay_dlt645_catalogue_rule_count();
    size_t exact = (size_t)n - rules;
    prepay_dlt645_item_t past;
    assert_int_equal(prepay_dlt645_catalogue_row((size_t)n, &past), PREPAY_E_NOT_FOUND);
    assert_int_equal(prepay_dlt645_catalogue_row(0, NULL), PREPAY_E_INVALID_ARGUMENT);
    for (int i = 0; i < n; i++) {
        const prepay_dlt645_item_t *it = &all[i];
        assert_non_null(it->name);
        assert_non_null(it->source);
        assert_true(strlen(it->name) > 0);
        assert_true(it->length > 0);
        assert_true(it->unit < PREPAY_DLT645_UNIT_COUNT_OF_UNITS);
        assert_true(it->format <= PREPAY_DLT645_FORMAT_DEMAND);
        for (unsigned b = 0; b < 4; b++) {
            assert_true(byte_of(it->di_low, b) <= byte_of(it->di_high, b));
            assert_true(byte_of(it->di_high, b) != 0xFF); /* FF means block */
        }
        /* Numbers never carry more decimals than their unit's quantity. */
        unsigned target = prepay_dlt645_unit_decimals(it->unit);
        if (target != 0 && (it->format == PREPAY_DLT645_FORMAT_BCD || it->format == PREPAY_DLT645_FORMAT_BCD_SIGNED)) {
            assert_true(it->decimals <= target);
        }
        if (it->field_count > 0) {
            assert_non_null(it->fields);
            for (unsigned f = 0; f < it->field_count; f++) {
                assert_non_null(it->fields[f].name);
                assert_true(it->fields[f].length > 0);
                assert_true(it->fields[f].length <= PREPAY_DLT645_VALUE_MAX_BYTES);
            }
        } else if (it->format == PREPAY_DLT645_FORMAT_BYTES || it->format == PREPAY_DLT645_FORMAT_ASCII) {
            assert_true(it->length <= PREPAY_DLT645_VALUE_MAX_BYTES);
        }
        if (it->qualifier == PREPAY_DLT645_QUALIFIER_INDEX) {
            assert_non_null(it->label);
        }
        /* Each row's lowest and highest DI find this very row. */
        prepay_dlt645_item_t found;
        assert_int_equal(prepay_dlt645_catalogue_find(it->di_low, &found), PREPAY_OK);
        assert_int_equal(found.di_low, it->di_low);
        assert_int_equal(found.di_high, it->di_high);
        assert_int_equal(prepay_dlt645_catalogue_find(it->di_high, &found), PREPAY_OK);
        assert_int_equal(found.di_low, it->di_low);
    }
    /* Exact rows strictly increasing (binary search), exact ones first. */
    for (size_t i = 0; i < exact; i++) {
        assert_false(is_rule(&all[i]) && all[i].qualifier != PREPAY_DLT645_QUALIFIER_NONE);
        if (i > 0) {
            assert_true(all[i - 1].di_low < all[i].di_low);
        }
    }
    /* Rules ordered by lowest DI, each within one DI3 (the lookup relies on it),
     * pairwise disjoint, and disjoint from exact rows. */
    for (size_t i = exact; i < (size_t)n; i++) {
        assert_int_equal(byte_of(all[i].di_low, 3), byte_of(all[i].di_high, 3));
        if (i > exact) {
            assert_true(all[i - 1].di_low < all[i].di_low);
        }
        for (size_t k = exact; k < i; k++) {
            bool overlap = true;
            for (unsigned b = 0; b < 4; b++) {
                if (byte_of(all[i].di_low, b) > byte_of(all[k].di_high, b) ||
                    byte_of(all[k].di_low, b) > byte_of(all[i].di_high, b)) {
                    overlap = false;
                }
            }
            if (overlap) {
                fail_msg("rules %08X and %08X overlap", (unsigned)all[k].di_low, (unsigned)all[i].di_low);
            }
        }
        for (size_t k = 0; k < exact; k++) {
            bool inside = true;
            for (unsigned b = 0; b < 4; b++) {
                uint8_t v = byte_of(all[k].di_low, b);
                if (v < byte_of(all[i].di_low, b) || v > byte_of(all[i].di_high, b)) {
                    inside = false;
                }
            }
            if (inside) {
                fail_msg("exact row %08X lies inside rule %08X", (unsigned)all[k].di_low, (unsigned)all[i].di_low);
            }
        }
    }
    printf("catalogue: %d rows (%zu exact, %zu rules)\n", n, exact, rules);
}

/* The DIs the module promises (one per family at least). */
static const uint32_t promised[] = {
    /* energy: every kind DI2 00..0A x total/tariff 1..63 x current/periods 1..12, per-phase kinds */
    0x00000000u, 0x00010000u, 0x0001010Cu, 0x00013F00u, 0x00020000u, 0x00030000u, 0x00040000u, 0x00050000u,
    0x00060000u, 0x00070000u, 0x00080000u, 0x00090000u, 0x000A3F0Cu, 0x00150000u, 0x0016000Cu, 0x00290000u,
    0x003D0000u, 0x00460000u,
    /* demand */
    0x01010000u, 0x010A3F0Cu,
    /* instantaneous */
    0x02010100u, 0x02010300u, 0x02020100u, 0x02030000u, 0x02040000u, 0x02050000u, 0x02060000u, 0x02070100u,
    0x02800002u, 0x02800001u,
    /* date/time, address, meter number, zones and day tables, counts, switch-over times */
    0x04000101u, 0x04000102u, 0x04000401u, 0x04000402u, 0x04010000u, 0x04010001u, 0x04010008u, 0x04020000u,
    0x04020001u, 0x04020008u, 0x04000201u, 0x04000202u, 0x04000203u, 0x04000204u, 0x04000205u, 0x04000106u,
    0x04000107u, 0x04000108u, 0x04000109u,
    /* prices and ladders */
    0x04050101u, 0x0405013Fu, 0x04050201u, 0x04060001u, 0x04060101u, 0x04060201u, 0x04060301u, 0x0280000Bu,
    /* prepaid */
    0x00900200u, 0x00900201u, 0x04001001u, 0x04001002u, 0x04001003u, 0x04001004u, 0x04001005u, 0x03330201u,
    0x03320201u, 0x03330601u, 0x03330101u, 0x03330301u, 0x0333050Au,
    /* events: trip/close, cover, programming, loss of voltage/current both numberings, reverse sequence, power-down */
    0x1D000001u, 0x1D000101u, 0x1E000001u, 0x1E000101u, 0x03300D00u, 0x03300D01u, 0x03300000u, 0x03300001u,
    0x03010000u, 0x030B0000u, 0x10000001u, 0x10010001u, 0x10010101u, 0x10012501u, 0x18010001u, 0x18012101u,
    0x19010001u, 0x03070000u, 0x03110000u,
    /* frozen */
    0x05060001u,
};

static void test_coverage(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof promised / sizeof promised[0]; i++) {
        if (prepay_dlt645_catalogue_find(promised[i], NULL) != PREPAY_OK) {
            fail_msg("DI %08X missing from the catalogue", (unsigned)promised[i]);
        }
    }
    /* Every energy DI of the promised families: 11 kinds x 64 x 13. */
    size_t energy = 0;
    for (uint32_t kind = 0; kind <= 0x0A; kind++) {
        for (uint32_t tariff = 0; tariff <= 0x3F; tariff++) {
            for (uint32_t period = 0; period <= 0x0C; period++) {
                prepay_dlt645_item_t item;
                uint32_t di = kind << 16 | tariff << 8 | period;
                assert_int_equal(prepay_dlt645_catalogue_find(di, &item), PREPAY_OK);
                assert_int_equal(item.length, 4);
                assert_int_equal(item.decimals, 2);
                assert_int_equal(item.di, di);
                energy++;
            }
        }
    }
    assert_int_equal(energy, 11 * 64 * 13);
}

static void test_lookup_details(void **state)
{
    (void)state;
    prepay_dlt645_item_t item;
    assert_int_equal(prepay_dlt645_catalogue_find(0x00900200u, &item), PREPAY_OK);
    assert_string_equal(item.name, "remaining amount");
    assert_int_equal(item.format, PREPAY_DLT645_FORMAT_BCD);
    assert_int_equal(item.unit, PREPAY_DLT645_UNIT_YUAN);
    assert_int_equal(item.length, 4);
    assert_int_equal(item.decimals, 2);
    assert_int_equal(prepay_dlt645_catalogue_find(0x00000000u, &item), PREPAY_OK);
    assert_int_equal(item.format, PREPAY_DLT645_FORMAT_BCD_SIGNED); /* combined active energy is signed */
    assert_int_equal(prepay_dlt645_catalogue_find(0x02020100u, &item), PREPAY_OK);
    assert_int_equal(item.format, PREPAY_DLT645_FORMAT_BCD_SIGNED);
    assert_int_equal(item.length, 3);
    assert_int_equal(item.decimals, 3);
    assert_int_equal(prepay_dlt645_catalogue_find(0x03300D01u, &item), PREPAY_OK);
    assert_int_equal(item.field_count, 14);
    assert_int_equal(item.length, 60);
    assert_int_equal(prepay_dlt645_catalogue_find(0x03300001u, &item), PREPAY_OK);
    assert_int_equal(item.length, 50);
    /* Not items. */
    static const uint32_t unknown[] = {0x0001FF00u, 0x00010040u, 0x000B0002u, 0x02010000u, 0x02010400u,
                                       0x04010009u, 0x04050100u, 0x0A000000u, 0xFFFFFFFFu, 0x10040001u};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        if (prepay_dlt645_catalogue_find(unknown[i], &item) != PREPAY_E_DLT645_UNKNOWN_DI) {
            fail_msg("DI %08X should be unknown", (unsigned)unknown[i]);
        }
    }
    /* Blocks. */
    assert_true(prepay_dlt645_di_is_block(0x0001FF00u));
    assert_true(prepay_dlt645_di_is_block(0x000100FFu));
    assert_true(prepay_dlt645_di_is_block(0x0201FF00u));
    assert_true(prepay_dlt645_di_is_block(0x040501FFu));
    assert_false(prepay_dlt645_di_is_block(0x00010000u));
    assert_false(prepay_dlt645_di_is_block(0xFFFFFFFFu));
    assert_false(prepay_dlt645_di_is_block(0x0A00FF00u));
    /* Units. */
    assert_string_equal(prepay_dlt645_unit_symbol(PREPAY_DLT645_UNIT_YUAN_PER_KWH), "yuan/kWh");
    assert_string_equal(prepay_dlt645_unit_symbol(999), "?");
    assert_int_equal(prepay_dlt645_unit_decimals(PREPAY_DLT645_UNIT_KWH), 3);
    assert_int_equal(prepay_dlt645_unit_decimals(PREPAY_DLT645_UNIT_YUAN_PER_KWH), 8);
    assert_int_equal(prepay_dlt645_unit_decimals(PREPAY_DLT645_UNIT_YUAN), 2);
    assert_int_equal(prepay_dlt645_unit_decimals(999), 0);
}

/* Every DI in a range resolves to a name, and every byte value is safe. */
static void test_sweep(void **state)
{
    (void)state;
    size_t found = 0;
    for (uint32_t di3 = 0; di3 <= 0x1F; di3++) {
        for (uint32_t di2 = 0; di2 <= 0x4F; di2++) {
            for (uint32_t di1 = 0; di1 <= 0x40; di1++) {
                for (uint32_t di0 = 0; di0 <= 0x10; di0++) {
                    uint32_t di = di3 << 24 | di2 << 16 | di1 << 8 | di0;
                    prepay_dlt645_item_t item;
                    if (prepay_dlt645_catalogue_find(di, &item) != PREPAY_OK) {
                        continue;
                    }
                    found++;
                    char name[PREPAY_DLT645_NAME_MAX];
                    assert_true(prepay_dlt645_item_name(di, name, sizeof name) > 0);
                }
            }
        }
    }
    printf("catalogue: %zu DIs resolve in the sweep\n", found);
    assert_true(found > 11 * 64 * 13);
}

/* The 1997 table is sorted: a sweep of every 2-byte DI finds each row once. */
static void test_1997_table(void **state)
{
    (void)state;
    size_t found = 0;
    for (uint32_t di = 0; di <= 0xFFFF; di++) {
        prepay_dlt645_item_t item;
        if (prepay_dlt645_catalogue_find_1997((uint16_t)di, &item) == PREPAY_OK) {
            found++;
            assert_int_equal(item.di, di);
            assert_true(item.length > 0 && item.length <= 8);
            assert_non_null(item.name);
            assert_non_null(item.source);
        }
    }
    assert_int_equal(found, prepay_dlt645_catalogue_1997_size());
    static const uint16_t promised_1997[] = {0x9010, 0x9014, 0x9020, 0xB611, 0xB613, 0xB621, 0xB630, 0xB650,
                                             0xC010, 0xC011, 0xC032};
    for (size_t i = 0; i < sizeof promised_1997 / sizeof promised_1997[0]; i++) {
        assert_int_equal(prepay_dlt645_catalogue_find_1997(promised_1997[i], NULL), PREPAY_OK);
    }
}

int main(int argc, char **argv)
{
    tv_set_dir(argc > 1 ? argv[1] : NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_invariants),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_lookup_details),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_1997_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
