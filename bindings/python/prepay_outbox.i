/* SPDX-License-Identifier: MIT */
/*
 * Notification-outbox helpers of the SWIG module (include/prepay/outbox.h): one object that owns the
 * deliveries, the channel policies and the retry schedule; attached to a pyprepay_site it records
 * the site's events in the same journal batch as their transfers; a journal opened with it replays
 * the outbox's records. The Pythonic layer is prepay/outbox.py.
 *
 * Every call returns the C status (or a tuple whose first item it is); the Pythonic layer raises.
 */
%{
struct pyprepay_outbox;
static void pyprepay_outbox_release(struct pyprepay_outbox *o);
%}

%inline %{
/** An outbox with its own memory and configuration arrays. */
typedef struct pyprepay_outbox {
    prepay_outbox_t outbox;               /**< the outbox */
    prepay_outbox_delivery_t *deliveries; /**< its deliveries (heap) */
    prepay_outbox_policy_t *policies;     /**< channel policies (heap) */
    uint32_t *backoff;                    /**< retry schedule in seconds (heap) */
    int is_init;                          /**< 1 after pyprepay_outbox_setup() */
} pyprepay_outbox_t;
%}

%{
static void pyprepay_outbox_release(struct pyprepay_outbox *o)
{
    free(o->deliveries); free(o->policies); free(o->backoff);
    o->deliveries = NULL; o->policies = NULL; o->backoff = NULL;
    o->is_init = 0;
}

/* (event_hi, event_lo, time, due, last_attempt, acked, amount, balance, account_id, type, channel, state,
 *  attempts, level) */
static PyObject *pyprepay_delivery_tuple(const prepay_outbox_delivery_t *d)
{
    return Py_BuildValue("(KKLLLLLLIiiiii)", (unsigned long long)d->event_id.hi, (unsigned long long)d->event_id.lo,
                         (long long)d->time, (long long)d->due, (long long)d->last_attempt, (long long)d->acked,
                         (long long)d->amount, (long long)d->balance, d->account_id, (int)d->type, (int)d->channel,
                         (int)d->state, (int)d->attempts, (int)d->level);
}
%}

%inline %{
/** Sizes and initialises the outbox: policies a sequence of (account_id, 64-byte channel masks by event type),
 *  backoff a sequence of seconds; j the journal its records go to (None: memory only). */
int pyprepay_outbox_setup(pyprepay_outbox_t *o, uint32_t capacity, PyObject *policies, PyObject *backoff,
                          pyprepay_journal_t *j)
{
    if (!o || o->is_init) return PREPAY_E_BAD_STATE;
    if (capacity == 0) return PREPAY_E_INVALID_ARGUMENT;
    PyObject *pf = PySequence_Fast(policies, "policies must be a sequence");
    if (!pf) return -1;
    PyObject *bf = PySequence_Fast(backoff, "backoff must be a sequence");
    if (!bf) { Py_DECREF(pf); return -1; }
    Py_ssize_t np = PySequence_Fast_GET_SIZE(pf), nb = PySequence_Fast_GET_SIZE(bf);
    int r = PREPAY_OK;
    if (np > (Py_ssize_t)UINT32_MAX || nb > (Py_ssize_t)PREPAY_OUTBOX_MAX_STEPS) r = PREPAY_E_OUTBOX_CONFIG;
    o->deliveries = (prepay_outbox_delivery_t *)calloc(capacity, sizeof *o->deliveries);
    o->policies = (prepay_outbox_policy_t *)calloc(np > 0 ? (size_t)np : 1u, sizeof *o->policies);
    o->backoff = (uint32_t *)calloc(nb > 0 ? (size_t)nb : 1u, sizeof *o->backoff);
    if (!o->deliveries || !o->policies || !o->backoff) {
        Py_DECREF(pf); Py_DECREF(bf); pyprepay_outbox_release(o); PyErr_NoMemory(); return -1;
    }
    for (Py_ssize_t i = 0; r == PREPAY_OK && i < np; i++) {
        unsigned int account = 0; Py_buffer masks;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(pf, i), "Iy*", &account, &masks)) { r = -1; break; }
        if (masks.len != (Py_ssize_t)PREPAY_OUTBOX_EVENT_TYPES) r = PREPAY_E_OUTBOX_CONFIG;
        else { o->policies[i].account_id = account; memcpy(o->policies[i].channels, masks.buf, PREPAY_OUTBOX_EVENT_TYPES); }
        PyBuffer_Release(&masks);
    }
    for (Py_ssize_t i = 0; r == PREPAY_OK && i < nb; i++) {
        unsigned long v = PyLong_AsUnsignedLong(PySequence_Fast_GET_ITEM(bf, i));
        if (PyErr_Occurred()) { r = -1; break; }
        if (v > UINT32_MAX) r = PREPAY_E_OUTBOX_CONFIG;
        else o->backoff[i] = (uint32_t)v;
    }
    Py_DECREF(pf); Py_DECREF(bf);
    if (r == PREPAY_OK) {
        if (j && !j->is_open) r = PREPAY_E_BAD_STATE;
    }
    if (r == PREPAY_OK) {
        prepay_outbox_config_t c = {o->policies, (uint32_t)np, o->backoff, (uint32_t)nb};
        r = prepay_outbox_init(&o->outbox, o->deliveries, capacity, &c, j ? &j->journal : NULL);
    }
    if (r != PREPAY_OK) { pyprepay_outbox_release(o); return r; }
    o->is_init = 1;
    return PREPAY_OK;
}

