/* Streaming evaluation: feed intervals or register readings, get charge lines. */
#include <string.h>

#include "prepay/fixed_point.h"
#include "prepay/status.h"
#include "prepay/tariff.h"
#include "tariff_engine_internal.h"

typedef struct stream_sink {
    prepay__sink_t base; /* first member: the engine's sink pointer is this struct */
    const prepay_tariff_plan_t *plan;
    prepay_tariff_line_t *lines;
    size_t cap;
    size_t count; /* lines produced (stored while count <= cap) */
    bool pending_set;
    prepay_tariff_line_t pending;
    prepay_amount_t exact;
} stream_sink_t;

static int sink_flush(stream_sink_t *s)
{
    if (!s->pending_set) {
        return PREPAY_OK;
    }
    prepay_tariff_line_t *line = &s->pending;
    const prepay_tariff_t *t = s->plan->sets[line->price_set];
    int status = PREPAY_OK;
    if (line->kind == PREPAY_LINE_ENERGY) {
        status = prepay_amount_from_product(line->quantity, line->price, &line->amount);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_round(line->amount, t->rounding, &line->money);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_add(s->exact, line->amount, &s->exact);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    if (s->count < s->cap) {
        s->lines[s->count] = *line;
    }
    s->count++;
    s->pending_set = false;
    return PREPAY_OK;
}

static int sink_energy(prepay__sink_t *base, int32_t cycle, unsigned set, unsigned band, unsigned tier,
                       prepay_energy_t quantity)
{
    stream_sink_t *s = (stream_sink_t *)base;
    prepay_tariff_line_t *p = &s->pending;
    if (s->pending_set && p->kind == PREPAY_LINE_ENERGY && p->cycle == cycle && p->price_set == set &&
        p->band == band && p->tier == tier) {
        return prepay_i64_add(p->quantity, quantity, &p->quantity);
    }
    int status = sink_flush(s);
    if (status != PREPAY_OK) {
        return status;
    }
    memset(p, 0, sizeof *p);
    p->kind = PREPAY_LINE_ENERGY;
    p->cycle = cycle;
    p->price_set = (uint8_t)set;
    p->band = (uint8_t)band;
    p->tier = (uint8_t)tier;
    p->quantity = quantity;
    status = prepay__tariff_price(s->plan->sets[set], band, tier, &p->price);
    if (status == PREPAY_OK) {
        s->pending_set = true;
    }
    return status;
}

static int sink_fixed(prepay__sink_t *base, int32_t cycle, unsigned set, unsigned index)
{
    stream_sink_t *s = (stream_sink_t *)base;
    int status = sink_flush(s);
    if (status != PREPAY_OK) {
        return status;
    }
    const prepay_fixed_charge_t *charge = &s->plan->sets[set]->fixed_charges[index];
    prepay_tariff_line_t *p = &s->pending;
    memset(p, 0, sizeof *p);
    p->kind = PREPAY_LINE_FIXED;
    p->cycle = cycle;
    p->price_set = (uint8_t)set;
    p->fixed_index = (uint8_t)index;
    p->item = charge->item;
    p->amount = prepay_amount_from_money(charge->amount);
    s->pending_set = true;
    return sink_flush(s);
}

static void sink_init(stream_sink_t *s, const prepay_tariff_plan_t *plan, prepay_tariff_line_t *lines, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->base.energy = sink_energy;
    s->base.fixed = sink_fixed;
    s->plan = plan;
    s->lines = lines;
    s->cap = lines ? cap : 0;
}

static int check_common(const prepay_tariff_plan_t *plan, const prepay_tariff_state_t *state,
                        const prepay_tariff_line_t *lines, size_t line_cap, const prepay_tariff_feed_result_t *result)
{
    if (!plan || !state || !result || (!lines && line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    int status = prepay__state_check(state);
    if (status == PREPAY_OK) {
        status = prepay_tariff_plan_validate(plan);
    }
    return status;
}

/* Finishes a streaming call: buffer check, due and carry, commit. */
static int finish(prepay__engine_t *e, stream_sink_t *sink, prepay_tariff_state_t *state,
                  prepay_tariff_feed_result_t *result)
{
    int status = sink_flush(sink);
    if (status != PREPAY_OK) {
        return status;
    }
    if (sink->count > sink->cap) {
        memset(result, 0, sizeof *result);
        result->line_count = sink->count;
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    /* running exact total = charged + carry; due = round(running) - charged */
    prepay_amount_t carry, running;
    prepay_money_t rounded, due, charged;
    status = prepay_amount_add(e->st.carry, sink->exact, &carry);
    if (status == PREPAY_OK) {
        status = prepay_amount_add(carry, prepay_amount_from_money(e->st.charged), &running);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_round(running, e->plan->sets[0]->rounding, &rounded);
    }
    if (status == PREPAY_OK) {
        status = prepay_i64_sub(rounded, e->st.charged, &due);
    }
    if (status == PREPAY_OK) {
        status = prepay_amount_sub(carry, prepay_amount_from_money(due), &carry);
    }
    if (status == PREPAY_OK) {
        status = prepay_i64_add(e->st.charged, due, &charged);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    e->st.carry = carry;
    e->st.charged = charged;
    *state = e->st;
    result->line_count = sink->count;
    result->exact = sink->exact;
    result->due = due;
    return (int)(sink->count > (size_t)INT32_MAX ? INT32_MAX : sink->count);
}

int prepay_tariff_feed_interval(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                                prepay_tariff_state_t *state, prepay_time_t start, prepay_time_t end,
                                prepay_energy_t energy, prepay_tariff_line_t *lines, size_t line_cap,
                                prepay_tariff_feed_result_t *result)
{
    int status = check_common(plan, state, lines, line_cap, result);
    if (status != PREPAY_OK) {
        return status;
    }
    stream_sink_t sink;
    sink_init(&sink, plan, lines, line_cap);
    prepay__engine_t engine;
    prepay__engine_start(&engine, plan, account, state, &sink.base);
    status = prepay__engine_interval(&engine, start, end, energy);
    if (status != PREPAY_OK) {
        return status;
    }
    return finish(&engine, &sink, state, result);
}

int prepay_tariff_feed_reading(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                               prepay_tariff_state_t *state, prepay_time_t at, prepay_energy_t reading,
                               prepay_tariff_line_t *lines, size_t line_cap, prepay_tariff_feed_result_t *result)
{
    int status = check_common(plan, state, lines, line_cap, result);
    if (status != PREPAY_OK) {
        return status;
    }
    stream_sink_t sink;
    sink_init(&sink, plan, lines, line_cap);
    prepay__engine_t engine;
    prepay__engine_start(&engine, plan, account, state, &sink.base);
    prepay_tariff_state_t *st = &engine.st;
    if (st->flags & PREPAY__FLAG_PRIMED) {
        if (reading < st->register_value) {
            return PREPAY_E_TARIFF_REGISTER_BACKWARDS;
        }
        if (at < st->register_time) {
            return PREPAY_E_TARIFF_TIME_ORDER;
        }
        prepay_energy_t energy;
        if (prepay_i64_sub(reading, st->register_value, &energy) != PREPAY_OK) {
            return PREPAY_E_OVERFLOW;
        }
        status = prepay__engine_interval(&engine, st->register_time, at, energy);
        if (status != PREPAY_OK) {
            return status;
        }
    } else if ((st->flags & PREPAY__FLAG_POSITION) && at < st->position) {
        return PREPAY_E_TARIFF_TIME_ORDER;
    }
    st->flags |= PREPAY__FLAG_PRIMED;
    st->register_time = at;
    st->register_value = reading;
    return finish(&engine, &sink, state, result);
}

int prepay_tariff_close_cycle(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                              prepay_tariff_state_t *state, prepay_tariff_line_t *lines, size_t line_cap,
                              prepay_tariff_feed_result_t *result)
{
    int status = check_common(plan, state, lines, line_cap, result);
    if (status != PREPAY_OK) {
        return status;
    }
    stream_sink_t sink;
    sink_init(&sink, plan, lines, line_cap);
    prepay__engine_t engine;
    prepay__engine_start(&engine, plan, account, state, &sink.base);
    status = prepay__engine_close(&engine);
    if (status != PREPAY_OK) {
        return status;
    }
    return finish(&engine, &sink, state, result);
}
