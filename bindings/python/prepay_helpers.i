/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the SWIG module: calls that need caller-owned memory, arrays of structs,
 * callbacks or batch loops. They live in the bindings, not in src/.
 * Arrays of structs are given as Python sequences of the SWIG proxies (copied into C arrays).
 */
%{
/* Copies a sequence of SWIG proxies of one struct type into a new C array (free() it). */
static int pyprepay_seq_copy(PyObject *seq, swig_type_info *type, size_t size, void **out, size_t *count)
{
    PyObject *fast = PySequence_Fast(seq, "expected a sequence");
    if (!fast) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    char *arr = (char *)calloc(n > 0 ? (size_t)n : 1u, size);
    if (!arr) { Py_DECREF(fast); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < n; i++) {
        void *p = NULL;
        if (!SWIG_IsOK(SWIG_ConvertPtr(PySequence_Fast_GET_ITEM(fast, i), &p, type, 0)) || !p) {
            free(arr); Py_DECREF(fast);
            PyErr_Format(PyExc_TypeError, "item %zd is not a %s", i, type->str);
            return -1;
        }
        memcpy(arr + (size_t)i * size, p, size);
    }
    Py_DECREF(fast);
    *out = arr; *count = (size_t)n;
    return 0;
}

/* Gets a contiguous buffer of int64 items (array('q'), numpy int64, memoryview cast 'q'). */
static int pyprepay_i64_buffer(PyObject *obj, Py_buffer *view, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) != 0) return -1;
    const char *f = view->format ? view->format : "B";
    if (*f == '<' || *f == '=' || *f == '@') f++;
    if (view->itemsize != 8 || !(strcmp(f, "q") == 0 || strcmp(f, "l") == 0)) {
        PyBuffer_Release(view);
        PyErr_Format(PyExc_TypeError, "%s must be a buffer of signed 64-bit integers (array('q'))", what);
        return -1;
    }
    return 0;
}

static PyObject *pyprepay_line_tuple(const prepay_tariff_line_t *l)
{
    return Py_BuildValue("(iiiiiiiLLLkL)", (int)l->kind, (int)l->cycle, (int)l->price_set, (int)l->band, (int)l->tier,
                         (int)l->fixed_index, (int)l->item, (long long)l->quantity, (long long)l->price,
                         (long long)l->amount.units, (unsigned long)l->amount.nanos, (long long)l->money);
}

static PyObject *pyprepay_lines_list(const prepay_tariff_line_t *lines, size_t n)
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list) return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *t = pyprepay_line_tuple(&lines[i]);
        if (!t) { Py_DECREF(list); return NULL; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}

static int pyprepay_already_charged(void *context, uint64_t charge_id)
{
    PyObject *set = (PyObject *)context;
    if (!set || set == Py_None) return 0;
    PyObject *key = PyLong_FromUnsignedLongLong(charge_id);
    if (!key) { PyErr_Clear(); return 0; }
    int r = PySequence_Contains(set, key);
    Py_DECREF(key);
    if (r < 0) { PyErr_Clear(); return 0; }
    return r;
}

/** Expires due pending transfers (journal NULL: in memory only): (status_or_count, [expired ids]). */
static PyObject *pyprepay_expire(prepay_journal_t *journal, prepay_ledger_t *ledger, int64_t now, size_t limit)
{
    uint64_t *ids = (uint64_t *)calloc(limit ? limit : 1, sizeof *ids);
    if (!ids) return PyErr_NoMemory();
    int r = journal ? prepay_journal_expire(journal, ledger, now, ids, limit) : prepay_ledger_expire(ledger, now, ids, limit);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < r; i++) {
        PyObject *o = PyLong_FromUnsignedLongLong(ids[i]);
        PyList_Append(list, o); Py_XDECREF(o);
    }
    free(ids);
    if (!list) return NULL;
    return Py_BuildValue("(iN)", r, list);
}

%}

%inline %{
/* ======================= tariff ======================= */

/** A tariff bill with its own line storage. */
typedef struct pyprepay_bill {
    prepay_tariff_bill_t bill; /**< the bill (lines point into `storage`) */
    prepay_tariff_line_t *storage; /**< line storage */
    size_t capacity;          /**< lines the storage holds */
} pyprepay_bill_t;

/** Initialises (or resets) a bill for a tariff. */
int pyprepay_bill_init(pyprepay_bill_t *b, const prepay_tariff_t *tariff)
{
    if (!b || !tariff) return PREPAY_E_INVALID_ARGUMENT;
    return prepay_tariff_bill_init(&b->bill, tariff, b->storage, b->capacity);
}

/** Computes the totals of a bill (prepay_tariff_bill_finish). */
int pyprepay_bill_finish(pyprepay_bill_t *b)
{
    return b ? prepay_tariff_bill_finish(&b->bill) : PREPAY_E_INVALID_ARGUMENT;
}

/** The lines of a bill as tuples (kind, cycle, set, band, tier, fixed_index, item, quantity, price, units, nanos, money). */
PyObject *pyprepay_bill_lines(const pyprepay_bill_t *b)
{
    return pyprepay_lines_list(b->bill.lines, b->bill.line_count);
}

/** Per-band exact subtotals as (units, nanos) tuples, band 1 first, for bands 1..count. */
PyObject *pyprepay_bill_band_subtotals(const pyprepay_bill_t *b, unsigned count)
{
    if (count > PREPAY_MAX_TARIFF_INDEX) count = PREPAY_MAX_TARIFF_INDEX;
    PyObject *list = PyList_New(count);
    for (unsigned i = 0; list && i < count; i++)
        PyList_SET_ITEM(list, i, Py_BuildValue("(Lk)", (long long)b->bill.band_subtotal[i].units,
                                                (unsigned long)b->bill.band_subtotal[i].nanos));
    return list;
}

/** Per-tier exact subtotals as (units, nanos) tuples, tier 1 first. */
PyObject *pyprepay_bill_tier_subtotals(const pyprepay_bill_t *b, unsigned count)
{
    if (count > PREPAY_MAX_TIERS) count = PREPAY_MAX_TIERS;
    PyObject *list = PyList_New(count);
    for (unsigned i = 0; list && i < count; i++)
        PyList_SET_ITEM(list, i, Py_BuildValue("(Lk)", (long long)b->bill.tier_subtotal[i].units,
                                                (unsigned long)b->bill.tier_subtotal[i].nanos));
    return list;
}

/**
 * Batch evaluation over three int64 buffers (starts, ends, energies): the intervals are packed into
 * one prepay_tariff_interval_t array and priced by ONE prepay_tariff_eval_batch() call (@p state None:
 * a fresh state), then prepay_tariff_bill_finish() when @p finish.
 * The GIL is released while C runs. Returns the status.
 */
PyObject *pyprepay_eval_arrays(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                               prepay_tariff_state_t *state, pyprepay_bill_t *bill, PyObject *starts,
                               PyObject *ends, PyObject *energies, int finish)
{
    Py_buffer vs, ve, vn;
    if (!bill) { PyErr_SetString(PyExc_ValueError, "bill is None"); return NULL; }
    if (pyprepay_i64_buffer(starts, &vs, "starts") != 0) return NULL;
    if (pyprepay_i64_buffer(ends, &ve, "ends") != 0) { PyBuffer_Release(&vs); return NULL; }
    if (pyprepay_i64_buffer(energies, &vn, "energies") != 0) { PyBuffer_Release(&vs); PyBuffer_Release(&ve); return NULL; }
    size_t n = (size_t)(vs.len / 8);
    int status = PREPAY_OK;
    if ((size_t)(ve.len / 8) != n || (size_t)(vn.len / 8) != n) {
        status = PREPAY_E_INVALID_ARGUMENT;
    } else {
        /* one batch: a batch closes the last cycle (proportional tiers), so it cannot be cut into chunks */
        prepay_tariff_interval_t *iv = (prepay_tariff_interval_t *)malloc((n ? n : 1) * sizeof *iv);
        if (!iv) {
            PyBuffer_Release(&vs); PyBuffer_Release(&ve); PyBuffer_Release(&vn);
            return PyErr_NoMemory();
        }
        const int64_t *s = (const int64_t *)vs.buf, *e = (const int64_t *)ve.buf, *en = (const int64_t *)vn.buf;
        Py_BEGIN_ALLOW_THREADS
        for (size_t i = 0; i < n; i++) { iv[i].start = s[i]; iv[i].end = e[i]; iv[i].energy = en[i]; }
        status = prepay_tariff_eval_batch(plan, account, state, iv, n, &bill->bill);
        if (status == PREPAY_OK && finish) status = prepay_tariff_bill_finish(&bill->bill);
        Py_END_ALLOW_THREADS
        free(iv);
    }
    PyBuffer_Release(&vs); PyBuffer_Release(&ve); PyBuffer_Release(&vn);
    return PyLong_FromLong(status);
}

/**
 * Batch evaluation over ONE int64 buffer of packed (start, end, energy) triples, without copying:
 * the buffer is the prepay_tariff_interval_t array itself. Returns the status.
 */
PyObject *pyprepay_eval_packed(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                               prepay_tariff_state_t *state, pyprepay_bill_t *bill, PyObject *packed, int finish)
{
    Py_buffer v;
    if (!bill) { PyErr_SetString(PyExc_ValueError, "bill is None"); return NULL; }
    if (sizeof(prepay_tariff_interval_t) != 24) { PyErr_SetString(PyExc_RuntimeError, "unexpected interval layout"); return NULL; }
    if (pyprepay_i64_buffer(packed, &v, "intervals") != 0) return NULL;
    int status;
    if ((v.len / 8) % 3 != 0) {
        status = PREPAY_E_INVALID_ARGUMENT;
    } else {
        Py_BEGIN_ALLOW_THREADS
        status = prepay_tariff_eval_batch(plan, account, state, (const prepay_tariff_interval_t *)v.buf,
                                          (size_t)(v.len / 24), &bill->bill);
        if (status == PREPAY_OK && finish) status = prepay_tariff_bill_finish(&bill->bill);
        Py_END_ALLOW_THREADS
    }
    PyBuffer_Release(&v);
    return PyLong_FromLong(status);
}

/**
 * One streaming call: kind 0 = prepay_tariff_feed_interval(a, b, energy), 1 = prepay_tariff_feed_reading(at=a,
 * reading=energy), 2 = prepay_tariff_close_cycle(). The lines are also added to @p bill when it is not None.
 * Returns (status, lines, exact_units, exact_nanos, due).
 */
PyObject *pyprepay_feed(const prepay_tariff_plan_t *plan, const prepay_tariff_account_t *account,
                        prepay_tariff_state_t *state, int kind, int64_t a, int64_t b, int64_t energy,
                        pyprepay_bill_t *bill)
{
    size_t cap = 256;
    for (;;) {
        prepay_tariff_line_t *lines = (prepay_tariff_line_t *)calloc(cap, sizeof *lines);
        prepay_tariff_feed_result_t r;
        int status;
        if (!lines) return PyErr_NoMemory();
        memset(&r, 0, sizeof r);
        if (kind == 0) status = prepay_tariff_feed_interval(plan, account, state, a, b, energy, lines, cap, &r);
        else if (kind == 1) status = prepay_tariff_feed_reading(plan, account, state, a, energy, lines, cap, &r);
        else status = prepay_tariff_close_cycle(plan, account, state, lines, cap, &r);
        if (status == PREPAY_E_BUFFER_TOO_SMALL && r.line_count > cap && cap < (1u << 20)) {
            cap = r.line_count;
            free(lines);
            continue;
        }
        if (status >= 0 && bill) {
            int added = prepay_tariff_bill_add(&bill->bill, lines, r.line_count);
            if (added < 0) status = added;
        }
        PyObject *list = status >= 0 ? pyprepay_lines_list(lines, r.line_count) : PyList_New(0);
        free(lines);
        if (!list) return NULL;
        return Py_BuildValue("(iNLkL)", status, list, (long long)r.exact.units, (unsigned long)r.exact.nanos,
                             (long long)r.due);
    }
}

/** Tier bounds of a cycle: (status, [upper bounds]). */
PyObject *pyprepay_tier_bounds(const prepay_tariff_t *tariff, const prepay_tariff_account_t *account, int32_t cycle)
{
    prepay_energy_t upper[PREPAY_MAX_TIERS];
    int status = prepay_tariff_tier_bounds(tariff, account, cycle, upper, PREPAY_MAX_TIERS);
    unsigned n = status >= 0 ? (unsigned)status : 0;
    if (n > PREPAY_MAX_TIERS) n = PREPAY_MAX_TIERS;
    PyObject *list = PyList_New(n);
    for (unsigned i = 0; list && i < n; i++) PyList_SET_ITEM(list, i, PyLong_FromLongLong(upper[i]));
    return Py_BuildValue("(iN)", status, list);
}

/* ======================= dlt645 ======================= */

/** Decodes a block or record DI into items: (status_or_count, [prepay_dlt645_value_t]). */
PyObject *pyprepay_block_decode(uint32_t di, const uint8_t *data, size_t len, int edition_1997)
{
    enum { CAP = 128 };
    prepay_dlt645_value_t *items = (prepay_dlt645_value_t *)calloc(CAP, sizeof *items);
    if (!items) return PyErr_NoMemory();
    int n = edition_1997 ? prepay_dlt645_block_decode_1997((uint16_t)di, data, len, items, CAP)
                         : prepay_dlt645_block_decode(di, data, len, items, CAP);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        prepay_dlt645_value_t *copy = (prepay_dlt645_value_t *)malloc(sizeof *copy);
        if (!copy) { Py_DECREF(list); list = NULL; PyErr_NoMemory(); break; }
        *copy = items[i];
        PyObject *o = SWIG_NewPointerObj(copy, SWIGTYPE_p_prepay_dlt645_value, SWIG_POINTER_OWN);
        if (!o || PyList_Append(list, o) != 0) { Py_XDECREF(o); Py_DECREF(list); list = NULL; break; }
        Py_DECREF(o);
    }
    free(items);
    if (!list) return NULL;
    return Py_BuildValue("(iN)", n, list);
}

