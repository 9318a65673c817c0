/* SPDX-License-Identifier: MIT */
/*
 * SWIG interface of libprepay: the raw C API (module prepay._c_api / prepay.c_api).
 * The Pythonic package `prepay` (bindings/python/prepay/) sits on top of it.
 *
 * - Public headers are %included: structs, enums, constants and functions.
 * - Byte inputs (pointer + length pairs) take any buffer: bytes, bytearray, memoryview.
 * - Output buffers (pointer + capacity pairs) are allocated here and returned as bytes/str.
 * - Scalar out-parameters are returned as extra values ([status, value, ...]).
 * - Status codes are returned unchanged; the Pythonic layer turns them into exceptions.
 * - Helpers named pyprepay_* (at the end) do what needs caller-owned memory or batch loops.
 */
%module(docstring="Raw SWIG wrapper of libprepay; use the Pythonic package `prepay` instead.") c_api

%{
#define SWIG_FILE_WITH_INIT
#include <stdlib.h>
#include <string.h>
#include "prepay/prepay_hosted.h"
%}

%include <stdint.i>
%include <typemaps.i>

#define PREPAY_API
#define PREPAY_BEGIN_DECLS
#define PREPAY_END_DECLS
#define PREPAY_DEPRECATED(msg)
#define PREPAY_NODISCARD

/* ---- byte inputs ----------------------------------------------------------- */
%typemap(in) (const uint8_t *BUF, size_t LEN) (Py_buffer view, int got = 0) {
    if ($input == Py_None) {
        $1 = NULL; $2 = 0;
    } else {
        if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) != 0) SWIG_fail;
        got = 1;
        $1 = (uint8_t *)view.buf; $2 = (size_t)view.len;
    }
}
%typemap(freearg) (const uint8_t *BUF, size_t LEN) { if (got$argnum) PyBuffer_Release(&view$argnum); }
%typemap(typecheck, precedence=SWIG_TYPECHECK_POINTER) (const uint8_t *BUF, size_t LEN) {
    $1 = ($input == Py_None || PyObject_CheckBuffer($input)) ? 1 : 0;
}
%typemap(in) (const char *CBUF, size_t LEN) (Py_buffer view, int got = 0) {
    if (PyUnicode_Check($input)) {
        Py_ssize_t n = 0;
        const char *s = PyUnicode_AsUTF8AndSize($input, &n);
        if (!s) SWIG_fail;
        $1 = (char *)s; $2 = (size_t)n;
    } else {
        if (PyObject_GetBuffer($input, &view, PyBUF_SIMPLE) != 0) SWIG_fail;
        got = 1;
        $1 = (char *)view.buf; $2 = (size_t)view.len;
    }
}
%typemap(freearg) (const char *CBUF, size_t LEN) { if (got$argnum) PyBuffer_Release(&view$argnum); }

%apply (const uint8_t *BUF, size_t LEN) {
    (const uint8_t *in, size_t in_len), (const uint8_t *in, size_t len), (const uint8_t *data, size_t len),
    (const uint8_t *data, size_t data_len), (const uint8_t *bytes, size_t len), (const uint8_t *rx, size_t rx_len),
    (const uint8_t *request, size_t request_len), (const uint8_t *payload, size_t payload_length),
    (const uint8_t *payload, size_t payload_len), (const uint8_t *value, size_t value_len),
    (const uint8_t *data, size_t length)
};
%apply (const char *CBUF, size_t LEN) {
    (const char *text, size_t text_len), (const char *text, size_t len), (const char *data, size_t len)
};

/* ---- output buffers: returned as bytes / str when the call returns a length ---------- */
%typemap(in, numinputs=0) (uint8_t *OBUF, size_t CAP) (uint8_t temp[4096]) {
    $1 = temp; $2 = sizeof(temp);
}
%typemap(argout) (uint8_t *OBUF, size_t CAP) {
    PyObject *o = (result >= 0) ? PyBytes_FromStringAndSize((const char *)$1, (Py_ssize_t)result) : (Py_INCREF(Py_None), Py_None);
    $result = SWIG_Python_AppendOutput($result, o);
}
%typemap(in, numinputs=0) (char *OSTR, size_t CAP) (char temp[4096]) {
    temp[0] = 0; $1 = temp; $2 = sizeof(temp);
}
%typemap(argout) (char *OSTR, size_t CAP) {
    PyObject *o = (result >= 0) ? PyUnicode_FromStringAndSize($1, (Py_ssize_t)result) : (Py_INCREF(Py_None), Py_None);
    $result = SWIG_Python_AppendOutput($result, o);
}
/* error message buffers: always returned as str */
%typemap(in, numinputs=0) (char *err, size_t err_cap) (char temp[PREPAY_TARIFF_JSON_ERROR_MAX]) {
    temp[0] = 0; $1 = temp; $2 = sizeof(temp);
}
%typemap(argout) (char *err, size_t err_cap) {
    $result = SWIG_Python_AppendOutput($result, PyUnicode_DecodeUTF8($1, (Py_ssize_t)strlen($1), "replace"));
}
%apply (uint8_t *OBUF, size_t CAP) {
    (uint8_t *out, size_t out_cap), (uint8_t *reply, size_t reply_cap)
};
%apply (char *OSTR, size_t CAP) { (char *out, size_t out_cap) };

