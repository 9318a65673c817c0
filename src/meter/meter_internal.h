/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers shared by the files of the meter module (never installed).
 */
#ifndef PREPAY_METER_INTERNAL_H
#define PREPAY_METER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "prepay/meter.h"
#include "../common/size_internal.h"

/* "PMTR": marks an initialised meter. */
#define PREPAY__METER_MAGIC 0x504D5452u

/* Switch-over time meaning "never" (reads as 00000000 00). */
#define PREPAY__METER_NEVER INT64_MAX

/* Index of the price switch-over time (04000108) in prepay_meter_t::switch_time. */
#define PREPAY__METER_SWITCH_PRICES 2

/* Operator code recorded for the meter's own decisions (money, overload). */
#define PREPAY__METER_LOCAL_OPERATOR 0xFFFFFFFFu

/* Lines a single step can produce: tiers crossed, plus fixed charges of a new cycle. */
#define PREPAY__METER_STEP_LINES (PREPAY_MAX_TIERS + PREPAY_MAX_FIXED_CHARGES + 1)

int prepay__meter_check(const prepay_meter_t *meter);
void prepay__meter_catch_up(prepay_meter_t *meter, prepay_time_t now);
int prepay__meter_decide(prepay_meter_t *meter, bool button, uint32_t who);
void prepay__meter_event(prepay_meter_t *meter, unsigned kind, prepay_time_t start, prepay_time_t end,
                         uint32_t detail);
/* An event at the meter clock without an end: prepay__meter_event(meter, kind, clock, 0, detail)
 * in three register arguments. */
void prepay__meter_event_now(prepay_meter_t *meter, unsigned kind, uint32_t detail);
/* Whether an address is one a meter may have: twelve BCD digits, not the broadcast 999999999999. */
bool prepay__meter_address_ok(const prepay_dlt645_address_t *address);
void prepay__meter_freeze(const prepay_meter_t *meter, prepay_meter_frozen_t *out);
void prepay__meter_plan(const prepay_meter_t *meter, prepay_tariff_plan_t *plan);
/* Rebuilds and seals the derived plan from the bound sets and price switch
 * time, forgetting the band run. An invalid plan stays unsealed, so pricing
 * with it reports why. */
const prepay_tariff_plan_t *prepay__meter_reseal(prepay_meter_t *meter);

/* The bound sets and price switch time as a sealed plan (resealed when they or a set's revision changed). */
static inline const prepay_tariff_plan_t *prepay__meter_sealed_plan(prepay_meter_t *meter)
{
    const prepay_tariff_plan_t *plan = &meter->derived.plan;
    if (plan->sets[0] == meter->sets[0] && plan->sets[1] == meter->sets[1] &&
        plan->switch_time == meter->switch_time[PREPAY__METER_SWITCH_PRICES] && prepay_tariff_plan_is_sealed(plan)) {
        return plan;
    }
    return prepay__meter_reseal(meter);
}

/* A bound wallet policy without time windows, holidays or weekend days: the meter overrides
 * its levels, pre-trip, cut-off and amounts (meter_policy() in meter.c), and what is left
 * (hysteresis, the window debt cap) matters only when the balance rises or in a window, so
 * it decides exactly as the built-in policy while the balance falls. */
static inline bool prepay__meter_policy_timeless(const prepay_meter_t *meter)
{
    const prepay_wallet_policy_t *p = meter->policy;
    return p == NULL || (p->window_count == 0 && p->holiday_count == 0 && p->weekend_mask == 0);
}

/* Whether the last relay decision still holds without deciding again: local
 * mode, built-in policy or a timeless bound one (no time windows: the decision
 * depends on the balance and the flags only), no button, the same purse
 * parameters, relay flags and wallet state as the decision left, and a balance that has only fallen and
 * stays above the point where the alarm level would rise or the cut-off trip
 * (see remember_decision() in meter.c). prepay_wallet_decide() would return
 * exactly its previous output then. */
static inline bool prepay__meter_decision_holds_inline(const prepay_meter_t *meter, bool button)
{
    const prepay_meter_derived_t *d = &meter->derived;
    const prepay_meter_purse_t *p = &meter->purse;
    return !button && d->decided && p->balance <= d->decided_balance && p->balance > d->decided_floor &&
           meter->mode == PREPAY_METER_MODE_LOCAL && prepay__meter_policy_timeless(meter) &&
           meter->relay == d->decided_relay &&
           meter->alarm_level == d->decided_level && meter->wallet.level == d->decided_wallet.level &&
           meter->wallet.flags == d->decided_wallet.flags &&
#if PREPAY_METER_DECISION_PURSE
           p->alarm1 == d->decided_purse[0] && p->alarm2 == d->decided_purse[1] &&
           p->overdraft_limit == d->decided_purse[2] && p->close_allowed == d->decided_purse[3];
#else
           true; /* a limit written through the library forgot the decision (prepay__meter_purse_limits_written) */
#endif
}

