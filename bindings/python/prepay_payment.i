/* SPDX-License-Identifier: MIT */
/*
 * Payment-order helpers of the SWIG module (include/prepay/payment.h, payment_hosted.h): orders on a
 * pyprepay_site (prepay_settlement.i), reconciliation and statement parsing with Python lists in
 * and out. The Pythonic layer is prepay/payment.py.
 *
 * Every call returns a tuple whose first item is the C status; the Pythonic layer raises.
 */
%{
/* An order as a tuple: (order_id, account_id, number, amount, created, deadline, resolved, resolved_by, state). */
static PyObject *pyprepay_payment_info_tuple(const prepay_payment_info_t *o)
{
    return Py_BuildValue("(KIILLLLKi)", (unsigned long long)o->order_id, o->account_id, o->number, (long long)o->amount,
                         (long long)o->created, (long long)o->deadline, (long long)o->resolved,
                         (unsigned long long)o->resolved_by, (int)o->state);
}

/* (order, (to_emergency, to_debt, to_balance, split_status), expected, notified, error_detail) */
static PyObject *pyprepay_payment_result_tuple(const prepay_payment_result_t *r)
{
    return Py_BuildValue("(N(LLLi)LLi)", pyprepay_payment_info_tuple(&r->order), (long long)r->split.to_emergency,
                         (long long)r->split.to_debt, (long long)r->split.to_balance, r->split.status,
                         (long long)r->expected, (long long)r->notified, r->error_detail);
}

static void pyprepay_payment_line(void *context, const prepay_payment_reconcile_line_t *l)
{
    PyObject *list = (PyObject *)context;
    if (!list) return;
    PyObject *t = Py_BuildValue("(KLLii)", (unsigned long long)l->order_id, (long long)l->ledger_amount,
                                (long long)l->statement_amount, (int)l->match, (int)l->ledger_state);
    if (!t || PyList_Append(list, t) != 0) PyErr_Clear();
    Py_XDECREF(t);
}

static PyObject *pyprepay_payment_records_list(const prepay_payment_statement_record_t *r, size_t n)
{
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *t = Py_BuildValue("(KLLi)", (unsigned long long)r[i].order_id, (long long)r[i].amount,
                                    (long long)r[i].time, (int)r[i].status);
        if (!t || PyList_Append(list, t) != 0) { Py_XDECREF(t); Py_CLEAR(list); break; }
        Py_DECREF(t);
    }
    return list;
}
%}