/* ---- scalar out-parameters ------------------------------------------------------ */
%apply int64_t *OUTPUT { int64_t *out, prepay_time_t *out, prepay_energy_t *litres, prepay_energy_t *energy, prepay_money_t *to_emergency,
                         prepay_money_t *to_debt, prepay_money_t *to_balance, prepay_time_t *start,
                         prepay_time_t *end };
%apply int32_t *OUTPUT { int32_t *cycle, prepay_days_t *out, int32_t *year, int32_t *out };
%apply uint8_t *OUTPUT { uint8_t *month, uint8_t *day, uint8_t *version, uint8_t *meter_type, uint8_t *blocking };
%apply uint64_t *OUTPUT { uint64_t *out, uint64_t *sequence, uint64_t *records };
%apply uint32_t *OUTPUT { uint32_t *baud, uint32_t *bits, uint32_t *qualified, uint32_t *over };
%apply unsigned int *OUTPUT { unsigned *band };
%apply size_t *OUTPUT { size_t *line_count, size_t *row_count, size_t *charge_count, size_t *out_count };
/* names that are not out-parameters everywhere */
%clear prepay_time_t *out;

/* the typed int64_t pointer out-parameters of fixed_point.h / tariff.h use these exact names */
%apply int64_t *OUTPUT { prepay_money_t *out, prepay_price_t *out, prepay_time_t *out };

