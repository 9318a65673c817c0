/* SPDX-License-Identifier: MIT */
/*
 * The double-entry ledger on tables: prepay_account (accounts with their
 * four counters) and prepay_transfer (the log, in `seq` order). Every
 * posting goes through libprepay's ledger: the posting function locks the
 * rows of the accounts it touches (in id order, so two postings cannot
 * deadlock), loads them with their counters into a small in-memory ledger
 * (prepay_ledger_load_account()), applies the transfer there, and writes
 * the new counters and the transfer row back. Idempotency is the transfer
 * id: the primary key, with INSERT ... ON CONFLICT DO NOTHING claiming it,
 * and the library's comparison of the stored transfer with the new one
 * deciding between "exists" and "exists with different fields".
 *
 * Three cases, so that each is decided by the library with the right data:
 *  A. the id exists: a scratch ledger without limits replays the stored
 *     transfer (and its pending transfer), then applies the new one: the
 *     library validates it and compares field by field;
 *  B. a post or void of a pending transfer that is already posted or voided:
 *     a scratch ledger replays the pending transfer and what resolved it;
 *  C. otherwise: the accounts with their real counters (an open pending
 *     transfer is replayed on top of counters without it).
 * A refused transfer changes nothing; prepay_ledger_post() raises it as an
 * ERROR (SQLSTATE 23514 for a rule of the books, 23505 for an id reused with
 * other fields, 23503 for a missing account or pending transfer, 22023 for a
 * malformed transfer), prepay_ledger_try_post() returns it as a value.
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "prepay/ledger.h"
#include "prepay/status.h"

#define TWO_PHASE (PREPAY_LEDGER_TRANSFER_POST_PENDING | PREPAY_LEDGER_TRANSFER_VOID_PENDING)
#define SLICE_ACCOUNTS 8
#define SLICE_TRANSFERS 8

/* ---- a small ledger in memory ------------------------------------------------------------------ */

typedef struct Slice
{
    prepay_ledger_t ledger;
    /* prepay_ledger_memory_layout() cuts this into the log, both indexes and the expiry heap */
    uint64_t    memory[PREPAY_LEDGER_MEMORY_SIZE(SLICE_ACCOUNTS, SLICE_TRANSFERS) / sizeof(uint64_t) + 1];
} Slice;

static void
slice_init(Slice *s)
{
    prepay_ledger_memory_t m;

    pgp_check(prepay_ledger_memory_layout(&m, s->memory, sizeof s->memory, SLICE_ACCOUNTS, SLICE_TRANSFERS),
              "ledger");
    pgp_check(prepay_ledger_init(&s->ledger, &m), "ledger");
}

/* A scratch account without limits (kind ADJUSTMENTS: no refund rule), so any replay passes. */
static void
scratch_account(Slice *s, uint64 id)
{
    prepay_ledger_account_t a;

    if (id == 0 || prepay_ledger_account(&s->ledger, id) != NULL)
        return;
    memset(&a, 0, sizeof a);
    a.id = id;
    a.kind = PREPAY_LEDGER_ACCOUNT_ADJUSTMENTS;
    pgp_check(prepay_ledger_create_account(&s->ledger, &a), "ledger");
}

/* ---- SQL access -------------------------------------------------------------------------------- */

typedef struct StoredTransfer
{
    prepay_ledger_transfer_t t;
    int         state;          /* prepay_ledger_pending_state */
    uint64      resolved_by;    /* id of the post or void of a pending transfer, or 0 */
} StoredTransfer;

enum
{
    Q_ACCOUNT,
    Q_ACCOUNT_LOCK,
    Q_TRANSFER,
    Q_TRANSFER_LOCK,
    Q_INSERT,
    Q_UPDATE_ACCOUNT,
    Q_RESOLVE,
    Q_INSERT_ACCOUNT,
    Q_CLOSE_ACCOUNT,
    Q_COUNT
};

static SPIPlanPtr plans[Q_COUNT];
static char *plans_schema = NULL;

#define ACCOUNT_COLUMNS "id, kind, flags, overdraft_limit, max_balance, item, emergency_account_id, " \
    "debt_account_id, debits_pending, debits_posted, credits_pending, credits_posted"
#define TRANSFER_COLUMNS "id, debit_account_id, credit_account_id, amount, pending_id, ts, meter_id, " \
    "interval_start, interval_end, order_id, reference_id, tariff_version, code, flags, state, resolved_by"