/*
 * Fast paths for Python (issue 12): one C call per frame that returns plain tuples of ints and bytes,
 * so the Pythonic layer builds enums, addresses, names and text only when they are read.
 */

/* A new instance of @p cls (tuple or a subclass of it) holding the @p n new references of @p items;
 * NULL (with the items released) if one of them is NULL or allocation fails. */
static PyObject *pyprepay_tuple_of(PyObject *cls, PyObject **items, Py_ssize_t n)
{
    PyObject *t = NULL;
    int ok = 1;
    for (Py_ssize_t i = 0; i < n; i++) ok = ok && items[i] != NULL;
    if (ok) {
        PyTypeObject *type = (cls && PyType_Check(cls) && PyType_IsSubtype((PyTypeObject *)cls, &PyTuple_Type))
                                 ? (PyTypeObject *)cls : &PyTuple_Type;
        t = type == &PyTuple_Type ? PyTuple_New(n) : type->tp_alloc(type, n);
    }
    if (!t) {
        for (Py_ssize_t i = 0; i < n; i++) Py_XDECREF(items[i]);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) PyTuple_SET_ITEM(t, i, items[i]);
    return t;
}

static PyObject *pyprepay_bool(int b) { PyObject *o = b ? Py_True : Py_False; Py_INCREF(o); return o; }

/** Decodes a frame: the status (int) on error, else an instance of @p cls (a tuple subclass) holding
 *  (size, address, control, data, preamble, edition, function, is_reply, abnormal, follow_up, di, di_size,
 *  has_error, error, value) -- value is the data after the DI. */
PyObject *pyprepay_dlt645_decode_tuple(const uint8_t *data, size_t len, int edition, PyObject *cls)
{
    prepay_dlt645_frame_t f;
    int n = prepay_dlt645_decode_edition(data, len, (prepay_dlt645_edition_t)edition, &f);
    if (n < 0) return PyLong_FromLong(n);
    PyObject *items[15] = {
        PyLong_FromLong(n), PyBytes_FromStringAndSize((const char *)f.address.bytes, 6), PyLong_FromLong(f.control),
        PyBytes_FromStringAndSize((const char *)f.data, f.length), PyLong_FromLong(f.preamble),
        PyLong_FromLong(f.edition), PyLong_FromLong(f.function), pyprepay_bool(f.is_reply),
        pyprepay_bool(f.abnormal), pyprepay_bool(f.follow_up), PyLong_FromUnsignedLong(f.di),
        PyLong_FromLong(f.di_size), pyprepay_bool(f.has_error), PyLong_FromLong(f.error),
        PyBytes_FromStringAndSize((const char *)f.data + f.di_size, (Py_ssize_t)f.length - f.di_size)};
    return pyprepay_tuple_of(cls, items, 15);
}

/** Decodes one item's data: the status (int) on error, else an instance of @p cls holding
 *  (di, kind, format, unit, decimals, number, quantity, time, weekday, field, count, data). */
PyObject *pyprepay_dlt645_value_tuple(uint32_t di, PyObject *data, PyObject *cls)
{
    Py_buffer view;
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) != 0) return NULL;
    prepay_dlt645_value_t v;
    int rc = prepay_dlt645_value_decode(di, (const uint8_t *)view.buf, (size_t)view.len, &v);
    PyBuffer_Release(&view);
    if (rc != PREPAY_OK) return PyLong_FromLong(rc);
    PyObject *bytes = data;
    if (PyBytes_CheckExact(data)) {
        Py_INCREF(data);
    } else {
        bytes = PyBytes_FromObject(data);
    }
    PyObject *items[12] = {
        PyLong_FromUnsignedLong(v.di), PyLong_FromLong(v.kind), PyLong_FromLong(v.format), PyLong_FromLong(v.unit),
        PyLong_FromLong(v.decimals), PyLong_FromLongLong(v.number), PyLong_FromLongLong(v.quantity),
        PyLong_FromLongLong(v.time), PyLong_FromLong(v.weekday), PyLong_FromLong(v.field), PyLong_FromLong(v.count),
        bytes};
    return pyprepay_tuple_of(cls, items, 12);
}

static PyTypeObject *pyprepay_reading_type = NULL;
static PyStructSequence_Field pyprepay_reading_fields[] = {
    {"di", "data identifier (2007: DI3..DI0; 1997: DI1 DI0)"},
    {"status", "0, or why this valid frame has no value (a Status code)"},
    {"number", "the wire integer: the printed value x 10**decimals"},
    {"decimals", "digits after the point of number"},
    {"quantity", "the value in the library unit (Wh, fen, 1e-8 yuan/kWh, ...)"},
    {"unit", "Unit code"},
    {"kind", "ValueKind code"},
    {"time", "times and demand: seconds since 2000-01-01 (seconds of day for hhmmss)"},
    {"address", "the meter's address, 6 bytes in wire order"},
    {"size", "bytes the frame occupied, preamble included"},
    {"control", "control byte C"},
    {"flags", "READING_* bits: follow-up, 1997, demand without time"},
    {"error", "abnormal replies: the error byte or word"},
    {NULL, NULL}};
static PyStructSequence_Desc pyprepay_reading_desc = {
    "prepay.dlt645.Reading", "A read reply decoded straight to its value (a tuple with names).",
    pyprepay_reading_fields, 13};

static PyObject *pyprepay_reading_new(const prepay_dlt645_reading_t *r)
{
    if (!pyprepay_reading_type) {
        pyprepay_reading_type = PyStructSequence_NewType(&pyprepay_reading_desc);
        if (!pyprepay_reading_type) return NULL;
    }
    PyObject *o = PyStructSequence_New(pyprepay_reading_type);
    if (!o) return NULL;
    PyObject *items[13] = {
        PyLong_FromUnsignedLong(r->di), PyLong_FromLong(r->status), PyLong_FromLongLong(r->number),
        PyLong_FromLong(r->decimals), PyLong_FromLongLong(r->quantity), PyLong_FromLong(r->unit),
        PyLong_FromLong(r->kind), PyLong_FromLongLong(r->time),
        PyBytes_FromStringAndSize((const char *)r->address.bytes, 6), PyLong_FromLong(r->size),
        PyLong_FromLong(r->control), PyLong_FromLong(r->flags), PyLong_FromLong(r->error)};
    for (int i = 0; i < 13; i++) {
        if (!items[i]) {
            for (int k = 0; k < 13; k++) Py_XDECREF(items[k]);
            Py_DECREF(o);
            return NULL;
        }
    }
    for (int i = 0; i < 13; i++) PyStructSequence_SET_ITEM(o, i, items[i]);
    return o;
}