/* The purse limits were written (prepay_meter_set_purse_parameters(), 04001001..05): with
 * PREPAY_METER_DECISION_PURSE 0 the cache keeps no copy of them to compare, so forget the decision. */
static inline void prepay__meter_purse_limits_written(prepay_meter_t *meter)
{
#if PREPAY_METER_DECISION_PURSE
    (void)meter; /* decision_holds compares the limits it used */
#else
    meter->derived.decided = 0;
#endif
}

/* The same check out of line (meter.c). Speed builds inline it: prepay_meter_advance() asks at
 * every step. Size builds (-Os, the firmware profile) call one copy instead of three expansions. */
bool prepay__meter_decision_holds_call(const prepay_meter_t *meter, bool button);
#if defined(__OPTIMIZE_SIZE__)
#define prepay__meter_decision_holds prepay__meter_decision_holds_call
#else
#define prepay__meter_decision_holds prepay__meter_decision_holds_inline
#endif

/* Checks a purse's parameters (alarm amounts, overdraft, hoarding and close-allowed limits). */
int prepay__meter_check_purse(const prepay_meter_purse_t *purse);
int prepay__meter_set_clock(prepay_meter_t *meter, prepay_time_t t);
void prepay__meter_refuse_time_sync(prepay_meter_t *meter, prepay_time_t t);
int prepay__meter_clear_events(prepay_meter_t *meter, int kind);
void prepay__meter_clear_energy(prepay_meter_t *meter);
uint32_t prepay__meter_le32(const uint8_t bytes[4]);
/* Answers a decoded DL/T 645-1997 request (meter_read_1997.c): reply length, 0 for none, or an error. */
int prepay__meter_handle_1997(prepay_meter_t *meter, prepay_time_t now, const prepay_dlt645_frame_t *req,
                              uint8_t *reply, size_t reply_cap);

/* Where the value of a DL/T 645 read goes: the caller's buffer and the bytes written so far
 * (meter_read.c). One pointer instead of three arguments for every reader. */
typedef struct prepay__meter_cursor {
    uint8_t *out;
    size_t cap;
    size_t at;
} prepay__meter_cursor_t;

/* Appends n bytes; PREPAY_E_BUFFER_TOO_SMALL, and nothing written, when they do not fit. Inlined
 * in speed builds (every read appends through it); -Os builds call one copy (meter_read.c). */
static inline int prepay__meter_put_inline(prepay__meter_cursor_t *c, const uint8_t *bytes, size_t n)
{
    if (c->at + n > c->cap) {
        return PREPAY_E_BUFFER_TOO_SMALL;
    }
    memcpy(c->out + c->at, bytes, n);
    c->at += n;
    return PREPAY_OK;
}
int prepay__meter_put_call(prepay__meter_cursor_t *c, const uint8_t *bytes, size_t n);
#if defined(__OPTIMIZE_SIZE__)
#define prepay__meter_put prepay__meter_put_call
#else
#define prepay__meter_put prepay__meter_put_inline
#endif

/* ---- maximum demand (meter_demand.c) and load records (meter_load_profile.c) ---- */

#define PREPAY__DI_DEMAND_PERIOD 0x04000103u  /* maximum-demand period, NN minutes */
#define PREPAY__DI_DEMAND_SLIDE 0x04000104u   /* sliding time, NN minutes */
#define PREPAY__DI_CURRENT_DEMAND 0x02800004u /* current active demand, XX.XXXX kW */
#define PREPAY__DI_LOAD_MODE 0x04000901u      /* load-record mode word */
#define PREPAY__DI_LOAD_START 0x04000A01u     /* load-record start time, MMDDhhmm */
#define PREPAY__DI_LOAD_INTERVAL_1 0x04000A02u /* .. 0x04000A07: class 1..6 interval, NNNN minutes */