static SPIPlanPtr
plan(int which)
{
    static const struct
    {
        const char *sql;
        int         nargs;
        Oid         types[16];
    }           q[Q_COUNT] = {
        [Q_ACCOUNT] = {"SELECT " ACCOUNT_COLUMNS " FROM %s.prepay_account WHERE id = $1", 1, {INT8OID}},
        [Q_ACCOUNT_LOCK] = {"SELECT " ACCOUNT_COLUMNS " FROM %s.prepay_account WHERE id = $1 FOR UPDATE", 1,
                            {INT8OID}},
        [Q_TRANSFER] = {"SELECT " TRANSFER_COLUMNS " FROM %s.prepay_transfer WHERE id = $1", 1, {INT8OID}},
        [Q_TRANSFER_LOCK] = {"SELECT " TRANSFER_COLUMNS " FROM %s.prepay_transfer WHERE id = $1 FOR UPDATE", 1,
                             {INT8OID}},
        [Q_INSERT] = {"INSERT INTO %s.prepay_transfer (" TRANSFER_COLUMNS ") VALUES "
                      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
                      "ON CONFLICT (id) DO NOTHING",
                      16, {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, TIMESTAMPOID, INT8OID, TIMESTAMPOID,
                           TIMESTAMPOID, INT8OID, INT8OID, INT4OID, INT4OID, INT4OID, INT2OID, INT8OID}},
        [Q_UPDATE_ACCOUNT] = {"UPDATE %s.prepay_account SET debits_pending = $2, debits_posted = $3, "
                              "credits_pending = $4, credits_posted = $5, flags = $6 WHERE id = $1",
                              6, {INT8OID, INT8OID, INT8OID, INT8OID, INT8OID, INT4OID}},
        [Q_RESOLVE] = {"UPDATE %s.prepay_transfer SET state = $2, resolved_by = $3 WHERE id = $1", 3,
                       {INT8OID, INT2OID, INT8OID}},
        [Q_INSERT_ACCOUNT] = {"INSERT INTO %s.prepay_account (" ACCOUNT_COLUMNS ") VALUES "
                              "($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0, 0) ON CONFLICT (id) DO NOTHING",
                              8, {INT8OID, INT2OID, INT4OID, INT8OID, INT8OID, INT4OID, INT8OID, INT8OID}},
        [Q_CLOSE_ACCOUNT] = {"UPDATE %s.prepay_account SET flags = flags | $2 WHERE id = $1", 2, {INT8OID, INT4OID}},
    };

    if (plans[which] == NULL)
    {
        char       *sql = psprintf(q[which].sql, plans_schema);
        SPIPlanPtr  p = SPI_prepare(sql, q[which].nargs, (Oid *) q[which].types);

        if (p == NULL)
            elog(ERROR, "pg_prepay: cannot prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
        SPI_keepplan(p);
        plans[which] = p;
    }
    return plans[which];
}

/* Connects to SPI and finds the extension's schema (the schema of the calling function). */
static void
spi_begin(FunctionCallInfo fcinfo)
{
    char       *schema = get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid));

    if (plans_schema == NULL || strcmp(plans_schema, quote_identifier(schema)) != 0)
    {
        for (int i = 0; i < Q_COUNT; i++)
            if (plans[i])
            {
                SPI_freeplan(plans[i]);
                plans[i] = NULL;
            }
        plans_schema = MemoryContextStrdup(TopMemoryContext, quote_identifier(schema));
    }
    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "pg_prepay: SPI_connect failed");
}

static int64
col_int(HeapTuple tup, TupleDesc desc, int col)
{
    bool        isnull;
    Datum       d = SPI_getbinval(tup, desc, col, &isnull);
    Oid         type = SPI_gettypeid(desc, col);

    if (isnull)
        return 0;
    if (type == INT2OID)
        return DatumGetInt16(d);
    if (type == INT4OID)
        return DatumGetInt32(d);
    return DatumGetInt64(d);
}

static prepay_time_t
col_time(HeapTuple tup, TupleDesc desc, int col)
{
    bool        isnull;
    Datum       d = SPI_getbinval(tup, desc, col, &isnull);

    return isnull ? 0 : pgp_time_of(DatumGetTimestamp(d), false, "prepay_transfer");
}

static bool
load_account_row(uint64 id, bool lock, prepay_ledger_account_t *a)
{
    Datum       arg = Int64GetDatum((int64) id);
    HeapTuple   tup;
    TupleDesc   desc;

    if (id == 0)
        return false;
    if (SPI_execute_plan(plan(lock ? Q_ACCOUNT_LOCK : Q_ACCOUNT), &arg, NULL, false, 1) !=
        (lock ? SPI_OK_SELECT : SPI_OK_SELECT))
        elog(ERROR, "pg_prepay: account query failed");
    if (SPI_processed == 0)
        return false;
    tup = SPI_tuptable->vals[0];
    desc = SPI_tuptable->tupdesc;
    memset(a, 0, sizeof *a);
    a->id = (uint64_t) col_int(tup, desc, 1);
    a->kind = (uint16_t) col_int(tup, desc, 2);
    a->flags = (uint16_t) col_int(tup, desc, 3);
    a->overdraft_limit = col_int(tup, desc, 4);
    a->max_balance = col_int(tup, desc, 5);
    a->item = (uint32_t) col_int(tup, desc, 6);
    a->emergency_account_id = (uint64_t) col_int(tup, desc, 7);
    a->debt_account_id = (uint64_t) col_int(tup, desc, 8);
    a->debits_pending = col_int(tup, desc, 9);
    a->debits_posted = col_int(tup, desc, 10);
    a->credits_pending = col_int(tup, desc, 11);
    a->credits_posted = col_int(tup, desc, 12);
    return true;
}

