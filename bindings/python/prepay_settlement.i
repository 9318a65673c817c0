/* SPDX-License-Identifier: MIT */
/*
 * Settlement helpers of the SWIG module (include/prepay/settlement.h): one object that owns a
 * site's memory, its configuration arrays and its work areas, with the event and statement sinks
 * collecting into Python lists. The Pythonic layer is prepay/settlement.py.
 *
 * Every call returns a tuple whose first item is the C status; the Pythonic layer raises.
 */
%{
struct pyprepay_site;
static void pyprepay_site_release(struct pyprepay_site *s);
%}

%inline %{
/** A settlement site with its own memory, configuration arrays and work areas. */
typedef struct pyprepay_site {
    prepay_settlement_site_t site;           /**< the site */
    prepay_settlement_memory_t memory;       /**< its records (heap) */
    prepay_settlement_config_t config;       /**< the configuration (its arrays below) */
    prepay_settlement_tariff_t *tariffs;     /**< tariff plans by number (heap) */
    prepay_wallet_policy_t *policies;        /**< wallet policies by number (heap) */
    prepay_charge_item_t *items;             /**< charge items (heap) */
    prepay_settlement_work_t work;           /**< work area of readings, recharges, commands, replacements */
    prepay_settlement_work_t close;          /**< work area of period closes */
    prepay_settlement_books_t books;         /**< ledger and optional journal */
    prepay_settlement_result_t result;       /**< result of the last call */
    prepay_dlt645_reader_t reader;           /**< catalogue cache for replies */
    uint32_t readings;                       /**< readings the work area takes per call */
    int has_memory, has_work, has_close, is_init, is_open, sink_failed;
    PyObject *events;                        /**< list collecting events while a call runs (borrowed) */
    PyObject *statements;                    /**< list collecting statements while a call runs (borrowed) */
    prepay_outbox_t *outbox;                 /**< attached outbox (prepay_outbox.i), NULL: none */
} pyprepay_site_t;
%}

