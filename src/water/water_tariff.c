/* SPDX-License-Identifier: MIT */
/*
 * A water ladder tariff as the CJ/T 188 meter-side price table (8102 / A010): three prices and two
 * steps. Only what the table can say is accepted: one band, one ladder of at most three tiers with
 * bounds per cycle, no fixed charges.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/cjt188.h"
#include "prepay/tariff.h"
#include "prepay/water_meter.h"

int prepay_water_price_table_from_tariff(const prepay_tariff_t *tariff, uint8_t start_day,
                                         prepay_cjt188_price_table_t *out)
{
    if (!tariff || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    prepay_price_t price[3];
    int status = prepay_tariff_price(tariff, 1, 1, &price[0]); /* validates the tariff */
    if (status != PREPAY_OK) {
        return status;
    }
    if (tariff->unit != PREPAY_TARIFF_UNIT_WATER || tariff->band_count != 1 || tariff->ladder_count != 1 ||
        tariff->tier_count < 1 || tariff->tier_count > 3 || tariff->fixed_charge_count != 0 ||
        (tariff->tier_count > 1 && tariff->ladders[0].per_day != 0)) {
        return PREPAY_E_WATER_TARIFF_UNSUPPORTED;
    }
    if (start_day < 1 || start_day > 31) {
        return PREPAY_E_OUT_OF_RANGE;
    }
    prepay_cjt188_price_table_t table;
    memset(&table, 0, sizeof table);
    for (unsigned tier = 2; tier <= 3; tier++) {
        if (tier <= tariff->tier_count) {
            status = prepay_tariff_price(tariff, 1, tier, &price[tier - 1]);
            if (status != PREPAY_OK) {
                return status;
            }
        } else {
            price[tier - 1] = price[tier - 2]; /* fewer tiers: the last price goes on */
        }
    }
    for (size_t i = 0; i < 3; i++) {
        table.price[i] = price[i];
    }
    if (tariff->tier_count >= 2) {
        table.step_litres[0] = tariff->ladders[0].upper[0];
        table.step_litres[1] = tariff->tier_count == 3 ? tariff->ladders[0].upper[1] : tariff->ladders[0].upper[0];
    }
    uint8_t wire[15];
    status = prepay_cjt188_price_table_encode(&table, wire); /* whole fen and whole m3, in range */
    if (status != PREPAY_OK) {
        return status;
    }
    table.start_day = start_day;
    *out = table;
    return PREPAY_OK;
}