static void
transfer_of_row(HeapTuple tup, TupleDesc desc, StoredTransfer *s)
{
    prepay_ledger_transfer_t *t = &s->t;

    memset(s, 0, sizeof *s);
    t->id = (uint64_t) col_int(tup, desc, 1);
    t->debit_account_id = (uint64_t) col_int(tup, desc, 2);
    t->credit_account_id = (uint64_t) col_int(tup, desc, 3);
    t->amount = col_int(tup, desc, 4);
    t->pending_id = (uint64_t) col_int(tup, desc, 5);
    t->timestamp = col_time(tup, desc, 6);
    t->meter_id = (uint64_t) col_int(tup, desc, 7);
    t->interval_start = col_time(tup, desc, 8);
    t->interval_end = col_time(tup, desc, 9);
    t->order_id = (uint64_t) col_int(tup, desc, 10);
    t->reference_id = (uint64_t) col_int(tup, desc, 11);
    t->tariff_version = (uint32_t) col_int(tup, desc, 12);
    t->code = (uint16_t) col_int(tup, desc, 13);
    t->flags = (uint16_t) col_int(tup, desc, 14);
    s->state = (int) col_int(tup, desc, 15);
    s->resolved_by = (uint64) col_int(tup, desc, 16);
}

static bool
load_transfer_row(uint64 id, bool lock, StoredTransfer *s)
{
    Datum       arg = Int64GetDatum((int64) id);

    if (id == 0)
        return false;
    if (SPI_execute_plan(plan(lock ? Q_TRANSFER_LOCK : Q_TRANSFER), &arg, NULL, false, 1) != SPI_OK_SELECT)
        elog(ERROR, "pg_prepay: transfer query failed");
    if (SPI_processed == 0)
        return false;
    transfer_of_row(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, s);
    return true;
}

static Datum
time_datum(prepay_time_t t, char *null)
{
    *null = t == 0 ? 'n' : ' ';
    return t == 0 ? (Datum) 0 : TimestampGetDatum(pgp_timestamp_of(t));
}