%{
static void pyprepay_site_release(struct pyprepay_site *s)
{
    if (s->has_work) prepay_settlement_work_free(&s->work);
    if (s->has_close) prepay_settlement_work_free(&s->close);
    if (s->has_memory) prepay_settlement_memory_free(&s->memory);
    free(s->tariffs); free(s->policies); free(s->items);
    s->tariffs = NULL; s->policies = NULL; s->items = NULL;
    s->has_work = s->has_close = s->has_memory = s->is_init = s->is_open = 0;
}

static void pyprepay_site_event(void *context, const prepay_settlement_event_t *e)
{
    pyprepay_site_t *s = (pyprepay_site_t *)context;
    /* the outbox stages its records before the call's commit, whether or not Python collects */
    if (s->outbox) prepay_outbox_sink(s->outbox, e);
    if (!s->events) return;
    PyObject *t = Py_BuildValue("(KKLLLLLKIIiiiiii)", (unsigned long long)e->id.hi, (unsigned long long)e->id.lo,
                                (long long)e->time, (long long)e->balance, (long long)e->amount, (long long)e->detail,
                                (long long)e->energy, (unsigned long long)e->transfer_id, (unsigned)e->account_id,
                                (unsigned)e->meter_id, (int)e->type, (int)e->level, (int)e->from_level, (int)e->command,
                                (int)e->reason, (int)e->relay);
    if (!t || PyList_Append(s->events, t) != 0) { s->sink_failed = 1; PyErr_Clear(); }
    Py_XDECREF(t);
}

static void pyprepay_site_statement(void *context, const prepay_statement_t *st)
{
    pyprepay_site_t *s = (pyprepay_site_t *)context;
    if (!s->statements) return;
    PyObject *lines = PyList_New(0);
    for (size_t i = 0; lines && i < st->line_count; i++) {
        const prepay_statement_line_t *l = &st->lines[i];
        PyObject *t = Py_BuildValue("(iiiLLKi)", (int)l->kind, (int)l->band, (int)l->tier, (long long)l->energy,
                                    (long long)l->amount, (unsigned long long)l->reference, (int)l->date);
        if (!t || PyList_Append(lines, t) != 0) { Py_XDECREF(t); Py_CLEAR(lines); break; }
        Py_DECREF(t);
    }
    PyObject *t = lines ? Py_BuildValue("(KKiiiiLLLLiN)", (unsigned long long)st->statement_id,
                                        (unsigned long long)st->account_id, (int)st->period_start, (int)st->period_end,
                                        (int)st->issue_date, (int)st->due_date, (long long)st->opening,
                                        (long long)st->charges, (long long)st->payments, (long long)st->closing,
                                        (int)st->state, lines)
                        : NULL;
    if (!t || PyList_Append(s->statements, t) != 0) { s->sink_failed = 1; PyErr_Clear(); }
    Py_XDECREF(t);
}

static PyObject *pyprepay_site_result_tuple(const prepay_settlement_result_t *r)
{
    return Py_BuildValue("(IIIIIIIILIIi)", r->count, r->settled, r->primed, r->ignored, r->anomalies, r->transfers,
                         r->existed, r->events, (long long)r->posted, r->error_index, r->error_id, r->error_detail);
}

/* Starts collecting events and statements of one call. */
static int pyprepay_site_begin(pyprepay_site_t *s, PyObject **events, PyObject **statements)
{
    *events = PyList_New(0);
    *statements = PyList_New(0);
    if (!*events || !*statements) { Py_XDECREF(*events); Py_XDECREF(*statements); return -1; }
    s->events = *events; s->statements = *statements; s->sink_failed = 0;
    memset(&s->result, 0, sizeof s->result);
    return 0;
}

/* (status, events, statements, result) of one call; raises MemoryError if a sink could not collect. */
static PyObject *pyprepay_site_end(pyprepay_site_t *s, int status, PyObject *events, PyObject *statements, PyObject *extra)
{
    s->events = NULL; s->statements = NULL;
    if (s->sink_failed) {
        Py_DECREF(events); Py_DECREF(statements); Py_XDECREF(extra);
        return PyErr_NoMemory();
    }
    if (!extra) { extra = Py_None; Py_INCREF(extra); }
    return Py_BuildValue("(iNNNN)", status, events, statements, pyprepay_site_result_tuple(&s->result), extra);
}

static int pyprepay_site_work(pyprepay_site_t *s, uint32_t readings)
{
    prepay_settlement_work_sizes_t ws;
    int r = prepay_settlement_work_sizes_default(&s->site, readings, &ws);
    if (r != PREPAY_OK) return r;
    prepay_settlement_work_t work;
    r = prepay_settlement_work_alloc(&work, &ws);
    if (r != PREPAY_OK) return r;
    if (s->has_work) prepay_settlement_work_free(&s->work);
    s->work = work;
    s->work.sink.event = pyprepay_site_event;
    s->work.sink.statement = pyprepay_site_statement;
    s->work.sink.context = s;
    s->has_work = 1;
    s->readings = readings;
    return PREPAY_OK;
}
%}

