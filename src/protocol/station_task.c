/* SPDX-License-Identifier: MIT */
/*
 * Station side: batch tasks — one operation applied to many meters of a bus,
 * meter after meter, with further rounds for the meters that did not answer
 * (see prepay/station.h).
 */
#include <string.h>

#include "prepay/station.h"

#define TASK_MAGIC 0x5441534Bu /* "TASK" */

int prepay_station_task_init(prepay_station_task_t *task, prepay_station_task_item_t *items, size_t count,
                             prepay_station_build_fn build, void *context, uint64_t start_at_ms, uint8_t rounds,
                             uint8_t *data, size_t data_cap)
{
    if (!task || !items || count == 0 || !build || rounds == 0 || (!data && data_cap != 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    memset(task, 0, sizeof *task);
    for (size_t i = 0; i < count; i++) {
        items[i].status = PREPAY_E_STATION_NOT_DONE;
        items[i].error = 0;
        items[i].rounds = 0;
        items[i].attempts = 0;
    }
    task->items = items;
    task->count = count;
    task->build = build;
    task->context = context;
    task->start_at_ms = start_at_ms;
    task->max_rounds = rounds;
    task->data = data;
    task->data_cap = data_cap;
    task->magic = TASK_MAGIC;
    return PREPAY_OK;
}

/* Worth another round: the meter never answered (a refusal is final). */
static bool retryable(int status)
{
    return status == PREPAY_E_STATION_TIMEOUT || status == PREPAY_E_STATION_BAD_SEQUENCE ||
           status == PREPAY_E_STATION_NOT_DONE;
}

static bool wanted_this_round(const prepay_station_task_t *task, size_t i)
{
    const prepay_station_task_item_t *item = &task->items[i];
    return item->rounds < task->round && retryable(item->status);
}

/* Starts the next meter's request, skipping meters whose request cannot be
 * built; moves to the next round or finishes when a round is over. */
static int start_next(prepay_station_task_t *task, prepay_station_session_t *session, uint64_t now_ms, uint8_t *tx,
                      size_t tx_cap, prepay_station_step_t *step)
{
    for (;;) {
        while (task->next < task->count && !wanted_this_round(task, task->next)) {
            task->next++;
        }
        if (task->next == task->count) {
            bool again = false;
            for (size_t i = 0; i < task->count; i++) {
                again = again || retryable(task->items[i].status);
            }
            if (!again || task->round >= task->max_rounds) {
                task->finished = true;
                step->action = PREPAY_STATION_DONE;
                step->send_len = 0;
                step->wake_at_ms = now_ms;
                return PREPAY_OK;
            }
            task->round++;
            task->next = 0;
            continue;
        }
        prepay_station_task_item_t *item = &task->items[task->next];
        item->rounds = task->round;
        prepay_dlt645_frame_t request;
        int status = task->build(task->context, &item->address, task->next, &request);
        if (status == PREPAY_OK) {
            status = prepay_station_start(session, &request, task->data, task->data_cap, now_ms, tx, tx_cap, step);
            if (status == PREPAY_OK) {
                return PREPAY_OK;
            }
            if (status == PREPAY_E_BUFFER_TOO_SMALL || status == PREPAY_E_STATION_BUSY) {
                item->rounds = (uint8_t)(task->round - 1u);
                return status; /* the caller's problem, not the meter's */
            }
        }
        item->status = status;
        task->next++;
    }
}

static void record(prepay_station_task_t *task, const prepay_station_result_t *result)
{
    prepay_station_task_item_t *item = &task->items[task->next];
    item->status = result->status;
    item->error = result->error;
    item->attempts = result->attempts;
    task->next++;
}

static int check(const prepay_station_task_t *task, const prepay_station_session_t *session,
                 const uint8_t *tx, const prepay_station_step_t *step)
{
    if (!task || !session || !tx || !step) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    return task->magic == TASK_MAGIC ? PREPAY_OK : PREPAY_E_BAD_STATE;
}

/* After the session moved: record a finished request and start the next. */
static int advance(prepay_station_task_t *task, prepay_station_session_t *session, uint64_t now_ms, uint8_t *tx,
                   size_t tx_cap, prepay_station_step_t *step)
{
    if (step->action != PREPAY_STATION_DONE) {
        return PREPAY_OK;
    }
    prepay_station_result_t result;
    int status = prepay_station_result(session, &result);
    if (status != PREPAY_OK) {
        return status;
    }
    record(task, &result);
    return start_next(task, session, now_ms, tx, tx_cap, step);
}

int prepay_station_task_poll(prepay_station_task_t *task, prepay_station_session_t *session, uint64_t now_ms,
                             uint8_t *tx, size_t tx_cap, prepay_station_step_t *step)
{
    int status = check(task, session, tx, step);
    if (status != PREPAY_OK) {
        return status;
    }
    if (task->finished) {
        step->action = PREPAY_STATION_DONE;
        step->send_len = 0;
        step->wake_at_ms = now_ms;
        return PREPAY_OK;
    }
    if (!task->started) {
        if (now_ms < task->start_at_ms) {
            step->action = PREPAY_STATION_WAIT;
            step->send_len = 0;
            step->wake_at_ms = task->start_at_ms;
            return PREPAY_OK;
        }
        task->started = true;
        task->round = 1;
        task->next = 0;
        return start_next(task, session, now_ms, tx, tx_cap, step);
    }
    status = prepay_station_poll(session, now_ms, tx, tx_cap, step);
    if (status != PREPAY_OK) {
        return status;
    }
    return advance(task, session, now_ms, tx, tx_cap, step);
}

int prepay_station_task_receive(prepay_station_task_t *task, prepay_station_session_t *session, const uint8_t *rx,
                                size_t rx_len, uint64_t now_ms, uint8_t *tx, size_t tx_cap,
                                prepay_station_step_t *step)
{
    int status = check(task, session, tx, step);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!task->started || task->finished) {
        return prepay_station_task_poll(task, session, now_ms, tx, tx_cap, step);
    }
    status = prepay_station_receive(session, rx, rx_len, now_ms, tx, tx_cap, step);
    if (status != PREPAY_OK) {
        return status;
    }
    return advance(task, session, now_ms, tx, tx_cap, step);
}

int prepay_station_task_summary(const prepay_station_task_t *task, prepay_station_task_summary_t *out)
{
    if (!task || !out) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (task->magic != TASK_MAGIC) {
        return PREPAY_E_BAD_STATE;
    }
    memset(out, 0, sizeof *out);
    out->meters = task->count;
    for (size_t i = 0; i < task->count; i++) {
        int status = task->items[i].status;
        if (status == PREPAY_OK) {
            out->succeeded++;
        } else if (status == PREPAY_E_DLT645_ABNORMAL) {
            out->abnormal++;
        } else if (status == PREPAY_E_STATION_TIMEOUT) {
            out->timed_out++;
        } else if (status == PREPAY_E_STATION_NOT_DONE) {
            out->pending++;
        } else {
            out->other++;
        }
    }
    out->finished = task->finished;
    return PREPAY_OK;
}
