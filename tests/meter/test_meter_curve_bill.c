/* SPDX-License-Identifier: MIT */
/*
 * End to end, in process: a station reads a day of load curves from the
 * reference meter (class-4 load records through prepay_meter_handle(), the
 * request builder, follow-up frames and the station-side decoder), prices the
 * curve with the tariff stream (prepay_tariff_feed_interval() +
 * prepay_tariff_close_cycle()), and compares it with the bill made from the
 * meter's registers read over DL/T 645: the day's energy per tariff band
 * (0001FF00 at 00:00 and at 24:00) priced band by band, and the demand and
 * capacity charges of the month from the maximum-demand registers
 * (0101FF00) through prepay_tariff_demand_lines(). The two bills must be
 * equal line for line and to the fen.
 *
 * Why they can be equal exactly: the load changes only on quarter hours and
 * is a multiple of 40 W, so every 15-minute energy is a multiple of 10 Wh
 * (the registers' 0.01 kWh); band edges fall on quarter hours; the meter's
 * demand period is 15 minutes with a 15-minute sliding time (block demand),
 * counted from 00:00, so its windows are the curve's intervals and its
 * demand (0.1 W) is the interval's average power.
 */
#include <stdio.h>
#include <stdlib.h>

#include "meter_station.h"

#define SLOTS 96
#define CAP 256

static prepay_load_record_t ring_records[256];
static prepay_meter_load_ring_t ring;
static prepay_load_record_t curve[256];
static int32_t watts[SLOTS];
static prepay_tariff_line_t lines_a[CAP], lines_b[CAP], store_a[CAP], store_b[CAP];

/* fx_tariff (4-band TOU) with a two-part tariff's demand and capacity charges (illustrative figures):
 * 30 yuan/kW on the month's maximum demand, 20 yuan/kW more on the peak band's, 25 yuan/kVA x 100 kVA. */
static void two_part(prepay_tariff_t *t)
{
    fx_make_tariff(t);
    prepay_tariff_demand_t *d = &t->demand;
    d->rate_count = 2;
    d->rates[0] = (prepay_demand_rate_t){1, {PREPAY_DEMAND_UNBOUNDED}, {FX_PRICE(300000)}};
    d->rates[1] = (prepay_demand_rate_t){1, {PREPAY_DEMAND_UNBOUNDED}, {FX_PRICE(200000)}};
    d->period_count = 1;
    d->period_of_band[1] = 1; /* band 2 (peak) is demand period 1 */
    for (unsigned m = 0; m < 12; m++) {
        d->flat_rate[m] = 1;
        d->period_rate[0][m] = 2;
    }
    d->capacity_price = FX_PRICE(250000);
    d->capacity = 100000;
    t->round_scope = PREPAY_ROUND_PER_BILL;
    assert_int_equal(prepay_tariff_validate(t), PREPAY_OK);
}

static prepay_energy_t register_wh(const uint8_t *v)
{
    return (prepay_energy_t)fx_bcd(v, 4) * 10;
}