%inline %{
/** Sizes the site, copies its tariffs (sequence of (plan, version)), policies and items, and initialises it. */
int pyprepay_site_setup(pyprepay_site_t *s, uint32_t accounts, uint32_t meters, uint32_t groups, uint32_t members,
                        uint32_t postpaid, PyObject *plans, PyObject *versions, PyObject *policies, PyObject *items,
                        int64_t period_start, int64_t period_end, int64_t gap_seconds, int32_t due_days,
                        int restore_command)
{
    if (!s || s->is_init) return PREPAY_E_BAD_STATE;
    void *arr = NULL; size_t n = 0, nv = 0;
    if (pyprepay_seq_copy(plans, SWIGTYPE_p_prepay_tariff_plan, sizeof(prepay_tariff_plan_t), &arr, &n) != 0) return -1;
    PyObject *vf = PySequence_Fast(versions, "versions must be a sequence");
    if (!vf) { free(arr); return -1; }
    nv = (size_t)PySequence_Fast_GET_SIZE(vf);
    s->tariffs = (prepay_settlement_tariff_t *)calloc(n ? n : 1, sizeof *s->tariffs);
    if (!s->tariffs || nv != n) { free(arr); Py_DECREF(vf); pyprepay_site_release(s); return PREPAY_E_INVALID_ARGUMENT; }
    for (size_t i = 0; i < n; i++) {
        s->tariffs[i].plan = ((prepay_tariff_plan_t *)arr)[i];
        s->tariffs[i].version = (uint32_t)PyLong_AsUnsignedLong(PySequence_Fast_GET_ITEM(vf, (Py_ssize_t)i));
    }
    free(arr); Py_DECREF(vf);
    if (PyErr_Occurred()) { pyprepay_site_release(s); return -1; }
    size_t np = 0, ni = 0;
    void *pol = NULL, *it = NULL;
    if (pyprepay_seq_copy(policies, SWIGTYPE_p_prepay_wallet_policy, sizeof(prepay_wallet_policy_t), &pol, &np) != 0) {
        pyprepay_site_release(s); return -1;
    }
    s->policies = (prepay_wallet_policy_t *)pol;
    if (pyprepay_seq_copy(items, SWIGTYPE_p_prepay_charge_item, sizeof(prepay_charge_item_t), &it, &ni) != 0) {
        pyprepay_site_release(s); return -1;
    }
    s->items = (prepay_charge_item_t *)it;
    if (n > 0xFFFFu || np > 0xFFFFu || ni > 0xFFFFu) { pyprepay_site_release(s); return PREPAY_E_CAPACITY; }
    memset(&s->config, 0, sizeof s->config);
    s->config.tariffs = s->tariffs; s->config.tariff_count = (uint16_t)n;
    s->config.policies = s->policies; s->config.policy_count = (uint16_t)np;
    s->config.items = s->items; s->config.item_count = (uint16_t)ni;
    s->config.restore_command = (uint8_t)restore_command;
    s->config.period_start = period_start; s->config.period_end = period_end;
    s->config.gap_seconds = gap_seconds; s->config.due_days = due_days;
    prepay_settlement_sizes_t sizes = {accounts, meters, groups, members, postpaid};
    int r = prepay_settlement_memory_alloc(&s->memory, &sizes);
    if (r != PREPAY_OK) { pyprepay_site_release(s); return r; }
    s->has_memory = 1;
    memset(&s->result, 0, sizeof s->result);
    r = prepay_settlement_init(&s->site, &s->memory, &s->config, &s->result);
    if (r != PREPAY_OK) { pyprepay_site_release(s); return r; }
    r = prepay_dlt645_reader_init(&s->reader);
    if (r != PREPAY_OK) { pyprepay_site_release(s); return r; }
    s->is_init = 1;
    return PREPAY_OK;
}

/** The result of the last call: (count, settled, primed, ignored, anomalies, transfers, existed, events, posted,
 *  error_index, error_id, error_detail). */
PyObject *pyprepay_site_last_result(pyprepay_site_t *s) { return pyprepay_site_result_tuple(&s->result); }

/** Adds an account; tariff_account may be None (the default household). */
int pyprepay_site_add_account(pyprepay_site_t *s, uint32_t id, int kind, int flags, int policy, int tariff_electricity,
                              int tariff_water, int64_t area, int64_t units, int32_t active_from, int32_t active_to,
                              int64_t max_balance, int64_t opening, const prepay_tariff_account_t *tariff_account)
{
    if (!s->is_init) return PREPAY_E_BAD_STATE;
    prepay_settlement_account_config_t a;
    prepay_settlement_account_config_init(&a);
    a.id = id; a.kind = (uint8_t)kind; a.flags = (uint8_t)flags; a.policy = (uint16_t)policy;
    a.tariff[PREPAY_SETTLEMENT_ELECTRICITY] = (uint16_t)tariff_electricity;
    a.tariff[PREPAY_SETTLEMENT_WATER] = (uint16_t)tariff_water;
    a.area = area; a.units = units; a.active_from = active_from; a.active_to = active_to;
    a.max_balance = max_balance; a.opening = opening;
    if (tariff_account) a.tariff_account = *tariff_account;
    return prepay_settlement_add_account(&s->site, &a);
}

/** Adds a meter; address is 6 bytes or None. */
int pyprepay_site_add_meter(pyprepay_site_t *s, uint32_t id, uint32_t account_id, uint32_t di, int tariff, int commodity,
                            int flags, const uint8_t *data, size_t len, int64_t modulus, int64_t max_power,
                            int64_t initial_time, int64_t initial_reading)
{
    if (!s->is_init) return PREPAY_E_BAD_STATE;
    prepay_settlement_meter_config_t m;
    prepay_settlement_meter_config_init(&m);
    m.id = id; m.account_id = account_id; m.di = di; m.tariff = (uint16_t)tariff; m.commodity = (uint8_t)commodity;
    m.flags = (uint8_t)flags; m.modulus = modulus; m.max_power = max_power;
    m.initial_time = initial_time; m.initial_reading = initial_reading;
    if (data) {
        if (len != PREPAY_DLT645_ADDRESS_SIZE) return PREPAY_E_INVALID_ARGUMENT;
        memcpy(m.address.bytes, data, len);
    }
    return prepay_settlement_add_meter(&s->site, &m);
}

/** Adds an allocation group. */
int pyprepay_site_add_group(pyprepay_site_t *s, int number, int method, int residual_policy, int vacancy, int flags,
                            int tariff, uint32_t master_meter_id, uint32_t owner_account_id)
{
    if (!s->is_init) return PREPAY_E_BAD_STATE;
    prepay_settlement_group_config_t g;
    memset(&g, 0, sizeof g);
    g.number = (uint16_t)number; g.method = (uint8_t)method; g.residual_policy = (uint8_t)residual_policy;
    g.vacancy = (uint8_t)vacancy; g.flags = (uint8_t)flags; g.tariff = (uint16_t)tariff;
    g.master_meter_id = master_meter_id; g.owner_account_id = owner_account_id;
    return prepay_settlement_add_group(&s->site, &g);
}

/** Adds a sub-meter to a group. */
int pyprepay_site_add_member(pyprepay_site_t *s, int group, uint32_t meter_id, int64_t ratio)
{
    if (!s->is_init) return PREPAY_E_BAD_STATE;
    prepay_settlement_member_config_t m = {(uint16_t)group, meter_id, ratio};
    return prepay_settlement_add_member(&s->site, &m);
}

/** Opens the books on a ledger (and a journal, or None) and allocates the work areas. */
int pyprepay_site_open(pyprepay_site_t *s, pyprepay_ledger_t *l, pyprepay_journal_t *j, uint32_t readings)
{
    if (!s->is_init || !l) return PREPAY_E_BAD_STATE;
    if (j && !j->is_open) return PREPAY_E_BAD_STATE;
    s->books.ledger = &l->ledger;
    s->books.journal = j ? &j->journal : NULL;
    memset(&s->result, 0, sizeof s->result);
    int r = prepay_settlement_open(&s->site, &s->books, &s->result);
    if (r < 0) return r;
    if (!s->has_work) {
        int w = pyprepay_site_work(s, readings ? readings : 1);
        if (w != PREPAY_OK) return w;
    }
    if (!s->has_close) {
        prepay_settlement_work_sizes_t ws;
        int w = prepay_settlement_work_sizes_default(&s->site, 0, &ws);
        if (w == PREPAY_OK) w = prepay_settlement_work_alloc(&s->close, &ws);
        if (w != PREPAY_OK) return w;
        s->close.sink.event = pyprepay_site_event;
        s->close.sink.statement = pyprepay_site_statement;
        s->close.sink.context = s;
        s->has_close = 1;
    }
    s->is_open = 1;
    return r;
}

/** Settles readings, a sequence of (meter_id, di, time, value):
 *  (status, events, statements, result, outcomes). */
PyObject *pyprepay_site_settle(pyprepay_site_t *s, PyObject *readings)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    PyObject *fast = PySequence_Fast(readings, "readings must be a sequence");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    prepay_settlement_reading_t *arr = (prepay_settlement_reading_t *)calloc(n > 0 ? (size_t)n : 1u, sizeof *arr);
    if (!arr) { Py_DECREF(fast); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned int meter = 0, di = 0;
        long long t = 0, v = 0;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i), "IILL", &meter, &di, &t, &v)) {
            free(arr); Py_DECREF(fast); return NULL;
        }
        arr[i].meter_id = meter; arr[i].di = di; arr[i].time = t; arr[i].value = v;
    }
    Py_DECREF(fast);
    if ((uint64_t)n > s->readings) {
        int w = pyprepay_site_work(s, (uint32_t)n);
        if (w != PREPAY_OK) { free(arr); return Py_BuildValue("(iOOOO)", w, Py_None, Py_None, Py_None, Py_None); }
    }
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) { free(arr); return NULL; }
    int r = prepay_settlement_settle(&s->site, &s->books, &s->work, arr, (size_t)n, &s->result);
    free(arr);
    PyObject *outcomes = PyList_New(0);
    for (Py_ssize_t i = 0; outcomes && r >= 0 && i < n; i++) {
        PyObject *o = PyLong_FromLong(s->work.outcomes[i]);
        if (!o || PyList_Append(outcomes, o) != 0) { Py_XDECREF(o); Py_CLEAR(outcomes); break; }
        Py_DECREF(o);
    }
    if (!outcomes) { s->events = s->statements = NULL; Py_DECREF(events); Py_DECREF(statements); return NULL; }
    return pyprepay_site_end(s, r, events, statements, outcomes);
}