/* Inserts a transfer row; false if its id was taken meanwhile (ON CONFLICT DO NOTHING). */
static bool
insert_transfer(const prepay_ledger_transfer_t *t, int state)
{
    Datum       v[16];
    char        n[17];

    memset(n, ' ', sizeof n);
    n[16] = '\0';
    v[0] = Int64GetDatum((int64) t->id);
    v[1] = Int64GetDatum((int64) t->debit_account_id);
    v[2] = Int64GetDatum((int64) t->credit_account_id);
    v[3] = Int64GetDatum(t->amount);
    v[4] = Int64GetDatum((int64) t->pending_id);
    v[5] = time_datum(t->timestamp, &n[5]);
    v[6] = Int64GetDatum((int64) t->meter_id);
    v[7] = time_datum(t->interval_start, &n[7]);
    v[8] = time_datum(t->interval_end, &n[8]);
    v[9] = Int64GetDatum((int64) t->order_id);
    v[10] = Int64GetDatum((int64) t->reference_id);
    v[11] = Int32GetDatum((int32) t->tariff_version);
    v[12] = Int32GetDatum(t->code);
    v[13] = Int32GetDatum(t->flags);
    v[14] = Int16GetDatum((int16) state);
    v[15] = Int64GetDatum(0);
    if (SPI_execute_plan(plan(Q_INSERT), v, n, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "pg_prepay: transfer insert failed");
    return SPI_processed == 1;
}

static void
update_account(const prepay_ledger_account_t *a)
{
    Datum       v[6];

    v[0] = Int64GetDatum((int64) a->id);
    v[1] = Int64GetDatum(a->debits_pending);
    v[2] = Int64GetDatum(a->debits_posted);
    v[3] = Int64GetDatum(a->credits_pending);
    v[4] = Int64GetDatum(a->credits_posted);
    v[5] = Int32GetDatum(a->flags);
    if (SPI_execute_plan(plan(Q_UPDATE_ACCOUNT), v, NULL, false, 0) != SPI_OK_UPDATE || SPI_processed != 1)
        elog(ERROR, "pg_prepay: account %lld vanished during a posting", (long long) a->id);
}

static void
resolve_pending(uint64 pending_id, int state, uint64 by)
{
    Datum       v[3];

    v[0] = Int64GetDatum((int64) pending_id);
    v[1] = Int16GetDatum((int16) state);
    v[2] = Int64GetDatum((int64) by);
    if (SPI_execute_plan(plan(Q_RESOLVE), v, NULL, false, 0) != SPI_OK_UPDATE)
        elog(ERROR, "pg_prepay: pending transfer update failed");
}

/* ---- locking --------------------------------------------------------------------------------- */

static int
id_order(const void *a, const void *b)
{
    uint64      x = *(const uint64 *) a, y = *(const uint64 *) b;

    return x < y ? -1 : x > y;
}

/* Locks the account rows (sorted, distinct, non-zero ids) and returns those found. */
static int
lock_accounts(uint64 *ids, int n, prepay_ledger_account_t *out)
{
    int         found = 0;

    qsort(ids, (size_t) n, sizeof(uint64), id_order);
    for (int i = 0; i < n; i++)
    {
        if (ids[i] == 0 || (i > 0 && ids[i] == ids[i - 1]))
            continue;
        if (load_account_row(ids[i], true, &out[found]))
            found++;
    }
    return found;
}

/* ---- one transfer -------------------------------------------------------------------------------- */

/* Case A: the id exists. */
static int
judge_existing(const StoredTransfer *old, const prepay_ledger_transfer_t *t)
{
    Slice       s;
    StoredTransfer pending;
    int         result;

    slice_init(&s);
    if ((old->t.flags & TWO_PHASE) && load_transfer_row(old->t.pending_id, false, &pending))
    {
        scratch_account(&s, pending.t.debit_account_id);
        scratch_account(&s, pending.t.credit_account_id);
        if (prepay_ledger_replay(&s.ledger, &pending.t) < 0)
            elog(ERROR, "pg_prepay: stored transfer %lld does not replay", (long long) pending.t.id);
    }
    scratch_account(&s, old->t.debit_account_id);
    scratch_account(&s, old->t.credit_account_id);
    if (prepay_ledger_replay(&s.ledger, &old->t) < 0)
        elog(ERROR, "pg_prepay: stored transfer %lld does not replay", (long long) old->t.id);
    /* replay = apply for one transfer, without looking at LINKED (the stored chain's flag) */
    result = prepay_ledger_replay(&s.ledger, t);
    return result;
}

/* Case B: a post or void of a pending transfer that is resolved (or not pending at all). */
static int
judge_resolved(const StoredTransfer *p, const prepay_ledger_transfer_t *t)
{
    Slice       s;
    StoredTransfer by;
    int         result;

    slice_init(&s);
    scratch_account(&s, p->t.debit_account_id);
    scratch_account(&s, p->t.credit_account_id);
    if (prepay_ledger_replay(&s.ledger, &p->t) < 0)
        elog(ERROR, "pg_prepay: stored transfer %lld does not replay", (long long) p->t.id);
    if (p->state >= PREPAY_LEDGER_STATE_POSTED && p->resolved_by != 0 && load_transfer_row(p->resolved_by, false, &by))
    {
        if (prepay_ledger_replay(&s.ledger, &by.t) < 0)
            elog(ERROR, "pg_prepay: stored transfer %lld does not replay", (long long) by.t.id);
    }
    result = prepay_ledger_replay(&s.ledger, t);
    return result;
}

/*
 * Posts one transfer; returns PREPAY_OK (applied), PREPAY_LEDGER_EXISTS, or
 * the library's refusal. Writes only when applied.
 */
static int
post_one(prepay_ledger_transfer_t *t)
{
    StoredTransfer pending, existing;
    bool        has_pending = false;
    uint64      ids[4];
    prepay_ledger_account_t locked[4];
    int         nlocked;
    Slice       s;
    int         result;

    if ((t->flags & TWO_PHASE) && t->pending_id != 0 && t->pending_id != t->id)
    {
        has_pending = load_transfer_row(t->pending_id, true, &pending);
        if (has_pending)
        {
            /* stored posts and voids name the pending transfer's accounts */
            if (t->debit_account_id == 0)
                t->debit_account_id = pending.t.debit_account_id;
            if (t->credit_account_id == 0)
                t->credit_account_id = pending.t.credit_account_id;
        }
    }
    ids[0] = t->debit_account_id;
    ids[1] = t->credit_account_id;
    ids[2] = has_pending ? pending.t.debit_account_id : 0;
    ids[3] = has_pending ? pending.t.credit_account_id : 0;
    nlocked = lock_accounts(ids, 4, locked);
    for (;;)
    {
        if (load_transfer_row(t->id, false, &existing))
            return judge_existing(&existing, t);
        if (has_pending && pending.state != PREPAY_LEDGER_STATE_PENDING)
            return judge_resolved(&pending, t);

        /* Case C: the real counters. */
        slice_init(&s);
        for (int i = 0; i < nlocked; i++)
        {
            prepay_ledger_account_t a = locked[i];

            a.flags &= (uint16_t) ~PREPAY_LEDGER_ACCOUNT_CLOSED; /* closed after the pending replay */
            if (has_pending && a.id == pending.t.debit_account_id)
                a.debits_pending -= pending.t.amount;
            if (has_pending && a.id == pending.t.credit_account_id)
                a.credits_pending -= pending.t.amount;
            if (prepay_ledger_load_account(&s.ledger, &a) != PREPAY_OK)
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("account %lld breaks its own limits or has negative counters",
                                       (long long) a.id),
                                errhint("Run prepay_ledger_verify().")));
        }
        if (has_pending && prepay_ledger_replay(&s.ledger, &pending.t) != PREPAY_OK)
            ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                            errmsg("open pending transfer %lld does not replay on its accounts",
                                   (long long) pending.t.id)));
        for (int i = 0; i < nlocked; i++)
            if (locked[i].flags & PREPAY_LEDGER_ACCOUNT_CLOSED)
                (void) prepay_ledger_close_account(&s.ledger, locked[i].id);
        if (t->code == PREPAY_LEDGER_CODE_REFUND)
        {
            /* the refundable balance subtracts the wallet's emergency credit owed (read: the wallet row is locked) */
            const prepay_ledger_account_t *w = prepay_ledger_account(&s.ledger, t->debit_account_id);
            prepay_ledger_account_t e;

            if (w && w->kind == PREPAY_LEDGER_ACCOUNT_WALLET && w->emergency_account_id != 0 &&
                prepay_ledger_account(&s.ledger, w->emergency_account_id) == NULL &&
                load_account_row(w->emergency_account_id, false, &e))
            {
                e.flags &= (uint16_t) ~PREPAY_LEDGER_ACCOUNT_CLOSED;
                (void) prepay_ledger_load_account(&s.ledger, &e);
            }
        }
        (void) prepay_ledger_apply(&s.ledger, t, 1, &result);
        if (result != PREPAY_OK)
            return result;
        if (!insert_transfer(t, (t->flags & PREPAY_LEDGER_TRANSFER_PENDING) ? PREPAY_LEDGER_STATE_PENDING
                                                                             : PREPAY_LEDGER_STATE_NONE))
            continue; /* taken by a concurrent posting that has committed: judge it as existing */
        for (int i = 0; i < nlocked; i++)
        {
            const prepay_ledger_account_t *now = prepay_ledger_account(&s.ledger, locked[i].id);

            if (now->debits_pending != locked[i].debits_pending || now->debits_posted != locked[i].debits_posted ||
                now->credits_pending != locked[i].credits_pending || now->credits_posted != locked[i].credits_posted)
                update_account(now);
        }
        if (has_pending)
            resolve_pending(pending.t.id,
                            (t->flags & PREPAY_LEDGER_TRANSFER_POST_PENDING) ? PREPAY_LEDGER_STATE_POSTED
                                                                             : PREPAY_LEDGER_STATE_VOIDED,
                            t->id);
        return PREPAY_OK;
    }
}

