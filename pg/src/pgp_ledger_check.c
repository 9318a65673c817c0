/* SPDX-License-Identifier: MIT */
/*
 * Checking the books in SQL.
 *
 * prepay_ledger_check(transfer, debit account, credit account): an aggregate
 * over the transfers table joined with its two accounts. It sums every
 * account's postings from the transfers alone (plain and posted transfers
 * as posted, open pending transfers as pending), then checks Σ debits =
 * Σ credits (posted and pending separately), every account's counters in the
 * accounts table against those sums, and every account's limits with
 * libprepay's rule (prepay_ledger_account_check()). Its state is a map
 * account -> sums, so partial states combine by adding: it runs in parallel
 * and per shard (each shard balances on its own when each has its own
 * control accounts; see docs/postgresql.md).
 *
 * prepay_ledger_verify(): the whole book replayed through a libprepay ledger
 * in log order, then prepay_ledger_verify() and a comparison of every
 * counter and pending state with the tables. Exact and complete, but it
 * holds the whole log in memory (112 bytes a transfer).
 */
#include "pgp.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"

#include "prepay/ledger.h"
#include "prepay/status.h"

#define MAX_REPORTED 20

typedef struct CheckEntry
{
    uint64      id;             /* hash key */
    prepay_ledger_account_t sums;   /* limits from the account row, counters summed from the transfers */
    int64       stored[4];      /* the account row's counters */
    bool        known;          /* the account row was seen */
    bool        overflow;
} CheckEntry;

typedef struct CheckState
{
    HTAB       *accounts;
    MemoryContext ctx;
    int64       transfers;
} CheckState;

static CheckState *
check_new(MemoryContext ctx)
{
    CheckState *s = MemoryContextAllocZero(ctx, sizeof(CheckState));
    HASHCTL     hc;

    memset(&hc, 0, sizeof hc);
    hc.keysize = sizeof(uint64);
    hc.entrysize = sizeof(CheckEntry);
    hc.hcxt = ctx;
    s->accounts = hash_create("pg_prepay ledger check", 256, &hc, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
    s->ctx = ctx;
    return s;
}

static CheckEntry *
entry(CheckState *s, uint64 id)
{
    bool        found;
    CheckEntry *e = hash_search(s->accounts, &id, HASH_ENTER, &found);

    if (!found)
    {
        memset(&e->sums, 0, sizeof e->sums);
        e->sums.id = id;
        memset(e->stored, 0, sizeof e->stored);
        e->known = false;
        e->overflow = false;
    }
    return e;
}

static int64
attr_int(HeapTupleHeader row, const char *name)
{
    bool        isnull;
    Datum       d = GetAttributeByName(row, name, &isnull);

    if (isnull)
        return 0;
    if (strcmp(name, "kind") == 0 || strcmp(name, "state") == 0)
        return DatumGetInt16(d);
    if (strcmp(name, "flags") == 0 || strcmp(name, "item") == 0)
        return DatumGetInt32(d);
    return DatumGetInt64(d);
}

static void
note_account(CheckEntry *e, HeapTupleHeader row)
{
    if (e->known || row == NULL)
        return;
    e->known = true;
    e->sums.kind = (uint16_t) attr_int(row, "kind");
    e->sums.flags = (uint16_t) attr_int(row, "flags");
    e->sums.overdraft_limit = attr_int(row, "overdraft_limit");
    e->sums.max_balance = attr_int(row, "max_balance");
    e->stored[0] = attr_int(row, "debits_pending");
    e->stored[1] = attr_int(row, "debits_posted");
    e->stored[2] = attr_int(row, "credits_pending");
    e->stored[3] = attr_int(row, "credits_posted");
}

static void
add(CheckEntry *e, int64 *counter, int64 amount)
{
    if (prepay_i64_add(*counter, amount, counter) != PREPAY_OK)
        e->overflow = true;
}

PG_FUNCTION_INFO_V1(pgp_ledger_check_transfn);
Datum
pgp_ledger_check_transfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx;
    CheckState *s;
    HeapTupleHeader t, d, c;
    int64       amount, flags, state;
    CheckEntry *de, *ce;
    bool        pending = false, posted = false;

    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "prepay_ledger_check called in non-aggregate context");
    s = PG_ARGISNULL(0) ? check_new(ctx) : (CheckState *) PG_GETARG_POINTER(0);
    if (PG_ARGISNULL(1))
        PG_RETURN_POINTER(s);
    t = PG_GETARG_HEAPTUPLEHEADER(1);
    d = PG_ARGISNULL(2) ? NULL : PG_GETARG_HEAPTUPLEHEADER(2);
    c = PG_ARGISNULL(3) ? NULL : PG_GETARG_HEAPTUPLEHEADER(3);
    amount = attr_int(t, "amount");
    flags = attr_int(t, "flags");
    state = attr_int(t, "state");
    if (flags & PREPAY_LEDGER_TRANSFER_POST_PENDING)
        posted = true;
    else if (flags & PREPAY_LEDGER_TRANSFER_VOID_PENDING)
        ;                       /* releases its pending transfer: nothing of its own */
    else if (flags & PREPAY_LEDGER_TRANSFER_PENDING)
        pending = state == PREPAY_LEDGER_STATE_PENDING;
    else
        posted = true;
    de = entry(s, (uint64) attr_int(t, "debit_account_id"));
    note_account(de, d);
    ce = entry(s, (uint64) attr_int(t, "credit_account_id"));
    note_account(ce, c);
    if (posted)
    {
        add(de, &de->sums.debits_posted, amount);
        add(ce, &ce->sums.credits_posted, amount);
    }
    if (pending)
    {
        add(de, &de->sums.debits_pending, amount);
        add(ce, &ce->sums.credits_pending, amount);
    }
    s->transfers++;
    PG_RETURN_POINTER(s);
}

