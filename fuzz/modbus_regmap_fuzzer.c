/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: register-map decoding (prepay_modbus_map_decode,
 * prepay_modbus_value_decode / _encode, prepay_modbus_float_to_fixed /
 * _fixed_to_float): register words from the wire are untrusted. The input
 * gives a register description (type, byte order, exponent, rule), a start
 * address and the words. Checks:
 * - decoding never fails other than with its documented codes and leaves
 *   its output untouched on error;
 * - for the EXACT and DECIMAL rules, encode(decode(words)) decodes to the
 *   same value (the value is what the words stand for);
 * - fixed_to_float then float_to_fixed (DECIMAL) gives the value back, or
 *   the float's exact value;
 * - whole-map decoding of the shipped maps stays within its output array.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prepay/modbus.h"
#include "prepay/status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 6) {
        return 0;
    }
    prepay_modbus_register_t reg;
    reg.name = "fuzz";
    reg.address = (uint16_t)(data[0] % 40u);
    reg.function = (data[1] & 1u) ? 3 : 4;
    reg.type = (uint8_t)(data[1] >> 1) % 8u; /* 7 is not a type */
    reg.order = (uint8_t)((data[2] >> 4) % 5u); /* 4 is not an order */
    reg.exponent = (int8_t)((int)(data[2] & 0x0Fu) * 3 - 21); /* -21..24: some out of range */
    reg.unit = PREPAY_MODBUS_UNIT_LITRE;
    reg.rule = (uint8_t)(data[3] % 4u); /* 3 is not a rule */
    reg.writable = true;
    uint16_t start = data[4] % 40u;
    data += 5;
    size -= 5;
    uint16_t words[128];
    size_t count = size / 2 > 128 ? 128 : size / 2;
    for (size_t i = 0; i < count; i++) {
        words[i] = (uint16_t)(data[2 * i] << 8 | data[2 * i + 1]);
    }
    int64_t value = 0x5A5A5A5A;
    int rc = prepay_modbus_value_decode(&reg, words, count, &value);
    if (rc != PREPAY_OK) {
        if (value != 0x5A5A5A5A) {
            abort();
        }
        if (rc != PREPAY_E_MODBUS_BAD_REGISTER && rc != PREPAY_E_MODBUS_BAD_VALUE && rc != PREPAY_E_MODBUS_INEXACT &&
            rc != PREPAY_E_OVERFLOW && rc != PREPAY_E_INVALID_ARGUMENT) {
            abort();
        }
    } else if (reg.rule != PREPAY_MODBUS_RULE_ROUND) {
        uint16_t back[2];
        int n = prepay_modbus_value_encode(&reg, value, back, 2);
        if (n > 0) {
            int64_t again = 0;
            if (prepay_modbus_value_decode(&reg, back, (size_t)n, &again) != PREPAY_OK || again != value) {
                abort();
            }
        }
    }
    if (count >= 2) {
        uint32_t bits = (uint32_t)words[0] << 16 | words[1];
        int exponent = (int)(data[0] % 37u) - 18;
        for (int rule = 0; rule < 3; rule++) {
            int64_t v;
            (void)prepay_modbus_float_to_fixed(bits, exponent, (prepay_modbus_rule_t)rule, &v);
        }
        int64_t fixed = (int64_t)((uint64_t)words[0] << 48 | (uint64_t)words[1] << 32 | (uint64_t)(count > 3 ? words[2] : 0) << 16 |
                                  (count > 3 ? words[3] : 0));
        fixed >>= data[1] % 64u;
        uint32_t f;
        if (prepay_modbus_fixed_to_float(fixed, exponent, &f) == PREPAY_OK) {
            /* DECIMAL reads back the value, or the float's own exact value
             * when steps there are too coarse to stand for one decimal. */
            int64_t back, exact;
            if (prepay_modbus_float_to_fixed(f, exponent, PREPAY_MODBUS_RULE_DECIMAL, &back) == PREPAY_OK &&
                back != fixed &&
                (prepay_modbus_float_to_fixed(f, exponent, PREPAY_MODBUS_RULE_EXACT, &exact) != PREPAY_OK ||
                 exact != back)) {
                abort();
            }
        }
    }
    prepay_modbus_value_t out[16];
    for (size_t m = 0; prepay_modbus_map_builtin(m); m++) {
        int n = prepay_modbus_map_decode(prepay_modbus_map_builtin(m), reg.function, start, words, count, out, 16);
        if (n > 16) {
            abort();
        }
    }
    return 0;
}