#if PREPAY_METER_DEMAND
void prepay__meter_demand_init(prepay_meter_t *meter);
void prepay__meter_demand_restart(prepay_meter_demand_t *d);
/* The minute ending at t (a whole minute of the meter clock) in tariff band `band` (0: none). */
void prepay__meter_demand_minute(prepay_meter_t *meter, prepay_time_t t, unsigned band);
/* Settlement: the maxima are frozen into settled[0] and start again. */
void prepay__meter_demand_settle(prepay_meter_t *meter);
/* The first demand member out of its domain, or NULL. */
const char *prepay__meter_demand_check(const prepay_meter_t *meter);
int prepay__meter_read_demand(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c);
int prepay__meter_read_current_demand(const prepay_meter_t *meter, prepay__meter_cursor_t *c);
int prepay__meter_demand_parameter_read(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c);
int prepay__meter_demand_parameter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len);

/* Energy of a step into the minute being measured (watts constant for dt seconds). */
static inline void prepay__meter_demand_add(prepay_meter_t *meter, int32_t watts, int64_t dt)
{
    prepay_meter_demand_t *d = &meter->demand;
    if (watts > 0) {
        d->forward_ws += (int64_t)watts * dt;
    } else if (watts < 0) {
        d->reverse_ws += -(int64_t)watts * dt;
    }
}

/* `count` whole minutes of constant `watts` in one band, the first ending at first_end (meter_demand.c). */
void prepay__meter_demand_minutes(prepay_meter_t *meter, prepay_time_t first_end, int64_t count, int32_t watts,
                                  unsigned band);
#else
/* PREPAY_METER_DEMAND 0: no demand is kept; its DIs read and write as unknown ("no requested data"). */
static inline void prepay__meter_demand_init(prepay_meter_t *meter) { (void)meter; }
static inline void prepay__meter_demand_minute(prepay_meter_t *meter, prepay_time_t t, unsigned band)
{
    (void)meter, (void)t, (void)band;
}
static inline void prepay__meter_demand_settle(prepay_meter_t *meter) { (void)meter; }
static inline const char *prepay__meter_demand_check(const prepay_meter_t *meter)
{
    (void)meter;
    return NULL;
}
static inline int prepay__meter_read_demand(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c)
{
    (void)meter, (void)di, (void)c;
    return PREPAY_E_NOT_FOUND;
}
static inline int prepay__meter_read_current_demand(const prepay_meter_t *meter, prepay__meter_cursor_t *c)
{
    (void)meter, (void)c;
    return PREPAY_E_NOT_FOUND;
}
static inline int prepay__meter_demand_parameter_read(const prepay_meter_t *meter, uint32_t di,
                                                      prepay__meter_cursor_t *c)
{
    (void)meter, (void)di, (void)c;
    return PREPAY_E_NOT_FOUND;
}
static inline int prepay__meter_demand_parameter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len)
{
    (void)meter, (void)di, (void)v, (void)len;
    return PREPAY_E_NOT_FOUND;
}
static inline void prepay__meter_demand_add(prepay_meter_t *meter, int32_t watts, int64_t dt)
{
    (void)meter, (void)watts, (void)dt;
}
static inline void prepay__meter_demand_minutes(prepay_meter_t *meter, prepay_time_t first_end, int64_t count,
                                                int32_t watts, unsigned band)
{
    (void)meter, (void)first_end, (void)count, (void)watts, (void)band;
}
#endif

/* Whether the meter may jump (meter_advance.c): no supervision, no timed freeze, powered, and in
 * remote mode, or in local mode with nothing `flowing`, nothing left to price and a relay decision
 * that holds. */
bool prepay__meter_jump_allowed(const prepay_meter_t *meter, bool flowing);
/* Whether a load (NULL: none, or behind an open relay) repeats every day within the power limit
 * (meter_jump.c): a constant power, or a profile whose period divides a day; *flowing: whether it
 * ever draws or feeds. */
bool prepay__meter_jump_load(const prepay_meter_t *meter, const prepay_meter_load_t *load, bool *flowing);
/* A long quiet advance from the midnight meter->clock towards `end` in closed form (meter_jump.c;
 * the caller has checked prepay__meter_jump_load() and prepay__meter_jump_allowed()): the
 * registers brought to a midnight `to` at least the history horizon before `end`. Returns `to`, or
 * meter->clock when no jump applies (nothing changed). The caller then treats [clock, to) as a
 * run of minutes (demand window, load records up to *skip_until unwritten, the freezes at `to`). */
prepay_time_t prepay__meter_jump(prepay_meter_t *meter, const prepay_tariff_plan_t *plan, prepay_time_t end,
                                 const prepay_meter_load_t *load, prepay_time_t *skip_until);
