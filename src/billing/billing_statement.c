/* SPDX-License-Identifier: MIT */
/*
 * Postpaid statements (see billing.h): lines and totals, the draft →
 * confirmed → issued state machine, the seal of an issued statement, and
 * corrections by adjustment lines.
 */
#include <stddef.h>

#include "billing_internal.h"

/* Sums of a statement recomputed from its lines. */
typedef struct sums {
    prepay_money_t totals[PREPAY_BILLING_LINE_KINDS];
    prepay_money_t charges;
    prepay_money_t closing;
} sums_t;

static bool line_kind_valid(prepay_statement_line_kind_t kind)
{
    return (unsigned)kind < (unsigned)PREPAY_BILLING_LINE_KINDS;
}

/* charges = all kinds but payments; closing = opening + charges - payments. */
static int finish_sums(prepay_money_t opening, sums_t *s)
{
    prepay_money_t charges = 0;
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        if (k == (unsigned)PREPAY_BILLING_LINE_PAYMENT) {
            continue;
        }
        int status = prepay_i64_add(charges, s->totals[k], &charges);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    prepay_money_t closing;
    int status = prepay_i64_add(opening, charges, &closing);
    if (status == PREPAY_OK) {
        status = prepay_i64_sub(closing, s->totals[PREPAY_BILLING_LINE_PAYMENT], &closing);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    s->charges = charges;
    s->closing = closing;
    return PREPAY_OK;
}

static int recompute(const prepay_statement_t *st, sums_t *s)
{
    if (st->line_count > st->line_cap || (!st->lines && st->line_count > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        s->totals[k] = 0;
    }
    for (size_t i = 0; i < st->line_count; i++) {
        const prepay_statement_line_t *line = &st->lines[i];
        if (!line_kind_valid(line->kind)) {
            return PREPAY_E_BILLING_UNBALANCED;
        }
        int status = prepay_i64_add(s->totals[line->kind], line->amount, &s->totals[line->kind]);
        if (status != PREPAY_OK) {
            return status;
        }
    }
    return finish_sums(st->opening, s);
}

static bool sums_match(const prepay_statement_t *st, const sums_t *s)
{
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        if (st->totals[k] != s->totals[k]) {
            return false;
        }
    }
    return st->charges == s->charges && st->closing == s->closing &&
           st->payments == s->totals[PREPAY_BILLING_LINE_PAYMENT];
}

/* FNV-1a 64 over explicit little-endian encodings (no struct padding, same on every target). */
static uint64_t mix(uint64_t hash, uint64_t value)
{
    for (unsigned i = 0; i < 8; i++) {
        hash ^= (value >> (8 * i)) & 0xFFu;
        hash *= 0x100000001B3u;
    }
    return hash;
}

static uint64_t seal_of(const prepay_statement_t *st)
{
    uint64_t h = 0xCBF29CE484222325u;
    h = mix(h, st->statement_id);
    h = mix(h, st->account_id);
    h = mix(h, (uint64_t)(int64_t)st->period_start);
    h = mix(h, (uint64_t)(int64_t)st->period_end);
    h = mix(h, (uint64_t)(int64_t)st->issue_date);
    h = mix(h, (uint64_t)(int64_t)st->due_date);
    h = mix(h, (uint64_t)st->opening);
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        h = mix(h, (uint64_t)st->totals[k]);
    }
    h = mix(h, (uint64_t)st->charges);
    h = mix(h, (uint64_t)st->payments);
    h = mix(h, (uint64_t)st->closing);
    h = mix(h, (uint64_t)st->line_count);
    for (size_t i = 0; i < st->line_count; i++) {
        const prepay_statement_line_t *line = &st->lines[i];
        h = mix(h, (uint64_t)line->kind | (uint64_t)line->band << 8 | (uint64_t)line->tier << 16);
        h = mix(h, (uint64_t)line->energy);
        h = mix(h, (uint64_t)line->amount);
        h = mix(h, line->reference);
        h = mix(h, (uint64_t)(int64_t)line->date);
    }
    return h;
}

int prepay_billing_statement_init(prepay_statement_t *statement, uint64_t account_id, prepay_days_t period_start,
                                  prepay_days_t period_end, prepay_money_t opening, prepay_statement_line_t *lines,
                                  size_t line_cap)
{
    if (!statement || (!lines && line_cap > 0)) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (account_id == 0 || account_id > PREPAY__BILLING_MAX_ACCOUNT) {
        return PREPAY_E_BILLING_ID_RANGE;
    }
    if (period_end <= period_start) {
        return PREPAY_E_BILLING_BAD_PERIOD;
    }
    prepay_statement_t st;
    st.statement_id = account_id << 32 | (uint64_t)(uint32_t)period_start;
    st.account_id = account_id;
    st.period_start = period_start;
    st.period_end = period_end;
    st.issue_date = 0;
    st.due_date = 0;
    st.opening = opening;
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        st.totals[k] = 0;
    }
    st.charges = 0;
    st.payments = 0;
    st.closing = opening;
    st.state = PREPAY_BILLING_DRAFT;
    st.seal = 0;
    st.lines = lines;
    st.line_count = 0;
    st.line_cap = line_cap;
    *statement = st;
    return PREPAY_OK;
}