PG_FUNCTION_INFO_V1(pgp_ledger_check_combinefn);
Datum
pgp_ledger_check_combinefn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx;
    CheckState *a, *b;
    HASH_SEQ_STATUS it;
    CheckEntry *from;

    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "prepay_ledger_check called in non-aggregate context");
    a = PG_ARGISNULL(0) ? check_new(ctx) : (CheckState *) PG_GETARG_POINTER(0);
    if (PG_ARGISNULL(1))
        PG_RETURN_POINTER(a);
    b = (CheckState *) PG_GETARG_POINTER(1);
    hash_seq_init(&it, b->accounts);
    while ((from = hash_seq_search(&it)) != NULL)
    {
        CheckEntry *to = entry(a, from->id);

        if (!to->known && from->known)
        {
            to->known = true;
            to->sums.kind = from->sums.kind;
            to->sums.flags = from->sums.flags;
            to->sums.overdraft_limit = from->sums.overdraft_limit;
            to->sums.max_balance = from->sums.max_balance;
            memcpy(to->stored, from->stored, sizeof to->stored);
        }
        to->overflow |= from->overflow;
        add(to, &to->sums.debits_pending, from->sums.debits_pending);
        add(to, &to->sums.debits_posted, from->sums.debits_posted);
        add(to, &to->sums.credits_pending, from->sums.credits_pending);
        add(to, &to->sums.credits_posted, from->sums.credits_posted);
    }
    a->transfers += b->transfers;
    PG_RETURN_POINTER(a);
}

/* Serial form: transfers (int64), count (int64), then CheckEntry structs (same build only). */
PG_FUNCTION_INFO_V1(pgp_ledger_check_serialfn);
Datum
pgp_ledger_check_serialfn(PG_FUNCTION_ARGS)
{
    CheckState *s = (CheckState *) PG_GETARG_POINTER(0);
    int64       count = hash_get_num_entries(s->accounts);
    Size        total = add_size(VARHDRSZ + 16, mul_size((Size) count, sizeof(CheckEntry)));
    bytea      *out;
    char       *p;
    HASH_SEQ_STATUS it;
    CheckEntry *e;

    if (total > MaxAllocSize)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("prepay_ledger_check: state too large")));
    out = palloc(total);
    SET_VARSIZE(out, total);
    p = VARDATA(out);
    memcpy(p, &s->transfers, 8);
    memcpy(p + 8, &count, 8);
    p += 16;
    hash_seq_init(&it, s->accounts);
    while ((e = hash_seq_search(&it)) != NULL)
    {
        memcpy(p, e, sizeof *e);
        p += sizeof *e;
    }
    PG_RETURN_BYTEA_P(out);
}

