/* SPDX-License-Identifier: MIT */
/**
 * @file meter_supervision.h
 * @brief The reference meter's supervision: event judgement, load control and voltage
 *        qualification attached to a ::prepay_meter_t (docs/events.md, "In the meter").
 *
 * A caller-owned ::prepay_meter_supervision_t holds the parameters and the state of the three
 * freestanding modules (meter_events.h, load_control.h, voltage_qualification.h). Once attached
 * with prepay_meter_attach_supervision():
 *
 * - prepay_meter_advance() feeds the event judgement a sample (U, I, P per phase, total PF, the
 *   sensor flags of prepay_meter_set_sensors(), the energy registers) at the end of every step
 *   (at least once a minute, at every load change) and once a second while a transition is
 *   being timed, so an onset is judged at the exact second its delay runs out;
 * - load control runs one measurement cycle per second of the active power (the apparent power
 *   from the total power factor); a trip opens the relay (::PREPAY_METER_RELAY_LOAD_CONTROL)
 *   until its restore timer or a remote release (relay command 1C, direct close);
 * - voltage qualification counts every whole minute of the meter clock;
 * - prepay_meter_read() and prepay_meter_handle() answer the event items (counts, records,
 *   04001501 status word), the 0409xxxx thresholds, 04000E03/04 and the 0310xxxx statistics;
 *   writes of 0409xxxx, 04000E03/04, 04090C01/02 and 04001503 are accepted with the level-02
 *   password; refused writes and event clears are recorded (prepay_events_refuse());
 * - successful writes are programming events, clock settings are clock-change events.
 */
#ifndef PREPAY_METER_SUPERVISION_H
#define PREPAY_METER_SUPERVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prepay/config_fingerprint.h"
#include "prepay/export.h"
#include "prepay/load_control.h"
#include "prepay/meter.h"
#include "prepay/meter_events.h"
#include "prepay/voltage_qualification.h"

/** Relay flag: load control holds the relay open (a trip or a lock-out, prepay_lc_step()). */
#define PREPAY_METER_RELAY_LOAD_CONTROL 0x80u

/**
 * @brief Supervision of one meter: parameters and state of its events, load control and
 *        voltage qualification (caller-owned; 976 B in the firmware configuration).
 */
typedef struct prepay_meter_supervision {
    prepay_events_params_t events_params; /**< thresholds and delays (0409xxxx) */
    prepay_events_state_t events;         /**< event channels and records */
    prepay_vq_params_t vq_params;         /**< qualified and assessment limits */
    prepay_vq_state_t vq;                 /**< voltage statistics */
    prepay_lc_params_t lc_params;         /**< load-control policy */
    prepay_lc_state_t lc;                 /**< load-control state */
#if PREPAY_METER_LC_LAST
    prepay_lc_decision_t lc_last;         /**< the last load-control decision with an action */
#endif /* absent with PREPAY_METER_LC_LAST 0 */
    uint8_t sensors;                      /**< PREPAY_EVENTS_FLAG_* in force (prepay_meter_set_sensors()) */
    /** private: the meter's entry points into the supervision, set by prepay_meter_attach_supervision()
     *  (reached through this table, a firmware that never attaches one does not link the modules). */
    const struct prepay__meter_sup_ops *ops;
} prepay_meter_supervision_t;

PREPAY_BEGIN_DECLS

/**
 * @brief Initialises a supervision with the published defaults for a meter's wiring and
 *        nameplate (prepay_events_params_default(), prepay_vq_params_default(),
 *        prepay_lc_params_default() with no power limit and no malignant-load detection).
 * @param sup            the supervision to initialise
 * @param wiring         ::prepay_events_wiring (single-phase only in a one-phase build)
 * @param rated_voltage  Un, 0.1 V
 * @param basic_current  Ib, 0.1 mA
 * @param max_current    Imax, 0.1 mA
 * @return ::PREPAY_OK
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (NULL); ::PREPAY_E_EVENTS_BAD_PARAMETER (a wiring or
 * nameplate value the defaults refuse). On error @p sup is unchanged.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_supervision_init(prepay_meter_supervision_t *sup, prepay_events_wiring_t wiring,
                                             uint16_t rated_voltage, int32_t basic_current, int32_t max_current);

/**
 * @brief Attaches (or, with NULL, detaches) a supervision to a meter.
 * @param meter  an initialised meter
 * @param sup    an initialised supervision that outlives the attachment, or NULL
 * @return ::PREPAY_OK
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (@p meter NULL); ::PREPAY_E_METER_BAD_STATE (the meter
 * is not initialised); ::PREPAY_E_EVENTS_BAD_STATE (@p sup not initialised);
 * ::PREPAY_E_EVENTS_BAD_PARAMETER (its parameters fail their checks). On error nothing changes.
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_attach_supervision(prepay_meter_t *meter, prepay_meter_supervision_t *sup);

/**
 * @brief Sets the sensor flags the next samples carry (cover, terminal cover, magnet, sequences).
 * @param meter  a meter with a supervision attached
 * @param flags  PREPAY_EVENTS_FLAG_* bits
 * @return ::PREPAY_OK
 *
 * **Errors:** ::PREPAY_E_INVALID_ARGUMENT (@p meter NULL or a flag outside
 * ::PREPAY_EVENTS_FLAGS_ALL); ::PREPAY_E_METER_BAD_STATE (not initialised, or no supervision).
 */
PREPAY_NODISCARD
PREPAY_API int prepay_meter_set_sensors(prepay_meter_t *meter, uint8_t flags);

PREPAY_END_DECLS

#endif /* PREPAY_METER_SUPERVISION_H */