/** Decodes a DL/T 645 reply frame into a reading: (status, (meter_id, di, time, value) or None, detail). */
PyObject *pyprepay_site_decode_reply(pyprepay_site_t *s, const uint8_t *data, size_t len, int64_t time)
{
    prepay_settlement_reading_t out;
    int detail = 0;
    memset(&out, 0, sizeof out);
    int r = prepay_settlement_decode_reply(&s->site, &s->reader, data, len, time, &out, &detail);
    if (r < 0) return Py_BuildValue("(iOi)", r, Py_None, detail);
    return Py_BuildValue("(i(IILL)i)", r, out.meter_id, out.di, (long long)out.time, (long long)out.value, detail);
}

/** A recharge: (status, events, statements, result, (to_emergency, to_debt, to_balance, split_status)). */
PyObject *pyprepay_site_recharge(pyprepay_site_t *s, uint32_t account_id, uint32_t sequence, int64_t amount,
                                 uint64_t order_id, uint64_t pending_id, int64_t time)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    prepay_settlement_recharge_t rc = {account_id, sequence, amount, order_id, pending_id, time};
    prepay_settlement_recharge_split_t split;
    memset(&split, 0, sizeof split);
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int r = prepay_settlement_recharge(&s->site, &s->books, &s->work, &rc, &split, &s->result);
    return pyprepay_site_end(s, r, events, statements,
                             Py_BuildValue("(LLLi)", (long long)split.to_emergency, (long long)split.to_debt,
                                           (long long)split.to_balance, split.status));
}