/* Whether di is a load-record parameter (04000901, 04000A01..07). */
static inline bool prepay__meter_profile_parameter(uint32_t di)
{
    return di == PREPAY__DI_LOAD_MODE || (di >= PREPAY__DI_LOAD_START && di <= PREPAY__DI_LOAD_INTERVAL_1 + 5u);
}
#if PREPAY_METER_LOAD_RECORDS
void prepay__meter_profile_init(prepay_meter_t *meter);
/* The first load-profile member out of its domain, or NULL. */
const char *prepay__meter_profile_check(const prepay_meter_t *meter);
int prepay__meter_profile_parameter_read(const prepay_meter_t *meter, uint32_t di, prepay__meter_cursor_t *c);
int prepay__meter_profile_parameter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len);
#else
/* PREPAY_METER_LOAD_RECORDS 0: no load records; the parameters read and write as unknown ("no requested data"). */
static inline void prepay__meter_profile_init(prepay_meter_t *meter) { (void)meter; }
static inline const char *prepay__meter_profile_check(const prepay_meter_t *meter)
{
    (void)meter;
    return NULL;
}
static inline int prepay__meter_profile_parameter_read(const prepay_meter_t *meter, uint32_t di,
                                                       prepay__meter_cursor_t *c)
{
    (void)meter, (void)di, (void)c;
    return PREPAY_E_NOT_FOUND;
}
static inline int prepay__meter_profile_parameter_write(prepay_meter_t *meter, uint32_t di, const uint8_t *v,
                                                        size_t len)
{
    (void)meter, (void)di, (void)v, (void)len;
    return PREPAY_E_NOT_FOUND;
}
#endif
/* Where and how a DL/T 645-2007 request is answered (meter_handler.c): the meter (its address),
 * the request's function and the caller's reply buffer. One pointer, so that each reply call
 * passes its arguments in registers on a 32-bit target. */
typedef struct prepay__meter_reply {
    const prepay_meter_t *meter;
    uint8_t function;
    uint8_t *out;
    size_t cap;
} prepay__meter_reply_t;

#define PREPAY__METER_REPLY_ABNORMAL 1u  /* an abnormal reply (D6) */
#define PREPAY__METER_REPLY_FOLLOW_UP 2u /* more frames follow (D5) */

/* The reply frame to r's request carrying `data` (flags: PREPAY__METER_REPLY_*): its length, or an error. */
int prepay__meter_reply(const prepay__meter_reply_t *r, unsigned flags, const uint8_t *data, size_t len);
/* An abnormal reply carrying one error byte. */
int prepay__meter_reply_error(const prepay__meter_reply_t *r, uint8_t error);
/* A class-06 read (function 11) and a follow-up read (function 12): the reply frame's length, or an error. */
#if PREPAY_METER_LOAD_RECORDS
int prepay__meter_load_read(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const prepay__meter_reply_t *r);
int prepay__meter_load_follow_up(prepay_meter_t *meter, const prepay_dlt645_frame_t *req,
                                 const prepay__meter_reply_t *r);
#else
/* PREPAY_METER_LOAD_RECORDS 0: no records to answer with. */
static inline int prepay__meter_load_read(prepay_meter_t *meter, const prepay_dlt645_frame_t *req,
                                          const prepay__meter_reply_t *r)
{
    (void)meter, (void)req;
    return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
}
static inline int prepay__meter_load_follow_up(prepay_meter_t *meter, const prepay_dlt645_frame_t *req,
                                               const prepay__meter_reply_t *r)
{
    (void)meter, (void)req;
    return prepay__meter_reply_error(r, PREPAY_DLT645_ERROR_NO_DATA);
}
#endif

/* The load-record ring's entry points (meter_load_ring.c), reached through the table that
 * prepay_meter_attach_load_ring() puts in the ring: a firmware that never attaches a ring links
 * none of the recording and read-answer code (--gc-sections). */
typedef struct prepay__meter_ring_ops {
    /* The minute ending at t: a record of the classes due, when the meter is on. */
    void (*minute)(prepay_meter_t *meter, prepay_time_t t);
    /* Where a run of minutes from t must stop for load records, at most `end` of this advance
     * (INT64_MAX: no record due). Records before *skip_until would be overwritten by this
     * advance's last ring-full: `skip` accounts them without writing them. */
    prepay_time_t (*stop)(const prepay_meter_t *meter, prepay_time_t t, prepay_time_t end,
                          prepay_time_t *skip_until);
    void (*skip)(prepay_meter_t *meter, prepay_time_t t, prepay_time_t until);
    /* A class-06 read that prepay__meter_load_read() has checked (class, mode, N, from time). */
    int (*read)(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const prepay__meter_reply_t *r,
                unsigned cls, prepay_load_record_mode_t mode, unsigned count, prepay_time_t from);
    /* A follow-up read (function 12). */
    int (*follow_up)(prepay_meter_t *meter, const prepay_dlt645_frame_t *req, const prepay__meter_reply_t *r);
} prepay__meter_ring_ops_t;