/* ---- SQL: names ------------------------------------------------------------------------------------ */

static const char *const kind_names[] = {NULL, "wallet", "revenue", "payment_clearing", "refunds_payable",
                                         "emergency_credit", "common_area", "adjustments", "debt"};

static uint16_t
account_kind(const char *name)
{
    for (size_t i = 1; i < lengthof(kind_names); i++)
        if (strcmp(name, kind_names[i]) == 0)
            return (uint16_t) i;
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown account kind \"%s\"", name),
                    errhint("Kinds: wallet, revenue, payment_clearing, refunds_payable, emergency_credit, "
                            "common_area, adjustments, debt.")));
    pg_unreachable();
}

static uint16_t
flag_bits(ArrayType *arr, const char *const *names, const uint16_t *bits, int count, const char *what)
{
    Datum      *items;
    bool       *nulls;
    int         n;
    uint16_t    flags = 0;

    if (arr == NULL)
        return 0;
    deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls, &n);
    for (int i = 0; i < n; i++)
    {
        char       *name;
        int         k;

        if (nulls[i])
            continue;
        name = TextDatumGetCString(items[i]);
        for (k = 0; k < count; k++)
            if (strcmp(name, names[k]) == 0)
                break;
        if (k == count)
            ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown %s flag \"%s\"", what, name)));
        flags |= bits[k];
    }
    return flags;
}

static const char *const account_flag_names[] = {"debits_must_not_exceed_credits", "credits_must_not_exceed_debits",
                                                 "closed"};
static const uint16_t account_flag_bits[] = {PREPAY_LEDGER_ACCOUNT_DEBITS_MUST_NOT_EXCEED_CREDITS,
                                             PREPAY_LEDGER_ACCOUNT_CREDITS_MUST_NOT_EXCEED_DEBITS,
                                             PREPAY_LEDGER_ACCOUNT_CLOSED};
static const char *const transfer_flag_names[] = {"linked", "pending", "post_pending", "void_pending"};
static const uint16_t transfer_flag_bits[] = {PREPAY_LEDGER_TRANSFER_LINKED, PREPAY_LEDGER_TRANSFER_PENDING,
                                              PREPAY_LEDGER_TRANSFER_POST_PENDING,
                                              PREPAY_LEDGER_TRANSFER_VOID_PENDING};

/* ---- SQL: accounts ------------------------------------------------------------------------------------ */

/* prepay_ledger_create_account(id, kind, flags text[], overdraft_limit, max_balance, item,
 *                              emergency_account_id, debt_account_id) -> 'created' | 'exists' */
