/* SPDX-License-Identifier: MIT */
/*
 * prepay: the names of the meter-side event kinds (prepay_events_kind_t) in
 * the files `prepay meter events --records` writes and `prepay analyse` reads.
 */
#ifndef PREPAY_TOOL_EVENT_KINDS_H
#define PREPAY_TOOL_EVENT_KINDS_H

#include "prepay/meter_events.h"

/* Name of a kind ("loss_of_voltage"), or NULL. */
const char *event_kind_name(unsigned kind);
/* The kind of a name, or -1. */
int event_kind_named(const char *name);

#endif