%inline %{
/** Creates an order on the site's books: (status, result tuple). */
PyObject *pyprepay_payment_create(pyprepay_site_t *s, uint32_t account_id, uint32_t number, int64_t amount,
                                  int64_t created, int64_t deadline)
{
    prepay_payment_result_t r;
    memset(&r, 0, sizeof r);
    if (!s->is_open) return Py_BuildValue("(iN)", PREPAY_E_SETTLEMENT_NOT_OPEN, pyprepay_payment_result_tuple(&r));
    prepay_payment_order_t o = {account_id, number, amount, created, deadline};
    int status = prepay_payment_create(&s->site, &s->books, &o, &r);
    return Py_BuildValue("(iN)", status, pyprepay_payment_result_tuple(&r));
}

/** Applies a notify or query answer: (status, events, statements, settlement result, payment result tuple). */
PyObject *pyprepay_payment_notify(pyprepay_site_t *s, uint64_t order_id, int64_t amount, int64_t time, int status)
{
    prepay_payment_result_t r;
    memset(&r, 0, sizeof r);
    if (!s->is_open) return Py_BuildValue("(iOOOO)", PREPAY_E_SETTLEMENT_NOT_OPEN, Py_None, Py_None, Py_None, Py_None);
    prepay_payment_notify_t n = {order_id, amount, time, (uint8_t)status};
    if (status < 0 || status > 255) n.status = 0;
    PyObject *events, *statements;
    if (pyprepay_site_begin(s, &events, &statements) != 0) return NULL;
    int rc = prepay_payment_notify(&s->site, &s->books, &s->work, &n, &r);
    return pyprepay_site_end(s, rc, events, statements, pyprepay_payment_result_tuple(&r));
}

/** Looks an order up in a ledger: (status, order tuple or None). */
PyObject *pyprepay_payment_lookup(pyprepay_ledger_t *l, uint64_t order_id)
{
    prepay_payment_info_t o;
    memset(&o, 0, sizeof o);
    int r = prepay_payment_lookup(&l->ledger, order_id, &o);
    if (r < 0) return Py_BuildValue("(iO)", r, Py_None);
    return Py_BuildValue("(iN)", r, pyprepay_payment_info_tuple(&o));
}

/** Reconciles statement records, a sequence of (order_id, amount, time, status):
 *  (status, [(order_id, ledger_amount, statement_amount, match, ledger_state)], summary tuple). */
PyObject *pyprepay_payment_reconcile(pyprepay_ledger_t *l, PyObject *records, int64_t from, int64_t to)
{
    PyObject *fast = PySequence_Fast(records, "records must be a sequence");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    prepay_payment_statement_record_t *arr =
        (prepay_payment_statement_record_t *)calloc(n > 0 ? (size_t)n : 1u, sizeof *arr);
    if (!arr) { Py_DECREF(fast); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned long long id = 0; long long amount = 0, time = 0; int st = 0;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(fast, i), "KLLi", &id, &amount, &time, &st)) {
            free(arr); Py_DECREF(fast); return NULL;
        }
        arr[i].order_id = id; arr[i].amount = amount; arr[i].time = time;
        arr[i].status = (st < 0 || st > 255) ? 0u : (uint8_t)st;
    }
    Py_DECREF(fast);
    PyObject *lines = PyList_New(0);
    if (!lines) { free(arr); return NULL; }
    prepay_payment_reconcile_summary_t sum;
    memset(&sum, 0, sizeof sum);
    int r = prepay_payment_reconcile(&l->ledger, arr, (size_t)n, from, to, pyprepay_payment_line, lines, &sum);
    free(arr);
    return Py_BuildValue("(iN(IIIIIL))", r, lines, sum.matched, sum.missing_in_ledger, sum.missing_in_statement,
                         sum.amount_differs, sum.refunded, (long long)sum.matched_amount);
}

/** Parses a statement's CSV text: (status, [(order_id, amount, time, status)], error_line). */
PyObject *pyprepay_payment_statement_parse(const char *text, size_t len)
{
    /* one record per line at most: bounded by the line breaks (+1 for a last line without one) */
    size_t cap = 1;
    for (size_t i = 0; i < len; i++) if (text[i] == '\n' || text[i] == '\r') cap++;
    prepay_payment_statement_record_t *arr = (prepay_payment_statement_record_t *)calloc(cap, sizeof *arr);
    if (!arr) return PyErr_NoMemory();
    size_t count = 0; uint32_t line = 0;
    int r = prepay_payment_statement_parse(text, len, arr, cap, &count, &line);
    PyObject *list = pyprepay_payment_records_list(arr, r < 0 ? 0 : count);
    free(arr);
    if (!list) return NULL;
    return Py_BuildValue("(iNI)", r, list, line);
}

/** Loads a statement CSV file: (status, [(order_id, amount, time, status)], error_line). */
PyObject *pyprepay_payment_statement_load(const char *path)
{
    size_t cap = 1024;
    for (;;) {
        prepay_payment_statement_record_t *arr = (prepay_payment_statement_record_t *)calloc(cap, sizeof *arr);
        if (!arr) return PyErr_NoMemory();
        size_t count = 0; uint32_t line = 0;
        int r = prepay_payment_statement_load(path, arr, cap, &count, &line);
        if (r == PREPAY_E_BUFFER_TOO_SMALL && cap < ((size_t)1 << 26)) { free(arr); cap *= 4; continue; }
        PyObject *list = pyprepay_payment_records_list(arr, r < 0 ? 0 : count);
        free(arr);
        if (!list) return NULL;
        return Py_BuildValue("(iNI)", r, list, line);
    }
}
%}