PG_FUNCTION_INFO_V1(pgp_ledger_create_account);
Datum
pgp_ledger_create_account(PG_FUNCTION_ARGS)
{
    prepay_ledger_account_t a, stored;
    Slice       s;
    int         status;
    Datum       v[8];

    for (int i = 0; i < 8; i++)
        if (PG_ARGISNULL(i) && i != 2)
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("prepay_ledger_create_account: argument %d is NULL", i + 1)));
    memset(&a, 0, sizeof a);
    a.id = (uint64_t) PG_GETARG_INT64(0);
    a.kind = account_kind(text_to_cstring(PG_GETARG_TEXT_PP(1)));
    a.flags = flag_bits(PG_ARGISNULL(2) ? NULL : PG_GETARG_ARRAYTYPE_P(2), account_flag_names, account_flag_bits,
                        lengthof(account_flag_names), "account");
    a.overdraft_limit = PG_GETARG_INT64(3);
    a.max_balance = PG_GETARG_INT64(4);
    a.item = (uint32_t) PG_GETARG_INT32(5);
    a.emergency_account_id = (uint64_t) PG_GETARG_INT64(6);
    a.debt_account_id = (uint64_t) PG_GETARG_INT64(7);
    slice_init(&s);
    pgp_check(prepay_ledger_create_account(&s.ledger, &a), "prepay_ledger_create_account");
    spi_begin(fcinfo);
    v[0] = Int64GetDatum((int64) a.id);
    v[1] = Int16GetDatum((int16) a.kind);
    v[2] = Int32GetDatum(a.flags);
    v[3] = Int64GetDatum(a.overdraft_limit);
    v[4] = Int64GetDatum(a.max_balance);
    v[5] = Int32GetDatum((int32) a.item);
    v[6] = Int64GetDatum((int64) a.emergency_account_id);
    v[7] = Int64GetDatum((int64) a.debt_account_id);
    if (SPI_execute_plan(plan(Q_INSERT_ACCOUNT), v, NULL, false, 0) != SPI_OK_INSERT)
        elog(ERROR, "pg_prepay: account insert failed");
    if (SPI_processed == 1)
    {
        SPI_finish();
        PG_RETURN_TEXT_P(cstring_to_text("created"));
    }
    /* The id exists: the library compares the stored account with this one. */
    if (!load_account_row(a.id, false, &stored))
        elog(ERROR, "pg_prepay: account %lld conflicts but cannot be read", (long long) a.id);
    SPI_finish();
    slice_init(&s);
    stored.debits_pending = stored.debits_posted = stored.credits_pending = stored.credits_posted = 0;
    pgp_check(prepay_ledger_create_account(&s.ledger, &stored), "prepay_ledger_create_account");
    status = prepay_ledger_create_account(&s.ledger, &a);
    pgp_check(status, "prepay_ledger_create_account");
    PG_RETURN_TEXT_P(cstring_to_text("exists"));
}

/* prepay_ledger_close_account(id) -> 'closed' | 'exists' (already closed) */
PG_FUNCTION_INFO_V1(pgp_ledger_close_account);
Datum
pgp_ledger_close_account(PG_FUNCTION_ARGS)
{
    uint64      id = (uint64) PG_GETARG_INT64(0);
    prepay_ledger_account_t a;
    Slice       s;
    int         status;

    spi_begin(fcinfo);
    if (!load_account_row(id, true, &a))
        pgp_fail(PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND, "prepay_ledger_close_account");
    slice_init(&s);
    pgp_check(prepay_ledger_load_account(&s.ledger, &a) == PREPAY_OK ? PREPAY_OK : PREPAY_E_LEDGER_INVARIANT,
              "prepay_ledger_close_account");
    status = pgp_check(prepay_ledger_close_account(&s.ledger, id), "prepay_ledger_close_account");
    if (status == PREPAY_OK)
    {
        Datum       v[2] = {Int64GetDatum((int64) id), Int32GetDatum(PREPAY_LEDGER_ACCOUNT_CLOSED)};

        if (SPI_execute_plan(plan(Q_CLOSE_ACCOUNT), v, NULL, false, 0) != SPI_OK_UPDATE)
            elog(ERROR, "pg_prepay: close failed");
    }
    SPI_finish();
    PG_RETURN_TEXT_P(cstring_to_text(status == PREPAY_OK ? "closed" : "exists"));
}

/* prepay_ledger_balance(id) -> prepay_ledger_balance (by the library, from the stored counters) */
PG_FUNCTION_INFO_V1(pgp_ledger_balance);
Datum
pgp_ledger_balance(PG_FUNCTION_ARGS)
{
    uint64      id = (uint64) PG_GETARG_INT64(0);
    prepay_ledger_account_t a;
    prepay_ledger_balance_t b;
    Slice       s;
    TupleDesc   desc;
    Datum       values[6];
    bool        nulls[6] = {false, false, false, false, false, false};
    bool        found;

    spi_begin(fcinfo);
    found = load_account_row(id, false, &a);
    SPI_finish();
    if (!found)
        pgp_fail(PREPAY_E_LEDGER_ACCOUNT_NOT_FOUND, "prepay_ledger_balance");
    slice_init(&s);
    a.flags = 0; /* a stored account beyond its limits still has a balance to show */
    a.max_balance = 0;
    pgp_check(prepay_ledger_load_account(&s.ledger, &a), "prepay_ledger_balance");
    pgp_check(prepay_ledger_balance(&s.ledger, id, &b), "prepay_ledger_balance");
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("must return a row")));
    desc = BlessTupleDesc(desc);
    values[0] = Int64GetDatum(b.balance);
    values[1] = Int64GetDatum(b.available);
    values[2] = Int64GetDatum(b.debits_pending);
    values[3] = Int64GetDatum(b.debits_posted);
    values[4] = Int64GetDatum(b.credits_pending);
    values[5] = Int64GetDatum(b.credits_posted);
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* ---- SQL: transfers ---------------------------------------------------------------------------------- */