/** A refund out of the wallet: (status, events, statements, result, None). */
PyObject *pyprepay_site_refund(pyprepay_site_t *s, uint32_t account_id, uint32_t sequence, int64_t amount,
                               uint64_t order_id, int64_t time)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    prepay_settlement_refund_t rf = {account_id, sequence, amount, order_id, time};
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int r = prepay_settlement_refund(&s->site, &s->books, &s->work, &rf, &s->result);
    return pyprepay_site_end(s, r, events, statements, NULL);
}

/** A sale out of a prepaid local account's wallet to a meter purse: (status, events, statements, result, None). */
PyObject *pyprepay_site_sell(pyprepay_site_t *s, uint32_t account_id, uint32_t sequence, int commodity,
                             int64_t amount, uint64_t order_id, int64_t time)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    if (commodity < 0 || commodity > 255) {
        return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_BAD_CONFIG, Py_None, Py_None, Py_None, Py_None);
    }
    prepay_settlement_sale_t sale;
    memset(&sale, 0, sizeof sale);
    sale.account_id = account_id;
    sale.sequence = sequence;
    sale.commodity = (uint8_t)commodity;
    sale.amount = amount;
    sale.order_id = order_id;
    sale.time = time;
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int r = prepay_settlement_sell(&s->site, &s->books, &s->work, &sale, &s->result);
    return pyprepay_site_end(s, r, events, statements, NULL);
}

