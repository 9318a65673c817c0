/* SPDX-License-Identifier: MIT */
/*
 * Smallest libprepay program: price 12.5 kWh at Guangzhou's residential
 * 0.58886875 yuan/kWh exactly and round the charge to fen once.
 * Build against an installed library:
 *   cc charge.c $(pkg-config --cflags --libs prepay) -o charge
 */
#include <stdio.h>

#include <prepay/prepay.h>

int main(void)
{
    prepay_amount_t exact;
    int status = prepay_amount_from_product(12500 /* Wh */, 58886875 /* 1e-8 yuan/kWh */, &exact);
    if (status != PREPAY_OK) {
        fprintf(stderr, "charge: %s\n", prepay_strerror(status));
        return 1;
    }
    prepay_money_t fen;
    status = prepay_amount_round(exact, PREPAY_ROUND_HALF_UP, &fen);
    if (status != PREPAY_OK) {
        fprintf(stderr, "charge: %s\n", prepay_strerror(status));
        return 1;
    }
    char text[32];
    status = prepay_fixed_format(fen, 2, text, sizeof text); /* the length, or an error */
    if (status < 0) {
        fprintf(stderr, "charge: %s\n", prepay_strerror(status));
        return 1;
    }
    printf("libprepay %s: 12.5 kWh at 0.58886875 yuan/kWh = %s yuan\n", prepay_version(), text);
    return 0;
}