/* One reader for the single-frame calls: they hold the GIL, so no two threads use it at once. */
static prepay_dlt645_reader_t pyprepay_reader;
static int pyprepay_reader_ready = 0;

/** Decodes the frame at the start of @p data to a Reading: the status (int) on a frame error. */
PyObject *pyprepay_dlt645_reading(const uint8_t *data, size_t len)
{
    if (!pyprepay_reader_ready) {
        prepay_dlt645_reader_init(&pyprepay_reader);
        pyprepay_reader_ready = 1;
    }
    prepay_dlt645_reading_t r;
    int n = prepay_dlt645_reader_decode(&pyprepay_reader, data, len, &r);
    if (n < 0) return PyLong_FromLong(n);
    return pyprepay_reading_new(&r);
}

/** The same as a plain tuple (di, status, number, decimals, quantity, unit, kind, time). */
PyObject *pyprepay_dlt645_reading_tuple(const uint8_t *data, size_t len)
{
    if (!pyprepay_reader_ready) {
        prepay_dlt645_reader_init(&pyprepay_reader);
        pyprepay_reader_ready = 1;
    }
    prepay_dlt645_reading_t r;
    int n = prepay_dlt645_reader_decode(&pyprepay_reader, data, len, &r);
    if (n < 0) return PyLong_FromLong(n);
    PyObject *items[8] = {PyLong_FromUnsignedLong(r.di), PyLong_FromLong(r.status), PyLong_FromLongLong(r.number),
                          PyLong_FromLong(r.decimals), PyLong_FromLongLong(r.quantity), PyLong_FromLong(r.unit),
                          PyLong_FromLong(r.kind), PyLong_FromLongLong(r.time)};
    return pyprepay_tuple_of(NULL, items, 8);
}

/** Column @p offset of @p n readings, @p width bytes each, as bytes (host order). */
static PyObject *pyprepay_column(const prepay_dlt645_reading_t *r, size_t n, size_t offset, size_t width)
{
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * width));
    if (!b) return NULL;
    char *out = PyBytes_AS_STRING(b);
    for (size_t i = 0; i < n; i++) memcpy(out + i * width, (const char *)&r[i] + offset, width);
    return b;
}

/**
 * Decodes every frame laid back to back in @p buffer (any bytes-like) in ONE C call with the GIL
 * released: (count, used, stop, di, status, number, quantity, time, decimals, unit, kind, control,
 * flags, error, size, address) where the columns are bytes (host order; widths 4 4 8 8 8 1 1 1 1 1 2 2 6).
 * At most @p max_frames frames (0: as many as the buffer can hold).
 */
PyObject *pyprepay_dlt645_decode_batch(PyObject *buffer, size_t max_frames)
{
    Py_buffer view;
    if (PyObject_GetBuffer(buffer, &view, PyBUF_SIMPLE) != 0) return NULL;
    size_t len = (size_t)view.len;
    size_t cap = len / PREPAY_DLT645_OVERHEAD + 1;
    if (max_frames && max_frames < cap) cap = max_frames;
    prepay_dlt645_reading_t *r = (prepay_dlt645_reading_t *)malloc(cap * sizeof *r);
    if (!r) { PyBuffer_Release(&view); return PyErr_NoMemory(); }
    prepay_dlt645_batch_t result = {0, 0, 0};
    int n;
    Py_BEGIN_ALLOW_THREADS
    prepay_dlt645_reader_t reader;
    prepay_dlt645_reader_init(&reader);
    n = prepay_dlt645_reader_decode_batch(&reader, (const uint8_t *)view.buf, len, r, cap, &result);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    if (n < 0) { free(r); return PyLong_FromLong(n); }
    size_t c = (size_t)n;
    PyObject *out = Py_BuildValue("(nniNNNNNNNNNNNNN)", (Py_ssize_t)c, (Py_ssize_t)result.used, result.stop,
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, di), 4),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, status), 4),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, number), 8),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, quantity), 8),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, time), 8),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, decimals), 1),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, unit), 1),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, kind), 1),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, control), 1),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, flags), 1),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, error), 2),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, size), 2),
        pyprepay_column(r, c, offsetof(prepay_dlt645_reading_t, address), 6));
    free(r);
    return out;
}

/** Encodes values (a sequence of prepay_dlt645_value_t) as one block: (status_or_length, bytes). */
PyObject *pyprepay_block_encode(PyObject *values)
{
    void *arr = NULL; size_t n = 0;
    uint8_t out[1024];
    if (pyprepay_seq_copy(values, SWIGTYPE_p_prepay_dlt645_value, sizeof(prepay_dlt645_value_t), &arr, &n) != 0) return NULL;
    int r = prepay_dlt645_block_encode((const prepay_dlt645_value_t *)arr, n, out, sizeof out);
    free(arr);
    return Py_BuildValue("(iy#)", r, (const char *)out, (Py_ssize_t)(r > 0 ? r : 0));
}

/** BCD encoding of an unsigned or signed number into @p len bytes: (status, bytes). */
PyObject *pyprepay_bcd_encode(int64_t value, size_t len, int is_signed)
{
    uint8_t out[PREPAY_BCD_MAX_BYTES] = {0};
    int r;
    if (len > PREPAY_BCD_MAX_BYTES) r = PREPAY_E_INVALID_ARGUMENT;
    else if (is_signed) r = prepay_bcd_encode_signed(value, out, len);
    else r = value < 0 ? PREPAY_E_OUT_OF_RANGE : prepay_bcd_encode((uint64_t)value, out, len);
    return Py_BuildValue("(iy#)", r, (const char *)out, (Py_ssize_t)(r == 0 ? len : 0));
}

/* ======================= station ======================= */

/** A station session with its transmit and read-data buffers. */
typedef struct pyprepay_station {
    prepay_station_session_t session; /**< the session */
    prepay_station_step_t step;       /**< the last step */
    uint8_t tx[PREPAY_STATION_TX_MAX];  /**< transmit buffer */
    uint8_t data[8192];               /**< joined read data */
} pyprepay_station_t;

/** Starts a request; the bytes to send are pyprepay_station_tx(). */
int pyprepay_station_start(pyprepay_station_t *s, const prepay_dlt645_frame_t *request, uint64_t now_ms)
{
    return prepay_station_start(&s->session, request, s->data, sizeof s->data, now_ms, s->tx, sizeof s->tx, &s->step);
}
/** Gives received bytes to the session. */
int pyprepay_station_receive(pyprepay_station_t *s, const uint8_t *rx, size_t rx_len, uint64_t now_ms)
{
    return prepay_station_receive(&s->session, rx, rx_len, now_ms, s->tx, sizeof s->tx, &s->step);
}
/** Lets time pass. */
int pyprepay_station_poll(pyprepay_station_t *s, uint64_t now_ms)
{
    return prepay_station_poll(&s->session, now_ms, s->tx, sizeof s->tx, &s->step);
}
/** The bytes to transmit after a SEND step. */
PyObject *pyprepay_station_tx(const pyprepay_station_t *s)
{
    size_t n = s->step.action == PREPAY_STATION_SEND ? s->step.send_len : 0;
    if (n > sizeof s->tx) n = sizeof s->tx;
    return PyBytes_FromStringAndSize((const char *)s->tx, (Py_ssize_t)n);
}
/** The joined read data of a finished request (@p len from the result). */
PyObject *pyprepay_station_data(const pyprepay_station_t *s, size_t len)
{
    if (len > sizeof s->data) len = sizeof s->data;
    return PyBytes_FromStringAndSize((const char *)s->data, (Py_ssize_t)len);
}

/** An address discovery with room for the addresses found. */
typedef struct pyprepay_discovery {
    prepay_station_discovery_t discovery; /**< the state */
    prepay_dlt645_address_t found[256];   /**< addresses found */
} pyprepay_discovery_t;

/** Initialises a discovery. */
int pyprepay_discovery_init(pyprepay_discovery_t *d)
{
    return prepay_station_discovery_init(&d->discovery, d->found, 256);
}
/** The addresses found so far, as 6-byte wire-order bytes. */
PyObject *pyprepay_discovery_found(const pyprepay_discovery_t *d)
{
    size_t n = prepay_station_discovery_count(&d->discovery);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++)
        PyList_SET_ITEM(list, (Py_ssize_t)i, PyBytes_FromStringAndSize((const char *)d->found[i].bytes, 6));
    return list;
}

/* ======================= ledger ======================= */

/** A ledger with its own storage. */
typedef struct pyprepay_ledger {
    prepay_ledger_t ledger;            /**< the ledger */
    prepay_ledger_memory_t memory;     /**< its storage */
    prepay_ledger_account_t *scratch;  /**< scratch for verify */
    int status;                        /**< status of the initialisation */
} pyprepay_ledger_t;

/** Frees the storage of a ledger. */
void pyprepay_ledger_release(pyprepay_ledger_t *l)
{
    prepay_ledger_memory_free(&l->memory); free(l->scratch);
    memset(l, 0, sizeof *l);
}