/** Sets the wallet input commands of an account: (status, events, statements, result, None). */
PyObject *pyprepay_site_set_commands(pyprepay_site_t *s, uint32_t account_id, uint32_t commands, int64_t time)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int r = prepay_settlement_set_commands(&s->site, &s->books, &s->work, account_id, commands, time, &s->result);
    return pyprepay_site_end(s, r, events, statements, NULL);
}

/** Replaces a meter's register: (status, events, statements, result, None). */
PyObject *pyprepay_site_replace_meter(pyprepay_site_t *s, uint32_t meter_id, int64_t time, int64_t final_reading,
                                      int64_t initial_reading, int64_t modulus)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    prepay_settlement_replacement_t rp = {meter_id, time, final_reading, initial_reading, modulus};
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int r = prepay_settlement_replace_meter(&s->site, &s->books, &s->work, &rp, &s->result);
    return pyprepay_site_end(s, r, events, statements, NULL);
}

/** Closes the open period and opens [period_end, next_end): (status, events, statements, result, None). */
PyObject *pyprepay_site_close_period(pyprepay_site_t *s, int64_t next_end)
{
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int r = prepay_settlement_close_period(&s->site, &s->books, &s->close, next_end, &s->result);
    return pyprepay_site_end(s, r, events, statements, NULL);
}