/* ---- things SWIG cannot or should not wrap ---------------------------------------------- */
%ignore prepay_journal_scan;            /* callback: use prepay_journal_open */
%ignore prepay_billing_run;             /* callback + arrays: pyprepay_billing_run */
%ignore prepay_station_task_init;       /* callback: the Pythonic layer drives sessions itself */
%ignore prepay_station_task_poll;
%ignore prepay_station_task_receive;
%ignore prepay_station_task_summary;
%ignore prepay_allocation_split;             /* arrays: pyprepay_allocation_split */
%ignore prepay_allocation_residual(prepay_energy_t, const prepay_energy_t *, size_t, prepay_energy_t, prepay_allocation_residual_policy_t, prepay_allocation_residual_t *); /* arrays */
%ignore prepay_allocation_allocate;          /* arrays: pyprepay_allocation_allocate */
%ignore prepay_ledger_apply;            /* arrays: pyprepay_ledger_apply */
%ignore prepay_ledger_income;
%ignore prepay_ledger_verify;
%ignore prepay_ledger_build_recharge;
%ignore prepay_journal_stage;
%ignore prepay_journal_submit;
%ignore prepay_billing_arrears;
%ignore prepay_tariff_tier_bounds;
%ignore prepay_dlt645_block_decode;
%ignore prepay_dlt645_block_decode_1997;
%ignore prepay_dlt645_block_encode;
%ignore prepay_station_start;           /* tx/data buffers: pyprepay_station */
%ignore prepay_station_receive;
%ignore prepay_station_poll;
%ignore prepay_meter_advance;           /* load struct: pyprepay_meter_advance_constant */
%ignore prepay_tariff_feed_interval;    /* line arrays: pyprepay_feed */
%ignore prepay_tariff_feed_reading;
%ignore prepay_tariff_close_cycle;
%ignore prepay_tariff_compact_feed_interval; /* line arrays, as prepay_tariff_feed_interval */
%ignore prepay_tariff_compact_feed_reading;
%ignore prepay_tariff_eval_batch;
%ignore prepay_tariff_bill_init;
%ignore prepay_tariff_bill_add;
%ignore prepay_tariff_bill_finish;
%ignore prepay_bcd_encode;
%ignore prepay_bcd_encode_signed;
%ignore prepay_journal_memory_io;
%ignore prepay_snapshot_memory_io;
%ignore prepay_journal_memory_crash;
%ignore prepay_ledger_init;
%ignore prepay_ledger_memory_layout;    /* raw buffer: pyprepay_ledger_setup */
%ignore prepay_ledger_expire;           /* id array: pyprepay_ledger_expire */
%ignore prepay_journal_expire;
%ignore prepay_ledger_query_next;
%ignore prepay_time_to_dlt645_date;
%ignore prepay_time_to_dlt645_time;
%ignore prepay_time_to_dlt645_datetime;
%ignore prepay_time_to_dlt645_minute;
%ignore prepay_time_from_dlt645_date_and_time;
%ignore prepay_time_from_dlt645_datetime;
%ignore prepay_time_from_dlt645_minute;
%ignore prepay_dlt645_request_security;
%ignore prepay_meter_set_password;
%ignore prepay_dlt645_field_decode;
%ignore prepay_dlt645_reader_decode_batch;   /* arrays: pyprepay_dlt645_decode_batch */
%ignore prepay_billing_statement_init;
%ignore prepay_journal_record_decode;
%ignore prepay_snapshot_posix_close;
%ignore prepay_journal_open;
%ignore prepay_journal_attach;
%ignore prepay_report_init;             /* caller arrays: pyprepay_report_run */
%ignore prepay_report_add;
%ignore prepay_report_roll_up;
%ignore prepay_report_income;           /* scratch rows: pyprepay_report_income */
%ignore prepay_report_cell;
%ignore prepay_report_series_init;
%ignore prepay_load_record_decode;      /* record arrays: pyprepay_load_record_decode */
%ignore prepay_load_record_encode;
%ignore prepay_load_record_reply_add;
%ignore prepay_load_record_reply_init;
%ignore prepay_load_record_reply;
%ignore prepay_load_record_request;
/* CJ/T 188 and Modbus: fixed-size arrays and uint16_t word arrays go through pyprepay_* helpers */
%ignore prepay_cjt188_clock_decode;
%ignore prepay_cjt188_clock_encode;
%ignore prepay_cjt188_price_table_decode;
%ignore prepay_cjt188_price_table_encode;
%ignore prepay_cjt188_purse_decode;
%ignore prepay_cjt188_purse_encode;
%ignore prepay_cjt188_quantity_decode;
%ignore prepay_cjt188_quantity_encode;
%ignore prepay_cjt188_current_encode;
%ignore prepay_cjt188_request_write_key;
%ignore prepay_modbus_expected_length;
%ignore prepay_modbus_request_write_registers;
%ignore prepay_modbus_request_write_coils;
%ignore prepay_modbus_response_registers;
%ignore prepay_modbus_response_bits;
%ignore prepay_modbus_response_build;
%ignore prepay_modbus_value_decode;
%ignore prepay_modbus_value_encode;
%ignore prepay_modbus_map_decode;
%ignore prepay_modbus_parse_request;
%ignore prepay_water_meter_check_state;  /* pyprepay_water_meter_check_state: the member name or None */
%ignore prepay_analysis_run;             /* arrays: pyprepay_analysis_run */
%ignore prepay_analysis_score;
%ignore prepay_analysis_reset_word;
%ignore prepay_vq_minute;                /* per-phase array: pyprepay_vq_minute */
%ignore prepay_events_counts;            /* two out-parameters: pyprepay_events_counts */
/* settlement: caller memory, arrays and sinks go through pyprepay_site_* (prepay_settlement.i) */
%ignore prepay_settlement_id_make;
%ignore prepay_settlement_id_split;
%ignore prepay_settlement_ledger_key;
%ignore prepay_settlement_ledger_key_split;
%ignore prepay_settlement_memory_size;
%ignore prepay_settlement_memory_layout;
%ignore prepay_settlement_memory_alloc;
%ignore prepay_settlement_memory_free;
%ignore prepay_settlement_init;
%ignore prepay_settlement_add_account;
%ignore prepay_settlement_add_meter;
%ignore prepay_settlement_add_group;
%ignore prepay_settlement_add_member;
%ignore prepay_settlement_account;
%ignore prepay_settlement_meter;
%ignore prepay_settlement_next_meter;
%ignore prepay_settlement_counts;
%ignore prepay_settlement_work_sizes_default;
%ignore prepay_settlement_work_size;
%ignore prepay_settlement_work_layout;
%ignore prepay_settlement_work_alloc;
%ignore prepay_settlement_work_free;
%ignore prepay_settlement_open;
%ignore prepay_settlement_settle;
%ignore prepay_settlement_reading_from_reply;
%ignore prepay_settlement_decode_reply;
%ignore prepay_settlement_replace_meter;
%ignore prepay_settlement_recharge;
%ignore prepay_settlement_refund;
%ignore prepay_settlement_sell;
%ignore prepay_settlement_set_commands;
%ignore prepay_settlement_close_period;
%ignore prepay_settlement_verify;
%ignore prepay_settlement_account_config_init;
%ignore prepay_settlement_meter_config_init;
%ignore prepay_settlement_sink;
%ignore prepay_settlement_work;
%ignore prepay_settlement_memory;
%ignore prepay_settlement_site;
/* payment orders and the outbox: caller memory, callbacks and arrays go through pyprepay_payment_* and
   pyprepay_outbox_* (prepay_payment.i, prepay_outbox.i); prepay_payment_order_id and _match_name are wrapped */