PG_FUNCTION_INFO_V1(pgp_ledger_check_deserialfn);
Datum
pgp_ledger_check_deserialfn(PG_FUNCTION_ARGS)
{
    MemoryContext ctx;
    bytea      *in = PG_GETARG_BYTEA_PP(0);
    const char *p = VARDATA_ANY(in);
    Size        len = VARSIZE_ANY_EXHDR(in);
    int64       count;
    CheckState *s;

    if (!AggCheckCallContext(fcinfo, &ctx))
        elog(ERROR, "prepay_ledger_check called in non-aggregate context");
    if (len < 16)
        elog(ERROR, "prepay_ledger_check: bad partial state");
    s = check_new(ctx);
    memcpy(&s->transfers, p, 8);
    memcpy(&count, p + 8, 8);
    if (count < 0 || (Size) count * sizeof(CheckEntry) != len - 16)
        elog(ERROR, "prepay_ledger_check: bad partial state");
    p += 16;
    for (int64 i = 0; i < count; i++, p += sizeof(CheckEntry))
    {
        CheckEntry  e;
        CheckEntry *to;

        memcpy(&e, p, sizeof e);
        to = entry(s, e.id);
        *to = e;
    }
    PG_RETURN_POINTER(s);
}

static void
append_int128(StringInfo out, int128 v)
{
    char        digits[48];
    int         n = 0;
    bool        negative = v < 0;
    uint128     u = negative ? (uint128) (-(v + 1)) + 1 : (uint128) v;

    do
    {
        digits[n++] = (char) ('0' + (int) (u % 10));
        u /= 10;
    } while (u != 0);
    if (negative)
        appendStringInfoChar(out, '-');
    while (n > 0)
        appendStringInfoChar(out, digits[--n]);
}

typedef struct Violation
{
    uint64      account;
    const char *rule;
} Violation;