static prepay_time_t
time_arg(FunctionCallInfo fcinfo, int n, prepay_time_t if_null)
{
    return PG_ARGISNULL(n) ? if_null : pgp_time_of(PG_GETARG_TIMESTAMP(n), false, "ledger");
}

static prepay_time_t
now_local(void)
{
    return pgp_time_of(GetSQLLocalTimestamp(0), false, "ledger");
}

/* Arguments of prepay_ledger_post / try_post:
 * (id, debit, credit, amount, code, flags text[], pending_id, ts, meter_id, interval_start, interval_end,
 *  order_id, reference_id, tariff_version) */
static void
transfer_args(FunctionCallInfo fcinfo, prepay_ledger_transfer_t *t)
{
    for (int i = 0; i < 14; i++)
        if (PG_ARGISNULL(i) && i != 5 && i != 7 && i != 9 && i != 10)
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("prepay_ledger_post: argument %d is NULL", i + 1)));
    memset(t, 0, sizeof *t);
    t->id = (uint64_t) PG_GETARG_INT64(0);
    t->debit_account_id = (uint64_t) PG_GETARG_INT64(1);
    t->credit_account_id = (uint64_t) PG_GETARG_INT64(2);
    t->amount = PG_GETARG_INT64(3);
    if (PG_GETARG_INT32(4) < 0 || PG_GETARG_INT32(4) > UINT16_MAX)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("transfer code must be 1..65535")));
    t->code = (uint16_t) PG_GETARG_INT32(4);
    t->flags = flag_bits(PG_ARGISNULL(5) ? NULL : PG_GETARG_ARRAYTYPE_P(5), transfer_flag_names, transfer_flag_bits,
                         lengthof(transfer_flag_names), "transfer");
    t->pending_id = (uint64_t) PG_GETARG_INT64(6);
    t->timestamp = PG_ARGISNULL(7) ? now_local() : time_arg(fcinfo, 7, 0);
    t->meter_id = (uint64_t) PG_GETARG_INT64(8);
    t->interval_start = time_arg(fcinfo, 9, 0);
    t->interval_end = time_arg(fcinfo, 10, 0);
    t->order_id = (uint64_t) PG_GETARG_INT64(11);
    t->reference_id = (uint64_t) PG_GETARG_INT64(12);
    t->tariff_version = (uint32_t) PG_GETARG_INT32(13);
    if (t->flags & PREPAY_LEDGER_TRANSFER_LINKED)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("prepay_ledger_post posts one transfer: a linked chain needs its other members"),
                        errhint("Recharges with repayments are one chain: use prepay_ledger_recharge().")));
}

static const char *
result_text(int result)
{
    return result == PREPAY_OK ? "applied" : result == PREPAY_LEDGER_EXISTS ? "exists" : NULL;
}

PG_FUNCTION_INFO_V1(pgp_ledger_post);
Datum
pgp_ledger_post(PG_FUNCTION_ARGS)
{
    prepay_ledger_transfer_t t;
    int         result;

    transfer_args(fcinfo, &t);
    spi_begin(fcinfo);
    result = post_one(&t);
    SPI_finish();
    if (result < 0)
        ereport(ERROR, (errcode(pgp_sqlstate(result)),
                        errmsg("transfer %lld: %s", (long long) t.id, prepay_strerror(result)),
                        errdetail("libprepay status %d", result)));
    PG_RETURN_TEXT_P(cstring_to_text(result_text(result)));
}

/* prepay_ledger_try_post(...) -> (result text, status int, message text): refusals as values, not ERRORs. */
PG_FUNCTION_INFO_V1(pgp_ledger_try_post);
Datum
pgp_ledger_try_post(PG_FUNCTION_ARGS)
{
    prepay_ledger_transfer_t t;
    int         result;
    TupleDesc   desc;
    Datum       values[3];
    bool        nulls[3] = {false, false, false};

    transfer_args(fcinfo, &t);
    spi_begin(fcinfo);
    result = post_one(&t);
    SPI_finish();
    if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("must return a row")));
    desc = BlessTupleDesc(desc);
    values[0] = CStringGetTextDatum(result >= 0 ? result_text(result) : pgp_status_name(result));
    values[1] = Int32GetDatum(result);
    values[2] = CStringGetTextDatum(result >= 0 ? "" : prepay_strerror(result));
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/*
 * prepay_ledger_recharge(recharge_id, wallet_id, clearing_id, amount, order_id,
 *                        repay_emergency_id, repay_debt_id, ts) -> 'applied' | 'exists'
 * The linked chain of prepay_ledger_build_recharge(): the top-up, then the
 * wallet's emergency credit and debt repaid from it. A retry with the same
 * recharge id is judged against the stored top-up (the chain's shape was
 * decided by the first posting).
 */