/** Records an event tuple (as the site's sink collects them); with a journal, commits it: (status or count). */
int pyprepay_outbox_add(pyprepay_outbox_t *o, PyObject *event)
{
    if (!o->is_init) return PREPAY_E_BAD_STATE;
    prepay_settlement_event_t e;
    memset(&e, 0, sizeof e);
    unsigned long long hi = 0, lo = 0, transfer = 0;
    long long time = 0, balance = 0, amount = 0, detail = 0, energy = 0;
    unsigned int account = 0, meter = 0;
    int type = 0, level = 0, from_level = 0, command = 0, reason = 0, relay = 0;
    if (!PyArg_ParseTuple(event, "KKLLLLLKIIiiiiii", &hi, &lo, &time, &balance, &amount, &detail, &energy, &transfer,
                          &account, &meter, &type, &level, &from_level, &command, &reason, &relay))
        return -1;
    if (type < 0 || type > 0xFFFF) return PREPAY_E_OUTBOX_FIELD;
    e.id.hi = hi; e.id.lo = lo; e.time = time; e.balance = balance; e.amount = amount; e.detail = detail;
    e.energy = energy; e.transfer_id = transfer; e.account_id = account; e.meter_id = meter; e.type = (uint16_t)type;
    e.level = (uint8_t)level; e.from_level = (uint8_t)from_level; e.command = (uint8_t)command;
    e.reason = (uint8_t)reason; e.relay = (uint8_t)relay;
    int r = prepay_outbox_add(&o->outbox, &e);
    if (r > 0 && o->outbox.journal) {
        int c = prepay_journal_commit(o->outbox.journal);
        if (c < 0) return c;
    }
    return r;
}

/** Takes the deliveries due at now (at most limit) and records their attempts: (status, [delivery tuples]). */
PyObject *pyprepay_outbox_take_due(pyprepay_outbox_t *o, int64_t now, uint32_t limit)
{
    if (!o->is_init) return Py_BuildValue("(iO)", PREPAY_E_BAD_STATE, Py_None);
    prepay_outbox_delivery_t *out = (prepay_outbox_delivery_t *)calloc(limit ? limit : 1u, sizeof *out);
    if (!out) return PyErr_NoMemory();
    int r = prepay_outbox_take_due(&o->outbox, now, out, limit);
    PyObject *list = PyList_New(0);
    for (int i = 0; list && i < r; i++) {
        PyObject *t = pyprepay_delivery_tuple(&out[i]);
        if (!t || PyList_Append(list, t) != 0) { Py_XDECREF(t); Py_CLEAR(list); break; }
        Py_DECREF(t);
    }
    free(out);
    if (!list) return NULL;
    return Py_BuildValue("(iN)", r, list);
}

/** Records an acknowledgement. */
int pyprepay_outbox_ack(pyprepay_outbox_t *o, uint64_t hi, uint64_t lo, unsigned channel, int64_t now)
{
    if (!o->is_init) return PREPAY_E_BAD_STATE;
    prepay_settlement_id_t id = {hi, lo};
    return prepay_outbox_ack(&o->outbox, &id, channel, now);
}

/** Re-stages every delivery after a snapshot compacted the journal. */
int pyprepay_outbox_checkpoint(pyprepay_outbox_t *o)
{
    if (!o->is_init) return PREPAY_E_BAD_STATE;
    return prepay_outbox_checkpoint(&o->outbox);
}

/** Drops delivered and exhausted deliveries: the number dropped. */
uint32_t pyprepay_outbox_compact(pyprepay_outbox_t *o) { return o->is_init ? prepay_outbox_compact(&o->outbox) : 0u; }

/** A delivery tuple, or None. */
PyObject *pyprepay_outbox_find(pyprepay_outbox_t *o, uint64_t hi, uint64_t lo, unsigned channel)
{
    prepay_settlement_id_t id = {hi, lo};
    const prepay_outbox_delivery_t *d = o->is_init ? prepay_outbox_find(&o->outbox, &id, channel) : NULL;
    if (!d) Py_RETURN_NONE;
    return pyprepay_delivery_tuple(d);
}