static int
violation_order(const void *a, const void *b)
{
    const Violation *x = a, *y = b;

    if (x->account != y->account)
        return x->account < y->account ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

PG_FUNCTION_INFO_V1(pgp_ledger_check_finalfn);
Datum
pgp_ledger_check_finalfn(PG_FUNCTION_ARGS)
{
    CheckState *s;
    HASH_SEQ_STATUS it;
    CheckEntry *e;
    int128      sums[4] = {0, 0, 0, 0};
    Violation  *v;
    int64       nv = 0, cap = 64;
    StringInfoData b;
    bool        balanced;

    if (PG_ARGISNULL(0))
        PG_RETURN_NULL();
    s = (CheckState *) PG_GETARG_POINTER(0);
    v = palloc_array(Violation, cap);
    hash_seq_init(&it, s->accounts);
    while ((e = hash_seq_search(&it)) != NULL)
    {
        const char *rule = NULL;
        int         status;

        sums[0] += e->sums.debits_pending;
        sums[1] += e->sums.debits_posted;
        sums[2] += e->sums.credits_pending;
        sums[3] += e->sums.credits_posted;
        if (!e->known)
            rule = "account_not_found";
        else if (e->overflow)
            rule = "ledger_overflow";
        else if (e->stored[0] != e->sums.debits_pending || e->stored[1] != e->sums.debits_posted ||
                 e->stored[2] != e->sums.credits_pending || e->stored[3] != e->sums.credits_posted)
            rule = "counters_differ_from_transfers";
        else if ((status = prepay_ledger_account_check(&e->sums)) != PREPAY_OK)
            rule = pgp_status_name(status);
        if (rule)
        {
            if (nv == cap)
            {
                cap *= 2;
                v = repalloc(v, mul_size((Size) cap, sizeof(Violation)));
            }
            v[nv].account = e->id;
            v[nv].rule = rule;
            nv++;
        }
    }
    qsort(v, (size_t) nv, sizeof(Violation), violation_order);
    balanced = sums[0] == sums[2] && sums[1] == sums[3];
    initStringInfo(&b);
    appendStringInfo(&b, "{\"ok\": %s, \"balanced\": %s, \"transfers\": " INT64_FORMAT ", \"accounts\": %ld, "
                     "\"debits_posted\": ",
                     balanced && nv == 0 ? "true" : "false", balanced ? "true" : "false", s->transfers,
                     hash_get_num_entries(s->accounts));
    append_int128(&b, sums[1]);
    appendStringInfoString(&b, ", \"credits_posted\": ");
    append_int128(&b, sums[3]);
    appendStringInfoString(&b, ", \"debits_pending\": ");
    append_int128(&b, sums[0]);
    appendStringInfoString(&b, ", \"credits_pending\": ");
    append_int128(&b, sums[2]);
    appendStringInfo(&b, ", \"violations\": " INT64_FORMAT ", \"first_violations\": [", nv);
    for (int64 i = 0; i < nv && i < MAX_REPORTED; i++)
        appendStringInfo(&b, "%s{\"account\": " INT64_FORMAT ", \"rule\": \"%s\"}", i ? ", " : "",
                         (int64) v[i].account, v[i].rule);
    appendStringInfoString(&b, "]}");
    PG_RETURN_DATUM(pgp_jsonb_of(&b));
}

/* ---- prepay_ledger_verify(): the whole book through the library ------------------------------------- */

#define VERIFY_MAX_TRANSFERS ((int64) 100000000)

static int64
count_rows(const char *sql)
{
    bool        isnull;

    if (SPI_execute(sql, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "pg_prepay: \"%s\" failed", sql);
    return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

static int64
get_int(HeapTuple tup, TupleDesc desc, int col)
{
    bool        isnull;
    Datum       d = SPI_getbinval(tup, desc, col, &isnull);
    Oid         type = SPI_gettypeid(desc, col);

    if (isnull)
        return 0;
    return type == INT2OID ? DatumGetInt16(d) : type == INT4OID ? DatumGetInt32(d) : DatumGetInt64(d);
}

static prepay_time_t
get_time(HeapTuple tup, TupleDesc desc, int col)
{
    bool        isnull;
    Datum       d = SPI_getbinval(tup, desc, col, &isnull);

    return isnull ? 0 : pgp_time_of(DatumGetTimestamp(d), false, "prepay_transfer");
}

PG_FUNCTION_INFO_V1(pgp_ledger_verify);
Datum
pgp_ledger_verify(PG_FUNCTION_ARGS)
{
    const char *schema = quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
    int64       na, nt;
    prepay_ledger_memory_t m;
    prepay_ledger_t ledger;
    prepay_ledger_account_t *stored;
    int16      *stored_state;
    uint64     *stored_resolved;
    int64       replayed = 0;
    StringInfoData problems;
    int         nproblems = 0;
    Portal      cursor;
    SPIPlanPtr  q;
    int         status;

    if (SPI_connect() != SPI_OK_CONNECT)
        elog(ERROR, "pg_prepay: SPI_connect failed");
    na = count_rows(psprintf("SELECT count(*) FROM %s.prepay_account", schema));
    nt = count_rows(psprintf("SELECT count(*) FROM %s.prepay_transfer", schema));
    if (nt > VERIFY_MAX_TRANSFERS || na > VERIFY_MAX_TRANSFERS)
        ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                        errmsg("prepay_ledger_verify holds the whole log in memory: " INT64_FORMAT
                               " transfers is more than it takes", nt),
                        errhint("Use the aggregate prepay_ledger_check(), which sums per account.")));
    {
        uint32      accounts = (uint32) Max(na, 1);
        uint32      transfers = (uint32) Max(nt, 1);
        size_t      bytes = prepay_ledger_memory_size(accounts, transfers);

        if (bytes == 0)
            ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                            errmsg("prepay_ledger_verify: the ledger is too large to hold in memory")));
        /* palloc'd memory is MAXALIGNed (8 bytes), which the layout needs */
        pgp_check(prepay_ledger_memory_layout(&m, MemoryContextAllocHuge(CurrentMemoryContext, bytes), bytes,
                                              accounts, transfers), "prepay_ledger_verify");
    }
    stored = MemoryContextAllocHuge(CurrentMemoryContext, mul_size(m.account_capacity, sizeof(prepay_ledger_account_t)));
    stored_state = MemoryContextAllocHuge(CurrentMemoryContext, mul_size(m.transfer_capacity, sizeof(int16)));
    stored_resolved = MemoryContextAllocHuge(CurrentMemoryContext, mul_size(m.transfer_capacity, sizeof(uint64)));
    pgp_check(prepay_ledger_init(&ledger, &m), "prepay_ledger_verify");
    initStringInfo(&problems);