PG_FUNCTION_INFO_V1(pgp_ledger_recharge);
Datum
pgp_ledger_recharge(PG_FUNCTION_ARGS)
{
    prepay_ledger_recharge_t req;
    prepay_ledger_account_t wallet, locked[4];
    prepay_ledger_transfer_t chain[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS];
    int         results[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS];
    size_t      n = 0;
    uint64      ids[4];
    int         nlocked;
    StoredTransfer existing;
    Slice       s;
    int         result = PREPAY_OK;

    for (int i = 0; i < 7; i++)
        if (PG_ARGISNULL(i))
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                            errmsg("prepay_ledger_recharge: argument %d is NULL", i + 1)));
    memset(&req, 0, sizeof req);
    req.recharge_id = (uint64_t) PG_GETARG_INT64(0);
    req.wallet_id = (uint64_t) PG_GETARG_INT64(1);
    req.clearing_id = (uint64_t) PG_GETARG_INT64(2);
    req.amount = PG_GETARG_INT64(3);
    req.order_id = (uint64_t) PG_GETARG_INT64(4);
    req.repay_emergency_id = (uint64_t) PG_GETARG_INT64(5);
    req.repay_debt_id = (uint64_t) PG_GETARG_INT64(6);
    req.timestamp = PG_ARGISNULL(7) ? now_local() : time_arg(fcinfo, 7, 0);
    spi_begin(fcinfo);
    if (!load_account_row(req.wallet_id, false, &wallet))
        memset(&wallet, 0, sizeof wallet);
    ids[0] = req.wallet_id;
    ids[1] = req.clearing_id;
    ids[2] = wallet.emergency_account_id;
    ids[3] = wallet.debt_account_id;
    nlocked = lock_accounts(ids, 4, locked);
    for (;;)
    {
        if (load_transfer_row(req.recharge_id, false, &existing))
        {
            /* A retry: the top-up as the first posting built it. */
            prepay_ledger_transfer_t t;

            memset(&t, 0, sizeof t);
            t.id = req.recharge_id;
            t.debit_account_id = req.clearing_id;
            t.credit_account_id = req.wallet_id;
            t.amount = req.amount;
            t.code = PREPAY_LEDGER_CODE_RECHARGE;
            t.order_id = req.order_id;
            t.timestamp = req.timestamp;
            t.flags = existing.t.flags & PREPAY_LEDGER_TRANSFER_LINKED;
            result = judge_existing(&existing, &t);
            break;
        }
        slice_init(&s);
        for (int i = 0; i < nlocked; i++)
            if (prepay_ledger_load_account(&s.ledger, &locked[i]) != PREPAY_OK)
                ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
                                errmsg("account %lld breaks its own limits", (long long) locked[i].id)));
        result = prepay_ledger_build_recharge(&s.ledger, &req, chain, lengthof(chain), &n);
        if (result < 0)
            break;
        for (size_t i = 0; i < n; i++)
        {
            if (i > 0 && load_transfer_row(chain[i].id, false, &existing))
                ereport(ERROR, (errcode(ERRCODE_UNIQUE_VIOLATION),
                                errmsg("transfer id %lld of the recharge chain is already used", (long long) chain[i].id)));
        }
        (void) prepay_ledger_apply(&s.ledger, chain, n, results);
        result = PREPAY_OK;
        for (size_t i = 0; i < n; i++)
            if (results[i] < 0 && (result == PREPAY_OK || result == PREPAY_E_LEDGER_LINKED_EVENT_FAILED))
                result = results[i];
        if (result != PREPAY_OK)
            break;
        if (!insert_transfer(&chain[0], PREPAY_LEDGER_STATE_NONE))
            continue; /* a concurrent recharge with this id committed: a retry after all */
        for (size_t i = 1; i < n; i++)
            if (!insert_transfer(&chain[i], PREPAY_LEDGER_STATE_NONE))
                ereport(ERROR, (errcode(ERRCODE_UNIQUE_VIOLATION),
                                errmsg("transfer id %lld of the recharge chain is already used", (long long) chain[i].id)));
        for (int i = 0; i < nlocked; i++)
        {
            const prepay_ledger_account_t *now = prepay_ledger_account(&s.ledger, locked[i].id);

            if (now->debits_posted != locked[i].debits_posted || now->credits_posted != locked[i].credits_posted)
                update_account(now);
        }
        break;
    }
    SPI_finish();
    if (result < 0)
        ereport(ERROR, (errcode(pgp_sqlstate(result)),
                        errmsg("recharge %lld: %s", (long long) req.recharge_id, prepay_strerror(result)),
                        errdetail("libprepay status %d", result),
                        result == PREPAY_E_LEDGER_ID_MUST_NOT_BE_ZERO
                        ? errhint("The wallet owes emergency credit or debt: give repay_emergency_id / repay_debt_id.")
                        : 0));
    PG_RETURN_TEXT_P(cstring_to_text(result_text(result)));
}
