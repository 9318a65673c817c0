/* SPDX-License-Identifier: MIT */
/*
 * A month-end common-area (公摊) split: the building's master meter minus the
 * flats' sub-meters is the common consumption; it is priced ONCE for the
 * whole and split among the flats by floor area, so that the shares add up
 * to the fen and to the watt-hour.
 *
 *   month_end_split
 *
 * March 2026, 31 days, five flats. Flat 202 is unsold: its share goes to the
 * developer (owner account 900). Flat 301 moved in on 11 March: it pays for
 * 21 of 31 days and the owner pays the other 10. Price: 0.617 yuan/kWh (the
 * first-tier Shanghai residential price of examples/tariffs/shanghai_residential_per_band.json,
 * used here as a flat rate; a real bill prices the common energy with the
 * tariff engine and passes the result as request.money).
 * Build against an installed library:
 *   cc month_end_split.c $(pkg-config --cflags --libs prepay) -o month_end_split
 */
#include <stdio.h>

#include <prepay/prepay.h>

#define FLATS 5
#define OWNER 900u

static void print_fixed(int64_t value, unsigned decimals, int width)
{
    char text[32];
    int length = prepay_fixed_format(value, decimals, text, sizeof text); /* the length, or an error */
    printf("%*s", width, length < 0 ? prepay_strerror(length) : text);
}

int main(void)
{
    const prepay_energy_t master = 12345678; /* Wh, the building's master meter in March */
    const prepay_energy_t subs[FLATS] = {2100000, 3050500, 1999999, 0, 4000001};
    const uint64_t flat[FLATS] = {101, 102, 201, 202, 301};
    const int64_t area[FLATS] = {8932, 12050, 8932, 12050, 15575}; /* 0.01 m2 */

    prepay_allocation_residual_t residual;
    int status = prepay_allocation_residual(master, subs, FLATS, 0, PREPAY_ALLOCATION_RESIDUAL_FAIL, &residual);
    if (status != PREPAY_OK) {
        fprintf(stderr, "month_end_split: %s\n", prepay_strerror(status));
        return 1;
    }
    printf("master ");
    print_fixed(master, 3, 0);
    printf(" kWh - flats ");
    print_fixed(residual.sub_total, 3, 0);
    printf(" kWh = common ");
    print_fixed(residual.common, 3, 0);
    printf(" kWh\n");

    prepay_allocation_request_t request = {0};
    request.energy = residual.common;
    request.period_days = 31;
    request.vacancy = PREPAY_ALLOCATION_VACANT_OWNER;
    request.owner_account_id = OWNER;
    request.owner_pays_unoccupied = true;
    status = prepay_allocation_price_energy(residual.common, 61700000 /* 0.617 yuan/kWh in 1e-8 */, PREPAY_ROUND_HALF_UP,
                                       &request.money);
    if (status != PREPAY_OK) {
        fprintf(stderr, "month_end_split: %s\n", prepay_strerror(status));
        return 1;
    }
    printf("priced once at 0.617 yuan/kWh: ");
    print_fixed(request.money, 2, 0);
    printf(" yuan\n");

    prepay_allocation_part_t parts[FLATS];
    for (size_t i = 0; i < FLATS; i++) {
        parts[i] = (prepay_allocation_part_t){flat[i], area[i], 31, false};
    }
    parts[3].vacant = true;         /* 202: unsold */
    parts[4].occupied_days = 21;    /* 301: from 11 March */

    prepay_allocation_line_t lines[2 * FLATS];
    size_t count = 0;
    status = prepay_allocation_allocate(&request, parts, FLATS, lines, 2 * FLATS, &count);
    if (status != PREPAY_OK) {
        fprintf(stderr, "month_end_split: %s\n", prepay_strerror(status));
        return 1;
    }
    printf("  line  pays for   account       kWh      yuan\n");
    prepay_energy_t energy_sum = 0;
    prepay_money_t money_sum = 0;
    for (size_t i = 0; i < count; i++) {
        const prepay_allocation_line_t *l = &lines[i];
        const char *what = i < FLATS ? (parts[i].vacant ? "vacant" : "occupied") : "unoccupied";
        printf("  %4zu  %4llu %-10s %4llu", i, (unsigned long long)flat[i < FLATS ? i : 4], what,
               (unsigned long long)l->account_id);
        print_fixed(l->energy, 3, 10);
        print_fixed(l->money, 2, 10);
        printf("\n");
        energy_sum += l->energy;
        money_sum += l->money;
    }
    printf("  sum                            ");
    print_fixed(energy_sum, 3, 10);
    print_fixed(money_sum, 2, 10);
    printf("\n");
    /* The guarantee a property manager relies on: nothing lost, nothing invented. */
    return energy_sum == residual.common && money_sum == request.money ? 0 : 1;
}