static void test_curve_equals_registers(void **state)
{
    (void)state;
    if (PREPAY_MAX_DEMAND_RATES < 2 || PREPAY_METER_TARIFFS < 4) {
        skip();
    }
    two_part(&fx_tariff);
    prepay_dlt645_address_t a = fx_address();
    prepay_time_t day = fx_time(2024, 3, 1, 0, 0, 0);
    assert_int_equal(prepay_meter_init(&fx_meter, &a, day - 30), PREPAY_OK);
    prepay_meter_t *m = &fx_meter;
    /* the meter prices energy only (its compact state is energy-only): binding the two-part tariff is fine */
    assert_int_equal(prepay_meter_bind(m, &fx_tariff, NULL, false, NULL, NULL), PREPAY_OK);
    assert_int_equal(prepay_meter_set_mode(m, PREPAY_METER_MODE_REMOTE), PREPAY_OK);
    assert_int_equal(prepay_meter_set_demand_period(m, 15, 15), PREPAY_OK);
    assert_int_equal(prepay_meter_load_ring_init(&ring, ring_records, 256), PREPAY_OK);
    assert_int_equal(prepay_meter_attach_load_ring(m, &ring), PREPAY_OK);
    static const uint16_t every15[6] = {15, 15, 15, 15, 15, 15};
    assert_int_equal(prepay_meter_set_load_profile(m, 0x3F, day, every15), PREPAY_OK);
    /* a day of quarter-hour loads, multiples of 40 W (a fixed pseudo-random sequence) */
    uint32_t x = 2463534242u;
    for (int i = 0; i < SLOTS; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        watts[i] = (int32_t)(x % 250u) * 40; /* 0 .. 9960 W */
    }
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_PROFILE;
    load.profile = watts;
    load.profile_len = SLOTS;
    load.start = day;
    load.step = 900;
    prepay_meter_load_t none = fx_constant(0);
    assert_int_equal(prepay_meter_advance(m, 30, &none), PREPAY_OK); /* to 00:00 */
    uint8_t start_regs[64], end_regs[64], max_regs[64];
    assert_int_equal(fx_read(m, 0x0001FF00u, start_regs, sizeof start_regs), 20);
    assert_int_equal(prepay_meter_advance(m, 86400, &load), PREPAY_OK); /* to 24:00 */
    assert_int_equal(fx_read(m, 0x0001FF00u, end_regs, sizeof end_regs), 20);
    assert_int_equal(fx_read(m, 0x0101FF00u, max_regs, sizeof max_regs), 40);

    /* The station reads the day's class-4 curve: 97 records, 00:00 .. 24:00, in follow-up frames. */
    size_t n = 0;
    unsigned frames = 0;
    assert_int_equal(st_read_records(m, 4, PREPAY_LOAD_RECORD_FROM_TIME, 97, day, curve, 256, &n, &frames),
                     PREPAY_OK);
    assert_int_equal(n, 97);
    assert_true(frames > 1);
    assert_int_equal(curve[0].time, day);
    assert_int_equal(curve[96].time, day + 86400);

    /* Bill A: the curve priced by the tariff stream. */
    prepay_tariff_plan_t plan;
    assert_int_equal(prepay_tariff_plan_init(&plan, &fx_tariff), PREPAY_OK);
    assert_int_equal(prepay_tariff_plan_seal(&plan), PREPAY_OK);
    static prepay_tariff_state_t st;
    assert_int_equal(prepay_tariff_state_init(&st), PREPAY_OK);
    prepay_tariff_bill_t bill_a, bill_b;
    assert_int_equal(prepay_tariff_bill_init(&bill_a, &fx_tariff, store_a, CAP), PREPAY_OK);
    prepay_tariff_feed_result_t res;
    for (size_t i = 0; i + 1 < n; i++) {
        prepay_energy_t e = curve[i + 1].forward_active_wh - curve[i].forward_active_wh;
        assert_int_equal(e, watts[i] / 4); /* 15 minutes of P watts */
        int k = prepay_tariff_feed_interval(&plan, NULL, &st, curve[i].time, curve[i + 1].time, e, lines_a, CAP, &res);
        assert_true(k >= 0);
        assert_int_equal(prepay_tariff_bill_add(&bill_a, lines_a, (size_t)k), PREPAY_OK);
    }
    int k = prepay_tariff_close_cycle(&plan, NULL, &st, lines_a, CAP, &res);
    assert_true(k >= 0);
    assert_int_equal(prepay_tariff_bill_add(&bill_a, lines_a, (size_t)k), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_finish(&bill_a), PREPAY_OK);

    /* Bill B: the registers. Energy of each band over the day at its price (one tier). */
    int32_t cycle = 0;
    assert_int_equal(prepay_tariff_cycle_of(&fx_tariff, day, &cycle), PREPAY_OK);
    size_t nb = 0;
    for (unsigned b = 1; b <= 4; b++) {
        prepay_energy_t q = register_wh(end_regs + 4 * b) - register_wh(start_regs + 4 * b);
        if (q == 0) {
            continue;
        }
        prepay_tariff_line_t *l = &lines_b[nb++];
        memset(l, 0, sizeof *l);
        l->kind = PREPAY_LINE_ENERGY;
        l->cycle = cycle;
        l->band = (uint8_t)b;
        l->tier = 1;
        l->quantity = q;
        assert_int_equal(prepay_tariff_price(&fx_tariff, b, 1, &l->price), PREPAY_OK);
        assert_int_equal(prepay_amount_from_product(q, l->price, &l->amount), PREPAY_OK);
    }
    /* Demand from the maximum-demand registers: total, and the peak band's for demand period 1. */
    prepay_tariff_demand_state_t d;
    memset(&d, 0, sizeof d);
    d.cycle = cycle;
    d.flat_peak = (prepay_power_t)fx_bcd(max_regs, 3) / 10; /* XX.XXXX kW -> W */
    d.peak[0] = (prepay_power_t)fx_bcd(max_regs + 8 * 2, 3) / 10;
    size_t nd = 0;
    assert_int_equal(prepay_tariff_demand_lines(&plan, NULL, &d, lines_b + nb, CAP - nb, &nd), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_init(&bill_b, &fx_tariff, store_b, CAP), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_add(&bill_b, lines_b, nb + nd), PREPAY_OK);
    assert_int_equal(prepay_tariff_bill_finish(&bill_b), PREPAY_OK);

    /* The same bill. */
    int32_t max_w = 0, peak_w = 0;
    for (int i = 0; i < SLOTS; i++) {
        max_w = watts[i] > max_w ? watts[i] : max_w;
        int h = i / 4;
        bool peak = (h >= 10 && h < 12) || (h >= 18 && h < 21);
        peak_w = peak && watts[i] > peak_w ? watts[i] : peak_w;
    }
    assert_int_equal(d.flat_peak, max_w);
    assert_int_equal(d.peak[0], peak_w);
    printf("  day energy %lld Wh, maximum demand %d W (peak band %d W), %zu frames; bill %lld.%02lld yuan\n",
           (long long)bill_a.energy_total, max_w, peak_w, (size_t)frames, (long long)(bill_a.total / 100),
           (long long)(bill_a.total % 100));
    assert_int_equal(bill_a.line_count, bill_b.line_count);
    for (size_t i = 0; i < bill_a.line_count; i++) {
        const prepay_tariff_line_t *x1 = &bill_a.lines[i], *x2 = &bill_b.lines[i];
        assert_int_equal(x1->kind, x2->kind);
        assert_int_equal(x1->band, x2->band);
        assert_int_equal(x1->tier, x2->tier);
        assert_int_equal(x1->quantity, x2->quantity);
        assert_int_equal(x1->price, x2->price);
        assert_int_equal(prepay_amount_compare(x1->amount, x2->amount), 0);
    }
    assert_int_equal(bill_a.total, bill_b.total);
    assert_int_equal(prepay_amount_compare(bill_a.exact_total, bill_b.exact_total), 0);
    assert_true(bill_a.demand_subtotal.units > 0);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_equals_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