/** Every delivery held, in outbox order. */
PyObject *pyprepay_outbox_list(pyprepay_outbox_t *o)
{
    PyObject *list = PyList_New(0);
    for (uint32_t i = 0; list && o->is_init && i < o->outbox.count; i++) {
        PyObject *t = pyprepay_delivery_tuple(&o->outbox.deliveries[i]);
        if (!t || PyList_Append(list, t) != 0) { Py_XDECREF(t); Py_CLEAR(list); break; }
        Py_DECREF(t);
    }
    return list;
}

/** (pending, delivered, exhausted). */
PyObject *pyprepay_outbox_counts(pyprepay_outbox_t *o)
{
    prepay_outbox_counts_t c = {0, 0, 0};
    if (o->is_init) prepay_outbox_counts(&o->outbox, &c);
    return Py_BuildValue("(III)", c.pending, c.delivered, c.exhausted);
}

/** The channel mask of an event type for an account. */
unsigned pyprepay_outbox_route(pyprepay_outbox_t *o, uint32_t account_id, unsigned type)
{
    return o->is_init ? prepay_outbox_route(&o->outbox, account_id, type) : 0u;
}

/** (events the site's sink could not record, status of the last of them). */
PyObject *pyprepay_outbox_sink_errors(pyprepay_outbox_t *o)
{
    return Py_BuildValue("(Ii)", o->outbox.sink_errors, o->outbox.last_sink_error);
}

/** The dedupe key of (event id, channel): (status, key or None). */
PyObject *pyprepay_outbox_dedupe_key(uint64_t hi, uint64_t lo, unsigned channel)
{
    prepay_outbox_delivery_t d;
    memset(&d, 0, sizeof d);
    d.event_id.hi = hi; d.event_id.lo = lo; d.channel = (uint8_t)(channel > 255u ? 255u : channel);
    if (channel >= PREPAY_OUTBOX_CHANNELS) return Py_BuildValue("(iO)", PREPAY_E_OUTBOX_FIELD, Py_None);
    char key[PREPAY_OUTBOX_KEY_SIZE];
    int r = prepay_outbox_dedupe_key(&d, key, sizeof key);
    if (r < 0) return Py_BuildValue("(iO)", r, Py_None);
    return Py_BuildValue("(is#)", r, key, (Py_ssize_t)r);
}

/** Attaches an outbox to a site (None detaches): the site's events are recorded in it before each commit. */
int pyprepay_site_attach_outbox(pyprepay_site_t *s, pyprepay_outbox_t *o)
{
    if (!s) return PREPAY_E_INVALID_ARGUMENT;
    if (o && !o->is_init) return PREPAY_E_BAD_STATE;
    /* its records must commit with the site's transfers: an outbox bound to a journal goes only with an
       open site on that same journal (a memory-only outbox goes with any site) */
    if (o && o->outbox.journal && o->outbox.journal != s->books.journal) return PREPAY_E_INVALID_ARGUMENT;
    s->outbox = o ? &o->outbox : NULL;
    return PREPAY_OK;
}

/** As pyprepay_journal_open(), replaying the journal's outbox records into an empty outbox, which is then bound to
 *  this journal (its further records are staged in it). */
int pyprepay_journal_open_outbox(pyprepay_journal_t *j, const char *path, const char *snapshot_path,
                                 pyprepay_ledger_t *l, pyprepay_outbox_t *o)
{
    if (!j || !path || !l || !o || j->is_open || !o->is_init || o->outbox.count != 0) return PREPAY_E_INVALID_ARGUMENT;
    int r = prepay_journal_posix_open(&j->file, path, &j->io);
    if (r != PREPAY_OK) return r;
    j->has_snapshot = 0;
    if (snapshot_path) {
        r = prepay_snapshot_posix_init(&j->snap, snapshot_path, &j->snap_io);
        if (r != PREPAY_OK) { prepay_journal_posix_close(&j->file); return r; }
        j->has_snapshot = 1;
    }
    prepay_journal_t *before = o->outbox.journal;
    o->outbox.journal = NULL; /* replay only rebuilds memory; nothing is staged while recovering */
    r = prepay_journal_open_app(&j->journal, &j->io, j->buffer, sizeof j->buffer, j->has_snapshot ? &j->snap_io : NULL,
                                &l->ledger, l->scratch, l->memory.account_capacity, prepay_outbox_replay, &o->outbox,
                                &j->info);
    if (r != PREPAY_OK) {
        o->outbox.journal = before;
        o->outbox.count = 0; /* a failed recovery leaves the outbox empty, as it was */
        prepay_journal_posix_close(&j->file);
        if (j->has_snapshot) prepay_snapshot_posix_close(&j->snap);
        return r;
    }
    o->outbox.journal = &j->journal;
    j->is_open = 1;
    return PREPAY_OK;
}
%}

%extend pyprepay_outbox {
    pyprepay_outbox() { return (pyprepay_outbox_t *)calloc(1, sizeof(pyprepay_outbox_t)); }
    ~pyprepay_outbox() { pyprepay_outbox_release($self); free($self); }
}