/** Allocates and initialises (again) a ledger for @p accounts accounts and @p transfers log entries. */
int pyprepay_ledger_setup(pyprepay_ledger_t *l, uint32_t accounts, uint32_t transfers)
{
    if (!l || accounts == 0 || transfers == 0 || accounts > 0x10000000u || transfers > 0x10000000u)
        return PREPAY_E_INVALID_ARGUMENT;
    pyprepay_ledger_release(l);
    /* the library's hosted helper: one buffer laid out by the ledger, on huge pages when large */
    l->scratch = (prepay_ledger_account_t *)calloc(accounts, sizeof(prepay_ledger_account_t));
    if (!l->scratch || prepay_ledger_memory_alloc(&l->memory, accounts, transfers) != PREPAY_OK) {
        pyprepay_ledger_release(l);
        return PREPAY_E_HOSTED_NO_MEMORY;
    }
    l->status = prepay_ledger_init(&l->ledger, &l->memory);
    return l->status;
}

/** Re-initialises the ledger empty on the same storage. */
int pyprepay_ledger_reset(pyprepay_ledger_t *l)
{
    return prepay_ledger_init(&l->ledger, &l->memory);
}

/** The ledger handle (for the prepay_ledger_* functions). */
prepay_ledger_t *pyprepay_ledger_handle(pyprepay_ledger_t *l) { return &l->ledger; }

/** Applies a sequence of prepay_ledger_transfer_t: (status_or_applied, [per-transfer results]). */
PyObject *pyprepay_ledger_apply(pyprepay_ledger_t *l, PyObject *transfers)
{
    void *arr = NULL; size_t n = 0;
    if (pyprepay_seq_copy(transfers, SWIGTYPE_p_prepay_ledger_transfer, sizeof(prepay_ledger_transfer_t), &arr, &n) != 0)
        return NULL;
    int *results = (int *)calloc(n ? n : 1, sizeof(int));
    if (!results) { free(arr); return PyErr_NoMemory(); }
    int r = prepay_ledger_apply(&l->ledger, (const prepay_ledger_transfer_t *)arr, n, results);
    PyObject *list = PyList_New(r >= 0 ? (Py_ssize_t)n : 0);
    for (size_t i = 0; list && r >= 0 && i < n; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLong(results[i]));
    free(arr); free(results);
    if (!list) return NULL;
    return Py_BuildValue("(iN)", r, list);
}

/** Verifies the ledger's invariants. */
int pyprepay_ledger_verify(pyprepay_ledger_t *l)
{
    return prepay_ledger_verify(&l->ledger, l->scratch, l->memory.account_capacity);
}

/** The next entry of a query: (status, entry or None); status 1 with an entry, 0 at the end. */
PyObject *pyprepay_ledger_query_next(pyprepay_ledger_t *l, prepay_ledger_query_t *query)
{
    const prepay_ledger_entry_t *e = NULL;
    int r = prepay_ledger_query_next(&l->ledger, query, &e);
    PyObject *o = (r > 0 && e) ? SWIG_NewPointerObj((void *)e, SWIGTYPE_p_prepay_ledger_entry, 0) : (Py_INCREF(Py_None), Py_None);
    return Py_BuildValue("(iN)", r, o);
}

/** Income summary: (status, [(period_start, item, income, count)]). */
PyObject *pyprepay_ledger_income(pyprepay_ledger_t *l, int64_t from, int64_t to, unsigned period, int by_item)
{
    size_t cap = 1024, n = 0;
    prepay_ledger_income_row_t *rows = (prepay_ledger_income_row_t *)calloc(cap, sizeof *rows);
    if (!rows) return PyErr_NoMemory();
    int r = prepay_ledger_income(&l->ledger, from, to, period, by_item != 0, rows, cap, &n);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && r >= 0 && i < n; i++) {
        PyObject *t = Py_BuildValue("(iILI)", (int)rows[i].period_start, (unsigned)rows[i].item,
                                    (long long)rows[i].income, (unsigned)rows[i].count);
        PyList_Append(list, t); Py_XDECREF(t);
    }
    free(rows);
    return Py_BuildValue("(iN)", r, list);
}

/** Expires the pending transfers due at @p now, at most @p limit: (status_or_count, [ids]). */
PyObject *pyprepay_ledger_expire(pyprepay_ledger_t *l, int64_t now, size_t limit)
{
    return pyprepay_expire(NULL, &l->ledger, now, limit);
}

/** Builds the transfers of a recharge: (status, [prepay_ledger_transfer_t]). */
PyObject *pyprepay_ledger_build_recharge(pyprepay_ledger_t *l, const prepay_ledger_recharge_t *request)
{
    prepay_ledger_transfer_t out[PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS];
    size_t n = 0;
    int r = prepay_ledger_build_recharge(&l->ledger, request, out, PREPAY_LEDGER_RECHARGE_MAX_TRANSFERS, &n);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && r >= 0 && i < n; i++) {
        prepay_ledger_transfer_t *c = (prepay_ledger_transfer_t *)malloc(sizeof *c);
        if (!c) break;
        *c = out[i];
        PyObject *o = SWIG_NewPointerObj(c, SWIGTYPE_p_prepay_ledger_transfer, SWIG_POINTER_OWN);
        PyList_Append(list, o); Py_XDECREF(o);
    }
    return Py_BuildValue("(iN)", r, list);
}

/* ======================= journal (POSIX files) ======================= */

/** A journal in a POSIX file, optionally with a snapshot file. */
typedef struct pyprepay_journal {
    prepay_journal_t journal;          /**< the handle */
    prepay_journal_posix_t file;       /**< the journal file */
    prepay_journal_io_t io;            /**< its storage interface */
    prepay_snapshot_posix_t snap;      /**< the snapshot file */
    prepay_snapshot_io_t snap_io;      /**< its storage interface */
    prepay_journal_recovery_t info;    /**< what recovery found */
    uint8_t buffer[16384];             /**< staging buffer */
    int is_open;                       /**< 1 between open and close */
    int has_snapshot;                  /**< a snapshot path was given */
} pyprepay_journal_t;

/** Opens the journal file (created if missing), recovers @p ledger (which must be empty) and opens the journal. */
int pyprepay_journal_open(pyprepay_journal_t *j, const char *path, const char *snapshot_path, pyprepay_ledger_t *l)
{
    if (!j || !path || !l || j->is_open) return PREPAY_E_INVALID_ARGUMENT;
    int r = prepay_journal_posix_open(&j->file, path, &j->io);
    if (r != PREPAY_OK) return r;
    j->has_snapshot = 0;
    if (snapshot_path) {
        r = prepay_snapshot_posix_init(&j->snap, snapshot_path, &j->snap_io);
        if (r != PREPAY_OK) { prepay_journal_posix_close(&j->file); return r; }
        j->has_snapshot = 1;
    }
    r = prepay_journal_open(&j->journal, &j->io, j->buffer, sizeof j->buffer, j->has_snapshot ? &j->snap_io : NULL,
                            &l->ledger, l->scratch, l->memory.account_capacity, &j->info);
    if (r != PREPAY_OK) {
        prepay_journal_posix_close(&j->file);
        if (j->has_snapshot) prepay_snapshot_posix_close(&j->snap);
        return r;
    }
    j->is_open = 1;
    return PREPAY_OK;
}

/** Closes the files (idempotent). */
int pyprepay_journal_close(pyprepay_journal_t *j)
{
    int r = PREPAY_OK;
    if (j && j->is_open) {
        r = prepay_journal_posix_close(&j->file);
        if (j->has_snapshot) prepay_snapshot_posix_close(&j->snap);
        j->is_open = 0;
    }
    return r;
}

/** The journal handle (for the prepay_journal_* functions). */
prepay_journal_t *pyprepay_journal_handle(pyprepay_journal_t *j) { return &j->journal; }

/** Applies transfers and makes them durable: (status_or_applied, [results]). stage = 1 stages without commit. */
PyObject *pyprepay_journal_submit(pyprepay_journal_t *j, pyprepay_ledger_t *l, PyObject *transfers, int stage)
{
    void *arr = NULL; size_t n = 0;
    if (pyprepay_seq_copy(transfers, SWIGTYPE_p_prepay_ledger_transfer, sizeof(prepay_ledger_transfer_t), &arr, &n) != 0)
        return NULL;
    int *results = (int *)calloc(n ? n : 1, sizeof(int));
    if (!results) { free(arr); return PyErr_NoMemory(); }
    int r = stage ? prepay_journal_stage(&j->journal, &l->ledger, (const prepay_ledger_transfer_t *)arr, n, results)
                  : prepay_journal_submit(&j->journal, &l->ledger, (const prepay_ledger_transfer_t *)arr, n, results);
    PyObject *list = PyList_New(r >= 0 ? (Py_ssize_t)n : 0);
    for (size_t i = 0; list && r >= 0 && i < n; i++) PyList_SET_ITEM(list, (Py_ssize_t)i, PyLong_FromLong(results[i]));
    free(arr); free(results);
    return Py_BuildValue("(iN)", r, list);
}

/** Expires due pending transfers and makes the expiries durable: (status_or_count, [ids]). */
PyObject *pyprepay_journal_expire(pyprepay_journal_t *j, pyprepay_ledger_t *l, int64_t now, size_t limit)
{
    return pyprepay_expire(&j->journal, &l->ledger, now, limit);
}

/** Writes a snapshot of the ledger (needs a snapshot path at open). */
int pyprepay_journal_snapshot(pyprepay_journal_t *j, pyprepay_ledger_t *l, int compact)
{
    if (!j->has_snapshot) return PREPAY_E_BAD_STATE;
    return prepay_journal_snapshot(&j->journal, &l->ledger, &j->snap_io, compact != 0);
}

/* ======================= allocation ======================= */