/** Checks the site against its ledger: (status, result). */
PyObject *pyprepay_site_verify(pyprepay_site_t *s)
{
    if (!s->is_open) return Py_BuildValue("(iO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None);
    memset(&s->result, 0, sizeof s->result);
    int r = prepay_settlement_verify(&s->site, s->books.ledger, &s->result);
    return Py_BuildValue("(iN)", r, pyprepay_site_result_tuple(&s->result));
}

/** (open period start, end, periods closed). */
PyObject *pyprepay_site_period(pyprepay_site_t *s)
{
    return Py_BuildValue("(LLI)", (long long)s->site.period_start, (long long)s->site.period_end, s->site.period_index);
}

/** An account's view: (id, kind, flags, policy, area, units, active_from, active_to, max_balance,
 *  balance, debt, emergency, recharged, energy, shares, items, debt_created, debt_repaid, emergency_granted,
 *  emergency_repaid, recharges, level, relay, commands, tariff_electricity, tariff_water, refunded, refunds, sold,
 *  sales) or None. */
PyObject *pyprepay_site_account(pyprepay_site_t *s, uint32_t id)
{
    const prepay_settlement_account_t *a = s->is_init ? prepay_settlement_account(&s->site, id) : NULL;
    if (!a) Py_RETURN_NONE;
    const prepay_settlement_balances_t *b = &a->books;
    return Py_BuildValue("(IiiiLLiiLLLLLLLLLLLLIiiiiiLILI)", a->config.id, (int)a->config.kind, (int)a->config.flags,
                         (int)a->config.policy, (long long)a->config.area, (long long)a->config.units,
                         (int)a->config.active_from, (int)a->config.active_to, (long long)a->config.max_balance,
                         (long long)b->balance, (long long)b->debt, (long long)b->emergency, (long long)b->recharged,
                         (long long)b->energy, (long long)b->shares, (long long)b->items, (long long)b->debt_created,
                         (long long)b->debt_repaid, (long long)b->emergency_granted, (long long)b->emergency_repaid,
                         a->recharges, (int)a->wallet.level, (int)a->relay, (int)a->commands,
                         (int)a->config.tariff[PREPAY_SETTLEMENT_ELECTRICITY], (int)a->config.tariff[PREPAY_SETTLEMENT_WATER],
                         (long long)b->refunded, a->refunds, (long long)b->sold, a->sales);
}

/** A meter's view: (id, account_id, di, commodity, tariff, address bytes, modulus, max_power, time, reading,
 *  total) or None. */
PyObject *pyprepay_site_meter(pyprepay_site_t *s, uint32_t id)
{
    const prepay_settlement_meter_t *m = s->is_init ? prepay_settlement_meter(&s->site, id) : NULL;
    if (!m) Py_RETURN_NONE;
    return Py_BuildValue("(IIIiiy#LLLLL)", m->config.id, m->config.account_id, m->config.di, (int)m->config.commodity,
                         (int)m->config.tariff, (const char *)m->config.address.bytes,
                         (Py_ssize_t)PREPAY_DLT645_ADDRESS_SIZE, (long long)m->config.modulus,
                         (long long)m->config.max_power, (long long)m->time, (long long)m->reading,
                         (long long)m->total);
}

/** Ids of the accounts in the order they were added. */
PyObject *pyprepay_site_account_ids(pyprepay_site_t *s)
{
    PyObject *list = PyList_New(0);
    prepay_settlement_counts_t c = {0, 0, 0, 0};
    if (s->is_init) prepay_settlement_counts(&s->site, &c);
    for (uint32_t i = 0; list && i < c.accounts; i++) {
        PyObject *o = PyLong_FromUnsignedLong(s->memory.accounts[i].config.id);
        if (!o || PyList_Append(list, o) != 0) { Py_XDECREF(o); Py_CLEAR(list); }
        else Py_DECREF(o);
    }
    return list;
}

/** Ids of the meters (of one account with account_id > 0; all with 0) in the order they were added. */
PyObject *pyprepay_site_meter_ids(pyprepay_site_t *s, uint32_t account_id)
{
    PyObject *list = PyList_New(0);
    prepay_settlement_counts_t c = {0, 0, 0, 0};
    if (s->is_init) prepay_settlement_counts(&s->site, &c);
    if (account_id != 0) {
        uint32_t cursor = 0;
        const prepay_settlement_meter_t *m;
        while (list && s->is_init && (m = prepay_settlement_next_meter(&s->site, account_id, &cursor)) != NULL) {
            PyObject *o = PyLong_FromUnsignedLong(m->config.id);
            if (!o || PyList_Append(list, o) != 0) { Py_XDECREF(o); Py_CLEAR(list); }
            else Py_DECREF(o);
        }
        return list;
    }
    for (uint32_t i = 0; list && i < c.meters; i++) {
        PyObject *o = PyLong_FromUnsignedLong(s->memory.meters[i].config.id);
        if (!o || PyList_Append(list, o) != 0) { Py_XDECREF(o); Py_CLEAR(list); }
        else Py_DECREF(o);
    }
    return list;
}

/** The settlement id of (kind, subject, period, sequence) as (status, hi, lo). */
PyObject *pyprepay_settlement_id(unsigned kind, uint32_t subject, uint32_t period, uint64_t sequence)
{
    prepay_settlement_id_t id = {0, 0};
    int r = prepay_settlement_id_make(kind, subject, period, sequence, &id);
    return Py_BuildValue("(iKK)", r, (unsigned long long)id.hi, (unsigned long long)id.lo);
}

/** (kind, subject, period, sequence) of a settlement id. */
PyObject *pyprepay_settlement_id_split(uint64_t hi, uint64_t lo)
{
    prepay_settlement_id_t id = {hi, lo};
    unsigned kind = 0; uint32_t subject = 0, period = 0; uint64_t sequence = 0;
    prepay_settlement_id_split(&id, &kind, &subject, &period, &sequence);
    return Py_BuildValue("(IIIK)", kind, subject, period, (unsigned long long)sequence);
}

/** The 64-bit ledger key (transfer id) of a settlement id: (status, key). */
PyObject *pyprepay_settlement_key(uint64_t hi, uint64_t lo)
{
    prepay_settlement_id_t id = {hi, lo};
    uint64_t key = 0;
    int r = prepay_settlement_ledger_key(&id, &key);
    return Py_BuildValue("(iK)", r, (unsigned long long)key);
}

/** The settlement id of a 64-bit ledger key: (status, hi, lo). */
PyObject *pyprepay_settlement_key_split(uint64_t key)
{
    prepay_settlement_id_t id = {0, 0};
    int r = prepay_settlement_ledger_key_split(key, &id);
    return Py_BuildValue("(iKK)", r, (unsigned long long)id.hi, (unsigned long long)id.lo);
}
%}

%extend pyprepay_site {
    pyprepay_site() { return (pyprepay_site_t *)calloc(1, sizeof(pyprepay_site_t)); }
    ~pyprepay_site() { pyprepay_site_release($self); free($self); }
}