#define PROBLEM(...) \
    do { \
        if (nproblems++ < MAX_REPORTED) { \
            appendStringInfoString(&problems, nproblems > 1 ? ", " : ""); \
            { char *msg_ = psprintf(__VA_ARGS__); pgp_json_string(&problems, msg_); } \
        } \
    } while (0)

    /* accounts, without their counters and open, in id order */
    if (SPI_execute(psprintf("SELECT id, kind, flags, overdraft_limit, max_balance, item, emergency_account_id, "
                             "debt_account_id, debits_pending, debits_posted, credits_pending, credits_posted "
                             "FROM %s.prepay_account ORDER BY id", schema), true, 0) != SPI_OK_SELECT)
        elog(ERROR, "pg_prepay: account scan failed");
    if ((int64) SPI_processed > na)
        elog(ERROR, "pg_prepay: accounts changed during the check");
    na = (int64) SPI_processed;
    for (int64 i = 0; i < na; i++)
    {
        HeapTuple   tup = SPI_tuptable->vals[i];
        TupleDesc   desc = SPI_tuptable->tupdesc;
        prepay_ledger_account_t a;

        memset(&a, 0, sizeof a);
        a.id = (uint64_t) get_int(tup, desc, 1);
        a.kind = (uint16_t) get_int(tup, desc, 2);
        a.flags = (uint16_t) get_int(tup, desc, 3);
        a.overdraft_limit = get_int(tup, desc, 4);
        a.max_balance = get_int(tup, desc, 5);
        a.item = (uint32_t) get_int(tup, desc, 6);
        a.emergency_account_id = (uint64_t) get_int(tup, desc, 7);
        a.debt_account_id = (uint64_t) get_int(tup, desc, 8);
        stored[i] = a;
        stored[i].debits_pending = get_int(tup, desc, 9);
        stored[i].debits_posted = get_int(tup, desc, 10);
        stored[i].credits_pending = get_int(tup, desc, 11);
        stored[i].credits_posted = get_int(tup, desc, 12);
        a.flags &= (uint16_t) ~PREPAY_LEDGER_ACCOUNT_CLOSED;
        status = prepay_ledger_create_account(&ledger, &a);
        if (status != PREPAY_OK)
            PROBLEM("account %lld: %s", (long long) a.id, prepay_strerror(status));
    }
    /* the log, in order */
    q = SPI_prepare(psprintf("SELECT id, debit_account_id, credit_account_id, amount, pending_id, ts, meter_id, "
                             "interval_start, interval_end, order_id, reference_id, tariff_version, code, flags, "
                             "state, resolved_by FROM %s.prepay_transfer ORDER BY seq", schema), 0, NULL);
    if (q == NULL)
        elog(ERROR, "pg_prepay: transfer scan failed");
    cursor = SPI_cursor_open(NULL, q, NULL, NULL, true);
    for (;;)
    {
        SPI_cursor_fetch(cursor, true, 10000);
        if (SPI_processed == 0)
            break;
        for (uint64 i = 0; i < SPI_processed; i++)
        {
            HeapTuple   tup = SPI_tuptable->vals[i];
            TupleDesc   desc = SPI_tuptable->tupdesc;
            prepay_ledger_transfer_t t;

            if (replayed >= (int64) m.transfer_capacity)
                elog(ERROR, "pg_prepay: transfers changed during the check");
            memset(&t, 0, sizeof t);
            t.id = (uint64_t) get_int(tup, desc, 1);
            t.debit_account_id = (uint64_t) get_int(tup, desc, 2);
            t.credit_account_id = (uint64_t) get_int(tup, desc, 3);
            t.amount = get_int(tup, desc, 4);
            t.pending_id = (uint64_t) get_int(tup, desc, 5);
            t.timestamp = get_time(tup, desc, 6);
            t.meter_id = (uint64_t) get_int(tup, desc, 7);
            t.interval_start = get_time(tup, desc, 8);
            t.interval_end = get_time(tup, desc, 9);
            t.order_id = (uint64_t) get_int(tup, desc, 10);
            t.reference_id = (uint64_t) get_int(tup, desc, 11);
            t.tariff_version = (uint32_t) get_int(tup, desc, 12);
            t.code = (uint16_t) get_int(tup, desc, 13);
            t.flags = (uint16_t) get_int(tup, desc, 14);
            status = prepay_ledger_replay(&ledger, &t);
            if (status != PREPAY_OK)
            {
                PROBLEM("transfer %lld does not replay: %s", (long long) t.id, prepay_strerror(status));
                continue;
            }
            stored_state[replayed] = (int16) get_int(tup, desc, 15);
            stored_resolved[replayed] = (uint64) get_int(tup, desc, 16);
            replayed++;
        }
    }
    SPI_cursor_close(cursor);
    for (int64 i = 0; i < na; i++)
        if (stored[i].flags & PREPAY_LEDGER_ACCOUNT_CLOSED)
            (void) prepay_ledger_close_account(&ledger, stored[i].id);
    /* the library's invariants over the rebuilt ledger */
    {
        prepay_ledger_account_t *scratch =
            MemoryContextAllocHuge(CurrentMemoryContext, mul_size(m.account_capacity, sizeof(prepay_ledger_account_t)));

        status = prepay_ledger_verify(&ledger, scratch, m.account_capacity);
    }
    if (status != PREPAY_OK)
        PROBLEM("the rebuilt ledger: %s", prepay_strerror(status));
    /* the tables against the replay */
    for (int64 i = 0; i < na; i++)
    {
        const prepay_ledger_account_t *a = prepay_ledger_account(&ledger, stored[i].id);

        if (a == NULL)
            continue;
        if (a->debits_pending != stored[i].debits_pending || a->debits_posted != stored[i].debits_posted ||
            a->credits_pending != stored[i].credits_pending || a->credits_posted != stored[i].credits_posted)
            PROBLEM("account %lld: stored counters differ from the replay of the log", (long long) stored[i].id);
    }
    for (int64 i = 0; i < replayed; i++)
    {
        const prepay_ledger_entry_t *e = prepay_ledger_entry_at(&ledger, (uint32) i);
        uint64      by = 0;

        if (e->resolved_by != 0)
            by = prepay_ledger_entry_at(&ledger, e->resolved_by - 1)->transfer.id;
        if ((int) e->state != stored_state[i] || by != stored_resolved[i])
            PROBLEM("transfer %lld: stored pending state differs from the replay", (long long) e->transfer.id);
    }
    SPI_finish();
    {
        StringInfoData b;

        initStringInfo(&b);
        appendStringInfo(&b, "{\"ok\": %s, \"accounts\": " INT64_FORMAT ", \"transfers\": " INT64_FORMAT
                         ", \"problems\": %d, \"first_problems\": [%s]}",
                         nproblems == 0 ? "true" : "false", na, replayed, nproblems, problems.data);
        PG_RETURN_DATUM(pgp_jsonb_of(&b));
    }
}
