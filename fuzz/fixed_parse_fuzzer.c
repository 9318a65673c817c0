/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: exact decimal parsing and formatting (prepay_fixed_parse /
 * prepay_fixed_format), which read prices and amounts from untrusted JSON,
 * CSV and command lines. Checks the round trip: any accepted text formats
 * back to a string that parses to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    unsigned decimals = data[0] % 19u;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    int64_t value;
    if (prepay_fixed_parse(text, len, decimals, &value) != PREPAY_OK) {
        return 0;
    }
    char buf[48];
    int n = prepay_fixed_format(value, decimals, buf, sizeof buf);
    if (n < 0) {
        abort();
    }
    int64_t again;
    if (prepay_fixed_parse(buf, (size_t)n, decimals, &again) != PREPAY_OK || again != value) {
        abort();
    }
    return 0;
}