%ignore prepay_payment_lookup;
%ignore prepay_payment_create;
%ignore prepay_payment_notify;
%ignore prepay_payment_reconcile;
%ignore prepay_payment_statement_parse;
%ignore prepay_payment_statement_load;
%ignore prepay_outbox_init;
%ignore prepay_outbox_route;
%ignore prepay_outbox_add;
%ignore prepay_outbox_sink;
%ignore prepay_outbox_take_due;
%ignore prepay_outbox_ack;
%ignore prepay_outbox_replay;
%ignore prepay_outbox_checkpoint;
%ignore prepay_outbox_compact;
%ignore prepay_outbox_find;
%ignore prepay_outbox_counts;
%ignore prepay_outbox_dedupe_key;
%ignore prepay_outbox;
%ignore prepay_outbox_config;
%ignore prepay_outbox_policy;

%immutable;
%include "prepay/version.h"
%include "prepay/status.h"
%mutable;
%include "prepay/fixed_point.h"
%include "prepay/civil_time.h"
%include "prepay/bcd.h"
%include "prepay/dlt645.h"
%include "prepay/dlt645_data.h"
%include "prepay/dlt645_di.h"
%include "prepay/dlt645_reading.h"
%include "prepay/station.h"
%include "prepay/dtu.h"
%include "prepay/tariff.h"
%include "prepay/hosted_status.h"
%include "prepay/tariff_json.h"
%include "prepay/ledger.h"
%include "prepay/wallet.h"
%include "prepay/journal_format.h"
%include "prepay/journal.h"
%include "prepay/journal_posix.h"
%include "prepay/ledger_hosted.h"
%include "prepay/allocation.h"
%include "prepay/billing.h"
%immutable prepay_meter_load_ring::ops;
%include "prepay/meter.h"
%include "prepay/report.h"
%include "prepay/load_record.h"
%include "prepay/cjt188.h"
%include "prepay/modbus.h"
%include "prepay/water_meter.h"
%include "prepay/meter_events.h"
%include "prepay/load_control.h"
%include "prepay/voltage_qualification.h"
%immutable prepay_meter_supervision::ops;
%include "prepay/meter_supervision.h"
%include "prepay/analysis.h"
%include "prepay/settlement.h"
%include "prepay/settlement_hosted.h"
%include "prepay/payment.h"
%include "prepay/payment_hosted.h"
%include "prepay/outbox.h"
/* The old names of deprecated.h (one release): the raw module keeps them too. */
%ignore prepay_alloc_split;
%ignore prepay_alloc_residual;
%ignore prepay_alloc_allocate;
%ignore prepay_time_from_dlt645_date_time;
%include "prepay/deprecated.h"