/** Largest-remainder split of @p total by int64 weights (any sequence of ints): (status, [shares]). */
PyObject *pyprepay_allocation_split(int64_t total, PyObject *weights)
{
    PyObject *fast = PySequence_Fast(weights, "weights must be a sequence");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    int64_t *w = (int64_t *)calloc(n ? (size_t)n : 1, sizeof(int64_t));
    int64_t *s = (int64_t *)calloc(n ? (size_t)n : 1, sizeof(int64_t));
    if (!w || !s) { free(w); free(s); Py_DECREF(fast); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < n; i++) {
        w[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (w[i] == -1 && PyErr_Occurred()) { free(w); free(s); Py_DECREF(fast); return NULL; }
    }
    Py_DECREF(fast);
    int r = prepay_allocation_split(total, w, (size_t)n, s);
    PyObject *list = PyList_New(r == PREPAY_OK ? n : 0);
    for (Py_ssize_t i = 0; list && r == PREPAY_OK && i < n; i++) PyList_SET_ITEM(list, i, PyLong_FromLongLong(s[i]));
    free(w); free(s);
    return Py_BuildValue("(iN)", r, list);
}

/** Common consumption of a period from the master and sub-meter consumptions. */
int pyprepay_allocation_residual(int64_t master, PyObject *subs, int64_t carried_in, int policy, prepay_allocation_residual_t *out)
{
    PyObject *fast = PySequence_Fast(subs, "subs must be a sequence");
    if (!fast) return PREPAY_E_INVALID_ARGUMENT;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    int64_t *v = (int64_t *)calloc(n ? (size_t)n : 1, sizeof(int64_t));
    if (!v) { Py_DECREF(fast); return PREPAY_E_HOSTED_NO_MEMORY; }
    for (Py_ssize_t i = 0; i < n; i++) {
        v[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (v[i] == -1 && PyErr_Occurred()) { PyErr_Clear(); free(v); Py_DECREF(fast); return PREPAY_E_INVALID_ARGUMENT; }
    }
    Py_DECREF(fast);
    int r = prepay_allocation_residual(master, v, (size_t)n, carried_in, (prepay_allocation_residual_policy_t)policy, out);
    free(v);
    return r;
}

/** Allocates a request among parts (sequence of prepay_allocation_part_t): (status, [(part_index, account, weight, energy, money)]). */
PyObject *pyprepay_allocation_allocate(const prepay_allocation_request_t *request, PyObject *parts)
{
    void *arr = NULL; size_t n = 0, count = 0;
    if (pyprepay_seq_copy(parts, SWIGTYPE_p_prepay_allocation_part, sizeof(prepay_allocation_part_t), &arr, &n) != 0) return NULL;
    size_t cap = 2 * n + 2;
    prepay_allocation_line_t *lines = (prepay_allocation_line_t *)calloc(cap, sizeof *lines);
    if (!lines) { free(arr); return PyErr_NoMemory(); }
    int r = prepay_allocation_allocate(request, (const prepay_allocation_part_t *)arr, n, lines, cap, &count);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && r == PREPAY_OK && i < count; i++) {
        PyObject *t = Py_BuildValue("(nKLLL)", (Py_ssize_t)lines[i].part_index, (unsigned long long)lines[i].account_id,
                                    (long long)lines[i].weight, (long long)lines[i].energy, (long long)lines[i].money);
        PyList_Append(list, t); Py_XDECREF(t);
    }
    free(arr); free(lines);
    return Py_BuildValue("(iN)", r, list);
}

/* ======================= billing ======================= */

/**
 * Runs charge items over accounts for [start, end): (status, [charge tuples]). @p already is a
 * container of charge ids already posted (or None). Tuples: (charge_id, account_id, item_id,
 * occurrence, name, period_start, period_end, covered_start, covered_end, amount, collection).
 */
PyObject *pyprepay_billing_run(int32_t start, int32_t end, PyObject *items, PyObject *accounts, PyObject *already)
{
    void *it = NULL, *ac = NULL; size_t ni = 0, na = 0, count = 0;
    if (pyprepay_seq_copy(items, SWIGTYPE_p_prepay_charge_item, sizeof(prepay_charge_item_t), &it, &ni) != 0) return NULL;
    if (pyprepay_seq_copy(accounts, SWIGTYPE_p_prepay_billing_account, sizeof(prepay_billing_account_t), &ac, &na) != 0) {
        free(it); return NULL;
    }
    size_t cap = 4096;
    prepay_charge_t *charges = NULL;
    int r;
    for (;;) {
        charges = (prepay_charge_t *)calloc(cap, sizeof *charges);
        if (!charges) { free(it); free(ac); return PyErr_NoMemory(); }
        r = prepay_billing_run(start, end, (const prepay_charge_item_t *)it, ni, (const prepay_billing_account_t *)ac, na,
                               pyprepay_already_charged, already, charges, cap, &count);
        if (r == PREPAY_E_BUFFER_TOO_SMALL && count > cap && cap < (1u << 24)) { cap = count; free(charges); continue; }
        break;
    }
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && r >= 0 && i < count; i++) {
        const prepay_charge_t *c = &charges[i];
        PyObject *t = Py_BuildValue("(KKiizi iiiLi)", (unsigned long long)c->charge_id, (unsigned long long)c->account_id,
                                    (int)c->item_id, (int)c->occurrence, c->name, (int)c->period_start,
                                    (int)c->period_end, (int)c->covered_start, (int)c->covered_end,
                                    (long long)c->amount, (int)c->collection);
        PyList_Append(list, t); Py_XDECREF(t);
    }
    free(it); free(ac); free(charges);
    return Py_BuildValue("(iN)", r, list);
}

/** A statement with its own line storage. */
typedef struct pyprepay_statement {
    prepay_statement_t statement;     /**< the statement */
    prepay_statement_line_t *storage; /**< line storage */
    size_t capacity;                  /**< lines the storage holds */
} pyprepay_statement_t;

/** Initialises a statement (draft). */
int pyprepay_statement_init(pyprepay_statement_t *s, uint64_t account_id, int32_t period_start, int32_t period_end,
                            int64_t opening)
{
    return prepay_billing_statement_init(&s->statement, account_id, period_start, period_end, opening, s->storage,
                                         s->capacity);
}
/** The statement (for the prepay_billing_statement_* functions). */
prepay_statement_t *pyprepay_statement_handle(pyprepay_statement_t *s) { return &s->statement; }
/** Lines as tuples (kind, band, tier, energy, amount, reference, date). */
PyObject *pyprepay_statement_lines(const pyprepay_statement_t *s)
{
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < s->statement.line_count; i++) {
        const prepay_statement_line_t *l = &s->statement.lines[i];
        PyObject *t = Py_BuildValue("(iiiLLKi)", (int)l->kind, (int)l->band, (int)l->tier, (long long)l->energy,
                                    (long long)l->amount, (unsigned long long)l->reference, (int)l->date);
        PyList_Append(list, t); Py_XDECREF(t);
    }
    return list;
}

/** Ages arrears items (sequence of prepay_arrears_item_t): (status, [(account, not_due, b0, b1, b2, b3, total, oldest, items)]). */
PyObject *pyprepay_billing_arrears(PyObject *items, int32_t as_of)
{
    void *arr = NULL; size_t n = 0, rows_n = 0;
    if (pyprepay_seq_copy(items, SWIGTYPE_p_prepay_arrears_item, sizeof(prepay_arrears_item_t), &arr, &n) != 0) return NULL;
    prepay_arrears_row_t *rows = (prepay_arrears_row_t *)calloc(n ? n : 1, sizeof *rows);
    if (!rows) { free(arr); return PyErr_NoMemory(); }
    int r = prepay_billing_arrears((const prepay_arrears_item_t *)arr, n, as_of, rows, n ? n : 1, &rows_n);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && r >= 0 && i < rows_n; i++) {
        const prepay_arrears_row_t *w = &rows[i];
        PyObject *t = Py_BuildValue("(KLLLLLLin)", (unsigned long long)w->account_id, (long long)w->not_due,
                                    (long long)w->buckets[0], (long long)w->buckets[1], (long long)w->buckets[2],
                                    (long long)w->buckets[3], (long long)w->total, (int)w->oldest_days,
                                    (Py_ssize_t)w->items);
        PyList_Append(list, t); Py_XDECREF(t);
    }
    free(arr); free(rows);
    return Py_BuildValue("(iN)", r, list);
}

/* ======================= meter ======================= */

/** Advances the meter clock by @p seconds under a constant load of @p watts. */
int pyprepay_meter_advance_constant(prepay_meter_t *meter, int64_t seconds, int32_t watts)
{
    prepay_meter_load_t load;
    memset(&load, 0, sizeof load);
    load.kind = PREPAY_METER_LOAD_CONSTANT;
    load.watts = watts;
    return prepay_meter_advance(meter, seconds, &load);
}
/** Sets the password of a level (3 bytes P0 P1 P2). */
int pyprepay_meter_set_password(prepay_meter_t *meter, unsigned level, const uint8_t *data, size_t len)
{
    if (len != 3) return PREPAY_E_INVALID_ARGUMENT;
    return prepay_meter_set_password(meter, level, data);
}

/* ---- events, voltage statistics, station analysis --------------------------------------- */

/** Count and cumulative seconds of an event (kind, phase): (status, count, seconds). */
PyObject *pyprepay_events_counts(const prepay_events_state_t *state, int kind, unsigned phase)
{
    uint32_t count = 0, seconds = 0;
    int r = prepay_events_counts(state, (prepay_events_kind_t)kind, phase, &count, &seconds);
    return Py_BuildValue("(iII)", r, (unsigned)count, (unsigned)seconds);
}

/** Counts one minute of voltage statistics from a sequence of per-phase voltages (0.1 V). */
int pyprepay_vq_minute(prepay_vq_state_t *state, const prepay_vq_params_t *params, int64_t time, PyObject *voltages)
{
    int32_t v[PREPAY_EVENTS_PHASES] = {0};
    PyObject *fast = PySequence_Fast(voltages, "voltages must be a sequence");
    if (!fast) { PyErr_Clear(); return PREPAY_E_INVALID_ARGUMENT; }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    for (Py_ssize_t i = 0; i < n && i < PREPAY_EVENTS_PHASES; i++) {
        long x = PyLong_AsLong(PySequence_Fast_GET_ITEM(fast, i));
        if (x == -1 && PyErr_Occurred()) { PyErr_Clear(); Py_DECREF(fast); return PREPAY_E_INVALID_ARGUMENT; }
        v[i] = (int32_t)x;
    }
    Py_DECREF(fast);
    return prepay_vq_minute(state, params, time, v);
}

