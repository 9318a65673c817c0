/* SPDX-License-Identifier: MIT */
/*
 * prepay__move() of size builds (src/common/size_internal.h, forced on here in every build): the
 * same bytes as memmove() for every source offset, destination offset and length within a
 * 48-byte buffer, overlapping both ways or not at all, and for copies between two objects.
 */
#define PREPAY__SMALL_MOVE 1

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "size_internal.h"

#define SIZE 48

static void fill(unsigned char *b)
{
    for (size_t i = 0; i < SIZE; i++) {
        b[i] = (unsigned char)(i * 7u + 1u);
    }
}

static void test_every_overlap(void **state)
{
    (void)state;
    unsigned char got[SIZE], want[SIZE];
    for (size_t from = 0; from < SIZE; from++) {
        for (size_t to = 0; to < SIZE; to++) {
            size_t room = SIZE - (from > to ? from : to);
            for (size_t n = 0; n <= room; n++) {
                fill(got);
                fill(want);
                prepay__move(got + to, got + from, n);
                memmove(want + to, want + from, n);
                if (memcmp(got, want, SIZE) != 0) {
                    fail_msg("from %zu to %zu, %zu bytes", from, to, n);
                }
            }
        }
    }
}

static void test_two_objects(void **state)
{
    (void)state;
    unsigned char a[SIZE], b[SIZE];
    fill(a);
    memset(b, 0, sizeof b);
    prepay__move(b, a, SIZE);
    assert_memory_equal(a, b, SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_overlap),
        cmocka_unit_test(test_two_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