int prepay_billing_statement_add(prepay_statement_t *statement, const prepay_statement_line_t *line)
{
    if (!statement || !line) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (statement->state != PREPAY_BILLING_DRAFT) {
        return PREPAY_E_BILLING_IMMUTABLE;
    }
    if (!line_kind_valid(line->kind) || (line->kind == PREPAY_BILLING_LINE_PAYMENT && line->amount < 0)) {
        return PREPAY_E_BILLING_BAD_LINE;
    }
    if (statement->line_count >= statement->line_cap || !statement->lines) {
        return PREPAY_E_CAPACITY;
    }
    sums_t s;
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        s.totals[k] = statement->totals[k];
    }
    int status = prepay_i64_add(s.totals[line->kind], line->amount, &s.totals[line->kind]);
    if (status == PREPAY_OK) {
        status = finish_sums(statement->opening, &s);
    }
    if (status != PREPAY_OK) {
        return status;
    }
    statement->lines[statement->line_count++] = *line;
    for (unsigned k = 0; k < PREPAY_BILLING_LINE_KINDS; k++) {
        statement->totals[k] = s.totals[k];
    }
    statement->charges = s.charges;
    statement->payments = s.totals[PREPAY_BILLING_LINE_PAYMENT];
    statement->closing = s.closing;
    return PREPAY_OK;
}

int prepay_billing_statement_verify(const prepay_statement_t *statement)
{
    if (!statement) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    sums_t s;
    int status = recompute(statement, &s);
    if (status != PREPAY_OK) {
        return status;
    }
    if (!sums_match(statement, &s)) {
        return PREPAY_E_BILLING_UNBALANCED;
    }
    if (statement->state == PREPAY_BILLING_ISSUED && statement->seal != seal_of(statement)) {
        return PREPAY_E_BILLING_UNBALANCED;
    }
    return PREPAY_OK;
}

int prepay_billing_statement_confirm(prepay_statement_t *statement)
{
    if (!statement) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (statement->state != PREPAY_BILLING_DRAFT) {
        return PREPAY_E_BILLING_BAD_TRANSITION;
    }
    int status = prepay_billing_statement_verify(statement);
    if (status != PREPAY_OK) {
        return status;
    }
    statement->state = PREPAY_BILLING_CONFIRMED;
    return PREPAY_OK;
}

int prepay_billing_statement_reopen(prepay_statement_t *statement)
{
    if (!statement) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (statement->state != PREPAY_BILLING_CONFIRMED) {
        return PREPAY_E_BILLING_BAD_TRANSITION;
    }
    statement->state = PREPAY_BILLING_DRAFT;
    return PREPAY_OK;
}

int prepay_billing_statement_issue(prepay_statement_t *statement, prepay_days_t issue_date, prepay_days_t due_date)
{
    if (!statement || due_date < issue_date) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (statement->state != PREPAY_BILLING_CONFIRMED) {
        return PREPAY_E_BILLING_BAD_TRANSITION;
    }
    int status = prepay_billing_statement_verify(statement);
    if (status != PREPAY_OK) {
        return status;
    }
    statement->issue_date = issue_date;
    statement->due_date = due_date;
    statement->state = PREPAY_BILLING_ISSUED;
    statement->seal = seal_of(statement);
    return PREPAY_OK;
}

int prepay_billing_statement_correct(const prepay_statement_t *issued, prepay_statement_t *next, prepay_money_t amount,
                                     prepay_days_t date)
{
    if (!issued || !next || issued == next || issued->account_id != next->account_id ||
        next->period_start < issued->period_end) {
        return PREPAY_E_INVALID_ARGUMENT;
    }
    if (issued->state != PREPAY_BILLING_ISSUED) {
        return PREPAY_E_BILLING_BAD_TRANSITION;
    }
    int status = prepay_billing_statement_verify(issued);
    if (status != PREPAY_OK) {
        return status;
    }
    prepay_statement_line_t line;
    line.kind = PREPAY_BILLING_LINE_ADJUSTMENT;
    line.band = 0;
    line.tier = 0;
    line.energy = 0;
    line.amount = amount;
    line.reference = issued->statement_id;
    line.date = date;
    return prepay_billing_statement_add(next, &line);
}