static int pyprepay_tuple_i64(PyObject *item, Py_ssize_t want, int64_t *out)
{
    PyObject *fast = PySequence_Fast(item, "each record must be a sequence");
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != want) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "a record has the wrong number of fields");
        return -1;
    }
    for (Py_ssize_t i = 0; i < want; i++) {
        out[i] = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(fast, i));
        if (out[i] == -1 && PyErr_Occurred()) { Py_DECREF(fast); return -1; }
    }
    Py_DECREF(fast);
    return 0;
}

/** Runs the theft analysis. meters: (id, group, role, consumption_only); readings: (meter, time, forward Wh,
 * reverse Wh, current mA or -1); events: (meter, kind, phase, start, end). Returns (status, [(meter, rule,
 * score, from, to, observed, expected)]) with every suspicion (the buffer grows until they fit). */
PyObject *pyprepay_analysis_run(const prepay_analysis_rules_t *rules, PyObject *meters, PyObject *readings,
                                PyObject *events)
{
    PyObject *fm = PySequence_Fast(meters, "meters must be a sequence");
    PyObject *fr = fm ? PySequence_Fast(readings, "readings must be a sequence") : NULL;
    PyObject *fe = fr ? PySequence_Fast(events, "events must be a sequence") : NULL;
    prepay_analysis_meter_t *m = NULL;
    prepay_analysis_reading_t *r = NULL;
    prepay_analysis_event_t *e = NULL;
    prepay_analysis_suspicion_t *out = NULL;
    PyObject *result = NULL;
    if (!fe) goto done;
    Py_ssize_t nm = PySequence_Fast_GET_SIZE(fm), nr = PySequence_Fast_GET_SIZE(fr), ne = PySequence_Fast_GET_SIZE(fe);
    m = (prepay_analysis_meter_t *)calloc(nm ? (size_t)nm : 1, sizeof *m);
    r = (prepay_analysis_reading_t *)calloc(nr ? (size_t)nr : 1, sizeof *r);
    e = (prepay_analysis_event_t *)calloc(ne ? (size_t)ne : 1, sizeof *e);
    if (!m || !r || !e) { PyErr_NoMemory(); goto done; }
    int64_t v[5];
    for (Py_ssize_t i = 0; i < nm; i++) {
        if (pyprepay_tuple_i64(PySequence_Fast_GET_ITEM(fm, i), 4, v) != 0) goto done;
        m[i].meter = (uint32_t)v[0]; m[i].group = (uint32_t)v[1]; m[i].role = (uint8_t)v[2];
        m[i].consumption_only = (uint8_t)v[3];
    }
    for (Py_ssize_t i = 0; i < nr; i++) {
        if (pyprepay_tuple_i64(PySequence_Fast_GET_ITEM(fr, i), 5, v) != 0) goto done;
        r[i].meter = (uint32_t)v[0]; r[i].time = v[1]; r[i].forward = v[2]; r[i].reverse = v[3];
        r[i].current = (int32_t)v[4];
    }
    for (Py_ssize_t i = 0; i < ne; i++) {
        if (pyprepay_tuple_i64(PySequence_Fast_GET_ITEM(fe, i), 5, v) != 0) goto done;
        e[i].meter = (uint32_t)v[0]; e[i].kind = (uint8_t)v[1]; e[i].phase = (uint8_t)v[2]; e[i].start = v[3];
        e[i].end = v[4];
    }
    size_t cap = 64, count = 0;
    int status;
    for (;;) {
        free(out);
        out = (prepay_analysis_suspicion_t *)calloc(cap, sizeof *out);
        if (!out) { PyErr_NoMemory(); goto done; }
        Py_BEGIN_ALLOW_THREADS
        status = prepay_analysis_run(rules, m, (size_t)nm, r, (size_t)nr, e, (size_t)ne, out, cap, &count);
        Py_END_ALLOW_THREADS
        if (status != PREPAY_E_BUFFER_TOO_SMALL) break;
        cap = count;
    }
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && status == PREPAY_OK && i < count; i++) {
        PyObject *t = Py_BuildValue("(IiiLLLL)", (unsigned)out[i].meter, (int)out[i].rule, (int)out[i].score,
                                    (long long)out[i].from, (long long)out[i].to, (long long)out[i].observed,
                                    (long long)out[i].expected);
        if (!t || PyList_Append(list, t) != 0) { Py_XDECREF(t); Py_DECREF(list); list = NULL; }
        else Py_DECREF(t);
    }
    if (list) result = Py_BuildValue("(iN)", status, list);
done:
    free(m); free(r); free(e); free(out);
    Py_XDECREF(fm); Py_XDECREF(fr); Py_XDECREF(fe);
    return result;
}
%}

%{
/* ---- reports (prepay/report.h) ------------------------------------------------------- */

/* One row (start, seconds, energy, band, fee_units, fee_nanos) from a tuple. */
static int pyprepay_report_row(PyObject *item, prepay_report_row_t *row)
{
    long long start = 0, energy = 0, fee_units = 0;
    unsigned long seconds = 0, fee_nanos = 0;
    int band = 0;
    if (!PyArg_ParseTuple(item, "LkLiLk", &start, &seconds, &energy, &band, &fee_units, &fee_nanos)) return -1;
    memset(row, 0, sizeof *row);
    row->start = start;
    row->seconds = seconds > UINT32_MAX ? 0u : (uint32_t)seconds;
    row->energy = energy;
    row->band = band < 0 || band > 255 ? 255u : (uint8_t)band;
    row->fee.units = fee_units;
    row->fee.nanos = fee_nanos > UINT32_MAX ? UINT32_MAX : (uint32_t)fee_nanos;
    return 0;
}

/* Rows of one series: a sequence of 6-tuples, or an int64 buffer of 6 values per row. */
static prepay_report_row_t *pyprepay_report_rows(PyObject *obj, size_t *count)
{
    Py_buffer view;
    if (PyObject_CheckBuffer(obj)) {
        if (pyprepay_i64_buffer(obj, &view, "rows") != 0) return NULL;
        size_t n = (size_t)view.len / 8u;
        if (n % 6u != 0u) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_ValueError, "an int64 row buffer holds 6 values per row");
            return NULL;
        }
        n /= 6u;
        prepay_report_row_t *rows = (prepay_report_row_t *)calloc(n ? n : 1u, sizeof *rows);
        const int64_t *v = (const int64_t *)view.buf;
        for (size_t i = 0; rows && i < n; i++) {
            const int64_t *r = v + 6u * i;
            rows[i].start = r[0];
            rows[i].seconds = r[1] < 0 || r[1] > (int64_t)UINT32_MAX ? 0u : (uint32_t)r[1];
            rows[i].energy = r[2];
            rows[i].band = r[3] < 0 || r[3] > 255 ? 255u : (uint8_t)r[3];
            rows[i].fee.units = r[4];
            rows[i].fee.nanos = r[5] < 0 || r[5] > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)r[5];
        }
        PyBuffer_Release(&view);
        if (!rows) PyErr_NoMemory();
        *count = n;
        return rows;
    }
    PyObject *fast = PySequence_Fast(obj, "rows must be a sequence of tuples or an int64 buffer");
    if (!fast) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    prepay_report_row_t *rows = (prepay_report_row_t *)calloc(n > 0 ? (size_t)n : 1u, sizeof *rows);
    if (!rows) { Py_DECREF(fast); PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (pyprepay_report_row(PySequence_Fast_GET_ITEM(fast, i), &rows[i]) != 0) {
            free(rows); Py_DECREF(fast); return NULL;
        }
    }
    Py_DECREF(fast);
    *count = (size_t)n;
    return rows;
}
%}