/* ---- accessors for fixed-size arrays in structs --------------------------------------- */
%extend prepay_dlt645_address {
    PyObject *get_bytes() { return PyBytes_FromStringAndSize((const char *)$self->bytes, PREPAY_DLT645_ADDRESS_SIZE); }
    int set_bytes(const uint8_t *data, size_t len) {
        if (len != PREPAY_DLT645_ADDRESS_SIZE) return PREPAY_E_INVALID_ARGUMENT;
        memcpy($self->bytes, data, len); return PREPAY_OK;
    }
}
%extend prepay_dlt645_frame {
    PyObject *get_data() { return PyBytes_FromStringAndSize((const char *)$self->data, $self->length); }
}
%extend prepay_dlt645_value {
    PyObject *get_bytes() { return PyBytes_FromStringAndSize((const char *)$self->bytes, $self->count); }
    PyObject *get_entries() {
        PyObject *list = PyList_New(0);
        for (unsigned i = 0; list && i < $self->count && i < PREPAY_DLT645_MAX_TABLE_ENTRIES; i++) {
            PyObject *t = Py_BuildValue("(iii)", $self->entries[i].first, $self->entries[i].second, $self->entries[i].number);
            if (!t || PyList_Append(list, t) != 0) { Py_XDECREF(t); Py_DECREF(list); return NULL; }
            Py_DECREF(t);
        }
        return list;
    }
}
%extend prepay_dlt645_credentials {
    int set_password(const uint8_t *data, size_t len) {
        if (len != 3) return PREPAY_E_INVALID_ARGUMENT;
        memcpy($self->password, data, 3); return PREPAY_OK;
    }
    int set_operator_code(const uint8_t *data, size_t len) {
        if (len != 4) return PREPAY_E_INVALID_ARGUMENT;
        memcpy($self->operator_code, data, 4); return PREPAY_OK;
    }
}
%extend prepay_tariff_doc {
    prepay_tariff_t *set(unsigned index) { return index < PREPAY_TARIFF_PRICE_SETS ? &$self->sets[index] : NULL; }
    const char *band_name(unsigned band) {
        return (band >= 1 && band <= PREPAY_MAX_TARIFF_INDEX) ? $self->band_names[band - 1] : NULL;
    }
}
%extend prepay_wallet_policy {
    int64_t get_threshold(unsigned i) { return i < PREPAY_MAX_ALARM_LEVELS ? $self->thresholds[i] : 0; }
    int set_threshold(unsigned i, int64_t v) {
        if (i >= PREPAY_MAX_ALARM_LEVELS) return PREPAY_E_OUT_OF_RANGE;
        $self->thresholds[i] = v; return PREPAY_OK;
    }
    int set_window(unsigned i, int32_t start_second, int32_t end_second) {
        if (i >= PREPAY_MAX_WALLET_WINDOWS) return PREPAY_E_OUT_OF_RANGE;
        $self->windows[i].start_second = start_second; $self->windows[i].end_second = end_second; return PREPAY_OK;
    }
    int set_holiday(unsigned i, int32_t day) {
        if (i >= PREPAY_MAX_WALLET_HOLIDAYS) return PREPAY_E_OUT_OF_RANGE;
        $self->holidays[i] = day; return PREPAY_OK;
    }
}
%extend prepay_meter {
    int64_t forward_wh(unsigned i) { return i <= PREPAY_METER_TARIFFS ? $self->forward[i] : 0; }
    int64_t reverse_wh(unsigned i) { return i <= PREPAY_METER_TARIFFS ? $self->reverse[i] : 0; }
    uint32_t event_count(unsigned kind) { return kind < PREPAY_METER_EVENT_COUNT ? $self->event_counts[kind] : 0; }
}
%extend prepay_analysis_rules {
    int32_t get_weight(unsigned rule) { return rule < PREPAY_ANALYSIS_RULE_COUNT ? $self->weight[rule] : 0; }
    int set_weight(unsigned rule, int32_t weight) {
        if (rule >= PREPAY_ANALYSIS_RULE_COUNT) return PREPAY_E_INVALID_ARGUMENT;
        $self->weight[rule] = weight; return PREPAY_OK;
    }
}
%extend prepay_events_sample {
    int set_phase(unsigned phase, int32_t voltage, int32_t current, int32_t power) {
        if (phase < 1 || phase > PREPAY_EVENTS_PHASES) return PREPAY_E_INVALID_ARGUMENT;
        $self->voltage[phase - 1] = voltage; $self->current[phase - 1] = current; $self->power[phase - 1] = power;
        return PREPAY_OK;
    }
}
%extend prepay_statement {
    int64_t total_of(unsigned kind) { return kind < PREPAY_BILLING_LINE_KINDS ? $self->totals[kind] : 0; }
}

%extend prepay_cjt188_address {
    PyObject *get_bytes() { return PyBytes_FromStringAndSize((const char *)$self->bytes, PREPAY_CJT188_ADDRESS_SIZE); }
    int set_bytes(const uint8_t *data, size_t len) {
        if (len != PREPAY_CJT188_ADDRESS_SIZE) return PREPAY_E_INVALID_ARGUMENT;
        memcpy($self->bytes, data, len); return PREPAY_OK;
    }
}
%extend prepay_cjt188_frame {
    PyObject *get_data() { return PyBytes_FromStringAndSize((const char *)$self->data, $self->length); }
}
%extend prepay_modbus_adu {
    PyObject *get_data() { return PyBytes_FromStringAndSize((const char *)$self->data, $self->length); }
}
%extend prepay_modbus_map {
    const prepay_modbus_register_t *reg(size_t i) { return i < $self->count ? &$self->registers[i] : NULL; }
}

%include "prepay_helpers.i"
%include "prepay_settlement.i"
%include "prepay_payment.i"
%include "prepay_outbox.i"