/* The attached ring's entry points, or NULL (no ring). */
static inline const prepay__meter_ring_ops_t *prepay__meter_ring(const prepay_meter_t *meter)
{
#if PREPAY_METER_LOAD_RECORDS
    return meter->load_ring != NULL ? meter->load_ring->ops : NULL;
#else
    (void)meter;
    return NULL; /* no load records kept */
#endif
}

/* The minute ending at t: a record of the classes due, when a ring is attached and the meter is on. */
static inline void prepay__meter_profile_minute(prepay_meter_t *meter, prepay_time_t t)
{
    const prepay__meter_ring_ops_t *ops = prepay__meter_ring(meter);
    if (ops != NULL) {
        ops->minute(meter, t);
    }
}

/* Where a run of minutes from t must stop for load records (INT64_MAX: none; see `stop`). */
static inline prepay_time_t prepay__meter_profile_stop(const prepay_meter_t *meter, prepay_time_t t,
                                                       prepay_time_t end, prepay_time_t *skip_until)
{
    const prepay__meter_ring_ops_t *ops = prepay__meter_ring(meter);
    if (ops == NULL) {
        *skip_until = t;
        return INT64_MAX;
    }
    return ops->stop(meter, t, end, skip_until);
}

static inline void prepay__meter_profile_skip(prepay_meter_t *meter, prepay_time_t t, prepay_time_t until)
{
    const prepay__meter_ring_ops_t *ops = prepay__meter_ring(meter);
    if (ops != NULL) {
        ops->skip(meter, t, until);
    }
}

/* ---- supervision: events, load control, voltage qualification (meter_supervision.c) ---- */

#include "prepay/meter_supervision.h"

/* One step's load-control cycles, simulated before the step's energy is kept. */
typedef struct prepay__meter_sup_step {
    prepay_lc_state_t lc;          /* the load-control state at the step's end */
    prepay_lc_decision_t decision; /* the action at the step's end (PREPAY_LC_NONE: none) */
    bool open;                     /* the relay was open during the step */
} prepay__meter_sup_step_t;

/* The supervision's entry points (meter_supervision.c), reached through the table that
 * prepay_meter_attach_supervision() sets: a firmware that never attaches a supervision
 * links none of the events, load-control and voltage-statistics code (--gc-sections). */
typedef struct prepay__meter_sup_ops {
    /* The end of a step from t to at most `end` at constant `watts`: earlier while a transition is
     * timed (one-second samples) or at a load-control trip or restore; *status an error of it. */
    prepay_time_t (*plan)(prepay_meter_t *meter, prepay_time_t t, prepay_time_t end, int32_t watts,
                          prepay__meter_sup_step_t *step, int *status);
    /* After the step's energy: keeps the load-control state (and acts on the relay), samples the
     * events at `end`, counts the minute ending at `end` when `minute`. */
    int (*commit)(prepay_meter_t *meter, prepay_time_t end, bool minute, const prepay__meter_sup_step_t *step);
    /* A sample at the meter clock (after the instant quantities or the sensors changed). */
    int (*sample_now)(prepay_meter_t *meter);
    void (*clock_changed)(prepay_meter_t *meter, prepay_time_t before, prepay_time_t after);
    /* Reads and writes of the supervision's items: PREPAY_E_NOT_FOUND for other DIs. */
    int (*read)(const prepay_meter_t *meter, uint32_t di, uint8_t *out, size_t cap);
    int (*write)(prepay_meter_t *meter, uint32_t di, const uint8_t *v, size_t len);
    /* A successful write (programming record), a refused write or clear, a remote release. */
    void (*programmed)(prepay_meter_t *meter, uint32_t di, uint32_t operator_code);
    void (*refused)(prepay_meter_t *meter, uint32_t di, uint32_t operator_code);
    void (*release)(prepay_meter_t *meter);
    /* A meter clear or an all-events clear. */
    void (*clear)(prepay_meter_t *meter);
} prepay__meter_sup_ops_t;

/* The attached supervision's entry points, or NULL. */
static inline const prepay__meter_sup_ops_t *prepay__meter_sup(const prepay_meter_t *meter)
{
    return meter->supervision != NULL ? meter->supervision->ops : NULL;
}

#endif /* PREPAY_METER_INTERNAL_H */