%inline %{
/** Runs a report: (status, failing series index or -1, buckets, cells). See prepay/report.py. */
PyObject *pyprepay_report_run(int period, int32_t first_day, int32_t end_day, uint32_t key_count, PyObject *series,
                              int basis)
{
    uint32_t nb = 0;
    int r = key_count == 0 ? PREPAY_E_INVALID_ARGUMENT
                           : prepay_report_bucket_count((prepay_report_period_t)period, first_day, end_day, &nb);
    if (r != PREPAY_OK) return Py_BuildValue("(iiOO)", r, -1, Py_None, Py_None);
    if ((uint64_t)nb * key_count > 50000000u) return Py_BuildValue("(iiOO)", PREPAY_E_CAPACITY, -1, Py_None, Py_None);
    prepay_report_bucket_t *buckets = (prepay_report_bucket_t *)calloc(nb, sizeof *buckets);
    prepay_report_cell_t *cells = (prepay_report_cell_t *)calloc((size_t)nb * key_count, sizeof *cells);
    PyObject *fast = PySequence_Fast(series, "series must be a sequence of (key, rows)");
    if (!buckets || !cells || !fast) {
        free(buckets); free(cells); Py_XDECREF(fast);
        return fast ? PyErr_NoMemory() : NULL;
    }
    prepay_report_t rep;
    r = prepay_report_init(&rep, (prepay_report_period_t)period, first_day, end_day, key_count, buckets, nb, cells,
                           (size_t)nb * key_count);
    int failed = -1;
    for (Py_ssize_t i = 0; r == PREPAY_OK && i < PySequence_Fast_GET_SIZE(fast); i++) {
        PyObject *pair = PySequence_Fast_GET_ITEM(fast, i);
        unsigned long key = 0;
        PyObject *rows_obj = NULL;
        if (!PyArg_ParseTuple(pair, "kO", &key, &rows_obj)) { free(buckets); free(cells); Py_DECREF(fast); return NULL; }
        size_t n = 0;
        prepay_report_row_t *rows = pyprepay_report_rows(rows_obj, &n);
        if (!rows) { free(buckets); free(cells); Py_DECREF(fast); return NULL; }
        prepay_report_series_t s;
        prepay_report_series_init(&s, key > UINT32_MAX ? UINT32_MAX : (uint32_t)key);
        r = prepay_report_add(&rep, &s, rows, n);
        free(rows);
        if (r != PREPAY_OK) failed = (int)i;
    }
    Py_DECREF(fast);
    if (r != PREPAY_OK) { free(buckets); free(cells); return Py_BuildValue("(iiOO)", r, failed, Py_None, Py_None); }
    PyObject *bl = PyList_New(0), *cl = PyList_New(0);
    for (uint32_t b = 0; bl && cl && r == PREPAY_OK && b < nb; b++) {
        char label[PREPAY_REPORT_LABEL_MAX];
        prepay_report_period_label(&rep, b, label, sizeof label);
        const prepay_report_bucket_t *bk = &buckets[b];
        int32_t lo = bk->first_day > first_day ? bk->first_day : first_day;
        int32_t hi = bk->end_day < end_day ? bk->end_day : end_day;
        PyObject *bt = Py_BuildValue("(siiO)", label, (int)lo, (int)hi, bk->partial ? Py_True : Py_False);
        PyList_Append(bl, bt); Py_XDECREF(bt);
        PyObject *keys = PyList_New(0);
        for (uint32_t k = 0; keys && r == PREPAY_OK && k < key_count; k++) {
            const prepay_report_cell_t *c = prepay_report_cell(&rep, b, k);
            PyObject *item;
            if (!prepay_report_cell_has_data(c)) {
                Py_INCREF(Py_None); item = Py_None;
            } else {
                prepay_report_growth_t g[2];
                for (int kind = 0; kind < 2 && r == PREPAY_OK; kind++) {
                    r = prepay_report_compare(&rep, b, k, PREPAY_REPORT_ALL_BANDS, PREPAY_REPORT_ENERGY,
                                              kind == 0 ? PREPAY_REPORT_YOY : PREPAY_REPORT_MOM,
                                              (prepay_report_basis_t)basis, &g[kind]);
                }
                item = Py_BuildValue("((LLLLLL)(LLLLLL)(kkkkkk)KLLiLi)",
                    (long long)c->energy[0], (long long)c->energy[1], (long long)c->energy[2], (long long)c->energy[3],
                    (long long)c->energy[4], (long long)c->energy[5],
                    (long long)c->fee[0].units, (long long)c->fee[1].units, (long long)c->fee[2].units,
                    (long long)c->fee[3].units, (long long)c->fee[4].units, (long long)c->fee[5].units,
                    (unsigned long)c->fee[0].nanos, (unsigned long)c->fee[1].nanos, (unsigned long)c->fee[2].nanos,
                    (unsigned long)c->fee[3].nanos, (unsigned long)c->fee[4].nanos, (unsigned long)c->fee[5].nanos,
                    (unsigned long long)c->pieces, (long long)c->seconds,
                    (long long)g[0].rate, (int)g[0].null_reason, (long long)g[1].rate, (int)g[1].null_reason);
            }
            PyList_Append(keys, item); Py_XDECREF(item);
        }
        PyList_Append(cl, keys); Py_XDECREF(keys);
    }
    free(buckets);
    free(cells);
    return Py_BuildValue("(iiNN)", r, -1, bl, cl);
}

/** Income composition of a ledger: (status, (amounts, total, shares, null_reason, transfers)). */
PyObject *pyprepay_report_income(pyprepay_ledger_t *l, int64_t from, int64_t to)
{
    size_t cap = 4096;
    prepay_ledger_income_row_t *rows = (prepay_ledger_income_row_t *)calloc(cap, sizeof *rows);
    if (!rows) return PyErr_NoMemory();
    prepay_report_income_t inc;
    memset(&inc, 0, sizeof inc);
    int r = prepay_report_income(&l->ledger, from, to, rows, cap, &inc);
    free(rows);
    return Py_BuildValue("(i((LLLLL)L(LLLLL)iI))", r, (long long)inc.amount[0], (long long)inc.amount[1],
                         (long long)inc.amount[2], (long long)inc.amount[3], (long long)inc.amount[4],
                         (long long)inc.total, (long long)inc.share[0], (long long)inc.share[1], (long long)inc.share[2],
                         (long long)inc.share[3], (long long)inc.share[4], (int)inc.share_null_reason,
                         (unsigned)inc.transfers);
}

/** Decodes load-record reply data: (status, [(time, classes, marked_bad, absent, values...)]). */
PyObject *pyprepay_load_record_decode(uint32_t di, const uint8_t *data, size_t len)
{
    size_t cap = len / PREPAY_LOAD_RECORD_MIN_SIZE + 1u, n = 0;
    prepay_load_record_t *recs = (prepay_load_record_t *)calloc(cap, sizeof *recs);
    if (!recs) return PyErr_NoMemory();
    int r = prepay_load_record_decode(di, data, len, recs, cap, &n);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && r == PREPAY_OK && i < n; i++) {
        const prepay_load_record_t *x = &recs[i];
        PyObject *t = Py_BuildValue("(LiOk(iii)(iii)i(iiii)(iiii)(iiii)LL(LL)(LLLL)ii)", (long long)x->time,
            (int)x->classes, x->marked_bad ? Py_True : Py_False, (unsigned long)x->absent,
            x->voltage_decivolt[0], x->voltage_decivolt[1], x->voltage_decivolt[2],
            x->current_milliamp[0], x->current_milliamp[1], x->current_milliamp[2], x->frequency_centihertz,
            x->active_power_deciwatt[0], x->active_power_deciwatt[1], x->active_power_deciwatt[2], x->active_power_deciwatt[3],
            x->reactive_power_decivar[0], x->reactive_power_decivar[1], x->reactive_power_decivar[2], x->reactive_power_decivar[3],
            x->power_factor_milli[0], x->power_factor_milli[1], x->power_factor_milli[2], x->power_factor_milli[3],
            (long long)x->forward_active_wh, (long long)x->reverse_active_wh,
            (long long)x->combined_reactive_varh[0], (long long)x->combined_reactive_varh[1],
            (long long)x->quadrant_reactive_varh[0], (long long)x->quadrant_reactive_varh[1],
            (long long)x->quadrant_reactive_varh[2], (long long)x->quadrant_reactive_varh[3],
            x->active_demand_deciwatt, x->reactive_demand_decivar);
        PyList_Append(list, t); Py_XDECREF(t);
    }
    free(recs);
    return Py_BuildValue("(iN)", r, list);
}
%}

%extend pyprepay_bill {
    pyprepay_bill(size_t capacity) {
        pyprepay_bill_t *b = (pyprepay_bill_t *)calloc(1, sizeof *b);
        if (!b) return NULL;
        b->capacity = capacity ? capacity : 1;
        b->storage = (prepay_tariff_line_t *)calloc(b->capacity, sizeof(prepay_tariff_line_t));
        if (!b->storage) { free(b); return NULL; }
        return b;
    }
    ~pyprepay_bill() { free($self->storage); free($self); }
}
%extend pyprepay_ledger {
    pyprepay_ledger() { return (pyprepay_ledger_t *)calloc(1, sizeof(pyprepay_ledger_t)); }
    ~pyprepay_ledger() { pyprepay_ledger_release($self); free($self); }
}
%extend pyprepay_journal {
    pyprepay_journal() { return (pyprepay_journal_t *)calloc(1, sizeof(pyprepay_journal_t)); }
    ~pyprepay_journal() { pyprepay_journal_close($self); free($self); }
}
%extend pyprepay_statement {
    pyprepay_statement(size_t capacity) {
        pyprepay_statement_t *s = (pyprepay_statement_t *)calloc(1, sizeof *s);
        if (!s) return NULL;
        s->capacity = capacity ? capacity : 1;
        s->storage = (prepay_statement_line_t *)calloc(s->capacity, sizeof(prepay_statement_line_t));
        if (!s->storage) { free(s); return NULL; }
        return s;
    }
    ~pyprepay_statement() { free($self->storage); free($self); }
}

/* ======================= cjt188 and modbus ======================= */
%extend prepay_cjt188_price_table {
    int64_t get_price(unsigned i) { return i < 3 ? $self->price[i] : 0; }
    int set_price(unsigned i, int64_t v) { if (i >= 3) return PREPAY_E_OUT_OF_RANGE; $self->price[i] = v; return PREPAY_OK; }
    int64_t get_step(unsigned i) { return i < 2 ? $self->step_litres[i] : 0; }
    int set_step(unsigned i, int64_t v) { if (i >= 2) return PREPAY_E_OUT_OF_RANGE; $self->step_litres[i] = v; return PREPAY_OK; }
}
/* ======================= water meter ======================= */
%extend prepay_water_meter {
    int64_t history_at(unsigned i) { return i < PREPAY_WATER_HISTORY_MONTHS ? $self->history[i] : 0; }
    unsigned event_count(unsigned kind) { return kind < PREPAY_WATER_EVENT_COUNT ? $self->event_counts[kind] : 0u; }
    /** Record i counted from the most recent (0), or a zeroed record past the end. */
    prepay_water_record_t record_at(unsigned i) {
        prepay_water_record_t r;
        memset(&r, 0, sizeof r);
        if (i < PREPAY_WATER_EVENT_RECORDS) {
            r = $self->records[($self->record_next + PREPAY_WATER_EVENT_RECORDS - 1u - i) % PREPAY_WATER_EVENT_RECORDS];
        }
        return r;
    }
    prepay_cjt188_price_table_t price_table_at(unsigned i) { return $self->prices[i < 2 ? i : 0]; }
    PyObject *get_address() { return PyBytes_FromStringAndSize((const char *)$self->address.bytes, PREPAY_CJT188_ADDRESS_SIZE); }
}
%inline %{
/** prepay_water_meter_check_state(): NULL if the state is sound, else the name of the first bad member. */
const char *pyprepay_water_meter_check_state(const prepay_water_meter_t *meter)
{
    const char *member = NULL;
    int rc = prepay_water_meter_check_state(meter, &member);
    return rc == PREPAY_OK ? NULL : (member ? member : "meter");
}
%}
%extend prepay_cjt188_command {
    PyObject *get_key() { return PyBytes_FromStringAndSize((const char *)$self->key, 8); }
    PyObject *get_value() {
        return PyBytes_FromStringAndSize((const char *)($self->value ? $self->value : (const uint8_t *)""),
                                         (Py_ssize_t)($self->value ? $self->value_len : 0));
    }
}

%inline %{
/** A014 write key: the 8 key bytes from a buffer. */
int pyprepay_cjt188_request_write_key(prepay_cjt188_frame_t *out, const prepay_cjt188_target_t *target, uint8_t ser,
                                      uint8_t version, const uint8_t *data, size_t len)
{
    if (len != 8) return PREPAY_E_INVALID_ARGUMENT;
    return prepay_cjt188_request_write_key(out, target, ser, version, data);
}

/** Big-endian register bytes (as in a 03/04 response) to words; at most 125 words. */
static size_t pyprepay_words(const uint8_t *data, size_t len, uint16_t *words, size_t cap)
{
    size_t n = len / 2 < cap ? len / 2 : cap;
    for (size_t i = 0; i < n; i++) words[i] = (uint16_t)((data[2 * i] << 8) | data[2 * i + 1]);
    return n;
}

/** Register values of a 03/04 response: (status_or_count, [int]). */
PyObject *pyprepay_modbus_registers(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response)
{
    uint16_t values[PREPAY_MODBUS_MAX_READ_REGISTERS];
    int n = prepay_modbus_response_registers(request, response, values, PREPAY_MODBUS_MAX_READ_REGISTERS);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < n; i++) {
        PyObject *v = PyLong_FromLong(values[i]);
        if (!v || PyList_Append(list, v) != 0) { Py_XDECREF(v); Py_DECREF(list); return NULL; }
        Py_DECREF(v);
    }
    if (!list) return NULL;
    return Py_BuildValue("(iN)", n, list);
}

/** Bits of a 01/02 response, packed as sent: (status_or_count, bytes). */
PyObject *pyprepay_modbus_bits(const prepay_modbus_adu_t *request, const prepay_modbus_adu_t *response)
{
    uint8_t bits[PREPAY_MODBUS_MAX_READ_BITS / 8 + 1];
    int n = prepay_modbus_response_bits(request, response, bits, sizeof bits);
    return Py_BuildValue("(iy#)", n, (const char *)bits, (Py_ssize_t)(n > 0 ? (n + 7) / 8 : 0));
}

/** Write multiple registers (10H) from big-endian register bytes. */
int pyprepay_modbus_request_write_registers(prepay_modbus_adu_t *out, uint8_t unit, uint16_t address,
                                            const uint8_t *data, size_t len)
{
    uint16_t words[PREPAY_MODBUS_MAX_WRITE_REGISTERS + 1];
    if (len % 2 != 0 || len / 2 > PREPAY_MODBUS_MAX_WRITE_REGISTERS + 1) return PREPAY_E_MODBUS_BAD_QUANTITY;
    size_t n = pyprepay_words(data, len, words, PREPAY_MODBUS_MAX_WRITE_REGISTERS + 1);
    return prepay_modbus_request_write_registers(out, unit, address, words, n);
}

/** One register value from big-endian register bytes: (status, value). */
PyObject *pyprepay_modbus_value_decode(const prepay_modbus_register_t *reg, const uint8_t *data, size_t len)
{
    uint16_t words[2];
    int64_t value = 0;
    size_t n = pyprepay_words(data, len, words, 2);
    int r = prepay_modbus_value_decode(reg, words, n, &value);
    return Py_BuildValue("(iL)", r, (long long)value);
}

/** A value to big-endian register bytes for a write: (status_or_words, bytes). */
PyObject *pyprepay_modbus_value_encode(const prepay_modbus_register_t *reg, int64_t value)
{
    uint16_t words[2] = {0, 0};
    uint8_t out[4];
    int n = prepay_modbus_value_encode(reg, value, words, 2);
    for (int i = 0; i < 2; i++) { out[2 * i] = (uint8_t)(words[i] >> 8); out[2 * i + 1] = (uint8_t)words[i]; }
    return Py_BuildValue("(iy#)", n, (const char *)out, (Py_ssize_t)(n > 0 ? 2 * n : 0));
}

/** Every register of a map covered by a block read: (status_or_count, [(index, status, value)]). */
PyObject *pyprepay_modbus_map_decode(const prepay_modbus_map_t *map, uint8_t function, uint16_t start,
                                     const uint8_t *data, size_t len)
{
    enum { CAP = 128 };
    uint16_t words[PREPAY_MODBUS_MAX_READ_REGISTERS];
    prepay_modbus_value_t values[CAP];
    size_t n = pyprepay_words(data, len, words, PREPAY_MODBUS_MAX_READ_REGISTERS);
    int r = prepay_modbus_map_decode(map, function, start, words, n, values, CAP);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < r; i++) {
        size_t index = (size_t)(values[i].reg - map->registers);
        PyObject *t = Py_BuildValue("(niL)", (Py_ssize_t)index, values[i].status, (long long)values[i].value);
        if (!t || PyList_Append(list, t) != 0) { Py_XDECREF(t); Py_DECREF(list); return NULL; }
        Py_DECREF(t);
    }
    if (!list) return NULL;
    return Py_BuildValue("(iN)", r, list);
}
%}

/* ---- tariff push (prepay/tariff_push.h) ------------------------------------------------- */
%{
/** A tariff push or verify task, heap-held for Python (the C state is caller-owned, ~5 kB). */
typedef struct pyprepay_tariff_push {
    prepay_tariff_push_t task;                /**< the library's task */
    prepay_dlt645_tariff_problem_t problem;   /**< why the tariff did not compile */
} pyprepay_tariff_push_t;
%}
%inline %{
typedef struct pyprepay_tariff_push pyprepay_tariff_push_t;

/** A new, empty task (free it with pyprepay_tariff_push_free()). */
pyprepay_tariff_push_t *pyprepay_tariff_push_new(void)
{
    return (pyprepay_tariff_push_t *)calloc(1, sizeof(pyprepay_tariff_push_t));
}
/** Frees a task. */
void pyprepay_tariff_push_free(pyprepay_tariff_push_t *p)
{
    free(p);
}
/** Compiles @p set into DL/T 645 tables and starts a push (mode 0) or verify (mode 1) of them. */
int pyprepay_tariff_push_init(pyprepay_tariff_push_t *p, int mode, const prepay_tariff_t *set,
                              const prepay_dlt645_address_t *address, const prepay_dlt645_credentials_t *credentials,
                              int has_switch_at, prepay_time_t switch_at, int verify_set)
{
    if (!p || !set || !address || verify_set < 0 || verify_set > 2) return PREPAY_E_INVALID_ARGUMENT;
    prepay_dlt645_tariff_tables_t tables;
    int r = prepay_dlt645_tariff_compile(set, &tables, &p->problem);
    if (r != PREPAY_OK) return r;
    prepay_tariff_push_options_t o;
    memset(&o, 0, sizeof o);
    o.address = *address;
    if (credentials) o.credentials = *credentials;
    o.has_switch_at = has_switch_at != 0;
    o.switch_at = switch_at;
    o.verify_set = (uint8_t)verify_set;
    return prepay_tariff_push_init(&p->task, (prepay_tariff_push_mode_t)mode, &tables, &o);
}
/** (reason, index, value, text) of a tariff that did not compile. */
PyObject *pyprepay_tariff_push_problem(const pyprepay_tariff_push_t *p)
{
    return Py_BuildValue("(iiLs)", (int)p->problem.reason, (int)p->problem.index, (long long)p->problem.value,
                         prepay_dlt645_tariff_reason_text(p->problem.reason));
}
/** One step: the previous request's outcome (has_reply 0 on the first call) in, the next request in @p request. */
int pyprepay_tariff_push_step(pyprepay_tariff_push_t *p, int has_reply, int status, int error, const uint8_t *data,
                              size_t data_len, prepay_dlt645_frame_t *request)
{
    prepay_station_result_t r;
    memset(&r, 0, sizeof r);
    r.status = status;
    r.error = (uint16_t)error;
    r.attempts = 1;
    r.data_len = data_len;
    return prepay_tariff_push_step(&p->task, has_reply ? &r : NULL, data_len ? data : NULL, data_len, request);
}
/** The task's result as a tuple (see prepay.station.TariffPush). */
PyObject *pyprepay_tariff_push_result(const pyprepay_tariff_push_t *p)
{
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&p->task);
    return Py_BuildValue("(iiIiLiLiiiinniLi)", r->status, (int)r->phase, (unsigned)r->di, (int)r->set,
                         (long long)r->clock, (int)r->switch_never, (long long)r->switch_time, (int)r->tables,
                         (int)r->tariffs, (int)r->promoted, (int)r->counts_written, (Py_ssize_t)r->write_count,
                         (Py_ssize_t)r->exchanges, (int)r->switch_written, (long long)r->switch_at,
                         r->difference_count);
}
/** The differences kept: a list of (part, index, slot, a_entry or None, b_entry or None, a_value, b_value). */
PyObject *pyprepay_tariff_push_differences(const pyprepay_tariff_push_t *p)
{
    const prepay_tariff_push_result_t *r = prepay_tariff_push_result(&p->task);
    size_t n = r->difference_count > 0 ? (size_t)r->difference_count : 0u;
    if (n > PREPAY_TARIFF_PUSH_MAX_DIFFERENCES) n = PREPAY_TARIFF_PUSH_MAX_DIFFERENCES;
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list) return NULL;
    for (size_t i = 0; i < n; i++) {
        const prepay_dlt645_tariff_difference_t *d = &r->differences[i];
        PyObject *a = d->a_present ? Py_BuildValue("(iii)", d->a_entry.first, d->a_entry.second, d->a_entry.number)
                                   : (Py_INCREF(Py_None), Py_None);
        PyObject *b = d->b_present ? Py_BuildValue("(iii)", d->b_entry.first, d->b_entry.second, d->b_entry.number)
                                   : (Py_INCREF(Py_None), Py_None);
        PyObject *t = Py_BuildValue("(iiiNNLL)", (int)d->part, (int)d->index, (int)d->slot, a, b,
                                    (long long)d->a_value, (long long)d->b_value);
        if (!t) { Py_DECREF(list); return NULL; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, t);
    }
    return list;
}
%}
